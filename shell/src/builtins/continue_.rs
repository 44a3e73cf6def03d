use crate::exec::{Flow, Shell, Status};

/// `continue [n]` — start the next round of the n-th innermost loop.
pub fn continue_(sh: &mut Shell, argv: &[String]) -> Status {
    super::break_::levels(sh, argv, "continue").map_err(Flow::Continue)
}
