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
use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstat, Mode, SFlag};
use nix::sys::statfs::{fstatfs, DEVPTS_SUPER_MAGIC, PROC_SUPER_MAGIC};
use thiserror::Error;

use std::collections::{BTreeMap, HashSet};
use std::os::unix::ffi::OsStringExt;

use crate::namespace::{Entry, Namespace, Rights};
use crate::plan::{PlanNode, Step};
use crate::slots::{SlotDir, StageError};
use crate::text::shown;

#[derive(Debug, Error)]
pub enum ResolveError {
    #[error("no such file: {}", shown(.0))]
    NotFound(PathBuf),
    #[error("permission denied: {}", shown(.0))]
    Denied(PathBuf),
    #[error("cannot create {}: no such directory: {}", shown(.path), shown(.parent))]
    NoParent { path: PathBuf, parent: PathBuf },
    #[error("{}: not a directory, regular file or FIFO that can be granted (a socket or device is not)", shown(.0))]
    Unsupported(PathBuf),
    #[error("{}: is in /proc, which cannot be granted (the jail has its own /proc)", shown(.0))]
    Proc(PathBuf),
    #[error("{}: is in the host's /dev/pts, which cannot be granted (the jail has its own /dev/pts)", shown(.0))]
    Devpts(PathBuf),
    #[error("{}: {errno}", shown(.path))]
    Os { path: PathBuf, errno: Errno },
    #[error("{}: {count} entries would each be shown read-only beside the slot; grant what the command needs from it, or grant it with =>", shown(.path))]
    TooManyEntries { path: PathBuf, count: usize },
    #[error("{}: too many files named to grant each on its own (each is held open; the limit of open files is reached) — grant the directory they are in instead (+ DIR, or + => DIR to write)", shown(.0))]
    TooManyFiles(PathBuf),
    #[error("{}: no such file or directory, and a command cannot make one directly in / (no slot there)", shown(.0))]
    SlotInRoot(PathBuf),
    #[error(transparent)]
    Refused(crate::planted::Refused),
}

fn refused(path: &Path, e: crate::planted::Refused) -> ResolveError {
    match e {
        crate::planted::Refused::Os { errno, .. } => os_error(path, errno),
        e => ResolveError::Refused(e),
    }
}

fn os_error(path: &Path, errno: Errno) -> ResolveError {
    match errno {
        Errno::ENOENT => ResolveError::NotFound(path.to_path_buf()),
        Errno::EACCES | Errno::EPERM => ResolveError::Denied(path.to_path_buf()),
        Errno::EMFILE | Errno::ENFILE => ResolveError::TooManyFiles(path.to_path_buf()),
        errno => ResolveError::Os {
            path: path.to_path_buf(),
            errno,
        },
    }
}

/// The descriptor that witnesses a grant, with the identity the mount must match.
#[derive(Clone, Debug)]
pub struct WitnessFd {
    /// Shared: the default environment's witnesses are kept from one command to the
    /// next (`crate::template::kept_witness`) and lent to each, without a `dup` and a
    /// `close` per command.
    pub fd: std::sync::Arc<OwnedFd>,
    pub dev: u64,
    pub ino: u64,
    pub is_dir: bool,
    /// The canonical host path, from the kernel.
    pub host: PathBuf,
}

impl WitnessFd {
    /// Open what the user named, following the user's links but never one a jail may
    /// have made (`crate::planted`).
    pub(crate) fn open(path: &Path) -> Result<WitnessFd, ResolveError> {
        let fd = crate::planted::resolve(path).map_err(|e| refused(path, e))?;
        WitnessFd::from_fd(fd, path)
    }

    /// `@ps`: the host's `/proc` itself, at the jail's `/proc`, read-only; nothing in it
    /// or elsewhere (every other procfs is refused, [`WitnessFd::from_fd`]).
    fn host_proc(at: &Path, g: &crate::namespace::Grant) -> Result<WitnessFd, ResolveError> {
        let proc = Path::new("/proc");
        if at != proc || g.host != proc || g.rights.writable() {
            return Err(ResolveError::Proc(g.host.clone()));
        }
        let fd = nix::fcntl::open(
            proc,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .map_err(|e| os_error(proc, e))?;
        let fs = fstatfs(&fd).map_err(|e| os_error(proc, e))?;
        let st = fstat(&fd).map_err(|e| os_error(proc, e))?;
        // A procfs's root (PROC_ROOT_INO), not a directory of one.
        if fs.filesystem_type() != PROC_SUPER_MAGIC || st.st_ino != 1 {
            return Err(ResolveError::Unsupported(proc.to_path_buf()));
        }
        Ok(WitnessFd {
            fd: std::sync::Arc::new(fd),
            dev: st.st_dev,
            ino: st.st_ino,
            is_dir: true,
            host: proc.to_path_buf(),
        })
    }

    pub(crate) fn from_fd(fd: OwnedFd, path: &Path) -> Result<WitnessFd, ResolveError> {
        // A symlink the user named may lead into /proc (`out -> /proc/self/environ`,
        // left by an earlier jailed command): that would hand the jail the shell's own
        // process files.
        let fs = fstatfs(&fd).map_err(|e| os_error(path, e))?;
        if fs.filesystem_type() == PROC_SUPER_MAGIC {
            return Err(ResolveError::Proc(path.to_path_buf()));
        }
        // Nor into the host's terminals (`pts -> /dev/pts`): `/dev/pts` named as it is
        // names the jail's own (`Namespace::is_jails_own`).
        if fs.filesystem_type() == DEVPTS_SUPER_MAGIC {
            return Err(ResolveError::Devpts(path.to_path_buf()));
        }
        let st = fstat(&fd).map_err(|e| os_error(path, e))?;
        let kind = SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT;
        let is_dir = kind == SFlag::S_IFDIR;
        if !(is_dir || kind == SFlag::S_IFREG || kind == SFlag::S_IFCHR || kind == SFlag::S_IFIFO) {
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
            fd: std::sync::Arc::new(fd),
            dev: st.st_dev,
            ino: st.st_ino,
            is_dir,
            host,
        })
    }
}

/// The namespace resolved on the host: the plan, the witnesses its binds refer to, and
/// the slot directories prepared for it.
#[derive(Debug, Default)]
pub struct Resolved {
    pub nodes: Vec<PlanNode>,
    pub witnesses: Vec<WitnessFd>,
    pub slots: Vec<SlotDir>,
}

impl Resolved {
    /// The launch failed: remove the staging directories made for it.
    pub fn discard_slots(&mut self) {
        for dir in std::mem::take(&mut self.slots) {
            dir.finish();
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

/// The slots of `ns`, by the directory (in the jail) that holds them.
fn slots_by_directory(ns: &Namespace) -> BTreeMap<PathBuf, Vec<(OsString, PathBuf)>> {
    let mut out: BTreeMap<PathBuf, Vec<(OsString, PathBuf)>> = BTreeMap::new();
    for (path, entry) in ns.walk() {
        if let Entry::Grant(g) = entry {
            if g.rights == Rights::Slot {
                if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
                    out.entry(dir.to_path_buf())
                        .or_default()
                        .push((name.to_os_string(), g.host.clone()));
                }
            }
        }
    }
    out
}

/// Open the host directory holding the slots (named by the user: their links are
/// followed, `/proc` magic links never).
fn open_slot_parent(host: &Path) -> Result<OwnedFd, ResolveError> {
    let parent = host.parent().filter(|p| !p.as_os_str().is_empty());
    let parent = parent.unwrap_or(Path::new("."));
    let no_parent = || ResolveError::NoParent {
        path: host.to_path_buf(),
        parent: parent.to_path_buf(),
    };
    let fd = crate::planted::resolve(parent).map_err(|e| match e.errno() {
        Errno::ENOENT | Errno::ENOTDIR if matches!(e, crate::planted::Refused::Os { .. }) => {
            no_parent()
        }
        _ => refused(parent, e),
    })?;
    if fstat(&fd)
        .is_ok_and(|st| SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT != SFlag::S_IFDIR)
    {
        return Err(no_parent());
    }
    if fstatfs(&fd).is_ok_and(|fs| fs.filesystem_type() == PROC_SUPER_MAGIC) {
        return Err(ResolveError::Proc(parent.to_path_buf()));
    }
    Ok(fd)
}

/// The most entries of a read-only directory shown beside a slot in it, one mount
/// each; more would make the launch slow, and the user can grant what is needed.
const MAX_SHOWN_ENTRIES: usize = 4096;

/// The entries of the host directory `dir` other than `except`, for a slot directory
/// whose contents the jail may also read.
fn entries(dir: &OwnedFd, path: &Path, except: &[OsString]) -> Result<Vec<OsString>, ResolveError> {
    let fd = nix::fcntl::openat(
        dir,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| os_error(path, e))?;
    let mut list = nix::dir::Dir::from_fd(fd).map_err(|e| os_error(path, e))?;
    let mut out = Vec::new();
    for e in list.iter().flatten() {
        let name = OsString::from_vec(e.file_name().to_bytes().to_vec());
        if name.as_bytes() == b"." || name.as_bytes() == b".." || except.contains(&name) {
            continue;
        }
        if name
            .as_bytes()
            .starts_with(crate::slots::STAGING_PREFIX.as_bytes())
        {
            continue;
        }
        out.push(name);
    }
    if out.len() > MAX_SHOWN_ENTRIES {
        return Err(ResolveError::TooManyEntries {
            path: path.to_path_buf(),
            count: out.len(),
        });
    }
    out.sort();
    Ok(out)
}

/// Resolve every grant of `ns` with the caller's authority, and prepare a staging
/// directory for every directory holding slots. On error, staging directories made so
/// far are removed again.
pub fn resolve(ns: &Namespace) -> Result<Resolved, ResolveError> {
    let mut out = Resolved::default();
    let result = resolve_into(ns, &mut out);
    if result.is_err() {
        out.discard_slots();
    }
    result.map(|()| out)
}

fn resolve_into(ns: &Namespace, out: &mut Resolved) -> Result<(), ResolveError> {
    crate::template::notice_changes();
    let slot_dirs = slots_by_directory(ns);
    // Slot views placed by their directory's step, not as nodes of their own.
    // A set, looked up by each path's ancestors: a list scanned for every node was
    // quadratic in the slots (`rm => *.txt` of 2000 files).
    let mut placed: HashSet<PathBuf> = HashSet::new();
    // The host's entries shown read-only in a directory of slots, each bound there: a
    // directory of the skeleton at one of them (the working directory) is that entry.
    let mut shown: HashSet<PathBuf> = HashSet::new();
    for (path, entry) in ns.walk() {
        if path.ancestors().any(|a| placed.contains(a)) {
            continue;
        }
        if let Some(slots) = slot_dirs.get(&path) {
            if path == Path::new("/") {
                return Err(ResolveError::SlotInRoot(slots[0].1.clone()));
            }
            let names = stage_slot_dir(ns, &path, entry, slots, out)?;
            placed.extend(slots.iter().map(|(name, _)| path.join(name)));
            shown.extend(names.into_iter().map(|name| path.join(name)));
            continue;
        }
        let step = match entry {
            Entry::Dir => Step::Dir {
                seal: path.parent().and_then(|p| ns.get(p)) == Some(&Entry::Tmpfs)
                    || (path.parent().is_some_and(|p| slot_dirs.contains_key(p))
                        && !shown.contains(&path)),
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
                // The default environment's binds (read-only, and its devices) are
                // the same objects command after command.
                let witness = if g.origin == crate::namespace::Origin::Default
                    && (!g.rights.writable() || g.device)
                {
                    crate::template::kept_witness(&g.host)?
                } else if g.origin == crate::namespace::Origin::Processes {
                    WitnessFd::host_proc(&path, g)?
                } else {
                    WitnessFd::open(&g.host)?
                };
                if g.rights.writable() && witness.is_dir && !g.device {
                    // From now on a jail may leave anything in it.
                    crate::planted::record_dir(&witness.fd, &witness.host);
                } else if g.rights.writable() && !g.device {
                    // A file written in place: its text may be the jail's.
                    crate::planted::record_written_file(&witness.host);
                }
                bind_step(
                    out,
                    witness,
                    g.rights.writable(),
                    g.device,
                    g.origin == crate::namespace::Origin::Default,
                )
            }
        };
        out.nodes.push(PlanNode { path, step });
    }
    Ok(())
}

fn bind_step(
    out: &mut Resolved,
    witness: WitnessFd,
    writable: bool,
    device: bool,
    default: bool,
) -> Step {
    let step = Step::Bind {
        host: witness.host.clone(),
        witness: out.witnesses.len(),
        is_dir: witness.is_dir,
        writable,
        device,
        default,
    };
    out.witnesses.push(witness);
    step
}

/// The step for a directory holding slots: its staging directory at its place, then
/// the slots that are bound at launch and, when the jail may read the directory, its
/// other entries read-only (their names returned).
fn stage_slot_dir(
    ns: &Namespace,
    path: &Path,
    entry: &Entry,
    slots: &[(OsString, PathBuf)],
    out: &mut Resolved,
) -> Result<Vec<OsString>, ResolveError> {
    let parent = open_slot_parent(&slots[0].1)?;
    let names: Vec<OsString> = slots.iter().map(|(n, _)| n.clone()).collect();
    let visible = matches!(entry, Entry::Grant(g) if g.rights == Rights::ReadOnly)
        || ns.covering(path, Rights::ReadOnly).is_some();
    let shown = if visible {
        entries(&parent, path, &names)?
    } else {
        Vec::new()
    };
    let index = out.slots.len();
    let (mut dir, mounts) = SlotDir::stage(index, path, parent, &names).map_err(|e| match e {
        StageError::Os { path, errno } => os_error(&path, errno),
        StageError::Special(path) => ResolveError::Unsupported(path),
    })?;
    // The other grants placed inside it (their mount points) and the entries shown
    // read-only are never the command's scratch.
    if let Some(children) = ns.children(path) {
        dir.fixed
            .extend(children.into_iter().filter(|c| !names.contains(c)));
    }
    dir.fixed.extend(shown.iter().cloned());
    let staging_host = dir.aside_path.join(&dir.staging_name);
    let staging = WitnessFd::from_fd(
        dir.staging.try_clone().map_err(|e| {
            os_error(
                &staging_host,
                Errno::from_raw(e.raw_os_error().unwrap_or(0)),
            )
        })?,
        &staging_host,
    );
    out.slots.push(dir);
    let staging = staging?;
    out.nodes.push(PlanNode {
        path: path.to_path_buf(),
        step: Step::SlotDir {
            host: staging.host.clone(),
            witness: out.witnesses.len(),
            index,
        },
    });
    out.witnesses.push(staging);
    for m in mounts {
        let witness = WitnessFd::from_fd(m.witness, &m.host)?;
        let step = bind_step(out, witness, true, false, false);
        out.nodes.push(PlanNode {
            path: path.join(&m.name),
            step,
        });
    }
    let dir = &out.slots[index];
    let parent_path = dir.parent_path.clone();
    let parent = dir.parent.try_clone().map_err(|e| {
        os_error(
            path,
            Errno::from_raw(e.raw_os_error().unwrap_or(libc::EBADF)),
        )
    })?;
    let mut bound = Vec::new();
    for name in shown {
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_SYMLINKS);
        let host = parent_path.join(&name);
        let Ok(fd) = openat2(&parent, name.as_os_str(), how) else {
            continue; // gone meanwhile
        };
        let node_path = path.join(&name);
        // A symlink is shown as a symlink, resolved inside the jail.
        if fstat(&fd)
            .is_ok_and(|st| SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFLNK)
        {
            if let Ok(target) = nix::fcntl::readlinkat(&parent, name.as_os_str()) {
                out.nodes.push(PlanNode {
                    path: node_path,
                    step: Step::Symlink {
                        target: PathBuf::from(target),
                    },
                });
            }
            continue;
        }
        match WitnessFd::from_fd(fd, &host) {
            Ok(witness) => {
                let step = bind_step(out, witness, false, false, false);
                out.nodes.push(PlanNode {
                    path: node_path,
                    step,
                });
                bound.push(name);
            }
            // FIFOs, sockets and devices are not shown.
            Err(ResolveError::Unsupported(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(bound)
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
    fn proc_cannot_be_granted_even_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out");
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        let mut ns = Namespace::new();
        grant(&mut ns, Path::new("/w/out"), &link, Rights::ReadOnly);
        assert!(matches!(resolve(&ns), Err(ResolveError::Proc(_))));
    }

    #[test]
    fn slots_get_a_staging_directory_and_a_missing_parent_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sibling"), "s").unwrap();
        let mut ns = Namespace::new();
        let virt = dir.path().join("new.txt");
        grant(&mut ns, &virt, &virt, Rights::Slot);
        let mut r = resolve(&ns).unwrap();
        assert_eq!(r.slots.len(), 1);
        let staging = r.slots[0].aside_path.join(&r.slots[0].staging_name);
        assert!(staging.is_dir());
        assert!(r
            .nodes
            .iter()
            .any(|n| n.path == dir.path() && matches!(n.step, Step::SlotDir { .. })));
        r.discard_slots();
        assert!(!staging.exists());

        let mut ns = Namespace::new();
        grant(
            &mut ns,
            Path::new("/w/x"),
            Path::new("/nonexistent/x"),
            Rights::Slot,
        );
        assert_eq!(
            resolve(&ns).unwrap_err().to_string(),
            "cannot create /nonexistent/x: no such directory: /nonexistent"
        );
    }

    #[test]
    fn a_failed_resolution_removes_its_staging_directories() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("a-new");
        let mut ns = Namespace::new();
        grant(&mut ns, &new, &new, Rights::Slot);
        grant(
            &mut ns,
            Path::new("/zz/b"),
            Path::new("/nonexistent/b"),
            Rights::ReadOnly,
        );
        assert!(resolve(&ns).is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
