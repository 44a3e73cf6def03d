//! The powerbox (Plash's name): a jailed program asks, at run time, for a file the user
//! picks.
//!
//! With `--powerbox`, the command inherits one end of a socketpair at descriptor
//! [`FD`], named in `$POLA_POWERBOX`. A request is one line, `read DESC` or
//! `write DESC`; the server asks the user on the terminal which file to give, opens it
//! with the shell's authority (read-only, or for writing, created or truncated), and
//! answers `Y` with the descriptor attached (SCM_RIGHTS), or a line `N reason`. The
//! program never names a path: it gets exactly the file the user chose. Only regular
//! files are given (see [`crate::ask`] on why not directories).

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use sendfd::{RecvWithFd, SendWithFd};

use crate::{terminal, text};

/// The variable that names the descriptor.
pub const ENV: &str = "POLA_POWERBOX";

/// Where the command finds the powerbox socket (above the shell's 0–9 and the shim's
/// socket at 10).
pub const FD: RawFd = 11;

/// The longest description shown to the user.
const MAX_DESC: usize = 200;

/// Client side: ask for a file to read (or write), described to the user as `desc`.
pub fn request(socket: &UnixStream, write: bool, desc: &str) -> Result<OwnedFd, String> {
    // One request is one line; the server escapes what it shows (`crate::text`).
    let desc = desc.replace('\n', " ");
    let verb = if write { "write" } else { "read" };
    (&*socket)
        .write_all(format!("{verb} {desc}\n").as_bytes())
        .map_err(|e| format!("cannot reach the powerbox: {e}"))?;
    let mut buf = [0u8; 512];
    let mut fds = [-1 as RawFd; 1];
    let (n, nfds) = socket
        .recv_with_fd(&mut buf, &mut fds)
        .map_err(|e| format!("no answer from the powerbox: {e}"))?;
    if nfds == 1 {
        // SAFETY: the descriptor was just received with SCM_RIGHTS and is ours alone.
        let fd = unsafe { OwnedFd::from_raw_fd(fds[0]) };
        if n >= 1 && buf[0] == b'Y' {
            return Ok(fd);
        }
    }
    let text = String::from_utf8_lossy(&buf[..n]);
    Err(text
        .strip_prefix("N ")
        .unwrap_or("the powerbox closed")
        .trim()
        .to_string())
}

/// One request, parsed.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    write: bool,
    /// The program's words, escaped (`crate::text`) and cut to `MAX_DESC` bytes.
    desc: String,
}

fn parse(line: &[u8]) -> Option<Request> {
    let at = line.iter().position(|b| *b == b' ');
    let (verb, desc) = match at {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => (line, &b""[..]),
    };
    let write = match verb {
        b"read" => false,
        b"write" => true,
        _ => return None,
    };
    Some(Request {
        write,
        desc: text::escape(text::truncate(desc, MAX_DESC)),
    })
}

/// The path the user typed: `~` is the user's home, a relative path is from `cwd`.
fn chosen(answer: &str, cwd: &Path) -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let path = match (answer.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(answer),
    };
    cwd.join(path)
}

/// Server side: answer the requests of jail `id` (running `name` in `cwd`) until it
/// closes its end.
pub fn serve(socket: UnixStream, name: &str, id: u32, cwd: &Path, questions: &terminal::Questions) {
    let mut lines = BufReader::new(&socket);
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let reply = match parse(line.strip_suffix(b"\n").unwrap_or(&line)) {
            None => Err("bad request".to_string()),
            Some(req) => answer(&req, name, id, cwd, questions),
        };
        let sent = match reply {
            Ok(file) => socket.send_with_fd(b"Y", &[file.as_raw_fd()]).map(drop),
            Err(why) => (&socket).write_all(format!("N {why}\n").as_bytes()),
        };
        if sent.is_err() {
            return;
        }
    }
}

fn answer(
    req: &Request,
    name: &str,
    id: u32,
    cwd: &Path,
    questions: &terminal::Questions,
) -> Result<OwnedFd, String> {
    let verb = if req.write { "write" } else { "read" };
    let desc = if req.desc.is_empty() {
        String::new()
    } else {
        format!(" ({})", req.desc)
    };
    let question = format!(
        "{} asks for a file to {verb}{desc} — path (empty to refuse)?",
        text::shown(name)
    );
    let typed = questions.ask(&question).unwrap_or_default();
    if typed.is_empty() {
        tracing::info!(target: crate::AUDIT, "#{id} powerbox: {verb}{desc}: refused by the user");
        return Err("refused by the user".into());
    }
    let path = chosen(&typed, cwd);
    let flags = if req.write {
        libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC
    } else {
        libc::O_RDONLY
    };
    match crate::ask::open_file(&path, flags, 0o666) {
        Ok(file) => {
            tracing::info!(target: crate::AUDIT, "#{id} powerbox: {verb} {}: granted", text::shown(&path));
            Ok(file)
        }
        Err(e) => {
            let why = format!("cannot open {}: {e}", text::shown(&path));
            tracing::info!(target: crate::AUDIT, "#{id} powerbox: {why}");
            Err(why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse() {
        assert_eq!(
            parse(b"read the input"),
            Some(Request {
                write: false,
                desc: "the input".into()
            })
        );
        assert_eq!(
            parse(b"write"),
            Some(Request {
                write: true,
                desc: String::new()
            })
        );
        assert_eq!(parse(b"delete x"), None);
        assert_eq!(parse(b"read a\x1b[2Jb\r").unwrap().desc, r"a\e[2Jb\r");
        assert_eq!(parse(b"read \xff").unwrap().desc, r"\xff");
        let long = parse(format!("read {}", "é".repeat(200)).as_bytes()).unwrap();
        assert_eq!(long.desc, "é".repeat(MAX_DESC / 2));
    }

    #[test]
    fn chosen_paths() {
        let cwd = Path::new("/w");
        assert_eq!(chosen("a.txt", cwd), PathBuf::from("/w/a.txt"));
        assert_eq!(chosen("/x/y", cwd), PathBuf::from("/x/y"));
    }
}
