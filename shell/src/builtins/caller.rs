use crate::exec::{Shell, Status};

/// `caller` — where the running function was called from: `LINE FUNCTION`.
pub fn caller(sh: &mut Shell, _: &[String]) -> Status {
    if sh.funcnames.is_empty() {
        return Ok(1);
    }
    let outer = if sh.funcnames.len() > 1 {
        sh.funcnames[sh.funcnames.len() - 2].clone()
    } else {
        "main".to_string()
    };
    super::out(&format!("{} {outer}\n", sh.line));
    Ok(0)
}
