//! The one way errors reach the user: `PROGRAM: message`, on one line, on stderr.

use std::fmt::Display;

/// Print `program: message` on stderr.
pub fn error(program: &str, message: impl Display) {
    eprintln!("{program}: {message}");
}

/// Set up `tracing` from `POLA_LOG` (e.g. `POLA_LOG=debug`); quiet by default.
pub fn init_logging() {
    // Building the filter costs a measurable share of a launch: only when asked.
    if std::env::var_os("POLA_LOG").is_none() {
        return;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("POLA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
