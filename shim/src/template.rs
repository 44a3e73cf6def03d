//! The zygote's template of the default environment (see `pola_fileserver::template`
//! for why and what is checked): a mount namespace holding each subtree at `/bag/N`,
//! as a jail would have it, built by a helper process the zygote forks (the zygote
//! itself stays in the host's mount namespace, where the next jails' grants are).
//! Jails forked afterwards inherit the namespace's descriptor and the subtrees;
//! `rootfs::build` copies the namespace and moves the subtrees it may take.
//!
//! Layout of the template's root (a tmpfs, read-only, shared by every copy and
//! detached by each jail's `pivot_root` before its command runs): `bag/N` the
//! subtrees (a bind, or a read-only tmpfs holding the subtree's nodes), `new/` where a
//! jail mounts its own fresh root, `proc/` a bind of the host's `/proc` — the kernel
//! lets a namespace mount a new `proc` only where one is already fully visible, and a
//! jail mounts its own there.

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use nix::errno::Errno;
use nix::fcntl::{open, OFlag, AT_FDCWD};
use nix::mount::{umount2, MntFlags};
use nix::sched::{unshare, CloneFlags};
use nix::sys::stat::Mode;
use pola_fileserver::launch::SHIM_SOCKET_FD;
use pola_fileserver::template::{Kind, Subtree};

use crate::rootfs;
use crate::sys::{self, Forked};

/// Where the template's binds are, in its namespace.
pub const BAG: &str = "/bag";
/// Where a jail mounts its fresh root, in its copy of the template.
pub const NEW_ROOT: &str = "/new";

/// A template namespace and what each `/bag/N` holds.
pub struct Template {
    pub ns: OwnedFd,
    pub trees: Vec<Subtree>,
}

/// The zygote's current template, inherited by the jails it forks.
static CURRENT: Mutex<Option<Template>> = Mutex::new(None);

/// The template this process holds, if any (a jail forked by the zygote).
pub fn take() -> Option<Template> {
    CURRENT.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// The descriptor of the template this process holds, to keep open.
pub fn descriptor() -> Option<i32> {
    use std::os::fd::AsRawFd;
    CURRENT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map(|t| t.ns.as_raw_fd())
}

/// In the zygote: replace the template with one holding `trees` (each bind checked
/// against its witness, `witnesses` in order). On failure there is none, and jails
/// make every node themselves.
pub fn replace(trees: Vec<Subtree>, witnesses: Vec<OwnedFd>) {
    // The old one first: its descriptor is not the next jails' business.
    drop(CURRENT.lock().unwrap_or_else(|e| e.into_inner()).take());
    let made = build(&trees, &witnesses);
    if let Err(e) = &made {
        eprintln!("pola-shim: no template of the default environment: {e}");
    }
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = made.ok().map(|ns| Template { ns, trees });
}

/// Build the namespace in a helper process and keep a descriptor of it.
fn build(trees: &[Subtree], witnesses: &[OwnedFd]) -> Result<OwnedFd, rootfs::RootfsError> {
    let failed = |what: &str, errno| rootfs::RootfsError::Mount {
        what: what.into(),
        errno,
    };
    let failed_errno = |what: &'static str| move |errno| failed(what, errno);
    let (ready_r, ready_w) = nix::unistd::pipe().map_err(|e| failed("pipe", e))?;
    let (done_r, done_w) = nix::unistd::pipe().map_err(|e| failed("pipe", e))?;
    match sys::fork().map_err(|e| failed("fork", e))? {
        Forked::Child => {
            drop(ready_r);
            drop(done_w);
            let status = match fill(trees, witnesses) {
                Ok(()) => {
                    let _ = nix::unistd::write(&ready_w, b"1");
                    // Stay until the zygote has the namespace.
                    let _ = nix::unistd::read(&done_r, &mut [0u8; 1]);
                    0
                }
                Err(e) => {
                    eprintln!("pola-shim: template: {e}");
                    1
                }
            };
            // SAFETY: leaving the helper without running the zygote's destructors.
            unsafe { libc::_exit(status) }
        }
        Forked::Parent(pid) => {
            drop(ready_w);
            drop(done_r);
            let mut byte = [0u8; 1];
            let ready = nix::unistd::read(&ready_r, &mut byte) == Ok(1);
            let ns = ready
                .then(|| {
                    open(
                        format!("/proc/{pid}/ns/mnt").as_str(),
                        OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                        Mode::empty(),
                    )
                })
                .transpose();
            drop(done_w);
            let _ = nix::sys::wait::waitpid(pid, None);
            match ns {
                // Above the descriptors a forked shim gives its command (0–9) and its
                // socket, which it puts in place over whatever is there.
                Ok(Some(fd)) => nix::fcntl::fcntl(
                    &fd,
                    nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(SHIM_SOCKET_FD + 1),
                )
                // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor that only we hold.
                .map(|raw| unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(raw) })
                .map_err(failed_errno("keep the template")),
                Ok(None) => Err(failed("build the template", Errno::EIO)),
                Err(errno) => Err(failed("keep the template", errno)),
            }
        }
    }
}

/// In the helper: a mount namespace of its own whose root holds the subtrees.
fn fill(trees: &[Subtree], witnesses: &[OwnedFd]) -> Result<(), rootfs::RootfsError> {
    let failed = |what: &str| {
        let what = what.to_string();
        move |errno| rootfs::RootfsError::Mount {
            what: what.clone(),
            errno,
        }
    };
    unshare(CloneFlags::CLONE_NEWNS).map_err(failed("unshare the mount namespace"))?;
    crate::sys::make_private().map_err(failed("make / private"))?;
    // Every source opened and copied while the host is in view, as a jail does.
    let mut witnesses = witnesses.iter();
    let mut sources = Vec::new();
    for tree in trees {
        for node in &tree.nodes {
            if let Kind::Bind { host, is_dir, .. } = &node.kind {
                let witness = witnesses
                    .next()
                    .ok_or(rootfs::RootfsError::MissingWitness(sources.len()))?;
                sources.push(Some(rootfs::copy_source(host, *is_dir, witness)?));
            } else {
                sources.push(None);
            }
        }
    }
    let proc = open(
        "/proc",
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(failed("open /proc"))?;
    let proc = sys::clone_tree(proc.as_fd()).map_err(failed("copy /proc"))?;

    let staging = Path::new("/tmp");
    let root = tmpfs_at(&open_dir(AT_FDCWD, staging)?)?;
    for dir in [BAG, NEW_ROOT, "/proc"] {
        rootfs::make_point(&root, Path::new(dir), true)?;
    }
    let proc_target = rootfs::beneath(&root, Path::new("/proc"), OFlag::O_PATH)
        .map_err(failed("open the template's /proc"))?;
    sys::attach(proc.as_fd(), proc_target.as_fd()).map_err(failed("bind /proc"))?;
    let mut sources = sources.iter();
    for (n, tree) in trees.iter().enumerate() {
        let place = bag(n);
        let mut sub = None;
        for node in &tree.nodes {
            let source = sources.next().and_then(Option::as_ref);
            // The subtree's top at `bag/N`, the rest below it.
            let (within, path) = match &sub {
                None => (&root, place.clone()),
                Some(sub) => (
                    sub,
                    Path::new("/").join(node.path.strip_prefix(tree.top()).unwrap_or(&node.path)),
                ),
            };
            match (&node.kind, source) {
                (
                    Kind::Bind {
                        is_dir,
                        writable,
                        device,
                        ..
                    },
                    Some(source),
                ) => {
                    let mut attrs = sys::MOUNT_ATTR_NOSUID;
                    if !writable {
                        attrs |= sys::MOUNT_ATTR_RDONLY;
                    }
                    if !device {
                        attrs |= sys::MOUNT_ATTR_NODEV;
                    }
                    rootfs::bind(within, &path, source, *is_dir, attrs)?;
                }
                (Kind::Dir, _) if sub.is_none() => {
                    rootfs::make_point(within, &path, true)?;
                    let dir = rootfs::beneath(within, &path, OFlag::O_PATH | OFlag::O_DIRECTORY)
                        .map_err(failed("open the subtree"))?;
                    sub = Some(tmpfs_at(&dir)?);
                }
                (Kind::Dir, _) => rootfs::make_point(within, &path, true)?,
                (Kind::Symlink { target }, _) => {
                    let (parent, name) = rootfs::parent_and_name(within, &path)?;
                    nix::unistd::symlinkat(target.as_path(), &parent, name)
                        .map_err(failed("make a link"))?;
                }
                (Kind::File { contents }, _) => rootfs::write_file(within, &path, contents)?,
                (Kind::Mount { .. }, _) => rootfs::make_point(within, &path, true)?,
                (Kind::Bind { .. }, None) => {
                    return Err(rootfs::RootfsError::MissingWitness(n));
                }
            }
        }
        if let Some(sub) = sub {
            seal(&sub).map_err(failed("make the subtree read-only"))?;
        }
    }
    // Read-only: it is the one tmpfs every copy shares.
    seal(&root).map_err(failed("make the template read-only"))?;
    nix::unistd::fchdir(&root).map_err(failed("enter the template"))?;
    nix::unistd::pivot_root(".", ".").map_err(failed("pivot_root"))?;
    umount2(".", MntFlags::MNT_DETACH).map_err(failed("detach the host"))?;
    nix::unistd::chdir("/").map_err(failed("chdir"))?;
    Ok(())
}

fn open_dir(at: impl AsFd, path: &Path) -> Result<OwnedFd, rootfs::RootfsError> {
    rootfs::directory(at, path).map_err(|errno| rootfs::RootfsError::Open {
        path: path.to_path_buf(),
        errno,
    })
}

/// A small tmpfs on the directory `dir`; its root.
fn tmpfs_at(dir: &OwnedFd) -> Result<OwnedFd, rootfs::RootfsError> {
    let failed = |errno| rootfs::RootfsError::Mount {
        what: "mount the template's tmpfs".into(),
        errno,
    };
    let fs = sys::new_tmpfs(
        &[("mode", "0755".into()), ("size", "1m".into())],
        sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV,
    )
    .map_err(failed)?;
    sys::attach(fs.as_fd(), dir.as_fd()).map_err(failed)?;
    // The mount's root: `fs` still names the detached mount's place.
    Ok(fs)
}

fn seal(fd: &OwnedFd) -> Result<(), Errno> {
    sys::set_attr(
        fd.as_fd(),
        sys::MOUNT_ATTR_RDONLY | sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV,
        false,
    )
}

/// Where subtree `n` is in the template.
pub fn bag(n: usize) -> PathBuf {
    Path::new(BAG).join(n.to_string())
}
