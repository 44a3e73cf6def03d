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

/// The shell that runs a script without `#!`, inside the jail.
pub const SCRIPT_SHELL: &str = "/bin/sh";

/// How a program found for a command runs.
#[derive(Debug, PartialEq, Eq)]
pub enum Program {
    /// Executed directly (a binary, or a `#!` script).
    Binary,
    /// A shell script without `#!`: run by `SCRIPT_SHELL` (the path to grant).
    Script(PathBuf),
    /// A script for pola-sh itself (`#!/usr/bin/env pola-sh`) that no jail could
    /// have written: run as `pola-sh FILE` would from a terminal, each of its commands
    /// in a jail of its own grants. In a jail, the pola-sh reading it could grant
    /// nothing beyond what its own line gave (every `=>` in it failed: `mkdir =>
    /// reports` said "Read-only file system"; new-user trial). One a jail could have
    /// written (its text may be the jail's) runs jailed, as any program.
    OwnScript,
}

/// How the file at `path` runs, by its first bytes: a shell script without `#!` (text
/// that is neither an ELF binary nor has NUL bytes in its first line), a script of
/// pola-sh's own ([`Program::OwnScript`]), or as the kernel runs it.
pub fn kind_of(path: &Path) -> Program {
    let mut head = [0u8; 256];
    // Never blocking (a FIFO a jail swapped in), never through a planted link, and only
    // a regular file's first bytes.
    // What the shell may not read (a link a jail made, which the jail resolves itself:
    // a venv's `bin/python`) is run as it is: the kernel decides in the jail.
    let Some(mut file) = pola_fileserver::planted::open_regular(path) else {
        return Program::Binary;
    };
    let Ok(n) = file.read(&mut head) else {
        return Program::Binary;
    };
    let head = &head[..n];
    if let Some(line) = head.strip_prefix(b"#!") {
        let line = line.split(|b| *b == b'\n').next().unwrap_or(&[]);
        let own = names_pola_sh(line)
            && !pola_fileserver::planted::jail_could_have_written(
                std::os::fd::AsFd::as_fd(&file),
                path,
            );
        return if own {
            Program::OwnScript
        } else {
            Program::Binary
        };
    }
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
    if head.starts_with(b"\x7fELF") || first_line.contains(&0) {
        return Program::Binary;
    }
    Program::Script(path.to_path_buf())
}

/// Whether a `#!` line (after the `#!`) runs pola-sh: `/usr/bin/pola-sh`,
/// `/usr/bin/env pola-sh`.
fn names_pola_sh(line: &[u8]) -> bool {
    let mut words = line
        .split(|b| *b == b' ' || *b == b'\t')
        .filter(|w| !w.is_empty());
    let name = |w: &[u8]| w.rsplit(|b| *b == b'/').next().unwrap_or(w).to_vec();
    match words.next().map(name) {
        Some(n) if n == b"pola-sh" => true,
        Some(n) if n == b"env" => {
            words.find(|w| !w.starts_with(b"-")).map(name) == Some(b"pola-sh".to_vec())
        }
        _ => false,
    }
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
        Ok(kind_of(&found))
    }
}
