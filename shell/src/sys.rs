//! The shell's process primitives that need `unsafe`.

use nix::errno::Errno;
use nix::unistd::Pid;

pub enum Forked {
    Parent(Pid),
    Child,
}

/// `fork(2)` for subshells, pipeline members and command substitution. The shell
/// never starts threads, so the child may run arbitrary code.
pub fn fork() -> Result<Forked, Errno> {
    // SAFETY: pola-sh is single-threaded (no thread is ever spawned), so the child's
    // copy of every lock and allocator state is consistent.
    match unsafe { nix::unistd::fork() }? {
        nix::unistd::ForkResult::Parent { child } => Ok(Forked::Parent(child)),
        nix::unistd::ForkResult::Child => {
            pola_fileserver::relay::forked();
            Ok(Forked::Child)
        }
    }
}

/// Leave a forked child at once, without running the parent's destructors or flushing
/// its buffers twice.
pub fn exit_child(status: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // `_exit` skips `atexit`: the jail cgroups this copy kept go now.
    pola_fileserver::cgroup::remove_idle();
    // SAFETY: _exit ends the process immediately; nothing is left half-done.
    unsafe { libc::_exit(status & 0xff) }
}
