//! Collecting grants from a command line (DESIGN.md, "Grant rules").
//!
//! - An unquoted argument naming an existing path is granted read-only; one naming
//!   nothing is a plain string; a quoted word is always a plain string; words starting
//!   with `-` are never grants.
//! - `=>` makes the following words write grants (a missing name may be created),
//!   until `+`, `}` or the end of the command.
//! - `+` makes the following words grants that are not passed as arguments.
//! - `{ ... }` limits the scope of `=>` and `+`.
//! - After `+`, `@net` is the network capability; `@net:connect=443,80` and
//!   `@net:bind=8080` give it for TCP to and on those ports only. `@mem:4G`,
//!   `@procs:2000`, `@cpu:200` and `@tmp:2G` set the command's resource limits.

use std::path::{Path, PathBuf};

use thiserror::Error;

use pola_fileserver::limits::{self, LimitError, Limits};
use pola_fileserver::network::Network;

use crate::expand::Field;
use crate::jail::Request;

/// An expanded argument: a field, or a grant marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Field(Field),
    Write,
    Hidden,
    Open,
    Close,
}

/// What a command line grants and passes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    pub argv: Vec<String>,
    pub grants: Vec<Request>,
    pub net: Network,
    pub limits: Limits,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum GrantError {
    #[error("'}}' without a matching '{{'")]
    UnmatchedClose,
    #[error("'{{' without a matching '}}'")]
    UnmatchedOpen,
    #[error("no such file to grant after '+': {0}")]
    HiddenMissing(String),
    #[error("{0} after '+' is not a path")]
    HiddenOption(String),
    #[error("{0}")]
    BadNet(String),
    #[error("unknown capability {0} (known: @net, @procs, @mem, @cpu, @tmp)")]
    UnknownCapability(String),
    #[error("@{0}")]
    BadLimit(LimitError),
}

#[derive(Clone, Copy, Default)]
struct Mode {
    write: bool,
    hidden: bool,
}

/// Split `items` (the command name first) into arguments and grants; `cwd` is where
/// relative names are looked up.
pub fn collect(items: &[Item], cwd: &Path) -> Result<Collected, GrantError> {
    let mut out = Collected::default();
    let mut mode = Mode::default();
    let mut scopes = Vec::new();
    let mut first = true;
    for item in items {
        let field = match item {
            Item::Write => {
                mode.write = true;
                continue;
            }
            Item::Hidden => {
                mode = Mode {
                    write: false,
                    hidden: true,
                };
                continue;
            }
            Item::Open => {
                scopes.push(mode);
                continue;
            }
            Item::Close => {
                mode = scopes.pop().ok_or(GrantError::UnmatchedClose)?;
                continue;
            }
            Item::Field(f) => f,
        };
        if std::mem::take(&mut first) {
            out.argv.push(field.text.clone());
            continue;
        }
        if !mode.hidden {
            out.argv.push(field.text.clone());
        }
        if field.quoted {
            continue;
        }
        let text = &field.text;
        if text.starts_with('-') {
            if mode.hidden {
                return Err(GrantError::HiddenOption(text.clone()));
            }
            continue;
        }
        if mode.hidden && text.starts_with('@') {
            match text.as_str() {
                "@net" => out.net.add(Network::Host),
                t if t.starts_with("@net:") => out.net.add(
                    Network::parse_ports(&t["@net:".len()..])
                        .map_err(|e| GrantError::BadNet(format!("@net:{e}")))?,
                ),
                t if limits::is_capability(t) => {
                    out.limits.add_capability(t).map_err(GrantError::BadLimit)?
                }
                t => return Err(GrantError::UnknownCapability(t.to_string())),
            }
            continue;
        }
        if text.is_empty() {
            continue;
        }
        let path = PathBuf::from(text);
        let exists = cwd.join(&path).symlink_metadata().is_ok();
        // `/` is always there: the jail's own root, not a grant of the host's.
        if Path::new(text)
            .components()
            .all(|c| c == std::path::Component::RootDir)
        {
            continue;
        }
        if mode.write {
            out.grants.push(Request { path, write: true });
        } else if exists {
            out.grants.push(Request { path, write: false });
        } else if mode.hidden {
            return Err(GrantError::HiddenMissing(text.clone()));
        }
    }
    if !scopes.is_empty() {
        return Err(GrantError::UnmatchedOpen);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Item {
        Item::Field(Field {
            text: s.into(),
            quoted: false,
        })
    }

    fn q(s: &str) -> Item {
        Item::Field(Field {
            text: s.into(),
            quoted: true,
        })
    }

    fn req(p: &str, write: bool) -> Request {
        Request {
            path: p.into(),
            write,
        }
    }

    fn setup() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in ["notes.txt", "data.csv", "foo.c", "src/main.c", "docs/a"] {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        dir
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
        // gcc -c foo.c => -o foo.o + .
        let items = [
            f("gcc"),
            f("-c"),
            f("foo.c"),
            Item::Write,
            f("-o"),
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
        // tar -czf { => backup.tgz } docs
        let items = [
            f("tar"),
            f("-czf"),
            Item::Open,
            Item::Write,
            f("backup.tgz"),
            Item::Close,
            f("docs"),
        ];
        let c = collect(&items, cwd).unwrap();
        assert_eq!(c.argv, ["tar", "-czf", "backup.tgz", "docs"]);
        assert_eq!(c.grants, [req("backup.tgz", true), req("docs", false)]);
        // echo 'plain string' and a quoted existing path
        let c = collect(&[f("echo"), q("plain string"), q("notes.txt")], cwd).unwrap();
        assert!(c.grants.is_empty());
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
            collect(&[f("x"), Item::Hidden, f("missing")], cwd),
            Err(GrantError::HiddenMissing("missing".into()))
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
}
