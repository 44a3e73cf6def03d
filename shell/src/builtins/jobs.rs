use crate::exec::{Shell, Status};

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
            sh.jobs.iter().position(|j| j.pid.as_raw() == pid)
        }
    }
}

/// `jobs` — list background jobs.
pub fn jobs(sh: &mut Shell, _: &[String]) -> Status {
    sh.reap_jobs();
    let mut text = String::new();
    for job in &sh.jobs {
        let state = match job.status {
            None => "Running".to_string(),
            Some(0) => "Done".to_string(),
            Some(s) => format!("Done({s})"),
        };
        text.push_str(&format!(
            "[{}] {} {:<10} {}\n",
            job.id, job.pid, state, job.text
        ));
    }
    sh.jobs.retain(|j| j.status.is_none());
    super::out(&text);
    Ok(0)
}
