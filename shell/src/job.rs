//! Jobs and job control.
//!
//! An interactive shell on a terminal puts each pipeline in a process group of its
//! own and hands it the terminal (`tcsetpgrp`) while it runs in the foreground, so
//! Ctrl-C and Ctrl-Z reach the job and not the shell. A job stopped with Ctrl-Z waits
//! in the job table for `fg` or `bg`; when the foreground job ends or stops, the shell
//! takes the terminal back and restores the modes it had (a jailed program that left
//! the terminal raw does not break the prompt).
//!
//! With the relay on (an interactive shell: SECURITY.md 28, 29), jails never hold the
//! terminal: each has a pseudo-terminal of its own (`pola_fileserver::pty`), and the
//! shell keeps the terminal's foreground and has the relay give the keys to the
//! foreground job's pseudo-terminals instead. Only a job with a `!!` command, which
//! runs on the host as the user, gets the terminal itself (its jails, if it has any,
//! keep their own terminals, which then get no keys).

use std::os::fd::BorrowedFd;

use nix::sys::signal::{kill, Signal};
use nix::sys::termios::{tcgetattr, tcsetattr, SetArg, Termios};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{getpgrp, getpid, setpgid, tcgetpgrp, tcsetpgrp, Pid};
use pola_fileserver::launch::{Jail, Waited};
use pola_fileserver::relay::{self, Foreground};

/// How often a foreground jail that says nothing of its end is looked at, in case its
/// shim was stopped by a signal from elsewhere (`Job::word_of`).
const LOOK_AGAIN: std::time::Duration = std::time::Duration::from_millis(200);

/// In a background job's forked shell (a script's `cmd &`): the jails it waits for now,
/// to which a signal sent to it goes (`relay_signals`). `$!` names that forked shell,
/// not the jail: `kill $!` ended it, and its jails with it, without their programs'
/// handlers or traps running (bash's `$!` is the command itself).
static RELAYED: [std::sync::atomic::AtomicI32; 16] =
    [const { std::sync::atomic::AtomicI32::new(0) }; 16];
/// The signal relayed, if one was: the forked shell ends with the job it was sent in.
static RELAYED_SIGNAL: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);
static RELAYING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The signals a background job's forked shell relays to its jails.
const RELAYED_SIGNALS: &[i32] = &[
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
];

extern "C" fn relay_signal(sig: libc::c_int) {
    use std::sync::atomic::Ordering;
    let mut sent = false;
    for slot in &RELAYED {
        let pid = slot.load(Ordering::SeqCst);
        if pid > 0 {
            // SAFETY: kill is async-signal-safe.
            unsafe { libc::kill(pid, sig) };
            sent = true;
        }
    }
    if sent {
        RELAYED_SIGNAL.store(sig, Ordering::SeqCst);
    } else {
        // Between its commands: the signal does what it would have done.
        // SAFETY: signal and raise are async-signal-safe.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
    }
}

/// In a background job's forked shell without job control (a script's `cmd &`): relay
/// the signals sent to it to the jails it runs, whose programs' handlers and traps then
/// run, and end with the job they were sent in. Signals it ignores stay ignored
/// (without job control, POSIX has `&` ignore SIGINT and SIGQUIT). (With job control a
/// job's signals reach its whole process group, the jails' supervisors among them.)
pub fn relay_signals() {
    RELAYING.store(true, std::sync::atomic::Ordering::SeqCst);
    for &sig in RELAYED_SIGNALS {
        // SAFETY: sigaction reads and writes the structs given; the handler only
        // loads atomics and calls async-signal-safe functions.
        unsafe {
            let mut now: libc::sigaction = std::mem::zeroed();
            libc::sigaction(sig, std::ptr::null(), &mut now);
            if now.sa_sigaction != libc::SIG_DFL {
                continue;
            }
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = relay_signal as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut sa.sa_mask);
            sa.sa_flags = libc::SA_RESTART;
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// One process of a job: a jail (whose files are tidied when it ends), a forked copy
/// of the shell, or an unconfined `!!` command.
pub struct Proc {
    pub pid: Pid,
    pub jail: Option<Jail>,
    pub status: Option<i32>,
    /// A `!!` command: it needs the terminal itself.
    pub unconfined: bool,
    /// What a shell says of the signal that killed it ([`death_line`]).
    pub died: Option<String>,
}

/// How a shell names the end a signal brings (bash's words); `None` for one it names
/// by number.
pub fn signal_words(signal: i32) -> Option<&'static str> {
    Some(match signal {
        libc::SIGHUP => "Hangup",
        libc::SIGINT => "Interrupt",
        libc::SIGQUIT => "Quit",
        libc::SIGILL => "Illegal instruction",
        libc::SIGTRAP => "Trace/breakpoint trap",
        libc::SIGABRT => "Aborted",
        libc::SIGBUS => "Bus error",
        libc::SIGFPE => "Floating point exception",
        libc::SIGKILL => "Killed",
        libc::SIGUSR1 => "User defined signal 1",
        libc::SIGSEGV => "Segmentation fault",
        libc::SIGUSR2 => "User defined signal 2",
        libc::SIGPIPE => "Broken pipe",
        libc::SIGALRM => "Alarm clock",
        libc::SIGTERM => "Terminated",
        libc::SIGXCPU => "CPU time limit exceeded",
        libc::SIGXFSZ => "File size limit exceeded",
        libc::SIGSYS => "Bad system call",
        _ => return None,
    })
}

/// What a shell says when a foreground command was killed by `signal` (bash's
/// words: `Segmentation fault (core dumped)`), `None` for Ctrl-C's and a closed
/// pipe's, which say nothing.
pub fn death_line(command: &str, (signal, core): (i32, bool)) -> Option<String> {
    if signal == libc::SIGINT || signal == libc::SIGPIPE {
        return None;
    }
    let words = match signal_words(signal) {
        Some(w) => w.to_string(),
        None => format!("Killed by signal {signal}"),
    };
    let dumped = if core { " (core dumped)" } else { "" };
    Some(format!(
        "{}: {}: {words}{dumped}",
        crate::exec::PROGRAM,
        pola_fileserver::text::shown(command)
    ))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Running,
    Stopped,
    Done(i32),
}

/// Jobs an interactive shell leaves behind, for which it asks for a second `exit` (or
/// Ctrl-D) before it leaves: stopped ones (an editor's unsaved work), as bash; running
/// ones too, since their terminals are the shell's (it relays each job's): they hang up
/// as it leaves, where bash's would go on. `nohup` keeps a command going.
#[derive(Clone, Copy)]
pub enum LeftBehind {
    Stopped,
    Running,
}

impl LeftBehind {
    pub fn of(jobs: &[Job]) -> Option<LeftBehind> {
        if jobs.iter().any(|j| j.state == State::Stopped) {
            Some(LeftBehind::Stopped)
        } else if jobs.iter().any(|j| j.state == State::Running) {
            Some(LeftBehind::Running)
        } else {
            None
        }
    }

    /// What the shell says, `again` being how to leave anyway.
    pub fn said(self, again: &str) -> String {
        match self {
            LeftBehind::Stopped => {
                format!("there are stopped jobs ({again} again to leave: they end with the shell)")
            }
            LeftBehind::Running => format!(
                "there are running jobs ({again} again to leave: their terminals close with the shell; nohup keeps a command going)"
            ),
        }
    }
}

pub struct Job {
    pub id: usize,
    /// The process group (0 without job control).
    pub pgid: Pid,
    pub procs: Vec<Proc>,
    pub text: String,
    pub state: State,
}

impl Job {
    /// The status of the pipeline: its last process's, or with `pipefail` the last
    /// non-zero one.
    pub fn status(&self, pipefail: bool) -> i32 {
        let statuses: Vec<i32> = self.procs.iter().map(|p| p.status.unwrap_or(0)).collect();
        if pipefail {
            statuses
                .iter()
                .rev()
                .find(|s| **s != 0)
                .copied()
                .unwrap_or(0)
        } else {
            statuses.last().copied().unwrap_or(0)
        }
    }

    fn record(&mut self, pid: Pid, status: i32) {
        if let Some(p) = self.procs.iter_mut().find(|p| p.pid == pid) {
            p.status = Some(status);
            if let Some(jail) = p.jail.take() {
                let (status, died) = crate::jail::finish(jail, status);
                (p.status, p.died) = (Some(status), died);
            }
        }
    }

    /// `pid`, not a jail, was killed by a signal (a `!!` command): as a jail's PID 1
    /// says of its command.
    fn note_death(&mut self, pid: Pid, line: Option<String>) {
        if let Some(p) = self
            .procs
            .iter_mut()
            .find(|p| p.pid == pid && p.died.is_none())
        {
            p.died = line;
        }
    }

    fn all_done(&self) -> bool {
        self.procs.iter().all(|p| p.status.is_some())
    }

    /// The status of `pid`, a jail, from its PID 1's report of the end, without waiting
    /// for the jail to exit (`launch::Jail::wait_ended`); `None` if it does not say, or
    /// with job control (the job stops when its shim does).
    fn ended(&mut self, pid: Pid) -> Option<i32> {
        if self.pgid.as_raw() != 0 {
            return None;
        }
        let proc_ = self.procs.iter_mut().find(|p| p.pid == pid)?;
        proc_.jail.as_mut()?.wait_ended()
    }

    /// What the jail `pid` says of its end or its stop ([`launch::Jail::wait_end_or_stop`]),
    /// waiting for at most [`LOOK_AGAIN`].
    fn word_of(&mut self, pid: Pid) -> Waited {
        let jail = self
            .procs
            .iter_mut()
            .find(|p| p.pid == pid)
            .and_then(|p| p.jail.as_mut());
        match jail {
            Some(jail) => jail.wait_end_or_stop(LOOK_AGAIN),
            None => Waited::Unsaid,
        }
    }

    /// Wait until every process has ended, or, doing `job_control`, one has stopped.
    /// Without job control (a script, a background job's forked shell) a process
    /// stopped from elsewhere is waited for until it ends, as bash does: a background
    /// job's shell took its jail's stop for its own end (status 148) when it saw the
    /// stop before the same `kill -STOP %1` stopped it (`kill -CONT %1` then ended the
    /// job).
    pub fn wait(&mut self, pipefail: bool, job_control: bool) {
        let _waiting = crate::sys::Waiting::new();
        use std::sync::atomic::Ordering;
        let relaying = RELAYING.load(Ordering::SeqCst);
        if relaying {
            let jails = self.procs.iter().filter(|p| p.status.is_none());
            for (slot, p) in RELAYED.iter().zip(jails) {
                slot.store(p.pid.as_raw(), Ordering::SeqCst);
            }
        }
        self.wait_for_all(pipefail, job_control);
        if relaying {
            for slot in &RELAYED {
                slot.store(0, Ordering::SeqCst);
            }
            if RELAYED_SIGNAL.load(Ordering::SeqCst) != 0 {
                // Sent a signal, the job ended as its programs chose: so does the
                // background job's shell (not the rest of its list).
                let status = match self.state {
                    State::Done(s) => s,
                    _ => 128 + RELAYED_SIGNAL.load(Ordering::SeqCst),
                };
                crate::sys::exit_child(status);
            }
        }
    }

    fn wait_for_all(&mut self, pipefail: bool, job_control: bool) {
        let stops = stops_seen(job_control);
        let pending: Vec<Pid> = self
            .procs
            .iter()
            .filter(|p| p.status.is_none())
            .map(|p| p.pid)
            .collect();
        for pid in pending {
            if let Some(status) = self.ended(pid) {
                self.record(pid, status);
                continue;
            }
            // With job control, a jail with a terminal of its own says when it ends and
            // when it stops; until it says it stops, its shim is only looked at now and
            // then (stopped by a signal from elsewhere, it says nothing).
            let mut told = self.pgid.as_raw() != 0;
            loop {
                // Only the `wait` builtin's waiting is interrupted (a foreground job
                // has the terminal, and its signals).
                if wait_interrupted() {
                    return;
                }
                // The shell ends by a signal (TERM, HUP) once its EXIT trap ran: the
                // jail is killed, not waited for (`traps::ENDING`).
                if pola_fileserver::supervise::abandoned() {
                    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
                    told = false;
                }
                let mut flags = stops;
                if told {
                    match self.word_of(pid) {
                        Waited::Ended(status) => {
                            self.record(pid, status);
                            break;
                        }
                        Waited::Quiet => flags |= WaitPidFlag::WNOHANG,
                        Waited::Stopping | Waited::Unsaid => told = false,
                    }
                }
                match waitpid(pid, Some(flags)) {
                    Ok(WaitStatus::StillAlive) => continue,
                    Ok(WaitStatus::Stopped(..)) => {
                        self.state = State::Stopped;
                        return;
                    }
                    Ok(st) => match pola_fileserver::supervise::shell_status(st) {
                        Some(s) => {
                            self.record(pid, s);
                            if let WaitStatus::Signaled(_, signal, core) = st {
                                let line = death_line(&self.text, (signal as i32, core));
                                self.note_death(pid, line);
                            }
                            break;
                        }
                        None => continue,
                    },
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(_) => {
                        self.record(pid, 127);
                        break;
                    }
                }
            }
        }
        self.state = State::Done(self.status(pipefail));
    }

    /// Notice, without blocking, processes that ended or, doing `job_control`, stopped.
    pub fn poll(&mut self, pipefail: bool, job_control: bool) {
        let stops = stops_seen(job_control);
        if matches!(self.state, State::Done(_)) {
            return;
        }
        for i in 0..self.procs.len() {
            if self.procs[i].status.is_some() {
                continue;
            }
            let pid = self.procs[i].pid;
            match waitpid(pid, Some(WaitPidFlag::WNOHANG | stops)) {
                Ok(WaitStatus::Stopped(..)) => self.state = State::Stopped,
                Ok(WaitStatus::StillAlive) => {}
                Ok(st) => {
                    if let Some(s) = pola_fileserver::supervise::shell_status(st) {
                        self.record(pid, s);
                    }
                }
                Err(_) => self.record(pid, 127),
            }
        }
        if self.all_done() {
            self.state = State::Done(self.status(pipefail));
        }
    }

    /// Let a stopped job go on.
    pub fn resume(&mut self) {
        let target = if self.pgid.as_raw() > 0 {
            Pid::from_raw(-self.pgid.as_raw())
        } else {
            self.procs[0].pid
        };
        let _ = kill(target, Signal::SIGCONT);
        self.state = State::Running;
    }

    /// The job's line as `jobs` writes it (bash's layout), with `mark` after its
    /// number (`+` the current job, `-` the one before): `[2]+  Stopped
    /// sleep 40`. The same for a stop, an end reported at the prompt or by `wait`.
    pub fn line(&self, mark: char) -> String {
        format!(
            "[{}]{mark}  {:<24}{}",
            self.id,
            self.state.shown(),
            self.text
        )
    }
}

/// What `waitpid` is asked to report besides ends: stops, only doing job control.
fn stops_seen(job_control: bool) -> WaitPidFlag {
    if job_control {
        WaitPidFlag::WUNTRACED
    } else {
        WaitPidFlag::empty()
    }
}

/// The mark of the `i`th of `n` jobs (in the order they were made): `+` the last
/// (the current job), `-` the one before, else a space.
pub fn mark(i: usize, n: usize) -> char {
    if i + 1 == n {
        '+'
    } else if i + 2 == n {
        '-'
    } else {
        ' '
    }
}

impl State {
    /// As `jobs` shows it (bash's words): `Running`, `Stopped`, `Done`, `Exit 3`, or
    /// the signal that ended it (`Terminated` for a status of 143).
    pub fn shown(&self) -> String {
        let signal = |status: i32| signal_words(status - 128).map(str::to_string);
        match *self {
            State::Running => "Running".to_string(),
            State::Stopped => "Stopped".to_string(),
            State::Done(0) => "Done".to_string(),
            State::Done(s) => signal(s).unwrap_or_else(|| format!("Exit {s}")),
        }
    }
}

/// The last job that had the keys left its terminal's echo off (`stty -echo`): the
/// shell's `read` does not echo either, as on a terminal shared by all.
static ECHO_LEFT_OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether the last job that had the keys left echo off (for the `read` builtin).
pub fn echo_left_off() -> bool {
    // Asked here, not when the job ended: the relay may finish the job's terminal (and
    // see its modes) only after the shell took the terminal back (`reclaim`), and a
    // prompt drawn at once let the next `read` echo what `stty -echo` had turned off.
    if let Some(echo) = relay::take_echo() {
        ECHO_LEFT_OFF.store(echo & libc::ECHO == 0, std::sync::atomic::Ordering::SeqCst);
    }
    ECHO_LEFT_OFF.load(std::sync::atomic::Ordering::SeqCst)
}

/// The signal that ended the `wait` builtin's waiting for background jobs (0: none):
/// Ctrl-C's SIGINT at an interactive shell (its own otherwise ignored: `wait` could not
/// be interrupted, new-user trial), or the terminal's SIGHUP (the shell and its jobs
/// stayed until the last job ended). Set by a handler; [`Job::wait`] returns on it
/// with the job still running.
pub static WAIT_INTERRUPTED: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Whether the `wait` builtin was interrupted ([`WAIT_INTERRUPTED`]).
pub fn wait_interrupted() -> bool {
    WAIT_INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) != 0
}

/// The `wait` builtin is waiting: a signal that ends it is noted
/// ([`interrupt_wait`]).
pub static IN_WAIT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Note that `signal` ends the `wait` builtin's waiting, if it is waiting
/// (async-signal-safe: atomics only).
pub fn interrupt_wait(signal: i32) {
    use std::sync::atomic::Ordering;
    if IN_WAIT.load(Ordering::SeqCst) {
        // The first says why (a hang-up the watch saw, then its wake-up).
        let _ = WAIT_INTERRUPTED.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    }
}

/// The process group of the job that has the terminal (0: the shell has it), for a
/// hang-up to reach it (`pola-sh`'s SIGHUP handler: only an atomic load and `kill`).
pub static FOREGROUND_JOB: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// The shell does job control on a terminal ([`Terminal::take`]): with no job in the
/// foreground, its prompt is there.
pub static JOB_CONTROL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The controlling terminal, while the shell does job control on it.
pub struct Terminal {
    shell_pgid: Pid,
    modes: Option<Termios>,
    /// The relay runs: jails have terminals of their own.
    relayed: bool,
}

/// Test seam (documented in the security tests): `POLA_TEST_SHARED_TERMINAL=1` keeps
/// the relay off, so jails share the shell's terminal as they did before it existed.
const SHARED_TERMINAL_SEAM: &str = "POLA_TEST_SHARED_TERMINAL";

fn tty() -> BorrowedFd<'static> {
    // SAFETY: descriptor 0, the terminal the interactive shell reads.
    unsafe { BorrowedFd::borrow_raw(0) }
}

impl Terminal {
    /// Take the terminal for job control: wait to be in the foreground, lead a process
    /// group of our own, own the terminal. None if standard input is not a terminal.
    pub fn take() -> Option<Terminal> {
        if !nix::unistd::isatty(tty()).unwrap_or(false) {
            return None;
        }
        // Started in the background: wait until put in the foreground.
        loop {
            let fg = tcgetpgrp(tty()).ok()?;
            if fg == getpgrp() {
                break;
            }
            let _ = kill(Pid::from_raw(-getpgrp().as_raw()), Signal::SIGTTIN);
        }
        let me = getpid();
        let _ = setpgid(me, me);
        tcsetpgrp(tty(), me).ok()?;
        JOB_CONTROL.store(true, std::sync::atomic::Ordering::SeqCst);
        Some(Terminal {
            shell_pgid: me,
            modes: tcgetattr(tty()).ok(),
            relayed: false,
        })
    }

    /// Give every jail started from now on a terminal of its own, relayed to this one
    /// (after the line editor is set up: the relay chains its SIGWINCH handler).
    pub fn relay(&mut self) {
        if std::env::var_os(SHARED_TERMINAL_SEAM).is_some_and(|v| v == "1") {
            return;
        }
        match relay::start() {
            Ok(()) => self.relayed = true,
            Err(e) => eprintln!(
                "pola-sh: cannot relay the terminal ({}): commands share it",
                e.desc()
            ),
        }
        self.save_modes();
    }

    /// Remember the terminal modes the prompt needs (and new jails' terminals start with).
    pub fn save_modes(&mut self) {
        self.modes = tcgetattr(tty()).ok();
        if let Some(m) = &self.modes {
            pola_fileserver::pty::set_modes(&m.clone().into());
        }
    }

    /// Give the terminal to a foreground job: the keys to its jails' terminals through
    /// the relay, or the terminal itself to a job with a `!!` command (or without the
    /// relay).
    pub fn give(&self, job: &Job) {
        if job.pgid.as_raw() <= 0 {
            return;
        }
        FOREGROUND_JOB.store(job.pgid.as_raw(), std::sync::atomic::Ordering::SeqCst);
        if self.relayed && !job.procs.iter().any(|p| p.unconfined) {
            relay::foreground(Some(Foreground {
                pgrp: job.pgid.as_raw(),
                single: job.procs.len() == 1 && job.procs[0].jail.is_some(),
                stops: true,
            }));
        } else {
            let _ = tcsetpgrp(tty(), job.pgid);
        }
    }

    /// Without the relay, the terminal to hand a foreground job's group as soon as its
    /// shim exists (`launch::Io::lend_terminal`), not once the jail is built: its PID
    /// 1 reports the command started only after spawning it, and a command reading the
    /// terminal before it owned it would be stopped (SIGTTIN). With the relay, keys
    /// wait in the relay: none.
    pub fn lendable(&self) -> Option<std::os::fd::RawFd> {
        (!self.relayed).then(|| std::os::fd::AsRawFd::as_raw_fd(&tty()))
    }

    /// Take the terminal back, with the shell's modes, once the relay has shown all
    /// the job wrote. `ended`: the job, if it ended (not if it stopped): its jails'
    /// terminals are finished now (`relay::settle`).
    pub fn reclaim(&self, ended: Option<&Job>) {
        relay::settle(ended.map(|job| job.pgid.as_raw()));
        FOREGROUND_JOB.store(0, std::sync::atomic::Ordering::SeqCst);
        crate::report::flush_deferred();
        let _ = tcsetpgrp(tty(), self.shell_pgid);
        if let Some(m) = &self.modes {
            let _ = tcsetattr(tty(), SetArg::TCSADRAIN, m);
        }
        // The terminal gets the prompt's modes back (SECURITY.md 29); only the shell's
        // own `read` remembers whether the job left echo off (`stty -echo; read pw`:
        // `echo_left_off`, which asks the relay when it reads).
    }
}

/// Run `wait` (for jails of the shell's own process group, outside any job: a command
/// substitution, `command`) with the keys going to their terminals; Ctrl-C reaches
/// them, Ctrl-Z is dropped (nothing would wait for a stop). Without the relay, just
/// `wait`.
pub fn with_keys<T>(wait: impl FnOnce() -> T) -> T {
    if !relay::steering() {
        return wait();
    }
    relay::foreground(Some(Foreground {
        pgrp: getpgrp().as_raw(),
        single: false,
        stops: false,
    }));
    let result = wait();
    relay::settle(None);
    result
}
