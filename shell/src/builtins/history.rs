use crate::exec::{Shell, Status};

/// `history` — the lines entered in this and earlier interactive sessions.
pub fn history(sh: &mut Shell, _: &[String]) -> Status {
    let mut text = String::new();
    for (i, line) in sh.history.iter().enumerate() {
        text.push_str(&format!("{:5}  {line}\n", i + 1));
    }
    super::out(&text);
    Ok(0)
}
