//! The seccomp filter: system calls the command must never reach.
//!
//! Compiled here, in the server, once per combination of ids, network and mode for the
//! life of the process (a shell compiles it once, not once per command), and sent to
//! the shim in the plan as classic BPF, which it loads as its last step of lock-down.
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
//! - `openat2`, whose `open_how` is in memory: `ENOSYS` (libc opens with `openat`);
//! - a mode with `S_ISUID` or `S_ISGID` in `chmod`, `fchmod`, `fchmodat(2)`, `mknod(at)`,
//!   `creat` and a creating `open(at)`: `EPERM`. A jail that could leave a
//!   set-user-ID program in a directory it may write would hand its user's (or root's)
//!   identity to every local user who runs it;
//! - `ioctl(TIOCSTI)` and `ioctl(TIOCLINUX)`, compared on the low 32 bits of the request
//!   as the kernel does, so `TIOCSTI | 1 << 32` is caught too: `EPERM`;
//! - any other architecture's entry (i386 `int 0x80`; x32 numbers): `ENOSYS`.
//!
//! Privilege drops (§4.5 of Traps and Pitfalls) never fail silently: a `set*id` call to
//! the jail's own ids works as usual; one to any other id, and `setgroups` (the jail has
//! no `CAP_SETGID` and only one group mapped), kills the process instead of leaving it
//! running with the privileges it meant to give up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use libseccomp::{ScmpAction, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::network::Network;

#[derive(Debug, Error)]
pub enum SeccompError {
    #[error("seccomp: {0}")]
    Library(#[from] libseccomp::error::SeccompError),
    #[error("seccomp: cannot export the filter: {0}")]
    Export(#[from] std::io::Error),
}

/// libseccomp's program as BPF bytes (exported through an in-memory file).
fn bpf(f: &ScmpFilterContext) -> Result<Vec<u8>, SeccompError> {
    use std::io::{Read, Seek};
    let fd = nix::sys::memfd::memfd_create("pola-seccomp", nix::sys::memfd::MFdFlags::MFD_CLOEXEC)
        .map_err(std::io::Error::from)?;
    f.export_bpf(&fd)?;
    let mut file = std::fs::File::from(fd);
    file.rewind()?;
    let mut out = Vec::new();
    file.read_to_end(&mut out)?;
    Ok(out)
}

/// The programs a jail loads, in this order, as classic BPF (`struct sock_filter`
/// arrays, 8 bytes an instruction).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// The main filter (libseccomp's).
    #[serde(with = "hex")]
    pub main: Vec<u8>,
    /// The privilege-drop filter ([`id_filter`]).
    #[serde(with = "hex")]
    pub ids: Vec<u8>,
    /// Mediated mode: the path-taking calls as notifications, loaded with a listener.
    #[serde(with = "hex::option")]
    pub notify: Option<Vec<u8>>,
}

/// Byte strings as hex in the JSON plan (a quarter of the size of a number list).
mod hex {
    use serde::{Deserialize, Deserializer, Serializer};

    const DIGITS: &[u8; 16] = b"0123456789abcdef";

    /// Every plan carries a few KiB of filters: no allocation per byte.
    pub fn encode(v: &[u8]) -> String {
        let mut out = String::with_capacity(v.len() * 2);
        for b in v {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
        out
    }

    pub fn decode(s: &str) -> Option<Vec<u8>> {
        let digit = |c: u8| {
            char::from(c)
                .to_digit(16)
                .and_then(|d| u8::try_from(d).ok())
        };
        s.as_bytes()
            .chunks(2)
            .map(|pair| match pair {
                [high, low] => Some(digit(*high)? << 4 | digit(*low)?),
                _ => None,
            })
            .collect()
    }

    /// In the plan's own binary form (`crate::plan::encode`), the bytes as they are.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&encode(v))
        } else {
            s.serialize_bytes(v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if !d.is_human_readable() {
            return crate::plan::bytes::any(d);
        }
        let s = String::deserialize(d)?;
        decode(&s).ok_or_else(|| serde::de::Error::custom("bad hex"))
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
            struct Hex<'a>(&'a [u8]);
            impl serde::Serialize for Hex<'_> {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    super::serialize(self.0, s)
                }
            }
            match v {
                Some(v) => s.serialize_some(&Hex(v)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
            struct Hex(Vec<u8>);
            impl<'de> Deserialize<'de> for Hex {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hex, D::Error> {
                    super::deserialize(d).map(Hex)
                }
            }
            Ok(Option::<Hex>::deserialize(d)?.map(|h| h.0))
        }
    }
}

fn instructions_to_bytes(prog: &[libc::sock_filter]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prog.len() * 8);
    for i in prog {
        out.extend_from_slice(&i.code.to_ne_bytes());
        out.push(i.jt);
        out.push(i.jf);
        out.extend_from_slice(&i.k.to_ne_bytes());
    }
    out
}

/// Which calls a jail's server wants to see (seccomp user notification).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Notify {
    /// The path-taking calls, to learn or ask (`crate::mediate`).
    pub watch: bool,
    /// The name-changing calls, for slots (`crate::slots::broker`).
    pub slots: bool,
    /// `execve` and `connect`, for hints (`crate::hints`).
    pub hints: bool,
}

impl Notify {
    pub fn any(self) -> bool {
        self.watch || self.slots || self.hints
    }
}

/// The calls hints watch.
pub const HINT_CALLS: &[libc::c_long] = &[
    libc::SYS_execve,
    libc::SYS_execveat,
    libc::SYS_connect,
    libc::SYS_bind,
];

/// What a change of a file's owner to another id does in root's jails ([`id_filter`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owners {
    /// Succeeds without being made (`tar x`, `cp -a`: the files stay root's).
    Kept,
    /// Gets the kernel's answer (`chown` and `chgrp` themselves, whose only work it is).
    Refused,
}

/// Compile the filters for a jail of `uid`/`gid` with `net`, notifying `notify`.
pub fn compile(
    uid: u32,
    gid: u32,
    owners: Owners,
    net: &Network,
    notify: Notify,
) -> Result<Filters, SeccompError> {
    Ok(Filters {
        main: bpf(&filter(net)?)?,
        ids: instructions_to_bytes(&id_filter(uid, gid, owners)),
        notify: if notify.any() {
            Some(bpf(&notify_filter(notify)?)?)
        } else {
            None
        },
    })
}

type Key = (u32, u32, Owners, Network, Notify);

/// [`compile`], once per process for each combination.
pub fn cached(
    uid: u32,
    gid: u32,
    owners: Owners,
    net: &Network,
    notify: Notify,
) -> Result<Arc<Filters>, SeccompError> {
    static CACHE: Mutex<Option<HashMap<Key, Arc<Filters>>>> = Mutex::new(None);
    let key = (uid, gid, owners, net.clone(), notify);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let map = cache.get_or_insert_with(HashMap::new);
    if let Some(f) = map.get(&key) {
        return Ok(f.clone());
    }
    let f = Arc::new(compile(uid, gid, owners, net, notify)?);
    map.insert(key, f.clone());
    Ok(f)
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
    // Its flags and mode are in memory the filter cannot read (and that another
    // thread could change after the server read them): libc's open is `openat`.
    libc::SYS_openat2,
];

/// The calls that set a file's mode, with the argument holding the mode and, for the
/// opens, the one holding the flags (the mode only counts when it creates).
const MODE_CALLS: &[(libc::c_long, u32, Option<u32>)] = &[
    (libc::SYS_chmod, 1, None),
    (libc::SYS_fchmod, 1, None),
    (libc::SYS_fchmodat, 2, None),
    (SYS_FCHMODAT2, 2, None),
    (libc::SYS_mknod, 1, None),
    (libc::SYS_mknodat, 2, None),
    (libc::SYS_creat, 1, None),
    (libc::SYS_open, 2, Some(1)),
    (libc::SYS_openat, 3, Some(2)),
];

/// `fchmodat2` (Linux 6.6), which the libc crate does not name yet.
const SYS_FCHMODAT2: libc::c_long = 452;

/// Opening flags that create a file: `O_CREAT`, and `O_TMPFILE` (linked in later).
const CREATING: &[u64] = &[libc::O_CREAT as u64, libc::O_TMPFILE as u64];

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
    // A set-user-ID or set-group-ID file a jail made would run, on the host, with the
    // user's (root's) identity for anyone: refused (SECURITY.md 1, 8).
    for &(nr, mode, flags) in MODE_CALLS {
        for bit in [libc::S_ISUID as u64, libc::S_ISGID as u64] {
            let has = ScmpArgCompare::new(mode, ScmpCompareOp::MaskedEqual(bit), bit);
            match flags {
                None => {
                    f.add_rule_conditional(ScmpAction::Errno(libc::EPERM), sys(nr), &[has])?;
                }
                Some(arg) => {
                    for &creating in CREATING {
                        let creates = ScmpArgCompare::new(
                            arg,
                            ScmpCompareOp::MaskedEqual(creating),
                            creating,
                        );
                        f.add_rule_conditional(
                            ScmpAction::Errno(libc::EPERM),
                            sys(nr),
                            &[creates, has],
                        )?;
                    }
                }
            }
        }
    }
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
/// out here. It only ever kills, allows, or (below) succeeds without the call; foreign
/// architectures pass through to the main filter. Per call: `nr == N` → for each id
/// argument: load its low 32 bits (the kernel reads ids as 32-bit), go on with the own
/// id (or "unchanged", where -1 means that), else kill.
///
/// In root's jails (`uid` 0), a change of a file's owner or group to another id
/// (`chown`, `lchown`, `fchown`, `fchownat`) succeeds without being made: a jail has
/// one user and no `CAP_CHOWN`, and as root `tar x` restores its archive's owners,
/// `cp -a`, `rsync -a` and `install -o` set them — each failed (EINVAL: the id is not
/// mapped) where root's own would have worked, and a downloaded source archive could
/// not be unpacked. The files stay root's, as with `tar --no-same-owner`. A jail of
/// another user gets the kernel's answer, as that user's own chown would fail; so does
/// `chown` or `chgrp` itself ([`Owners::Refused`]): "changed ownership of f" while
/// nothing changed was a lie (trial 10).
pub fn id_filter(uid: u32, gid: u32, owners: Owners) -> Vec<libc::sock_filter> {
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
    // SECCOMP_RET_ERRNO with 0: the call returns 0 and is not made.
    let done = stmt(RET_K, libc::SECCOMP_RET_ERRNO);

    let mut prog = vec![
        stmt(LD_W_ABS, ARCH),
        jump(AUDIT_ARCH_X86_64, 1, 0),
        allow,
        stmt(LD_W_ABS, NR),
    ];
    /// One call's check: its id arguments with their kinds, whether -1 is
    /// "unchanged" for it, and what another id gets.
    struct Check {
        nr: libc::c_long,
        ids: Vec<(u32, IdKind)>,
        unchanged_ok: bool,
        other: libc::sock_filter,
    }
    let mut calls: Vec<Check> = ID_CALLS
        .iter()
        .map(|&(nr, args, unchanged_ok, kind)| Check {
            nr,
            ids: (0..args).map(|a| (a, kind)).collect(),
            unchanged_ok,
            other: kill,
        })
        .collect();
    if uid == 0 && owners == Owners::Kept {
        calls.extend(CHOWN_CALLS.iter().map(|&(nr, owner)| Check {
            nr,
            ids: vec![(owner, IdKind::User), (owner + 1, IdKind::Group)],
            unchanged_ok: true,
            other: done,
        }));
    }
    for Check {
        nr,
        ids,
        unchanged_ok,
        other,
    } in calls
    {
        let mut block = Vec::new();
        for (arg, kind) in ids {
            let own = match kind {
                IdKind::User => uid,
                IdKind::Group => gid,
            };
            // Low half of args[arg] in struct seccomp_data (little-endian).
            block.push(stmt(LD_W_ABS, 16 + 8 * arg));
            if unchanged_ok {
                block.push(jump(own, 2, 0));
                block.push(jump(UNCHANGED, 1, 0));
            } else {
                block.push(jump(own, 1, 0));
            }
            block.push(other);
        }
        block.push(allow);
        prog.push(jump(nr as u32, 0, block.len() as u8));
        prog.extend(block);
    }
    prog.push(allow);
    prog
}

/// The calls that change a file's owner, and the argument holding the owner (the
/// group is the next one).
const CHOWN_CALLS: &[(libc::c_long, u32)] = &[
    (libc::SYS_chown, 1),
    (libc::SYS_lchown, 1),
    (libc::SYS_fchown, 1),
    (libc::SYS_fchownat, 2),
];

/// A filter that turns calls into notifications for the server: with `watch` the
/// path-taking calls (mediated mode), with `slots` the calls that change names — of the
/// opens only those with `O_CREAT`, so reading and writing files never waits for the
/// server. The shim loads it with a listener for the server. Every other call passes
/// to the main filter.
fn notify_filter(notify: Notify) -> Result<ScmpFilterContext, SeccompError> {
    let mut f = ScmpFilterContext::new(ScmpAction::Allow)?;
    f.set_ctl_nnp(false)?;
    f.set_act_badarch(ScmpAction::Allow)?;
    let mut all = std::collections::BTreeSet::new();
    if notify.watch {
        for call in crate::mediate::WATCHED {
            f.add_rule(ScmpAction::Notify, sys(call.nr))?;
            all.insert(call.nr);
        }
    }
    if notify.hints {
        for &nr in HINT_CALLS {
            if all.insert(nr) {
                f.add_rule(ScmpAction::Notify, sys(nr))?;
            }
        }
    }
    if notify.slots {
        for (nr, flags) in crate::slots::broker::watched() {
            if all.contains(&nr) {
                continue;
            }
            match flags {
                Some(arg) => {
                    let creat = libc::O_CREAT as u64;
                    let has = [ScmpArgCompare::new(
                        arg as u32,
                        ScmpCompareOp::MaskedEqual(creat),
                        creat,
                    )];
                    f.add_rule_conditional(ScmpAction::Notify, sys(nr), &has)?;
                }
                None => {
                    f.add_rule(ScmpAction::Notify, sys(nr))?;
                }
            }
        }
    }
    Ok(f)
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
    fn filters_travel_as_hex() {
        let notify = Notify {
            watch: true,
            slots: true,
            hints: true,
        };
        let f = compile(1000, 1000, Owners::Kept, &Network::Private, notify).unwrap();
        assert_eq!(f.main.len() % 8, 0);
        assert_eq!(f.ids.len(), id_filter(1000, 1000, Owners::Kept).len() * 8);
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<Filters>(&json).unwrap(), f);
        assert_eq!(hex::encode(&[0x00, 0xff, 0x1a]), "00ff1a");
        assert_eq!(hex::decode("00fF1a"), Some(vec![0x00, 0xff, 0x1a]));
        for bad in ["abc", "0g", "+1"] {
            assert_eq!(hex::decode(bad), None, "{bad}");
        }
        assert!(Arc::ptr_eq(
            &cached(1, 1, Owners::Kept, &Network::Private, Notify::default()).unwrap(),
            &cached(1, 1, Owners::Kept, &Network::Private, Notify::default()).unwrap()
        ));
    }

    #[test]
    fn filter_builds_and_exports() {
        let f = filter(&Network::Private).unwrap();
        let out = tempfile::tempfile().unwrap();
        f.export_bpf(&out).unwrap();
        assert!(out.metadata().unwrap().len() > 0);
    }
}
