use crate::exec::{Shell, Status};

/// `command [-v|-V] name [arg]...` — with -v/-V, say what name is; otherwise run it,
/// skipping shell functions.
pub fn command(sh: &mut Shell, argv: &[String]) -> Status {
    match argv.get(1).map(String::as_str) {
        Some(flag @ ("-v" | "-V")) => {
            let mut status = 0;
            for name in &argv[2..] {
                match super::type_::describe(sh, name, flag == "-V") {
                    Some(text) => {
                        super::out(&format!("{text}\n"));
                    }
                    None => status = 1,
                }
            }
            Ok(status)
        }
        Some(_) => sh.run_argv(&argv[1..], false),
        None => Ok(0),
    }
}
