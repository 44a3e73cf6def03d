use crate::exec::{Shell, Status};

/// `fg [%job]` — bring a job to the foreground: give it the terminal, continue it if
/// stopped, and wait for it.
pub fn fg(sh: &mut Shell, argv: &[String]) -> Status {
    if sh.terminal.is_none() {
        // A shell without a terminal does no job control (as bash says).
        sh.error("fg: no job control");
        return Ok(1);
    }
    let spec = argv.get(1).map(String::as_str).unwrap_or("%%");
    let Some(i) = super::jobs::find(sh, spec) else {
        sh.error(format!(
            "fg: {}: no such job",
            pola_fileserver::text::shown(spec)
        ));
        return Ok(1);
    };
    let mut job = sh.jobs.remove(i);
    super::out(&format!("{}\n", job.text));
    if let Some(t) = &sh.terminal {
        t.give(&job);
    }
    job.resume();
    Ok(sh.foreground(job))
}
