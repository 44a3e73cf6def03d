//! Landlock: the kernel's own access control for unprivileged processes, where the
//! kernel has it (best effort on older kernels).
//!
//! The mount namespace already limits what exists; Landlock is the second wall that
//! holds even if a mount flag were somehow lifted: everything is read/execute-only
//! except the writable grants, the private tmpfs directories, and device and `/proc`
//! files. It also scopes what no mount can: abstract Unix sockets (an X11 or D-Bus
//! socket of the host, SECURITY.md 14) and signals to processes outside the jail's
//! Landlock domain (SECURITY.md 15).

use std::path::PathBuf;

use ::landlock::{
    path_beneath_rules, Access, AccessFs, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetError,
    RulesetStatus, Scope, ABI,
};
use pola_fileserver::plan::{JailPlan, Step};

const ABI_TARGET: ABI = ABI::V6;

/// The paths the command may change, besides devices and `/proc`.
fn writable_paths(plan: &JailPlan) -> Vec<PathBuf> {
    plan.nodes
        .iter()
        .filter(|n| match n.step {
            Step::Bind {
                writable, device, ..
            } => writable && !device,
            Step::Tmpfs { .. } => n.path.as_os_str() != "/dev",
            _ => false,
        })
        .map(|n| n.path.clone())
        .collect()
}

/// Restrict this process (and its future children). Returns whether the kernel
/// enforced the ruleset fully.
pub fn restrict(plan: &JailPlan) -> Result<RulesetStatus, RulesetError> {
    let read = AccessFs::from_read(ABI_TARGET);
    let all = AccessFs::from_all(ABI_TARGET);
    let device = read | AccessFs::WriteFile | AccessFs::Truncate | AccessFs::IoctlDev;
    let status = Ruleset::default()
        .handle_access(all)?
        .scope(Scope::AbstractUnixSocket | Scope::Signal)?
        .create()?
        .add_rules(path_beneath_rules(["/"], read))?
        .add_rules(path_beneath_rules(["/dev", "/proc"], device))?
        .add_rules(path_beneath_rules(writable_paths(plan), all))?
        .restrict_self()?;
    Ok(status.ruleset)
}
