//! Ask mode: when a mediated command opens a file it was not granted, ask the user.
//!
//! `cat wants to read /home/u/notes.txt — allow once, always (this session), deny?`
//! An allowed file is opened here, with the shell's authority, exactly as named in the
//! question, and handed to the command by [`crate::mediate`]. Only files are given
//! this way: a directory descriptor would let the command walk out of it with `..`
//! (reads are not confined by Landlock; the mount namespace is what hides the rest of
//! the host, and a descriptor from outside it is not bound by it), so directories,
//! devices and other special files are left to the command line.

use std::collections::HashSet;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::mediate::{Denied, Verdict};
use crate::{terminal, text};

/// What the user allowed for the rest of the session: files as `(path, write)`, and
/// hosts as `(host, port)` (asked by the network proxy, `crate::proxy`).
#[derive(Clone, Debug, Default)]
pub struct Session {
    files: Arc<Mutex<HashSet<(PathBuf, bool)>>>,
    hosts: Arc<Mutex<HashSet<(String, u16)>>>,
}

impl Session {
    fn remembers<T: Eq + std::hash::Hash>(set: &Mutex<HashSet<T>>, key: &T) -> bool {
        set.lock().map(|s| s.contains(key)).unwrap_or(false)
    }

    fn remember<T: Eq + std::hash::Hash>(set: &Mutex<HashSet<T>>, key: T) {
        if let Ok(mut s) = set.lock() {
            s.insert(key);
        }
    }

    /// Whether the user allowed `host:port` always, this session.
    pub fn allows_host(&self, host: &str, port: u16) -> bool {
        Self::remembers(&self.hosts, &(host.to_string(), port))
    }

    pub fn allow_host(&self, host: &str, port: u16) {
        Self::remember(&self.hosts, (host.to_string(), port));
    }
}

/// The open flags a granted open keeps; anything else (`O_PATH`, `O_TMPFILE`,
/// `O_DIRECTORY`...) is not asked about.
const KEPT_FLAGS: i32 = libc::O_ACCMODE
    | libc::O_CREAT
    | libc::O_EXCL
    | libc::O_TRUNC
    | libc::O_APPEND
    | libc::O_NONBLOCK
    | libc::O_CLOEXEC
    | libc::O_NOFOLLOW
    | libc::O_NOCTTY // `touch`'s; the file is opened without it being a terminal anyway
    | 0o100000; // O_LARGEFILE as 32-bit programs pass it (libc's x86-64 value is 0)

/// The user's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Once,
    Always,
    Deny,
}

/// `o`, `once`, `y`, `yes` (once), `a`, `always` (always), in any case; anything else
/// denies — an empty line, and a line that only starts like an answer (`opython3 app.py`:
/// the next command typed after an `o` that was not followed by Enter).
pub fn parse_answer(line: &str) -> Answer {
    clear_answer(line).unwrap_or(Answer::Deny)
}

/// The answer `line` gives, or `None` when it is none of them but text someone typed
/// (`ocat notes.txt`: an `o` and then the next command line, without Enter between):
/// asked again then ([`ask_until_clear`]). An empty line, `d`, `deny`, `n`, `no`, and
/// anything with a control character (Ctrl-C) deny.
pub fn clear_answer(line: &str) -> Option<Answer> {
    let line = line.trim();
    if line.chars().any(char::is_control) {
        return Some(Answer::Deny);
    }
    match line.to_ascii_lowercase().as_str() {
        "o" | "once" | "y" | "yes" => Some(Answer::Once),
        "a" | "always" => Some(Answer::Always),
        "" | "d" | "deny" | "n" | "no" => Some(Answer::Deny),
        _ => None,
    }
}

/// Ask `question` until the answer is clear (three times at most; then it is a deny),
/// saying what the answers are after one that was not: a typed command line taken as
/// the answer was a silent deny, and the line was lost (new-user trial). `None` as
/// [`terminal::Questions::ask`]. For a file's question only: the jail waits for it in
/// its `open`, so it cannot end meanwhile and leave the question reading the prompt's
/// keys (a host's question is asked once: `proxy::policy`).
pub fn ask_until_clear(questions: &terminal::Questions, question: &str) -> Option<Answer> {
    let mut asked = question.to_string();
    for _ in 0..3 {
        let line = questions.ask(&asked)?;
        if let Some(answer) = clear_answer(&line) {
            return Some(answer);
        }
        asked = format!("not an answer: {} — {question}", text::shown(line.trim()));
    }
    Some(Answer::Deny)
}

/// Asks the user about one jail's opens.
pub struct Asker {
    /// The command's name, for the question.
    pub name: String,
    /// For the audit log: the jail's id.
    pub id: u32,
    pub session: Session,
}

impl Asker {
    /// The asking process by its name, and the jail's program if that differs
    /// (`cat (in the jail of sh)`). The name is the process's own (`comm`), so the
    /// jail's program is shown beside it whenever they differ.
    fn who(&self, pid: u32) -> String {
        let comm = std::fs::read(format!("/proc/{pid}/comm")).unwrap_or_default();
        let comm = comm.strip_suffix(b"\n").unwrap_or(&comm);
        let name = text::shown(&self.name);
        if comm.is_empty() || comm == self.name.as_bytes() {
            name.to_string()
        } else {
            format!("{} (in the jail of {name})", text::shown_bytes(comm))
        }
    }

    /// Decide about `d` (see `mediate::serve`), asking as one of the jail's
    /// `questions`.
    pub fn decide(&mut self, d: &Denied, questions: &terminal::Questions) -> Verdict {
        let Some(open) = d.open else {
            return Verdict::Continue;
        };
        if open.flags & !KEPT_FLAGS != 0 || !askable(&d.path) {
            return Verdict::Continue;
        }
        let verb = match d.write {
            true if d.path.symlink_metadata().is_err() => "create",
            true => "write",
            false => "read",
        };
        let (id, mode) = (self.id, if d.write { "w" } else { "r" });
        let path = text::shown(&d.path);
        let key = (d.path.clone(), d.write);
        let remembered = Session::remembers(&self.session.files, &key);
        let answer = if remembered {
            Answer::Always
        } else {
            let target = std::fs::canonicalize(&d.path)
                .ok()
                .filter(|t| t != &d.path)
                .map(|t| format!(" (a link to {})", text::shown(&t)))
                .unwrap_or_default();
            let question = format!(
                "{} wants to {verb} {path}{target} — allow [o]nce, [a]lways (this session), [d]eny? (o, a or d, then Enter)",
                self.who(d.pid)
            );
            let Some(answer) = ask_until_clear(questions, &question) else {
                let why = if questions.ended() {
                    "the command ended"
                } else {
                    "no terminal to ask on"
                };
                tracing::info!(target: crate::AUDIT, "#{id} {mode}! {} {path}: denied ({why})", d.call);
                return Verdict::Continue;
            };
            if answer == Answer::Always {
                Session::remember(&self.session.files, key);
            }
            answer
        };
        if answer == Answer::Deny {
            tracing::info!(target: crate::AUDIT, "#{id} {mode}! {} {path}: denied by the user", d.call);
            return Verdict::Continue;
        }
        match open_file(&d.path, open.flags, open.mode) {
            Ok(file) => {
                let how = if answer == Answer::Once {
                    "once"
                } else {
                    "for the session"
                };
                tracing::info!(target: crate::AUDIT, "#{id} {mode}+ {} {path}: granted {how}", d.call);
                Verdict::Grant(file)
            }
            Err(e) => {
                tracing::info!(target: crate::AUDIT, "#{id} {mode}! {} {path}: granted, but cannot open: {e}", d.call);
                Verdict::Continue
            }
        }
    }
}

/// A regular file, or nothing yet (to be created).
fn askable(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(m) => m.is_file(),
        Err(_) => path.symlink_metadata().is_err(),
    }
}

/// Open `path` as the command asked, with this process's authority; refuse anything
/// but a regular file (the question was about a file; a FIFO swapped in would also
/// block the server), and never through a link or special file a jail may have left
/// (`crate::planted`, SECURITY.md 26).
pub(crate) fn open_file(path: &Path, flags: i32, mode: u32) -> std::io::Result<OwnedFd> {
    use nix::fcntl::OFlag;
    let access = flags & libc::O_ACCMODE;
    let mut keep = libc::O_CREAT | libc::O_EXCL | libc::O_APPEND | libc::O_NOFOLLOW | access;
    if access != libc::O_RDONLY {
        keep |= libc::O_TRUNC;
    }
    let flags = OFlag::from_bits_truncate(flags & keep) | OFlag::O_NOCTTY;
    let mode = nix::sys::stat::Mode::from_bits_truncate(mode & 0o7777);
    let file = crate::planted::open(path, flags, mode).map_err(|e| match e {
        crate::planted::Refused::Os { errno, .. } => {
            std::io::Error::from_raw_os_error(errno as i32)
        }
        e => std::io::Error::other(e.to_string()),
    })?;
    let meta = std::fs::File::from(file.try_clone()?).metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    // Given to a jail to write (asked, or picked in the powerbox): its text may be the
    // jail's from then on, as a slot's file is (`.` sourced a setup.sh made as asked;
    // security review). Where it really is, by its descriptor.
    if access != libc::O_RDONLY {
        if let Ok(real) = crate::slots::fd_path(&file) {
            crate::planted::record_written_file(&real);
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(parse_answer("o"), Answer::Once);
        assert_eq!(parse_answer(" Yes"), Answer::Once);
        assert_eq!(parse_answer("always"), Answer::Always);
        assert_eq!(parse_answer("d"), Answer::Deny);
        assert_eq!(parse_answer(""), Answer::Deny);
        assert_eq!(parse_answer("\u{3}"), Answer::Deny);
        assert_eq!(parse_answer("opython3 app.py"), Answer::Deny);
        assert_eq!(parse_answer("awk 1 /dev/null"), Answer::Deny);
        // Asked again: text that is no answer; not a Ctrl-C or an empty line.
        assert_eq!(clear_answer("opython3 app.py"), None);
        assert_eq!(clear_answer("\u{3}"), Some(Answer::Deny));
        assert_eq!(clear_answer(""), Some(Answer::Deny));
        assert_eq!(clear_answer("No"), Some(Answer::Deny));
        assert_eq!(clear_answer(" A "), Some(Answer::Always));
    }

    #[test]
    fn only_regular_files_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        assert!(open_file(dir.path(), libc::O_RDONLY, 0).is_err());
        let f = dir.path().join("f");
        std::fs::write(&f, "x").unwrap();
        assert!(open_file(&f, libc::O_RDONLY, 0).is_ok());
        assert!(askable(&f));
        assert!(!askable(dir.path()));
        assert!(askable(&dir.path().join("new")));
        nix::unistd::mkfifo(&dir.path().join("p"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        assert!(!askable(&dir.path().join("p")));
        assert!(open_file(&dir.path().join("p"), libc::O_RDONLY, 0).is_err());
    }
}
