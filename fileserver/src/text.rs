//! Text a jail made, shown to the user (SECURITY.md 30 and 31).
//!
//! A jailed command chooses the names of the files it creates, the paths it opens, the
//! name it runs under and the words it prints into a `$(...)`. When pola-sh shows one
//! of them — an `--ask` or powerbox question, an error, `grants` and `--explain`,
//! `--learn`'s profile lines, an audit record, the prompt — a raw `\r` or escape
//! sequence would let the jail rewrite the question into an innocent one or hide a
//! line, a newline would add a line of its choosing (a profile rule, an audit record),
//! and a look-alike slash (`∕` U+2215) or a bidi override would make one path read as
//! another. So every such string is shown through [`escape`] (or [`shown`], the same
//! as a `Display`): one rule, so that a name reads the same everywhere, and the result
//! is one line in which every character is what it looks like.
//!
//! The rule works on bytes, since paths on Linux are bytes:
//! - printable ASCII (space to `~`) is kept, except `\`, which is doubled;
//! - `\n`, `\r`, `\t` and ESC are written `\n`, `\r`, `\t`, `\e`; other control bytes
//!   and DEL are written `\xNN`;
//! - a byte that is not part of valid UTF-8 is written `\xNN`;
//! - a non-ASCII character that is a letter or a digit (`café`, `日本`, `٣`) is kept, so
//!   that names in any script stay readable; every other one is written `\u{XXXX}`:
//!   bidi controls (U+202E), zero-width characters (U+200B), spaces other than ASCII's,
//!   punctuation and symbols that look like ASCII (`∕` U+2215, `⁄` U+2044, `／` U+FF0F),
//!   and combining marks, which can draw a slash over a letter (U+0338) — a name
//!   written with decomposed accents shows its marks escaped, the price of that.
//!
//! Letters that happen to resemble punctuation (`ノ`) are letters and are kept; the rule
//! protects what a path *does* (its separators, its lines), not every glyph.
//!
//! The escapes are also a quoting: [`quote`] writes any byte string as `"..."` (with
//! `\"` for a quote), and [`unquote`] reads it back byte for byte. Profile lines use it
//! for names a bare word cannot hold, so `--learn` never writes a raw newline.

use std::ffi::OsStr;
use std::fmt::{self, Write};
use std::os::unix::ffi::OsStrExt;

/// Where [`say`] and [`say_now`] send a line: the shell's own reporter (which ends it
/// as the terminal needs, and for [`say`] holds it while a job has the terminal);
/// standard error if none.
static SAY: std::sync::OnceLock<Sayers> = std::sync::OnceLock::new();

/// [`say`]'s and [`say_now`]'s.
type Sayers = (fn(String), fn(String));

/// Send every [`say`] line to `to` (the shell's `report::line`), every [`say_now`]
/// line to `now` (`report::now`).
pub fn say_with(to: fn(String), now: fn(String)) {
    let _ = SAY.set((to, now));
}

/// One line for the user, from the server's side (a jail's end: what was discarded
/// beside its slots). Said with `eprintln!` while the terminal was raw for a job, a
/// line began where the last one ended (new-user trial: output at column 140).
pub fn say(line: String) {
    match SAY.get() {
        Some((to, _)) => to(line),
        None => eprintln!("{line}"),
    }
}

/// One line for the user while a jail runs, not held until its end: what the user
/// would otherwise wait for in silence (hints' `Observed::connected`).
pub fn say_now(line: String) {
    match SAY.get() {
        Some((_, now)) => now(line),
        None => eprintln!("{line}"),
    }
}

/// `text` made safe to show: see the module doc for the rule.
pub fn escape(text: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = write_escaped(&mut out, text, false);
    out
}

/// `text` (a path, an `OsStr`, a `str`) as a `Display` that escapes it, for `format!`.
pub fn shown<T: AsRef<OsStr> + ?Sized>(text: &T) -> Shown<'_> {
    Shown(text.as_ref().as_bytes())
}

/// Names a jail made, each escaped ([`shown`]), joined by commas, with `, …` after
/// them when `more` were left out (`a, b, …`).
pub fn names<T: AsRef<OsStr>>(names: &[T], more: bool) -> String {
    let mut list = names
        .iter()
        .map(|n| shown(n).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if more {
        list.push_str(", …");
    }
    list
}

/// How `n` names a jail left, `directories` among them, are counted in a message,
/// and its verb: `1 file … was`, `2 files … were`, `1 directory`, `3 files and
/// directories`.
pub fn left_over(n: usize, directories: bool) -> (&'static str, &'static str) {
    let noun = match (n, directories) {
        (1, false) => "file",
        (_, false) => "files",
        (1, true) => "directory",
        (_, true) => "files and directories",
    };
    (noun, if n == 1 { "was" } else { "were" })
}

/// Bytes as a `Display` that escapes them (see [`shown`]).
pub fn shown_bytes(text: &[u8]) -> Shown<'_> {
    Shown(text)
}

/// A string shown through [`escape`], written straight into a formatter.
#[derive(Clone, Copy, Debug)]
pub struct Shown<'a>(&'a [u8]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0, false)
    }
}

/// At most the first `max` bytes of `text`, not cutting a UTF-8 character in two (a
/// question or record about a long string shows its beginning).
pub fn truncate(text: &[u8], max: usize) -> &[u8] {
    if text.len() <= max {
        return text;
    }
    // A continuation byte (10xxxxxx) is inside a character: cut before its first byte.
    let start = (max.saturating_sub(3)..=max)
        .rev()
        .find(|&i| text[i] & 0xc0 != 0x80);
    &text[..start.unwrap_or(max)]
}

/// `text` as a double-quoted string with the escapes of [`escape`] and `\"`, which
/// [`unquote`] reads back exactly, whatever the bytes.
pub fn quote(text: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let _ = write_escaped(&mut out, text, true);
    out.push('"');
    out
}

/// `text` as a word of a command line for the user to type (a hint's "try:"): as
/// [`escape`] shows it, and in double quotes when it holds anything a shell reads
/// specially (`c d.txt`, `it's here`, `*.log`), with `"`, `$` and `` ` `` escaped in
/// them. Double, since a single-quoted word is never a grant.
///
/// A name beginning like a grant marker or an option (`@net`, `-e`, `+`, `=>x`, `{`,
/// `!!x`) is written `./@net`: a jail's file named `@net` made the pasted hint a grant
/// of the network (security review). Only for a name that [`typable`] says is one:
/// the escapes of a name that is not would name another file when pasted.
pub fn word<T: AsRef<OsStr> + ?Sized>(text: &T) -> String {
    let bytes = text.as_ref().as_bytes();
    if bytes.first().is_some_and(|b| b"@-+={}!#".contains(b)) {
        let mut dotted = b"./".to_vec();
        dotted.extend_from_slice(bytes);
        return word(OsStr::from_bytes(&dotted));
    }
    let shown = escape(bytes);
    let plain = !shown.is_empty()
        && !shown.starts_with('~')
        && shown
            .chars()
            .all(|c| c.is_alphanumeric() || "_./,:@%+=-^".contains(c));
    if plain {
        return shown;
    }
    // [`quote`] escapes `"`; a shell would still expand `$` and `` ` `` inside.
    quote(bytes).replace('$', "\\$").replace('`', "\\`")
}

/// A word of a command's line as it will be suggested again: an option (`-v`,
/// `--since=2d`: a `-` and then only letters, digits and `-_=.,:`) as it is, anything
/// else as a [`word`] naming exactly it — a name a glob found may start with `-` and
/// hold `;` or `$(…)`, which a pasted suggestion would run (review).
pub fn arg_word<T: AsRef<OsStr> + ?Sized>(text: &T) -> String {
    let bytes = text.as_ref().as_bytes();
    let option = bytes.len() > 1
        && bytes[0] == b'-'
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=.,:".contains(b));
    match option {
        true => String::from_utf8_lossy(bytes).into_owned(),
        false => word(text),
    }
}

/// Whether `text` can be typed as a word that names it ([`word`]): nothing in it is
/// escaped (a control character, a byte that is not UTF-8, a look-alike), so the
/// word's characters are the name's.
pub fn typable<T: AsRef<OsStr> + ?Sized>(text: &T) -> bool {
    // A backslash is shown doubled, which a double-quoted word reads back as one:
    // every other character must be shown as it is.
    let without: Vec<u8> = text
        .as_ref()
        .as_bytes()
        .iter()
        .copied()
        .filter(|b| *b != b'\\')
        .collect();
    is_plain(&without)
}

/// Whether [`escape`] shows `text` as it is (nothing in it needs an escape).
pub fn is_plain(text: &[u8]) -> bool {
    escape(text).as_bytes() == text
}

/// Read a string that [`quote`] wrote, at the start of `input`: the bytes it stands
/// for, and what follows the closing quote. Raw characters other than `"` and `\` are
/// taken as they are (a hand-written profile may hold them).
pub fn unquote(input: &str) -> Result<(Vec<u8>, &str), String> {
    let mut chars = input
        .strip_prefix('"')
        .ok_or("expected '\"'")?
        .char_indices();
    let body = &input[1..];
    let mut out = Vec::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &body[i + 1..])),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    '\\' | '"' => out.push(e as u8),
                    'n' => out.push(b'\n'),
                    'r' => out.push(b'\r'),
                    't' => out.push(b'\t'),
                    'e' => out.push(0x1b),
                    'x' => {
                        let hex: String = chars.by_ref().take(2).map(|(_, h)| h).collect();
                        let byte = (hex.len() == 2 && hex.chars().all(|h| h.is_ascii_hexdigit()))
                            .then(|| u8::from_str_radix(&hex, 16).ok())
                            .flatten()
                            .ok_or_else(|| {
                                format!("bad escape '\\x{hex}' (expected two hex digits)")
                            })?;
                        out.push(byte);
                    }
                    'u' => {
                        let rest = &body[i + 2..];
                        let digits = rest
                            .strip_prefix('{')
                            .and_then(|r| r.split_once('}'))
                            .map(|(d, _)| d)
                            .ok_or("bad escape '\\u' (expected '\\u{XXXX}')")?;
                        let hex = (1..=6).contains(&digits.len())
                            && digits.chars().all(|h| h.is_ascii_hexdigit());
                        let c = hex
                            .then(|| u32::from_str_radix(digits, 16).ok())
                            .flatten()
                            .and_then(char::from_u32)
                            .ok_or_else(|| {
                                format!("bad escape '\\u{{{digits}}}' (not a character)")
                            })?;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        // Skip the braces and the digits.
                        for _ in 0..digits.chars().count() + 2 {
                            chars.next();
                        }
                    }
                    other => return Err(format!("bad escape '\\{other}'")),
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    Err("missing closing '\"'".into())
}

/// The rule of the module doc, with `"` escaped too when `quoting`.
fn write_escaped(out: &mut impl Write, text: &[u8], quoting: bool) -> fmt::Result {
    for chunk in text.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.write_str("\\\\")?,
                '"' if quoting => out.write_str("\\\"")?,
                '\n' => out.write_str("\\n")?,
                '\r' => out.write_str("\\r")?,
                '\t' => out.write_str("\\t")?,
                '\x1b' => out.write_str("\\e")?,
                ' '..='~' => out.write_char(c)?,
                c if c.is_ascii() => write!(out, "\\x{:02x}", c as u32)?,
                // Letters that show as nothing (Hangul fillers, Khmer inherent vowels):
                // `e.txt\u{3164}` looked like `e.txt` (review).
                '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' | '\u{17b4}' | '\u{17b5}' => {
                    write!(out, "\\u{{{:x}}}", c as u32)?
                }
                c if c.is_alphanumeric() => out.write_char(c)?,
                c => write!(out, "\\u{{{:x}}}", c as u32)?,
            }
        }
        for b in chunk.invalid() {
            write!(out, "\\x{b:02x}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_to_type_is_quoted_where_a_shell_would_read_it_otherwise() {
        assert_eq!(word("notes.txt"), "notes.txt");
        assert_eq!(word("src/a-b_c.rs"), "src/a-b_c.rs");
        assert_eq!(word("c d.txt"), "\"c d.txt\"");
        assert_eq!(word("it's here.txt"), "\"it's here.txt\"");
        assert_eq!(word("*.log"), "\"*.log\"");
        assert_eq!(word("a\"$b`c"), "\"a\\\"\\$b\\`c\"");
        assert_eq!(word("~x"), "\"~x\"");
        assert_eq!(word("x\x1b[2J"), "\"x\\e[2J\"");
        assert_eq!(word("café"), "café");
        // What pola-sh reads as a grant marker or an option stays a file name.
        assert_eq!(word("@net"), "./@net");
        assert_eq!(word("@net:198.51.100.7"), "./@net:198.51.100.7");
        assert_eq!(word("-e"), "./-e");
        assert_eq!(word("!!x y"), "\"./!!x y\"");
        assert!(typable("c d.txt") && typable("a\\b") && !typable("x\x1by"));
    }
    use proptest::prelude::*;

    #[test]
    fn control_bytes_are_escaped() {
        assert_eq!(escape(b"a\nb\rc\td\x1b[2Ke"), r"a\nb\rc\td\e[2Ke");
        assert_eq!(escape(b"\x00\x07\x7f\x08"), r"\x00\x07\x7f\x08");
        assert_eq!(escape(b"back\\slash"), r"back\\slash");
        // C1 controls (U+0085 next line, U+009B a one-byte CSI) are not letters.
        assert_eq!(escape("a\u{85}b\u{9b}2J".as_bytes()), r"a\u{85}b\u{9b}2J");
        // Letters that show as nothing are not shown as nothing.
        assert_eq!(escape("e.txt\u{3164}".as_bytes()), r"e.txt\u{3164}");
        assert_eq!(escape("\u{115f}x\u{ffa0}".as_bytes()), r"\u{115f}x\u{ffa0}");
    }

    #[test]
    fn invalid_utf8_is_escaped_byte_by_byte() {
        assert_eq!(escape(b"caf\xe9"), r"caf\xe9");
        assert_eq!(escape(b"\xff\xfe/x"), r"\xff\xfe/x");
        // A truncated sequence: the lead bytes are invalid, the ASCII after them not.
        assert_eq!(escape(b"\xe6\x97a"), r"\xe6\x97a");
    }

    #[test]
    fn bidi_and_invisible_characters_are_escaped() {
        // "txt.exe" written right to left: shows as "exe.txt" unescaped.
        assert_eq!(escape("\u{202e}txt.exe".as_bytes()), r"\u{202e}txt.exe");
        assert_eq!(escape("a\u{200b}b".as_bytes()), r"a\u{200b}b");
        assert_eq!(
            escape("a\u{2066}b\u{2069}".as_bytes()),
            r"a\u{2066}b\u{2069}"
        );
        assert_eq!(escape("no\u{a0}break".as_bytes()), r"no\u{a0}break");
        assert_eq!(escape("line\u{2028}sep".as_bytes()), r"line\u{2028}sep");
        assert_eq!(escape("\u{feff}bom".as_bytes()), r"\u{feff}bom");
    }

    #[test]
    fn look_alike_slashes_are_escaped() {
        assert_eq!(
            escape("/tmp/home\u{2215}u\u{2044}.ssh\u{ff0f}id".as_bytes()),
            r"/tmp/home\u{2215}u\u{2044}.ssh\u{ff0f}id"
        );
        // A combining long solidus overlay draws a slash through the letter before it.
        assert_eq!(escape("a\u{338}b".as_bytes()), r"a\u{338}b");
    }

    #[test]
    fn names_in_any_script_stay_readable() {
        for name in [
            "café",
            "日本.txt",
            "Ünïcödé",
            "Ελληνικά",
            "русский",
            "عربي٣",
            "한국어",
        ] {
            assert_eq!(escape(name.as_bytes()), name);
            assert!(is_plain(name.as_bytes()));
        }
        assert_eq!(escape(b"/home/u/notes (1).txt"), "/home/u/notes (1).txt");
        assert!(!is_plain("\u{2215}".as_bytes()));
    }

    #[test]
    fn shown_formats_paths_and_strings() {
        let p = std::path::Path::new("/x/a\nb");
        assert_eq!(format!("{}: no", shown(p)), r"/x/a\nb: no");
        assert_eq!(shown("é\u{1b}").to_string(), r"é\e");
        assert_eq!(shown_bytes(b"\xff").to_string(), r"\xff");
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate(b"abcdef", 3), b"abc");
        assert_eq!(truncate("aé".as_bytes(), 2), b"a");
        assert_eq!(truncate("日本".as_bytes(), 4), "日".as_bytes());
        assert_eq!(truncate(b"ab", 5), b"ab");
        // Not UTF-8: cut where asked.
        assert_eq!(truncate(b"\x80\x80\x80\x80\x80", 2), b"\x80\x80");
    }

    #[test]
    fn quoting_round_trips_examples() {
        for s in [
            &b""[..],
            b"plain",
            b"a\"b\\c",
            b"x\nrw ~\r\x1b[2K",
            b"\xff\x00\x7f",
            "∕日本\u{202e}".as_bytes(),
            b"\\u{41}",
        ] {
            let q = quote(s);
            assert!(!q.contains('\n') && !q.contains('\x1b'), "{q}");
            let line = format!("{q} # after");
            let (back, rest) = unquote(&line).unwrap();
            assert_eq!(back, s, "{q}");
            assert_eq!(rest, " # after");
        }
    }

    #[test]
    fn unquote_reports_bad_input() {
        assert!(unquote("plain").is_err());
        assert!(unquote("\"open").unwrap_err().contains("closing"));
        assert!(unquote("\"\\q\"").unwrap_err().contains("bad escape"));
        assert!(unquote("\"\\x4\"").is_err());
        assert!(unquote("\"\\u{110000}\"").is_err());
        assert!(unquote("\"\\u41\"").is_err());
        assert!(unquote("\"\\x+4\"").is_err());
        assert!(unquote("\"\\u{+41}\"").is_err());
        assert_eq!(unquote("\"\\u{41}é\"").unwrap().0, "Aé".as_bytes());
    }

    proptest! {
        #[test]
        fn any_bytes_round_trip_and_stay_one_line(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let q = quote(&bytes);
            prop_assert!(!q.bytes().any(|b| b < 0x20 || b == 0x7f), "{}", q);
            let (back, rest) = unquote(&q).unwrap();
            prop_assert_eq!(back, bytes.clone());
            prop_assert_eq!(rest, "");
            let e = escape(&bytes);
            prop_assert!(!e.bytes().any(|b| b < 0x20 || b == 0x7f), "{}", e);
        }

        #[test]
        fn any_string_round_trips(s in any::<String>()) {
            let (back, _) = unquote(&quote(s.as_bytes())).unwrap();
            prop_assert_eq!(back, s.as_bytes());
        }
    }
}
