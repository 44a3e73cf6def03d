//! The record of live staging directories, so that a shell killed in the middle of a
//! command leaves nothing that later confuses the user, and loses nothing.
//!
//! Each staging directory is written down (a small file under
//! `$XDG_STATE_HOME/pola-sh/staging/`) as soon as it is made, and the record is dropped
//! only once the directory is gone. Its first line says where the directory is and which
//! slots it serves; each further line is appended (one `O_APPEND` write, never a
//! rewrite) *before* the server moves a slot object into the directory (an editor's
//! save that first renames the file aside), with that object's identity. The owner
//! holds an exclusive `flock` on the record for its whole life: at the next start of
//! pola-sh or pola-run (in any PID namespace sharing the home), a record nobody holds
//! is an owner that is gone, and its staging directory is cleaned — a slot object that
//! was moved aside, whose name is now empty, is put back (so a replaced file is never
//! lost); a link or directory at a slot is remembered as a jail's (see `planted`);
//! everything else is removed.
//!
//! The directory is pola-sh's own state, read-only in every jail like its
//! configuration (see `shell/src/protect.rs`): a jail could otherwise write a record
//! that makes the next start remove something else. Even so, a record is only acted on
//! when the staging directory it names is still the very directory (device, inode)
//! that was recorded, and it is only ever emptied, never followed through links.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{openat2, renameat2, AtFlags, OFlag, OpenHow, RenameFlags, ResolveFlag};
use nix::sys::stat::fstatat;
use serde::{Deserialize, Serialize};

/// Where the records are: `$XDG_STATE_HOME/pola-sh/staging` (`~/.local/state/…`).
pub fn dir() -> Option<PathBuf> {
    dirs::state_dir().map(|d| d.join("pola-sh").join("staging"))
}

/// Where staging directories go when they can (`super::aside_for`):
/// `$XDG_STATE_HOME/pola-sh/aside`.
pub fn aside_dir() -> Option<PathBuf> {
    dirs::state_dir().map(|d| d.join("pola-sh").join(ASIDE))
}

/// The name of [`aside_dir`] in pola-sh's state directory.
pub const ASIDE: &str = "aside";

/// [`aside_dir`] as it is now, all links resolved, if it is there: what a record's
/// `aside` must be to be acted on.
fn own_aside() -> Option<PathBuf> {
    aside_dir().and_then(|d| fs::canonicalize(d).ok())
}

/// A slot object about to be renamed into the staging directory (its scratch name).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Displaced {
    #[serde(with = "crate::plan::bytes")]
    pub scratch: OsString,
    #[serde(with = "crate::plan::bytes")]
    pub slot: OsString,
    pub dev: u64,
    pub ino: u64,
    /// A slot's file the command removed: kept beside the staging directory under the
    /// name `scratch` (`removed_name`), out of the jail's reach, until the command is
    /// over ([`finish_removed`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// One staging directory, as its record's first line says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The owner, for people reading the record (liveness is the `flock`).
    pub pid: u32,
    /// The slot directory (canonical) and the staging directory's name in `aside`.
    #[serde(with = "crate::plan::bytes")]
    pub parent: PathBuf,
    /// Where the staging directory, the hold and removed files are, when not in the
    /// slot directory: pola-sh's own directory for them (canonical), else empty.
    #[serde(default, with = "crate::plan::bytes", skip_serializing_if = "is_empty")]
    pub aside: PathBuf,
    #[serde(with = "crate::plan::bytes")]
    pub staging: OsString,
    pub dev: u64,
    pub ino: u64,
    /// The slots' names, swept at the end for links and directories a jail left there.
    #[serde(with = "crate::plan::bytes_list")]
    pub slots: Vec<OsString>,
}

fn is_empty(path: &Path) -> bool {
    path.as_os_str().is_empty()
}

impl Header {
    /// The name, beside the staging directory, where the server holds an object between
    /// it and a slot while it checks it (out of the jail's reach).
    pub fn hold(&self) -> OsString {
        hold_name(&self.staging)
    }
}

/// The hold name that goes with the staging directory `staging`.
pub fn hold_name(staging: &OsStr) -> OsString {
    let mut name = staging.to_os_string();
    name.push(".hold");
    name
}

/// The name, beside the staging directory, where the `n`th slot file the command
/// removed is kept until it is over (out of the jail's reach, like the hold).
pub fn removed_name(staging: &OsStr, n: usize) -> OsString {
    let mut name = staging.to_os_string();
    name.push(format!(".removed.{n}"));
    name
}

/// The most moves of slot objects one command's staging directory records.
pub const MAX_MOVES: usize = 4096;

/// A live record, owned (and locked) by this process.
#[derive(Debug)]
pub struct Record {
    pub header: Header,
    /// The record file, open for appending and locked; `None` when there is no state
    /// directory to keep it in (then nothing is recovered after a crash).
    file: Option<(PathBuf, fs::File)>,
    /// The objects moved aside so far.
    pub displaced: Vec<Displaced>,
}

/// Make `dir` and what leads to it, for the user alone (0700).
pub(super) fn create_dirs(dir: &Path) -> std::io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

impl Record {
    /// Write the record of a staging directory about to be made, and lock it.
    pub fn create(header: Header) -> Record {
        let file = match Self::write(&header) {
            Ok(f) => Some(f),
            Err(e) => {
                tracing::debug!("cannot record the staging directory: {e}");
                None
            }
        };
        Record {
            header,
            file,
            displaced: Vec::new(),
        }
    }

    fn write(header: &Header) -> std::io::Result<(PathBuf, fs::File)> {
        let dir = dir().ok_or_else(|| std::io::Error::other("no state directory"))?;
        create_dirs(&dir)?;
        let name = format!("{}.{}", header.dev, header.ino);
        let tmp = dir.join(format!(".{name}.new"));
        let file = dir.join(name);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
            .open(&tmp)?;
        lock(&f, false)?;
        let mut line = serde_json::to_vec(header).map_err(std::io::Error::other)?;
        line.push(b'\n');
        f.write_all(&line)?;
        fs::rename(&tmp, &file)?;
        Ok((file, f))
    }

    /// Whether as many moves are written down as one command may make: a jail
    /// renaming its slot aside in a loop grew the record (52 bytes each) and the
    /// shell's memory without bound, and made the next start after a crash slow
    /// (security review). The move is then refused (ENOSPC).
    pub fn full(&self) -> bool {
        self.displaced.len() >= MAX_MOVES
    }

    /// Write down, before the move, that a slot object goes to a scratch name.
    pub fn push(&mut self, d: Displaced) {
        if let Some((_, f)) = &mut self.file {
            if let Ok(mut line) = serde_json::to_vec(&d) {
                line.push(b'\n');
                // Only the owner writes, always at the end: one write per entry.
                let _ = f.write_all(&line);
            }
        }
        self.displaced.push(d);
    }

    /// Drop the record (its directory is gone).
    pub fn remove(self) {
        if let Some((path, _)) = &self.file {
            let _ = fs::remove_file(path);
        }
    }
}

/// `flock` the record: exclusive; without blocking when `try_only`.
fn lock(f: &impl AsRawFd, try_only: bool) -> std::io::Result<()> {
    let op = libc::LOCK_EX | if try_only { libc::LOCK_NB } else { 0 };
    // SAFETY: flock on a descriptor this process owns.
    if unsafe { libc::flock(f.as_raw_fd(), op) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// A record read back: its header and the objects moved aside (each once).
fn parse(text: &[u8]) -> Option<(Header, Vec<Displaced>)> {
    let mut lines = text.split(|b| *b == b'\n').filter(|l| !l.is_empty());
    let header: Header = serde_json::from_slice(lines.next()?).ok()?;
    let mut displaced: Vec<Displaced> = Vec::new();
    // (A set: a record written before moves were bounded may hold many.)
    let mut seen = std::collections::HashSet::new();
    for line in lines {
        if let Ok(d) = serde_json::from_slice::<Displaced>(line) {
            if seen.insert(d.clone()) {
                displaced.push(d);
            }
        }
    }
    Some((header, displaced))
}

/// Open the staging directory a record names, only if it is still that directory:
/// the slot directory, where the staging directory is, and the staging directory
/// (`O_RDONLY`).
fn open_recorded(h: &Header) -> Option<(OwnedFd, OwnedFd, OwnedFd)> {
    // Only a staging directory as the registry names them (`.pola-slots.XXXX`, one
    // name): a record that is not the registry's (one a jail could have written, were
    // it ever given this directory: review) names no other directory to empty.
    let name = h.staging.as_os_str().as_encoded_bytes();
    let ours = name.starts_with(super::STAGING_PREFIX.as_bytes()) && !name.contains(&b'/');
    if !ours {
        return None;
    }
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_NO_SYMLINKS | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let parent = openat2(nix::fcntl::AT_FDCWD, &h.parent, how).ok()?;
    // Only pola-sh's own directory for them, as it is now (`aside_dir`).
    let aside = match is_empty(&h.aside) {
        true => parent.try_clone().ok()?,
        false => {
            if own_aside().as_deref() != Some(h.aside.as_path()) {
                return None;
            }
            openat2(nix::fcntl::AT_FDCWD, &h.aside, how).ok()?
        }
    };
    // Made readable again if a jail took that away (see `remove_staging`).
    let staging = super::open_dir(&aside, &h.staging).ok()?;
    let st = nix::sys::stat::fstat(&staging).ok()?;
    (st.st_dev == h.dev && st.st_ino == h.ino).then_some((parent, aside, staging))
}

/// Clean up after owners that are gone: put displaced slot objects back where their
/// name is empty, remember links and directories left at slots, remove the staging
/// directories, drop their records. Returns how many were cleaned.
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
        let path = e.path();
        if name.as_encoded_bytes().starts_with(b".") {
            // A header never renamed into place: its owner died making it (or is
            // making it now, in which case it is younger than a minute).
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|a| a.as_secs() > 60));
            if old {
                let _ = fs::remove_file(&path);
            }
            continue;
        }
        let Some(f) = crate::planted::open_regular_unfollowed(&path) else {
            continue;
        };
        if lock(&f, true).is_err() {
            // Its owner is alive (it holds the lock), or it is not a record.
            continue;
        }
        let mut text = Vec::new();
        let _ = (&f).read_to_end(&mut text);
        let Some((header, displaced)) = parse(&text) else {
            let _ = fs::remove_file(&path);
            continue;
        };
        // A record is named by its staging directory's identity (`record`).
        if name != OsStr::new(&format!("{}.{}", header.dev, header.ino)) {
            continue;
        }
        let mut gone = true;
        let opened = open_recorded(&header);
        if opened.is_none() {
            say_stranded(&header);
        }
        if let Some((parent, aside, staging)) = opened {
            restore(&displaced, &parent, &staging);
            // A file the command removed whose name was taken again since: kept with
            // what it left ([`keep_left`]), not removed for good.
            for d in displaced.iter().filter(|d| d.removed) {
                if !slot_free(&parent, &d.slot) && same(&aside, &d.scratch, d) {
                    let _ = renameat2(
                        aside.as_fd(),
                        d.scratch.as_os_str(),
                        staging.as_fd(),
                        d.scratch.as_os_str(),
                        RenameFlags::RENAME_NOREPLACE,
                    );
                }
            }
            // Whether what the command made in their place was kept is not known
            // here: a removed file whose name is empty is put back (nothing lost).
            finish_removed(&displaced, &aside, &parent, true);
            let hold = header.hold();
            restore_held(&displaced, &aside, &parent, &hold);
            super::sweep(&parent, &header.parent, &header.slots);
            super::remove_tree(&aside, &hold);
            gone = match keep_left(&header, &aside, &staging) {
                true => true,
                false => super::remove_staging(&aside, &header.staging, &staging).gone,
            };
        }
        if gone {
            let _ = fs::remove_file(&path);
            cleaned += 1;
        }
    }
    cleaned
}

/// Where what a killed shell's command left in its staging directory is kept
/// ([`keep_left`]): `$XDG_STATE_HOME/pola-sh/aside/kept`, hidden from jails with the
/// rest of [`aside_dir`] (it holds what the command had at its slots).
pub fn kept_dir() -> Option<PathBuf> {
    aside_dir().map(|d| d.join("kept"))
}

/// After a shell was killed: what its command left in its staging directory beyond the
/// slots' views and empty placeholders — an editor's swap file holding unsaved work, a
/// slot's file it had moved aside whose name was taken again since — is not removed
/// (trial 11: both were, without a word) but kept in [`kept_dir`] and said. True if the
/// staging directory went there (it is then gone from where it was).
fn keep_left(h: &Header, aside: &OwnedFd, staging: &OwnedFd) -> bool {
    for name in super::list(staging) {
        let Ok(st) = fstatat(staging, name.as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW) else {
            continue;
        };
        let is_dir = st.st_mode & libc::S_IFMT == libc::S_IFDIR;
        let empty = match is_dir {
            true => super::open_dir(staging, &name).is_ok_and(|d| super::list(&d).is_empty()),
            false => st.st_mode & libc::S_IFMT == libc::S_IFREG && st.st_size == 0,
        };
        // A slot's view (a link to its file, a placeholder) or an empty placeholder.
        if h.slots.contains(&name) || empty {
            let flag = match is_dir {
                true => nix::unistd::UnlinkatFlags::RemoveDir,
                false => nix::unistd::UnlinkatFlags::NoRemoveDir,
            };
            let _ = nix::unistd::unlinkat(staging, name.as_os_str(), flag);
        }
    }
    let mut left = super::list(staging);
    if left.is_empty() {
        return false;
    }
    left.sort();
    let Some(kept) = kept_dir() else {
        return false;
    };
    if create_dirs(&kept).is_err() {
        return false;
    }
    let Ok(into) = fs::File::open(&kept) else {
        return false;
    };
    let moved = renameat2(
        aside.as_fd(),
        h.staging.as_os_str(),
        into.as_fd(),
        h.staging.as_os_str(),
        RenameFlags::RENAME_NOREPLACE,
    );
    let at = match (moved, is_empty(&h.aside)) {
        (Ok(()), _) => kept.join(&h.staging),
        // (Staged on another mount: left where it is, and said.)
        (Err(_), true) => h.parent.join(&h.staging),
        (Err(_), false) => h.aside.join(&h.staging),
    };
    let shown = left.len().min(4);
    crate::text::say(format!(
        "pola-sh: what a command whose shell was killed left beside its slots in {} is kept in {}: {}",
        crate::text::shown(&h.parent),
        crate::text::shown(&at),
        crate::text::names(&left[..shown], left.len() > shown),
    ));
    true
}

/// A record whose slot directory is gone (renamed or removed while its shell was
/// dead), with its staging directory and what it had set aside (a file the command
/// removed, kept until its end) in pola-sh's own directory for them, out of sight:
/// said, so that nothing is lost without a word (review). Left there for the user.
fn say_stranded(h: &Header) {
    let Some(own) = own_aside() else {
        return;
    };
    if is_empty(&h.aside) || own != h.aside {
        return;
    }
    let ours = h.staging.as_encoded_bytes();
    let left: Vec<OsString> = fs::read_dir(&own)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name())
                .filter(|n| n.as_encoded_bytes().starts_with(ours))
                .collect()
        })
        .unwrap_or_default();
    if !left.is_empty() {
        crate::text::say(format!(
            "pola-sh: {} holds what a command whose shell was killed had set aside in {}, which is not there any more: {} (look there, and remove them when done)",
            crate::text::shown(&own),
            crate::text::shown(&h.parent),
            crate::text::names(&left, false),
        ));
    }
}

fn same(dir: &impl AsFd, name: &OsStr, d: &Displaced) -> bool {
    fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW)
        .is_ok_and(|st| st.st_dev == d.dev && st.st_ino == d.ino)
}

fn slot_free(parent: &impl AsFd, slot: &OsStr) -> bool {
    matches!(
        fstatat(parent, slot, AtFlags::AT_SYMLINK_NOFOLLOW),
        Err(Errno::ENOENT)
    )
}

/// Put back each displaced slot object still in the staging directory under its
/// scratch name, whose slot name is empty; returns the slots that were put back, with
/// the scratch names they had.
pub fn restore(
    displaced: &[Displaced],
    parent: &impl AsFd,
    staging: &impl AsFd,
) -> Vec<(OsString, OsString)> {
    let mut restored = Vec::new();
    // The latest move of an object is where it is.
    for d in displaced.iter().rev() {
        if slot_free(parent, &d.slot)
            && same(staging, &d.scratch, d)
            && renameat2(
                staging.as_fd(),
                d.scratch.as_os_str(),
                parent.as_fd(),
                d.slot.as_os_str(),
                RenameFlags::RENAME_NOREPLACE,
            )
            .is_ok()
        {
            restored.push((d.slot.clone(), d.scratch.clone()));
        }
    }
    restored
}

/// The slot files the command removed (`Displaced::removed`), kept in `aside`: each
/// put back where its slot's name in `parent` is empty, if `put_back`, else (and where
/// the name was taken again: `sed -i`'s new file) removed for good. Returns the slots
/// put back.
pub fn finish_removed(
    displaced: &[Displaced],
    aside: &impl AsFd,
    parent: &impl AsFd,
    put_back: bool,
) -> Vec<OsString> {
    let mut back = Vec::new();
    for d in displaced.iter().filter(|d| d.removed) {
        if !same(aside, &d.scratch, d) {
            continue;
        }
        let renamed = put_back
            && slot_free(parent, &d.slot)
            && renameat2(
                aside.as_fd(),
                d.scratch.as_os_str(),
                parent.as_fd(),
                d.slot.as_os_str(),
                RenameFlags::RENAME_NOREPLACE,
            )
            .is_ok();
        if renamed {
            back.push(d.slot.clone());
        } else {
            let _ = nix::unistd::unlinkat(
                aside,
                d.scratch.as_os_str(),
                nix::unistd::UnlinkatFlags::NoRemoveDir,
            );
        }
    }
    back
}

/// A server that died with a slot object in the hold (in `aside`, between a slot and
/// its scratch name during an exchange): put it back at its empty slot in `parent`.
pub fn restore_held(displaced: &[Displaced], aside: &impl AsFd, parent: &impl AsFd, hold: &OsStr) {
    for d in displaced.iter().rev() {
        if same(aside, hold, d)
            && slot_free(parent, &d.slot)
            && renameat2(
                aside.as_fd(),
                hold,
                parent.as_fd(),
                d.slot.as_os_str(),
                RenameFlags::RENAME_NOREPLACE,
            )
            .is_ok()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_with_each_move_once() {
        let header = Header {
            pid: 1,
            parent: PathBuf::from("/p"),
            aside: PathBuf::new(),
            staging: OsString::from(".pola-slots.abcdef"),
            dev: 1,
            ino: 2,
            slots: vec![OsString::from("f")],
        };
        let d = Displaced {
            scratch: OsString::from("x"),
            slot: OsString::from("f"),
            dev: 1,
            ino: 3,
            removed: false,
        };
        let mut text = serde_json::to_vec(&header).unwrap();
        for _ in 0..3 {
            text.push(b'\n');
            text.extend(serde_json::to_vec(&d).unwrap());
        }
        text.extend(b"\n{broken");
        let (h, moved) = parse(&text).unwrap();
        assert_eq!(h, header);
        assert_eq!(moved, vec![d]);
        assert_eq!(h.hold(), OsString::from(".pola-slots.abcdef.hold"));
        // Kept in pola-sh's directory for them: said, and read back.
        let aside = Header {
            aside: PathBuf::from("/s/pola-sh/aside"),
            ..header.clone()
        };
        let (h, _) = parse(&serde_json::to_vec(&aside).unwrap()).unwrap();
        assert_eq!(h, aside);
        assert!(!String::from_utf8(serde_json::to_vec(&header).unwrap())
            .unwrap()
            .contains("aside"));
    }
}
