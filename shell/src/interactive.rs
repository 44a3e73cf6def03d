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

/// The words of `line` with their byte ranges and classes.
pub fn classify(line: &str, cwd: &Path, home: &str) -> Vec<(usize, usize, Class)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut command_position = true;
    let (mut write, mut hidden) = (false, false);
    let mut scopes: Vec<(bool, bool)> = Vec::new();
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
            let start = i;
            while i < bytes.len() && b";&|()\n".contains(&bytes[i]) {
                i += 1;
            }
            out.push((start, i, Class::Separator));
            command_position = true;
            (write, hidden) = (false, false);
            scopes.clear();
            continue;
        }
        // One word, honouring quotes and backslashes.
        let start = i;
        let mut quoted = false;
        while i < bytes.len() && !b" \t;&|()\n".contains(&bytes[i]) {
            match bytes[i] {
                b'\'' | b'"' => {
                    quoted = true;
                    let q = bytes[i];
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += if bytes[i] == b'\\' && q == b'"' { 2 } else { 1 };
                    }
                    i += 1;
                }
                b'\\' => {
                    quoted = true;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        let end = i.min(bytes.len());
        let word = &line[start..end];
        let class = if command_position {
            command_position = false;
            if word.starts_with("!!") {
                Class::Unconfined
            } else {
                Class::Command
            }
        } else {
            match word {
                "=>" => {
                    write = true;
                    Class::Marker
                }
                "+" => {
                    (write, hidden) = (false, true);
                    Class::Marker
                }
                "{" => {
                    scopes.push((write, hidden));
                    Class::Marker
                }
                "}" => {
                    (write, hidden) = scopes.pop().unwrap_or((false, false));
                    Class::Marker
                }
                w if quoted || w.starts_with('-') || w.contains('$') || w.contains('`') => {
                    Class::Plain
                }
                w => {
                    let expanded = match w.strip_prefix('~') {
                        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                            format!("{home}{rest}")
                        }
                        _ => w.to_string(),
                    };
                    let exists = cwd.join(&expanded).symlink_metadata().is_ok();
                    match (write, hidden, exists) {
                        (true, _, _) => Class::WriteGrant,
                        (false, true, true) => Class::HiddenGrant,
                        (false, false, true) => Class::ReadGrant,
                        _ => Class::Plain,
                    }
                }
            }
        };
        out.push((start, end, class));
    }
    out
}

pub struct PolaHelper {
    files: FilenameCompleter,
    /// Builtins, functions and programs on PATH, refreshed before each prompt.
    pub commands: RefCell<Vec<String>>,
    pub home: RefCell<String>,
}

impl PolaHelper {
    pub fn new() -> PolaHelper {
        PolaHelper {
            files: FilenameCompleter::new(),
            commands: RefCell::new(Vec::new()),
            home: RefCell::new(String::new()),
        }
    }

    /// Refresh the command names from PATH, the builtins and the shell's functions.
    pub fn refresh(&self, path: &str, functions: impl Iterator<Item = String>, home: &str) {
        let mut names: Vec<String> = crate::builtins::ALL
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        names.push("grants".into());
        names.extend(functions);
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
        *self.commands.borrow_mut() = names;
        *self.home.borrow_mut() = home.to_string();
    }
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
            let matches = self
                .commands
                .borrow()
                .iter()
                .filter(|c| c.starts_with(name))
                .map(|c| Pair {
                    display: pola_fileserver::text::escape(c.as_bytes()),
                    replacement: format!("{prefix}{c} "),
                })
                .collect();
            return Ok((start, matches));
        }
        // The list shows names a jail may have made: escaped (`pola_fileserver::text`).
        let (at, found) = self.files.complete(line, pos, ctx)?;
        let found = found
            .into_iter()
            .map(|p| Pair {
                display: pola_fileserver::text::escape(p.display.as_bytes()),
                replacement: p.replacement,
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
        let words = classify(
            line,
            &std::env::current_dir().unwrap_or_default(),
            &self.home.borrow(),
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

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

impl Helper for PolaHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_classified_as_the_grant_rules_say() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        let line =
            "sort notes.txt -o => out.csv | make + => . ; !!sudo x ; cat 'notes.txt' nothing + src";
        let classes: Vec<(&str, Class)> = classify(line, dir.path(), "/home/u")
            .into_iter()
            .map(|(s, e, c)| (&line[s..e], c))
            .collect();
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
    }
}
