//! pola-sh on a real (pseudo-)terminal: prompt, line editing, history, completion,
//! grant highlighting, Ctrl-C, Ctrl-Z and fg, and full-screen programs in a jail.
//! As root and as an unprivileged user.

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
    ]);
    assert!(run.stdout.starts_with("OK"), "{run}");
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
        Expect("Stopped"),
        Send("jobs"),
        Send(ENTER),
        Expect("Stopped    sleep 30"),
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
        Expect("Running    sleep 30"),
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
    assert!(!run.stdout.contains("Running    sleep 30\nstatus"), "{run}");
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
