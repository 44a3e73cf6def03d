//! The record of live staging directories, so that a shell killed in the middle of a
//! command leaves nothing that later confuses the user.
//!
//! Each staging directory is written down (one small JSON file under
//! `$XDG_STATE_HOME/pola-sh/staging/`) before it is made and removed after it is gone,
//! with the process that owns it and every slot object the jail moved into it (an
//! editor's save that first renames the file aside). At the next start of pola-sh or
//! pola-run, the staging directories of owners that are gone are cleaned: a slot
//! object that was moved aside and whose name is now empty is put back (so a replaced
//! file is never lost), everything else in them is removed.
//!
//! The directory is pola-sh's own state, read-only in every jail like its
//! configuration (see `shell/src/jail.rs`, `protect`): a jail could otherwise write a
//! record that makes the next start remove something else. Even so, a record is only
//! acted on when the staging directory it names is still the very directory (device,
//! inode) that was recorded, and is only ever emptied, never followed through links.

use std::ffi::OsString;
use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;

use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::fstatat;
use serde::{Deserialize, Serialize};

/// Where the records are: `$XDG_STATE_HOME/pola-sh/staging` (`~/.local/state/…`).
pub fn dir() -> Option<PathBuf> {
    dirs::state_dir().map(|d| d.join("pola-sh").join("staging"))
}

/// A slot object the jail renamed into the staging directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Displaced {
    #[serde(with = "crate::plan::bytes")]
    pub scratch: OsString,
    #[serde(with = "crate::plan::bytes")]
    pub slot: OsString,
    pub dev: u64,
    pub ino: u64,
}

/// One live staging directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub pid: u32,
    /// The owner's start time (field 22 of `/proc/PID/stat`): a PID reused by another
    /// process does not keep a record alive.
    pub start: u64,
    /// The slot directory (canonical) and the staging directory's name in it.
    #[serde(with = "crate::plan::bytes")]
    pub parent: PathBuf,
    #[serde(with = "crate::plan::bytes")]
    pub staging: OsString,
    pub dev: u64,
    pub ino: u64,
    pub displaced: Vec<Displaced>,
}

fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// The start time of this process, for records it owns.
pub fn own_start() -> u64 {
    start_time(std::process::id()).unwrap_or(0)
}

impl Record {
    fn file(&self) -> Option<PathBuf> {
        dir().map(|d| d.join(format!("{}.{}", self.dev, self.ino)))
    }

    /// Write (or rewrite) the record, atomically.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(file) = self.file() else {
            return Ok(());
        };
        let dir = file.parent().expect("a file in a directory");
        fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{}.{}.new", self.dev, self.ino));
        fs::write(
            &tmp,
            serde_json::to_vec(self).map_err(std::io::Error::other)?,
        )?;
        fs::rename(&tmp, &file)
    }

    pub fn remove(&self) {
        if let Some(file) = self.file() {
            let _ = fs::remove_file(file);
        }
    }

    fn owner_alive(&self) -> bool {
        start_time(self.pid) == Some(self.start)
    }
}

/// Open the staging directory a record names, only if it is still that directory.
fn open_recorded(record: &Record) -> Option<(OwnedFd, OwnedFd)> {
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_NO_SYMLINKS | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let parent = openat2(nix::fcntl::AT_FDCWD, &record.parent, how).ok()?;
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_SYMLINKS);
    let staging = openat2(&parent, record.staging.as_os_str(), how).ok()?;
    let st = nix::sys::stat::fstat(&staging).ok()?;
    (st.st_dev == record.dev && st.st_ino == record.ino).then_some((parent, staging))
}

/// Clean up after owners that are gone: put displaced slot objects back where their
/// name is empty, remove the staging directories, drop the records. Returns how many
/// were cleaned.
pub fn recover() -> usize {
    let Some(dir) = dir() else {
        return 0;
    };
    let Ok(entries) = fs::read_dir(&dir) else {
        return 0;
    };
    let mut cleaned = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(text) = fs::read(e.path()) else {
            continue;
        };
        let Ok(record) = serde_json::from_slice::<Record>(&text) else {
            let _ = fs::remove_file(e.path());
            continue;
        };
        if record.owner_alive() {
            continue;
        }
        if let Some((parent, staging)) = open_recorded(&record) {
            restore(&record, &parent, &staging);
            super::remove_staging(&parent, &record.staging, &staging);
        }
        record.remove();
        cleaned += 1;
    }
    cleaned
}

/// Put back each displaced slot object whose slot name is empty; returns the slots
/// that were put back, with the scratch names they had.
pub fn restore(
    record: &Record,
    parent: &impl AsFd,
    staging: &impl AsFd,
) -> Vec<(OsString, OsString)> {
    let mut restored = Vec::new();
    for d in &record.displaced {
        let slot_free = matches!(
            fstatat(
                parent,
                d.slot.as_os_str(),
                nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW
            ),
            Err(nix::errno::Errno::ENOENT)
        );
        let same = fstatat(
            staging,
            d.scratch.as_os_str(),
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .is_ok_and(|st| st.st_dev == d.dev && st.st_ino == d.ino);
        if slot_free
            && same
            && nix::fcntl::renameat(
                staging.as_fd(),
                d.scratch.as_os_str(),
                parent.as_fd(),
                d.slot.as_os_str(),
            )
            .is_ok()
        {
            restored.push((d.slot.clone(), d.scratch.clone()));
        }
    }
    restored
}
