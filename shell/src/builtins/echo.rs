use crate::escapes::{self, Mode};
use crate::exec::{Shell, Status};

/// `echo [-neE] [arg]...` — as bash: `-n` drops the newline, `-e` interprets
/// backslash escapes (`\n`, `\t`, `\c` stops all output, `\0nnn`, `\xHH`, `\uHHHH`),
/// `-E` (the default) does not; `shopt -s xpg_echo` makes `-e` the default. Options
/// are only a leading word of those letters.
pub fn echo(sh: &mut Shell, argv: &[String]) -> Status {
    let mut args = &argv[1..];
    let mut newline = true;
    let mut interpret = sh.shopt.on("xpg_echo");
    while let Some(a) = args.first() {
        let letters = match a.strip_prefix('-') {
            Some(l) if !l.is_empty() && l.chars().all(|c| "neE".contains(c)) => l,
            _ => break,
        };
        for c in letters.chars() {
            match c {
                'n' => newline = false,
                'e' => interpret = true,
                _ => interpret = false,
            }
        }
        args = &args[1..];
    }
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if interpret {
            let (text, stop) = escapes::expand(a, Mode::Echo);
            out.push_str(&text);
            if stop {
                return Ok(if super::out(&out) { 0 } else { 1 });
            }
        } else {
            out.push_str(a);
        }
    }
    if newline {
        out.push('\n');
    }
    Ok(if super::out(&out) { 0 } else { 1 })
}
