use crate::exec::{Shell, Status};

/// `unset [-v|-f] name...` — remove variables (or array elements, `a[1]`), or with
/// `-f` functions; without `-v`, a name that is no variable removes the function.
pub fn unset(sh: &mut Shell, argv: &[String]) -> Status {
    let mut functions = false;
    let mut only_vars = false;
    let mut reference = false;
    let mut status = 0;
    for a in &argv[1..] {
        match a.as_str() {
            "-f" => functions = true,
            "-v" => {
                functions = false;
                only_vars = true;
            }
            "-n" => reference = true,
            name if functions => {
                sh.functions.remove(name);
            }
            name => {
                let (base, index) = match name.find('[') {
                    Some(k) if name.ends_with(']') => {
                        (&name[..k], Some(&name[k + 1..name.len() - 1]))
                    }
                    _ => (name, None),
                };
                if !crate::vars::valid_name(base) {
                    sh.error(format!(
                        "unset: `{}': not a valid identifier",
                        pola_fileserver::text::shown(name)
                    ));
                    status = 1;
                    continue;
                }
                let result = match index {
                    Some("@" | "*") => sh.vars.unset(base).map_err(|e| e.to_string()),
                    Some(key) => match sh.element_key(base, key) {
                        Ok(k) => sh.vars.unset_element(base, k).map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    },
                    None if reference => sh.vars.unset_ref(base).map_err(|e| e.to_string()),
                    None => {
                        if sh.vars.get(base).is_none() && !only_vars {
                            sh.functions.remove(base);
                        }
                        sh.vars.unset(base).map_err(|e| e.to_string())
                    }
                };
                if let Err(e) = result {
                    sh.error(format!(
                        "unset: {}: cannot unset: {e}",
                        pola_fileserver::text::shown(base)
                    ));
                    status = 1;
                }
            }
        }
    }
    Ok(status)
}
