//! Ask mode and the powerbox, driven on a real (pseudo-)terminal: the user allows a
//! file once, always, or denies it; a program asks the user to pick a file. And the
//! argument race: a thread flipping the path buffer between the question and the open
//! never gets the command a file the user did not allow. As root and unprivileged.

use pola_tests::{both, pola_run, pola_sh, Key::*, T};

const ENTER: &str = "\r";

fn prompt(t: &T) -> &'static str {
    if t.uid == 0 {
        "# "
    } else {
        "$ "
    }
}

both!(allow_once_gives_the_file_deny_leaves_enoent, |t: &T| {
    t.write("notes.txt", "the notes\n");
    // Quoted, so the command line grants nothing: only the answer can.
    let run = t.on_terminal(
        &pola_sh(),
        &["--ask"],
        &[
            Expect(prompt(t)),
            Send("cat 'notes.txt'; echo status=$?"),
            Send(ENTER),
            Expect("cat wants to read "),
            // It says the answer ends with Enter (it waited, and looked hung; new-user
            // trial).
            Expect("notes.txt — allow [o]nce, [a]lways (this session), [d]eny? (o, a or d, then Enter)"),
            Send("o\r"),
            Expect("the notes"),
            Expect("status=0"),
            // Once means once: the next run asks again, and this time it is denied.
            Send("cat 'notes.txt'; echo status=$?"),
            Send(ENTER),
            Count("cat wants to read", 2),
            Send("d\r"),
            Expect("notes.txt: No such file or directory"),
            Expect("status=1"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
});

// A file the command creates in the working directory (here under /tmp, a directory
// of the host's shown in the jail's private /tmp) is asked about too: `--ask` asked
// nothing, and `touch new.txt` failed with "Read-only file system" (new-user trial).
both!(
    a_file_created_in_the_working_directory_is_asked_about,
    |t: &T| {
        let run = t.on_terminal(
            &pola_sh(),
            &["--ask"],
            &[
                Expect(prompt(t)),
                Send("touch 'made.txt'; echo status=$?"),
                Send(ENTER),
                Expect("touch wants to create "),
                Expect("made.txt — allow [o]nce"),
                Send("o\r"),
                Expect("status=0"),
                Send("touch 'refused.txt'; echo status=$?"),
                Send(ENTER),
                Expect("refused.txt — allow [o]nce"),
                Send("d\r"),
                Expect("status=1"),
                // A file a jail wrote as asked has the jail's text: `.` refuses it, as
                // it does a slot's (it sourced it; security review). Vouched for
                // (`!!.`), the jail's line runs: what `.` keeps from running.
                Send("/usr/bin/python3 -c 'open(\"setup.sh\", \"w\").write(\"echo jail-line-$((6*7))\\n\")'"),
                Send(ENTER),
                Expect("setup.sh — allow [o]nce"),
                Send("o\r"),
                Pause(0.5),
                Send(". ./setup.sh; echo sourced=$?"),
                Send(ENTER),
                Expect("sourced=1"),
                Send("!!. ./setup.sh"),
                Send(ENTER),
                Expect("jail-line-42"),
            ],
        );
        assert!(run.stdout.starts_with("OK"), "{run}");
        assert!(t.path("made.txt").is_file(), "{run}");
        assert!(!t.path("refused.txt").exists(), "{run}");
        assert_eq!(run.stdout.matches("jail-line-42").count(), 1, "{run}");
    }
);

// What the command was given as it asked is not said to be missing: the look at the
// name in the jail's own view, before the question, was seen as the command's, and
// the hint told the user to grant the file just allowed (new-user trial).
both!(a_file_given_as_asked_is_not_hinted_as_missing, |t: &T| {
    t.write("config.ini", "a=1\n");
    let run = t.on_terminal(
        &pola_sh(),
        &["--ask"],
        &[
            Expect(prompt(t)),
            Send("/usr/bin/python3 -c 'print(open(\"config.ini\").read()); raise SystemExit(3)'; echo status=$?"),
            Send(ENTER),
            Expect("config.ini — allow [o]nce"),
            Send("o\r"),
            Expect("a=1"),
            Expect("status=3"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert!(!run.stdout.contains("looked for"), "{run}");
});

// A command line typed after an `o` without Enter was taken as the answer: a silent
// deny, the line lost (new-user trial). Text that is no answer is asked again.
both!(text_that_is_no_answer_is_asked_again, |t: &T| {
    t.write("notes.txt", "the notes\n");
    let run = t.on_terminal(
        &pola_sh(),
        &["--ask"],
        &[
            Expect(prompt(t)),
            Send("cat 'notes.txt'; echo status=$?"),
            Send(ENTER),
            Expect("[d]eny?"),
            Send("ocat sorted.csv; ls\r"),
            Expect("not an answer: ocat sorted.csv; ls — cat wants to read"),
            Expect("(o, a or d, then Enter)"),
            Send("o\r"),
            Expect("the notes"),
            Expect("status=0"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
});

both!(always_is_remembered_for_the_session, |t: &T| {
    t.write("notes.txt", "the notes\n");
    let run = t.on_terminal(
        &pola_sh(),
        &["--ask"],
        &[
            Expect(prompt(t)),
            Send("cat 'notes.txt'"),
            Send(ENTER),
            Expect("cat wants to read"),
            Send("a\r"),
            Expect("the notes"),
            Pause(0.5),
            // A later command of the same session gets it without a question.
            Send("cat 'notes.txt' 'notes.txt' | wc -l; echo done-$?"),
            Send(ENTER),
            Expect("done-0"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert_eq!(run.stdout.matches("wants to read").count(), 1, "{run}");
    assert!(run.stdout.contains("\n2\n"), "{run}");
});

/// Opens the path in a buffer that a second thread keeps rewriting between two paths
/// of equal length; counts what it read.
const RACE: &str = r#"
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[4096];
static const char *a, *b;
static volatile int stop;

static volatile int started;

/* Rewrite the bytes where the two paths differ (one, for paths of equal length that
   differ in one letter): every state of the buffer is one path or the other. */
static void put(const char *s) {
    volatile char *v = buf;
    for (size_t i = 0; s[i]; i++)
        if (a[i] != b[i])
            v[i] = s[i];
    for (volatile int spin = 0; spin < 50; spin++)
        ;
}

static void *flip(void *arg) {
    (void)arg;
    started = 1;
    while (!stop) {
        put(a);
        put(b);
    }
    return NULL;
}

int main(int argc, char **argv) {
    a = argv[1];
    b = argv[2];
    int rounds = atoi(argv[3]);
    memcpy(buf, a, strlen(a) + 1);
    pthread_t t;
    pthread_create(&t, NULL, flip, NULL);
    while (!started)
        ;
    int first = 0, secret = 0, failed = 0;
    /* Until both files were read (the attack worked), or `rounds` opens. */
    for (int i = 0; i < rounds && !(first && secret); i++) {
        int fd = open(buf, O_RDONLY);
        if (fd < 0) {
            failed++;
            continue;
        }
        char data[64] = {0};
        read(fd, data, sizeof data - 1);
        close(fd);
        if (strstr(data, "SECRET"))
            secret++;
        else
            first++;
    }
    stop = 1;
    pthread_join(t, NULL);
    printf("race-done first=%d secret=%d failed=%d\n", first, secret, failed);
    return 0;
}
"#;

fn race_program(t: &T) -> String {
    let src = t.write("race.c", RACE);
    let exe = t.path("race");
    let st = std::process::Command::new("gcc")
        .args(["-O1", "-pthread", "-o"])
        .arg(&exe)
        .arg(&src)
        .status()
        .expect("gcc");
    assert!(st.success());
    t.own(&exe);
    exe.display().to_string()
}

fn count(out: &str, key: &str) -> usize {
    let at = out
        .rfind("race-done")
        .unwrap_or_else(|| panic!("no result in:\n{out}"));
    out[at..]
        .split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{key}=")))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {key}= in:\n{out}"))
}

both!(argument_race_never_yields_the_secret, |t: &T| {
    let exe = race_program(t);
    let granted = t.write("file-g.txt", "granted\n");
    let public = t.write("file-p.txt", "public\n");
    let secret = t.write("file-s.txt", "SECRET\n");
    let (granted, public, secret) = (
        granted.display().to_string(),
        public.display().to_string(),
        secret.display().to_string(),
    );

    // The attack works on a plain process: the flipping thread makes the same call
    // open one file or the other.
    let plain = t.plain(&[&exe, &granted, &secret, "10000000"]);
    let out = plain.success();
    assert!(
        count(out, "secret") > 0 && count(out, "first") > 0,
        "the race should reach both files:\n{plain}"
    );

    // Ask mode, a granted file against the secret: every question (about the secret)
    // is denied; what the kernel then opens is opened in the jail, where the secret
    // is not.
    let shown = run_output(t, &exe, &["--ask", "--ro", &granted], &granted, &secret);
    assert_eq!(count(&shown, "secret"), 0, "{shown}");
    assert!(count(&shown, "first") > 0, "{shown}");

    // A file the user allows (always) against the secret: the server opens the path it
    // asked about, never a path the buffer holds later.
    let shown = run_output(t, &exe, &["--ask"], &public, &secret);
    assert_eq!(count(&shown, "secret"), 0, "{shown}");
    assert!(count(&shown, "first") > 0, "{shown}");
});

/// Run the race under `pola-run OPTS` on a terminal, allowing `allow` (always) and
/// denying everything else; return what the terminal showed.
fn run_output(t: &T, exe: &str, opts: &[&str], allow: &str, secret: &str) -> String {
    let allow_name = std::path::Path::new(allow)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut args: Vec<&str> = opts.to_vec();
    args.extend(["--", exe, allow, secret, "300"]);
    let run = t.on_terminal(
        &pola_run(),
        &args,
        &[Answer(
            "wants to read",
            &[(&allow_name, "a\r"), ("", "d\r")],
            "race-done",
        )],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    run.stdout
}

both!(powerbox_gives_the_file_the_user_picks, |t: &T| {
    t.write("picked.txt", "picked content\n");
    let open = pola_tests::bin_dir().join("pola-open");
    let open = open.to_str().unwrap();
    // Reading: the user types a path; the program prints the file.
    let run = t.on_terminal(
        &pola_run(),
        &["--powerbox", "--", open, "--desc", "a file to show"],
        &[
            Expect("pola-open asks for a file to read (a file to show) — path (empty to refuse)?"),
            Send("picked.txt\r"),
            Expect("picked content"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    // Writing: stdin goes into the file the user picks (created).
    let run = t.on_terminal(
        &pola_sh(),
        &["--powerbox"],
        &[
            Expect(prompt(t)),
            Send(&format!(
                "echo from-the-jail | {open} --write; echo status=$?"
            )),
            Send(ENTER),
            Expect("asks for a file to write"),
            Send("written.txt\r"),
            Expect("status=0"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    assert_eq!(
        std::fs::read_to_string(t.path("written.txt")).unwrap(),
        "from-the-jail\n"
    );
    // Refusing (an empty answer) fails the program with a message.
    let run = t.on_terminal(
        &pola_run(),
        &["--powerbox", "--", open],
        &[
            Expect("path (empty to refuse)?"),
            Send("\r"),
            Expect("pola-open: refused by the user"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
});

both!(powerbox_refuses_directories_and_needs_the_flag, |t: &T| {
    t.mkdir("adir");
    let open = pola_tests::bin_dir().join("pola-open");
    let open = open.to_str().unwrap();
    let run = t.on_terminal(
        &pola_run(),
        &["--powerbox", "--", open],
        &[
            Expect("path (empty to refuse)?"),
            Send("adir\r"),
            Expect("adir: not a regular file"),
        ],
    );
    assert!(run.stdout.starts_with("OK"), "{run}");
    // Without --powerbox there is nothing to ask.
    let run = t.jail(&[], &[open]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("pola-open: no powerbox here"), "{run}");
});

both!(without_a_terminal_nothing_is_granted, |t: &T| {
    t.write("notes.txt", "the notes\n");
    let audit = t.path("audit.log");
    // setsid: no controlling terminal, as under cron or CI.
    let run_ = pola_run();
    let mut cmd = t.command(
        "setsid",
        &[
            "-w".as_ref(),
            run_.as_os_str(),
            "--ask".as_ref(),
            "--".as_ref(),
            "cat".as_ref(),
            std::ffi::OsStr::new("notes.txt"),
        ],
    );
    cmd.env("POLA_AUDIT", &audit);
    let run = t.output(cmd);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("No such file or directory"), "{run}");
    let log = std::fs::read_to_string(&audit).unwrap_or_default();
    assert!(
        log.contains("notes.txt: denied (no terminal to ask on)"),
        "{log}"
    );
});
