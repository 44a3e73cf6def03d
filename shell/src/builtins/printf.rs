use crate::exec::{Shell, Status};

/// `printf format [arg]...` — POSIX printf: `%s %b %c %d %i %u %o %x %X %e %f %g %%`
/// with flags, width and precision; the format is reused while arguments remain.
pub fn printf(sh: &mut Shell, argv: &[String]) -> Status {
    let Some(format) = argv.get(1) else {
        return super::usage(sh, "printf", "printf FORMAT [ARG]...");
    };
    let mut args = argv[2..].iter().map(String::as_str);
    let mut out = String::new();
    let mut status = 0;
    loop {
        let before = args.len();
        if render(format, &mut args, &mut out, sh, &mut status) {
            break;
        }
        if args.len() == 0 || args.len() == before {
            break;
        }
    }
    if !super::out(&out) {
        return Ok(1);
    }
    Ok(status)
}

/// Render the format once; true when `\c` asked to stop.
fn render<'a>(
    format: &str,
    args: &mut impl Iterator<Item = &'a str>,
    out: &mut String,
    sh: &Shell,
    status: &mut i32,
) -> bool {
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if escape(&mut chars, out, false) {
                    return true;
                }
            }
            '%' => {
                if chars.peek() == Some(&'%') {
                    chars.next();
                    out.push('%');
                    continue;
                }
                let mut spec = String::new();
                while let Some(&f) = chars.peek() {
                    if "-+ #0".contains(f) {
                        spec.push(f);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let mut width = String::new();
                while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '*') {
                    if d == '*' {
                        width.push_str(args.next().unwrap_or("0"));
                    } else {
                        width.push(d);
                    }
                    chars.next();
                }
                let mut precision = None;
                if chars.peek() == Some(&'.') {
                    chars.next();
                    let mut p = String::new();
                    while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '*') {
                        if d == '*' {
                            p.push_str(args.next().unwrap_or("0"));
                        } else {
                            p.push(d);
                        }
                        chars.next();
                    }
                    precision = Some(p.parse::<usize>().unwrap_or(0));
                }
                let Some(conv) = chars.next() else {
                    out.push('%');
                    break;
                };
                let arg = args.next();
                let body = match conv {
                    's' => {
                        let s = arg.unwrap_or("");
                        match precision {
                            Some(p) => s.chars().take(p).collect(),
                            None => s.to_string(),
                        }
                    }
                    'b' => {
                        let mut b = String::new();
                        let mut it = arg.unwrap_or("").chars().peekable();
                        let mut stop = false;
                        while let Some(c) = it.next() {
                            if c == '\\' {
                                if escape(&mut it, &mut b, true) {
                                    stop = true;
                                    break;
                                }
                            } else {
                                b.push(c);
                            }
                        }
                        if stop {
                            out.push_str(&b);
                            return true;
                        }
                        b
                    }
                    'c' => arg
                        .and_then(|a| a.chars().next())
                        .map(String::from)
                        .unwrap_or_default(),
                    'd' | 'i' | 'u' | 'o' | 'x' | 'X' => {
                        let n = integer(arg.unwrap_or("0"), sh, status);
                        let digits = match conv {
                            'o' => format!("{:o}", n),
                            'x' => format!("{:x}", n),
                            'X' => format!("{:X}", n),
                            'u' => (n as u64).to_string(),
                            _ => n.abs().to_string(),
                        };
                        let digits = match precision {
                            Some(p) if digits.len() < p => {
                                format!("{}{digits}", "0".repeat(p - digits.len()))
                            }
                            _ => digits,
                        };
                        let sign = if matches!(conv, 'd' | 'i') && n < 0 {
                            "-"
                        } else if spec.contains('+') && matches!(conv, 'd' | 'i') {
                            "+"
                        } else if spec.contains(' ') && matches!(conv, 'd' | 'i') {
                            " "
                        } else {
                            ""
                        };
                        let prefix = if spec.contains('#') && n != 0 {
                            match conv {
                                'o' => "0",
                                'x' => "0x",
                                'X' => "0X",
                                _ => "",
                            }
                        } else {
                            ""
                        };
                        let w: usize = width.parse().unwrap_or(0);
                        let len = sign.len() + prefix.len() + digits.len();
                        if spec.contains('0')
                            && !spec.contains('-')
                            && precision.is_none()
                            && w > len
                        {
                            format!("{sign}{prefix}{}{digits}", "0".repeat(w - len))
                        } else {
                            format!("{sign}{prefix}{digits}")
                        }
                    }
                    'e' | 'f' | 'g' | 'E' | 'G' => {
                        let v: f64 = arg.unwrap_or("0").trim().parse().unwrap_or_else(|_| {
                            sh.error(format!(
                                "printf: {}: invalid number",
                                pola_fileserver::text::shown(arg.unwrap_or(""))
                            ));
                            *status = 1;
                            0.0
                        });
                        let p = precision.unwrap_or(6);
                        match conv {
                            'f' => format!("{v:.p$}"),
                            'e' => format!("{v:.p$e}"),
                            'E' => format!("{v:.p$E}"),
                            _ => format!("{v}"),
                        }
                    }
                    other => {
                        sh.error(format!(
                            "printf: %{}: invalid directive",
                            pola_fileserver::text::shown(&other.to_string())
                        ));
                        *status = 1;
                        continue;
                    }
                };
                let w: usize = width.trim_start_matches('-').parse().unwrap_or(0);
                let n = body.chars().count();
                if n < w {
                    let pad = " ".repeat(w - n);
                    if spec.contains('-') || width.starts_with('-') {
                        out.push_str(&body);
                        out.push_str(&pad);
                    } else {
                        out.push_str(&pad);
                        out.push_str(&body);
                    }
                } else {
                    out.push_str(&body);
                }
            }
            c => out.push(c),
        }
    }
    false
}

fn integer(arg: &str, sh: &Shell, status: &mut i32) -> i64 {
    let a = arg.trim();
    if let Some(c) = a.strip_prefix(['\'', '"']) {
        return c.chars().next().map(|c| c as i64).unwrap_or(0);
    }
    let parsed = if let Some(h) = a.strip_prefix("0x").or_else(|| a.strip_prefix("0X")) {
        i64::from_str_radix(h, 16)
    } else if a.len() > 1 && a.starts_with('0') {
        i64::from_str_radix(&a[1..], 8)
    } else {
        a.parse()
    };
    parsed.unwrap_or_else(|_| {
        sh.error(format!(
            "printf: {}: invalid number",
            pola_fileserver::text::shown(arg)
        ));
        *status = 1;
        0
    })
}

/// After a backslash: the escape's character(s). True for `\c` (stop output).
/// `in_b`: the XSI escapes of `%b` and `echo` (`\c`, `\0ddd`); otherwise a format's
/// (`\"`, `\'`, `\ddd`).
pub(super) fn escape(
    chars: &mut std::iter::Peekable<impl Iterator<Item = char>>,
    out: &mut String,
    in_b: bool,
) -> bool {
    match chars.next() {
        Some('n') => out.push('\n'),
        Some('t') => out.push('\t'),
        Some('r') => out.push('\r'),
        Some('a') => out.push('\x07'),
        Some('b') => out.push('\x08'),
        Some('f') => out.push('\x0c'),
        Some('v') => out.push('\x0b'),
        Some('\\') => out.push('\\'),
        Some(q @ ('"' | '\'')) if !in_b => out.push(q),
        Some('c') if in_b => return true,
        Some(d) if d.is_digit(8) => {
            let mut v = d.to_digit(8).unwrap_or(0);
            let max = if in_b && d == '0' { 3 } else { 2 };
            for _ in 0..max {
                match chars.peek().and_then(|c| c.to_digit(8)) {
                    Some(x) => {
                        v = v * 8 + x;
                        chars.next();
                    }
                    None => break,
                }
            }
            out.push(char::from_u32(v).unwrap_or('?'));
        }
        Some(other) => {
            out.push('\\');
            out.push(other);
        }
        None => out.push('\\'),
    }
    false
}
