use crate::exec::{Shell, Status};

/// `local [-aAilrux] [name[=value]...]` — variables of the running function, unset
/// (or set to value) until it returns; `local -` keeps the shell's options for it.
pub fn local(sh: &mut Shell, argv: &[String]) -> Status {
    if !sh.vars.in_function() {
        sh.error("local: can only be used in a function");
        return Ok(1);
    }
    if argv[1..].iter().any(|a| a == "-") {
        sh.save_options_for_function();
        let rest: Vec<String> = argv.iter().filter(|a| *a != "-").cloned().collect();
        if rest.len() == 1 {
            return Ok(0);
        }
        return super::declare::declare_as(sh, &rest, true, "local");
    }
    super::declare::declare_as(sh, argv, true, "local")
}
