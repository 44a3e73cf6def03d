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
/// have made) and remember it as the user's: the one made, held by its descriptor from
/// when it is made, never found again by its name (a jail given the directory could
/// put a FIFO of its own there meanwhile, to be taken for the user's: security review).
fn make(path: &Path, mode: Option<u32>) -> Result<(), String> {
    let place = pola_fileserver::planted::parent(path).map_err(super::source::refusal)?;
    let name: OsString = place.name.ok_or("not a name")?;
    let os = |e: nix::errno::Errno| e.desc().to_lowercase();
    let bits = Mode::from_bits_truncate(mode.unwrap_or(0o666));
    let dir_path = pola_fileserver::slots::fd_path(&place.dir).map_err(os)?;
    // Where jails never look (pola-sh's own directory, on the same mount), then
    // renamed into place, never over anything; else made in place, and taken only if
    // it is new (born since) and has no other name.
    let (aside, _) = pola_fileserver::slots::aside_for(&place.dir, &dir_path).map_err(os)?;
    let identity = |fd: &dyn AsFd| nix::sys::stat::fstat(fd).map(|st| (st.st_dev, st.st_ino));
    let apart = identity(&aside).map_err(os)? != identity(&place.dir).map_err(os)?;
    let open = |dir: &dyn AsFd, name: &std::ffi::OsStr| {
        nix::fcntl::openat(
            dir.as_fd(),
            name,
            OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(os)
    };
    let fifo = if apart {
        let made = OsString::from(format!(".pola-fifo.{}", crate::sys::random_letters(10)));
        nix::unistd::mkfifoat(aside.as_fd(), made.as_os_str(), bits).map_err(os)?;
        let held = open(&aside, &made);
        let placed = held.as_ref().map_err(Clone::clone).and_then(|_| {
            nix::fcntl::renameat2(
                aside.as_fd(),
                made.as_os_str(),
                place.dir.as_fd(),
                name.as_os_str(),
                nix::fcntl::RenameFlags::RENAME_NOREPLACE,
            )
            .map_err(os)
        });
        if placed.is_err() {
            let _ = nix::unistd::unlinkat(
                &aside,
                made.as_os_str(),
                nix::unistd::UnlinkatFlags::NoRemoveDir,
            );
        }
        placed?;
        held?
    } else {
        let before = coarse_now();
        nix::unistd::mkfifoat(place.dir.as_fd(), name.as_os_str(), bits).map_err(os)?;
        let fifo = open(&place.dir, &name)?;
        let held = format!("/proc/self/fd/{}", fifo.as_raw_fd());
        let meta = std::fs::metadata(&held).map_err(|e| e.to_string())?;
        // (A file system that keeps no birth time: no record is kept of it either,
        // `planted::record_own_fifo`, and it is opened only where no jail wrote.)
        let new = meta.created().map_or(true, |born| born >= before);
        if std::os::unix::fs::MetadataExt::nlink(&meta) != 1 || !new {
            return Err("replaced as it was made".into());
        }
        fifo
    };
    if !crate::redirect::is_fifo(&fifo) {
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

/// The time as file systems stamp what is made (the coarse clock: the fine one may be
/// ahead of a birth time taken after it).
fn coarse_now() -> std::time::SystemTime {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut ts) };
    std::time::UNIX_EPOCH + std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
