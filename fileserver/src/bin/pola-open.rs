//! pola-open: ask the powerbox for a file, inside a jail.
//!
//! `pola-open [--write] [--desc TEXT]` asks the user (through the shell that started
//! the jail with `--powerbox`) to pick a file. Reading, it prints the file's contents;
//! with `--write` it copies its standard input into the file. The program never names
//! a path: the user does, at the terminal.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::FromRawFd;
use std::os::unix::net::UnixStream;

use pola_fileserver::powerbox;

const USAGE: &str = "usage: pola-open [--write] [--desc TEXT]";

fn main() {
    std::process::exit(match run() {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("pola-open: {message}");
            1
        }
    });
}

fn run() -> Result<(), String> {
    let mut write = false;
    let mut desc = String::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" | "-w" => write = true,
            "--desc" | "-d" => {
                desc = args.next().ok_or("--desc needs a TEXT")?;
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("{other}: unknown argument ({USAGE})")),
        }
    }
    let fd: i32 = std::env::var(powerbox::ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|fd| *fd > 2)
        .ok_or("no powerbox here ($POLA_POWERBOX is not set: run under pola-sh --powerbox or pola-run --powerbox)")?;
    // SAFETY: the launcher left the powerbox socket at this descriptor for us; nothing
    // else in this process uses it.
    let socket = unsafe { UnixStream::from_raw_fd(fd) };
    let file = File::from(powerbox::request(&socket, write, &desc)?);
    let copied = if write {
        io::copy(&mut io::stdin().lock(), &mut &file)
    } else {
        let mut out = io::stdout().lock();
        io::copy(&mut &file, &mut out).and_then(|n| out.flush().map(|()| n))
    };
    match copied {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("copying: {e}")),
    }
}
