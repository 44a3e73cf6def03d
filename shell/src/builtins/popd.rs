use crate::exec::{Shell, Status};

/// `popd` — go back to the directory the last `pushd` left; prints the stack.
pub fn popd(sh: &mut Shell, _: &[String]) -> Status {
    let Some(dir) = sh.dir_stack.pop() else {
        sh.error("popd: directory stack empty");
        return Ok(1);
    };
    let status = super::cd::change(sh, &dir, false, false, "popd")?;
    if status == 0 {
        super::out(&format!("{}\n", super::dirs::stack(sh).join(" ")));
    }
    Ok(status)
}
