//! Asking the user on the terminal, from a server thread, while a jailed command may
//! own it.
//!
//! Ask mode, the powerbox and `--learn --save` put their questions here. One question
//! at a time (the jails of a pipeline share one user): the asking thread takes the
//! terminal's foreground for the question if a job holds it, discards the keys typed
//! before it (they were typed for the command or the prompt, not as an answer), sets
//! line mode with echo (the command may have left it raw), reads one line, and puts
//! back the foreground process group and the command's terminal modes. Without a
//! terminal there is nobody to ask, and every question is answered `None` (refused).
//!
//! A jail's question belongs to its jail ([`Questions`]); otherwise a question still
//! pending when its job is over (or asked by a background job) would read the keys the
//! user types at the prompt, and a line starting with `a` ("awk ...") would answer it
//! "always". So a jail's question is asked only while its job is in the foreground
//! (through the relay, only while the relay gives that job the keys); it is put off
//! while the job is in the background or stopped, withdrawn if the job loses the
//! keys while it is asked, and answered "no" without reading anything once the jail
//! has ended ([`Questions::end`]), queued or asked.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow, Signal};
use nix::sys::termios::{self, LocalFlags, SetArg};
use nix::unistd::{getpgrp, tcgetpgrp, tcsetpgrp, Pid};

use crate::pty::{self, Paused};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// How often a question put off looks again whether its job is in the foreground.
const RETRY: Duration = Duration::from_millis(200);

/// Test seam (documented in the security tests): `POLA_TEST_QUESTIONS_OUTLIVE_JAILS=1`
/// asks a jail's questions as questions of nobody's, as before they belonged to their
/// jail: never put off, never withdrawn.
const UNBOUND_SEAM: &str = "POLA_TEST_QUESTIONS_OUTLIVE_JAILS";

/// The questions of one jail: asked only while its job is in the foreground, and none
/// once the jail has ended. Clones share the state; the jail's server threads each
/// hold one, and the launcher ends them when the jail is reaped.
#[derive(Clone, Debug)]
pub struct Questions {
    inner: Arc<Ending>,
}

#[derive(Debug)]
struct Ending {
    /// The jail's job: its process group.
    job: i32,
    ended: AtomicBool,
    /// Readable once ended (an eventfd), to wake a question waiting for its answer.
    wake: Option<OwnedFd>,
}

impl Questions {
    /// The questions of a jail in process group `job`.
    pub fn new(job: i32) -> Questions {
        // SAFETY: eventfd returns a new descriptor or -1.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        // SAFETY: a new descriptor only we hold.
        let wake = (fd >= 0).then(|| crate::launch::high(unsafe { OwnedFd::from_raw_fd(fd) }));
        Questions {
            inner: Arc::new(Ending {
                job,
                ended: AtomicBool::new(false),
                wake,
            }),
        }
    }

    /// The jail has ended: every question of it, asked or queued, is answered `None`
    /// at once, and nothing more is read from the terminal for it.
    pub fn end(&self) {
        self.inner.ended.store(true, Ordering::SeqCst);
        if let Some(wake) = &self.inner.wake {
            let _ = nix::unistd::write(wake.as_fd(), &1u64.to_ne_bytes());
        }
    }

    /// Whether the jail has ended (so its questions are answered `None`).
    pub fn ended(&self) -> bool {
        self.inner.ended.load(Ordering::SeqCst)
    }

    /// Ask `question` for this jail (see [`ask`]); `None` also when the jail ended
    /// before it was answered.
    pub fn ask(&self, question: &str) -> Option<String> {
        let unbound = std::env::var_os(UNBOUND_SEAM).is_some_and(|v| v == "1");
        ask_for(question, (!unbound).then_some(self))
    }

    /// Wait until `timeout` passes or the jail ends.
    fn wait(&self, timeout: Duration) {
        match &self.inner.wake {
            Some(wake) => {
                let _ = poll(&mut [pollfd(wake.as_fd())], timeout.as_millis() as i32);
            }
            None => std::thread::sleep(timeout),
        }
    }
}

/// Print `question` on the controlling terminal (anything in it that a jail made must
/// have gone through [`crate::text`]) and return the line typed (without its newline),
/// or `None` if there is no terminal or it was closed. For the shell's own questions;
/// a jail's are asked with [`Questions::ask`].
pub fn ask(question: &str) -> Option<String> {
    ask_for(question, None)
}

/// What one attempt at a question came to.
enum Attempt {
    Answered(Option<String>),
    /// The job is not in the foreground, or lost it: ask again when it is.
    NotNow,
}

fn ask_for(question: &str, of: Option<&Questions>) -> Option<String> {
    loop {
        if of.is_some_and(Questions::ended) {
            return None;
        }
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        // Queued behind another question, the jail may have ended meanwhile.
        if of.is_some_and(Questions::ended) {
            return None;
        }
        match attempt(question, of) {
            Attempt::Answered(answer) => return answer,
            Attempt::NotNow => {
                drop(turn);
                if let Some(of) = of {
                    of.wait(RETRY);
                }
            }
        }
    }
}

/// Ask once, if the job of `of` is in the foreground.
fn attempt(question: &str, of: Option<&Questions>) -> Attempt {
    let job = of.map(|q| q.inner.job);
    // The relay (an interactive shell) leaves the keys to us meanwhile, if the job
    // asking is the one it gives them to.
    let relay = match pty::pause(job) {
        Paused::NotNow => return Attempt::NotNow,
        Paused::Yes(pause) => Some(pause),
        Paused::NoRelay => None,
    };
    let Ok(mut tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
        .open("/dev/tty")
    else {
        return Attempt::Answered(None);
    };
    // Taking the foreground from a background group raises SIGTTOU unless it is
    // blocked; block it (and SIGTTIN) in this thread only, for the question.
    let mut quiet = SigSet::empty();
    quiet.add(Signal::SIGTTOU);
    quiet.add(Signal::SIGTTIN);
    let mut before = SigSet::empty();
    if pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&quiet), Some(&mut before)).is_err() {
        return Attempt::Answered(None);
    }
    let restore_mask = || {
        let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&before), None);
    };

    let foreground = tcgetpgrp(tty.as_fd()).ok();
    // Without the relay, jails share the terminal: the job must be its foreground.
    if relay.is_none() && job.is_some() && foreground.map(Pid::as_raw) != job {
        restore_mask();
        return Attempt::NotNow;
    }
    let ours = getpgrp();
    let took = match foreground {
        Some(group) if group != ours => tcsetpgrp(tty.as_fd(), ours).is_ok(),
        _ => false,
    };
    let modes = termios::tcgetattr(tty.as_fd()).ok();
    // Keys typed before the question was shown were not typed as its answer: kept for
    // whoever reads next (the next job, or the prompt), as a terminal keeps them (trial
    // 18: lines typed ahead of `vim -es …` were taken as answers, or discarded).
    if let Some(m) = &modes {
        crate::relay::keep_typeahead(&pending_keys(&tty, m));
        let mut line = m.clone();
        line.local_flags |= LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ECHOE;
        // ^C at the question is an answer ("no", or for the shell's own: leave the
        // command), not a signal to the shell; it ends the line as Enter does (it
        // was only echoed, the question still waiting; new-user trial).
        line.local_flags.remove(LocalFlags::ISIG);
        line.control_chars[termios::SpecialCharacterIndices::VEOL as usize] = 0x03;
        line.input_flags |= termios::InputFlags::ICRNL;
        line.output_flags |= termios::OutputFlags::OPOST | termios::OutputFlags::ONLCR;
        let _ = termios::tcsetattr(tty.as_fd(), SetArg::TCSANOW, &line);
    }
    // (Any left, past what was kept, are not its answer either.)
    let _ = termios::tcflush(tty.as_fd(), termios::FlushArg::TCIFLUSH);

    let read = match tty.write_all(format!("\n{question} ").as_bytes()) {
        Ok(()) => read_answer(&tty, of, relay.as_ref().map(|p| p.withdrawn())),
        Err(_) => Read::Line(None),
    };
    let (attempt, flush) = match read {
        Read::Line(line) => {
            // Ctrl-D or ^C leave the cursor after the question: what follows goes
            // on a line of its own.
            if line.as_deref().is_none_or(|l| l.contains('\x03')) {
                let _ = tty.write_all(b"\n");
            }
            (Attempt::Answered(line), false)
        }
        Read::Ended => {
            let _ = tty.write_all(" (withdrawn: the command has ended)\n".as_bytes());
            (Attempt::Answered(None), true)
        }
        Read::Withdrawn => {
            let _ = tty.write_all(" (put off: the job is not in the foreground)\n".as_bytes());
            (Attempt::NotNow, true)
        }
    };

    if let Some(m) = &modes {
        // Half an answer typed to a question withdrawn goes nowhere.
        let when = if flush {
            SetArg::TCSAFLUSH
        } else {
            SetArg::TCSADRAIN
        };
        let _ = termios::tcsetattr(tty.as_fd(), when, m);
    }
    if let (true, Some(group)) = (took, foreground) {
        let _ = tcsetpgrp(tty.as_fd(), group);
    }
    restore_mask();
    drop(relay);
    attempt
}

/// What is waiting in `tty`'s input (up to 64 KiB), read without waiting: the terminal
/// set, for the reads, to hand over what it has at once, whole lines or not.
fn pending_keys(tty: &std::fs::File, modes: &termios::Termios) -> Vec<u8> {
    use std::io::Read as _;
    let mut now = modes.clone();
    now.local_flags.remove(LocalFlags::ICANON);
    now.control_chars[termios::SpecialCharacterIndices::VMIN as usize] = 0;
    now.control_chars[termios::SpecialCharacterIndices::VTIME as usize] = 0;
    let mut keys = Vec::new();
    if termios::tcsetattr(tty.as_fd(), SetArg::TCSANOW, &now).is_ok() {
        let mut buf = [0u8; 4096];
        let mut reader = tty;
        while keys.len() < 64 * 1024 {
            match reader.read(&mut buf) {
                Ok(n) if n > 0 => keys.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
    }
    keys
}

/// How waiting for an answer ended.
enum Read {
    /// One line (up to 4 KiB, without its newline); `None` at end of file.
    Line(Option<String>),
    /// The jail asking ended.
    Ended,
    /// The relay gave the keys to another job (or to the prompt).
    Withdrawn,
}

/// Wait for one line from `tty` (in canonical mode: one `read`), unless the jail of
/// `of` ends or the relay withdraws the question first; nothing is read then.
fn read_answer(
    tty: &std::fs::File,
    of: Option<&Questions>,
    withdrawn: Option<BorrowedFd<'_>>,
) -> Read {
    let wake = of.and_then(|q| q.inner.wake.as_ref().map(|w| w.as_fd()));
    loop {
        if of.is_some_and(Questions::ended) {
            return Read::Ended;
        }
        let mut fds = vec![pollfd(tty.as_fd())];
        fds.extend(wake.map(pollfd));
        fds.extend(withdrawn.map(pollfd));
        // Without an eventfd, look at the jail's state now and then.
        let timeout = if of.is_some() && wake.is_none() {
            RETRY.as_millis() as i32
        } else {
            -1
        };
        match poll(&mut fds, timeout) {
            Ok(0) => continue,
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return Read::Line(None),
        }
        if of.is_some_and(Questions::ended) {
            return Read::Ended;
        }
        if let Some(answers) = withdrawn.filter(|_| fds.last().is_some_and(|f| f.revents != 0)) {
            // The relay's late "paused" is no withdrawal; anything else (or its end) is.
            let mut answer = [0u8; 1];
            match nix::unistd::read(answers, &mut answer) {
                Ok(1) if answer[0] == pty::PAUSED => continue,
                _ => return Read::Withdrawn,
            }
        }
        if fds[0].revents == 0 {
            continue;
        }
        let mut line = vec![0u8; 4096];
        match nix::unistd::read(tty.as_fd(), &mut line) {
            Ok(0) => return Read::Line(None),
            Ok(n) => {
                line.truncate(n);
                let line = line.strip_suffix(b"\n").unwrap_or(&line);
                return Read::Line(Some(String::from_utf8_lossy(line).trim().to_string()));
            }
            Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => continue,
            Err(_) => return Read::Line(None),
        }
    }
}

fn pollfd(fd: BorrowedFd<'_>) -> libc::pollfd {
    libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    }
}

fn poll(fds: &mut [libc::pollfd], timeout: i32) -> nix::Result<i32> {
    // SAFETY: `fds` is a valid array of pollfd for the call's duration.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
    nix::errno::Errno::result(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_jail_asks_nothing() {
        let q = Questions::new(getpgrp().as_raw());
        q.end();
        // Whether or not a terminal is there, nothing is asked or read.
        assert_eq!(q.ask("never shown?"), None);
        assert_eq!(q.clone().ask("never shown?"), None);
    }

    #[test]
    fn a_question_put_off_wakes_when_its_jail_ends() {
        let q = Questions::new(getpgrp().as_raw());
        let ending = q.clone();
        let start = std::time::Instant::now();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            ending.end();
        });
        q.wait(Duration::from_secs(10));
        assert!(start.elapsed() < Duration::from_secs(5));
        t.join().unwrap();
    }
}
