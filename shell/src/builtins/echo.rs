use crate::exec::{Shell, Status};

/// `echo [-n] [arg]...` — as dash: backslash escapes are interpreted (`\n`, `\t`,
/// `\c` stops output, `\0nnn` octal), `-n` drops the newline.
pub fn echo(_: &mut Shell, argv: &[String]) -> Status {
    let mut args = &argv[1..];
    let mut newline = true;
    if args.first().map(String::as_str) == Some("-n") {
        newline = false;
        args = &args[1..];
    }
    let mut out = String::new();
    'words: for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut chars = a.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('a') => out.push('\x07'),
                Some('b') => out.push('\x08'),
                Some('f') => out.push('\x0c'),
                Some('v') => out.push('\x0b'),
                Some('\\') => out.push('\\'),
                Some('c') => {
                    newline = false;
                    break 'words;
                }
                Some('0') => {
                    let mut v = 0u32;
                    for _ in 0..3 {
                        match chars.peek().and_then(|c| c.to_digit(8)) {
                            Some(d) => {
                                v = v * 8 + d;
                                chars.next();
                            }
                            None => break,
                        }
                    }
                    out.push(char::from_u32(v).unwrap_or('?'));
                }
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        }
    }
    if newline {
        out.push('\n');
    }
    Ok(if super::out(&out) { 0 } else { 1 })
}
