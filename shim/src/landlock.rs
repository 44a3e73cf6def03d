//! Landlock: the kernel's own access control for unprivileged processes, where the
//! kernel has it (best effort on older kernels).
//!
//! The mount namespace already limits what exists; Landlock is the second wall that
//! holds even if a mount flag were somehow lifted: nothing may be written, created,
//! removed or renamed except in the writable grants and the private tmpfs directories,
//! and device and `/proc` files may be written but not created or removed. It also scopes what no mount can: abstract Unix sockets (an X11 or D-Bus
//! socket of the host, SECURITY.md 14) and signals to processes outside the jail's
//! Landlock domain (SECURITY.md 15). With `@net:connect=…`/`@net:bind=…` it also holds
//! TCP to the listed ports (the seccomp filter keeps the other protocols out).

use std::path::PathBuf;

use ::landlock::{
    path_beneath_rules, Access, AccessFs, AccessNet, CompatLevel, Compatible, NetPort, Ruleset,
    RulesetAttr, RulesetCreatedAttr, RulesetError, RulesetStatus, Scope, ABI,
};
use pola_fileserver::network::Network;
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
            // A tmpfs at `/dev` (`HOME=/dev`, or the environment file's) is not
            // scratch space: only its devices are written.
            Step::Tmpfs { .. } => n.path.as_os_str() != "/dev",
            Step::SlotDir { .. } => true,
            _ => false,
        })
        .map(|n| n.path.clone())
        .collect()
}

/// Restrict this process (and its future children). Returns whether the kernel
/// enforced the ruleset fully.
pub fn restrict(plan: &JailPlan) -> Result<RulesetStatus, RulesetError> {
    // Reading and executing are allowed everywhere in the jail (the mount namespace
    // holds only what may be read), so those rights are not handled at all: a handled
    // right costs a walk from the file up to `/` on every open that asks for it, about
    // 1 µs each. Truncate and IoctlDev are checked on *every* open when handled, so
    // they are left to the mounts too: truncating needs a writable mount (or a file
    // opened for writing, which WriteFile covers), and only `/dev` has device nodes.
    let write = AccessFs::from_all(ABI_TARGET)
        & !AccessFs::from_read(ABI_TARGET)
        & !(AccessFs::Truncate | AccessFs::IoctlDev);
    let device = AccessFs::WriteFile;
    let mut ruleset = Ruleset::default()
        .handle_access(write)?
        .scope(Scope::AbstractUnixSocket | Scope::Signal)?;
    let mut ports = Vec::new();
    if let Network::Ports { connect, bind } = &plan.net {
        // Port rules are the whole point of `@net:connect=…`: a kernel without them
        // (Landlock ABI < 4) must refuse the launch, not give every port.
        ruleset = ruleset
            .set_compatibility(CompatLevel::HardRequirement)
            .handle_access(AccessNet::from_all(ABI::V4))?
            .set_compatibility(CompatLevel::BestEffort);
        ports.extend(
            connect
                .iter()
                .map(|p| NetPort::new(*p, AccessNet::ConnectTcp)),
        );
        ports.extend(bind.iter().map(|p| NetPort::new(*p, AccessNet::BindTcp)));
    }
    let status = ruleset
        .create()?
        .add_rules(ports.into_iter().map(Ok::<_, RulesetError>))?
        .add_rules(path_beneath_rules(["/dev", "/proc"], device))?
        .add_rules(path_beneath_rules(writable_paths(plan), write))?
        .restrict_self()?;
    Ok(status.ruleset)
}
