//! Loading the seccomp filters the server compiled (`pola_fileserver::seccomp`, which
//! says what they refuse and why): classic BPF from the plan, into this process, so the
//! command and everything it starts inherit them.

use std::os::fd::{FromRawFd, OwnedFd};

use nix::errno::Errno;
use pola_fileserver::seccomp::Filters;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SeccompError {
    #[error("seccomp: the plan's {0} filter is not a BPF program")]
    Malformed(&'static str),
    #[error("seccomp: cannot load the {0} filter: {1}")]
    Load(&'static str, Errno),
}

/// The longest program the kernel takes (BPF_MAXINSNS).
const MAX_INSTRUCTIONS: usize = 4096;

fn program(name: &'static str, bytes: &[u8]) -> Result<Vec<libc::sock_filter>, SeccompError> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(8) || bytes.len() / 8 > MAX_INSTRUCTIONS {
        return Err(SeccompError::Malformed(name));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|i| libc::sock_filter {
            code: u16::from_ne_bytes([i[0], i[1]]),
            jt: i[2],
            jf: i[3],
            k: u32::from_ne_bytes([i[4], i[5], i[6], i[7]]),
        })
        .collect())
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, prog)`; its result (a listener with
/// `SECCOMP_FILTER_FLAG_NEW_LISTENER`).
fn install(prog: &[libc::sock_filter], flags: libc::c_ulong) -> Result<i32, Errno> {
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: `fprog` points at `prog`, which outlives the call; the kernel copies it.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            flags,
            &fprog as *const libc::sock_fprog,
        )
    };
    Errno::result(r).map(|fd| fd as i32)
}

/// Load the jail's filters (no_new_privs is already set): the privilege-drop filter,
/// the main one, and the notification filter if the jail has one (mediated mode,
/// hints, slots), whose listener is returned for the server. They are loaded as one
/// program where they fit in one ([`chained`]): the kernel checks, compiles and caches
/// each filter it is given, per command, ~20 µs for the smallest and ~0.4 µs more per
/// instruction on this machine (bench/README.md, "Ninth stop").
///
/// The command's own start is not a notification ([`exempt_exec`]): PID 1's `execve`
/// of the program's path, placed at the address `exempt` (`init::Program`), which the
/// spawned child shares until it execs. The shell resolved that program and the jail
/// holds it, so the server would only answer "go on" — after a round trip to a thread
/// just started for this listener, on every interactive command.
///
/// Last in the lock-down, so that building the jail is neither filtered nor mediated.
/// PID 1 sends the listener to the server once the command is spawned, if its
/// `execve` is exempt (`Listener::exec_exempt`); else before the spawn, which waits
/// for the server's answer to that `execve`.
pub fn load(filters: &Filters, exempt: Option<u64>) -> Result<Option<Listener>, SeccompError> {
    let main = program("main", &filters.main)?;
    let ids = program("privilege-drop", &filters.ids)?;
    let notify = match &filters.notify {
        Some(bytes) => {
            let notify = program("notification", bytes)?;
            Some(match exempt.and_then(|at| exempt_exec(at, &notify)) {
                Some(exempted) => (exempted, true),
                None => (notify, false),
            })
        }
        None => None,
    };
    let exec_exempt = notify.as_ref().is_some_and(|(_, exempted)| *exempted);
    let notify = notify.map(|(program, _)| program);
    // The programs to load, in order: each joined to the one before where it can be.
    let mut programs = match chained(&ids, &main) {
        Some(one) => vec![("main", one)],
        None => vec![("main", main), ("privilege-drop", ids)],
    };
    let listens = notify.is_some();
    if let Some(notify) = notify {
        let last = programs.pop().expect("one at least");
        match chained(&last.1, &notify) {
            Some(one) => programs.push((last.0, one)),
            None => programs.extend([last, ("notification", notify)]),
        }
    }
    // The notification filter's listener comes with the last program, which holds it.
    let count = programs.len();
    let mut listener = None;
    for (i, (name, prog)) in programs.iter().enumerate() {
        let flags = match listens && i + 1 == count {
            true => libc::SECCOMP_FILTER_FLAG_NEW_LISTENER as libc::c_ulong,
            false => 0,
        };
        let fd = install(prog, flags).map_err(|e| SeccompError::Load(name, e))?;
        listener = (flags != 0).then_some(fd);
    }
    // SAFETY: the kernel just created this listener in this process; nothing else owns it.
    Ok(listener.map(|fd| Listener {
        fd: unsafe { OwnedFd::from_raw_fd(fd) },
        exec_exempt,
    }))
}

/// The notification filter's listener, for the server.
pub struct Listener {
    pub fd: OwnedFd,
    /// The command's own `execve` is let through unasked (`exempt_exec`).
    pub exec_exempt: bool,
}

// Classic BPF instructions, as the kernel numbers them.
const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const JA: u16 = (libc::BPF_JMP | libc::BPF_JA) as u16;
const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
const RET: u16 = libc::BPF_RET as u16;
const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;

/// How the kernel ranks a filter's answer among those of all the jail's filters: the
/// lowest wins (`seccomp_run_filters`: the action as a signed number, so that
/// SECCOMP_RET_KILL_PROCESS, 0x80000000, wins over all).
fn rank(answer: u32) -> i32 {
    (answer & libc::SECCOMP_RET_ACTION_FULL) as i32
}

/// `first` then `second` as one program that answers every call as the kernel answers
/// for the two loaded apart: it runs every filter and takes the answer that ranks
/// lowest ([`rank`]). Each "allow" of `first` becomes a jump to the start of `second`
/// (where `first` allows, the answer is `second`'s); each other answer of `first` is
/// kept, so it must win over every answer `second` can give: rank lower than all of
/// them (or be the very same answer). `None` where that does not hold, where either
/// answers with anything but a constant, where `second` does not begin by loading a
/// word of the call's data (it starts with what `first` left in its registers), or
/// where the two do not fit in one program. `first`'s jumps stay within it: the kernel checked each program's,
/// and every instruction keeps its place.
fn chained(
    first: &[libc::sock_filter],
    second: &[libc::sock_filter],
) -> Option<Vec<libc::sock_filter>> {
    if first.len() + second.len() > MAX_INSTRUCTIONS || second.first()?.code != LD_W_ABS {
        return None;
    }
    let mut answers = Vec::new();
    for insn in second {
        match insn.code {
            RET_K => answers.push(insn.k),
            code if code & 0x07 == RET => return None,
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(first.len() + second.len());
    for (i, insn) in first.iter().enumerate() {
        match insn.code {
            RET_K if insn.k == libc::SECCOMP_RET_ALLOW => out.push(libc::sock_filter {
                code: JA,
                jt: 0,
                jf: 0,
                // From the next instruction to `second`'s first.
                k: (first.len() - i - 1) as u32,
            }),
            // The same answer wins or loses alike.
            RET_K
                if answers
                    .iter()
                    .all(|&a| rank(insn.k) < rank(a) || insn.k == a) =>
            {
                out.push(*insn)
            }
            code if code & 0x07 == RET => return None,
            _ => out.push(*insn),
        }
    }
    out.extend_from_slice(second);
    Some(out)
}

/// `notify` behind a test that allows every `execve` whose path argument is the
/// address `path`, on x86-64: every other call goes to `notify` unchanged. Another
/// process of the jail that passes the same address (mapping it in its own memory) is
/// spared notifications for those `execve`s, nothing more: the server never refuses
/// one (it continues it, or in mediated mode may grant what the jail lacks), so being
/// asked less takes nothing from the jail's confinement. It could tell that address by
/// timing its `execve`s (a review measured 3.0 against 10.6 µs), which is why it is a
/// random page's (`init::Program::exempt`), not a string on PID 1's heap: found only
/// by a search of 2^34 pages, and telling nothing else when found. `None` if the two
/// do not fit in one program.
fn exempt_exec(path: u64, notify: &[libc::sock_filter]) -> Option<Vec<libc::sock_filter>> {
    const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
    // struct seccomp_data: nr, arch, instruction pointer, then the arguments (u64 each).
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    const ARG0_LOW: u32 = 16;
    const ARG0_HIGH: u32 = 20;
    const LEN: usize = 9;
    if notify.len() + LEN > MAX_INSTRUCTIONS {
        return None;
    }
    let load = |k| libc::sock_filter {
        code: LD_W_ABS,
        jt: 0,
        jf: 0,
        k,
    };
    // Equal: on to the next instruction; else to `notify`'s first.
    let unless = |at: usize, k| libc::sock_filter {
        code: JEQ_K,
        jt: 0,
        jf: (LEN - at - 1) as u8,
        k,
    };
    let mut out = vec![
        load(ARCH),
        unless(1, AUDIT_ARCH_X86_64),
        load(NR),
        unless(3, libc::SYS_execve as u32),
        load(ARG0_LOW),
        unless(5, path as u32),
        load(ARG0_HIGH),
        unless(7, (path >> 32) as u32),
        libc::sock_filter {
            code: RET_K,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ALLOW,
        },
    ];
    debug_assert_eq!(out.len(), LEN);
    out.extend_from_slice(notify);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insn(code: u16, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
        libc::sock_filter { code, jt, jf, k }
    }

    /// A classic BPF run over `seccomp_data` words (only what the filters here use:
    /// absolute word loads, `jeq`, `ja`, returns).
    fn run(prog: &[libc::sock_filter], data: &[u32]) -> u32 {
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let i = prog[pc];
            pc += 1;
            match i.code {
                LD_W_ABS => acc = data[i.k as usize / 4],
                JEQ_K => pc += usize::from(if acc == i.k { i.jt } else { i.jf }),
                JA => pc += i.k as usize,
                RET_K => return i.k,
                other => panic!("instruction {other:#x} not in this test's interpreter"),
            }
        }
    }

    #[test]
    fn the_chained_program_answers_as_the_two_filters_do() {
        use libc::{SECCOMP_RET_ALLOW as ALLOW, SECCOMP_RET_KILL_PROCESS as KILL};
        let ids =
            pola_fileserver::seccomp::id_filter(1000, 1000, pola_fileserver::seccomp::Owners::Kept);
        // A stand-in for the main filter: ENOSYS for call 5, allow the rest.
        let enosys = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;
        let main = [
            insn(LD_W_ABS, 0, 0, 0),
            insn(JEQ_K, 0, 1, 5),
            insn(RET_K, 0, 0, enosys),
            insn(RET_K, 0, 0, ALLOW),
        ];
        let one = chained(&ids, &main).expect("the privilege-drop filter chains");
        // Every allow became a jump to the main filter's first instruction.
        let jumps: Vec<usize> = (0..ids.len()).filter(|&i| one[i].code == JA).collect();
        let allows = ids
            .iter()
            .filter(|i| i.code == RET_K && i.k == ALLOW)
            .count();
        assert_eq!(jumps.len(), allows);
        assert!(jumps
            .iter()
            .all(|&i| i + 1 + one[i].k as usize == ids.len()));
        assert_eq!(&one[ids.len()..], &main[..]);
        // The kernel's answer for two filters: the most restrictive (a lower action).
        let both = |data: &[u32]| {
            let (a, b) = (run(&ids, data), run(&main, data));
            let action = |r: u32| r & libc::SECCOMP_RET_ACTION_FULL;
            if action(a) == KILL || action(b) == KILL {
                KILL
            } else if action(a) == ALLOW {
                b
            } else {
                a
            }
        };
        let x86_64 = 0xc000_003e;
        // seccomp_data as words: nr, arch, ip (2), then six arguments (2 words each).
        let data = |nr: i64, arch: u32, args: &[u32]| {
            let mut d = [0u32; 16];
            d[0] = nr as u32;
            d[1] = arch;
            for (i, a) in args.iter().enumerate() {
                d[4 + 2 * i] = *a;
            }
            d
        };
        let cases = [
            data(libc::SYS_setuid, x86_64, &[1000]),
            data(libc::SYS_setuid, x86_64, &[0]),
            data(libc::SYS_setresgid, x86_64, &[1000, u32::MAX, 1000]),
            data(libc::SYS_setresgid, x86_64, &[1000, 7, 1000]),
            data(5, x86_64, &[]),
            data(libc::SYS_getpid, x86_64, &[]),
            data(libc::SYS_setuid, 0x4000_0003, &[0]),
        ];
        for data in cases {
            assert_eq!(run(&one, &data), both(&data), "{data:?}");
        }
        assert_eq!(run(&one, &cases[1]), KILL);
        assert_eq!(run(&one, &cases[4]), enosys);
        // A program that returns anything but kill or allow is not chained.
        assert!(chained(&main, &ids).is_none());
    }

    #[test]
    fn one_program_answers_as_the_three_filters_do() {
        use libc::{SECCOMP_RET_ALLOW as ALLOW, SECCOMP_RET_USER_NOTIF as NOTIFY};
        let ids =
            pola_fileserver::seccomp::id_filter(1000, 1000, pola_fileserver::seccomp::Owners::Kept);
        let errno = |e: i32| libc::SECCOMP_RET_ERRNO | e as u32;
        // Stand-ins: the main filter refuses call 5 and `connect`, the notification
        // filter asks about `execve` and `connect`.
        let main = [
            insn(LD_W_ABS, 0, 0, 0),
            insn(JEQ_K, 1, 0, 5),
            insn(JEQ_K, 0, 1, libc::SYS_connect as u32),
            insn(RET_K, 0, 0, errno(libc::ENOSYS)),
            insn(RET_K, 0, 0, ALLOW),
        ];
        let path = 0x7f00_1234_5678;
        let notify = exempt_exec(
            path,
            &[
                insn(LD_W_ABS, 0, 0, 0),
                insn(JEQ_K, 2, 0, libc::SYS_execve as u32),
                insn(JEQ_K, 1, 0, libc::SYS_connect as u32),
                insn(RET_K, 0, 0, ALLOW),
                insn(RET_K, 0, 0, NOTIFY),
            ],
        )
        .unwrap();
        let one = chained(&chained(&ids, &main).unwrap(), &notify).expect("they chain");
        // The kernel runs every filter and takes the answer that ranks lowest.
        let kernel = |data: &[u32]| {
            [&ids[..], &main[..], &notify[..]]
                .iter()
                .map(|f| run(f, data))
                .min_by_key(|&a| rank(a))
                .unwrap()
        };
        let x86_64 = 0xc000_003e;
        let call = |nr: i64, args: &[u64]| {
            let mut d = [0u32; 16];
            d[0] = nr as u32;
            d[1] = x86_64;
            for (i, a) in args.iter().enumerate() {
                d[4 + 2 * i] = *a as u32;
                d[5 + 2 * i] = (*a >> 32) as u32;
            }
            d
        };
        let cases = [
            (call(libc::SYS_execve, &[path]), ALLOW),
            (call(libc::SYS_execve, &[path + 8]), NOTIFY),
            // Refused by the main filter: refused, not asked about.
            (call(libc::SYS_connect, &[3]), errno(libc::ENOSYS)),
            (call(5, &[]), errno(libc::ENOSYS)),
            (call(libc::SYS_setuid, &[0]), libc::SECCOMP_RET_KILL_PROCESS),
            (call(libc::SYS_setuid, &[1000]), ALLOW),
            (call(libc::SYS_getpid, &[]), ALLOW),
        ];
        for (data, answer) in cases {
            assert_eq!(kernel(&data), answer, "{data:?}");
            assert_eq!(run(&one, &data), answer, "{data:?}");
        }
        // A first program whose refusal would lose to a notification is not chained.
        let asks_first = [
            insn(LD_W_ABS, 0, 0, 0),
            insn(RET_K, 0, 0, libc::SECCOMP_RET_TRACE),
        ];
        assert!(chained(&asks_first, &notify).is_none());
    }

    #[test]
    fn only_the_commands_own_start_goes_unasked() {
        use libc::{SECCOMP_RET_ALLOW as ALLOW, SECCOMP_RET_USER_NOTIF as NOTIFY};
        // A stand-in for the notification filter: execve and connect are asked about.
        let notify = [
            insn(LD_W_ABS, 0, 0, 0),
            insn(JEQ_K, 2, 0, libc::SYS_execve as u32),
            insn(JEQ_K, 1, 0, libc::SYS_connect as u32),
            insn(RET_K, 0, 0, ALLOW),
            insn(RET_K, 0, 0, NOTIFY),
        ];
        let path: u64 = 0x0000_55aa_1234_5678;
        let prog = exempt_exec(path, &notify).expect("fits");
        assert_eq!(&prog[prog.len() - notify.len()..], &notify[..]);
        let x86_64 = 0xc000_003e;
        let call = |nr: i64, arch: u32, arg0: u64| {
            let mut d = [0u32; 16];
            d[0] = nr as u32;
            d[1] = arch;
            d[4] = arg0 as u32;
            d[5] = (arg0 >> 32) as u32;
            run(&prog, &d)
        };
        assert_eq!(call(libc::SYS_execve, x86_64, path), ALLOW);
        // Only that address, whole: any other is asked about, as are other calls.
        for other in [path + 1, path ^ (1 << 40), path as u32 as u64, 0] {
            assert_eq!(call(libc::SYS_execve, x86_64, other), NOTIFY, "{other:#x}");
        }
        assert_eq!(call(libc::SYS_connect, x86_64, path), NOTIFY);
        assert_eq!(call(libc::SYS_getpid, x86_64, path), ALLOW);
        // Another architecture's calls go to the filter as they are.
        assert_eq!(call(libc::SYS_execve, 0x4000_0003, path), NOTIFY);
    }

    #[test]
    fn programs_are_checked() {
        assert!(program("t", &[]).is_err());
        assert!(program("t", &[0; 7]).is_err());
        assert_eq!(program("t", &[0; 16]).unwrap().len(), 2);
    }
}
