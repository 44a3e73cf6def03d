//! Shell arithmetic (`$((...))`): integers, variables, the C operators POSIX lists,
//! assignment operators and `?:`. Tokens are read with nom; precedence by climbing.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{digit1, hex_digit1};
use nom::combinator::{map, recognize};
use nom::sequence::pair;
use nom::{IResult, Parser};

/// Variables as arithmetic sees them.
pub trait Vars {
    fn get(&self, name: &str) -> Option<String>;
    fn set(&mut self, name: &str, value: i64) -> Result<(), String>;
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(i64),
    Name(String),
    Op(&'static str),
    LParen,
    RParen,
}

const OPS: &[&str] = &[
    "<<=", ">>=", "&&", "||", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=",
    "&=", "^=", "|=", "+", "-", "*", "/", "%", "<", ">", "&", "^", "|", "!", "~", "?", ":", "=",
];

/// A number's text and radix: `0x1f` (16), `017` (8), `17` (10).
fn number(i: &str) -> IResult<&str, (&str, u32)> {
    alt((
        map(pair(alt((tag("0x"), tag("0X"))), hex_digit1), |(_, h)| {
            (h, 16)
        }),
        map(digit1, |d: &str| {
            if d.len() > 1 && d.starts_with('0') {
                (&d[1..], 8)
            } else {
                (d, 10)
            }
        }),
    ))
    .parse(i)
}

fn ident(i: &str) -> IResult<&str, Tok> {
    map(
        recognize(pair(
            take_while1(|c: char| c.is_ascii_alphabetic() || c == '_'),
            take_while(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        )),
        |s: &str| Tok::Name(s.to_string()),
    )
    .parse(i)
}

fn tokens(mut i: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    loop {
        i = i.trim_start();
        if i.is_empty() {
            return Ok(out);
        }
        if let Ok((rest, (digits, radix))) = number(i) {
            let text = &i[..i.len() - rest.len()];
            let value =
                i64::from_str_radix(digits, radix).map_err(|_| format!("invalid number: {text}"));
            if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                return Err(format!(
                    "invalid number: {}",
                    i.split_whitespace().next().unwrap_or(i)
                ));
            }
            out.push(Tok::Num(value?));
            i = rest;
        } else if let Ok((rest, t)) = ident(i) {
            out.push(t);
            i = rest;
        } else if let Some(r) = i.strip_prefix('(') {
            out.push(Tok::LParen);
            i = r;
        } else if let Some(r) = i.strip_prefix(')') {
            out.push(Tok::RParen);
            i = r;
        } else if let Some(op) = OPS.iter().find(|op| i.starts_with(**op)) {
            out.push(Tok::Op(op));
            i = &i[op.len()..];
        } else {
            return Err(format!("unexpected '{}'", i.chars().next().unwrap_or(' ')));
        }
    }
}

struct Eval<'a> {
    toks: Vec<Tok>,
    pos: usize,
    vars: &'a mut dyn Vars,
    /// Inside the unevaluated side of `&&`, `||` or `?:`: no assignments, no errors.
    skip: usize,
}

fn binary_prec(op: &str) -> Option<u8> {
    Some(match op {
        "*" | "/" | "%" => 10,
        "+" | "-" => 9,
        "<<" | ">>" => 8,
        "<" | "<=" | ">" | ">=" => 7,
        "==" | "!=" => 6,
        "&" => 5,
        "^" => 4,
        "|" => 3,
        "&&" => 2,
        "||" => 1,
        _ => return None,
    })
}

impl Eval<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn var(&self, name: &str) -> Result<i64, String> {
        match self.vars.get(name) {
            None => Ok(0),
            Some(v) if v.trim().is_empty() => Ok(0),
            Some(v) => evaluate_nested(&v, name),
        }
    }

    fn assignment(&mut self) -> Result<i64, String> {
        if let (Some(Tok::Name(n)), Some(Tok::Op(op))) =
            (self.toks.get(self.pos), self.toks.get(self.pos + 1))
        {
            if op.ends_with('=') && !matches!(*op, "==" | "!=" | "<=" | ">=") {
                let (name, op) = (n.clone(), *op);
                self.pos += 2;
                let rhs = self.assignment()?;
                let value = if op == "=" {
                    rhs
                } else {
                    let cur = self.var(&name)?;
                    self.apply(&op[..op.len() - 1], cur, rhs)?
                };
                if self.skip == 0 {
                    self.vars.set(&name, value)?;
                }
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
        let a = self.assignment()?;
        if cond == 0 {
            self.skip -= 1;
        }
        if self.next() != Some(Tok::Op(":")) {
            return Err("expected ':' in ?:".into());
        }
        if cond != 0 {
            self.skip += 1;
        }
        let b = self.conditional()?;
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
            let rhs = self.binary(prec + 1)?;
            if short {
                self.skip -= 1;
            }
            lhs = self.apply(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn apply(&self, op: &str, a: i64, b: i64) -> Result<i64, String> {
        Ok(match op {
            "*" => a.wrapping_mul(b),
            "/" | "%" if b == 0 => {
                if self.skip > 0 {
                    0
                } else {
                    return Err("division by zero".into());
                }
            }
            "/" => a.wrapping_div(b),
            "%" => a.wrapping_rem(b),
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
            Some(Tok::Name(n)) => self.var(&n),
            Some(Tok::LParen) => {
                let v = self.assignment()?;
                if self.next() != Some(Tok::RParen) {
                    return Err("expected ')'".into());
                }
                Ok(v)
            }
            Some(Tok::Op("-")) => Ok(self.unary()?.wrapping_neg()),
            Some(Tok::Op("+")) => self.unary(),
            Some(Tok::Op("!")) => Ok((self.unary()? == 0) as i64),
            Some(Tok::Op("~")) => Ok(!self.unary()?),
            Some(t) => Err(format!("unexpected {}", describe(&t))),
            None => Err("expression expected".into()),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => n.to_string(),
        Tok::Name(n) => n.clone(),
        Tok::Op(o) => format!("'{o}'"),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
    }
}

/// A variable's value used as a number: itself an expression, without assignments.
fn evaluate_nested(text: &str, name: &str) -> Result<i64, String> {
    struct NoVars;
    impl Vars for NoVars {
        fn get(&self, _: &str) -> Option<String> {
            None
        }
        fn set(&mut self, _: &str, _: i64) -> Result<(), String> {
            Err("assignment in a variable's value".into())
        }
    }
    evaluate(text, &mut NoVars).map_err(|e| format!("{name}={text}: {e}"))
}

/// Evaluate an (already expanded) arithmetic expression.
pub fn evaluate(text: &str, vars: &mut dyn Vars) -> Result<i64, String> {
    let toks = tokens(text)?;
    if toks.is_empty() {
        return Ok(0);
    }
    let mut e = Eval {
        toks,
        pos: 0,
        vars,
        skip: 0,
    };
    let v = e.assignment()?;
    match e.peek() {
        None => Ok(v),
        Some(t) => Err(format!("unexpected {}", describe(t))),
    }
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
    }

    fn ev(s: &str) -> Result<i64, String> {
        let mut m = M(HashMap::from([
            ("x".to_string(), "5".to_string()),
            ("e".to_string(), "x+1".to_string()),
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
        assert_eq!(ev("unset + 1"), Ok(1));
        assert_eq!(ev("0x1f + 010"), Ok(39));
        assert_eq!(ev("x ? 10 : 20"), Ok(10));
        assert_eq!(ev("0 ? 1/0 : 3"), Ok(3));
        assert_eq!(ev("0 && 1/0"), Ok(0));
    }

    #[test]
    fn assignments() {
        let mut m = M(HashMap::new());
        assert_eq!(evaluate("y = 4", &mut m), Ok(4));
        assert_eq!(evaluate("y += 3", &mut m), Ok(7));
        assert_eq!(evaluate("y <<= 1", &mut m), Ok(14));
        assert_eq!(m.0["y"], "14");
    }

    #[test]
    fn errors() {
        assert_eq!(ev("1 / 0"), Err("division by zero".into()));
        assert!(ev("1 +").is_err());
        assert!(ev("(1").is_err());
        assert!(ev("1 2").is_err());
        assert_eq!(ev("09"), Err("invalid number: 09".into()));
        assert_eq!(ev("12abc"), Err("invalid number: 12abc".into()));
    }
}
