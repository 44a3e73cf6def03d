use crate::exec::{Shell, Status};

/// `command [-pvV] name [arg]...` — with -v/-V, say what name is; otherwise run it,
/// skipping shell functions (`-p`: search the default `PATH`).
pub fn command(sh: &mut Shell, argv: &[String]) -> Status {
    let mut i = 1;
    let mut describe = None;
    let mut default_path = false;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-v" => describe = Some(false),
            "-V" => describe = Some(true),
            "-p" => default_path = true,
            "--" => {
                i += 1;
                break;
            }
            s if s.starts_with('-') && s.len() > 1 => {
                let mut ok = true;
                for c in s[1..].chars() {
                    match c {
                        'v' => describe = Some(false),
                        'V' => describe = Some(true),
                        'p' => default_path = true,
                        _ => ok = false,
                    }
                }
                if !ok {
                    sh.error(format!(
                        "command: {}: invalid option",
                        pola_fileserver::text::shown(s)
                    ));
                    return super::usage(sh, "command", "command [-pVv] command [arg ...]");
                }
            }
            _ => break,
        }
        i += 1;
    }
    let rest = &argv[i..];
    if let Some(verbose) = describe {
        let mut status = 0;
        for name in rest {
            match super::type_::describe(sh, name, verbose) {
                Some(text) => {
                    super::out(&format!("{text}\n"));
                }
                None => {
                    if verbose {
                        sh.error(format!(
                            "command: {}: not found",
                            pola_fileserver::text::shown(name)
                        ));
                    }
                    status = 1;
                }
            }
        }
        return Ok(status);
    }
    if rest.is_empty() {
        return Ok(0);
    }
    if default_path {
        let saved = sh.get("PATH").map(str::to_string);
        sh.set("PATH", "/usr/local/bin:/usr/bin:/bin");
        let r = sh.run_argv(rest, false);
        match saved {
            Some(p) => sh.set("PATH", &p),
            None => {
                let _ = sh.vars.unset("PATH");
            }
        }
        return r;
    }
    sh.run_argv(rest, false)
}
