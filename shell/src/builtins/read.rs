use std::os::fd::BorrowedFd;

use crate::exec::{Shell, Status};
use crate::vars::Value;

/// `read [-ers] [-a array] [-d delim] [-n n] [-N n] [-p prompt] [-t timeout] [-u fd]
/// [name]...` — read a line (up to delim) a byte at a time, so nothing after it is
/// consumed, and split it on IFS into the names (the last gets the rest; with none,
/// `REPLY` gets the whole line). Without `-r`, a backslash quotes the next character
/// and a backslash-newline continues the line. The status is 1 at end of input
/// (the names are set all the same), above 128 when `-t` timed out.
pub fn read(sh: &mut Shell, argv: &[String]) -> Status {
    sh.reads_input();
    let mut raw = false;
    let mut array: Option<String> = None;
    let mut delim: Option<u8> = Some(b'\n');
    let mut limit: Option<usize> = None;
    let mut exact = false;
    let mut prompt: Option<String> = None;
    let mut timeout: Option<f64> = None;
    let mut fd = 0;
    let mut silent = false;
    let mut names = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        if a == "--" {
            names.extend(argv[i + 1..].iter().cloned());
            break;
        }
        if !a.starts_with('-') || a == "-" || !names.is_empty() {
            names.push(a.to_string());
            i += 1;
            continue;
        }
        for (k, c) in a[1..].char_indices() {
            let takes_value = matches!(c, 'a' | 'd' | 'n' | 'N' | 'p' | 't' | 'u' | 'i');
            let value = if takes_value {
                let rest = &a[1 + k + 1..];
                let v = if !rest.is_empty() {
                    rest.to_string()
                } else {
                    i += 1;
                    match argv.get(i) {
                        Some(v) => v.clone(),
                        None => {
                            sh.error(format!("read: -{c}: option requires an argument"));
                            return Ok(2);
                        }
                    }
                };
                Some(v)
            } else {
                None
            };
            match (c, value) {
                ('r', _) => raw = true,
                ('s', _) => silent = true,
                ('e', _) => {}
                ('a', Some(v)) => array = Some(v),
                ('d', Some(v)) => delim = Some(v.bytes().next().unwrap_or(0)),
                ('n' | 'N', Some(v)) => match v.parse::<usize>() {
                    Ok(n) => {
                        limit = Some(n);
                        exact = c == 'N';
                    }
                    Err(_) => {
                        sh.error(format!(
                            "read: {}: invalid number",
                            pola_fileserver::text::shown(&v)
                        ));
                        return Ok(1);
                    }
                },
                ('p', Some(v)) => prompt = Some(v),
                ('t', Some(v)) => match v.parse::<f64>() {
                    Ok(t) if t >= 0.0 => timeout = Some(t),
                    _ => {
                        sh.error(format!(
                            "read: {}: invalid timeout specification",
                            pola_fileserver::text::shown(&v)
                        ));
                        return Ok(1);
                    }
                },
                ('u', Some(v)) => match v.parse::<i32>() {
                    Ok(n) if n >= 0 => fd = n,
                    _ => {
                        sh.error(format!(
                            "read: {}: invalid file descriptor specification",
                            pola_fileserver::text::shown(&v)
                        ));
                        return Ok(1);
                    }
                },
                ('i', Some(_)) => {}
                _ => {
                    sh.error(format!("read: -{c}: invalid option"));
                    return Ok(2);
                }
            }
            if takes_value {
                break;
            }
        }
        i += 1;
    }
    for n in names.iter().chain(array.iter()) {
        if !crate::vars::valid_name(n) {
            sh.error(format!(
                "read: `{}': not a valid identifier",
                pola_fileserver::text::shown(n)
            ));
            return Ok(1);
        }
    }
    // `-s`: what is typed is not shown (a password), while this read lasts; set before
    // the prompt, so that nothing typed after it is shown.
    // So too after a command's `stty -echo` (its terminal was its own).
    let silent = silent || crate::job::echo_left_off();
    let _quiet = silent.then(|| Quiet::new(fd)).flatten();
    if let Some(p) = &prompt {
        if nix::unistd::isatty(borrow(fd)).unwrap_or(false) {
            super::err(p);
        }
    }
    if let Some(t) = timeout {
        let ready = wait_readable(fd, t);
        if t == 0.0 {
            return Ok(if ready { 0 } else { 1 });
        }
        if !ready {
            for n in &names {
                let _ = sh.assign(n, "");
            }
            return Ok(142);
        }
    }
    if limit == Some(0) {
        for n in &names {
            let _ = sh.assign(n, "");
        }
        return Ok(0);
    }
    // Ctrl-C at an interactive shell ends the read and the line it is in, as in bash
    // (it waited for Enter; review).
    let terminal = nix::unistd::isatty(borrow(fd)).unwrap_or(false);
    let _caught = (sh.interactive && !sh.subshell && terminal)
        .then(|| crate::sys::catch_sigint(crate::exec::interrupted));
    // The characters read, each with whether it was quoted by a backslash.
    let mut line: Vec<(char, bool)> = Vec::new();
    let mut eof = false;
    let stop = if exact { None } else { delim };
    let mut pending: Vec<u8> = Vec::new();
    let mut escaped = false;
    loop {
        if let Some(n) = limit {
            if line.len() >= n {
                break;
            }
        }
        let Some(b) = read_byte(fd) else {
            eof = true;
            break;
        };
        if !escaped && stop == Some(b) {
            break;
        }
        pending.push(b);
        // Wait for a whole UTF-8 character; other bytes are kept as they are, and so is
        // each byte of a character that stands for a raw byte (`escapes::from_bytes`):
        // what the bytes read so far make, in order.
        if matches!(std::str::from_utf8(&pending), Err(e) if e.error_len().is_none() && pending.len() < 4)
        {
            continue;
        }
        let text = crate::escapes::from_bytes(&pending);
        pending.clear();
        for c in text.chars() {
            if escaped {
                escaped = false;
                if c != '\n' {
                    line.push((c, true));
                }
            } else if c == '\\' && !raw {
                escaped = true;
            } else {
                line.push((c, false));
            }
        }
    }
    // The start of a character cut short by the delimiter or the end: kept as bytes.
    line.extend(
        crate::escapes::from_bytes(&pending)
            .chars()
            .map(|c| (c, false)),
    );
    let ifs = sh
        .get("IFS")
        .map(str::to_string)
        .unwrap_or_else(|| " \t\n".into());
    let status = if eof { 1 } else { 0 };
    if exact {
        let text: String = line.iter().map(|c| c.0).collect();
        let target = names.first().cloned().unwrap_or_else(|| "REPLY".into());
        if let Err(e) = sh.assign(&target, &text) {
            sh.error(format!("read: {e}"));
            return Ok(1);
        }
        return Ok(status);
    }
    if let Some(a) = array {
        let fields = split_all(&line, &ifs);
        let m = fields.into_iter().enumerate().collect();
        if let Err(e) = sh.vars.set_value(&a, Value::Indexed(m)) {
            sh.error(format!("read: {e}"));
            return Ok(1);
        }
        return Ok(status);
    }
    if names.is_empty() {
        let text: String = line.iter().map(|c| c.0).collect();
        if let Err(e) = sh.assign("REPLY", &text) {
            sh.error(format!("read: {e}"));
            return Ok(1);
        }
        return Ok(status);
    }
    let values = split_into(&line, &ifs, names.len());
    for (name, value) in names.iter().zip(values) {
        if let Err(e) = sh.assign(name, &value) {
            sh.error(format!("read: {e}"));
            return Ok(1);
        }
    }
    Ok(status)
}

/// A terminal's echo turned off until dropped (`read -s`).
struct Quiet {
    fd: i32,
    modes: nix::sys::termios::Termios,
}

impl Quiet {
    fn new(fd: i32) -> Option<Quiet> {
        use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
        let modes = tcgetattr(borrow(fd)).ok()?;
        let mut quiet = modes.clone();
        quiet.local_flags.remove(LocalFlags::ECHO);
        tcsetattr(borrow(fd), SetArg::TCSANOW, &quiet).ok()?;
        Some(Quiet { fd, modes })
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        let _ = nix::sys::termios::tcsetattr(
            borrow(self.fd),
            nix::sys::termios::SetArg::TCSANOW,
            &self.modes,
        );
    }
}

fn borrow(fd: i32) -> BorrowedFd<'static> {
    // SAFETY: a descriptor number of this process, borrowed for one call; a closed one
    // gives EBADF.
    unsafe { BorrowedFd::borrow_raw(fd) }
}

/// One byte from `fd`, or None at end of input (or on an error, or Ctrl-C at an
/// interactive shell).
fn read_byte(fd: i32) -> Option<u8> {
    let mut b = [0u8; 1];
    loop {
        match nix::unistd::read(borrow(fd), &mut b) {
            Ok(1) => return Some(b[0]),
            Ok(_) => return None,
            Err(nix::errno::Errno::EINTR)
                if crate::exec::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) =>
            {
                return None
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return None,
        }
    }
}

/// Bytes from `fd` up to `delim` (not included) or the end: the bytes, and the
/// delimiter if one ended them.
pub fn read_until(fd: i32, delim: Option<u8>) -> (Vec<u8>, Option<u8>) {
    let mut out = Vec::new();
    while let Some(b) = read_byte(fd) {
        if Some(b) == delim {
            return (out, Some(b));
        }
        out.push(b);
    }
    (out, None)
}

/// Whether `fd` has input within `seconds`.
fn wait_readable(fd: i32, seconds: f64) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let ms = (seconds * 1000.0).min(i32::MAX as f64) as i32;
    let mut fds = [PollFd::new(borrow(fd), PollFlags::POLLIN)];
    matches!(poll(&mut fds, PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)), Ok(n) if n > 0)
}

fn is_ifs(c: &(char, bool), ifs: &str) -> bool {
    !c.1 && ifs.contains(c.0)
}

fn is_white(c: &(char, bool), ifs: &str) -> bool {
    is_ifs(c, ifs) && c.0.is_whitespace()
}

/// Skip one field delimiter: IFS white space around at most one other IFS character.
fn skip_delimiter<'a>(mut rest: &'a [(char, bool)], ifs: &str) -> &'a [(char, bool)] {
    while rest.first().is_some_and(|c| is_white(c, ifs)) {
        rest = &rest[1..];
    }
    if rest
        .first()
        .is_some_and(|c| is_ifs(c, ifs) && !c.0.is_whitespace())
    {
        rest = &rest[1..];
        while rest.first().is_some_and(|c| is_white(c, ifs)) {
            rest = &rest[1..];
        }
    }
    rest
}

/// Split for `n` names: n-1 fields, and the rest (trimmed as sh does) for the last.
fn split_into(line: &[(char, bool)], ifs: &str, n: usize) -> Vec<String> {
    let mut rest: &[(char, bool)] = line;
    while rest.first().is_some_and(|c| is_white(c, ifs)) {
        rest = &rest[1..];
    }
    let mut out = Vec::new();
    for i in 0..n {
        if i + 1 == n {
            let mut end = rest.len();
            while end > 0 && is_white(&rest[end - 1], ifs) {
                end -= 1;
            }
            let mut last = &rest[..end];
            // One delimiter after the last field is not part of it.
            if let Some(c) = last.last() {
                if is_ifs(c, ifs) && !c.0.is_whitespace() {
                    let body = &last[..last.len() - 1];
                    if !body.iter().any(|c| is_ifs(c, ifs)) {
                        last = body;
                        let mut end = last.len();
                        while end > 0 && is_white(&last[end - 1], ifs) {
                            end -= 1;
                        }
                        last = &last[..end];
                    }
                }
            }
            out.push(last.iter().map(|c| c.0).collect());
            break;
        }
        let end = rest
            .iter()
            .position(|c| is_ifs(c, ifs))
            .unwrap_or(rest.len());
        out.push(rest[..end].iter().map(|c| c.0).collect());
        rest = skip_delimiter(&rest[end..], ifs);
    }
    while out.len() < n {
        out.push(String::new());
    }
    out
}

/// Every field of the line (`read -a`).
fn split_all(line: &[(char, bool)], ifs: &str) -> Vec<String> {
    let mut rest: &[(char, bool)] = line;
    while rest.first().is_some_and(|c| is_white(c, ifs)) {
        rest = &rest[1..];
    }
    let mut out = Vec::new();
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|c| is_ifs(c, ifs))
            .unwrap_or(rest.len());
        out.push(rest[..end].iter().map(|c| c.0).collect());
        rest = skip_delimiter(&rest[end..], ifs);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<(char, bool)> {
        s.chars().map(|c| (c, false)).collect()
    }

    #[test]
    fn the_last_name_gets_the_rest_as_bash_gives_it() {
        let cases = [
            ("a:b:", ":", ["a", "b"]),
            ("a:b::", ":", ["a", "b::"]),
            ("a:b: ", ":", ["a", "b: "]),
            ("a::", ":", ["a", ""]),
            (":a", ":", ["", "a"]),
            ("a:b:c:", ":", ["a", "b:c:"]),
            ("a:b: ", ": ", ["a", "b"]),
            ("  a b  ", " \t\n", ["a", "b"]),
        ];
        for (line, ifs, want) in cases {
            assert_eq!(
                split_into(&chars(line), ifs, 2),
                want,
                "{line:?} with {ifs:?}"
            );
        }
        assert_eq!(split_all(&chars(" a  b "), " "), ["a", "b"]);
    }
}
