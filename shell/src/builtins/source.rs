use crate::exec::{Flow, Shell, Status};

/// `source file [arg]...` / `. file [arg]...` — run a file's commands in this shell.
pub fn source(sh: &mut Shell, argv: &[String]) -> Status {
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
    let text = match read_file(&path) {
        Ok(t) => t,
        Err(why) => {
            sh.error(format!(
                "{}: {}: {why}",
                argv[0],
                crate::escapes::shown(file),
            ));
            return Ok(1);
        }
    };
    let saved = (argv.len() > 2).then(|| std::mem::replace(&mut sh.positional, argv[2..].to_vec()));
    let line = sh.line;
    let base = std::mem::replace(&mut sh.line_base, 1);
    let result = match sh.run_source(&text) {
        Err(Flow::Return(s)) => Ok(s),
        other => other,
    };
    sh.line = line;
    sh.line_base = base;
    if let Some(p) = saved {
        sh.positional = p;
    }
    result
}

/// The text of a file the shell runs (`.`, its startup files, a script): never reached
/// through a link a jail may have made, nor a FIFO a jail left (which would block the
/// shell for good) — see `pola_fileserver::planted`. The user's own FIFOs and devices
/// (`. /dev/null`, `. /dev/stdin`) are read as any shell reads them.
pub fn read_file(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    // `. <(list)`, `. /dev/fd/3`: the shell's own descriptor (its `/proc` link names a
    // pipe, which no path reaches).
    let descriptor = path
        .to_str()
        .and_then(crate::redirect::fd_path_number)
        .filter(|n| (0..=pola_fileserver::launch::MAX_USER_FD).contains(n));
    if let Some(n) = descriptor {
        // SAFETY: only duplicated (the copy is ours); a closed number gives EBADF.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(n) };
        let copy = pola_fileserver::launch::high_copy(fd).map_err(|e| e.desc().to_lowercase())?;
        let mut bytes = Vec::new();
        std::fs::File::from(copy)
            .read_to_end(&mut bytes)
            .map_err(|e| crate::exec::io_reason(&e))?;
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
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
    let mut bytes = Vec::new();
    std::fs::File::from(fd)
        .read_to_end(&mut bytes)
        .map_err(|e| crate::exec::io_reason(&e))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Why the shell did not open a path, for a message after it (`no such file or
/// directory`, or why a link a jail may have made was not followed).
pub fn refusal(e: pola_fileserver::planted::Refused) -> String {
    match e {
        pola_fileserver::planted::Refused::Os { errno, .. } => errno.desc().to_lowercase(),
        other => other.to_string(),
    }
}
