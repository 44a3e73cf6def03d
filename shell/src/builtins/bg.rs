use nix::sys::signal::{kill, Signal};

use crate::exec::{Shell, Status};

/// `bg [%job]` — let a stopped job continue in the background.
pub fn bg(sh: &mut Shell, argv: &[String]) -> Status {
    let spec = argv.get(1).map(String::as_str).unwrap_or("%%");
    let Some(i) = super::jobs::find(sh, spec) else {
        sh.error(format!("bg: {spec}: no such job"));
        return Ok(1);
    };
    let job = &sh.jobs[i];
    super::out(&format!("[{}] {}\n", job.id, job.text));
    Ok(if kill(job.pid, Signal::SIGCONT).is_ok() {
        0
    } else {
        1
    })
}
