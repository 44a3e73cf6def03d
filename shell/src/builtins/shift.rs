use crate::exec::{Shell, Status};

/// `shift [n]` — drop the first n positional parameters.
pub fn shift(sh: &mut Shell, argv: &[String]) -> Status {
    let n = match argv.get(1) {
        Some(a) => match a.trim().parse::<i64>() {
            Ok(n) if n >= 0 => n as usize,
            Ok(_) => {
                sh.error(format!("shift: {a}: shift count out of range"));
                return Ok(1);
            }
            Err(_) => {
                sh.error(format!(
                    "shift: {}: numeric argument required",
                    pola_fileserver::text::shown(a)
                ));
                return Ok(1);
            }
        },
        None => 1,
    };
    if n > sh.positional.len() {
        // bash says nothing unless `shopt -s shift_verbose`.
        if sh.shopt.on("shift_verbose") {
            sh.error(format!("shift: {n}: shift count out of range"));
        }
        return Ok(1);
    }
    sh.positional.drain(..n);
    Ok(0)
}
