use crate::exec::{Shell, Status};

/// `bg [%job]` — let a stopped job go on in the background.
pub fn bg(sh: &mut Shell, argv: &[String]) -> Status {
    if sh.terminal.is_none() {
        // A shell without a terminal does no job control (as bash says).
        sh.error("bg: no job control");
        return Ok(1);
    }
    let spec = argv.get(1).map(String::as_str).unwrap_or("%%");
    let Some(i) = super::jobs::find(sh, spec) else {
        sh.error(format!(
            "bg: {}: no such job",
            pola_fileserver::text::shown(spec)
        ));
        return Ok(1);
    };
    let job = &mut sh.jobs[i];
    job.resume();
    super::out(&format!("[{}]+ {} &\n", job.id, job.text));
    Ok(0)
}
