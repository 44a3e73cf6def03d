use crate::exec::{Flow, Shell, Status};

/// `break [n]` — leave the n innermost loops.
pub fn break_(sh: &mut Shell, argv: &[String]) -> Status {
    levels(sh, argv, "break").map_err(Flow::Break)
}

/// The loop count for `break`/`continue`: `Err(n)` to unwind n loops.
pub fn levels(sh: &Shell, argv: &[String], name: &str) -> Result<i32, usize> {
    if sh.in_loop() == 0 {
        sh.error(format!("{name}: only meaningful in a loop"));
        return Ok(0);
    }
    let n = match argv.get(1) {
        Some(a) => match a.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                sh.error(format!(
                    "{name}: {}: loop count out of range",
                    pola_fileserver::text::shown(a)
                ));
                return Ok(1);
            }
        },
        None => 1,
    };
    Err(n.min(sh.in_loop()))
}
