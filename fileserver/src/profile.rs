//! Profiles: what a program always gets, written down once (Systrace's policies,
//! Plash's executable objects).
//!
//! A profile is a file named after the program (`python3`, `make`) in
//! `$XDG_CONFIG_HOME/pola-sh/profiles/`, one rule per line:
//!
//! ```text
//! # comments and blank lines are ignored
//! ro ~/.config/git/config     read-only grant ($HOME and a leading ~ are substituted)
//! rw $HOME/.cache/pip         read-write grant
//! net                         the host network
//! net connect=443,80 bind=8080  the host network, TCP to and on these ports only
//! net host=pypi.org host=files.pythonhosted.org:443  these hosts only, by name (80
//!                             and 443 when no port is named), through the proxy
//! env PYTHONPATH              pass this variable of the caller's environment
//! ro "/srv/a b\n#c"            a quoted path: taken byte for byte, no substitution
//! ```
//!
//! A path is a bare word (up to a space, tab or `#`) or a double-quoted string with
//! the escapes of [`crate::text`] (`\n`, `\e`, `\xNN`, `\u{XXXX}`, `\"`, `\\`), which
//! can hold any name a file can have. [`render`] writes the lines `--learn` prints and
//! quotes every name a bare word cannot hold, so a name with a newline or an escape
//! sequence stays one line that grants that one name (SECURITY.md 31).
//!
//! Profiles are only read from the user's configuration directory, which every jail
//! sees read-only (see `protected_dir`), never from the working directory or anywhere
//! else a jailed command could write.

use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1, take_while1};
use nom::character::complete::{space0, space1};
use nom::combinator::{all_consuming, map, opt, rest, value, verify};
use nom::sequence::preceded;
use nom::{IResult, Parser};
use thiserror::Error;

use crate::environment::substitute;
use crate::network::Network;
use crate::text;

/// One line of a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    ReadOnly(PathWord),
    ReadWrite(PathWord),
    Net(Network),
    Env(String),
    /// `nearest NAME`: the nearest file NAME in the working directory or a directory
    /// above it, read-only (a tool's version file: `.python-version`).
    Nearest(String),
    /// `nearest-dir NAME`: the nearest directory (the working directory or one above
    /// it) that holds NAME, read-only (git's work tree, holding `.git`).
    NearestDir(String),
    /// `shipped off`: the profiles shipped with pola-sh do not apply to this program.
    ShippedOff,
}

/// A path as a profile line writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathWord {
    /// A bare word: a leading `~` and `$HOME` are substituted.
    Bare(String),
    /// A double-quoted string: exactly these bytes.
    Quoted(PathBuf),
}

impl From<&str> for PathWord {
    fn from(word: &str) -> PathWord {
        PathWord::Bare(word.to_string())
    }
}

impl PathWord {
    fn path(&self, home: &Path) -> PathBuf {
        match self {
            PathWord::Bare(p) => PathBuf::from(substitute(p, home)),
            PathWord::Quoted(p) => p.clone(),
        }
    }
}

#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{}: {}", text::shown(.0), .1)]
    Read(PathBuf, std::io::Error),
}

/// A parsed profile and the file it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub file: PathBuf,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Copy)]
enum Word {
    Ro,
    Rw,
    Net,
    Env,
    Nearest,
    NearestDir,
}

fn word(input: &str) -> IResult<&str, Word> {
    alt((
        value(Word::Ro, tag("ro")),
        value(Word::Rw, tag("rw")),
        value(Word::Net, tag("net")),
        value(Word::Env, tag("env")),
        value(Word::NearestDir, tag("nearest-dir")),
        value(Word::Nearest, tag("nearest")),
    ))
    .parse(input)
}

fn quoted(input: &str) -> IResult<&str, PathWord> {
    match text::unquote(input) {
        Ok((bytes, after)) => Ok((
            after,
            PathWord::Quoted(PathBuf::from(OsString::from_vec(bytes))),
        )),
        Err(_) => Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::Verify,
        ))),
    }
}

fn bare(input: &str) -> IResult<&str, PathWord> {
    map(
        verify(
            take_till1(|c: char| c == ' ' || c == '\t' || c == '#'),
            |w: &str| !w.starts_with('"'),
        ),
        PathWord::from,
    )
    .parse(input)
}

fn argument(input: &str) -> IResult<&str, PathWord> {
    preceded(space1, alt((quoted, bare))).parse(input)
}

fn comment(input: &str) -> IResult<&str, ()> {
    value((), (space0, opt(preceded(tag("#"), rest)))).parse(input)
}

fn env_name(input: &str) -> IResult<&str, &str> {
    preceded(
        space1,
        take_while1(|c: char| c == '_' || c.is_ascii_alphanumeric()),
    )
    .parse(input)
}

/// One line: `Ok(None)` for a blank line or a comment.
fn line(text: &str) -> Result<Option<Rule>, String> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let first = trimmed.split_whitespace().next().unwrap_or("");
    if first == "shipped" {
        let rest = trimmed["shipped".len()..]
            .split('#')
            .next()
            .unwrap_or("")
            .trim();
        return match rest {
            "off" => Ok(Some(Rule::ShippedOff)),
            _ => Err("expected 'shipped off'".to_string()),
        };
    }
    let Ok((after, w)) = word(trimmed) else {
        return Err(format!(
            "unknown rule '{}' (expected ro, rw, net, env, nearest, nearest-dir or shipped off)",
            text::shown(first)
        ));
    };
    let parsed = match w {
        Word::Ro | Word::Rw => all_consuming((argument, comment))
            .parse(after)
            .map(|(_, (path, _))| {
                if matches!(w, Word::Ro) {
                    Rule::ReadOnly(path)
                } else {
                    Rule::ReadWrite(path)
                }
            })
            .map_err(|_| match text::unquote(after.trim_start()) {
                Err(why) if after.trim_start().starts_with('"') => {
                    format!("expected '{first} PATH': {why}")
                }
                _ => format!("expected '{first} PATH'"),
            }),
        Word::Nearest | Word::NearestDir => all_consuming((
            preceded(
                space1,
                take_till1(|c: char| c == ' ' || c == '\t' || c == '#'),
            ),
            comment,
        ))
        .parse(after)
        .ok()
        .map(|(_, (name, _))| name)
        .filter(|name| !name.contains('/') && *name != "." && *name != "..")
        .map(|name| match w {
            Word::NearestDir => Rule::NearestDir(name.to_string()),
            _ => Rule::Nearest(name.to_string()),
        })
        .ok_or_else(|| format!("expected '{first} NAME' (a file name, no /)")),
        Word::Env => all_consuming((env_name, comment))
            .parse(after)
            .map(|(_, (name, _))| Rule::Env(name.to_string()))
            .map_err(|_| "expected 'env NAME'".to_string()),
        Word::Net => {
            let spec = after.split('#').next().unwrap_or("").trim();
            if !after.is_empty() && !after.starts_with([' ', '\t', '#']) {
                return Err(format!(
                    "unknown rule '{}' (expected ro, rw, net or env)",
                    text::shown(first)
                ));
            }
            if spec.is_empty() {
                Ok(Rule::Net(Network::Host))
            } else {
                Network::parse_ports(spec).map(Rule::Net)
            }
        }
    };
    parsed.map(Some)
}

impl Profile {
    pub fn parse(file: &Path, text: &str) -> Result<Profile, ProfileError> {
        let mut rules = Vec::new();
        // The network lines must make one network (see `Network::add`).
        let mut net = Network::Private;
        for (i, raw) in text.lines().enumerate() {
            let parsed = line(raw).and_then(|rule| match &rule {
                Some(Rule::Net(n)) => net.add(n.clone()).map(|()| rule).map_err(|e| e.to_string()),
                _ => Ok(rule),
            });
            match parsed {
                Ok(Some(rule)) => rules.push(rule),
                Ok(None) => {}
                Err(message) => {
                    return Err(ProfileError::Syntax {
                        file: text::escape(file.as_os_str().as_bytes()),
                        line: i + 1,
                        message,
                    })
                }
            }
        }
        Ok(Profile {
            file: file.to_path_buf(),
            rules,
        })
    }

    /// The profile for `program` (by its file name) in `config_dir`, if there is one.
    pub fn find(
        config_dir: Option<&Path>,
        program: &Path,
    ) -> Result<Option<Profile>, ProfileError> {
        let (Some(dir), Some(name)) = (config_dir, program.file_name()) else {
            return Ok(None);
        };
        let file = profiles_dir(dir).join(name);
        match fs::read_to_string(&file) {
            Ok(text) => Profile::parse(&file, &text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ProfileError::Read(file, e)),
        }
    }

    /// The paths granted, with `$HOME`/`~` substituted: `(path, write)`.
    pub fn grants(&self, home: &Path) -> Vec<(PathBuf, bool)> {
        self.rules
            .iter()
            .filter_map(|r| match r {
                Rule::ReadOnly(p) => Some((p.path(home), false)),
                Rule::ReadWrite(p) => Some((p.path(home), true)),
                _ => None,
            })
            .collect()
    }

    /// The network the profile grants (`Private` if none).
    pub fn network(&self) -> Network {
        let mut net = Network::Private;
        for r in &self.rules {
            if let Rule::Net(n) = r {
                // `parse` refused a profile whose lines conflict.
                let _ = net.add(n.clone());
            }
        }
        net
    }

    /// Whether the shipped profiles apply too (no `shipped off` line).
    pub fn shipped(&self) -> bool {
        !self.rules.contains(&Rule::ShippedOff)
    }

    /// Whether this is one of pola-sh's shipped profiles.
    pub fn is_shipped(&self) -> bool {
        self.file.as_os_str().as_bytes().starts_with(b"shipped:")
    }

    /// The environment variables passed through.
    /// The names of its `nearest` rules, and whether each is `nearest-dir` (the
    /// directory holding the name is what is granted).
    pub fn nearest(&self) -> Vec<(String, bool)> {
        self.rules
            .iter()
            .filter_map(|r| match r {
                Rule::Nearest(name) => Some((name.clone(), false)),
                Rule::NearestDir(name) => Some((name.clone(), true)),
                _ => None,
            })
            .collect()
    }

    pub fn env(&self) -> Vec<String> {
        self.rules
            .iter()
            .filter_map(|r| match r {
                Rule::Env(name) => Some(name.clone()),
                _ => None,
            })
            .collect()
    }
}

/// `CONFIG/pola-sh`: the default environment and the profiles. Jails see it read-only
/// even inside a writable grant, so no command can write its own (or another's) profile.
pub fn protected_dir(config_dir: &Path) -> PathBuf {
    config_dir.join("pola-sh")
}

pub fn profiles_dir(config_dir: &Path) -> PathBuf {
    protected_dir(config_dir).join("profiles")
}

/// Profile lines for accesses a command was denied: `ro PATH` or `rw PATH`, with the
/// home directory written as `~`, sorted, without duplicates. A name a bare word
/// cannot hold is quoted: each access is one line that [`Profile::parse`] reads back
/// as exactly that path, whatever bytes the name holds.
pub fn render(accesses: &[(PathBuf, bool)], home: &Path) -> String {
    let mut lines: Vec<String> = accesses
        .iter()
        .map(|(path, write)| {
            format!(
                "{} {}",
                if *write { "rw" } else { "ro" },
                written(path, home)
            )
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines.into_iter().map(|l| l + "\n").collect()
}

/// `path` as a profile line's word: `~/rest` or the path as a bare word when the
/// parser reads that back as this path, else quoted.
fn written(path: &Path, home: &Path) -> String {
    // Shown as it is by `text`, and nothing the parser or `substitute` would act on.
    let bare = |word: &[u8]| {
        text::is_plain(word)
            && !word.is_empty()
            && !word.starts_with(b"~")
            && !word.iter().any(|b| b" \t#\"$".contains(b))
    };
    let home_text = home.to_str().filter(|h| !h.contains('$'));
    if let (Ok(rest), Some(_)) = (path.strip_prefix(home), home_text) {
        let rest = rest.as_os_str().as_bytes();
        if bare(rest) {
            return format!("~/{}", String::from_utf8_lossy(rest));
        }
    }
    let bytes = path.as_os_str().as_bytes();
    if bare(bytes) {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        text::quote(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_rule() {
        let text = "# python\n\nro ~/.config/git/config\nrw $HOME/.cache  # cache\nnet connect=443,80\nnet\nenv PYTHONPATH\n";
        let p = Profile::parse(Path::new("/p/python3"), text).unwrap();
        assert_eq!(
            p.rules,
            vec![
                Rule::ReadOnly("~/.config/git/config".into()),
                Rule::ReadWrite("$HOME/.cache".into()),
                Rule::Net(Network::Ports {
                    connect: vec![80, 443],
                    bind: vec![]
                }),
                Rule::Net(Network::Host),
                Rule::Env("PYTHONPATH".into()),
            ]
        );
        let home = Path::new("/home/u");
        assert_eq!(
            p.grants(home),
            vec![
                (PathBuf::from("/home/u/.config/git/config"), false),
                (PathBuf::from("/home/u/.cache"), true)
            ]
        );
        assert_eq!(p.network(), Network::Host);
        assert_eq!(p.env(), vec!["PYTHONPATH".to_string()]);
    }

    #[test]
    fn nearest_names_a_version_file() {
        let p = Profile::parse(Path::new("/p/x"), "nearest .python-version # pyenv\n").unwrap();
        assert_eq!(p.nearest(), [(".python-version".to_string(), false)]);
        let p = Profile::parse(Path::new("/p/x"), "nearest-dir .git\n").unwrap();
        assert_eq!(p.nearest(), [(".git".to_string(), true)]);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        for (text, message) in [
            ("write /x\n", "unknown rule 'write'"),
            ("ro\n", "expected 'ro PATH'"),
            ("ro a b\n", "expected 'ro PATH'"),
            ("env A-B\n", "expected 'env NAME'"),
            ("net connect=http\n", "not a port restriction"),
            ("net host=a b\n", "not a port restriction"),
            ("net host=x.org:http\n", "x.org:http: not a host"),
            ("network\n", "unknown rule 'network'"),
            ("nearest a/b\n", "expected 'nearest NAME'"),
            ("nearest ..\n", "expected 'nearest NAME'"),
            ("nearest\n", "expected 'nearest NAME'"),
        ] {
            let e = Profile::parse(Path::new("/p/x"), &format!("# c\n{text}")).unwrap_err();
            let shown = e.to_string();
            assert!(shown.starts_with("/p/x:2: "), "{shown}");
            assert!(shown.contains(message), "{text:?}: {shown}");
        }
        // Lines that make no one network: the line that conflicts is named.
        let e = Profile::parse(Path::new("/p/x"), "net connect=443\nnet host=x.org\n").unwrap_err();
        assert!(e.to_string().starts_with("/p/x:2: "), "{e}");
        assert!(e.to_string().contains("cannot be combined"), "{e}");
    }

    #[test]
    fn hosts_by_name() {
        let p = Profile::parse(
            Path::new("/p/pip"),
            "net host=pypi.org\nnet host=files.pythonhosted.org:443 # downloads\n",
        )
        .unwrap();
        let hosts: Vec<String> = p.network().hosts().iter().map(|h| h.to_string()).collect();
        assert_eq!(hosts, ["files.pythonhosted.org:443", "pypi.org:80,443"]);
    }

    #[test]
    fn renders_learned_accesses_as_rules() {
        let home = Path::new("/home/u");
        let out = render(
            &[
                (PathBuf::from("/home/u/notes.txt"), false),
                (PathBuf::from("/etc/x"), false),
                (PathBuf::from("/home/u/notes.txt"), false),
                (PathBuf::from("/home/u/out"), true),
            ],
            home,
        );
        assert_eq!(out, "ro /etc/x\nro ~/notes.txt\nrw ~/out\n");
        let back = Profile::parse(Path::new("/p"), &out).unwrap();
        assert_eq!(
            back.grants(home)[1],
            (PathBuf::from("/home/u/notes.txt"), false)
        );
    }

    #[test]
    fn quoted_paths_are_literal() {
        let text = "ro \"/srv/a b#c\\n\"  # a comment\nrw \"$HOME/x\\xff\\u{2215}\"\nro \"~\"\n";
        let p = Profile::parse(Path::new("/p/x"), text).unwrap();
        let home = Path::new("/home/u");
        assert_eq!(
            p.grants(home),
            vec![
                (PathBuf::from("/srv/a b#c\n"), false),
                (
                    PathBuf::from(OsString::from_vec(b"$HOME/x\xff\xe2\x88\x95".to_vec())),
                    true
                ),
                (PathBuf::from("~"), false),
            ]
        );
        for (line, message) in [
            ("ro \"open\n", "missing closing"),
            ("ro \"a\\q\"\n", "bad escape"),
            ("ro \"a\"b\n", "expected 'ro PATH'"),
        ] {
            let e = Profile::parse(Path::new("/p/x"), line).unwrap_err();
            assert!(e.to_string().contains(message), "{line:?}: {e}");
        }
    }

    #[test]
    fn names_a_bare_word_cannot_hold_are_quoted() {
        let home = Path::new("/home/u");
        // The attack: a name that, written raw, adds the line `rw ~` and hides it.
        let name = "/home/u/d/x\nrw ~ #\r\x1b[2K";
        let raw = format!("ro {name}\n");
        let naive = Profile::parse(Path::new("/p"), &raw).unwrap();
        assert!(naive
            .grants(home)
            .contains(&(PathBuf::from("/home/u"), true)));

        let out = render(&[(PathBuf::from(name), false)], home);
        assert_eq!(out, "ro \"/home/u/d/x\\nrw ~ #\\r\\e[2K\"\n");
        let back = Profile::parse(Path::new("/p"), &out).unwrap();
        assert_eq!(back.grants(home), vec![(PathBuf::from(name), false)]);

        for (path, line) in [
            ("/home/u/café/日本.txt", "ro ~/café/日本.txt\n"),
            ("/srv/a b", "ro \"/srv/a b\"\n"),
            ("/home/u/$HOME", "ro \"/home/u/$HOME\"\n"),
            ("/home/u/#x", "ro \"/home/u/#x\"\n"),
            ("/home/u/∕etc", "ro \"/home/u/\\u{2215}etc\"\n"),
            ("/home/u", "ro /home/u\n"),
        ] {
            assert_eq!(render(&[(PathBuf::from(path), false)], home), line);
        }
    }

    proptest::proptest! {
        /// Any path a jail can name, under the home directory or not, renders as one
        /// line that parses back to exactly that path.
        #[test]
        fn render_then_parse_round_trips_any_path(
            name in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..40),
            under_home: bool,
            write: bool,
        ) {
            let home = Path::new("/home/u");
            let mut bytes = if under_home { b"/home/u/".to_vec() } else { b"/".to_vec() };
            bytes.extend(name.iter().filter(|b| **b != 0));
            let path = PathBuf::from(OsString::from_vec(bytes));
            let out = render(&[(path.clone(), write)], home);
            proptest::prop_assert_eq!(out.matches('\n').count(), 1, "{:?}", out);
            proptest::prop_assert!(!out.bytes().any(|b| b < 0x20 && b != b'\n'), "{:?}", out);
            let back = Profile::parse(Path::new("/p"), &out).unwrap();
            proptest::prop_assert_eq!(back.grants(home), vec![(path, write)]);
        }
    }
}
