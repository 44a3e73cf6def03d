use crate::exec::{Shell, Status};

/// `dirs [-c] [-p] [-v]` — the directory stack `pushd` keeps, the working directory
/// first (`~` for home).
pub fn dirs(sh: &mut Shell, argv: &[String]) -> Status {
    if argv[1..].iter().any(|a| a == "-c") {
        sh.dir_stack.clear();
        return Ok(0);
    }
    let lines = argv[1..].iter().any(|a| a == "-p" || a == "-v");
    let numbered = argv[1..].iter().any(|a| a == "-v");
    let entries = stack(sh);
    let text = if lines {
        entries
            .iter()
            .enumerate()
            .map(|(i, d)| {
                if numbered {
                    format!("{i:2}  {d}\n")
                } else {
                    format!("{d}\n")
                }
            })
            .collect()
    } else {
        format!("{}\n", entries.join(" "))
    };
    Ok(if super::out(&text) { 0 } else { 1 })
}

/// The stack as `dirs` shows it: the working directory, then what `pushd` kept.
/// The directory stack's names (which a jail may have chosen: what prints them is
/// marked as a command's output, fourth review).
pub fn stack(sh: &Shell) -> Vec<String> {
    sh.report_made();
    let home = sh.get("HOME").unwrap_or("").to_string();
    let tilde = |d: &str| {
        if !home.is_empty() && home != "/" && (d == home || d.starts_with(&format!("{home}/"))) {
            format!("~{}", &d[home.len()..])
        } else {
            d.to_string()
        }
    };
    let mut out = vec![tilde(&crate::escapes::from_os(sh.cwd().as_os_str()))];
    out.extend(sh.dir_stack.iter().rev().map(|d| tilde(d)));
    out
}
