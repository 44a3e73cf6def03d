//! Shell patterns (`case`, `[[ == ]]`, `${x#pat}`, pathname expansion): `*`, `?`,
//! bracket expressions with ranges and `[:class:]`es, backslash quoting, and bash's
//! extended patterns `?(…) *(…) +(…) @(…) !(…)`. Matching works on characters, not
//! bytes, so `?` matches `é`.
//!
//! A pattern is text in which a quoted character is preceded by a backslash (the
//! expander writes quoted parts that way), so `"*"` matches only a star.

use std::cmp::Ordering;
use std::ffi::CString;
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Char(char),
    Any,
    Star,
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
    /// An extended pattern: kind (`? * + @ !`) and its alternatives.
    Ext(char, Vec<Vec<Tok>>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ClassItem {
    Char(char),
    Range(char, char),
    Named(String),
}

/// Whether `pattern` has an unquoted pattern character (so it can match other text).
pub fn has_magic(pattern: &str, extglob: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => i += 1,
            '*' | '?' => return true,
            '[' if parse_class(&p, i).is_some() => return true,
            '+' | '@' | '!' if extglob && p.get(i + 1) == Some(&'(') => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// The pattern's text with quoting removed (what a word that matched nothing is).
pub fn unescape(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Quote every pattern character of `text` (the pattern matches exactly `text`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '?' | '[' | ']' | '(' | ')' | '|' | '!' | '@' | '+'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A bracket expression at `p[i]` (`[`): its token and the index after it.
fn parse_class(p: &[char], i: usize) -> Option<(Tok, usize)> {
    let mut j = i + 1;
    let negated = matches!(p.get(j), Some('!' | '^'));
    if negated {
        j += 1;
    }
    let mut items = Vec::new();
    let mut first = true;
    loop {
        let c = *p.get(j)?;
        if c == ']' && !first {
            return Some((Tok::Class { negated, items }, j + 1));
        }
        first = false;
        let (item_char, next) = if c == '[' && matches!(p.get(j + 1), Some(':' | '=' | '.')) {
            let kind = p[j + 1];
            let start = j + 2;
            let mut k = start;
            while k + 1 < p.len() && !(p[k] == kind && p[k + 1] == ']') {
                k += 1;
            }
            if k + 1 >= p.len() {
                return None;
            }
            let name: String = p[start..k].iter().collect();
            if kind == ':' {
                items.push(ClassItem::Named(name));
                j = k + 2;
                continue;
            }
            // `[=a=]` and `[.a.]`: the character itself.
            match name.chars().next() {
                Some(ch) => (ch, k + 2),
                None => return None,
            }
        } else if c == '\\' {
            (*p.get(j + 1)?, j + 2)
        } else {
            (c, j + 1)
        };
        if p.get(next) == Some(&'-') && p.get(next + 1).is_some_and(|c| *c != ']') {
            let (end, after) = if p[next + 1] == '\\' {
                (*p.get(next + 2)?, next + 3)
            } else {
                (p[next + 1], next + 2)
            };
            items.push(ClassItem::Range(item_char, end));
            j = after;
        } else {
            items.push(ClassItem::Char(item_char));
            j = next;
        }
    }
}

/// The index of the `)` closing an extended pattern whose `(` is at `i`, and the
/// alternatives' text.
fn ext_group(p: &[char], i: usize) -> Option<(Vec<Vec<char>>, usize)> {
    let mut depth = 0;
    let mut alts = vec![Vec::new()];
    let mut j = i + 1;
    while j < p.len() {
        let c = p[j];
        match c {
            '\\' => {
                alts.last_mut()?.push(c);
                if let Some(n) = p.get(j + 1) {
                    alts.last_mut()?.push(*n);
                }
                j += 2;
                continue;
            }
            '(' => depth += 1,
            ')' if depth == 0 => return Some((alts, j + 1)),
            ')' => depth -= 1,
            '|' if depth == 0 => {
                alts.push(Vec::new());
                j += 1;
                continue;
            }
            _ => {}
        }
        alts.last_mut()?.push(c);
        j += 1;
    }
    None
}

fn compile(p: &[char], extglob: bool) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        if extglob && matches!(c, '?' | '*' | '+' | '@' | '!') && p.get(i + 1) == Some(&'(') {
            if let Some((alts, next)) = ext_group(p, i + 1) {
                let alts = alts.iter().map(|a| compile(a, extglob)).collect();
                out.push(Tok::Ext(c, alts));
                i = next;
                continue;
            }
        }
        match c {
            '\\' => {
                match p.get(i + 1) {
                    Some(n) => out.push(Tok::Char(*n)),
                    None => out.push(Tok::Char('\\')),
                }
                i += 2;
            }
            '*' => {
                if out.last() != Some(&Tok::Star) {
                    out.push(Tok::Star);
                }
                i += 1;
            }
            '?' => {
                out.push(Tok::Any);
                i += 1;
            }
            '[' => match parse_class(p, i) {
                Some((t, next)) => {
                    out.push(t);
                    i = next;
                }
                None => {
                    out.push(Tok::Char('['));
                    i += 1;
                }
            },
            c => {
                out.push(Tok::Char(c));
                i += 1;
            }
        }
    }
    out
}

fn named_class(name: &str, c: char) -> bool {
    match name {
        "alpha" => c.is_alphabetic(),
        "digit" => c.is_ascii_digit(),
        "alnum" => c.is_alphanumeric(),
        "upper" => c.is_uppercase(),
        "lower" => c.is_lowercase(),
        "space" => c.is_whitespace(),
        "blank" => c == ' ' || c == '\t',
        "punct" => c.is_ascii_punctuation(),
        "print" => !c.is_control(),
        "graph" => !c.is_control() && !c.is_whitespace(),
        "cntrl" => c.is_control(),
        "xdigit" => c.is_ascii_hexdigit(),
        "word" => c.is_alphanumeric() || c == '_',
        _ => false,
    }
}

fn class_matches(negated: bool, items: &[ClassItem], c: char) -> bool {
    let hit = items.iter().any(|item| match item {
        ClassItem::Char(x) => *x == c,
        ClassItem::Range(a, b) => *a <= c && c <= *b,
        ClassItem::Named(n) => named_class(n, c),
    });
    hit != negated
}

/// Whether `toks` match all of `s`.
fn match_here(toks: &[Tok], s: &[char]) -> bool {
    let Some((first, rest)) = toks.split_first() else {
        return s.is_empty();
    };
    match first {
        Tok::Char(c) => s.first() == Some(c) && match_here(rest, &s[1..]),
        Tok::Any => !s.is_empty() && match_here(rest, &s[1..]),
        Tok::Class { negated, items } => {
            s.first()
                .is_some_and(|c| class_matches(*negated, items, *c))
                && match_here(rest, &s[1..])
        }
        Tok::Star => {
            if rest.is_empty() {
                return true;
            }
            (0..=s.len()).any(|k| match_here(rest, &s[k..]))
        }
        Tok::Ext(kind, alts) => match kind {
            '@' | '?' => {
                (*kind == '?' && match_here(rest, s))
                    || (0..=s.len()).any(|k| {
                        alts.iter().any(|a| match_here(a, &s[..k])) && match_here(rest, &s[k..])
                    })
            }
            '*' => repeat_then(alts, rest, s),
            '+' => (1..=s.len()).any(|k| {
                alts.iter().any(|a| match_here(a, &s[..k])) && repeat_then(alts, rest, &s[k..])
            }),
            '!' => (0..=s.len())
                .any(|k| !alts.iter().any(|a| match_here(a, &s[..k])) && match_here(rest, &s[k..])),
            _ => false,
        },
    }
}

/// One or more repetitions of `alts`, then `rest`.
fn repeat_then(alts: &[Vec<Tok>], rest: &[Tok], s: &[char]) -> bool {
    if match_here(rest, s) {
        return true;
    }
    (1..=s.len())
        .any(|k| alts.iter().any(|a| match_here(a, &s[..k])) && repeat_then(alts, rest, &s[k..]))
}

/// A compiled pattern.
pub struct Pattern(Vec<Tok>);

impl Pattern {
    pub fn new(pattern: &str, extglob: bool) -> Pattern {
        let chars: Vec<char> = pattern.chars().collect();
        Pattern(compile(&chars, extglob))
    }

    pub fn matches(&self, s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        match_here(&self.0, &chars)
    }

    fn matches_chars(&self, s: &[char]) -> bool {
        match_here(&self.0, s)
    }
}

/// Whether all of `s` matches `pattern`.
pub fn matches(pattern: &str, s: &str, extglob: bool) -> bool {
    Pattern::new(pattern, extglob).matches(s)
}

/// Where the shortest or longest prefix (or suffix) of `s` matching `pattern` ends
/// (or starts), in bytes.
pub fn find_affix(
    pattern: &str,
    s: &str,
    suffix: bool,
    longest: bool,
    extglob: bool,
) -> Option<usize> {
    let p = Pattern::new(pattern, extglob);
    let chars: Vec<char> = s.chars().collect();
    let byte_at = |k: usize| chars[..k].iter().map(|c| c.len_utf8()).sum::<usize>();
    let n = chars.len();
    let order: Vec<usize> = if suffix == longest {
        (0..=n).collect()
    } else {
        (0..=n).rev().collect()
    };
    for k in order {
        let hit = if suffix {
            p.matches_chars(&chars[k..])
        } else {
            p.matches_chars(&chars[..k])
        };
        if hit {
            return Some(byte_at(k));
        }
    }
    None
}

/// The first (longest-at-leftmost) match of `pattern` in `s`, as a byte range,
/// starting at byte `from`. `anchor`: `#` at the start only, `%` at the end only.
pub fn find_in(
    pattern: &str,
    s: &str,
    from: usize,
    anchor: Option<char>,
    extglob: bool,
) -> Option<(usize, usize)> {
    let p = Pattern::new(pattern, extglob);
    let chars: Vec<char> = s.chars().collect();
    let offsets: Vec<usize> = s
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect();
    let start = offsets
        .iter()
        .position(|o| *o >= from)
        .unwrap_or(chars.len());
    let n = chars.len();
    let starts: Vec<usize> = match anchor {
        Some('#') => vec![start],
        _ => (start..=n).collect(),
    };
    for i in starts {
        let ends: Vec<usize> = match anchor {
            Some('%') => vec![n],
            _ => (i..=n).rev().collect(),
        };
        for j in ends {
            if p.matches_chars(&chars[i..j]) {
                return Some((offsets[i], offsets[j]));
            }
        }
    }
    None
}

/// Options of pathname expansion.
#[derive(Clone, Copy, Debug, Default)]
pub struct GlobOptions {
    pub dotglob: bool,
    pub extglob: bool,
    pub nocaseglob: bool,
    /// `**` alone as a component: any number of directories, none included.
    pub globstar: bool,
}

/// Order names as `LC_COLLATE` says (`strcoll`).
pub fn collate(a: &str, b: &str) -> Ordering {
    match (CString::new(a), CString::new(b)) {
        (Ok(x), Ok(y)) => {
            // SAFETY: two valid NUL-terminated strings, read only.
            let r = unsafe { libc::strcoll(x.as_ptr(), y.as_ptr()) };
            r.cmp(&0).then_with(|| a.cmp(b))
        }
        _ => a.cmp(b),
    }
}

/// Use `locale` for ordering pathname expansions (the shell's `LC_ALL`, `LC_COLLATE`
/// or `LANG`; empty for the process environment's).
pub fn set_collation(locale: &str) {
    if let Ok(l) = CString::new(locale) {
        // SAFETY: setlocale with a valid string; the shell has no other threads.
        let r = unsafe { libc::setlocale(libc::LC_COLLATE, l.as_ptr()) };
        if r.is_null() {
            let c = CString::new("C").expect("no NUL");
            // SAFETY: as above.
            unsafe { libc::setlocale(libc::LC_COLLATE, c.as_ptr()) };
        }
    }
}

/// Pathname expansion of `pattern` (relative names from `cwd`): the matching names,
/// sorted, or nothing.
pub fn glob(pattern: &str, cwd: &Path, options: GlobOptions) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let components: Vec<&str> = pattern.split('/').collect();
    // (the path as the result shows it, the path to read the directory from)
    let mut current: Vec<String> = vec![if absolute { "/".into() } else { String::new() }];
    let last = components.len() - 1;
    for (n, comp) in components.iter().enumerate() {
        if comp.is_empty() {
            if n == 0 && absolute {
                continue;
            }
            // `a//b` or a trailing slash: keep it, directories only.
            current = current
                .into_iter()
                .filter(|p| p.is_empty() || is_dir(cwd, p))
                .map(|mut p| {
                    if !p.ends_with('/') || n != last {
                        p.push('/');
                    }
                    p
                })
                .collect();
            continue;
        }
        let mut next = Vec::new();
        if options.globstar && *comp == "**" {
            for prefix in &current {
                // None: the next component matches here.
                if n != last {
                    next.push(prefix.clone());
                }
                below(cwd, prefix, options.dotglob, n == last, 0, &mut next);
            }
            current = next;
            continue;
        }
        if !has_magic(comp, options.extglob) {
            let name = unescape(comp);
            for prefix in &current {
                let path = join(prefix, &name);
                if n == last || is_dir(cwd, &path) {
                    next.push(path);
                }
            }
            current = next;
            continue;
        }
        let p = Pattern::new(
            &if options.nocaseglob {
                comp.to_lowercase()
            } else {
                comp.to_string()
            },
            options.extglob,
        );
        let explicit_dot = comp.starts_with('.') || comp.starts_with("\\.");
        for prefix in &current {
            let Some(entries) = listed(&dir_of(cwd, prefix)) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .iter()
                .map(|name| crate::escapes::from_os(name))
                .collect();
            // `.*` never matches `.` and `..` (read_dir does not list them: bash's
            // globskipdots).
            names.retain(|name| {
                if name.starts_with('.') && !explicit_dot && !options.dotglob {
                    return false;
                }
                let subject = if options.nocaseglob {
                    name.to_lowercase()
                } else {
                    name.clone()
                };
                p.matches(&subject)
            });
            for name in names {
                let path = join(prefix, &name);
                if n == last || is_dir(cwd, &path) {
                    next.push(path);
                }
            }
        }
        current = next;
    }
    let mut out: Vec<String> = current.into_iter().filter(|p| !p.is_empty()).collect();
    out.sort_by(|a, b| collate(a, b));
    out.dedup();
    out
}

/// The most directories `**` descends.
const GLOBSTAR_DEPTH: usize = 64;

/// What `**` stands for below `prefix`: every directory (and with `files`, every other
/// name too), hidden ones only with `dotglob`; links are names, never followed.
fn below(
    cwd: &Path,
    prefix: &str,
    dotglob: bool,
    files: bool,
    depth: usize,
    out: &mut Vec<String>,
) {
    if depth >= GLOBSTAR_DEPTH {
        return;
    }
    let dir = dir_of(cwd, prefix);
    // Never through a link a jail may have made (an earlier component matched it:
    // `*/**` with a planted `root -> /` walked the whole host): `listed`.
    let Some(entries) = listed(&dir) else {
        return;
    };
    let mut names: Vec<(String, bool)> = entries
        .iter()
        .map(|name| {
            let is_dir = std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_dir());
            (crate::escapes::from_os(name), is_dir)
        })
        .filter(|(name, _)| dotglob || !name.starts_with('.'))
        .collect();
    names.sort();
    for (name, is_dir) in names {
        let path = join(prefix, &name);
        if is_dir {
            out.push(path.clone());
            below(cwd, &path, dotglob, files, depth + 1, out);
        } else if files {
            out.push(path);
        }
    }
}

/// The names in directory `dir` (not `.` and `..`), reached as the shell resolves what
/// a command line names: never through a link a jail may have made. A pattern's
/// directories were listed by path, following any link: `out/src/*/*` with a jail's
/// `src/lib -> ../../.ssh` handed the jail the names of the user's keys (and with
/// `src/root -> /`, `etc/shadow` and the rest).
fn listed(dir: &Path) -> Option<Vec<std::ffi::OsString>> {
    use nix::fcntl::OFlag;
    use pola_fileserver::planted;
    use std::os::unix::ffi::OsStrExt;
    // Resolved (a link at its end followed as a user's: `/bin -> usr/bin`), then
    // opened for listing through that descriptor.
    let found = planted::resolve(dir).ok()?;
    let fd = planted::reopen(&found, OFlag::O_RDONLY | OFlag::O_DIRECTORY).ok()?;
    let mut d = nix::dir::Dir::from_fd(fd).ok()?;
    Some(
        d.iter()
            .flatten()
            .map(|e| std::ffi::OsStr::from_bytes(e.file_name().to_bytes()).to_os_string())
            .filter(|n| n != "." && n != "..")
            .collect(),
    )
}

/// The directory a pattern's `prefix` (as results show it) names, from `cwd`.
fn dir_of(cwd: &Path, prefix: &str) -> std::path::PathBuf {
    if prefix.is_empty() {
        cwd.to_path_buf()
    } else {
        cwd.join(crate::escapes::to_path(prefix))
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else if prefix.ends_with('/') {
        format!("{prefix}{name}")
    } else {
        format!("{prefix}/{name}")
    }
}

fn is_dir(cwd: &Path, p: &str) -> bool {
    cwd.join(crate::escapes::to_path(p)).is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globstar_matches_any_depth() {
        let d = tempfile::tempdir().unwrap();
        for f in ["a.sh", "b/c.sh", "b/d/e.sh", "b/d/f.txt", ".h/g.sh"] {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let on = GlobOptions {
            globstar: true,
            ..GlobOptions::default()
        };
        assert_eq!(
            glob("**/*.sh", d.path(), on),
            ["a.sh", "b/c.sh", "b/d/e.sh"]
        );
        assert_eq!(
            glob("**", d.path(), on),
            ["a.sh", "b", "b/c.sh", "b/d", "b/d/e.sh", "b/d/f.txt"]
        );
        assert_eq!(glob("b/**/", d.path(), on), ["b/", "b/d/"]);
        // Off, ** is *.
        assert_eq!(
            glob("**/*.sh", d.path(), GlobOptions::default()),
            ["b/c.sh"]
        );
    }

    #[test]
    fn basic_patterns() {
        assert!(matches("a*c", "abbc", false));
        assert!(matches("a?c", "aéc", false));
        assert!(!matches("a\\*c", "abc", false));
        assert!(matches("a\\*c", "a*c", false));
        assert!(matches("[a-c]x", "bx", false));
        assert!(matches("[!a-c]x", "dx", false));
        assert!(matches("[^a-c]x", "dx", false));
        assert!(matches("[]a]", "]", false));
        assert!(matches("[a-]", "-", false));
        assert!(matches("[[:digit:]]*", "1abc", false));
        assert!(!matches("[[:upper:]]", "a", false));
        assert!(matches("[", "[", false));
        assert!(matches("a[", "a[", false));
        assert!(matches("*", "", false));
        assert!(!matches("?", "", false));
    }

    #[test]
    fn extended_patterns() {
        assert!(matches("@(ab|cd)", "cd", true));
        assert!(!matches("@(ab|cd)", "abcd", true));
        assert!(matches("*(ab)", "ababab", true));
        assert!(matches("*(ab)", "", true));
        assert!(matches("+(ab)x", "ababx", true));
        assert!(!matches("+(ab)x", "x", true));
        assert!(matches("?(a)b", "b", true));
        assert!(matches("!(*.o)", "a.c", true));
        assert!(!matches("!(*.o)", "a.o", true));
        assert!(!matches("@(a)", "@(a)", true));
        assert!(matches("@(a)", "@(a)", false));
    }

    #[test]
    fn affixes() {
        assert_eq!(find_affix("*.", "a.b.c", false, false, false), Some(2));
        assert_eq!(find_affix("*.", "a.b.c", false, true, false), Some(4));
        assert_eq!(find_affix(".*", "a.b.c", true, false, false), Some(3));
        assert_eq!(find_affix(".*", "a.b.c", true, true, false), Some(1));
        assert_eq!(find_in("b*", "abcb", 0, None, false), Some((1, 4)));
        assert_eq!(find_in("b", "abcb", 0, Some('%'), false), Some((3, 4)));
    }
}
