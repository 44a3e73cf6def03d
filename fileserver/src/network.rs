//! The network as a capability.
//!
//! A jail gets a private network namespace with loopback only, unless the command line
//! (or a profile) grants `@net` (the host's network) or `@net:connect=443,80` /
//! `@net:bind=8080` (the host's network, TCP only, to and on those ports; the shim
//! enforces the ports with Landlock and refuses to start where the kernel cannot), or
//! hosts by name: `@net:pypi.org`, `@net:pypi.org:443`, `@net:*.example.org` (ports 80
//! and 443 when none are named). Those keep the private namespace and reach exactly the
//! granted host:port pairs through the shell's filtering proxy (`crate::proxy`).

use std::fmt;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{digit1, space0, space1};
use nom::combinator::{all_consuming, map, map_res, value};
use nom::multi::separated_list1;
use nom::sequence::preceded;
use nom::{IResult, Parser};
use serde::{Deserialize, Serialize};

/// The network a jail gets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Network {
    /// Its own network namespace: loopback only, nothing of the host reachable.
    #[default]
    Private,
    /// The host's network, every protocol and port.
    Host,
    /// The host's network, TCP only: connect to `connect`, listen on `bind`.
    Ports { connect: Vec<u16>, bind: Vec<u16> },
    /// Its own network namespace, and these hosts (and nothing else) through the
    /// shell's proxy (`crate::proxy`), sorted.
    Hosts(Vec<HostGrant>),
}

/// A host as a grant names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Host {
    /// A name, lower case, without a trailing dot: `pypi.org`, `localhost`.
    Name(String),
    /// `*.example.org`: every name below `example.org` (not `example.org` itself).
    Below(String),
    /// An address, written as one: `192.0.2.7`, `[2001:db8::1]`.
    Addr(std::net::IpAddr),
}

/// One host and the TCP ports a jail may reach it on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HostGrant {
    pub host: Host,
    /// Sorted, without duplicates, never empty.
    pub ports: Vec<u16>,
}

/// The ports of a host named without any: the web.
pub const DEFAULT_PORTS: &[u16] = &[80, 443];

/// Two network grants that one jail cannot have at once.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the host's network for TCP ports (connect={connect}) and hosts by name ({hosts}) cannot be combined: either grant the ports the hosts need with connect=, or only the hosts")]
pub struct Conflict {
    connect: String,
    hosts: String,
}

impl Host {
    /// A host as a grant or a request writes it: a name (letters, digits, `-`, `_`,
    /// dots; any case, a trailing dot ignored), `*.` and a name, an IPv4 address, or an
    /// IPv6 address in brackets. `None` for anything else.
    pub fn parse(text: &str) -> Option<Host> {
        if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            return inner
                .parse::<std::net::Ipv6Addr>()
                .ok()
                .map(|a| Host::Addr(std::net::IpAddr::V6(a).to_canonical()));
        }
        if let Ok(a) = text.parse::<std::net::Ipv4Addr>() {
            return Some(Host::Addr(a.into()));
        }
        let (below, name) = match text.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
            return None;
        }
        Some(if below {
            Host::Below(name)
        } else {
            Host::Name(name)
        })
    }

    /// Whether a request for `asked` (as [`Host::parse`] read it, never `Below`) is
    /// for this host.
    pub fn covers(&self, asked: &Host) -> bool {
        match (self, asked) {
            (Host::Name(a), Host::Name(b)) => a == b,
            (Host::Below(suffix), Host::Name(b)) => b
                .strip_suffix(suffix.as_str())
                .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
            (Host::Addr(a), Host::Addr(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => write!(f, "{n}"),
            Host::Below(n) => write!(f, "*.{n}"),
            Host::Addr(std::net::IpAddr::V6(a)) => write!(f, "[{a}]"),
            Host::Addr(a) => write!(f, "{a}"),
        }
    }
}

impl HostGrant {
    /// `HOST` (ports 80 and 443) or `HOST:PORT[,PORT]...`.
    pub fn parse(spec: &str) -> Result<HostGrant, String> {
        let bad = || {
            format!(
                "{}: not a host (expected HOST or HOST:PORT[,PORT]..., HOST a name, *.name, an IPv4 address or an [IPv6] address, ports 1-65535)",
                crate::text::shown(spec)
            )
        };
        // An IPv6 address is in brackets, so the ports follow the last `:` after them.
        let split = match spec.rfind(']') {
            Some(end) => spec[end..].find(':').map(|i| end + i),
            None => spec.find(':'),
        };
        let (host, ports) = match split {
            Some(i) => (&spec[..i], Some(&spec[i + 1..])),
            None => (spec, None),
        };
        let host = Host::parse(host).ok_or_else(bad)?;
        let mut ports = match ports {
            None => DEFAULT_PORTS.to_vec(),
            Some(list) => all_consuming(separated_list1(tag(","), port))
                .parse(list)
                .map(|(_, p)| p)
                .map_err(|_| bad())?,
        };
        ports.sort_unstable();
        ports.dedup();
        Ok(HostGrant { host, ports })
    }

    /// Whether this grant gives `host` on `port`.
    pub fn covers(&self, host: &Host, port: u16) -> bool {
        self.ports.contains(&port) && self.host.covers(host)
    }
}

impl fmt::Display for HostGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, ports(&self.ports))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Connect,
    Bind,
}

/// `host=HOST[:PORTS]` (a profile's way to name a host).
fn host_clause(input: &str) -> IResult<&str, Network> {
    map_res(
        preceded(tag("host="), take_till1(|c: char| c == ' ' || c == '\t')),
        |spec: &str| HostGrant::parse(spec).map(|g| Network::Hosts(vec![g])),
    )
    .parse(input)
}

/// `connect=PORTS`, `bind=PORTS` or `host=HOST[:PORTS]`.
fn any_clause(input: &str) -> IResult<&str, Network> {
    alt((
        map(clause, |(direction, mut ports)| {
            ports.sort_unstable();
            ports.dedup();
            match direction {
                Direction::Connect => Network::Ports {
                    connect: ports,
                    bind: Vec::new(),
                },
                Direction::Bind => Network::Ports {
                    connect: Vec::new(),
                    bind: ports,
                },
            }
        }),
        host_clause,
    ))
    .parse(input)
}

fn port(input: &str) -> IResult<&str, u16> {
    map_res(digit1, |d: &str| match d.parse::<u16>() {
        Ok(0) | Err(_) => Err(()),
        Ok(p) => Ok(p),
    })
    .parse(input)
}

fn clause(input: &str) -> IResult<&str, (Direction, Vec<u16>)> {
    (
        alt((
            value(Direction::Connect, tag("connect")),
            value(Direction::Bind, tag("bind")),
        )),
        preceded(tag("="), separated_list1(tag(","), port)),
    )
        .parse(input)
}

impl Network {
    /// Parse a profile's network clauses: `connect=443,80`, `bind=8080`,
    /// `host=pypi.org[:PORTS]`, or several of them separated by spaces
    /// (`connect=443 bind=8080`, `host=pypi.org host=files.pythonhosted.org:443`).
    pub fn parse_ports(spec: &str) -> Result<Network, String> {
        let parsed = all_consuming(preceded(
            space0,
            (separated_list1(space1, any_clause), space0),
        ))
        .parse(spec);
        let Ok((_, (clauses, _))) = parsed else {
            // Say what is wrong with the host, if a host is what is wrong.
            for word in spec.split_whitespace() {
                if let Some(host) = word.strip_prefix("host=") {
                    HostGrant::parse(host)?;
                }
            }
            return Err(format!(
                "{}: not a port restriction (expected connect=PORT[,PORT]..., bind=PORT[,PORT]... or host=HOST[:PORT[,PORT]...], ports 1-65535)",
                crate::text::shown(spec)
            ));
        };
        let mut net = Network::Private;
        for clause in clauses {
            net.add(clause).map_err(|e| e.to_string())?;
        }
        Ok(net)
    }

    /// What follows `@net:` on a command line: ports (`connect=443`, `bind=8080`) or
    /// a host (`pypi.org`, `pypi.org:443,8443`, `*.example.org`).
    pub fn parse_capability(spec: &str) -> Result<Network, String> {
        if spec.starts_with("connect=") || spec.starts_with("bind=") {
            Network::parse_ports(spec)
        } else {
            HostGrant::parse(spec).map(|g| Network::Hosts(vec![g]))
        }
    }

    /// Combine two grants (what either gives): the host network with no restriction
    /// wins, port lists and host lists add up, and ports that hold every port the
    /// hosts are granted on hold the hosts. Ports and hosts beyond them cannot be
    /// given to one jail: the ports share the host's network namespace, the hosts need
    /// a private one.
    pub fn add(&mut self, other: Network) -> Result<(), Conflict> {
        let merge = |mut a: Vec<u16>, b: Vec<u16>| {
            a.extend(b);
            a.sort_unstable();
            a.dedup();
            a
        };
        *self = match (std::mem::take(self), other) {
            (Network::Host, _) | (_, Network::Host) => Network::Host,
            (Network::Private, n) | (n, Network::Private) => n,
            (
                Network::Ports { connect, bind },
                Network::Ports {
                    connect: c2,
                    bind: b2,
                },
            ) => Network::Ports {
                connect: merge(connect, c2),
                bind: merge(bind, b2),
            },
            (Network::Hosts(mut a), Network::Hosts(b)) => {
                for grant in b {
                    match a.iter_mut().find(|g| g.host == grant.host) {
                        Some(g) => g.ports = merge(std::mem::take(&mut g.ports), grant.ports),
                        None => a.push(grant),
                    }
                }
                a.sort();
                Network::Hosts(a)
            }
            (Network::Ports { connect, bind }, Network::Hosts(hosts))
            | (Network::Hosts(hosts), Network::Ports { connect, bind }) => {
                if hosts
                    .iter()
                    .all(|g| g.ports.iter().all(|p| connect.contains(p)))
                {
                    Network::Ports { connect, bind }
                } else {
                    let conflict = Conflict {
                        connect: ports(&connect),
                        hosts: hosts
                            .iter()
                            .map(|g| g.to_string())
                            .collect::<Vec<_>>()
                            .join(" "),
                    };
                    *self = Network::Ports { connect, bind };
                    return Err(conflict);
                }
            }
        };
        Ok(())
    }

    /// The hosts granted by name, if that is the network.
    pub fn hosts(&self) -> &[HostGrant] {
        match self {
            Network::Hosts(h) => h,
            _ => &[],
        }
    }

    /// Whether the jail shares the host's network namespace.
    pub fn shares_host(&self) -> bool {
        matches!(self, Network::Host | Network::Ports { .. })
    }
}

fn ports(list: &[u16]) -> String {
    list.iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Network::Private => write!(f, "private (loopback only)"),
            Network::Host => write!(f, "host (every protocol and port)"),
            Network::Hosts(hosts) => {
                let list: Vec<String> = hosts.iter().map(HostGrant::to_string).collect();
                write!(
                    f,
                    "private; through the proxy, TCP to {} only",
                    list.join(", ")
                )
            }
            Network::Ports { connect, bind } => {
                write!(f, "host, TCP only: connect to ")?;
                if connect.is_empty() {
                    write!(f, "no port")?;
                } else {
                    write!(f, "{}", ports(connect))?;
                }
                write!(f, "; listen on ")?;
                if bind.is_empty() {
                    write!(f, "no port")
                } else {
                    write!(f, "{}", ports(bind))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_port_lists() {
        assert_eq!(
            Network::parse_ports("connect=443,80").unwrap(),
            Network::Ports {
                connect: vec![80, 443],
                bind: vec![]
            }
        );
        assert_eq!(
            Network::parse_ports("connect=443 bind=8080").unwrap(),
            Network::Ports {
                connect: vec![443],
                bind: vec![8080]
            }
        );
        for bad in [
            "",
            "connect=",
            "connect=0",
            "connect=70000",
            "listen=80",
            "connect=80,",
            "connect=a",
        ] {
            assert!(Network::parse_ports(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn host_wins_and_ports_add_up() {
        let mut n = Network::parse_ports("connect=443").unwrap();
        n.add(Network::parse_ports("bind=8080 connect=80").unwrap())
            .unwrap();
        assert_eq!(
            n,
            Network::Ports {
                connect: vec![80, 443],
                bind: vec![8080]
            }
        );
        n.add(Network::Host).unwrap();
        assert_eq!(n, Network::Host);
        let mut p = Network::Private;
        p.add(Network::Private).unwrap();
        assert_eq!(p, Network::Private);
        assert!(!p.shares_host());
    }

    fn grant(spec: &str) -> HostGrant {
        HostGrant::parse(spec).unwrap()
    }

    #[test]
    fn parses_hosts() {
        assert_eq!(
            grant("PyPI.org."),
            HostGrant {
                host: Host::Name("pypi.org".into()),
                ports: vec![80, 443]
            }
        );
        assert_eq!(grant("pypi.org:443,8443,443").ports, vec![443, 8443]);
        assert_eq!(
            grant("*.example.org").host,
            Host::Below("example.org".into())
        );
        assert_eq!(
            grant("192.0.2.7:22").host,
            Host::Addr("192.0.2.7".parse().unwrap())
        );
        assert_eq!(grant("[::1]:8080").host, Host::Addr("::1".parse().unwrap()));
        assert_eq!(grant("[::1]").ports, vec![80, 443]);
        // An IPv4 address written as IPv6 is that IPv4 address.
        assert_eq!(
            grant("[::ffff:127.0.0.1]").host,
            Host::Addr("127.0.0.1".parse().unwrap())
        );
        for bad in [
            "",
            ":443",
            "pypi.org:",
            "pypi.org:0",
            "pypi.org:https",
            "pypi.org:443,",
            "::1",
            "[::1",
            "*.",
            "*",
            "a..b",
            "a b",
            "a/b",
            "a@b",
            "x\u{1b}[31m",
            "a.*.b",
        ] {
            assert!(HostGrant::parse(bad).is_err(), "{bad:?} parsed");
        }
        let e = HostGrant::parse("x\ny").unwrap_err();
        assert!(e.starts_with("x\\ny: not a host"), "{e}");
    }

    #[test]
    fn hosts_match_names_subdomains_and_addresses() {
        let ask = |h: &str| Host::parse(h).unwrap();
        assert!(grant("pypi.org").covers(&ask("PYPI.ORG"), 443));
        assert!(!grant("pypi.org").covers(&ask("pypi.org"), 8080));
        assert!(!grant("pypi.org").covers(&ask("evil-pypi.org"), 443));
        let below = grant("*.example.org");
        assert!(below.covers(&ask("a.example.org"), 80));
        assert!(below.covers(&ask("a.b.example.org"), 80));
        assert!(!below.covers(&ask("example.org"), 80));
        assert!(!below.covers(&ask("aexample.org"), 80));
        assert!(!below.covers(&ask("example.org.evil"), 80));
        // A name is not the address it resolves to, nor the other way round.
        assert!(!grant("127.0.0.1").covers(&ask("localhost"), 80));
        assert!(grant("127.0.0.1").covers(&ask("127.0.0.1"), 80));
        assert!(!grant("localhost").covers(&ask("127.0.0.1"), 80));
    }

    #[test]
    fn hosts_add_up_and_meet_ports() {
        let mut n = Network::parse_capability("b.org:443").unwrap();
        n.add(Network::parse_capability("a.org").unwrap()).unwrap();
        n.add(Network::parse_capability("b.org:8443").unwrap())
            .unwrap();
        assert_eq!(
            n.hosts(),
            [grant("a.org"), grant("b.org:443,8443")].as_slice()
        );
        assert!(!n.shares_host());
        assert_eq!(
            n.to_string(),
            "private; through the proxy, TCP to a.org:80,443, b.org:443,8443 only"
        );
        // Ports that hold the hosts' ports hold the hosts; others cannot be combined.
        let mut wide = Network::parse_ports("connect=80,443,8443").unwrap();
        wide.add(n.clone()).unwrap();
        assert_eq!(wide, Network::parse_ports("connect=80,443,8443").unwrap());
        let mut narrow = Network::parse_ports("connect=443").unwrap();
        let e = narrow.add(n.clone()).unwrap_err();
        assert!(e.to_string().contains("cannot be combined"), "{e}");
        let mut all = n;
        all.add(Network::Host).unwrap();
        assert_eq!(all, Network::Host);
        // A profile names hosts with host=.
        assert_eq!(
            Network::parse_ports("host=pypi.org host=files.pythonhosted.org:443").unwrap(),
            Network::Hosts(vec![grant("files.pythonhosted.org:443"), grant("pypi.org")])
        );
        assert!(Network::parse_ports("host=")
            .unwrap_err()
            .contains("not a host"));
        assert!(Network::parse_ports("connect=443 host=x.org").is_err());
    }
}
