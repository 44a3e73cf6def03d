//! The server name a TLS tunnel asks for, read from the client's ClientHello with
//! tls-parser, without terminating TLS.
//!
//! Defends against domain fronting: a CDN serves many sites at one address, so a
//! tunnel to a granted name (`CONNECT pypi.org:443`) could carry a handshake for
//! another site of the same CDN and reach it. The tunnel is let through only when the
//! first handshake message names the granted host and nothing else; a handshake that
//! hides the name (Encrypted Client Hello, the older ESNI) or that the parser cannot
//! read to its end is refused. A tunnel to an address (`@net:192.0.2.7:443`) may name
//! anything: the grant is that address. What the tunnel carries after the handshake is
//! encrypted: a server that routes by the HTTP Host header inside it, not by the SNI,
//! can still be fronted, which only terminating TLS could see (the major CDNs refuse a
//! Host that differs from the SNI).

use std::io::Read;

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
    client: &mut impl Read,
    pending: &mut Vec<u8>,
    host: &Host,
) -> Result<(), String> {
    let names = names(client, pending)?;
    let Host::Name(granted) = host else {
        return Ok(());
    };
    match names.as_slice() {
        // The machine's own loopback, which clients often reach without a name
        // (`openssl s_client -connect localhost:8443` was cut; trial 14): no site of
        // another behind it to front.
        [] if granted == "localhost" => Ok(()),
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
fn names(client: &mut impl Read, buf: &mut Vec<u8>) -> Result<Vec<String>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn u16be(n: usize) -> [u8; 2] {
        (n as u16).to_be_bytes()
    }

    /// A minimal ClientHello (TLS 1.2 framing) with a server name extension for
    /// `names` (none if empty) and the extensions in `extra`, as handshake bytes.
    fn hello(names: &[&str], extra: &[(u16, &[u8])]) -> Vec<u8> {
        let mut ext = Vec::new();
        if !names.is_empty() {
            let mut list = Vec::new();
            for n in names {
                list.push(0u8);
                list.extend(u16be(n.len()));
                list.extend(n.as_bytes());
            }
            let mut data = u16be(list.len()).to_vec();
            data.extend(list);
            ext.extend(0u16.to_be_bytes());
            ext.extend(u16be(data.len()));
            ext.extend(data);
        }
        for (kind, data) in extra {
            ext.extend(kind.to_be_bytes());
            ext.extend(u16be(data.len()));
            ext.extend(*data);
        }
        let mut body = vec![3, 3];
        body.extend([7u8; 32]);
        body.push(0); // no session id
        body.extend([0, 2, 0x13, 0x01]); // one cipher suite
        body.extend([1, 0]); // no compression
        body.extend(u16be(ext.len()));
        body.extend(ext);
        let mut msg = vec![1u8]; // ClientHello
        msg.extend(&(body.len() as u32).to_be_bytes()[1..]);
        msg.extend(body);
        msg
    }

    /// `handshake` in TLS records of at most `size` bytes each.
    fn records(handshake: &[u8], size: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in handshake.chunks(size) {
            out.extend([0x16, 3, 1]);
            out.extend(u16be(chunk.len()));
            out.extend(chunk);
        }
        out
    }

    /// Check `stream` as a client sending it one byte at a time would present it.
    fn checked(stream: &[u8], host: &str) -> Result<(), String> {
        struct Dribble<'a>(&'a [u8]);
        impl Read for Dribble<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut pending = Vec::new();
        let result = check(
            &mut Dribble(stream),
            &mut pending,
            &Host::parse(host).unwrap(),
        );
        if result.is_ok() {
            // What was read is forwarded as it came.
            assert_eq!(pending, stream[..pending.len()]);
        }
        result
    }

    #[test]
    fn the_server_name_must_be_the_host_granted() {
        let good = records(&hello(&["Allowed.Test."], &[]), 16_384);
        assert_eq!(checked(&good, "allowed.test"), Ok(()));
        // A handshake split across records is read whole.
        assert_eq!(
            checked(&records(&hello(&["allowed.test"], &[]), 7), "allowed.test"),
            Ok(())
        );
        let other = records(&hello(&["other.test"], &[]), 16_384);
        assert_eq!(
            checked(&other, "allowed.test"),
            Err("the TLS handshake names other.test".into())
        );
        let both = records(&hello(&["allowed.test", "other.test"], &[]), 16_384);
        assert!(checked(&both, "allowed.test").is_err());
        let none = records(&hello(&[], &[]), 16_384);
        assert_eq!(
            checked(&none, "allowed.test"),
            Err("the TLS handshake names no server".into())
        );
        // Encrypted Client Hello hides the real name behind a public one.
        let ech = records(&hello(&["allowed.test"], &[(ECH, &[0, 1, 2])]), 16_384);
        assert!(checked(&ech, "allowed.test")
            .unwrap_err()
            .contains("encrypted"));
        // An address granted may be named anything (or nothing).
        assert_eq!(checked(&other, "192.0.2.7"), Ok(()));
        assert_eq!(checked(&none, "192.0.2.7"), Ok(()));
        // The machine's own loopback by name: a handshake without a name (no other
        // site behind it to front), but not one naming another.
        assert_eq!(checked(&none, "localhost"), Ok(()));
        assert!(checked(&other, "localhost").is_err());
        // Not TLS at all, or cut short.
        assert!(checked(b"GET / HTTP/1.1\r\n\r\n", "allowed.test").is_err());
        assert!(checked(&good[..good.len() - 1], "allowed.test").is_err());
        assert!(checked(b"", "allowed.test").is_err());
    }
}
