//! pola-sh's file server, in the shell's own process.
//!
//! - [`namespace`]: the jail's file namespace as plain data (no kernel calls).
//! - [`environment`]: the default environment every command gets, as data.
//! - [`resolve`]: grants resolved on the host with the caller's authority, in the
//!   kernel, each kept as a witness descriptor.
//! - [`network`]: the network capability (`@net`, `@net:connect=443`, `@net:pypi.org`);
//!   [`proxy`]: the filtering proxy through which a jail reaches the hosts it was
//!   granted by name.
//! - [`plan`]: what is sent to `pola-shim`, and what it reports back.
//! - [`planted`]: resolving names so that a link or FIFO a jail may have left never
//!   redirects the user's authority.
//! - [`profile`]: per-program grants written down in the user's config directory;
//!   [`shipped`]: the ones pola-sh ships for toolchains in the home directory.
//! - [`mediate`]: watching a jail's path lookups (seccomp user notification), over
//!   the raw ioctls of [`unotify`].
//! - [`hints`]: after a command failed, what it looked for and was not granted.
//! - [`ask`]: ask mode, the user granting a file at run time; [`powerbox`]: a program
//!   asking the user for a file; both ask through [`terminal`].
//! - [`slots`]: write grants as slots (create, replace, rename, remove one name),
//!   delegated to the server through a staging directory.
//! - [`seccomp`]: the seccomp filters, compiled once per process for the shim.
//! - [`launch`]: starting `pola-shim` on a socketpair and serving it.
//! - [`supervise`]: forwarding signals to a child and waiting for it.
//! - [`text`]: the one way text a jail made (names, paths) is shown to the user.
//! - [`pty`]: each jail's own pseudo-terminal in an interactive shell; [`relay`]: the
//!   thread that relays between them and the user's terminal.
//! - [`limits`]: resource limits per jail, held by a [`cgroup`] of its own where the
//!   kernel lets the caller make one, else by what the shim can set itself.

pub mod ask;
pub mod cgroup;
pub mod cwd_host;
pub mod environment;
pub mod hints;
pub mod launch;
pub mod limits;
pub mod mediate;
pub mod mounts;
pub mod namespace;
pub mod network;
pub mod phases;
pub mod plan;
pub mod planted;
pub mod powerbox;
pub mod profile;
pub mod proxy;
pub mod pty;
pub mod relay;
pub mod resolve;
pub mod seccomp;
pub mod shipped;
pub mod slots;
pub mod supervise;
pub mod template;
pub mod terminal;
pub mod text;
pub mod unotify;
pub mod workers;
pub mod zygote;

/// The `tracing` target of audit records: launches, denials, runtime grants.
pub const AUDIT: &str = "pola::audit";
