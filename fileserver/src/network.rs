//! The network as a capability.
//!
//! A jail gets a private network namespace with loopback only, unless the command line
//! (or a profile) grants `@net` (the host's network) or `@net:connect=443,80` /
//! `@net:bind=8080` (the host's network, TCP only, to and on those ports; the shim
//! enforces the ports with Landlock and refuses to start where the kernel cannot).

use std::fmt;

use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{digit1, space0, space1};
use nom::combinator::{all_consuming, map_res, value};
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Connect,
    Bind,
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
    /// Parse port restrictions: `connect=443,80`, `bind=8080`, or several of them
    /// separated by spaces (`connect=443 bind=8080`, as in a profile).
    pub fn parse_ports(spec: &str) -> Result<Network, String> {
        let parsed =
            all_consuming(preceded(space0, (separated_list1(space1, clause), space0))).parse(spec);
        let Ok((_, (clauses, _))) = parsed else {
            return Err(format!(
                "{}: not a port restriction (expected connect=PORT[,PORT]... or bind=PORT[,PORT]..., ports 1-65535)",
                crate::text::shown(spec)
            ));
        };
        let mut net = Network::Ports {
            connect: Vec::new(),
            bind: Vec::new(),
        };
        for (direction, ports) in clauses {
            let (connect, bind) = match direction {
                Direction::Connect => (ports, Vec::new()),
                Direction::Bind => (Vec::new(), ports),
            };
            net.add(Network::Ports { connect, bind });
        }
        Ok(net)
    }

    /// Combine two grants: the host network with no restriction wins, port lists add up.
    pub fn add(&mut self, other: Network) {
        *self = match (std::mem::take(self), other) {
            (Network::Host, _) | (_, Network::Host) => Network::Host,
            (Network::Private, n) | (n, Network::Private) => n,
            (
                Network::Ports { connect, bind },
                Network::Ports {
                    connect: c2,
                    bind: b2,
                },
            ) => {
                let merge = |mut a: Vec<u16>, b: Vec<u16>| {
                    a.extend(b);
                    a.sort_unstable();
                    a.dedup();
                    a
                };
                Network::Ports {
                    connect: merge(connect, c2),
                    bind: merge(bind, b2),
                }
            }
        };
    }

    /// Whether the jail shares the host's network namespace.
    pub fn shares_host(&self) -> bool {
        !matches!(self, Network::Private)
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
        n.add(Network::parse_ports("bind=8080 connect=80").unwrap());
        assert_eq!(
            n,
            Network::Ports {
                connect: vec![80, 443],
                bind: vec![8080]
            }
        );
        n.add(Network::Host);
        assert_eq!(n, Network::Host);
        let mut p = Network::Private;
        p.add(Network::Private);
        assert_eq!(p, Network::Private);
        assert!(!p.shares_host());
    }
}
