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
                // Read later as the user's own text, where even plain words would
                // grant files to the user's command (`alias cp='cp ~/.ssh/id_rsa'`)
                // or reach the user's own `!!` alias or function (security review):
                // none from text a command made.
                if (sh.made_at_run_time > 0 || sh.words_made)
                    && sh.refuse_made(&format!("alias {}", pola_fileserver::text::shown(name)))
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
