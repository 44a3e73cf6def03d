//! One test per line of shared/SECURITY.md, each run as root and as an unprivileged
//! user. Every test first shows the attack works against a plain process (or with the
//! protection switched off), then that it fails in the jail.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::{Command, Stdio};
use std::time::Duration;

use pola_tests::{both, is_root, processes, py, wait_for, Key, Key::*, Run, Who, T};

// 1. Listing /, $HOME, /home, /root, /var, /run, /mnt, /media, /srv, /opt shows only
//    the default environment and the grants.
both!(item_01_only_the_default_environment_is_visible, |t: &T| {
    let code = py(r#"
import json
for d in ["/", os.environ["HOME"], "/home", "/root", "/var", "/run", "/mnt", "/media", "/srv", "/opt"]:
    try:
        print(f"{d}={json.dumps(sorted(os.listdir(d)))}")
    except OSError as e:
        print(f"{d}=" + errno.errorcode[e.errno])
"#);
    let plain = t.py_plain(&code);
    let var = plain.expect_field("/var");
    assert!(
        var.contains("lib"),
        "the host's /var should be visible to a plain process:\n{plain}"
    );
    assert!(plain.expect_field("/").contains("\"var\""));

    let jail = t.py_jail(&[], &code);
    jail.success();
    let root: Vec<String> = serde_like_list(&jail.expect_field("/"));
    let allowed = [
        "bin", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "proc", "root", "sbin",
        "tmp", "usr",
    ];
    for name in &root {
        assert!(
            allowed.contains(&name.as_str()),
            "/{name} is visible in the jail:\n{jail}"
        );
    }
    for gone in ["/var", "/run", "/mnt", "/media", "/srv", "/opt"] {
        assert_eq!(
            jail.expect_field(gone),
            "ENOENT",
            "{gone} exists in the jail:\n{jail}"
        );
    }
    assert_eq!(
        jail.expect_field(&t.home.to_string_lossy()),
        "[]",
        "$HOME is not empty:\n{jail}"
    );
    // Under /home there is at most the skeleton leading to the user's own private home.
    let expected = match t.home.strip_prefix("/home") {
        Ok(rest) => format!("[\"{}\"]", rest.display()),
        Err(_) => "ENOENT".into(),
    };
    assert_eq!(jail.expect_field("/home"), expected, "{jail}");
});

/// Parse `["a", "b"]` as printed by json.dumps of a list of plain names.
fn serde_like_list(s: &str) -> Vec<String> {
    s.trim_matches(|c| c == '[' || c == ']')
        .split(", ")
        .filter(|x| !x.is_empty())
        .map(|x| x.trim_matches('"').to_string())
        .collect()
}

// 2. `..` out of a granted directory, /.., /proc/self/root, /proc/self/cwd and
//    /proc/1/root stay inside the jail.
both!(item_02_dotdot_and_proc_links_stay_inside, |t: &T| {
    t.write("d/inner/file", "x");
    let code = py(r#"
import json
os.chdir("d/inner")
for label, d in [("up", "../../../../.."), ("rootdotdot", "/.."), ("selfroot", "/proc/self/root"),
                 ("selfcwd", "/proc/self/cwd/../../../../.."), ("initroot", "/proc/1/root")]:
    try:
        print(f"{label}={json.dumps(sorted(os.listdir(d)))}")
    except OSError as e:
        print(f"{label}=" + errno.errorcode[e.errno])
"#);
    let plain = t.py_plain(&code);
    assert!(
        plain.expect_field("up").contains("\"var\""),
        "a plain process reaches the host root:\n{plain}"
    );
    assert!(plain.expect_field("selfroot").contains("\"var\""));

    let jail = t.py_jail(&["--ro", "d"], &code);
    jail.success();
    for label in ["up", "rootdotdot", "selfroot", "selfcwd", "initroot"] {
        let v = jail.expect_field(label);
        assert!(
            !v.contains("\"var\"") && !v.contains("\"opt\""),
            "{label} reached the host:\n{jail}"
        );
    }
    assert_eq!(
        jail.expect_field("selfroot"),
        jail.expect_field("rootdotdot")
    );
});

// 3. A symlink inside a granted directory pointing at a host path outside it resolves
//    inside the jail.
both!(
    item_03_symlinks_inside_grants_resolve_in_the_jail,
    |t: &T| {
        let secret = t.write("secret.txt", "TOP-SECRET");
        t.mkdir("d");
        std::os::unix::fs::symlink(&secret, t.path("d/abs")).unwrap();
        std::os::unix::fs::symlink("../secret.txt", t.path("d/rel")).unwrap();
        nix::unistd::fchownat(
            nix::fcntl::AT_FDCWD,
            &t.path("d/abs"),
            Some(t.uid.into()),
            Some(t.gid.into()),
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .unwrap();
        let plain = t.plain(&["cat", "d/abs", "d/rel"]);
        assert_eq!(plain.success(), "TOP-SECRETTOP-SECRET");
        for link in ["d/abs", "d/rel"] {
            let jail = t.jail(&["--ro", "d"], &["cat", link]);
            assert!(!jail.ok(), "{link} was followed to the host:\n{jail}");
            assert!(!jail.stdout.contains("TOP-SECRET"), "{jail}");
            assert!(jail.stderr.contains("No such file"), "{jail}");
        }
    }
);

// 4. Swapping a granted path for a symlink (or another file) while the jail starts
//    aborts the launch.
both!(item_04_swapped_grants_abort_the_launch, |t: &T| {
    t.write("secret.txt", "TOP-SECRET");
    for swap_to_symlink in [true, false] {
        let granted = t.write("granted.txt", "harmless");
        let mut cmd = t.jail_command(&["--ro", "granted.txt"], &["cat", "granted.txt"]);
        cmd.env("POLA_TEST_LAUNCH_DELAY_MS", "2000")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // Swap once the shim holds the witnesses and has mounted nothing yet.
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
        assert!(line.contains("pausing"), "{line}");
        fs::rename(&granted, t.path("granted.orig")).unwrap();
        if swap_to_symlink {
            std::os::unix::fs::symlink(t.path("secret.txt"), &granted).unwrap();
        } else {
            fs::copy(t.path("secret.txt"), &granted).unwrap();
        }
        // Without the witness check, opening the path now yields the secret:
        assert_eq!(fs::read_to_string(&granted).unwrap(), "TOP-SECRET");
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).unwrap();
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = rest;
        assert_eq!(
            out.status.code(),
            Some(125),
            "launch went ahead: {stdout} {stderr}"
        );
        assert!(!stdout.contains("TOP-SECRET"));
        let expected = if swap_to_symlink {
            "became a symlink"
        } else {
            "changed while the jail was starting"
        };
        assert!(
            stderr.contains(expected) && stderr.contains("launch aborted"),
            "{stderr}"
        );
        fs::remove_file(&granted).unwrap();
        fs::remove_file(t.path("granted.orig")).unwrap();
    }
});

// 5. Hard-coded paths of common secrets are absent.
both!(item_05_common_secrets_are_absent, |t: &T| {
    let tag = format!("pola-test-{}", std::process::id());
    let home = &t.home;
    let files = [
        home.join(format!(".ssh/{tag}_id_ed25519")),
        home.join(format!(".gnupg/{tag}.key")),
        home.join(format!(".mozilla/firefox/{tag}.default/key4.db")),
        home.join(format!(".config/chromium/{tag}/Login Data")),
    ];
    for f in &files {
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, "SECRET").unwrap();
    }
    if t.who == Who::User {
        Command::new("chown")
            .args(["-R", &format!("{}:{}", t.uid, t.gid)])
            .arg(home)
            .status()
            .unwrap();
    }
    let mut paths: Vec<String> = files
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    paths.push("/etc/shadow".into());
    let code = py(&format!(
        "for p in {paths:?}:\n    print(f'{{p}}=' + ('present' if os.path.lexists(p) else 'absent'))"
    ));
    let plain = t.py_plain(&code);
    let jail = t.py_jail(&[], &code);
    for f in &files {
        let _ = fs::remove_file(f);
    }
    for p in &paths {
        assert_eq!(plain.expect_field(p), "present", "{plain}");
        assert_eq!(
            jail.expect_field(p),
            "absent",
            "{p} is visible in the jail:\n{jail}"
        );
    }
});

// 5. The certificates to trust are in every jail (pip checks them before it tries the
// network, and without them said only that they were missing) and a network grant
// (`+ @net:…`) brings no more of `/etc/ssl`: its `private` holds the host's TLS keys,
// which a jail of root's could read (it once could, with any network grant).
both!(item_05_a_network_grant_brings_no_host_keys, |t: &T| {
    let dir = |p: &str| std::path::Path::new(p).is_dir();
    if !dir("/etc/ssl/private") || !dir("/etc/ssl/certs") {
        eprintln!("note: no /etc/ssl/private or /etc/ssl/certs on this host");
        return;
    }
    // Quoted: the paths are not grants.
    let probe = "for p in /etc/ssl/private /etc/ssl/certs; do test -e $p && echo $p=present || echo $p=absent; done";
    let line = format!("!!sh -c '{probe}'; sh -c '{probe}' + @net:example.com; sh -c '{probe}'");
    let run = t.output(t.command(pola_tests::pola_sh(), &["-c", &line]));
    assert_eq!(
        run.success(),
        "/etc/ssl/private=present\n/etc/ssl/certs=present\n\
         /etc/ssl/private=absent\n/etc/ssl/certs=present\n\
         /etc/ssl/private=absent\n/etc/ssl/certs=present\n",
        "{run}"
    );
});

// 6. No variable of the login environment that was not exported in pola-sh.
both!(item_06_login_environment_does_not_leak, |t: &T| {
    let secrets = [
        ("SSH_AUTH_SOCK", "/tmp/ssh-agent.sock"),
        ("GITHUB_TOKEN", "ghp_secret"),
        ("DISPLAY", ":0"),
        ("AWS_SECRET_ACCESS_KEY", "aws-secret"),
    ];
    let mut plain = t.command("env", &[] as &[&str]);
    let mut jail = t.jail_command(&["--env", "CHOSEN=yes"], &["env"]);
    for (k, v) in secrets {
        plain.env(k, v);
        jail.env(k, v);
    }
    let plain = t.output(plain);
    let jail = t.output(jail);
    for (k, v) in secrets {
        assert!(plain.stdout.contains(&format!("{k}={v}")), "{plain}");
        assert!(
            !jail.stdout.contains(k) && !jail.stdout.contains(v),
            "{k} leaked:\n{jail}"
        );
    }
    assert!(jail.stdout.contains("CHOSEN=yes"), "{jail}");
    for line in jail.stdout.lines() {
        let name = line.split('=').next().unwrap();
        assert!(
            ["PATH", "HOME", "PWD", "TERM", "LANG", "LANGUAGE", "USER", "TZ", "CHOSEN"]
                .contains(&name)
                || name.starts_with("LC_"),
            "unexpected variable {name} in the jail:\n{jail}"
        );
    }
});

// 7. Inherited descriptors: only stdin, stdout, stderr reach the command.
both!(
    item_07_inherited_descriptors_do_not_reach_the_command,
    |t: &T| {
        t.write("open-me", "x");
        let script = |inner: &str| format!("exec 7<open-me 9<open-me; {inner}");
        let plain = t.plain(&["sh", "-c", &script("ls /proc/self/fd | tr '\\n' ' '")]);
        assert!(
            plain.success().contains(" 7 ") && plain.stdout.contains(" 9 "),
            "{plain}"
        );
        let run = pola_tests::pola_run();
        let jail = t.plain(&[
            "sh",
            "-c",
            &script(&format!(
                "{} -- ls /proc/self/fd | tr '\\n' ' '",
                run.display()
            )),
        ]);
        // ls itself opens the directory as 3.
        assert_eq!(jail.success().trim(), "0 1 2 3", "{jail}");
    }
);

// 7, with a standard descriptor closed (`exec <&-`): the command finds /dev/null there,
// never a descriptor of its jail's own making. A copy of the zygote left the number free
// and the first socket PID 1 or the shim made took it: `cat` read the shell's messages
// to its jail (review of the fortieth stop; the same lines show a socket with the fix
// taken out).
both!(
    item_07_a_closed_standard_descriptor_is_no_way_to_the_shell,
    |t: &T| {
        let listing = "ls -l /proc/self/fd | cut -d'>' -f2 | tr '\\n' ' '; echo";
        for closed in ["exec <&-", "exec 2>&-", "exec <&- 2>&-"] {
            let script = format!("{closed}; {listing}; {listing}; {listing} | cat >&1");
            for zygote in ["1", "0"] {
                let env = format!("POLA_ZYGOTE={zygote}");
                let shell = pola_tests::pola_sh();
                let run = t.plain(&[
                    "env",
                    env.as_str(),
                    shell.to_str().unwrap(),
                    "-c",
                    script.as_str(),
                ]);
                assert_eq!(run.code, Some(0), "{closed}: {run}");
                assert_eq!(run.stdout.lines().count(), 3, "{closed}: {run}");
                assert!(!run.stdout.contains("socket:"), "{closed}: {run}");
                assert!(run.stdout.contains("/dev/null"), "{closed}: {run}");
            }
        }
        // Nor the shell's placeholder of the closed number, named as a path: one object
        // every later jail would get (a mode set by one, seen by the next).
        for line in [
            "exec <&-; ls -l /proc/self/fd/0 < /dev/stdin",
            "exec <&-; ls -l /proc/self/fd/0 < /dev/fd/0",
            "exec <&-; ls -l /proc/self/fd/0 < /proc/self/fd/0",
            "exec 3>&1 2>&-; ls -l /proc/self/fd/2 2>/dev/stderr >&3",
        ] {
            let run = t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "-c", line]);
            assert!(!run.stdout.contains("memfd"), "{line}: {run}");
            assert_ne!(run.code, Some(0), "{line}: {run}");
        }
    }
);

// 8. Write, truncate, chmod, utime, rename, unlink of a read-only grant fail; the file
//    is unchanged.
both!(item_08_read_only_grants_cannot_be_changed, |t: &T| {
    let code = |f: &str, d: &str| {
        py(&format!(
            r#"
f, d = "{f}", "{d}"
probe("write", lambda: open(f, "a").write("x"))
probe("truncate", lambda: os.truncate(f, 0))
probe("chmod", lambda: os.chmod(f, 0o777))
probe("utime", lambda: os.utime(f, (0, 0)))
probe("rename", lambda: os.rename(d + "/a", d + "/b"))
probe("unlink", lambda: os.unlink(d + "/a"))
probe("mkdir", lambda: os.mkdir(d + "/new"))
"#
        ))
    };
    t.write("plain/f.txt", "original");
    t.write("plain/d/a", "a");
    let plain = t.py_plain(&code("plain/f.txt", "plain/d"));
    for op in ["write", "truncate", "chmod", "utime", "rename", "mkdir"] {
        assert_eq!(plain.expect_field(op), "ok", "{plain}");
    }

    let f = t.write("f.txt", "original");
    t.write("d/a", "a");
    let before = fs::metadata(&f).unwrap();
    let jail = t.py_jail(&["--ro", "f.txt", "--ro", "d"], &code("f.txt", "d"));
    jail.success();
    for op in [
        "write", "truncate", "chmod", "utime", "rename", "unlink", "mkdir",
    ] {
        let e = jail.expect_field(op);
        assert!(
            e == "EROFS" || e == "EACCES",
            "{op} on a read-only grant: {e}\n{jail}"
        );
    }
    let after = fs::metadata(&f).unwrap();
    assert_eq!(fs::read_to_string(&f).unwrap(), "original");
    assert_eq!(before.mode(), after.mode());
    assert_eq!(before.mtime(), after.mtime());
    assert!(t.path("d/a").exists() && !t.path("d/b").exists());
});

// 9. Reopening a read-only descriptor for writing through /proc/self/fd fails.
both!(item_09_proc_fd_reopen_cannot_write, |t: &T| {
    t.write("f.txt", "original");
    let code = py(r#"
fd = os.open("f.txt", os.O_RDONLY)
probe("reopen", lambda: os.write(os.open(f"/proc/self/fd/{fd}", os.O_WRONLY), b"PWNED"))
"#);
    let plain = t.py_plain(&code);
    assert_eq!(plain.expect_field("reopen"), "ok", "{plain}");
    t.write("f.txt", "original");
    let jail = t.py_jail(&["--ro", "f.txt"], &code);
    let e = jail.expect_field("reopen");
    assert!(e == "EROFS" || e == "EACCES", "{jail}");
    assert_eq!(fs::read_to_string(t.path("f.txt")).unwrap(), "original");
});

// 10. Remounting a grant read-write, clearing read-only with mount_setattr, unmounting
//     it: all fail, also after `unshare -Urm` inside the jail.
both!(item_10_grants_cannot_be_remounted_or_unmounted, |t: &T| {
    t.write("d/f", "original");
    // Without the jail: in a user namespace of its own a process can bind d read-only,
    // then remount it read-write, and unmount it again.
    let plain = t.plain(&[
        "unshare",
        "-Urm",
        "sh",
        "-c",
        "mount --bind d d && mount -o remount,bind,ro d && mount -o remount,bind,rw d && echo x >> d/f && umount d && echo attack-works",
    ]);
    assert!(plain.success().contains("attack-works"), "{plain}");

    let code = py(r#"
MOUNT_ATTR_RDONLY = 1
AT_EMPTY_PATH, AT_RECURSIVE = 0x1000, 0x8000
import struct
probe("remount_rw", lambda: call(165, ctypes.addressof(ctypes.create_string_buffer(b"none")), ctypes.addressof(ctypes.create_string_buffer(b"d")), 0, 0x20 | 0x1000, 0))
def mount_setattr():
    fd = os.open("d", os.O_PATH)
    attr = ctypes.create_string_buffer(struct.pack("QQQQ", 0, MOUNT_ATTR_RDONLY, 0, 0))
    return call(442, fd, ctypes.addressof(ctypes.create_string_buffer(b"")), AT_EMPTY_PATH | AT_RECURSIVE, ctypes.addressof(attr), 32)
probe("mount_setattr", mount_setattr)
probe("umount", lambda: call(166, ctypes.addressof(ctypes.create_string_buffer(b"d")), 2))
probe("unshare_userns", lambda: call(272, 0x10000000 | 0x20000))
probe("write", lambda: open("d/f", "a").write("PWNED"))
"#);
    let jail = t.py_jail(&["--ro", "d"], &code);
    jail.success();
    for op in ["remount_rw", "mount_setattr", "umount"] {
        assert_eq!(jail.expect_field(op), "ENOSYS", "{op}:\n{jail}");
    }
    assert_eq!(jail.expect_field("unshare_userns"), "EPERM", "{jail}");
    assert_eq!(jail.expect_field("write"), "EROFS", "{jail}");
    let unshared = t.jail(
        &["--ro", "d"],
        &[
            "unshare",
            "-Urm",
            "sh",
            "-c",
            "mount -o remount,bind,rw d; echo PWNED >> d/f",
        ],
    );
    assert!(!unshared.ok(), "{unshared}");
    assert!(unshared.stderr.contains("unshare failed"), "{unshared}");
    assert_eq!(fs::read_to_string(t.path("d/f")).unwrap(), "originalx\n");
});

// 10, for pola-sh's jails, whose default environment comes from the zygote's template
// (`pola_fileserver::template`): moved into the jail, its binds are locked like any
// other; nothing of the template (its binds not taken, the host's /proc it keeps) is
// left in the jail.
both!(
    item_10_the_template_default_environment_is_locked_too,
    |t: &T| {
        // Without the jail: a bind in a user namespace of one's own can be unmounted.
        t.write("d/f", "original");
        let plain = t.plain(&[
            "unshare",
            "-Urm",
            "sh",
            "-c",
            "mount --bind d d && umount d && echo attack-works",
        ]);
        assert!(plain.success().contains("attack-works"), "{plain}");

        t.write(
        "probe.py",
        &py(r#"
MOUNT_ATTR_RDONLY = 1
AT_EMPTY_PATH, AT_RECURSIVE = 0x1000, 0x8000
import struct
mounts = [l.split() for l in open("/proc/self/mountinfo")]
at = {m[4]: m for m in mounts}
# The template's /etc: a mount of its own holding the binds.
print("etc_mount=" + ("yes" if "/etc" in at and at["/etc/ld.so.cache"][1] == at["/etc"][0] else "no"))
# The template's /dev: a mount of its own holding the devices, the jail's devpts on it.
print("dev_mount=" + ("yes" if "/dev" in at and at["/dev/null"][1] == at["/dev/pts"][1] == at["/dev"][0] else "no"))
print("leftovers=" + ",".join(m[4] for m in mounts if m[4].startswith(("/bag", "/new"))))
print("procs=%d" % sum(1 for m in mounts if m[4] == "/proc"))
for target in ["/etc/ld.so.cache", "/etc", "/usr", "/dev", "/dev/null"]:
    t = ctypes.create_string_buffer(target.encode())
    probe("remount_rw" + target, lambda: call(165, ctypes.addressof(ctypes.create_string_buffer(b"none")), ctypes.addressof(t), 0, 0x20 | 0x1000, 0))
    def mount_setattr():
        fd = os.open(target, os.O_PATH)
        attr = ctypes.create_string_buffer(struct.pack("QQQQ", 0, MOUNT_ATTR_RDONLY, 0, 0))
        return call(442, fd, ctypes.addressof(ctypes.create_string_buffer(b"")), AT_EMPTY_PATH | AT_RECURSIVE, ctypes.addressof(attr), 32)
    probe("mount_setattr" + target, mount_setattr)
    probe("umount" + target, lambda: call(166, ctypes.addressof(t), 2))
probe("write/etc/ld.so.cache", lambda: open("/etc/ld.so.cache", "a").write("PWNED"))
probe("create/etc/new", lambda: open("/etc/new", "w").write("PWNED"))
probe("create/dev/new", lambda: open("/dev/new", "w").write("PWNED"))
probe("unshare_userns", lambda: call(272, 0x10000000 | 0x20000))
"#),
    );
        // Three times: the second command sends the zygote its template, which it
        // makes once it has answered; the third takes it.
        let run = t.output(t.pola_sh_command(
            "/usr/bin/python3 probe.py; /usr/bin/python3 probe.py; /usr/bin/python3 probe.py",
        ));
        let out = run.success();
        let last = out.rsplit("etc_mount=").next().unwrap_or_default();
        assert!(last.starts_with("yes"), "{run}");
        let last = out.rsplit("dev_mount=").next().unwrap_or_default();
        assert!(last.starts_with("yes"), "{run}");
        assert_eq!(out.matches("leftovers=\n").count(), 3, "{run}");
        assert_eq!(out.matches("procs=1\n").count(), 3, "{run}");
        for target in ["/etc/ld.so.cache", "/etc", "/usr", "/dev", "/dev/null"] {
            for op in ["remount_rw", "mount_setattr", "umount"] {
                assert_eq!(
                    out.matches(&format!("{op}{target}=ENOSYS\n")).count(),
                    3,
                    "{op} {target}:\n{run}"
                );
            }
        }
        // Not the user's file: EACCES before the read-only mount is even asked.
        let refused = out.matches("write/etc/ld.so.cache=EROFS").count()
            + out.matches("write/etc/ld.so.cache=EACCES").count();
        assert_eq!(refused, 3, "{run}");
        assert_eq!(out.matches("create/etc/new=EROFS").count(), 3, "{run}");
        // /dev is read-only (it was a tmpfs of each jail's own, in which Landlock let
        // nothing be created): the first jails' is the skeleton's, the last's the
        // template's.
        assert_eq!(out.matches("create/dev/new=EROFS").count(), 3, "{run}");
        assert_eq!(out.matches("unshare_userns=EPERM").count(), 3, "{run}");
        let unshared = t.output(t.pola_sh_command(
        "unshare -Urm sh -c 'umount /etc/ld.so.cache; mount -o remount,bind,rw /usr; echo PWNED >> /etc/ld.so.cache'",
    ));
        assert!(!unshared.ok(), "{unshared}");
        assert!(unshared.stderr.contains("unshare failed"), "{unshared}");
    }
);

/// Enter a process's user and mount namespaces (`PID`), with every capability the user
/// namespace gives, and try to lift the lock of the mount at `PATH`; then make a mount
/// of its own there and unmount it (the capabilities are real).
const ENTER_AND_UNLOCK: &str = r#"
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid, path = sys.argv[1], sys.argv[2].encode()
MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096
def report(name, ret):
    print(name + "=" + ("ok" if ret == 0 else errno.errorcode[ctypes.get_errno()]))
for ns, flag in (("user", 0x10000000), ("mnt", 0x20000)):
    fd = os.open(f"/proc/{pid}/ns/{ns}", os.O_RDONLY)
    report("setns_" + ns, libc.setns(fd, flag))
report("remount_rw", libc.mount(None, path, None, MS_REMOUNT | MS_BIND, None))
report("umount", libc.umount2(path, 0))
report("bind_own", libc.mount(path, path, None, MS_BIND, None))
report("umount_own", libc.umount2(path, 0))
"#;

// 10, for a warm jail (issue 17): most of it is made before the command is asked for
// (its root, its scratch file system, its terminal), its lock on the command's path.
// Entered from outside with every capability the command's user namespace gives, the
// command's grant can be neither made writable nor unmounted: the lock holds.
both!(item_10_a_warm_jails_grants_are_locked, |t: &T| {
    t.write("d/f", "original");
    t.write("enter.py", ENTER_AND_UNLOCK);
    // Without the lock: in a user and mount namespace of one's own, a read-only bind
    // can be made writable and unmounted.
    let plain = t.plain(&[
        "unshare",
        "-Urm",
        "sh",
        "-c",
        "mount --bind d d && mount -o remount,bind,ro d && mount -o remount,bind,rw d && umount d && echo attack-works",
    ]);
    assert!(plain.success().contains("attack-works"), "{plain}");

    // The third command runs in a warm jail holding the template (the second sends it).
    let sleeper = "import time; time.sleep(60)";
    let tag = format!("warm-lock-{}-{:?}", std::process::id(), t.who);
    let mut shell = t
        .pola_sh_command(&format!(
            "true; true; /usr/bin/python3 -c '{sleeper}' {tag} d"
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn pola-sh");
    let command = |cmd: &str| cmd.starts_with("/usr/bin/python3 -c") && cmd.contains(&tag);
    let found = wait_for(|| !processes(command).is_empty(), 20);
    let pid = processes(command).first().map(|(pid, _)| pid.to_string());
    let d = t.path("d");
    let entered = pid.map(|pid| t.plain(&["python3", "enter.py", &pid, d.to_str().unwrap()]));
    for (pid, _) in processes(command) {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    let _ = shell.wait();
    assert!(found, "the jailed command never ran");
    let entered = entered.expect("its pid");
    for (op, expected) in [
        ("setns_user", "ok"),
        ("setns_mnt", "ok"),
        ("remount_rw", "EPERM"),
        ("umount", "EINVAL"),
        ("bind_own", "ok"),
        ("umount_own", "ok"),
    ] {
        assert_eq!(entered.expect_field(op), expected, "{op}:\n{entered}");
    }
    assert_eq!(fs::read_to_string(t.path("d/f")).unwrap(), "original");
});

// 11. A nested user namespace cannot be created.
both!(item_11_nested_user_namespaces_are_denied, |t: &T| {
    let code = py(r#"
CLONE_NEWUSER = 0x10000000
import signal
def clone_userns():
    pid = call(56, CLONE_NEWUSER | signal.SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
probe("clone", clone_userns)
probe("clone3", lambda: call(435, 0, 0))
# Last: once it works, this process is in a new (unmapped) user namespace.
probe("unshare", lambda: call(272, CLONE_NEWUSER))
"#);
    let plain = t.py_plain(&code);
    assert_eq!(plain.expect_field("unshare"), "ok", "{plain}");
    assert_eq!(plain.expect_field("clone"), "ok", "{plain}");
    let jail = t.py_jail(&[], &code);
    assert_eq!(jail.expect_field("unshare"), "EPERM", "{jail}");
    assert_eq!(jail.expect_field("clone"), "EPERM", "{jail}");
    assert_eq!(jail.expect_field("clone3"), "ENOSYS", "{jail}");
    let cli = t.jail(&[], &["unshare", "-U", "true"]);
    assert!(!cli.ok(), "{cli}");
});

/// Run `argv` with a new pseudo-terminal as its controlling terminal; return what the
/// program printed, and whatever arrived as terminal input after it ended.
fn on_terminal(t: &T, argv: &[&str]) -> (String, String) {
    let driver = r#"
import os, pty, sys, select, time, json
pid, master = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    r, _, _ = select.select([master], [], [], 10)
    if not r:
        break
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
print(json.dumps(out.decode(errors="replace")))
"#;
    let mut args = vec!["python3", "-c", driver];
    args.extend_from_slice(argv);
    let run = t.plain(&args);
    let printed: String = run
        .stdout
        .trim()
        .trim_matches('"')
        .replace("\\r\\n", "\n")
        .replace("\\n", "\n");
    (printed, run.stderr)
}

// 12. TIOCSTI and TIOCLINUX on the terminal fail, also with high bits set; nothing is
//     typed into the shell.
both!(item_12_terminal_injection_fails, |t: &T| {
    let attack = py(r#"
import fcntl, termios
TIOCSTI, TIOCLINUX = 0x5412, 0x541C
def inject(req):
    for ch in b"INJECTED\n":
        fcntl.ioctl(0, req, bytes([ch]))
probe("tiocsti", lambda: inject(TIOCSTI))
probe("tiocsti_high", lambda: inject(TIOCSTI | (1 << 32)))
probe("tioclinux", lambda: fcntl.ioctl(0, TIOCLINUX, bytes([2])))
import time; time.sleep(0.2)
"#);
    t.write("attack.py", &attack);
    let (plain, _) = on_terminal(t, &["python3", "attack.py"]);
    // TIOCSTI reaches the kernel: it works, or the kernel refuses it itself (EIO when
    // dev.tty.legacy_tiocsti=0 for an unprivileged process), never our EPERM.
    let plain_sti = field_of(&plain, "tiocsti");
    assert!(
        plain_sti == "ok" || plain_sti == "EIO",
        "plain TIOCSTI: {plain}"
    );
    if plain_sti == "ok" {
        assert!(
            plain.contains("INJECTED"),
            "a plain TIOCSTI types into the terminal:\n{plain}"
        );
    }
    assert_ne!(field_of(&plain, "tioclinux"), "EPERM", "{plain}");

    let run = pola_tests::pola_run();
    let (jail, _) = on_terminal(
        t,
        &[
            run.to_str().unwrap(),
            "--ro",
            "attack.py",
            "--",
            "python3",
            "attack.py",
        ],
    );
    assert_eq!(field_of(&jail, "tiocsti"), "EPERM", "{jail}");
    assert_eq!(field_of(&jail, "tiocsti_high"), "EPERM", "{jail}");
    assert_eq!(field_of(&jail, "tioclinux"), "EPERM", "{jail}");
    assert!(!jail.contains("INJECTED"), "input was injected:\n{jail}");
});

fn field_of(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix(&format!("{key}="))
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("no {key}= in:\n{text}"))
}

/// A TCP and a UDP echo server on `addr`, answering a bounded number of requests.
fn servers(addr: &str) -> (u16, u16) {
    let tcp = std::net::TcpListener::bind((addr, 0)).unwrap();
    let udp = std::net::UdpSocket::bind((addr, 0)).unwrap();
    let ports = (
        tcp.local_addr().unwrap().port(),
        udp.local_addr().unwrap().port(),
    );
    std::thread::spawn(move || {
        for s in tcp.incoming().take(20).flatten() {
            let _ = (&s).write_all(b"hello");
        }
    });
    std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        for _ in 0..20 {
            if let Ok((_, peer)) = udp.recv_from(&mut buf) {
                let _ = udp.send_to(b"hello", peer);
            }
        }
    });
    ports
}

fn host_address() -> Option<String> {
    let out = Command::new("hostname").arg("-I").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find(|a| a.contains('.') && !a.starts_with("127."))
        .map(str::to_string)
}

fn connect_code(addr: &str, tcp: u16, udp: u16) -> String {
    py(&format!(
        r#"
import socket
def tcp():
    s = socket.create_connection(("{addr}", {tcp}), timeout=3)
    assert s.recv(5) == b"hello"
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(b"hi", ("{addr}", {udp}))
    try:
        assert s.recvfrom(5)[0] == b"hello"
    except socket.timeout:
        raise OSError(errno.ETIMEDOUT, "timeout")
probe("tcp", tcp)
probe("udp", udp)
"#
    ))
}

// 13. TCP and UDP servers on the host's 127.0.0.1 and on an outside address are
//     unreachable without @net.
both!(item_13_host_network_is_unreachable, |t: &T| {
    let mut targets = vec!["127.0.0.1".to_string()];
    match host_address() {
        Some(a) => targets.push(a),
        None => eprintln!("note: no non-loopback address on this machine; testing loopback only"),
    }
    for addr in &targets {
        let bind = if addr == "127.0.0.1" {
            "127.0.0.1"
        } else {
            "0.0.0.0"
        };
        let (tcp, udp) = servers(bind);
        let code = connect_code(addr, tcp, udp);
        let plain = t.py_plain(&code);
        assert_eq!(plain.expect_field("tcp"), "ok", "{plain}");
        assert_eq!(plain.expect_field("udp"), "ok", "{plain}");
        let jail = t.py_jail(&[], &code);
        assert_ne!(
            jail.expect_field("tcp"),
            "ok",
            "TCP to {addr} reached the host:\n{jail}"
        );
        assert_ne!(
            jail.expect_field("udp"),
            "ok",
            "UDP to {addr} reached the host:\n{jail}"
        );
        // The protection is the private network namespace: with --net it is reachable.
        let shared = t.py_jail(&["--net"], &code);
        assert_eq!(shared.expect_field("tcp"), "ok", "{shared}");
    }
});

// 14. A host abstract Unix socket (like X11's) is unreachable, also with the host network
// (whole, or narrowed to TCP ports).
both!(item_14_host_abstract_sockets_are_unreachable, |t: &T| {
    let name = format!(
        "\0/tmp/.X11-unix/X0-pola-test-{}-{:?}",
        std::process::id(),
        t.who
    );
    let listener = {
        use std::os::linux::net::SocketAddrExt;
        let addr =
            std::os::unix::net::SocketAddr::from_abstract_name(&name.as_bytes()[1..]).unwrap();
        std::os::unix::net::UnixListener::bind_addr(&addr).unwrap()
    };
    std::thread::spawn(move || {
        for s in listener.incoming().take(10).flatten() {
            let _ = (&s).write_all(b"hello");
        }
    });
    let code = py(&format!(
        r#"
import socket
def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect({name:?})
    assert s.recv(5) == b"hello"
probe("abstract", connect)
"#
    ));
    let plain = t.py_plain(&code);
    assert_eq!(plain.expect_field("abstract"), "ok", "{plain}");
    let jail = t.py_jail(&[], &code);
    assert_eq!(jail.expect_field("abstract"), "ECONNREFUSED", "{jail}");
    // With the host network, whole or narrowed to ports, Landlock's scope refuses.
    for net in [&["--net"][..], &["--net-connect", "443"][..]] {
        let shared = t.py_jail(net, &code);
        assert_eq!(
            shared.expect_field("abstract"),
            "EPERM",
            "Landlock scoping should refuse ({net:?}):\n{shared}"
        );
    }
});

// 15. kill(-1), kill of the shell, ptrace of anything outside: cannot reach outside.
both!(item_15_signals_and_ptrace_stay_inside, |t: &T| {
    let mut victim = t.command("sleep", &["300"]).spawn().unwrap();
    let vpid = victim.id();
    let shell = std::process::id();
    let code = py(&format!(
        r#"
import signal
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
probe("kill_victim", lambda: os.kill({vpid}, 0))
probe("kill_shell", lambda: os.kill({shell}, 0))
def trace():
    call(101, PTRACE_ATTACH, {vpid}, 0, 0)
    import time; time.sleep(0.1)
    call(101, PTRACE_DETACH, {vpid}, 0, 0)
probe("ptrace", trace)
"#
    ));
    let plain = t.py_plain(&code);
    assert_eq!(plain.expect_field("kill_victim"), "ok", "{plain}");
    assert_eq!(plain.expect_field("ptrace"), "ok", "{plain}");
    let jail = t.py_jail(
        &[],
        &(code + "\nos.kill(-1, signal.SIGKILL)\nprint('after=alive')"),
    );
    assert_eq!(jail.expect_field("kill_victim"), "ESRCH", "{jail}");
    assert_eq!(jail.expect_field("kill_shell"), "ESRCH", "{jail}");
    assert_eq!(jail.expect_field("ptrace"), "ESRCH", "{jail}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        victim.try_wait().unwrap().is_none(),
        "kill(-1) in the jail killed a host process"
    );
    victim.kill().unwrap();
    victim.wait().unwrap();
});

// 15 with `@ps` (`pola-run --ps`): the host's `/proc` in place of the jail's own shows
// the machine's processes, read-only: their command lines, never their environment,
// root, executable, open files (their numbers only), memory map or memory (Landlock
// refuses a jail's ptrace
// access to a process outside it), no write to their files, no signal. Each is shown
// to work against the same process from outside the jail first.
both!(item_15_ps_shows_processes_and_reaches_none, |t: &T| {
    let mut victim = t
        .command("sleep", &["301"])
        .env("POLA_PS_SECRET", "s3cr3t-value")
        .spawn()
        .unwrap();
    let vpid = victim.id();
    let code = py(&format!(
        r#"
import signal
def read(name):
    with open("/proc/{vpid}/" + name, "rb") as f:
        data = f.read(4096)
    assert data, "empty"
probe("cmdline", lambda: read("cmdline"))
probe("environ", lambda: read("environ"))
probe("secret", lambda: (_ for _ in ()).throw(OSError(1, "seen")) if b"s3cr3t" in open("/proc/{vpid}/environ", "rb").read() else None)
probe("root", lambda: os.listdir("/proc/{vpid}/root/"))
probe("exe", lambda: os.readlink("/proc/{vpid}/exe"))
probe("fd", lambda: os.readlink("/proc/{vpid}/fd/0"))
probe("maps", lambda: read("maps"))
def oom():
    with open("/proc/{vpid}/oom_score_adj", "w") as f:
        f.write("500")
probe("oom", oom)
probe("kill", lambda: os.kill({vpid}, 0))
probe("listed", lambda: None if str({vpid}) in os.listdir("/proc") else (_ for _ in ()).throw(OSError(2, "not listed")))
"#
    ));
    let plain = t.py_plain(&code);
    for field in [
        "cmdline", "environ", "root", "exe", "fd", "maps", "oom", "kill", "listed",
    ] {
        assert_eq!(plain.expect_field(field), "ok", "{field}: {plain}");
    }
    // (The secret is there to be seen from outside: the probe raised on seeing it.)
    assert_eq!(plain.expect_field("secret"), "EPERM", "{plain}");
    let jail = t.py_jail(&["--ps"], &code);
    assert_eq!(jail.expect_field("listed"), "ok", "{jail}");
    assert_eq!(jail.expect_field("cmdline"), "ok", "{jail}");
    for field in ["environ", "secret", "root", "exe", "fd", "maps"] {
        assert_eq!(jail.expect_field(field), "EACCES", "{field}: {jail}");
    }
    assert_eq!(jail.expect_field("oom"), "EROFS", "{jail}");
    assert_eq!(jail.expect_field("kill"), "ESRCH", "{jail}");
    assert!(!jail.stdout.contains("s3cr3t"), "{jail}");
    // Without it the jail has its own /proc: the process is not there at all.
    let own = t.py_jail(&[], &code);
    assert_eq!(own.expect_field("listed"), "ENOENT", "{own}");
    // And as a grant of the shell: `ps` lists it; text a command made may not ask.
    let run = sh(t, &format!("ps -o pid= -p {vpid} + @ps; ps -e | wc -l"));
    assert!(run.ok(), "{run}");
    assert!(
        run.stdout.trim_start().starts_with(&vpid.to_string()),
        "{run}"
    );
    let run = sh(t, "eval \"$(/usr/bin/printf 'ps -e + @ps')\"");
    assert!(!run.ok(), "{run}");
    assert!(run.stderr.contains("@ps"), "{run}");
    // Nor a word that holds a command's output, after the script's own `+` (review):
    // the capability is the script's word or none.
    for line in [
        "ps -e + $(/usr/bin/printf @ps)",
        "x=$(/usr/bin/printf @ps); ps -e + $x",
        "x=$(/usr/bin/printf @net); /usr/bin/true + $x",
    ] {
        let run = sh(t, line);
        assert_eq!(run.code, Some(126), "{run}");
        assert!(
            run.stderr
                .contains("refused: this text holds a command's output"),
            "{run}"
        );
    }
    let run = sh(t, "x=@ps; ps -e + $x | wc -l");
    assert!(run.stdout.trim().parse::<usize>().unwrap() > 3, "{run}");
    assert!(
        victim.try_wait().unwrap().is_none(),
        "the process was signalled"
    );
    victim.kill().unwrap();
    victim.wait().unwrap();
});

// 16. open_by_handle_at / name_to_handle_at ("shocker"): denied.
both!(item_16_file_handles_are_denied, |t: &T| {
    t.write("f", "x");
    let code = py(r#"
buf = ctypes.create_string_buffer(8 + 128)
ctypes.memmove(buf, (128).to_bytes(4, "little"), 4)
mount_id = ctypes.c_int(0)
path = ctypes.create_string_buffer(b"f")
probe("name_to_handle_at", lambda: call(303, -100, ctypes.addressof(path), ctypes.addressof(buf), ctypes.addressof(mount_id), 0))
probe("open_by_handle_at", lambda: call(304, os.open(".", os.O_RDONLY), ctypes.addressof(buf), os.O_RDONLY))
"#);
    let plain = t.py_plain(&code);
    assert_eq!(plain.expect_field("name_to_handle_at"), "ok", "{plain}");
    let expected = if t.who == Who::Root { "ok" } else { "EPERM" };
    assert_eq!(plain.expect_field("open_by_handle_at"), expected, "{plain}");
    let jail = t.py_jail(&["--ro", "f"], &code);
    assert_eq!(jail.expect_field("name_to_handle_at"), "ENOSYS", "{jail}");
    assert_eq!(jail.expect_field("open_by_handle_at"), "ENOSYS", "{jail}");
});

// 17. io_uring_setup is denied, so no request bypasses the filter.
both!(item_17_io_uring_is_denied, |t: &T| {
    let code = py(r#"
params = ctypes.create_string_buffer(120)
probe("io_uring_setup", lambda: os.close(call(425, 4, ctypes.addressof(params))))
"#);
    let plain = t.py_plain(&code);
    assert_eq!(plain.expect_field("io_uring_setup"), "ok", "{plain}");
    let jail = t.py_jail(&[], &code);
    assert_eq!(jail.expect_field("io_uring_setup"), "ENOSYS", "{jail}");
});

/// Each syscall of SECURITY.md 18 with arguments that make it fail harmlessly if it
/// reaches the kernel (bad pointers, bad descriptors, bad flags): a plain process gets
/// the kernel's own error, the jail gets the filter's ENOSYS.
const KERNEL_SURFACE: &str = r#"
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#define BAD ((long)1)
static void probe(const char *name, long r) {
    printf("%s=%s\n", name, r < 0 ? (errno == ENOSYS ? "ENOSYS" : "kernel") : "kernel");
}
#define P(name, ...) do { errno = 0; probe(#name, syscall(SYS_##name, __VA_ARGS__)); } while (0)
int main(void) {
    P(keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0);
    P(add_key, BAD, BAD, BAD, 0, 0);
    P(request_key, BAD, BAD, BAD, 0);
    P(bpf, -1, 0, 0);
    P(perf_event_open, BAD, 0, -1, -1, 0);
    P(userfaultfd, -1);
    P(kexec_load, 0, 0, 0, 0xffffffffL);
    P(kexec_file_load, -1, -1, 0, BAD, 0xffffffffL);
    P(init_module, BAD, 0, BAD);
    P(finit_module, -1, BAD, 0);
    P(delete_module, BAD, 0);
    P(acct, BAD);
    P(swapon, BAD, 0);
    P(swapoff, BAD);
    P(syslog, 10 /* SIZE_BUFFER */, 0, 0);
    P(settimeofday, BAD, BAD);
    P(clock_settime, 0, BAD);
    P(adjtimex, BAD);
    P(mount, BAD, BAD, BAD, 0, 0);
    P(umount2, BAD, 0);
    P(open_tree, -1, BAD, 0);
    P(move_mount, -1, BAD, -1, BAD, 0);
    P(fsopen, BAD, 0);
    P(fsmount, -1, 0, 0);
    P(fspick, -1, BAD, 0);
    P(fsconfig, -1, 0, 0, 0, 0);
    P(mount_setattr, -1, BAD, 0, BAD, 0);
    P(pivot_root, BAD, BAD);
    P(setns, -1, 0);
    /* i386 entry: getpid through int 0x80 */
    long r;
    __asm__ volatile ("int $0x80" : "=a"(r) : "a"(20) : "memory");
    printf("i386=%s\n", r == -ENOSYS ? "ENOSYS" : "kernel");
    /* x32 entry: getpid with the x32 bit */
    errno = 0; probe("x32", syscall(0x40000000 | SYS_getpid));
    return 0;
}
"#;

// 18. Kernel attack surface and foreign syscall entries: denied.
both!(item_18_kernel_surface_is_denied, |t: &T| {
    t.compile("surface", KERNEL_SURFACE);
    let plain = t.plain(&["./surface"]);
    plain.success();
    let jail = t.jail(&["--ro", "surface"], &["./surface"]);
    jail.success();
    let x32_configured = plain.expect_field("x32") != "ENOSYS";
    if !x32_configured {
        eprintln!("note: this kernel has no x32 ABI (CONFIG_X86_X32_ABI off), so x32 entry cannot reach it either way");
    }
    let mut reached = 0;
    for line in plain.stdout.lines() {
        let (name, result) = line.split_once('=').unwrap();
        if result == "kernel" {
            reached += 1;
        } else {
            // Compiled out of this kernel (e.g. no modules, no kexec): denied either
            // way; the filter's own test checks the rule is there.
            eprintln!("note: {name} is not built into this kernel");
        }
        assert_eq!(
            jail.expect_field(name),
            "ENOSYS",
            "{name} is not denied in the jail:\n{jail}"
        );
    }
    assert!(
        reached >= 20,
        "too few of the calls reach this kernel to show anything:\n{plain}"
    );
});

const ID_PROBE: &str = r#"
#include <stdio.h>
#include <unistd.h>
#include <string.h>
int main(void) {
    printf("euid=%d\n", (int)geteuid());
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "Cap", 3)) { line[strcspn(line, ":")] = '='; char *p = line; printf("%s", p); }
    return 0;
}
"#;

fn caps_zero(run: &Run) -> bool {
    ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]
        .iter()
        .all(|k| run.expect_field(k).trim().trim_start_matches('\t') == "0000000000000000")
}

// 19. setuid/setgid and file-capability binaries gain nothing; all capabilities are
//     zero after exec, also when pola-sh runs as root.
both!(item_19_setuid_and_file_caps_gain_nothing, |t: &T| {
    let exe = t.compile("idprobe", ID_PROBE);
    if t.who == Who::Root {
        let plain = t.plain(&["./idprobe"]);
        assert!(
            !caps_zero(&plain),
            "root has capabilities without the jail:\n{plain}"
        );
        let jail = t.jail(&["--ro", "idprobe"], &["./idprobe"]);
        assert!(caps_zero(&jail), "capabilities in the jail:\n{jail}");
        return;
    }
    if !is_root() {
        eprintln!("skipped: making setuid-root and file-capability binaries needs root");
        return;
    }
    // A setuid-root binary, and one with a file capability, made by root.
    let suid = t.path("suid");
    fs::copy(&exe, &suid).unwrap();
    fs::set_permissions(&suid, fs::Permissions::from_mode(0o4755)).unwrap();
    let fcap = t.path("fcap");
    fs::copy(&exe, &fcap).unwrap();
    let st = Command::new("setcap")
        .arg("cap_net_raw,cap_dac_override+ep")
        .arg(&fcap)
        .status()
        .unwrap();
    assert!(st.success(), "setcap failed (is libcap2-bin installed?)");
    let plain = t.plain(&["./suid"]);
    assert_eq!(
        plain.expect_field("euid"),
        "0",
        "a plain setuid-root binary runs as root:\n{plain}"
    );
    let plain = t.plain(&["./fcap"]);
    assert!(
        !caps_zero(&plain),
        "a plain file-cap binary gains capabilities:\n{plain}"
    );
    for bin in ["suid", "fcap"] {
        let jail = t.jail(&["--ro", bin], &[format!("./{bin}")]);
        assert_eq!(jail.expect_field("euid"), t.uid.to_string(), "{jail}");
        assert!(caps_zero(&jail), "{bin} gained capabilities:\n{jail}");
    }
});

// 20. Core dumps never land outside the grants; core_pattern is not writable.
both!(item_20_core_dumps_stay_inside, |t: &T| {
    let crash = py(r#"
import resource
probe("raise_core_limit", lambda: resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)))
probe("core_pattern", lambda: os.close(os.open("/proc/sys/kernel/core_pattern", os.O_WRONLY)))
sys.stdout.flush()
os.abort()
"#);
    t.mkdir("plain");
    t.mkdir("jailed");
    let pattern = fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap();
    let dumps = |dir: &str| -> usize {
        fs::read_dir(t.path(dir))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("core"))
            .count()
    };
    let mut plain = t.command("python3", &["-c", &crash]);
    plain.current_dir(t.path("plain"));
    let plain = t.output(plain);
    assert_eq!(plain.expect_field("raise_core_limit"), "ok", "{plain}");
    if pattern.starts_with("core") {
        assert!(
            dumps("plain") > 0,
            "a plain crash leaves a core file (core_pattern {pattern:?}):\n{plain}"
        );
    } else {
        eprintln!("note: core_pattern is {pattern:?}; the plain crash dumps elsewhere");
    }
    if t.who == Who::Root {
        assert_eq!(
            plain.expect_field("core_pattern"),
            "ok",
            "root may open core_pattern without the jail:\n{plain}"
        );
    }
    // (The working directory as it is, `+ => .`: a slot's directory would be the
    // jail's staging one, whose leftovers are discarded.)
    t.write("crash.py", &crash);
    let jail = t.output(
        t.pola_sh_command("cd jailed && ulimit -c unlimited && python3 ../crash.py + => ."),
    );
    // The kernel writes a core from the crashing process's own root and working
    // directory: in a jail, only into its grants, and only then are dumps kept (a
    // helper of core_pattern, `|…`, runs outside as root; at fs.suid_dumpable 2 some
    // dumps are written from the machine's root): the limit stays 0 otherwise.
    let suid = fs::read_to_string("/proc/sys/fs/suid_dumpable").unwrap();
    let inside = !pattern.trim_start().starts_with('|') && suid.trim() == "0";
    let raised = jail.expect_field("raise_core_limit") == "ok";
    assert_eq!(raised, inside, "{jail}");
    let e = jail.expect_field("core_pattern");
    assert!(e == "EROFS" || e == "EACCES", "{jail}");
    if t.who == Who::Root {
        assert_eq!(e, "EROFS", "{jail}");
    }
    assert_eq!(
        jail.signal.or(jail.code.map(|c| c - 128)),
        Some(6),
        "{jail}"
    );
    if !raised {
        assert_eq!(dumps("jailed"), 0, "a core file appeared in the grant");
    } else if pattern.starts_with("core") {
        assert!(
            dumps("jailed") > 0,
            "the core file is in the grant:\n{jail}"
        );
    }
    // Never anywhere else: not in the test's directory, which the jail was not given.
    assert_eq!(dumps("."), 0, "a core file appeared outside the grant");
    // Without a grant where it works, none is written at all; nor where the user did
    // not ask for dumps (`ulimit -c`): the limit cannot be raised then.
    t.mkdir("bare");
    let jail = t.output(t.pola_sh_command("cd bare && ulimit -c unlimited && python3 ../crash.py"));
    assert_eq!(
        jail.signal.or(jail.code.map(|c| c - 128)),
        Some(6),
        "{jail}"
    );
    assert_eq!(dumps("bare"), 0, "a core file appeared without a grant");
    let jail = t.output(t.pola_sh_command("cd bare && python3 ../crash.py + => ."));
    assert_ne!(jail.expect_field("raise_core_limit"), "ok", "{jail}");
    assert_eq!(dumps("bare"), 0, "a core file appeared unasked");
});

// 21. Writes to /proc/sys and /proc/sysrq-trigger fail.
both!(item_21_proc_sys_and_sysrq_are_read_only, |t: &T| {
    let write_back = py(r#"
f = "/proc/sys/net/ipv4/ip_forward"
probe("sysctl", lambda: open(f, "w").write(open(f).read()))
"#);
    let open_only = py(r#"
probe("sysrq", lambda: os.close(os.open("/proc/sysrq-trigger", os.O_WRONLY)))
probe("core_pattern", lambda: os.close(os.open("/proc/sys/kernel/core_pattern", os.O_WRONLY)))
"#);
    // Without the jail, root of a user + network namespace of its own may write that
    // namespace's sysctls (the same value back: nothing changes), and real root may
    // open the global ones.
    let unshared = t.output(t.command("unshare", &["-Urn", "python3", "-c", &write_back]));
    assert_eq!(unshared.expect_field("sysctl"), "ok", "{unshared}");
    let sysrq = std::path::Path::new("/proc/sysrq-trigger").exists();
    if !sysrq {
        eprintln!("note: this kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ off)");
    }
    if t.who == Who::Root {
        let plain = t.py_plain(&open_only);
        if sysrq {
            assert_eq!(plain.expect_field("sysrq"), "ok", "{plain}");
        }
        assert_eq!(plain.expect_field("core_pattern"), "ok", "{plain}");
    }
    let jail = t.py_jail(&[], &format!("{write_back}\n{open_only}"));
    for key in ["sysctl", "sysrq", "core_pattern"] {
        let e = jail.expect_field(key);
        let expected: &[&str] = match (key, sysrq, t.who) {
            ("sysrq", false, _) => &["ENOENT"],
            (_, _, Who::Root) => &["EROFS"],
            _ => &["EROFS", "EACCES"],
        };
        assert!(expected.contains(&e.as_str()), "{key}: {jail}");
    }
});

fn find_process(marker: &str) -> Option<u32> {
    processes(|cmd| cmd.starts_with("sleep ") && cmd.contains(marker))
        .first()
        .map(|(pid, _)| *pid)
}

// 22. When the shell dies (SIGKILL), every jailed process dies with it.
both!(item_22_jail_dies_with_the_shell, |t: &T| {
    let tag = |kind: &str| {
        format!(
            "{}",
            400_000
                + std::process::id() % 50_000
                + if kind == "plain" { 0 } else { 1 }
                + if t.who == Who::Root { 0 } else { 2 }
        )
    };
    // Without the jail an orphan outlives its killed parent.
    let plain_tag = tag("plain");
    let mut parent = t
        .command("sh", &["-c", &format!("sleep {plain_tag} & wait")])
        .spawn()
        .unwrap();
    assert!(wait_for(|| find_process(&plain_tag).is_some(), 5));
    parent.kill().unwrap();
    parent.wait().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let orphan = find_process(&plain_tag).expect("a plain orphan survives its parent");
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(orphan as i32),
        nix::sys::signal::Signal::SIGKILL,
    );

    let jail_tag = tag("jail");
    let mut shell = t
        .jail_command(
            &[],
            &["sh", "-c", &format!("sleep {jail_tag} & sleep {jail_tag}")],
        )
        .spawn()
        .unwrap();
    assert!(
        wait_for(|| find_process(&jail_tag).is_some(), 5),
        "the jailed sleep did not start"
    );
    shell.kill().unwrap();
    shell.wait().unwrap();
    assert!(
        wait_for(|| find_process(&jail_tag).is_none(), 5),
        "a jailed process outlived the shell"
    );
});

// 22, for a background job: its jails are launched by a forked copy of the shell, which
// outlived a killed shell, and so did they (found in review; `pola_sh::lifeline`). An
// unconfined job (`!!`) shows such a copy surviving the shell; a jailed one dies with
// it; and a jailed job of a shell that exits normally goes on, as in any shell.
both!(item_22_background_jobs_die_with_the_shell, |t: &T| {
    let tag = |kind: u32| {
        format!(
            "{}",
            450_000
                + std::process::id() % 10_000 * 8
                + kind * 2
                + if t.who == Who::Root { 0 } else { 1 }
        )
    };
    let kill_shell = |script: &str, tag: &str| {
        let mut shell = t
            .command(pola_tests::pola_sh(), &["-c", script])
            .spawn()
            .unwrap();
        assert!(
            wait_for(|| find_process(tag).is_some(), 10),
            "the background sleep did not start: {script}"
        );
        shell.kill().unwrap();
        shell.wait().unwrap();
    };
    let end = |tag: &str| {
        while let Some(pid) = find_process(tag) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // Whether the sleep tagged `tag` still runs a moment later; it is ended then.
    let still_running = |tag: &str| {
        std::thread::sleep(Duration::from_millis(500));
        let running = find_process(tag).is_some();
        end(tag);
        running
    };

    let unconfined = tag(0);
    kill_shell(&format!("!!sleep {unconfined} & sleep 60"), &unconfined);
    assert!(
        still_running(&unconfined),
        "an unconfined background job survives the killed shell"
    );

    let jailed = tag(1);
    kill_shell(
        &format!("/usr/bin/true; sleep {jailed} & sleep 60"),
        &jailed,
    );
    let gone = wait_for(|| find_process(&jailed).is_none(), 5);
    end(&jailed);
    assert!(gone, "a background job's jail outlived the killed shell");

    let kept = tag(2);
    // Its output not to the test's pipes, which the job would hold open.
    let status = t
        .command(pola_tests::pola_sh(), &["-c", &format!("sleep {kept} &")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(
        still_running(&kept),
        "a background job ended with the shell's normal exit"
    );
});

// 23. Denied calls return an errno; privilege drops work or kill, never fail silently.
both!(item_23_denial_never_breaks_a_privilege_drop, |t: &T| {
    let code = |call: &str| {
        py(&format!(
            r#"
probe("own_uid", lambda: os.setuid(os.getuid()))
probe("own_gid", lambda: os.setgid(os.getgid()))
probe("seteuid_own", lambda: os.seteuid(os.geteuid()))
probe("mount", lambda: call(165, 0, 0, 0, 0, 0))
try:
    {call}
except OSError as e:
    print("failed=" + errno.errorcode[e.errno])
print("continued=yes")
"#
        ))
    };
    let other = if t.who == Who::Root { 65534 } else { 0 };
    for call in [
        "os.setgroups([])",
        &format!("os.setuid({other})"),
        &format!("os.setresgid(-1, {other}, -1)"),
    ] {
        let jail = t.py_jail(&[], &code(call));
        assert_eq!(jail.expect_field("own_uid"), "ok", "{jail}");
        assert_eq!(jail.expect_field("own_gid"), "ok", "{jail}");
        assert_eq!(jail.expect_field("seteuid_own"), "ok", "{jail}");
        assert_eq!(
            jail.expect_field("mount"),
            "ENOSYS",
            "a denied call returns an errno:\n{jail}"
        );
        assert!(
            jail.field("continued").is_none(),
            "{call} failed and the program went on:\n{jail}"
        );
        assert_eq!(
            jail.code,
            Some(128 + 31),
            "{call} should kill with SIGSYS:\n{jail}"
        );
    }
    if t.who == Who::User {
        // Without the jail the same drop fails and a careless program carries on.
        let plain = t.py_plain(&code("os.setgroups([])"));
        assert_eq!(plain.expect_field("failed"), "EPERM", "{plain}");
        assert_eq!(plain.expect_field("continued"), "yes");
    }
});

// 24. A jail with a write grant on a directory plants symlinks (to an authorized_keys,
//     a profile, a secret file or directory): a later write grant, redirection or read
//     grant naming them does not reach their targets; the user's own links keep working.

/// pola-sh -c SCRIPT as the test's user, with extra environment.
fn pola_sh_with(t: &T, script: &str, env: &[(&str, &std::path::Path)]) -> Run {
    let mut cmd = t.command(pola_tests::pola_sh(), &["-c", script]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    t.output(cmd)
}

fn sh(t: &T, script: &str) -> Run {
    pola_sh_with(t, script, &[])
}

both!(
    item_24_planted_links_do_not_redirect_the_users_authority,
    |t: &T| {
        let v = t.dir().display().to_string();
        t.write("keys", "ORIGINAL KEYS\n");
        t.write("profile", "ORIGINAL PROFILE\n");
        t.write("secret", "TOP SECRET\n");
        t.write("secretdir/hidden.txt", "hidden\n");
        let plant = format!(
        "ln -s {v}/keys sorted.csv; ln -s {v}/profile log.txt; ln -s {v}/secret notes.txt; ln -s {v}/secretdir docs"
    );
        // Without the protection: the same links, made by a plain process, redirect a
        // plain (or unconfined) command's writes and reads.
        t.write("plain/data.csv", "b\na\n");
        t.plain(&["sh", "-c", &format!("cd plain && {plant}")])
            .success();
        let run = sh(t, "cd plain && !!sort data.csv -o sorted.csv");
        run.success();
        assert_eq!(
            fs::read_to_string(t.path("keys")).unwrap(),
            "a\nb\n",
            "{run}"
        );
        t.write("keys", "ORIGINAL KEYS\n");
        let run = sh(t, "cd plain && !!cat notes.txt");
        assert_eq!(run.success(), "TOP SECRET\n");

        // A jail given the directory leaves the same links.
        t.write("w/data.csv", "b\na\n");
        sh(t, &format!("cd w && sh -c '{plant}' + => .")).success();
        // A write grant: the slot is the link itself, resolved inside the next jail.
        let run = sh(t, "cd w && sort data.csv -o => sorted.csv");
        assert_eq!(
            fs::read_to_string(t.path("keys")).unwrap(),
            "ORIGINAL KEYS\n",
            "{run}"
        );
        // A redirection the shell opens: refused, saying why.
        let run = sh(t, "cd w && cat data.csv > log.txt");
        assert_eq!(run.code, Some(1), "{run}");
        assert!(run.stderr.contains("a link a jail may have made"), "{run}");
        assert!(run.stderr.contains(&format!("-> {v}/profile")), "{run}");
        assert_eq!(
            fs::read_to_string(t.path("profile")).unwrap(),
            "ORIGINAL PROFILE\n"
        );
        // Read grants, named or from a glob, and a directory: the jail gets the link
        // itself, which leads nowhere in it (`ls` lists a dangling link by its name).
        for cmd in ["cat notes.txt", "cat *", "ls docs", "ls docs/"] {
            let run = sh(t, &format!("cd w && {cmd}"));
            assert!(!run.ok() || cmd == "ls docs", "{cmd}: {run}");
            assert!(
                !run.stdout.contains("TOP SECRET") && !run.stdout.contains("hidden"),
                "{run}"
            );
            assert!(run.stderr.contains("is not followed"), "{cmd}: {run}");
        }
        // cd through a planted directory link is refused too.
        let run = sh(t, "cd w/docs && ls");
        assert!(!run.ok() && run.stderr.contains("is not followed"), "{run}");

        // The user's own links keep working: dotfiles, a project through a link, a venv a
        // jail made (its python resolves inside the jail).
        t.write("dotfiles/bashrc", "my rc\n");
        t.write("data/proj/f", "project file\n");
        t.mkdir("home");
        std::os::unix::fs::symlink(t.path("dotfiles/bashrc"), t.path("home/.bashrc")).unwrap();
        std::os::unix::fs::symlink(t.path("data/proj"), t.path("home/proj")).unwrap();
        assert_eq!(sh(t, "cat home/.bashrc").success(), "my rc\n");
        assert_eq!(sh(t, "cat home/proj/f").success(), "project file\n");
        assert_eq!(sh(t, "cd home/proj && cat f").success(), "project file\n");
        sh(t, "/usr/bin/python3 -m venv --without-pip => venv").success();
        let run = sh(
            t,
            "venv/bin/python -c 'import sys; print(sys.prefix)' + venv",
        );
        assert_eq!(run.success().trim(), t.path("venv").to_str().unwrap());
        // A venv a jail made with pyenv's python (its bin/python leads into
        // ~/.pyenv): the link still leads nowhere by itself, but where it leads
        // chooses pyenv's profile, which gives ~/.pyenv (not the link's target) and the
        // jail follows the link there. It failed "command not found" before.
        let home = t.path("home2");
        let env = [("HOME", home.as_path())];
        let tool = t.write(
            "home2/.pyenv/versions/9/bin/python3",
            "#!/bin/sh\necho from-pyenv\n",
        );
        fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        t.write("home2/go/secret.txt", "GOSECRET\n");
        let venv = format!(
            "mkdir -p v9/bin && : > v9/pyvenv.cfg && ln -s {} v9/bin/python",
            tool.display()
        );
        sh(t, &format!("cd w && sh -c '{venv}' + => .")).success();
        let run = pola_sh_with(t, "w/v9/bin/python", &env);
        assert_eq!(run.success(), "from-pyenv\n");
        // And a script of the venv (pip), whose interpreter is that python.
        let script = "printf \"#!%s/v9/bin/python\\n\" $PWD > v9/bin/pip && chmod +x v9/bin/pip";
        sh(t, &format!("cd w && sh -c '{script}' + => .")).success();
        let run = pola_sh_with(t, "w/v9/bin/pip", &env);
        assert_eq!(run.success(), "from-pyenv\n");
        // Named for reading, the link still leads nowhere.
        let run = pola_sh_with(t, "cat w/v9/bin/python", &env);
        assert!(!run.ok() && run.stderr.contains("is not followed"), "{run}");
        // Only where the links end chooses: a chain that reads as passing through ~/go
        // (`d/..` after a link to a deep directory of the jail's, climbing back into
        // it) but ends at the jail's own file gets no profile of Go's (a review found
        // the payload reading ~/go, and writing Go's build cache, when the places on
        // the way chose).
        let w = t.path("w");
        let depth = w.join("v/d").components().count() - 1;
        let deep: Vec<String> = (1..=depth).map(|n| n.to_string()).collect();
        let payload = format!("v/deep{}/go/x", home.display());
        let chain = format!(
            "{}/v/d/{}{}/go/x",
            w.display(),
            "../".repeat(depth),
            home.display().to_string().trim_start_matches('/')
        );
        let plant = format!(
            "mkdir -p v/bin v/deep/{} $(dirname {payload}) && : > v/pyvenv.cfg && ln -s deep/{} v/d && printf \"#!/bin/sh\\ncat {}/go/secret.txt\\n\" > {payload} && chmod +x {payload} && ln -s {chain} v/bin/python",
            deep.join("/"),
            deep.join("/"),
            home.display(),
        );
        sh(t, &format!("cd w && sh -c '{plant}' + => .")).success();
        // Run by a plain process, the chain ends at the jail's payload, which reads
        // the secret.
        let plain = |program: &str| {
            let mut cmd = t.command(t.path(program), &[] as &[&str]);
            cmd.env("HOME", &home);
            t.output(cmd)
        };
        let run = plain("w/v/bin/python");
        assert!(run.stdout.contains("GOSECRET"), "{run}");
        let run = pola_sh_with(t, "w/v/bin/python", &env);
        assert!(!run.stdout.contains("GOSECRET"), "{run}");
        assert!(run.stderr.contains("No such file"), "{run}");
        // The same for a script's interpreter: a `#!` line that reads as under ~/go
        // (`~/go/bin/../../..`) but ends at the jail's own file (a second review found
        // it given Go's profile); and one named like a tool (`bash`) gets no profile.
        t.mkdir("home2/go/bin");
        let evil = format!("{}/{payload}", w.display());
        let via = format!("{}/go/bin/../../../w/{payload}", home.display());
        let plant = format!(
            "printf \"#!{via}\\n\" > run.sh && chmod +x run.sh && ln -s {evil} bash && printf \"#!{}/bash\\n\" > run2.sh && chmod +x run2.sh",
            w.display()
        );
        sh(t, &format!("cd w && sh -c '{plant}' + => .")).success();
        for script in ["w/run.sh", "w/run2.sh"] {
            let run = plain(script);
            assert!(run.stdout.contains("GOSECRET"), "plain {script}: {run}");
            let run = pola_sh_with(t, script, &env);
            assert!(!run.stdout.contains("GOSECRET"), "{script}: {run}");
        }
        // A glob never walks through a link a jail made (`*/**`, globstar); bash's
        // does.
        let run = t.plain(&[
            "bash",
            "-O",
            "globstar",
            "-c",
            "cd w && echo */** | tr ' ' '\\n' | grep -c hidden",
        ]);
        assert_eq!(run.stdout.trim(), "1", "{run}");
        let run = pola_sh_with(
            t,
            "shopt -s globstar; cd w && echo */** | tr ' ' '\\n' | grep -c hidden",
            &env,
        );
        assert_eq!(run.stdout.trim(), "0", "{run}");
        // Nor a plain `*` after it (`*/*`: review): the names in the link's target
        // reached the command's arguments (a jail's `src/lib -> ~/.ssh` handed the next
        // `tool out/src/*/*` the user's key names).
        let run = t.plain(&[
            "bash",
            "-c",
            "cd w && echo */* | tr ' ' '\\n' | grep -c hidden",
        ]);
        assert_eq!(run.stdout.trim(), "1", "{run}");
        let run = pola_sh_with(t, "cd w && echo */* | tr ' ' '\\n' | grep -c hidden", &env);
        assert_eq!(run.stdout.trim(), "0", "{run}");
    }
);

// 25. A planted FIFO, socket or device named by a later redirection or grant: the shell
//     never blocks on it, and Ctrl-C always returns the prompt.
both!(item_25_planted_fifos_never_block_the_shell, |t: &T| {
    // Without the protection: a writer opening a FIFO with no reader blocks.
    nix::unistd::mkfifo(
        &t.path("plainfifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    t.own(&t.path("plainfifo"));
    let run = t.plain(&["timeout", "2", "sh", "-c", "echo hi > plainfifo"]);
    assert_eq!(run.code, Some(124), "a plain writer blocks: {run}");

    // A jail leaves a FIFO and a socket where it could write.
    t.mkdir("w");
    let made = sh(
        t,
        "cd w && /usr/bin/python3 -c 'import os, socket; os.mkfifo(\"out.log\"); socket.socket(socket.AF_UNIX).bind(\"sock\")' + => .",
    );
    made.success();
    let started = std::time::Instant::now();
    let run = sh(t, "cd w && echo hi > out.log");
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stderr
            .contains("FIFO in a directory a jail could write"),
        "{run}"
    );
    let run = sh(t, "cd w && cat < out.log; echo hi >> sock");
    assert!(run.stderr.contains("is not opened"), "{run}");
    let run = sh(t, "cd w && cat out.log");
    assert!(!run.ok(), "{run}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the shell blocked"
    );

    // The user's own FIFO is waited on, as in any shell, and Ctrl-C ends the wait.
    t.mkdir("mine");
    nix::unistd::mkfifo(
        &t.path("mine/fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    t.own(&t.path("mine/fifo"));
    let prompt = if t.uid == 0 { "# " } else { "$ " };
    use pola_tests::Key::*;
    let run = t.interactive(&[
        Expect(prompt),
        Send("cd mine; echo hi > fifo; echo went-on\r"),
        Pause(0.5),
        Send("\x03"),
        Expect("interrupted waiting for a reader"),
        // The rest of the line stops there, as at any Ctrl-C (a loop over FIFOs took
        // one each; review).
        Send("echo after=$?\r"),
        Expect("after=130"),
        Send("echo alive\r"),
        Expect("alive"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("went-on\r\n"), "{run}");
});

// 26. The powerbox and ask mode open exactly what the user chose: never through a link
//     or special file the asking jail planted.
both!(
    item_26_powerbox_and_ask_never_follow_a_planted_link,
    |t: &T| {
        use pola_tests::Key::*;
        t.write("victim", "VICTIM\n");
        t.write("secret", "TOP SECRET\n");
        let v = t.dir().display().to_string();
        // Without the protection: opening the name the jail suggests follows its link.
        t.mkdir("plain");
        std::os::unix::fs::symlink(t.path("victim"), t.path("plain/report.txt")).unwrap();
        let run = t.py_plain("open('plain/report.txt', 'w').write('pwned\\n')");
        run.success();
        assert_eq!(fs::read_to_string(t.path("victim")).unwrap(), "pwned\n");
        t.write("victim", "VICTIM\n");

        // The powerbox: the jail plants report.txt and asks for a file to write.
        t.mkdir("w");
        let open = pola_tests::bin_dir().join("pola-open");
        let script = format!(
        "cd {v}/w && ln -s {v}/victim report.txt && echo pwned | {} --write --desc report.txt; echo status=$?",
        open.display()
    );
        let run = t.on_terminal(
            &pola_tests::pola_run(),
            &[
                "--powerbox",
                "--rw",
                &format!("{v}/w"),
                "--ro",
                open.to_str().unwrap(),
                "--",
                "sh",
                "-c",
                &script,
            ],
            &[
                Expect("path (empty to refuse)?"),
                Send(&format!("{v}/w/report.txt\r")),
                Expect("status="),
            ],
        );
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(run.stdout.contains("a link a jail may have made"), "{run}");
        assert_eq!(fs::read_to_string(t.path("victim")).unwrap(), "VICTIM\n");

        // Ask mode: a link left by an earlier jail, asked for by the next one.
        t.mkdir("d");
        t.jail(
            &["--rw", "d"],
            &["ln", "-s", &format!("{v}/secret"), "d/link"],
        )
        .success();
        assert_eq!(t.plain(&["cat", "d/link"]).success(), "TOP SECRET\n");
        let run = t.on_terminal(
            &pola_tests::pola_run(),
            &["--ask", "--", "cat", &format!("{v}/d/link")],
            &[Answer("wants to read", &[("", "o\r")], "No such file")],
        );
        assert!(!run.stdout.contains("TOP SECRET"), "{run}");
    }
);

// 27. pola-sh's own configuration (rc, profiles, environment) cannot be written from
//     any jail, however it is reached: a symlinked ~/.config or $HOME, a grant above.
both!(
    item_27_configuration_is_read_only_however_reached,
    |t: &T| {
        use pola_tests::Key::*;
        // ~/.config is a link into a dotfiles directory, a common layout.
        t.write("dotfiles/config/pola-sh/rc", "echo rc-read\n");
        std::os::unix::fs::symlink("dotfiles/config", t.path(".config")).unwrap();
        let rc = t.path("dotfiles/config/pola-sh/rc");
        let marker = t.path("MARKER");
        // Without the protection: whatever is written into the rc runs unconfined at the
        // next interactive start.
        let line = format!("!!touch {}\n", marker.display());
        fs::OpenOptions::new()
            .append(true)
            .open(&rc)
            .unwrap()
            .write_all(line.as_bytes())
            .unwrap();
        let prompt = if t.uid == 0 { "# " } else { "$ " };
        let run = t.interactive(&[Expect("rc-read"), Expect(prompt), Send("exit\r")]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(marker.exists(), "the rc ran: {run}");
        fs::remove_file(&marker).unwrap();
        t.write("dotfiles/config/pola-sh/rc", "echo rc-read\n");

        let config = [("XDG_CONFIG_HOME", t.path(".config"))];
        let env: Vec<(&str, &std::path::Path)> =
            config.iter().map(|(k, v)| (*k, v.as_path())).collect();
        let append = format!("echo '!!touch {}' >> config/pola-sh/rc", marker.display());
        for (dir, grant) in [("dotfiles", "+ => ."), (".", "+ => dotfiles")] {
            let cmd = format!(
                "cd {dir} && sh -c \"cd {} && {append}; mv config/pola-sh config/gone\" {grant}",
                t.path("dotfiles").display()
            );
            let run = pola_sh_with(t, &cmd, &env);
            assert!(!run.ok(), "{run}");
            assert!(run.stderr.contains("Read-only file system"), "{run}");
            assert_eq!(fs::read_to_string(&rc).unwrap(), "echo rc-read\n");
            assert!(t.path("dotfiles/config/pola-sh").is_dir(), "{run}");
        }
        // $HOME reached through a symlink, and the state directory (what jails wrote).
        t.write("realhome/.config/pola-sh/rc", "echo real\n");
        std::os::unix::fs::symlink("realhome", t.path("homelink")).unwrap();
        let home = [
            ("HOME", t.path("homelink")),
            ("XDG_STATE_HOME", t.path("realhome/state")),
        ];
        let env: Vec<(&str, &std::path::Path)> =
            home.iter().map(|(k, v)| (*k, v.as_path())).collect();
        let cmd = format!(
        "sh -c 'echo x >> {h}/.config/pola-sh/rc; echo x >> {h}/state/pola-sh/written' + => {h}",
        h = t.path("realhome").display()
    );
        let run = pola_sh_with(t, &cmd, &env);
        assert!(
            !run.ok() && run.stderr.contains("Read-only file system"),
            "{run}"
        );
        assert_eq!(
            fs::read_to_string(t.path("realhome/.config/pola-sh/rc")).unwrap(),
            "echo real\n"
        );
        assert!(
            !fs::read_to_string(t.path("realhome/state/pola-sh/written"))
                .unwrap_or_default()
                .lines()
                .any(|l| l == "x")
        );
    }
);

// 24 (review). A link a jail makes at a slot is never followed later, however it got
// there: made while the slot's name in the staging directory was occupied behind the
// server's back, renamed onto the slot inside a directory, or traded in by
// RENAME_EXCHANGE from another slot directory's scratch.
both!(
    item_24_links_made_at_slots_are_never_followed_however_made,
    |t: &T| {
        let v = t.dir().display().to_string();
        t.write("secret", "TOP SECRET\n");
        // Without the protection: a plain process's link redirects the next write.
        t.mkdir("plain");
        let run = t.plain(&[
            "sh",
            "-c",
            &format!("cd plain && ln -s {v}/secret out && echo OVERWRITTEN > out"),
        ]);
        run.success();
        assert_eq!(
            fs::read_to_string(t.path("secret")).unwrap(),
            "OVERWRITTEN\n"
        );
        t.write("secret", "TOP SECRET\n");

        // The jail first tries to take the slot's name in its staging directory through
        // a path the server cannot resolve, then makes the link.
        t.mkdir("w");
        let code = format!(
            r#"
os.chdir("w")
try:
    os.mkdir("/proc/self/cwd/out"); print("occupied=yes")
except OSError as e:
    print("occupied=" + errno.errorcode[e.errno])
os.symlink("{v}/secret", "out")
os.mkdir("tmpd")
os.symlink("{v}/secret", "tmpd/notes.txt")
os.rename("tmpd", "dir")
"#
        );
        let run = t.py_jail(&["--rw", "w/out", "--rw", "w/dir"], &py(&code));
        run.success();
        assert_ne!(run.expect_field("occupied"), "yes", "{run}");
        assert!(t.path("w/out").is_symlink() && t.path("w/dir/notes.txt").is_symlink());
        for cmd in ["echo X > out", "echo X > dir/notes.txt", "cat out"] {
            let run = sh(t, &format!("cd w && {cmd}"));
            assert!(
                !run.ok() && run.stderr.contains("is not followed"),
                "{cmd}: {run}"
            );
        }
        assert_eq!(
            fs::read_to_string(t.path("secret")).unwrap(),
            "TOP SECRET\n"
        );

        // A link that leads only where jails could write anyway is followed (the
        // user's `ln -s real => link`), except into pola-sh's own files.
        t.mkdir("proj");
        let run = sh(
            t,
            "cd proj && mkdir => real && sh -c 'echo made > real/f' + => real/f && ln -s real => link && cat link/f && cd link && cat f",
        );
        assert_eq!(run.success(), "made\nmade\n");
        // A directory a jail was only given to write (the user's project) holds the
        // user's files, and files the user puts there later: a link into it is not.
        t.mkdir("proj2");
        t.mkdir("dl");
        sh(t, &format!("/usr/bin/true + => {v}/proj2/")).success();
        t.write("proj2/.env", "TOKEN=later\n");
        sh(
            t,
            &format!("sh -c 'ln -s {v}/proj2/.env dl/notes.txt' + => dl/notes.txt"),
        )
        .success();
        let run = sh(t, "cat dl/notes.txt");
        assert!(!run.stdout.contains("TOKEN"), "{run}");
        assert!(run.stderr.contains("is not followed"), "{run}");
        t.write("home/.config/pola-sh/rc", "echo rc\n");
        let env = [("HOME", t.path("home"))];
        let env: Vec<(&str, &std::path::Path)> =
            env.iter().map(|(k, v)| (*k, v.as_path())).collect();
        let run = pola_sh_with(
            t,
            &format!("cd home && ln -s {v}/home/.config/pola-sh/rc rc-link + => ."),
            &env,
        );
        run.success();
        let run = pola_sh_with(t, "cd home && echo '!!touch PWNED' >> rc-link", &env);
        assert!(!run.ok() && run.stderr.contains("is not followed"), "{run}");
        assert_eq!(
            fs::read_to_string(t.path("home/.config/pola-sh/rc")).unwrap(),
            "echo rc\n"
        );

        // RENAME_EXCHANGE of another slot directory's scratch with a slot: refused, and
        // nothing appears under a name that was never granted.
        t.write("b/notes", "notes\n");
        t.mkdir("a");
        let exchange = py(r#"
open("a/.envrc", "w").write("echo chosen by the jail\n")
open("b/x", "w").write("scratch\n")
def exchange():
    if libc.syscall(316, -100, b"b/x", -100, b"a/.envrc", 2) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
probe("exchange", exchange)
"#);
        let run = t.py_jail(&["--rw", "a/.envrc", "--rw", "b/notes"], &exchange);
        assert_eq!(run.expect_field("exchange"), "EXDEV", "{run}");
        assert!(!t.path("b/.envrc").exists(), "{run}");
        let left = pola_tests::tree(&t.path("b"));
        assert_eq!(left.len(), 1, "{left:?}");
    }
);

// 24 (review). `cd` enters exactly the path it checked: `cd ../out` after entering a
// project through the user's own link checks the logical path, as it enters it.
both!(item_24_cd_enters_the_path_it_checked, |t: &T| {
    let v = t.dir().display().to_string();
    t.mkdir("data/proj");
    t.mkdir("home");
    t.write("secret/id_rsa", "echo SOURCED\n");
    std::os::unix::fs::symlink(t.path("data/proj"), t.path("home/proj")).unwrap();
    // Without the protection: the same link, made by a plain process, is entered.
    t.plain(&["ln", "-s", &format!("{v}/secret"), "home/mine"])
        .success();
    let run = sh(t, &format!("cd {v}/home/proj; cd ../mine && . ./id_rsa"));
    assert_eq!(run.success(), "SOURCED\n");
    // A jail makes the link at a slot beside the project (not `ln -s` named by the
    // launcher's own command line: that link would be the user's, with the text typed).
    t.jail(
        &["--rw", "home/out"],
        &["sh", "-c", &format!("ln -s {v}/secret home/out")],
    )
    .success();
    let run = sh(
        t,
        &format!("cd {v}/home/proj; cd ../out; echo status=$? pwd=$PWD; . ./id_rsa"),
    );
    assert!(!run.stdout.contains("SOURCED"), "{run}");
    assert!(run.stdout.contains("status=1 "), "{run}");
    assert!(run.stderr.contains("is not followed"), "{run}");
});

// 25 (review). `.`/`source` and a script named to pola-sh never open a FIFO a jail left
// (it would block the shell for good).
both!(item_25_sourcing_never_opens_a_planted_fifo, |t: &T| {
    t.mkdir("w");
    sh(
        t,
        "cd w && /usr/bin/python3 -c 'import os; os.mkfifo(\"env.sh\")' + => .",
    )
    .success();
    let started = std::time::Instant::now();
    let run = sh(t, "cd w && . ./env.sh; echo after=$?");
    assert_eq!(run.expect_field("after"), "1", "{run}");
    assert!(
        run.stderr
            .contains("FIFO in a directory a jail could write"),
        "{run}"
    );
    let mut cmd = t.command(pola_tests::pola_sh(), &["w/env.sh"]);
    cmd.stdin(Stdio::null());
    let run = t.output(cmd);
    assert!(!run.ok() && run.stderr.contains("is not opened"), "{run}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the shell blocked"
    );
});

// 2 (review). A redirection never passes a directory: `..` from its descriptor would
// walk the host outside the jail's namespace.
both!(item_02_a_redirected_directory_is_no_way_out, |t: &T| {
    let probe = py(r#"
probe("up", lambda: print("passwd=" + os.read(os.open("../../../../../../../../etc/passwd", os.O_RDONLY, dir_fd=3), 5).decode()))
"#);
    t.mkdir("x/y");
    // Without the protection: a plain shell's command reads the host through it.
    let run = t.plain(&["sh", "-c", &format!("python3 -c '{probe}' 3< x/y")]);
    assert_eq!(run.expect_field("passwd"), "root:", "{run}");
    let run = sh(t, &format!("python3 -c '{probe}' 3< x/y"));
    assert!(!run.ok(), "{run}");
    assert!(run.field("passwd").is_none(), "{run}");
    assert!(run.stderr.contains("x/y: is a directory"), "{run}");
});

// 19 (review). A jail cannot leave a set-user-ID or set-group-ID program on the host,
// where another user would run it with the jail's user's identity (root's, when
// pola-sh runs as root).
both!(item_19_a_jail_leaves_no_set_user_id_program, |t: &T| {
    let make = py(r#"
import shutil
shutil.copy("/usr/bin/id", "w/tool")
probe("chmod", lambda: os.chmod("w/tool", 0o4755))
probe("chmod_g", lambda: os.chmod("w/tool", 0o2755))
probe("create", lambda: os.close(os.open("w/made", os.O_CREAT | os.O_WRONLY, 0o6755)))
probe("fchmod", lambda: os.fchmod(os.open("w/tool", os.O_RDONLY), 0o4755))
"#);
    t.mkdir("plain");
    let plain = t.py_plain(&make.replace("w/", "plain/"));
    assert_eq!(plain.expect_field("chmod"), "ok", "{plain}");
    let mode = fs::metadata(t.path("plain/tool")).unwrap().mode();
    assert_ne!(mode & 0o4000, 0, "a plain process makes it set-user-ID");
    // Run by another user, it has the maker's identity.
    let nobody = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(t.path("plain/tool"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&nobody.stdout);
    assert!(out.contains("euid="), "{out}");

    t.mkdir("w");
    let jail = t.py_jail(&["--rw", "w/"], &make);
    for probe in ["chmod", "chmod_g", "create", "fchmod"] {
        assert_eq!(jail.expect_field(probe), "EPERM", "{probe}: {jail}");
    }
    for f in ["w/tool", "w/made"] {
        if let Ok(m) = fs::metadata(t.path(f)) {
            assert_eq!(m.mode() & 0o6000, 0, "{f}: {jail}");
        }
    }
    // Ordinary modes still work.
    let run = t.py_jail(&["--rw", "w/"], "import os; os.chmod('w/tool', 0o700)");
    run.success();
});

/// A bind mount made for a test, undone however the test ends.
struct Bind(std::path::PathBuf);

impl Drop for Bind {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

// 27 (review). The source of a bind mount holding pola-sh's configuration is found:
// with ~/.config bound from data/config, a grant of data/ holds it.
both!(
    item_27_configuration_behind_a_bind_mount_is_read_only,
    |t: &T| {
        if !is_root() {
            // Making the bind mount needs root; the test user gets it from a root runner.
            return;
        }
        t.write("data/config/pola-sh/rc", "echo rc-read\n");
        t.mkdir("home/.config");
        let st = Command::new("mount")
            .arg("--bind")
            .arg(t.path("data/config"))
            .arg(t.path("home/.config"))
            .status()
            .unwrap();
        assert!(st.success());
        let _bind = Bind(t.path("home/.config"));
        let env = [
            ("HOME", t.path("home")),
            ("XDG_CONFIG_HOME", t.path("home/.config")),
        ];
        let env: Vec<(&str, &std::path::Path)> =
            env.iter().map(|(k, v)| (*k, v.as_path())).collect();
        // Without the protection: an unconfined command writes it through the source.
        let run = pola_sh_with(t, "!!sh -c 'echo x >> data/config/pola-sh/rc'", &env);
        run.success();
        t.write("data/config/pola-sh/rc", "echo rc-read\n");
        for grant in ["+ => data/", "+ => data"] {
            let run = pola_sh_with(
                t,
                &format!("sh -c 'echo !!touch MARKER >> data/config/pola-sh/rc' {grant}"),
                &env,
            );
            assert!(
                run.stderr.contains("Read-only file system"),
                "{grant}: {run}"
            );
            assert_eq!(
                fs::read_to_string(t.path("data/config/pola-sh/rc")).unwrap(),
                "echo rc-read\n",
                "{grant}"
            );
        }
    }
);

// 24 (review 2). `!!cmd` runs what a PATH search finds with the user's full authority:
// never a program in a directory a jail could write (a jail given ~/.local plants
// ~/.local/bin/sudo for the user's next `!!sudo`).
both!(
    item_24_unconfined_commands_never_run_a_planted_program,
    |t: &T| {
        let v = t.dir().display().to_string();
        let path = format!("{v}/bin:/usr/local/bin:/usr/bin:/bin");
        let env = [("PATH", std::path::PathBuf::from(&path))];
        let env: Vec<(&str, &std::path::Path)> =
            env.iter().map(|(k, p)| (*k, p.as_path())).collect();
        let plant = format!(
        "sh -c 'mkdir -p {v}/bin && printf \"#!/bin/sh\\necho PLANTED\\n\" > {v}/bin/hostname && chmod +x {v}/bin/hostname' + => {v}/bin"
    );
        // Without the protection: the same file, made by a plain process, is what runs.
        t.mkdir("plain");
        t.plain(&[
            "sh",
            "-c",
            &plant
                .replace(&format!("{v}/bin"), &format!("{v}/plain"))
                .replace(" + => ", " #"),
        ])
        .success();
        let plain = t.plain(&["env", &format!("PATH={v}/plain:/usr/bin:/bin"), "hostname"]);
        assert_eq!(plain.success(), "PLANTED\n");
        // A jail plants it; the user's `!!hostname` refuses it, saying why.
        pola_sh_with(t, &plant, &env).success();
        let run = pola_sh_with(t, "!!hostname; echo status=$?", &env);
        assert!(!run.stdout.contains("PLANTED"), "{run}");
        assert!(run.stdout.contains("status=126"), "{run}");
        assert!(run.stderr.contains("a jail may have put it there"), "{run}");
        // Named with its full path, it is the user's choice.
        let run = pola_sh_with(t, &format!("!!{v}/bin/hostname"), &env);
        assert_eq!(run.success(), "PLANTED\n");
        // A program found elsewhere on PATH still runs unconfined.
        let run = pola_sh_with(t, "!!true; echo status=$?", &env);
        assert!(run.stdout.contains("status=0"), "{run}");
    }
);

// 27 (review 2). The files pola-sh runs at start outside its own directories (a login
// shell's ~/.profile, $ENV's file) are kept read-only too, made empty first when a jail
// could otherwise create them.
both!(item_27_startup_files_are_read_only_in_jails, |t: &T| {
    t.mkdir("home");
    t.write("home/.profile", "echo profile-read\n");
    let home = t.path("home");
    let marker = t.path("MARKER");
    let env = [("HOME", home.clone()), ("ENV", home.join(".shrc"))];
    let env: Vec<(&str, &std::path::Path)> = env.iter().map(|(k, p)| (*k, p.as_path())).collect();
    // Without the protection: what is in ~/.profile runs unconfined at the next login.
    fs::write(
        home.join(".profile"),
        format!("!!touch {}\n", marker.display()),
    )
    .unwrap();
    let mut cmd = t.command(pola_tests::pola_sh(), &["-l", "-c", "true"]);
    cmd.env("HOME", &home);
    t.output(cmd).success();
    assert!(marker.exists(), "a login pola-sh runs ~/.profile");
    fs::remove_file(&marker).unwrap();
    t.write("home/.profile", "echo profile-read\n");
    let h = home.display();
    // Not through a link of the user's to it, named to write (what such a link leads
    // to is granted with it, but never pola-sh's own files or startup files). Shown
    // first on a plain file the same way.
    t.write("home/notes", "");
    sh(
        t,
        "cd home && !!ln -s .profile plink && !!ln -s notes nlink",
    )
    .success();
    let run = pola_sh_with(
        t,
        &format!("cd {h} && sh -c 'echo \"!!touch {m}\" >> nlink' => nlink; sh -c 'echo \"!!touch {m}\" >> plink' => plink", m = marker.display()),
        &env,
    );
    assert!(
        fs::read_to_string(home.join("notes"))
            .unwrap()
            .contains("!!touch"),
        "{run}"
    );
    assert_eq!(
        fs::read_to_string(home.join(".profile")).unwrap(),
        "echo profile-read\n",
        "{run}"
    );
    // A jail that may write the home cannot write either file.
    let run = pola_sh_with(
        t,
        &format!("sh -c 'echo \"!!touch {m}\" >> {h}/.profile; echo \"!!touch {m}\" >> {h}/.shrc; echo ok > {h}/other' + => {h}/", m = marker.display()),
        &env,
    );
    assert!(run.stderr.contains("Read-only file system"), "{run}");
    assert_eq!(
        fs::read_to_string(home.join(".profile")).unwrap(),
        "echo profile-read\n"
    );
    assert_eq!(
        fs::read_to_string(home.join(".shrc")).unwrap_or_default(),
        ""
    );
    assert_eq!(fs::read_to_string(home.join("other")).unwrap(), "ok\n");
    // The next login shell reads only what the user wrote.
    let mut cmd = t.command(pola_tests::pola_sh(), &["-l", "-c", "true"]);
    cmd.env("HOME", &home).env("ENV", home.join(".shrc"));
    let run = t.output(cmd);
    assert!(run.stdout.contains("profile-read"), "{run}");
    assert!(!marker.exists(), "{run}");
});

/// Flips the link `up` between a deep directory of the jail's and a shallow one, for
/// the number of seconds given or until a file `stop` appears: `up/../../x` leads into
/// the jail's directory one moment and out of it the next.
const FLIPPER: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    time_t end = time(0) + atoi(argv[1]);
    for (long n = 0; time(0) < end; n++) {
        if (n % 1024 == 0 && access("stop", F_OK) == 0)
            break;
        unlink("t1"); symlink("a/b/c/d", "t1"); rename("t1", "up");
        unlink("t2"); symlink("a", "t2"); rename("t2", "up");
    }
    return 0;
}
"#;

// 24 (review). A link a jail made that leads where jails wrote is followed — but the
// look at where it leads and the walk that follows it were separate: a jail swapping a
// link on the way between them (`key -> up/../../.ssh/id`, `up` flipping between
// `a/b/c/d` and `a`) had the walk climb out of its directory into the user's, and the
// user's `cat out/key` showed the real key (10 tries or fewer). Where a walk that
// followed such a link ends is now looked at by descriptor.
both!(
    item_24_a_jails_link_swapped_while_it_is_followed_leads_nowhere_else,
    |t: &T| {
        t.mkdir("home/.ssh");
        t.write("home/.ssh/id", "REAL KEY\n");
        t.compile("flip", FLIPPER);
        let home = t.path("home");
        let env = [("HOME", home.as_path())];
        let plant = "cd ~ && mkdir => out && cd out && sh -c 'mkdir -p a/b/c/d a/b/.ssh && echo decoy > a/b/.ssh/id && ln -s a/b/c/d up && ln -s up/../../.ssh/id key' + => .";
        pola_sh_with(t, plant, &env).success();
        let flip = format!("cd ~/out && {} 60 + => .", t.path("flip").display());
        let mut flipper = {
            let mut cmd = t.command(pola_tests::pola_sh(), &["-c", &flip]);
            cmd.env("HOME", &home).stdout(std::process::Stdio::null());
            cmd.spawn().expect("start the flipper")
        };
        // Without the protection: a plain process following the same path reaches the key
        // (given time: a loaded machine may take a while to start the flipper's jail).
        let start = std::time::Instant::now();
        let mut plain = false;
        while !plain && start.elapsed() < std::time::Duration::from_secs(20) {
            plain = fs::read_to_string(home.join("out/key")).is_ok_and(|k| k.contains("REAL"));
        }
        let stop = |flipper: &mut std::process::Child| {
            pola_sh_with(t, "cd ~/out && touch => stop", &env).success();
            let _ = flipper.wait();
        };
        if !plain {
            stop(&mut flipper);
        }
        assert!(plain, "the flipping link leads to the real key at times");
        for _ in 0..60 {
            let run = pola_sh_with(t, "cd ~ && cat out/key", &env);
            assert!(!run.stdout.contains("REAL"), "{run}");
        }
        stop(&mut flipper);
    }
);

// 27 (trial). A file a jail could have written, sourced, ran its commands with the
// user's authority: `. v/activate` after a jail had `=> v` (a package installed with
// `pip install … + => .venv` rewrites `bin/activate`) defined `alias ls='!!…'`, and the
// next `ls` ran the jail's command unconfined. Such a file is refused (a venv's
// `activate` is done by pola-sh's own text), unless the user vouches with `!!.`.
both!(
    item_27_a_file_a_jail_could_write_is_not_sourced_with_the_users_authority,
    |t: &T| {
        let dir = t.mkdir("w");
        let pwned = t.path("PWNED");
        let plant = format!(
            "cd {} && mkdir => v && sh -c 'printf \"%s\\n\" \"$1\" > v/activate' sh 'alias ls=\"!!touch {}\"' + => v",
            dir.display(),
            pwned.display()
        );
        sh(t, &plant).success();
        let run = sh(t, &format!("cd {} && . v/activate\nls", dir.display()));
        assert!(!pwned.exists(), "{run}");
        assert!(
            run.stderr
                .contains(".: v/activate: a jail could have written this file"),
            "{run}"
        );
        // Sourced as any shell sources it (here: vouched for with `!!.`, after the
        // refusal: a vouch is remembered), the jail's alias runs unconfined.
        let run = sh(t, &format!("cd {} && !!. v/activate\nls", dir.display()));
        assert!(run.ok() && pwned.exists(), "{run}");
        fs::remove_file(&pwned).unwrap();
        // The user's own file is sourced as always.
        t.write("own.sh", "echo own-sourced\n");
        let run = sh(t, &format!(". {}", t.path("own.sh").display()));
        assert_eq!(run.success(), "own-sourced\n");
        // A file a jail was given to write (a slot: `=> env.sh`), not a directory
        // (review): vouched for, it runs; not, it is refused.
        let slot = format!(
            "cd {} && sh -c 'echo echo RAN-slot > env.sh' + => env.sh",
            dir.display()
        );
        sh(t, &slot).success();
        let run = sh(t, &format!("cd {} && . env.sh", dir.display()));
        assert!(!run.ok() && !run.stdout.contains("RAN"), "{run}");
        let run = sh(t, &format!("cd {} && !!. env.sh", dir.display()));
        assert_eq!(run.success(), "RAN-slot\n");
        // A slot that was the user's link (a dotfiles layout), which the jail replaced
        // by a file of its own: that file is the jail's (it was sourced as the user's;
        // security review). The link itself, while it is there, is the user's.
        t.write("dots/tool.sh", "echo RAN-user\n");
        sh(
            t,
            &format!("cd {} && !!ln -s ../dots/tool.sh tool.sh", dir.display()),
        )
        .success();
        let run = sh(t, &format!("cd {} && . tool.sh", dir.display()));
        assert_eq!(run.success(), "RAN-user\n");
        let replace = format!(
            "cd {} && sh -c 'echo echo RAN-jail > .new && mv .new tool.sh' + => tool.sh",
            dir.display()
        );
        sh(t, &replace).success();
        let run = sh(t, &format!("cd {} && . tool.sh", dir.display()));
        assert!(!run.ok() && !run.stdout.contains("RAN"), "{run}");
        let run = sh(t, &format!("cd {} && !!. tool.sh", dir.display()));
        assert_eq!(run.success(), "RAN-jail\n", "the jail's file is there");
    }
);

// 27, 30 (carried finding). A jailed command's output run as shell text kept the power
// of `!!`: `eval "$(tool init)"` or `. <(tool completion)` ran whatever unconfined
// command the jail printed, also through a function, trap or alias the text set. Such
// text now runs without `!!`; `!!eval` and `!!.` vouch for it.
both!(
    item_27_a_jails_output_run_as_shell_text_cannot_run_unconfined,
    |t: &T| {
        let pwned = t.path("PWNED");
        // The jail's output: a jailed program printing a `!!` line.
        let out = format!("/usr/bin/printf '%s\\n' '!!touch {}'", pwned.display());
        // Vouched for, as any shell runs such text: the jail's command runs unconfined.
        for vouched in [format!("!!eval \"$({out})\""), format!("!!. <({out})")] {
            let run = sh(t, &vouched);
            assert!(run.ok() && pwned.exists(), "{vouched}: {run}");
            fs::remove_file(&pwned).unwrap();
        }
        let cases = [
            format!("eval \"$({out})\""),
            format!("x=$({out}); eval \"$x\""),
            format!(". <({out})"),
            format!("{out} | . /dev/stdin"),
            format!("eval \"f() {{ $({out}); }}\"; f"),
            format!("eval \"trap '$({out})' EXIT\""),
            format!("eval \"alias zz='$({out})'\"\nzz"),
            format!("eval \"echo \\$($({out}))\""),
            // Found by a review: a here-document's body in such text; an array's
            // text read again by `declare -a`; an alias that reads whole only
            // inside the user's own `if`.
            format!("eval \"cat <<E\n\\$($({out}))\nE\""),
            format!("declare -a a=\"(\\$($({out})))\"; declare -a b=\"($(/usr/bin/printf '%s' '$(!!touch {p})'))\"", p = pwned.display()),
            format!("eval \"alias zz='true; fi; $({out}); if true; then true'\"\nif true; then zz; fi"),
        ];
        for case in &cases {
            let run = sh(t, case);
            assert!(!pwned.exists(), "{case}: {run}");
            // `declare -a` falls back to a plain value, quietly, as for any text
            // that does not read as an array.
            assert!(
                case.starts_with("declare")
                    || run
                        .stderr
                        .contains("refused: this text holds a command's output"),
                "{case}: {run}"
            );
        }
        // The script's own `!!`, and its trap's and alias's, still run.
        let own = format!(
            "alias up='!!touch {p}.alias'\nup; trap '!!touch {p}.trap' EXIT; !!touch {p}",
            p = pwned.display()
        );
        let run = sh(t, &own);
        for made in ["", ".alias", ".trap"] {
            let path = format!("{}{made}", pwned.display());
            assert!(std::path::Path::new(&path).exists(), "{path}: {run}");
            fs::remove_file(&path).unwrap();
        }
        // The user's own trap, firing while an `eval` runs, is the user's text still.
        let own = format!(
            "trap '!!touch {p}.usr1' USR1; eval 'kill -USR1 $$; :'; trap '!!touch {p}.err' ERR; eval false; true",
            p = pwned.display()
        );
        let run = sh(t, &own);
        for made in [".usr1", ".err"] {
            let path = format!("{}{made}", pwned.display());
            assert!(std::path::Path::new(&path).exists(), "{path}: {run}");
        }
        // `. /dev/stdin` reads standard input, as in bash (it said "no such file").
        let run = sh(t, "/usr/bin/printf 'echo sourced\\n' | . /dev/stdin");
        assert_eq!(run.success(), "sourced\n");
        // Text without `!!` runs as before: `eval "$(dircolors -b)"`'s kind.
        let run = sh(
            t,
            "eval \"$(/usr/bin/printf 'A=1; export A; echo set $A')\"; echo \"A=$A\"",
        );
        assert_eq!(run.success(), "set 1\nA=1\n");
    }
);

// 27, 30 (carried finding, HIGH). Refusing `!!` in a jail's output run as shell text
// was no boundary: the text kept the script's authority. It could write the user's
// files with the shell's redirections (`echo '!!cmd' >> ~/.profile`), give a file to
// write (`=>`), call the user's own `!!` functions, leave a function, trap or alias that
// does any of it later, and export `LD_PRELOAD` or `HOME` for the user's next `!!`
// command. Such text, and what it defines, now writes no file but `/dev/null`, grants
// nothing to write, sets no alias beyond a plain command, and leaves those variables.
both!(
    item_27_text_a_jail_made_cannot_write_the_users_files_or_steer_later_commands,
    |t: &T| {
        let rc = t.write("rc", "ORIGINAL\n");
        let pwned = t.path("PWNED");
        let v = t.dir().display().to_string();
        // The jail's output: a jailed `cat` of a file holding the text.
        let made = |name: &str, text: &str| {
            t.write(name, &format!("{text}\n"));
            format!("\"$(/usr/bin/cat {v}/{name})\"")
        };
        let user_fn = format!("s() {{ !!touch {}; }}\n", pwned.display());
        // Vouched for, as any shell runs such text: the jail's text writes the user's
        // file and runs the user's unconfined function.
        let write = made("w.txt", &format!("echo '!!evil' >> {v}/rc"));
        sh(t, &format!("!!eval {write}")).success();
        assert_eq!(fs::read_to_string(&rc).unwrap(), "ORIGINAL\n!!evil\n");
        fs::write(&rc, "ORIGINAL\n").unwrap();
        let call = made("s.txt", "s");
        sh(t, &format!("{user_fn}!!eval {call}")).success();
        assert!(pwned.exists());
        fs::remove_file(&pwned).unwrap();
        // Vouched for, an alias the text sets reaches the user's own `!!` alias.
        let chain = made("ap.txt", &format!("alias ls='please {}'", pwned.display()));
        sh(
            t,
            &format!("alias please='!!/usr/bin/touch'\n!!eval {chain}\nls"),
        )
        .success();
        assert!(pwned.exists());
        fs::remove_file(&pwned).unwrap();
        let cases = [
            format!("eval {write}"),
            format!(". <(/usr/bin/cat {v}/w.txt)"),
            format!(
                "eval {}",
                made("x.txt", &format!("exec 3>>{v}/rc; echo '!!evil' >&3"))
            ),
            format!(
                "eval {}",
                made("rw.txt", &format!("echo '!!evil' 1<>{v}/rc"))
            ),
            format!(
                "eval {}",
                made("f.txt", &format!("f() {{ echo '!!evil' >> {v}/rc; }}"))
            ) + "; f",
            format!(
                "eval {}",
                made("t.txt", &format!("trap \"echo '!!evil' >> {v}/rc\" EXIT"))
            ),
            format!(
                "eval {}",
                made("a.txt", &format!("alias ls=\"echo '!!evil' >> {v}/rc\""))
            ) + "\nls",
            format!("eval {}", made("c.txt", &format!("cp {v}/w.txt => {v}/rc"))),
            format!("{user_fn}eval {call}"),
            format!("{user_fn}eval {}", made("g.txt", "g() { s; }")) + "; g",
            format!("{user_fn}eval {}", made("as.txt", "alias ss=s")) + "\nss",
            format!("{user_fn}eval {}", made("ts.txt", "trap s EXIT")),
            // Found by a review: an alias that reaches the user's own `!!` alias, or a
            // function the user defines later; a prompt's `$(...)`.
            format!("alias please='!!/usr/bin/touch'\neval {chain}\nls"),
            format!(
                "eval {}",
                made("al.txt", &format!("alias ls='s {}'", pwned.display()))
            ) + "\ns() { !!/usr/bin/touch \"$@\"; }\nls",
        ];
        for case in &cases {
            let run = sh(t, case);
            assert_eq!(
                fs::read_to_string(&rc).unwrap(),
                "ORIGINAL\n",
                "{case}: {run}"
            );
            assert!(!pwned.exists(), "{case}: {run}");
            assert!(run.stderr.contains("refused"), "{case}: {run}");
        }
        // An alias's plain words granted a secret to the user's later command (review).
        let secret = t.write("home/.ssh/id_rsa", "SECRET\n");
        let shared = t.mkdir("shared");
        let run = sh(
            t,
            &format!(
                "eval {}\ncp {v}/rc => {}/",
                made("ac.txt", &format!("alias cp='cp {}'", secret.display())),
                shared.display()
            ),
        );
        assert!(!shared.join("id_rsa").exists(), "{run}");
        assert!(run.stderr.contains("alias cp: refused"), "{run}");
        // A prompt set by such text runs as such text (review).
        let ps1 = made("ps.txt", &format!("PS1='$(s)$(echo evil >> {v}/rc)> '"));
        let script = t.write("ps1.sh", &format!("{user_fn}eval {ps1}\necho next\nexit\n"));
        let mut cmd = t.command(pola_tests::pola_sh(), &["-i", "--norc"]);
        cmd.stdin(fs::File::open(&script).unwrap());
        let run = t.output(cmd);
        assert!(run.stdout.contains("next"), "{run}");
        assert_eq!(fs::read_to_string(&rc).unwrap(), "ORIGINAL\n", "{run}");
        assert!(!pwned.exists(), "{run}");
        // A name reference, an attribute: a guarded name all the same (review).
        let nr = made(
            "nr.txt",
            "X=/tmp/evil; declare -n HOME=X; export LD_PRELOAD; declare -n LD_PRELOAD=X",
        );
        let run = sh(t, &format!("!!eval {nr}; echo ~"));
        assert_eq!(run.success(), "/tmp/evil\n");
        let run = sh(t, &format!("eval {nr}; echo ~; !!/usr/bin/env"));
        assert!(
            !run.stdout.contains("/tmp/evil") && !run.stdout.contains("LD_PRELOAD="),
            "{run}"
        );
        // `PATH` gains no directory a jail was given to write: the user's `!!git`
        // would start the `ssh` a jail left there (review). Vouched for, it does.
        let proj = t.mkdir("proj/bin");
        sh(t, &format!("/usr/bin/true + => {}", proj.display())).success();
        let path = made("path.txt", &format!("PATH={}:$PATH", proj.display()));
        let run = sh(t, &format!("eval {path}; echo \"$PATH\""));
        assert!(!run.stdout.contains(&proj.display().to_string()), "{run}");
        assert!(
            run.stderr
                .contains("a jail could have written programs there"),
            "{run}"
        );
        let run = sh(t, &format!("!!eval {path}; echo \"$PATH\""));
        assert!(run.stdout.starts_with(&proj.display().to_string()), "{run}");
        // The script's own text through eval is the script's: it writes files, sets
        // what it likes and runs its own `!!`.
        let log = t.path("own.log");
        let run = sh(
            t,
            &format!(
                "fd=4; log={l}; eval \"exec $fd>\\\"$log\\\"\"; echo one >&4\ncmd='echo two'; eval \"$cmd >> $log\"\neval 'export EDITOR=vi'; echo \"$EDITOR\"\nmine() {{ !!/usr/bin/touch {p}; }}; eval mine\ntmp=$(mktemp); eval \"trap 'rm -f $tmp; echo removed' EXIT\"",
                l = log.display(),
                p = pwned.display()
            ),
        );
        assert_eq!(run.success(), "vi\nremoved\n");
        assert_eq!(fs::read_to_string(&log).unwrap(), "one\ntwo\n");
        assert!(pwned.exists());
        fs::remove_file(&pwned).unwrap();
        // Text a command made, however it reached eval's words, is not.
        let out = format!("/usr/bin/printf '%s' 'echo evil >> {v}/rc'");
        std::os::unix::fs::symlink(t.path("real.sh"), t.path("link.sh")).unwrap();
        for reach in [
            // A third review's: written through a link, sourced by its target.
            format!("x=$({out}); echo \"$x\" > {v}/link.sh; . {v}/real.sh"),
            format!("x=$({out}); y=\"$x\"; eval \"$y\""),
            format!("set -- \"$({out})\"; eval \"$1\""),
            format!("{out} | {{ read -r l; eval \"$l\"; }}"),
            format!("for c in \"$({out})\"; do eval \"$c\"; done"),
            format!("printf -v z '%s' \"$({out})\"; eval \"$z\""),
            format!("export w=\"$({out})\"; eval \"$w\""),
            format!("x=$({out}); q=$(echo \"$x\"); eval \"$q\""),
            format!("f() {{ eval \"$1\"; }}; f \"$({out})\""),
            // Laundering tried: printed back by the shell, appended to, defaulted.
            format!("x=$({out}); eval \"$(declare -p x)\"; eval \"$x\""),
            format!("x=$({out}); x+=' '; eval \"$x\""),
            format!(": ${{z:=$({out})}}; eval \"$z\""),
            format!("set -- -a \"$({out})\"; getopts a: o; eval \"$OPTARG\""),
            format!("a=(\"$({out})\"); a+=(b); eval \"${{a[0]}}\""),
            // A second review's: an array's text read again, the shell's own
            // redirection of such text then `.`, a match, `select`.
            format!("x=$(/usr/bin/printf '%s' '($(echo evil >> {v}/rc))'); declare -a a=\"$x\""),
            format!("x=$({out}); echo \"$x\" > {v}/s.sh; . {v}/s.sh"),
            format!("x=$({out}); {{ printf '%s\\n' \"$x\"; }} > {v}/s2.sh; . {v}/s2.sh"),
            format!("x=$({out}); declare -p x > {v}/c.sh; . {v}/c.sh; eval \"$x\""),
            format!("x=$({out}); [[ $x =~ (.*) ]]; eval \"${{BASH_REMATCH[1]}}\""),
            format!("x=$({out}); select s in \"$x\"; do eval \"$s\"; break; done <<< 1"),
        ] {
            let run = sh(t, &reach);
            assert_eq!(
                fs::read_to_string(&rc).unwrap(),
                "ORIGINAL\n",
                "{reach}: {run}"
            );
            assert!(run.stderr.contains("refused"), "{reach}: {run}");
        }
        // A reference to a guarded name, which a plain assignment would then set.
        let run = sh(
            t,
            &format!(
                "eval {}; out=/tmp/evil; !!/usr/bin/env",
                made("ref.txt", "declare -n out=EDITOR")
            ),
        );
        assert!(!run.stdout.contains("EDITOR=/tmp/evil"), "{run}");
        assert!(run.stderr.contains("EDITOR: refused"), "{run}");
        // A startup file a command's output was written to runs as such text at the
        // next login (third review); vouched for, it ran as the user's.
        let home = t.mkdir("home");
        let login = |script: &str| {
            let mut cmd = t.command(pola_tests::pola_sh(), &["-l", "-c", script]);
            cmd.env("HOME", &home);
            t.output(cmd)
        };
        let write = format!("x=$({out}); echo \"$x\" >> ~/.profile");
        pola_sh_with(t, &write, &[("HOME", &home)]).success();
        let run = login("echo ran");
        assert_eq!(run.stdout, "ran\n", "{run}");
        assert_eq!(fs::read_to_string(&rc).unwrap(), "ORIGINAL\n", "{run}");
        assert!(
            run.stderr.contains("a command's output was written here"),
            "{run}"
        );
        // Vouched for (after the check: a vouch is remembered), it runs as the user's,
        // and that text is the user's at later logins too.
        let run = login("!!. ~/.profile");
        assert_eq!(
            fs::read_to_string(&rc).unwrap(),
            "ORIGINAL\nevil\n",
            "{run}"
        );
        fs::write(&rc, "ORIGINAL\n").unwrap();
        let run = login("echo ran");
        assert_eq!(run.stdout, "ran\n", "{run}");
        assert_eq!(
            fs::read_to_string(&rc).unwrap(),
            "ORIGINAL\nevil\n",
            "{run}"
        );
        fs::write(&rc, "ORIGINAL\n").unwrap();
        // Given by name to a jail, a startup file is the jail's (fourth review).
        pola_sh_with(
            t,
            &format!("/bin/sh -c 'echo \"echo evil >> {v}/rc\" >> ~/.profile' => ~/.profile"),
            &[("HOME", &home)],
        )
        .success();
        let run = login("echo ran");
        assert_eq!(fs::read_to_string(&rc).unwrap(), "ORIGINAL\n", "{run}");
        assert!(
            run.stderr.contains("a jail was given this file to write"),
            "{run}"
        );
        // Names a jail chose, printed back by the shell: the directory stack, `cd -`,
        // a `mktemp` in such a directory (fourth review).
        let dirs = t.mkdir("dirs");
        fs::create_dir(dirs.join("x\n!!touch pwn-d\n")).unwrap();
        fs::create_dir(dirs.join("m\n!!touch pwn-m\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(
            dirs.join("m\n!!touch pwn-m\n"),
            fs::Permissions::from_mode(0o777),
        )
        .unwrap();
        for case in [
            "cd x*; cd ..; eval \"$(cd -)\"",
            &format!(
                "pushd x* >/dev/null; pushd .. >/dev/null; popd > {v}/stack.sh; . {v}/stack.sh"
            ),
            "for d in m*; do TMPDIR=$PWD/$d; done; x=$(mktemp); eval \"$x\"",
        ] {
            let run = sh(t, &format!("cd {} && {case}", dirs.display()));
            assert!(run.stderr.contains("'!!' refused"), "{case}: {run}");
        }
        for pwn in ["pwn-d", "pwn-m"] {
            assert!(!dirs.join(pwn).exists() && !t.path(pwn).exists(), "{pwn}");
        }
        // A `<(list)` of the script's own text is the script's; one holding a command's
        // output is not.
        let run = sh(t, ". <(echo 'export EDITOR=vi'); echo \"$EDITOR\"");
        assert_eq!(run.success(), "vi\n");
        let run = sh(t, &format!("x=$({out}); . <(echo \"$x\")"));
        assert_eq!(fs::read_to_string(&rc).unwrap(), "ORIGINAL\n", "{run}");
        assert!(run.stderr.contains("refused"), "{run}");
        // The user's own text through the system's `cat` is the user's; a here-document
        // holding a command's output is not.
        let run = sh(
            t,
            &format!("cat > {v}/env.sh <<'E'\nexport EDITOR=vi\nE\n. {v}/env.sh; echo \"$EDITOR\""),
        );
        assert_eq!(run.success(), "vi\n");
        let run = sh(
            t,
            &format!("cat > {v}/env2.sh <<E\n$({out})\nE\n. {v}/env2.sh"),
        );
        assert_eq!(fs::read_to_string(&rc).unwrap(), "ORIGINAL\n", "{run}");
        assert!(run.stderr.contains("refused"), "{run}");
        // A login variable handed to every jail by such text (review); the user's own
        // `export` hands it.
        let token = std::path::Path::new("t0k-secret");
        let tok = made("tok.txt", "export TOKEN");
        let run = pola_sh_with(t, &format!("eval {tok}; /usr/bin/env"), &[("TOKEN", token)]);
        assert!(!run.stdout.contains("t0k-secret"), "{run}");
        assert!(run.stderr.contains("TOKEN: refused"), "{run}");
        let run = pola_sh_with(t, "export TOKEN; /usr/bin/env", &[("TOKEN", token)]);
        assert!(run.stdout.contains("TOKEN=t0k-secret"), "{run}");
        // A name such text chose is refused where it would be in such text.
        for set in [
            "x=$(/usr/bin/printf '%s' 'export LD_PRELOAD=/tmp/evil.so'); $x",
            "x=$(/usr/bin/printf LD_PRELOAD); printf -v \"$x\" %s /tmp/evil.so",
            "export $(/usr/bin/printf 'LD_PRELOAD=/tmp/evil.so')",
        ] {
            let run = sh(t, &format!("{set}; !!/usr/bin/env"));
            assert!(!run.stdout.contains("LD_PRELOAD"), "{set}: {run}");
            assert!(run.stderr.contains("LD_PRELOAD: refused"), "{set}: {run}");
        }
        // A profile's network: the text's commands would carry out what others read.
        t.write("config/pola-sh/profiles/head", "net\n");
        let host = fs::read_to_string("/proc/net/dev").unwrap();
        let config = t.path("config");
        let with_profile = |script: &str| pola_sh_with(t, script, &[("XDG_CONFIG_HOME", &config)]);
        let own = with_profile("head -c 8000 /proc/net/dev");
        assert_eq!(own.success().lines().count(), host.lines().count(), "{own}");
        let run = with_profile(&format!(
            "eval {}",
            made("n.txt", "head -c 8000 /proc/net/dev")
        ));
        assert!(
            !run.ok()
                && run.stdout.is_empty()
                && run
                    .stderr
                    .contains("head: the network (its profile's): refused"),
            "{run}"
        );
        // Variables that steer the user's later commands, unconfined ones above all.
        for name in [
            "LD_PRELOAD",
            "HOME",
            "GIT_SSH_COMMAND",
            "PAGER",
            "XDG_STATE_HOME",
            "HISTFILE",
        ] {
            let set = made("v.txt", &format!("export {name}={v}/planted"));
            let run = sh(t, &format!("eval {set}; !!/usr/bin/env"));
            assert!(
                !run.stdout.contains(&format!("{name}={v}/planted")),
                "{name}: {run}"
            );
            assert!(
                run.stderr.contains(&format!("{name}: refused")),
                "{name}: {run}"
            );
            // The user's own, or vouched for: set.
            let run = sh(t, &format!("!!eval {set}; !!/usr/bin/env"));
            assert!(
                run.stdout.contains(&format!("{name}={v}/planted")),
                "{name}: {run}"
            );
        }
        // What such text is for keeps working: exports of PATH and its own variables,
        // functions run with the user's words, output to /dev/null, a
        // trap ignored and reset, the user's own function without `!!`.
        let init = made(
            "init.txt",
            "export PATH=\"/nonexistent:$PATH\"; export TOOL_SHELL=pola\ntool() { local c=${1:-}; shift; command /usr/bin/printf '%s:%s\\n' \"$c\" \"$*\" 2>/dev/null; }\n_hook() { trap -- '' INT; echo hook >/dev/null; trap - INT; }",
        );
        let run = sh(
            t,
            &format!("say() {{ echo said \"$@\"; }}\neval {init}\n_hook; tool run a b; echo \"${{PATH%%:*}} $TOOL_SHELL\"; eval {}", made("say.txt", "say hi")),
        );
        assert_eq!(run.success(), "run:a b\n/nonexistent pola\nsaid hi\n");
        assert_eq!(fs::read_to_string(&rc).unwrap(), "ORIGINAL\n");
    }
);

// 27, 30 (security review). A file a jail wrote through a redirection the shell made
// (`tool completion > f`) was the user's to `.`: a `!!` line the jail printed into it
// ran unconfined, also from a later shell. Its text is the jail's output now, run as
// `eval` runs a command's output: without `!!`, unless the user vouches with `!!.`.
both!(
    item_27_a_file_a_jail_wrote_through_a_redirection_runs_without_unconfined,
    |t: &T| {
        let dir = t.mkdir("w");
        let cd = format!("cd {} && ", dir.display());
        let pwned = t.path("PWNED");
        let out = format!("/usr/bin/printf '%s\\n' '!!touch {}'", pwned.display());
        // Vouched for, as any shell sources it: the jail's line runs unconfined.
        sh(t, &format!("{cd}{out} > gen.sh")).success();
        let run = sh(t, &format!("{cd}!!. ./gen.sh"));
        assert!(run.ok() && pwned.exists(), "{run}");
        fs::remove_file(&pwned).unwrap();
        let ways = [
            format!("{out} > gen1.sh"),
            format!("{out} >> gen2.sh"),
            format!("{out} 2> gen3.sh 1>&2"),
            format!("{{ {out}; }} > gen4.sh"),
            format!("exec 3> gen5.sh; {out} >&3"),
        ];
        for (i, way) in ways.iter().enumerate() {
            sh(t, &format!("{cd}{way}")).success();
            // A later shell: the record says so.
            let run = sh(t, &format!("{cd}. ./gen{}.sh", i + 1));
            assert!(!pwned.exists(), "{way}: {run}");
            assert!(
                run.stderr
                    .contains("'!!' refused: this text holds a command's output"),
                "{way}: {run}"
            );
        }
        // Such a file without `!!` runs (`cat > env.sh <<EOF`), and what the shell
        // itself wrote is the user's, `!!` and all.
        let run = sh(
            t,
            &format!("{cd}cat > env.sh <<'E'\nexport X=1\nE\n. ./env.sh; echo \"X=$X\""),
        );
        assert_eq!(run.success(), "X=1\n");
        let own = format!(
            "{cd}echo '!!touch {}' > own.sh; . ./own.sh",
            pwned.display()
        );
        sh(t, &own).success();
        assert!(pwned.exists());
    }
);

// 27 (new-user trial). A directory once granted writable (`make + => .`) made every
// file below it a jail's for good: a script the user wrote later in a directory made
// outside any jail (`~/trial/fresh/build.sh`) was refused by `.` and needed `!!.`. A
// file born after every jail that could write had ended, while none runs, in a
// directory born after too, is the user's. Refused still: the jail's own file; a file
// in a directory a jail had, even rewritten as a new file outside any jail (it may
// carry what the jail wrote there: security review); one in a directory made while a
// jail that may write runs; one of a window whose shell is alive.
both!(
    item_27_a_file_born_after_every_writing_jail_ended_is_the_users,
    |t: &T| {
        let dir = t.mkdir("w");
        let cd = format!("cd {} && ", dir.display());
        t.write("w/env.sh", "echo RAN-user\n");
        sh(
            t,
            &format!(
                "{cd}sh -c 'echo echo RAN-jail > jail.sh; echo echo INJECTED >> env.sh' + => ."
            ),
        )
        .success();
        // Born later, on the host, in a directory made later: the user's (birth times
        // are the kernel's coarse clock, a tick behind at most).
        std::thread::sleep(std::time::Duration::from_millis(20));
        t.write("w/fresh/sub/host.sh", "echo RAN-host\n");
        let run = sh(t, &format!("{cd}. ./fresh/sub/host.sh"));
        assert_eq!(run.success(), "RAN-host\n");
        // The jail's own file: refused, whatever its times say.
        sh(t, &format!("{cd}touch -d 2099-01-01 => jail.sh")).success();
        let run = sh(t, &format!("{cd}. ./jail.sh"));
        assert!(!run.ok() && !run.stdout.contains("RAN"), "{run}");
        assert!(
            run.stderr.contains("a jail could have written this file"),
            "{run}"
        );
        // The user's file the jail added to, rewritten outside any jail as a new file
        // (`sed -i`, an editor saving by rename): refused, as the jail's text is in it.
        let text = fs::read_to_string(t.path("w/env.sh")).unwrap();
        fs::write(
            t.path("w/.env.sh.new"),
            text.replace("RAN-user", "RAN-user-edited"),
        )
        .unwrap();
        fs::rename(t.path("w/.env.sh.new"), t.path("w/env.sh")).unwrap();
        // Sourced as any shell sources it (vouched for with `!!.`), the jail's line runs.
        let run = sh(t, &format!("{cd}!!. ./env.sh"));
        assert!(run.stdout.contains("INJECTED"), "{run}");
        // That text is the user's from then on (`planted::record_vouched`)…
        let run = sh(t, &format!("{cd}. ./env.sh"));
        assert_eq!(run.success(), "RAN-user-edited\nINJECTED\n");
        // …until a jail writes anything else there.
        let again = "cat env.sh > .t && echo echo AGAIN >> .t && mv .t env.sh";
        sh(t, &format!("{cd}sh -c '{again}' + => .")).success();
        let run = sh(t, &format!("{cd}. ./env.sh"));
        assert!(!run.ok() && !run.stdout.contains("RAN"), "{run}");
        // A directory made while a jail that may write runs: refused; one made once it
        // has ended: the user's. (Written by a program outside the jail: what the
        // shell writes itself is the user's text wherever it is.)
        let script = format!(
            "cd {}\nsh -c 'sleep 1' + => . &\nsleep 0.4\n!!mkdir during\n!!sh -c 'echo echo RAN-during > during/x.sh'\n. ./during/x.sh\nwait\nsleep 0.05\n!!mkdir after\n!!sh -c 'echo echo RAN-after > after/x.sh'\n. ./after/x.sh",
            dir.display()
        );
        let run = sh(t, &script);
        assert!(!run.stdout.contains("RAN-during"), "{run}");
        assert!(
            run.stderr
                .contains(".: ./during/x.sh: a jail could have written this file"),
            "{run}"
        );
        assert!(run.stdout.contains("RAN-after"), "{run}");
        // A window the record holds open: its shell alive (this test's process), the
        // file is refused; its shell gone (the same pid, another start time), the
        // window is shut as found and the file is the user's.
        use std::os::unix::fs::MetadataExt;
        let machine = fs::read_to_string("/etc/machine-id").unwrap_or_default();
        let boot = fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
        let ns = fs::metadata("/proc/self/ns/pid").unwrap().ino();
        let stat = fs::read_to_string("/proc/self/stat").unwrap();
        let start: u64 = stat[stat.rfind(')').unwrap() + 1..]
            .split_whitespace()
            .nth(19)
            .unwrap()
            .parse()
            .unwrap();
        let windows = t.state_home().join("pola-sh/windows");
        let key = |start: u64, n: u32| {
            format!(
                "{}:{}:{ns}:{}:{start}:{n}",
                machine.trim(),
                boot.trim(),
                std::process::id()
            )
        };
        let open = |start: u64, n: u32| {
            fs::write(windows.join(format!("open.{}", key(start, n))), "").unwrap();
        };
        open(start, 0);
        std::thread::sleep(std::time::Duration::from_millis(20));
        t.write("w/later/x.sh", "echo RAN-later\n");
        let run = sh(t, &format!("{cd}. ./later/x.sh"));
        assert!(!run.stdout.contains("RAN-later"), "{run}");
        // Shut by hand (long ago), as its shell would have.
        fs::remove_file(windows.join(format!("open.{}", key(start, 0)))).unwrap();
        fs::write(windows.join("shut.1"), "").unwrap();
        let run = sh(t, &format!("{cd}. ./later/x.sh"));
        assert_eq!(run.success(), "RAN-later\n");
        if !machine.trim().is_empty() {
            open(start + 1, 1);
            std::thread::sleep(std::time::Duration::from_millis(20));
            t.write("w/gone/x.sh", "echo RAN-gone\n");
            let run = sh(t, &format!("{cd}. ./gone/x.sh"));
            assert!(
                !run.stdout.contains("RAN-gone"),
                "born before the window was found shut: {run}"
            );
            assert!(!windows.join(format!("open.{}", key(start + 1, 1))).exists());
            std::thread::sleep(std::time::Duration::from_millis(20));
            t.write("w/gone2/x.sh", "echo RAN-gone\n");
            let run = sh(t, &format!("{cd}. ./gone2/x.sh"));
            assert_eq!(run.success(), "RAN-gone\n");
        }
    }
);

/// Renames `x.sh` away and back in the directory given, until a file `stop` appears.
const RENAMER: &str = r#"
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (chdir(argv[1]) != 0) return 1;
    for (long i = 0;; i++) {
        rename("x.sh", ".h");
        rename(".h", "x.sh");
        if (!(i & 0xffff) && access("stop", F_OK) == 0) return 0;
    }
}
"#;

// 27 (review of the vouched text). A jail given pola-sh's record by name (`=>
// ~/.local/state/pola-sh/written`; pola-sh's other files by name are the user's
// choice) could append a line vouching for its own text, which `.` then ran as the
// user's. The record is never given to a jail to write, by name or as a redirection's
// file: the command is refused.
both!(item_27_the_record_is_never_a_jails_to_write, |t: &T| {
    let record = t.state_home().join("pola-sh/written");
    // Made by a first jail given something to write.
    sh(
        t,
        &format!("cd {} && touch => made.txt", t.path("").display()),
    )
    .success();
    let before = fs::read_to_string(&record).unwrap();
    // Unconfined, a command appends to it as to any of the user's files.
    let append = format!(
        "echo vouched-forged | !!tee -a {} > /dev/null",
        record.display()
    );
    sh(t, &append).success();
    assert!(fs::read_to_string(&record)
        .unwrap()
        .contains("vouched-forged"));
    fs::write(&record, &before).unwrap();
    // Given to a jail by name, or its directory: refused, the record as it was.
    for grant in [record.clone(), record.parent().unwrap().to_path_buf()] {
        let line = format!(
            "echo vouched-forged | tee -a => {} > /dev/null",
            grant.display()
        );
        let run = sh(t, &line);
        assert!(!run.ok(), "{run}");
        assert!(run.stderr.contains("no jail is given to write"), "{run}");
        assert_eq!(fs::read_to_string(&record).unwrap(), before, "{run}");
    }
    // Nor handed open by the shell's redirection, the jail's output appended there.
    let line = format!("echo vouched-forged | cat >> {}", record.display());
    let run = sh(t, &line);
    assert!(!run.ok(), "{run}");
    assert!(run.stderr.contains("no jail is given to write"), "{run}");
    assert_eq!(fs::read_to_string(&record).unwrap(), before, "{run}");
});

// 27 (the last notes' list). A file a jail was given by name (`vim => env.sh`; here
// `tee`) was refused by `.` for good: `!!.` every time. The text the user ran with
// `!!.` is now the user's at that name, in later shells too; another text there (the
// jail's next), or that text at another name a jail had, is refused.
both!(
    item_27_a_text_run_with_bang_bang_dot_is_the_users_until_it_changes,
    |t: &T| {
        let dir = t.mkdir("e");
        let cd = format!("cd {} && ", dir.display());
        sh(
            t,
            &format!("{cd}echo 'echo RAN-v1' | tee => env.sh > /dev/null"),
        )
        .success();
        // The attack's way: a jail's text, sourced, would run as the user's. Refused.
        let run = sh(t, &format!("{cd}. ./env.sh"));
        assert!(!run.ok() && !run.stdout.contains("RAN"), "{run}");
        assert!(
            run.stderr
                .contains("a jail could have written this file (a jail was given it to write)"),
            "{run}"
        );
        // Read and vouched for: run, and run again by `.` in a later shell.
        assert_eq!(sh(t, &format!("{cd}!!. ./env.sh")).success(), "RAN-v1\n");
        assert_eq!(sh(t, &format!("{cd}. ./env.sh")).success(), "RAN-v1\n");
        // The same text at another name a jail had: not vouched for.
        sh(t, &format!("{cd}cp env.sh => other.sh")).success();
        let run = sh(t, &format!("{cd}. ./other.sh"));
        assert!(!run.ok() && !run.stdout.contains("RAN"), "{run}");
        // The jail's next text at the vouched name: refused again, saying so.
        sh(
            t,
            &format!("{cd}echo 'echo RAN-v2' | tee => env.sh > /dev/null"),
        )
        .success();
        let run = sh(t, &format!("{cd}. ./env.sh"));
        assert!(!run.ok() && !run.stdout.contains("RAN"), "{run}");
        assert!(
            run.stderr
                .contains("it changed since you wrote it or ran it with !!."),
            "{run}"
        );
        // Vouched for in turn; then the jail puts the first text back (review): only
        // the last text vouched for at a name is the user's.
        assert_eq!(sh(t, &format!("{cd}!!. ./env.sh")).success(), "RAN-v2\n");
        let v1 = format!("{cd}echo 'echo RAN-v1' | tee => env.sh > /dev/null");
        sh(t, &v1).success();
        let run = sh(t, &format!("{cd}. ./env.sh"));
        assert!(!run.ok() && !run.stdout.contains("RAN"), "{run}");
        // A line of the record for each vouch.
        let record = fs::read_to_string(t.state_home().join("pola-sh/written")).unwrap();
        let vouches = record.lines().filter(|l| l.starts_with("vouched ")).count();
        assert_eq!(vouches, 2, "{record}");
    }
);

// 27 (new-user trial). In a directory a jail was given to write, `.` refused every
// file, also one the shell itself had just written with the user's own text (a
// project's env script: `echo 'export Q=1' > q.sh`, `cat > e.sh <<'EOF'`): that needed
// `!!.`. What the shell wrote itself, with no text a command made in it, is vouched for
// as that text; anything a jail writes there, before or after, is not.
both!(
    item_27_text_the_shell_wrote_itself_is_the_users_where_jails_wrote,
    |t: &T| {
        let dir = t.mkdir("p");
        let cd = format!("cd {} && ", dir.display());
        sh(t, &format!("{cd}mkdir => d")).success();
        let cd = format!("cd {}/d && ", dir.display());
        // The attack: a jail's text there, sourced by a plain shell, runs.
        sh(
            t,
            &format!("{cd}/bin/sh -c 'echo echo PWNED > j.sh' + => ."),
        )
        .success();
        let plain = sh(t, &format!("{cd}!!/bin/sh -c '. ./j.sh'"));
        assert_eq!(plain.success(), "PWNED\n");
        // The shell's own text: run, in this shell and in a later one.
        let own = "echo 'export Q=1' > q.sh && cat > e.sh <<'E'\nexport E=2\nE\nf() { echo 'export F=3'; }; f > f.sh; for i in 1 2 3; do echo \"L=\\$((L+$i))\" >> l.sh; done; . ./q.sh; . ./e.sh; . ./f.sh; . ./l.sh; echo $Q$E$F$L";
        assert_eq!(sh(t, &format!("{cd}{own}")).success(), "1236\n");
        let later = ". ./q.sh; . ./e.sh; . ./f.sh; . ./l.sh; echo $Q$E$F$L";
        assert_eq!(sh(t, &format!("{cd}{later}")).success(), "1236\n");
        // Appended to by the shell: still the user's.
        let run = sh(
            t,
            &format!("{cd}echo 'export R=4' >> q.sh; . ./q.sh; echo $Q$R"),
        );
        assert_eq!(run.success(), "14\n");
        // A jail's text is not: neither the jail's file with the shell's line after it,
        // nor the jail's text copied by the shell, nor the user's file a jail wrote to.
        for refused in [
            "echo 'echo more' >> j.sh; . ./j.sh",
            "x=$(cat j.sh); echo \"$x\" > k.sh; . ./k.sh",
            "/bin/sh -c 'echo echo PWNED >> q.sh' + => .; . ./q.sh",
            "/bin/sh -c 'echo echo PWNED > e.sh' + => .; . ./e.sh",
        ] {
            let run = sh(t, &format!("{cd}{refused}"));
            assert!(
                !run.ok() && !run.stdout.contains("PWNED"),
                "{refused}: {run}"
            );
            assert!(
                run.stderr.contains("a jail could have written this file"),
                "{refused}: {run}"
            );
        }
        // A line of the record for each file the shell wrote in a command line (the
        // loop's three appends are one), and for the append later.
        let record = fs::read_to_string(t.state_home().join("pola-sh/written")).unwrap();
        let vouches = record.lines().filter(|l| l.starts_with("vouched ")).count();
        assert_eq!(vouches, 5, "{record}");
    }
);

// 27 (review of the above). What a function or trap that text made at run time
// defined prints is a command's output: `eval "$(tool)"` defining `g`, then `g >
// out.sh`, had the tool's text vouched for as the user's, and `. out.sh` ran its `!!`
// (also `g >> ~/.profile` at the next login, `eval "$(g)"` at once). And the user's
// text is vouched for only at the name the shell opened: a jail renaming the file
// meanwhile chose which of the user's texts ran under a script's name.
both!(
    item_27_what_made_text_defined_prints_is_not_the_users,
    |t: &T| {
        let dir = t.mkdir("p");
        let marker = t.path("PWNED");
        let cd = format!("cd {} && ", dir.display());
        let define = format!(
            "/bin/sh -c 'echo \"g() {{ echo \\\"!!touch {}\\\"; }}; trap \\\"g\\\" USR1\" > jf' + => .",
            marker.display()
        );
        sh(t, &format!("{cd}{define}")).success();
        for (writes, then) in [
            ("g > out.sh", ". ./out.sh"),
            ("{ kill -USR1 $$; } > out.sh", ". ./out.sh"),
            ("cat > out.sh <<E\n$(g)\nE", ". ./out.sh"),
            (":", "eval \"$(g)\""),
        ] {
            let script = format!("{cd}eval \"$(cat jf)\"\n{writes}\n{then}\ntrue");
            let run = sh(t, &script);
            assert!(!marker.exists(), "{script}: {run}");
            assert!(
                run.stderr.contains("refused") || run.stderr.contains("a jail could have written"),
                "{script}: {run}"
            );
        }
        // The text it wrote runs as the user's only when vouched for: the attack's way.
        sh(
            t,
            &format!("{cd}eval \"$(cat jf)\"; g > out.sh; !!. ./out.sh"),
        )
        .success();
        assert!(marker.exists());
        fs::remove_file(&marker).unwrap();
        // Names `compgen` lists are a command's text, as a glob's are.
        let names = "/bin/sh -c 'touch \"$(printf \"zz\\n!!touch NAMED\")\"' + => .";
        sh(t, &format!("{cd}{names}")).success();
        let run = sh(t, &format!("{cd}!!/bin/sh -c 'ls zz*'"));
        assert!(run.stdout.contains("!!touch NAMED"), "{run}");
        let run = sh(t, &format!("{cd}compgen -f zz > names.sh; . ./names.sh"));
        assert!(!t.path("p/NAMED").exists(), "{run}");
        assert!(run.stderr.contains("a jail could have written"), "{run}");
        // A jail renaming the user's note to a script's name while the shell writes it
        // (and, the second time, leaving a link to it in its place: reread): the note
        // is there under that name (the jail's move), and not run.
        // (The second gets a fresh file each time: a name holding the jail's link is
        // not written through. Before the reread, it ran the note in 2 of 3 runs.)
        let movers = [
            ("mv -f notes.txt env.sh 2>/dev/null", 3000, ""),
            (
                "if [ -f notes.txt ] && [ ! -L notes.txt ]; then mv -f notes.txt env.sh 2>/dev/null && ln -sf env.sh notes.txt 2>/dev/null; fi",
                300,
                "rm -f => notes.txt 2>/dev/null; ",
            ),
        ];
        for (mover, times, fresh) in movers {
            let race = format!(
                "cd {}\nrm -f => stop => env.sh => notes.txt\n/bin/sh -c 'until [ -e stop ]; do {mover}; done' + => . &\ni=0; while [ $i -lt {times} ]; do {fresh}echo '!!touch {}' > notes.txt; i=$((i+1)); done 2>/dev/null; : > stop; wait; . ./env.sh",
                dir.display(),
                marker.display()
            );
            let run = sh(t, &race);
            assert!(!marker.exists(), "{mover}: {run}");
            assert!(t.path("p/env.sh").exists(), "{mover}: {run}");
            let record = fs::read_to_string(t.state_home().join("pola-sh/written")).unwrap();
            let at_env = format!(" {} ", hex(b"env.sh"));
            assert!(
                !record
                    .lines()
                    .any(|l| l.starts_with("vouched") && l.contains(&at_env)),
                "{mover}: {record}"
            );
        }
    }
);

// 27 (review). The first version of `.`'s refusal looked at the file, then opened it
// again to read it: a jail given its directory renamed it away and back, the look
// found nothing (taken as not written) and the read found the jail's text (32 of 2000
// as root, 120 as a user, ran). One descriptor is looked at and read now, and what
// cannot be looked at is taken as written.
both!(
    item_27_a_file_swapped_while_it_is_sourced_is_still_refused,
    |t: &T| {
        let dir = t.mkdir("w");
        t.mkdir("w/d");
        t.write("w/d/x.sh", "n=$((n+1))\n");
        t.own(&dir);
        t.compile("renamer", RENAMER);
        let line = |shell: &str| {
            format!(
                "cd {}; {} d + => d & sleep 1; n=0; i=0; while [ $i -lt 1000 ]; do . d/x.sh 2>/dev/null; i=$((i+1)); done; echo sourced=$n; : > d/stop; wait",
                dir.display(),
                t.path("renamer").display(),
            )
            .replace("SHELL", shell)
        };
        let plain = line("");
        let run = sh(t, &plain);
        assert_eq!(run.stdout.trim(), "sourced=0", "{run}");
        // A shell that sources what it finds there runs it most of the time (after
        // the check: `!!.` is remembered for that text).
        let run = sh(t, &plain.replace(" . d/x.sh", " !!. d/x.sh"));
        let n: u32 = run
            .stdout
            .trim()
            .strip_prefix("sourced=")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(n > 0, "{run}");
    }
);

// 24, 27 (review). What a link on the line leads to is granted with it (so that `vim
// => ~/.vimrc` writes through a link into dotfiles) only for the user's own links: a
// first version also took a jail's link that leads where jails wrote, placed what it
// led to where its text said, and a text that climbs through another link
// (`report.txt -> up/../../.profile`, `up -> a/b/c`) chose that place: a path the line
// gave read-only became writable there (~/.profile, run unconfined at the next login).
both!(
    item_24_a_jails_link_never_chooses_where_a_grant_lands,
    |t: &T| {
        t.mkdir("home");
        t.write("home/.profile", "# profile\n");
        let home = t.path("home");
        let env = [("HOME", home.as_path())];
        let plant = "cd ~ && mkdir => out && cd out && sh -c 'mkdir -p a/b/c && : > a/.profile && ln -s a/b/c up && ln -s up/../../.profile report.txt' + => .";
        pola_sh_with(t, plant, &env).success();
        let attack = "sh -c 'echo \"!!touch PWNED\" >> \"$2\"' x => out/report.txt ~/.profile";
        // Unconfined, the line's program appends to the profile.
        pola_sh_with(t, &format!("cd ~ && !!{attack}"), &env).success();
        assert!(fs::read_to_string(home.join(".profile"))
            .unwrap()
            .contains("PWNED"));
        t.write("home/.profile", "# profile\n");
        let run = pola_sh_with(t, &format!("cd ~ && {attack}"), &env);
        assert!(!run.ok(), "{run}");
        assert_eq!(
            fs::read_to_string(home.join(".profile")).unwrap(),
            "# profile\n",
            "{run}"
        );
        let run = pola_sh_with(t, "cd ~ && grants -a cat out/report.txt ~/.profile", &env);
        assert!(!run.stdout.contains("slot"), "{run}");
    }
);

// 27 (review). `ENV` set in `~/.profile` (not in the process's environment) names the
// file the next interactive shell runs: kept read-only too (a jail given the home wrote
// it, and its next line ran unconfined).
both!(
    item_27_an_env_file_named_in_the_profile_is_read_only_in_jails,
    |t: &T| {
        t.mkdir("home");
        t.write("home/.profile", "ENV=$HOME/.shrc\n");
        t.write("home/.shrc", "# shrc\n");
        let home = t.path("home");
        let env = [("HOME", home.as_path())];
        let line = "cd ~ && sh -c 'echo \"!!touch PWNED\" >> .shrc; echo ok > other' + => .";
        // Without the protection: a shell not told of ENV lets the jail write it.
        let run = pola_sh_with(t, line, &env);
        assert!(run.ok(), "{run}");
        assert!(fs::read_to_string(home.join(".shrc"))
            .unwrap()
            .contains("PWNED"));
        t.write("home/.shrc", "# shrc\n");
        // A login shell read ~/.profile: ENV is its variable, and its file is kept.
        let mut cmd = t.command(pola_tests::pola_sh(), &["-l", "-c", line]);
        cmd.env("HOME", &home);
        let run = t.output(cmd);
        assert!(run.stderr.contains("Read-only file system"), "{run}");
        assert_eq!(fs::read_to_string(home.join(".shrc")).unwrap(), "# shrc\n");
        assert_eq!(fs::read_to_string(home.join("other")).unwrap(), "ok\n");
    }
);

// 30. A name a jail made (escape sequences, `\r`, newlines, look-alike slashes) cannot
//     change what the user is asked (`--ask`, the powerbox) or shown (errors, `grants`).

/// A file name a jail can make: on a terminal it erases the line it is on and writes an
/// innocent question about `∕tmp∕harmless.txt` (U+2215, not `/`), then a line of its own.
const FORGED: &str = "x\r\x1b[2Kpython3 wants to read \u{2215}tmp\u{2215}harmless.txt\nz";
/// The same name as pola-sh shows it (`pola_fileserver::text`).
const FORGED_SHOWN: &str = r"x\r\e[2Kpython3 wants to read \u{2215}tmp\u{2215}harmless.txt\nz";
/// What the forged name makes a terminal show when it reaches it raw (escapes removed).
const FORGED_ON_SCREEN: &str = "xpython3 wants to read \u{2215}tmp\u{2215}harmless.txt\nz";

/// Nothing of `FORGED` reached this text raw: no escape, carriage return, look-alike
/// slash, or line of its own.
#[track_caller]
fn nothing_raw(text: &str, what: &str) {
    for raw in ["\x1b", "\r", "\u{2215}", "harmless.txt\nz", "xpython3"] {
        assert!(!text.contains(raw), "{raw:?} reached {what} raw:\n{text}");
    }
}

both!(
    item_30_jail_made_names_cannot_rewrite_questions_or_messages,
    |t: &T| {
        use pola_tests::Key::{Expect, Raw, Send};
        t.mkdir("d");
        t.mkdir("e");
        // A jail with write grants makes the name: a file in d, a dangling symlink in e.
        let make = "import os, sys\nopen('d/' + sys.argv[1], 'w').write('s')\nos.symlink('/nowhere', 'e/' + sys.argv[1])";
        t.jail(
            &["--rw", "d", "--rw", "e"],
            &["python3", "-c", make, FORGED],
        )
        .success();
        // The raw bytes reach a plain program's output (ls to a pipe prints names as they
        // are), and on a terminal they rewrite the line they are on.
        let ls = t.plain(&["ls", "d"]);
        assert!(ls.success().contains(FORGED), "{ls}");
        let code = "import os, sys\nsys.stdout.write(os.listdir('d')[0] + ' ?\\n')";
        let plain = t.on_terminal(
            std::path::Path::new("/usr/bin/python3"),
            &["-c", code],
            &[Expect("harmless.txt")],
        );
        assert!(plain.stdout.contains(FORGED_ON_SCREEN), "{plain}");

        // --ask: the question shows the name escaped, on one line.
        let opener = "import sys\ntry:\n    open('d/' + sys.argv[1]).read()\n    print('opened')\nexcept OSError as e:\n    print('refused', e.errno)";
        let question = format!("{FORGED_SHOWN} — allow [o]nce, [a]lways (this session), [d]eny?");
        let run = t.on_terminal(
            &pola_tests::pola_run(),
            &["--ask", "--", "python3", "-c", opener, FORGED],
            &[
                Raw(&question),
                Expect("[d]eny?"),
                Send("d\r"),
                Expect("refused 2"),
            ],
        );
        assert!(run.stdout.starts_with("OK"), "{run}");
        let asked = run
            .stdout
            .lines()
            .find(|l| l.contains("wants to read"))
            .unwrap_or("");
        assert!(asked.contains(&format!("/d/{question}")), "{run}");
        nothing_raw(&run.stdout, "the --ask question");

        // The powerbox: the program's description of what it wants is escaped too.
        let open = pola_tests::bin_dir().join("pola-open");
        let run = t.on_terminal(
            &pola_tests::pola_run(),
            &["--powerbox", "--", open.to_str().unwrap(), "--desc", FORGED],
            &[
                Expect("path (empty to refuse)?"),
                Send("\r"),
                Expect("refused"),
            ],
        );
        assert!(run.stdout.starts_with("OK"), "{run}");
        // pola-open sends one line: its newline became a space.
        let desc = FORGED_SHOWN.replace(r"\nz", " z");
        assert!(
            run.stdout
                .contains(&format!("asks for a file to read ({desc}) — path")),
            "{run}"
        );
        nothing_raw(&run.stdout, "the powerbox question");

        // pola-sh's own error about such a name (the dangling symlink), one line.
        let sh = |cmd: &str| t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "-c", cmd]);
        let run = sh("cat e/*");
        assert_eq!(run.code, Some(1), "{run}");
        // (The jail that made it could write there: the link is not granted, named
        // escaped; cat then says, its own way, that it finds nothing there.)
        assert!(
            run.stderr
                .contains(&format!("{}/e/{FORGED_SHOWN}: ", t.dir().display())),
            "{run}"
        );
        let ours: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("pola-sh:"))
            .collect();
        assert_eq!(ours.len(), 1, "{run}");
        nothing_raw(ours[0], "pola-sh's error");
        let run = sh("cd e/*");
        assert!(
            run.stderr.contains("cd: ") && run.stderr.contains(&format!("e/{FORGED_SHOWN}: ")),
            "{run}"
        );
        nothing_raw(&run.stderr, "cd's error");

        // `grants` (the command's own grants, and with -a the whole tree) and
        // `pola-run --explain`: the name escaped, one line for it.
        let run = sh("grants cat d/*");
        let out = run.success();
        assert!(
            out.lines()
                .any(|l| l.trim_start().contains(&format!("/d/{FORGED_SHOWN} "))),
            "{run}"
        );
        nothing_raw(out, "grants");
        let run = sh("grants -a cat d/*");
        let out = run.success();
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with(FORGED_SHOWN)),
            "{run}"
        );
        nothing_raw(out, "grants -a");
        let run = t.jail(&["--ro", &format!("d/{FORGED}"), "--explain"], &["cat"]);
        assert!(run.success().contains(FORGED_SHOWN), "{run}");
        nothing_raw(&run.stdout, "--explain");
    }
);

// 31. `--learn` output and profile lines: a name with a newline or an escape sequence
//     cannot add a line or hide one. Audit records: one record per line.

/// A file name that, written raw as a profile line, adds `rw ~` (the home directory
/// read-write) and erases it from the terminal when the profile is shown with `cat`.
const ADDS_A_LINE: &str = "x\nrw ~ #\r\x1b[2K";

both!(
    item_31_learned_lines_and_audit_records_hold_one_name_each,
    |t: &T| {
        use pola_fileserver::profile::Profile;
        use std::path::Path;
        t.mkdir("d");
        let make = "import sys\nopen('d/' + sys.argv[1], 'w').write('s')";
        t.jail(&["--rw", "d"], &["python3", "-c", make, ADDS_A_LINE])
            .success();
        let asked = t.path("d").join(ADDS_A_LINE);
        let home_rw = (t.home.clone(), true);

        // Written raw (as a plain printf writes it), the name is two profile lines for the
        // real parser: the second grants the home directory read-write.
        let raw = t.plain(&["printf", "ro %s\\n", asked.to_str().unwrap()]);
        let naive = Profile::parse(Path::new("raw"), raw.success()).unwrap();
        assert!(naive.grants(&t.home).contains(&home_rw), "{raw}");

        // --learn prints it as one line that parses back to exactly that path.
        let audit = t.path("audit.log");
        // From another working directory, so the name is a profile line, not a grant
        // for the command line.
        t.mkdir("w");
        let mut cmd = t.jail_command(
            &["--learn", "--cwd", "w"],
            &["cat", asked.to_str().unwrap()],
        );
        cmd.env("POLA_AUDIT", &audit);
        let run = t.output(cmd);
        // The second round, given the one name, read it.
        assert_eq!(run.code, Some(0), "{run}");
        assert_eq!(run.stdout, "s", "{run}");
        let (_, lines) = run
            .stderr
            .split_once("to grant it, add to ")
            .and_then(|(_, rest)| rest.split_once(":\n"))
            .unwrap_or_else(|| panic!("no learned lines:\n{run}"));
        let learned =
            Profile::parse(Path::new("learned"), lines).unwrap_or_else(|e| panic!("{e}:\n{run}"));
        assert_eq!(learned.grants(&t.home), vec![(asked, false)], "{run}");
        assert!(!learned.grants(&t.home).contains(&home_rw), "{run}");
        assert!(!run.stderr.lines().any(|l| l.starts_with("rw ")), "{run}");
        assert!(
            !run.stderr.contains('\x1b') && !run.stderr.contains("\r\x1b"),
            "{run}"
        );

        // The audit file: one line per record (each starts with its time): the launch,
        // the one access, and the launch of the second round (--learn runs it again with
        // what it found), the name escaped in each.
        let log = fs::read_to_string(&audit).unwrap();
        let records: Vec<&str> = log.lines().collect();
        assert_eq!(records.len(), 3, "{log}");
        for r in &records {
            assert!(
                r.starts_with(|c: char| c.is_ascii_digit()),
                "a line that is not a record: {r:?}\n{log}"
            );
            assert!(!r.contains('\r') && !r.contains('\x1b'), "{log}");
        }
        assert!(
            records[0].contains(&format!(
                " launch /usr/bin/cat: cat {}/d/x\\nrw ~ #\\r\\e[2K;",
                t.dir().display()
            )),
            "{log}"
        );
        assert!(records[2].contains(" launch /usr/bin/cat: "), "{log}");
        let denial = format!(
            " r! open {}/d/x\\nrw ~ #\\r\\e[2K: denied",
            t.dir().display()
        );
        assert!(records[1].ends_with(&denial), "{log}");
    }
);

/// pola-sh on a pseudo-terminal playing `steps`; with `shared`, with the relay off
/// (`T::shared_terminal`).
fn shell_on_terminal(t: &T, shared: bool, steps: &[Key]) -> Run {
    if shared {
        t.shared_terminal(&[], &[], steps)
    } else {
        t.interactive(steps)
    }
}

fn shell_prompt(t: &T) -> &'static str {
    if t.uid == 0 {
        "# "
    } else {
        "$ "
    }
}

/// Leaves job control with setsid() (a process without a controlling terminal is not
/// stopped for reading one) and reads fd 0: the keys typed next, whoever they are for.
const STEAL_AFTER_SETSID: &str = r#"
import os
pid = os.fork()
if pid == 0:
    os.setsid()
    try:
        data = os.read(0, 100)
        open("stolen", "ab").write(data)
    except OSError:
        pass
    os._exit(0)
os.waitpid(pid, 0)
"#;

/// From a process group of its own, with SIGTTOU and SIGTTIN ignored: takes the
/// terminal's foreground, then reads it.
const TAKE_THE_FOREGROUND: &str = r#"
import os, signal
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
signal.signal(signal.SIGTTIN, signal.SIG_IGN)
os.setpgid(0, 0)
try:
    os.tcsetpgrp(0, os.getpgrp())
    print("took-the-foreground", flush=True)
except OSError as e:
    print("tcsetpgrp:", e, flush=True)
try:
    data = os.read(0, 100)
    open("stolen", "ab").write(data)
except OSError:
    pass
"#;

// 28. A background job (also after setsid(), with SIGTTIN/SIGTTOU ignored, or from its
//     own process group) cannot read keys typed to the shell or to another job, and
//     cannot take the terminal's foreground.
both!(item_28_background_jobs_get_no_keys_nor_the_tty, |t: &T| {
    t.write("steal.py", STEAL_AFTER_SETSID);
    t.write("take.py", TAKE_THE_FOREGROUND);
    let stolen = || fs::read_to_string(t.path("stolen")).unwrap_or_default();
    let steal = |shared: bool| {
        t.write("stolen", "");
        let run = shell_on_terminal(
            t,
            shared,
            &[
                Expect(shell_prompt(t)),
                Send("/usr/bin/python3 steal.py + => stolen &\r"),
                Expect("[1]"),
                Pause(1.5),
                // A password read by the shell, then typed for another job.
                Send("read -r pw\r"),
                Pause(0.5),
                Send("secret-for-the-shell\r"),
                Pause(1.0),
                Send("echo \"got=$pw\"\r"),
                Pause(1.0),
                Send("/usr/bin/python3 -c 'print(\"job-read=\" + input())'\r"),
                Pause(1.0),
                Send("secret-for-a-job\r"),
                Pause(1.0),
            ],
        );
        assert!(run.stdout.starts_with("OK"), "{run}");
        run
    };
    // The attack works on a shared terminal: the background job reads what was typed
    // for the shell — the end of a line of it, after what the shell's byte-at-a-time
    // `read`, or the line editor reading a byte at a time, took first (how much each
    // takes is a race: once only `w\r` of `read -r pw\r` was left to it; any key of
    // it is the user's, typed for the shell).
    let run = steal(true);
    let taken = stolen();
    // (An Enter reads as `\r` raw, `\n` in the shell's `read`, in canonical mode.)
    let typed = "read -r pw\nsecret-for-the-shell\n";
    assert!(
        !taken.is_empty() && typed.contains(taken.replace('\r', "\n").as_str()),
        "the background job read nothing on a shared terminal: {taken:?}\n{run}"
    );
    // Each jail on a terminal of its own: the background job reads nothing; the shell
    // and the foreground job get their keys.
    let run = steal(false);
    assert_eq!(stolen(), "", "a background job read keys:\n{run}");
    assert!(run.stdout.contains("got=secret-for-the-shell"), "{run}");
    assert!(run.stdout.contains("job-read=secret-for-a-job"), "{run}");

    let take = |shared: bool| {
        t.write("stolen", "");
        let next = match shared {
            true => "reading input: Input/output error",
            false => "\nstill-the-shell",
        };
        shell_on_terminal(
            t,
            shared,
            &[
                Expect(shell_prompt(t)),
                Send("/usr/bin/python3 take.py + => stolen &\r"),
                Expect("took-the-foreground"),
                Pause(1.0),
                Send("echo still-the-shell\r"),
                Expect(next),
                Send("read -r pw\r"),
                Pause(0.5),
                Send("typed-after\r"),
                Pause(1.0),
            ],
        )
    };
    // Shared: the job takes the foreground and the shell's next read fails (it exits).
    let run = take(true);
    assert!(run.stdout.starts_with("OK"), "{run}");
    // Its own terminal: it takes that one's foreground; the shell carries on.
    let run = take(false);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert_eq!(stolen(), "", "a background job read keys:\n{run}");
});

/// `give TAG`: hands its terminal (descriptor 1, its jail's own) to whoever connects
/// to share/sock, waits until they write to it, and exits (noting when in
/// share/TAG-gone). `take TAG`: eight processes write to that terminal without pause,
/// for at most 30 s, and note in share/TAG when they could no more (a write failing:
/// the terminal was hung up).
const SHARE_THE_TERMINAL: &str = r#"
import array, os, socket, sys, time
mode, tag = sys.argv[1], sys.argv[2]
path = "share/sock"
if mode == "give":
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(1)
    print("give: waiting", flush=True)
    c, _ = s.accept()
    c.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [1]))])
    c.recv(1)
    print("give: handed over", flush=True)
    open(f"share/{tag}-gone", "w").write(f"{time.time():.2f}")
else:
    c = socket.socket(socket.AF_UNIX); c.connect(path)
    _, anc, _, _ = c.recvmsg(1, socket.CMSG_LEN(4))
    fd = array.array("i", anc[0][2])[0]
    start = time.time()
    writer = False
    for _ in range(1):
        if os.fork() == 0:
            writer = True
            break
    chunk = b"." * 65536
    os.write(fd, chunk)
    if not writer:
        time.sleep(0.1)
        c.send(b"w")
    result = "still writing after 30 s"
    while time.time() < start + 30:
        try:
            os.write(fd, chunk)
        except OSError as e:
            result = f"{e.strerror} at {time.time():.2f}"
            break
    open(f"share/{tag}", "a").write(result + "\n")
    if not writer:
        # The jail ends with its command: the others first.
        for _ in range(1):
            os.wait()
"#;

// 28. (also) A jail that ends after handing its terminal to another jail still running
//     cannot keep the relay copying that one's output: the foreground job gets its keys.
both!(
    item_28_a_terminal_handed_to_another_jail_cannot_stall_the_keys,
    |t: &T| {
        t.write("share.py", SHARE_THE_TERMINAL);
        t.mkdir("share");
        // How long the writers of `tag` could write, until the terminal was hung up (the
        // ones still writing when the shell ended were killed with it, and say nothing).
        // Seconds after the jail that handed it over ended.
        let held = |tag: &str, all: bool| -> Vec<f64> {
            let result = || fs::read_to_string(t.path(&format!("share/{tag}"))).unwrap_or_default();
            wait_for(|| result().lines().count() >= 2, if all { 20 } else { 3 });
            let gone: f64 = fs::read_to_string(t.path(&format!("share/{tag}-gone")))
                .unwrap()
                .parse()
                .unwrap();
            result()
                .lines()
                .filter_map(|l| l.strip_prefix("Input/output error at "))
                .filter_map(|l| l.parse::<f64>().ok())
                .map(|at| ((at - gone) * 10.0).round() / 10.0)
                .collect()
        };
        let session = |tag: &str, unbounded: bool| {
            let give = format!("/usr/bin/python3 share.py give {tag} + => share/ &\r");
            let take = format!("/usr/bin/python3 share.py take {tag} + => share/ >/dev/null &\r");
            let steps = [
                Expect(shell_prompt(t)),
                Send(&give),
                Expect("give: waiting"),
                SlowTerminal,
                Send(&take),
                Expect("give: handed over"),
                Pause(1.0),
                Send("/usr/bin/python3 -c 'print(\"GOT\", input())'\r"),
                Pause(1.0),
                Send("hello\r"),
                Expect("GOT hello"),
            ];
            let sh = pola_tests::pola_sh();
            let seam = format!("POLA_TEST_UNBOUNDED_FINISH={}", unbounded as u8);
            let run = t.on_terminal(
                std::path::Path::new("/usr/bin/env"),
                &[&seam, sh.to_str().unwrap()],
                &steps,
            );
            let held = held(tag, !unbounded);
            (run.stdout.replace('.', ""), held)
        };
        // Copied until nothing is left (the test seam): the writers never let it be empty
        // for long, and while they write no key reaches the foreground job and the shell
        // waits (measured: 0.7 to 7 s, or more than the 10 s the test waits for the line).
        // It is a race (the relay leaves when it finds the master empty once), which the
        // attacker may run again: up to five tries.
        let mut tries = Vec::new();
        let (stalled, least) = loop {
            let (out, held) = session(&format!("unbounded{}", tries.len()), true);
            let stalled = out.starts_with("FAIL: expected 'GOT hello'");
            let least = held.iter().cloned().reduce(f64::min);
            if stalled || least.is_some_and(|l| l >= 3.0) {
                break (stalled, least);
            }
            tries.push(least);
            assert!(
                tries.len() < 5,
                "the relay let the terminal go after {tries:?} s:\n{out}"
            );
        };
        // Bounded: the ended jail's terminal is hung up at once, the writers get EIO, the
        // foreground job gets its line.
        let (out, held_bounded) = session("bounded", false);
        assert!(out.starts_with("OK"), "{out}");
        assert!(out.contains("GOT hello"), "{out}");
        assert_eq!(held_bounded.len(), 2, "a writer was not hung up");
        let most = held_bounded.iter().cloned().fold(0.0, f64::max);
        assert!(
            most < 2.0,
            "the terminal was hung up after {most} s (unbounded: {least:?} s)"
        );
        eprintln!(
            "writers held the terminal: unbounded {least:?} s (None: until the shell \
             ended; the line waited past 10 s: {stalled}; try {}), bounded {most} s",
            tries.len() + 1
        );
    }
);

/// What a full-screen program does to its terminal, and leaves behind if it is killed
/// or careless: a 7x20 window, raw mode, its own process group in the foreground.
const MESS_UP_THE_TERMINAL: &str = r#"
import fcntl, os, signal, struct, termios, tty
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 7, 20, 0, 0))
tty.setraw(0)
os.setpgid(0, 0)
os.tcsetpgrp(0, os.getpgrp())
print("messed-up", flush=True)
"#;

// 29. A foreground job's changes to the terminal (modes, window size, foreground
//     group) are undone when it ends; an unconfined `!!` command gets the terminal like
//     any foreground job.
both!(item_29_a_jobs_terminal_changes_end_with_it, |t: &T| {
    t.write("mess.py", MESS_UP_THE_TERMINAL);
    let session = |shared: bool| {
        shell_on_terminal(
            t,
            shared,
            &[
                Expect(shell_prompt(t)),
                Send("!!stty rows 30 cols 100\r"),
                Pause(0.5),
                Send("/usr/bin/python3 mess.py\r"),
                Expect("messed-up"),
                Pause(0.5),
                // Measured by a program on the host, on the terminal itself.
                Send("!!stty size; !!stty -a | grep -o ' -\\?icanon' | sed 's/^/mode/'\r"),
                Expect("mode"),
                Pause(0.5),
                // The jail's terminal starts as the user's: same size.
                Send("stty size | sed 's/^/jail-size /'\r"),
                Expect("jail-size"),
                Pause(0.5),
                // `!!` gets the terminal: the line typed next is its input, not a command
                // line for the shell.
                Send("!!sh -c 'read x; echo \"unconfined-read=$x\"'\r"),
                Pause(0.7),
                Send("typed-for-sh\r"),
                Expect("unconfined-read=typed-for-sh"),
                Send("exit\r"),
                Pause(0.5),
            ],
        )
    };
    // Shared: the window size the job set outlives it.
    let run = session(true);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(run.stdout.contains("\n7 20"), "{run}");
    // Its own terminal: nothing it did reaches the user's terminal.
    let run = session(false);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(
        run.stdout.contains("\n30 100"),
        "window size changed:\n{run}"
    );
    assert!(!run.stdout.contains("\n7 20"), "{run}");
    assert!(run.stdout.contains("mode icanon"), "modes changed:\n{run}");
    assert!(run.stdout.contains("jail-size 30 100"), "{run}");
    assert!(
        !run.stdout.contains("typed-for-sh: command not found"),
        "the !! command's input went to the shell:\n{run}"
    );
    let history = fs::read_to_string(t.path(".data/pola-sh/history")).unwrap_or_default();
    assert!(history.contains("!!sh -c"), "history: {history:?}");
    assert!(
        !history.contains("typed-for-sh"),
        "the !! command's input is in the history: {history:?}"
    );
});

/// The machine's RAM in bytes.
fn ram() -> u64 {
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap();
    let kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

// 32. Fork bombs hit a per-jail limit: the shell and other jails keep working, and the
//     user is told which limit stopped the command.
both!(item_32_fork_bombs_hit_the_jails_process_limit, |t: &T| {
    t.compile("bomb", pola_tests::FORK_BOMB);
    t.write("f.txt", "another jail\n");
    // Without the jail, 1500 processes (the bound is the bomb's own; given 4 s, as
    // below: in 2, under a full test run, it once made 1445 before its time was up).
    let plain = t.plain(&["./bomb", "1500", "4"]);
    assert_eq!(plain.expect_field("made"), "1500", "{plain}");
    assert_eq!(plain.expect_field("failed"), "0", "{plain}");
    // In pola-sh, by default, at most 1000 (the bomb included); meanwhile another jail
    // starts, and afterwards the shell still runs commands.
    let run = t.output(t.pola_sh_command(
        "./bomb 1500 4 & sleep 2; cat f.txt; wait; echo status=$?; /usr/bin/true && echo after=ok",
    ));
    let made: u32 = run.expect_field("made").parse().unwrap();
    let failed: u32 = run.expect_field("failed").parse().unwrap();
    assert!(made < 1000 && failed > 0, "{run}");
    assert!(run.stdout.contains("another jail\n"), "{run}");
    assert_eq!(run.expect_field("status"), "0", "{run}");
    assert_eq!(run.expect_field("after"), "ok", "{run}");
    assert_eq!(
        run.stderr
            .matches(
                "pola-sh: bomb: stopped by the process limit (1000); raise it with + @procs:2000\n"
            )
            .count(),
        1,
        "{run}"
    );
});

const MEMORY_HOG: &str = "x = b'x' * (512 << 20); print('allocated=yes')";

// 32. Memory hogs hit a per-jail limit (here the environment file's default).
both!(item_32_memory_hogs_hit_the_jails_memory_limit, |t: &T| {
    let config = t.mkdir("config");
    t.write(
        "config/pola-sh/environment",
        "ro /usr\nro /bin\nro /lib\nro /lib64\nro /etc/ld.so.cache\ntmpfs /tmp\ntmpfs $HOME\nlimit mem 256M\n",
    );
    let with_config = |mut cmd: Command| {
        cmd.env("XDG_CONFIG_HOME", &config);
        t.output(cmd)
    };
    // Without the jail, 512 MiB (the bound is the hog's own).
    let plain = t.py_plain(MEMORY_HOG);
    assert_eq!(plain.expect_field("allocated"), "yes", "{plain}");
    let explain = with_config(t.jail_command(&["--explain"], &["true"]));
    let memory = explain
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("memory:"))
        .unwrap_or_else(|| panic!("no memory limit in --explain:\n{explain}"))
        .to_string();
    assert!(memory.contains("256 MiB"), "{explain}");
    let run = with_config(t.pola_sh_command(&format!(
        "python3 -c \"{MEMORY_HOG}\"; echo status=$?; /usr/bin/true && echo after=ok"
    )));
    assert!(run.field("allocated").is_none(), "{run}");
    assert_eq!(run.expect_field("after"), "ok", "{run}");
    if memory.contains("held: cgroup") {
        // The jail's cgroup: the OOM killer stops the hog, and the user is told.
        assert_eq!(run.expect_field("status"), "137", "{run}");
        assert_eq!(
            run.stderr
                .matches("pola-sh: python3: stopped by the memory limit (256 MiB); raise it with + @mem:512M\n")
                .count(),
            1,
            "{run}"
        );
    } else {
        // No memory cgroup for this user on this machine: each process is bounded
        // (RLIMIT_DATA), the hog's allocation fails, and it reports that itself.
        assert!(memory.contains("per process only"), "{explain}");
        assert!(run.stderr.contains("MemoryError"), "{run}");
        assert_eq!(run.expect_field("status"), "1", "{run}");
    }
});

/// Fills /tmp, then $HOME, then /dev/shm with up to 600 MiB each, 1 MiB at a time.
const TMPFS_FILLER: &str = r#"
import os, sys
failed = False
for name, path in [("tmp", "/tmp/a"), ("home", os.path.expanduser("~/b")), ("shm", "/dev/shm/c")]:
    n = 0
    try:
        with open(path, "wb", buffering=0) as f:
            for _ in range(600):
                f.write(b"x" * (1 << 20))
                n += 1
    except OSError as e:
        print(f"{name}_error={e.strerror}", file=sys.stderr)
        failed = True
    print(f"{name}={n}", flush=True)
sys.exit(28 if failed else 0)
"#;

// 32. A command substitution's output is held in the shell's memory, which no jail's
//     limit covers: the shell bounds it.
both!(
    item_32_substitution_output_cannot_grow_the_shell,
    |t: &T| {
        // Without the bound: a plain shell holds all a command prints.
        let plain = t.plain(&[
            "bash",
            "-c",
            "x=$(head -c 300000000 /dev/zero | tr '\\0' y); echo len=${#x}",
        ]);
        assert_eq!(plain.expect_field("len"), "300000000", "{plain}");
        // In pola-sh the jailed writer is cut off at 256 MiB, and the user is told.
        let run = t.output(t.pola_sh_command("x=$(yes); s=$?; echo status=$s; echo len=${#x}"));
        assert_eq!(run.expect_field("status"), "1", "{run}");
        let len: u64 = run.expect_field("len").parse().unwrap();
        assert!(len <= 256 << 20, "{run}");
        assert!(
            run.stderr
                .contains("command substitution: output over 256 MiB"),
            "{run}"
        );
    }
);

// 32. tmpfs fillers hit a per-jail limit: the private /tmp, $HOME and /dev/shm are one
//     tmpfs of a bounded size.
both!(item_32_tmpfs_fillers_hit_the_jails_scratch_size, |t: &T| {
    // Without the jail: a tmpfs mounted without a size gets half the RAM (a jail's
    // /tmp, $HOME and /dev/shm were three of them), and a filler takes all it is given
    // (shown on a small one).
    t.mkdir("a");
    t.mkdir("b");
    let plain = t.plain(&[
        "unshare",
        "-Urm",
        "sh",
        "-c",
        "mount -t tmpfs none a && mount -t tmpfs -o size=64m none b \
         && echo size=$(df -B1 --output=size a | tail -1) \
         && { dd if=/dev/zero of=b/fill bs=1M status=none; echo filled=$(df -B1 --output=used b | tail -1); }",
    ]);
    let size: u64 = plain.expect_field("size").trim().parse().unwrap();
    assert!(size >= ram() / 2 * 95 / 100, "{plain}");
    let filled: u64 = plain.expect_field("filled").trim().parse().unwrap();
    assert_eq!(filled, 64 << 20, "{plain}");
    // In pola-sh, by default, the three hold 1 GiB together.
    t.write("fill.py", TMPFS_FILLER);
    let run = t.output(
        t.pola_sh_command("python3 fill.py; echo status=$?; /usr/bin/true && echo after=ok"),
    );
    let mib = |k: &str| run.expect_field(k).parse::<u64>().unwrap();
    assert_eq!(mib("tmp"), 600, "{run}");
    assert!(mib("home") <= 1024 - 600, "{run}");
    assert_eq!(mib("shm"), 0, "{run}");
    assert!(
        run.stderr.contains("home_error=No space left on device"),
        "{run}"
    );
    assert_eq!(run.expect_field("status"), "28", "{run}");
    assert_eq!(run.expect_field("after"), "ok", "{run}");
    assert_eq!(
        run.stderr
            .matches("pola-sh: python3: filled its private /tmp, $HOME and /dev/shm (1 GiB together); raise it with + @tmp:2G\n")
            .count(),
        1,
        "{run}"
    );
});

/// Double-forks into a new session, ignores SIGTERM and SIGHUP, lets go of its
/// standard descriptors, and becomes `sleep MARKER` (`python3 daemon.py MARKER`).
const DAEMON: &str = r#"
import os, signal, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
if os.fork():
    sys.exit(0)
os.setsid()
if os.fork():
    sys.exit(0)
null = os.open("/dev/null", os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
os.execvp("sleep", ["sleep", sys.argv[1]])
"#;

// 33. Nothing a jail starts outlives it, not even a double-forked setsid daemon that
//     ignores SIGTERM and SIGHUP.
both!(item_33_daemons_do_not_outlive_their_jail, |t: &T| {
    t.write("daemon.py", DAEMON);
    let marker = |n: u32| {
        format!(
            "{}",
            500_000 + std::process::id() % 50_000 + n + if t.who == Who::Root { 0 } else { 2 }
        )
    };
    // Without the jail the daemon outlives the shell that started it, SIGTERM and
    // SIGHUP notwithstanding.
    let plain_marker = marker(0);
    let plain = t.plain(&["sh", "-c", &format!("python3 daemon.py {plain_marker}")]);
    assert!(plain.ok(), "{plain}");
    let daemon = wait_for(|| find_process(&plain_marker).is_some(), 5)
        .then(|| find_process(&plain_marker).unwrap())
        .expect("the plain daemon runs");
    for signal in [
        nix::sys::signal::Signal::SIGTERM,
        nix::sys::signal::Signal::SIGHUP,
    ] {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(daemon as i32), signal).unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        find_process(&plain_marker),
        Some(daemon),
        "the daemon ignores TERM and HUP"
    );
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(daemon as i32),
        nix::sys::signal::Signal::SIGKILL,
    );

    // In pola-sh the daemon ends with its jail, while the shell goes on.
    let jail_marker = marker(1);
    let mut shell = t
        .pola_sh_command(&format!(
            "python3 daemon.py {jail_marker}; echo jail-ended; read line; echo after=ok"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(shell.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert_eq!(line, "jail-ended\n");
    assert!(
        find_process(&jail_marker).is_none(),
        "the jail's daemon outlived it"
    );
    shell.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "after=ok\n");
    assert!(shell.wait().unwrap().success());
});

const KILL_OWN_GROUP: &str =
    "import os, signal; os.kill(0, signal.SIGTERM); print('group-signalled=yes')";

// 33. A jail cannot signal the shell's process group (kill(0) in a script, where the
//     commands run in the shell's own group).
both!(
    item_33_a_jail_cannot_signal_the_shells_process_group,
    |t: &T| {
        use std::os::unix::process::CommandExt;
        let script = format!("python3 -c \"{KILL_OWN_GROUP}\"; echo shell=alive");
        // Without the jail the shell dies with its process group.
        let mut cmd = t.command("sh", &["-c", &script]);
        cmd.process_group(0);
        let plain = t.output(cmd);
        assert_eq!(plain.signal, Some(15), "{plain}");
        assert!(plain.field("shell").is_none(), "{plain}");
        // In pola-sh the signal reaches the jail's own processes only.
        let mut cmd = t.pola_sh_command(&script);
        cmd.process_group(0);
        let run = t.output(cmd);
        assert_eq!(run.expect_field("shell"), "alive", "{run}");
        assert!(run.ok(), "{run}");
    }
);

// 10, and /dev: a read-only directory of the skeleton (the template's from the third
// command on) where nothing can be created; and when `HOME=/dev` makes it a tmpfs of
// the jail's own after all, that tmpfs is still not scratch space (review finding:
// with the `/dev` exceptions gone it was writable and every command reported the
// links in it as files left behind).
both!(item_10_nothing_is_created_in_dev, |t: &T| {
    let probe = r#"/usr/bin/python3 -c '
import os
for what, make in [("file", lambda: open("/dev/newfile", "w")), ("link", lambda: os.symlink("/proc/self/fd/0", "/dev/evil"))]:
    try:
        make()
        print(what, "made")
    except OSError as e:
        print(what, "refused")
'"#;
    // Without the jail: a tmpfs of one's own takes both.
    let plain = t.plain(&[
        "unshare",
        "-Urm",
        "sh",
        "-c",
        &format!("mount -t tmpfs none /dev && {probe}"),
    ]);
    assert_eq!(plain.success(), "file made\nlink made\n", "{plain}");
    let three = format!("{probe}; {probe}; {probe}");
    for home in [None, Some("/dev")] {
        let mut argv = vec!["env".to_string()];
        argv.extend(home.map(|h| format!("HOME={h}")));
        argv.extend([
            pola_tests::pola_sh().to_str().unwrap().to_string(),
            "-c".into(),
            three.clone(),
        ]);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let run = t.plain(&argv);
        assert_eq!(
            run.success(),
            "file refused\nlink refused\n".repeat(3),
            "{home:?}: {run}"
        );
        assert!(!run.stderr.contains("discarded"), "{home:?}: {run}");
    }
});

/// What one jail leaves behind, and whether another one sees it (issue 17).
const WARM_PY: &str = r#"# What one jail leaves behind, and whether another one sees it (issue 17).
# `leave TAG`: a file in /tmp and in /dev/shm, a System V shared memory segment, an abstract Unix
# socket and a TCP socket listening on 127.0.0.1; `hold TAG` also stays 4 s;
# `look TAG`: one line per kind, `KIND=seen` or `KIND=none`; `clean TAG` removes them.
import ctypes, os, socket, sys, time

mode, tag = sys.argv[1], sys.argv[2]
port = 20000 + int(tag) % 20000
key = 0x17000000 + int(tag) % 0xFFFF
path = f"/tmp/warm-{tag}"
libc = ctypes.CDLL(None, use_errno=True)
if mode in ("leave", "hold"):
    open(path, "w").write("left")
    open(f"/dev/shm/warm-{tag}", "w").write("left")
    shm = libc.shmget(key, 4096, 0o1000 | 0o600)
    a = socket.socket(socket.AF_UNIX)
    a.bind(f"\0warm-{tag}")
    a.listen()
    t = socket.socket()
    t.bind(("127.0.0.1", port))
    t.listen()
    print(f"left shm={'ok' if shm >= 0 else ctypes.get_errno()}", flush=True)
    if mode == "hold":
        time.sleep(4)
elif mode == "look":
    def report(kind, seen):
        print(f"{kind}={'seen' if seen else 'none'}", flush=True)
    report("tmp", os.path.exists(path))
    report("shmfs", os.path.exists(f"/dev/shm/warm-{tag}"))
    report("shm", libc.shmget(key, 0, 0) >= 0)
    report("abstract", socket.socket(socket.AF_UNIX).connect_ex(f"\0warm-{tag}") == 0)
    report("tcp", socket.socket().connect_ex(("127.0.0.1", port)) == 0)
    mine = [f"{m}\0{tag}".encode() for m in ("hold", "leave")]
    seen = False
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            line = open(f"/proc/{pid}/cmdline", "rb").read()
        except OSError:
            continue
        seen = seen or any(m in line for m in mine)
    report("process", seen)
    mounts = [l.split() for l in open("/proc/self/mountinfo")]
    procs = [m for m in mounts if m[4] == "/proc"]
    report("template", len(procs) != 1 or any(m[4].startswith(("/bag", "/new")) for m in mounts))
elif mode == "clean":
    for left in (path, f"/dev/shm/warm-{tag}"):
        if os.path.exists(left):
            os.unlink(left)
    shm = libc.shmget(key, 0, 0)
    if shm >= 0:
        libc.shmctl(shm, 0, None)
"#;

// 33, and issue 17: a jail's namespaces are made ahead (the next network namespace)
// and its default environment copied from the zygote's template, yet nothing of one
// jail reaches the next: not its /tmp, System V IPC objects, sockets or processes,
// while it runs or after it ended, and nothing of the template is in view.
both!(item_33_nothing_of_one_jail_reaches_the_next, |t: &T| {
    t.write("warm.py", WARM_PY);
    let tag = |n: u32| {
        format!(
            "{}",
            std::process::id() % 10_000 * 10 + n + if t.who == Who::Root { 0 } else { 5 }
        )
    };
    // Without the jail, the next process sees all of it.
    let plain_tag = tag(0);
    let plain = t.plain(&[
        "sh",
        "-c",
        &format!(
            "python3 warm.py hold {plain_tag} > ready & \
             while ! grep -q left ready; do sleep 0.1; done; \
             python3 warm.py look {plain_tag}; python3 warm.py clean {plain_tag}; kill $!"
        ),
    ]);
    for kind in ["tmp", "shmfs", "shm", "abstract", "tcp", "process"] {
        assert!(
            plain.stdout.contains(&format!("{kind}=seen")),
            "{kind}: {plain}"
        );
    }
    let _ = fs::remove_file(t.path("ready"));

    // In pola-sh: one jail after another ended, and one beside another that runs.
    let (after, beside) = (tag(1), tag(2));
    let run = t.output(t.pola_sh_command(&format!(
        "/usr/bin/python3 warm.py leave {after}; /usr/bin/python3 warm.py look {after}; \
         /usr/bin/python3 warm.py hold {beside} > ready & \
         while ! grep -q left ready 2>/dev/null; do sleep 0.1; done; \
         /usr/bin/python3 warm.py look {beside}; wait"
    )));
    let out = run.success();
    assert!(
        out.contains("left shm=ok"),
        "the jail made its objects: {run}"
    );
    assert!(
        fs::read_to_string(t.path("ready"))
            .unwrap()
            .contains("left shm=ok"),
        "{run}"
    );
    for kind in [
        "tmp", "shmfs", "shm", "abstract", "tcp", "process", "template",
    ] {
        assert_eq!(
            out.matches(&format!("{kind}=none")).count(),
            2,
            "{kind}: {run}"
        );
        assert!(!out.contains(&format!("{kind}=seen")), "{kind}: {run}");
    }
});

#[test]
fn every_security_item_has_a_test() {
    let text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/SECURITY.md"
    ));
    let Ok(text) = text else {
        eprintln!("note: shared/SECURITY.md not found beside the checkout");
        return;
    };
    let items = text
        .lines()
        .filter(|l| {
            l.split('.')
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .count();
    let source = include_str!("security.rs");
    for i in 1..=items {
        assert!(
            source.contains(&format!("\n    item_{i:02}_"))
                || source.contains(&format!("both!(item_{i:02}_")),
            "SECURITY.md item {i} has no test"
        );
    }
}

// SECURITY.md 28: a redirection never hands a command one of the shell's own
// descriptors (10 and up, close-on-exec): `cmd <&14` gave a jail the terminal relay's
// socket, from which it took the next commands' terminals (a review's finding).
both!(
    item_28_a_redirection_never_hands_over_the_shells_own_descriptors,
    |t: &T| {
        let shell = pola_tests::pola_sh();
        // The shell holds descriptor 101 (its own pipe): unconfined, a process sees it.
        let run = t.plain(&[shell.to_str().unwrap(), "-c", "!!readlink /proc/$$/fd/101"]);
        assert!(run.success().starts_with("pipe:"), "{run}");
        // Named as a redirection's source, it is refused, as bash refuses a closed one.
        for script in [
            "readlink /proc/self/fd/0 <&101",
            "readlink /proc/self/fd/5 5<&101",
            "readlink /proc/self/fd/0 <&101-",
            "!!readlink /proc/self/fd/0 <&101",
        ] {
            let run = t.plain(&[shell.to_str().unwrap(), "-c", script]);
            assert!(!run.ok(), "{script}: {run}");
            assert!(
                run.stderr
                    .contains("101: bad file descriptor (in use by the shell)"),
                "{run}"
            );
            assert!(!run.stdout.contains("pipe:"), "{run}");
        }
        // The user's own descriptors above 9 still pass.
        t.write("f.txt", "mine\n");
        let run = t.plain(&[shell.to_str().unwrap(), "-c", "exec {x}<f.txt; cat <&$x"]);
        assert_eq!(run.success(), "mine\n");
    }
);

/// Bytes as the record writes a name: lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// A script's substitution of one program runs in the shell itself (not a forked copy:
// bench/README.md, fortieth stop), in the middle of the words of the command that holds
// it. Whatever that command had learned of its own words — that a word, its name or `$_`
// held a command's output — must outlive the substitution, as it did when a forked copy
// ran it: a later `$(tool)` on the line made a jail's `@net` a capability, its `.` the
// command that sources a script with `!!`, and `$_` text that `eval` ran with `!!`
// (review of the change). Each line first runs vouched for (`!!eval`, `!!.`), which is
// the attack working; then as it is, refused.
both!(
    text_a_command_made_is_still_so_after_a_substitution_the_shell_runs,
    |t: &T| {
        let dir = t.mkdir("w");
        let cd = format!("cd {} && ", dir.display());
        let pwned = t.path("PWNED");
        // What a jail could have written.
        t.write("w/cap", "@net\n");
        t.write("w/dot", ".\n");
        t.write("w/name", "touch\n");
        t.write("w/bang", &format!("!!touch {}\n", pwned.display()));
        t.write("w/x.sh", &format!("!!touch {}\n", pwned.display()));
        let host_lines = fs::read_to_string("/proc/net/dev").unwrap().lines().count();
        // The network, asked for by the jail's text.
        let net = "cat /proc/net/dev + $(cat cap) $(/usr/bin/true)";
        let run = sh(t, &format!("{cd}!!eval \"{net}\" | wc -l"));
        assert_eq!(run.success().trim(), host_lines.to_string(), "{run}");
        for line in [
            net.to_string(),
            "X=$(/usr/bin/true) cat /proc/net/dev + $(cat cap)".to_string(),
        ] {
            let run = sh(t, &format!("{cd}{line}"));
            assert_eq!(run.code, Some(126), "{line}: {run}");
            assert!(
                run.stderr
                    .contains("@net: refused: this text holds a command's output"),
                "{line}: {run}"
            );
        }
        // `!!` in `$_`.
        let last = "echo \"$(cat bang)\" > /dev/null; y=$(cat cap)";
        let run = sh(t, &format!("{cd}{last}; !!eval \"$_\""));
        assert!(run.ok() && pwned.exists(), "{run}");
        fs::remove_file(&pwned).unwrap();
        let run = sh(t, &format!("{cd}{last}; eval \"$_\""));
        assert!(!pwned.exists(), "{run}");
        assert!(run.stderr.contains("'!!' refused"), "{run}");
        // The command's name.
        let run = sh(t, &format!("{cd}!!. ./x.sh"));
        assert!(run.ok() && pwned.exists(), "{run}");
        fs::remove_file(&pwned).unwrap();
        let run = sh(t, &format!("{cd}$(cat dot) ./x.sh $(/usr/bin/true)"));
        assert!(!pwned.exists(), "{run}");
        assert!(run.stderr.contains("'!!' refused"), "{run}");
        let run = sh(t, &format!("{cd}$(cat name) => made $(/usr/bin/true)"));
        assert!(!dir.join("made").exists(), "{run}");
        assert!(run.stderr.contains("refused"), "{run}");
    }
);
