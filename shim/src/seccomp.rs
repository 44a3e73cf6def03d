//! The seccomp filter: system calls the command must never reach.
//!
//! The mount namespace is the boundary; this filter removes kernel attack surface and
//! the calls that could undo or bypass the boundary (SECURITY.md 10–12, 16–18, 23):
//!
//! - kernel surface (keys, bpf, perf, userfaultfd, kexec, modules, acct, swap, syslog,
//!   clocks), the whole mount API, `pivot_root`, `setns`, `open_by_handle_at` and
//!   `name_to_handle_at` (the "shocker" escape), and io_uring (whose requests would
//!   bypass this filter): `ENOSYS`, so programs take their fallback paths;
//! - new namespaces through `clone`/`unshare` flags (a nested user namespace would give
//!   the command capabilities again): `EPERM`. `clone3` passes its flags in memory the
//!   filter cannot read, so it gets `ENOSYS` and libc falls back to `clone`;
//! - `ioctl(TIOCSTI)` and `ioctl(TIOCLINUX)`, compared on the low 32 bits of the request
//!   as the kernel does, so `TIOCSTI | 1 << 32` is caught too: `EPERM`;
//! - any other architecture's entry (i386 `int 0x80`; x32 numbers): `ENOSYS`.
//!
//! Privilege drops (§4.5 of Traps and Pitfalls) never fail silently: a `set*id` call to
//! the jail's own ids works as usual; one to any other id, and `setgroups` (the jail has
//! no `CAP_SETGID` and only one group mapped), kills the process instead of leaving it
//! running with the privileges it meant to give up.

use libseccomp::{ScmpAction, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall};
use pola_fileserver::network::Network;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SeccompError {
    #[error("seccomp: {0}")]
    Library(#[from] libseccomp::error::SeccompError),
    #[error("seccomp: cannot load the privilege-drop filter: {0}")]
    Load(nix::errno::Errno),
}

/// Denied with ENOSYS: the kernel surface a jailed command has no business with.
const DENIED: &[libc::c_long] = &[
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_acct,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_syslog,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_clock_adjtime,
    libc::SYS_adjtimex,
    libc::SYS_reboot,
    libc::SYS_quotactl,
    libc::SYS_quotactl_fd,
    libc::SYS_lookup_dcookie,
    libc::SYS_vhangup,
    libc::SYS_iopl,
    libc::SYS_ioperm,
    libc::SYS_uselib,
    libc::SYS_fanotify_init,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_open_tree,
    libc::SYS_move_mount,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
    libc::SYS_pivot_root,
    libc::SYS_setns,
    libc::SYS_open_by_handle_at,
    libc::SYS_name_to_handle_at,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_clone3,
];

const NAMESPACE_FLAGS: &[u64] = &[
    libc::CLONE_NEWNS as u64,
    libc::CLONE_NEWCGROUP as u64,
    libc::CLONE_NEWUTS as u64,
    libc::CLONE_NEWIPC as u64,
    libc::CLONE_NEWUSER as u64,
    libc::CLONE_NEWPID as u64,
    libc::CLONE_NEWNET as u64,
    libc::CLONE_NEWTIME as u64,
];

const TERMINAL_INJECTION: &[u64] = &[libc::TIOCSTI, libc::TIOCLINUX];

/// `(uid_t)-1`, "leave unchanged".
const UNCHANGED: u32 = 0xffff_ffff;

/// The `set*id` calls, how many id arguments each has, and whether -1 means
/// "leave unchanged" for it.
const ID_CALLS: &[(libc::c_long, u32, bool, IdKind)] = &[
    (libc::SYS_setuid, 1, false, IdKind::User),
    (libc::SYS_setreuid, 2, true, IdKind::User),
    (libc::SYS_setresuid, 3, true, IdKind::User),
    (libc::SYS_setfsuid, 1, true, IdKind::User),
    (libc::SYS_setgid, 1, false, IdKind::Group),
    (libc::SYS_setregid, 2, true, IdKind::Group),
    (libc::SYS_setresgid, 3, true, IdKind::Group),
    (libc::SYS_setfsgid, 1, true, IdKind::Group),
];

#[derive(Clone, Copy)]
enum IdKind {
    User,
    Group,
}

fn sys(nr: libc::c_long) -> ScmpSyscall {
    ScmpSyscall::from(nr as i32)
}

/// With `@net:connect=…`/`@net:bind=…` the jail shares the host's network but may only
/// speak TCP, which Landlock holds to the listed ports: every other socket family than
/// Unix, IPv4, IPv6 and netlink, every IPv4/IPv6 socket type but stream, and stream
/// sockets of another protocol than TCP (SCTP, MPTCP) are refused with EACCES, as is
/// TCP Fast Open (`MSG_FASTOPEN` connects inside `sendto`/`sendmsg`).
fn tcp_only(f: &mut ScmpFilterContext) -> Result<(), SeccompError> {
    let deny = ScmpAction::Errno(libc::EACCES);
    let socket = sys(libc::SYS_socket);
    let allowed = [
        libc::AF_UNIX,
        libc::AF_INET,
        libc::AF_INET6,
        libc::AF_NETLINK,
    ];
    for family in (0..libc::AF_NETLINK).filter(|f| !allowed.contains(f)) {
        let is = [ScmpArgCompare::new(0, ScmpCompareOp::Equal, family as u64)];
        f.add_rule_conditional(deny, socket, &is)?;
    }
    // Arguments are compared as 64-bit values: any stray upper bit makes "greater".
    let above = [ScmpArgCompare::new(
        0,
        ScmpCompareOp::Greater,
        libc::AF_NETLINK as u64,
    )];
    f.add_rule_conditional(deny, socket, &above)?;
    for family in [libc::AF_INET, libc::AF_INET6] {
        let inet = ScmpArgCompare::new(0, ScmpCompareOp::Equal, family as u64);
        for kind in 0..16u64 {
            if kind == libc::SOCK_STREAM as u64 {
                continue;
            }
            let of_kind = ScmpArgCompare::new(1, ScmpCompareOp::MaskedEqual(0xf), kind);
            f.add_rule_conditional(deny, socket, &[inet, of_kind])?;
        }
        let not_tcp = ScmpArgCompare::new(2, ScmpCompareOp::Greater, libc::IPPROTO_TCP as u64);
        f.add_rule_conditional(deny, socket, &[inet, not_tcp])?;
    }
    let fast_open = libc::MSG_FASTOPEN as u64;
    let sendto_fo = [ScmpArgCompare::new(
        3,
        ScmpCompareOp::MaskedEqual(fast_open),
        fast_open,
    )];
    f.add_rule_conditional(deny, sys(libc::SYS_sendto), &sendto_fo)?;
    let sendmsg_fo = [ScmpArgCompare::new(
        2,
        ScmpCompareOp::MaskedEqual(fast_open),
        fast_open,
    )];
    f.add_rule_conditional(deny, sys(libc::SYS_sendmsg), &sendmsg_fo)?;
    Ok(())
}

/// Build the main filter.
pub fn filter(net: &Network) -> Result<ScmpFilterContext, SeccompError> {
    let mut f = ScmpFilterContext::new(ScmpAction::Allow)?;
    f.set_act_badarch(ScmpAction::Errno(libc::ENOSYS))?;
    // no_new_privs is set explicitly by the lock-down, before Landlock.
    f.set_ctl_nnp(false)?;
    // A binary tree of syscall numbers instead of a linear list: the filter runs on
    // every system call the command makes, so its length is paid per call.
    f.set_ctl_optimize(2)?;
    for &nr in DENIED {
        f.add_rule(ScmpAction::Errno(libc::ENOSYS), sys(nr))?;
    }
    for &flag in NAMESPACE_FLAGS {
        let has = [ScmpArgCompare::new(
            0,
            ScmpCompareOp::MaskedEqual(flag),
            flag,
        )];
        f.add_rule_conditional(ScmpAction::Errno(libc::EPERM), sys(libc::SYS_clone), &has)?;
        f.add_rule_conditional(ScmpAction::Errno(libc::EPERM), sys(libc::SYS_unshare), &has)?;
    }
    for &request in TERMINAL_INJECTION {
        let is = [ScmpArgCompare::new(
            1,
            ScmpCompareOp::MaskedEqual(0xffff_ffff),
            request,
        )];
        f.add_rule_conditional(ScmpAction::Errno(libc::EPERM), sys(libc::SYS_ioctl), &is)?;
    }
    f.add_rule(ScmpAction::KillProcess, sys(libc::SYS_setgroups))?;
    if matches!(net, Network::Ports { .. }) {
        tcp_only(&mut f)?;
    }
    Ok(f)
}

/// The privilege-drop filter, as classic BPF.
///
/// "Argument is the own id or -1" needs two comparisons on one argument, which
/// libseccomp cannot express in a rule, and the generic builders kill on a foreign
/// architecture where this jail answers ENOSYS; so this one small program is written
/// out here. It only ever kills or allows; foreign architectures pass through to the
/// main filter. Per call: `nr == N` → for each id argument: load its low 32 bits (the
/// kernel reads ids as 32-bit), allow on the own id or "unchanged", else kill.
pub fn id_filter(uid: u32, gid: u32) -> Vec<libc::sock_filter> {
    const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
    let stmt = |code, k| libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    };
    let jump = |k, jt, jf| libc::sock_filter {
        code: JEQ_K,
        jt,
        jf,
        k,
    };
    let allow = stmt(RET_K, libc::SECCOMP_RET_ALLOW);
    let kill = stmt(RET_K, libc::SECCOMP_RET_KILL_PROCESS);

    let mut prog = vec![
        stmt(LD_W_ABS, ARCH),
        jump(AUDIT_ARCH_X86_64, 1, 0),
        allow,
        stmt(LD_W_ABS, NR),
    ];
    for &(nr, args, unchanged_ok, kind) in ID_CALLS {
        let own = match kind {
            IdKind::User => uid,
            IdKind::Group => gid,
        };
        let mut block = Vec::new();
        for arg in 0..args {
            // Low half of args[arg] in struct seccomp_data (little-endian).
            block.push(stmt(LD_W_ABS, 16 + 8 * arg));
            if unchanged_ok {
                block.push(jump(own, 2, 0));
                block.push(jump(UNCHANGED, 1, 0));
            } else {
                block.push(jump(own, 1, 0));
            }
            block.push(kill);
        }
        block.push(allow);
        prog.push(jump(nr as u32, 0, block.len() as u8));
        prog.extend(block);
    }
    prog.push(allow);
    prog
}

/// Mediated mode: a filter that turns the path-taking calls into notifications.
/// Returns the listener, for the server; every other call passes to the main filter.
pub fn notify_filter() -> Result<std::os::fd::OwnedFd, SeccompError> {
    let mut f = ScmpFilterContext::new(ScmpAction::Allow)?;
    f.set_ctl_nnp(false)?;
    for call in pola_fileserver::mediate::WATCHED {
        f.add_rule(ScmpAction::Notify, sys(call.nr))?;
    }
    f.load()?;
    let fd = f.get_notify_fd()?;
    // SAFETY: libseccomp hands over the listener it just created; nothing else owns it.
    Ok(unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) })
}

/// Load both filters into this process; every child inherits them.
pub fn load(uid: u32, gid: u32, net: &Network) -> Result<(), SeccompError> {
    filter(net)?.load()?;
    crate::sys::load_bpf(&id_filter(uid, gid)).map_err(SeccompError::Load)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every denied call has its rule, also those the running kernel lacks (where the
    /// end-to-end test cannot tell the filter's ENOSYS from the kernel's).
    #[test]
    fn every_denied_call_has_a_rule() {
        let out = tempfile::NamedTempFile::new().unwrap();
        filter(&Network::Private)
            .unwrap()
            .export_pfc(out.as_file())
            .unwrap();
        let pfc = std::fs::read_to_string(out.path()).unwrap();
        for &nr in DENIED {
            let name = ScmpSyscall::from(nr as i32)
                .get_name()
                .unwrap_or_else(|_| nr.to_string());
            let rule = pfc
                .lines()
                .skip_while(|l| !l.contains(&format!("syscall \"{name}\"")))
                .nth(2)
                .unwrap_or_else(|| panic!("no rule for {name}:\n{pfc}"));
            assert!(rule.contains("action ERRNO(38)"), "{name}: {rule}");
        }
    }

    #[test]
    fn filter_builds_and_exports() {
        let f = filter(&Network::Private).unwrap();
        let out = tempfile::tempfile().unwrap();
        f.export_bpf(&out).unwrap();
        assert!(out.metadata().unwrap().len() > 0);
    }
}
