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
//! env PYTHONPATH              pass this variable of the caller's environment
//! ```
//!
//! Profiles are only read from the user's configuration directory, which every jail
//! sees read-only (see `protected_dir`), never from the working directory or anywhere
//! else a jailed command could write.

use std::fs;
use std::path::{Path, PathBuf};

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1, take_while1};
use nom::character::complete::{space0, space1};
use nom::combinator::{all_consuming, opt, rest, value};
use nom::sequence::preceded;
use nom::{IResult, Parser};
use thiserror::Error;

use crate::environment::substitute;
use crate::network::Network;

/// One line of a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    ReadOnly(String),
    ReadWrite(String),
    Net(Network),
    Env(String),
}

#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{0}: {1}")]
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
}

fn word(input: &str) -> IResult<&str, Word> {
    alt((
        value(Word::Ro, tag("ro")),
        value(Word::Rw, tag("rw")),
        value(Word::Net, tag("net")),
        value(Word::Env, tag("env")),
    ))
    .parse(input)
}

fn argument(input: &str) -> IResult<&str, &str> {
    preceded(
        space1,
        take_till1(|c: char| c == ' ' || c == '\t' || c == '#'),
    )
    .parse(input)
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
    let Ok((after, w)) = word(trimmed) else {
        return Err(format!(
            "unknown rule '{first}' (expected ro, rw, net or env)"
        ));
    };
    let parsed = match w {
        Word::Ro | Word::Rw => all_consuming((argument, comment))
            .parse(after)
            .map(|(_, (path, _))| {
                let path = path.to_string();
                if matches!(w, Word::Ro) {
                    Rule::ReadOnly(path)
                } else {
                    Rule::ReadWrite(path)
                }
            })
            .map_err(|_| format!("expected '{first} PATH'")),
        Word::Env => all_consuming((env_name, comment))
            .parse(after)
            .map(|(_, (name, _))| Rule::Env(name.to_string()))
            .map_err(|_| "expected 'env NAME'".to_string()),
        Word::Net => {
            let spec = after.split('#').next().unwrap_or("").trim();
            if !after.is_empty() && !after.starts_with([' ', '\t', '#']) {
                return Err(format!(
                    "unknown rule '{first}' (expected ro, rw, net or env)"
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
        for (i, raw) in text.lines().enumerate() {
            match line(raw) {
                Ok(Some(rule)) => rules.push(rule),
                Ok(None) => {}
                Err(message) => {
                    return Err(ProfileError::Syntax {
                        file: file.display().to_string(),
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
                Rule::ReadOnly(p) => Some((PathBuf::from(substitute(p, home)), false)),
                Rule::ReadWrite(p) => Some((PathBuf::from(substitute(p, home)), true)),
                _ => None,
            })
            .collect()
    }

    /// The network the profile grants (`Private` if none).
    pub fn network(&self) -> Network {
        let mut net = Network::Private;
        for r in &self.rules {
            if let Rule::Net(n) = r {
                net.add(n.clone());
            }
        }
        net
    }

    /// The environment variables passed through.
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
/// home directory written as `~`, sorted, without duplicates.
pub fn render(accesses: &[(PathBuf, bool)], home: &Path) -> String {
    let mut lines: Vec<String> = accesses
        .iter()
        .map(|(path, write)| {
            let shown = match path.strip_prefix(home) {
                Ok(rest) if !rest.as_os_str().is_empty() => format!("~/{}", rest.display()),
                _ => path.display().to_string(),
            };
            format!("{} {shown}", if *write { "rw" } else { "ro" })
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines.into_iter().map(|l| l + "\n").collect()
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
    fn errors_name_the_file_and_line() {
        for (text, message) in [
            ("write /x\n", "unknown rule 'write'"),
            ("ro\n", "expected 'ro PATH'"),
            ("ro a b\n", "expected 'ro PATH'"),
            ("env A-B\n", "expected 'env NAME'"),
            ("net connect=http\n", "not a port restriction"),
            ("network\n", "unknown rule 'network'"),
        ] {
            let e = Profile::parse(Path::new("/p/x"), &format!("# c\n{text}")).unwrap_err();
            let shown = e.to_string();
            assert!(shown.starts_with("/p/x:2: "), "{shown}");
            assert!(shown.contains(message), "{text:?}: {shown}");
        }
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
}
