use std::str::FromStr;

use nix::sys::signal::{kill as send, Signal};
use nix::unistd::Pid;

use crate::exec::{Shell, Status};

/// `kill [-s SIGNAL | -n NUM | -SIGNAL] pid|%job...`, `kill -l [n|name]...` — send a
/// signal (0: only check that the process exists), or list signals.
pub fn kill(sh: &mut Shell, argv: &[String]) -> Status {
    let mut args = &argv[1..];
    // None: signal 0.
    let mut signal = Some(Signal::SIGTERM);
    match args.first().map(String::as_str) {
        Some("-l" | "-L") => return list(sh, &args[1..]),
        Some("-s" | "-n") => {
            let Some(name) = args.get(1) else {
                return super::usage(sh, "kill", "kill [-s SIGNAL | -SIGNAL] pid...");
            };
            match parse_signal(name) {
                Some(s) => signal = s,
                None => {
                    sh.error(format!(
                        "kill: {}: invalid signal specification",
                        pola_fileserver::text::shown(name)
                    ));
                    return Ok(1);
                }
            }
            args = &args[2..];
        }
        Some("--") => args = &args[1..],
        Some(s) if s.starts_with('-') && s.len() > 1 => {
            match parse_signal(&s[1..]) {
                Some(sig) => signal = sig,
                None => {
                    sh.error(format!(
                        "kill: {}: invalid signal specification",
                        pola_fileserver::text::shown(&s[1..])
                    ));
                    return Ok(1);
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
        let job = a
            .starts_with('%')
            .then(|| super::jobs::find(sh, a))
            .flatten();
        // A job's processes on this side are its jails' supervisors: SIGSTOP stopped
        // them and not the command, which the next SIGCONT then ended (`kill -STOP
        // %1`; new-user trial). A job is stopped as Ctrl-Z stops it (SIGTSTP, which
        // reaches the command in its jail), and SIGCONT lets it go on as `bg` does.
        let signal = match (job, signal) {
            (Some(_), Some(Signal::SIGSTOP)) => Some(Signal::SIGTSTP),
            _ => signal,
        };
        if let (Some(i), Some(Signal::SIGCONT)) = (job, signal) {
            if !matches!(sh.jobs[i].state, crate::job::State::Done(_)) {
                sh.jobs[i].resume();
                continue;
            }
        }
        // As bash: a stopped job sent SIGTERM or SIGHUP is let go on, so that it gets
        // it (`sleep 9`, Ctrl-Z, `kill %1` left it stopped; new-user trial).
        let stopped = matches!(signal, Some(Signal::SIGTERM | Signal::SIGHUP))
            && job.is_some_and(|i| sh.jobs[i].state == crate::job::State::Stopped);
        let pid = if a.starts_with('%') {
            job.map(|i| {
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
        } else if stopped {
            let _ = send(pid, Signal::SIGCONT);
        }
    }
    Ok(status)
}

/// A signal by name (`TERM`, `SIGTERM`) or number; `Some(None)` is signal 0.
fn parse_signal(name: &str) -> Option<Option<Signal>> {
    if let Ok(n) = name.parse::<i32>() {
        if n == 0 {
            return Some(None);
        }
        return Signal::try_from(n).ok().map(Some);
    }
    let upper = name.to_ascii_uppercase();
    let full = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    Signal::from_str(&full).ok().map(Some)
}

/// `kill -l`: every signal's name, or the name of each number (a status above 128
/// names its signal) and the number of each name.
fn list(sh: &Shell, args: &[String]) -> Status {
    if args.is_empty() {
        // As dash lists them: 0, then a name a line.
        let mut text = String::from("0\n");
        for s in Signal::iterator() {
            text.push_str(s.as_str().trim_start_matches("SIG"));
            text.push('\n');
        }
        super::out(&text);
        return Ok(0);
    }
    let mut status = 0;
    let mut text = String::new();
    for a in args {
        match a.parse::<i32>() {
            Ok(n) => {
                let n = if n > 128 { n - 128 } else { n };
                match Signal::try_from(n) {
                    Ok(s) => text.push_str(&format!("{}\n", s.as_str().trim_start_matches("SIG"))),
                    Err(_) => {
                        sh.error(format!("kill: {n}: invalid signal specification"));
                        status = 1;
                    }
                }
            }
            Err(_) => match parse_signal(a) {
                Some(Some(s)) => text.push_str(&format!("{}\n", s as i32)),
                _ => {
                    sh.error(format!(
                        "kill: {}: invalid signal specification",
                        pola_fileserver::text::shown(a)
                    ));
                    status = 1;
                }
            },
        }
    }
    super::out(&text);
    Ok(status)
}
