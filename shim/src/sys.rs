//! Raw system calls that no crate wraps: the new mount API and loopback bring-up.
//!
//! - `fsopen`/`fsconfig`/`fsmount` make a tmpfs with a size, detached: the jail's one
//!   scratch file system, from which its private directories are bound.
//! - `open_tree(OPEN_TREE_CLONE|AT_RECURSIVE)` copies the mount tree under an already
//!   opened (and witnessed) descriptor into a detached mount, so what gets mounted is
//!   exactly the object that was checked, not whatever a path names a moment later.
//! - `mount_setattr(AT_RECURSIVE)` makes a whole tree read-only, nosuid, nodev in one
//!   call, including its submounts (the old `MS_REMOUNT` cannot do that).
//! - `move_mount` attaches the detached tree at a target descriptor that was opened
//!   with `RESOLVE_NO_SYMLINKS`, so no symlink can redirect the mount point.
//!
//! Each wrapper is a single `syscall(2)`; the structs follow `linux/mount.h`. Besides,
//! `random_page`: an anonymous page at an address chosen at random (`getrandom(2)`,
//! `mmap(MAP_FIXED_NOREPLACE)`).

use std::ffi::CString;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd};

use nix::errno::Errno;

const OPEN_TREE_CLONE: libc::c_uint = 1;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x04;
const MOVE_MOUNT_T_EMPTY_PATH: libc::c_uint = 0x40;

pub const MOUNT_ATTR_RDONLY: u64 = 0x01;
pub const MOUNT_ATTR_NOSUID: u64 = 0x02;
pub const MOUNT_ATTR_NODEV: u64 = 0x04;
pub const MOUNT_ATTR_NOEXEC: u64 = 0x08;

/// `struct mount_attr` from `linux/mount.h` (MOUNT_ATTR_SIZE_VER0).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

fn empty() -> CString {
    CString::default()
}

/// A detached copy of the mount tree at `fd` (recursively).
pub fn clone_tree(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    let path = empty();
    // SAFETY: `path` is a valid NUL-terminated string for the call's duration; the
    // returned descriptor is new and owned by nobody else.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            fd.as_raw_fd(),
            path.as_ptr(),
            OPEN_TREE_CLONE
                | libc::O_CLOEXEC as libc::c_uint
                | libc::AT_EMPTY_PATH as libc::c_uint
                | libc::AT_RECURSIVE as libc::c_uint,
        )
    };
    let fd = Errno::result(ret)?;
    // SAFETY: the kernel returned a fresh descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Set mount attributes on the mount at `fd`, and on all mounts below it if `recursive`.
pub fn set_attr(fd: BorrowedFd<'_>, set: u64, recursive: bool) -> Result<(), Errno> {
    let attr = MountAttr {
        attr_set: set,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    let path = empty();
    let mut flags = libc::AT_EMPTY_PATH as libc::c_uint;
    if recursive {
        flags |= libc::AT_RECURSIVE as libc::c_uint;
    }
    // SAFETY: `attr` and `path` outlive the call; the size passed is the struct's.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            fd.as_raw_fd(),
            path.as_ptr(),
            flags,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    Errno::result(ret).map(drop)
}

/// Attach the detached mount `tree` on top of the object `target` refers to.
pub fn attach(tree: BorrowedFd<'_>, target: BorrowedFd<'_>) -> Result<(), Errno> {
    let path = empty();
    // SAFETY: both descriptors are valid for the call; the paths are empty strings.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_raw_fd(),
            path.as_ptr(),
            target.as_raw_fd(),
            path.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH,
        )
    };
    Errno::result(ret).map(drop)
}

const FSOPEN_CLOEXEC: libc::c_uint = 1;
const FSCONFIG_SET_STRING: libc::c_uint = 1;
const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
const FSMOUNT_CLOEXEC: libc::c_uint = 1;

/// A new detached tmpfs with `options` (`size`, `nr_inodes`, `mode`), its mount with
/// the `attrs` (`MOUNT_ATTR_*`).
pub fn new_tmpfs(options: &[(&str, String)], attrs: u64) -> Result<OwnedFd, Errno> {
    let owned = |ret: libc::c_long| -> Result<OwnedFd, Errno> {
        let fd = Errno::result(ret)?;
        // SAFETY: the kernel returned a fresh descriptor.
        Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
    };
    let fstype = CString::new("tmpfs").expect("no NUL");
    // SAFETY: `fstype` is a valid NUL-terminated string for the call's duration.
    let fs = owned(unsafe { libc::syscall(libc::SYS_fsopen, fstype.as_ptr(), FSOPEN_CLOEXEC) })?;
    for (key, value) in options {
        let key = CString::new(*key).map_err(|_| Errno::EINVAL)?;
        let value = CString::new(value.as_str()).map_err(|_| Errno::EINVAL)?;
        // SAFETY: both strings outlive the call; the last argument must be 0.
        Errno::result(unsafe {
            libc::syscall(
                libc::SYS_fsconfig,
                fs.as_raw_fd(),
                FSCONFIG_SET_STRING,
                key.as_ptr(),
                value.as_ptr(),
                0,
            )
        })?;
    }
    // SAFETY: no pointers; CMD_CREATE takes null key and value.
    Errno::result(unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            fs.as_raw_fd(),
            FSCONFIG_CMD_CREATE,
            std::ptr::null::<libc::c_char>(),
            std::ptr::null::<libc::c_char>(),
            0,
        )
    })?;
    // SAFETY: integer arguments only.
    owned(unsafe { libc::syscall(libc::SYS_fsmount, fs.as_raw_fd(), FSMOUNT_CLOEXEC, attrs) })
}

/// Bring the loopback interface of the current network namespace up.
pub fn loopback_up() -> Result<(), Errno> {
    // SAFETY: plain socket(2); the result is checked and owned below.
    let sock = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    let sock = Errno::result(sock)?;
    // SAFETY: fresh descriptor from socket(2).
    let sock = unsafe { OwnedFd::from_raw_fd(sock) };
    // SAFETY: ifreq is plain old data; zero is a valid value for every field.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as libc::c_char;
    }
    // SAFETY: `req` is a valid ifreq for SIOCGIFFLAGS/SIOCSIFFLAGS, which read and
    // write only `ifr_name` and `ifru_flags`.
    unsafe {
        Errno::result(libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req))?;
        req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
        Errno::result(libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req))?;
    }
    Ok(())
}

/// Close every descriptor from `first` up.
/// Make every mount of this mount namespace private: nothing mounted here afterwards
/// propagates to the namespace it was copied from.
pub fn make_private() -> Result<(), Errno> {
    nix::mount::mount(
        None::<&str>,
        "/",
        None::<&str>,
        nix::mount::MsFlags::MS_REC | nix::mount::MsFlags::MS_PRIVATE,
        None::<&str>,
    )
}

pub fn close_from(first: u32) {
    // SAFETY: close_range only closes descriptors; callers own nothing above `first`.
    unsafe {
        libc::close_range(first, u32::MAX, 0);
    }
}

/// Close `fds`, a run of consecutive numbers at a time (`close_range`): a jail's
/// witnesses, some sixty descriptors received together, cost as many `close` calls on
/// PID 1's way to the command otherwise.
pub fn close_all(fds: Vec<OwnedFd>) {
    let mut raw: Vec<i32> = fds.into_iter().map(IntoRawFd::into_raw_fd).collect();
    raw.sort_unstable();
    let mut i = 0;
    while i < raw.len() {
        let mut j = i;
        while j + 1 < raw.len() && raw[j + 1] == raw[j] + 1 {
            j += 1;
        }
        // SAFETY: these descriptors were owned by `fds` (given up by into_raw_fd) and
        // the run holds nothing else.
        unsafe { libc::close_range(raw[i] as u32, raw[j] as u32, 0) };
        i = j + 1;
    }
}

/// A close-on-exec pipe numbered above every descriptor a shim is given (0–9 and its
/// socket), so that putting a request's descriptors in place cannot clobber it (a
/// warm jail's, made before its request: `crate::warm`).
pub fn pipe_high() -> Result<(OwnedFd, OwnedFd), Errno> {
    let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
    Ok((high(read)?, high(write)?))
}

/// `fd`, renumbered as [`pipe_high`]'s are.
/// `len` bytes (rounded up to pages) of fresh, writable memory at a random address
/// between 4 GiB and 64 TiB, never unmapped: `None` if none could be had (no random
/// bytes, or the address chosen is taken).
pub fn random_page(len: usize) -> Option<std::ptr::NonNull<u8>> {
    const PAGE: u64 = 4096;
    const LOW: u64 = 1 << 32;
    const HIGH: u64 = 1 << 46;
    let mut random = [0u8; 8];
    // SAFETY: getrandom writes at most `random.len()` bytes into it.
    let got = unsafe { libc::getrandom(random.as_mut_ptr().cast(), random.len(), 0) };
    if got != random.len() as isize {
        return None;
    }
    let at = (LOW + u64::from_ne_bytes(random) % (HIGH - LOW)) & !(PAGE - 1);
    let len = (len as u64).div_ceil(PAGE) * PAGE;
    // SAFETY: an anonymous private mapping at an address nothing else uses
    // (MAP_FIXED_NOREPLACE fails rather than replace a mapping).
    let page = unsafe {
        libc::mmap(
            at as *mut libc::c_void,
            len as usize,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE,
            -1,
            0,
        )
    };
    // Kernels before 4.17 take the flag as a hint and may map elsewhere.
    if page == libc::MAP_FAILED || page as u64 != at {
        if page != libc::MAP_FAILED {
            // SAFETY: unmapping the mapping just made, which nothing else uses.
            unsafe { libc::munmap(page, len as usize) };
        }
        return None;
    }
    std::ptr::NonNull::new(page.cast::<u8>())
}

/// This process's mount namespace, open (close-on-exec): for `setns` later, or to give.
pub fn mount_namespace() -> Result<OwnedFd, Errno> {
    nix::fcntl::open(
        "/proc/self/ns/mnt",
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
}

pub fn high(fd: OwnedFd) -> Result<OwnedFd, Errno> {
    let first = pola_fileserver::launch::SHIM_SOCKET_FD + 1;
    if fd.as_raw_fd() >= first {
        return Ok(fd);
    }
    let moved = nix::fcntl::fcntl(&fd, nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(first))?;
    // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor that only this owns.
    Ok(unsafe { OwnedFd::from_raw_fd(moved) })
}

/// Close every descriptor from `first` up but those in `keep`.
pub fn close_from_except(first: u32, keep: &[Option<i32>]) {
    let mut keep: Vec<u32> = keep
        .iter()
        .flatten()
        .filter_map(|k| u32::try_from(*k).ok())
        .filter(|k| *k >= first)
        .collect();
    keep.sort_unstable();
    keep.dedup();
    let mut from = first;
    for k in keep {
        if k > from {
            // SAFETY: as `close_from`; the kept descriptors are left open for their owners.
            unsafe { libc::close_range(from, k - 1, 0) };
        }
        from = k.saturating_add(1);
    }
    close_from(from);
}

/// Be killed when the launcher (the shell, pola-run) dies, and make sure it has not
/// died already: once the death signal is armed, the parent is still the launcher named
/// in `$POLA_LAUNCHER` or it is gone. False if it is gone.
pub fn die_with_launcher() -> bool {
    die_with_parent(
        std::env::var(pola_fileserver::launch::LAUNCHER_ENV)
            .ok()
            .and_then(|v| v.parse::<i32>().ok()),
    )
}

/// The type of the socket at descriptor number `fd` (`SOCK_SEQPACKET`, …); `None` if
/// `fd` is not an open socket. Asked of the number itself: it may be closed.
pub fn socket_type(fd: i32) -> Option<libc::c_int> {
    let mut kind: libc::c_int = 0;
    let mut size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `size` bytes into `kind`; a number that is not
    // an open socket only makes it fail (EBADF, ENOTSOCK).
    let asked = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&mut kind as *mut libc::c_int).cast(),
            &mut size,
        )
    };
    (asked == 0).then_some(kind)
}

/// Be killed when the parent dies, and make sure it has not died already: once the
/// death signal is armed, the parent is still `parent` (if named). False if it is gone.
pub fn die_with_parent(parent: Option<i32>) -> bool {
    // SAFETY: PR_SET_PDEATHSIG takes an integer argument and touches no memory.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) } < 0 {
        return false;
    }
    parent.is_none_or(|p| nix::unistd::getppid().as_raw() == p)
}

pub enum Forked {
    Parent(nix::unistd::Pid),
    Child,
}

/// `fork(2)`. The shim is single-threaded everywhere it forks, so the child may run
/// arbitrary code.
pub fn fork() -> Result<Forked, Errno> {
    // SAFETY: the shim never starts threads, so the child's state is consistent.
    match unsafe { nix::unistd::fork() }? {
        nix::unistd::ForkResult::Parent { child } => Ok(Forked::Parent(child)),
        nix::unistd::ForkResult::Child => Ok(Forked::Child),
    }
}

/// Make this process undumpable: nothing in the jail may ptrace or read the memory of
/// PID 1, which keeps the socket to the fileserver.
pub fn set_undumpable() -> Result<(), Errno> {
    // SAFETY: PR_SET_DUMPABLE takes an integer argument and touches no memory.
    Errno::result(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) }).map(drop)
}

/// `PR_SET_NO_NEW_PRIVS`: no `execve` can grant privileges again (setuid, file caps).
pub fn set_no_new_privs() -> Result<(), Errno> {
    // SAFETY: PR_SET_NO_NEW_PRIVS takes integer arguments and touches no memory.
    Errno::result(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }).map(drop)
}

/// `clone(CLONE_NEWPID)` with fork semantics: the child is PID 1 of a new PID namespace,
/// and this process's own children stay in its namespace (`unshare(CLONE_NEWPID)`
/// would put them all in the new one, and cannot be undone or done twice). A warm
/// jail's PID 1 is forked so (`crate::warm`): should it die while it waits, its copy
/// can still make a jail the usual way.
pub fn fork_into_new_pid_namespace() -> Result<Forked, Errno> {
    clone_forking(libc::CLONE_NEWPID)
}

/// `clone(CLONE_PARENT)` with fork semantics (a copy of this process on a copy of its
/// stack): the copy is a child of this process's parent, the shell, which waits for it
/// as for a shim it spawned. Only the zygote calls it; it is single-threaded, so the
/// copy's memory (allocator, stdio) is consistent. glibc does not know about this
/// process: its cached thread id is the zygote's, so the copy must not use pthread
/// calls that rely on it (`pthread_kill`, `raise`); the shim uses none.
pub fn clone_parent() -> Result<Forked, Errno> {
    clone_forking(libc::CLONE_PARENT)
}

/// `clone(flags | SIGCHLD)` with fork semantics. The callers are single-threaded.
fn clone_forking(flags: libc::c_int) -> Result<Forked, Errno> {
    let flags = (flags | libc::SIGCHLD) as libc::c_ulong;
    // SAFETY: with no new stack and no shared memory, clone returns in both processes
    // like fork; the pointer arguments are null.
    let ret = unsafe { libc::syscall(libc::SYS_clone, flags, 0usize, 0usize, 0usize, 0usize) };
    match Errno::result(ret)? {
        0 => Ok(Forked::Child),
        pid => Ok(Forked::Parent(nix::unistd::Pid::from_raw(pid as i32))),
    }
}

/// What the child of [`spawn`] does before its `execve`, all of it prepared by the
/// parent: the child shares the parent's memory and may not allocate.
pub struct SpawnPlan<'a> {
    pub path: &'a std::ffi::CStr,
    /// NULL-terminated arrays of pointers to NUL-terminated strings.
    pub argv: &'a [*const libc::c_char],
    pub envp: &'a [*const libc::c_char],
    /// `(from, to)`: `from` as descriptor `to`, without close-on-exec (and `from`
    /// closed).
    pub dup: Option<(i32, i32)>,
    /// Lead a process group of its own, and with `Some(fd)` make it the foreground
    /// job of the terminal `fd` (signals still blocked, so no SIGTTOU stops it).
    pub leader: Option<Option<i32>>,
    /// Signals whose disposition goes back to the default (an ignored one would
    /// survive `execve`).
    pub defaults: &'a [libc::c_int],
    /// Resource limits of the program alone (the user's `ulimit`s).
    pub rlimits: &'a [(u32, libc::rlimit)],
}

/// Start `plan.path` as a child sharing this process's memory until its `execve`
/// (`CLONE_VM | CLONE_VFORK`, as `posix_spawn`), with every signal unblocked in it.
/// Returns once the program runs, or with the error its `execve` (or a step before)
/// failed with.
///
/// glibc's `posix_spawn` makes ~130 system calls in the child before `execve` (it asks
/// for and resets the disposition of each of the 64 signals), every one through the
/// jail's seccomp filters when PID 1 starts the command: here the child makes only the
/// calls `plan` asks for. Handlers need no reset: PID 1 installs none (the Rust
/// runtime's SIGSEGV/SIGBUS ones are reset too: `execve` resets handlers itself, but a
/// fault before it must not run a handler on the parent's memory), and every signal
/// stays blocked in the child until just before `execve`.
pub fn spawn(plan: &SpawnPlan<'_>) -> Result<nix::unistd::Pid, Errno> {
    use std::sync::atomic::{AtomicI32, Ordering};
    struct Shared<'p, 'a> {
        plan: &'p SpawnPlan<'a>,
        mask: libc::sigset_t,
        errno: AtomicI32,
    }
    extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` is the parent's `Shared`, alive until this child has exec'd or
        // exited (CLONE_VFORK); only the atomic is written. Every call below is a
        // system call wrapper that neither allocates nor takes a lock.
        unsafe {
            let shared = &*(arg as *const Shared<'_, '_>);
            let plan = shared.plan;
            let fail = |shared: &Shared<'_, '_>| -> libc::c_int {
                shared
                    .errno
                    .store(*libc::__errno_location(), Ordering::Relaxed);
                libc::_exit(127)
            };
            let mut default: libc::sigaction = std::mem::zeroed();
            default.sa_sigaction = libc::SIG_DFL;
            for &sig in plan.defaults {
                if libc::sigaction(sig, &default, std::ptr::null_mut()) != 0 {
                    return fail(shared);
                }
            }
            if let Some(terminal) = plan.leader {
                if libc::setpgid(0, 0) != 0 {
                    return fail(shared);
                }
                if let Some(fd) = terminal {
                    if libc::tcsetpgrp(fd, libc::getpid()) != 0 {
                        return fail(shared);
                    }
                }
            }
            if let Some((from, to)) = plan.dup {
                let done = match from == to {
                    true => libc::fcntl(to, libc::F_SETFD, 0),
                    // The original is not the command's (it may lack close-on-exec).
                    false => match libc::dup2(from, to) {
                        -1 => -1,
                        _ => libc::close(from),
                    },
                };
                if done < 0 {
                    return fail(shared);
                }
            }
            for (resource, limit) in plan.rlimits {
                if libc::setrlimit(*resource as _, limit) != 0 {
                    return fail(shared);
                }
            }
            if libc::sigprocmask(libc::SIG_SETMASK, &shared.mask, std::ptr::null_mut()) != 0 {
                return fail(shared);
            }
            libc::execve(plan.path.as_ptr(), plan.argv.as_ptr(), plan.envp.as_ptr());
            fail(shared)
        }
    }
    if plan.argv.last() != Some(&std::ptr::null()) || plan.envp.last() != Some(&std::ptr::null()) {
        return Err(Errno::EINVAL);
    }
    const STACK: usize = 64 * 1024;
    // SAFETY: a fresh anonymous mapping, unmapped below once the child is done with it.
    let stack = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            STACK,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
            -1,
            0,
        )
    };
    if stack == libc::MAP_FAILED {
        return Err(Errno::last());
    }
    // SAFETY: an all-zero sigset_t is valid storage for sigemptyset/sigfillset.
    let (mut all, mut old): (libc::sigset_t, libc::sigset_t) = unsafe { std::mem::zeroed() };
    let mut shared = Shared {
        plan,
        // SAFETY: as above.
        mask: unsafe { std::mem::zeroed() },
        errno: AtomicI32::new(0),
    };
    // SAFETY: plain signal-set and mask calls on storage owned here; the child runs
    // `child` on its own stack (the top of the mapping: stacks grow down) with
    // `shared` as argument, and this process is suspended until it has exec'd or
    // exited, so `shared` and the stack outlive every use by it.
    let pid = unsafe {
        libc::sigemptyset(&mut shared.mask);
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        let pid = libc::clone(
            child,
            stack.cast::<u8>().add(STACK).cast(),
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (&mut shared as *mut Shared<'_, '_>).cast(),
        );
        let errno = Errno::last();
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        libc::munmap(stack, STACK);
        if pid < 0 {
            return Err(errno);
        }
        nix::unistd::Pid::from_raw(pid)
    };
    match shared.errno.load(Ordering::Relaxed) {
        0 => Ok(pid),
        errno => {
            let _ = nix::sys::wait::waitpid(pid, None);
            Err(Errno::from_raw(errno))
        }
    }
}

/// End this process with `status` at once: without `exit`'s handlers and the dynamic
/// loader's destructors, which in a process forked from the zygote only fault in
/// copies of pages to tear them down again (PID 1 and the shim, on the way from the
/// command's end to the shell's). Nothing of theirs is buffered: messages go to stderr
/// unbuffered and reports straight to the socket.
pub fn leave(status: i32) -> ! {
    // SAFETY: _exit ends the process; nothing after it runs.
    unsafe { libc::_exit(status) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(fd: i32) -> bool {
        // SAFETY: F_GETFD only reads the descriptor's flags.
        (unsafe { libc::fcntl(fd, libc::F_GETFD) }) >= 0
    }

    #[test]
    fn close_all_closes_exactly_the_given_descriptors() {
        let null = || std::fs::File::open("/dev/null").unwrap();
        let all: Vec<OwnedFd> = (0..6).map(|_| OwnedFd::from(null())).collect();
        let numbers: Vec<i32> = all.iter().map(AsRawFd::as_raw_fd).collect();
        // Every other one stays: runs of one, and a gap the ranges must not cross.
        let (gone, kept): (Vec<_>, Vec<_>) = all
            .into_iter()
            .enumerate()
            .partition(|(i, _)| *i != 2 && *i != 4);
        let gone: Vec<OwnedFd> = gone.into_iter().map(|(_, fd)| fd).collect();
        close_all(gone);
        for (i, n) in numbers.iter().enumerate() {
            assert_eq!(open(*n), i == 2 || i == 4, "descriptor {n}");
        }
        drop(kept);
    }
}
