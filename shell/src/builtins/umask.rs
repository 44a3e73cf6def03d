use nix::sys::stat::{umask as set_umask, Mode};

use crate::exec::{Shell, Status};

/// `umask [mask]` — show or set the file creation mask (octal). Files the shell
/// creates for write grants and redirections follow it.
pub fn umask(sh: &mut Shell, argv: &[String]) -> Status {
    match argv.get(1) {
        None => {
            let current = set_umask(Mode::empty());
            set_umask(current);
            super::out(&format!("{:04o}\n", current.bits()));
            Ok(0)
        }
        Some(m) => match u32::from_str_radix(m, 8) {
            Ok(bits) if bits <= 0o777 => {
                set_umask(Mode::from_bits_truncate(bits));
                Ok(0)
            }
            _ => {
                sh.error(format!(
                    "umask: {}: invalid mask (give it in octal, like 022)",
                    pola_fileserver::text::shown(m)
                ));
                Ok(1)
            }
        },
    }
}
