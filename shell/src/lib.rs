//! pola-sh, the least-authority shell, and `pola-run`, its jail from the command line.
//!
//! - [`parse`] → [`ast`]: the language, a POSIX sh core plus Plash's grants.
//! - [`expand`] (with [`arith`]): words to fields.
//! - [`grants`]: fields and markers to arguments and grants.
//! - [`exec`] (with [`builtins`], [`redirect`]): running it, each external command in
//!   its own jail ([`jail`]), pola-sh's own files kept read-only in it ([`protect`]).
//! - [`report`]: the one way errors reach the user.

pub mod arith;
mod assign;
pub mod ast;
pub mod builtins;
pub mod cond;
pub mod editors;
pub mod escapes;
pub mod exec;
pub mod expand;
pub mod grants;
pub mod interactive;
pub mod jail;
pub mod job;
pub mod lookup;
pub mod options;
pub mod parse;
pub mod pattern;
pub mod pretty;
pub mod prompt;
pub mod protect;
pub mod redirect;
pub mod report;
pub mod scratch;
mod sys;
pub use sys::lifeline;
pub use sys::random_letters;
pub mod traps;
pub mod vars;
