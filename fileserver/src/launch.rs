//! Starting `pola-shim` and serving it over a socketpair.
//!
//! The shim gets the socket as descriptor 3 and nothing else of ours (it closes every
//! other inherited descriptor before it reads a byte). On the socket the server sends:
//!
//! 1. a header: the number of witness descriptors and the plan's length (two u32, LE);
//! 2. the witness descriptors with SCM_RIGHTS, at most [`FDS_PER_MESSAGE`] per
//!    one-byte message;
//! 3. the plan as JSON.
//!
//! The shim answers with newline-separated JSON [`ShimReport`]s. The socket stays open
//! for the command's lifetime so later issues can serve runtime requests on it.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use nix::sys::signal::SigSet;
use nix::unistd::Pid;

use sendfd::SendWithFd;
use thiserror::Error;

use crate::plan::{JailPlan, ShimReport};
use crate::resolve::{witness_fds, Resolved};
use crate::supervise;

/// Below the kernel's SCM_MAX_FD (253).
pub const FDS_PER_MESSAGE: usize = 200;

/// The descriptor number the shim finds its socket at.
pub const SHIM_SOCKET_FD: i32 = 3;

#[derive(Debug, Error)]
pub enum LaunchError {
    #[error("cannot find pola-shim (looked for {0}); set POLA_SHIM to its path")]
    NoShim(PathBuf),
    #[error("cannot start pola-shim: {0}")]
    Spawn(std::io::Error),
    #[error("cannot send the plan to pola-shim: {0}")]
    Send(std::io::Error),
}

/// `pola-shim` beside the running executable, or `$POLA_SHIM`.
pub fn find_shim() -> Result<PathBuf, LaunchError> {
    if let Some(p) = std::env::var_os("POLA_SHIM") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(LaunchError::Spawn)?;
    let shim = exe.with_file_name("pola-shim");
    if shim.is_file() {
        Ok(shim)
    } else {
        Err(LaunchError::NoShim(shim))
    }
}

/// A running jail.
pub struct Jail {
    child: Child,
    socket: UnixStream,
    resolved: Resolved,
    /// The signal mask to restore once the jail has ended.
    mask: SigSet,
}

/// How a jailed command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// As a shell reports it: the exit code, or 128 + signal.
    pub status: i32,
    /// Whether the command was started (its `execve` succeeded).
    pub launched: bool,
}

fn send_plan(socket: &UnixStream, plan: &JailPlan, resolved: &Resolved) -> std::io::Result<()> {
    let json = serde_json::to_vec(plan).map_err(std::io::Error::other)?;
    let fds = witness_fds(resolved);
    let mut header = Vec::with_capacity(8);
    header.extend_from_slice(&(fds.len() as u32).to_le_bytes());
    header.extend_from_slice(&(json.len() as u32).to_le_bytes());
    (&*socket).write_all(&header)?;
    for chunk in fds.chunks(FDS_PER_MESSAGE) {
        if socket.send_with_fd(b"F", chunk)? != 1 {
            return Err(std::io::Error::other("short write"));
        }
    }
    (&*socket).write_all(&json)
}

/// Start `shim` for `plan`, with the caller's stdin, stdout and stderr.
///
/// From here until `wait` returns, the signals `supervise` forwards are blocked in
/// this thread, so one sent early is delivered to the jail rather than lost.
pub fn spawn(shim: &Path, plan: &JailPlan, resolved: Resolved) -> Result<Jail, LaunchError> {
    let (ours, theirs) = UnixStream::pair().map_err(LaunchError::Spawn)?;
    let mask = SigSet::thread_get_mask().map_err(|e| LaunchError::Spawn(e.into()))?;
    supervise::block_signals().map_err(|e| LaunchError::Spawn(e.into()))?;
    let mut cmd = Command::new(shim);
    cmd.env_clear();
    let theirs_fd = std::os::fd::AsRawFd::as_raw_fd(&theirs);
    // SAFETY: the closure runs between fork and exec and only makes async-signal-safe
    // calls (dup2, fcntl, prctl) on descriptors this process owns.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
            if theirs_fd == SHIM_SOCKET_FD {
                if libc::fcntl(theirs_fd, libc::F_SETFD, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            } else if libc::dup2(theirs_fd, SHIM_SOCKET_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The jail dies with its launcher (SECURITY.md 22).
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().map_err(|e| {
        resolved.discard_created();
        let _ = mask.thread_set_mask();
        LaunchError::Spawn(e)
    })?;
    drop(theirs);
    let jail = Jail {
        child,
        socket: ours,
        resolved,
        mask,
    };
    if let Err(e) = send_plan(&jail.socket, plan, &jail.resolved) {
        // The shim reports its own failure if it got that far; make sure it is gone.
        let mut jail = jail;
        let _ = jail.child.kill();
        let _ = jail.child.wait();
        jail.resolved.discard_created();
        let _ = jail.mask.thread_set_mask();
        return Err(LaunchError::Send(e));
    }
    Ok(jail)
}

impl Jail {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait for the command to end, forwarding signals sent to this process to it,
    /// then tidy up the files created for it.
    pub fn wait(mut self) -> Result<Outcome, LaunchError> {
        let status = supervise::supervise(Pid::from_raw(self.child.id() as i32), false);
        let _ = self.mask.thread_set_mask();
        let launched = self.reports().contains(&ShimReport::Launched);
        if !launched || status != 0 {
            self.resolved.discard_created();
        }
        Ok(Outcome { status, launched })
    }

    /// Everything the shim reported; the shim has exited, so this does not block.
    fn reports(&mut self) -> Vec<ShimReport> {
        let _ = self.socket.set_nonblocking(true);
        let mut text = Vec::new();
        let _ = self.socket.read_to_end(&mut text);
        text.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .filter_map(|l| serde_json::from_slice(l).ok())
            .collect()
    }
}
