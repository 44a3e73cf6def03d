//! The jail's root file system: a fresh tmpfs holding only the plan's nodes.
//!
//! Defends against (SECURITY.md 1–5): seeing anything that was not granted (the root
//! starts empty; only plan nodes are added), escaping through `..` or `/proc/self/root`
//! (after `pivot_root` the old root is detached, so there is nothing above `/`), and a
//! granted path swapped for a symlink or another file while the jail starts: every
//! source is opened with `RESOLVE_NO_SYMLINKS` and must be the very object (dev, ino)
//! the fileserver's witness descriptor holds; the mount is made from that opened
//! descriptor and checked again once attached. Any mismatch aborts the launch.
//!
//! Mount points inside the new root are reached with `RESOLVE_BENEATH |
//! RESOLVE_NO_SYMLINKS`, so a symlink inside a grant can never move a mount elsewhere.
//! The skeleton (directories that only lead to grants) is made read-only at the end,
//! so a write outside the grants fails with EROFS instead of vanishing into a tmpfs.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag, AT_FDCWD};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sys::stat::{fstat, mkdirat, Mode};
use nix::unistd::{fchdir, pivot_root, symlinkat};
use pola_fileserver::plan::{JailPlan, Step};
use thiserror::Error;

use crate::sys;

#[derive(Debug, Error)]
pub enum RootfsError {
    #[error("{0}: became a symlink while the jail was starting; launch aborted")]
    Swapped(PathBuf),
    #[error("{0}: changed while the jail was starting (not the object that was granted); launch aborted")]
    Changed(PathBuf),
    #[error("{path}: cannot open: {errno}")]
    Open { path: PathBuf, errno: Errno },
    #[error("{path}: cannot be placed in the jail: {errno}")]
    Place { path: PathBuf, errno: Errno },
    #[error("{path}: cannot be placed inside a read-only grant (grant its directory with write access, or name it elsewhere)")]
    InsideReadOnly { path: PathBuf },
    #[error("{what}: {errno}")]
    Mount { what: String, errno: Errno },
    #[error("the plan names witness {0}, which was not sent")]
    MissingWitness(usize),
}

/// Where the new root is assembled before `pivot_root`. Every host source is opened
/// before this is covered, so host files under `/tmp` can still be granted.
const STAGING: &str = "/tmp";

fn identity(fd: &impl AsFd) -> Result<(u64, u64), Errno> {
    let st = fstat(fd)?;
    Ok((st.st_dev, st.st_ino))
}

/// Open the host object of a bind, refusing symlinks anywhere in its canonical path,
/// and check it is the witnessed object.
fn open_source(host: &Path, is_dir: bool, witness: &OwnedFd) -> Result<OwnedFd, RootfsError> {
    let mut flags = OFlag::O_PATH | OFlag::O_CLOEXEC;
    if is_dir {
        flags |= OFlag::O_DIRECTORY;
    }
    let how = OpenHow::new()
        .flags(flags)
        .resolve(ResolveFlag::RESOLVE_NO_SYMLINKS | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let fd = openat2(AT_FDCWD, host, how).map_err(|errno| match errno {
        Errno::ELOOP => RootfsError::Swapped(host.to_path_buf()),
        Errno::ENOENT | Errno::ENOTDIR => RootfsError::Changed(host.to_path_buf()),
        errno => RootfsError::Open {
            path: host.to_path_buf(),
            errno,
        },
    })?;
    let expected = identity(witness).map_err(|errno| RootfsError::Open {
        path: host.to_path_buf(),
        errno,
    })?;
    if identity(&fd).ok() != Some(expected) {
        return Err(RootfsError::Changed(host.to_path_buf()));
    }
    Ok(fd)
}

/// The path relative to the new root, for `RESOLVE_BENEATH` lookups.
fn relative(path: &Path) -> &Path {
    path.strip_prefix("/").unwrap_or(path)
}

fn beneath(root: &OwnedFd, path: &Path, flags: OFlag) -> Result<OwnedFd, Errno> {
    let rel = relative(path);
    let rel = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    let how = OpenHow::new().flags(flags | OFlag::O_CLOEXEC).resolve(
        ResolveFlag::RESOLVE_BENEATH
            | ResolveFlag::RESOLVE_NO_SYMLINKS
            | ResolveFlag::RESOLVE_NO_MAGICLINKS,
    );
    openat2(root, rel, how)
}

fn parent_and_name<'a>(root: &OwnedFd, path: &'a Path) -> Result<(OwnedFd, &'a Path), RootfsError> {
    let place = |errno| RootfsError::Place {
        path: path.to_path_buf(),
        errno,
    };
    let parent = path.parent().ok_or_else(|| place(Errno::EINVAL))?;
    let name = path.file_name().ok_or_else(|| place(Errno::EINVAL))?;
    let dir = beneath(root, parent, OFlag::O_PATH | OFlag::O_DIRECTORY).map_err(place)?;
    Ok((dir, Path::new(name)))
}

/// Create a mount point or skeleton entry; an existing one (inside a parent grant) is
/// fine, a read-only parent grant gets its own message.
fn make_point(root: &OwnedFd, path: &Path, dir: bool) -> Result<(), RootfsError> {
    let (parent, name) = parent_and_name(root, path)?;
    let made = if dir {
        mkdirat(&parent, name, Mode::from_bits_truncate(0o755))
    } else {
        nix::fcntl::openat(
            &parent,
            name,
            OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW,
            Mode::from_bits_truncate(0o644),
        )
        .map(drop)
    };
    match made {
        Ok(()) | Err(Errno::EEXIST) => Ok(()),
        Err(Errno::EROFS) => Err(RootfsError::InsideReadOnly {
            path: path.to_path_buf(),
        }),
        Err(errno) => Err(RootfsError::Place {
            path: path.to_path_buf(),
            errno,
        }),
    }
}

fn mount_at(
    target: &OwnedFd,
    fstype: &str,
    flags: MsFlags,
    data: &str,
    what: &Path,
) -> Result<(), RootfsError> {
    let proc_path = format!("/proc/self/fd/{}", target.as_raw_fd());
    mount(
        Some(fstype),
        proc_path.as_str(),
        Some(fstype),
        flags,
        Some(data),
    )
    .map_err(|errno| RootfsError::Mount {
        what: format!("mount {fstype} on {}", what.display()),
        errno,
    })
}

/// Bind `source` at `path` in the new root with the grant's flags, then check the
/// attached mount is still the witnessed object.
fn bind(
    root: &OwnedFd,
    path: &Path,
    source: &OwnedFd,
    is_dir: bool,
    attrs: u64,
) -> Result<(), RootfsError> {
    make_point(root, path, is_dir)?;
    let mount_err = |errno| RootfsError::Mount {
        what: format!("bind {}", path.display()),
        errno,
    };
    let target = beneath(root, path, OFlag::O_PATH).map_err(|errno| RootfsError::Place {
        path: path.to_path_buf(),
        errno,
    })?;
    let tree = sys::clone_tree(source.as_fd()).map_err(mount_err)?;
    sys::set_attr(tree.as_fd(), attrs, true).map_err(mount_err)?;
    sys::attach(tree.as_fd(), target.as_fd()).map_err(mount_err)?;
    let placed = beneath(root, path, OFlag::O_PATH).map_err(mount_err)?;
    if identity(&placed).ok() != identity(source).ok() {
        return Err(RootfsError::Changed(path.to_path_buf()));
    }
    Ok(())
}

/// A fresh tmpfs at `path`; returns the mounted directory. `skeleton` ones hold only
/// mount points, so they are kept tiny; scratch ones get the kernel's default size.
fn tmpfs(root: &OwnedFd, path: &Path, mode: u32, skeleton: bool) -> Result<OwnedFd, RootfsError> {
    make_point(root, path, true)?;
    let place = |errno| RootfsError::Place {
        path: path.to_path_buf(),
        errno,
    };
    let target = beneath(root, path, OFlag::O_PATH | OFlag::O_DIRECTORY).map_err(place)?;
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
    let size = if skeleton { ",size=1m" } else { "" };
    mount_at(
        &target,
        "tmpfs",
        flags,
        &format!("mode={mode:o}{size}"),
        path,
    )?;
    // The descriptor from before the mount names the directory underneath it.
    beneath(root, path, OFlag::O_PATH | OFlag::O_DIRECTORY).map_err(place)
}

/// Parts of the jail's `/proc` that reach the whole machine: read-only (SECURITY.md 20, 21).
const PROC_READ_ONLY: &[&str] = &["sys", "sysrq-trigger", "irq", "bus", "fs"];

fn mount_proc(root: &OwnedFd, path: &Path) -> Result<(), RootfsError> {
    make_point(root, path, true)?;
    let target = beneath(root, path, OFlag::O_PATH | OFlag::O_DIRECTORY).map_err(|errno| {
        RootfsError::Place {
            path: path.to_path_buf(),
            errno,
        }
    })?;
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    mount_at(&target, "proc", flags, "", path)?;
    for name in PROC_READ_ONLY {
        let sub = path.join(name);
        let Ok(fd) = beneath(root, &sub, OFlag::O_PATH) else {
            continue;
        };
        let attrs = sys::MOUNT_ATTR_RDONLY
            | sys::MOUNT_ATTR_NOSUID
            | sys::MOUNT_ATTR_NODEV
            | sys::MOUNT_ATTR_NOEXEC;
        let err = |errno| RootfsError::Mount {
            what: format!("make {} read-only", sub.display()),
            errno,
        };
        let tree = sys::clone_tree(fd.as_fd()).map_err(err)?;
        sys::set_attr(tree.as_fd(), attrs, true).map_err(err)?;
        sys::attach(tree.as_fd(), fd.as_fd()).map_err(err)?;
    }
    Ok(())
}

fn write_file(root: &OwnedFd, path: &Path, contents: &str) -> Result<(), RootfsError> {
    let (parent, name) = parent_and_name(root, path)?;
    let place = |errno| RootfsError::Place {
        path: path.to_path_buf(),
        errno,
    };
    let fd = nix::fcntl::openat(
        &parent,
        name,
        OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW,
        Mode::from_bits_truncate(0o644),
    )
    .map_err(place)?;
    std::fs::File::from(fd)
        .write_all(contents.as_bytes())
        .map_err(|e| place(Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))))
}

/// Build the new root from `plan` and pivot into it. `witnesses` are the fileserver's
/// descriptors, indexed by the plan's binds.
pub fn build(plan: &JailPlan, witnesses: &[OwnedFd]) -> Result<(), RootfsError> {
    // Nothing we mount may propagate back to the host's mount namespace.
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(|errno| RootfsError::Mount {
        what: "make / private".into(),
        errno,
    })?;

    // Open (and check) every source while the host is still in view.
    let mut sources = Vec::with_capacity(plan.nodes.len());
    for node in &plan.nodes {
        sources.push(match &node.step {
            Step::Bind {
                host,
                witness,
                is_dir,
                ..
            } => {
                let w = witnesses
                    .get(*witness)
                    .ok_or(RootfsError::MissingWitness(*witness))?;
                Some(open_source(host, *is_dir, w)?)
            }
            _ => None,
        });
    }

    let staging = Path::new(STAGING);
    mount(
        Some("tmpfs"),
        staging,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some("mode=0755,size=1m"),
    )
    .map_err(|errno| RootfsError::Mount {
        what: "mount the jail's root tmpfs".into(),
        errno,
    })?;
    let root = openat2(
        AT_FDCWD,
        staging,
        OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_NO_SYMLINKS),
    )
    .map_err(|errno| RootfsError::Open {
        path: staging.into(),
        errno,
    })?;

    // The private tmpfs directories, sized together (resource limits).
    let mut scratch = crate::limits::Scratch::new(plan);
    // The skeleton's own mounts, made read-only once everything is placed.
    let mut sealed = vec![root.try_clone().map_err(|e| RootfsError::Open {
        path: staging.into(),
        errno: Errno::from_raw(e.raw_os_error().unwrap_or(libc::EBADF)),
    })?];
    for (node, source) in plan.nodes.iter().zip(&sources) {
        let path = node.path.as_path();
        if path == Path::new("/") {
            continue;
        }
        match &node.step {
            Step::Dir { seal: false } => make_point(&root, path, true)?,
            Step::Dir { seal: true } => {
                let target = tmpfs(&root, path, 0o755, true)?;
                sealed.push(target);
            }
            Step::Bind {
                is_dir,
                writable,
                device,
                ..
            } => {
                let mut attrs = sys::MOUNT_ATTR_NOSUID;
                if !writable {
                    attrs |= sys::MOUNT_ATTR_RDONLY;
                }
                if !device {
                    attrs |= sys::MOUNT_ATTR_NODEV;
                }
                let source = source.as_ref().expect("a source was opened for every bind");
                bind(&root, path, source, *is_dir, attrs)?;
            }
            Step::Tmpfs { mode } => {
                make_point(&root, path, true)?;
                let target =
                    beneath(&root, path, OFlag::O_PATH | OFlag::O_DIRECTORY).map_err(|errno| {
                        RootfsError::Place {
                            path: path.to_path_buf(),
                            errno,
                        }
                    })?;
                scratch
                    .mount(&target, path, *mode)
                    .map_err(|errno| RootfsError::Mount {
                        what: format!("mount tmpfs on {}", path.display()),
                        errno,
                    })?;
            }
            Step::Symlink { target } => {
                let (parent, name) = parent_and_name(&root, path)?;
                match symlinkat(target.as_path(), &parent, name) {
                    Ok(()) | Err(Errno::EEXIST) => {}
                    Err(errno) => {
                        return Err(RootfsError::Place {
                            path: path.to_path_buf(),
                            errno,
                        })
                    }
                }
            }
            Step::File { contents } => write_file(&root, path, contents)?,
            Step::Proc => mount_proc(&root, path)?,
            Step::Devpts => {
                make_point(&root, path, true)?;
                let target =
                    beneath(&root, path, OFlag::O_PATH | OFlag::O_DIRECTORY).map_err(|errno| {
                        RootfsError::Place {
                            path: path.to_path_buf(),
                            errno,
                        }
                    })?;
                let flags = MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC;
                mount_at(
                    &target,
                    "devpts",
                    flags,
                    "newinstance,ptmxmode=0666,mode=0620",
                    path,
                )?;
            }
        }
    }

    // The skeleton is read-only: writes outside the grants fail loudly.
    for fd in &sealed {
        sys::set_attr(
            fd.as_fd(),
            sys::MOUNT_ATTR_RDONLY | sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV,
            false,
        )
        .map_err(|errno| RootfsError::Mount {
            what: "make the skeleton read-only".into(),
            errno,
        })?;
    }

    // Switch to the new root and detach the old one: nothing of the host stays
    // reachable, not even through `..` from `/` or `/proc/self/root`.
    let pivot_err = |errno| RootfsError::Mount {
        what: "pivot_root".into(),
        errno,
    };
    fchdir(&root).map_err(pivot_err)?;
    pivot_root(".", ".").map_err(pivot_err)?;
    umount2(".", MntFlags::MNT_DETACH).map_err(pivot_err)?;
    nix::unistd::chdir("/").map_err(pivot_err)?;
    Ok(())
}
