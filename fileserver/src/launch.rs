//! Starting `pola-shim` and serving it over a socketpair.
//!
//! The shim gets the socket as descriptor [`SHIM_SOCKET_FD`] (10), above the 0–9 a
//! shell user may redirect, and closes every other inherited descriptor but 0, 1, 2
//! and the redirected ones the plan names. On the socket the server sends:
//!
//! 1. a header: the number of witness descriptors and the plan's length (two u32, LE);
//! 2. the plan (`crate::plan::encode`: so the shim knows which low descriptors to keep before any
//!    new one arrives);
//! 3. the witness descriptors with SCM_RIGHTS, at most [`FDS_PER_MESSAGE`] per
//!    one-byte message.
//!
//! The shim answers with newline-separated JSON [`ShimReport`]s. The socket stays open
//! for the command's lifetime so later issues can serve runtime requests on it.

use std::io::{Read, Write};
use std::os::fd::RawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use nix::unistd::Pid;

use std::os::fd::{AsFd, FromRawFd, OwnedFd};

use sendfd::{RecvWithFd, SendWithFd};
use thiserror::Error;

use crate::ask::Asker;
use crate::mediate::{self, Denied, Verdict};
use crate::plan::{JailPlan, ShimReport, Step};
use crate::powerbox;
use crate::resolve::{witness_fds, Resolved};
use crate::slots::broker::Broker;
use crate::slots::protocol::Supervisor;
use crate::supervise;

/// The shims of jails whose end PID 1 reported (`Jail::wait_ended`), each with the
/// process whose child it is: they exit on their own, and [`reap_ended`] reaps them.
static ENDED: std::sync::Mutex<Vec<(u32, Pid)>> = std::sync::Mutex::new(Vec::new());

/// Reap the shims of jails that reported their end ([`Jail::wait_ended`]) and have
/// exited since; with `wait`, wait for each (they are exiting: a process that ends
/// leaves none to its parent). A forked copy of the process, whose children they are
/// not, leaves them alone.
pub fn reap_ended(wait: bool) {
    use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
    let flags = (!wait).then_some(WaitPidFlag::WNOHANG);
    let me = std::process::id();
    let mut ended = ENDED.lock().unwrap_or_else(|e| e.into_inner());
    ended.retain(|(owner, pid)| {
        *owner == me
            && loop {
                match waitpid(*pid, flags) {
                    Err(nix::errno::Errno::EINTR) => continue,
                    status => break matches!(status, Ok(WaitStatus::StillAlive)),
                }
            }
    });
}

/// Below the kernel's SCM_MAX_FD (253).
pub const FDS_PER_MESSAGE: usize = 200;

/// The descriptor number the shim finds its socket at.
pub const SHIM_SOCKET_FD: i32 = 10;

/// How many files a program was expected to make of the slots it removed (`gzip =>
/// *.txt`: each `.gz`) are named in the grant that keeps them.
const EXPECTED_NAMED: usize = 8;

/// The highest descriptor a command may be given (POSIX shells redirect 0–9).
pub const MAX_USER_FD: i32 = 9;

/// Where a shell's own descriptors start (lower when the descriptor limit is low): out
/// of reach of the user's redirections (`exec 3< f` replaces descriptor 3 in place).
pub const SHELL_FDS: i32 = 100;

/// A close-on-exec copy of `fd` numbered [`SHELL_FDS`] or above (above
/// [`MAX_USER_FD`] when the descriptor limit is lower).
pub fn high_copy(fd: impl std::os::fd::AsFd) -> nix::Result<OwnedFd> {
    use nix::fcntl::{fcntl, FcntlArg};
    let raw = fcntl(&fd, FcntlArg::F_DUPFD_CLOEXEC(SHELL_FDS))
        .or_else(|_| fcntl(&fd, FcntlArg::F_DUPFD_CLOEXEC(MAX_USER_FD + 1)))?;
    // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor that only we hold.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// `fd` moved to [`SHELL_FDS`] or above (as [`high_copy`]; kept where it is if that
/// fails): for a descriptor the shell holds for itself, which a user's `exec 3>&-`
/// must not close nor a process substitution find taken.
pub fn high(fd: OwnedFd) -> OwnedFd {
    match std::os::fd::AsRawFd::as_raw_fd(&fd) > MAX_USER_FD {
        true => fd,
        false => high_copy(&fd).unwrap_or(fd),
    }
}

/// How the shim is started: its descriptors and its process group.
#[derive(Debug, Default, Clone)]
pub struct Io {
    /// `(target, source)`: the shim (and so the command) gets `source` as descriptor
    /// `target` (0–9). Descriptors not listed: 0, 1, 2 are inherited, others closed.
    pub fds: Vec<(i32, RawFd)>,
    /// Put the shim in this process group (0: a new one led by the shim).
    pub process_group: Option<i32>,
    /// Run the command in a session of its own (`crate::pty::isolate` sets it).
    pub session: Option<crate::plan::Session>,
    /// The terminal to hand the job's process group (`tcsetpgrp`) as soon as its shim
    /// exists: a shell's foreground job where jails share the shell's terminal (no
    /// relay). Before the shim has what it needs to start the command (its request,
    /// the plan's descriptors): a command that reads the terminal as it starts must
    /// own it by then, and the jail may be ready before this process runs again
    /// (under load, `sed` read first and was stopped by SIGTTIN).
    pub lend_terminal: Option<RawFd>,
}

#[derive(Debug, Error)]
pub enum LaunchError {
    #[error("cannot find pola-shim (looked for {0}); set POLA_SHIM to its path")]
    NoShim(String),
    #[error("cannot start pola-shim: {0}")]
    Spawn(std::io::Error),
    #[error("cannot send the plan to pola-shim: {0}")]
    Send(std::io::Error),
}

/// Where the package installs the shim: the one path its AppArmor profile
/// (`/etc/apparmor.d/pola-shim`) allows user namespaces to, where Ubuntu restricts them.
pub const INSTALLED_SHIM: &str = "/usr/libexec/pola-sh/pola-shim";

/// `$POLA_SHIM`, else the first of [`shim_candidates`] that exists (found once a process).
pub fn find_shim() -> Result<PathBuf, LaunchError> {
    // Found once (asked for on every command: a readlink and a stat each time).
    static FOUND: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    if let Some(p) = std::env::var_os("POLA_SHIM") {
        return Ok(PathBuf::from(p));
    }
    if let Some(shim) = FOUND.get() {
        return Ok(shim.clone());
    }
    let exe = std::env::current_exe().map_err(LaunchError::Spawn)?;
    let candidates = shim_candidates(&exe);
    match candidates.iter().find(|p| p.is_file()) {
        Some(shim) => Ok(FOUND.get_or_init(|| shim.clone()).clone()),
        None => Err(LaunchError::NoShim(
            candidates
                .iter()
                .map(|p| crate::text::shown(p).to_string())
                .collect::<Vec<_>>()
                .join(" and "),
        )),
    }
}

/// Where the shim of the pola-sh or pola-run at `exe` is: for an installed one
/// (`PREFIX/bin/pola-sh`), first `PREFIX/libexec/pola-sh/pola-shim` ([`INSTALLED_SHIM`]
/// for `/usr/bin`); then beside `exe`, as in a checkout's `target/release`. Relative to
/// `exe`, never absolute, so a checkout's binaries never start an installed shim of
/// another version.
pub fn shim_candidates(exe: &Path) -> Vec<PathBuf> {
    let dir = exe.parent().unwrap_or(Path::new("/"));
    let mut candidates = Vec::new();
    if let (Some(prefix), Some("bin")) = (dir.parent(), dir.file_name().and_then(|n| n.to_str())) {
        candidates.push(prefix.join("libexec/pola-sh/pola-shim"));
    }
    candidates.push(dir.join("pola-shim"));
    candidates
}

/// A running jail.
pub struct Jail {
    /// The user's home (`HOME` in the command's environment), if it has one.
    home: Option<PathBuf>,
    child: Pid,
    socket: UnixStream,
    resolved: Resolved,
    /// Mediated mode: the seccomp listener, until `mediate` hands it to its thread.
    listener: Option<OwnedFd>,
    /// The server's end of the socket to the jail's supervisor, for slots.
    supervisor: Option<UnixStream>,
    mediator: Option<std::sync::mpsc::Receiver<(Vec<Denied>, Option<Broker>)>>,
    /// Mediated to learn (report what was denied), not only to ask.
    learn: bool,
    /// The mediator holds the slots' broker (`mediate`).
    brokered: bool,
    /// The program, in the jail.
    exe: PathBuf,
    /// For messages: `pola-sh: cmd: …`.
    program: String,
    command: String,
    /// Hints: what the command looked for and did not have (`crate::hints`).
    observed: Option<crate::hints::Shared>,
    /// Hints: its skeleton's directory in the shell's shared file system, removed
    /// when this is dropped (`crate::cwd_host`).
    lent: Option<crate::cwd_host::Lent>,
    cwd: PathBuf,
    /// Whether the command had arguments (for the hint's suggestion).
    args: bool,
    /// The paths its words name (a word, or what follows `=` in `PREFIX=/x/stage`),
    /// from the working directory: what it leaves beside its slots at one of them, or
    /// below one, was its output (`outputs_lost`).
    outputs: Vec<PathBuf>,
    /// Its resource limits, set by the caller (`limits::hold`).
    pub limits: Option<Box<crate::limits::Holding>>,
    /// Hosts by name: the proxy's listening socket, until `serve_proxy` serves it.
    proxy_listener: Option<OwnedFd>,
    /// And those of the names on the jail's loopback (`crate::proxy::named`).
    named_listeners: Vec<Option<OwnedFd>>,
    proxy: Option<crate::proxy::Proxy>,
    /// The questions its servers ask the user, ended with it (`crate::terminal`).
    questions: crate::terminal::Questions,
    /// The master of the terminal PID 1 made in the jail's devpts (`crate::pty`).
    terminal: Option<OwnedFd>,
    /// What the jail has still to send once it is built (`start`), and what to do
    /// then (`then`): `complete` waits for both.
    pending: Option<Expected>,
    then: Vec<Then>,
    /// Whether the command runs in a session of its own, whose stops are its shim's
    /// (then the shell waits for [`ShimReport::Ended`] or the shim's stop:
    /// [`Jail::wait_end_or_stop`]).
    session: bool,
    /// Whether the terminal was handed to the job's process group (`Io::lend_terminal`).
    lent_terminal: bool,
    /// Files it leaves beside its slots are offered to the user to keep
    /// ([`Jail::ask_to_keep`]).
    ask_to_keep: bool,
    /// The jail may write on the host: its time, shut once PID 1 said it ended
    /// (`crate::planted::Window`).
    write_window: Option<crate::planted::Window>,
    /// What the jail reported so far (`wait_ended`), read by `finish`; how much of
    /// it was looked at.
    reported: Vec<u8>,
    scanned: usize,
    /// A pidfd of the shim, once waited for (`wait_word`: a foreground job is looked
    /// at every `LOOK_AGAIN` while it runs).
    shim_fd: Option<OwnedFd>,
}

/// What [`Jail::wait_end_or_stop`] saw.
#[derive(Debug, PartialEq, Eq)]
pub enum Waited {
    /// PID 1 reported the command's end, with this status.
    Ended(i32),
    /// The shim said it stops.
    Stopping,
    /// Nothing, for as long as the caller would wait.
    Quiet,
    /// Nothing will be said: the jail is not complete, or its shim ended (or the
    /// socket did) without the report.
    Unsaid,
}

/// Something to do once the jail is built ([`Jail::then`]).
type Then = Box<dyn FnOnce(&mut Jail)>;

/// The descriptors a jail sends while it is built, in this order.
#[derive(Clone, Copy, Debug)]
struct Expected {
    terminal: bool,
    proxy: bool,
    /// How many listeners of names on the jail's loopback follow the proxy's.
    named: usize,
    listener: bool,
}

/// How a jailed command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// As a shell reports it: the exit code, or 128 + signal.
    pub status: i32,
    /// Whether the command was started (its `execve` succeeded).
    pub launched: bool,
    /// Whether the jail ran in mediated mode to learn what it lacks.
    pub mediated: bool,
    /// Mediated mode: accesses to paths the jail did not hold.
    pub denied: Vec<Denied>,
    /// The program that ran.
    pub exe: PathBuf,
    /// Hints: what it looked for and did not have, when that was observed.
    pub observed: Option<crate::hints::Observed>,
    /// Where it ran, its name, whether it had arguments (for hints).
    pub cwd: PathBuf,
    pub command: String,
    pub args: bool,
    /// The resource limit it reached, if any.
    pub limit: Option<crate::limits::Hit>,
    /// Hosts its proxy refused as not granted (`host:port`, as the jail asked).
    pub hosts_refused: Vec<String>,
    /// Destinations granted by name that its proxy could not reach, with why.
    pub hosts_unreachable: Vec<(String, String)>,
    /// The signal that killed the command, and whether its core was dumped.
    pub died: Option<(i32, bool)>,
}

/// Whether a plan of `encoded` bytes can be written to `socket` before anything reads
/// it: in at most half the socket's send buffer (the rest for the kernel's overhead
/// and the descriptors' messages). A larger plan is written once its reader is
/// there, as a write that does not fit would wait for a reader not started yet.
fn plan_fits(socket: &UnixStream, encoded: &[u8]) -> bool {
    use nix::sys::socket::{getsockopt, sockopt::SndBuf};
    getsockopt(socket, SndBuf).is_ok_and(|buffer| encoded.len() + 4096 <= buffer / 2)
}

/// The witnesses' descriptors the plan sends, in its order: the resolved binds', then
/// the working directory's file system lent for hints.
fn plan_fds(resolved: &Resolved, cwd: Option<&crate::cwd_host::Lent>) -> Vec<RawFd> {
    use std::os::fd::AsRawFd;
    let mut fds = witness_fds(resolved);
    fds.extend(cwd.map(|lent| lent.mount().as_raw_fd()));
    fds
}

/// The plan on the shim's socket, in the format above: the plan as `encoded`
/// (`crate::plan::encode`), the witnesses `fds`, the powerbox's and the supervisor's
/// ends. The server sends it so, and a warm jail's shim hands it on to its PID 1 so
/// (`pola-shim`'s `warm`).
pub fn write_plan(
    socket: &UnixStream,
    encoded: &[u8],
    fds: &[RawFd],
    powerbox: Option<RawFd>,
    supervisor: Option<RawFd>,
) -> std::io::Result<()> {
    write_plan_text(socket, encoded, fds.len())?;
    write_plan_descriptors(socket, fds, powerbox, supervisor)
}

/// The plan's first part: its header (`count` descriptors to come) and the plan.
fn write_plan_text(socket: &UnixStream, encoded: &[u8], count: usize) -> std::io::Result<()> {
    let mut header = Vec::with_capacity(8);
    header.extend_from_slice(&(count as u32).to_le_bytes());
    header.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
    (&*socket).write_all(&header)?;
    (&*socket).write_all(encoded)
}

/// The plan's second part: the descriptors (see [`write_plan`]).
fn write_plan_descriptors(
    socket: &UnixStream,
    fds: &[RawFd],
    powerbox: Option<RawFd>,
    supervisor: Option<RawFd>,
) -> std::io::Result<()> {
    for chunk in fds.chunks(FDS_PER_MESSAGE) {
        if socket.send_with_fd(b"F", chunk)? != 1 {
            return Err(std::io::Error::other("short write"));
        }
    }
    for (tag, fd) in [(POWERBOX_TAG, powerbox), (SUPERVISOR_TAG, supervisor)] {
        if let Some(fd) = fd {
            if socket.send_with_fd(&[tag], &[fd])? != 1 {
                return Err(std::io::Error::other("short write"));
            }
        }
    }
    Ok(())
}

/// Close-on-exec copies of `sources` numbered above every descriptor a shim is given
/// (0–9 and the socket), so that putting each in place cannot clobber another.
pub fn stage<'a>(
    sources: impl IntoIterator<Item = std::os::fd::BorrowedFd<'a>>,
) -> Result<Vec<OwnedFd>, nix::errno::Errno> {
    use nix::fcntl::{fcntl, FcntlArg};
    sources
        .into_iter()
        .map(|source| {
            let fd = fcntl(source, FcntlArg::F_DUPFD_CLOEXEC(SHIM_SOCKET_FD + 1))?;
            // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor that only we hold.
            Ok(unsafe { OwnedFd::from_raw_fd(fd) })
        })
        .collect()
}

/// Hand the terminal `tty` to the process group of the job whose shim is `child`
/// (`process_group`: 0 for a group the shim leads), putting the shim in it here too,
/// whichever of the two runs first. Whether the terminal was handed over.
fn lend_terminal(tty: RawFd, child: Pid, process_group: Option<i32>) -> bool {
    let group = match process_group {
        Some(0) => child,
        Some(group) if group > 0 => Pid::from_raw(group),
        _ => return false,
    };
    // A spawned shim is in it already, and refuses once it has executed (EACCES).
    let _ = nix::unistd::setpgid(child, group);
    // SAFETY: the caller's terminal, open while it starts the job.
    let tty = unsafe { std::os::fd::BorrowedFd::borrow_raw(tty) };
    nix::unistd::tcsetpgrp(tty, group).is_ok()
}

/// `posix_spawn` the shim: each `(target, source)` descriptor in place (staged above
/// every target first, so no source is clobbered by another's target), the job-control
/// signals a shell ignores back to their defaults, in `process_group` if given.
pub(crate) fn spawn_shim(
    shim: &Path,
    args: &[&str],
    moves: &[(i32, RawFd)],
    process_group: Option<i32>,
) -> std::io::Result<Pid> {
    use nix::spawn::{posix_spawn, PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags};
    use std::os::fd::{AsRawFd, BorrowedFd};
    // SAFETY: the caller owns every source descriptor for the duration of the call.
    let staged = stage(
        moves
            .iter()
            .map(|(_, source)| unsafe { BorrowedFd::borrow_raw(*source) }),
    )?;
    let mut actions = PosixSpawnFileActions::init()?;
    for ((target, _), fd) in moves.iter().zip(&staged) {
        // dup2 in the child leaves the target without close-on-exec.
        actions.add_dup2(fd.as_raw_fd(), *target)?;
    }
    let mut attr = PosixSpawnAttr::init()?;
    let mut defaults = nix::sys::signal::SigSet::empty();
    for sig in supervise::JOB_SIGNALS {
        defaults.add(*sig);
    }
    attr.set_sigdefault(&defaults)?;
    let mut flags = PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF;
    if let Some(group) = process_group {
        attr.set_pgroup(Pid::from_raw(group))?;
        flags |= PosixSpawnFlags::POSIX_SPAWN_SETPGROUP;
    }
    attr.set_flags(flags)?;
    let path = std::ffi::CString::new(shim.as_os_str().as_encoded_bytes())
        .map_err(std::io::Error::other)?;
    let env = std::ffi::CString::new(format!("{LAUNCHER_ENV}={}", std::process::id()))
        .map_err(std::io::Error::other)?;
    let mut argv = vec![path.clone()];
    for arg in args {
        argv.push(std::ffi::CString::new(*arg).map_err(std::io::Error::other)?);
    }
    Ok(posix_spawn(
        path.as_c_str(),
        &actions,
        &attr,
        &argv,
        &[env.as_c_str()],
    )?)
}

/// Start `shim` with `arg` as one of the shell's helpers (its zygote, hints' host):
/// `/dev/null` as 0, 1 and 2, the end of a new `SOCK_SEQPACKET` pair at
/// [`SHIM_SOCKET_FD`], in a process group of its own. Returns it and the shell's end.
pub(crate) fn spawn_helper(shim: &Path, args: &[&str]) -> std::io::Result<(Pid, OwnedFd)> {
    use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
    use std::os::fd::AsRawFd;
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )?;
    let null = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")?;
    let moves = [
        (0, null.as_raw_fd()),
        (1, null.as_raw_fd()),
        (2, null.as_raw_fd()),
        (SHIM_SOCKET_FD, theirs.as_raw_fd()),
    ];
    let pid = spawn_shim(shim, args, &moves, Some(0))?;
    // Out of reach of the user's redirections (`exec 5< f` replaces 5 in place).
    Ok((pid, high_copy(ours)?))
}

/// A program's file name, as questions and messages call it.
pub fn program_name(exe: &Path) -> String {
    exe.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `HOME` in the command's environment.
fn home_of(plan: &JailPlan) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    plan.env.iter().find_map(|v| {
        let h = v.as_bytes().strip_prefix(b"HOME=")?;
        Some(PathBuf::from(std::ffi::OsStr::from_bytes(h)))
    })
}

/// The variable that tells the shim its launcher's PID, to check that the launcher
/// is still its parent once it has asked to die with it.
pub const LAUNCHER_ENV: &str = "POLA_LAUNCHER";

/// Start `shim` for `plan` with the descriptors and process group of `io`.
///
/// From the shell's zygote when it has one (`crate::zygote`), else with `posix_spawn`,
/// which glibc does with `CLONE_VM | CLONE_VFORK`: forking the shell would copy its
/// page tables and make every page it writes afterwards fault
/// (copy-on-write) — measured at several percent of a jailed command's whole cost.
/// What a fork could do between fork and exec is done by the spawn's attributes
/// (descriptors, process group, signal dispositions) or by the shim itself (dying with
/// its launcher).
///
/// It returns as soon as the plan is sent: what the jail sends back once it is built
/// (its terminal, its proxy's and seccomp's listeners) is read by [`Jail::complete`],
/// which must come before the jail is waited for. The shell starts every command of a
/// pipeline so, and the jails are built at the same time.
pub fn start(
    shim: &Path,
    plan: &JailPlan,
    resolved: Resolved,
    io: &Io,
) -> Result<Jail, LaunchError> {
    // Hints: what the command looks for is recorded here, from the skeleton the shell
    // serves (one directory of the shared file system where there is one), and what
    // it tried to run or reach (`crate::mediate`), observed skeleton or not.
    let home = home_of(plan);
    let observed = (plan.observe || plan.hints).then(|| {
        let words: Vec<PathBuf> = plan.argv.iter().skip(1).map(PathBuf::from).collect();
        let slots: Vec<PathBuf> = resolved
            .slots
            .iter()
            .flat_map(|dir| dir.slots.keys().map(|name| dir.virt.join(name)))
            .collect();
        let tool = program_name(&plan.exec);
        let (read_only, read_only_in) = match crate::hints::may_change_its_operands(&tool, &words) {
            true => crate::hints::read_only_words(&tool, &plan.nodes, &slots, &plan.cwd, &words),
            false => (Vec::new(), None),
        };
        // What the program changes as a rule (a build tool its directory, git its
        // repository), where the line gave it that read-only or not at all.
        let home = home.clone().unwrap_or_default();
        // Only for the tool itself, never a program a jail made that carries its name
        // (a jail's `gpg` told to take ~/.gnupg writable); but a venv's pip, which a
        // jail made with the venv, is told of that venv (its own).
        let trusted = |w: &crate::hints::Writes| {
            *w == crate::hints::Writes::Venv
                || crate::planted::unconfined_program(&plan.exec, true).is_ok()
        };
        let changes = crate::hints::what_it_changes(&tool, &words)
            .filter(trusted)
            .and_then(|w| {
                let cwd = crate::hints::working_dir(&tool, &words, &plan.cwd);
                let keyring = plan.env.iter().find_map(|e| {
                    use std::os::unix::ffi::OsStrExt;
                    let value = e.as_bytes().strip_prefix(b"GNUPGHOME=")?;
                    (!value.is_empty()).then(|| Path::new(std::ffi::OsStr::from_bytes(value)))
                });
                crate::hints::changes_in(w, &plan.nodes, &slots, (&plan.exec, &cwd, &home, keyring))
            })
            // git given `.git` and every file it listed as rewritten, which failed for
            // a reason of its own (`git stash pop + => .git => b.txt` in a conflict,
            // which git said): the hint would name the grants the line gave (trial 20).
            .filter(|c| {
                use crate::hints::{given_to_write, Changes, Writes};
                let (Changes::ReadOnly(Writes::WorkTree, tree), Some(files)) =
                    (c, &plan.work_tree_files)
                else {
                    return true;
                };
                let given = |f: &Path| given_to_write(&plan.nodes, &slots, &tree.join(f));
                !(given(Path::new(".git")) && files.iter().all(|f| given(f)))
            });
        // The working directory holding slots, with nothing else of it shown than they
        // and the names granted read-only there (`cc -o => prog main.c`); or a private
        // one (the home: the jail's own, empty but for what the line granted there).
        let granted_here = || -> Vec<std::ffi::OsString> {
            plan.nodes
                .iter()
                .filter_map(|n| {
                    let bound = matches!(n.step, Step::Bind { .. });
                    (bound && n.path.parent() == Some(plan.cwd.as_path()))
                        .then(|| n.path.file_name().map(|f| f.to_os_string()))
                        .flatten()
                })
                .collect()
        };
        let private_here = plan.scratch.iter().any(|s| Path::new(s) == plan.cwd);
        let slots_here = resolved
            .slots
            .iter()
            .find(|dir| dir.virt == plan.cwd)
            .map(|dir| dir.slots.keys().cloned().chain(granted_here()).collect())
            .or_else(|| private_here.then(granted_here));
        // (Only a venv's pip: the system's refuses to install at all, PEP 668, and was
        // told of the metadata too; review.)
        let venv = plan
            .exec
            .parent()
            .and_then(Path::parent)
            .is_some_and(|v| crate::planted::open_regular(&v.join("pyvenv.cfg")).is_some());
        let egg_info = venv
            .then(|| crate::hints::egg_info(&tool, &words, &plan.cwd, &plan.nodes, &slots))
            .flatten();
        std::sync::Arc::new(std::sync::Mutex::new(crate::hints::Observed {
            egg_info,
            cwd: plan.cwd.clone(),
            proxy: plan.proxy,
            own_network: matches!(
                plan.net,
                crate::network::Network::Private | crate::network::Network::Hosts(_)
            ),
            host_network: matches!(plan.net, crate::network::Network::Host),
            connect_ports: match &plan.net {
                crate::network::Network::Ports { connect, .. } => connect.clone(),
                _ => Vec::new(),
            },
            // Only where the working directory holds slots: its bound names that are not
            // slots (a slot's object is bound there too).
            read_here: resolved
                .slots
                .iter()
                .find(|dir| dir.virt == plan.cwd)
                .map_or(0, |dir| {
                    granted_here()
                        .iter()
                        .filter(|n| !dir.slots.contains_key(*n))
                        .count()
                }),
            slots_here,
            cmake_sources: crate::hints::cmake_sources(
                &tool,
                &plan.cwd,
                Some(home.as_path()).filter(|h| !h.as_os_str().is_empty()),
                &plan.nodes,
            ),
            cargo_target_dir: plan.env.iter().find_map(|kv| {
                use std::os::unix::ffi::OsStrExt;
                let value = kv.as_bytes().strip_prefix(b"CARGO_TARGET_DIR=")?;
                Some(PathBuf::from(std::ffi::OsStr::from_bytes(value)))
            }),
            words,
            read_only,
            read_only_in,
            changes,
            home,
            tool,
            said_as: (plan.program.clone(), plan.command.clone()),
            work_tree_files: plan.work_tree_files.clone(),
            editor_declined: plan.editor_declined,
            ..Default::default()
        }))
    });
    let lent = observed
        .as_ref()
        .filter(|_| plan.observe)
        .and_then(|observed| {
            let tree = crate::hints::Tree::from_plan(&plan.nodes, &plan.cwd)?;
            crate::cwd_host::lend(shim, tree, observed.clone(), plan.uid, plan.gid)
        });
    if let (Some(observed), Some(_)) = (&observed, &lent) {
        if let Ok(mut o) = observed.lock() {
            o.watched = true;
        }
    }
    let with_lent;
    let plan = match &lent {
        Some(_) => {
            with_lent = JailPlan {
                cwd_mount: Some(resolved.witnesses.len()),
                ..plan.clone()
            };
            &with_lent
        }
        None => plan,
    };
    let pgid = io
        .process_group
        .unwrap_or_else(|| nix::unistd::getpgrp().as_raw());
    let pair = |wanted: bool| -> Result<Option<(UnixStream, UnixStream)>, LaunchError> {
        wanted
            .then(|| UnixStream::pair().map_err(LaunchError::Spawn))
            .transpose()
    };
    // Whatever fails before the jail is started leaves no staging directory behind.
    let mut resolved = resolved;
    crate::slots::expect_links(&mut resolved.slots, &plan.exec, &plan.argv, &plan.cwd);
    let discard = |resolved: &mut Resolved, e: LaunchError| {
        resolved.discard_slots();
        e
    };
    let powerbox = pair(plan.powerbox).map_err(|e| discard(&mut resolved, e))?;
    let supervisor = pair(!resolved.slots.is_empty()).map_err(|e| discard(&mut resolved, e))?;
    let encoded = crate::plan::encode(plan)
        .map_err(|e| discard(&mut resolved, LaunchError::Send(std::io::Error::other(e))))?;
    let fds = plan_fds(&resolved, lent.as_ref());
    let ends = (
        powerbox
            .as_ref()
            .map(|(_, theirs)| std::os::fd::AsRawFd::as_raw_fd(theirs)),
        supervisor
            .as_ref()
            .map(|(_, theirs)| std::os::fd::AsRawFd::as_raw_fd(theirs)),
    );
    // The zygote's jails are born in network namespaces of their own; one that shares
    // the host's is spawned. A zygote's copy finds the plan's text waiting on its
    // socket when it gets the request (written before, if the socket's buffer holds
    // it): its PID 1 reads and parses it at once instead of waiting while this process
    // writes it. The descriptors follow once the copy is known to be this command's:
    // a copy a dying zygote forked for this request may hold this socket, and must
    // find no plan it could build a jail from (it ends when the socket does).
    let forked = if plan.net.shares_host() {
        None
    } else {
        let (ours, theirs) =
            UnixStream::pair().map_err(|e| discard(&mut resolved, LaunchError::Spawn(e)))?;
        let early = plan_fits(&ours, &encoded).then(|| write_plan_text(&ours, &encoded, fds.len()));
        let template = crate::template::of_plan(plan, &resolved);
        crate::zygote::fork_shim(
            shim,
            &io.fds,
            std::os::fd::AsRawFd::as_raw_fd(&theirs),
            pgid,
            &template,
        )
        .map(|child| (child, ours, early))
    };
    let (child, ours, early) = match forked {
        Some(forked) => forked,
        None => {
            // A socket of its own: a copy a dying zygote forked for this request may
            // hold the first one's end (it leaves once that end is closed).
            let (ours, theirs) =
                UnixStream::pair().map_err(|e| discard(&mut resolved, LaunchError::Spawn(e)))?;
            let mut moves: Vec<(i32, RawFd)> = io.fds.clone();
            moves.push((SHIM_SOCKET_FD, std::os::fd::AsRawFd::as_raw_fd(&theirs)));
            match spawn_shim(shim, &[], &moves, io.process_group) {
                Ok(child) => (child, ours, None),
                Err(e) => return Err(discard(&mut resolved, LaunchError::Spawn(e))),
            }
        }
    };
    let lent_terminal = io
        .lend_terminal
        .is_some_and(|tty| lend_terminal(tty, child, io.process_group));
    // A text written ahead that failed part way is not written again after itself.
    let sent = match early {
        Some(Ok(())) => write_plan_descriptors(&ours, &fds, ends.0, ends.1),
        Some(Err(e)) => Err(e),
        None => write_plan(&ours, &encoded, &fds, ends.0, ends.1),
    };
    crate::phases::stamp("sent");
    crate::zygote::hand_copy();
    crate::zygote::told();
    // What is left to do once the jail has what it needs, off its way: the shell
    // waits for it to be built next.
    crate::cwd_host::tidy();
    reap_ended(false);
    // (Only a command with slots leaves anything beside them.)
    let outputs = match resolved.slots.is_empty() {
        true => Vec::new(),
        false => plan
            .argv
            .iter()
            .skip(1)
            .map(|w| {
                let w = w.as_bytes();
                let value = match w.iter().position(|b| *b == b'=') {
                    Some(i) if i > 0 => &w[i + 1..],
                    _ => w,
                };
                plan.cwd.join(std::ffi::OsStr::from_bytes(value))
            })
            .collect(),
    };
    let mut jail = Jail {
        child,
        socket: ours,
        resolved,
        listener: None,
        supervisor: None,
        mediator: None,
        learn: false,
        brokered: false,
        exe: plan.exec.clone(),
        program: plan.program.clone(),
        command: plan.command.clone(),
        observed,
        lent,
        cwd: plan.cwd.clone(),
        args: plan.argv.len() > 1,
        outputs,
        home,
        limits: None,
        proxy_listener: None,
        named_listeners: Vec::new(),
        proxy: None,
        pending: None,
        then: Vec::new(),
        questions: crate::terminal::Questions::new(match io.process_group {
            Some(0) => child.as_raw(),
            _ => pgid,
        }),
        terminal: None,
        session: plan.session.is_some(),
        lent_terminal,
        ask_to_keep: false,
        write_window: None,
        reported: Vec::new(),
        scanned: 0,
        shim_fd: None,
    };
    let sent = sent.and_then(|()| {
        if let (Some(observed), None, true) = (&jail.observed, &jail.lent, plan.observe) {
            serve_cwd(&jail.socket, plan, observed.clone())?;
        }
        Ok(())
    });
    jail.pending = Some(Expected {
        terminal: plan.session.as_ref().is_some_and(|s| !s.make.is_empty()),
        proxy: plan.proxy.is_some(),
        named: match plan.proxy {
            Some(_) => crate::proxy::named_addresses(plan.net.hosts()).len(),
            None => 0,
        },
        listener: plan.mediate,
    });
    if let Err(e) = sent {
        // The shim reports its own failure if it got that far; make sure it is gone.
        let mut jail = jail;
        let _ = nix::sys::signal::kill(jail.child, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(jail.child, None);
        jail.resolved.discard_slots();
        return Err(LaunchError::Send(e));
    }
    jail.supervisor = supervisor.map(|(ours, _theirs)| ours);
    if let Some((ours, _theirs)) = powerbox {
        // The shim has its end now; this thread ends when every copy of it is closed.
        let name = program_name(&plan.exec);
        let (id, cwd) = (jail.pid(), plan.cwd.clone());
        let questions = jail.questions.clone();
        std::thread::spawn(move || powerbox::serve(ours, &name, id, &cwd, &questions));
    }
    Ok(jail)
}

/// The seccomp listener the shim sends as it starts the command, or `None` if
/// the shim failed before (it reports why itself).
fn receive_listener(socket: &UnixStream) -> std::io::Result<Option<OwnedFd>> {
    receive_tagged(socket, LISTENER_TAG)
}

/// The one descriptor the shim sends with `tag`, or `None` if the shim failed before
/// (it reports why itself).
fn receive_tagged(socket: &UnixStream, tag: u8) -> std::io::Result<Option<OwnedFd>> {
    let mut byte = [0u8; 1];
    let mut fds = [-1 as RawFd; 1];
    let (n, nfds) = socket.recv_with_fd(&mut byte, &mut fds)?;
    if n == 1 && byte[0] == tag && nfds == 1 {
        // SAFETY: the descriptor was just received with SCM_RIGHTS and is ours alone.
        Ok(Some(unsafe { OwnedFd::from_raw_fd(fds[0]) }))
    } else {
        Ok(None)
    }
}

/// Hints: the builder mounted the working directory's skeleton as FUSE and sends the
/// connection (or says it could not); serve it on a thread of its own.
fn serve_cwd(
    socket: &UnixStream,
    plan: &JailPlan,
    observed: crate::hints::Shared,
) -> std::io::Result<()> {
    let mut byte = [0u8; 1];
    let mut fds = [-1 as RawFd; 1];
    let (n, nfds) = socket.recv_with_fd(&mut byte, &mut fds)?;
    if n == 1 && byte[0] == FUSE_TAG && nfds == 1 {
        // SAFETY: the descriptor was just received with SCM_RIGHTS and is ours alone.
        let fd = unsafe { OwnedFd::from_raw_fd(fds[0]) };
        if let Some(tree) = crate::hints::Tree::from_plan(&plan.nodes, &plan.cwd) {
            let fs = crate::hints::CwdFs::new(tree, observed, plan.uid, plan.gid);
            crate::hints::serve(fd, fs);
        }
    }
    Ok(())
}

/// Of the names a command left beside its slots in `dir` (discarded), the first that
/// is, or is below, a path its line named (`outputs`, strictly below `dir`); or that
/// starts with the name of one that is not there (`split … => parts/q_` makes
/// `q_aa`, `q_ab`, ... and never `q_` itself).
fn outputs_lost(outputs: &[PathBuf], dir: &Path, left: &[std::ffi::OsString]) -> Option<PathBuf> {
    let named: Vec<&PathBuf> = outputs
        .iter()
        .filter(|w| w.starts_with(dir) && w.as_path() != dir)
        .collect();
    left.iter().map(|n| dir.join(n)).find(|p| {
        named.iter().any(|w| {
            let prefix = || {
                let (Some(name), Some(stem)) = (p.file_name(), w.file_name()) else {
                    return false;
                };
                w.parent() == Some(dir)
                    && w.symlink_metadata().is_err()
                    && name.as_bytes().starts_with(stem.as_bytes())
            };
            p.starts_with(w) || prefix()
        })
    })
}

/// The one-byte message the shim sends the seccomp listener with.
pub const LISTENER_TAG: u8 = b'L';

/// The one-byte message PID 1 sends the master of the jail's terminal with.
pub const TERMINAL_TAG: u8 = b'T';

/// The one-byte message PID 1 sends the network proxy's listening socket with.
pub const PROXY_TAG: u8 = b'X';

/// The one-byte message PID 1 sends each listening socket of a name on the jail's
/// loopback with (`crate::proxy::named`), alone where it could not listen there.
pub const NAMED_TAG: u8 = b'H';

/// The one-byte message the builder sends the working directory's FUSE connection with
/// (hints); [`NO_FUSE_TAG`] when it could not mount it.
pub const FUSE_TAG: u8 = b'U';
pub const NO_FUSE_TAG: u8 = b'N';

/// The one-byte message the server sends the jail's end of the powerbox with.
pub const POWERBOX_TAG: u8 = b'P';

/// The one-byte message the server sends the supervisor's end of its slots socket with.
pub const SUPERVISOR_TAG: u8 = b'S';

impl Jail {
    pub fn pid(&self) -> u32 {
        self.child.as_raw() as u32
    }

    /// Read what the jail sends once it is built (see [`start`]), then do what was
    /// asked for that moment (`then`: also on failure, so that what the shim said
    /// before it had a terminal is shown). On failure the jail is killed (its shim
    /// says why, if it got that far) and its slot directories are removed; the caller
    /// reaps it.
    pub fn complete(&mut self) -> Result<(), LaunchError> {
        let mut failed = None;
        if let Some(expected) = self.pending.take() {
            let received = (|| -> std::io::Result<()> {
                if expected.terminal {
                    self.terminal = receive_tagged(&self.socket, TERMINAL_TAG)?
                        .filter(|fd| crate::pty::is_master(fd.as_fd()));
                }
                if expected.proxy {
                    self.proxy_listener = receive_tagged(&self.socket, PROXY_TAG)?;
                    for _ in 0..expected.named {
                        let named = receive_tagged(&self.socket, NAMED_TAG)?;
                        self.named_listeners.push(named);
                    }
                }
                if expected.listener {
                    self.listener = receive_listener(&self.socket)?;
                }
                Ok(())
            })();
            if let Err(e) = received {
                let _ = nix::sys::signal::kill(self.child, nix::sys::signal::Signal::SIGKILL);
                self.resolved.discard_slots();
                failed = Some(LaunchError::Send(e));
            }
        }
        for then in std::mem::take(&mut self.then) {
            then(self);
        }
        failed.map_or(Ok(()), Err)
    }

    /// Do `f` once the jail is built ([`Jail::complete`]), or now if it is.
    pub fn then(&mut self, f: impl FnOnce(&mut Jail) + 'static) {
        if self.pending.is_none() {
            f(self);
        } else {
            self.then.push(Box::new(f));
        }
    }

    /// The jail's [`crate::planted::Window`], opened before it was started.
    pub fn set_write_window(&mut self, window: crate::planted::Window) {
        self.write_window = Some(window);
    }

    /// Ask the user at its end whether to keep each of a few regular files it left
    /// beside its slots, at names free there: for an editor the user runs at a
    /// terminal, in the foreground (`:w other.txt` in `vim => f` was discarded).
    pub fn ask_to_keep(&mut self) {
        self.ask_to_keep = true;
    }

    /// Whether the shell's terminal was handed to the job (`Io::lend_terminal`).
    pub fn lent_terminal(&self) -> bool {
        self.lent_terminal
    }

    /// The master of the jail's terminal, if PID 1 made one (`crate::pty`).
    pub fn take_terminal(&mut self) -> Option<OwnedFd> {
        self.terminal.take()
    }

    /// Serve the jail's network proxy (`crate::proxy`), if it has one: `hosts` are
    /// granted, and with `ask` (ask mode) the user is asked about the others.
    pub fn serve_proxy(
        &mut self,
        hosts: &[crate::network::HostGrant],
        ask: Option<crate::ask::Session>,
    ) {
        if let Some(listener) = self.proxy_listener.take() {
            let policy = crate::proxy::Policy {
                hosts: hosts.to_vec(),
                id: self.pid(),
                name: program_name(&self.exe),
                ask,
                questions: self.questions.clone(),
            };
            let named = std::mem::take(&mut self.named_listeners);
            self.proxy = Some(crate::proxy::start(listener, named, policy));
        }
    }

    /// Answer the jail's notifications on a thread: the name-changing calls on its
    /// slots (always, when it has slots), and with `watch` (learning or asking) the
    /// accesses to paths `ns` does not hold, each recorded as an audit record.
    ///
    /// With an `asker` (ask mode), the user is asked about each such `open` and may
    /// grant it.
    pub fn mediate(
        &mut self,
        ns: crate::namespace::Namespace,
        asker: Option<Asker>,
        learn: bool,
        watch: bool,
    ) {
        let Some(listener) = self.listener.take() else {
            return;
        };
        self.learn = learn;
        let id = self.pid();
        let mut asker = asker;
        let slots = std::mem::take(&mut self.resolved.slots);
        self.brokered = self.supervisor.is_some() && !slots.is_empty();
        let supervisor = self.supervisor.take();
        let observed = self.observed.clone();
        let questions = self.questions.clone();
        self.mediator = Some(crate::workers::run(move || {
            let mut broker = supervisor
                .filter(|_| !slots.is_empty())
                .map(|s| Broker::new(slots, Supervisor::new(s)));
            let denied = mediate::serve(
                listener,
                &ns,
                (watch, learn),
                broker.as_mut(),
                observed.as_ref(),
                |d| {
                    if let Some(asker) = asker.as_mut() {
                        return asker.decide(d, &questions);
                    }
                    tracing::info!(target: crate::AUDIT, "#{id} {d}");
                    Verdict::Continue
                },
            );
            (denied, broker)
        }));
    }

    /// Wait for the command to end, forwarding signals sent to this process to it
    /// (the caller blocks them with `supervise::block_signals` before `start`, so
    /// none is lost), then tidy up the files created for it.
    pub fn wait(self) -> Outcome {
        let status = supervise::supervise(self.child, false);
        self.finish(status)
    }

    /// The caller reaped the shim itself and saw `status` (as a shell reports it):
    /// tidy up the files created for the command.
    pub fn finish(mut self, status: i32) -> Outcome {
        let reports = self.reports();
        let launched = reports.contains(&ShimReport::Launched);
        let limit = self.limits.take().and_then(|h| h.finish(&reports));
        // Its questions end with it: none is asked or read from now on.
        self.questions.end();
        let missed = self.proxy.take().map(|p| p.stop()).unwrap_or_default();
        // The jail is gone, so the listener has hung up and the thread is ending.
        drop(self.listener.take());
        let mediated = self.mediator.is_some() && self.learn;
        // Waited for only when what it returns is used: what was learned, the slots'
        // broker (which puts them back). Hints' own mediator (every interactive
        // command) records into `observed` as it answers, and the command's calls
        // were all answered before its end was said; it ends once the jail's last
        // process has (its listener hangs up), with nothing to tidy up after it.
        // Joined, it cost 0.25 ms from every interactive command's end to the prompt
        // (the thread woken on an idle CPU by that hang-up).
        let mediator = self.mediator.take().filter(|_| self.learn || self.brokered);
        let (denied, broker) = mediator.and_then(|t| t.recv().ok()).unwrap_or_default();
        // An editor's file saved at a name it was not given: the user is asked whether
        // to keep it (`Jail::ask_to_keep`), by a name escaped as a jail's.
        let asks = self.ask_to_keep;
        let who = format!("{}: {}", self.program, self.command);
        let (home, cwd) = (self.home.clone(), self.cwd.clone());
        // A jail's name as the user would type it here, escaped.
        let here = |path: &Path| crate::text::word(path.strip_prefix(&cwd).unwrap_or(path));
        let mut keep = |path: &Path| {
            let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
                return false;
            };
            // (Not what programs leave there as they go: said as before, if at all.)
            if !asks || crate::hints::incidental_beside(dir, home.as_deref(), Path::new(name)) {
                return false;
            }
            let question = format!(
                "{who} saved {}, which it was not given to write: keep it? [y/N]",
                here(path)
            );
            crate::terminal::ask(&question)
                .is_some_and(|a| ["y", "yes"].contains(&a.trim().to_ascii_lowercase().as_str()))
        };
        let left = match broker {
            Some(broker) => broker.finish(&mut keep),
            None => std::mem::take(&mut self.resolved.slots)
                .into_iter()
                .map(|d| (d.virt.clone(), d.finish_keeping(&mut keep)))
                .collect::<Vec<_>>(),
        };
        let mut status = status;
        for (dir, done) in left {
            for (slot, scratch) in &done.restored {
                // The name to grant too, as the user would type it (new-user trial).
                let to = dir.join(scratch);
                let name = to.strip_prefix(&self.cwd).unwrap_or(&to);
                crate::text::say(format!(
                    "{who}: {} was moved to {}, which was not granted, and left there; it was put back (to let it move there, grant that name too: => {})",
                    crate::text::shown(&dir.join(slot)),
                    crate::text::shown(scratch),
                    crate::text::shown(name),
                ));
            }
            if let Some(left) = &done.left {
                crate::text::say(format!(
                    "{who}: could not remove {} (what the command left beside its slots); the next start tries again",
                    crate::text::shown(left)
                ));
            }
            for name in &done.kept {
                crate::text::say(format!("{who}: kept {}", here(&dir.join(name))));
            }
            let n = done.discarded;
            // Only what programs leave there as they go (`vim => ~/.bashrc` leaves
            // .viminfo beside it, cargo its cache tracker): not worth a line.
            let incidental = done.named.len() <= crate::slots::SCRATCH_NAMED
                && done.named.iter().all(|name| {
                    crate::hints::incidental_beside(&dir, self.home.as_deref(), Path::new(name))
                });
            if n > 0 && (!incidental || !done.put_back.is_empty()) {
                // A directory left alone was discarded without a word, and two files
                // beside one were said as "2 files …: a, b, d1" (new-user trial).
                let (files, were) = crate::text::left_over(n, done.directories);
                // Named as the jail made them: escaped.
                let shown = done.named.len().min(crate::slots::SCRATCH_NAMED);
                let more = done.named.len() > shown;
                let list = match shown {
                    0 => String::new(),
                    _ => format!(": {}", crate::text::names(&done.named[..shown], more)),
                };
                // What the shell itself expects the program to make of a slot it
                // removed (`gzip => f` makes f.gz): that grant, worked out from the
                // user's own word, never from a name the jail chose.
                let tool = Path::new(&self.command)
                    .file_name()
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                // Each of them (`gzip => *.txt` was told the first file's alone; trial
                // 10), when the names it left are those (a few are named: the rest of
                // the expected names must be free here).
                let expected: Vec<(PathBuf, PathBuf)> = done
                    .put_back
                    .iter()
                    .filter_map(|slot| {
                        let made = crate::hints::made_of(&tool, Path::new(slot))?;
                        let named = done.named.iter().any(|n| Path::new(n) == made);
                        let free =
                            !more && named || more && dir.join(&made).symlink_metadata().is_err();
                        free.then(|| (dir.join(slot), dir.join(made)))
                    })
                    .collect();
                let keep = match expected.as_slice() {
                    [(slot, made)] => format!(
                        " — to keep {}, try: {tool} … => {} + => {}",
                        here(made),
                        here(slot),
                        here(made)
                    ),
                    all if (2..=EXPECTED_NAMED).contains(&all.len()) => {
                        let each: Vec<String> =
                            all.iter().map(|(_, m)| format!("=> {}", here(m))).collect();
                        format!(" — to keep them, try: {tool} … + {}", each.join(" "))
                    }
                    // (Not after the user was asked about them, and said no: trial 9.)
                    _ if asks => String::new(),
                    _ => " (a write grant keeps a file: + => NAME)".to_string(),
                };
                crate::text::say(format!(
                    "{who}: {n} {files} left beside its slots in {} {were} discarded{list}{keep}",
                    crate::text::shown(&dir)
                ));
            }
            // What the command made of them is gone, so they are back as they were,
            // and the command failed: nothing the user had is lost, and `&&` stops.
            // Said once for many (`gzip => *.txt` said it for each file; trial 10).
            match done.put_back.as_slice() {
                [] => {}
                [slot] => crate::text::say(format!(
                    "{who}: {} was put back: the command removed it, and what it made beside it was not granted",
                    crate::text::shown(&dir.join(slot)),
                )),
                all => {
                    let shown = all.len().min(crate::slots::SCRATCH_NAMED);
                    crate::text::say(format!(
                        "{who}: {} files in {} were put back: {} — the command removed them, and what it made beside them was not granted",
                        all.len(),
                        crate::text::shown(&dir),
                        crate::text::names(&all[..shown], all.len() > shown),
                    ))
                }
            }
            // A rename undone too: `mv => b c` said so and exited 0, and a script went
            // on believing c was there (new-user trial).
            let undone = !done.put_back.is_empty() || !done.restored.is_empty();
            // And what its line named that it made beside its slots, now discarded:
            // `split -l 1000 log => parts/q_` and `make install PREFIX=$PWD/stage`
            // exited 0 with their output gone, as one made in a private `/tmp` does not
            // (trials 12, 13).
            let lost = outputs_lost(&self.outputs, &dir, &done.all_left);
            if let Some(lost) = &lost {
                crate::text::say(format!(
                    "{who}: its output {}, at a name its line gave, was discarded: the command fails",
                    here(lost)
                ));
            }
            if (undone || lost.is_some()) && status == 0 {
                status = 1;
            }
        }
        // Every process of the jail is reaped once PID 1 says it ended, and what the
        // broker put back is in place: nothing of it writes from now on. Without that
        // word (its shim was killed, PID 1 dying after it) the window stays open; but
        // for a jail whose shim said why it could not start (125, the command never
        // run): each such launch left its window open for the shell's life (a file
        // replaced while a command naming it started; trial 11).
        if let Some(window) = self.write_window.take() {
            let ended = reports.iter().any(|r| matches!(r, ShimReport::Ended(_)));
            if ended || (!launched && status == 125) {
                window.shut();
            }
        }
        Outcome {
            status,
            launched,
            mediated,
            denied,
            exe: self.exe.clone(),
            observed: self
                .observed
                .as_ref()
                .and_then(|o| o.lock().ok().map(|o| o.clone())),
            cwd: self.cwd.clone(),
            command: self.command.clone(),
            args: self.args,
            limit,
            hosts_refused: missed.refused,
            hosts_unreachable: missed.unreachable,
            died: reports.iter().find_map(|r| match *r {
                ShimReport::Died { signal, core } => Some((signal, core)),
                _ => None,
            }),
        }
    }

    /// Wait for PID 1's report that the command ended ([`ShimReport::Ended`]): its
    /// status as a shell reports it. PID 1's and the shim's exits, which tear the
    /// jail's namespaces down, then overlap with what the caller does next; the shim
    /// is reaped later ([`reap_ended`]).
    ///
    /// `None` when the jail does not say so: it has a session of its own (its shim
    /// stops with the command, for job control: [`Jail::wait_end_or_stop`]), it is not
    /// complete, or it failed before the end. The caller waits for the shim then.
    pub fn wait_ended(&mut self) -> Option<i32> {
        if self.session {
            return None;
        }
        match self.wait_word(None) {
            Waited::Ended(status) => Some(status),
            _ => None,
        }
    }

    /// With job control, for a jail with a session of its own: wait for PID 1's report
    /// of the end, as [`Jail::wait_ended`] does (its shim's exit, some 0.4 ms later,
    /// is then not on the shell's way: bench/README.md, "Twenty-second stop"), for its
    /// shim's word that it stops ([`ShimReport::Stopping`]), or for `patience` to pass
    /// (a shim stopped by a signal from elsewhere says nothing). The caller waits for
    /// the shim (or looks at it) in all but the first case.
    pub fn wait_end_or_stop(&mut self, patience: std::time::Duration) -> Waited {
        if !self.session {
            return Waited::Unsaid;
        }
        self.wait_word(Some(patience))
    }

    fn wait_word(&mut self, patience: Option<std::time::Duration>) -> Waited {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        if self.pending.is_some() || crate::supervise::abandoned() {
            return Waited::Unsaid;
        }
        // The shim's end, too: another process may hold the jail's end of the socket (a
        // copy a dying zygote forked before the shell spawned the shim instead).
        if self.shim_fd.is_none() {
            self.shim_fd = crate::supervise::pidfd(self.child);
        }
        let Some(shim) = self.shim_fd.as_ref() else {
            return Waited::Unsaid;
        };
        let timeout = match patience {
            Some(p) => PollTimeout::try_from(p).unwrap_or(PollTimeout::MAX),
            None => PollTimeout::NONE,
        };
        loop {
            while let Some(end) = self.reported[self.scanned..]
                .iter()
                .position(|b| *b == b'\n')
            {
                let line = &self.reported[self.scanned..self.scanned + end];
                self.scanned += end + 1;
                match serde_json::from_slice(line) {
                    Ok(ShimReport::Ended(status)) => {
                        ENDED
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((std::process::id(), self.child));
                        return Waited::Ended(status);
                    }
                    Ok(ShimReport::Stopping) => return Waited::Stopping,
                    _ => {}
                }
            }
            let mut fds = [
                PollFd::new(self.socket.as_fd(), PollFlags::POLLIN),
                PollFd::new(shim.as_fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, timeout) {
                // A signal (the `wait` builtin's Ctrl-C): said at once, as a time out.
                Err(nix::errno::Errno::EINTR) if patience.is_some() => return Waited::Quiet,
                Err(nix::errno::Errno::EINTR) if crate::supervise::abandoned() => {
                    return Waited::Unsaid
                }
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return Waited::Unsaid,
                Ok(0) => return Waited::Quiet,
                Ok(_) => {}
            }
            let readable = fds[0].revents().is_some_and(|r| !r.is_empty());
            if !readable {
                // The shim ended without PID 1's report: wait for it as before.
                return Waited::Unsaid;
            }
            let mut chunk = [0u8; 256];
            match (&self.socket).read(&mut chunk) {
                Ok(0) => return Waited::Unsaid,
                Ok(n) => self.reported.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return Waited::Unsaid,
            }
        }
    }

    /// Everything the shim reported; the shim has exited, or PID 1 reported the end
    /// (`wait_ended`), so this does not block.
    fn reports(&mut self) -> Vec<ShimReport> {
        let _ = self.socket.set_nonblocking(true);
        self.scanned = 0;
        let mut text = std::mem::take(&mut self.reported);
        let _ = self.socket.read_to_end(&mut text);
        text.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .filter_map(|l| serde_json::from_slice(l).ok())
            .collect()
    }
}
