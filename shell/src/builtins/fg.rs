use nix::sys::signal::{kill, Signal};

use crate::exec::{wait_pid, Shell, Status};

/// `fg [%job]` — continue a job and wait for it.
pub fn fg(sh: &mut Shell, argv: &[String]) -> Status {
    let spec = argv.get(1).map(String::as_str).unwrap_or("%%");
    let Some(i) = super::jobs::find(sh, spec) else {
        sh.error(format!("fg: {spec}: no such job"));
        return Ok(1);
    };
    let job = sh.jobs.remove(i);
    super::out(&format!("{}\n", job.text));
    let _ = kill(job.pid, Signal::SIGCONT);
    Ok(job.status.unwrap_or_else(|| wait_pid(job.pid)))
}
