//! Loading the seccomp filters the server compiled (`pola_fileserver::seccomp`, which
//! says what they refuse and why): classic BPF from the plan, into this process, so the
//! command and everything it starts inherit them.

use std::os::fd::{FromRawFd, OwnedFd};

use nix::errno::Errno;
use pola_fileserver::seccomp::Filters;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SeccompError {
    #[error("seccomp: the plan's {0} filter is not a BPF program")]
    Malformed(&'static str),
    #[error("seccomp: cannot load the {0} filter: {1}")]
    Load(&'static str, Errno),
}

/// The longest program the kernel takes (BPF_MAXINSNS).
const MAX_INSTRUCTIONS: usize = 4096;

fn program(name: &'static str, bytes: &[u8]) -> Result<Vec<libc::sock_filter>, SeccompError> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(8) || bytes.len() / 8 > MAX_INSTRUCTIONS {
        return Err(SeccompError::Malformed(name));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|i| libc::sock_filter {
            code: u16::from_ne_bytes([i[0], i[1]]),
            jt: i[2],
            jf: i[3],
            k: u32::from_ne_bytes([i[4], i[5], i[6], i[7]]),
        })
        .collect())
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, prog)`; its result (a listener with
/// `SECCOMP_FILTER_FLAG_NEW_LISTENER`).
fn install(prog: &[libc::sock_filter], flags: libc::c_ulong) -> Result<i32, Errno> {
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: `fprog` points at `prog`, which outlives the call; the kernel copies it.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            flags,
            &fprog as *const libc::sock_fprog,
        )
    };
    Errno::result(r).map(|fd| fd as i32)
}

/// Load the main and the privilege-drop filters (no_new_privs is already set).
pub fn load(filters: &Filters) -> Result<(), SeccompError> {
    for (name, bytes) in [("main", &filters.main), ("privilege-drop", &filters.ids)] {
        install(&program(name, bytes)?, 0).map_err(|e| SeccompError::Load(name, e))?;
    }
    Ok(())
}

/// Mediated mode: load the notification filter; its listener is for the server.
pub fn listen(filters: &Filters) -> Result<Option<OwnedFd>, SeccompError> {
    let Some(bytes) = &filters.notify else {
        return Ok(None);
    };
    let fd = install(
        &program("notification", bytes)?,
        libc::SECCOMP_FILTER_FLAG_NEW_LISTENER as libc::c_ulong,
    )
    .map_err(|e| SeccompError::Load("notification", e))?;
    // SAFETY: the kernel just created this listener in this process; nothing else owns it.
    Ok(Some(unsafe { OwnedFd::from_raw_fd(fd) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_checked() {
        assert!(program("t", &[]).is_err());
        assert!(program("t", &[0; 7]).is_err());
        assert_eq!(program("t", &[0; 16]).unwrap().len(), 2);
    }
}
