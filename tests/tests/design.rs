//! The examples of DESIGN.md "The user's view", run through pola-sh, as root and as
//! an unprivileged user.

use std::fs;

use pola_tests::{both, Run, T};

fn sh(t: &T, script: &str) -> Run {
    t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "-c", script])
}

both!(cat_grants_the_file_and_nothing_else, |t: &T| {
    t.write("notes.txt", "my notes\n");
    t.write("other.txt", "other\n");
    assert_eq!(sh(t, "cat notes.txt").success(), "my notes\n");
    // The working directory exists, but only what is granted is in it.
    let run = sh(t, "cat notes.txt >/dev/null; ls -A; echo --; ls -A .");
    assert_eq!(run.success(), "--\nnotes.txt\nother.txt\n", "{run}");
    let run = sh(
        t,
        "cat other.txt 2>&1 | head -c 0; cat notes.txt; head -1 other.txt",
    );
    assert!(run.stdout.contains("other"), "naming it grants it: {run}");
    // What is not named does not exist for the command.
    let run = sh(t, "sh -c 'cat notes.txt; ls /var /home' 2>&1");
    assert!(!run.ok() && !run.stdout.contains("my notes"), "{run}");
});

both!(redirections_are_opened_by_the_shell, |t: &T| {
    t.write("notes.txt", "my notes\n");
    sh(t, "cat notes.txt > out.txt").success();
    assert_eq!(fs::read_to_string(t.path("out.txt")).unwrap(), "my notes\n");
    // The command got a descriptor, not the path: it cannot see out.txt by name.
    let run = sh(t, "ls out.txt 2>&1 > listing; cat listing");
    assert!(
        run.stdout.contains("out.txt"),
        "an argument naming it grants it: {run}"
    );
    let run = sh(t, "sh -c 'ls -A' > listing2; cat listing2");
    assert_eq!(run.success(), "", "{run}");
});

both!(write_grants_with_the_arrow, |t: &T| {
    t.write("data.csv", "b,2\na,1\n");
    sh(t, "sort data.csv -o => sorted.csv").success();
    assert_eq!(
        fs::read_to_string(t.path("sorted.csv")).unwrap(),
        "a,1\nb,2\n"
    );
    // Without =>, the same command may not create it.
    let run = sh(t, "sort data.csv -o sorted2.csv");
    assert!(!run.ok() && !t.path("sorted2.csv").exists(), "{run}");
});

// `=>` glued to its word is `=> word`. Read as bash reads it, `=` and a redirection
// `>data`, it emptied the file it was to sort in place (new-user trial). Before any
// command, or followed by a redirection, it is refused, and nothing is touched.
both!(a_glued_arrow_marks_its_word_and_empties_nothing, |t: &T| {
    // As bash reads it: the file is emptied before sort runs.
    t.write("data", "b\na\n");
    let bash = t.plain(&["bash", "-c", "sort data -o =>data 2>/dev/null"]);
    assert_eq!(fs::read_to_string(t.path("data")).unwrap(), "", "{bash}");
    fs::remove_file(t.path("=")).unwrap(); // sort's output, `-o =`
    t.write("data", "b\na\n");
    sh(t, "sort data -o =>data").success();
    assert_eq!(fs::read_to_string(t.path("data")).unwrap(), "a\nb\n");
    for line in [
        "=> made",
        "=>made",
        "sort data =>>made",
        "sort data > =>made",
    ] {
        let run = sh(t, line);
        assert_eq!(run.code, Some(2), "{line}: {run}");
        assert!(run.stderr.contains("syntax error: '=>'"), "{line}: {run}");
        assert!(!t.path("made").exists(), "{line}: {run}");
        assert!(!t.path("=").exists(), "{line}: {run}");
    }
    assert_eq!(fs::read_to_string(t.path("data")).unwrap(), "a\nb\n");
    // Inside a word it is bash's: `a=>b` writes `a=` to b.
    sh(t, "echo a=>b").success();
    assert_eq!(fs::read_to_string(t.path("b")).unwrap(), "a=\n");
});

// A builtin runs in the shell and takes no grant: `echo hi => out.txt` printed
// "hi out.txt", the user meaning `>` (new-user trial). Refused, saying so. `command`
// passes the grants to the program it runs (they were dropped).
both!(a_builtin_given_a_write_grant_says_it_takes_none, |t: &T| {
    let run = sh(t, "echo hi => out.txt");
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(
        run.stderr.contains("echo: '=>' gives a file to a command in a jail to write; echo is a builtin, which runs in the shell and takes no grant (its output to a file: echo … > FILE)"),
        "{run}"
    );
    assert!(!t.path("out.txt").exists());
    t.write("data", "b\na\n");
    sh(t, "command sort data -o => sorted").success();
    assert_eq!(fs::read_to_string(t.path("sorted")).unwrap(), "a\nb\n");
    // `+` that grants nothing is a word, for builtins too.
    assert_eq!(sh(t, "echo a + b").success(), "a + b\n");
});

both!(plus_grants_without_passing, |t: &T| {
    t.write(
        "foo.c",
        "#include \"foo.h\"\nint foo(void) { return FOO; }\n",
    );
    t.write("foo.h", "#define FOO 42\n");
    // foo.h is reachable through `+ .`, not an argument.
    sh(t, "gcc -c foo.c -o => foo.o + .").success();
    assert!(t.path("foo.o").exists());
    t.write(
        "Makefile",
        "all: out.txt\nout.txt: in.txt\n\tcp in.txt out.txt\n",
    );
    t.write("in.txt", "made\n");
    sh(t, "make -s + => .").success();
    assert_eq!(fs::read_to_string(t.path("out.txt")).unwrap(), "made\n");
});

both!(braces_limit_the_scope, |t: &T| {
    t.write("docs/a.txt", "a\n");
    t.write("notes.txt", "n\n");
    // `+` grants docs without passing it; after `}` words are passed again.
    let run = sh(
        t,
        "sh -c 'cat docs/a.txt; echo \"$@\"' sh { + docs } notes.txt",
    );
    assert_eq!(run.success(), "a\nnotes.txt\n");
    sh(t, "tar -czf => backup.tgz docs").success();
    let list = sh(t, "tar -tzf backup.tgz");
    assert!(list.success().contains("docs/a.txt"), "{list}");
});

both!(pipelines_run_each_command_in_its_own_jail, |t: &T| {
    t.write("src/a.rs", "// TODO one\nfn main() {}\n");
    t.write("src/b.rs", "// TODO two\n");
    let run = sh(t, "grep -r TODO src | sort | cat");
    assert_eq!(
        run.success(),
        "src/a.rs:// TODO one\nsrc/b.rs:// TODO two\n"
    );
    // Each member sees only its own grants: sort got no path, so `src` is not there.
    let run = sh(t, "grep -r TODO src | ls src 2>&1 | head -1");
    assert!(
        run.stdout.contains("src") || run.stdout.contains("a.rs"),
        "{run}"
    );
});

both!(single_quoted_words_are_never_grants, |t: &T| {
    t.write("notes.txt", "my notes\n");
    assert_eq!(sh(t, "echo 'plain string'").success(), "plain string\n");
    let run = sh(t, "cat 'notes.txt'");
    assert!(!run.ok() && run.stderr.contains("No such file"), "{run}");
    // Double quotes and backslashes do not change what a word names.
    assert_eq!(sh(t, "f=notes.txt; cat \"$f\"").success(), "my notes\n");
    assert_eq!(sh(t, "cat \"notes.txt\"").success(), "my notes\n");
    assert_eq!(sh(t, "f=notes.txt; cat $f").success(), "my notes\n");
});

both!(the_network_is_a_capability, |t: &T| {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(6).flatten() {
            use std::io::Write;
            let _ = (&s).write_all(b"hello");
        }
    });
    let probe = format!(
        "python3 -c 'import socket; print(socket.create_connection((\"127.0.0.1\", {port}), timeout=3).recv(5).decode())'"
    );
    let without = sh(t, &probe);
    assert!(!without.ok(), "{without}");
    let with = sh(t, &format!("{probe} + @net"));
    assert_eq!(with.success(), "hello\n");
    let narrowed = sh(t, &format!("{probe} + @net:connect=443"));
    assert!(!narrowed.ok(), "{narrowed}");
    assert!(narrowed.stderr.contains("PermissionError"), "{narrowed}");
    let exact = sh(t, &format!("{probe} + @net:connect={port}"));
    assert_eq!(exact.success(), "hello\n");
});

both!(double_bang_runs_unconfined, |t: &T| {
    // The quoted path grants nothing: only the unconfined command sees the host.
    let script = "sh -c 'test -d /var' && echo jailed-sees-var; !!sh -c 'test -d /var' && echo host-sees-var";
    assert_eq!(sh(t, script).success(), "host-sees-var\n");
});

both!(command_substitution_runs_jailed, |t: &T| {
    t.write("secret.txt", "s");
    let run = sh(
        t,
        "echo \"[$(ls -A)]\" \"[$(sh -c 'cat secret.txt' 2>/dev/null)]\" \"[$(cat secret.txt)]\"",
    );
    assert_eq!(run.success(), "[] [] [s]\n");
});

both!(the_grants_builtin_shows_the_namespace, |t: &T| {
    t.write("notes.txt", "x");
    let run = sh(t, "grants sort notes.txt -o => out.csv");
    let text = run.success();
    assert!(text.starts_with("program: /usr/bin/sort\n"), "{run}");
    assert!(
        text.contains("notes.txt") && text.contains("ro (command line)"),
        "{run}"
    );
    assert!(
        text.contains("out.csv") && text.contains("slot (command line)"),
        "{run}"
    );
    assert!(!t.path("out.csv").exists(), "grants runs nothing");
    // A builtin, which runs in the shell and takes no grant, is said to be one
    // (`grants mktemp` described /usr/bin/mktemp; trials 12, 13); so is a function.
    let run = sh(t, "grants mktemp; f() { :; }; grants f x");
    assert_eq!(
        run.success(),
        "mktemp: a builtin: it runs in the shell itself, with the shell's authority and no jail, and takes no grant\n\
         f: a function: its body runs in the shell, each command in it in a jail of its own with the grants of its own line; it takes no grant itself\n"
    );
});

// A command killed by a signal is said to be, as shells say it (trial 13: a C
// programmer's segfault printed nothing, only `$?` 139 — which an exit of 139 gives too).
both!(a_command_killed_by_a_signal_is_said_so, |t: &T| {
    let kill = |sig: &str| format!("sh -c 'kill -{sig} $$'");
    let run = sh(t, &format!("{}; echo st=$?", kill("SEGV")));
    assert_eq!(run.stdout, "st=139\n", "{run}");
    assert_eq!(run.stderr, "pola-sh: sh: Segmentation fault\n", "{run}");
    // An exit of 139 is not a crash; Ctrl-C's and a closed pipe's ends say nothing.
    let quiet = [
        "sh -c 'exit 139'".to_string(),
        kill("INT"),
        kill("PIPE"),
        "yes | head -1 >/dev/null".to_string(),
        // Of a pipeline, its last command's (bash's).
        format!("{} | cat", kill("SEGV")),
    ];
    for line in quiet {
        let run = sh(t, &line);
        assert_eq!(run.stderr, "", "{line}: {run}");
    }
    let run = sh(t, &kill("KILL"));
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (Some(137), "pola-sh: sh: Killed\n"),
        "{run}"
    );
    // Unconfined too, by its line.
    let run = sh(t, &format!("!! {}", kill("TERM")));
    assert_eq!(
        run.stderr,
        format!("pola-sh: !! {}: Terminated\n", kill("TERM")),
        "{run}"
    );
    // With its core dumped where the command may write (`ulimit -c`), so said.
    let pattern = fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    let suid = fs::read_to_string("/proc/sys/fs/suid_dumpable").unwrap_or_default();
    if pattern.starts_with("core") && suid.trim() == "0" {
        t.mkdir("dumps");
        let run = sh(
            t,
            &format!("cd dumps && ulimit -c unlimited && {} + => .", kill("ABRT")),
        );
        assert_eq!(run.stderr, "pola-sh: sh: Aborted (core dumped)\n", "{run}");
    }
});

both!(errors_have_one_format_and_shell_statuses, |t: &T| {
    let run = sh(t, "true\ntrue\nno_such_cmd_xyz");
    assert_eq!(run.code, Some(127));
    assert_eq!(
        run.stderr,
        "pola-sh: line 3: no_such_cmd_xyz: command not found\n"
    );
    // A script's and a sourced file's errors name them, as bash does.
    t.write("s.sh", "true\n. ./lib.sh\nno_such_cmd_xyz\n");
    t.write("lib.sh", "\nno_such_in_lib\n");
    let run = t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "s.sh"]);
    assert_eq!(
        run.stderr,
        "./lib.sh: line 2: no_such_in_lib: command not found\n\
         s.sh: line 3: no_such_cmd_xyz: command not found\n",
        "{run}"
    );
    // In a function of a sourced file, BASH_SOURCE, FUNCNAME and caller are bash's
    // (they said the script, no `main`, and the function's own line; scripting trial).
    t.write(
        "lib.sh",
        "libf() { echo \"BS=${BASH_SOURCE[*]} FN=${FUNCNAME[*]}\"; caller 0; }\n",
    );
    t.write(
        "x2.sh",
        ". ./lib.sh\nmain2() { libf; }\nlibf\nmain2\necho \"top=${BASH_SOURCE[*]}\"\n",
    );
    let run = t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "x2.sh"]);
    assert_eq!(
        run.success(),
        "BS=./lib.sh x2.sh FN=libf main\n3 main x2.sh\n\
         BS=./lib.sh x2.sh x2.sh FN=libf main2 main\n2 main2 x2.sh\ntop=x2.sh\n",
        "as bash says it"
    );
    // A syntax error in a script names it too.
    t.write("bad.sh", "true\nif then\n");
    let run = t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "bad.sh"]);
    assert!(
        run.stderr.starts_with("bad.sh: line 2: syntax error"),
        "{run}"
    );
    // An unset parameter under `set -u` ends a script read from its file with 1
    // (bash's; `-c` with 127).
    t.write("u.sh", "set -u\necho \"$nosuch\"\necho after\n");
    let run = t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "u.sh"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(1), ""), "{run}");
    let run = sh(t, "set -u; echo \"$nosuch\"");
    assert_eq!(run.code, Some(127), "{run}");
    // In an assignment too, said as bash says it (it was " unset:nosuch: …", status 1;
    // new-user trial).
    for line in [
        "set -u; x=$nosuch; echo after",
        "set -u; x=$nosuch /usr/bin/true; echo after",
    ] {
        let run = sh(t, line);
        assert_eq!(run.code, Some(127), "{run}");
        assert_eq!(
            run.stderr, "pola-sh: line 1: nosuch: unbound variable\n",
            "{run}"
        );
    }
    t.write("plain.txt", "x");
    let run = sh(t, "./plain.txt");
    assert_eq!(run.code, Some(126), "{run}");
    let run = sh(t, "cat => plain.txt/x");
    assert_eq!(run.code, Some(125), "{run}");
    assert!(
        run.stderr.starts_with("pola-sh: line 1: cannot create"),
        "{run}"
    );
    let run = sh(t, "echo (");
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr.starts_with("pola-sh: line 1: syntax error"),
        "{run}"
    );
});

both!(
    a_program_is_looked_up_again_once_path_is_put_back,
    |t: &T| {
        // A directory on PATH only for a while (a function's `local PATH`, `PATH=... f`,
        // `mapfile`): once PATH is put back without it, a name found there while it was
        // on PATH must not still run the program in it (a jail with a write grant on such
        // a directory could have left that program).
        let alt = t.write("alt/ls", "#!/bin/sh\necho from-alt\n");
        fs::set_permissions(&alt, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let run = sh(
            t,
            r#"base=$PATH; alt="$PWD/alt:$PATH"
f() { local PATH=$alt; ls -d /; }
f; ls -d /
g() { ls -d /; }
PATH=$alt g; ls -d /
PATH=$alt; ls -d /; mapfile -t PATH <<< "$base"; ls -d /"#,
        );
        assert_eq!(
            run.success(),
            "from-alt\n/\nfrom-alt\n/\nfrom-alt\n/\n",
            "{run}"
        );
    }
);

both!(pipefail_and_pipestatus, |t: &T| {
    let run = sh(t, "false | true; echo $? ${PIPESTATUS[*]}; set -o pipefail; false | true; echo $?; true | sh -c 'exit 3' | true; echo $? ${PIPESTATUS[*]}");
    assert_eq!(run.success(), "0 1 0\n1\n3 0 3 0\n");
});

// `!!cd` said "command not found": a builtin that is no program runs in the shell,
// where builtins run anyway; one that is a program too (`!!echo`) runs unconfined.
// `logout` leaves a login shell (it was missing; new-user trial).
both!(unconfined_builtins_and_logout, |t: &T| {
    let run = sh(t, "!!cd /usr && pwd; !!type cd");
    assert_eq!(run.stdout, "/usr\ncd is a shell builtin\n", "{run}");
    let run = sh(t, "logout; echo status=$?");
    assert_eq!(run.stdout, "status=1\n", "{run}");
    assert!(
        run.stderr.contains("logout: not a login shell: use `exit'"),
        "{run}"
    );
    let login = t.plain(&[
        pola_tests::pola_sh().to_str().unwrap(),
        "-l",
        "-c",
        "logout 3; echo not-reached",
    ]);
    assert_eq!(
        (login.code, login.stdout.as_str()),
        (Some(3), ""),
        "{login}"
    );
});

// Trial 13: `make => .` passed `.` to make as a target (`=>` passes the word it grants):
// "Nothing to be done for '.'", status 0, nothing built and nothing said.
both!(make_given_a_directory_as_a_target_is_told, |t: &T| {
    t.write("Makefile", "all:\n\t@echo built\n");
    let run = sh(t, "make => .");
    assert!(
        run.stderr.contains("pola-sh: make: => . passes . to it as a target (=> grants the word that follows and passes it) — to grant it without passing it: + => ."),
        "{run}"
    );
    assert!(!run.stdout.contains("built"), "{run}");
    let run = sh(t, "make + => .");
    assert_eq!(run.stdout, "built\n", "{run}");
    assert!(!run.stderr.contains("target"), "{run}");
    // A target typed beside a grant of that name that is not passed is what was
    // meant (trial 16: `make build + => build` was told it passed `=> build`).
    t.write(
        "Makefile",
        "build:\n\t@mkdir -p build && echo built > build/out\n",
    );
    t.mkdir("build");
    let run = sh(t, "make build + Makefile => build");
    assert!(!run.stderr.contains("target"), "{run}");
});

// Trial 12: `rename … + => *.txt` before any .txt was there granted the one name
// `*.txt`; what rename made was discarded. A write grant of a pattern that matched
// nothing is said (not to what removes: `rm -f => *.o` in a clean tree is fine).
both!(
    a_write_grant_of_a_pattern_that_matched_nothing_is_told,
    |t: &T| {
        t.write("a.bak", "a\n");
        let run = sh(t, "mv a.bak x.txt + => *.txt");
        assert!(
        run.stderr.contains("pola-sh: mv: => *.txt matches nothing here, so it grants only a file of that very name — name the files it makes (=> a.txt => b.txt), or grant their directory: + => ."),
        "{run}"
    );
        let run = sh(t, "rm -f => *.o; echo rc=$?");
        assert_eq!(run.stdout, "rc=0\n", "{run}");
        assert_eq!(run.stderr, "", "{run}");
        let run = sh(t, "cp a.bak x.txt + => x.txt");
        assert!(run.ok() && run.stderr.is_empty(), "{run}");
    }
);
