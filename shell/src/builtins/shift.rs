use crate::exec::{Shell, Status};

/// `shift [n]` — drop the first n positional parameters.
pub fn shift(sh: &mut Shell, argv: &[String]) -> Status {
    let n = match argv.get(1) {
        Some(a) => match super::number(sh, "shift", a) {
            Ok(n) if n >= 0 => n as usize,
            Ok(_) => return super::usage(sh, "shift", "shift [n], n >= 0"),
            Err(s) => return s,
        },
        None => 1,
    };
    if n > sh.positional.len() {
        sh.error(format!(
            "shift: can't shift that many ({n} > {})",
            sh.positional.len()
        ));
        return Ok(1);
    }
    sh.positional.drain(..n);
    Ok(0)
}
