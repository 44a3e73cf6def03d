//! pola-run: run one command in a pola-sh jail, from any shell, Makefile or test.
//!
//! `pola-run [--ro PATH]... [--rw PATH]... [--net] [--mem SIZE] [--procs N] [--cwd DIR] [--env K=V]... [--explain] -- PROG [ARG]...`
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
use pola_fileserver::limits::{self, Kind, Limits};
use pola_fileserver::network::Network;
use pola_sh::jail::{self, Command, Request};
use pola_sh::report;

const PROGRAM: &str = "pola-run";

#[derive(Parser, Debug)]
#[command(
    name = "pola-run",
    version,
    about = "Run a command in a pola-sh jail that holds only what is granted",
    override_usage = "pola-run [--ro PATH]... [--rw PATH]... [--net | --net-connect PORTS | --net-bind PORTS] [--procs N] [--mem SIZE] [--cpu WEIGHT] [--tmp SIZE] [--no-profile] [--learn] [--ask] [--powerbox] [--cwd DIR] [--env K=V]... [--explain] -- PROG [ARG]..."
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
    /// Working directory of the command (default: the current one).
    #[arg(long, value_name = "DIR")]
    cwd: Option<PathBuf>,
    /// Add NAME=VALUE to the command's environment.
    #[arg(long = "env", value_name = "K=V")]
    env: Vec<OsString>,
    /// Mediated mode: run, then print what the command looked for and was not
    /// granted, as profile lines.
    #[arg(long)]
    learn: bool,
    /// Ask mode: when the command opens a file it was not granted, ask on the terminal
    /// whether to give it (once, or always for this run).
    #[arg(long)]
    ask: bool,
    /// Give the command a powerbox: a socket (in $POLA_POWERBOX) on which it may ask
    /// the user to pick a file (see pola-open).
    #[arg(long)]
    powerbox: bool,
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
            report::error(PROGRAM, format!("{line} (see pola-run --help)"));
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
                first.to_string_lossy()
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
            _ => Err(format!("--cwd: no such directory: {}", dir.display())),
        },
        None => jail::logical_cwd().map_err(|e| format!("cannot find the working directory: {e}")),
    }
}

fn run(args: Args) -> i32 {
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
                    format!("--env: expected NAME=VALUE, got '{}'", kv.to_string_lossy()),
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
    for spec in specs {
        match Network::parse_ports(&spec) {
            Ok(ports) => net.add(ports),
            Err(e) => {
                report::error(PROGRAM, e);
                return 125;
            }
        }
    }
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
    match jail::run(&cmd, &env) {
        Ok(outcome) => {
            jail::report_learned(PROGRAM, &outcome);
            jail::report_limit(PROGRAM, &outcome);
            outcome.status
        }
        Err(e) => {
            report::error(PROGRAM, &e);
            e.status()
        }
    }
}
