//! Why the kernel refused this process a user namespace, and what fixes it.
//!
//! Every jail starts with a user namespace (`namespaces::enter_user`); without one
//! there is no jail, and pola-sh never runs a command with less confinement than it
//! asked for. What it can do is say, in one line, which of the common policies refused
//! and the one command that changes it, instead of a bare `EPERM`:
//!
//! - `user.max_user_namespaces` is 0, or its limit is reached (`ENOSPC`);
//! - `kernel.unprivileged_userns_clone=0`, Debian's and older Ubuntu's switch for
//!   users without `CAP_SYS_ADMIN`;
//! - a seccomp filter that refuses `unshare`, as Docker's default profile does for a
//!   container without `CAP_SYS_ADMIN`, or systemd's `RestrictNamespaces=`;
//! - AppArmor's restriction (`kernel.apparmor_restrict_unprivileged_userns=1`, Ubuntu
//!   since 24.04): a program without a profile that allows `userns` gets a namespace
//!   without capabilities, so writing its `uid_map` fails. The package's profile,
//!   `/etc/apparmor.d/pola-shim`, allows it to exactly [`INSTALLED_SHIM`]: the message
//!   says whether this shim is another path (a checkout), or the profile is missing,
//!   disabled or not loaded;
//! - a container that refuses them otherwise.
//!
//! Everything is read from files of the host: [`Host`] reads them under a root
//! directory, `/` in production. **Test seam:** tests point a `Host` at a fixture
//! directory that stands in for `/` (`proc/sys/...`, `proc/self/status`,
//! `etc/apparmor.d/...`; see `shim/fixtures/userns/`), so that each refusal's message
//! is checked without changing the machine's settings.

use std::fmt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
pub use pola_fileserver::launch::INSTALLED_SHIM;

/// The package's AppArmor profile for [`INSTALLED_SHIM`].
pub const APPARMOR_PROFILE: &str = "/etc/apparmor.d/pola-shim";
/// The name that profile gives the shim's processes (their AppArmor label).
const APPARMOR_LABEL: &str = "pola-shim";
/// Where AppArmor looks for links that disable a profile at boot.
const APPARMOR_DISABLED: &str = "/etc/apparmor.d/disable/pola-shim";

/// The bit of `CAP_SYS_ADMIN` in `/proc/self/status`'s capability masks.
const CAP_SYS_ADMIN: u32 = 21;

/// The host's state, as files under `root` (`/`, or a fixture directory in tests).
pub struct Host {
    root: PathBuf,
}

impl Host {
    /// The machine this process runs on.
    pub fn live() -> Host {
        Host { root: "/".into() }
    }

    /// A directory standing in for `/` (the test seam).
    #[cfg(test)]
    pub fn at(root: impl Into<PathBuf>) -> Host {
        Host { root: root.into() }
    }

    fn path(&self, absolute: &str) -> PathBuf {
        self.root.join(absolute.trim_start_matches('/'))
    }

    fn read(&self, absolute: &str) -> Option<String> {
        std::fs::read_to_string(self.path(absolute))
            .ok()
            .map(|s| s.trim().to_string())
    }

    fn exists(&self, absolute: &str) -> bool {
        // A disable link points at the profile; it counts even if that is gone.
        std::fs::symlink_metadata(self.path(absolute)).is_ok()
    }

    /// A field of `/proc/self/status` (`Seccomp`, `CapEff`).
    fn status(&self, field: &str) -> Option<String> {
        self.read("/proc/self/status")?.lines().find_map(|l| {
            l.strip_prefix(field)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(|v| v.trim().to_string())
        })
    }

    /// Whether the kernel treats this process as privileged for namespaces: in the
    /// initial user namespace with `CAP_SYS_ADMIN` (real root). The sysctls that
    /// restrict unprivileged users do not apply to it.
    fn privileged(&self) -> bool {
        let initial = self
            .read("/proc/self/uid_map")
            .is_some_and(|m| m.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"]);
        let sys_admin = self
            .status("CapEff")
            .and_then(|hex| u64::from_str_radix(&hex, 16).ok())
            .is_some_and(|caps| caps & (1 << CAP_SYS_ADMIN) != 0);
        initial && sys_admin
    }

    fn seccomp_filtered(&self) -> bool {
        self.status("Seccomp").as_deref() == Some("2")
    }

    fn lacks_sys_admin(&self) -> bool {
        self.status("CapEff")
            .and_then(|hex| u64::from_str_radix(&hex, 16).ok())
            .is_some_and(|caps| caps & (1 << CAP_SYS_ADMIN) == 0)
    }

    /// The container this process runs in, by the file its runtime leaves.
    fn container(&self) -> Option<&'static str> {
        [
            ("/.dockerenv", "Docker"),
            ("/run/.containerenv", "Podman"),
            ("/run/systemd/container", "a systemd container"),
        ]
        .into_iter()
        .find(|(marker, _)| self.exists(marker))
        .map(|(_, name)| name)
    }

    /// This process's AppArmor label (`unconfined`, `pola-shim (unconfined)`), if
    /// AppArmor labels it.
    fn apparmor_label(&self) -> Option<String> {
        self.read("/proc/self/attr/apparmor/current")
            .or_else(|| self.read("/proc/self/attr/current"))
    }
}

/// Which call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `unshare(CLONE_NEWUSER)` itself.
    Unshare,
    /// Writing the new namespace's `setgroups`, `uid_map` or `gid_map`.
    Map,
}

/// Why user namespaces were refused; its `Display` is the reason and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `user.max_user_namespaces` is 0.
    MaxZero,
    /// The limit (`user.max_user_namespaces`, or 32 nested) is reached.
    LimitReached { limit: Option<String> },
    /// `kernel.unprivileged_userns_clone=0`.
    UnprivilegedClone,
    /// AppArmor's restriction, and why the package's profile does not lift it here.
    AppArmor(Profile),
    /// A seccomp filter refuses `unshare`.
    Seccomp {
        container: Option<&'static str>,
        sys_admin: bool,
    },
    /// A container refuses them (no `CAP_SYS_ADMIN`, its runtime's policy).
    Container(&'static str),
    /// None of the known causes.
    Unknown,
}

/// Why the package's AppArmor profile does not apply to this shim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Profile {
    /// The shim is not the installed one (a checkout's `target/`).
    OtherPath(PathBuf),
    /// `/etc/apparmor.d/pola-shim` is not there.
    Missing,
    /// It is disabled by a link in `/etc/apparmor.d/disable/`.
    Disabled,
    /// It is there but not loaded into the kernel.
    NotLoaded,
}

/// Why `step` failed with `errno` for the shim at `exe`, on `host`.
pub fn diagnose(host: &Host, step: Step, errno: Errno, exe: &Path) -> Refusal {
    let max = host.read("/proc/sys/user/max_user_namespaces");
    if max.as_deref() == Some("0") {
        return Refusal::MaxZero;
    }
    if step == Step::Unshare && matches!(errno, Errno::ENOSPC | Errno::EUSERS) {
        return Refusal::LimitReached { limit: max };
    }
    let privileged = host.privileged();
    if step == Step::Unshare
        && !privileged
        && host
            .read("/proc/sys/kernel/unprivileged_userns_clone")
            .as_deref()
            == Some("0")
    {
        return Refusal::UnprivilegedClone;
    }
    // A filter refuses the call itself; AppArmor's restriction lets it succeed and
    // refuses what the namespace is for.
    if step == Step::Unshare && host.seccomp_filtered() {
        return Refusal::Seccomp {
            container: host.container(),
            sys_admin: !host.lacks_sys_admin(),
        };
    }
    if !privileged
        && host
            .read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
            .as_deref()
            == Some("1")
    {
        if let Some(profile) = apparmor_profile(host, exe) {
            return Refusal::AppArmor(profile);
        }
    }
    if step == Step::Unshare {
        if let Some(container) = host.container() {
            return Refusal::Container(container);
        }
    }
    Refusal::Unknown
}

/// Why the profile does not apply, or None if this process has it (so AppArmor's
/// restriction is not what refused).
fn apparmor_profile(host: &Host, exe: &Path) -> Option<Profile> {
    let label = host.apparmor_label().unwrap_or_default();
    if label == APPARMOR_LABEL || label.starts_with(&format!("{APPARMOR_LABEL} (")) {
        return None;
    }
    Some(if exe != Path::new(INSTALLED_SHIM) {
        Profile::OtherPath(exe.to_path_buf())
    } else if !host.exists(APPARMOR_PROFILE) {
        Profile::Missing
    } else if host.exists(APPARMOR_DISABLED) {
        Profile::Disabled
    } else {
        Profile::NotLoaded
    })
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::MaxZero => write!(
                f,
                "user.max_user_namespaces is 0; allow them with: sysctl -w user.max_user_namespaces=15000"
            ),
            Refusal::LimitReached { limit } => write!(
                f,
                "too many user namespaces (user.max_user_namespaces is {}, and at most 32 nest); raise the limit with: sysctl -w user.max_user_namespaces=15000",
                limit.as_deref().unwrap_or("unknown")
            ),
            Refusal::UnprivilegedClone => write!(
                f,
                "the kernel refuses them to users without CAP_SYS_ADMIN (kernel.unprivileged_userns_clone=0); allow them with: sysctl -w kernel.unprivileged_userns_clone=1"
            ),
            Refusal::AppArmor(profile) => {
                write!(
                    f,
                    "AppArmor refuses them to programs without a profile that allows them (kernel.apparmor_restrict_unprivileged_userns=1), and "
                )?;
                match profile {
                    Profile::OtherPath(exe) => write!(
                        f,
                        "the pola-sh package's profile allows only {INSTALLED_SHIM}, not {}; install the package (README: Install) and run /usr/bin/pola-sh or /usr/bin/pola-run",
                        pola_fileserver::text::shown(exe)
                    ),
                    Profile::Missing => write!(
                        f,
                        "its profile for pola-shim, {APPARMOR_PROFILE}, is missing; restore it with: apt-get install --reinstall -o Dpkg::Options::=--force-confmiss pola-sh"
                    ),
                    Profile::Disabled => write!(
                        f,
                        "its profile for pola-shim, {APPARMOR_PROFILE}, is disabled; enable it with: rm {APPARMOR_DISABLED} && apparmor_parser -r {APPARMOR_PROFILE}"
                    ),
                    Profile::NotLoaded => write!(
                        f,
                        "its profile for pola-shim, {APPARMOR_PROFILE}, is not loaded; load it with: apparmor_parser -r {APPARMOR_PROFILE}"
                    ),
                }
            }
            Refusal::Seccomp {
                container: Some(container),
                sys_admin: false,
            } => write!(
                f,
                "this {container} container's seccomp policy refuses unshare to a container without CAP_SYS_ADMIN; run it with a seccomp profile that allows unshare (--security-opt seccomp=unconfined) or with --cap-add SYS_ADMIN"
            ),
            Refusal::Seccomp {
                container: Some(container),
                sys_admin: true,
            } => write!(
                f,
                "this {container} container's seccomp policy refuses unshare; run it with a seccomp profile that allows unshare (--security-opt seccomp=unconfined)"
            ),
            Refusal::Seccomp {
                container: None, ..
            } => write!(
                f,
                "a seccomp filter on this process (Seccomp: 2 in /proc/self/status) refuses unshare; run pola-sh outside that sandbox, or allow unshare in its policy (systemd: RestrictNamespaces=no)"
            ),
            Refusal::Container(container) => write!(
                f,
                "this {container} container refuses them; run it with user namespaces allowed (--security-opt seccomp=unconfined --security-opt apparmor=unconfined, or --cap-add SYS_ADMIN)"
            ),
            Refusal::Unknown => write!(
                f,
                "check kernel.unprivileged_userns_clone, user.max_user_namespaces, kernel.apparmor_restrict_unprivileged_userns and any seccomp, AppArmor or SELinux policy on this process"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture directory `name`, standing in for `/`.
    fn fixture(name: &str) -> Host {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/userns")
            .join(name);
        assert!(root.is_dir(), "no fixture {}", root.display());
        Host::at(root)
    }

    const CHECKOUT: &str = "/home/u/pola-sh/target/release/pola-shim";

    fn installed() -> &'static Path {
        Path::new(INSTALLED_SHIM)
    }

    #[test]
    fn max_user_namespaces_zero() {
        let host = fixture("max-zero");
        let why = diagnose(&host, Step::Unshare, Errno::ENOSPC, installed());
        assert_eq!(why, Refusal::MaxZero);
        assert!(why
            .to_string()
            .ends_with("allow them with: sysctl -w user.max_user_namespaces=15000"));
    }

    #[test]
    fn limit_reached() {
        let host = fixture("limit-reached");
        let why = diagnose(&host, Step::Unshare, Errno::ENOSPC, installed());
        assert_eq!(
            why,
            Refusal::LimitReached {
                limit: Some("7".into())
            }
        );
        assert!(why.to_string().contains("user.max_user_namespaces is 7"));
    }

    #[test]
    fn debian_unprivileged_clone_off() {
        let host = fixture("debian-clone-off");
        let why = diagnose(&host, Step::Unshare, Errno::EPERM, installed());
        assert_eq!(why, Refusal::UnprivilegedClone);
        assert!(why
            .to_string()
            .contains("sysctl -w kernel.unprivileged_userns_clone=1"));
    }

    #[test]
    fn root_is_not_refused_by_the_unprivileged_switch() {
        // The same host, as real root: the switch does not apply, so it is not named.
        let host = fixture("debian-clone-off-root");
        let why = diagnose(&host, Step::Unshare, Errno::EPERM, installed());
        assert_eq!(why, Refusal::Unknown);
    }

    #[test]
    fn ubuntu_apparmor_refuses_a_checkouts_shim() {
        let host = fixture("ubuntu-24.04");
        let why = diagnose(&host, Step::Map, Errno::EPERM, Path::new(CHECKOUT));
        assert_eq!(why, Refusal::AppArmor(Profile::OtherPath(CHECKOUT.into())));
        let text = why.to_string();
        assert!(
            text.contains("kernel.apparmor_restrict_unprivileged_userns=1"),
            "{text}"
        );
        assert!(
            text.contains(&format!("allows only {INSTALLED_SHIM}, not {CHECKOUT}")),
            "{text}"
        );
    }

    #[test]
    fn ubuntu_apparmor_profile_not_loaded() {
        let host = fixture("ubuntu-24.04");
        let why = diagnose(&host, Step::Map, Errno::EPERM, installed());
        assert_eq!(why, Refusal::AppArmor(Profile::NotLoaded));
        assert!(why
            .to_string()
            .ends_with("load it with: apparmor_parser -r /etc/apparmor.d/pola-shim"));
    }

    #[test]
    fn ubuntu_apparmor_profile_missing() {
        let host = fixture("ubuntu-24.04-no-profile");
        let why = diagnose(&host, Step::Map, Errno::EPERM, installed());
        assert_eq!(why, Refusal::AppArmor(Profile::Missing));
        assert!(why.to_string().contains("--force-confmiss pola-sh"));
    }

    #[test]
    fn ubuntu_apparmor_profile_disabled() {
        let host = fixture("ubuntu-24.04-disabled");
        let why = diagnose(&host, Step::Map, Errno::EPERM, installed());
        assert_eq!(why, Refusal::AppArmor(Profile::Disabled));
        assert!(why
            .to_string()
            .contains("rm /etc/apparmor.d/disable/pola-shim && apparmor_parser -r"));
    }

    #[test]
    fn ubuntu_with_the_profile_applied_is_not_blamed_on_apparmor() {
        let host = fixture("ubuntu-24.04-confined");
        let why = diagnose(&host, Step::Map, Errno::EPERM, installed());
        assert_eq!(why, Refusal::Unknown);
    }

    #[test]
    fn root_is_not_refused_by_apparmor() {
        let host = fixture("ubuntu-24.04-root");
        let why = diagnose(&host, Step::Map, Errno::EPERM, installed());
        assert_eq!(why, Refusal::Unknown);
    }

    #[test]
    fn docker_default_seccomp_without_sys_admin() {
        let host = fixture("docker-default");
        let why = diagnose(&host, Step::Unshare, Errno::EPERM, installed());
        assert_eq!(
            why,
            Refusal::Seccomp {
                container: Some("Docker"),
                sys_admin: false
            }
        );
        let text = why.to_string();
        assert!(text.contains("without CAP_SYS_ADMIN"), "{text}");
        assert!(text.contains("--security-opt seccomp=unconfined"), "{text}");
    }

    #[test]
    fn seccomp_filter_outside_a_container() {
        let host = fixture("systemd-restrict-namespaces");
        let why = diagnose(&host, Step::Unshare, Errno::EPERM, installed());
        assert_eq!(
            why,
            Refusal::Seccomp {
                container: None,
                sys_admin: false
            }
        );
        assert!(why.to_string().contains("RestrictNamespaces=no"));
    }

    #[test]
    fn podman_container_without_a_filter() {
        let host = fixture("podman");
        let why = diagnose(&host, Step::Unshare, Errno::EPERM, installed());
        assert_eq!(why, Refusal::Container("Podman"));
    }

    #[test]
    fn unknown_cause_names_what_to_check() {
        let host = fixture("plain");
        let why = diagnose(&host, Step::Unshare, Errno::EPERM, installed());
        assert_eq!(why, Refusal::Unknown);
        assert!(why
            .to_string()
            .starts_with("check kernel.unprivileged_userns_clone"));
    }

    #[test]
    fn every_message_is_one_line() {
        let all = [
            Refusal::MaxZero,
            Refusal::LimitReached { limit: None },
            Refusal::UnprivilegedClone,
            Refusal::AppArmor(Profile::OtherPath("/tmp/a\nb/pola-shim".into())),
            Refusal::AppArmor(Profile::Missing),
            Refusal::AppArmor(Profile::Disabled),
            Refusal::AppArmor(Profile::NotLoaded),
            Refusal::Seccomp {
                container: Some("Docker"),
                sys_admin: false,
            },
            Refusal::Seccomp {
                container: Some("Docker"),
                sys_admin: true,
            },
            Refusal::Seccomp {
                container: None,
                sys_admin: false,
            },
            Refusal::Container("Podman"),
            Refusal::Unknown,
        ];
        for why in all {
            let text = why.to_string();
            assert!(!text.contains('\n'), "{text:?}");
        }
    }
}
