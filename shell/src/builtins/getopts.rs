use crate::exec::{Shell, Status};

/// `getopts optstring name [arg...]` — the next option of the positional parameters
/// (or of the args) into `name`, its argument into `OPTARG`; `OPTIND` says where the
/// next one is. A leading `:` in optstring reports errors silently.
pub fn getopts(sh: &mut Shell, argv: &[String]) -> Status {
    if argv.len() < 3 {
        return super::usage(sh, "getopts", "getopts optstring name [arg ...]");
    }
    let spec = argv[1].as_str();
    let var = argv[2].as_str();
    let args: Vec<String> = if argv.len() > 3 {
        argv[3..].to_vec()
    } else {
        // OPTARG and the option from the positional parameters keep their mark.
        if sh.positional_made {
            sh.vars.tainting = true;
        }
        sh.positional.clone()
    };
    let silent = spec.starts_with(':');
    let spec = spec.trim_start_matches(':');
    let mut optind: usize = sh
        .get("OPTIND")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    if optind != sh.getopts_index {
        // OPTIND was reset (or changed) by the script: start that word afresh.
        sh.getopts_char = 0;
    }
    let done = |sh: &mut Shell, optind: usize| {
        let _ = sh.assign(var, "?");
        sh.getopts_index = optind;
        let _ = sh.assign("OPTIND", &optind.to_string());
        Ok(1)
    };
    let Some(word) = args.get(optind - 1) else {
        return done(sh, optind);
    };
    if sh.getopts_char == 0 {
        if word == "--" {
            return done(sh, optind + 1);
        }
        if !word.starts_with('-') || word == "-" {
            return done(sh, optind);
        }
        sh.getopts_char = 1;
    }
    let chars: Vec<char> = word.chars().collect();
    let c = chars[sh.getopts_char];
    sh.getopts_char += 1;
    let at_end = sh.getopts_char >= chars.len();
    let advance = |sh: &mut Shell, optind: &mut usize| {
        *optind += 1;
        sh.getopts_char = 0;
    };
    let _ = sh.vars.unset("OPTARG");
    let known = spec.find(c).filter(|_| c != ':');
    let status = match known {
        None => {
            if silent {
                let _ = sh.assign("OPTARG", &c.to_string());
            } else {
                sh.error(format!("illegal option -- {c}"));
            }
            let _ = sh.assign(var, "?");
            if at_end {
                advance(sh, &mut optind);
            }
            0
        }
        Some(k) if spec[k + c.len_utf8()..].starts_with(':') => {
            if !at_end {
                let rest: String = chars[sh.getopts_char..].iter().collect();
                let _ = sh.assign("OPTARG", &rest);
                advance(sh, &mut optind);
                let _ = sh.assign(var, &c.to_string());
            } else if let Some(next) = args.get(optind) {
                let _ = sh.assign("OPTARG", next);
                optind += 2;
                sh.getopts_char = 0;
                let _ = sh.assign(var, &c.to_string());
            } else {
                advance(sh, &mut optind);
                if silent {
                    let _ = sh.assign(var, ":");
                    let _ = sh.assign("OPTARG", &c.to_string());
                } else {
                    sh.error(format!("option requires an argument -- {c}"));
                    let _ = sh.assign(var, "?");
                }
            }
            0
        }
        Some(_) => {
            let _ = sh.assign(var, &c.to_string());
            if at_end {
                advance(sh, &mut optind);
            }
            0
        }
    };
    sh.getopts_index = optind;
    let _ = sh.assign("OPTIND", &optind.to_string());
    Ok(status)
}
