use crate::exec::{Shell, Status};
use crate::redirect::{Redirections, Target};

/// `exec` — with a command, run it (jailed, as always) and leave the shell with its
/// status; without one, make the redirections permanent (`exec 3<file`), and hand
/// descriptors 3–9 opened this way to every later command. The executor calls `keep`
/// for the second form; this entry only sees `exec` with no redirections.
pub fn exec(_: &mut Shell, _: &[String]) -> Status {
    Ok(0)
}

/// Apply `redirs` to the shell for good.
pub fn keep(sh: &mut Shell, redirs: &Redirections) -> Status {
    match redirs.apply() {
        Ok(saved) => saved.forget(),
        Err(e) => {
            sh.error(format!("exec: {e}"));
            return Ok(1);
        }
    }
    for (fd, target) in &redirs.0 {
        if *fd > 2 {
            sh.user_fds.retain(|f| f != fd);
            if !matches!(target, Target::Close) {
                sh.user_fds.push(*fd);
            }
        }
    }
    Ok(0)
}
