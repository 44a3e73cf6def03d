//! Threads kept for the next jail's work: a jail's notifications are answered on a
//! thread of the server (`launch::Jail::mediate`) — with hints, every interactive
//! command's, and every command of a script whose errors reach a terminal. A thread
//! made and ended for each command cost its creation, its signal stack and its
//! teardown (~0.05 ms of the shell's CPU a command, perf: bench/README.md, "Thirty-first
//! stop"); a thread that has done one jail's work waits here for the next one's.
//!
//! Threads do not survive `fork`, and a lock a thread held then stays held in the copy:
//! a forked copy of the shell whose parent kept threads here starts a thread of its own
//! for each work, never touching the parent's list.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;

type Work = Box<dyn FnOnce() + Send>;

/// The threads waiting for work (only in the process that made them: [`OWNER`]).
static IDLE: Mutex<Vec<Sender<Work>>> = Mutex::new(Vec::new());

/// The process whose threads [`IDLE`] holds (0: none yet).
static OWNER: AtomicU32 = AtomicU32::new(0);

/// Run `work` on a waiting thread, or a new one; its result comes on the receiver
/// (none if it panicked).
pub fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Receiver<T> {
    let (result, received) = channel();
    let mut work: Work = Box::new(move || {
        let _ = result.send(work());
    });
    let me = std::process::id();
    let owner = OWNER.compare_exchange(0, me, Ordering::Relaxed, Ordering::Relaxed);
    if owner.is_err_and(|o| o != me) {
        // A forked copy: a thread for this work alone.
        if let Err(e) = std::thread::Builder::new().spawn(work) {
            tracing::warn!("cannot start a thread: {e}");
        }
        return received;
    }
    loop {
        let waiting = IDLE.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match waiting {
            Some(thread) => match thread.send(work) {
                Ok(()) => return received,
                // That thread is gone (it panicked): the next one.
                Err(e) => work = e.0,
            },
            None => {
                start(work);
                return received;
            }
        }
    }
}

/// A new thread that does `first`, then waits for more.
fn start(first: Work) {
    let (give, take) = channel::<Work>();
    let spawned = std::thread::Builder::new()
        .name("pola-worker".into())
        .spawn(move || {
            let mut work = first;
            loop {
                work();
                IDLE.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(give.clone());
                match take.recv() {
                    Ok(next) => work = next,
                    Err(_) => return,
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start a thread: {e}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_thread_does_one_work_after_another() {
        let first = super::run(|| std::thread::current().id());
        let first = first.recv().unwrap();
        // Its thread is waiting again once it has said its result.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let second = super::run(|| std::thread::current().id()).recv().unwrap();
        assert_eq!(first, second);
        assert!(super::run(|| panic!("gone")).recv().is_err());
        assert_eq!(super::run(|| 7).recv().unwrap(), 7);
    }
}
