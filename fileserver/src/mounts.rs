//! Changes of the shell's mount table, as a count: what was made ahead of a command
//! from the host's mounts as they were (a ready copy's private copy of the host's
//! namespace, `crate::zygote`; the kept witnesses of the default environment,
//! `crate::template`) is stale once the count has moved on since.
//!
//! `/proc/self/mountinfo` polls `POLLPRI` once the mount namespace it was opened in
//! has changed since the last `poll` of that open file: one system call a look.

use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The mount table, opened by `owner`: a forked copy of the shell shares the open file
/// and each `poll` takes what the last one did not see, so only its opener looks.
static TABLE: Mutex<Option<(u32, std::fs::File)>> = Mutex::new(None);

/// Changes seen so far.
static SEEN: AtomicU64 = AtomicU64::new(0);

/// How many times the mount table was seen to change, looking now; `None` if this
/// process cannot tell (a forked copy of the shell, or no `/proc`): treat everything
/// made ahead as stale.
pub fn changes() -> Option<u64> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let mut table = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let me = std::process::id();
    if table.is_none() {
        let file = std::fs::File::open("/proc/self/mountinfo").ok()?;
        // Above the descriptors a user may name.
        let file = crate::launch::high_copy(file).ok()?;
        *table = Some((me, file.into()));
    }
    let (owner, file) = table.as_ref()?;
    if *owner != me {
        return None;
    }
    let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLPRI)];
    match poll(&mut fds, PollTimeout::ZERO) {
        Ok(0) => Some(SEEN.load(Ordering::Relaxed)),
        Ok(_) => Some(SEEN.fetch_add(1, Ordering::Relaxed) + 1),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A mount seen is counted by the tests of the shell (zygote.rs: a mount over a
    // file of the default environment, as root).
    #[test]
    fn nothing_mounted_nothing_counted() {
        let before = changes().expect("this process opened the table");
        assert_eq!(changes(), Some(before));
    }
}
