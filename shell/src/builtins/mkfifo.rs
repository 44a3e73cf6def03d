use std::ffi::OsString;
use std::os::fd::{AsFd, AsRawFd};
use std::path::Path;

use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use pola_fileserver::text::shown;

use crate::exec::{Shell, Status};

const USAGE: &str = "mkfifo [-m MODE] NAME...";

/// `mkfifo [-m MODE] NAME...` — make named pipes, mode 0666 less the umask (`-m`: MODE
/// in octal, exactly). A builtin in pola-sh: a jailed `mkfifo` makes one only in its
/// private scratch, and a FIFO a jail may have made is never opened by the shell (it
/// could block it: `planted`), so a script's `d=$(mktemp -d); mkfifo "$d/p"` had no
/// way but `!!` (trial 16). Here the shell makes it, as the user, never through a link
/// a jail may have made, and remembers it as the user's: `cmd > p &`, `< p` open it.
pub fn mkfifo(sh: &mut Shell, argv: &[String]) -> Status {
    let mut mode: Option<u32> = None;
    let mut names: Vec<&String> = Vec::new();
    let mut args = argv[1..].iter();
    let mut options = true;
    while let Some(a) = args.next() {
        let given = match a.as_str() {
            "--" if options => {
                options = false;
                continue;
            }
            "-m" | "--mode" if options => args.next().map(String::as_str),
            s if options && s.starts_with("--mode=") => Some(&s["--mode=".len()..]),
            s if options && s.starts_with("-m") => Some(&s[2..]),
            s if options && s.starts_with('-') && s.len() > 1 => {
                sh.error(format!("mkfifo: {}: invalid option", shown(s)));
                return super::usage(sh, "mkfifo", USAGE);
            }
            _ => {
                names.push(a);
                continue;
            }
        };
        match given
            .and_then(|m| u32::from_str_radix(m, 8).ok())
            .filter(|m| *m <= 0o7777)
        {
            Some(m) => mode = Some(m),
            None => {
                sh.error(format!(
                    "mkfifo: invalid mode {}",
                    shown(given.unwrap_or(""))
                ));
                return super::usage(sh, "mkfifo", USAGE);
            }
        }
    }
    if names.is_empty() {
        sh.error("mkfifo: missing operand");
        return super::usage(sh, "mkfifo", USAGE);
    }
    let mut status = 0;
    for name in names {
        let path = sh.cwd().join(crate::escapes::to_path(name));
        if let Err(why) = make(&path, mode) {
            sh.error(format!("mkfifo: cannot create fifo {}: {why}", shown(name)));
            status = 1;
        }
    }
    Ok(status)
}

/// Make the FIFO `path` (in a directory reached without following a link a jail may
/// have made) and remember it as the user's.
fn make(path: &Path, mode: Option<u32>) -> Result<(), String> {
    let place = pola_fileserver::planted::parent(path).map_err(super::source::refusal)?;
    let name: OsString = place.name.ok_or("not a name")?;
    let os = |e: nix::errno::Errno| e.desc().to_lowercase();
    let bits = Mode::from_bits_truncate(mode.unwrap_or(0o666));
    nix::unistd::mkfifoat(place.dir.as_fd(), name.as_os_str(), bits).map_err(os)?;
    let fifo = nix::fcntl::openat(
        place.dir.as_fd(),
        name.as_os_str(),
        OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(os)?;
    let is_fifo =
        nix::sys::stat::fstat(&fifo).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFIFO);
    if !is_fifo {
        return Err("replaced as it was made".into());
    }
    // `-m` is the mode whatever the umask (coreutils'): set on the FIFO made.
    if let Some(m) = mode {
        let held = format!("/proc/self/fd/{}", fifo.as_raw_fd());
        nix::sys::stat::fchmodat(
            nix::fcntl::AT_FDCWD,
            held.as_str(),
            Mode::from_bits_truncate(m),
            nix::sys::stat::FchmodatFlags::FollowSymlink,
        )
        .map_err(os)?;
    }
    pola_fileserver::planted::record_own_fifo(&place.dir, &name, fifo.as_fd(), path);
    Ok(())
}
