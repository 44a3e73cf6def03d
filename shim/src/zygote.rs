//! `pola-shim --zygote`: the shell's shim factory (see `pola_fileserver::zygote`).
//!
//! Enters the user namespace once, then for each request forks a copy of itself
//! (`clone(CLONE_PARENT)`, a child of the shell) that puts the request's descriptors
//! in place, joins the process group, takes the umask, and goes on as a shim that was
//! just started: from `crate::shim`, reading the plan from its socket.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::errno::Errno;
use pola_fileserver::launch::{stage, SHIM_SOCKET_FD};
use pola_fileserver::zygote::{self, Request};

use crate::namespaces;
use crate::sys::{self, Forked};

/// Serve the shell until it closes the socket (or dies: the zygote dies with it).
pub fn serve() -> ! {
    if !sys::die_with_launcher() {
        std::process::exit(125);
    }
    sys::close_from(SHIM_SOCKET_FD as u32 + 1);
    let _ = nix::unistd::chdir("/");
    // Every jail's user namespace maps the shell's own uid and gid; make it once. If
    // that fails, each shim tries again itself and reports why.
    let (uid, gid) = (
        nix::unistd::getuid().as_raw(),
        nix::unistd::getgid().as_raw(),
    );
    if namespaces::enter_user(uid, gid).is_ok() {
        namespaces::entered(uid, gid);
        namespaces::prepare_network();
    }
    loop {
        let (request, fds) = match zygote::receive(SHIM_SOCKET_FD) {
            Ok(Some(received)) => received,
            Ok(None) => std::process::exit(0),
            Err(Errno::EINTR) => continue,
            Err(errno) => {
                zygote::reply(SHIM_SOCKET_FD, Err(errno));
                continue;
            }
        };
        match sys::clone_parent() {
            Ok(Forked::Child) => {
                if let Err(errno) = become_shim(&request, fds) {
                    eprintln!("pola-shim: cannot take the command's descriptors: {errno}");
                    std::process::exit(125);
                }
                crate::shim();
            }
            Ok(Forked::Parent(pid)) => {
                drop(fds);
                zygote::reply(SHIM_SOCKET_FD, Ok(pid));
                // That jail has the network namespace; make the next one's now.
                namespaces::prepare_network();
            }
            Err(errno) => zygote::reply(SHIM_SOCKET_FD, Err(errno)),
        }
    }
}

/// In the copy: what `posix_spawn` would have done, from the request.
fn become_shim(request: &Request, fds: Vec<OwnedFd>) -> Result<(), Errno> {
    // The zygote's socket is not the jail's business.
    // SAFETY: closing a descriptor this copy owns; the shim socket is set below.
    unsafe { libc::close(SHIM_SOCKET_FD) };
    let staged = stage(fds.iter().map(|fd| fd.as_fd()))?;
    drop(fds);
    let mut staged = staged.into_iter();
    let socket = staged.next().ok_or(Errno::EINVAL)?;
    // SAFETY: dup2 onto numbers the request names; the originals stay owned here.
    Errno::result(unsafe { libc::dup2(socket.as_raw_fd(), SHIM_SOCKET_FD) })?;
    for (target, fd) in request.targets.iter().zip(staged) {
        // SAFETY: as above.
        Errno::result(unsafe { libc::dup2(fd.as_raw_fd(), i32::from(*target)) })?;
    }
    for target in 0..16 {
        if request.closed & (1 << target) != 0 {
            // SAFETY: the command must find this descriptor closed.
            unsafe { libc::close(target) };
        }
    }
    let group = nix::unistd::Pid::from_raw(request.pgid);
    nix::unistd::setpgid(nix::unistd::Pid::from_raw(0), group)?;
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(request.umask));
    Ok(())
}
