//! Slots (Plash's word): a write grant `=> name` gives the command that *name* in its
//! directory — create it as a file, a directory or a symlink, write it, replace it by
//! renaming onto it (the atomic save of `sed -i`, editors, `os.replace`), rename it to
//! another slot, remove it — and nothing else of the directory.
//!
//! How (Ostia's delegation, with the jail's namespace as the boundary):
//!
//! - **Staging.** For each slot directory P the server makes a staging directory S
//!   (`.pola-slots.XXXXXX`) on P's mount, so that renames between them are atomic and
//!   never copy: in pola-sh's own directory `$XDG_STATE_HOME/pola-sh/aside` when that
//!   is on the same mount, out of sight of whatever walks P, else in P itself
//!   ([`SlotDir::aside`]). The jail sees S at P's place: names the command makes there
//!   are its scratch, on the host but hidden in S, and discarded at exit. Siblings in P
//!   are never shown.
//! - **Views.** A slot's object is bind-mounted onto a placeholder in S (reads and
//!   writes go to the very object, at kernel speed) — at launch by the jail's builder,
//!   afterwards by the jail's supervisor through mount propagation (see [`protocol`]);
//!   but a symlink, and a file that replaced the slot's object during the command (the
//!   command's own: `sed -i`'s), is shown as a hard link to it, which costs no mount.
//! - **Delegation.** The calls that change names (`open(O_CREAT)`, `mkdir`, `unlink`,
//!   `rmdir`, `rename`, `link`, `symlink`, `mknod`) reach the server as seccomp user
//!   notifications ([`broker`]). When the name is a slot, the server performs the call
//!   on P itself, with its own descriptors and the one name it read (never a path the
//!   jail could change afterwards, never following a link), then updates the view.
//!   Every other call goes on in the jail's namespace as the command made it.
//! - **Crash safety.** Each staging directory is recorded before use ([`registry`]);
//!   a shell that dies leaves records that the next start cleans, putting back a slot
//!   object that had been moved aside.
//!
//! Defends against: a write grant reaching more than its name (siblings stay invisible
//! and unchanged, SECURITY.md 1 and 8), and a slot redirecting the user's authority
//! through a link the jail made there (the server never follows one, SECURITY.md 24).

pub mod broker;
pub mod protocol;
pub mod registry;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{openat2, readlinkat, AtFlags, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstat, fstatat, mkdirat, FileStat, Mode, SFlag};
use nix::unistd::{linkat, unlinkat, UnlinkatFlags};

use protocol::{Request, Supervisor};

/// How the jail sees one slot right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Nothing at the name.
    Absent,
    /// A hard link in the staging directory to the slot's file or symlink.
    Linked,
    /// A placeholder in the staging directory with the slot's object (device, inode)
    /// bound onto it.
    Mounted { is_dir: bool, id: (u64, u64) },
}

/// A slot's object that the jail's builder binds at launch (a directory or a file).
#[derive(Debug)]
pub struct StaticMount {
    pub name: OsString,
    /// Canonical host path.
    pub host: PathBuf,
    pub witness: OwnedFd,
    pub is_dir: bool,
}

/// A directory holding slots, with its staging directory.
#[derive(Debug)]
pub struct SlotDir {
    /// Index in the plan's list of slot directories (the supervisor's carriers).
    pub index: usize,
    /// The directory in the jail.
    pub virt: PathBuf,
    /// P, on the host (`O_PATH`), and its canonical path.
    pub parent: OwnedFd,
    pub parent_path: PathBuf,
    /// Where S, the hold and the files the command removed are ([`aside_for`]): a
    /// directory of pola-sh's own on P's mount, or P itself; and its canonical path.
    pub aside: OwnedFd,
    pub aside_path: PathBuf,
    /// S, on the host (`O_PATH`), its name in `aside` and its identity.
    pub staging: OwnedFd,
    pub staging_name: OsString,
    pub id: (u64, u64),
    /// The slots by name, and how the jail sees each.
    pub slots: BTreeMap<OsString, View>,
    /// Names in S that are mount points of other grants (placeholders): never scratch.
    pub fixed: BTreeSet<OsString>,
    /// The name in `aside` where the server holds an object on its way from S to a
    /// slot, while it checks what it is: out of the jail's reach.
    pub hold: OsString,
    pub record: registry::Record,
    /// The user's links at slots when the command began, by identity (birth time
    /// included): one still there at the end is the same link, which no jail can
    /// change in place, and is not taken for the jail's (`finish`).
    pub links: BTreeMap<OsString, crate::planted::Id>,
    /// Links the command line asks the system's `ln -s` to make at slots, with the
    /// text it gives them (`expect_links`): one found there at the end with that text
    /// is followed from then on, though the jail made it (`planted::record_kept`).
    pub typed: BTreeMap<OsString, Vec<u8>>,
    /// A file at a slot named as the kernel names a core dump ([`core_file_name`]),
    /// shown linked rather than bound, with its identity at the start: the kernel
    /// removes it and writes the new dump at its name, by no call the server sees
    /// (`finish` takes that file for the slot's).
    pub core: Option<(OsString, (u64, u64))>,
}

/// Where slot directory P's staging directory, hold and removed files go, with its
/// canonical path: pola-sh's own directory for them ([`registry::aside_dir`], made if
/// missing) when it is the user's and on P's very mount and file system — renames
/// between the two are then atomic, and nothing of a running command's slots shows in
/// P to what walks it (`find . | xargs rm` beside a command with slots there listed its
/// staging directory's names, and rm failed on them; trial 10) — else P itself; and P
/// itself too where what is made in P takes something of P's (its group, a default
/// ACL, a project). Jails never see that directory: it is hidden in every grant that
/// holds it (`shell/src/protect.rs`).
pub fn aside_for(parent: &OwnedFd, parent_path: &Path) -> Result<(OwnedFd, PathBuf), Errno> {
    let own = || -> Option<(OwnedFd, PathBuf)> {
        let dir = registry::aside_dir()?;
        if !dir.is_dir() {
            registry::create_dirs(&dir).ok()?;
        }
        let dir = std::fs::canonicalize(&dir).ok()?;
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_NO_SYMLINKS | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        let fd = openat2(nix::fcntl::AT_FDCWD, &dir, how).ok()?;
        let (own, theirs) = (fstat(&fd).ok()?, fstat(parent).ok()?);
        let mine = own.st_uid == nix::unistd::geteuid().as_raw();
        // One mount is not enough: a btrfs subvolume shares its parent's mount and
        // has a device of its own, and a directory with a project of its own takes
        // nothing renamed in from elsewhere (both EXDEV: `sed -i` failed, and a file
        // the user chose to keep was lost; review).
        let together = own.st_dev == theirs.st_dev
            && mount_id(&fd)? == mount_id(parent)?
            && !projects_apart(parent)
            && !passes_on(parent);
        (mine && together).then_some((fd, dir))
    };
    match own() {
        Some(found) => Ok(found),
        None => Ok((
            parent
                .try_clone()
                .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))?,
            parent_path.to_path_buf(),
        )),
    }
}

/// Whether the directory `dir` gives what is made in it a project of its own (ext4's
/// and XFS's `FS_XFLAG_PROJINHERIT`), which a rename into it from another directory
/// fails with EXDEV; true too when that cannot be known.
fn projects_apart(dir: &OwnedFd) -> bool {
    /// `struct fsxattr` of `<linux/fs.h>`.
    #[repr(C)]
    #[derive(Default)]
    struct FsXattr {
        xflags: u32,
        extsize: u32,
        nextents: u32,
        projid: u32,
        cowextsize: u32,
        pad: [u8; 8],
    }
    /// `_IOR('X', 31, struct fsxattr)`.
    const FS_IOC_FSGETXATTR: libc::c_ulong = 0x801c_581f;
    const FS_XFLAG_PROJINHERIT: u32 = 0x200;
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let Ok(open) = nix::fcntl::openat(dir, ".", flags, Mode::empty()) else {
        return true;
    };
    let mut x = FsXattr::default();
    // SAFETY: the ioctl fills a `struct fsxattr`, which `x` is.
    let r = unsafe { libc::ioctl(open.as_raw_fd(), FS_IOC_FSGETXATTR, &mut x) };
    match r {
        0 => x.xflags & FS_XFLAG_PROJINHERIT != 0,
        // A file system without projects (tmpfs: ENOTTY).
        _ => !matches!(
            Errno::last(),
            Errno::ENOTTY | Errno::EOPNOTSUPP | Errno::EINVAL
        ),
    }
}

/// Whether what is made in the directory `dir` takes something from it: its group (a
/// set-group-ID directory, shared by a team) or a default ACL. What a command saves at
/// a slot by rename was made in S, and must be made where it inherits that: S stays in
/// P (review: saved files lost the team's group and ACL).
fn passes_on(dir: &OwnedFd) -> bool {
    if fstat(dir).is_ok_and(|st| st.st_mode & libc::S_ISGID != 0) {
        return true;
    }
    let Ok(path) = std::ffi::CString::new(format!("/proc/self/fd/{}", dir.as_raw_fd())) else {
        return true;
    };
    // SAFETY: a size query (no buffer) of a C-string path and attribute name.
    let n = unsafe {
        libc::getxattr(
            path.as_ptr(),
            c"system.posix_acl_default".as_ptr(),
            std::ptr::null_mut(),
            0,
        )
    };
    n > 0 || (n < 0 && !matches!(Errno::last(), Errno::ENODATA | Errno::EOPNOTSUPP))
}

/// The mount an open descriptor is on (its id, from `statx`).
fn mount_id(fd: &impl AsRawFd) -> Option<u64> {
    // SAFETY: statx fills `buf`; the path is the empty C string, with AT_EMPTY_PATH.
    let mut buf: libc::statx = unsafe { std::mem::zeroed() };
    let r = unsafe {
        libc::statx(
            fd.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            libc::STATX_MNT_ID,
            &mut buf,
        )
    };
    (r == 0 && buf.stx_mask & libc::STATX_MNT_ID != 0).then_some(buf.stx_mnt_id)
}

/// The staging directory's name prefix; with six random characters after it.
pub const STAGING_PREFIX: &str = ".pola-slots.";

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    // SAFETY: getrandom writes at most `bytes.len()` bytes into the buffer.
    let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if n != bytes.len() as isize {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes.copy_from_slice(&(t as u64 ^ std::process::id() as u64).to_le_bytes()[..6]);
    }
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

fn kind(st: &FileStat) -> SFlag {
    SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT
}

fn lstat_at(dir: &impl AsFd, name: &OsStr) -> Result<FileStat, Errno> {
    fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW)
}

/// Open `name` in `dir` without following a link anywhere (`O_PATH`).
fn open_beneath(dir: &impl AsFd, name: &OsStr, flags: OFlag) -> Result<OwnedFd, Errno> {
    let how = OpenHow::new()
        .flags(flags | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW)
        .resolve(
            ResolveFlag::RESOLVE_BENEATH
                | ResolveFlag::RESOLVE_NO_SYMLINKS
                | ResolveFlag::RESOLVE_NO_MAGICLINKS
                | ResolveFlag::RESOLVE_NO_XDEV,
        );
    openat2(dir, name, how)
}

/// The canonical path of an open descriptor, from the kernel.
pub fn fd_path(fd: &impl AsRawFd) -> Result<PathBuf, Errno> {
    std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))
}

/// Why a slot directory could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("{}: {errno}", crate::text::shown(.path))]
    Os { path: PathBuf, errno: Errno },
    #[error("{}: a FIFO, socket or device cannot be a slot", crate::text::shown(.0))]
    Special(PathBuf),
}

impl SlotDir {
    /// Make the staging directory beside the host directory `parent` (already opened
    /// by the caller) for the slots `names`, record it, and link or list each
    /// slot's current object. Returns the directory and what the jail's builder must
    /// bind at launch.
    pub fn stage(
        index: usize,
        virt: &Path,
        parent: OwnedFd,
        names: &[OsString],
    ) -> Result<(SlotDir, Vec<StaticMount>), StageError> {
        let parent_path = fd_path(&parent).map_err(|errno| StageError::Os {
            path: virt.to_path_buf(),
            errno,
        })?;
        let os = |errno| StageError::Os {
            path: parent_path.clone(),
            errno,
        };
        let (aside, aside_path) = aside_for(&parent, &parent_path).map_err(os)?;
        let mut staging_name = OsString::new();
        for _ in 0..16 {
            let name = OsString::from(format!("{STAGING_PREFIX}{}", random_suffix()));
            match mkdirat(&aside, name.as_os_str(), Mode::from_bits_truncate(0o700)) {
                Ok(()) => {
                    staging_name = name;
                    break;
                }
                Err(Errno::EEXIST) => continue,
                Err(errno) => return Err(os(errno)),
            }
        }
        if staging_name.is_empty() {
            return Err(os(Errno::EEXIST));
        }
        let staging =
            open_beneath(&aside, &staging_name, OFlag::O_PATH | OFlag::O_DIRECTORY).map_err(os)?;
        let st = fstat(&staging).map_err(os)?;
        let record = registry::Record::create(registry::Header {
            pid: std::process::id(),
            parent: parent_path.clone(),
            aside: match aside_path == parent_path {
                true => PathBuf::new(),
                false => aside_path.clone(),
            },
            staging: staging_name.clone(),
            dev: st.st_dev,
            ino: st.st_ino,
            slots: names.to_vec(),
        });
        let hold = registry::hold_name(&staging_name);
        let mut dir = SlotDir {
            index,
            virt: virt.to_path_buf(),
            parent,
            parent_path,
            aside,
            aside_path,
            staging,
            staging_name,
            id: (st.st_dev, st.st_ino),
            slots: BTreeMap::new(),
            fixed: BTreeSet::new(),
            hold,
            record,
            links: BTreeMap::new(),
            typed: BTreeMap::new(),
            core: None,
        };
        let mut mounts = Vec::new();
        for name in names {
            match dir.initial_view(name) {
                Ok(Some(m)) => mounts.push(m),
                Ok(None) => {}
                Err(e) => {
                    dir.finish();
                    return Err(e);
                }
            }
        }
        Ok((dir, mounts))
    }

    /// Link the slot's current object into S, or say it must be bound at launch.
    fn initial_view(&mut self, name: &OsString) -> Result<Option<StaticMount>, StageError> {
        let path = self.parent_path.join(name);
        let os = |errno| StageError::Os {
            path: path.clone(),
            errno,
        };
        let st = match lstat_at(&self.parent, name) {
            Err(Errno::ENOENT) => {
                // What the command makes here is its own (`.` will not run it).
                crate::planted::record_slot_file(&self.parent, name, &path);
                self.slots.insert(name.clone(), View::Absent);
                return Ok(None);
            }
            Err(errno) => return Err(os(errno)),
            Ok(st) => st,
        };
        let k = kind(&st);
        // A file the command was given is bound, not linked: a second link would show
        // in its link count, and compressors refuse such a file (`gzip => f`: "f has 1
        // other link -- file ignored"). What the command makes at the slot later is
        // linked (`sync`): a file of its own.
        if k == SFlag::S_IFLNK {
            if let Some(id) = link_id(&self.parent, name) {
                self.links.insert(name.clone(), id);
            }
            if self.link(name).is_ok() {
                // The command may put a file of its own in the link's place (a
                // rename onto it): what is there then is its (security review: a
                // dotfiles link replaced so was sourced, and run, as the user's).
                crate::planted::record_slot_file(&self.parent, name, &path);
                self.slots.insert(name.clone(), View::Linked);
                return Ok(None);
            }
        } else if k != SFlag::S_IFDIR && k != SFlag::S_IFREG && k != SFlag::S_IFIFO {
            // (A FIFO is bound as a file is: the user's, `mkfifo "$d/p"` in a
            // directory of `mktemp -d`, whose names a command may write; trial 16.)
            return Err(StageError::Special(path));
        } else if k == SFlag::S_IFREG
            && core_file_name().as_deref() == Some(name.as_os_str())
            && self.link(name).is_ok()
        {
            // A core dump replaces the file at its name (a bound one cannot be
            // removed: a second crash would leave the first one's core).
            crate::planted::record_slot_file(&self.parent, name, &path);
            self.core = Some((name.clone(), (st.st_dev, st.st_ino)));
            self.slots.insert(name.clone(), View::Linked);
            return Ok(None);
        }
        let is_dir = k == SFlag::S_IFDIR;
        let witness = open_beneath(&self.parent, name, OFlag::O_PATH).map_err(os)?;
        let w = fstat(&witness).map_err(os)?;
        if (w.st_dev, w.st_ino) != (st.st_dev, st.st_ino) {
            return Err(os(Errno::EAGAIN));
        }
        if is_dir {
            crate::planted::record_dir(&witness, &path);
        } else {
            // A file the command may rewrite: its text is the command's from now on.
            crate::planted::record_slot_file(&self.parent, name, &path);
        }
        self.slots.insert(
            name.clone(),
            View::Mounted {
                is_dir,
                id: (st.st_dev, st.st_ino),
            },
        );
        Ok(Some(StaticMount {
            name: name.clone(),
            host: path,
            witness,
            is_dir,
        }))
    }

    /// Hard-link P/name into S/name, replacing whatever view S/name held (atomically).
    fn link(&self, name: &OsStr) -> Result<(), Errno> {
        for _ in 0..16 {
            let tmp = OsString::from(format!(".pola-link.{}", random_suffix()));
            match linkat(
                self.parent.as_fd(),
                name,
                self.staging.as_fd(),
                tmp.as_os_str(),
                AtFlags::empty(),
            ) {
                Ok(()) => {
                    let mut renamed = nix::fcntl::renameat(
                        self.staging.as_fd(),
                        tmp.as_os_str(),
                        self.staging.as_fd(),
                        name,
                    );
                    if matches!(
                        renamed,
                        Err(Errno::EISDIR | Errno::ENOTEMPTY | Errno::EEXIST)
                    ) {
                        // The jail put a directory at the slot's name behind the
                        // server's back (a call it could not see): the name is ours.
                        self.evict(name);
                        renamed = nix::fcntl::renameat(
                            self.staging.as_fd(),
                            tmp.as_os_str(),
                            self.staging.as_fd(),
                            name,
                        );
                    }
                    // A rename between two links of one file does nothing and leaves
                    // both: the temporary name goes in any case.
                    let _ = unlinkat(&self.staging, tmp.as_os_str(), UnlinkatFlags::NoRemoveDir);
                    return renamed;
                }
                Err(Errno::EEXIST) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Errno::EEXIST)
    }

    /// Remove whatever the jail made at a slot's name in S by a call the server did
    /// not see (its view is the server's to place). Never follows a link or crosses a
    /// mount; a view the jail's supervisor mounted is not touched (EBUSY here).
    fn evict(&self, name: &OsStr) {
        if unlinkat(&self.staging, name, UnlinkatFlags::NoRemoveDir).is_err() {
            remove_tree(&self.staging, name);
        }
    }

    /// Make S/name, a name of the server's, a placeholder (a directory or an empty
    /// file) to mount a view on: EEXIST if the name is taken.
    fn placeholder(&self, name: &OsStr, is_dir: bool) -> Result<(), Errno> {
        if is_dir {
            mkdirat(&self.staging, name, Mode::from_bits_truncate(0o700))
        } else {
            nix::fcntl::openat(
                &self.staging,
                name,
                OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_CLOEXEC,
                Mode::from_bits_truncate(0o600),
            )
            .map(drop)
        }
    }

    /// Remove the view of a slot from S (the jail's supervisor unmounts first).
    fn clear(&mut self, name: &OsStr, sup: &Supervisor) -> Result<(), Errno> {
        let view = self.slots.get(name).copied().unwrap_or(View::Absent);
        match view {
            View::Absent => {}
            View::Linked => match unlinkat(&self.staging, name, UnlinkatFlags::NoRemoveDir) {
                Ok(()) | Err(Errno::ENOENT) => {}
                Err(e) => return Err(e),
            },
            View::Mounted { is_dir, .. } => {
                sup.ask(&Request::Unmount {
                    dir: self.index,
                    name: PathBuf::from(name),
                })?;
                let flag = if is_dir {
                    UnlinkatFlags::RemoveDir
                } else {
                    UnlinkatFlags::NoRemoveDir
                };
                match unlinkat(&self.staging, name, flag) {
                    Ok(()) | Err(Errno::ENOENT) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        self.slots.insert(name.to_os_string(), View::Absent);
        Ok(())
    }

    /// Make the jail's view of slot `name` show what P/name is now on the host.
    pub fn sync(&mut self, name: &OsStr, sup: &Supervisor) -> Result<(), Errno> {
        match self.sync_once(name, sup) {
            // The jail took the staging directory's permissions away (it is the same
            // user's): the server gives them back, once.
            Err(Errno::EACCES) if owner_access(&self.staging).is_ok() => self.sync_once(name, sup),
            other => other,
        }
    }

    fn sync_once(&mut self, name: &OsStr, sup: &Supervisor) -> Result<(), Errno> {
        let view = self.slots.get(name).copied().unwrap_or(View::Absent);
        let st = match lstat_at(&self.parent, name) {
            Err(Errno::ENOENT) => return self.clear(name, sup),
            Err(e) => return Err(e),
            Ok(st) => st,
        };
        let k = kind(&st);
        let is_dir = k == SFlag::S_IFDIR;
        let id = (st.st_dev, st.st_ino);
        if k == SFlag::S_IFIFO && view == (View::Mounted { is_dir, id }) {
            // The FIFO bound at the start, there still.
            return Ok(());
        }
        if k == SFlag::S_IFREG || k == SFlag::S_IFLNK {
            if let View::Mounted { .. } = view {
                self.clear(name, sup)?;
            }
            let shown = lstat_at(&self.staging, name);
            if view == View::Linked
                && shown.is_ok_and(|v| (v.st_dev, v.st_ino) == (st.st_dev, st.st_ino))
            {
                return Ok(());
            }
            if k == SFlag::S_IFLNK {
                // A symlink at a slot is the jail's doing (or the user's meanwhile):
                // never followed with the user's authority from now on. (The broker
                // records it before it makes one; this catches any other way.)
                self.remember(name, k);
            }
            if self.link(name).is_ok() {
                self.slots.insert(name.to_os_string(), View::Linked);
                return Ok(());
            }
        } else if !is_dir {
            // A FIFO or device made on the host meanwhile: not shown.
            return self.clear(name, sup);
        }
        if view == (View::Mounted { is_dir, id }) {
            return Ok(());
        }
        if view != View::Absent {
            self.clear(name, sup)?;
        }
        if is_dir {
            self.remember(name, k);
        }
        // A placeholder under a name of the server's, the object mounted on it, then
        // renamed to the slot's name: the jail finds nothing at the name, or the view,
        // never the bare placeholder. (A call of another thread of the jail, gone on
        // while the view was being made, created `node_modules/is-odd` in it: hidden
        // by the mount, discarded at the end as "1 directory left beside its slots";
        // trial 7.) A mount follows its mount point renamed in another namespace (the
        // server's, where it is none).
        let placeholder_flag = if is_dir {
            UnlinkatFlags::RemoveDir
        } else {
            UnlinkatFlags::NoRemoveDir
        };
        for _ in 0..16 {
            let tmp = OsString::from(format!(".pola-view.{}", random_suffix()));
            match self.placeholder(&tmp, is_dir) {
                // A name the jail made: another.
                Err(Errno::EEXIST) => continue,
                Err(e) => return Err(e),
                Ok(()) => {}
            }
            let request = Request::Mount {
                dir: self.index,
                name: PathBuf::from(&tmp),
                host: self.parent_path.join(name),
                dev: st.st_dev,
                ino: st.st_ino,
                is_dir,
            };
            if let Err(e) = sup.ask(&request) {
                let _ = unlinkat(&self.staging, tmp.as_os_str(), placeholder_flag);
                return Err(e);
            }
            // Whatever the jail made at the name by a call the server did not see.
            self.evict(name);
            let placed = nix::fcntl::renameat2(
                &self.staging,
                tmp.as_os_str(),
                &self.staging,
                name,
                nix::fcntl::RenameFlags::RENAME_NOREPLACE,
            );
            if let Err(e) = placed {
                let _ = sup.ask(&Request::Unmount {
                    dir: self.index,
                    name: PathBuf::from(&tmp),
                });
                let _ = unlinkat(&self.staging, tmp.as_os_str(), placeholder_flag);
                return Err(e);
            }
            self.slots
                .insert(name.to_os_string(), View::Mounted { is_dir, id });
            return Ok(());
        }
        Err(Errno::EEXIST)
    }

    /// Remember, before the jail can use it, that the object of kind `k` now at slot
    /// `name` in P is the jail's: a directory (its whole tree) or a link at that name.
    pub fn remember(&self, name: &OsStr, k: SFlag) {
        remember(&self.parent, &self.parent_path, name, k);
    }

    /// Remember that the directory now at slot `name` is one the jail made itself.
    pub fn remember_made(&self, name: &OsStr) {
        if let Ok(fd) = open_beneath(&self.parent, name, OFlag::O_PATH | OFlag::O_DIRECTORY) {
            crate::planted::record_made_dir(&fd, &self.parent_path.join(name));
        }
    }

    /// After the jail: put back a slot object the command moved into its scratch and
    /// left there with its slot empty (`mv => f g` with `g` not granted: the file is not
    /// lost), remember the links and directories it left at its slots, then empty and
    /// remove S and drop the record (kept, for the next start, if S could not go).
    pub fn finish(self) -> Finished {
        self.finish_keeping(&mut |_| false)
    }

    /// [`SlotDir::finish`], asking `keep` (with its path here) of each of a few
    /// regular files the command left beside its slots at a name free here (an
    /// editor's `:w other.txt`, whose text was discarded at the end; trial 8): what
    /// it says yes to is moved here as it is, never over anything.
    pub fn finish_keeping(self, keep: &mut dyn FnMut(&Path) -> bool) -> Finished {
        let mut done = Finished::default();
        let removed = |put_back| {
            registry::finish_removed(&self.record.displaced, &self.aside, &self.parent, put_back)
        };
        let staging = match open_dir(&self.aside, &self.staging_name) {
            Ok(fd) => fd,
            Err(Errno::ENOENT) => {
                done.put_back = removed(true);
                self.record.remove();
                return done;
            }
            Err(_) => {
                done.left = Some(self.aside_path.join(&self.staging_name));
                return done;
            }
        };
        // A link at a slot is a jail's unless it is the very link that was there before
        // (`vim => ~/.vimrc`, a link into the user's dotfiles, left as it was: it is
        // not distrusted from then on).
        let names: Vec<OsString> = self
            .slots
            .keys()
            .filter(|n| {
                self.links
                    .get(*n)
                    .is_none_or(|before| link_id(&self.parent, n) != Some(*before))
            })
            .cloned()
            .collect();
        sweep(&self.parent, &self.parent_path, &names);
        for (name, text) in &self.typed {
            let Some(link) = link_at(&self.parent, name) else {
                continue;
            };
            if readlinkat(&link, "").is_ok_and(|t| t.as_bytes() == text.as_slice()) {
                crate::planted::record_kept(
                    &self.parent,
                    name,
                    link.as_fd(),
                    &self.parent_path.join(name),
                );
            }
        }
        registry::restore_held(
            &self.record.displaced,
            &self.aside,
            &self.parent,
            &self.hold,
        );
        remove_tree(&self.aside, &self.hold);
        let same = fstat(&staging).is_ok_and(|st| (st.st_dev, st.st_ino) == self.id);
        if !same {
            done.put_back = removed(true);
            self.record.remove();
            return done;
        }
        done.restored = registry::restore(&self.record.displaced, &self.parent, &staging);
        // A file at a slot the server shows nothing at was made by no call it saw:
        // the kernel's core dump (`ulimit -c`, `kernel.core_pattern` `core`), written
        // from the jail's working directory, which is S (trial 14: `./crash + =>
        // core` left none). The slot grants that name: the file goes to P, as the
        // broker would have put it, never over what is there now.
        // (Not said: it is where the line asked for it.)
        for (name, view) in &self.slots {
            if let (View::Absent, Some(file)) = (view, self.lone_file(&staging, name)) {
                let _ = self.keep_at(&file, name);
            }
        }
        // A core file that was there, which the kernel replaced in S: the new one
        // takes its place in P, if P still holds the one the command began with.
        if let Some((name, before)) = &self.core {
            let now =
                |dir: &OwnedFd| lstat_at(dir, name).map(|st| (st.st_dev, st.st_ino, kind(&st)));
            let made =
                now(&staging).is_ok_and(|(d, i, k)| (d, i) != *before && k == SFlag::S_IFREG);
            let same = now(&self.parent).is_ok_and(|(d, i, _)| (d, i) == *before);
            if made && same {
                // Exchanged, and back if what left P was not the one checked (put there
                // in between): never over a file not seen.
                let swap = || {
                    nix::fcntl::renameat2(
                        &staging,
                        name.as_os_str(),
                        &self.parent,
                        name.as_os_str(),
                        nix::fcntl::RenameFlags::RENAME_EXCHANGE,
                    )
                };
                if swap().is_ok() && !now(&staging).is_ok_and(|(d, i, _)| (d, i) == *before) {
                    let _ = swap();
                }
            }
        }
        // Slot views and placeholders are ours, not the command's leftovers.
        for name in self.slots.keys().chain(&self.fixed) {
            let _ = unlinkat(&staging, name.as_os_str(), UnlinkatFlags::NoRemoveDir)
                .or_else(|_| unlinkat(&staging, name.as_os_str(), UnlinkatFlags::RemoveDir));
        }
        let mut left = list(&staging);
        left.sort();
        let mut asked = 0;
        left.retain(|name| {
            // The file as it is now, held: what is kept is this file, whatever is at
            // its name once the user has answered (another jail given the directory
            // could put a link there meanwhile: review).
            let Some(file) = self.lone_file(&staging, name) else {
                return true;
            };
            if asked == KEPT_ASKED {
                return true;
            }
            asked += 1;
            if !keep(&self.parent_path.join(name)) {
                return true;
            }
            let linked = self.keep_at(&file, name);
            if linked.is_ok() {
                done.kept.push(name.clone());
            }
            linked.is_err()
        });
        done.directories = left
            .iter()
            .any(|name| lstat_at(&staging, name).is_ok_and(|st| kind(&st) == SFlag::S_IFDIR));
        done.discarded = left.len();
        done.named = scratch_names(left.clone());
        done.all_left = left;
        let removal = remove_staging(&self.aside, &self.staging_name, &staging);
        // A file the command removed while what it made in its place is discarded is
        // put back: the user keeps what they had (`gzip => f`, without `+ => f.gz`).
        done.put_back = removed(done.discarded > 0);
        if removal.gone {
            self.record.remove();
        } else {
            done.left = Some(self.aside_path.join(&self.staging_name));
        }
        done
    }

    /// The regular file of one link at `name` in S (`O_PATH`), if P has nothing at
    /// that name: one that could be kept there.
    fn lone_file(&self, staging: &OwnedFd, name: &OsStr) -> Option<OwnedFd> {
        let file = open_beneath(staging, name, OFlag::O_PATH).ok()?;
        let regular = fstat(&file).is_ok_and(|st| kind(&st) == SFlag::S_IFREG && st.st_nlink == 1);
        let free = lstat_at(&self.parent, name) == Err(Errno::ENOENT);
        (regular && free).then_some(file)
    }

    /// Give `file` (held, in S) the name `name` in P, never over what is there now;
    /// its name in S goes with S.
    fn keep_at(&self, file: &OwnedFd, name: &OsStr) -> Result<(), Errno> {
        // Its text is the jail's (SECURITY.md 24–26), known as such before it is there.
        crate::planted::record_slot_file(&self.parent, name, &self.parent_path.join(name));
        let held = format!("/proc/self/fd/{}", file.as_raw_fd());
        // (A copy where a link cannot go from one to the other: never lost.)
        linkat(
            nix::fcntl::AT_FDCWD,
            held.as_str(),
            self.parent.as_fd(),
            name,
            AtFlags::AT_SYMLINK_FOLLOW,
        )
        .or_else(|e| match e {
            Errno::EXDEV => copy_new(&held, &self.parent, name),
            e => Err(e),
        })
    }

    /// The slot and the class of a name in S.
    pub fn place(&self, name: &OsStr) -> Place {
        if self.slots.contains_key(name) {
            Place::Slot
        } else if self.fixed.contains(name) {
            Place::Fixed
        } else {
            Place::Scratch
        }
    }
}

/// The name the kernel gives a core dump in the dumping process's working directory,
/// where `kernel.core_pattern` is one plain name (`core`, Debian's) and
/// `kernel.core_uses_pid` adds no `.PID`; `None` for a pattern with specifiers, a
/// path, or a helper.
pub fn core_file_name() -> Option<OsString> {
    let uses_pid = std::fs::read("/proc/sys/kernel/core_uses_pid").ok()?;
    if uses_pid.trim_ascii() != b"0" {
        return None;
    }
    let pattern = std::fs::read("/proc/sys/kernel/core_pattern").ok()?;
    let name = pattern.strip_suffix(b"\n").unwrap_or(&pattern);
    let plain = crate::limits::core_pattern_names_a_file(name)
        && !name.iter().any(|b| matches!(b, b'/' | b'%' | b' ' | b'\n'))
        && name != b"."
        && name != b"..";
    plain.then(|| OsString::from_vec(name.to_vec()))
}

/// Copy the regular file at `from` to a new file `name` in `dir` (never over one).
fn copy_new(from: &str, dir: &OwnedFd, name: &OsStr) -> Result<(), Errno> {
    let errno = |e: std::io::Error| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO));
    let mut source = std::fs::File::open(from).map_err(errno)?;
    let mode = source.metadata().map_err(errno)?.permissions();
    let made = nix::fcntl::openat(
        dir,
        name,
        OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::from_bits_truncate(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777),
    )?;
    let copied = std::io::copy(&mut source, &mut std::fs::File::from(made));
    if let Err(e) = copied {
        let _ = unlinkat(dir, name, UnlinkatFlags::NoRemoveDir);
        return Err(errno(e));
    }
    Ok(())
}

/// What was tidied after a jail.
#[derive(Debug, Default)]
pub struct Finished {
    /// Files and directories the command left beside its slots (its scratch),
    /// discarded: how many names (a directory with what is in it is one).
    pub discarded: usize,
    /// Whether a directory is among them.
    pub directories: bool,
    /// The first few names it left there (the jail's: to be escaped when shown).
    pub named: Vec<OsString>,
    /// Every name it left there (the command's output may be among them:
    /// `launch::outputs_lost`).
    pub all_left: Vec<OsString>,
    /// Slots put back from the scratch name the command had moved them to.
    pub restored: Vec<(OsString, OsString)>,
    /// Slots whose file the command removed, put back because what it left beside
    /// them was discarded.
    pub put_back: Vec<OsString>,
    /// The staging directory, when it could not be removed (the next start tries
    /// again).
    pub left: Option<PathBuf>,
    /// Files it left beside its slots that the user chose to keep
    /// ([`SlotDir::finish_keeping`]), now in the directory.
    pub kept: Vec<OsString>,
}

/// How many of the files a command left beside its slots are asked about at most.
const KEPT_ASKED: usize = 3;

/// How many of the names a command left beside its slots are named.
pub const SCRATCH_NAMED: usize = 3;

/// The first names (sorted) of `names`, those left in a staging directory.
fn scratch_names(mut names: Vec<OsString>) -> Vec<OsString> {
    names.sort();
    names.truncate(SCRATCH_NAMED + 1);
    names
}

/// What a name in a staging directory is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Slot,
    /// The mount point of another grant.
    Fixed,
    /// The command's own scratch.
    Scratch,
}

/// Remember that the object of kind `k` at `name` in `parent` is a jail's (see
/// [`crate::planted`]): a directory by identity, a link by its slot's name.
fn remember(parent: &OwnedFd, parent_path: &Path, name: &OsStr, k: SFlag) {
    let path = parent_path.join(name);
    if k == SFlag::S_IFLNK {
        crate::planted::record_slot(parent, name, &path);
    } else if k == SFlag::S_IFDIR {
        if let Ok(fd) = open_beneath(parent, name, OFlag::O_PATH | OFlag::O_DIRECTORY) {
            crate::planted::record_dir(&fd, &path);
        }
    }
}

/// `ln -s TARGET => LINK` (the system's `ln`, `-s` and no option that makes the text
/// itself, exactly two operands): the link the user asks for, its text typed on the
/// command line. Noted in the slot directory holding `LINK` (`SlotDir::typed`), so
/// that the link is followed later where the user names it (without this, a link made
/// through pola-sh could never be used: `ln -s data/v1 => current; cat current/f`).
/// `argv` and `cwd` are the jail's (its working directory is the host's path).
pub fn expect_links(dirs: &mut [SlotDir], exec: &Path, argv: &[OsString], cwd: &Path) {
    if !matches!(exec.to_str(), Some("/usr/bin/ln" | "/bin/ln")) {
        return;
    }
    let mut symbolic = false;
    let (options, operands) = crate::hints::options_and_operands(argv.get(1..).unwrap_or_default());
    for b in options {
        if b == b"--symbolic" {
            symbolic = true;
        } else if b.starts_with(b"--") {
            // `--relative`, `--target-directory`, `--suffix`…: not followed here.
            if !matches!(
                b,
                b"--force" | b"--no-dereference" | b"--verbose" | b"--no-target-directory"
            ) {
                return;
            }
        } else {
            for c in &b[1..] {
                match c {
                    b's' => symbolic = true,
                    b'f' | b'n' | b'v' | b'T' => {}
                    // `-r` makes the text itself; `-t`, `-S`, `-b`…: not followed.
                    _ => return,
                }
            }
        }
    }
    let [target, link] = operands.as_slice() else {
        return;
    };
    if !symbolic || link.as_bytes().ends_with(b"/") {
        return;
    }
    let Ok(path) = crate::namespace::normalize(&cwd.join(link)) else {
        return;
    };
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    if let Some(d) = dirs
        .iter_mut()
        .find(|d| d.virt == dir && d.slots.contains_key(name))
    {
        d.typed
            .insert(name.to_os_string(), target.as_bytes().to_vec());
    }
}

/// The identity of the link `name` in `parent`, if it is one and its file system tells
/// when it was made: without a birth time a link a jail made in its place could have
/// the same device and inode.
fn link_id(parent: &OwnedFd, name: &OsStr) -> Option<crate::planted::Id> {
    crate::planted::Id::of(link_at(parent, name)?.as_fd()).filter(crate::planted::Id::born)
}

/// The link `name` in `parent` (`O_PATH`), if that is a link.
fn link_at(parent: &OwnedFd, name: &OsStr) -> Option<OwnedFd> {
    let fd = open_beneath(parent, name, OFlag::O_PATH).ok()?;
    fstat(&fd)
        .is_ok_and(|st| kind(&st) == SFlag::S_IFLNK)
        .then_some(fd)
}

/// Remember the links and directories at the slots `names` of `parent` as a jail's,
/// however they got there.
pub fn sweep(parent: &OwnedFd, parent_path: &Path, names: &[OsString]) {
    for name in names {
        if let Ok(st) = lstat_at(parent, name) {
            remember(parent, parent_path, name, kind(&st));
        }
    }
}

/// Whether a file is a FIFO, socket or device: never put at a slot.
pub fn is_special(st: &FileStat) -> bool {
    let k = kind(st);
    !(k == SFlag::S_IFREG || k == SFlag::S_IFDIR || k == SFlag::S_IFLNK)
}

/// What removing a staging directory did.
pub struct Removal {
    /// Files (not directories) removed.
    pub removed: usize,
    /// Whether the directory itself is gone.
    pub gone: bool,
}

/// Remove everything in the staging directory `staging` (open, `O_RDONLY`), then the
/// directory `name` itself from `parent`. Never follows a link or crosses a mount.
pub fn remove_staging(parent: &impl AsFd, name: &OsStr, staging: &OwnedFd) -> Removal {
    let removed = remove_contents(staging);
    let gone = match unlinkat(parent, name, UnlinkatFlags::RemoveDir) {
        Ok(()) | Err(Errno::ENOENT) => true,
        Err(e) => {
            tracing::debug!("cannot remove the staging directory: {e}");
            false
        }
    };
    Removal { removed, gone }
}

/// Remove `name` in `parent`, whatever it is, with everything below it; returns how
/// many files were removed. Nothing here follows a link or crosses a mount.
pub fn remove_tree(parent: &impl AsFd, name: &OsStr) -> usize {
    let Ok(st) = lstat_at(parent, name) else {
        return 0;
    };
    if kind(&st) != SFlag::S_IFDIR {
        return usize::from(unlinkat(parent, name, UnlinkatFlags::NoRemoveDir).is_ok());
    }
    let removed = match open_dir(parent, name) {
        Ok(dir) => remove_contents(&dir),
        Err(_) => 0,
    };
    let _ = unlinkat(parent, name, UnlinkatFlags::RemoveDir);
    removed
}

/// Open the directory `name` in `parent` for reading, making it readable and
/// searchable first if the jail took that away (it is the same user's).
fn open_dir(parent: &impl AsFd, name: &OsStr) -> Result<OwnedFd, Errno> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NONBLOCK;
    match open_beneath(parent, name, flags) {
        Err(Errno::EACCES) => {
            let path = open_beneath(parent, name, OFlag::O_PATH | OFlag::O_DIRECTORY)?;
            owner_access(&path)?;
            open_beneath(parent, name, flags)
        }
        other => other,
    }
}

/// Give a directory (an `O_PATH` or open descriptor) back to its owner: `rwx`.
fn owner_access(dir: &OwnedFd) -> Result<(), Errno> {
    let via = format!("/proc/self/fd/{}", dir.as_raw_fd());
    nix::sys::stat::fchmodat(
        nix::fcntl::AT_FDCWD,
        via.as_str(),
        Mode::from_bits_truncate(0o700),
        nix::sys::stat::FchmodatFlags::FollowSymlink,
    )
}

/// Empty the directory `top` (open for reading), however deep: iteratively, going
/// down into each subdirectory and back up by `..` (no jail runs any more, so the tree
/// holds still), with the names on the way kept in memory, not descriptors.
fn remove_contents(top: &OwnedFd) -> usize {
    let Ok(top_id) = fstat(top).map(|st| (st.st_dev, st.st_ino)) else {
        return 0;
    };
    let mut removed = 0;
    let Ok(mut cur) = top.try_clone() else {
        return 0;
    };
    // The names that lead from `top` to `cur`, with the identity of each directory.
    let mut path: Vec<(OsString, (u64, u64))> = Vec::new();
    // Directories that could not be emptied: not tried again.
    let mut stuck: HashSet<(u64, u64)> = HashSet::new();
    // Whether `cur`'s permissions were already given back.
    let mut fixed_access = false;
    loop {
        let mut next = None;
        let mut retry = false;
        for name in list(&cur) {
            let Ok(st) = lstat_at(&cur, &name) else {
                continue;
            };
            let id = (st.st_dev, st.st_ino);
            if kind(&st) == SFlag::S_IFDIR {
                // A mount point (never in a staging directory) is left alone.
                if st.st_dev != top_id.0 || stuck.contains(&id) {
                    continue;
                }
                match open_dir(&cur, &name) {
                    Ok(sub) => {
                        next = Some((name, id, sub));
                        break;
                    }
                    Err(_) => {
                        if unlinkat(&cur, name.as_os_str(), UnlinkatFlags::RemoveDir).is_err() {
                            stuck.insert(id);
                        }
                    }
                }
            } else {
                match unlinkat(&cur, name.as_os_str(), UnlinkatFlags::NoRemoveDir) {
                    Ok(()) => removed += 1,
                    Err(Errno::EACCES) if !fixed_access => {
                        // The directory lost its write permission: give it back, once.
                        fixed_access = true;
                        retry = owner_access(&cur).is_ok();
                        break;
                    }
                    Err(_) => {}
                }
            }
        }
        if retry {
            continue;
        }
        if let Some((name, id, sub)) = next {
            path.push((name, id));
            cur = sub;
            fixed_access = false;
            continue;
        }
        // `cur` is as empty as it gets: go up and remove it.
        let Some((name, id)) = path.pop() else {
            return removed;
        };
        let Ok(up) = nix::fcntl::openat(
            &cur,
            "..",
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
            Mode::empty(),
        ) else {
            return removed;
        };
        let expected = path.last().map_or(top_id, |(_, id)| *id);
        if fstat(&up).map(|st| (st.st_dev, st.st_ino)).ok() != Some(expected) {
            return removed;
        }
        let still = lstat_at(&up, &name).is_ok_and(|st| (st.st_dev, st.st_ino) == id);
        if !still || unlinkat(&up, name.as_os_str(), UnlinkatFlags::RemoveDir).is_err() {
            stuck.insert(id);
        }
        cur = up;
        fixed_access = false;
    }
}

/// The names in a directory (open for reading), without `.` and `..`.
fn list(dir: &OwnedFd) -> Vec<OsString> {
    let Ok(fd) = nix::fcntl::openat(
        dir,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    ) else {
        return Vec::new();
    };
    let Ok(mut list) = nix::dir::Dir::from_fd(fd) else {
        return Vec::new();
    };
    list.iter()
        .flatten()
        .map(|e| OsString::from_vec(e.file_name().to_bytes().to_vec()))
        .filter(|n| n.as_bytes() != b"." && n.as_bytes() != b"..")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn open_dir(p: &Path) -> OwnedFd {
        nix::fcntl::open(
            p,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .unwrap()
    }

    /// A record of what jails wrote (and of staging directories) of the test's own,
    /// not the user's: staging records slots and directories there.
    fn own_state() -> tempfile::TempDir {
        let state = tempfile::tempdir().unwrap();
        std::env::set_var("XDG_STATE_HOME", state.path());
        state
    }

    #[test]
    fn staging_links_files_lists_directories_and_cleans_up() {
        let _state = own_state();
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("f"), "file").unwrap();
        fs::create_dir(d.path().join("dir")).unwrap();
        std::os::unix::fs::symlink("f", d.path().join("link")).unwrap();
        fs::write(d.path().join("sibling"), "s").unwrap();
        let names: Vec<OsString> = ["f", "dir", "link", "new"].map(OsString::from).to_vec();
        let (dir, mounts) = SlotDir::stage(0, Path::new("/v"), open_dir(d.path()), &names).unwrap();
        // In pola-sh's own directory for them, on the same mount: nothing in P.
        let aside = fs::canonicalize(_state.path().join("pola-sh/aside")).unwrap();
        assert_eq!(dir.aside_path, aside);
        let staging = aside.join(&dir.staging_name);
        assert!(dir
            .staging_name
            .to_string_lossy()
            .starts_with(STAGING_PREFIX));
        let mut here: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        here.sort();
        assert_eq!(here, ["dir", "f", "link", "sibling"]);
        // The symlink is the same link in S; the file and the directory are bound at
        // launch (a file linked would show a second link: gzip refuses it).
        assert_eq!(fs::read_link(staging.join("link")).unwrap(), Path::new("f"));
        assert!(!staging.join("sibling").exists() && !staging.join("f").exists());
        let mut bound: Vec<(&OsStr, bool)> = mounts
            .iter()
            .map(|m| (m.name.as_os_str(), m.is_dir))
            .collect();
        bound.sort();
        assert_eq!(bound, [(OsStr::new("dir"), true), (OsStr::new("f"), false)]);
        assert_eq!(dir.slots[OsStr::new("new")], View::Absent);
        assert_eq!(dir.place(OsStr::new("f")), Place::Slot);
        assert_eq!(dir.place(OsStr::new("sedXYZ")), Place::Scratch);
        // Scratch left behind is counted and removed with S; the slots stay.
        fs::create_dir(staging.join("tmpdir")).unwrap();
        fs::write(staging.join("tmpdir/a"), "").unwrap();
        fs::write(staging.join("sedXYZ"), "").unwrap();
        let done = dir.finish();
        assert_eq!(done.discarded, 2);
        assert_eq!(done.named, ["sedXYZ", "tmpdir"]);
        assert!(!staging.exists());
        assert_eq!(fs::read_to_string(d.path().join("f")).unwrap(), "file");
        assert!(d.path().join("dir").is_dir() && d.path().join("link").is_symlink());
    }

    #[test]
    fn staging_is_beside_the_slots_on_another_mount() {
        // A state directory on another mount than the slots' (a tmpfs): renames
        // between the two would fail, so the staging directory is in P.
        let Ok(state) = tempfile::tempdir_in("/dev/shm") else {
            return;
        };
        std::env::set_var("XDG_STATE_HOME", state.path());
        let d = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
        let (p, s) = (open_dir(d.path()), open_dir(state.path()));
        if mount_id(&p) == mount_id(&s) {
            return;
        }
        fs::write(d.path().join("f"), "file").unwrap();
        let names = vec![OsString::from("f"), OsString::from("new")];
        let (dir, _) = SlotDir::stage(0, Path::new("/v"), p, &names).unwrap();
        assert_eq!(dir.aside_path, fs::canonicalize(d.path()).unwrap());
        assert!(d.path().join(&dir.staging_name).is_dir());
        let done = dir.finish();
        assert_eq!(done.discarded, 0);
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn special_files_cannot_be_slots() {
        let _state = own_state();
        let d = tempfile::tempdir().unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(d.path().join("sock")).unwrap();
        let names = vec![OsString::from("sock")];
        let err = SlotDir::stage(0, Path::new("/v"), open_dir(d.path()), &names).unwrap_err();
        assert!(matches!(err, StageError::Special(_)));
        // Nothing is left behind.
        let left: Vec<_> = fs::read_dir(d.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1);
        // A FIFO (the user's `mkfifo`) is bound as a file is.
        nix::unistd::mkfifo(&d.path().join("fifo"), Mode::from_bits_truncate(0o600)).unwrap();
        let names = vec![OsString::from("fifo")];
        let (dir, mounts) = SlotDir::stage(0, Path::new("/v"), open_dir(d.path()), &names).unwrap();
        assert_eq!(mounts.len(), 1);
        assert!(!mounts[0].is_dir);
        dir.finish();
    }
}
