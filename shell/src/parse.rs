//! The parser: source text to the typed AST of `ast`.
//!
//! Tokens are recognised with nom; the grammar (POSIX sh's `complete_command` down to
//! words, bash's `[[ ]]`, `(( ))`, arrays and parameter operators, plus Plash's grant
//! markers `=>`, `+`, `{ }` and the `!!` prefix) is a set of methods, because
//! here-documents make the grammar stateful: a `<<WORD` seen on a line has its body
//! on the lines after the next newline, so the newline token reads the pending
//! bodies. Errors name the line and column and what was expected; an error at the end
//! of the input is marked `incomplete`, which the interactive shell answers with a
//! continuation prompt.
//!
//! Aliases are expanded as sh does, by text: an alias name in command position is
//! replaced by its value and the command is read again (`parse_next`).

mod bash;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use nom::bytes::complete::{take_while, take_while1};
use nom::{IResult, Parser as _};

use crate::ast::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The input ended before the construct did (an open quote, `if` without `fi`,
    /// a trailing `|`): more input could complete it.
    pub incomplete: bool,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// nom's error for this parser: where, and what was expected there.
#[derive(Debug)]
pub struct Fail<'a> {
    at: &'a str,
    message: String,
}

impl<'a> nom::error::ParseError<&'a str> for Fail<'a> {
    fn from_error_kind(at: &'a str, kind: nom::error::ErrorKind) -> Self {
        Fail {
            at,
            message: format!("unexpected input ({kind:?})"),
        }
    }
    fn append(_: &'a str, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type R<'a, T> = IResult<&'a str, T, Fail<'a>>;

/// A committed error: the construct was recognised and is broken.
fn fail<'a, T>(at: &'a str, message: impl Into<String>) -> R<'a, T> {
    Err(nom::Err::Failure(Fail {
        at,
        message: message.into(),
    }))
}

/// Not this alternative; another may match.
fn miss<'a, T>(at: &'a str) -> R<'a, T> {
    Err(nom::Err::Error(Fail {
        at,
        message: "no match".into(),
    }))
}

const RESERVED_CLOSERS: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

fn is_delimiter(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')'
    )
}

/// Whether `i` begins a process substitution, `<(` or `>(`.
/// The redirection operators, the longest of those sharing a start first.
pub(crate) const REDIRECTION_OPERATORS: &[&str] = &[
    "&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">&", ">|", ">",
];

fn starts_process(i: &str) -> bool {
    i.starts_with("<(") || i.starts_with(">(")
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Characters a function's name may hold besides a variable name's (bash allows
/// `my-func`, `a.b`, `:`).
fn is_function_name_char(c: char) -> bool {
    is_name_char(c) || "-.:@+%,^~!?".contains(c)
}

/// `rest` after `word` if the input starts with it as a whole token.
fn keyword<'a>(i: &'a str, word: &str) -> Option<&'a str> {
    let rest = i.strip_prefix(word)?;
    match rest.chars().next() {
        None => Some(rest),
        Some(c) if is_delimiter(c) => Some(rest),
        _ => None,
    }
}

fn name(i: &str) -> R<'_, &str> {
    let (rest, first) = take_while1(is_name_start).parse(i)?;
    let (rest, more) = take_while(is_name_char).parse(rest)?;
    Ok((rest, &i[..first.len() + more.len()]))
}

struct Pending {
    delimiter: String,
    strip_tabs: bool,
}

/// How text is read.
#[derive(Clone, Debug, Default)]
pub struct Options<'a> {
    /// Aliases to expand in command position.
    pub aliases: Option<&'a HashMap<String, String>>,
    /// The whole input is here (a script, `-c`): a here-document may end at the end
    /// of the input, as in sh. Otherwise (interactive) that is `incomplete`.
    pub complete_input: bool,
    /// Text the shell made as it ran (`eval`'s words, `.` of a pipe, a prompt's
    /// `$(...)`), which may hold a jail's output: `!!` is refused in it
    /// ([`MADE_AT_RUN_TIME`]).
    pub made_at_run_time: bool,
}

/// Why `!!` is refused in text made at run time: a jail's output reaching `eval` or
/// `.` would otherwise run a command of its choosing unconfined (`eval "$(tool init)"`,
/// `. <(tool completion)`).
pub const MADE_AT_RUN_TIME: &str = concat!(
    "'!!' refused: ",
    made_text!(),
    "; put !! in the script itself, or vouch for the text with !!eval or !!."
);

/// Where text made at run time comes from, for the messages that refuse it something.
macro_rules! made_text {
    () => {
        "this text holds a command's output, which a jail could have written (eval of $(...), . of a pipe or of a file a jailed command wrote, a function or trap such text set, a prompt)"
    };
}
use made_text;

/// Why text made at run time may not write a file, grant one to write, or set an alias:
/// what a jail printed would reach the user's files with the shell's authority
/// (`echo '!!cmd' >> ~/.profile`, `cp ~/.ssh/id_rsa => shared/`).
pub const MADE_REFUSED: &str = concat!(
    "refused: ",
    made_text!(),
    "; vouch for it with !!eval or !!. if you trust it (help eval)"
);

/// Why text made at run time may not set a variable such as `LD_PRELOAD`, `PAGER` or
/// `HOME` (`crate::vars::guarded`): the user's later `!!` commands would run with it.
pub const MADE_VARIABLE: &str = concat!(
    "refused: it steers later commands, and ",
    made_text!(),
    "; vouch for it with !!eval or !!. if you trust it (help eval)"
);

/// An alias found in command position: where, and what it stands for.
struct AliasHit {
    offset: usize,
    len: usize,
    name: String,
}

struct Grammar<'o> {
    /// Byte offsets of the source's newlines, for line numbers.
    newlines: Vec<usize>,
    src_len: usize,
    /// Here-documents whose bodies start after the next newline.
    pending: RefCell<Vec<Pending>>,
    /// Bodies read so far, in source order.
    bodies: RefCell<Vec<String>>,
    options: Options<'o>,
    /// Alias expansion: regions of the source that came from an alias (offset, end,
    /// name), where that alias is not expanded again.
    expanded: Vec<(usize, usize, String)>,
    /// Offsets where a word is in command position because the alias before it ended
    /// with a blank.
    alias_next: Vec<usize>,
    alias_hit: RefCell<Option<AliasHit>>,
    /// Inside double quotes (single quotes are literal in `${x:-'q'}` there).
    in_double: Cell<usize>,
}

/// Parse a whole script or command line.
pub fn parse(src: &str) -> Result<List, ParseError> {
    parse_with(src, &Options::default())
}

/// Parse a whole text with `options` (aliases expanded everywhere in it).
pub fn parse_with(src: &str, options: &Options) -> Result<List, ParseError> {
    let mut text = src.to_string();
    let mut expanded = Vec::new();
    let mut alias_next = Vec::new();
    loop {
        let p = Grammar::new(&text, options.clone(), expanded.clone(), alias_next.clone());
        match p.finish(&text, p.program(&text)) {
            Ok((list, _)) => return Ok(list),
            Err(Retry::Alias(hit)) => {
                expand_alias(&mut text, &mut expanded, &mut alias_next, hit, options)
            }
            Err(Retry::Error(e)) => return Err(e),
        }
    }
}

/// The parts of a prompt string (`PS1`): text where only `$`, `` ` `` and `\` are
/// special, as in an expanding here-document.
pub fn prompt_parts(text: &str) -> Result<Vec<Part>, ParseError> {
    // A prompt is a variable's value, which may hold a jail's output (`PS1="$(…)"`).
    let options = Options {
        made_at_run_time: true,
        ..Options::default()
    };
    let g = Grammar::new(text, options, Vec::new(), Vec::new());
    match g.quoted_parts(text, None) {
        Ok((_, parts)) => Ok(parts),
        Err(_) => Err(ParseError {
            line: 1,
            column: 1,
            message: "bad substitution in the prompt".into(),
            incomplete: false,
        }),
    }
}

/// Parse the next complete command of `src` after byte `offset` (up to the end of its
/// line, here-document bodies included), expanding `options.aliases`. Returns the
/// items and the offset after them, or None at the end of the input. Aliases change
/// the text: what is returned is read from `src` as rewritten (`src` is updated).
pub fn parse_next(
    src: &mut String,
    offset: usize,
    options: &Options,
) -> Result<Option<(List, usize)>, ParseError> {
    let mut expanded = Vec::new();
    let mut alias_next = Vec::new();
    loop {
        let p = Grammar::new(src, options.clone(), expanded.clone(), alias_next.clone());
        let start = &src[offset..];
        let result = p.complete_command(start);
        match p.finish(src, result) {
            Ok((list, rest)) => {
                if list.0.is_empty() && rest == src.len() {
                    return Ok(None);
                }
                return Ok(Some((list, rest)));
            }
            Err(Retry::Alias(hit)) => {
                expand_alias(src, &mut expanded, &mut alias_next, hit, options)
            }
            Err(Retry::Error(e)) => return Err(e),
        }
    }
}

fn expand_alias(
    text: &mut String,
    expanded: &mut Vec<(usize, usize, String)>,
    alias_next: &mut Vec<usize>,
    hit: AliasHit,
    options: &Options,
) {
    let value = options
        .aliases
        .and_then(|a| a.get(&hit.name))
        .cloned()
        .unwrap_or_default();
    let delta = value.len() as isize - hit.len as isize;
    text.replace_range(hit.offset..hit.offset + hit.len, &value);
    let shift = |o: usize| {
        if o >= hit.offset + hit.len {
            (o as isize + delta) as usize
        } else {
            o
        }
    };
    for region in expanded.iter_mut() {
        region.0 = shift(region.0);
        region.1 = if region.1 >= hit.offset + hit.len || region.1 > hit.offset {
            (region.1 as isize + delta).max(region.0 as isize) as usize
        } else {
            region.1
        };
    }
    for o in alias_next.iter_mut() {
        *o = shift(*o);
    }
    let end = hit.offset + value.len();
    expanded.push((hit.offset, end, hit.name));
    if value.ends_with([' ', '\t']) {
        // The next word is in command position too: note where it starts.
        let next = text[end..]
            .find(|c| c != ' ' && c != '\t')
            .map_or(text.len(), |k| end + k);
        alias_next.push(next);
    }
}

enum Retry {
    Alias(AliasHit),
    Error(ParseError),
}

impl<'o> Grammar<'o> {
    fn new(
        src: &str,
        options: Options<'o>,
        expanded: Vec<(usize, usize, String)>,
        alias_next: Vec<usize>,
    ) -> Grammar<'o> {
        Grammar {
            newlines: src.match_indices('\n').map(|(i, _)| i).collect(),
            src_len: src.len(),
            pending: RefCell::new(Vec::new()),
            bodies: RefCell::new(Vec::new()),
            options,
            expanded,
            alias_next,
            alias_hit: RefCell::new(None),
            in_double: Cell::new(0),
        }
    }

    /// The result of parsing `src` (from somewhere in it): the tree with its
    /// here-documents filled and the offset after it, an alias to expand, or an error.
    fn finish<'a>(&self, src: &'a str, result: R<'a, List>) -> Result<(List, usize), Retry> {
        if let Some(hit) = self.alias_hit.borrow_mut().take() {
            return Err(Retry::Alias(hit));
        }
        let error = |at: &str, message: String| {
            let offset = src.len().saturating_sub(at.len());
            let before = &src[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            ParseError {
                line,
                column,
                message,
                incomplete: at.trim().is_empty(),
            }
        };
        match result {
            Ok((rest, mut list)) => {
                if let Some(h) = self.pending.borrow().first() {
                    if !self.options.complete_input {
                        return Err(Retry::Error(ParseError {
                            incomplete: true,
                            ..error(
                                "",
                                format!(
                                    "here-document ended by end of input (wanted '{}')",
                                    h.delimiter
                                ),
                            )
                        }));
                    }
                }
                let bodies = self.bodies.take();
                fill_heredocs(
                    &mut list,
                    &mut bodies.into_iter(),
                    self.options.made_at_run_time,
                )
                .map_err(Retry::Error)?;
                Ok((list, src.len() - rest.len()))
            }
            Err(nom::Err::Error(f) | nom::Err::Failure(f)) => {
                Err(Retry::Error(error(f.at, f.message)))
            }
            Err(nom::Err::Incomplete(_)) => {
                Err(Retry::Error(error("", "unexpected end of input".into())))
            }
        }
    }

    /// The offset of `rest` (a suffix of the source).
    fn offset(&self, rest: &str) -> usize {
        self.src_len.saturating_sub(rest.len())
    }

    /// The line `rest` (a suffix of the source) starts on.
    fn line(&self, rest: &str) -> Line {
        let offset = self.offset(rest);
        Line(1 + self.newlines.partition_point(|n| *n < offset))
    }

    fn program<'a>(&self, i: &'a str) -> R<'a, List> {
        let (i, list) = self.list(i)?;
        let i = self.linebreak(i)?;
        if let Some(c) = i.chars().next() {
            return fail(i, unexpected(i, c));
        }
        Ok((i, list))
    }

    /// One complete command: and-or lists up to the end of a line (with the bodies of
    /// its here-documents), after any blank lines and comments.
    fn complete_command<'a>(&self, i: &'a str) -> R<'a, List> {
        let mut items = Vec::new();
        let mut i = self.linebreak(i)?;
        while !i.is_empty() {
            if self.at_closer(i) {
                let c = i.chars().next().unwrap_or(' ');
                return fail(i, unexpected(i, c));
            }
            let line = self.line(i);
            let (rest, and_or) = self.and_or(i)?;
            i = self.blank(rest);
            let background = if i.starts_with('&') && !i.starts_with("&&") {
                i = &i[1..];
                true
            } else if i.starts_with(';') && !i.starts_with(";;") && !i.starts_with(";&") {
                i = &i[1..];
                false
            } else if i.starts_with('\n') || i.is_empty() {
                false
            } else {
                let c = i.chars().next().unwrap_or(' ');
                return fail(i, unexpected(i, c));
            };
            items.push(Item {
                and_or,
                background,
                line,
            });
            i = self.blank(i);
            if i.is_empty() {
                break;
            }
            if i.starts_with('\n') {
                let (rest, ()) = self.newline(i)?;
                i = rest;
                break;
            }
        }
        Ok((i, List(items)))
    }

    /// Blanks, line continuations and a comment; not newlines.
    fn blank<'a>(&self, mut i: &'a str) -> &'a str {
        loop {
            let before = i.len();
            i = i.trim_start_matches([' ', '\t']);
            while let Some(rest) = i.strip_prefix("\\\n") {
                i = rest;
            }
            if i.starts_with('#') {
                i = &i[i.find('\n').unwrap_or(i.len())..];
            }
            if i.len() == before {
                return i;
            }
        }
    }

    /// One newline: then the bodies of the here-documents seen on its line.
    fn newline<'a>(&self, i: &'a str) -> R<'a, ()> {
        let Some(mut i) = i.strip_prefix('\n') else {
            return miss(i);
        };
        let pending: Vec<Pending> = self.pending.borrow_mut().drain(..).collect();
        for h in pending {
            let mut body = String::new();
            loop {
                if i.is_empty() {
                    if self.options.complete_input {
                        break;
                    }
                    return fail(
                        i,
                        format!(
                            "here-document ended by end of input (wanted '{}')",
                            h.delimiter
                        ),
                    );
                }
                let end = i.find('\n').map_or(i.len(), |n| n + 1);
                let line = &i[..end];
                i = &i[end..];
                let text = line.strip_suffix('\n').unwrap_or(line);
                let text = if h.strip_tabs {
                    text.trim_start_matches('\t')
                } else {
                    text
                };
                if text == h.delimiter {
                    break;
                }
                body.push_str(text);
                body.push('\n');
            }
            self.bodies.borrow_mut().push(body);
        }
        Ok((i, ()))
    }

    /// Any blanks, comments and newlines.
    fn linebreak<'a>(&self, mut i: &'a str) -> Result<&'a str, nom::Err<Fail<'a>>> {
        loop {
            i = self.blank(i);
            match self.newline(i) {
                Ok((rest, ())) => i = rest,
                Err(nom::Err::Error(_)) => return Ok(i),
                Err(e) => return Err(e),
            }
        }
    }

    /// Whether the input, at command position, closes the enclosing construct.
    fn at_closer(&self, i: &str) -> bool {
        i.is_empty()
            || i.starts_with(')')
            || i.starts_with(";;")
            || i.starts_with(";&")
            || RESERVED_CLOSERS.iter().any(|w| keyword(i, w).is_some())
    }

    /// A sequence of and-or lists separated by `;`, `&` or newlines, up to a closer.
    fn list<'a>(&self, i: &'a str) -> R<'a, List> {
        let mut items = Vec::new();
        let mut i = self.linebreak(i)?;
        while !self.at_closer(i) {
            let line = self.line(i);
            let (rest, and_or) = self.and_or(i)?;
            i = self.blank(rest);
            let background = if i.starts_with('&') && !i.starts_with("&&") {
                i = &i[1..];
                true
            } else if i.starts_with(';') && !i.starts_with(";;") && !i.starts_with(";&") {
                i = &i[1..];
                false
            } else if i.starts_with('\n') || self.at_closer(i) {
                false
            } else {
                let c = i.chars().next().unwrap_or(' ');
                return fail(i, unexpected(i, c));
            };
            items.push(Item {
                and_or,
                background,
                line,
            });
            i = self.linebreak(i)?;
        }
        Ok((i, List(items)))
    }

    /// A list that must not be empty, ended by one of `closers`.
    fn body<'a>(&self, i: &'a str, what: &str, closers: &[&str]) -> R<'a, List> {
        let (i, list) = self.list(i)?;
        if list.0.is_empty() {
            return fail(i, format!("expected a command in {what}"));
        }
        if !closers.iter().any(|c| keyword(i, c).is_some()) {
            let wanted: Vec<String> = closers.iter().map(|c| format!("'{c}'")).collect();
            return fail(i, format!("expected {} in {what}", wanted.join(" or ")));
        }
        Ok((i, list))
    }

    fn expect<'a>(&self, i: &'a str, word: &str, what: &str) -> R<'a, ()> {
        let i = self.linebreak(i)?;
        match keyword(i, word) {
            Some(rest) => Ok((rest, ())),
            None => fail(i, format!("expected '{word}' in {what}")),
        }
    }

    fn and_or<'a>(&self, i: &'a str) -> R<'a, AndOr> {
        let (mut i, first) = self.pipeline(i)?;
        let mut rest = Vec::new();
        loop {
            let j = self.blank(i);
            let (connector, after) = if let Some(r) = j.strip_prefix("&&") {
                (Connector::And, r)
            } else if let Some(r) = j.strip_prefix("||") {
                (Connector::Or, r)
            } else {
                break;
            };
            let after = self.linebreak(after)?;
            let (after, p) = self.pipeline(after)?;
            rest.push((connector, p));
            i = after;
        }
        Ok((i, AndOr { first, rest }))
    }

    fn pipeline<'a>(&self, i: &'a str) -> R<'a, Pipeline> {
        let mut i = self.blank(i);
        let mut timed = false;
        if let Some(rest) = keyword(i, "time") {
            timed = true;
            i = self.blank(rest);
            if let Some(rest) = keyword(i, "-p") {
                i = self.blank(rest);
            }
        }
        let mut bang = false;
        while let Some(rest) = keyword(i, "!") {
            bang = !bang;
            i = self.blank(rest);
        }
        let ends = i.is_empty()
            || i.starts_with(['\n', ';', '|', ')'])
            || (i.starts_with('&') && !i.starts_with("&>"));
        if timed && ends {
            // `time` alone times nothing.
            return Ok((
                i,
                Pipeline {
                    bang,
                    timed,
                    commands: vec![Command::Simple(Simple {
                        args: vec![Arg::Word(Word(vec![Part::Literal(":".into())]))],
                        ..Simple::default()
                    })],
                },
            ));
        }
        let (mut i, first) = self.command(i)?;
        let mut commands = vec![first];
        loop {
            let j = self.blank(i);
            match j.strip_prefix('|') {
                Some(r) if !r.starts_with('|') => {
                    let r = match r.strip_prefix('&') {
                        // `a |& b`: a's standard error goes into the pipe too.
                        Some(r) => {
                            let last = commands.last_mut().expect("one command");
                            add_redirect(
                                last,
                                Redirect {
                                    fd: Some(Fd::Number(2)),
                                    op: RedirOp::Dup(true, Word(vec![Part::Literal("1".into())])),
                                },
                            );
                            r
                        }
                        None => r,
                    };
                    let r = self.linebreak(r)?;
                    let (r, c) = self.command(r)?;
                    commands.push(c);
                    i = r;
                }
                _ => break,
            }
        }
        Ok((
            i,
            Pipeline {
                bang,
                timed,
                commands,
            },
        ))
    }

    fn command<'a>(&self, i: &'a str) -> R<'a, Command> {
        let i = self.blank(i);
        if i.is_empty() {
            return fail(i, "expected a command");
        }
        let compound = if let Some(r) = keyword(i, "if") {
            Some(self.if_clause(r)?)
        } else if let Some(r) = keyword(i, "while") {
            Some(self.while_clause(r, false)?)
        } else if let Some(r) = keyword(i, "until") {
            Some(self.while_clause(r, true)?)
        } else if let Some(r) = keyword(i, "for") {
            Some(self.for_clause(r, false)?)
        } else if let Some(r) = keyword(i, "select") {
            Some(self.for_clause(r, true)?)
        } else if let Some(r) = keyword(i, "case") {
            Some(self.case_clause(r)?)
        } else if let Some(r) = keyword(i, "[[") {
            Some(self.cond_command(r)?)
        } else if let Some(r) = keyword(i, "{") {
            let (r, list) = self.body(r, "{ }", &["}"])?;
            Some((&r[1..], Compound::Group(list)))
        } else if let Some(found) = self.arith_command(i)? {
            Some(found)
        } else if let Some(r) = i.strip_prefix('(') {
            let (r, list) = self.list(r)?;
            if list.0.is_empty() {
                return fail(r, "expected a command in ( )");
            }
            match r.strip_prefix(')') {
                Some(r) => Some((r, Compound::Subshell(list))),
                None => return fail(r, "expected ')'"),
            }
        } else {
            None
        };
        if let Some((rest, c)) = compound {
            let (rest, redirects) = self.redirects(rest)?;
            return Ok((rest, Command::Compound(c, redirects)));
        }
        if let Some(r) = keyword(i, "function") {
            return self.function_keyword(self.blank(r));
        }
        if let Some(found) = self.function_definition(i)? {
            return Ok(found);
        }
        let (rest, simple) = self.simple(i)?;
        Ok((rest, Command::Simple(simple)))
    }

    /// `name() body`, if the input is one.
    fn function_definition<'a>(
        &self,
        i: &'a str,
    ) -> Result<Option<(&'a str, Command)>, nom::Err<Fail<'a>>> {
        let len = i
            .find(|c: char| !is_function_name_char(c))
            .unwrap_or(i.len());
        if len == 0 || i[..len].chars().all(|c| c.is_ascii_digit()) {
            return Ok(None);
        }
        let fname = &i[..len];
        let after = self.blank(&i[len..]);
        let Some(after) = after.strip_prefix('(') else {
            return Ok(None);
        };
        let after = self.blank(after);
        let Some(after) = after.strip_prefix(')') else {
            if fname.chars().all(is_name_char) {
                return fail(after, "expected ')' after '('").map(|_: (&str, ())| None);
            }
            return Ok(None);
        };
        self.function_body(after, fname).map(Some)
    }

    /// `function name [()] body`.
    fn function_keyword<'a>(&self, i: &'a str) -> R<'a, Command> {
        let len = i
            .find(|c: char| !is_function_name_char(c))
            .unwrap_or(i.len());
        if len == 0 {
            return fail(i, "expected a function name after 'function'");
        }
        let fname = &i[..len];
        let mut after = self.blank(&i[len..]);
        if let Some(r) = after.strip_prefix('(') {
            match self.blank(r).strip_prefix(')') {
                Some(r) => after = r,
                None => return fail(r, "expected ')' after '('"),
            }
        }
        self.function_body(after, fname)
    }

    fn function_body<'a>(&self, i: &'a str, fname: &str) -> R<'a, Command> {
        let after = self.linebreak(i)?;
        let (after, body) = self.command(after)?;
        if !matches!(body, Command::Compound(..)) {
            return fail(
                after,
                format!("expected a compound command as the body of {fname}()"),
            );
        }
        Ok((
            after,
            Command::Function {
                name: fname.to_string(),
                body: Box::new(body),
            },
        ))
    }

    fn redirects<'a>(&self, mut i: &'a str) -> R<'a, Vec<Redirect>> {
        let mut out = Vec::new();
        loop {
            let j = self.blank(i);
            match self.redirect(j) {
                Ok((rest, r)) => {
                    out.push(r);
                    i = rest;
                }
                Err(nom::Err::Error(_)) => return Ok((i, out)),
                Err(e) => return Err(e),
            }
        }
    }

    fn if_clause<'a>(&self, i: &'a str) -> R<'a, Compound> {
        let mut branches = Vec::new();
        let mut i = i;
        loop {
            let (r, cond) = self.body(i, "if", &["then"])?;
            let (r, ()) = self.expect(r, "then", "if")?;
            let (r, then) = self.body(r, "if", &["elif", "else", "fi"])?;
            branches.push((cond, then));
            if let Some(r) = keyword(r, "elif") {
                i = r;
                continue;
            }
            let (r, otherwise) = match keyword(r, "else") {
                Some(r) => {
                    let (r, l) = self.body(r, "if", &["fi"])?;
                    (r, Some(l))
                }
                None => (r, None),
            };
            let (r, ()) = self.expect(r, "fi", "if")?;
            return Ok((
                r,
                Compound::If {
                    branches,
                    otherwise,
                },
            ));
        }
    }

    fn while_clause<'a>(&self, i: &'a str, until: bool) -> R<'a, Compound> {
        let what = if until { "until" } else { "while" };
        let (i, cond) = self.body(i, what, &["do"])?;
        let (i, ()) = self.expect(i, "do", what)?;
        let (i, body) = self.body(i, what, &["done"])?;
        let (i, ()) = self.expect(i, "done", what)?;
        Ok((i, Compound::While { until, cond, body }))
    }

    /// `do list done` (or `{ list }`, as bash allows) of a `for` loop.
    fn loop_body<'a>(&self, i: &'a str) -> R<'a, List> {
        let i = self.linebreak(i)?;
        if let Some(r) = keyword(i, "{") {
            let (r, body) = self.body(r, "for", &["}"])?;
            return Ok((&r[1..], body));
        }
        let (i, ()) = self.expect(i, "do", "for")?;
        let (i, body) = self.body(i, "for", &["done"])?;
        let (i, ()) = self.expect(i, "done", "for")?;
        Ok((i, body))
    }

    /// `for` (or, with `select`, `select`: the same syntax but for arithmetic).
    fn for_clause<'a>(&self, i: &'a str, select: bool) -> R<'a, Compound> {
        let i = self.blank(i);
        if i.starts_with("((") && !select {
            return self.arith_for(i);
        }
        let what = if select { "select" } else { "for" };
        let Ok((i, var)) = name(i) else {
            return fail(i, format!("expected a variable name after '{what}'"));
        };
        let mut i = self.linebreak(i)?;
        let mut words = None;
        if let Some(r) = keyword(i, "in") {
            let mut list = Vec::new();
            let mut r = self.blank(r);
            while !r.is_empty() && !r.starts_with([';', '\n']) {
                let (rest, w) = self.word(r)?;
                list.push(w);
                r = self.blank(rest);
            }
            words = Some(list);
            i = r;
        }
        let i = self.blank(i);
        let i = i.strip_prefix(';').unwrap_or(i);
        let (i, body) = self.loop_body(i)?;
        Ok((
            i,
            Compound::For {
                var: var.to_string(),
                words,
                body,
                select,
            },
        ))
    }

    fn case_clause<'a>(&self, i: &'a str) -> R<'a, Compound> {
        let i = self.blank(i);
        let (i, word) = self.word(i)?;
        let (mut i, ()) = self.expect(i, "in", "case")?;
        let mut arms = Vec::new();
        loop {
            i = self.linebreak(i)?;
            if let Some(r) = keyword(i, "esac") {
                return Ok((r, Compound::Case { word, arms }));
            }
            if i.is_empty() {
                return fail(i, "expected 'esac' in case");
            }
            let mut r = i.strip_prefix('(').unwrap_or(i);
            let mut patterns = Vec::new();
            loop {
                r = self.blank(r);
                let (rest, p) = self.word(r)?;
                patterns.push(p);
                r = self.blank(rest);
                match r.strip_prefix('|') {
                    Some(rest) => r = rest,
                    None => break,
                }
            }
            let Some(r) = r.strip_prefix(')') else {
                return fail(r, "expected ')' after a case pattern");
            };
            let (r, body) = self.list(r)?;
            let r = self.linebreak(r)?;
            let (r, end) = if let Some(r) = r.strip_prefix(";;&") {
                (r, CaseEnd::Continue)
            } else if let Some(r) = r.strip_prefix(";;") {
                (r, CaseEnd::Break)
            } else if let Some(r) = r.strip_prefix(";&") {
                (r, CaseEnd::FallThrough)
            } else if keyword(r, "esac").is_some() {
                (r, CaseEnd::Break)
            } else {
                return fail(r, "expected ';;' or 'esac' in case");
            };
            arms.push(CaseArm {
                patterns,
                body,
                end,
            });
            i = r;
        }
    }

    /// The alias the word at `i` (in command position) names, if it is to be expanded.
    fn alias_at(&self, i: &str) -> Option<AliasHit> {
        let aliases = self.options.aliases?;
        let len = i
            .find(|c: char| is_delimiter(c) || "'\"\\$`".contains(c))
            .unwrap_or(i.len());
        if len == 0 {
            return None;
        }
        let word = &i[..len];
        aliases.get(word)?;
        let offset = self.offset(i);
        let inside_itself = self.expanded.iter().any(|(start, end, n)| {
            n == word && *start <= offset && offset < (*end).max(*start + 1)
        });
        if inside_itself {
            return None;
        }
        Some(AliasHit {
            offset,
            len,
            name: word.to_string(),
        })
    }

    fn simple<'a>(&self, i: &'a str) -> R<'a, Simple> {
        /// Whether `args` are `grants` or `grants -a`, typed as they are: the next
        /// word is the command it shows.
        fn shows_a_command(args: &[Arg]) -> bool {
            let literal =
                |a: &Arg, text: &str| matches!(a, Arg::Word(w) if w.plain() == Some(text));
            match args {
                [g] => literal(g, "grants"),
                [g, a] => literal(g, "grants") && literal(a, "-a"),
                _ => false,
            }
        }
        let mut cmd = Simple::default();
        let mut i = i;
        // `!!` before the command, also after its assignments and redirections (`FOO=1
        // !!env`: the assignment is the unconfined command's, as `FOO=1 env` gives it to
        // a jailed one).
        let unconfined = |parser: &Self, cmd: &mut Simple, bang: &'a str| -> R<'a, ()> {
            if parser.options.made_at_run_time {
                return fail(bang, MADE_AT_RUN_TIME);
            }
            cmd.unconfined = true;
            let i = parser.blank(&bang[2..]);
            // `!!` alone is bash's "the last command again": here it marks the command
            // after it to run unconfined, and there is none (said at the `!!`: not an
            // unfinished line to continue).
            // (`&>` is a redirection: `!! &> log cmd`.)
            let ends = i.starts_with(['\n', ';', '|', ')'])
                || (i.starts_with('&') && !i.starts_with("&>"));
            if i.is_empty() || ends {
                return fail(
                    bang,
                    "'!!' runs the command after it unconfined, and none follows (no history expansion here: the Up arrow recalls the last command)",
                );
            }
            Ok((i, ()))
        };
        if i.starts_with("!!") {
            i = unconfined(self, &mut cmd, i)?.0;
        }
        // Declaration commands take assignments as arguments.
        let mut declaration = false;
        loop {
            i = self.blank(i);
            if cmd.args.is_empty() && !cmd.unconfined && i.starts_with("!!") {
                i = unconfined(self, &mut cmd, i)?.0;
                continue;
            }
            if i.starts_with("&>") {
                let (rest, r) = self.redirect(i)?;
                cmd.redirects.push(r);
                i = rest;
                continue;
            }
            match i.chars().next() {
                None | Some('\n' | ';' | '&' | '|' | ')') => break,
                _ => {}
            }
            match self.redirect(i) {
                Ok((rest, r)) => {
                    cmd.redirects.push(r);
                    i = rest;
                    continue;
                }
                Err(nom::Err::Error(_)) => {}
                Err(e) => return Err(e),
            }
            // The command `grants` shows is in command position too (`grants ll`: an
            // alias of the user's, as `alias grants='grants '` would make it in sh).
            let command_position = cmd.args.is_empty()
                || self.alias_next.contains(&self.offset(i))
                || shows_a_command(&cmd.args);
            if command_position && !cmd.unconfined {
                if let Some(hit) = self.alias_at(i) {
                    *self.alias_hit.borrow_mut() = Some(hit);
                    return fail(i, "alias");
                }
            }
            // `=>` glued to its word (`-o =>data`) is `=> data`: read as bash would, `=`
            // and a redirection `>data`, it emptied data (new-user trial). Before any
            // command (`=> new`) it marks nothing: refused, not run as `=` into new.
            if let Some(rest) = i.strip_prefix("=>") {
                if cmd.args.is_empty() {
                    return fail(
                        i,
                        "'=>' before the command: it marks a file the command is given to write (sort in -o => out)",
                    );
                }
                if rest.starts_with(['>', '<']) {
                    return fail(
                        i,
                        "'=>' followed by a redirection: write '=> FILE', or '> FILE' alone",
                    );
                }
            }
            if !cmd.args.is_empty() {
                let marker = if let Some(r) = i.strip_prefix("=>") {
                    Some((r, Arg::Write))
                } else if let Some(r) = keyword(i, "+") {
                    Some((r, Arg::Hidden))
                } else if let Some(r) = keyword(i, "{") {
                    Some((r, Arg::Open))
                } else {
                    keyword(i, "}").map(|r| (r, Arg::Close))
                };
                if let Some((rest, m)) = marker {
                    cmd.args.push(m);
                    i = rest;
                    continue;
                }
            }
            if i.starts_with('(') {
                return fail(i, "unexpected '('");
            }
            let subscripted = if cmd.args.is_empty() || declaration {
                self.subscripted_word(i)?
            } else {
                None
            };
            let (rest, w) = match subscripted {
                Some(found) => found,
                None => self.word(i)?,
            };
            if cmd.args.is_empty() || declaration {
                if let Some((rest, a)) = self.assignment_word(&w, rest)? {
                    if cmd.args.is_empty() {
                        cmd.assignments.push(a);
                    } else {
                        cmd.args.push(Arg::Assign(a));
                    }
                    i = rest;
                    continue;
                }
            }
            if cmd.args.is_empty() {
                declaration = matches!(
                    w.plain(),
                    Some("declare" | "typeset" | "local" | "export" | "readonly")
                );
            }
            let w = match cmd.args.is_empty() {
                true => w,
                false => bash::tilde_in_assignment_like(w),
            };
            cmd.args.push(Arg::Word(w));
            i = rest;
        }
        if cmd.args.is_empty() && cmd.assignments.is_empty() && cmd.redirects.is_empty() {
            return fail(i, "expected a command");
        }
        Ok((i, cmd))
    }

    fn redirect<'a>(&self, i: &'a str) -> R<'a, Redirect> {
        let digits = i.chars().take_while(char::is_ascii_digit).count();
        let (fd, rest) = if digits > 0 && i[digits..].starts_with(['<', '>']) {
            let fd: u32 = i[..digits].parse().unwrap_or(u32::MAX);
            (Some(Fd::Number(fd)), &i[digits..])
        } else if let Some((var, rest)) = fd_variable(i) {
            (Some(Fd::Var(var.to_string())), rest)
        } else {
            (None, i)
        };
        if fd.is_none() && starts_process(rest) {
            return miss(i);
        }
        let Some(op) = REDIRECTION_OPERATORS
            .iter()
            .find(|op| rest.starts_with(**op))
        else {
            return miss(i);
        };
        if op.starts_with('&') && fd.is_some() {
            return miss(i);
        }
        let after = self.blank(&rest[op.len()..]);
        // `> => f`, `> =>f`: a grant marker where a file name goes (bash reads `> = > f`).
        if after.starts_with("=>") {
            return fail(
                after,
                format!("'=>' after '{op}': a redirection needs no grant, the shell opens the file itself ({op} FILE)"),
            );
        }
        if after.is_empty() || (after.starts_with(is_delimiter) && !starts_process(after)) {
            return fail(after, format!("expected a word after '{op}'"));
        }
        let (after, target) = self.word(after)?;
        let op = match *op {
            "<<" | "<<-" => {
                let literal = target.0.iter().any(|p| !matches!(p, Part::Literal(_)));
                let delimiter = unquoted_text(&target);
                self.pending.borrow_mut().push(Pending {
                    delimiter: delimiter.clone(),
                    strip_tabs: *op == "<<-",
                });
                RedirOp::HereDoc(HereDoc {
                    delimiter,
                    strip_tabs: *op == "<<-",
                    literal,
                    body: Word::default(),
                })
            }
            "<<<" => RedirOp::HereString(target),
            "&>" => RedirOp::Both(false, target),
            "&>>" => RedirOp::Both(true, target),
            "<>" => RedirOp::ReadWrite(target),
            "<&" => RedirOp::Dup(false, target),
            "<" => RedirOp::Input(target),
            ">>" => RedirOp::Append(target),
            ">&" => RedirOp::Dup(true, target),
            ">|" => RedirOp::Clobber(target),
            _ => RedirOp::Output(target),
        };
        Ok((after, Redirect { fd, op }))
    }

    /// An unquoted word, up to a delimiter.
    fn word<'a>(&self, i: &'a str) -> R<'a, Word> {
        self.word_parts(i, is_delimiter, true, true)
    }

    /// A word ending before `stop` (unquoted). `tilde`: a leading `~` is a tilde prefix.
    fn word_until<'a>(&self, start: &'a str, stop: fn(char) -> bool, tilde: bool) -> R<'a, Word> {
        self.word_parts(start, stop, tilde, false)
    }

    /// A word ending before `stop`; `process`: `<(list)` and `>(list)` are part of it.
    fn word_parts<'a>(
        &self,
        start: &'a str,
        stop: fn(char) -> bool,
        tilde: bool,
        process: bool,
    ) -> R<'a, Word> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut i = start;
        if tilde {
            if let Some(r) = i.strip_prefix('~') {
                let user: String = r
                    .chars()
                    .take_while(|c| is_name_char(*c) || *c == '-' || *c == '.' || *c == '+')
                    .collect();
                let rest = &r[user.len()..];
                if rest.is_empty() || rest.starts_with('/') || rest.starts_with(stop) {
                    parts.push(Part::Tilde(user));
                    i = rest;
                }
            }
        }
        while let Some(c) = i.chars().next() {
            // An extended pattern `@(a|b)` is one word with its parentheses.
            if matches!(c, '?' | '*' | '+' | '@' | '!') && i[1..].starts_with('(') {
                if let Some(len) = balanced_group(&i[1..]) {
                    lit.push_str(&i[..1 + len]);
                    i = &i[1 + len..];
                    continue;
                }
            }
            if process && matches!(c, '<' | '>') && i[1..].starts_with('(') {
                flush(&mut lit, &mut parts);
                let opening = if c == '<' { "<(" } else { ">(" };
                let (rest, list) = self.substituted_list(&i[2..], opening)?;
                parts.push(Part::Process {
                    write: c == '>',
                    list,
                });
                i = rest;
                continue;
            }
            if stop(c) {
                break;
            }
            match c {
                '\'' if self.in_double.get() > 0 => {
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
                '\\' => {
                    let mut chars = i[1..].chars();
                    match chars.next() {
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
                    }
                }
                '$' | '`' => i = self.substitution(i, &mut lit, &mut parts)?,
                c => {
                    lit.push(c);
                    i = &i[c.len_utf8()..];
                }
            }
        }
        flush(&mut lit, &mut parts);
        if parts.is_empty() && i.len() == start.len() {
            return miss(i);
        }
        Ok((i, Word(parts)))
    }

    /// After an opening `"`: the parts up to the closing one.
    fn double_quoted<'a>(&self, i: &'a str) -> R<'a, Vec<Part>> {
        self.in_double.set(self.in_double.get() + 1);
        let result = self.quoted_parts(i, Some('"'));
        self.in_double.set(self.in_double.get() - 1);
        let (i, parts) = result?;
        match i.strip_prefix('"') {
            Some(rest) => Ok((rest, parts)),
            None => fail("", "unterminated double quote"),
        }
    }

    /// Text where only `$`, `` ` `` and `\` are special (inside double quotes, or an
    /// expanding here-document when `end` is None).
    fn quoted_parts<'a>(&self, mut i: &'a str, end: Option<char>) -> R<'a, Vec<Part>> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        while let Some(c) = i.chars().next() {
            if Some(c) == end {
                break;
            }
            match c {
                '\\' => {
                    let next = i[1..].chars().next();
                    match next {
                        Some('\n') => i = &i[2..],
                        Some(e @ ('$' | '`' | '\\')) => {
                            flush(&mut lit, &mut parts);
                            parts.push(Part::Escaped(e));
                            i = &i[2..];
                        }
                        Some('"') if end == Some('"') => {
                            flush(&mut lit, &mut parts);
                            parts.push(Part::Escaped('"'));
                            i = &i[2..];
                        }
                        _ => {
                            lit.push('\\');
                            i = &i[1..];
                        }
                    }
                }
                '$' if i[1..].starts_with(['\'', '"']) && end.is_some() => {
                    // `$'` and `$"` are plain text inside double quotes.
                    lit.push('$');
                    i = &i[1..];
                }
                '$' | '`' => i = self.substitution(i, &mut lit, &mut parts)?,
                c => {
                    lit.push(c);
                    i = &i[c.len_utf8()..];
                }
            }
        }
        flush(&mut lit, &mut parts);
        Ok((i, parts))
    }

    /// A `$...` or `` `...` `` at `i`, added to `parts` (a lone `$` is literal text).
    fn substitution<'a>(
        &self,
        i: &'a str,
        lit: &mut String,
        parts: &mut Vec<Part>,
    ) -> Result<&'a str, nom::Err<Fail<'a>>> {
        let (rest, part) = if i.starts_with('`') {
            self.backquote(i).map(|(r, p)| (r, Some(p)))?
        } else {
            self.dollar(i)?
        };
        match part {
            Some(p) => {
                flush(lit, parts);
                parts.push(p);
            }
            None => lit.push('$'),
        }
        Ok(rest)
    }

    /// `$...`; `None` for a lone `$` (a literal dollar).
    fn dollar<'a>(&self, i: &'a str) -> R<'a, Option<Part>> {
        let r = &i[1..];
        if let Some(r) = r.strip_prefix("((") {
            if let Some(end) = arith_end(r) {
                let inner = &r[..end];
                let (rest, parts) = self.quoted_parts(inner, None)?;
                debug_assert!(rest.is_empty());
                return Ok((&r[end + 2..], Some(Part::Arith(Word(parts)))));
            }
            if !r.contains("))") {
                return fail("", "unterminated $((");
            }
            // `$( (a) )` written without the blank: a command substitution.
        }
        if let Some(inner) = r.strip_prefix('[') {
            // `$[expr]`: old arithmetic.
            let Some(end) = inner.find(']') else {
                return fail("", "unterminated $[");
            };
            let (_, parts) = self.quoted_parts(&inner[..end], None)?;
            return Ok((&inner[end + 1..], Some(Part::Arith(Word(parts)))));
        }
        if let Some(r) = r.strip_prefix('(') {
            let (rest, list) = self.substituted_list(r, "$(")?;
            return Ok((rest, Some(Part::Command(list))));
        }
        if let Some(r) = r.strip_prefix('{') {
            return self.braced(r).map(|(rest, p)| (rest, Some(Part::Param(p))));
        }
        if r.starts_with('\'') && self.in_double.get() == 0 {
            return self
                .c_string(r)
                .map(|(rest, s)| (rest, Some(Part::Single(s))));
        }
        if let Some(r) = r.strip_prefix('"') {
            if self.in_double.get() == 0 {
                let (rest, inner) = self.double_quoted(r)?;
                return Ok((rest, Some(Part::Double(inner))));
            }
        }
        let mut chars = r.chars();
        match chars.next() {
            Some(c) if is_name_start(c) => {
                let (rest, n) = name(r)?;
                Ok((rest, Some(param(ParamName::Var(n.to_string())))))
            }
            Some(c) if c.is_ascii_digit() => Ok((
                &r[1..],
                Some(param(ParamName::Positional(c as usize - '0' as usize))),
            )),
            Some(c @ ('@' | '*' | '#' | '?' | '-' | '$' | '!')) => {
                Ok((&r[1..], Some(param(ParamName::Special(c)))))
            }
            _ => Ok((r, None)),
        }
    }

    /// The list of `$(list)`, `<(list)` or `>(list)` (`opening`), after the `(`: a new
    /// quoting context, its here-documents complete within the parentheses.
    fn substituted_list<'a>(&self, r: &'a str, opening: &str) -> R<'a, List> {
        let bodies_before = self.bodies.borrow().len();
        let outer = self.in_double.replace(0);
        let parsed = self
            .list(r)
            .and_then(|(rest, list)| Ok((self.linebreak(rest)?, list)));
        self.in_double.set(outer);
        let (rest, mut list) = parsed?;
        let bodies: Vec<String> = self.bodies.borrow_mut().drain(bodies_before..).collect();
        if !bodies.is_empty() {
            fill_heredocs(
                &mut list,
                &mut bodies.into_iter(),
                self.options.made_at_run_time,
            )
            .map_err(|e| {
                nom::Err::Failure(Fail {
                    at: rest,
                    message: e.message,
                })
            })?;
        }
        match rest.strip_prefix(')') {
            Some(rest) => Ok((rest, list)),
            None if rest.is_empty() => fail(rest, format!("unterminated {opening}")),
            None => fail(rest, format!("expected ')' to end {opening}")),
        }
    }

    /// `` `...` ``: the text with `\$`, `` \` ``, `\\` unescaped, parsed as a list.
    fn backquote<'a>(&self, i: &'a str) -> R<'a, Part> {
        let mut text = String::new();
        let mut chars = i[1..].char_indices();
        let mut end = None;
        while let Some((k, c)) = chars.next() {
            match c {
                '`' => {
                    end = Some(k + 1);
                    break;
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('$' | '`' | '\\'))) => text.push(e),
                    Some((_, '"')) if self.in_double.get() > 0 => text.push('"'),
                    Some((_, e)) => {
                        text.push('\\');
                        text.push(e);
                    }
                    None => text.push('\\'),
                },
                c => text.push(c),
            }
        }
        let Some(end) = end else {
            return fail("", "unterminated backquote");
        };
        let options = Options {
            complete_input: true,
            ..self.options.clone()
        };
        match parse_with(&text, &options) {
            Ok(list) => Ok((&i[end + 1..], Part::Command(list))),
            Err(e) => fail(i, format!("in backquotes: {}", e.message)),
        }
    }
}

/// The message for an unexpected token at `i`.
fn unexpected(i: &str, c: char) -> String {
    match c {
        ')' => "unexpected ')'".to_string(),
        ';' => format!(
            "unexpected '{}'",
            if i.starts_with(";;") { ";;" } else { ";" }
        ),
        _ => format!("unexpected '{}'", i.split(is_delimiter).next().unwrap_or(i)),
    }
}

/// `{name}` right before a redirection operator: the name and what follows.
fn fd_variable(i: &str) -> Option<(&str, &str)> {
    let rest = i.strip_prefix('{')?;
    let end = rest.find('}')?;
    let var = &rest[..end];
    let after = &rest[end + 1..];
    let ok = !var.is_empty()
        && var.starts_with(is_name_start)
        && var.chars().all(is_name_char)
        && after.starts_with(['<', '>']);
    ok.then_some((var, after))
}

/// The length of a balanced `(...)` group at the start of `i` (quotes respected).
fn balanced_group(i: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut chars = i.char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '\'' => {
                for (_, q) in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                }
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            '\n' | ' ' | '\t' | ';' | '&' | '<' | '>' => return None,
            _ => {}
        }
    }
    None
}

/// After `$((` or `((`: the offset of the `))` that balances the parentheses.
fn arith_end(r: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in r.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            ')' if r[k..].starts_with("))") => return Some(k),
            ')' => return None,
            _ => {}
        }
    }
    None
}

/// Add a redirection to a command (`a |& b`).
fn add_redirect(c: &mut Command, r: Redirect) {
    match c {
        Command::Simple(s) => s.redirects.push(r),
        Command::Compound(_, rs) => rs.push(r),
        Command::Function { body, .. } => add_redirect(body, r),
    }
}

fn flush(lit: &mut String, parts: &mut Vec<Part>) {
    if !lit.is_empty() {
        parts.push(Part::Literal(std::mem::take(lit)));
    }
}

fn param(name: ParamName) -> Part {
    Part::Param(Param {
        name,
        index: None,
        indirect: false,
        op: ParamOp::Plain,
    })
}

/// The text of a word with quotes removed and nothing expanded (here-doc delimiters).
fn unquoted_text(w: &Word) -> String {
    let mut s = String::new();
    for p in &w.0 {
        match p {
            Part::Literal(t) | Part::Single(t) => s.push_str(t),
            Part::Escaped(c) => s.push(*c),
            Part::Tilde(u) => {
                s.push('~');
                s.push_str(u);
            }
            Part::Double(inner) => s.push_str(&unquoted_text(&Word(inner.clone()))),
            other => s.push_str(&Word(vec![other.clone()]).to_string()),
        }
    }
    s
}

/// Give each here-document its body, in source order. `made`: the text was made at
/// run time (`Options::made_at_run_time`), and so are the bodies' `$(...)`.
fn fill_heredocs(
    list: &mut List,
    bodies: &mut dyn Iterator<Item = String>,
    made: bool,
) -> Result<(), ParseError> {
    fn command(
        c: &mut Command,
        bodies: &mut dyn Iterator<Item = String>,
        made: bool,
    ) -> Result<(), ParseError> {
        match c {
            Command::Simple(s) => redirects(&mut s.redirects, bodies, made),
            Command::Compound(comp, r) => {
                match comp {
                    Compound::Group(l) | Compound::Subshell(l) => fill_heredocs(l, bodies, made)?,
                    Compound::If {
                        branches,
                        otherwise,
                    } => {
                        for (c, b) in branches {
                            fill_heredocs(c, bodies, made)?;
                            fill_heredocs(b, bodies, made)?;
                        }
                        if let Some(o) = otherwise {
                            fill_heredocs(o, bodies, made)?;
                        }
                    }
                    Compound::While { cond, body, .. } => {
                        fill_heredocs(cond, bodies, made)?;
                        fill_heredocs(body, bodies, made)?;
                    }
                    Compound::For { body, .. } | Compound::ArithFor { body, .. } => {
                        fill_heredocs(body, bodies, made)?
                    }
                    Compound::Case { arms, .. } => {
                        for a in arms {
                            fill_heredocs(&mut a.body, bodies, made)?;
                        }
                    }
                    Compound::Cond(_) | Compound::Arith(_) => {}
                }
                redirects(r, bodies, made)
            }
            Command::Function { body, .. } => command(body, bodies, made),
        }
    }
    fn redirects(
        rs: &mut [Redirect],
        bodies: &mut dyn Iterator<Item = String>,
        made: bool,
    ) -> Result<(), ParseError> {
        for r in rs {
            if let RedirOp::HereDoc(h) = &mut r.op {
                let text = bodies.next().unwrap_or_default();
                h.body = if h.literal {
                    Word(vec![Part::Literal(text)])
                } else {
                    let options = Options {
                        made_at_run_time: made,
                        ..Options::default()
                    };
                    let p = Grammar::new(&text, options, Vec::new(), Vec::new());
                    // As in double quotes: `'` in `${x:-'q'}` is a plain character.
                    p.in_double.set(1);
                    match p.quoted_parts(&text, None) {
                        Ok((_, parts)) => Word(parts),
                        Err(e) => {
                            let why = match e {
                                nom::Err::Failure(f) | nom::Err::Error(f)
                                    if f.message.ends_with(MADE_AT_RUN_TIME) =>
                                {
                                    format!(": {}", f.message)
                                }
                                _ => String::new(),
                            };
                            return Err(ParseError {
                                line: 0,
                                column: 0,
                                message: format!(
                                    "bad substitution in here-document '{}'{why}",
                                    h.delimiter
                                ),
                                incomplete: false,
                            });
                        }
                    }
                };
            }
        }
        Ok(())
    }
    for item in &mut list.0 {
        for p in std::iter::once(&mut item.and_or.first)
            .chain(item.and_or.rest.iter_mut().map(|(_, p)| p))
        {
            for c in &mut p.commands {
                command(c, bodies, made)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(src: &str) -> Simple {
        let list = parse(src).unwrap();
        match &list.0[0].and_or.first.commands[0] {
            Command::Simple(s) => s.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn lit(s: &str) -> Word {
        Word(vec![Part::Literal(s.into())])
    }

    /// Printing the tree and parsing it again gives the same tree.
    fn round_trip(src: &str) {
        let first = parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
        let printed = first.to_string();
        let second =
            parse(&printed).unwrap_or_else(|e| panic!("{src:?} printed as {printed:?}: {e}"));
        assert_eq!(first, second, "{src:?} printed as {printed:?}");
    }

    #[test]
    fn process_substitutions_are_words_and_redirection_targets() {
        let s = simple("diff <(sort a) a>(tee b)c < <(echo in) 2> >(cat)");
        let process = |w: &Arg, want: bool| match w {
            Arg::Word(w) => {
                w.0.iter()
                    .any(|p| matches!(p, Part::Process { write, .. } if *write == want))
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(s.args.len(), 3);
        assert!(process(&s.args[1], false));
        assert!(process(&s.args[2], true));
        match &s.args[2] {
            Arg::Word(w) => {
                assert_eq!(w.0.first(), Some(&Part::Literal("a".into())));
                assert_eq!(w.0.last(), Some(&Part::Literal("c".into())));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&s.redirects[0], Redirect { fd: None, op: RedirOp::Input(w) }
            if matches!(w.0.as_slice(), [Part::Process { write: false, .. }]))
        );
        assert!(
            matches!(&s.redirects[1], Redirect { fd: Some(Fd::Number(2)), op: RedirOp::Output(w) }
            if matches!(w.0.as_slice(), [Part::Process { write: true, .. }]))
        );
        // Quoted, or in double quotes, it is text; `<` then `(` apart is a syntax error.
        let s = simple("echo '<(a)' \"<(b)\"");
        assert!(!s.args.iter().any(|a| process(a, false)));
        assert!(parse("cat < (a)").is_err());
        let e = parse("cat <(echo").unwrap_err();
        assert!(e.message.contains("<("), "{}", e.message);
        round_trip("diff <(sort a) >(cat) < <(echo in)");
    }

    #[test]
    fn bare_unconfined_marker_is_an_error_not_a_continuation() {
        for src in ["!!", "!! ", "!!\n", "true; !!"] {
            let e = parse(src).unwrap_err();
            assert!(!e.incomplete, "{src:?}");
            assert!(e.message.contains("no history expansion"), "{}", e.message);
        }
        assert!(parse("!!ls").is_ok() && parse("!! ls").is_ok());
    }

    #[test]
    fn a_grant_marker_after_a_redirection_is_an_error() {
        let e = parse("echo hi > => f").unwrap_err();
        assert!(e.message.contains("'=>' after '>'"), "{}", e.message);
        let e = parse("sort 2>> => log").unwrap_err();
        assert!(e.message.contains("'=>' after '>>'"), "{}", e.message);
        // A name that only begins with `=` is a name.
        assert!(parse("echo hi > =x").is_ok());
    }

    #[test]
    fn words_quotes_and_expansions() {
        let s = simple(r#"echo 'a b' "c $x ${y:-d e}" \$z $(pwd) `date` $((1 + $n)) ~/f"#);
        let words: Vec<&Word> = s
            .args
            .iter()
            .map(|a| match a {
                Arg::Word(w) => w,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(words[0], &lit("echo"));
        assert_eq!(words[1], &Word(vec![Part::Single("a b".into())]));
        match &words[2].0[0] {
            Part::Double(parts) => {
                assert_eq!(parts[0], Part::Literal("c ".into()));
                assert!(
                    matches!(&parts[1], Part::Param(p) if p.name == ParamName::Var("x".into()))
                );
                assert!(matches!(
                    &parts[3],
                    Part::Param(Param {
                        op: ParamOp::Default(true, _),
                        ..
                    })
                ));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            words[3].0,
            vec![Part::Escaped('$'), Part::Literal("z".into())]
        );
        assert!(matches!(&words[4].0[0], Part::Command(_)));
        assert!(matches!(&words[5].0[0], Part::Command(_)));
        assert!(matches!(&words[6].0[0], Part::Arith(_)));
        assert_eq!(
            words[7].0,
            vec![Part::Tilde(String::new()), Part::Literal("/f".into())]
        );
    }

    #[test]
    fn unconfined_is_refused_in_text_made_at_run_time() {
        let made = Options {
            made_at_run_time: true,
            ..Options::default()
        };
        for text in [
            "!!touch x\n",
            "X=1 !!touch x\n",
            "> f !!touch x\n",
            "true; !! touch x\n",
            "f() { !!touch x; }\n",
            "echo $(!!touch x)\n",
            "echo `!!touch x`\n",
            "if true; then !!touch x; fi\n",
            "cat <<E\n$(!!touch x)\nE\n",
        ] {
            assert!(parse(text).is_ok(), "{text}");
            let e = parse_with(text, &made).unwrap_err();
            assert!(
                e.message.ends_with(MADE_AT_RUN_TIME),
                "{text}: {}",
                e.message
            );
        }
        // Quoted, it is a word like any other.
        assert!(parse_with("echo '!!' \"!!x\"\n", &made).is_ok());
        // A prompt is a variable's value: its `$(...)` never runs `!!`.
        assert!(prompt_parts("$(git branch) \\$ ").is_ok());
        assert!(prompt_parts("$(!!touch x) \\$ ").is_err());
    }

    #[test]
    fn grant_markers_and_unconfined() {
        let s = simple("sort data.csv -o => sorted.csv");
        assert_eq!(s.args[3], Arg::Write);
        let s = simple("tar -czf { => backup.tgz } docs");
        assert_eq!(
            &s.args[2..6],
            &[
                Arg::Open,
                Arg::Write,
                Arg::Word(lit("backup.tgz")),
                Arg::Close
            ]
        );
        let s = simple("make + => .");
        assert_eq!(
            &s.args[1..],
            &[Arg::Hidden, Arg::Write, Arg::Word(lit("."))]
        );
        let s = simple("!!sudo apt upgrade");
        assert!(s.unconfined);
        assert_eq!(s.args[0], Arg::Word(lit("sudo")));
        // After the command's assignments and redirections too: the assignment is the
        // unconfined command's (it was a jailed command named `!!env`, not found).
        let s = simple("FOO=1 2>/dev/null !!env");
        assert!(s.unconfined);
        assert_eq!(s.assignments[0].name, "FOO");
        assert_eq!(s.args, vec![Arg::Word(lit("env"))]);
        assert!(parse("FOO=1 !!\n").is_err());
        assert!(parse("FOO=1 !! ; true\n").is_err());
        // Once: `!!!!env` is the command `!!env`, as at the start.
        let s = simple("FOO=1 !!!!env");
        assert_eq!(s.args, vec![Arg::Word(lit("!!env"))]);
        // Quoted, they are plain words.
        let s = simple("echo '=>' \"+\"");
        assert!(s.args.iter().all(|a| matches!(a, Arg::Word(_))));
    }

    #[test]
    fn assignments_and_redirections() {
        let s = simple("A=1 B=~/x cmd 2>err >>log <in 3<>rw 4>&1 5<&- >|f");
        assert_eq!(
            s.assignments[0],
            Assignment {
                name: "A".into(),
                index: None,
                append: false,
                value: AssignValue::Scalar(lit("1"))
            }
        );
        assert!(
            matches!(&s.assignments[1].value, AssignValue::Scalar(w) if w.0[0] == Part::Tilde(String::new()))
        );
        let fds: Vec<Option<u32>> = s
            .redirects
            .iter()
            .map(|r| match r.fd {
                Some(Fd::Number(n)) => Some(n),
                _ => None,
            })
            .collect();
        assert_eq!(fds, [Some(2), None, None, Some(3), Some(4), Some(5), None]);
        assert!(matches!(s.redirects[4].op, RedirOp::Dup(true, _)));
        assert!(matches!(s.redirects[6].op, RedirOp::Clobber(_)));
        // After the command word, NAME=value is an argument.
        let s = simple("env A=1");
        assert!(s.assignments.is_empty() && s.args.len() == 2);
    }

    #[test]
    fn here_documents() {
        let list =
            parse("cat <<EOF; cat <<-'END'\nhello $x\nEOF\n\tliteral $y\n\tEND\necho after\n")
                .unwrap();
        assert_eq!(list.0.len(), 3);
        let docs: Vec<HereDoc> = list.0[..2]
            .iter()
            .map(|i| match &i.and_or.first.commands[0] {
                Command::Simple(s) => match &s.redirects[0].op {
                    RedirOp::HereDoc(h) => h.clone(),
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(!docs[0].literal);
        assert_eq!(docs[0].body.0[0], Part::Literal("hello ".into()));
        assert!(docs[1].literal && docs[1].strip_tabs);
        assert_eq!(docs[1].body, lit("literal $y\n"));
    }

    #[test]
    fn compound_commands() {
        for src in [
            "if a; then b; elif c; then d; else e; fi",
            "while read x; do echo $x; done < f",
            "until false; do :; done",
            "for i in 1 2 3; do echo $i; done",
            "for i\ndo\necho $i\ndone",
            "case $x in a|b) echo ab;; (c) echo c;; *) ;; esac",
            "{ echo a; echo b; } > out",
            "(cd /tmp && ls) | wc -l",
            "f() { echo hi; }",
            "! true && false || echo x &",
            "a | b | c",
            "echo $(echo $(echo nested))",
        ] {
            round_trip(src);
        }
    }

    #[test]
    fn printing_round_trips() {
        for src in [
            r#"echo 'a b' "c $x ${y:-d e}" \$z $(pwd) ~/f ~user/g *.rs"#,
            r#"echo ${#x} ${x%.*} ${x##*/} ${x:=v} ${x:?oops} ${x:+alt} ${10} $@ "$*" $? $$ $! $# $0"#,
            "echo $((1 + 2 * (3 - x)))",
            "A=1 B='two' cmd 2>&1 > out < in >> log",
            "tar -czf { => backup.tgz } docs + @net",
            "!! sudo apt upgrade",
            "cat <<EOF\nhello $name\nEOF\n",
            "cat <<'EOF'\nliteral $name\nEOF\n",
            "echo \"a\\\"b\" 'c' d\\ e",
        ] {
            round_trip(src);
        }
    }

    #[test]
    fn bash_syntax_round_trips() {
        for src in [
            "a=(x 'y z' [3]=w $v \"$@\"); a+=(more); a[1]=one; a[$i+1]+=two",
            "declare -a arr=(1 2) x=~/bin y=a:~/b; local l=(q) m",
            "echo ${a[@]} \"${a[*]}\" ${#a[@]} ${!a[@]} ${a[i+1]} ${!x} ${!pre*} ${!pre@}",
            "echo ${x/a/b} ${x//a} ${x/#a/b} ${x/%a/b} ${x:1:2} ${x: -1} ${x:n} ${x^^} ${x,} ${x@Q}",
            "[[ -f $f && ( $a == b* || ! $c =~ ^(x|y)$ ) ]] && echo yes",
            "[[ $a < $b ]] || [[ -n $x ]] || [[ $x ]]",
            "(( i++ )); for ((i = 0; i < 3; i++)); do echo $i; done",
            "exec {fd}> out 3>&1- &>> log; cat <<< \"$x\" >| f 2>&1",
            "a |& b",
            "function f { echo; }; function g() ( echo )",
            "case $x in a) echo a ;& b) echo b ;;& *) echo c ;; esac",
            "echo $'tab\\there' $'it\\'s' @(a|b) !(*.o)",
            "time sleep 1 | cat",
            "echo $[1 + 2]",
        ] {
            round_trip(src);
        }
        let s = simple("exec {fd}>&- 12>f");
        assert_eq!(s.redirects[0].fd, Some(Fd::Var("fd".into())));
        assert_eq!(s.redirects[1].fd, Some(Fd::Number(12)));
        let s = simple("a=(x [2]=y)");
        assert!(
            matches!(&s.assignments[0].value, AssignValue::Array(e) if e.len() == 2 && e[1].0.is_some())
        );
    }

    #[test]
    fn aliases_are_expanded_in_command_position() {
        let aliases: HashMap<String, String> = [
            ("ll".to_string(), "ls -l".to_string()),
            ("e".to_string(), "echo ".to_string()),
            ("w".to_string(), "world".to_string()),
            ("ls".to_string(), "ls -d".to_string()),
        ]
        .into();
        let options = Options {
            aliases: Some(&aliases),
            complete_input: true,
            made_at_run_time: false,
        };
        let mut src = "ll x; echo ll; e w; ls\n".to_string();
        let (list, _) = parse_next(&mut src, 0, &options).unwrap().unwrap();
        // The first word of an alias's text is an alias too (`ls` here), but an alias
        // is not expanded inside itself.
        assert_eq!(list.to_string(), "ls -d -l x; echo ll; echo world; ls -d;");
    }

    #[test]
    fn errors_name_line_column_and_what_was_expected() {
        let e = parse("if true; then\n  echo x\n").unwrap_err();
        assert!(e.incomplete, "{e:?}");
        assert!(e.message.contains("'fi'"), "{e:?}");
        let e = parse("echo 'open").unwrap_err();
        assert!(e.incomplete && e.message.contains("single quote"), "{e:?}");
        let e = parse("echo a |").unwrap_err();
        assert!(e.incomplete, "{e:?}");
        let e = parse("echo ok\nfi\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e:?}");
        assert!(!e.incomplete);
        let e = parse("echo ${").unwrap_err();
        assert!(e.message.contains("substitution") || e.incomplete, "{e:?}");
        let e = parse("cat > ;").unwrap_err();
        assert_eq!(e.message, "expected a word after '>'");
        assert_eq!((e.line, e.column), (1, 7));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const TOKENS: &[&str] = &[
        "echo",
        "a",
        "b=1",
        "'q s'",
        "\"d $x\"",
        "$y",
        "${z:-w v}",
        "${#n}",
        "${p%%.*}",
        "|",
        "&&",
        "||",
        ";",
        "&",
        "\n",
        ">",
        ">>",
        "<",
        "2>&1",
        "f",
        "if",
        "then",
        "else",
        "fi",
        "while",
        "do",
        "done",
        "for",
        "in",
        "case",
        "esac",
        ";;",
        ")",
        "(",
        "{",
        "}",
        "=>",
        "+",
        "@net",
        "!!",
        "!",
        "$(ls -l)",
        "`pwd`",
        "$((1 + $n))",
        "*.rs",
        "~/x",
        "\\ ",
        "#c",
        "<<EOF\nbody $v\nEOF\n",
        "\"\"",
        "''",
        // bash's syntax.
        "a=(x 'y z' [3]=w)",
        "a+=(v)",
        "a[1]=v",
        "a[$i]+=w",
        "${a[@]}",
        "\"${a[@]}\"",
        "${a[*]}",
        "${#a[@]}",
        "${!a[@]}",
        "${a[i+1]}",
        "${!x}",
        "${!pre*}",
        "${x/a/b}",
        "${x//a}",
        "${x:1:2}",
        "${x: -1}",
        "${x^^}",
        "${x,}",
        "${x@Q}",
        "[[",
        "]]",
        "-f",
        "-n",
        "==",
        "!=",
        "=~",
        "^(a|b)$",
        "<",
        "((",
        "))",
        "(( i++ ))",
        "$((i*2))",
        "for ((i=0; i<3; i++))",
        "{fd}>",
        "{fd}>&-",
        "3>&1-",
        "&>",
        "&>>",
        ">|",
        "<<<",
        "|&",
        "$'a\\'b\\n'",
        "function",
        "g",
        "()",
        ";&",
        ";;&",
        "time",
        "local",
        "declare",
        "x+=1",
        "@(a|b)",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_input_never_panics(s in "[ -~\t\n]{0,120}") {
            let _ = parse(&s);
        }

        #[test]
        fn parsed_trees_print_and_parse_back(tokens in proptest::collection::vec(0..TOKENS.len(), 0..16)) {
            let src: Vec<&str> = tokens.iter().map(|i| TOKENS[*i]).collect();
            let src = src.join(" ");
            if let Ok(tree) = parse(&src) {
                let printed = tree.to_string();
                let again = parse(&printed);
                prop_assert_eq!(again.as_ref().ok(), Some(&tree), "{:?} printed as {:?}: {:?}", src, printed, again);
            }
        }
    }
}
