use crate::exec::{Shell, Status};

/// What a command name means to this shell.
pub enum Kind {
    Alias(String),
    Keyword,
    Function,
    Builtin,
    File(std::path::PathBuf),
}

/// The meanings of `name`, in the order the shell tries them (`all`: every one).
pub fn kinds(sh: &Shell, name: &str, all: bool, path_only: bool) -> Vec<Kind> {
    let mut out = Vec::new();
    if !path_only {
        if let Some(a) = sh.aliases.get(name) {
            out.push(Kind::Alias(a.clone()));
        }
        if super::KEYWORDS.contains(&name) {
            out.push(Kind::Keyword);
        }
        if sh.functions.contains_key(name) {
            out.push(Kind::Function);
        }
        if super::exists(name) {
            out.push(Kind::Builtin);
        }
        if !all && !out.is_empty() {
            out.truncate(1);
            return out;
        }
    }
    let path = sh.get("PATH").unwrap_or("").to_string();
    if all && !name.contains('/') {
        for dir in std::env::split_paths(&path) {
            let p = if dir.as_os_str().is_empty() {
                sh.cwd().join(name)
            } else {
                dir.join(name)
            };
            if p.is_file() && nix::unistd::access(&p, nix::unistd::AccessFlags::X_OK).is_ok() {
                out.push(Kind::File(p));
            }
        }
    } else if let Ok(p) = crate::jail::find_program(name.as_ref(), &sh.cwd(), path.as_ref()) {
        let shown = if name.contains('/') {
            std::path::PathBuf::from(name)
        } else {
            p
        };
        out.push(Kind::File(shown));
    }
    out
}

/// What a command name means, as `type` (verbose) or `command -v` says it.
pub fn describe(sh: &Shell, name: &str, verbose: bool) -> Option<String> {
    let kind = kinds(sh, name, false, false).into_iter().next()?;
    Some(line(name, &kind, verbose, sh))
}

fn line(name: &str, kind: &Kind, verbose: bool, sh: &Shell) -> String {
    let shown = pola_fileserver::text::shown(name);
    match (kind, verbose) {
        (Kind::Alias(a), true) => format!("{shown} is an alias for {a}"),
        (Kind::Alias(a), false) => format!("alias {name}={}", crate::vars::quote(a)),
        (Kind::Keyword, true) => format!("{shown} is a shell keyword"),
        (Kind::Function, true) => {
            if sh.made_functions.contains(name) {
                sh.report_made();
            }
            let body = sh
                .functions
                .get(name)
                .map(|b| crate::pretty::function(name, b))
                .unwrap_or_default();
            format!("{shown} is a function\n{body}")
        }
        (Kind::Builtin, true) => format!("{shown} is a shell builtin"),
        // As sh says it (every program runs jailed: `grants` shows how).
        (Kind::File(p), true) => format!("{shown} is {}", pola_fileserver::text::shown(p)),
        (Kind::File(p), false) => p.display().to_string(),
        (_, false) => name.to_string(),
    }
}

/// `type [-afptP] name...` — say whether each name is an alias, a keyword, a
/// function, a builtin or a program (`-t`: one word; `-p`/`-P`: the program's path;
/// `-a`: every meaning).
pub fn type_(sh: &mut Shell, argv: &[String]) -> Status {
    let (mut all, mut word, mut path, mut force_path) = (false, false, false, false);
    let mut names = Vec::new();
    for a in &argv[1..] {
        match a.strip_prefix('-') {
            Some(flags) if names.is_empty() && !flags.is_empty() => {
                for c in flags.chars() {
                    match c {
                        'a' => all = true,
                        't' => word = true,
                        'p' => path = true,
                        'P' => force_path = true,
                        'f' => {}
                        _ => {
                            sh.error(format!("type: -{c}: invalid option"));
                            return super::usage(sh, "type", "type [-afptP] name [name ...]");
                        }
                    }
                }
            }
            _ => names.push(a.clone()),
        }
    }
    let mut status = 0;
    let mut text = String::new();
    for name in &names {
        let found = kinds(sh, name, all, force_path);
        if found.is_empty() {
            if !word && !path && !force_path {
                sh.error(format!(
                    "type: {}: not found",
                    pola_fileserver::text::shown(name)
                ));
            }
            status = 1;
            continue;
        }
        for k in &found {
            if word {
                text.push_str(match k {
                    Kind::Alias(_) => "alias\n",
                    Kind::Keyword => "keyword\n",
                    Kind::Function => "function\n",
                    Kind::Builtin => "builtin\n",
                    Kind::File(_) => "file\n",
                });
            } else if path || force_path {
                if let Kind::File(p) = k {
                    text.push_str(&format!("{}\n", p.display()));
                }
            } else {
                text.push_str(&line(name, k, true, sh));
                text.push('\n');
            }
        }
    }
    super::out(&text);
    Ok(status)
}
