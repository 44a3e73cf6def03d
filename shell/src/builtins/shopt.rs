use crate::exec::{Shell, Status};

/// `shopt [-pqsuo] [name...]` — bash's shell options: `-s` sets, `-u` unsets, `-q`
/// only answers with the status, `-p` prints them as commands, `-o` works on `set -o`
/// names. Options pola-sh does not act on are accepted and remembered, so that
/// `~/.bashrc` runs through.
pub fn shopt(sh: &mut Shell, argv: &[String]) -> Status {
    let (mut set, mut unset, mut quiet, mut print, mut o) = (false, false, false, false, false);
    let mut i = 1;
    while i < argv.len() && argv[i].starts_with('-') && argv[i].len() > 1 {
        for c in argv[i][1..].chars() {
            match c {
                's' => set = true,
                'u' => unset = true,
                'q' => quiet = true,
                'p' => print = true,
                'o' => o = true,
                _ => {
                    sh.error(format!("shopt: -{c}: invalid option"));
                    return Ok(2);
                }
            }
        }
        i += 1;
    }
    let names = &argv[i..];
    let get = |sh: &Shell, n: &str| {
        if o {
            sh.options.get_named(n)
        } else {
            sh.shopt.get(n)
        }
    };
    for n in names {
        if get(sh, n).is_none() {
            sh.error(format!(
                "shopt: {}: invalid shell option name",
                pola_fileserver::text::shown(n)
            ));
            return Ok(1);
        }
    }
    if set || unset {
        for n in names {
            if o {
                sh.options.set_named(n, set);
            } else {
                sh.shopt.set(n, set);
            }
        }
        return Ok(0);
    }
    let all: Vec<(String, bool)> = if names.is_empty() {
        if o {
            crate::options::Options::names()
                .map(|n| (n.to_string(), sh.options.get_named(n) == Some(true)))
                .collect()
        } else {
            sh.shopt.all().map(|(n, v)| (n.to_string(), v)).collect()
        }
    } else {
        names
            .iter()
            .map(|n| (n.clone(), get(sh, n) == Some(true)))
            .collect()
    };
    let status = if all.iter().all(|(_, on)| *on) { 0 } else { 1 };
    if quiet {
        return Ok(status);
    }
    let mut text = String::new();
    for (n, on) in &all {
        if print {
            let cmd = if o { "set" } else { "shopt" };
            let flag = match (o, on) {
                (true, true) => "-o",
                (true, false) => "+o",
                (false, true) => "-s",
                (false, false) => "-u",
            };
            text.push_str(&format!("{cmd} {flag} {n}\n"));
        } else {
            text.push_str(&format!("{n:<15}\t{}\n", if *on { "on" } else { "off" }));
        }
    }
    super::out(&text);
    Ok(if names.is_empty() { 0 } else { status })
}
