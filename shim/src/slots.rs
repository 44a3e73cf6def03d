//! The supervisor's side of slots (see `pola_fileserver::slots`): carriers, and the
//! mounts the server asks for while the command runs.
//!
//! A jail's mounts are locked against the command, so nothing can be mounted into its
//! namespace from inside once it runs. The supervisor (this shim process, outside the
//! jail's namespaces' lock) keeps a mount namespace of its own in which, for each slot
//! directory, the staging directory is bound onto itself and made shared — the
//! carrier. PID 1 builds the jail in a namespace of its own, binding a copy of the
//! carrier (a peer) at the slot directory's place; when PID 1 locks the jail (a new
//! user and mount namespace), that copy becomes a slave. From then on, a mount the
//! supervisor makes on a placeholder in its carrier appears in the jail, and an
//! unmount disappears from it, while nothing the jail could do propagates back.
//!
//! The supervisor mounts only host objects it opens itself without following a link
//! and that are the very object (device, inode) the server named.

use std::io::BufReader;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag, AT_FDCWD};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sys::stat::fstat;
use pola_fileserver::plan::{JailPlan, Step};
use pola_fileserver::slots::protocol::{self, Reply, Request};

use crate::rootfs::RootfsError;
use crate::sys;

/// The carrier of each slot directory, by its index in the plan.
pub struct Carriers(Vec<(usize, OwnedFd)>);

fn open_checked(host: &Path, is_dir: bool, identity: (u64, u64)) -> Result<OwnedFd, Errno> {
    let mut flags = OFlag::O_PATH | OFlag::O_CLOEXEC;
    if is_dir {
        flags |= OFlag::O_DIRECTORY;
    }
    let how = OpenHow::new()
        .flags(flags)
        .resolve(ResolveFlag::RESOLVE_NO_SYMLINKS | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let fd = openat2(AT_FDCWD, host, how)?;
    let st = fstat(&fd)?;
    if (st.st_dev, st.st_ino) != identity {
        return Err(Errno::ESTALE);
    }
    Ok(fd)
}

fn proc_path(fd: &impl AsRawFd) -> String {
    format!("/proc/self/fd/{}", fd.as_raw_fd())
}

/// Whether the plan has slots (a carrier each, and the server's socket to the jail's
/// supervisor).
pub fn wanted(plan: &JailPlan) -> bool {
    plan.nodes
        .iter()
        .any(|n| matches!(n.step, Step::SlotDir { .. }))
}

/// In the supervisor, before PID 1 is forked: a carrier for each slot directory of the
/// plan. The namespace has been made private already.
pub fn carriers(plan: &JailPlan, witnesses: &[OwnedFd]) -> Result<Option<Carriers>, RootfsError> {
    let mut out = Vec::new();
    for node in &plan.nodes {
        let Step::SlotDir {
            host,
            witness,
            index,
        } = &node.step
        else {
            continue;
        };
        let w = witnesses
            .get(*witness)
            .ok_or(RootfsError::MissingWitness(*witness))?;
        let err = |errno| RootfsError::Mount {
            what: format!("carrier for {}", pola_fileserver::text::shown(host)),
            errno,
        };
        let st = fstat(w).map_err(err)?;
        let staging = open_checked(host, true, (st.st_dev, st.st_ino)).map_err(|errno| {
            if errno == Errno::ESTALE {
                RootfsError::Changed(host.to_path_buf())
            } else {
                err(errno)
            }
        })?;
        let tree = sys::clone_tree(staging.as_fd()).map_err(err)?;
        sys::attach(tree.as_fd(), staging.as_fd()).map_err(err)?;
        // The descriptor from before names the directory underneath the new mount.
        let carrier = open_checked(host, true, (st.st_dev, st.st_ino)).map_err(err)?;
        mount(
            None::<&str>,
            proc_path(&carrier).as_str(),
            None::<&str>,
            MsFlags::MS_SHARED,
            None::<&str>,
        )
        .map_err(err)?;
        out.push((*index, carrier));
    }
    Ok((!out.is_empty()).then_some(Carriers(out)))
}

impl Carriers {
    fn carrier(&self, dir: usize) -> Result<&OwnedFd, Errno> {
        self.0
            .iter()
            .find(|(i, _)| *i == dir)
            .map(|(_, fd)| fd)
            .ok_or(Errno::ENOENT)
    }

    fn point(&self, dir: usize, name: &Path) -> Result<OwnedFd, Errno> {
        if name.components().count() != 1 || name.as_os_str().is_empty() {
            return Err(Errno::EINVAL);
        }
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_SYMLINKS);
        openat2(self.carrier(dir)?, name, how)
    }

    fn mount(
        &self,
        dir: usize,
        name: &Path,
        host: &Path,
        identity: (u64, u64),
        is_dir: bool,
    ) -> Result<(), Errno> {
        let source = open_checked(host, is_dir, identity)?;
        let target = self.point(dir, name)?;
        let tree = sys::clone_tree(source.as_fd())?;
        sys::set_attr(
            tree.as_fd(),
            sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV,
            true,
        )?;
        sys::attach(tree.as_fd(), target.as_fd())
    }

    fn unmount(&self, dir: usize, name: &Path) -> Result<(), Errno> {
        let target = self.point(dir, name)?;
        match umount2(proc_path(&target).as_str(), MntFlags::MNT_DETACH) {
            // Nothing was mounted there (any more): the same as done.
            Ok(()) | Err(Errno::EINVAL) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Answer one request of the server (the socket is readable). False when the
    /// server has hung up or the socket fails.
    pub fn serve_one(&self, reader: &mut BufReader<&UnixStream>) -> bool {
        let Ok(Some(request)) = protocol::receive::<Request>(reader) else {
            return false;
        };
        let result = match &request {
            Request::Mount {
                dir,
                name,
                host,
                dev,
                ino,
                is_dir,
            } => self.mount(*dir, name, host, (*dev, *ino), *is_dir),
            Request::Unmount { dir, name } => self.unmount(*dir, name),
        };
        protocol::send(reader.get_ref(), &Reply::of(result)).is_ok()
    }
}

/// Make every mount of this namespace private: nothing mounted for the jail may
/// propagate back to the host's namespace (carriers are made shared afterwards).
pub fn make_private(what: &str) -> Result<(), RootfsError> {
    crate::sys::make_private().map_err(|errno| RootfsError::Mount {
        what: what.into(),
        errno,
    })
}
