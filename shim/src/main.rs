//! pola-shim: the inside of a jail.
//!
//! Started by the shell with a socket at descriptor 3, on which the fileserver sends
//! the plan (the namespace to build) and a witness descriptor for every grant. The
//! jail is built in the order below; that order is the security argument:
//!
//! 1. `limits::enter_cgroups`: into the jail's own cgroups (resource limits).
//! 2. `namespaces::enter`: new user (own uid/gid only), mount, PID, IPC, UTS, network
//!    and cgroup namespaces; a fork makes the child PID 1 of the jail, which (for an
//!    interactive pola-sh) leads a session of its own on the jail's own terminal
//!    (`session::enter`).
//! 3. `rootfs::build`: a fresh tmpfs root with only the plan's nodes, every grant
//!    checked against its witness, then `pivot_root` and the old root detached; the
//!    private scratch directories share one tmpfs of the jail's size
//!    (`limits::Scratch`), and root's jail without a pids cgroup is bounded by its PID
//!    namespace's `pid_max` first (`limits::number_pids`).
//!    A jail forked by the zygote takes the parts of its plan that are the default
//!    environment (`/usr`, `/etc`) ready-made from the zygote's template (`template`),
//!    each bind's witness checked against what the template holds.
//! 4. `lock_down`: a nested user + mount namespace (mounts become locked), per-jail
//!    rlimits (`limits::restrict`), no core dumps, no_new_privs, no capabilities,
//!    Landlock, seccomp, undumpable PID 1.
//! 5. `init`: start the command, forward signals, reap, kill what it left, report the
//!    limits it reached, exit with its status.
//!
//! pola-sh starts one `pola-shim --zygote` (`zygote.rs`) and has it fork each jail's
//! shim instead of executing a new one; such a shim begins at `shim()` like a spawned
//! one, with the user namespace and a fresh network namespace already made, and
//! usually (`warm.rs`) with the jail's other namespaces and its PID 1 made too, while
//! it waited: steps 1–3 then run in that PID 1 (`warm_pid1`), with its root partly
//! made (`rootfs::Prepared`), and the shim only enters the cgroups and supervises.

mod capabilities;
mod channel;
mod cwd_host;
mod init;
mod landlock;
mod limits;
mod namespaces;
mod proxy;
mod rootfs;
mod seccomp;
mod session;
mod slots;
mod sys;
mod template;
mod userns_refusal;
mod warm;
mod zygote;

use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use nix::sys::resource::{setrlimit, Resource};
use pola_fileserver::plan::{JailPlan, ShimReport};
use thiserror::Error;

use crate::sys::Forked;

#[derive(Debug, Error)]
enum ShimError {
    #[error(transparent)]
    Namespace(#[from] namespaces::NamespaceError),
    #[error(transparent)]
    Rootfs(#[from] rootfs::RootfsError),
    #[error(transparent)]
    Caps(#[from] capabilities::CapsError),
    #[error(transparent)]
    Seccomp(#[from] seccomp::SeccompError),
    #[error(transparent)]
    Limits(#[from] limits::LimitsError),
    #[error("landlock: {0}")]
    Landlock(#[from] ::landlock::RulesetError),
    #[error("{0}: {1}")]
    Step(&'static str, nix::errno::Errno),
    #[error("{message}")]
    Exec { status: i32, message: String },
}

fn step(what: &'static str) -> impl Fn(nix::errno::Errno) -> ShimError {
    move |errno| ShimError::Step(what, errno)
}

fn main() {
    if std::env::args_os()
        .nth(2)
        .is_some_and(|a| a == pola_fileserver::zygote::NO_TERMINALS_ARG)
    {
        session::no_terminals_ahead();
    }
    match std::env::args_os().nth(1) {
        Some(a) if a == pola_fileserver::zygote::ARG => zygote::serve(false),
        Some(a) if a == pola_fileserver::zygote::ONCE_ARG => zygote::serve(true),
        _ => {}
    }
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == pola_fileserver::cwd_host::ARG)
    {
        cwd_host::serve();
    }
    shim(None)
}

/// A shim: from the socket at descriptor 10 to the command's exit status. Started by
/// the launcher, or forked by the shell's zygote (with its jail made ahead: `warm`).
fn shim(warm: Option<warm::Warm>) -> ! {
    // The jail dies with its launcher (SECURITY.md 22), even if that happened already.
    if !sys::die_with_launcher() {
        std::process::exit(125);
    }
    // Nothing the launcher's parent left open may reach the jail (SECURITY.md 7):
    // everything above the socket now, and 3–9 unless the plan keeps them
    // (`channel::receive`).
    // The zygote's template (`template`) stays, for PID 1 to copy.
    // So does the socket to the zygote (`zygote::hold_mount_namespace`, `started`).
    let mut keep = vec![template::descriptor(), zygote::start_signal()];
    keep.extend(warm.iter().flat_map(warm::Warm::descriptors));
    sys::close_from_except(pola_fileserver::launch::SHIM_SOCKET_FD as u32 + 1, &keep);
    // A warm jail's PID 1 reads the plan and hands it on here. Once it has the request
    // this copy cannot make the jail itself (its PID namespace's init is that PID 1),
    // nor read the server's socket (PID 1 may have taken the plan from it).
    let from_pid1 = match &warm {
        Some(w) => match w.plan() {
            Some(received) => Some(received),
            None => {
                eprintln!("pola-shim: the jail's PID 1 ended before its command started");
                std::process::exit(125);
            }
        },
        None => None,
    };
    let (socket, received) = match channel::socket().and_then(|s| {
        let received = match from_pid1 {
            Some(received) => received,
            None => channel::receive(&s)?,
        };
        Ok((s, received))
    }) {
        Ok(received) => received,
        // Nothing to say: no command was given to it.
        Err(channel::ChannelError::Abandoned) => std::process::exit(125),
        Err(e) => {
            eprintln!("pola-shim: {e}");
            std::process::exit(125);
        }
    };
    // A copy of the zygote carried the waiting copy's name until now (`zygote`).
    zygote::set_name("pola-shim");
    // Its PID 1 refused a plan that does not fit it (the shell never sends one).
    if warm.is_some() && !warm::fits(&received.plan) {
        eprintln!("pola-shim: a jail made ahead cannot take this plan");
        std::process::exit(125);
    }
    let channel::Received {
        plan,
        witnesses,
        powerbox,
        supervisor,
        encoded: _,
    } = received;
    let who = format!("{}: {}", plan.program, plan.command);
    match jail(&plan, witnesses, powerbox, supervisor, &socket, warm) {
        Ok(status) => sys::leave(status),
        Err(ShimError::Exec { status, message }) => {
            eprintln!("{who}: {message}");
            std::process::exit(status);
        }
        Err(e) => {
            eprintln!("{who}: {e}");
            std::process::exit(125);
        }
    }
}

/// Enter the namespaces and split into the supervisor (outside) and PID 1 (inside);
/// with `warm`, both are there already, and PID 1 has the plan (`warm`).
fn jail(
    plan: &JailPlan,
    witnesses: Vec<OwnedFd>,
    powerbox: Option<OwnedFd>,
    supervisor: Option<OwnedFd>,
    socket: &UnixStream,
    warm: Option<warm::Warm>,
) -> Result<i32, ShimError> {
    init::block_signals().map_err(step("block signals"))?;
    let (warm, parent_alive, stops) = match warm {
        Some(w) => (Some((w.pid1, w.link)), w.parent_alive, Some(w.stops)),
        None => (None, init::ParentAlive::new().map_err(step("pipe"))?, None),
    };
    let stops = match &plan.session {
        Some(_) => {
            session::block_signals().map_err(step("block signals"))?;
            match stops {
                Some(stops) => Some(stops),
                None => Some(session::Stops::new().map_err(step("pipe"))?),
            }
        }
        None => None,
    };
    limits::enter_cgroups(&plan.limits)?;
    if warm.is_none() {
        namespaces::enter(plan.uid, plan.gid, plan.net.shares_host())?;
        // Nothing mounted for the jail may propagate back to the host's namespace.
        slots::make_private("make the jail's mount namespace private")?;
        // Torn down by the zygote once this shim has exited, not by its exit.
        zygote::hold_mount_namespace();
    }
    // A copy made ahead in the zygote's copy of the host's namespace, which the
    // other copies share, makes the carriers in one of its own.
    let own = match (&warm, slots::wanted(plan)) {
        (Some(_), true) => namespaces::leave_snapshot()?,
        _ => None,
    };
    let carriers = slots::carriers(plan, &witnesses)?;
    let forked = match &warm {
        Some((pid1, link)) => {
            warm::settle(link, *pid1, plan.session.is_some(), own.as_ref())
                .map_err(step("put PID 1 in the command's process group"))?;
            Forked::Parent(*pid1)
        }
        None => sys::fork().map_err(step("fork"))?,
    };
    // The link to a warm PID 1 stays open while it builds (its end is its word that
    // this supervisor is gone).
    let _link = warm;
    match forked {
        Forked::Parent(pid1) => {
            sys::close_all(witnesses);
            drop(powerbox);
            let _keep_open = parent_alive;
            // Serve the server's slot requests (if any) while supervising PID 1.
            let requests = match (&carriers, supervisor) {
                (Some(_), Some(s)) => Some(UnixStream::from(s)),
                _ => None,
            };
            let mut reader = requests.as_ref().map(std::io::BufReader::new);
            let mut serve = || match (&carriers, reader.as_mut()) {
                (Some(c), Some(r)) => c.serve_one(r),
                _ => false,
            };
            let service = requests.as_ref().map(|s| {
                (
                    std::os::fd::AsFd::as_fd(s),
                    &mut serve as &mut dyn FnMut() -> bool,
                )
            });
            Ok(match stops {
                Some(stops) => session::supervise_shim(pid1, stops, socket, service),
                None => init::supervise_serving(pid1, false, service),
            })
        }
        Forked::Child => {
            drop(supervisor);
            // The jail is built in a mount namespace of its own, so the supervisor's
            // keeps the host in view (to mount slots later) and its carriers.
            if carriers.is_some() {
                nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)
                    .map_err(step("leave the supervisor's mount namespace"))?;
            }
            drop(carriers);
            let built = pid1(
                plan,
                witnesses,
                powerbox,
                socket,
                Some(parent_alive),
                stops,
                None,
            );
            sys::leave(status_of(plan, built));
        }
    }
}

/// PID 1's exit status, its error said as a shell says it.
fn status_of(plan: &JailPlan, built: Result<i32, ShimError>) -> i32 {
    match built {
        Ok(status) => status,
        Err(ShimError::Exec { status, message }) => {
            eprintln!("{}: {}: {message}", plan.program, plan.command);
            status
        }
        Err(e) => {
            eprintln!("{}: {}: {e}", plan.program, plan.command);
            125
        }
    }
}

/// A warm jail's PID 1 (`warm`), its request's descriptors in place: the plan from
/// its copy, the namespaces that wait for it, then on as any PID 1.
fn warm_pid1(mut link: warm::Link, stops: session::Stops, prepared: Option<rootfs::Prepared>) -> ! {
    let received = channel::socket().and_then(|s| {
        let received = channel::receive(&s)?;
        Ok((s, received))
    });
    let (socket, mut received) = match received {
        Ok(received) => received,
        // Given up by the shell: nothing to say.
        Err(channel::ChannelError::Abandoned) => std::process::exit(125),
        Err(e) => {
            eprintln!("pola-shim: {e}");
            std::process::exit(125);
        }
    };
    // The copy gone, or the plan not for this jail: the copy says why.
    if warm::hand_plan(&link, &mut received).is_err() || !warm::fits(&received.plan) {
        std::process::exit(125);
    }
    pola_fileserver::phases::stamp("plan");
    let channel::Received {
        plan,
        witnesses,
        powerbox,
        ..
    } = received;
    let stops = plan.session.as_ref().map(|_| stops);
    let built = (|| {
        if plan.session.is_some() {
            session::block_signals().map_err(step("block signals"))?;
        }
        // Into the jail's cgroups itself (`limits::enter_cgroups`), then a cgroup
        // namespace rooted there, as the shim's own was.
        limits::enter_cgroups(&plan.limits)?;
        namespaces::cgroup_after_move()?;
        namespaces::network_on_the_path()?;
        // With slots, the jail is built in a copy of the namespace that holds the
        // carriers, once the copy has made them.
        if slots::wanted(&plan) {
            link.take_carriers()
                .map_err(step("copy the supervisor's mount namespace"))?;
        }
        pid1(
            &plan,
            witnesses,
            powerbox,
            &socket,
            None,
            stops,
            Some((&mut link, prepared)),
        )
    })();
    sys::leave(status_of(&plan, built))
}

/// PID 1 of the jail: build it, lock it, run the command. A warm one (`warm`: its link
/// to its copy, its root as far as it was made ahead) dies with its parent already,
/// and waits for its copy's word before the lock.
fn pid1(
    plan: &JailPlan,
    witnesses: Vec<OwnedFd>,
    powerbox: Option<OwnedFd>,
    socket: &UnixStream,
    parent_alive: Option<init::ParentAlive>,
    stops: Option<session::Stops>,
    warm: Option<(&mut warm::Link, Option<rootfs::Prepared>)>,
) -> Result<i32, ShimError> {
    if let Some(parent_alive) = parent_alive {
        parent_alive
            .die_with_parent()
            .map_err(step("PR_SET_PDEATHSIG"))?;
    }
    // Away from the launcher's terminal, on the jail's own (SECURITY.md 28, 29).
    let terminal = match &plan.session {
        Some(s) => session::enter(s).map_err(step("make the jail's session"))?,
        None => None,
    };
    if plan.launch_delay_ms > 0 {
        // Tell the test the witnesses are taken and nothing is mounted yet.
        eprintln!(
            "pola-shim: pausing {} ms before mounting (test hook)",
            plan.launch_delay_ms
        );
        std::thread::sleep(Duration::from_millis(plan.launch_delay_ms));
    }
    limits::number_pids(&plan.limits)?;
    // A warm PID 1 without slots still shares its supervisor's mount namespace.
    let shared = warm.is_some() && !slots::wanted(plan);
    let (link, prepared) = match warm {
        Some((link, prepared)) => (Some(link), prepared),
        None => (None, None),
    };
    // The host's `/proc` in place of the jail's own (`@ps`): read-only, so the lock's
    // maps are written through this process's own directory, kept now.
    if rootfs::binds_host_proc(plan) {
        namespaces::keep_own_proc()?;
    }
    let mut built = rootfs::build(plan, &witnesses, socket, shared, prepared)?;
    pola_fileserver::phases::stamp("built");
    sys::close_all(witnesses);
    // What the scratch file system holds before the command: its directories, and
    // those of the skeleton made in them (the working directory in the private home).
    let scratch_built = limits::scratch_stat(plan).as_ref().and_then(inodes_used);
    if let Some(s) = &plan.session {
        session::make_terminal(s, socket, built.take_terminal())
            .map_err(step("make the jail's terminal"))?;
    }
    // The zygote brought up the loopback of the namespaces it made ahead.
    if !plan.net.shares_host() && !namespaces::network_made_ahead() {
        sys::loopback_up().map_err(step("bring up loopback"))?;
    }
    if let Some(port) = plan.proxy {
        proxy::offer(port, socket).map_err(step("listen for the network proxy"))?;
        let named = pola_fileserver::proxy::named_addresses(plan.net.hosts());
        proxy::offer_named(&named, socket).map_err(step("listen for the hosts granted"))?;
    }
    nix::unistd::chdir(plan.cwd.as_path()).map_err(step("enter the working directory"))?;
    if let Some(link) = link {
        link.settled()
            .map_err(step("wait for the jail's process group"))?;
    }
    pola_fileserver::phases::stamp("settled");
    let program = init::program(plan);
    let mut listener = lock_down(plan, program.exempt())?;
    pola_fileserver::phases::stamp("restricted");
    let send = |listener: seccomp::Listener| {
        channel::send_listener(socket, &listener.fd).map_err(step("send the seccomp listener"))
    };
    // The seccomp listener goes to the shell once the command is on its way, not
    // before: the shell takes it and starts serving it (a thread) while the command
    // execs, instead of before PID 1 may go on (they share a CPU, most often). The
    // command's own `execve` is not asked about (`seccomp::exempt_exec`); anything it
    // asks about waits in the kernel until the shell reads the listener. Sent even if
    // the command could not start: the shell reads it before any report. Where that
    // `execve` is asked about (no page could be placed for its path), the server must
    // have the listener first: the spawn waits for that `execve`'s answer.
    if let Some(first) = listener.take_if(|l| !l.exec_exempt) {
        send(first)?;
    }
    let command = init::start_command(plan, program.path(), powerbox.as_ref());
    pola_fileserver::phases::stamp("spawned");
    if let Some(listener) = listener {
        send(listener)?;
    }
    // The zygote may work ahead while the command runs: told as soon as the command is
    // executed (the spawn returns then), not before — its work (forking the next
    // copy) took the core this PID 1 was starting the command on: 0.5 ms more to the
    // command's `exec`, measured (bench/README.md, "Seventh stop").
    built.give_to_zygote();
    zygote::started();
    let command = command.map_err(|f| ShimError::Exec {
        status: f.status,
        message: f.message,
    })?;
    init::report(socket, &ShimReport::Launched);
    built.release();
    let status = match stops {
        Some(stops) => session::supervise_leader(command, terminal, stops),
        None => init::supervise(command, true),
    };
    pola_fileserver::phases::stamp("exited");
    if let Some((signal, core)) = pola_fileserver::supervise::death() {
        init::report(socket, &ShimReport::Died { signal, core });
    }
    let others = init::kill_the_rest();
    let scratch = limits::scratch_stat(plan);
    for kind in limits::reached(plan, others, scratch.as_ref()) {
        init::report(socket, &ShimReport::Limit(kind));
    }
    // A file the user named that the command wrote in its private scratch is lost: the
    // command fails, loudly, as a write outside the grants does elsewhere (`cd ~ &&
    // sort in -o sorted` succeeded, and `&& rm in` went on with the result gone).
    let status = match report_leftovers(plan, scratch_built, scratch.as_ref(), status != 0) {
        true if status == 0 => 1,
        _ => status,
    };
    // Last: whatever PID 1 says reaches the terminal before the shell goes on.
    init::report(socket, &ShimReport::Ended(status));
    pola_fileserver::phases::stamp("ended");
    Ok(status)
}

/// Whether a core dump of the command would be a file it could have written itself:
/// `kernel.core_pattern` names a file (not `|` a helper, run outside the jail as root,
/// nor `@` a socket whose listener stores it outside; security review),
/// which the kernel opens from the dumping process's own root and working directory —
/// in the jail, where only its grants are writable — and `fs.suid_dumpable` is 0 (at 2,
/// a process made undumpable by executing a file it may not read is dumped from the
/// machine's root, as root). Then the command keeps the limit it was given (`ulimit
/// -c` in the shell, or the user's own): a C programmer's crash leaves its core where
/// the command may write (`./crash + => .`; trial 13: none could be had but by `!!`).
fn core_dumps_stay_inside() -> bool {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let pattern = read("/proc/sys/kernel/core_pattern");
    let suid = read("/proc/sys/fs/suid_dumpable");
    core_dumps_are_files(pattern.as_deref(), suid.as_deref())
}

/// [`core_dumps_stay_inside`], from the two settings' text (`None`: unreadable).
fn core_dumps_are_files(pattern: Option<&str>, suid_dumpable: Option<&str>) -> bool {
    let file =
        pattern.is_some_and(|p| pola_fileserver::limits::core_pattern_names_a_file(p.as_bytes()));
    file && suid_dumpable.is_some_and(|s| s.trim() == "0")
}

/// Take away everything the command must not have. Runs in PID 1, so the command and
/// every process it starts inherit all of it.
/// Returns the seccomp notification listener, if the plan has a notification filter.
fn lock_down(plan: &JailPlan, exempt: Option<u64>) -> Result<Option<seccomp::Listener>, ShimError> {
    // The namespace the jail was built in, and the locked one: the zygote releases
    // both once the jail is gone (PID 1 leaving the first would tear it down now).
    zygote::hold_mount_namespace_until_started();
    namespaces::lock(plan.uid, plan.gid)?;
    pola_fileserver::phases::stamp("locked");
    zygote::hold_mount_namespace_until_started();
    limits::restrict(&plan.limits)?;
    // A core dump could land outside the grants (SECURITY.md 20), unless the kernel
    // writes it where the command could write a file itself; and only where the user
    // asked for dumps (`ulimit -c`, or a soft limit of their own), so that no command
    // reads the settings for nothing.
    let asked = plan
        .limits
        .rlimits
        .iter()
        .any(|r| r.resource == libc::RLIMIT_CORE && r.soft > 0)
        || nix::sys::resource::getrlimit(Resource::RLIMIT_CORE).is_ok_and(|(soft, _)| soft > 0);
    if !(asked && core_dumps_stay_inside()) {
        setrlimit(Resource::RLIMIT_CORE, 0, 0).map_err(step("RLIMIT_CORE"))?;
    }
    sys::set_no_new_privs().map_err(step("PR_SET_NO_NEW_PRIVS"))?;
    capabilities::drop_all()?;
    let status = landlock::restrict(plan)?;
    // The host's processes are out of the jail's reach through their `/proc` files
    // (`environ`, `root`, `fd`, `mem`) because Landlock refuses a jail's ptrace of a
    // process outside its domain: without Landlock, no such jail.
    if rootfs::binds_host_proc(plan) && status == ::landlock::RulesetStatus::NotEnforced {
        return Err(ShimError::Exec {
            status: 125,
            message: "@ps needs Landlock, which this kernel does not enforce: the host's processes' files would be the jail's to read".into(),
        });
    }
    sys::set_undumpable().map_err(step("PR_SET_DUMPABLE"))?;
    Ok(seccomp::load(&plan.seccomp, exempt)?)
}

/// The inodes a scratch file system (its `statfs`) has in use; `None` if it does not
/// count them (a tmpfs without a bound on its inodes).
fn inodes_used(st: &nix::sys::statvfs::Statvfs) -> Option<u64> {
    (st.files() > 0).then(|| st.files().saturating_sub(st.files_free()))
}

/// Whether the jail's scratch file system (`scratch`, its `statfs` after the command)
/// holds no more than it did before the command (`built` inodes in use): no walk of
/// each directory. They all share one tmpfs (`limits::Scratch`), so its count of
/// inodes in use says it: every file, directory or link left anywhere in them takes
/// one, and what was there before cannot be removed to make room (the scratch
/// directories and the working directory's are mount points, the directories above
/// them not empty).
fn scratch_untouched(
    plan: &JailPlan,
    built: Option<u64>,
    scratch: Option<&nix::sys::statvfs::Statvfs>,
) -> bool {
    if plan.scratch.is_empty() {
        return true;
    }
    match (built, scratch.and_then(inodes_used)) {
        (Some(before), Some(after)) => after <= before,
        _ => false,
    }
}

/// The place a word names to install into (`hints::install_place`: `PREFIX=PATH`,
/// `DESTDIR=`, `--prefix=`), or pip's `--root=`.
fn install_prefix(word: &std::ffi::OsStr) -> Option<&std::ffi::OsStr> {
    use std::os::unix::ffi::OsStrExt;
    pola_fileserver::hints::install_place(word)
        .or_else(|| {
            let root = word.as_bytes().strip_prefix(b"--root=")?;
            Some(std::ffi::OsStr::from_bytes(root))
        })
        .filter(|v| !v.is_empty())
}

/// "pola-sh: tee: 1 file left in private /root was discarded: notes.txt (a write
/// grant keeps a file: tee … => notes.txt)". The names are the jail's: escaped.
/// Whether a file discarded is one the command line named (the user meant to keep it).
fn report_leftovers(
    plan: &JailPlan,
    built: Option<u64>,
    scratch: Option<&nix::sys::statvfs::Statvfs>,
    failed: bool,
) -> bool {
    use pola_fileserver::text::shown;
    if scratch_untouched(plan, built, scratch) {
        return false;
    }
    let mut lost = false;
    let made: Vec<&std::path::Path> = plan
        .nodes
        .iter()
        .filter(|n| matches!(n.step, pola_fileserver::plan::Step::File { .. }))
        .map(|n| n.path.as_path())
        .collect();
    for dir in &plan.scratch {
        let dir = std::path::Path::new(dir);
        let (n, named) = init::leftovers(dir, &plan.scratch, &made, failed);
        if n == 0 {
            continue;
        }
        let directories = named
            .iter()
            .any(|p| p.as_os_str().as_encoded_bytes().ends_with(b"/"));
        let (files, were) = pola_fileserver::text::left_over(n, directories);
        let list = pola_fileserver::text::names(&named, n > named.len());
        // A file the user named (`ssh-keygen -f ~/.ssh/key`, `tee notes.txt` in a
        // private working directory): a write grant keeps it. Only for a name the user
        // typed: a grant suggested for a name the jail chose (`.bashrc`) would be the
        // jail's choice.
        // Or a directory above it that the line names as where to install
        // (`make install PREFIX=~/.local`: the files it installed went to the private
        // home, status 0; new-user trial). Only such a value: a word the jail's files
        // happen to be below (`.ssh`) would make the grant suggested the jail's choice
        // (security review), and never a dot-directory of the home but `.local`.
        // A word as the jail saw it (`../out` from a directory in the home).
        let path = |w: &std::ffi::OsStr| {
            let joined = plan.cwd.join(w);
            pola_fileserver::namespace::normalize(&joined).unwrap_or(joined)
        };
        let words: Vec<(&std::ffi::OsStr, std::path::PathBuf)> = plan
            .argv
            .iter()
            .skip(1)
            .map(|w| (w.as_os_str(), path(w)))
            .collect();
        let fulls: Vec<std::path::PathBuf> = named
            .iter()
            .map(|n| dir.join(n.components().as_path()))
            .collect();
        let typed = fulls.iter().find_map(|full| {
            words.iter().find_map(|(w, at)| {
                if at == full {
                    // And what it made beside it under the same name (`ssh-keygen -f
                    // ~/.ssh/key` made key.pub too, and was told only of key; new-user
                    // trial).
                    let mut beside = String::new();
                    let mut stem = at.as_os_str().as_encoded_bytes().to_vec();
                    stem.push(b'.');
                    for other in &fulls {
                        let other = other.as_os_str().as_encoded_bytes();
                        if let Some(suffix) = other.strip_prefix(stem.as_slice()) {
                            let mut grant = w.as_encoded_bytes().to_vec();
                            grant.push(b'.');
                            grant.extend_from_slice(suffix);
                            let grant =
                                <std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(
                                    grant,
                                );
                            beside.push_str(&format!(" + => {}", shown(&grant)));
                        }
                    }
                    return Some(format!("=> {}{beside}", shown(w)));
                }
                let value = install_prefix(w)?;
                let above = path(value);
                let hidden = above
                    .strip_prefix(dir)
                    .ok()
                    .and_then(|r| r.components().next())
                    .is_some_and(|c| {
                        let c = c.as_os_str().as_encoded_bytes();
                        c.starts_with(b".") && c != b".local"
                    });
                (above != dir && !hidden && above.starts_with(dir) && full.starts_with(&above))
                    .then(|| format!("+ => {}", shown(value)))
            })
        });
        // Or below a word of the line, a directory the command made there (`git
        // worktree add ../wt` from a project in the home: the new work tree was
        // discarded, status 0; new-user trial): lost too, and the command fails. No
        // grant is suggested: what is below it is the jail's choice (`ls .ssh`, then
        // `.ssh/authorized_keys` written there; security review).
        let below = fulls.iter().find_map(|full| {
            words.iter().find_map(|(w, at)| {
                (!w.as_encoded_bytes().starts_with(b"-")
                    && at != dir
                    && at.starts_with(dir)
                    && full.starts_with(at))
                .then_some(*w)
            })
        });
        lost |= typed.is_some() || below.is_some();
        let keep = match (typed, below) {
            (Some(grant), _) => {
                let them = if grant.contains(" + => ") {
                    "them"
                } else {
                    "it"
                };
                format!(" (a write grant keeps {them}: {} … {grant})", plan.command)
            }
            (None, Some(w)) => format!(" (below {}, which the line names)", shown(w)),
            (None, None) => String::new(),
        };
        eprintln!(
            "{}: {}: {n} {files} left in private {} {were} discarded: {list}{keep}",
            plan.program,
            plan.command,
            shown(dir)
        );
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::core_dumps_are_files;

    #[test]
    fn core_dumps_are_kept_only_as_files_the_jail_could_write() {
        assert!(core_dumps_are_files(Some("core\n"), Some("0\n")));
        assert!(core_dumps_are_files(
            Some("/var/crash/core.%e.%p\n"),
            Some("0\n")
        ));
        // A helper outside the jail, or a dump from the machine's root.
        let helper = "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h\n";
        assert!(!core_dumps_are_files(Some(helper), Some("0\n")));
        assert!(!core_dumps_are_files(Some(" |/bin/helper\n"), Some("0\n")));
        assert!(!core_dumps_are_files(
            Some("@/run/systemd/coredump-kernel\n"),
            Some("0\n")
        ));
        assert!(!core_dumps_are_files(Some("@@/run/cd.sock\n"), Some("0\n")));
        assert!(!core_dumps_are_files(Some("core\n"), Some("2\n")));
        assert!(!core_dumps_are_files(None, Some("0\n")));
        assert!(!core_dumps_are_files(Some("core\n"), None));
        assert!(!core_dumps_are_files(Some(""), Some("0")));
    }
}
