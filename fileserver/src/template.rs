//! The default environment held ready by a shell's zygote: the cost of building a
//! jailed command's `/usr` and `/etc` (~30 read-only binds, generated files, links)
//! again for every command (issue 17; bench/README.md, "Where the time goes").
//!
//! Every command of a shell gets the same default environment, yet each jail opened,
//! checked, copied and attached every one of its binds again (the largest part of
//! building a root: ~15 µs and ten system calls a bind on the machines measured). The
//! shell now sends its zygote the parts of the plan made only of the default
//! environment — each top-level directory whose whole subtree is directories, binds of
//! the default environment, links and generated files (`/usr`, `/etc`) — once, with
//! the binds' witness descriptors: with its second command (a shell that runs one
//! command never pays for it), and the zygote makes it once it has answered that
//! command, so no command waits for it. The zygote builds each such subtree as a jail would
//! (every bind opened with `RESOLVE_NO_SYMLINKS`, checked to be its witness's device
//! and inode, read-only, nosuid, nodev; a directory's own tmpfs made read-only once
//! filled) in a template mount namespace of its own. A jail's PID 1 copies that
//! namespace (one `unshare(CLONE_NEWNS)`, a few µs a mount) and moves each subtree it
//! may take into its fresh root with one `move_mount`.
//!
//! Nothing is taken on trust from the template: a subtree is taken only when the
//! command's own plan has exactly its nodes there, and each bind's witness — opened
//! for this very command — is the object the template holds (same device and inode).
//! The shell compares its subtrees with the ones its zygote holds on every command and
//! sends new ones when anything differs (a replaced `/etc/resolv.conf`, an upgraded
//! `/etc/ld.so.cache`); a subtree that differs is built the old way. Everything else of
//! the jail (its root, private `/tmp` and home, `/dev`, `/proc`, devpts, the command's
//! grants) is made per command as before, and the jail is locked as before
//! (`pola-shim`'s `lock_down`): the moved subtrees are mounts of the jail's own
//! namespace like the others. A template's tmpfs is one file system shared by every
//! jail that took it, which is why it is read-only and holds only what every command
//! of the shell sees anyway.
//!
//! Message to the zygote, on its `SOCK_SEQPACKET` socket: `[b'T', JSON of the
//! subtrees]` with one witness descriptor per bind, in order; no reply.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::os::fd::{BorrowedFd, RawFd};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::plan::{JailPlan, PlanNode, Step};
use crate::resolve::Resolved;

/// How [`Kept`]'s paths are hashed: looked up for each of the default environment's
/// binds on every command, a hash and one comparison cost less than a tree's walk
/// comparing paths component by component (perf: bench/README.md, "Thirty-first stop").
type PathHash = std::hash::BuildHasherDefault<std::hash::DefaultHasher>;

/// Witnesses of the default environment's read-only binds and devices, kept from one
/// command to the next by the process that resolves them (the shell).
static KEPT: std::sync::Mutex<Kept> = std::sync::Mutex::new(Kept {
    witnesses: HashMap::with_hasher(PathHash::new()),
    unchanged: HashSet::with_hasher(PathHash::new()),
    watch: None,
    unwatchable: false,
    me: 0,
    looked: 0,
});

/// How many commands' kept paths a shell checks with `lstat`s before it watches them
/// instead (`Watch`), unless it watches from its first command on (an interactive
/// shell: [`watch_at_once`]). A watch saves ~50 µs a command but costs more than 10 ms
/// once: the kernel waits for a grace period as the inotify descriptor holding watches
/// is closed, and a shell's exit closes it. Every script of two commands or more waited
/// for that (`pola-sh -c 'cat f; cat f'`: 24 → 14 ms; bench/README.md, twenty-eighth
/// stop). From about this many commands on, a watch has paid for itself.
/// `POLA_WATCH_AFTER=N` (read once) sets another number: the tests watch from the
/// first command on with 0.
const WATCH_AFTER: u32 = 200;

fn watch_after() -> u32 {
    static AFTER: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *AFTER.get_or_init(|| {
        std::env::var("POLA_WATCH_AFTER")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(WATCH_AFTER)
    })
}

/// Watch the kept paths from the first command that looks at them (an interactive
/// shell, whose exit nobody waits for).
static WATCH_AT_ONCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// This process watches the kept paths from its first command on (an interactive
/// shell), not only once it has run [`WATCH_AFTER`] commands.
pub fn watch_at_once() {
    WATCH_AT_ONCE.store(true, std::sync::atomic::Ordering::Relaxed);
}

struct Kept {
    witnesses: HashMap<PathBuf, crate::resolve::WitnessFd, PathHash>,
    /// The kept paths checked since the watch was made and known to name their
    /// witness's object still: nothing was said since.
    unchanged: HashSet<PathBuf, PathHash>,
    watch: Option<Watch>,
    /// No watch could be made: every path is checked with an `lstat`, command after
    /// command.
    unwatchable: bool,
    /// This process, as `notice_changes` found it before the witnesses are taken (a
    /// system call each time it is asked: not once for each of them). 0: not known,
    /// no watch is this process's.
    me: u32,
    /// Commands whose kept paths were checked without a watch ([`WATCH_AFTER`]).
    looked: u32,
}

/// What tells the shell that a kept path may name another object now, so that the
/// paths need not be checked again (31 `lstat`s, ~40–100 µs, on every command of a
/// shell with the default environment; bench/README.md, "Fourteenth stop"). A path
/// names another object only if an entry on its way is created, deleted or renamed
/// (inotify, on each directory it goes through, from `/` down) or if something is
/// mounted or unmounted (`crate::mounts`). Two `poll`s a command; after anything at
/// all, every path is checked again, and watched anew.
struct Watch {
    /// The process that made it: a forked copy of the shell shares its descriptors
    /// and would take the events its shell has to see, so it checks every path.
    owner: u32,
    inotify: nix::sys::inotify::Inotify,
    /// The mount table's changes counted when the watch was made.
    mounts: u64,
    watched: BTreeSet<PathBuf>,
}

impl Watch {
    fn new() -> Option<Watch> {
        use nix::sys::inotify::{InitFlags, Inotify};
        let made = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).ok()?;
        // Above the descriptors a user may name, as the witnesses are.
        let high = crate::launch::high_copy(made).ok()?;
        // SAFETY: `high` is a duplicate of an inotify descriptor, held by nothing else.
        let inotify = unsafe { Inotify::from_owned_fd(high) };
        let mounts = crate::mounts::changes()?;
        Some(Watch {
            owner: std::process::id(),
            inotify,
            mounts,
            watched: BTreeSet::new(),
        })
    }

    /// After something was said: the events read and let go of, the mount table's
    /// count taken again, and every directory to be watched anew (`above`: the ones
    /// still there keep their watch, and were watched all along). The same
    /// descriptor, not a new watch: closing this one would wait for a grace period on
    /// the command's way. False if the mount table cannot be counted.
    fn renew(&mut self) -> bool {
        // Events that keep coming are said again at the next command's look.
        for _ in 0..64 {
            if self.inotify.read_events().is_err() {
                break;
            }
        }
        self.watched.clear();
        match crate::mounts::changes() {
            Some(count) => {
                self.mounts = count;
                true
            }
            None => false,
        }
    }

    /// Whether anything was said since the watch was made, or the watch cannot tell.
    fn said_anything(&self) -> bool {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        use std::os::fd::AsFd;
        let mut fds = [PollFd::new(self.inotify.as_fd(), PollFlags::POLLIN)];
        !matches!(poll(&mut fds, PollTimeout::ZERO), Ok(0))
            || crate::mounts::changes() != Some(self.mounts)
    }

    /// Watch every directory `path` goes through, from the top: a directory replaced
    /// once its parent is watched is said. False if one cannot be watched.
    fn above(&mut self, path: &Path) -> bool {
        use nix::sys::inotify::AddWatchFlags as F;
        let changes = F::IN_CREATE
            | F::IN_DELETE
            | F::IN_MOVED_FROM
            | F::IN_MOVED_TO
            | F::IN_DELETE_SELF
            | F::IN_MOVE_SELF
            | F::IN_ONLYDIR;
        let dirs: Vec<&Path> = path.ancestors().skip(1).collect();
        for dir in dirs.into_iter().rev() {
            if !self.watched.contains(dir) {
                if self.inotify.add_watch(dir, changes).is_err() {
                    return false;
                }
                self.watched.insert(dir.to_path_buf());
            }
        }
        true
    }
}

/// Once for each command's resolving, before its default environment's witnesses are
/// taken (`kept_witness`): if the watch said anything, no kept path is known
/// unchanged any more, and the watch is renewed. Without a watch, one more command
/// whose kept paths are checked one by one ([`WATCH_AFTER`]).
pub(crate) fn notice_changes() {
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    kept.me = std::process::id();
    let me = kept.me;
    let quiet = match &kept.watch {
        Some(watch) if watch.owner == me => !watch.said_anything(),
        _ => {
            kept.looked = kept.looked.saturating_add(1);
            return;
        }
    };
    if !quiet {
        kept.unchanged.clear();
        let renewed = kept.watch.as_mut().is_some_and(Watch::renew);
        if !renewed {
            kept.watch = None;
            kept.unwatchable = true;
        }
    }
}

/// The witness of the default environment's bind of `path`: the one kept from an
/// earlier command if `path` still names its very object, else resolved again as any
/// grant is (`crate::resolve`) and kept. Still names it: nothing was said by the watch
/// since it was checked (`Watch`, made once it is worth it: from the first command an
/// interactive shell checks, from the [`WATCH_AFTER`]th of any other; a shell of one
/// command and `pola-run` have none), or else one `lstat` shows the same device and
/// inode (a link in its place is another inode). Opening and checking each bind
/// (planted links, `/proc`, its canonical path: six system calls) cost every command
/// ~0.3 ms.
pub(crate) fn kept_witness(
    path: &Path,
) -> Result<crate::resolve::WitnessFd, crate::resolve::ResolveError> {
    use crate::resolve::WitnessFd;
    let mut guard = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    let kept = &mut *guard;
    if let Some(w) = kept.witnesses.get(path) {
        let worth = kept.looked >= watch_after()
            || WATCH_AT_ONCE.load(std::sync::atomic::Ordering::Relaxed);
        if kept.watch.is_none() && !kept.unwatchable && worth {
            kept.watch = Watch::new();
            kept.unwatchable = kept.watch.is_none();
        }
        let me = kept.me;
        let mut watch = kept.watch.as_mut().filter(|w| w.owner == me);
        if watch.is_some() && kept.unchanged.contains(path) {
            return Ok(w.clone());
        }
        // Watched before it is looked at: any change from now on is said.
        let watched = watch.as_mut().is_some_and(|w| w.above(path));
        if nix::sys::stat::lstat(path).is_ok_and(|st| (st.st_dev, st.st_ino) == (w.dev, w.ino)) {
            if watched {
                kept.unchanged.insert(path.to_path_buf());
            }
            return Ok(w.clone());
        }
    }
    let mut fresh = WitnessFd::open(path)?;
    // Kept above the descriptors a user may name (`exec 3< f` would replace it in
    // place, and the next command's jail would find another object than its witness):
    // where the shell keeps its own, out of reach of redirections.
    if let Ok(high) = crate::launch::high_copy(&*fresh.fd) {
        fresh.fd = std::sync::Arc::new(high);
        kept.witnesses.insert(path.to_path_buf(), fresh.clone());
    }
    Ok(fresh)
}

/// The tag of a template message to the zygote.
pub const TAG: u8 = b'T';

/// The most binds a template holds (one message's descriptors).
pub const MAX_BINDS: usize = crate::launch::FDS_PER_MESSAGE;

/// A node of a subtree, as the plan has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Dir,
    /// A bind of the default environment, and its witness's device and inode.
    Bind {
        #[serde(with = "crate::plan::bytes")]
        host: PathBuf,
        is_dir: bool,
        writable: bool,
        device: bool,
        dev: u64,
        ino: u64,
    },
    Symlink {
        #[serde(with = "crate::plan::bytes")]
        target: PathBuf,
    },
    File {
        contents: String,
    },
    /// Where each jail mounts a file system of its own (`/dev/pts`, `/dev/shm`): an
    /// empty directory here, mounted over by the jail once it took the subtree. A
    /// `devpts` needs nothing of the command's plan: a warm jail mounts it ahead.
    Mount {
        devpts: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    #[serde(with = "crate::plan::bytes")]
    pub path: PathBuf,
    pub kind: Kind,
}

/// A top-level directory of the jail and everything below it, in plan order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subtree {
    pub nodes: Vec<Node>,
}

impl Subtree {
    /// Where it is in a jail.
    pub fn top(&self) -> &Path {
        &self.nodes[0].path
    }

    /// Whether its top is a directory (else a bind of a file).
    pub fn top_is_dir(&self) -> bool {
        match &self.nodes[0].kind {
            Kind::Bind { is_dir, .. } => *is_dir,
            _ => true,
        }
    }

    /// How many binds (witnesses) it has.
    pub fn binds(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n.kind, Kind::Bind { .. }))
            .count()
    }
}

/// The top-level directory `path` is in (`/etc` for `/etc/default/locale`).
pub fn top_of(path: &Path) -> Option<PathBuf> {
    let mut parts = path.components();
    match (parts.next(), parts.next()) {
        (Some(Component::RootDir), Some(Component::Normal(name))) => {
            Some(Path::new("/").join(name))
        }
        _ => None,
    }
}

/// The node of `step` at `path` if a template may hold it; `identity` gives a bind's
/// witness's (device, inode).
pub fn node_of(
    path: &Path,
    step: &Step,
    identity: impl FnOnce(usize) -> Option<(u64, u64)>,
) -> Option<Node> {
    let kind = match step {
        Step::Dir { seal: false } => Kind::Dir,
        Step::Bind {
            host,
            witness,
            is_dir,
            writable,
            device,
            default: true,
        } => {
            let (dev, ino) = identity(*witness)?;
            Kind::Bind {
                host: host.clone(),
                is_dir: *is_dir,
                writable: *writable,
                device: *device,
                dev,
                ino,
            }
        }
        Step::Symlink { target } => Kind::Symlink {
            target: target.clone(),
        },
        Step::File { contents } => Kind::File {
            contents: contents.clone(),
        },
        Step::Devpts => Kind::Mount { devpts: true },
        step if per_jail(step) => Kind::Mount { devpts: false },
        _ => return None,
    };
    Some(Node {
        path: path.to_path_buf(),
        kind,
    })
}

/// The plan's subtrees a template may hold: for each top-level directory (or bind),
/// the range of its nodes in `nodes` and the subtree, when every node there is one a
/// template may hold. Never the one holding the working directory `cwd`: that is the
/// command's own (with hints, its skeleton is a file system the server serves).
pub fn subtrees(
    nodes: &[PlanNode],
    cwd: &Path,
    identity: impl Fn(usize) -> Option<(u64, u64)>,
) -> Vec<(std::ops::Range<usize>, Subtree)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < nodes.len() {
        let top = match top_of(&nodes[i].path) {
            Some(top) if top == nodes[i].path => top,
            _ => {
                i += 1;
                continue;
            }
        };
        let end = i + nodes[i..]
            .iter()
            .take_while(|n| n.path.starts_with(&top))
            .count();
        if cwd.starts_with(&top) {
            i = end;
            continue;
        }
        let is_tree = matches!(
            nodes[i].step,
            Step::Dir { seal: false } | Step::Bind { default: true, .. }
        );
        let held: Option<Vec<Node>> = nodes[i..end]
            .iter()
            .map(|n| node_of(&n.path, &n.step, &identity))
            .collect();
        // Nothing of the template below a jail's own mount: it would be hidden there.
        // What is below a node follows it at once (parents before children, a node's
        // whole subtree together, as `end` above takes it), so the next node says it.
        let covered = |held: &[Node]| {
            held.windows(2).any(|w| {
                matches!(w[0].kind, Kind::Mount { .. }) && w[1].path.starts_with(&w[0].path)
            })
        };
        let held = held.filter(|h| !covered(h));
        if let (true, Some(held)) = (is_tree, held) {
            // A lone directory gains nothing from a template.
            if held.len() > 1 || matches!(held[0].kind, Kind::Bind { .. }) {
                out.push((i..end, Subtree { nodes: held }));
            }
        }
        i = end;
    }
    out
}

/// Whether the node `step` of a subtree taken from the template is still the jail's to
/// make: a file system of its own, mounted on the template's `Kind::Mount`.
pub fn per_jail(step: &Step) -> bool {
    matches!(step, Step::Devpts | Step::Tmpfs { .. })
}

/// The subtrees of `plan` a template may hold, with their binds' witnesses in order.
pub fn of_plan<'a>(plan: &JailPlan, resolved: &'a Resolved) -> (Vec<Subtree>, Vec<BorrowedFd<'a>>) {
    use std::os::fd::AsFd;
    let identity = |w: usize| resolved.witnesses.get(w).map(|w| (w.dev, w.ino));
    let mut trees = Vec::new();
    let mut fds = Vec::new();
    for (range, tree) in subtrees(&plan.nodes, &plan.cwd, identity) {
        if fds.len() + tree.binds() > MAX_BINDS {
            break;
        }
        for node in &plan.nodes[range] {
            if let Step::Bind { witness, .. } = node.step {
                if let Some(w) = resolved.witnesses.get(witness) {
                    fds.push(w.fd.as_fd());
                }
            }
        }
        trees.push(tree);
    }
    (trees, fds)
}

/// The message carrying `trees`.
pub fn encode(trees: &[Subtree]) -> Vec<u8> {
    let mut out = vec![TAG];
    // Serialising plain data into memory cannot fail.
    out.extend(serde_json::to_vec(trees).unwrap_or_default());
    out
}

/// The subtrees of a template message (without its tag) with `fds` descriptors, if it
/// is one.
pub fn decode(bytes: &[u8], fds: usize) -> Option<Vec<Subtree>> {
    let trees: Vec<Subtree> = serde_json::from_slice(bytes).ok()?;
    let well_formed = trees.iter().all(|t| {
        !t.nodes.is_empty()
            && top_of(t.top()).as_deref() == Some(t.top())
            && t.nodes.iter().all(|n| n.path.starts_with(t.top()))
    });
    let binds: usize = trees.iter().map(Subtree::binds).sum();
    (well_formed && binds == fds && fds <= MAX_BINDS).then_some(trees)
}

/// Raw descriptors, for SCM_RIGHTS.
pub fn raw(fds: &[BorrowedFd<'_>]) -> Vec<RawFd> {
    use std::os::fd::AsRawFd;
    fds.iter().map(|fd| fd.as_raw_fd()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::plan::tests::node;

    fn bind(host: &str, witness: usize, default: bool) -> Step {
        Step::Bind {
            host: host.into(),
            witness,
            is_dir: false,
            writable: false,
            device: false,
            default,
        }
    }

    #[test]
    fn only_subtrees_of_the_default_environment_are_held() {
        let nodes = vec![
            node("/", Step::Dir { seal: false }),
            node(
                "/bin",
                Step::Symlink {
                    target: "usr/bin".into(),
                },
            ),
            node("/etc", Step::Dir { seal: false }),
            node("/etc/ld.so.cache", bind("/etc/ld.so.cache", 0, true)),
            node(
                "/etc/passwd",
                Step::File {
                    contents: "root:x:0:0::/:/bin/sh\n".into(),
                },
            ),
            node("/home", Step::Dir { seal: false }),
            node("/home/u", Step::Dir { seal: false }),
            node("/home/u/f", bind("/home/u/f", 1, false)),
            node("/tmp", Step::Tmpfs { mode: 0o1777 }),
            node("/tmp/x", Step::Dir { seal: false }),
            node(
                "/usr",
                Step::Bind {
                    host: "/usr".into(),
                    witness: 2,
                    is_dir: true,
                    writable: false,
                    device: false,
                    default: true,
                },
            ),
        ];
        let trees = subtrees(&nodes, Path::new("/nowhere"), |w| Some((1, w as u64)));
        let tops: Vec<_> = trees
            .iter()
            .map(|(r, t)| (r.clone(), t.top().to_path_buf()))
            .collect();
        assert_eq!(
            tops,
            vec![
                (2..5, PathBuf::from("/etc")),
                (10..11, PathBuf::from("/usr"))
            ]
        );
        assert_eq!(trees[0].1.binds(), 1);
        let bytes = encode(&[trees[0].1.clone()]);
        assert_eq!(bytes[0], TAG);
        assert_eq!(decode(&bytes[1..], 1), Some(vec![trees[0].1.clone()]));
        assert_eq!(decode(&bytes[1..], 2), None);
        assert_eq!(decode(b"{", 0), None);
        // A node outside its subtree's directory is refused.
        let mut odd = trees[0].1.clone();
        odd.nodes[1].path = "/usr/x".into();
        assert_eq!(decode(&encode(&[odd])[1..], 1), None);
        // A bind replaced on the host is another node.
        let again = subtrees(&nodes, Path::new("/nowhere"), |w| Some((1, w as u64 + 100)));
        assert_ne!(again[0].1, trees[0].1);
    }

    #[test]
    fn dev_is_held_with_mount_points_for_the_jails_own_file_systems() {
        let device = |host: &str, witness| Step::Bind {
            host: host.into(),
            witness,
            is_dir: false,
            writable: true,
            device: true,
            default: true,
        };
        let mut nodes = vec![
            node("/dev", Step::Dir { seal: false }),
            node("/dev/null", device("/dev/null", 0)),
            node(
                "/dev/ptmx",
                Step::Symlink {
                    target: "pts/ptmx".into(),
                },
            ),
            node("/dev/pts", Step::Devpts),
            node("/dev/shm", Step::Tmpfs { mode: 0o1777 }),
        ];
        let trees = subtrees(&nodes, Path::new("/nowhere"), |w| Some((1, w as u64)));
        assert_eq!(trees.len(), 1);
        assert_eq!(trees[0].0, 0..5);
        let kinds: Vec<_> = trees[0].1.nodes.iter().map(|n| n.kind.clone()).collect();
        assert_eq!(
            kinds[3..],
            [Kind::Mount { devpts: true }, Kind::Mount { devpts: false }]
        );
        // What each jail mounts itself, and nothing else.
        let own: Vec<_> = nodes.iter().filter(|n| per_jail(&n.step)).collect();
        assert_eq!(own.len(), 2);
        // Something below a jail's own file system is not the template's to hold: the
        // jail's mount would hide it.
        nodes.push(node("/dev/shm/x", Step::Dir { seal: false }));
        assert!(subtrees(&nodes, Path::new("/nowhere"), |w| Some((1, w as u64))).is_empty());
        // Nor is a grant of the user's in /dev.
        nodes.pop();
        nodes.insert(2, node("/dev/sda", bind("/dev/sda", 1, false)));
        assert!(subtrees(&nodes, Path::new("/nowhere"), |w| Some((1, w as u64))).is_empty());
    }
}
