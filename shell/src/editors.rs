//! Interactive editors given files to read only.
//!
//! `vim notes.txt` gives vim `notes.txt` read-only, as every word is: vim opens it
//! marked `[readonly]` (a new name, `[New]`), the user edits, and `:wq` fails — the
//! edits are lost, or saved by hand somewhere else. What the user meant is plain: an
//! editor named with a file is there to change it. In an interactive shell, before
//! such an editor starts, pola-sh asks whether to give it those files to write, as
//! `=>` would; the question names exactly the words of the line, and nothing else is
//! given. Not for an editor asked to only show the file (`vim -R`, `view`, `nano -v`),
//! nor for a file the user may not write anyway.

use std::path::{Path, PathBuf};

use crate::jail::Request;

/// Options whose argument is the next word (not a file to edit): vim's, nano's,
/// emacs's.
const WITH_ARGUMENT: &[&str] = &[
    "-c",
    "-S",
    "-T",
    "-u",
    "-U",
    "-i",
    "-w",
    "-W",
    "-s",
    "-t",
    "-q",
    "--cmd",
    "-Y",
    "-r",
    "-o",
    "-C",
    "-Q",
    "-X",
    "-f",
    "--syntax",
    "--tabsize",
    "--fill",
    "--operatingdir",
    "--backupdir",
    "--quotestr",
    "--wordchars",
    "--rcfile",
    "--speller",
    "-l",
    "--load",
    "--funcall",
    "--eval",
    "-L",
];

/// The editor's name, if the program `argv0` is one of the editors the shell knows.
pub fn editor(argv0: &str) -> Option<String> {
    let tool = Path::new(argv0).file_name()?.to_string_lossy().into_owned();
    pola_fileserver::hints::EDITORS
        .contains(&tool.as_str())
        .then_some(tool)
}

/// The operands of `argv` (an editor's command line) that name a file the editor
/// would get read-only, or not at all, though the user may write it: the words, and
/// their paths in the jail.
pub fn read_only_files(argv: &[String], cwd: &Path, grants: &[Request]) -> Vec<(String, PathBuf)> {
    let Some(tool) = argv.first().and_then(|a| editor(a)) else {
        return Vec::new();
    };
    if pola_fileserver::hints::view_only(&tool, &argv[1..]) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut options = true;
    let mut argument = false;
    for word in &argv[1..] {
        if std::mem::take(&mut argument) {
            continue;
        }
        if options && word == "--" {
            options = false;
            continue;
        }
        if options && (word.starts_with('-') || word.starts_with('+')) {
            // `-u NONE`, `-Nu NONE`: the next word is the option's.
            let last = word.chars().last().map(|c| format!("-{c}"));
            argument = WITH_ARGUMENT.contains(&word.as_str())
                || (word.len() > 2
                    && !word.starts_with("--")
                    && last.is_some_and(|l| WITH_ARGUMENT.contains(&l.as_str())));
            continue;
        }
        let Some(path) = crate::jail::placed(cwd, &crate::escapes::to_path(word)) else {
            continue;
        };
        let granted = grants.iter().find(|g| same(g, &path, cwd));
        if granted.is_some_and(|g| g.write) {
            continue;
        }
        let may_write = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta.is_file() && granted.is_some() && writable(&path),
            // A new file, in a directory the user may write.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                granted.is_none() && path.parent().is_some_and(|d| d.is_dir() && writable(d))
            }
            Err(_) => false,
        };
        if may_write && !out.iter().any(|(_, p)| *p == path) {
            out.push((word.clone(), path));
        }
    }
    out
}

/// Whether `grant` (its path as the line gave it, relative to `cwd` or not) is `path`.
fn same(grant: &Request, path: &Path, cwd: &Path) -> bool {
    crate::jail::placed(cwd, &grant.path).is_some_and(|g| g == path)
}

fn writable(path: &Path) -> bool {
    nix::unistd::access(path, nix::unistd::AccessFlags::W_OK).is_ok()
}

/// The question asked before the editor starts.
pub fn question(program: &str, files: &[(String, PathBuf)]) -> String {
    let shown = |w: &String| pola_fileserver::text::shown(w).to_string();
    let grants: Vec<String> = files
        .iter()
        .map(|(w, _)| format!("=> {}", shown(w)))
        .collect();
    // A file not there yet is not given at all: it could not be made (it was said to
    // be read only; new-user trial).
    let (there, new): (Vec<_>, Vec<_>) = files
        .iter()
        .partition(|(_, p)| p.symlink_metadata().is_ok());
    let list = |f: &[&(String, PathBuf)]| {
        f.iter()
            .map(|(w, _)| shown(w))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let program = pola_fileserver::text::shown(program);
    let what = match (there.is_empty(), new.is_empty()) {
        (false, true) => format!(
            "would get {} to read only, and could not save changes",
            list(&there)
        ),
        (true, false) => format!("could not create {}, which it was not given", list(&new)),
        _ => format!(
            "would get {} to read only, and could not create {}",
            list(&there),
            list(&new)
        ),
    };
    format!(
        "pola-sh: {program} {what}. Give it to write ({program} {})? [Y/n] ",
        grants.join(" "),
    )
}

/// Whether an answer is neither yes nor no (`y`, `yes`, `n`, `no`, empty), in any case.
pub fn unclear(answer: &str) -> bool {
    let a = answer.trim();
    !yes(a) && !a.eq_ignore_ascii_case("n") && !a.eq_ignore_ascii_case("no")
}

/// Whether an answer is yes (an empty one is).
pub fn yes(answer: &str) -> bool {
    let a = answer.trim();
    a.is_empty() || a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes")
}

/// Give the files to write: the grant `=>` would make.
pub fn give(grants: &mut Vec<Request>, files: Vec<(String, PathBuf)>, cwd: &Path) {
    for (_, path) in files {
        match grants.iter_mut().find(|g| same(g, &path, cwd)) {
            Some(g) => g.write = true,
            None => grants.push(Request { path, write: true }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn only_editors_and_only_files_the_user_may_write() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::write(cwd.join("e.txt"), "x").unwrap();
        let e = cwd.join("e.txt");
        let ro = vec![Request {
            path: PathBuf::from("e.txt"),
            write: false,
        }];
        let found = read_only_files(&argv(&["vim", "e.txt", "new.txt"]), cwd, &ro);
        let paths: Vec<PathBuf> = found.iter().map(|(_, p)| p.clone()).collect();
        assert_eq!(paths, vec![e.clone(), cwd.join("new.txt")]);
        // Asked to view only, or not an editor, or already writable: nothing.
        assert!(read_only_files(&argv(&["vim", "-R", "e.txt"]), cwd, &ro).is_empty());
        assert!(read_only_files(&argv(&["nano", "-v", "e.txt"]), cwd, &ro).is_empty());
        assert!(!read_only_files(&argv(&["vim", "-v", "e.txt"]), cwd, &ro).is_empty());
        assert!(read_only_files(&argv(&["cat", "e.txt"]), cwd, &ro).is_empty());
        // An option's argument is not a file to edit.
        let found_u = read_only_files(&argv(&["vim", "-Nu", "NONE", "-c", "x", "e.txt"]), cwd, &ro);
        assert_eq!(found_u.len(), 1, "{found_u:?}");
        let rw = vec![Request {
            path: e.clone(),
            write: true,
        }];
        assert!(read_only_files(&argv(&["vim", "e.txt"]), cwd, &rw).is_empty());
        // A file not granted (a `+` elsewhere, a directory) is not a new file.
        std::fs::create_dir(cwd.join("d")).unwrap();
        assert!(read_only_files(&argv(&["vim", "d"]), cwd, &[]).is_empty());
        let mut grants = ro;
        give(&mut grants, found, cwd);
        assert!(grants.iter().all(|g| g.write) && grants.len() == 2);
        assert!(yes("") && yes("y\n") && !yes("n"));
    }
}
