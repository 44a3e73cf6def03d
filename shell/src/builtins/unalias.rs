use crate::exec::{Shell, Status};

/// `unalias [-a] name...` — remove aliases (`-a`: all of them).
pub fn unalias(sh: &mut Shell, argv: &[String]) -> Status {
    if argv.len() == 1 {
        return super::usage(sh, "unalias", "unalias [-a] name [name ...]");
    }
    let mut status = 0;
    for a in &argv[1..] {
        if a == "-a" {
            sh.aliases.clear();
            continue;
        }
        if sh.aliases.remove(a.as_str()).is_none() {
            sh.error(format!(
                "unalias: {}: not found",
                pola_fileserver::text::shown(a)
            ));
            status = 1;
        }
    }
    Ok(status)
}
