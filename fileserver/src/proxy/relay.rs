//! Copying bytes both ways between a jail's connection and the host it reaches, once
//! the proxy let it through: a thread per direction, each ending its half when its
//! source ends (so a client's half-close reaches the server), both cut when either
//! side fails. Both threads use the same two sockets (no descriptor is duplicated:
//! they are what a jail's held connections cost the shell).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};

/// What one read moves at most.
const CHUNK: usize = 128 * 1024;

/// Relay until both directions are done. The server's side flows at once; the
/// client's only after `first` (given the client) returns the bytes to send up first,
/// or cuts both with `None`.
pub(super) fn both(
    client: &TcpStream,
    upstream: &TcpStream,
    first: impl FnOnce(&TcpStream) -> Option<Vec<u8>>,
) {
    std::thread::scope(|scope| {
        let back = std::thread::Builder::new()
            .name("pola-proxy".into())
            .stack_size(64 * 1024)
            .spawn_scoped(scope, || pump(upstream, client));
        if back.is_err() {
            cut(client, upstream);
            return;
        }
        match first(client) {
            Some(bytes) if (&*upstream).write_all(&bytes).is_ok() => pump(client, upstream),
            _ => cut(client, upstream),
        }
    });
}

/// Relay one way, until `from` ends (then `to` is told) or either side fails (then
/// both are cut).
pub(super) fn one_way(from: &TcpStream, to: &TcpStream) {
    pump(from, to);
}

fn cut(a: &TcpStream, b: &TcpStream) {
    let _ = a.shutdown(Shutdown::Both);
    let _ = b.shutdown(Shutdown::Both);
}

fn pump(mut from: &TcpStream, mut to: &TcpStream) {
    let mut buf = vec![0u8; CHUNK];
    loop {
        match from.read(&mut buf) {
            Ok(0) => {
                let _ = to.shutdown(Shutdown::Write);
                return;
            }
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    cut(from, to);
}
