//! pola-run: run one command in a pola-sh jail, from any shell, Makefile or test.
//!
//! `pola-run [--ro PATH]... [--rw PATH]... [--net] [--net-host HOST] [--cwd DIR] [--env K=V]... [--explain] -- PROG [ARG]...`
//!
//! The command sees the default environment, its program (and `#!` interpreter), and
//! exactly the paths given with `--ro` and `--rw`; its arguments grant nothing.
//! Errors are one line on stderr with status 125 (127: command not found, 126: not
//! executable), as shells report them; otherwise the status is the command's.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use clap::Parser;
use pola_fileserver::ask::Session;
use pola_fileserver::environment::Environment;
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
    override_usage = "pola-run [--ro PATH]... [--rw PATH]... [--net | --net-connect PORTS | --net-bind PORTS | --net-host HOST[:PORTS]] [--no-profile] [--learn] [--ask] [--powerbox] [--hints] [--cwd DIR] [--env K=V]... [--explain] -- PROG [ARG]..."
)]
struct Args {
    /// Grant PATH read-only (recursively for a directory).
    #[arg(long = "ro", value_name = "PATH")]
    ro: Vec<PathBuf>,
    /// Grant PATH read-write; a missing file is created (and removed again if unused).
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
    /// Working directory of the command (default: the current one).
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

fn main() {
    report::init_logging();
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e)
            if e.kind() == clap::error::ErrorKind::DisplayHelp
                || e.kind() == clap::error::ErrorKind::DisplayVersion =>
        {
            print!("{e}");
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
    std::process::exit(run(args));
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
    // Staging directories a killed launcher left behind (see pola_fileserver::slots).
    pola_fileserver::slots::registry::recover();
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
    eprint!("{}", learned.report(PROGRAM, true));
    if save {
        eprint!("{}", learned.save(PROGRAM));
    }
    outcome.status
}
