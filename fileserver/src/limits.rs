//! Resource limits per jail (SECURITY.md 32): a fork bomb, a memory hog or a program
//! filling its private `/tmp` stops at its own jail's limit, the shell, the other jails
//! and the machine keep working, and the user is told which limit stopped it.
//!
//! Four limits, on by default, set for every command in the environment file
//! (`limit mem 4G`) or for one (`+ @mem:4G`, `pola-run --mem 4G`):
//!
//! - `procs`: processes (and threads) the command may have at once;
//! - `mem`: memory its processes use together, RAM and swap, their tmpfs included;
//! - `cpu`: its weight when the CPU is contended; 100 is one ordinary process's,
//!   however many processes the jail runs;
//! - `tmp`: the size of the one tmpfs that holds its private `/tmp`, `$HOME` and
//!   `/dev/shm` together.
//!
//! Who holds each is decided once per process ([`holders`]): a cgroup of the jail's own
//! (`cgroup.rs`) where the caller may make one; otherwise what the kernel offers per
//! jail without one — RLIMIT_NPROC, counted per user namespace since Linux 5.14 (each
//! jail has its own) for a user, the jail PID namespace's own `pid_max` (Linux 6.14)
//! for root, whom RLIMIT_NPROC does not bind; for memory only RLIMIT_DATA, per
//! process; for the CPU nothing. The tmpfs size is a mount option and always holds.
//! `--explain` and `grants` say which.

use std::ffi::OsString;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::cgroup::{self, Controller, JailCgroup};
use crate::plan::ShimReport;

/// One kind of limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Procs,
    Mem,
    Cpu,
    Tmp,
}

const KINDS: [Kind; 4] = [Kind::Procs, Kind::Mem, Kind::Cpu, Kind::Tmp];

impl Kind {
    /// The name in `@mem:2G`, `--mem 2G` and `limit mem 2G`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Procs => "procs",
            Kind::Mem => "mem",
            Kind::Cpu => "cpu",
            Kind::Tmp => "tmp",
        }
    }

    fn named(name: &str) -> Option<Kind> {
        KINDS.into_iter().find(|k| k.name() == name)
    }

    /// What a value of this kind looks like, for messages.
    pub fn expected(self) -> &'static str {
        match self {
            Kind::Procs => "expected a number of processes, like 500, or 'unlimited'",
            Kind::Mem | Kind::Tmp => {
                "expected a size like 512M, 2G, or 25% (of the RAM), or 'unlimited'"
            }
            Kind::Cpu => {
                "expected a weight from 1 to 10000 (100: one process's share), or 'unlimited'"
            }
        }
    }
}

/// A limit's setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// At most this many processes, bytes, or this CPU weight.
    Max(u64),
    Unlimited,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LimitError {
    #[error("{0}: unknown limit (known: procs, mem, cpu, tmp)")]
    Unknown(String),
    #[error("{kind}:{text}: {}", kind.expected())]
    BadValue { kind: Kind, text: String },
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;
const TIB: u64 = 1024 * GIB;

/// Whether `kernel.core_pattern` (its text) names a file, which the kernel writes from
/// the dumping process's own root and working directory: not `|` a helper (run outside
/// the jail, as root), nor `@` a socket (whose listener stores the dump outside).
pub fn core_pattern_names_a_file(pattern: &[u8]) -> bool {
    let p = pattern.trim_ascii_start();
    !p.is_empty() && !p.starts_with(b"|") && !p.starts_with(b"@")
}

/// The machine's RAM in bytes (MemTotal), read once.
pub fn ram() -> u64 {
    static RAM: OnceLock<u64> = OnceLock::new();
    *RAM.get_or_init(|| {
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .map(|kib| kib * KIB)
            .unwrap_or(4 * GIB)
    })
}

/// `512M`, `2G`, `1.5G`, `2GiB`, `64K`, `1T` (binary units) or `25%` of the RAM.
fn size(text: &str) -> Option<u64> {
    if let Some(pct) = text.strip_suffix('%') {
        let pct: u64 = pct.parse().ok().filter(|p| (1..=100).contains(p))?;
        return Some(ram() / 100 * pct);
    }
    let lower = text.to_ascii_lowercase();
    let number = lower.trim_end_matches("ib").trim_end_matches('b');
    let (digits, unit) = number.split_at(number.find(|c: char| c.is_ascii_alphabetic())?);
    let unit = match unit {
        "k" => KIB,
        "m" => MIB,
        "g" => GIB,
        "t" => TIB,
        _ => return None,
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let value = digits.parse::<f64>().ok()? * unit as f64;
    (value >= MIB as f64 && value < (1u64 << 62) as f64).then_some(value as u64)
}

/// Parse the value of a `kind` limit.
pub fn parse_value(kind: Kind, text: &str) -> Result<Value, LimitError> {
    let bad = || LimitError::BadValue {
        kind,
        text: text.into(),
    };
    if text == "unlimited" {
        return Ok(Value::Unlimited);
    }
    let n = match kind {
        Kind::Procs => text
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=4_000_000).contains(n)),
        Kind::Cpu => text
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=10_000).contains(n)),
        Kind::Mem | Kind::Tmp => size(text),
    };
    n.map(Value::Max).ok_or_else(bad)
}

/// Parse `KIND:VALUE` (a command line's `@mem:2G` without its `@`).
pub fn parse_setting(spec: &str) -> Result<(Kind, Value), LimitError> {
    let (name, value) = spec.split_once(':').unwrap_or((spec, ""));
    let kind = Kind::named(name).ok_or_else(|| LimitError::Unknown(name.into()))?;
    Ok((kind, parse_value(kind, value)?))
}

/// Parse the rest of an environment file's `limit KIND VALUE` line.
pub fn parse_line(rest: &str) -> Result<(Kind, Value), LimitError> {
    let mut words = rest.split_whitespace();
    let name = words.next().unwrap_or("");
    let kind = Kind::named(name).ok_or_else(|| LimitError::Unknown(name.into()))?;
    let value = words.next().unwrap_or("");
    if words.next().is_some_and(|w| !w.starts_with('#')) {
        return Err(LimitError::BadValue {
            kind,
            text: rest.trim().into(),
        });
    }
    Ok((kind, parse_value(kind, value)?))
}

/// Whether a word after `+` is a limit (`@mem:2G`, also a malformed `@mem`).
pub fn is_capability(word: &str) -> bool {
    word.strip_prefix('@')
        .map(|w| w.split(':').next().unwrap_or(""))
        .is_some_and(|name| Kind::named(name).is_some())
}

/// Settings for some of the limits; the others are left to whatever they go over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    settings: [Option<Value>; 4],
}

impl Limits {
    /// Every command's limits unless the environment file or the command line says
    /// otherwise: enough for builds and interactive programs, not for a fork bomb or
    /// for one command to take the machine's memory.
    pub fn defaults() -> Limits {
        let mut l = Limits::default();
        l.set(Kind::Procs, Value::Max(1000));
        l.set(Kind::Mem, Value::Max(ram() / 2));
        l.set(Kind::Cpu, Value::Max(100));
        l.set(Kind::Tmp, Value::Max(GIB));
        l
    }

    pub fn set(&mut self, kind: Kind, value: Value) {
        self.settings[kind as usize] = Some(value);
    }

    pub fn get(&self, kind: Kind) -> Option<Value> {
        self.settings[kind as usize]
    }

    /// The bound for `kind`, if it has one.
    pub fn max(&self, kind: Kind) -> Option<u64> {
        match self.get(kind) {
            Some(Value::Max(n)) => Some(n),
            _ => None,
        }
    }

    /// `self` with what `over` sets replacing its settings.
    pub fn with(&self, over: &Limits) -> Limits {
        let mut out = *self;
        for k in KINDS {
            if let Some(v) = over.get(k) {
                out.set(k, v);
            }
        }
        out
    }

    /// Add a command line's `@KIND:VALUE`.
    pub fn add_capability(&mut self, word: &str) -> Result<(), LimitError> {
        let (kind, value) = parse_setting(word.trim_start_matches('@'))?;
        self.set(kind, value);
        Ok(())
    }
}

/// `2 GiB`, `1.5 GiB`, `512 MiB`.
pub fn human(bytes: u64) -> String {
    for (unit, name) in [(TIB, "TiB"), (GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
        if bytes >= unit {
            let v = bytes as f64 / unit as f64;
            return if (v - v.round()).abs() < 0.05 {
                format!("{} {name}", v.round())
            } else {
                format!("{v:.1} {name}")
            };
        }
    }
    format!("{bytes} bytes")
}

/// A size as the user would type it: `4G`, `1536M`.
fn spec(bytes: u64) -> String {
    for (unit, name) in [(TIB, "T"), (GIB, "G"), (MIB, "M")] {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{}{name}", bytes / unit);
        }
    }
    format!("{}M", bytes.div_ceil(MIB))
}

fn shown(kind: Kind, n: u64) -> String {
    match kind {
        Kind::Procs => n.to_string(),
        Kind::Cpu => format!("weight {n}"),
        Kind::Mem | Kind::Tmp => human(n),
    }
}

/// What holds a limit on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    Cgroup(cgroup::Version),
    /// RLIMIT_NPROC in the jail's own user namespace.
    UserNamespace,
    /// `pid_max` of the jail's own PID namespace.
    PidMax,
    /// RLIMIT_DATA: each process, not the jail as a whole.
    PerProcess,
    /// The size of the jail's one scratch tmpfs.
    Tmpfs,
    /// Nothing: the kernel gives no way to this caller.
    Nothing,
}

/// Who holds each limit, for this process on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holders {
    holders: [Holder; 4],
    root: bool,
}

/// The running kernel's (major, minor) version.
fn kernel() -> (u32, u32) {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut parts = release
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// The least `pid_max` the kernel accepts (its reserved PIDs plus one).
const PID_MAX_MIN: u64 = 301;

/// The `pid_max` of a jail's PID namespace that leaves the command `procs` processes
/// beside PID 1 (PIDs run from 1 to pid_max - 1), within what the kernel accepts.
pub fn pid_max(procs: u64) -> u64 {
    (procs + 2).max(PID_MAX_MIN)
}

/// Who holds each limit here, found once.
pub fn holders() -> &'static Holders {
    static HOLDERS: OnceLock<Holders> = OnceLock::new();
    HOLDERS.get_or_init(|| {
        let available = cgroup::available();
        let root = nix::unistd::geteuid().is_root();
        let kernel = kernel();
        let cg = |c: Controller| available.version(c).map(Holder::Cgroup);
        Holders {
            holders: [
                cg(Controller::Pids).unwrap_or(match root {
                    false if kernel >= (5, 14) => Holder::UserNamespace,
                    true if kernel >= (6, 14) => Holder::PidMax,
                    _ => Holder::Nothing,
                }),
                cg(Controller::Memory).unwrap_or(Holder::PerProcess),
                cg(Controller::Cpu).unwrap_or(Holder::Nothing),
                Holder::Tmpfs,
            ],
            root,
        }
    })
}

impl Holders {
    pub fn of(&self, kind: Kind) -> Holder {
        self.holders[kind as usize]
    }

    /// How `kind` is held, or why it is not, for `--explain`.
    fn how(&self, kind: Kind, n: u64) -> String {
        let version = |v| match v {
            cgroup::Version::V1 => "cgroup v1",
            cgroup::Version::V2 => "cgroup v2",
        };
        let missing = |c: &str| {
            if self.root {
                format!("no cgroup {c} controller is writable here")
            } else {
                format!("no cgroup {c} controller is delegated to you")
            }
        };
        match (self.of(kind), kind) {
            (Holder::Cgroup(v), Kind::Procs) => format!("held: {} pids", version(v)),
            (Holder::Cgroup(v), Kind::Mem) => {
                format!("held: {} memory, RAM and swap together", version(v))
            }
            (Holder::Cgroup(v), _) => format!("held: {} cpu", version(v)),
            (Holder::UserNamespace, _) => {
                "held: RLIMIT_NPROC of the jail's own user namespace".into()
            }
            (Holder::PidMax, _) if pid_max(n) - 2 > n => format!(
                "held at {} (pid_max of the jail's PID namespace, which cannot be lower)",
                pid_max(n) - 2
            ),
            (Holder::PidMax, _) => "held: pid_max of the jail's PID namespace".into(),
            (Holder::PerProcess, _) => format!(
                "per process only, by RLIMIT_DATA; not for the jail as a whole: {}",
                missing("memory")
            ),
            (Holder::Tmpfs, _) => "held: the size of their one tmpfs".into(),
            (Holder::Nothing, Kind::Procs) if !self.root => format!(
                "NOT held: {}, and RLIMIT_NPROC counts per user namespace only since Linux 5.14",
                missing("pids")
            ),
            (Holder::Nothing, Kind::Procs) => format!(
                "NOT held: {}, and RLIMIT_NPROC does not bind root",
                missing("pids")
            ),
            (Holder::Nothing, _) => format!("NOT held: {}", missing("cpu")),
        }
    }
}

/// The limits section of `--explain` and `grants`: each limit, and whether and how
/// this machine holds it.
pub fn describe(limits: &Limits) -> String {
    let holders = holders();
    let mut out = String::from("limits:\n");
    for kind in KINDS {
        let label = match kind {
            Kind::Procs => "processes",
            Kind::Mem => "memory",
            Kind::Cpu => "cpu",
            Kind::Tmp => "/tmp, $HOME and /dev/shm together",
        };
        let line = match limits.get(kind) {
            Some(Value::Max(n)) => format!("{} ({})", shown(kind, n), holders.how(kind, n)),
            _ => "unlimited".into(),
        };
        out.push_str(&format!("  {label}: {line}\n"));
    }
    out
}

/// What the shim itself sets up for the limits no cgroup holds (the plan's part).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JailLimits {
    /// Files of the jail's cgroups the shim writes itself into (`cgroup.procs` or
    /// `tasks`) before it makes the namespaces.
    #[serde(with = "crate::plan::bytes_list")]
    pub cgroups: Vec<OsString>,
    /// Bytes of the one tmpfs behind the private `/tmp`, `$HOME` and `/dev/shm`.
    pub scratch: Option<u64>,
    /// Processes the command may have, by RLIMIT_NPROC in the jail's user namespace.
    pub nproc: Option<u64>,
    /// Processes the command may have, by `pid_max` of the jail's PID namespace.
    pub pid_max: Option<u64>,
    /// Memory of each process (RLIMIT_DATA), where nothing bounds the jail's total.
    pub data: Option<u64>,
    /// The user's own limits (`ulimit`), set on the command alone as it starts: never
    /// on the shell or the jail's own processes (`ulimit -n 20` would leave them no
    /// descriptors to build the jail with, `ulimit -v` no memory for a thread).
    pub rlimits: Vec<Rlimit>,
}

/// Raise this process's soft limit of open files to its hard limit (at most the
/// kernel's `nr_open` default, 2^20), and return the limit as it was, for the commands
/// it starts (`Rlimit`s are set in each before its `exec`). Every file a command line
/// grants is held open while its jail is made, one descriptor each: `cat *` of 2000
/// files failed with EMFILE for a user whose soft limit was 1024 (new-user trial).
/// `None` when nothing was raised. Raised once, first thing (before the processes
/// that receive the descriptors are started: they inherit it); later calls say what
/// the first found.
pub fn raise_open_files() -> Option<Rlimit> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    static ORIGINAL: std::sync::OnceLock<Option<Rlimit>> = std::sync::OnceLock::new();
    *ORIGINAL.get_or_init(|| {
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).ok()?;
        let raised = hard.min(1 << 20);
        if soft >= raised {
            return None;
        }
        setrlimit(Resource::RLIMIT_NOFILE, raised, hard).ok()?;
        Some(Rlimit {
            resource: libc::RLIMIT_NOFILE,
            soft,
            hard,
        })
    })
}

/// One resource limit (`setrlimit`) for a command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rlimit {
    pub resource: u32,
    pub soft: u64,
    pub hard: u64,
}

/// A limit the jail reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    pub max: u64,
}

impl Hit {
    /// The one line that tells the user (`program` is pola-sh or pola-run, which take
    /// the raise in their own syntax).
    pub fn message(&self, program: &str, command: &str) -> String {
        let raised = match self.kind {
            Kind::Procs => (self.max * 2).to_string(),
            _ => spec(self.max * 2),
        };
        let raise = if program == "pola-sh" {
            format!("+ @{}:{raised}", self.kind)
        } else {
            format!("--{} {raised}", self.kind)
        };
        let what = match self.kind {
            Kind::Tmp => format!(
                "filled its private /tmp, $HOME and /dev/shm ({} together)",
                human(self.max)
            ),
            kind => {
                let noun = match kind {
                    Kind::Procs => "process",
                    Kind::Mem => "memory",
                    _ => "cpu",
                };
                let value = match kind {
                    Kind::Mem => human(self.max),
                    _ => self.max.to_string(),
                };
                format!("stopped by the {noun} limit ({value})")
            }
        };
        format!("{program}: {command}: {what}; raise it with {raise}")
    }
}

/// A jail's limits while it runs: its cgroup, if it has one, and what to tell.
#[derive(Debug)]
pub struct Holding {
    limits: Limits,
    cgroup: Option<JailCgroup>,
}

/// Set up what the server holds for a jail with `limits` (its cgroup) and say what
/// the shim must do itself. `zygote`: the jail will be one of the shell's zygote's
/// (`crate::zygote`), whose ready copy may wait in a cgroup for it already.
pub fn hold(limits: &Limits, zygote: bool) -> Result<(JailLimits, Holding), cgroup::CgroupError> {
    let holders = holders();
    let mut in_cgroup = Vec::new();
    let mut jail = JailLimits {
        scratch: limits.max(Kind::Tmp),
        ..JailLimits::default()
    };
    for kind in [Kind::Procs, Kind::Mem, Kind::Cpu] {
        let Some(n) = limits.max(kind) else { continue };
        match (holders.of(kind), kind) {
            // The shim's supervisor and PID 1 are in the cgroup too.
            (Holder::Cgroup(_), Kind::Procs) => in_cgroup.push((Controller::Pids, n + 2)),
            (Holder::Cgroup(_), Kind::Mem) => in_cgroup.push((Controller::Memory, n)),
            (Holder::Cgroup(_), _) => in_cgroup.push((Controller::Cpu, n)),
            (Holder::UserNamespace, _) => jail.nproc = Some(n),
            (Holder::PidMax, _) => jail.pid_max = Some(n),
            (Holder::PerProcess, _) => jail.data = Some(n),
            _ => {}
        }
    }
    // Also with no cgroup: the zygote's copies then wait in none.
    cgroup::remember(&in_cgroup);
    let ahead = zygote
        .then(|| crate::zygote::cgroup_ahead(&in_cgroup))
        .flatten();
    let cgroup = if in_cgroup.is_empty() {
        None
    } else {
        let cgroup = match ahead {
            Some(cgroup) => cgroup,
            None => JailCgroup::create(&in_cgroup)?,
        };
        jail.cgroups = cgroup
            .procs_files()
            .into_iter()
            .map(|p| p.into_os_string())
            .collect();
        Some(cgroup)
    };
    Ok((
        jail,
        Holding {
            limits: *limits,
            cgroup,
        },
    ))
}

impl Holding {
    /// After the jail: the limit it reached, if any (the memory limit first: a kill
    /// explains the rest), from the cgroup's counts and what the shim `reports`.
    /// The cgroup is removed.
    pub fn finish(self, reports: &[ShimReport]) -> Option<Hit> {
        let events = self.cgroup.as_ref().map(JailCgroup::events);
        let reported = |k| reports.contains(&ShimReport::Limit(k));
        let reached = [
            (Kind::Mem, events.is_some_and(|e| e.oom_kills > 0)),
            (
                Kind::Procs,
                events.is_some_and(|e| e.pids_max > 0) || reported(Kind::Procs),
            ),
            (Kind::Tmp, reported(Kind::Tmp)),
        ];
        let kind = reached.into_iter().find(|(_, hit)| *hit)?.0;
        Some(Hit {
            kind,
            max: self.limits.max(kind)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_with_units_and_errors_name_the_problem() {
        assert_eq!(
            parse_setting("mem:2G"),
            Ok((Kind::Mem, Value::Max(2 * GIB)))
        );
        assert_eq!(
            parse_setting("tmp:1.5GiB"),
            Ok((Kind::Tmp, Value::Max(3 * GIB / 2)))
        );
        assert_eq!(
            parse_setting("mem:512m"),
            Ok((Kind::Mem, Value::Max(512 * MIB)))
        );
        assert_eq!(
            parse_setting("procs:500"),
            Ok((Kind::Procs, Value::Max(500)))
        );
        assert_eq!(parse_setting("cpu:50"), Ok((Kind::Cpu, Value::Max(50))));
        assert_eq!(
            parse_setting("procs:unlimited"),
            Ok((Kind::Procs, Value::Unlimited))
        );
        assert_eq!(
            parse_setting("mem:50%"),
            Ok((Kind::Mem, Value::Max(ram() / 100 * 50)))
        );
        for bad in [
            "mem:2",
            "mem:",
            "mem:2X",
            "mem:-1G",
            "mem:0.5K",
            "procs:0",
            "cpu:20000",
            "tmp:101%",
        ] {
            assert!(parse_setting(bad).is_err(), "{bad} parsed");
        }
        assert_eq!(
            parse_setting("mem:lots").unwrap_err().to_string(),
            "mem:lots: expected a size like 512M, 2G, or 25% (of the RAM), or 'unlimited'"
        );
        assert_eq!(
            parse_setting("gpu:1").unwrap_err().to_string(),
            "gpu: unknown limit (known: procs, mem, cpu, tmp)"
        );
        assert_eq!(
            parse_line(" mem  4G  # note"),
            Ok((Kind::Mem, Value::Max(4 * GIB)))
        );
        assert!(parse_line("mem 4G 5G").is_err());
        assert!(is_capability("@mem:2G") && is_capability("@procs") && !is_capability("@net"));
    }

    #[test]
    fn pid_max_leaves_the_command_its_processes_within_the_kernels_range() {
        assert_eq!(pid_max(1000), 1002);
        assert_eq!(pid_max(10), PID_MAX_MIN);
    }

    #[test]
    fn command_line_settings_go_over_the_defaults() {
        let mut cmd = Limits::default();
        cmd.add_capability("@mem:4G").unwrap();
        cmd.add_capability("@procs:unlimited").unwrap();
        let l = Limits::defaults().with(&cmd);
        assert_eq!(l.max(Kind::Mem), Some(4 * GIB));
        assert_eq!(l.get(Kind::Procs), Some(Value::Unlimited));
        assert_eq!(l.max(Kind::Tmp), Some(GIB));
        assert_eq!(l.max(Kind::Cpu), Some(100));
    }

    #[test]
    fn the_message_says_which_limit_and_how_to_raise_it() {
        let hit = Hit {
            kind: Kind::Mem,
            max: 2 * GIB,
        };
        assert_eq!(
            hit.message("pola-sh", "make"),
            "pola-sh: make: stopped by the memory limit (2 GiB); raise it with + @mem:4G"
        );
        assert_eq!(
            hit.message("pola-run", "make"),
            "pola-run: make: stopped by the memory limit (2 GiB); raise it with --mem 4G"
        );
        let procs = Hit {
            kind: Kind::Procs,
            max: 1000,
        };
        assert_eq!(
            procs.message("pola-sh", "python3"),
            "pola-sh: python3: stopped by the process limit (1000); raise it with + @procs:2000"
        );
        let tmp = Hit {
            kind: Kind::Tmp,
            max: 768 * MIB,
        };
        assert_eq!(
            tmp.message("pola-sh", "dd"),
            "pola-sh: dd: filled its private /tmp, $HOME and /dev/shm (768 MiB together); raise it with + @tmp:1536M"
        );
        assert_eq!(human(3 * GIB / 2), "1.5 GiB");
    }

    #[test]
    fn reports_and_counts_become_one_hit() {
        let limits = Limits::defaults();
        let holding = || Holding {
            limits,
            cgroup: None,
        };
        assert_eq!(holding().finish(&[ShimReport::Launched]), None);
        assert_eq!(
            holding().finish(&[ShimReport::Launched, ShimReport::Limit(Kind::Tmp)]),
            Some(Hit {
                kind: Kind::Tmp,
                max: GIB
            })
        );
        assert_eq!(
            holding()
                .finish(&[ShimReport::Limit(Kind::Tmp), ShimReport::Limit(Kind::Procs)])
                .map(|h| h.kind),
            Some(Kind::Procs)
        );
    }
}
