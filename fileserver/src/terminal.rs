//! Asking the user on the terminal, from a server thread, while a jailed command may
//! own it.
//!
//! Ask mode and the powerbox put their questions here. One question at a time (the
//! jails of a pipeline share one user): the asking thread takes the terminal's
//! foreground for the question if a job holds it, sets line mode with echo (the command
//! may have left it raw), reads one line, and puts back the foreground process group
//! and the command's terminal modes. Without a terminal there is nobody to ask, and
//! every question is answered `None` (refused).

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Mutex;

use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow, Signal};
use nix::sys::termios::{self, LocalFlags, SetArg};
use nix::unistd::{getpgrp, tcgetpgrp, tcsetpgrp};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Print `question` on the controlling terminal (anything in it that a jail made must
/// have gone through [`crate::text`]) and return the line typed (without
/// its newline), or `None` if there is no terminal or it was closed.
pub fn ask(question: &str) -> Option<String> {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The relay (an interactive shell) leaves the keys to us meanwhile.
    let _relay_paused = crate::pty::pause();
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open("/dev/tty")
        .ok()?;
    // Taking the foreground from a background group raises SIGTTOU unless it is
    // blocked; block it (and SIGTTIN) in this thread only, for the question.
    let mut quiet = SigSet::empty();
    quiet.add(Signal::SIGTTOU);
    quiet.add(Signal::SIGTTIN);
    let mut before = SigSet::empty();
    pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&quiet), Some(&mut before)).ok()?;

    let foreground = tcgetpgrp(tty.as_fd()).ok();
    let ours = getpgrp();
    let took = match foreground {
        Some(group) if group != ours => tcsetpgrp(tty.as_fd(), ours).is_ok(),
        _ => false,
    };
    let modes = termios::tcgetattr(tty.as_fd()).ok();
    if let Some(m) = &modes {
        let mut line = m.clone();
        line.local_flags |= LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ECHOE;
        // ^C at the question is an answer ("no"), not a signal to the shell.
        line.local_flags.remove(LocalFlags::ISIG);
        line.input_flags |= termios::InputFlags::ICRNL;
        line.output_flags |= termios::OutputFlags::OPOST | termios::OutputFlags::ONLCR;
        let _ = termios::tcsetattr(tty.as_fd(), SetArg::TCSANOW, &line);
    }

    let answer = tty
        .write_all(format!("\n{question} ").as_bytes())
        .ok()
        .and_then(|()| read_line(&mut tty));

    if let Some(m) = &modes {
        let _ = termios::tcsetattr(tty.as_fd(), SetArg::TCSADRAIN, m);
    }
    if let (true, Some(group)) = (took, foreground) {
        let _ = tcsetpgrp(tty.as_fd(), group);
    }
    let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&before), None);
    answer
}

/// One line (up to 4 KiB), without its newline; `None` at end of file.
fn read_line(tty: &mut std::fs::File) -> Option<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match tty.read(&mut byte) {
            Ok(0) if line.is_empty() => return None,
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) if line.len() < 4096 => line.push(byte[0]),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(String::from_utf8_lossy(&line).trim().to_string())
}
