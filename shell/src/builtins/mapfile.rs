use std::collections::BTreeMap;

use crate::exec::{Shell, Status};
use crate::vars::Value;

/// `mapfile [-t] [-n count] [-s skip] [-d delim] [-u fd] [array]` (and `readarray`) —
/// read lines of standard input into an indexed array (default `MAPFILE`); `-t`
/// drops the delimiter.
pub fn mapfile(sh: &mut Shell, argv: &[String]) -> Status {
    sh.reads_input();
    let mut trim = false;
    let mut count = 0usize;
    let mut skip = 0usize;
    let mut delim = b'\n';
    let mut fd = 0;
    let mut name = "MAPFILE".to_string();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        let mut value = || {
            i += 1;
            argv.get(i).cloned().unwrap_or_default()
        };
        match a {
            "-t" => trim = true,
            "-n" => count = value().parse().unwrap_or(0),
            "-s" => skip = value().parse().unwrap_or(0),
            "-d" => delim = value().bytes().next().unwrap_or(0),
            "-u" => fd = value().parse().unwrap_or(0),
            "-O" | "-c" | "-C" => {
                value();
            }
            n => name = n.to_string(),
        }
        i += 1;
    }
    if !crate::vars::valid_name(&name) {
        sh.error(format!(
            "mapfile: {}: not a valid identifier",
            pola_fileserver::text::shown(&name)
        ));
        return Ok(1);
    }
    let mut lines = BTreeMap::new();
    let mut n = 0usize;
    let mut seen = 0usize;
    loop {
        if count > 0 && n >= count {
            break;
        }
        let (mut bytes, ended) = super::read::read_until(fd, Some(delim));
        if bytes.is_empty() && ended.is_none() {
            break;
        }
        if !trim && ended.is_some() {
            bytes.push(delim);
        }
        seen += 1;
        if seen <= skip {
            continue;
        }
        lines.insert(n, String::from_utf8_lossy(&bytes).into_owned());
        n += 1;
        if ended.is_none() {
            break;
        }
    }
    match sh.vars.set_value(&name, Value::Indexed(lines)) {
        Ok(()) => Ok(0),
        Err(e) => {
            sh.error(format!("mapfile: {e}"));
            Ok(1)
        }
    }
}
