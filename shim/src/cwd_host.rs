//! `pola-shim --cwd-host`: the one FUSE mount of hints' working-directory skeletons
//! for all of a shell's jails (see `pola_fileserver::cwd_host`).
//!
//! Enters a user namespace (the shell's uid and gid) and a mount namespace of its own,
//! mounts a FUSE connection on its private `/tmp`, sends the connection to the shell,
//! and then, for each key the shell names, sends back a detached copy of that one
//! directory. It touches nothing else: the shell serves the file system.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::{open, OFlag};
use nix::mount::{mount, MsFlags};
use nix::sys::stat::Mode;
use pola_fileserver::cwd_host::{self, COPY, MOUNTED, MOUNT_POINT, NOT_MOUNTED, NO_COPY};
use pola_fileserver::launch::SHIM_SOCKET_FD;

use crate::{namespaces, sys};

/// Serve the shell until it closes the socket (or dies: the host dies with it).
pub fn serve() -> ! {
    if !sys::die_with_launcher() {
        std::process::exit(125);
    }
    sys::close_from(SHIM_SOCKET_FD as u32 + 1);
    let _ = nix::unistd::chdir("/");
    let dev = match mount_fuse() {
        Ok(dev) => dev,
        Err(_) => {
            let _ = cwd_host::send(SHIM_SOCKET_FD, &[NOT_MOUNTED], None);
            std::process::exit(0);
        }
    };
    if cwd_host::send(SHIM_SOCKET_FD, &[MOUNTED], Some(dev.as_fd())).is_err() {
        std::process::exit(0);
    }
    drop(dev);
    let socket = SHIM_SOCKET_FD;
    loop {
        let mut name = [0u8; 32];
        let n = match nix::sys::socket::recv(socket, &mut name, nix::sys::socket::MsgFlags::empty())
        {
            Ok(0) => std::process::exit(0),
            Ok(n) => n,
            Err(Errno::EINTR) => continue,
            Err(_) => std::process::exit(0),
        };
        let sent = match copy(&name[..n]) {
            Ok(tree) => cwd_host::send(socket, &[COPY], Some(tree.as_fd())),
            Err(_) => cwd_host::send(socket, &[NO_COPY], None),
        };
        if sent.is_err() {
            std::process::exit(0);
        }
    }
}

/// A user and mount namespace of this process's own, and the FUSE connection mounted
/// in it (the shell answers its first request once it has the connection).
fn mount_fuse() -> Result<OwnedFd, Errno> {
    let (uid, gid) = (
        nix::unistd::getuid().as_raw(),
        nix::unistd::getgid().as_raw(),
    );
    namespaces::enter_user(uid, gid).map_err(|_| Errno::EPERM)?;
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)?;
    // Nothing mounted here may reach the namespace it was copied from.
    sys::make_private()?;
    let dev = open("/dev/fuse", OFlag::O_RDWR | OFlag::O_CLOEXEC, Mode::empty())?;
    let options = format!(
        "fd={},rootmode=40555,user_id={uid},group_id={gid}",
        dev.as_raw_fd()
    );
    mount(
        Some("pola-cwd"),
        MOUNT_POINT,
        Some("fuse"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(options.as_str()),
    )?;
    Ok(dev)
}

/// A detached copy of the directory `name` (a key, in hex) of the file system.
fn copy(name: &[u8]) -> Result<OwnedFd, Errno> {
    if name.is_empty() || !name.iter().all(u8::is_ascii_hexdigit) {
        return Err(Errno::EINVAL);
    }
    let name = std::str::from_utf8(name).map_err(|_| Errno::EINVAL)?;
    let dir = open(
        format!("{MOUNT_POINT}/{name}").as_str(),
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    sys::clone_tree(dir.as_fd())
}
