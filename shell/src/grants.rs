//! Collecting grants from a command line (DESIGN.md, "Grant rules").
//!
//! - A word that names an existing path after expansion is granted read-only — unquoted,
//!   double-quoted or backslash-escaped, and every field of `"$@"` or `"$f"` — so that
//!   correctly quoted scripts and names with spaces work. A word that names nothing is a
//!   plain string. A word with a single-quoted part is never granted implicitly: that is
//!   how a string that happens to name a file is passed.
//! - Words starting with `-` are never grants, except that `--opt=PATH` grants PATH
//!   read-only when it names an existing path (the word is passed whole).
//! - `=>` makes the one word after it (every field it expands to: `rm => *.o`) a write
//!   grant: a slot for that name.
//! - `+` makes every word after it, until `}` or the end of the command, a grant that is
//!   not passed; `+ => x` is a write grant that is not passed. A `+` with nothing after
//!   it, or followed by a word that names nothing and is not `=>` or `@…`, is an
//!   ordinary argument (`find . -exec grep x {} +`, `expr 1 + 2`).
//! - `{ ... }` limits the scope of `+`.
//! - After `+`, `@net` is the network capability; `@net:connect=443,80` and
//!   `@net:bind=8080` give it for TCP to and on those ports only, and `@net:pypi.org`,
//!   `@net:pypi.org:443`, `@net:*.example.org` one host (or its subdomains) through
//!   the proxy (ports 80 and 443 when none are named). `@mem:4G`,
//!   `@procs:2000`, `@cpu:200` and `@tmp:2G` set the command's resource limits.
//!   `@ps` shows it the machine's processes (`ps`, `top`, `pgrep`), read-only.
//!
//! The same rules classify the words of a line for highlighting ([`roles`]), so what is
//! shown as granted while typing is what will be granted.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::escapes::shown;
use pola_fileserver::limits::{self, LimitError, Limits};
use pola_fileserver::network::Network;

use crate::expand::Field;
use crate::jail::Request;

/// An expanded argument: the fields of one word, or a grant marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// The fields one word expanded to (none for an empty unquoted expansion).
    Word(Vec<Field>),
    /// `=>`
    Write,
    /// `+`
    Hidden,
    /// `{`
    Open,
    /// `}`
    Close,
}

/// What one item of a command line is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// The command's name.
    Command,
    /// Passed, grants nothing.
    Plain,
    /// Passed, and the path is granted (read-only, or writable as a slot).
    Grant { path: PathBuf, write: bool },
    /// Not passed; the path is granted.
    Hidden { path: PathBuf, write: bool },
    /// Not passed: `@net…`, or a resource limit (`@mem:4G`).
    Capability(Capability),
    /// A grant marker (`=>`, `+`, `{`, `}`): not passed.
    Marker,
    /// A `+` that grants nothing: passed as the argument `+`.
    Plus,
}

/// A capability word: the network, or a resource limit (checked, as written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Capability {
    Net(Network),
    Limit(String),
    /// `@ps`: the machine's processes to see.
    Processes,
}

/// What a command line grants and passes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    pub argv: Vec<String>,
    pub grants: Vec<Request>,
    pub net: Network,
    pub limits: Limits,
    /// `@ps`: the machine's processes to see (`jail::Command::processes`).
    pub processes: bool,
    /// Write grants of patterns that matched nothing (`=> *.txt`), each kept as the
    /// one name it is written as.
    pub unmatched_writes: Vec<String>,
    /// The paths of write grants that are passed too (`=> f`, not `+ => f`).
    pub passed_writes: Vec<PathBuf>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum GrantError {
    #[error("'}}' without a matching '{{'")]
    UnmatchedClose,
    #[error("'{{' without a matching '}}'")]
    UnmatchedOpen,
    #[error("no such file to grant after '+': {}", shown(.0))]
    HiddenMissing(String),
    #[error("{} after '+' is not a path", shown(.0))]
    HiddenOption(String),
    #[error("'=>' must be followed by the name of a file or directory")]
    WriteWithoutWord,
    #[error("'=>' is followed by the option {0}; put it before the file name: {0} => FILE")]
    WriteOption(String),
    #[error("{0}")]
    BadNet(String),
    #[error("unknown capability {} (known: @net, @ps, @procs, @mem, @cpu, @tmp)", shown(.0))]
    UnknownCapability(String),
    #[error("@{0}")]
    BadLimit(LimitError),
}

/// One field as the rules see it: its text, whether it had a single-quoted part, and
/// whether its value is known (a highlighter cannot expand `$x`).
#[derive(Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    literal: bool,
    /// After a plain `--`: an operand, even when it begins with `-` (`cat -- -a.txt`).
    operand: bool,
}

/// The path `--opt=PATH` names, if the word has that form.
fn option_path(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("--")?;
    let (_, path) = rest.split_once('=')?;
    (!path.is_empty()).then_some(path)
}

/// `/`, `//`: the jail's own root, never a grant of the host's.
fn is_root(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b == b'/')
}

/// Whether the first word after a `+` makes it a grant marker.
fn plus_grants(next: Option<&Item>, host: &Lookup) -> bool {
    // (Never by a word beginning with `-`, even after `--`: a file a jail planted with
    // such a name would take `+` and the word from an argument list: `expr -- 5 + -2`.)
    match next {
        Some(Item::Write) => true,
        Some(Item::Word(fields)) => fields.first().is_some_and(|f| {
            !f.literal
                && (f.text.starts_with('@')
                    || (!f.text.starts_with('-')
                        && !is_root(&f.text)
                        && host.named(&f.text).is_some()))
        }),
        _ => false,
    }
}

/// Whether `text` is a capability word (`@net`, `@net:pypi.org`, `@ps`, `@mem:4G`).
pub fn is_capability_word(text: &str) -> bool {
    capability(text).is_ok()
}

fn capability(text: &str) -> Result<Capability, GrantError> {
    match text {
        "@net" => Ok(Capability::Net(Network::Host)),
        "@ps" => Ok(Capability::Processes),
        t if t.starts_with("@net:") => Network::parse_capability(&t["@net:".len()..])
            .map(Capability::Net)
            .map_err(|e| GrantError::BadNet(format!("@net:{e}"))),
        t if limits::is_capability(t) => {
            Limits::default()
                .add_capability(t)
                .map_err(GrantError::BadLimit)?;
            Ok(Capability::Limit(t.to_string()))
        }
        t => Err(GrantError::UnknownCapability(t.to_string())),
    }
}

/// The role of one field, given the mode it is in.
fn role(word: Word, write: bool, hidden: bool, host: &Lookup) -> Result<Role, GrantError> {
    let text = word.text;
    let grant = |path: &str, write: bool| {
        let path = crate::escapes::to_path(path);
        Ok(if hidden {
            Role::Hidden { path, write }
        } else {
            Role::Grant { path, write }
        })
    };
    if write {
        // An explicit `=>`: the word is the name of the slot, quoted or not.
        if text.starts_with('-') && !word.operand {
            return match option_path(text) {
                Some(path) => grant(path, true),
                None => Err(GrantError::WriteOption(text.to_string())),
            };
        }
        if text.is_empty() {
            return Err(GrantError::WriteWithoutWord);
        }
        return grant(text, true);
    }
    if hidden {
        if text.starts_with('@') && !word.literal {
            return capability(text).map(Role::Capability);
        }
        if text.starts_with('-') && !word.operand {
            return Err(GrantError::HiddenOption(text.to_string()));
        }
        if is_root(text) {
            return Ok(Role::Marker);
        }
        return match host.named(text) {
            Some(write) => grant(text, write),
            None => Err(GrantError::HiddenMissing(text.to_string())),
        };
    }
    if word.literal || text.is_empty() || is_root(text) {
        return Ok(Role::Plain);
    }
    if text.starts_with('-') && !word.operand {
        let path = option_path(text).filter(|p| !is_root(p));
        return Ok(match path.and_then(|p| Some((p, host.named(p)?))) {
            Some((path, write)) => Role::Grant {
                path: crate::escapes::to_path(path),
                write,
            },
            None => Role::Plain,
        });
    }
    Ok(match host.named(text) {
        Some(write) => Role::Grant {
            path: crate::escapes::to_path(text),
            write,
        },
        None => Role::Plain,
    })
}

/// What the rules look up on the host, for a (relative or absolute) path: whether it
/// names something, and whether it is the shell's own scratch (`crate::scratch`).
pub struct Lookup<'a> {
    pub exists: &'a dyn Fn(&str) -> bool,
    /// Whether an absolute path is the shell's own scratch.
    pub scratch: &'a dyn Fn(&Path) -> bool,
    /// Where relative paths are.
    pub cwd: &'a Path,
}

impl<'a> Lookup<'a> {
    /// The rules without any scratch.
    pub fn plain(exists: &'a dyn Fn(&str) -> bool) -> Lookup<'a> {
        Lookup {
            exists,
            scratch: &|_| false,
            cwd: Path::new("/"),
        }
    }

    /// Whether `text` grants anything, and if so whether to write: what the shell's
    /// `mktemp` made is the script's scratch, to write, and a name to be made below it
    /// is granted as `=>` would (`crate::scratch`); any other existing path, to read.
    fn named(&self, text: &str) -> Option<bool> {
        if (self.scratch)(&self.cwd.join(crate::escapes::to_path(text))) {
            return Some(true);
        }
        (self.exists)(text).then_some(false)
    }
}

/// The role of every item of a command line (the command's name first): one entry per
/// marker and per field, in order.
pub fn roles(items: &[Item], host: &Lookup) -> Result<Vec<Role>, GrantError> {
    let mut out = Vec::new();
    let mut hidden = false;
    let mut write = false;
    let mut scopes = Vec::new();
    let mut command = true;
    let mut operands = false;
    // A filter's first operand is its program or pattern, not a path: `jq . f.json` and
    // `grep . notes.txt` granted the whole working directory (trial 12).
    let mut program: Option<&str> = None;
    let mut pattern_given = false;
    let mut first_operand = true;
    for (i, item) in items.iter().enumerate() {
        let next = items.get(i + 1);
        if write && !matches!(item, Item::Word(_)) {
            return Err(GrantError::WriteWithoutWord);
        }
        match item {
            Item::Write => {
                if !matches!(next, Some(Item::Word(_))) {
                    return Err(GrantError::WriteWithoutWord);
                }
                write = true;
                out.push(Role::Marker);
            }
            Item::Hidden => {
                if plus_grants(next, host) {
                    hidden = true;
                    out.push(Role::Marker);
                } else if hidden {
                    // `+` inside a `+` scope: the next word must still be a grant.
                    out.push(Role::Marker);
                } else {
                    out.push(Role::Plus);
                }
            }
            Item::Open => {
                scopes.push(hidden);
                out.push(Role::Marker);
            }
            Item::Close => {
                hidden = scopes.pop().ok_or(GrantError::UnmatchedClose)?;
                out.push(Role::Marker);
            }
            Item::Word(fields) => {
                if write && fields.is_empty() {
                    return Err(GrantError::WriteWithoutWord);
                }
                for f in fields {
                    if std::mem::take(&mut command) {
                        program = Some(f.text.rsplit('/').next().unwrap_or(&f.text));
                        out.push(Role::Command);
                        continue;
                    }
                    let filter = program.is_some_and(|p| FILTERS.contains(&p));
                    if filter && !write && !hidden && first_operand {
                        let t = f.text.as_str();
                        if t.starts_with('-') && t != "-" && !operands {
                            pattern_given |= PATTERN_OPTIONS.iter().any(|o| {
                                t == *o
                                    || t.starts_with(&format!("{o}="))
                                    || (o.len() == 2 && t.starts_with(o))
                            });
                        } else {
                            first_operand = false;
                            if t == "." && !pattern_given {
                                out.push(Role::Plain);
                                continue;
                            }
                        }
                    }
                    let word = Word {
                        text: &f.text,
                        literal: f.literal,
                        operand: operands,
                    };
                    let r = role(word, write, hidden, host)?;
                    operands |= f.text == "--" && r == Role::Plain;
                    out.push(r);
                }
                write = false;
            }
        }
    }
    if !scopes.is_empty() {
        return Err(GrantError::UnmatchedOpen);
    }
    Ok(out)
}

/// Programs whose first operand is a program or a pattern (`jq FILTER FILE…`, `grep
/// PATTERN FILE…`), unless an option gave it ([`PATTERN_OPTIONS`]).
const FILTERS: &[&str] = &[
    "jq", "grep", "egrep", "fgrep", "rg", "awk", "gawk", "mawk", "sed",
];

/// The options that give a filter its program or pattern (then its first operand is a
/// file): `grep -e PAT`, `sed -f script`, `awk -f prog`, `jq --from-file f`.
const PATTERN_OPTIONS: &[&str] = &[
    "-e",
    "-f",
    "--regexp",
    "--file",
    "--expression",
    "--from-file",
];

/// Whether `path` names something, relative to `cwd`.
pub fn exists_in(cwd: &Path) -> impl Fn(&str) -> bool + '_ {
    move |p: &str| {
        cwd.join(crate::escapes::to_path(p))
            .symlink_metadata()
            .is_ok()
    }
}

/// The fields of `items` with their roles, in order.
fn fields_with_roles<'a>(
    items: &'a [Item],
    roles: &'a [Role],
) -> impl Iterator<Item = (Option<&'a Field>, &'a Role)> {
    let mut fields = Vec::new();
    for item in items {
        match item {
            Item::Word(fs) => fields.extend(fs.iter().map(Some)),
            _ => fields.push(None),
        }
    }
    fields.into_iter().zip(roles)
}

/// The arguments a command gets: every passed field, and each `+` that grants nothing.
pub fn argv(items: &[Item], roles: &[Role]) -> Vec<String> {
    fields_with_roles(items, roles)
        .filter_map(|(field, role)| match (field, role) {
            (_, Role::Plus) => Some("+".to_string()),
            (Some(f), Role::Command | Role::Plain | Role::Grant { .. }) => Some(f.text.clone()),
            _ => None,
        })
        .collect()
}

/// Split `items` (the command name first) into arguments and grants; `cwd` is where
/// relative names are looked up, `scratch` says whether an absolute path is the
/// shell's own scratch (`crate::scratch`).
pub fn collect(
    items: &[Item],
    cwd: &Path,
    scratch: &dyn Fn(&Path) -> bool,
) -> Result<Collected, GrantError> {
    let host = Lookup {
        exists: &exists_in(cwd),
        scratch,
        cwd,
    };
    let roles = roles(items, &host)?;
    let mut out = Collected {
        argv: argv(items, &roles),
        ..Collected::default()
    };
    for (field, role) in fields_with_roles(items, &roles) {
        let write = matches!(
            role,
            Role::Grant { write: true, .. } | Role::Hidden { write: true, .. }
        );
        if let Some(f) = field.filter(|f| write && f.unmatched) {
            out.unmatched_writes.push(f.text.clone());
        }
    }
    for role in &roles {
        if let Role::Grant { path, write: true } = role {
            out.passed_writes.push(path.clone());
        }
        match role {
            Role::Grant { path, write } | Role::Hidden { path, write } => {
                out.grants.push(Request {
                    path: path.clone(),
                    write: *write,
                })
            }
            Role::Capability(Capability::Net(net)) => out
                .net
                .add(net.clone())
                .map_err(|e| GrantError::BadNet(e.to_string()))?,
            Role::Capability(Capability::Limit(t)) => {
                out.limits.add_capability(t).map_err(GrantError::BadLimit)?
            }
            Role::Capability(Capability::Processes) => out.processes = true,
            _ => {}
        }
    }
    Ok(out)
}

/// The arguments of a command line that grants nothing (a builtin, a function, `!!`):
/// the same words a jailed command would get.
pub fn plain_argv(items: &[Item], cwd: &Path) -> Vec<String> {
    // Without a marker every field is an argument, whether or not it names a file: no
    // file is looked at (a builtin in a loop would `stat` each of its words).
    if items.iter().all(|i| matches!(i, Item::Word(_))) {
        return every_field(items);
    }
    match roles(items, &Lookup::plain(&exists_in(cwd))) {
        Ok(roles) => argv(items, &roles),
        // Malformed grant syntax means nothing to a builtin: every field, and `+`.
        Err(_) => every_field(items),
    }
}

/// Every field of `items`, and `+` for each `+`.
fn every_field(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .flat_map(|i| match i {
            Item::Word(fs) => fs.iter().map(|f| f.text.clone()).collect(),
            Item::Hidden => vec!["+".to_string()],
            _ => Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules without any scratch.
    fn collect(items: &[Item], cwd: &Path) -> Result<Collected, GrantError> {
        super::collect(items, cwd, &|_| false)
    }

    #[test]
    fn the_shells_own_scratch_is_granted_to_write() {
        let d = setup();
        let cwd = d.path();
        std::fs::create_dir(cwd.join("tmp.x")).unwrap();
        let scratch = |p: &Path| p.starts_with(cwd.join("tmp.x"));
        let items = [
            f("rm"),
            f("-rf"),
            f("tmp.x"),
            f("tmp.x/new"),
            q("tmp.x/quoted"),
            f("notes.txt"),
            f("--output=tmp.x/out"),
            Item::Hidden,
            f("tmp.x/hidden"),
        ];
        let c = super::collect(&items, cwd, &scratch).unwrap();
        assert_eq!(
            c.argv,
            [
                "rm",
                "-rf",
                "tmp.x",
                "tmp.x/new",
                "tmp.x/quoted",
                "notes.txt",
                "--output=tmp.x/out"
            ]
        );
        assert_eq!(
            c.grants,
            [
                req("tmp.x", true),
                req("tmp.x/new", true),
                req("notes.txt", false),
                req("tmp.x/out", true),
                req("tmp.x/hidden", true),
            ],
            "a single-quoted word never grants; others grant only to read"
        );
    }

    fn f(s: &str) -> Item {
        Item::Word(vec![Field {
            text: s.into(),
            literal: false,
            unmatched: false,
        }])
    }

    fn q(s: &str) -> Item {
        Item::Word(vec![Field {
            text: s.into(),
            literal: true,
            unmatched: false,
        }])
    }

    fn fields(list: &[&str]) -> Item {
        Item::Word(
            list.iter()
                .map(|s| Field {
                    text: s.to_string(),
                    literal: false,
                    unmatched: false,
                })
                .collect(),
        )
    }

    fn req(p: &str, write: bool) -> Request {
        Request {
            path: p.into(),
            write,
        }
    }

    fn setup() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "notes.txt",
            "data.csv",
            "foo.c",
            "hello.c",
            "src/main.c",
            "docs/a",
            "my file.txt",
            "a.o",
            "b.o",
        ] {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        dir
    }

    #[test]
    fn after_a_double_dash_a_word_beginning_with_a_dash_is_an_operand() {
        let d = setup();
        std::fs::write(d.path().join("-dash.txt"), "").unwrap();
        let cwd = d.path();
        let c = collect(&[f("cat"), f("--"), f("-dash.txt")], cwd).unwrap();
        assert_eq!(c.grants, [req("-dash.txt", false)]);
        // Quoted, `--` is the same to the program; before it, an option (never a grant).
        let quoted = Item::Word(vec![Field {
            text: "--".into(),
            literal: true,
            unmatched: false,
        }]);
        let c = collect(&[f("cat"), quoted, f("-dash.txt")], cwd).unwrap();
        assert_eq!(c.grants, [req("-dash.txt", false)]);
        let c = collect(&[f("cat"), f("-dash.txt")], cwd).unwrap();
        assert!(c.grants.is_empty());
        // Written or hidden too.
        let c = collect(&[f("rm"), f("--"), Item::Write, f("-dash.txt")], cwd).unwrap();
        assert_eq!(c.grants, [req("-dash.txt", true)]);
        // Not after `+`: a planted `-2` would turn `expr -- 5 + -2` into `expr -- 5`.
        let c = collect(&[f("expr"), f("--"), Item::Hidden, f("-dash.txt")], cwd).unwrap();
        assert_eq!(c.argv, ["expr", "--", "+", "-dash.txt"]);
    }

    #[test]
    fn design_examples() {
        let d = setup();
        let cwd = d.path();
        // cat notes.txt
        let c = collect(&[f("cat"), f("notes.txt")], cwd).unwrap();
        assert_eq!(c.argv, ["cat", "notes.txt"]);
        assert_eq!(c.grants, [req("notes.txt", false)]);
        // sort data.csv -o => sorted.csv
        let c = collect(
            &[
                f("sort"),
                f("data.csv"),
                f("-o"),
                Item::Write,
                f("sorted.csv"),
            ],
            cwd,
        )
        .unwrap();
        assert_eq!(c.argv, ["sort", "data.csv", "-o", "sorted.csv"]);
        assert_eq!(c.grants, [req("data.csv", false), req("sorted.csv", true)]);
        // gcc -c foo.c -o => foo.o + .
        let items = [
            f("gcc"),
            f("-c"),
            f("foo.c"),
            f("-o"),
            Item::Write,
            f("foo.o"),
            Item::Hidden,
            f("."),
        ];
        let c = collect(&items, cwd).unwrap();
        assert_eq!(c.argv, ["gcc", "-c", "foo.c", "-o", "foo.o"]);
        assert_eq!(
            c.grants,
            [req("foo.c", false), req("foo.o", true), req(".", false)]
        );
        // make + => .
        let c = collect(&[f("make"), Item::Hidden, Item::Write, f(".")], cwd).unwrap();
        assert_eq!(c.argv, ["make"]);
        assert_eq!(c.grants, [req(".", true)]);
        // tar -czf => backup.tgz docs: => marks the one word after it
        let items = [f("tar"), f("-czf"), Item::Write, f("backup.tgz"), f("docs")];
        let c = collect(&items, cwd).unwrap();
        assert_eq!(c.argv, ["tar", "-czf", "backup.tgz", "docs"]);
        assert_eq!(c.grants, [req("backup.tgz", true), req("docs", false)]);
        // mv => a.o => b.o
        let items = [f("mv"), Item::Write, f("a.o"), Item::Write, f("b.o")];
        let c = collect(&items, cwd).unwrap();
        assert_eq!(c.argv, ["mv", "a.o", "b.o"]);
        assert_eq!(c.grants, [req("a.o", true), req("b.o", true)]);
        // curl https://example.org + @net
        let c = collect(
            &[f("curl"), f("https://example.org"), Item::Hidden, f("@net")],
            cwd,
        )
        .unwrap();
        assert!(c.net == Network::Host && c.grants.is_empty());
        assert_eq!(c.argv, ["curl", "https://example.org"]);
    }

    #[test]
    fn write_marks_one_word_and_every_field_of_it() {
        let d = setup();
        // gcc -o => hello2 hello.c: hello.c stays read-only.
        let c = collect(
            &[f("gcc"), f("-o"), Item::Write, f("hello2"), f("hello.c")],
            d.path(),
        )
        .unwrap();
        assert_eq!(c.grants, [req("hello2", true), req("hello.c", false)]);
        // rm => *.o, expanded to two fields.
        let c = collect(&[f("rm"), Item::Write, fields(&["a.o", "b.o"])], d.path()).unwrap();
        assert_eq!(c.argv, ["rm", "a.o", "b.o"]);
        assert_eq!(c.grants, [req("a.o", true), req("b.o", true)]);
        // curl -o => page.txt URL + @net
        let c = collect(
            &[
                f("curl"),
                f("-o"),
                Item::Write,
                f("page.txt"),
                f("https://x.org/p"),
                Item::Hidden,
                f("@net"),
            ],
            d.path(),
        )
        .unwrap();
        assert_eq!(c.grants, [req("page.txt", true)]);
        assert_eq!(c.argv, ["curl", "-o", "page.txt", "https://x.org/p"]);
    }

    #[test]
    fn quoting_rules() {
        let d = setup();
        let cwd = d.path();
        // Single quotes never grant; double quotes and escapes do (the expander marks
        // only single-quoted words literal).
        let c = collect(&[f("grep"), q("notes.txt"), f("notes.txt")], cwd).unwrap();
        assert_eq!(c.grants, [req("notes.txt", false)]);
        let c = collect(&[f("cat"), f("my file.txt")], cwd).unwrap();
        assert_eq!(c.grants, [req("my file.txt", false)]);
        // --opt=PATH grants PATH, the word is passed whole; -x never grants.
        let c = collect(&[f("tool"), f("--input=data.csv"), f("-notes.txt")], cwd).unwrap();
        assert_eq!(c.argv, ["tool", "--input=data.csv", "-notes.txt"]);
        assert_eq!(c.grants, [req("data.csv", false)]);
        let c = collect(&[f("tool"), f("--input=missing"), f("--flag")], cwd).unwrap();
        assert!(c.grants.is_empty());
        // => --out=FILE
        let c = collect(&[f("tool"), Item::Write, f("--out=new.txt")], cwd).unwrap();
        assert_eq!(c.grants, [req("new.txt", true)]);
        assert_eq!(c.argv, ["tool", "--out=new.txt"]);
    }

    #[test]
    fn a_filters_program_is_not_a_path() {
        let d = setup();
        let cwd = d.path();
        // (`notes.txt` is there, and so is `.`.)
        let c = collect(&[f("jq"), f("."), f("notes.txt")], cwd).unwrap();
        assert_eq!(c.grants, [req("notes.txt", false)]);
        assert_eq!(c.argv, ["jq", ".", "notes.txt"]);
        let c = collect(&[f("/usr/bin/grep"), f("-i"), f("."), f("notes.txt")], cwd).unwrap();
        assert_eq!(c.grants, [req("notes.txt", false)]);
        // The pattern given by an option: the operands are paths.
        let c = collect(&[f("grep"), f("-e"), f("x"), f(".")], cwd).unwrap();
        assert_eq!(c.grants, [req(".", false)]);
        let c = collect(&[f("grep"), f("x"), f(".")], cwd).unwrap();
        assert_eq!(c.grants, [req(".", false)]);
        // Another program's `.` is the directory; a filter's `+ .` too.
        let c = collect(&[f("ls"), f(".")], cwd).unwrap();
        assert_eq!(c.grants, [req(".", false)]);
        let c = collect(&[f("jq"), f("."), Item::Hidden, f(".")], cwd).unwrap();
        assert_eq!(c.grants, [req(".", false)]);
    }

    #[test]
    fn plus_is_literal_when_it_grants_nothing() {
        let d = setup();
        let cwd = d.path();
        let items = [
            f("find"),
            f("."),
            f("-exec"),
            f("grep"),
            f("x"),
            f("{}"),
            Item::Hidden,
        ];
        let c = collect(&items, cwd).unwrap();
        assert_eq!(c.argv, ["find", ".", "-exec", "grep", "x", "{}", "+"]);
        let c = collect(&[f("expr"), f("1"), Item::Hidden, f("2")], cwd).unwrap();
        assert_eq!(c.argv, ["expr", "1", "+", "2"]);
        assert!(c.grants.is_empty());
        // ... but `+` before an existing name, `=>` or `@net` grants.
        let c = collect(&[f("x"), Item::Hidden, f("docs"), f("src")], cwd).unwrap();
        assert_eq!(c.argv, ["x"]);
        assert_eq!(c.grants, [req("docs", false), req("src", false)]);
        // Inside a + scope a missing name is an error.
        assert_eq!(
            collect(&[f("x"), Item::Hidden, f("docs"), f("missing")], cwd),
            Err(GrantError::HiddenMissing("missing".into()))
        );
    }

    #[test]
    fn a_builtin_gets_the_words_a_jailed_command_would() {
        let d = setup();
        let cwd = d.path();
        let lines: [&[Item]; 5] = [
            &[f("echo"), f("docs"), f("-x"), f("missing")],
            &[f("echo"), Item::Hidden, f("docs"), f("src")],
            &[f("expr"), f("1"), Item::Hidden, f("2")],
            &[f("echo"), Item::Write, f("out"), f("docs")],
            // Malformed: every field and `+`.
            &[f("echo"), Item::Hidden, f("docs"), f("missing")],
        ];
        let got: Vec<_> = lines.iter().map(|l| plain_argv(l, cwd)).collect();
        assert_eq!(got[0], ["echo", "docs", "-x", "missing"]);
        assert_eq!(got[1], ["echo"]);
        assert_eq!(got[2], ["expr", "1", "+", "2"]);
        assert_eq!(got[3], ["echo", "out", "docs"]);
        assert_eq!(got[4], ["echo", "+", "docs", "missing"]);
        for line in &lines[..4] {
            assert_eq!(plain_argv(line, cwd), collect(line, cwd).unwrap().argv);
        }
    }

    #[test]
    fn braces_limit_plus() {
        let d = setup();
        let items = [
            f("tar"),
            f("-czf"),
            Item::Open,
            Item::Hidden,
            f("src"),
            Item::Close,
            f("docs"),
        ];
        let c = collect(&items, d.path()).unwrap();
        assert_eq!(c.argv, ["tar", "-czf", "docs"]);
        assert_eq!(c.grants, [req("src", false), req("docs", false)]);
    }

    #[test]
    fn words_that_are_never_grants() {
        let d = setup();
        let c = collect(&[f("ls"), f("-la"), f("nothing-here"), f("/")], d.path()).unwrap();
        assert_eq!(c.argv, ["ls", "-la", "nothing-here", "/"]);
        assert!(c.grants.is_empty());
    }

    #[test]
    fn errors() {
        let d = setup();
        let cwd = d.path();
        assert_eq!(
            collect(&[f("x"), Item::Close], cwd),
            Err(GrantError::UnmatchedClose)
        );
        assert_eq!(
            collect(&[f("x"), Item::Open], cwd),
            Err(GrantError::UnmatchedOpen)
        );
        assert_eq!(
            collect(&[f("x"), Item::Write], cwd),
            Err(GrantError::WriteWithoutWord)
        );
        assert_eq!(
            collect(&[f("x"), Item::Write, f("-o"), f("out")], cwd),
            Err(GrantError::WriteOption("-o".into()))
        );
        assert_eq!(
            collect(
                &[
                    f("x"),
                    Item::Hidden,
                    f("@net:connect=443"),
                    f("@net:bind=80")
                ],
                cwd
            )
            .unwrap()
            .net,
            Network::Ports {
                connect: vec![443],
                bind: vec![80]
            }
        );
        assert!(matches!(
            collect(&[f("x"), Item::Hidden, f("@net:connect=https")], cwd),
            Err(GrantError::BadNet(_))
        ));
        assert!(matches!(
            collect(&[f("x"), Item::Hidden, f("@gpu")], cwd),
            Err(GrantError::UnknownCapability(_))
        ));
        let c = collect(
            &[f("make"), Item::Hidden, f("@mem:4G"), f("@procs:2000")],
            cwd,
        )
        .unwrap();
        assert_eq!(c.argv, ["make"]);
        assert_eq!(
            c.limits.max(pola_fileserver::limits::Kind::Mem),
            Some(4 << 30)
        );
        assert_eq!(
            collect(&[f("x"), Item::Hidden, f("@mem:lots")], cwd)
                .unwrap_err()
                .to_string(),
            "@mem:lots: expected a size like 512M, 2G, or 25% (of the RAM), or 'unlimited'"
        );
    }

    #[test]
    fn hosts_by_name() {
        let d = setup();
        let cwd = d.path();
        let items = [
            f("pip"),
            f("download"),
            f("x"),
            Item::Hidden,
            f("@net:pypi.org"),
            f("@net:files.pythonhosted.org:443"),
        ];
        let c = collect(&items, cwd).unwrap();
        assert_eq!(c.argv, ["pip", "download", "x"]);
        let hosts: Vec<String> = c.net.hosts().iter().map(|h| h.to_string()).collect();
        assert_eq!(hosts, ["files.pythonhosted.org:443", "pypi.org:80,443"]);
        // What is highlighted as granted is what is granted.
        let roles = roles(&items, &Lookup::plain(&exists_in(cwd))).unwrap();
        assert!(matches!(
            roles[4],
            Role::Capability(Capability::Net(Network::Hosts(_)))
        ));
        assert!(matches!(
            collect(&[f("x"), Item::Hidden, f("@net:not a host")], cwd),
            Err(GrantError::BadNet(m)) if m.starts_with("@net:not a host: not a host")
        ));
        // Hosts need the private network namespace; ports short of theirs share the host's.
        assert!(matches!(
            collect(
                &[f("x"), Item::Hidden, f("@net:pypi.org"), f("@net:connect=443")],
                cwd
            ),
            Err(GrantError::BadNet(m)) if m.contains("cannot be combined")
        ));
        // A single-quoted word is never a capability.
        let c = collect(&[f("echo"), Item::Hidden, q("@net:pypi.org")], cwd);
        assert!(c.is_err() || c.unwrap().net == Network::Private);
    }
}
