use crate::exec::{Shell, Status};

/// `pwd [-L|-P]` — print the working directory (logical by default).
pub fn pwd(sh: &mut Shell, argv: &[String]) -> Status {
    let dir = if argv.get(1).map(String::as_str) == Some("-P") {
        std::env::current_dir().unwrap_or_else(|_| sh.cwd())
    } else {
        sh.cwd()
    };
    Ok(if super::out(&format!("{}\n", dir.display())) {
        0
    } else {
        1
    })
}
