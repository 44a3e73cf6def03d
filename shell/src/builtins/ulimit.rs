use nix::sys::resource::{getrlimit, Resource, RLIM_INFINITY};

use crate::exec::{Shell, Status};

/// The limits `ulimit` knows: option letter, resource, unit divisor, description.
const LIMITS: &[(char, Resource, u64, &str)] = &[
    (
        'c',
        Resource::RLIMIT_CORE,
        512,
        "core file size (blocks, -c)",
    ),
    (
        'd',
        Resource::RLIMIT_DATA,
        1024,
        "data seg size (kbytes, -d)",
    ),
    ('f', Resource::RLIMIT_FSIZE, 512, "file size (blocks, -f)"),
    (
        'l',
        Resource::RLIMIT_MEMLOCK,
        1024,
        "max locked memory (kbytes, -l)",
    ),
    ('n', Resource::RLIMIT_NOFILE, 1, "open files (-n)"),
    ('s', Resource::RLIMIT_STACK, 1024, "stack size (kbytes, -s)"),
    ('t', Resource::RLIMIT_CPU, 1, "cpu time (seconds, -t)"),
    ('u', Resource::RLIMIT_NPROC, 1, "max user processes (-u)"),
    (
        'v',
        Resource::RLIMIT_AS,
        1024,
        "virtual memory (kbytes, -v)",
    ),
];

/// `ulimit [-SHa] [-cdflnstuv] [limit]` — show or set a resource limit of the commands
/// the shell starts (default `-f`, the soft limit shown, both set). Unlike bash, not
/// of the shell itself: the shell and the jail it builds for each command would be
/// held by them too (`ulimit -n 20` leaves no descriptors to build a jail with,
/// `ulimit -v` no memory for a thread); each command gets them as it starts.
pub fn ulimit(sh: &mut Shell, argv: &[String]) -> Status {
    let mut hard = false;
    let mut soft = false;
    let mut which = Vec::new();
    let mut value = None;
    for a in &argv[1..] {
        if let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) {
            for c in flags.chars() {
                match c {
                    'H' => hard = true,
                    'S' => soft = true,
                    'a' => which.extend(LIMITS.iter().map(|l| l.0)),
                    c if LIMITS.iter().any(|l| l.0 == c) => which.push(c),
                    _ => {
                        sh.error(format!("ulimit: -{c}: invalid option"));
                        return Ok(2);
                    }
                }
            }
        } else {
            value = Some(a.clone());
        }
    }
    if which.is_empty() {
        which.push('f');
    }
    let all = which.len() > 1;
    let mut text = String::new();
    for c in &which {
        let Some((_, res, unit, name)) = LIMITS.iter().find(|l| l.0 == *c) else {
            continue;
        };
        let resource = *res as u32;
        let (cur_soft, cur_hard) = match sh.rlimits.iter().find(|r| r.resource == resource) {
            Some(r) => (r.soft, r.hard),
            None => getrlimit(*res).unwrap_or((RLIM_INFINITY, RLIM_INFINITY)),
        };
        match &value {
            Some(v) => {
                let n = if v == "unlimited" {
                    RLIM_INFINITY
                } else {
                    match v.parse::<u64>() {
                        Ok(n) => n.saturating_mul(*unit),
                        Err(_) => {
                            sh.error(format!(
                                "ulimit: {}: invalid number",
                                pola_fileserver::text::shown(v)
                            ));
                            return Ok(1);
                        }
                    }
                };
                let (s, h) = match (soft, hard) {
                    (true, false) => (n, cur_hard),
                    (false, true) => (cur_soft.min(n), n),
                    _ => (n, n),
                };
                // As setrlimit would: no soft limit above the hard one, and only a
                // privileged user raises a hard limit.
                let privileged = nix::unistd::geteuid().is_root();
                if s > h || (h > cur_hard && !privileged) {
                    let why = if s > h {
                        nix::errno::Errno::EINVAL
                    } else {
                        nix::errno::Errno::EPERM
                    };
                    sh.error(format!(
                        "ulimit: {name}: cannot modify limit: {}",
                        why.desc()
                    ));
                    return Ok(1);
                }
                sh.rlimits.retain(|r| r.resource != resource);
                sh.rlimits.push(pola_fileserver::limits::Rlimit {
                    resource,
                    soft: s,
                    hard: h,
                });
            }
            None => {
                let v = if hard { cur_hard } else { cur_soft };
                let shown = if v == RLIM_INFINITY {
                    "unlimited".to_string()
                } else {
                    (v / unit).to_string()
                };
                if all {
                    text.push_str(&format!("{name:<32} {shown}\n"));
                } else {
                    text.push_str(&format!("{shown}\n"));
                }
            }
        }
    }
    Ok(if super::out(&text) { 0 } else { 1 })
}
