//! The typed syntax tree of the pola-sh language: a POSIX sh core plus Plash's grants.
//!
//! The parser (`parse`) builds it; `Display` prints it back as source that parses to the
//! same tree (the property the parser's tests check).

use std::fmt::{self, Display, Formatter, Write};

/// A sequence of and-or lists, each ended by `;`, `&` or a newline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct List(pub Vec<Item>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub and_or: AndOr,
    /// Ended by `&`: run in the background.
    pub background: bool,
    /// Where it starts in the source, for messages.
    pub line: Line,
}

/// A source line number (1-based; 0 when unknown). Positions are not part of a
/// tree's meaning: any two compare equal, so printing and re-parsing gives an equal tree.
#[derive(Clone, Copy, Debug, Default)]
pub struct Line(pub usize);

impl PartialEq for Line {
    fn eq(&self, _: &Line) -> bool {
        true
    }
}

impl Eq for Line {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// `! pipeline`: invert the status.
    pub bang: bool,
    pub commands: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Simple(Simple),
    Compound(Compound, Vec<Redirect>),
    Function { name: String, body: Box<Command> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compound {
    /// `{ list; }`
    Group(List),
    /// `( list )`
    Subshell(List),
    If {
        branches: Vec<(List, List)>,
        otherwise: Option<List>,
    },
    While {
        until: bool,
        cond: List,
        body: List,
    },
    For {
        var: String,
        words: Option<Vec<Word>>,
        body: List,
    },
    Case {
        word: Word,
        arms: Vec<CaseArm>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseArm {
    pub patterns: Vec<Word>,
    pub body: List,
}

/// A simple command: assignments, words with grant markers, redirections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    /// `!!cmd`: run on the host, unconfined, on purpose.
    pub unconfined: bool,
    pub assignments: Vec<Assignment>,
    pub args: Vec<Arg>,
    pub redirects: Vec<Redirect>,
}

/// An argument of a simple command: a word, or one of Plash's grant markers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Word(Word),
    /// `=>`: the following words are write grants.
    Write,
    /// `+`: the following words are grants that are not passed as arguments.
    Hidden,
    /// `{`: start of a scope for `=>` and `+`.
    Open,
    /// `}`: end of that scope.
    Close,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub value: Word,
}

/// A word: the parts that are concatenated into one or more fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word(pub Vec<Part>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Unquoted text (may hold glob characters).
    Literal(String),
    /// `'text'`
    Single(String),
    /// `"..."`: only Literal, Escaped, Param, Command and Arith inside.
    Double(Vec<Part>),
    /// `\c`, outside or inside double quotes.
    Escaped(char),
    /// `~` or `~user` at the start of a word or an assignment's value.
    Tilde(String),
    Param(Param),
    /// `$(list)` or `` `list` ``.
    Command(List),
    /// `$((expr))`, the expression as written (expanded, then evaluated).
    Arith(Word),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: ParamName,
    pub op: ParamOp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamName {
    Var(String),
    Positional(usize),
    /// One of `@ * # ? - $ !`.
    Special(char),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ParamOp {
    #[default]
    Plain,
    /// `${#x}`
    Length,
    /// `${x-w}` / `${x:-w}`
    Default(bool, Word),
    /// `${x=w}` / `${x:=w}`
    Assign(bool, Word),
    /// `${x?w}` / `${x:?w}`
    Error(bool, Word),
    /// `${x+w}` / `${x:+w}`
    Alternative(bool, Word),
    /// `${x%w}` / `${x%%w}` (longest when true)
    TrimSuffix(bool, Word),
    /// `${x#w}` / `${x##w}`
    TrimPrefix(bool, Word),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The descriptor redirected; the operator's default when absent.
    pub fd: Option<u32>,
    pub op: RedirOp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`
    Input(Word),
    /// `>` (and `>|`)
    Output(Word),
    /// `>>`
    Append(Word),
    /// `<>`
    ReadWrite(Word),
    /// `<&word` / `>&word`: duplicate (or `-`: close). `true` for `>&`.
    Dup(bool, Word),
    /// `<<` / `<<-`: the body, expanded unless the delimiter was quoted.
    HereDoc(HereDoc),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HereDoc {
    pub delimiter: String,
    pub strip_tabs: bool,
    /// The delimiter was quoted: the body is taken literally.
    pub literal: bool,
    /// The body; for an expanding here-document, its parts.
    pub body: Word,
}

// Printing: source that parses back to the same tree.

fn join<T: Display>(f: &mut Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl Display for List {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}", item.and_or)?;
            f.write_str(if item.background { " &" } else { ";" })?;
            if item.has_heredoc() {
                f.write_str("\n")?;
                item.write_heredoc_bodies(f)?;
            }
        }
        Ok(())
    }
}

impl Item {
    fn has_heredoc(&self) -> bool {
        let mut found = false;
        self.and_or
            .visit_redirects(&mut |r| found |= matches!(r.op, RedirOp::HereDoc(_)));
        found
    }

    fn write_heredoc_bodies(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.and_or.visit_redirects(&mut |r| {
            if let RedirOp::HereDoc(h) = &r.op {
                if h.literal {
                    for p in &h.body.0 {
                        if let Part::Literal(s) = p {
                            out.push_str(s);
                        }
                    }
                } else {
                    let _ = write_heredoc_body(&mut out, &h.body);
                }
                out.push_str(&h.delimiter);
                out.push('\n');
            }
        });
        f.write_str(&out)
    }
}

fn write_heredoc_body(out: &mut String, body: &Word) -> fmt::Result {
    for p in &body.0 {
        match p {
            Part::Literal(s) => out.push_str(s),
            Part::Escaped(c) => {
                out.push('\\');
                out.push(*c);
            }
            other => write_parts(out, std::slice::from_ref(other), false)?,
        }
    }
    Ok(())
}

impl AndOr {
    /// Every redirection at the top level of this and-or list (not inside compounds).
    pub fn visit_redirects(&self, visit: &mut dyn FnMut(&Redirect)) {
        for p in std::iter::once(&self.first).chain(self.rest.iter().map(|(_, p)| p)) {
            for c in &p.commands {
                match c {
                    Command::Simple(s) => s.redirects.iter().for_each(&mut *visit),
                    Command::Compound(_, r) => r.iter().for_each(&mut *visit),
                    Command::Function { .. } => {}
                }
            }
        }
    }
}

impl Display for AndOr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (c, p) in &self.rest {
            f.write_str(match c {
                Connector::And => " && ",
                Connector::Or => " || ",
            })?;
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl Display for Pipeline {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.bang {
            f.write_str("! ")?;
        }
        join(f, &self.commands, " | ")
    }
}

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Command::Simple(s) => write!(f, "{s}"),
            Command::Compound(c, redirects) => {
                write!(f, "{c}")?;
                for r in redirects {
                    write!(f, " {r}")?;
                }
                Ok(())
            }
            Command::Function { name, body } => write!(f, "{name}() {body}"),
        }
    }
}

impl Display for Compound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Compound::Group(l) => write!(f, "{{ {l} }}"),
            Compound::Subshell(l) => write!(f, "( {l} )"),
            Compound::If {
                branches,
                otherwise,
            } => {
                for (i, (cond, body)) in branches.iter().enumerate() {
                    write!(
                        f,
                        "{} {cond} then {body} ",
                        if i == 0 { "if" } else { "elif" }
                    )?;
                }
                if let Some(o) = otherwise {
                    write!(f, "else {o} ")?;
                }
                f.write_str("fi")
            }
            Compound::While { until, cond, body } => {
                write!(
                    f,
                    "{} {cond} do {body} done",
                    if *until { "until" } else { "while" }
                )
            }
            Compound::For { var, words, body } => {
                write!(f, "for {var}")?;
                if let Some(words) = words {
                    f.write_str(" in")?;
                    for w in words {
                        write!(f, " {w}")?;
                    }
                }
                write!(f, "; do {body} done")
            }
            Compound::Case { word, arms } => {
                write!(f, "case {word} in ")?;
                for arm in arms {
                    f.write_str("(")?;
                    join(f, &arm.patterns, " | ")?;
                    write!(f, ") {} ;; ", arm.body)?;
                }
                f.write_str("esac")
            }
        }
    }
}

/// Words that mean something else as the first word of a command.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "in", "{", "}", "!",
];

impl Display for Simple {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if self.unconfined {
            f.write_str("!! ")?;
        }
        for a in &self.assignments {
            parts.push(format!("{}={}", a.name, a.value));
        }
        // A reserved word, or a name starting with `!!`, can only be the command's name
        // behind a redirection.
        let reserved_name = match self.args.first() {
            Some(Arg::Word(Word(p))) => match p.as_slice() {
                [Part::Literal(l)] if RESERVED.contains(&l.as_str()) => true,
                [Part::Literal(l), ..] => l.starts_with("!!"),
                _ => false,
            },
            _ => false,
        };
        let redirects = self.redirects.iter().map(|r| r.to_string());
        if reserved_name {
            parts.extend(redirects.clone());
        }
        for a in &self.args {
            parts.push(match a {
                Arg::Word(w) => w.to_string(),
                Arg::Write => "=>".into(),
                Arg::Hidden => "+".into(),
                Arg::Open => "{".into(),
                Arg::Close => "}".into(),
            });
        }
        if !reserved_name {
            parts.extend(redirects);
        }
        f.write_str(&parts.join(" "))
    }
}

impl Display for Redirect {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(fd) = self.fd {
            write!(f, "{fd}")?;
        }
        match &self.op {
            RedirOp::Input(w) => write!(f, "< {w}"),
            RedirOp::Output(w) => write!(f, "> {w}"),
            RedirOp::Append(w) => write!(f, ">> {w}"),
            RedirOp::ReadWrite(w) => write!(f, "<> {w}"),
            RedirOp::Dup(out, w) => write!(f, "{}&{w}", if *out { ">" } else { "<" }),
            RedirOp::HereDoc(h) => {
                let dash = if h.strip_tabs { "-" } else { "" };
                if h.literal {
                    write!(f, "<<{dash}'{}'", h.delimiter)
                } else {
                    write!(f, "<<{dash}{}", h.delimiter)
                }
            }
        }
    }
}

/// Characters that end an unquoted word or start a quote or an expansion.
const SPECIAL: &str = " \t\n;&|<>()$`\\\"'";

/// Print `parts` as source. `in_brace`: inside `${x:-...}`, where blanks are literal and
/// `}` ends the word.
fn write_parts(f: &mut dyn Write, parts: &[Part], in_brace: bool) -> fmt::Result {
    for (i, p) in parts.iter().enumerate() {
        match p {
            Part::Literal(s) => {
                for (k, c) in s.chars().enumerate() {
                    let at_start = i == 0 && k == 0;
                    let special = if in_brace {
                        c == '}' || (SPECIAL.contains(c) && !" \t\n".contains(c))
                    } else {
                        SPECIAL.contains(c) || (at_start && "#~".contains(c))
                    };
                    if special {
                        f.write_char('\\')?;
                    }
                    f.write_char(c)?;
                }
            }
            Part::Single(s) => write!(f, "'{s}'")?,
            Part::Escaped(c) => write!(f, "\\{c}")?,
            Part::Tilde(user) => write!(f, "~{user}")?,
            Part::Double(parts) => {
                f.write_char('"')?;
                for p in parts {
                    match p {
                        Part::Literal(s) => {
                            for c in s.chars() {
                                if "$`\"\\".contains(c) {
                                    f.write_char('\\')?;
                                }
                                f.write_char(c)?;
                            }
                        }
                        Part::Escaped(c) => write!(f, "\\{c}")?,
                        other => write_parts(f, std::slice::from_ref(other), false)?,
                    }
                }
                f.write_char('"')?;
            }
            Part::Param(p) => write!(f, "{p}")?,
            Part::Command(list) => write!(f, "$({list} )")?,
            Part::Arith(w) => {
                f.write_str("$((")?;
                for p in &w.0 {
                    match p {
                        Part::Literal(s) => f.write_str(s)?,
                        other => write_parts(f, std::slice::from_ref(other), false)?,
                    }
                }
                f.write_str("))")?;
            }
        }
    }
    Ok(())
}

impl Display for Word {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("''");
        }
        write_parts(f, &self.0, false)
    }
}

impl Display for Param {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let name = match &self.name {
            ParamName::Var(v) => v.clone(),
            ParamName::Positional(n) => n.to_string(),
            ParamName::Special(c) => c.to_string(),
        };
        let (colon, sym, word) = match &self.op {
            ParamOp::Plain => return write!(f, "${{{name}}}"),
            ParamOp::Length => return write!(f, "${{#{name}}}"),
            ParamOp::Default(c, w) => (*c, "-", w),
            ParamOp::Assign(c, w) => (*c, "=", w),
            ParamOp::Error(c, w) => (*c, "?", w),
            ParamOp::Alternative(c, w) => (*c, "+", w),
            ParamOp::TrimSuffix(long, w) => (false, if *long { "%%" } else { "%" }, w),
            ParamOp::TrimPrefix(long, w) => (false, if *long { "##" } else { "#" }, w),
        };
        let colon = if colon { ":" } else { "" };
        f.write_str("${")?;
        f.write_str(&name)?;
        f.write_str(colon)?;
        f.write_str(sym)?;
        write_parts(f, &word.0, true)?;
        f.write_str("}")
    }
}
