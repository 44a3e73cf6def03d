//! The server's side of slots: the name-changing calls of a jail, which reach the
//! server as seccomp user notifications, performed on the host when they name a slot.
//!
//! For each call the broker reads the path (once, from the caller's memory, then checks
//! the notification is still live), splits off the last name, and resolves the rest in
//! the jail's own root (`RESOLVE_IN_ROOT`, no magic links). Only when that directory is
//! one of the jail's staging directories and the name is one of its slots does the
//! server act — on the host, through its own descriptors of the slot directory and the
//! staging directory, with that one name, never following a link (`*at` calls on a
//! name, which do not follow a last-component link; `O_NOFOLLOW`). Everything else
//! continues in the jail as the command made it: the jail's mount namespace decides,
//! as for any call. A thread of the jail that changes the path after it was read can
//! only make the call land elsewhere in its own namespace.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use nix::errno::Errno;
use nix::fcntl::AtFlags;
use nix::fcntl::{readlinkat, renameat2, OFlag, OpenHow, RenameFlags, ResolveFlag};
use nix::sys::stat::{fstat, mkdirat, Mode, SFlag};
use nix::unistd::{unlinkat, UnlinkatFlags};

use super::protocol::Supervisor;
use super::registry::Displaced;
use super::{is_special, kind, lstat_at, remove_tree, Place, SlotDir, View};
use crate::unotify::Notification;

/// What the broker answers a notification with.
#[derive(Debug)]
pub enum Answer {
    /// The kernel carries the call out in the jail.
    Continue,
    /// The call returns 0 (the server did it).
    Done,
    /// The call fails with this error.
    Fail(Errno),
    /// The call returns this descriptor, put into the caller.
    Fd { fd: OwnedFd, cloexec: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `open`/`openat`/`creat`: path, flags, mode. (`openat2`, whose flags and mode
    /// are in memory that another thread could change after the server read them, is
    /// refused to every jail: see `seccomp`.)
    Open,
    Mkdir,
    Mknod,
    Unlink,
    Rmdir,
    Rename,
    Link,
    Symlink,
}

/// A delegated call: its number and where its arguments are.
struct Call {
    nr: libc::c_long,
    kind: Kind,
    dirfd: Option<usize>,
    path: usize,
    /// Open flags, or unlink/rename/link flags.
    flags: Option<usize>,
    mode: Option<usize>,
    /// The second name (rename, link): its directory descriptor and path.
    dirfd2: Option<usize>,
    path2: Option<usize>,
}

const fn call(nr: libc::c_long, kind: Kind, dirfd: Option<usize>, path: usize) -> Call {
    Call {
        nr,
        kind,
        dirfd,
        path,
        flags: None,
        mode: None,
        dirfd2: None,
        path2: None,
    }
}

const fn with(mut c: Call, flags: Option<usize>, mode: Option<usize>) -> Call {
    c.flags = flags;
    c.mode = mode;
    c
}

const fn second(mut c: Call, dirfd2: Option<usize>, path2: usize) -> Call {
    c.dirfd2 = dirfd2;
    c.path2 = Some(path2);
    c
}

/// The calls that change names in a directory. `open`/`openat` reach the server only
/// with `O_CREAT` (the filter compares the flags).
const CALLS: &[Call] = &[
    with(call(libc::SYS_open, Kind::Open, None, 0), Some(1), Some(2)),
    with(
        call(libc::SYS_openat, Kind::Open, Some(0), 1),
        Some(2),
        Some(3),
    ),
    with(call(libc::SYS_creat, Kind::Open, None, 0), None, Some(1)),
    with(call(libc::SYS_mkdir, Kind::Mkdir, None, 0), None, Some(1)),
    with(
        call(libc::SYS_mkdirat, Kind::Mkdir, Some(0), 1),
        None,
        Some(2),
    ),
    call(libc::SYS_mknod, Kind::Mknod, None, 0),
    call(libc::SYS_mknodat, Kind::Mknod, Some(0), 1),
    call(libc::SYS_unlink, Kind::Unlink, None, 0),
    with(
        call(libc::SYS_unlinkat, Kind::Unlink, Some(0), 1),
        Some(2),
        None,
    ),
    call(libc::SYS_rmdir, Kind::Rmdir, None, 0),
    second(call(libc::SYS_rename, Kind::Rename, None, 0), None, 1),
    second(
        call(libc::SYS_renameat, Kind::Rename, Some(0), 1),
        Some(2),
        3,
    ),
    with(
        second(
            call(libc::SYS_renameat2, Kind::Rename, Some(0), 1),
            Some(2),
            3,
        ),
        Some(4),
        None,
    ),
    second(call(libc::SYS_link, Kind::Link, None, 0), None, 1),
    with(
        second(call(libc::SYS_linkat, Kind::Link, Some(0), 1), Some(2), 3),
        Some(4),
        None,
    ),
    // symlink(target, name): the target is text, the name is the second argument.
    second(call(libc::SYS_symlink, Kind::Symlink, None, 0), None, 1),
    second(
        call(libc::SYS_symlinkat, Kind::Symlink, None, 0),
        Some(1),
        2,
    ),
];

/// The system calls slots need to see, for the seccomp filter: `(nr, open flags
/// argument)` — with a flags argument, only calls with `O_CREAT` set are sent.
pub fn watched() -> impl Iterator<Item = (libc::c_long, Option<usize>)> {
    CALLS.iter().map(|c| match c.kind {
        Kind::Open if c.nr != libc::SYS_creat => (c.nr, c.flags),
        _ => (c.nr, None),
    })
}

/// A name as the jail resolved it.
#[derive(Clone, Debug)]
struct Target {
    /// The staging directory it is in, or `None` elsewhere in the jail.
    dir: Option<usize>,
    name: OsString,
    place: Place,
    /// The path ended in `/`: it must name a directory.
    trailing: bool,
}

/// The slot directories of one jail and the way to its supervisor.
pub struct Broker {
    pub dirs: Vec<SlotDir>,
    sup: Supervisor,
}

/// A path split into what comes before its last name (`"."` for none) and that name.
struct Split<'a> {
    dir: &'a [u8],
    name: &'a [u8],
    /// Trailing slashes were dropped.
    trailing: bool,
}

/// `None` for a path whose last name is `.` or `..` or empty.
fn split(path: &[u8]) -> Option<Split<'_>> {
    let mut end = path.len();
    while end > 1 && path[end - 1] == b'/' {
        end -= 1;
    }
    let trailing = end < path.len();
    let path = &path[..end];
    let (dir, name): (&[u8], &[u8]) = match path.iter().rposition(|b| *b == b'/') {
        Some(0) => (b"/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (b".", path),
    };
    if name.is_empty() || name == b"." || name == b".." {
        return None;
    }
    Some(Split {
        dir,
        name,
        trailing,
    })
}

/// The calling process, by its `/proc/PID` directory, opened before the notification
/// is checked to be live: what is read through it afterwards is that very process's,
/// even if its PID were reused meanwhile (its lookups then fail).
struct Caller {
    proc: OwnedFd,
}

impl Caller {
    fn open(pid: u32) -> Option<Caller> {
        let proc = nix::fcntl::open(
            format!("/proc/{pid}").as_str(),
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .ok()?;
        Some(Caller { proc })
    }

    /// Its root directory: the jail's.
    fn root(&self) -> Result<OwnedFd, Errno> {
        nix::fcntl::openat(
            &self.proc,
            "root",
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
    }

    /// The path, in its root, of its working directory or of its descriptor `dirfd`.
    fn base(&self, dirfd: Option<u64>) -> Result<PathBuf, Errno> {
        let link = match dirfd.map(|d| d as i32) {
            None | Some(libc::AT_FDCWD) => "cwd".to_string(),
            Some(fd) if fd < 0 => return Err(Errno::EBADF),
            Some(fd) => format!("fd/{fd}"),
        };
        let base = PathBuf::from(readlinkat(&self.proc, link.as_str()).map_err(|e| {
            if e == Errno::ENOENT {
                Errno::EBADF
            } else {
                e
            }
        })?);
        if base.is_absolute() && !base.as_os_str().as_bytes().ends_with(b" (deleted)") {
            Ok(base)
        } else {
            // A pipe, a socket, a directory that was removed: not a place for a slot.
            Err(Errno::ENOENT)
        }
    }

    /// Its `Umask:` (from `status`).
    fn umask(&self) -> u32 {
        let Ok(fd) = nix::fcntl::openat(
            &self.proc,
            "status",
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        ) else {
            return 0o022;
        };
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut std::fs::File::from(fd), &mut text);
        text.lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
            .unwrap_or(0o022)
    }
}

/// The permission bits a jail may give a file it makes: never set-user-ID or
/// set-group-ID (the filter refuses those too), and never more than its umask allows.
fn file_mode(mode: u32, umask: u32) -> Mode {
    Mode::from_bits_truncate(mode & 0o1777 & !umask)
}

/// An object held at P's hold name, checked, on its way to a slot.
struct Held {
    kind: SFlag,
}

impl Broker {
    pub fn new(dirs: Vec<SlotDir>, sup: Supervisor) -> Broker {
        // The server creates files with the modes it computes from each caller's own
        // umask, so this thread must not apply the shell's.
        if nix::sched::unshare(nix::sched::CloneFlags::CLONE_FS).is_ok() {
            nix::sys::stat::umask(Mode::empty());
        }
        Broker { dirs, sup }
    }

    fn is_slot_name(&self, name: &[u8]) -> bool {
        self.dirs
            .iter()
            .any(|d| d.slots.contains_key(OsStr::from_bytes(name)))
    }

    /// Where `path` (from argument `dirfd`) lands in the caller's jail.
    fn locate(&self, caller: &Caller, dirfd: Option<u64>, path: &[u8]) -> Result<Target, Errno> {
        let parts = split(path).ok_or(Errno::EINVAL)?;
        let name = OsString::from_vec(parts.name.to_vec());
        let root = caller.root()?;
        let mut full = if parts.dir.first() == Some(&b'/') {
            PathBuf::new()
        } else {
            caller.base(dirfd)?
        };
        full.push(OsStr::from_bytes(parts.dir));
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        let parent = crate::mediate::open_in_root(&root, &full, how)?;
        let st = fstat(&parent)?;
        let found = self
            .dirs
            .iter()
            .position(|d| d.id == (st.st_dev, st.st_ino));
        Ok(match found {
            Some(i) => Target {
                dir: Some(i),
                place: self.dirs[i].place(&name),
                name,
                trailing: parts.trailing,
            },
            None => Target {
                dir: None,
                name,
                place: Place::Scratch,
                trailing: parts.trailing,
            },
        })
    }

    /// Answer one notification, or `None` if it is not a call slots handle.
    ///
    /// A call that names a slot by its last name is answered here, always: when the
    /// server cannot tell where it lands (a magic link such as `/proc/self/cwd`, a
    /// descriptor that is not a directory) it fails with the reason, rather than
    /// letting the kernel make something at a slot's name behind the server's back.
    /// (A thread that changes the path after it was read can still do that; the
    /// server never relies on what is at a slot's name in the staging directory.)
    pub fn handle(
        &mut self,
        listener: std::os::fd::BorrowedFd,
        req: &Notification,
    ) -> Option<Answer> {
        let call = CALLS.iter().find(|c| c.nr == req.nr)?;
        let read = |i: usize| crate::mediate::read_string(req.pid, req.args[i]);
        let path = read(
            call.path2
                .filter(|_| call.kind == Kind::Symlink)
                .unwrap_or(call.path),
        )?;
        let path2 = match (call.kind, call.path2) {
            (Kind::Symlink, _) => None,
            (_, Some(i)) => Some(read(i)?),
            _ => None,
        };
        // Nothing named by a slot: the jail does it itself.
        let named = |p: &[u8]| split(p).is_some_and(|s| self.is_slot_name(s.name));
        let first_named = named(&path);
        let second_named = path2.as_deref().is_some_and(named);
        if !first_named && !second_named {
            return None;
        }
        let target_text = match call.kind {
            Kind::Symlink => Some(read(call.path)?),
            _ => None,
        };
        // What was read came from this very caller, still waiting in the call; its
        // /proc directory, opened first, stays that process's.
        let caller = Caller::open(req.pid)?;
        crate::unotify::id_valid(listener, req.id).ok()?;
        let dirfd = |i: Option<usize>| i.map(|i| req.args[i]);
        let flag_arg = |i: Option<usize>| i.map_or(0, |i| req.args[i]);
        if call.kind == Kind::Link && flag_arg(call.flags) as i32 & libc::AT_EMPTY_PATH != 0 {
            // A new name for an open file: only ever the jail's own business, and
            // never a slot (the file could be anything it holds).
            return Some(if second_named {
                Answer::Fail(Errno::EXDEV)
            } else {
                Answer::Continue
            });
        }
        let path_dirfd = match call.kind {
            Kind::Symlink => dirfd(call.dirfd2),
            _ => dirfd(call.dirfd),
        };
        let first = match self.locate(&caller, path_dirfd, &path) {
            Ok(t) => t,
            Err(e) if first_named => return Some(Answer::Fail(e)),
            // The other name of a rename or link is a slot's: it cannot come from
            // (or go to) somewhere the server cannot see.
            Err(_) => return Some(Answer::Fail(Errno::EXDEV)),
        };
        let answer = match call.kind {
            Kind::Open => {
                let (flags, mode) = match call.nr {
                    libc::SYS_creat => (
                        libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC,
                        req.args[call.mode?] as u32,
                    ),
                    _ => (req.args[call.flags?] as i32, req.args[call.mode?] as u32),
                };
                if flags & libc::O_CREAT == 0 {
                    return None;
                }
                self.create(&caller, &first, flags, mode)
            }
            Kind::Mkdir => self.mkdir(&caller, &first, req.args[call.mode?] as u32),
            Kind::Mknod => match first.place {
                Place::Slot if first.dir.is_some() => Answer::Fail(Errno::EPERM),
                _ => Answer::Continue,
            },
            Kind::Unlink | Kind::Rmdir => {
                let remove_dir = call.kind == Kind::Rmdir
                    || flag_arg(call.flags) as i32 & libc::AT_REMOVEDIR != 0;
                self.unlink(&first, remove_dir)
            }
            Kind::Symlink => self.symlink(&first, target_text.as_deref()?),
            Kind::Rename | Kind::Link => {
                let second = match self.locate(&caller, dirfd(call.dirfd2), path2.as_deref()?) {
                    Ok(t) => t,
                    Err(e) if second_named => return Some(Answer::Fail(e)),
                    Err(_) => return Some(Answer::Fail(Errno::EXDEV)),
                };
                let flags = flag_arg(call.flags);
                if call.kind == Kind::Rename {
                    self.rename(&first, &second, flags as u32)
                } else {
                    self.link(&first, &second, flags as i32)
                }
            }
        };
        Some(answer)
    }

    /// The slot a target names, with its directory.
    fn slot<'a>(&self, t: &'a Target) -> Option<(usize, &'a OsStr)> {
        match (t.dir, t.place) {
            (Some(i), Place::Slot) => Some((i, t.name.as_os_str())),
            _ => None,
        }
    }

    fn sync(&mut self, dir: usize, name: &OsStr) -> Result<(), Errno> {
        self.dirs[dir].sync(name, &self.sup)
    }

    fn view(&self, dir: usize, name: &OsStr) -> View {
        self.dirs[dir]
            .slots
            .get(name)
            .copied()
            .unwrap_or(View::Absent)
    }

    /// `open(O_CREAT)` of a slot that does not exist yet: the server creates and opens
    /// it on the host with the caller's flags and hands the descriptor over (never
    /// reopening anything by name), then shows it. An existing one is the jail's to
    /// open (its view).
    fn create(&mut self, caller: &Caller, t: &Target, flags: i32, mode: u32) -> Answer {
        let Some((i, name)) = self.slot(t) else {
            return Answer::Continue;
        };
        if let Err(e) = self.sync(i, name) {
            return Answer::Fail(e);
        }
        let excl = flags & libc::O_EXCL != 0;
        if self.view(i, name) != View::Absent {
            return if excl {
                Answer::Fail(Errno::EEXIST)
            } else {
                Answer::Continue
            };
        }
        if t.trailing {
            return Answer::Fail(Errno::EISDIR);
        }
        let keep = flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC | libc::O_NOCTTY);
        let made = nix::fcntl::openat(
            &self.dirs[i].parent,
            name,
            OFlag::from_bits_truncate(keep)
                | OFlag::O_CREAT
                | OFlag::O_EXCL
                | OFlag::O_NOFOLLOW
                | OFlag::O_CLOEXEC,
            file_mode(mode, caller.umask()),
        );
        let fd = match made {
            Ok(fd) => fd,
            // Made on the host meanwhile: what the jail gets to open is its view.
            Err(Errno::EEXIST) if !excl => {
                return match self.sync(i, name) {
                    Ok(()) => Answer::Continue,
                    Err(e) => Answer::Fail(e),
                };
            }
            Err(e) => return Answer::Fail(e),
        };
        // The file is the slot's whatever becomes of its view.
        if let Err(e) = self.sync(i, name) {
            tracing::debug!("slot view not updated after creating it: {e}");
        }
        Answer::Fd {
            fd,
            cloexec: flags & libc::O_CLOEXEC != 0,
        }
    }

    fn mkdir(&mut self, caller: &Caller, t: &Target, mode: u32) -> Answer {
        let Some((i, name)) = self.slot(t) else {
            return Answer::Continue;
        };
        if let Err(e) = self.sync(i, name) {
            return Answer::Fail(e);
        }
        if self.view(i, name) != View::Absent {
            return Answer::Fail(Errno::EEXIST);
        }
        if let Err(e) = mkdirat(&self.dirs[i].parent, name, file_mode(mode, caller.umask())) {
            return Answer::Fail(e);
        }
        // A directory a jail made: anything in it is the jail's, from now on.
        self.dirs[i].remember_made(name);
        match self.sync(i, name) {
            Ok(()) => Answer::Done,
            Err(e) => {
                let _ = unlinkat(&self.dirs[i].parent, name, UnlinkatFlags::RemoveDir);
                Answer::Fail(e)
            }
        }
    }

    fn unlink(&mut self, t: &Target, remove_dir: bool) -> Answer {
        let Some((i, name)) = self.slot(t) else {
            return Answer::Continue;
        };
        if t.trailing && !remove_dir {
            let is_dir =
                lstat_at(&self.dirs[i].parent, name).is_ok_and(|st| kind(&st) == SFlag::S_IFDIR);
            return Answer::Fail(if is_dir {
                Errno::EISDIR
            } else {
                Errno::ENOTDIR
            });
        }
        let removed = if remove_dir {
            unlinkat(&self.dirs[i].parent, name, UnlinkatFlags::RemoveDir)
        } else {
            self.remove_file(i, name)
        };
        if let Err(e) = removed {
            let _ = self.sync(i, name);
            return Answer::Fail(e);
        }
        match self.sync(i, name) {
            Ok(()) => Answer::Done,
            Err(e) => Answer::Fail(e),
        }
    }

    /// Remove the file at slot `name` of directory `i` as the command sees it, but
    /// keep it, out of the jail's reach, until the command is over: `gzip => f`
    /// removes `f` once `f.gz` is written — beside the slot, not granted, discarded —
    /// and the user had neither (trial). What the command made in its place decides
    /// at the end whether it is put back (`SlotDir::finish`). Written down first, so
    /// that a crash puts it back too. Only a regular file, and only the first removed
    /// at each slot (the user's, if there was one): a link or a file the command made
    /// and removed again goes at once, so a loop of them keeps nothing.
    fn remove_file(&mut self, i: usize, name: &OsStr) -> Result<(), Errno> {
        let d = &mut self.dirs[i];
        let st = lstat_at(&d.parent, name)?;
        let kept_already = d
            .record
            .displaced
            .iter()
            .any(|k| k.removed && k.slot == name);
        if kind(&st) != SFlag::S_IFREG || kept_already {
            return unlinkat(&d.parent, name, UnlinkatFlags::NoRemoveDir);
        }
        let n = d.record.displaced.iter().filter(|d| d.removed).count();
        let kept = super::registry::removed_name(&d.staging_name, n);
        d.record.push(Displaced {
            scratch: kept.clone(),
            slot: name.to_os_string(),
            dev: st.st_dev,
            ino: st.st_ino,
            removed: true,
        });
        renameat2(
            d.parent.as_fd(),
            name,
            d.aside.as_fd(),
            kept.as_os_str(),
            RenameFlags::RENAME_NOREPLACE,
        )
    }

    fn symlink(&mut self, t: &Target, target: &[u8]) -> Answer {
        let Some((i, name)) = self.slot(t) else {
            return Answer::Continue;
        };
        if let Err(e) = self.sync(i, name) {
            return Answer::Fail(e);
        }
        if self.view(i, name) != View::Absent {
            return Answer::Fail(Errno::EEXIST);
        }
        if t.trailing {
            return Answer::Fail(Errno::ENOENT);
        }
        // Written down before it exists: it is never followed later, whatever happens
        // to its view.
        self.dirs[i].remember(name, SFlag::S_IFLNK);
        if let Err(e) =
            nix::unistd::symlinkat(OsStr::from_bytes(target), &self.dirs[i].parent, name)
        {
            return Answer::Fail(e);
        }
        match self.sync(i, name) {
            Ok(()) => Answer::Done,
            Err(e) => Answer::Fail(e),
        }
    }

    /// Move the jail's scratch object `scratch` of directory `i` to the hold, out of
    /// the jail's reach, and check what it is there: a FIFO, socket or device never
    /// goes further (EPERM; it is put back), nor a non-directory named with a trailing
    /// slash (ENOTDIR).
    fn hold(&self, i: usize, scratch: &OsStr, trailing: bool) -> Result<Held, Errno> {
        let d = &self.dirs[i];
        remove_tree(&d.aside, &d.hold);
        renameat2(
            d.staging.as_fd(),
            scratch,
            d.aside.as_fd(),
            d.hold.as_os_str(),
            RenameFlags::RENAME_NOREPLACE,
        )?;
        let st = match lstat_at(&d.aside, &d.hold) {
            Ok(st) => st,
            Err(e) => {
                self.unhold(i, scratch);
                return Err(e);
            }
        };
        if is_special(&st) {
            self.unhold(i, scratch);
            return Err(Errno::EPERM);
        }
        if trailing && kind(&st) != SFlag::S_IFDIR {
            self.unhold(i, scratch);
            return Err(Errno::ENOTDIR);
        }
        // A second name of a file (`link()` of one a slot shows linked, `core`'s): put
        // at a slot, two slots would be one file, written through either (review).
        // EXDEV: programs copy instead.
        if kind(&st) != SFlag::S_IFDIR && st.st_nlink > 1 {
            self.unhold(i, scratch);
            return Err(Errno::EXDEV);
        }
        Ok(Held { kind: kind(&st) })
    }

    /// Give the held object back to the scratch name it came from (or, if the jail
    /// took that name meanwhile, drop it: it was scratch).
    fn unhold(&self, i: usize, scratch: &OsStr) {
        let d = &self.dirs[i];
        let back = renameat2(
            d.aside.as_fd(),
            d.hold.as_os_str(),
            d.staging.as_fd(),
            scratch,
            RenameFlags::RENAME_NOREPLACE,
        );
        if back.is_err() {
            remove_tree(&d.aside, &d.hold);
        }
    }

    fn rename(&mut self, from: &Target, to: &Target, flags: u32) -> Answer {
        if self.slot(from).is_none() && self.slot(to).is_none() {
            return Answer::Continue;
        }
        let exchange = flags & libc::RENAME_EXCHANGE != 0;
        if flags & libc::RENAME_WHITEOUT != 0 || (exchange && flags & libc::RENAME_NOREPLACE != 0) {
            return Answer::Fail(Errno::EINVAL);
        }
        if from.place == Place::Fixed || to.place == Place::Fixed {
            return Answer::Fail(Errno::EBUSY);
        }
        let (Some(from_dir), Some(to_dir)) = (from.dir, to.dir) else {
            // A slot and a name outside the staging directories: another mount.
            return Answer::Fail(Errno::EXDEV);
        };
        // A slot and a scratch name trade places within one slot directory only, so
        // that what is moved aside is recorded, and put back, where it belongs.
        let scratch_side = from.place == Place::Scratch || to.place == Place::Scratch;
        if scratch_side && from_dir != to_dir {
            return Answer::Fail(Errno::EXDEV);
        }
        for t in [from, to] {
            if let Some((dir, name)) = self.slot(t) {
                if let Err(e) = self.sync(dir, name) {
                    return Answer::Fail(e);
                }
            }
        }
        let result = match (from.place, to.place) {
            (Place::Slot, Place::Slot) => self.rename_slots(from, to, flags),
            (Place::Slot, Place::Scratch) if !exchange => self.move_aside(from, to, flags),
            (Place::Scratch, Place::Slot) if !exchange => self.move_in(from, to, flags),
            (Place::Slot, Place::Scratch) => self.exchange(from, to),
            (Place::Scratch, Place::Slot) => self.exchange(to, from),
            _ => return Answer::Continue,
        };
        if let Err(e) = result {
            for t in [from, to] {
                if let Some((dir, name)) = self.slot(t) {
                    let _ = self.sync(dir, name);
                }
            }
            return Answer::Fail(e);
        }
        for t in [from, to] {
            if let Some((dir, name)) = self.slot(t) {
                if let Err(e) = self.sync(dir, name) {
                    return Answer::Fail(e);
                }
            }
        }
        Answer::Done
    }

    /// The kind of the object at a slot, checked against a trailing slash.
    fn slot_kind(&self, t: &Target) -> Result<SFlag, Errno> {
        let dir = &self.dirs[t.dir.ok_or(Errno::EXDEV)?];
        let st = lstat_at(&dir.parent, &t.name)?;
        if is_special(&st) {
            return Err(Errno::EPERM);
        }
        if t.trailing && kind(&st) != SFlag::S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        Ok(kind(&st))
    }

    /// Slot to slot: both names are in slot directories, out of the jail's reach.
    fn rename_slots(&mut self, from: &Target, to: &Target, flags: u32) -> Result<(), Errno> {
        let (from_dir, to_dir) = (from.dir.ok_or(Errno::EXDEV)?, to.dir.ok_or(Errno::EXDEV)?);
        let k = self.slot_kind(from)?;
        self.dirs[to_dir].remember(&to.name, k);
        if flags & libc::RENAME_EXCHANGE != 0 {
            let other = self.slot_kind(to)?;
            self.dirs[from_dir].remember(&from.name, other);
        } else if to.trailing && k != SFlag::S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        renameat2(
            self.dirs[from_dir].parent.as_fd(),
            from.name.as_os_str(),
            self.dirs[to_dir].parent.as_fd(),
            to.name.as_os_str(),
            RenameFlags::from_bits_truncate(flags),
        )
    }

    /// A slot object renamed into scratch (an editor moving the file aside): written
    /// down first, so that a crash before something is put back at the slot does not
    /// lose it.
    fn move_aside(&mut self, from: &Target, to: &Target, flags: u32) -> Result<(), Errno> {
        let i = from.dir.ok_or(Errno::EXDEV)?;
        if self.dirs[i].record.full() {
            return Err(Errno::ENOSPC);
        }
        self.slot_kind(from)?;
        let st = lstat_at(&self.dirs[i].parent, &from.name)?;
        self.dirs[i].record.push(Displaced {
            scratch: to.name.clone(),
            slot: from.name.clone(),
            dev: st.st_dev,
            ino: st.st_ino,
            removed: false,
        });
        renameat2(
            self.dirs[i].parent.as_fd(),
            from.name.as_os_str(),
            self.dirs[i].staging.as_fd(),
            to.name.as_os_str(),
            RenameFlags::from_bits_truncate(flags),
        )
    }

    /// A scratch object renamed onto a slot (`sed -i`'s and editors' atomic save): by
    /// way of the hold, where it is checked and remembered before it appears at the
    /// slot.
    fn move_in(&mut self, from: &Target, to: &Target, flags: u32) -> Result<(), Errno> {
        let i = to.dir.ok_or(Errno::EXDEV)?;
        let held = self.hold(i, &from.name, from.trailing || to.trailing)?;
        let d = &self.dirs[i];
        if held.kind == SFlag::S_IFDIR {
            // Recorded by its identity, which the rename keeps.
            if let Ok(fd) = super::open_beneath(&d.aside, &d.hold, OFlag::O_PATH) {
                crate::planted::record_made_dir(&fd, &d.parent_path.join(&to.name));
            }
        } else {
            d.remember(&to.name, held.kind);
        }
        let placed = renameat2(
            d.aside.as_fd(),
            d.hold.as_os_str(),
            d.parent.as_fd(),
            to.name.as_os_str(),
            RenameFlags::from_bits_truncate(flags),
        );
        if placed.is_err() {
            self.unhold(i, &from.name);
        }
        placed
    }

    /// `RENAME_EXCHANGE` of slot `slot` and scratch name `scratch` (one directory).
    fn exchange(&mut self, slot: &Target, scratch: &Target) -> Result<(), Errno> {
        let i = slot.dir.ok_or(Errno::EXDEV)?;
        if self.dirs[i].record.full() {
            return Err(Errno::ENOSPC);
        }
        self.slot_kind(slot)?;
        let st = lstat_at(&self.dirs[i].parent, &slot.name)?;
        self.dirs[i].record.push(Displaced {
            scratch: scratch.name.clone(),
            slot: slot.name.clone(),
            dev: st.st_dev,
            ino: st.st_ino,
            removed: false,
        });
        let held = self.hold(i, &scratch.name, scratch.trailing)?;
        let d = &self.dirs[i];
        if held.kind == SFlag::S_IFDIR {
            if let Ok(fd) = super::open_beneath(&d.aside, &d.hold, OFlag::O_PATH) {
                crate::planted::record_made_dir(&fd, &d.parent_path.join(&slot.name));
            }
        } else {
            d.remember(&slot.name, held.kind);
        }
        if let Err(e) = renameat2(
            d.aside.as_fd(),
            d.hold.as_os_str(),
            d.parent.as_fd(),
            slot.name.as_os_str(),
            RenameFlags::RENAME_EXCHANGE,
        ) {
            self.unhold(i, &scratch.name);
            return Err(e);
        }
        // The slot's old object is in the hold now: on to the scratch name.
        let d = &self.dirs[i];
        let mut out = renameat2(
            d.aside.as_fd(),
            d.hold.as_os_str(),
            d.staging.as_fd(),
            scratch.name.as_os_str(),
            RenameFlags::RENAME_NOREPLACE,
        );
        if out.is_err() {
            // The jail took the scratch name meanwhile; it is scratch all the same.
            remove_tree(&d.staging, &scratch.name);
            out = renameat2(
                d.aside.as_fd(),
                d.hold.as_os_str(),
                d.staging.as_fd(),
                scratch.name.as_os_str(),
                RenameFlags::RENAME_NOREPLACE,
            );
        }
        if let Err(e) = out {
            // Left in the hold, whence the end of the jail puts it back at its slot
            // if the slot is empty then.
            tracing::debug!("exchanged slot object left in the hold: {e}");
        }
        Ok(())
    }

    fn link(&mut self, from: &Target, to: &Target, flags: i32) -> Answer {
        let Some((i, name)) = self.slot(to) else {
            // A new name that is not a slot: the jail's own business.
            return Answer::Continue;
        };
        if from.place == Place::Fixed {
            return Answer::Fail(Errno::EXDEV);
        }
        if from.trailing || to.trailing {
            return Answer::Fail(Errno::ENOTDIR);
        }
        let Some(from_dir) = from.dir else {
            return Answer::Fail(Errno::EXDEV);
        };
        if let Err(e) = self.sync(i, name) {
            return Answer::Fail(e);
        }
        if self.view(i, name) != View::Absent {
            return Answer::Fail(Errno::EEXIST);
        }
        let src = match from.place {
            Place::Slot => &self.dirs[from_dir].parent,
            _ => &self.dirs[from_dir].staging,
        };
        let d = &self.dirs[i];
        remove_tree(&d.aside, &d.hold);
        // A new link at the hold, checked there, then moved to the slot.
        if let Err(e) = nix::unistd::linkat(
            src.as_fd(),
            from.name.as_os_str(),
            d.aside.as_fd(),
            d.hold.as_os_str(),
            AtFlags::empty(),
        ) {
            return Answer::Fail(e);
        }
        let checked = match lstat_at(&d.aside, &d.hold) {
            Ok(st) if is_special(&st) => Err(Errno::EPERM),
            // Following a link the jail made is not the server's to do.
            Ok(st) if kind(&st) == SFlag::S_IFLNK && flags & libc::AT_SYMLINK_FOLLOW != 0 => {
                Err(Errno::EXDEV)
            }
            Ok(st) => Ok(kind(&st)),
            Err(e) => Err(e),
        };
        let placed = checked.and_then(|k| {
            d.remember(name, k);
            renameat2(
                d.aside.as_fd(),
                d.hold.as_os_str(),
                d.parent.as_fd(),
                name,
                RenameFlags::RENAME_NOREPLACE,
            )
        });
        if let Err(e) = placed {
            let _ = unlinkat(&d.aside, d.hold.as_os_str(), UnlinkatFlags::NoRemoveDir);
            return Answer::Fail(e);
        }
        match self.sync(i, name) {
            Ok(()) => Answer::Done,
            Err(e) => Answer::Fail(e),
        }
    }

    /// After the jail: tidy every staging directory. Returns, per slot directory (its
    /// path in the jail), what was done.
    pub fn finish(
        self,
        keep: &mut dyn FnMut(&std::path::Path) -> bool,
    ) -> Vec<(PathBuf, super::Finished)> {
        self.dirs
            .into_iter()
            .map(|d| {
                let virt = d.virt.clone();
                (virt, d.finish_keeping(keep))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_directory_and_last_name() {
        let parts = |p: &'static [u8]| split(p).map(|s| (s.dir, s.name, s.trailing));
        assert_eq!(parts(b"a"), Some((&b"."[..], &b"a"[..], false)));
        assert_eq!(parts(b"d/a/"), Some((&b"d"[..], &b"a"[..], true)));
        assert_eq!(parts(b"/a"), Some((&b"/"[..], &b"a"[..], false)));
        assert_eq!(parts(b"/x/y//"), Some((&b"/x"[..], &b"y"[..], true)));
        assert!(split(b"x/..").is_none());
        assert!(split(b".").is_none());
        assert!(split(b"/").is_none());
    }

    #[test]
    fn the_filter_sees_creating_opens_only() {
        let open = watched().find(|(nr, _)| *nr == libc::SYS_openat).unwrap();
        assert_eq!(open.1, Some(2));
        let creat = watched().find(|(nr, _)| *nr == libc::SYS_creat).unwrap();
        assert_eq!(creat.1, None);
        assert!(watched().any(|(nr, _)| nr == libc::SYS_renameat2));
    }
}
