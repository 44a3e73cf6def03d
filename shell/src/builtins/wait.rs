use nix::sys::wait::WaitPidFlag;

use crate::exec::{Shell, Status};
use crate::job::State;

/// `wait [-n] [pid|%job]...` — wait for background jobs (all of them without
/// arguments; with `-n`, the next one to end); the status is the last one waited
/// for, 127 for a process that is not a child of this shell.
pub fn wait(sh: &mut Shell, argv: &[String]) -> Status {
    let mut next = false;
    let mut args: Vec<&String> = Vec::new();
    for a in &argv[1..] {
        match a.as_str() {
            "-n" => next = true,
            "-f" => {}
            "--" => {}
            s if s.starts_with('-') && s.len() > 1 && s[1..].parse::<i64>().is_err() => {
                sh.error(format!(
                    "wait: {}: invalid option",
                    pola_fileserver::text::shown(s)
                ));
                return super::usage(sh, "wait", "wait [-fn] [id ...]");
            }
            _ => args.push(a),
        }
    }
    // About to block: the shims of jails whose end was reported, which are exiting, are
    // reaped first, so that none is left a zombie while the shell waits.
    pola_fileserver::launch::reap_ended(true);
    let pipefail = sh.options.pipefail;
    if next {
        return Ok(wait_next(sh));
    }
    let mut status = 0;
    if args.is_empty() {
        for i in 0..sh.jobs.len() {
            let job = &mut sh.jobs[i];
            if job.state != State::Stopped {
                job.wait(pipefail);
            }
            if let State::Done(s) = job.state {
                record(sh, i, s);
            }
        }
        sh.jobs.retain(|j| !matches!(j.state, State::Done(_)));
        // As bash: the last process substitution too, when it is `$!`.
        if let Some(pid) = sh.last_background {
            sh.wait_substitution(pid.as_raw());
        }
        return Ok(0);
    }
    for a in args {
        if !a.starts_with('%') && a.parse::<i32>().is_err() {
            sh.error(format!(
                "wait: `{}': not a pid or valid job spec",
                pola_fileserver::text::shown(a)
            ));
            status = 1;
            continue;
        }
        match super::jobs::find(sh, a) {
            Some(i) => {
                let job = &mut sh.jobs[i];
                if job.state != State::Stopped {
                    job.wait(pipefail);
                }
                if let State::Done(s) = job.state {
                    status = s;
                    record(sh, i, s);
                }
            }
            None => match a.parse::<i32>().ok().and_then(|p| {
                sh.wait_substitution(p)
                    .or_else(|| sh.finished.get(&p).copied())
            }) {
                Some(s) => status = s,
                None => {
                    sh.error(format!(
                        "wait: pid {} is not a child of this shell",
                        pola_fileserver::text::shown(a)
                    ));
                    status = 127;
                }
            },
        }
    }
    sh.jobs.retain(|j| !matches!(j.state, State::Done(_)));
    Ok(status)
}

/// Remember a finished job's status by its processes' ids (a second `wait` for it
/// gives it again).
fn record(sh: &mut Shell, i: usize, status: i32) {
    // An interactive shell says that the job is done, as at a prompt (bash does).
    if sh.interactive {
        let n = sh.jobs.len();
        eprintln!("{}", sh.jobs[i].line(crate::job::mark(i, n)));
    }
    let pids: Vec<i32> = sh.jobs[i].procs.iter().map(|p| p.pid.as_raw()).collect();
    for p in pids {
        sh.finished.insert(p, status);
    }
}

/// `wait -n`: the status of the next job to end (127 when there is none).
fn wait_next(sh: &mut Shell) -> i32 {
    let pipefail = sh.options.pipefail;
    loop {
        sh.reap_jobs();
        if let Some(i) = sh
            .jobs
            .iter()
            .position(|j| matches!(j.state, State::Done(_)))
        {
            let State::Done(s) = sh.jobs[i].state else {
                unreachable!("matched above")
            };
            record(sh, i, s);
            sh.jobs.remove(i);
            return s;
        }
        if !sh.jobs.iter().any(|j| j.state == State::Running) {
            return 127;
        }
        // Sleep until some child changes state, without reaping it (`waitid`: `wait4`
        // refuses WNOWAIT at once, and the loop spun).
        let _ = nix::sys::wait::waitid(
            nix::sys::wait::Id::All,
            WaitPidFlag::WNOWAIT | WaitPidFlag::WEXITED | WaitPidFlag::WSTOPPED,
        );
        let _ = pipefail;
    }
}
