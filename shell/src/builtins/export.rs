use crate::exec::{Shell, Status};

/// `export [-fn] [-p] [name[=value]]...` — pass these variables to every command from
/// now on (jailed commands get only the minimal environment plus what is exported);
/// `-n` stops passing them; with no names or `-p`, list what is exported.
pub fn export(sh: &mut Shell, argv: &[String]) -> Status {
    let (mut f, operands) = match super::declare::flags(sh, "export", argv) {
        Ok(x) => x,
        Err(s) => return s,
    };
    if f.functions {
        // Functions cannot reach a jail: they live in the shell.
        return Ok(0);
    }
    if operands.is_empty() {
        let text = super::declare::listing(sh, |v| v.exported);
        return Ok(if super::out(&text) { 0 } else { 1 });
    }
    let unexport = f.unset.contains('x')
        || argv[1..]
            .iter()
            .any(|a| a.starts_with('-') && a.contains('n'));
    f.set.clear();
    f.unset.clear();
    if unexport {
        f.unset.push('x');
    } else {
        f.set.push('x');
    }
    let mut status = 0;
    for op in &operands {
        if let Err(e) = super::declare::declare_one(sh, op, &f, false) {
            sh.error(format!("export: {e}"));
            status = 1;
        }
    }
    Ok(status)
}
