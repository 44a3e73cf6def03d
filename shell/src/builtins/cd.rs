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
        // A directory reached through a link a jail may have made would hand the
        // next command lines' grants to wherever the jail pointed it.
        if let Err(e @ pola_fileserver::planted::Refused::Planted { .. }) =
            pola_fileserver::planted::resolve(&absolute)
        {
            sh.error(format!("cd: {e}"));
            return Ok(1);
        }
        let logical = normalize(&absolute).unwrap_or(absolute.clone());
        let dest = if physical {
            std::fs::canonicalize(&absolute).unwrap_or(logical)
        } else {
            logical
        };
        if std::env::set_current_dir(&dest).is_ok() {
            let old = cwd.to_string_lossy().into_owned();
            sh.set("OLDPWD", &old);
            sh.set("PWD", &dest.to_string_lossy());
            if announce {
                super::out(&format!("{}\n", dest.display()));
            }
            return Ok(0);
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
