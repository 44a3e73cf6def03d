//! `trap`: commands the shell runs when a signal arrives, when it exits (`EXIT`) or
//! when a command fails (`ERR`).
//!
//! A caught signal only sets a flag (the handler does nothing else, so it is
//! async-signal-safe); the shell runs the trap's command between commands, as sh
//! does. Subshells keep ignored signals ignored and reset caught ones.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::signal::Signal;

/// What a trap does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `trap '' SIG`: the signal is ignored.
    Ignore,
    /// Run this command; `true`: text made at run time set it, and it runs as such
    /// text (`Shell::made_at_run_time`).
    Run(String, bool),
}

/// The pseudo-signals.
pub const EXIT: i32 = 0;
pub const ERR: i32 = -1;
pub const DEBUG: i32 = -2;
pub const RETURN: i32 = -3;

const MAX_SIGNAL: usize = 65;

static PENDING: [AtomicBool; MAX_SIGNAL] = [const { AtomicBool::new(false) }; MAX_SIGNAL];
static ANY_PENDING: AtomicBool = AtomicBool::new(false);

/// Signals caught only so that a script's EXIT trap runs before they end it
/// ([`Traps::exit_on`]): kept here, where the handler reads them.
static ENDS: [AtomicBool; MAX_SIGNAL] = [const { AtomicBool::new(false) }; MAX_SIGNAL];

/// Whether `sig` (one of [`ENDING`]) is caught only to end the script ([`ENDS`]).
fn ends(sig: usize) -> bool {
    ENDS[sig].load(Ordering::SeqCst)
}

extern "C" fn caught(sig: libc::c_int) {
    if (sig as usize) < MAX_SIGNAL {
        PENDING[sig as usize].store(true, Ordering::SeqCst);
        ANY_PENDING.store(true, Ordering::SeqCst);
        // TERM and HUP end the script now: the command it waits for is killed (Ctrl-C
        // reaches the command itself, which ends as it chooses).
        if ends(sig as usize) && sig != libc::SIGINT {
            pola_fileserver::supervise::ABANDON.store(true, Ordering::SeqCst);
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Traps {
    actions: BTreeMap<i32, Action>,
    /// Running a trap's command (a trap does not run inside itself).
    pub running: bool,
}

/// The signals that end a script whose EXIT trap runs first, as in bash (a script's
/// `trap 'rm -rf "$tmp"' EXIT` left its directory behind when `timeout` or `kill` ended
/// it; trial 16): Ctrl-C's, which the command in the foreground gets too, and TERM and
/// HUP, for which the command the script waits for is killed, not waited for (a jail
/// could make that wait last: security review).
const ENDING: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// End this process by `sig`, as it would have ended it (its status says so), once a
/// script's EXIT trap ran.
pub fn die_of(sig: i32) -> ! {
    install(sig, libc::SIG_DFL);
    // SAFETY: unblock and raise a signal of this process; exit if it did not end it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig)
}

/// Whether `sig` is ignored now (as the shell was started: a script run in the
/// background by a shell without job control has SIGINT ignored, and keeps it so).
fn ignored(sig: i32) -> bool {
    // SAFETY: sigaction with a null new action only reads the current one.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

/// A signal's number from its name (`INT`, `SIGINT`, `int`) or number; the
/// pseudo-signals `EXIT` (0), `ERR`, `DEBUG`, `RETURN`.
pub fn number(name: &str) -> Option<i32> {
    if let Ok(n) = name.parse::<i32>() {
        return (0..MAX_SIGNAL as i32).contains(&n).then_some(n);
    }
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    match bare {
        "EXIT" => return Some(EXIT),
        "ERR" => return Some(ERR),
        "DEBUG" => return Some(DEBUG),
        "RETURN" => return Some(RETURN),
        _ => {}
    }
    Signal::iterator()
        .find(|s| s.as_str().trim_start_matches("SIG") == bare)
        .map(|s| s as i32)
}

/// A signal's name as `trap -p` shows it (`SIGINT`, `EXIT`).
pub fn name(n: i32) -> String {
    match n {
        EXIT => "EXIT".into(),
        ERR => "ERR".into(),
        DEBUG => "DEBUG".into(),
        RETURN => "RETURN".into(),
        n => Signal::try_from(n)
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|_| n.to_string()),
    }
}

fn install(sig: i32, handler: libc::sighandler_t) {
    if sig <= 0 || sig as usize >= MAX_SIGNAL || sig == libc::SIGKILL || sig == libc::SIGSTOP {
        return;
    }
    // SAFETY: `caught` only stores to atomics (async-signal-safe); SIG_IGN and
    // SIG_DFL run no code.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = libc::SA_RESTART;
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

impl Traps {
    pub fn get(&self, sig: i32) -> Option<&Action> {
        self.actions.get(&sig)
    }

    /// Set (or with None, reset) a trap. `default`: what the shell itself does with
    /// the signal when it has no trap (an interactive shell ignores some).
    pub fn set(&mut self, sig: i32, action: Option<Action>, default: libc::sighandler_t) {
        match &action {
            Some(Action::Ignore) => install(sig, libc::SIG_IGN),
            Some(Action::Run(..)) => install(sig, caught as *const () as libc::sighandler_t),
            None => install(sig, default),
        }
        match action {
            Some(a) => {
                self.actions.insert(sig, a);
            }
            None => {
                self.actions.remove(&sig);
            }
        }
    }

    /// In a script: while it has an EXIT trap, catch INT ([`ENDING`]) where it has no
    /// trap of its own and is not ignored, so that the EXIT trap runs before it ends
    /// the script, as in bash (Ctrl-C left a script's temporary directory behind;
    /// scripting trial). Off again without one.
    pub fn exit_on(&mut self, on: bool) {
        for sig in ENDING {
            let ours = ends(sig as usize);
            if self.actions.contains_key(&sig) {
                ENDS[sig as usize].store(false, Ordering::SeqCst);
                continue;
            }
            match (on, ours) {
                (true, false) if !ignored(sig) => {
                    ENDS[sig as usize].store(true, Ordering::SeqCst);
                    install(sig, caught as *const () as libc::sighandler_t);
                }
                (false, true) => {
                    ENDS[sig as usize].store(false, Ordering::SeqCst);
                    install(sig, libc::SIG_DFL);
                }
                _ => {}
            }
        }
    }

    /// Every trap, by signal number.
    pub fn all(&self) -> impl Iterator<Item = (i32, &Action)> {
        self.actions.iter().map(|(k, v)| (*k, v))
    }

    /// In a subshell: caught signals go back to their defaults; ignored ones stay.
    pub fn enter_subshell(&mut self) {
        let caught: Vec<i32> = self
            .actions
            .iter()
            .filter(|(_, a)| matches!(a, Action::Run(..)))
            .map(|(k, _)| *k)
            .collect();
        for sig in caught {
            if sig > 0 {
                install(sig, libc::SIG_DFL);
            }
            self.actions.remove(&sig);
        }
        for sig in ENDING.into_iter().filter(|s| ends(*s as usize)) {
            ENDS[sig as usize].store(false, Ordering::SeqCst);
            install(sig, libc::SIG_DFL);
        }
    }

    /// The commands of traps whose signals arrived since the last look, and a signal
    /// that arrived to end the script ([`Traps::exit_on`]), if one did.
    pub fn take_pending(&self) -> (Vec<(String, bool)>, Option<i32>) {
        if !ANY_PENDING.swap(false, Ordering::SeqCst) {
            return (Vec::new(), None);
        }
        let mut out = Vec::new();
        let mut ending = None;
        for (sig, flag) in PENDING.iter().enumerate() {
            if flag.swap(false, Ordering::SeqCst) {
                match self.actions.get(&(sig as i32)) {
                    Some(Action::Run(cmd, made)) => out.push((cmd.clone(), *made)),
                    None if ends(sig) => ending = Some(sig as i32),
                    _ => {}
                }
            }
        }
        (out, ending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(number("INT"), Some(2));
        assert_eq!(number("sigterm"), Some(15));
        assert_eq!(number("EXIT"), Some(0));
        assert_eq!(number("0"), Some(0));
        assert_eq!(number("ERR"), Some(ERR));
        assert_eq!(number("NOPE"), None);
        assert_eq!(name(10), "SIGUSR1");
        assert_eq!(name(EXIT), "EXIT");
    }
}
