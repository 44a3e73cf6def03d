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
    let waiting = Waiting::start(sh.interactive);
    let status = waited(sh, next, &args);
    // As bash: a signal that ends the waiting is its status (Ctrl-C: 130).
    match waiting.end() {
        0 => status,
        signal => Ok(128 + signal),
    }
}

/// The `wait` builtin's waiting, which a signal ends (`job::WAIT_INTERRUPTED`): the
/// terminal's SIGHUP, and at an interactive shell (which ignores it otherwise) Ctrl-C's
/// SIGINT, caught for that time without `SA_RESTART`, so that the blocked `waitpid`
/// returns.
struct Waiting {
    caught: Option<crate::sys::SigintCaught>,
    /// Closed when the waiting ends: the hang-up watch's end ([`watch_hangup`]).
    _watch: Option<std::os::fd::OwnedFd>,
}

/// At an interactive shell, a thread that watches the terminal while `wait` waits: a
/// closed terminal sends no SIGHUP to a shell that is not its session's leader (under
/// `runuser`, `su`, a terminal emulator's wrapper), and the shell, reading nothing
/// meanwhile, waited on with its jobs (new-user trial). On a hang-up it notes SIGHUP
/// and wakes the waiting thread with Ctrl-C's signal (caught for that time). Returns
/// the pipe's end whose closing ends the watch.
fn watch_hangup() -> Option<std::os::fd::OwnedFd> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::{AsFd, BorrowedFd};
    if !nix::unistd::isatty(std::io::stdin()).unwrap_or(false) {
        return None;
    }
    let (ended, end) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).ok()?;
    // SAFETY: the calling thread's own id.
    let waiting = unsafe { libc::pthread_self() };
    std::thread::Builder::new()
        .name("wait-hangup".into())
        .spawn(move || loop {
            // SAFETY: standard input, the shell's terminal, open for the shell's life.
            let tty = unsafe { BorrowedFd::borrow_raw(0) };
            let mut fds = [
                PollFd::new(tty, PollFlags::empty()),
                PollFd::new(ended.as_fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, PollTimeout::NONE) {
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return,
                Ok(_) => {}
            }
            if fds[1].revents().is_some_and(|r| !r.is_empty()) {
                return;
            }
            let gone = PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL;
            if fds[0].revents().is_some_and(|r| r.intersects(gone)) {
                crate::job::interrupt_wait(libc::SIGHUP);
                // SAFETY: the thread waiting is alive until `ended` is closed, which
                // this thread watches; a signal to a thread gone is refused (ESRCH).
                unsafe { libc::pthread_kill(waiting, libc::SIGINT) };
                return;
            }
        })
        .ok()?;
    Some(end)
}

extern "C" fn interrupted(signal: libc::c_int) {
    crate::job::interrupt_wait(signal);
}

impl Waiting {
    fn start(interactive: bool) -> Waiting {
        use std::sync::atomic::Ordering;
        crate::job::WAIT_INTERRUPTED.store(0, Ordering::SeqCst);
        crate::job::IN_WAIT.store(true, Ordering::SeqCst);
        let caught = interactive
            .then(|| crate::sys::catch_sigint(interrupted))
            .filter(crate::sys::SigintCaught::caught);
        let _watch = caught.is_some().then(watch_hangup).flatten();
        Waiting { caught, _watch }
    }

    /// The signal that ended the waiting, if one did; the shell's own handling back.
    fn end(mut self) -> i32 {
        use std::sync::atomic::Ordering;
        // The watch first: it signals this thread only while the waiting lasts.
        drop(self._watch.take());
        // The action the shell had back.
        drop(self.caught.take());
        crate::job::IN_WAIT.store(false, Ordering::SeqCst);
        let signal = crate::job::WAIT_INTERRUPTED.swap(0, Ordering::SeqCst);
        // Ctrl-C stops the line `wait` is in, as it would a command's (review).
        if signal == libc::SIGINT {
            crate::exec::INTERRUPTED.store(true, Ordering::SeqCst);
        }
        signal
    }
}

fn waited(sh: &mut Shell, next: bool, args: &[&String]) -> Status {
    let pipefail = sh.options.pipefail;
    let job_control = sh.terminal.is_some();
    if next {
        return Ok(wait_next(sh));
    }
    let mut status = 0;
    if args.is_empty() {
        for i in 0..sh.jobs.len() {
            if crate::job::wait_interrupted() {
                break;
            }
            let job = &mut sh.jobs[i];
            if job.state != State::Stopped {
                job.wait(pipefail, job_control);
            }
            if let State::Done(s) = job.state {
                record(sh, i, s);
            }
        }
        sh.jobs.retain(|j| !matches!(j.state, State::Done(_)));
        // As bash: the last process substitution too, when it is `$!`.
        if let Some(pid) = sh
            .last_background
            .filter(|_| !crate::job::wait_interrupted())
        {
            sh.wait_substitution(pid.as_raw());
        }
        return Ok(0);
    }
    for a in args {
        if crate::job::wait_interrupted() {
            break;
        }
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
                    job.wait(pipefail, job_control);
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
        if crate::job::wait_interrupted() {
            return 0;
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
