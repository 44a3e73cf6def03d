//! The launch plan sent to `pola-shim`, and the messages it sends back.
//!
//! The plan is the namespace in the order the shim must build it (parents before
//! children), with host paths already resolved by the fileserver. Each bind refers by
//! index to a witness descriptor that travels beside the plan with SCM_RIGHTS: the shim
//! trusts the descriptor's (dev, ino), not the path, so a path swapped after resolution
//! aborts the launch instead of mounting something else.
//!
//! Paths and arguments are bytes (Linux names need not be UTF-8).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The plan as it travels to the shim: postcard, a compact binary form. Every command
/// sends one (~11 KB as JSON: some 60 paths, 4 KB of filters in hex) and it is parsed
/// on the command's path, in a process just forked (every allocation a fresh page);
/// JSON took 80 µs there, and as long again in the shim's copy (bench/README.md,
/// "Ninth stop"). Shell and shim are one build, so the form need not be stable.
pub fn encode(plan: &JailPlan) -> Result<Vec<u8>, postcard::Error> {
    postcard::to_allocvec(plan)
}

/// The plan [`encode`] made.
pub fn decode(bytes: &[u8]) -> Result<JailPlan, postcard::Error> {
    postcard::from_bytes(bytes)
}

/// Serde for `PathBuf`/`OsString` as raw bytes.
pub mod bytes {
    use super::*;
    use serde::{Deserializer, Serializer};

    /// A string when the bytes are UTF-8 (a third of the size of a list of numbers, and
    /// quicker both ways: every plan carries some 60 paths), else the list.
    /// In the plan's own binary form ([`encode`]), the bytes as they are.
    pub fn serialize<S: Serializer, T: AsRef<OsStr>>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        let bytes = v.as_ref().as_bytes();
        if !s.is_human_readable() {
            return s.serialize_bytes(bytes);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => s.serialize_str(text),
            Err(_) => s.serialize_bytes(bytes),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: From<OsString>>(d: D) -> Result<T, D::Error> {
        Ok(T::from(OsString::from_vec(any(d)?)))
    }

    /// Either form [`serialize`] writes, or the binary form's bytes.
    pub(crate) fn any<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            d.deserialize_any(Visitor)
        } else {
            d.deserialize_byte_buf(Visitor)
        }
    }

    /// Either form [`serialize`] writes.
    pub(super) struct Visitor;

    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or a list of bytes")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
            Ok(v.as_bytes().to_vec())
        }

        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Vec<u8>, E> {
            Ok(v.into_bytes())
        }

        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(b) = seq.next_element::<u8>()? {
                out.push(b);
            }
            Ok(out)
        }
    }

    /// One element of [`super::bytes_list`].
    pub(super) struct Item(pub Vec<u8>);

    impl<'de> Deserialize<'de> for Item {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Item, D::Error> {
            any(d).map(Item)
        }
    }

    /// One element of [`super::bytes_list`], as [`serialize`] writes it.
    pub(super) struct Ref<'a>(pub &'a OsStr);

    impl Serialize for Ref<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize(&self.0, s)
        }
    }
}

/// Serde for `Vec<OsString>` as a list of byte strings (each as [`bytes`] writes it).
pub mod bytes_list {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[OsString], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| bytes::Ref(x)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<OsString>, D::Error> {
        let v: Vec<bytes::Item> = Deserialize::deserialize(d)?;
        Ok(v.into_iter().map(|b| OsString::from_vec(b.0)).collect())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// A directory of the read-only skeleton. With `seal`, it stands inside a writable
    /// tmpfs (a working directory under the private home), so it gets a tmpfs of its own
    /// that is made read-only once its children are placed: a write there fails with
    /// EROFS instead of vanishing with the private home.
    Dir {
        seal: bool,
    },
    /// Bind-mount the host object at `host` (canonical, symlink-free), which must be the
    /// object of witness descriptor number `witness`.
    Bind {
        #[serde(with = "bytes")]
        host: PathBuf,
        witness: usize,
        is_dir: bool,
        writable: bool,
        device: bool,
        /// From the default environment: the same for every command of a shell, so a
        /// shell's zygote may hold it ready in a template (`crate::template`).
        #[serde(default)]
        default: bool,
    },
    /// A directory holding slots: the staging directory at `host` (canonical, the
    /// object of witness `witness`) bound here read-write, shared with the supervisor's
    /// carrier number `index` so that what the supervisor mounts there later appears
    /// in the jail (see `crate::slots`).
    SlotDir {
        #[serde(with = "bytes")]
        host: PathBuf,
        witness: usize,
        index: usize,
    },
    /// A private writable tmpfs with this mode (1777 for /tmp, 0700 for a home).
    Tmpfs {
        mode: u32,
    },
    Symlink {
        #[serde(with = "bytes")]
        target: PathBuf,
    },
    File {
        contents: String,
    },
    Proc,
    Devpts,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanNode {
    #[serde(with = "bytes")]
    pub path: PathBuf,
    pub step: Step,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JailPlan {
    /// For messages: `pola-run` or `pola-sh`.
    pub program: String,
    /// For messages: the command's name as the user typed it, escaped (`crate::text`).
    pub command: String,
    pub uid: u32,
    pub gid: u32,
    pub nodes: Vec<PlanNode>,
    #[serde(with = "bytes")]
    pub cwd: PathBuf,
    /// Absolute path of the program inside the jail.
    #[serde(with = "bytes")]
    pub exec: PathBuf,
    #[serde(with = "bytes_list")]
    pub argv: Vec<OsString>,
    /// `NAME=value` strings.
    #[serde(with = "bytes_list")]
    pub env: Vec<OsString>,
    /// The network: private loopback (default), the host's, or TCP to some ports.
    pub net: crate::network::Network,
    /// Writable private directories whose leftovers are reported at exit.
    #[serde(with = "bytes_list")]
    pub scratch: Vec<OsString>,
    /// Descriptors from 3 to 9 that the user redirected and the command keeps (0, 1
    /// and 2 always pass); every other inherited descriptor is closed.
    pub keep_fds: Vec<i32>,
    /// Test hook: pause this long after the plan arrives, before anything is mounted,
    /// so a test can swap a granted path in the window the witness check guards.
    pub launch_delay_ms: u64,
    /// Mediated mode: send a seccomp listener for the path-taking calls back on the
    /// socket (see `mediate`).
    #[serde(default)]
    pub mediate: bool,
    /// The seccomp filters to load, compiled by the server.
    pub seccomp: crate::seccomp::Filters,
    /// Give the command a powerbox socket at `powerbox::FD` (sent after the witnesses).
    #[serde(default)]
    pub powerbox: bool,
    /// Hints: the working directory's skeleton is a FUSE file system the server
    /// serves (`crate::hints`); the builder mounts it and sends the connection back.
    #[serde(default)]
    pub observe: bool,
    /// Hints are on: the programs and connections the command tried (seccomp
    /// notifications) are collected for them, whether or not the working directory is
    /// observed (`observe`: not where it holds a slot).
    #[serde(default)]
    pub hints: bool,
    /// Hints, with the shell's shared file system (`crate::cwd_host`): which of the
    /// witnesses is the detached copy of this jail's skeleton directory, attached at
    /// the working directory instead of a FUSE mount of its own.
    #[serde(default)]
    pub cwd_mount: Option<usize>,
    /// Run the command in a session of its own, away from the launcher's terminal
    /// (an interactive pola-sh: SECURITY.md 28, 29). None: in the launcher's session.
    #[serde(default)]
    pub session: Option<Session>,
    /// The resource limits the shim sets up itself (see `limits`).
    #[serde(default)]
    pub limits: crate::limits::JailLimits,
    /// Hosts by name (`crate::proxy`): PID 1 listens on `127.0.0.1` at this port in the
    /// jail's network namespace and sends the listening socket back (after the working
    /// directory's FUSE connection, before the seccomp listener).
    #[serde(default)]
    pub proxy: Option<u16>,
    /// Hints, for a git command that rewrites the work tree without the grants: the
    /// files it would rewrite, relative to the tree, as git listed them before it ran
    /// (the shell's preflight): the hint names them. The server's alone: not sent.
    #[serde(skip)]
    pub work_tree_files: Option<Vec<PathBuf>>,
    /// Hints: an editor the user chose, at the shell's question, to run without the
    /// files it would save; the server's alone.
    #[serde(skip)]
    pub editor_declined: bool,
}

/// The jail's own session (see `crate::pty`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The descriptor (0–9) that is the jail's pseudo-terminal: it becomes the
    /// session's controlling terminal, with the command as its foreground job. None: a
    /// session without a terminal (`/dev/tty` opens nothing).
    pub terminal: Option<i32>,
    /// The pseudo-terminal PID 1 makes in the jail's own devpts, so that its name
    /// exists in the jail (`tty`, a program opening its terminal by name). Its slave
    /// goes to every one of these descriptors (`terminal` among them), its master to
    /// the server. Empty: `terminal` is one already.
    #[serde(default)]
    pub make: Vec<i32>,
    /// Its modes (the terminal's at the prompt) and window size (rows, columns).
    #[serde(default)]
    pub modes: Option<Modes>,
    #[serde(default)]
    pub size: Option<(u16, u16)>,
}

/// A terminal's modes (`termios`), for the plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modes {
    pub iflag: u32,
    pub oflag: u32,
    pub cflag: u32,
    pub lflag: u32,
    pub line: u8,
    pub cc: Vec<u8>,
    pub ispeed: u32,
    pub ospeed: u32,
}

impl From<&libc::termios> for Modes {
    fn from(t: &libc::termios) -> Modes {
        Modes {
            iflag: t.c_iflag,
            oflag: t.c_oflag,
            cflag: t.c_cflag,
            lflag: t.c_lflag,
            line: t.c_line,
            cc: t.c_cc.to_vec(),
            ispeed: t.c_ispeed,
            ospeed: t.c_ospeed,
        }
    }
}

impl Modes {
    pub fn termios(&self) -> libc::termios {
        // SAFETY: a zeroed termios is a valid value to fill in.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        t.c_iflag = self.iflag;
        t.c_oflag = self.oflag;
        t.c_cflag = self.cflag;
        t.c_lflag = self.lflag;
        t.c_line = self.line;
        for (to, from) in t.c_cc.iter_mut().zip(&self.cc) {
            *to = *from;
        }
        t.c_ispeed = self.ispeed;
        t.c_ospeed = self.ospeed;
        t
    }
}

/// What the shim reports on the socket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShimReport {
    /// The jail is built and the command's `execve` succeeded.
    Launched,
    /// When the command ended, the jail had reached this limit (its private tmpfs
    /// full, or as many processes as it may have).
    Limit(crate::limits::Kind),
    /// The command ended with this status (as a shell reports it), and nothing of the
    /// jail runs any more: PID 1 killed and reaped the rest, and has only to exit. The
    /// shell may go on without waiting for PID 1's and the shim's exits.
    Ended(i32),
    /// Just before `Ended`: the command was killed by this signal, and the kernel
    /// dumped its core (the shell says so, as shells do: `Segmentation fault (core
    /// dumped)`; a status of 139 alone does not tell a crash from an exit).
    Died { signal: i32, core: bool },
    /// From the shim of a jail with a session of its own: the command stopped, and the
    /// shim stops next (the shell's job stops when it does).
    Stopping,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A plan node, for tests of what is made of plans (`hints`, `template`).
    pub(crate) fn node(path: &str, step: Step) -> PlanNode {
        PlanNode {
            path: path.into(),
            step,
        }
    }

    #[test]
    fn plan_round_trips_with_non_utf8_names() {
        let plan = JailPlan {
            program: "pola-run".into(),
            command: "cat".into(),
            uid: 1000,
            gid: 1000,
            nodes: vec![PlanNode {
                path: PathBuf::from(OsString::from_vec(b"/data/\xff.txt".to_vec())),
                step: Step::Bind {
                    host: "/data/x".into(),
                    witness: 0,
                    is_dir: false,
                    writable: true,
                    device: false,
                    default: false,
                },
            }],
            cwd: "/data".into(),
            exec: "/usr/bin/cat".into(),
            argv: vec!["cat".into(), OsString::from_vec(b"\xff.txt".to_vec())],
            env: vec!["PATH=/usr/bin".into()],
            net: crate::network::Network::Ports {
                connect: vec![443],
                bind: vec![],
            },
            scratch: vec!["/tmp".into()],
            keep_fds: vec![5],
            launch_delay_ms: 0,
            mediate: true,
            powerbox: true,
            observe: true,
            hints: true,
            cwd_mount: None,
            session: Some(Session {
                terminal: Some(2),
                make: vec![0, 2],
                modes: Some(Modes {
                    cc: vec![3, 28],
                    ..Default::default()
                }),
                size: Some((24, 80)),
            }),
            proxy: Some(20480),
            work_tree_files: None,
            editor_declined: false,
            seccomp: crate::seccomp::compile(
                1000,
                1000,
                crate::seccomp::Owners::Kept,
                &crate::network::Network::Private,
                crate::seccomp::Notify {
                    watch: true,
                    slots: false,
                    hints: false,
                },
            )
            .unwrap(),
            limits: crate::limits::JailLimits {
                cgroups: vec![OsString::from_vec(
                    b"/sys/fs/cgroup/\xff/cgroup.procs".to_vec(),
                )],
                scratch: Some(1 << 30),
                nproc: Some(1000),
                pid_max: None,
                data: Some(1 << 33),
                rlimits: vec![crate::limits::Rlimit {
                    resource: libc::RLIMIT_NOFILE,
                    soft: 64,
                    hard: u64::MAX,
                }],
            },
        };
        let text = serde_json::to_vec(&plan).unwrap();
        let back: JailPlan = serde_json::from_slice(&text).unwrap();
        assert_eq!(back, plan);
        // As it travels: the bytes as they are, every part of it.
        let encoded = encode(&plan).unwrap();
        assert_eq!(decode(&encoded).unwrap(), plan);
        assert!(
            encoded.len() < text.len() / 2,
            "{} {}",
            encoded.len(),
            text.len()
        );
        // A plan cut short is an error, wherever it is cut.
        for n in 0..encoded.len() {
            assert!(decode(&encoded[..n]).is_err(), "cut at {n}");
        }
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Named {
        #[serde(with = "bytes")]
        path: PathBuf,
        #[serde(with = "bytes_list")]
        list: Vec<OsString>,
    }

    #[test]
    fn names_travel_as_strings_unless_they_are_not_utf8() {
        let named = Named {
            path: "/usr/bin \"cat\"".into(),
            list: vec!["a".into(), OsString::from_vec(b"\xff".to_vec())],
        };
        let text = serde_json::to_string(&named).unwrap();
        assert_eq!(text, r#"{"path":"/usr/bin \"cat\"","list":["a",[255]]}"#);
        assert_eq!(serde_json::from_str::<Named>(&text).unwrap(), named);
        // The earlier form (every name a list of numbers) still reads.
        let old = r#"{"path":[47,117],"list":[[97],[255]]}"#;
        let back: Named = serde_json::from_str(old).unwrap();
        assert_eq!(back.path, PathBuf::from("/u"));
        assert_eq!(back.list[0], OsString::from("a"));
        assert!(serde_json::from_str::<Named>(r#"{"path":7,"list":[]}"#).is_err());
    }
}
