use crate::exec::{Shell, Status};

/// `export [-p] [name[=value]]...` — pass these variables to every command from now
/// on (jailed commands get only the minimal environment plus what is exported).
pub fn export(sh: &mut Shell, argv: &[String]) -> Status {
    let args: Vec<&String> = argv[1..].iter().filter(|a| *a != "-p").collect();
    if args.is_empty() {
        let mut text = String::new();
        for (k, v) in &sh.vars {
            if v.exported {
                text.push_str(&format!(
                    "export {k}='{}'\n",
                    v.value.replace('\'', "'\\''")
                ));
            }
        }
        return Ok(if super::out(&text) { 0 } else { 1 });
    }
    let mut status = 0;
    for a in args {
        let (name, value) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (a.as_str(), None),
        };
        if !valid_name(name) {
            sh.error(format!(
                "export: {}: not a valid name",
                pola_fileserver::text::shown(name)
            ));
            status = 1;
            continue;
        }
        if let Some(v) = value {
            sh.set(name, v);
        }
        sh.export(name);
    }
    Ok(status)
}

pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
