//! cgroups: the kernel's accounting of a group of processes, and the only way to bound
//! what a jail's processes use *together* — memory, number of processes, CPU time —
//! which is what a fork bomb or a memory hog attacks (SECURITY.md 32).
//!
//! Each jail gets a cgroup of its own, made here (in the launcher) before the launch
//! and removed after it. The shim writes itself into it before it makes any namespace
//! (`JailLimits::cgroups`), so everything the jail starts is inside, and the jail's
//! cgroup namespace is rooted there. Where the cgroup is made:
//!
//! - cgroup v2: beside the launcher's own cgroup, under its parent, which must be the
//!   caller's to write: a subtree systemd delegates (`user@UID.service`), or any cgroup
//!   for root. Only controllers the parent already enables for its children are used,
//!   so nothing the caller does not own is reconfigured.
//! - cgroup v1 (one hierarchy per controller): inside the launcher's own cgroup of that
//!   hierarchy (v1 lets a cgroup hold processes and child cgroups), when the caller may
//!   write it — root, or a user someone gave a cgroup to.
//!
//! Jail cgroups are named `pola-PID-N`, PID being the process that made them, which
//! keeps a few empty ones for its next jails and removes them when it exits; the ones
//! a process left behind when it was killed are removed by the next one that makes a
//! jail cgroup in the same place.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once, OnceLock};

use thiserror::Error;

/// The controllers a jail's limits use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Controller {
    Pids,
    Memory,
    Cpu,
}

const CONTROLLERS: [Controller; 3] = [Controller::Pids, Controller::Memory, Controller::Cpu];

impl Controller {
    pub fn name(self) -> &'static str {
        match self {
            Controller::Pids => "pids",
            Controller::Memory => "memory",
            Controller::Cpu => "cpu",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

/// Where jail cgroups with one controller are made.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Place {
    version: Version,
    dir: PathBuf,
}

/// Which controllers this process may give its jails, and where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Available {
    places: [Option<Place>; 3],
}

impl Available {
    /// The cgroup version that holds `controller` for jails, if any.
    pub fn version(&self, controller: Controller) -> Option<Version> {
        self.places[controller as usize].as_ref().map(|p| p.version)
    }
}

#[derive(Debug, Error)]
pub enum CgroupError {
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> CgroupError + '_ {
    move |error| CgroupError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Test hook: with this variable set, no cgroup is used, as on a machine that gives
/// the caller none (so tests can show the other holders as root too).
pub const NO_CGROUP_ENV: &str = "POLA_TEST_NO_CGROUP";

/// What this process may use, found once.
pub fn available() -> &'static Available {
    static AVAILABLE: OnceLock<Available> = OnceLock::new();
    AVAILABLE.get_or_init(|| {
        if std::env::var_os(NO_CGROUP_ENV).is_some() {
            return Available::default();
        }
        let read = |p: &str| fs::read_to_string(p).unwrap_or_default();
        detect(
            &read("/proc/self/mountinfo"),
            &read("/proc/self/cgroup"),
            &|p: &Path| {
                nix::unistd::access(
                    p,
                    nix::unistd::AccessFlags::W_OK | nix::unistd::AccessFlags::X_OK,
                )
                .is_ok()
            },
        )
    })
}

/// A cgroup file system from `/proc/self/mountinfo`: (root in the hierarchy, mount
/// point, type, super options).
fn cgroup_mounts(mountinfo: &str) -> impl Iterator<Item = (&str, &str, &str, &str)> {
    mountinfo.lines().filter_map(|line| {
        let (before, after) = line.split_once(" - ")?;
        let mut fields = before.split(' ');
        let root = fields.nth(3)?;
        let point = fields.next()?;
        let mut after = after.split(' ');
        let fstype = after.next()?;
        let options = after.nth(1).unwrap_or("");
        matches!(fstype, "cgroup" | "cgroup2").then_some((root, point, fstype, options))
    })
}

/// `point` + `path` seen from a mount of the hierarchy's `root`, if it is under it.
fn under_mount(point: &str, root: &str, path: &str) -> Option<PathBuf> {
    let rel = Path::new(path).strip_prefix(root).ok()?;
    Some(Path::new(point).join(rel))
}

/// Where jails get each controller, from this process's `mountinfo` and `cgroup`
/// files; `writable` tells whether a directory or file may be written (the seam that
/// lets tests use a fake tree).
fn detect(mountinfo: &str, own: &str, writable: &dyn Fn(&Path) -> bool) -> Available {
    let mut available = Available::default();
    // v1: the process's own cgroup in each controller's hierarchy.
    for (root, point, fstype, options) in cgroup_mounts(mountinfo) {
        if fstype != "cgroup" {
            continue;
        }
        for c in CONTROLLERS {
            if !options.split(',').any(|o| o == c.name()) {
                continue;
            }
            let path = own.lines().find_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (_, list, path) = (parts.next()?, parts.next()?, parts.next()?);
                list.split(',').any(|n| n == c.name()).then_some(path)
            });
            if let Some(dir) = path.and_then(|p| under_mount(point, root, p)) {
                if writable(&dir) {
                    available.places[c as usize] = Some(Place {
                        version: Version::V1,
                        dir,
                    });
                }
            }
        }
    }
    // v2: beside the process's own cgroup (or under it, at the root, which alone may
    // hold processes and enable controllers for its children at once).
    let unified = own.lines().find_map(|l| l.strip_prefix("0::"));
    let mount = cgroup_mounts(mountinfo).find(|m| m.2 == "cgroup2");
    if let (Some(path), Some((root, point, _, _))) = (unified, mount) {
        if let Some(own_dir) = under_mount(point, root, path) {
            let parent = if own_dir == Path::new(point) {
                own_dir
            } else {
                own_dir.parent().map(Path::to_path_buf).unwrap_or(own_dir)
            };
            let enabled =
                fs::read_to_string(parent.join("cgroup.subtree_control")).unwrap_or_default();
            if writable(&parent) && writable(&parent.join("cgroup.procs")) {
                for c in CONTROLLERS {
                    let slot = &mut available.places[c as usize];
                    if slot.is_none() && enabled.split_whitespace().any(|n| n == c.name()) {
                        *slot = Some(Place {
                            version: Version::V2,
                            dir: parent.clone(),
                        });
                    }
                }
            }
        }
    }
    available
}

/// One jail's cgroup: a directory per hierarchy it uses (one with v2).
#[derive(Debug)]
pub struct JailCgroup {
    dirs: Vec<(Version, PathBuf, Vec<Controller>)>,
    /// The limits set in it, as asked for.
    limits: Vec<(Controller, u64)>,
    /// The kernel's counts when the current jail got it (it may have served others).
    before: Events,
    /// The counts read after the current jail ended ([`JailCgroup::events`]): the next
    /// jail's `before`, without reading them again.
    after: std::cell::Cell<Option<Events>>,
    /// The process that made it, which alone may reuse or remove it.
    owner: u32,
    /// The control files read so far (their paths), kept open for every jail given
    /// the cgroup: opening and closing one cost more than reading it (four a command).
    open: std::cell::RefCell<Vec<(PathBuf, fs::File)>>,
}

/// What the kernel counted in a jail's cgroup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Events {
    /// Processes the OOM killer killed because the jail reached its memory limit.
    pub oom_kills: u64,
    /// Forks refused because the jail had as many processes as it may.
    pub pids_max: u64,
}

/// Cgroups that could not be removed yet (their last process was still exiting);
/// tried again when the next jail cgroup is made.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Empty jail cgroups kept for this process's next jails: making and removing one
/// (a memory cgroup and a CPU task group each time) costs more than all the rest of
/// the limits. Removed when the process exits.
static IDLE: Mutex<Vec<JailCgroup>> = Mutex::new(Vec::new());

/// How many empty cgroups a process keeps (a pipeline's worth).
const IDLE_MAX: usize = 4;

/// Remove this process's idle cgroups: at exit (registered with `atexit`), and by a
/// forked copy of the shell before its `_exit`, which skips `atexit`.
pub extern "C" fn remove_idle() {
    let idle = std::mem::take(&mut *IDLE.lock().unwrap_or_else(|e| e.into_inner()));
    for mut cgroup in idle {
        if cgroup.owner == std::process::id() {
            cgroup.remove();
        }
    }
}

static NEXT: AtomicU64 = AtomicU64::new(0);

fn write(path: &Path, value: &str) -> Result<(), CgroupError> {
    fs::write(path, value).map_err(io_error(path))
}

/// Write a file that only some kernels have (swap accounting).
fn write_if_present(path: &Path, value: &str) -> Result<(), CgroupError> {
    match fs::write(path, value) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other.map_err(io_error(path)),
    }
}

/// Remove `pola-PID-N` cgroups in `dir` whose process is gone.
fn remove_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("pola-"))
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        let gone = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None)
            == Err(nix::errno::Errno::ESRCH);
        if gone {
            let _ = fs::remove_dir(e.path());
        }
    }
}

/// A cgroup file's text, read on every command: into a page-sized buffer in one
/// `read` (and one more for its end). A cgroup file says it is 0 or 4096 bytes long, so
/// `fs::read_to_string` asks for its size and then grows its buffer from 32 bytes: seven
/// reads for a `memory.stat`. Read from its start whatever was read before: the kernel
/// makes a control file's text anew for a read at offset 0.
fn read_file(file: &fs::File) -> io::Result<String> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; 4096];
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize(len * 2, 0);
        }
        match file.read_at(&mut buf[len..], len as u64) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(len);
    String::from_utf8(buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Whether memory a jail left is still charged to its cgroup and cannot be reclaimed:
/// pages of a tmpfs or shared memory it wrote (a file in a granted `/dev/shm`), or
/// anonymous memory. The next jail given the cgroup would start with that charge
/// against its limit (and be killed for the previous jail's memory); page cache,
/// reclaimed under pressure, does not count.
fn holds_memory(cg: &JailCgroup, version: Version, dir: &Path) -> bool {
    cg.read(dir, "memory.stat")
        .map_or(true, |stat| charged(version, &stat))
}

/// Whether `memory.stat` says unreclaimable memory is charged (see [`holds_memory`]).
fn charged(version: Version, stat: &str) -> bool {
    let names: &[&str] = match version {
        Version::V2 => &["anon", "shmem"],
        Version::V1 => &["total_rss", "total_shmem"],
    };
    stat.lines().any(|l| {
        l.split_once(' ').is_some_and(|(k, v)| {
            names.contains(&k) && v.trim().parse::<u64>().map_or(true, |n| n > 0)
        })
    })
}

/// An idle cgroup of this process with the same controllers as `limits`, with them
/// set, if one is there and empty.
fn reuse(limits: &[(Controller, u64)]) -> Option<JailCgroup> {
    let same = |cg: &JailCgroup| cg.owner == std::process::id() && cg.fits(limits);
    // A kept cgroup whose last jail is still exiting (its end was reported before its
    // shim and PID 1 left: `launch::Jail::wait_ended`) stays kept for a later jail. A
    // process that has left `cgroup.procs` is still counted in `pids.current` until it
    // is reaped: the next jail would start one process short.
    // Every process of a jail is in each of its cgroups (its shim moves itself into
    // all of them before anything else, and the rest inherit them), so where there is
    // a `pids.current` it says alone that none is left: one file read, not one a
    // hierarchy (v1 has three here).
    let unused = |cg: &JailCgroup| match cg
        .dirs
        .iter()
        .find(|(_, _, cs)| cs.contains(&Controller::Pids))
    {
        Some((_, dir, _)) => cg.read(dir, "pids.current").is_ok_and(|n| n.trim() == "0"),
        None => cg
            .dirs
            .iter()
            .all(|(_, dir, _)| cg.read(dir, "cgroup.procs").is_ok_and(|p| p.is_empty())),
    };
    let mut cgroup = {
        let mut idle = IDLE.lock().unwrap_or_else(|e| e.into_inner());
        let i = idle.iter().position(|cg| same(cg) && unused(cg))?;
        idle.swap_remove(i)
    };
    let empty = cgroup.dirs.iter().all(|(version, dir, cs)| {
        !(cs.contains(&Controller::Memory) && holds_memory(&cgroup, *version, dir))
    });
    if !empty || !cgroup.adjust(limits) {
        cgroup.remove();
        return None;
    }
    if cgroup.before_is_stale() {
        cgroup.before = cgroup.counted();
    }
    // Until this jail's counts are read (`events`): kept without them, the cgroup is
    // counted again before its next jail (review 43: a jail's reached limit was told
    // of the next command).
    cgroup.after.set(None);
    Some(cgroup)
}

/// The limits of the last jail given a cgroup: what the next command most likely
/// asks for (`reserve`).
static LAST: Mutex<Vec<(Controller, u64)>> = Mutex::new(Vec::new());

/// A jail is given a cgroup with `limits` (`reserve` makes the next with them).
pub fn remember(limits: &[(Controller, u64)]) {
    limits.clone_into(&mut LAST.lock().unwrap_or_else(|e| e.into_inner()));
}

/// A cgroup for a jail not asked for yet, with the last one's limits: the copy the
/// zygote forks next waits in it (issue 17: entering the cgroups is then off the
/// command's path; `crate::zygote::cgroup_ahead`). `None` before any jail had one,
/// and under a memory limit a waiting copy could reach ([`WAITING_MEMORY`]).
pub fn reserve() -> Option<JailCgroup> {
    let limits = LAST.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let roomy = limits
        .iter()
        .all(|(c, n)| *c != Controller::Memory || *n >= WAITING_MEMORY);
    if limits.is_empty() || !roomy {
        return None;
    }
    JailCgroup::create(&limits).ok()
}

/// The least memory limit under which a copy waits for its command (`reserve`): its
/// count of a limit reached would be the command's (`JailCgroup::events`), and the
/// waiting copy and its PID 1 hold a few MiB (so nothing is reached in a cgroup of
/// 64 MiB or more, and pids are bounded by two more than the command's processes).
const WAITING_MEMORY: u64 = 64 << 20;

impl JailCgroup {
    /// A cgroup with `limits` (a value per controller: pids.max, memory in bytes, CPU
    /// weight 1–10000) for one jail: an idle one of this process, or a new one. Every
    /// controller must be `available`.
    pub fn create(limits: &[(Controller, u64)]) -> Result<JailCgroup, CgroupError> {
        let available = available();
        static CLEANED: Once = Once::new();
        CLEANED.call_once(|| {
            for place in available.places.iter().flatten() {
                remove_stale(&place.dir);
            }
            // SAFETY: registers a plain function with no arguments to run at exit.
            unsafe { libc::atexit(remove_idle) };
        });
        PENDING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|p| fs::remove_dir(p).is_err());
        if let Some(cgroup) = reuse(limits) {
            return Ok(cgroup);
        }
        let name = format!(
            "pola-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut cgroup = JailCgroup {
            dirs: Vec::new(),
            limits: limits.to_vec(),
            before: Events::default(),
            after: std::cell::Cell::new(None),
            owner: std::process::id(),
            open: Default::default(),
        };
        for (c, value) in limits {
            let place = available.places[*c as usize]
                .as_ref()
                .expect("only available controllers are asked for");
            let dir = place.dir.join(&name);
            let i = match cgroup.dirs.iter().position(|(_, d, _)| *d == dir) {
                Some(i) => i,
                None => {
                    fs::create_dir(&dir).map_err(io_error(&dir))?;
                    cgroup.dirs.push((place.version, dir.clone(), Vec::new()));
                    cgroup.dirs.len() - 1
                }
            };
            cgroup.dirs[i].2.push(*c);
            set(place.version, &dir, *c, *value)?;
        }
        Ok(cgroup)
    }

    /// Whether `limits` are for the same controllers as this cgroup's, in the same
    /// order: it can be given them (`adjust`).
    pub fn fits(&self, limits: &[(Controller, u64)]) -> bool {
        self.limits.len() == limits.len() && self.limits.iter().zip(limits).all(|(a, b)| a.0 == b.0)
    }

    /// Set `limits` (for the same controllers: `fits`) where they are not what is set;
    /// false if one could not be set.
    pub fn adjust(&mut self, limits: &[(Controller, u64)]) -> bool {
        for (i, (c, value)) in limits.iter().enumerate() {
            if self.limits[i].1 == *value {
                continue;
            }
            let Some((version, dir, _)) = self.dirs.iter().find(|(_, _, cs)| cs.contains(c)) else {
                return false;
            };
            if set(*version, dir, *c, *value).is_err() {
                return false;
            }
            self.limits[i].1 = *value;
        }
        true
    }

    /// The files the shim writes itself (`0`) into. In v1, `tasks`: it moves the
    /// writing thread only, which is the whole single-threaded shim, and skips the
    /// kernel's global lock that `cgroup.procs` takes, whose first writer after a pause
    /// waits for an RCU grace period (measured: 5–70 ms on this VM, per launch, against
    /// ~70 µs). v2 moves single threads only within a domain, so there `cgroup.procs`.
    pub fn procs_files(&self) -> Vec<PathBuf> {
        self.dirs
            .iter()
            .map(|(version, d, _)| match version {
                Version::V1 => d.join("tasks"),
                Version::V2 => d.join("cgroup.procs"),
            })
            .collect()
    }

    /// What the kernel counted for the current jail.
    pub fn events(&self) -> Events {
        let now = self.counted();
        self.after.set(Some(now));
        Events {
            oom_kills: now.oom_kills - self.before.oom_kills.min(now.oom_kills),
            pids_max: now.pids_max - self.before.pids_max.min(now.pids_max),
        }
    }

    /// Whether `before` is not what the kernel counts now: the last jail's counts were
    /// not read after it ended. (A kept cgroup is empty, so they cannot have changed
    /// since.)
    fn before_is_stale(&self) -> bool {
        self.after.get() != Some(self.before)
    }

    /// What the kernel counted since the cgroup was made.
    fn counted(&self) -> Events {
        let mut events = Events::default();
        for (version, dir, controllers) in &self.dirs {
            for c in controllers {
                let (file, key) = match (c, version) {
                    (Controller::Memory, Version::V1) => ("memory.oom_control", "oom_kill"),
                    (Controller::Memory, Version::V2) => ("memory.events", "oom_kill"),
                    (Controller::Pids, _) => ("pids.events", "max"),
                    (Controller::Cpu, _) => continue,
                };
                let count = counter(&self.read(dir, file).unwrap_or_default(), key);
                match c {
                    Controller::Memory => events.oom_kills += count,
                    _ => events.pids_max += count,
                }
            }
        }
        events
    }
}

/// `key N` from a cgroup's flat-keyed file.
fn counter(text: &str, key: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or(0)
}

/// Set one controller's limit in the jail's cgroup `dir`.
fn set(version: Version, dir: &Path, c: Controller, value: u64) -> Result<(), CgroupError> {
    match (c, version) {
        (Controller::Pids, _) => write(&dir.join("pids.max"), &value.to_string()),
        // RAM and swap together: swap would otherwise be a second, unbounded pool.
        // The kernel keeps RAM's limit at or below the pair's: raised, the pair's goes
        // first (review 43: raising a limit failed, EINVAL).
        (Controller::Memory, Version::V1) => {
            let (ram, both) = (
                dir.join("memory.limit_in_bytes"),
                dir.join("memory.memsw.limit_in_bytes"),
            );
            let value = value.to_string();
            match fs::write(&ram, &value) {
                Ok(()) => write_if_present(&both, &value),
                Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                    write_if_present(&both, &value)?;
                    write(&ram, &value)
                }
                Err(e) => Err(io_error(&ram)(e)),
            }
        }
        (Controller::Memory, Version::V2) => {
            write(&dir.join("memory.max"), &value.to_string())?;
            write_if_present(&dir.join("memory.swap.max"), "0")
        }
        // v1 shares: 1024 is one ordinary process's; v2 weight: 100 is.
        (Controller::Cpu, Version::V1) => write(
            &dir.join("cpu.shares"),
            &(value * 1024 / 100).max(2).to_string(),
        ),
        (Controller::Cpu, Version::V2) => write(&dir.join("cpu.weight"), &value.to_string()),
    }
}

impl JailCgroup {
    /// The text of control file `file` of `dir`, one of the cgroup's directories.
    fn read(&self, dir: &Path, file: &str) -> io::Result<String> {
        let path = dir.join(file);
        let mut open = self.open.borrow_mut();
        let i = match open.iter().position(|(p, _)| *p == path) {
            Some(i) => i,
            None => {
                // Kept open in the shell: above the user's descriptors (`exec 3< f`
                // would replace one in place; a process substitution would skip it).
                let opened = fs::File::from(crate::launch::high_copy(fs::File::open(&path)?)?);
                open.push((path, opened));
                open.len() - 1
            }
        };
        read_file(&open[i].1)
    }

    /// Remove the cgroup; if its last process is still exiting, later.
    fn remove(&mut self) {
        self.open.take();
        for (_, dir, _) in std::mem::take(&mut self.dirs) {
            if fs::remove_dir(&dir).is_err() && dir.exists() {
                PENDING.lock().unwrap_or_else(|e| e.into_inner()).push(dir);
            }
        }
    }
}

impl Drop for JailCgroup {
    /// Keep the jail's cgroup for this process's next jail, or remove it. A forked copy
    /// of the process (a subshell) leaves it to its owner.
    fn drop(&mut self) {
        if self.owner != std::process::id() || self.dirs.is_empty() {
            return;
        }
        {
            let mut idle = IDLE.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < IDLE_MAX {
                idle.push(JailCgroup {
                    dirs: std::mem::take(&mut self.dirs),
                    limits: std::mem::take(&mut self.limits),
                    before: self.after.get().unwrap_or(self.before),
                    after: std::cell::Cell::new(self.after.get()),
                    owner: self.owner,
                    open: std::mem::take(&mut self.open),
                });
                return;
            }
        }
        self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cgroup_holding_tmpfs_or_anonymous_memory_is_not_reused() {
        let v1 = "cache 209715200\nrss 0\nshmem 209715200\ntotal_rss 0\ntotal_shmem 209715200\n";
        assert!(charged(Version::V1, v1));
        let v1_clean = "cache 4096\nrss 0\nshmem 0\ntotal_cache 4096\ntotal_rss 0\ntotal_shmem 0\n";
        assert!(!charged(Version::V1, v1_clean));
        let v2 = "anon 0\nfile 8192\nshmem 65536\nfile_mapped 0\n";
        assert!(charged(Version::V2, v2));
        assert!(!charged(Version::V2, "anon 0\nfile 8192\nshmem 0\n"));
        assert!(charged(Version::V2, "anon 4096\nshmem 0\n"));
    }

    const V1_MOUNTS: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
    const V1_OWN: &str = "8:pids:/\n4:memory:/session/abc\n2:cpuacct:/\n1:cpu:/\n0::/\n";

    #[test]
    fn v1_uses_the_own_cgroup_of_each_hierarchy_when_writable() {
        let all = detect(V1_MOUNTS, V1_OWN, &|_| true);
        assert_eq!(
            all.places[Controller::Memory as usize],
            Some(Place {
                version: Version::V1,
                dir: "/sys/fs/cgroup/memory/session/abc".into()
            })
        );
        assert_eq!(all.version(Controller::Pids), Some(Version::V1));
        assert_eq!(all.version(Controller::Cpu), Some(Version::V1));
        // An unprivileged user may write none of them; the empty unified hierarchy
        // enables no controller.
        let none = detect(V1_MOUNTS, V1_OWN, &|p| {
            p.starts_with("/sys/fs/cgroup/unified")
        });
        assert_eq!(none, Available::default());
    }

    /// A fake cgroup2 tree: `parent` enables `controllers` for its children.
    fn v2_tree(controllers: &str) -> (tempfile::TempDir, String, String) {
        let top = tempfile::tempdir().unwrap();
        let service = top
            .path()
            .join("user.slice/user-1000.slice/user@1000.service");
        let own = service.join("app.slice/term.scope");
        fs::create_dir_all(&own).unwrap();
        fs::write(
            service.join("app.slice/cgroup.subtree_control"),
            controllers,
        )
        .unwrap();
        fs::write(service.join("app.slice/cgroup.procs"), "").unwrap();
        let mounts = format!(
            "30 1 0:26 / {} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
            top.path().display()
        );
        let cgroup =
            "0::/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope\n".to_string();
        (top, mounts, cgroup)
    }

    #[test]
    fn v2_uses_the_parent_of_the_own_cgroup_with_the_controllers_it_enables() {
        let (top, mounts, own) = v2_tree("cpu memory pids\n");
        let app = top
            .path()
            .join("user.slice/user-1000.slice/user@1000.service/app.slice");
        let all = detect(&mounts, &own, &|p| p.starts_with(&app));
        for c in CONTROLLERS {
            assert_eq!(
                all.places[c as usize],
                Some(Place {
                    version: Version::V2,
                    dir: app.clone()
                })
            );
        }
        // Only what the parent enables; nothing where it is not the user's.
        let (_top, mounts, own) = v2_tree("memory\n");
        let some = detect(&mounts, &own, &|_| true);
        assert_eq!(some.version(Controller::Memory), Some(Version::V2));
        assert_eq!(some.version(Controller::Pids), None);
        assert_eq!(detect(&mounts, &own, &|_| false), Available::default());
    }

    #[test]
    fn v2_at_the_root_uses_the_root() {
        let top = tempfile::tempdir().unwrap();
        fs::write(top.path().join("cgroup.subtree_control"), "pids memory\n").unwrap();
        let mounts = format!(
            "30 1 0:26 / {} rw - cgroup2 cgroup2 rw\n",
            top.path().display()
        );
        let all = detect(&mounts, "0::/\n", &|_| true);
        assert_eq!(
            all.places[Controller::Pids as usize],
            Some(Place {
                version: Version::V2,
                dir: top.path().to_path_buf()
            })
        );
        assert_eq!(all.version(Controller::Cpu), None);
    }

    #[test]
    fn counters_are_read_from_flat_keyed_files() {
        let oom = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
        assert_eq!(counter(oom, "oom_kill"), 3);
        assert_eq!(counter("max 12\n", "max"), 12);
        assert_eq!(
            counter("low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n", "max"),
            5
        );
        assert_eq!(counter("", "max"), 0);
    }
}
