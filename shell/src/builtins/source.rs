use crate::exec::{Flow, Shell, Status};

/// `source file [arg]...` / `. file [arg]...` — run a file's commands in this shell.
pub fn source(sh: &mut Shell, argv: &[String]) -> Status {
    let Some(file) = argv.get(1) else {
        return super::usage(sh, &argv[0], "source FILE [ARG]...");
    };
    let path = if file.contains('/') {
        Some(sh.cwd().join(file))
    } else {
        let path = sh.get("PATH").unwrap_or("").to_string();
        path.split(':')
            .map(|d| std::path::Path::new(if d.is_empty() { "." } else { d }).join(file))
            .find(|p| p.is_file())
            .or_else(|| Some(sh.cwd().join(file)))
    };
    let path = path.unwrap_or_default();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            sh.error(format!(
                "{}: {}: {}",
                argv[0],
                pola_fileserver::text::shown(file),
                crate::exec::io_reason(&e)
            ));
            return Ok(1);
        }
    };
    let saved = (argv.len() > 2).then(|| std::mem::replace(&mut sh.positional, argv[2..].to_vec()));
    let line = sh.line;
    let base = std::mem::replace(&mut sh.line_base, 1);
    let result = match sh.run_source(&text) {
        Err(Flow::Return(s)) => Ok(s),
        other => other,
    };
    sh.line = line;
    sh.line_base = base;
    if let Some(p) = saved {
        sh.positional = p;
    }
    result
}
