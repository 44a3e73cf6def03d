//! Where a jail's proxy may connect: the host and port must be granted (or allowed by
//! the user in ask mode), and the addresses the proxy resolves the name to must not be
//! the machine's own or its local network's — a name the jail was granted may resolve
//! anywhere (DNS rebinding: `evil.example` answering 127.0.0.1 or 192.168.1.1), and
//! connecting there would hand the jail the services the network namespace hides
//! (SECURITY.md 13). Such addresses are reached only when the grant names the address
//! itself or `localhost`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::{Conn, Destination};
use crate::ask::{parse_answer, Answer};
use crate::network::Host;
use crate::text;

/// How long connecting to one address may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a connection was not made.
#[derive(Debug)]
pub(super) enum Refusal {
    /// Not granted, and not allowed at a question (why there was none, if asked).
    NotGranted(Option<&'static str>),
    /// Refused for another reason: the text says which (the user said no, a local
    /// address).
    Denied(String),
    /// Granted, but the name does not resolve.
    Unresolved(String),
    /// Granted, but nothing answered.
    Unreachable(std::io::Error),
}

impl Refusal {
    /// What the audit record says.
    pub(super) fn verdict(&self) -> String {
        match self {
            Refusal::NotGranted(None) => "denied (not granted)".to_string(),
            Refusal::NotGranted(Some(why)) => format!("denied (not granted; {why})"),
            Refusal::Denied(why) => format!("denied ({why})"),
            Refusal::Unresolved(_) | Refusal::Unreachable(_) => {
                format!("allowed, but {}", self.missed().unwrap_or_default())
            }
        }
    }

    /// Whether the jail's access was refused (as opposed to the host failing).
    pub(super) fn denied(&self) -> bool {
        matches!(self, Refusal::NotGranted(_) | Refusal::Denied(_))
    }

    /// Why a granted host was not reached; `None` for a refusal.
    pub(super) fn missed(&self) -> Option<String> {
        match self {
            Refusal::Unresolved(e) => Some(format!("it does not resolve: {e}")),
            Refusal::Unreachable(e) => Some(format!("cannot connect: {e}")),
            Refusal::NotGranted(_) | Refusal::Denied(_) => None,
        }
    }
}

/// Whether a host names the machine's own loopback (so a grant of it reaches there).
pub(super) fn names_local(host: &Host) -> bool {
    match host {
        Host::Name(n) => n == "localhost",
        Host::Addr(a) => a.is_loopback(),
        Host::Below(_) => false,
    }
}

/// Whether the proxy keeps away from `ip` when a name resolves to it: loopback,
/// private (RFC 1918, IPv6 unique local), shared (RFC 6598), link-local, unspecified,
/// multicast and reserved ranges, and IPv4 addresses inside IPv6 ones of those.
pub fn is_local(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(a) => v4_local(a),
        IpAddr::V6(a) => v6_local(a),
    }
}

fn v4_local(a: Ipv4Addr) -> bool {
    let [b0, b1, ..] = a.octets();
    a.is_loopback()
        || a.is_private()
        || a.is_link_local()
        || a.is_unspecified()
        || a.is_multicast()
        || a.is_broadcast()
        || b0 == 0
        || b0 >= 240
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (b0 == 100 && (b1 & 0xc0) == 64)
}

fn v6_local(a: Ipv6Addr) -> bool {
    let s = a.segments();
    let embedded = |hi: [u16; 6]| -> Option<Ipv4Addr> {
        (s[..6] == hi).then(|| {
            let [x, y] = [s[6], s[7]];
            Ipv4Addr::new((x >> 8) as u8, x as u8, (y >> 8) as u8, y as u8)
        })
    };
    a.is_loopback()
        || a.is_unspecified()
        || a.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10.
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        // IPv4-compatible ::/96 and NAT64 64:ff9b::/96 carry an IPv4 address.
        || embedded([0; 6]).is_some_and(v4_local)
        || embedded([0x64, 0xff9b, 0, 0, 0, 0]).is_some_and(v4_local)
}

/// Whether `ip` is an address of one of this machine's interfaces (a name resolving
/// to the machine's public address reaches its services as loopback would).
fn is_own(ip: IpAddr) -> bool {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        // Unknown: keep away.
        return true;
    };
    addrs.filter_map(|i| i.address).any(|a| {
        let own = a
            .as_sockaddr_in()
            .map(|s| IpAddr::V4(s.ip()))
            .or_else(|| a.as_sockaddr_in6().map(|s| IpAddr::V6(s.ip())));
        own.is_some_and(|o| o.to_canonical() == ip.to_canonical())
    })
}

/// How a connection was let through, as its audit record says.
fn allowed(how: &str) -> String {
    if how.is_empty() {
        "allowed".to_string()
    } else {
        format!("allowed {how}")
    }
}

/// Decide about `to` and connect to it: the upstream socket and the verdict to record
/// once the connection is let through.
pub(super) fn open(
    to: &Destination,
    conn: &Conn,
) -> Result<(std::sync::Arc<TcpStream>, String), Refusal> {
    let policy = &conn.shared.policy;
    let how = if policy.hosts.iter().any(|g| g.covers(&to.host, to.port)) {
        String::new()
    } else {
        ask(to, conn)?
    };
    let stream = connect(&to.host, to.port)?;
    Ok((conn.hold(stream), allowed(&how)))
}

/// Ask mode: ask the user about a host that was not granted. `Ok` with how it was
/// allowed.
fn ask(to: &Destination, conn: &Conn) -> Result<String, Refusal> {
    let policy = &conn.shared.policy;
    let Some(session) = &policy.ask else {
        return Err(Refusal::NotGranted(None));
    };
    let shown = to.host_shown();
    if session.allows_host(&shown, to.port) {
        return Ok("for the session by the user".into());
    }
    let question = format!(
        "{} wants to connect to {}:{} — allow [o]nce, [a]lways (this session), [d]eny? (o, a or d, then Enter)",
        text::shown(&policy.name),
        text::shown(&shown),
        to.port
    );
    // Asked once (not again on an unclear answer, as a file's question is): the jail
    // may end while its connection waits, and a question asked again then would read
    // the keys typed at the prompt (nethost's `ask_mode_questions_end_with_their_jail`).
    let Some(line) = policy.questions.ask(&question) else {
        let why = if policy.questions.ended() {
            "the command ended before the answer"
        } else {
            "no terminal to ask on"
        };
        return Err(Refusal::NotGranted(Some(why)));
    };
    match parse_answer(&line) {
        Answer::Once => Ok("once by the user".into()),
        Answer::Always => {
            session.allow_host(&shown, to.port);
            Ok("for the session by the user".into())
        }
        Answer::Deny => Err(Refusal::Denied("by the user".into())),
    }
}

/// The addresses to try for `host`: an address as it is; `localhost` as the loopback
/// addresses; a name as the resolver answers, refused if any answer is local (a name
/// that resolves there even once is not trusted with the others).
fn addresses(host: &Host, port: u16) -> Result<Vec<SocketAddr>, Refusal> {
    match host {
        Host::Addr(ip) => Ok(vec![SocketAddr::new(*ip, port)]),
        Host::Name(n) if n == "localhost" => Ok(vec![
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port),
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port),
        ]),
        Host::Name(n) => {
            let found: Vec<SocketAddr> = (n.as_str(), port)
                .to_socket_addrs()
                .map_err(|e| Refusal::Unresolved(e.to_string()))?
                .collect();
            if let Some(local) = found
                .iter()
                .map(SocketAddr::ip)
                .find(|ip| is_local(*ip) || is_own(*ip))
            {
                return Err(Refusal::Denied(format!(
                    "it resolves to {local}, an address of this machine or its local network; grant that address to reach it"
                )));
            }
            Ok(found)
        }
        // A pattern is never a destination.
        Host::Below(_) => Err(Refusal::Denied("not a host".into())),
    }
}

/// Connect to `host:port`, trying each address in turn.
fn connect(host: &Host, port: u16) -> Result<TcpStream, Refusal> {
    let mut last = None;
    for addr in addresses(host, port)? {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => Refusal::Unreachable(e),
        None => Refusal::Unresolved("no address".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses() {
        for local in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(is_local(local.parse().unwrap()), "{local}");
        }
        for public in [
            "151.101.0.223",
            "8.8.8.8",
            "198.18.3.2",
            "2a04:4e42::223",
            "::ffff:151.101.0.223",
            "64:ff9b::808:808",
        ] {
            assert!(!is_local(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn loopback_is_reached_only_when_named() {
        assert!(names_local(&Host::parse("localhost").unwrap()));
        assert!(names_local(&Host::parse("127.0.0.1").unwrap()));
        assert!(names_local(&Host::parse("[::1]").unwrap()));
        assert!(!names_local(&Host::parse("local.test").unwrap()));
        let to = addresses(&Host::parse("localhost").unwrap(), 80).unwrap();
        assert!(to.iter().all(|a| a.ip().is_loopback()));
        assert!(is_own("127.0.0.1".parse().unwrap()));
    }
}
