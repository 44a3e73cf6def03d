use crate::exec::{Flow, Shell, Status};

/// `return [n]` — leave the current function (or sourced script).
pub fn return_(sh: &mut Shell, argv: &[String]) -> Status {
    let status = match argv.get(1) {
        Some(a) => match super::number(sh, "return", a) {
            Ok(n) => (n & 0xff) as i32,
            Err(s) => return s,
        },
        None => sh.status,
    };
    Err(Flow::Return(status))
}
