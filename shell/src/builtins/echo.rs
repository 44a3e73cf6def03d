use crate::exec::{Shell, Status};

/// `echo [-n] [arg]...` — as dash (XSI): backslash escapes are interpreted as printf's
/// `%b` does (`\n`, `\t`, `\c` stops output, `\0nnn` octal), `-n` drops the newline.
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
            } else if super::printf::escape(&mut chars, &mut out, true) {
                newline = false;
                break 'words;
            }
        }
    }
    if newline {
        out.push('\n');
    }
    Ok(if super::out(&out) { 0 } else { 1 })
}
