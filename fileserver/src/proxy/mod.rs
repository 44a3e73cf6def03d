//! The network by name: a filtering proxy for each jail granted hosts (`+ @net:pypi.org`).
//!
//! Defends against a command granted one host reaching anything else (issue 15;
//! SECURITY.md 13 for the jail without a grant): other hosts, other ports of that host,
//! the machine's own services or the local network through a name that resolves there
//! (DNS rebinding), another site behind the same address (domain fronting: a TLS
//! handshake or a Host header naming another site of a CDN), and UDP.
//!
//! The jail keeps its private network namespace, loopback only, so a program that
//! ignores the proxy has no route anywhere. Its PID 1 listens on the jail's loopback
//! and hands the listening socket to this server before the command starts
//! (`pola-shim`'s `proxy.rs`); the command's environment names it ([`environment`]).
//! Each connection is served on a thread of its own:
//!
//! - HTTP ([`http`]): absolute-URI requests (`GET http://host/path`), forwarded with
//!   the Host header set to the name asked for, and `CONNECT host:port` tunnels;
//! - SOCKS5 ([`socks`]): RFC 1928's CONNECT, for git, ssh and anything over TCP.
//!
//! - names on the jail's loopback ([`named`]): each name granted is in the jail's
//!   `/etc/hosts` at an address of its own loopback (`127.77.0.1`, ...), where the
//!   proxy listens on every port granted for it, so that a program that ignores the
//!   proxy variables (ssh, nc, openssl, Node's `fetch`) reaches it too: a connection
//!   there goes to that name and port, as a tunnel (port 80: as HTTP requests).
//!
//! Either way the destination is checked ([`policy`]): the name (or address) and port
//! must be granted (or, in ask mode, allowed by the user); the proxy resolves the name
//! itself (the jail has no DNS) and refuses loopback, private, link-local and this
//! machine's own addresses unless the grant names such an address or `localhost`. A
//! tunnel to port 443 must open with a TLS ClientHello whose server name (SNI) is the
//! name granted ([`sni`]), and so must any other tunnel (CONNECT or SOCKS5, to any
//! port: CDNs serve HTTPS on 8443, 2053...) whose client opens with a TLS handshake;
//! a tunnel to port 80 is refused, and so is one to any port that opens with an HTTP
//! request, since the Host headers inside it would be out of the proxy's sight (plain
//! HTTP goes as absolute-URI requests, each checked). Every connection is an
//! audit record: `#1234 net pypi.org:443: allowed`.
//!
//! The connections are served in the shell's process, so what they hold is bounded
//! (a jail holding connections open must not leave the shell without descriptors
//! for its own opens): each costs two descriptors (the jail's side and the server's,
//! shared by its threads and by the table that cuts them when the jail ends); all the
//! proxies of the process together hold at most half of the soft `RLIMIT_NOFILE`
//! ([`SHARE_OF_DESCRIPTORS`]), one jail at most half of what other jails leave of that
//! (so that another jail's proxy, in the same pipeline, still gets connections) and
//! never more than [`MAX_CONNECTIONS`]. The soft limit is left as it is: the jails
//! inherit it, and programs using `select()` fail on descriptors above 1024.

mod http;
pub mod policy;
mod relay;
mod sni;
mod socks;

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::ask::Session;
use crate::network::{Host, HostGrant, Network};
use policy::Refusal;

/// What one jail's proxy lets through, and whom it asks.
pub struct Policy {
    /// The hosts granted by name.
    pub hosts: Vec<HostGrant>,
    /// The jail's id, for audit records.
    pub id: u32,
    /// The program's name, for questions.
    pub name: String,
    /// Ask mode: the user is asked about hosts that were not granted.
    pub ask: Option<Session>,
    /// The jail's questions (asked only while its job is in the foreground, ended
    /// with it).
    pub questions: crate::terminal::Questions,
}

/// The port a TLS tunnel must show its server name on.
const TLS_PORT: u16 = 443;

/// The port whose tunnels are refused: HTTP goes as absolute-URI requests, so that the
/// Host header is the name granted.
const HTTP_PORT: u16 = 80;

/// Why a tunnel to `HTTP_PORT` is refused.
const PORT_80_TUNNEL: &str = "a tunnel to port 80 would hide the Host header of what it carries; plain HTTP goes through http_proxy as absolute-URI requests";

/// What became of one connection: its audit record, and what the command is told when
/// it ends (`Missed`).
enum Verdict<'a> {
    /// Let through, as `policy::open` says how.
    Allowed(&'a str),
    /// Not let through by the policy, or not reached (`policy::open`).
    Refused(&'a Refusal),
    /// Refused for what the client sent: why.
    Denied(&'a str),
}

/// Connections one jail may hold open at once; more are closed as they arrive (each
/// costs the shell two threads and [`DESCRIPTORS_PER_CONNECTION`] descriptors).
const MAX_CONNECTIONS: usize = 256;

/// What one connection holds open: the jail's side and the server's.
const DESCRIPTORS_PER_CONNECTION: usize = 2;

/// The part of the soft `RLIMIT_NOFILE` the connections of all this process's proxies
/// may hold together (1/2): the rest is the shell's (its redirections, grants' witness
/// descriptors, the jails' sockets), so that a jail holding connections never makes
/// the shell's own opens fail.
const SHARE_OF_DESCRIPTORS: usize = 2;

/// The connections all this process's proxies hold now.
static OPEN_CONNECTIONS: AtomicUsize = AtomicUsize::new(0);

/// Test seam (documented in the network tests): `POLA_TEST_PROXY_UNBOUNDED=1` lets
/// each jail hold [`MAX_CONNECTIONS`] whatever the process's descriptors, as before.
const UNBOUNDED_SEAM: &str = "POLA_TEST_PROXY_UNBOUNDED";

/// How many connections this process's proxies may hold together now.
fn process_budget() -> usize {
    let soft = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map(|(soft, _)| soft)
        .unwrap_or(1024);
    let soft = usize::try_from(soft).unwrap_or(usize::MAX);
    soft / SHARE_OF_DESCRIPTORS / DESCRIPTORS_PER_CONNECTION
}

/// How long a client may take to say where it wants to go.
const HEAD_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether a jail with `net` gets a proxy: when it was granted hosts by name, or in
/// ask mode when it has no network (so that the user can be asked about a host).
pub fn wanted(net: &Network, ask: bool) -> bool {
    matches!(net, Network::Hosts(_)) || (ask && *net == Network::Private)
}

/// A port for the proxy in a jail's own network namespace, where nothing else listens
/// yet: random, below the ephemeral range and above the usual development servers', so
/// that a server the command starts is unlikely to want it.
pub fn port() -> u16 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    10_000 + (h.finish() % 20_000) as u16
}

/// The variables that send a command's connections through the proxy at `port`:
/// `http_proxy`/`https_proxy` (and upper case) to its HTTP side, `ALL_PROXY` to its
/// SOCKS5 side (names resolved by the proxy: `socks5h`), and `no_proxy` for the jail's
/// own loopback unless a grant names a loopback host (then that goes through the proxy
/// to the machine's).
pub fn environment(port: u16, hosts: &[HostGrant]) -> Vec<OsString> {
    let http = format!("http://127.0.0.1:{port}");
    let socks = format!("socks5h://127.0.0.1:{port}");
    let mut env: Vec<OsString> = Vec::new();
    for name in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"] {
        env.push(format!("{name}={http}").into());
    }
    for name in ["ALL_PROXY", "all_proxy"] {
        env.push(format!("{name}={socks}").into());
    }
    let loopback_granted = hosts.iter().any(|g| policy::names_local(&g.host));
    if !loopback_granted {
        for name in ["no_proxy", "NO_PROXY"] {
            env.push(format!("{name}=localhost,127.0.0.1,::1").into());
        }
    }
    env
}

/// A jail's proxy, serving until [`Proxy::stop`].
pub struct Proxy {
    listener: TcpListener,
    /// The listeners of the names on the jail's loopback ([`named`]), shared with the
    /// thread that accepts on them.
    named: Arc<Vec<(TcpListener, Destination)>>,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
    named_thread: Option<std::thread::JoinHandle<()>>,
}

/// Where the jail's `/etc/hosts` places the names granted: `127.77.0.1` and on, on the
/// jail's own loopback (all of `127.0.0.0/8` is), out of the way of `127.0.0.1`.
const NAMED_BLOCK: [u8; 2] = [127, 77];

/// A host granted by name and where the jail finds it (see [`named`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub host: Host,
    /// In the jail's `/etc/hosts` when it is not already there (`localhost`).
    pub name: Option<String>,
    pub addr: Ipv4Addr,
    pub ports: Vec<u16>,
}

/// The hosts granted that a program ignoring the proxy variables can reach too: each
/// name at an address of the jail's loopback of its own, in order, and a loopback
/// address granted (`localhost`, `127.0.0.1`) at that address — where the proxy
/// listens for it on each port granted. A host named by a wildcard (`*.example.org`)
/// or by another address has no place there: only the proxy variables reach it.
pub fn named(hosts: &[HostGrant]) -> Vec<Named> {
    let mut next = 0u16;
    let mut all = Vec::new();
    for g in hosts {
        let (name, addr) = match &g.host {
            Host::Name(n) if n == "localhost" => (None, Ipv4Addr::LOCALHOST),
            Host::Name(n) => {
                next = match next.checked_add(1) {
                    Some(next) if next < u16::MAX => next,
                    _ => continue,
                };
                let [a, b] = NAMED_BLOCK;
                let [c, d] = next.to_be_bytes();
                (Some(n.clone()), Ipv4Addr::new(a, b, c, d))
            }
            Host::Addr(std::net::IpAddr::V4(a)) if a.is_loopback() => (None, *a),
            _ => continue,
        };
        all.push(Named {
            host: g.host.clone(),
            name,
            addr,
            ports: g.ports.clone(),
        });
    }
    all
}

/// How many listening sockets of names a jail gets at most (each is a descriptor of
/// the shell's while the command runs): the ports granted beyond are reached through
/// the proxy variables alone (security review: a grant of 12,000 ports took the
/// shell's descriptors).
const MAX_NAMED_LISTENERS: usize = 256;

/// Each (address, port) of [`named`]'s hosts, with the host and port it stands for, in
/// order; at most [`MAX_NAMED_LISTENERS`].
fn placed(hosts: &[HostGrant]) -> Vec<(SocketAddrV4, Host, u16)> {
    named(hosts)
        .into_iter()
        .flat_map(|n| {
            let (addr, host) = (n.addr, n.host);
            n.ports
                .into_iter()
                .map(move |p| (SocketAddrV4::new(addr, p), host.clone(), p))
        })
        .take(MAX_NAMED_LISTENERS)
        .collect()
}

/// Where a jail's PID 1 listens for [`named`]'s hosts, one socket each, in order.
pub fn named_addresses(hosts: &[HostGrant]) -> Vec<SocketAddrV4> {
    placed(hosts).into_iter().map(|(a, _, _)| a).collect()
}

/// The jail's `/etc/hosts` for `hosts`: loopback, and each name granted at its address.
pub fn hosts_file(hosts: &[HostGrant]) -> String {
    let mut text = String::from(
        "# pola-sh: the hosts granted by name, reached through pola-sh's proxy\n\
         127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
    );
    for n in named(hosts) {
        if let Some(name) = n.name {
            text.push_str(&format!("{}\t{name}\n", n.addr));
        }
    }
    text
}

/// What every connection of one jail's proxy shares.
struct Shared {
    policy: Policy,
    stopped: AtomicBool,
    next: AtomicU64,
    /// The sockets of the connections open now, to cut them when the jail ends
    /// (shared with the connection's threads: no descriptor is duplicated).
    open: Mutex<HashMap<u64, Vec<Arc<TcpStream>>>>,
    /// Destinations refused because they were not granted (`host:port`, as the jail
    /// asked), for the hint after the command.
    refused: Mutex<Vec<String>>,
    /// Destinations granted that the proxy could not reach, with why (`host:port`,
    /// the reason): the jail sees only a 502 or a SOCKS error.
    unreachable: Mutex<Vec<(String, String)>>,
}

/// What a proxy saw of the destinations it could not serve.
#[derive(Debug, Default)]
pub struct Missed {
    /// Not granted (`host:port`, as the jail asked).
    pub refused: Vec<String>,
    /// Granted, but not reached: `host:port` and why (it does not resolve, the
    /// connection failed).
    pub unreachable: Vec<(String, String)>,
}

/// One connection's place among the open ones; it leaves when dropped.
struct Conn<'a> {
    shared: &'a Shared,
    id: u64,
}

impl Conn<'_> {
    /// Add a socket to cut when the jail ends.
    fn hold(&self, stream: TcpStream) -> Arc<TcpStream> {
        let stream = Arc::new(stream);
        if let Ok(mut open) = self.shared.open.lock() {
            if let Some(list) = open.get_mut(&self.id) {
                list.push(stream.clone());
            }
        }
        stream
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Ok(mut open) = self.shared.open.lock() {
            open.remove(&self.id);
        }
        OPEN_CONNECTIONS.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Shared {
    /// Register a new connection, unless the proxy stopped or is full, or the
    /// process's proxies hold their share of its descriptors.
    fn enter(&self, client: TcpStream) -> Option<(Conn<'_>, Arc<TcpStream>)> {
        let mut open = self.open.lock().ok()?;
        if self.stopped.load(Ordering::SeqCst) {
            return None;
        }
        let mine = open.len();
        let cap = if std::env::var_os(UNBOUNDED_SEAM).is_some_and(|v| v == "1") {
            MAX_CONNECTIONS
        } else {
            let others = OPEN_CONNECTIONS.load(Ordering::SeqCst).saturating_sub(mine);
            MAX_CONNECTIONS.min(process_budget().saturating_sub(others) / 2)
        };
        if mine >= cap {
            return None;
        }
        OPEN_CONNECTIONS.fetch_add(1, Ordering::SeqCst);
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let client = Arc::new(client);
        open.insert(id, vec![client.clone()]);
        Some((Conn { shared: self, id }, client))
    }

    /// The audit record of one connection to `destination` (`host:port`, or what the
    /// client sent when it is not one).
    fn record(&self, destination: &str, verdict: Verdict) {
        let text = match verdict {
            Verdict::Allowed(how) => how.to_string(),
            Verdict::Denied(why) => format!("denied ({why})"),
            Verdict::Refused(refusal) => {
                if let Refusal::NotGranted(_) = refusal {
                    let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
                    if refused.len() < 16 && !refused.iter().any(|d| d == destination) {
                        refused.push(destination.to_string());
                    }
                }
                if let Some(why) = refusal.missed() {
                    let mut missed = self.unreachable.lock().unwrap_or_else(|e| e.into_inner());
                    if missed.len() < 16 && !missed.iter().any(|(d, _)| d == destination) {
                        missed.push((destination.to_string(), why));
                    }
                }
                refusal.verdict()
            }
        };
        tracing::info!(
            target: crate::AUDIT,
            "#{} net {}: {text}",
            self.policy.id,
            crate::text::shown(destination)
        );
    }
}

/// Serve `listener` (a jail's, from its PID 1) for `policy` on a thread of its own,
/// and `named`, the listeners PID 1 made at [`named_addresses`] (`None` where it could
/// not), on another.
pub fn start(listener: OwnedFd, named: Vec<Option<OwnedFd>>, policy: Policy) -> Proxy {
    let listener = TcpListener::from(listener);
    let named: Arc<Vec<(TcpListener, Destination)>> = Arc::new(
        named
            .into_iter()
            .zip(placed(&policy.hosts))
            .filter_map(|(l, (_, host, port))| {
                Some((TcpListener::from(l?), Destination { host, port }))
            })
            .filter(|(l, _)| l.set_nonblocking(true).is_ok())
            .collect(),
    );
    let shared = Arc::new(Shared {
        policy,
        stopped: AtomicBool::new(false),
        next: AtomicU64::new(0),
        open: Mutex::new(HashMap::new()),
        refused: Mutex::new(Vec::new()),
        unreachable: Mutex::new(Vec::new()),
    });
    let thread = listener.try_clone().ok().map(|accepting| {
        let shared = shared.clone();
        std::thread::spawn(move || accept(accepting, shared))
    });
    let named_thread = (!named.is_empty()).then(|| {
        let (shared, named) = (shared.clone(), named.clone());
        std::thread::spawn(move || accept_named(&named, shared))
    });
    Proxy {
        listener,
        named,
        shared,
        thread,
        named_thread,
    }
}

impl Proxy {
    /// The jail ended: stop accepting and cut every connection still open (also when
    /// a proxy is dropped, so that a launch that failed half-way leaves no thread).
    /// Returns the destinations it refused as not granted, and those granted that it
    /// could not reach.
    pub fn stop(self) -> Missed {
        fn take<T>(list: &Mutex<Vec<T>>) -> Vec<T> {
            std::mem::take(&mut *list.lock().unwrap_or_else(|e| e.into_inner()))
        }
        let missed = Missed {
            refused: take(&self.shared.refused),
            unreachable: take(&self.shared.unreachable),
        };
        drop(self);
        missed
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        // A question still pending about a host is answered no, reading nothing.
        self.shared.policy.questions.end();
        // A listening socket shut down wakes its `accept` with EINVAL (and a `poll`).
        for listener in std::iter::once(&self.listener).chain(self.named.iter().map(|(l, _)| l)) {
            let _ = nix::sys::socket::shutdown(
                std::os::fd::AsRawFd::as_raw_fd(listener),
                nix::sys::socket::Shutdown::Both,
            );
        }
        if let Ok(open) = self.shared.open.lock() {
            for stream in open.values().flatten() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        for thread in [self.thread.take(), self.named_thread.take()]
            .into_iter()
            .flatten()
        {
            let _ = thread.join();
        }
    }
}

fn accept(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(_) if shared.stopped.load(Ordering::SeqCst) => return,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => return,
            Err(e) => {
                // Out of descriptors or memory: let the connections in flight finish.
                tracing::debug!("proxy: accept: {e}");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        on_a_thread(&shared, client, None);
    }
}

/// Serve one connection on a thread of its own: one to the proxy ([`serve`]), or to
/// the name `to` stands for ([`serve_named`]).
fn on_a_thread(shared: &Arc<Shared>, client: TcpStream, to: Option<Destination>) {
    let shared = shared.clone();
    let spawned = std::thread::Builder::new()
        .name("pola-proxy".into())
        .stack_size(256 * 1024)
        .spawn(move || {
            if let Some((conn, client)) = shared.enter(client) {
                match &to {
                    Some(to) => serve_named(&client, to, &conn),
                    None => serve(&client, &conn),
                }
            }
        });
    if let Err(e) = spawned {
        tracing::debug!("proxy: cannot serve a connection: {e}");
    }
}

/// Accept on the listeners of the names on the jail's loopback, each connection served
/// on a thread of its own as one to that listener's destination ([`serve_named`]).
fn accept_named(listeners: &[(TcpListener, Destination)], shared: Arc<Shared>) {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    loop {
        let mut fds: Vec<PollFd> = listeners
            .iter()
            .map(|(l, _)| PollFd::new(l.as_fd(), PollFlags::POLLIN))
            .collect();
        match poll(&mut fds, PollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return,
            Ok(_) => {}
        }
        if shared.stopped.load(Ordering::SeqCst) {
            return;
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        for ((listener, to), _) in listeners.iter().zip(ready).filter(|(_, r)| *r) {
            let client = match listener.accept() {
                Ok((client, _)) => client,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) if e.raw_os_error() == Some(libc::EINVAL) => return,
                Err(e) => {
                    tracing::debug!("proxy: accept: {e}");
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            let to = Destination {
                host: to.host.clone(),
                port: to.port,
            };
            on_a_thread(&shared, client, Some(to));
        }
    }
}

/// How long a connection to a name on the jail's loopback is watched for an HTTP
/// request before it is taken for a protocol whose server speaks first (smtp, mysql).
const FIRST_WORDS: Duration = Duration::from_millis(200);

/// One connection to a name on the jail's loopback: HTTP requests in origin form (`GET
/// /path`: to port 80, or to another port when the client opens with one) forwarded
/// as the HTTP side forwards absolute-URI ones, anything else as a tunnel, checked as
/// a SOCKS5 one is (to port 443 it must open with a TLS handshake naming the host).
fn serve_named(client: &TcpStream, to: &Destination, conn: &Conn) {
    let opens_with_http = || {
        let _ = client.set_read_timeout(Some(FIRST_WORDS));
        let mut first = [0u8; 1024];
        let n = client.peek(&mut first).unwrap_or(0);
        looks_like_http(&first[..n])
    };
    let http = to.port == HTTP_PORT || (to.port != TLS_PORT && opens_with_http());
    let _ = client.set_read_timeout(Some(HEAD_TIMEOUT));
    if http {
        return http::serve_named(client, to, conn);
    }
    match policy::open(to, conn) {
        Ok((upstream, verdict)) => tunnel(client, &upstream, Vec::new(), to, &verdict, conn),
        Err(refusal) => conn.shared.record(&to.shown(), Verdict::Refused(&refusal)),
    }
}

/// One connection from the jail: SOCKS5 if it opens with version 5, else HTTP.
fn serve(client: &TcpStream, conn: &Conn) {
    let _ = client.set_read_timeout(Some(HEAD_TIMEOUT));
    let mut first = [0u8; 1];
    match client.peek(&mut first) {
        Ok(1) if first[0] == socks::VERSION => socks::serve(client, conn),
        Ok(1) => http::serve(client, conn),
        _ => {}
    }
}

/// Where a client asked to go.
struct Destination {
    host: Host,
    port: u16,
}

impl Destination {
    /// The host as it is asked about and remembered (`pypi.org`, `[::1]`).
    fn host_shown(&self) -> String {
        self.host.to_string()
    }

    /// `host:port`.
    fn shown(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// The first byte of a TLS handshake record (RFC 8446 §5.1: `handshake(22)`).
const TLS_HANDSHAKE: u8 = 22;

/// How much of a tunnel's first line is read before it is looked at.
const MAX_FIRST_LINE: usize = 8192;

/// A character of an HTTP token (RFC 9110 §5.6.2), as a method is made of.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `bytes` start with an HTTP request line (`GET / HTTP/1.1`, `POST http://…`).
fn looks_like_http(bytes: &[u8]) -> bool {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(bytes) {
        Ok(_) => req.method.is_some(),
        // Too many headers for the array: a request all the same.
        Err(httparse::Error::TooManyHeaders) => true,
        Err(_) => false,
    }
}

/// A tunnel from `client` to `upstream` (a CONNECT, or SOCKS5), `pending` the bytes
/// the client sent after its request. To port 443 it must open with a ClientHello
/// naming the host granted, and so must a tunnel to any other port whose client opens
/// with a TLS handshake: nothing the client sends reaches the server before that is
/// checked. `verdict` is recorded once the tunnel is let through. Returns after both
/// directions are done.
fn tunnel(
    client: &TcpStream,
    upstream: &TcpStream,
    pending: Vec<u8>,
    to: &Destination,
    verdict: &str,
    conn: &Conn,
) {
    let shared = conn.shared;
    let cut = || {
        let _ = client.shutdown(Shutdown::Both);
        let _ = upstream.shutdown(Shutdown::Both);
    };
    if to.port == TLS_PORT {
        let mut pending = pending;
        if let Err(why) = sni::check(&mut &*client, &mut pending, &to.host) {
            shared.record(&to.shown(), Verdict::Denied(&why.to_string()));
            return cut();
        }
        shared.record(&to.shown(), Verdict::Allowed(verdict));
        let _ = client.set_read_timeout(None);
        if (&*upstream).write_all(&pending).is_err() {
            return cut();
        }
        return relay::both(client, upstream, |_| Some(Vec::new()));
    }
    // Another port: the server may speak first (ssh, smtp), so its side flows at once;
    // the client's first bytes are looked at before any goes up.
    relay::both(client, upstream, |mut client| {
        let mut pending = pending;
        let _ = client.set_read_timeout(None);
        if pending.is_empty() {
            let mut first = [0u8; 4096];
            match client.read(&mut first) {
                Ok(n) => pending.extend_from_slice(&first[..n]),
                Err(_) => return None,
            }
        }
        // A first line sent in pieces (`G`, then `ET /x HTTP/1.1`, `Host: other`) is
        // read whole before it is looked at: one that opens with a token is read to the
        // end of its first line (security review: its Host header passed).
        let _ = client.set_read_timeout(Some(HEAD_TIMEOUT));
        while pending.first().is_some_and(|b| is_tchar(*b))
            && !pending.contains(&b'\n')
            && pending.len() < MAX_FIRST_LINE
        {
            let mut more = [0u8; 4096];
            match client.read(&mut more) {
                Ok(n) if n > 0 => pending.extend_from_slice(&more[..n]),
                _ => break,
            }
        }
        let _ = client.set_read_timeout(None);
        // Still no end of line: what could be the start of a request is not let by.
        let unfinished = !pending.contains(&b'\n') && pending.iter().all(|b| is_tchar(*b));
        if !pending.is_empty() && unfinished && pending.len() < MAX_FIRST_LINE {
            shared.record(
                &to.shown(),
                Verdict::Denied("a first line that never ended (it could be an HTTP request)"),
            );
            return None;
        }
        // Plain HTTP inside a tunnel: its Host header (and every pipelined request's)
        // would be out of the proxy's sight, as on port 80; it goes through the proxy's
        // HTTP forwarding (http_proxy), which checks each.
        if looks_like_http(&pending) {
            shared.record(
                &to.shown(),
                Verdict::Denied("plain HTTP inside a tunnel: use the proxy's HTTP forwarding"),
            );
            return None;
        }
        if pending.first() == Some(&TLS_HANDSHAKE) {
            let _ = client.set_read_timeout(Some(HEAD_TIMEOUT));
            if let Err(why) = sni::check(&mut client, &mut pending, &to.host) {
                shared.record(&to.shown(), Verdict::Denied(&why.to_string()));
                return None;
            }
            let _ = client.set_read_timeout(None);
        }
        shared.record(&to.shown(), Verdict::Allowed(verdict));
        Some(pending)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_granted_have_addresses_of_their_own_on_the_jails_loopback() {
        let mut net = Network::parse_capability("b.org:22").unwrap();
        for grant in [
            "a.org",
            "localhost:5432",
            "127.0.0.1:6379",
            "*.c.org",
            "192.0.2.7:22",
        ] {
            net.add(Network::parse_capability(grant).unwrap()).unwrap();
        }
        let hosts = net.hosts();
        let at = |s: &str| s.parse::<SocketAddrV4>().unwrap();
        // In the order of the grants (sorted); wildcards and other addresses have none.
        assert_eq!(
            named_addresses(hosts),
            [
                at("127.77.0.1:80"),
                at("127.77.0.1:443"),
                at("127.77.0.2:22"),
                at("127.0.0.1:5432"),
                at("127.0.0.1:6379"),
            ]
        );
        let file = hosts_file(hosts);
        assert!(file.contains("\n127.0.0.1\tlocalhost\n"), "{file}");
        assert!(
            file.ends_with("127.77.0.1\ta.org\n127.77.0.2\tb.org\n"),
            "{file}"
        );
        assert!(
            !file.contains("c.org") && !file.contains("192.0.2.7"),
            "{file}"
        );
    }

    #[test]
    fn http_inside_a_tunnel_is_recognised() {
        assert!(looks_like_http(
            b"GET / HTTP/1.1\r\nHost: other.test\r\n\r\n"
        ));
        assert!(looks_like_http(b"POST http://x/ HTTP/1.0\r\nHost: x"));
        assert!(!looks_like_http(b"SSH-2.0-OpenSSH_9.2\r\n"));
        assert!(!looks_like_http(b"EHLO example.org\r\n"));
        assert!(!looks_like_http(&[22, 3, 1, 2, 0]));
    }
}
