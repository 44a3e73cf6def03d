use crate::exec::{Shell, Status};

/// `disown [-a] [%job...]` — forget jobs: the shell no longer waits for them or
/// reports them (the current job without arguments; every job with `-a`).
pub fn disown(sh: &mut Shell, argv: &[String]) -> Status {
    let args = &argv[1..];
    if args.iter().any(|a| a == "-a") {
        sh.jobs.clear();
        return Ok(0);
    }
    let specs: Vec<&str> = if args.is_empty() {
        vec!["%%"]
    } else {
        args.iter().map(String::as_str).collect()
    };
    let mut status = 0;
    for spec in specs {
        match super::jobs::find(sh, spec) {
            Some(i) => {
                sh.jobs.remove(i);
            }
            None => {
                let what = if spec == "%%" { "current" } else { spec };
                sh.error(format!(
                    "disown: {}: no such job",
                    pola_fileserver::text::shown(what)
                ));
                status = 1;
            }
        }
    }
    Ok(status)
}
