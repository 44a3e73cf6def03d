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
//!
//! So are the sockets of the names granted on the jail's loopback (`offer_named`: the
//! jail's `/etc/hosts` places each name at an address of its own there), for programs
//! that use no proxy.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

use nix::errno::Errno;
use sendfd::SendWithFd;

/// Listen at each of `addresses` (`pola_fileserver::proxy::named_addresses`: a name
/// granted, on the jail's loopback) and send each listening socket to the server, in
/// order; where no socket could listen (the address taken by the proxy's own port), the
/// message alone, so that the server's count holds. Binding a port below 1024 is
/// allowed: PID 1 holds the capabilities of the user namespace that owns the jail's
/// network namespace until the lock.
pub fn offer_named(addresses: &[SocketAddrV4], socket: &UnixStream) -> Result<(), Errno> {
    let tag = [pola_fileserver::launch::NAMED_TAG];
    for addr in addresses {
        let sent = match TcpListener::bind(addr) {
            Ok(listener) => socket.send_with_fd(&tag, &[listener.as_raw_fd()]),
            Err(_) => socket.send_with_fd(&tag, &[]),
        };
        match sent {
            Ok(1) => {}
            Ok(_) => return Err(Errno::EIO),
            Err(e) => return Err(Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))),
        }
    }
    Ok(())
}

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
