//! The shell's process primitives that need `unsafe`.

use nix::errno::Errno;
use nix::unistd::Pid;

pub enum Forked {
    Parent(Pid),
    Child,
}

/// `fork(2)` for subshells, pipeline members and command substitution.
///
/// The shell's own code runs on one thread; besides it there may be the terminal
/// relay's thread (interactive), and while jails run, their proxy, slot broker and
/// hints threads. The child gets only the calling thread: glibc's fork makes the
/// allocator's locks consistent in the child, and the relay's table of terminals the
/// child must close is lock-free (`relay::forked`). A lock another thread holds at the
/// moment of the fork (the record of written directories, taken briefly by a slot
/// broker while it reads the record or walks up a few directories) would stay taken
/// in the child, which would then wait on it: a narrow window, not closed yet.
pub fn fork() -> Result<Forked, Errno> {
    // SAFETY: see above: the child continues on the calling thread only, with the
    // allocator consistent; it calls no function that is unsound after a fork.
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
    // The shims of jails whose end was reported are exiting: reaped, not left to init.
    pola_fileserver::launch::reap_ended(true);
    // `_exit` skips `atexit`: the jail cgroups this copy kept go now.
    pola_fileserver::cgroup::remove_idle();
    // SAFETY: _exit ends the process immediately; nothing is left half-done.
    unsafe { libc::_exit(status & 0xff) }
}
