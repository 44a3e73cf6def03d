//! The server name a TLS tunnel asks for, read from the client's ClientHello with
//! tls-parser, without terminating TLS.
//!
//! Defends against domain fronting: a CDN serves many sites at one address, so a
//! tunnel to a granted name (`CONNECT pypi.org:443`) could carry a handshake for
//! another site of the same CDN and reach it. The tunnel is let through only when the
//! first handshake message names the granted host and nothing else; a handshake that
//! hides the name (Encrypted Client Hello, the older ESNI) or that the parser cannot
//! read to its end is refused. A tunnel to an address (`@net:192.0.2.7:443`) may name
//! anything: the grant is that address.

use std::io::Read;
use std::net::TcpStream;

use tls_parser::{
    parse_tls_client_hello_extensions, parse_tls_message_handshake, parse_tls_raw_record, SNIType,
    TlsExtension, TlsExtensionType, TlsMessage, TlsMessageHandshake, TlsRecordType,
};

use crate::network::Host;

/// A ClientHello is a few KiB; a handshake message may span records, up to this much.
const MAX_HELLO: usize = 64 * 1024;

/// The Encrypted Client Hello extension (draft-ietf-tls-esni-18), which tls-parser
/// does not name.
const ECH: u16 = 0xfe0d;

/// Read the client's first handshake message after `pending` (the bytes already read,
/// which grow by what is read here) and check that it is a ClientHello naming `host`.
/// `Err` says why not, for the audit record.
pub(super) fn check(
    client: &mut TcpStream,
    pending: &mut Vec<u8>,
    host: &Host,
) -> Result<(), String> {
    let names = names(client, pending)?;
    let Host::Name(granted) = host else {
        return Ok(());
    };
    match names.as_slice() {
        [] => Err("the TLS handshake names no server".into()),
        names if names.iter().all(|n| n == granted) => Ok(()),
        names => Err(format!(
            "the TLS handshake names {}",
            names
                .iter()
                .find(|n| *n != granted)
                .map(|n| crate::text::escape(n.as_bytes()))
                .unwrap_or_default()
        )),
    }
}

/// The server names (lower case, without a trailing dot) of the ClientHello that
/// opens the stream.
fn names(client: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Vec<String>, String> {
    let not_tls = || "not a TLS handshake".to_string();
    let mut handshake = Vec::new();
    let mut offset = 0;
    loop {
        // A whole record first: read until there is one.
        let record = match parse_tls_raw_record(&buf[offset..]) {
            Ok((rest, record)) => Some((
                buf.len() - rest.len(),
                record.hdr.record_type,
                record.data.to_vec(),
            )),
            Err(tls_parser::Err::Incomplete(_)) => None,
            Err(_) => return Err(not_tls()),
        };
        let Some((end, kind, data)) = record else {
            if buf.len() >= MAX_HELLO {
                return Err(not_tls());
            }
            let mut chunk = [0u8; 16 * 1024];
            match client.read(&mut chunk) {
                Ok(0) | Err(_) => return Err(not_tls()),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            continue;
        };
        if kind != TlsRecordType::Handshake {
            return Err(not_tls());
        }
        offset = end;
        handshake.extend_from_slice(&data);
        match parse_tls_message_handshake(&handshake) {
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)))) => {
                return server_names(hello.ext.unwrap_or_default());
            }
            Ok(_) => return Err("not a TLS ClientHello".into()),
            // The message continues in the next record.
            Err(tls_parser::Err::Incomplete(_)) if handshake.len() < MAX_HELLO => {}
            Err(_) => return Err("a TLS ClientHello the proxy cannot read".into()),
        }
    }
}

fn server_names(extensions: &[u8]) -> Result<Vec<String>, String> {
    let unreadable = || "a TLS ClientHello the proxy cannot read".to_string();
    let (rest, extensions) =
        parse_tls_client_hello_extensions(extensions).map_err(|_| unreadable())?;
    // Every extension read, or one that hides the name could follow.
    if !rest.is_empty() {
        return Err(unreadable());
    }
    let mut names = Vec::new();
    for ext in &extensions {
        match ext {
            TlsExtension::SNI(list) => {
                for (kind, name) in list {
                    if *kind == SNIType::HostName {
                        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
                        names.push(name.strip_suffix('.').unwrap_or(&name).to_string());
                    }
                }
            }
            TlsExtension::EncryptedServerName { .. } => {
                return Err("an encrypted TLS ClientHello hides the server's name".into())
            }
            TlsExtension::Unknown(TlsExtensionType(ECH), _) => {
                return Err("an encrypted TLS ClientHello hides the server's name".into())
            }
            _ => {}
        }
    }
    Ok(names)
}
