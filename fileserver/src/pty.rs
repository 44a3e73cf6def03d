//! Each jail's own terminal (SECURITY.md 28, 29).
//!
//! A jailed program holding a descriptor of the shell's terminal can read what the user
//! types from the background once it has called `setsid()` (job control only guards a
//! terminal against processes whose controlling terminal it is), can take the
//! terminal's foreground with SIGTTOU ignored so that the shell's next read fails, and
//! whatever it changes on the terminal (modes, window size) outlives it. So in an
//! interactive pola-sh no jail gets the terminal. Each gets a pseudo-terminal of its
//! own: its slave replaces every descriptor that was the shell's terminal, and the
//! shim's PID 1 makes it the controlling terminal of a new session with the command as
//! its foreground job (`pola-shim`'s `session.rs`). The shell relays between its
//! terminal and the masters (`crate::relay`): every jail's output goes to the terminal,
//! the keys only to the foreground job's. Anything a jail does to its pseudo-terminal
//! ends with it. This is sudo's `use_pty`, for every jail.
//!
//! The pseudo-terminal is made by the jail's PID 1 in the jail's own devpts (`make`),
//! not in the host's: so its name (`/dev/pts/0`) exists in the jail, and `tty`, `su`,
//! `ssh` or anything that opens its terminal by name finds it, as `/dev/tty` does. PID
//! 1 sends the master to the server before the command starts (`Own::hand_over`
//! passes it on to the relay); until then the jail's terminal descriptors hold the
//! write end of a pipe whose contents (the shim's errors) the shell shows, never the
//! shell's terminal.
//!
//! A jail whose descriptors do not include the terminal still gets a session of its
//! own, without a controlling terminal, so `/dev/tty` does not reach the shell's.
//!
//! This module runs in whichever copy of the shell starts the jail (a background job
//! or a subshell is a forked copy of it), so it only uses what `fork` keeps: the
//! descriptors made by `relay::start` and a snapshot of the terminal's modes. The
//! master goes to the relay over a socket.

use std::io::IoSlice;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::{Mutex, OnceLock};

use nix::errno::Errno;
use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
use thiserror::Error;

use crate::launch::{Io, MAX_USER_FD};
use crate::plan::{Modes, Session};

#[derive(Debug, Error)]
pub enum PtyError {
    #[error("cannot make the command's terminal: {0}")]
    Open(Errno),
}

/// What every copy of the shell needs to give a jail a terminal of its own.
pub(crate) struct Shared {
    /// The shell's terminal (for its window size).
    pub(crate) tty: OwnedFd,
    /// Its device number, to recognise descriptors of it.
    pub(crate) rdev: u64,
    /// The relay's socket, for masters and pauses (`SOCK_SEQPACKET`).
    pub(crate) socket: OwnedFd,
}

pub(crate) static SHARED: OnceLock<Shared> = OnceLock::new();

/// The terminal's modes at the prompt: every pseudo-terminal starts with them. Only
/// the shell's main thread and its forked copies take this lock (never the relay
/// thread, which a fork would leave holding it).
static MODES: Mutex<Option<libc::termios>> = Mutex::new(None);

/// Message tags on the relay's socket.
pub(crate) const REGISTER: u8 = b'R';
pub(crate) const PAUSE: u8 = b'P';

/// `/dev/tty`'s device number: a descriptor of it is a descriptor of the terminal.
const DEV_TTY: u64 = libc::makedev(5, 0) as u64;

/// Whether jails get terminals of their own (an interactive shell whose relay runs).
pub fn enabled() -> bool {
    SHARED.get().is_some()
}

/// Remember the terminal's modes at the prompt, for the next pseudo-terminals.
pub fn set_modes(modes: &libc::termios) {
    *MODES.lock().unwrap_or_else(|e| e.into_inner()) = Some(*modes);
}

/// A pseudo-terminal: both ends.
pub struct Pair {
    pub master: OwnedFd,
    pub slave: OwnedFd,
}

/// A jail that gets a pseudo-terminal of its own, between `isolate` and the launch.
pub struct Own {
    /// What the jail's terminal descriptors hold until PID 1 puts the slave there: a
    /// pipe, so that what the shim says before (its errors) is still shown (`early`).
    _placeholder: OwnedFd,
    early: OwnedFd,
    /// The jail's standard input is the terminal (the first choice for keys when
    /// several jails of one job have terminals: see `relay`).
    stdin: bool,
}

/// If jails get terminals of their own: have PID 1 of the jail `io` starts make one
/// and put its slave in place of every descriptor (0–9) that is the shell's terminal
/// (a placeholder holds them meanwhile), and run the jail in a session of its own.
/// `None` when the relay is off, or when no descriptor is the terminal (the jail still
/// gets its own session, without a controlling terminal).
pub fn isolate(io: &mut Io) -> Result<Option<Own>, PtyError> {
    let Some(shared) = SHARED.get() else {
        return Ok(None);
    };
    let terminal_targets: Vec<i32> = (0..=MAX_USER_FD)
        .filter(|target| {
            let source = match io.fds.iter().find(|(t, _)| t == target) {
                Some((_, source)) => *source,
                None if *target <= 2 => *target,
                None => return false,
            };
            is_terminal(source, shared.rdev)
        })
        .collect();
    let Some(first) = terminal_targets.first().copied() else {
        io.session = Some(Session::default());
        return Ok(None);
    };
    let modes = *MODES.lock().unwrap_or_else(|e| e.into_inner());
    let (early, placeholder) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)
            .map_err(PtyError::Open)?;
    for target in &terminal_targets {
        let source = placeholder.as_raw_fd();
        match io.fds.iter_mut().find(|(t, _)| t == target) {
            Some(entry) => entry.1 = source,
            None => io.fds.push((*target, source)),
        }
    }
    io.session = Some(Session {
        terminal: Some(first),
        make: terminal_targets.clone(),
        modes: modes.as_ref().map(Modes::from),
        size: window_size(shared.tty.as_fd()).map(|s| (s.ws_row, s.ws_col)),
    });
    Ok(Some(Own {
        _placeholder: placeholder,
        early,
        stdin: terminal_targets.contains(&0),
    }))
}

/// In the jail's PID 1 (the shim), with the jail's devpts mounted: the terminal
/// `session` asks for, from `ptmx`, with its modes and size.
pub fn make(ptmx: &std::ffi::CStr, session: &Session) -> Result<Pair, Errno> {
    let pair = open_at(ptmx, None)?;
    configure(pair, session)
}

/// Give `pair` (a terminal made with no modes, `open_at`) `session`'s modes and
/// window size.
pub fn configure(pair: Pair, session: &Session) -> Result<Pair, Errno> {
    if let Some(modes) = session.modes.as_ref().map(Modes::termios) {
        // SAFETY: the termios lives across the call; the descriptor is ours.
        Errno::result(unsafe { libc::tcsetattr(pair.slave.as_raw_fd(), libc::TCSANOW, &modes) })?;
    }
    if let Some((rows, cols)) = session.size {
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        set_window_size(pair.master.as_fd(), &size);
    }
    Ok(pair)
}

/// Whether `fd` is a pseudo-terminal's master (the `ptmx` device, with a number).
pub fn is_master(fd: BorrowedFd<'_>) -> bool {
    let ptmx = nix::sys::stat::fstat(fd)
        .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == PTMX);
    let mut number: libc::c_uint = 0;
    // SAFETY: TIOCGPTN writes an unsigned int into the variable.
    ptmx && unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGPTN, &mut number) } == 0
}

/// `/dev/ptmx`'s device number (also a devpts instance's `ptmx`).
const PTMX: u64 = libc::makedev(5, 2) as u64;

impl Own {
    /// The jail is started (or failed to): show on the shell's standard error what
    /// the shim wrote before the jail had its terminal (an error building it).
    pub fn show_early(&self) {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = nix::unistd::read(self.early.as_fd(), &mut buf) {
            // SAFETY: descriptor 2 is the shell's standard error, borrowed for a write.
            let stderr = unsafe { BorrowedFd::borrow_raw(2) };
            let _ = nix::unistd::write(stderr, &buf[..n]);
        }
    }

    /// The jail `shim` has started and sent the master of its terminal: hand it to
    /// the relay, for the job whose process group is `pgid`, with a pidfd of the shim
    /// that tells the relay when the jail is over, and close ours.
    pub fn hand_over(self, pgid: i32, shim: u32, master: OwnedFd) {
        let Some(shared) = SHARED.get() else { return };
        let mut message = vec![REGISTER];
        message.extend_from_slice(&pgid.to_le_bytes());
        message.push(self.stdin as u8);
        let pidfd = crate::supervise::pidfd(nix::unistd::Pid::from_raw(shim as i32));
        let mut fds = vec![master.as_raw_fd()];
        fds.extend(pidfd.as_ref().map(|p| p.as_raw_fd()));
        if let Err(e) = send(shared.socket.as_fd(), &message, &fds) {
            tracing::debug!("cannot hand the terminal to the relay: {e}");
        }
    }
}

/// A new pseudo-terminal of `ptmx`'s devpts with `modes`: the master non-blocking,
/// both ends close-on-exec, the slave opened from the master (`TIOCGPTPEER`), never
/// through a path.
pub fn open_at(ptmx: &std::ffi::CStr, modes: Option<&libc::termios>) -> Result<Pair, Errno> {
    // SAFETY: a valid path and constant flags; the result is checked.
    let fd = unsafe {
        libc::open(
            ptmx.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC | libc::O_NONBLOCK,
        )
    };
    // SAFETY: open returned a new descriptor that only we hold.
    let master = unsafe { OwnedFd::from_raw_fd(Errno::result(fd)?) };
    let unlock: libc::c_int = 0;
    // SAFETY: TIOCSPTLCK reads an int from the pointer, which lives across the call.
    Errno::result(unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSPTLCK, &unlock) })?;
    // SAFETY: TIOCGPTPEER takes open flags and returns a new descriptor of the slave.
    let fd = unsafe {
        libc::ioctl(
            master.as_raw_fd(),
            libc::TIOCGPTPEER,
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    };
    // SAFETY: as above: a new descriptor only we hold.
    let slave = unsafe { OwnedFd::from_raw_fd(Errno::result(fd)?) };
    if let Some(modes) = modes {
        // SAFETY: the termios lives across the call; the descriptor is ours.
        Errno::result(unsafe { libc::tcsetattr(slave.as_raw_fd(), libc::TCSANOW, modes) })?;
    }
    Ok(Pair { master, slave })
}

/// Whether `fd` is a descriptor of the shell's terminal (device `rdev`, or `/dev/tty`).
fn is_terminal(fd: RawFd, rdev: u64) -> bool {
    // SAFETY: fstat writes into the struct; an invalid descriptor is an error.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return false;
    }
    st.st_mode & libc::S_IFMT == libc::S_IFCHR && (st.st_rdev == rdev || st.st_rdev == DEV_TTY)
}

pub(crate) fn window_size(tty: BorrowedFd<'_>) -> Option<libc::winsize> {
    // SAFETY: TIOCGWINSZ writes a winsize into the struct.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    (unsafe { libc::ioctl(tty.as_raw_fd(), libc::TIOCGWINSZ, &mut size) } == 0).then_some(size)
}

/// Set a pseudo-terminal's window size (its foreground job gets SIGWINCH if it changed).
pub(crate) fn set_window_size(master: BorrowedFd<'_>, size: &libc::winsize) {
    // SAFETY: TIOCSWINSZ reads a winsize from the pointer.
    unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, size) };
}

/// One message with descriptors on the relay's socket.
pub(crate) fn send(socket: BorrowedFd<'_>, bytes: &[u8], fds: &[RawFd]) -> Result<(), Errno> {
    let iov = [IoSlice::new(bytes)];
    let rights = [ControlMessage::ScmRights(fds)];
    loop {
        match sendmsg::<()>(
            socket.as_raw_fd(),
            &iov,
            &rights,
            MsgFlags::MSG_NOSIGNAL,
            None,
        ) {
            Err(Errno::EINTR) => continue,
            other => return other.map(drop),
        }
    }
}

/// While a `Pause` lives the relay leaves the terminal alone: it reads no keys and the
/// terminal has its modes from the prompt (ask mode and the powerbox read an answer).
pub struct Pause {
    _hold: OwnedFd,
    /// Where the relay says [`WITHDRAWN`]: the job asking lost the keys.
    answers: OwnedFd,
}

impl Pause {
    /// Readable once the relay withdrew the pause (the job asking lost the keys).
    pub fn withdrawn(&self) -> BorrowedFd<'_> {
        self.answers.as_fd()
    }
}

/// The relay's answers to a pause.
pub(crate) const PAUSED: u8 = b'p';
pub(crate) const NOT_NOW: u8 = b'b';
pub(crate) const WITHDRAWN: u8 = b'w';

/// What became of a request to pause the relay.
pub enum Paused {
    /// No relay runs in this shell.
    NoRelay,
    /// The relay leaves the terminal alone while this lives.
    Yes(Pause),
    /// The job asking is not the one that has the keys.
    NotNow,
}

/// Stop the relay from reading the terminal, from any copy of the shell, until the
/// `Pause` is dropped (or its holder dies). For a jail's question `job` is its job's
/// process group: the relay pauses only while that job has the keys, and withdraws
/// the pause when it loses them (`crate::terminal`).
pub fn pause(job: Option<i32>) -> Paused {
    let Some(shared) = SHARED.get() else {
        return Paused::NoRelay;
    };
    let Ok((hold_read, hold_write)) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC) else {
        return Paused::NotNow;
    };
    let Ok((ack_read, ack_write)) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC) else {
        return Paused::NotNow;
    };
    let mut message = vec![PAUSE];
    if let Some(job) = job {
        message.extend_from_slice(&job.to_le_bytes());
    }
    let sent = send(
        shared.socket.as_fd(),
        &message,
        &[hold_read.as_raw_fd(), ack_write.as_raw_fd()],
    );
    drop((hold_read, ack_write));
    if sent.is_err() {
        return Paused::NotNow;
    }
    // The relay answers once the terminal is free (or closes the descriptor).
    let mut fds = [nix::poll::PollFd::new(
        ack_read.as_fd(),
        nix::poll::PollFlags::POLLIN,
    )];
    let answered = matches!(
        nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(2000u16)),
        Ok(1)
    );
    let mut answer = [0u8; 1];
    let read = if answered {
        nix::unistd::read(ack_read.as_fd(), &mut answer)
    } else {
        Ok(0)
    };
    match read {
        Ok(1) if answer[0] == NOT_NOW => Paused::NotNow,
        _ => Paused::Yes(Pause {
            _hold: hold_write,
            answers: ack_read,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_terminal_is_a_terminal_of_its_own() {
        let (read, _write) = nix::unistd::pipe().unwrap();
        let own = open_at(c"/dev/ptmx", None).unwrap();
        assert!(is_master(own.master.as_fd()));
        assert!(!is_master(own.slave.as_fd()));
        assert!(!is_master(read.as_fd()));
        let slave = own.slave.as_raw_fd();
        assert!(nix::unistd::isatty(own.slave.as_fd()).unwrap());
        let rdev = nix::sys::stat::fstat(own.slave.as_fd()).unwrap().st_rdev;
        assert!(is_terminal(slave, rdev));
        assert!(
            !is_terminal(read.as_raw_fd(), rdev),
            "a pipe is no terminal"
        );
        let other = open_at(c"/dev/ptmx", None).unwrap();
        assert!(
            !is_terminal(other.slave.as_raw_fd(), rdev),
            "another terminal is not this one"
        );
        // SAFETY: F_GETFL/F_GETFD only read flags.
        let flags = unsafe { libc::fcntl(own.master.as_raw_fd(), libc::F_GETFL) };
        assert_ne!(
            flags & libc::O_NONBLOCK,
            0,
            "the relay never blocks on a master"
        );
        for fd in [own.master.as_raw_fd(), slave] {
            assert_ne!(
                unsafe { libc::fcntl(fd, libc::F_GETFD) } & libc::FD_CLOEXEC,
                0
            );
        }
    }

    #[test]
    fn without_the_relay_nothing_changes() {
        let mut io = Io {
            fds: vec![(1, 7)],
            process_group: Some(0),
            ..Default::default()
        };
        assert!(isolate(&mut io).unwrap().is_none());
        assert_eq!(io.fds, vec![(1, 7)]);
        assert_eq!(io.session, None);
    }
}
