//! The jail's own session (SECURITY.md 28, 29; see `pola_fileserver::pty`).
//!
//! In an interactive pola-sh a jail must not share the shell's terminal: a process in
//! the shell's session could open `/dev/tty`, and with the terminal in hand it could
//! read keys from the background after `setsid()` or take the foreground. So PID 1
//! makes a new session (`enter`), with the pseudo-terminal the shell gave the jail as
//! its controlling terminal, and starts the command in a process group of its own that
//! is that terminal's foreground job (`init::start_command`). The keys the shell
//! relays, Ctrl-C and Ctrl-Z included, reach the command through the pseudo-terminal's
//! line discipline, and nothing the command does (`setsid`, `tcsetpgrp`, `stty`)
//! touches the shell's terminal.
//!
//! Job control still runs through the shell, which waits for PID 1's report of the
//! end, or for the shim outside to stop:
//! - PID 1 waits for the command with WUNTRACED; when it stops, PID 1 says so on a
//!   pipe, and the shim says so on the jail's socket (`ShimReport::Stopping`) and
//!   stops itself: that is what the shell's `waitpid` then sees.
//! - The shell's SIGCONT (`fg`, `bg`) continues the shim, which passes it on; PID 1
//!   continues the terminal's foreground group.
//! - Signals sent to the job's process group (the shell's `kill`, the signal keys of a
//!   job of several jails, Ctrl-C on the real terminal for a job with a `!!` command)
//!   are passed on by the shim whatever their origin, since the command is not in that
//!   group; PID 1 sends the terminal's signals (INT, QUIT, TSTP, TTIN, TTOU) to its
//!   terminal's foreground group, as the line discipline would, and the rest to the
//!   command.

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, sigprocmask, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use pola_fileserver::plan::Session;
use pola_fileserver::supervise::shell_status;

/// The signals the session's supervisors handle (all blocked, read from a signalfd).
const HANDLED: &[Signal] = &[
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGCONT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGTSTP,
    Signal::SIGTTIN,
    Signal::SIGTTOU,
    Signal::SIGWINCH,
    Signal::SIGCHLD,
];

/// What a terminal sends to its foreground group.
const TERMINAL_SIGNALS: &[Signal] = &[
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGTSTP,
    Signal::SIGTTIN,
    Signal::SIGTTOU,
];

fn handled() -> SigSet {
    let mut set = SigSet::empty();
    for s in HANDLED {
        set.add(*s);
    }
    set
}

/// Block the signals the session's supervisors read (children inherit the mask; the
/// command gets a clean one).
pub fn block_signals() -> Result<(), Errno> {
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&handled()), None)
}

/// The jail's `ptmx`, in its own devpts.
const PTMX: &std::ffi::CStr = c"/dev/pts/ptmx";

/// Whether warm jails make their terminal ahead (`terminal_ahead`): not for a shell
/// whose jails get none (`zygote::NO_TERMINALS_ARG`).
static TERMINALS_AHEAD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// In a zygote started with `NO_TERMINALS_ARG`, before it forks anything.
pub fn no_terminals_ahead() {
    TERMINALS_AHEAD.store(false, std::sync::atomic::Ordering::Relaxed);
}

/// In a warm jail's PID 1, its prepared root entered: a terminal of the devpts there,
/// made before the command is asked for (opening `ptmx` and taking the slave were
/// half of making the jail's terminal on the command's path). The plan's modes and
/// size are given it once known (`make_terminal`). Both ends above the descriptors a
/// request places.
pub fn terminal_ahead() -> Option<pola_fileserver::pty::Pair> {
    if !TERMINALS_AHEAD.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let pair = pola_fileserver::pty::open_at(PTMX, None).ok()?;
    Some(pola_fileserver::pty::Pair {
        master: crate::sys::high(pair.master).ok()?,
        slave: crate::sys::high(pair.slave).ok()?,
    })
}

/// PID 1 tells the shim that the command stopped, on a pipe made before the fork.
pub struct Stops {
    read: OwnedFd,
    write: OwnedFd,
}

impl Stops {
    pub fn new() -> Result<Stops, Errno> {
        let (read, write) = crate::sys::pipe_high()?;
        Ok(Stops { read, write })
    }

    /// Its descriptors, to keep open.
    pub fn descriptors(&self) -> [Option<i32>; 2] {
        use std::os::fd::AsRawFd;
        [Some(self.read.as_raw_fd()), Some(self.write.as_raw_fd())]
    }
}

/// In PID 1: lead a new session, with the jail's pseudo-terminal (if it has one) as
/// its controlling terminal. Returns that descriptor. A terminal PID 1 is to make
/// (`make_terminal`) becomes the controlling terminal then.
pub fn enter(session: &Session) -> Result<Option<RawFd>, Errno> {
    nix::unistd::setsid()?;
    if let (Some(fd), true) = (session.terminal, session.make.is_empty()) {
        control(fd)?;
    }
    Ok(session.terminal)
}

fn control(fd: RawFd) -> Result<(), Errno> {
    // SAFETY: TIOCSCTTY takes an integer argument (0: do not steal).
    Errno::result(unsafe { libc::ioctl(fd, libc::TIOCSCTTY, 0) }).map(drop)
}

/// In PID 1, the jail's root built: make the jail's terminal in its own devpts (so its
/// name, `/dev/pts/0`, exists in the jail: `pola_fileserver::pty`), put its slave at
/// the session's terminal descriptors (a placeholder held them), make it the session's
/// controlling terminal, and send the master to the server, which relays it.
///
/// `ready`: one made ahead (`terminal_ahead`), taken if it is of the devpts the jail
/// has at `/dev/pts` (a plan that did not take the prepared `/dev` has another).
pub fn make_terminal(
    session: &Session,
    socket: &std::os::unix::net::UnixStream,
    ready: Option<pola_fileserver::pty::Pair>,
) -> Result<(), Errno> {
    use sendfd::SendWithFd;
    if session.make.is_empty() {
        return Ok(());
    }
    let ready = ready.filter(|pair| {
        let dev = |st: nix::sys::stat::FileStat| st.st_dev;
        nix::sys::stat::fstat(pair.master.as_fd()).map(dev) == nix::sys::stat::stat(PTMX).map(dev)
    });
    let pair = match ready {
        Some(pair) => pola_fileserver::pty::configure(pair, session)?,
        None => pola_fileserver::pty::make(PTMX, session)?,
    };
    for fd in &session.make {
        // SAFETY: dup2 onto a descriptor number the plan reserved for the terminal.
        Errno::result(unsafe { libc::dup2(pair.slave.as_raw_fd(), *fd) })?;
    }
    if let Some(fd) = session.terminal {
        control(fd)?;
    }
    let tag = [pola_fileserver::launch::TERMINAL_TAG];
    match socket.send_with_fd(&tag, &[pair.master.as_raw_fd()]) {
        Ok(1) => Ok(()),
        Ok(_) => Err(Errno::EIO),
        Err(e) => Err(Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))),
    }
}

/// The shim outside: pass every signal on to PID 1, stop when the command stops (saying
/// so on `socket` first: the shell, which waits for PID 1's report of the end rather
/// than for this process, then waits for the stop), serve `service` (the server's slot
/// requests) whenever it is readable, and return PID 1's status when it ends.
pub fn supervise_shim(
    pid1: Pid,
    stops: Stops,
    socket: &std::os::unix::net::UnixStream,
    mut service: Option<pola_fileserver::supervise::Service>,
) -> i32 {
    let Stops { read, write } = stops;
    drop(write);
    let Ok(sfd) = SignalFd::with_flags(&handled(), SfdFlags::SFD_CLOEXEC) else {
        return pola_fileserver::supervise::wait_plain(pid1).unwrap_or(125);
    };
    let mut stops_open = true;
    loop {
        match waitpid(pid1, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {}
            Ok(status) => {
                if let Some(code) = shell_status(status) {
                    return code;
                }
            }
            Err(Errno::EINTR) => continue,
            Err(_) => return 125,
        }
        let mut fds = vec![PollFd::new(sfd.as_fd(), PollFlags::POLLIN)];
        if stops_open {
            fds.push(PollFd::new(read.as_fd(), PollFlags::POLLIN));
        }
        let served = service.as_ref().map(|(fd, _)| {
            fds.push(PollFd::new(*fd, PollFlags::POLLIN));
            fds.len() - 1
        });
        if poll(&mut fds, PollTimeout::NONE).is_err() {
            continue;
        }
        let ready = |i: usize| {
            fds.get(i)
                .and_then(|f| f.revents())
                .is_some_and(|r| !r.is_empty())
        };
        let stopped = stops_open && ready(1);
        let signalled = ready(0);
        let request = served.is_some_and(ready);
        drop(fds);
        if request {
            if let Some((_, serve)) = service.as_mut() {
                if !serve() {
                    service = None;
                }
            }
        }
        if stopped {
            let mut byte = [0u8; 16];
            match nix::unistd::read(read.as_fd(), &mut byte) {
                Ok(0) | Err(_) => stops_open = false,
                Ok(_) => {
                    // Unless the jail ended meanwhile, the shell sees its job stopped;
                    // its SIGCONT wakes us.
                    if let Ok(status) = waitpid(pid1, Some(WaitPidFlag::WNOHANG)) {
                        if let Some(code) = shell_status(status) {
                            return code;
                        }
                    }
                    crate::init::report(socket, &pola_fileserver::plan::ShimReport::Stopping);
                    let _ = kill(nix::unistd::getpid(), Signal::SIGSTOP);
                }
            }
        }
        if signalled {
            if let Ok(Some(info)) = sfd.read_signal() {
                match Signal::try_from(info.ssi_signo as i32) {
                    Ok(Signal::SIGCHLD | Signal::SIGWINCH) | Err(_) => {}
                    Ok(sig) => {
                        let _ = kill(pid1, sig);
                    }
                }
            }
        }
    }
}

/// PID 1, the session's leader: reap orphans, say when the command stops, pass
/// signals on (the terminal's to `terminal`'s foreground group), and return the
/// command's status when it ends.
pub fn supervise_leader(command: Pid, terminal: Option<RawFd>, stops: Stops) -> i32 {
    let Stops { read, write } = stops;
    drop(read);
    let Ok(sfd) = SignalFd::with_flags(&handled(), SfdFlags::SFD_CLOEXEC) else {
        return pola_fileserver::supervise::wait_plain(command).unwrap_or(125);
    };
    // The command leads its process group (`init::start_command`).
    let group = Pid::from_raw(-command.as_raw());
    let foreground = || {
        terminal
            .and_then(|fd| {
                // SAFETY: the descriptor stays open in PID 1 for the jail's life.
                nix::unistd::tcgetpgrp(unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }).ok()
            })
            .map(|pg| Pid::from_raw(-pg.as_raw()))
            .unwrap_or(group)
    };
    loop {
        loop {
            match waitpid(None, Some(WaitPidFlag::WNOHANG | WaitPidFlag::WUNTRACED)) {
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(WaitStatus::Stopped(pid, sig)) if pid == command => {
                    let _ = nix::unistd::write(write.as_fd(), &[sig as u8]);
                }
                Ok(status) => {
                    if status.pid() == Some(command) {
                        if let Some(code) = pola_fileserver::supervise::child_status(status) {
                            return code;
                        }
                    }
                }
            }
        }
        let Ok(Some(info)) = sfd.read_signal() else {
            continue;
        };
        match Signal::try_from(info.ssi_signo as i32) {
            Ok(Signal::SIGCHLD | Signal::SIGWINCH) | Err(_) => {}
            Ok(Signal::SIGCONT) => {
                let fg = foreground();
                let _ = kill(fg, Signal::SIGCONT);
                if fg != group {
                    let _ = kill(group, Signal::SIGCONT);
                }
            }
            Ok(sig) if TERMINAL_SIGNALS.contains(&sig) => {
                let _ = kill(foreground(), sig);
            }
            Ok(sig) => {
                let _ = kill(command, sig);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_and_terminal_signals_are_handled() {
        let set = handled();
        for s in TERMINAL_SIGNALS {
            assert!(set.contains(*s), "{s:?} must be read, not acted on");
        }
        assert!(set.contains(Signal::SIGCONT) && set.contains(Signal::SIGCHLD));
        assert!(!set.contains(Signal::SIGPIPE));
    }
}
