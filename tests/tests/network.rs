//! The network as a capability (issue 4): private by default, the host's with `@net`
//! / `--net`, TCP to and on listed ports only with `@net:connect=…` / `@net:bind=…`.
//! Servers run in the test process on 127.0.0.1, and (as root) in a network namespace
//! of their own reached over a veth pair; each restriction is first shown not to hold
//! for a plain process. Host abstract sockets, in every mode: security.rs, item 14.

use std::io::Write;

use pola_tests::{both, py, Run, T};

/// Two TCP servers and a UDP echo server on 127.0.0.1, each answering "hello".
fn servers() -> (u16, u16, u16) {
    let tcp = |_| {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for s in l.incoming().take(40).flatten() {
                let _ = (&s).write_all(b"hello");
            }
        });
        port
    };
    let (a, b) = (tcp(0), tcp(1));
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let u = udp.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        for _ in 0..40 {
            if let Ok((_, peer)) = udp.recv_from(&mut buf) {
                let _ = udp.send_to(b"hello", peer);
            }
        }
    });
    (a, b, u)
}

/// A port nobody listens on now (for bind tests).
/// Two ports free now, never the same one: each is held while the other is taken
/// (taken one after the other, the kernel gave the same port twice: a CI run's flake).
fn two_free_ports() -> (u16, u16) {
    let take = || std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (a, b) = (take(), take());
    let port = |l: &std::net::TcpListener| l.local_addr().unwrap().port();
    (port(&a), port(&b))
}

fn reach(a: u16, b: u16, u: u16) -> String {
    py(&format!(
        r#"
import socket
def tcp(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    assert s.recv(5) == b"hello"
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(b"hi", ("127.0.0.1", {u}))
    assert s.recv(5) == b"hello"
def sctp():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132).close()
def mptcp():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262).close()
def packet():
    socket.socket(17, socket.SOCK_RAW, 0).close()
def fastopen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.sendto(b"x", 0x20000000, ("127.0.0.1", {b}))
probe("tcp_a", lambda: tcp({a}))
probe("tcp_b", lambda: tcp({b}))
probe("udp", udp)
probe("sctp", sctp)
probe("mptcp", mptcp)
probe("packet", packet)
probe("fastopen", fastopen)
"#
    ))
}

fn field(run: &Run, key: &str) -> String {
    run.expect_field(key)
}

both!(a_jail_has_no_network_by_default, |t: &T| {
    let (a, b, u) = servers();
    let code = reach(a, b, u);
    let plain = t.py_plain(&code);
    assert_eq!(field(&plain, "tcp_a"), "ok", "{plain}");
    assert_eq!(field(&plain, "udp"), "ok", "{plain}");
    let jail = t.py_jail(&[], &code);
    assert_eq!(field(&jail, "tcp_a"), "ECONNREFUSED", "{jail}");
    assert_eq!(field(&jail, "tcp_b"), "ECONNREFUSED", "{jail}");
    assert_ne!(field(&jail, "udp"), "ok", "{jail}");
});

both!(net_gives_the_host_network, |t: &T| {
    let (a, b, u) = servers();
    let jail = t.py_jail(&["--net"], &reach(a, b, u));
    assert_eq!(field(&jail, "tcp_a"), "ok", "{jail}");
    assert_eq!(field(&jail, "tcp_b"), "ok", "{jail}");
    assert_eq!(field(&jail, "udp"), "ok", "{jail}");
});

both!(net_connect_allows_only_the_listed_tcp_ports, |t: &T| {
    let (a, b, u) = servers();
    let code = reach(a, b, u);
    let plain = t.py_plain(&code);
    for key in ["tcp_a", "tcp_b", "udp"] {
        assert_eq!(field(&plain, key), "ok", "{plain}");
    }
    for key in ["sctp", "mptcp", "packet", "fastopen"] {
        assert_ne!(field(&plain, key), "EACCES", "{plain}");
    }
    let jail = t.py_jail(&["--net-connect", &a.to_string()], &code);
    assert_eq!(field(&jail, "tcp_a"), "ok", "{jail}");
    assert_eq!(field(&jail, "tcp_b"), "EACCES", "{jail}");
    for key in ["udp", "sctp", "mptcp", "packet", "fastopen"] {
        assert_eq!(field(&jail, key), "EACCES", "{key}: {jail}");
    }
});

both!(
    net_bind_allows_listening_on_the_listed_ports_only,
    |t: &T| {
        let (good, bad) = two_free_ports();
        let code = py(&format!(
            r#"
import socket
def listen(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen()
    s.close()
probe("good", lambda: listen({good}))
probe("bad", lambda: listen({bad}))
"#
        ));
        let plain = t.py_plain(&code);
        assert_eq!(field(&plain, "bad"), "ok", "{plain}");
        let jail = t.py_jail(&["--net-bind", &good.to_string()], &code);
        assert_eq!(field(&jail, "good"), "ok", "{jail}");
        assert_eq!(field(&jail, "bad"), "EACCES", "{jail}");
        // A connect-only grant listens nowhere.
        let jail = t.py_jail(&["--net-connect", "443"], &code);
        assert_eq!(field(&jail, "good"), "EACCES", "{jail}");
    }
);

both!(pola_sh_narrows_the_network_with_ports, |t: &T| {
    let (a, b, u) = servers();
    let code = reach(a, b, u);
    t.write("probe.py", &code);
    let sh = |script: &str| t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "-c", script]);
    let run = sh(&format!("python3 probe.py + @net:connect={a}"));
    assert_eq!(field(&run, "tcp_a"), "ok", "{run}");
    assert_eq!(field(&run, "tcp_b"), "EACCES", "{run}");
    let run = sh(&format!("python3 probe.py + @net:connect={a},{b}"));
    assert_eq!(field(&run, "tcp_b"), "ok", "{run}");
    // Asking for the whole network as well gives the whole network.
    let run = sh(&format!("python3 probe.py + @net:connect={a} @net"));
    assert_eq!(field(&run, "udp"), "ok", "{run}");
    let run = sh("python3 probe.py + @net:connect=https");
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr
            .contains("@net:connect=https: not a port restriction"),
        "{run}"
    );
    let run = t.plain(&[
        pola_tests::bin_dir().join("pola-run").to_str().unwrap(),
        "--net-connect",
        "99999",
        "--",
        "true",
    ]);
    assert_eq!(run.code, Some(125), "{run}");
    assert!(run.stderr.contains("connect=99999: not a port"), "{run}");
});

both!(explain_shows_the_network, |t: &T| {
    let run = t.plain(&[
        pola_tests::bin_dir().join("pola-run").to_str().unwrap(),
        "--explain",
        "--net-connect",
        "443,80",
        "--",
        "true",
    ]);
    assert!(
        run.success()
            .contains("network: host, TCP only: connect to 80,443; listen on no port"),
        "{run}"
    );
});

/// A network namespace of its own with a TCP server on ports 8443 and 8080, reached
/// from the host over a veth pair: a network that is not loopback, as a real host's.
/// Building it needs root; it is torn down when dropped.
struct TestNet {
    name: String,
    server: std::process::Child,
    addr: String,
}

fn ip(args: &[&str]) {
    let st = std::process::Command::new("ip")
        .args(args)
        .status()
        .expect("run ip");
    assert!(st.success(), "ip {args:?} failed");
}

impl TestNet {
    fn new(tag: char) -> Option<TestNet> {
        if !pola_tests::is_root() {
            eprintln!("skipped: a test network namespace needs root");
            return None;
        }
        let pid = std::process::id();
        let name = format!("pt{pid}{tag}");
        // Each variant its own /16, so the two running at once never share a subnet.
        let subnet = format!("10.{}.{}", if tag == 'r' { 213 } else { 214 }, pid % 250);
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &name])
            .status();
        ip(&["netns", "add", &name]);
        let (host, inner) = (format!("{name}h"), format!("{name}n"));
        ip(&["link", "add", &host, "type", "veth", "peer", "name", &inner]);
        ip(&["link", "set", &inner, "netns", &name]);
        ip(&["addr", "add", &format!("{subnet}.1/24"), "dev", &host]);
        ip(&["link", "set", &host, "up"]);
        let ns = |args: &[&str]| {
            let mut all = vec!["netns", "exec", &name, "ip"];
            all.extend(args);
            ip(&all);
        };
        ns(&["addr", "add", &format!("{subnet}.2/24"), "dev", &inner]);
        ns(&["link", "set", &inner, "up"]);
        ns(&["link", "set", "lo", "up"]);
        let server = std::process::Command::new("ip")
            .args(["netns", "exec", &name, "/usr/bin/python3", "-c"])
            .arg(
                "import socket, threading\n\
                 def serve(port):\n\
                 \x20   l = socket.create_server(('0.0.0.0', port))\n\
                 \x20   while True:\n\
                 \x20       c, _ = l.accept(); c.sendall(b'hello'); c.close()\n\
                 threading.Thread(target=serve, args=(8080,), daemon=True).start()\n\
                 serve(8443)\n",
            )
            .spawn()
            .expect("start the server");
        let addr = format!("{subnet}.2");
        let net = TestNet { name, server, addr };
        // Up when the host can reach it.
        let up = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(30));
            std::net::TcpStream::connect((net.addr.as_str(), 8443)).is_ok()
        });
        assert!(up, "the test network's server did not come up");
        Some(net)
    }

    /// A probe of both ports from Python.
    fn probe(&self) -> String {
        py(&format!(
            r#"
import socket
def tcp(port):
    s = socket.create_connection(("{addr}", port), timeout=3)
    assert s.recv(5) == b"hello"
probe("p8443", lambda: tcp(8443))
probe("p8080", lambda: tcp(8080))
"#,
            addr = self.addr
        ))
    }
}

impl Drop for TestNet {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        // Deleting the namespace deletes the veth pair with it.
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

both!(a_network_beyond_loopback_follows_the_grant, |t: &T| {
    let tag = if t.uid == 0 { 'r' } else { 'u' };
    let Some(net) = TestNet::new(tag) else {
        return;
    };
    let code = net.probe();
    // A plain process reaches the other namespace's server on both ports.
    let plain = t.py_plain(&code);
    assert_eq!(field(&plain, "p8443"), "ok", "{plain}");
    assert_eq!(field(&plain, "p8080"), "ok", "{plain}");
    // A jail has no route there.
    let jail = t.py_jail(&[], &code);
    assert_eq!(field(&jail, "p8443"), "ENETUNREACH", "{jail}");
    assert_eq!(field(&jail, "p8080"), "ENETUNREACH", "{jail}");
    // --net: the host's network, both ports.
    let jail = t.py_jail(&["--net"], &code);
    assert_eq!(field(&jail, "p8443"), "ok", "{jail}");
    assert_eq!(field(&jail, "p8080"), "ok", "{jail}");
    // --net-connect 8443: that port only.
    let jail = t.py_jail(&["--net-connect", "8443"], &code);
    assert_eq!(field(&jail, "p8443"), "ok", "{jail}");
    assert_eq!(field(&jail, "p8080"), "EACCES", "{jail}");
});
