use crate::exec::{Shell, Status};
use crate::options::Options;

/// `set [-abCefhmnuvx] [+abCefhmnuvx] [-o option] [--] [arg]...` — shell options and
/// positional parameters; with no arguments, list the variables; `set -o` / `set +o`
/// list the options (the second as commands).
pub fn set(sh: &mut Shell, argv: &[String]) -> Status {
    if argv.len() == 1 {
        let mut text = String::new();
        for (k, v) in sh.vars.visible() {
            if v.made {
                sh.report_made();
            }
            match &v.value {
                Some(crate::vars::Value::Str(s)) => {
                    text.push_str(&format!("{k}={}\n", crate::vars::quote(s)));
                }
                Some(_) => {
                    let line = super::declare::declaration(k, v);
                    let line = line.split_once(' ').map_or("", |(_, r)| r);
                    let line = line.split_once(' ').map_or("", |(_, r)| r);
                    text.push_str(line);
                }
                None => {}
            }
        }
        return Ok(if super::out(&text) { 0 } else { 1 });
    }
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "--" {
            sh.positional = argv[i + 1..].to_vec();
            sh.positional_made = sh.words_made;
            return Ok(0);
        }
        if a == "-" {
            sh.options.xtrace = false;
            sh.options.verbose = false;
            sh.positional = argv[i + 1..].to_vec();
            sh.positional_made = sh.words_made;
            return Ok(0);
        }
        let on = a.starts_with('-');
        if !(on || a.starts_with('+')) || a.len() < 2 {
            sh.positional = argv[i..].to_vec();
            sh.positional_made = sh.words_made;
            return Ok(0);
        }
        for flag in a[1..].chars() {
            let name = if flag == 'o' {
                i += 1;
                match argv.get(i) {
                    Some(n) => n.clone(),
                    None => {
                        super::out(&listing(&sh.options, on));
                        return Ok(0);
                    }
                }
            } else {
                match Options::letter_name(flag) {
                    Some(n) => n.to_string(),
                    None => {
                        sh.error(format!(
                            "set: -{}: invalid option",
                            pola_fileserver::text::shown(&flag.to_string())
                        ));
                        return super::usage(
                            sh,
                            "set",
                            "set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]",
                        );
                    }
                }
            };
            if !sh.options.set_named(&name, on) {
                sh.error(format!(
                    "set: {}: invalid option name",
                    pola_fileserver::text::shown(&name)
                ));
                return Ok(2);
            }
        }
        i += 1;
    }
    Ok(0)
}

/// `set -o` (a table) or `set +o` (commands that restore the options).
fn listing(o: &Options, table: bool) -> String {
    let mut text = String::new();
    for name in Options::names() {
        let on = o.get_named(name) == Some(true);
        if table {
            text.push_str(&format!("{name:<15}\t{}\n", if on { "on" } else { "off" }));
        } else {
            text.push_str(&format!("set {}o {name}\n", if on { '-' } else { '+' }));
        }
    }
    text
}
