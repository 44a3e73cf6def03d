//! `which [-a] NAME...` — the program each NAME runs, found on `PATH` as the shell
//! finds it. A builtin, so that it answers from the shell's view: a jailed
//! `/usr/bin/which` searches the jail's namespace, which holds only the default
//! environment (`~/.cargo/bin/cargo`, which the shell runs, is not there).

use std::path::{Path, PathBuf};

use crate::exec::{Shell, Status};

/// Whether `path` is a regular file this process may execute.
fn executable(path: &Path) -> bool {
    path.is_file() && nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_ok()
}

/// Where `name` is on `path_var` (each match, or the first), as `which` prints it.
fn find(name: &str, path_var: &str, cwd: &Path, all: bool) -> Vec<PathBuf> {
    if name.contains('/') {
        return if executable(&cwd.join(name)) {
            vec![PathBuf::from(name)]
        } else {
            Vec::new()
        };
    }
    let mut found = Vec::new();
    for dir in path_var.split(':') {
        let candidate = if dir.is_empty() {
            PathBuf::from(name)
        } else {
            Path::new(dir).join(name)
        };
        if executable(&cwd.join(&candidate)) && !found.contains(&candidate) {
            found.push(candidate);
            if !all {
                break;
            }
        }
    }
    found
}

pub fn which(sh: &mut Shell, argv: &[String]) -> Status {
    let mut all = false;
    let mut names = Vec::new();
    let mut options = true;
    for a in &argv[1..] {
        match a.as_str() {
            "-a" if options => all = true,
            "-s" if options => {}
            "--" if options => options = false,
            o if options && o.starts_with('-') && o.len() > 1 => {
                sh.error(format!(
                    "which: {}: invalid option (usage: which [-a] name...)",
                    pola_fileserver::text::shown(o)
                ));
                return Ok(2);
            }
            _ => {
                options = false;
                names.push(a.clone());
            }
        }
    }
    let path_var = sh.get("PATH").unwrap_or("").to_string();
    let cwd = sh.cwd();
    let mut status = 0;
    let mut text = String::new();
    for name in &names {
        let found = find(name, &path_var, &cwd, all);
        if found.is_empty() {
            status = 1;
        }
        for p in found {
            text.push_str(&format!("{}\n", pola_fileserver::text::shown(&p)));
        }
    }
    super::out(&text);
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_or_every_program_on_path() {
        let d = tempfile::tempdir().unwrap();
        for dir in ["a", "b"] {
            std::fs::create_dir(d.path().join(dir)).unwrap();
            let f = d.path().join(dir).join("tool");
            std::fs::write(&f, "#!/bin/sh\n").unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::write(d.path().join("a/plain"), "").unwrap();
        let path = format!("{0}/a:{0}/b", d.path().display());
        assert_eq!(
            find("tool", &path, d.path(), false),
            [d.path().join("a/tool")]
        );
        assert_eq!(
            find("tool", &path, d.path(), true),
            [d.path().join("a/tool"), d.path().join("b/tool")]
        );
        assert!(find("plain", &path, d.path(), true).is_empty());
        assert_eq!(
            find("./a/tool", "", d.path(), false),
            [PathBuf::from("./a/tool")]
        );
    }
}
