//! The proxy's HTTP side (RFC 9112 §3.2.2 and RFC 9110 §9.3.6): absolute-URI requests
//! (`GET http://host/path HTTP/1.1`) and `CONNECT host:port` tunnels, read with
//! httparse.
//!
//! A request is forwarded in origin form (`GET /path`) with the Host header set to the
//! host it names — a client's own Host header is dropped, so that a request to a granted
//! name cannot ask the server behind it (a CDN) for another site — with
//! `Connection: close`, so that the connection carries that one request: a client
//! reusing it for another host would otherwise reach that host's name on the first
//! one's server. Hop-by-hop headers (and the proxy's own) stay here. `https://` URIs
//! are refused: the proxy never holds a jail's TLS, a client tunnels it with CONNECT.

use std::io::{Read, Write};
use std::net::TcpStream;

use super::policy::{self, Refusal};
use super::{tunnel, Conn, Destination, HTTP_PORT};
use crate::network::Host;

/// The longest request head read.
const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 128;

/// Headers that concern this connection only (RFC 9110 §7.6.1), and the proxy's own.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "proxy-connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "upgrade",
    "host",
];

pub(super) fn serve(mut client: TcpStream, conn: &Conn) {
    let (buf, end) = match read_head(&mut client) {
        Ok(head) => head,
        Err(Some((status, reason))) => {
            return respond(&mut client, status, reason, "not an HTTP request")
        }
        Err(None) => return,
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    if !matches!(req.parse(&buf), Ok(httparse::Status::Complete(_))) {
        return respond(&mut client, 400, "Bad Request", "not an HTTP request");
    }
    let (method, target) = (req.method.unwrap_or(""), req.path.unwrap_or(""));
    let pending = buf[end..].to_vec();
    if method == "CONNECT" {
        connect(client, target, pending, conn);
    } else {
        let version = req.version.unwrap_or(1);
        forward(client, method, target, version, req.headers, pending, conn);
    }
}

/// The request head, and where it ends; `Err` with the status to answer, or `None`
/// when the client went away.
#[allow(clippy::type_complexity)]
fn read_head(client: &mut TcpStream) -> Result<(Vec<u8>, usize), Option<(u16, &'static str)>> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    loop {
        let n = match client.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(None),
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        match httparse::Request::new(&mut headers).parse(&buf) {
            Ok(httparse::Status::Complete(end)) => return Ok((buf, end)),
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => {}
            Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => {
                return Err(Some((431, "Request Header Fields Too Large")))
            }
            Err(_) => return Err(Some((400, "Bad Request"))),
        }
    }
}

/// Answer the client and end the connection.
fn respond(client: &mut TcpStream, status: u16, reason: &str, text: &str) {
    let body = format!("pola-sh: {}\n", crate::text::escape(text.as_bytes()));
    let _ = write!(
        client,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Answer a refusal.
fn refuse(client: &mut TcpStream, to: &str, refusal: &Refusal) {
    let verdict = refusal.verdict();
    if refusal.denied() {
        respond(client, 403, "Forbidden", &format!("{to}: {verdict}"));
    } else {
        respond(client, 502, "Bad Gateway", &format!("{to}: {verdict}"));
    }
}

/// `host[:port]` as a request names it: a name, an IPv4 address or an `[IPv6]` one.
fn authority(text: &str, default_port: Option<u16>) -> Option<Destination> {
    let (host, port) = match text.rfind(']') {
        Some(end) => text.split_at(end + 1),
        None => text.split_at(text.rfind(':').unwrap_or(text.len())),
    };
    let port = match port.strip_prefix(':') {
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0)?,
        None if port.is_empty() => default_port?,
        None => return None,
    };
    match Host::parse(host)? {
        Host::Below(_) => None,
        host => Some(Destination { host, port }),
    }
}

/// `http://authority/path?query` split into where it goes and the origin form.
fn absolute(target: &str) -> Option<(Destination, String)> {
    let (scheme, rest) = target.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (auth, path) = rest.split_at(end);
    let path = path.split('#').next().unwrap_or("");
    let origin = match path.strip_prefix('?') {
        Some(_) => format!("/{path}"),
        None if path.is_empty() => "/".to_string(),
        None => path.to_string(),
    };
    // user:password@ in a proxy request is a way to confuse hosts, not to reach one.
    if auth.contains('@') {
        return None;
    }
    Some((authority(auth, Some(HTTP_PORT))?, origin))
}

fn connect(mut client: TcpStream, target: &str, pending: Vec<u8>, conn: &Conn) {
    let shared = conn.shared;
    let Some(to) = authority(target, None) else {
        shared.record(target, "denied (not a host:port)");
        return respond(&mut client, 400, "Bad Request", "CONNECT needs host:port");
    };
    if to.port == HTTP_PORT {
        let why = "a tunnel to port 80 would hide the Host header of what it carries; plain HTTP goes through http_proxy as absolute-URI requests";
        shared.record(&to.shown(), &format!("denied ({why})"));
        return respond(
            &mut client,
            403,
            "Forbidden",
            &format!("{}: {why}", to.shown()),
        );
    }
    match policy::open(&to, conn) {
        Ok((upstream, verdict)) => {
            if client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .is_ok()
            {
                tunnel(client, upstream, pending, &to, &verdict, conn);
            }
        }
        Err(refusal) => {
            shared.record(&to.shown(), &refusal.verdict());
            refuse(&mut client, &to.shown(), &refusal);
        }
    }
}

fn forward(
    mut client: TcpStream,
    method: &str,
    target: &str,
    version: u8,
    headers: &[httparse::Header],
    pending: Vec<u8>,
    conn: &Conn,
) {
    let shared = conn.shared;
    let Some((to, origin)) = absolute(target) else {
        shared.record(target, "denied (not an http:// URI)");
        return respond(
            &mut client,
            400,
            "Bad Request",
            "this proxy takes absolute http:// URIs and CONNECT host:port",
        );
    };
    let (mut upstream, verdict) = match policy::open(&to, conn) {
        Ok(opened) => opened,
        Err(refusal) => {
            shared.record(&to.shown(), &refusal.verdict());
            return refuse(&mut client, &to.shown(), &refusal);
        }
    };
    // Headers the Connection header names are this connection's too.
    let named: Vec<String> = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("connection"))
        .flat_map(|h| {
            String::from_utf8_lossy(h.value)
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut head = format!("{method} {origin} HTTP/1.{version}\r\n").into_bytes();
    for h in headers {
        let name = h.name.to_ascii_lowercase();
        if HOP_BY_HOP.contains(&name.as_str()) || named.contains(&name) {
            continue;
        }
        head.extend_from_slice(h.name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(h.value);
        head.extend_from_slice(b"\r\n");
    }
    let host = match to.port {
        HTTP_PORT => to.host.to_string(),
        port => format!("{}:{port}", to.host),
    };
    head.extend_from_slice(format!("Host: {host}\r\nConnection: close\r\n\r\n").as_bytes());
    shared.record(&to.shown(), &verdict);
    let _ = client.set_read_timeout(None);
    if upstream.write_all(&head).is_ok() && upstream.write_all(&pending).is_ok() {
        super::relay::both(client, upstream);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_and_uris() {
        let a = authority("Allowed.Test:8443", None).unwrap();
        assert_eq!((a.host.to_string(), a.port), ("allowed.test".into(), 8443));
        assert_eq!(authority("[::1]:443", None).unwrap().shown(), "[::1]:443");
        assert!(authority("allowed.test", None).is_none());
        assert_eq!(authority("allowed.test", Some(80)).unwrap().port, 80);
        for bad in ["a:0", "a:x", "*.a:443", "a b:1", "[::1", ":443", "a:443:1"] {
            assert!(authority(bad, Some(80)).is_none(), "{bad}");
        }
        let (to, origin) = absolute("http://allowed.test/simple/?a=1#f").unwrap();
        assert_eq!(
            (to.shown(), origin.as_str()),
            ("allowed.test:80".into(), "/simple/?a=1")
        );
        assert_eq!(absolute("HTTP://x.org").unwrap().1, "/");
        assert_eq!(absolute("http://x.org?q").unwrap().1, "/?q");
        assert_eq!(absolute("http://x.org:8080/p").unwrap().0.port, 8080);
        assert!(absolute("https://x.org/").is_none());
        assert!(absolute("/relative").is_none());
        assert!(absolute("http://user@other.org@x.org/").is_none());
    }
}
