use std::path::{Path, PathBuf};

use crate::exec::{Shell, Status};
use pola_fileserver::namespace::normalize;

/// `cd [-L|-P] [dir|-]` — change the shell's working directory (`CDPATH` searched for
/// relative names, `-` is `$OLDPWD`). Runs with the user's authority.
pub fn cd(sh: &mut Shell, argv: &[String]) -> Status {
    let mut args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    let physical = args.first() == Some(&"-P");
    if matches!(args.first(), Some(&"-P" | &"-L")) {
        args.remove(0);
    }
    let (target, print) = match args.as_slice() {
        [] => match sh.get("HOME") {
            Some(h) => (h.to_string(), false),
            None => {
                sh.error("cd: HOME not set");
                return Ok(1);
            }
        },
        ["-"] => match sh.get("OLDPWD") {
            Some(o) => (o.to_string(), true),
            None => {
                sh.error("cd: OLDPWD not set");
                return Ok(1);
            }
        },
        [dir] => (dir.to_string(), false),
        _ => return super::usage(sh, "cd", "cd [-L|-P] [dir|-]"),
    };
    let cwd = sh.cwd();
    let mut candidates: Vec<(PathBuf, bool)> = Vec::new();
    let relative = !target.starts_with('/')
        && !target.starts_with("./")
        && !target.starts_with("../")
        && target != "."
        && target != "..";
    if relative {
        if let Some(cdpath) = sh.get("CDPATH") {
            for base in cdpath.split(':').filter(|b| !b.is_empty()) {
                candidates.push((Path::new(base).join(&target), true));
            }
        }
    }
    candidates.push((PathBuf::from(&target), print));
    for (candidate, announce) in candidates {
        let absolute = if candidate.is_absolute() {
            candidate.clone()
        } else {
            cwd.join(&candidate)
        };
        let logical = normalize(&absolute).unwrap_or(absolute.clone());
        let dest = if physical {
            match pola_fileserver::planted::canonical(&absolute) {
                Ok(real) => real,
                Err(e @ pola_fileserver::planted::Refused::Planted { .. }) => {
                    sh.error(format!("cd: {e}"));
                    return Ok(1);
                }
                Err(_) => continue,
            }
        } else {
            logical
        };
        match enter(&dest) {
            Ok(()) => {
                let old = cwd.to_string_lossy().into_owned();
                sh.set("OLDPWD", &old);
                sh.set("PWD", &dest.to_string_lossy());
                if announce {
                    super::out(&format!("{}\n", dest.display()));
                }
                return Ok(0);
            }
            Err(e @ pola_fileserver::planted::Refused::Planted { .. }) => {
                sh.error(format!("cd: {e}"));
                return Ok(1);
            }
            Err(_) => {}
        }
    }
    let why = match std::fs::metadata(cwd.join(&target)) {
        Ok(m) if !m.is_dir() => "not a directory",
        Ok(_) => "permission denied",
        Err(_) => "no such file or directory",
    };
    sh.error(format!(
        "cd: {}: {why}",
        pola_fileserver::text::shown(&target)
    ));
    Ok(1)
}

/// Make `dir` the working directory: exactly the path that will be `$PWD`, resolved
/// without following a link a jail may have made (one would hand the next command
/// lines' grants to wherever the jail pointed it), and entered by the descriptor that
/// was checked, not by name again.
pub fn enter(dir: &Path) -> Result<(), pola_fileserver::planted::Refused> {
    use pola_fileserver::planted::{self, Refused};
    let fd = planted::resolve(dir)?;
    let os = |errno| Refused::Os {
        path: dir.to_path_buf(),
        errno,
    };
    let st = nix::sys::stat::fstat(&fd).map_err(os)?;
    if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
        return Err(os(nix::errno::Errno::ENOTDIR));
    }
    nix::unistd::fchdir(&fd).map_err(os)
}
