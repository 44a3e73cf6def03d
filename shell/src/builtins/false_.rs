use crate::exec::{Shell, Status};

/// `false`
pub fn false_(_: &mut Shell, _: &[String]) -> Status {
    Ok(1)
}
