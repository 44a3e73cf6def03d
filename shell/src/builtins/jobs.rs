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

/// `jobs` — list jobs: running, stopped, and those that ended since the last look.
pub fn jobs(sh: &mut Shell, _: &[String]) -> Status {
    sh.reap_jobs();
    let mut text = String::new();
    for job in &sh.jobs {
        text.push_str(&job.describe());
        text.push('\n');
    }
    sh.jobs.retain(|j| !matches!(j.state, State::Done(_)));
    super::out(&text);
    Ok(0)
}
