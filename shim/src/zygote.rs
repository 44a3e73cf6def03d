//! `pola-shim --zygote`: the shell's shim factory (see `pola_fileserver::zygote`).
//!
//! Enters the user namespace once, then for each request forks a copy of itself
//! (`clone(CLONE_PARENT)`, a child of the shell) that puts the request's descriptors
//! in place, joins the process group, takes the umask, and goes on as a shim that was
//! just started: from `crate::shim`, reading the plan from its socket. Each copy is
//! forked ahead, while the shell runs the previous command, and waits for its request
//! (`Waiting`).

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
        namespaces::prepare_network();
    }
    // The copy forked ahead for the next request, and the template generation it has.
    let mut waiting: Option<Waiting> = None;
    let mut generation = 0u64;
    // A template that arrived with a request, made once that request is answered: the
    // command does not wait for it (the next jails have it).
    let mut pending = None;
    loop {
        if waiting.is_none() {
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
            if w.hand_over(&request, &fds, generation).is_ok() {
                drop(fds);
                zygote::reply(SHIM_SOCKET_FD, Ok(w.pid));
                if let Some((trees, fds)) = pending.take() {
                    crate::template::replace(trees, fds);
                    generation += 1;
                }
                // That jail has the network namespace; make the next one's now.
                namespaces::prepare_network();
                continue;
            }
            // Gone, or it could not take it: the copy made now must not be in the
            // network namespace that one was forked into.
            namespaces::prepare_network();
        }
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
                namespaces::prepare_network();
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
