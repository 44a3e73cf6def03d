//! pola-sh, the least-authority shell, and `pola-run`, its jail from the command line.
//!
//! - [`jail`]: running one command in a jail (namespace, plan, shim, wait).
//! - [`report`]: the one way errors reach the user.

pub mod arith;
pub mod ast;
pub mod expand;
pub mod grants;
pub mod jail;
pub mod parse;
pub mod report;
