//! Word expansion, in POSIX order: tilde, parameters, command substitution and
//! arithmetic; then field splitting on `IFS` of what unquoted expansions produced;
//! then pathname expansion (`pattern::glob`) of unquoted pattern characters; then
//! quote removal.
//!
//! Each resulting field remembers whether its word had a single-quoted part: such a
//! word is never granted implicitly (DESIGN.md), whatever it expands to; double quotes
//! and backslashes do not change whether a word names a file, and every field of
//! `"$@"` or `"${a[@]}"` is a word of its own for the grant rules.

mod param;

pub use param::{element, resolve_index};

use std::path::PathBuf;

use crate::arith;
use crate::ast::{Part, Word};
use crate::pattern;
use crate::vars::Value;

/// Marks an expansion error about an unset parameter (`${x?}`, `set -u`): bash
/// leaves a script with status 127 for it.
pub const UNSET: &str = "\u{0}unset:";

/// Pathname expansion's options, as `shopt` and `set -f` set them.
#[derive(Clone, Copy, Debug, Default)]
pub struct GlobMode {
    pub noglob: bool,
    pub nullglob: bool,
    pub failglob: bool,
    pub options: pattern::GlobOptions,
}

/// What expansion needs from the shell.
pub trait Host {
    /// A variable's value, None when unset (the shell's dynamic variables included).
    fn value(&self, name: &str) -> Option<Value>;
    /// A variable as a string (an array's element 0).
    fn var(&self, name: &str) -> Option<String> {
        self.value(name)
            .and_then(|v| v.scalar().map(str::to_string))
    }
    /// The name a name reference (`declare -n`) stands for; None for any other.
    fn reference(&self, _name: &str) -> Option<String> {
        None
    }
    fn set_var(&mut self, name: &str, value: &str) -> Result<(), String>;
    /// Set an element: `key` is an associative array's key, or an index (it may be
    /// negative: from the end).
    fn set_element(&mut self, name: &str, key: &str, value: &str) -> Result<(), String>;
    /// Every variable's name (for `${!prefix*}`).
    fn names(&self) -> Vec<String>;
    /// `$1`, `$2`, ...
    fn positional(&self) -> Vec<String>;
    /// `$?`, `$$`, `$!`, `$-`, `$0`.
    fn special(&self, c: char) -> String;
    /// Run `list` and return its standard output (command substitution).
    fn substitute(&mut self, list: &crate::ast::List) -> Result<String, String>;
    /// Process substitution: start `list` with its output (or, `write`, its input) on
    /// a pipe, and give the `/dev/fd/N` path of the pipe's other end.
    fn process(&mut self, list: &crate::ast::List, write: bool) -> Result<String, String> {
        let _ = (list, write);
        Err("process substitution is not available here".into())
    }
    /// `set -u`: an unset parameter is an error.
    fn nounset(&self) -> bool;
    fn glob_mode(&self) -> GlobMode;
    /// `shopt -s patsub_replacement`: `&` in `${x/p/&}` is the match.
    fn patsub_replacement(&self) -> bool {
        true
    }
    /// `shopt -s extglob`.
    fn extglob(&self) -> bool {
        self.glob_mode().options.extglob
    }
    /// Where relative patterns are expanded.
    fn cwd(&self) -> PathBuf;
    /// Text a command made was used (a name pathname expansion found: a jail may have
    /// named it): see `Shell::made_seen`.
    fn saw_made(&self) {}
    /// `set -o braceexpand` (on unless turned off).
    fn braceexpand(&self) -> bool {
        true
    }
}

/// One field of an expanded word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    /// The word had a single-quoted part (so it is never granted implicitly).
    pub literal: bool,
    /// A pattern that matched nothing, kept as it was written (`*.txt`).
    pub unmatched: bool,
}

/// A piece of expansion output before splitting.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text {
        text: String,
        /// Quoted: no splitting, no pattern characters.
        quoted: bool,
        /// The result of an unquoted expansion: subject to field splitting.
        split: bool,
    },
    /// A field boundary that always holds (between the fields of `"$@"`).
    Break,
}

fn text(s: impl Into<String>, quoted: bool, split: bool) -> Piece {
    Piece::Text {
        text: s.into(),
        quoted,
        split,
    }
}

/// Whether any part of the word is single-quoted or a process substitution.
pub fn is_literal(word: &Word) -> bool {
    // A process substitution's `/dev/fd/N` is the pipe the command is given, never a
    // grant of the shell's descriptor.
    word.0
        .iter()
        .any(|p| matches!(p, Part::Single(_) | Part::Process { .. }))
}

/// Expand words into fields: splitting and pathname expansion included (arguments,
/// `for` lists).
pub fn fields(host: &mut dyn Host, words: &[Word]) -> Result<Vec<Field>, String> {
    let mut out = Vec::new();
    for word in words {
        let literal = is_literal(word);
        let braced = match host.braceexpand() {
            true => braces(word)?,
            false => vec![word.clone()],
        };
        for w in &braced {
            let pieces = pieces(host, &w.0, Quoting::Unquoted)?;
            for segments in split(host, pieces) {
                let (texts, unmatched) = glob_field(host, &segments)?;
                for text in texts {
                    out.push(Field {
                        text,
                        literal,
                        unmatched,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The most words one word's brace expansion makes.
const BRACE_MAX: usize = 1 << 20;
/// The most memory the words of one word's brace expansion take while they are made
/// (`{1..1000}{1..1000}` after a long prefix asked for 4 GB, and the shell aborted).
const BRACE_BYTES: usize = 256 << 20;

/// One element of a word for brace expansion: an unquoted character of its literal
/// text (only those can be braces and commas), or any other part as it is.
#[derive(Clone, Copy)]
enum Atom<'a> {
    Char(char),
    Part(&'a Part),
}

/// Brace expansion, the first of all (bash's): `a{b,c}d` is the words `abd acd`,
/// nested and several in a word (`{x,y}{1,2}`), and sequences `{1..3}`, `{01..10..3}`,
/// `{a..e}`. Only unquoted braces and commas count; a brace without a comma or a
/// sequence in it (`{}`, `{x}`) is text.
pub fn braces(word: &Word) -> Result<Vec<Word>, String> {
    let atoms: Vec<Atom> = word
        .0
        .iter()
        .flat_map(|p| match p {
            Part::Literal(text) => text.chars().map(Atom::Char).collect::<Vec<_>>(),
            other => vec![Atom::Part(other)],
        })
        .collect();
    if !atoms.iter().any(|a| matches!(a, Atom::Char('{'))) {
        return Ok(vec![word.clone()]);
    }
    let mut out = Vec::new();
    expand_braces(&atoms, &mut out, &mut 0)?;
    Ok(out
        .into_iter()
        .map(|atoms| {
            let mut parts: Vec<Part> = Vec::new();
            for a in atoms {
                match (a, parts.last_mut()) {
                    (Atom::Char(c), Some(Part::Literal(text))) => text.push(c),
                    (Atom::Char(c), _) => parts.push(Part::Literal(c.to_string())),
                    (Atom::Part(p), _) => parts.push(p.clone()),
                }
            }
            Word(parts)
        })
        .collect())
}

/// Expand `atoms` into `out`, counting the memory the words made take in `size`.
fn expand_braces<'a>(
    atoms: &[Atom<'a>],
    out: &mut Vec<Vec<Atom<'a>>>,
    size: &mut usize,
) -> Result<(), String> {
    let Some((open, close, alternatives)) = first_brace(atoms) else {
        *size += std::mem::size_of_val(atoms);
        if *size > BRACE_BYTES {
            return Err(format!(
                "brace expansion: more than {} MiB of words",
                BRACE_BYTES >> 20
            ));
        }
        out.push(atoms.to_vec());
        return Ok(());
    };
    for alternative in alternatives {
        let mut word = atoms[..open].to_vec();
        word.extend(alternative);
        word.extend_from_slice(&atoms[close + 1..]);
        expand_braces(&word, out, size)?;
        if out.len() > BRACE_MAX {
            return Err(format!("brace expansion: more than {BRACE_MAX} words"));
        }
    }
    Ok(())
}

/// The first brace expression of `atoms`: where it opens and closes, and what it
/// stands for.
#[allow(clippy::type_complexity)]
fn first_brace<'a>(atoms: &[Atom<'a>]) -> Option<(usize, usize, Vec<Vec<Atom<'a>>>)> {
    for open in 0..atoms.len() {
        if !matches!(atoms[open], Atom::Char('{')) {
            continue;
        }
        let mut depth = 0;
        let mut commas = Vec::new();
        let mut close = None;
        for (i, a) in atoms.iter().enumerate().skip(open + 1) {
            match a {
                Atom::Char('{') => depth += 1,
                Atom::Char('}') if depth == 0 => {
                    close = Some(i);
                    break;
                }
                Atom::Char('}') => depth -= 1,
                Atom::Char(',') if depth == 0 => commas.push(i),
                _ => {}
            }
        }
        let Some(close) = close else {
            continue;
        };
        if !commas.is_empty() {
            let mut bounds = vec![open];
            bounds.extend(&commas);
            bounds.push(close);
            let alternatives = bounds
                .windows(2)
                .map(|w| atoms[w[0] + 1..w[1]].to_vec())
                .collect();
            return Some((open, close, alternatives));
        }
        let inner: Option<String> = atoms[open + 1..close]
            .iter()
            .map(|a| match a {
                Atom::Char(c) => Some(*c),
                Atom::Part(_) => None,
            })
            .collect();
        if let Some(items) = inner.as_deref().and_then(sequence) {
            let alternatives = items
                .into_iter()
                .map(|item| item.chars().map(Atom::Char).collect())
                .collect();
            return Some((open, close, alternatives));
        }
    }
    None
}

/// A sequence expression's words: `1..5`, `10..1..3`, `01..10` (zero-padded to the
/// wider end), `a..e`.
fn sequence(text: &str) -> Option<Vec<String>> {
    let mut parts = text.split("..");
    let (from, to, step) = (parts.next()?, parts.next()?, parts.next());
    if parts.next().is_some() {
        return None;
    }
    let step: i64 = match step {
        Some(s) => s.parse::<i64>().ok()?.checked_abs()?.max(1),
        None => 1,
    };
    let letter = |s: &str| {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Some(c as i64),
            _ => None,
        }
    };
    if let (Some(a), Some(b)) = (letter(from), letter(to)) {
        return Some(
            steps(a, b, step)?
                .map(|c| char::from(c as u8).to_string())
                .collect(),
        );
    }
    let (a, b) = (from.parse::<i64>().ok()?, to.parse::<i64>().ok()?);
    let padded =
        |s: &str| s.trim_start_matches('-').len() > 1 && s.trim_start_matches('-').starts_with('0');
    let width = if padded(from) || padded(to) {
        from.len().max(to.len())
    } else {
        0
    };
    Some(
        steps(a, b, step)?
            .map(|n| match n < 0 {
                true => format!("-{:0>w$}", n.unsigned_abs(), w = width.saturating_sub(1)),
                false => format!("{n:0>width$}"),
            })
            .collect(),
    )
}

/// From `a` to `b` (either way) by `step`; `None` beyond `BRACE_MAX` items.
fn steps(a: i64, b: i64, step: i64) -> Option<impl Iterator<Item = i64>> {
    let count = (a.abs_diff(b) / step as u64).checked_add(1)?;
    if count > BRACE_MAX as u64 {
        return None;
    }
    let dir = if b >= a { step } else { -step };
    // In i128: the last step of a range that spans all of i64 passes beyond it.
    Some((0..count as i128).map(move |i| (a as i128 + i * dir as i128) as i64))
}

/// Expand a word to one string: no splitting, no pathname expansion (assignments,
/// redirection targets, `case` words, here-documents).
pub fn string(host: &mut dyn Host, word: &Word) -> Result<String, String> {
    let pieces = pieces(host, &word.0, Quoting::Unquoted)?;
    Ok(join_pieces(&pieces, " "))
}

/// Expand a word as a pattern (`case`, `${x%pattern}`, `[[ == ]]`): quoted characters
/// match themselves, unquoted ones keep their pattern meaning.
pub fn pattern(host: &mut dyn Host, word: &Word) -> Result<String, String> {
    let pieces = pieces(host, &word.0, Quoting::Unquoted)?;
    Ok(pattern_text(&pieces))
}

fn pattern_text(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for p in pieces {
        if let Piece::Text { text, quoted, .. } = p {
            if *quoted {
                out.push_str(&pattern::escape(text));
            } else {
                out.push_str(text);
            }
        }
    }
    out
}

/// Expand the right side of `=~`: quoted characters match themselves (regex
/// metacharacters in them are escaped).
pub fn regex(host: &mut dyn Host, word: &Word) -> Result<String, String> {
    let pieces = pieces(host, &word.0, Quoting::Unquoted)?;
    let mut out = String::new();
    for p in pieces {
        if let Piece::Text { text, quoted, .. } = p {
            if quoted {
                for c in text.chars() {
                    if "\\.[]()*+?{}|^$".contains(c) {
                        out.push('\\');
                    }
                    out.push(c);
                }
            } else {
                out.push_str(&text);
            }
        }
    }
    Ok(out)
}

fn join_pieces(pieces: &[Piece], sep: &str) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text { text, .. } => out.push_str(text),
            Piece::Break => out.push_str(sep),
        }
    }
    out
}

fn ifs(host: &dyn Host) -> String {
    host.var("IFS").unwrap_or_else(|| " \t\n".into())
}

/// The first character of IFS, which joins `"$*"` (a space when IFS is unset).
fn ifs_joiner(host: &dyn Host) -> String {
    match host.var("IFS") {
        None => " ".into(),
        Some(s) => s.chars().next().map(String::from).unwrap_or_default(),
    }
}

/// How the text being expanded is quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    Unquoted,
    /// Inside `"..."`.
    Double,
    /// The word of `${x:-word}` outside double quotes: its literal text is split too.
    BraceWord,
}

fn pieces(host: &mut dyn Host, parts: &[Part], q: Quoting) -> Result<Vec<Piece>, String> {
    let in_double = q == Quoting::Double;
    let mut out = Vec::new();
    for part in parts {
        match part {
            Part::Literal(s) => out.push(text(s.clone(), in_double, q == Quoting::BraceWord)),
            Part::Single(s) => out.push(text(s.clone(), true, false)),
            Part::Escaped(c) => out.push(text(c.to_string(), true, false)),
            Part::Double(inner) if inner.is_empty() => {
                // `""` is an empty field of its own.
                out.push(text("", true, false));
            }
            // Inside, everything yields a (quoted) piece but `"$@"` without parameters.
            Part::Double(inner) => out.extend(pieces(host, inner, Quoting::Double)?),
            Part::Tilde(user) => out.push(text(tilde(host, user), true, false)),
            Part::Param(p) => param::expand(host, p, in_double, &mut out)?,
            Part::Command(list) => {
                let mut output = host.substitute(list)?;
                while output.ends_with('\n') {
                    output.pop();
                }
                out.push(text(output, in_double, !in_double));
            }
            Part::Process { write, list } => {
                out.push(text(host.process(list, *write)?, true, false));
            }
            Part::Arith(w) => {
                let value = arithmetic(host, w)?;
                out.push(text(value.to_string(), in_double, !in_double));
            }
        }
    }
    Ok(out)
}

/// Expand and evaluate an arithmetic expression.
pub fn arithmetic(host: &mut dyn Host, w: &Word) -> Result<i64, String> {
    // Double quotes inside an arithmetic expression only group (bash removes them).
    let parts: Vec<Part> =
        w.0.iter()
            .map(|p| match p {
                Part::Literal(s) => Part::Literal(s.replace('"', "")),
                other => other.clone(),
            })
            .collect();
    let pieces = pieces(host, &parts, Quoting::Double)?;
    let expr = join_pieces(&pieces, " ");
    evaluate(host, &expr)
}

/// Evaluate an expanded arithmetic expression with the shell's variables.
pub fn evaluate(host: &mut dyn Host, expr: &str) -> Result<i64, String> {
    arith::evaluate(expr, &mut ArithVars(host)).map_err(|e| {
        let shown = pola_fileserver::text::shown(expr.trim());
        format!("{shown}: {e}")
    })
}

struct ArithVars<'a>(&'a mut dyn Host);

impl arith::Vars for ArithVars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0.var(name)
    }
    fn set(&mut self, name: &str, value: i64) -> Result<(), String> {
        self.0.set_var(name, &value.to_string())
    }
    fn get_element(&self, name: &str, key: &str) -> Option<String> {
        param::element(self.0.value(name).as_ref(), key)
    }
    fn set_element(&mut self, name: &str, key: &str, value: i64) -> Result<(), String> {
        self.0.set_element(name, key, &value.to_string())
    }
    fn is_assoc(&self, name: &str) -> bool {
        matches!(self.0.value(name), Some(Value::Assoc(_)))
    }
}

fn tilde(host: &dyn Host, user: &str) -> String {
    match user {
        "" => host.var("HOME").unwrap_or_else(|| {
            nix::unistd::User::from_uid(nix::unistd::getuid())
                .ok()
                .flatten()
                .map(|u| u.dir.to_string_lossy().into_owned())
                .unwrap_or_else(|| "~".into())
        }),
        "+" => host.var("PWD").unwrap_or_else(|| "~+".into()),
        "-" => host.var("OLDPWD").unwrap_or_else(|| "~-".into()),
        _ => match nix::unistd::User::from_name(user) {
            Ok(Some(u)) => u.dir.to_string_lossy().into_owned(),
            _ => format!("~{user}"),
        },
    }
}

/// A field being built: its text in segments, each quoted or not.
type Segments = Vec<(String, bool)>;

/// Field splitting: unquoted expansion results are cut at IFS characters.
fn split(host: &dyn Host, pieces: Vec<Piece>) -> Vec<Segments> {
    let ifs = ifs(host);
    let mut fields: Vec<Segments> = Vec::new();
    let mut cur: Option<Segments> = None;
    // The last field ended at IFS white space: a following non-white IFS character
    // belongs to the same delimiter.
    let mut after_white = false;
    for p in pieces {
        match p {
            Piece::Break => {
                if let Some(f) = cur.take() {
                    fields.push(f);
                }
                after_white = false;
            }
            Piece::Text {
                text,
                quoted,
                split,
            } if split && !ifs.is_empty() => {
                for c in text.chars() {
                    if ifs.contains(c) {
                        if c.is_whitespace() {
                            if let Some(f) = cur.take() {
                                fields.push(f);
                                after_white = true;
                            }
                        } else if cur.is_none() && after_white {
                            after_white = false;
                        } else {
                            fields.push(cur.take().unwrap_or_default());
                            after_white = false;
                        }
                    } else {
                        after_white = false;
                        push(cur.get_or_insert_with(Vec::new), c.to_string(), quoted);
                    }
                }
            }
            Piece::Text { text, quoted, .. } => {
                if !text.is_empty() || quoted {
                    after_white = false;
                    push(cur.get_or_insert_with(Vec::new), text, quoted);
                }
            }
        }
    }
    if let Some(f) = cur {
        fields.push(f);
    }
    fields
}

fn push(field: &mut Segments, text: String, quoted: bool) {
    match field.last_mut() {
        Some((t, q)) if *q == quoted => t.push_str(&text),
        _ => field.push((text, quoted)),
    }
}

/// Pathname expansion of one field: its matches, sorted, or the field itself.
/// The fields of one word's pathname expansion, and whether it was a pattern that
/// matched nothing, kept as written.
fn glob_field(host: &dyn Host, segments: &Segments) -> Result<(Vec<String>, bool), String> {
    let literal: String = segments.iter().map(|(t, _)| t.as_str()).collect();
    let mode = host.glob_mode();
    if mode.noglob {
        return Ok((vec![literal], false));
    }
    let pattern: String = segments
        .iter()
        .map(|(t, q)| if *q { pattern::escape(t) } else { t.clone() })
        .collect();
    if !pattern::has_magic(&pattern, mode.options.extglob) {
        return Ok((vec![literal], false));
    }
    let matches = pattern::glob(&pattern, &host.cwd(), mode.options);
    if matches.is_empty() {
        if mode.failglob {
            return Err(format!(
                "no match: {}",
                pola_fileserver::text::shown(&literal)
            ));
        }
        if mode.nullglob {
            return Ok((Vec::new(), false));
        }
        return Ok((vec![literal], true));
    }
    host.saw_made();
    Ok((matches, false))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::parse::parse;
    use std::collections::HashMap;

    #[derive(Default)]
    pub struct Mock {
        pub vars: HashMap<String, String>,
        pub args: Vec<String>,
        pub nounset: bool,
    }

    impl Host for Mock {
        fn value(&self, name: &str) -> Option<Value> {
            self.vars.get(name).cloned().map(Value::Str)
        }
        fn set_var(&mut self, name: &str, value: &str) -> Result<(), String> {
            self.vars.insert(name.into(), value.into());
            Ok(())
        }
        fn set_element(&mut self, name: &str, _: &str, value: &str) -> Result<(), String> {
            self.set_var(name, value)
        }
        fn names(&self) -> Vec<String> {
            self.vars.keys().cloned().collect()
        }
        fn positional(&self) -> Vec<String> {
            self.args.clone()
        }
        fn special(&self, c: char) -> String {
            match c {
                '?' => "3".into(),
                '0' => "pola-sh".into(),
                _ => String::new(),
            }
        }
        fn substitute(&mut self, list: &crate::ast::List) -> Result<String, String> {
            Ok(format!("<{list}>\n\n"))
        }
        fn nounset(&self) -> bool {
            self.nounset
        }
        fn glob_mode(&self) -> GlobMode {
            GlobMode::default()
        }
        fn cwd(&self) -> PathBuf {
            std::env::current_dir().unwrap()
        }
    }

    fn mock() -> Mock {
        let mut m = Mock::default();
        for (k, v) in [
            ("x", "a b  c"),
            ("e", ""),
            ("path", "/usr/lib/x.tar.gz"),
            ("HOME", "/home/u"),
        ] {
            m.vars.insert(k.into(), v.into());
        }
        m.args = vec!["one".into(), "two words".into(), "".into()];
        m
    }

    /// The one word `src` parses to.
    fn word(src: &str) -> Word {
        let list = parse(&format!("echo {src}")).unwrap();
        match &list.0[0].and_or.first.commands[0] {
            crate::ast::Command::Simple(s) => match &s.args[1] {
                crate::ast::Arg::Word(w) => w.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    /// The fields of the arguments of a one-command line.
    fn expand(m: &mut Mock, src: &str) -> Vec<String> {
        let list = parse(src).unwrap();
        let crate::ast::Command::Simple(s) = &list.0[0].and_or.first.commands[0] else {
            panic!()
        };
        let words: Vec<Word> = s
            .args
            .iter()
            .filter_map(|a| match a {
                crate::ast::Arg::Word(w) => Some(w.clone()),
                _ => None,
            })
            .collect();
        fields(m, &words[1..])
            .unwrap()
            .into_iter()
            .map(|f| f.text)
            .collect()
    }

    #[test]
    fn splitting_happens_only_to_unquoted_expansions() {
        let m = &mut mock();
        assert_eq!(expand(m, "echo $x"), ["a", "b", "c"]);
        assert_eq!(expand(m, "echo \"$x\""), ["a b  c"]);
        assert_eq!(expand(m, "echo 'a b'"), ["a b"]);
        assert_eq!(expand(m, "echo $e"), Vec::<String>::new());
        assert_eq!(expand(m, "echo \"$e\" ''"), ["", ""]);
        assert_eq!(expand(m, "echo pre$x"), ["prea", "b", "c"]);
        m.vars.insert("IFS".into(), ":".into());
        m.vars.insert("p".into(), "a::b:".into());
        assert_eq!(expand(m, "echo $p"), ["a", "", "b"]);
        m.vars.insert("IFS".into(), " :".into());
        m.vars.insert("p".into(), " a : b ".into());
        assert_eq!(expand(m, "echo $p"), ["a", "b"]);
    }

    #[test]
    fn brace_expansion() {
        let m = &mut mock();
        assert_eq!(expand(m, "echo a{1,2}b"), ["a1b", "a2b"]);
        assert_eq!(
            expand(m, "echo {x,y}{1,2} x{a,b{c,d}}y a{,b}"),
            ["x1", "x2", "y1", "y2", "xay", "xbcy", "xbdy", "a", "ab"]
        );
        assert_eq!(
            expand(m, "echo {1..3} {3..1} {01..10..3} {c..a} {5..-1..2}"),
            [
                "1", "2", "3", "3", "2", "1", "01", "04", "07", "10", "c", "b", "a", "5", "3", "1",
                "-1"
            ]
        );
        // Quoted or escaped braces and commas, and braces with neither, are text.
        assert_eq!(
            expand(m, "echo \"{a,b}\" '{a,b}' \\{a,b} {} {x} {1..} {a..9}"),
            ["{a,b}", "{a,b}", "{a,b}", "{}", "{x}", "{1..}", "{a..9}"]
        );
        // Before the other expansions, which each word then has.
        assert_eq!(expand(m, "echo {$x,-}"), ["a", "b", "c", "-"]);
        assert_eq!(expand(m, "echo pre{\"a b\",c}"), ["prea b", "prec"]);
        assert!(braces(&word("{1..2000000}")).is_ok_and(|w| w.len() == 1));
        // Bounded in words and in memory, with an error, not an abort (a review found
        // 4 GB asked for); the widest ranges of numbers, without overflow.
        assert!(braces(&word("{1..1000}{1..1000}{1..1000}")).is_err());
        let long = format!("{}{{1..1000}}{{1..1000}}", "A".repeat(4000));
        assert!(braces(&word(&long)).is_err());
        assert_eq!(
            expand(
                m,
                "echo {-9223372036854775808..9223372036854775807..4611686018427387904}"
            ),
            [
                "-9223372036854775808",
                "-4611686018427387904",
                "0",
                "4611686018427387904"
            ]
        );
    }

    #[test]
    fn positional_parameters() {
        let m = &mut mock();
        assert_eq!(expand(m, "echo \"$@\""), ["one", "two words", ""]);
        assert_eq!(expand(m, "echo $@"), ["one", "two", "words"]);
        assert_eq!(expand(m, "echo \"$*\""), ["one two words "]);
        assert_eq!(
            expand(m, "echo $# $1 ${2} $0 $?"),
            ["3", "one", "two", "words", "pola-sh", "3"]
        );
        m.args.clear();
        assert_eq!(expand(m, "echo \"$@\""), Vec::<String>::new());
        assert_eq!(expand(m, "echo \"x$@y\""), ["xy"]);
        assert_eq!(expand(m, "echo \"${x:+}\" \"$unset\""), ["", ""]);
    }

    #[test]
    fn parameter_operators() {
        let m = &mut mock();
        assert_eq!(
            expand(m, "echo ${u-dflt} ${e-dflt} ${e:-dflt} ${x:+alt}"),
            ["dflt", "dflt", "alt"]
        );
        assert_eq!(
            expand(
                m,
                "echo ${#path} ${path%.*} ${path%%.*} ${path#*/} ${path##*/}"
            ),
            [
                "17",
                "/usr/lib/x.tar",
                "/usr/lib/x",
                "usr/lib/x.tar.gz",
                "x.tar.gz"
            ]
        );
        assert_eq!(expand(m, "echo ${new:=set} $new"), ["set", "set"]);
        assert_eq!(
            expand(m, "echo ${path%'.gz'} ${path%\"*\"}"),
            ["/usr/lib/x.tar", "/usr/lib/x.tar.gz"]
        );
        assert_eq!(
            fields(m, &[word("${u:?not here}")]).unwrap_err(),
            format!("{UNSET}u: not here")
        );
        m.nounset = true;
        assert_eq!(
            fields(m, &[word("$nope")]).unwrap_err(),
            format!("{UNSET}nope: unbound variable")
        );
    }

    #[test]
    fn tilde_command_and_arithmetic() {
        let m = &mut mock();
        assert_eq!(expand(m, "echo ~ ~/f '~'"), ["/home/u", "/home/u/f", "~"]);
        assert_eq!(
            expand(m, "echo $(true) \"$(true)\""),
            ["<true;>", "<true;>"]
        );
        assert_eq!(expand(m, "echo $((2 * 3 + ${#x}))"), ["12"]);
    }

    #[test]
    fn quoting_is_remembered_per_word() {
        let m = &mut mock();
        let words: Vec<Word> = ["plain", "'q'", "\"d\"", "e\\scaped", "$x"]
            .map(word)
            .to_vec();
        let literal: Vec<bool> = fields(m, &words)
            .unwrap()
            .iter()
            .map(|f| f.literal)
            .collect();
        // Only the single-quoted word is literal; `$x` splits into three fields.
        assert_eq!(literal, [false, true, false, false, false, false, false]);
    }

    #[test]
    fn pathname_expansion() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.rs", "a.rs", ".hidden.rs", "c.txt"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let m = &mut mock();
        let d = dir.path().display();
        assert_eq!(
            expand(m, &format!("echo {d}/*.rs")),
            [format!("{d}/a.rs"), format!("{d}/b.rs")]
        );
        assert_eq!(
            expand(m, &format!("echo '{d}/*.rs'")),
            [format!("{d}/*.rs")]
        );
        assert_eq!(
            expand(m, &format!("echo {d}/*.none")),
            [format!("{d}/*.none")]
        );
        assert_eq!(
            expand(m, &format!("echo {d}/[ab].rs")),
            [format!("{d}/a.rs"), format!("{d}/b.rs")]
        );
    }
}
