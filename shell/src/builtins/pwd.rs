use crate::exec::{Shell, Status};

/// `pwd [-L|-P]` — print the working directory: as the user walked to it (`-L`, the
/// default), or with symlinks resolved (`-P`).
pub fn pwd(sh: &mut Shell, argv: &[String]) -> Status {
    let mut physical = sh.options.physical;
    for a in &argv[1..] {
        match a.as_str() {
            "-P" => physical = true,
            "-L" => physical = false,
            "--" => break,
            s if s.starts_with('-') && s.len() > 1 => {
                sh.error(format!(
                    "pwd: {}: invalid option",
                    pola_fileserver::text::shown(s)
                ));
                return super::usage(sh, "pwd", "pwd [-LP]");
            }
            _ => {}
        }
    }
    // What the kernel resolves may hold names a jail chose; `$PWD` keeps its mark.
    if physical || sh.vars.get("PWD").is_some_and(|v| v.made) {
        sh.report_made();
    }
    let dir = if physical {
        match std::env::current_dir() {
            Ok(d) => d,
            Err(e) => {
                sh.error(format!(
                    "pwd: error retrieving current directory: {}",
                    crate::exec::io_reason(&e)
                ));
                return Ok(1);
            }
        }
    } else {
        sh.cwd()
    };
    let dir = crate::escapes::from_os(dir.as_os_str());
    Ok(if super::out(&format!("{dir}\n")) {
        0
    } else {
        1
    })
}
