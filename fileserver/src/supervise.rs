//! Supervising a child the way a shell's job expects: signals sent to us with `kill`
//! are forwarded to it, its exit status is reported as a shell reports it.
//!
//! Used by the launcher (for `pola-run`) and inside the jail by `pola-shim`, at each
//! link of the chain launcher -> shim -> PID 1 -> command. Signals the terminal
//! generates (`SI_KERNEL`, e.g. Ctrl-C) already reach the whole foreground process
//! group, the command included, so they are not forwarded: the command would get
//! them twice.

use nix::errno::Errno;
use nix::sys::signal::{kill, sigprocmask, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::os::fd::AsFd;

const FORWARDED: &[Signal] = &[
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGWINCH,
    Signal::SIGCONT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

fn handled() -> SigSet {
    let mut set = SigSet::empty();
    for s in FORWARDED {
        set.add(*s);
    }
    set.add(Signal::SIGCHLD);
    set
}

/// Block the signals supervision handles, so none is lost before the loop reads them.
/// Children inherit the mask; the command gets a clean one before `execve`.
pub fn block_signals() -> Result<(), Errno> {
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&handled()), None)
}

/// Set (from a signal handler) when the shell is to end by a signal once its EXIT trap
/// ran: a wait for a jail gives up and the jail is killed, not waited for (one could
/// make that wait last; `shell/src/traps.rs`).
pub static ABANDON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether waits for jails give up ([`ABANDON`]).
pub fn abandoned() -> bool {
    ABANDON.load(std::sync::atomic::Ordering::SeqCst)
}

/// The signal that killed the last child waited for by [`supervise`] (PID 1's
/// command), with 0x100 if its core was dumped; 0 if none did.
static DEATH: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// The signal that killed the command [`supervise`] last waited for, and whether its
/// core was dumped.
pub fn death() -> Option<(i32, bool)> {
    let d = DEATH.load(std::sync::atomic::Ordering::Relaxed);
    (d != 0).then_some((d & 0xff, d & 0x100 != 0))
}

/// [`shell_status`] of the child supervised, noting how it died ([`death`]).
pub fn child_status(status: WaitStatus) -> Option<i32> {
    let died = match status {
        WaitStatus::Signaled(_, sig, core) => sig as i32 | if core { 0x100 } else { 0 },
        _ => 0,
    };
    DEATH.store(died, std::sync::atomic::Ordering::Relaxed);
    shell_status(status)
}

/// A shell's view of a wait status.
pub fn shell_status(status: WaitStatus) -> Option<i32> {
    match status {
        WaitStatus::Exited(_, code) => Some(code),
        WaitStatus::Signaled(_, sig, _) => Some(128 + sig as i32),
        _ => None,
    }
}

/// Forward signals to `child` and wait for it. With `reap_all` (PID 1), also reap
/// every orphan that the kernel re-parents here.
pub fn supervise(child: Pid, reap_all: bool) -> i32 {
    supervise_serving(child, reap_all, None)
}

/// Something to serve while supervising: a descriptor, and what to do each time it is
/// readable (false: stop serving it).
pub type Service<'a> = (std::os::fd::BorrowedFd<'a>, &'a mut dyn FnMut() -> bool);

/// [`supervise`], also serving `service` whenever its descriptor is readable (the
/// jail's supervisor answers the server's slot requests so; a process that made a PID
/// namespace cannot start a thread).
pub fn supervise_serving(child: Pid, reap_all: bool, mut service: Option<Service>) -> i32 {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let Ok(sfd) = SignalFd::with_flags(&handled(), SfdFlags::SFD_CLOEXEC) else {
        return wait_plain(child).unwrap_or(125);
    };
    loop {
        if let Some((fd, serve)) = service.as_mut() {
            let mut fds = [
                PollFd::new(sfd.as_fd(), PollFlags::POLLIN),
                PollFd::new(*fd, PollFlags::POLLIN),
            ];
            let polled = poll(&mut fds, PollTimeout::NONE);
            let ready = |f: &PollFd| {
                f.revents().is_some_and(|r| {
                    r.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR)
                })
            };
            let (signal, request) = (ready(&fds[0]), ready(&fds[1]));
            let keep = match polled {
                Ok(_) | Err(Errno::EINTR) => !request || serve(),
                Err(_) => false,
            };
            if !keep {
                service = None;
            }
            if !signal && keep {
                continue;
            }
        }
        // Reap first: the child may have ended before the loop started.
        loop {
            let who = if reap_all { None } else { Some(child) };
            match waitpid(who, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(status) => {
                    if status.pid() == Some(child) {
                        if let Some(code) = child_status(status) {
                            return code;
                        }
                    }
                }
            }
        }
        let Ok(Some(info)) = sfd.read_signal() else {
            continue;
        };
        let Ok(sig) = Signal::try_from(info.ssi_signo as i32) else {
            continue;
        };
        if sig != Signal::SIGCHLD && info.ssi_code != libc::SI_KERNEL {
            let _ = kill(child, sig);
        }
    }
}

/// A pidfd of process `pid` (close-on-exec): readable once it has ended. `None` if the
/// kernel has none for it (gone already, or no pidfds).
pub fn pidfd(pid: Pid) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid.as_raw(), 0) };
    // SAFETY: a new descriptor only we hold (pidfds are close-on-exec).
    (fd >= 0).then(|| unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as i32) })
}

/// Wait for `child` to end (stops are not reported): its status as a shell reports
/// it, or the error if it cannot be waited for.
pub fn wait_plain(child: Pid) -> Result<i32, Errno> {
    loop {
        if abandoned() {
            let _ = kill(child, Signal::SIGKILL);
        }
        match waitpid(child, None) {
            Ok(status) => {
                if let Some(code) = child_status(status) {
                    return Ok(code);
                }
            }
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Before `exec` in a child: the default dispositions of the signals a shell ignores
/// (ignored dispositions survive exec). Async-signal-safe.
pub fn reset_job_signals() {
    for sig in JOB_SIGNALS {
        // SAFETY: installing SIG_DFL runs no handler code and is async-signal-safe.
        unsafe {
            libc::signal(*sig as i32, libc::SIG_DFL);
        }
    }
}

/// The signals an interactive shell ignores (and Rust ignores SIGPIPE), which a
/// command must get back at their defaults.
pub const JOB_SIGNALS: &[nix::sys::signal::Signal] = &[
    nix::sys::signal::Signal::SIGINT,
    nix::sys::signal::Signal::SIGQUIT,
    nix::sys::signal::Signal::SIGTSTP,
    nix::sys::signal::Signal::SIGTTIN,
    nix::sys::signal::Signal::SIGTTOU,
    nix::sys::signal::Signal::SIGPIPE,
];
