//! bash's additions to the sh grammar: `[[ ]]`, `(( ))`, `for ((;;))`, arrays and
//! subscripted assignments, the parameter operators beyond POSIX (`${x/a/b}`,
//! `${x:1:2}`, `${x^^}`, `${!x}`, `${a[@]}`, ...) and `$'...'` strings.

use super::*;

const UNARY: &[&str] = &[
    "-a", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-p", "-r", "-s", "-t", "-u", "-w", "-x",
    "-G", "-L", "-N", "-O", "-S", "-z", "-n", "-o", "-v", "-R",
];

const BINARY: &[&str] = &[
    "==", "=", "!=", "=~", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef",
];

impl Grammar<'_> {
    /// Blanks and newlines inside `[[ ]]`.
    fn cond_blank<'a>(&self, i: &'a str) -> Result<&'a str, nom::Err<Fail<'a>>> {
        self.linebreak(i)
    }

    /// After `[[`: the expression and `]]`.
    pub(super) fn cond_command<'a>(&self, i: &'a str) -> R<'a, Compound> {
        let (i, c) = self.cond_or(i)?;
        let i = self.cond_blank(i)?;
        match keyword(i, "]]") {
            Some(r) => Ok((r, Compound::Cond(c))),
            None if i.is_empty() => fail(i, "expected ']]'"),
            None => fail(i, format!("unexpected '{}' in [[ ]]", unexpected_token(i))),
        }
    }

    fn cond_or<'a>(&self, i: &'a str) -> R<'a, Cond> {
        let (mut i, mut c) = self.cond_and(i)?;
        loop {
            let j = self.cond_blank(i)?;
            match j.strip_prefix("||") {
                Some(r) => {
                    let (r, rhs) = self.cond_and(r)?;
                    c = Cond::Or(Box::new(c), Box::new(rhs));
                    i = r;
                }
                None => return Ok((i, c)),
            }
        }
    }

    fn cond_and<'a>(&self, i: &'a str) -> R<'a, Cond> {
        let (mut i, mut c) = self.cond_not(i)?;
        loop {
            let j = self.cond_blank(i)?;
            match j.strip_prefix("&&") {
                Some(r) => {
                    let (r, rhs) = self.cond_not(r)?;
                    c = Cond::And(Box::new(c), Box::new(rhs));
                    i = r;
                }
                None => return Ok((i, c)),
            }
        }
    }

    fn cond_not<'a>(&self, i: &'a str) -> R<'a, Cond> {
        let i = self.cond_blank(i)?;
        if let Some(r) = keyword(i, "!") {
            let (r, c) = self.cond_not(r)?;
            return Ok((r, Cond::Not(Box::new(c))));
        }
        self.cond_primary(i)
    }

    /// Whether the input at `i` ends an operand list (so a unary operator before it is
    /// a plain word).
    fn cond_end(&self, i: &str) -> bool {
        i.is_empty()
            || keyword(i, "]]").is_some()
            || i.starts_with("&&")
            || i.starts_with("||")
            || i.starts_with(')')
    }

    fn cond_primary<'a>(&self, i: &'a str) -> R<'a, Cond> {
        let i = self.cond_blank(i)?;
        if let Some(r) = i.strip_prefix('(') {
            let (r, c) = self.cond_or(r)?;
            let r = self.cond_blank(r)?;
            return match r.strip_prefix(')') {
                Some(r) => Ok((r, Cond::Group(Box::new(c)))),
                None => fail(r, "expected ')' in [[ ]]"),
            };
        }
        if self.cond_end(i) {
            return fail(i, "expected an expression in [[ ]]");
        }
        let (r, first) = self.word(i)?;
        if let Some(op) = first.plain().filter(|l| UNARY.contains(l)) {
            let j = self.cond_blank(r)?;
            let next_is_binary = self
                .word(j)
                .ok()
                .and_then(|(_, w)| w.plain().map(|l| BINARY.contains(&l)))
                .unwrap_or(false)
                || j.starts_with(['<', '>']);
            if !self.cond_end(j) && !next_is_binary {
                let (r, operand) = self.word(j)?;
                return Ok((r, Cond::Unary(op.to_string(), operand)));
            }
        }
        let j = self.cond_blank(r)?;
        let op = if let Some(c) = j.chars().next().filter(|c| *c == '<' || *c == '>') {
            Some((c.to_string(), &j[1..]))
        } else {
            match self.word(j) {
                Ok((after, w)) => w
                    .plain()
                    .filter(|l| BINARY.contains(l))
                    .map(|l| (l.to_string(), after)),
                Err(nom::Err::Error(_)) => None,
                Err(e) => return Err(e),
            }
        };
        let Some((op, after)) = op else {
            return Ok((r, Cond::Word(first)));
        };
        let after = self.cond_blank(after)?;
        if self.cond_end(after) {
            return fail(after, format!("expected a word after '{op}' in [[ ]]"));
        }
        let (after, second) = if op == "=~" {
            self.regex_word(after)?
        } else {
            self.word(after)?
        };
        Ok((after, Cond::Binary(first, op, second)))
    }

    /// The right side of `=~`: up to a blank outside parentheses, where `(`, `)` and
    /// `|` are part of the regular expression.
    fn regex_word<'a>(&self, start: &'a str) -> R<'a, Word> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut depth = 0usize;
        let mut i = start;
        while let Some(c) = i.chars().next() {
            match c {
                ' ' | '\t' | '\n' | ';' | '&' | '<' | '>' if depth == 0 => break,
                ')' if depth == 0 => break,
                '(' => {
                    depth += 1;
                    lit.push(c);
                    i = &i[1..];
                }
                ')' => {
                    depth -= 1;
                    lit.push(c);
                    i = &i[1..];
                }
                '\'' => {
                    flush(&mut lit, &mut parts);
                    let Some(end) = i[1..].find('\'') else {
                        return fail("", "unterminated single quote");
                    };
                    parts.push(Part::Single(i[1..1 + end].to_string()));
                    i = &i[end + 2..];
                }
                '"' => {
                    flush(&mut lit, &mut parts);
                    let (rest, inner) = self.double_quoted(&i[1..])?;
                    parts.push(Part::Double(inner));
                    i = rest;
                }
                '\\' => match i[1..].chars().next() {
                    Some('\n') => i = &i[2..],
                    Some(e) => {
                        flush(&mut lit, &mut parts);
                        parts.push(Part::Escaped(e));
                        i = &i[1 + e.len_utf8()..];
                    }
                    None => {
                        lit.push('\\');
                        i = &i[1..];
                    }
                },
                '$' | '`' => i = self.substitution(i, &mut lit, &mut parts)?,
                c => {
                    lit.push(c);
                    i = &i[c.len_utf8()..];
                }
            }
        }
        flush(&mut lit, &mut parts);
        if parts.is_empty() {
            return fail(i, "expected a regular expression after '=~'");
        }
        Ok((i, Word(parts)))
    }

    /// `((expr))` at `i`, if the parentheses balance as arithmetic (otherwise it is
    /// a subshell in a subshell).
    pub(super) fn arith_command<'a>(
        &self,
        i: &'a str,
    ) -> Result<Option<(&'a str, Compound)>, nom::Err<Fail<'a>>> {
        let Some(r) = i.strip_prefix("((") else {
            return Ok(None);
        };
        let Some(end) = arith_end(r) else {
            return Ok(None);
        };
        let (_, parts) = self.quoted_parts(&r[..end], None)?;
        Ok(Some((&r[end + 2..], Compound::Arith(Word(parts)))))
    }

    /// `for ((init; test; step)) body`, from the `((`.
    pub(super) fn arith_for<'a>(&self, i: &'a str) -> R<'a, Compound> {
        let r = &i[2..];
        let Some(end) = arith_end(r) else {
            return fail(i, "expected '))' in for ((...))");
        };
        let inner = &r[..end];
        let pieces: Vec<&str> = inner.splitn(3, ';').collect();
        if pieces.len() != 3 {
            return fail(i, "expected 'for ((init; test; step))'");
        }
        let mut words = Vec::new();
        for p in pieces {
            let (_, parts) = self.quoted_parts(p.trim(), None)?;
            words.push(Word(parts));
        }
        let after = self.blank(&r[end + 2..]);
        let after = after.strip_prefix(';').unwrap_or(after);
        let (after, body) = self.loop_body(after)?;
        let mut words = words.into_iter();
        Ok((
            after,
            Compound::ArithFor {
                init: words.next().unwrap_or_default(),
                test: words.next().unwrap_or_default(),
                step: words.next().unwrap_or_default(),
                body,
            },
        ))
    }

    /// After `$'`: the C-style string, decoded, and the rest after its quote.
    pub(super) fn c_string<'a>(&self, i: &'a str) -> R<'a, String> {
        let body = &i[1..];
        let mut out = String::new();
        let mut chars = body.char_indices().peekable();
        while let Some((k, c)) = chars.next() {
            match c {
                '\'' => {
                    // bash's strings end at a NUL byte.
                    if let Some(nul) = out.find('\0') {
                        out.truncate(nul);
                    }
                    return Ok((&body[k + 1..], out));
                }
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    match e {
                        'a' => out.push('\x07'),
                        'b' => out.push('\x08'),
                        'e' | 'E' => out.push('\x1b'),
                        'f' => out.push('\x0c'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'v' => out.push('\x0b'),
                        '\\' | '\'' | '"' | '?' => out.push(e),
                        'c' => {
                            if let Some((_, x)) = chars.next() {
                                out.push(char::from((x as u8) & 0x1f));
                            }
                        }
                        '0'..='7' => {
                            let mut v = e.to_digit(8).unwrap_or(0);
                            for _ in 0..2 {
                                match chars.peek().and_then(|(_, d)| d.to_digit(8)) {
                                    Some(d) => {
                                        v = v * 8 + d;
                                        chars.next();
                                    }
                                    None => break,
                                }
                            }
                            push_byte_value(&mut out, v);
                        }
                        'x' | 'u' | 'U' => {
                            let max = match e {
                                'x' => 2,
                                'u' => 4,
                                _ => 8,
                            };
                            let mut v = 0u32;
                            let mut n = 0;
                            while n < max {
                                match chars.peek().and_then(|(_, d)| d.to_digit(16)) {
                                    Some(d) => {
                                        v = v * 16 + d;
                                        chars.next();
                                        n += 1;
                                    }
                                    None => break,
                                }
                            }
                            if n == 0 {
                                out.push('\\');
                                out.push(e);
                            } else if e == 'x' {
                                push_byte_value(&mut out, v);
                            } else {
                                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                            }
                        }
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    }
                }
                c => out.push(c),
            }
        }
        fail("", "unterminated $' string")
    }

    /// After `${`: the parameter, an operator and its words, up to `}`.
    pub(super) fn braced<'a>(&self, i: &'a str) -> R<'a, Param> {
        // `${#x}`: length (but `${#}` is the number of parameters).
        if let Some(r) = i.strip_prefix('#') {
            // `${#?}`, `${#-}`: the length of a special parameter.
            let special = r.len() > 1 && "?-@*#$!".contains(&r[..1]) && r[1..].starts_with('}');
            let length = special
                || !r.starts_with('}')
                    && !r.starts_with([':', '-', '=', '?', '+', '%', '/', '^', ','])
                    && (!r.starts_with('#') || r[1..].starts_with('}'));
            if length {
                let (r, name) = self.param_name(r)?;
                let (r, index) = self.subscript(r, &name)?;
                return match r.strip_prefix('}') {
                    Some(r) => Ok((
                        r,
                        Param {
                            name,
                            index,
                            indirect: false,
                            op: ParamOp::Length,
                        },
                    )),
                    None => fail(r, "bad substitution: expected '}'"),
                };
            }
        }
        let (i, indirect) = match i.strip_prefix('!') {
            Some(r) if !r.starts_with('}') => (r, true),
            _ => (i, false),
        };
        let (i, name) = self.param_name(i)?;
        if indirect {
            if let ParamName::Var(_) = name {
                // `${!prefix*}` / `${!prefix@}`: names.
                for (sym, at) in [("*}", false), ("@}", true)] {
                    if let Some(r) = i.strip_prefix(sym) {
                        return Ok((
                            r,
                            Param {
                                name,
                                index: None,
                                indirect: false,
                                op: ParamOp::Names(at),
                            },
                        ));
                    }
                }
            }
        }
        let (i, index) = self.subscript(i, &name)?;
        let make = |op: ParamOp| Param {
            name: name.clone(),
            index: index.clone(),
            indirect,
            op,
        };
        if let Some(r) = i.strip_prefix('}') {
            if indirect && matches!(index, Some(Subscript::At | Subscript::Star)) {
                return Ok((
                    r,
                    Param {
                        indirect: false,
                        ..make(ParamOp::Keys)
                    },
                ));
            }
            return Ok((r, make(ParamOp::Plain)));
        }
        // `${x@Q}`
        if let Some(r) = i.strip_prefix('@') {
            let mut chars = r.chars();
            if let (Some(c), Some('}')) = (chars.next(), chars.next()) {
                if c.is_ascii_alphabetic() {
                    return Ok((&r[2..], make(ParamOp::Transform(c))));
                }
            }
            return fail(i, "bad substitution: expected an operator or '}'");
        }
        // `${x:offset:length}`
        if let Some(r) = i.strip_prefix(':') {
            if !r.starts_with(['-', '=', '?', '+']) {
                // Arithmetic: blanks before it mean nothing (`${x: -1}`).
                let r = r.trim_start_matches([' ', '\t', '\n']);
                let (r, offset) = self.brace_word(r, |c| c == '}' || c == ':', false)?;
                let (r, length) = match r.strip_prefix(':') {
                    Some(r) => {
                        let (r, l) = self.brace_word(r, |c| c == '}', false)?;
                        (r, Some(l))
                    }
                    None => (r, None),
                };
                return self.close(r, make(ParamOp::Substring(offset, length)));
            }
        }
        // `${x/pattern/string}`
        if let Some(r) = i.strip_prefix('/') {
            let (r, mode) = if let Some(r) = r.strip_prefix('/') {
                (r, ReplaceMode::All)
            } else if let Some(r) = r.strip_prefix('#') {
                (r, ReplaceMode::Prefix)
            } else if let Some(r) = r.strip_prefix('%') {
                (r, ReplaceMode::Suffix)
            } else {
                (r, ReplaceMode::First)
            };
            let (r, pattern) = self.pattern_word(r, |c| c == '}' || c == '/')?;
            let (r, with) = match r.strip_prefix('/') {
                Some(r) => self.brace_word(r, |c| c == '}', true)?,
                None => (r, Word::default()),
            };
            return self.close(r, make(ParamOp::Replace(mode, pattern, with)));
        }
        // `${x^^}`, `${x,pattern}`
        for (sym, upper, all) in [
            ("^^", true, true),
            ("^", true, false),
            (",,", false, true),
            (",", false, false),
        ] {
            if let Some(r) = i.strip_prefix(sym) {
                let (r, pattern) = self.pattern_word(r, |c| c == '}')?;
                return self.close(
                    r,
                    make(ParamOp::Case {
                        upper,
                        all,
                        pattern,
                    }),
                );
            }
        }
        const OPS: &[&str] = &[
            ":-", ":=", ":?", ":+", "%%", "##", "-", "=", "?", "+", "%", "#",
        ];
        let Some(op) = OPS.iter().find(|op| i.starts_with(**op)) else {
            return fail(i, "bad substitution: expected an operator or '}'");
        };
        let rest = &i[op.len()..];
        let colon = op.starts_with(':');
        let pattern_op = op.starts_with(['%', '#']);
        let (r, word) = if pattern_op {
            self.pattern_word(rest, |c| c == '}')?
        } else {
            self.brace_word(rest, |c| c == '}', true)?
        };
        let op = match op.trim_start_matches(':') {
            "-" => ParamOp::Default(colon, word),
            "=" => ParamOp::Assign(colon, word),
            "?" => ParamOp::Error(colon, word),
            "+" => ParamOp::Alternative(colon, word),
            "%" => ParamOp::TrimSuffix(false, word),
            "%%" => ParamOp::TrimSuffix(true, word),
            "#" => ParamOp::TrimPrefix(false, word),
            _ => ParamOp::TrimPrefix(true, word),
        };
        self.close(r, make(op))
    }

    fn close<'a>(&self, i: &'a str, p: Param) -> R<'a, Param> {
        match i.strip_prefix('}') {
            Some(r) => Ok((r, p)),
            None if i.is_empty() => fail("", "unterminated ${"),
            None => fail(i, "bad substitution: expected '}'"),
        }
    }

    /// The parameter's name after `${` (or `${#`, `${!`).
    fn param_name<'a>(&self, i: &'a str) -> R<'a, ParamName> {
        if let Ok((r, n)) = name(i) {
            Ok((r, ParamName::Var(n.to_string())))
        } else if let Ok((r, d)) = take_while1::<_, _, Fail>(|c: char| c.is_ascii_digit()).parse(i)
        {
            Ok((r, ParamName::Positional(d.parse().unwrap_or(usize::MAX))))
        } else if let Some(c) = i.chars().next().filter(|c| "@*#?-$!".contains(*c)) {
            Ok((&i[1..], ParamName::Special(c)))
        } else if i.is_empty() {
            fail("", "unterminated ${")
        } else {
            fail(i, "bad substitution: expected a parameter name after '${'")
        }
    }

    /// `[@]`, `[*]` or `[expr]` after a variable's name.
    fn subscript<'a>(&self, i: &'a str, name: &ParamName) -> R<'a, Option<Subscript>> {
        let Some(r) = i.strip_prefix('[') else {
            return Ok((i, None));
        };
        if !matches!(name, ParamName::Var(_)) {
            return Ok((i, None));
        }
        if let Some(r) = r.strip_prefix("@]") {
            return Ok((r, Some(Subscript::At)));
        }
        if let Some(r) = r.strip_prefix("*]") {
            return Ok((r, Some(Subscript::Star)));
        }
        let (r, w) = match self.word_until(r, |c| c == ']', false) {
            Ok(ok) => ok,
            Err(nom::Err::Error(_)) => (r, Word::default()),
            Err(e) => return Err(e),
        };
        match r.strip_prefix(']') {
            Some(r) => Ok((r, Some(Subscript::Expr(w)))),
            None => fail(r, "bad substitution: expected ']'"),
        }
    }

    /// A word inside `${...}` up to `stop`; blanks are part of it. `tilde`: a
    /// leading `~` expands (not inside double quotes).
    fn brace_word<'a>(&self, i: &'a str, stop: fn(char) -> bool, tilde: bool) -> R<'a, Word> {
        let tilde = tilde && self.in_double.get() == 0;
        match self.word_until(i, stop, tilde) {
            Ok(ok) => Ok(ok),
            Err(nom::Err::Error(_)) => Ok((i, Word::default())),
            Err(e) => Err(e),
        }
    }

    /// A pattern inside `${...}`: quotes keep their meaning even inside double quotes.
    fn pattern_word<'a>(&self, i: &'a str, stop: fn(char) -> bool) -> R<'a, Word> {
        let outer = self.in_double.replace(0);
        let result = self.brace_word(i, stop, false);
        self.in_double.set(outer);
        result
    }

    /// If `w` (just read, `rest` after it) is an assignment — `name=value`,
    /// `name+=value`, `name[i]=value`, `name=(...)` — the assignment and what follows.
    pub(super) fn assignment_word<'a>(
        &self,
        w: &Word,
        rest: &'a str,
    ) -> Result<Option<(&'a str, Assignment)>, nom::Err<Fail<'a>>> {
        let Some(Part::Literal(first)) = w.0.first() else {
            return Ok(None);
        };
        let name_len = first
            .char_indices()
            .find(|(k, c)| !(is_name_char(*c) && (*k > 0 || is_name_start(*c))))
            .map_or(first.len(), |(k, _)| k);
        if name_len == 0 {
            return Ok(None);
        }
        let name = &first[..name_len];
        let after = &first[name_len..];
        // (subscript parts, value parts, append)
        let (index, mut value, append) = if after.starts_with('[') {
            match split_subscript(&w.0, name_len + 1) {
                Some(found) => found,
                None => return Ok(None),
            }
        } else if let Some(v) = after.strip_prefix("+=") {
            (None, value_parts(v, &w.0[1..]), true)
        } else if let Some(v) = after.strip_prefix('=') {
            (None, value_parts(v, &w.0[1..]), false)
        } else {
            return Ok(None);
        };
        if value.is_empty() && rest.starts_with('(') && index.is_none() {
            let (rest, elements) = self.array_elements(&rest[1..])?;
            return Ok(Some((
                rest,
                Assignment {
                    name: name.to_string(),
                    index,
                    append,
                    value: AssignValue::Array(elements),
                },
            )));
        }
        tilde_after_colons(&mut value);
        Ok(Some((
            rest,
            Assignment {
                name: name.to_string(),
                index,
                append,
                value: AssignValue::Scalar(Word(value)),
            },
        )))
    }

    /// `name[sub]=value` where the subscript holds blanks (`m[a b]=1`): one word, as
    /// bash reads it. None when the input is not that.
    pub(super) fn subscripted_word<'a>(
        &self,
        i: &'a str,
    ) -> Result<Option<(&'a str, Word)>, nom::Err<Fail<'a>>> {
        let Ok((after_name, n)) = name(i) else {
            return Ok(None);
        };
        let Some(sub_start) = after_name.strip_prefix('[') else {
            return Ok(None);
        };
        // Only when a blank comes before the closing bracket: otherwise the plain
        // word reads it.
        let close = sub_start.find(']');
        let blank = sub_start.find([' ', '\t']);
        match (close, blank) {
            (Some(c), Some(b)) if b < c && !sub_start[..c].contains('\n') => {}
            _ => return Ok(None),
        }
        let (after_sub, sub) = match self.word_until(sub_start, |c| c == ']' || c == '\n', false) {
            Ok(ok) => ok,
            Err(nom::Err::Error(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(after_close) = after_sub.strip_prefix(']') else {
            return Ok(None);
        };
        if !after_close.starts_with('=') && !after_close.starts_with("+=") {
            return Ok(None);
        }
        let (rest, value) = self.word(after_close)?;
        let mut parts = vec![Part::Literal(format!("{n}["))];
        parts.extend(sub.0);
        parts.push(Part::Literal("]".into()));
        parts.extend(value.0);
        // Join neighbouring text.
        let mut joined: Vec<Part> = Vec::new();
        for p in parts {
            match (joined.last_mut(), p) {
                (Some(Part::Literal(a)), Part::Literal(b)) => a.push_str(&b),
                (_, p) => joined.push(p),
            }
        }
        Ok(Some((rest, Word(joined))))
    }

    /// After `name=(`: the elements up to `)`.
    fn array_elements<'a>(&self, mut i: &'a str) -> R<'a, Vec<(Option<Word>, Word)>> {
        let mut out = Vec::new();
        loop {
            i = self.linebreak(i)?;
            if let Some(r) = i.strip_prefix(')') {
                return Ok((r, out));
            }
            if i.is_empty() {
                return fail(i, "expected ')' to end the array");
            }
            let (r, w) = self.word(i)?;
            let element = match split_subscript(&w.0, 1) {
                Some((index, value, _)) if matches!(w.0.first(), Some(Part::Literal(l)) if l.starts_with('[')) => {
                    (index, Word(value))
                }
                _ => (None, w),
            };
            out.push(element);
            i = r;
        }
    }
}

/// The value of `name=value` from the text after `=` in the first part and the other
/// parts; a leading `~` is a tilde prefix.
fn value_parts(first: &str, others: &[Part]) -> Vec<Part> {
    let mut value = Vec::new();
    if let Some(user_rest) = first.strip_prefix('~') {
        let end = user_rest.find(['/', ':']).unwrap_or(user_rest.len());
        let user = &user_rest[..end];
        if user
            .chars()
            .all(|c| is_name_char(c) || c == '-' || c == '.')
            && (end < user_rest.len() || others.is_empty())
        {
            value.push(Part::Tilde(user.to_string()));
            if end < user_rest.len() {
                value.push(Part::Literal(user_rest[end..].to_string()));
            }
            value.extend(others.iter().cloned());
            return value;
        }
    }
    if !first.is_empty() {
        value.push(Part::Literal(first.to_string()));
    }
    value.extend(others.iter().cloned());
    value
}

/// An argument that looks like an assignment (`make install PREFIX=~/inst`): its
/// value's tilde prefixes are expanded as an assignment's are, as bash does (outside
/// its POSIX mode).
pub(super) fn tilde_in_assignment_like(w: Word) -> Word {
    let Some(Part::Literal(first)) = w.0.first() else {
        return w;
    };
    let Some(eq) = first.find('=') else {
        return w;
    };
    let name = &first[..eq];
    let is_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(is_name_char);
    if !is_name || !first[eq + 1..].contains('~') {
        return w;
    }
    let mut value = value_parts(&first[eq + 1..], &w.0[1..]);
    tilde_after_colons(&mut value);
    let mut parts = vec![Part::Literal(first[..=eq].to_string())];
    parts.extend(value);
    Word(parts)
}

/// `x=a:~/b`: a `~` right after an unquoted `:` in an assignment's value is a tilde
/// prefix too.
fn tilde_after_colons(parts: &mut Vec<Part>) {
    let mut out = Vec::new();
    let n = parts.len();
    for (k, p) in parts.drain(..).enumerate() {
        let Part::Literal(text) = p else {
            out.push(p);
            continue;
        };
        let last = k + 1 == n;
        let mut rest = text.as_str();
        let mut lit = String::new();
        while let Some(pos) = rest.find(":~") {
            let after = &rest[pos + 2..];
            let end = after.find(['/', ':']).unwrap_or(after.len());
            let user = &after[..end];
            let ok = user
                .chars()
                .all(|c| is_name_char(c) || c == '-' || c == '.')
                && (end < after.len() || last);
            lit.push_str(&rest[..pos + 1]);
            if ok {
                flush(&mut lit, &mut out);
                out.push(Part::Tilde(user.to_string()));
                rest = &after[end..];
            } else {
                lit.push('~');
                rest = after;
            }
        }
        lit.push_str(rest);
        flush(&mut lit, &mut out);
    }
    *parts = out;
}

/// Split `parts` whose first literal has a `[` at byte `open` into the subscript (up
/// to `]=` or `]+=`) and the value: (subscript, value, append).
fn split_subscript(parts: &[Part], open: usize) -> Option<(Option<Word>, Vec<Part>, bool)> {
    let mut index = Vec::new();
    let mut depth = 0usize;
    for (k, p) in parts.iter().enumerate() {
        let Part::Literal(text) = p else {
            index.push(p.clone());
            continue;
        };
        let start = if k == 0 { open } else { 0 };
        if start > text.len() {
            return None;
        }
        let mut lit = String::new();
        let body = &text[start..];
        for (j, c) in body.char_indices() {
            match c {
                '[' => depth += 1,
                ']' if depth > 0 => depth -= 1,
                ']' => {
                    let after = &body[j + 1..];
                    let (append, v) = if let Some(v) = after.strip_prefix("+=") {
                        (true, v)
                    } else if let Some(v) = after.strip_prefix('=') {
                        (false, v)
                    } else {
                        return None;
                    };
                    if !lit.is_empty() {
                        index.push(Part::Literal(std::mem::take(&mut lit)));
                    }
                    let value = value_parts(v, &parts[k + 1..]);
                    return Some((Some(Word(index)), value, append));
                }
                _ => {}
            }
            lit.push(c);
        }
        if !lit.is_empty() {
            index.push(Part::Literal(lit));
        }
    }
    None
}

/// `$'\nnn'` and `$'\xHH'` give bytes; as text, a byte above 0x7f stands for itself
/// when it cannot be UTF-8 (shown as the replacement character).
fn push_byte_value(out: &mut String, v: u32) {
    out.push(crate::escapes::byte(v));
}

/// The token at `i`, for a message.
fn unexpected_token(i: &str) -> &str {
    let end = i.find([' ', '\t', '\n']).unwrap_or(i.len());
    &i[..end]
}
