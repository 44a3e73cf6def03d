//! `pola-shim --zygote`: the shell's shim factory (see `pola_fileserver::zygote`).
//!
//! Enters the user namespace once, then for each request forks a copy of itself
//! (`clone(CLONE_PARENT)`, a child of the shell) that puts the request's descriptors
//! in place, joins the process group, takes the umask, and goes on as a shim that was
//! just started: from `crate::shim`, reading the plan from its socket. Each copy is
//! forked ahead, while the shell runs the previous command, and waits for its request
//! (`Waiting`).
//!
//! The work done ahead (the next copy's fork, its network namespace: about 1 ms of CPU
//! together) waits until the command just handed over has started, or the shell asks
//! for another jail: on two cores, doing it while that jail is being built slowed the
//! build, which the shell waits for (`started`).

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use pola_fileserver::launch::{stage, SHIM_SOCKET_FD};
use pola_fileserver::zygote::{self, Request};

use crate::namespaces;
use crate::sys::{self, Forked};

/// Serve the shell until it closes the socket (or dies: the zygote dies with it).
pub fn serve() -> ! {
    if !sys::die_with_launcher() {
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
    // The copy forked ahead for the next request, and the template generation it has.
    let mut waiting: Option<Waiting> = None;
    let mut generation = 0u64;
    // A template that arrived with a request, made once that request is answered: the
    // command does not wait for it (the next jails have it).
    let mut pending = None;
    loop {
        if waiting.is_none() {
            namespaces::ensure_network();
            waiting = fork_ahead(generation);
        }
        let (request, fds) = match zygote::receive(SHIM_SOCKET_FD) {
            Ok(Some((zygote::Message::Fork(request), fds))) => (request, fds),
            Ok(Some((zygote::Message::Template(trees), fds))) => {
                pending = Some((trees, fds));
                continue;
            }
            Ok(None) => std::process::exit(0),
            Err(Errno::EINTR) => continue,
            Err(errno) => {
                zygote::reply(SHIM_SOCKET_FD, Err(errno));
                continue;
            }
        };
        // The copy forked ahead takes it, if it is still there.
        if let Some(w) = waiting.take() {
            // That jail has the network namespace, whether it takes the request or
            // not: the next copy needs a new one.
            namespaces::network_used();
            if w.hand_over(&request, &fds, generation).is_ok() {
                drop(fds);
                zygote::reply(SHIM_SOCKET_FD, Ok(w.pid));
                if let Some((trees, fds)) = pending.take() {
                    crate::template::replace(trees, fds);
                    generation += 1;
                }
                w.wait_started();
                continue;
            }
        }
        namespaces::ensure_network();
        match sys::clone_parent() {
            Ok(Forked::Child) => {
                if let Err(errno) = become_shim(&request, fds) {
                    eprintln!("pola-shim: cannot take the command's descriptors: {errno}");
                    std::process::exit(125);
                }
                crate::shim();
            }
            Ok(Forked::Parent(pid)) => {
                drop(fds);
                zygote::reply(SHIM_SOCKET_FD, Ok(pid));
                if let Some((trees, fds)) = pending.take() {
                    crate::template::replace(trees, fds);
                    generation += 1;
                }
                namespaces::network_used();
            }
            Err(errno) => zygote::reply(SHIM_SOCKET_FD, Err(errno)),
        }
    }
}

/// A copy of the zygote forked ahead of the next request, waiting for it on a socket
/// of its own: the fork (a copy of the zygote's page tables, ~0.3–0.5 ms on the
/// machines measured) is off the command's path. It is the shell's child already
/// (`CLONE_PARENT`), named `pola_fileserver::zygote::WAITING_NAME` until it takes a
/// request (it acknowledges it once renamed, before the zygote gives the shell its
/// pid), dies with the shell, and ends when the zygote does.
struct Waiting {
    pid: nix::unistd::Pid,
    socket: OwnedFd,
    /// The template generation it was forked with.
    generation: u64,
}

const TEMPLATE_TAG: u8 = b'T';

impl Waiting {
    /// Hand it the request (after the current template, if it has an older one).
    fn hand_over(&self, request: &Request, fds: &[OwnedFd], generation: u64) -> Result<(), Errno> {
        use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
        use std::io::IoSlice;
        let send = |bytes: &[u8], fds: &[i32]| {
            let iov = [IoSlice::new(bytes)];
            let rights = [ControlMessage::ScmRights(fds)];
            let cmsgs: &[ControlMessage] = if fds.is_empty() { &[] } else { &rights };
            sendmsg::<()>(
                self.socket.as_raw_fd(),
                &iov,
                cmsgs,
                MsgFlags::MSG_NOSIGNAL,
                None,
            )
        };
        if self.generation != generation {
            match crate::template::current() {
                Some((ns, trees)) => {
                    let mut bytes = vec![TEMPLATE_TAG];
                    bytes.extend(serde_json::to_vec(&trees).map_err(|_| Errno::EINVAL)?);
                    send(&bytes, &[ns])?;
                }
                None => {
                    send(&[TEMPLATE_TAG], &[])?;
                }
            }
        }
        let raw: Vec<i32> = fds.iter().map(AsRawFd::as_raw_fd).collect();
        send(&request.encode(), &raw)?;
        // Its acknowledgement: it has taken the request and no longer carries the
        // waiting copy's name.
        let mut ack = [0u8; 1];
        loop {
            match nix::unistd::read(&self.socket, &mut ack) {
                Ok(1) if ack[0] == b'A' => return Ok(()),
                Err(Errno::EINTR) => continue,
                Ok(_) => return Err(Errno::EPIPE),
                Err(errno) => return Err(errno),
            }
        }
    }
}

impl Waiting {
    /// After the hand-over: wait until the command has started (the jail's PID 1 and
    /// the shim outside it have both closed their ends of this copy's socket, see
    /// `started`), the shell asks for another jail, or `START_WAIT` has passed.
    fn wait_started(self) {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        use std::os::fd::BorrowedFd;
        // SAFETY: the zygote's socket to the shell is open for the zygote's life.
        let shell = unsafe { BorrowedFd::borrow_raw(SHIM_SOCKET_FD) };
        let deadline = std::time::Instant::now() + START_WAIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Ok(left) = PollTimeout::try_from(left) else {
                return;
            };
            let mut fds = [
                PollFd::new(self.socket.as_fd(), PollFlags::POLLIN),
                PollFd::new(shell, PollFlags::POLLIN),
            ];
            match poll(&mut fds, left) {
                Err(Errno::EINTR) => continue,
                // Started (hung up), asked again, timed out, or cannot tell.
                _ => return,
            }
        }
    }
}

/// The longest the zygote waits for a command to start before it works ahead anyway.
const START_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// In a copy that took a request: the descriptor of its socket to the zygote, kept
/// open until the command has started (-1: none).
static START_SIGNAL: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// The descriptor `started` closes, to keep open until then.
pub fn start_signal() -> Option<i32> {
    let fd = START_SIGNAL.load(std::sync::atomic::Ordering::Relaxed);
    (fd >= 0).then_some(fd)
}

/// This process's part of the jail's start is done: close its end of the socket the
/// zygote waits on (the shim outside once PID 1 is forked, PID 1 once the command
/// runs). The socket carries nothing else.
pub fn started() {
    let fd = START_SIGNAL.swap(-1, std::sync::atomic::Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: the descriptor was set aside for this and nothing else uses it.
        unsafe { libc::close(fd) };
    }
}

/// Fork the copy for the next request; `None` if that fails (the zygote forks each
/// copy when asked, as before).
fn fork_ahead(generation: u64) -> Option<Waiting> {
    use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .ok()?;
    // Named before the fork, so the shell never sees it under the shim's name.
    set_name(zygote::WAITING_NAME);
    let forked = sys::clone_parent();
    if !matches!(forked, Ok(Forked::Child)) {
        set_name("pola-shim");
    }
    match forked {
        Ok(Forked::Child) => {
            drop(ours);
            wait_for_request(theirs)
        }
        Ok(Forked::Parent(pid)) => Some(Waiting {
            pid,
            socket: ours,
            generation,
        }),
        Err(_) => None,
    }
}

fn set_name(name: &str) {
    if let Ok(name) = std::ffi::CString::new(name) {
        // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes.
        unsafe { libc::prctl(libc::PR_SET_NAME, name.as_ptr(), 0, 0, 0) };
    }
}

/// In the copy forked ahead: wait for the request, then go on as a shim.
fn wait_for_request(socket: OwnedFd) -> ! {
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
    loop {
        match receive(&socket) {
            Ok(Some((bytes, fds))) if bytes.first() == Some(&TEMPLATE_TAG) => {
                let trees = serde_json::from_slice(&bytes[1..]).ok();
                crate::template::set(fds.into_iter().next().zip(trees));
            }
            Ok(Some((bytes, fds))) => {
                let Some(request) = Request::decode(&bytes) else {
                    std::process::exit(125);
                };
                // A shim from now on: renamed before the zygote tells the shell this
                // pid, so a shell reaping a dead zygote's waiting copy never takes a
                // job for one.
                set_name("pola-shim");
                let _ = nix::unistd::write(&socket, b"A");
                // Kept (above the descriptors put in place for the command) until
                // the command has started: the zygote waits for that.
                if let Ok(fd) = nix::fcntl::fcntl(
                    &socket,
                    nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(SHIM_SOCKET_FD + 1),
                ) {
                    START_SIGNAL.store(fd, std::sync::atomic::Ordering::Relaxed);
                }
                drop(socket);
                if let Err(errno) = become_shim(&request, fds) {
                    eprintln!("pola-shim: cannot take the command's descriptors: {errno}");
                    std::process::exit(125);
                }
                crate::shim();
            }
            Err(Errno::EINTR) => continue,
            // The zygote is gone: so is this copy (the shell reaps it).
            _ => std::process::exit(0),
        }
    }
}

/// A message from the zygote to a copy, and its descriptors.
type Message = (Vec<u8>, Vec<OwnedFd>);

/// One message from the zygote and its descriptors (close-on-exec). `None` at its end.
fn receive(socket: &OwnedFd) -> Result<Option<Message>, Errno> {
    let mut buf = vec![0u8; 1 << 16];
    let (len, fds, _) =
        zygote::receive_with_fds::<{ zygote::MAX_FDS }>(socket.as_raw_fd(), &mut buf)?;
    if len == 0 {
        return Ok(None);
    }
    Ok(Some((buf[..len].to_vec(), fds)))
}

/// In the copy: what `posix_spawn` would have done, from the request.
fn become_shim(request: &Request, fds: Vec<OwnedFd>) -> Result<(), Errno> {
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
    for target in 0..16 {
        if request.closed & (1 << target) != 0 {
            // SAFETY: the command must find this descriptor closed.
            unsafe { libc::close(target) };
        }
    }
    let group = nix::unistd::Pid::from_raw(request.pgid);
    nix::unistd::setpgid(nix::unistd::Pid::from_raw(0), group)?;
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(request.umask));
    Ok(())
}
