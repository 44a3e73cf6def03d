//! Backslash escapes, as `echo -e`, `printf`'s format and `%b`, and `${x@E}` read them
//! (each the way bash does: they differ in octal forms and `\c`).

/// Which escapes are understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `echo -e`: `\0nnn` octal, `\c` stops all output.
    Echo,
    /// `printf %b`: `\0nnn` and `\nnn` octal, `\c` stops all output.
    PercentB,
    /// `printf`'s format: `\nnn` octal, `\"`; `\c` is not special.
    Format,
    /// `$'...'` and `${x@E}`.
    CString,
}

/// `text` with its escapes replaced, and whether a `\c` asked to stop output.
pub fn expand(text: &str, mode: Mode) -> (String, bool) {
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
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            'c' if matches!(mode, Mode::Echo | Mode::PercentB) => return (out, true),
            'c' if mode == Mode::CString => match chars.next() {
                Some(x) => out.push(char::from((x as u8) & 0x1f)),
                None => out.push_str("\\c"),
            },
            '"' if matches!(mode, Mode::Format | Mode::CString) => out.push('"'),
            '\'' | '?' if mode == Mode::CString => out.push(e),
            '0'..='7' => {
                let (digits, first) = match (mode, e) {
                    (Mode::Echo, '0') | (Mode::PercentB, '0') => (3, 0),
                    (Mode::Echo, _) => {
                        out.push('\\');
                        out.push(e);
                        continue;
                    }
                    _ => (2, e.to_digit(8).unwrap_or(0)),
                };
                let mut v = first;
                for _ in 0..digits {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(byte(v));
            }
            'x' | 'u' | 'U' => {
                let max = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v = 0u32;
                let mut n = 0;
                while n < max {
                    match chars.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            chars.next();
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    out.push('\\');
                    out.push(e);
                } else if e == 'x' {
                    out.push(byte(v));
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    (out, false)
}

/// Where a byte that is not UTF-8 lives inside the shell's text: a private-use
/// character per byte value (U+10FF80 to U+10FFFF), turned back into the byte on
/// output (`to_bytes`). Shell strings are bytes; Rust strings are UTF-8.
const RAW_BYTE_BASE: u32 = 0x10FF00;

/// A byte value as a character of the shell's text.
pub fn byte(v: u32) -> char {
    let v = v & 0xff;
    if v < 0x80 {
        char::from(v as u8)
    } else {
        char::from_u32(RAW_BYTE_BASE + v).unwrap_or('\u{fffd}')
    }
}

/// The byte a character of the shell's text stands for, if it is a `byte` character
/// (one that is not UTF-8).
pub fn raw_byte(c: char) -> Option<u8> {
    let v = c as u32;
    (v > RAW_BYTE_BASE + 0x7f && v <= RAW_BYTE_BASE + 0xff).then(|| (v - RAW_BYTE_BASE) as u8)
}

/// Bytes made of the shell's own text and raw bytes (`printf` builds its output so) as
/// the shell's text: UTF-8 as it is, every other byte as its `byte` character.
pub fn from_text_and_bytes(bytes: &[u8]) -> String {
    decode(bytes, false)
}

/// Bytes from outside (a command's output, a line read, a file name) as the shell's
/// text: UTF-8 as it is, every other byte kept as its `byte` character. So is each byte
/// of a character that is itself one of the `byte` characters (U+10FF80 to U+10FFFF,
/// written as UTF-8): taken as it is, `to_bytes` would give back another name (a single
/// byte), and a name a jail planted could stand for one of the user's files.
pub fn from_bytes(bytes: &[u8]) -> String {
    decode(bytes, true)
}

/// `from_bytes`, or with `exact` false `from_text_and_bytes`.
fn decode(bytes: &[u8], exact: bool) -> String {
    let push_valid = |out: &mut String, s: &str| {
        // Those characters all begin with the byte 0xf4 (U+100000 to U+10FFFF).
        if !exact || !s.as_bytes().contains(&0xf4) {
            out.push_str(s);
            return;
        }
        for c in s.chars() {
            match raw_byte(c) {
                Some(_) => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push(byte(u32::from(b)));
                    }
                }
                None => out.push(c),
            }
        }
    };
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                push_valid(&mut out, s);
                return out;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                push_valid(&mut out, std::str::from_utf8(good).unwrap_or_default());
                let n = e.error_len().unwrap_or(bad.len()).max(1);
                for b in &bad[..n] {
                    out.push(byte(*b as u32));
                }
                rest = &bad[n..];
            }
        }
    }
}

/// The shell's text as bytes: `byte` characters become their bytes again.
pub fn to_bytes(text: &str) -> std::borrow::Cow<'_, [u8]> {
    if !text.chars().any(|c| (c as u32) > RAW_BYTE_BASE + 0x7f) {
        return std::borrow::Cow::Borrowed(text.as_bytes());
    }
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let v = c as u32;
        if v > RAW_BYTE_BASE + 0x7f && v <= RAW_BYTE_BASE + 0xff {
            out.push((v - RAW_BYTE_BASE) as u8);
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The shell's text as a path: its `byte` characters are the bytes they stand for
/// (a name that is not UTF-8, from a glob or `$'\xff'`).
pub fn to_path(text: &str) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStringExt;
    std::path::PathBuf::from(std::ffi::OsString::from_vec(to_bytes(text).into_owned()))
}

/// The shell's text as the user is shown it (`pola_fileserver::text::shown`), a raw
/// byte as the byte it stands for (`\xff`), as every name read from the system is shown.
pub fn shown(text: &str) -> String {
    pola_fileserver::text::shown_bytes(&to_bytes(text)).to_string()
}

/// A name from the system (a directory entry, a path) as the shell's text, every byte
/// of it kept (`from_bytes`).
pub fn from_os(name: &std::ffi::OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    from_bytes(name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_comes_back_as_it_was() {
        let names: [&[u8]; 5] = [
            b"plain",
            b"odd\xff\xfe",
            "caf\u{e9}".as_bytes(),
            // The UTF-8 of a character the shell uses for a raw byte: kept as its four
            // bytes, not taken for the one byte 0xff.
            "x\u{10ffff}".as_bytes(),
            b"\xf4\x8f\xbf",
        ];
        for name in names {
            assert_eq!(&*to_bytes(&from_bytes(name)), name, "{name:?}");
        }
        assert_ne!(from_bytes("x\u{10ffff}".as_bytes()), from_bytes(b"x\xff"));
        // Read as the shell reads its own text, the two names are one: the confusion
        // `from_bytes` exists to prevent for bytes from outside.
        let confused = from_text_and_bytes("x\u{10ffff}".as_bytes());
        assert_eq!(&*to_bytes(&confused), b"x\xff");
    }

    #[test]
    fn modes_differ_as_in_bash() {
        assert_eq!(expand(r"\141|\0141|\x41", Mode::Echo).0, r"\141|a|A");
        assert_eq!(expand(r"\141|\0141|\01411", Mode::PercentB).0, "a|a|a1");
        assert_eq!(
            expand(r"\141|\0141|\c|\q", Mode::Format).0,
            "a|\x0c1|\\c|\\q"
        );
        assert_eq!(expand(r"a\cb", Mode::Echo), ("a".into(), true));
        assert_eq!(expand(r"\u00e9\t", Mode::CString).0, "é\t");
        // A byte that is not UTF-8 survives to the output.
        let (text, _) = expand(r"a\xe9b", Mode::Echo);
        assert_eq!(to_bytes(&text).as_ref(), b"a\xe9b");
        assert_eq!(from_bytes(b"\xff\xc3\xa9"), format!("{}é", byte(0xff)));
    }
}
