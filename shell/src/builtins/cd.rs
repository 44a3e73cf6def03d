use std::path::{Component, Path, PathBuf};

use crate::exec::{Shell, Status};
use pola_fileserver::planted::Refused;

/// `cd [-L|-P] [--] [dir|-]` — change the shell's working directory: `$HOME` by
/// default, `-` is `$OLDPWD` (printed), relative names are searched in `CDPATH`.
/// `-L` (the default) follows the path as written, `..` removing the last name even
/// after a symlink; `-P` resolves symlinks. Runs with the user's authority.
pub fn cd(sh: &mut Shell, argv: &[String]) -> Status {
    let mut physical = sh.options.physical;
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-P" => physical = true,
            "-L" => physical = false,
            "-e" | "-@" => {}
            "--" => {
                i += 1;
                break;
            }
            s if s.starts_with('-') && s.len() > 1 => {
                sh.error(format!("cd: {}: invalid option", crate::escapes::shown(s)));
                return super::usage(sh, "cd", "cd [-L|-P] [dir]");
            }
            _ => break,
        }
        i += 1;
    }
    let args = &argv[i..];
    if args.len() > 1 {
        sh.error("cd: too many arguments");
        return Ok(1);
    }
    let (target, print) = match args.first().map(String::as_str) {
        None => match sh.get("HOME") {
            Some(h) => (h.to_string(), false),
            None => {
                sh.error("cd: HOME not set");
                return Ok(1);
            }
        },
        Some("-") => match sh.get("OLDPWD") {
            Some(o) => (o.to_string(), true),
            None => {
                sh.error("cd: OLDPWD not set");
                return Ok(1);
            }
        },
        Some(dir) => (dir.to_string(), false),
    };
    change(sh, &target, physical, print, "cd")
}

/// Remove `.` and `a/..` from an absolute path, as written (not resolving symlinks).
/// A leading `//` stays (POSIX lets it mean something else than `/`).
pub fn logical(path: &Path) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let double = bytes.starts_with(b"//") && !bytes.starts_with(b"///");
    let mut out = PathBuf::from(if double { "//" } else { "/" });
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}

/// Go to `target` (searched in `CDPATH` when relative); print the new directory when
/// asked or when `CDPATH` found it.
pub fn change(sh: &mut Shell, target: &str, physical: bool, print: bool, name: &str) -> Status {
    if target.is_empty() {
        return Ok(0);
    }
    let cwd = sh.cwd();
    let mut candidates: Vec<(PathBuf, bool)> = Vec::new();
    let searchable =
        !target.starts_with('/') && !matches!(target.split('/').next(), Some("." | ".."));
    if searchable {
        if let Some(cdpath) = sh.get("CDPATH") {
            for base in cdpath.split(':') {
                if base.is_empty() {
                    candidates.push((crate::escapes::to_path(target), false));
                } else {
                    candidates.push((
                        crate::escapes::to_path(base).join(crate::escapes::to_path(target)),
                        true,
                    ));
                }
            }
        }
    }
    candidates.push((crate::escapes::to_path(target), print));
    let mut last_error = None;
    for (candidate, announce) in candidates {
        let absolute = if candidate.is_absolute() {
            candidate.clone()
        } else {
            cwd.join(&candidate)
        };
        // Each directory is entered by the descriptor that was checked: never through
        // a link a jail may have made (see `enter`).
        let (dest, result) = if physical {
            let r = enter(&absolute);
            (
                std::env::current_dir().unwrap_or_else(|_| absolute.clone()),
                r,
            )
        } else {
            let lexical = logical(&absolute);
            match enter(&lexical) {
                Ok(()) => (lexical, Ok(())),
                Err(e @ Refused::Planted { .. }) => (lexical, Err(e)),
                // The path as written does not lead there: try it as the kernel sees it.
                Err(e) => match enter(&absolute) {
                    Ok(()) => (
                        std::env::current_dir().unwrap_or_else(|_| absolute.clone()),
                        Ok(()),
                    ),
                    Err(planted @ Refused::Planted { .. }) => (lexical, Err(planted)),
                    Err(_) => (lexical, Err(e)),
                },
            }
        };
        match result {
            Ok(()) => {
                let old = crate::escapes::from_os(cwd.as_os_str());
                let marked = sh.vars.tainting;
                let old_made = sh.vars.get("PWD").is_some_and(|v| v.made);
                sh.setting_marked(marked || old_made, |sh| sh.set("OLDPWD", &old));
                // A path the kernel resolved holds names a jail may have chosen (a
                // link it planted): marked, as pathname expansion's names are.
                let resolved = dest != absolute;
                let dest = crate::escapes::from_os(dest.as_os_str());
                sh.setting_marked(marked || resolved, |sh| sh.set("PWD", &dest));
                if announce {
                    // A directory's name, which a jail may have chosen (fourth review).
                    sh.report_made();
                    super::out(&format!("{dest}\n"));
                }
                return Ok(0);
            }
            Err(e @ Refused::Planted { .. }) => {
                sh.error(format!("{name}: {e}"));
                return Ok(1);
            }
            Err(e) => last_error = Some(e),
        }
    }
    let why = match last_error {
        Some(Refused::Os { errno, .. }) => errno.desc().to_ascii_lowercase(),
        Some(other) => other.to_string(),
        None => "no such file or directory".into(),
    };
    sh.error(format!("{name}: {}: {why}", crate::escapes::shown(target)));
    Ok(1)
}

/// Make `dir` the working directory: exactly the path that will be `$PWD`, resolved
/// without following a link a jail may have made (one would hand the next command
/// lines' grants to wherever the jail pointed it), and entered by the descriptor that
/// was checked, not by name again.
pub fn enter(dir: &Path) -> Result<(), Refused> {
    let fd = pola_fileserver::planted::resolve(dir)?;
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
