//! pola-run: run one command in a pola-sh jail, from any shell, Makefile or test.
//!
//! `pola-run [--ro PATH]... [--rw PATH]... [--net | --net-connect PORTS | --net-bind PORTS | --net-host HOST[:PORTS]] [--ps] [--procs N] [--mem SIZE] [--cpu WEIGHT] [--tmp SIZE] [--no-profile] [--learn [--save]] [--ask] [--powerbox] [--hints] [--cwd DIR] [--env K=V]... [--explain] -- PROG [ARG]...`
//!
//! The command sees the default environment, its program (and `#!` interpreter), and
//! exactly the paths given with `--ro` and `--rw`; its arguments grant nothing.
//! Errors are one line on stderr with status 125 (127: command not found, 126: not
//! executable), as shells report them; otherwise the status is the command's.
//!
//! The clap definition below is also the manual page: `man/pola-run.1` is generated
//! from it with `clap_mangen` (a test keeps the two equal), and the sections after the
//! options come from [`SECTIONS`], which `--help` prints too.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser};
use pola_fileserver::ask::Session;
use pola_fileserver::environment::Environment;
use pola_fileserver::limits::{self, Kind, Limits};
use pola_fileserver::network::Network;
use pola_fileserver::text;
use pola_sh::jail::{self, Command, Request};
use pola_sh::report;

const PROGRAM: &str = "pola-run";

#[derive(Parser, Debug)]
#[command(
    name = "pola-run",
    version,
    about = "Run a command in a pola-sh jail that holds only what is granted",
    long_about = "Run a command in a pola-sh jail that holds only what is granted.

The jail is a fresh set of namespaces (user, mount, PID, IPC, UTS, network, cgroup) locked down with Landlock and seccomp. Its file namespace holds the default environment (read-only /usr, a curated /etc, its own /proc, a minimal /dev, private /tmp and $HOME), the program and its #! interpreter (read and execute), and exactly the paths given with --ro and --rw. The command's arguments grant nothing by themselves: that is what pola-sh(1) adds. Everything else on the machine (your home directory, other users' files, sockets, the network, other processes) does not exist for it.

The command gets descriptors 0, 1 and 2 only, and the environment PATH, HOME, TERM, LANG and LC_*, USER, PWD, TZ, plus --env and its profile's env lines. Signals sent to pola-run are passed on to the command; when pola-run dies, even by SIGKILL, the whole jail dies with it. Files the command leaves in its private /tmp or $HOME are discarded, and said so.",
    override_usage = "pola-run [--ro PATH]... [--rw PATH]... [--net | --net-connect PORTS | --net-bind PORTS | --net-host HOST[:PORTS]] [--ps] [--procs N] [--mem SIZE] [--cpu WEIGHT] [--tmp SIZE] [--no-profile] [--learn [--save]] [--ask] [--powerbox] [--hints] [--cwd DIR] [--env K=V]... [--explain] -- PROG [ARG]...",
    after_help = "Exit status, environment, files and examples: pola-run --help, or man pola-run."
)]
struct Args {
    /// Grant PATH read-only (recursively for a directory).
    #[arg(long = "ro", value_name = "PATH")]
    ro: Vec<PathBuf>,
    /// Grant PATH as a slot: the command may create it (a file, a directory or a
    /// symlink), write it, replace it by renaming onto it, rename it to another slot and
    /// remove it, and nothing else of its directory. A directory given as DIR/, . or
    /// the working directory is granted read-write as it is.
    #[arg(long = "rw", value_name = "PATH")]
    rw: Vec<PathBuf>,
    /// Share the host's network (default: a private loopback only).
    #[arg(long)]
    net: bool,
    /// Share the host's network for TCP connections to these ports only (e.g. 443,80).
    #[arg(long = "net-connect", value_name = "PORTS")]
    net_connect: Vec<String>,
    /// Share the host's network for TCP servers on these ports only (e.g. 8080).
    #[arg(long = "net-bind", value_name = "PORTS")]
    net_bind: Vec<String>,
    /// Reach this host only (ports 80 and 443 unless given), through a filtering proxy
    /// named in the command's http_proxy, https_proxy and ALL_PROXY (e.g. pypi.org,
    /// pypi.org:443, *.example.org, 192.0.2.7:22).
    #[arg(long = "net-host", value_name = "HOST[:PORTS]")]
    net_host: Vec<String>,
    /// Show the command the machine's processes, read-only (the host's /proc in place
    /// of the jail's own: what ps, top and pgrep list, and all /proc tells of them:
    /// command lines, mounts, the host's network; never their memory, environment or
    /// files, nor a signal to them). Needs Landlock.
    #[arg(long)]
    ps: bool,
    /// Working directory of the command (default: the current one). Relative paths
    /// of --ro and --rw are taken from it, as the command would take them.
    #[arg(long, value_name = "DIR")]
    cwd: Option<PathBuf>,
    /// Add NAME=VALUE to the command's environment.
    #[arg(long = "env", value_name = "K=V")]
    env: Vec<OsString>,
    /// Learn what the command needs: run it mediated, and while it looks for what it
    /// was not granted, run it again with that (up to 12 times), then print what it
    /// needed: working-directory paths as options, the rest as profile lines.
    #[arg(long)]
    learn: bool,
    /// With --learn: ask, then add the profile lines to the program's profile.
    #[arg(long, requires = "learn")]
    save: bool,
    /// Ask mode: when the command opens a file it was not granted, ask on the terminal
    /// whether to give it (once, or always for this run).
    #[arg(long)]
    ask: bool,
    /// Give the command a powerbox: a socket (in $POLA_POWERBOX) on which it may ask
    /// the user to pick a file (see pola-open).
    #[arg(long)]
    powerbox: bool,
    /// After the command fails, say what it looked for and was not granted (also with
    /// POLA_HINTS=1).
    #[arg(long)]
    hints: bool,
    /// Processes (and threads) the command may have at once, or 'unlimited'.
    #[arg(long, value_name = "N")]
    procs: Option<String>,
    /// Memory the command's processes may use together (512M, 2G, 25%), or 'unlimited'.
    #[arg(long, value_name = "SIZE")]
    mem: Option<String>,
    /// The command's CPU weight when the CPU is contended (100: one process's share).
    #[arg(long, value_name = "WEIGHT")]
    cpu: Option<String>,
    /// Size of the one tmpfs holding its private /tmp, $HOME and /dev/shm together.
    #[arg(long, value_name = "SIZE")]
    tmp: Option<String>,
    /// Do not apply the program's profile from $XDG_CONFIG_HOME/pola-sh/profiles/.
    #[arg(long = "no-profile")]
    no_profile: bool,
    /// Print the namespace the command would get, and run nothing.
    #[arg(long)]
    explain: bool,
    /// The program and its arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "PROG"
    )]
    command: Vec<OsString>,
}

/// The sections after the options, in `pola-run --help` and in pola-run(1): each a
/// heading and its entries (a term and what it means).
const SECTIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "EXIT STATUS",
        &[
            ("N", "The command's own status; 128+N when a signal N ended it."),
            (
                "125",
                "The jail could not be built: bad arguments, a grant that cannot be given, user namespaces refused. The one-line message on stderr says why, and for user namespaces what fixes it (AppArmor's restriction, kernel.unprivileged_userns_clone, user.max_user_namespaces, a container's seccomp policy). pola-run never runs a command with less confinement than asked.",
            ),
            ("126", "The program is not executable."),
            ("127", "The program was not found."),
        ],
    ),
    (
        "ENVIRONMENT",
        &[
            (
                "POLA_SHIM",
                "The pola-shim to start, instead of PREFIX/libexec/pola-sh/pola-shim for pola-run in PREFIX/bin (/usr/libexec/pola-sh/pola-shim when installed from the package), or pola-shim beside pola-run (a checkout).",
            ),
            (
                "POLA_LOG",
                "debug logs what pola-run does; info shows the audit records.",
            ),
            (
                "POLA_AUDIT",
                "A file the audit records are appended to, one line each: every launch (command, grants with their origin, profile, network) and, with --learn, every access to a path the jail does not hold.",
            ),
            (
                "XDG_CONFIG_HOME",
                "Where pola-sh/profiles/PROGRAM and pola-sh/environment are read (default ~/.config); read-only in every jail.",
            ),
            (
                "XDG_STATE_HOME",
                "Where pola-sh/staging (slots in use) and pola-sh/written (what jails could write) are kept (default ~/.local/state).",
            ),
        ],
    ),
    (
        "FILES",
        &[
            (
                "/usr/libexec/pola-sh/pola-shim",
                "The jail's inside, started for every command.",
            ),
            (
                "/etc/apparmor.d/pola-shim",
                "The AppArmor profile that allows pola-shim user namespaces where AppArmor restricts them (Ubuntu 24.04 and later).",
            ),
            (
                "~/.config/pola-sh/profiles/PROGRAM",
                "What PROGRAM always gets: ro PATH, rw PATH, net, net connect=PORTS, env NAME, nearest NAME (a version file in the working directory or above), nearest-dir NAME (the directory above holding it), shipped off lines.",
            ),
            (
                "~/.config/pola-sh/environment",
                "Replaces the built-in default environment: ro GLOB, rw GLOB, tmpfs PATH lines.",
            ),
        ],
    ),
    (
        "EXAMPLES",
        &[
            ("pola-run --ro notes.txt -- cat notes.txt", "The one file, read-only."),
            ("pola-run -- ls ~ /home /root", "Empty or missing."),
            (
                "pola-run --ro src --rw build -- make -C build",
                "Read the sources, write the build.",
            ),
            (
                "pola-run --net-connect 443 -- curl https://example.org",
                "TCP to port 443 only.",
            ),
            (
                "pola-run --learn -- python3 script.py",
                "Then prints what it was missing, as profile lines.",
            ),
            (
                "pola-run --ro f.txt --explain -- cat f.txt",
                "Print the namespace, run nothing.",
            ),
        ],
    ),
    (
        "SEE ALSO",
        &[("pola-sh(1), pola-open(1)", "")],
    ),
];

/// `SECTIONS` as plain text, for `--help`: headings as clap writes its own, meanings
/// below their terms, indented and wrapped as clap's long help is.
fn sections_text() -> String {
    let mut text = String::new();
    for (heading, entries) in SECTIONS {
        let heading = heading.to_lowercase();
        text.push_str(&format!(
            "{}{}:\n",
            heading[..1].to_uppercase(),
            &heading[1..]
        ));
        for (term, meaning) in *entries {
            text.push_str(&format!("  {term}\n"));
            for line in wrap(meaning, 80 - 10) {
                text.push_str(&format!("          {line}\n"));
            }
        }
        text.push('\n');
    }
    text.trim_end().to_string()
}

/// `text` in lines of at most `width` characters, broken between words.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// pola-run's command line: the clap definition with [`SECTIONS`] after the options.
fn command() -> clap::Command {
    Args::command()
        .max_term_width(100)
        .after_long_help(sections_text())
}

fn main() {
    // Before the zygote is started (it inherits it): the command's `rlimits`.
    pola_fileserver::limits::raise_open_files();
    report::init_logging();
    let args = match command()
        .try_get_matches()
        .and_then(|m| Args::from_arg_matches(&m))
    {
        Ok(args) => args,
        Err(e)
            if e.kind() == clap::error::ErrorKind::DisplayHelp
                || e.kind() == clap::error::ErrorKind::DisplayVersion =>
        {
            // A closed pipe (`--help | head`) is not an error worth a message.
            let _ = write!(std::io::stdout(), "{e}");
            std::process::exit(0);
        }
        Err(e) => {
            let first = e.to_string();
            let line = first
                .lines()
                .next()
                .unwrap_or("bad arguments")
                .trim_start_matches("error: ");
            report::error(
                PROGRAM,
                format!("{} (see pola-run --help)", text::shown(line)),
            );
            std::process::exit(125);
        }
    };
    // clap takes an unknown option in front of the program for the program itself;
    // a program whose name starts with `-` must come after `--`.
    let first = &args.command[0];
    let raw: Vec<OsString> = std::env::args_os().collect();
    let after_dashes = raw.windows(2).any(|w| w[0] == "--" && &w[1] == first);
    if first.as_bytes().starts_with(b"-") && !after_dashes {
        report::error(
            PROGRAM,
            format!(
                "unexpected argument '{}' (see pola-run --help)",
                text::shown(first)
            ),
        );
        std::process::exit(125);
    }
    let status = run(args);
    pola_fileserver::zygote::stop_unused();
    std::process::exit(status);
}

/// `NAME=VALUE` split at the first `=`; the name must not be empty.
fn split_assignment(kv: &OsStr) -> Option<(OsString, OsString)> {
    let bytes = kv.as_bytes();
    let i = bytes.iter().position(|b| *b == b'=').filter(|i| *i > 0)?;
    Some((
        OsStr::from_bytes(&bytes[..i]).to_os_string(),
        OsStr::from_bytes(&bytes[i + 1..]).to_os_string(),
    ))
}

fn working_directory(cwd: Option<&PathBuf>) -> Result<PathBuf, String> {
    match cwd {
        Some(dir) => match std::fs::canonicalize(dir) {
            Ok(d) if d.is_dir() => Ok(d),
            _ => Err(format!("--cwd: no such directory: {}", text::shown(dir))),
        },
        None => jail::logical_cwd().map_err(|e| format!("cannot find the working directory: {e}")),
    }
}

fn run(args: Args) -> i32 {
    let mut net = if args.net {
        Network::Host
    } else {
        Network::Private
    };
    let specs = (args.net_connect.iter().map(|p| format!("connect={p}")))
        .chain(args.net_bind.iter().map(|p| format!("bind={p}")));
    let hosts = args
        .net_host
        .iter()
        .map(|h| pola_fileserver::network::HostGrant::parse(h).map(|g| Network::Hosts(vec![g])));
    for parsed in specs.map(|spec| Network::parse_ports(&spec)).chain(hosts) {
        let added = parsed.and_then(|n| net.add(n).map_err(|e| e.to_string()));
        if let Err(e) = added {
            report::error(PROGRAM, e);
            return 125;
        }
    }
    // One jail, through a zygote started as soon as it is known to be wanted: its
    // start and the jail it makes ahead take the other core while this process does
    // everything else up to the command's start (measured in bench/README.md, sixth
    // stop on issue 17).
    if !args.explain {
        pola_fileserver::zygote::enable_once();
        if !net.shares_host() {
            pola_fileserver::zygote::start_ahead(|| pola_fileserver::launch::find_shim().ok());
        }
    }
    // Staging directories a killed launcher left behind (see pola_fileserver::slots).
    pola_fileserver::slots::registry::recover();
    report::state_unwritable(PROGRAM);
    jail::enable_hints(args.hints);
    let cwd = match working_directory(args.cwd.as_ref()) {
        Ok(d) => d,
        Err(message) => {
            report::error(PROGRAM, message);
            return 125;
        }
    };
    let mut exports = Vec::new();
    for kv in &args.env {
        match split_assignment(kv) {
            Some(pair) => exports.push(pair),
            None => {
                report::error(
                    PROGRAM,
                    format!("--env: expected NAME=VALUE, got '{}'", text::shown(kv)),
                );
                return 125;
            }
        }
    }
    let grants = args
        .ro
        .iter()
        .map(|p| Request {
            path: p.clone(),
            write: false,
        })
        .chain(args.rw.iter().map(|p| Request {
            path: p.clone(),
            write: true,
        }))
        .collect();
    let mut limits = Limits::default();
    for (kind, text) in [
        (Kind::Procs, &args.procs),
        (Kind::Mem, &args.mem),
        (Kind::Cpu, &args.cpu),
        (Kind::Tmp, &args.tmp),
    ] {
        let Some(text) = text else { continue };
        match limits::parse_value(kind, text) {
            Ok(value) => limits.set(kind, value),
            Err(_) => {
                report::error(PROGRAM, format!("--{kind} {text}: {}", kind.expected()));
                return 125;
            }
        }
    }
    let cmd = Command {
        program: PROGRAM.into(),
        argv: args.command,
        grants,
        cwd,
        net,
        source_env: std::env::vars_os().collect(),
        exports,
        profiles: !args.no_profile,
        learn: args.learn,
        ask: args.ask.then(Session::default),
        powerbox: args.powerbox,
        limits,
        // pola-run's own limits reach the command as any program's do: its limit of
        // open files as it was before pola-run raised it for the grants' descriptors.
        rlimits: pola_fileserver::limits::raise_open_files()
            .into_iter()
            .collect(),
        found: None,
        made: false,
        processes: args.ps,
        work_tree_changes: None,
        editor_declined: false,
        words_typed: true,
    };
    let env = match Environment::load(dirs::config_dir().as_deref()) {
        Ok(env) => env,
        Err(e) => {
            report::error(PROGRAM, e);
            return 125;
        }
    };
    if args.explain {
        return match jail::identity().and_then(|id| jail::namespace(&cmd, &id, &env)) {
            Ok(prepared) => {
                // A closed pipe (`| head`) is not an error worth a message.
                let _ = write!(std::io::stdout(), "{}", jail::explain(&prepared));
                0
            }
            Err(e) => {
                report::error(PROGRAM, &e);
                e.status()
            }
        };
    }
    if args.learn {
        return learn(cmd, &env, args.save);
    }
    match jail::run(&cmd, &env) {
        Ok(outcome) => {
            jail::report_hint(PROGRAM, &outcome);
            jail::report_limit(PROGRAM, &outcome);
            outcome.status
        }
        Err(e) => {
            report::error(PROGRAM, &e);
            e.status()
        }
    }
}

/// Most rounds `--learn` runs: a program's start-up that execs a chain (a pyenv shim,
/// a rustup proxy) reveals one link per round.
const LEARN_ROUNDS: usize = 12;

/// `--learn`: run, and while the command looked for host paths it was not granted, run
/// it again with them granted; then report (and with `--save`, save) what it needed.
fn learn(mut cmd: Command, env: &Environment, save: bool) -> i32 {
    let mut needed: Vec<(PathBuf, bool)> = Vec::new();
    let mut last = None;
    for round in 1..=LEARN_ROUNDS {
        let outcome = match jail::run(&cmd, env) {
            Ok(o) => o,
            Err(e) => {
                report::error(PROGRAM, &e);
                return e.status();
            }
        };
        let new: Vec<(PathBuf, bool)> = outcome
            .denied
            .iter()
            .map(|d| (d.path.clone(), d.write))
            .filter(|a| !needed.contains(a))
            .collect();
        let more = !new.is_empty() && outcome.launched;
        for (path, write) in &new {
            cmd.grants.push(Request {
                path: path.clone(),
                write: *write,
            });
        }
        needed.extend(new.iter().cloned());
        last = Some(outcome);
        if !more {
            break;
        }
        if round < LEARN_ROUNDS {
            eprintln!(
                "{PROGRAM}: learn: round {round} found {} more; running it again with them",
                new.len()
            );
        }
    }
    let Some(outcome) = last else {
        return 125;
    };
    let home = jail::identity().map(|i| i.home).unwrap_or_default();
    let learned = jail::Learned::new(&outcome.exe, &needed, &home, &cmd.cwd);
    jail::report_limit(PROGRAM, &outcome);
    eprint!("{}", learned.report(PROGRAM, true));
    if save {
        eprint!("{}", learned.save(PROGRAM));
    }
    outcome.status
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap_mangen::roff::{bold, roman, Roff};

    /// Where the package and README find pola-run(1).
    const MAN_PAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../man/pola-run.1");

    /// pola-run(1): clap_mangen's title, name, synopsis, description and options from
    /// the clap definition, then [`SECTIONS`].
    fn man_page() -> String {
        let man = clap_mangen::Man::new(Args::command())
            .title("POLA-RUN")
            .source(format!("pola-sh {}", env!("CARGO_PKG_VERSION")))
            .manual("User Commands");
        let mut parts: Vec<Vec<u8>> = vec![Vec::new(); 5];
        man.render_title(&mut parts[0]).unwrap();
        man.render_name_section(&mut parts[1]).unwrap();
        man.render_synopsis_section(&mut parts[2]).unwrap();
        man.render_description_section(&mut parts[3]).unwrap();
        man.render_options_section(&mut parts[4]).unwrap();
        let mut roff = Roff::new();
        for (heading, entries) in SECTIONS {
            roff.control("SH", [*heading]);
            for (term, meaning) in *entries {
                if meaning.is_empty() {
                    roff.text([roman(*term)]);
                } else {
                    roff.control("TP", []);
                    roff.text([bold(*term)]);
                    roff.text([roman(*meaning)]);
                }
            }
        }
        // An empty date must still be an argument, or the source would be taken for it.
        let title = String::from_utf8(parts[0].clone()).unwrap();
        parts[0] = title
            .replace(".TH POLA-RUN 1  ", ".TH POLA-RUN 1 \"\" ")
            .into_bytes();
        let mut page = String::new();
        for (i, part) in parts
            .iter()
            .map(|p| String::from_utf8(p.clone()).unwrap())
            .chain([roff.render()])
            .enumerate()
        {
            // Each rendering starts with the same preamble (how to typeset '); once is enough.
            let preamble_end = part.find(".TH").or_else(|| part.find(".SH")).unwrap();
            page.push_str(if i == 0 { &part } else { &part[preamble_end..] });
        }
        page
    }

    #[test]
    fn man_page_is_generated_from_the_clap_definition() {
        let page = man_page();
        if std::env::var_os("POLA_WRITE_MAN").is_some() {
            std::fs::write(MAN_PAGE, &page).unwrap();
        }
        let written = std::fs::read_to_string(MAN_PAGE).unwrap_or_default();
        assert!(
            written == page,
            "man/pola-run.1 is not what the clap definition gives; regenerate it with:\n  POLA_WRITE_MAN=1 cargo test -p pola-sh --bin pola-run man_page"
        );
    }

    #[test]
    fn help_lists_every_option_and_section_of_the_man_page() {
        let mut help = Vec::new();
        command().write_long_help(&mut help).unwrap();
        let help = String::from_utf8(help).unwrap();
        let page = std::fs::read_to_string(MAN_PAGE).unwrap();
        for arg in Args::command().get_arguments() {
            if let Some(long) = arg.get_long() {
                assert!(
                    help.contains(&format!("--{long}")),
                    "--{long} missing from --help"
                );
                // roff escapes the dashes of an option: \-\-ro
                assert!(
                    page.contains(&format!("\\-\\-{}", long.replace('-', "\\-"))),
                    "--{long} missing from pola-run(1)"
                );
            }
        }
        for (heading, entries) in SECTIONS {
            assert!(
                page.contains(&format!(".SH \"{heading}\""))
                    || page.contains(&format!(".SH {heading}"))
            );
            for (term, _) in *entries {
                assert!(help.contains(term), "{term} missing from --help");
            }
        }
    }

    #[test]
    fn sections_wrap_at_eighty_columns() {
        for line in sections_text().lines() {
            let term = SECTIONS
                .iter()
                .flat_map(|(_, e)| e.iter())
                .any(|(t, _)| line.trim() == *t);
            assert!(term || line.chars().count() <= 80, "{line:?}");
        }
    }
}
