//! The warm jail (issue 17): the copy the zygote forks ahead for the next command makes
//! that command's namespaces and forks its PID 1 while it waits for the command, and
//! that PID 1 makes the part of the jail's root that is the same for every command
//! (`rootfs::Prepared`: its copy of the template, its root tmpfs, its `/proc`, its
//! scratch file system and terminal), so that none of it is on the command's path
//! (bench/README.md, "Fifth stop", "Thirteenth stop").
//!
//! The copy (the jail's shim to be) and its PID 1 then wait, with nothing of any
//! command: the zygote's private copy of the host's mount namespace, shared with the
//! other copies made ahead (`zygote::Snapshot`; a copy of its own if there is none, as
//! every shim had, and for a plan with slots, made on the request for their carriers),
//! fresh PID, IPC and UTS namespaces, the network namespace the zygote made for it,
//! and a PID 1 holding only its sockets, the template and what it made of it. The
//! shell sends its request to both (the socket to the server, the command's
//! descriptors, its umask). PID 1 reads the plan from the server itself, hands it on
//! to the copy in the server's own format, moves itself into the jail's cgroups (only
//! a process moving itself is cheap: `limits::enter_cgroups`) unless it is in them
//! already, and takes a cgroup namespace rooted there, and builds the jail as a PID 1
//! the shim forked then would have. (The shell gives the zygote a jail cgroup for each
//! copy it forks ahead, with the last command's limits, which the copy enters before
//! it forks PID 1: `limits::enter_ahead`. The shell gives a command's plan the cgroup
//! its ready copy waits in, set to the command's limits, so that neither moves on the
//! command's way.) Meanwhile the copy enters the cgroups too (if not there), puts PID 1
//! in the command's process
//! group (unless it leads a session of its own), makes the slot carriers if the plan
//! has slots, and then says so (`settle`): PID 1 waits for that before the lock, and,
//! with slots, before it copies the copy's mount namespace (so that it holds the
//! carriers). Until then PID 1 shares the copy's mount namespace: it assembles the
//! root in one of its own (`rootfs::build`), so its `pivot_root` leaves the copy's
//! root as it is.
//!
//! Should anything of this fail before PID 1 is forked, or should PID 1 die while they
//! wait, the copy makes its jail the usual way (PID 1 is forked into a PID namespace of
//! its own, so the copy can still make one). A PID 1 that dies once it has the request
//! ends the command (status 125, with a message): it may have taken the plan from the
//! server's socket. So does a plan that does not fit (another user's ids, the host's
//! network: the shell never sends such a plan to the zygote).

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;

use nix::errno::Errno;
use nix::unistd::Pid;
use pola_fileserver::zygote::Request;

use crate::sys::{self, Forked};
use crate::{channel, init, namespaces, session, zygote};

/// The copy's side of a warm jail.
pub struct Warm {
    pub pid1: Pid,
    /// The copy's end of its link to PID 1.
    pub link: UnixStream,
    pub parent_alive: init::ParentAlive,
    pub stops: session::Stops,
}

/// The copy's word that PID 1 is in the jail's cgroups and the carriers are made.
const SETTLED: u8 = b'S';

impl Warm {
    /// In the copy, before it waits for its request: the jail's namespaces and its
    /// PID 1, which waits for the request on `from_shell`. `None` if that could not
    /// be begun (the copy goes on without); the copy ends if it fails once begun.
    pub fn prepare(from_shell: OwnedFd) -> Option<Warm> {
        namespaces::entered_ids()?;
        let from_shell = sys::high(from_shell).ok()?;
        let parent_alive = init::ParentAlive::new().ok()?;
        let stops = session::Stops::new().ok()?;
        let (ours, theirs) = UnixStream::pair().ok()?;
        let ours = UnixStream::from(sys::high(OwnedFd::from(ours)).ok()?);
        let theirs = UnixStream::from(sys::high(OwnedFd::from(theirs)).ok()?);
        namespaces::enter_ahead().ok()?;
        let begun = || -> Result<Forked, String> {
            // The zygote's copy of the host's namespace, shared by the copies made
            // from it, is private already and torn down by the zygote.
            if !namespaces::in_snapshot() {
                crate::slots::make_private("make the jail's mount namespace private")
                    .map_err(|e| e.to_string())?;
                // Torn down by the zygote once this jail's shim has exited.
                zygote::hold_mount_namespace();
            }
            sys::fork_into_new_pid_namespace().map_err(|e| format!("fork: {e}"))
        };
        match begun() {
            Ok(Forked::Child) => {
                drop(ours);
                pid1_waits(from_shell, theirs, parent_alive, stops)
            }
            Ok(Forked::Parent(pid1)) => Some(Warm {
                pid1,
                link: ours,
                parent_alive,
                stops,
            }),
            Err(e) => {
                eprintln!("pola-shim: cannot make the next jail ahead: {e}");
                std::process::exit(125);
            }
        }
    }

    /// The descriptors the copy keeps for the warm jail.
    pub fn descriptors(&self) -> Vec<Option<i32>> {
        let mut fds = vec![Some(self.link.as_raw_fd())];
        fds.extend(self.parent_alive.descriptors());
        fds.extend(self.stops.descriptors());
        fds
    }

    /// The plan PID 1 hands on, or `None` if PID 1 is gone without.
    pub fn plan(&self) -> Option<channel::Received> {
        channel::receive(&self.link).ok()
    }

    /// PID 1 ended while it waited: reap it (it never had a request).
    pub fn reap(self) {
        let _ = nix::sys::wait::waitpid(self.pid1, None);
    }
}

/// In the copy waiting for its request on `from_shell`: true once it is there, false
/// if its warm PID 1 ended first (its end of the link is closed). PID 1 writes on the
/// link only once it has its own request (the plan it hands on), which the shell sends
/// just before this copy's: that may be read first, and then this copy's request is
/// on its way (or the shell let it go, which ends `from_shell` too).
pub fn request_first(from_shell: &OwnedFd, warm: &Warm) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use nix::sys::socket::{recv, MsgFlags};
    use std::os::fd::AsFd;
    let mut pid1_has_its_request = false;
    loop {
        let mut fds = [
            PollFd::new(from_shell.as_fd(), PollFlags::POLLIN),
            PollFd::new(warm.link.as_fd(), PollFlags::POLLIN),
        ];
        let watched = if pid1_has_its_request { 1 } else { 2 };
        match poll(&mut fds[..watched], PollTimeout::NONE) {
            Err(Errno::EINTR) => continue,
            Err(_) => return false,
            Ok(_) => {}
        }
        let ready = |f: &PollFd| f.revents().is_some_and(|r| !r.is_empty());
        if ready(&fds[0]) {
            return true;
        }
        if watched == 2 && ready(&fds[1]) {
            let mut byte = [0u8; 1];
            match recv(
                warm.link.as_raw_fd(),
                &mut byte,
                MsgFlags::MSG_PEEK | MsgFlags::MSG_DONTWAIT,
            ) {
                Ok(1) => pid1_has_its_request = true,
                Err(Errno::EINTR) | Err(Errno::EAGAIN) => {}
                _ => return false,
            }
        }
    }
}

/// In the copy, once the carriers are made: PID 1 joins the command's process group
/// (this copy's) unless it leads a session of its own (`session`), and may go on. A
/// PID 1 that is gone already (it said why) is not an error here: its status is the
/// jail's. `carriers`: the mount namespace the copy made them in, when it is not the
/// one PID 1 shares with it (`namespaces::leave_snapshot`).
pub fn settle(
    link: &UnixStream,
    pid1: Pid,
    session: bool,
    carriers: Option<&OwnedFd>,
) -> Result<(), Errno> {
    // PID 1 is this copy's child and has executed nothing: it may join.
    let joined = if session {
        Ok(())
    } else {
        nix::unistd::setpgid(pid1, nix::unistd::getpgrp())
    };
    match joined {
        Ok(()) | Err(Errno::ESRCH) => {}
        Err(errno) => return Err(errno),
    }
    let carriers_fd = carriers.map(std::os::fd::AsFd::as_fd);
    match pola_fileserver::cwd_host::send(link.as_raw_fd(), &[SETTLED], carriers_fd) {
        // A PID 1 gone already said why (its status is the jail's); one that is not
        // must have the carriers' namespace (review of the twenty-ninth stop).
        Err(errno) if carriers.is_some() && errno != Errno::EPIPE => Err(errno),
        _ => Ok(()),
    }
}

/// PID 1's side of the link to its copy.
pub struct Link {
    pub socket: UnixStream,
    settled: bool,
    /// The mount namespace that holds the carriers, if the copy made them in one of
    /// its own (`settle`).
    carriers: Option<OwnedFd>,
}

impl Link {
    /// Wait until the copy has put this PID 1 in the command's process group and made
    /// the slot carriers. An error if the copy is gone (it said why).
    pub fn settled(&mut self) -> Result<(), Errno> {
        if self.settled {
            return Ok(());
        }
        let mut byte = [0u8; 1];
        match pola_fileserver::zygote::receive_with_fds::<1>(self.socket.as_raw_fd(), &mut byte) {
            Ok((1, mut fds, false)) if byte[0] == SETTLED => {
                self.settled = true;
                self.carriers = fds.pop();
                Ok(())
            }
            _ => Err(Errno::EPIPE),
        }
    }

    /// With slots: into a copy of the copy's mount namespace once the carriers are
    /// made there (the copy holds them). A copy in the zygote's shared namespace made
    /// them in one of its own and sent it: without it, the jail would be built without
    /// its carriers (no slot's file would reach it), so it is not built.
    pub fn take_carriers(&mut self) -> Result<(), Errno> {
        self.settled()?;
        match self.carriers.take() {
            Some(ns) => nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNS)?,
            None if namespaces::in_snapshot() => return Err(Errno::EBADMSG),
            None => {}
        }
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)
    }
}

/// Warm PID 1, from its fork to its request: nothing of the copy's but what it needs,
/// then wait. It dies with the copy, like every PID 1.
fn pid1_waits(
    from_shell: OwnedFd,
    link: UnixStream,
    parent_alive: init::ParentAlive,
    stops: session::Stops,
) -> ! {
    // Signals are read by the supervisors once the command runs; none reaches a PID 1
    // from outside its namespace before (it is the namespace's init).
    let _ = init::block_signals();
    // The number of the shim socket stays taken (the copy's /dev/null there) until the
    // request puts the socket there: no descriptor received before may land on it.
    let kept: Vec<Option<i32>> = [
        Some(pola_fileserver::launch::SHIM_SOCKET_FD),
        Some(from_shell.as_raw_fd()),
        Some(link.as_raw_fd()),
        crate::template::descriptor(),
        zygote::start_signal(),
    ]
    .into_iter()
    .chain(stops.descriptors())
    .chain(parent_alive.descriptors())
    .collect();
    // The copy's sockets and whatever else the copy holds: not PID 1's. 0–2 and the
    // shim socket's number are replaced by the request's.
    sys::close_from_except(3, &kept);
    if parent_alive.die_with_parent().is_err() {
        std::process::exit(125);
    }
    pola_fileserver::phases::stamp("pid1");
    // The jail's root, as far as it is the same for every command.
    let prepared = crate::rootfs::Prepared::make();
    pola_fileserver::phases::stamp("ready");
    let (request, fds) = loop {
        match zygote::receive(&from_shell) {
            Ok(Some((bytes, fds))) => match Request::decode(&bytes) {
                Some(request) => break (request, fds),
                None => std::process::exit(125),
            },
            Err(Errno::EINTR) => continue,
            // The copy is gone, or the shell: so is PID 1.
            _ => std::process::exit(0),
        }
    };
    drop(from_shell);
    zygote::set_name("pola-shim");
    if let Err(errno) = zygote::place_descriptors(&request, fds) {
        eprintln!("pola-shim: cannot take the command's descriptors: {errno}");
        std::process::exit(125);
    }
    pola_fileserver::phases::stamp("request");
    crate::warm_pid1(
        Link {
            socket: link,
            settled: false,
            carriers: None,
        },
        stops,
        prepared,
    )
}

/// Whether a warm jail fits `plan`: the shell sends the zygote only plans of its own
/// user, in a network namespace of their own.
pub fn fits(plan: &pola_fileserver::plan::JailPlan) -> bool {
    namespaces::entered_ids() == Some((plan.uid, plan.gid)) && !plan.net.shares_host()
}

/// In PID 1: hand the plan on to the copy, as the server sent it (the supervisor's
/// socket with it: the copy serves the slots).
pub fn hand_plan(link: &Link, received: &mut channel::Received) -> std::io::Result<()> {
    let witnesses: Vec<i32> = received.witnesses.iter().map(AsRawFd::as_raw_fd).collect();
    let supervisor = received.supervisor.take();
    pola_fileserver::launch::write_plan(
        &link.socket,
        &received.encoded,
        &witnesses,
        received.powerbox.as_ref().map(AsRawFd::as_raw_fd),
        supervisor.as_ref().map(AsRawFd::as_raw_fd),
    )
}
