//! Builtins: commands the shell runs itself, with the user's authority, never jailed.
//! One file each, one entry function `fn NAME(sh, argv) -> Status`; errors go through
//! `Shell::error` so every message reads alike.

use crate::exec::{Shell, Status};

mod alias;
mod bg;
mod break_;
mod builtin;
mod caller;
mod cd;
mod colon;
mod command;
pub(crate) mod complete;
mod continue_;
mod declare;
mod dirs;
mod disown;
mod echo;
pub mod eval;
mod exec_;
mod exit;
mod export;
mod false_;
mod fg;
mod getopts;
pub(crate) mod grants;
mod hash;
pub mod help;
mod history;
mod jobs;
mod kill;
mod let_;
mod local;
mod mapfile;
mod mkfifo;
mod mktemp;
mod popd;
pub(crate) mod printf;
mod pushd;
mod pwd;
pub(crate) mod read;
mod readonly;
mod return_;
mod set;
mod shift;
mod shopt;
pub mod source;
pub(crate) mod test;
mod times;
mod trap;
mod true_;
mod type_;
mod ulimit;
mod umask;
mod unalias;
mod unset;
mod wait;
mod which;

pub type Builtin = fn(&mut Shell, &[String]) -> Status;

/// Every builtin, by name (`grants` is run by the executor, which keeps its markers).
pub const ALL: &[(&str, Builtin)] = &[
    (".", source::source),
    (":", colon::colon),
    ("[", test::bracket),
    ("alias", alias::alias),
    ("bg", bg::bg),
    ("break", break_::break_),
    ("builtin", builtin::builtin),
    ("caller", caller::caller),
    ("cd", cd::cd),
    ("command", command::command),
    ("compgen", complete::compgen),
    ("complete", complete::complete),
    ("continue", continue_::continue_),
    ("declare", declare::declare),
    ("dirs", dirs::dirs),
    ("disown", disown::disown),
    ("echo", echo::echo),
    ("eval", eval::eval),
    ("exec", exec_::exec),
    ("exit", exit::exit),
    ("export", export::export),
    ("false", false_::false_),
    ("fg", fg::fg),
    ("getopts", getopts::getopts),
    ("hash", hash::hash),
    ("help", help::help),
    ("history", history::history),
    ("jobs", jobs::jobs),
    ("kill", kill::kill),
    ("let", let_::let_),
    ("local", local::local),
    ("logout", exit::logout),
    ("mapfile", mapfile::mapfile),
    ("mkfifo", mkfifo::mkfifo),
    ("mktemp", mktemp::mktemp),
    ("popd", popd::popd),
    ("printf", printf::printf),
    ("pushd", pushd::pushd),
    ("pwd", pwd::pwd),
    ("read", read::read),
    ("readarray", mapfile::mapfile),
    ("readonly", readonly::readonly),
    ("return", return_::return_),
    ("set", set::set),
    ("shift", shift::shift),
    ("shopt", shopt::shopt),
    ("source", source::source),
    ("test", test::test),
    ("times", times::times),
    ("trap", trap::trap),
    ("true", true_::true_),
    ("type", type_::type_),
    ("typeset", declare::declare),
    ("ulimit", ulimit::ulimit),
    ("umask", umask::umask),
    ("unalias", unalias::unalias),
    ("unset", unset::unset),
    ("wait", wait::wait),
    ("which", which::which),
];

pub use exec_::keep as exec_keep;

/// Every builtin's name, `grants` (run by the executor) with them.
pub fn names() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|(n, _)| *n).chain(std::iter::once("grants"))
}

pub fn lookup(name: &str) -> Option<Builtin> {
    ALL.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// POSIX special builtins: found before functions; their assignments persist.
pub fn is_special(name: &str) -> bool {
    matches!(
        name,
        ":" | "."
            | "break"
            | "continue"
            | "eval"
            | "exec"
            | "exit"
            | "export"
            | "readonly"
            | "return"
            | "set"
            | "shift"
            | "times"
            | "trap"
            | "unset"
    )
}

/// Whether `name` is a builtin (including `grants`).
pub fn exists(name: &str) -> bool {
    name == "grants" || lookup(name).is_some()
}

/// Write to standard output (descriptor 1, as redirected); false if it failed.
pub fn out(text: &str) -> bool {
    write_fd(1, &crate::escapes::to_bytes(text))
}

pub(crate) fn write_fd(number: i32, mut bytes: &[u8]) -> bool {
    // SAFETY: descriptor 1 or 2 of this process, borrowed for the write only.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(number) };
    while !bytes.is_empty() {
        match nix::unistd::write(fd, bytes) {
            Ok(n) => {
                crate::redirect::tally(number, &bytes[..n]);
                bytes = &bytes[n..]
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return false,
        }
    }
    true
}

/// A builtin's usage error: reported, status 2.
pub fn usage(sh: &Shell, name: &str, text: &str) -> Status {
    sh.error(format!("{name}: usage: {text}"));
    Ok(2)
}

/// Write to standard error (descriptor 2, as redirected).
pub fn err(text: &str) -> bool {
    write_fd(2, &crate::escapes::to_bytes(text))
}

/// The reserved words, for `type` and `command -v`.
pub const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "while", "until", "do", "done",
    "in", "function", "select", "time", "{", "}", "!", "[[", "]]",
];

/// Parse a numeric argument.
pub fn number(sh: &Shell, name: &str, arg: &str) -> Result<i64, Status> {
    arg.trim().parse::<i64>().map_err(|_| {
        sh.error(format!(
            "{name}: {}: numeric argument required",
            pola_fileserver::text::shown(arg)
        ));
        Ok(2)
    })
}
