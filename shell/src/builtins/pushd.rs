use crate::exec::{Shell, Status};

/// `pushd [dir]` — go to dir and remember where the shell was (no dir: swap the top
/// two directories); prints the stack.
pub fn pushd(sh: &mut Shell, argv: &[String]) -> Status {
    let here = crate::escapes::from_os(sh.cwd().as_os_str());
    let target = match argv.get(1) {
        Some(d) => d.clone(),
        None => match sh.dir_stack.pop() {
            Some(d) => d,
            None => {
                sh.error("pushd: no other directory");
                return Ok(1);
            }
        },
    };
    let status = super::cd::change(sh, &target, false, false, "pushd")?;
    if status != 0 {
        return Ok(status);
    }
    sh.dir_stack.push(here);
    super::out(&format!("{}\n", super::dirs::stack(sh).join(" ")));
    Ok(0)
}
