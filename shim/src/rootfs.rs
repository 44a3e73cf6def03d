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
use pola_fileserver::plan::{JailPlan, PlanNode, Step};
use pola_fileserver::text::shown;
use thiserror::Error;

use crate::sys;

#[derive(Debug, Error)]
pub enum RootfsError {
    #[error("{}: became a symlink while the jail was starting; launch aborted", shown(.0))]
    Swapped(PathBuf),
    #[error("{}: changed while the jail was starting (not the object that was granted); launch aborted", shown(.0))]
    Changed(PathBuf),
    #[error("{}: cannot open: {errno}", shown(.path))]
    Open { path: PathBuf, errno: Errno },
    #[error("{}: cannot be placed in the jail: {errno}", shown(.path))]
    Place { path: PathBuf, errno: Errno },
    #[error("{}: cannot be placed inside a read-only grant (grant its directory with write access, or name it elsewhere)", shown(.path))]
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
    check_witnessed(&fd, witness, host)?;
    Ok(fd)
}

/// That `fd` (at `path`) is the very object `witness` holds: the same device and
/// inode, else `Changed`.
fn check_witnessed(fd: &impl AsFd, witness: &impl AsFd, path: &Path) -> Result<(), RootfsError> {
    let expected = identity(witness).map_err(|errno| RootfsError::Open {
        path: path.to_path_buf(),
        errno,
    })?;
    if identity(fd).ok() != Some(expected) {
        return Err(RootfsError::Changed(path.to_path_buf()));
    }
    Ok(())
}

/// The path relative to the new root, for `RESOLVE_BENEATH` lookups.
fn relative(path: &Path) -> &Path {
    path.strip_prefix("/").unwrap_or(path)
}

pub(crate) fn beneath(root: &OwnedFd, path: &Path, flags: OFlag) -> Result<OwnedFd, Errno> {
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

pub(crate) fn parent_and_name<'a>(
    root: &OwnedFd,
    path: &'a Path,
) -> Result<(OwnedFd, &'a Path), RootfsError> {
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
pub(crate) fn make_point(root: &OwnedFd, path: &Path, dir: bool) -> Result<(), RootfsError> {
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
        what: format!("mount {fstype} on {}", shown(what)),
        errno,
    })
}

/// A new `devpts` instance, the jail's own, on `target` (at `path` in the jail).
fn mount_devpts(target: &OwnedFd, path: &Path) -> Result<(), RootfsError> {
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC;
    mount_at(
        target,
        "devpts",
        flags,
        "newinstance,ptmxmode=0666,mode=0620",
        path,
    )
}

/// A witnessed source, copied as a detached mount tree before anything is mounted for
/// the jail: a copy made later would carry the jail's own staging mount along when the
/// grant is above it (`/tmp` granted while the root is assembled on `/tmp`).
pub(crate) struct Source {
    tree: OwnedFd,
    identity: (u64, u64),
}

pub(crate) fn copy_source(
    host: &Path,
    is_dir: bool,
    witness: &OwnedFd,
) -> Result<Source, RootfsError> {
    let fd = open_source(host, is_dir, witness)?;
    let identity = identity(&fd).map_err(|errno| RootfsError::Open {
        path: host.to_path_buf(),
        errno,
    })?;
    let tree = sys::clone_tree(fd.as_fd()).map_err(|errno| RootfsError::Mount {
        what: format!("copy {}", host.display()),
        errno,
    })?;
    Ok(Source { tree, identity })
}

/// Bind `source` at `path` in the new root with the grant's flags, then check the
/// attached mount is still the witnessed object.
pub(crate) fn bind(
    root: &OwnedFd,
    path: &Path,
    source: &Source,
    is_dir: bool,
    attrs: u64,
) -> Result<(), RootfsError> {
    make_point(root, path, is_dir)?;
    let mount_err = |errno| RootfsError::Mount {
        what: format!("bind {}", shown(path)),
        errno,
    };
    let target = beneath(root, path, OFlag::O_PATH).map_err(|errno| RootfsError::Place {
        path: path.to_path_buf(),
        errno,
    })?;
    sys::set_attr(source.tree.as_fd(), attrs, true).map_err(mount_err)?;
    sys::attach(source.tree.as_fd(), target.as_fd()).map_err(mount_err)?;
    let placed = beneath(root, path, OFlag::O_PATH).map_err(mount_err)?;
    if identity(&placed).ok() != Some(source.identity) {
        return Err(RootfsError::Changed(path.to_path_buf()));
    }
    Ok(())
}

/// Move the template's subtree number `n` (in `bag`, the jail's copy of the template)
/// to `node`'s place in the new root. A bind at its top is checked to be the object
/// of its witness before and once attached; the rest was checked when the template was
/// made, against witnesses of the very objects this command's are.
fn take(
    root: &OwnedFd,
    node: &pola_fileserver::plan::PlanNode,
    bag: &OwnedFd,
    n: usize,
    witnesses: &[OwnedFd],
) -> Result<(), RootfsError> {
    let path = node.path.as_path();
    let mount_err = |errno| RootfsError::Mount {
        what: format!("place {}", shown(path)),
        errno,
    };
    let (is_dir, expected) = match &node.step {
        Step::Bind {
            witness, is_dir, ..
        } => {
            let w = witnesses
                .get(*witness)
                .ok_or(RootfsError::MissingWitness(*witness))?;
            (*is_dir, Some(identity(w).map_err(mount_err)?))
        }
        _ => (true, None),
    };
    let held = beneath(bag, Path::new(&n.to_string()), OFlag::O_PATH).map_err(mount_err)?;
    if expected.is_some() && identity(&held).ok() != expected {
        return Err(RootfsError::Changed(path.to_path_buf()));
    }
    attach_at(root, path, is_dir, &held)?;
    if let Some(expected) = expected {
        let placed = beneath(root, path, OFlag::O_PATH).map_err(mount_err)?;
        if identity(&placed).ok() != Some(expected) {
            return Err(RootfsError::Changed(path.to_path_buf()));
        }
    }
    Ok(())
}

/// Move the mount `held` (with what is mounted below it) to `path` in the new root,
/// making its mount point (a directory, or a file for a bind of one).
fn attach_at(root: &OwnedFd, path: &Path, is_dir: bool, held: &OwnedFd) -> Result<(), RootfsError> {
    make_point(root, path, is_dir)?;
    let target = beneath(root, path, OFlag::O_PATH).map_err(|errno| RootfsError::Place {
        path: path.to_path_buf(),
        errno,
    })?;
    sys::attach(held.as_fd(), target.as_fd()).map_err(|errno| RootfsError::Mount {
        what: format!("place {}", shown(path)),
        errno,
    })
}

/// Check that a subtree a warm jail placed ahead (`Prepared::make`) is where `node`
/// is, and that a bind at its top is the object of its witness.
fn check_placed(
    root: &OwnedFd,
    node: &pola_fileserver::plan::PlanNode,
    witnesses: &[OwnedFd],
) -> Result<(), RootfsError> {
    let path = node.path.as_path();
    let placed = beneath(root, path, OFlag::O_PATH).map_err(|errno| RootfsError::Place {
        path: path.to_path_buf(),
        errno,
    })?;
    if let Step::Bind { witness, .. } = &node.step {
        let w = witnesses
            .get(*witness)
            .ok_or(RootfsError::MissingWitness(*witness))?;
        check_witnessed(&placed, w, path)?;
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

/// Hints (`pola_fileserver::hints`): the working directory's skeleton as a FUSE file
/// system the server serves, so it learns what the command looks for and does not
/// have. The connection goes to the server before anything is placed in it (each
/// placement asks it). If FUSE is not there, the skeleton is an ordinary read-only
/// directory and the server is told so.
fn observe_cwd(
    root: &OwnedFd,
    path: &Path,
    plan: &JailPlan,
    socket: &std::os::unix::net::UnixStream,
    fuse: Option<Result<OwnedFd, Errno>>,
) -> Result<bool, RootfsError> {
    use sendfd::SendWithFd;
    make_point(root, path, true)?;
    let mounted = (|| {
        let dev = fuse.unwrap_or(Err(Errno::ENODEV))?;
        let target = beneath(root, path, OFlag::O_PATH | OFlag::O_DIRECTORY)?;
        let options = format!(
            "fd={},rootmode=40555,user_id={},group_id={}",
            dev.as_raw_fd(),
            plan.uid,
            plan.gid
        );
        mount(
            Some("pola-cwd"),
            format!("/proc/self/fd/{}", target.as_raw_fd()).as_str(),
            Some("fuse"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
            Some(options.as_str()),
        )?;
        Ok::<OwnedFd, Errno>(dev)
    })();
    let sent = match &mounted {
        Ok(dev) => socket.send_with_fd(&[pola_fileserver::launch::FUSE_TAG], &[dev.as_raw_fd()]),
        Err(_) => socket.send_with_fd(&[pola_fileserver::launch::NO_FUSE_TAG], &[]),
    };
    if let Err(e) = sent {
        return Err(RootfsError::Mount {
            what: "send the working directory's file system".into(),
            errno: Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
        });
    }
    Ok(mounted.is_ok())
}

/// Hints, with the shell's shared file system (`pola_fileserver::cwd_host`): attach
/// the detached copy of this jail's skeleton directory at the working directory.
fn attach_cwd(root: &OwnedFd, path: &Path, lent: &OwnedFd) -> Result<(), RootfsError> {
    make_point(root, path, true)?;
    let place = |errno| RootfsError::Place {
        path: path.to_path_buf(),
        errno,
    };
    let target = beneath(root, path, OFlag::O_PATH | OFlag::O_DIRECTORY).map_err(place)?;
    sys::attach(lent.as_fd(), target.as_fd()).map_err(|errno| RootfsError::Mount {
        what: "attach the working directory's file system".into(),
        errno,
    })
}

/// Whether the plan's `/proc` is the host's (`@ps`), bound read-only, not the jail's own.
pub fn binds_host_proc(plan: &JailPlan) -> bool {
    plan.nodes
        .iter()
        .any(|n| n.path == Path::new("/proc") && matches!(n.step, Step::Bind { .. }))
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
            what: format!("make {} read-only", shown(&sub)),
            errno,
        };
        let tree = sys::clone_tree(fd.as_fd()).map_err(err)?;
        sys::set_attr(tree.as_fd(), attrs, true).map_err(err)?;
        sys::attach(tree.as_fd(), fd.as_fd()).map_err(err)?;
    }
    Ok(())
}

pub(crate) fn write_file(root: &OwnedFd, path: &Path, contents: &str) -> Result<(), RootfsError> {
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

/// A warm jail's root, made by its PID 1 before the command arrives (`crate::warm`):
/// a private copy of the template's namespace (`crate::template`) whose root is
/// already the jail's fresh root tmpfs, holding every subtree of the template at its
/// place and a `proc` of the jail's PID namespace (with its read-only parts) at
/// `/proc`. The template's own root went with the `pivot_root` made here: its lazy
/// unmount waits for an RCU grace period (~0.2 ms on the machines measured), now
/// before the command is asked for rather than on its way. Its subtrees' `devpts`
/// are mounted already, a new instance each (`devpts`): nothing of them comes from the
/// plan. Whatever of it the plan does not take is unmounted once the plan is known
/// (`Prepared::settle`). The scratch file system of the default size
/// (`limits::ReadyScratch`) and a terminal of the `/dev/pts` there
/// (`session::terminal_ahead`) are made too, each taken only if it fits the plan.
/// PID 1 goes back to its supervisor's namespace (`host`) to wait: a plan's grants are
/// opened there.
pub struct Prepared {
    jail: OwnedFd,
    trees: Vec<pola_fileserver::template::Subtree>,
    root: OwnedFd,
    devpts: Vec<PathBuf>,
    /// The scratch file system, made ahead for the default size.
    scratch: Option<crate::limits::ReadyScratch>,
    /// A terminal of the devpts at `/dev/pts`, with no modes yet (`session`).
    terminal: Option<pola_fileserver::pty::Pair>,
}

impl Prepared {
    /// `None` without a template, or if any of it fails (the jail is then built as
    /// before); PID 1 is back in its supervisor's namespace either way, or ends.
    pub fn make() -> Option<Prepared> {
        let template = crate::template::take()?;
        let ns = || sys::mount_namespace().and_then(sys::high);
        let host = ns().ok()?;
        let made = (|| -> Result<Prepared, Errno> {
            nix::sched::setns(&template.ns, nix::sched::CloneFlags::CLONE_NEWNS)?;
            nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)?;
            let jail = ns()?;
            let dir = |path: &str| directory(AT_FDCWD, Path::new(path)).and_then(sys::high);
            let bag = dir(crate::template::BAG)?;
            new_root(Path::new(crate::template::NEW_ROOT))?;
            let root = dir(crate::template::NEW_ROOT)?;
            let top = dir("/")?;
            let errno = |e: RootfsError| match e {
                RootfsError::Mount { errno, .. }
                | RootfsError::Place { errno, .. }
                | RootfsError::Open { errno, .. } => errno,
                _ => Errno::EIO,
            };
            let mut devpts = Vec::new();
            for (n, tree) in template.trees.iter().enumerate() {
                let held = beneath(&bag, Path::new(&n.to_string()), OFlag::O_PATH)?;
                attach_at(&root, tree.top(), tree.top_is_dir(), &held).map_err(errno)?;
                for node in &tree.nodes {
                    if node.kind == (pola_fileserver::template::Kind::Mount { devpts: true }) {
                        let target =
                            beneath(&root, &node.path, OFlag::O_PATH | OFlag::O_DIRECTORY)?;
                        mount_devpts(&target, &node.path).map_err(errno)?;
                        devpts.push(node.path.clone());
                    }
                }
            }
            // Only where a `proc` is already fully visible may one be mounted: over
            // the template's, then moved into the fresh root. (After the `pivot_root`
            // none is: without one made here the jail is built the usual way.)
            mount_proc(&top, Path::new("/proc")).map_err(errno)?;
            attach_at(&root, Path::new("/proc"), true, &dir("/proc")?).map_err(errno)?;
            fchdir(&root)?;
            pivot_root(".", ".")?;
            umount2(".", MntFlags::MNT_DETACH)?;
            nix::unistd::chdir("/")?;
            Ok(Prepared {
                jail,
                trees: template.trees.clone(),
                root,
                devpts,
                scratch: crate::limits::ReadyScratch::make(),
                terminal: crate::session::terminal_ahead(),
            })
        })();
        // Torn down by the zygote once the jail is gone, not on a command's way.
        crate::zygote::hold_mount_namespace();
        if nix::sched::setns(&host, nix::sched::CloneFlags::CLONE_NEWNS).is_err() {
            eprintln!("pola-shim: cannot return to the supervisor's namespace");
            std::process::exit(125);
        }
        made.ok()
    }

    /// Enter the jail's namespace and unmount what of the prepared root `plan` does
    /// not take: the subtrees not in `taken`, and `/proc` if the plan has none there.
    /// Each unmount waits for a grace period; a plan of the shell's default
    /// environment takes them all.
    fn settle(&self, plan: &JailPlan, taken: &[Option<usize>]) -> Result<(), RootfsError> {
        nix::sched::setns(&self.jail, nix::sched::CloneFlags::CLONE_NEWNS).map_err(|errno| {
            RootfsError::Mount {
                what: "enter the jail's namespace".into(),
                errno,
            }
        })?;
        // The host's (`@ps`) is bound over it: kept until then, because what is built
        // meanwhile goes through `/proc/self/fd` (libc's `fchmodat` without following
        // links, for the scratch's modes).
        let wants_proc = plan.nodes.iter().any(|n| {
            n.path == Path::new("/proc") && matches!(n.step, Step::Proc | Step::Bind { .. })
        });
        let unused = self
            .trees
            .iter()
            .enumerate()
            .filter(|(n, _)| !taken.contains(&Some(*n)))
            .map(|(_, tree)| (tree.top(), tree.top_is_dir()))
            .chain((!wants_proc).then_some((Path::new("/proc"), true)));
        for (top, is_dir) in unused {
            let err = |errno| RootfsError::Mount {
                what: format!("unmount {}", shown(top)),
                errno,
            };
            umount2(top, MntFlags::MNT_DETACH | MntFlags::UMOUNT_NOFOLLOW).map_err(err)?;
            let (parent, name) = parent_and_name(&self.root, top)?;
            let kind = match is_dir {
                true => nix::unistd::UnlinkatFlags::RemoveDir,
                false => nix::unistd::UnlinkatFlags::NoRemoveDir,
            };
            nix::unistd::unlinkat(&parent, name, kind).map_err(err)?;
        }
        Ok(())
    }
}

/// The directory at `path` (from `at`), no symlink on the way, as a path descriptor.
pub(crate) fn directory<Fd: std::os::fd::AsFd>(at: Fd, path: &Path) -> Result<OwnedFd, Errno> {
    openat2(
        at,
        path,
        OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_NO_SYMLINKS),
    )
}

/// The jail's fresh root tmpfs at `staging`.
fn new_root(staging: &Path) -> Result<(), Errno> {
    mount(
        Some("tmpfs"),
        staging,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some("mode=0755,size=1m"),
    )
}

/// Build the new root from `plan` and pivot into it. `witnesses` are the fileserver's
/// descriptors, indexed by the plan's binds.
///
/// The supervisor made this mount namespace private before forking PID 1, except for
/// the slot carriers (`crate::slots`): the copies of those made here are peers of the
/// supervisor's, and this namespace's own copies leave that peer group once taken.
///
/// A warm jail's PID 1 (`crate::warm`) shares its supervisor's mount namespace until
/// here (`shared`): the root is then assembled in a namespace of PID 1's own (a copy of
/// the template's, or of the supervisor's), so that its `pivot_root` leaves the
/// supervisor's root as it is.
pub fn build(
    plan: &JailPlan,
    witnesses: &[OwnedFd],
    socket: &std::os::unix::net::UnixStream,
    shared: bool,
    prepared: Option<Prepared>,
) -> Result<Built, RootfsError> {
    // The subtrees this jail may take from the zygote's template: exactly this
    // command's nodes there, every bind's witness the very object the template holds.
    // `taken[i]`: node i is the top of template subtree N; `within[i]`: node i is
    // below one, placed with it. A warm jail copied the template ahead (`prepared`).
    let template = match &prepared {
        Some(_) => None,
        None => crate::template::take(),
    };
    // Taken whether or not the plan takes the rest: a scratch made ahead is used if it
    // fits, and closed off the path if not (`Built`).
    let mut prepared = prepared;
    let ready_scratch = prepared.as_mut().and_then(|p| p.scratch.take());
    let terminal = prepared.as_mut().and_then(|p| p.terminal.take());
    let trees = match (&prepared, &template) {
        (Some(p), _) => Some(&p.trees),
        (None, Some(t)) => Some(&t.trees),
        (None, None) => None,
    };
    let mut taken = vec![None; plan.nodes.len()];
    let mut within = vec![false; plan.nodes.len()];
    // `ahead[i]`: node i is a `devpts` a warm jail mounted already, in a subtree taken.
    let mut ahead = vec![false; plan.nodes.len()];
    if let Some(trees) = trees {
        let id = |w: usize| witnesses.get(w).and_then(|fd| identity(fd).ok());
        for (range, tree) in pola_fileserver::template::subtrees(&plan.nodes, &plan.cwd, id) {
            if let Some(n) = trees.iter().position(|held| *held == tree) {
                taken[range.start] = Some(n);
                // Placed with it, but for the jail's own file systems in it.
                let inner = range.start + 1..range.end;
                for (i, node) in inner.clone().zip(&plan.nodes[inner]) {
                    within[i] = !pola_fileserver::template::per_jail(&node.step);
                    ahead[i] = node.step == Step::Devpts
                        && prepared
                            .as_ref()
                            .is_some_and(|p| p.devpts.contains(&node.path));
                }
            }
        }
    }
    let used = taken.iter().any(Option::is_some);
    let template = template.filter(|_| used);
    let prepared = prepared.filter(|_| used);
    let from_template = template.is_some() || prepared.is_some();
    // Open (and check) every other source while the host is still in view.
    let mut sources = Vec::with_capacity(plan.nodes.len());
    for (i, node) in plan.nodes.iter().enumerate() {
        if from_template && (taken[i].is_some() || within[i]) {
            sources.push(None);
            continue;
        }
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
                Some(copy_source(host, *is_dir, w)?)
            }
            Step::SlotDir { host, witness, .. } => {
                let w = witnesses
                    .get(*witness)
                    .ok_or(RootfsError::MissingWitness(*witness))?;
                Some(copy_source(host, true, w)?)
            }
            _ => None,
        });
    }
    // Nothing mounted from now on may propagate anywhere but through the copies just
    // taken of the slot carriers.
    crate::slots::make_private("make / private")?;
    // Opened on the host: a copy of the template has no /dev.
    let mut fuse = (plan.observe && plan.cwd_mount.is_none())
        .then(|| nix::fcntl::open("/dev/fuse", OFlag::O_RDWR | OFlag::O_CLOEXEC, Mode::empty()));

    // From the template: a private copy of its namespace, whose binds are moved into
    // the fresh root; its own root (with what this jail did not take) is detached by
    // `pivot_root` below like the host's.
    let (bag, ready) = match (&template, prepared) {
        (_, Some(p)) => {
            p.settle(plan, &taken)?;
            (None, Some(p.root))
        }
        (Some(t), None) => {
            let err = |what: &'static str| {
                move |errno| RootfsError::Mount {
                    what: what.into(),
                    errno,
                }
            };
            nix::sched::setns(&t.ns, nix::sched::CloneFlags::CLONE_NEWNS)
                .map_err(err("enter the template"))?;
            nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)
                .map_err(err("copy the template"))?;
            let bag = directory(AT_FDCWD, Path::new(crate::template::BAG))
                .map_err(err("open the template"))?;
            (Some(bag), None)
        }
        (None, None) => {
            if shared {
                nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS).map_err(|errno| {
                    RootfsError::Mount {
                        what: "leave the supervisor's mount namespace".into(),
                        errno,
                    }
                })?;
                // Torn down by the zygote, not on this command's way.
                crate::zygote::hold_mount_namespace();
            }
            (None, None)
        }
    };
    drop(template);
    // A warm jail's root holds its subtrees and `/proc` already, and is pivoted into.
    let pivoted = ready.is_some();
    let root = match ready {
        Some(root) => root,
        None => {
            let staging = Path::new(if bag.is_some() {
                crate::template::NEW_ROOT
            } else {
                STAGING
            });
            new_root(staging).map_err(|errno| RootfsError::Mount {
                what: "mount the jail's root tmpfs".into(),
                errno,
            })?;
            directory(AT_FDCWD, staging).map_err(|errno| RootfsError::Open {
                path: staging.into(),
                errno,
            })?
        }
    };

    // The private tmpfs directories, sized together (resource limits).
    let mut scratch = crate::limits::Scratch::new(plan, ready_scratch);
    // The skeleton's own mounts, made read-only once everything is placed.
    let mut sealed = vec![root.try_clone().map_err(|e| RootfsError::Open {
        path: "/".into(),
        errno: Errno::from_raw(e.raw_os_error().unwrap_or(libc::EBADF)),
    })?];
    // With hints, what goes below the working directory is placed last: each placement
    // there asks the server, which starts serving it meanwhile.
    let below_cwd =
        |node: &PlanNode| plan.observe && node.path != plan.cwd && node.path.starts_with(&plan.cwd);
    let indices = 0..plan.nodes.len();
    let order = indices
        .clone()
        .filter(|&i| !below_cwd(&plan.nodes[i]))
        .chain(indices.filter(|&i| below_cwd(&plan.nodes[i])));
    for i in order {
        let (node, source) = (&plan.nodes[i], &sources[i]);
        let path = node.path.as_path();
        if path == Path::new("/") || (from_template && within[i]) || ahead[i] {
            continue;
        }
        match (&bag, taken[i]) {
            (Some(bag), Some(n)) => {
                take(&root, node, bag, n, witnesses)?;
                continue;
            }
            (None, Some(_)) if pivoted => {
                check_placed(&root, node, witnesses)?;
                continue;
            }
            _ => {}
        }
        match &node.step {
            Step::Dir { .. } if plan.observe && path == plan.cwd && plan.cwd_mount.is_some() => {
                let index = plan.cwd_mount.unwrap_or_default();
                let lent = witnesses
                    .get(index)
                    .ok_or(RootfsError::MissingWitness(index))?;
                attach_cwd(&root, path, lent)?;
            }
            Step::Dir { seal } if plan.observe && path == plan.cwd => {
                if !observe_cwd(&root, path, plan, socket, fuse.take())? && *seal {
                    // The ordinary skeleton it stands in for.
                    sealed.push(tmpfs(&root, path, 0o755, true)?);
                }
            }
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
            Step::SlotDir { .. } => {
                let source = source.as_ref().expect("a source was opened for every bind");
                bind(
                    &root,
                    path,
                    source,
                    true,
                    sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV,
                )?;
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
            Step::Proc if pivoted && path == Path::new("/proc") => {}
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
                mount_devpts(&target, path)?;
            }
        }
    }

    // The server waits for word of the working directory's file system whenever it
    // asked for one: if the working directory was not placed here, say there is none.
    if fuse.is_some() {
        use sendfd::SendWithFd;
        socket
            .send_with_fd(&[pola_fileserver::launch::NO_FUSE_TAG], &[])
            .map_err(|e| RootfsError::Mount {
                what: "send the working directory's file system".into(),
                errno: Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
            })?;
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
    if !pivoted {
        fchdir(&root).map_err(pivot_err)?;
        pivot_root(".", ".").map_err(pivot_err)?;
        umount2(".", MntFlags::MNT_DETACH).map_err(pivot_err)?;
    }
    nix::unistd::chdir("/").map_err(pivot_err)?;
    Ok(Built {
        detached: scratch.into_detached(),
        terminal,
    })
}

/// What [`build`] leaves its caller to drop once the command runs: the scratch file
/// system's detached mount, and one made ahead that the plan did not take
/// (`limits::Scratch::into_detached`).
pub struct Built {
    detached: Vec<OwnedFd>,
    terminal: Option<pola_fileserver::pty::Pair>,
}

impl Built {
    /// The terminal made ahead, if any (`session::make_terminal` checks it is of the
    /// jail's devpts).
    pub fn take_terminal(&mut self) -> Option<pola_fileserver::pty::Pair> {
        self.terminal.take()
    }

    /// As the command starts: what is left goes to the zygote, which lets it go with
    /// the jail's namespaces (`zygote::hold_until_started`), if there is one; PID 1
    /// then does not wait for that grace period while its command runs.
    pub fn give_to_zygote(&mut self) {
        let detached = std::mem::take(&mut self.detached);
        self.detached = detached
            .into_iter()
            .filter_map(|fd| crate::zygote::hold_until_started(fd).err())
            .collect();
    }

    /// Unmount what is left (an RCU grace period if anything is).
    pub fn release(self) {
        drop(self.detached);
    }
}
