use crate::exec::{Shell, Status};

/// `eval [arg]...` — run the arguments, joined by spaces, as shell commands.
pub fn eval(sh: &mut Shell, argv: &[String]) -> Status {
    let text = argv[1..].join(" ");
    if text.trim().is_empty() {
        return Ok(0);
    }
    // A syntax error in the text is eval's failure (status 2), not the script's.
    sh.run_text(&text, false)
}
