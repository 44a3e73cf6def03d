use nix::sys::stat::{umask as set_umask, Mode};

use crate::exec::{Shell, Status};

/// `umask [-pS] [mask]` — show or set the file creation mask (octal, or symbolic like
/// `u=rwx,g=rx,o=`; `-S` shows it symbolically). Files the shell creates for write
/// grants and redirections follow it.
pub fn umask(sh: &mut Shell, argv: &[String]) -> Status {
    let mut symbolic = false;
    let mut print = false;
    let mut args = &argv[1..];
    while let Some(a) = args.first() {
        match a.as_str() {
            "-S" => symbolic = true,
            "-p" => print = true,
            "--" => {}
            _ => break,
        }
        args = &args[1..];
    }
    let current = set_umask(Mode::empty());
    set_umask(current);
    let bits = current.bits() & 0o777;
    let Some(m) = args.first() else {
        let text = if symbolic {
            let perm = |shift: u32| {
                let allowed = !(bits >> shift) & 7;
                let mut s = String::new();
                for (bit, c) in [(4, 'r'), (2, 'w'), (1, 'x')] {
                    if allowed & bit != 0 {
                        s.push(c);
                    }
                }
                s
            };
            format!("u={},g={},o={}\n", perm(6), perm(3), perm(0))
        } else if print {
            format!("umask {bits:04o}\n")
        } else {
            format!("{bits:04o}\n")
        };
        super::out(&text);
        return Ok(0);
    };
    // Every file the user makes later would take it (`umask 0`, then `!!ssh-keygen`).
    if sh.refuse_in_made_text("umask") {
        return Ok(1);
    }
    let new = if m.chars().all(|c| c.is_digit(8)) {
        u32::from_str_radix(m, 8).ok().filter(|b| *b <= 0o777)
    } else {
        symbolic_mask(m, bits)
    };
    match new {
        Some(b) => {
            set_umask(Mode::from_bits_truncate(b));
            Ok(0)
        }
        None => {
            sh.error(format!(
                "umask: {}: invalid mask (give it in octal, like 022)",
                pola_fileserver::text::shown(m)
            ));
            Ok(1)
        }
    }
}

/// A symbolic mode (`u=rwx,g-w,o=`) applied to the permissions the mask leaves.
fn symbolic_mask(text: &str, mask: u32) -> Option<u32> {
    let mut allowed = !mask & 0o777;
    for clause in text.split(',') {
        let op_at = clause.find(['=', '+', '-'])?;
        let (who, rest) = clause.split_at(op_at);
        let op = rest.chars().next()?;
        let mut perms = 0;
        for c in rest[1..].chars() {
            perms |= match c {
                'r' => 4,
                'w' => 2,
                'x' => 1,
                _ => return None,
            };
        }
        let shifts: Vec<u32> = if who.is_empty() || who.contains('a') {
            vec![6, 3, 0]
        } else {
            who.chars()
                .map(|c| match c {
                    'u' => Some(6),
                    'g' => Some(3),
                    'o' => Some(0),
                    _ => None,
                })
                .collect::<Option<Vec<u32>>>()?
        };
        for s in shifts {
            match op {
                '=' => allowed = (allowed & !(7 << s)) | (perms << s),
                '+' => allowed |= perms << s,
                _ => allowed &= !(perms << s),
            }
        }
    }
    Some(!allowed & 0o777)
}
