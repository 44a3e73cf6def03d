use crate::exec::{Shell, Status};

/// `set [-eufx] [+eufx] [-o option] [--] [arg]...` — shell options and positional
/// parameters; with no arguments, list the variables.
pub fn set(sh: &mut Shell, argv: &[String]) -> Status {
    if argv.len() == 1 {
        let mut text = String::new();
        for (k, v) in &sh.vars {
            text.push_str(&format!("{k}='{}'\n", v.value.replace('\'', "'\\''")));
        }
        return Ok(if super::out(&text) { 0 } else { 1 });
    }
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "--" {
            sh.positional = argv[i + 1..].to_vec();
            return Ok(0);
        }
        let on = a.starts_with('-');
        if !(on || a.starts_with('+')) || a.len() < 2 {
            sh.positional = argv[i..].to_vec();
            return Ok(0);
        }
        for flag in a[1..].chars() {
            let name = match flag {
                'e' => "errexit",
                'u' => "nounset",
                'x' => "xtrace",
                'f' => "noglob",
                'o' => {
                    i += 1;
                    match argv.get(i) {
                        Some(n) => n.as_str(),
                        None => {
                            let o = &sh.options;
                            let text = format!(
                                "errexit {}\nnounset {}\nxtrace {}\nnoglob {}\npipefail {}\n",
                                onoff(o.errexit),
                                onoff(o.nounset),
                                onoff(o.xtrace),
                                onoff(o.noglob),
                                onoff(o.pipefail)
                            );
                            super::out(&text);
                            return Ok(0);
                        }
                    }
                }
                other => {
                    sh.error(format!(
                        "set: -{}: unknown option",
                        pola_fileserver::text::shown(&other.to_string())
                    ));
                    return Ok(2);
                }
            };
            let o = &mut sh.options;
            match name {
                "errexit" => o.errexit = on,
                "nounset" => o.nounset = on,
                "xtrace" => o.xtrace = on,
                "noglob" => o.noglob = on,
                "pipefail" => o.pipefail = on,
                other => {
                    sh.error(format!(
                        "set: {}: unknown option",
                        pola_fileserver::text::shown(other)
                    ));
                    return Ok(2);
                }
            }
        }
        i += 1;
    }
    Ok(0)
}

fn onoff(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}
