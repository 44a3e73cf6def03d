use crate::exec::{Shell, Status};

/// `readonly [-p] [name[=value]...]` — make variables read-only (setting them
/// first); with no names or `-p`, list the read-only variables.
pub fn readonly(sh: &mut Shell, argv: &[String]) -> Status {
    let (mut f, operands) = match super::declare::flags(sh, "readonly", argv) {
        Ok(x) => x,
        Err(s) => return s,
    };
    if f.functions {
        return Ok(0);
    }
    if operands.is_empty() {
        let text = super::declare::listing(sh, |v| v.readonly);
        return Ok(if super::out(&text) { 0 } else { 1 });
    }
    f.set.push('r');
    let mut status = 0;
    for op in &operands {
        if let Err(e) = super::declare::declare_one(sh, op, &f, false) {
            sh.error(format!("readonly: {e}"));
            status = 1;
        }
    }
    Ok(status)
}
