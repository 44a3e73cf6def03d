//! pola-sh's zygote (`pola-shim --zygote`), which forks each command's shim: a jail it
//! starts must be the jail a spawned shim builds — the shell's descriptors, umask and
//! process group of that moment, a network namespace of its own — the zygote must
//! hold nothing of the host, and everything must die with the shell.

use std::fs;

use pola_tests::{both, pola_sh, processes, wait_for, Run, Who, T};

fn sh(t: &T, script: &str) -> Run {
    t.plain(&[pola_sh().to_str().unwrap(), "-c", script])
}

fn sh_without_zygote(t: &T, script: &str) -> Run {
    t.plain(&[
        "env",
        "POLA_ZYGOTE=0",
        pola_sh().to_str().unwrap(),
        "-c",
        script,
    ])
}

fn tag(t: &T, base: u32) -> String {
    let who = if t.who == Who::Root { 0 } else { 1 };
    format!("{}", base + std::process::id() % 40_000 * 2 + who)
}

both!(commands_get_the_shells_state_of_the_moment, |t: &T| {
    t.write("f.txt", "content\n");
    // What a spawned shim inherits from the shell when the command starts — umask,
    // the descriptors of a redirected block, a closed stdin, a variable the shell set
    // — the zygote's copy must get too: same output with and without it.
    // (The first command starts the zygote; the rest changes after it.)
    let script =
        "cat f.txt > /dev/null; umask 077; sh -c umask; { cat f.txt; } > out.txt; cat out.txt; \
                  sh -c 'ls /proc/self/fd' <&-; exec 3< f.txt; ls /proc/self/fd; \
                  ( cat f.txt ); echo \"$(cat f.txt)\"; X=1 sh -c 'echo x=$X'";
    let with = sh(t, script);
    let without = sh_without_zygote(t, script);
    assert_eq!(with.success(), without.success(), "{with}\n{without}");
    assert!(with.stdout.starts_with("0077\ncontent\n"), "{with}");
});

both!(
    every_command_gets_a_network_namespace_of_its_own,
    |t: &T| {
        t.write(
            "server.py",
            "import socket, sys\n\
         s = socket.socket()\n\
         s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
         s.bind(('127.0.0.1', int(sys.argv[1])))\n\
         s.listen()\n\
         s.settimeout(2.5)\n\
         try:\n    s.accept()[0].close()\nexcept OSError:\n    pass\n",
        );
        t.write(
            "client.py",
            "import socket, sys, time\n\
         end = time.time() + 2\n\
         while time.time() < end:\n\
         \x20   try:\n\
         \x20       socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=0.5)\n\
         \x20       print('connected'); sys.exit(0)\n\
         \x20   except OSError:\n\
         \x20       time.sleep(0.05)\n\
         print('refused')\n",
        );
        let who = if t.who == Who::Root { 0 } else { 1 };
        let port = format!("{}", 20_000 + std::process::id() % 20_000 * 2 + who);
        let py = "/usr/bin/python3";
        let both_programs = format!("{py} server.py {port} & {py} client.py {port}; wait");
        // Two plain processes share a network: the client reaches the server.
        let plain = t.plain(&["sh", "-c", &both_programs]);
        assert_eq!(plain.success(), "connected\n", "{plain}");
        // Within one jail they share one too (the test can see a shared namespace)...
        let one = sh(t, &format!("sh -c '{both_programs}' + server.py client.py"));
        assert_eq!(one.success(), "connected\n", "{one}");
        // ...but two commands of the shell, each in its jail, do not: not one after
        // another from the zygote's ready-made namespaces, not side by side.
        let two = sh(t, &both_programs);
        assert_eq!(two.success(), "refused\n", "{two}");
        let ids = sh(
            t,
            "readlink /proc/self/ns/net; readlink /proc/self/ns/net; readlink /proc/self/ns/net",
        );
        let ids: Vec<&str> = ids.success().lines().collect();
        let host = fs::read_link("/proc/self/ns/net").unwrap();
        assert_eq!(ids.len(), 3);
        assert!(
            ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
            "{ids:?}"
        );
        assert!(!ids.contains(&host.to_str().unwrap()), "{ids:?}");
    }
);

both!(the_zygote_holds_nothing_and_dies_with_the_shell, |t: &T| {
    t.write("f.txt", "content\n");
    let marker = tag(t, 300_000);
    let mut shell = t
        .command(
            pola_sh(),
            &["-c", &format!("cat f.txt > /dev/null; sleep {marker}")],
        )
        .spawn()
        .unwrap();
    let sleeping = |cmd: &str| cmd.starts_with("sleep ") && cmd.contains(&marker);
    assert!(wait_for(|| !processes(sleeping).is_empty(), 5));
    let zygotes = processes(|cmd| cmd.contains("pola-shim --zygote"));
    let (zygote, _) = *zygotes
        .iter()
        .find(|(_, ppid)| *ppid == shell.id())
        .expect("the shell started a zygote");
    // Its descriptors: /dev/null as 0, 1, 2 and the socket to the shell; no file,
    // directory or terminal of the host.
    let mut fds: Vec<String> = fs::read_dir(format!("/proc/{zygote}/fd"))
        .unwrap()
        .flatten()
        .map(|e| {
            let target = fs::read_link(e.path()).unwrap_or_default();
            format!("{} {}", e.file_name().to_string_lossy(), target.display())
        })
        .collect();
    fds.sort_by_key(|f| f.split(' ').next().and_then(|n| n.parse::<u32>().ok()));
    assert_eq!(fds.len(), 4, "{fds:?}");
    assert_eq!(&fds[..3], ["0 /dev/null", "1 /dev/null", "2 /dev/null"]);
    assert!(fds[3].starts_with("10 socket:"), "{fds:?}");
    assert_eq!(
        fs::read_link(format!("/proc/{zygote}/cwd")).unwrap(),
        std::path::Path::new("/")
    );
    // The shell's jails are its own children (forked copies of the zygote, so they
    // carry its command line), not the zygote's.
    let shims: Vec<(u32, u32)> = processes(|cmd| cmd.contains("pola-shim"))
        .into_iter()
        .filter(|(pid, _)| *pid != zygote)
        .collect();
    assert!(
        shims.iter().any(|(_, ppid)| *ppid == shell.id()),
        "{shims:?}"
    );
    assert!(shims.iter().all(|(_, ppid)| *ppid != zygote), "{shims:?}");
    shell.kill().unwrap();
    shell.wait().unwrap();
    assert!(
        wait_for(
            || processes(sleeping).is_empty()
                && !std::path::Path::new(&format!("/proc/{zygote}")).exists(),
            5
        ),
        "the jail or the zygote outlived the shell"
    );
});

// Hints' shared file system's host (`pola-shim --cwd-host`) holds nothing of the host
// either, and dies with the shell.
both!(
    the_hints_host_holds_nothing_and_dies_with_the_shell,
    |t: &T| {
        t.write("f.txt", "content\n");
        let marker = tag(t, 400_000);
        let mut shell = t
            .command(
                pola_sh(),
                &[
                    "--hints",
                    "-c",
                    &format!("cat f.txt > /dev/null; sleep {marker}"),
                ],
            )
            .spawn()
            .unwrap();
        let sleeping = |cmd: &str| cmd.starts_with("sleep ") && cmd.contains(&marker);
        assert!(wait_for(|| !processes(sleeping).is_empty(), 5));
        let hosts = processes(|cmd| cmd.contains("pola-shim --cwd-host"));
        let (host, _) = *hosts
            .iter()
            .find(|(_, ppid)| *ppid == shell.id())
            .expect("the shell started a host");
        let mut fds: Vec<String> = fs::read_dir(format!("/proc/{host}/fd"))
            .unwrap()
            .flatten()
            .map(|e| {
                let target = fs::read_link(e.path()).unwrap_or_default();
                format!("{} {}", e.file_name().to_string_lossy(), target.display())
            })
            .collect();
        fds.sort_by_key(|f| f.split(' ').next().and_then(|n| n.parse::<u32>().ok()));
        assert_eq!(fds.len(), 4, "{fds:?}");
        assert_eq!(&fds[..3], ["0 /dev/null", "1 /dev/null", "2 /dev/null"]);
        assert!(fds[3].starts_with("10 socket:"), "{fds:?}");
        assert_eq!(
            fs::read_link(format!("/proc/{host}/cwd")).unwrap(),
            std::path::Path::new("/")
        );
        shell.kill().unwrap();
        shell.wait().unwrap();
        assert!(
            wait_for(
                || processes(sleeping).is_empty()
                    && !std::path::Path::new(&format!("/proc/{host}")).exists(),
                5
            ),
            "the jail or the host outlived the shell"
        );
    }
);
