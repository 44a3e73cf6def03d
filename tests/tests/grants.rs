//! The grant rules of DESIGN.md ("Grant rules") through pola-sh, as root and as an
//! unprivileged user: quoting, `=>` marking one word, `+` that grants nothing, merged
//! grants, and programs reached through symlinks.

use std::fs;

use pola_tests::{assert_only_changed, both, tree, Run, T};

fn sh(t: &T, script: &str) -> Run {
    t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "-c", script])
}

both!(correctly_quoted_scripts_work, |t: &T| {
    t.write("a.txt", "1\n2\n");
    t.write("my file.txt", "1\n");
    t.write("new\nline.txt", "1\n2\n3\n");
    let run = sh(t, r#"for f in *.txt; do wc -l "$f"; done"#);
    let out = run.success();
    assert!(out.contains("2 a.txt"), "{run}");
    assert!(out.contains("1 my file.txt"), "{run}");
    // wc quotes the newline in the name it was given.
    assert!(out.contains("3 'new'$'\\n''line.txt'"), "{run}");
    // Every field of "$@" grants.
    let run = sh(
        t,
        r#"count() { for f in "$@"; do wc -l "$f"; done; }; count a.txt "my file.txt""#,
    );
    assert_eq!(run.success(), "2 a.txt\n1 my file.txt\n");
    // What Tab completion inserts, and double quotes.
    assert_eq!(sh(t, r"cat my\ file.txt").success(), "1\n");
    assert_eq!(sh(t, r#"cat "my file.txt""#).success(), "1\n");
    // Single quotes pass a string.
    let run = sh(t, "cat 'my file.txt'");
    assert!(!run.ok() && run.stderr.contains("No such file"), "{run}");
    // --opt=PATH grants PATH and passes the word whole.
    let run = sh(
        t,
        "python3 -c 'import sys; print(open(sys.argv[1].split(\"=\", 1)[1]).read(), end=\"\")' --in=a.txt",
    );
    assert_eq!(run.success(), "1\n2\n");
});

// A script run by a jailed pola-sh that sources a file beside it its command line did
// not grant: the message says the shell is in a jail and how to grant the file
// (new-user trial: only `!!` was offered).
both!(
    a_jailed_script_sourcing_an_ungranted_file_says_how_to_grant_it,
    |t: &T| {
        t.write("lib.sh", "echo lib-loaded\n");
        t.write("main.sh", ". ./lib.sh\necho main-done\n");
        let shell = pola_tests::pola_sh();
        let run = sh(t, &format!("{} main.sh", shell.display()));
        assert!(run.stderr.contains(".: ./lib.sh: no such file or directory (this shell runs in a jail, which was not given it: grant it where the script is started, e.g. … + ./lib.sh)"), "{run}");
        let run = sh(t, &format!("{} main.sh + ./lib.sh", shell.display()));
        assert_eq!(run.success(), "lib-loaded\nmain-done\n");
    }
);

// `gzip -c src/../README`: the word names README, through `src`. The jail had README
// alone, so `src/..` was not found (trial 17); `src` is there now, empty.
both!(
    a_word_that_walks_out_of_a_directory_finds_its_file,
    |t: &T| {
        t.write("README", "hi\n");
        t.write("src/a.c", "secret\n");
        t.write("lib/x/y", "y\n");
        let before = tree(t.dir());
        assert_eq!(sh(t, "cat src/../README").success(), "hi\n");
        assert_eq!(sh(t, "cat ./lib/x/../../README").success(), "hi\n");
        // What is in `src` stays hidden: the directory leads only back out.
        let run = sh(t, "sh -c 'ls -A src; cat \"$1\"' sh src/../README");
        assert_eq!(run.success(), "hi\n");
        let run = sh(t, "sed -i s/hi/ho/ => src/../README");
        run.success();
        assert_eq!(fs::read_to_string(t.path("README")).unwrap(), "ho\n");
        assert_only_changed(&before, &tree(t.dir()), &["README"]);
        // Nothing at or beyond a link on the way (review: a link a jail planted was
        // followed, and whether a directory was there, past it, showed in the jail).
        t.write("secret/alpha/x", "x\n");
        t.write("secret/f", "f\n");
        t.mkdir("d");
        std::os::unix::fs::symlink("../secret", t.path("d/evil")).unwrap();
        let line = "sh -c 'test -d d/evil/alpha && echo seen; echo done' sh d/evil/alpha/../f";
        let run = sh(t, line);
        assert_eq!(run.stdout, "done\n", "{run}");
    }
);

both!(plus_that_grants_nothing_is_an_argument, |t: &T| {
    t.write("a.txt", "x\n");
    t.write("b.txt", "y\n");
    t.write("c.txt", "x\n");
    let run = sh(t, "find . -name '*.txt' -exec grep -l x {} + | sort");
    assert_eq!(run.success(), "./a.txt\n./c.txt\n");
    assert_eq!(sh(t, "expr 1 + 2").success(), "3\n");
    // A builtin sees the same arguments.
    assert_eq!(sh(t, "echo 1 + 2").success(), "1 + 2\n");
    assert_eq!(sh(t, "!!expr 2 + 3").success(), "5\n");
    // `+` before an existing name still grants without passing it.
    assert_eq!(
        sh(t, "sh -c 'cat a.txt; echo $#' + a.txt").success(),
        "x\n0\n"
    );
});

both!(the_arrow_marks_one_word, |t: &T| {
    t.write("data.txt", "data\n");
    // The word after => is writable; the one after it is read-only again.
    let run = sh(
        t,
        "sh -c 'echo new >> \"$1\"; echo more >> \"$2\"' sh => out.txt data.txt",
    );
    assert!(!run.ok(), "{run}");
    assert!(run.stderr.contains("Read-only file system"), "{run}");
    assert_eq!(fs::read_to_string(t.path("out.txt")).unwrap(), "new\n");
    assert_eq!(fs::read_to_string(t.path("data.txt")).unwrap(), "data\n");
    // What the shell shows agrees.
    let run = sh(t, "grants curl -o => page.txt https://example.org/ + @net");
    let out = run.success();
    assert!(out.contains("page.txt"), "{run}");
    assert!(!out.contains("example.org"), "{run}");
    // => before an option is a mistake the shell names.
    let run = sh(t, "sort data.txt => -o out2.txt");
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("put it before the file name"), "{run}");
});

both!(grants_inside_a_writable_directory_merge_into_it, |t: &T| {
    t.write("file1", "1\n");
    t.write("file2", "2\n");
    t.write("a", "a\n");
    t.write("x.o", "");
    t.write("y.o", "");
    t.write("f", "x x\n");
    let before = tree(t.dir());
    sh(t, "rm file2 + => .").success();
    sh(t, "mv a b + => .").success();
    sh(t, "rm *.o + => .").success();
    sh(t, "sed -i s/x/y/ f + => .").success();
    assert_eq!(fs::read_to_string(t.path("f")).unwrap(), "y x\n");
    assert_eq!(fs::read_to_string(t.path("b")).unwrap(), "a\n");
    let after = tree(t.dir());
    assert_only_changed(&before, &after, &["a", "b", "f", "file2", "x.o", "y.o"]);
    // `grants` says which grant holds each name.
    let run = sh(t, "grants rm file1 + => .");
    assert!(run.success().contains("within"), "{run}");
});

both!(
    programs_reached_through_symlinks_in_a_grant_launch,
    |t: &T| {
        t.mkdir("x/bin");
        fs::copy("/usr/bin/true", t.path("x/bin/rtrue")).unwrap();
        std::os::unix::fs::symlink("rtrue", t.path("x/bin/foo")).unwrap();
        std::os::unix::fs::symlink("/usr/bin/python3", t.path("x/bin/python")).unwrap();
        t.own(&t.path("x"));
        let x = t.path("x");
        let x = x.to_str().unwrap();
        t.jail(&["--ro", x], &[format!("{x}/bin/foo")]).success();
        let run = t.jail(
            &["--ro", x],
            &[format!("{x}/bin/python"), "-c".into(), "print(42)".into()],
        );
        assert_eq!(run.success(), "42\n");
        assert_eq!(sh(t, "x/bin/python -c 'print(43)' + x").success(), "43\n");
        sh(t, "x/bin/foo").success();
    }
);

both!(
    system_directories_named_as_arguments_are_a_clear_decision,
    |t: &T| {
        // The host's /tmp is granted as named (the test's own scratch directory is in it).
        let name = t.dir().file_name().unwrap().to_str().unwrap().to_string();
        let run = sh(t, "ls /tmp");
        assert!(run.success().contains(&name), "{run}");
        // /proc is always the jail's own: named, it grants nothing and lists the jail.
        let run = sh(t, "ls /proc/self/ns /proc >/dev/null && echo ok");
        assert_eq!(run.success(), "ok\n");
        let run = sh(t, "ls -d /dev/shm");
        assert_eq!(run.success(), "/dev/shm\n");
    }
);

both!(bash_syntax_grants_as_the_rules_say, |t: &T| {
    t.write("a.txt", "1\n2\n");
    t.write("my file.txt", "1\n");
    t.write("secret.txt", "s\n");
    // Every field of "${arr[@]}" is a word of its own, as with "$@"; an element grants.
    let run = sh(
        t,
        r#"files=(a.txt "my file.txt"); wc -l "${files[@]}" | head -2; cat ${files[0]}"#,
    );
    assert_eq!(run.success(), "2 a.txt\n1 my file.txt\n1\n2\n");
    // A local, an indirect expansion, `${x:-default}`: double-quoted fields grant.
    let run = sh(
        t,
        r#"f() { local name=a.txt; cat "$name"; }; f; ref=name; name=a.txt; cat "${!ref}"; cat "${unset:-a.txt}""#,
    );
    assert_eq!(run.success(), "1\n2\n1\n2\n1\n2\n");
    // $'...' is quoted text, like single quotes: never a grant.
    let run = sh(t, "cat $'a.txt'");
    assert!(!run.ok() && run.stderr.contains("No such file"), "{run}");
    // `=>` marks the one word after it, whatever it expands to.
    let run = sh(
        t,
        r#"out=(made.txt); sort a.txt -o => "${out[@]}"; cat made.txt"#,
    );
    assert_eq!(run.success(), "1\n2\n");
    // Text an alias stands for is read with the same rules.
    let run = sh(t, "alias show='cat a.txt'\nshow");
    assert_eq!(run.success(), "1\n2\n");
    // A [[ ]] test, a here-string and `{fd}>` are the shell's own work: nothing is
    // granted to the command they feed.
    let run = sh(
        t,
        r#"[[ -f secret.txt ]] && cat <<< secret.txt; exec {fd}> fd.out; echo via-fd >&$fd; cat fd.out"#,
    );
    assert_eq!(run.success(), "secret.txt\nvia-fd\n");
});

both!(a_script_without_a_shebang_runs_jailed, |t: &T| {
    // sh runs a file without `#!` as a shell script (ENOEXEC): pola-sh too, with
    // /bin/sh inside the jail, which holds only what the command line granted.
    t.write("secret.txt", "secret\n");
    t.write("open.txt", "open\n");
    let script = t.write(
        "script",
        "cat open.txt; cat secret.txt; echo \"args: $*\"\n",
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let run = sh(t, "./script open.txt; echo status=$?");
    let out = &run.stdout;
    assert!(out.contains("open\n"), "{run}");
    assert!(!out.contains("secret"), "{run}");
    assert!(out.contains("args: open.txt\n"), "{run}");
    assert!(run.stderr.contains("secret.txt"), "{run}");
    // The same file run by a plain shell reads both: the jail made the difference.
    let plain = t.plain(&["/bin/sh", "-c", "./script open.txt"]);
    assert!(plain.success().contains("secret\n"), "{plain}");
});

both!(
    pola_sh_inside_a_jail_runs_its_commands_in_that_jail,
    |t: &T| {
        // A script can start pola-sh (`$SHELL -c ...`): inside a jail it cannot build
        // jails of its own, so its commands run in the jail it is in — with what that
        // jail's command line granted, and nothing more.
        t.write("granted.txt", "granted\n");
        t.write("secret.txt", "secret\n");
        let inner = pola_tests::pola_sh();
        let run = sh(
            t,
            &format!(
                "{} -c 'cat granted.txt; cat secret.txt; echo inner-status=$?' + granted.txt",
                inner.display()
            ),
        );
        assert!(run.stdout.contains("granted\n"), "{run}");
        assert!(!run.stdout.contains("secret\n"), "{run}");
        assert!(run.stdout.contains("inner-status=1"), "{run}");
    }
);

both!(
    naming_a_device_of_the_default_environment_keeps_it,
    |t: &T| {
        // The default environment's devices, named as arguments: the same objects, still
        // devices (a bind of their own would be nodev: "Permission denied").
        let run = sh(
        t,
        "head -c 4 /dev/zero | od -An -c; head -c 8 /dev/urandom | wc -c; cat /dev/null; cp /dev/null => empty",
    );
        let out = run.success();
        assert!(out.contains("\\0  \\0  \\0  \\0"), "{run}");
        assert!(out.contains("8\n"), "{run}");
        assert_eq!(fs::metadata(t.path("empty")).unwrap().len(), 0);
        let run = sh(t, "grants cat /dev/null");
        assert!(run.success().contains("granted already"), "{run}");
    }
);

// A word naming a FIFO grants it; one naming a socket grants nothing (what listens
// there would act for the command) and stays a word; one naming a link a jail may have
// made gives the jail the link itself, not what it points to.
both!(fifos_sockets_and_jail_made_links_as_words, |t: &T| {
    t.mkdir("w");
    let fifo = t.path("w/fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    t.own(&fifo);
    let run = sh(
        t,
        "cd w && { (sleep 0.2; echo through > fifo) & cat fifo; wait; }",
    );
    assert_eq!(run.success(), "through\n");
    // The writer first: the shell waits for a reader on the FIFO it checked (opened
    // again through its descriptor, not by a second walk of the path).
    let run = sh(
        t,
        "cd w && { (echo first > fifo) & sleep 0.3; cat fifo; wait; }",
    );
    assert_eq!(run.success(), "first\n");
    // Read through a redirection, the FIFO is waited on until it has had a writer (it
    // was read at once as empty: nothing came, and the writer waited for good; trial
    // 16). And `mkfifo` makes one of the user's (a builtin: a jail's `mkfifo` makes
    // none the shell would open), even in a directory jails were given.
    let timed = |script: &str| {
        t.plain(&[
            "timeout",
            "20",
            pola_tests::pola_sh().to_str().unwrap(),
            "-c",
            script,
        ])
    };
    let run =
        timed("cd w && { seq 3 > fifo & while read -r l; do echo got $l; done < fifo; wait; }");
    assert_eq!(run.success(), "got 1\ngot 2\ngot 3\n");
    let run = timed("cd w && { (sleep 0.3; true > fifo) & wc -l < fifo; wait; }");
    assert_eq!(
        run.success(),
        "0\n",
        "a writer gone without a word: the end"
    );
    let run = timed(
        "d=$(mktemp -d) && touch => \"$d/made\" && mkfifo -m 600 \"$d/p\" && stat -c '%a %F' \"$d/p\" && \
         { printf 'a\\nb\\n' > \"$d/p\" & sort -r < \"$d/p\"; wait; } && { echo x > \"$d/p\" & cat \"$d/p\"; wait; } && \
         rm -r => \"$d\"",
    );
    assert_eq!(run.success(), "600 fifo\nb\na\nx\n");
    // Where pola-sh's own directory is on another file system, made in place.
    let state = format!(
        "/dev/shm/pola-fifo-state-{}-{:?}",
        std::process::id(),
        t.who
    );
    let run = t.plain(&[
        "env",
        &format!("XDG_STATE_HOME={state}"),
        pola_tests::pola_sh().to_str().unwrap(),
        "-c",
        "cd w && touch => made && mkfifo q && { echo in-place > q & cat q; wait; }",
    ]);
    let _ = fs::remove_dir_all(&state);
    assert_eq!(run.success(), "in-place\n");
    let run = sh(t, "cd w && mkfifo fifo; echo $?");
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        (
            "1\n",
            "pola-sh: line 1: mkfifo: cannot create fifo fifo: file exists\n"
        ),
        "{run}"
    );

    // The user's own socket (a jail's would be refused as planted).
    let made = t.plain(&[
        "/usr/bin/python3",
        "-c",
        "import socket; socket.socket(socket.AF_UNIX).bind('w/sock')",
    ]);
    assert!(made.ok(), "{made}");
    let run = sh(t, "cd w && echo sock; ls sock; echo status=$?");
    assert!(run.stdout.starts_with("sock\n"), "{run}");
    assert_eq!(run.expect_field("status"), "2", "{run}");
    assert!(
        run.stderr.contains("a socket is not granted by naming it"),
        "{run}"
    );

    t.write("secret", "TOP SECRET\n");
    let target = t.path("secret");
    // (Made by a program of the jail's choosing: a link the command line itself asks
    // `ln -s` for is the user's, below.)
    sh(
        t,
        &format!("cd w && sh -c 'ln -s {} link' + => link", target.display()),
    )
    .success();
    let run = sh(t, "cd w && readlink link && ls -l link | cut -c1");
    assert_eq!(
        run.success(),
        format!("{}\nl\n", target.display()),
        "the link itself"
    );
    let run = sh(t, "cd w && cat link");
    assert!(!run.ok() && !run.stdout.contains("TOP SECRET"), "{run}");
    assert!(run.stderr.contains("is not followed"), "{run}");
});

// Git over ssh: the account's login shell runs `git-upload-pack '/srv/repo.git'` (or
// git-receive-pack) with the repository single-quoted; for these programs that
// argument grants the repository (read-only to fetch, writable to push).
both!(git_over_ssh_reaches_the_repository_it_names, |t: &T| {
    let ssh = |no_profile: bool| {
        let flag = if no_profile { "--no-profile " } else { "" };
        format!(
            "#!/bin/sh\nshift\nexec {} {flag}-c \"$*\"\n",
            pola_tests::pola_sh().display()
        )
    };
    let fake = t.write("fake-ssh", &ssh(false));
    let bare = t.write("fake-ssh-bare", &ssh(true));
    for f in [&fake, &bare] {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(f, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let git = |ssh: &std::path::Path, script: &str| {
        t.plain(&[
            "env",
            &format!("GIT_SSH_COMMAND={}", ssh.display()),
            "GIT_AUTHOR_NAME=t",
            "GIT_AUTHOR_EMAIL=t@example.org",
            "GIT_COMMITTER_NAME=t",
            "GIT_COMMITTER_EMAIL=t@example.org",
            "sh",
            "-ec",
            script,
        ])
    };
    let repo = t.path("srv/repo.git");
    let run = git(
        &fake,
        &format!("git init -q --bare -b main {}", repo.display()),
    );
    assert!(run.ok(), "{run}");
    // Without the rule (no shipped rules): the quoted path grants nothing.
    let run = git(&bare, &format!("git clone -q host:{} c0", repo.display()));
    assert!(!run.ok(), "{run}");
    // With it: push and clone through the jailed server side.
    let run = git(
        &fake,
        &format!(
            "git clone -q host:{0} c1 2>/dev/null; cd c1; echo hello > f; git add f; git commit -qm one; git push -q origin HEAD:main",
            repo.display()
        ),
    );
    assert!(run.ok(), "{run}");
    let run = git(
        &fake,
        &format!("git clone -q host:{} c2 && cat c2/f", repo.display()),
    );
    assert_eq!(run.success(), "hello\n");
});

// The certificates the user's environment names (SSL_CERT_FILE and the like) come with
// the network: the variable is passed and its file granted read-only; not without it.
both!(certificate_variables_come_with_the_network, |t: &T| {
    let ca = t.write("corp/ca.pem", "CORPORATE CA\n");
    let read = "/usr/bin/python3 -c 'import os; f = os.environ.get(\"SSL_CERT_FILE\"); print(f and open(f).read().strip())'";
    let run = t.plain(&[
        "env",
        &format!("SSL_CERT_FILE={}", ca.display()),
        pola_tests::pola_sh().to_str().unwrap(),
        "-c",
        &format!("{read} + @net:example.org; {read}"),
    ]);
    assert_eq!(run.success(), "CORPORATE CA\nNone\n");
});

// A file several of those variables name is one grant (`grants` listed it once for
// each; new-user trial).
both!(
    a_certificate_named_by_several_variables_is_granted_once,
    |t: &T| {
        // Any file will do, in a directory of the default environment, where `grants`
        // lists it (Debian's base-files has this one).
        let ca = "/usr/share/common-licenses/GPL-3";
        let run = t.plain(&[
            "env",
            &format!("SSL_CERT_FILE={ca}"),
            &format!("CURL_CA_BUNDLE={ca}"),
            &format!("REQUESTS_CA_BUNDLE={ca}"),
            pola_tests::pola_sh().to_str().unwrap(),
            "-c",
            "grants /usr/bin/true + @net:connect=443",
        ]);
        assert_eq!(
            run.success()
                .lines()
                .filter(|l| l.trim_start().starts_with(ca))
                .count(),
            1,
            "{run}"
        );
    }
);

// A Linux name need not be UTF-8: a grant of one is placed in the jail under its own
// bytes (it was placed under a lossy conversion, U+FFFD for each odd byte, where the
// command could not open it).
both!(names_that_are_not_utf8_are_kept_by_the_shell, |t: &T| {
    use std::ffi::OsStr;
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let dir = t.path("");
    fs::write(dir.join(OsStr::from_bytes(b"odd\xff\xfe")), "content\n").unwrap();
    fs::create_dir(dir.join(OsStr::from_bytes(b"dir\xe9"))).unwrap();
    t.write("plain.txt", "plain\n");
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    // A glob lists every name, byte for byte (it used to leave these out).
    let run = sh(t, "echo * | od -An -tx1 | tr -d ' \\n'");
    assert_eq!(
        run.success(),
        hex(b"dir\xe9 odd\xff\xfe plain.txt\n"),
        "{run}"
    );
    // And each is granted under its own name: read, tested, and removed by its slot.
    let run = sh(
        t,
        r#"cat odd*; for f in *; do [ -e "$f" ] && echo yes; done"#,
    );
    assert_eq!(run.success(), "content\nyes\nyes\nyes\n");
    let before = tree(&dir);
    let run = sh(t, "rm => odd*");
    run.success();
    assert!(
        !dir.join(OsStr::from_bytes(b"odd\xff\xfe")).exists(),
        "{run}"
    );
    assert_only_changed(&before, &tree(&dir), &["odd\u{fffd}\u{fffd}"]);
    // The working directory keeps its bytes in $PWD and `pwd`.
    let run = sh(t, "cd dir* && pwd | od -An -tx1 | tr -d ' \\n'");
    let mut want = dir
        .join(OsStr::from_bytes(b"dir\xe9"))
        .into_os_string()
        .into_vec();
    want.push(b'\n');
    assert_eq!(run.success(), hex(&want), "{run}");
});

both!(
    names_that_are_not_utf8_reach_redirections_and_builtins,
    |t: &T| {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let dir = t.path("");
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        // A FIFO waited for is the one named, not a file of another name created beside it.
        let fifo = dir.join(OsStr::from_bytes(b"f\xff"));
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        t.own(&fifo);
        let reader = std::thread::spawn(move || fs::read_to_string(fifo).unwrap());
        sh(t, r"echo hi > f$'\xff'").success();
        assert_eq!(reader.join().unwrap(), "hi\n");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "{:?}",
            fs::read_dir(&dir)
        );
        // A program, a sourced file and `test -ef` by such a name; `read` keeps the bytes
        // of a line, here the UTF-8 of a character the shell uses for a raw byte.
        let script = dir.join(OsStr::from_bytes(b"x\xff"));
        fs::write(&script, "#!/bin/sh\necho ran\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        let run = sh(
            t,
            r"./x$'\xff'; ./x*; . ./x$'\xff'; test x$'\xff' -ef x$'\xff' && echo same",
        );
        assert_eq!(run.success(), "ran\nran\nran\nsame\n");
        fs::write(dir.join("line"), b"a\xf4\x8f\xbf\xbf\xe9\n").unwrap();
        let run = sh(
            t,
            "read -r v < line; printf %s \"$v\" | od -An -tx1 | tr -d ' \\n'",
        );
        assert_eq!(run.success(), hex(b"a\xf4\x8f\xbf\xbf\xe9"), "{run}");
        let run = sh(t, r"cat < no$'\xff'");
        assert!(run.stderr.contains("no\\xff: no such file"), "{run}");
    }
);

both!(a_planted_name_never_stands_for_another, |t: &T| {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    // The shell keeps a byte that is not UTF-8 as a character of its own (U+10FF80 to
    // U+10FFFF). A name a jail made that holds such a character, as UTF-8, must not
    // come back as the byte it stands for: here it would be the user's `x\xff`.
    let dir = t.path("");
    fs::write(dir.join("x\u{10ffff}"), "planted\n").unwrap();
    fs::write(dir.join(OsStr::from_bytes(b"x\xff")), "mine\n").unwrap();
    let run = sh(t, r#"for f in x*; do cat "$f"; done | sort"#);
    assert_eq!(run.success(), "mine\nplanted\n", "{run}");
});

both!(a_name_that_is_not_utf8_is_granted_as_it_is, |t: &T| {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let name = OsStr::from_bytes(b"odd\xff\xfe name");
    fs::write(t.path("").join(name), "content\n").unwrap();
    let run_with = |args: &[&OsStr]| {
        let mut all = vec![OsStr::new("--ro"), name, OsStr::new("--")];
        all.extend_from_slice(args);
        t.output(t.command(pola_tests::pola_run(), &all))
    };
    let cat = run_with(&[OsStr::new("/usr/bin/cat"), name]);
    assert_eq!(cat.success(), "content\n");
    let listed = run_with(&[OsStr::new("/usr/bin/ls"), OsStr::new("-b")]);
    assert_eq!(listed.success(), "odd\\377\\376\\ name\n");
});

// Brace expansion (bash's, on by default; `set +o braceexpand` turns it off) makes
// words before anything else, and each grants as the word it came from would: named,
// read-only; after `=>`, every one a slot. Found by a new-user helper: `touch
// new{1,2,3}.txt` failed, and its hint's `=> new{1,2,3}.txt` made one file of that
// name.
both!(brace_expansion_makes_words_that_grant, |t: &T| {
    t.write("a.txt", "a\n");
    t.write("b.txt", "b\n");
    let before = tree(t.dir());
    let run = sh(t, "cat {a,b}.txt && touch => new{1..3}.txt && echo x{,y}z");
    assert_eq!(run.success(), "a\nb\nxz xyz\n");
    let after = tree(t.dir());
    assert_only_changed(&before, &after, &["new1.txt", "new2.txt", "new3.txt"]);
    let run = sh(t, "set +o braceexpand; echo {a,b}.txt");
    assert_eq!(run.success(), "{a,b}.txt\n");
    let run = sh(t, "rm => new{1..3}.txt");
    assert!(run.ok(), "{run}");
    assert_eq!(tree(t.dir()), before);
});

both!(a_commands_own_descriptors_are_named_not_granted, |t: &T| {
    // `/dev/stdin`, `/dev/fd/N` name the command's own descriptors, as in the jail's own
    // /dev and /proc: naming them grants nothing of the shell's (whose standard input
    // here is another file, which used to be bound over the jail's `/dev/stdin`).
    t.write("shell-input", "the shell's input\n");
    t.write("b.txt", "the command's\n");
    let script = "!! cat /dev/stdin < b.txt; cat /dev/stdin < b.txt; echo piped | cat /dev/stdin; \
                  cat /dev/fd/0 < b.txt; ls /dev/fd/ | head -1; \
                  printf 'x\\n' | dd of=/dev/stdout status=none | cat > out.txt";
    let mut cmd = t.pola_sh_command(script);
    cmd.stdin(fs::File::open(t.path("shell-input")).unwrap());
    let run = t.output(cmd);
    assert_eq!(
        run.success(),
        "the command's\nthe command's\npiped\nthe command's\n0\n",
        "{run}"
    );
    // `dd` wrote to its own standard output, not the shell's.
    assert_eq!(fs::read_to_string(t.path("out.txt")).unwrap(), "x\n");
});

both!(
    process_substitution_gives_the_command_a_pipe_and_nothing_else,
    |t: &T| {
        t.write("a.txt", "c\na\nb\n");
        t.write("b.txt", "b\nd\na\n");
        t.write("secret.txt", "secret\n");
        let before = tree(t.dir());
        // The pipes reach jailed commands (warm or not), builtins, `!!` and subshells.
        let run = sh(
            t,
            "true; true; comm -12 <(sort a.txt) <(sort b.txt); !! cat <(echo unconfined); \
         (cat <(echo subshell)); while read l; do echo \"read $l\"; done < <(echo x y); \
         tee >(tr a-z A-Z) < a.txt > /dev/null; wait $!",
        );
        assert_eq!(
            run.success(),
            "a\nb\nunconfined\nsubshell\nread x y\nC\nA\nB\n",
            "{run}"
        );
        // The word is not a grant: the jail sees no more of the host than its other words
        // give, and the descriptor is the pipe.
        let run = sh(t, "sh -c 'ls -l \"$1\"; cat secret.txt' x <(echo hi)");
        assert!(run.stdout.contains("pipe:"), "{run}");
        assert!(
            run.stderr.contains("secret.txt") && !run.stdout.contains("secret\n"),
            "{run}"
        );
        assert_only_changed(&before, &tree(t.dir()), &[]);
    }
);

both!(
    a_planted_link_read_as_a_link_is_not_warned_about,
    |t: &T| {
        t.write("secret.txt", "secret\n");
        let made = sh(t, "sh -c 'ln -s \"$PWD/secret.txt\" lnk' + => lnk");
        assert!(made.ok(), "{made}");
        // Programs that read the link itself get it, quietly.
        let run = sh(t, "ls -l lnk; readlink lnk; stat -c %N lnk");
        let out = run.success();
        assert!(out.contains("lnk ->"), "{run}");
        assert!(!run.stderr.contains("not followed"), "{run}");
        // One that follows it is told, and does not reach the target.
        let run = sh(t, "cat lnk");
        assert!(!run.ok() && run.stderr.contains("is not followed"), "{run}");
        assert!(!run.stdout.contains("secret"), "{run}");
    }
);

// A link of the user's at a name given to write (`vim => ~/.vimrc`, a link into the
// user's dotfiles) was distrusted from then on, as if the jail had made it, though it
// was the same link: `cat conf` said "a link a jail may have made". A link the jail
// put in its place is still distrusted, even with the same text.
both!(
    a_users_link_given_to_write_and_left_as_it_was_stays_the_users,
    |t: &T| {
        t.write("w/dotfiles/conf", "x=1\n");
        // Made by the user, outside any jail.
        sh(t, "cd w && !!ln -s dotfiles/conf conf").success();
        assert_eq!(sh(t, "cd w && cat conf").success(), "x=1\n");
        sh(t, "cd w && ls -l => conf").success();
        let run = sh(t, "cd w && cat conf");
        assert_eq!(run.success(), "x=1\n", "{run}");
        // Replaced by the jail with a link of the same text: not the user's.
        sh(
            t,
            "cd w && sh -c 'rm conf && ln -s dotfiles/conf conf' + => conf",
        )
        .success();
        let run = sh(t, "cd w && cat conf");
        assert!(!run.ok() && run.stderr.contains("is not followed"), "{run}");
    }
);

// A link of the user's named to write (`vim => ~/.vimrc` into dotfiles): what it leads
// to is granted too, where the jail resolves it, so writing through it changes the file
// the user meant (vim opened an empty "[New]" buffer and could not save; `sed -i
// --follow-symlinks` could not read the link's target); the link stays a link, and
// `rm => link` removes the link alone.
both!(
    writing_through_a_users_link_changes_what_it_leads_to,
    |t: &T| {
        t.write("w/dotfiles/conf", "x=1\n");
        sh(t, "cd w && !!ln -s dotfiles/conf conf").success();
        let run = sh(t, "cd w && sed -i --follow-symlinks s/1/2/ => conf");
        assert!(run.ok(), "{run}");
        assert_eq!(
            fs::read_to_string(t.path("w/dotfiles/conf")).unwrap(),
            "x=2\n"
        );
        let vim = "vim -Nu NONE -es -c '%s/2/3/' -c wq => conf";
        if std::path::Path::new("/usr/bin/vim").exists() {
            let run = sh(t, &format!("cd w && {vim}"));
            assert!(run.ok(), "{run}");
            assert_eq!(
                fs::read_to_string(t.path("w/dotfiles/conf")).unwrap(),
                "x=3\n"
            );
        }
        sh(t, "cd w && sh -c 'echo more >> conf' => conf").success();
        assert!(fs::read_to_string(t.path("w/dotfiles/conf"))
            .unwrap()
            .ends_with("more\n"));
        assert!(t.path("w/conf").is_symlink());
        assert_eq!(
            sh(t, "cd w && cat conf").success().lines().last(),
            Some("more")
        );
        sh(t, "cd w && rm => conf").success();
        assert!(t.path("w/conf").symlink_metadata().is_err());
        assert!(t.path("w/dotfiles/conf").is_file());
        // A link a jail made is not followed to write either.
        sh(t, "cd w && sh -c 'ln -s dotfiles/conf conf' + => conf").success();
        let run = sh(t, "cd w && sh -c 'echo jail >> conf' => conf");
        assert!(!run.ok(), "{run}");
        assert!(!fs::read_to_string(t.path("w/dotfiles/conf"))
            .unwrap()
            .contains("jail"));
    }
);

// A link of the user's named for reading reaches the command as the link it is, what
// it leads to granted where the jail resolves it: `readlink` printed nothing, `ls -l`
// showed a file, `cp -P` and `tar` copied the file instead of the link.
both!(
    a_users_link_named_for_reading_is_a_link_in_the_jail,
    |t: &T| {
        t.write("w/f", "x\n");
        t.write("w/data/v1/f.txt", "v1\n");
        sh(t, "cd w && !!ln -s f lnk && !!ln -s data/v1 cur").success();
        let run = sh(
        t,
        "cd w && readlink lnk && ls -l lnk | cut -c1 && cat lnk && ls cur/ && cat cur/f.txt && tar cf - lnk | tar tvf - | cut -c1",
    );
        assert_eq!(run.success(), "f\nl\nx\nf.txt\nv1\nl\n", "{run}");
        sh(t, "cd w && cp -P lnk => copy").success();
        assert_eq!(
            fs::read_link(t.path("w/copy")).unwrap(),
            std::path::Path::new("f")
        );
    }
);

// `ln -s TARGET => LINK` makes the link the user typed: it is followed where the user
// names it later (it never was: every link at a slot was the jail's, so a link made
// through pola-sh could not be used). Only the system's ln with the text on the line:
// `ln -sr` (ln chooses the text), a link made by another program, or the link moved
// elsewhere by a jail (its relative text leads elsewhere there) are still not followed.
both!(
    a_link_the_command_line_makes_with_ln_s_is_followed,
    |t: &T| {
        t.write("w/data/v1/f.txt", "v1\n");
        t.write("w/run.sh", "echo hi\n");
        fs::set_permissions(
            t.path("w/run.sh"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let run = sh(t, "cd w && ln -s data/v1 => current && cat current/f.txt");
        assert_eq!(run.success(), "v1\n", "{run}");
        let run = sh(
            t,
            "cd w && ln -sf run.sh => link && ./link && cat current/f.txt",
        );
        assert_eq!(run.success(), "hi\nv1\n", "{run}");
        for (make, use_it) in [
            ("ln -sr run.sh => rel", "./rel"),
            ("sh -c 'ln -s data/v1 cur2' + => cur2", "cat cur2/f.txt"),
            (
                "mkdir => d && mv => current => d/current",
                "cat d/current/f.txt",
            ),
        ] {
            sh(t, &format!("cd w && {make}")).success();
            let run = sh(t, &format!("cd w && {use_it}"));
            // (Moved into a directory of the jail's, its text leads to nothing there.)
            assert!(!run.ok() && run.stdout.is_empty(), "{make}: {run}");
        }
    }
);

both!(a_script_makes_and_removes_its_temporary_files, |t: &T| {
    // The usual idiom: a jailed mktemp made its file in the jail's private /tmp (gone
    // with it), and the script then wrote a name the jail chose in the host's /tmp.
    t.mkdir("tmpd");
    let before = tree(t.dir());
    let script = "export TMPDIR=$PWD/tmpd; t=$(mktemp); d=$(mktemp -d); \
                  trap 'rm -rf => \"$t\" => \"$d\"' EXIT; \
                  case $t in \"$TMPDIR\"/tmp.??????????) ;; *) echo \"bad name $t\";; esac; \
                  echo data > \"$t\"; echo more > \"$d/f\"; cat \"$t\" \"$d/f\"; \
                  stat -c %a \"$t\" \"$d\"; mktemp -p . x.XXXX --suffix=.c > made; \
                  mktemp XX || echo refused";
    let run = sh(t, script);
    assert_eq!(run.stdout, "data\nmore\n600\n700\nrefused\n", "{run}");
    assert!(
        run.stderr.contains("mktemp: too few X's in template XX"),
        "{run}"
    );
    // Both removed by the trap; the one made in the working directory stays.
    let made = fs::read_to_string(t.path("made")).unwrap();
    let made = made.trim().trim_start_matches("./").to_string();
    assert!(
        made.starts_with("x.") && made.ends_with(".c") && made.len() == 8,
        "{made}"
    );
    assert_only_changed(&before, &tree(t.dir()), &["made", made.as_str()]);
});

both!(
    what_the_shells_mktemp_made_is_the_scripts_scratch,
    |t: &T| {
        // The idiom as scripts write it, without `=>`: each jailed command was given
        // the scratch to read only, so `sort -o`, `mkdir` and `sed -i` in it failed and
        // the trap's `rm -rf` left it behind at every run (language trial, stop 39).
        t.mkdir("tmpd");
        t.write("keep/k.txt", "kept\n");
        let before = tree(t.dir());
        let script = "set -e; export TMPDIR=$PWD/tmpd; tmp=$(mktemp -d); \
                      trap 'rm -rf \"$tmp\"' EXIT; seq 3 > \"$tmp/in\"; \
                      sort -r \"$tmp/in\" -o \"$tmp/out\"; mkdir \"$tmp/sub\"; \
                      cp \"$tmp/out\" \"$tmp/sub/\"; cat \"$tmp/sub/out\"; \
                      f=$(mktemp); echo a > \"$f\"; sed -i s/a/b/ \"$f\"; cat \"$f\"; \
                      sed -i s/b/c/ \"$f\"; cat \"$f\"; rm \"$f\"; test ! -e \"$f\"; \
                      (d=$(mktemp -d); rmdir \"$d\"); echo done";
        let run = sh(t, script);
        assert_eq!(run.success(), "3\n2\n1\nb\nc\ndone\n", "{run}");
        assert_only_changed(&before, &tree(t.dir()), &[]);
        // Also from inside it (`cd "$tmp"`: the trap's `rm -rf` failed with "Device or
        // resource busy", left it, and the script said 1; scripting trial).
        let script = "set -e; export TMPDIR=$PWD/tmpd; tmp=$(mktemp -d); \
                      trap 'rm -rf \"$tmp\"' EXIT; cd \"$tmp\"; mkdir sub; mkdir -p \"$tmp/a/b\"; \
                      echo x > sub/f; cat sub/f";
        let run = sh(t, script);
        assert_eq!(run.success(), "x\n", "{run}");
        assert_only_changed(&before, &tree(t.dir()), &[]);
        // Only what the shell's mktemp made, and below it only through directories:
        // not a directory made otherwise, not through a link there (the user's own).
        let script = "export TMPDIR=$PWD/tmpd; !!mkdir \"$TMPDIR/mine\"; \
                      rm -rf \"$TMPDIR/mine\" || echo refused; tmp=$(mktemp -d); \
                      !!ln -s \"$PWD/keep\" \"$tmp/link\"; \
                      rm -f \"$tmp/link/k.txt\" || echo refused; !!rm -rf \"$tmp\"";
        let run = sh(t, script);
        assert_eq!(run.stdout, "refused\nrefused\n", "{run}");
        assert_eq!(fs::read_to_string(t.path("keep/k.txt")).unwrap(), "kept\n");
        assert!(t.path("tmpd/mine").is_dir());
    }
);

both!(
    an_exported_tmpdir_is_passed_where_the_jail_can_write_it,
    |t: &T| {
        // Not granted, it made `sort` and `mktemp` in a jail fail ("cannot create
        // temporary file"), and the hint said `+ .` (scripting trial): without a write
        // grant the command uses its private /tmp.
        t.mkdir("td");
        let run = sh(
            t,
            "export TMPDIR=$PWD/td; sh -c 'echo ${TMPDIR-private}'; \
         sh -c 'echo ${TMPDIR-private}' + td; \
         sh -c 'echo ${TMPDIR#$PWD/}; mktemp' + => td; export TMPDIR=/tmp; sh -c 'echo $TMPDIR'",
        );
        let out = run.success();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[..3], ["private", "private", "td"], "{run}");
        assert!(
            lines[3].starts_with(&format!("{}/td/tmp.", t.dir().display())),
            "{run}"
        );
        assert_eq!(lines[4], "/tmp", "{run}");
    }
);

both!(
    a_program_run_by_a_wrapper_is_found_as_if_named_first,
    |t: &T| {
        // `env prog`, `timeout 5 prog`...: the program the wrapper runs gets what naming it
        // first gives (its interpreter too); before, the wrapper's own search in the jail
        // found another (pyenv's python3 became /usr/bin/python3) or none.
        let hello = t.write("bin/hello", "#!/bin/sh\necho \"hello $1\"\n");
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hello, fs::Permissions::from_mode(0o755)).unwrap();
        let run = sh(
            t,
            "PATH=$PWD/bin:$PATH; hello a; env hello b; env -u BAR FOO=1 hello c; \
         timeout -s KILL 5 hello d; nice -n 2 hello e; nohup hello f; echo g | xargs -n 1 hello; \
         stdbuf -oL hello h",
        );
        assert_eq!(
            run.success(),
            "hello a\nhello b\nhello c\nhello d\nhello e\nhello f\nhello g\nhello h\n",
            "{run}"
        );
        // Only that program: its directory's other files stay out of the jail.
        t.write("bin/other", "x\n");
        let run = sh(
            t,
            "PATH=$PWD/bin:$PATH; export D=$PWD; env hello i; env sh -c 'ls \"$D\"/bin/other'",
        );
        assert_eq!(run.stdout, "hello i\n", "{run}");
        assert!(!run.ok() && run.stderr.contains("No such file"), "{run}");
    }
);

both!(
    a_script_run_by_a_relative_path_sees_it_as_its_name,
    |t: &T| {
        // As a shell starts it: `$0` is the path as typed, not the absolute one.
        let script = t.write("run.sh", "#!/bin/sh\necho \"$0\"\n");
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        t.mkdir("sub");
        for hints in [&[][..], &["--hints"]] {
            let mut args = vec![pola_tests::pola_sh().to_str().unwrap().to_string()];
            args.extend(hints.iter().map(|h: &&str| h.to_string()));
            args.extend([
                "-c".into(),
                "./run.sh; cd sub; ../run.sh; ./../run.sh".into(),
            ]);
            let run = t.plain(&args);
            assert_eq!(run.success(), "./run.sh\n../run.sh\n./../run.sh\n", "{run}");
        }
        // `sub/../run.sh` would need `sub` in the jail: started by its absolute path.
        let run = sh(t, "sub/../run.sh");
        assert_eq!(
            run.success(),
            format!("{}/run.sh\n", t.dir().display()),
            "{run}"
        );
    }
);

// `grants ll`: the command it shows is in command position, where an alias of the
// user's is what the line would run ("ll: command not found"; new-user trial).
both!(grants_shows_what_an_alias_runs, |t: &T| {
    t.write("f.txt", "x\n");
    let run = sh(
        t,
        "alias ll='ls -la'\ngrants ll f.txt\ngrants -a ll\necho ll",
    );
    let out = run.success();
    assert_eq!(out.matches("program: /usr/bin/ls").count(), 2, "{run}");
    assert!(out.ends_with("\nll\n"), "{run}");
});

// `grants` lists each grant once, and says where a `+` or `=>` grant comes from: the
// network's certificates were listed twice, and `+ => .` was labelled "(argument)",
// which it is not (new-user trial).
both!(
    grants_lists_each_grant_once_from_the_command_line,
    |t: &T| {
        let run = sh(t, "grants curl https://x.org + @net:x.org");
        let text = run.success();
        let certs = text
            .lines()
            .filter(|l| l.trim_start().starts_with("/etc/ssl/certs "))
            .count();
        assert_eq!(certs, 1, "{run}");
        let run = sh(t, "grants make + => .");
        assert!(run.success().contains("rw (command line)"), "{run}");
    }
);
