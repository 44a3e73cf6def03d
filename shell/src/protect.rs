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
//! symlink or a bind, or a write grant far above, all find it. Inside such a grant
//! the directory is mounted read-only at the place the jail sees it, and every
//! directory between is bound onto itself, so it cannot be renamed aside and replaced
//! (a mount point cannot be moved: EBUSY). Granting one of them (or something in it)
//! explicitly is the user's choice and is left alone.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use pola_fileserver::namespace::{Entry, Grant, Namespace, Origin, Rights};

use crate::jail::JailError;

/// pola-sh's own directories.
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

/// A protected directory: where it really is, and each directory from it up to `/`
/// with its identity.
pub struct Protected {
    pub real: PathBuf,
    ancestors: Vec<(PathBuf, (u64, u64))>,
}

impl Protected {
    /// Find (creating it, empty, if missing: it must exist to be mounted over) the
    /// real location of `dir`.
    pub fn find(dir: &Path) -> Result<Protected, JailError> {
        if !dir.exists() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| JailError::Protect(dir.to_path_buf(), e))?;
        }
        let real = fs::canonicalize(dir).map_err(|e| JailError::Protect(dir.to_path_buf(), e))?;
        let ancestors = real
            .ancestors()
            .filter_map(|a| identity(a).map(|id| (a.to_path_buf(), id)))
            .collect();
        Ok(Protected { real, ancestors })
    }

    /// Where it is inside the directory `host` (by identity), as a path relative to
    /// it; `None` if it is not inside, or is `host` itself.
    pub fn inside(&self, host: &Path) -> Option<PathBuf> {
        let id = identity(host)?;
        let (above, _) = self.ancestors.iter().find(|(_, a)| *a == id)?;
        let rel = self.real.strip_prefix(above).ok()?;
        (!rel.as_os_str().is_empty()).then(|| rel.to_path_buf())
    }

    /// Whether it is `path` itself or inside it, or `path` is inside it: granting such
    /// a path writable is the user's explicit choice about pola-sh's own files.
    pub fn named(&self, path: &Path) -> bool {
        let Some(id) = identity(path) else {
            return false;
        };
        self.ancestors.first().is_some_and(|(_, own)| *own == id)
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
        if writable.iter().any(|(_, host)| dir.named(host)) {
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
            ns.insert(
                &virt.join(&rel),
                protected_grant(dir.real.clone(), Rights::ReadOnly),
            )?;
        }
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
