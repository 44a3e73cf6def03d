//! Shell arithmetic (`$((...))`, `((...))`, `let`, array subscripts): 64-bit integers
//! that wrap, variables (whose values are themselves expressions), array elements,
//! every C operator bash has (`++`, `**`, `,`, assignments, `?:`) and numbers in any
//! base (`0x1f`, `017`, `2#101`). Evaluation is by precedence climbing over tokens;
//! the side not taken of `&&`, `||` and `?:` is parsed but not evaluated.

/// Variables as arithmetic sees them.
pub trait Vars {
    fn get(&self, name: &str) -> Option<String>;
    fn set(&mut self, name: &str, value: i64) -> Result<(), String>;
    /// An array element: `key` is an index (evaluated) or an associative array's key.
    fn get_element(&self, name: &str, key: &str) -> Option<String>;
    fn set_element(&mut self, name: &str, key: &str, value: i64) -> Result<(), String>;
    fn is_assoc(&self, name: &str) -> bool;
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(i64),
    /// A variable, or an array element with its subscript's text.
    Name(String, Option<String>),
    Op(&'static str),
    LParen,
    RParen,
}

const OPS: &[&str] = &[
    "<<=", ">>=", "**", "++", "--", "&&", "||", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=",
    "*=", "/=", "%=", "&=", "^=", "|=", "+", "-", "*", "/", "%", "<", ">", "&", "^", "|", "!", "~",
    "?", ":", "=", ",",
];

/// The value of a number as written, in its base.
fn number(text: &str) -> Result<i64, String> {
    let invalid = || format!("{text}: invalid number");
    let (digits, base) = if let Some((b, d)) = text.split_once('#') {
        let base: u32 = b.parse().map_err(|_| invalid())?;
        if !(2..=64).contains(&base) {
            return Err(format!("{text}: invalid arithmetic base"));
        }
        (d, base)
    } else if let Some(h) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        (h, 16)
    } else if text.len() > 1 && text.starts_with('0') {
        (&text[1..], 8)
    } else {
        (text, 10)
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    let mut v: i64 = 0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            '@' => 62,
            '_' => 63,
            _ => return Err(invalid()),
        };
        if d >= base {
            return Err(format!("{text}: value too great for base"));
        }
        v = v.wrapping_mul(base as i64).wrapping_add(d as i64);
    }
    Ok(v)
}

fn tokens(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'#' || b[i] == b'@' || b[i] == b'_')
            {
                i += 1;
            }
            out.push(Tok::Num(number(&text[start..i])?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let name = text[start..i].to_string();
            let mut sub = None;
            let mut j = i;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < b.len() && b[j] == b'[' {
                let mut depth = 0;
                let mut k = j;
                while k < b.len() {
                    match b[k] {
                        b'[' => depth += 1,
                        b']' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    k += 1;
                }
                if k >= b.len() {
                    return Err(format!("{}: bad array subscript", &text[start..]));
                }
                sub = Some(text[j + 1..k].to_string());
                i = k + 1;
            }
            out.push(Tok::Name(name, sub));
        } else if c == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if let Some(op) = OPS.iter().find(|op| text[i..].starts_with(**op)) {
            out.push(Tok::Op(op));
            i += op.len();
        } else {
            let rest = &text[i..];
            return Err(format!(
                "syntax error: invalid arithmetic operator (error token is \"{rest}\")"
            ));
        }
    }
    Ok(out)
}

fn binary_prec(op: &str) -> Option<u8> {
    Some(match op {
        "**" => 13,
        "*" | "/" | "%" => 12,
        "+" | "-" => 11,
        "<<" | ">>" => 10,
        "<" | "<=" | ">" | ">=" => 9,
        "==" | "!=" => 8,
        "&" => 7,
        "^" => 6,
        "|" => 5,
        "&&" => 4,
        "||" => 3,
        _ => return None,
    })
}

/// Nested evaluations (a variable's value is an expression): a loop is an error.
const MAX_DEPTH: usize = 64;

struct Eval<'a> {
    toks: Vec<Tok>,
    pos: usize,
    vars: &'a mut dyn Vars,
    /// Inside the side not taken of `&&`, `||` or `?:`: no assignments, no errors.
    skip: usize,
    depth: usize,
}

/// A place a value can be stored.
type Target = (String, Option<String>);

impl Eval<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn key(&mut self, name: &str, sub: &str) -> Result<String, String> {
        if self.vars.is_assoc(name) {
            return Ok(sub.trim().to_string());
        }
        if self.skip > 0 {
            return Ok("0".into());
        }
        Ok(evaluate_depth(sub, self.vars, self.depth + 1)?.to_string())
    }

    fn load(&mut self, t: &Target) -> Result<i64, String> {
        if self.skip > 0 {
            return Ok(0);
        }
        let text = match &t.1 {
            None => self.vars.get(&t.0),
            Some(sub) => {
                let key = self.key(&t.0, sub)?;
                self.vars.get_element(&t.0, &key)
            }
        };
        match text {
            None => Ok(0),
            Some(v) if v.trim().is_empty() => Ok(0),
            Some(v) => {
                if self.depth >= MAX_DEPTH {
                    return Err(format!("{}: expression recursion level exceeded", t.0));
                }
                evaluate_depth(&v, self.vars, self.depth + 1)
            }
        }
    }

    fn store(&mut self, t: &Target, value: i64) -> Result<(), String> {
        if self.skip > 0 {
            return Ok(());
        }
        match &t.1 {
            None => self.vars.set(&t.0, value),
            Some(sub) => {
                let key = self.key(&t.0, sub)?;
                self.vars.set_element(&t.0, &key, value)
            }
        }
    }

    fn comma(&mut self) -> Result<i64, String> {
        let mut v = self.assignment()?;
        while self.peek() == Some(&Tok::Op(",")) {
            self.next();
            v = self.assignment()?;
        }
        Ok(v)
    }

    fn assignment(&mut self) -> Result<i64, String> {
        if let (Some(Tok::Name(n, sub)), Some(Tok::Op(op))) =
            (self.toks.get(self.pos), self.toks.get(self.pos + 1))
        {
            if op.ends_with('=') && !matches!(*op, "==" | "!=" | "<=" | ">=") {
                let (target, op) = ((n.clone(), sub.clone()), *op);
                self.pos += 2;
                let rhs = self.assignment()?;
                let value = if op == "=" {
                    rhs
                } else {
                    let cur = self.load(&target)?;
                    self.apply(&op[..op.len() - 1], cur, rhs)?
                };
                self.store(&target, value)?;
                return Ok(value);
            }
        }
        self.conditional()
    }

    fn conditional(&mut self) -> Result<i64, String> {
        let cond = self.binary(1)?;
        if self.peek() != Some(&Tok::Op("?")) {
            return Ok(cond);
        }
        self.next();
        if cond == 0 {
            self.skip += 1;
        }
        let a = self.comma()?;
        if cond == 0 {
            self.skip -= 1;
        }
        if self.next() != Some(Tok::Op(":")) {
            return Err("expected ':' in ?:".into());
        }
        if cond != 0 {
            self.skip += 1;
        }
        let b = self.assignment()?;
        if cond != 0 {
            self.skip -= 1;
        }
        Ok(if cond != 0 { a } else { b })
    }

    fn binary(&mut self, min: u8) -> Result<i64, String> {
        let mut lhs = self.unary()?;
        while let Some(Tok::Op(op)) = self.peek().cloned() {
            let Some(prec) = binary_prec(op) else { break };
            if prec < min {
                break;
            }
            self.next();
            let short = (op == "&&" && lhs == 0) || (op == "||" && lhs != 0);
            if short {
                self.skip += 1;
            }
            // `**` groups from the right.
            let next_min = if op == "**" { prec } else { prec + 1 };
            let rhs = self.binary(next_min)?;
            if short {
                self.skip -= 1;
            }
            lhs = self.apply(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn apply(&self, op: &str, a: i64, b: i64) -> Result<i64, String> {
        if self.skip > 0 && matches!(op, "/" | "%" | "**") {
            return Ok(0);
        }
        Ok(match op {
            "*" => a.wrapping_mul(b),
            "/" | "%" if b == 0 => return Err("division by 0".into()),
            "/" => a.wrapping_div(b),
            "%" => a.wrapping_rem(b),
            "**" if b < 0 => return Err("exponent less than 0".into()),
            "**" => {
                let mut r: i64 = 1;
                for _ in 0..b.min(64) {
                    r = r.wrapping_mul(a);
                }
                if b > 64 && a.abs() > 1 {
                    0
                } else if b > 64 && a == -1 && b % 2 == 1 {
                    -1
                } else if b > 64 && a.abs() == 1 {
                    1
                } else {
                    r
                }
            }
            "+" => a.wrapping_add(b),
            "-" => a.wrapping_sub(b),
            "<<" => a.wrapping_shl(b as u32),
            ">>" => a.wrapping_shr(b as u32),
            "<" => (a < b) as i64,
            "<=" => (a <= b) as i64,
            ">" => (a > b) as i64,
            ">=" => (a >= b) as i64,
            "==" => (a == b) as i64,
            "!=" => (a != b) as i64,
            "&" => a & b,
            "^" => a ^ b,
            "|" => a | b,
            "&&" => (a != 0 && b != 0) as i64,
            "||" => (a != 0 || b != 0) as i64,
            _ => return Err(format!("unknown operator {op}")),
        })
    }

    fn unary(&mut self) -> Result<i64, String> {
        match self.next() {
            Some(Tok::Num(n)) => Ok(n),
            Some(Tok::Name(n, sub)) => {
                let target = (n, sub);
                match self.peek() {
                    Some(Tok::Op(op @ ("++" | "--"))) => {
                        let op = *op;
                        self.next();
                        let v = self.load(&target)?;
                        let new = if op == "++" {
                            v.wrapping_add(1)
                        } else {
                            v.wrapping_sub(1)
                        };
                        self.store(&target, new)?;
                        Ok(v)
                    }
                    _ => self.load(&target),
                }
            }
            Some(Tok::LParen) => {
                let v = self.comma()?;
                if self.next() != Some(Tok::RParen) {
                    return Err("expected ')'".into());
                }
                Ok(v)
            }
            Some(Tok::Op(op @ ("++" | "--"))) => match self.next() {
                Some(Tok::Name(n, sub)) => {
                    let target = (n, sub);
                    let v = self.load(&target)?;
                    let new = if op == "++" {
                        v.wrapping_add(1)
                    } else {
                        v.wrapping_sub(1)
                    };
                    self.store(&target, new)?;
                    Ok(new)
                }
                _ => Err(format!("'{op}' needs a variable")),
            },
            Some(Tok::Op("-")) => Ok(self.unary()?.wrapping_neg()),
            Some(Tok::Op("+")) => self.unary(),
            Some(Tok::Op("!")) => Ok((self.unary()? == 0) as i64),
            Some(Tok::Op("~")) => Ok(!self.unary()?),
            Some(t) => Err(format!(
                "syntax error: operand expected (error token is \"{}\")",
                describe(&t)
            )),
            None => Err("syntax error: operand expected".into()),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => n.to_string(),
        Tok::Name(n, _) => n.clone(),
        Tok::Op(o) => o.to_string(),
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
    }
}

fn evaluate_depth(text: &str, vars: &mut dyn Vars, depth: usize) -> Result<i64, String> {
    let toks = tokens(text)?;
    if toks.is_empty() {
        return Ok(0);
    }
    let mut e = Eval {
        toks,
        pos: 0,
        vars,
        skip: 0,
        depth,
    };
    let v = e.comma()?;
    match e.peek() {
        None => Ok(v),
        Some(t) => Err(format!(
            "syntax error in expression (error token is \"{}\")",
            describe(t)
        )),
    }
}

/// Evaluate an (already expanded) arithmetic expression.
pub fn evaluate(text: &str, vars: &mut dyn Vars) -> Result<i64, String> {
    evaluate_depth(text, vars, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct M(HashMap<String, String>);
    impl Vars for M {
        fn get(&self, n: &str) -> Option<String> {
            self.0.get(n).cloned()
        }
        fn set(&mut self, n: &str, v: i64) -> Result<(), String> {
            self.0.insert(n.into(), v.to_string());
            Ok(())
        }
        fn get_element(&self, n: &str, k: &str) -> Option<String> {
            self.0.get(&format!("{n}[{k}]")).cloned()
        }
        fn set_element(&mut self, n: &str, k: &str, v: i64) -> Result<(), String> {
            self.0.insert(format!("{n}[{k}]"), v.to_string());
            Ok(())
        }
        fn is_assoc(&self, _: &str) -> bool {
            false
        }
    }

    fn ev(s: &str) -> Result<i64, String> {
        let mut m = M(HashMap::from([
            ("x".to_string(), "5".to_string()),
            ("e".to_string(), "x+1".to_string()),
            ("a[2]".to_string(), "7".to_string()),
        ]));
        evaluate(s, &mut m)
    }

    #[test]
    fn operators_and_precedence() {
        assert_eq!(ev("1 + 2 * 3"), Ok(7));
        assert_eq!(ev("(1 + 2) * 3"), Ok(9));
        assert_eq!(ev("7 / 2 + 7 % 2"), Ok(4));
        assert_eq!(ev("-3 + +2"), Ok(-1));
        assert_eq!(ev("!0 + ~0"), Ok(0));
        assert_eq!(ev("1 << 4 | 1"), Ok(17));
        assert_eq!(ev("3 > 2 && 2 > 3 || 1"), Ok(1));
        assert_eq!(ev("x * 2"), Ok(10));
        assert_eq!(ev("e * 2"), Ok(12));
        assert_eq!(ev("unset + 1"), Ok(1));
        assert_eq!(ev("0x1f + 010 + 2#101 + 16#ff"), Ok(31 + 8 + 5 + 255));
        assert_eq!(ev("x ? 10 : 20"), Ok(10));
        assert_eq!(ev("0 ? 1/0 : 3"), Ok(3));
        assert_eq!(ev("0 && 1/0"), Ok(0));
        assert_eq!(ev("2 ** 3 ** 2"), Ok(512));
        assert_eq!(ev("1, 2, 3"), Ok(3));
        assert_eq!(ev("a[1+1] * 2"), Ok(14));
    }

    #[test]
    fn assignments() {
        let mut m = M(HashMap::new());
        assert_eq!(evaluate("y = 4", &mut m), Ok(4));
        assert_eq!(evaluate("y += 3", &mut m), Ok(7));
        assert_eq!(evaluate("y <<= 1", &mut m), Ok(14));
        assert_eq!(evaluate("y++", &mut m), Ok(14));
        assert_eq!(evaluate("++y", &mut m), Ok(16));
        assert_eq!(evaluate("a[3] = 9", &mut m), Ok(9));
        assert_eq!(m.0["y"], "16");
        assert_eq!(m.0["a[3]"], "9");
    }

    #[test]
    fn errors() {
        assert!(ev("1 / 0").is_err());
        assert!(ev("1 +").is_err());
        assert!(ev("(1").is_err());
        assert!(ev("1 2").is_err());
        assert!(ev("09").is_err());
        assert!(ev("12abc").is_err());
        assert!(ev("2 ** -1").is_err());
        let mut m = M(HashMap::from([("r".to_string(), "r".to_string())]));
        assert!(evaluate("r", &mut m).is_err());
    }
}
