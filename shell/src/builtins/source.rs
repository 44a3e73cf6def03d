use std::os::fd::AsFd;

use crate::exec::{Flow, Shell, Status};

/// `source file [arg]...` / `. file [arg]...` — run a file's commands in this shell.
///
/// The commands of a file run with the user's authority: redirections the shell makes,
/// aliases, `!!` — but for `!!` where the text is a command's output (a pipe, or a
/// file a jail wrote through the shell's redirection: `planted::Author`),
/// as in `eval`. A file a jail could have written (`planted::jail_could_have_written`)
/// is not run: its text may be the jail's (`pip install … + => .venv` runs a package's
/// code with `.venv` writable, and it rewrites `bin/activate`). A Python virtual
/// environment's `bin/activate` there is done by pola-sh itself, with its own text
/// (`activate_venv`), which is what sourcing it is for; any other such file is refused
/// with a message saying so, and `!!. FILE` runs it anyway, once the user has read it.
pub fn source(sh: &mut Shell, argv: &[String]) -> Status {
    run(sh, argv, false)
}

/// `!!. file`: the user vouches for the file's text (a pipe's too: `!!` in it runs).
pub fn source_anyway(sh: &mut Shell, argv: &[String]) -> Status {
    run(sh, argv, true)
}

fn run(sh: &mut Shell, argv: &[String], vouched: bool) -> Status {
    let Some(file) = argv.get(1) else {
        return super::usage(sh, &argv[0], "source FILE [ARG]...");
    };
    let name = crate::escapes::to_path(file);
    let path = if file.contains('/') {
        Some(sh.cwd().join(&name))
    } else {
        let path = sh.get("PATH").unwrap_or("").to_string();
        path.split(':')
            .map(|d| crate::escapes::to_path(if d.is_empty() { "." } else { d }).join(&name))
            .find(|p| p.is_file())
            .or_else(|| Some(sh.cwd().join(&name)))
    };
    let path = path.unwrap_or_default();
    // Opened once: what is looked at is what is read (a jail swapping the file
    // between a look and a read had its text run).
    let opened = open_text(&path);
    let regular = opened.as_ref().is_ok_and(|fd| {
        nix::sys::stat::fstat(fd).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG)
    });
    // What the record says of a file (also with `!!.`, which remembers what it ran).
    let record = match &opened {
        Ok(fd) if regular => Some(pola_fileserver::planted::record_of(fd.as_fd(), &path)),
        _ => None,
    };
    let recorded = record.map(|r| r.author());
    let author = recorded.filter(|_| !vouched);
    if author == Some(pola_fileserver::planted::Author::Jail) {
        if let Some(venv) = venv_of(&path) {
            return activate_venv(sh, &venv);
        }
    }
    let read = opened.and_then(|fd| {
        let file = std::fs::File::from(fd);
        read_bytes(&file).map(|bytes| (file, bytes))
    });
    let (opened, bytes) = match read {
        Ok(read) => read,
        Err(why) => {
            // A script run in a jail (`./main.sh`, `pola-sh main.sh`) sourcing a file
            // beside it that its command line did not grant (new-user trial: the hint
            // offered only `!!`).
            let jailed = match why.as_str() {
                "no such file or directory" if crate::lookup::inside_jail() => format!(
                    " (this shell runs in a jail, which was not given it: grant it where the script is started, e.g. … + {})",
                    pola_fileserver::text::word(&crate::escapes::to_path(file))
                ),
                _ => String::new(),
            };
            sh.error(format!(
                "{}: {}: {why}{jailed}",
                argv[0],
                crate::escapes::shown(file),
            ));
            return Ok(1);
        }
    };
    // A jail's file whose very text the user ran with `!!.` before is theirs.
    let author = match author {
        Some(a)
            if a != pola_fileserver::planted::Author::User
                && pola_fileserver::planted::vouched(opened.as_fd(), &path, &bytes) =>
        {
            Some(pola_fileserver::planted::Author::User)
        }
        other => other,
    };
    if author == Some(pola_fileserver::planted::Author::Jail) {
        let shown = crate::escapes::shown(file);
        let place = match record.is_some_and(|r| r.by_name) {
            true => "a jail was given it to write",
            false => "it is where jails were given to write",
        };
        let why = match pola_fileserver::planted::vouched_before(opened.as_fd(), &path) {
            true => format!("it changed since you wrote it or ran it with !!., and {place}"),
            false => place.to_string(),
        };
        sh.error(format!(
            "{}: {shown}: a jail could have written this file ({why}), and its commands would run with your authority; read it, then run it anyway with: !!{} {shown} (this text is then run as yours until it changes)",
            argv[0], argv[0],
        ));
        return Ok(1);
    }
    if vouched && recorded.is_some_and(|a| a != pola_fileserver::planted::Author::User) {
        pola_fileserver::planted::record_vouched(opened.as_fd(), &path, &bytes);
    }
    // Not a file but a pipe or a socket (`. <(tool completion)`, `tool | . /dev/stdin`),
    // or a file a jail wrote through the shell's redirection (`tool > f`): its text is
    // what a command wrote, most often one in a jail, and may not use `!!`. A terminal
    // is the user typing.
    let made = !vouched
        && match author {
            Some(author) => author == pola_fileserver::planted::Author::JailOutput,
            None => !regular && !nix::unistd::isatty(&opened).unwrap_or(false),
        };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    // Read to its end: a `<(list)` of the script's own text is the script's.
    let made = made && !sh.substitution_own_text(file);
    let saved = (argv.len() > 2).then(|| std::mem::replace(&mut sh.positional, argv[2..].to_vec()));
    let line = sh.line;
    let base = std::mem::replace(&mut sh.line_base, 1);
    sh.sources.push(file.clone());
    let ran = match made {
        true => sh.run_made_text(&text, !sh.interactive),
        false => sh.run_source(&text),
    };
    let result = match ran {
        Err(Flow::Return(s)) => Ok(s),
        other => other,
    };
    sh.sources.pop();
    sh.line = line;
    sh.line_base = base;
    if let Some(p) = saved {
        sh.positional = p;
    }
    result
}

/// A startup file the user's editor was given to write at its question, as it was.
pub struct Edited {
    program: String,
    path: std::path::PathBuf,
    /// Its text before, if it could be read: empty if it was not there, or if that text
    /// was not the user's (a jail's, or an earlier save they did not say was theirs),
    /// so that every line of it is shown at the question, not only what this editor
    /// changed (new-user trial: an edit refused with Enter, then a second edit whose one
    /// new line was answered "y", vouched for the first edit's lines unseen).
    before: Option<Vec<u8>>,
}

impl Edited {
    pub fn before(program: &str, path: &std::path::Path) -> Edited {
        let before = match open_text(path) {
            Ok(fd) => {
                let file = std::fs::File::from(fd);
                read_bytes(&file).ok().map(|bytes| {
                    let record = pola_fileserver::planted::record_of(file.as_fd(), path);
                    let users = record.author() == pola_fileserver::planted::Author::User
                        || pola_fileserver::planted::vouched(file.as_fd(), path, &bytes);
                    if users {
                        bytes
                    } else {
                        Vec::new()
                    }
                })
            }
            Err(_) => Some(Vec::new()),
        };
        Edited {
            program: program.to_string(),
            path: path.to_path_buf(),
            before,
        }
    }

    /// Whether this is the file at `path`.
    pub fn is(&self, path: &std::path::Path) -> bool {
        self.path == path
    }
}

/// The most changed lines shown at the question ([`offer_edited`]); more, and the user
/// is told to read the file instead.
const CHANGES_SHOWN: usize = 30;

/// After the user's editor was given a startup file to write at its question (`vim
/// ~/.config/pola-sh/rc`) and has ended: show what changed in it and ask whether that
/// text is the user's. Written by a jail, that file ran as text a command made at every
/// start (its aliases refused) until the user ran it with `!!.`, which also ran it all
/// again at once (new-user trial). Yes vouches for that text as `!!.` does, without
/// running it; anything else leaves it as it was. The changed lines are shown, escaped,
/// because the jailed editor may have written more than the user typed (a `~/.vimrc` a
/// jail wrote, with an autocommand adding a `!!` line on save: review). Asked once no
/// job is left (a stopped editor may not have saved yet), at the prompt.
pub fn offer_edited(sh: &mut Shell) {
    if sh.edited_startup.is_empty() || !sh.jobs.is_empty() {
        return;
    }
    for edited in std::mem::take(&mut sh.edited_startup) {
        let path = &edited.path;
        let Ok(fd) = open_text(path) else {
            continue;
        };
        let file = std::fs::File::from(fd);
        let regular = file.metadata().is_ok_and(|m| m.is_file());
        let record = pola_fileserver::planted::record_of(file.as_fd(), path);
        if !regular || record.author() == pola_fileserver::planted::Author::User {
            continue;
        }
        let (Ok(bytes), Some(before)) = (read_bytes(&file), &edited.before) else {
            continue;
        };
        if pola_fileserver::planted::vouched(file.as_fd(), path, &bytes) {
            continue;
        }
        let shown = crate::escapes::shown(&crate::escapes::from_os(path.as_os_str()));
        let program = crate::escapes::shown(&edited.program);
        let before = String::from_utf8_lossy(before);
        let after = String::from_utf8_lossy(&bytes);
        let changes = match changed_lines(&before, &after) {
            // Not changed: as it was before the editor (refused, if it was).
            Some(c) if c.is_empty() => continue,
            Some(c) if c.len() <= CHANGES_SHOWN => c,
            _ => {
                sh.error(format!(
                    "{program} saved {shown}, which runs with your authority when pola-sh starts: read it, then !!. {shown} runs it as yours from now on"
                ));
                continue;
            }
        };
        let lines: String = changes
            .iter()
            .map(|(sign, line)| format!("  {sign} {}\n", crate::escapes::shown(line)))
            .collect();
        let question = format!(
            "pola-sh: {program} saved {shown}, which runs with your authority when pola-sh starts; what changed:\n{lines}Is its text yours (as !!. would take it, without running it now)? [y/N]"
        );
        let yes = pola_fileserver::terminal::ask(&question).is_some_and(|a| {
            let a = a.trim();
            a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes")
        });
        match yes {
            true => pola_fileserver::planted::record_vouched(file.as_fd(), path, &bytes),
            // Said, not left to the next start's surprise (trial 5).
            false => sh.error(format!(
                "{shown}: not taken as yours: the next start runs it as text a command made; read it, then !!. {shown} runs it as yours"
            )),
        }
    }
}

/// The lines taken out of `before` (`-`) and put in (`+`) to make `after`, in order
/// (the longest common run of lines kept); `None` if the texts are too long to compare
/// here.
fn changed_lines<'a>(before: &'a str, after: &'a str) -> Option<Vec<(char, &'a str)>> {
    let (a, b): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    if a.len().saturating_mul(b.len()) > 1 << 20 {
        return None;
    }
    // common[i][j]: the longest common run of a[i..] and b[j..].
    let width = b.len() + 1;
    let mut common = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i * width + j] = match a[i] == b[j] {
                true => common[(i + 1) * width + j + 1] + 1,
                false => common[(i + 1) * width + j].max(common[i * width + j + 1]),
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if i < a.len()
            && (j == b.len() || common[(i + 1) * width + j] >= common[i * width + j + 1])
        {
            out.push(('-', a[i]));
            i += 1;
        } else {
            out.push(('+', b[j]));
            j += 1;
        }
    }
    Some(out)
}

/// The virtual environment whose `bin/activate` `path` is: a `pyvenv.cfg` beside its
/// `bin` (its canonical path, as the environment's scripts name it).
fn venv_of(path: &std::path::Path) -> Option<std::path::PathBuf> {
    if path.file_name()? != "activate" {
        return None;
    }
    let bin = path.parent()?;
    if bin.file_name()? != "bin" {
        return None;
    }
    let venv = pola_fileserver::planted::canonical(bin.parent()?).ok()?;
    venv.join("pyvenv.cfg").is_file().then_some(venv)
}

/// What a virtual environment's `bin/activate` does (Python's venv, 3.8 to 3.13), in
/// pola-sh's own words: its `bin` first on `PATH`, `VIRTUAL_ENV`, no `PYTHONHOME`, the
/// prompt marked, and `deactivate` to undo it.
const ACTIVATE: &str = r#"deactivate () {
    if [ -n "${_OLD_VIRTUAL_PATH:-}" ]; then
        PATH="$_OLD_VIRTUAL_PATH"; export PATH; unset _OLD_VIRTUAL_PATH
    fi
    if [ -n "${_OLD_VIRTUAL_PYTHONHOME:-}" ]; then
        PYTHONHOME="$_OLD_VIRTUAL_PYTHONHOME"; export PYTHONHOME; unset _OLD_VIRTUAL_PYTHONHOME
    fi
    if [ -n "${_OLD_VIRTUAL_PS1+set}" ]; then
        PS1="$_OLD_VIRTUAL_PS1"; unset _OLD_VIRTUAL_PS1
    fi
    hash -r 2>/dev/null
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    if [ "${1:-}" != nondestructive ]; then unset -f deactivate; fi
}
deactivate nondestructive
VIRTUAL_ENV=@VENV@
export VIRTUAL_ENV
_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
export PATH
if [ -n "${PYTHONHOME:-}" ]; then
    _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME"; unset PYTHONHOME
fi
if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT:-}" ]; then
    _OLD_VIRTUAL_PS1="${PS1:-}"
    PS1=@PROMPT@"${PS1:-}"
    VIRTUAL_ENV_PROMPT=@PROMPT@
    export VIRTUAL_ENV_PROMPT
fi
hash -r 2>/dev/null
"#;

fn activate_venv(sh: &mut Shell, venv: &std::path::Path) -> Status {
    // The prompt's mark is the directory's name, as Python's: only if it is plain
    // (the prompt is expanded at every line).
    let name = venv
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| {
            n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
        .unwrap_or("venv");
    let text = ACTIVATE
        .replace(
            "@VENV@",
            &crate::vars::quote(&crate::escapes::from_os(venv.as_os_str())),
        )
        .replace("@PROMPT@", &crate::vars::quote(&format!("({name}) ")));
    sh.run_source(&text)
}

/// The text of a file the shell runs (`.`, its startup files, a script): never reached
/// through a link a jail may have made, nor a FIFO a jail left (which would block the
/// shell for good) — see `pola_fileserver::planted`. The user's own FIFOs and devices
/// (`. /dev/null`, `. /dev/stdin`) are read as any shell reads them.
pub fn read_file(path: &std::path::Path) -> Result<String, String> {
    read_all(open_text(path)?)
}

/// A startup file's text (`~/.profile`, the rc, `$ENV`), and whether a command's
/// output was written there (`tool init >> ~/.profile`, `echo "$x" >> rc` with `x`
/// a command's output): such a file runs as text made at run time, as `.` would run
/// it (security review: its `!!` ran at the next login). Not for being in a directory
/// a jail was given to write: jails have the startup files read-only there
/// (`crate::protect`).
/// `protected`: jails have it read-only (`~/.profile`, the rc) unless given it by name;
/// `$ENV`'s file is asked as `.` asks (fourth review).
/// The text, and if it runs as text made at run time, why (for the shell's message). A
/// text the user ran with `!!.` (`pola_fileserver::planted::record_vouched`) is theirs.
pub fn read_startup(
    path: &std::path::Path,
    protected: bool,
) -> Result<(String, Option<&'static str>), String> {
    let file = std::fs::File::from(open_text(path)?);
    let record = pola_fileserver::planted::record_of(file.as_fd(), path);
    let made = match record {
        r if r.by_name => Some("a jail was given this file to write"),
        r if r.output => Some("a command's output was written here"),
        r if !protected && r.in_jails_dir => Some("it is where jails were given to write"),
        _ => None,
    };
    let bytes = read_bytes(&file)?;
    let made = made.filter(|_| !pola_fileserver::planted::vouched(file.as_fd(), path, &bytes));
    Ok((String::from_utf8_lossy(&bytes).into_owned(), made))
}

/// The file a path names for the shell to run, opened once: `. <(list)`, `.
/// /dev/fd/3` are the shell's own descriptor (its `/proc` link names a pipe, which no
/// path reaches), any other path is opened as [`read_file`] says.
fn open_text(path: &std::path::Path) -> Result<std::os::fd::OwnedFd, String> {
    let descriptor = path
        .to_str()
        .and_then(crate::redirect::dev_fd_number)
        .filter(|n| (0..=pola_fileserver::launch::MAX_USER_FD).contains(n));
    if let Some(n) = descriptor {
        // SAFETY: only duplicated (the copy is ours); a closed number gives EBADF.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(n) };
        return pola_fileserver::launch::high_copy(fd).map_err(|e| e.desc().to_lowercase());
    }
    let fd = pola_fileserver::planted::open(
        path,
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_NOCTTY,
        nix::sys::stat::Mode::empty(),
    )
    .map_err(refusal)?;
    let st = nix::sys::stat::fstat(&fd).map_err(|e| e.desc().to_lowercase())?;
    if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
        return Err("is a directory".into());
    }
    Ok(fd)
}

fn read_all(fd: std::os::fd::OwnedFd) -> Result<String, String> {
    let bytes = read_bytes(&std::fs::File::from(fd))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Everything `file` holds from where it is, as bytes.
fn read_bytes(mut file: &std::fs::File) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| crate::exec::io_reason(&e))?;
    Ok(bytes)
}

/// Why the shell did not open a path, for a message after it (`no such file or
/// directory`, or why a link a jail may have made was not followed).
pub fn refusal(e: pola_fileserver::planted::Refused) -> String {
    match e {
        pola_fileserver::planted::Refused::Os { errno, .. } => errno.desc().to_lowercase(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn changed_lines_are_those_taken_out_and_put_in() {
        let c = super::changed_lines("a\nb\nc\n", "a\nB\nc\nd\n").unwrap();
        assert_eq!(c, vec![('-', "b"), ('+', "B"), ('+', "d")]);
        assert!(super::changed_lines("x\n", "x\n").unwrap().is_empty());
        assert_eq!(super::changed_lines("", "n\n").unwrap(), vec![('+', "n")]);
    }
}
