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
