//! Harness for the end-to-end tests: run the real `pola-run` (and plain processes, to
//! show an attack works without the jail) as root and as an unprivileged user.
//!
//! When the tests run as root (as in CI), the unprivileged user is `polatest`, created
//! on first use and entered with `setpriv --reuid/--regid --clear-groups`. When they
//! run as an ordinary user, that user is the unprivileged one and the root variants
//! are skipped with a note. The built binaries are copied to a world-readable
//! directory first, so the unprivileged user can run them wherever the checkout is.

use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::os::unix::fs::{chown, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub const TEST_USER: &str = "polatest";
pub const PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Run a test body once as root and once as the unprivileged user.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn as_root() {
                $crate::run_as($crate::Who::Root, $body);
            }
            #[test]
            fn as_user() {
                $crate::run_as($crate::Who::User, $body);
            }
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Root,
    User,
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Run `body` as `who`, or say why not.
pub fn run_as(who: Who, body: impl FnOnce(&T)) {
    match T::new(who) {
        Some(t) => body(&t),
        None => eprintln!("skipped: running the tests as root is needed for the {who:?} variant"),
    }
}

/// The result of a run, with everything needed to understand a failure.
pub struct Run {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub what: String,
}

impl Run {
    fn from(what: String, out: Output) -> Run {
        use std::os::unix::process::ExitStatusExt;
        Run {
            code: out.status.code(),
            signal: out.status.signal(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            what,
        }
    }

    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// Assert success and return stdout.
    #[track_caller]
    pub fn success(&self) -> &str {
        assert!(self.ok(), "expected success:\n{self}");
        &self.stdout
    }

    /// The `key=value` lines of stdout, as a lookup.
    pub fn field(&self, key: &str) -> Option<String> {
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")).map(str::to_string))
    }

    #[track_caller]
    pub fn expect_field(&self, key: &str) -> String {
        self.field(key)
            .unwrap_or_else(|| panic!("no {key}= in the output:\n{self}"))
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "  command: {}\n  status: {:?} signal: {:?}\n  stdout:\n{}\n  stderr:\n{}",
            self.what, self.code, self.signal, self.stdout, self.stderr
        )
    }
}

/// A test's world: who runs, and a scratch directory that user owns.
pub struct T {
    pub who: Who,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
    dir: tempfile::TempDir,
    /// `$XDG_STATE_HOME` of the commands run (pola-sh's record of what jails wrote):
    /// each test's own, not the user's (which grew with every test run, and every
    /// launch reads it).
    state: tempfile::TempDir,
    /// Run as another user through setpriv.
    switch: bool,
}

fn ensure_test_user() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let lock = fs::File::create("/tmp/pola-test-useradd.lock").expect("lock file");
        nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive)
            .map(|locked| {
                if nix::unistd::User::from_name(TEST_USER)
                    .ok()
                    .flatten()
                    .is_none()
                {
                    let st = Command::new("useradd")
                        .args(["--create-home", "--shell", "/bin/sh", TEST_USER])
                        .status()
                        .expect("run useradd");
                    assert!(st.success(), "useradd {TEST_USER} failed");
                }
                drop(locked);
            })
            .map_err(|(_, e)| e)
            .expect("lock");
    });
}

/// The built binaries, copied where every user can run them.
pub fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().expect("test executable");
        let target = exe.parent().and_then(Path::parent).expect("target dir");
        let names = ["pola-run", "pola-shim", "pola-sh", "pola-open"];
        let mut stamp = String::new();
        for n in names {
            let p = target.join(n);
            let m = fs::metadata(&p).unwrap_or_else(|_| {
                panic!(
                    "{} is missing: build the workspace first (scripts/test does)",
                    p.display()
                )
            });
            use std::os::unix::fs::MetadataExt;
            stamp.push_str(&format!("{}-{}-", m.size(), m.mtime_nsec() ^ m.mtime()));
        }
        let dir = std::env::temp_dir().join(format!("pola-test-bin-{stamp}"));
        if !dir.join("ready").exists() {
            let tmp = tempfile::Builder::new()
                .prefix("pola-test-bin-new")
                .tempdir()
                .expect("tempdir");
            for n in names {
                fs::copy(target.join(n), tmp.path().join(n)).expect("copy binary");
            }
            fs::write(tmp.path().join("ready"), "").unwrap();
            fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
            let tmp = tmp.keep();
            if fs::rename(&tmp, &dir).is_err() {
                let _ = fs::remove_dir_all(&tmp);
            }
            remove_old_copies(&dir);
        }
        dir
    })
}

/// The copies of other builds' binaries, made over an hour ago (a run of another
/// build may still be using a newer one): each build left 230 MB in the temporary
/// directory, and the disk filled.
fn remove_old_copies(ours: &Path) {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name();
        let old = fs::metadata(path.join("ready"))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if name.to_string_lossy().starts_with("pola-test-bin-") && path != ours && old {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

pub fn pola_run() -> PathBuf {
    bin_dir().join("pola-run")
}

impl T {
    pub fn new(who: Who) -> Option<T> {
        let root = is_root();
        let (uid, gid, home, switch) = match (who, root) {
            (Who::Root, false) => return None,
            (Who::Root, true) => (0, 0, PathBuf::from("/root"), false),
            (Who::User, true) => {
                ensure_test_user();
                let u = nix::unistd::User::from_name(TEST_USER).unwrap().unwrap();
                (u.uid.as_raw(), u.gid.as_raw(), u.dir, true)
            }
            (Who::User, false) => {
                let u = nix::unistd::User::from_uid(nix::unistd::getuid())
                    .unwrap()
                    .unwrap();
                (u.uid.as_raw(), u.gid.as_raw(), u.dir, false)
            }
        };
        let dir = tempfile::Builder::new()
            .prefix("pola-test-")
            .tempdir()
            .expect("tempdir");
        chown(dir.path(), Some(uid), Some(gid)).expect("chown scratch");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let state = tempfile::Builder::new()
            .prefix("pola-state-")
            .tempdir()
            .expect("tempdir");
        chown(state.path(), Some(uid), Some(gid)).expect("chown state");
        Some(T {
            who,
            uid,
            gid,
            home,
            dir,
            state,
            switch,
        })
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The `$XDG_STATE_HOME` the test's commands get.
    pub fn state_home(&self) -> &Path {
        self.state.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Give `path` (and, for a directory, everything in it) to the test's user.
    pub fn own(&self, path: &Path) {
        chown(path, Some(self.uid), Some(self.gid)).expect("chown");
        if path.is_dir() && !path.is_symlink() {
            for e in fs::read_dir(path).unwrap().flatten() {
                self.own(&e.path());
            }
        }
    }

    /// Create a file owned by the test's user (parents too).
    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            self.mkdir_path(parent);
        }
        fs::write(&p, contents).expect("write test file");
        self.own(&p);
        p
    }

    fn mkdir_path(&self, p: &Path) {
        if !p.exists() {
            if let Some(parent) = p.parent() {
                self.mkdir_path(parent);
            }
            fs::create_dir(p).expect("mkdir");
            self.own(p);
        }
    }

    pub fn mkdir(&self, rel: &str) -> PathBuf {
        let p = self.path(rel);
        self.mkdir_path(&p);
        p
    }

    /// A command run as the test's user, in the scratch directory, with a clean
    /// environment.
    pub fn command<S: AsRef<OsStr>>(&self, program: impl AsRef<OsStr>, args: &[S]) -> Command {
        let mut cmd = if self.switch {
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={}", self.uid))
                .arg(format!("--regid={}", self.gid))
                .arg("--clear-groups")
                .arg("--")
                .arg(program);
            c
        } else {
            Command::new(program)
        };
        cmd.args(args)
            .current_dir(self.dir())
            .env_clear()
            .env("PATH", PATH)
            .env("HOME", &self.home)
            .env("XDG_STATE_HOME", self.state.path())
            .env("LANG", "C.UTF-8")
            .env("USER", if self.switch { TEST_USER } else { "root" })
            .stdin(Stdio::null());
        cmd
    }

    pub fn output(&self, mut cmd: Command) -> Run {
        let what = format!("{cmd:?}");
        let out = cmd.output().expect("spawn");
        Run::from(what, out)
    }

    /// A plain (unjailed) process.
    pub fn plain<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        let (first, rest) = args.split_first().expect("a program");
        self.output(self.command(first, rest))
    }

    /// `pola-run OPTS -- ARGS`.
    pub fn jail<S: AsRef<OsStr>>(&self, opts: &[&str], args: &[S]) -> Run {
        self.output(self.jail_command(opts, args))
    }

    pub fn jail_command<S: AsRef<OsStr>>(&self, opts: &[&str], args: &[S]) -> Command {
        let mut all: Vec<&OsStr> = opts.iter().map(OsStr::new).collect();
        all.push(OsStr::new("--"));
        all.extend(args.iter().map(|a| a.as_ref()));
        self.command(pola_run(), &all)
    }

    /// `pola-sh -c SCRIPT` as the test's user, in the scratch directory.
    pub fn pola_sh_command(&self, script: &str) -> Command {
        self.command(pola_sh(), &["-c", script])
    }

    /// `python3 -c CODE` unjailed.
    pub fn py_plain(&self, code: &str) -> Run {
        self.plain(&["python3", "-c", code])
    }

    /// `python3 -c CODE` in a jail with `opts`.
    pub fn py_jail(&self, opts: &[&str], code: &str) -> Run {
        self.jail(opts, &["python3", "-c", code])
    }

    /// Compile a C program into the scratch directory; returns its path.
    pub fn compile(&self, name: &str, source: &str) -> PathBuf {
        let src = self.write(&format!("{name}.c"), source);
        let exe = self.path(name);
        let st = Command::new("gcc")
            .args(["-O1", "-o"])
            .arg(&exe)
            .arg(&src)
            .status()
            .expect("run gcc");
        assert!(st.success(), "gcc failed on {name}.c");
        self.own(&exe);
        exe
    }
}

/// Python prelude for probes: `probe(name, fn)` prints `name=ok` or `name=ERRNO_NAME`.
pub const PY_PROBE: &str = r#"
import os, errno, ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
def probe(name, fn):
    try:
        r = fn()
        print(f"{name}=ok")
    except OSError as e:
        print(f"{name}={errno.errorcode.get(e.errno, e.errno)}")
    except Exception as e:
        print(f"{name}={type(e).__name__}")
    sys.stdout.flush()
def call(nr, *args):
    libc.syscall.restype = ctypes.c_long
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r
"#;

/// `bomb N SECONDS`: a fork bomb bounded to N processes and SECONDS, for the test
/// machine's sake; prints `made=` and `failed=` (forks).
pub const FORK_BOMB: &str = include_str!("bomb.c");

/// `PY_PROBE` followed by `body`.
pub fn py(body: &str) -> String {
    format!("{PY_PROBE}\n{body}")
}

pub fn pola_sh() -> PathBuf {
    bin_dir().join("pola-sh")
}

/// A step of an interactive session on a pseudo-terminal.
pub enum Key<'a> {
    /// Type this.
    Send(&'a str),
    /// Wait (up to 10 s) until the output, escapes removed, contains this.
    Expect(&'a str),
    /// Wait until the raw output (with escapes) contains this.
    Raw(&'a str),
    /// Wait until the output contains this at least n times.
    Count(&'a str, usize),
    /// Let time pass (a program starting).
    Pause(f64),
    /// Change the terminal's window size (rows, columns).
    Resize(u16, u16),
    /// From now on the terminal takes output slowly (about 1 MB/s, as over a slow
    /// link): a program writing to it waits.
    SlowTerminal,
    /// Answer every question (a line containing the first text) with the reply of the
    /// first rule whose text the question contains (else the last rule's), until the
    /// output contains the last text (up to 60 s).
    Answer(&'a str, &'a [(&'a str, &'a str)], &'a str),
    /// At the end, write the whole output as sent (escapes, `\r`) to this file.
    Keep(&'a str),
}

impl T {
    /// Run pola-sh on a pseudo-terminal owned by the test's user and play `steps`.
    pub fn interactive(&self, steps: &[Key]) -> Run {
        self.on_terminal(&pola_sh(), &[], steps)
    }

    /// Run `program ARGS` on a pseudo-terminal owned by the test's user and play `steps`.
    pub fn on_terminal(&self, program: &Path, args: &[&str], steps: &[Key]) -> Run {
        self.on_terminal_env(program, args, &[], steps)
    }

    /// `interactive` with the relay off, through the test seam
    /// `POLA_TEST_SHARED_TERMINAL=1`: jails share the shell's terminal as they did before
    /// each got one of its own (`pty.rs`), as when the relay cannot start. `args` go to
    /// pola-sh, `env` are more environment variables.
    pub fn shared_terminal(&self, args: &[&str], env: &[(&str, &str)], steps: &[Key]) -> Run {
        let mut all = vec![("POLA_TEST_SHARED_TERMINAL", "1")];
        all.extend_from_slice(env);
        self.on_terminal_env(&pola_sh(), args, &all, steps)
    }

    /// `on_terminal` with more environment variables (`HOME` among them replaces the
    /// user's).
    pub fn on_terminal_env(
        &self,
        program: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        steps: &[Key],
    ) -> Run {
        self.on_terminal_owned(program, args, env, steps, (self.uid, self.gid))
    }

    /// `interactive` on a pseudo-terminal that root owns, as after `su` or `runuser`
    /// from root's terminal: the test's user may use the descriptors it was given but
    /// not open the terminal again.
    pub fn interactive_on_roots_terminal(&self, steps: &[Key]) -> Run {
        self.on_terminal_owned(&pola_sh(), &[], &[], steps, (0, 0))
    }

    fn on_terminal_owned(
        &self,
        program: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        steps: &[Key],
        (uid, gid): (u32, u32),
    ) -> Run {
        let json: Vec<String> = steps
            .iter()
            .map(|k| match k {
                Key::Send(s) => format!("[\"send\", {}]", json_str(s)),
                Key::Expect(s) => format!("[\"expect\", {}, 10]", json_str(s)),
                Key::Raw(s) => format!("[\"raw\", {}, 10]", json_str(s)),
                Key::Count(s, n) => format!("[\"count\", {}, {n}, 10]", json_str(s)),
                Key::Pause(s) => format!("[\"sleep\", {s}]"),
                Key::Resize(rows, cols) => format!("[\"resize\", {rows}, {cols}]"),
                Key::SlowTerminal => "[\"slow\"]".to_string(),
                Key::Keep(path) => format!("[\"keep\", {}]", json_str(path)),
                Key::Answer(question, rules, until) => {
                    let rules: Vec<String> = rules
                        .iter()
                        .map(|(text, reply)| format!("[{}, {}]", json_str(text), json_str(reply)))
                        .collect();
                    format!(
                        "[\"answer\", {}, [{}], {}, 60]",
                        json_str(question),
                        rules.join(", "),
                        json_str(until)
                    )
                }
            })
            .collect();
        let steps = format!("[{}]", json.join(", "));
        let driver = self.dir().join(".pty_driver.py");
        fs::write(&driver, include_str!("pty_driver.py")).unwrap();
        let mut cmd = Command::new("python3");
        cmd.arg(&driver)
            .arg(steps)
            .arg(uid.to_string())
            .arg(gid.to_string());
        if self.switch {
            cmd.args([
                "setpriv",
                &format!("--reuid={}", self.uid),
                &format!("--regid={}", self.gid),
                "--clear-groups",
                "--",
            ]);
        }
        cmd.arg(program)
            .args(args)
            .current_dir(self.dir())
            .env_clear()
            .env("PATH", PATH)
            .env("HOME", &self.home)
            .env("XDG_STATE_HOME", self.state.path())
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .env("XDG_DATA_HOME", self.dir().join(".data"))
            .env("XDG_CONFIG_HOME", self.dir().join(".config"))
            .envs(env.iter().copied())
            .stdin(Stdio::null());
        self.output(cmd)
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Poll `f` every 50 ms until it holds or `secs` seconds have passed.
pub fn wait_for<F: FnMut() -> bool>(mut f: F, secs: u64) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

/// Processes whose command line (NULs as spaces) satisfies `f`: `(pid, parent pid)`.
pub fn processes(f: impl Fn(&str) -> bool) -> Vec<(u32, u32)> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    for e in entries.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmd) = fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if !f(&cmd) {
            continue;
        }
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so split after ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        found.push((pid, ppid));
    }
    found
}

/// What a directory holds, recursively, for comparing the host before and after a
/// command: each relative path with `d` (directory), `l:TARGET` (symlink) or
/// `f:MODE:CONTENTS` (file; short contents lossily as text, long ones by length and
/// hash).
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, String> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let Ok(meta) = path.symlink_metadata() else {
                continue;
            };
            let what = if meta.is_symlink() {
                format!("l:{}", fs::read_link(&path).unwrap().display())
            } else if meta.is_dir() {
                stack.push(path.clone());
                "d".to_string()
            } else {
                let data = fs::read(&path).unwrap_or_default();
                // Short files as text, long ones by length and a hash (FNV-1a).
                let contents = if data.len() <= 64 {
                    String::from_utf8_lossy(&data).into_owned()
                } else {
                    let hash = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
                    });
                    format!("{} bytes, {hash:016x}", data.len())
                };
                format!("f:{:o}:{contents}", meta.permissions().mode() & 0o7777)
            };
            out.insert(rel, what);
        }
    }
    out
}

/// `tree(before)` and `tree(after)` differ exactly in `changed` (paths whose entry is
/// new, different or gone; `dir/...` stands for `dir` and everything below it):
/// everything else is as it was.
#[track_caller]
pub fn assert_only_changed(
    before: &std::collections::BTreeMap<String, String>,
    after: &std::collections::BTreeMap<String, String>,
    changed: &[&str],
) {
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let expected = |k: &str| {
        changed.iter().any(|c| match c.strip_suffix("/...") {
            Some(dir) => k == dir || k.starts_with(&format!("{dir}/")),
            None => k == *c,
        })
    };
    let differ: Vec<&str> = keys
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| k.as_str())
        .collect();
    let unexpected: Vec<&&str> = differ.iter().filter(|k| !expected(k)).collect();
    let missing: Vec<&&str> = changed
        .iter()
        .filter(|c| {
            !differ
                .iter()
                .any(|d| d == *c || c.strip_suffix("/...") == Some(d))
        })
        .collect();
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "the host changed otherwise than expected: unexpected {unexpected:?}, unchanged {missing:?}\nbefore: {before:#?}\nafter: {after:#?}"
    );
}
