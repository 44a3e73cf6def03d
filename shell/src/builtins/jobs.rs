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

/// `jobs [-lp]` — list jobs as bash does (`[1]+  Running    sleep 9 &`): running,
/// stopped, and in an interactive shell those that ended since the last look;
/// `-p`: only their process ids, `-l`: with them.
pub fn jobs(sh: &mut Shell, argv: &[String]) -> Status {
    // Jobs' text, which text a command made may have started (fourth review).
    sh.report_made();
    // A subshell (`jobs | head`) sees its parent's jobs but cannot wait for them.
    if !sh.subshell {
        sh.reap_jobs();
    }
    let flags: String = argv[1..]
        .iter()
        .filter_map(|a| a.strip_prefix('-'))
        .collect();
    let pids_only = flags.contains('p');
    let with_pids = flags.contains('l');
    let interactive = sh.interactive;
    let specs: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let mut wanted = Vec::new();
    for spec in &specs {
        match find(sh, spec) {
            Some(i) => wanted.push(i),
            None => {
                sh.error(format!(
                    "jobs: {}: no such job",
                    pola_fileserver::text::shown(spec)
                ));
                return Ok(1);
            }
        }
    }
    let shown: Vec<&crate::job::Job> = sh
        .jobs
        .iter()
        .enumerate()
        .filter(|(i, j)| {
            (specs.is_empty() || wanted.contains(i))
                && (interactive || !matches!(j.state, State::Done(_)))
        })
        .map(|(_, j)| j)
        .collect();
    let n = shown.len();
    let mut text = String::new();
    for (i, job) in shown.into_iter().enumerate() {
        let pid = if job.pgid.as_raw() > 0 {
            job.pgid
        } else {
            job.procs[0].pid
        };
        if pids_only {
            text.push_str(&format!("{pid}\n"));
            continue;
        }
        let mark = crate::job::mark(i, n);
        let amp = if job.state == State::Running {
            " &"
        } else {
            ""
        };
        let line = match with_pids {
            true => format!(
                "[{}]{mark} {pid} {:<24}{}",
                job.id,
                job.state.shown(),
                job.text
            ),
            false => job.line(mark),
        };
        text.push_str(&format!("{line}{amp}\n"));
    }
    sh.jobs.retain(|j| !matches!(j.state, State::Done(_)));
    super::out(&text);
    Ok(0)
}
