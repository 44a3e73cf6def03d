//! Mediated mode: watching a jail's path lookups through seccomp user notification.
//!
//! The shim installs a filter that turns the path-taking system calls into
//! notifications and sends the listener descriptor to the server on the jail's socket.
//! Every notification is answered "continue": the kernel then performs the call in
//! the jail's mount namespace, which stays the boundary. The server never decides
//! anything from the command's memory; it only reads the path argument (checking with
//! `SECCOMP_IOCTL_NOTIF_ID_VALID` that the caller is still the same process) to
//! *record* accesses to paths the jail's namespace does not hold, for `--learn` and the
//! audit log.
//!
//! In ask mode ([`crate::ask`]) the user may grant such an `open` at run time. The
//! server then opens the path it read and showed the user, with the shell's authority,
//! and puts the descriptor into the command (`SECCOMP_IOCTL_NOTIF_ADDFD`): the kernel
//! never reads the command's memory a second time, so a path swapped after the question
//! (a thread flipping the buffer) changes nothing. Everything not granted still goes
//! on as the command asked, inside its namespace.

use std::ffi::OsString;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStringExt;
use std::path::{Component, Path, PathBuf};

use nix::fcntl::{OFlag, OpenHow, ResolveFlag};

use crate::namespace::{Entry, Namespace};
use crate::slots::broker::{Answer, Broker};
use crate::unotify::{self, Notification};

/// The system calls that are watched, with where their path (and directory descriptor)
/// argument is and whether they change the file system.
pub struct Watched {
    pub nr: libc::c_long,
    pub name: &'static str,
    /// Index of the directory descriptor argument, for the `*at` calls.
    pub dirfd: Option<usize>,
    pub path: usize,
    /// Index of the open flags, for the open calls.
    pub flags: Option<usize>,
    pub writes: bool,
}

const fn w(
    nr: libc::c_long,
    name: &'static str,
    dirfd: Option<usize>,
    path: usize,
    flags: Option<usize>,
    writes: bool,
) -> Watched {
    Watched {
        nr,
        name,
        dirfd,
        path,
        flags,
        writes,
    }
}

/// Path-taking calls whose target a command may be missing.
pub const WATCHED: &[Watched] = &[
    w(libc::SYS_open, "open", None, 0, Some(1), false),
    w(libc::SYS_openat, "open", Some(0), 1, Some(2), false),
    w(libc::SYS_openat2, "open", Some(0), 1, None, false),
    w(libc::SYS_creat, "creat", None, 0, None, true),
    w(libc::SYS_stat, "stat", None, 0, None, false),
    w(libc::SYS_lstat, "stat", None, 0, None, false),
    w(libc::SYS_newfstatat, "stat", Some(0), 1, None, false),
    w(libc::SYS_statx, "stat", Some(0), 1, None, false),
    w(libc::SYS_access, "access", None, 0, None, false),
    w(libc::SYS_faccessat, "access", Some(0), 1, None, false),
    w(libc::SYS_faccessat2, "access", Some(0), 1, None, false),
    w(libc::SYS_readlink, "readlink", None, 0, None, false),
    w(libc::SYS_readlinkat, "readlink", Some(0), 1, None, false),
    w(libc::SYS_execve, "execve", None, 0, None, false),
    w(libc::SYS_execveat, "execve", Some(0), 1, None, false),
    w(libc::SYS_chdir, "chdir", None, 0, None, false),
    w(libc::SYS_mkdir, "mkdir", None, 0, None, true),
    w(libc::SYS_mkdirat, "mkdir", Some(0), 1, None, true),
    w(libc::SYS_unlink, "unlink", None, 0, None, true),
    w(libc::SYS_unlinkat, "unlink", Some(0), 1, None, true),
    w(libc::SYS_rmdir, "rmdir", None, 0, None, true),
    w(libc::SYS_rename, "rename", None, 0, None, true),
    w(libc::SYS_renameat, "rename", Some(0), 1, None, true),
    w(libc::SYS_renameat2, "rename", Some(0), 1, None, true),
    w(libc::SYS_truncate, "truncate", None, 0, None, true),
];

/// One access to a path the jail does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denied {
    /// The calling process (as the server sees it).
    pub pid: u32,
    pub call: &'static str,
    /// Absolute, in the jail's view (which is the host's path for anything granted).
    pub path: PathBuf,
    pub write: bool,
    /// For `open`, `openat` and `creat`: the flags and mode asked for.
    pub open: Option<OpenArgs>,
}

/// The flags and mode of an `open` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenArgs {
    pub flags: i32,
    pub mode: u32,
}

/// What the server does with a call to a path the jail does not hold.
pub enum Verdict {
    /// Let the kernel do the call in the jail's namespace (where the path is missing).
    Continue,
    /// Answer the call with this descriptor, opened by the server.
    Grant(OwnedFd),
}

impl std::fmt::Display for Denied {
    /// Plash's audit style: `r! open /home/u/x: denied`, one line whatever the path
    /// holds (`crate::text`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = if self.write { "w!" } else { "r!" };
        write!(
            f,
            "{mode} {} {}: denied",
            self.call,
            crate::text::shown(&self.path)
        )
    }
}

/// Whether `path` (absolute, normalized) is in the jail's namespace: a node of it, or
/// below a grant or the jail's `/proc`, after the namespace's own symlinks
/// (`/lib -> usr/lib`). Below a private tmpfs (`/tmp`, `$HOME`) the jail has its own
/// files, not the host's: a host file there is one the command was not given.
pub fn holds(ns: &Namespace, path: &Path) -> bool {
    let path = ns.canonical(path).unwrap_or_else(|_| path.to_path_buf());
    let path = path.as_path();
    if ns.get(path).is_some() {
        return true;
    }
    path.ancestors().skip(1).any(|a| {
        matches!(
            ns.get(a),
            Some(Entry::Grant(_) | Entry::Proc | Entry::Devpts)
        )
    })
}

/// Read a NUL-terminated string of at most `PATH_MAX` bytes from `pid`'s memory.
pub(crate) fn read_string(pid: u32, addr: u64) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    let len = buf.len();
    let mut local = [std::io::IoSliceMut::new(&mut buf)];
    let remote = [nix::sys::uio::RemoteIoVec {
        base: addr as usize,
        len,
    }];
    // A read can stop at an unmapped page; what was read before it still counts.
    let n = nix::sys::uio::process_vm_readv(
        nix::unistd::Pid::from_raw(pid as i32),
        &mut local,
        &remote,
    )
    .ok()?;
    let end = buf[..n].iter().position(|b| *b == 0)?;
    buf.truncate(end);
    Some(buf)
}

/// `..` and `.` removed lexically (the jail's symlinks are not followed: this is a
/// record of what was asked for, not a resolution).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}

/// The absolute path a notification names, if it names one.
fn path_of(req: &Notification, call: &Watched) -> Option<PathBuf> {
    let raw = read_string(req.pid, req.args[call.path])?;
    if raw.is_empty() {
        return None; // fstat(fd) as newfstatat(fd, "", AT_EMPTY_PATH)
    }
    let path = PathBuf::from(OsString::from_vec(raw));
    if path.is_absolute() {
        return Some(lexical(&path));
    }
    let dirfd = call.dirfd.map(|i| req.args[i] as i32);
    let base = match dirfd {
        None | Some(libc::AT_FDCWD) => format!("/proc/{}/cwd", req.pid),
        Some(fd) => format!("/proc/{}/fd/{fd}", req.pid),
    };
    let base = std::fs::read_link(base).ok()?;
    Some(lexical(&base.join(path)))
}

fn open_args(req: &Notification, call: &Watched) -> Option<OpenArgs> {
    if call.nr == libc::SYS_creat {
        return Some(OpenArgs {
            flags: libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC,
            mode: req.args[1] as u32,
        });
    }
    call.flags.map(|i| OpenArgs {
        flags: req.args[i] as i32,
        mode: req.args[i + 1] as u32,
    })
}

fn writes(call: &Watched, open: Option<OpenArgs>) -> bool {
    call.writes
        || open.is_some_and(|o| {
            o.flags & (libc::O_WRONLY | libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC) != 0
        })
}

/// Whether `path` is a directory of the jail's skeleton that holds more names on the
/// host than the jail's grants there.
fn shows_part(ns: &Namespace, path: &Path) -> bool {
    if !matches!(ns.get(path), Some(Entry::Dir)) {
        return false;
    }
    let shown = ns.children(path).unwrap_or_default();
    std::fs::read_dir(path)
        .is_ok_and(|entries| entries.flatten().any(|e| !shown.contains(&e.file_name())))
}

/// Whether `path` lies in a grant the jail has read-only (the nearest grant holding it).
fn read_only_here(ns: &Namespace, path: &Path) -> bool {
    let path = ns.canonical(path).unwrap_or_else(|_| path.to_path_buf());
    path.ancestors().find_map(|a| match ns.get(a) {
        Some(Entry::Grant(g)) => Some(!g.rights.writable()),
        Some(Entry::Tmpfs | Entry::Proc | Entry::Devpts) => Some(false),
        _ => None,
    }) == Some(true)
}

/// Whether `path` is something on the host the command could have been given: it
/// exists, or it is an `open` that would create it in an existing directory — not in
/// one of the jail's own file systems (its private `/tmp`: a compiler's temporary
/// files were learned as `rw /tmp/ccXXXX.s`), where what it creates is its own. A
/// directory of the host's shown in one (the working directory `/tmp/proj`, or
/// `~/proj` in the private home) is the host's: `--ask` asked nothing of a file
/// created there (new-user trial).
fn on_host(ns: &Namespace, path: &Path, open: Option<OpenArgs>) -> bool {
    let own = || {
        path.ancestors()
            .skip(1)
            .find_map(|a| ns.get(a))
            .is_some_and(|e| matches!(e, Entry::Tmpfs))
    };
    path.symlink_metadata().is_ok()
        || open.is_some_and(|o| {
            o.flags & libc::O_CREAT != 0 && path.parent().is_some_and(Path::is_dir) && !own()
        })
}

/// Whether `path` names something in the jail's own view (a file it made in its
/// private `/tmp` or home, say): resolved inside the caller's root, so the jail's
/// symlinks cannot point the lookup at the server's files.
fn in_jail(pid: u32, path: &Path) -> bool {
    let Ok(root) = nix::fcntl::open(
        format!("/proc/{pid}/root").as_str(),
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    ) else {
        return false;
    };
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    open_in_root(&root, path, how).is_ok()
}

/// `openat2` of `path` in a jail's root `root` (`how` holds `RESOLVE_IN_ROOT`), tried
/// again while the kernel says `EAGAIN`: a `..` in the path (`mkdir ../wt` from a
/// work tree) is refused so whenever any mount or rename on the machine raced the
/// lookup (the global `mount_lock` and `rename_lock` counts moved), and the kernel
/// leaves the retry to the caller (openat2(2)). Under load, other jails being built
/// made git's `worktree add => ../wt` fail with "Resource temporarily unavailable"
/// (one run in 60 with both cores busy).
pub(crate) fn open_in_root(
    root: &impl std::os::fd::AsFd,
    path: &Path,
    how: OpenHow,
) -> Result<OwnedFd, nix::errno::Errno> {
    let mut tries = 0;
    loop {
        match nix::fcntl::openat2(root.as_fd(), path, how) {
            Err(nix::errno::Errno::EAGAIN) if tries < IN_ROOT_TRIES => tries += 1,
            other => return other,
        }
    }
}

/// How many times [`open_in_root`] tries again: each try is a few µs, and a race
/// needs a mount or rename elsewhere within it.
const IN_ROOT_TRIES: u32 = 1000;

/// Answer every notification on `listener` until the jail is gone.
///
/// The slot `broker`, when the jail has slots, answers the name-changing calls on
/// them. With `watch`, a call to a path the jail does not hold, that is on the host and
/// not in the jail's own view, goes to `decide` (which sees each as it happens); those
/// it does not grant are returned. With `listings` too (learning), a directory of the
/// skeleton opened to be listed that holds more on the host is returned as `list`:
/// make and python find files by listing, and what they missed was never asked for
/// (`--learn` said "make was denied nothing"; trial). Every other call continues as made.
pub fn serve(
    listener: OwnedFd,
    ns: &Namespace,
    (watch, listings): (bool, bool),
    mut broker: Option<&mut Broker>,
    observed: Option<&crate::hints::Shared>,
    mut decide: impl FnMut(&Denied) -> Verdict,
) -> Vec<Denied> {
    let fd = std::os::fd::AsFd::as_fd(&listener);
    if let Err(e) = unotify::set_sync_wakeup(fd) {
        tracing::debug!("seccomp listener without synchronous wake-ups: {e}");
    }
    let mut denied: Vec<Denied> = Vec::new();
    loop {
        let mut poll = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLIN)];
        match nix::poll::poll(&mut poll, nix::poll::PollTimeout::NONE) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => break,
        }
        let revents = poll[0].revents().unwrap_or(nix::poll::PollFlags::POLLHUP);
        if !revents.contains(nix::poll::PollFlags::POLLIN) {
            break; // POLLHUP: every process of the jail has exited
        }
        let Ok(req) = unotify::receive(fd) else {
            continue; // the caller died between the poll and the receive
        };
        if let Some(answer) = broker.as_deref_mut().and_then(|b| b.handle(fd, &req)) {
            let _ = match answer {
                Answer::Continue => unotify::answer_continue(fd, req.id),
                Answer::Done => unotify::answer_value(fd, req.id, 0),
                Answer::Fail(errno) => unotify::answer_error(fd, req.id, errno),
                Answer::Fd { fd: file, cloexec } => {
                    unotify::answer_with_fd(fd, req.id, file.as_raw_fd(), cloexec).map(drop)
                }
            };
            continue;
        }
        if let Some(observed) = observed {
            observe(fd, &req, ns, observed);
        }
        let mut granted: Option<(OwnedFd, bool)> = None;
        if let Some(call) = WATCHED.iter().find(|c| c.nr == req.nr && watch) {
            let path = path_of(&req, call);
            // The path was read from a live process that is still this caller.
            if let (Some(path), Ok(())) = (path, unotify::id_valid(fd, req.id)) {
                let open = open_args(&req, call);
                let listing = open.is_some_and(|o| o.flags & libc::O_DIRECTORY != 0);
                // Learned once each (a loop of listings is one).
                let mut note_once = |call: &'static str, write: bool, path: PathBuf| {
                    if !denied.iter().any(|d| d.write == write && d.path == path) {
                        let pid = req.pid;
                        denied.push(Denied {
                            pid,
                            call,
                            write,
                            path,
                            open,
                        });
                    }
                };
                if listings && listing && shows_part(ns, &path) {
                    note_once("list", false, path);
                } else if listings
                    && writes(call, open)
                    && read_only_here(ns, &path)
                    && (on_host(ns, &path, open) || path.parent().is_some_and(Path::is_dir))
                {
                    // A change in what it was given to read (`mkdir obj` in `--ro .`):
                    // the kernel says read-only; learned as a write grant.
                    note_once(call.name, true, path);
                } else if !holds(ns, &path) && on_host(ns, &path, open) && !in_jail(req.pid, &path)
                {
                    let d = Denied {
                        pid: req.pid,
                        call: call.name,
                        write: writes(call, open),
                        path,
                        open,
                    };
                    match decide(&d) {
                        Verdict::Continue => denied.push(d),
                        Verdict::Grant(file) => {
                            let cloexec = open.is_some_and(|o| o.flags & libc::O_CLOEXEC != 0);
                            granted = Some((file, cloexec));
                            if let Some(observed) = observed {
                                crate::hints::Observed::given(observed, d.path);
                            }
                        }
                    }
                }
            }
        }
        let answered = granted.is_some_and(|(file, cloexec)| {
            // Refused if the caller is gone: the kernel gives the descriptor to nobody.
            unotify::answer_with_fd(fd, req.id, file.as_raw_fd(), cloexec).is_ok()
        });
        if !answered {
            let _ = unotify::answer_continue(fd, req.id);
        }
    }
    if let Some(observed) = observed {
        crate::hints::Observed::ended(observed);
    }
    denied
}

/// Hints: a program the jail does not have, a connection without the network, a
/// server in the jail's own network.
fn observe(
    fd: std::os::fd::BorrowedFd,
    req: &Notification,
    ns: &Namespace,
    observed: &crate::hints::Shared,
) {
    use crate::hints::Observed;
    if req.nr == libc::SYS_connect || req.nr == libc::SYS_bind {
        if let Some((addr, port)) = read_sockaddr(req.pid, req.args[1], req.args[2]) {
            // Loopback too: it is the jail's own, not the host's server it wanted.
            if unotify::id_valid(fd, req.id).is_ok() {
                match req.nr {
                    libc::SYS_connect => {
                        if Observed::connected(observed, addr.to_string(), port) {
                            say_later(observed.clone(), RETRYING_AFTER, Observed::retrying_line);
                        }
                    }
                    _ => {
                        if Observed::bound(observed, port) {
                            say_later(observed.clone(), SERVING_AFTER, move |o| {
                                Observed::serving_line(o, port)
                            });
                        }
                    }
                }
            }
        }
        return;
    }
    let Some(call) = WATCHED
        .iter()
        .find(|c| c.nr == req.nr && c.name == "execve")
    else {
        return;
    };
    if let (Some(path), Ok(())) = (path_of(req, call), unotify::id_valid(fd, req.id)) {
        if !holds(ns, &path) && on_host(ns, &path, None) && !in_jail(req.pid, &path) {
            Observed::ran(observed, path);
        }
    }
}

/// How long a jail's server listens before it is said ([`Observed::serving_line`]).
const SERVING_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// How long a package manager runs after its first name lookup before its retries
/// are said ([`Observed::retrying_line`]).
const RETRYING_AFTER: std::time::Duration = std::time::Duration::from_secs(3);

/// `after` what a jail did: the `line` to say of it then, if any, said while it runs.
fn say_later(
    observed: crate::hints::Shared,
    after: std::time::Duration,
    line: impl FnOnce(&crate::hints::Shared) -> Option<String> + Send + 'static,
) {
    let _ = std::thread::Builder::new()
        .name("pola-say-later".into())
        .spawn(move || {
            std::thread::sleep(after);
            if let Some(line) = line(&observed) {
                crate::text::say_now(line);
            }
        });
}

/// An IPv4 or IPv6 address and port from the caller's memory.
fn read_sockaddr(pid: u32, addr: u64, len: u64) -> Option<(std::net::IpAddr, u16)> {
    let len = (len as usize).min(128);
    let mut buf = vec![0u8; len];
    let mut local = [std::io::IoSliceMut::new(&mut buf)];
    let remote = [nix::sys::uio::RemoteIoVec {
        base: addr as usize,
        len,
    }];
    let n = nix::sys::uio::process_vm_readv(
        nix::unistd::Pid::from_raw(pid as i32),
        &mut local,
        &remote,
    )
    .ok()?;
    let buf = &buf[..n];
    let family = u16::from_ne_bytes([*buf.first()?, *buf.get(1)?]) as i32;
    let port = u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]);
    match family {
        libc::AF_INET => {
            let ip: [u8; 4] = buf.get(4..8)?.try_into().ok()?;
            Some((std::net::IpAddr::from(ip), port))
        }
        libc::AF_INET6 => {
            let ip: [u8; 16] = buf.get(8..24)?.try_into().ok()?;
            Some((std::net::IpAddr::from(ip), port))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::namespace::{Grant, Origin, Rights};

    /// While mounts come and go elsewhere (another mount namespace), a lookup through
    /// `..` in a jail's root fails now and then with EAGAIN (about 1 % here, with a
    /// tight mount loop beside it); [`open_in_root`] never passes that on.
    #[test]
    fn a_lookup_in_a_jails_root_outlasts_mounts_elsewhere() {
        let dir = std::env::temp_dir().join(format!("pola-in-root-{}", std::process::id()));
        for d in ["x", "y", "m"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        let target = std::ffi::CString::new(dir.join("m").into_os_string().into_vec()).unwrap();
        // A child in a user and mount namespace of its own that mounts and unmounts
        // a tmpfs without pause: only raw calls after the fork. It says when it has
        // begun (on a loaded machine it may not run at once: the lookups raced nothing,
        // and the test failed as showing nothing).
        let (ready_r, ready_w) = nix::unistd::pipe().unwrap();
        let ready_fd = ready_w.as_raw_fd();
        // SAFETY: the child makes only system calls, then `_exit`s.
        let churner = match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => unsafe {
                if libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) != 0 {
                    libc::_exit(1);
                }
                let tmpfs = c"tmpfs";
                let mut told = false;
                loop {
                    if libc::mount(
                        tmpfs.as_ptr(),
                        target.as_ptr(),
                        tmpfs.as_ptr(),
                        0,
                        std::ptr::null(),
                    ) != 0
                    {
                        libc::_exit(2);
                    }
                    if !told {
                        libc::write(ready_fd, [1u8].as_ptr().cast(), 1);
                        told = true;
                    }
                    libc::umount2(target.as_ptr(), libc::MNT_DETACH);
                }
            },
            nix::unistd::ForkResult::Parent { child } => child,
        };
        drop(ready_w);
        // (Nothing read: it could not make its namespace, and ended.)
        let _ = nix::unistd::read(&ready_r, &mut [0u8; 1]);
        let root = nix::fcntl::open(
            &dir,
            OFlag::O_PATH | OFlag::O_DIRECTORY,
            nix::sys::stat::Mode::empty(),
        )
        .unwrap();
        let how = || {
            OpenHow::new()
                .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
                .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS)
        };
        let path = Path::new("x/../y");
        let (mut plain, mut retried) = (0, 0);
        // At least 100,000, and on until one raced a mount (10 s at most).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut n = 0;
        while n < 100_000 || (plain == 0 && std::time::Instant::now() < deadline) {
            n += 1;
            if nix::fcntl::openat2(&root, path, how()).err() == Some(nix::errno::Errno::EAGAIN) {
                plain += 1;
            }
            if open_in_root(&root, path, how()).is_err() {
                retried += 1;
            }
        }
        let _ = nix::sys::signal::kill(churner, nix::sys::signal::Signal::SIGKILL);
        let churned = nix::sys::wait::waitpid(churner, None);
        let _ = std::fs::remove_dir_all(&dir);
        // Where the churner could not run (no user namespaces), there is nothing to see.
        if !matches!(churned, Ok(nix::sys::wait::WaitStatus::Signaled(..))) {
            eprintln!("no mounts made beside the lookups: {churned:?}");
            return;
        }
        assert!(plain > 0, "no lookup raced a mount: the test shows nothing");
        assert_eq!(retried, 0, "{plain} plain lookups failed with EAGAIN");
    }

    #[test]
    fn holds_nodes_and_what_is_below_grants() {
        let mut ns = Namespace::new();
        ns.insert(
            Path::new("/usr"),
            Entry::Grant(Grant {
                host: "/usr".into(),
                rights: Rights::ReadOnly,
                origin: Origin::Default,
                device: false,
            }),
        )
        .unwrap();
        ns.insert(Path::new("/tmp"), Entry::Tmpfs).unwrap();
        ns.ensure_dir(Path::new("/home/u")).unwrap();
        ns.insert(Path::new("/lib"), Entry::Symlink("usr/lib".into()))
            .unwrap();
        assert!(holds(&ns, Path::new("/lib/x86_64-linux-gnu/libc.so.6")));
        assert!(holds(&ns, Path::new("/usr/bin/python3")));
        assert!(holds(&ns, Path::new("/tmp")));
        assert!(!holds(&ns, Path::new("/tmp/x/y")));
        assert!(holds(&ns, Path::new("/home/u")));
        assert!(!holds(&ns, Path::new("/home/u/notes.txt")));
        assert!(!holds(&ns, Path::new("/etc/shadow")));
    }

    #[test]
    fn paths_are_made_absolute_lexically() {
        assert_eq!(lexical(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(lexical(Path::new("/../x")), PathBuf::from("/x"));
    }
}
