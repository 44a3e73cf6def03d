use std::ffi::OsString;
use std::os::fd::AsFd;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use crate::exec::{Shell, Status};

const USAGE: &str = "mktemp [-dqtu] [-p DIR] [--suffix=SUFF] [TEMPLATE]";

/// `mktemp [-dqtu] [-p DIR|--tmpdir[=DIR]] [--suffix=SUFF] [TEMPLATE]` — make a new file
/// (`-d`: directory) with a unique name, mode 0600 (0700), and print its name; GNU
/// mktemp's options. A builtin in pola-sh: a jailed `mktemp` makes its file in the
/// jail's private /tmp, gone with the jail, and what a script then writes to the name
/// it printed lands in the host's /tmp under a name the jail chose. Here the shell
/// makes it (never through a link a jail may have made), as the user.
pub fn mktemp(sh: &mut Shell, argv: &[String]) -> Status {
    // The name it prints holds its directory's: from marked words or a marked
    // `TMPDIR`, a name a jail may have chosen (fourth review).
    if sh.vars.tainting || sh.vars.get("TMPDIR").is_some_and(|v| v.made) {
        sh.report_made();
    }
    let mut dir_wanted = false;
    let mut dry_run = false;
    let mut quiet = false;
    let mut in_tmpdir = false;
    let mut tmpdir: Option<String> = None;
    let mut suffix: Option<String> = None;
    let mut template: Option<String> = None;
    let mut args = argv[1..].iter();
    let mut options = true;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--" if options => options = false,
            "--directory" if options => dir_wanted = true,
            "--dry-run" if options => dry_run = true,
            "--quiet" if options => quiet = true,
            "--tmpdir" if options => in_tmpdir = true,
            s if options && s.starts_with("--tmpdir=") => {
                in_tmpdir = true;
                tmpdir = Some(s["--tmpdir=".len()..].to_string());
            }
            s if options && s.starts_with("--suffix=") => {
                suffix = Some(s["--suffix=".len()..].to_string())
            }
            "--suffix" if options => match args.next() {
                Some(s) => suffix = Some(s.clone()),
                None => return super::usage(sh, "mktemp", USAGE),
            },
            s if options && s.starts_with('-') && s.len() > 1 && !s.starts_with("--") => {
                let flags: Vec<char> = s[1..].chars().collect();
                for (i, c) in flags.iter().enumerate() {
                    match c {
                        'd' => dir_wanted = true,
                        'u' => dry_run = true,
                        'q' => quiet = true,
                        't' => in_tmpdir = true,
                        'p' => {
                            in_tmpdir = true;
                            let rest: String = flags[i + 1..].iter().collect();
                            tmpdir = Some(if rest.is_empty() {
                                match args.next() {
                                    Some(d) => d.clone(),
                                    None => return super::usage(sh, "mktemp", USAGE),
                                }
                            } else {
                                rest
                            });
                            break;
                        }
                        _ => {
                            sh.error(format!(
                                "mktemp: -{}: invalid option",
                                pola_fileserver::text::shown(&c.to_string())
                            ));
                            return super::usage(sh, "mktemp", USAGE);
                        }
                    }
                }
            }
            s if options && s.starts_with("--") => {
                sh.error(format!(
                    "mktemp: {}: invalid option",
                    pola_fileserver::text::shown(s)
                ));
                return super::usage(sh, "mktemp", USAGE);
            }
            _ if template.is_some() => {
                sh.error("mktemp: too many templates");
                return super::usage(sh, "mktemp", USAGE);
            }
            _ => template = Some(a.clone()),
        }
    }
    let fail = |sh: &Shell, message: String| {
        if !quiet {
            sh.error(format!("mktemp: {message}"));
        }
        Ok(1)
    };
    // No template: tmp.XXXXXXXXXX in the temporary directory.
    if template.is_none() {
        in_tmpdir = true;
    }
    let template = template.unwrap_or_else(|| "tmp.XXXXXXXXXX".to_string());
    let (stem, suffix) = match suffix {
        Some(s) => (template.clone(), s),
        // As GNU mktemp: the X's end at the last X; what follows is the suffix.
        None => match template.rfind('X') {
            Some(end) => (
                template[..=end].to_string(),
                template[end + 1..].to_string(),
            ),
            None => (template.clone(), String::new()),
        },
    };
    let xs = stem.chars().rev().take_while(|c| *c == 'X').count();
    if xs < 3 {
        return fail(
            sh,
            format!(
                "too few X's in template {}",
                pola_fileserver::text::shown(&template)
            ),
        );
    }
    if suffix.contains('/') {
        return fail(
            sh,
            format!(
                "invalid suffix {}, contains directory separator",
                pola_fileserver::text::shown(&suffix)
            ),
        );
    }
    let base = if in_tmpdir {
        if template.starts_with('/') {
            return fail(
                sh,
                format!(
                    "invalid template, {}; with --tmpdir, it may not be absolute",
                    pola_fileserver::text::shown(&template)
                ),
            );
        }
        let dir = tmpdir
            .filter(|d| !d.is_empty())
            .or_else(|| sh.get("TMPDIR").filter(|d| !d.is_empty()).map(String::from))
            .unwrap_or_else(|| "/tmp".to_string());
        format!("{}/", dir.trim_end_matches('/'))
    } else {
        String::new()
    };
    let prefix = &stem[..stem.len() - xs];
    for _ in 0..1000 {
        let name = format!("{base}{prefix}{}{suffix}", crate::sys::random_letters(xs));
        let path = sh.cwd().join(crate::escapes::to_path(&name));
        if dry_run {
            if std::fs::symlink_metadata(&path).is_ok() {
                continue;
            }
        } else {
            match make(&path, dir_wanted) {
                Ok(()) => crate::scratch::made(&path),
                Err(MakeError::Exists) => continue,
                Err(MakeError::Refused(why)) => {
                    let kind = if dir_wanted { "directory" } else { "file" };
                    return fail(
                        sh,
                        format!(
                            "failed to create {kind} via template {}: {why}",
                            pola_fileserver::text::shown(&format!("{base}{template}"))
                        ),
                    );
                }
            }
        }
        return Ok(if super::out(&format!("{name}\n")) {
            0
        } else {
            1
        });
    }
    fail(
        sh,
        format!(
            "could not find a free name for template {}",
            pola_fileserver::text::shown(&template)
        ),
    )
}

enum MakeError {
    Exists,
    Refused(String),
}

/// Make `path` anew (mode 0600, or a directory 0700), in a directory reached without
/// following a link a jail may have made.
fn make(path: &Path, dir: bool) -> Result<(), MakeError> {
    let place = pola_fileserver::planted::parent(path)
        .map_err(|e| MakeError::Refused(super::source::refusal(e)))?;
    let name: OsString = place
        .name
        .ok_or_else(|| MakeError::Refused("not a name".into()))?;
    let made = if dir {
        nix::sys::stat::mkdirat(place.dir.as_fd(), name.as_os_str(), Mode::S_IRWXU)
    } else {
        nix::fcntl::openat(
            place.dir.as_fd(),
            name.as_os_str(),
            OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW,
            Mode::S_IRUSR | Mode::S_IWUSR,
        )
        .map(drop)
    };
    match made {
        Ok(()) => Ok(()),
        Err(Errno::EEXIST) => Err(MakeError::Exists),
        Err(errno) => Err(MakeError::Refused(errno.desc().to_lowercase())),
    }
}
