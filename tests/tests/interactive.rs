//! pola-sh on a real (pseudo-)terminal: prompt, line editing, history, completion,
//! grant highlighting, Ctrl-C, Ctrl-Z and fg, and full-screen programs in a jail.
//! As root and as an unprivileged user.

use std::fs;

use pola_tests::{both, Key::*, T};

const ENTER: &str = "\r";
const LEFT: &str = "\x1b[D";
const UP: &str = "\x1b[A";
const CTRL_C: &str = "\x03";
const CTRL_Z: &str = "\x1a";
const CTRL_U: &str = "\x15";

fn prompt(t: &T) -> &'static str {
    if t.uid == 0 {
        "# "
    } else {
        "$ "
    }
}

both!(prompt_line_editing_and_history, |t: &T| {
    let run = t.interactive(&[
        Expect("pola "),
        Expect(prompt(t)),
        // Line editing: fix a typo behind the cursor.
        Send("echo helo"),
        Send(LEFT),
        Send("l"),
        Send(ENTER),
        Expect("hello"),
        Pause(0.7),
        // History: the last line again.
        Send("echo again-1"),
        Send(ENTER),
        Expect("again-1"),
        Pause(0.7),
        Send(UP),
        Send(ENTER),
        Count("again-1\n", 2),
        Pause(0.7),
        // Unfinished constructs continue on the next line.
        Send("if true"),
        Send(ENTER),
        Expect("> "),
        Send("then echo continued; fi"),
        Send(ENTER),
        Expect("continued"),
        Pause(0.5),
        // `history N`: the last N lines (it printed them all).
        Send("history 1 | wc -l"),
        Send(ENTER),
        Expect("\n1\n"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// Keys typed ahead, in the same read as the Enter before them (a paste, a fast typist,
// tmux's send-keys), are the next lines: the line editor kept only its first line and
// dropped the rest (found by a new-user helper).
both!(lines_typed_ahead_are_kept, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 0.3\recho typed-ahead\r"),
        Count("typed-ahead", 2),
        Send("echo p1\recho p2\recho p3\r"),
        Count("p3", 2),
        Send("echo done\r"),
        Count("done", 2),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(run.stdout.contains("p2\n"), "{run}");
});

both!(completion_of_commands_and_files, |t: &T| {
    t.write("uniquefile-abc.txt", "completed file\n");
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("cat uniquefile-a\t"),
        Pause(0.3),
        Send(ENTER),
        Expect("completed file"),
        Pause(0.7),
        Send("ech\t"),
        Pause(0.3),
        Send("from-completion"),
        Send(ENTER),
        Expect("\nfrom-completion"),
        Pause(0.7),
        Send("grep x => uniquefile-a\t"),
        Pause(0.3),
        Raw("uniquefile-abc.txt"),
        Send(CTRL_U),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// `complete -W` gives a command's arguments words to complete to (a start-up file's
// completions for a tool); the files still complete where none fits.
both!(a_commands_complete_w_words_are_completed, |t: &T| {
    t.write("uniquefile-xyz.txt", "a file\n");
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("complete -W 'zebraword yakword' echo; echo set\r"),
        Expect("\nset"),
        Pause(0.5),
        Send("echo zebr\t"),
        Pause(0.3),
        Send(ENTER),
        Expect("\nzebraword"),
        Pause(0.7),
        Send("echo uniquefile-x\t"),
        Pause(0.3),
        Send(ENTER),
        Expect("\nuniquefile-xyz.txt"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// The command names are read from PATH once and again only where a directory changed
// (the shell read every directory before every prompt): a program put in one, or a
// function defined, is completed at the next prompt.
both!(
    a_new_program_or_function_is_completed_at_the_next_prompt,
    |t: &T| {
        t.mkdir("bin");
        let run = t.interactive(&[
        Expect(prompt(t)),
        Send("PATH=$PWD/bin:$PATH; echo set\r"),
        Expect("\nset"),
        Pause(0.3),
        Send(
            "!!sh -c 'printf \"#!/bin/sh\\necho ran-it\\n\" > bin/uniqprogzed; chmod +x bin/uniqprogzed'\r",
        ),
        Pause(0.7),
        Send("uniqprogz\t"),
        Pause(0.3),
        Send(ENTER),
        Expect("\nran-it"),
        Pause(0.7),
        Send("uniqfnzed() { echo fn-ran; }\r"),
        Pause(0.5),
        Send("uniqfnz\t"),
        Pause(0.3),
        Send(ENTER),
        Expect("\nfn-ran"),
    ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
    }
);

both!(highlighting_shows_grants_as_you_type, |t: &T| {
    t.write("notes.txt", "x");
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("cat notes.txt nothing => out.txt"),
        // Read-only grant in green, write grant in yellow, the marker in cyan.
        Raw("\x1b[32mnotes.txt\x1b[0m"),
        Raw("\x1b[33mout.txt\x1b[0m"),
        Raw("\x1b[36m=>\x1b[0m"),
        Send(CTRL_U),
        Send("!!true"),
        Raw("\x1b[31;1m!!true\x1b[0m"),
        Send(CTRL_U),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// Ctrl-C at the prompt drops the line with a mark, `^C`, and `$?` says it was
// interrupted, as in bash (the line vanished without a mark, `$?` unchanged;
// new-user trial).
both!(ctrl_c_at_the_prompt_drops_the_line_with_a_mark, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("echo never-run"),
        Pause(0.3),
        Send(CTRL_C),
        Expect("never-run^C"),
        Send("echo status=$?"),
        Send(ENTER),
        Expect("status=130"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("never-run\r\n"), "{run}");
});

// Ctrl-C stops the line, not only the command it was running, as in bash: a loop of
// jailed commands went on after each one, a loop of builtins could not be stopped, and
// `sleep; echo` ran its echo (trial 17). A function's rest is left too.
both!(ctrl_c_stops_the_whole_line, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("for i in 1 2 3; do sleep 30; echo iter-$i; done; echo after-loop"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_C),
        Send("echo status=$?"),
        Send(ENTER),
        Expect("status=130"),
        Send("i=0; while true; do i=$((i+1)); done; echo after-builtins"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_C),
        Send("echo status=$? counted=$((i > 0))"),
        Send(ENTER),
        Expect("status=130 counted=1"),
        Send("f() { sleep 30; echo in-f; }; f; echo after-f"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_C),
        Send("echo status=$?; echo fin-$((1+1))"),
        Send(ENTER),
        Expect("status=130"),
        Expect("fin-2"),
        // `read` at the terminal ends at Ctrl-C, with its line (it waited for Enter).
        Send("read x; echo after-read"),
        Send(ENTER),
        Pause(0.5),
        Send(CTRL_C),
        Pause(1.0),
        Send("echo read-status=$?"),
        Send(ENTER),
        Expect("read-status=130"),
        // Ctrl-C in a command's substitution leaves that command too, as in bash
        // (the shell started the jail itself, or a forked copy ran the list).
        Send("echo \"$(sleep 30)\" subst-$((6*7))"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_C),
        Send("echo subst-status=$?"),
        Send(ENTER),
        Expect("subst-status=130"),
        Send("echo \"$(sleep 30; true)\" list-$((6*7))"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_C),
        // (Keys typed within moments of that Ctrl-C can be lost: the forked copy is
        // gone before its jail, whose terminal holds them; left, noted.)
        Pause(0.3),
        Send("echo list-status=$?"),
        Send(ENTER),
        Expect("list-status=130"),
        // A command's own status of 130 is not the user's Ctrl-C (review: a jail's
        // `exit(130)` stopped the rest of the line).
        Send("sh -c 'exit 130'; echo went-on-$?"),
        Send(ENTER),
        Expect("went-on-130"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    for word in [
        "iter-1",
        "after-loop",
        "after-builtins",
        "in-f",
        "after-f",
        "after-read",
        "subst-42",
        "list-42",
    ] {
        assert!(
            !run.stdout.contains(&format!("{word}\r\n")),
            "{word}: {run}"
        );
    }
});

both!(ctrl_c_interrupts_the_job_not_the_shell, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 30"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_C),
        Send("echo status=$?"),
        Send(ENTER),
        Expect("status=130"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

both!(ctrl_z_stops_and_fg_resumes, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 30"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_Z),
        // In `jobs`'s layout (it had one of its own: `[1]+ Stopped sleep 30`).
        Expect("[1]+  Stopped                 sleep 30"),
        Send("jobs"),
        Send(ENTER),
        Count("[1]+  Stopped                 sleep 30", 2),
        Send("fg"),
        Send(ENTER),
        Expect("sleep 30\n"),
        Pause(0.5),
        Send(CTRL_C),
        Send("echo status=$?"),
        Send(ENTER),
        Expect("status=130"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

both!(less_and_vi_work_in_a_jail, |t: &T| {
    t.write("page.txt", "first line of the page\nsecond line\n");
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("less page.txt"),
        Send(ENTER),
        Expect("first line of the page"),
        Send("q"),
        Send("echo less-done"),
        Send(ENTER),
        Expect("less-done"),
        Pause(0.7),
        Send("vi => edited.txt"),
        Send(ENTER),
        Pause(1.0),
        Send("iwritten in vi\x1b"),
        Send(":wq"),
        Send(ENTER),
        Pause(0.5),
        Send("cat edited.txt"),
        Send(ENTER),
        Expect("written in vi"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert_eq!(
        std::fs::read_to_string(t.path("edited.txt")).unwrap(),
        "written in vi\n"
    );
});

both!(the_rc_file_is_read_at_start, |t: &T| {
    t.write(
        ".config/pola-sh/rc",
        "greeting=from-rc\nhi() { echo \"hello $greeting\"; }\n",
    );
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("hi"),
        Send(ENTER),
        Expect("hello from-rc"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// Every jail of an interactive pola-sh runs on a pseudo-terminal of its own that the
// shell relays (SECURITY.md 28, 29): job control, full-screen programs, pipelines,
// subshells, `!!` commands, window size, background output and typeahead must work as
// on the terminal itself.

both!(jobs_stop_go_on_in_the_background_and_come_back, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 30"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_Z),
        Expect("Stopped"),
        Send("bg"),
        Send(ENTER),
        Expect("sleep 30 &"),
        Send("jobs"),
        Send(ENTER),
        Expect("Running                 sleep 30"),
        Send("fg"),
        Send(ENTER),
        Pause(0.5),
        Send(CTRL_Z),
        Count("Stopped", 2),
        Send("fg"),
        Send(ENTER),
        Pause(0.5),
        Send(CTRL_C),
        Send("echo status=$?; jobs"),
        Send(ENTER),
        Expect("status=130"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(
        !run.stdout
            .contains("Running                 sleep 30 &\nstatus"),
        "{run}"
    );
});

// `bg` and `wait` say what bash says, in `jobs`'s layout (`wait` said nothing).
both!(bg_and_wait_report_jobs_as_jobs_does, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 30"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_Z),
        Expect("Stopped"),
        Send("bg"),
        Send(ENTER),
        Expect("[1]+ sleep 30 &"),
        Send("kill %1; sleep 0.3; sleep 0.2 & wait"),
        Send(ENTER),
        Expect("[2]+  Done                    sleep 0.2"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// Ctrl-D with a stopped job (an editor's unsaved work) says so first, as `exit` does;
// it left at once (new-user trial).
both!(ctrl_d_with_a_stopped_job_warns_first, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 30"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_Z),
        Expect("Stopped"),
        Pause(0.5),
        Send("\x04"),
        Expect("there are stopped jobs (Ctrl-D again to leave"),
        Send("echo still-$((1+1))"),
        Send(ENTER),
        Expect("still-2"),
        Send("kill %1"),
        Send(ENTER),
        Pause(0.5),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

both!(jobs_says_how_a_job_ended, |t: &T| {
    // As bash: the signal by its name, a status by its number.
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 30 & sleep 0.5; kill %1; sleep 0.5; jobs"),
        Send(ENTER),
        Expect("Terminated"),
        Send("(exit 3) & sleep 0.5; jobs"),
        Send(ENTER),
        Expect("Exit 3"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("Exit 143"), "{run}");
});

both!(vim_stops_and_comes_back, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("vi"),
        Send(ENTER),
        Pause(1.0),
        Send("ikept across a stop\x1b"),
        Pause(0.5),
        // vim handles Ctrl-Z itself: restores its terminal, then stops its group.
        Send(CTRL_Z),
        Expect("Stopped"),
        Send("fg"),
        Send(ENTER),
        // Redrawn when it comes back.
        Count("kept across a stop", 2),
        Pause(0.5),
        Send(":q!"),
        Send(ENTER),
        Pause(0.5),
        Send("echo vim-status=$?"),
        Send(ENTER),
        Expect("vim-status=0"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// A job with a terminal of its own ends at its PID 1's word and stops at its shim's
// (`ShimReport::Stopping`), which the shell waits for rather than for the shim's exit.
// A shim stopped by a signal from elsewhere says nothing: the shell, which looks at it
// now and then, still sees the job stopped (else it waited for the end, and took the
// job for ended while its shim was stopped).
both!(
    a_job_whose_shim_is_stopped_from_elsewhere_is_seen_stopped,
    |t: &T| {
        let run = t.interactive(&[
            Expect(prompt(t)),
            // Unconfined, in the background: in a second, stop the shim (this shell's
            // child) whose PID 1 runs the foreground `sleep`.
            Send(concat!(
                "!!sh -c 'sleep 1; for c in $(pgrep -x -P '$$' pola-shim); do ",
                "for p in $(pgrep -P $c); do pgrep -x -P $p sleep >/dev/null && kill -STOP $c; ",
                "done; done' &"
            )),
            Send(ENTER),
            Pause(0.3),
            Send("sleep 3"),
            Send(ENTER),
            Expect("Stopped"),
            Send("fg"),
            Send(ENTER),
            Pause(0.3),
            Send("echo fg-status=$?"),
            Send(ENTER),
            Expect("fg-status=0"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
    }
);

both!(
    pipelines_subshells_and_substitutions_get_the_keys,
    |t: &T| {
        let numbers: String = (1..=300).map(|i| format!("line {i}\n")).collect();
        t.write("numbers.txt", &numbers);
        let run = t.interactive(&[
            Expect(prompt(t)),
            // less reads the keys (its terminal), not cat, whose standard input is it too.
            Send("cat numbers.txt | less"),
            Send(ENTER),
            Expect("line 1\n"),
            Send("G"),
            Expect("line 300"),
            Send("q"),
            Send("echo less-done"),
            Send(ENTER),
            Expect("less-done"),
            Pause(0.5),
            Send("(cat)"),
            Send(ENTER),
            Pause(0.7),
            Send("into the subshell"),
            Send(ENTER),
            Count("into the subshell", 2),
            Send("\x04"),
            Pause(0.5),
            Send("x=$(/usr/bin/python3 -c 'print(input().upper())')"),
            Send(ENTER),
            Pause(1.0),
            Send("substituted"),
            Send(ENTER),
            Pause(0.5),
            Send("echo \"x=$x\""),
            Send(ENTER),
            Expect("x=SUBSTITUTED"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
    }
);

both!(unconfined_commands_get_the_terminal, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("!!sh -c 'read x; echo \"sh-read=$x\"'"),
        Send(ENTER),
        Pause(0.7),
        Send("a line for sh"),
        Send(ENTER),
        Expect("sh-read=a line for sh"),
        // In a pipeline with a jail: the terminal is the !! command's, the jail's output
        // still shows.
        Send("!!head -n 1 | tr a-z A-Z"),
        Send(ENTER),
        Pause(0.7),
        Send("mixed job"),
        Send(ENTER),
        Expect("MIXED JOB"),
        Send("!!sleep 30"),
        Send(ENTER),
        Pause(0.7),
        Send(CTRL_C),
        Send("echo status=$?"),
        Send(ENTER),
        Expect("status=130"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("command not found"), "{run}");
});

both!(the_window_size_reaches_the_jail, |t: &T| {
    // Prints with os.write: a signal handler must not re-enter a buffered print.
    let watch = "import os, signal\n\
                 show = lambda *a: os.write(1, b'size=%dx%d\\n' % tuple(os.get_terminal_size()))\n\
                 signal.signal(signal.SIGWINCH, show)\n\
                 show()\n\
                 while True: signal.pause()\n";
    t.write("watch.py", watch);
    let run = t.interactive(&[
        Expect(prompt(t)),
        Resize(30, 100),
        Pause(0.3),
        Send("/usr/bin/python3 watch.py"),
        Send(ENTER),
        Expect("size=100x30"),
        Resize(40, 120),
        Expect("size=120x40"),
        Send(CTRL_C),
        Pause(0.5),
        // A later jail's terminal starts with the new size.
        Send("stty size"),
        Send(ENTER),
        Expect("40 120"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

both!(background_output_shows_and_typeahead_is_kept, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("(sleep 1; echo from-the-background) &"),
        Send(ENTER),
        // Shown while the shell waits at its prompt.
        Expect("from-the-background"),
        Pause(0.5),
        // Typed while a job runs that does not read it: the shell runs it next.
        Send("sleep 1"),
        Send(ENTER),
        Pause(0.3),
        Send("echo typed-ahead"),
        Send(ENTER),
        Expect("\ntyped-ahead"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

both!(aliases_at_the_prompt_and_from_the_rc_file, |t: &T| {
    t.write(
        ".config/pola-sh/rc",
        "alias greet='echo alias-from-rc'\nalias ll='echo listing'\n",
    );
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("greet"),
        Send(ENTER),
        Expect("alias-from-rc"),
        Pause(0.5),
        Send("alias say='echo said:'"),
        Send(ENTER),
        Pause(0.5),
        Send("say it"),
        Send(ENTER),
        Expect("said: it"),
        Pause(0.5),
        // An alias is text: it can hold a pipeline and more commands.
        Send("alias two='echo one | tr o 0; echo two'"),
        Send(ENTER),
        Pause(0.5),
        Send("two"),
        Send(ENTER),
        Expect("0ne\ntwo\n"),
        Pause(0.5),
        Send("alias"),
        Send(ENTER),
        Expect("alias ll='echo listing'"),
        Pause(0.5),
        // A line is read whole before it runs: the alias still applies on it.
        Send("unalias ll; ll"),
        Send(ENTER),
        Expect("listing\n"),
        Pause(0.5),
        Send("ll 2>&1 | head -1"),
        Send(ENTER),
        Expect("ll: command not found"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

both!(
    ps1_and_ps2_with_escapes_and_command_substitution,
    |t: &T| {
        let user = if t.uid == 0 {
            "root"
        } else {
            pola_tests::TEST_USER
        };
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap()
            .trim()
            .split('.')
            .next()
            .unwrap()
            .to_string();
        t.mkdir("work/here");
        t.write(
            ".config/pola-sh/rc",
            "n=0\nPS1='<\\u@\\h \\W $(n=$((n+1)); echo sub-$n)>\\$ '\nPS2='more> '\ncd work/here\n",
        );
        let mark = if t.uid == 0 { '#' } else { '$' };
        let first = format!("<{user}@{host} here sub-1>{mark} ");
        let run = t.interactive(&[
            Expect(&first),
            Send("if true"),
            Send(ENTER),
            Expect("more> "),
            Send("then echo continued; fi"),
            Send(ENTER),
            Expect("continued\n"),
            // \w shows the directory from ~, \t the time, \[ \] nothing.
            Send("PS1='[\\w|\\t|\\[x\\]]\\$ '"),
            Send(ENTER),
            Raw("|"),
            Expect("|x]"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        let dir = t.path("work/here");
        assert!(
            run.stdout.contains(&format!("[{}|", dir.display())),
            "\\w shows the working directory: {run}"
        );
        // The time: HH:MM:SS.
        let after = run
            .stdout
            .split(&format!("[{}|", dir.display()))
            .nth(1)
            .unwrap_or("");
        let time: Vec<&str> = after.split('|').next().unwrap_or("").split(':').collect();
        assert!(
            time.len() == 3
                && time
                    .iter()
                    .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit())),
            "\\t is the time: {run}"
        );
    }
);

both!(a_login_shell_reads_profile_then_the_rc_file, |t: &T| {
    // A home of the test's own: ~/.profile is read after /etc/profile, and the rc file
    // after both; $ENV names a file an interactive shell reads too.
    let home = t.mkdir("home");
    t.write(
        "home/.profile",
        "echo \"profile: PATH=$PATH\"\norder=\"${order}profile,\"\n",
    );
    t.write(".config/pola-sh/rc", "order=\"${order}rc,\"\n");
    t.write("envfile", "order=\"${order}env,\"\n");
    let envfile = t.path("envfile");
    let run = t.on_terminal_env(
        &pola_tests::pola_sh(),
        &["-l"],
        &[
            ("HOME", home.to_str().unwrap()),
            ("ENV", envfile.to_str().unwrap()),
        ],
        &[
            Expect("profile: PATH="),
            Pause(1.0),
            Send("echo \"order=$order\""),
            Send(ENTER),
            Expect("order=profile,env,rc,"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    // /etc/profile ran first: it sets PATH (with sbin for root, games for others).
    let path_line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("profile: PATH="))
        .unwrap_or("");
    let from_etc_profile = if t.uid == 0 {
        "/usr/local/sbin"
    } else {
        "/usr/games"
    };
    assert!(path_line.contains(from_etc_profile), "{run}");
    // Without -l, neither profile is read.
    let run = t.on_terminal_env(
        &pola_tests::pola_sh(),
        &[],
        &[("HOME", home.to_str().unwrap())],
        &[
            Expect(prompt(t)),
            Send("echo \"order=$order.\""),
            Send(ENTER),
            Expect("order=rc,."),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("profile: PATH="), "{run}");
});

both!(completion_after_tilde_slash, |t: &T| {
    let home = t.mkdir("home");
    t.write("home/uniq-home-file.txt", "from the home directory\n");
    t.mkdir("home/uniq-dir");
    t.write("home/uniq-dir/inner-only.txt", "inner\n");
    let run = t.on_terminal_env(
        &pola_tests::pola_sh(),
        &[],
        &[("HOME", home.to_str().unwrap())],
        &[
            Expect(prompt(t)),
            Send("cat ~/uniq-h\t"),
            Pause(0.3),
            Raw("~/uniq-home-file.txt"),
            Send(ENTER),
            Expect("from the home directory"),
            Pause(0.7),
            Send("cat ~/uniq-d\t"),
            Pause(0.3),
            Send("in\t"),
            Pause(0.3),
            Raw("~/uniq-dir/inner-only.txt"),
            Send(ENTER),
            Expect("inner"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
});

both!(bashrc_runs_through_shopt_and_friends, |t: &T| {
    // What Debian gives every new user as ~/.bashrc.
    let home = t.mkdir("home");
    std::fs::copy("/etc/skel/.bashrc", home.join(".bashrc")).unwrap();
    t.own(&home.join(".bashrc"));
    t.write(
        ".config/pola-sh/rc",
        "source ~/.bashrc\necho \"bashrc done: $HISTSIZE $(shopt -p checkwinsize)\"\n",
    );
    let run = t.on_terminal_env(
        &pola_tests::pola_sh(),
        &[],
        &[("HOME", home.to_str().unwrap())],
        &[Expect("bashrc done: 1000 shopt -s checkwinsize")],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("command not found"), "{run}");
});

both!(read_s_does_not_show_what_is_typed, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        // The prompt is made at run time, so that it is not seen in the typed line.
        Send("w=word; read -s -p \"pass$w: \" pw; echo; echo \"length ${#pw}\""),
        Send(ENTER),
        Expect("password: "),
        Send("hunter2"),
        Send(ENTER),
        Expect("length 7"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(
        !run.stdout.contains("hunter2"),
        "typed text was shown: {run}"
    );
});

// A command a prompt runs fails quietly: no hint under every prompt (typed at the
// prompt, the same command gets its hint).
both!(commands_in_the_prompt_get_no_hints, |t: &T| {
    t.mkdir("proj");
    t.write("proj/Makefile", "all:\n\t@echo built\n");
    t.write(".config/pola-sh/rc", "PS1='p$(make -s)> '\ncd proj\n");
    let run = t.interactive(&[
        Expect("p> "),
        Send("echo one"),
        Send(ENTER),
        Expect("one\n"),
        Expect("p> "),
        Send("make"),
        Send(ENTER),
        Expect("make looked for ./Makefile, which was not granted"),
        Expect("p> "),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert_eq!(run.stdout.matches("make looked for").count(), 1, "{run}");
});

both!(
    without_the_relay_a_command_reading_at_once_owns_the_terminal,
    |t: &T| {
        // Jails sharing the shell's terminal (the relay off: the test seam, or a relay
        // that could not start): a command that reads the terminal as it starts must
        // own it by then. The shell used to hand it over once the jail reported its
        // command started, which is after the spawn: `sed` read first, was stopped
        // (SIGTTIN), and the keys went to the line editor.
        let mut steps = vec![Expect(prompt(t))];
        for _ in 0..8 {
            steps.extend([
                Send("/usr/bin/sed -n 's/^/got-/p;q'"),
                Send(ENTER),
                Pause(0.5),
                Send("keys"),
                Send(ENTER),
                Expect("got-keys"),
                Expect(prompt(t)),
            ]);
        }
        steps.extend([Send("echo done-$((1+1))"), Send(ENTER), Expect("done-2")]);
        let run = t.shared_terminal(&[], &[], &steps);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert_eq!(run.stdout.matches("got-keys").count(), 8, "{run}");
        assert!(!run.stdout.contains("Stopped"), "{run}");
        assert!(!run.stdout.contains("not found"), "{run}");
    }
);

both!(exec_gives_the_command_the_terminal_for_good, |t: &T| {
    // The shell's status after it, from the sh that started it on the terminal.
    let sh = pola_tests::pola_sh();
    let script = format!("{} ; echo \"shell-status=$?\"", sh.display());
    let run = t.on_terminal(
        std::path::Path::new("/bin/sh"),
        &["-c", &script],
        &[
            Expect(prompt(t)),
            // The jailed command reads the keys, Ctrl-Z does not leave it stopped with
            // no prompt to `fg` it, and the shell ends with its status.
            // The prompt is spelled in two parts: the echo of this line must not
            // match `Expect("name? ")` (keys sent then went to the line editor).
            Send(
                "exec /usr/bin/python3 -c 'import time; x = input(\"na\" + \"me? \"); \
                 print(\"hello-\" + x, flush=True); time.sleep(1.5); \
                 print(\"woke\", flush=True); raise SystemExit(7)'",
            ),
            Send(ENTER),
            Expect("name? "),
            Send("world"),
            Send(ENTER),
            Expect("hello-world"),
            Send(CTRL_Z),
            Expect("woke"),
            Expect("shell-status=7"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("Stopped"), "{run}");
    // Ctrl-C reaches it (a shell: `exec bash`), and the prompt never comes back.
    let run = t.on_terminal(
        std::path::Path::new("/bin/sh"),
        &["-c", &script],
        &[
            Expect(prompt(t)),
            Send("exec /bin/bash --norc --noprofile"),
            Send(ENTER),
            Pause(1.0),
            Send("sleep 30"),
            Send(ENTER),
            Pause(0.7),
            Send(CTRL_C),
            Pause(0.5),
            Send("echo in-bash $((6 * 7))"),
            Send(ENTER),
            Expect("in-bash 42"),
            Send("exit 3"),
            Send(ENTER),
            Expect("shell-status=3"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    // Without a terminal, as before.
    let run = t.output(t.pola_sh_command("exec /bin/sh -c 'echo plain; exit 4'; echo never"));
    assert_eq!(run.code, Some(4), "{run}");
    assert_eq!(run.stdout, "plain\n", "{run}");
    // `!!exec` runs it unconfined, as `!!` asks (it ran jailed; new-user trial).
    let secret = t.write("secret.txt", "mine\n");
    // (Single-quoted: never a grant, so only an unconfined `sh` sees the file.)
    let script = format!(
        "!!exec sh -c 'cat {}; exit 5'; echo never",
        secret.display()
    );
    let run = t.output(t.pola_sh_command(&script));
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(5), "mine\n"),
        "{run}"
    );
    // Never a `!!` an expansion gave (`exec $x`, `exec *`: text a jail may have made;
    // security review): first shown unconfined as typed, then jailed from a variable
    // and from a file's name.
    let marker = t.path("made-unconfined");
    let run = t.output(t.pola_sh_command(&format!("!!exec touch {}", marker.display())));
    assert!(run.ok() && marker.exists(), "{run}");
    std::fs::remove_file(&marker).unwrap();
    for line in [
        format!("x='!!touch {}'; exec $x", marker.display()),
        format!("x=\"exec !!touch {}\"; $x", marker.display()),
    ] {
        let run = t.output(t.pola_sh_command(&line));
        assert!(!run.ok() && !marker.exists(), "{line}: {run}");
    }
    t.write("globbed/!!touch", "");
    let run = t.output(t.pola_sh_command(&format!("cd globbed && exec * {}", marker.display())));
    assert!(!run.ok() && !marker.exists(), "{run}");
    // A program that is not there does not end an interactive shell.
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("exec no-such-program-xyz\r"),
        Expect("exec: no-such-program-xyz: command not found"),
        Send("echo still-$((6 * 7))\r"),
        Expect("still-42"),
        // `exec pola-sh` starts one in a jail, which says so.
        Send(&format!(
            "exec {} --norc\r",
            pola_tests::pola_sh().display()
        )),
        Expect("this shell runs inside a jail"),
        Send("exit\r"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

/// Opens its terminal again by the name `ttyname` gives (as `su -`, `ssh` or `script`
/// do), writes to it and reads a line from it; says which device it is on.
const REOPEN_THE_TERMINAL: &str = r#"
import os
name = os.ttyname(0)
fd = os.open(name, os.O_RDWR)
os.write(fd, f"reopened {name} exists={os.path.exists(name)}\n".encode())
os.write(fd, b"say? ")
line = os.read(fd, 100).decode().strip()
os.write(fd, f"read-by-name={line}\n".encode())
print(f"jail-dev={os.fstat(0).st_dev}:{os.fstat(fd).st_dev}", flush=True)
"#;

// Naming `/dev/pts` names the jail's own devpts, as naming `/proc` names its own
// `/proc`: granting the host's there would show the host's terminals and leave the jail
// without its own (the command failed: "make the jail's terminal: EACCES"). Through a
// link of the user's (`pts -> /dev/pts`) it is refused, as a link into `/proc` is.
both!(naming_dev_pts_names_the_jails_own, |t: &T| {
    std::os::unix::fs::symlink("/dev/pts", t.path("pts")).unwrap();
    let run = t.interactive(&[
        Expect(prompt(t)),
        // Unconfined, the host's devpts.
        Send("!!stat -c host-pts=%d /dev/pts"),
        Send(ENTER),
        Expect("host-pts="),
        Pause(0.5),
        Send("stat -c jail-pts=%d /dev/pts; ls /dev/pts; tty"),
        Send(ENTER),
        Expect("jail-pts="),
        Pause(0.8),
        Send("!!ls -d pts/ptmx; ls pts/"),
        Send(ENTER),
        Expect("is in the host's /dev/pts, which cannot be granted"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("make the jail's terminal"), "{run}");
    assert!(run.stdout.contains("pts/ptmx"), "{run}");
    // The last one: the line typed holds the key too.
    let field = |key: &str| -> String {
        let at = run.stdout.rfind(key).unwrap() + key.len();
        run.stdout[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    let (host, jail) = (field("host-pts="), field("jail-pts="));
    assert!(!host.is_empty() && !jail.is_empty(), "{run}");
    assert_ne!(host, jail, "{run}");
    assert!(run.stdout.contains("/dev/pts/0"), "{run}");
});

both!(the_jails_terminal_has_a_name_in_the_jail, |t: &T| {
    t.write("reopen.py", REOPEN_THE_TERMINAL);
    let run = t.interactive(&[
        Expect(prompt(t)),
        // `tty` names it, and the name exists; /dev/tty opens it.
        Send("sh -c 'n=$(tty) && test -c \"$n\" && echo \"tty=$n\"; echo via-dev-tty >/dev/tty'"),
        Send(ENTER),
        Expect("via-dev-tty"),
        Pause(0.5),
        // Reopened by that name, it is still the one the keys go to.
        Send("/usr/bin/python3 reopen.py"),
        Send(ENTER),
        Expect("say? "),
        Send("by name"),
        Send(ENTER),
        Expect("jail-dev="),
        Pause(0.5),
        // The user's own terminal, from the host.
        Send("!!/usr/bin/python3 -c 'import os; print(f\"host-dev={os.fstat(0).st_dev}\")'"),
        Send(ENTER),
        Expect("host-dev="),
        Pause(0.5),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(run.stdout.contains("tty=/dev/pts/0\n"), "{run}");
    assert!(
        run.stdout.contains("reopened /dev/pts/0 exists=True"),
        "{run}"
    );
    assert!(run.stdout.contains("read-by-name=by name"), "{run}");
    let field = |key: &str| {
        let at = run.stdout.find(key).unwrap() + key.len();
        run.stdout[at..].lines().next().unwrap().to_string()
    };
    // Its own devpts, not the user's terminal: another device.
    let jail = field("jail-dev=");
    let host = field("host-dev=");
    let (first, again) = jail.split_once(':').unwrap();
    assert_eq!(first, again, "{run}");
    assert_ne!(first, host, "the jail has the user's terminal:\n{run}");
});

// Many jailed commands in a row at the prompt (each with its own terminal, relayed,
// and observed for hints), after a jailed command substitution, all run: none waits
// on another part of the launch (a jail made ahead once waited for ever here).
// The terminal closed (its window) while a command ran: the command is on a terminal
// of its own, so the hang-up reached only its supervisor, and the command (an unsaved
// vim) and the shell ran on for good (new-user trial). Now both end.
both!(
    a_closed_terminal_ends_the_running_command_and_the_shell,
    |t: &T| closed_terminal_ends(t, "sleep {tag}")
);

// The same while the shell waits for a job in the background (`sleep 300 & wait`):
// the shell's `wait` went on (and it and its jobs with it) until the job ended
// (new-user trial).
both!(
    a_closed_terminal_ends_a_shell_waiting_for_its_jobs,
    |t: &T| closed_terminal_ends(t, "sleep {tag} & wait")
);

// A job the user keeps going past the shell (`nohup cmd > log &`) does not keep the
// terminal open once the shell left: the job's copy of the shell, waiting for its jail,
// held it, and an ssh session did not close until the job ended (new-user trial). The
// job goes on.
both!(
    a_job_kept_going_lets_go_of_the_terminal_when_the_shell_leaves,
    |t: &T| {
        let tag = format!("{}", 5000 + std::process::id() % 1000);
        let driver = format!(
            r#"
import os, pty, sys, time, select, subprocess
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], ["pola-sh"])
def read(t):
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                if not os.read(fd, 4096): return True
            except OSError: return True
    return False
read(1.5)
os.write(fd, b"nohup sleep {tag} > /dev/null 2>&1 &\r")
read(1.0)
os.write(fd, b"exit\r")
read(0.5)
os.write(fd, b"exit\r")
closed = read(5.0)
alive = subprocess.run(["pgrep", "-fx", "sleep {tag}"], capture_output=True).returncode == 0
subprocess.run(["pkill", "-fx", "sleep {tag}"])
print("closed" if closed else "open", "alive" if alive else "gone")
"#
        );
        let run = t.plain(&[
            "/usr/bin/python3",
            "-c",
            &driver,
            pola_tests::pola_sh().to_str().unwrap(),
        ]);
        assert_eq!(run.stdout, "closed alive\n", "{run}");
    }
);

/// Type `line` (`{tag}` in it: a number of this test's) at a pola-sh on a terminal that
/// is then closed: the shell and the `sleep {tag}` it started both end.
fn closed_terminal_ends(t: &T, line: &str) {
    let tag = format!("{}", 4000 + std::process::id() % 1000);
    let line = line.replace("{tag}", &tag);
    let driver = format!(
        r#"
import os, pty, sys, time, subprocess
pid, fd = pty.fork()
if pid == 0:
    # Not the session's leader, as under runuser: the hang-up goes to the leader
    # (which, as runuser, lives on) and to the terminal's foreground job only.
    os.execv("/bin/sh", ["sh", "-c", 'trap "" HUP; "$0"; true', sys.argv[1]])
time.sleep(1.5)
os.write(fd, b"{line}\r")
for _ in range(50):
    time.sleep(0.1)
    if subprocess.run(["pgrep", "-f", "^sleep {tag}$"], capture_output=True).returncode == 0:
        break
else:
    print("never started"); sys.exit(1)
os.close(fd)
for _ in range(100):
    time.sleep(0.1)
    done, _ = os.waitpid(pid, os.WNOHANG)
    left = subprocess.run(["pgrep", "-f", "^sleep {tag}$"], capture_output=True).returncode == 0
    if done and not left:
        print("ended"); sys.exit(0)
print("still running:", done, left)
subprocess.run(["pkill", "-f", "^sleep {tag}$"])
os.kill(pid, 9)
"#
    );
    let run = t.plain(&[
        "/usr/bin/python3",
        "-c",
        &driver,
        pola_tests::pola_sh().to_str().unwrap(),
    ]);
    assert_eq!(run.stdout, "ended\n", "{run}");
}

// Ctrl-C ends `wait` at an interactive shell, with status 130, as in bash (its own
// SIGINT ignored, it waited for the job to end; new-user trial); `kill %1` of a
// stopped job ends it (it stayed stopped: bash lets it go on to get the signal); and
// `jobs` between two `exit`s is allowed, as in bash.
both!(wait_kill_and_exit_behave_as_in_bash_with_jobs, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 30 & wait"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_C),
        Send("echo waited=$?"),
        Send(ENTER),
        Expect("waited=130"),
        Send("kill %1; sleep 31"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_Z),
        Expect("Stopped                 sleep 31"),
        Send("kill %%; sleep 0.5; jobs; echo listed-$((1+1))"),
        Send(ENTER),
        Expect("Terminated              sleep 31"),
        Expect("listed-2"),
        Send("sleep 32"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_Z),
        Expect("Stopped                 sleep 32"),
        Send("exit"),
        Send(ENTER),
        Expect("there are stopped jobs"),
        Send("jobs"),
        Send(ENTER),
        Expect("sleep 32"),
        Send("exit"),
        Send(ENTER),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert_eq!(
        run.stdout.matches("there are stopped jobs").count(),
        1,
        "{run}"
    );
});

// A background job's jail stopped from elsewhere is not the job's end. Its forked
// shell waited with WUNTRACED and took its jail's stop for its own (status 148): as
// `kill -STOP %1` reaches both, the job ended at the next `kill -CONT %1` whenever the
// shell saw the jail's stop before it stopped itself (one run in ten; new-user trial).
// Stopping the jail's supervisor alone shows it every time: the job must run on.
both!(
    a_background_job_whose_jail_is_stopped_from_elsewhere_runs_on,
    |t: &T| {
        let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 33.3 &"),
        Send(ENTER),
        Pause(0.5),
        Send("shim=$(!!pgrep -P $! -x pola-shim); !!kill -TSTP $shim; sleep 0.5; jobs"),
        Send(ENTER),
        Expect("Running                 sleep 33.3"),
        Send("!!kill -CONT $shim; sleep 0.5; jobs; echo listed-$((1+1))"),
        Send(ENTER),
        Expect("listed-2"),
        Send("kill -STOP %1; sleep 0.3; jobs; kill -CONT %1; sleep 0.3; jobs; echo again-$((1+1))"),
        Send(ENTER),
        Expect("again-2"),
        Send("kill %1; wait %1; echo ended=$?"),
        Send(ENTER),
        Expect("ended=143"),
    ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(!run.stdout.contains("Exit 148"), "{run}");
        let listed = run.stdout.split("listed-2").next().unwrap_or_default();
        assert_eq!(
            listed.matches("Running                 sleep 33.3").count(),
            2,
            "{run}"
        );
    }
);

both!(a_loop_of_jailed_commands_finishes, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("for i in $(seq 30); do /usr/bin/true; done; echo DO\"\"NE"),
        Send(ENTER),
        Expect("DONE"),
        Send("for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do /usr/bin/true; done; echo AG\"\"AIN"),
        Send(ENTER),
        Expect("AGAIN"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// SECURITY.md 28: a process substitution left running takes no keys typed to later
// commands. Its list ran in the shell's process group, to which the relay hands the
// keys while the shell waits for `$(...)` (a review's finding): now in a group of its
// own, reading /dev/null.
both!(
    a_process_substitution_left_running_takes_no_keys,
    |t: &T| {
        t.write(
            "thief.py",
            "import os, select, time\n\
         out = open('loot', 'ab', buffering=0)\n\
         end = time.time() + 4\n\
         while time.time() < end:\n\
         \x20   for fd in (0, 2):\n\
         \x20       try:\n\
         \x20           r, _, _ = select.select([fd], [], [], 0.05)\n\
         \x20           if r: out.write(os.read(fd, 100))\n\
         \x20       except OSError:\n\
         \x20           time.sleep(0.05)\n",
        );
        // The thief reads keys when it has the terminal: as the foreground command.
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("/usr/bin/python3 thief.py + => loot"),
            Send(ENTER),
            Pause(1.0),
            Send("typed-to-it\r"),
            Pause(4.0),
            Expect(prompt(t)),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        let loot = std::fs::read(t.path("loot")).unwrap_or_default();
        assert!(
            String::from_utf8_lossy(&loot).contains("typed-to-it"),
            "{loot:?}"
        );
        std::fs::remove_file(t.path("loot")).unwrap();
        // Left running by a command that did not read it, it gets none of what is typed
        // next, not even while the shell hands keys to its own group for `$(...)`.
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("true <(/usr/bin/python3 thief.py + => loot)"),
            Send(ENTER),
            Expect(prompt(t)),
            Send("x=$(head -1)"),
            Send(ENTER),
            Pause(0.5),
            Send("my-secret\r"),
            Send("echo got=$x"),
            Send(ENTER),
            Expect("got=my-secret"),
            Pause(4.0),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        let loot = std::fs::read(t.path("loot")).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&loot).contains("my-secret"),
            "{loot:?}"
        );
        // Nor a background job started inside `$(...)`: no job control there, and it
        // stayed in the shell's group with the terminal as its input, racing the line
        // editor for the next command line (a thief took it, by hand, 1 run in 1). Its
        // input is /dev/null now (POSIX's rule without job control).
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("x=$(sh -c 'readlink /proc/self/fd/0 > fd0' + => fd0 >/dev/null 2>&1 &)"),
            Send(ENTER),
            Pause(1.0),
            Send("tr / _ < fd0"),
            Send(ENTER),
            Expect("_dev_null"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
    }
);

// `HISTFILE`, as bash has it: the file read and written (set in a startup file too),
// none when set empty, and a device never written over (trial 19: it was not looked
// at, and `HISTFILE=/dev/null` did not keep a session out of the history).
both!(histfile_names_the_history, |t: &T| {
    let data = t.path(".data");
    let data_s = data.to_str().unwrap();
    let file = t.write("h", "#V2\necho from-file\n");
    let file_s = file.to_str().unwrap().to_string();
    let steps = |last: &'static str| {
        vec![
            Expect(prompt(t)),
            // (The line itself is in the history: one more.)
            Send("history | grep -c from-file"),
            Send(ENTER),
            Expect(last),
            Pause(0.5),
            Send("echo typed-here"),
            Send(ENTER),
            Expect("typed-here"),
            Pause(0.5),
            Send("exit"),
            Send(ENTER),
        ]
    };
    let env = [("XDG_DATA_HOME", data_s), ("HISTFILE", file_s.as_str())];
    let run = t.on_terminal_env(&pola_tests::pola_sh(), &[], &env, &steps("\n2\n"));
    assert!(run.stdout.starts_with("OK"), "{run}");
    let saved = fs::read_to_string(&file).unwrap();
    assert!(
        saved.contains("echo from-file") && saved.contains("echo typed-here"),
        "{saved}"
    );
    assert!(!data.join("pola-sh/history").exists());
    // Set empty: no history kept.
    let env = [("XDG_DATA_HOME", data_s), ("HISTFILE", "")];
    let run = t.on_terminal_env(&pola_tests::pola_sh(), &[], &env, &steps("\n1\n"));
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!data.join("pola-sh/history").exists());
    // A device: read (nothing), never replaced.
    let env = [("XDG_DATA_HOME", data_s), ("HISTFILE", "/dev/null")];
    let run = t.on_terminal_env(&pola_tests::pola_sh(), &[], &env, &steps("\n1\n"));
    assert!(run.stdout.starts_with("OK"), "{run}");
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    assert!(!data.join("pola-sh/history").exists());
    // Kept from jails as pola-sh's own history is (review: a jail given the directory
    // could leave a FIFO there, which held the next start, or lines of its own).
    let sh = |script: &str| t.plain(&[pola_tests::pola_sh().to_str().unwrap(), "-c", script]);
    let mine = fs::read_to_string(&file).unwrap();
    let run = sh(&format!(
        "HISTFILE={file_s}; sh -c 'echo evil >> h; rm -f h; mkfifo h' + => ."
    ));
    assert!(!run.ok(), "{run}");
    assert_eq!(fs::read_to_string(&file).unwrap(), mine);
    // A file HISTFILE does not name, the same grant changes (what the protection stops).
    let copy = t.write("h2", &mine);
    sh("sh -c 'echo evil >> h2' + => .").success();
    assert_ne!(fs::read_to_string(&copy).unwrap(), mine);
    // A FIFO or another shell's history there: the shell starts, and leaves it as it is.
    fs::remove_file(&copy).unwrap();
    nix::unistd::mkfifo(&copy, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    t.own(&copy);
    let env = [
        ("XDG_DATA_HOME", data_s),
        ("HISTFILE", copy.to_str().unwrap()),
    ];
    let run = t.on_terminal_env(&pola_tests::pola_sh(), &[], &env, &steps("\n1\n"));
    assert!(run.stdout.starts_with("OK"), "{run}");
    fs::remove_file(&copy).unwrap();
    let bash = t.write("bash_history", "ls -l\necho a\\b\n");
    let env = [
        ("XDG_DATA_HOME", data_s),
        ("HISTFILE", bash.to_str().unwrap()),
    ];
    let run = t.on_terminal_env(&pola_tests::pola_sh(), &[], &env, &steps("\n1\n"));
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert_eq!(fs::read_to_string(&bash).unwrap(), "ls -l\necho a\\b\n");
    // Unset: pola-sh's own.
    let env = [("XDG_DATA_HOME", data_s)];
    let run = t.on_terminal_env(&pola_tests::pola_sh(), &[], &env, &steps("\n1\n"));
    assert!(run.stdout.starts_with("OK"), "{run}");
    let saved = fs::read_to_string(data.join("pola-sh/history")).unwrap();
    assert!(saved.contains("echo typed-here"), "{saved}");
});

// A history line holding control characters is left out when the history is read: one
// a jail wrote (`echo safe<ESC>[2K<ESC>[1G!!curl … | sh`) would be drawn, recalled, as
// a harmless command (review). The same line without them is read.
both!(
    history_lines_with_control_characters_are_not_recalled,
    |t: &T| {
        let data = t.path(".data");
        for (line, count) in [
            ("echo plain-evil-line", "\n2\n"),
            ("echo \u{1b}[2K\u{1b}[1Gevil-line", "\n1\n"),
        ] {
            let file = t.write("h", &format!("#V2\necho safe\n{line}\n"));
            let env = [
                ("XDG_DATA_HOME", data.to_str().unwrap()),
                ("HISTFILE", file.to_str().unwrap()),
            ];
            let steps = [
                Expect(prompt(t)),
                Send("history | grep -c evil-line"),
                Send(ENTER),
                Expect(count),
            ];
            let run = t.on_terminal_env(&pola_tests::pola_sh(), &[], &env, &steps);
            assert!(run.stdout.starts_with("OK"), "{line}: {run}");
        }
    }
);

// Closing the terminal (a hang-up) saves the history whole, as bash does; it used to
// be written in place as the shell was killed: emptied, or only the last session's.
both!(a_hang_up_keeps_the_history, |t: &T| {
    let data = t.path(".data");
    std::fs::create_dir_all(data.join("pola-sh")).unwrap();
    let old: String = (0..300).map(|i| format!("echo old-{i}\n")).collect();
    std::fs::write(data.join("pola-sh/history"), &old).unwrap();
    t.own(&data);
    t.own(&data.join("pola-sh"));
    t.own(&data.join("pola-sh/history"));
    let driver = r#"
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], ["pola-sh", "-i", "--norc"])
def read(secs):
    out, end = b"", time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try: out += os.read(fd, 4096)
            except OSError: break
    return out
read(1.5)
os.write(fd, b"echo new-one\r"); read(1.0)
os.write(fd, sys.argv[2].encode() + b"\r"); read(1.0)
start = time.time()
os.close(fd)
while time.time() < start + 20:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        print("exited", os.waitstatus_to_exitcode(status), "after", round(time.time() - start))
        sys.exit(0)
    time.sleep(0.1)
os.killpg(pid, 9)
print("still running after 20 s")
"#;
    // And with pola-sh itself in the foreground (jailed: the terminal it reads, its
    // jail's, stays open; it went on reading it, and both shells stayed).
    let nested = format!("{} --norc", pola_tests::pola_sh().display());
    for (running, check) in [
        ("true", "new-one"),
        ("sleep 30", "sleep 30"),
        (nested.as_str(), "--norc"),
    ] {
        let mut cmd = t.command(
            "python3",
            &[
                "-c",
                driver,
                pola_tests::pola_sh().to_str().unwrap(),
                running,
            ],
        );
        cmd.env("XDG_DATA_HOME", &data).env("TERM", "xterm");
        let run = t.output(cmd);
        // Also with a job in the foreground, which the hang-up reaches too.
        assert!(run.stdout.starts_with("exited 129 after "), "{run}");
        let secs: u64 = run
            .stdout
            .trim()
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(secs < 10, "{run}");
        let saved = std::fs::read_to_string(data.join("pola-sh/history")).unwrap();
        assert!(
            saved.contains(check) && saved.contains("echo old-299"),
            "{saved}"
        );
        assert!(saved.lines().count() >= 300, "{saved}");
    }
});

// Output that does not end its line stays on the screen: the prompt used to start by
// clearing the line it was on. As zsh: a marked `%` and spaces to the last column,
// which wrap after text (the prompt then starts a line of its own) and are covered by
// the prompt at the start of a line.
both!(
    output_without_a_final_newline_stays_on_the_screen,
    |t: &T| {
        let run = t.interactive(&[
            Resize(24, 80),
            Expect(prompt(t)),
            Send("printf unfinished"),
            Send(ENTER),
            Raw("unfinished\x1b[7m%\x1b[27m "),
            Expect(prompt(t)),
            // And the window's size, as bash's checkwinsize sets it.
            Send("echo size=${LINES}x$COLUMNS"),
            Send(ENTER),
            Expect("size=24x80"),
            // After Ctrl-C, which the terminal echoes as `^C` without a newline, the
            // prompt starts on the next line (it showed `^C%`), as bash's does.
            Expect(prompt(t)),
            Send("sleep 10"),
            Send(ENTER),
            Pause(0.5),
            Send(CTRL_C),
            Raw("^C\r\n\x1b[7m%"),
            Expect(prompt(t)),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
    }
);

// As bash: `exit` with a stopped job (an editor's unsaved work) says so, and leaves at
// the next `exit`.
both!(exit_with_a_stopped_job_asks_again, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("sleep 30"),
        Send(ENTER),
        Pause(1.0),
        Send(CTRL_Z),
        Expect("Stopped"),
        Send("exit"),
        Send(ENTER),
        Expect("there are stopped jobs"),
        Send("echo still-here"),
        Send(ENTER),
        Expect("still-here\n"),
        Send("exit"),
        Send(ENTER),
        Count("there are stopped jobs", 2),
        Send("exit"),
        Send(ENTER),
        Pause(1.0),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// A running job's terminal is relayed by the shell and closes as it leaves: `exit`
// says so first (bash's job would go on), and `nohup` keeps a command going.
both!(
    exit_with_a_running_job_asks_again_and_nohup_keeps_one_going,
    |t: &T| {
        let n = std::process::id() % 1000;
        let (plain, kept) = (format!("61.{n}"), format!("62.{n}"));
        let running = |tag: &str| {
            std::process::Command::new("pgrep")
                .args(["-f", &format!("^sleep {tag}$")])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        let first = format!("sleep {plain} &");
        let second = format!("nohup sleep {kept} >/dev/null 2>&1 &");
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send(&first),
            Send(ENTER),
            Expect("[1]"),
            Send(&second),
            Send(ENTER),
            Expect("[2]"),
            Send("exit"),
            Send(ENTER),
            Expect("there are running jobs (exit again to leave"),
            Send("echo still-here"),
            Send(ENTER),
            Expect("still-here\n"),
            Send("exit"),
            Send(ENTER),
            Count("there are running jobs", 2),
            Send("exit"),
            Send(ENTER),
            Pause(1.5),
        ]);
        // The driver's pause ends with the terminal, as the shell leaves: its jobs are
        // looked at for a while (nohup's `sleep` may not have started yet), then again
        // once they settled.
        let kept_running = (0..40).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            running(&kept)
        }) && {
            std::thread::sleep(std::time::Duration::from_millis(500));
            running(&kept)
        };
        for tag in [&plain, &kept] {
            let _ = std::process::Command::new("pkill")
                .args(["-f", &format!("^sleep {tag}$")])
                .status();
        }
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(kept_running, "nohup's command ended with the shell: {run}");
    }
);

// `nohup CMD` at a terminal writes the command's output to ./nohup.out: in the jail it
// fell back to the private home's, and the job's output was discarded (new-user
// trial). The shipped profile gives nohup that one name, for the system's nohup only.
both!(nohup_at_a_terminal_keeps_its_output, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("nohup echo from-nohup"),
        Send(ENTER),
        Expect("appending output to 'nohup.out'"),
        Expect(prompt(t)),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    let kept = std::fs::read_to_string(t.path("nohup.out")).unwrap_or_default();
    assert_eq!(kept, "from-nohup\n", "{run}");
    // A program a jail made carrying its name gets nothing of it.
    t.plain(&[
        pola_tests::pola_sh().to_str().unwrap(),
        "-c",
        "mkdir => jw && cp /usr/bin/nohup => jw/nohup",
    ])
    .success();
    let explain = |program: &str| {
        let run = t.jail(&["--explain"], &[program, "true"]);
        run.stdout.contains("nohup.out")
    };
    assert!(explain("/usr/bin/nohup"));
    assert!(!explain("./jw/nohup"));
});

both!(tab_completes_variables, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("myvar_abc=completed"),
        Send(ENTER),
        Send("echo $myv"),
        Send("\t"),
        Send(" \"${myv"),
        Send("\t"),
        Send("\""),
        Send(ENTER),
        Expect("completed completed\n"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// Keys sent at once (`tmux send-keys 'cat' Enter 'line' Enter`, an expect script):
// the line editor read them all and kept what came after the first Enter for its own
// next line, so `cat` never got its input and the shell ran it later as a command
// ("line: command not found"). The command gets them now, as from bash — and shown
// once, as bash shows them: they came while the line editor had echo off, and the
// jail's terminal echoed them again (`cat` printed its line twice, python's prompt
// showed `print(6*7)` twice).
both!(
    keys_sent_with_the_command_line_reach_the_command,
    |t: &T| {
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("cat\rtyped-for-cat\r"),
            Count("typed-for-cat", 1),
            Pause(0.3),
            // Typed while cat still runs: the lines after the first (which the prompt
            // runs) are for `head`, as on a terminal (they waited in the shell for the
            // next prompt, and head for them).
            Send("\x04head -1\rfor-head\recho after\r"),
            Expect("after"),
            Send("echo done"),
            Send(ENTER),
            Expect("done"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(!run.stdout.contains("command not found"), "{run}");
        assert_eq!(run.stdout.matches("typed-for-cat").count(), 1, "{run}");
        // Echoed as typed (cat's terminal), and head's line.
        assert_eq!(run.stdout.matches("for-head").count(), 2, "{run}");
    }
);

// After `su` or `runuser` from root's terminal, the user may not open the terminal
// again: the relay could not start ("cannot relay the terminal (Permission denied)")
// and jails shared the terminal. It takes a copy of a standard descriptor then.
both!(
    the_terminal_is_relayed_on_a_terminal_the_user_may_not_open,
    |t: &T| {
        let run = t.interactive_on_roots_terminal(&[
            Expect(prompt(t)),
            Send("tty; echo done"),
            Send(ENTER),
            Expect("done"),
            Send("cat"),
            Send(ENTER),
            Pause(0.3),
            Send("typed-to-cat\r"),
            Count("typed-to-cat", 2),
            Send("\x04"),
            Expect(prompt(t)),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(!run.stdout.contains("cannot relay"), "{run}");
    }
);

// `stty -echo; read pw; stty echo`: the echo a jail's stty turns off holds for the
// shell's own `read`, as on a terminal (the password was shown: stty changed only its
// jail's terminal). Not for other commands: a job's modes are undone (SECURITY.md 29).
both!(a_jails_stty_echo_holds_for_the_shells_read, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("stty -echo"),
        Send(ENTER),
        Expect(prompt(t)),
        // (Typed before the prompt is drawn, the line's Enter was once lost: below.)
        Pause(0.5),
        Send("read -r pw"),
        Send(ENTER),
        Pause(0.5),
        Send("hidden-pw\r"),
        Pause(0.5),
        Send("cat"),
        Send(ENTER),
        Pause(0.5),
        Send("cat-echoes\r"),
        Count("cat-echoes", 2),
        Send("\x04"),
        Expect(prompt(t)),
        Send("stty echo; echo len=${#pw}"),
        Send(ENTER),
        Expect("len=9"),
        Send("read -r seen"),
        Send(ENTER),
        Pause(0.5),
        Send("shown-again\r"),
        Expect("shown-again"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("hidden-pw"), "{run}");
});

// What the server says of a jail's end was written with `\n` while the terminal was
// still raw for the job: the next output began at the old column (new-user trial).
both!(
    a_note_on_a_jails_end_ends_its_line_on_a_raw_terminal,
    |t: &T| {
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("sh -c 'touch zz1 zz2' => zz1; echo $((40+2))"),
            Send(ENTER),
            // As sent: `\r\n`, where a raw terminal needs it.
            Raw("(a write grant keeps a file: + => NAME)\r\n"),
            Expect("42"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
    }
);

// `set -o vi` was accepted and the keys stayed emacs's (new-user trial).
both!(set_o_vi_gives_vi_keys, |t: &T| {
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("set -o vi"),
        Send(ENTER),
        Pause(0.3),
        // In command mode, `0` goes to the start of the line and `i` inserts there.
        Send("cho $((6*7))"),
        Send("\x1b"),
        Pause(0.2),
        Send("0ie"),
        Send(ENTER),
        Expect("42"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// Ctrl-C at the editor's question was only echoed; the question waited on (new-user
// trial). It leaves the command, as at a prompt.
both!(ctrl_c_at_the_editor_question_leaves_the_command, |t: &T| {
    t.write("e.txt", "line1\n");
    t.own(&t.path("e.txt"));
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send("vim -Nu NONE e.txt"),
        Send(ENTER),
        Expect("[Y/n]"),
        Send(CTRL_C),
        Pause(0.5),
        Send("echo status=$?"),
        Send(ENTER),
        Expect("status=130"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert_eq!(std::fs::read_to_string(t.path("e.txt")).unwrap(), "line1\n");
});

// Lines typed ahead of an editor's question are not its answer, and not lost: they run
// after it, as they would at a terminal (trial 18: `vim -es …` then two lines pasted
// with it, taken as answers and dropped).
both!(
    lines_typed_ahead_of_the_editors_question_run_after_it,
    |t: &T| {
        t.write("e.txt", "a\n");
        t.own(&t.path("e.txt"));
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("vim -Nu NONE -es -c 's/a/b/' -c wq e.txt\recho ahead-1\recho ahead-2\r"),
            Expect("Give it to write (vim => e.txt)? [Y/n]"),
            Pause(0.3),
            Send("y\r"),
            Expect("echo ahead-1"),
            Expect("echo ahead-2"),
            Pause(0.5),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(!run.stdout.contains("answer y or n"), "{run}");
        assert!(run.stdout.matches("ahead-2").count() >= 2, "{run}");
        assert_eq!(std::fs::read_to_string(t.path("e.txt")).unwrap(), "b\n");
    }
);

// `vim notes.txt` without `=>` gave vim the file read-only: it said `[readonly]` (a new
// name, `[New]`), and `:wq` failed with the edits lost (new-user trial). An
// interactive shell asks before an editor starts whether to give it the files its line
// names to write; Enter says yes. Not asked when the editor is to only show the file
// (`vim -R`); answered no, the file stays read-only and the hint says how to edit it.
both!(
    an_editor_is_asked_for_before_it_gets_a_file_read_only,
    |t: &T| {
        t.write("e.txt", "line1\n");
        t.own(&t.path("e.txt"));
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("vim -Nu NONE e.txt new.txt"),
            Send(ENTER),
            Expect("vim would get e.txt to read only, and could not create new.txt. Give it to write (vim => e.txt => new.txt)? [Y/n]"),
            Send(ENTER),
            Pause(1.0),
            Send("Goadded\x1b:wn\r"),
            Pause(0.5),
            Send("inew\x1b:wq\r"),
            Pause(0.5),
            Send("echo status=$?"),
            Send(ENTER),
            Expect("status=0"),
            Send("vim -Nu NONE -R e.txt"),
            Send(ENTER),
            Pause(1.0),
            Send(":q\r"),
            Pause(0.5),
            Send("vim -Nu NONE e.txt"),
            Send(ENTER),
            Count("[Y/n]", 2),
            // Text that is neither yes nor no is asked about again (it was a silent
            // no; new-user trial).
            Send("xyz\r"),
            Expect("(y or n, then Enter) pola-sh: vim would get e.txt to read only"),
            Send("n\r"),
            Pause(1.0),
            Send("Goagain\x1b:wq\r"),
            Pause(0.5),
            Send(":q!\r"),
            // As answered, not as a save that failed: whether it tried is not seen
            // (trial 20 was told "so it could not save it" after `:q`).
            Expect("vim had e.txt read-only, as answered — to edit it, try: vim => e.txt"),
            // A `vim` a jail left first on PATH (a venv's bin) is not offered the file
            // (review: Enter gave it to write).
            Send("mkdir => bin && printf '#!/bin/sh\\necho planted >> \"$1\"\\n' | tee => bin/vim > /dev/null && chmod +x => bin/vim"),
            Send(ENTER),
            Pause(0.5),
            Send("PATH=$PWD/bin:$PATH vim e.txt; echo planted-status=$?"),
            Send(ENTER),
            Expect("planted-status="),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert_eq!(run.stdout.matches("[Y/n]").count(), 3, "{run}");
        assert_eq!(
            std::fs::read_to_string(t.path("e.txt")).unwrap(),
            "line1\nadded\n"
        );
        assert_eq!(std::fs::read_to_string(t.path("new.txt")).unwrap(), "new\n");
    }
);

// `exec > log` at the prompt sent the prompt, the echo of what was typed and every
// redraw into the log (trial 9): the line editor draws on the terminal itself, and the
// log gets the commands' output alone, as in bash.
both!(
    exec_to_a_log_at_the_prompt_logs_the_output_alone,
    |t: &T| {
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("exec > out.log"),
            Send(ENTER),
            Expect(prompt(t)),
            Send("echo one; /usr/bin/echo two"),
            Send(ENTER),
            Expect(prompt(t)),
            Send("exec > /dev/tty; echo back-$((1+1))"),
            Send(ENTER),
            Expect("back-2"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert_eq!(
            std::fs::read_to_string(t.path("out.log")).unwrap(),
            "one\ntwo\n"
        );
    }
);

// A question on the terminal (here the editor's) is not written over by a job's
// output: a background job's `\r\e[2K` erased it and put its own text in its place
// (review, SECURITY.md 30). What the job writes waits for the answer.
both!(a_question_is_not_written_over_by_a_jobs_output, |t: &T| {
    t.write("e.txt", "line1\n");
    t.own(&t.path("e.txt"));
    let run = t.interactive(&[
        Expect(prompt(t)),
        // (Spelled so that the line typed does not hold the word.)
        Send("(sleep 1; /usr/bin/printf '\\r\\033[2K\\117VERWRITE\\n') &"),
        Send(ENTER),
        Pause(0.3),
        Send("vim -Nu NONE e.txt"),
        Send(ENTER),
        Expect("[Y/n]"),
        Pause(2.0),
        Send("n\r"),
        Pause(1.0),
        Send(":q\r"),
        Expect("OVERWRITE"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    // Right after the question, the answer; the job's line after it.
    let asked = run.stdout.find("[Y/n]").unwrap() + "[Y/n]".len();
    assert!(run.stdout[asked..].trim_start().starts_with('n'), "{run}");
    assert!(run.stdout[asked..].contains("OVERWRITE"), "{run}");
});

// `:w other.txt` in `vim => e.txt` wrote a file it was not given: it was discarded at
// vim's end, the text lost (trial 8). An editor the user runs at the prompt is asked
// about at its end: yes keeps the file, Enter discards it as before. Not asked for a
// program that is no editor, nor for a name that is taken meanwhile. Three answers
// that are neither yes nor no at the editor's own question do not run it (it ran
// without the files, in silence).
both!(
    a_file_an_editor_saves_at_a_name_not_given_is_kept_when_the_user_says_so,
    |t: &T| {
        t.write("e.txt", "line1\n");
        t.own(&t.path("e.txt"));
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("vim -Nu NONE => e.txt"),
            Send(ENTER),
            Pause(1.0),
            Send(":w other.txt\r"),
            Pause(0.3),
            Send(":w third.txt\r"),
            Pause(0.3),
            Send(":q\r"),
            Expect("pola-sh: vim saved other.txt, which it was not given to write: keep it? [y/N]"),
            Send("y\r"),
            Expect("pola-sh: vim saved third.txt, which it was not given to write: keep it? [y/N]"),
            Send("\r"),
            Expect("pola-sh: vim: kept other.txt"),
            Expect("discarded: third.txt"),
            Send("sh -c 'echo x > made.txt' + => e.txt; echo made-status=$?"),
            Send(ENTER),
            Expect("made-status=0"),
            Send("vim -Nu NONE e.txt"),
            Send(ENTER),
            Expect("[Y/n]"),
            Send("a\r"),
            Expect("(y or n, then Enter)"),
            Send("b\r"),
            Count("(y or n, then Enter)", 2),
            Send("c\r"),
            Expect("pola-sh: vim: not run: answer y or n"),
            Send("echo status=$?"),
            Send(ENTER),
            Expect("status=1"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(
            !run.stdout.contains("made.txt, which it was not given"),
            "{run}"
        );
        // Declined, it is said discarded, without advice on how to keep it.
        assert!(!run.stdout.contains("third.txt (a write grant"), "{run}");
        assert_eq!(
            std::fs::read_to_string(t.path("other.txt")).unwrap(),
            "line1\n"
        );
        assert!(!t.path("third.txt").exists() && !t.path("made.txt").exists());
    }
);

// The rc edited with the user's editor at its question (`vim => rc`) ran as text a
// command made at every start, its aliases refused, until `!!.` (which ran it all again
// at once; new-user trial). Once the editor has ended the shell shows what changed and
// asks whether that text is the user's: yes takes it as `!!.` would, without running it;
// Enter leaves it as a jail's. What the editor wrote beyond the user's typing (a
// `~/.vimrc` a jail wrote could add a line on save: review) is among the changes shown.
// Text a command made is never asked about (review: `eval` of a tool's `vim … rc`).
both!(
    an_rc_saved_by_the_users_editor_is_theirs_when_they_say_so,
    |t: &T| {
        t.write(".config/pola-sh/rc", "alias hi='echo HI-rc'\n");
        let rc = t.path(".config/pola-sh/rc");
        let edit = |vim: &'static str,
                    answer: &'static str,
                    line: &'static str,
                    shown: &[&'static str]| {
            let mut steps = vec![
                Expect(prompt(t)),
                Send(vim),
                Send(ENTER),
                Expect("[Y/n]"),
                Send(ENTER),
                Pause(1.0),
                Send(line),
                Expect("which runs with your authority when pola-sh starts; what changed:"),
            ];
            steps.extend(shown.iter().map(|s| Expect(s)));
            steps.extend([
                Expect("Is its text yours (as !!. would take it, without running it now)? [y/N]"),
                Send(answer),
                Send("echo asked-$((1+1))"),
                Send(ENTER),
                Expect("asked-2"),
            ]);
            t.interactive(&steps)
        };
        let start = || {
            t.interactive(&[
                Expect(prompt(t)),
                Send("hi; ho; echo started-$((1+1))"),
                Send(ENTER),
                Expect("started-2"),
            ])
        };
        let vim = "vim -Nu NONE \"$XDG_CONFIG_HOME/pola-sh/rc\"";
        // Enter: not the user's; the next start runs it as such text and says so.
        let run = edit(
            vim,
            "\r",
            "Goalias ho='echo HO-rc'\x1b:wq\r",
            &["  + alias ho='echo HO-rc'"],
        );
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(
            run.stdout
                .contains("not taken as yours: the next start runs it as text a command made"),
            "{run}"
        );
        let run = start();
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(
            run.stdout.contains("a jail was given this file to write"),
            "{run}"
        );
        assert!(!run.stdout.contains("HI-rc"), "{run}");
        // Yes: the next start runs it as the user's, without a word. What the user
        // did not say was theirs (the last edit's line) is shown again: every line of
        // a text not theirs (new-user trial: only this edit's line was shown, and "y"
        // vouched for the last edit's unseen).
        let run = edit(
            vim,
            "y\r",
            "Go# mine\x1b:wq\r",
            &[
                "  + alias hi='echo HI-rc'",
                "  + alias ho='echo HO-rc'",
                "  + # mine",
            ],
        );
        assert!(run.stdout.starts_with("OK"), "{run}");
        let run = start();
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(
            run.stdout.contains("HI-rc") && run.stdout.contains("HO-rc"),
            "{run}"
        );
        assert!(!run.stdout.contains("a jail was given"), "{run}");
        // An editor that writes a line the user did not type: shown, and refused.
        let adds = "vim -Nu NONE -c 'autocmd BufWritePre * call append(line(\"$\"), \"!!touch planted\")' \"$XDG_CONFIG_HOME/pola-sh/rc\"";
        let run = edit(adds, "\r", "Go# again\x1b:wq\r", &["  + !!touch planted"]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(fs::read_to_string(&rc).unwrap().contains("!!touch planted"));
        let run = start();
        assert!(
            run.stdout.contains("a jail was given this file to write"),
            "{run}"
        );
        assert!(
            !t.path("planted").exists() && !t.path(".config/planted").exists(),
            "{run}"
        );
        // A new rc made with `=>` (the way to make one): the same question once saved.
        fs::remove_file(&rc).unwrap();
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("vim -Nu NONE => \"$XDG_CONFIG_HOME/pola-sh/rc\""),
            Send(ENTER),
            Pause(1.0),
            Send("ialias hn='echo HN-rc'\x1b:wq\r"),
            Expect("what changed:"),
            Expect("  + alias hn='echo HN-rc'"),
            Expect("[y/N]"),
            Send("y\r"),
            Send("echo made-new-$((1+1))"),
            Send(ENTER),
            Expect("made-new-2"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("hn; echo started-$((1+1))"),
            Send(ENTER),
            Expect("started-2"),
        ]);
        assert!(
            run.stdout.contains("HN-rc") && !run.stdout.contains("a jail was given"),
            "{run}"
        );
        // A command line that text a command made holds: no question, the file read-only.
        t.write(
            "payload",
            "vim -Nu NONE -es -c 'normal Go!!touch made' -c 'wq' -c 'qa!' \"$XDG_CONFIG_HOME/pola-sh/rc\"\n",
        );
        let before = fs::read_to_string(&rc).unwrap();
        let run = t.interactive(&[
            Expect(prompt(t)),
            Send("eval \"$(cat payload)\"; echo made-$((1+1))"),
            Send(ENTER),
            Expect("made-2"),
        ]);
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(
            !run.stdout.contains("[Y/n]") && !run.stdout.contains("[y/N]"),
            "{run}"
        );
        assert_eq!(fs::read_to_string(&rc).unwrap(), before);
    }
);

// The relay copies a jail's output, whose line ends its own terminal made, to the
// user's terminal: while that is not raw (a quick command's output copied before or
// after its job had the keys, a background job's at the prompt) it must not make them
// again: `a\r\r\n` came out for one interactive command in four (new-user trial).
both!(output_line_ends_are_not_doubled, |t: &T| {
    let mut steps = vec![Expect(prompt(t))];
    for _ in 0..20 {
        steps.push(Send("/usr/bin/printf 'one\\ntwo\\n'"));
        steps.push(Send(ENTER));
        steps.push(Pause(0.15));
    }
    steps.push(Send("(sleep 0.2; /usr/bin/printf 'bg%s\\n' 1 2) &"));
    steps.push(Send(ENTER));
    steps.push(Expect("bg2"));
    steps.push(Send("echo done-$((20+1))"));
    steps.push(Send(ENTER));
    steps.push(Expect("done-21"));
    let kept = t.dir().join(".pty-output");
    let kept_path = kept.to_str().expect("a UTF-8 test directory");
    steps.push(Keep(kept_path));
    let run = t.interactive(&steps);
    assert!(run.stdout.starts_with("OK"), "{run}");
    let raw = String::from_utf8_lossy(&std::fs::read(&kept).expect("the output kept")).into_owned();
    assert_eq!(raw.matches("one\r\ntwo\r\n").count(), 20, "{raw:?}");
    assert_eq!(raw.matches("bg1\r\nbg2\r\n").count(), 1, "{raw:?}");
    assert!(!raw.contains("\r\r\n"), "{raw:?}");
});

// What is said of a jail while it runs (a server nothing reaches) is said while its
// job has the terminal, not over the prompt of a job in the background or stopped
// (security review): the job's end says what it lacked.
both!(a_line_said_while_a_job_runs_waits_for_no_prompt, |t: &T| {
    let server = "/usr/bin/python3 -c 'import socket, time; s = socket.socket(); s.bind((\"0.0.0.0\", 8123)); s.listen(); time.sleep(3.5)'";
    let run = t.interactive(&[
        Expect(prompt(t)),
        Send(server),
        Send(ENTER),
        Expect("listens on port 8123"),
        Pause(1.5),
        Send(&format!("{server} &")),
        Send(ENTER),
        Pause(3.0),
        Send("echo after-$((6*7))"),
        Send(ENTER),
        Expect("after-42"),
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert_eq!(
        run.stdout.matches("listens on port 8123").count(),
        1,
        "{run}"
    );
});
