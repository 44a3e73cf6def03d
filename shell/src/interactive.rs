//! The interactive line editor's helper: completion, and highlighting that shows as
//! you type what each word will be — a read-only grant (green), a write grant
//! (yellow), a grant not passed as an argument (underlined), a plain string (as
//! typed), or an unconfined `!!` command (red).
//!
//! Highlighting reads the line lexically (quotes, markers, separators); it never runs
//! anything and never expands `$(...)`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::path::Path;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31;1m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const UNDERLINE: &str = "\x1b[4m";
const RESET: &str = "\x1b[0m";

/// What a word on the line will be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Command,
    Unconfined,
    Marker,
    ReadGrant,
    WriteGrant,
    HiddenGrant,
    Plain,
    Separator,
}

/// One word of the line as the highlighter reads it: its value with quotes removed
/// and `~` expanded, whether it has a single-quoted part, and whether its value is
/// unknown without running anything (`$x`, `` `cmd` ``).
struct Lexed {
    start: usize,
    end: usize,
    value: String,
    literal: bool,
    unknown: bool,
}

fn lex_word(bytes: &[u8], mut i: usize, home: &str) -> Lexed {
    let start = i;
    let mut value = Vec::new();
    let (mut literal, mut unknown) = (false, false);
    while i < bytes.len() && !b" \t;&|()\n".contains(&bytes[i]) {
        match bytes[i] {
            b'\'' => {
                literal = true;
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    value.push(bytes[i]);
                    i += 1;
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                    }
                    unknown |= matches!(bytes[i], b'$' | b'`');
                    value.push(bytes[i]);
                    i += 1;
                }
                i += 1;
            }
            b'\\' => {
                if let Some(c) = bytes.get(i + 1) {
                    value.push(*c);
                }
                i += 2;
            }
            c => {
                unknown |= matches!(c, b'$' | b'`' | b'*' | b'?' | b'[');
                value.push(c);
                i += 1;
            }
        }
    }
    let mut value = String::from_utf8_lossy(&value).into_owned();
    if bytes.get(start) == Some(&b'~') && (value == "~" || value.starts_with("~/")) {
        value = format!("{home}{}", &value[1..]);
    }
    Lexed {
        start,
        end: i.min(bytes.len()),
        value,
        literal,
        unknown,
    }
}

/// Classify the words of one simple command (the command's name first) with the grant
/// rules themselves ([`crate::grants::roles`]).
fn classify_command(
    words: &[Lexed],
    raw: &[&str],
    cwd: &Path,
    scratch: &dyn Fn(&Path) -> bool,
    out: &mut Vec<(usize, usize, Class)>,
) {
    use crate::grants::{exists_in, roles, Item, Lookup, Role};
    let items: Vec<Item> = words
        .iter()
        .zip(raw)
        .map(|(w, raw)| match *raw {
            "=>" => Item::Write,
            "+" => Item::Hidden,
            "{" => Item::Open,
            "}" => Item::Close,
            _ => Item::Word(vec![crate::expand::Field {
                text: w.value.clone(),
                // A value only known when the line runs grants nothing until then,
                // unless a marker makes it a grant whatever it is.
                literal: w.literal || w.unknown,
                unmatched: false,
            }]),
        })
        .collect();
    // What the grant rules themselves call existing, so the line shows what is granted.
    let exists = exists_in(cwd);
    let unknown_exists = |p: &str| words.iter().any(|w| w.unknown && w.value == p) || exists(p);
    // What the shell's `mktemp` made is granted to write (`crate::scratch`).
    let host = Lookup {
        exists: &unknown_exists,
        scratch,
        cwd,
    };
    let classes: Vec<Class> = match roles(&items, &host) {
        Ok(roles) => roles
            .into_iter()
            .map(|r| match r {
                Role::Command => Class::Command,
                Role::Plain | Role::Plus => Class::Plain,
                Role::Grant { write: true, .. } | Role::Hidden { write: true, .. } => {
                    Class::WriteGrant
                }
                Role::Grant { write: false, .. } => Class::ReadGrant,
                Role::Hidden { write: false, .. } | Role::Capability(_) => Class::HiddenGrant,
                Role::Marker => Class::Marker,
            })
            .collect(),
        // Half-typed grant syntax: show the markers, nothing as granted.
        Err(_) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                _ if i == 0 => Class::Command,
                Item::Word(_) => Class::Plain,
                _ => Class::Marker,
            })
            .collect(),
    };
    for (w, class) in words.iter().zip(classes) {
        out.push((w.start, w.end, class));
    }
}

/// What a word before a command's name is.
enum Before {
    /// An assignment (`a=1`, `a+=1`, `a[0]=1`), or a redirection with its target
    /// (`>log`, `2>/dev/null`).
    Word,
    /// A redirection's operator alone (`>`, `2>>`): the next word is its target.
    Operator,
}

/// Whether `word` goes before a command's name, and how.
fn before_command(word: &str) -> Option<Before> {
    let op = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let found = crate::parse::REDIRECTION_OPERATORS
        .iter()
        .find(|o| op.starts_with(**o));
    if let Some(op_len) = found.map(|o| o.len()) {
        return Some(match op.len() == op_len {
            true => Before::Operator,
            false => Before::Word,
        });
    }
    let (name, _) = word.split_once('=')?;
    let name = name.strip_suffix('+').unwrap_or(name);
    let name = match name.split_once('[') {
        Some((array, index)) => index.ends_with(']').then_some(array)?,
        None => name,
    };
    crate::vars::valid_name(name).then_some(Before::Word)
}

/// The words of `line` with their byte ranges and classes.
pub fn classify(line: &str, cwd: &Path, home: &str) -> Vec<(usize, usize, Class)> {
    classify_with(line, cwd, home, &|_| false)
}

/// [`classify`], with the shell's scratch (`crate::scratch`): what it covers is shown
/// as a write grant, as it is one.
pub fn classify_with(
    line: &str,
    cwd: &Path,
    home: &str,
    scratch: &dyn Fn(&Path) -> bool,
) -> Vec<(usize, usize, Class)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut command: Vec<Lexed> = Vec::new();
    let flush = |command: &mut Vec<Lexed>, out: &mut Vec<(usize, usize, Class)>| {
        if command.is_empty() {
            return;
        }
        let raw: Vec<&str> = command.iter().map(|w| &line[w.start..w.end]).collect();
        // The command's assignments and redirections (`FOO=1 !!env`, `LANG=C sort f`,
        // `> log !!make`) come before it.
        let mut first = 0;
        while let Some(word) = raw.get(first) {
            first += match before_command(word) {
                Some(Before::Word) => 1,
                // The operator alone: its target is the next word.
                Some(Before::Operator) => 2,
                None => break,
            };
        }
        let first = first.min(raw.len());
        out.extend(
            command[..first]
                .iter()
                .map(|w| (w.start, w.end, Class::Plain)),
        );
        let (command_words, raw) = (&command[first..], &raw[first..]);
        match raw.first() {
            None => {}
            Some(name) if name.starts_with("!!") => {
                out.push((
                    command_words[0].start,
                    command_words[0].end,
                    Class::Unconfined,
                ));
                out.extend(
                    command_words[1..]
                        .iter()
                        .map(|w| (w.start, w.end, Class::Plain)),
                );
            }
            Some(_) => classify_command(command_words, raw, cwd, scratch, out),
        }
        command.clear();
    };
    while i < bytes.len() {
        let c = bytes[i];
        if c == b' ' || c == b'\t' {
            i += 1;
            continue;
        }
        if c == b'#' {
            break;
        }
        if b";&|()\n".contains(&c) {
            flush(&mut command, &mut out);
            let start = i;
            while i < bytes.len() && b";&|()\n".contains(&bytes[i]) {
                i += 1;
            }
            out.push((start, i, Class::Separator));
            continue;
        }
        let word = lex_word(bytes, i, home);
        i = word.end;
        command.push(word);
    }
    flush(&mut command, &mut out);
    out
}

pub struct PolaHelper {
    files: FilenameCompleter,
    /// Builtins, functions and programs on PATH, listed when a command name is
    /// completed (`commands`) from what the shell had at the prompt (`refresh`).
    commands: RefCell<Option<Vec<String>>>,
    /// PATH and the shell's functions at the prompt.
    found_in: RefCell<(String, Vec<String>)>,
    pub home: RefCell<String>,
    /// The shell's variables, for `$NAME` and `${NAME`.
    pub variables: RefCell<Vec<String>>,
    /// The words `complete -W` gave a command's arguments, by command name.
    pub words: RefCell<std::collections::BTreeMap<String, Vec<String>>>,
    /// The line highlighted last at this prompt, and how: the line editor draws it
    /// once more as Enter is pressed, which classified its words again (a look at each
    /// on the way of every command).
    highlighted: RefCell<Option<(String, String)>>,
}

impl PolaHelper {
    pub fn new() -> PolaHelper {
        PolaHelper {
            files: FilenameCompleter::new(),
            commands: RefCell::new(None),
            found_in: RefCell::new((String::new(), Vec::new())),
            home: RefCell::new(String::new()),
            variables: RefCell::new(Vec::new()),
            words: RefCell::new(std::collections::BTreeMap::new()),
            highlighted: RefCell::new(None),
        }
    }

    /// Before a prompt: where command names are found now (PATH, the shell's
    /// functions), and the home directory. The names are listed only when one is
    /// completed: reading every PATH directory took 0.4–1.2 ms, before every prompt
    /// (bench/README.md, "Twenty-second stop").
    pub fn refresh(&self, path: &str, functions: impl Iterator<Item = String>, home: &str) {
        *self.found_in.borrow_mut() = (path.to_string(), functions.collect());
        *self.commands.borrow_mut() = None;
        *self.home.borrow_mut() = home.to_string();
        *self.highlighted.borrow_mut() = None;
    }

    /// Builtins, functions and programs on PATH, sorted.
    pub fn commands(&self) -> std::cell::Ref<'_, Vec<String>> {
        if self.commands.borrow().is_none() {
            let listed = self.list_commands();
            *self.commands.borrow_mut() = Some(listed);
        }
        std::cell::Ref::map(self.commands.borrow(), |c| {
            c.as_ref().expect("listed above")
        })
    }

    fn list_commands(&self) -> Vec<String> {
        let (path, functions) = &*self.found_in.borrow();
        let mut names: Vec<String> = crate::builtins::names().map(str::to_string).collect();
        names.extend(functions.iter().cloned());
        for dir in path.split(':').filter(|d| !d.is_empty()) {
            if let Ok(entries) = std::fs::read_dir(dir) {
                names.extend(
                    entries
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned()),
                );
            }
        }
        names.sort();
        names.dedup();
        names
    }
}

impl PolaHelper {
    /// Names under the home directory for a word `~/rest`: the word is kept as
    /// written, with `~/`.
    fn complete_home(&self, rest: &str) -> Vec<Pair> {
        let home = self.home.borrow().clone();
        if home.is_empty() {
            return Vec::new();
        }
        let (dir, prefix) = match rest.rfind('/') {
            Some(k) => (&rest[..k + 1], &rest[k + 1..]),
            None => ("", rest),
        };
        let unescaped_prefix = unescape(prefix);
        let dir_path = crate::escapes::to_path(&home).join(crate::escapes::to_path(&unescape(dir)));
        let Ok(entries) = std::fs::read_dir(dir_path) else {
            return Vec::new();
        };
        let mut out: Vec<Pair> = entries
            .flatten()
            .filter_map(|e| {
                let name = crate::escapes::from_os(&e.file_name());
                if !name.starts_with(&unescaped_prefix)
                    || (name.starts_with('.') && !unescaped_prefix.starts_with('.'))
                {
                    return None;
                }
                let is_dir = e.path().is_dir();
                let end = if is_dir { "/" } else { " " };
                Some(Pair {
                    display: format!(
                        "{}{}",
                        pola_fileserver::text::escape(&crate::escapes::to_bytes(&name)),
                        if is_dir { "/" } else { "" }
                    ),
                    replacement: format!("~/{dir}{}{end}", escape_word(&name)),
                })
            })
            .collect();
        out.sort_by(|a, b| a.display.cmp(&b.display));
        out
    }
}

/// The `words` that start with `typed`, each completed as one word (after `prefix`,
/// `!!` for a command run unconfined) and a space.
fn whole_words(words: &[String], typed: &str, prefix: &str) -> Vec<Pair> {
    words
        .iter()
        .filter(|w| w.starts_with(typed))
        .map(|w| Pair {
            display: pola_fileserver::text::escape(w.as_bytes()),
            replacement: format!("{prefix}{} ", escape_word(w)),
        })
        .collect()
}

/// A name as one shell word: characters the shell reads specially get a backslash; a
/// name with characters pola-sh never shows raw (control characters, escape
/// sequences, look-alikes: a jail may have made it) is written `$'...'`, so the line
/// being edited shows it escaped too (SECURITY.md 30).
fn escape_word(name: &str) -> String {
    if pola_fileserver::text::escape(name.as_bytes()) != name {
        return ansi_c_word(name);
    }
    let mut out = String::new();
    for c in name.chars() {
        if " \t\n\\\"'$`()&;|<>*?[]{}#~=!".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `name` as a `$'...'` word: printable ASCII as is, the rest as escapes.
fn ansi_c_word(name: &str) -> String {
    let mut out = String::from("$'");
    for c in name.chars() {
        let mut one = [0u8; 4];
        let raw = pola_fileserver::text::escape(c.encode_utf8(&mut one).as_bytes());
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x1b' => out.push_str("\\e"),
            c if raw.len() == c.len_utf8() && raw.as_bytes() == c.to_string().as_bytes() => {
                out.push(c)
            }
            c if crate::escapes::raw_byte(c).is_some() => out.push_str(&format!(
                "\\x{:02x}",
                crate::escapes::raw_byte(c).unwrap_or(0)
            )),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('\'');
    out
}

/// A word's text with backslashes removed.
fn unescape(word: &str) -> String {
    let mut out = String::new();
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Default for PolaHelper {
    fn default() -> Self {
        Self::new()
    }
}

impl Completer for PolaHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| " \t;&|(".contains(c))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        let words = classify(
            before,
            &std::env::current_dir().unwrap_or_default(),
            &self.home.borrow(),
        );
        let at_command = match words.last() {
            None => true,
            Some((s, _, class)) if *s == start => {
                matches!(class, Class::Command | Class::Unconfined)
            }
            Some((_, _, class)) => *class == Class::Separator,
        };
        if at_command && !word.contains('/') {
            let (prefix, name) = match word.strip_prefix("!!") {
                Some(rest) => ("!!", rest),
                None => ("", word),
            };
            return Ok((start, whole_words(&self.commands(), name, prefix)));
        }
        // An argument of a command `complete -W` gave words: those that fit, if any.
        let command = words
            .iter()
            .rev()
            .find(|(_, _, class)| matches!(class, Class::Command))
            .map(|(s, e, _)| &line[*s..*e]);
        if let Some(listed) = command.and_then(|c| self.words.borrow().get(c).cloned()) {
            let matches = whole_words(&listed, word, "");
            if !matches.is_empty() {
                return Ok((start, matches));
            }
        }
        if let Some(rest) = word.strip_prefix("~/") {
            return Ok((start, self.complete_home(rest)));
        }
        // `$NA` and `${NA`: the shell's variables (the word's last `$`, as in
        // `"$HO` or `a=$PW`).
        if let Some(dollar) = word.rfind('$') {
            let after = &word[dollar + 1..];
            let (brace, name) = match after.strip_prefix('{') {
                Some(n) => ("{", n),
                None => ("", after),
            };
            if name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
                let close = if brace.is_empty() { "" } else { "}" };
                let matches = self
                    .variables
                    .borrow()
                    .iter()
                    .filter(|v| v.starts_with(name))
                    .map(|v| Pair {
                        display: v.clone(),
                        replacement: format!("${brace}{v}{close}"),
                    })
                    .collect();
                return Ok((start + dollar, matches));
            }
        }
        // A program named by its path to run unconfined (`!!./build.sh`): completed as
        // the path after `!!` (it completed nothing; trial 17).
        let unconfined = at_command && word.starts_with("!!");
        let shift = if unconfined { 2 } else { 0 };
        let without = format!("{}{}", &line[..start], &line[start + shift..]);
        // The list shows names a jail may have made: escaped (`pola_fileserver::text`).
        let (at, found) = self.files.complete(&without, pos - shift, ctx)?;
        let at = if at >= start { at + shift } else { at };
        // A path to run (`./da<Tab>`): its directories and the programs in it, as bash
        // completes it (data.db was offered beside data.sh; trial 17).
        let runnable = |plain: &str| {
            plain.ends_with('/') || {
                let path = Path::new(plain);
                path.is_file() && nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_ok()
            }
        };
        let found = found
            .into_iter()
            .filter(|p| !at_command || runnable(&unescape(&p.replacement)))
            .map(|p| {
                // The name as one word meaning exactly it: rustyline escapes only its own
                // break characters, and a name a jail made may hold glob characters
                // (`[n]otes.txt` would match the user's notes.txt), a leading `~`, `!`,
                // or control characters (never raw into the line being edited). Inside
                // quotes only the control characters need it.
                let plain = unescape(&p.replacement);
                let (name, slash) = match plain.strip_suffix('/') {
                    Some(dir) => (dir, "/"),
                    None => (plain.as_str(), ""),
                };
                let quoted = at > 0 && matches!(line.as_bytes().get(at - 1), Some(b'"' | b'\''));
                let replacement = if !quoted {
                    format!("{}{slash}", escape_word(name))
                } else if pola_fileserver::text::escape(p.replacement.as_bytes()) != p.replacement {
                    format!("{}{slash}", ansi_c_word(name))
                } else {
                    p.replacement
                };
                Pair {
                    display: pola_fileserver::text::escape(p.display.as_bytes()),
                    replacement,
                }
            })
            .collect();
        Ok((at, found))
    }
}

impl Hinter for PolaHelper {
    type Hint = String;
}

impl Validator for PolaHelper {}

impl Highlighter for PolaHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if let Some((last, shown)) = &*self.highlighted.borrow() {
            if last == line {
                return Cow::Owned(shown.clone());
            }
        }
        let shown = self.classified(line);
        *self.highlighted.borrow_mut() = Some((line.to_string(), shown.to_string()));
        shown
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

impl PolaHelper {
    /// `line` with its words styled by what they grant.
    fn classified<'l>(&self, line: &'l str) -> Cow<'l, str> {
        let words = classify_with(
            line,
            &std::env::current_dir().unwrap_or_default(),
            &self.home.borrow(),
            &crate::scratch::is_scratch,
        );
        if words.is_empty() {
            return Cow::Borrowed(line);
        }
        let mut out = String::with_capacity(line.len() + words.len() * 8);
        let mut last = 0;
        for (start, end, class) in words {
            out.push_str(&line[last..start]);
            let style = match class {
                Class::Command => BOLD,
                Class::Unconfined => RED,
                Class::Marker => CYAN,
                Class::ReadGrant => GREEN,
                Class::WriteGrant => YELLOW,
                Class::HiddenGrant => UNDERLINE,
                Class::Plain | Class::Separator => "",
            };
            if style.is_empty() {
                out.push_str(&line[start..end]);
            } else {
                out.push_str(style);
                out.push_str(&line[start..end]);
                out.push_str(RESET);
            }
            last = end;
        }
        out.push_str(&line[last..]);
        Cow::Owned(out)
    }
}

impl Helper for PolaHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_control_characters_complete_as_escaped_words() {
        assert_eq!(escape_word("a b"), "a\\ b");
        assert_eq!(escape_word("x\r\x1b[2Ky"), "$'x\\r\\e[2Ky'");
        assert_eq!(escape_word("it's\n"), "$'it\\'s\\n'");
        assert_eq!(escape_word("\u{2215}tmp"), "$'\\u2215tmp'");
    }

    #[test]
    fn completed_file_names_mean_exactly_that_file() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["[n]otes.txt", "~", "a*b", "x!y"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let helper = PolaHelper::new();
        let history = rustyline::history::DefaultHistory::new();
        let ctx = Context::new(&history);
        let complete = |typed: &str| -> Vec<String> {
            let line = format!("rm => {}/{typed}", dir.path().display());
            let (_, found) = helper.complete(&line, line.len(), &ctx).unwrap();
            let prefix = format!("{}/", dir.path().display());
            found
                .into_iter()
                .map(|p| p.replacement.replacen(&prefix, "", 1))
                .collect()
        };
        assert_eq!(complete("["), ["\\[n\\]otes.txt"]);
        assert_eq!(complete("~"), ["\\~"]);
        assert_eq!(complete("a"), ["a\\*b"]);
        assert_eq!(complete("x"), ["x\\!y"]);
    }

    #[test]
    fn a_path_run_unconfined_completes_after_its_marks() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("data.sh");
        std::fs::write(&script, "").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Only what runs, and directories, at a command's place (trial 17: data.db was
        // offered beside data.sh).
        std::fs::write(dir.path().join("data.db"), "").unwrap();
        std::fs::create_dir(dir.path().join("datasets")).unwrap();
        let helper = PolaHelper::new();
        let history = rustyline::history::DefaultHistory::new();
        let ctx = Context::new(&history);
        for before in ["", "ls; ", "X=1 ", "!!", "ls; !!", "X=1 !!"] {
            let line = format!("{before}{}/da", dir.path().display());
            let (at, found) = helper.complete(&line, line.len(), &ctx).unwrap();
            let mut done: Vec<String> = found
                .into_iter()
                .map(|p| format!("{}{}", &line[..at], p.replacement))
                .collect();
            done.sort();
            let d = dir.path().display();
            assert_eq!(
                done,
                [
                    format!("{before}{d}/data.sh"),
                    format!("{before}{d}/datasets/")
                ]
            );
        }
        // An argument is any file.
        let line = format!("cat {}/da", dir.path().display());
        let (_, found) = helper.complete(&line, line.len(), &ctx).unwrap();
        assert_eq!(found.len(), 3);
    }

    #[test]
    fn the_shells_scratch_is_shown_as_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tmp.x")).unwrap();
        let scratch = |p: &Path| p.starts_with(dir.path().join("tmp.x"));
        let line = "rm -rf tmp.x tmp.x/new";
        let classes: Vec<Class> = classify_with(line, dir.path(), "/home/u", &scratch)
            .into_iter()
            .map(|(.., c)| c)
            .collect();
        use Class::*;
        assert_eq!(classes, [Command, Plain, WriteGrant, WriteGrant]);
    }

    #[test]
    fn words_are_classified_as_the_grant_rules_say() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        let classes_of = |line: &'static str| -> Vec<(&'static str, Class)> {
            classify(line, dir.path(), "/home/u")
                .into_iter()
                .map(|(s, e, c)| (&line[s..e], c))
                .collect()
        };
        let line =
            "sort notes.txt -o => out.csv | make + => . ; !!sudo x ; cat 'notes.txt' nothing + src";
        let classes = classes_of(line);
        use Class::*;
        assert_eq!(
            classes,
            [
                ("sort", Command),
                ("notes.txt", ReadGrant),
                ("-o", Plain),
                ("=>", Marker),
                ("out.csv", WriteGrant),
                ("|", Separator),
                ("make", Command),
                ("+", Marker),
                ("=>", Marker),
                (".", WriteGrant),
                (";", Separator),
                ("!!sudo", Unconfined),
                ("x", Plain),
                (";", Separator),
                ("cat", Command),
                ("'notes.txt'", Plain),
                ("nothing", Plain),
                ("+", Marker),
                ("src", HiddenGrant),
            ]
        );
        // A command's assignments and redirections come before it, `!!` too.
        let line = "FOO=1 !!env x ; LANG=C sort notes.txt ; a[0]=1 X+=2 > log 2>/dev/null !!sh";
        let classes = classes_of(line);
        assert_eq!(
            classes,
            [
                ("FOO=1", Plain),
                ("!!env", Unconfined),
                ("x", Plain),
                (";", Separator),
                ("LANG=C", Plain),
                ("sort", Command),
                ("notes.txt", ReadGrant),
                (";", Separator),
                ("a[0]=1", Plain),
                ("X+=2", Plain),
                (">", Plain),
                ("log", Plain),
                ("2>/dev/null", Plain),
                ("!!sh", Unconfined),
            ]
        );
        // Hosts by name are granted as capabilities; a malformed one grants nothing.
        let line = "pip download x + @net:pypi.org @net:files.pythonhosted.org:443";
        let classes = classes_of(line);
        assert_eq!(
            &classes[4..],
            [
                ("@net:pypi.org", HiddenGrant),
                ("@net:files.pythonhosted.org:443", HiddenGrant),
            ]
        );
        let line = "curl x + @net:not/a/host";
        assert!(!classify(line, dir.path(), "/home/u")
            .iter()
            .any(|(_, _, c)| *c == HiddenGrant));
    }
}
