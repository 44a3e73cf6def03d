use crate::exec::{Shell, Status};

/// `unset [-v|-f] name...` — remove variables (or with -f, functions).
pub fn unset(sh: &mut Shell, argv: &[String]) -> Status {
    let mut functions = false;
    let mut status = 0;
    for a in &argv[1..] {
        match a.as_str() {
            "-f" => functions = true,
            "-v" => functions = false,
            name if functions => {
                sh.functions.remove(name);
            }
            name if super::export::valid_name(name) => {
                sh.vars.remove(name);
            }
            name => {
                sh.error(format!(
                    "unset: {}: not a valid name",
                    pola_fileserver::text::shown(name)
                ));
                status = 1;
            }
        }
    }
    Ok(status)
}
