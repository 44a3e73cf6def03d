use crate::exec::{Shell, Status};

/// `let expr...` — evaluate each argument as arithmetic; the status is 0 when the
/// last value is not zero.
pub fn let_(sh: &mut Shell, argv: &[String]) -> Status {
    if argv.len() < 2 {
        sh.error("let: expression expected");
        return Ok(1);
    }
    let mut last = 0;
    for a in &argv[1..] {
        match crate::expand::evaluate(sh, a) {
            Ok(v) => last = v,
            Err(e) => {
                sh.error(format!("let: {e}"));
                return Ok(1);
            }
        }
    }
    Ok((last == 0) as i32)
}
