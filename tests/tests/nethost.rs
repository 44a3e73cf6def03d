//! The network by name (issue 15): `+ @net:allowed.test` reaches that host, on ports 80
//! and 443, through the shell's filtering proxy, and nothing else.
//!
//! The servers run in a network namespace of the test's own, reached over a veth pair
//! at an address of the benchmarking range (198.18.0.0/15: not loopback, private or
//! link-local, which the proxy would refuse for a name), and names are mapped by a
//! hosts file bind-mounted over `/etc/hosts` in a mount namespace around the shell under
//! test (`unshare -m`, then `setpriv` to the user for the unprivileged variant): the
//! machine's own `/etc/hosts` is never touched. So these tests need root; run as an
//! ordinary user they are skipped with a note. Each refusal is first shown to be
//! reachable by a plain process in the same mount namespace, and each leaves its audit
//! record.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use pola_tests::{both, pola_run, pola_sh, Run, T};

/// Built once per network: which octet, and a counter so that several networks of one
/// process never share a subnet.
static NETS: AtomicU32 = AtomicU32::new(0);

fn ip(args: &[&str]) {
    let st = Command::new("ip").args(args).status().expect("run ip");
    assert!(st.success(), "ip {args:?} failed");
}

/// The servers' files: `hello.txt`, a simple index with one wheel, and a git
/// repository behind git-http-backend (CGI).
fn site(t: &T) -> PathBuf {
    let www = t.mkdir("www");
    std::fs::write(www.join("hello.txt"), "hello from the test network\n").unwrap();
    // A wheel pip can download: a zip with its metadata.
    let wheel = t.mkdir("www/simple/demo").join("demo-1.0-py3-none-any.whl");
    let made = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(
            r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("demo/__init__.py", "")
    z.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    z.writestr("demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("demo-1.0.dist-info/RECORD", "")
"#,
        )
        .arg(&wheel)
        .status()
        .unwrap();
    assert!(made.success());
    // A repository with one commit, served by git's smart HTTP backend.
    let git = |dir: &Path, args: &[&str]| {
        let st = Command::new("/usr/bin/git")
            .args(["-c", "safe.directory=*"])
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .env("HOME", dir)
            .status()
            .unwrap();
        assert!(st.success(), "git {args:?}");
    };
    let work = t.mkdir("repo-work");
    std::fs::write(work.join("README"), "cloned through the proxy\n").unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    git(&work, &["add", "README"]);
    git(&work, &["commit", "-qm", "first"]);
    let repos = t.mkdir("www/repos");
    git(
        &repos,
        &["clone", "-q", "--bare", work.to_str().unwrap(), "repo.git"],
    );
    let cgi = t.mkdir("www/cgi-bin").join("git");
    std::fs::write(
        &cgi,
        format!(
            "#!/bin/sh\n\
             export GIT_PROJECT_ROOT={} GIT_HTTP_EXPORT_ALL=1\n\
             export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0='*'\n\
             exec /usr/lib/git-core/git-http-backend\n",
            repos.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cgi, std::fs::Permissions::from_mode(0o755)).unwrap();
    www
}

/// A test CA and a certificate for `allowed.test` signed by it: `(ca.pem, cert, key)`.
fn certificates(t: &T) -> (PathBuf, PathBuf, PathBuf) {
    let dir = t.mkdir("tls");
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=pola test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=allowed.test",
    ]);
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=DNS:allowed.test,DNS:index.test\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext",
    ]);
    let ca = t.dir().join("ca.pem");
    std::fs::copy(dir.join("ca.pem"), &ca).unwrap();
    t.own(&ca);
    (ca, dir.join("server.pem"), dir.join("server.key"))
}

/// A network namespace of its own with a web server at 198.18.x.2 (or 198.19.x.2 for
/// the unprivileged variant): HTTP on 80 and 8080 (files and git's CGI backend), HTTPS
/// on 443 and 8443 with the test CA's certificate (any server name is answered, as a
/// CDN would).
/// Torn down when dropped.
struct TestNet {
    name: String,
    server: std::process::Child,
    addr: String,
    hosts: PathBuf,
}

impl TestNet {
    fn new(t: &T) -> Option<TestNet> {
        if !pola_tests::is_root() {
            eprintln!("skipped: a test network and a hosts file in a mount namespace need root");
            return None;
        }
        let www = site(t);
        let (_ca, cert, key) = certificates(t);
        let pid = std::process::id();
        let n = NETS.fetch_add(1, Ordering::Relaxed);
        let second = if t.uid == 0 { 18 } else { 19 };
        // A /24 nobody routes yet.
        let third = (0..250)
            .map(|i| (pid + n * 37 + i) % 250)
            .find(|x| {
                let out = Command::new("ip")
                    .args(["-4", "route", "show", &format!("198.{second}.{x}.0/24")])
                    .output()
                    .unwrap();
                out.stdout.is_empty()
            })
            .expect("a free test subnet");
        let subnet = format!("198.{second}.{third}");
        let name = format!("pn{pid}{n}{}", if t.uid == 0 { 'r' } else { 'u' });
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(std::process::Stdio::null())
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
        let server = Command::new("ip")
            .args(["netns", "exec", &name, "/usr/bin/python3", "-c"])
            .arg(
                r#"
import http.server, ssl, sys, threading
class Handler(http.server.CGIHTTPRequestHandler):
    cgi_directories = ["/cgi-bin"]
    def log_message(self, *args):
        pass
def serve(port, tls=None):
    server = http.server.ThreadingHTTPServer(("0.0.0.0", port), Handler)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.serve_forever()
threading.Thread(target=serve, args=(8080,), daemon=True).start()
threading.Thread(target=serve, args=(443, (sys.argv[1], sys.argv[2])), daemon=True).start()
threading.Thread(target=serve, args=(8443, (sys.argv[1], sys.argv[2])), daemon=True).start()
serve(80)
"#,
            )
            .arg(&cert)
            .arg(&key)
            .current_dir(&www)
            .spawn()
            .expect("start the servers");
        let addr = format!("{subnet}.2");
        let hosts = t.path("hosts");
        std::fs::write(
            &hosts,
            format!(
                "127.0.0.1 localhost\n::1 localhost ip6-localhost\n\
                 {addr} allowed.test other.test index.test\n\
                 127.0.0.1 local.test\n"
            ),
        )
        .unwrap();
        let net = TestNet {
            name,
            server,
            addr,
            hosts,
        };
        let up = (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(30));
            [80, 443, 8080, 8443]
                .iter()
                .all(|p| std::net::TcpStream::connect((net.addr.as_str(), *p)).is_ok())
        });
        assert!(up, "the test network's servers did not come up");
        Some(net)
    }
}

impl Drop for TestNet {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// Run `program args` as the test's user, in a mount namespace where `hosts` is
/// `/etc/hosts`, with the audit log in `audit.log`.
fn with_hosts<S: AsRef<OsStr>>(t: &T, hosts: &Path, program: &Path, args: &[S]) -> Run {
    let mut cmd = Command::new("unshare");
    cmd.args([
        "-m",
        "--",
        "sh",
        "-c",
        "mount --bind \"$0\" /etc/hosts && exec \"$@\"",
    ])
    .arg(hosts);
    if t.uid != 0 {
        cmd.arg("setpriv")
            .arg(format!("--reuid={}", t.uid))
            .arg(format!("--regid={}", t.gid))
            .args(["--clear-groups", "--"]);
    }
    cmd.arg(program)
        .args(args)
        .current_dir(t.dir())
        .env_clear()
        .env("PATH", pola_tests::PATH)
        .env("HOME", &t.home)
        .env("XDG_STATE_HOME", t.state_home())
        .env("LANG", "C.UTF-8")
        .env("POLA_AUDIT", t.path("audit.log"))
        .env("XDG_CONFIG_HOME", t.path(".config"))
        .stdin(std::process::Stdio::null());
    t.output(cmd)
}

/// `pola-sh -c SCRIPT` with the test network's names.
fn shell(t: &T, net: &TestNet, script: &str) -> Run {
    with_hosts(t, &net.hosts, &pola_sh(), &["-c", script])
}

/// `sh -c SCRIPT`, not jailed, with the test network's names.
fn plain(t: &T, net: &TestNet, script: &str) -> Run {
    with_hosts(t, &net.hosts, Path::new("/bin/sh"), &["-c", script])
}

fn audit(t: &T) -> String {
    std::fs::read_to_string(t.path("audit.log")).unwrap_or_default()
}

#[track_caller]
fn assert_audit(t: &T, record: &str) {
    let log = audit(t);
    assert!(
        log.lines().any(|l| l.contains(record)),
        "no audit record with {record:?} in:\n{log}"
    );
}

/// `curl` of each URL, one `NAME=STATUS` line each (curl's exit status).
fn curls(urls: &[(&str, &str)], extra: &str) -> String {
    urls.iter()
        .map(|(name, url)| {
            format!(
                "curl -sSf --max-time 20 --cacert ca.pem {url}{extra} >/dev/null; echo {name}=$?"
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

both!(curl_reaches_the_granted_host_and_nothing_else, |t: &T| {
    let Some(net) = TestNet::new(t) else {
        return;
    };
    let addr = net.addr.clone();
    let ip_url = format!("http://{addr}/hello.txt");
    let urls = [
        ("https", "https://allowed.test/hello.txt"),
        ("http", "http://allowed.test/hello.txt"),
        ("other", "http://other.test/hello.txt"),
        ("other_tls", "https://other.test/hello.txt"),
        ("port", "http://allowed.test:8080/hello.txt"),
        ("literal", ip_url.as_str()),
    ];
    // Without the jail every one of them is reachable (the certificate names
    // allowed.test, so other.test's is checked against that name only through the
    // jail's refusal).
    let run = plain(t, &net, &curls(&urls, " -k"));
    for (name, _) in &urls {
        assert_eq!(run.expect_field(name), "0", "{name}: {run}");
    }
    // Through the jail: the granted name on 80 and 443, nothing else.
    let run = shell(t, &net, &curls(&urls, " + @net:allowed.test"));
    assert_eq!(run.expect_field("https"), "0", "{run}");
    assert_eq!(run.expect_field("http"), "0", "{run}");
    for name in ["other", "other_tls", "port", "literal"] {
        assert_ne!(run.expect_field(name), "0", "{name}: {run}");
    }
    assert_audit(t, "net allowed.test:443: allowed");
    assert_audit(t, "net allowed.test:80: allowed");
    assert_audit(t, "net other.test:80: denied (not granted)");
    assert_audit(t, "net other.test:443: denied (not granted)");
    assert_audit(t, "net allowed.test:8080: denied (not granted)");
    assert_audit(t, &format!("net {addr}:80: denied (not granted)"));
    // The hint names the host refused and the grant for it.
    let run = with_hosts(
        t,
        &net.hosts,
        &pola_sh(),
        &[
            "--hints",
            "-c",
            "curl -sSf --max-time 20 -o /dev/null http://other.test:8080/hello.txt + @net:allowed.test",
        ],
    );
    assert!(
        run.stderr.contains(
            "curl tried to reach other.test:8080, which was not granted — try: curl … + @net:other.test:8080"
        ),
        "{run}"
    );
    // The same through SOCKS5 (ALL_PROXY), as git or ssh would use it.
    let socks = "sh -c 'curl -sSf --max-time 20 --cacert ca.pem -o /dev/null -x \"$ALL_PROXY\" \"$0\"; echo $?'";
    let run = shell(
        t,
        &net,
        &format!(
            "{socks} https://allowed.test/hello.txt + @net:allowed.test ca.pem\n\
             {socks} https://other.test/hello.txt + @net:allowed.test ca.pem"
        ),
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"0"), "{run}");
    assert_ne!(lines.get(1), Some(&"0"), "{run}");
    // A tunnel to port 80 would hide its Host header: plain HTTP goes as HTTP.
    let run = shell(
        t,
        &net,
        &format!("{socks} http://allowed.test/hello.txt + @net:allowed.test ca.pem"),
    );
    assert_ne!(run.stdout.trim(), "0", "{run}");
    assert_audit(t, "net allowed.test:80: denied (a tunnel to port 80");
    // Its headers are the server's: the proxy's answer to CONNECT ("HTTP/1.1 200
    // Connection established") is not shown first (trial 10: `curl -sI URL | head -1`
    // passed a health check on a 404). Without the jail's `.curlrc`, curl shows it.
    let head = |rc: &str| {
        format!("curl {rc}-sSI --max-time 20 --cacert ca.pem https://allowed.test/nothing-here + @net:allowed.test ca.pem | head -1")
    };
    let run = shell(t, &net, &head(""));
    assert!(
        run.stdout.starts_with("HTTP/") && run.stdout.contains(" 404"),
        "{run}"
    );
    // (`-q`, first: no `.curlrc`.)
    let run = shell(t, &net, &head("-q "));
    assert!(run.stdout.contains("200 Connection established"), "{run}");
    // The certificate was granted as an argument; grants and explain show the hosts.
    let run = shell(
        t,
        &net,
        "grants curl + @net:allowed.test \"@net:*.pypi.org:443\"",
    );
    assert!(
        run.success().contains(
            "network: private; through the proxy, TCP to allowed.test:80,443, *.pypi.org:443 only"
        ),
        "{run}"
    );
});

both!(a_connect_carrying_another_server_name_is_cut, |t: &T| {
    let Some(net) = TestNet::new(t) else {
        return;
    };
    // Speak to the proxy by hand: CONNECT allowed.test:443, then a TLS handshake that
    // names `sni` (and, directly, to the server itself).
    let probe = |sni: &str, direct: bool| {
        format!(
            r#"
import os, socket, ssl, sys
ctx = ssl.create_default_context(cafile="ca.pem")
ctx.check_hostname = False
if {direct}:
    raw = socket.create_connection(("allowed.test", 443), timeout=10)
else:
    port = int(os.environ["http_proxy"].rsplit(":", 1)[1])
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    raw.sendall(b"CONNECT allowed.test:443 HTTP/1.1\r\nHost: allowed.test:443\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += raw.recv(1)
    print("connect=" + head.split(b" ")[1].decode())
try:
    tls = ctx.wrap_socket(raw, server_hostname="{sni}")
    tls.sendall(b"GET /hello.txt HTTP/1.0\r\nHost: allowed.test\r\n\r\n")
    reply = b""
    while True:
        chunk = tls.recv(4096)
        if not chunk:
            break
        reply += chunk
    print("body=" + reply.decode().split("\r\n\r\n", 1)[-1].strip().replace(" ", "_"))
except OSError as e:
    print("body=" + type(e).__name__)
"#,
            direct = if direct { "True" } else { "False" },
        )
    };
    t.write("fronting.py", &probe("other.test", false));
    t.write("direct.py", &probe("other.test", true));
    t.write("honest.py", &probe("allowed.test", false));
    // The server answers a handshake for any name, as a CDN does for its sites.
    let run = plain(t, &net, "/usr/bin/python3 direct.py");
    assert_eq!(
        run.expect_field("body"),
        "hello_from_the_test_network",
        "{run}"
    );
    // Through the proxy: the honest tunnel works, the fronted one is cut.
    let run = shell(
        t,
        &net,
        "/usr/bin/python3 honest.py + @net:allowed.test ca.pem",
    );
    assert_eq!(run.expect_field("connect"), "200", "{run}");
    assert_eq!(
        run.expect_field("body"),
        "hello_from_the_test_network",
        "{run}"
    );
    let run = shell(
        t,
        &net,
        "/usr/bin/python3 fronting.py + @net:allowed.test ca.pem",
    );
    assert_eq!(run.expect_field("connect"), "200", "{run}");
    assert_ne!(
        run.expect_field("body"),
        "hello_from_the_test_network",
        "{run}"
    );
    assert_audit(
        t,
        "net allowed.test:443: denied (the TLS handshake names other.test)",
    );
});

/// A TLS handshake naming `sni` to allowed.test:`port`, `how`: `direct`, or through
/// the jail's proxy by `connect` or `socks` (SOCKS5, the name resolved by the proxy).
/// Prints `tunnel=` what the proxy answered and `body=` what came back.
fn tls_probe(sni: &str, port: u16, how: &str) -> String {
    format!(
        r#"
import os, socket, ssl
ctx = ssl.create_default_context(cafile="ca.pem")
ctx.check_hostname = False
how, port = "{how}", {port}
if how == "direct":
    raw = socket.create_connection(("allowed.test", port), timeout=10)
else:
    proxy = int(os.environ["http_proxy"].rsplit(":", 1)[1])
    raw = socket.create_connection(("127.0.0.1", proxy), timeout=10)
    if how == "connect":
        raw.sendall(f"CONNECT allowed.test:{{port}} HTTP/1.1\r\nHost: allowed.test:{{port}}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += raw.recv(1)
        print("tunnel=" + head.split(b" ")[1].decode())
    else:
        raw.sendall(b"\x05\x01\x00")
        assert raw.recv(2) == b"\x05\x00"
        name = b"allowed.test"
        raw.sendall(b"\x05\x01\x00\x03" + bytes([len(name)]) + name + port.to_bytes(2, "big"))
        print("tunnel=socks%d" % raw.recv(10)[1])
try:
    tls = ctx.wrap_socket(raw, server_hostname="{sni}")
    tls.sendall(b"GET /hello.txt HTTP/1.0\r\nHost: allowed.test\r\n\r\n")
    reply = b""
    while True:
        chunk = tls.recv(4096)
        if not chunk:
            break
        reply += chunk
    print("body=" + reply.decode().split("\r\n\r\n", 1)[-1].strip().replace(" ", "_"))
except OSError as e:
    print("body=" + type(e).__name__)
"#
    )
}

// Review 2: the server name was checked only in tunnels to port 443, so a host granted
// on another TLS port (CDNs serve HTTPS on 8443, 2053...) could front another site of
// the same address. Now any tunnel, CONNECT or SOCKS5, whose client opens with a TLS
// handshake must name the host granted.
both!(
    a_tunnel_to_any_port_carrying_another_server_name_is_cut,
    |t: &T| {
        let Some(net) = TestNet::new(t) else {
            return;
        };
        const HELLO: &str = "hello_from_the_test_network";
        t.write("direct.py", &tls_probe("other.test", 8443, "direct"));
        // The server on 8443 answers a handshake for any name, as a CDN does.
        let run = plain(t, &net, "/usr/bin/python3 direct.py");
        assert_eq!(run.expect_field("body"), HELLO, "{run}");
        for how in ["connect", "socks"] {
            t.write("honest.py", &tls_probe("allowed.test", 8443, how));
            t.write("fronting.py", &tls_probe("other.test", 8443, how));
            let grant = "+ @net:allowed.test:443,8443 ca.pem";
            let run = shell(t, &net, &format!("/usr/bin/python3 honest.py {grant}"));
            assert_eq!(run.expect_field("body"), HELLO, "{how}: {run}");
            let run = shell(t, &net, &format!("/usr/bin/python3 fronting.py {grant}"));
            let opened = if how == "connect" { "200" } else { "socks0" };
            assert_eq!(run.expect_field("tunnel"), opened, "{how}: {run}");
            assert_ne!(run.expect_field("body"), HELLO, "{how}: {run}");
        }
        assert_audit(
            t,
            "net allowed.test:8443: denied (the TLS handshake names other.test)",
        );
        assert_eq!(
            audit(t)
                .matches("net allowed.test:8443: denied (the TLS handshake names other.test)")
                .count(),
            2,
            "{}",
            audit(t)
        );
        // A tunnel that does not open with TLS (ssh, a protocol whose server speaks first)
        // is not asked for a server name; one that opens with a plain HTTP request is cut
        // (its Host headers would be out of the proxy's sight: plain HTTP goes through
        // the proxy's forwarding, which checks each).
        let tunnel = |first: &str| {
            shell(
                t,
                &net,
                &format!(
                    r#"/usr/bin/python3 -c '
import os, socket, time
proxy = int(os.environ["http_proxy"].rsplit(":", 1)[1])
s = socket.create_connection(("127.0.0.1", proxy), timeout=10)
s.sendall(b"CONNECT allowed.test:8080 HTTP/1.1\r\n\r\n")
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
for piece in b"{first}".split(b"|"):
    s.sendall(piece)
    time.sleep(0.2)
data = b""
while chunk := s.recv(4096):
    data += chunk
print("reply=" + (data.decode().split("\r\n")[0].split(" ")[0] or "none"))
' + @net:allowed.test:8080"#
                ),
            )
        };
        // Not HTTP: the server's answer comes back (its complaint, but through).
        let run = tunnel("HELLO\\r\\n\\r\\n");
        assert_ne!(run.expect_field("reply"), "none", "{run}");
        // Unconfined, the same request naming another site of the server is answered;
        // inside a tunnel, it is cut.
        let direct = shell(
            t,
            &net,
            r#"!!/usr/bin/python3 -c '
import socket
s = socket.create_connection(("allowed.test", 8080), timeout=10)
s.sendall(b"GET /hello.txt HTTP/1.0\r\nHost: other.test\r\n\r\n")
data = b""
while chunk := s.recv(4096):
    data += chunk
print("reply=" + data.decode().split("\r\n")[0].split(" ")[0])
'"#,
        );
        assert!(
            direct.expect_field("reply").starts_with("HTTP/1."),
            "{direct}"
        );
        let run = tunnel("GET /hello.txt HTTP/1.0\\r\\nHost: other.test\\r\\n\\r\\n");
        assert_eq!(run.expect_field("reply"), "none", "{run}");
        // Sent in pieces (a `G` first, `|` here), it is read to the end of its first
        // line before it is looked at (security review: it passed).
        let run = tunnel("G|ET /hello.txt HTTP/1.0\\r\\n|Host: other.test\\r\\n\\r\\n");
        assert_eq!(run.expect_field("reply"), "none", "{run}");
        assert!(
            audit(t).contains("denied (plain HTTP inside a tunnel"),
            "{}",
            audit(t)
        );
    }
);

/// Opens `n` tunnels to allowed.test:443 through the jail's proxy and holds them
/// `secs` seconds without a word (the proxy waits for a ClientHello, holding the
/// jail's side and the server's).
const HOLD_TUNNELS: &str = r#"
import os, socket, sys, time
n, secs = int(sys.argv[1]), float(sys.argv[2])
port = int(os.environ["http_proxy"].rsplit(":", 1)[1])
held = []
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"CONNECT allowed.test:443 HTTP/1.1\r\n\r\n")
        held.append(s)
    except OSError as e:
        break
print(f"hold: {len(held)} tunnels asked for", file=sys.stderr, flush=True)
time.sleep(secs)
"#;

/// Later, one request through its own proxy.
const LATE: &str = r#"
import os, socket, time
time.sleep(3)
port = int(os.environ["http_proxy"].rsplit(":", 1)[1])
try:
    s = socket.create_connection(("127.0.0.1", port), timeout=6)
    s.settimeout(6)
    s.sendall(b"GET http://allowed.test/hello.txt HTTP/1.1\r\nHost: allowed.test\r\n\r\n")
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    print("late=" + data.decode().split("\r\n\r\n", 1)[-1].strip().replace(" ", "_"))
except OSError as e:
    print("late=" + type(e).__name__)
"#;

/// A pipeline of a jail holding 256 tunnels and a later jail's request, in a pola-sh
/// whose RLIMIT_NOFILE is 300, soft and hard (the shell raises its soft limit to the
/// hard one; `seam`: without the proxies' descriptor budget).
fn held_connections(t: &T, net: &TestNet, seam: bool) -> Run {
    t.write("hold.py", HOLD_TUNNELS);
    t.write("late.py", LATE);
    t.write(
        "pipeline.sh",
        "/usr/bin/python3 hold.py 256 10 + @net:allowed.test:443 | /usr/bin/python3 late.py + @net:allowed.test\n",
    );
    let seam = if seam {
        "POLA_TEST_PROXY_UNBOUNDED=1"
    } else {
        ""
    };
    let script = format!(
        "ulimit -n 300; exec env POLA_LOG=debug {seam} {} pipeline.sh",
        pola_sh().display()
    );
    with_hosts(t, &net.hosts, Path::new("/bin/sh"), &["-c", &script])
}

// Review 2: every connection a jail holds through its proxy costs the shell's process
// descriptors; 256 per jail at 8 descriptors each went past the usual soft limit of
// 1024, and then the shell's own calls failed (its proxies' `accept`, any open). Now a
// connection costs 2 and the proxies together keep to half of the soft limit, one
// jail to half of what the others leave.
both!(
    held_connections_never_exhaust_the_shells_descriptors,
    |t: &T| {
        let Some(net) = TestNet::new(t) else {
            return;
        };
        const HELLO: &str = "hello_from_the_test_network";
        // Without the budget (the seam), the shell runs out of descriptors: the later
        // jail's proxy cannot accept its connection. (Unless the later jail connected
        // before the descriptors ran out, which a loaded machine's timing allows now and
        // then: the first of three runs where it came after.)
        let runs: Vec<Run> = (0..3)
            .scan(false, |done, _| {
                (!*done).then(|| {
                    let run = held_connections(t, &net, true);
                    *done = run.expect_field("late") != HELLO;
                    run
                })
            })
            .collect();
        let run = runs.last().unwrap();
        assert!(run.stderr.contains("accept: Too many open files"), "{run}");
        assert_ne!(run.expect_field("late"), HELLO, "{run}");
        // With it, the shell keeps descriptors of its own, and the later jail is served.
        let run = held_connections(t, &net, false);
        assert!(!run.stderr.contains("accept: Too many open files"), "{run}");
        assert_eq!(run.expect_field("late"), HELLO, "{run}");
        assert!(run.stderr.contains("hold: 256 tunnels asked for"), "{run}");
    }
);

both!(a_name_resolving_to_loopback_is_refused, |t: &T| {
    let Some(net) = TestNet::new(t) else {
        return;
    };
    // A server on the machine's own loopback, which local.test resolves to.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().take(20).flatten() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nlocal\n");
        }
    });
    let get = |host: &str| format!("curl -sSf --max-time 20 --noproxy '' http://{host}:{port}/");
    let run = plain(t, &net, &get("local.test"));
    assert_eq!(run.success(), "local\n");
    // A name granted is not trusted with the machine's own addresses (DNS rebinding)...
    let run = shell(
        t,
        &net,
        &format!("{} + @net:local.test:{port}", get("local.test")),
    );
    assert!(!run.ok(), "{run}");
    assert_audit(
        t,
        &format!("net local.test:{port}: denied (it resolves to 127.0.0.1"),
    );
    // ... but localhost or the address named in the grant is.
    let run = shell(
        t,
        &net,
        &format!("{} + @net:localhost:{port}", get("localhost")),
    );
    assert_eq!(run.success(), "local\n");
    let run = shell(
        t,
        &net,
        &format!("{} + @net:127.0.0.1:{port}", get("127.0.0.1")),
    );
    assert_eq!(run.success(), "local\n");
    assert_audit(t, &format!("net 127.0.0.1:{port}: allowed"));
});

both!(pip_downloads_through_the_proxy, |t: &T| {
    let Some(net) = TestNet::new(t) else {
        return;
    };
    t.mkdir("dl");
    let pip = "/usr/bin/python3 -m pip download --no-deps --no-cache-dir --disable-pip-version-check --index-url http://index.test/simple/ --trusted-host index.test -d dl demo";
    let run = shell(t, &net, &format!("{pip} + => dl/ @net:index.test"));
    run.success();
    assert!(t.path("dl/demo-1.0-py3-none-any.whl").exists(), "{run}");
    assert_audit(t, "net index.test:80: allowed");
    // Without the grant, the index is out of reach.
    std::fs::remove_file(t.path("dl/demo-1.0-py3-none-any.whl")).unwrap();
    let run = shell(
        t,
        &net,
        &format!("{pip} --retries 0 --timeout 5 + => dl/ @net:allowed.test"),
    );
    assert!(!run.ok(), "{run}");
    assert!(!t.path("dl/demo-1.0-py3-none-any.whl").exists());
    assert_audit(t, "net index.test:80: denied (not granted)");
});

both!(git_clones_through_the_proxy, |t: &T| {
    let Some(net) = TestNet::new(t) else {
        return;
    };
    let clone = "/usr/bin/git clone -q http://index.test/cgi-bin/git/repo.git";
    let run = shell(t, &net, &format!("{clone} => copy + @net:index.test"));
    run.success();
    assert_eq!(
        std::fs::read_to_string(t.path("copy/README")).unwrap(),
        "cloned through the proxy\n",
        "{run}"
    );
    assert_audit(t, "net index.test:80: allowed");
});

both!(a_program_that_ignores_the_proxy_has_no_route, |t: &T| {
    let Some(net) = TestNet::new(t) else {
        return;
    };
    let code = format!(
        r#"
import socket, sys
def tcp():
    socket.create_connection(("{addr}", 80), timeout=5).close()
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", ("{addr}", 53))
failed = 0
for name, f in [("tcp", tcp), ("udp", udp)]:
    try:
        f()
        print(name + "=ok")
    except OSError as e:
        print(name + "=" + type(e).__name__ + str(e.errno))
        failed = 1
sys.exit(failed)
"#,
        addr = net.addr
    );
    t.write("raw.py", &code);
    let run = plain(t, &net, "/usr/bin/python3 raw.py");
    assert_eq!(run.expect_field("tcp"), "ok", "{run}");
    assert_eq!(run.expect_field("udp"), "ok", "{run}");
    let run = with_hosts(
        t,
        &net.hosts,
        &pola_sh(),
        &[
            "--hints",
            "-c",
            "/usr/bin/python3 raw.py + @net:allowed.test",
        ],
    );
    assert_eq!(run.expect_field("tcp"), "OSError101", "{run}");
    assert_eq!(run.expect_field("udp"), "OSError101", "{run}");
    assert!(
        run.stderr.contains(&format!(
            "tried to reach {}:80 directly, but the network was granted only through the proxy",
            net.addr
        )),
        "{run}"
    );
});

/// What a program that resolves a name itself and ignores the proxy variables gets:
/// the address of allowed.test, and `/hello.txt` over plain HTTP on ports 80 and 8080.
const RESOLVES_ITSELF: &str = r#"
import socket
def get(port):
    try:
        s = socket.create_connection(("allowed.test", port), timeout=10)
    except OSError as e:
        return type(e).__name__
    s.sendall(b"GET /hello.txt HTTP/1.0\r\nHost: other.test\r\n\r\n")
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    return data.decode().split("\r\n\r\n", 1)[-1].strip().replace(" ", "_") or "none"
try:
    print("resolved=" + socket.gethostbyname("allowed.test"))
except OSError as e:
    print("resolved=" + type(e).__name__)
print("http=" + get(80))
print("other_port=" + get(8080))
"#;

// Trial 10: programs that look names up themselves and do not use a proxy (ssh, nc,
// openssl s_client, Node's fetch) could not reach a host granted by name, and the way
// out was `+ @net`. Each name granted is in the jail's `/etc/hosts` at an address of its
// own loopback, where the proxy listens on the ports granted: such a program reaches
// the host with the proxy's checks (a TLS handshake must name it, plain HTTP goes as
// checked requests), and the ports not granted are not there.
both!(
    a_program_that_ignores_the_proxy_reaches_the_names_granted,
    |t: &T| {
        let Some(net) = TestNet::new(t) else {
            return;
        };
        const HELLO: &str = "hello_from_the_test_network";
        t.write("resolves.py", RESOLVES_ITSELF);
        t.write("honest.py", &tls_probe("allowed.test", 443, "direct"));
        t.write("fronting.py", &tls_probe("other.test", 443, "direct"));
        // Unconfined: the server, any port, and another site's name in a handshake.
        let run = plain(t, &net, "/usr/bin/python3 resolves.py");
        assert_eq!(run.expect_field("resolved"), net.addr, "{run}");
        assert_eq!(run.expect_field("http"), HELLO, "{run}");
        assert_eq!(run.expect_field("other_port"), HELLO, "{run}");
        let run = plain(t, &net, "/usr/bin/python3 fronting.py");
        assert_eq!(run.expect_field("body"), HELLO, "{run}");
        // In a jail granted the name (and not port 8080).
        let grant = "+ @net:allowed.test ca.pem";
        let run = shell(t, &net, &format!("/usr/bin/python3 resolves.py {grant}"));
        assert_eq!(run.expect_field("resolved"), "127.77.0.1", "{run}");
        assert_eq!(run.expect_field("http"), HELLO, "{run}");
        assert_eq!(
            run.expect_field("other_port"),
            "ConnectionRefusedError",
            "{run}"
        );
        let run = shell(t, &net, &format!("/usr/bin/python3 honest.py {grant}"));
        assert_eq!(run.expect_field("body"), HELLO, "{run}");
        let run = shell(t, &net, &format!("/usr/bin/python3 fronting.py {grant}"));
        assert_ne!(run.expect_field("body"), HELLO, "{run}");
        assert_audit(t, "net allowed.test:80: allowed");
        assert_audit(t, "net allowed.test:443: allowed");
        assert_audit(
            t,
            "net allowed.test:443: denied (the TLS handshake names other.test)",
        );
        // A tool of its own, as it is used: `openssl s_client`.
        let run = shell(
        t,
        &net,
        &format!("openssl s_client -connect allowed.test:443 -servername allowed.test -CAfile ca.pem -verify_return_error < /dev/null {grant}"),
    );
        assert!(run.stdout.contains("Verify return code: 0 (ok)"), "{run}");
        // Without a host granted by name, no name is there.
        let run = shell(t, &net, "/usr/bin/python3 resolves.py");
        assert_eq!(run.expect_field("resolved"), "gaierror", "{run}");
    }
);

/// A server on the machine's loopback answering `hello` to anything, for the tests
/// that need no test network.
fn loopback_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().take(20).flatten() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n");
        }
    });
    port
}

both!(pola_run_and_profiles_name_hosts, |t: &T| {
    let port = loopback_server();
    let url = format!("http://127.0.0.1:{port}/");
    let host = format!("127.0.0.1:{port}");
    let curl = ["curl", "-sSf", "--max-time", "20", "--noproxy", "", &url];
    let run = t.jail(&["--net-host", &host], &curl);
    assert_eq!(run.success(), "hello\n");
    // Not that host: refused, whatever the port.
    let run = t.jail(&["--net-host", "127.0.0.1:1"], &curl);
    assert!(!run.ok(), "{run}");
    // A profile line does the same.
    t.write(
        ".config/pola-sh/profiles/curl",
        &format!("net host={host}\n"),
    );
    let mut cmd = t.jail_command(&[], &curl);
    cmd.env("XDG_CONFIG_HOME", t.path(".config"));
    assert_eq!(t.output(cmd).success(), "hello\n");
    // Bad hosts and conflicting grants: one line, status 125.
    for (opts, says) in [
        (
            vec!["--net-host", "exa mple.org"],
            "exa mple.org: not a host",
        ),
        (vec!["--net-host", "x.org:http"], "x.org:http: not a host"),
        (
            vec!["--net-host", "x.org", "--net-connect", "443"],
            "cannot be combined",
        ),
    ] {
        let run = t.jail(&opts, &["true"]);
        assert_eq!(run.code, Some(125), "{run}");
        assert!(run.stderr.contains(says), "{run}");
        assert_eq!(run.stderr.lines().count(), 1, "{run}");
    }
    let run = t.plain(&[
        pola_sh().to_str().unwrap(),
        "-c",
        "/bin/true + @net:a_b!.org",
    ]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("@net:a_b!.org: not a host"), "{run}");
    // Ports wide enough for the hosts hold them.
    let run = t.jail(
        &[
            "--explain",
            "--net-host",
            "x.org",
            "--net-connect",
            "80,443",
        ],
        &["true"],
    );
    assert!(
        run.success()
            .contains("network: host, TCP only: connect to 80,443"),
        "{run}"
    );
    let run = t.jail(&["--explain", "--net-host", "*.x.org:22"], &["true"]);
    assert!(
        run.success()
            .contains("network: private; through the proxy, TCP to *.x.org:22 only"),
        "{run}"
    );
});

both!(ask_mode_asks_about_a_host_not_granted, |t: &T| {
    let port = loopback_server();
    let url = format!("http://127.0.0.1:{port}/");
    let cmd = format!("curl -sSf --noproxy '' {url}; echo status=$?\r");
    let run = t.on_terminal(
        &pola_sh(),
        &["--ask"],
        &[
            pola_tests::Key::Expect(if t.uid == 0 { "# " } else { "$ " }),
            pola_tests::Key::Send(&cmd),
            pola_tests::Key::Expect(&format!(
                "curl wants to connect to 127.0.0.1:{port} — allow [o]nce, [a]lways (this session), [d]eny?"
            )),
            pola_tests::Key::Send("o\r"),
            pola_tests::Key::Expect("hello"),
            pola_tests::Key::Expect("status=0"),
            pola_tests::Key::Send(&cmd),
            pola_tests::Key::Count("curl wants to connect to", 2),
            pola_tests::Key::Send("d\r"),
            pola_tests::Key::Expect("status=22"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
});

/// Opens `n` connections through the jail's proxy, each a request to a host not
/// granted (`h0.test`, `h1.test`...), and exits without waiting for any answer.
const ASK_FLOOD: &str = r#"
import os, socket, sys, time
port = int(os.environ["http_proxy"].rsplit(":", 1)[1])
held = []
for i in range(int(sys.argv[1])):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"GET http://h{i}.test/ HTTP/1.1\r\nHost: h{i}.test\r\n\r\n".encode())
    held.append(s)
    time.sleep(0.5)  # so that the questions come in this order
print("askflood: exiting", flush=True)
"#;

/// One request to a host through the jail's proxy (after a pause, if given); prints
/// the proxy's status line.
const ASK_ONE: &str = r#"
import os, socket, sys, time
time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 0)
port = int(os.environ["http_proxy"].rsplit(":", 1)[1])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(f"GET http://{sys.argv[1]}/ HTTP/1.1\r\nHost: {sys.argv[1]}\r\n\r\n".encode())
data = b""
while chunk := s.recv(4096):
    data += chunk
print("askone:", data.split(b"\r\n")[0].decode().replace(" ", "_"), flush=True)
"#;

/// `pola-sh --ask` on a terminal, `env` added: a jail asks about h0.test and h1.test
/// and exits while the second question is on the terminal; the user then types
/// `awk ...` at the prompt and runs a command asking about h1.test. The audit log.
fn ask_after_the_jail_ended(t: &T, env: &[(&str, &str)]) -> (Run, String) {
    let _ = std::fs::remove_file(t.path("audit.log"));
    let audit = t.path("audit.log");
    let mut env = env.to_vec();
    env.push(("POLA_AUDIT", audit.to_str().unwrap()));
    let run = t.on_terminal_env(
        &pola_sh(),
        &["--ask"],
        &env,
        &[
            pola_tests::Key::Expect(if t.uid == 0 { "# " } else { "$ " }),
            pola_tests::Key::Send("/usr/bin/python3 askflood.py 2\r"),
            pola_tests::Key::Expect("wants to connect to h0.test:80"),
            pola_tests::Key::Send("d\r"),
            pola_tests::Key::Expect("askflood: exiting"),
            pola_tests::Key::Pause(1.5),
            pola_tests::Key::Send("awk 1 /dev/null\r"),
            pola_tests::Key::Pause(1.0),
            pola_tests::Key::Send("echo MARK1\r"),
            pola_tests::Key::Pause(1.0),
            pola_tests::Key::Send("\n"),
            pola_tests::Key::Pause(1.0),
            pola_tests::Key::Send("/usr/bin/python3 askone.py h1.test\r"),
            pola_tests::Key::Pause(2.0),
            pola_tests::Key::Send("d\r"),
            pola_tests::Key::Expect("askone:"),
        ],
    );
    (run, std::fs::read_to_string(&audit).unwrap_or_default())
}

/// The audit log from the record of askflood's answer about h1.test on, and where
/// that record starts.
fn flood_answer(audit: &str) -> (&str, usize) {
    let id = audit
        .lines()
        .find(|l| l.contains("askflood.py 2;"))
        .and_then(|l| l.split_whitespace().nth(1))
        .expect("askflood ran");
    let record = format!("{id} net h1.test:80: ");
    let at = audit
        .find(&record)
        .unwrap_or_else(|| panic!("no {record}:\n{audit}"));
    (audit, at)
}

// Review 2: a question about a host, asked by a jail's proxy, belongs to that jail.
// Still pending when its jail had ended, it read the keys typed at the prompt, and a
// line starting with `a` ("awk ...") answered it "always": the host was allowed for
// the session. A background job's question waits until the job is in the foreground.
both!(ask_mode_questions_end_with_their_jail, |t: &T| {
    t.write("askflood.py", ASK_FLOOD);
    t.write("askone.py", ASK_ONE);
    // Without the protection (the seam asks as nobody's question, as before): the
    // dead jail's question reads the keys typed at the prompt (its answer comes after
    // the next command, `awk`, was launched); "awk ..." read whole would be [a]lways.
    let (run, audit) = ask_after_the_jail_ended(t, &[("POLA_TEST_QUESTIONS_OUTLIVE_JAILS", "1")]);
    let (flood, answer) = flood_answer(&audit);
    // (No one answered that question but the keys typed at the prompt once its jail
    // had ended: after the next command was launched, or taking part of that command's
    // line before the line editor did, which reads it a byte at a time.)
    assert!(
        flood[answer..].contains("by the user"),
        "the attack did not work without the protection:\n{audit}\n{run}"
    );
    // With it: the question is withdrawn when the jail ends, the command typed at the
    // prompt runs whole, and h1.test is asked about again (and denied).
    let (run, audit) = ask_after_the_jail_ended(t, &[]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    let (flood, answer) = flood_answer(&audit);
    assert!(
        flood[answer..]
            .contains("h1.test:80: denied (not granted; the command ended before the answer)"),
        "{audit}"
    );
    assert!(
        !audit.contains("h1.test:80: allowed"),
        "a dead jail's question was answered by the prompt's keys:\n{audit}\n{run}"
    );
    assert!(
        run.stdout.contains("withdrawn: the command has ended"),
        "{run}"
    );
    assert!(run.stdout.contains("\nMARK1"), "{run}");
    assert_eq!(
        run.stdout.matches("wants to connect to h1.test").count(),
        2,
        "{run}"
    );
    assert!(
        run.stdout.contains("askone: HTTP/1.1_403_Forbidden"),
        "{run}"
    );
    assert!(
        audit.contains("net h1.test:80: denied (by the user)"),
        "{audit}"
    );

    // A background job's question is not asked at the prompt: only after `fg`.
    let run = t.on_terminal(
        &pola_sh(),
        &["--ask"],
        &[
            pola_tests::Key::Expect(if t.uid == 0 { "# " } else { "$ " }),
            pola_tests::Key::Send("/usr/bin/python3 askone.py h2.test &\r"),
            pola_tests::Key::Pause(2.0),
            pola_tests::Key::Send("echo MARK2\r"),
            pola_tests::Key::Expect("\nMARK2"),
            pola_tests::Key::Pause(0.5),
            pola_tests::Key::Send("fg\r"),
            pola_tests::Key::Expect("wants to connect to h2.test"),
            pola_tests::Key::Send("d\r"),
            pola_tests::Key::Expect("askone: HTTP/1.1_403_Forbidden"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    let asked = run.stdout.find("wants to connect to h2.test").unwrap();
    assert!(run.stdout.rfind("MARK2").unwrap() < asked, "{run}");
});

// Keys typed ahead, before a question appears, are not its answer: on a terminal the
// jails share (no relay: the test seam), a key typed while the command runs waits in
// the terminal for whoever reads next.
both!(ask_mode_answers_are_typed_after_the_question, |t: &T| {
    t.write("askone.py", ASK_ONE);
    let audit = t.path("audit.log");
    let run = t.shared_terminal(
        &["--ask"],
        &[("POLA_AUDIT", audit.to_str().unwrap())],
        &[
            pola_tests::Key::Expect(if t.uid == 0 { "# " } else { "$ " }),
            // A plain process reading later gets what was typed ahead.
            pola_tests::Key::Send("!!sh -c 'sleep 2; read x; echo got=$x'\r"),
            pola_tests::Key::Pause(0.5),
            pola_tests::Key::Send("a\r"),
            pola_tests::Key::Expect("got=a"),
            // The question does not: "a" (always) typed before it is discarded.
            pola_tests::Key::Send("/usr/bin/python3 askone.py h3.test 2\r"),
            pola_tests::Key::Pause(0.5),
            pola_tests::Key::Send("a\r"),
            pola_tests::Key::Expect("wants to connect to h3.test"),
            pola_tests::Key::Pause(1.0),
            pola_tests::Key::Send("d\r"),
            pola_tests::Key::Expect("askone: HTTP/1.1_403_Forbidden"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    let log = std::fs::read_to_string(&audit).unwrap_or_default();
    assert!(
        log.contains("net h3.test:80: denied (by the user)"),
        "{log}"
    );
    assert!(!log.contains("h3.test:80: allowed"), "{log}");
});

#[test]
fn the_proxy_is_named_in_pola_run_help() {
    let out = Command::new(pola_run()).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--net-host <HOST[:PORTS]>"), "{help}");
}
