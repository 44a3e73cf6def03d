//! Capabilities: the jail's processes hold none, also when pola-sh runs as root.
//!
//! Inside its user namespaces the shim holds every capability (over the jail only); it
//! needs them to build the jail. Before the command starts they all go: the bounding
//! set is emptied (so `execve` of a setuid or file-capability binary, or of anything as
//! uid 0, cannot bring any back), then the ambient, inheritable, effective and
//! permitted sets; the securebits stop uid 0 from being special at all and are locked
//! (SECURITY.md 19).

use caps::{CapSet, CapsHashSet};
use nix::errno::Errno;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CapsError {
    #[error("cannot drop capabilities: {0}")]
    Caps(#[from] caps::errors::CapsError),
    #[error("cannot set securebits: {0}")]
    Securebits(Errno),
    #[error("cannot drop the bounding set: {0}")]
    Bounding(Errno),
}

const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;
const SECBIT_NO_SETUID_FIXUP_LOCKED: libc::c_ulong = 1 << 3;
const SECBIT_KEEP_CAPS_LOCKED: libc::c_ulong = 1 << 5;
const SECBIT_NO_CAP_AMBIENT_RAISE: libc::c_ulong = 1 << 6;
const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: libc::c_ulong = 1 << 7;

/// Drop every capability for good.
pub fn drop_all() -> Result<(), CapsError> {
    let bits = SECBIT_NOROOT
        | SECBIT_NOROOT_LOCKED
        | SECBIT_NO_SETUID_FIXUP
        | SECBIT_NO_SETUID_FIXUP_LOCKED
        | SECBIT_KEEP_CAPS_LOCKED
        | SECBIT_NO_CAP_AMBIENT_RAISE
        | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    // SAFETY: PR_SET_SECUREBITS takes an integer argument and touches no memory.
    Errno::result(unsafe { libc::prctl(libc::PR_SET_SECUREBITS, bits, 0, 0, 0) })
        .map_err(CapsError::Securebits)?;
    // Out of the bounding set, one call each up to the first number the kernel does
    // not know (`caps::clear` reads each one first: twice the calls).
    for cap in 0..64 {
        // SAFETY: PR_CAPBSET_DROP takes an integer argument and touches no memory.
        match Errno::result(unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) }) {
            Ok(_) => {}
            Err(Errno::EINVAL) if cap > 0 => break,
            Err(errno) => return Err(CapsError::Bounding(errno)),
        }
    }
    caps::clear(None, CapSet::Ambient)?;
    let none = CapsHashSet::new();
    caps::set(None, CapSet::Inheritable, &none)?;
    caps::set(None, CapSet::Effective, &none)?;
    caps::set(None, CapSet::Permitted, &none)?;
    Ok(())
}
