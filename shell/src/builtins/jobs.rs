use crate::exec::{Shell, Status};
use crate::job::State;

/// The index of the job `spec` names: `%n`, `%%`/`%+` (the latest), or a pid.
pub fn find(sh: &Shell, spec: &str) -> Option<usize> {
    match spec {
        "%%" | "%+" | "%" => sh.jobs.len().checked_sub(1),
        s if s.starts_with('%') => {
            let id: usize = s[1..].parse().ok()?;
            sh.jobs.iter().position(|j| j.id == id)
        }
        s => {
            let pid: i32 = s.parse().ok()?;
            sh.jobs
                .iter()
                .position(|j| j.procs.iter().any(|p| p.pid.as_raw() == pid))
        }
    }
}

/// `jobs [-lp]` — list jobs: running, stopped, and those that ended since the last
/// look; `-p`: only their process ids.
pub fn jobs(sh: &mut Shell, argv: &[String]) -> Status {
    sh.reap_jobs();
    let pids_only = argv[1..].iter().any(|a| a.starts_with('-') && a.contains('p'));
    let mut text = String::new();
    for job in &sh.jobs {
        if pids_only {
            let pid = if job.pgid.as_raw() > 0 {
                job.pgid
            } else {
                job.procs[0].pid
            };
            text.push_str(&format!("{pid}\n"));
            continue;
        }
        text.push_str(&job.describe());
        text.push('\n');
    }
    sh.jobs.retain(|j| !matches!(j.state, State::Done(_)));
    super::out(&text);
    Ok(0)
}
