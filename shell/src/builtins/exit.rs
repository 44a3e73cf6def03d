use crate::exec::{Flow, Shell, Status};

/// `exit [n]` — leave the shell with status n (default: the last status).
pub fn exit(sh: &mut Shell, argv: &[String]) -> Status {
    let status = match argv.get(1) {
        Some(a) => match super::number(sh, "exit", a) {
            Ok(n) => (n & 0xff) as i32,
            Err(s) => return s,
        },
        None => sh.status,
    };
    // As bash: an interactive shell with jobs that end with it says so, and leaves at
    // the next `exit` typed right after.
    if sh.interactive && !sh.subshell {
        // A job that ended a moment ago is not left behind.
        sh.reap_jobs();
        if let Some(left) = crate::job::LeftBehind::of(&sh.jobs) {
            let line = sh.history.len();
            // Only `jobs` typed in between, as bash allows (new-user trial).
            let looked = |warned: usize| {
                sh.history
                    .get(warned..line.saturating_sub(1))
                    .is_some_and(|between| {
                        between.iter().all(|l| {
                            let l = l.trim();
                            l == "jobs" || l.starts_with("jobs ")
                        })
                    })
            };
            if sh.exit_warned.is_none_or(|warned| !looked(warned)) {
                sh.exit_warned = Some(line);
                sh.error(left.said("exit"));
                return Ok(1);
            }
        }
    }
    Err(Flow::Exit(status))
}

/// `logout [n]` — `exit` for a login shell (bash says the same to any other).
pub fn logout(sh: &mut Shell, argv: &[String]) -> Status {
    if !sh.login {
        sh.error("logout: not a login shell: use `exit'");
        return Ok(1);
    }
    exit(sh, argv)
}
