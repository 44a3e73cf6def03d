//! The proxy's HTTP side (RFC 9112 §3.2.2 and RFC 9110 §9.3.6): absolute-URI requests
//! (`GET http://host/path HTTP/1.1`) and `CONNECT host:port` tunnels, read with
//! httparse.
//!
//! A request is forwarded in origin form (`GET /path`) with the Host header set to the
//! host it names — a client's own Host header is dropped, so that a request to a granted
//! name cannot ask the server behind it (a CDN) for another site — with
//! `Connection: close`, and its body exactly as far as its framing says (a body of no
//! clear length is refused): the connection carries that one request, so a second one
//! (pipelined, or smuggled in the first one's body) never reaches the server with a Host
//! header of the client's choosing. Hop-by-hop headers (and the proxy's own) stay here. `https://` URIs
//! are refused: the proxy never holds a jail's TLS, a client tunnels it with CONNECT.

use std::io::{Read, Write};
use std::net::TcpStream;

use super::policy::{self, Refusal};
use super::{tunnel, Conn, Destination, Verdict, HTTP_PORT};
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

/// One request read from `client`: its method, target, version, headers and the bytes
/// after its head, given to `then`; an answer of why not to a client that sent none.
fn with_request(
    client: &TcpStream,
    then: impl FnOnce(&str, &str, u8, &[httparse::Header], Vec<u8>),
) {
    let (buf, end) = match read_head(client) {
        Ok(head) => head,
        Err(Some((status, reason))) => {
            return respond(client, status, reason, "not an HTTP request")
        }
        Err(None) => return,
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    if !matches!(req.parse(&buf), Ok(httparse::Status::Complete(_))) {
        return respond(client, 400, "Bad Request", "not an HTTP request");
    }
    let (method, target) = (req.method.unwrap_or(""), req.path.unwrap_or(""));
    let version = req.version.unwrap_or(1);
    then(method, target, version, req.headers, buf[end..].to_vec());
}

pub(super) fn serve(client: &TcpStream, conn: &Conn) {
    with_request(client, |method, target, version, headers, pending| {
        if method == "CONNECT" {
            connect(client, target, pending, conn);
        } else {
            forward(client, method, target, version, headers, pending, conn);
        }
    });
}

/// A connection to a name's port 80 on the jail's loopback (`super::named`): a program
/// that ignores the proxy variables sends requests in origin form (`GET /path`), each
/// forwarded to that name as an absolute-URI one is (the Host header the name's).
pub(super) fn serve_named(client: &TcpStream, to: &Destination, conn: &Conn) {
    with_request(client, |method, target, version, headers, pending| {
        if method == "CONNECT" || !target.starts_with('/') {
            conn.shared
                .record(&to.shown(), Verdict::Denied("not a request in origin form"));
            return respond(
                client,
                400,
                "Bad Request",
                "a request in origin form: GET /path",
            );
        }
        let absolute = format!("http://{}{target}", to.shown());
        forward(client, method, &absolute, version, headers, pending, conn);
    });
}

/// The request head, and where it ends; `Err` with the status to answer, or `None`
/// when the client went away.
#[allow(clippy::type_complexity)]
fn read_head(mut client: &TcpStream) -> Result<(Vec<u8>, usize), Option<(u16, &'static str)>> {
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
fn respond(mut client: &TcpStream, status: u16, reason: &str, text: &str) {
    let body = format!("pola-sh: {}\n", crate::text::escape(text.as_bytes()));
    // One write: the answer reaches the client whole.
    let answer = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = client.write_all(answer.as_bytes());
}

/// End the client's connection as a failed connection ends: reset, no answer.
fn reset(client: &TcpStream) {
    use nix::sys::socket::{setsockopt, sockopt::Linger};
    let now = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    let _ = setsockopt(client, Linger, &now);
    let _ = client.shutdown(std::net::Shutdown::Read);
}

/// Answer a refusal.
fn refuse(client: &TcpStream, to: &str, refusal: &Refusal) {
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

fn connect(mut client: &TcpStream, target: &str, pending: Vec<u8>, conn: &Conn) {
    let shared = conn.shared;
    let Some(to) = authority(target, None) else {
        shared.record(target, Verdict::Denied("not a host:port"));
        return respond(client, 400, "Bad Request", "CONNECT needs host:port");
    };
    if to.port == HTTP_PORT {
        let why = super::PORT_80_TUNNEL;
        shared.record(&to.shown(), Verdict::Denied(why));
        return respond(client, 403, "Forbidden", &format!("{}: {why}", to.shown()));
    }
    match policy::open(&to, conn) {
        Ok((upstream, verdict)) => {
            if client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .is_ok()
            {
                tunnel(client, &upstream, pending, &to, &verdict, conn);
            }
        }
        Err(refusal) => {
            shared.record(&to.shown(), Verdict::Refused(&refusal));
            refuse(client, &to.shown(), &refusal);
        }
    }
}

fn forward(
    client: &TcpStream,
    method: &str,
    target: &str,
    version: u8,
    headers: &[httparse::Header],
    pending: Vec<u8>,
    conn: &Conn,
) {
    let shared = conn.shared;
    let Some((to, origin)) = absolute(target) else {
        shared.record(target, Verdict::Denied("not an http:// URI"));
        return respond(
            client,
            400,
            "Bad Request",
            "this proxy takes absolute http:// URIs and CONNECT host:port",
        );
    };
    let Some(body) = framing(headers) else {
        let why = "a request body of no clear length (Content-Length beside Transfer-Encoding, or lengths that differ)";
        shared.record(&to.shown(), Verdict::Denied(why));
        return respond(client, 400, "Bad Request", why);
    };
    let (upstream, verdict) = match policy::open(&to, conn) {
        Ok(opened) => opened,
        // A granted host not reached: as a connection to it would have failed, not an
        // answer (curl said 502's text and exited 0: `curl URL && next` went on; new-user
        // trial). Why is said to the user as the command ends (`Missed`).
        Err(refusal) if !refusal.denied() => {
            shared.record(&to.shown(), Verdict::Refused(&refusal));
            return reset(client);
        }
        Err(refusal) => {
            shared.record(&to.shown(), Verdict::Refused(&refusal));
            return refuse(client, &to.shown(), &refusal);
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
    shared.record(&to.shown(), Verdict::Allowed(&verdict));
    let _ = client.set_read_timeout(None);
    let upstream: &TcpStream = &upstream;
    if (&*upstream).write_all(&head).is_err() {
        return;
    }
    // The body goes up while the answer comes down (a client waiting for
    // `100 Continue` sends its body only then), both on the same two sockets.
    std::thread::scope(|scope| {
        let sending = std::thread::Builder::new()
            .name("pola-proxy".into())
            .stack_size(64 * 1024)
            .spawn_scoped(scope, || {
                if send_body(client, upstream, pending, body).is_err() {
                    let _ = upstream.shutdown(std::net::Shutdown::Both);
                }
            });
        if sending.is_err() {
            let _ = upstream.shutdown(std::net::Shutdown::Both);
        }
        super::relay::one_way(upstream, client);
        // The answer is complete: whatever the client still sends goes nowhere.
        let _ = client.shutdown(std::net::Shutdown::Both);
    });
}

/// How a request's body ends (RFC 9112 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    Empty,
    Length(u64),
    Chunked,
}

/// The framing of a request's body, or `None` when it is ambiguous: a length beside a
/// transfer coding, or lengths that differ, are how a second request is smuggled past
/// a proxy inside the first one's body.
fn framing(headers: &[httparse::Header]) -> Option<Body> {
    let values = |name: &str| -> Vec<String> {
        headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .flat_map(|h| {
                String::from_utf8_lossy(h.value)
                    .split(',')
                    .map(|v| v.trim().to_ascii_lowercase())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (codings, lengths) = (values("transfer-encoding"), values("content-length"));
    if !codings.is_empty() {
        return (lengths.is_empty() && codings.last().map(String::as_str) == Some("chunked"))
            .then_some(Body::Chunked);
    }
    match lengths.as_slice() {
        [] => Some(Body::Empty),
        [first, rest @ ..] if rest.iter().all(|l| l == first) => {
            first.parse().ok().map(Body::Length)
        }
        _ => None,
    }
}

/// Send the request's body from `client` (after `pending`, what came with the head) to
/// `upstream`, exactly as far as its framing says. What follows it on the connection —
/// another request, perhaps for another site the same server also serves — is never
/// sent: the Host header of every request that reaches the server is the proxy's.
fn send_body(
    client: &TcpStream,
    mut upstream: &TcpStream,
    pending: Vec<u8>,
    body: Body,
) -> std::io::Result<()> {
    use std::io::{BufRead, BufReader, Cursor, ErrorKind};
    let mut from = BufReader::new(Cursor::new(pending).chain(client));
    fn exactly(from: &mut impl BufRead, n: u64, mut to: &TcpStream) -> std::io::Result<()> {
        match std::io::copy(&mut from.take(n), &mut to)? {
            copied if copied == n => Ok(()),
            _ => Err(ErrorKind::UnexpectedEof.into()),
        }
    }
    fn line(from: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
        let mut line = Vec::new();
        from.take(8192).read_until(b'\n', &mut line)?;
        match line.last() {
            Some(b'\n') => Ok(line),
            _ => Err(ErrorKind::InvalidData.into()),
        }
    }
    match body {
        Body::Empty => Ok(()),
        Body::Length(n) => exactly(&mut from, n, upstream),
        Body::Chunked => loop {
            let size_line = line(&mut from)?;
            let size = match httparse::parse_chunk_size(&size_line) {
                Ok(httparse::Status::Complete((_, size))) => size,
                _ => return Err(ErrorKind::InvalidData.into()),
            };
            upstream.write_all(&size_line)?;
            if size == 0 {
                // The trailer section, up to an empty line.
                loop {
                    let trailer = line(&mut from)?;
                    upstream.write_all(&trailer)?;
                    if trailer == b"\r\n" || trailer == b"\n" {
                        return Ok(());
                    }
                }
            }
            exactly(&mut from, size, upstream)?;
            let end = line(&mut from)?;
            if end != b"\r\n" {
                return Err(ErrorKind::InvalidData.into());
            }
            upstream.write_all(&end)?;
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_are_framed_or_refused() {
        let h = |list: &'static [(&'static str, &'static str)]| -> Vec<httparse::Header<'static>> {
            list.iter()
                .map(|(name, value)| httparse::Header {
                    name,
                    value: value.as_bytes(),
                })
                .collect()
        };
        assert_eq!(framing(&h(&[("Host", "x")])), Some(Body::Empty));
        assert_eq!(
            framing(&h(&[("Content-Length", "12")])),
            Some(Body::Length(12))
        );
        assert_eq!(
            framing(&h(&[("content-length", "12"), ("Content-Length", "12")])),
            Some(Body::Length(12))
        );
        assert_eq!(framing(&h(&[("Content-Length", "12, 13")])), None);
        assert_eq!(framing(&h(&[("Content-Length", "-1")])), None);
        assert_eq!(
            framing(&h(&[("Transfer-Encoding", "gzip, chunked")])),
            Some(Body::Chunked)
        );
        assert_eq!(
            framing(&h(&[
                ("Transfer-Encoding", "chunked"),
                ("Content-Length", "5")
            ])),
            None
        );
        assert_eq!(framing(&h(&[("Transfer-Encoding", "chunked, gzip")])), None);
    }

    /// What `send_body` passes on of `sent` for `body`.
    fn passed(sent: &[u8], pending: usize, body: Body) -> (Vec<u8>, bool) {
        let client_side = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let upstream_side = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut writer = TcpStream::connect(client_side.local_addr().unwrap()).unwrap();
        let client = client_side.accept().unwrap().0;
        let upstream = TcpStream::connect(upstream_side.local_addr().unwrap()).unwrap();
        let mut server = upstream_side.accept().unwrap().0;
        writer.write_all(&sent[pending..]).unwrap();
        writer.shutdown(std::net::Shutdown::Write).unwrap();
        let ok = send_body(&client, &upstream, sent[..pending].to_vec(), body).is_ok();
        drop(upstream);
        let mut got = Vec::new();
        server.read_to_end(&mut got).unwrap();
        (got, ok)
    }

    #[test]
    fn only_the_body_is_sent_never_what_follows() {
        let smuggled = b"GET / HTTP/1.1\r\nHost: other.test\r\n\r\n";
        let mut sent = b"hello".to_vec();
        sent.extend(smuggled);
        assert_eq!(passed(&sent, 2, Body::Length(5)), (b"hello".to_vec(), true));
        assert_eq!(passed(&sent, 0, Body::Empty), (Vec::new(), true));
        let chunked = b"5\r\nhello\r\n3;ext=1\r\n, w\r\n0\r\nX-T: 1\r\n\r\n";
        let mut sent = chunked.to_vec();
        sent.extend(smuggled);
        assert_eq!(passed(&sent, 4, Body::Chunked), (chunked.to_vec(), true));
        // A body cut short or badly framed ends the request.
        assert!(!passed(b"hel", 0, Body::Length(5)).1);
        assert!(!passed(b"5\r\nhelloXX0\r\n\r\n", 0, Body::Chunked).1);
        assert!(!passed(b"zz\r\n", 0, Body::Chunked).1);
    }

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
