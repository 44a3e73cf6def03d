//! Redirections: opened by the shell with its own authority and handed to commands
//! as descriptors (a jailed command gets no path grant for them).
//!
//! The shell's own descriptors (pipes, here-documents, saved copies) live high up, so
//! that the user's redirections (0–9, and above with `exec 12>f` or `{fd}>f`) never
//! land on one of them; a redirection onto a descriptor the shell uses is refused.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use pola_fileserver::planted::OWN_TEXT_MAX;

/// What a descriptor becomes.
#[derive(Debug)]
pub enum Target {
    /// A file (or here-document) opened for it.
    Open(OwnedFd),
    /// A copy of another descriptor, as the shell has it now.
    Dup(RawFd),
    Close,
}

/// The redirections of one command, in order; and the files they opened to write.
#[derive(Debug, Default)]
pub struct Redirections(
    pub Vec<(RawFd, Target)>,
    pub Vec<std::path::PathBuf>,
    /// Standard input is a here-document or here-string of the script's own text
    /// (no text a command made in it), this text: `cat > env.sh <<'EOF'` writes the
    /// user's text.
    pub Option<Vec<u8>>,
);

/// How often text a command made has passed through this process (a marked value
/// expanded, input read, a command run: `Shell::report_made`). A builtin, function or
/// compound command that wrote a file through its redirections while it moved is
/// recorded as having written a jail's output ([`Saved::restore`]): `echo "$x" > f;
/// . f` runs `f` as text made at run time, as `tool > f; . f` does (security review).
static MADE_EVENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Text a command made passed through (see [`MADE_EVENTS`]).
pub fn made_event() {
    MADE_EVENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

fn made_events() -> u64 {
    MADE_EVENTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The script's own text standard input is given (see [`Redirections`]): `text`, for
/// descriptor `fd`, if no text a command made passed since `events`.
fn own_input(fd: RawFd, events: u64, text: &str) -> Option<Vec<u8>> {
    (fd == 0 && made_events() == events).then(|| crate::escapes::to_bytes(text).into_owned())
}

/// A file the shell opened to write for a redirection of its own (a builtin's,
/// function's or compound command's), and what the shell itself has written to it
/// ([`tally`]): if that is all its text, the text is the user's
/// (`pola_fileserver::planted::record_own_text`).
struct Tally {
    token: u64,
    /// The file, by (device, inode), a copy of the descriptor, and the path opened.
    id: (u64, u64),
    file: OwnedFd,
    path: std::path::PathBuf,
    /// What the shell wrote to it; `None` past the most that is read back.
    written: Option<Vec<u8>>,
}

thread_local! {
    static TALLIES: std::cell::RefCell<Vec<Tally>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The shell wrote `bytes` to its descriptor `fd` (a builtin's output): kept for each
/// file being watched that `fd` is ([`Tally`]).
pub fn tally(fd: RawFd, bytes: &[u8]) {
    TALLIES.with_borrow_mut(|tallies| {
        if tallies.is_empty() {
            return;
        }
        let Ok(st) = nix::sys::stat::fstat(unsafe_fd(fd)) else {
            return;
        };
        let id = (st.st_dev, st.st_ino);
        for t in tallies.iter_mut().filter(|t| t.id == id) {
            if let Some(w) = &mut t.written {
                match (w.len() + bytes.len()) as u64 <= OWN_TEXT_MAX {
                    true => w.extend_from_slice(bytes),
                    false => t.written = None,
                }
            }
        }
    })
}

/// The file `fd` is open on, if it is a regular file and open to write (a
/// redirection's `>`, `>>`, `<>`).
pub fn file_written(fd: impl AsFd) -> Option<nix::sys::stat::FileStat> {
    use nix::fcntl::{fcntl, FcntlArg};
    let writes = fcntl(&fd, FcntlArg::F_GETFL)
        .is_ok_and(|fl| OFlag::from_bits_truncate(fl) & OFlag::O_ACCMODE != OFlag::O_RDONLY);
    if !writes {
        return None;
    }
    let st = nix::sys::stat::fstat(&fd).ok()?;
    (st.st_mode & libc::S_IFMT == libc::S_IFREG).then_some(st)
}

/// Watch what the shell writes to the file `o` a redirection opened at one of `paths`,
/// if it is a regular file opened to write; the token to stop with ([`Tally`]).
fn watch(o: &OwnedFd, paths: &[std::path::PathBuf]) -> Option<u64> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let st = file_written(o).filter(|st| st.st_nlink > 0)?;
    let path = opened_at(paths, o)?;
    let token = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = pola_fileserver::launch::high_copy(o).ok()?;
    TALLIES.with_borrow_mut(|t| {
        t.push(Tally {
            token,
            id: (st.st_dev, st.st_ino),
            file,
            path,
            written: Some(Vec::new()),
        })
    });
    Some(token)
}

/// Stop watching (see [`watch`]); what was watched.
fn unwatch(token: u64) -> Option<Tally> {
    TALLIES.with_borrow_mut(|t| {
        let at = t.iter().position(|t| t.token == token)?;
        Some(t.remove(at))
    })
}

/// Which of `paths` (the files a command's redirections opened to write) names the
/// file `fd` is open on.
pub fn opened_at(paths: &[std::path::PathBuf], fd: &impl AsFd) -> Option<std::path::PathBuf> {
    let st = nix::sys::stat::fstat(fd).ok()?;
    paths
        .iter()
        .find(|p| {
            nix::sys::stat::stat(p.as_path())
                .is_ok_and(|s| (s.st_dev, s.st_ino) == (st.st_dev, st.st_ino))
        })
        .cloned()
}

/// A new descriptor to read, from its start, the file the shell's descriptor `fd` is
/// open on (to write, most often): reopened through `/proc/self/fd`, so it is that
/// very file, not what its name holds now.
pub fn reopen_to_read(fd: RawFd) -> Option<OwnedFd> {
    nix::fcntl::open(
        format!("/proc/self/fd/{fd}").as_str(),
        OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOCTTY,
        Mode::empty(),
    )
    .ok()
}

/// Move a descriptor the shell opened for itself high up, so it can never sit on (and
/// later close) one of the user's descriptors.
pub fn above_user_fds(fd: OwnedFd) -> Result<OwnedFd, String> {
    if fd.as_raw_fd() >= pola_fileserver::launch::SHELL_FDS {
        return Ok(fd);
    }
    pola_fileserver::launch::high_copy(&fd).map_err(|e| e.desc().to_string())
}

/// The one file every reserved user descriptor is a copy of (`reserve_user_fds`): a
/// sealed, empty memfd, by (device, inode), with the copy made from.
static RESERVED: std::sync::OnceLock<(u64, u64, OwnedFd)> = std::sync::OnceLock::new();

/// Hold every free descriptor from 3 to 9 with a placeholder (close-on-exec, never
/// given to a command), so that nothing the shell opens for itself lands there: the
/// user's descriptors stay the user's (`exec 3>&-` closing the terminal relay's
/// socket, a process substitution finding none free). Called first thing at start;
/// a descriptor the user closes is reserved again ([`release`]).
pub fn reserve_user_fds() {
    let made = || -> Option<(u64, u64, OwnedFd)> {
        // SAFETY: memfd_create makes a new descriptor or returns -1.
        let fd = unsafe {
            libc::memfd_create(
                c"pola-sh-reserved".as_ptr(),
                libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
            )
        };
        if fd < 0 {
            return None;
        }
        // SAFETY: a new descriptor only we hold.
        let fd = unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) };
        let fd = pola_fileserver::launch::high(fd);
        let seals =
            libc::F_SEAL_WRITE | libc::F_SEAL_GROW | libc::F_SEAL_SHRINK | libc::F_SEAL_SEAL;
        // SAFETY: F_ADD_SEALS on our own memfd.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_ADD_SEALS, seals) };
        let st = nix::sys::stat::fstat(&fd).ok()?;
        Some((st.st_dev, st.st_ino, fd))
    };
    let Some(reserved) = made() else { return };
    RESERVED.get_or_init(|| reserved);
    for fd in 3..=pola_fileserver::launch::MAX_USER_FD {
        if is_free(fd) {
            release(fd);
        }
    }
}

/// Whether `fd` is a reserved placeholder (as good as closed to the user).
pub fn is_reserved(fd: RawFd) -> bool {
    let Some((dev, ino, _)) = RESERVED.get() else {
        return false;
    };
    // SAFETY: borrowed for fstat only; a closed number gives EBADF.
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    nix::sys::stat::fstat(borrowed).is_ok_and(|st| st.st_dev == *dev && st.st_ino == *ino)
}

/// Whether the user's descriptor `fd` is free: closed, or reserved.
pub fn is_free(fd: RawFd) -> bool {
    // SAFETY: F_GETFD only reads a descriptor's flags; a closed one gives EBADF.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    flags < 0 || is_reserved(fd)
}

/// Close the user's descriptor `fd` in the shell: from 0 to 9, reserved again (a
/// standard one too: nothing the shell makes may take its number, and its commands get
/// it closed, `Shell::external`).
pub fn release(fd: RawFd) {
    match RESERVED.get() {
        Some((_, _, placeholder)) if (0..=pola_fileserver::launch::MAX_USER_FD).contains(&fd) => {
            // SAFETY: dup3 replaces the user's descriptor `fd` with a placeholder.
            unsafe { libc::dup3(placeholder.as_raw_fd(), fd, libc::O_CLOEXEC) };
        }
        // SAFETY: closing a descriptor number the user asked to close.
        _ => unsafe {
            libc::close(fd);
        },
    }
}

/// The refusal of a redirection that names one of the shell's own descriptors.
fn in_use_by_the_shell(fd: RawFd) -> String {
    format!("{fd}: bad file descriptor (in use by the shell)")
}

/// Whether `fd` is one of the shell's own descriptors (open, close-on-exec, above the
/// standard range): a redirection must not replace it.
pub fn is_shell_fd(fd: RawFd) -> bool {
    if fd <= pola_fileserver::launch::MAX_USER_FD {
        return false;
    }
    // SAFETY: F_GETFD only reads the descriptor's flags; a closed one gives EBADF.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    flags >= 0 && flags & libc::FD_CLOEXEC != 0
}

/// The lowest free descriptor at 10 or above, as a copy of `fd` (`{var}>file`).
pub fn new_user_fd(fd: RawFd) -> Result<RawFd, String> {
    // SAFETY: F_DUPFD makes a new descriptor; the caller owns it from now on.
    let n = unsafe { libc::fcntl(fd, libc::F_DUPFD, 10) };
    if n < 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    Ok(n)
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
/// for, as is one to read with no writer yet, and Ctrl-C ends the wait.
pub fn open_file(path: &str, flags: OFlag) -> Result<OwnedFd, String> {
    use pola_fileserver::planted::{self, Refused};
    let mode = Mode::from_bits_truncate(0o666);
    let shown = crate::escapes::shown(path);
    match planted::open(
        &crate::escapes::to_path(path),
        flags | OFlag::O_NOCTTY,
        mode,
    ) {
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
        // The shell's placeholder of a closed descriptor, reached by its number
        // (`/dev/stdin`, `/dev/fd/N` after `exec <&-`): as closed, never a command's
        // (one object every later jail would get, whose mode one could set for the
        // next: review of the fortieth stop).
        Ok(fd) if is_reserved(fd.as_raw_fd()) => {
            Err(format!("{shown}: {}", nix::errno::Errno::EBADF.desc()))
        }
        Ok(fd) => {
            let fd = above_user_fds(fd)?;
            if flags & OFlag::O_ACCMODE == OFlag::O_RDONLY && is_fifo(&fd) {
                wait_for_writer(&fd).map_err(|why| format!("{shown}: {why}"))?;
            }
            Ok(fd)
        }
        Err(Refused::Os {
            errno: nix::errno::Errno::ENXIO,
            ..
        }) => wait_for_reader(path, flags),
        Err(Refused::Os { errno, .. }) => Err(format!("{shown}: {}", errno.desc())),
        Err(e) => Err(e.to_string()),
    }
}

/// Whether `fd` is a FIFO.
pub fn is_fifo(fd: impl AsFd) -> bool {
    nix::sys::stat::fstat(fd).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFIFO)
}

/// Ctrl-C came while [`interruptible`] waited.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Run `wait` with SIGINT (Ctrl-C, which an interactive shell otherwise ignores)
/// interrupting the system call it waits in (EINTR, and [`INTERRUPTED`] set).
fn interruptible<R>(wait: impl FnOnce() -> R) -> R {
    extern "C" fn interrupted(_: libc::c_int) {
        INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
        // And the line it is in stops (review: a loop over FIFOs took a Ctrl-C each).
        crate::exec::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    INTERRUPTED.store(false, std::sync::atomic::Ordering::SeqCst);
    let _caught = crate::sys::catch_sigint(interrupted);
    wait()
}

/// Wait until the user's FIFO, opened to read without waiting (`planted::open`), has
/// had a writer: something to read, or a writer come and gone (the end of its text).
/// A read before that would find the end at once (`seq 3 > fifo & while read l; do
/// …; done < fifo` read nothing, and the writer waited for good; trial 16). Polled,
/// not opened again blocking: a writer that came, wrote and went before a second open
/// would leave that open waiting with the text in the pipe.
fn wait_for_writer(fifo: &OwnedFd) -> Result<(), &'static str> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    interruptible(|| loop {
        let mut fds = [PollFd::new(fifo.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => return Ok(()),
            Err(nix::errno::Errno::EINTR)
                if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) =>
            {
                return Err("interrupted waiting for a writer")
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return Ok(()),
        }
    })
}

/// Open the user's FIFO for writing, waiting for a reader; Ctrl-C interrupts the wait.
fn wait_for_reader(path: &str, flags: OFlag) -> Result<OwnedFd, String> {
    let shown = crate::escapes::shown(path);
    // The FIFO that was checked, not whatever is at its path by now (a second walk
    // of the path could meet something else): opened again through its descriptor.
    let fifo = pola_fileserver::planted::resolve(&crate::escapes::to_path(path))
        .map_err(|e| e.to_string())?;
    if !is_fifo(&fifo) {
        return Err(format!("{shown}: {}", nix::errno::Errno::ENXIO.desc()));
    }
    let opened = interruptible(|| {
        pola_fileserver::planted::reopen(
            &fifo,
            (flags & !(OFlag::O_CREAT | OFlag::O_EXCL)) | OFlag::O_NOCTTY,
        )
    });
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
    file.write_all(&crate::escapes::to_bytes(text))
        .map_err(|e| format!("here-document: {e}"))?;
    use std::io::Seek;
    file.rewind().map_err(|e| format!("here-document: {e}"))?;
    above_user_fds(OwnedFd::from(file))
}

impl Redirections {
    /// The standard descriptors (0–2) the command is to find closed.
    pub fn closed_standard(&self) -> Vec<RawFd> {
        let mut out: Vec<RawFd> = Vec::new();
        for (fd, target) in &self.0 {
            if *fd <= 2 {
                out.retain(|f| f != fd);
                if matches!(target, Target::Close) {
                    out.push(*fd);
                }
            }
        }
        out
    }

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
            .filter(|(t, _)| *t <= pola_fileserver::launch::MAX_USER_FD)
            .filter_map(|(t, s)| s.map(|s| (t, s)))
            .collect()
    }

    /// Apply to this process; returns what is needed to undo it.
    pub fn apply(&self) -> Result<Saved, String> {
        let mut saved = Saved(Vec::new(), self.1.clone(), Some(made_events()), Vec::new());
        for (fd, target) in &self.0 {
            if is_shell_fd(*fd) {
                saved.restore();
                return Err(in_use_by_the_shell(*fd));
            }
            let previous = pola_fileserver::launch::high_copy(unsafe_fd(*fd)).ok();
            saved.0.push((*fd, previous));
            let result = match target {
                Target::Open(o) => {
                    saved.3.extend(watch(o, &self.1));
                    dup_onto(o.as_raw_fd(), *fd)
                }
                Target::Dup(from) => dup_onto(*from, *fd),
                Target::Close => {
                    release(*fd);
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

/// The descriptors a redirection replaced, to put back afterwards; the files it
/// opened to write; [`MADE_EVENTS`] when it was applied, or `None` once what the
/// command writes is known to hold a command's output; and the files it watches
/// ([`Tally`]).
pub struct Saved(
    Vec<(RawFd, Option<OwnedFd>)>,
    Vec<std::path::PathBuf>,
    Option<u64>,
    Vec<u64>,
);

impl Saved {
    pub fn restore(&mut self) {
        let _ = std::io::stdout().flush();
        let watched: Vec<Tally> = self.3.drain(..).filter_map(unwatch).collect();
        for (fd, previous) in self.0.drain(..).rev() {
            match previous {
                Some(p) => {
                    let _ = dup_onto(p.as_raw_fd(), fd);
                }
                // The descriptor was closed before the redirection.
                None => release(fd),
            }
        }
        if self.2 != Some(made_events()) {
            self.record();
        } else {
            for t in watched {
                t.vouch();
            }
        }
        self.1.clear();
    }

    /// The command's own words held text a command made (`echo "$x" > f`): what it
    /// writes is taken as a command's output whatever happens after.
    pub fn words_made(&mut self) {
        self.2 = None;
    }

    /// The files written as a jail's output (`pola_fileserver::planted::record_output`).
    fn record(&mut self) {
        for path in self.1.drain(..) {
            // The file written, not a link to it: `.` looks at what it opens (a
            // dotfile kept as a link reached its target unrecorded: review).
            let path = std::fs::canonicalize(&path).unwrap_or(path);
            pola_fileserver::planted::record_output(&path);
        }
    }
}

/// The descriptor `/dev/fd/N` names (as a command has it, not a path to open: its
/// link through /proc names a pipe, which no path reaches).
pub fn fd_path_number(path: &str) -> Option<RawFd> {
    path.strip_prefix("/dev/fd/")?.parse().ok()
}

/// The descriptor `/dev/stdin`, `/dev/stdout`, `/dev/stderr` or `/dev/fd/N` stands
/// for, as bash takes them.
pub fn dev_fd_number(path: &str) -> Option<RawFd> {
    match path {
        "/dev/stdin" => Some(0),
        "/dev/stdout" => Some(1),
        "/dev/stderr" => Some(2),
        p => fd_path_number(p),
    }
}

/// Standard input from /dev/null (a background job apart from the terminal).
pub fn input_from_null() {
    if let Ok(null) = open_file("/dev/null", OFlag::O_RDONLY) {
        let _ = dup_onto(null.as_raw_fd(), 0);
    }
}

/// A descriptor that cannot be read or written (O_PATH on /dev/null): what a command
/// gets for a standard descriptor the user closed.
pub fn unusable_fd() -> Result<OwnedFd, String> {
    open_file("/dev/null", OFlag::O_PATH)
}

impl Saved {
    /// Keep the redirections (`exec 3<file`): drop the saved copies without restoring.
    /// What the shell writes there from now on is not watched: a file so opened is
    /// taken as holding a command's output.
    pub fn forget(mut self) {
        self.0.clear();
        for token in self.3.drain(..) {
            unwatch(token);
        }
        self.record();
    }
}

impl Tally {
    /// The shell wrote only its own text while it watched: if that is the file's text
    /// (after one the user vouched for, with `>>`), it is the user's.
    fn vouch(self) {
        let Some(written) = self.written.filter(|w| !w.is_empty()) else {
            return;
        };
        if let Some(read) = reopen_to_read(self.file.as_raw_fd()) {
            pola_fileserver::planted::record_own_text(read.as_fd(), &self.path, &written);
        }
    }
}

impl Drop for Saved {
    fn drop(&mut self) {
        self.restore();
    }
}

use crate::ast::{Fd, Part, RedirOp, Redirect};
use crate::exec::Shell;
use crate::expand;

/// Where a `{var}` redirection goes: the variable named, and what to put there.
enum VarFd {
    Open(OwnedFd),
    Dup(RawFd),
    Close,
}

impl Shell {
    /// Open a command's redirections with the shell's authority.
    pub fn redirections(&mut self, redirects: &[Redirect]) -> Result<Redirections, String> {
        let mut out = Redirections::default();
        for r in redirects {
            let default_fd = match &r.op {
                RedirOp::Input(_)
                | RedirOp::ReadWrite(_)
                | RedirOp::HereDoc(_)
                | RedirOp::HereString(_)
                | RedirOp::Dup(false, _) => 0,
                _ => 1,
            };
            let fd = match &r.fd {
                Some(Fd::Number(n)) => *n as i64,
                Some(Fd::Var(_)) => -1,
                None => default_fd,
            };
            if fd > 1023 {
                return Err(format!("{fd}: bad file descriptor"));
            }
            let fd = fd as RawFd;
            // Standard input given anything else is not the script's own text.
            if fd == 0 {
                out.2 = None;
            }
            let events = made_events();
            let target = match &r.op {
                RedirOp::HereDoc(h) => {
                    let text = if h.literal {
                        h.body
                            .0
                            .iter()
                            .map(|p| {
                                if let Part::Literal(s) = p {
                                    s.as_str()
                                } else {
                                    ""
                                }
                            })
                            .collect()
                    } else {
                        expand::string(self, &h.body)?
                    };
                    out.2 = own_input(fd, events, &text);
                    Target::Open(here_document(&text)?)
                }
                RedirOp::HereString(w) => {
                    let mut text = expand::string(self, w)?;
                    text.push('\n');
                    out.2 = own_input(fd, events, &text);
                    Target::Open(here_document(&text)?)
                }
                RedirOp::Dup(out_dir, w) => {
                    let t = expand::string(self, w)?;
                    if t == "-" {
                        Target::Close
                    } else if let Some(n) =
                        t.strip_suffix('-').and_then(|n| n.parse::<RawFd>().ok())
                    {
                        // The shell's own descriptors are never a command's (`<&14`
                        // handed a jail the terminal relay's socket: a review's
                        // finding), nor moved.
                        if is_shell_fd(n) {
                            return Err(in_use_by_the_shell(n));
                        }
                        // `5>&3-`: move 3 to 5.
                        if let Some(Fd::Var(v)) = &r.fd {
                            self.var_fd(v, VarFd::Dup(n))?;
                            out.0.push((n, Target::Close));
                            continue;
                        }
                        out.0.push((fd, Target::Dup(n)));
                        Target::Close.with_fd(n, &mut out);
                        continue;
                    } else {
                        match t.parse::<RawFd>() {
                            Ok(n) if is_shell_fd(n) => return Err(in_use_by_the_shell(n)),
                            // A reserved descriptor is a closed one to the user (unless
                            // this command's own redirection set it: `3<<EOF <&3`).
                            Ok(n) if is_reserved(n) && !out.0.iter().any(|(t, _)| *t == n) => {
                                return Err(format!("{n}: bad file descriptor"))
                            }
                            Ok(n) if (0..=1023).contains(&n) => Target::Dup(n),
                            _ if *out_dir && r.fd.is_none() => {
                                // `>&file`: standard output and error to the file.
                                let file = self.open_output(&t, false, false)?;
                                out.1.push(crate::escapes::to_path(&self.absolute(&t)));
                                out.0.push((1, Target::Open(file)));
                                out.0.push((2, Target::Dup(1)));
                                continue;
                            }
                            _ => {
                                return Err(format!(
                                    "{}: ambiguous redirect",
                                    pola_fileserver::text::shown(&t)
                                ))
                            }
                        }
                    }
                }
                RedirOp::Both(append, w) => {
                    let path = self.redirect_word(w)?;
                    let file = self.open_output(&path, *append, false)?;
                    out.1.push(crate::escapes::to_path(&self.absolute(&path)));
                    out.0.push((1, Target::Open(file)));
                    out.0.push((2, Target::Dup(1)));
                    continue;
                }
                RedirOp::Input(w)
                | RedirOp::ReadWrite(w)
                | RedirOp::Output(w)
                | RedirOp::Clobber(w)
                | RedirOp::Append(w)
                    if matches!(w.0.as_slice(), [Part::Process { .. }]) =>
                {
                    // `< <(list)`: the pipe's end itself (its `/dev/fd/N` is a link
                    // through /proc, which no redirection follows).
                    let path = self.redirect_word(w)?;
                    match fd_path_number(&path) {
                        Some(n) => Target::Dup(n),
                        None => {
                            return Err(format!(
                                "{}: not a process substitution",
                                crate::escapes::shown(&path)
                            ))
                        }
                    }
                }
                RedirOp::Input(w)
                | RedirOp::ReadWrite(w)
                | RedirOp::Output(w)
                | RedirOp::Clobber(w)
                | RedirOp::Append(w)
                    if self.dev_fd_target(w).is_some() =>
                {
                    // `/dev/stdin`, `/dev/fd/3`: the descriptor as the command has
                    // it (after its pipes), not as the shell has it now; closed (the
                    // shell's placeholder holds it) unless this command's own
                    // redirection set it, as `<&N` (review of the fortieth stop).
                    let n = self.dev_fd_target(w).unwrap_or(0);
                    if is_reserved(n) && !out.0.iter().any(|(t, _)| *t == n) {
                        return Err(format!("{}: bad file descriptor", w));
                    }
                    Target::Dup(n)
                }
                RedirOp::Input(w) | RedirOp::ReadWrite(w) => {
                    let path = self.redirect_path(w)?;
                    if matches!(r.op, RedirOp::ReadWrite(_)) {
                        self.made_output(&path)?;
                        out.1.push(crate::escapes::to_path(&path));
                    }
                    let flags = match &r.op {
                        RedirOp::Input(_) => OFlag::O_RDONLY,
                        _ => OFlag::O_RDWR | OFlag::O_CREAT,
                    };
                    Target::Open(open_file(&path, flags).map_err(|e| no_such(&e))?)
                }
                RedirOp::Output(w) | RedirOp::Clobber(w) | RedirOp::Append(w) => {
                    let path = self.redirect_word(w)?;
                    let append = matches!(r.op, RedirOp::Append(_));
                    let clobber = matches!(r.op, RedirOp::Clobber(_));
                    let file = self.open_output(&path, append, clobber)?;
                    out.1.push(crate::escapes::to_path(&self.absolute(&path)));
                    Target::Open(file)
                }
            };
            match &r.fd {
                Some(Fd::Var(v)) => {
                    let what = match target {
                        Target::Open(o) => VarFd::Open(o),
                        Target::Dup(n) => VarFd::Dup(n),
                        Target::Close => VarFd::Close,
                    };
                    self.var_fd(v, what)?;
                }
                _ => out.0.push((fd, target)),
            }
        }
        Ok(out)
    }

    /// The descriptor a target `/dev/stdin`, `/dev/stdout`, `/dev/stderr` or
    /// `/dev/fd/N` stands for (only for plain words).
    fn dev_fd_target(&self, w: &crate::ast::Word) -> Option<RawFd> {
        let [Part::Literal(path)] = w.0.as_slice() else {
            return None;
        };
        dev_fd_number(path)
    }

    /// A redirection target's path, from the shell's working directory.
    fn redirect_path(&mut self, w: &crate::ast::Word) -> Result<String, String> {
        let path = self.redirect_word(w)?;
        Ok(self.absolute(&path))
    }

    /// A redirection target: one field after splitting and pathname expansion.
    fn redirect_word(&mut self, w: &crate::ast::Word) -> Result<String, String> {
        let mut fields = expand::fields(self, std::slice::from_ref(w))?;
        if fields.len() != 1 {
            return Err(format!(
                "{}: ambiguous redirect",
                pola_fileserver::text::shown(&w.to_string())
            ));
        }
        Ok(fields.remove(0).text)
    }

    fn absolute(&self, path: &str) -> String {
        if path.starts_with('/') {
            path.to_string()
        } else {
            crate::escapes::from_os(self.cwd().join(crate::escapes::to_path(path)).as_os_str())
        }
    }

    /// Open `path` for `>`, `>>` or `>|`; with `set -C`, `>` does not replace an
    /// existing regular file.
    fn open_output(&mut self, path: &str, append: bool, clobber: bool) -> Result<OwnedFd, String> {
        if path.is_empty() {
            return Err("'': no such file or directory".into());
        }
        let full = self.absolute(path);
        self.made_output(&full)?;
        let base = OFlag::O_WRONLY | OFlag::O_CREAT;
        if append {
            return open_file(&full, base | OFlag::O_APPEND).map_err(|e| no_such(&e));
        }
        if self.options.noclobber && !clobber {
            return match open_file(&full, base | OFlag::O_EXCL) {
                Ok(fd) => Ok(fd),
                Err(_) if std::fs::metadata(&full).is_ok_and(|m| !m.is_file()) => {
                    open_file(&full, OFlag::O_WRONLY).map_err(|e| no_such(&e))
                }
                Err(_) if std::fs::symlink_metadata(&full).is_ok() => Err(format!(
                    "{}: cannot overwrite existing file",
                    crate::escapes::shown(path)
                )),
                Err(e) => Err(no_such(&e)),
            };
        }
        open_file(&full, base | OFlag::O_TRUNC).map_err(|e| no_such(&e))
    }

    /// In text made at run time, a file is not opened to write (`echo '!!cmd' >>
    /// ~/.profile` printed by a jail and run by `eval`): `/dev/null` and the terminal
    /// are, as are pipes and the descriptors the command has.
    fn made_output(&self, full: &str) -> Result<(), String> {
        match self.made_at_run_time > 0 && full != "/dev/null" && full != "/dev/tty" {
            true => Err(format!(
                "{}: {}",
                crate::escapes::shown(full),
                crate::parse::MADE_REFUSED
            )),
            false => Ok(()),
        }
    }

    /// `{var}>...`: a new descriptor (10 or above) whose number goes into `var`; it
    /// stays open after the command, as in bash. `{var}>&-` closes `$var`.
    fn var_fd(&mut self, var: &str, what: VarFd) -> Result<(), String> {
        let fd = match what {
            VarFd::Close => {
                let n: RawFd = self
                    .get(var)
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| format!("{var}: bad file descriptor"))?;
                if is_shell_fd(n) {
                    return Err(in_use_by_the_shell(n));
                }
                // SAFETY: closing the descriptor the user's variable names.
                unsafe { libc::close(n) };
                return Ok(());
            }
            VarFd::Open(o) => new_user_fd(o.as_raw_fd())?,
            VarFd::Dup(n) => new_user_fd(n)?,
        };
        self.assign(var, &fd.to_string())
    }
}

impl Target {
    /// Add `self` for descriptor `fd` (a move's closing half).
    fn with_fd(self, fd: RawFd, out: &mut Redirections) {
        out.0.push((fd, self));
    }
}

/// "no such file: x" reads better than the errno text for a missing redirection target.
fn no_such(e: &str) -> String {
    match e.strip_suffix(": ENOENT: No such file or directory") {
        Some(path) => format!("{path}: no such file or directory"),
        None => match e.strip_suffix(": No such file or directory") {
            Some(path) => format!("{path}: no such file or directory"),
            None => e.to_string(),
        },
    }
}
