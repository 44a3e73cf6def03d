//! Copying bytes both ways between a jail's connection and the host it reaches, once
//! the proxy let it through: a thread per direction, each ending its half when its
//! source ends (so a client's half-close reaches the server), both cut when either
//! side fails.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};

/// What one read moves at most.
const CHUNK: usize = 128 * 1024;

/// Relay until both directions are done.
pub(super) fn both(client: TcpStream, upstream: TcpStream) {
    let (Ok(c2), Ok(u2)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let back = std::thread::Builder::new()
        .name("pola-proxy".into())
        .stack_size(64 * 1024)
        .spawn(move || pump(u2, c2));
    match back {
        Ok(back) => {
            pump(client, upstream);
            let _ = back.join();
        }
        Err(_) => {
            let _ = client.shutdown(Shutdown::Both);
            let _ = upstream.shutdown(Shutdown::Both);
        }
    }
}

/// Relay one way, until `from` ends (then `to` is told) or either side fails (then
/// both are cut).
pub(super) fn one_way(from: TcpStream, to: TcpStream) {
    pump(from, to);
}

fn pump(mut from: TcpStream, mut to: TcpStream) {
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
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
