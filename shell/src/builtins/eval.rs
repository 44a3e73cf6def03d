use crate::exec::{Shell, Status};

/// `eval [arg]...` — run the arguments, joined by spaces, as shell commands.
///
/// The words are often a command's output (`eval "$(dircolors -b)"`), and that
/// command ran in a jail: the text runs with the user's authority but for `!!`, which
/// it may not use (`parse::MADE_AT_RUN_TIME`). `!!eval` ([`eval_vouched`]) lets it.
pub fn eval(sh: &mut Shell, argv: &[String]) -> Status {
    run(sh, argv, false)
}

/// `!!eval [arg]...`: the user vouches for the text, `!!` in it included.
pub fn eval_vouched(sh: &mut Shell, argv: &[String]) -> Status {
    run(sh, argv, true)
}

fn run(sh: &mut Shell, argv: &[String], vouched: bool) -> Status {
    let text = argv[1..].join(" ");
    if text.trim().is_empty() {
        return Ok(0);
    }
    // A syntax error in the text is eval's failure (status 2), not the script's.
    match vouched {
        true => sh.run_text(&text, false),
        false => sh.run_made_text(&text, false),
    }
}
