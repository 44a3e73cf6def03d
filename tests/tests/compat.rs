//! The differential compatibility suite: every case in `tests/compat/*.sh` is run by
//! dash, bash and pola-sh (`-c`, in a fresh directory, standard input from /dev/null),
//! in the same run; a case passes when pola-sh's standard output and exit status agree
//! with dash's or with bash's. What the references print is never written down here:
//! they are run live, so the suite follows the installed dash and bash.
//!
//! A case file holds cases as
//!
//! ```text
//! #### what the case shows
//! shell text
//! ```
//!
//! A case marked `## differs: REASON` on the line after its title is one where pola-sh
//! differs from both on purpose (every external command runs in a jail that sees only
//! its grants): it is run and counted in the agreement figure, and it must still differ
//! (a mark that has become wrong fails the suite). Every other case must agree.
//!
//! A case marked `## as bash` (same place) is a bash extension where dash's answer is
//! the one pola-sh had before it had the extension (`$(< file)` empty): it must agree
//! with bash.
//!
//! `$SH` names the shell under test, for cases that start it again (`$SH -c ...`: a
//! pola-sh started inside a jail runs its commands in that jail).
//!
//! `COMPAT=text` runs only the cases whose file name or title contains `text`.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use pola_tests::{both, T};

struct Case {
    file: String,
    title: String,
    script: String,
    differs: Option<String>,
    /// `## as bash`: only bash's answer is right.
    as_bash: bool,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("compat");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/compat")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    files.sort();
    let filter = std::env::var("COMPAT").unwrap_or_default();
    let mut out = Vec::new();
    for f in files {
        let file = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&f).expect("case file");
        let mut current: Option<Case> = None;
        for line in text.split_inclusive('\n') {
            if let Some(title) = line.strip_prefix("#### ") {
                out.extend(current.take());
                current = Some(Case {
                    file: file.clone(),
                    title: title.trim().to_string(),
                    script: String::new(),
                    differs: None,
                    as_bash: false,
                });
            } else if let Some(c) = &mut current {
                match line.strip_prefix("## differs: ") {
                    Some(reason) if c.script.is_empty() => {
                        c.differs = Some(reason.trim().to_string())
                    }
                    _ if c.script.is_empty() && line.trim_end() == "## as bash" => c.as_bash = true,
                    _ => c.script.push_str(line),
                }
            }
        }
        out.extend(current);
    }
    out.retain(|c| filter.is_empty() || c.file.contains(&filter) || c.title.contains(&filter));
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Outcome {
    stdout: String,
    status: Option<i32>,
}

/// Run `shell -c script` as the test's user in a fresh directory, killed (with
/// everything it started) after 20 seconds.
fn run(t: &T, shell: &Path, script: &str) -> Outcome {
    let dir = tempfile::Builder::new()
        .prefix("compat-")
        .tempdir_in(t.dir())
        .unwrap();
    t.own(dir.path());
    let mut cmd = t.command(shell, &["-c", script]);
    // `$SH` is the shell under test, for cases that start it again.
    cmd.env("SH", shell)
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    let mut child = cmd.spawn().expect("spawn a shell");
    let mut pipe = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = pipe.read_to_end(&mut out);
        out
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st.code().or(st.signal().map(|c| 128 + c));
        }
        if Instant::now() > deadline {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            let _ = child.wait();
            break Some(-1);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    // Whatever the shell left running in its group must not hold the pipe open.
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    );
    let stdout = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    Outcome { stdout, status }
}

fn show(o: &Outcome) -> String {
    format!("status {:?}, stdout {:?}", o.status, o.stdout)
}

both!(compat_with_dash_or_bash, |t: &T| {
    let cases = cases();
    assert!(!cases.is_empty(), "no compatibility cases found");
    let dash = Path::new("/usr/bin/dash");
    let bash = Path::new("/usr/bin/bash");
    assert!(
        dash.exists() && bash.exists(),
        "dash and bash are needed (scripts/install-deps)"
    );
    let sh = pola_tests::pola_sh();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, bool, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(c) = cases.get(i) else { break };
                let d = run(t, dash, &c.script);
                let b = run(t, bash, &c.script);
                let p = run(t, &sh, &c.script);
                let agrees = p == b || p == d && !c.as_bash;
                let report = format!(
                    "{}: {}\n  script: {:?}\n  dash:    {}\n  bash:    {}\n  pola-sh: {}",
                    c.file,
                    c.title,
                    c.script,
                    show(&d),
                    show(&b),
                    show(&p)
                );
                results.lock().unwrap().push((i, agrees, report));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    let agreeing = results.iter().filter(|r| r.1).count();
    let mut failures = Vec::new();
    for (i, agrees, report) in &results {
        match (&cases[*i].differs, agrees) {
            (None, false) => failures.push(format!("DIFFERS {report}")),
            (Some(reason), true) => failures.push(format!(
                "AGREES although marked 'differs: {reason}' {report}"
            )),
            _ => {}
        }
    }
    let percent = 100.0 * agreeing as f64 / results.len() as f64;
    println!(
        "compat: pola-sh agrees with dash or bash in {agreeing} of {} cases ({percent:.1}%); {} marked as differing by design",
        results.len(),
        cases.iter().filter(|c| c.differs.is_some()).count()
    );
    assert!(
        failures.is_empty(),
        "{} cases fail:\n{}\ncompat: {agreeing} of {} agree ({percent:.1}%)",
        failures.len(),
        failures.join("\n"),
        results.len()
    );
});
