//! `[[ expression ]]`: bash's conditional command. Words are expanded without
//! splitting or pathname expansion; the right side of `==` and `!=` is a pattern
//! (extended patterns always on), of `=~` a POSIX extended regular expression (the C
//! library's `regcomp`, as bash uses), whose matches go to `BASH_REMATCH`.

use std::ffi::CString;

use crate::ast::Cond;
use crate::builtins::test;
use crate::exec::Shell;
use crate::expand;

/// The status of `[[ c ]]`: 0 true, 1 false, 2 error (reported).
pub fn evaluate(sh: &mut Shell, c: &Cond) -> i32 {
    match eval(sh, c) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            sh.error(e);
            2
        }
    }
}

fn word(sh: &mut Shell, w: &crate::ast::Word) -> Result<String, String> {
    expand::string(sh, w)
}

fn eval(sh: &mut Shell, c: &Cond) -> Result<bool, String> {
    match c {
        Cond::Word(w) => Ok(!word(sh, w)?.is_empty()),
        Cond::Not(c) => Ok(!eval(sh, c)?),
        Cond::And(a, b) => Ok(eval(sh, a)? && eval(sh, b)?),
        Cond::Or(a, b) => Ok(eval(sh, a)? || eval(sh, b)?),
        Cond::Group(c) => eval(sh, c),
        Cond::Unary(op, w) => {
            let x = word(sh, w)?;
            test::unary(sh, op, &x)
        }
        Cond::Binary(a, op, b) => {
            let left = word(sh, a)?;
            match op.as_str() {
                "==" | "=" | "!=" => {
                    let pat = expand::pattern(sh, b)?;
                    let nocase = sh.shopt.on("nocasematch");
                    let hit = if nocase {
                        crate::pattern::matches(&pat.to_lowercase(), &left.to_lowercase(), true)
                    } else {
                        crate::pattern::matches(&pat, &left, true)
                    };
                    Ok(hit == (op != "!="))
                }
                "=~" => {
                    let re = expand::regex(sh, b)?;
                    regex_match(sh, &left, &re)
                }
                "<" | ">" => {
                    let right = word(sh, b)?;
                    let order = crate::pattern::collate(&left, &right);
                    Ok(if op == "<" {
                        order.is_lt()
                    } else {
                        order.is_gt()
                    })
                }
                "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge" => {
                    let right = word(sh, b)?;
                    let x = expand::evaluate(sh, &left)?;
                    let y = expand::evaluate(sh, &right)?;
                    Ok(match op.as_str() {
                        "-eq" => x == y,
                        "-ne" => x != y,
                        "-lt" => x < y,
                        "-le" => x <= y,
                        "-gt" => x > y,
                        _ => x >= y,
                    })
                }
                _ => {
                    let right = word(sh, b)?;
                    test::binary(sh, &left, op, &right)
                }
            }
        }
    }
}

/// Match `text` against the extended regular expression `re`; set `BASH_REMATCH`.
fn regex_match(sh: &mut Shell, text: &str, re: &str) -> Result<bool, String> {
    let (Ok(c_re), Ok(c_text)) = (CString::new(re), CString::new(text)) else {
        return Ok(false);
    };
    let nocase = if sh.shopt.on("nocasematch") {
        libc::REG_ICASE
    } else {
        0
    };
    // SAFETY: regex_t is plain data filled by regcomp; it is freed below on every path
    // after a successful regcomp, and the strings outlive the calls.
    unsafe {
        let mut compiled: libc::regex_t = std::mem::zeroed();
        if libc::regcomp(&mut compiled, c_re.as_ptr(), libc::REG_EXTENDED | nocase) != 0 {
            return Err(format!(
                "{}: invalid regular expression",
                pola_fileserver::text::shown(re)
            ));
        }
        let groups = count_groups(re) + 1;
        let mut matches = vec![
            libc::regmatch_t {
                rm_so: -1,
                rm_eo: -1
            };
            groups
        ];
        let r = libc::regexec(&compiled, c_text.as_ptr(), groups, matches.as_mut_ptr(), 0);
        libc::regfree(&mut compiled);
        if r != 0 {
            let _ = sh.vars.unset("BASH_REMATCH");
            return Ok(false);
        }
        let bytes = text.as_bytes();
        let captured: std::collections::BTreeMap<usize, String> = matches
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let s = if m.rm_so >= 0 && m.rm_eo >= m.rm_so {
                    String::from_utf8_lossy(&bytes[m.rm_so as usize..m.rm_eo as usize]).into_owned()
                } else {
                    String::new()
                };
                (i, s)
            })
            .collect();
        // What it matched keeps the mark of what it was matched in.
        let marked = sh.vars.tainting || sh.made_seen.get();
        let _ = sh.setting_marked(marked, |sh| {
            sh.vars
                .set_value("BASH_REMATCH", crate::vars::Value::Indexed(captured))
        });
        Ok(true)
    }
}

/// The number of parenthesised groups of an extended regular expression.
fn count_groups(re: &str) -> usize {
    let mut n = 0;
    let mut chars = re.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => {
                // A bracket expression: `]` first is literal.
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    chars.next();
                }
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                }
            }
            '(' => n += 1,
            _ => {}
        }
    }
    n
}
