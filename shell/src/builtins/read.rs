use crate::exec::{Shell, Status};

/// `read [-r] [-p prompt] [name]...` — read one line from standard input (a byte at a
/// time, so nothing after the line is consumed) and split it on IFS into the names;
/// the last name gets the rest. Without `-r`, backslash escapes and continues lines.
pub fn read(sh: &mut Shell, argv: &[String]) -> Status {
    let mut raw = false;
    let mut names = Vec::new();
    let mut args = argv[1..].iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-r" => raw = true,
            "-p" => {
                if let Some(p) = args.next() {
                    eprint!("{p}");
                }
            }
            n => names.push(n.to_string()),
        }
    }
    if names.is_empty() {
        names.push("REPLY".into());
    }
    // The bytes, with which were escaped (never split).
    let mut line: Vec<(char, bool)> = Vec::new();
    let mut bytes = Vec::new();
    let mut eof = false;
    let stdin = unsafe_stdin();
    loop {
        let mut b = [0u8; 1];
        match nix::unistd::read(stdin, &mut b) {
            Ok(0) => {
                eof = true;
                break;
            }
            Ok(_) => {
                if b[0] == b'\n' {
                    break;
                }
                bytes.push(b[0]);
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => {
                eof = true;
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && !raw {
            if let Some(n) = chars.next() {
                line.push((n, true));
            }
        } else {
            line.push((c, false));
        }
    }
    let ifs = sh.get("IFS").unwrap_or(" \t\n").to_string();
    let is_ifs = |c: &(char, bool)| !c.1 && ifs.contains(c.0);
    let is_white = |c: &(char, bool)| is_ifs(c) && c.0.is_whitespace();
    // Trim leading IFS white space.
    let mut rest: &[(char, bool)] = &line;
    while rest.first().is_some_and(is_white) {
        rest = &rest[1..];
    }
    for (i, name) in names.iter().enumerate() {
        let value: String = if i + 1 == names.len() {
            let mut end = rest.len();
            while end > 0 && is_white(&rest[end - 1]) {
                end -= 1;
            }
            let v = rest[..end].iter().map(|c| c.0).collect();
            rest = &[];
            v
        } else {
            let end = rest.iter().position(is_ifs).unwrap_or(rest.len());
            let v = rest[..end].iter().map(|c| c.0).collect();
            rest = &rest[end..];
            // Skip one delimiter and the white space around it.
            while rest.first().is_some_and(is_white) {
                rest = &rest[1..];
            }
            if rest
                .first()
                .is_some_and(|c| is_ifs(c) && !c.0.is_whitespace())
            {
                rest = &rest[1..];
            }
            while rest.first().is_some_and(is_white) {
                rest = &rest[1..];
            }
            v
        };
        sh.set(name, &value);
    }
    // End of file before a newline: the values are set, but the status says so.
    Ok(if eof { 1 } else { 0 })
}

fn unsafe_stdin() -> std::os::fd::BorrowedFd<'static> {
    // SAFETY: descriptor 0 of this process, borrowed for reads only.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(0) }
}
