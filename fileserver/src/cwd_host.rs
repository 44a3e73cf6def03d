//! Hints' one file system for all of a shell's jails (`crate::hints`).
//!
//! With hints, each jail's working directory is a FUSE skeleton the shell serves. A
//! FUSE mount of its own for every command cost about 0.5 ms of CPU each time: the
//! mount registers a backing device with sysfs, its teardown unregisters it and waits
//! for an RCU grace period, and two serving threads are started and stopped. Measured
//! on a loop of `cat`, that was a tenth of a jailed command.
//!
//! Instead a shell that runs many commands mounts one, once: `pola-shim --cwd-host`
//! enters a user namespace and a mount namespace of its own (nobody else's view
//! changes), mounts the shell's FUSE connection on its private `/tmp`, and sends the
//! connection to the shell, which serves it on one thread for the shell's life
//! ([`crate::hints::CwdFs::shared`]). For each observed command the shell adds the
//! jail's skeleton under a fresh random key and asks the host for a detached copy of
//! that one directory (`open_tree(OPEN_TREE_CLONE)`); the jail's builder attaches it
//! at the working directory, as it would have mounted its own. The jail is given
//! that directory alone: `..` at the top of a mount leads to the mount point, so no
//! other jail's skeleton (nor the directory of keys, which lists nothing) is in
//! reach. When the jail is gone the skeleton is removed and the kernel told to forget
//! its name ([`Lent`]'s drop).
//!
//! The host holds nothing of the host system: no descriptor but its socket and the
//! FUSE connection's mount, `/dev/null` for 0–2, cwd `/`; it dies with the shell.
//! Only the process that started it uses it (a forked subshell mounts per command,
//! as does one-shot `pola-run`), and any failure falls back to the per-command mount.
//!
//! Protocol, on a `SOCK_SEQPACKET` pair: the host first sends `U` with the FUSE
//! connection once it is mounted, or `N` if it could not mount one; then for each
//! request (a key's name, in hex) `M` with the detached directory, or `E`.

use std::ffi::OsString;
use std::io::IoSlice;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Mutex;

use nix::errno::Errno;
use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
use nix::unistd::Pid;

use crate::hints::{CwdFs, Shared, Skeletons, Tree};

/// The argument that makes `pola-shim` the host.
pub const ARG: &str = "--cwd-host";

/// The host's first message: the FUSE connection, mounted.
pub const MOUNTED: u8 = b'U';
/// The host's first message when it could not mount one.
pub const NOT_MOUNTED: u8 = b'N';
/// An answer: the detached copy of the directory asked for.
pub const COPY: u8 = b'M';
/// An answer: no such directory, or it could not be copied.
pub const NO_COPY: u8 = b'E';

/// Where the host mounts the file system, in its own mount namespace.
pub const MOUNT_POINT: &str = "/tmp";

/// How long the shell waits for the host to answer before it mounts per command.
const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// The shell's handle on its host.
struct Host {
    owner: u32,
    pid: Pid,
    socket: OwnedFd,
    skeletons: Skeletons,
    notifier: fuser::Notifier,
    /// The next jail's directory, asked for ahead (its key and name): the host copies
    /// it while the shell and the last jail go on, and the answer waits in the socket.
    ahead: Option<(u64, OsString)>,
}

impl Host {
    /// A new key and its (so far empty) skeleton's name.
    fn fresh(&mut self) -> (u64, OsString) {
        let key = crate::hints::key(&self.skeletons);
        let name = CwdFs::add(&self.skeletons, key, Tree::empty(), Shared::default());
        (key, name)
    }

    /// The detached copy of a directory: the one asked for ahead, given `tree`, or one
    /// asked for now. The next one is asked for later ([`Host::ask_ahead`]).
    fn take(&mut self, tree: Tree, observed: Shared) -> Result<(u64, OsString, OwnedFd), Errno> {
        let (key, name) = match self.ahead.take() {
            Some(ahead) => ahead,
            None => {
                let (key, name) = self.fresh();
                if let Err(errno) = send(self.socket.as_raw_fd(), name.as_bytes(), None) {
                    CwdFs::remove(&self.skeletons, key);
                    return Err(errno);
                }
                (key, name)
            }
        };
        CwdFs::add(&self.skeletons, key, tree, observed);
        let mount = match receive(&self.socket) {
            Ok((COPY, Some(fd))) => fd,
            Ok(_) => {
                CwdFs::remove(&self.skeletons, key);
                return Err(Errno::ENOENT);
            }
            Err(errno) => {
                CwdFs::remove(&self.skeletons, key);
                return Err(errno);
            }
        };
        Ok((key, name, mount))
    }

    /// Ask for the next jail's directory, unless it was: the host copies it while the
    /// shell and the last jail go on, and the answer waits in the socket. Once the
    /// command is on its way ([`tidy`]), not before: the host, woken, took a core
    /// from the jail being built.
    fn ask_ahead(&mut self) {
        if self.ahead.is_some() {
            return;
        }
        let (next, next_name) = self.fresh();
        match send(self.socket.as_raw_fd(), next_name.as_bytes(), None) {
            Ok(()) => self.ahead = Some((next, next_name)),
            Err(_) => CwdFs::remove(&self.skeletons, next),
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if std::process::id() == self.owner {
            let _ = nix::sys::signal::kill(self.pid, nix::sys::signal::Signal::SIGKILL);
            let _ = nix::sys::wait::waitpid(self.pid, None);
        }
    }
}

static HOST: Mutex<Option<Host>> = Mutex::new(None);
static ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Share one file system among the jails from now on (a shell does; one-shot
/// `pola-run` would mount it once and use it once). `POLA_CWD_HOST=0` turns it off
/// (each observed command then mounts its own).
pub fn enable() {
    let off = std::env::var_os("POLA_CWD_HOST").is_some_and(|v| v == "0");
    ENABLED.store(!off, std::sync::atomic::Ordering::Relaxed);
}

/// A jail's skeleton in the shared file system, for as long as this lives: the
/// detached copy of its directory to attach, and the removal of it when dropped.
pub struct Lent {
    owner: u32,
    key: u64,
    name: OsString,
    mount: OwnedFd,
    skeletons: Skeletons,
    notifier: fuser::Notifier,
}

impl Lent {
    /// The detached copy of the jail's skeleton directory.
    pub fn mount(&self) -> BorrowedFd<'_> {
        self.mount.as_fd()
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        if std::process::id() != self.owner {
            return;
        }
        CwdFs::remove(&self.skeletons, self.key);
        // The kernel is told to forget the name later ([`tidy`]).
        let name = std::mem::take(&mut self.name);
        STALE.lock().unwrap_or_else(|e| e.into_inner()).push((
            self.owner,
            self.notifier.clone(),
            name,
        ));
    }
}

/// The names of skeletons removed, for the kernel to forget ([`tidy`]).
static STALE: Mutex<Vec<(u32, fuser::Notifier, OsString)>> = Mutex::new(Vec::new());

/// Once a command is on its way: ask the host for the next jail's directory
/// ([`Host::ask_ahead`]), and tell the kernel to forget the names of the skeletons
/// removed since the last time (and so, once unused, everything below them) — not as
/// a jail ends: each took 0.13 ms, between the end of every interactive command and
/// its prompt. A name not yet forgotten reaches nothing: each is a fresh random key, a
/// jail is given a copy of its own directory alone (`..` at the top of a mount leads
/// to the mount point), and the file system has nothing under it.
pub fn tidy() {
    if let Some(host) = HOST
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_mut()
        .filter(|h| h.owner == std::process::id())
    {
        host.ask_ahead();
    }
    let stale = std::mem::take(&mut *STALE.lock().unwrap_or_else(|e| e.into_inner()));
    for (_, notifier, name) in stale.iter().filter(|s| s.0 == std::process::id()) {
        let _ = notifier.inval_entry(fuser::INodeNo(1), name);
    }
}

/// Lend `tree` (recording into `observed`) a directory of the shared file system,
/// starting the host (with `shim`) if there is none. `None`: not here, or it failed;
/// the builder mounts one for this command.
pub fn lend(shim: &Path, tree: Tree, observed: Shared, uid: u32, gid: u32) -> Option<Lent> {
    if !ENABLED.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let mut slot = HOST.lock().unwrap_or_else(|e| e.into_inner());
    if slot.as_ref().is_some_and(|h| h.owner != std::process::id()) {
        return None;
    }
    if slot.is_none() {
        match start(shim, uid, gid) {
            Ok(host) => *slot = Some(host),
            Err(e) => {
                tracing::debug!("hints: no shared file system ({e}); mounting per command");
                ENABLED.store(false, std::sync::atomic::Ordering::Relaxed);
                return None;
            }
        }
    }
    let host = slot.as_mut()?;
    match host.take(tree, observed) {
        Ok((key, name, mount)) => Some(Lent {
            owner: host.owner,
            key,
            name,
            mount,
            skeletons: host.skeletons.clone(),
            notifier: host.notifier.clone(),
        }),
        Err(errno) => {
            tracing::debug!("hints: the shared file system's host failed ({errno})");
            // Dropping it kills and reaps it; the next command starts another.
            *slot = None;
            None
        }
    }
}

fn start(shim: &Path, uid: u32, gid: u32) -> std::io::Result<Host> {
    let (pid, ours) = crate::launch::spawn_helper(shim, &[ARG])?;
    let timeout = nix::sys::time::TimeVal::new(ANSWER_TIMEOUT.as_secs() as i64, 0);
    nix::sys::socket::setsockopt(&ours, nix::sys::socket::sockopt::ReceiveTimeout, &timeout)?;
    let kill = |e: std::io::Error| {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(pid, None);
        e
    };
    let (tag, fd) = receive(&ours).map_err(|e| kill(e.into()))?;
    let fd = match (tag, fd) {
        (MOUNTED, Some(fd)) => fd,
        _ => return Err(kill(std::io::Error::other("the host could not mount FUSE"))),
    };
    let (fs, skeletons) = CwdFs::shared(uid, gid);
    // The connection was mounted before it was sent: the kernel's first request is
    // waiting, and is answered here.
    let session = fuser::Session::from_fd(fs, fd, fuser::SessionACL::Owner, Default::default())
        .map_err(kill)?;
    let notifier = session.notifier();
    std::thread::Builder::new()
        .name("pola-hints".into())
        .spawn(move || {
            if let Err(e) = session.run() {
                tracing::debug!("hints: the shared file system ended: {e}");
            }
        })
        .map_err(kill)?;
    Ok(Host {
        owner: std::process::id(),
        pid,
        socket: ours,
        skeletons,
        notifier,
        ahead: None,
    })
}

/// One message: its tag and the descriptor it carried, if any.
pub fn receive(socket: &impl AsRawFd) -> Result<(u8, Option<OwnedFd>), Errno> {
    let mut buf = [0u8; 64];
    let (len, fds, _) = crate::zygote::receive_with_fds::<1>(socket.as_raw_fd(), &mut buf)?;
    match len {
        0 => Err(Errno::EPIPE),
        _ => Ok((buf[0], fds.into_iter().next())),
    }
}

/// Send one message: `tag`, or `bytes`, with `fd` if any.
pub fn send(socket: RawFd, bytes: &[u8], fd: Option<BorrowedFd<'_>>) -> Result<(), Errno> {
    let iov = [IoSlice::new(bytes)];
    let raw: Vec<RawFd> = fd.iter().map(|f| f.as_raw_fd()).collect();
    let rights = [ControlMessage::ScmRights(&raw)];
    let cmsgs: &[ControlMessage] = if raw.is_empty() { &[] } else { &rights };
    sendmsg::<()>(socket, &iov, cmsgs, MsgFlags::MSG_NOSIGNAL, None).map(drop)
}
