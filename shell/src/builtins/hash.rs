use crate::exec::{Shell, Status};

/// `hash [-r] [-t] [name...]` — remember where programs are on `PATH` (the shell looks
/// them up there first), forget them (`-r`), or show them.
pub fn hash(sh: &mut Shell, argv: &[String]) -> Status {
    let mut args = &argv[1..];
    let mut show = false;
    while let Some(a) = args.first() {
        match a.as_str() {
            "-r" => {
                sh.hash.clear();
            }
            "-t" => show = true,
            "-l" | "-d" => {}
            "--" => {
                args = &args[1..];
                break;
            }
            _ => break,
        }
        args = &args[1..];
    }
    if args.is_empty() {
        if argv.len() > 1 {
            return Ok(0);
        }
        if sh.hash.is_empty() {
            super::out("hash: hash table empty\n");
            return Ok(0);
        }
        let mut text = String::from("hits\tcommand\n");
        for p in sh.hash.values() {
            text.push_str(&format!("   1\t{}\n", pola_fileserver::text::shown(p)));
        }
        super::out(&text);
        return Ok(0);
    }
    let mut status = 0;
    for name in args {
        if super::lookup(name).is_some() || name.contains('/') {
            continue;
        }
        match sh.program_for(name) {
            Ok(_) => {
                if show {
                    if let Some(p) = sh.hash.get(name.as_str()) {
                        super::out(&format!("{}\n", p.display()));
                    }
                }
            }
            Err(_) => {
                sh.error(format!(
                    "hash: {}: not found",
                    pola_fileserver::text::shown(name)
                ));
                status = 1;
            }
        }
    }
    Ok(status)
}
