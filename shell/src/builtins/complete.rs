//! `complete` and `compgen`: bash's programmable completion, as far as scripts and
//! start-up files use it. `complete` keeps each command's specification and prints it
//! back (`-p`); the line editor offers a command's `-W` words for its arguments
//! (`Shell::completion_words`) and completes command names and files itself: it runs
//! no `-F` function or `-C` command. `compgen` prints the words a specification would offer (`-W` lists,
//! commands, files, directories, variables, users, …), which completion functions and
//! scripts read.

use std::collections::BTreeMap;

use crate::exec::{Shell, Status};

/// Options that take a value (`-W wordlist`), and those that do not.
const WITH_VALUE: &str = "oAGWFCXPS";
const FLAGS: &str = "abcdefgjksuvDEI";

/// The option words of one `complete` or `compgen`, as given (each `-X` with its
/// value), and the words after them.
struct Parsed<'a> {
    options: Vec<(char, Option<String>)>,
    print: bool,
    remove: bool,
    rest: &'a [String],
}

fn parse<'a>(sh: &mut Shell, name: &str, argv: &'a [String]) -> Result<Parsed<'a>, Status> {
    let mut parsed = Parsed {
        options: Vec::new(),
        print: false,
        remove: false,
        rest: &[],
    };
    let mut i = 1;
    while i < argv.len() {
        let word = &argv[i];
        if word == "--" {
            i += 1;
            break;
        }
        if !word.starts_with('-') || word == "-" {
            break;
        }
        for (at, c) in word[1..].char_indices() {
            match c {
                'p' if name == "complete" => parsed.print = true,
                'r' if name == "complete" => parsed.remove = true,
                c if WITH_VALUE.contains(c) => {
                    let inline = &word[1 + at + c.len_utf8()..];
                    let value = if !inline.is_empty() {
                        inline.to_string()
                    } else if let Some(next) = argv.get(i + 1) {
                        i += 1;
                        next.clone()
                    } else {
                        sh.error(format!("{name}: -{c}: option requires an argument"));
                        return Err(Ok(2));
                    };
                    parsed.options.push((c, Some(value)));
                    break;
                }
                c if FLAGS.contains(c) => parsed.options.push((c, None)),
                c => {
                    sh.error(format!(
                        "{name}: -{}: invalid option",
                        pola_fileserver::text::shown(&c.to_string())
                    ));
                    return Err(Ok(2));
                }
            }
        }
        i += 1;
    }
    parsed.rest = &argv[i..];
    Ok(parsed)
}

/// The line `complete -p` prints for `name`, its options in bash's order and quoting.
fn line(name: &str, options: &[(char, Option<String>)]) -> String {
    let has = |c: char, v: Option<&str>| {
        options
            .iter()
            .any(|(o, value)| *o == c && (v.is_none() || value.as_deref() == v))
    };
    let mut text = String::from("complete");
    for o in [
        "bashdefault",
        "default",
        "dirnames",
        "filenames",
        "noquote",
        "nosort",
        "nospace",
        "plusdirs",
    ] {
        if has('o', Some(o)) {
            text.push_str(&format!(" -o {o}"));
        }
    }
    for (flag, action) in FLAG_ACTIONS {
        if has(*flag, None) || has('A', Some(action)) {
            text.push_str(&format!(" -{flag}"));
        }
    }
    for action in [
        "arrayvar",
        "binding",
        "disabled",
        "enabled",
        "function",
        "helptopic",
        "hostname",
        "running",
        "setopt",
        "shopt",
        "signal",
        "stopped",
    ] {
        if has('A', Some(action)) {
            text.push_str(&format!(" -A {action}"));
        }
    }
    for c in ['G', 'W', 'P', 'S', 'X', 'C', 'F'] {
        if let Some((_, Some(v))) = options.iter().rev().find(|(o, _)| *o == c) {
            match c {
                'F' => text.push_str(&format!(" -F {v}")),
                _ => text.push_str(&format!(" -{c} {}", crate::vars::quote(v))),
            }
        }
    }
    format!("{text} {name}\n")
}

/// The actions that have a letter of their own (`-a` is `-A alias`).
const FLAG_ACTIONS: &[(char, &str)] = &[
    ('a', "alias"),
    ('b', "builtin"),
    ('c', "command"),
    ('d', "directory"),
    ('e', "export"),
    ('f', "file"),
    ('g', "group"),
    ('j', "job"),
    ('k', "keyword"),
    ('s', "service"),
    ('u', "user"),
    ('v', "variable"),
];

/// `complete [-abcdefgjksuvDEI] [-o option] [-A action] [-G glob] [-W wordlist] [-F
/// function] [-C command] [-X filter] [-P prefix] [-S suffix] name...`, `complete -p
/// [name...]`, `complete -r [name...]`.
pub fn complete(sh: &mut Shell, argv: &[String]) -> Status {
    let parsed = match parse(sh, "complete", argv) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let names = parsed.rest;
    // `-D`, `-E`, `-I`: the default, empty-line and first-word specifications.
    let special: Vec<(char, Option<String>)> = parsed
        .options
        .iter()
        .filter(|(c, _)| "DEI".contains(*c))
        .cloned()
        .collect();
    let options: Vec<(char, Option<String>)> = parsed
        .options
        .iter()
        .filter(|(c, _)| !"DEI".contains(*c))
        .cloned()
        .collect();
    let targets: Vec<String> = names
        .iter()
        .cloned()
        .chain(special.iter().map(|(c, _)| format!("-{c}")))
        .collect();
    if parsed.remove {
        if targets.is_empty() {
            sh.completions.clear();
            return Ok(0);
        }
        let mut status = 0;
        for name in &targets {
            if sh.completions.remove(name).is_none() {
                no_specification(sh, name);
                status = 1;
            }
        }
        return Ok(status);
    }
    if parsed.print || (options.is_empty() && targets.is_empty()) {
        let mut status = 0;
        let mut text = String::new();
        if targets.is_empty() {
            for (name, options) in &sh.completions {
                text.push_str(&line(name, options));
            }
        } else {
            for name in &targets {
                match sh.completions.get(name) {
                    Some(options) => text.push_str(&line(name, options)),
                    None => {
                        no_specification(sh, name);
                        status = 1;
                    }
                }
            }
        }
        super::out(&text);
        return Ok(status);
    }
    for name in targets {
        sh.completions.insert(name, options.clone());
    }
    Ok(0)
}

fn no_specification(sh: &mut Shell, name: &str) {
    sh.error(format!(
        "complete: {}: no completion specification",
        pola_fileserver::text::shown(name)
    ));
}

/// `compgen [option] [word]`: the words the options would complete `word` to (those
/// starting with it), one a line; status 1 if there are none. `-F` and `-C` (a
/// function or command to ask) are not run.
pub fn compgen(sh: &mut Shell, argv: &[String]) -> Status {
    let parsed = match parse(sh, "compgen", argv) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let word = parsed.rest.first().map(String::as_str).unwrap_or("");
    let words = generate(sh, &parsed.options, word);
    // Names found on the file system (`-f`, `-G`, `-c`: a jail may have made them), as
    // pathname expansion's are: a command's text (review: `compgen -f zz > out.sh` was
    // taken as the user's, and `. out.sh` ran a `!!` in a file's name).
    sh.report_made();
    let mut text = String::new();
    for w in &words {
        text.push_str(w);
        text.push('\n');
    }
    super::out(&text);
    Ok(if words.is_empty() { 1 } else { 0 })
}

/// The words `options` offer for `word`, with their prefix and suffix, less those the
/// filter (`-X`) takes out.
fn generate(sh: &Shell, options: &[(char, Option<String>)], word: &str) -> Vec<String> {
    let value = |c: char| {
        options
            .iter()
            .find(|(o, _)| *o == c)
            .and_then(|(_, v)| v.clone())
    };
    let has = |c: char| options.iter().any(|(o, _)| *o == c);
    let mut actions: Vec<String> = options
        .iter()
        .filter_map(|(c, v)| match (c, v) {
            ('A', Some(action)) => Some(action.clone()),
            (c, None) => FLAG_ACTIONS
                .iter()
                .find(|(flag, _)| flag == c)
                .map(|(_, action)| action.to_string()),
            _ => None,
        })
        .collect();
    let extra = |o: &str| {
        options
            .iter()
            .any(|(c, v)| *c == 'o' && v.as_deref() == Some(o))
    };
    if extra("plusdirs") {
        actions.push("directory".into());
    }
    let mut found: Vec<String> = Vec::new();
    if let Some(list) = value('W') {
        let ifs = sh.vars.scalar("IFS").unwrap_or(" \t\n").to_string();
        found.extend(
            list.split(|c| ifs.contains(c))
                .filter(|w| !w.is_empty() && w.starts_with(word))
                .map(str::to_string),
        );
    }
    for action in &actions {
        found.extend(action_words(sh, action, word));
    }
    if let Some(pattern) = value('G') {
        let options = crate::pattern::GlobOptions {
            dotglob: false,
            extglob: false,
            nocaseglob: false,
            globstar: false,
        };
        found.extend(
            crate::pattern::glob(&pattern, &sh.cwd(), options)
                .into_iter()
                .filter(|w| w.starts_with(word)),
        );
    }
    if found.is_empty() && (extra("dirnames") || extra("default") || extra("bashdefault")) {
        found = files(sh, word, extra("dirnames"));
    }
    // `-X pattern`: take out what matches (`&` is the word; `!pattern` keeps only that).
    if let Some(filter) = value('X') {
        let (keep, pattern) = match filter.strip_prefix('!') {
            Some(p) => (true, p.replace('&', &crate::pattern::escape(word))),
            None => (false, filter.replace('&', &crate::pattern::escape(word))),
        };
        found.retain(|w| crate::pattern::matches(&pattern, w, false) == keep);
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|w| seen.insert(w.clone()));
    let (prefix, suffix) = (
        value('P').unwrap_or_default(),
        value('S').unwrap_or_default(),
    );
    if has('P') || has('S') {
        for w in &mut found {
            *w = format!("{prefix}{w}{suffix}");
        }
    }
    found
}

/// The words of one action (`-A action`) that start with `word`, sorted.
fn action_words(sh: &Shell, action: &str, word: &str) -> Vec<String> {
    let mut words: Vec<String> = match action {
        "alias" => sh.aliases.keys().cloned().collect(),
        "builtin" | "enabled" | "helptopic" => super::names().map(str::to_string).collect(),
        "keyword" => super::KEYWORDS.iter().map(|k| k.to_string()).collect(),
        "function" => sh.functions.keys().cloned().collect(),
        "variable" => sh.vars.visible().keys().map(|k| k.to_string()).collect(),
        "export" => sh
            .vars
            .visible()
            .iter()
            .filter(|(_, v)| v.exported)
            .map(|(k, _)| k.to_string())
            .collect(),
        "arrayvar" => sh
            .vars
            .visible()
            .iter()
            .filter(|(_, v)| v.is_array() || v.is_assoc())
            .map(|(k, _)| k.to_string())
            .collect(),
        "command" => commands(sh),
        "directory" => return files(sh, word, true),
        "file" => return files(sh, word, false),
        "user" => names_in("/etc/passwd"),
        "group" => names_in("/etc/group"),
        "job" | "running" | "stopped" => Vec::new(),
        "setopt" => crate::options::SET
            .iter()
            .map(|(s, _)| s.to_string())
            .collect(),
        "shopt" => crate::options::SHOPT
            .iter()
            .map(|(s, _)| s.to_string())
            .collect(),
        "signal" => nix::sys::signal::Signal::iterator()
            .map(|s| s.as_str().to_string())
            .collect(),
        _ => Vec::new(),
    };
    words.retain(|w| w.starts_with(word));
    words.sort();
    words.dedup();
    words
}

/// Aliases, builtins, keywords, functions and the programs on `PATH`.
fn commands(sh: &Shell) -> Vec<String> {
    let mut names: Vec<String> = sh.aliases.keys().cloned().collect();
    names.extend(super::names().map(str::to_string));
    names.extend(super::KEYWORDS.iter().map(|k| k.to_string()));
    names.extend(sh.functions.keys().cloned());
    let path = sh.vars.scalar("PATH").unwrap_or_default().to_string();
    for dir in path.split(':').filter(|d| !d.is_empty()) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            names.extend(
                entries
                    .flatten()
                    .filter(|e| is_executable(&e.path()))
                    .map(|e| crate::escapes::from_os(&e.file_name())),
            );
        }
    }
    names
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The files (or directories only) whose names start with `word`, as `word` names
/// them (a leading `~/` is the home), sorted; dot files only for a word naming one.
fn files(sh: &Shell, word: &str, directories: bool) -> Vec<String> {
    let (dir, base) = match word.rfind('/') {
        Some(k) => (&word[..k + 1], &word[k + 1..]),
        None => ("", word),
    };
    let home = sh.vars.scalar("HOME").unwrap_or_default().to_string();
    let read_from = match dir.strip_prefix("~/") {
        Some(rest) if !home.is_empty() => format!("{home}/{rest}"),
        _ => dir.to_string(),
    };
    let at = sh.cwd().join(crate::escapes::to_path(&read_from));
    let Ok(entries) = std::fs::read_dir(&at) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = crate::escapes::from_os(&e.file_name());
            let wanted =
                name.starts_with(base) && (!name.starts_with('.') || base.starts_with('.'));
            let is_dir = std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
            (wanted && (is_dir || !directories)).then(|| format!("{dir}{name}"))
        })
        .collect();
    out.sort();
    out
}

/// The first field of each line of a `/etc/passwd`-style file.
fn names_in(file: &str) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split(':').next())
        .filter(|n| !n.is_empty() && !n.starts_with('#'))
        .map(str::to_string)
        .collect()
}

impl Shell {
    /// The words `complete -W` gave each command's arguments, for the line editor
    /// (split on blanks, as given: not expanded).
    pub fn completion_words(&self) -> BTreeMap<String, Vec<String>> {
        self.completions
            .iter()
            .filter_map(|(name, options)| {
                let (_, list) = options.iter().rev().find(|(c, _)| *c == 'W')?;
                let words = list.as_ref()?.split_whitespace().map(str::to_string);
                Some((name.clone(), words.collect()))
            })
            .collect()
    }
}

/// Each command's `complete` specification (its option words), by name; `-D`, `-E`,
/// `-I` for the default, empty-line and first-word ones.
pub type Completions = BTreeMap<String, Vec<(char, Option<String>)>>;
