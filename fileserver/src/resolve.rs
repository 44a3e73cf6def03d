//! Resolving grants on the host, with the caller's authority, in the kernel.
//!
//! Each grant is opened with `openat2(O_PATH, RESOLVE_NO_MAGICLINKS)`: the kernel walks
//! the path (following the symlinks the user named, never `/proc` magic links), and the
//! resulting descriptor is the *witness* of what was granted. Its (dev, ino) is what the
//! shim checks the mount against, and its `/proc/self/fd` link gives the canonical,
//! symlink-free host path the shim walks with `RESOLVE_NO_SYMLINKS`. Nothing here
//! compares path strings to decide what is allowed (Traps and Pitfalls §4.1).
//!
//! A write grant on a name that does not exist creates an empty file (`O_CREAT|O_EXCL`,
//! 0666 & ~umask, in the parent opened by descriptor) so there is something to mount.
//! `CreatedFile::discard_if_unused` removes it again when the launch failed or the
//! command failed and left it empty.

use std::ffi::OsString;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{openat2, AtFlags, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstat, fstatat, Mode, SFlag};
use nix::sys::statfs::{fstatfs, PROC_SUPER_MAGIC};
use nix::unistd::UnlinkatFlags;
use thiserror::Error;

use crate::namespace::{Entry, Namespace, Rights};
use crate::plan::{PlanNode, Step};
use crate::text::shown;

#[derive(Debug, Error)]
pub enum ResolveError {
    #[error("no such file: {}", shown(.0))]
    NotFound(PathBuf),
    #[error("permission denied: {}", shown(.0))]
    Denied(PathBuf),
    #[error("cannot create {}: no such directory: {}", shown(.path), shown(.parent))]
    NoParent { path: PathBuf, parent: PathBuf },
    #[error("cannot create {}: a write grant on a new name needs a plain file name", shown(.0))]
    BadName(PathBuf),
    #[error("{}: not a directory or regular file that can be granted", shown(.0))]
    Unsupported(PathBuf),
    #[error("{}: is in /proc, which cannot be granted (the jail has its own /proc)", shown(.0))]
    Proc(PathBuf),
    #[error("cannot create {}: a write grant can create a file, not a directory; create the directory first, or grant its parent with write access", shown(.0))]
    NewDirectory(PathBuf),
    #[error("{}: {errno}", shown(.path))]
    Os { path: PathBuf, errno: Errno },
}

fn os_error(path: &Path, errno: Errno) -> ResolveError {
    match errno {
        Errno::ENOENT => ResolveError::NotFound(path.to_path_buf()),
        Errno::EACCES | Errno::EPERM => ResolveError::Denied(path.to_path_buf()),
        errno => ResolveError::Os {
            path: path.to_path_buf(),
            errno,
        },
    }
}

/// The descriptor that witnesses a grant, with the identity the mount must match.
#[derive(Debug)]
pub struct WitnessFd {
    pub fd: OwnedFd,
    pub dev: u64,
    pub ino: u64,
    pub is_dir: bool,
    /// The canonical host path, from the kernel.
    pub host: PathBuf,
}

impl WitnessFd {
    fn open(path: &Path) -> Result<WitnessFd, ResolveError> {
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_NO_MAGICLINKS);
        let fd = openat2(nix::fcntl::AT_FDCWD, path, how).map_err(|e| os_error(path, e))?;
        WitnessFd::from_fd(fd, path)
    }

    fn from_fd(fd: OwnedFd, path: &Path) -> Result<WitnessFd, ResolveError> {
        // A symlink the user named may lead into /proc (`out -> /proc/self/environ`,
        // left by an earlier jailed command): that would hand the jail the shell's own
        // process files.
        let fs = fstatfs(&fd).map_err(|e| os_error(path, e))?;
        if fs.filesystem_type() == PROC_SUPER_MAGIC {
            return Err(ResolveError::Proc(path.to_path_buf()));
        }
        let st = fstat(&fd).map_err(|e| os_error(path, e))?;
        let kind = SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT;
        let is_dir = kind == SFlag::S_IFDIR;
        if !(is_dir || kind == SFlag::S_IFREG || kind == SFlag::S_IFCHR) {
            return Err(ResolveError::Unsupported(path.to_path_buf()));
        }
        let link = format!("/proc/self/fd/{}", fd.as_raw_fd());
        let host = std::fs::read_link(&link).map_err(|e| ResolveError::Os {
            path: path.to_path_buf(),
            errno: Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
        })?;
        if !host.is_absolute() || host.as_os_str().as_bytes().ends_with(b" (deleted)") {
            return Err(ResolveError::NotFound(path.to_path_buf()));
        }
        Ok(WitnessFd {
            fd,
            dev: st.st_dev,
            ino: st.st_ino,
            is_dir,
            host,
        })
    }
}

/// A file the fileserver created for a write grant on a new name.
#[derive(Debug)]
pub struct CreatedFile {
    parent: OwnedFd,
    name: OsString,
    dev: u64,
    ino: u64,
    pub path: PathBuf,
}

impl CreatedFile {
    /// Remove the file if it is still the one created here and still empty.
    /// Returns whether it was removed.
    pub fn discard_if_unused(&self) -> bool {
        let Ok(st) = fstatat(
            &self.parent,
            self.name.as_os_str(),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        ) else {
            return false;
        };
        if st.st_dev != self.dev || st.st_ino != self.ino || st.st_size != 0 {
            return false;
        }
        nix::unistd::unlinkat(
            &self.parent,
            self.name.as_os_str(),
            UnlinkatFlags::NoRemoveDir,
        )
        .is_ok()
    }
}

fn create(path: &Path) -> Result<(WitnessFd, CreatedFile), ResolveError> {
    if path.as_os_str().as_bytes().ends_with(b"/") {
        return Err(ResolveError::NewDirectory(path.to_path_buf()));
    }
    let (Some(parent_path), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(ResolveError::BadName(path.to_path_buf()));
    };
    let parent_path = if parent_path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent_path
    };
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let parent = openat2(nix::fcntl::AT_FDCWD, parent_path, how).map_err(|e| match e {
        Errno::ENOENT | Errno::ENOTDIR => ResolveError::NoParent {
            path: path.to_path_buf(),
            parent: parent_path.to_path_buf(),
        },
        e => os_error(path, e),
    })?;
    let how = OpenHow::new()
        .flags(
            OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        )
        .mode(Mode::from_bits_truncate(0o666))
        .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_SYMLINKS);
    let file = openat2(&parent, name, how).map_err(|e| os_error(path, e))?;
    let witness = WitnessFd::from_fd(file, path)?;
    let created = CreatedFile {
        parent,
        name: name.to_os_string(),
        dev: witness.dev,
        ino: witness.ino,
        path: path.to_path_buf(),
    };
    Ok((witness, created))
}

/// The namespace resolved on the host: the plan, the witnesses its binds refer to, and
/// the files created for it.
#[derive(Debug, Default)]
pub struct Resolved {
    pub nodes: Vec<PlanNode>,
    pub witnesses: Vec<WitnessFd>,
    pub created: Vec<CreatedFile>,
}

impl Resolved {
    /// Remove the files created for this launch that are still empty.
    pub fn discard_created(&self) {
        for c in &self.created {
            if c.discard_if_unused() {
                tracing::debug!(path = %shown(&c.path), "removed unused created file");
            }
        }
    }
}

/// Shared scratch directories are sticky and world-writable as on the host; any
/// other private tmpfs (a home) is the user's alone.
fn tmpfs_mode(path: &Path) -> u32 {
    match path.to_str() {
        Some("/tmp" | "/var/tmp" | "/dev/shm") => 0o1777,
        Some("/dev") => 0o755,
        _ => 0o700,
    }
}

/// Resolve every grant of `ns` with the caller's authority.
/// On error, files created so far are removed again.
pub fn resolve(ns: &Namespace) -> Result<Resolved, ResolveError> {
    let mut out = Resolved::default();
    for (path, entry) in ns.walk() {
        let step = match entry {
            Entry::Dir => Step::Dir {
                seal: path.parent().and_then(|p| ns.get(p)) == Some(&Entry::Tmpfs),
            },
            Entry::Tmpfs => Step::Tmpfs {
                mode: tmpfs_mode(&path),
            },
            Entry::Symlink(t) => Step::Symlink { target: t.clone() },
            Entry::Generated(c) => Step::File {
                contents: c.clone(),
            },
            Entry::Proc => Step::Proc,
            Entry::Devpts => Step::Devpts,
            Entry::Grant(g) => {
                let opened = match g.rights {
                    Rights::Create => match create(&g.host) {
                        Ok((w, c)) => {
                            out.created.push(c);
                            Ok(w)
                        }
                        // Someone made it meanwhile: grant what is there now.
                        Err(ResolveError::Os {
                            errno: Errno::EEXIST,
                            ..
                        }) => WitnessFd::open(&g.host),
                        Err(e) => Err(e),
                    },
                    _ => WitnessFd::open(&g.host),
                };
                let witness = match opened {
                    Ok(w) => w,
                    Err(e) => {
                        out.discard_created();
                        return Err(e);
                    }
                };
                let step = Step::Bind {
                    host: witness.host.clone(),
                    witness: out.witnesses.len(),
                    is_dir: witness.is_dir,
                    writable: g.rights.writable(),
                    device: g.device,
                };
                out.witnesses.push(witness);
                step
            }
        };
        out.nodes.push(PlanNode { path, step });
    }
    Ok(out)
}

/// The raw descriptors of the witnesses, in plan order, for SCM_RIGHTS.
pub fn witness_fds(resolved: &Resolved) -> Vec<std::os::fd::RawFd> {
    resolved
        .witnesses
        .iter()
        .map(|w| w.fd.as_fd().as_raw_fd())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::namespace::{Grant, Origin};
    use std::fs;
    use std::os::unix::fs::MetadataExt;

    fn grant(ns: &mut Namespace, virt: &Path, host: &Path, rights: Rights) {
        ns.insert(
            virt,
            Entry::Grant(Grant {
                host: host.to_path_buf(),
                rights,
                origin: Origin::Argument,
                device: false,
            }),
        )
        .unwrap();
    }

    #[test]
    fn witnesses_name_the_granted_object() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, "x").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let mut ns = Namespace::new();
        grant(&mut ns, Path::new("/v/link"), &link, Rights::ReadOnly);
        let r = resolve(&ns).unwrap();
        let w = &r.witnesses[0];
        let meta = fs::metadata(&file).unwrap();
        assert_eq!((w.dev, w.ino), (meta.dev(), meta.ino()));
        // The user named the symlink: what it points to is granted, by its real path.
        assert_eq!(w.host, fs::canonicalize(&file).unwrap());
        assert!(!w.is_dir);
    }

    #[test]
    fn missing_grants_are_an_error_naming_the_path() {
        let mut ns = Namespace::new();
        grant(
            &mut ns,
            Path::new("/nope"),
            Path::new("/nonexistent/nope"),
            Rights::ReadOnly,
        );
        let err = resolve(&ns).unwrap_err();
        assert_eq!(err.to_string(), "no such file: /nonexistent/nope");
    }

    #[test]
    fn created_files_are_removed_only_while_empty() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.txt");
        let mut ns = Namespace::new();
        grant(&mut ns, Path::new("/w/new.txt"), &new, Rights::Create);
        let r = resolve(&ns).unwrap();
        assert!(new.exists());
        r.discard_created();
        assert!(!new.exists());

        let r = resolve(&ns).unwrap();
        fs::write(&new, "kept").unwrap();
        r.discard_created();
        assert_eq!(fs::read_to_string(&new).unwrap(), "kept");
    }

    #[test]
    fn proc_cannot_be_granted_even_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out");
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        let mut ns = Namespace::new();
        grant(&mut ns, Path::new("/w/out"), &link, Rights::ReadOnly);
        assert!(matches!(resolve(&ns), Err(ResolveError::Proc(_))));
    }

    #[test]
    fn a_new_directory_cannot_be_a_write_grant() {
        let dir = tempfile::tempdir().unwrap();
        let mut ns = Namespace::new();
        let wanted = PathBuf::from(format!("{}/newdir/", dir.path().display()));
        grant(&mut ns, Path::new("/w/newdir"), &wanted, Rights::Create);
        assert!(matches!(resolve(&ns), Err(ResolveError::NewDirectory(_))));
        assert!(!dir.path().join("newdir").exists());
    }

    #[test]
    fn create_in_a_missing_directory_names_it() {
        let mut ns = Namespace::new();
        grant(
            &mut ns,
            Path::new("/w/x"),
            Path::new("/nonexistent/x"),
            Rights::Create,
        );
        assert_eq!(
            resolve(&ns).unwrap_err().to_string(),
            "cannot create /nonexistent/x: no such directory: /nonexistent"
        );
    }

    #[test]
    fn a_failed_resolution_removes_what_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("a-new");
        let mut ns = Namespace::new();
        grant(&mut ns, Path::new("/a"), &new, Rights::Create);
        grant(
            &mut ns,
            Path::new("/b"),
            Path::new("/nonexistent/b"),
            Rights::ReadOnly,
        );
        assert!(resolve(&ns).is_err());
        assert!(!new.exists());
    }
}
