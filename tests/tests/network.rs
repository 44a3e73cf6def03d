//! The network as a capability (issue 4): private by default, the host's with `@net`
//! / `--net`, TCP to and on listed ports only with `@net:connect=…` / `@net:bind=…`.
//! Servers run in the test process on 127.0.0.1; each restriction is first shown not
//! to hold for a plain process. Host abstract sockets, in every mode: security.rs, item 14.

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
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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
        let (good, bad) = (free_port(), free_port());
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
