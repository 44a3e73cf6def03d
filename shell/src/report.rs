//! The one way errors reach the user: `PROGRAM: message`, on one line, on stderr.

use std::fmt::Display;

/// Print `program: message` on stderr.
pub fn error(program: &str, message: impl Display) {
    line(format_args!("{program}: {message}"));
}

/// Print one line on stderr, ended as the terminal needs it: with `\r\n` while the
/// terminal is in raw mode (a job's terminal is being relayed, or the line editor is
/// reading), where `\n` alone would leave the next line starting at the old column.
/// At start: pola-sh's state directory there but not the user's to write (made by
/// root, `sudo` keeping `$HOME`), said with the fix (`planted::record_unwritable`).
pub fn state_unwritable(program: &str) {
    if let Some(place) = pola_fileserver::planted::record_unwritable() {
        error(
            program,
            format!(
                "{} is not yours to write: what jails write is not recorded, and a link or program a jail makes is not known as its (make it yours: chown -R {} {})",
                pola_fileserver::text::shown(&place),
                nix::unistd::getuid(),
                pola_fileserver::text::word(&place)
            ),
        );
    }
}

pub fn line(text: impl Display) {
    // While a job has the terminal its jails' output is still being relayed: what the
    // shell says of a jail that ended waits for the rest of it (a hint printed inside
    // `cat`'s own error message, under load), and is said once the terminal is back.
    if crate::job::FOREGROUND_JOB.load(std::sync::atomic::Ordering::SeqCst) != 0 {
        DEFERRED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(text.to_string());
        return;
    }
    say(text)
}

/// Print one line on stderr now, even while a job has the terminal: said while a
/// jail runs, of what it is doing (a package manager retrying without the network).
/// Not while the prompt is there (the job stopped, or in the background): the line
/// came out over it (security review); its end says what it lacked.
pub fn now(text: impl Display) {
    use std::sync::atomic::Ordering::SeqCst;
    let prompt =
        crate::job::JOB_CONTROL.load(SeqCst) && crate::job::FOREGROUND_JOB.load(SeqCst) == 0;
    if !prompt {
        say(text)
    }
}

/// Lines [`line`] kept while a job had the terminal.
static DEFERRED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Say the lines kept while a job had the terminal (it is the shell's again).
pub fn flush_deferred() {
    let lines = std::mem::take(&mut *DEFERRED.lock().unwrap_or_else(|e| e.into_inner()));
    for l in lines {
        say(l);
    }
}

fn say(text: impl Display) {
    use std::io::Write;
    let raw = nix::sys::termios::tcgetattr(std::io::stderr()).is_ok_and(|t| {
        !t.output_flags
            .contains(nix::sys::termios::OutputFlags::OPOST)
    });
    let end = if raw { "\r\n" } else { "\n" };
    let _ = write!(std::io::stderr().lock(), "{text}{end}");
}

/// The `tracing` target of audit records: launches, denials, runtime grants.
pub const AUDIT: &str = pola_fileserver::AUDIT;

/// Set up `tracing`: `POLA_LOG` (e.g. `POLA_LOG=info`, `POLA_LOG=debug`) to stderr,
/// and audit records to the file named by `POLA_AUDIT` (appended, one line each,
/// with the time). Quiet by default.
pub fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{filter, fmt, EnvFilter, Layer};

    let log = std::env::var_os("POLA_LOG");
    let audit = std::env::var_os("POLA_AUDIT").filter(|p| !p.is_empty());
    // Building the filter costs a measurable share of a launch: only when asked.
    if log.is_none() && audit.is_none() {
        return;
    }
    let stderr = log.map(|_| {
        let filter = EnvFilter::try_from_env("POLA_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
        // The line editor logs every key at debug level: what is typed (a password read
        // by a builtin, a secret on a command line) never goes to a log.
        let filter = match "rustyline=warn".parse() {
            Ok(quiet) => filter.add_directive(quiet),
            Err(_) => filter,
        };
        fmt::layer()
            .with_writer(std::io::stderr)
            .without_time()
            .with_filter(filter)
    });
    let file = audit.and_then(|path| {
        let opened = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path);
        match opened {
            Ok(file) => Some(
                fmt::layer()
                    .with_writer(std::sync::Mutex::new(file))
                    .with_ansi(false)
                    .with_target(false)
                    .with_level(false)
                    .with_filter(filter::Targets::new().with_target(AUDIT, tracing::Level::INFO)),
            ),
            Err(e) => {
                error(
                    "pola-sh",
                    format!("POLA_AUDIT: {}: {e}", pola_fileserver::text::shown(&path)),
                );
                None
            }
        }
    });
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
}
