//! Finding the program of an external command, as sh does: a name with a `/` is a
//! path, any other is searched on `PATH` (directories and files that are not
//! executable are skipped; `hash` remembers what was found). A file without `#!` that
//! is not a binary is a shell script (the kernel says ENOEXEC): like every external
//! command it runs jailed — with `/bin/sh` in the jail, since pola-sh itself cannot
//! run inside one, and running it in pola-sh outside the jail would give an
//! unreviewed file the user's authority.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::exec::Shell;
use crate::jail::{self, JailError};

/// Whether this process runs inside a pola jail (its PID namespace's first process is
/// pola-shim). A pola-sh there (`pola-sh -c` run by a jailed script) cannot build
/// jails of its own (the filter refuses new namespaces): its commands run in the jail
/// it is in, which holds only what that jail's command line granted.
pub fn inside_jail() -> bool {
    static INSIDE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *INSIDE.get_or_init(|| {
        std::fs::read("/proc/1/cmdline")
            .ok()
            .and_then(|c| {
                let first = c.split(|b| *b == 0).next()?.to_vec();
                let name = std::path::PathBuf::from(std::ffi::OsString::from(
                    String::from_utf8_lossy(&first).into_owned(),
                ));
                Some(name.file_name()? == "pola-shim")
            })
            .unwrap_or(false)
    })
}

/// The program `simple` names to run jailed, as a plain word (no quote or expansion):
/// none when it is run unconfined, or names a builtin or `grants`. (A function of the
/// same name is the caller's to rule out.)
pub fn jailed_program(simple: &crate::ast::Simple) -> Option<&str> {
    match simple.args.first() {
        Some(crate::ast::Arg::Word(word)) if !simple.unconfined => word
            .plain()
            .filter(|name| *name != "grants" && crate::builtins::lookup(name).is_none()),
        _ => None,
    }
}

/// The shell that runs a script without `#!`, inside the jail.
pub const SCRIPT_SHELL: &str = "/bin/sh";

/// How a program found for a command runs.
#[derive(Debug, PartialEq, Eq)]
pub enum Program {
    /// Executed directly (a binary, or a `#!` script).
    Binary,
    /// A shell script without `#!`: run by `SCRIPT_SHELL` (the path to grant).
    Script(PathBuf),
}

/// Whether the file at `path` is a shell script without `#!`: text that is neither
/// an ELF binary nor has NUL bytes in its first line.
pub fn is_plain_script(path: &Path) -> bool {
    let mut head = [0u8; 256];
    // Never blocking (a FIFO a jail swapped in), never through a planted link, and only
    // a regular file's first bytes.
    // What the shell may not read (a link a jail made, which the jail resolves itself:
    // a venv's `bin/python`) is run as it is: the kernel decides in the jail.
    let Some(n) =
        pola_fileserver::planted::open_regular(path).and_then(|mut f| f.read(&mut head).ok())
    else {
        return false;
    };
    let head = &head[..n];
    if head.starts_with(b"#!") || head.starts_with(b"\x7fELF") {
        return false;
    }
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
    !first_line.contains(&0)
}

impl Shell {
    /// What `program_for` found for `name` (a name without `/`), with the `PATH` it
    /// searched; none when that `PATH` has a relative directory (what it finds depends
    /// on the working directory).
    pub fn found(&self, name: &std::ffi::OsStr) -> Option<(PathBuf, std::ffi::OsString)> {
        let path_var = self.get("PATH")?;
        if std::env::split_paths(path_var).any(|d| !d.is_absolute()) {
            return None;
        }
        // Found on this PATH, not on one it had when the program was looked up.
        if self.hash_path.as_deref() != Some(path_var) {
            return None;
        }
        let exe = self.hash.get(name.to_str()?)?;
        Some((exe.clone(), path_var.into()))
    }

    /// The program a command name runs, and how.
    pub fn program_for(&mut self, name: &str) -> Result<Program, JailError> {
        let path = self.get("PATH").unwrap_or("").to_string();
        // What was found on another PATH may not be what this one finds.
        if self.hash_path.as_deref() != Some(path.as_str()) {
            self.hash.clear();
            self.hash_path = Some(path.clone());
        }
        let found = match self.hash.get(name) {
            Some(p) if !name.contains('/') && p.is_file() => p.clone(),
            _ => {
                let p = jail::find_program(
                    crate::escapes::to_path(name).as_os_str(),
                    &self.cwd(),
                    crate::escapes::to_path(&path).as_os_str(),
                )?;
                if !name.contains('/') {
                    self.hash.insert(name.to_string(), p.clone());
                }
                p
            }
        };
        Ok(if is_plain_script(&found) {
            Program::Script(found)
        } else {
            Program::Binary
        })
    }
}
