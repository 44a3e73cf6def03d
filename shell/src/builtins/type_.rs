use crate::exec::{Shell, Status};

/// What a command name means to this shell, as `type` says it.
pub fn describe(sh: &Shell, name: &str, verbose: bool) -> Option<String> {
    if sh.functions.contains_key(name) {
        return Some(if verbose {
            format!("{name} is a function")
        } else {
            name.to_string()
        });
    }
    if super::exists(name) {
        return Some(if verbose {
            format!("{name} is a shell builtin")
        } else {
            name.to_string()
        });
    }
    let path = sh.get("PATH").unwrap_or("").to_string();
    let found = crate::jail::find_program(name.as_ref(), &sh.cwd(), path.as_ref()).ok()?;
    Some(if verbose {
        format!(
            "{} is {} (runs jailed)",
            pola_fileserver::text::shown(name),
            pola_fileserver::text::shown(&found)
        )
    } else {
        found.display().to_string()
    })
}

/// `type name...` — say whether each name is a function, a builtin or a program.
pub fn type_(sh: &mut Shell, argv: &[String]) -> Status {
    let mut status = 0;
    for name in &argv[1..] {
        match describe(sh, name, true) {
            Some(text) => {
                super::out(&format!("{text}\n"));
            }
            None => {
                sh.error(format!(
                    "type: {}: not found",
                    pola_fileserver::text::shown(name)
                ));
                status = 1;
            }
        }
    }
    Ok(status)
}
