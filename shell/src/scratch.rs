//! The script's scratch: what the shell's own `mktemp` made.
//!
//! `tmp=$(mktemp -d)` is made by the shell, as the user, on the host (a jailed
//! `mktemp` would make it in the jail's private `/tmp`). A script then works in it
//! with jailed commands — `sort in -o "$tmp/s"`, `mkdir "$tmp/a"`, and the
//! `trap 'rm -rf "$tmp"' EXIT` that cleans up — and each of those named it to read
//! only: every run left its directory behind, `mkdir` said "No such file or
//! directory" (language trial, stop 39). Such a path is the script's own scratch,
//! made for it a moment ago under a name no one else knew: a word naming it, or a
//! path below it, is granted to write, as `=>` would grant it (a slot: the command
//! may also remove it).
//!
//! The record is kept in a memfd the shell makes at start, shared by every forked copy
//! of the shell (the file's offset is shared, so each write appends): `$(mktemp -d)`
//! runs the builtin in a forked copy, and what it made must be known to the shell that
//! reads its output. A record counts only while its path is still the user's and of
//! the kind made (a directory, or a file: a file is most often replaced by a rename
//! once written, `sed -i` and editors, so its inode is not kept), and a path counts as
//! below it only through real directories, never a link (a link there could lead
//! anywhere: a jail given the scratch may make one) and never through `..`.

use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// The record of what the shell's `mktemp` made (see the module's description).
pub struct Scratch {
    record: Option<OwnedFd>,
}

/// One record: its kind (`S_IFDIR` or `S_IFREG`), the path's length, the path.
const HEADER: usize = 4 + 4;

impl Scratch {
    /// An empty record (none if no memfd could be made: nothing is then scratch),
    /// among the shell's own descriptors (from 100 up: at 10–12 it was the user's,
    /// `exec 12>` wrote into it).
    fn new() -> Scratch {
        let made = nix::sys::memfd::memfd_create(
            "pola-sh-scratch",
            nix::sys::memfd::MFdFlags::MFD_CLOEXEC,
        )
        .ok()
        .and_then(|fd| pola_fileserver::launch::high_copy(&fd).ok());
        Scratch { record: made }
    }

    /// `path` (absolute) was made by the shell's `mktemp`.
    fn made(&self, path: &Path) {
        let (Some(fd), Ok(st)) = (&self.record, nix::sys::stat::lstat(path)) else {
            return;
        };
        let bytes = path.as_os_str().as_bytes();
        let mut entry = Vec::with_capacity(HEADER + bytes.len());
        entry.extend_from_slice(&(st.st_mode & libc::S_IFMT).to_ne_bytes());
        entry.extend_from_slice(&(bytes.len() as u32).to_ne_bytes());
        entry.extend_from_slice(bytes);
        // One write: the whole entry lands at the shared end of the file.
        let _ = nix::unistd::write(fd, &entry);
    }

    /// Every record, in the order made.
    fn records(&self) -> Vec<(u32, PathBuf)> {
        let Some(fd) = &self.record else {
            return Vec::new();
        };
        let Ok(st) = nix::sys::stat::fstat(fd) else {
            return Vec::new();
        };
        if st.st_size == 0 {
            return Vec::new();
        }
        let mut all = vec![0u8; st.st_size as usize];
        let mut read = 0;
        while read < all.len() {
            match nix::sys::uio::pread(fd, &mut all[read..], read as libc::off_t) {
                Ok(n) if n > 0 => read += n,
                _ => break,
            }
        }
        all.truncate(read);
        let mut out = Vec::new();
        let mut rest = all.as_slice();
        while rest.len() >= HEADER {
            let number =
                |at: usize| u32::from_ne_bytes(rest[at..at + 4].try_into().unwrap_or_default());
            let (kind, len) = (number(0), number(4) as usize);
            if rest.len() < HEADER + len {
                break;
            }
            let path = PathBuf::from(std::ffi::OsStr::from_bytes(&rest[HEADER..HEADER + len]));
            out.push((kind, path));
            rest = &rest[HEADER + len..];
        }
        out
    }

    /// Whether `path` (absolute) is something the shell's `mktemp` made, or a path
    /// below such a directory through real directories only.
    fn covers(&self, path: &Path) -> bool {
        if !path.is_absolute() || path.components().any(|c| c == Component::ParentDir) {
            return false;
        }
        let records = self.records();
        let user = nix::unistd::geteuid().as_raw();
        records.iter().rev().any(|(kind, root)| {
            let Ok(rest) = path.strip_prefix(root) else {
                return false;
            };
            let same = nix::sys::stat::lstat(root.as_path()).is_ok_and(|st| {
                st.st_mode & libc::S_IFMT == *kind && st.st_uid == user && single(&st)
            });
            same && below_through_directories(root, rest)
        })
    }
}

/// The record of the shell this process is: one a process, whose forked copies share
/// it.
static PROCESS: std::sync::OnceLock<Scratch> = std::sync::OnceLock::new();

/// Make this shell's record (once: at the shell's start, before any fork).
pub fn start() {
    PROCESS.get_or_init(Scratch::new);
}

/// `path` (absolute) was made by this shell's `mktemp`.
pub fn made(path: &Path) {
    if let Some(s) = PROCESS.get() {
        s.made(path);
    }
}

/// Whether `path` (absolute) is (or is below) what this shell's `mktemp` made
/// ([`Scratch::covers`]).
pub fn is_scratch(path: &Path) -> bool {
    PROCESS.get().is_some_and(|s| s.covers(path))
}

/// Not a second name of a file kept elsewhere too (a hard link put at the name once
/// the script removed its file: the user's file would be granted to write; security
/// review). A jail cannot make one across its mounts.
fn single(st: &nix::sys::stat::FileStat) -> bool {
    st.st_mode & libc::S_IFMT != libc::S_IFREG || st.st_nlink == 1
}

/// Whether `rest` below `root` passes only through real directories, and ends at
/// something that is not a link, or at names to be made.
fn below_through_directories(root: &Path, rest: &Path) -> bool {
    let mut at = root.to_path_buf();
    let parts: Vec<Component> = rest.components().collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part.as_os_str());
        match nix::sys::stat::lstat(at.as_path()) {
            Ok(st) => {
                let kind = st.st_mode & libc::S_IFMT;
                if kind == libc::S_IFLNK
                    || (i + 1 < parts.len() && kind != libc::S_IFDIR)
                    || !single(&st)
                {
                    return false;
                }
            }
            // Names to be made, from a directory that is there (`mkdir -p "$tmp/a/b"`:
            // the first missing one is the slot; scripting trial).
            Err(nix::errno::Errno::ENOENT) => return true,
            Err(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_mktemp_made_and_below_it() {
        let dir = tempfile::tempdir().unwrap();
        let made = dir.path().join("tmp.abc");
        std::fs::create_dir(&made).unwrap();
        std::fs::create_dir(made.join("sub")).unwrap();
        std::fs::write(made.join("sub/f"), "x").unwrap();
        std::os::unix::fs::symlink("/etc", made.join("link")).unwrap();
        let scratch = Scratch::new();
        assert!(!scratch.covers(&made), "nothing recorded yet");
        scratch.made(&made);
        assert!(scratch.covers(&made));
        assert!(scratch.covers(&made.join("sub/f")));
        assert!(scratch.covers(&made.join("sub/new")), "a name to be made");
        assert!(
            scratch.covers(&made.join("nodir/new")),
            "below a directory to be made"
        );
        assert!(!scratch.covers(&made.join("link")), "a link");
        assert!(!scratch.covers(&made.join("link/passwd")), "through a link");
        assert!(!scratch.covers(&made.join("sub/f/x")), "below a file");
        assert!(!scratch.covers(&made.join("sub/../../x")), "..");
        assert!(!scratch.covers(dir.path()), "above it");
        assert!(
            !scratch.covers(&dir.path().join("tmp.abcd")),
            "a longer name"
        );
        // A file replaced by a rename (`sed -i`) is still the script's.
        let file = dir.path().join("tmp.file");
        std::fs::write(&file, "a").unwrap();
        scratch.made(&file);
        std::fs::write(dir.path().join("new"), "b").unwrap();
        std::fs::rename(dir.path().join("new"), &file).unwrap();
        assert!(scratch.covers(&file), "replaced by a rename");
        // Replaced by something of another kind, a link: no longer the shell's.
        std::fs::remove_file(&file).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", &file).unwrap();
        assert!(!scratch.covers(&file), "a link in its place");
        std::fs::remove_dir_all(&made).unwrap();
        std::fs::write(&made, "").unwrap();
        assert!(!scratch.covers(&made), "a file where the directory was");
        // A hard link put at a file's name: another name of a file kept elsewhere.
        std::fs::remove_file(&file).unwrap();
        let elsewhere = dir.path().join("notes.txt");
        std::fs::write(&elsewhere, "mine").unwrap();
        std::fs::hard_link(&elsewhere, &file).unwrap();
        assert!(!scratch.covers(&file), "a hard link");
    }

    #[test]
    fn a_forked_copy_of_the_shell_records_for_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let made = dir.path().join("tmp.forked");
        std::fs::create_dir(&made).unwrap();
        let scratch = Scratch::new();
        // SAFETY: the child only records and exits.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                scratch.made(&made);
                unsafe { libc::_exit(0) };
            }
            nix::unistd::ForkResult::Parent { child } => {
                nix::sys::wait::waitpid(child, None).unwrap();
            }
        }
        assert!(scratch.covers(&made));
    }
}
