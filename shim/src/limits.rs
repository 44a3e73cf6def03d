//! The resource limits a jail's shim sets up itself (SECURITY.md 32): a fork bomb, a
//! memory hog or a program filling its private `/tmp` stops at its own jail's limit.
//! The server holds what a cgroup can (`pola_fileserver::limits`, `cgroup`); the shim
//! enters that cgroup and sets what is left, in the recipe's order:
//!
//! 1. [`enter_cgroups`] (the shim, before any namespace): it writes itself into the
//!    jail's cgroups, so PID 1 and all the command starts are counted there, and the
//!    jail's cgroup namespace is rooted at its own cgroup. A copy the zygote forks
//!    ahead is there already when its cgroup is the command's ([`enter_ahead`]).
//! 2. [`number_pids`] (PID 1, before the root is built): root's jail without a pids
//!    cgroup gets its bound from its PID namespace's own `pid_max` (Linux 6.14):
//!    every process needs a PID there, and RLIMIT_NPROC does not bind root.
//! 3. [`Scratch`] (while the root is built): one tmpfs of the `tmp` size holds all the
//!    private scratch directories (`/tmp`, `$HOME`, `/dev/shm`), each bound from a
//!    directory of it, so that together they cannot fill the machine's memory.
//! 4. [`restrict`] (PID 1, right after the lock): RLIMIT_NPROC and RLIMIT_DATA. Only
//!    now, because the lock's user namespace is the jail's own: RLIMIT_NPROC counts
//!    the uid's processes in that namespace (Linux 5.14), the jail's and no others;
//!    set before it, the limit would also become the new namespace's bound on the
//!    count one level up, where every jail of the shell is counted together.
//! 5. [`reached`] (PID 1, after the command): what to tell the server — the scratch
//!    full, or the jail holding as many processes as it may.

use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{openat, OFlag};
use nix::sys::resource::{setrlimit, Resource};
use nix::sys::stat::{fchmodat, mkdirat, FchmodatFlags, Mode};
use pola_fileserver::limits::{pid_max, JailLimits, Kind};
use pola_fileserver::plan::JailPlan;
use thiserror::Error;

use crate::sys;

#[derive(Debug, Error)]
pub enum LimitsError {
    #[error("cannot enter the jail's cgroup {path}: {errno}")]
    Cgroup { path: String, errno: Errno },
    #[error("cannot limit the jail's processes: pid_max: {0}")]
    PidMax(Errno),
    #[error("{0}: {1}")]
    Rlimit(&'static str, Errno),
}

/// Write this process into the jail's cgroups.
/// Only ever this process ("0"): a task moved by another process is moved under the
/// kernel's `cgroup_threadgroup_rwsem`, whose write side waits for an RCU grace period
/// and holds up every fork, exec and exit meanwhile (measured: 14 % more time per
/// command when a warm jail's shim moved its PID 1; `crate::warm`).
pub fn enter_cgroups(limits: &JailLimits) -> Result<(), LimitsError> {
    let entered = ENTERED.lock().unwrap_or_else(|e| e.into_inner());
    for file in &limits.cgroups {
        if entered.iter().any(|e| e == file) {
            continue;
        }
        std::fs::write(file, "0").map_err(|e| LimitsError::Cgroup {
            path: Path::new(file).display().to_string(),
            errno: Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
        })?;
    }
    Ok(())
}

/// The cgroup files this process wrote itself into ahead (`enter_ahead`), inherited
/// by the PID 1 it forks after.
static ENTERED: std::sync::Mutex<Vec<std::ffi::OsString>> = std::sync::Mutex::new(Vec::new());

/// In a copy the zygote forks ahead, before it forks its PID 1: into the jail cgroup
/// the shell made for the next command (`pola_fileserver::zygote::cgroup_ahead`). A
/// plan naming these files finds both there; one naming others moves them
/// (`enter_cgroups`). Each file written is remembered; one that fails is left to
/// `enter_cgroups`, which says why.
pub fn enter_ahead(files: &[std::path::PathBuf]) {
    let mut entered = ENTERED.lock().unwrap_or_else(|e| e.into_inner());
    for file in files {
        if std::fs::write(file, "0").is_ok() {
            entered.push(file.clone().into_os_string());
        }
    }
}

/// In PID 1, before the root is built: bound the PID numbers of the jail's namespace.
/// `/proc/sys/kernel/pid_max` is the writer's own PID namespace's.
pub fn number_pids(limits: &JailLimits) -> Result<(), LimitsError> {
    if let Some(procs) = limits.pid_max {
        std::fs::write("/proc/sys/kernel/pid_max", pid_max(procs).to_string())
            .map_err(|e| LimitsError::PidMax(Errno::from_raw(e.raw_os_error().unwrap_or(0))))?;
    }
    Ok(())
}

/// In PID 1, right after the lock: the per-jail rlimits. Hard limits too: raising
/// them again takes a capability of the host's user namespace.
pub fn restrict(limits: &JailLimits) -> Result<(), LimitsError> {
    if let Some(procs) = limits.nproc {
        // PID 1 is counted too.
        setrlimit(Resource::RLIMIT_NPROC, procs + 1, procs + 1)
            .map_err(|e| LimitsError::Rlimit("RLIMIT_NPROC", e))?;
    }
    if let Some(bytes) = limits.data {
        setrlimit(Resource::RLIMIT_DATA, bytes, bytes)
            .map_err(|e| LimitsError::Rlimit("RLIMIT_DATA", e))?;
    }
    Ok(())
}

/// The jail's private tmpfs mounts, built from one tmpfs for all its scratch
/// directories; any other (a tmpfs at `/dev`, from `HOME=/dev` or the environment
/// file) is a small one of its own.
pub struct Scratch<'p> {
    plan: &'p JailPlan,
    fs: Option<OwnedFd>,
    made: u32,
    /// The directories made ahead, by number, each as a detached bind of itself.
    ready: Vec<Option<OwnedFd>>,
    /// What was made ahead and this plan did not take: closed off the path too.
    unused: Vec<OwnedFd>,
}

/// A scratch file system made before the command was asked for, by a warm jail's
/// PID 1 (`rootfs::Prepared`): of the default `tmp` size, the one nearly every command
/// has, with the directories of the default environment's scratch paths (`/tmp`,
/// `$HOME`, `/dev/shm`) made in it and each cloned as the bind a jail attaches. On the
/// path, that was a third of the root's placements (`fsopen`, its options, `fsmount`,
/// then a `mkdir`, `open_tree` and `move_mount` a directory: 240 µs of PID 1's time
/// measured, 80 µs of it making the file system); what is left there is each
/// directory's mode and its `move_mount`. A plan of another size makes its own. It
/// holds nothing else, and is attached nowhere until a jail takes it.
pub struct ReadyScratch {
    size: Option<u64>,
    fs: OwnedFd,
    dirs: Vec<OwnedFd>,
}

/// How many scratch directories are made ahead: the default environment's.
const READY_DIRS: u32 = 3;

impl ReadyScratch {
    pub fn make() -> Option<ReadyScratch> {
        let size = pola_fileserver::limits::Limits::defaults().max(Kind::Tmp);
        // Above the numbers the command's request puts its descriptors on.
        let fs = sys::new_tmpfs(&options(size), SCRATCH_ATTRS)
            .and_then(sys::high)
            .ok()?;
        let dirs = (0..READY_DIRS)
            .map(|n| {
                let name = n.to_string();
                mkdirat(&fs, name.as_str(), Mode::S_IRWXU)?;
                let tree = sys::clone_tree(open_dir(&fs, &name)?.as_fd())?;
                sys::high(tree)
            })
            .collect::<Result<_, Errno>>()
            .ok()?;
        Some(ReadyScratch { size, fs, dirs })
    }
}

/// The directory `name` of the scratch file system, as a path descriptor.
fn open_dir(fs: &OwnedFd, name: &str) -> Result<OwnedFd, Errno> {
    openat(
        fs,
        name,
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

const SCRATCH_ATTRS: u64 = sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV;

/// The scratch file system's options for a bound of `size` bytes (`None`: none).
fn options(size: Option<u64>) -> Vec<(&'static str, String)> {
    let mut options = vec![("mode", "755".to_string())];
    if let Some(size) = size {
        options.push(("size", size.to_string()));
        options.push(("nr_inodes", (size / BYTES_PER_INODE).max(1024).to_string()));
    }
    options
}

/// Inodes a scratch tmpfs gets per byte of its size: the size bounds the pages, this
/// the kernel memory that empty files take.
const BYTES_PER_INODE: u64 = 8192;

impl<'p> Scratch<'p> {
    /// `ready`: one made ahead, taken if it is of this plan's size.
    pub fn new(plan: &'p JailPlan, ready: Option<ReadyScratch>) -> Scratch<'p> {
        let (fs, ready, unused) = match ready {
            Some(r) if r.size == plan.limits.scratch => {
                (Some(r.fs), r.dirs.into_iter().map(Some).collect(), vec![])
            }
            Some(r) => (None, vec![], [r.fs].into_iter().chain(r.dirs).collect()),
            None => (None, vec![], vec![]),
        };
        Scratch {
            plan,
            fs,
            made: 0,
            ready,
            unused,
        }
    }

    /// The shared tmpfs, made on first use (or ahead).
    fn fs(&mut self) -> Result<&OwnedFd, Errno> {
        if self.fs.is_none() {
            let options = options(self.plan.limits.scratch);
            self.fs = Some(sys::new_tmpfs(&options, SCRATCH_ATTRS)?);
        }
        Ok(self.fs.as_ref().expect("made above"))
    }

    /// Mount the private tmpfs of `path` (with root directory `mode`) on `target`.
    pub fn mount(&mut self, target: &OwnedFd, path: &Path, mode: u32) -> Result<(), Errno> {
        let attrs = sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV;
        let shared = self.plan.scratch.iter().any(|s| Path::new(s) == path);
        if !shared {
            let own = sys::new_tmpfs(
                &[("mode", format!("{mode:o}")), ("size", "1m".into())],
                attrs,
            )?;
            return sys::attach(own.as_fd(), target.as_fd());
        }
        let number = self.made as usize;
        let name = self.made.to_string();
        self.made += 1;
        let ready = self.ready.get_mut(number).and_then(Option::take);
        let fs = self.fs()?;
        let mode = Mode::from_bits_truncate(mode);
        if ready.is_none() {
            mkdirat(fs, name.as_str(), mode)?;
        }
        // mkdir leaves out what the umask masks, and the sticky bit of /tmp; one made
        // ahead has its mode only now.
        fchmodat(fs, name.as_str(), mode, FchmodatFlags::NoFollowSymlink)?;
        let tree = match ready {
            Some(tree) => tree,
            None => sys::clone_tree(open_dir(fs, &name)?.as_fd())?,
        };
        sys::attach(tree.as_fd(), target.as_fd())
    }
}

impl Scratch<'_> {
    /// The scratch file system's own mount, which no path reaches: each scratch
    /// directory is a bind of one of its directories. Closing its descriptor unmounts
    /// it, and an unmount waits for an RCU grace period (0.1–0.2 ms on the machines
    /// measured): the caller gives it to the zygote (or closes it) once the command
    /// runs, not on its way.
    pub fn into_detached(self) -> Vec<OwnedFd> {
        let ready = self.ready.into_iter().flatten();
        self.fs
            .into_iter()
            .chain(ready)
            .chain(self.unused)
            .collect()
    }
}

/// The one tmpfs of the jail's scratch directories (`Scratch`), as `statfs` sees it
/// after the command, if it has any.
pub fn scratch_stat(plan: &JailPlan) -> Option<nix::sys::statvfs::Statvfs> {
    let first = plan.scratch.first()?;
    nix::sys::statvfs::statvfs(Path::new(first)).ok()
}

/// After the command, in PID 1: which limits the jail had reached. `others` is how
/// many processes were still running in it when the command ended; `scratch` is the
/// scratch tmpfs's `statfs` (`scratch_stat`).
pub fn reached(
    plan: &JailPlan,
    others: usize,
    scratch: Option<&nix::sys::statvfs::Statvfs>,
) -> Vec<Kind> {
    let limits = &plan.limits;
    let mut out = Vec::new();
    let procs = limits.nproc.or(limits.pid_max.map(|p| pid_max(p) - 2));
    // Within 5% of the limit: the command's own slot may have been taken again
    // before it was counted, and forks racing at the limit all fail together, each
    // counted before the check, leaving a few slots free (2% was too few on a loaded
    // machine: a bomb held 976 of 1000 and was not said).
    if procs.is_some_and(|max| others > 0 && others as u64 + 2 + max / 20 >= max) {
        out.push(Kind::Procs);
    }
    let full =
        |st: &nix::sys::statvfs::Statvfs| st.blocks_available() == 0 || st.files_available() == 0;
    if limits.scratch.is_some() && scratch.is_some_and(full) {
        out.push(Kind::Tmp);
    }
    out
}
