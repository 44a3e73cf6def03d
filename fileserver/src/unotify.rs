//! The seccomp user-notification ioctls, raw: receive a notification, check it is
//! still live, answer it, or answer it with a descriptor.
//!
//! This is the fileserver's one module of raw system calls. libseccomp wraps the first
//! three but allocates and probes the kernel's structure sizes on every call (tens of
//! microseconds per `open()` of a mediated command) and has no `ADDFD`; the kernel
//! structures are fixed-size and in the `libc` crate, so the ioctls are called directly.
//! See seccomp_unotify(2).

use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

use nix::errno::Errno;

/// One intercepted system call.
#[derive(Clone, Copy, Debug)]
pub struct Notification {
    /// The kernel's cookie for this call; every answer names it.
    pub id: u64,
    /// The caller, in the listener's PID namespace.
    pub pid: u32,
    pub nr: libc::c_long,
    pub args: [u64; 6],
}

/// Ask the kernel to hand the CPU straight over between the command and the server
/// on each notification and answer (`SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP`, Linux 6.6),
/// instead of waking an idle CPU each way: most of a mediated call's cost on a virtual
/// machine. An older kernel refuses; the listener works as before.
pub fn set_sync_wakeup(listener: BorrowedFd) -> Result<(), Errno> {
    const SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: u64 = 1;
    // SAFETY: the ioctl takes the flags as its integer argument.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_SET_FLAGS as _,
            SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP,
        )
    };
    Errno::result(r).map(drop)
}

/// Wait for the next notification. `ENOENT` means the caller went away between the
/// wake-up and the receive; callers go on to the next one.
pub fn receive(listener: BorrowedFd) -> Result<Notification, Errno> {
    // SAFETY: seccomp_notif is plain data; the kernel requires it zeroed on entry.
    let mut req: libc::seccomp_notif = unsafe { std::mem::zeroed() };
    // SAFETY: the ioctl writes one seccomp_notif into `req`, which is that size.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_RECV as _,
            &mut req,
        )
    };
    Errno::result(r)?;
    Ok(Notification {
        id: req.id,
        pid: req.pid,
        nr: req.data.nr as libc::c_long,
        args: req.data.args,
    })
}

/// Whether notification `id` still stands for a caller blocked in that call (not
/// answered, not killed). Anything read from the caller's memory before this check
/// returned `Ok` came from that caller, not from a process that reused its PID.
pub fn id_valid(listener: BorrowedFd, id: u64) -> Result<(), Errno> {
    // SAFETY: the ioctl reads one u64 from the pointer.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_ID_VALID as _,
            &id,
        )
    };
    Errno::result(r).map(drop)
}

fn send(listener: BorrowedFd, mut resp: libc::seccomp_notif_resp) -> Result<(), Errno> {
    // SAFETY: the ioctl reads one seccomp_notif_resp from the pointer.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_SEND as _,
            &mut resp,
        )
    };
    Errno::result(r).map(drop)
}

/// Let the kernel carry out the call as the caller made it (in the caller's
/// namespaces: for a jail, its mount namespace decides).
pub fn answer_continue(listener: BorrowedFd, id: u64) -> Result<(), Errno> {
    send(
        listener,
        libc::seccomp_notif_resp {
            id,
            val: 0,
            error: 0,
            flags: libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32,
        },
    )
}

/// The call returns `val` (the server carried it out itself).
pub fn answer_value(listener: BorrowedFd, id: u64, val: i64) -> Result<(), Errno> {
    send(
        listener,
        libc::seccomp_notif_resp {
            id,
            val,
            error: 0,
            flags: 0,
        },
    )
}

/// Fail the call with `errno`.
pub fn answer_error(listener: BorrowedFd, id: u64, errno: Errno) -> Result<(), Errno> {
    send(
        listener,
        libc::seccomp_notif_resp {
            id,
            val: 0,
            error: -(errno as i32),
            flags: 0,
        },
    )
}

/// Put a duplicate of `fd` into the caller and, in the same step, answer the call
/// with its number there (`SECCOMP_ADDFD_FLAG_SEND`), close-on-exec if `cloexec`.
/// The kernel refuses (`ENOENT`) if the notification is no longer live, so a dead
/// caller, or a process that reused its PID, never gets the descriptor.
pub fn answer_with_fd(
    listener: BorrowedFd,
    id: u64,
    fd: RawFd,
    cloexec: bool,
) -> Result<RawFd, Errno> {
    let addfd = libc::seccomp_notif_addfd {
        id,
        flags: libc::SECCOMP_ADDFD_FLAG_SEND as u32,
        srcfd: fd as u32,
        newfd: 0,
        newfd_flags: if cloexec { libc::O_CLOEXEC as u32 } else { 0 },
    };
    // SAFETY: the ioctl reads one seccomp_notif_addfd from the pointer.
    let r = unsafe {
        libc::ioctl(
            listener.as_raw_fd(),
            libc::SECCOMP_IOCTL_NOTIF_ADDFD as _,
            &addfd,
        )
    };
    Errno::result(r)
}
