use std::ffi::CString;

use crate::escapes::{self, Mode};
use crate::exec::{Shell, Status};

/// `printf [-v var] format [arg]...` — as bash: `%s %b %q %c %d %i %u %o %x %X %e %E
/// %f %F %g %G %a %A %(fmt)T %%` with flags `- + space # 0`, width and precision (`*`
/// too); the format is reused while arguments remain; missing arguments are empty
/// or 0. Numbers are formatted by the C library, as bash does. A bad number is
/// reported (status 1) and its valid prefix used; `-v` puts the text in a variable.
pub fn printf(sh: &mut Shell, argv: &[String]) -> Status {
    let mut args = &argv[1..];
    let mut var = None;
    loop {
        match args.first().map(String::as_str) {
            Some("-v") => {
                let Some(name) = args.get(1) else {
                    return super::usage(sh, "printf", "printf [-v var] format [arguments]");
                };
                var = Some(name.clone());
                args = &args[2..];
            }
            Some("--") => {
                args = &args[1..];
                break;
            }
            _ => break,
        }
    }
    let Some(format) = args.first() else {
        return super::usage(sh, "printf", "printf [-v var] format [arguments]");
    };
    if let Some(v) = &var {
        if !crate::vars::valid_name(v.split('[').next().unwrap_or(v)) {
            sh.error(format!(
                "printf: `{}': not a valid identifier",
                pola_fileserver::text::shown(v)
            ));
            return Ok(2);
        }
    }
    let args: Vec<&str> = args[1..].iter().map(String::as_str).collect();
    let mut out = Vec::new();
    let mut r = Render {
        sh,
        args: &args,
        next: 0,
        status: 0,
    };
    loop {
        let before = r.next;
        match r.once(format, &mut out) {
            Flow::Go => {}
            Flow::Stop => break,
            Flow::Abort => {
                r.status = 1;
                break;
            }
        }
        if r.next >= args.len() || r.next == before {
            break;
        }
    }
    let status = r.status;
    let text = crate::escapes::from_text_and_bytes(&out);
    match var {
        Some(v) => {
            let result = match v.split_once('[') {
                Some((name, key)) => {
                    let key = key.trim_end_matches(']').to_string();
                    crate::expand::Host::set_element(sh, name, &key, &text)
                }
                None => sh.assign(&v, &text),
            };
            if let Err(e) = result {
                sh.error(format!("printf: {e}"));
                return Ok(1);
            }
            Ok(status)
        }
        None => {
            if !super::write_fd(
                1,
                &crate::escapes::to_bytes(&crate::escapes::from_text_and_bytes(&out)),
            ) {
                sh.error("printf: write error");
                return Ok(1);
            }
            Ok(status)
        }
    }
}

enum Flow {
    Go,
    /// `\c` in `%b`: no more output at all.
    Stop,
    /// A bad directive: bash stops there.
    Abort,
}

struct Render<'a, 's> {
    sh: &'s Shell,
    args: &'a [&'a str],
    next: usize,
    status: i32,
}

impl Render<'_, '_> {
    fn arg(&mut self) -> Option<&str> {
        let a = self.args.get(self.next).copied();
        if a.is_some() {
            self.next += 1;
        }
        a
    }

    fn bad_number(&mut self, arg: &str, what: &str) {
        self.sh.error(format!(
            "printf: {}: {what}",
            pola_fileserver::text::shown(arg)
        ));
        self.status = 1;
    }

    /// A numeric argument for a width or precision given as `*`.
    fn star(&mut self) -> i64 {
        let a = self.arg().unwrap_or("").to_string();
        self.integer(&a)
    }

    /// An integer argument, as bash reads it: `'c` is c's code, `0x`/`0` prefixes.
    fn integer(&mut self, arg: &str) -> i64 {
        match parse_integer(arg) {
            Ok(n) => n,
            Err((n, overflow)) => {
                if overflow {
                    self.sh.error(format!(
                        "printf: warning: {}: Numerical result out of range",
                        pola_fileserver::text::shown(arg)
                    ));
                } else {
                    self.bad_number(arg, "invalid number");
                }
                n
            }
        }
    }

    fn float(&mut self, arg: &str) -> f64 {
        if let Some(c) = arg.strip_prefix(['\'', '"']) {
            return c.chars().next().map_or(0.0, |c| c as u32 as f64);
        }
        let trimmed = arg.trim_start();
        if trimmed.is_empty() {
            return 0.0;
        }
        let c = CString::new(trimmed).unwrap_or_default();
        let mut end: *mut libc::c_char = std::ptr::null_mut();
        // SAFETY: strtod reads the NUL-terminated string and sets `end` inside it.
        let v = unsafe { libc::strtod(c.as_ptr(), &mut end) };
        // SAFETY: `end` points into `c`'s buffer (or at its start).
        let used = unsafe { end.offset_from(c.as_ptr()) } as usize;
        if used != trimmed.len() {
            self.bad_number(arg, "invalid number");
        }
        v
    }

    /// Render the format once.
    fn once(&mut self, format: &str, out: &mut Vec<u8>) -> Flow {
        let chars: Vec<char> = format.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                // Escapes of the format itself.
                let mut j = i + 1;
                let mut text = String::from("\\");
                if j < chars.len() {
                    text.push(chars[j]);
                    j += 1;
                    // Let the escape take its digits.
                    while j < chars.len() && j - i < 12 && chars[j].is_ascii_hexdigit() {
                        text.push(chars[j]);
                        j += 1;
                    }
                }
                let (expanded, _) = escapes::expand(&text, Mode::Format);
                out.extend_from_slice(expanded.as_bytes());
                i = j;
                continue;
            }
            if c != '%' {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += 1;
                continue;
            }
            i += 1;
            if chars.get(i) == Some(&'%') {
                out.push(b'%');
                i += 1;
                continue;
            }
            let mut flags = String::new();
            while let Some(&f) = chars.get(i).filter(|f| "-+ #0'".contains(**f)) {
                if f != '\'' {
                    flags.push(f);
                }
                i += 1;
            }
            let mut width: Option<i64> = None;
            if chars.get(i) == Some(&'*') {
                width = Some(self.star());
                i += 1;
            } else {
                let start = i;
                while chars.get(i).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                }
                if i > start {
                    width = chars[start..i].iter().collect::<String>().parse().ok();
                }
            }
            let mut precision: Option<i64> = None;
            if chars.get(i) == Some(&'.') {
                i += 1;
                if chars.get(i) == Some(&'*') {
                    precision = Some(self.star());
                    i += 1;
                } else {
                    let start = i;
                    while chars.get(i).is_some_and(|d| d.is_ascii_digit()) {
                        i += 1;
                    }
                    precision = Some(
                        chars[start..i]
                            .iter()
                            .collect::<String>()
                            .parse()
                            .unwrap_or(0),
                    );
                }
            }
            // Length modifiers mean nothing here.
            while chars.get(i).is_some_and(|c| "hlLjzt".contains(*c)) {
                i += 1;
            }
            if let Some(w) = width {
                if w < 0 {
                    flags.push('-');
                    width = Some(-w);
                }
            }
            let Some(&conv) = chars.get(i) else {
                self.sh.error("printf: `%': missing format character");
                return Flow::Abort;
            };
            i += 1;
            let spec = Spec {
                flags: flags.clone(),
                width,
                precision: precision.filter(|p| *p >= 0),
            };
            match conv {
                's' | 'q' | 'b' => {
                    let arg = self.arg().unwrap_or("");
                    let text = match conv {
                        's' => arg.to_string(),
                        'q' => quote(arg),
                        _ => {
                            let (text, stop) = escapes::expand(arg, Mode::PercentB);
                            if stop {
                                pad_bytes(out, text.as_bytes(), &spec);
                                return Flow::Stop;
                            }
                            text
                        }
                    };
                    pad_bytes(out, text.as_bytes(), &spec);
                }
                'c' => {
                    let arg = self.arg();
                    let mut buf = [0u8; 4];
                    // No character (an empty or missing argument) is a NUL, as in bash.
                    let bytes: &[u8] = match arg.and_then(|a| a.chars().next()) {
                        Some(ch) => ch.encode_utf8(&mut buf).as_bytes(),
                        None => b"\0",
                    };
                    let spec = Spec {
                        precision: None,
                        ..spec
                    };
                    pad_bytes(out, bytes, &spec);
                }
                'd' | 'i' => {
                    let a = self.arg().unwrap_or("").to_string();
                    let n = self.integer(&a);
                    out.extend(c_format(&spec, "lld", Num::Int(n)));
                }
                'u' | 'o' | 'x' | 'X' => {
                    let a = self.arg().unwrap_or("").to_string();
                    let n = match a.trim().parse::<u64>() {
                        Ok(u) => u,
                        Err(_) => self.integer(&a) as u64,
                    };
                    let c = format!("ll{conv}");
                    out.extend(c_format(&spec, &c, Num::Unsigned(n)));
                }
                'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'a' | 'A' => {
                    let a = self.arg().unwrap_or("").to_string();
                    let v = self.float(&a);
                    out.extend(c_format(&spec, &conv.to_string(), Num::Float(v)));
                }
                '(' => {
                    let close = chars[i..].iter().collect::<String>().find(")T");
                    let Some(close) = close else {
                        self.sh.error("printf: `(': invalid format character");
                        return Flow::Abort;
                    };
                    let time_format: String = chars[i..i + close].iter().collect();
                    i += close + 2;
                    let arg = self.arg().unwrap_or("").to_string();
                    // -1 (or nothing) is now; -2 is when the shell started (taken as
                    // now: the shell has just started as far as scripts can tell).
                    let when = if arg.trim().is_empty() {
                        None
                    } else {
                        match self.integer(&arg) {
                            -1 | -2 => None,
                            t => Some(t),
                        }
                    };
                    let text = strftime(&time_format, when);
                    pad_bytes(out, text.as_bytes(), &spec);
                }
                other => {
                    self.sh
                        .error(format!("printf: `{other}': invalid format character"));
                    return Flow::Abort;
                }
            }
        }
        Flow::Go
    }
}

/// A conversion's flags, width and precision.
struct Spec {
    flags: String,
    width: Option<i64>,
    precision: Option<i64>,
}

/// Pad `bytes` (cut to the precision) to the width, counted in bytes as bash does.
fn pad_bytes(out: &mut Vec<u8>, bytes: &[u8], spec: &Spec) {
    let bytes = match spec.precision {
        Some(p) if (p as usize) < bytes.len() => &bytes[..p as usize],
        _ => bytes,
    };
    let width = spec.width.unwrap_or(0).max(0) as usize;
    let pad = width.saturating_sub(bytes.len());
    if spec.flags.contains('-') {
        out.extend_from_slice(bytes);
        out.extend(std::iter::repeat_n(b' ', pad));
    } else {
        out.extend(std::iter::repeat_n(b' ', pad));
        out.extend_from_slice(bytes);
    }
}

enum Num {
    Int(i64),
    Unsigned(u64),
    Float(f64),
}

/// One numeric conversion, formatted by the C library's `snprintf`.
fn c_format(spec: &Spec, conv: &str, n: Num) -> Vec<u8> {
    let mut f = String::from("%");
    f.push_str(&spec.flags);
    if let Some(w) = spec.width {
        f.push_str(&w.min(1 << 20).to_string());
    }
    if let Some(p) = spec.precision {
        f.push('.');
        f.push_str(&p.min(1 << 20).to_string());
    }
    f.push_str(conv);
    let Ok(cf) = CString::new(f) else {
        return Vec::new();
    };
    let mut buf = vec![0u8; 64];
    loop {
        // SAFETY: `buf` has `buf.len()` writable bytes; the format holds exactly one
        // conversion whose argument type matches the value passed.
        let n = unsafe {
            match n {
                Num::Int(v) => libc::snprintf(
                    buf.as_mut_ptr() as *mut libc::c_char,
                    buf.len(),
                    cf.as_ptr(),
                    v as libc::c_longlong,
                ),
                Num::Unsigned(v) => libc::snprintf(
                    buf.as_mut_ptr() as *mut libc::c_char,
                    buf.len(),
                    cf.as_ptr(),
                    v as libc::c_ulonglong,
                ),
                Num::Float(v) => libc::snprintf(
                    buf.as_mut_ptr() as *mut libc::c_char,
                    buf.len(),
                    cf.as_ptr(),
                    v as libc::c_double,
                ),
            }
        };
        if n < 0 {
            return Vec::new();
        }
        let n = n as usize;
        if n < buf.len() {
            buf.truncate(n);
            return buf;
        }
        buf = vec![0u8; n + 1];
    }
}

/// An integer as bash's printf reads it: `Err((value so far, overflow))` when the
/// text is not all a number.
fn parse_integer(arg: &str) -> Result<i64, (i64, bool)> {
    if let Some(c) = arg.strip_prefix(['\'', '"']) {
        return Ok(c.chars().next().map_or(0, |c| c as i64));
    }
    let t = arg.trim_start();
    if t.is_empty() {
        return if arg.is_empty() {
            Ok(0)
        } else {
            Err((0, false))
        };
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (digits, radix) =
        if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (h, 16)
        } else if body.len() > 1 && body.starts_with('0') {
            (&body[1..], 8)
        } else {
            (body, 10)
        };
    let mut value: i128 = 0;
    let mut used = 0;
    let mut overflow = false;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        value = value * radix as i128 + d as i128;
        if value > i64::MAX as i128 + 1 {
            overflow = true;
            value = i64::MAX as i128 + 1;
        }
        used += c.len_utf8();
    }
    let signed = if neg { -value } else { value };
    let clamped = signed.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
    let rest = digits[used..].trim_end();
    if used == 0 && radix != 8 {
        return Err((0, false));
    }
    if !rest.is_empty() {
        return Err((clamped, false));
    }
    if overflow || signed > i64::MAX as i128 || signed < i64::MIN as i128 {
        return Err((clamped, true));
    }
    Ok(clamped)
}

/// `%q`: the text quoted so that the shell reads it back as exactly that string.
pub fn quote(s: &str) -> String {
    if s.is_empty() {
        return "''".into();
    }
    if s.chars().any(|c| c.is_control()) {
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\x1b' => out.push_str("\\E"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\x0b' => out.push_str("\\v"),
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() => out.push_str(&format!("\\{:03o}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        let special = matches!(
            c,
            ' ' | '!'
                | '"'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | ','
                | ';'
                | '<'
                | '>'
                | '?'
                | '['
                | '\\'
                | ']'
                | '^'
                | '`'
                | '{'
                | '|'
                | '}'
        ) || (i == 0 && matches!(c, '~' | '#'));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

extern "C" {
    /// tzset(3): read `TZ` (the libc crate does not declare it).
    fn tzset();
}

/// `strftime(3)` of `format` at `when` (seconds since the epoch; None: now), in the
/// local time zone.
pub fn strftime(format: &str, when: Option<i64>) -> String {
    let t: libc::time_t = match when {
        Some(t) => t as libc::time_t,
        // SAFETY: time(NULL) only returns the current time.
        None => unsafe { libc::time(std::ptr::null_mut()) },
    };
    let Ok(cf) = CString::new(format) else {
        return String::new();
    };
    // SAFETY: tzset reads TZ; localtime_r fills `tm` from `t`; strftime writes at most
    // `buf.len()` bytes into `buf`.
    unsafe {
        tzset();
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return String::new();
        }
        let mut buf = vec![0u8; 256 + format.len() * 8];
        let n = libc::strftime(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            cf.as_ptr(),
            &tm,
        );
        buf.truncate(n);
        String::from_utf8_lossy(&buf).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_bash_reads_them() {
        assert_eq!(parse_integer("42"), Ok(42));
        assert_eq!(parse_integer(" -7"), Ok(-7));
        assert_eq!(parse_integer("0x1F"), Ok(31));
        assert_eq!(parse_integer("010"), Ok(8));
        assert_eq!(parse_integer("'A"), Ok(65));
        assert_eq!(parse_integer("12abc"), Err((12, false)));
        assert_eq!(parse_integer("abc"), Err((0, false)));
        assert_eq!(parse_integer("99999999999999999999"), Err((i64::MAX, true)));
    }

    #[test]
    fn numbers_are_formatted_by_the_c_library() {
        let spec = |flags: &str, width: Option<i64>, precision: Option<i64>| Spec {
            flags: flags.into(),
            width,
            precision,
        };
        assert_eq!(
            c_format(&spec("0", Some(5), None), "lld", Num::Int(42)),
            b"00042"
        );
        assert_eq!(
            c_format(&spec("", None, Some(2)), "e", Num::Float(12345.678)),
            b"1.23e+04"
        );
        assert_eq!(
            c_format(&spec("#", None, None), "llx", Num::Unsigned(255)),
            b"0xff"
        );
        assert_eq!(
            c_format(&spec("", None, None), "g", Num::Float(1e-10)),
            b"1e-10"
        );
    }

    #[test]
    fn q_quotes_as_bash() {
        assert_eq!(quote("a b"), "a\\ b");
        assert_eq!(quote("it's"), "it\\'s");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("~x"), "\\~x");
        assert_eq!(quote("a\nb"), "$'a\\nb'");
    }
}
