use crate::exec::{Shell, Status};
use crate::job::State;

/// `wait [pid|%job]...` — wait for background jobs (all of them without arguments);
/// the status is the last one waited for.
pub fn wait(sh: &mut Shell, argv: &[String]) -> Status {
    let mut status = 0;
    let targets: Vec<usize> = if argv.len() == 1 {
        (0..sh.jobs.len()).collect()
    } else {
        let mut t = Vec::new();
        for a in &argv[1..] {
            match super::jobs::find(sh, a) {
                Some(i) => t.push(i),
                None => {
                    sh.error(format!(
                        "wait: {}: no such job",
                        pola_fileserver::text::shown(a)
                    ));
                    status = 127;
                }
            }
        }
        t
    };
    let pipefail = sh.options.pipefail;
    for i in targets {
        let job = &mut sh.jobs[i];
        if job.state != State::Stopped {
            job.wait(pipefail);
        }
        if let State::Done(s) = job.state {
            status = s;
        }
    }
    sh.jobs.retain(|j| !matches!(j.state, State::Done(_)));
    Ok(status)
}
