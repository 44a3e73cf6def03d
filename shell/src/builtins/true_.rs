use crate::exec::{Shell, Status};

/// `true`
pub fn true_(_: &mut Shell, _: &[String]) -> Status {
    Ok(0)
}
