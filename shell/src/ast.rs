//! The typed syntax tree of the pola-sh language: a POSIX sh core plus Plash's grants.
//!
//! The parser (`parse`) builds it; `Display` prints it back as source that parses to the
//! same tree (the property the parser's tests check).

use std::fmt::{self, Display, Formatter, Write};

/// A sequence of and-or lists, each ended by `;`, `&` or a newline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct List(pub Vec<Item>);

impl List {
    /// The simple command this is, if it is one and nothing else (`pola-sh -c 'make +
    /// => .'`): the shell then starts at most one jail itself (a command substitution
    /// in its words runs in a process of its own).
    pub fn only_simple_command(&self) -> Option<&Simple> {
        match self.0.as_slice() {
            [item] => item.only_simple_command(),
            _ => None,
        }
    }
}

impl Item {
    /// The simple command this item is, if it is one alone (no pipeline, `&&`, `||` or
    /// `&`).
    pub fn only_simple_command(&self) -> Option<&Simple> {
        match self.and_or.first.commands.as_slice() {
            [Command::Simple(simple)] if !self.background && self.and_or.rest.is_empty() => {
                Some(simple)
            }
            _ => None,
        }
    }
}

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
    /// `time pipeline`: report the time it took on standard error.
    pub timed: bool,
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
        /// `select var in words; do body; done` (bash): a menu, one item a turn.
        select: bool,
    },
    Case {
        word: Word,
        arms: Vec<CaseArm>,
    },
    /// `[[ expression ]]` (bash).
    Cond(Cond),
    /// `(( expression ))` (bash): the expression as written.
    Arith(Word),
    /// `for (( init; test; step )); do body; done` (bash).
    ArithFor {
        init: Word,
        test: Word,
        step: Word,
        body: List,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseArm {
    pub patterns: Vec<Word>,
    pub body: List,
    pub end: CaseEnd,
}

/// How a case arm ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaseEnd {
    /// `;;`: the case is done.
    #[default]
    Break,
    /// `;&`: run the next arm's body too.
    FallThrough,
    /// `;;&`: go on testing the next arms.
    Continue,
}

/// The expression of `[[ ... ]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    /// `[[ word ]]`: the word is not empty.
    Word(Word),
    /// `-f word`, `-z word`, ...
    Unary(String, Word),
    /// `word == pattern`, `word =~ regex`, `a -lt b`, `a < b`, ...
    Binary(Word, String, Word),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Group(Box<Cond>),
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
    /// `name=value` as an argument of a declaration command (`export`, `readonly`,
    /// `local`, `declare`, `typeset`): expanded as an assignment, not split.
    Assign(Assignment),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    /// `a[i]=v`: the subscript, as written.
    pub index: Option<Word>,
    /// `+=`: append.
    pub append: bool,
    pub value: AssignValue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignValue {
    Scalar(Word),
    /// `a=(x y [5]=z)`: the elements, each with its subscript if given.
    Array(Vec<(Option<Word>, Word)>),
}

/// A word: the parts that are concatenated into one or more fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word(pub Vec<Part>);

impl Word {
    /// Its text, if it is plain unquoted text and nothing else (no quote, escape,
    /// expansion or `~`; it may hold glob characters).
    pub fn plain(&self) -> Option<&str> {
        match self.0.as_slice() {
            [Part::Literal(text)] => Some(text),
            _ => None,
        }
    }
}

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
    /// `<(list)` (`write` false: the command reads what `list` writes) or `>(list)`
    /// (the command writes what `list` reads): a `/dev/fd/N` path.
    Process {
        write: bool,
        list: List,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: ParamName,
    /// `${a[i]}`, `${a[@]}`, `${a[*]}`.
    pub index: Option<Subscript>,
    /// `${!x}`: the value names the variable to expand.
    pub indirect: bool,
    pub op: ParamOp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subscript {
    /// `[@]`: every element, a field each when quoted.
    At,
    /// `[*]`: every element, joined when quoted.
    Star,
    /// `[expr]`: one element (an arithmetic index, or an associative array's key).
    Expr(Word),
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
    /// `${x:offset}` / `${x:offset:length}`
    Substring(Word, Option<Word>),
    /// `${x/pattern/string}`, `${x//...}`, `${x/#...}`, `${x/%...}`
    Replace(ReplaceMode, Word, Word),
    /// `${x^pat}` / `${x^^pat}` (upper) and `${x,pat}` / `${x,,pat}` (lower).
    Case {
        upper: bool,
        all: bool,
        pattern: Word,
    },
    /// `${!prefix*}` / `${!prefix@}`: the names of the variables starting with the
    /// parameter's name (`@`: a field each when quoted).
    Names(bool),
    /// `${!a[@]}` / `${!a[*]}`: the indices of an array.
    Keys,
    /// `${x@Q}` and the other transformations.
    Transform(char),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplaceMode {
    First,
    All,
    Prefix,
    Suffix,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The descriptor redirected; the operator's default when absent.
    pub fd: Option<Fd>,
    pub op: RedirOp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fd {
    Number(u32),
    /// `{name}>file`: a new descriptor (10 or above), its number stored in `name`.
    Var(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`
    Input(Word),
    /// `>`
    Output(Word),
    /// `>|`: even with `set -C` (noclobber).
    Clobber(Word),
    /// `&>` / `&>>`: standard output and error (true: append).
    Both(bool, Word),
    /// `<<<`: a here-string.
    HereString(Word),
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
            other => write_parts(out, std::slice::from_ref(other), Context::Plain)?,
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
        if self.timed {
            f.write_str("time ")?;
        }
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
            Compound::For {
                var,
                words,
                body,
                select,
            } => {
                write!(f, "{} {var}", if *select { "select" } else { "for" })?;
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
                    let end = match arm.end {
                        CaseEnd::Break => ";;",
                        CaseEnd::FallThrough => ";&",
                        CaseEnd::Continue => ";;&",
                    };
                    write!(f, ") {} {end} ", arm.body)?;
                }
                f.write_str("esac")
            }
            Compound::Cond(c) => write!(f, "[[ {c} ]]"),
            Compound::Arith(w) => {
                f.write_str("((")?;
                write_arith(f, w)?;
                f.write_str("))")
            }
            Compound::ArithFor {
                init,
                test,
                step,
                body,
            } => {
                f.write_str("for ((")?;
                write_arith(f, init)?;
                f.write_str("; ")?;
                write_arith(f, test)?;
                f.write_str("; ")?;
                write_arith(f, step)?;
                write!(f, ")); do {body} done")
            }
        }
    }
}

impl Display for Cond {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Cond::Word(w) => write_cond_word(f, w),
            Cond::Unary(op, w) => {
                write!(f, "{op} ")?;
                write_cond_word(f, w)
            }
            Cond::Binary(a, op, b) => {
                write_cond_word(f, a)?;
                write!(f, " {op} ")?;
                if op == "=~" {
                    write_regex_word(f, b)
                } else {
                    write_cond_word(f, b)
                }
            }
            Cond::Not(c) => write!(f, "! {c}"),
            Cond::And(a, b) => write!(f, "{a} && {b}"),
            Cond::Or(a, b) => write!(f, "{a} || {b}"),
            Cond::Group(c) => write!(f, "( {c} )"),
        }
    }
}

/// A word inside `[[ ]]`.
fn write_cond_word(f: &mut Formatter<'_>, w: &Word) -> fmt::Result {
    write!(f, "{w}")
}

/// The right side of `=~`: unquoted parentheses and `|` are part of the regex.
fn write_regex_word(f: &mut Formatter<'_>, w: &Word) -> fmt::Result {
    if w.0.is_empty() {
        return f.write_str("''");
    }
    for p in &w.0 {
        match p {
            Part::Literal(s) => {
                let chars: Vec<char> = s.chars().collect();
                for (k, c) in chars.iter().enumerate() {
                    let dollar_expands = *c == '$'
                        && chars.get(k + 1).is_some_and(|n| {
                            n.is_ascii_alphanumeric() || "_{(@*#?$!-'\"[".contains(*n)
                        });
                    if " \t\n;&<>`\\\"'".contains(*c) || dollar_expands {
                        f.write_char('\\')?;
                    }
                    f.write_char(*c)?;
                }
            }
            other => write_parts(f, std::slice::from_ref(other), Context::Plain)?,
        }
    }
    Ok(())
}

/// The length of a balanced `(...)` at the start of `chars`.
fn group_len(chars: &[char]) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in chars.iter().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            ' ' | '\t' | '\n' | ';' | '&' | '<' | '>' | '\'' | '"' | '\\' | '$' | '`' => {
                return None
            }
            _ => {}
        }
    }
    None
}

/// An arithmetic expression as written: its literal text and its expansions.
fn write_arith(f: &mut dyn Write, w: &Word) -> fmt::Result {
    for p in &w.0 {
        match p {
            Part::Literal(s) => f.write_str(s)?,
            other => write_parts(f, std::slice::from_ref(other), Context::Plain)?,
        }
    }
    Ok(())
}

/// Words that mean something else as the first word of a command.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "in", "{", "}", "!", "[[", "function", "time",
];

impl Display for Assignment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(i) = &self.index {
            f.write_char('[')?;
            write_parts(f, &i.0, Context::Subscript)?;
            f.write_char(']')?;
        }
        f.write_str(if self.append { "+=" } else { "=" })?;
        match &self.value {
            AssignValue::Scalar(w) => {
                if !w.0.is_empty() {
                    write_parts(f, &w.0, Context::Assignment)?;
                }
                Ok(())
            }
            AssignValue::Array(elements) => {
                f.write_char('(')?;
                for (n, (index, value)) in elements.iter().enumerate() {
                    if n > 0 {
                        f.write_char(' ')?;
                    }
                    if let Some(i) = index {
                        f.write_char('[')?;
                        write_parts(f, &i.0, Context::Subscript)?;
                        f.write_str("]=")?;
                        if !value.0.is_empty() {
                            write_parts(f, &value.0, Context::Assignment)?;
                        }
                    } else if let Some(Part::Literal(l)) = value.0.first() {
                        // A leading `[` would read as a subscript.
                        if l.starts_with('[') {
                            f.write_char('\\')?;
                        }
                        write!(f, "{value}")?;
                    } else {
                        write!(f, "{value}")?;
                    }
                }
                f.write_char(')')
            }
        }
    }
}

impl Display for Simple {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if self.unconfined {
            f.write_str("!! ")?;
        }
        for a in &self.assignments {
            parts.push(a.to_string());
        }
        // A reserved word, or a name starting with `!!`, can only be the command's name
        // behind a redirection.
        let reserved_name = match self.args.first() {
            Some(Arg::Word(Word(p))) => match p.as_slice() {
                [Part::Literal(l)] if RESERVED.contains(&l.as_str()) => true,
                [Part::Literal(l), ..] => l.starts_with("!!") || l.starts_with("(("),
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
                Arg::Assign(a) => a.to_string(),
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
        match &self.fd {
            Some(Fd::Number(n)) => write!(f, "{n}")?,
            Some(Fd::Var(v)) => write!(f, "{{{v}}}")?,
            None => {}
        }
        match &self.op {
            RedirOp::Input(w) => write!(f, "< {w}"),
            RedirOp::Output(w) => write!(f, "> {w}"),
            RedirOp::Clobber(w) => write!(f, ">| {w}"),
            RedirOp::Both(false, w) => write!(f, "&> {w}"),
            RedirOp::Both(true, w) => write!(f, "&>> {w}"),
            RedirOp::HereString(w) => write!(f, "<<< {w}"),
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

/// Where words are printed: what must be escaped differs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// A word of a command.
    Plain,
    /// The value of an assignment (a leading `~` is a tilde prefix; `:~` too).
    Assignment,
    /// Inside `${x:-...}`: blanks are literal, `}` ends the word.
    Brace,
    /// The pattern of `${x/pattern/...}`: `/` ends it too.
    BracePattern,
    /// An offset of `${x:offset:length}`: `:` ends it too.
    BraceOffset,
    /// A subscript `[...]`: `]` ends it.
    Subscript,
}

/// `text` as a `$'...'` string (for single-quoted text holding a quote or control
/// characters, which plain single quotes cannot show).
fn c_string(text: &str) -> String {
    let mut out = String::from("$'");
    for c in text.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                // Always two digits: a hex digit after it is not part of the escape.
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Print `parts` as source.
fn write_parts(f: &mut dyn Write, parts: &[Part], ctx: Context) -> fmt::Result {
    for (i, p) in parts.iter().enumerate() {
        match p {
            Part::Literal(s) => {
                let mut prev = None;
                let chars: Vec<char> = s.chars().collect();
                let mut k = 0;
                while k < chars.len() {
                    let c = chars[k];
                    // An extended pattern `@(a|b)` is written as it is.
                    if matches!(c, '?' | '*' | '+' | '@' | '!') && chars.get(k + 1) == Some(&'(') {
                        if let Some(len) = group_len(&chars[k + 1..]) {
                            for g in &chars[k..k + 1 + len] {
                                f.write_char(*g)?;
                            }
                            k += 1 + len;
                            prev = Some(')');
                            continue;
                        }
                    }
                    // A `$` that cannot start an expansion was a plain dollar.
                    if c == '$' {
                        let next = chars.get(k + 1).copied();
                        let starts = match next {
                            Some(n) => n.is_ascii_alphanumeric() || "_{(@*#?$!-'\"[".contains(n),
                            None => {
                                matches!(parts.get(i + 1), Some(Part::Single(_) | Part::Double(_)))
                            }
                        };
                        if !starts {
                            f.write_char('$')?;
                            prev = Some('$');
                            k += 1;
                            continue;
                        }
                    }
                    k += 1;
                    let at_start = i == 0 && k == 1;
                    let special = match ctx {
                        Context::Plain => SPECIAL.contains(c) || (at_start && "#~".contains(c)),
                        Context::Assignment => {
                            SPECIAL.contains(c)
                                || (at_start && c == '~')
                                || (c == '~' && prev == Some(':'))
                        }
                        Context::Subscript => {
                            c == ']' || (SPECIAL.contains(c) && !" \t\n".contains(c))
                        }
                        Context::Brace | Context::BracePattern | Context::BraceOffset => {
                            c == '}'
                                || (ctx == Context::BracePattern && c == '/')
                                || (ctx == Context::BraceOffset && c == ':')
                                || (SPECIAL.contains(c) && !" \t\n".contains(c))
                        }
                    };
                    if special {
                        f.write_char('\\')?;
                    }
                    f.write_char(c)?;
                    prev = Some(c);
                }
            }
            Part::Single(s)
                if s.contains('\'') || s.chars().any(|c| c.is_control() && c != '\n') =>
            {
                f.write_str(&c_string(s))?
            }
            Part::Single(s) => write!(f, "'{s}'")?,
            Part::Escaped(c) => write!(f, "\\{c}")?,
            Part::Tilde(user) => write!(f, "~{user}")?,
            Part::Double(parts) => {
                f.write_char('"')?;
                for (k, p) in parts.iter().enumerate() {
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
                        Part::Param(p) => f.write_str(&param_text(p, parts.get(k + 1)))?,
                        other => write_parts(f, std::slice::from_ref(other), Context::Plain)?,
                    }
                }
                f.write_char('"')?;
            }
            Part::Param(p) => f.write_str(&param_text(p, parts.get(i + 1)))?,
            Part::Command(list) => write!(f, "$({list} )")?,
            Part::Process { write, list } => {
                write!(f, "{}({list} )", if *write { '>' } else { '<' })?
            }
            Part::Arith(w) => {
                f.write_str("$((")?;
                write_arith(f, w)?;
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
        write_parts(f, &self.0, Context::Plain)
    }
}

/// A parameter as written in a word: `$x` where nothing after it would join its name
/// (`${x}y` otherwise), as people write it.
fn param_text(p: &Param, next: Option<&Part>) -> String {
    let short = p.op == ParamOp::Plain && p.index.is_none() && !p.indirect;
    let joins = match next {
        Some(Part::Literal(l)) => l.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        _ => false,
    };
    match &p.name {
        ParamName::Var(v) if short && !joins => format!("${v}"),
        ParamName::Positional(n) if short && *n < 10 && !(joins && next_is_digit(next)) => {
            format!("${n}")
        }
        ParamName::Special(c) if short => format!("${c}"),
        _ => p.to_string(),
    }
}

fn next_is_digit(next: Option<&Part>) -> bool {
    matches!(next, Some(Part::Literal(l)) if l.starts_with(|c: char| c.is_ascii_digit()))
}

impl Display for Param {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut name = match &self.name {
            ParamName::Var(v) => v.clone(),
            ParamName::Positional(n) => n.to_string(),
            ParamName::Special(c) => c.to_string(),
        };
        match &self.index {
            Some(Subscript::At) => name.push_str("[@]"),
            Some(Subscript::Star) => name.push_str("[*]"),
            Some(Subscript::Expr(w)) => {
                name.push('[');
                write_parts(&mut name, &w.0, Context::Subscript)?;
                name.push(']');
            }
            None => {}
        }
        let bang = if self.indirect { "!" } else { "" };
        let (colon, sym, word) = match &self.op {
            ParamOp::Plain => return write!(f, "${{{bang}{name}}}"),
            ParamOp::Length => return write!(f, "${{#{name}}}"),
            ParamOp::Names(at) => return write!(f, "${{!{name}{}}}", if *at { "@" } else { "*" }),
            ParamOp::Keys => return write!(f, "${{!{name}}}"),
            ParamOp::Transform(c) => return write!(f, "${{{bang}{name}@{c}}}"),
            ParamOp::Substring(offset, length) => {
                write!(f, "${{{bang}{name}: ")?;
                write_parts(f, &offset.0, Context::BraceOffset)?;
                if let Some(l) = length {
                    f.write_char(':')?;
                    write_parts(f, &l.0, Context::BraceOffset)?;
                }
                return f.write_str("}");
            }
            ParamOp::Replace(mode, pattern, with) => {
                let sym = match mode {
                    ReplaceMode::First => "/",
                    ReplaceMode::All => "//",
                    ReplaceMode::Prefix => "/#",
                    ReplaceMode::Suffix => "/%",
                };
                write!(f, "${{{bang}{name}{sym}")?;
                // A pattern starting with `/`, `#` or `%` would change the mode.
                if let Some(Part::Literal(l)) = pattern.0.first() {
                    if mode == &ReplaceMode::First && l.starts_with(['#', '%']) {
                        f.write_char('\\')?;
                    }
                }
                write_parts(f, &pattern.0, Context::BracePattern)?;
                f.write_char('/')?;
                write_parts(f, &with.0, Context::Brace)?;
                return f.write_str("}");
            }
            ParamOp::Case {
                upper,
                all,
                pattern,
            } => {
                let sym = match (upper, all) {
                    (true, false) => "^",
                    (true, true) => "^^",
                    (false, false) => ",",
                    (false, true) => ",,",
                };
                (false, sym, pattern)
            }
            ParamOp::Default(c, w) => (*c, "-", w),
            ParamOp::Assign(c, w) => (*c, "=", w),
            ParamOp::Error(c, w) => (*c, "?", w),
            ParamOp::Alternative(c, w) => (*c, "+", w),
            ParamOp::TrimSuffix(long, w) => (false, if *long { "%%" } else { "%" }, w),
            ParamOp::TrimPrefix(long, w) => (false, if *long { "##" } else { "#" }, w),
        };
        let colon = if colon { ":" } else { "" };
        f.write_str("${")?;
        f.write_str(bang)?;
        f.write_str(&name)?;
        f.write_str(colon)?;
        f.write_str(sym)?;
        // A word starting with the operator's own character would lengthen it.
        if let Some(Part::Literal(l)) = word.0.first() {
            let first = l.chars().next();
            let doubles = matches!(sym, "%" | "#" | "^" | ",");
            if doubles && first == sym.chars().next() {
                f.write_char('\\')?;
            }
        }
        write_parts(f, &word.0, Context::Brace)?;
        f.write_str("}")
    }
}
