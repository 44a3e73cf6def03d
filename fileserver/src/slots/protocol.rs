//! What the server asks of the jail's supervisor (the shim process outside the jail's
//! locked mount namespace), and what it answers: one JSON line each way.
//!
//! The supervisor keeps, in a mount namespace of its own, a "carrier" for each slot
//! directory: the staging directory bound onto itself and made shared. The jail's view
//! of the slot directory is a peer of it when the jail is built, and becomes a slave
//! when the jail locks its mounts: whatever the supervisor mounts or unmounts in the
//! carrier then appears in the jail (mount propagation), locked there, while nothing
//! the jail does propagates back.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use nix::errno::Errno;
use serde::{Deserialize, Serialize};

/// A request to the supervisor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Bind the host object at `host` (canonical, symlink-free), which must be the
    /// object (`dev`, `ino`), onto `name` in carrier `dir`, read-write, nosuid, nodev.
    Mount {
        dir: usize,
        #[serde(with = "crate::plan::bytes")]
        name: PathBuf,
        #[serde(with = "crate::plan::bytes")]
        host: PathBuf,
        dev: u64,
        ino: u64,
        is_dir: bool,
    },
    /// Detach whatever is mounted on `name` in carrier `dir`.
    Unmount {
        dir: usize,
        #[serde(with = "crate::plan::bytes")]
        name: PathBuf,
    },
}

/// The answer: done, or the errno it failed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub errno: i32,
}

impl Reply {
    pub fn of(result: Result<(), Errno>) -> Reply {
        Reply {
            errno: result.err().map_or(0, |e| e as i32),
        }
    }

    pub fn result(self) -> Result<(), Errno> {
        if self.errno == 0 {
            Ok(())
        } else {
            Err(Errno::from_raw(self.errno))
        }
    }
}

/// Send one message as a line.
pub fn send<T: Serialize>(socket: &UnixStream, message: &T) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(message).map_err(std::io::Error::other)?;
    line.push(b'\n');
    (&*socket).write_all(&line)
}

/// Read one line-message; `None` at end of stream.
pub fn receive<T: for<'de> Deserialize<'de>>(
    reader: &mut BufReader<&UnixStream>,
) -> std::io::Result<Option<T>> {
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line)? == 0 {
        return Ok(None);
    }
    serde_json::from_slice(&line)
        .map(Some)
        .map_err(std::io::Error::other)
}

/// The server's end: one request at a time, waiting for its answer.
pub struct Supervisor {
    socket: UnixStream,
}

impl Supervisor {
    pub fn new(socket: UnixStream) -> Supervisor {
        Supervisor { socket }
    }

    pub fn ask(&self, request: &Request) -> Result<(), Errno> {
        send(&self.socket, request).map_err(|_| Errno::EIO)?;
        let mut reader = BufReader::new(&self.socket);
        match receive::<Reply>(&mut reader) {
            Ok(Some(reply)) => reply.result(),
            _ => Err(Errno::EIO),
        }
    }
}
