//! pola-run as a user meets it: grants, errors, exit statuses, and real programs
//! working with only their arguments granted. Each test runs as root and as an
//! unprivileged user.

use std::fs;
use std::io::Write;
use std::process::Stdio;

use pola_tests::{both, Who, T};

both!(a_read_only_grant_is_readable, |t: &T| {
    t.write("f.txt", "hello\n");
    assert_eq!(
        t.jail(&["--ro", "f.txt"], &["cat", "f.txt"]).success(),
        "hello\n"
    );
    let denied = t.jail(&[], &["cat", "f.txt"]);
    assert_eq!(denied.code, Some(1), "{denied}");
    assert!(
        denied.stderr.contains("No such file or directory"),
        "{denied}"
    );
});

// A directory of the default environment named whole (`ls /etc`, `grep -r x /etc`) is
// the host's, as granted, without what the default environment makes there (the
// jail's own /etc/passwd and /etc/group): nothing can be made in its read-only bind,
// and the command could not be launched ("/etc/group: cannot be placed in the jail").
both!(a_default_directory_named_whole_is_the_hosts, |t: &T| {
    let sh = pola_tests::pola_sh();
    let run = t.plain(&[
        sh.to_str().unwrap(),
        "-c",
        "ls -d /etc /etc/passwd; cd /etc; ls -d /etc",
    ]);
    assert_eq!(run.success(), "/etc\n/etc/passwd\n/etc\n", "{run}");
    let run = t.jail(&["--ro", "/etc"], &["ls", "-d", "/etc/passwd"]);
    assert_eq!(run.success(), "/etc/passwd\n", "{run}");
});

both!(homes_are_empty_or_missing, |t: &T| {
    let run = t.jail(
        &[],
        &[
            "sh",
            "-c",
            "ls -A /root ~ 2>&1; ls /home 2>&1; ls -A /home/* 2>&1; true",
        ],
    );
    for line in run.success().lines() {
        assert!(
            line.ends_with(':')
                || line.contains("No such file")
                || line.trim().is_empty()
                || line == "polatest",
            "unexpected entry: {line}\n{run}"
        );
    }
});

both!(a_granted_directory_is_listed_recursively, |t: &T| {
    t.write("d/a", "");
    t.write("d/sub/b", "");
    let run = t.jail(&["--ro", "d"], &["ls", "-R", "d"]);
    assert_eq!(run.success(), "d:\na\nsub\n\nd/sub:\nb\n");
});

both!(read_only_means_read_only_and_rw_allows_writing, |t: &T| {
    let f = t.write("f.txt", "original\n");
    let ro = t.jail(&["--ro", "f.txt"], &["sh", "-c", "echo more >> f.txt"]);
    assert!(
        !ro.ok() && ro.stderr.contains("Read-only file system"),
        "{ro}"
    );
    assert_eq!(fs::read_to_string(&f).unwrap(), "original\n");
    t.jail(&["--rw", "f.txt"], &["sh", "-c", "echo more >> f.txt"])
        .success();
    assert_eq!(fs::read_to_string(&f).unwrap(), "original\nmore\n");
});

both!(write_grants_on_new_names_create_files, |t: &T| {
    t.jail(&["--rw", "new.txt"], &["sh", "-c", "echo x > new.txt"])
        .success();
    assert_eq!(fs::read_to_string(t.path("new.txt")).unwrap(), "x\n");
    let meta = fs::metadata(t.path("new.txt")).unwrap();
    assert_eq!(std::os::unix::fs::MetadataExt::uid(&meta), t.uid);
    // A failing command that leaves the file empty: the file it never used goes away.
    let failed = t.jail(&["--rw", "unused.txt"], &["false"]);
    assert_eq!(failed.code, Some(1));
    assert!(!t.path("unused.txt").exists());
    // A failed launch removes it too.
    let aborted = t.jail(&["--rw", "never.txt", "--ro", "missing"], &["true"]);
    assert_eq!(aborted.code, Some(125), "{aborted}");
    assert!(!t.path("never.txt").exists());
    // Output the command did write is kept even when it fails.
    let partial = t.jail(
        &["--rw", "partial.txt"],
        &["sh", "-c", "echo data > partial.txt; exit 3"],
    );
    assert_eq!(partial.code, Some(3));
    assert_eq!(fs::read_to_string(t.path("partial.txt")).unwrap(), "data\n");
});

both!(writes_outside_the_grants_fail_loudly, |t: &T| {
    // The working directory is part of the read-only skeleton.
    let run = t.jail(&[], &["sh", "-c", "echo x > here.txt"]);
    assert!(
        !run.ok() && run.stderr.contains("Read-only file system"),
        "{run}"
    );
    let run = t.jail(&[], &["sh", "-c", "mkdir /newdir"]);
    assert!(
        !run.ok() && run.stderr.contains("Read-only file system"),
        "{run}"
    );
    assert!(!t.path("here.txt").exists());
});

both!(leftovers_in_private_scratch_are_reported, |t: &T| {
    let run = t.jail(&[], &["sh", "-c", "touch /tmp/a /tmp/b ~/c"]);
    run.success();
    assert!(
        run.stderr
            .contains("pola-run: sh: 2 files left in private /tmp were discarded: a, b\n"),
        "{run}"
    );
    let home = t.home.display();
    assert!(
        run.stderr.contains(&format!(
            "pola-run: sh: 1 file left in private {home} was discarded"
        )),
        "{run}"
    );
    // Named as the jail made them: escaped; and a file written in a private working
    // directory says how to keep it.
    let run = t.output(t.pola_sh_command(
        "cd ~ && /usr/bin/python3 -c 'open(\"x\\x1b[2Jy\", \"w\"); open(\"notes.txt\", \"w\")' notes.txt",
    ));
    assert!(
        run.stderr.contains(&format!(
            "2 files left in private {home} were discarded: notes.txt, x\\e[2Jy (a write grant keeps it: /usr/bin/python3 … => notes.txt)"
        )),
        "{run}"
    );
    // A file the line named is lost: the command fails, so that `&&` does not go on
    // (`cd ~ && sort in -o sorted && rm in` removed the input with the result gone).
    assert!(!run.ok(), "{run}");
    t.write("home-in", "b\na\n");
    let run = t.output(t.pola_sh_command(&format!(
        "cd ~ && cat {} > in && sort in -o sorted && echo went-on",
        t.path("home-in").display()
    )));
    assert!(!run.ok() && !run.stdout.contains("went-on"), "{run}");
    assert!(run.stderr.contains("discarded: sorted"), "{run}");
    // A directory made there is said too; a grant is suggested only for a name the
    // user typed, never for one the jail chose.
    let run = t.output(
        t.pola_sh_command("cd ~ && mkdir d; /usr/bin/python3 -c 'open(\".bashrc\", \"w\")'"),
    );
    assert!(
        run.stderr.contains(&format!(
            "pola-sh: mkdir: 1 directory left in private {home} was discarded: d/ (a write grant keeps it: mkdir … => d)\n"
        )),
        "{run}"
    );
    assert!(
        run.stderr.contains(&format!(
            "1 file left in private {home} was discarded: .bashrc\n"
        )),
        "{run}"
    );
    let quiet = t.jail(&[], &["true"]);
    assert_eq!(quiet.stderr, "", "{quiet}");
    // What programs keep in a home as they go (histories, caches) is not worth a line
    // each time `less` or `vim` ran; anything beside it still is.
    let script = "echo 1 > ~/.lesshst; echo 2 > ~/.viminfo; mkdir -p ~/.cache/pip ~/.local/state/x ~/.config/procps; echo 3 > ~/.cache/pip/y; echo 4 > ~/.local/state/x/z";
    let quiet = t.jail(&[], &["sh", "-c", script]);
    assert_eq!(quiet.stderr, "", "{quiet}");
    // npm's log, which npm leaves on every run, is said when npm's error named it ("A
    // complete log of this run can be found in: …", a line npm writes in the log
    // too): the file was gone without a word (new-user trial). Not a failed run whose
    // log npm did not name (`npm test`), nor a success.
    let log = |text: &str| {
        format!("mkdir -p ~/.npm/_logs && printf '1 verbose cli\\n{text}' > ~/.npm/_logs/run-debug-0.log")
    };
    let named = log("9 error A complete log of this run can be found in: /x\\n");
    let quiet = t.jail(&[], &["sh", "-c", &named]);
    assert_eq!(quiet.stderr, "", "{quiet}");
    let quiet = t.jail(
        &[],
        &[
            "sh",
            "-c",
            &format!("{}; exit 1", log("9 verbose exit 1\\n")),
        ],
    );
    assert_eq!(quiet.stderr, "", "{quiet}");
    let failed = t.jail(&[], &["sh", "-c", &format!("{named}; exit 1")]);
    assert!(
        failed.stderr.contains(&format!(
            "1 file left in private {home} was discarded: .npm/_logs/run-debug-0.log\n"
        )),
        "{failed}"
    );
    // A file the user named below the private home (`ssh-keygen -f ~/.ssh/key`) is
    // said to be kept by a write grant.
    let run = t.output(t.pola_sh_command("sh -c 'mkdir -p ~/sub && echo k > \"$1\"' sh ~/sub/key"));
    assert!(
        run.stderr.contains(&format!(
            "was discarded: sub/key (a write grant keeps it: sh … => {home}/sub/key)"
        )),
        "{run}"
    );
    // With what it made beside it under the same name (`ssh-keygen -f ~/.ssh/key`
    // made key.pub too, and was told only of key; new-user trial).
    let run = t.output(t.pola_sh_command(
        "sh -c 'mkdir -p ~/sub && echo k > \"$1\" && echo p > \"$1\".pub' sh ~/sub/pair",
    ));
    assert!(
        run.stderr.contains(&format!(
            "were discarded: sub/pair, sub/pair.pub (a write grant keeps them: sh … => {home}/sub/pair + => {home}/sub/pair.pub)"
        )),
        "{run}"
    );
    // Or named through `..` from a directory below (`git worktree add ../wt` from a
    // project in the home: the new work tree discarded, status 0; new-user trial).
    t.mkdir("h");
    t.mkdir("h/proj");
    let mut cmd = t.pola_sh_command(
        "cd ~/proj && sh -c 'mkdir \"$1\" && echo w > \"$1\"/f' sh ../made + .; echo st=$?",
    );
    cmd.env("HOME", t.path("h"));
    let run = t.output(cmd);
    assert!(
        run.stderr
            .contains("was discarded: made/f (below ../made, which the line names)\n")
            && run.stdout == "st=1\n",
        "{run}"
    );
    // Or below a directory a word gives as a value (`make install PREFIX=~/.local`:
    // status 0 and the files installed gone; new-user trial). The command fails.
    let run = t.output(t.pola_sh_command(
        "sh -c 'mkdir -p \"${1#*=}\"/bin && echo p > \"${1#*=}\"/bin/prog' sh PREFIX=$HOME/inst; echo st=$?",
    ));
    assert!(
        run.stderr.contains(&format!(
            "was discarded: inst/bin/prog (a write grant keeps it: sh … + => {home}/inst)"
        )) && run.stdout == "st=1\n",
        "{run}"
    );
    // Not for one the jail chose below a directory the user named (the home itself),
    // nor below any word but a place to install into (a jail writing
    // .ssh/authorized_keys was told `+ => .ssh`; security review).
    let run = t.output(t.pola_sh_command("sh -c 'echo x > ~/made' sh PREFIX=$HOME; echo st=$?"));
    assert!(
        run.stderr.contains("was discarded: made\n") && run.stdout == "st=0\n",
        "{run}"
    );
    let run = t.output(t.pola_sh_command(
        "sh -c 'mkdir -p ~/.ssh ~/c && echo k > ~/.ssh/k && echo c > ~/c/x' sh $HOME/c \
         XDG_CONFIG_HOME=$HOME/c PREFIX=$HOME/.ssh; echo st=$?",
    ));
    // (Lost below a word the line names, `$HOME/c`: the command fails, and no grant
    // is suggested.)
    assert!(
        run.stdout == "st=1\n"
            && !run.stderr.contains("a write grant keeps it")
            && run.stderr.contains("which the line names)"),
        "{run}"
    );
    // Beside a slot in the home directory too (`vim => ~/.bashrc` leaves .viminfo).
    let own = t.mkdir("home");
    t.write("home/.bashrc", "rc\n");
    let beside = |name: &str| {
        let script = format!("echo x > ~/{name}; echo rc2 > ~/.bashrc");
        let mut cmd = t.command(
            pola_tests::pola_sh(),
            &["-c", &format!("sh -c '{script}' + => ~/.bashrc")],
        );
        cmd.env("HOME", &own);
        t.output(cmd)
    };
    let run = beside(".viminfo");
    assert!(run.ok() && run.stderr.is_empty(), "{run}");
    let run = beside("notes");
    assert!(run.stderr.contains("discarded: notes"), "{run}");
    assert_eq!(fs::read_to_string(own.join(".bashrc")).unwrap(), "rc2\n");
    let run = t.jail(
        &[],
        &["sh", "-c", &format!("{script}; echo 5 > ~/.lesskey")],
    );
    assert!(
        run.stderr.contains(&format!(
            "1 file left in private {home} was discarded: .lesskey\n"
        )),
        "{run}"
    );
});

both!(errors_are_one_line_with_the_right_status, |t: &T| {
    let cases: &[(&[&str], &[&str], i32, &str)] = &[
        (
            &["--ro", "nope.txt"],
            &["cat", "nope.txt"],
            125,
            "pola-run: no such file: ",
        ),
        // Not there, also where a write grant below it would make it a slot (it
        // did, and the command ran without it; trial).
        (
            &["--ro", "nope", "--rw", "nope/obj"],
            &["true"],
            125,
            "pola-run: no such file: ",
        ),
        (
            &[],
            &["no-such-program-xyz"],
            127,
            "pola-run: no-such-program-xyz: command not found",
        ),
        (&[], &["./plain.txt"], 126, "pola-run: "),
        (
            &["--env", "NOEQUALS"],
            &["true"],
            125,
            "pola-run: --env: expected NAME=VALUE",
        ),
        (
            &["--cwd", "/nonexistent-dir"],
            &["true"],
            125,
            "pola-run: --cwd: no such directory: /nonexistent-dir",
        ),
        (
            &["--bogus"],
            &["true"],
            125,
            "pola-run: unexpected argument '--bogus'",
        ),
        (
            &["--rw", "plain.txt/x"],
            &["true"],
            125,
            "pola-run: cannot create ",
        ),
    ];
    t.write("plain.txt", "not a program");
    for (opts, args, status, message) in cases {
        let run = t.jail(opts, args);
        assert_eq!(run.code, Some(*status), "{run}");
        assert_eq!(run.stderr.lines().count(), 1, "one line:\n{run}");
        assert!(
            run.stderr.starts_with(message),
            "expected {message:?}:\n{run}"
        );
        assert!(!run.stderr.contains("panicked"), "{run}");
    }
});

both!(explain_prints_the_tree_and_runs_nothing, |t: &T| {
    t.write("in.txt", "x");
    let run = t.jail(
        &["--ro", "in.txt", "--rw", "out.txt", "--explain"],
        &["touch", "marker"],
    );
    let text = run.success();
    assert!(
        text.starts_with(
            "program: /usr/bin/touch\nprofile: none\nnetwork: private (loopback only)\n/\n"
        ),
        "{run}"
    );
    assert!(
        text.contains("in.txt") && text.contains("ro (command line)"),
        "{run}"
    );
    assert!(
        text.contains("out.txt") && text.contains("slot (command line)"),
        "{run}"
    );
    assert!(
        text.contains("usr") && text.contains("ro (default)"),
        "{run}"
    );
    assert!(
        text.contains("tmp") && text.contains("private tmpfs"),
        "{run}"
    );
    assert!(!t.path("marker").exists() && !t.path("out.txt").exists());
});

both!(exit_statuses_are_a_shells, |t: &T| {
    assert_eq!(t.jail(&[], &["sh", "-c", "exit 7"]).code, Some(7));
    assert_eq!(
        t.jail(&[], &["sh", "-c", "kill -TERM $$"]).code,
        Some(128 + 15)
    );
});

both!(stdin_and_stdout_pass_through, |t: &T| {
    let mut child = t
        .jail_command(&[], &["cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"through stdin\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "through stdin\n");
    assert!(out.status.success());
});

both!(signals_sent_to_pola_run_reach_the_command, |t: &T| {
    let mut child = t
        .jail_command(
            &[],
            &[
                "sh",
                "-c",
                "trap 'echo got-term; exit 42' TERM; echo ready; sleep 30 & wait",
            ],
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    line.clear();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line, "got-term\n");
    assert_eq!(child.wait().unwrap().code(), Some(42));
});

both!(the_default_environment_is_configurable, |t: &T| {
    t.write("extra/tool-data", "configured");
    let config = t.mkdir("config");
    t.write(
        "config/pola-sh/environment",
        &format!(
            "ro /usr\nro /bin\nro /lib\nro /lib64\ntmpfs /tmp\nro {}\n",
            t.path("extra").display()
        ),
    );
    let mut cmd = t.jail_command(&[], &["cat", &t.path("extra/tool-data").to_string_lossy()]);
    cmd.env("XDG_CONFIG_HOME", &config);
    assert_eq!(t.output(cmd).success(), "configured");
    t.write("config/pola-sh/environment", "ro /usr\nrx /opt\n");
    let mut cmd = t.jail_command(&[], &["true"]);
    cmd.env("XDG_CONFIG_HOME", &config);
    let bad = t.output(cmd);
    assert_eq!(bad.code, Some(125), "{bad}");
    assert!(
        bad.stderr.contains("environment:2: unknown entry 'rx'"),
        "{bad}"
    );
    // pola-sh with it still starts (a login shell the user could not use to fix the
    // file): builtins and `!!` run, each jailed command fails saying why.
    let mut cmd = t.command(
        pola_tests::pola_sh(),
        &[
            "-c",
            "echo builtin; /usr/bin/true; echo status=$?; !!echo unconfined",
        ],
    );
    cmd.env("XDG_CONFIG_HOME", &config);
    let run = t.output(cmd);
    assert_eq!(run.stdout, "builtin\nstatus=125\nunconfined\n", "{run}");
    assert!(
        run.stderr.contains("true: not run: ")
            && run.stderr.contains("environment:2: unknown entry 'rx'"),
        "{run}"
    );
});

both!(
    passwd_and_group_list_only_the_user_root_and_nobody,
    |t: &T| {
        let run = t.jail(
            &[],
            &[
                "sh",
                "-c",
                "cut -d: -f1 /etc/passwd; echo --; cut -d: -f1 /etc/group; echo --; id -un",
            ],
        );
        let text = run.success();
        let host_users = fs::read_to_string("/etc/passwd").unwrap().lines().count();
        assert!(
            host_users > 3,
            "the host has more accounts than the jail shows"
        );
        let parts: Vec<&str> = text.split("--\n").collect();
        let users: Vec<&str> = parts[0].lines().collect();
        match t.who {
            Who::Root => assert_eq!(users, ["root", "nobody"]),
            Who::User => assert_eq!(users, ["root", "polatest", "nobody"]),
        }
        assert!(parts[1].lines().count() <= 3, "{run}");
        assert_eq!(
            parts[2].trim(),
            if t.who == Who::Root {
                "root"
            } else {
                "polatest"
            }
        );
    }
);

both!(network_files_come_with_net, |t: &T| {
    let probe = [
        "sh",
        "-c",
        "test -e /etc/resolv.conf && echo present || echo absent",
    ];
    if !std::path::Path::new("/etc/resolv.conf").exists() {
        eprintln!("note: no /etc/resolv.conf on this host");
        return;
    }
    assert_eq!(t.jail(&[], &probe).success(), "absent\n");
    assert_eq!(t.jail(&["--net"], &probe).success(), "present\n");
    let lo = t.jail(&[], &["cat", "/sys/class/net/lo/operstate"]);
    assert!(!lo.ok(), "/sys is not part of the jail:\n{lo}");
});

both!(missing_user_namespaces_are_explained, |t: &T| {
    // In a user namespace of its own, the test may forbid further ones without
    // touching the host's setting.
    let script = format!(
        "echo 0 > /proc/sys/user/max_user_namespaces && {} -- true",
        pola_tests::pola_run().display()
    );
    let run = t.plain(&["unshare", "-Ur", "sh", "-c", &script]);
    assert_eq!(run.code, Some(125), "{run}");
    assert!(
        run.stderr.contains("user namespaces are not available"),
        "{run}"
    );
    assert!(
        run.stderr.contains("sysctl -w user.max_user_namespaces="),
        "{run}"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
});

/// Python that installs a seccomp filter refusing `unshare` with EPERM (as Docker's
/// default profile does for a container without CAP_SYS_ADMIN, or systemd's
/// `RestrictNamespaces=`), then executes its arguments under it.
const REFUSE_UNSHARE: &str = r#"
import ctypes, os, platform, sys
class Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]
class Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]
unshare = {"x86_64": 272, "aarch64": 97}[platform.machine()]
rules = [(0x20, 0, 0, 0), (0x15, 0, 1, unshare), (0x06, 0, 0, 0x00050000 | 1), (0x06, 0, 0, 0x7fff0000)]
filters = (Filter * len(rules))(*[Filter(*r) for r in rules])
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
assert libc.prctl(22, 2, ctypes.byref(Program(len(rules), filters))) == 0  # PR_SET_SECCOMP, filter
os.execvp(sys.argv[1], sys.argv[1:])
"#;

both!(a_seccomp_filter_refusing_unshare_is_explained, |t: &T| {
    let under_filter = |args: &[&str]| {
        let mut all = vec!["/usr/bin/python3", "-c", REFUSE_UNSHARE];
        all.extend(args);
        t.plain(&all)
    };
    // The filter does refuse user namespaces: a plain unshare fails under it, and
    // works without it.
    assert!(t.plain(&["unshare", "-U", "true"]).ok());
    let plain = under_filter(&["unshare", "-U", "true"]);
    assert!(!plain.ok(), "{plain}");
    // pola-run says why, in one line, and runs nothing with less confinement.
    let run = under_filter(&[
        pola_tests::pola_run().to_str().unwrap(),
        "--",
        "sh",
        "-c",
        "echo ran",
    ]);
    assert_eq!(run.code, Some(125), "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert!(
        run.stderr
            .contains("user namespaces are not available (unshare: EPERM"),
        "{run}"
    );
    assert!(run.stderr.contains("seccomp"), "{run}");
    assert!(run.stderr.contains("refuses unshare"), "{run}");
    // So does pola-sh, for each jailed command; its builtins still run.
    let sh = under_filter(&[
        pola_tests::pola_sh().to_str().unwrap(),
        "-c",
        "echo builtin; sh -c 'echo ran'",
    ]);
    assert_eq!(sh.code, Some(125), "{sh}");
    assert_eq!(sh.stdout, "builtin\n", "{sh}");
    assert_eq!(sh.stderr.lines().count(), 1, "{sh}");
    assert!(
        sh.stderr
            .starts_with("pola-sh: sh: user namespaces are not available"),
        "{sh}"
    );
    assert!(sh.stderr.contains("refuses unshare"), "{sh}");
});

// Real programs work with only their arguments granted.

both!(coreutils_grep_sed_awk_sort, |t: &T| {
    t.write("nums", "3\n1\n2\n");
    assert_eq!(
        t.jail(&["--ro", "nums"], &["sort", "-n", "nums"]).success(),
        "1\n2\n3\n"
    );
    assert_eq!(
        t.jail(&["--ro", "nums"], &["grep", "-c", "[12]", "nums"])
            .success(),
        "2\n"
    );
    assert_eq!(
        t.jail(&["--ro", "nums"], &["sed", "s/1/one/", "nums"])
            .success(),
        "3\none\n2\n"
    );
    assert_eq!(
        t.jail(&["--ro", "nums"], &["awk", "{s+=$1} END {print s}", "nums"])
            .success(),
        "6\n"
    );
    assert_eq!(
        t.jail(&["--ro", "nums"], &["wc", "-l", "nums"]).success(),
        "3 nums\n"
    );
    assert_eq!(
        t.jail(&["--ro", "nums"], &["sha256sum", "nums"])
            .success()
            .len(),
        64 + 2 + 4 + 1
    );
    t.mkdir("out");
    t.jail(
        &["--ro", "nums", "--rw", "out"],
        &["cp", "nums", "out/copy"],
    )
    .success();
    assert_eq!(fs::read_to_string(t.path("out/copy")).unwrap(), "3\n1\n2\n");
});

both!(tar_and_gzip, |t: &T| {
    t.write("d/a", "alpha");
    t.write("d/sub/b", "beta");
    t.mkdir("out");
    t.jail(
        &["--ro", "d", "--rw", "out"],
        &["tar", "-czf", "out/d.tgz", "d"],
    )
    .success();
    let list = t.jail(&["--ro", "out"], &["tar", "-tzf", "out/d.tgz"]);
    let mut names: Vec<&str> = list.success().lines().collect();
    names.sort();
    assert_eq!(names, ["d/", "d/a", "d/sub/", "d/sub/b"]);
    t.jail(
        &["--ro", "d", "--rw", "out"],
        &["sh", "-c", "gzip -c d/a > out/a.gz"],
    )
    .success();
    assert_eq!(
        t.jail(&["--ro", "out"], &["zcat", "out/a.gz"]).success(),
        "alpha"
    );
});

both!(python_and_shell_scripts, |t: &T| {
    let py = t.jail(
        &[],
        &[
            "python3",
            "-c",
            "import json, sqlite3; print(json.dumps(sqlite3.sqlite_version_info[:1]))",
        ],
    );
    assert_eq!(py.success(), "[3]\n");
    for (name, shebang) in [
        ("s.sh", "#!/bin/sh"),
        ("d.sh", "#!/bin/dash"),
        ("b.sh", "#!/bin/bash"),
        ("p.py", "#!/usr/bin/env python3"),
    ] {
        let body = if name.ends_with(".py") {
            "import sys; print('args', sys.argv[1:])"
        } else {
            "echo args \"$@\""
        };
        let f = t.write(name, &format!("{shebang}\n{body}\n"));
        fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let run = t.jail(&[], &[format!("./{name}"), "x".into()]);
        let out = run.success();
        assert!(out == "args x\n" || out == "args ['x']\n", "{name}:\n{run}");
    }
});

both!(gcc_compiles_and_links_into_a_rw_directory, |t: &T| {
    t.write("src/main.c", "#include <stdio.h>\n#include \"util.h\"\nint main(void){printf(\"%d\\n\", add(2, 3));return 0;}\n");
    t.write("src/util.h", "int add(int, int);\n");
    t.write(
        "src/util.c",
        "#include \"util.h\"\nint add(int a, int b){return a + b;}\n",
    );
    t.mkdir("build");
    t.jail(
        &["--ro", "src", "--rw", "build"],
        &["gcc", "-c", "src/util.c", "-o", "build/util.o"],
    )
    .success();
    t.jail(
        &["--ro", "src", "--rw", "build"],
        &[
            "gcc",
            "-O2",
            "-o",
            "build/prog",
            "src/main.c",
            "build/util.o",
        ],
    )
    .success();
    assert_eq!(t.plain(&["./build/prog"]).success(), "5\n");
    assert_eq!(
        t.jail(&["--ro", "build"], &["./build/prog"]).success(),
        "5\n"
    );
});

both!(git_status_on_a_read_only_checkout, |t: &T| {
    t.write("repo/file.txt", "one\n");
    let git = |args: &[&str]| {
        let mut all = vec![
            "git",
            "-c",
            "user.email=t@example.org",
            "-c",
            "user.name=T",
            "-C",
            "repo",
        ];
        all.extend_from_slice(args);
        t.plain(&all).success().to_string()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "first"]);
    t.write("repo/file.txt", "two\n");
    t.write("repo/new.txt", "new\n");
    let run = t.jail(
        &["--ro", "repo"],
        &["git", "-C", "repo", "status", "--short"],
    );
    let mut lines: Vec<&str> = run.success().lines().collect();
    lines.sort();
    assert_eq!(lines, [" M file.txt", "?? new.txt"], "{run}");
    let log = t.jail(
        &["--ro", "repo"],
        &["git", "-C", "repo", "log", "--format=%s"],
    );
    assert_eq!(log.success(), "first\n");
});

both!(the_private_network_is_a_working_loopback_only, |t: &T| {
    let code = r#"
import socket
print("interfaces=" + ",".join(name for _, name in socket.if_nameindex()))
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
c = socket.create_connection(srv.getsockname(), timeout=3)
s, _ = srv.accept(); s.sendall(b"pong")
print("loopback=" + c.recv(4).decode())
"#;
    let run = t.py_jail(&[], code);
    assert_eq!(run.expect_field("interfaces"), "lo", "{run}");
    assert_eq!(run.expect_field("loopback"), "pong", "{run}");
    let plain = t.py_plain(code);
    assert_ne!(
        plain.expect_field("interfaces"),
        "lo",
        "the host has more than loopback:\n{plain}"
    );
});

both!(man_pages_format_without_warnings, |t: &T| {
    if !std::path::Path::new("/usr/bin/man").exists()
        || !std::path::Path::new("/etc/groff").exists()
    {
        return;
    }
    // troff warned on every page: groff's local settings (/etc/groff) were not there.
    let run = t.output(t.pola_sh_command("man ls | head -1; echo .TH X 1 | nroff -man | head -1"));
    assert!(run.ok(), "{run}");
    assert!(run.stdout.starts_with("LS(1)"), "{run}");
    assert_eq!(run.stderr, "", "{run}");
});

// `kill $!` of a script's background job: `$!` is the forked shell that runs the job,
// and the signal ended it (and its jails with it) without the program's handlers or
// traps running (rc 143, no cleanup). It reaches the job's programs now, and the job
// ends as they choose. Shown first in bash.
both!(
    kill_of_a_background_job_reaches_its_programs_traps,
    |t: &T| {
        t.write(
            "sig.sh",
            "trap 'echo got TERM; exit 5' TERM\necho ready\nwhile :; do sleep 0.1; done\n",
        );
        let line = "sh sig.sh & sleep 1; kill -TERM $!; wait $!; echo rc=$?";
        let bash = t.plain(&["bash", "-c", line]);
        assert_eq!(bash.stdout, "ready\ngot TERM\nrc=5\n", "{bash}");
        let run = t.output(t.pola_sh_command(line));
        assert_eq!(run.stdout, "ready\ngot TERM\nrc=5\n", "{run}");
        // A list in the background ends with the command the signal reached.
        let run = t.output(
            t.pola_sh_command("{ sh sig.sh; echo after; } & sleep 1; kill $!; wait $!; echo rc=$?"),
        );
        assert_eq!(run.stdout, "ready\ngot TERM\nrc=5\n", "{run}");
        // Between its commands, the signal ends it as before.
        let run =
            t.output(t.pola_sh_command("{ sleep 0.3; echo x; } & kill $!; wait $!; echo rc=$?"));
        assert!(run.stdout.ends_with("rc=143\n"), "{run}");
    }
);

// As root, `tar x` restores an archive's owners: in a jail, which has one user and no
// CAP_CHOWN, that failed (EINVAL, "Cannot change ownership", status 2) for every
// downloaded source archive, as did `cp -a` of another user's files (new-user trial).
// A root jail's change of owner to another id succeeds without being made (the files
// stay root's); another user's is refused as that user's own would be. `chown` itself
// is refused for both, and told to run unconfined: root's said "changed ownership of
// f" while nothing changed (trial 10).
both!(root_unpacks_archives_of_other_owners, |t: &T| {
    t.write("src/f", "x\n");
    t.plain(&["tar", "--owner=4242", "--group=4242", "-cf", "a.tar", "src"])
        .success();
    fs::remove_dir_all(t.path("src")).unwrap();
    let sh = |script: &str| t.output(t.pola_sh_command(script));
    let run =
        sh("tar xf a.tar + => .; echo rc=$?; stat -c %u src/f; chown 4242 => src/f; echo chown=$?");
    let own = t.uid.to_string();
    assert!(
        run.stdout.starts_with(&format!("rc=0\n{own}\nchown=")),
        "{run}"
    );
    assert!(!run.stdout.ends_with("chown=0\n"), "{run}");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(fs::metadata(t.path("src/f")).unwrap().uid(), t.uid);
    for line in ["chown -v 4242:4242 => src/f", "chgrp 4242 => src/f"] {
        let run = t.output(t.command(pola_tests::pola_sh(), &["--hints", "-c", line]));
        assert!(!run.ok(), "{run}");
        let name = &line[..5];
        assert!(
            run.stderr.contains(&format!("pola-sh: {name}: a jail has one user and one group, yours: files cannot be given to another there — to change owners, run it unconfined, on purpose: !!{name} …")),
            "{run}"
        );
    }
    // To one's own owner it is no change, and works (nothing to say).
    let run = t.output(t.command(
        pola_tests::pola_sh(),
        &["--hints", "-c", &format!("chown {own} => src/f")],
    ));
    assert!(run.ok() && run.stderr.is_empty(), "{run}");
    assert_eq!(fs::metadata(t.path("src/f")).unwrap().uid(), t.uid);
    // Unconfined, root's tar restores them (the behaviour the jail stands in for).
    if t.who == Who::Root {
        fs::remove_dir_all(t.path("src")).unwrap();
        sh("!!tar xf a.tar").success();
        assert_eq!(fs::metadata(t.path("src/f")).unwrap().uid(), 4242);
    }
});

// pola-sh's state directory made by another (root, through `sudo` keeping $HOME): what
// jails write was silently not recorded, so a link or program a jail made was not
// known as its. Said at start, with the fix.
both!(a_state_directory_not_the_users_is_said, |t: &T| {
    let state = t.state_home().join("pola-sh");
    fs::create_dir_all(&state).unwrap();
    let run = t.output(t.pola_sh_command("true"));
    match t.who {
        // Root may write anything: nothing to say.
        Who::Root => assert_eq!(run.stderr, "", "{run}"),
        Who::User => {
            assert!(run.ok(), "{run}");
            assert!(
                run.stderr.contains(&format!(
                    "pola-sh: {} is not yours to write: what jails write is not recorded",
                    state.display()
                )),
                "{run}"
            );
            std::process::Command::new("chown")
                .args([&format!("{}:{}", t.uid, t.gid)])
                .arg(&state)
                .status()
                .unwrap();
            let run = t.output(t.pola_sh_command("true"));
            assert_eq!(run.stderr, "", "{run}");
        }
    }
});

// As sh: "command not found" goes where the command's standard error was redirected
// (`x 2>/dev/null || fallback` printed it on the shell's own; language trial).
both!(
    command_not_found_follows_the_commands_redirections,
    |t: &T| {
        let run = t.output(t.pola_sh_command(
        "nonexist_xyz 2>/dev/null; echo rc=$?; out=$(nonexist_xyz 2>&1); echo \"out=[$out]\"; nonexist_xyz",
    ));
        assert_eq!(
            run.stdout, "rc=127\nout=[pola-sh: line 1: nonexist_xyz: command not found]\n",
            "{run}"
        );
        assert_eq!(
            run.stderr, "pola-sh: line 1: nonexist_xyz: command not found\n",
            "{run}"
        );
    }
);

// BASH_SOURCE: the files being read, innermost first, as bash has it (`[[
// "${BASH_SOURCE[0]}" == "$0" ]] && main` skipped main, and `SCRIPT_DIR=$(dirname
// "${BASH_SOURCE[0]}")` was the caller's; language trial).
both!(bash_source_names_the_files_being_read, |t: &T| {
    t.write(
        "main.sh",
        "echo \"src=${BASH_SOURCE[0]} n=${#BASH_SOURCE[@]}\"\n. ./lib.sh\n[[ \"${BASH_SOURCE[0]}\" == \"$0\" ]] && echo main-ran\necho \"after=${BASH_SOURCE[0]}\"\n",
    );
    t.write(
        "lib.sh",
        "echo \"lib=${BASH_SOURCE[0]} caller=${BASH_SOURCE[1]}\"\n",
    );
    let expected = "src=main.sh n=1\nlib=./lib.sh caller=main.sh\nmain-ran\nafter=main.sh\n";
    let bash = t.plain(&["bash", "main.sh"]);
    assert_eq!(bash.stdout, expected, "{bash}");
    let run = t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "main.sh"]);
    assert_eq!(run.stdout, expected, "{run}");
    let run = t.output(t.pola_sh_command("echo \"[${BASH_SOURCE[0]}]\""));
    assert_eq!(run.stdout, "[]\n", "{run}");
});

both!(select_shows_names_a_jail_made_escaped, |t: &T| {
    // `select f in *` in a directory a jail wrote: a name holding escapes redrew the
    // menu (it showed one name and chose another; security review). The value
    // chosen stays the real name.
    t.write("a-keep.txt", "");
    t.write("b\x1b[2K1) junk", "");
    let run = t.output(t.pola_sh_command(
        "select f in *; do printf '%s' \"$f\" | od -c | head -1; break; done <<< 2",
    ));
    assert!(run.stderr.contains("2) b\\e[2K1) junk\n"), "{run}");
    assert!(!run.stderr.contains('\x1b'), "{run}");
    assert!(run.stdout.contains("033"), "{run}");
});

both!(a_scripts_exit_trap_runs_when_a_signal_ends_it, |t: &T| {
    // As bash: Ctrl-C left a script's temporary directory, whose removal was in its
    // EXIT trap (scripting trial). dash, like pola-sh before, does not run it. TERM and
    // HUP too (trial 16: a script `timeout` ended left its `mktemp -d` behind), at once:
    // the command it waits for is killed, not waited for (caught, they once waited for
    // a jail that could make itself last; security review).
    let script = t.write(
        "sig.sh",
        "export TMPDIR=$PWD; tmp=$(mktemp -d)\ntrap 'rm -rf \"$tmp\"; echo trap-ran' EXIT\nkill -INT $$\necho not-reached\n",
    );
    let run = t.plain(&[
        pola_tests::pola_sh().to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    assert_eq!(run.stdout, "trap-ran\n", "{run}");
    assert_eq!(run.signal, Some(libc::SIGINT), "{run}");
    let left: Vec<_> = fs::read_dir(t.dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("tmp."))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // TERM and HUP end it at once, its EXIT trap run, even with commands running
    // that would not end (one ignoring TERM, a pipeline, background jobs waited for).
    for (sig, waits) in [
        ("TERM", "sh -c 'trap \"\" TERM; sleep 20'"),
        ("HUP", "sleep 20 | sleep 21"),
        ("TERM", "sleep 22 & sleep 23 & wait"),
    ] {
        let script = t.write(
            "term.sh",
            &format!(
                "export TMPDIR=$PWD; tmp=$(mktemp -d)\ntrap 'rm -rf \"$tmp\"; echo trap-ran' EXIT\n(sleep 0.5; kill -{sig} $$) &\n{waits}\necho not-reached\n"
            ),
        );
        let started = std::time::Instant::now();
        let run = t.plain(&[
            pola_tests::pola_sh().to_str().unwrap(),
            script.to_str().unwrap(),
        ]);
        assert_eq!(run.stdout, "trap-ran\n", "{run}");
        assert_eq!(run.stderr, "", "{run}");
        assert_eq!(
            run.signal,
            Some(if sig == "TERM" {
                libc::SIGTERM
            } else {
                libc::SIGHUP
            }),
            "{run}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{run}"
        );
        assert!(!fs::read_dir(t.dir())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("tmp.")));
    }
    // Without an EXIT trap, at once as before.
    let script = t.write("bare.sh", "(sleep 0.3; kill -TERM $$) &\nsleep 20\n");
    let run = t.plain(&[
        pola_tests::pola_sh().to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    assert_eq!(run.signal, Some(libc::SIGTERM), "{run}");
    // A signal the script traps, or ignored as it started, is left as it is.
    let script = t.write(
        "sig2.sh",
        "trap 'echo x' EXIT\ntrap 'echo int' INT\nkill -INT $$\necho went-on\n",
    );
    let run = t.plain(&[
        pola_tests::pola_sh().to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    assert_eq!(run.success(), "int\nwent-on\nx\n", "{run}");
});

both!(
    a_bare_listing_without_hints_says_what_it_does_not_see,
    |t: &T| {
        // In a script (no hints) `ls | wc -l` said 0 for a full directory, in silence
        // (both new-user trials): said once, before it runs.
        t.write("a.txt", "a\n");
        let run = t.output(t.pola_sh_command("ls; ls -l; ls . ; du -s . >/dev/null"));
        assert_eq!(
            run.stdout.lines().filter(|l| *l == "a.txt").count(),
            1,
            "{run}"
        );
        let said = "pola-sh: ls lists the working directory, which its line did not grant: it sees it empty — ls . (or + .) lists it\n";
        assert_eq!(run.stderr, said, "once, and not for ls . nor du .: {run}");
        // With hints, what it saw is said after it instead.
        let run = t.plain(&[
            pola_tests::pola_sh().to_str().unwrap(),
            "--hints",
            "-c",
            "ls",
        ]);
        assert!(!run.stderr.contains("lists the working directory"), "{run}");
    }
);

// `exec pola-sh` (to start afresh, the rc read again): the shell's own program, typed
// as it is and alone, runs unconfined as `!!exec pola-sh` does (the shell then ends
// with its status), as `exec bash` does in bash; it ran jailed, without the rc
// (new-user trial). `exec $x` naming it is a jail's text as far as the shell knows:
// jailed as before.
both!(
    exec_of_the_shells_own_program_runs_it_as_the_users_shell,
    |t: &T| {
        let sh = pola_tests::pola_sh();
        let run = |script: &str| {
            let mut child = t
                .command(&sh, &["-c", script])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"echo new-$PPID\n")
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        // The new shell's parent is the old one: it runs on the host, not in a jail
        // (whose init would be its parent).
        let out = run(&format!("echo old-$$; exec {}", sh.display()));
        let pids: Vec<&str> = out.lines().map(|l| l.split('-').nth(1).unwrap()).collect();
        assert_eq!(pids.len(), 2, "{out}");
        assert_eq!(pids[0], pids[1], "not the user's shell: {out}");
        let out = run(&format!("x={}; echo old-$$; exec $x", sh.display()));
        let pids: Vec<&str> = out.lines().map(|l| l.split('-').nth(1).unwrap()).collect();
        assert_eq!(pids.len(), 2, "{out}");
        assert_ne!(
            pids[0], pids[1],
            "an expansion's program ran unconfined: {out}"
        );
    }
);

// A program named through a link (`./node_modules/.bin/semver`, to
// `../semver/bin/semver.js`) finds its own files from where it really is, as outside:
// bound at the link's path, it looked for them beside the link (`../package.json`),
// and no grant of its package helped (trial 7). It is shown as a link, granted where
// it leads.
both!(
    a_program_named_through_a_link_finds_its_files_where_it_is,
    |t: &T| {
        t.write(
            "pkg/bin/tool",
            "#!/bin/sh\nd=$(dirname \"$(readlink -f \"$0\")\")\ncat \"$d/../version\"\n",
        );
        t.write("pkg/version", "v1.2\n");
        t.mkdir(".bin");
        std::os::unix::fs::symlink("../pkg/bin/tool", t.path(".bin/tool")).unwrap();
        let plain = t.plain(&["sh", "-c", "chmod +x pkg/bin/tool && ./.bin/tool"]);
        assert_eq!(plain.stdout, "v1.2\n", "{plain}");
        let sh = |line: &str| t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "-c", line]);
        let run = sh("./.bin/tool + pkg/version");
        assert_eq!(run.stdout, "v1.2\n", "{run}");
        // Nothing more than the program and what was named: its package's other files
        // are not there.
        let run = sh("./.bin/tool");
        assert!(!run.ok(), "{run}");
        assert!(run.stderr.contains("version"), "{run}");
    }
);
