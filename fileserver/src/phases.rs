//! Where a command's time goes, phase by phase: `scripts/bench-phases` builds pola-sh
//! with the feature `phases` and reads the stamps this writes. In every other build
//! [`stamp`] is empty and compiles to nothing.
//!
//! A stamp is one line, `NANOSECONDS PID PHASE`, appended with one `write` to
//! [`FILE`] (which the bench makes, and which nothing else opens): the time is
//! `CLOCK_MONOTONIC`, as the bench's own stamps (the Enter key, the probe's start), so
//! that the shell's, the shim's and PID 1's phases line up with them. Each process
//! opens the file at its first stamp, close-on-exec, at a number above every one the
//! jail's plan places. PID 1's first stamp comes before its `pivot_root`: it keeps
//! writing to the host's file from within the jail (a bench build only; the command,
//! which the descriptor does not reach, is never given it).

/// Where the stamps go.
pub const FILE: &str = "/tmp/pola-phases";

/// Record that this process reached `phase`.
#[cfg(feature = "phases")]
pub fn stamp(phase: &str) {
    use std::io::Write;
    use std::os::fd::IntoRawFd;
    use std::os::fd::{AsRawFd, FromRawFd};
    use std::sync::Mutex;
    // Opened by each process at its first stamp, and again whenever the descriptor is
    // no longer that file: a fork's copy of its parent's may be closed (every copy,
    // shim and PID 1 closes what it does not keep) and its number reused. Such a
    // descriptor is forgotten, not closed.
    static OUT: Mutex<Option<((u64, u64), std::fs::File)>> = Mutex::new(None);
    let identity = |f: &std::fs::File| {
        use std::os::unix::fs::MetadataExt;
        f.metadata().ok().map(|m| (m.dev(), m.ino()))
    };
    let mut out = OUT.lock().unwrap_or_else(|e| e.into_inner());
    let current = match out.as_ref() {
        Some((id, file)) => identity(file) == Some(*id),
        None => false,
    };
    if !current {
        if let Some((_, stale)) = out.take() {
            let _ = stale.into_raw_fd();
        }
        *out = (|| {
            let file = std::fs::OpenOptions::new().append(true).open(FILE).ok()?;
            // SAFETY: F_DUPFD_CLOEXEC makes a new descriptor, owned here from now on.
            let high = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 900) };
            if high < 0 {
                return None;
            }
            let high = unsafe { std::fs::File::from_raw_fd(high) };
            Some((identity(&high)?, high))
        })();
    }
    if let Some((_, out)) = out.as_mut() {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes the one struct it is given.
        if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) } == 0 {
            let ns = now.tv_sec as i128 * 1_000_000_000 + now.tv_nsec as i128;
            let line = format!("{ns} {} {phase}\n", std::process::id());
            let _ = out.write_all(line.as_bytes());
        }
    }
}

/// Record that this process reached `phase` (not in this build).
#[cfg(not(feature = "phases"))]
#[inline(always)]
pub fn stamp(_phase: &str) {}

/// A key the line editor read: the Enter key is the phase `key`.
#[cfg(feature = "phases")]
pub fn key(byte: u8) {
    if byte == b'\r' || byte == b'\n' {
        stamp("key");
    }
}

/// A key the line editor read (not in this build).
#[cfg(not(feature = "phases"))]
#[inline(always)]
pub fn key(_byte: u8) {}
