use crate::exec::{Shell, Status};
use crate::traps::{self, Action};

/// `trap [-lp] [[action] signal...]` — run action when a signal arrives, when the
/// shell exits (`EXIT`, 0) or a command fails (`ERR`); `''` ignores the signal, `-`
/// (or no action) restores it. Without arguments, list the traps.
pub fn trap(sh: &mut Shell, argv: &[String]) -> Status {
    let mut args = &argv[1..];
    if args.first().map(String::as_str) == Some("-l") {
        let names: Vec<String> = nix::sys::signal::Signal::iterator()
            .map(|s| format!("{}) {}", s as i32, s.as_str()))
            .collect();
        super::out(&format!("{}\n", names.join(" ")));
        return Ok(0);
    }
    let print = args.first().map(String::as_str) == Some("-p");
    if print || args.first().map(String::as_str) == Some("--") {
        args = &args[1..];
    }
    if args.is_empty() || print {
        let mut text = String::new();
        for (sig, action) in sh.traps.all() {
            let wanted = args.is_empty() || args.iter().any(|a| traps::number(a) == Some(sig));
            if !wanted {
                continue;
            }
            let cmd = match action {
                Action::Ignore => String::new(),
                Action::Run(c, made) => {
                    if *made {
                        sh.report_made();
                    }
                    c.clone()
                }
            };
            text.push_str(&format!(
                "trap -- {} {}\n",
                crate::vars::quote(&cmd),
                traps::name(sig)
            ));
        }
        super::out(&text);
        return Ok(0);
    }
    // `trap N...` with a number first: reset those signals.
    let reset_only =
        args.len() == 1 || (traps::number(&args[0]).is_some() && args[0].parse::<i32>().is_ok());
    let (action, signals) = if reset_only {
        (None, args)
    } else {
        let a = args[0].as_str();
        let action = match a {
            "-" => None,
            "" => Some(Action::Ignore),
            cmd if sh.refuse_unconfined("trap", cmd) => return Ok(1),
            cmd => Some(Action::Run(
                cmd.to_string(),
                sh.made_at_run_time > 0 || sh.words_made,
            )),
        };
        (action, &args[1..])
    };
    let mut status = 0;
    // A script's EXIT trap runs when Ctrl-C ends it too (bash).
    let exit_on = |sh: &mut Shell| {
        if !sh.interactive {
            let on = matches!(sh.traps.get(traps::EXIT), Some(Action::Run(..)));
            sh.traps.exit_on(on);
        }
    };
    for s in signals {
        match traps::number(s) {
            Some(n) => {
                let default = sh.signal_default(n);
                sh.traps.set(n, action.clone(), default);
                exit_on(sh);
            }
            None => {
                sh.error(format!(
                    "trap: {}: invalid signal specification",
                    pola_fileserver::text::shown(s)
                ));
                status = 1;
            }
        }
    }
    Ok(status)
}
