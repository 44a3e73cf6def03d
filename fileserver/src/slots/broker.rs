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
use nix::fcntl::{openat2, readlinkat, renameat2, OFlag, OpenHow, RenameFlags, ResolveFlag};
use nix::sys::stat::{fstat, mkdirat, Mode, SFlag};
use nix::unistd::{unlinkat, UnlinkatFlags};

use super::protocol::Supervisor;
use super::registry::Displaced;
use super::{lstat_at, Place, SlotDir, View};
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
    /// `open`/`openat`/`creat`: path, flags, mode.
    Open,
    /// `openat2`: path, `struct open_how`.
    OpenHow,
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
    /// Open flags, unlink/rename/link flags, or the `open_how` pointer.
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
    with(
        call(libc::SYS_openat2, Kind::OpenHow, Some(0), 1),
        Some(2),
        None,
    ),
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
}

/// The slot directories of one jail and the way to its supervisor.
pub struct Broker {
    pub dirs: Vec<SlotDir>,
    sup: Supervisor,
}

/// The last name of `path` and what comes before it (`"."` for none); trailing
/// slashes are dropped. `None` for a path whose last name is `.` or `..` or empty.
fn split(path: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut end = path.len();
    while end > 1 && path[end - 1] == b'/' {
        end -= 1;
    }
    let path = &path[..end];
    let (dir, name): (&[u8], &[u8]) = match path.iter().rposition(|b| *b == b'/') {
        Some(0) => (b"/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (b".", path),
    };
    if name.is_empty() || name == b"." || name == b".." {
        return None;
    }
    Some((dir, name))
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
    fn root(&self) -> Option<OwnedFd> {
        nix::fcntl::openat(
            &self.proc,
            "root",
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .ok()
    }

    /// The path, in its root, of its working directory or of its descriptor `dirfd`.
    fn base(&self, dirfd: Option<u64>) -> Option<PathBuf> {
        let link = match dirfd.map(|d| d as i32) {
            None | Some(libc::AT_FDCWD) => "cwd".to_string(),
            Some(fd) => format!("fd/{fd}"),
        };
        let base = PathBuf::from(readlinkat(&self.proc, link.as_str()).ok()?);
        (base.is_absolute() && !base.as_os_str().as_bytes().ends_with(b" (deleted)"))
            .then_some(base)
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

fn is_special(st: &nix::sys::stat::FileStat) -> bool {
    let k = SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT;
    !(k == SFlag::S_IFREG || k == SFlag::S_IFDIR || k == SFlag::S_IFLNK)
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
    fn locate(&self, caller: &Caller, dirfd: Option<u64>, path: &[u8]) -> Option<Target> {
        let (dir, name) = split(path)?;
        let name = OsString::from_vec(name.to_vec());
        let root = caller.root()?;
        let mut full = if dir.first() == Some(&b'/') {
            PathBuf::new()
        } else {
            caller.base(dirfd)?
        };
        full.push(OsStr::from_bytes(dir));
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        let parent = openat2(&root, &full, how).ok()?;
        let st = fstat(&parent).ok()?;
        let found = self
            .dirs
            .iter()
            .position(|d| d.id == (st.st_dev, st.st_ino));
        Some(match found {
            Some(i) => Target {
                dir: Some(i),
                place: self.dirs[i].place(&name),
                name,
            },
            None => Target {
                dir: None,
                name,
                place: Place::Scratch,
            },
        })
    }

    /// Answer one notification, or `None` if it is not a call slots handle.
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
        let named = |p: &[u8]| split(p).is_some_and(|(_, n)| self.is_slot_name(n));
        if !named(&path) && !path2.as_deref().is_some_and(named) {
            return None;
        }
        let target_text = match call.kind {
            Kind::Symlink => Some(read(call.path)?),
            _ => None,
        };
        let open_how = match call.kind {
            Kind::OpenHow => Some(read_open_how(req.pid, req.args[call.flags?])?),
            _ => None,
        };
        // What was read came from this very caller, still waiting in the call; its
        // /proc directory, opened first, stays that process's.
        let caller = Caller::open(req.pid)?;
        crate::unotify::id_valid(listener, req.id).ok()?;
        let dirfd = |i: Option<usize>| i.map(|i| req.args[i]);
        let (path_dirfd, path_arg) = match call.kind {
            Kind::Symlink => (dirfd(call.dirfd2), &path),
            _ => (dirfd(call.dirfd), &path),
        };
        let first = self.locate(&caller, path_dirfd, path_arg)?;
        let answer = match call.kind {
            Kind::Open | Kind::OpenHow => {
                let (flags, mode) = match (open_how, call.nr) {
                    (Some((flags, mode)), _) => (flags as i32, mode as u32),
                    (None, libc::SYS_creat) => (
                        libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC,
                        req.args[call.mode?] as u32,
                    ),
                    (None, _) => (req.args[call.flags?] as i32, req.args[call.mode?] as u32),
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
                    || call
                        .flags
                        .is_some_and(|i| req.args[i] as i32 & libc::AT_REMOVEDIR != 0);
                self.unlink(&first, remove_dir)
            }
            Kind::Symlink => self.symlink(&first, target_text.as_deref()?),
            Kind::Rename | Kind::Link => {
                let second = self.locate(&caller, dirfd(call.dirfd2), path2.as_deref()?)?;
                let flags = call.flags.map_or(0, |i| req.args[i] as u32);
                if call.kind == Kind::Rename {
                    self.rename(&first, &second, flags)
                } else {
                    self.link(&first, &second, flags as i32)
                }
            }
        };
        Some(answer)
    }

    /// The slot a target names, with its directory.
    fn slot<'a>(&mut self, t: &'a Target) -> Option<(usize, &'a OsStr)> {
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

    /// `open(O_CREAT)` of a slot that does not exist yet: create it on the host, show
    /// it, and let the jail open it (or hand it over, for `O_EXCL`).
    fn create(&mut self, caller: &Caller, t: &Target, flags: i32, mode: u32) -> Answer {
        let Some((i, name)) = self.slot(t) else {
            return Answer::Continue;
        };
        if let Err(e) = self.sync(i, name) {
            return Answer::Fail(e);
        }
        if self.view(i, name) != View::Absent {
            return Answer::Continue;
        }
        let mode = Mode::from_bits_truncate(mode & 0o7777 & !caller.umask());
        let made = nix::fcntl::openat(
            &self.dirs[i].parent,
            name,
            OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            mode,
        );
        match made {
            Ok(fd) => drop(fd),
            Err(Errno::EEXIST) => {}
            Err(e) => return Answer::Fail(e),
        }
        if let Err(e) = self.sync(i, name) {
            return Answer::Fail(e);
        }
        if flags & libc::O_EXCL == 0 {
            return Answer::Continue;
        }
        // O_EXCL would now fail in the jail: open the new file there and hand it over.
        let path = self.dirs[i].virt.join(name);
        let Some(root) = caller.root() else {
            return Answer::Fail(Errno::ESRCH);
        };
        let keep = OFlag::from_bits_truncate(
            flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC | libc::O_CLOEXEC),
        );
        let how = OpenHow::new()
            .flags(keep | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        match openat2(&root, &path, how) {
            Ok(fd) => Answer::Fd {
                fd,
                cloexec: flags & libc::O_CLOEXEC != 0,
            },
            Err(e) => Answer::Fail(e),
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
        let mode = Mode::from_bits_truncate(mode & 0o7777 & !caller.umask());
        if let Err(e) = mkdirat(&self.dirs[i].parent, name, mode) {
            return Answer::Fail(e);
        }
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
        let flag = if remove_dir {
            UnlinkatFlags::RemoveDir
        } else {
            UnlinkatFlags::NoRemoveDir
        };
        if let Err(e) = unlinkat(&self.dirs[i].parent, name, flag) {
            let _ = self.sync(i, name);
            return Answer::Fail(e);
        }
        match self.sync(i, name) {
            Ok(()) => Answer::Done,
            Err(e) => Answer::Fail(e),
        }
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

    /// The host directory a target's name is in: the slot directory for a slot, the
    /// staging directory for scratch.
    fn host_dir(&self, t: &Target) -> Option<&OwnedFd> {
        let dir = &self.dirs[t.dir?];
        match t.place {
            Place::Slot => Some(&dir.parent),
            Place::Scratch => Some(&dir.staging),
            Place::Fixed => None,
        }
    }

    fn rename(&mut self, from: &Target, to: &Target, flags: u32) -> Answer {
        let slots = (self.slot(from), self.slot(to));
        if slots == (None, None) {
            return Answer::Continue;
        }
        if flags & libc::RENAME_WHITEOUT != 0 {
            return Answer::Fail(Errno::EINVAL);
        }
        if from.place == Place::Fixed || to.place == Place::Fixed {
            return Answer::Fail(Errno::EBUSY);
        }
        let (Some(from_dir), Some(to_dir)) = (from.dir, to.dir) else {
            // A slot and a name outside the staging directories: another mount.
            return Answer::Fail(Errno::EXDEV);
        };
        // A slot object moved aside goes to the scratch of its own directory only, so
        // that its record can put it back.
        if from.place == Place::Slot && to.place == Place::Scratch && from_dir != to_dir {
            return Answer::Fail(Errno::EXDEV);
        }
        for (t, dir) in [(from, from_dir), (to, to_dir)] {
            if t.place == Place::Slot {
                if let Err(e) = self.sync(dir, &t.name) {
                    return Answer::Fail(e);
                }
            }
        }
        let (Some(src), Some(dst)) = (self.host_dir(from), self.host_dir(to)) else {
            return Answer::Fail(Errno::EBUSY);
        };
        match lstat_at(src, &from.name) {
            Ok(st) if is_special(&st) => return Answer::Fail(Errno::EPERM),
            Ok(_) => {}
            Err(e) => return Answer::Fail(e),
        }
        let moved = lstat_at(src, &from.name).ok();
        let result = renameat2(
            src.as_fd(),
            from.name.as_os_str(),
            dst.as_fd(),
            to.name.as_os_str(),
            RenameFlags::from_bits_truncate(flags),
        );
        if let Err(e) = result {
            return Answer::Fail(e);
        }
        // A slot object renamed (or exchanged) into scratch: written down, so that a
        // crash before the command puts something back at the slot does not lose it.
        let exchange = flags & libc::RENAME_EXCHANGE != 0;
        let mut aside = Vec::new();
        if from.place == Place::Slot && to.place == Place::Scratch {
            aside.push((to.name.clone(), from.name.clone(), moved));
        }
        if exchange && to.place == Place::Slot && from.place == Place::Scratch {
            let now = lstat_at(&self.dirs[from_dir].staging, &from.name).ok();
            aside.push((from.name.clone(), to.name.clone(), now));
        }
        for (scratch, slot, st) in aside {
            if let Some(st) = st {
                let dir = &mut self.dirs[from_dir];
                dir.record.displaced.push(Displaced {
                    scratch,
                    slot,
                    dev: st.st_dev,
                    ino: st.st_ino,
                });
                let _ = dir.record.save();
            }
        }
        for (t, dir) in [(from, from_dir), (to, to_dir)] {
            if t.place == Place::Slot {
                if let Err(e) = self.sync(dir, &t.name) {
                    return Answer::Fail(e);
                }
            }
        }
        Answer::Done
    }

    fn link(&mut self, from: &Target, to: &Target, flags: i32) -> Answer {
        let Some((to_dir, _)) = self.slot(to) else {
            // A new name that is not a slot: the jail's own business.
            return Answer::Continue;
        };
        if flags & libc::AT_EMPTY_PATH != 0 || from.place == Place::Fixed {
            return Answer::Fail(Errno::EXDEV);
        }
        if let Err(e) = self.sync(to_dir, &to.name) {
            return Answer::Fail(e);
        }
        if self.view(to_dir, &to.name) != View::Absent {
            return Answer::Fail(Errno::EEXIST);
        }
        let Some(src) = self.host_dir(from) else {
            return Answer::Fail(Errno::EXDEV);
        };
        match lstat_at(src, &from.name) {
            Ok(st) if is_special(&st) => return Answer::Fail(Errno::EPERM),
            Ok(_) => {}
            Err(e) => return Answer::Fail(e),
        }
        let result = nix::unistd::linkat(
            src.as_fd(),
            from.name.as_os_str(),
            self.dirs[to_dir].parent.as_fd(),
            to.name.as_os_str(),
            nix::fcntl::AtFlags::empty(),
        );
        if let Err(e) = result {
            return Answer::Fail(e);
        }
        match self.sync(to_dir, &to.name) {
            Ok(()) => Answer::Done,
            Err(e) => Answer::Fail(e),
        }
    }

    /// After the jail: tidy every staging directory. Returns, per slot directory (its
    /// path in the jail), what was done.
    pub fn finish(self) -> Vec<(PathBuf, super::Finished)> {
        self.dirs
            .into_iter()
            .map(|d| {
                let virt = d.virt.clone();
                (virt, d.finish())
            })
            .collect()
    }
}

/// `struct open_how` of an `openat2` call: its flags and mode.
fn read_open_how(pid: u32, addr: u64) -> Option<(u64, u64)> {
    let mut buf = [0u8; 16];
    let mut local = [std::io::IoSliceMut::new(&mut buf)];
    let remote = [nix::sys::uio::RemoteIoVec {
        base: addr as usize,
        len: 16,
    }];
    let n = nix::sys::uio::process_vm_readv(
        nix::unistd::Pid::from_raw(pid as i32),
        &mut local,
        &remote,
    )
    .ok()?;
    if n != 16 {
        return None;
    }
    let flags = u64::from_ne_bytes(buf[..8].try_into().ok()?);
    let mode = u64::from_ne_bytes(buf[8..].try_into().ok()?);
    Some((flags, mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_directory_and_last_name() {
        assert_eq!(split(b"a"), Some((&b"."[..], &b"a"[..])));
        assert_eq!(split(b"d/a/"), Some((&b"d"[..], &b"a"[..])));
        assert_eq!(split(b"/a"), Some((&b"/"[..], &b"a"[..])));
        assert_eq!(split(b"/x/y//"), Some((&b"/x"[..], &b"y"[..])));
        assert_eq!(split(b"x/.."), None);
        assert_eq!(split(b"."), None);
        assert_eq!(split(b"/"), None);
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
