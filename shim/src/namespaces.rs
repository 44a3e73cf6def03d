//! Linux namespaces: the jail's private view of users, mounts, processes, IPC, host
//! name, network and cgroups.
//!
//! A user namespace comes first, because it is what lets an unprivileged caller create
//! the others. Its id maps hold exactly one uid and one gid, the caller's own (also
//! when the caller is root): nobody else's files become the command's, and a setuid
//! binary of another user has no uid to switch to.
//!
//! `lock` is the second, nested user namespace entered just before the command runs,
//! together with a new mount namespace: the kernel then marks every mount of the jail
//! as locked (`MNT_LOCKED`), so not even a process that regained capabilities in its
//! own namespace could remount a read-only grant writable or unmount one to see what
//! lies beneath.
//!
//! When the kernel refuses the user namespace, `userns_refusal` says why and what
//! fixes it; there is no jail without one, and no fallback.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use nix::errno::Errno;
use nix::sched::{unshare, CloneFlags};
use thiserror::Error;

use crate::userns_refusal::{self, Host, Refusal, Step};

#[derive(Debug, Error)]
pub enum NamespaceError {
    #[error("user namespaces are not available ({step}: {errno}); {why}")]
    UserUnavailable {
        step: &'static str,
        errno: Errno,
        why: Refusal,
    },
    #[error("cannot create namespaces: {0}")]
    Unshare(Errno),
    #[error("cannot write {file}: {error}")]
    Map {
        file: &'static str,
        error: std::io::Error,
    },
}

/// The refusal of a user namespace at `step`, with why and what fixes it.
fn refused(step: &'static str, kind: Step, errno: Errno) -> NamespaceError {
    let exe = std::env::current_exe().unwrap_or_default();
    NamespaceError::UserUnavailable {
        step,
        errno,
        why: userns_refusal::diagnose(&Host::live(), kind, errno, &exe),
    }
}

fn write(file: &'static str, contents: &str) -> Result<(), NamespaceError> {
    fs::write(Path::new(file), contents).map_err(|error| NamespaceError::Map { file, error })
}

/// The uid and gid the user namespace this process is already in maps (the zygote's),
/// unset if it is in none of ours.
static ENTERED: OnceLock<(u32, u32)> = OnceLock::new();

/// Record that this process is in a user namespace mapping `uid`/`gid` to themselves,
/// so the jails forked from it need not make their own.
pub fn entered(uid: u32, gid: u32) {
    let _ = ENTERED.set((uid, gid));
}

/// The uid and gid the user namespace this process is in maps (the zygote's), if any.
pub fn entered_ids() -> Option<(u32, u32)> {
    ENTERED.get().copied()
}

/// Whether this process is in a network namespace made for the next jail and not yet
/// used by one (the zygote makes them ahead of time).
static NETWORK_READY: AtomicBool = AtomicBool::new(false);

/// When the zygote makes the jails' network namespaces (`$POLA_NETNS`, read once: the
/// benchmarks compare the choices, `scripts/bench`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkAhead {
    /// Ahead, for the next copy, once each command has started, and a pool of
    /// [`POOL_SIZE`] more while nothing else waits (the default).
    Pool,
    /// Ahead, for the next copy only (`POLA_NETNS=ahead`).
    Next,
    /// Not ahead: each shim makes its jail's on the command's path (`POLA_NETNS=path`).
    OnThePath,
}

/// The zygote's choice of [`NetworkAhead`].
pub fn network_ahead() -> NetworkAhead {
    static CHOICE: OnceLock<NetworkAhead> = OnceLock::new();
    *CHOICE.get_or_init(|| match std::env::var("POLA_NETNS").as_deref() {
        Ok("ahead") => NetworkAhead::Next,
        Ok("path") => NetworkAhead::OnThePath,
        _ => NetworkAhead::Pool,
    })
}

/// Unless it is in one already, move this process into a network namespace made for
/// the next jail forked from it: one from the pool (`fill_pool`), or a new one with
/// loopback up. A network namespace is the costliest one to make (measured at a tenth
/// of a launch): the zygote makes them while commands run, not while one starts.
pub fn ensure_network() {
    if NETWORK_READY.load(Ordering::Relaxed) || network_ahead() == NetworkAhead::OnThePath {
        return;
    }
    let pooled = POOL.lock().unwrap_or_else(|e| e.into_inner()).pop();
    if let Some(ns) = pooled {
        if nix::sched::setns(&ns, CloneFlags::CLONE_NEWNET).is_ok() {
            NETWORK_READY.store(true, Ordering::Relaxed);
            return;
        }
    }
    if unshare(CloneFlags::CLONE_NEWNET).is_ok() && crate::sys::loopback_up().is_ok() {
        NETWORK_READY.store(true, Ordering::Relaxed);
    }
}

/// Whether this process is in a network namespace the zygote made ahead (its
/// loopback is up).
pub fn network_made_ahead() -> bool {
    NETWORK_READY.load(Ordering::Relaxed)
}

/// The network namespace this process is in went to a jail: the next needs another.
pub fn network_used() {
    NETWORK_READY.store(false, Ordering::Relaxed);
}

/// Network namespaces made ahead, loopback up, never entered by a jail (a namespace is
/// never used twice: what a command did there stays readable, see the zygote tests).
static POOL: std::sync::Mutex<Vec<std::os::fd::OwnedFd>> = std::sync::Mutex::new(Vec::new());

/// How many the pool holds: with the one the next copy is in, a three-command
/// pipeline starts without making any.
const POOL_SIZE: usize = 2;

/// Whether the pool has room for another.
pub fn pool_short() -> bool {
    network_ahead() == NetworkAhead::Pool
        && POOL.lock().unwrap_or_else(|e| e.into_inner()).len() < POOL_SIZE
}

/// Make one more network namespace for the pool; false if none could be made (the
/// caller must not try again at once). This process ends up in it (so it is no longer
/// in one made for the next jail).
pub fn fill_pool() -> bool {
    network_used();
    if unshare(CloneFlags::CLONE_NEWNET).is_err() || crate::sys::loopback_up().is_err() {
        return false;
    }
    let opened = nix::fcntl::open(
        "/proc/self/ns/net",
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    );
    match opened {
        Ok(ns) => {
            POOL.lock().unwrap_or_else(|e| e.into_inner()).push(ns);
            true
        }
        Err(_) => false,
    }
}

/// Enter a new user namespace in which `uid`/`gid` map to themselves.
pub fn enter_user(uid: u32, gid: u32) -> Result<(), NamespaceError> {
    unshare(CloneFlags::CLONE_NEWUSER).map_err(|errno| refused("unshare", Step::Unshare, errno))?;
    // setgroups must be denied before an unprivileged process may write gid_map; it
    // also stops the command from dropping supplementary groups to dodge a deny-ACL.
    // A namespace without capabilities (AppArmor's restriction) is refused here.
    for (file, contents) in [
        ("/proc/self/setgroups", "deny".to_string()),
        ("/proc/self/uid_map", format!("{uid} {uid} 1\n")),
        ("/proc/self/gid_map", format!("{gid} {gid} 1\n")),
    ] {
        write(file, &contents).map_err(|e| match e {
            NamespaceError::Map { error, .. }
                if matches!(error.raw_os_error(), Some(libc::EPERM | libc::EACCES)) =>
            {
                let errno = Errno::from_raw(error.raw_os_error().unwrap_or(libc::EPERM));
                refused(file, Step::Map, errno)
            }
            other => other,
        })?;
    }
    Ok(())
}

/// The jail's namespaces. The caller must fork afterwards: the first child is PID 1.
pub fn enter(uid: u32, gid: u32, share_net: bool) -> Result<(), NamespaceError> {
    if ENTERED.get() != Some(&(uid, gid)) {
        enter_user(uid, gid)?;
    }
    let mut flags = CloneFlags::CLONE_NEWNS
        | CloneFlags::CLONE_NEWPID
        | CloneFlags::CLONE_NEWIPC
        | CloneFlags::CLONE_NEWUTS
        | CloneFlags::CLONE_NEWCGROUP;
    match (share_net, NETWORK_READY.load(Ordering::Relaxed)) {
        // Forked by the zygote into a namespace of its own: the host's network is
        // not here (the shell never asks the zygote for such a jail).
        (true, true) => return Err(NamespaceError::Unshare(Errno::ENETUNREACH)),
        (false, false) => flags |= CloneFlags::CLONE_NEWNET,
        (true, false) | (false, true) => {}
    }
    unshare(flags).map_err(NamespaceError::Unshare)
}

/// A warm jail's namespaces (`crate::warm`), made by the copy that will be its shim
/// before its command arrives: those of [`enter`] in the zygote's user namespace, but
/// for the PID namespace, which the copy's fork of PID 1 makes
/// (`sys::fork_into_new_pid_namespace`), the cgroup namespace, which PID 1 makes once
/// it is in the jail's cgroups (`cgroup_after_move`), and the network namespace, which
/// the copy is in already unless `POLA_NETNS=path` (PID 1 makes it on the command's
/// path then: `network_on_the_path`).
/// A copy in the zygote's copy of the host's mount namespace (`zygote::Snapshot`) keeps
/// it, shared with the other copies, instead of making a copy of its own.
pub fn enter_ahead() -> Result<(), NamespaceError> {
    let mut flags = CloneFlags::CLONE_NEWIPC | CloneFlags::CLONE_NEWUTS;
    if !in_snapshot() {
        flags |= CloneFlags::CLONE_NEWNS;
    }
    unshare(flags).map_err(NamespaceError::Unshare)
}

/// Whether this copy is in the zygote's copy of the host's mount namespace, shared with
/// the other copies made ahead from it (`enter_snapshot`).
static IN_SNAPSHOT: AtomicBool = AtomicBool::new(false);

/// In a copy just forked ahead: into the zygote's private copy of the host's mount
/// namespace (`zygote::Snapshot`), shared by the copies made from it, where their
/// PID 1s open the command's grants and copy them out (no jail mounts anything there).
/// False if that failed: the copy makes its own (`enter_ahead`).
pub fn enter_snapshot(ns: &std::os::fd::OwnedFd) -> bool {
    let entered = nix::sched::setns(ns, CloneFlags::CLONE_NEWNS).is_ok();
    IN_SNAPSHOT.store(entered, Ordering::Relaxed);
    entered
}

/// See [`enter_snapshot`].
pub fn in_snapshot() -> bool {
    IN_SNAPSHOT.load(Ordering::Relaxed)
}

/// In a copy in the shared snapshot whose plan has slots: into a copy of its own, made
/// private, to make the slots' carriers in (they are this jail's alone). Its PID 1 is
/// sent it (`warm::settle`). `None` if the copy was not in the snapshot.
pub fn leave_snapshot() -> Result<Option<std::os::fd::OwnedFd>, crate::rootfs::RootfsError> {
    if !in_snapshot() {
        return Ok(None);
    }
    let err = |errno| crate::rootfs::RootfsError::Mount {
        what: "make the jail's mount namespace".into(),
        errno,
    };
    unshare(CloneFlags::CLONE_NEWNS).map_err(err)?;
    IN_SNAPSHOT.store(false, Ordering::Relaxed);
    crate::slots::make_private("make the jail's mount namespace private")?;
    // Torn down by the zygote once this jail's shim has exited.
    crate::zygote::hold_mount_namespace();
    crate::sys::mount_namespace().map(Some).map_err(err)
}

/// In a warm jail's PID 1, once its plan has arrived: the network namespace, unless
/// one was made ahead.
pub fn network_on_the_path() -> Result<(), NamespaceError> {
    if NETWORK_READY.load(Ordering::Relaxed) {
        return Ok(());
    }
    unshare(CloneFlags::CLONE_NEWNET).map_err(NamespaceError::Unshare)
}

/// In a warm jail's PID 1, once its shim has moved it into the jail's cgroups: a
/// cgroup namespace rooted there, as a shim's own made before it forked PID 1.
pub fn cgroup_after_move() -> Result<(), NamespaceError> {
    unshare(CloneFlags::CLONE_NEWCGROUP).map_err(NamespaceError::Unshare)
}

/// This process's own directory of a writable `/proc`, kept before the jail's root is
/// built where its `/proc` will be the host's, read-only (`@ps`): the lock's maps are
/// written through it ([`lock`]).
static OWN_PROC: OnceLock<std::os::fd::OwnedFd> = OnceLock::new();

/// Keep this process's `/proc/self` for the lock (a plan whose `/proc` is the host's).
pub fn keep_own_proc() -> Result<(), NamespaceError> {
    let dir = nix::fcntl::open(
        "/proc/self",
        nix::fcntl::OFlag::O_PATH | nix::fcntl::OFlag::O_DIRECTORY | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .map_err(|errno| NamespaceError::Map {
        file: "/proc/self",
        error: errno.into(),
    })?;
    let _ = OWN_PROC.set(dir);
    Ok(())
}

/// The nested user and mount namespace that locks every mount of the jail.
pub fn lock(uid: u32, gid: u32) -> Result<(), NamespaceError> {
    unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNS)
        .map_err(NamespaceError::Unshare)?;
    let maps = [
        ("/proc/self/uid_map", format!("{uid} {uid} 1\n")),
        ("/proc/self/gid_map", format!("{gid} {gid} 1\n")),
    ];
    for (file, contents) in maps {
        let Some(dir) = OWN_PROC.get() else {
            write(file, &contents)?;
            continue;
        };
        let map = |error: nix::errno::Errno| NamespaceError::Map {
            file,
            error: error.into(),
        };
        let name = file.trim_start_matches("/proc/self/");
        let fd = nix::fcntl::openat(
            dir,
            name,
            nix::fcntl::OFlag::O_WRONLY | nix::fcntl::OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .map_err(map)?;
        nix::unistd::write(&fd, contents.as_bytes()).map_err(map)?;
    }
    Ok(())
}
