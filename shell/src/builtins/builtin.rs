use crate::exec::{Shell, Status};

/// `builtin name [arg]...` — run the builtin `name`, even if a function has its name.
pub fn builtin(sh: &mut Shell, argv: &[String]) -> Status {
    let Some(name) = argv.get(1) else {
        return Ok(0);
    };
    match super::lookup(name) {
        Some(b) => b(sh, &argv[1..]),
        None => {
            sh.error(format!(
                "builtin: {}: not a shell builtin",
                pola_fileserver::text::shown(name)
            ));
            Ok(1)
        }
    }
}
