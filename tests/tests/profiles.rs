//! Profiles (issue 4): per-program grants in `$XDG_CONFIG_HOME/pola-sh/profiles/`,
//! shown with their origin, kept out of every jail's reach; and the audit log.

use std::fs;
use std::path::PathBuf;

use pola_tests::{bin_dir, both, pola_sh, Run, T};

/// Run `program args` as the test's user with its own configuration directory.
fn run(t: &T, program: PathBuf, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
    let mut cmd = t.command(program, args);
    cmd.env("XDG_CONFIG_HOME", t.path("config"));
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    t.output(cmd)
}

fn pola_run(t: &T, args: &[&str]) -> Run {
    run(t, bin_dir().join("pola-run"), args, &[])
}

fn sh(t: &T, args: &[&str]) -> Run {
    run(t, pola_sh(), args, &[])
}

/// `w/script.py`, which prints `data/settings.txt` (granted to nobody, outside the
/// working directory `w`, so `--learn` offers it as a profile line); returns its path.
fn script_reading_a_secret(t: &T) -> PathBuf {
    let secret = t.write("data/settings.txt", "learned\n");
    t.write(
        "w/script.py",
        &format!(
            "print(open({:?}).read().strip())\n",
            secret.display().to_string()
        ),
    );
    secret
}

fn profile(t: &T, program: &str, text: &str) -> PathBuf {
    t.write(&format!("config/pola-sh/profiles/{program}"), text)
}

both!(a_profile_grants_what_it_lists, |t: &T| {
    let secret = t.write("data/secret.txt", "from the profile\n");
    let file = profile(
        t,
        "cat",
        &format!("# cat may read the data\nro {}\n", secret.display()),
    );
    let path = secret.to_str().unwrap();
    // Without the profile the file is not there for the command.
    let run = pola_run(t, &["--no-profile", "--", "cat", path]);
    assert!(!run.ok() && run.stderr.contains("No such file"), "{run}");
    assert_eq!(
        pola_run(t, &["--", "cat", path]).success(),
        "from the profile\n"
    );
    let explain = pola_run(t, &["--explain", "--", "cat", path])
        .success()
        .to_string();
    assert!(
        explain.contains(&format!("profile: {}\n", file.display())),
        "{explain}"
    );
    assert!(
        explain
            .lines()
            .any(|l| l.trim_start().starts_with("secret.txt") && l.ends_with("ro (profile)")),
        "{explain}"
    );
    // pola-sh applies it too: the quoted name grants nothing, the profile does.
    let quoted = format!("cat '{path}'");
    assert_eq!(sh(t, &["-c", &quoted]).success(), "from the profile\n");
    let run = sh(t, &["--no-profile", "-c", &quoted]);
    assert!(!run.ok(), "{run}");
    let grants = sh(t, &["-c", &format!("grants cat '{path}'")])
        .success()
        .to_string();
    assert!(grants.contains("ro (profile)"), "{grants}");
});

both!(a_profile_passes_network_and_variables, |t: &T| {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(4).flatten() {
            use std::io::Write;
            let _ = (&s).write_all(b"hello");
        }
    });
    profile(t, "python3", &format!("net connect={port}\nenv GREETING\n"));
    let code = format!(
        "import os, socket; print(os.environ.get('GREETING'), socket.create_connection(('127.0.0.1', {port}), timeout=3).recv(5).decode())"
    );
    let r = run(
        t,
        bin_dir().join("pola-run"),
        &["--", "python3", "-c", &code],
        &[("GREETING", "hi"), ("OTHER", "x")],
    );
    assert_eq!(r.success(), "hi hello\n");
    let r = run(
        t,
        bin_dir().join("pola-run"),
        &["--no-profile", "--", "python3", "-c", &code],
        &[("GREETING", "hi")],
    );
    assert!(!r.ok(), "{r}");
});

both!(a_bad_profile_is_a_one_line_error, |t: &T| {
    let file = profile(t, "cat", "ro /etc/hostname\nwrite /etc\n");
    let run = pola_run(t, &["--", "cat", "/dev/null"]);
    assert_eq!(run.code, Some(125), "{run}");
    assert_eq!(
        run.stderr,
        format!(
            "pola-run: profile {}:2: unknown rule 'write' (expected ro, rw, net, env, nearest, nearest-dir or shipped off)\n",
            file.display()
        )
    );
    let run = sh(t, &["-c", "cat /dev/null"]);
    assert!(!run.ok(), "{run}");
    assert!(run.stderr.contains(":2: unknown rule 'write'"), "{run}");
});

both!(jails_cannot_write_profiles, |t: &T| {
    profile(t, "cat", "# nothing\n");
    let plant =
        "echo 'rw /' > config/pola-sh/profiles/cat; echo 'rw /' > config/pola-sh/profiles/sh";
    // A plain process can plant a profile that widens every later cat.
    let plain = t.plain(&["sh", "-c", plant]);
    assert!(plain.ok(), "{plain}");
    profile(t, "cat", "# nothing\n");
    fs::remove_file(t.path("config/pola-sh/profiles/sh")).unwrap();
    // A jail with write access to a directory above the configuration cannot.
    let dir = t.dir().to_str().unwrap().to_string();
    let jail = pola_run(t, &["--no-profile", "--rw", &dir, "--", "sh", "-c", plant]);
    assert!(!jail.ok(), "{jail}");
    assert!(jail.stderr.contains("Read-only file system"), "{jail}");
    assert_eq!(
        fs::read_to_string(t.path("config/pola-sh/profiles/cat")).unwrap(),
        "# nothing\n"
    );
    assert!(!t.path("config/pola-sh/profiles/sh").exists());
    // Nor by moving the configuration away and making a new one in its place.
    let swap = "mv config config.old && mkdir -p config/pola-sh/profiles && echo 'rw /' > config/pola-sh/profiles/cat";
    let plain_dir = t.mkdir("plain");
    t.write("plain/config/pola-sh/profiles/cat", "# nothing\n");
    let mut plain = t.command("sh", &["-c", swap]);
    plain.current_dir(&plain_dir);
    let plain = t.output(plain);
    assert!(
        plain.ok(),
        "a plain process can swap the directory:\n{plain}"
    );
    let jail = pola_run(t, &["--no-profile", "--rw", &dir, "--", "sh", "-c", swap]);
    assert!(!jail.ok(), "{jail}");
    assert!(jail.stderr.contains("busy"), "{jail}");
    assert!(!t.path("config.old").exists());
    assert_eq!(
        fs::read_to_string(t.path("config/pola-sh/profiles/cat")).unwrap(),
        "# nothing\n"
    );
    let explain = pola_run(t, &["--explain", "--rw", &dir, "--", "true"])
        .success()
        .to_string();
    assert!(explain.contains("ro (protected)"), "{explain}");
    // Where the configuration does not exist yet, the jail cannot create it either.
    fs::remove_dir_all(t.path("config")).unwrap();
    let plant_new = "mkdir -p config/pola-sh/profiles && echo 'rw /' > config/pola-sh/profiles/cat";
    let jail = pola_run(t, &["--rw", &dir, "--", "sh", "-c", plant_new]);
    assert!(!jail.ok(), "{jail}");
    assert!(!t.path("config/pola-sh/profiles/cat").exists());
});

both!(the_audit_log_records_each_launch, |t: &T| {
    let notes = t.write("notes.txt", "n\n");
    let log = t.path("audit.log");
    let r = run(
        t,
        pola_sh(),
        &["-c", "cat notes.txt >/dev/null; wc -c notes.txt >/dev/null"],
        &[("POLA_AUDIT", log.to_str().unwrap())],
    );
    r.success();
    let text = fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains(&format!(
            "launch /usr/bin/cat: cat notes.txt; profile none; network private (loopback only); grants: ro {} (command line)",
            notes.display()
        )),
        "{text}"
    );
    assert!(
        lines[1].contains("launch /usr/bin/wc: wc -c notes.txt"),
        "{text}"
    );
    // Every line names its jail: "#PID launch ...".
    assert!(lines.iter().all(|l| l.contains(" #")), "{text}");
});

both!(
    learn_prints_a_profile_that_makes_the_command_pass,
    |t: &T| {
        let secret = script_reading_a_secret(t);
        let log = t.path("audit.log");
        let args = [
            "--learn",
            "--cwd",
            "w",
            "--ro",
            "script.py",
            "--",
            "/usr/bin/python3",
            "script.py",
        ];
        let learn = run(
            t,
            bin_dir().join("pola-run"),
            &args,
            &[("POLA_AUDIT", log.to_str().unwrap())],
        );
        // It learned in rounds: the last round, given what it looked for, passed.
        assert!(learn.ok(), "{learn}");
        assert_eq!(learn.stdout, "learned\n", "{learn}");
        assert!(learn.stderr.contains("round 1 found 1 more"), "{learn}");
        let line = format!("ro {}", secret.display());
        assert!(
            learn.stderr.lines().any(|l| l == line),
            "no '{line}' in:\n{learn}"
        );
        let audit = fs::read_to_string(&log).unwrap();
        assert!(
            audit.contains(&format!("r! open {}: denied", secret.display())),
            "{audit}"
        );
        // The printed lines are a profile: with it, the same command passes, denied nothing.
        let lines: String = learn
            .stderr
            .lines()
            .filter(|l| l.starts_with("ro ") || l.starts_with("rw "))
            .map(|l| format!("{l}\n"))
            .collect();
        profile(t, "python3", &lines);
        let again = pola_run(t, &args);
        assert_eq!(again.stdout, "learned\n", "{again}");
        assert!(again.ok(), "{again}");
        assert!(
            again.stderr.contains("python3 was denied nothing"),
            "{again}"
        );
    }
);

both!(pola_sh_learns_too, |t: &T| {
    let secret = script_reading_a_secret(t);
    let r = sh(t, &["--learn", "-c", "cd w && /usr/bin/python3 script.py"]);
    assert!(!r.ok(), "{r}");
    let line = format!("ro {}", secret.display());
    assert!(r.stderr.lines().any(|l| l == line), "no '{line}' in:\n{r}");
    assert!(
        r.stderr
            .contains("pola-sh: learn: python3 looked for what it was not granted"),
        "{r}"
    );
    // Without --learn nothing is mediated or printed.
    let r = sh(t, &["-c", "cd w && /usr/bin/python3 script.py"]);
    assert!(!r.stderr.contains("learn"), "{r}");
});
