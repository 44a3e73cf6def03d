//! `pola-shim --zygote`: the shell's shim factory (see `pola_fileserver::zygote`).
//!
//! Enters the user namespace once, then for each request forks a copy of itself
//! (`clone(CLONE_PARENT)`, a child of the shell) that puts the request's descriptors
//! in place, joins the process group, takes the umask, and goes on as a shim that was
//! just started: from `crate::shim`, reading the plan from its socket. Each copy is
//! forked ahead, while the shell runs the previous command, and handed to the shell,
//! which sends it the next request itself (`Waiting`); the zygote forks one when asked
//! only when none is ready. It holds two ready (`zygote::BUSY_AHEAD`), so that in a
//! script's loop each copy has a whole command's time to be made, and more while the
//! shell is quiet (`zygote::AHEAD`), so that a command right after another, or a
//! pipeline, finds its jails made.
//!
//! The work done ahead (the next copy's fork, its network namespace: about 1 ms of CPU
//! together) waits until the command just handed over has started: on two cores, doing
//! it while that jail is being built slowed the build, which the shell waits for
//! (`started`). Each such jail's mount namespaces (and its scratch mount) are held
//! until its shim has exited and then let go, off the shell's path (`Live`), by a
//! process of the zygote's own (`Releaser`): the last close of each waits for an RCU
//! grace period, which the zygote would otherwise spend before it could fork the next
//! copy (and its copies, which inherited what it held, at times).

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use pola_fileserver::launch::{stage, SHIM_SOCKET_FD};
use pola_fileserver::zygote::{self, Request};

use crate::namespaces;
use crate::sys::{self, Forked};

/// Serve the shell until it closes the socket (or dies: the zygote dies with it).
/// `once`: a one-shot launcher's zygote (`pola-run`), which forks one copy ahead and
/// no more once the launcher took it (a copy for each later request, if any).
pub fn serve(once: bool) -> ! {
    if !sys::die_with_launcher() {
        std::process::exit(125);
    }
    // Started by hand (`pola-shim --zygote` in a terminal), it has no shell to serve:
    // each copy it forked ahead could not be announced, and it forked the next at
    // once, thousands a second, until the user's processes ran out.
    if sys::socket_type(SHIM_SOCKET_FD) != Some(libc::SOCK_SEQPACKET) {
        eprintln!("pola-shim: the zygote is started by pola-sh and pola-run, with their socket");
        std::process::exit(125);
    }
    sys::close_from(SHIM_SOCKET_FD as u32 + 1);
    let _ = nix::unistd::chdir("/");
    // Every jail's user namespace maps the shell's own uid and gid; make it once. If
    // that fails, each shim tries again itself and reports why.
    let (uid, gid) = (
        nix::unistd::getuid().as_raw(),
        nix::unistd::getgid().as_raw(),
    );
    if namespaces::enter_user(uid, gid).is_ok() {
        namespaces::entered(uid, gid);
    }
    // A one-shot launcher's zygote lets go of its one jail as it ends: no releaser (its
    // fork would be on that jail's way).
    let mut releaser = Releaser {
        socket: None,
        wanted: !once,
    };
    // The copies forked ahead for the next requests, handed to the shell.
    let mut waiting: Vec<Waiting> = Vec::new();
    // How many `Took` messages the shell sent (`zygote::announce`).
    let mut took: u32 = 0;
    // A template that arrived with a request, made once that request is answered: the
    // command does not wait for it (the next jails have it).
    let mut pending: Pending = None;
    // Template messages received, and the number of the one the copies forked now
    // have (told to the shell with each: `zygote::announce`).
    let mut received: u32 = 0;
    let mut applied: u32 = 0;
    // The jails handed over by copies, while they run.
    let mut live: Vec<Live> = Vec::new();
    // How many jails have been live: each one's key for the releaser.
    let mut jails: u64 = 0;
    // The pool could not be filled (the user's limit of network namespaces, memory),
    // or another copy forked ahead: tried again after the next request, not over and
    // over in a busy loop.
    let mut pool_refused = false;
    let mut ahead_refused = false;
    // The shell's last request: the pool is filled only once the shell has been quiet
    // a moment (at a prompt, not between a script's commands).
    let mut last_request = std::time::Instant::now();
    // A one-shot launcher took its copy: nothing more is worth making ahead.
    let mut done = false;
    // The jail cgroups the shell sent for the copies forked ahead, numbered in the
    // order sent: each copy waits in the next (`zygote::cgroup_ahead`).
    let mut cgroups = Cgroups::default();
    // A one-shot launcher's one copy makes its own.
    let mut snapshot = Snapshot::new(!once);
    loop {
        let starting = live.iter().any(|l| l.starting.is_some());
        // A copy that could not be forked or announced is tried again after the next
        // word from the shell, not at once (over and over while the user's processes
        // are at their limit).
        // Two at all times once the copies have the shell's template (a one-shot
        // launcher's zygote forks one): a script's next command then finds its copy
        // made while the command before last ran.
        let busy_ahead = match !once && applied > 0 && pending.is_none() {
            true => zygote::BUSY_AHEAD,
            false => 1,
        };
        if waiting.len() < busy_ahead && !starting && !done && !ahead_refused {
            let forked = fork_ahead(took, applied, &mut cgroups, &mut snapshot);
            ahead_refused = forked.is_none();
            waiting.extend(forked);
        }
        // With nothing else to do (no jail starting, the next copies ready, the shell
        // quiet), a third copy ahead, then the pool of network namespaces filled,
        // one at a time between looks at the shell. In a script's loop they would only
        // take the second core from the commands (measured: 4.2× dash per `cat` with
        // the pool, 3.9× without). A one-shot launcher's zygote makes neither: its one
        // jail has its namespace.
        let idle = !once && !done && !starting && !waiting.is_empty();
        // More than one only once the copies have the shell's template (from its
        // second command on: a shell of one command makes no more), and none while a
        // new one waits to be made: a copy made before it would serve a later
        // command without it.
        let more_wanted = idle
            && !ahead_refused
            && waiting.len() < zygote::AHEAD
            && applied > 0
            && pending.is_none();
        let pool_wanted = idle && !pool_refused && namespaces::pool_short();
        let quiet = last_request + POOL_QUIET;
        let idle_work = (more_wanted || pool_wanted).then_some(quiet);
        if !shell_or_jails(&mut live, &mut releaser, idle_work) {
            if std::time::Instant::now() >= quiet {
                if more_wanted {
                    let forked = fork_ahead(took, applied, &mut cgroups, &mut snapshot);
                    ahead_refused = forked.is_none();
                    waiting.extend(forked);
                } else if pool_wanted {
                    pool_refused = !namespaces::fill_pool();
                }
            }
            continue;
        }
        let (request, fds) = match zygote::receive(SHIM_SOCKET_FD) {
            Ok(Some((zygote::Message::Fork(request), fds))) => {
                pool_refused = false;
                ahead_refused = false;
                last_request = std::time::Instant::now();
                (request, fds)
            }
            Ok(Some((zygote::Message::Template(trees), fds))) => {
                received = received.wrapping_add(1);
                pending = Some((trees, fds, received));
                continue;
            }
            Ok(Some((
                zygote::Message::Took {
                    pid,
                    taken,
                    last,
                    cgroups: more,
                },
                _,
            ))) => {
                pool_refused = false;
                ahead_refused = false;
                last_request = std::time::Instant::now();
                took = took.wrapping_add(1);
                for files in more {
                    cgroups.waiting.push_back((cgroups.received, files));
                    cgroups.received = cgroups.received.wrapping_add(1);
                }
                let Some(at) = waiting.iter().position(|w| w.pid == pid) else {
                    continue;
                };
                let w = waiting.remove(at);
                // A one-shot launcher's one jail, or a script's last.
                done = (once || last) && taken;
                // A template that came meanwhile is the next copy's (also when this
                // one was let go for being made from the old one).
                take_template(&mut pending, &mut applied);
                if taken && live.len() < LIVE_MAX {
                    jails += 1;
                    live.push(Live {
                        socket: w.socket,
                        starting: Some(std::time::Instant::now() + START_WAIT),
                        key: jails,
                        held: Vec::new(),
                    });
                }
                continue;
            }
            Ok(None) => std::process::exit(0),
            Err(Errno::EINTR) => continue,
            // The shell's socket is gone: nothing more will come.
            Err(errno) if gone(errno) => std::process::exit(0),
            Err(errno) => {
                zygote::reply(SHIM_SOCKET_FD, Err(errno));
                continue;
            }
        };
        // The shell holds a copy forked ahead (announced before this request is read,
        // so before this answer): it sends it the request itself.
        if !waiting.is_empty() {
            drop(fds);
            zygote::reply(SHIM_SOCKET_FD, Ok(nix::unistd::Pid::from_raw(0)));
            continue;
        }
        namespaces::ensure_network();
        // A template that came with this request is this copy's: the shell sends one
        // again when the host's mounts changed, and the old one would show them as
        // they were.
        take_template(&mut pending, &mut applied);
        match fork_copy(zygote::ASKED_NAME) {
            Ok(Forked::Child) => {
                if let Err(errno) = become_shim(&request, fds) {
                    eprintln!("pola-shim: cannot take the command's descriptors: {errno}");
                    std::process::exit(125);
                }
                crate::shim(None);
            }
            Ok(Forked::Parent(pid)) => {
                drop(fds);
                zygote::reply(SHIM_SOCKET_FD, Ok(pid));
                namespaces::network_used();
            }
            Err(errno) => zygote::reply(SHIM_SOCKET_FD, Err(errno)),
        }
    }
}

/// Whether `errno`, from the shell's socket, says that the shell will never read or
/// write there again.
fn gone(errno: Errno) -> bool {
    matches!(
        errno,
        Errno::EPIPE | Errno::ECONNRESET | Errno::ENOTCONN | Errno::ENOTSOCK | Errno::EBADF
    )
}

/// A template message received and not made yet, with its number.
type Pending = Option<(Vec<pola_fileserver::template::Subtree>, Vec<OwnedFd>, u32)>;

/// Make the template that waits in `pending`, if one does: the copies forked from now
/// on have it (`applied`, its number, is told to the shell with each).
fn take_template(pending: &mut Pending, applied: &mut u32) {
    if let Some((trees, fds, n)) = pending.take() {
        crate::template::replace(trees, fds);
        *applied = n;
    }
}

/// A jail a copy took, while it runs: the copy's socket, on which its shim and PID 1
/// send the mount namespaces to hold (`hold_mount_namespace`) and PID 1 says the
/// command is starting (`started`); it hangs up when the shim (the last of them) has
/// exited.
struct Live {
    socket: OwnedFd,
    /// Until the command has started (or this time has come), the zygote does not
    /// work ahead.
    starting: Option<std::time::Instant>,
    /// The jail's key for the releaser, which holds the jail's mount namespaces (and
    /// its scratch mount) and releases (tears down) them once its shim is gone: a
    /// process's exit tears down the mount namespace it was the last in and waits for
    /// an RCU grace period, so the shell would wait for that twice per command.
    key: u64,
    /// What the releaser could not be given, held here instead.
    held: Vec<OwnedFd>,
}

/// The most jails whose namespaces the zygote holds: beyond that, jails tear theirs
/// down as they exit (a descriptor each, and a few per jail).
const LIVE_MAX: usize = 64;

/// Wait until the shell has a message (true), or serve the live jails' messages and
/// hang-ups (false). Live jails' sockets are watched too, and a starting jail's time
/// limit; with `idle_work`, the time from which there is work to do when nothing else
/// is (false: it may have come).
fn shell_or_jails(
    live: &mut Vec<Live>,
    releaser: &mut Releaser,
    idle_work: Option<std::time::Instant>,
) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::BorrowedFd;
    let now = std::time::Instant::now();
    let deadline = live
        .iter()
        .filter_map(|l| l.starting)
        .chain(idle_work)
        .min();
    let timeout = match deadline {
        // Rounded up: a time less than a millisecond away is not polled for over and over.
        Some(d) => {
            let ms = d.saturating_duration_since(now).as_micros().div_ceil(1000);
            PollTimeout::try_from(i32::try_from(ms).unwrap_or(i32::MAX))
                .unwrap_or(PollTimeout::NONE)
        }
        None => PollTimeout::NONE,
    };
    // SAFETY: the zygote's socket to the shell is open for the zygote's life.
    let shell = unsafe { BorrowedFd::borrow_raw(SHIM_SOCKET_FD) };
    let mut fds: Vec<PollFd> = std::iter::once(shell)
        .chain(live.iter().map(|l| l.socket.as_fd()))
        .map(|fd| PollFd::new(fd, PollFlags::POLLIN))
        .collect();
    let polled = poll(&mut fds, timeout);
    let ready: Vec<bool> = fds
        .iter()
        .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
        .collect();
    drop(fds);
    if let Ok(0) = polled {
        for l in live.iter_mut() {
            if l.starting.is_some_and(|d| d <= std::time::Instant::now()) {
                l.starting = None;
            }
        }
        return false;
    }
    if polled.is_err() {
        return false;
    }
    let mut gone = Vec::new();
    for (i, l) in live.iter_mut().enumerate() {
        if !ready[i + 1] {
            continue;
        }
        let mut byte = [0u8; 1];
        match zygote::receive_with_fds::<HELD_MAX>(l.socket.as_raw_fd(), &mut byte) {
            Ok((1, fds, _)) if byte[0] == HOLD_TAG => {
                l.held.extend(fds);
                releaser.keep(l.key, &mut l.held);
            }
            Ok((1, fds, _)) if byte[0] == STARTED_TAG => {
                l.held.extend(fds);
                // Forked once a command runs, not on its way (it is the first's).
                releaser.start();
                releaser.keep(l.key, &mut l.held);
                l.starting = None;
            }
            Err(Errno::EAGAIN) => {}
            // Hung up (or broken): the jail is gone; what it left here goes with it.
            _ => gone.push(i),
        }
    }
    for i in gone.into_iter().rev() {
        let l = live.swap_remove(i);
        releaser.release(l.key, l.held);
    }
    ready[0]
}

/// The zygote's child that holds the live jails' mount namespaces and scratch mounts
/// for it and closes them once each jail has ended (`pola-release`): each of them
/// waits for an RCU grace period as it is torn down (an expedited one: 0.1–0.3 ms
/// here, and an interrupt to the other CPUs) — in a loop of commands that was four
/// waits of the zygote's per command, before it could fork the next copy. Held by the
/// zygote, they were also inherited by each copy it forked, whose close was then the
/// last one at times. The releaser holds nothing else, and dies with the zygote.
struct Releaser {
    /// The zygote's end of its socket; `None` before it is started, or if it could
    /// not be (the zygote closes them itself).
    socket: Option<OwnedFd>,
    /// To be started once the first command runs (what a jail gives before is kept
    /// by the zygote until then), not as the zygote starts: its fork came before the
    /// first copy's (`pola-sh -c CMD`).
    wanted: bool,
}

/// The releaser's name (`comm`).
const RELEASER_NAME: &str = "pola-release";

/// The most descriptors one message to the releaser carries.
const RELEASE_BATCH: usize = 8;

impl Releaser {
    /// Start it if it is wanted and not running yet; tried once.
    fn start(&mut self) {
        use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
        if !std::mem::take(&mut self.wanted) {
            return;
        }
        let zygote = nix::unistd::getpid();
        let Ok((ours, theirs)) = socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        ) else {
            return;
        };
        match sys::fork() {
            Ok(Forked::Child) => {
                drop(ours);
                release_until_the_zygote_ends(theirs, zygote)
            }
            Ok(Forked::Parent(_)) => self.socket = Some(ours),
            Err(_) => {}
        }
    }

    /// Give `held` to the releaser to keep for jail `key` (the message holds them
    /// until it has them); what cannot be sent stays in `held`. Never waits for it.
    fn keep(&mut self, key: u64, held: &mut Vec<OwnedFd>) {
        use nix::sys::socket::{sendmsg, ControlMessage};
        let Some(socket) = &self.socket else {
            return;
        };
        while !held.is_empty() {
            let batch = held.len().min(RELEASE_BATCH);
            let raw: Vec<i32> = held[..batch].iter().map(AsRawFd::as_raw_fd).collect();
            let message = Self::message(KEEP, key);
            let iov = [std::io::IoSlice::new(&message)];
            let rights = [ControlMessage::ScmRights(&raw)];
            if sendmsg::<()>(socket.as_raw_fd(), &iov, &rights, SEND_FLAGS, None).is_err() {
                self.give_up();
                return;
            }
            held.drain(..batch);
        }
    }

    /// Jail `key` has ended: the releaser closes what it keeps for it; `held` (what it
    /// could not be given) is closed here.
    fn release(&mut self, key: u64, held: Vec<OwnedFd>) {
        drop(held);
        if let Some(socket) = &self.socket {
            let message = Self::message(RELEASE, key);
            if nix::sys::socket::send(socket.as_raw_fd(), &message, SEND_FLAGS).is_err() {
                self.give_up();
            }
        }
    }

    /// A message could not be sent (the releaser is behind, its socket full, or gone):
    /// a lost word that a jail ended would leave that jail's namespaces and scratch
    /// with it for good. So the releaser is let go — it ends, releasing everything it
    /// holds (early for the live jails, whose own processes hold theirs) — and the
    /// zygote closes what it is given itself from now on.
    fn give_up(&mut self) {
        self.socket = None;
        self.wanted = false;
    }

    fn message(tag: u8, key: u64) -> [u8; 9] {
        let mut message = [tag; 9];
        message[1..].copy_from_slice(&key.to_le_bytes());
        message
    }
}

/// The zygote never waits for its releaser (a full socket: it keeps them itself).
const SEND_FLAGS: nix::sys::socket::MsgFlags =
    nix::sys::socket::MsgFlags::MSG_DONTWAIT.union(nix::sys::socket::MsgFlags::MSG_NOSIGNAL);
/// A message to the releaser: keep these descriptors for the jail whose key follows.
const KEEP: u8 = b'K';
/// A message to the releaser: the jail whose key follows has ended.
const RELEASE: u8 = b'R';

/// The releaser: keep what arrives for each jail until it has ended, until the
/// zygote's end is gone (then everything goes with this process).
fn release_until_the_zygote_ends(socket: OwnedFd, zygote: nix::unistd::Pid) -> ! {
    set_name(RELEASER_NAME);
    if !sys::die_with_parent(Some(zygote.as_raw())) {
        std::process::exit(0);
    }
    // Nothing of the zygote's but this socket (0–2 are /dev/null).
    sys::close_from_except(3, &[Some(socket.as_raw_fd())]);
    let mut kept: std::collections::HashMap<u64, Vec<OwnedFd>> = Default::default();
    loop {
        let mut message = [0u8; 9];
        match zygote::receive_with_fds::<RELEASE_BATCH>(socket.as_raw_fd(), &mut message) {
            Ok((9, fds, _)) => {
                let key = u64::from_le_bytes(message[1..].try_into().unwrap_or_default());
                match message[0] {
                    KEEP => kept.entry(key).or_default().extend(fds),
                    _ => drop((fds, kept.remove(&key))),
                }
            }
            Ok((0, fds, _)) if fds.is_empty() => std::process::exit(0),
            // Nothing the zygote sends: let it go.
            Ok((_, fds, _)) => drop(fds),
            Err(Errno::EINTR) => {}
            Err(_) => std::process::exit(0),
        }
    }
}

/// A copy's message: hold these namespaces (`hold_mount_namespace`).
const HOLD_TAG: u8 = b'N';
/// A copy's message: the command is starting (`started`), with namespaces to hold.
const STARTED_TAG: u8 = b'S';
/// The most descriptors one such message carries.
const HELD_MAX: usize = 4;

/// A copy of the zygote forked ahead of the next request: the fork (a copy of the
/// zygote's page tables, ~0.3–0.5 ms on the machines measured) is off the command's
/// path. It is the shell's child already (`CLONE_PARENT`), named
/// `pola_fileserver::zygote::WAITING_NAME` until its plan arrives, and dies with the
/// shell or ends when the shell lets it go. The shell has a socket of its own to it
/// (`zygote::announce`) and sends it the request there; `socket` is the zygote's: the
/// copy's shim and PID 1 send on it what the zygote holds for the jail (`Live`).
struct Waiting {
    pid: nix::unistd::Pid,
    socket: OwnedFd,
}

/// How long the shell must have sent nothing before the zygote fills its pool.
const POOL_QUIET: std::time::Duration = std::time::Duration::from_millis(20);

/// The longest the zygote waits for a command to start before it works ahead anyway.
const START_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// In a copy that took a request: the descriptor of its socket to the zygote (-1:
/// none), kept by its shim until it exits and by PID 1 until the command has started.
static START_SIGNAL: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// The descriptor of the socket to the zygote, to keep open (`hold_mount_namespace`,
/// `started`).
pub fn start_signal() -> Option<i32> {
    let fd = START_SIGNAL.load(std::sync::atomic::Ordering::Relaxed);
    (fd >= 0).then_some(fd)
}

fn send_to_zygote(tag: u8, fds: &[i32]) {
    use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
    let Some(socket) = start_signal() else {
        return;
    };
    let iov = [std::io::IoSlice::new(std::slice::from_ref(&tag))];
    let rights = [ControlMessage::ScmRights(fds)];
    let cmsgs: &[ControlMessage] = if fds.is_empty() { &[] } else { &rights };
    // Best effort: a zygote that does not hold them leaves the teardown to the jail.
    let _ = sendmsg::<()>(socket, &iov, cmsgs, MsgFlags::MSG_NOSIGNAL, None);
}

/// Give the zygote this process's mount namespace to hold until the jail's shim has
/// exited (see `Live`), opened now through `proc` (the caller's `/proc`: the host's
/// for the shim, the jail's own for PID 1). Nothing is sent without a zygote.
pub fn hold_mount_namespace() {
    if let Some(ns) = mount_namespace() {
        send_to_zygote(HOLD_TAG, &[ns.as_raw_fd()]);
    }
}

/// In PID 1: as [`hold_mount_namespace`], but sent with the word that the command
/// started ([`started`]): PID 1 holds it until then, and the zygote is not woken on
/// the command's path, once for each namespace.
pub fn hold_mount_namespace_until_started() {
    if let Some(ns) = mount_namespace() {
        if let Ok(mut held) = HELD_UNTIL_STARTED.lock() {
            held.push(ns);
        }
    }
}

/// In PID 1: give `fd` (a detached mount: closing it unmounts it, an RCU grace period)
/// to the zygote with the word that the command started, as the namespaces of
/// [`hold_mount_namespace_until_started`]. Back if there is no zygote.
pub fn hold_until_started(fd: OwnedFd) -> Result<(), OwnedFd> {
    if start_signal().is_none() {
        return Err(fd);
    }
    match HELD_UNTIL_STARTED.lock() {
        Ok(mut held) => {
            held.push(fd);
            Ok(())
        }
        Err(_) => Err(fd),
    }
}

/// Held by PID 1 until the command starts ([`hold_mount_namespace_until_started`],
/// [`hold_until_started`]).
static HELD_UNTIL_STARTED: std::sync::Mutex<Vec<OwnedFd>> = std::sync::Mutex::new(Vec::new());

/// This process's mount namespace, for the zygote to hold; `None` without a zygote,
/// or if it was given already.
fn mount_namespace() -> Option<OwnedFd> {
    use std::sync::atomic::{AtomicU64, Ordering};
    // The last one given (its inode), from this process or the one it was forked from:
    // not given twice.
    static SENT: AtomicU64 = AtomicU64::new(0);
    start_signal()?;
    let ns = sys::mount_namespace().ok()?;
    let inode = nix::sys::stat::fstat(&ns).map_or(0, |st| st.st_ino);
    (inode == 0 || SENT.swap(inode, Ordering::Relaxed) != inode).then_some(ns)
}

/// In PID 1, as it starts the command: tell the zygote (it may work ahead now) and
/// give it the namespaces held until now, and close PID 1's end of the socket.
pub fn started() {
    let held = HELD_UNTIL_STARTED
        .lock()
        .map(|mut h| std::mem::take(&mut *h))
        .unwrap_or_default();
    let raw: Vec<i32> = held.iter().take(HELD_MAX).map(AsRawFd::as_raw_fd).collect();
    send_to_zygote(STARTED_TAG, &raw);
    drop(held);
    let fd = START_SIGNAL.swap(-1, std::sync::atomic::Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: the descriptor was set aside for this and nothing else uses it.
        unsafe { libc::close(fd) };
    }
}

/// The zygote's private copy of the host's mount namespace, which the copies it forks
/// ahead enter (`namespaces::enter_snapshot`) instead of each making one: per command,
/// a namespace copied, made private and torn down less (bench/README.md, "Twenty-ninth
/// stop"). Their PID 1s open the command's grants there and copy them out; a copy
/// whose plan has slots makes its own for their carriers (`namespaces::leave_snapshot`).
/// Made again before a copy is forked once the host's mount table changed (`POLLPRI`
/// on the zygote's, the host's): as current as a copy's own was, made after the fork.
/// (The shell lets go of a copy forked before a change of the mount table:
/// `zygote::announce`.)
struct Snapshot {
    ns: Option<OwnedFd>,
    /// The zygote's mount table, open: it says when it changed.
    table: Option<std::fs::File>,
}

impl Snapshot {
    fn new(wanted: bool) -> Snapshot {
        let table = if wanted {
            std::fs::File::open("/proc/self/mountinfo").ok()
        } else {
            None
        };
        Snapshot { ns: None, table }
    }

    /// The copy, as current as the host's mount table now; `None` if none could be
    /// made (each copy makes its own).
    fn current(&mut self) -> Option<&OwnedFd> {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        let table = self.table.as_ref()?;
        let mut fds = [PollFd::new(table.as_fd(), PollFlags::POLLPRI)];
        let changed = matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0);
        if changed || self.ns.is_none() {
            // The last one's copies keep it while they wait or run.
            self.ns = make_snapshot();
        }
        self.ns.as_ref()
    }
}

/// A private copy of the zygote's mount namespace (the host's), made by a child of the
/// zygote, which stays where it is.
fn make_snapshot() -> Option<OwnedFd> {
    use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .ok()?;
    match sys::fork().ok()? {
        Forked::Child => {
            drop(ours);
            let made = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS).is_ok()
                && sys::make_private().is_ok();
            let ns = made.then(|| sys::mount_namespace().ok()).flatten();
            let _ = pola_fileserver::cwd_host::send(
                theirs.as_raw_fd(),
                b"M",
                ns.as_ref().map(AsFd::as_fd),
            );
            // SAFETY: _exit ends this fork of the zygote at once, running nothing of
            // its parent's (no destructor, no exit handler).
            unsafe { libc::_exit(0) }
        }
        Forked::Parent(child) => {
            drop(theirs);
            let mut byte = [0u8; 1];
            let received = zygote::receive_with_fds::<1>(ours.as_raw_fd(), &mut byte);
            let _ = nix::sys::wait::waitpid(child, None);
            received.ok().and_then(|(_, mut fds, _)| fds.pop())
        }
    }
}

/// The jail cgroups the shell sent (`zygote::Message::Took`) that no copy took yet,
/// each with its number (how many were sent before it).
#[derive(Default)]
struct Cgroups {
    waiting: std::collections::VecDeque<(u32, Vec<std::path::PathBuf>)>,
    received: u32,
}

/// Fork a copy for a next request, in a network namespace of its own, and hand it to
/// the shell, telling it `took` (the `Took` messages read so far) and which template
/// message it has (`template`); `None` if that fails (the zygote forks each copy when
/// asked, as before). It waits in the next of `cgroups`, if there is one.
fn fork_ahead(
    took: u32,
    template: u32,
    cgroups: &mut Cgroups,
    snapshot: &mut Snapshot,
) -> Option<Waiting> {
    pola_fileserver::phases::stamp("ahead");
    namespaces::ensure_network();
    let waiting = fork_ahead_here(took, template, cgroups, snapshot.current());
    // That copy has the network namespace: the next needs a new one.
    namespaces::network_used();
    waiting
}

fn fork_ahead_here(
    took: u32,
    template: u32,
    cgroups: &mut Cgroups,
    snapshot: Option<&OwnedFd>,
) -> Option<Waiting> {
    use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
    let pair = || {
        socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .ok()
    };
    let (ours, theirs) = pair()?;
    let (shells, from_shell) = pair()?;
    // The shell's socket to the copy's warm PID 1 (`crate::warm`), which the copy
    // forks once it runs: the shell sends the request there too.
    let (shells_pid1, pid1_from_shell) = pair()?;
    let cgroup = cgroups.waiting.pop_front();
    let forked = match fork_copy(zygote::WAITING_NAME) {
        Ok(Forked::Child) => {
            drop((ours, shells, shells_pid1));
            if let Some(ns) = snapshot {
                namespaces::enter_snapshot(ns);
            }
            // Into a command's cgroup (the shell's), where its PID 1 is born: neither
            // moves into one on the command's way.
            if let Some((_, files)) = &cgroup {
                crate::limits::enter_ahead(files);
            }
            wait_for_request(theirs, from_shell, pid1_from_shell)
        }
        Ok(Forked::Parent(pid)) => {
            drop((theirs, from_shell, pid1_from_shell));
            // Not handed over, it would wait for good: the shell's next request comes
            // here (and finds it not ready), and dropping its socket ends it.
            let sockets = [shells.as_raw_fd(), shells_pid1.as_raw_fd()];
            let number = cgroup.as_ref().map(|(n, _)| *n);
            match zygote::announce(SHIM_SOCKET_FD, pid, (took, template, number), &sockets) {
                Ok(_) => Some(Waiting { pid, socket: ours }),
                // The copy ends as its sockets close; so does the zygote, whose shell
                // is gone (not a copy forked after another, each unannounced).
                Err(errno) if gone(errno) => std::process::exit(0),
                Err(_) => None,
            }
        }
        Err(_) => None,
    };
    // Not forked or not announced: its cgroup is the next copy's.
    if let (None, Some(cgroup)) = (&forked, cgroup) {
        cgroups.waiting.push_front(cgroup);
    }
    forked
}

/// Fork a copy of the zygote (`clone(CLONE_PARENT)`: the shell's child), named `name`
/// from the start until its plan arrives (`crate::shim`; `WAITING_NAME` ahead,
/// `ASKED_NAME` for a request): the shell never sees it under the shim's name before,
/// and should the zygote die before the shell learns its pid, the shell finds it by
/// that name and ends it (`pola_fileserver::zygote::reap_waiting`).
fn fork_copy(name: &str) -> Result<Forked, Errno> {
    set_name(name);
    let forked = sys::clone_parent();
    if !matches!(forked, Ok(Forked::Child)) {
        set_name("pola-shim");
    }
    forked
}

pub fn set_name(name: &str) {
    if let Ok(name) = std::ffi::CString::new(name) {
        // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes.
        unsafe { libc::prctl(libc::PR_SET_NAME, name.as_ptr(), 0, 0, 0) };
    }
}

/// In the copy forked ahead: wait for the shell's request on `from_shell`, then go on
/// as a shim. It ends when the shell's end is gone, not with the zygote (`socket`): a
/// request the shell sent as the zygote died is still taken, and the shell ends a
/// copy it no longer wants itself (`pola_fileserver::zygote::drop_ready`).
fn wait_for_request(socket: OwnedFd, from_shell: OwnedFd, pid1_from_shell: OwnedFd) -> ! {
    // Dies with the shell, its parent, like any shim.
    if !sys::die_with_launcher() {
        std::process::exit(125);
    }
    // The zygote's socket to the shell is not this copy's: the shell must see the
    // zygote's end when the zygote dies. The number stays taken (by /dev/null) so no
    // descriptor received below lands on it (`become_shim` closes it).
    if let Ok(null) = nix::fcntl::open("/dev/null", OFlag::O_RDWR, Mode::empty()) {
        // SAFETY: dup2 onto the number of the descriptor this copy gives up.
        unsafe { libc::dup2(null.as_raw_fd(), SHIM_SOCKET_FD) };
    }
    // Nor is anything else the zygote holds: the running jails' sockets, its socket to
    // the releaser, any mount namespace the releaser could not be given (held here, a
    // jail's /tmp and mounts would outlive it until this copy takes a request), the
    // pool of network namespaces. Kept: 0–2, the number 10, this copy's sockets and
    // its template.
    sys::close_from_except(
        3,
        &[
            Some(SHIM_SOCKET_FD),
            Some(socket.as_raw_fd()),
            Some(from_shell.as_raw_fd()),
            Some(pid1_from_shell.as_raw_fd()),
            crate::template::descriptor(),
        ],
    );
    // Kept (above the descriptors put in place for the command) for
    // `hold_mount_namespace` and `started`, by the shim and PID 1.
    if let Ok(fd) = nix::fcntl::fcntl(
        &socket,
        nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(SHIM_SOCKET_FD + 1),
    ) {
        START_SIGNAL.store(fd, std::sync::atomic::Ordering::Relaxed);
    }
    drop(socket);
    // The jail's namespaces and its PID 1, while this copy waits (`crate::warm`).
    pola_fileserver::phases::stamp("copy");
    let mut warm = crate::warm::Warm::prepare(pid1_from_shell);
    loop {
        // A warm PID 1 that dies before the request leaves the jail to this copy.
        if let Some(w) = warm.take() {
            if crate::warm::request_first(&from_shell, &w) {
                warm = Some(w);
            } else {
                w.reap();
            }
        }
        match receive(&from_shell) {
            Ok(Some((bytes, fds))) => {
                let Some(request) = Request::decode(&bytes) else {
                    std::process::exit(125);
                };
                // A shim from now on (named so once its plan has arrived).
                drop(from_shell);
                if let Err(errno) = become_shim(&request, fds) {
                    eprintln!("pola-shim: cannot take the command's descriptors: {errno}");
                    std::process::exit(125);
                }
                crate::shim(warm);
            }
            Err(Errno::EINTR) => continue,
            // The shell is gone, or let this copy go: so is this copy, once its warm
            // PID 1 (whose socket from the shell has ended too) is, not leaving it to
            // die an orphan.
            _ => {
                if let Some(w) = warm {
                    w.reap();
                }
                std::process::exit(0)
            }
        }
    }
}

/// A message from the zygote to a copy, and its descriptors.
type Message = (Vec<u8>, Vec<OwnedFd>);

/// One message from the zygote or the shell and its descriptors (close-on-exec).
/// `None` at its end.
pub fn receive(socket: &OwnedFd) -> Result<Option<Message>, Errno> {
    let (buf, fds, _) = zygote::receive_sized::<{ zygote::MAX_FDS }>(socket.as_raw_fd())?;
    if buf.is_empty() {
        return Ok(None);
    }
    Ok(Some((buf, fds)))
}

/// In the copy: what `posix_spawn` would have done, from the request.
fn become_shim(request: &Request, fds: Vec<OwnedFd>) -> Result<(), Errno> {
    place_descriptors(request, fds)?;
    let group = nix::unistd::Pid::from_raw(request.pgid);
    nix::unistd::setpgid(nix::unistd::Pid::from_raw(0), group)
}

/// The request's descriptors in place (the shim socket at its number, the command's
/// at theirs, the ones it must find closed closed) and its umask: in the copy, and in
/// a warm jail's PID 1 (`crate::warm`), which its copy puts in its process group.
pub fn place_descriptors(request: &Request, fds: Vec<OwnedFd>) -> Result<(), Errno> {
    // The zygote's socket is not the jail's business.
    // SAFETY: closing a descriptor this copy owns; the shim socket is set below.
    unsafe { libc::close(SHIM_SOCKET_FD) };
    let staged = stage(fds.iter().map(|fd| fd.as_fd()))?;
    drop(fds);
    let mut staged = staged.into_iter();
    let socket = staged.next().ok_or(Errno::EINVAL)?;
    // SAFETY: dup2 onto numbers the request names; the originals stay owned here.
    Errno::result(unsafe { libc::dup2(socket.as_raw_fd(), SHIM_SOCKET_FD) })?;
    for (target, fd) in request.targets.iter().zip(staged) {
        // SAFETY: as above.
        Errno::result(unsafe { libc::dup2(fd.as_raw_fd(), i32::from(*target)) })?;
    }
    // Standard input, output and error closed by the shell (`exec <&-`) are /dev/null,
    // as a spawned shim's are (Rust's start opens it on them): left free, the first
    // descriptor this process or its PID 1 made took the number, and the command was
    // handed a socket to the shell as its standard input (SECURITY.md 7). (Held above
    // the user's numbers, wherever the open put it.)
    let null = match request.closed & 0b111 {
        0 => None,
        _ => Some(pola_fileserver::launch::high_copy(nix::fcntl::open(
            "/dev/null",
            OFlag::O_RDWR | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?)?),
    };
    for target in (0..16).filter(|t| request.closed & (1 << t) != 0) {
        match &null {
            // SAFETY: dup2 onto a standard descriptor the request left closed.
            Some(null) if target <= 2 => {
                Errno::result(unsafe { libc::dup2(null.as_raw_fd(), target) })?;
            }
            // SAFETY: the command must find this descriptor closed.
            _ => unsafe {
                libc::close(target);
            },
        }
    }
    drop(null);
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(request.umask));
    Ok(())
}
