//! Supervision: the jail's minimal PID 1, and the shim outside it that the shell waits on.
//!
//! PID 1 starts the command, forwards signals to it, reaps orphans, and when the
//! command ends kills whatever it left running and exits with its status (128 + signal
//! when it was killed), as a shell reports it. Signals the terminal sends (`SI_KERNEL`,
//! Ctrl-C) already reach the whole foreground process group, the command included, so
//! only signals sent with `kill` are forwarded; a Ctrl-C is not delivered twice.
//!
//! Every process of the chain dies with its parent (`PR_SET_PDEATHSIG`), so killing
//! the shell kills the jail (SECURITY.md 22).

use std::ffi::{CStr, CString, OsString};
use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;
use pola_fileserver::plan::{JailPlan, ShimReport};
pub use pola_fileserver::supervise::{block_signals, supervise, supervise_serving};
use pola_fileserver::text::shown;

/// A pipe whose write end the parent keeps: when the read end hangs up, the parent is
/// gone. (`getppid` cannot tell: inside a new PID namespace the parent is always 0.)
pub struct ParentAlive {
    read: OwnedFd,
    write: Option<OwnedFd>,
}

impl ParentAlive {
    pub fn new() -> Result<ParentAlive, Errno> {
        let (read, write) = crate::sys::pipe_high()?;
        Ok(ParentAlive {
            read,
            write: Some(write),
        })
    }

    /// Its descriptors, to keep open.
    pub fn descriptors(&self) -> [Option<i32>; 2] {
        use std::os::fd::AsRawFd;
        [
            Some(self.read.as_raw_fd()),
            self.write.as_ref().map(AsRawFd::as_raw_fd),
        ]
    }

    /// In the child: die with the parent, and make sure it is not already gone.
    pub fn die_with_parent(mut self) -> Result<(), Errno> {
        drop(self.write.take());
        // SAFETY: PR_SET_PDEATHSIG takes an integer argument and touches no memory.
        Errno::result(unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) })?;
        let mut fds = [PollFd::new(self.read.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::ZERO)? > 0 {
            std::process::exit(125);
        }
        Ok(())
    }
}

/// The path the command is started from, made before the lock.
pub struct Program {
    path: CString,
    /// The same string on a page of its own at a random address, if one could be
    /// mapped: the notification filter lets through unasked an `execve` whose path is
    /// at this address (`seccomp::load`).
    placed: Option<std::ptr::NonNull<libc::c_char>>,
}

impl Program {
    /// The path to start the command from: the placed copy if there is one.
    pub fn path(&self) -> &CStr {
        match self.placed {
            // SAFETY: `placed` holds a NUL-terminated copy of `path` on a page this
            // process mapped for it and never unmaps.
            Some(p) => unsafe { CStr::from_ptr(p.as_ptr()) },
            None => &self.path,
        }
    }

    /// The address the notification filter may let through: that of the placed copy.
    /// Its page is mapped at a random address chosen for it alone (`sys::random_page`),
    /// so what a jail could learn of it by timing its own `execve`s tells nothing of
    /// PID 1's heap or libraries, and finding it is a search of 2^34 pages.
    pub fn exempt(&self) -> Option<u64> {
        self.placed.map(|p| p.as_ptr() as u64)
    }
}

pub fn program(plan: &JailPlan) -> Program {
    // A program named by a relative path (`./run.sh`) is started by that path from the
    // working directory, as a shell starts it: a script's interpreter is given the
    // name as typed (its `$0`), not the absolute one.
    // (Not `sub/../run.sh`: `sub` is not in the jail, only the ancestors of the program
    // and of the working directory are.)
    let typed = plan.argv.first().filter(|typed| {
        use std::path::Component;
        let bytes = typed.as_bytes();
        let descends_then_climbs = Path::new(typed)
            .components()
            .skip_while(|c| matches!(c, Component::CurDir | Component::ParentDir))
            .any(|c| c == Component::ParentDir);
        bytes.contains(&b'/')
            && !bytes.starts_with(b"/")
            && !descends_then_climbs
            && lexical(&plan.cwd.join(typed)) == plan.exec
    });
    let path = cstring(
        typed
            .map_or(plan.exec.as_os_str(), |t| t.as_os_str())
            .as_bytes(),
    );
    let bytes = path.as_bytes_with_nul();
    let placed = crate::sys::random_page(bytes.len()).map(|page| {
        // SAFETY: the page is ours, writable, and at least `bytes.len()` long.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), page.as_ptr(), bytes.len()) };
        page.cast::<libc::c_char>()
    });
    Program { path, placed }
}

fn cstring(bytes: &[u8]) -> CString {
    // Interior NULs cannot come from a command line; cut there if they do.
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).expect("NUL removed")
}

fn cstrings(list: &[OsString]) -> Vec<CString> {
    list.iter().map(|s| cstring(s.as_bytes())).collect()
}

/// Why the command could not be started, as a shell reports it.
pub struct ExecFailure {
    pub status: i32,
    pub message: String,
}

/// Start the command (with the powerbox socket at `powerbox::FD`, if there is one).
/// Returns its pid once `execve` has succeeded.
///
/// As `posix_spawn` would (`CLONE_VM | CLONE_VFORK`: PID 1's memory is not copied for
/// a child that replaces it at once), but with only the calls this child needs
/// (`sys::spawn`): a clean signal mask, SIGPIPE back at its default (the Rust runtime
/// ignores it, and an ignored SIGPIPE would survive exec and break `yes | head`), the
/// powerbox socket in place without close-on-exec.
pub fn start_command(
    plan: &JailPlan,
    exec: &CStr,
    powerbox: Option<&OwnedFd>,
) -> Result<Pid, ExecFailure> {
    use std::os::fd::AsRawFd;
    let argv = cstrings(&plan.argv);
    let env = cstrings(&plan.env);
    let pointers = |list: &[CString]| -> Vec<*const libc::c_char> {
        list.iter()
            .map(|s| s.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect()
    };
    let (argv_ptrs, env_ptrs) = (pointers(&argv), pointers(&env));
    // The user's limits, within the jail's own (its RLIMIT_NPROC, RLIMIT_DATA): none
    // can be raised here, where no capability reaches the host's.
    let rlimits: Vec<(u32, libc::rlimit)> = plan
        .limits
        .rlimits
        .iter()
        .map(|r| {
            let mut now = libc::rlimit {
                rlim_cur: libc::RLIM_INFINITY,
                rlim_max: libc::RLIM_INFINITY,
            };
            // SAFETY: getrlimit writes the one struct it is given.
            unsafe { libc::getrlimit(r.resource as _, &mut now) };
            let hard = r.hard.min(now.rlim_max);
            let limit = libc::rlimit {
                rlim_cur: r.soft.min(hard),
                rlim_max: hard,
            };
            (r.resource, limit)
        })
        .collect();
    let spawn = crate::sys::SpawnPlan {
        path: exec,
        argv: &argv_ptrs,
        envp: &env_ptrs,
        dup: powerbox.map(|fd| (fd.as_raw_fd(), pola_fileserver::powerbox::FD)),
        // In the jail's own session (`session.rs`), the command leads a process group
        // that is its terminal's foreground job: the child makes it so before `execve`,
        // with every signal still blocked, so no SIGTTOU can stop it first.
        leader: plan.session.as_ref().map(|session| session.terminal),
        defaults: &[libc::SIGPIPE, libc::SIGSEGV, libc::SIGBUS],
        rlimits: &rlimits,
    };
    crate::sys::spawn(&spawn).map_err(|errno| match errno {
        Errno::ENOENT => ExecFailure {
            status: 127,
            message: format!(
                "{}: command not found in the jail (what it needs is not granted: see help grants, pola-run --learn)",
                shown(&plan.exec)
            ),
        },
        errno => ExecFailure {
            status: 126,
            message: format!("{}: cannot execute: {}", shown(&plan.exec), errno.desc()),
        },
    })
}

/// Tell the fileserver the command is running.
pub fn report(socket: &std::os::unix::net::UnixStream, report: &ShimReport) {
    if let Ok(mut line) = serde_json::to_vec(report) {
        line.push(b'\n');
        let _ = (&*socket).write_all(&line);
    }
}

/// After the command: end whatever it left running in the jail. Returns how many
/// processes that was.
pub fn kill_the_rest() -> usize {
    let _ = kill(Pid::from_raw(-1), Signal::SIGKILL);
    let mut ended = 0;
    while let Ok(status) = waitpid(None, None) {
        if status == WaitStatus::StillAlive {
            break;
        }
        ended += 1;
    }
    ended
}

/// Count files (not directories) left in a private scratch directory, not counting
/// anything mounted into it, nor the other scratch directories (`skip`) that share its
/// file system, nor what programs leave in a home as they go
/// (`pola_fileserver::hints::incidental`).
pub fn leftovers(
    dir: &Path,
    skip: &[OsString],
    made: &[&Path],
    failed: bool,
) -> (usize, Vec<PathBuf>) {
    use std::os::unix::fs::MetadataExt;
    let Ok(top) = std::fs::symlink_metadata(dir) else {
        return (0, Vec::new());
    };
    let mut count = 0;
    let mut named = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut empty = true;
        // One more left behind: a file, or a directory (shown with a `/`).
        let mut one = |path: &Path, slash: bool, named: &mut Vec<PathBuf>| {
            let rel = path.strip_prefix(dir).unwrap_or(path);
            let incidental = match failed {
                true => pola_fileserver::hints::incidental_after_failure(rel, path),
                false => pola_fileserver::hints::incidental(rel),
            };
            // (Nor a file the plan made there: the proxy's `.curlrc` was said to be
            // the command's, discarded; trial 14.)
            if incidental || made.contains(&path) {
                return;
            }
            count += 1;
            if named.len() < LEFTOVERS_NAMED {
                let mut rel = path
                    .strip_prefix(dir)
                    .unwrap_or(path)
                    .as_os_str()
                    .to_os_string();
                if slash {
                    rel.push("/");
                }
                named.push(PathBuf::from(rel));
            }
        };
        for e in entries.flatten() {
            empty = false;
            let Ok(meta) = e.path().symlink_metadata() else {
                continue;
            };
            if meta.dev() != top.dev() || skip.iter().any(|s| Path::new(s) == e.path()) {
                continue;
            }
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                one(&e.path(), false, &mut named);
            }
        }
        // An empty directory it made (`mkdir notes` in a private home) is one too.
        if empty && d != dir {
            one(&d, true, &mut named);
        }
    }
    named.sort();
    (count, named)
}

/// How many of the files left in a private directory are named in the message.
const LEFTOVERS_NAMED: usize = 3;

/// `path` with `.` and `..` taken away as text (as the shell found the program).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::from("/");
    for part in path.components() {
        match part {
            Component::Normal(name) => out.push(name),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out
}
