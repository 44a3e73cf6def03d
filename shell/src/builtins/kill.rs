use std::str::FromStr;

use nix::sys::signal::{kill as send, Signal};
use nix::unistd::Pid;

use crate::exec::{Shell, Status};

/// `kill [-s SIGNAL | -SIGNAL] pid|%job...`, `kill -l` — send a signal.
pub fn kill(sh: &mut Shell, argv: &[String]) -> Status {
    let mut args = &argv[1..];
    let mut signal = Signal::SIGTERM;
    match args.first().map(String::as_str) {
        Some("-l") => {
            let names: Vec<&str> = Signal::iterator()
                .map(|s| s.as_str().trim_start_matches("SIG"))
                .collect();
            super::out(&format!("{}\n", names.join(" ")));
            return Ok(0);
        }
        Some("-s") => {
            let Some(name) = args.get(1) else {
                return super::usage(sh, "kill", "kill [-s SIGNAL | -SIGNAL] pid...");
            };
            match parse_signal(name) {
                Some(s) => signal = s,
                None => {
                    sh.error(format!(
                        "kill: {}: unknown signal",
                        pola_fileserver::text::shown(name)
                    ));
                    return Ok(2);
                }
            }
            args = &args[2..];
        }
        Some(s) if s.starts_with('-') && s.len() > 1 => {
            match parse_signal(&s[1..]) {
                Some(sig) => signal = sig,
                None => {
                    sh.error(format!(
                        "kill: {}: unknown signal",
                        pola_fileserver::text::shown(s)
                    ));
                    return Ok(2);
                }
            }
            args = &args[1..];
        }
        _ => {}
    }
    if args.is_empty() {
        return super::usage(sh, "kill", "kill [-s SIGNAL | -SIGNAL] pid...");
    }
    let mut status = 0;
    for a in args {
        let pid = if a.starts_with('%') {
            super::jobs::find(sh, a).map(|i| {
                let j = &sh.jobs[i];
                if j.pgid.as_raw() > 0 {
                    Pid::from_raw(-j.pgid.as_raw())
                } else {
                    j.procs[0].pid
                }
            })
        } else {
            a.parse::<i32>().ok().map(Pid::from_raw)
        };
        let Some(pid) = pid else {
            sh.error(format!(
                "kill: {}: no such job or process",
                pola_fileserver::text::shown(a)
            ));
            status = 1;
            continue;
        };
        if let Err(e) = send(pid, signal) {
            sh.error(format!(
                "kill: {}: {}",
                pola_fileserver::text::shown(a),
                e.desc()
            ));
            status = 1;
        }
    }
    Ok(status)
}

fn parse_signal(name: &str) -> Option<Signal> {
    if let Ok(n) = name.parse::<i32>() {
        return Signal::try_from(n).ok();
    }
    let upper = name.to_ascii_uppercase();
    let full = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    Signal::from_str(&full).ok()
}
