//! The interactive prompts `PS1` and `PS2`, with bash's backslash escapes (`\u \h \w
//! \W \$ \t \[ \] ...`) and then parameter expansion, command substitution and
//! arithmetic, as bash does.
//!
//! A prompt is shown on the terminal each time, and parts of it can be made by a jail
//! (a directory's name in `\w`, the output of a `$(...)` that ran a jailed command):
//! those are shown through the one escaping function (SECURITY.md 30, 31), so that a
//! name cannot rewrite the screen. The user's own text in `PS1` (colours written as
//! `\e[32m`) is used as written.

use pola_fileserver::text::shown;

use crate::ast::Part;
use crate::exec::Shell;

/// pola-sh's prompt when `PS1` is not set: `pola ~/src$ `.
pub const DEFAULT_PS1: &str = "pola \\w\\$ ";

/// The prompt in variable `var` (`PS1`, `PS2`), expanded.
pub fn expand(sh: &mut Shell, var: &str) -> String {
    let Some(text) = sh.get(var).map(str::to_string) else {
        return String::new();
    };
    let parts = match crate::parse::prompt_parts(&text) {
        Ok(p) => p,
        Err(_) => return escapes(sh, &text),
    };
    let status = sh.status;
    // Commands a prompt runs (`$(git branch ...)` outside a repository) fail quietly:
    // no hint under every prompt.
    let hints = crate::jail::HINTS.swap(false, std::sync::atomic::Ordering::Relaxed);
    // Whoever set it (text made at run time can: `PS1='$(… > ~/.profile)'`), what a
    // prompt runs is text made at run time: no `!!`, no file written (security review).
    let depth = sh.made_at_run_time.max(1);
    let out = sh.at_made_depth(depth, |sh| {
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Literal(s) => out.push_str(&escapes(sh, &s)),
                Part::Escaped('$') => out.push(if sh.identity.uid == 0 { '#' } else { '$' }),
                Part::Escaped(c) => out.push(c),
                other => {
                    let word = crate::ast::Word(vec![other]);
                    if let Ok(v) = crate::expand::string(sh, &word) {
                        out.push_str(&shown(&v).to_string());
                    }
                }
            }
        }
        out
    });
    crate::jail::HINTS.store(hints, std::sync::atomic::Ordering::Relaxed);
    sh.status = status;
    out
}

/// The backslash escapes of a prompt's literal text.
fn escapes(sh: &Shell, text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'u' => out.push_str(&shown(&sh.identity.user).to_string()),
            'h' | 'H' => {
                let host = nix::unistd::gethostname()
                    .map(|h| h.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let host = if e == 'h' {
                    host.split('.').next().unwrap_or("").to_string()
                } else {
                    host
                };
                out.push_str(&shown(&host).to_string());
            }
            'w' => out.push_str(&home_relative(sh)),
            'W' => {
                let cwd = sh.cwd();
                let home = sh.get("HOME").unwrap_or("");
                if !home.is_empty() && cwd == std::path::Path::new(home) {
                    out.push('~');
                } else {
                    let base = cwd
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "/".into());
                    out.push_str(&shown(&base).to_string());
                }
            }
            '$' => out.push(if sh.identity.uid == 0 { '#' } else { '$' }),
            't' | 'T' | '@' | 'A' | 'd' => out.push_str(&time_text(e)),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'e' => out.push('\x1b'),
            's' => out.push_str(crate::exec::PROGRAM),
            'v' | 'V' => out.push_str(env!("CARGO_PKG_VERSION")),
            'j' => out.push_str(&sh.jobs.len().to_string()),
            '!' | '#' => out.push_str(&(sh.history.len() + 1).to_string()),
            'l' => out.push_str("tty"),
            // The non-printing markers: the line editor measures escapes itself.
            '[' | ']' => {}
            '\\' => out.push('\\'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('?'));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// The working directory with `$HOME` shown as `~`.
fn home_relative(sh: &Shell) -> String {
    let cwd = sh.cwd();
    let home = sh.get("HOME").unwrap_or("");
    match cwd.strip_prefix(home) {
        Ok(rest) if !home.is_empty() && home != "/" => format!(
            "~{}{}",
            if rest.as_os_str().is_empty() { "" } else { "/" },
            shown(rest)
        ),
        _ => shown(&cwd).to_string(),
    }
}

/// `\t` (24-hour HH:MM:SS), `\T` (12-hour), `\@` (12-hour am/pm), `\A` (HH:MM),
/// `\d` ("Tue May 26").
fn time_text(kind: char) -> String {
    let format = match kind {
        't' => "%H:%M:%S",
        'T' => "%I:%M:%S",
        '@' => "%I:%M %p",
        'A' => "%H:%M",
        _ => "%a %b %d",
    };
    crate::builtins::printf::strftime(format, None)
}
