//! Hints: when a jailed command fails in an interactive session, one line says what it
//! looked for and was not granted, with the grant that would give it. On a real
//! pseudo-terminal, as root and as an unprivileged user; scripts get none unless asked.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use pola_tests::{assert_only_changed, both, tree, Key::*, Run, T};

fn prompt(t: &T) -> &'static str {
    if t.uid == 0 {
        "# "
    } else {
        "$ "
    }
}

fn sh(t: &T, args: &[&str]) -> Run {
    let mut all = vec![pola_tests::pola_sh().to_str().unwrap().to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    t.plain(&all)
}

/// `pola-sh --hints -c SCRIPT` with `home` as its user's home.
fn with_home(t: &T, home: &std::path::Path, script: &str) -> Run {
    let mut cmd = t.command(pola_tests::pola_sh(), &["--hints", "-c", script]);
    cmd.env("HOME", home);
    t.output(cmd)
}

// An interpreter reading its program from its input (at its prompt, from a pipe) exits 0
// whatever failed in it: `open("w.txt", "w")` at python's prompt said "Read-only file
// system", and nothing after (trial 9). Told, with the name left to the user (the
// program's text is not the line's).
both!(
    an_interpreter_reading_its_program_is_told_what_it_could_not_create,
    |t: &T| {
        let script = "try:\n    open('w.txt', 'w')\nexcept OSError as e:\n    print(e)\n";
        t.write("prog.py", script);
        let run = sh(t, &["--hints", "-c", "/usr/bin/python3 < prog.py"]);
        assert!(run.ok(), "{run}");
        assert!(run.stderr.contains("python3 tried to create a file here, which was not granted — try: /usr/bin/python3 + => NAME for each file it makes"), "{run}");
        let run = sh(t, &["--hints", "-c", "echo 'print(1)' | /usr/bin/python3"]);
        assert!(run.ok() && run.stderr.is_empty(), "{run}");
        let run = sh(
            t,
            &["--hints", "-c", "/usr/bin/python3 < prog.py + => w.txt"],
        );
        assert!(run.ok() && run.stderr.is_empty(), "{run}");
        assert!(t.path("w.txt").is_file());
    }
);

// Forty background jobs that failed alike printed forty identical hints (trial 16): a
// hint is said once until the user's next line, whichever copy of the shell ran the
// job; another file's is still said.
both!(a_hint_said_again_is_said_once, |t: &T| {
    t.write("g.txt", "a\n");
    t.write("h.txt", "a\n");
    let script = "for i in 1 2 3 4 5; do sed -i s/a/b/ g.txt & done; wait; \
                  for i in 1 2; do sed -i s/a/b/ g.txt; done; sed -i s/a/b/ h.txt";
    let run = sh(t, &["--hints", "-c", script]);
    let told = |name: &str| {
        let line = format!("sed was given {name} read-only (named without =>)");
        run.stderr.matches(&line).count()
    };
    assert_eq!((told("g.txt"), told("h.txt")), (1, 1), "{run}");
    assert_eq!(fs::read_to_string(t.path("g.txt")).unwrap(), "a\n");
});

// A file the user named in a directory that is there but was not granted, beside a file
// that was: `sort -o out/s.csv out/all.csv` was told nothing, `python3 report.py
// out/all.csv out/t.md` was told `+ out` (trial 17). The grant of the file itself.
both!(
    a_new_file_named_in_an_ungranted_directory_is_told_its_grant,
    |t: &T| {
        t.mkdir("out");
        t.write("out/all.csv", "b\na\n");
        t.write(
            "report.py",
            "import sys\nopen(sys.argv[2], 'w').write(open(sys.argv[1]).read())\n",
        );
        let run = sh(t, &["--hints", "-c", "sort -o out/s.csv out/all.csv"]);
        assert!(run.stderr.contains("sort tried to create ./out/s.csv, which was not granted — try: sort … => out/s.csv"), "{run}");
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "/usr/bin/python3 report.py out/all.csv out/t.md",
            ],
        );
        assert!(run.stderr.contains("python3 tried to create ./out/t.md, which was not granted — try: /usr/bin/python3 … => out/t.md"), "{run}");
        assert!(!t.path("out/s.csv").exists() && !t.path("out/t.md").exists());
        // A name the program chose there: the directory said, no name offered.
        t.write("w.py", "open('out/u.txt', 'w')\n");
        let run = sh(t, &["--hints", "-c", "/usr/bin/python3 w.py out/all.csv"]);
        assert!(run.stderr.contains("python3 tried to create a file in ./out, which was not granted — try: /usr/bin/python3 … + => PATH for each file it makes there"), "{run}");
        // `mkdir -p out/a/b` makes its parents: the grant of what it makes, not of out/.
        let run = sh(t, &["--hints", "-c", "mkdir -p out/a/b"]);
        assert!(run.stderr.contains("try: mkdir … => out/a/b"), "{run}");
        assert!(sh(t, &["-c", "mkdir -p => out/a/b"]).ok());
        assert!(t.path("out/a/b").is_dir());
        let run = sh(t, &["-c", "sort -o => out/s.csv out/all.csv && /usr/bin/python3 report.py out/all.csv => out/t.md"]);
        assert!(run.ok(), "{run}");
        assert_eq!(fs::read_to_string(t.path("out/s.csv")).unwrap(), "a\nb\n");
        assert_eq!(fs::read_to_string(t.path("out/t.md")).unwrap(), "b\na\n");
    }
);

// `npm pkg set` edits package.json: told `+ .` for the node_modules it looked at first,
// which failed again (trial 18). The manifest's grant, which works.
both!(npm_pkg_set_is_told_to_write_package_json, |t: &T| {
    t.write("package.json", "{\"name\":\"x\",\"version\":\"1.0.0\"}\n");
    t.mkdir("node_modules");
    let line = "npm pkg set scripts.test='node test.js'";
    let run = sh(t, &["--hints", "-c", line]);
    assert!(
        run.stderr.contains(
            "npm looked for ./package.json, which was not granted — try: npm … + => package.json"
        ),
        "{run}"
    );
    // Given it read-only: it could not write it, and was told nothing (trial 18).
    let run = sh(t, &["--hints", "-c", &format!("{line} + package.json")]);
    assert!(
        run.stderr.contains(
            "npm changes its manifest, and was given package.json read-only — try: npm … + => package.json"
        ),
        "{run}"
    );
    let run = sh(t, &["-c", &format!("{line} + => package.json")]);
    assert!(run.ok(), "{run}");
    let text = fs::read_to_string(t.path("package.json")).unwrap();
    assert!(text.contains("\"test\":\"node test.js\""), "{text}");
});

// A program inspected before it was built (`gdb ./prog`, `valgrind ./prog`) was told
// `=> ./prog`, as if the inspector were to make it (trial 18): nothing is said.
both!(
    an_inspector_of_a_missing_program_is_told_nothing,
    |t: &T| {
        let run = sh(t, &["--hints", "-c", "ldd ./prog"]);
        assert!(!run.ok(), "{run}");
        assert!(!run.stderr.contains("pola-sh:"), "{run}");
    }
);

// In the home, which a jail has of its own (private, empty): a bare `ls` listed that and
// nothing was said; a command that failed for anything else (`ls /nonexistent`, one
// stopped by SIGINT) was told it saw only its grants in ./ (trial 9).
both!(hints_in_the_home_are_about_the_home, |t: &T| {
    let home = t.mkdir("home");
    t.write("home/notes.txt", "n\n");
    let in_home = |line: &str| with_home(t, &home, &format!("cd && {line}"));
    let run = in_home("ls");
    assert!(run.ok(), "{run}");
    assert!(run.stderr.contains("ls listed ./, your home, which was not granted: a jail has a home of its own, empty — to list yours, try: ls + ."), "{run}");
    assert_eq!(in_home("ls + .").stdout, "notes.txt\n");
    for line in ["ls /nonexistent", "sh -c 'kill -INT $$'"] {
        let run = in_home(line);
        assert!(
            !run.ok() && !run.stderr.contains("pola-sh:"),
            "{line}: {run}"
        );
    }
    // What needs the home's files is still told so.
    let run = in_home("make");
    assert!(
        run.stderr.contains("make saw only its grants in ./"),
        "{run}"
    );
});

both!(interactive_failures_name_the_missing_grant, |t: &T| {
    t.write("Makefile", "all:\n\t@echo built\n");
    t.write("notes.txt", "my notes\n");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("make\r"),
        Expect("make looked for ./Makefile, which was not granted — try: make + => ."),
        Send("make + => .\r"),
        Expect("built"),
        Send("cat 'notes.txt' missing.txt\r"),
        Expect("cat looked for ./notes.txt, which was not granted — try: cat … + notes.txt"),
        Send(&format!(
            "curl -s http://127.0.0.1:{port}/ ; echo curl=$?\r"
        )),
        Expect(&format!(
            "curl tried to reach the network (127.0.0.1:{port}) — try: curl … + @net:127.0.0.1:{port}"
        )),
        Expect("curl=7"),
        Send("echo done\r"),
        Expect("done"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    // A path that does not exist on the host is never named.
    assert!(!run.stdout.contains("./missing.txt, which"), "{run}");
    drop(listener);
});

// A script whose errors reach a terminal gets hints: `pola-sh -c 'sed -i s/a/b/ f'`
// typed by a user said only sed's "Read-only file system", and the way out found was
// `+ => .` (new-user trial). `POLA_HINTS=0` turns them off.
both!(
    a_script_whose_errors_reach_a_terminal_gets_hints,
    |t: &T| {
        t.write("g.txt", "abc\n");
        let script = "sed -i s/a/b/ g.txt; echo status=$?";
        let run = t.on_terminal(
        &pola_tests::pola_sh(),
        &["-c", script],
        &[
            Expect("status="),
            Expect("sed was given g.txt read-only (named without =>), so it could not change it — try: sed … => g.txt"),
        ],
    );
        assert!(run.stdout.starts_with("OK"), "{run}");
        let run = t.on_terminal_env(
            &pola_tests::pola_sh(),
            &["-c", &format!("{script}; echo done")],
            &[("POLA_HINTS", "0")],
            &[Expect("done")],
        );
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(!run.stdout.contains("was given g.txt"), "{run}");
        assert_eq!(fs::read_to_string(t.path("g.txt")).unwrap(), "abc\n");
    }
);

// `find … -exec cmd {} + => dir`: the `+` was the grant's marker, and find said only
// "missing argument to `-exec'" (new-user trial). The hint says so; the grant before
// it works.
both!(
    a_find_exec_whose_plus_became_a_grant_marker_is_told,
    |t: &T| {
        t.write("docs/a.txt", "x\n");
        let line = "find docs -name '*.txt' -exec sed -i s/x/y/ {} + => docs";
        let run = sh(t, &["--hints", "-c", line]);
        assert!(!run.ok(), "{run}");
        assert!(run.stderr.contains("its -exec … {} had no end: a + after {} followed by a grant (+ => DIR) is the grant's marker, not find's — put the grant before it (find => DIR … {} +), or end -exec with \\;"), "{run}");
        assert_eq!(fs::read_to_string(t.path("docs/a.txt")).unwrap(), "x\n");
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "find => docs -name '*.txt' -exec sed -i s/x/y/ {} +",
            ],
        );
        assert!(run.ok(), "{run}");
        assert_eq!(fs::read_to_string(t.path("docs/a.txt")).unwrap(), "y\n");
        // An -exec that is ended gets no such word.
        let run = sh(
            t,
            &["--hints", "-c", "find docs -name '*.txt' -exec false {} +"],
        );
        assert!(!run.stderr.contains("had no end"), "{run}");
    }
);

// A file inside a directory the line granted read-only (`+ .`) is read-only too: a
// tool that changes it failed on the read-only file system with no hint, where
// without `+ .` the hint was exact (new-user trial 3: `xargs sed -i … + .`). Each
// hint's grant is tried and works.
both!(
    a_file_changed_inside_a_directory_granted_read_only_is_told_the_grant,
    |t: &T| {
        t.write("w/a.txt", "x\n");
        t.write("w/b.txt", "x\n");
        let run = sh(t, &["--hints", "-c", "cd w && sed -i s/x/y/ a.txt + ."]);
        assert!(!run.ok(), "{run}");
        assert!(run.stderr.contains("sed was given a.txt read-only (inside ., granted read-only), so it could not change it — try: sed … => a.txt"), "{run}");
        let run = sh(t, &["--hints", "-c", "cd w && sed -i s/x/y/ => a.txt + ."]);
        assert!(run.ok(), "{run}");
        let run = sh(t, &["--hints", "-c", "cd w && rm b.txt + ."]);
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr
                .contains("rm was given b.txt read-only (inside ., granted read-only)"),
            "{run}"
        );
        // Names that come from its input: the directory.
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "cd w && echo *.txt | xargs sed -i s/x/z/ + .",
            ],
        );
        assert!(!run.ok(), "{run}");
        assert!(run.stderr.contains("xargs was given . read-only (named without =>): if it failed writing there, try: xargs … + => ."), "{run}");
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "cd w && echo *.txt | xargs sed -i s/x/z/ + => .",
            ],
        );
        assert!(run.ok(), "{run}");
        assert_eq!(fs::read_to_string(t.path("w/a.txt")).unwrap(), "y\n");
        assert_eq!(fs::read_to_string(t.path("w/b.txt")).unwrap(), "z\n");
        // A word that is no file there is never taken for one.
        let run = sh(t, &["--hints", "-c", "cd w && sed -i s/q/r/ a.txt + ."]);
        assert!(!run.stderr.contains("s/q/r/"), "{run}");
    }
);

/// Each `(line, said, fixed)` run in `w`: the line fails and its hint says `said`; the
/// line with the grant it names, `fixed`, works and says nothing of pola-sh's.
fn told_then_works(t: &T, cases: &[(&str, &str, &str)]) {
    for (line, said, fixed) in cases {
        let run = sh(t, &["--hints", "-c", &format!("cd w && {line}")]);
        assert!(!run.ok(), "{run}");
        assert!(run.stderr.contains(said), "{line}: {run}");
        let run = sh(t, &["--hints", "-c", &format!("cd w && {fixed}")]);
        assert!(
            run.ok() && !run.stderr.contains("pola-sh:"),
            "{fixed}: {run}"
        );
    }
}

// A name to write inside a directory that is not there (`split f => parts2/piece_`,
// `cp f => newd/x.txt`): told it saw only its grants, or nothing (trial 8). Told to make
// the directory first, which then works.
both!(
    a_name_in_a_directory_not_there_is_told_to_make_it,
    |t: &T| {
        t.write("w/nums.txt", "1\n2\n3\n4\n");
        let packed = t.plain(&["tar", "czf", "a.tgz", "-C", "w", "nums.txt"]);
        assert!(packed.ok(), "{packed}");
        told_then_works(
            t,
            &[
                ("split -l 2 nums.txt => parts/p_", "split found no directory parts, and does not make it — try: mkdir => parts && split … + => parts (its prefix without =>)", "mkdir => parts && split -l 2 nums.txt parts/p_ + => parts"),
                ("cp nums.txt => newd/x.txt", "cp found no directory newd, and does not make it — try: mkdir => newd first", "mkdir => newd && cp nums.txt => newd/x.txt"),
                ("tar xzf ../a.tgz -C => into", "tar found no directory into, and does not make it — try: mkdir => into first", "mkdir => into && tar xzf ../a.tgz -C => into"),
            ],
        );
        assert_eq!(
            fs::read_to_string(t.path("w/parts/p_ab")).unwrap(),
            "3\n4\n"
        );
        assert_eq!(
            fs::read_to_string(t.path("w/newd/x.txt")).unwrap(),
            "1\n2\n3\n4\n"
        );
        assert_eq!(
            fs::read_to_string(t.path("w/into/nums.txt")).unwrap(),
            "1\n2\n3\n4\n"
        );
    }
);

// A name to make in a directory the line granted read-only (`mkdir dist + .`, `touch
// new.txt + .`, `cp a b + .`): each failed with no hint. Each hint's grant is tried and
// works, and nothing else is made.
both!(
    a_name_made_inside_a_directory_granted_read_only_is_told_the_grant,
    |t: &T| {
        t.write("w/a.txt", "x\n");
        told_then_works(
            t,
            &[
                ("mkdir dist + .", "mkdir could not make dist: . was granted read-only — try: mkdir … => dist", "mkdir => dist + ."),
                ("touch new.txt + .", "touch could not make new.txt: . was granted read-only — try: touch … => new.txt", "touch => new.txt + ."),
                ("cp a.txt b.txt + .", "cp could not make b.txt: . was granted read-only — try: cp … => b.txt", "cp a.txt => b.txt + ."),
                ("mkdir c d + .", "mkdir could not make 2 names (c, …): . was granted read-only — try: mkdir … => c => d", "mkdir => c => d + ."),
            ],
        );
        let mut names: Vec<String> = fs::read_dir(t.path("w"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.txt", "b.txt", "c", "d", "dist", "new.txt"]);
        // A name that is not there and that it does not make is only missing.
        let run = sh(t, &["--hints", "-c", "cd w && rm gone.txt + ."]);
        assert!(!run.ok(), "{run}");
        assert!(!run.stderr.contains("pola-sh: rm"), "{run}");
    }
);

// The files a program makes of the user's own words are named, with the grant that
// makes them (new-user trial: `split … part_` and `gzip -k part_a*` were told "+ =>
// NAME for each file it makes", or the first file alone). Each grant is tried.
both!(the_files_a_program_makes_of_its_words_are_named, |t: &T| {
    let numbers: String = (1..=100).map(|n| format!("{n}\n")).collect();
    t.write("w/numbers.txt", &numbers);
    let run = sh(
        t,
        &["--hints", "-c", "cd w && split -l 40 numbers.txt part_"],
    );
    assert!(!run.ok(), "{run}");
    assert!(run.stderr.contains("split makes its files from the prefix part_ (part_aa, part_ab, …), which were not granted — try: mkdir => parts && split … parts/part_ + => parts, or split … + => ."), "{run}");
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "cd w && mkdir => parts && split -l 40 numbers.txt parts/part_ + => parts",
        ],
    );
    assert!(run.ok(), "{run}");
    assert_eq!(
        fs::read_to_string(t.path("w/parts/part_ac"))
            .unwrap()
            .lines()
            .count(),
        20
    );
    let run = sh(t, &["--hints", "-c", "cd w/parts && gzip -k part_a*"]);
    assert!(!run.ok(), "{run}");
    assert!(run.stderr.contains("gzip makes part_aa.gz beside part_aa (2 more like it), which were not granted — try: gzip … + => part_aa.gz => part_ab.gz => part_ac.gz"), "{run}");
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "cd w/parts && gzip -k part_a* + => part_aa.gz => part_ab.gz => part_ac.gz",
        ],
    );
    assert!(run.ok(), "{run}");
    assert!(t.path("w/parts/part_ac.gz").exists() && t.path("w/parts/part_ac").exists());
    // pytest in a working directory not granted found no tests, and said only that it
    // could not make its cache (a stand-in that does what it does there).
    t.write(
        "w/pytest",
        "#!/bin/sh\nmkdir pytest-cache-files-x1y2 2>/dev/null; exit 5\n",
    );
    fs::set_permissions(t.path("w/pytest"), fs::Permissions::from_mode(0o755)).unwrap();
    let run = sh(t, &["--hints", "-c", "cd w && ./pytest -q"]);
    assert_eq!(run.code, Some(5), "{run}");
    assert!(run.stderr.contains("./pytest found no tests and could not keep its cache: the working directory was not granted — try: ./pytest … + . => .pytest_cache"), "{run}");
});

both!(hints_name_only_what_exists_and_scripts_get_none, |t: &T| {
    t.write("Makefile", "all:\n\t@echo built\n");
    // A script prints no hint by default...
    let run = sh(t, &["-c", "make"]);
    assert!(!run.ok(), "{run}");
    assert!(!run.stderr.contains("looked for"), "{run}");
    // ... but does with --hints or POLA_HINTS=1.
    let run = sh(t, &["--hints", "-c", "make"]);
    assert!(run.stderr.contains("make looked for ./Makefile"), "{run}");
    let mut cmd = t.command(pola_tests::pola_sh(), &["-c", "make"]);
    cmd.env("POLA_HINTS", "1");
    let run = t.output(cmd);
    assert!(run.stderr.contains("make looked for ./Makefile"), "{run}");
    // Nothing that is not there is ever named: a missing file, or one the jail made.
    fs::remove_file(t.path("Makefile")).unwrap();
    let run = sh(t, &["--hints", "-c", "make; cat nothing.txt"]);
    assert!(!run.stderr.contains("looked for"), "{run}");
    // pola-run too.
    t.write("in.txt", "x\n");
    let run = t.jail(&["--hints"], &["cat", "in.txt"]);
    assert!(run.stderr.contains("cat looked for ./in.txt"), "{run}");
    assert!(
        run.stderr.contains("try: pola-run --ro in.txt -- cat …"),
        "{run}"
    );
    let run = t.jail(&[], &["cat", "in.txt"]);
    assert!(!run.stderr.contains("looked for"), "{run}");
});

// A script for pola-sh run from pola-sh runs in a jail, where its own `=>` reach no
// further than its line's: said, with the way to run it as the user's own shell
// (`./report.sh` failed with "Read-only file system" and nothing else; new-user
// trial). Running such scripts unconfined by themselves was reviewed and dropped.
both!(a_script_for_pola_sh_in_a_jail_says_so, |t: &T| {
    let script = format!(
        "#!{}\nmkdir => reports && echo made\n",
        pola_tests::pola_sh().display()
    );
    let path = t.write("report.sh", &script);
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let run = sh(t, &["--hints", "-c", "./report.sh"]);
    assert!(!run.ok() && !t.path("reports").exists(), "{run}");
    assert!(
        run.stderr.contains("./report.sh runs pola-sh in a jail, where its own grants reach no further than this line's — if it failed for lack of one, grant on this line what its commands need (./report.sh + FILE => OUT), or to run it as your own shell, on purpose (its commands, !! ones too, then run with your authority): !!./report.sh"),
        "{run}"
    );
    // With hints off too (a script's `pola-sh -c`; new-user trial), and for
    // `pola-sh SCRIPT`.
    for line in ["./report.sh", "pola-sh report.sh"] {
        let run = sh(
            t,
            &[
                "-c",
                &format!("PATH={}:$PATH; {line}", pola_tests::bin_dir().display()),
            ],
        );
        assert!(!run.ok() && !t.path("reports").exists(), "{run}");
        assert!(
            run.stderr.contains(
                "runs pola-sh in a jail, where its own grants reach no further than this line's"
            ),
            "{run}"
        );
    }
    let run = sh(t, &["--hints", "-c", "!!./report.sh"]);
    assert_eq!(run.success(), "made\n", "{run}");
    // Its own usage message's exit, having looked for nothing it was not given: not
    // told of grants (trial 17).
    let script = format!(
        "#!{}\n[ $# -ge 1 ] || {{ echo 'usage: data.sh DIR' >&2; exit 2; }}\nmkdir -p \"$1\"\n",
        pola_tests::pola_sh().display()
    );
    let path = t.write("data.sh", &script);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let run = sh(t, &["--hints", "-c", "./data.sh"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert_eq!(run.stderr, "usage: data.sh DIR\n", "{run}");
    let run = sh(t, &["--hints", "-c", "./data.sh out"]);
    assert!(run.stderr.contains("runs pola-sh in a jail"), "{run}");
});

// Root's command on another user's file that others may not read: a jail has no
// capabilities (SECURITY.md 19), so root's override of permissions is gone there, and
// "Permission denied" did not say why (trial 19: tar, cp -a, du as root). Said, with
// the way to run it as root on purpose. (A user never had that override: nothing.)
both!(
    root_reading_another_users_file_is_told_why_it_cannot,
    |t: &T| {
        use std::os::unix::fs::PermissionsExt;
        t.write("own/a", "secret\n");
        t.write("own/sub/b", "b\n");
        fs::set_permissions(t.path("own/sub/b"), fs::Permissions::from_mode(0o600)).unwrap();
        if t.uid != 0 {
            let run = sh(t, &["--hints", "-c", "cat own/sub/b"]);
            assert!(!run.stderr.contains("another user's"), "{run}");
            return;
        }
        std::os::unix::fs::chown(t.path("own/sub/b"), Some(65534), Some(65534)).unwrap();
        // Unconfined, root reads it: the override is what the jail lacks.
        assert_eq!(sh(t, &["-c", "!!cat own/sub/b"]).success(), "b\n");
        for line in ["cat own/sub/b", "tar czf => o.tgz own"] {
            let run = sh(t, &["--hints", "-c", line]);
            assert!(!run.ok(), "{run}");
            assert!(run.stderr.contains("own/sub/b is another user's, and not readable by others: a jail has no capabilities, so root does not override file permissions there — to read it as root, on purpose: !!"), "{run}");
        }
        // A failure of another kind is not said so.
        let run = sh(t, &["--hints", "-c", "cat own/a nothere"]);
        assert!(!run.stderr.contains("another user's"), "{run}");
        // Nor a file of root's that root may not read (mode 000): one a jail run by root
        // could leave, to steer the hint to `!!` (review).
        t.write("mine/lock", "l\n");
        fs::set_permissions(t.path("mine/lock"), fs::Permissions::from_mode(0o000)).unwrap();
        let run = sh(t, &["--hints", "-c", "cat mine/lock"]);
        assert!(!run.ok() && !run.stderr.contains("another user's"), "{run}");
    }
);

// A sysadmin's day (trial 19): hints that named the wrong grant, or one for a name the
// line never meant to write.
both!(hints_name_only_what_the_line_meant_to_write, |t: &T| {
    t.write("logs/a.log.2", "a\n");
    t.write("logs/a.log.3", "b\n");
    // Each file gzip replaces, and what it makes of each (told the first alone).
    let run = sh(t, &["--hints", "-c", "gzip logs/a.log.2 logs/a.log.3"]);
    assert!(
        run.stderr.contains(
            "try: gzip … => logs/a.log.2 => logs/a.log.3 + => logs/a.log.2.gz => logs/a.log.3.gz\n"
        ),
        "{run}"
    );
    let run = sh(
        t,
        &[
            "-c",
            "gzip => logs/a.log.2 => logs/a.log.3 + => logs/a.log.2.gz => logs/a.log.3.gz",
        ],
    );
    assert!(run.ok(), "{run}");
    assert!(t.path("logs/a.log.3.gz").exists() && !t.path("logs/a.log.3").exists());
    // Copies into a last operand that is no directory: cp said so, and nothing more
    // (it was told to write /etc/os-release).
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "cp /etc/hosts /etc/hostname /etc/passwd + => .",
        ],
    );
    assert!(!run.ok() && run.stderr.contains("Not a directory"), "{run}");
    assert!(!run.stderr.contains("pola-sh:"), "{run}");
    // A `+` that granted nothing is a word, never a name to make (`=> ./+`).
    let run = sh(t, &["--hints", "-c", "df -h + /"]);
    assert!(!run.stderr.contains("./+"), "{run}");
    // Reading a key that is not there: not told to write it and its `.pub`.
    let run = sh(t, &["--hints", "-c", "ssh-keygen -l -f nothere.pub"]);
    assert!(
        !run.ok() && !run.stderr.contains("nothere.pub.pub"),
        "{run}"
    );
    // With the host's network, `ip` sees the host's: not told it sees the loopback.
    if std::path::Path::new("/usr/sbin/ip").exists() || std::path::Path::new("/usr/bin/ip").exists()
    {
        let run = sh(t, &["--hints", "-c", "ip -br a + @net; ip -br a"]);
        assert_eq!(run.stderr.matches("its loopback alone").count(), 1, "{run}");
    }
});

// A probe of a Tor proxy on the loopback (gpg's dirmngr, before whatever it then
// fails at) is not why a command failed: no network hint (gpg was told
// `@net:connect=9050` for a key that could not encrypt; new-user trial). Another port
// of the loopback still is said.
both!(a_tor_probe_is_not_a_network_hint, |t: &T| {
    let probe = |port: u16| {
        format!(
            "/usr/bin/python3 -c 'import socket, sys\ntry: socket.create_connection((\"127.0.0.1\", {port}), 2)\nexcept OSError: sys.exit(2)'"
        )
    };
    let run = sh(t, &["--hints", "-c", &probe(9050)]);
    assert!(!run.ok() && !run.stderr.contains("pola-sh:"), "{run}");
    let run = sh(t, &["--hints", "-c", &probe(9051)]);
    assert!(
        run.stderr
            .contains("tried to reach the network (127.0.0.1:9051)"),
        "{run}"
    );
});

// Where a command line makes a slot in the working directory (`-o => out`), the
// directory is not observed (a slot holds it), but what the command tried to run or
// reach still is: the network hint once went missing as soon as a slot was given.
both!(
    a_slot_in_the_working_directory_keeps_the_network_hint,
    |t: &T| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}/");
        let hint = format!("curl tried to reach the network (127.0.0.1:{port})");
        for line in [
            format!("curl -s {url} -o out.html"),
            format!("curl -s {url} -o => out.html"),
        ] {
            let run = sh(t, &["--hints", "-c", &line]);
            assert!(!run.ok(), "{run}");
            assert!(run.stderr.contains(&hint), "{line}: {run}");
        }
        assert!(!t.path("out.html").exists());
        drop(listener);
        // What it looked for there is not seen, but that it saw only its slots is said.
        t.write("notes.txt", "n\n");
        let run = sh(t, &["--hints", "-c", "sh -c 'cat notes.txt' + => out.txt"]);
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr.contains("sh saw only its grants in ./, not the 1 other name there (the working directory was not granted) — if it needed them, try: sh … + ."),
            "{run}"
        );
        // With a read grant there too, the line chose what it reads there: nothing is
        // said (what fails is more often the program's own error than a name it was
        // not given: `make + Makefile => out` on a compile error, `strace -o => t.txt
        // ./crash`, were told to grant all of ./; trial 13). What it could not open it
        // names itself (`cat: notes.txt: No such file or directory`).
        t.write("main.c", "m\n");
        let run = sh(
            t,
            &["--hints", "-c", "sh -c 'cat notes.txt' + main.c => out.txt"],
        );
        assert!(!run.ok(), "{run}");
        assert!(run.stderr.contains("notes.txt: No such file"), "{run}");
        assert!(!run.stderr.contains("saw only its grants"), "{run}");
        // Hosts granted by name, and a program that looks names up itself (ssh, not
        // the proxy's user): it finds the name granted (its /etc/hosts), and is told
        // when it looks up another.
        let lookup = |host: &str| {
            format!("/usr/bin/python3 -c 'import socket; socket.getaddrinfo(\"{host}\", 80)' + @net:example.org")
        };
        let run = sh(t, &["--hints", "-c", &lookup("example.org")]);
        assert!(run.ok(), "{run}");
        let run = sh(t, &["--hints", "-c", &lookup("other.org")]);
        assert!(
            run.stderr.contains("tried to look up a host name that was not granted (127.0.0.1:53): a jail finds only the hosts granted by name — try: /usr/bin/python3 … + @net:HOST for the host it needs, or /usr/bin/python3 … + @net"),
            "{run}"
        );
        let run = sh(
            t,
            &["--hints", "-c", "sh -c 'cat notes.txt' + . => out.txt"],
        );
        assert_eq!(
            (run.stdout.as_str(), run.stderr.as_str()),
            ("n\n", ""),
            "{run}"
        );
    }
);

// `find . -exec sed -i … {} +` and `find . -delete` with the tree named without =>
// failed with "Read-only file system" and no word of the grant that works, which is
// `+ => .` at the end (a `+` right after `find` would make the expression grants).
// The same find that only reads what it finds is told nothing.
both!(a_hint_quotes_names_a_shell_would_split, |t: &T| {
    t.write("w/c d.txt", "x\n");
    t.write("w/it's here.txt", "y\n");
    let run = sh(t, &["--hints", "-c", r#"cd w && mv "c d.txt" "c d.md""#]);
    let suggested = run
        .stderr
        .split("try: ")
        .nth(1)
        .map(|s| s.trim_end().to_string())
        .unwrap_or_else(|| panic!("no hint: {run}"));
    assert_eq!(suggested, r#"mv => "c d.txt" => "c d.md""#, "{run}");
    // Pasted as it is, it works.
    let run = sh(t, &["-c", &format!("cd w && {suggested}")]);
    assert!(run.ok(), "{run}");
    assert!(t.path("w/c d.md").exists() && !t.path("w/c d.txt").exists());
    let run = sh(
        t,
        &["--hints", "-c", r#"cd w && sed -i s/y/z/ "it's here.txt""#],
    );
    assert!(
        run.stderr.contains(r#"try: sed … => "it's here.txt""#),
        "{run}"
    );
    // A file a jail named `@net`: pasted, `+ @net` granted the network, not the file
    // (security review). The hint names the file.
    t.write("w/@net", "");
    let script = "cd w && /usr/bin/python3 -c 'open(\"@net\")'";
    let run = sh(t, &["--hints", "-c", script]);
    assert!(
        run.stderr.contains("try: /usr/bin/python3 … + ./@net"),
        "{run}"
    );
    assert!(sh(t, &["-c", &format!("{script} + ./@net")]).ok());
    // A name that cannot be typed: the directory, not escapes that name another file.
    t.write("w/x\x1by", "");
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "cd w && /usr/bin/python3 -c 'open(\"x\\x1by\")'",
        ],
    );
    assert!(
        run.stderr
            .contains(r"looked for ./x\ey, which was not granted — try: /usr/bin/python3 … + ."),
        "{run}"
    );
});

// `make install PREFIX=../inst + .`: told the place it installs into (the trial was
// told `+ => .`, which does not cover ../inst).
both!(make_install_is_told_where_it_installs, |t: &T| {
    t.write(
        "proj/Makefile",
        "PREFIX ?= /usr/local\ninstall:\n\tinstall -d $(PREFIX)/bin\n\tinstall -m 755 run.sh $(PREFIX)/bin/\n",
    );
    t.write("proj/run.sh", "#!/bin/sh\necho hi\n");
    let line = "cd proj && make install PREFIX=../inst + .";
    let run = sh(t, &["--hints", "-c", line]);
    assert!(
        run.stderr.contains(
            "make installs into ../inst, which it was not given to write: if it failed there, try: make … + => ../inst"
        ),
        "{run}"
    );
    assert!(sh(t, &["-c", &format!("{line} + => ../inst")]).ok());
    assert!(t.path("inst/bin/run.sh").exists());
});

// `sqlite3 test.db < dump.sql` said only "attempt to write a readonly database".
both!(
    sqlite3_writing_a_database_given_read_only_is_told_to_write_it,
    |t: &T| {
        t.plain(&[
            "sqlite3",
            t.path("test.db").to_str().unwrap(),
            "create table t(a)",
        ])
        .success();
        t.write("dump.sql", "insert into t values (1);\n");
        let run = sh(t, &["--hints", "-c", "sqlite3 test.db < dump.sql"]);
        assert!(
        run.stderr.contains("sqlite3 was given test.db read-only (named without =>), so it could not change it — try: sqlite3 … => test.db"),
        "{run}"
    );
        // A query that failed is not about grants.
        let run = sh(
            t,
            &["--hints", "-c", "sqlite3 test.db 'select * from nosuch'"],
        );
        assert!(!run.stderr.contains("try:"), "{run}");
        assert!(sh(t, &["-c", "sqlite3 => test.db < dump.sql"]).ok());
        let run = sh(t, &["-c", "sqlite3 test.db 'select count(*) from t'"]);
        assert_eq!(run.stdout, "1\n", "{run}");
        // A file it tried to make of a dot-command the line does not show (`.output` at
        // its prompt) is what failed, not the database (trial 17: told `=> test.db`).
        t.write("out.sql", ".output r.csv\nselect * from t;\n");
        let run = sh(t, &["--hints", "-c", "sqlite3 test.db < out.sql"]);
        assert!(run.stderr.contains("sqlite3 tried to create a file here, which was not granted — try: sqlite3 … + => NAME for each file it makes"), "{run}");
        assert!(sh(t, &["-c", "sqlite3 test.db < out.sql + => r.csv"]).ok());
        assert_eq!(fs::read_to_string(t.path("r.csv")).unwrap(), "1\n");
    }
);

// A host granted by name that pola-sh's proxy cannot reach: the command sees only a
// 502, and was told about the working directory instead (new-user trial).
both!(a_granted_host_the_proxy_cannot_reach_is_said, |t: &T| {
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "curl -fsS --max-time 20 http://127.0.0.1:1/ + @net:127.0.0.1:1",
        ],
    );
    assert!(!run.ok(), "{run}");
    assert!(
        run.stderr.contains("pola-sh: curl was granted 127.0.0.1:1, but pola-sh's proxy could not reach it: cannot connect: Connection refused"),
        "{run}"
    );
    // Without -f too: a failed connection, as without the proxy, not an answer (it
    // exited 0 with a 502's text: `curl URL && next` went on).
    let run = sh(
        t,
        &[
            "-c",
            "curl -sS --max-time 20 http://127.0.0.1:1/ + @net:127.0.0.1:1",
        ],
    );
    assert!(!run.ok() && run.stdout.is_empty(), "{run}");
    let direct = sh(
        t,
        &["-c", "curl -sS --max-time 20 http://127.0.0.1:1/ + @net"],
    );
    assert!(!direct.ok(), "{direct}");
});

// pola-run's hints showed pola-sh's syntax (`+ notes.txt`; new-user trial).
both!(pola_runs_hints_are_in_its_own_words, |t: &T| {
    t.write("notes.txt", "n\n");
    let run = t.plain(&[
        pola_tests::pola_run().to_str().unwrap(),
        "--hints",
        "--",
        "cat",
        "notes.txt",
    ]);
    assert!(
        run.stderr.contains("try: pola-run --ro notes.txt -- cat …"),
        "{run}"
    );
    let run = t.plain(&[
        pola_tests::pola_run().to_str().unwrap(),
        "--ro",
        "notes.txt",
        "--",
        "cat",
        "notes.txt",
    ]);
    assert_eq!(run.stdout, "n\n", "{run}");
});

both!(find_that_changes_what_it_finds_says_how, |t: &T| {
    t.write("w/x.txt", "aaa\n");
    t.write("w/sub/y.txt", "aaa\n");
    for line in [
        "find . -name '*.txt' -exec sed -i s/a/b/ {} +",
        "find . -name '*.txt' -delete",
        "find . -type f -exec rm {} +",
    ] {
        let run = sh(t, &["--hints", "-c", &format!("cd w && {line}")]);
        assert!(
            run.stderr.contains("find was given . read-only (named without =>), so what it found could not be changed — try: ")
                && run.stderr.contains("find … + => .\n"),
            "{run}"
        );
    }
    // `-delete` by a name's pattern: the files themselves (trial 8: `+ => .` offered).
    let run = sh(
        t,
        &["--hints", "-c", "cd w && find . -name '*.txt' -delete"],
    );
    assert!(run.stderr.contains("try: shopt -s globstar, then find … + => **/*.txt (each file it may remove), or find … + => .\n"), "{run}");
    t.write("w/keep.md", "k\n");
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "cd w && shopt -s globstar; find . -name '*.txt' -delete + => **/*.txt",
        ],
    );
    assert!(run.ok(), "{run}");
    // Its success is not told the grant (trial 16).
    assert!(!run.stderr.contains("try:"), "{run}");
    assert!(!t.path("w/x.txt").exists() && !t.path("w/sub/y.txt").exists());
    assert!(t.path("w/keep.md").exists() && t.path("w/sub").is_dir());
    t.write("w/x.txt", "aaa\n");
    t.write("w/sub/y.txt", "aaa\n");
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "cd w && find . -name '*.txt' -exec grep -q b {} +",
        ],
    );
    assert!(!run.stderr.contains("try:"), "{run}");
    // The grant it names works.
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "cd w && find . -name '*.txt' -exec sed -i s/a/b/ {} + + => .",
        ],
    );
    assert!(run.ok(), "{run}");
    assert_eq!(
        std::fs::read_to_string(t.path("w/sub/y.txt")).unwrap(),
        "baa\n"
    );
});

// `rm f` and `mv a b` in a working directory not granted: each name given is a
// read-only mount there, and the kernel says "busy", not "read-only". The hint names
// the grant that works (`mv => a => b`: a hint of `=> b` alone failed again).
both!(
    removing_or_renaming_a_name_given_read_only_says_how,
    |t: &T| {
        t.write("b.txt", "b\n");
        t.write("a.txt", "a\n");
        t.mkdir("full");
        t.write("full/x", "x\n");
        let run = sh(
            t,
            &["--hints", "-c", "rm b.txt; mv a.txt c.txt; rmdir => full"],
        );
        assert!(
        run.stderr.contains("rm: b.txt was granted read-only (named without =>), and cannot be removed; nothing was removed — try: rm => b.txt\n"),
        "{run}"
    );
        assert!(run.stderr.contains("try: mv => a.txt => c.txt"), "{run}");
        // Refused before it runs, with hints off too (a script was told "Device or
        // resource busy", and the other names were removed; trial 19).
        t.write("c.txt", "c\n");
        let refused = sh(t, &["-c", "rm -f c.txt b.txt + => c.txt"]);
        assert!(refused.stderr.contains("rm: b.txt was granted read-only (named without =>), and cannot be removed; nothing was removed — try: rm -f => c.txt => b.txt\n"), "{refused}");
        assert!(
            !refused.ok() && t.path("c.txt").exists() && t.path("b.txt").exists(),
            "{refused}"
        );
        sh(t, &["-c", "rm -f => c.txt => b.txt"]).success();
        assert!(!t.path("c.txt").exists() && !t.path("b.txt").exists());
        t.write("b.txt", "b\n");
        // Into a directory: the one name it makes there, not the whole directory.
        t.write("e.csv", "e\n");
        t.mkdir("sub");
        let run = sh(t, &["--hints", "-c", "mv e.csv sub/"]);
        assert!(
            run.stderr.contains("try: mv => e.csv => sub/e.csv"),
            "{run}"
        );
        let run = sh(t, &["--hints", "-c", "mv => e.csv => sub/e.csv"]);
        assert!(run.ok() && t.path("sub/e.csv").exists(), "{run}");
        // A test runner's configuration means the whole directory (a stand-in for
        // pytest, which looks for pytest.ini first and then lists the directory).
        t.write("rt/pytest.ini", "[pytest]\n");
        t.write("rt/test_a.py", "\n");
        let runner = t.write(
            "bin/pytest",
            "#!/bin/sh\ntest -e pytest.ini && ls | grep -q test_\n",
        );
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&runner, fs::Permissions::from_mode(0o755)).unwrap();
        let run = sh(
            t,
            &["--hints", "-c", "PATH=$PWD/bin:$PATH; cd rt && pytest"],
        );
        assert!(
            run.stderr.contains(
                "pytest looked for ./pytest.ini, which was not granted — try: pytest + ."
            ),
            "{run}"
        );
        // Several: each needs its `=>` (the trial was told only the first of a glob's).
        t.write("p1.txt", "a\n");
        t.write("p2.txt", "a\n");
        let run = sh(t, &["--hints", "-c", "sed -i s/a/b/ p?.txt"]);
        assert!(
            run.stderr.contains("sed was given 2 files read-only (named without =>: p1.txt, …), so it could not change them — try: sed … => p1.txt => p2.txt (=> before each, or a glob after it: => p*.txt)"),
            "{run}"
        );
        // tee writes what it names (`tee -a log` said only "Read-only file system").
        t.write("log", "1\n");
        let run = sh(t, &["--hints", "-c", "echo 2 | tee -a log"]);
        assert!(
            run.stderr.contains("tee was given log read-only (named without =>), so it could not change it — try: tee … => log"),
            "{run}"
        );
        // Given with =>, it failed for another reason: nothing to say about grants.
        assert!(!run.stderr.contains("try: rmdir"), "{run}");
        // A compressor replaces what it is given: that file, and the one it makes.
        t.write("g.txt", "g\n");
        let run = sh(t, &["--hints", "-c", "gzip g.txt"]);
        assert!(
            run.stderr.contains("gzip was given g.txt read-only (named without =>), so it could not change it — try: gzip … => g.txt + => g.txt.gz"),
            "{run}"
        );
        // patch changes the file it patches, not the patch it reads (it was told to
        // write both; new-user trial).
        t.write("a.orig", "a\n");
        t.write("fix.patch", "--- a.orig\n+++ a.orig\n@@ -1 +1 @@\n-a\n+b\n");
        for line in ["patch a.orig fix.patch", "patch -i fix.patch a.orig"] {
            let run = sh(t, &["--hints", "-c", line]);
            assert!(
                run.stderr.contains("patch was given a.orig read-only (named without =>), so it could not change it — try: patch … => a.orig\n"),
                "{run}"
            );
        }
        assert!(sh(t, &["-c", "patch => a.orig fix.patch"]).ok());
        assert_eq!(std::fs::read_to_string(t.path("a.orig")).unwrap(), "b\n");
        // One that keeps it (`-k`) needs only what it makes (the trial was told both).
        let run = sh(t, &["--hints", "-c", "gzip -k g.txt"]);
        assert!(
            run.stderr.contains("gzip makes g.txt.gz beside g.txt, which was not granted — try: gzip … + => g.txt.gz"),
            "{run}"
        );
        assert!(sh(t, &["-c", "gzip -k g.txt + => g.txt.gz"]).ok());
        assert_eq!(std::fs::read_to_string(t.path("g.txt")).unwrap(), "g\n");
        std::fs::remove_file(t.path("g.txt.gz")).unwrap();
        // One that only reads it (`-c`, `-l`, `-t`) is not told to change it (trial 16:
        // `gzip -c src/../README` was, when `src` had not been given; it now finds it).
        t.mkdir("src");
        for line in [
            "gzip -c src/../g.txt > /dev/null",
            "gzip -l src/../g.txt",
            "xz -t src/../g.txt",
        ] {
            let run = sh(t, &["--hints", "-c", line]);
            assert!(!run.stderr.contains("read-only"), "{run}");
        }
        assert!(sh(t, &["-c", "gzip -c src/../g.txt > /dev/null"]).ok());
        // An editor given a file read-only exits 0 after :q!, and is told too; one
        // that could not make a new file is told of that file, not of its scratch.
        t.write("edit.txt", "e\n");
        let vim = "vim -u NONE -i NONE -N -es";
        let run = sh(t, &["--hints", "-c", &format!("{vim} -c 'q!' edit.txt")]);
        assert!(run.ok(), "{run}");
        assert!(
            run.stderr.contains("vim was given edit.txt read-only (named without =>), so it could not save it — to edit it, try: vim => edit.txt"),
            "{run}"
        );
        let run = sh(t, &["--hints", "-c", &format!("{vim} -c wq new.txt")]);
        assert!(
            run.stderr.contains(
                "vim tried to create ./new.txt, which was not granted — try: vim … => new.txt"
            ),
            "{run}"
        );
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                &format!("{vim} -c 's/e/f/' -c wq => edit.txt"),
            ],
        );
        assert!(run.ok() && run.stderr.is_empty(), "{run}");
        assert_eq!(fs::read_to_string(t.path("edit.txt")).unwrap(), "f\n");
        // In-place edits of a file named without => (perl -pi exits 0), and sort -o.
        t.write("sub/p.txt", "hello\n");
        t.write("same.txt", "b\na\n");
        let run = sh(
            t,
            &["--hints", "-c", "sed -i s/x/y/ sub/p.txt; perl -pi -e s/hello/bye/ sub/p.txt; sort -o same.txt same.txt; sed s/x/y/ sub/p.txt"],
        );
        for said in [
            "sed was given sub/p.txt read-only (named without =>), so it could not change it — try: sed … => sub/p.txt",
            "perl was given sub/p.txt read-only (named without =>), so it could not change it — try: perl … => sub/p.txt",
            "sort was given same.txt read-only (named without =>), so it could not write it — try: sort … -o => same.txt",
        ] {
            assert!(run.stderr.contains(said), "{said}: {run}");
        }
        assert_eq!(run.stderr.matches("pola-sh:").count(), 3, "{run}");
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "perl -pi -e s/hello/bye/ => sub/p.txt && sort -o => same.txt same.txt",
            ],
        );
        assert!(run.ok() && run.stderr.is_empty(), "{run}");
        assert_eq!(fs::read_to_string(t.path("same.txt")).unwrap(), "a\nb\n");
        // A pattern that matched nothing is no name to grant.
        let run = sh(t, &["--hints", "-c", "rm *.tmp"]);
        assert!(!run.ok() && !run.stderr.contains("pola-sh:"), "{run}");
        // Others that change what they are given, and what copies into a directory.
        t.mkdir("dest");
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "chmod +x g.txt; touch g.txt; cp g.txt dest/",
            ],
        );
        for said in [
            "chmod was given g.txt read-only (named without =>), so it could not change it — try: chmod … => g.txt",
            "touch was given g.txt read-only (named without =>), so it could not change it — try: touch … => g.txt",
            "cp was given dest/ read-only (named without =>), so it could not change it — try: cp … => dest/",
        ] {
            assert!(run.stderr.contains(said), "{said}: {run}");
        }
        let run = sh(
            t,
            &["--hints", "-c", "chmod +x => g.txt && cp g.txt => dest/"],
        );
        assert!(run.ok() && t.path("dest/g.txt").exists(), "{run}");
        let run = sh(t, &["--hints", "-c", "gzip => g.txt + => g.txt.gz"]);
        assert!(
            run.ok() && t.path("g.txt.gz").exists() && !t.path("g.txt").exists(),
            "{run}"
        );
        let run = sh(t, &["--hints", "-c", "rm => b.txt; mv => a.txt => c.txt"]);
        assert!(run.ok(), "{run}");
        assert!(
            !t.path("b.txt").exists() && !t.path("a.txt").exists(),
            "{run}"
        );
        assert_eq!(fs::read_to_string(t.path("c.txt")).unwrap(), "a\n");
    }
);

// A command that succeeds having listed the working directory (not granted: it holds
// only the grants) says it saw part of it; one that tried to create a name there gets
// the write grant for it.
both!(
    listing_and_creating_in_an_ungranted_directory_say_so,
    |t: &T| {
        t.write("a.txt", "a\n");
        t.write("b.txt", "b\n");
        let run = sh(t, &["--hints", "-c", "ls; ls a.txt"]);
        assert_eq!(run.stdout, "a.txt\n", "{run}");
        assert_eq!(
        run.stderr,
        "pola-sh: ls listed ./, which was not granted: it saw only its command line's grants there, not 2 other names — try: ls + .\n",
        "{run}"
    );
        let run = sh(t, &["--hints", "-c", "ls + ."]);
        assert_eq!(run.stderr, "", "{run}");
        // Python lists it to import anything: not a listing to be told of.
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "/usr/bin/python3 -c 'import json; print(2)'",
            ],
        );
        assert_eq!(
            (run.stdout.as_str(), run.stderr.as_str()),
            ("2\n", ""),
            "{run}"
        );
        // A command that went on without many of the files it looked for is told.
        t.write("c.txt", "c\n");
        let probe = "/usr/bin/python3 -c 'import os; print(sum(os.path.exists(f) for f in [\"a.txt\", \"b.txt\", \"c.txt\"]))'";
        let run = sh(t, &["--hints", "-c", probe]);
        assert_eq!(run.stdout, "0\n", "{run}");
        assert!(
            run.stderr
                .contains("looked for 3 files here that were not granted, and saw them as missing"),
            "{run}"
        );
        let run = sh(t, &["--hints", "-c", "touch new.txt"]);
        assert!(
            run.stderr.contains("try: touch … => new.txt\n")
                && (run.stderr.contains("touch tried to create ./new.txt")
                    || run.stderr.contains("touch found no ./new.txt")),
            "{run}"
        );
        assert!(!t.path("new.txt").exists());
        // A path whose first name it tried to make, git init's .git, patch's file.
        t.write("orig.txt", "a\n");
        t.write(
            "u.diff",
            "--- orig.txt\n+++ orig.txt\n@@ -1 +1 @@\n-a\n+b\n",
        );
        let run = sh(
            t,
            &["--hints", "-c", "mkdir -p x/y; git init -q; patch < u.diff"],
        );
        for said in [
            "mkdir tried to create ./x, which was not granted — try: mkdir … => x/y",
            "git tried to create ./.git, which was not granted — try: git … + => .git",
            "patch looked for ./orig.txt, which was not granted — try: patch => orig.txt",
        ] {
            assert!(run.stderr.contains(said), "{said}: {run}");
        }
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "mkdir -p => x/y && patch => orig.txt < u.diff",
            ],
        );
        assert!(run.ok() && t.path("x/y").is_dir(), "{run}");
        // A diff of a file and its new version (`diff -u app.ini app.ini.new`): the one
        // patch changes, as it chooses (trial 19 was told both).
        t.write("app.ini", "x=1\n");
        t.write("app.ini.new", "x=2\n");
        t.write(
            "fix.patch",
            "--- app.ini\n+++ app.ini.new\n@@ -1 +1 @@\n-x=1\n+x=2\n",
        );
        let run = sh(t, &["--hints", "-c", "patch -p0 < fix.patch"]);
        assert!(run.stderr.contains("try: patch … + => app.ini\n"), "{run}");
        sh(t, &["-c", "patch -p0 + => app.ini < fix.patch"]).success();
        assert_eq!(fs::read_to_string(t.path("app.ini")).unwrap(), "x=2\n");
        assert_eq!(fs::read_to_string(t.path("app.ini.new")).unwrap(), "x=2\n");
        assert_eq!(fs::read_to_string(t.path("orig.txt")).unwrap(), "b\n");
        // What each hint says works: git's repository is .git itself (`git init =>
        // .git` made .git/.git), and a file made under directories that are there is
        // granted itself (it said `touch … + .`, read-only, and touch failed again).
        let run = sh(
            t,
            &["--hints", "-c", "git init -q + => .git && touch x/y/f.txt"],
        );
        assert!(
            t.path(".git/HEAD").exists() && !t.path(".git/.git").exists(),
            "{run}"
        );
        assert!(run.stderr.contains("try: touch … => x/y/f.txt"), "{run}");
        sh(t, &["-c", "touch => x/y/f.txt"]).success();
        assert!(t.path("x/y/f.txt").exists());
    }
);

// A program that administers the system, failing in a jail (`apt-get install` as root:
// "Could not open lock file … are you root?"), is named as one, with the unconfined
// way to run it (new-user trial: it said nothing).
both!(system_tools_say_why_they_fail, |t: &T| {
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "apt-get install -y --no-download pola-no-such-package",
        ],
    );
    assert!(!run.ok(), "{run}");
    assert!(
        run.stderr.contains("pola-sh: apt-get administers the system (packages, services, users, mounts), which no jail is given — to run it unconfined, on purpose: !!apt-get …"),
        "{run}"
    );
});

// A set-user-ID program that fails in a jail (where it never gains its privileges) is
// named as one, with the unconfined way to run it.
both!(setuid_programs_say_why_they_fail, |t: &T| {
    let prog = t.path("suidfalse");
    fs::copy("/bin/false", &prog).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&prog, fs::Permissions::from_mode(0o4755)).unwrap();
    let run = sh(t, &["--hints", "-c", "./suidfalse"]);
    assert_eq!(
        run.stderr,
        "pola-sh: ./suidfalse is a set-user-ID program, whose privileges a jail never gives — to run it unconfined, on purpose: !!./suidfalse\n",
        "{run}"
    );
    // An ordinary program that fails gets no such line.
    let run = sh(t, &["--hints", "-c", "/bin/false"]);
    assert_eq!(run.stderr, "", "{run}");
    // npm running the project's own failing test looks its registry up (whether npm
    // is out of date) and writes nothing of its own here: no hint of the network, nor
    // of a grant to write (both were given).
    if std::path::Path::new("/usr/bin/npm").exists() {
        t.write(
            "package.json",
            "{\"name\":\"x\",\"version\":\"1.0.0\",\"scripts\":{\"test\":\"exit 1\"}}\n",
        );
        let run = sh(t, &["--hints", "-c", "npm test + ."]);
        assert!(!run.ok(), "{run}");
        assert!(!run.stderr.contains("pola-sh:"), "{run}");
    }
    // One that lists processes sees only its jail's: said once a shell.
    let run = sh(t, &["--hints", "-c", "ps; ps; pgrep -x nothing-here"]);
    assert_eq!(
        run.stderr,
        "pola-sh: ps sees only its own jail's processes — to see the machine's, read-only: ps + @ps (to signal one, the kill builtin)\n",
        "{run}"
    );
    // One that signals reaches none outside its jail, `@ps` or not (it said nothing
    // and exited 1; new-user trial): the kill builtin does.
    // (A time of this test's own: the other user's run of it has its own `sleep`.)
    let nap = format!("31.{}", std::process::id() % 1000);
    let line = format!("sleep {nap} & pkill -fx 'sleep {nap}' + @ps; kill $(pgrep -fx 'sleep {nap}' + @ps) && wait $!; echo waited=$?");
    let run = sh(t, &["--hints", "-c", &line]);
    assert!(run.stderr.contains("pkill signals only its own jail's processes — to signal yours, use the kill builtin: kill %JOB, kill PID, kill $(pgrep NAME + @ps)"), "{run}");
    assert_eq!(run.stdout, "waited=143\n", "{run}");
});

// A shell serves every jail's working-directory skeleton from one FUSE file system
// (one host process, mounted once), each jail given only its own directory of it
// under a key of its own: nothing of one jail's skeleton is in the next one's, and
// `..` leads out of the file system, not up to the other jails' directories.
both!(
    one_file_system_serves_every_jail_and_keeps_them_apart,
    |t: &T| {
        t.write("a.txt", "a\n");
        let script = "cat a.txt >/dev/null
ls -a
grep ' fuse ' /proc/self/mountinfo | cut -d' ' -f4,5
grep ' fuse ' /proc/self/mountinfo | cut -d' ' -f4,5
sh -c 'test \"$(stat -c %d .)\" != \"$(stat -c %d ..)\" && echo parent-elsewhere'
!! pgrep -c -P $$ -f -- --cwd-host";
        let run = sh(t, &["--hints", "-c", script]);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 6, "{run}");
        // The second jail sees nothing of the first one's grant.
        assert_eq!(&lines[0..2], [".", ".."], "{run}");
        // Each is its own directory of the file system, mounted at the working directory.
        let dir = t.path("").canonicalize().unwrap();
        let key = |line: &str| -> String {
            let (root, point) = line.split_once(' ').unwrap();
            assert_eq!(std::path::Path::new(point), dir, "{run}");
            let key = root.strip_prefix('/').unwrap().to_string();
            assert!(
                !key.is_empty() && key.chars().all(|c| c.is_ascii_hexdigit()),
                "{run}"
            );
            key
        };
        assert_ne!(key(lines[2]), key(lines[3]), "{run}");
        assert_eq!(lines[4], "parent-elsewhere", "{run}");
        // One host for the shell.
        assert_eq!(lines[5], "1", "{run}");
    }
);

// A build tool given its directory read-only (`make + .`), git given its repository
// read-only (its profile gives the work tree so), and `git config --global` with the
// user's configuration read-only (its profile) or not granted at all (the change lands
// in the jail's private home and is lost): each says the write grant that works, and
// with it the command does its work. Found by a new-user helper: each failed (or
// silently did nothing) with no hint, and git in a repository's subdirectory failed
// with hints on ("not a git repository ... mount point"), with or without `=> ../.git`.
both!(
    a_program_given_read_only_what_it_changes_says_how,
    |t: &T| {
        t.write("proj/Makefile", "out.txt:\n\techo built > out.txt\n");
        let run = sh(t, &["--hints", "-c", "cd proj; make + ."]);
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr.contains("make was given . read-only (named without =>): if it failed writing there, try: make + => ."),
            "{run}"
        );
        // Asked only whether it is up to date (`make -q` exits 1, `cargo fmt --check`
        // with its diff): it writes nothing, and is told nothing (trial 18).
        let run = sh(t, &["--hints", "-c", "cd proj; make -q + ."]);
        assert_eq!(run.code, Some(1), "{run}");
        assert!(!run.stderr.contains("pola-sh:"), "{run}");
        let run = sh(t, &["--hints", "-c", "cd proj; make + => ."]);
        assert!(run.ok() && !run.stderr.contains("pola-sh:"), "{run}");
        assert_eq!(
            fs::read_to_string(t.path("proj/out.txt")).unwrap(),
            "built\n"
        );
        // Where -C sends it.
        t.write("proj2/Makefile", "out.txt:\n\techo built > out.txt\n");
        let run = sh(t, &["--hints", "-c", "make -C proj2"]);
        assert!(
            run.stderr.contains("make was given proj2 read-only (named without =>): if it failed writing there, try: make … + => proj2"),
            "{run}"
        );
        // An archive extracted into a directory the line named read-only (it said
        // only tar's "Cannot mkdir: Read-only file system", once a file).
        t.mkdir("arc/in");
        t.write("arc/in/f", "f\n");
        t.mkdir("dest");
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "tar czf => a.tgz -C arc in && tar xzf a.tgz -C dest",
            ],
        );
        assert!(
            run.stderr.contains("tar was given dest read-only (named without =>): if it failed writing there, try: tar … + => dest"),
            "{run}"
        );
        sh(t, &["-c", "tar xzf a.tgz -C dest + => dest"]).success();
        assert_eq!(fs::read_to_string(t.path("dest/in/f")).unwrap(), "f\n");
        // Into a directory that is not there: tar -C never makes it (`=> new` alone
        // failed the same way).
        let run = sh(t, &["--hints", "-c", "tar xzf a.tgz -C new"]);
        assert!(
            run.stderr.contains("tar found no ./new, and tar -C does not make it — try: mkdir => new && tar … -C => new"),
            "{run}"
        );
        sh(t, &["-c", "mkdir => new && tar xzf a.tgz -C => new"]).success();
        assert_eq!(fs::read_to_string(t.path("new/in/f")).unwrap(), "f\n");

        let run = t.plain(&["git", "init", "-q", "repo"]);
        assert!(run.ok(), "{run}");
        t.write("repo/a.txt", "a\n");
        t.write("repo/sub/here.txt", "here\n");
        // In a subdirectory: the repository is found, and the directory is the host's.
        let run = sh(
            t,
            &["--hints", "-c", "cd repo/sub; git status --short; ls + .."],
        );
        assert!(run.ok(), "{run}");
        assert_eq!(run.stdout, "?? ../a.txt\n?? ./\nhere.txt\n", "{run}");
        let run = sh(t, &["--hints", "-c", "cd repo/sub; git add ../a.txt"]);
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr.contains("git changes the repository, and was given ../.git read-only — try: git … + => ../.git"),
            "{run}"
        );
        let commit = "cd repo/sub; git add ../a.txt + => ../.git && git -c user.name=T -c user.email=t@example.org commit -qm first + => ../.git";
        let run = sh(t, &["--hints", "-c", commit]);
        assert!(run.ok() && !run.stderr.contains("pola-sh:"), "{run}");
        let run = t.plain(&["git", "-C", "repo", "log", "--format=%s", "--name-only"]);
        assert_eq!(run.stdout, "first\n\na.txt\n", "{run}");
        // What changes the files checked out needs them too (with `=> .git` alone,
        // `git switch` moved the branch and left the files as they were, status 0).
        fs::write(t.path("repo/a.txt"), "changed\n").unwrap();
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "cd repo/sub; git restore ../a.txt + => ../.git",
            ],
        );
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr.contains("git restore rewrites the files of the work tree .., which were granted read-only (only its .git to write): it would stop half-way; nothing was done — try: git restore … + => ../.git => ../a.txt\n"),
            "{run}"
        );
        let run = sh(
            t,
            &["--hints", "-c", "cd repo/sub; git restore ../a.txt + => .."],
        );
        assert!(run.ok() && !run.stderr.contains("pola-sh:"), "{run}");
        assert_eq!(fs::read_to_string(t.path("repo/a.txt")).unwrap(), "a\n");

        // pip in a venv changes the venv, which it runs from (given read-only).
        let run = sh(t, &["-c", "/usr/bin/python3 -m venv => venv"]);
        assert!(run.ok(), "{run}");
        // `pip install -e .`: setuptools writes the project's metadata into its sources
        // (trial 18: "could not create 'src/mypkg.egg-info'", and no hint).
        t.write(
            "proj/setup.cfg",
            "[metadata]\nname = my-pkg\nversion = 0.1\n\n[options]\npackage_dir =\n    = src\npackages = find:\n\n[options.packages.find]\nwhere = src\n",
        );
        t.write("proj/setup.py", "from setuptools import setup\nsetup()\n");
        t.write("proj/src/mypkg/__init__.py", "X = 41 + 1\n");
        // (A venv of its own: the one above is left as it was for pip's own hint.)
        sh(t, &["-c", "/usr/bin/python3 -m venv => venv2"]).success();
        let install =
            "cd proj; . ../venv2/bin/activate; pip install -q --no-build-isolation --no-index -e .";
        let run = sh(t, &["--hints", "-c", install]);
        assert!(
            run.stderr.contains("pip installs . in place (-e): setuptools writes src/my_pkg.egg-info there, which was not given to write — if it failed there, try: pip … + => ../venv2 => src/my_pkg.egg-info"),
            "{run}"
        );
        let before = tree(&t.path("proj"));
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                &format!("{install} + => ../venv2 => src/my_pkg.egg-info"),
            ],
        );
        assert!(run.ok() && !run.stderr.contains("pola-sh:"), "{run}");
        let after = tree(&t.path("proj"));
        assert_only_changed(&before, &after, &["src/my_pkg.egg-info/..."]);
        let run = sh(
            t,
            &[
                "-c",
                "cd proj; ../venv2/bin/python -c 'import mypkg; print(mypkg.X)' + src",
            ],
        );
        assert_eq!(run.success(), "42\n");

        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                ". venv/bin/activate; pip uninstall -y setuptools",
            ],
        );
        assert!(
            run.stderr.contains("pip changes the virtual environment it runs from, and was given venv read-only — try: pip … + => venv"),
            "{run}"
        );
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                ". venv/bin/activate; pip uninstall -y setuptools + => venv",
            ],
        );
        assert!(run.ok() && !run.stderr.contains("pola-sh:"), "{run}");

        // gpg writes its keyrings' locks even to list them.
        if std::path::Path::new("/usr/bin/gpg").exists() {
            let home = t.mkdir("gpghome");
            let gnupg = t.mkdir("gpghome/.gnupg");
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&gnupg, fs::Permissions::from_mode(0o700)).unwrap();
            let gpg = |script: &str| with_home(t, &home, script);
            let run = gpg("gpg --list-keys");
            assert!(
                run.stderr.contains("gpg used an empty ~/.gnupg of the jail's private home, not yours (which it was not given) — to use yours, try: gpg … + => ~/.gnupg"),
                "{run}"
            );
            let run = gpg("gpg --list-keys + ~/.gnupg");
            assert!(
                run.stderr.contains("gpg changes its keyrings (even to list them: their locks), and was given ~/.gnupg read-only — try: gpg … + => ~/.gnupg"),
                "{run}"
            );
            let run = gpg("gpg --list-keys + => ~/.gnupg");
            assert!(run.ok() && !run.stderr.contains("pola-sh:"), "{run}");
            // None yet: a key generated went to the private home, status 0, and nothing
            // said how to keep it (new-user trial).
            let fresh = t.mkdir("fresh");
            let gen = "gpg --batch --passphrase '' --quick-gen-key 'T <t@example.org>' \
                       future-default default never";
            let run = with_home(t, &fresh, gen);
            assert!(
                run.stderr.contains("gpg made its keyrings in ~/.gnupg of the jail's private home, which is gone with it (you have none there) — to keep them, try: gpg … + => ~/.gnupg"),
                "{run}"
            );
            let run = with_home(
                t,
                &fresh,
                &format!("{gen} + => ~/.gnupg && gpg -k + => ~/.gnupg"),
            );
            assert!(run.success().contains("t@example.org"), "{run}");
            // `GNUPGHOME` names it: told that one, not `+ .` (what gpg looked for).
            let run = with_home(
                t,
                &fresh,
                &format!("mkdir -m 700 => kr; export GNUPGHOME=$PWD/kr; {gen}"),
            );
            assert!(
                run.stderr.contains("gpg keeps its keyrings in kr (GNUPGHOME), which it was not given — try: gpg … + => kr"),
                "{run}"
            );
            // Given, and not there: gpg does not make it (trial 8: told it saw only its
            // grants).
            let run = with_home(
                t,
                &fresh,
                &format!("export GNUPGHOME=$PWD/kr2; {gen} + => kr2"),
            );
            assert!(
                run.stderr.contains("gpg keeps its keyrings in kr2 (GNUPGHOME), which is not there, and does not make it — try: mkdir -m 700 => kr2 first"),
                "{run}"
            );
        }
        // git config --global, the user's configuration not there: lost, and said so.
        let home = t.mkdir("home");
        let config = home.join(".gitconfig");
        let global = |script: &str| with_home(t, &home, script);
        let run = global("git config --global user.name Pat");
        assert!(run.ok(), "{run}");
        assert!(
            run.stderr.contains("git changed ~/.gitconfig in the jail's private home, which is gone with it (yours is unchanged) — to change yours, try: git … + => ~/.gitconfig"),
            "{run}"
        );
        assert!(!config.exists());
        let run = global("git config --global user.name Pat + => ~/.gitconfig");
        assert!(run.ok() && !run.stderr.contains("pola-sh:"), "{run}");
        assert!(fs::read_to_string(&config).unwrap().contains("name = Pat"));
        // There now, given read-only by git's profile: the change fails.
        let run = global("git config --global user.name Sam");
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr.contains("git changes its configuration, and was given ~/.gitconfig read-only — try: git … + => ~/.gitconfig"),
            "{run}"
        );
        let run = global(
            "git config --global user.name Sam + => ~/.gitconfig; git config --global user.name",
        );
        assert_eq!(run.stdout, "Sam\n", "{run}");
        assert!(!run.stderr.contains("pola-sh:"), "{run}");
    }
);

// npm changing a project's dependencies writes node_modules and the two manifests: the
// hint names those, not the whole directory, and that grant is enough (an install of
// a local tarball, which needs no network).
both!(
    npm_install_is_told_the_grant_it_needs_and_no_more,
    |t: &T| {
        if !std::path::Path::new("/usr/bin/npm").exists() {
            return;
        }
        t.write(
            "dep/package.json",
            "{\"name\":\"dep\",\"version\":\"1.0.0\"}\n",
        );
        t.write("dep/index.js", "module.exports = 42;\n");
        let packed = t.plain(&["sh", "-c", "cd dep && npm pack -q"]);
        assert!(packed.ok(), "{packed}");
        t.write(
            "app/package.json",
            "{\"name\":\"app\",\"version\":\"1.0.0\"}\n",
        );
        t.write("app/notes.txt", "mine\n");
        let install = "cd app; npm install --no-audit --no-fund ../dep/dep-1.0.0.tgz";
        let run = sh(t, &["--hints", "-c", install]);
        assert!(!run.ok(), "{run}");
        let grant = "+ => node_modules => package.json => package-lock.json";
        assert!(
        run.stderr
            .contains(&format!("pola-sh: npm looked for ./package.json, which was not granted — try: npm … {grant}")),
        "{run}"
    );
        let before = pola_tests::tree(&t.path("app"));
        let run = sh(t, &["--hints", "-c", &format!("{install} {grant}")]);
        assert!(run.ok(), "{run}");
        assert!(!run.stderr.contains("pola-sh:"), "{run}");
        let after = pola_tests::tree(&t.path("app"));
        pola_tests::assert_only_changed(
            &before,
            &after,
            &["package.json", "package-lock.json", "node_modules/..."],
        );
        let required = t.plain(&[
            "sh",
            "-c",
            "cd app && node -e 'console.log(require(\"dep\"))'",
        ]);
        assert_eq!(required.success(), "42\n");
    }
);

// A test runner finds its tests by listing the working directory: without it, `python3
// -m unittest` ran none and said OK. It is told; a plain `python3 -c` (which lists the
// directory to import anything) is not.
both!(a_test_runner_without_its_directory_is_told, |t: &T| {
    t.write(
        "test_mod.py",
        "import unittest\nclass T(unittest.TestCase):\n    def test_a(self): pass\n",
    );
    let run = sh(t, &["--hints", "-c", "/usr/bin/python3 -m unittest"]);
    assert!(run.stderr.contains("Ran 0 tests"), "{run}");
    assert!(
        run.stderr.contains("pola-sh: /usr/bin/python3 listed ./, which was not granted: it saw only its command line's grants there, not 1 other name — try: /usr/bin/python3 … + ."),
        "{run}"
    );
    let run = sh(
        t,
        &["--hints", "-c", "/usr/bin/python3 -m unittest test_mod"],
    );
    assert!(
        run.stderr.contains("pola-sh: /usr/bin/python3 looked for ./test_mod, which was not granted — try: /usr/bin/python3 … + ."),
        "{run}"
    );
    let run = sh(t, &["--hints", "-c", "/usr/bin/python3 -m unittest + ."]);
    assert!(
        run.stderr.contains("Ran 1 test") && !run.stderr.contains("pola-sh:"),
        "{run}"
    );
    let run = sh(t, &["--hints", "-c", "/usr/bin/python3 -c 'print(1)'"]);
    assert_eq!(run.stderr, "", "{run}");
});

// Extracting an archive writes what it looks for: the hint gives a write grant (a read
// one, `+ .`, failed the same way) for the archive's names, when they are few and plain
// (trial 8 was told `+ => .`), or a new directory to extract into; never a name of the
// archive's that begins with a dot.
both!(
    an_archive_extracted_here_is_told_its_names_to_write,
    |t: &T| {
        t.write("src/a", "a\n");
        t.write("top.txt", "top\n");
        t.write("d/src/a", "a\n");
        t.write("d/.bashrc", "rc\n");
        for n in 1..=5 {
            t.write(&format!("m/{n}"), "n\n");
        }
        for line in [
            &["tar", "czf", "src.tgz", "src", "top.txt"][..],
            &["tar", "czf", "dot.tgz", "-C", "d", "src", ".bashrc"],
            &["tar", "czf", "many.tgz", "-C", "m", "1", "2", "3", "4", "5"],
        ] {
            let packed = t.plain(line);
            assert!(packed.ok(), "{packed}");
        }
        for gone in ["src", "top.txt", "d", "m"] {
            let gone = t.path(gone);
            fs::remove_dir_all(&gone)
                .or_else(|_| fs::remove_file(&gone))
                .unwrap();
        }
        t.mkdir("w");
        told_then_works(
            t,
            &[(
                "tar xzf ../src.tgz",
                "pola-sh: tar extracts src and top.txt here (the archive's names), which were not granted — try: tar … + => src => top.txt, or into a new directory: mkdir => src && tar … -C => src",
                "tar xzf ../src.tgz + => src => top.txt",
            )],
        );
        assert_eq!(fs::read_to_string(t.path("w/src/a")).unwrap(), "a\n");
        assert_eq!(fs::read_to_string(t.path("w/top.txt")).unwrap(), "top\n");
        // Over what is there: the same names, to write (the directory's name is taken).
        let run = sh(t, &["--hints", "-c", "cd w && tar xzf ../src.tgz"]);
        assert!(
            run.stderr.contains("pola-sh: tar extracts src and top.txt here (the archive's names; src, top.txt are there, and would be replaced), which were not granted — try: tar … + => src => top.txt, or into a new directory: mkdir => extracted && tar … -C => extracted"),
            "{run}"
        );
        // A dot file's name, or more than four: a new directory, or the whole one.
        for (archive, said) in [
            ("dot.tgz", "pola-sh: tar extracts 2 names here (the archive's), which were not granted — try: mkdir => dot && tar … -C => dot, or tar … + => ."),
            ("many.tgz", "pola-sh: tar extracts 5 names here (the archive's), which were not granted — try: mkdir => many && tar … -C => many, or tar … + => ."),
        ] {
            told_then_works(
                t,
                &[(&format!("tar xzf ../{archive}"), said, &format!("mkdir => {0} && tar xzf ../{archive} -C => {0}", &archive[..archive.len() - 4]))],
            );
        }
        assert_eq!(fs::read_to_string(t.path("w/dot/.bashrc")).unwrap(), "rc\n");
        assert_eq!(fs::read_to_string(t.path("w/many/5")).unwrap(), "n\n");
        assert!(!t.path("w/.bashrc").exists());
    }
);

// A program that only reads what it is given is not told to make a missing name.
both!(
    a_reader_given_a_missing_name_is_not_told_to_make_it,
    |t: &T| {
        let run = sh(t, &["--hints", "-c", "ls -d build; cat nohup.out"]);
        assert!(run.stderr.contains("No such file"), "{run}");
        assert!(!run.stderr.contains("pola-sh:"), "{run}");
        let run = sh(t, &["--hints", "-c", "touch new.txt"]);
        assert!(
        run.stderr.contains("pola-sh: touch tried to create ./new.txt, which was not granted — try: touch … => new.txt"),
        "{run}"
    );
    }
);

// `patch FILE` changes the file it is given: told the write grant for it.
both!(
    patch_given_its_file_read_only_is_told_to_write_it,
    |t: &T| {
        t.write("mod.py", "a\nb\n");
        t.write(
            "fix.patch",
            "--- mod.py\n+++ mod.py\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
        );
        let run = sh(t, &["--hints", "-c", "patch mod.py < fix.patch"]);
        assert!(!run.ok(), "{run}");
        assert!(
        run.stderr.contains("pola-sh: patch was given mod.py read-only (named without =>), so it could not change it — try: patch … => mod.py"),
        "{run}"
    );
        let run = sh(t, &["--hints", "-c", "patch => mod.py < fix.patch"]);
        assert!(run.ok(), "{run}");
        assert_eq!(fs::read_to_string(t.path("mod.py")).unwrap(), "a\nc\n");
        // A diff of a tree: the directory it changes, not the whole working
        // directory (the trial was told `+ => .`).
        t.write("pa/x.txt", "one\ntwo\n");
        t.write(
            "tree.diff",
            "--- pa/x.txt\n+++ pa/x.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n",
        );
        let run = sh(t, &["--hints", "-c", "patch -p0 < tree.diff"]);
        assert!(
            run.stderr
                .contains("patch looked for ./pa, which was not granted — try: patch … + => pa"),
            "{run}"
        );
        assert!(sh(t, &["-c", "patch -p0 < tree.diff + => pa"]).ok());
        assert_eq!(
            fs::read_to_string(t.path("pa/x.txt")).unwrap(),
            "one\nTWO\n"
        );
    }
);

// A hard link to a file granted read-only (a mount of its own) fails with EXDEV: the
// hint gives both names writable, which makes it.
both!(a_hard_link_is_told_the_grants_it_needs, |t: &T| {
    t.write("data.txt", "d\n");
    let run = sh(t, &["--hints", "-c", "ln data.txt => hard.txt"]);
    assert!(!run.ok(), "{run}");
    assert!(
        run.stderr.contains("try: ln => data.txt => hard.txt"),
        "{run}"
    );
    let run = sh(t, &["--hints", "-c", "ln => data.txt => hard.txt"]);
    assert!(run.ok(), "{run}");
    use std::os::unix::fs::MetadataExt;
    let (a, b) = (
        fs::metadata(t.path("data.txt")).unwrap(),
        fs::metadata(t.path("hard.txt")).unwrap(),
    );
    assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));
});

// In the home directory, which each jail has a private one of, a command that failed
// to find what was there said nothing at all (`cat private.txt`: "No such file").
both!(
    a_command_that_failed_in_the_private_home_says_what_it_did_not_see,
    |t: &T| {
        t.write("home/private.txt", "p\n");
        t.write("home/notes", "n\n");
        let home = t.path("home");
        let mut cmd = t.command(
            pola_tests::pola_sh(),
            &["--hints", "-c", "cd ~ && sh -c 'cat private.txt' + notes"],
        );
        cmd.env("HOME", &home);
        let run = t.output(cmd);
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr
                .contains("sh saw only its grants in ./, not the 1 other name there"),
            "{run}"
        );
    }
);

// `grep -rl foo src | xargs sed -i …`: the hint said `xargs … + src` (read-only: sed
// then failed again, with no word), where the edits need `+ => src`.
both!(xargs_editing_in_place_is_told_the_write_grant, |t: &T| {
    t.write("w/src/a.txt", "foo\n");
    let line = "cd w && grep -rl foo src | xargs sed -i s/foo/baz/g";
    let run = sh(t, &["--hints", "-c", line]);
    assert!(
        run.stderr
            .contains("xargs looked for ./src, which was not granted — try: xargs … + => src"),
        "{run}"
    );
    sh(t, &["--hints", "-c", &format!("{line} + => src")]);
    assert_eq!(
        std::fs::read_to_string(t.path("w/src/a.txt")).unwrap(),
        "baz\n"
    );
    // `find … | xargs rm` too (it was told `+ t`, read-only, then only failed).
    t.write("w/t/a.log", "");
    t.write("w/t/keep.txt", "");
    let line = "cd w && find t -name '*.log' | xargs rm";
    let run = sh(t, &["--hints", "-c", line]);
    assert!(
        run.stderr
            .contains("xargs looked for ./t, which was not granted — try: xargs … + => t"),
        "{run}"
    );
    assert!(sh(t, &["-c", &format!("{line} + => t")]).ok());
    assert!(!t.path("w/t/a.log").exists() && t.path("w/t/keep.txt").exists());
    // And a copy made beside each (`xargs -I{} cp {} {}.bak` was told `+ t`, read-only;
    // trial 19).
    let line = "cd w && find t -name '*.txt' | xargs -I{} cp {} {}.bak";
    let run = sh(t, &["--hints", "-c", line]);
    assert!(
        run.stderr
            .contains("xargs looked for ./t, which was not granted — try: xargs … + => t"),
        "{run}"
    );
    assert!(sh(t, &["-c", &format!("{line} + => t")]).ok());
    assert!(t.path("w/t/keep.txt.bak").exists());
    // A few names here, each to write (`ls *.log | xargs rm` was told `+ => .`; trial
    // 8); never a dot file's name, which its input chose.
    for name in ["w/a.log", "w/b.log", "w/keep.txt", "w/.c.log"] {
        t.write(name, "");
    }
    let line = "cd w && ls *.log | xargs rm";
    let run = sh(t, &["--hints", "-c", line]);
    assert!(
        run.stderr.contains(
            "xargs looked for ./a.log, which was not granted — try: xargs … + => a.log => b.log"
        ),
        "{run}"
    );
    let run = sh(
        t,
        &["--hints", "-c", &format!("{line} + => a.log => b.log")],
    );
    assert!(run.ok() && !run.stderr.contains("pola-sh:"), "{run}");
    assert!(!t.path("w/a.log").exists() && !t.path("w/b.log").exists());
    assert!(t.path("w/keep.txt").exists());
    let run = sh(
        t,
        &["--hints", "-c", "cd w && ls .c.log keep.txt | xargs rm"],
    );
    assert!(run.stderr.contains("try: xargs … + => .\n"), "{run}");
    assert!(t.path("w/.c.log").exists());
});

// A command ended from outside (`kill`, its terminal closed as the shell left) lacked
// nothing: no hint. It was told it saw only its grants in ./ (a job the shell's `exit`
// ended said so on the terminal as the shell left).
both!(a_command_killed_from_outside_gets_no_hint, |t: &T| {
    for name in ["a", "b", "c"] {
        t.write(name, "x\n");
    }
    let tag = format!("32.{}", std::process::id() % 1000);
    let script = format!(
        "!!sh -c 'sleep 1; pkill -TERM -f \"^sleep {tag}$\"' & sleep {tag} + => a; echo st=$?"
    );
    let run = sh(t, &["--hints", "-c", &script]);
    assert_eq!(run.stdout, "st=143\n", "{run}");
    assert!(!run.stderr.contains("try:"), "{run}");
    // The same command failing on its own is told.
    let run = sh(t, &["--hints", "-c", "sleep x + => a"]);
    assert!(run.stderr.contains("try: sleep … + ."), "{run}");
});

// Tools that change the file they are given in place are told `=> NAME` (they were
// told to grant each file they make, or the directory); `mkfifo` is told that a FIFO
// a jail made is never opened for later commands, and how to make one (it was told
// to grant `.`, after which the FIFO could not be used; new-user trial).
both!(
    in_place_tools_and_mkfifo_get_the_hint_that_works,
    |t: &T| {
        t.write("u.c", "int add(int a, int b) { return a + b; }\n");
        sh(t, &["-c", "!!gcc -c u.c && !!ar rc libu.a u.o"]).success();
        let run = sh(t, &["--hints", "-c", "ranlib libu.a"]);
        assert!(run.stderr.contains("try: ranlib … => libu.a"), "{run}");
        sh(t, &["-c", "ranlib => libu.a"]).success();
        let run = sh(t, &["--hints", "-c", "strip u.o"]);
        assert!(run.stderr.contains("try: strip … => u.o"), "{run}");
        let run = sh(t, &["--hints", "-c", "/usr/bin/mkfifo => ff"]);
        assert!(
        run.stderr.contains("pola-sh: /usr/bin/mkfifo: a FIFO made by a jail is never opened for later commands (one a jail left could hold them) — to make one to use, the shell's own: mkfifo …"),
        "{run}"
    );
        assert!(!run.stderr.contains("+ ."), "{run}");
        // As said: made by the shell, it is opened.
        let run = sh(
            t,
            &[
                "-c",
                "mkfifo ff && { cat ff > got & echo through > ff; wait; } && cat got",
            ],
        );
        assert_eq!(run.success(), "through\n");
    }
);

// `pip install --user` installs into ~/.local: in the jail's private home, discarded
// with it, and nothing said what keeps it (new-user trial). Told the grant.
both!(pip_install_user_is_told_the_grant_that_keeps_it, |t: &T| {
    let wheel = r#"
import zipfile
with zipfile.ZipFile('tinyx-1.0-py3-none-any.whl', 'w') as z:
    z.writestr('tinyx.py', 'X = 1\n')
    z.writestr('tinyx-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\nName: tinyx\nVersion: 1.0\n')
    z.writestr('tinyx-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n')
    z.writestr('tinyx-1.0.dist-info/RECORD', '')
"#;
    t.plain(&["/usr/bin/python3", "-c", wheel]).success();
    let installed = t.home.join(".local/lib/python3.11/site-packages/tinyx.py");
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "/usr/bin/python3 -m pip install -q --user --no-index --break-system-packages tinyx-1.0-py3-none-any.whl",
        ],
    );
    assert!(
        run.stderr.contains("pola-sh: /usr/bin/python3 changed ~/.local in the jail's private home, which is gone with it (yours is unchanged) — to change yours, try: /usr/bin/python3 … + => ~/.local"),
        "{run}"
    );
    assert!(!installed.exists());
});

// `git switch -c new` writes only the repository: told `+ => .git` (it was told
// `+ => .`, the whole work tree; new-user trial).
both!(a_new_branch_is_told_the_repository_only, |t: &T| {
    t.mkdir("w");
    let ids = "export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b";
    sh(
        t,
        &["-c", &format!("cd w && {ids} && git init -q + => . && echo a > a && git add a + => .git && git commit -qm a + => .git")],
    )
    .success();
    let run = sh(t, &["--hints", "-c", "cd w && git switch -c feature"]);
    assert!(
        run.stderr.contains("pola-sh: git changes the repository, and was given .git read-only — try: git … + => .git"),
        "{run}"
    );
    sh(t, &["-c", "cd w && git switch -qc feature + => .git"]).success();
});

// git given `.git` and every file it rewrites, failing for a reason of its own (a
// conflict, which git says), is told nothing more: it was told the very grants its
// line gave (trial 20). With a file not given, the hint still names it.
both!(git_given_what_it_rewrites_is_not_told_it_again, |t: &T| {
    t.mkdir("w");
    let ids = "export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b";
    let git = |hints: bool, line: &str| {
        let script = format!("cd w && {ids} && {line}");
        match hints {
            true => sh(t, &["--hints", "-c", &script]),
            false => sh(t, &["-c", &script]),
        }
    };
    git(false, "git init -q + => . && echo a > b.txt && git add b.txt + => .git && git commit -qm a + => .git").success();
    git(false, "echo stashed > b.txt && git stash -q + => .git => b.txt && echo committed > b.txt && git commit -qam b + => .git").success();
    let run = git(true, "git stash pop + => .git => b.txt");
    assert!(!run.ok(), "{run}");
    assert!(run.stdout.contains("CONFLICT"), "{run}");
    assert!(!run.stderr.contains("try: git"), "{run}");
    git(false, "git reset -q --hard + => .git => b.txt").success();
    let run = git(true, "git stash pop + => .git");
    assert!(!run.ok(), "{run}");
    assert!(run.stderr.contains("… + => .git => b.txt"), "{run}");
});

// A package manager without the network is told its registry's hosts by name (pip
// and npm were told `@net:HOST`; npm retried for 70 s first; new-user trial).
both!(a_package_manager_is_told_its_registrys_hosts, |t: &T| {
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "/usr/bin/python3 -m pip download -q --no-deps --retries 0 --timeout 2 -d => dl tabulate",
        ],
    );
    assert!(!run.ok(), "{run}");
    assert!(
        run.stderr.contains("for its registry, try: /usr/bin/python3 … + @net:pypi.org @net:files.pythonhosted.org (pola-sh's proxy looks them up)"),
        "{run}"
    );
    // Installing into a virtual environment it has read-only: that too (given the
    // registry alone, it failed again there; new-user trial).
    sh(t, &["-c", "/usr/bin/python3 -m venv => venv"]).success();
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            ". venv/bin/activate; pip install -q --retries 0 --timeout 2 tabulate",
        ],
    );
    assert!(
        run.stderr.contains("try: pip … + @net:pypi.org @net:files.pythonhosted.org => venv (pola-sh's proxy looks them up), or pip … + @net => venv"),
        "{run}"
    );
});

// A shell script goes on after a command that failed and may exit 0: what it could
// not read in the working directory is said as a failure's would be (`source
// ./lib.sh` failed, the script went on, exited 0, and nothing said why; new-user
// trial). Granted, nothing is said.
both!(
    a_shell_script_that_succeeded_is_told_what_it_could_not_read,
    |t: &T| {
        t.write("lib.sh", "greet() { echo \"hello $1\"; }\n");
        let main = t.write(
            "main.sh",
            "#!/usr/bin/env bash\nsource ./lib.sh\ngreet world\necho done\n",
        );
        std::fs::set_permissions(&main, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let run = sh(t, &["--hints", "-c", "./main.sh"]);
        assert_eq!(run.success(), "done\n", "{run}");
        assert!(
        run.stderr.contains("pola-sh: ./main.sh looked for ./lib.sh, which was not granted — try: ./main.sh + lib.sh"),
        "{run}"
    );
        let run = sh(t, &["--hints", "-c", "./main.sh + lib.sh"]);
        assert_eq!(run.success(), "hello world\ndone\n", "{run}");
        assert!(!run.stderr.contains("pola-sh:"), "{run}");
    }
);

// A package manager without the network retries before it fails (npm for 70 s, in
// silence; new-user trial): said while it runs, with the grant, a moment after its
// first name lookup, before its last retry and its error. (One that does without the
// network, npm installing from a file, is not:
// npm_install_is_told_the_grant_it_needs_and_no_more.)
both!(
    a_package_manager_retrying_without_the_network_is_told_while_it_runs,
    |t: &T| {
        // pip retries 0.5, 1, 2, 4 and 8 s apart: the last retries come well after the line.
        let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "/usr/bin/python3 -m pip download --no-deps --retries 6 --timeout 2 -d => dl tabulate",
        ],
    );
        assert!(!run.ok(), "{run}");
        let live = run.stderr.find("pola-sh: /usr/bin/python3 is looking up its registry's host name itself, which a jail without the network cannot; it may retry for a minute before it stops (Ctrl-C stops it now) — try: /usr/bin/python3 … + @net:pypi.org @net:files.pythonhosted.org\n");
        let last_retry = run.stderr.rfind("WARNING: Retrying");
        let failed = run.stderr.find("ERROR: Could not find a version");
        assert!(
            live.is_some() && last_retry.is_some() && failed.is_some(),
            "{run}"
        );
        assert!(
            live < last_retry && last_retry < failed,
            "said while it ran: {run}"
        );
        assert_eq!(
            run.stderr.matches("is looking up its registry's").count(),
            1,
            "{run}"
        );
        // A venv's pip is told the venv too, as at its end (trial 18: following this
        // line cost another failure).
        sh(t, &["-c", "/usr/bin/python3 -m venv => venv"]).success();
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                ". venv/bin/activate; pip install --retries 4 --timeout 2 tabulate",
            ],
        );
        assert!(!run.ok(), "{run}");
        assert!(run.stderr.contains("pola-sh: pip is looking up its registry's host name itself, which a jail without the network cannot; it may retry for a minute before it stops (Ctrl-C stops it now) — try: pip … + @net:pypi.org @net:files.pythonhosted.org => venv\n"), "{run}");
    }
);

// A server in the jail's own network waits for connections that never come: said
// while it runs, a moment after it bound its port, with the grant (nothing was said
// until it was stopped; new-user trial) — and not again at its end. A server the
// command connects to itself (a test suite's) is not said.
both!(a_server_nothing_reaches_is_said_while_it_runs, |t: &T| {
    let server = |also: &str| {
        format!(
            "/usr/bin/python3 -c 'import socket, sys, time\ns = socket.socket()\ns.bind((\"0.0.0.0\", 8123))\ns.listen()\n{also}\nprint(\"listening\", file=sys.stderr, flush=True)\ntime.sleep(3.5)\nprint(\"done\", file=sys.stderr)\nsys.exit(1)'"
        )
    };
    let run = sh(t, &["--hints", "-c", &server("")]);
    let said = run.stderr.find("pola-sh: /usr/bin/python3 listens on port 8123 in the jail's own network, which nothing outside the jail reaches — to serve on the host's, stop it and try: /usr/bin/python3 … + @net:bind=8123\n");
    let listening = run.stderr.find("listening");
    let done = run.stderr.find("done");
    assert!(
        said.is_some() && listening.is_some() && done.is_some(),
        "{run}"
    );
    assert!(listening < said && said < done, "said while it ran: {run}");
    assert_eq!(run.stderr.matches("on port 8123").count(), 1, "{run}");
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            &server("c = socket.create_connection((\"127.0.0.1\", 8123))"),
        ],
    );
    assert!(run.stderr.contains("done"), "{run}");
    assert!(!run.stderr.contains("listens on port"), "{run}");
});

// A port it was granted where nothing answered on the host: it was told the grant it
// had (the server, started in a jail without @net:bind, listened in its own network;
// new-user trials).
both!(a_granted_port_where_nothing_listens_is_said, |t: &T| {
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            &format!("curl -sS http://127.0.0.1:{port}/ + @net:connect={port}"),
        ],
    );
    assert!(!run.ok(), "{run}");
    assert!(
        run.stderr.contains(&format!("pola-sh: curl connected to 127.0.0.1:{port}, which it was granted: if nothing answered, nothing listens there on the host (a server in a jail listens on the host's network only with @net:bind={port})")),
        "{run}"
    );
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            &format!("curl -sS http://127.0.0.1:{port}/"),
        ],
    );
    // The machine's own loopback: that address and port, not the port everywhere
    // (trial 12 was told `@net:connect=PORT`).
    assert!(
        run.stderr
            .contains(&format!("try: curl … + @net:127.0.0.1:{port}")),
        "{run}"
    );
});

// Trial 12: a reader given a path that is not there (`cat data/nosuch.csv`, an
// unmatched `ls data/*.nothing`) was told to grant the directory on its way, which
// changes nothing; and curl, refused a port of a host it was granted, exited 0 having
// saved the refusal, with nothing said. Said now, with the grant for that port, which
// then works.
both!(hints_name_only_grants_that_would_help, |t: &T| {
    t.write("data/x.csv", "a\n");
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "cat data/nosuch.csv; ls data/*.nothing; cat data/x.csv",
        ],
    );
    assert_eq!(run.stdout, "a\n", "{run}");
    assert!(
        run.stderr.contains("data/nosuch.csv: No such file"),
        "{run}"
    );
    assert!(!run.stderr.contains("pola-sh:"), "{run}");
    // A directory the program found itself is still told (`cat` of a name in it).
    let run = sh(t, &["--hints", "-c", "sh -c 'cat data/x.csv'"]);
    assert!(run.stderr.contains("sh looked for ./data"), "{run}");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().take(2).flatten() {
            use std::io::{Read, Write};
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n");
        }
    });
    // An archive that is one directory, named as it is, is not told to go into a new
    // directory of that name (`reports/reports/…`); `-` is standard output, not a file
    // to grant (`wget -O -` was told `=> ./-`).
    t.write("src/reports/a.md", "r\n");
    t.plain(&["tar", "cf", "reports.tar", "-C", "src", "reports"])
        .success();
    let run = sh(t, &["--hints", "-c", "tar xf reports.tar"]);
    assert!(
        run.stderr
            .contains("try: tar … + => reports, or tar … + => ."),
        "{run}"
    );
    let run = sh(t, &["--hints", "-c", "wget -q -O - http://127.0.0.1:9/"]);
    assert!(!run.stderr.contains("./-"), "{run}");
    assert!(
        run.stderr
            .contains("wget tried to reach the network (127.0.0.1:9)"),
        "{run}"
    );
    let url = format!("http://127.0.0.1:{port}/");
    let run = sh(
        t,
        &["--hints", "-c", &format!("curl -sS {url} + @net:127.0.0.1")],
    );
    assert!(run.ok(), "{run}");
    assert!(
        run.stderr.contains(&format!(
            "curl tried to reach 127.0.0.1:{port}, which was not granted — try: curl … + @net:127.0.0.1:{port}"
        )),
        "{run}"
    );
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            &format!("curl -sS {url} + @net:127.0.0.1:{port}"),
        ],
    );
    assert_eq!(run.stdout, "hello\n", "{run}");
    // By the name the line gave (trial 14: told the address, which through the proxy
    // does not cover `localhost`, and the grant failed again).
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            &format!("curl -sS http://localhost:{port}/"),
        ],
    );
    assert!(
        run.stderr
            .contains(&format!("try: curl … + @net:localhost:{port}")),
        "{run}"
    );
});

// A clone of a repository on this machine fetches from a directory its line did not
// grant: git said "'…/repo' does not appear to be a git repository", and no hint
// (new-user trial). Told the remote's directory, and what it writes.
both!(
    a_fetch_from_a_local_remote_is_told_its_directory,
    |t: &T| {
        t.mkdir("repo");
        let ids = "export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@b";
        sh(
        t,
        &["-c", &format!("cd repo && {ids} && git init -q + => . && echo a > a && git add a + => .git && git commit -qm a + => .git && cd .. && git clone -q repo => clone")],
    )
    .success();
        sh(
        t,
        &["-c", &format!("cd repo && {ids} && echo b > b && git add b + => .git && git commit -qm b + => .git")],
    )
    .success();
        let repo = t.path("repo");
        let shown = repo.to_str().unwrap();
        let run = sh(t, &["--hints", "-c", "cd clone && git fetch -q + => .git"]);
        assert!(!run.ok(), "{run}");
        assert!(
        run.stderr.contains(&format!("pola-sh: git fetch reaches the repository {shown} (the remote origin), which was not granted — try: git fetch … + {shown} => .git")),
        "{run}"
    );
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "cd clone && git push -q origin HEAD:other + => .git",
            ],
        );
        assert!(
            run.stderr
                .contains(&format!("try: git push … + => {shown} => .git")),
            "{run}"
        );
        // What it says works.
        let run = sh(
            t,
            &[
                "-c",
                &format!(
                    "cd clone && git fetch -q + {shown} => .git && git log --format=%s origin/HEAD"
                ),
            ],
        );
        assert_eq!(run.success(), "b\na\n");
    }
);

// With hints the working directory is a skeleton the shell serves (FUSE). Its
// directories had the times of 1970 (`ls -l`, new-user trial): they have the time the
// skeleton was made, as the tmpfs skeleton's have, not the host directories' (when a
// directory the jail was not granted last changed is not the jail's to know).
both!(
    the_working_directorys_skeleton_has_the_time_it_was_made,
    |t: &T| {
        t.write("sub/f", "x\n");
        // An old host directory: its time must not show through.
        let old = std::ffi::CString::new(t.path("sub").as_os_str().as_encoded_bytes()).unwrap();
        let times = [libc::timespec {
            tv_sec: 1_000_000_000,
            tv_nsec: 0,
        }; 2];
        // SAFETY: a NUL-terminated path and two timespecs.
        assert_eq!(
            unsafe { libc::utimensat(libc::AT_FDCWD, old.as_ptr(), times.as_ptr(), 0) },
            0
        );
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - 2;
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "/bin/sh -c 'stat -f -c %T .; stat -c %Y . sub' x sub/f",
            ],
        );
        let out = run.success();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{run}");
        assert!(lines[0].starts_with("fuse"), "not the skeleton: {run}");
        for line in &lines[1..] {
            let time: u64 = line.parse().unwrap_or_else(|_| panic!("{run}"));
            assert!(
                time >= before,
                "a skeleton time of {time}, before {before}: {run}"
            );
        }
    }
);

// A name outside the working directory that the line gives the command to make: only
// the working directory is watched, so the failure was not seen and nothing was said
// (`sort … -o ../sorted.txt`, `cp f ~/dest/new.txt`; new-user trial).
both!(
    names_to_make_outside_the_working_directory_get_a_hint,
    |t: &T| {
        t.mkdir("repo");
        t.mkdir("dest");
        t.write("f.txt", "b\na\n");
        let run = sh(
            t,
            &["--hints", "-c", "cd repo && sort ../f.txt -o ../sorted.txt"],
        );
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr
                .contains("sort was not given ../sorted.txt to make")
                && run.stderr.contains("try: sort … => ../sorted.txt"),
            "{run}"
        );
        // What it says works.
        sh(t, &["-c", "cd repo && sort ../f.txt -o => ../sorted.txt"]).success();
        assert_eq!(fs::read_to_string(t.path("sorted.txt")).unwrap(), "a\nb\n");
        let dest = t.path("dest/new.txt");
        let line = format!("cd repo && cp ../f.txt {}", dest.display());
        let run = sh(t, &["--hints", "-c", &line]);
        assert!(
            run.stderr
                .contains(&format!("try: cp … => {}", dest.display())),
            "{run}"
        );
        // In the working directory, typed as a whole path: named as typed (it was told
        // only "+ => NAME for each file it makes").
        let here = t.path("repo").canonicalize().unwrap().join("new.txt");
        let line = format!("cd repo && cp ../f.txt {}", here.display());
        let run = sh(t, &["--hints", "-c", &line]);
        assert!(
            run.stderr
                .contains(&format!("try: cp … => {}", here.display())),
            "{run}"
        );
        // A directory that is not there is not suggested, nor a name already there.
        let run = sh(
            t,
            &["--hints", "-c", "cd repo && cp ../f.txt ../nowhere/new.txt"],
        );
        assert!(!run.stderr.contains("was not given"), "{run}");
        let run = sh(t, &["--hints", "-c", "cd repo && touch ../f.txt"]);
        assert!(!run.stderr.contains("was not given"), "{run}");
        // The archive tar creates, in its letters or after -f (trial 11: no hint).
        for (line, archive) in [
            ("tar czf ../backup.tgz .", "../backup.tgz"),
            ("tar -cf ../b.tar .", "../b.tar"),
        ] {
            let run = sh(t, &["--hints", "-c", &format!("cd repo && {line}")]);
            assert!(
                run.stderr
                    .contains(&format!("tar was not given {archive} to make"))
                    && run.stderr.contains(&format!("try: tar … => {archive}")),
                "{run}"
            );
        }
        sh(t, &["-c", "cd repo && tar czf => ../backup.tgz ."]).success();
        assert!(t.path("backup.tgz").is_file());
        // Extracting makes no archive: nothing of the kind said.
        let run = sh(t, &["--hints", "-c", "cd repo && tar xzf ../none.tgz"]);
        assert!(!run.stderr.contains("was not given"), "{run}");
    }
);

// Every file a line makes below a directory it was not given (`touch a/b/c/x.txt
// a/foo.txt`), and every name `mv` moves and where to: each was told only the first
// (new-user trial).
both!(hints_name_every_file_a_line_makes_or_moves, |t: &T| {
    t.mkdir("a/b/c");
    t.mkdir("dest");
    t.write("m1.log", "1\n");
    t.write("m2.log", "2\n");
    let run = sh(t, &["--hints", "-c", "touch a/b/c/x.txt a/foo.txt"]);
    assert!(
        run.stderr
            .contains("try: touch … => a/b/c/x.txt => a/foo.txt"),
        "{run}"
    );
    let run = sh(t, &["--hints", "-c", "mv m1.log m2.log dest/"]);
    assert!(
        run.stderr
            .contains("try: mv => m1.log => m2.log dest/ + => dest/m1.log => dest/m2.log\n"),
        "{run}"
    );
    // What they say works.
    sh(
        t,
        &[
            "-c",
            "touch => a/b/c/x.txt => a/foo.txt && mv => m1.log => m2.log dest/ + => dest/m1.log => dest/m2.log",
        ],
    )
    .success();
    assert!(t.path("a/b/c/x.txt").exists() && t.path("a/foo.txt").exists());
    assert!(t.path("dest/m2.log").exists() && !t.path("m1.log").exists());
    // The file an option names for its output (trial 16: told `+ dest`, which failed).
    t.write("m2.log", "2\n");
    for (line, hint) in [
        ("sort m2.log -o dest/s.txt", "try: sort … => dest/s.txt"),
        ("tar -czf dest/x.tgz m2.log", "try: tar … => dest/x.tgz"),
    ] {
        let run = sh(t, &["--hints", "-c", line]);
        assert!(run.stderr.contains(hint), "{run}");
    }
    sh(
        t,
        &[
            "-c",
            "sort m2.log -o => dest/s.txt && tar -czf => dest/x.tgz m2.log",
        ],
    )
    .success();
    assert!(t.path("dest/s.txt").exists() && t.path("dest/x.tgz").exists());
    // Not a file a reader was to read, there or not.
    let run = sh(t, &["--hints", "-c", "cat dest/none.txt"]);
    assert!(!run.stderr.contains("=>"), "{run}");
});

// A program that shows the system's state sees the jail's, with status 0: `dpkg -l`
// printed nothing, `df -h` the jail's tmpfs, and nothing was said (new-user trial).
// Said once a shell for each kind.
both!(
    programs_that_show_the_system_say_they_see_the_jails,
    |t: &T| {
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "df -h >/dev/null; df >/dev/null; dpkg -l >/dev/null",
            ],
        );
        assert_eq!(
            run.stderr
                .matches(
                    "df sees the jail's own mounts, not the system's (df … PATH shows the file system holding PATH) — to see the system's: !!df …"
                )
                .count(),
            1,
            "{run}"
        );
        assert!(
            run.stderr
                .contains("dpkg reads the system's package database, which no jail is given"),
            "{run}"
        );
        // With an operand, df shows the file system holding it, which is right.
        let run = sh(t, &["--hints", "-c", "df -h . >/dev/null"]);
        assert!(!run.stderr.contains(" sees "), "{run}");
        // But `/` is the jail's own root (a 1 MB tmpfs; trial 10).
        let run = sh(t, &["--hints", "-c", "df -h / >/dev/null"]);
        assert!(
            run.stderr.contains("df sees the jail's own mounts"),
            "{run}"
        );
    }
);

// `eval "$(ssh-agent -s)"`: the agent ended with its jail, and SSH_AGENT_PID was the
// jail's own number (3), which `kill $SSH_AGENT_PID` sent to another process (trial
// 10). Told so, with the agent that stays; unconfined, the PID is the agent's.
both!(
    an_agent_started_in_a_jail_is_told_it_ended_with_it,
    |t: &T| {
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "eval \"$(ssh-agent -s)\" >/dev/null; echo pid=$SSH_AGENT_PID",
            ],
        );
        assert!(
        run.stderr.contains("pola-sh: ssh-agent ended with its jail: its socket and its PID (the jail's own number: kill $SSH_AGENT_PID would signal another process) name nothing here — for an agent that stays: eval \"$(!!ssh-agent -s)\""),
        "{run}"
    );
        let pid: u32 = run.expect_field("pid").parse().unwrap();
        assert!(pid < 10, "{run}");
        let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "eval \"$(!!ssh-agent -s)\" >/dev/null; kill -0 $SSH_AGENT_PID && echo alive; kill $SSH_AGENT_PID",
        ],
    );
        assert_eq!(run.stdout, "alive\n", "{run}");
        assert!(!run.stderr.contains("pola-sh:"), "{run}");
        // With a command of its own, it had the agent while that ran: nothing to say.
        let run = sh(t, &["--hints", "-c", "ssh-agent sh -c 'ssh-add -l'"]);
        assert!(run.stdout.contains("no identities"), "{run}");
        assert!(
            !run.stderr.contains("ended with its jail") && !run.stderr.contains("set-user-ID"),
            "{run}"
        );
    }
);

// A download's file is in the grant with the network: `curl … -o x` was told the
// network alone, and failed again writing x (new-user trial).
both!(
    a_download_is_told_the_file_it_writes_with_the_network,
    |t: &T| {
        let run = sh(
            t,
            &[
                "--hints",
                "-c",
                "curl -s --max-time 3 http://192.0.2.1/ -o out",
            ],
        );
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr.contains("try: curl … + @net:connect=80 => out"),
            "{run}"
        );
    }
);

// SQLite in WAL mode makes its journal's files beside the database, even to read: it
// was told "+ => NAME for each file it makes" (new-user trial). Named from the word
// typed, whether the files are there or not.
both!(sqlite_is_told_the_files_its_journal_takes, |t: &T| {
    let db = t.path("test.db");
    let made = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("pragma journal_mode=wal; create table t(a); insert into t values(1);")
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let _ = fs::remove_file(t.path("test.db-wal"));
    let _ = fs::remove_file(t.path("test.db-shm"));
    let _ = std::process::Command::new("chown")
        .arg(format!("{}:{}", t.uid, t.gid))
        .arg(&db)
        .status();
    let want = "sqlite3 keeps test.db-wal and test.db-shm beside test.db (its journal), which it was not given to write — try: sqlite3 … + => test.db-wal => test.db-shm";
    let run = sh(t, &["--hints", "-c", "sqlite3 test.db 'select * from t'"]);
    assert!(run.stderr.contains(want), "{run}");
    // What it says works.
    let run = sh(
        t,
        &[
            "-c",
            "sqlite3 test.db 'select * from t' + => test.db-wal => test.db-shm",
        ],
    );
    assert_eq!(run.success(), "1\n");
    // There already (left by another reader).
    t.write("test.db-wal", "");
    t.write("test.db-shm", "");
    let run = sh(t, &["--hints", "-c", "sqlite3 test.db 'select * from t'"]);
    assert!(run.stderr.contains(want), "{run}");
});

// A jail that looks names up again and again (after 64 other destinations, which
// fill the list the hints keep) starts one thread in the shell to say so, not one a
// lookup: the shell aborted with thousands of them, its jobs with it (security
// review). The flood runs; the shell lives on and says the line at most once.
both!(
    a_flood_of_lookups_starts_no_flood_of_threads_in_the_shell,
    |t: &T| {
        let flood = "import socket, time\n\
        for i in range(70):\n    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n    s.connect(('127.0.%d.%d' % (i // 250, i % 250 + 2), 9))\n\
        n = 0\nend = time.time() + 3\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
        while time.time() < end:\n    s.connect(('127.0.0.1', 53))\n    n += 1\n\
        print('lookups', n >= 500, flush=True)\n";
        t.write("flood.py", flood);
        let mut cmd = t.command(
            pola_tests::pola_sh(),
            &[
                "--hints",
                "-c",
                "/usr/bin/python3 flood.py; echo shell-alive",
            ],
        );
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let child = cmd.spawn().unwrap();
        // The shell's threads, 2 s into the flood (setpriv, as_user, is the shell by then).
        std::thread::sleep(std::time::Duration::from_secs(2));
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
        let threads: usize = status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(threads < 20, "{threads} threads in the shell: {stderr}");
        assert_eq!(stdout, "lookups True\nshell-alive\n", "{stderr}");
        assert!(stderr.matches("looking up").count() <= 1, "{stderr}");
    }
);

// `import helper` beside main.py: python lists the script's directory to import from
// it, and saw only what the line granted; ModuleNotFoundError, and nothing said why
// (new-user trial). The modules it could not see are named, the grant is theirs.
both!(
    a_python_script_is_told_the_modules_beside_it_it_could_not_see,
    |t: &T| {
        t.write("main.py", "import helper\nprint(helper.X)\n");
        t.write("helper.py", "X = 42\n");
        let run = sh(t, &["--hints", "-c", "/usr/bin/python3 main.py"]);
        assert!(
            !run.ok() && run.stderr.contains("ModuleNotFoundError"),
            "{run}"
        );
        assert!(
        run.stderr.contains("pola-sh: /usr/bin/python3 lists ./ to import from it, which was not granted: it did not see helper.py — if it imports them, try: /usr/bin/python3 … + helper.py"),
        "{run}"
    );
        assert_eq!(
            sh(
                t,
                &["--hints", "-c", "/usr/bin/python3 main.py + helper.py"]
            )
            .success(),
            "42\n"
        );
        // A script in a directory below: that directory's modules (trial 11: no hint).
        t.write("src/main.py", "import calc\nprint(calc.Y)\n");
        t.write("src/calc/__init__.py", "Y = 7\n");
        let run = sh(t, &["--hints", "-c", "/usr/bin/python3 src/main.py"]);
        assert!(
            run.stderr.contains("pola-sh: /usr/bin/python3 lists src/ to import from it, which was not granted: it did not see src/calc — if it imports them, try: /usr/bin/python3 … + src/calc"),
            "{run}"
        );
        assert_eq!(
            sh(t, &["-c", "/usr/bin/python3 src/main.py + src/calc"]).success(),
            "7\n"
        );
    }
);

// `gcc -I../inc main.c`: a directory glued to its option grants nothing, and the
// compiler said only "util.h: No such file or directory" (new-user trial). Told the
// directory, and its grant works.
both!(a_compilers_glued_include_directory_is_told, |t: &T| {
    t.write("inc/util.h", "#define X 0\n");
    t.write(
        "src/main.c",
        "#include \"util.h\"\nint main(void) { return X; }\n",
    );
    let run = sh(
        t,
        &["--hints", "-c", "cd src && gcc -I../inc main.c -o => app"],
    );
    assert!(!run.ok(), "{run}");
    assert!(
        run.stderr.contains("pola-sh: gcc was given ../inc glued to its option, which grants nothing (only a word that is a path does) — if it needed what is there, try: gcc … + ../inc"),
        "{run}"
    );
    sh(
        t,
        &[
            "-c",
            "cd src && gcc -I../inc main.c -o => app + ../inc && ./app",
        ],
    )
    .success();
});

// A build tool that finds its project in the directories above (`cargo build` in
// `src/`) sees none of them in a jail: cargo said "could not find Cargo.toml in … or
// any parent directory" and nothing more (new-user trial). Told where the project is.
both!(a_project_above_the_working_directory_is_told, |t: &T| {
    t.write(
        "p/package.json",
        "{\"name\":\"x\",\"version\":\"1.0.0\",\"scripts\":{\"test\":\"echo ok\"}}\n",
    );
    t.mkdir("p/sub");
    let run = sh(t, &["--hints", "-c", "cd p/sub && npm test"]);
    assert!(!run.ok(), "{run}");
    assert!(
        run.stderr.contains(&format!(
            "pola-sh: npm looks for package.json in the directories above, which a jail sees only where its line granted them: it is in {} — run it there: cd .. && npm …",
            t.path("p").display()
        )),
        "{run}"
    );
});

// A directory of the working directory it looked into (python opening inc/util.h) is
// told as that directory's grant, not the whole working directory's (`+ .`; new-user
// trial).
both!(a_directory_looked_into_is_told_its_own_grant, |t: &T| {
    t.write("inc/util.h", "x\n");
    t.write("other.txt", "y\n");
    let line = "/usr/bin/python3 -c \"print(open('inc/util.h').read().strip())\"";
    let run = sh(t, &["--hints", "-c", line]);
    assert!(
        run.stderr.contains("pola-sh: /usr/bin/python3 looked for ./inc, which was not granted — try: /usr/bin/python3 … + inc\n"),
        "{run}"
    );
    assert_eq!(
        sh(t, &["--hints", "-c", &format!("{line} + inc")]).success(),
        "x\n"
    );
});

// A capability written without `+` before it is one of the command's arguments (`curl
// -O URL @net:registry.npmjs.org` failed on it, "URL using bad/illegal format", and was
// told nothing; trial 7): said before it runs, with hints; not in text a command made,
// nor for a file of that name.
both!(
    a_capability_without_its_plus_is_said_to_be_an_argument,
    |t: &T| {
        let note = "pola-sh: /usr/bin/printf: @net:example.org is one of its arguments, not a grant (a capability is granted after +, written on the line: … + @net:HOST)\n";
        let run = sh(
            t,
            &["--hints", "-c", "/usr/bin/printf '%s\\n' @net:example.org"],
        );
        assert!(run.ok(), "{run}");
        assert_eq!(run.stdout, "@net:example.org\n", "{run}");
        assert_eq!(run.stderr, note, "{run}");
        let quiet = sh(t, &["-c", "/usr/bin/printf '%s\\n' @net:example.org"]);
        assert_eq!(quiet.stderr, "", "{quiet}");
        let made = sh(
            t,
            &[
                "--hints",
                "-c",
                "eval \"$(/usr/bin/printf '%s %s @%s' /usr/bin/printf %s net:example.org)\"",
            ],
        );
        assert_eq!(made.stdout, "@net:example.org", "{made}");
        assert!(!made.stderr.contains("one of its arguments"), "{made}");
        t.write("@ps", "a file\n");
        let file = sh(t, &["--hints", "-c", "/usr/bin/cat @ps"]);
        assert_eq!(file.stdout, "a file\n", "{file}");
        assert!(!file.stderr.contains("one of its arguments"), "{file}");
    }
);

// Trial 13: an out-of-tree CMake build. `cmake ..` in build/ was told `+ => ..` (the
// whole source tree writable) where `+ => .` (the build directory) is what it writes;
// then `make + => .` there failed reading the sources its CMakeCache.txt names, and
// nothing was said.
both!(
    an_out_of_tree_cmake_build_is_told_what_it_writes_and_reads,
    |t: &T| {
        t.write(
            "proj/CMakeLists.txt",
            "cmake_minimum_required(VERSION 3.10)\nproject(p C)\nadd_executable(p main.c)\n",
        );
        t.write("proj/main.c", "int main(void) { return 0; }\n");
        t.mkdir("proj/build");
        let run = sh(t, &["--hints", "-c", "cd proj/build && cmake .."]);
        assert!(!run.ok(), "{run}");
        assert!(
        run.stderr.contains("cmake works in ./, inside .., which it was given read-only (named without =>): if it failed writing there, try: cmake … + => ."),
        "{run}"
    );
        let run = sh(t, &["--hints", "-c", "cd proj/build && cmake .. + => ."]);
        assert!(run.ok(), "{run}");
        let run = sh(t, &["--hints", "-c", "cd proj/build && make + => ."]);
        assert!(!run.ok(), "{run}");
        assert!(
        run.stderr.contains("make builds a CMake tree whose sources, .. (its CMakeCache.txt says), it was not given — try: make + .."),
        "{run}"
    );
        let run = sh(t, &["--hints", "-c", "cd proj/build && make + .. => ."]);
        assert!(run.ok(), "{run}");
        assert!(t.path("proj/build/p").is_file());
        // Given its sources, a failure of its own is not told of them.
        t.write("proj/main.c", "int main(void) { return }\n");
        let run = sh(t, &["--hints", "-c", "cd proj/build && make + .. => ."]);
        assert!(!run.ok(), "{run}");
        assert!(!run.stderr.contains("CMake tree"), "{run}");
        // The cache is text a jail or a repository may have written (security review):
        // a directory it names that the build is not inside is never suggested, and a
        // FIFO in its place is not waited on (the shell hung for good).
        t.write("secret/CMakeLists.txt", "");
        t.write(
            "forged/build/CMakeCache.txt",
            &format!(
                "CMAKE_HOME_DIRECTORY:INTERNAL={}\n",
                t.path("secret").display()
            ),
        );
        t.write("forged/build/Makefile", "all:\n\t@false\n");
        let run = sh(t, &["--hints", "-c", "cd forged/build && make"]);
        assert!(!run.ok() && !run.stderr.contains("CMake tree"), "{run}");
        t.mkdir("fifo/build");
        t.plain(&["mkfifo", "fifo/build/CMakeCache.txt"]).success();
        let started = std::time::Instant::now();
        let run = sh(t, &["--hints", "-c", "cd fifo/build && make"]);
        assert!(!run.ok(), "{run}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{run}"
        );
    }
);

// Trial 12: sqlite3's dot-commands name files inside an argument, where naming grants
// nothing: `".read q.sql"` was told `=> sales.db`, `".import --csv m.csv m"` `+ .`,
// `".once out.sql"` `+ => NAME`. Told each file, as its command uses it; the grants
// told then work.
both!(sqlite_dot_commands_are_told_their_files, |t: &T| {
    t.plain(&[
        "sqlite3",
        "sales.db",
        "create table s(a); insert into s values(1);",
    ])
    .success();
    t.write("q.sql", "select count(*) from s;\n");
    t.write("m.csv", "a\n2\n");
    let told = |line: &str, grant: &str| {
        let run = sh(t, &["--hints", "-c", line]);
        assert!(!run.ok(), "{run}");
        assert!(
            run.stderr.contains(&format!("pola-sh: sqlite3's dot-commands name files it was not given (a name inside an argument grants nothing) — try: sqlite3 … {grant}")),
            "{run}"
        );
        let run = sh(t, &["--hints", "-c", &format!("{line} {grant}")]);
        assert!(run.ok(), "{run}");
        run
    };
    assert_eq!(
        told("sqlite3 sales.db '.read q.sql'", "+ q.sql").stdout,
        "1\n"
    );
    told("sqlite3 => sales.db '.import --csv m.csv m'", "+ m.csv");
    told(
        "sqlite3 sales.db '.once out.sql' 'select * from s'",
        "+ => out.sql",
    );
    assert_eq!(std::fs::read_to_string(t.path("out.sql")).unwrap(), "1\n");
    // A new database is told its `=>` with the file it imports (trial 17: the CSV alone,
    // and the next try failed for the database).
    let line = "sqlite3 new.db '.import --csv m.csv m'";
    let run = sh(t, &["--hints", "-c", line]);
    assert!(
        run.stderr.contains("— try: sqlite3 => new.db … + m.csv"),
        "{run}"
    );
    let run = sh(
        t,
        &["-c", "sqlite3 => new.db '.import --csv m.csv m' + m.csv"],
    );
    assert!(run.ok(), "{run}");
    let run = t.plain(&[
        "sqlite3",
        t.path("new.db").to_str().unwrap(),
        "select a from m",
    ]);
    assert_eq!(run.stdout, "2\n", "{run}");
});

// Trial 12: `find reports -name '*.md' -exec sed -i s/a/b/ {} \;` with the tree named
// without => changed nothing, and find exited 0 (its `-exec … \;` is a test), with
// sed's errors alone. Told the grant, as the `{} +` form, which fails, is.
both!(find_that_changed_nothing_and_exited_0_is_told, |t: &T| {
    t.write("reports/x.md", "a\n");
    let line = "find reports -name '*.md' -exec sed -i s/a/b/ {} \\;";
    let run = sh(t, &["--hints", "-c", line]);
    assert!(run.ok(), "{run}");
    assert!(
        run.stderr.contains("pola-sh: find was given reports read-only (named without =>), so what it found could not be changed — try: find … + => reports"),
        "{run}"
    );
    assert!(sh(t, &["-c", &format!("{line} + => reports")]).ok());
    assert_eq!(
        std::fs::read_to_string(t.path("reports/x.md")).unwrap(),
        "b\n"
    );
    // A find that only reads is told nothing.
    let run = sh(
        t,
        &[
            "--hints",
            "-c",
            "find reports -name '*.md' -exec cat {} \\;",
        ],
    );
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        ("b\n", ""),
        "{run}"
    );
});

// Trial 14: a jail given hosts by name, with hints, in a directory above the home (`cd
// /home`) failed to start ("cannot be placed in the jail: ENOTCONN"): the `.curlrc`
// made in its private home was taken for a file of the working directory's skeleton,
// which was then refused while the builder had been told to use it.
both!(a_jail_given_hosts_starts_from_above_the_home, |t: &T| {
    let home = t.mkdir("home");
    t.write("etc.txt", "e\n");
    let run = with_home(t, &home, "cat etc.txt + @net:localhost:9; ls");
    assert!(run.ok(), "{run}");
    assert_eq!(run.stdout, "e\nhome\n", "{run}");
    // (Its skeleton still observed: `ls` is told what it did not see.)
    assert!(run.stderr.contains("ls listed ./"), "{run}");
    // The `.curlrc` made there for it is not said to be the command's, discarded.
    let run = with_home(t, &home, "sh -c 'touch ~/x' + @net:localhost:9");
    assert!(run.stderr.contains("1 file left in private"), "{run}");
    assert!(!run.stderr.contains(".curlrc"), "{run}");
});
