//! Redirections: opened by the shell with its own authority and handed to commands
//! as descriptors (a jailed command gets no path grant for them).

use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use nix::fcntl::{fcntl, open, FcntlArg, OFlag};
use nix::sys::stat::Mode;

/// What a descriptor becomes.
#[derive(Debug)]
pub enum Target {
    /// A file (or here-document) opened for it.
    Open(OwnedFd),
    /// A copy of another descriptor, as the shell has it now.
    Dup(RawFd),
    Close,
}

/// The redirections of one command, in order.
#[derive(Debug, Default)]
pub struct Redirections(pub Vec<(RawFd, Target)>);

/// Move a descriptor the shell opened for itself to 10 or above, so it can never sit
/// on (and later close) one of the user's descriptors 0–9.
pub fn above_user_fds(fd: OwnedFd) -> Result<OwnedFd, String> {
    if fd.as_raw_fd() > pola_fileserver::launch::MAX_USER_FD {
        return Ok(fd);
    }
    let high = fcntl(
        &fd,
        FcntlArg::F_DUPFD_CLOEXEC(pola_fileserver::launch::MAX_USER_FD + 1),
    )
    .map_err(|e| e.desc().to_string())?;
    // SAFETY: the kernel just made this descriptor for us.
    Ok(unsafe { OwnedFd::from_raw_fd(high) })
}

/// A pipe whose ends are above the user's descriptors.
pub fn pipe() -> Result<(OwnedFd, OwnedFd), String> {
    let (r, w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)
        .map_err(|e| format!("cannot make a pipe: {}", e.desc()))?;
    Ok((above_user_fds(r)?, above_user_fds(w)?))
}

/// Open a redirection's file. Never through a link a jail may have made, never a FIFO,
/// socket or device a jail may have left (`pola_fileserver::planted`), never a
/// directory (`cmd 3< dir` would hand the command a way out by `..`): a refused name
/// is an error that says why. A FIFO of the user's own with no reader yet is waited
/// for, and Ctrl-C ends the wait.
pub fn open_file(path: &str, flags: OFlag) -> Result<OwnedFd, String> {
    use pola_fileserver::planted::{self, Refused};
    let mode = Mode::from_bits_truncate(0o666);
    let shown = pola_fileserver::text::shown(path);
    match planted::open(std::path::Path::new(path), flags | OFlag::O_NOCTTY, mode) {
        // A directory's descriptor would reach everything around it by `..`, outside
        // the jail's namespace: it is never passed.
        Ok(fd)
            if nix::sys::stat::fstat(&fd)
                .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR) =>
        {
            Err(format!(
                "{shown}: is a directory (a redirection passes files, not directories)"
            ))
        }
        Ok(fd) => above_user_fds(fd),
        Err(Refused::Os {
            errno: nix::errno::Errno::ENXIO,
            ..
        }) => wait_for_reader(path, flags),
        Err(Refused::Os { errno, .. }) => Err(format!("{shown}: {}", errno.desc())),
        Err(e) => Err(e.to_string()),
    }
}

/// Open the user's FIFO for writing, waiting for a reader; SIGINT (Ctrl-C, which an
/// interactive shell otherwise ignores) interrupts the wait.
fn wait_for_reader(path: &str, flags: OFlag) -> Result<OwnedFd, String> {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    extern "C" fn interrupted(_: libc::c_int) {}
    let handler = SigAction::new(
        SigHandler::Handler(interrupted),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler does nothing; installing it only makes the open return EINTR.
    let old = unsafe { sigaction(Signal::SIGINT, &handler) };
    let opened = open(
        path,
        flags | OFlag::O_CLOEXEC | OFlag::O_NOCTTY,
        Mode::from_bits_truncate(0o666),
    );
    if let Ok(old) = old {
        // SAFETY: putting back the disposition that was there.
        let _ = unsafe { sigaction(Signal::SIGINT, &old) };
    }
    let shown = pola_fileserver::text::shown(path);
    match opened {
        Ok(fd) => above_user_fds(fd),
        Err(nix::errno::Errno::EINTR) => Err(format!("{shown}: interrupted waiting for a reader")),
        Err(e) => Err(format!("{shown}: {}", e.desc())),
    }
}

/// A here-document's text as a readable descriptor.
pub fn here_document(text: &str) -> Result<OwnedFd, String> {
    let fd =
        nix::sys::memfd::memfd_create("pola-sh-heredoc", nix::sys::memfd::MFdFlags::MFD_CLOEXEC)
            .map_err(|e| format!("here-document: {}", e.desc()))?;
    let mut file = std::fs::File::from(fd);
    file.write_all(text.as_bytes())
        .map_err(|e| format!("here-document: {e}"))?;
    use std::io::Seek;
    file.rewind().map_err(|e| format!("here-document: {e}"))?;
    above_user_fds(OwnedFd::from(file))
}

impl Redirections {
    /// The descriptors a jailed or unconfined command gets: `(target, source)`.
    /// `inherited` are the user's open descriptors 3–9 (from `exec 3<file`).
    pub fn for_child(&self, inherited: &[RawFd]) -> Vec<(RawFd, RawFd)> {
        let mut map: Vec<(RawFd, Option<RawFd>)> =
            inherited.iter().map(|fd| (*fd, Some(*fd))).collect();
        for (fd, target) in &self.0 {
            let source = match target {
                Target::Open(o) => Some(o.as_raw_fd()),
                Target::Dup(from) => map
                    .iter()
                    .find(|(t, _)| t == from)
                    .map(|(_, s)| *s)
                    .unwrap_or(Some(*from)),
                Target::Close => None,
            };
            map.retain(|(t, _)| t != fd);
            map.push((*fd, source));
        }
        map.into_iter()
            .filter_map(|(t, s)| s.map(|s| (t, s)))
            .collect()
    }

    /// Apply to this process; returns what is needed to undo it.
    pub fn apply(&self) -> Result<Saved, String> {
        let mut saved = Saved(Vec::new());
        for (fd, target) in &self.0 {
            let previous = fcntl(unsafe_fd(*fd), FcntlArg::F_DUPFD_CLOEXEC(10)).ok();
            // SAFETY: the duplicate was just made by the kernel and is ours alone.
            saved
                .0
                .push((*fd, previous.map(|p| unsafe { OwnedFd::from_raw_fd(p) })));
            let result = match target {
                Target::Open(o) => dup_onto(o.as_raw_fd(), *fd),
                Target::Dup(from) => dup_onto(*from, *fd),
                Target::Close => {
                    // SAFETY: closing a descriptor number the user asked to close.
                    unsafe { libc::close(*fd) };
                    Ok(())
                }
            };
            if let Err(e) = result {
                saved.restore();
                return Err(format!("{fd}: {}", e.desc()));
            }
        }
        Ok(saved)
    }
}

/// Make `new` a copy of `old` (without close-on-exec).
pub fn dup_onto(old: RawFd, new: RawFd) -> Result<(), nix::errno::Errno> {
    // SAFETY: dup2 only manipulates the descriptor table; a bad `old` yields EBADF.
    nix::errno::Errno::result(unsafe { libc::dup2(old, new) }).map(drop)
}

/// A borrowed view of a descriptor number the shell holds open (or tests for).
fn unsafe_fd(fd: RawFd) -> std::os::fd::BorrowedFd<'static> {
    // SAFETY: only used for fcntl/dup2 on a number; a closed one yields EBADF.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }
}

/// The descriptors a redirection replaced, to put back afterwards.
pub struct Saved(Vec<(RawFd, Option<OwnedFd>)>);

impl Saved {
    pub fn restore(&mut self) {
        let _ = std::io::stdout().flush();
        for (fd, previous) in self.0.drain(..).rev() {
            match previous {
                Some(p) => {
                    let _ = dup_onto(p.as_raw_fd(), fd);
                }
                None => {
                    // SAFETY: the descriptor was closed before the redirection.
                    unsafe { libc::close(fd) };
                }
            }
        }
    }
}

impl Saved {
    /// Keep the redirections (`exec 3<file`): drop the saved copies without restoring.
    pub fn forget(mut self) {
        self.0.clear();
    }
}

impl Drop for Saved {
    fn drop(&mut self) {
        self.restore();
    }
}
