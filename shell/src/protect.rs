//! pola-sh's own files stay read-only in every jail (SECURITY.md 27).
//!
//! The rc file, the profiles and the default environment (`$XDG_CONFIG_HOME/pola-sh`),
//! the history (`$XDG_DATA_HOME/pola-sh`) and the records of what jails could write and
//! of live staging directories (`$XDG_STATE_HOME/pola-sh`) decide what later commands
//! may do; a jail that could write one of them could give a later command anything.
//!
//! Which grant holds them is decided by identity, not by comparing path strings: the
//! real directory (all links resolved, as pola-sh itself reads it) and each directory
//! above it are compared, by device and inode, with every directory granted writable.
//! So `~/.config -> dotfiles/config` with `+ => ~/dotfiles`, a home reached through a
//! symlink or a bind, or a write grant far above, all find it. A bind mount's source
//! is found by place in the file system (mountinfo's root of each mount): with
//! `~/.config` bound from `/data/config`, a grant of `/data` holds it too. Inside such a grant
//! the directory is mounted read-only at the place the jail sees it, and every
//! directory between is bound onto itself, so it cannot be renamed aside and replaced
//! (a mount point cannot be moved: EBUSY). Granting one of them (or something in it)
//! explicitly is the user's choice and is left alone (`vim => ~/.config/pola-sh/rc`),
//! but for the records (`$XDG_STATE_HOME/pola-sh`): the command is refused.

use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use pola_fileserver::namespace::{Entry, Grant, Namespace, Origin, Rights};

use crate::jail::JailError;

/// The files pola-sh runs with the user's authority when it starts, outside its own
/// directories: a login shell's `~/.profile` and an interactive shell's `$ENV`
/// (`/etc/profile` is root's to write). A jail that could write one of them would run
/// its code unconfined at the next start; they are kept read-only like pola-sh's own.
/// `shell_env` is the shell's own `ENV` (set in `~/.profile`, it is not in the process's
/// environment, and names the file the next interactive shell runs all the same).
pub fn startup_files(shell_env: Option<&std::ffi::OsStr>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = dirs::home_dir()
        .map(|h| h.join(".profile"))
        .into_iter()
        .collect();
    let envs = [std::env::var_os("ENV"), shell_env.map(|e| e.to_os_string())];
    for env in envs.into_iter().flatten().filter(|e| !e.is_empty()) {
        let env = PathBuf::from(env);
        let env = match (env.strip_prefix("~"), dirs::home_dir()) {
            (Ok(rest), Some(home)) => home.join(rest),
            _ => env,
        };
        if env.is_absolute() {
            out.push(env);
        }
    }
    out
}

/// Every file pola-sh runs with the user's authority when it starts: the rc
/// (`$XDG_CONFIG_HOME/pola-sh/rc`) and [`startup_files`].
pub fn runs_at_start(shell_env: Option<&str>) -> Vec<PathBuf> {
    let rc = dirs::config_dir().map(|d| d.join("pola-sh").join("rc"));
    let mut out: Vec<PathBuf> = rc.into_iter().collect();
    out.extend(startup_files(shell_env.map(std::ffi::OsStr::new)));
    out
}

/// Where pola-sh's records are (`$XDG_STATE_HOME/pola-sh`, all links resolved), if
/// they are there: never a jail's to write, by name or through a redirection (a jail
/// could mark its own files the user's there, or vouch for its text:
/// `pola_fileserver::planted::record_vouched`; security review).
pub fn records_dir() -> Option<PathBuf> {
    dirs::state_dir().and_then(|d| fs::canonicalize(d.join("pola-sh")).ok())
}

/// pola-sh's own directories: its configuration, its data (the history), its state
/// (the records).
pub fn own_dirs() -> Vec<PathBuf> {
    [dirs::config_dir(), dirs::data_dir(), dirs::state_dir()]
        .into_iter()
        .flatten()
        .map(|d| d.join("pola-sh"))
        .collect()
}

fn identity(path: &Path) -> Option<(u64, u64)> {
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// A protected directory: where it really is, each directory from it up to `/` with
/// its identity, and where it is in its file system.
pub struct Protected {
    pub real: PathBuf,
    ancestors: Vec<(PathBuf, (u64, u64))>,
    fs: Option<FsLocation>,
}

/// Where a directory is within its file system, whichever mount it is reached through:
/// the file system (mountinfo's `major:minor`) and the path from its root. A bind
/// mount's source and target have one location, which walking up a path cannot see
/// (`~/.config` bound from `/data/config`: a grant of `/data` holds `~/.config`).
#[derive(Debug, PartialEq, Eq)]
struct FsLocation {
    device: String,
    path: PathBuf,
}

/// The mount a path is on (its id, from `statx`).
fn mount_id(path: &Path) -> Option<u64> {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statx fills `buf`; `c` is a NUL-terminated path.
    let mut buf: libc::statx = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::statx(libc::AT_FDCWD, c.as_ptr(), 0, libc::STATX_MNT_ID, &mut buf) };
    (r == 0 && buf.stx_mask & libc::STATX_MNT_ID != 0).then_some(buf.stx_mnt_id)
}

/// A mountinfo field with its octal escapes (`\040` for a space) undone.
fn unescape(field: &str) -> PathBuf {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = b
            .get(i + 1..i + 4)
            .filter(|d| b[i] == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match octal.and_then(|d| u8::from_str_radix(std::str::from_utf8(d).ok()?, 8).ok()) {
            Some(c) => {
                out.push(c);
                i += 4;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// The shell's mount table (`/proc/self/mountinfo`), read again only when it changed
/// (`pola_fileserver::mounts::changes`, the count the kept witnesses and the ready
/// copies go by): it was read for every writable grant of a line and every protected
/// directory, and `rm => *.txt` of 2000 files spent much of its 2 s doing so (new-user
/// trial). A forked copy of the shell, which cannot tell, reads it each time.
fn mount_table() -> Option<std::sync::Arc<String>> {
    static TABLE: std::sync::Mutex<Option<(u64, std::sync::Arc<String>)>> =
        std::sync::Mutex::new(None);
    let now = pola_fileserver::mounts::changes();
    let mut table = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    if let (Some(now), Some((seen, text))) = (now, table.as_ref()) {
        if now == *seen {
            return Some(text.clone());
        }
    }
    let text = std::sync::Arc::new(fs::read_to_string("/proc/self/mountinfo").ok()?);
    *table = now.map(|n| (n, text.clone()));
    Some(text)
}

/// Where the directory at the canonical path `real` is in its file system.
fn fs_location(real: &Path) -> Option<FsLocation> {
    let id = mount_id(real)?.to_string();
    let info = mount_table()?;
    let line = info
        .lines()
        .find(|l| l.split(' ').next() == Some(id.as_str()))?;
    let fields: Vec<&str> = line.split(' ').collect();
    let (device, root, point) = (
        fields.get(2)?,
        unescape(fields.get(3)?),
        unescape(fields.get(4)?),
    );
    let rel = real.strip_prefix(&point).ok()?;
    Some(FsLocation {
        device: device.to_string(),
        path: root.join(rel),
    })
}

impl Protected {
    /// Find (creating it, empty, if missing: it must exist to be mounted over) the
    /// real location of `dir`.
    pub fn find(dir: &Path) -> Result<Protected, JailError> {
        if !dir.exists() {
            make_dir(dir)?;
        }
        let real = fs::canonicalize(dir).map_err(|e| JailError::Protect(dir.to_path_buf(), e))?;
        Ok(Protected::at(real))
    }

    /// A file the shell runs at start (`~/.profile`, `$ENV`'s): where it really is, or
    /// would be. A missing one is made (empty) only when a write grant holds its place
    /// (see [`protect`]); `None` when its directory is not there either.
    pub fn find_file(file: &Path) -> Option<Protected> {
        if let Ok(real) = fs::canonicalize(file) {
            return Some(Protected::at(real));
        }
        // Not there, or a dangling link (whose target a jail could make): its place.
        let target = match fs::read_link(file) {
            Ok(t) => file.parent()?.join(t),
            Err(_) => file.to_path_buf(),
        };
        let parent = fs::canonicalize(target.parent()?).ok()?;
        Some(Protected::at(parent.join(target.file_name()?)))
    }

    fn at(real: PathBuf) -> Protected {
        let ancestors = real
            .ancestors()
            .filter_map(|a| identity(a).map(|id| (a.to_path_buf(), id)))
            .collect();
        let fs = fs_location(&real).or_else(|| {
            let above = fs_location(real.parent()?)?;
            Some(FsLocation {
                device: above.device,
                path: above.path.join(real.file_name()?),
            })
        });
        Protected {
            real,
            ancestors,
            fs,
        }
    }

    /// Where it is inside the directory `host` (by identity, or by place in the same
    /// file system), as a path relative to it; `None` if it is not inside, or is `host`
    /// itself.
    pub fn inside(&self, host: &Path) -> Option<PathBuf> {
        let id = identity(host)?;
        if let Some((above, _)) = self.ancestors.iter().find(|(_, a)| *a == id) {
            let rel = self.real.strip_prefix(above).ok()?;
            return (!rel.as_os_str().is_empty()).then(|| rel.to_path_buf());
        }
        let own = self.fs.as_ref()?;
        let theirs = fs_location(&fs::canonicalize(host).ok()?)?;
        if theirs.device != own.device {
            return None;
        }
        let rel = own.path.strip_prefix(&theirs.path).ok()?;
        (!rel.as_os_str().is_empty()).then(|| rel.to_path_buf())
    }

    /// Whether it is `path` itself or inside it, or `path` is inside it: granting such
    /// a path writable is the user's explicit choice about pola-sh's own files.
    pub fn named(&self, path: &Path) -> bool {
        let Some(id) = identity(path) else {
            return false;
        };
        identity(&self.real) == Some(id)
            || fs::canonicalize(path).is_ok_and(|p| p.starts_with(&self.real))
    }
}

fn protected_grant(host: PathBuf, rights: Rights) -> Entry {
    Entry::Grant(Grant {
        host,
        rights,
        origin: Origin::Protected,
        device: false,
    })
}

/// Keep each of `dirs` read-only wherever a writable directory grant of `ns` holds it.
pub fn protect(ns: &mut Namespace, dirs: &[Protected]) -> Result<(), JailError> {
    let writable: Vec<(PathBuf, PathBuf)> = ns
        .walk()
        .into_iter()
        .filter_map(|(virt, entry)| match entry {
            Entry::Grant(g)
                if g.rights.writable() && g.origin != Origin::Protected && !g.device =>
            {
                Some((virt, g.host.clone()))
            }
            _ => None,
        })
        .collect();
    for dir in dirs {
        if let Some((_, host)) = writable.iter().find(|(_, host)| dir.named(host)) {
            // Looked up only then (rare): not on every command's path.
            if records_dir().as_ref() == Some(&dir.real) {
                return Err(JailError::OwnRecord(host.clone()));
            }
            continue;
        }
        for (virt, host) in &writable {
            let Some(rel) = dir.inside(host) else {
                continue;
            };
            // Pin every directory between the grant and the protected one.
            let mut at = virt.clone();
            let mut real = fs::canonicalize(host).unwrap_or_else(|_| host.clone());
            let parts: Vec<_> = rel.components().collect();
            for part in &parts[..parts.len() - 1] {
                at.push(part);
                real.push(part);
                if ns.get(&at).is_none() {
                    ns.insert(&at, protected_grant(real.clone(), Rights::ReadWrite))?;
                }
            }
            if fs::symlink_metadata(&dir.real).is_err() {
                // A start-up file that is not there yet: made, empty, so that it is
                // there to be kept read-only (a jail must not write it first).
                fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o644)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(&dir.real)
                    .map_err(|e| JailError::Protect(dir.real.clone(), e))?;
            }
            ns.insert(
                &virt.join(&rel),
                protected_grant(dir.real.clone(), Rights::ReadOnly),
            )?;
        }
    }
    Ok(())
}

/// Make the directory `dir` of pola-sh's own, and what leads to it (0700).
fn make_dir(dir: &Path) -> Result<(), JailError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| JailError::Protect(dir.to_path_buf(), e))
}

/// pola-sh's directory for the staging directories of commands running now
/// (`pola_fileserver::slots::aside_for`), found once: `None` where there is none.
fn aside() -> Option<&'static Protected> {
    static ASIDE: std::sync::OnceLock<Option<Protected>> = std::sync::OnceLock::new();
    ASIDE
        .get_or_init(|| {
            let dir = pola_fileserver::slots::registry::aside_dir()?;
            Protected::find(&dir).ok()
        })
        .as_ref()
}

/// Hide pola-sh's directory of staging directories in every directory grant of `ns`
/// that holds it (a private empty tmpfs over it): what a running command has at its
/// slots (a hard link to each slot's file, an editor's swap file) is there, and a jail
/// given the home, even read-only, would otherwise read the slots of another command
/// it was never given. The default environment's grants too (one in the user's
/// `environment` may hold the home: review), each looked at once a shell.
pub fn hide_aside(ns: &mut Namespace) -> Result<(), JailError> {
    type Known = std::collections::HashMap<PathBuf, Option<PathBuf>>;
    static DEFAULTS: std::sync::Mutex<Option<Known>> = std::sync::Mutex::new(None);
    let holding: Vec<(PathBuf, PathBuf, bool)> = ns
        .walk()
        .into_iter()
        .filter_map(|(virt, entry)| match entry {
            Entry::Grant(g) if g.origin != Origin::Protected && !g.device => {
                Some((virt, g.host.clone(), g.origin == Origin::Default))
            }
            _ => None,
        })
        .collect();
    let Some(aside) = aside() else {
        return Ok(());
    };
    let holds = |host: &Path| -> Option<PathBuf> {
        // (Granting it, or what is in it, by name is the user's choice, as for the
        // other directories of pola-sh's: `protect`.)
        if !host.is_dir() || aside.named(host) {
            return None;
        }
        aside.inside(host)
    };
    for (virt, host, default) in holding {
        let rel = match default {
            true => {
                let mut known = DEFAULTS.lock().unwrap_or_else(|e| e.into_inner());
                let known = known.get_or_insert_with(Known::new);
                known
                    .entry(host.clone())
                    .or_insert_with(|| holds(&host))
                    .clone()
            }
            false => holds(&host),
        };
        let Some(rel) = rel else {
            continue;
        };
        // Made again if it went (a tmpfs needs its mount point; review).
        if !aside.real.is_dir() {
            make_dir(&aside.real)?;
        }
        ns.insert(&virt.join(rel), Entry::Tmpfs)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_by_identity_through_a_symlink() {
        let d = tempfile::tempdir().unwrap();
        let dotfiles = d.path().join("dotfiles/config");
        fs::create_dir_all(dotfiles.join("pola-sh")).unwrap();
        std::os::unix::fs::symlink(&dotfiles, d.path().join(".config")).unwrap();
        let p = Protected::find(&d.path().join(".config/pola-sh")).unwrap();
        // Reached through the link, it is found inside the real directory.
        assert_eq!(
            p.inside(&d.path().join("dotfiles")),
            Some(PathBuf::from("config/pola-sh"))
        );
        assert_eq!(
            p.inside(d.path()),
            Some(PathBuf::from("dotfiles/config/pola-sh"))
        );
        assert_eq!(p.inside(&d.path().join("elsewhere")), None);
        assert!(p.named(&d.path().join(".config/pola-sh")));
        assert!(!p.named(&d.path().join("dotfiles")));
    }
}
