//! Resource limits per jail (SECURITY.md 32; the attacks themselves are in
//! security.rs): how they are set, shown, and held, with and without cgroups.

use std::fs;
use std::process::Command;

use pola_tests::{both, processes, wait_for, Who, T};

/// The `NAME: ...` line of the limits that `--explain` or `grants` printed.
fn limit_line(text: &str, name: &str) -> String {
    text.lines()
        .find(|l| l.trim_start().starts_with(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} limit in:\n{text}"))
        .trim()
        .to_string()
}

both!(limits_are_on_by_default_and_set_per_command, |t: &T| {
    let explain = t.jail(&["--explain"], &["true"]);
    let out = explain.success();
    assert!(
        limit_line(out, "processes").starts_with("processes: 1000 ("),
        "{explain}"
    );
    assert!(
        limit_line(out, "cpu").starts_with("cpu: weight 100 ("),
        "{explain}"
    );
    assert!(limit_line(out, "memory").contains(" GiB ("), "{explain}");
    assert_eq!(
        limit_line(out, "/tmp, $HOME and /dev/shm together"),
        "/tmp, $HOME and /dev/shm together: 1 GiB (held: the size of their one tmpfs)"
    );
    let set = t.jail(
        &[
            "--procs",
            "50",
            "--mem",
            "2G",
            "--cpu",
            "200",
            "--tmp",
            "64M",
            "--explain",
        ],
        &["true"],
    );
    let out = set.success();
    assert!(
        limit_line(out, "processes").starts_with("processes: 50 ("),
        "{set}"
    );
    assert!(
        limit_line(out, "memory").starts_with("memory: 2 GiB ("),
        "{set}"
    );
    assert!(
        limit_line(out, "cpu").starts_with("cpu: weight 200 ("),
        "{set}"
    );
    assert!(
        limit_line(out, "/tmp, $HOME and /dev/shm together")
            .starts_with("/tmp, $HOME and /dev/shm together: 64 MiB"),
        "{set}"
    );
    let grants = t.output(t.pola_sh_command("grants cat + @mem:512M @procs:unlimited"));
    let out = grants.success();
    assert!(
        limit_line(out, "memory").starts_with("memory: 512 MiB ("),
        "{grants}"
    );
    assert_eq!(limit_line(out, "processes"), "processes: unlimited");

    // Bad values: one line naming the problem.
    let bad = t.jail(&["--mem", "lots"], &["true"]);
    assert_eq!(bad.code, Some(125), "{bad}");
    assert_eq!(
        bad.stderr,
        "pola-run: --mem lots: expected a size like 512M, 2G, or 25% (of the RAM), or 'unlimited'\n"
    );
    let bad = t.output(t.pola_sh_command("/usr/bin/true + @procs:0; echo status=$?"));
    assert_eq!(bad.expect_field("status"), "2", "{bad}");
    assert_eq!(
        bad.stderr,
        "pola-sh: line 1: /usr/bin/true: @procs:0: expected a number of processes, like 500, or 'unlimited'\n"
    );
    t.write("config/pola-sh/environment", "ro /usr\nlimit cpu 0\n");
    let mut cmd = t.jail_command(&[], &["true"]);
    cmd.env("XDG_CONFIG_HOME", t.path("config"));
    let bad = t.output(cmd);
    assert_eq!(bad.code, Some(125), "{bad}");
    assert!(
        bad.stderr.ends_with("environment:2: cpu:0: expected a weight from 1 to 10000 (100: one process's share), or 'unlimited'\n"),
        "{bad}"
    );
});

// Also in warm jails (from the third command on, the template sent with the second),
// whose PID 1 made a scratch file system of the default size ahead: one of another
// size is made for the plan that asks for it, and the scratch directories made ahead
// get the same modes as those made on the path.
both!(a_commands_own_limits_reach_its_jail, |t: &T| {
    let tmp = "sh -c 'echo size=$(df -B1M --output=size /tmp | tail -n 1)' + @tmp:64M";
    let shm = "sh -c 'echo size=$(df -B1M --output=size /dev/shm | tail -n 1)'";
    let modes = "sh -c 'echo modes=$(stat -c %a /tmp /dev/shm \"$HOME\")'";
    let run = t.output(t.pola_sh_command(&format!("{modes}; {tmp}; {shm}; {tmp}; {shm}; {modes}")));
    let out = run.success();
    let field = |key: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
            .collect()
    };
    assert_eq!(field("size="), ["64", "1024", "64", "1024"], "{run}");
    let modes = field("modes=");
    assert_eq!(modes.len(), 2, "{run}");
    assert_eq!(
        modes[0], modes[1],
        "cold and warm jails' scratch modes: {run}"
    );
    assert!(modes[0].starts_with("1777 1777 "), "{run}");
});

// The jail's processes as the kernel bounds them where no cgroup is used: the
// jail's own `pid_max` (root) or RLIMIT_NPROC (a user), and RLIMIT_DATA.
both!(without_cgroups_the_kernels_per_jail_limits_hold, |t: &T| {
    let no_cgroup = |mut cmd: Command| {
        cmd.env("POLA_TEST_NO_CGROUP", "1");
        t.output(cmd)
    };
    let explain = no_cgroup(t.jail_command(&["--procs", "400", "--explain"], &["true"]));
    let procs = limit_line(explain.success(), "processes");
    let memory = limit_line(&explain.stdout, "memory");
    assert!(
        memory.contains("per process only, by RLIMIT_DATA"),
        "{explain}"
    );
    assert!(
        limit_line(&explain.stdout, "cpu").contains("NOT held"),
        "{explain}"
    );
    let probe = no_cgroup(t.jail_command(
        &["--procs", "400", "--mem", "1G"],
        &[
            "python3",
            "-c",
            "import resource as r\n\
             print('pid_max=' + open('/proc/sys/kernel/pid_max').read().strip())\n\
             print('nproc=%d' % r.getrlimit(r.RLIMIT_NPROC)[0])\n\
             print('data=%d' % r.getrlimit(r.RLIMIT_DATA)[0])",
        ],
    ));
    assert_eq!(
        probe.expect_field("data"),
        (1u64 << 30).to_string(),
        "{probe}"
    );
    match t.who {
        Who::Root => {
            assert_eq!(
                procs,
                "processes: 400 (held: pid_max of the jail's PID namespace)"
            );
            assert_eq!(probe.expect_field("pid_max"), "402", "{probe}");
        }
        Who::User => {
            assert_eq!(
                procs,
                "processes: 400 (held: RLIMIT_NPROC of the jail's own user namespace)"
            );
            assert_eq!(probe.expect_field("nproc"), "401", "{probe}");
        }
    }
    // A fork bomb stops there, and the user is told.
    t.compile("bomb", pola_tests::FORK_BOMB);
    let bomb = no_cgroup(t.pola_sh_command("./bomb 1000 3 + @procs:400; echo status=$?"));
    let made: u32 = bomb.expect_field("made").parse().unwrap();
    assert!(made < 400, "{bomb}");
    assert!(
        bomb.stderr.contains(
            "pola-sh: bomb: stopped by the process limit (400); raise it with + @procs:800\n"
        ),
        "{bomb}"
    );
});

/// The path of this process's cgroup for `controller` (v1) or the unified one.
fn cgroup_dir(pid: u32, controller: &str) -> Option<std::path::PathBuf> {
    let own = fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, list, path) = (parts.next()?, parts.next()?, parts.next()?);
        if list.split(',').any(|c| c == controller) {
            return Some(format!("/sys/fs/cgroup/{controller}{path}").into());
        }
    }
    let path = own.lines().find_map(|l| l.strip_prefix("0::"))?;
    let mounts = fs::read_to_string("/proc/self/mountinfo").ok()?;
    let point = mounts
        .lines()
        .find(|l| l.contains(" - cgroup2 "))?
        .split(' ')
        .nth(4)?
        .to_string();
    Some(format!("{point}{path}").into())
}

both!(a_jail_has_a_cgroup_of_its_own_while_it_runs, |t: &T| {
    let explain = t.jail(&["--cpu", "300", "--explain"], &["true"]);
    let cpu = limit_line(explain.success(), "cpu");
    if !cpu.contains("held: cgroup") {
        assert!(cpu.contains("NOT held"), "{explain}");
        eprintln!("note: no cgroup cpu controller for this user here");
        return;
    }
    let marker = format!(
        "{}",
        600_000 + std::process::id() % 50_000 + if t.who == Who::Root { 0 } else { 1 }
    );
    let mut jail = t
        .jail_command(&["--cpu", "300"], &["sleep", &marker])
        .spawn()
        .unwrap();
    let find = || processes(|c| c.trim() == format!("sleep {marker}"));
    assert!(
        wait_for(|| !find().is_empty(), 5),
        "the jailed sleep did not start"
    );
    let (pid, _) = find()[0];
    let dir = cgroup_dir(pid, "cpu").expect("the jail's cgroup");
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("pola-{}-", jail.id())),
        "{}",
        dir.display()
    );
    let weight = fs::read_to_string(dir.join("cpu.shares"))
        .or_else(|_| fs::read_to_string(dir.join("cpu.weight")))
        .unwrap();
    assert!(
        ["3072\n", "300\n"].contains(&weight.as_str()),
        "cpu weight {weight} in {}",
        dir.display()
    );
    // Nothing of it is left once the jail is over (pola-run passes the signal on).
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(jail.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    jail.wait().unwrap();
    assert!(!dir.exists(), "{} is left", dir.display());
    // Not even when the launcher is killed: the next one removes it.
    let mut jail = t.jail_command(&[], &["sleep", &marker]).spawn().unwrap();
    assert!(
        wait_for(|| !find().is_empty(), 5),
        "the jailed sleep did not start"
    );
    let dir = cgroup_dir(find()[0].0, "cpu").expect("the jail's cgroup");
    jail.kill().unwrap();
    jail.wait().unwrap();
    assert!(wait_for(|| find().is_empty(), 5));
    // (It may be gone already: every launcher removes those of dead ones, and other
    // tests' launchers run beside this one — the one check that flaked, 1 run in 3.)
    t.jail(&[], &["true"]).success();
    assert!(!dir.exists(), "{} is left", dir.display());
});

// `ulimit` limits the commands, not the shell nor the jail it builds for each: with
// the shell's own limit lowered (bash's way), a low `-v` made it abort as it started
// its next thread, a low `-n` or `-f` left no jail able to start.
both!(ulimit_limits_each_command_not_the_shell, |t: &T| {
    let run = t.output(t.pola_sh_command(
        "/bin/true; true; ulimit -v 200000; /bin/true; echo v=$?; sh -c 'ulimit -v'; \
         ulimit -n 40; sh -c 'ulimit -n'; /bin/echo files; ulimit -n; \
         ulimit -f 1; head -c 4096 /dev/zero > big; echo f=$?; !! sh -c 'ulimit -f'",
    ));
    assert_eq!(
        run.stdout, "v=0\n200000\n40\nfiles\n40\nf=153\n1\n",
        "{run}"
    );
    assert!(!run.stderr.contains("panicked"), "{run}");
    // `head` was stopped at the limit (one 512-byte block).
    assert_eq!(fs::metadata(t.path("big")).unwrap().len(), 512);
    // A soft limit above the hard one, or (unprivileged) a raised hard limit, is refused
    // as setrlimit would refuse it.
    let run = t.output(t.pola_sh_command("ulimit -Hn 100; ulimit -Sn 200; echo $?"));
    assert!(run.stdout.ends_with("1\n"), "{run}");
    assert!(
        run.stderr.contains("cannot modify limit: Invalid argument"),
        "{run}"
    );
    if !pola_tests::is_root() {
        let run = t.output(t.pola_sh_command("ulimit -Hn 100; ulimit -Hn 200; echo $?"));
        assert!(run.stderr.contains("Operation not permitted"), "{run}");
    }
});

/// The parent of process `pid`.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The processes (thread group ids) in the cgroup directory `dir`, sorted.
fn members(dir: &std::path::Path) -> Vec<u32> {
    let mut pids: Vec<u32> = fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    pids.sort_unstable();
    pids
}

// Issue 17: the copy the zygote makes ready for the next command waits in a cgroup the
// shell made for that command, so that neither it nor its PID 1 moves into one on the
// command's way. A command's cgroup still holds its own jail and nothing else (not
// the copy waiting for the next command), with its own limits, also when they are
// not the ones the waiting copy's cgroup was made with.
both!(a_ready_jail_waits_in_the_next_commands_cgroup, |t: &T| {
    let explain = t.jail(&["--explain"], &["true"]);
    if !limit_line(explain.success(), "processes").contains("held: cgroup") {
        eprintln!("note: no cgroup pids controller for this user here");
        return;
    }
    let first = 610_000 + std::process::id() % 40_000 * 2 + u32::from(t.who == Who::User);
    let second = first + 80_000;
    let mut shell = t
        .pola_sh_command(&format!(
            "/bin/true; /bin/true; sleep {first}; sleep {second} + @procs:77"
        ))
        .spawn()
        .unwrap();
    // Whatever happens, nothing of it is left running.
    struct Ends(Vec<u32>);
    impl Drop for Ends {
        fn drop(&mut self) {
            for marker in &self.0 {
                for (pid, _) in processes(|c| c.trim() == format!("sleep {marker}")) {
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(pid as i32),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
            }
        }
    }
    let _ends = Ends(vec![first, second]);
    let find = |marker: u32| {
        processes(|c| c.trim() == format!("sleep {marker}"))
            .first()
            .map(|p| p.0)
    };
    // The jail of `sleep`: the command, its PID 1 and its shim (the zygote's copy),
    // whose parent is the shell.
    let check = |marker: u32, procs: u32| -> u32 {
        assert!(
            wait_for(|| find(marker).is_some(), 10),
            "sleep {marker} did not start"
        );
        let sleep = find(marker).unwrap();
        let pid1 = parent_of(sleep).unwrap();
        let shim = parent_of(pid1).unwrap();
        let dir = cgroup_dir(sleep, "pids").expect("the jail's cgroup");
        assert_eq!(
            fs::read_to_string(dir.join("pids.max")).unwrap().trim(),
            (procs + 2).to_string(),
            "{}",
            dir.display()
        );
        let mut jail = vec![sleep, pid1, shim];
        jail.sort_unstable();
        assert_eq!(members(&dir), jail, "{}", dir.display());
        parent_of(shim).unwrap()
    };
    let shell_pid = check(first, 1000);
    // The copy ready for the next command waits in a jail cgroup of the shell's,
    // another than the running command's.
    let running = cgroup_dir(find(first).unwrap(), "pids").unwrap();
    let waiting = || {
        processes(|_| true)
            .into_iter()
            .filter(|(pid, ppid)| {
                *ppid == shell_pid
                    && fs::read_to_string(format!("/proc/{pid}/comm"))
                        .is_ok_and(|c| c.trim() == "pola-warm")
            })
            .filter_map(|(pid, _)| cgroup_dir(pid, "pids"))
            .collect::<Vec<_>>()
    };
    let prefix = format!("pola-{shell_pid}-");
    assert!(
        wait_for(
            || waiting().iter().any(|d| d != &running
                && d.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&prefix)),
            10
        ),
        "no ready copy waits in a cgroup of the shell's: {:?}",
        waiting()
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(find(first).unwrap() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    // The next command, with a limit of its own, in the cgroup its copy waited in.
    check(second, 77);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(find(second).unwrap() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    shell.wait().unwrap();
});

// Review 43: a command that turns a limit off must not run under the last command's,
// in the cgroup its ready copy waited in (made with the last command's limits), and a
// limit reached there must not be told of a later command. Shown first against the
// plain case: the same command after commands with the default limits.
both!(
    a_limit_turned_off_is_off_after_commands_that_had_it,
    |t: &T| {
        let explain = t.jail(&["--explain"], &["true"]);
        let out = explain.success();
        if !limit_line(out, "processes").contains("held: cgroup")
            || !limit_line(out, "memory").contains("held: cgroup")
        {
            eprintln!("note: no cgroup pids and memory controllers for this user here");
            return;
        }
        let forks = "sh -c 'for i in $(seq 60); do sleep 0.3 & done; echo started; wait'";
        let hog = "/usr/bin/python3 -c 'x = bytearray(300 << 20); x[::4096] = b\"a\" * len(x[::4096]); print(\"allocated\")'";
        let echoes = "for i in 1 2 3 4 5 6; do /bin/echo e$i; done";
        for before in ["", " + @procs:20 @mem:100M"] {
            let run = t.output(t.pola_sh_command(&format!(
                "/bin/true{before}; /bin/true{before}; /bin/true{before}; \
             {forks} + @procs:unlimited; echo forks=$?; \
             /bin/true{before}; /bin/true{before}; \
             {hog} + @mem:unlimited; echo hog=$?; {echoes}"
            )));
            assert!(run.stdout.contains("started\nforks=0\n"), "{before}: {run}");
            assert!(run.stdout.contains("allocated\nhog=0\n"), "{before}: {run}");
            assert!(run.stdout.ends_with("e5\ne6\n"), "{before}: {run}");
            assert!(!run.stderr.contains("stopped by"), "{before}: {run}");
        }
    }
);

// Every file a line grants is held open while its jail is made: `cat *` of 2000 files
// failed with EMFILE for a user whose soft limit of open files was 1024 (new-user
// trial). The shell raises its own soft limit to the hard one; its commands keep the
// limit as it was, and `ulimit -n` says that one.
both!(
    a_line_granting_more_files_than_the_soft_limit_of_open_files_runs,
    |t: &T| {
        for i in 0..400 {
            t.write(&format!("d/f{i}"), "x\n");
        }
        let line = "cd d && cat * | wc -l && ulimit -n && sh -c 'ulimit -n' && rm => f1*";
        let limited = format!(
            "ulimit -Sn 256 && exec {} -c \"{line}\"",
            pola_tests::pola_sh().display()
        );
        let run = t.plain(&["bash", "-c", &limited]);
        assert_eq!(run.success(), "400\n256\n256\n", "{run}");
        assert!(
            !t.path("d/f1").exists() && !t.path("d/f199").exists(),
            "{run}"
        );
        assert!(t.path("d/f2").exists(), "{run}");
        // pola-run too.
        let run = t.plain(&[
        "bash",
        "-c",
        &format!(
            "ulimit -Sn 256 && cd d && a=() && for f in f2*; do a+=(--ro \"$f\"); done && exec {} \"${{a[@]}}\" -- sh -c 'cat f2* | wc -l; ulimit -n'",
            pola_tests::pola_run().display()
        ),
    ]);
        assert_eq!(run.success(), "111\n256\n", "{run}");
    }
);
