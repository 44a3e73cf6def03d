//! The jail's end of its network proxy (`pola_fileserver::proxy`), for a jail granted
//! hosts by name (`@net:pypi.org`).
//!
//! Such a jail keeps its private network namespace: nothing but loopback, so a program
//! that ignores the proxy variables has no route anywhere (SECURITY.md 13). The only
//! way out is a listening socket on the jail's own loopback, made here by PID 1 before
//! the command exists and handed to the server at once: the server accepts on it from a
//! thread of its own (an accepted socket works from any namespace) and connects only to
//! what was granted. PID 1 keeps no copy, so nothing in the jail can accept on it,
//! close it or listen in its place; the port stays taken for as long as the server
//! holds it.

use std::net::{Ipv4Addr, TcpListener};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

use nix::errno::Errno;
use sendfd::SendWithFd;

/// Listen on `127.0.0.1:port` in the jail's network namespace and send the listening
/// socket to the server on `socket`.
pub fn offer(port: u16, socket: &UnixStream) -> Result<(), Errno> {
    let errno = |e: std::io::Error| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO));
    // std sets SO_REUSEADDR, never SO_REUSEPORT: no other socket can share the port.
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(errno)?;
    let tag = [pola_fileserver::launch::PROXY_TAG];
    match socket.send_with_fd(&tag, &[listener.as_raw_fd()]) {
        Ok(1) => Ok(()),
        Ok(_) => Err(Errno::EIO),
        Err(e) => Err(errno(e)),
    }
}
