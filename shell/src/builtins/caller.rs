use crate::exec::{Shell, Status};

/// `caller` — where the running function was called from: `LINE FUNCTION FILE` (the
/// file left out where there is none: `-c`, standard input).
pub fn caller(sh: &mut Shell, _: &[String]) -> Status {
    if sh.funcnames.is_empty() {
        return Ok(1);
    }
    let outer = if sh.funcnames.len() > 1 {
        sh.funcnames[sh.funcnames.len() - 2].clone()
    } else {
        "main".to_string()
    };
    // The caller's file: the one below the running function's own (`call_function`).
    let file = match sh.sources.len() {
        n if n >= 2 => format!(" {}", sh.sources[n - 2]),
        _ => String::new(),
    };
    let line = sh.call_lines.last().copied().unwrap_or(sh.line);
    super::out(&format!("{line} {outer}{file}\n"));
    Ok(0)
}
