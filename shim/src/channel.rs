//! The shim's end of the socket to the fileserver: receiving the plan and its witness
//! descriptors (see `pola_fileserver::launch` for the format).

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use nix::fcntl::{fcntl, FcntlArg, FdFlag};
use pola_fileserver::launch::{FDS_PER_MESSAGE, SHIM_SOCKET_FD};

use pola_fileserver::plan::JailPlan;
use sendfd::RecvWithFd;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ChannelError {
    #[error("cannot read the plan from the fileserver: {0}")]
    Io(#[from] std::io::Error),
    /// The launcher closed the socket before sending anything: it gave this shim up
    /// (a copy a dying zygote forked, whose command the shell spawned a shim for).
    #[error("the fileserver sent nothing")]
    Abandoned,
    #[error("the fileserver sent {got} descriptors, expected {expected}")]
    Descriptors { got: usize, expected: usize },
    #[error("the fileserver sent a plan this shim cannot read: {0}")]
    Plan(#[from] postcard::Error),
}

/// The socket the launcher left at descriptor 3, made close-on-exec at once: `dup2`
/// cleared the flag, and the command must never inherit the fileserver's socket.
pub fn socket() -> Result<UnixStream, ChannelError> {
    // SAFETY: the launcher puts the socket at this descriptor, and nothing else in
    // this process owns it.
    let socket = unsafe { UnixStream::from_raw_fd(SHIM_SOCKET_FD) };
    let flags = fcntl(&socket, FcntlArg::F_GETFD).map_err(std::io::Error::from)?;
    let flags = FdFlag::from_bits_truncate(flags) | FdFlag::FD_CLOEXEC;
    fcntl(&socket, FcntlArg::F_SETFD(flags)).map_err(std::io::Error::from)?;
    Ok(socket)
}

/// What the server sends: the plan, a witness for each grant, and with `--powerbox`
/// the jail's end of the powerbox socket.
pub struct Received {
    pub plan: JailPlan,
    pub witnesses: Vec<OwnedFd>,
    pub powerbox: Option<OwnedFd>,
    /// With slots: the supervisor's end of its socket to the server.
    pub supervisor: Option<OwnedFd>,
    /// The plan as it came, for a warm jail's PID 1 (`crate::warm`).
    pub encoded: Vec<u8>,
}

/// One descriptor sent with a one-byte `tag`.
fn receive_tagged(socket: &UnixStream, tag: u8, got: usize) -> Result<OwnedFd, ChannelError> {
    let mut byte = [0u8; 1];
    let mut raw: [RawFd; 1] = [-1];
    let (n, count) = socket.recv_with_fd(&mut byte, &mut raw)?;
    if n != 1 || count != 1 || byte[0] != tag {
        return Err(ChannelError::Descriptors {
            got,
            expected: got + 1,
        });
    }
    // SAFETY: SCM_RIGHTS installed this descriptor in this process just now.
    Ok(unsafe { OwnedFd::from_raw_fd(raw[0]) })
}

/// Receive the plan, close the inherited descriptors 3–9 it does not keep, then
/// receive the witness descriptors (which may take those numbers), the powerbox, and
/// with slots the supervisor's socket: from the server, or from a warm jail's PID 1
/// handing the plan on to its shim (`crate::warm`).
pub fn receive(socket: &UnixStream) -> Result<Received, ChannelError> {
    let mut header = [0u8; 8];
    let first = loop {
        match (&*socket).read(&mut header) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => break other?,
        }
    };
    if first == 0 {
        return Err(ChannelError::Abandoned);
    }
    (&*socket).read_exact(&mut header[first..])?;
    let expected = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes")) as usize;
    let len = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes")) as usize;
    let mut encoded = vec![0u8; len];
    (&*socket).read_exact(&mut encoded)?;
    let plan = pola_fileserver::plan::decode(&encoded)?;
    for fd in 3..SHIM_SOCKET_FD {
        if !plan.keep_fds.contains(&fd) {
            // SAFETY: closing a descriptor number nothing in this process uses yet.
            unsafe {
                libc::close(fd);
            }
        }
    }
    let mut fds: Vec<OwnedFd> = Vec::with_capacity(expected);
    while fds.len() < expected {
        let mut byte = [0u8; 1];
        let mut raw: [RawFd; FDS_PER_MESSAGE] = [-1; FDS_PER_MESSAGE];
        let (n, got) = socket.recv_with_fd(&mut byte, &mut raw)?;
        // SAFETY: SCM_RIGHTS installed these descriptors in this process just now.
        fds.extend(
            raw[..got]
                .iter()
                .map(|fd| unsafe { OwnedFd::from_raw_fd(*fd) }),
        );
        if n == 0 || got == 0 {
            return Err(ChannelError::Descriptors {
                got: fds.len(),
                expected,
            });
        }
    }
    let powerbox = plan
        .powerbox
        .then(|| receive_tagged(socket, pola_fileserver::launch::POWERBOX_TAG, fds.len()))
        .transpose()?;
    let supervisor = crate::slots::wanted(&plan)
        .then(|| receive_tagged(socket, pola_fileserver::launch::SUPERVISOR_TAG, fds.len()))
        .transpose()?;
    Ok(Received {
        plan,
        witnesses: fds,
        powerbox,
        supervisor,
        encoded,
    })
}

/// Mediated mode: send the seccomp listener to the server (one tagged byte with it).
pub fn send_listener(socket: &UnixStream, listener: &OwnedFd) -> Result<(), nix::errno::Errno> {
    use sendfd::SendWithFd;
    use std::os::fd::AsRawFd;
    let tag = [pola_fileserver::launch::LISTENER_TAG];
    match socket.send_with_fd(&tag, &[listener.as_raw_fd()]) {
        Ok(1) => Ok(()),
        Ok(_) => Err(nix::errno::Errno::EIO),
        Err(e) => Err(nix::errno::Errno::from_raw(
            e.raw_os_error().unwrap_or(libc::EIO),
        )),
    }
}
