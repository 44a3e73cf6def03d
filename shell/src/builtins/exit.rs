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
    Err(Flow::Exit(status))
}
