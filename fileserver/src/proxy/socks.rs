//! The proxy's SOCKS5 side, for programs that speak TCP but not HTTP (git, ssh, any
//! client with a SOCKS option): RFC 1928's CONNECT command with no authentication (the
//! jail's loopback is the jail's alone), written out here since no kept SOCKS5 server
//! crate works without an async runtime.
//!
//! ```text
//! client: 05 n METHODS...            server: 05 00 (no authentication) | 05 ff
//! client: 05 01 00 ATYP ADDR PORT    server: 05 REP 00 01 0.0.0.0 0
//! ATYP 01: 4-byte IPv4, 03: length + name, 04: 16-byte IPv6; PORT big-endian
//! ```
//!
//! BIND and UDP ASSOCIATE are refused (UDP stays closed); a name is resolved by the
//! proxy (`socks5h`), and checked like any other destination.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, TcpStream};

use super::policy;
use super::{tunnel, Conn, Destination, Verdict};
use crate::network::Host;

pub(super) const VERSION: u8 = 5;

const NO_AUTHENTICATION: u8 = 0;
const NO_ACCEPTABLE_METHOD: u8 = 0xff;
const CMD_CONNECT: u8 = 1;

// Replies.
const SUCCEEDED: u8 = 0;
const GENERAL_FAILURE: u8 = 1;
const NOT_ALLOWED: u8 = 2;
const HOST_UNREACHABLE: u8 = 4;
const CONNECTION_REFUSED: u8 = 5;
const COMMAND_NOT_SUPPORTED: u8 = 7;
const ADDRESS_TYPE_NOT_SUPPORTED: u8 = 8;

fn reply(mut client: &TcpStream, code: u8) -> std::io::Result<()> {
    // The bound address is not the jail's business.
    client.write_all(&[VERSION, code, 0, 1, 0, 0, 0, 0, 0, 0])
}

/// A request's destination, or the reply refusing it and what to record.
fn destination(mut client: &TcpStream) -> std::io::Result<Result<Destination, (u8, String)>> {
    let mut head = [0u8; 4];
    client.read_exact(&mut head)?;
    let [version, command, _, kind] = head;
    if version != VERSION {
        return Ok(Err((GENERAL_FAILURE, "not SOCKS5".into())));
    }
    let host = match kind {
        1 => {
            let mut a = [0u8; 4];
            client.read_exact(&mut a)?;
            Ok(Host::Addr(IpAddr::V4(Ipv4Addr::from(a))))
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len)?;
            let mut name = vec![0u8; len[0] as usize];
            client.read_exact(&mut name)?;
            let text = String::from_utf8_lossy(&name).into_owned();
            // An address written as a name is that address.
            Host::parse(&text)
                .or_else(|| Host::parse(&format!("[{text}]")))
                .filter(|h| !matches!(h, Host::Below(_)))
                .ok_or(text)
        }
        4 => {
            let mut a = [0u8; 16];
            client.read_exact(&mut a)?;
            Ok(Host::Addr(IpAddr::V6(Ipv6Addr::from(a)).to_canonical()))
        }
        _ => {
            return Ok(Err((
                ADDRESS_TYPE_NOT_SUPPORTED,
                "an unknown address type".into(),
            )))
        }
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port)?;
    let port = u16::from_be_bytes(port);
    let host = match host {
        Ok(host) => host,
        Err(text) => return Ok(Err((NOT_ALLOWED, format!("{text}:{port}")))),
    };
    if command != CMD_CONNECT {
        let to = Destination { host, port };
        return Ok(Err((COMMAND_NOT_SUPPORTED, to.shown())));
    }
    Ok(Ok(Destination { host, port }))
}

pub(super) fn serve(mut client: &TcpStream, conn: &Conn) {
    let shared = conn.shared;
    // Greeting: the methods the client offers.
    let mut greeting = [0u8; 2];
    if client.read_exact(&mut greeting).is_err() {
        return;
    }
    let mut methods = vec![0u8; greeting[1] as usize];
    if client.read_exact(&mut methods).is_err() {
        return;
    }
    if !methods.contains(&NO_AUTHENTICATION) {
        let _ = client.write_all(&[VERSION, NO_ACCEPTABLE_METHOD]);
        return;
    }
    if client.write_all(&[VERSION, NO_AUTHENTICATION]).is_err() {
        return;
    }
    let to = match destination(client) {
        Ok(Ok(to)) => to,
        Ok(Err((code, what))) => {
            let why = match code {
                COMMAND_NOT_SUPPORTED => "only SOCKS5 CONNECT is served",
                NOT_ALLOWED => "not a host",
                _ => "not a SOCKS5 request",
            };
            shared.record(&what, Verdict::Denied(why));
            let _ = reply(client, code);
            return;
        }
        Err(_) => return,
    };
    if to.port == super::HTTP_PORT {
        shared.record(&to.shown(), Verdict::Denied(super::PORT_80_TUNNEL));
        let _ = reply(client, NOT_ALLOWED);
        return;
    }
    match policy::open(&to, conn) {
        Ok((upstream, verdict)) => {
            if reply(client, SUCCEEDED).is_ok() {
                tunnel(client, &upstream, Vec::new(), &to, &verdict, conn);
            }
        }
        Err(refusal) => {
            shared.record(&to.shown(), Verdict::Refused(&refusal));
            let code = match &refusal {
                policy::Refusal::NotGranted(_) | policy::Refusal::Denied(_) => NOT_ALLOWED,
                policy::Refusal::Unresolved(_) => HOST_UNREACHABLE,
                policy::Refusal::Unreachable(e)
                    if e.kind() == std::io::ErrorKind::ConnectionRefused =>
                {
                    CONNECTION_REFUSED
                }
                policy::Refusal::Unreachable(_) => HOST_UNREACHABLE,
            };
            let _ = reply(client, code);
        }
    }
}
