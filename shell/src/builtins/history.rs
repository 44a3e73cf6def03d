use crate::exec::{Shell, Status};

/// `history [N]` — the lines entered in this and earlier interactive sessions (the
/// last N).
pub fn history(sh: &mut Shell, argv: &[String]) -> Status {
    // `history N`: the last N lines.
    let last = match argv.get(1).map(|n| n.parse::<usize>()) {
        None => sh.history.len(),
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            sh.error(format!(
                "history: {}: numeric argument required",
                pola_fileserver::text::shown(&argv[1])
            ));
            return Ok(1);
        }
    };
    let skip = sh.history.len().saturating_sub(last);
    let mut text = String::new();
    for (i, line) in sh.history.iter().enumerate().skip(skip) {
        text.push_str(&format!("{:5}  {line}\n", i + 1));
    }
    super::out(&text);
    Ok(0)
}
