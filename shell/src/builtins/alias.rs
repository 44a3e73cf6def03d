use crate::exec::{Shell, Status};

/// `alias [-p] [name[=value]]...` — define aliases (a command name replaced by text
/// before the line is read), or print them as `alias name='value'`.
pub fn alias(sh: &mut Shell, argv: &[String]) -> Status {
    let args: Vec<&String> = argv[1..].iter().filter(|a| *a != "-p").collect();
    let show = |name: &str, value: &str| format!("alias {name}={}\n", crate::vars::quote(value));
    if args.is_empty() {
        let mut names: Vec<&String> = sh.aliases.keys().collect();
        names.sort();
        let text: String = names.iter().map(|n| show(n, &sh.aliases[*n])).collect();
        return Ok(if super::out(&text) { 0 } else { 1 });
    }
    let mut status = 0;
    for a in args {
        match a.split_once('=') {
            Some((name, value)) if valid_alias_name(name) => {
                if sh.made_at_run_time > 0
                    && !plain_command(sh, value)
                    && sh.refuse_in_made_text(&format!(
                        "alias {}",
                        pola_fileserver::text::shown(name)
                    ))
                {
                    status = 1;
                    continue;
                }
                sh.aliases.insert(name.to_string(), value.to_string());
            }
            Some((name, _)) => {
                sh.error(format!(
                    "alias: {}: invalid alias name",
                    pola_fileserver::text::shown(name)
                ));
                status = 1;
            }
            None => match sh.aliases.get(a.as_str()) {
                Some(v) => {
                    super::out(&show(a, v));
                }
                None => {
                    sh.error(format!(
                        "alias: {}: not found",
                        pola_fileserver::text::shown(a)
                    ));
                    status = 1;
                }
            },
        }
    }
    Ok(status)
}

/// An alias name: no blanks, quotes, `$`, `=`, `/` or shell metacharacters.
pub fn valid_alias_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| " \t\n;&|<>()$`\\\"'=/".contains(c))
}

/// Whether an alias's value, set by text made at run time, is a plain command that
/// can do no more than the user typing it (`alias git=hub`, `alias ll='ls -l'`): one
/// simple command of literal words, no `!!`, no assignment, redirection, expansion or
/// grant marker, naming neither a builtin nor a function. Such an alias is read later
/// as the user's own text, so anything else is refused.
fn plain_command(sh: &Shell, value: &str) -> bool {
    use crate::ast::{Arg, Command, Part};
    let options = crate::parse::Options {
        made_at_run_time: true,
        ..Default::default()
    };
    let Ok(list) = crate::parse::parse_with(value, &options) else {
        return false;
    };
    let [item] = list.0.as_slice() else {
        return false;
    };
    if item.background || !item.and_or.rest.is_empty() {
        return false;
    }
    let p = &item.and_or.first;
    let [Command::Simple(s)] = p.commands.as_slice() else {
        return false;
    };
    if p.bang || p.timed || s.unconfined || !s.assignments.is_empty() || !s.redirects.is_empty() {
        return false;
    }
    let literal = |part: &Part| match part {
        Part::Literal(t) => !t.contains(['*', '?', '[', '~']),
        Part::Single(_) | Part::Escaped(_) => true,
        Part::Double(inner) => inner
            .iter()
            .all(|p| matches!(p, Part::Literal(_) | Part::Escaped(_))),
        _ => false,
    };
    let mut words = Vec::new();
    for a in &s.args {
        let Arg::Word(w) = a else {
            return false;
        };
        if !w.0.iter().all(literal) {
            return false;
        }
        words.push(w);
    }
    let Some(first) = words.first() else {
        return false;
    };
    let mut name = String::new();
    for part in &first.0 {
        match part {
            Part::Literal(t) | Part::Single(t) => name.push_str(t),
            Part::Escaped(c) => name.push(*c),
            Part::Double(inner) => inner.iter().for_each(|p| match p {
                Part::Literal(t) => name.push_str(t),
                Part::Escaped(c) => name.push(*c),
                _ => {}
            }),
            _ => return false,
        }
    }
    crate::builtins::lookup(&name).is_none() && !sh.functions.contains_key(&name)
}
