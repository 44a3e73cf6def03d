//! The relay between the user's terminal and the jails' pseudo-terminals (see
//! `crate::pty`, which says why jails do not get the terminal itself).
//!
//! One thread of the interactive shell, started once (`start`). It copies every
//! jail's output to the terminal, whether its job is in the foreground or not, as a
//! terminal shows a background job's output. While the shell runs a job in the
//! foreground (`foreground`) the thread owns the keyboard: the terminal is in raw mode
//! and what is typed goes to that job's pseudo-terminal, whose line discipline does
//! the rest (echo, line editing, Ctrl-C and Ctrl-Z to the jail's foreground group).
//! No other job's terminal ever gets a key. When the job ends or stops, `settle`
//! copies what it wrote, and the terminal gets its modes from the prompt back.
//!
//! A job of several jails (a pipeline) has several pseudo-terminals; the keys go to
//! the one whose program last changed its modes (`less`, `vi`, a password prompt
//! turn echo or canonical mode off), else to the one whose standard input is the
//! terminal, else to the last. Ctrl-C, Ctrl-\ and Ctrl-Z then become signals to the
//! job's process group, as a terminal sends them to the whole foreground job; each
//! jail's shim passes them to its own terminal's foreground group.
//!
//! Keys typed ahead, which the job had not read when it ended (`make`, then the next
//! command typed while it runs; or a Ctrl-C and the next command at once), are taken
//! back from its terminal, as a terminal keeps them for whoever reads next: they go to
//! the next foreground job, or to the shell's prompt (`take_typeahead`). The relay
//! keeps a descriptor of each slave for that, and learns that a jail is over from a
//! pidfd of its shim.
//!
//! Keys typed before a job had the keyboard — taken back from an earlier job, or
//! waiting in the terminal when the relay took it (sent with the command line, as
//! `tmux send-keys 'python3' Enter 'print(1)' Enter` and expect scripts do) — were
//! echoed when they were typed, or never are on a single terminal (they came while the
//! line editor had echo off): the job's terminal takes them with its echo off
//! (`Terminal::quiet`), so that they do not show twice, once from its line discipline
//! and once from the program that reads them (python's own line editor).
//!
//! Finishing a jail's terminal is bounded (`FINISH_TIME`, `FINISH_BYTES`): what it
//! wrote before it ended is some KiB in the terminal's buffers, but its slave is an
//! ordinary descriptor that it may have handed to another jail still running, which
//! would otherwise keep the relay copying for as long as it writes, with no key
//! reaching any job, Ctrl-C included (SECURITY.md 28). After the bound the master is
//! closed: the slave is hung up, and whoever still holds it gets EIO.
//!
//! The window size is copied to every pseudo-terminal when the terminal's changes
//! (SIGWINCH, chained in front of the line editor's handler).
//!
//! Forked copies of the shell (background jobs, subshells) use the same relay: they
//! send the masters they make, and requests to pause it, on a socket; they never
//! touch the thread's state, which a fork may have copied mid-change. They close
//! their copies of the masters the thread held (`forked`): a copy would keep a master
//! the relay let go from hanging its slave up.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
use nix::unistd::Pid;

use crate::pty::{self, Shared, PAUSE, REGISTER};

/// The job whose terminal gets the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Foreground {
    /// The job's process group: the jails registered with it are its terminals.
    pub pgrp: i32,
    /// The job is one jail: every key, Ctrl-C included, goes to its terminal as is.
    /// Otherwise the signal keys signal the process group.
    pub single: bool,
    /// Ctrl-Z may stop the job (the shell waits for it with WUNTRACED). If not, the
    /// key is dropped rather than leave the shell waiting for a stopped process.
    pub stops: bool,
}

#[derive(Default)]
struct Control {
    foreground: Option<Foreground>,
    /// Requests to settle, and how many the thread has answered.
    asked: u64,
    settled: u64,
    /// Keys typed ahead and not read: for the next foreground job, or the prompt.
    typeahead: Vec<u8>,
    /// The echo modes (`ECHO_MODES` of `c_lflag`) the last jails' terminals were left
    /// in (`stty -echo`) when they were finished, each with its job's process group
    /// (the last few): for the shell's own `read`, that of the job that had the keys
    /// last ([`take_echo`]). Kept by job, whichever comes first — the terminal
    /// finished, or the job given the keys (a job may be over before the shell gets to
    /// give it the keys, its terminal finished once its shim is gone).
    echo: Vec<(i32, libc::tcflag_t)>,
    /// The process group that had the keys last, also once the shell has them back:
    /// the echo its terminal is left in counts when that terminal is finished only
    /// after the shell took the keys (its jail's end was said before its processes
    /// were gone; the next `read` echoed a password: one run in eight). Set by the
    /// shell ([`foreground`]), not by the thread once it sees the job: a job over
    /// before the thread ran (`stty -echo`, some milliseconds) was never seen (one run
    /// in thirty, with the prompt drawn 1.2 ms sooner).
    last_keyed: Option<i32>,
    /// The process group of the job that ended, with the request to settle.
    over: Option<i32>,
}

/// The local modes of echoing a jail's terminal is left in that the shell looks at.
pub const ECHO_MODES: libc::tcflag_t = libc::ECHO | libc::ECHOE | libc::ECHOK | libc::ECHONL;

/// The echo modes the last jail that had the keys left its terminal in, once.
pub fn take_echo() -> Option<libc::tcflag_t> {
    let mut c = handle()?.control.lock().unwrap_or_else(|e| e.into_inner());
    let keyed = c.last_keyed?;
    let i = c.echo.iter().rposition(|(job, _)| *job == keyed)?;
    Some(c.echo.remove(i).1)
}

/// How many terminals' echo modes are kept (`Control::echo`).
const ECHOES_KEPT: usize = 8;

struct Handle {
    /// The process that started the relay; only it may steer it.
    owner: u32,
    control: Mutex<Control>,
    answered: Condvar,
    wake: OwnedFd,
    /// The thread's state: held by the thread while it works, not while it waits
    /// (`poll`), when the shell may settle in its place ([`settle`]).
    relay: Mutex<Relay>,
}

static HANDLE: OnceLock<Handle> = OnceLock::new();

/// Start the relay for the terminal on standard input (the shell's controlling
/// terminal): from now on `pty::isolate` gives jails terminals of their own.
pub fn start() -> Result<(), Errno> {
    // A description of our own (standard input may be read-only), of the device itself
    // rather than of `/dev/tty`, so its device number identifies the terminal.
    // SAFETY: a constant path and flags; the result is checked.
    let fd = unsafe {
        libc::open(
            c"/proc/self/fd/0".as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    };
    let tty = match Errno::result(fd) {
        // SAFETY: open returned a new descriptor that only we hold.
        Ok(fd) => unsafe { OwnedFd::from_raw_fd(fd) },
        // A terminal this user may not open (`su`, `runuser`: root's): a copy of a
        // standard descriptor open to it for reading and writing, as login programs
        // leave them.
        Err(Errno::EACCES) => standard_tty()?,
        Err(errno) => return Err(errno),
    };
    // (Each of the relay's descriptors above the user's: SHELL_FDS.)
    let tty = crate::launch::high(tty);
    let rdev = nix::sys::stat::fstat(tty.as_fd())?.st_rdev;
    let (server, client) = nix::sys::socket::socketpair(
        nix::sys::socket::AddressFamily::Unix,
        nix::sys::socket::SockType::SeqPacket,
        None,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
    )?;
    let (server, client) = (crate::launch::high(server), crate::launch::high(client));
    // SAFETY: eventfd returns a new descriptor or -1.
    let wake = Errno::result(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
    // SAFETY: a new descriptor only we hold.
    let wake = crate::launch::high(unsafe { OwnedFd::from_raw_fd(wake) });
    let thread_wake = wake.try_clone().map_err(|_| Errno::EMFILE)?;
    let shared = Shared {
        tty: tty.try_clone().map_err(|_| Errno::EMFILE)?,
        rdev,
        socket: client,
    };
    if pty::SHARED.set(shared).is_err() {
        return Err(Errno::EBUSY);
    }
    WAKE_FD.store(wake.as_raw_fd(), Ordering::Relaxed);
    let relay = Relay {
        size: pty::window_size(tty.as_fd()),
        tty,
        socket: server,
        wake: thread_wake,
        ptys: Vec::new(),
        foreground: None,
        raw: None,
        pauses: Vec::new(),
        changes: 0,
        unsent: Vec::new(),
        unsent_quiet: 0,
        tty_quiet: 0,
        keyed: None,
        settled: 0,
        unbounded: std::env::var_os(UNBOUNDED_FINISH_SEAM).is_some_and(|v| v == "1"),
        copied: 0,
        hung_up: false,
        generation: 0,
        buf: vec![0u8; CHUNK],
    };
    let _ = HANDLE.set(Handle {
        owner: std::process::id(),
        control: Mutex::new(Control::default()),
        answered: Condvar::new(),
        wake,
        relay: Mutex::new(relay),
    });
    chain_sigwinch();
    let h = HANDLE.get().ok_or(Errno::EBUSY)?;
    std::thread::Builder::new()
        .name("pola-relay".into())
        .spawn(move || Relay::run(&h.relay))
        .map_err(|_| Errno::EAGAIN)?;
    Ok(())
}

/// Whether this process steers a relay (the interactive shell; not its forked copies).
pub fn steering() -> bool {
    HANDLE.get().is_some_and(|h| h.owner == std::process::id())
}

fn handle() -> Option<&'static Handle> {
    HANDLE.get().filter(|h| h.owner == std::process::id())
}

fn wake(h: &Handle) {
    let one = 1u64.to_ne_bytes();
    let _ = nix::unistd::write(h.wake.as_fd(), &one);
}

/// Give the keys to `job`'s terminals (or to nobody).
pub fn foreground(job: Option<Foreground>) {
    let Some(h) = handle() else { return };
    let mut c = h.control.lock().unwrap_or_else(|e| e.into_inner());
    c.foreground = job;
    if let Some(job) = job {
        c.last_keyed = Some(job.pgrp);
    }
    drop(c);
    wake(h);
}

/// The foreground job ended or stopped: take the keys back, copy everything the jails
/// have written so far to the terminal, and give the terminal its modes from the
/// prompt; return when that is done. `over`: the process group of a job that ended,
/// whose jails reported their ends (`launch::Jail::wait_end_or_stop`) and are
/// finished now, their shims' exits still to come.
pub fn settle(over: Option<i32>) {
    let Some(h) = handle() else { return };
    let mut c = h.control.lock().unwrap_or_else(|e| e.into_inner());
    c.foreground = None;
    c.over = over;
    c.asked += 1;
    let asked = c.asked;
    drop(c);
    // The thread waiting in `poll` with nothing sent to it, and the terminal taking
    // output, the shell settles itself: waking the thread and waiting for its answer
    // took 0.25 ms here (an idle CPU woken), from every foreground job's end to the
    // next prompt or command. The thread, woken too, then waits on what is left.
    // Otherwise the thread settles, as before: busy; held (a question asked); a
    // terminal or a pause sent that it has not taken yet (`wc`'s, of `history 1 | wc
    // -l`: its output came after the prompt, one run in 300 of the tests); the
    // terminal not taking output (stopped with ^S: a write to it waits, and the shell
    // must not).
    if let Ok(mut relay) = h.relay.try_lock() {
        if !readable(relay.socket.as_fd()) && writable(relay.tty.as_fd()) {
            relay.generation = relay.generation.wrapping_add(1);
            let mut buf = std::mem::take(&mut relay.buf);
            relay.answer_settle(&mut buf);
            relay.buf = buf;
        }
    }
    wake(h);
    let c = h.control.lock().unwrap_or_else(|e| e.into_inner());
    // A terminal that does not take output (stopped with ^S) must not hang the shell.
    let _ = h
        .answered
        .wait_timeout_while(c, Duration::from_secs(3), |c| c.settled < asked);
}

/// Keys typed ahead that no job read, for the prompt.
pub fn take_typeahead() -> Vec<u8> {
    match handle() {
        Some(h) => std::mem::take(
            &mut h
                .control
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .typeahead,
        ),
        None => Vec::new(),
    }
}

/// Keys typed ahead that the prompt did not use (the lines after the one it runs):
/// for the next foreground job, as a terminal keeps them for whoever reads next, or the
/// next prompt.
pub fn give_back_typeahead(keys: &[u8]) {
    if keys.is_empty() {
        return;
    }
    if let Some(h) = handle() {
        let mut c = h.control.lock().unwrap_or_else(|e| e.into_inner());
        let later = std::mem::take(&mut c.typeahead);
        c.typeahead = keys.to_vec();
        c.typeahead.extend(later);
    }
}

/// The process group of the last job the user's interrupt key (Ctrl-C) was sent to.
static INTERRUPT_TYPED: AtomicI32 = AtomicI32::new(0);

/// Whether the user typed Ctrl-C to the job of process group `pgrp` (then forgotten): a
/// job that ended with 130 by its own choice was not interrupted by the user (review: a
/// jail's `exit(130)` stopped the rest of the user's line, as bash's would not).
pub fn interrupt_typed(pgrp: i32) -> bool {
    INTERRUPT_TYPED
        .compare_exchange(pgrp, 0, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
}

/// Keys typed ahead that a question of the shell's did not take as its answer (typed
/// before it was shown): after those kept already, for the next job or prompt.
pub fn keep_typeahead(keys: &[u8]) {
    if keys.is_empty() {
        return;
    }
    if let Some(h) = handle() {
        let mut c = h.control.lock().unwrap_or_else(|e| e.into_inner());
        c.typeahead.extend_from_slice(keys);
    }
}

/// The descriptor the SIGWINCH handler writes to, and the handler it replaced.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);
static PREVIOUS_WINCH: AtomicUsize = AtomicUsize::new(libc::SIG_DFL);

extern "C" fn on_sigwinch(sig: libc::c_int) {
    let fd = WAKE_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        let one = 1u64.to_ne_bytes();
        // SAFETY: write is async-signal-safe; the buffer lives across the call.
        unsafe { libc::write(fd, one.as_ptr().cast(), one.len()) };
    }
    let previous = PREVIOUS_WINCH.load(Ordering::Relaxed);
    if previous != libc::SIG_DFL && previous != libc::SIG_IGN {
        // SAFETY: `previous` is the plain handler that was installed for SIGWINCH (we
        // only chain to handlers installed without SA_SIGINFO).
        let handler: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(previous) };
        handler(sig);
    }
}

/// Be told of window size changes, and still tell the handler installed before us
/// (the line editor's).
fn chain_sigwinch() {
    // SAFETY: sigaction with null new action only reads the current one.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    if unsafe { libc::sigaction(libc::SIGWINCH, std::ptr::null(), &mut old) } != 0 {
        return;
    }
    if old.sa_flags & libc::SA_SIGINFO != 0 {
        return;
    }
    PREVIOUS_WINCH.store(old.sa_sigaction, Ordering::Relaxed);
    let mut new = old;
    new.sa_sigaction = on_sigwinch as extern "C" fn(libc::c_int) as usize;
    // SAFETY: the handler only writes to a descriptor and calls the previous handler.
    unsafe { libc::sigaction(libc::SIGWINCH, &new, std::ptr::null_mut()) };
}

/// The masters the relay thread holds (-1: a free slot), for forked copies of the
/// shell to close. Only the thread writes; a slot array, since a fork may copy a lock
/// held.
static MASTERS: [AtomicI32; 256] = [const { AtomicI32::new(-1) }; 256];

fn hold_master(fd: RawFd) {
    for slot in &MASTERS {
        if slot
            .compare_exchange(-1, fd, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
    }
}

/// In a forked copy of the shell: close the copies of the relay thread's masters
/// (the thread is not copied; its descriptors are).
pub fn forked() {
    for slot in &MASTERS {
        let fd = slot.swap(-1, Ordering::SeqCst);
        if fd >= 0 {
            // SAFETY: a copy of a descriptor only the relay thread, absent here, used.
            unsafe { libc::close(fd) };
        }
    }
}

/// One jail's pseudo-terminal.
struct Terminal {
    master: OwnedFd,
    /// A descriptor of the slave, to take back keys the jail did not read; it also
    /// keeps the master from hanging up, so the jail's end is known from `ended`.
    slave: Option<OwnedFd>,
    /// A pidfd of the jail's shim: readable once the jail is over.
    ended: Option<OwnedFd>,
    pgrp: i32,
    stdin: bool,
    /// Its modes when last looked at (None: as it was made).
    modes: Option<libc::termios>,
    /// When its modes last changed (0: never), in `Relay::changes` ticks.
    changed: u64,
    /// Keys not yet taken by the master (it was full).
    pending: Vec<u8>,
    /// How many of the first `pending` keys were typed before the job had the
    /// keyboard: its terminal takes them without echoing them (`write_quietly`).
    quiet: usize,
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // Forgotten before it is closed: a fork meanwhile at worst keeps a copy.
        let fd = self.master.as_raw_fd();
        for slot in &MASTERS {
            let _ = slot.compare_exchange(fd, -1, Ordering::SeqCst, Ordering::SeqCst);
        }
    }
}

struct Relay {
    tty: OwnedFd,
    socket: OwnedFd,
    wake: OwnedFd,
    ptys: Vec<Terminal>,
    foreground: Option<Foreground>,
    /// While the terminal is raw: its modes from before.
    raw: Option<libc::termios>,
    /// The pauses held now (`crate::terminal`'s questions).
    pauses: Vec<Held>,
    changes: u64,
    /// Keys typed for the foreground job before any of its terminals arrived.
    unsent: Vec<u8>,
    /// How many of the first `unsent` keys were typed before the job had the keyboard.
    unsent_quiet: usize,
    /// How many keys were waiting in the terminal when it was made raw for a job:
    /// typed before the job had the keyboard.
    tty_quiet: usize,
    /// The process group the keys went to last (its terminals' unread keys are
    /// typeahead).
    keyed: Option<i32>,
    settled: u64,
    size: Option<libc::winsize>,
    /// The test seam is set: finish as before the bound.
    unbounded: bool,
    /// Bytes copied to the terminal so far.
    copied: usize,
    /// The terminal hung up (its window closed): not read again.
    hung_up: bool,
    /// Changed whenever the shell changed this state while the thread waited: what the
    /// thread's `poll` found is then for descriptors and places that may be gone.
    generation: u64,
    /// The buffer of whoever holds this state (the thread, or the shell settling).
    buf: Vec<u8>,
}

/// A pause: the descriptor its holder keeps (it ends when that closes), the one the
/// relay answers on, and the job whose question it is (`None`: the shell's own).
struct Held {
    hold: OwnedFd,
    ack: OwnedFd,
    job: Option<i32>,
    withdrawn: bool,
}

/// How long an ended jail's terminal is still copied, and how much of it (what it
/// wrote last is at most the line discipline's 4 KiB and 64 KiB queued for it).
const FINISH_TIME: Duration = Duration::from_millis(250);
const FINISH_BYTES: usize = 256 * 1024;

/// Test seam (documented in the security tests): `POLA_TEST_UNBOUNDED_FINISH=1` copies
/// an ended jail's terminal until nothing is left, as before the bound.
const UNBOUNDED_FINISH_SEAM: &str = "POLA_TEST_UNBOUNDED_FINISH";

enum Slot {
    Wake,
    Socket,
    Tty,
    Pty(usize),
    Ended(usize),
    Pause(usize),
}

const CHUNK: usize = 64 * 1024;

impl Relay {
    fn run(state: &Mutex<Relay>) {
        let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let (slots, mut fds, generation) = lock().to_poll();
            // SAFETY: `fds` is a valid array of pollfd for the call's duration.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
            if n < 0 {
                continue;
            }
            let mut relay = lock();
            // The shell settled meanwhile: look again (what was ready still is).
            if relay.generation != generation {
                continue;
            }
            let mut buf = std::mem::take(&mut relay.buf);
            relay.serve(&slots, &fds, &mut buf);
            relay.buf = buf;
        }
    }

    /// Whether the keys go to a job now (the terminal raw): one has them, and no
    /// question holds them (nor one that just came, `new_pauses`).
    fn keyed_now(&self, new_pauses: &[Held]) -> bool {
        self.foreground.is_some() && self.pauses.is_empty() && new_pauses.is_empty()
    }

    /// What to wait for: the descriptors, what each one is, and this state's generation.
    fn to_poll(&self) -> (Vec<Slot>, Vec<libc::pollfd>, u64) {
        let reading = self.foreground.is_some() && self.pauses.is_empty() && !self.hung_up;
        let mut slots = vec![Slot::Wake, Slot::Socket];
        let mut fds = vec![
            pollfd(self.wake.as_raw_fd(), libc::POLLIN),
            pollfd(self.socket.as_raw_fd(), libc::POLLIN),
        ];
        if reading {
            slots.push(Slot::Tty);
            fds.push(pollfd(self.tty.as_raw_fd(), libc::POLLIN));
        }
        // While a question is on the terminal, no jail's output is copied to it (nor
        // looked at: a hung-up master would wake the poll at once): a background job's
        // `\r\e[2K` erased the question and printed its own (review). It waits in its
        // terminal until the answer.
        let ptys: &[Terminal] = match self.pauses.is_empty() {
            true => &self.ptys,
            false => &[],
        };
        for (i, p) in ptys.iter().enumerate() {
            let out = if p.pending.is_empty() {
                0
            } else {
                libc::POLLOUT
            };
            slots.push(Slot::Pty(i));
            fds.push(pollfd(p.master.as_raw_fd(), libc::POLLIN | out));
            if let Some(ended) = &p.ended {
                slots.push(Slot::Ended(i));
                fds.push(pollfd(ended.as_raw_fd(), libc::POLLIN));
            }
        }
        for (i, h) in self.pauses.iter().enumerate() {
            slots.push(Slot::Pause(i));
            fds.push(pollfd(h.hold.as_raw_fd(), 0));
        }
        (slots, fds, self.generation)
    }

    /// Do what `poll` found ready.
    fn serve(&mut self, slots: &[Slot], fds: &[libc::pollfd], buf: &mut [u8]) {
        let mut gone = Vec::new();
        let mut paused_ended = Vec::new();
        let mut new_pauses = Vec::new();
        let mut keys: Option<Vec<u8>> = None;
        let ready = || slots.iter().zip(fds).filter(|(_, fd)| fd.revents != 0);
        for (slot, _) in ready() {
            match slot {
                Slot::Wake => self.controlled(),
                Slot::Socket => self.receive(&mut new_pauses),
                _ => {}
            }
        }
        // The terminal raw before a jail's output is copied to it, when the job that
        // wrote it was just given the keys.
        self.set_raw(self.keyed_now(&new_pauses));
        for (slot, fd) in ready() {
            match slot {
                Slot::Wake | Slot::Socket => {}
                Slot::Tty if fd.revents & libc::POLLHUP != 0 => self.hang_up(),
                Slot::Tty => keys = self.read_keys(buf),
                Slot::Pty(i) => {
                    if fd.revents & libc::POLLOUT != 0 {
                        self.flush_pending(*i);
                    }
                    if fd.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0
                        && !self.copy_out(*i, buf)
                    {
                        gone.push(*i);
                    }
                }
                Slot::Ended(i) => gone.push(*i),
                Slot::Pause(i) => paused_ended.push(*i),
            }
        }
        gone.sort_unstable();
        gone.dedup();
        for i in gone.into_iter().rev() {
            self.finish(i, buf);
        }
        for i in paused_ended.into_iter().rev() {
            self.pauses.remove(i);
        }
        if let Some(keys) = keys {
            let quiet = self.tty_quiet.min(keys.len());
            self.tty_quiet -= quiet;
            self.route(&keys[..quiet], true);
            self.route(&keys[quiet..], false);
        }
        self.answer_settle(buf);
        self.set_raw(self.keyed_now(&new_pauses));
        for held in new_pauses {
            let _ = nix::unistd::write(held.ack.as_fd(), &[pty::PAUSED]);
            self.pauses.push(held);
        }
    }

    /// The shell changed the foreground job, asked to settle, or the window changed.
    fn controlled(&mut self) {
        let mut count = [0u8; 8];
        let _ = nix::unistd::read(self.wake.as_fd(), &mut count);
        let Some(h) = HANDLE.get() else { return };
        let mut c = h.control.lock().unwrap_or_else(|e| e.into_inner());
        if c.foreground != self.foreground {
            self.foreground = c.foreground;
            self.withdraw_questions();
            // Keys typed for a job that never got a terminal are typeahead too.
            let unsent = std::mem::take(&mut self.unsent);
            self.unsent_quiet = 0;
            c.typeahead.extend(unsent);
            if let Some(job) = self.foreground {
                // Keys typed ahead go to the next job that reads, as on a terminal.
                self.keyed = Some(job.pgrp);
                let keys = std::mem::take(&mut c.typeahead);
                drop(c);
                self.deliver_keys(job.pgrp, keys);
            }
        }
        let size = pty::window_size(self.tty.as_fd());
        if size.map(|s| (s.ws_row, s.ws_col)) != self.size.map(|s| (s.ws_row, s.ws_col)) {
            self.size = size;
            if let Some(size) = &self.size {
                for p in &self.ptys {
                    pty::set_window_size(p.master.as_fd(), size);
                }
            }
        }
    }

    /// A master from a copy of the shell, or a request to pause.
    fn receive(&mut self, new_pauses: &mut Vec<Held>) {
        let mut bytes = [0u8; 16];
        let mut space = nix::cmsg_space!([RawFd; 2]);
        let (len, mut fds) = {
            let mut iov = [std::io::IoSliceMut::new(&mut bytes)];
            let Ok(msg) = recvmsg::<()>(
                self.socket.as_raw_fd(),
                &mut iov,
                Some(&mut space),
                MsgFlags::MSG_CMSG_CLOEXEC | MsgFlags::MSG_DONTWAIT,
            ) else {
                return;
            };
            let mut fds = Vec::new();
            if let Ok(cmsgs) = msg.cmsgs() {
                for cmsg in cmsgs {
                    if let ControlMessageOwned::ScmRights(raw) = cmsg {
                        // SAFETY: SCM_RIGHTS installed these descriptors here just now.
                        fds.extend(
                            raw.into_iter()
                                .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
                        );
                    }
                }
            }
            (msg.bytes, fds)
        };
        match (&bytes[..len], fds.len()) {
            ([REGISTER, a, b, c, d, stdin], 1 | 2) => {
                let ended = (fds.len() == 2).then(|| fds.remove(1));
                let master = fds.remove(0);
                let pgrp = i32::from_le_bytes([*a, *b, *c, *d]);
                if let Some(size) = &self.size {
                    pty::set_window_size(master.as_fd(), size);
                }
                let slave = ended.as_ref().and_then(|_| peer(master.as_fd()));
                hold_master(master.as_raw_fd());
                let mut p = Terminal {
                    master,
                    ended: slave.as_ref().and(ended),
                    slave,
                    pgrp,
                    stdin: *stdin != 0,
                    modes: None,
                    changed: 0,
                    pending: Vec::new(),
                    quiet: 0,
                };
                if self.foreground.is_some_and(|f| f.pgrp == pgrp) {
                    p.pending = std::mem::take(&mut self.unsent);
                    p.quiet = std::mem::take(&mut self.unsent_quiet);
                }
                self.ptys.push(p);
            }
            ([PAUSE, job @ ..], 2) if job.is_empty() || job.len() == 4 => {
                let ack = fds.remove(1);
                let hold = fds.remove(0);
                let job = <[u8; 4]>::try_from(job).ok().map(i32::from_le_bytes);
                // A jail's question is asked only while its job has the keys.
                if job.is_some_and(|j| self.foreground.map(|f| f.pgrp) != Some(j)) {
                    let _ = nix::unistd::write(ack.as_fd(), &[pty::NOT_NOW]);
                    return;
                }
                new_pauses.push(Held {
                    hold,
                    ack,
                    job,
                    withdrawn: false,
                });
            }
            _ => {}
        }
    }

    /// Copy what a jail wrote to the terminal; false once its terminal is closed.
    ///
    /// A read of a master returns at most the line discipline's 4 KiB, so reads are
    /// gathered into `buf` and written to the terminal together, and a busy jail is
    /// read up to a few buffers in a row before the others get their turn.
    fn copy_out(&mut self, i: usize, buf: &mut [u8]) -> bool {
        for _ in 0..4 {
            let mut filled = 0;
            let open = loop {
                match nix::unistd::read(self.ptys[i].master.as_fd(), &mut buf[filled..]) {
                    Ok(0) => break false,
                    Ok(n) => {
                        filled += n;
                        if filled == buf.len() {
                            break true;
                        }
                    }
                    Err(Errno::EINTR) => continue,
                    Err(Errno::EAGAIN) => {
                        self.write_out(&mut buf[..filled]);
                        return true;
                    }
                    // EIO: every descriptor of the slave is closed and nothing is left.
                    Err(_) => break false,
                }
            };
            self.write_out(&mut buf[..filled]);
            if !open {
                return false;
            }
        }
        true
    }

    /// Write `out`, a jail's output, to the terminal (its line ends as the terminal
    /// should be given them: `line_ends`), and count it.
    fn write_out(&mut self, out: &mut [u8]) {
        let len = self.line_ends(out);
        write_all(self.tty.as_fd(), &out[..len]);
        self.copied = self.copied.wrapping_add(len);
    }

    /// `out`, a jail's output, as the terminal should be given it; returns its length.
    /// The jail's own terminal made its line ends (`\n` to `\r\n`, `onlcr`). While the
    /// terminal is not raw — a quick job's output copied before or after it had the
    /// keys, a background job's at the prompt, during a question — it makes them
    /// again: `a\r\r\n` (one interactive command in four, new-user trial). Then
    /// the `\r` of each `\r\n` is left to it.
    fn line_ends(&self, out: &mut [u8]) -> usize {
        if self.raw.is_some() || !out.contains(&b'\n') {
            return out.len();
        }
        let Some(modes) = termios(self.tty.as_fd()) else {
            return out.len();
        };
        if modes.c_oflag & libc::OPOST == 0 || modes.c_oflag & libc::ONLCR == 0 {
            return out.len();
        }
        let mut kept = 0;
        for i in 0..out.len() {
            if out[i] == b'\r' && out.get(i + 1) == Some(&b'\n') {
                continue;
            }
            out[kept] = out[i];
            kept += 1;
        }
        kept
    }

    /// A jail is over: show the rest of what it wrote, take back the keys it did not
    /// read (if they were typed for its job), and let its terminal go.
    fn finish(&mut self, i: usize, buf: &mut [u8]) {
        // What is there, within bounds: with our slave open the master never hangs up,
        // and another jail holding the slave may keep writing.
        let until = Instant::now() + FINISH_TIME;
        let start = self.copied;
        while self.copy_out(i, buf) {
            if self.unbounded {
                if readable(self.ptys[i].master.as_fd()) {
                    continue;
                }
                break;
            }
            if self.copied - start >= FINISH_BYTES || Instant::now() >= until {
                break;
            }
            // Nothing is on its way: the jail's processes are gone, and a poll (like a
            // read) of the master first moves what they wrote to its line discipline
            // (n_tty's poll and read flush the pty's buffer; a wait of 10 ms here cost
            // every interactive command 10 ms and never found more).
            if !readable(self.ptys[i].master.as_fd()) {
                break;
            }
        }
        // Dropping the master hangs the slave up for whoever still holds it.
        let mut p = self.ptys.remove(i);
        if let Some(h) = HANDLE.get() {
            let mut c = h.control.lock().unwrap_or_else(|e| e.into_inner());
            // `stty -echo; read pw`: the echo it set holds for what comes next, as on
            // a terminal of its own.
            if let Some(modes) = termios(p.master.as_fd()) {
                if c.echo.len() >= ECHOES_KEPT {
                    c.echo.remove(0);
                }
                c.echo.push((p.pgrp, modes.c_lflag & ECHO_MODES));
            }
        }
        if self.keyed == Some(p.pgrp) {
            let mut keys = unread(&p);
            keys.extend(std::mem::take(&mut p.pending));
            if !keys.is_empty() {
                if let Some(h) = HANDLE.get() {
                    h.control
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .typeahead
                        .extend(keys);
                }
            }
        }
    }

    /// Keys for `pgrp`'s terminals (typeahead from before it started).
    fn deliver_keys(&mut self, pgrp: i32, keys: Vec<u8>) {
        if keys.is_empty() {
            return;
        }
        let holder = self.holder(pgrp);
        self.deliver(holder, keys, true);
    }

    /// The terminal hung up (its window was closed) while jobs had it: each job's
    /// terminal says so to its job, as the closed one said it to the processes in
    /// the terminal's foreground — here the jail's supervisor, not its command, which
    /// is on a terminal of its own. Without it the command (an unsaved `vim`) ran on,
    /// and the shell waited for it, for good (new-user trial).
    fn hang_up(&mut self) {
        self.hung_up = true;
        for p in &self.ptys {
            // (TIOCSIG takes only SIGINT, SIGQUIT and SIGTSTP.) The group in the
            // terminal's foreground, as this process's PID namespace numbers it.
            let mut pgrp: libc::pid_t = 0;
            // SAFETY: TIOCGPGRP writes one pid_t; on a master it is the slave's group.
            let got = unsafe { libc::ioctl(p.master.as_raw_fd(), libc::TIOCGPGRP, &mut pgrp) };
            if got == 0 && pgrp > 1 {
                // SAFETY: kill takes plain integers; as the kernel does on a hang-up,
                // SIGCONT after it for a group that is stopped.
                unsafe {
                    libc::kill(-pgrp, libc::SIGHUP);
                    libc::kill(-pgrp, libc::SIGCONT);
                }
            }
        }
    }

    /// Keys typed; None if the terminal cannot be read (not ours to read).
    fn read_keys(&mut self, buf: &mut [u8]) -> Option<Vec<u8>> {
        match nix::unistd::read(self.tty.as_fd(), buf) {
            Ok(n) if n > 0 => Some(buf[..n].to_vec()),
            Ok(_) => None,
            Err(Errno::EINTR | Errno::EAGAIN) => None,
            Err(_) => {
                // EIO: the shell is not in the terminal's foreground (a `!!` job took
                // it): read nothing until the shell steers again.
                self.foreground = None;
                None
            }
        }
    }

    /// Send typed keys to the foreground job (`quiet`: typed before it had the
    /// keyboard).
    fn route(&mut self, keys: &[u8], quiet: bool) {
        if keys.is_empty() {
            return;
        }
        let Some(job) = self.foreground else {
            // Read just as the shell took the keyboard back (the job ended in the same
            // wake-up): the shell's prompt reads them next.
            if let Some(h) = HANDLE.get() {
                let mut c = h.control.lock().unwrap_or_else(|e| e.into_inner());
                if c.typeahead.len() < 4096 {
                    c.typeahead.extend_from_slice(keys);
                }
            }
            return;
        };
        let holder = self.holder(job.pgrp);
        let terminals = self.ptys.iter().filter(|p| p.pgrp == job.pgrp).count();
        if job.single && terminals == 1 && job.stops {
            // Its terminal turns the interrupt key into SIGINT: noted as typed.
            let modes = holder.and_then(|i| termios(self.ptys[i].master.as_fd()));
            let interrupt = |k: &u8| modes.and_then(|m| signal_of(&m, *k)) == Some(Signal::SIGINT);
            if keys.iter().any(interrupt) {
                INTERRUPT_TYPED.store(job.pgrp, Ordering::SeqCst);
            }
            self.deliver(holder, keys.to_vec(), quiet);
            return;
        }
        // Several terminals (or none yet): the signal keys signal the whole job.
        let modes = holder
            .and_then(|i| termios(self.ptys[i].master.as_fd()))
            .or(self.raw);
        let mut data = Vec::with_capacity(keys.len());
        for &key in keys {
            match modes.and_then(|m| signal_of(&m, key)) {
                Some(sig) => {
                    if sig == Signal::SIGINT {
                        INTERRUPT_TYPED.store(job.pgrp, Ordering::SeqCst);
                    }
                    // As a terminal does: what was typed before the key is dropped.
                    data.clear();
                    self.flush_input(job.pgrp);
                    if sig != Signal::SIGTSTP || job.stops {
                        let _ = kill(Pid::from_raw(-job.pgrp), sig);
                    }
                }
                None => data.push(key),
            }
        }
        self.deliver(holder, data, quiet);
    }

    fn deliver(&mut self, holder: Option<usize>, data: Vec<u8>, quiet: bool) {
        if data.is_empty() {
            return;
        }
        match holder {
            Some(i) => {
                let p = &mut self.ptys[i];
                queue(&mut p.pending, &mut p.quiet, &data, quiet);
                self.flush_pending(i);
            }
            None if self.unsent.len() < 4096 => {
                queue(&mut self.unsent, &mut self.unsent_quiet, &data, quiet)
            }
            None => {}
        }
    }

    /// Which of `pgrp`'s terminals gets the keys: the one whose modes changed last,
    /// else the one that is its jail's standard input, else the last one.
    fn holder(&mut self, pgrp: i32) -> Option<usize> {
        // Terminals start with the terminal's modes from the prompt: those it has when
        // not raw, or had before.
        let made = self.raw.or_else(|| termios(self.tty.as_fd()));
        for p in self.ptys.iter_mut().filter(|p| p.pgrp == pgrp) {
            let now = termios(p.master.as_fd());
            let before = p.modes.or(made);
            if now.is_some() && !same_modes(now.as_ref(), before.as_ref()) {
                self.changes += 1;
                p.changed = self.changes;
            }
            p.modes = now;
        }
        let mine = || self.ptys.iter().enumerate().filter(|(_, p)| p.pgrp == pgrp);
        mine()
            .filter(|(_, p)| p.changed > 0)
            .max_by_key(|(_, p)| p.changed)
            .or_else(|| mine().find(|(_, p)| p.stdin))
            .or_else(|| mine().next_back())
            .map(|(i, _)| i)
    }

    /// Drop the keys `pgrp`'s terminals have not read yet.
    fn flush_input(&mut self, pgrp: i32) {
        self.unsent.clear();
        self.unsent_quiet = 0;
        for p in self.ptys.iter_mut().filter(|p| p.pgrp == pgrp) {
            p.pending.clear();
            p.quiet = 0;
            if let Some(slave) = &p.slave {
                // SAFETY: tcflush on a descriptor we own.
                unsafe { libc::tcflush(slave.as_raw_fd(), libc::TCIFLUSH) };
            }
        }
    }

    fn flush_pending(&mut self, i: usize) {
        let p = &mut self.ptys[i];
        if p.quiet > 0 && !write_quietly(p) {
            return;
        }
        write_pending(p, p.pending.len());
    }

    /// The shell waits for `settle`: copy out everything written so far.
    fn answer_settle(&mut self, buf: &mut [u8]) {
        let Some(h) = HANDLE.get() else { return };
        let asked = h.control.lock().unwrap_or_else(|e| e.into_inner()).asked;
        if asked == self.settled {
            return;
        }
        self.foreground = None;
        // A question of the job is withdrawn before the prompt comes back.
        self.withdraw_questions();
        if self.pauses.iter().any(|p| p.job.is_some()) {
            return;
        }
        // The jails that are over (the job's, if it ended) first: their unread keys.
        let over = h
            .control
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .over
            .take();
        let mut i = self.ptys.len();
        while i > 0 {
            i -= 1;
            let p = &self.ptys[i];
            if Some(p.pgrp) == over || p.ended.as_ref().is_some_and(|e| readable(e.as_fd())) {
                self.finish(i, buf);
            }
        }
        // A job that stopped keeps its unread keys for when it comes back.
        self.keyed = None;
        let mut i = 0;
        while i < self.ptys.len() {
            if self.copy_out(i, buf) {
                i += 1;
            } else {
                self.ptys.remove(i);
            }
        }
        self.set_raw(false);
        self.settled = asked;
        self.unsent_quiet = 0;
        let unsent = std::mem::take(&mut self.unsent);
        let mut c = h.control.lock().unwrap_or_else(|e| e.into_inner());
        c.typeahead.extend(unsent);
        c.settled = asked;
        h.answered.notify_all();
    }

    /// Tell the questions of jobs that no longer have the keys to stop reading them.
    fn withdraw_questions(&mut self) {
        let now = self.foreground.map(|f| f.pgrp);
        for p in &mut self.pauses {
            if p.job.is_some() && p.job != now && !p.withdrawn {
                let _ = nix::unistd::write(p.ack.as_fd(), &[pty::WITHDRAWN]);
                p.withdrawn = true;
            }
        }
    }

    /// Raw mode while the relay reads the keys; the modes from before otherwise.
    fn set_raw(&mut self, on: bool) {
        let fd = self.tty.as_raw_fd();
        match (on, self.raw) {
            (true, None) => {
                // SAFETY: tcgetattr/tcsetattr read and write the struct we own.
                let mut modes: libc::termios = unsafe { std::mem::zeroed() };
                if unsafe { libc::tcgetattr(fd, &mut modes) } != 0 {
                    return;
                }
                let mut raw = modes;
                unsafe { libc::cfmakeraw(&mut raw) };
                if unsafe { libc::tcsetattr(fd, libc::TCSADRAIN, &raw) } == 0 {
                    self.raw = Some(modes);
                    // What the terminal holds now was typed before the job had it.
                    let mut waiting: libc::c_int = 0;
                    // SAFETY: FIONREAD writes one int.
                    if unsafe { libc::ioctl(fd, libc::FIONREAD, &mut waiting) } == 0 {
                        self.tty_quiet = waiting.max(0) as usize;
                    }
                }
            }
            (false, Some(modes)) => {
                // SAFETY: as above.
                unsafe { libc::tcsetattr(fd, libc::TCSADRAIN, &modes) };
                self.raw = None;
                self.tty_quiet = 0;
            }
            _ => {}
        }
    }
}

/// A copy of the first of the standard descriptors that is open for reading and
/// writing to the terminal standard input is on.
fn standard_tty() -> Result<OwnedFd, Errno> {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    let stdin = nix::sys::stat::fstat(std::io::stdin().as_fd())?.st_rdev;
    for fd in [
        std::io::stdin().as_fd(),
        std::io::stdout().as_fd(),
        std::io::stderr().as_fd(),
    ] {
        let rdwr = fcntl(fd, FcntlArg::F_GETFL)
            .is_ok_and(|f| OFlag::from_bits_truncate(f) & OFlag::O_ACCMODE == OFlag::O_RDWR);
        let same = nix::sys::stat::fstat(fd).is_ok_and(|st| st.st_rdev == stdin);
        if rdwr && same && nix::unistd::isatty(fd).unwrap_or(false) {
            return fd.try_clone_to_owned().map_err(|_| Errno::EMFILE);
        }
    }
    Err(Errno::EACCES)
}

/// A descriptor of a master's slave (non-blocking), opened from the master.
fn peer(master: BorrowedFd<'_>) -> Option<OwnedFd> {
    let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_NONBLOCK | libc::O_CLOEXEC;
    // SAFETY: TIOCGPTPEER takes open flags and returns a new descriptor or -1.
    let fd = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCGPTPEER, flags) };
    // SAFETY: a new descriptor only we hold.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Keys a finished jail's terminal holds unread, if it was left in canonical mode (a
/// program that read keys raw leaves nothing that reads as a command line): as text,
/// control characters other than tab and line ends left out.
fn unread(p: &Terminal) -> Vec<u8> {
    let Some(slave) = &p.slave else {
        return Vec::new();
    };
    let Some(mut modes) = termios(slave.as_fd()) else {
        return Vec::new();
    };
    if modes.c_lflag & libc::ICANON == 0 {
        return Vec::new();
    }
    let mut keys = Vec::new();
    let mut buf = [0u8; 4096];
    // The whole lines first, in canonical mode: a read that finds nothing more makes
    // the line discipline take in what is still queued, edited as it was typed.
    while let Ok(n @ 1..) = nix::unistd::read(slave.as_fd(), &mut buf) {
        keys.extend_from_slice(&buf[..n]);
    }
    // Then out of canonical mode, where the unfinished line is readable too.
    modes.c_lflag &= !libc::ICANON;
    modes.c_cc[libc::VMIN] = 0;
    modes.c_cc[libc::VTIME] = 0;
    // SAFETY: tcsetattr reads the struct; the descriptor is ours.
    if unsafe { libc::tcsetattr(slave.as_raw_fd(), libc::TCSANOW, &modes) } == 0 {
        while let Ok(n @ 1..) = nix::unistd::read(slave.as_fd(), &mut buf) {
            keys.extend_from_slice(&buf[..n]);
        }
    }
    keys.retain(|b| *b >= 0x20 && *b != 0x7f || matches!(b, b'\t' | b'\r' | b'\n'));
    keys
}

/// Whether `fd` takes output now (a terminal stopped with ^S does not).
fn writable(fd: BorrowedFd<'_>) -> bool {
    ready_now(fd, libc::POLLOUT)
}

/// Whether `fd` is readable now.
fn readable(fd: BorrowedFd<'_>) -> bool {
    ready_now(fd, libc::POLLIN)
}

/// Whether `fd` is ready for `event` now, without waiting.
fn ready_now(fd: BorrowedFd<'_>, event: libc::c_short) -> bool {
    let mut fds = [pollfd(fd.as_raw_fd(), event)];
    // SAFETY: a valid one-element pollfd array.
    unsafe { libc::poll(fds.as_mut_ptr(), 1, 0) > 0 && fds[0].revents & event != 0 }
}

fn pollfd(fd: RawFd, events: libc::c_short) -> libc::pollfd {
    libc::pollfd {
        fd,
        events,
        revents: 0,
    }
}

/// Add keys to a queue (`pending`, `unsent`), counting them in `quiet` (the keys at
/// its front typed before the job had the keyboard) when they are such keys and so are
/// all before them: quiet keys after others that are not would be echoed out of turn.
fn queue(keys: &mut Vec<u8>, quiet: &mut usize, data: &[u8], are_quiet: bool) {
    if are_quiet && *quiet == keys.len() {
        *quiet += data.len();
    }
    keys.extend_from_slice(data);
}

/// Write the first `n` of a terminal's `pending` keys to its master (and count them
/// off its quiet ones); false if the master took only part of them (it is full: the
/// rest waits for POLLOUT). A master that fails otherwise drops them all.
fn write_pending(p: &mut Terminal, n: usize) -> bool {
    let mut left = n;
    while left > 0 {
        match nix::unistd::write(p.master.as_fd(), &p.pending[..left]) {
            Ok(k) => {
                p.pending.drain(..k);
                p.quiet = p.quiet.saturating_sub(k);
                left -= k;
            }
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => return false,
            Err(_) => {
                p.pending.clear();
                p.quiet = 0;
                return true;
            }
        }
    }
    true
}

/// Write a terminal's quiet keys (the first `quiet` of `pending`) with its echo off,
/// then turn it on again unless the program changed the modes meanwhile. False if the
/// master took only part of them (it is full: the rest waits for POLLOUT).
fn write_quietly(p: &mut Terminal) -> bool {
    let master = p.master.as_raw_fd();
    let echoing = libc::ECHO | libc::ECHONL;
    let modes = termios(p.master.as_fd()).filter(|m| m.c_lflag & echoing != 0);
    let quieted = modes.map(|m| libc::termios {
        c_lflag: m.c_lflag & !echoing,
        ..m
    });
    // A slave is what makes the line discipline take the keys at once (below); with
    // none, the keys are written as they are.
    let quieted = quieted.filter(|q| {
        // SAFETY: tcsetattr reads the struct; on a master it sets the slave's modes.
        p.slave.is_some() && unsafe { libc::tcsetattr(master, libc::TCSANOW, q) } == 0
    });
    let all = write_pending(p, p.quiet);
    if let (Some(modes), Some(quieted), Some(slave)) = (modes, quieted, &p.slave) {
        // The pty hands what the master wrote to the slave's line discipline from a
        // work queue; a poll of the slave with no line to read runs that work now, so
        // the keys are taken (and not echoed) before the echo is back.
        let _ = readable(slave.as_fd());
        let now = termios(p.master.as_fd());
        if now.is_some_and(|n| n.c_lflag == quieted.c_lflag && same_modes(Some(&n), Some(&quieted)))
        {
            // SAFETY: as above.
            unsafe { libc::tcsetattr(master, libc::TCSANOW, &modes) };
        }
    }
    all
}

fn termios(fd: BorrowedFd<'_>) -> Option<libc::termios> {
    // SAFETY: tcgetattr writes into the struct; on a master it reads the slave's modes.
    let mut modes: libc::termios = unsafe { std::mem::zeroed() };
    (unsafe { libc::tcgetattr(fd.as_raw_fd(), &mut modes) } == 0).then_some(modes)
}

/// Whether a program changed a terminal's modes in a way that shows it wants the keys
/// (echo, canonical mode, signals, input translation).
fn same_modes(a: Option<&libc::termios>, b: Option<&libc::termios>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            let lflags = libc::ECHO | libc::ICANON | libc::ISIG | libc::IEXTEN;
            let iflags = libc::ICRNL | libc::IXON;
            a.c_lflag & lflags == b.c_lflag & lflags && a.c_iflag & iflags == b.c_iflag & iflags
        }
        _ => a.is_none() && b.is_none(),
    }
}

/// The signal a key sends on a terminal with these modes, if any.
fn signal_of(modes: &libc::termios, key: u8) -> Option<Signal> {
    if modes.c_lflag & libc::ISIG == 0 || key == 0 {
        return None;
    }
    let cc = &modes.c_cc;
    if key == cc[libc::VINTR] {
        Some(Signal::SIGINT)
    } else if key == cc[libc::VQUIT] {
        Some(Signal::SIGQUIT)
    } else if key == cc[libc::VSUSP] {
        Some(Signal::SIGTSTP)
    } else {
        None
    }
}

fn write_all(fd: BorrowedFd<'_>, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        match nix::unistd::write(fd, bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => std::thread::sleep(Duration::from_millis(1)),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cooked() -> libc::termios {
        // SAFETY: a zeroed termios is a valid value to fill in.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        t.c_lflag = libc::ISIG | libc::ICANON | libc::ECHO | libc::IEXTEN;
        t.c_iflag = libc::ICRNL | libc::IXON;
        t.c_cc[libc::VINTR] = 3;
        t.c_cc[libc::VQUIT] = 0x1c;
        t.c_cc[libc::VSUSP] = 0x1a;
        t
    }

    #[test]
    fn signal_keys_follow_the_terminal_modes() {
        let mut t = cooked();
        assert_eq!(signal_of(&t, 3), Some(Signal::SIGINT));
        assert_eq!(signal_of(&t, 0x1a), Some(Signal::SIGTSTP));
        assert_eq!(signal_of(&t, 0x1c), Some(Signal::SIGQUIT));
        assert_eq!(signal_of(&t, b'a'), None);
        t.c_cc[libc::VSUSP] = 0;
        assert_eq!(signal_of(&t, 0), None, "a disabled key is no key");
        t.c_lflag &= !libc::ISIG;
        assert_eq!(signal_of(&t, 3), None, "raw mode: ^C is data");
    }

    fn terminal_with(modes: &libc::termios, typed: &[u8]) -> Terminal {
        let own = pty::open_at(c"/dev/ptmx", Some(modes)).unwrap();
        nix::unistd::write(own.master.as_fd(), typed).unwrap();
        let slave = peer(own.master.as_fd());
        Terminal {
            master: own.master,
            slave,
            ended: None,
            pgrp: 1,
            stdin: true,
            modes: None,
            changed: 0,
            pending: Vec::new(),
            quiet: 0,
        }
    }

    /// What the master has to read (the echo) within a moment.
    fn echoed(p: &Terminal) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 256];
        for _ in 0..20 {
            if readable(p.master.as_fd()) {
                if let Ok(n) = nix::unistd::read(p.master.as_fd(), &mut buf) {
                    out.extend_from_slice(&buf[..n]);
                    continue;
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        out
    }

    #[test]
    fn keys_typed_before_the_job_had_the_keyboard_are_not_echoed_again() {
        let mut t = cooked();
        t.c_oflag = libc::OPOST | libc::ONLCR;
        // Keys typed while the job runs: its line discipline echoes them.
        let p = terminal_with(&t, b"live\r");
        set_nonblocking(&p);
        assert_eq!(echoed(&p), b"live\r\n");
        // Keys typed before: taken with the echo off, and the echo is back after.
        let mut p = terminal_with(&t, b"");
        set_nonblocking(&p);
        p.pending = b"ahead\rlive".to_vec();
        p.quiet = 6;
        assert!(write_quietly(&mut p));
        assert_eq!(p.pending, b"live");
        assert_eq!(p.quiet, 0);
        assert_eq!(echoed(&p), b"");
        let modes = termios(p.master.as_fd()).unwrap();
        assert_ne!(modes.c_lflag & libc::ECHO, 0, "echo is on again");
        let mut line = [0u8; 16];
        let n = nix::unistd::read(p.slave.as_ref().unwrap().as_fd(), &mut line).unwrap();
        assert_eq!(&line[..n], b"ahead\n", "the program reads them");
        // A program that set its own modes meanwhile keeps them: with echo off already
        // nothing is changed.
        let mut raw = t;
        // SAFETY: cfmakeraw edits the struct in place.
        unsafe { libc::cfmakeraw(&mut raw) };
        let mut p = terminal_with(&raw, b"");
        p.pending = b"x".to_vec();
        p.quiet = 1;
        assert!(write_quietly(&mut p));
        let modes = termios(p.master.as_fd()).unwrap();
        assert_eq!(modes.c_lflag & libc::ECHO, 0);
    }

    fn set_nonblocking(p: &Terminal) {
        use nix::fcntl::{fcntl, FcntlArg, OFlag};
        let _ = fcntl(&p.master, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
    }

    #[test]
    fn keys_a_job_did_not_read_are_taken_back_as_text() {
        let mut t = cooked();
        t.c_cc[libc::VERASE] = 0x7f;
        t.c_cc[libc::VEOF] = 4;
        // The line discipline edits the line (backspace), ICRNL makes \r a newline;
        // the unfinished line comes back too; control characters do not.
        let p = terminal_with(&t, b"echo hi\rls -x\x7fl\x01");
        assert_eq!(unread(&p), b"echo hi\nls -l");
        // A program that read the keys raw (vi) leaves nothing to run as a command.
        let mut raw = t;
        // SAFETY: cfmakeraw edits the struct in place.
        unsafe { libc::cfmakeraw(&mut raw) };
        let p = terminal_with(&raw, b":wq\r");
        assert!(unread(&p).is_empty());
    }

    #[test]
    fn a_raw_or_silent_terminal_counts_as_changed() {
        let t = cooked();
        assert!(same_modes(Some(&t), Some(&t)));
        let mut raw = t;
        // SAFETY: cfmakeraw edits the struct in place.
        unsafe { libc::cfmakeraw(&mut raw) };
        assert!(!same_modes(Some(&raw), Some(&t)));
        let mut silent = t;
        silent.c_lflag &= !libc::ECHO;
        assert!(!same_modes(Some(&silent), Some(&t)));
        let mut other_speed = t;
        other_speed.c_cflag ^= libc::B9600;
        assert!(same_modes(Some(&other_speed), Some(&t)));
    }
}
