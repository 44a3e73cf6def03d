//! Word expansion, in POSIX order: tilde, parameters, command substitution and
//! arithmetic; then field splitting on `IFS` of what unquoted expansions produced;
//! then pathname expansion (the `glob` crate) of unquoted pattern characters; then
//! quote removal.
//!
//! Each resulting field remembers whether its word had a single-quoted part: such a
//! word is never granted implicitly (DESIGN.md), whatever it expands to; double quotes
//! and backslashes do not change whether a word names a file.

use crate::arith;
use crate::ast::{Param, ParamName, ParamOp, Part, Word};

/// What expansion needs from the shell.
pub trait Host {
    fn var(&self, name: &str) -> Option<String>;
    fn set_var(&mut self, name: &str, value: &str) -> Result<(), String>;
    /// `$1`, `$2`, ...
    fn positional(&self) -> Vec<String>;
    /// `$?`, `$$`, `$!`, `$-`, `$0`.
    fn special(&self, c: char) -> String;
    /// Run `list` and return its standard output (command substitution).
    fn substitute(&mut self, list: &crate::ast::List) -> Result<String, String>;
    /// `set -u`: an unset parameter is an error.
    fn nounset(&self) -> bool;
    /// `set -f`: no pathname expansion.
    fn noglob(&self) -> bool;
}

/// One field of an expanded word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    /// The word had a single-quoted part (so it is never granted implicitly).
    pub literal: bool,
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

/// Whether any part of the word is single-quoted.
pub fn is_literal(word: &Word) -> bool {
    word.0.iter().any(|p| matches!(p, Part::Single(_)))
}

/// Expand words into fields: splitting and pathname expansion included (arguments,
/// `for` lists).
pub fn fields(host: &mut dyn Host, words: &[Word]) -> Result<Vec<Field>, String> {
    let mut out = Vec::new();
    for w in words {
        let literal = is_literal(w);
        let pieces = pieces(host, &w.0, false)?;
        for segments in split(host, pieces) {
            for text in glob_field(host, &segments) {
                out.push(Field { text, literal });
            }
        }
    }
    Ok(out)
}

/// Expand a word to one string: no splitting, no pathname expansion (assignments,
/// redirection targets, `case` words, here-documents).
pub fn string(host: &mut dyn Host, word: &Word) -> Result<String, String> {
    let pieces = pieces(host, &word.0, false)?;
    Ok(join_pieces(host, &pieces))
}

/// Expand a word as a pattern (`case`, `${x%pattern}`): quoted characters match
/// themselves, unquoted ones keep their pattern meaning.
pub fn pattern(host: &mut dyn Host, word: &Word) -> Result<String, String> {
    let pieces = pieces(host, &word.0, false)?;
    let mut out = String::new();
    for p in pieces {
        if let Piece::Text { text, quoted, .. } = p {
            if quoted {
                out.push_str(&glob::Pattern::escape(&text));
            } else {
                out.push_str(&text);
            }
        }
    }
    Ok(out)
}

fn join_pieces(host: &dyn Host, pieces: &[Piece]) -> String {
    let sep = ifs(host)
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default();
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text { text, .. } => out.push_str(text),
            Piece::Break => out.push_str(&sep),
        }
    }
    out
}

fn ifs(host: &dyn Host) -> String {
    host.var("IFS").unwrap_or_else(|| " \t\n".into())
}

fn pieces(host: &mut dyn Host, parts: &[Part], in_double: bool) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    for part in parts {
        match part {
            Part::Literal(s) => out.push(text(s.clone(), in_double, false)),
            Part::Single(s) => out.push(text(s.clone(), true, false)),
            Part::Escaped(c) => out.push(text(c.to_string(), true, false)),
            Part::Double(inner) if inner.is_empty() => {
                // `""` is an empty field of its own.
                out.push(text("", true, false));
            }
            // Inside, everything yields a (quoted) piece but `"$@"` without parameters.
            Part::Double(inner) => out.extend(pieces(host, inner, true)?),
            Part::Tilde(user) => out.push(text(tilde(host, user), true, false)),
            Part::Param(p) => param(host, p, in_double, &mut out)?,
            Part::Command(list) => {
                let mut output = host.substitute(list)?;
                while output.ends_with('\n') {
                    output.pop();
                }
                out.push(text(output, in_double, !in_double));
            }
            Part::Arith(w) => {
                let expr = string(host, w)?;
                let value = arith::evaluate(&expr, &mut ArithVars(host))
                    .map_err(|e| format!("arithmetic: {e}"))?;
                out.push(text(value.to_string(), in_double, !in_double));
            }
        }
    }
    Ok(out)
}

struct ArithVars<'a>(&'a mut dyn Host);

impl arith::Vars for ArithVars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0.var(name)
    }
    fn set(&mut self, name: &str, value: i64) -> Result<(), String> {
        self.0.set_var(name, &value.to_string())
    }
}

fn tilde(host: &dyn Host, user: &str) -> String {
    if user.is_empty() {
        return host.var("HOME").unwrap_or_else(|| "~".into());
    }
    match nix::unistd::User::from_name(user) {
        Ok(Some(u)) => u.dir.to_string_lossy().into_owned(),
        _ => format!("~{user}"),
    }
}

/// The value of a parameter, `None` when unset.
fn value(host: &dyn Host, name: &ParamName) -> Option<String> {
    match name {
        ParamName::Var(v) => host.var(v),
        ParamName::Positional(0) => Some(host.special('0')),
        ParamName::Positional(n) => host.positional().get(n - 1).cloned(),
        ParamName::Special('#') => Some(host.positional().len().to_string()),
        ParamName::Special('@' | '*') => {
            let p = host.positional();
            if p.is_empty() {
                None
            } else {
                Some(p.join(" "))
            }
        }
        ParamName::Special(c) => {
            let v = host.special(*c);
            if *c == '!' && v.is_empty() {
                None
            } else {
                Some(v)
            }
        }
    }
}

fn display(name: &ParamName) -> String {
    match name {
        ParamName::Var(v) => v.clone(),
        ParamName::Positional(n) => n.to_string(),
        ParamName::Special(c) => c.to_string(),
    }
}

fn param(
    host: &mut dyn Host,
    p: &Param,
    in_double: bool,
    out: &mut Vec<Piece>,
) -> Result<(), String> {
    let before = out.len();
    param_pieces(host, p, in_double, out)?;
    // Quoted, an expansion to nothing is still an (empty) field — except `"$@"`.
    let all = matches!(p.name, ParamName::Special('@')) && p.op == ParamOp::Plain;
    if in_double && out.len() == before && !all {
        out.push(text("", true, false));
    }
    Ok(())
}

fn param_pieces(
    host: &mut dyn Host,
    p: &Param,
    in_double: bool,
    out: &mut Vec<Piece>,
) -> Result<(), String> {
    let val = value(host, &p.name);
    let is_null =
        |v: &Option<String>, colon: bool| v.is_none() || (colon && v.as_deref() == Some(""));
    let word_pieces = |host: &mut dyn Host, w: &Word| pieces(host, &w.0, in_double);
    match &p.op {
        ParamOp::Plain => {
            if let ParamName::Special(c @ ('@' | '*')) = p.name {
                return positional_all(host, c, in_double, out);
            }
            match val {
                Some(v) => out.push(text(v, in_double, !in_double)),
                None if host.nounset() && !matches!(p.name, ParamName::Special(_)) => {
                    return Err(format!("{}: parameter not set", display(&p.name)));
                }
                None => {}
            }
        }
        ParamOp::Length => {
            let v = match val {
                Some(v) => v,
                None if host.nounset() => {
                    return Err(format!("{}: parameter not set", display(&p.name)))
                }
                None => String::new(),
            };
            out.push(text(v.chars().count().to_string(), in_double, !in_double));
        }
        ParamOp::Default(colon, w) => {
            if is_null(&val, *colon) {
                out.extend(word_pieces(host, w)?);
            } else {
                out.push(text(val.unwrap_or_default(), in_double, !in_double));
            }
        }
        ParamOp::Assign(colon, w) => {
            if is_null(&val, *colon) {
                let ParamName::Var(name) = &p.name else {
                    return Err(format!("{}: cannot assign in this way", display(&p.name)));
                };
                let new = string(host, w)?;
                host.set_var(name, &new)?;
                out.push(text(new, in_double, !in_double));
            } else {
                out.push(text(val.unwrap_or_default(), in_double, !in_double));
            }
        }
        ParamOp::Error(colon, w) => {
            if is_null(&val, *colon) {
                let message = string(host, w)?;
                let message = if message.is_empty() {
                    "parameter null or not set".to_string()
                } else {
                    message
                };
                return Err(format!("{}: {message}", display(&p.name)));
            }
            out.push(text(val.unwrap_or_default(), in_double, !in_double));
        }
        ParamOp::Alternative(colon, w) => {
            if !is_null(&val, *colon) {
                out.extend(word_pieces(host, w)?);
            }
        }
        ParamOp::TrimSuffix(longest, w) | ParamOp::TrimPrefix(longest, w) => {
            let v = match val {
                Some(v) => v,
                None if host.nounset() => {
                    return Err(format!("{}: parameter not set", display(&p.name)))
                }
                None => String::new(),
            };
            let pat = pattern(host, w)?;
            let suffix = matches!(p.op, ParamOp::TrimSuffix(..));
            out.push(text(
                trim(&v, &pat, suffix, *longest),
                in_double,
                !in_double,
            ));
        }
    }
    Ok(())
}

/// `$@` and `$*`: quoted `"$@"` is one field per parameter, quoted `"$*"` one field
/// joined with the first character of IFS; unquoted, each is split further.
fn positional_all(
    host: &mut dyn Host,
    c: char,
    in_double: bool,
    out: &mut Vec<Piece>,
) -> Result<(), String> {
    let params = host.positional();
    if in_double && c == '*' {
        let sep = ifs(host)
            .chars()
            .next()
            .map(String::from)
            .unwrap_or_default();
        out.push(text(params.join(&sep), true, false));
        return Ok(());
    }
    for (i, p) in params.into_iter().enumerate() {
        if i > 0 {
            out.push(Piece::Break);
        }
        out.push(text(p, in_double, !in_double));
    }
    Ok(())
}

/// Remove the smallest or largest prefix or suffix of `v` matching `pat`.
fn trim(v: &str, pat: &str, suffix: bool, longest: bool) -> String {
    let Ok(pattern) = glob::Pattern::new(pat) else {
        return v.to_string();
    };
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    let mut cuts: Vec<usize> = v
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(v.len()))
        .collect();
    // Prefix: try cut points shortest first (or longest first); suffix likewise from the end.
    if suffix {
        cuts.reverse();
    }
    if longest {
        cuts.reverse();
    }
    for cut in cuts {
        let (part, rest) = if suffix {
            (&v[cut..], &v[..cut])
        } else {
            (&v[..cut], &v[cut..])
        };
        if pattern.matches_with(part, options) {
            return rest.to_string();
        }
    }
    v.to_string()
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
fn glob_field(host: &dyn Host, segments: &Segments) -> Vec<String> {
    let literal: String = segments.iter().map(|(t, _)| t.as_str()).collect();
    let has_pattern = segments
        .iter()
        .any(|(t, q)| !q && t.contains(['*', '?', '[']));
    if !has_pattern || host.noglob() {
        return vec![literal];
    }
    let pattern: String = segments
        .iter()
        .map(|(t, q)| {
            if *q {
                glob::Pattern::escape(t)
            } else {
                t.clone()
            }
        })
        .collect();
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let mut matches: Vec<String> = match glob::glob_with(&pattern, options) {
        Ok(paths) => paths
            .flatten()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    if matches.is_empty() {
        return vec![literal];
    }
    // A pattern `./x*` keeps its `./` prefix, as shells do.
    if let Some(prefix) = pattern.strip_suffix(pattern.trim_start_matches("./")) {
        if !prefix.is_empty() {
            for m in &mut matches {
                if !m.starts_with(prefix) {
                    m.insert_str(0, prefix);
                }
            }
        }
    }
    matches.sort();
    matches
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
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).cloned()
        }
        fn set_var(&mut self, name: &str, value: &str) -> Result<(), String> {
            self.vars.insert(name.into(), value.into());
            Ok(())
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
        fn noglob(&self) -> bool {
            false
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
            "u: not here"
        );
        m.nounset = true;
        assert_eq!(
            fields(m, &[word("$nope")]).unwrap_err(),
            "nope: parameter not set"
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
