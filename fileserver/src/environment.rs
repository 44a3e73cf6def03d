//! The default environment every jailed command gets, as data.
//!
//! One line per entry: `ro PATH` (read-only grant), `rw PATH` (read-write grant),
//! `tmpfs PATH` (private, empty, writable), or `limit KIND VALUE` (a resource limit
//! for every command, see `limits`). `$HOME` and a leading `~` are substituted,
//! globs are expanded, and entries that do not exist on this host are skipped. The
//! built-in default below can be replaced by `$XDG_CONFIG_HOME/pola-sh/environment`.
//!
//! A host path that is itself a symlink (`/bin -> usr/bin`, `/etc/localtime`) is copied
//! as a symlink, so the jail keeps the host's layout without granting anything twice.
//! `/etc/passwd` and `/etc/group` are generated with root, the user and nobody only, so
//! the host's list of accounts stays invisible; `/proc` is the jail's own and `/dev` is
//! a minimal set of devices with a private devpts.

use std::fs;
use std::path::{Path, PathBuf};

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{space0, space1};
use nom::combinator::{all_consuming, opt, rest, value};
use nom::sequence::preceded;
use nom::{IResult, Parser};
use thiserror::Error;

use crate::limits::{self, Limits};
use crate::namespace::{Entry, Grant, Namespace, NamespaceError, Origin, Rights};

/// The built-in default environment, in the same format as the user's file.
pub const DEFAULT: &str = "\
# pola-sh default environment: what every jailed command sees besides its grants.
# System programs and libraries, read-only.
ro /usr
ro /bin
ro /sbin
ro /lib
ro /lib32
ro /lib64
ro /libx32
# What the dynamic loader, libc and ordinary Debian programs read in /etc.
ro /etc/ld.so.cache
ro /etc/ld.so.conf
ro /etc/ld.so.conf.d
ro /etc/nsswitch.conf
ro /etc/localtime
ro /etc/timezone
ro /etc/alternatives
ro /etc/os-release
ro /etc/debian_version
ro /etc/locale.alias
ro /etc/default/locale
ro /etc/mime.types
ro /etc/magic
ro /etc/magic.mime
ro /etc/terminfo
ro /etc/inputrc
ro /etc/profile
ro /etc/profile.d
ro /etc/bash.bashrc
ro /etc/shells
ro /etc/python3*
ro /etc/perl
ro /etc/vim
ro /etc/gitconfig
ro /etc/xdg
# The certificates to trust (public; never /etc/ssl/private): a program that checks
# them before it connects (pip) then tries, and is told it has no network.
ro /etc/ssl/certs
ro /etc/ca-certificates
# OpenSSL's configuration (public): `openssl req` cannot start without it.
ro /etc/ssl/openssl.cnf
# Private scratch space, empty at start and discarded at exit.
tmpfs /tmp
tmpfs $HOME
# Resource limits per command: built in unless set here, e.g. `limit mem 4G`
# (procs, mem, cpu, tmp; see the README).
";

/// The device nodes of the jail's `/dev`, bound from the host.
pub const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom", "tty"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ReadOnly,
    ReadWrite,
    Tmpfs,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: Kind,
    /// As written, before `$HOME`/`~` substitution and glob expansion.
    pub path: String,
}

#[derive(Debug, Error)]
pub enum EnvironmentError {
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}:{line}: {path}: not an absolute path")]
    NotAbsolute {
        file: String,
        line: usize,
        path: String,
    },
    #[error("{file}:{line}: bad glob pattern: {message}")]
    Glob {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{}: {}", crate::text::shown(.0), .1)]
    Read(PathBuf, std::io::Error),
    #[error(transparent)]
    Namespace(#[from] NamespaceError),
}

/// The default environment: parsed lines, with where they came from for messages.
#[derive(Clone, Debug)]
pub struct Environment {
    pub source: String,
    pub lines: Vec<(usize, Line)>,
    /// Every command's resource limits: the built-in ones with the file's `limit`
    /// lines over them.
    pub limits: Limits,
}

fn kind(input: &str) -> IResult<&str, Kind> {
    alt((
        value(Kind::Tmpfs, tag("tmpfs")),
        value(Kind::ReadOnly, tag("ro")),
        value(Kind::ReadWrite, tag("rw")),
    ))
    .parse(input)
}

/// `KIND SP PATH [SP]`, or a blank line, or a comment. `Ok(None)` for nothing.
fn line(input: &str) -> IResult<&str, Option<Line>> {
    let (input, _) = space0(input)?;
    if input.is_empty() || input.starts_with('#') {
        return Ok(("", None));
    }
    let (input, kind) = kind(input)?;
    let (input, path) =
        preceded(space1, take_till1(|c: char| c == ' ' || c == '\t')).parse(input)?;
    let (input, _) = all_consuming((space0, opt(preceded(tag("#"), rest)))).parse(input)?;
    Ok((
        input,
        Some(Line {
            kind,
            path: path.to_string(),
        }),
    ))
}

impl Environment {
    pub fn parse(source: &str, text: &str) -> Result<Environment, EnvironmentError> {
        let mut lines = Vec::new();
        let mut limits = Limits::default();
        for (i, raw) in text.lines().enumerate() {
            let limit = raw.trim_start().strip_prefix("limit");
            if let Some(rest) = limit.filter(|r| r.starts_with([' ', '\t'])) {
                let (kind, value) =
                    limits::parse_line(rest).map_err(|e| EnvironmentError::Syntax {
                        file: source.into(),
                        line: i + 1,
                        message: e.to_string(),
                    })?;
                limits.set(kind, value);
                continue;
            }
            match line(raw) {
                Ok((_, Some(l))) => lines.push((i + 1, l)),
                Ok((_, None)) => {}
                Err(_) => {
                    let word = raw.split_whitespace().next().unwrap_or("");
                    let message = if word == "limit" {
                        "expected 'limit KIND VALUE'".to_string()
                    } else if !["ro", "rw", "tmpfs"].contains(&word) {
                        format!("unknown entry '{word}' (expected ro, rw, tmpfs or limit)")
                    } else {
                        format!("expected '{word} PATH'")
                    };
                    return Err(EnvironmentError::Syntax {
                        file: source.into(),
                        line: i + 1,
                        message,
                    });
                }
            }
        }
        Ok(Environment {
            source: source.into(),
            lines,
            limits: Limits::defaults().with(&limits),
        })
    }

    pub fn builtin() -> Environment {
        Environment::parse("(built-in environment)", DEFAULT)
            .expect("the built-in environment parses")
    }

    /// The user's file if there is one, else the built-in default.
    pub fn load(config_dir: Option<&Path>) -> Result<Environment, EnvironmentError> {
        if let Some(dir) = config_dir {
            let file = dir.join("pola-sh").join("environment");
            match fs::read_to_string(&file) {
                Ok(text) => return Environment::parse(&file.to_string_lossy(), &text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(EnvironmentError::Read(file, e)),
            }
        }
        Ok(Environment::builtin())
    }

    /// Add the environment to `ns`, as seen by `identity`.
    pub fn apply(&self, ns: &mut Namespace, identity: &Identity) -> Result<(), EnvironmentError> {
        self.apply_seen(ns, identity, &mut None)
    }

    /// A namespace of the environment alone (`apply` to an empty one), as seen by
    /// `identity`: the one built for an earlier command when nothing it depends on has
    /// changed. That is the lines, the identity, and the host directories its paths
    /// are in. Whether a path is there, and whether it is a link and to what, changes
    /// only with its directory's entries, and so with that directory's stamp: one
    /// `stat` for each (`/`, `/etc`, `/etc/default` by default). It replaces an `lstat`
    /// for every line, a `readlink` for every link and the tree's inserts, about a
    /// fifth of the shell's work per command. It is kept only when every stamp is
    /// settled (`DirStamp::settled`), and never with a pattern that has wildcards
    /// before its last component (its directories are not known).
    pub fn namespace(&self, identity: &Identity) -> Result<Namespace, EnvironmentError> {
        let fresh = |b: &Built| {
            b.lines == self.lines
                && b.identity == *identity
                && b.dirs.iter().all(|(d, s)| DirStamp::of(d) == Some(*s))
        };
        if let Some(b) = BUILT.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if fresh(b) {
                return Ok(b.ns.clone());
            }
        }
        let mut ns = Namespace::new();
        let mut seen = Some(Vec::new());
        self.apply_seen(&mut ns, identity, &mut seen)?;
        let dirs = seen.filter(|dirs| dirs.iter().all(|(_, s): &(PathBuf, DirStamp)| s.settled()));
        *BUILT.lock().unwrap_or_else(|e| e.into_inner()) = dirs.map(|dirs| Built {
            lines: self.lines.clone(),
            identity: identity.clone(),
            dirs,
            ns: ns.clone(),
        });
        Ok(ns)
    }

    /// `apply`, noting in `seen` the stamp of each directory it looked in (before it
    /// looked); `None` once it looked where no stamp can tell.
    fn apply_seen(
        &self,
        ns: &mut Namespace,
        identity: &Identity,
        seen: &mut Option<Vec<(PathBuf, DirStamp)>>,
    ) -> Result<(), EnvironmentError> {
        // Stamped before the look, so that a change made meanwhile shows next time.
        let mut look_in = |dir: Option<&Path>| match (dir, seen.as_mut()) {
            (Some(dir), Some(dirs)) => {
                if !dirs.iter().any(|(d, _)| d == dir) {
                    match DirStamp::of(dir) {
                        Some(stamp) => dirs.push((dir.to_path_buf(), stamp)),
                        None => *seen = None,
                    }
                }
            }
            (None, _) => *seen = None,
            (Some(_), None) => {}
        };
        for (lineno, l) in &self.lines {
            let expanded = substitute(&l.path, &identity.home);
            if !expanded.starts_with('/') {
                return Err(EnvironmentError::NotAbsolute {
                    file: self.source.clone(),
                    line: *lineno,
                    path: l.path.clone(),
                });
            }
            if l.kind == Kind::Tmpfs {
                ns.insert(Path::new(&expanded), Entry::Tmpfs)?;
                continue;
            }
            let rights = if l.kind == Kind::ReadWrite {
                Rights::ReadWrite
            } else {
                Rights::ReadOnly
            };
            // Most lines name one path: no need for glob's walk (a stat per component).
            if !expanded.contains(['*', '?', '[']) {
                let path = Path::new(&expanded);
                look_in(path.parent());
                add_host_path(ns, path, rights)?;
                continue;
            }
            look_in(pattern_dir(&expanded));
            let paths = expand(&expanded).map_err(|e| EnvironmentError::Glob {
                file: self.source.clone(),
                line: *lineno,
                message: e.to_string(),
            })?;
            for path in paths {
                add_host_path(ns, &path, rights)?;
            }
        }
        add_generated_etc(ns, identity)?;
        add_proc_and_dev(ns)?;
        Ok(())
    }
}

/// The default environment's namespace last built (`Environment::namespace`), with
/// what it was built from.
struct Built {
    lines: Vec<(usize, Line)>,
    identity: Identity,
    dirs: Vec<(PathBuf, DirStamp)>,
    ns: Namespace,
}

static BUILT: std::sync::Mutex<Option<Built>> = std::sync::Mutex::new(None);

/// The directory a pattern lists, when its wildcards are all in its last component.
fn pattern_dir(pattern: &str) -> Option<&Path> {
    Path::new(pattern).parent().filter(|d| {
        !d.as_os_str()
            .as_encoded_bytes()
            .iter()
            .any(|b| b"*?[".contains(b))
    })
}

/// Expansions of patterns ([`expand`]), with the stamp of the directory they listed.
#[allow(clippy::type_complexity)]
static KEPT: std::sync::Mutex<Option<std::collections::HashMap<String, (DirStamp, Vec<PathBuf>)>>> =
    std::sync::Mutex::new(None);

/// The paths a pattern names. A pattern whose wildcards are all in its last component
/// (`/etc/python3*`) is expanded again only when its directory has changed since:
/// listing `/etc` for it was a tenth of the shell's work per command.
fn expand(pattern: &str) -> Result<Vec<PathBuf>, glob::PatternError> {
    let stamp = pattern_dir(pattern).and_then(DirStamp::of);
    if let Some(stamp) = stamp {
        let kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((s, paths)) = kept.as_ref().and_then(|k| k.get(pattern)) {
            if *s == stamp {
                return Ok(paths.clone());
            }
        }
    }
    let paths: Vec<PathBuf> = glob::glob(pattern)?.flatten().collect();
    if let Some(stamp) = stamp.filter(DirStamp::settled) {
        KEPT.lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(Default::default)
            .insert(pattern.to_string(), (stamp, paths.clone()));
    }
    Ok(paths)
}

/// What changes when a directory's entries change: its identity and its modification
/// and change times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DirStamp {
    dev: u64,
    ino: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl DirStamp {
    fn of(dir: &Path) -> Option<DirStamp> {
        use std::os::unix::fs::MetadataExt;
        let m = fs::metadata(dir).ok()?;
        Some(DirStamp {
            dev: m.dev(),
            ino: m.ino(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        })
    }

    /// Whether the stamp is old enough to tell every later change: a file system's
    /// clock may advance only every few milliseconds, so an entry added in the same
    /// tick as the last change would leave a recent stamp as it was (git's "racy"
    /// index entries). Such a listing is not kept.
    fn settled(&self) -> bool {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        now - self.mtime.0.max(self.ctime.0) >= 2
    }
}

/// A host path of the environment: a symlink is copied as a symlink, anything else is
/// granted. Missing paths are skipped: the environment lists what Debian may have.
fn add_host_path(ns: &mut Namespace, path: &Path, rights: Rights) -> Result<(), NamespaceError> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        if let Ok(target) = fs::read_link(path) {
            ns.insert(path, Entry::Symlink(target))?;
        }
        return Ok(());
    }
    ns.insert(
        path,
        Entry::Grant(Grant {
            host: path.to_path_buf(),
            rights,
            origin: Origin::Default,
            device: false,
        }),
    )
}

pub(crate) fn substitute(path: &str, home: &Path) -> String {
    let home = home.to_string_lossy();
    let path = if path == "~" || path.starts_with("~/") {
        format!("{home}{}", &path[1..])
    } else {
        path.to_string()
    };
    path.replace("${HOME}", &home).replace("$HOME", &home)
}

/// Who the command runs as, for the generated `/etc/passwd` and `/etc/group`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub uid: u32,
    pub gid: u32,
    pub user: String,
    pub group: String,
    pub home: PathBuf,
    pub shell: String,
    pub gecos: String,
}

impl Identity {
    pub fn passwd(&self) -> String {
        let mut s = String::new();
        if self.uid != 0 {
            s.push_str("root:x:0:0:root:/root:/bin/sh\n");
        }
        if self.uid != 65534 {
            s.push_str(&format!(
                "{}:x:{}:{}:{}:{}:{}\n",
                self.user,
                self.uid,
                self.gid,
                self.gecos,
                self.home.display(),
                self.shell
            ));
        } else {
            s.push_str(&format!(
                "nobody:x:65534:65534:nobody:{}:/usr/sbin/nologin\n",
                self.home.display()
            ));
            return s;
        }
        s.push_str("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        s
    }

    pub fn group(&self) -> String {
        let mut s = String::new();
        if self.gid != 0 {
            s.push_str("root:x:0:\n");
        }
        if self.gid != 65534 {
            s.push_str(&format!("{}:x:{}:\n", self.group, self.gid));
        }
        s.push_str("nogroup:x:65534:\n");
        s
    }
}

fn add_generated_etc(ns: &mut Namespace, identity: &Identity) -> Result<(), NamespaceError> {
    ns.insert(
        Path::new("/etc/passwd"),
        Entry::Generated(identity.passwd()),
    )?;
    ns.insert(Path::new("/etc/group"), Entry::Generated(identity.group()))?;
    ns.insert(
        Path::new("/etc/hosts"),
        Entry::Generated(
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n".into(),
        ),
    )?;
    Ok(())
}

/// `/proc`, and `/dev`: a read-only directory of the skeleton holding the devices, the
/// jail's own devpts and `/dev/shm`, and links (Landlock let nothing be created there
/// even when it was a tmpfs of its own). The same for every command, so a shell's
/// zygote holds it ready (`crate::template`), with mount points for the two per-jail
/// file systems.
fn add_proc_and_dev(ns: &mut Namespace) -> Result<(), NamespaceError> {
    ns.insert(Path::new("/proc"), Entry::Proc)?;
    ns.insert(Path::new("/dev"), Entry::Dir)?;
    for dev in DEVICES {
        let path = Path::new("/dev").join(dev);
        ns.insert(
            &path,
            Entry::Grant(Grant {
                host: path.clone(),
                rights: Rights::ReadWrite,
                origin: Origin::Default,
                device: true,
            }),
        )?;
    }
    ns.insert(Path::new("/dev/pts"), Entry::Devpts)?;
    ns.insert(Path::new("/dev/shm"), Entry::Tmpfs)?;
    for (name, target) in [
        ("ptmx", "pts/ptmx"),
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        ns.insert(&Path::new("/dev").join(name), Entry::Symlink(target.into()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glob_is_listed_again_once_its_directory_changed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("py1"), "").unwrap();
        fs::write(dir.path().join("other"), "").unwrap();
        let pattern = format!("{}/py*", dir.path().display());
        // Only a settled directory's listing is kept.
        assert_eq!(expand(&pattern).unwrap(), [dir.path().join("py1")]);
        let kept = || {
            KEPT.lock()
                .unwrap()
                .as_ref()
                .is_some_and(|k| k.contains_key(&pattern))
        };
        assert!(!kept());
        std::thread::sleep(std::time::Duration::from_millis(2100));
        assert_eq!(expand(&pattern).unwrap(), [dir.path().join("py1")]);
        assert!(kept());
        assert_eq!(expand(&pattern).unwrap(), [dir.path().join("py1")]);
        fs::write(dir.path().join("py2"), "").unwrap();
        assert_eq!(
            expand(&pattern).unwrap(),
            [dir.path().join("py1"), dir.path().join("py2")]
        );
        fs::remove_file(dir.path().join("py1")).unwrap();
        assert_eq!(expand(&pattern).unwrap(), [dir.path().join("py2")]);
        // Wildcards above the last component: listed each time.
        let deep = format!("{}/*/x", dir.path().display());
        assert!(expand(&deep).unwrap().is_empty());
        assert!(expand("/[").is_err());
    }

    #[test]
    fn the_environments_namespace_is_built_again_once_a_directory_changed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        fs::write(dir.path().join("a"), "").unwrap();
        let env = Environment::parse("test", &format!("ro {d}/a\nro {d}/b\nro {d}/c*\n")).unwrap();
        let kept = || {
            BUILT
                .lock()
                .unwrap()
                .as_ref()
                .is_some_and(|b| b.lines == env.lines)
        };
        let held = |ns: &Namespace, name: &str| ns.get(&dir.path().join(name)).cloned();
        // Only what settled directories hold is kept.
        let ns = env.namespace(&me()).unwrap();
        assert!(held(&ns, "a").is_some() && held(&ns, "b").is_none());
        assert!(!kept());
        std::thread::sleep(std::time::Duration::from_millis(2100));
        assert_eq!(env.namespace(&me()).unwrap(), ns);
        assert!(kept());
        assert_eq!(env.namespace(&me()).unwrap(), ns);
        // Another user's is their own.
        let other = Identity { uid: 1001, ..me() };
        assert_ne!(env.namespace(&other).unwrap(), ns);
        // A path that appears, a file that becomes a link, a match of a pattern.
        fs::write(dir.path().join("b"), "").unwrap();
        assert!(held(&env.namespace(&me()).unwrap(), "b").is_some());
        fs::remove_file(dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink("b", dir.path().join("a")).unwrap();
        assert_eq!(
            held(&env.namespace(&me()).unwrap(), "a"),
            Some(Entry::Symlink("b".into()))
        );
        fs::write(dir.path().join("c1"), "").unwrap();
        assert!(held(&env.namespace(&me()).unwrap(), "c1").is_some());
        // The same as what `apply` makes of an empty namespace, every time.
        let mut applied = Namespace::new();
        env.apply(&mut applied, &me()).unwrap();
        assert_eq!(env.namespace(&me()).unwrap(), applied);
    }

    fn me() -> Identity {
        Identity {
            uid: 1000,
            gid: 1000,
            user: "u".into(),
            group: "u".into(),
            home: "/home/u".into(),
            shell: "/bin/bash".into(),
            gecos: "U".into(),
        }
    }

    #[test]
    fn builtin_parses_and_has_private_tmp_and_home() {
        let env = Environment::builtin();
        assert!(env
            .lines
            .iter()
            .any(|(_, l)| l.kind == Kind::Tmpfs && l.path == "/tmp"));
        assert!(env
            .lines
            .iter()
            .any(|(_, l)| l.kind == Kind::Tmpfs && l.path == "$HOME"));
        assert!(env
            .lines
            .iter()
            .any(|(_, l)| l.kind == Kind::ReadOnly && l.path == "/usr"));
    }

    #[test]
    fn parse_reports_line_and_problem() {
        let err = Environment::parse("env", "ro /usr\n\nrx /opt\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "env:3: unknown entry 'rx' (expected ro, rw, tmpfs or limit)"
        );
        let err = Environment::parse("env", "ro\n").unwrap_err();
        assert_eq!(err.to_string(), "env:1: expected 'ro PATH'");
        let err = Environment::parse("env", "ro /a /b\n").unwrap_err();
        assert_eq!(err.to_string(), "env:1: expected 'ro PATH'");
    }

    #[test]
    fn parse_accepts_comments_and_blank_lines() {
        let env =
            Environment::parse("env", "# c\n  \n tmpfs  /scratch   # note\nrw ~/x\n").unwrap();
        assert_eq!(
            env.lines,
            vec![
                (
                    3,
                    Line {
                        kind: Kind::Tmpfs,
                        path: "/scratch".into()
                    }
                ),
                (
                    4,
                    Line {
                        kind: Kind::ReadWrite,
                        path: "~/x".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn limit_lines_set_every_commands_limits() {
        use crate::limits::{Kind, Value};
        let env =
            Environment::parse("env", "ro /usr\nlimit mem 256M\nlimit procs unlimited\n").unwrap();
        assert_eq!(env.limits.max(Kind::Mem), Some(256 << 20));
        assert_eq!(env.limits.get(Kind::Procs), Some(Value::Unlimited));
        // What the file does not set stays built in.
        assert_eq!(env.limits.max(Kind::Tmp), Limits::defaults().max(Kind::Tmp));
        assert_eq!(env.lines.len(), 1);
        let err = Environment::parse("env", "limit mem lots\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "env:1: mem:lots: expected a size like 512M, 2G, or 25% (of the RAM), or 'unlimited'"
        );
        let err = Environment::parse("env", "limit\n").unwrap_err();
        assert_eq!(err.to_string(), "env:1: expected 'limit KIND VALUE'");
    }

    #[test]
    fn home_is_substituted() {
        assert_eq!(substitute("~/x", Path::new("/home/u")), "/home/u/x");
        assert_eq!(
            substitute("$HOME/.cache", Path::new("/home/u")),
            "/home/u/.cache"
        );
        assert_eq!(substitute("/usr", Path::new("/home/u")), "/usr");
    }

    #[test]
    fn relative_paths_are_refused() {
        let env = Environment::parse("env", "ro usr\n").unwrap();
        let err = env.apply(&mut Namespace::new(), &me()).unwrap_err();
        assert_eq!(err.to_string(), "env:1: usr: not an absolute path");
    }

    #[test]
    fn passwd_lists_root_the_user_and_nobody_only() {
        let id = me();
        assert_eq!(
            id.passwd(),
            "root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000:U:/home/u:/bin/bash\n\
             nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        );
        assert_eq!(id.group(), "root:x:0:\nu:x:1000:\nnogroup:x:65534:\n");
        let root = Identity {
            uid: 0,
            gid: 0,
            user: "root".into(),
            group: "root".into(),
            home: "/root".into(),
            ..me()
        };
        assert_eq!(root.passwd().lines().count(), 2);
        assert_eq!(root.group(), "root:x:0:\nnogroup:x:65534:\n");
    }
}
