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
            lifeline::forked();
            Ok(Forked::Child)
        }
    }
}

/// The top shell's lifeline (SECURITY.md 22: every jailed process dies with the
/// shell, also one a background job started). A jail dies with the process that
/// launched it (its shim's parent-death signal), but a background job's jails are
/// launched by a forked copy of the shell, which outlived a killed shell, and so did
/// they. The top shell holds the write end of a pipe for its whole life; its forked
/// copies keep only the read end, and one that launches a jail watches it on a thread
/// of its own: the end of the pipe with nothing written means the top shell is gone
/// without exiting (SIGKILL, a signal it does not handle), and the copy then kills
/// itself, and so its jails. At a normal exit the top shell writes one byte first:
/// its background jobs go on, as in any shell.
pub mod lifeline {
    use std::os::fd::{AsRawFd, IntoRawFd};
    use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};

    /// The pipe's ends (-1: none; the write end only in the top shell).
    static READ: AtomicI32 = AtomicI32::new(-1);
    static WRITE: AtomicI32 = AtomicI32::new(-1);
    /// The process whose thread watches the read end (0: none).
    static WATCHER: AtomicU32 = AtomicU32::new(0);

    /// In the top shell, first: make the lifeline (out of the descriptors a user
    /// may name). Without one (no descriptors left), copies are not watched.
    pub fn hold() {
        let Ok((read, write)) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC) else {
            return;
        };
        let high = |fd| pola_fileserver::launch::high_copy(fd).ok();
        if let (Some(read), Some(write)) = (high(read), high(write)) {
            READ.store(read.into_raw_fd(), Ordering::Relaxed);
            WRITE.store(write.into_raw_fd(), Ordering::Relaxed);
        }
    }

    /// In a forked copy: the write end is the top shell's alone.
    pub(super) fn forked() {
        let write = WRITE.swap(-1, Ordering::Relaxed);
        if write >= 0 {
            // SAFETY: closing this copy's duplicate of the top shell's write end,
            // which nothing else in this process uses.
            unsafe { libc::close(write) };
        }
    }

    /// In the top shell at a normal exit: its copies' jails may go on.
    pub fn release() {
        let write = WRITE.load(Ordering::Relaxed);
        if write >= 0 {
            // SAFETY: writing one byte from a live buffer to our own pipe.
            unsafe { libc::write(write, b"x".as_ptr().cast(), 1) };
        }
    }

    /// In a forked copy about to launch a jail: watch the lifeline (once a process).
    pub fn watch() {
        let read = READ.load(Ordering::Relaxed);
        let me = std::process::id();
        if read < 0
            || WRITE.load(Ordering::Relaxed) >= 0
            || WATCHER.swap(me, Ordering::Relaxed) == me
        {
            return;
        }
        std::thread::spawn(move || {
            // SAFETY: the read end stays open for this process's life.
            let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(read) };
            loop {
                let mut poll = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLIN)];
                match nix::poll::poll(&mut poll, nix::poll::PollTimeout::NONE) {
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(_) => return,
                    Ok(_) => break,
                }
            }
            let mut unread: libc::c_int = 0;
            // SAFETY: FIONREAD writes one int to the live variable.
            let asked = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &mut unread) };
            if asked == 0 && unread > 0 {
                return;
            }
            let _ =
                nix::sys::signal::kill(nix::unistd::Pid::this(), nix::sys::signal::Signal::SIGKILL);
        });
    }
}

/// Leave a forked child at once, without running the parent's destructors or flushing
/// its buffers twice.
pub fn exit_child(status: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    pola_fileserver::planted::record_own_texts();
    // The shims of jails whose end was reported are exiting: reaped, not left to init.
    pola_fileserver::launch::reap_ended(true);
    // `_exit` skips `atexit`: the jail cgroups this copy kept go now.
    pola_fileserver::cgroup::remove_idle();
    // SAFETY: _exit ends the process immediately; nothing is left half-done.
    unsafe { libc::_exit(status & 0xff) }
}

/// `n` random letters and digits.
pub fn random_letters(n: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; n];
    let mut filled = 0;
    while filled < n {
        // SAFETY: getrandom writes at most the length it is given into the buffer.
        let got = unsafe {
            libc::getrandom(
                bytes[filled..].as_mut_ptr().cast(),
                n - filled,
                libc::GRND_NONBLOCK,
            )
        };
        if got <= 0 {
            // No entropy yet (early boot): the clock and pid, mixed, as a last resort.
            let seed = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
                ^ (std::process::id() as u64).rotate_left(32);
            for (i, b) in bytes[filled..].iter_mut().enumerate() {
                *b = (seed.rotate_left(i as u32 * 7) ^ (i as u64).wrapping_mul(0x9e37)) as u8;
            }
            break;
        }
        filled += got as usize;
    }
    bytes
        .iter()
        .map(|b| CHARS[*b as usize % CHARS.len()] as char)
        .collect()
}

/// While it lives, SIGINT runs `handler` without `SA_RESTART`, so that a blocked
/// `read`, `poll` or `waitpid` returns (EINTR); the action before is put back when it
/// is dropped. For an interactive shell's waits that Ctrl-C ends (`read`, `wait`, a
/// FIFO's open).
pub struct SigintCaught(Option<nix::sys::signal::SigAction>);

/// Catch SIGINT with `handler` (which may only use atomics) for the guard's life.
pub fn catch_sigint(handler: extern "C" fn(libc::c_int)) -> SigintCaught {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    let action = SigAction::new(
        SigHandler::Handler(handler),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler only stores to atomics (the caller's word).
    SigintCaught(unsafe { sigaction(Signal::SIGINT, &action) }.ok())
}

impl SigintCaught {
    /// Whether SIGINT is caught (the action could be set).
    pub fn caught(&self) -> bool {
        self.0.is_some()
    }
}

impl Drop for SigintCaught {
    fn drop(&mut self) {
        if let Some(old) = self.0.take() {
            // SAFETY: putting back the action that was there.
            let _ = unsafe { nix::sys::signal::sigaction(nix::sys::signal::Signal::SIGINT, &old) };
        }
    }
}

/// In a background job's copy of an interactive shell: once that shell is gone, the
/// user's terminal is let go of (each of this process's descriptors of it becomes
/// /dev/null). A job the user kept going (`nohup cmd > log &`, its jail alive after the
/// shell left) kept the terminal open through this copy, which waits for its jail: a
/// terminal, an ssh session, did not close until the command ended (new-user trial).
///
/// Only while the copy waits for a command ([`Waiting`]): a copy still starting its
/// jail when the shell left (a line typed ahead) needs the terminal for that (its
/// modes, the jail's own terminal), and lets go once the jail runs. A first version
/// that let go at once, of every terminal descriptor, closed a starting jail's own
/// terminal, and nohup's command ended with the shell in a few runs in ten. Only the
/// user's terminal (its device, on its devpts) is let go of, never a jail's.
pub fn let_go_of_the_terminal_with_the_shell() {
    use std::sync::atomic::Ordering;
    // SAFETY: descriptor 0 stays open for the call.
    let zero = unsafe { std::os::fd::BorrowedFd::borrow_raw(0) };
    let Ok(st) = nix::sys::stat::fstat(zero) else {
        return;
    };
    if st.st_mode & libc::S_IFMT != libc::S_IFCHR {
        return;
    }
    TERMINAL_DEV.store(st.st_dev, Ordering::SeqCst);
    TERMINAL_RDEV.store(st.st_rdev, Ordering::SeqCst);
    let parent = nix::unistd::getppid();
    PARENT.store(parent.as_raw(), Ordering::SeqCst);
    // SAFETY: the handler only makes async-signal-safe calls (and the one it
    // replaces, which was installed so); sigaction copies `sa` and fills `before`.
    unsafe {
        let mut before: libc::sigaction = std::mem::zeroed();
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = shell_gone as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = libc::SA_RESTART;
        if libc::sigaction(libc::SIGHUP, &sa, &mut before) != 0
            || before.sa_flags & libc::SA_SIGINFO != 0
        {
            libc::sigaction(libc::SIGHUP, &before, std::ptr::null_mut());
            return;
        }
        BEFORE.store(before.sa_sigaction, Ordering::SeqCst);
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGHUP);
    }
    // Gone already, between the fork and the call.
    if nix::unistd::getppid() != parent {
        shell_gone(libc::SIGHUP);
    }
}

static TERMINAL_DEV: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static TERMINAL_RDEV: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static PARENT: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);
/// What SIGHUP did before (the interactive shell's handler, inherited).
static BEFORE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// The shell is gone: the terminal is to be let go of once the copy waits.
static GONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// How many waits for a command the copy is in ([`Waiting`]).
static WAITING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// SIGHUP in a background job's copy: what it did before (the shell's hang-up
/// handler), and if the shell is gone (`PR_SET_PDEATHSIG`), the terminal let go of.
extern "C" fn shell_gone(sig: libc::c_int) {
    use std::sync::atomic::Ordering;
    // SAFETY: getppid is async-signal-safe.
    let gone = unsafe { libc::getppid() } != PARENT.load(Ordering::SeqCst);
    match BEFORE.load(Ordering::SeqCst) {
        libc::SIG_IGN => {}
        libc::SIG_DFL if gone => {}
        // SAFETY: signal and raise are async-signal-safe.
        libc::SIG_DFL => unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        },
        handler => {
            // SAFETY: the handler SIGHUP had (without SA_SIGINFO: one argument).
            let handler: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(handler) };
            handler(sig);
        }
    }
    if !gone {
        return;
    }
    GONE.store(true, Ordering::SeqCst);
    if WAITING.load(Ordering::SeqCst) > 0 {
        let_go();
    }
}

/// Put /dev/null over each descriptor of the user's terminal. Async-signal-safe, and
/// idempotent (the handler and [`Waiting`] may both call it).
fn let_go() {
    use std::sync::atomic::Ordering;
    let (dev, rdev) = (
        TERMINAL_DEV.load(Ordering::SeqCst),
        TERMINAL_RDEV.load(Ordering::SeqCst),
    );
    // SAFETY: open, fstat, dup2 and close are async-signal-safe; `st` is written by
    // fstat before it is read.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC);
        if null < 0 {
            return;
        }
        for fd in 0..1024 {
            let mut st: libc::stat = std::mem::zeroed();
            if fd != null
                && libc::fstat(fd, &mut st) == 0
                && st.st_mode & libc::S_IFMT == libc::S_IFCHR
                && st.st_dev == dev
                && st.st_rdev == rdev
            {
                libc::dup2(null, fd);
            }
        }
        libc::close(null);
    }
}

/// While a background job's copy of the shell waits for a command: if the shell is
/// gone (or goes meanwhile), the terminal is let go of
/// ([`let_go_of_the_terminal_with_the_shell`]). Nothing in any other process.
pub struct Waiting(());

impl Waiting {
    pub fn new() -> Waiting {
        use std::sync::atomic::Ordering;
        WAITING.fetch_add(1, Ordering::SeqCst);
        if GONE.load(Ordering::SeqCst) {
            let_go();
        }
        Waiting(())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}
