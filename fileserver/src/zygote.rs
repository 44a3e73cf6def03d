//! The shell's zygote: one `pola-shim --zygote` per shell that starts each jail's shim
//! by forking itself instead of the shell spawning (and the kernel loading) a new
//! `pola-shim` for every command.
//!
//! A jailed command pays for an `execve` of the shim (its dynamic loading and runtime
//! start; on a virtual machine the C library's CPU-feature probing alone traps to the
//! hypervisor) and for a new user namespace with its id maps. The zygote does both
//! once: it enters the user namespace (the shell's own uid and gid, as every jail's
//! is) when it starts, and for each command it forks a copy of itself that goes on
//! exactly as a freshly started shim would, from the socket on. It also makes the
//! next jail's network namespace (loopback up) ahead of time, right after each fork,
//! while the shell is busy with the command: every jail still gets a namespace no other
//! process uses, but its cost (the largest of the namespaces) is off the launch path.
//! A command granted the host's network (`@net`) is spawned, not forked: the zygote's
//! copies cannot rejoin the host's network namespace.
//!
//! The copy is made with `clone(CLONE_PARENT)`: it is the *shell's* child, not the
//! zygote's, so the shell waits for it, stops and continues it and gets its status as
//! it does a spawned shim, and it dies with the shell (`PR_SET_PDEATHSIG`, checked
//! against `$POLA_LAUNCHER`). The zygote holds nothing but its socket to the shell
//! and its template of the default environment (`crate::template`, a mount namespace
//! of its own): no host descriptor, no terminal (0, 1, 2 are `/dev/null`), cwd `/`, its own
//! process group so no terminal signal reaches it. What a spawned shim would inherit
//! from the shell at that moment travels in the request: descriptors 0–9, the process
//! group, the umask.
//!
//! Only the process that started a zygote uses it (a forked subshell spawns its shims
//! itself), and any failure to use it falls back to spawning, so a dead zygote costs
//! one command the old way and is started again for the next.
//!
//! The zygote forks each copy ahead and hands it to the shell at once (a *ready*
//! copy): the shell sends the next command's request to the copy itself and goes on,
//! without a round trip through the zygote, and tells the zygote it took it. While the
//! shell is quiet (at a prompt, or while a command runs) the zygote holds more ready
//! ([`AHEAD`]): a command typed right after another, or each stage of a three-command
//! pipeline, finds its jail made, not in the making.
//!
//! Protocol, on `SOCK_SEQPACKET` pairs. A request is `[b'Z', umask: u32, pgid: i32,
//! closed: u16 (bit t: descriptor t is closed), n: u8, targets: n × u8]` with
//! descriptors `[shim socket, n sources]`.
//! - zygote to shell, when a copy is forked ahead: `[b'R', pid: i32, took: u32,
//!   template: u32, cgroup: u32]` (how many `K` messages the zygote had read before the
//!   fork, which template message the copy has, and the number of the cgroup it waits
//!   in, counted from 0 over all `K` messages, or `u32::MAX`) with the shell's ends of
//!   sockets to that copy and its warm PID 1, on which the shell sends it a request;
//! - shell to zygote, after sending a ready copy its request (or finding it dead):
//!   `[b'K', pid: i32, taken: u8]` and jail cgroups made for the next commands
//!   (`crate::cgroup::reserve`), each its files ended by a NUL and a NUL after the
//!   last, without reply: the zygote keeps them in turn, and each copy it forks ahead
//!   writes itself into the next, so that it and its PID 1 are in a command's cgroup
//!   before that command is asked for ([`cgroup_ahead`]);
//! - shell to zygote, when it holds no ready copy: a request, answered `pid: i32` (a
//!   copy forked for it), 0 (a ready copy was announced before this answer: use it),
//!   or a negative errno;
//! - shell to zygote, before a request, when the command's default environment is not
//!   the one the zygote holds: a template message (`crate::template`), without reply.

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::sync::Mutex;

use nix::errno::Errno;
use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags};
use nix::unistd::Pid;

/// The argument that makes `pola-shim` a zygote.
pub const ARG: &str = "--zygote";
/// The argument that makes `pola-shim` a one-shot launcher's zygote: it forks one copy
/// ahead, and none after the launcher took it.
pub const ONCE_ARG: &str = "--zygote-once";
/// After either: the shell relays no terminal (`crate::pty`), so its jails get none of
/// their own, and a warm jail makes none ahead (it would be opened and closed unused,
/// a command's worth of CPU in a script's loop).
pub const NO_TERMINALS_ARG: &str = "--no-terminals";

const TAG: u8 = b'Z';
/// A ready copy announced to the shell.
const READY_TAG: u8 = b'R';
/// The shell took (or lost) the ready copy.
const TOOK_TAG: u8 = b'K';
/// The most copies the zygote holds ready: more than [`BUSY_AHEAD`] only while the
/// shell is quiet (`pola-shim`'s zygote). Measured (bench/README.md, fifteenth stop): a
/// second cut the latency of a command right after another by ~0.5 ms, a third that
/// of a three-stage pipeline's last stage by ~1.5 ms.
pub const AHEAD: usize = 3;
/// The copies the zygote holds ready while the shell is busy (a script's loop: one is
/// made per command, as one is taken), from the shell's second command on. With one,
/// each copy was forked once the command before it had started and was not ready when
/// the shell asked (its network namespace, its namespaces, its PID 1's root: ~1.3 ms
/// against the ~1 ms from a spawn to the next request); with two, each is forked a
/// command earlier (bench/README.md, thirtieth stop: 500 × `cat` 4 % faster).
pub const BUSY_AHEAD: usize = 2;

/// What the zygote's copy must set up before it goes on as a shim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub umask: u32,
    /// The process group to join (0: a new one it leads).
    pub pgid: i32,
    /// Descriptors 0–15 the command must find closed.
    pub closed: u16,
    /// Where each source descriptor (after the shim socket) goes.
    pub targets: Vec<u8>,
}

impl Request {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + self.targets.len());
        out.push(TAG);
        out.extend_from_slice(&self.umask.to_le_bytes());
        out.extend_from_slice(&self.pgid.to_le_bytes());
        out.extend_from_slice(&self.closed.to_le_bytes());
        out.push(self.targets.len() as u8);
        out.extend_from_slice(&self.targets);
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Request> {
        let (&tag, rest) = bytes.split_first()?;
        if tag != TAG || rest.len() < 11 {
            return None;
        }
        let umask = u32::from_le_bytes(rest[0..4].try_into().ok()?);
        let pgid = i32::from_le_bytes(rest[4..8].try_into().ok()?);
        let closed = u16::from_le_bytes(rest[8..10].try_into().ok()?);
        let n = rest[10] as usize;
        let targets = rest.get(11..11 + n)?.to_vec();
        (rest.len() == 11 + n).then_some(Request {
            umask,
            pgid,
            closed,
            targets,
        })
    }
}

/// The most descriptors one request carries: the shim socket and 0–9.
pub const MAX_FDS: usize = 11;

/// What the shell sends its zygote.
pub enum Message {
    /// Start a shim.
    Fork(Request),
    /// Hold these default-environment binds ready (`crate::template`).
    Template(Vec<crate::template::Subtree>),
    /// The shell sent the ready copy `pid` its request (`taken`), or found it dead;
    /// `cgroups`: more jail cgroups (each its files), one for each copy forked from
    /// now on to wait in, in turn.
    Took {
        pid: Pid,
        taken: bool,
        /// Taken for the last jail the shell will ask for ([`last_jail`]): no more
        /// copies ahead.
        last: bool,
        cgroups: Vec<Vec<std::path::PathBuf>>,
    },
}

/// One message on `socket` into `buf`, with the descriptors it carried (up to `N`,
/// close-on-exec): its length (0 at end of file), the descriptors, and whether the
/// message or its descriptors were cut short. The one way the shell and its helpers
/// (the zygote and its copies, hints' host) read their `SOCK_SEQPACKET` messages.
pub fn receive_with_fds<const N: usize>(
    socket: RawFd,
    buf: &mut [u8],
) -> Result<(usize, Vec<OwnedFd>, bool), Errno> {
    let mut space = nix::cmsg_space!([RawFd; N]);
    let mut iov = [IoSliceMut::new(buf)];
    let msg = loop {
        match recvmsg::<()>(
            socket,
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        ) {
            Err(Errno::EINTR) => continue,
            other => break other?,
        }
    };
    let mut fds = Vec::new();
    for cmsg in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(raw) = cmsg {
            // SAFETY: SCM_RIGHTS installed these descriptors in this process just now.
            fds.extend(
                raw.into_iter()
                    .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
            );
        }
    }
    let truncated = msg
        .flags
        .intersects(MsgFlags::MSG_TRUNC | MsgFlags::MSG_CTRUNC);
    Ok((msg.bytes, fds, truncated))
}

/// The most bytes a message between the shell, its zygote and the copies holds.
const MAX_MESSAGE: usize = 1 << 16;

/// One message on `socket` as [`receive_with_fds`] reads it, in a buffer of its own
/// size (at most [`MAX_MESSAGE`] bytes; the length is asked with a peek first). The
/// zygote and its copies have just forked, so every page they write is copied: a
/// buffer of the largest size zeroed for each message cost each of them 16 page faults
/// per command.
pub fn receive_sized<const N: usize>(
    socket: RawFd,
) -> Result<(Vec<u8>, Vec<OwnedFd>, bool), Errno> {
    let flags = MsgFlags::MSG_PEEK | MsgFlags::MSG_TRUNC;
    let next = loop {
        match nix::sys::socket::recv(socket, &mut [], flags) {
            Err(Errno::EINTR) => continue,
            other => break other?,
        }
    };
    let mut buf = vec![0u8; next.clamp(1, MAX_MESSAGE)];
    let (len, fds, truncated) = receive_with_fds::<N>(socket, &mut buf)?;
    buf.truncate(len);
    Ok((buf, fds, truncated))
}

/// Receive one message and its descriptors (close-on-exec). `None` at end of file.
pub fn receive(socket: RawFd) -> Result<Option<(Message, Vec<OwnedFd>)>, Errno> {
    let (buf, fds, truncated) = receive_sized::<{ crate::template::MAX_BINDS }>(socket)?;
    let len = buf.len();
    if len == 0 {
        return Ok(None);
    }
    if truncated {
        return Err(Errno::EMSGSIZE);
    }
    if buf[0] == TOOK_TAG && len >= 6 && fds.is_empty() {
        use std::os::unix::ffi::OsStrExt;
        let pid = i32::from_le_bytes(buf[1..5].try_into().map_err(|_| Errno::EINVAL)?);
        // Files, each ended by a NUL; an empty one ends a cgroup.
        let mut cgroups = Vec::new();
        let mut files = Vec::new();
        for f in buf[6..].split(|&b| b == 0) {
            match f {
                [] if !files.is_empty() => cgroups.push(std::mem::take(&mut files)),
                [] => {}
                f => files.push(std::path::PathBuf::from(std::ffi::OsStr::from_bytes(f))),
            }
        }
        if !files.is_empty() {
            return Err(Errno::EINVAL);
        }
        return Ok(Some((
            Message::Took {
                pid: Pid::from_raw(pid),
                taken: buf[5] != 0,
                last: buf[5] == LAST_TAKEN,
                cgroups,
            },
            fds,
        )));
    }
    if buf[0] == crate::template::TAG {
        return match crate::template::decode(&buf[1..len], fds.len()) {
            Some(trees) => Ok(Some((Message::Template(trees), fds))),
            None => Err(Errno::EINVAL),
        };
    }
    match Request::decode(&buf[..len]) {
        Some(req) if fds.len() == req.targets.len() + 1 => Ok(Some((Message::Fork(req), fds))),
        _ => Err(Errno::EINVAL),
    }
}

/// Hand the shell a copy forked ahead: its pid, how many `K` messages the zygote had
/// read before it forked it, the number of the template message it has (0: none) and
/// that of the cgroup it waits in (`None`: none), and the shell's ends of a socket to
/// it and of one to its warm PID 1 (`pola-shim`'s `warm`), which takes the request
/// too.
pub fn announce(
    socket: RawFd,
    pid: Pid,
    (took, template, cgroup): (u32, u32, Option<u32>),
    sockets: &[RawFd; 2],
) -> Result<(), Errno> {
    let mut bytes = vec![READY_TAG];
    bytes.extend_from_slice(&pid.as_raw().to_le_bytes());
    bytes.extend_from_slice(&took.to_le_bytes());
    bytes.extend_from_slice(&template.to_le_bytes());
    bytes.extend_from_slice(&cgroup.unwrap_or(u32::MAX).to_le_bytes());
    let iov = [IoSlice::new(&bytes)];
    let rights = [ControlMessage::ScmRights(sockets)];
    sendmsg::<()>(socket, &iov, &rights, MsgFlags::MSG_NOSIGNAL, None).map(drop)
}

/// Answer a request: the new shim's pid, or why there is none.
pub fn reply(socket: RawFd, result: Result<Pid, Errno>) {
    let value = match result {
        Ok(pid) => pid.as_raw(),
        Err(errno) => -(errno as i32),
    };
    let _ = nix::unistd::write(
        // SAFETY: the caller owns `socket` for the duration of the call.
        unsafe { std::os::fd::BorrowedFd::borrow_raw(socket) },
        &value.to_le_bytes(),
    );
}

/// The shell's handle on its zygote.
struct Zygote {
    /// The process that started it: only it may use it (`CLONE_PARENT` makes the new
    /// shim a child of the zygote's parent).
    owner: u32,
    pid: Pid,
    socket: OwnedFd,
    /// The default-environment subtrees last sent to it (`crate::template`), and the
    /// mount table's changes (`crate::mounts`) counted when they were sent.
    template: Vec<crate::template::Subtree>,
    template_mounts: Option<u64>,
    /// How many template messages it was sent.
    templates: u32,
    /// The copies it forked ahead and handed over, for the next commands, oldest
    /// first.
    ready: std::collections::VecDeque<Ready>,
    /// Whether it has made a shim yet (started ahead of its first command: `start_ahead`).
    used: bool,
    /// The mount table's changes (`crate::mounts`) counted before the zygote could
    /// fork its next copies: when it started (`took` 0), and as each `K` message was
    /// sent (`took` n: the n-th), the last few. Empty where the table cannot be
    /// counted.
    mounts: std::collections::VecDeque<(u32, u64)>,
    /// How many `K` messages it was sent.
    took: u32,
    /// The jail cgroups sent to it (each numbered in the order sent: `cgroups`) that
    /// no copy announced has taken yet.
    reserved: std::collections::VecDeque<(u32, crate::cgroup::JailCgroup)>,
    cgroups: u32,
    /// A one-shot launcher's (`ONCE_ARG`).
    once: bool,
    /// The copy that took the last request, until the zygote is told (`told`).
    untold: Option<Pid>,
    /// The copy whose warm PID 1 has its request, with its own request and copies of
    /// the descriptors it carries, until it is sent ([`hand_copy`]).
    pending: Option<(Ready, Request, Vec<OwnedFd>)>,
    /// An answer came that was not asked for (read by `cgroup_ahead`): it is out of
    /// step, and the next `take` ends it.
    broken: bool,
    /// The cgroup limits of the command being started (`cgroup_ahead`), for `take`.
    plan: Option<Vec<(crate::cgroup::Controller, u64)>>,
}

/// How many of the mount table's counts a zygote keeps (`Zygote::mounts`): a copy
/// announced with an older one is let go.
const COUNTS_KEPT: usize = 8;

/// A copy forked ahead, waiting for a request from the shell on `socket`, and its
/// warm PID 1 on `pid1` (the copy makes it once it runs: until then, or if it could
/// not, the request stays there unread and the copy goes on without).
struct Ready {
    pid: Pid,
    socket: OwnedFd,
    pid1: OwnedFd,
    /// The zygote's `mounts` count last taken before the copy was forked (`u64::MAX`:
    /// not known, never current): it made its private copy of the host's mount
    /// namespace after it. `None`: not watched.
    mounts: Option<u64>,
    /// The template message it has (`Zygote::templates`; 0: none).
    template: u32,
    /// The jail cgroup it and its PID 1 wait in (`Zygote::reserved`).
    cgroup: Option<crate::cgroup::JailCgroup>,
    /// Its cgroup was given to the plan of the command being started
    /// (`cgroup_ahead`): a copy made ready for the command in its place must not
    /// share it.
    lent: bool,
}

/// The copy a request was sent to last: a dead zygote's waiting copy is killed by its
/// name, which this one may still carry for a moment (`reap_waiting`).
static HANDED: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

impl Drop for Zygote {
    fn drop(&mut self) {
        if std::process::id() == self.owner {
            let _ = nix::sys::signal::kill(self.pid, nix::sys::signal::Signal::SIGKILL);
            let _ = nix::sys::wait::waitpid(self.pid, None);
            // A copy it announced that this process has not read of yet: closing the
            // shell's ends of its sockets, not killing it, ends it (`drop_ready`).
            while readable(&self.socket) && message(self).is_ok() {}
            // All told at once, then each waited for: they end side by side.
            let ending: Vec<Ending> = self.ready.drain(..).map(let_end).collect();
            ending.into_iter().for_each(Ending::wait);
            reap_waiting();
        }
    }
}

/// The name (`comm`) of a copy of the zygote forked ahead until its plan arrives and
/// it is a shim.
pub const WAITING_NAME: &str = "pola-warm";
/// The name of a copy the zygote forked for a request (none was ready), until its plan
/// arrives.
pub const ASKED_NAME: &str = "pola-asked";

/// End and reap the copies a dead zygote had forked, ahead or for a request whose
/// answer never came (the shell spawned that command's shim instead), but the one the
/// shell handed a request itself: they are this process's children (`CLONE_PARENT`),
/// and a zombie child would wake the `wait` builtin, which waits for any child's
/// change, again and again. One forked ahead had its socket from the shell in the
/// zygote, so it is ending already, its warm PID 1 with it (`end_copy`); one forked for
/// a request waits for its plan on the request's socket, which the shell still holds,
/// and has no PID 1 yet: it is killed.
fn reap_waiting() {
    let me = std::process::id().to_string();
    for pid in children().unwrap_or_else(every_process) {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = &stat[open + 1..close];
        let ppid = stat[close + 1..].split_whitespace().nth(1);
        if (comm == WAITING_NAME || comm == ASKED_NAME) && ppid == Some(me.as_str()) {
            if let Ok(pid) = stat[..open].trim().parse::<i32>() {
                if pid == HANDED.load(std::sync::atomic::Ordering::Relaxed) {
                    continue;
                }
                let pid = Pid::from_raw(pid);
                let ending = (comm == WAITING_NAME)
                    .then(|| crate::supervise::pidfd(pid))
                    .flatten();
                end_copy(pid, ending);
            }
        }
    }
}

/// This process's children, from each of its threads' `children` list in `/proc`: a
/// few, where `/proc` holds every process of the machine (reading each one's `stat`
/// took ~1 ms of a script's exit with 130 processes here). `None` without those lists
/// (a kernel built without them).
fn children() -> Option<Vec<String>> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let mut pids = Vec::new();
    for task in tasks.flatten() {
        let list = std::fs::read_to_string(task.path().join("children")).ok()?;
        pids.extend(list.split_whitespace().map(str::to_string));
    }
    Some(pids)
}

/// Every process's number in `/proc`, where a process's children cannot be listed.
fn every_process() -> Vec<String> {
    std::fs::read_dir("/proc")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| name.bytes().all(|b| b.is_ascii_digit()))
                .collect()
        })
        .unwrap_or_default()
}

static ZYGOTE: Mutex<Option<Zygote>> = Mutex::new(None);
/// The next jail is the last this process will ask for ([`last_jail`]).
static LAST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// A `Took` message's `taken` byte for the last jail.
const LAST_TAKEN: u8 = 2;

/// The next jail this process asks for is the last (a script's last command): its
/// zygote forks no copy ahead after it, and the shell reserves it no cgroup. Any later
/// one gets a copy forked for it, the slow way.
pub fn last_jail() {
    LAST.store(true, std::sync::atomic::Ordering::Relaxed);
}
static ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static ONCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Start jails through a zygote from now on (the shell does). `POLA_ZYGOTE=0` turns it
/// off.
pub fn enable() {
    let off = std::env::var_os("POLA_ZYGOTE").is_some_and(|v| v == "0");
    ENABLED.store(!off, std::sync::atomic::Ordering::Relaxed);
    STARTS.store(std::process::id(), std::sync::atomic::Ordering::Relaxed);
}

/// The process that may start a zygote ([`start_ahead`]): the shell ([`enable`]), or a
/// forked copy of it that loops ([`adopt`]). Any other forked copy spawns its jails (a
/// background job a loop starts each round would have made a zygote and its copies
/// ahead for its one command: review of the fortieth stop).
static STARTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// [`enable`], for a one-shot launcher (`pola-run`): its zygote forks no copy ahead
/// after the first. Worth it only with [`start_ahead`]: the zygote's start and its
/// copy's jail made ahead then run beside the launcher's own work.
pub fn enable_once() {
    ONCE.store(true, std::sync::atomic::Ordering::Relaxed);
    enable();
}

fn start(shim: &Path) -> std::io::Result<Zygote> {
    let once = ONCE.load(std::sync::atomic::Ordering::Relaxed);
    // Counted for a one-shot launcher's too: `pola-sh -c 'cmd $(sleep 2)'` asks for its
    // jail after its words are expanded, and a copy made before a host mount showed
    // the mounts as they were (review of the twenty-eighth stop).
    let mounts = match crate::mounts::changes() {
        Some(count) => std::collections::VecDeque::from([(0, count)]),
        None => std::collections::VecDeque::new(),
    };
    let mut args = vec![if once { ONCE_ARG } else { ARG }];
    if crate::pty::SHARED.get().is_none() {
        args.push(NO_TERMINALS_ARG);
    }
    let (pid, ours) = crate::launch::spawn_helper(shim, &args)?;
    Ok(Zygote {
        owner: std::process::id(),
        pid,
        socket: ours,
        template: Vec::new(),
        template_mounts: None,
        templates: 0,
        ready: std::collections::VecDeque::new(),
        used: false,
        mounts,
        took: 0,
        reserved: std::collections::VecDeque::new(),
        cgroups: 0,
        once,
        untold: None,
        pending: None,
        broken: false,
        plan: None,
    })
}

/// Start the zygote now, if jails start through one and it is not running: called
/// before a command's grants are resolved, so that the kernel loading `pola-shim`, its
/// user namespace and the jail its first copy makes ahead (namespaces, PID 1, root)
/// take the other core meanwhile, not the command's path (measured in bench/README.md,
/// sixth stop). `shim` finds `pola-shim`, asked only when the zygote is started.
pub fn start_ahead(shim: impl FnOnce() -> Option<std::path::PathBuf>) {
    if !ENABLED.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let mut slot = ZYGOTE.lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_some() || STARTS.load(std::sync::atomic::Ordering::Relaxed) != std::process::id() {
        return;
    }
    let Some(shim) = shim() else {
        return;
    };
    match start(&shim) {
        Ok(z) => *slot = Some(z),
        Err(e) => {
            tracing::debug!("cannot start the zygote: {e}");
            ENABLED.store(false, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// Before this process exits: end and reap the zygote if it never made a shim (started
/// ahead for a command that did not come to it: its grants were refused, it shares the
/// host's network, the shell ran only builtins), and the copy it made ahead, rather
/// than leave them to die after this process, to init or a subreaper above it. A
/// zygote that made one is left to die with this process: the teardown of what it
/// holds is not waited for.
pub fn stop_unused() {
    let mut slot = ZYGOTE.lock().unwrap_or_else(|e| e.into_inner());
    if slot
        .as_ref()
        .is_some_and(|z| !z.used && z.owner == std::process::id())
    {
        drop(slot.take());
    }
}

/// In a forked copy of the shell that loops (a pipeline's `while read` loop, a
/// subshell's `for`): its next jail starts a zygote of its own (`start_ahead`), whose
/// copies made ahead the loop's later commands take. The shell's zygote is not this
/// process's to use, and a copy that spawned each jail built it from nothing (`seq 200
/// | while read i; do cat f; done` took twice what the loop alone takes:
/// bench/README.md, fortieth stop); a copy that runs a few commands and no loop
/// (`x=$(a; b)`, `(cd d && make)`) pays for no zygote. Its copies of the shell's ends
/// close; the shell's own stay open, so nothing of the shell's zygote or its copies
/// changes.
pub fn adopt() {
    let mut slot = ZYGOTE.lock().unwrap_or_else(|e| e.into_inner());
    if slot.as_ref().is_some_and(|z| z.owner != std::process::id()) {
        *slot = None;
    }
    STARTS.store(std::process::id(), std::sync::atomic::Ordering::Relaxed);
}

/// Ask the zygote (started now if there is none) for a shim with descriptors `moves`
/// (`(target, source)`, 0–9), the shim socket `socket`, in process group `pgid` (0: a
/// new one). `template`: the command's default-environment binds, sent to the zygote
/// first when they are not the ones it holds. `None`: no zygote here or it failed;
/// spawn the shim instead.
pub fn fork_shim(
    shim: &Path,
    moves: &[(i32, RawFd)],
    socket: RawFd,
    pgid: i32,
    template: &(
        Vec<crate::template::Subtree>,
        Vec<std::os::fd::BorrowedFd<'_>>,
    ),
) -> Option<Pid> {
    if !ENABLED.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let mut slot = ZYGOTE.lock().unwrap_or_else(|e| e.into_inner());
    if slot.as_ref().is_some_and(|z| z.owner != std::process::id()) {
        // A forked copy of the shell: its jails are spawned, until it loops (`adopt`).
        return None;
    }
    if slot.is_none() {
        drop(slot);
        start_ahead(|| Some(shim.to_path_buf()));
        slot = ZYGOTE.lock().unwrap_or_else(|e| e.into_inner());
    }
    let zygote = slot.as_mut()?;
    tell_untold(zygote);
    // A shell that runs one command never pays for the template: it is sent with the
    // second (and made by the zygote once it has answered).
    // The template's binds are copies of the host's mounts as they were when it was
    // sent: something mounted below one of its directories since (a directory of
    // /usr) is not in them, though each bind is still the same directory. Sent again
    // then, and every copy made from the old one is let go.
    let (trees, fds) = template;
    let mounts = crate::mounts::changes();
    let moved = zygote.template_mounts.is_some() && zygote.template_mounts != mounts;
    if zygote.used && (zygote.template != *trees || moved) && !trees.is_empty() {
        match send_template(zygote, trees, &crate::template::raw(fds)) {
            Ok(()) => {
                zygote.template = trees.clone();
                zygote.template_mounts = mounts;
                zygote.templates = zygote.templates.wrapping_add(1);
                if moved {
                    let_go(zygote, |_| true);
                }
            }
            Err(errno) => tracing::debug!("cannot send the zygote its template: {errno}"),
        }
    }
    zygote.used = true;
    let (request, fds) = request(moves, socket, pgid);
    match take(zygote, &request, &fds) {
        Ok(pid) => Some(pid),
        Err(errno) => {
            tracing::debug!("the zygote failed ({errno}); spawning the shim");
            // Dropping it kills and reaps it; the next command starts a new one.
            *slot = None;
            None
        }
    }
}

fn send_template(
    zygote: &Zygote,
    trees: &[crate::template::Subtree],
    fds: &[RawFd],
) -> Result<(), Errno> {
    let bytes = crate::template::encode(trees);
    let iov = [IoSlice::new(&bytes)];
    let rights = [ControlMessage::ScmRights(fds)];
    sendmsg::<()>(
        zygote.socket.as_raw_fd(),
        &iov,
        &rights,
        MsgFlags::MSG_NOSIGNAL,
        None,
    )
    .map(drop)
}

/// The request for a shim with descriptors `moves`, the shim socket `socket`, in
/// process group `pgid`, and the descriptors it carries.
fn request(moves: &[(i32, RawFd)], socket: RawFd, pgid: i32) -> (Request, Vec<RawFd>) {
    let mut closed = 0u16;
    let mut targets = Vec::with_capacity(moves.len() + 3);
    let mut fds = vec![socket];
    for (target, source) in moves {
        targets.push(*target as u8);
        fds.push(*source);
    }
    // A spawned shim would inherit the shell's 0, 1, 2 as they are now.
    for std_fd in 0..=2 {
        if moves.iter().any(|(t, _)| *t == std_fd) {
            continue;
        }
        // SAFETY: F_GETFD only asks whether the descriptor is open.
        if unsafe { libc::fcntl(std_fd, libc::F_GETFD) } >= 0 {
            targets.push(std_fd as u8);
            fds.push(std_fd);
        } else {
            closed |= 1 << std_fd;
        }
    }
    let umask = {
        let old = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
        nix::sys::stat::umask(old);
        old.bits()
    };
    let request = Request {
        umask,
        pgid,
        closed,
        targets,
    };
    (request, fds)
}

/// A shim for `request`: the ready copy if there is one (announced already, or before
/// the zygote's answer), else a copy the zygote forks for it.
fn take(zygote: &mut Zygote, request: &Request, fds: &[RawFd]) -> Result<Pid, Errno> {
    if zygote.broken {
        return Err(Errno::EPROTO);
    }
    // Announcements already here cost no wait.
    while readable(&zygote.socket) {
        if let Some(answer) = message(zygote)? {
            return Err(unexpected(answer));
        }
    }
    // A copy announced while the request was on its way (the zygote answers 0) is
    // checked as the others were: a few rounds at most.
    let mut rounds = 0;
    // The cgroup controllers of the command's plan (`cgroup_ahead`).
    let plan = zygote.plan.take();
    let pid = loop {
        drop_stale(zygote);
        if let Some(mut ready) = pick(zygote) {
            if !std::mem::take(&mut ready.lent) {
                // Another copy's cgroup went to this command's plan: that copy waits
                // in it.
                let_go(zygote, |r| r.lent);
                // This one waits in a cgroup that is not the plan's: it moves into the
                // plan's in each hierarchy the plan names, but would stay in each one
                // it does not (a limit turned off), under the last command's limits
                // (review 43). The zygote's next copies wait in cgroups of the plan's
                // controllers (`crate::cgroup::remember`), or in none.
                let fits = |c: &crate::cgroup::JailCgroup| plan.as_ref().is_some_and(|p| c.fits(p));
                if ready.cgroup.as_ref().is_some_and(|c| !fits(c)) {
                    drop_ready(zygote, ready, true);
                    continue;
                }
            }
            break hand(zygote, ready, request, fds)?;
        }
        rounds += 1;
        if rounds > 4 {
            return Err(Errno::EAGAIN);
        }
        send_request(zygote.socket.as_raw_fd(), request, fds)?;
        let answer = loop {
            if let Some(answer) = message(zygote)? {
                break answer;
            }
        };
        match answer {
            0 if zygote.ready.is_empty() => return Err(Errno::EPROTO),
            0 => continue,
            pid if pid > 0 => break Pid::from_raw(pid),
            errno => return Err(Errno::from_raw(-errno)),
        }
    };
    // Both sides set the group, so it is in place whichever runs first.
    let group = if request.pgid == 0 {
        pid
    } else {
        Pid::from_raw(request.pgid)
    };
    let _ = nix::unistd::setpgid(pid, group);
    Ok(pid)
}

/// Let go of the ready copies made before something was mounted or unmounted on the
/// host: they would not see it, and their jails could not start (a grant "changed
/// while the jail was starting"), or would show the mounts as they were. The zygote
/// forks one for each.
fn drop_stale(zygote: &mut Zygote) {
    if !zygote.ready.iter().any(|r| r.mounts.is_some()) {
        return;
    }
    let now = crate::mounts::changes();
    let_go(zygote, |r| r.mounts.is_some_and(|seen| Some(seen) != now));
}

/// Let go of the ready copies that `stale` says of (`drop_ready`, telling the
/// zygote, which forks others); the rest stay, in their order.
fn let_go(zygote: &mut Zygote, stale: impl Fn(&Ready) -> bool) {
    let (gone, kept): (Vec<Ready>, Vec<Ready>) = std::mem::take(&mut zygote.ready)
        .into_iter()
        .partition(stale);
    zygote.ready = kept.into();
    for ready in gone {
        drop_ready(zygote, ready, true);
    }
}

/// The ready copy for a command: the oldest made with the last template sent; if none
/// is, the oldest (made without it: correct, but it builds the jail the slow way). The
/// others made without it are let go (the zygote makes new ones with it): a copy made
/// ahead while the shell was quiet, before its second command sent the template,
/// would otherwise serve a later command the slow way.
fn pick(zygote: &mut Zygote) -> Option<Ready> {
    let current = zygote.templates;
    let first = zygote.ready.remove(next(zygote, |_| true)?)?;
    let_go(zygote, |r| r.template != current);
    Some(first)
}

/// Which ready copy `pick` takes now, of those `usable` says of.
fn next(zygote: &Zygote, usable: impl Fn(&Ready) -> bool) -> Option<usize> {
    let current = zygote.templates;
    let first = zygote
        .ready
        .iter()
        .position(|r| usable(r) && r.template == current);
    first.or_else(|| zygote.ready.iter().position(usable))
}

/// For the next command, whose cgroup limits are `limits` (none: no cgroup): the jail
/// cgroup that the ready copy it will most likely be given (`pick`) and that copy's
/// PID 1 wait in, if it fits `limits` (set to them), so that neither moves into one
/// on the command's way (issue 17). A copy given in its place (the template changed
/// meanwhile) moves into the plan's as before, and this one is let go (`take`); so is
/// a copy waiting in a cgroup of other controllers than `limits` (review 43: the
/// command stayed in it for a limit it turned off). `None`: no such copy here; the
/// caller makes a cgroup as before.
pub fn cgroup_ahead(
    limits: &[(crate::cgroup::Controller, u64)],
) -> Option<crate::cgroup::JailCgroup> {
    let mut slot = ZYGOTE.lock().unwrap_or_else(|e| e.into_inner());
    let zygote = slot.as_mut().filter(|z| z.owner == std::process::id())?;
    zygote.plan = Some(limits.to_vec());
    if limits.is_empty() {
        return None;
    }
    tell_untold(zygote);
    while readable(&zygote.socket) {
        match message(zygote) {
            Ok(None) => {}
            // The zygote is out of step: `take` says so, and it is started anew.
            Ok(Some(_)) | Err(_) => {
                zygote.broken = true;
                return None;
            }
        }
    }
    // Nothing is let go here: the zygote would fork the next copies before the
    // command's template reaches it (`fork_shim` sends it), and they would not have it.
    // A copy `take` will let go (`drop_stale`) is not the one to wait for.
    let now = crate::mounts::changes();
    let i = next(zygote, |r| r.mounts.is_none_or(|seen| Some(seen) == now))?;
    let ready = &mut zygote.ready[i];
    // A copy that died (killed from outside) may leave its PID 1 counted there a moment.
    if !ready.cgroup.as_ref().is_some_and(|c| c.fits(limits)) || ended(&ready.socket) {
        return None;
    }
    let mut cgroup = ready.cgroup.take()?;
    if !cgroup.adjust(limits) {
        // What is set is what it says (`adjust`); the copy waits in it still, and is
        // let go if it is given the command (`take`).
        ready.cgroup = Some(cgroup);
        return None;
    }
    ready.lent = true;
    Some(cgroup)
}

/// An answer where none was asked for: the zygote is out of step.
fn unexpected(answer: i32) -> Errno {
    tracing::debug!("the zygote answered {answer} unasked");
    Errno::EPROTO
}

/// Whether the copy at the other end of `socket` (a ready copy's, to which nothing is
/// written) has ended: its end is closed.
fn ended(socket: &OwnedFd) -> bool {
    readable(socket)
}

/// Whether `socket` has a message waiting (or its other end is closed).
fn readable(socket: &OwnedFd) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let mut fds = [PollFd::new(socket.as_fd(), PollFlags::POLLIN)];
    matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
}

/// Read one message from the zygote: an announced copy (kept as `ready`), or an
/// answer to a request (returned).
fn message(zygote: &mut Zygote) -> Result<Option<i32>, Errno> {
    let mut buf = [0u8; 32];
    let (len, mut fds, _) = receive_with_fds::<2>(zygote.socket.as_raw_fd(), &mut buf)?;
    match (len, fds.len()) {
        (4, 0) => Ok(Some(i32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]))),
        (17, 2) if buf[0] == READY_TAG => {
            let pid = i32::from_le_bytes([buf[1], buf[2], buf[3], buf[4]]);
            let took = u32::from_le_bytes([buf[5], buf[6], buf[7], buf[8]]);
            let template = u32::from_le_bytes([buf[9], buf[10], buf[11], buf[12]]);
            let number = u32::from_le_bytes([buf[13], buf[14], buf[15], buf[16]]);
            // Out of reach of the user's redirections (`exec 6< f` replaces 6 in place:
            // a socket received at a low number once went to a command as its 6).
            let mut high = || {
                fds.pop()
                    .ok_or(Errno::EPROTO)
                    .and_then(crate::launch::high_copy)
            };
            let pid1 = high()?;
            let socket = high()?;
            // The count taken before the `K` message the zygote had read last.
            let mounts = (!zygote.mounts.is_empty()).then(|| {
                let seen = zygote.mounts.iter().find(|(n, _)| *n == took);
                seen.map_or(u64::MAX, |(_, count)| *count)
            });
            let cgroup = zygote
                .reserved
                .iter()
                .position(|(n, _)| *n == number)
                .and_then(|i| zygote.reserved.remove(i))
                .map(|(_, cgroup)| cgroup);
            zygote.ready.push_back(Ready {
                pid: Pid::from_raw(pid),
                socket,
                pid1,
                mounts,
                template,
                cgroup,
                lent: false,
            });
            if zygote.ready.len() > AHEAD {
                // The zygote is out of step.
                while let Some(old) = zygote.ready.pop_front() {
                    drop_ready(zygote, old, false);
                }
                return Err(Errno::EPROTO);
            }
            Ok(None)
        }
        _ => Err(Errno::EPIPE),
    }
}

/// Send the ready copy `ready` the request, and tell the zygote.
fn hand(zygote: &mut Zygote, ready: Ready, request: &Request, fds: &[RawFd]) -> Result<Pid, Errno> {
    HANDED.store(ready.pid.as_raw(), std::sync::atomic::Ordering::Relaxed);
    // Its warm PID 1 first: it reads the plan and builds the jail while the copy (the
    // supervisor) does its part. A PID 1 that is not there (or gone) leaves the plan
    // to the copy.
    let pid = ready.pid;
    // With a warm PID 1, the copy's request follows once the plan is written
    // (`hand_copy`): woken, the copy took the shell's core before the shell had
    // written PID 1 the plan's descriptors (0.1 ms more before PID 1 could go on,
    // measured). Its part (the process group, the cgroups) is wanted only before
    // PID 1's lock, and PID 1 may hand it the plan first (`warm::request_first`).
    if send_request(ready.pid1.as_raw_fd(), request, fds).is_ok() {
        let copies: Result<Vec<OwnedFd>, Errno> = fds
            .iter()
            .map(|fd| {
                // SAFETY: the request's descriptors are open for this call (the
                // caller holds them); a borrow for the copy alone.
                let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(*fd) };
                fd.try_clone_to_owned()
                    .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EBADF)))
            })
            .collect();
        if let Ok(copies) = copies {
            zygote.pending = Some((ready, request.clone(), copies));
            return Ok(pid);
        }
    }
    send_to_copy(zygote, ready, request, fds)
}

/// Send the copy `ready` its request: it is the command's shim from then on.
fn send_to_copy(
    zygote: &mut Zygote,
    ready: Ready,
    request: &Request,
    fds: &[RawFd],
) -> Result<Pid, Errno> {
    let pid = ready.pid;
    if let Err(errno) = send_request(ready.socket.as_raw_fd(), request, fds) {
        drop_ready(zygote, ready, true);
        return Err(errno);
    }
    // The copy has the request and is the command's shim now, whatever becomes of the
    // zygote: a zygote that cannot be told is found dead at the next command. Told
    // once the command's plan is on its way (`told`), not before: PID 1 waits for it.
    zygote.untold = Some(pid);
    Ok(pid)
}

/// Send the copy handed last its own request (`hand`), once its PID 1 has the plan.
/// A copy that cannot take it is ended: its command then fails as the jail's end.
pub fn hand_copy() {
    let mut slot = ZYGOTE.lock().unwrap_or_else(|e| e.into_inner());
    let Some(zygote) = slot.as_mut().filter(|z| z.owner == std::process::id()) else {
        return;
    };
    if let Some((ready, request, copies)) = zygote.pending.take() {
        let fds: Vec<RawFd> = copies.iter().map(|fd| fd.as_raw_fd()).collect();
        let _ = send_to_copy(zygote, ready, &request, &fds);
    }
}

/// Tell the zygote that the copy handed the last command's request took it (`hand`),
/// if that is not said yet: called once the command's plan is written, so that
/// nothing of it (the `K` message, the cgroup reserved for the next copy) is on the
/// command's way, and before anything else is asked of the zygote.
pub fn told() {
    let mut slot = ZYGOTE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(zygote) = slot.as_mut().filter(|z| z.owner == std::process::id()) {
        tell_untold(zygote);
    }
}

fn tell_untold(zygote: &mut Zygote) {
    if let Some(pid) = zygote.untold.take() {
        let _ = tell_took(zygote, pid, true);
    }
}

/// Send `request` with its descriptors `fds` on `socket` (to the zygote, or to a ready
/// copy).
fn send_request(socket: RawFd, request: &Request, fds: &[RawFd]) -> Result<(), Errno> {
    let bytes = request.encode();
    let iov = [IoSlice::new(&bytes)];
    let rights = [ControlMessage::ScmRights(fds)];
    sendmsg::<()>(socket, &iov, &rights, MsgFlags::MSG_NOSIGNAL, None).map(drop)
}

/// How long a copy let go has to end before it is killed.
const COPY_END_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// Give up the ready copy `ready` (it died, the zygote is out of step, or this
/// process is about to exit): it is this process's child (`CLONE_PARENT`), so end and
/// reap it; with `tell`, the zygote forks the next. Closing its sockets ends it: its
/// warm PID 1 sees the end of its own first, and the copy reaps it before it exits
/// (`pola-shim`'s `wait_for_request`). A copy killed outright would leave PID 1 an
/// orphan, dying after it, handed to init or to a subreaper above this process. One
/// that has not ended within `COPY_END_WAIT` (stopped, say) is killed.
fn drop_ready(zygote: &mut Zygote, ready: Ready, tell: bool) {
    let pid = ready.pid;
    let_end(ready).wait();
    if tell {
        let _ = tell_took(zygote, pid, false);
    }
}

/// A ready copy told to end (`let_end`), not reaped yet.
struct Ending {
    pid: Pid,
    ended: Option<OwnedFd>,
    cgroup: Option<crate::cgroup::JailCgroup>,
}

/// Close the shell's ends of the ready copy's sockets, which ends it.
fn let_end(ready: Ready) -> Ending {
    let Ready {
        pid,
        socket,
        pid1,
        cgroup,
        ..
    } = ready;
    let ended = crate::supervise::pidfd(pid);
    drop((socket, pid1));
    Ending { pid, ended, cgroup }
}

impl Ending {
    /// Reap the copy (`end_copy`); its cgroup is kept for a later jail once the copy
    /// and its PID 1 have left it.
    fn wait(self) {
        end_copy(self.pid, self.ended);
        drop(self.cgroup);
    }
}

/// Reap the copy `pid` once it has ended (`ended`: its pidfd), killed if that takes
/// longer than `COPY_END_WAIT`, or at once without a pidfd.
fn end_copy(pid: Pid, ended: Option<OwnedFd>) {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let ended_in_time = ended.is_some_and(|fd| {
        let wait = PollTimeout::try_from(COPY_END_WAIT).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        matches!(poll(&mut fds, wait), Ok(n) if n > 0)
    });
    if !ended_in_time {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
    }
    let _ = nix::sys::wait::waitpid(pid, None);
}

fn tell_took(zygote: &mut Zygote, pid: Pid, taken: bool) -> Result<(), Errno> {
    // Counted before the next copy can be forked (`Zygote::mounts`).
    zygote.took = zygote.took.wrapping_add(1);
    if !zygote.mounts.is_empty() {
        match crate::mounts::changes() {
            Some(count) => zygote.mounts.push_back((zygote.took, count)),
            // Not counted: no copy forked from now on is known current.
            None => zygote.mounts.clear(),
        }
        if zygote.mounts.len() > COUNTS_KEPT {
            zygote.mounts.pop_front();
        }
    }
    let last = taken && LAST.load(std::sync::atomic::Ordering::Relaxed);
    let mut bytes = vec![TOOK_TAG];
    bytes.extend_from_slice(&pid.as_raw().to_le_bytes());
    bytes.push(if last { LAST_TAKEN } else { u8::from(taken) });
    if last {
        return send_took(zygote, &bytes);
    }
    // A cgroup for the copy the zygote forks next, made (or kept from an earlier jail)
    // for this command's limits: from the shell's second command on (the template's
    // rule: a shell of one command makes none), and none for a one-shot launcher's
    // (it forks no more).
    if !zygote.once && zygote.templates > 0 && zygote.reserved.is_empty() {
        let Some(cgroup) = crate::cgroup::reserve() else {
            return send_took(zygote, &bytes);
        };
        static AT_EXIT: std::sync::Once = std::sync::Once::new();
        // SAFETY: registers a plain function with no arguments to run at exit.
        AT_EXIT.call_once(|| unsafe {
            libc::atexit(end_at_exit);
        });
        for file in cgroup.procs_files() {
            bytes.extend_from_slice(file.as_os_str().as_encoded_bytes());
            bytes.push(0);
        }
        bytes.push(0);
        zygote.reserved.push_back((zygote.cgroups, cgroup));
        zygote.cgroups = zygote.cgroups.wrapping_add(1);
    }
    send_took(zygote, &bytes)
}

fn send_took(zygote: &Zygote, bytes: &[u8]) -> Result<(), Errno> {
    sendmsg::<()>(
        zygote.socket.as_raw_fd(),
        &[IoSlice::new(bytes)],
        &[],
        MsgFlags::MSG_NOSIGNAL,
        None,
    )
    .map(drop)
}

/// At the shell's exit, once a copy waited in a cgroup of its own: the zygote and its
/// ready copies end first, so that those cgroups are empty and removed with the
/// shell's others (`crate::cgroup::remove_idle`, which runs after this), not left
/// behind. (Killed, the shell leaves them to the next shell's start.)
extern "C" fn end_at_exit() {
    let taken = match ZYGOTE.try_lock() {
        Ok(mut slot) => slot.take(),
        Err(_) => None,
    };
    drop(taken);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_and_bad_ones_are_refused() {
        let req = Request {
            umask: 0o022,
            pgid: 4242,
            closed: 0b100,
            targets: vec![0, 1, 5],
        };
        let bytes = req.encode();
        assert_eq!(Request::decode(&bytes), Some(req));
        assert_eq!(Request::decode(&bytes[..bytes.len() - 1]), None);
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(Request::decode(&extra), None);
        assert_eq!(Request::decode(b"X"), None);
    }
}
