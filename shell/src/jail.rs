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
use std::os::unix::fs::DirBuilderExt;
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
use thiserror::Error;

#[derive(Debug, Error)]
pub enum JailError {
    #[error("{0}: command not found")]
    NotFound(String),
    #[error("{0}: permission denied (not executable)")]
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
    #[error("{0}: cannot create (to keep it read-only in the jail): {1}")]
    Protect(PathBuf, std::io::Error),
    #[error("cannot set up the command's resource limits: {0}")]
    Limits(#[from] pola_fileserver::cgroup::CgroupError),
}

impl JailError {
    /// The exit status a shell gives for this error.
    pub fn status(&self) -> i32 {
        match self {
            JailError::NotFound(_) => 127,
            JailError::NotExecutable(_) => 126,
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
}

/// A command made ready to launch: its namespace and program, and what its profile
/// added to the command line's grants.
#[derive(Debug)]
pub struct Prepared {
    pub ns: Namespace,
    pub exe: PathBuf,
    /// The command line's network plus the profile's.
    pub net: Network,
    /// The profile applied, if any.
    pub profile: Option<PathBuf>,
    /// Variables the profile passes through from the caller's environment.
    pub env_names: Vec<String>,
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
            Err(_) => Err(JailError::NotFound(name.to_string_lossy().into_owned())),
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
        None => Err(JailError::NotFound(name.to_string_lossy().into_owned())),
    }
}

/// The `#!` interpreter of a script and the program `env` is asked to run, if any.
pub fn interpreters(exe: &Path, path_var: &OsStr, cwd: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut current = exe.to_path_buf();
    // The kernel follows at most a few levels of interpreters; so do we.
    for _ in 0..4 {
        let mut head = [0u8; 256];
        let n = fs::File::open(&current)
            .and_then(|mut f| f.read(&mut head))
            .unwrap_or(0);
        if n < 2 || &head[..2] != b"#!" {
            break;
        }
        let line = head[2..n].split(|b| *b == b'\n').next().unwrap_or(&[]);
        let mut words = line
            .split(|b| *b == b' ' || *b == b'\t')
            .filter(|w| !w.is_empty())
            .map(|w| PathBuf::from(OsString::from_vec(w.to_vec())));
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

/// Files the network needs (name resolution, certificates), granted with `--net`.
const NETWORK_FILES: &[&str] = &[
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/services",
    "/etc/protocols",
    "/etc/ssl",
    "/etc/ca-certificates",
];

/// The namespace for `cmd`, where its program lives in it, and what its profile adds.
pub fn namespace(
    cmd: &Command,
    identity: &Identity,
    env: &Environment,
) -> Result<Prepared, JailError> {
    let path_var = cmd.path();
    let name = cmd.argv.first().cloned().unwrap_or_default();
    let exe = find_program(&name, &cmd.cwd, &path_var)?;
    let config_dir = dirs::config_dir();
    let profile = if cmd.profiles {
        Profile::find(config_dir.as_deref(), &exe)?
    } else {
        None
    };
    let mut net = cmd.net.clone();
    let mut requests: Vec<(PathBuf, bool, Origin)> = Vec::new();
    if let Some(p) = &profile {
        net.add(p.network());
        requests.extend(
            p.grants(&identity.home)
                .into_iter()
                .map(|(path, write)| (path, write, Origin::Profile)),
        );
    }
    requests.extend(
        cmd.grants
            .iter()
            .map(|r| (r.path.clone(), r.write, Origin::Argument)),
    );

    let mut ns = Namespace::new();
    env.apply(&mut ns, identity)?;
    if net.shares_host() {
        for f in NETWORK_FILES {
            let path = Path::new(f);
            if path.exists() {
                ns.insert(
                    path,
                    grant(path.to_path_buf(), Rights::ReadOnly, Origin::Default),
                )?;
            }
        }
    }
    add_program(&mut ns, &exe, Origin::Executable)?;
    for interp in interpreters(&exe, &path_var, &cmd.cwd) {
        add_program(&mut ns, &interp, Origin::Interpreter)?;
    }
    let mut writable = Vec::new();
    for (path, write, origin) in requests {
        let host = cmd.cwd.join(&path);
        let virt = normalize(&host)?;
        if ns.is_under_proc(&virt) {
            tracing::debug!(path = %virt.display(), "not granted: the jail has its own /proc");
            continue;
        }
        let rights = match (write, fs::symlink_metadata(&host).is_ok()) {
            (false, _) => Rights::ReadOnly,
            (true, true) => Rights::ReadWrite,
            (true, false) => Rights::Create,
        };
        if write {
            writable.push(virt.clone());
        }
        ns.insert(&virt, grant(host, rights, origin))?;
    }
    if let Some(dir) = &config_dir {
        protect(&mut ns, &profile::protected_dir(dir), &writable)?;
    }
    ns.ensure_dir(&cmd.cwd)?;
    Ok(Prepared {
        ns,
        exe,
        net,
        limits: env.limits.with(&cmd.limits),
        env_names: profile.as_ref().map(Profile::env).unwrap_or_default(),
        profile: profile.map(|p| p.file),
    })
}

/// pola-sh's configuration (the environment and the profiles) stays read-only in a
/// jail even under a writable grant of a directory above it (`make + => ~`), so no
/// command can write a profile that widens a later command. A write grant naming the
/// directory itself or something inside it is the user's explicit choice.
///
/// Every directory between the write grant and the configuration is pinned too, bound
/// writable onto itself: a mount point cannot be renamed or removed (EBUSY), so the
/// command cannot move `~/.config` aside and make a new one with a profile in it.
fn protect(ns: &mut Namespace, protected: &Path, writable: &[PathBuf]) -> Result<(), JailError> {
    let Some(outermost) = writable
        .iter()
        .filter(|w| protected.starts_with(w) && protected != w.as_path())
        .min_by_key(|w| w.components().count())
    else {
        return Ok(());
    };
    // It must exist to be mounted over; an empty one is what a missing one means.
    if !protected.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(protected)
            .map_err(|e| JailError::Protect(protected.to_path_buf(), e))?;
    }
    let between: Vec<&Path> = protected
        .ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(outermost) && *a != outermost.as_path())
        .collect();
    for dir in between.into_iter().rev() {
        if ns.get(dir).is_none() {
            ns.insert(
                dir,
                grant(dir.to_path_buf(), Rights::ReadWrite, Origin::Protected),
            )?;
        }
    }
    ns.insert(
        protected,
        grant(protected.to_path_buf(), Rights::ReadOnly, Origin::Protected),
    )?;
    Ok(())
}

/// What `pola-run --explain` and the `grants` builtin print: the program, the network,
/// the namespace with where each entry came from, and the resource limits.
pub fn explain(prepared: &Prepared) -> String {
    let profile = match &prepared.profile {
        Some(p) => p.display().to_string(),
        None => "none".into(),
    };
    format!(
        "program: {}\nprofile: {profile}\nnetwork: {}\n{}{}",
        prepared.exe.display(),
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

/// Grant a program read+exec unless the jail already shows the same file at the same
/// path through a read-only grant of the default environment (e.g. under `/usr`).
fn add_program(ns: &mut Namespace, exe: &Path, origin: Origin) -> Result<(), JailError> {
    let real = fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
    if ns.shows_host_path(exe) && ns.shows_host_path(&real) {
        return Ok(());
    }
    ns.insert(exe, grant(exe.to_path_buf(), Rights::ReadOnly, origin))?;
    Ok(())
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
    let mediate = cmd.learn || cmd.ask.is_some();
    let seccomp = seccomp::cached(identity.uid, identity.gid, &prepared.net, mediate)?;
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
            .map(|a| a.to_string_lossy().into_owned())
            .unwrap_or_default(),
        uid: identity.uid,
        gid: identity.gid,
        nodes,
        cwd: cmd.cwd.clone(),
        exec: prepared.exe.clone(),
        argv: cmd.argv.clone(),
        env: {
            let mut env = command_env(cmd, &identity.home, &prepared.env_names);
            if cmd.powerbox {
                env.push(format!("{}={}", powerbox::ENV, powerbox::FD).into());
            }
            env
        },
        net: prepared.net.clone(),
        scratch,
        keep_fds: Vec::new(),
        launch_delay_ms: launch_delay(),
        mediate,
        powerbox: cmd.powerbox,
        seccomp: (*seccomp).clone(),
        limits: Default::default(),
    })
}

/// Start `cmd` in a jail with the descriptors and process group of `io`.
pub fn spawn(
    cmd: &Command,
    env: &Environment,
    identity: &Identity,
    io: &launch::Io,
) -> Result<launch::Jail, JailError> {
    let prepared = namespace(cmd, identity, env)?;
    let shim = launch::find_shim()?;
    let mut resolved = resolve(&prepared.ns)?;
    // The plan takes the nodes; the witnesses and created files stay with `resolved`.
    let nodes = std::mem::take(&mut resolved.nodes);
    let mut plan = plan(cmd, identity, &prepared, nodes)?;
    let record = tracing::enabled!(target: crate::report::AUDIT, tracing::Level::INFO)
        .then(|| launch_record(cmd, &prepared));
    let (in_jail, holding) = limits::hold(&prepared.limits)?;
    plan.limits = in_jail;
    plan.keep_fds = io
        .fds
        .iter()
        .map(|(target, _)| *target)
        .filter(|fd| *fd > 2)
        .collect();
    let mut jail = launch::spawn(&shim, &plan, resolved, io)?;
    jail.limits = Some(Box::new(holding));
    if let Some(record) = record {
        tracing::info!(target: crate::report::AUDIT, "#{} {record}", jail.pid());
    }
    if plan.mediate {
        let asker = cmd.ask.clone().map(|session| Asker {
            name: launch::program_name(&prepared.exe),
            id: jail.pid(),
            session,
        });
        jail.mediate(prepared.ns, asker, cmd.learn);
    }
    Ok(jail)
}

/// The audit record of a launch: the command line, its profile, network and grants
/// (everything but the default environment) with where each came from.
fn launch_record(cmd: &Command, prepared: &Prepared) -> String {
    let argv: Vec<String> = cmd
        .argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let grants: Vec<String> = prepared
        .ns
        .walk()
        .into_iter()
        .filter_map(|(path, entry)| match entry {
            Entry::Grant(g) if g.origin != Origin::Default => Some(format!(
                "{} {} ({})",
                g.rights.label(),
                path.display(),
                g.origin.label()
            )),
            _ => None,
        })
        .collect();
    let profile = prepared
        .profile
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "none".into());
    format!(
        "launch {}: {}; profile {profile}; network {}; grants: {}",
        prepared.exe.display(),
        argv.join(" "),
        prepared.net,
        grants.join(", ")
    )
}

/// What `--learn` prints: the accesses denied, as profile lines for the program.
fn learned(program: &str, exe: &Path, denied: &[Denied], home: &Path) -> String {
    let accesses: Vec<(PathBuf, bool)> = denied.iter().map(|d| (d.path.clone(), d.write)).collect();
    let name = launch::program_name(exe);
    let file = dirs::config_dir()
        .map(|d| profile::profiles_dir(&d).join(&name).display().to_string())
        .unwrap_or_else(|| format!("$XDG_CONFIG_HOME/pola-sh/profiles/{name}"));
    if accesses.is_empty() {
        return format!("{program}: learn: {name} was denied nothing\n");
    }
    format!(
        "{program}: learn: {name} looked for what it was not granted; to grant it, add to {file}:\n{}",
        profile::render(&accesses, home)
    )
}

/// The shell reaped `jail` with `status`: tidy up, print what a mediated command was
/// denied, and return the status.
pub fn finish(jail: launch::Jail, status: i32) -> i32 {
    let outcome = jail.finish(status);
    report_learned(crate::exec::PROGRAM, &outcome);
    report_limit(crate::exec::PROGRAM, &outcome);
    outcome.status
}

/// After a command that reached a resource limit: say which, and how to raise it.
pub fn report_limit(program: &str, outcome: &Outcome) {
    if let Some(hit) = &outcome.limit {
        let name = pola_fileserver::terminal::printable(&launch::program_name(&outcome.exe), 200);
        eprintln!("{}", hit.message(program, &name));
    }
}

/// After a mediated command: print what it was denied (see `learned`).
pub fn report_learned(program: &str, outcome: &Outcome) {
    if outcome.mediated && outcome.launched {
        let home = identity().map(|i| i.home).unwrap_or_default();
        eprint!("{}", learned(program, &outcome.exe, &outcome.denied, &home));
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
