//! Running one command in a jail: what `pola-run` does, and what the shell's executor
//! does for each external command.
//!
//! The caller says what is granted; this module adds what every command gets (the
//! default environment, the program and its `#!` interpreter with read+exec), builds
//! the `Namespace`, has the fileserver resolve it, starts `pola-shim` and waits.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use pola_fileserver::ask::{Asker, Session};
use pola_fileserver::environment::{Environment, EnvironmentError, Identity};
use pola_fileserver::launch::{self, LaunchError, Outcome};
use pola_fileserver::limits::{self, Limits};
use pola_fileserver::mediate::Denied;
use pola_fileserver::namespace::{
    normalize, Entry, Grant, Namespace, NamespaceError, Origin, Rights,
};
use pola_fileserver::network::Network;
use pola_fileserver::plan::{JailPlan, Step};
use pola_fileserver::powerbox;
use pola_fileserver::profile::{self, Profile, ProfileError};
use pola_fileserver::resolve::{resolve, ResolveError};
use pola_fileserver::seccomp;
use pola_fileserver::text;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum JailError {
    #[error("{}: command not found", crate::escapes::shown(.0))]
    NotFound(String),
    #[error("{}: permission denied (not executable)", text::shown(.0))]
    NotExecutable(PathBuf),
    #[error(transparent)]
    Environment(#[from] EnvironmentError),
    #[error(transparent)]
    Namespace(#[from] NamespaceError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Launch(#[from] LaunchError),
    #[error("cannot find the current user (uid {0}) in the user database")]
    NoUser(u32),
    #[error(transparent)]
    Seccomp(#[from] pola_fileserver::seccomp::SeccompError),
    #[error("profile {0}")]
    Profile(#[from] ProfileError),
    #[error("{}: cannot create (to keep it read-only in the jail): {}", text::shown(.0), .1)]
    Protect(PathBuf, std::io::Error),
    #[error("{}: pola-sh's record of what jails could write, which no jail is given to write (it decides what `.` runs as yours); to change it, run the command unconfined: !!…", text::shown(.0))]
    OwnRecord(PathBuf),
    #[error("cannot set up the command's resource limits: {0}")]
    Limits(#[from] pola_fileserver::cgroup::CgroupError),
    #[error("{}: {}", text::shown(.0), .1)]
    Network(PathBuf, pola_fileserver::network::Conflict),
    /// Refused before it ran: it would have done half of what it was asked.
    #[error("{0}")]
    HalfDone(String),
}

impl JailError {
    /// The exit status a shell gives for this error.
    pub fn status(&self) -> i32 {
        match self {
            JailError::NotFound(_) => 127,
            JailError::NotExecutable(_) => 126,
            JailError::HalfDone(_) => 1,
            _ => 125,
        }
    }
}

/// One grant asked for by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub path: PathBuf,
    pub write: bool,
}

/// Everything needed to run one command jailed.
#[derive(Clone, Debug)]
pub struct Command {
    /// For messages: "pola-run" or "pola-sh".
    pub program: String,
    pub argv: Vec<OsString>,
    pub grants: Vec<Request>,
    /// The working directory (absolute, logical), on the host and in the jail.
    pub cwd: PathBuf,
    pub net: Network,
    /// Where the minimal environment's variables (TERM, LANG, ...) are taken from:
    /// the process environment for pola-run, the shell's variables for pola-sh.
    pub source_env: Vec<(OsString, OsString)>,
    /// Variables the user exported on purpose, added to the minimal environment.
    pub exports: Vec<(OsString, OsString)>,
    /// Apply the program's profile (`--no-profile` turns this off).
    pub profiles: bool,
    /// Mediated mode: record what the command looks for and does not have.
    pub learn: bool,
    /// Ask mode: ask the user about each file the command opens and was not granted;
    /// what was allowed "always" is remembered here for the session.
    pub ask: Option<Session>,
    /// Give the command a powerbox (`$POLA_POWERBOX`) to ask the user for files.
    pub powerbox: bool,
    /// Resource limits set for this command, over the environment's.
    pub limits: Limits,
    /// The user's `ulimit`s, set on the command alone.
    pub rlimits: Vec<limits::Rlimit>,
    /// The program the shell's lookup found for `argv[0]` (its `hash`), and the `PATH`
    /// it searched: used when the command's own `PATH` is that one, instead of a second
    /// search of every directory.
    pub found: Option<(PathBuf, OsString)>,
    /// Run by text the shell made as it ran (`eval "$(tool)"`, `Shell::made_at_run_time`):
    /// no network, a profile's included, which would carry out what the text's other
    /// commands read.
    pub made: bool,
    /// The files of the work tree a git command will rewrite, as a jailed `git diff
    /// --name-only` listed them before it (`Shell::git_changes`), relative to the work
    /// tree: all granted to write, it is not refused for the tree granted read-only.
    pub work_tree_changes: Option<Vec<PathBuf>>,
    /// An editor the user chose to run without the files it would save (the question
    /// before it, answered no): said after it as chosen, not as a failed save.
    pub editor_declined: bool,
    /// Its words are the user's as typed: none holds text a command made (`$(tool)`),
    /// which may not choose what more it is given (`sed $(tool) => f` printing
    /// `-i.x` would grant `f.x`: security review).
    pub words_typed: bool,
    /// `@ps`: the machine's processes to see, the host's `/proc` read-only in place of
    /// the jail's own (`ps`, `top`, `pgrep` saw only the jail's: new-user trial). What
    /// they reach through it beyond their lines and counters (`environ`, `root`, `fd`,
    /// `mem` of a process outside the jail) Landlock refuses, as a jail's ptrace of it:
    /// the jail does not start where Landlock is not enforced.
    pub processes: bool,
}

/// A command made ready to launch: its namespace and program, and what its profile
/// added to the command line's grants.
#[derive(Debug)]
pub struct Prepared {
    pub ns: Namespace,
    pub exe: PathBuf,
    /// The command line's network plus the profile's.
    pub net: Network,
    /// The profiles applied: shipped ones (`shipped:NAME`) and the user's file.
    pub profiles: Vec<PathBuf>,
    /// Variables the profile passes through from the caller's environment.
    pub env_names: Vec<String>,
    /// Names to read that were not granted: a link a jail may have made, or a FIFO,
    /// socket or device in a directory a jail could write (`cat w/*` still runs, and
    /// the command says it cannot open that one).
    pub refused: Vec<pola_fileserver::planted::Refused>,
    /// The command's resource limits: the environment's, with the command's over them.
    pub limits: Limits,
}

/// The user the jail runs as, from the user database.
pub fn identity() -> Result<Identity, JailError> {
    let uid = nix::unistd::getuid();
    let gid = nix::unistd::getgid();
    let user = nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .ok_or(JailError::NoUser(uid.as_raw()))?;
    let group = nix::unistd::Group::from_gid(gid)
        .ok()
        .flatten()
        .map(|g| g.name)
        .unwrap_or_else(|| user.name.clone());
    let home = std::env::var_os("HOME")
        .filter(|h| Path::new(h).is_absolute())
        .map(PathBuf::from)
        .unwrap_or(user.dir.clone());
    Ok(Identity {
        uid: uid.as_raw(),
        gid: gid.as_raw(),
        user: user.name,
        group,
        home,
        shell: user.shell.to_string_lossy().into_owned(),
        gecos: user.gecos.to_string_lossy().into_owned(),
    })
}

/// The working directory as the user sees it: `$PWD` when it names the current
/// directory (keeps the path the user walked through symlinks), else `getcwd`.
pub fn logical_cwd() -> std::io::Result<PathBuf> {
    let physical = std::env::current_dir()?;
    if let Some(pwd) = std::env::var_os("PWD").map(PathBuf::from) {
        if pwd.is_absolute() && same_file(&pwd, &physical) {
            return Ok(pwd);
        }
    }
    Ok(physical)
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

fn is_executable(path: &Path) -> bool {
    nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_ok()
        && fs::metadata(path).map(|m| m.is_file()).unwrap_or(false)
}

/// Find `name` as a shell would: a name with a `/` is a path (from `cwd`), any
/// other is looked up in `path_var`.
pub fn find_program(name: &OsStr, cwd: &Path, path_var: &OsStr) -> Result<PathBuf, JailError> {
    if name.as_bytes().contains(&b'/') {
        let p = normalize(&cwd.join(name))?;
        return match fs::metadata(&p) {
            Ok(_) if is_executable(&p) => Ok(p),
            Ok(_) => Err(JailError::NotExecutable(p)),
            Err(_) => Err(JailError::NotFound(crate::escapes::from_os(name))),
        };
    }
    let mut not_executable = None;
    for dir in std::env::split_paths(path_var) {
        let dir = if dir.as_os_str().is_empty() {
            cwd.to_path_buf()
        } else {
            cwd.join(dir)
        };
        let candidate = dir.join(name);
        if is_executable(&candidate) {
            return Ok(normalize(&candidate)?);
        }
        if candidate.is_file() && not_executable.is_none() {
            not_executable = Some(candidate);
        }
    }
    match not_executable {
        Some(p) => Err(JailError::NotExecutable(p)),
        None => Err(JailError::NotFound(crate::escapes::from_os(name))),
    }
}

/// The words of the `#!` line of the file at `path`, if it has one: a regular file's
/// first bytes only (reading a FIFO would wait for a writer).
fn shebang(path: &Path) -> Option<Vec<PathBuf>> {
    let mut head = [0u8; 256];
    let n = pola_fileserver::planted::open_regular(path)?
        .read(&mut head)
        .ok()?;
    let line = head[..n].strip_prefix(b"#!")?;
    let line = line.split(|b| *b == b'\n').next().unwrap_or(&[]);
    Some(
        line.split(|b| *b == b' ' || *b == b'\t')
            .filter(|w| !w.is_empty())
            .map(|w| PathBuf::from(OsString::from_vec(w.to_vec())))
            .collect(),
    )
}

/// The `#!` interpreter of a script and the program `env` is asked to run, if any.
pub fn interpreters(exe: &Path, path_var: &OsStr, cwd: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut current = exe.to_path_buf();
    // The kernel follows at most a few levels of interpreters; so do we.
    for _ in 0..4 {
        let Some(words) = shebang(&current) else {
            break;
        };
        let mut words = words.into_iter();
        let Some(interp) = words.next() else { break };
        if !interp.is_absolute() {
            break;
        }
        if interp.file_name() == Some(OsStr::new("env")) {
            let target = words.find(|w| !w.as_os_str().as_bytes().starts_with(b"-"));
            if let Some(Ok(p)) = target.map(|t| find_program(t.as_os_str(), cwd, path_var)) {
                out.push(interp);
                out.push(p);
                break;
            }
        }
        out.push(interp.clone());
        current = interp;
    }
    out
}

/// The program a wrapper named `exe` runs with `argv` (`env python3 x.py`, `timeout 5
/// make`, `nice -n 5 cargo build`, `xargs -0 grep x`), found as the shell would find
/// it: it gets what naming it first would give (itself, its interpreters, its tool's
/// profile), or the wrapper's search in the jail finds another (`env python3` ran
/// /usr/bin/python3, not pyenv's) or none.
pub fn wrapped_program(
    exe: &Path,
    argv: &[OsString],
    path_var: &OsStr,
    cwd: &Path,
) -> Option<PathBuf> {
    // Each wrapper's options that take a value as the next word, and how many operands
    // come before the program.
    let (valued, operands): (&[&str], usize) = match exe.file_name()?.to_str()? {
        // (`-S` splits a string: never followed, below.)
        "env" => (&["-u", "--unset", "-C", "--chdir"], 0),
        "timeout" => (&["-s", "--signal", "-k", "--kill-after"], 1),
        "nice" => (&["-n", "--adjustment"], 0),
        "nohup" | "setsid" => (&[], 0),
        "stdbuf" => (&["-i", "-o", "-e", "--input", "--output", "--error"], 0),
        "ionice" => (&["-c", "--class", "-n", "--classdata", "-p", "--pid"], 0),
        "time" => (&["-f", "--format", "-o", "--output"], 0),
        "xargs" => (
            &[
                "-a",
                "--arg-file",
                "-d",
                "--delimiter",
                "-E",
                "-I",
                "-L",
                "-n",
                "--max-args",
                "-P",
                "--max-procs",
                "-s",
                "--max-chars",
            ],
            0,
        ),
        _ => return None,
    };
    let env = exe.file_name() == Some(OsStr::new("env"));
    let mut words = argv.iter().skip(1).map(|w| w.as_bytes());
    let mut skipped = 0;
    let mut options = true;
    while let Some(w) = words.next() {
        if w == b"--" && options {
            options = false;
            continue;
        }
        if w.len() > 1 && w.starts_with(b"-") && options {
            // `-n 5`, `--signal KILL`: the value is the next word (not in `-n5`,
            // `--signal=KILL`); `env -S` splits a string: not followed.
            let name = std::str::from_utf8(w).ok()?;
            if name == "-S" || name.starts_with("--split-string") {
                return None;
            }
            if valued.contains(&name) {
                words.next()?;
            }
            continue;
        }
        options = false;
        if env && w.contains(&b'=') {
            continue;
        }
        if skipped < operands {
            skipped += 1;
            continue;
        }
        return find_program(OsStr::from_bytes(w), cwd, path_var).ok();
    }
    None
}

const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

impl Command {
    /// The search path: exported, or from the source environment, or the default.
    pub fn path(&self) -> OsString {
        self.exports
            .iter()
            .chain(&self.source_env)
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| DEFAULT_PATH.into())
    }
}

/// The minimal environment of DESIGN.md (PATH, HOME, TERM, LANG/LC_*, USER, PWD, TZ)
/// plus what the user exported.
pub fn command_env(cmd: &Command, home: &Path, passed: &[String]) -> Vec<OsString> {
    let mut vars: Vec<(OsString, OsString)> = Vec::new();
    let mut set = |k: &OsStr, v: &OsStr| {
        vars.retain(|(name, _)| name != k);
        vars.push((k.to_os_string(), v.to_os_string()));
    };
    set(OsStr::new("PATH"), &cmd.path());
    set(OsStr::new("HOME"), home.as_os_str());
    set(OsStr::new("PWD"), cmd.cwd.as_os_str());
    for (k, v) in &cmd.source_env {
        let name = k.as_bytes();
        if matches!(name, b"TERM" | b"LANG" | b"USER" | b"TZ" | b"LANGUAGE")
            || name.starts_with(b"LC_")
            || passed.iter().any(|p| p.as_bytes() == name)
        {
            set(k, v);
        }
    }
    for (k, v) in &cmd.exports {
        set(k, v);
    }
    vars.into_iter()
        .map(|(k, v)| {
            let mut s = k;
            s.push("=");
            s.push(v);
            s
        })
        .collect()
}

/// Whether an environment entry may be passed: `TMPDIR` only where the jail can write
/// (a write grant, or one of its own scratch directories); elsewhere its commands use
/// their private `/tmp` (an exported `TMPDIR` not granted made `sort` and `mktemp`
/// fail, and the hint said `+ .`; scripting trial).
fn temporary_dir_usable(entry: &OsStr, ns: &Namespace) -> bool {
    let Some(dir) = entry.as_bytes().strip_prefix(b"TMPDIR=") else {
        return true;
    };
    let dir = Path::new(OsStr::from_bytes(dir));
    let Ok(dir) = pola_fileserver::namespace::normalize(dir) else {
        return false;
    };
    ns.holds(&dir, Rights::ReadWrite)
}

/// Files the network needs (name resolution, certificates), granted with `--net`.
/// The certificates to trust and OpenSSL's configuration, never `/etc/ssl` whole: its
/// `private` holds the host's TLS keys, which root's jails could read.
const NETWORK_FILES: &[&str] = &[
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/services",
    "/etc/protocols",
    "/etc/ssl/certs",
    "/etc/ssl/cert.pem",
    "/etc/ssl/openssl.cnf",
    "/etc/ca-certificates",
    "/etc/pki/tls/certs",
    "/etc/pki/ca-trust/extracted",
];

/// Variables naming the certificates to trust, passed with the network (and the file
/// or directory they name granted read-only).
const CA_VARIABLES: &[&str] = &[
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "GIT_SSL_CAINFO",
];

/// The profiles for the program found at `exe`: the shipped ones for where it really
/// is (`pola_fileserver::shipped`), then the user's own, which may turn the shipped ones
/// off (`shipped off`).
fn profiles_for(
    cmd: &Command,
    identity: &Identity,
    exe: &Path,
    real: Option<&Path>,
) -> Result<Vec<Profile>, JailError> {
    let user = Profile::find(dirs::config_dir().as_deref(), exe)?;
    let mut out = Vec::new();
    if user.as_ref().is_none_or(|p| p.shipped()) {
        let real = real.unwrap_or(exe);
        out.extend(pola_fileserver::shipped::for_program(
            exe,
            real,
            &identity.home,
            &|name: &str| exported(cmd, name),
        )?);
    }
    out.extend(user);
    out.retain(|p| found_here(p, &identity.home));
    // A shipped profile that writes in the working directory (nohup's) only for the
    // system's program: never one a jail could have written (a script made at a slot
    // named `nohup`: review), nor one in a directory a jail could write.
    let writes_here = |p: &Profile| p.is_shipped() && writes_in_working_dir(p, &identity.home);
    if out.iter().any(writes_here) {
        let program = real.unwrap_or(exe);
        let written = match pola_fileserver::planted::open_regular(program) {
            Some(file) => pola_fileserver::planted::jail_could_have_written(
                std::os::fd::AsFd::as_fd(&file),
                program,
            ),
            None => true,
        };
        if written || pola_fileserver::planted::unconfined_program(program, true).is_err() {
            out.retain(|p| !writes_here(p));
        }
    }
    Ok(out)
}

/// Whether a profile's write grant of `path` (as the profile names it; `host` where it
/// is) is one to leave out: one the user never typed (a shipped profile's, or any
/// profile's relative to the working directory) in or at pola-sh's own directories
/// (its staging records, its profiles: SECURITY.md 27; review), or one that cannot be
/// made here (a directory the user may not write, a link or FIFO a jail left there):
/// left out, the program goes on as without it (nohup writes to ~/nohup.out), instead
/// of failing every command there.
fn implicit_write_refused(
    path: &Path,
    host: &Path,
    origin: Origin,
    protected: &[crate::protect::Protected],
) -> bool {
    let implicit = origin == Origin::Shipped || origin == Origin::Profile && path.is_relative();
    if !implicit {
        return false;
    }
    let own = |path: &Path| protected.iter().any(|p| p.named(path));
    let made_in =
        |dir: &Path| own(dir) || nix::unistd::access(dir, nix::unistd::AccessFlags::W_OK).is_err();
    match (fs::symlink_metadata(host), host.parent()) {
        (Ok(m), _) if m.is_dir() => own(host),
        (Ok(m), Some(dir)) if m.is_file() => own(host) || made_in(dir),
        (Err(_), Some(dir)) => made_in(dir),
        _ => true,
    }
}

/// A variable the user exported in the shell, or that its environment had.
fn exported(cmd: &Command, name: &str) -> Option<String> {
    cmd.exports
        .iter()
        .chain(&cmd.source_env)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.to_string_lossy().into_owned())
}

/// Whether profile `p` has anything to say here: a shipped profile that finds nothing
/// of its tool adds nothing, unless it names a place to write in the working directory
/// (nohup's `nohup.out`, made there).
fn found_here(p: &Profile, home: &Path) -> bool {
    !p.is_shipped()
        || !p.env().is_empty()
        || p.network() != pola_fileserver::network::Network::Private
        || p.grants(home)
            .iter()
            .any(|(path, _)| fs::symlink_metadata(path).is_ok())
        || writes_in_working_dir(p, home)
}

/// Whether profile `p` names a place to write relative to the working directory.
fn writes_in_working_dir(p: &Profile, home: &Path) -> bool {
    p.grants(home)
        .iter()
        .any(|(path, write)| *write && path.is_relative())
}

/// The repository a git server command serves, and whether it writes it. Git's ssh
/// transport runs `git-upload-pack '/srv/repo.git'` (fetch, clone), `git-upload-archive`
/// or `git-receive-pack` (push) through the account's login shell, with the path
/// single-quoted, which never grants: for these programs, whose whole job is the
/// repository they are given, that argument grants it (read-only to fetch, writable to
/// push), as git finds it (`~/` is the home directory; `repo` may be `repo.git`).
fn git_server_repository(cmd: &Command, home: &Path) -> Option<(PathBuf, bool)> {
    let name = Path::new(cmd.argv.first()?).file_name()?.to_str()?;
    let write = match name {
        "git-upload-pack" | "git-upload-archive" => false,
        "git-receive-pack" => true,
        _ => return None,
    };
    let arg = cmd
        .argv
        .iter()
        .skip(1)
        .rfind(|a| !a.as_bytes().starts_with(b"-"))?;
    let arg = Path::new(arg);
    let path = match arg.strip_prefix("~") {
        Ok(rest) => home.join(rest),
        Err(_) => cmd.cwd.join(arg),
    };
    let mut dotted = path.clone().into_os_string();
    dotted.push(".git");
    [path, PathBuf::from(dotted)]
        .into_iter()
        .find(|p| p.is_dir())
        .map(|p| (p, write))
}

/// The Python virtual environments a program runs from (`VENV/bin/PROG` with a
/// `VENV/pyvenv.cfg`), where the path names it and where it really is (pipx's
/// `~/.local/bin/tool`): Python finds its packages there by the program's path, so the
/// jail gets the venv read-only (`venv/bin/python` needs no `+ venv`). Never the home
/// directory or one above it, nor through a link a jail may have made.
fn venvs_of(exe: &Path, real: Option<&Path>, home: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for path in std::iter::once(exe).chain(real.filter(|r| *r != exe)) {
        let Some(dir) = path
            .parent()
            .filter(|b| b.file_name().is_some_and(|n| n == "bin"))
            .and_then(Path::parent)
            .filter(|d| !d.as_os_str().is_empty() && !home.starts_with(d))
        else {
            continue;
        };
        let regular = pola_fileserver::planted::open_regular(&dir.join("pyvenv.cfg")).is_some();
        if regular && !out.iter().any(|d| d == dir) {
            out.push(dir.to_path_buf());
        }
    }
    out
}

/// The namespace for `cmd`, where its program lives in it, and what its profile adds.
pub fn namespace(
    cmd: &Command,
    identity: &Identity,
    env: &Environment,
) -> Result<Prepared, JailError> {
    let path_var = cmd.path();
    let name = cmd.argv.first().cloned().unwrap_or_default();
    let exe = match &cmd.found {
        Some((exe, searched)) if *searched == path_var => exe.clone(),
        _ => find_program(&name, &cmd.cwd, &path_var)?,
    };
    // Where the program really is (through links it was named by), found once.
    let real = pola_fileserver::planted::canonical(&exe).ok();
    let mut interps = interpreters(&exe, &path_var, &cmd.cwd);
    // A wrapper's program is run as the program would be, with its own interpreters.
    if let Some(wrapped) = wrapped_program(&exe, &cmd.argv, &path_var, &cmd.cwd) {
        interps.extend(interpreters(&wrapped, &path_var, &cmd.cwd));
        interps.push(wrapped);
    }
    let profiles = if cmd.profiles {
        // Through links a jail made (a venv made by pyenv's python3 in a jail: its
        // `bin/python` leads into ~/.pyenv), the program is never granted where they
        // lead; but where they end, as the kernel resolves them (never a place on the
        // way, which `..` after a link the jail made can turn anywhere), still chooses
        // its tool's shipped profile, as naming the program there would: the grants
        // are the profile's own (`ro ~/.pyenv`), and the jail follows the links
        // itself.
        let found = |p: &Path| fs::canonicalize(p).ok();
        let mut profiles = profiles_for(
            cmd,
            identity,
            &exe,
            real.clone().or_else(|| found(&exe)).as_deref(),
        )?;
        // A script's interpreter chooses its shipped profiles too, as naming it would
        // (a venv's `bin/pip` runs its `bin/python3`, which leads into ~/.pyenv).
        // (Not when the user's profile for the program turned shipped ones off.)
        let shipped_on = profiles.iter().all(|p| p.is_shipped() || p.shipped());
        // Only by where it ends as the kernel resolves it (a `#!` line's `..` after a
        // link reads as anywhere: a review found `#!~/go/bin/../../w/evil` given Go's
        // profile), only by the tool home holding it (never by its name, which a file a
        // jail made can carry), and never for one in a directory a jail could write.
        for interp in interps.iter().filter(|_| shipped_on) {
            let Some(real) = found(interp) else {
                continue;
            };
            if pola_fileserver::planted::unconfined_program(&real, true).is_err() {
                continue;
            }
            let shipped =
                pola_fileserver::shipped::for_place(&real, &identity.home, &|name: &str| {
                    exported(cmd, name)
                })?;
            for p in shipped {
                let known = profiles.iter().any(|q: &Profile| q.file == p.file);
                if !known && found_here(&p, &identity.home) {
                    profiles.push(p);
                }
            }
        }
        profiles
    } else {
        Vec::new()
    };
    let mut net = cmd.net.clone();
    let mut requests: Vec<(PathBuf, bool, Origin)> = Vec::new();
    for p in &profiles {
        net.add(p.network())
            .map_err(|e| JailError::Network(p.file.clone(), e))?;
        let origin = if p.is_shipped() {
            Origin::Shipped
        } else {
            Origin::Profile
        };
        // A profile names what a tool may use where it is: what is not there is not
        // granted (a missing place to write becomes a slot for it).
        // A tool's version file, where the tool looks for it: the working directory
        // or the nearest directory above it that has one.
        for (name, dir) in p.nearest() {
            let found = cmd
                .cwd
                .ancestors()
                .find(|d| fs::symlink_metadata(d.join(&name)).is_ok());
            // Never the home directory or one above it as a whole (a dotfiles repository
            // in ~ would give git every secret there).
            let grant = found
                .filter(|d| !(dir && identity.home.starts_with(d)))
                .map(|d| if dir { d.to_path_buf() } else { d.join(&name) });
            if dir && name == ".git" {
                if let Some(tree) = &grant {
                    requests.extend(
                        pola_fileserver::hints::linked_git_dirs(tree)
                            .into_iter()
                            .map(|d| (d, false, origin)),
                    );
                }
            }
            requests.extend(grant.map(|f| (f, false, origin)));
        }
        requests.extend(
            p.grants(&identity.home)
                .into_iter()
                .filter_map(|(path, write)| {
                    (write || fs::symlink_metadata(&path).is_ok()).then_some((path, write, origin))
                }),
        );
    }
    requests.extend(
        cmd.grants
            .iter()
            .map(|r| (r.path.clone(), r.write, Origin::Argument)),
    );
    if cmd.profiles {
        requests.extend(
            git_server_repository(cmd, &identity.home).map(|(p, w)| (p, w, Origin::Shipped)),
        );
    }

    let mut ns = env.namespace(identity)?;
    if cmd.processes {
        PROCESSES_SAID.store(true, std::sync::atomic::Ordering::Relaxed);
        ns.insert(
            Path::new("/proc"),
            grant(PathBuf::from("/proc"), Rights::ReadOnly, Origin::Processes),
        )?;
    }
    let through_proxy = pola_fileserver::proxy::wanted(&net, cmd.ask.is_some());
    let mut ca_names = Vec::new();
    if net.shares_host() || through_proxy {
        // Through the proxy, which resolves names itself: certificates, not resolv.conf.
        let skip: &[&str] = if through_proxy {
            &["/etc/resolv.conf", "/etc/hosts"]
        } else {
            &[]
        };
        // Each name granted is in its own `/etc/hosts`, at an address of the jail's
        // loopback where the proxy listens for it (`proxy::named`): programs that do
        // not use a proxy (ssh, nc, openssl, Node's fetch) reach it too (trial 10:
        // each needed `+ @net`).
        if !net.hosts().is_empty() {
            ns.insert(
                Path::new("/etc/hosts"),
                Entry::Generated(pola_fileserver::proxy::hosts_file(net.hosts())),
            )?;
        }
        for f in NETWORK_FILES.iter().filter(|f| !skip.contains(f)) {
            let path = Path::new(f);
            if path.exists() {
                ns.insert(
                    path,
                    grant(path.to_path_buf(), Rights::ReadOnly, Origin::Default),
                )?;
            }
        }
        // The certificates the user's environment names (a company's CA): passed, and
        // granted read-only.
        for name in CA_VARIABLES {
            let value = cmd
                .exports
                .iter()
                .chain(&cmd.source_env)
                .find(|(k, _)| k == name)
                .map(|(_, v)| PathBuf::from(v));
            if let Some(path) = value.filter(|p| p.is_absolute() && p.exists()) {
                ca_names.push(name.to_string());
                // Once, whichever of the variables name it (`grants` listed one file
                // four times; new-user trial).
                if !requests.iter().any(|(p, _, _)| *p == path) {
                    requests.push((path, false, Origin::Default));
                }
            }
        }
    }
    if cmd.profiles {
        for venv in venvs_of(&exe, real.as_deref(), &identity.home) {
            let virt = normalize(&venv)?;
            insert_grant(&mut ns, &virt, venv, Rights::ReadOnly, Origin::Shipped)?;
        }
    }
    // A program named through a link of the user's (`./node_modules/.bin/semver`,
    // to `../semver/bin/semver.js`) is shown as a link to where it is, and granted
    // there: it finds its own files from where it really is, as outside (bound at the
    // link's path, node looked for `../package.json` beside the link, and no grant of
    // the package helped; trial 7). Not where a grant holds the link already (a system
    // directory's), nor a link a jail made (`real` is none then).
    let exe_link = match &real {
        Some(real)
            if *real != exe
                && fs::symlink_metadata(&exe).is_ok_and(|m| m.file_type().is_symlink())
                && ns
                    .covering(&ns.canonical(&exe)?, Rights::ReadOnly)
                    .is_none() =>
        {
            insert_grant(
                &mut ns,
                real,
                real.clone(),
                Rights::ReadOnly,
                Origin::Executable,
            )?;
            Some((normalize(&exe)?, real.clone()))
        }
        _ => {
            insert_grant_found(
                &mut ns,
                &exe,
                exe.clone(),
                |_| real,
                Rights::ReadOnly,
                Origin::Executable,
            )?;
            None
        }
    };
    for interp in &interps {
        add_program(&mut ns, interp, Origin::Interpreter)?;
    }
    let protected = if requests.iter().any(|(_, write, _)| *write) {
        let mut own = crate::protect::own_dirs()
            .iter()
            .map(|d| crate::protect::Protected::find(d))
            .collect::<Result<Vec<_>, _>>()?;
        own.extend(
            crate::protect::startup_files(
                cmd.source_env
                    .iter()
                    .find(|(k, _)| k == "ENV")
                    .map(|(_, v)| v.as_os_str()),
            )
            .iter()
            .filter_map(|f| crate::protect::Protected::find_file(f)),
        );
        // The history a `HISTFILE` names, read at the next start as the user's own
        // lines (review: a jail could leave a FIFO or planted lines there).
        let histfile = cmd.source_env.iter().find(|(k, _)| k == "HISTFILE");
        if let Some((_, f)) = histfile.filter(|(_, f)| !f.is_empty()) {
            own.extend(crate::protect::Protected::find_file(&cmd.cwd.join(f)));
        }
        own
    } else {
        Vec::new()
    };
    let mut refused = Vec::new();
    let backup = in_place_backup(&launch::program_name(&exe), &cmd.argv)
        .filter(|_| cmd.words_typed && !cmd.made);
    // Links a jail may have made, named for reading: the jail gets the link itself.
    let mut links = Vec::new();
    // The user's links named, with what they lead to: granted once every word is.
    let mut through = Vec::new();
    // Directories a word walks out of with `..` (`gzip -c src/../README`).
    let mut walked = Vec::new();
    for (path, write, origin) in requests {
        let host = cmd.cwd.join(&path);
        let virt = normalize(&host)?;
        if jails_own(&ns, &virt) {
            tracing::debug!(path = %text::shown(&virt), "not granted: the jail has its own there");
            continue;
        }
        if !write {
            use pola_fileserver::planted::{self, Refused};
            match planted::resolve(&host) {
                Err(e @ Refused::Planted { .. }) => {
                    if let Refused::Planted { link, target } = &e {
                        if normalize(link).is_ok_and(|l| l == virt) {
                            links.push((virt.clone(), target.clone()));
                        }
                    }
                    refused.push(e);
                    continue;
                }
                Err(e @ Refused::Special { .. }) => {
                    refused.push(e);
                    continue;
                }
                // Naming a socket grants nothing: whoever listens there would take the
                // command's connections with the authority they have (a read-only
                // mount does not stop connect). The word stays a word.
                Ok(fd)
                    if nix::sys::stat::fstat(&fd)
                        .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFSOCK) =>
                {
                    refused.push(Refused::Socket(host.clone()));
                    continue;
                }
                _ => {}
            }
        }
        let meta = fs::symlink_metadata(&host);
        let exists = meta.is_ok();
        // A path named to read that is not there is said, also where a write grant of
        // the line makes a slot around it (`--ro ci --rw ci/obj`, neither there: `ci`
        // became a slot and the command ran without what it was to read; trial).
        if !write && origin == Origin::Argument && !exists {
            return Err(ResolveError::NotFound(virt).into());
        }
        // A link of the user's named for reading: shown as the link it is (`readlink`,
        // `ls -l`, `cp -P`, `tar`, `git add` saw the file it leads to, and archived or
        // committed that), with what it leads to granted where the jail resolves it.
        let a_link = meta.as_ref().is_ok_and(|m| m.file_type().is_symlink());
        if !write && origin == Origin::Argument && a_link && ns.get(&virt).is_none() {
            if let Some(shown) = users_link(&ns, &host, &virt) {
                through.push((virt, host, shown, Rights::ReadOnly));
                continue;
            }
        }
        if write && origin == Origin::Argument && a_link {
            if let Some(shown) = users_link(&ns, &host, &virt) {
                through.push((virt.clone(), host.clone(), shown, Rights::Slot));
            }
        }
        if write && implicit_write_refused(&path, &host, origin, &protected) {
            tracing::debug!(path = %text::shown(&host), "a profile's write grant left out");
            continue;
        }
        let named_host = write.then(|| host.clone());
        let (host, virt, rights) = match (write, origin) {
            (false, _) => (host, virt, Rights::ReadOnly),
            // What a profile names writable is a tool's own state: the directory or
            // file as it is, or a slot for it when it is not there yet.
            (true, Origin::Profile | Origin::Shipped) if exists => (host, virt, Rights::ReadWrite),
            (true, _) => write_grant(&path, host, virt, &cmd.cwd, &protected),
        };
        // (The name itself, not a missing directory on its way: `=> new.db/x`.)
        let named_itself = named_host.as_ref() == Some(&host);
        if rights == Rights::Slot && named_itself && is_sqlite_database(&host) {
            for (companion_virt, companion) in sqlite_companions(&virt, &host) {
                if ns.get(&companion_virt).is_none() {
                    insert_grant(&mut ns, &companion_virt, companion, Rights::Slot, origin)?;
                }
            }
        }
        // `sed -i.bak … => f`: the backup it was asked to make beside f, a slot too
        // (trial 16: it was discarded as scratch, and the command exited 0).
        if let Some(name) = backup
            .as_deref()
            .filter(|_| rights == Rights::Slot && named_itself)
        {
            if let Some(made) = backup_name(name, &virt) {
                let companion_virt = virt.with_file_name(&made);
                if ns.get(&companion_virt).is_none() {
                    insert_grant(
                        &mut ns,
                        &companion_virt,
                        host.with_file_name(&made),
                        Rights::Slot,
                        origin,
                    )?;
                }
            }
        }
        // A database read: the rollback journal a killed writer left beside it is read
        // too, so that SQLite sees the transaction was not finished and refuses to read
        // it read-only, as it does unconfined; hidden, the half-written pages were read
        // as data, without a word (trial 14). (A WAL database read-only fails loudly
        // without its log: SQLite must write its index.)
        if rights == Rights::ReadOnly && origin == Origin::Argument {
            let there: Vec<(PathBuf, PathBuf)> = sqlite_companions(&virt, &host)
                .into_iter()
                .take(1)
                .filter(|(_, h)| fs::symlink_metadata(h).is_ok_and(|m| m.is_file()))
                .collect();
            if !there.is_empty() && is_sqlite_database(&host) {
                for (companion_virt, companion) in there {
                    if ns.get(&companion_virt).is_none() {
                        insert_grant(
                            &mut ns,
                            &companion_virt,
                            companion,
                            Rights::ReadOnly,
                            origin,
                        )?;
                    }
                }
            }
        }
        // (Only a word granted: nothing of a refused one.)
        walked.extend(walked_out_of(&cmd.cwd, &path));
        insert_grant(&mut ns, &virt, host, rights, origin)?;
    }
    for dir in walked {
        let mut tried = ns.clone();
        if ns.get(&dir).is_none()
            && !ns.holds(&dir, Rights::ReadOnly)
            && tried.insert(&dir, Entry::Dir).is_ok()
        {
            ns = tried;
        }
    }
    // What the user's links lead to, after the words: where a word of the line is
    // granted already (read-only, say), that grant stands and nothing more is.
    for (virt, host, shown, rights) in through {
        let granted = match &shown.target {
            None => true,
            Some((target_virt, target)) => {
                let rights = match rights {
                    Rights::ReadOnly => Rights::ReadOnly,
                    _ if fs::metadata(target).is_ok_and(|m| m.is_dir()) => Rights::ReadWrite,
                    _ if protected
                        .iter()
                        .any(|p| p.named(target) || p.inside(target).is_some()) =>
                    {
                        // Never pola-sh's own files (SECURITY.md 27: however reached).
                        Rights::ReadOnly
                    }
                    _ => Rights::Slot,
                };
                let mut tried = ns.clone();
                let placed = ns.get(target_virt).is_none()
                    && insert_grant(
                        &mut tried,
                        target_virt,
                        target.clone(),
                        rights,
                        Origin::Argument,
                    )
                    .is_ok();
                if placed {
                    ns = tried;
                }
                placed
            }
        };
        match (rights, granted) {
            // Named to read: the link itself, or as before (what it leads to, there).
            (Rights::ReadOnly, true) => links.push((virt, shown.text)),
            (Rights::ReadOnly, false) => {
                insert_grant(&mut ns, &virt, host, Rights::ReadOnly, Origin::Argument)?
            }
            // Named to write: the link is the slot, granted with the words.
            _ => {}
        }
    }
    // Shown as the link it is (`ls -l`, `readlink`), resolved inside the jail, where
    // only what was granted is; never written into a directory granted as a whole.
    for (virt, target) in links.into_iter().chain(exe_link) {
        if ns.get(&virt).is_none() && ns.covering(&virt, Rights::ReadOnly).is_none() {
            ns.insert(&virt, Entry::Symlink(target))?;
        }
    }
    crate::protect::protect(&mut ns, &protected)?;
    crate::protect::hide_aside(&mut ns)?;
    ns.ensure_dir(&cmd.cwd)?;
    Ok(Prepared {
        ns,
        exe,
        net,
        env_names: profiles
            .iter()
            .flat_map(Profile::env)
            .chain(ca_names)
            .collect(),
        profiles: profiles.into_iter().map(|p| p.file).collect(),
        refused,
        limits: env.limits.with(&cmd.limits),
    })
}

/// Whether `virt` is in a file system the jail has of its own (its /proc, its devpts),
/// also through the jail's own links, the last one followed: `/dev/stdin`, `/dev/fd`,
/// `/dev/fd/3` (a process substitution) name the command's own descriptors.
fn jails_own(ns: &Namespace, virt: &Path) -> bool {
    let mut path = virt.to_path_buf();
    for _ in 0..40 {
        let Ok(canonical) = ns.canonical(&path) else {
            return false;
        };
        if ns.is_jails_own(&path) || ns.is_jails_own(&canonical) {
            return true;
        }
        match ns.get(&canonical) {
            Some(Entry::Symlink(target)) => {
                path = canonical.parent().unwrap_or(Path::new("/")).join(target)
            }
            _ => return false,
        }
    }
    false
}

/// A link of the user's named on the line: its text, and what it leads to (on the host
/// and where the jail resolves its text), to be granted with it — named to read, the
/// jail gets the link itself (`readlink`, `ls -l`, `cp -P`, `tar`, `git add` saw the
/// file it leads to, and archived or committed that); named to write (`vim =>
/// ~/.vimrc` into dotfiles), the link is the slot (`rm => link` removes the link) and
/// what it leads to is writable too (vim opened an empty "[New]" buffer and could not
/// save). No target where the jail resolves the text into a file system of its own
/// (`/dev/stdout`) or to a device it has.
///
/// Only a link no jail may have made, leading through none (not even one that leads
/// where jails wrote: its text would choose where what it leads to lands in the jail),
/// and whose text names, as text, what the host resolves it to, at the same path in
/// the jail (no link and no `..` after one on the way: the jail resolves the text
/// itself). `None` otherwise: the caller grants as before.
fn users_link(ns: &Namespace, host: &Path, virt: &Path) -> Option<UsersLink> {
    use pola_fileserver::planted::canonical_users;
    let text = fs::read_link(host).ok()?;
    let target = canonical_users(host).ok()?;
    let dir = canonical_users(host.parent()?).ok()?;
    if normalize(&dir.join(&text)).ok()? != target {
        return None;
    }
    // And the jail resolves it there too: the same path (not a directory reached
    // through a link, where `..` in the text would climb elsewhere in the jail).
    let target_virt = normalize(&virt.parent()?.join(&text)).ok()?;
    let device = target_virt.starts_with("/dev") && ns.get(&target_virt).is_some();
    if !device && target_virt != target {
        return None;
    }
    let target = (!(jails_own(ns, &target_virt) || device)).then_some((target_virt, target));
    Some(UsersLink { text, target })
}

/// What [`users_link`] found.
struct UsersLink {
    text: PathBuf,
    /// Where the jail resolves the text, and what the host resolves it to.
    target: Option<(PathBuf, PathBuf)>,
}

/// `mv SOURCE… DEST` with a source named without `=>` (granted read-only): in the
/// jail every grant is a mount of its own, so `mv` cannot rename it and falls back to
/// copying it to `DEST` and removing it, which fails — leaving both, or, where it could
/// not write `DEST` either, saying "inter-device move failed" before the hint (trial
/// 18). Refused before it runs, with the line that works. `None` when it may run: only
/// the system's `mv`, whose sources are not read-only mounts of their own in `ns` (one
/// inside a directory the line gives to write is renamed there).
fn moves_what_it_cannot_remove(cmd: &Command, exe: &Path, ns: &Namespace) -> Option<String> {
    let system = [Path::new("/usr/bin/mv"), Path::new("/bin/mv")];
    if !system.contains(&exe) {
        return None;
    }
    let args = cmd.argv.get(1..).unwrap_or_default();
    let (options, operands) = pola_fileserver::hints::options_and_operands(args);
    // `-t DIR`/`--target-directory`: the destination comes first; not followed here
    // (the hint after the command still says what to do).
    if options
        .iter()
        .any(|b| b.starts_with(b"--t") || (!b.starts_with(b"--") && b.contains(&b't')))
    {
        return None;
    }
    let (dest, sources) = operands.split_last()?;
    let at = |word: &OsString| placed(&cmd.cwd, Path::new(word));
    let mount = |word: &OsString| own_mount(ns, &cmd.cwd, word);
    let read_only = sources
        .iter()
        .find(|s| mount(s) == Some(Rights::ReadOnly))?;
    let writable = |word: &OsString| {
        at(word).is_some_and(|p| ns.holds(&p, Rights::ReadWrite))
            || mount(word).is_some_and(Rights::writable)
    };
    // (Options as typed: `word` would make `-v` a name, `./-v`.)
    let shown = |word: &OsString| text::arg_word(word);
    // Into a directory it cannot write: the new names there, not all of it.
    let into: Vec<String> = match cmd.cwd.join(dest).is_dir() && !writable(dest) {
        true => sources
            .iter()
            .filter_map(|s| Some(Path::new(dest).join(Path::new(s).file_name()?)))
            .map(|made| format!("=> {}", text::word(&made)))
            .collect(),
        false => Vec::new(),
    };
    let fixed: Vec<String> = args
        .iter()
        .map(|w| match w {
            w if sources.contains(&w) => format!("=> {}", shown(w)),
            w if *w == **dest && into.len() == 1 => into[0].clone(),
            // (Given to write as a name of its own, or not at all: `=>` it.)
            w if *w == **dest
                && into.is_empty()
                && (!writable(w) || mount(w).is_some_and(Rights::writable)) =>
            {
                format!("=> {}", shown(w))
            }
            w => shown(w),
        })
        .collect();
    let extra = match into.len() > 1 {
        true => format!(" + {}", into.join(" ")),
        false => String::new(),
    };
    Some(format!(
        "mv: {} was granted read-only (named without =>): mv would copy it and could not remove it; nothing was moved — try: mv {}{extra}",
        text::shown(Path::new(read_only)),
        fixed.join(" ")
    ))
}

/// The rights of the mount of its own that `word` (run in `cwd`) is in `ns`, if it is
/// one: not a name inside a directory granted, nor the jail's own.
fn own_mount(ns: &Namespace, cwd: &Path, word: &OsStr) -> Option<Rights> {
    match ns.get(&placed(cwd, Path::new(word))?) {
        Some(Entry::Grant(g)) => Some(g.rights),
        _ => None,
    }
}

/// `rm f` with `f` named without `=>` (granted read-only): a mount of its own, which no
/// one in the jail can remove — rm said "Device or resource busy", which names nothing
/// the user did (trial 19), and with several names removed the others. Refused before
/// it runs, with the line that works: each such name `=>`. Only the system's `rm`,
/// `rmdir` and `unlink`.
fn removes_what_it_cannot(cmd: &Command, exe: &Path, ns: &Namespace) -> Option<String> {
    let tool = launch::program_name(exe);
    let system = exe
        .parent()
        .is_some_and(|d| d == Path::new("/usr/bin") || d == Path::new("/bin"));
    if !system || !["rm", "rmdir", "unlink"].contains(&tool.as_str()) {
        return None;
    }
    let args = cmd.argv.get(1..).unwrap_or_default();
    let (_, operands) = pola_fileserver::hints::options_and_operands(args);
    let mount = |word: &OsString| own_mount(ns, &cmd.cwd, word);
    let first = operands
        .iter()
        .find(|w| mount(w) == Some(Rights::ReadOnly))?;
    // Each name of its own `=>`, those the line gave so already too.
    let fixed: Vec<String> = args
        .iter()
        .map(|w| match operands.contains(&w) && mount(w).is_some() {
            true => format!("=> {}", text::word(Path::new(w))),
            false => text::arg_word(w),
        })
        .collect();
    Some(format!(
        "{tool}: {} was granted read-only (named without =>), and cannot be removed; nothing was removed — try: {tool} {}",
        text::shown(Path::new(first)),
        fixed.join(" ")
    ))
}

/// The directories `path` (from `cwd`) walks out of with `..`, as the jail will see
/// them: each there as an empty directory of the skeleton, so that the jail resolves
/// the word as the host does (`gzip -c src/../README` was given README alone, and the
/// jail had no `src` to walk through; trial 17). Only real directories of the host: a
/// link's `..` leads elsewhere, and the jail is not shown that it is one.
fn walked_out_of(cwd: &Path, path: &Path) -> Vec<PathBuf> {
    use std::path::Component;
    let mut out = Vec::new();
    if !path.components().any(|c| c == Component::ParentDir) {
        return out;
    }
    let mut at = cwd.to_path_buf();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                let dir = normalize(&at).ok().filter(|d| !cwd.starts_with(d));
                if fs::symlink_metadata(&at).is_ok_and(|m| m.is_dir()) {
                    out.extend(dir);
                }
                at.pop();
            }
            Component::Normal(name) => {
                at.push(name);
                // Nothing at or beyond a link on the way (review: one a jail planted
                // was followed with the shell's authority, and whether a directory was
                // there showed in the jail).
                if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                    return out;
                }
            }
            Component::RootDir => at = PathBuf::from("/"),
            Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// Where a path of the line (a word, or a grant as the line gave it) is, run in `cwd`:
/// joined and normalised as the jail will see it.
pub fn placed(cwd: &Path, path: &Path) -> Option<PathBuf> {
    normalize(&cwd.join(path)).ok()
}

/// `git rebase -i HEAD~2 + => .git`: with `.git` writable and the work tree read-only,
/// git starts the rebase in `.git`, cannot unlink or write the tree's files ("Device
/// or resource busy"), and stops half-way — and `git rebase --abort` fails the same
/// way. Refused before it starts, with the grant that works (new-user trial).
fn changes_a_work_tree_it_cannot_write(cmd: &Command, tool: &str) -> Option<String> {
    if tool != "git" {
        return None;
    }
    let words: Vec<PathBuf> = cmd.argv.iter().skip(1).map(PathBuf::from).collect();
    // git's own options that move the repository or the tree are not followed here.
    if git_moves_its_tree(&words) {
        return None;
    }
    let tree = git_work_tree(&cmd.cwd)?;
    let writable = |path: &Path| line_covers(cmd, path, true);
    if !writable(&tree.join(".git")) || writable(tree) {
        return None;
    }
    // `git sw` where `sw` is an alias of `switch` (it went past; new-user trial).
    let (words, alias) = match git_alias_expanded(tree, &words) {
        Some((alias, expanded)) => (expanded, Some(alias)),
        None => (words, None),
    };
    let sub = String::from_utf8_lossy(pola_fileserver::hints::git_rewrites_work_tree(&words)?);
    // Files named to change, each given to write (`git restore a.txt => a.txt + =>
    // .git`): it changes only those (refused too, which sent the trial to `+ => .`).
    if names_only_what_it_may_write(&words, &writable, &cmd.cwd) {
        return None;
    }
    // What `git stash` or `git switch BRANCH` will rewrite, listed before it, each given
    // to write (`git stash + => .git => a.c`; trials 3 and 5: refused, and `+ => .`
    // asked for). Nothing listed (a branch at the same commit): nothing rewritten.
    if let Some(files) = &cmd.work_tree_changes {
        if files.iter().all(|f| writable(&tree.join(f))) {
            return None;
        }
    }
    let (named, typed) = match &alias {
        Some(alias) => (format!("{alias} ({sub})"), alias.clone()),
        None => (sub.to_string(), sub.to_string()),
    };
    // As the line would name it: `.`, `..` from a subdirectory, else the full path.
    let shown = match cmd.cwd.strip_prefix(tree) {
        Ok(below) if below.as_os_str().is_empty() => ".".to_string(),
        Ok(below) => vec![".."; below.components().count()].join("/"),
        _ => text::shown(tree).to_string(),
    };
    // The files git listed, if a few: given to write with `.git`, they are enough.
    let at = |f: &Path| match shown.as_str() {
        "." => text::word(f),
        _ => text::word(&Path::new(&shown).join(f)),
    };
    // Or those it names (`git mv a b`), as the line gave them.
    let files: Option<Vec<String>> = match (&cmd.work_tree_changes, git_named_files(&words)) {
        (Some(files), _) if !files.is_empty() && files.len() <= 12 => {
            Some(files.iter().map(|f| at(f)).collect())
        }
        (_, Some(named)) if named.len() <= 12 && alias.is_none() => {
            Some(named.iter().map(text::word).collect())
        }
        _ => None,
    };
    let grant = match files {
        Some(files) => std::iter::once(at(Path::new(".git")))
            .chain(files)
            .map(|f| format!("=> {f}"))
            .collect::<Vec<_>>()
            .join(" "),
        None => format!("=> {shown}"),
    };
    Some(format!(
        "git {named} rewrites the files of the work tree {shown}, which were granted read-only (only its .git to write): it would stop half-way; nothing was done — try: git {typed} … + {grant}"
    ))
}

/// Without hints (scripts): a bare `ls` or `du` lists the working directory, which a
/// line that grants nothing there shows empty — status 0, and a script's "is it
/// empty?" got the wrong answer, in silence (both new-user trials). Said before it
/// runs, once a program for each shell; with hints, what it saw is said after.
fn lists_what_it_was_not_given(cmd: &Command, tool: &str, ns: &Namespace) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let lister = pola_fileserver::hints::LISTERS.contains(&tool);
    if HINTS.load(std::sync::atomic::Ordering::Relaxed) || !lister {
        return None;
    }
    let bare = cmd
        .argv
        .iter()
        .skip(1)
        .all(|a| a.as_bytes().starts_with(b"-") && a.as_bytes() != b"--");
    if !bare || ns.holds(&cmd.cwd, Rights::ReadOnly) {
        return None;
    }
    // Only where there is something it does not see.
    fs::read_dir(&cmd.cwd).ok()?.next()?.ok()?;
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if said.iter().any(|t| t == tool) {
        return None;
    }
    said.push(tool.to_string());
    Some(format!(
        "{}: {tool} lists the working directory, which its line did not grant: it sees it empty — {tool} . (or + .) lists it",
        cmd.program
    ))
}

/// With hints: a capability written among the command's words without `+` before it
/// (`curl -O URL @net:registry.npmjs.org`) is one of its arguments, which the program
/// then failed on ("URL using bad/illegal format"), said nothing of (trial 7). Said
/// before it runs; not for a file of that name there, nor in text a command made. No
/// grant is offered: the word may be a command's output.
fn capability_as_argument(cmd: &Command) -> Option<String> {
    if !HINTS.load(std::sync::atomic::Ordering::Relaxed) || cmd.made {
        return None;
    }
    let word = cmd.argv.iter().skip(1).find(|w| {
        w.to_str().is_some_and(crate::grants::is_capability_word)
            && cmd.cwd.join(w).symlink_metadata().is_err()
    })?;
    Some(format!(
        "{}: {}: {} is one of its arguments, not a grant (a capability is granted after +, written on the line: … + @net:HOST)",
        cmd.program,
        text::shown(&cmd.argv[0]),
        text::shown(word)
    ))
}

/// `make => .` (or `=> build/`): `=>` passes the word it grants, so make was given the
/// directory as a target, found nothing to do for it and exited 0 (trial 13). Said
/// before it runs, with the grant that does not pass it. `passed`: the write grants
/// the line passes too (`=> build`; `+ => build` beside a target `build` typed is
/// what was meant: trial 16).
pub fn directory_as_target(argv0: &str, passed: &[PathBuf], cwd: &Path) -> Option<String> {
    let tool = Path::new(argv0).file_name()?;
    if !["make", "gmake"].iter().any(|m| tool == *m) {
        return None;
    }
    let word = passed.iter().find(|w| cwd.join(w).is_dir())?;
    let shown = text::shown(word);
    Some(format!(
        "{}: {}: => {shown} passes {shown} to it as a target (=> grants the word that follows and passes it) — to grant it without passing it: + => {shown}",
        crate::exec::PROGRAM,
        text::shown(argv0),
    ))
}

/// Whether git's `words` hold one of its options that move the repository or the work
/// tree elsewhere (`-C`, `--git-dir`, `--work-tree`), which the shell does not follow.
pub fn git_moves_its_tree(words: &[PathBuf]) -> bool {
    words.iter().any(|w| {
        let w = w.as_os_str().as_bytes();
        w == b"-C" || w.starts_with(b"--git-dir") || w.starts_with(b"--work-tree")
    })
}

/// The work tree git finds from `cwd`: the nearest directory holding `.git` (a
/// directory).
pub fn git_work_tree(cwd: &Path) -> Option<&Path> {
    cwd.ancestors().find(|d| d.join(".git").is_dir())
}

/// Whether a grant of `cmd`'s line (a write grant, with `write`) holds `path`.
fn line_covers(cmd: &Command, path: &Path, write: bool) -> bool {
    cmd.grants
        .iter()
        .filter(|g| g.write || !write)
        .filter_map(|g| placed(&cmd.cwd, &g.path))
        .any(|g| path.starts_with(&g))
}

/// Whether git's `words` change only files they name ([`git_named_files`]), each of
/// which `writable` (run in `cwd`).
fn names_only_what_it_may_write(
    words: &[PathBuf],
    writable: &dyn Fn(&Path) -> bool,
    cwd: &Path,
) -> bool {
    git_named_files(words).is_some_and(|paths| {
        paths
            .iter()
            .all(|p| placed(cwd, p).is_some_and(|p| writable(&p)))
    })
}

/// The files git's `words` name to change, if it changes only those: `restore`, `rm`
/// and `mv` with their paths, `checkout` with paths after `--`, or with operands that
/// are all such files (not a branch).
pub(crate) fn git_named_files(words: &[PathBuf]) -> Option<Vec<&PathBuf>> {
    let (sub, rest) = pola_fileserver::hints::git_subcommand(words)?;
    if ![&b"restore"[..], b"rm", b"mv", b"checkout"].contains(&sub) {
        return None;
    }
    let paths: Vec<&PathBuf> = match rest.iter().position(|w| w == "--") {
        Some(at) => rest[at + 1..].iter().collect(),
        None => rest
            .iter()
            .filter(|w| !w.as_os_str().as_bytes().starts_with(b"-"))
            .collect(),
    };
    (!paths.is_empty()).then_some(paths)
}

/// `git worktree prune + => .git` (new-user trial): the jail cannot see a worktree
/// elsewhere (`../wt`), so git takes it for gone and removes its record from `.git`,
/// and the worktree is then no repository at all ("not a git repository"). Refused
/// before it runs while a worktree it would forget is on the host but not granted.
/// The records are text a jail may have written: their paths are only looked at, and
/// escaped.
fn forgets_worktrees_it_cannot_see(cmd: &Command, tool: &str) -> Option<String> {
    if tool != "git" {
        return None;
    }
    let words: Vec<PathBuf> = cmd.argv.iter().skip(1).map(PathBuf::from).collect();
    let (sub, rest) = pola_fileserver::hints::git_subcommand(&words)?;
    let dry = rest.iter().any(|w| w == "-n" || w == "--dry-run");
    if sub != b"worktree" || rest.first().is_none_or(|w| w != "prune") || dry {
        return None;
    }
    let tree = git_work_tree(&cmd.cwd)?;
    let home = identity().map(|i| i.home).unwrap_or_default();
    let mut hidden: Vec<PathBuf> = fs::read_dir(tree.join(".git/worktrees"))
        .ok()?
        .flatten()
        .filter_map(|record| {
            let gitdir = read_config(&record.path().join("gitdir"), false)?;
            // (Relative to the record with git's `worktree.useRelativePaths`.)
            let dotgit = record.path().join(gitdir.trim_end());
            // A worktree git would forget: its `.git` file leads back to this record,
            // as git links the two (a record alone is text a jail may have written,
            // naming any place: review). Never the home directory or one above it.
            let back = read_config(&dotgit, false)?;
            let back = back.trim_end().strip_prefix("gitdir: ")?;
            let wt = dotgit.parent()?;
            let linked =
                fs::canonicalize(wt.join(back)).ok()? == fs::canonicalize(record.path()).ok()?;
            let sane = !home.starts_with(wt);
            (linked && sane && !line_covers(cmd, &dotgit, false)).then(|| wt.to_path_buf())
        })
        .collect();
    hidden.sort();
    let first = hidden.first()?;
    let more = match hidden.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let grants: Vec<String> = hidden.iter().map(text::word).collect();
    Some(format!(
        "git worktree prune would forget the worktree {}{more}, which it cannot see (not granted): nothing was done — try: git worktree prune … + {}",
        text::shown(first),
        grants.join(" ")
    ))
}

/// `words` (git's arguments) with an alias of git's as git would run it: `sw feature`
/// for `switch feature` when the repository's configuration (in `tree`) or the
/// user's says `alias.sw = switch`. `None` if its subcommand is one git knows of here,
/// or no alias (or one run by the shell, `!…`: not followed). The alias's name is
/// escaped, as the configuration is text a jail may have written.
fn git_alias_expanded(tree: &Path, words: &[PathBuf]) -> Option<(String, Vec<PathBuf>)> {
    if pola_fileserver::hints::what_it_changes("git", words).is_some() {
        return None;
    }
    let (sub, rest) = pola_fileserver::hints::git_subcommand(words)?;
    let name = std::str::from_utf8(sub).ok().filter(|n| !n.contains('/'))?;
    // git never takes an alias named as one of its commands (`alias.status` a jail
    // wrote would have made `git status` refused, and told `+ => .`; review).
    let command = ["/usr/lib/git-core", "/usr/libexec/git-core"]
        .iter()
        .any(|dir| {
            Path::new(dir)
                .join(format!("git-{name}"))
                .symlink_metadata()
                .is_ok()
        });
    if command {
        return None;
    }
    // As git finds the user's files: by `$HOME` and `$XDG_CONFIG_HOME`.
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .or_else(|| identity().map(|i| i.home).ok())
        .unwrap_or_default();
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"));
    // The repository's own configuration is read first: it overrides the user's.
    // The user's own files may be links (a dotfiles repository's); the repository's,
    // which a jail may have written, is not followed.
    let value = [
        (tree.join(".git/config"), false),
        (home.join(".gitconfig"), true),
        (xdg.join("git/config"), true),
    ]
    .iter()
    .find_map(|(file, follow)| git_config_alias(&read_config(file, *follow)?, name))?;
    if value.starts_with('!') {
        return None;
    }
    let at = words.len() - rest.len() - 1;
    let mut expanded: Vec<PathBuf> = words[..at].to_vec();
    expanded.extend(value.split_whitespace().map(PathBuf::from));
    expanded.extend_from_slice(rest);
    Some((text::shown(name).to_string(), expanded))
}

/// A configuration file's text, if it is a regular file of a sane size: never a FIFO
/// or a device a jail planted there (which would hold the shell), nor a link unless
/// `follow`.
fn read_config(file: &Path, follow: bool) -> Option<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let links = if follow { 0 } else { libc::O_NOFOLLOW };
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NONBLOCK | links)
        .open(file)
        .ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    let mut text = String::new();
    f.take(1 << 20).read_to_string(&mut text).ok()?;
    Some(text)
}

/// The value of `alias.NAME` in a git configuration's text (the last one it sets), its
/// quotes removed.
fn git_config_alias(config: &str, name: &str) -> Option<String> {
    let mut in_alias = false;
    let mut found = None;
    for line in config.lines().map(str::trim) {
        if let Some(section) = line.strip_prefix('[') {
            let section = section.split(']').next().unwrap_or_default().trim();
            in_alias = section.eq_ignore_ascii_case("alias");
            continue;
        }
        let Some((key, value)) = line.split_once('=').filter(|_| in_alias) else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case(name) {
            found = Some(value.trim().replace('"', ""));
        }
    }
    found
}

/// Whether `tool`, given `args`, follows a link named as an operand. `ls -l`/`-d`,
/// `readlink`, `stat` and `file` read the link itself, unless told to follow it.
fn follows_named_links(tool: &str, args: &[OsString]) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let options: Vec<&[u8]> = args
        .iter()
        .map(|a| a.as_bytes())
        .take_while(|a| *a != b"--")
        .filter(|a| a.len() > 1 && a.starts_with(b"-"))
        .collect();
    let short = |c: u8| {
        options
            .iter()
            .any(|o| !o.starts_with(b"--") && o[1..].contains(&c))
    };
    let long = |name: &[u8]| options.iter().any(|o| o.starts_with(name));
    let dereference = long(b"--dereference") || long(b"--canonicalize");
    match tool {
        "ls" => short(b'L') || short(b'H') || dereference || !(short(b'l') || short(b'd')),
        "readlink" => short(b'f') || short(b'e') || short(b'm') || dereference,
        "stat" | "file" => short(b'L') || dereference,
        _ => true,
    }
}

/// Whether `host` is an SQLite database (its header), or, not there yet or empty, is
/// named as one (`.db`, `.sqlite`, `.sqlite3`, `.db3`).
fn is_sqlite_database(host: &Path) -> bool {
    const HEADER: &[u8] = b"SQLite format 3\0";
    let named = || {
        host.extension()
            .is_some_and(|e| ["db", "sqlite", "sqlite3", "db3"].iter().any(|x| e == *x))
    };
    match fs::symlink_metadata(host) {
        Err(e) => e.kind() == std::io::ErrorKind::NotFound && named(),
        Ok(m) if !m.is_file() => false,
        Ok(m) if m.len() == 0 => named(),
        Ok(_) => {
            // (Where a jail writes: a link, a FIFO or a device put there meanwhile is
            // never opened as one.)
            let Some(mut f) = pola_fileserver::planted::open_regular_unfollowed(host) else {
                return false;
            };
            let mut first = [0u8; 16];
            f.read_exact(&mut first).is_ok() && first == HEADER
        }
    }
}

/// The suffix of the backup an in-place edit makes of each file it edits: GNU sed's
/// `-i.bak`, `-Ei.bak`, `--in-place=.bak`, perl's `-i.bak`, `-pi.bak`; `None` without
/// one (`sed -i`, `perl -pi -e`).
fn in_place_backup(tool: &str, argv: &[OsString]) -> Option<String> {
    // The options without an argument that may come before `i` in a cluster.
    let before: &str = match tool {
        "sed" => "nrsuzE",
        "perl" => "pnwlaTtWsS",
        _ => return None,
    };
    let mut words = argv.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(a) = words.next() {
        if a == "--" {
            break;
        }
        // perl's switches end at its program (`perl ./t.pl -i.x` passes `-i.x` to the
        // script: security review); `-e` takes the next word.
        if tool == "perl" {
            if !a.starts_with('-') {
                break;
            }
            if a == "-e" || a == "-E" {
                words.next();
                continue;
            }
        }
        if let Some(suffix) = a.strip_prefix("--in-place=").filter(|_| tool == "sed") {
            return (!suffix.is_empty()).then(|| suffix.to_string());
        }
        let Some(cluster) = a.strip_prefix('-').filter(|c| !c.starts_with('-')) else {
            continue;
        };
        let Some(at) = cluster.find('i') else {
            continue;
        };
        if cluster[..at].chars().all(|c| before.contains(c)) {
            let suffix = &cluster[at + 1..];
            return (!suffix.is_empty()).then(|| suffix.to_string());
        }
    }
    None
}

/// The name of the backup `suffix` makes of the file `file`: the suffix after its
/// name, or each `*` in it the name (sed's); `None` where that is another directory.
fn backup_name(suffix: &str, file: &Path) -> Option<std::ffi::OsString> {
    let name = file.file_name()?;
    let made = if suffix.contains('*') {
        let name = name.to_str()?;
        std::ffi::OsString::from(suffix.replace('*', name))
    } else {
        let mut made = name.to_os_string();
        made.push(suffix);
        made
    };
    (!made.as_encoded_bytes().contains(&b'/')).then_some(made)
}

/// The files SQLite keeps beside database `host` (at `virt` in the jail) while it
/// writes it: its rollback journal, its write-ahead log and that log's index. Given
/// with the database's write grant: when the command is killed, they hold what makes
/// the database whole again (the next opening rolls back or replays them), and
/// discarded as the command's scratch they left it half-written or without what it had
/// committed (trial 12: `timeout -s KILL 3 sqlite3 => t.db …`).
fn sqlite_companions(virt: &Path, host: &Path) -> Vec<(PathBuf, PathBuf)> {
    ["-journal", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let with = |p: &Path| {
                let mut s = p.as_os_str().to_os_string();
                s.push(suffix);
                PathBuf::from(s)
            };
            (with(virt), with(host))
        })
        .collect()
}

/// What a write grant on the command line (`=> path`, `--rw path`) is.
///
/// A slot for its name (`pola_fileserver::slots`), so the command may create, replace,
/// rename or remove it — except for a directory named as `.`, `..` or with a trailing
/// `/`, the working directory or one above it (but for the shell's own scratch, which
/// a script removes from inside: `cd "$tmp"` and the trap's `rm -rf "$tmp"` failed
/// with "Device or resource busy"; scripting trial), or one that holds pola-sh's
/// configuration: that one is granted read-write as it is (its contents may change; it
/// stays where it is). A name whose directory does not exist yet (`mkdir -p => a/b/c`)
/// makes the first missing directory on its way the slot.
fn write_grant(
    named: &Path,
    host: PathBuf,
    virt: PathBuf,
    cwd: &Path,
    protected: &[crate::protect::Protected],
) -> (PathBuf, PathBuf, Rights) {
    let text = named.as_os_str().as_bytes();
    let dir_as_is = text.ends_with(b"/")
        || named.file_name().is_none_or(|n| n == "." || n == "..")
        || (cwd.starts_with(&virt) && !crate::scratch::is_scratch(&host))
        || protected
            .iter()
            .any(|p| p.inside(&host).is_some() || p.named(&host));
    // A file the user may write in a directory they may not (a shared directory): a
    // slot needs its directory (staging beside it) and could do nothing more there than
    // write the file in place, as the user could — it is granted so. `tee => f` failed
    // with "permission denied" on the directory, after the hint had said to use it
    // (new-user trial).
    let writable = |p: &Path| nix::unistd::access(p, nix::unistd::AccessFlags::W_OK).is_ok();
    let in_place = |m: &fs::Metadata| {
        m.is_file() && writable(&host) && host.parent().is_some_and(|d| !writable(d))
    };
    match fs::symlink_metadata(&host) {
        Ok(m) if m.is_dir() && dir_as_is => return (host, virt, Rights::ReadWrite),
        Ok(m) if in_place(&m) => return (host, virt, Rights::ReadWrite),
        Ok(_) => return (host, virt, Rights::Slot),
        Err(_) => {}
    }
    // The first missing directory on the way, if any.
    let mut slot = (host.clone(), virt.clone());
    let (mut h, mut v) = (host.as_path(), virt.as_path());
    while let (Some(hp), Some(vp)) = (h.parent(), v.parent()) {
        if hp.as_os_str().is_empty() || fs::symlink_metadata(hp).is_ok() {
            break;
        }
        slot = (hp.to_path_buf(), vp.to_path_buf());
        (h, v) = (hp, vp);
    }
    (slot.0, slot.1, Rights::Slot)
}

/// The profiles applied, for messages: `none`, or their files and shipped names.
pub fn profiles_shown(prepared: &Prepared) -> String {
    if prepared.profiles.is_empty() {
        return "none".into();
    }
    prepared
        .profiles
        .iter()
        .map(|p| text::shown(p).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `pola-run --explain` and the `grants` builtin print: the program, the network,
/// the namespace with where each entry came from, and the resource limits.
pub fn explain(prepared: &Prepared) -> String {
    let profile = profiles_shown(prepared);
    format!(
        "program: {}\nprofile: {profile}\nnetwork: {}\n{}{}",
        text::shown(&prepared.exe),
        prepared.net,
        prepared.ns,
        limits::describe(&prepared.limits)
    )
}

fn grant(host: PathBuf, rights: Rights, origin: Origin) -> Entry {
    Entry::Grant(Grant {
        host,
        rights,
        origin,
        device: false,
    })
}

/// Grant `host` at `virt`. Inside a directory granted with the same or more rights it
/// needs no mount of its own; but if the host path goes through a symlink there, the
/// jail resolves that symlink itself (to the same path as on the host), so what it
/// points to is granted where it really is (a venv's `bin/python`, a rustup proxy).
fn insert_grant(
    ns: &mut Namespace,
    virt: &Path,
    host: PathBuf,
    rights: Rights,
    origin: Origin,
) -> Result<(), JailError> {
    // Never through a link a jail may have made: that one the jail resolves itself.
    let real = |host: &Path| pola_fileserver::planted::canonical(host).ok();
    insert_grant_found(ns, virt, host, real, rights, origin)
}

/// [`insert_grant`], with `real` saying where `host` really is (`None`: not to be
/// followed), asked only when a grant covers `virt` (a caller may know it already).
fn insert_grant_found(
    ns: &mut Namespace,
    virt: &Path,
    host: PathBuf,
    real: impl FnOnce(&Path) -> Option<PathBuf>,
    rights: Rights,
    origin: Origin,
) -> Result<(), JailError> {
    if ns.covering(&ns.canonical(virt)?, rights).is_some() {
        if let Some(real) = real(&host).filter(|r| r != virt && !ns.is_jails_own(r)) {
            ns.insert(&real, grant(real.clone(), rights, origin))?;
        }
    }
    ns.insert(virt, grant(host, rights, origin))?;
    Ok(())
}

/// Grant a program read+exec (merged into a grant that already holds it, e.g. `/usr`).
fn add_program(ns: &mut Namespace, exe: &Path, origin: Origin) -> Result<(), JailError> {
    insert_grant(ns, exe, exe.to_path_buf(), Rights::ReadOnly, origin)
}

/// Milliseconds to pause the shim before it mounts (tests of the witness check only).
fn launch_delay() -> u64 {
    std::env::var("POLA_TEST_LAUNCH_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The plan for `cmd` in `ns`, with the resolved nodes.
pub fn plan(
    cmd: &Command,
    identity: &Identity,
    prepared: &Prepared,
    nodes: Vec<pola_fileserver::plan::PlanNode>,
) -> Result<JailPlan, JailError> {
    let hints = HINTS.load(std::sync::atomic::Ordering::Relaxed);
    let notify = seccomp::Notify {
        watch: cmd.learn || cmd.ask.is_some(),
        slots: nodes.iter().any(|n| matches!(n.step, Step::SlotDir { .. })),
        hints,
    };
    let mediate = notify.any();
    // `chown` and `chgrp` are told the kernel's answer ([`seccomp::Owners`]).
    let name = cmd.argv.first().map(Path::new).and_then(Path::file_name);
    let owners = match name.is_some_and(|n| n == "chown" || n == "chgrp") {
        true => seccomp::Owners::Refused,
        false => seccomp::Owners::Kept,
    };
    let seccomp = seccomp::cached(identity.uid, identity.gid, owners, &prepared.net, notify)?;
    let proxy = pola_fileserver::proxy::wanted(&prepared.net, cmd.ask.is_some())
        .then(pola_fileserver::proxy::port);
    let mut nodes = nodes;
    if proxy.is_some() {
        nodes.extend(curlrc(&nodes, &identity.home));
    }
    // (Of the nodes the builder gets: the skeleton must be made of what it makes.)
    let observe = hints && pola_fileserver::hints::Tree::from_plan(&nodes, &cmd.cwd).is_some();
    let scratch = nodes
        .iter()
        .filter(|n| matches!(n.step, Step::Tmpfs { .. }) && n.path != Path::new("/dev"))
        .map(|n| n.path.clone().into_os_string())
        .collect();
    Ok(JailPlan {
        program: cmd.program.clone(),
        command: cmd
            .argv
            .first()
            .map(|a| text::escape(a.as_bytes()))
            .unwrap_or_default(),
        uid: identity.uid,
        gid: identity.gid,
        nodes,
        cwd: cmd.cwd.clone(),
        exec: prepared.exe.clone(),
        argv: cmd.argv.clone(),
        env: {
            let mut env = command_env(cmd, &identity.home, &prepared.env_names);
            env.retain(|e| temporary_dir_usable(e, &prepared.ns));
            if cmd.powerbox {
                env.push(format!("{}={}", powerbox::ENV, powerbox::FD).into());
            }
            if let Some(port) = proxy {
                env.extend(pola_fileserver::proxy::environment(
                    port,
                    prepared.net.hosts(),
                ));
            }
            env
        },
        net: prepared.net.clone(),
        scratch,
        keep_fds: Vec::new(),
        launch_delay_ms: launch_delay(),
        mediate,
        powerbox: cmd.powerbox,
        observe,
        hints,
        cwd_mount: None,
        session: None,
        proxy,
        seccomp: (*seccomp).clone(),
        limits: Default::default(),
        work_tree_files: cmd.work_tree_changes.clone(),
        editor_declined: cmd.editor_declined,
    })
}

/// For a jail given hosts through the proxy, with a private home: a `~/.curlrc`
/// saying not to show the proxy's answer to curl's `CONNECT` as headers. `curl -sI URL
/// | head -1` printed the proxy's "HTTP/1.1 200 Connection established" first, and a
/// health check passed on a 404 (trial 10). A home the line granted is the user's,
/// with the user's own file.
fn curlrc(
    nodes: &[pola_fileserver::plan::PlanNode],
    home: &Path,
) -> Option<pola_fileserver::plan::PlanNode> {
    let file = home.join(".curlrc");
    let private = nodes
        .iter()
        .any(|n| n.path == home && matches!(n.step, Step::Tmpfs { .. }));
    (private && !nodes.iter().any(|n| n.path == file)).then(|| pola_fileserver::plan::PlanNode {
        path: file,
        step: Step::File {
            contents: "# pola-sh: the proxy's answer to CONNECT is not the server's\nsuppress-connect-headers\n".into(),
        },
    })
}

/// Start `cmd` in a jail with the descriptors and process group of `io`.
pub fn spawn(
    cmd: &Command,
    env: &Environment,
    identity: &Identity,
    io: &launch::Io,
) -> Result<launch::Jail, JailError> {
    let mut jail = start(cmd, env, identity, io)?;
    complete(&mut jail)?;
    Ok(jail)
}

/// Wait for a jail [`start`]ed to be built (`launch::Jail::complete`); if that fails,
/// the jail is killed and reaped here.
pub fn complete(jail: &mut launch::Jail) -> Result<(), JailError> {
    jail.complete().map_err(|e| {
        let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(jail.pid() as i32), None);
        e.into()
    })
}

/// [`spawn`] without waiting for the jail to be built: `launch::Jail::complete` does
/// (the commands of a pipeline are built at the same time).
pub fn start(
    cmd: &Command,
    env: &Environment,
    identity: &Identity,
    io: &launch::Io,
) -> Result<launch::Jail, JailError> {
    // The zygote's start, and the jail its first copy makes ahead, go beside the
    // resolving below rather than after it (a script's first command; `pola-run` and
    // an interactive shell have started it already).
    // A forked copy's jails die with the top shell too (`sys::lifeline`).
    pola_fileserver::phases::stamp("jail");
    crate::sys::lifeline::watch();
    if !cmd.net.shares_host() {
        pola_fileserver::zygote::start_ahead(|| launch::find_shim().ok());
    }
    let prepared = namespace(cmd, identity, env)?;
    if cmd.made && prepared.net != Network::Private {
        return Err(JailError::HalfDone(format!(
            "{}: the network (its profile's): {}",
            text::shown(&cmd.argv[0]),
            crate::parse::MADE_REFUSED
        )));
    }
    pola_fileserver::phases::stamp("namespace");
    let tool = launch::program_name(&prepared.exe);
    if let Some(line) = lists_what_it_was_not_given(cmd, &tool, &prepared.ns) {
        crate::report::line(line);
    }
    if let Some(line) = capability_as_argument(cmd) {
        crate::report::line(line);
    }
    if let Some(message) = moves_what_it_cannot_remove(cmd, &prepared.exe, &prepared.ns)
        .or_else(|| removes_what_it_cannot(cmd, &prepared.exe, &prepared.ns))
        .or_else(|| changes_a_work_tree_it_cannot_write(cmd, &tool))
        .or_else(|| forgets_worktrees_it_cannot_see(cmd, &tool))
    {
        return Err(JailError::HalfDone(message));
    }
    let follows = follows_named_links(&tool, cmd.argv.get(1..).unwrap_or_default());
    for e in &prepared.refused {
        // A program that reads the link itself (`ls -l`, `readlink`) is not told that
        // it is not followed: the jail gets it as a link, all such a program wants.
        if matches!(e, pola_fileserver::planted::Refused::Planted { .. }) && !follows {
            continue;
        }
        crate::report::line(format_args!(
            "{}: {}: {e}",
            cmd.program,
            launch::program_name(&prepared.exe)
        ));
    }
    let shim = launch::find_shim()?;
    let mut resolved = resolve(&prepared.ns)?;
    pola_fileserver::phases::stamp("resolved");
    // The plan takes the nodes; the witnesses and slot directories stay with `resolved`.
    let nodes = std::mem::take(&mut resolved.nodes);
    let mut plan = match plan(cmd, identity, &prepared, nodes) {
        Ok(plan) => plan,
        Err(e) => {
            resolved.discard_slots();
            return Err(e);
        }
    };
    let record = tracing::enabled!(target: crate::report::AUDIT, tracing::Level::INFO)
        .then(|| launch_record(cmd, &prepared));
    let (in_jail, holding) = match limits::hold(&prepared.limits, !plan.net.shares_host()) {
        Ok(held) => held,
        Err(e) => {
            resolved.discard_slots();
            return Err(e.into());
        }
    };
    plan.limits = limits::JailLimits {
        rlimits: cmd.rlimits.clone(),
        ..in_jail
    };
    pola_fileserver::phases::stamp("planned");
    plan.keep_fds = io
        .fds
        .iter()
        .map(|(target, _)| *target)
        .filter(|fd| *fd > 2)
        .collect();
    plan.session = io.session.clone();
    // Opened before it can write anything (`planted::Window`).
    let may_write = plan.powerbox
        || cmd.ask.is_some()
        || !resolved.slots.is_empty()
        || io.fds.iter().any(|(_, fd)| writes_a_file(*fd))
        || plan.nodes.iter().any(|n| match n.step {
            Step::Bind {
                writable, device, ..
            } => writable && !device,
            Step::SlotDir { .. } => true,
            _ => false,
        });
    let window = may_write.then(pola_fileserver::planted::open_window);
    let mut jail = match launch::start(&shim, &plan, resolved, io) {
        Ok(jail) => jail,
        Err(e) => {
            // Nothing was started: nothing of it writes.
            if let Some(window) = window {
                window.shut();
            }
            return Err(e.into());
        }
    };
    if let Some(window) = window {
        jail.set_write_window(window);
    }
    jail.limits = Some(Box::new(holding));
    if let Some(record) = record {
        tracing::info!(target: crate::report::AUDIT, "#{} {record}", jail.pid());
    }
    let hosts = prepared.net.hosts().to_vec();
    let ask = cmd.ask.clone();
    let learn = cmd.learn;
    let mediate = plan.mediate.then(|| {
        let asker = cmd.ask.clone().map(|session| Asker {
            name: launch::program_name(&prepared.exe),
            id: jail.pid(),
            session,
        });
        (prepared.ns, asker)
    });
    jail.then(move |jail| {
        jail.serve_proxy(&hosts, ask.clone());
        if let Some((ns, asker)) = mediate {
            let watch = learn || ask.is_some();
            jail.mediate(ns, asker, learn, watch);
        }
    });
    Ok(jail)
}

/// Whether `fd` (a descriptor the command is given: `> out.sh`) writes a regular file:
/// its jail may write on the host through it (`planted::Window`).
fn writes_a_file(fd: std::os::fd::RawFd) -> bool {
    // SAFETY: the caller's descriptor, open while the command starts.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    let writable = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFL)
        .is_ok_and(|flags| flags & libc::O_ACCMODE != libc::O_RDONLY);
    writable && nix::sys::stat::fstat(fd).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG)
}

/// The audit record of a launch: the command line, its profile, network and grants
/// (everything but the default environment) with where each came from.
fn launch_record(cmd: &Command, prepared: &Prepared) -> String {
    let argv: Vec<String> = cmd
        .argv
        .iter()
        .map(|a| text::escape(a.as_bytes()))
        .collect();
    let grants: Vec<String> = prepared
        .ns
        .walk()
        .into_iter()
        .filter_map(|(path, entry)| match entry {
            Entry::Grant(g) if g.origin != Origin::Default => Some(format!(
                "{} {} ({})",
                g.rights.label(),
                text::shown(&path),
                g.origin.label()
            )),
            _ => None,
        })
        .collect();
    let profile = profiles_shown(prepared);
    format!(
        "launch {}: {}; profile {profile}; network {}; grants: {}",
        text::shown(&prepared.exe),
        argv.join(" "),
        prepared.net,
        grants.join(", ")
    )
}

/// What `--learn` found, sorted: what lies in the working directory belongs on the
/// command line (it is the project, not the program's configuration), the rest in the
/// program's profile.
pub struct Learned {
    pub name: String,
    /// The profile file the lines would go to.
    pub file: Option<PathBuf>,
    /// `(path relative to the working directory, write)`.
    pub project: Vec<(PathBuf, bool)>,
    /// Profile lines.
    pub lines: String,
}

impl Learned {
    pub fn new(exe: &Path, denied: &[(PathBuf, bool)], home: &Path, cwd: &Path) -> Learned {
        let name = launch::program_name(exe);
        let mut project = Vec::new();
        let mut config = Vec::new();
        // A dot-directory of the home is a tool's configuration, even under the
        // working directory (run from the home itself).
        let configuration = |p: &Path| {
            p.strip_prefix(home)
                .ok()
                .and_then(|r| r.components().next())
                .is_some_and(|c| c.as_os_str().as_encoded_bytes().starts_with(b"."))
        };
        // pola-sh's own configuration and state (a pola-sh script looks for them) are
        // never a program's to be given.
        // (Where this process keeps them, and where a pola-sh in the jail, its
        // environment cleared, looks: the home's.)
        let own: Vec<PathBuf> = [
            dirs::config_dir(),
            dirs::state_dir(),
            Some(home.join(".config")),
            Some(home.join(".local/state")),
        ]
        .into_iter()
        .flatten()
        .map(|d| d.join("pola-sh"))
        .collect();
        // What runtimes read to size themselves (Rust's, Go's and the JVM's processor
        // count from the cgroup's CPU quota) is not a grant any program needs; the
        // files of name lookups come with the network, which a profile line gives
        // (the trial's `cargo build` was told four such files, and not the network).
        let sizing = |p: &Path| p.starts_with("/sys/fs/cgroup");
        let mut looked_up_names = false;
        for (path, write) in denied {
            if own.iter().any(|o| path.starts_with(o)) || sizing(path) {
                continue;
            }
            if NETWORK_FILES.iter().any(|f| path.starts_with(f)) {
                looked_up_names = true;
                continue;
            }
            match path.strip_prefix(cwd) {
                // The working directory itself: listed (make finds files so), it showed
                // only the grants there. (Not python's: it lists where it runs to import
                // anything, `python3 -c` too, as hints say.)
                Ok(rel) if rel.as_os_str().is_empty() && name.starts_with("python") => {}
                Ok(rel) if rel.as_os_str().is_empty() => {
                    if !project.contains(&(PathBuf::from("."), *write)) {
                        project.push((PathBuf::from("."), *write));
                    }
                }
                Ok(rel) if !configuration(path) => {
                    if !project.contains(&(rel.to_path_buf(), *write)) {
                        project.push((rel.to_path_buf(), *write));
                    }
                }
                _ => config.push((path.clone(), *write)),
            }
        }
        // Read and then written: the write grant alone.
        fn writes_over_reads(list: &mut Vec<(PathBuf, bool)>) {
            let written: Vec<PathBuf> = list
                .iter()
                .filter(|(_, w)| *w)
                .map(|(p, _)| p.clone())
                .collect();
            list.retain(|(p, w)| *w || !written.contains(p));
        }
        writes_over_reads(&mut project);
        writes_over_reads(&mut config);
        // The working directory to read holds every other name to read there.
        if project.contains(&(PathBuf::from("."), false)) {
            project.retain(|(p, w)| *w || p == Path::new("."));
        }
        let mut lines = profile::render(&config, home);
        if looked_up_names {
            lines.push_str(
                "# it looked up host names: if it needs the network, `net host=NAME` gives it (its files come with it)\n",
            );
        }
        Learned {
            file: dirs::config_dir().map(|d| profile::profiles_dir(&d).join(&name)),
            name,
            project,
            lines,
        }
    }

    /// The report: command-line grants for the project, profile lines for the rest.
    /// `pola_run` writes the grants as pola-run options, else as pola-sh's.
    pub fn report(&self, program: &str, pola_run: bool) -> String {
        let name = text::shown(&self.name);
        if self.project.is_empty() && self.lines.is_empty() {
            return format!("{program}: learn: {name} was denied nothing\n");
        }
        let mut out = String::new();
        if !self.project.is_empty() {
            let grants: Vec<String> = self
                .project
                .iter()
                .map(|(rel, write)| {
                    let rel = text::shown(rel);
                    match (pola_run, write) {
                        (true, false) => format!("--ro {rel}"),
                        (true, true) => format!("--rw {rel}"),
                        (false, false) => format!("+ {rel}"),
                        (false, true) => format!("+ => {rel}"),
                    }
                })
                .collect();
            out.push_str(&format!(
                "{program}: learn: {name} looked in the working directory for what it was not granted; grant it on the command line: {}\n",
                grants.join(" ")
            ));
        }
        if !self.lines.is_empty() {
            let file = self
                .file
                .as_ref()
                .map(|f| text::shown(f).to_string())
                .unwrap_or_else(|| format!("$XDG_CONFIG_HOME/pola-sh/profiles/{name}"));
            out.push_str(&format!(
                "{program}: learn: {name} looked for what it was not granted; to grant it, add to {file} (or run again with --learn --save):\n{}",
                self.lines
            ));
        }
        out
    }

    /// `--learn --save`: ask on the terminal, then add the profile lines to the
    /// program's profile. Returns what to tell the user.
    pub fn save(&self, program: &str) -> String {
        let Some(file) = &self.file else {
            return format!("{program}: learn: no configuration directory to save in\n");
        };
        if self.lines.is_empty() {
            return String::new();
        }
        let question = format!(
            "add these {} lines to {}? [y/N]",
            self.lines.lines().count(),
            text::shown(file)
        );
        let Some(answer) = pola_fileserver::terminal::ask(&question) else {
            return format!("{program}: learn: no terminal to ask on; nothing saved\n");
        };
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return format!("{program}: learn: nothing saved\n");
        }
        let written = fs::create_dir_all(file.parent().unwrap_or(Path::new("/"))).and_then(|()| {
            use std::io::Write;
            let mut f = fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(file)?;
            f.write_all(self.lines.as_bytes())
        });
        match written {
            Ok(()) => format!("{program}: learn: saved to {}\n", text::shown(file)),
            Err(e) => format!(
                "{program}: learn: cannot save to {}: {e}\n",
                text::shown(file)
            ),
        }
    }
}

fn learned(program: &str, exe: &Path, denied: &[Denied], home: &Path, cwd: &Path) -> String {
    let accesses: Vec<(PathBuf, bool)> = denied.iter().map(|d| (d.path.clone(), d.write)).collect();
    Learned::new(exe, &accesses, home, cwd).report(program, false)
}

/// Hints (`pola_fileserver::hints`): after a failed command, one line on what it looked
/// for and was not granted. On for pola-sh when someone reads its errors (interactive,
/// or a script's standard error a terminal); for other scripts and pola-run with
/// `--hints` or `POLA_HINTS=1`; off with `POLA_HINTS=0`.
pub static HINTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turn hints on if `on` says so, unless `POLA_HINTS` says otherwise (`1`, `0`).
pub fn enable_hints(on: bool) {
    let on = match std::env::var("POLA_HINTS").as_deref() {
        Ok("1") => true,
        Ok("0") => false,
        _ => on,
    };
    HINTS.store(on, std::sync::atomic::Ordering::Relaxed);
    // Made now, before any copy of the shell is forked, so that all share it.
    let _ = SaidHints::get();
    if on {
        pola_fileserver::hints::keep_large_buffers_mapped();
    }
}

/// After a failed command: the hint, if hints are on and anything was seen.
pub fn report_hint(program: &str, outcome: &Outcome) {
    if !outcome.launched {
        return;
    }
    // Ended from outside (its terminal closed as the shell left, `kill`, a pipe's
    // reader gone): nothing it lacked is why.
    let ended_from_outside = [libc::SIGHUP, libc::SIGKILL, libc::SIGTERM, libc::SIGPIPE]
        .iter()
        .any(|signal| outcome.status == 128 + signal);
    if ended_from_outside {
        return;
    }
    // A script for pola-sh that failed in a jail is told why with hints off too: its
    // writes failed with "Read-only file system" and nothing more, though the manual
    // says a failure says so (`pola-sh -c './build.sh'`; new-user trial).
    if !HINTS.load(std::sync::atomic::Ordering::Relaxed) {
        let (name, args) = (&outcome.command, outcome.args);
        if let Some(line) = pola_sh_hint(program, name, args, outcome.status, &outcome.exe, None) {
            say_hint_once(line);
        }
        return;
    }
    // Stopped by the user's Ctrl-C, or its reader gone (`… | head`): nothing it lacked
    // (`sleep 5` at Ctrl-C was told of ./ on the line of the `^C`; trial 9).
    if [128 + libc::SIGINT, 128 + libc::SIGPIPE].contains(&outcome.status) {
        return;
    }
    let (name, args, cwd) = (&outcome.command, outcome.args, &outcome.cwd);
    let mut o = outcome.observed.clone().unwrap_or_default();
    o.forget_given(cwd);
    let line = if outcome.status == 0 {
        // A success that listed the working directory saw only part of it; one that
        // changed a configuration in the private home changed nothing of the user's.
        // A host its proxy refused: curl exits 0 having saved the refusal as the file
        // (trial 12: `curl -O http://127.0.0.1:8765/f + @net:127.0.0.1`, port 80 and
        // 443 granted, said nothing).
        host_hint(program, name, args, &outcome.hosts_refused)
            // find exits 0 whatever its `-exec … \;` did: one that changes what it
            // finds under a tree it has read-only changed nothing (`-exec sed -i … \;`
            // said only sed's errors; trial 12). Its own `-delete` fails loudly: its
            // success is one (trial 16: `find … -delete + => **/*.tmp` was told its
            // grant after removing every file).
            .or_else(|| {
                let runs = |w: &PathBuf| {
                    ["-exec", "-execdir", "-ok", "-okdir"]
                        .iter()
                        .any(|x| w.as_os_str() == *x)
                };
                (o.tool == "find" && o.words.iter().any(runs))
                    .then(|| o.operands_hint(program, name, cwd))
                    .flatten()
            })
            .or_else(|| o.editor_hint(program, name, args, cwd))
            .or_else(|| o.listing_hint(program, name, args, cwd))
            .or_else(|| o.changes_hint(program, name, args, false, cwd))
            .or_else(|| processes_hint(program, name, args, &outcome.exe))
            .or_else(|| fifo_hint(program, name, args, &outcome.exe))
            .or_else(|| agent_hint(program, name, &o.words, &outcome.exe))
            .or_else(|| system_view_hint(program, name, args, &o, &outcome.exe))
            .or_else(|| shell_script_hint(program, name, args, &o, &outcome.exe, cwd))
            .or_else(|| o.interpreter_hint(program, name, cwd))
    } else if let Some(line) = o.editor_hint(program, name, args, cwd) {
        Some(line)
    } else {
        // First: a host it was granted that could not be reached (what it saw was a
        // 502 or a reset connection); then what such a command names is what it changes (`mv a b` also
        // looks for b, and the write grant for b alone would fail again).
        unreachable_hint(program, name, &outcome.hosts_unreachable)
            .or_else(|| fifo_hint(program, name, args, &outcome.exe))
            .or_else(|| pola_sh_hint(program, name, args, outcome.status, &outcome.exe, Some(&o)))
            .or_else(|| owners_hint(program, name, args, &o.words, &outcome.exe))
            .or_else(|| find_exec_hint(program, name, &o))
            .or_else(|| git_remote_hint(program, name, &o, cwd))
            .or_else(|| o.sqlite_dot_hint(program, name, cwd))
            .or_else(|| o.sqlite_journal_hint(program, name, cwd))
            .or_else(|| o.cmake_hint(program, name, args, cwd))
            .or_else(|| o.editable_hint(program, name, args, cwd))
            .or_else(|| o.operands_hint(program, name, cwd))
            .or_else(|| {
                o.changes_not_given()
                    .then(|| o.changes_hint(program, name, args, true, cwd))
                    .flatten()
            })
            .or_else(|| o.missing_directory_hint(program, name, cwd))
            .or_else(|| o.extract_hint(program, name, cwd))
            .or_else(|| o.format_patch_hint(program, name))
            .or_else(|| o.hint(program, name, args, cwd))
            .or_else(|| o.python_import_hint(program, name, args, cwd))
            .or_else(|| others_files_hint(program, name, args, &o.words, cwd))
            .or_else(|| glued_directory_hint(program, name, args, &o, cwd))
            .or_else(|| project_above_hint(program, name, &o, cwd))
            .or_else(|| o.listing_hint(program, name, args, cwd))
            .or_else(|| o.changes_hint(program, name, args, true, cwd))
            .or_else(|| o.cargo_registry_hint(program, name, cwd))
            .or_else(|| o.slots_hint(program, name, args, cwd))
            .or_else(|| host_hint(program, name, args, &outcome.hosts_refused))
            .or_else(|| setuid_hint(program, name, args, &outcome.exe))
            .or_else(|| system_hint(program, name, args, &outcome.exe))
            .or_else(|| processes_hint(program, name, args, &outcome.exe))
            .or_else(|| system_view_hint(program, name, args, &o, &outcome.exe))
            .or_else(|| o.made_elsewhere_hint(program, name, args, cwd))
            .or_else(|| o.pyenv_rehash_hint(program, name, &outcome.exe, cwd))
    };
    if let Some(line) = line {
        let line = match program {
            "pola-run" => as_pola_run(&line),
            _ => line,
        };
        say_hint_once(line);
    }
}

/// The hints said since the user's last line (a script's whole run), as hashes in a page
/// shared with the shell's forked copies (a background job is run by one): a loop or
/// forty background jobs that fail alike print their hint once, not once each
/// (trial 16). A race between two copies can at worst say a hint twice.
struct SaidHints(&'static [std::sync::atomic::AtomicU64]);

static SAID_HINTS: std::sync::OnceLock<SaidHints> = std::sync::OnceLock::new();

impl SaidHints {
    /// The shared page: made before any copy is forked (hints are enabled at start).
    fn get() -> Option<&'static SaidHints> {
        let said = SAID_HINTS.get_or_init(|| {
            let len = 4096;
            // SAFETY: a new anonymous shared mapping, never unmapped; zeroed by the
            // kernel, and only ever read and written as atomics.
            let page = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            let slots: &'static [std::sync::atomic::AtomicU64] = if page == libc::MAP_FAILED {
                &[]
            } else {
                // SAFETY: `len` bytes, aligned to a page, live for the process's life.
                unsafe { std::slice::from_raw_parts(page.cast(), len / std::mem::size_of::<u64>()) }
            };
            SaidHints(slots)
        });
        (!said.0.is_empty()).then_some(said)
    }

    /// Whether `line` is new since the last line (and now noted as said).
    fn first(&self, line: &str) -> bool {
        use std::hash::{BuildHasher, BuildHasherDefault};
        use std::sync::atomic::Ordering::SeqCst;
        let hash = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
            .hash_one(line)
            | 1;
        let n = self.0.len();
        for probe in 0..n {
            let slot = &self.0[(hash as usize).wrapping_add(probe) % n];
            match slot.compare_exchange(0, hash, SeqCst, SeqCst) {
                Ok(_) => return true,
                Err(held) if held == hash => return false,
                Err(_) => {}
            }
        }
        true
    }

    fn clear(&self) {
        for slot in self.0 {
            slot.store(0, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Say `line` unless the same hint was said since the user's last line.
fn say_hint_once(line: String) {
    if SaidHints::get().is_none_or(|said| said.first(&line)) {
        crate::report::line(line);
    }
}

/// A new line from the user: its hints are said again, even if an earlier line's were
/// the same.
pub fn hints_new_line() {
    if let Some(said) = SaidHints::get() {
        said.clear();
    }
}

/// A host the command's proxy refused as not granted: the grant that names it (the
/// name is the one the command asked for, escaped).
fn host_hint(program: &str, name: &str, args: bool, refused: &[String]) -> Option<String> {
    let first = refused.first()?;
    let (host, port) = first.rsplit_once(':')?;
    let grant = match port {
        "80" | "443" => format!("@net:{host}"),
        _ => format!("@net:{host}:{port}"),
    };
    let dots = if args { " …" } else { "" };
    let more = match refused.len() - 1 {
        0 => String::new(),
        n => format!(" ({n} more)"),
    };
    Some(format!(
        "{program}: {name} tried to reach {}, which was not granted — try: {name}{dots} + {}{more}",
        text::shown(first),
        text::shown(&grant)
    ))
}

/// A hint's suggestion in pola-run's words: `try: cat … + notes.txt => out` becomes
/// `try: pola-run --ro notes.txt --rw out -- cat …` (it showed pola-sh's syntax; new-user
/// trial). A suggestion it cannot read as one command line (`mkdir => d && tar …`) is
/// left as it is.
fn as_pola_run(line: &str) -> String {
    let Some((said, suggested)) = line.split_once(" — try: ") else {
        return line.to_string();
    };
    // A remark after it (`(it also looked for ./b.txt)`) stays as it is.
    let (suggested, remark) = match suggested.split_once(" (") {
        Some((s, r)) => (s, format!(" ({r}")),
        None => (suggested, String::new()),
    };
    // Words, a double-quoted one whole (`"c d.txt"`, with `\"` in it).
    let mut words: Vec<String> = Vec::new();
    let mut chars = suggested.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            continue;
        }
        let mut word = c.to_string();
        let mut quoted = c == '"';
        while let Some(&next) = chars.peek() {
            if next == ' ' && !quoted {
                break;
            }
            chars.next();
            word.push(next);
            match next {
                '\\' if quoted => word.extend(chars.next()),
                '"' => quoted = !quoted,
                _ => {}
            }
        }
        words.push(word);
    }
    let (mut options, mut passed) = (Vec::new(), Vec::new());
    let (mut hidden, mut write) = (false, false);
    for (i, w) in words.iter().enumerate() {
        match w.as_str() {
            // A sentence after the suggestion (`, then cargo … again`), or a second
            // command: not one line.
            "&&" | "||" | ";" | "or" => return line.to_string(),
            _ if w.ends_with(',') => return line.to_string(),
            "+" => hidden = true,
            "=>" => write = true,
            "@net" => options.push("--net".to_string()),
            _ if w.starts_with("@net:connect=") => {
                options.push(format!("--net-connect {}", &w["@net:connect=".len()..]))
            }
            _ if w.starts_with("@net:bind=") => {
                options.push(format!("--net-bind {}", &w["@net:bind=".len()..]))
            }
            _ if w.starts_with("@net:") => options.push(format!("--net-host {}", &w[5..])),
            _ if i == 0 || w == "…" || w.starts_with('(') => passed.push(w.clone()),
            _ => {
                if write || hidden {
                    let option = if write { "--rw" } else { "--ro" };
                    options.push(format!("{option} {w}"));
                }
                if !hidden {
                    passed.push(w.clone());
                }
                write = false;
            }
        }
    }
    let mut out = format!("{said} — try: pola-run ");
    if !options.is_empty() {
        out.push_str(&options.join(" "));
        out.push(' ');
    }
    out.push_str("-- ");
    out.push_str(&passed.join(" "));
    out.push_str(&remark);
    out
}

/// A host granted by name that the proxy could not reach: the command saw only a
/// 502, a reset connection or a SOCKS error (`curl: (56) CONNECT tunnel failed,
/// response 502`), and was
/// told to grant the working directory (new-user trial). The name is the jail's.
fn unreachable_hint(program: &str, name: &str, missed: &[(String, String)]) -> Option<String> {
    let (first, why) = missed.first()?;
    let more = match missed.len() - 1 {
        0 => String::new(),
        n => format!(" ({n} more)"),
    };
    Some(format!(
        "{program}: {name} was granted {}, but pola-sh's proxy could not reach it: {}{more}",
        text::shown(first),
        text::shown(why)
    ))
}

/// The processes hint ([`processes_hint`]) was said, or a command was given `@ps`.
static PROCESSES_SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `ssh-agent -s` that started an agent in the background: the agent ended with its
/// jail, and what it printed names nothing outside — its socket was in the jail's
/// private `/tmp`, and `SSH_AGENT_PID` is its number in the jail's PID namespace, which
/// `kill $SSH_AGENT_PID` would send to another process of this machine (trial 10:
/// `Agent pid 3`). Not for an agent that runs a command of its own, nor `-k`, `-d`,
/// `-D`.
fn agent_hint(program: &str, name: &str, words: &[PathBuf], exe: &Path) -> Option<String> {
    if launch::program_name(exe) != "ssh-agent" {
        return None;
    }
    let mut words = words.iter().map(|w| w.as_os_str().as_bytes());
    while let Some(w) = words.next() {
        match w {
            b"-k" | b"-d" | b"-D" => return None,
            b"-a" | b"-t" | b"-E" | b"-P" | b"-O" => {
                words.next();
            }
            w if w.starts_with(b"-") => {}
            // A command of its own, which had the agent for as long as it ran.
            _ => return None,
        }
    }
    Some(format!(
        "{program}: {name} ended with its jail: its socket and its PID (the jail's own number: kill $SSH_AGENT_PID would signal another process) name nothing here — for an agent that stays: eval \"$(!!{name} -s)\""
    ))
}

/// A program that lists or signals processes sees only its own jail's: said once a
/// shell (`ps` showing two processes looks broken), whatever its status, with the
/// grant that shows it the machine's (`@ps`; new-user trial: only `!!` was offered).
fn processes_hint(program: &str, name: &str, args: bool, exe: &Path) -> Option<String> {
    use std::sync::atomic::Ordering;
    const TOOLS: &[&str] = &[
        "ps", "top", "htop", "pgrep", "pkill", "pstree", "kill", "killall",
    ];
    static SIGNALS_SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let tool = launch::program_name(exe);
    // Those that signal reach no process outside the jail, whatever it sees (`pkill x +
    // @ps` said nothing and exited 1: trial 5): said once a shell, `@ps` or not.
    let signals = ["pkill", "kill", "killall"].contains(&tool.as_str());
    let said = match signals {
        true => &SIGNALS_SAID,
        false => &PROCESSES_SAID,
    };
    if !TOOLS.contains(&tool.as_str()) || said.swap(true, Ordering::Relaxed) {
        return None;
    }
    let dots = if args { " …" } else { "" };
    Some(match signals {
        true => format!(
            "{program}: {name} signals only its own jail's processes — to signal yours, use the kill builtin: kill %JOB, kill PID, kill $(pgrep NAME + @ps)"
        ),
        false => format!(
            "{program}: {name} sees only its own jail's processes — to see the machine's, read-only: {name}{dots} + @ps (to signal one, the kill builtin)"
        ),
    })
}

/// A program that shows the system's state saw the jail's instead, whatever its status
/// (`dpkg -l` printed nothing, `df -h` the jail's tmpfs, `ip addr` only `lo`,
/// `journalctl` no entries, with nothing said; new-user trial). Said once a shell for
/// each kind, with the way to see the system's.
fn system_view_hint(
    program: &str,
    name: &str,
    args: bool,
    o: &pola_fileserver::hints::Observed,
    exe: &Path,
) -> Option<String> {
    use std::sync::atomic::{AtomicU8, Ordering};
    static SAID: AtomicU8 = AtomicU8::new(0);
    let tool = launch::program_name(exe);
    let words = &o.words;
    // (`/` is the jail's own root: `df -h /` showed a 1 MB tmpfs; trial 10.)
    let operand = words.iter().any(|w| {
        let w = w.as_os_str().as_encoded_bytes();
        !w.starts_with(b"-") && w != b"/"
    });
    let (kind, what) = match tool.as_str() {
        "dpkg" | "dpkg-query" | "apt-cache" | "apt" | "rpm" => (
            1,
            "reads the system's package database, which no jail is given (it saw none)",
        ),
        // With no operand, or `/`: every mount, or the jail's root (with another, the
        // file system holding it, which is right).
        // (`df -h PATH` shows the file system holding PATH, jailed: trial 19.)
        "df" if !operand => (
            2,
            "sees the jail's own mounts, not the system's (df … PATH shows the file system holding PATH)",
        ),
        "findmnt" | "mount" | "lsblk" if !operand => {
            (2, "sees the jail's own mounts, not the system's")
        }
        // (With the host's network, `@net`, it sees the host's: trial 19 was told
        // otherwise.)
        "ip" | "ifconfig" | "ss" | "netstat" | "route" if !o.host_network => (
            4,
            "sees the jail's own network (its loopback alone), not the system's",
        ),
        "journalctl" | "dmesg" | "last" | "who" | "w" => {
            (8, "sees none of the system's logs or sessions")
        }
        _ => return None,
    };
    if SAID.fetch_or(kind, Ordering::Relaxed) & kind != 0 {
        return None;
    }
    let dots = if args { " …" } else { "" };
    Some(format!(
        "{program}: {name} {what} — to see the system's: !!{name}{dots}"
    ))
}

/// The system's `mkfifo` run jailed (`command mkfifo`, `/usr/bin/mkfifo`), whatever its
/// status: a FIFO in a directory a jail may write is never opened for a later command
/// (one planted there could hold it, or the shell), and a slot cannot become one
/// ("Operation not permitted"). It was told to grant `.` (new-user trial); said with
/// the way that works: the shell's own `mkfifo`.
fn fifo_hint(program: &str, name: &str, args: bool, exe: &Path) -> Option<String> {
    if launch::program_name(exe) != "mkfifo" {
        return None;
    }
    let dots = if args { " …" } else { "" };
    Some(format!(
        "{program}: {name}: a FIFO made by a jail is never opened for later commands (one a jail left could hold them) — to make one to use, the shell's own: mkfifo{dots}"
    ))
}

/// A program that administers the system (packages, services, users, mounts) failed:
/// no jail is given the system (`apt-get install` as root said only "Could not open
/// lock file … are you root?"; new-user trial). Said with the way to run it on purpose.
fn system_hint(program: &str, name: &str, args: bool, exe: &Path) -> Option<String> {
    const TOOLS: &[&str] = &[
        "apt",
        "apt-get",
        "aptitude",
        "dpkg",
        "dpkg-reconfigure",
        "update-alternatives",
        "systemctl",
        "service",
        "useradd",
        "usermod",
        "userdel",
        "groupadd",
        "groupdel",
        "adduser",
        "deluser",
        "chpasswd",
        "mount",
        "umount",
        "modprobe",
        "sysctl",
        "snap",
        "update-grub",
        "reboot",
        "shutdown",
    ];
    if !TOOLS.contains(&launch::program_name(exe).as_str()) {
        return None;
    }
    let dots = if args { " …" } else { "" };
    Some(format!(
        "{program}: {name} administers the system (packages, services, users, mounts), which no jail is given — to run it unconfined, on purpose: !!{name}{dots}"
    ))
}

/// pola-sh, or a script for it (`#!/usr/bin/env pola-sh`), run in a jail: its own
/// grants reach no further than the line's, and its `=>` failed with no word of why
/// (new-user trials: `./report.sh`, `exec pola-sh`). Said, and the way to run it as
/// the user's own shell — only on purpose: a script's text then runs with the user's
/// authority (running such scripts unconfined on their own was reviewed and dropped:
/// a jail's output written to a script by the shell's redirection is not known as the
/// jail's).
fn pola_sh_hint(
    program: &str,
    name: &str,
    args: bool,
    status: i32,
    exe: &Path,
    observed: Option<&pola_fileserver::hints::Observed>,
) -> Option<String> {
    let is_pola_sh = |p: &Path| p.file_name().is_some_and(|n| n == crate::exec::PROGRAM);
    // Not after the user's Ctrl-C (a script that traps it and exits 130 was told of
    // grants; trial 5).
    if status == 0 || status == 128 + libc::SIGINT || !runs_as(exe, is_pola_sh) {
        return None;
    }
    // Nor where what it did in the directory it runs in was watched, and it looked for
    // nothing it was not given there, ran nothing it lacked, reached no host: its
    // own usage message's exit (trial 17).
    if observed.is_some_and(|o| {
        o.watched && o.looked.is_empty() && o.execs.is_empty() && o.connects.is_empty()
    }) {
        return None;
    }
    let dots = if args { " …" } else { "" };
    Some(format!(
        "{program}: {name} runs pola-sh in a jail, where its own grants reach no further than this line's — if it failed for lack of one, grant on this line what its commands need ({name}{dots} + FILE => OUT), or to run it as your own shell, on purpose (its commands, !! ones too, then run with your authority): !!{name}{dots}"
    ))
}

/// `find … -exec cmd {} + => dir` failed: the `+` that ends find's `-exec` was read as
/// the grant marker before `=> dir` (a `+` that grants something is one), so `-exec`
/// had no end and find said only "missing argument to `-exec'" (new-user trial). Said,
/// with the two ways that work.
fn find_exec_hint(
    program: &str,
    name: &str,
    o: &pola_fileserver::hints::Observed,
) -> Option<String> {
    if o.tool != "find" {
        return None;
    }
    let words: Vec<&[u8]> = o.words.iter().map(|w| w.as_os_str().as_bytes()).collect();
    let exec = [&b"-exec"[..], b"-execdir", b"-ok", b"-okdir"];
    let start = words.iter().rposition(|w| exec.contains(w))?;
    let rest = &words[start + 1..];
    let ended =
        rest.iter().any(|w| *w == b";") || rest.windows(2).any(|p| p[0] == b"{}" && p[1] == b"+");
    if ended || rest.last() != Some(&&b"{}"[..]) {
        return None;
    }
    Some(format!(
        "{program}: {name}: its -exec … {{}} had no end: a + after {{}} followed by a grant (+ => DIR) is the grant's marker, not find's — put the grant before it (find => DIR … {{}} +), or end -exec with \\;"
    ))
}

/// A compiler given a directory glued to its option (`-I../inc`, `-L../lib`), which
/// grants nothing (only a word that is a path, or `--opt=PATH`, does), failed: the
/// directory, to grant (`gcc -I../inc main.c` said "util.h: No such file or directory",
/// and nothing more; new-user trial). Only a directory that is there.
fn glued_directory_hint(
    program: &str,
    name: &str,
    args: bool,
    o: &pola_fileserver::hints::Observed,
    cwd: &Path,
) -> Option<String> {
    const COMPILERS: &[&str] = &["cc", "gcc", "g++", "c++", "clang", "clang++", "cpp", "ld"];
    let compiler = COMPILERS.contains(&o.tool.as_str())
        || o.tool.starts_with("gcc-")
        || o.tool.starts_with("clang-")
        || o.tool.starts_with("x86_64-linux-gnu-g");
    if !compiler {
        return None;
    }
    let dirs: Vec<&Path> = o
        .words
        .iter()
        .filter_map(|w| {
            let b = w.as_os_str().as_bytes();
            let dir = b.strip_prefix(b"-I").or_else(|| b.strip_prefix(b"-L"))?;
            (!dir.is_empty()).then(|| Path::new(std::ffi::OsStr::from_bytes(dir)))
        })
        .filter(|d| cwd.join(d).is_dir())
        .collect();
    let first = dirs.first()?;
    let grants: Vec<String> = dirs
        .iter()
        .map(|d| format!("+ {}", text::word(d)))
        .collect();
    let dots = if args { " …" } else { "" };
    Some(format!(
        "{program}: {name} was given {} glued to its option, which grants nothing (only a word that is a path does) — if it needed what is there, try: {name}{dots} {}",
        text::shown(first),
        grants.join(" ")
    ))
}

/// A build tool that finds its project by looking in the directories above (`cargo
/// build` in `src/`), failed: a jail sees no directory above the working one that its
/// line did not grant. Told where the project is, to run it there (cargo said "could
/// not find Cargo.toml in … or any parent directory"; new-user trial).
fn project_above_hint(
    program: &str,
    name: &str,
    o: &pola_fileserver::hints::Observed,
    cwd: &Path,
) -> Option<String> {
    let file = match o.tool.as_str() {
        "cargo" => "Cargo.toml",
        "npm" | "npx" | "yarn" | "pnpm" => "package.json",
        "go" => "go.mod",
        _ => return None,
    };
    if cwd.join(file).exists() {
        return None;
    }
    let (up, dir) = cwd
        .ancestors()
        .enumerate()
        .skip(1)
        .find(|(_, d)| d.join(file).is_file())?;
    let rel = vec![".."; up].join("/");
    Some(format!(
        "{program}: {name} looks for {file} in the directories above, which a jail sees only where its line granted them: it is in {} — run it there: cd {rel} && {name} …",
        text::shown(dir)
    ))
}

/// Whether the program `exe` is one that `is` names, or a script for one: its `#!`
/// interpreter, or the program its `env` runs.
fn runs_as(exe: &Path, is: impl Fn(&Path) -> bool) -> bool {
    is(exe)
        || shebang(exe).is_some_and(|words| {
            words
                .iter()
                .filter(|w| !w.as_os_str().as_bytes().starts_with(b"-"))
                .take(2)
                .any(|w| is(w))
        })
}

/// A shell script (or `sh -c`) that succeeded: a shell goes on after a command that
/// failed, so what it could not read or make in the working directory (`source
/// ./lib.sh`, `> greeting.txt`) is said as a failure's would be. `./main.sh` printed
/// "./lib.sh: No such file or directory", went on and exited 0, and nothing said why
/// (new-user trial). Only the names it looked for there: not the network or programs,
/// which a script may try and do without.
fn shell_script_hint(
    program: &str,
    name: &str,
    args: bool,
    o: &pola_fileserver::hints::Observed,
    exe: &Path,
    cwd: &Path,
) -> Option<String> {
    const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash"];
    let is_shell = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| SHELLS.contains(&n))
    };
    if o.looked.is_empty() || !runs_as(exe, is_shell) {
        return None;
    }
    let only_names = pola_fileserver::hints::Observed {
        connects: Vec::new(),
        execs: Vec::new(),
        binds: Vec::new(),
        ..o.clone()
    };
    only_names.hint(program, name, args, cwd)
}

/// `git fetch`, `pull`, `push` or `ls-remote` to a remote that is a directory on this
/// machine (a clone of a local repository), which its line did not grant: git said
/// "'/r/repo' does not appear to be a git repository" (new-user trial). The remote's
/// URL is read from the repository's configuration, which a jail may have written: it
/// is only looked at, and escaped.
fn git_remote_hint(
    program: &str,
    name: &str,
    o: &pola_fileserver::hints::Observed,
    cwd: &Path,
) -> Option<String> {
    if o.tool != "git" {
        return None;
    }
    let (sub, rest) = pola_fileserver::hints::git_subcommand(&o.words)?;
    let (grant, what) = match sub {
        b"fetch" => ("", "=> .git"),
        b"pull" => ("", "=> ."),
        b"ls-remote" => ("", ""),
        b"push" => ("=> ", "=> .git"),
        _ => return None,
    };
    let tree = git_work_tree(cwd)?;
    let remote = rest
        .iter()
        .find(|w| !w.as_os_str().as_bytes().starts_with(b"-"))
        .map_or(std::ffi::OsStr::new("origin"), |w| w.as_os_str());
    let config = fs::read(tree.join(".git/config")).ok()?;
    let url = remote_url(&config, remote.as_bytes())?;
    let url = url.strip_prefix(b"file://").unwrap_or(&url);
    let path = tree.join(std::ffi::OsStr::from_bytes(url));
    let path = pola_fileserver::namespace::normalize(&path).unwrap_or(path);
    // Only a directory here (a URL of a host is the network's: said elsewhere).
    if url.contains(&b':') || !path.is_dir() {
        return None;
    }
    let shown = pola_fileserver::text::word(&path);
    let sub = String::from_utf8_lossy(sub);
    let also = if what.is_empty() {
        String::new()
    } else {
        format!(" {what}")
    };
    Some(format!(
        "{program}: {name} {sub} reaches the repository {shown} (the remote {}), which was not granted — try: {name} {sub} … + {grant}{shown}{also}",
        pola_fileserver::text::shown(remote)
    ))
}

/// The `url` of `[remote "NAME"]` in a git configuration file's text.
fn remote_url(config: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    let mut header = b"[remote \"".to_vec();
    header.extend_from_slice(name);
    header.extend_from_slice(b"\"]");
    let mut inside = false;
    for line in config.split(|b| *b == b'\n') {
        let line = line.trim_ascii();
        if line.starts_with(b"[") {
            inside = line == header.as_slice();
            continue;
        }
        if !inside {
            continue;
        }
        let Some(eq) = line.iter().position(|b| *b == b'=') else {
            continue;
        };
        if line[..eq].trim_ascii() == b"url" {
            return Some(line[eq + 1..].trim_ascii().to_vec());
        }
    }
    None
}

/// `chown` or `chgrp` that failed giving files to another user or group than the
/// caller's: a jail has those two alone, so the kernel refused (trial 10: root's
/// `chown 1001 => f` said it had changed f, and nothing had changed; it now fails).
fn owners_hint(
    program: &str,
    name: &str,
    args: bool,
    words: &[PathBuf],
    exe: &Path,
) -> Option<String> {
    use nix::unistd::{getegid, geteuid, Group, User};
    let spec = words
        .iter()
        .map(|w| w.as_os_str().as_bytes())
        .find(|w| !w.starts_with(b"-"))?;
    let spec = std::str::from_utf8(spec).ok()?;
    // (By the program, as its seccomp filter goes: `/bin/chown` is chown too.)
    let (user, group) = match launch::program_name(exe).as_str() {
        "chown" => spec.split_once([':', '.']).unwrap_or((spec, "")),
        "chgrp" => ("", spec),
        _ => return None,
    };
    // A name or number that is not `own` (one not known is another's).
    let other = |word: &str, own: u32, by_name: &dyn Fn(&str) -> Option<u32>| {
        !word.is_empty() && word.parse::<u32>().ok().or_else(|| by_name(word)) != Some(own)
    };
    let user_id = |n: &str| Some(User::from_name(n).ok()??.uid.as_raw());
    let group_id = |n: &str| Some(Group::from_name(n).ok()??.gid.as_raw());
    let other_user = other(user, geteuid().as_raw(), &user_id);
    let other_group = other(group, getegid().as_raw(), &group_id);
    if !other_user && !other_group {
        return None;
    }
    let dots = if args { " …" } else { "" };
    Some(format!(
        "{program}: {name}: a jail has one user and one group, yours: files cannot be given to another there — to change owners, run it unconfined, on purpose: !!{name}{dots}"
    ))
}

/// Root's command that failed on a file it named (or one below a directory it named,
/// a few levels down) that is another user's and not readable by others: a jail has
/// no capabilities, root's override of file permissions among them (SECURITY.md 19),
/// and "Permission denied" did not say why (trial 19: `tar czf => b.tgz own`, `cp -a`,
/// `du -sh /var/lib/postgresql`). Said with the way to run it as root, on purpose.
fn others_files_hint(
    program: &str,
    name: &str,
    args: bool,
    words: &[PathBuf],
    cwd: &Path,
) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    if !nix::unistd::geteuid().is_root() {
        return None;
    }
    // Another user's (never root's: a jail, which cannot give a file away, made any
    // root's it left, and would have steered the hint to `!!`; review), and not
    // readable (a directory: searchable too) by the jail's one group, root's, or by
    // others.
    let closed = |m: &fs::Metadata| {
        let bits = match m.gid() {
            0 => m.mode() >> 3,
            _ => m.mode(),
        };
        let need = if m.is_dir() { 0o5 } else { 0o4 };
        m.uid() != 0 && !m.file_type().is_symlink() && bits & need != need
    };
    let mut budget = 2000usize;
    let mut stack: Vec<(PathBuf, usize)> = words
        .iter()
        .filter(|w| !w.as_os_str().as_bytes().starts_with(b"-"))
        .map(|w| (cwd.join(w), 0))
        .collect();
    let mut found = None;
    while let Some((path, depth)) = stack.pop() {
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if closed(&meta) {
            found = Some(path);
            break;
        }
        if !meta.is_dir() || depth >= 3 {
            continue;
        }
        // (Opened never through a link: one swapped in since would lead elsewhere.)
        use nix::fcntl::OFlag;
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let Ok(mut dir) = nix::dir::Dir::open(&path, flags, nix::sys::stat::Mode::empty()) else {
            continue;
        };
        for entry in dir.iter().flatten() {
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            if budget == 0 {
                break;
            }
            budget -= 1;
            stack.push((path.join(OsStr::from_bytes(name)), depth + 1));
        }
    }
    let found = found?;
    let shown = match found.strip_prefix(cwd) {
        Ok(rel) => text::shown(rel).to_string(),
        Err(_) => text::shown(&found).to_string(),
    };
    let dots = if args { " …" } else { "" };
    Some(format!(
        "{program}: {name}: {shown} is another user's, and not readable by others: a jail has no capabilities, so root does not override file permissions there — to read it as root, on purpose: !!{name}{dots}"
    ))
}

/// A set-user-ID or set-group-ID program (sudo, su, passwd, ping on some systems)
/// never gains its privileges in a jail: say so, and the way to run it on purpose.
fn setuid_hint(program: &str, name: &str, args: bool, exe: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(exe).ok()?.permissions().mode();
    // (ssh-agent is set-group-ID only so that no process of the user's may trace it:
    // it needs no privilege, and a failure of its command is that command's.)
    if mode & 0o6000 == 0 || launch::program_name(exe) == "ssh-agent" {
        return None;
    }
    let dots = if args { " …" } else { "" };
    Some(format!(
        "{program}: {name} is a set-user-ID program, whose privileges a jail never gives — to run it unconfined, on purpose: !!{name}{dots}"
    ))
}

/// The shell reaped `jail` with `status`: tidy up, print what a mediated command was
/// denied, and return the status.
/// Returns its status, and what a shell says of a signal that killed it
/// (`job::death_line`).
pub fn finish(jail: launch::Jail, status: i32) -> (i32, Option<String>) {
    pola_fileserver::phases::stamp("finished");
    let outcome = jail.finish(status);
    report_learned(crate::exec::PROGRAM, &outcome);
    report_hint(crate::exec::PROGRAM, &outcome);
    report_limit(crate::exec::PROGRAM, &outcome);
    let died = outcome
        .died
        .and_then(|d| crate::job::death_line(&outcome.command, d));
    (outcome.status, died)
}

/// After a command that reached a resource limit: say which, and how to raise it.
pub fn report_limit(program: &str, outcome: &Outcome) {
    if let Some(hit) = &outcome.limit {
        let name = text::shown(&launch::program_name(&outcome.exe)).to_string();
        crate::report::line(hit.message(program, &name));
    }
}

/// After a mediated command: print what it was denied (see `learned`).
pub fn report_learned(program: &str, outcome: &Outcome) {
    if outcome.mediated && outcome.launched {
        let home = identity().map(|i| i.home).unwrap_or_default();
        eprint!(
            "{}",
            learned(program, &outcome.exe, &outcome.denied, &home, &outcome.cwd)
        );
    }
}

/// Run `cmd` in a jail and wait for it, forwarding signals sent to this process.
pub fn run(cmd: &Command, env: &Environment) -> Result<Outcome, JailError> {
    let identity = identity()?;
    pola_fileserver::supervise::block_signals()
        .map_err(|e| JailError::Launch(LaunchError::Spawn(e.into())))?;
    let jail = spawn(cmd, env, &identity, &launch::Io::default())?;
    Ok(jail.wait())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_place_edits_name_their_backups() {
        let argv = |w: &[&str]| w.iter().map(OsString::from).collect::<Vec<_>>();
        let suffix = |tool, w: &[&str]| in_place_backup(tool, &argv(w));
        assert_eq!(
            suffix("sed", &["sed", "-i.bak", "s/a/b/", "f"]).as_deref(),
            Some(".bak")
        );
        assert_eq!(
            suffix("sed", &["sed", "-Ei.b", "s/a/b/", "f"]).as_deref(),
            Some(".b")
        );
        assert_eq!(
            suffix("sed", &["sed", "s/a/b/", "--in-place=~", "f"]).as_deref(),
            Some("~")
        );
        assert_eq!(suffix("sed", &["sed", "-i", "s/a/b/", "f"]), None);
        assert_eq!(suffix("sed", &["sed", "-e", "s/a/b/", "f"]), None);
        assert_eq!(suffix("sed", &["sed", "--", "-i.x"]), None);
        assert_eq!(
            suffix("perl", &["perl", "-pi.orig", "-e", "1", "f"]).as_deref(),
            Some(".orig")
        );
        // A script's arguments, and `-e`'s code, are not perl's switches.
        assert_eq!(suffix("perl", &["perl", "./t.pl", "-i.x", "f"]), None);
        assert_eq!(suffix("perl", &["perl", "-e", "-i.x", "f"]), None);
        assert_eq!(suffix("awk", &["awk", "-i.x", "f"]), None);
        let named = |s, f| backup_name(s, Path::new(f)).map(|n| n.to_string_lossy().into_owned());
        assert_eq!(named(".bak", "/w/f").as_deref(), Some("f.bak"));
        assert_eq!(named("old_*", "/w/f").as_deref(), Some("old_f"));
        assert_eq!(named("/x", "/w/f"), None);
        assert_eq!(named("../*", "/w/f"), None);
    }

    #[test]
    fn learning_never_proposes_pola_shs_own_files() {
        let home = Path::new("/home/u");
        let denied = [
            (PathBuf::from("/home/u/.local/state/pola-sh/written"), false),
            (PathBuf::from("/home/u/.config/pola-sh/profiles/x"), false),
            (PathBuf::from("/home/u/.config/tool/rc"), false),
            (PathBuf::from("/w/config.ini"), false),
        ];
        let learned = Learned::new(Path::new("/usr/bin/x"), &denied, home, Path::new("/w"));
        assert_eq!(learned.lines, "ro ~/.config/tool/rc\n");
        assert_eq!(learned.project, [(PathBuf::from("config.ini"), false)]);
    }

    #[test]
    fn learning_leaves_out_what_no_program_needs_and_names_the_network() {
        let home = Path::new("/home/u");
        let denied = [
            (PathBuf::from("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), false),
            (PathBuf::from("/etc/resolv.conf"), false),
            (PathBuf::from("/etc/host.conf"), false),
            (PathBuf::from("/home/u/.gitconfig"), false),
            (PathBuf::from("/w/target/.rustc_info.json"), false),
            (PathBuf::from("/w/target/.rustc_info.json"), true),
        ];
        let learned = Learned::new(Path::new("/usr/bin/cargo"), &denied, home, Path::new("/w"));
        assert_eq!(
            learned.lines,
            "ro ~/.gitconfig\n# it looked up host names: if it needs the network, `net host=NAME` gives it (its files come with it)\n"
        );
        assert_eq!(
            learned.project,
            [(PathBuf::from("target/.rustc_info.json"), true)]
        );
    }

    #[test]
    fn hints_are_said_in_pola_runs_words() {
        let hint = |suggestion: &str| {
            as_pola_run(&format!("pola-run: x looked for ./a — try: {suggestion}"))
        };
        assert_eq!(
            hint("cat … + notes.txt"),
            "pola-run: x looked for ./a — try: pola-run --ro notes.txt -- cat …"
        );
        assert_eq!(
            hint("cargo … + . => target => Cargo.lock"),
            "pola-run: x looked for ./a — try: pola-run --ro . --rw target --rw Cargo.lock -- cargo …"
        );
        assert_eq!(
            hint(r#"mv => "c d.txt" => "c d.md""#),
            r#"pola-run: x looked for ./a — try: pola-run --rw "c d.txt" --rw "c d.md" -- mv "c d.txt" "c d.md""#
        );
        assert_eq!(
            hint("curl … + @net:connect=443"),
            "pola-run: x looked for ./a — try: pola-run --net-connect 443 -- curl …"
        );
        assert_eq!(
            hint("ssh-keygen -f => keys/id + => keys/id.pub"),
            "pola-run: x looked for ./a — try: pola-run --rw keys/id --rw keys/id.pub -- ssh-keygen -f keys/id"
        );
        assert_eq!(
            hint("tool … => a.txt (it also looked for ./b.txt)"),
            "pola-run: x looked for ./a — try: pola-run --rw a.txt -- tool … a.txt (it also looked for ./b.txt)"
        );
        // Not one command line: as it was.
        let two = "pola-run: tar found no ./d — try: mkdir => d && tar … -C => d";
        assert_eq!(as_pola_run(two), two);
    }

    #[test]
    fn programs_are_found_on_path_and_by_path() {
        let path = OsStr::new("/usr/bin:/bin");
        assert_eq!(
            find_program(OsStr::new("sh"), Path::new("/"), path).unwrap(),
            PathBuf::from("/usr/bin/sh")
        );
        assert!(matches!(
            find_program(OsStr::new("no-such-program-x"), Path::new("/"), path),
            Err(JailError::NotFound(_))
        ));
        assert!(matches!(
            find_program(OsStr::new("./passwd"), Path::new("/etc"), path),
            Err(JailError::NotExecutable(_))
        ));
    }

    #[test]
    fn scripts_bring_their_interpreters() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("s");
        fs::write(&script, "#!/usr/bin/env python3\nprint(1)\n").unwrap();
        let found = interpreters(&script, OsStr::new("/usr/bin"), dir.path());
        assert_eq!(
            found,
            vec![
                PathBuf::from("/usr/bin/env"),
                PathBuf::from("/usr/bin/python3")
            ]
        );
        fs::write(&script, "#!/bin/sh -e\n").unwrap();
        assert_eq!(
            interpreters(&script, OsStr::new("/usr/bin"), dir.path()),
            vec![PathBuf::from("/bin/sh")]
        );
    }

    #[test]
    fn the_command_environment_is_minimal() {
        let cmd = Command {
            program: "t".into(),
            argv: vec!["true".into()],
            grants: vec![],
            cwd: "/w".into(),
            net: Network::Private,
            source_env: vec![
                ("SECRET".into(), "s".into()),
                ("TERM".into(), "xterm".into()),
            ],
            exports: vec![("X".into(), "1".into())],
            profiles: false,
            learn: false,
            ask: None,
            powerbox: false,
            limits: Limits::default(),
            rlimits: Vec::new(),
            found: None,
            made: false,
            processes: false,
            work_tree_changes: None,
            editor_declined: false,
            words_typed: true,
        };
        let env = command_env(&cmd, Path::new("/home/u"), &[]);
        assert!(env.contains(&OsString::from("TERM=xterm")));
        let names: Vec<String> = env
            .iter()
            .map(|v| v.to_string_lossy().split('=').next().unwrap().to_string())
            .collect();
        for name in &names {
            assert!(
                ["PATH", "HOME", "PWD", "TERM", "LANG", "LANGUAGE", "USER", "TZ", "X"]
                    .contains(&name.as_str())
                    || name.starts_with("LC_"),
                "{name} leaked"
            );
        }
        assert!(env.contains(&OsString::from("HOME=/home/u")));
        assert!(env.contains(&OsString::from("X=1")));
    }
}
