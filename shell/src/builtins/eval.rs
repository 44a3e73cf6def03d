use crate::exec::{Shell, Status};

/// `eval [arg]...` — run the arguments, joined by spaces, as shell commands.
///
/// The words are often a command's output (`eval "$(dircolors -b)"`), and that
/// command ran in a jail: words that hold such text (`Shell::words_made`) run as text
/// made at run time, without `!!` (`parse::MADE_AT_RUN_TIME`), writing no file and
/// setting no variable that steers later commands (`Shell::run_made_text`). The
/// script's own words run as the script. `!!eval` ([`eval_vouched`]) lets any.
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
    // Words that hold text a command made (`eval "$(tool init)"`, `x=$(tool); eval
    // "$x"`) run as such text; the script's own (`eval "exec $fd>$log"`) as the script.
    // Its lines count from the `eval`'s own (bash's): a message names the script's.
    let base = std::mem::replace(&mut sh.line_base, sh.line.max(1));
    let line = sh.line;
    let r = match vouched || !sh.words_made {
        true => sh.run_text(&text, false),
        false => sh.run_made_text(&text, false),
    };
    sh.line_base = base;
    sh.line = line;
    r
}
