//! Hints: when a jailed command fails, say what it looked for and did not have, and the
//! grant that would give it (`pola-sh: make looked for ./Makefile, which was not
//! granted — try: make + .`).
//!
//! How it is observed, cheaply enough to be on for every interactive command:
//!
//! - **The working directory.** Most of what a command misses is in the directory it
//!   runs in (`./Makefile`, `./.git`, `notes.txt` passed quoted). When that directory
//!   is not granted, the jail sees a skeleton of it holding only the grants' mount
//!   points; with hints, that skeleton is a tiny read-only FUSE file system served by
//!   the shell ([`CwdFs`]): the kernel asks it only about names it does not know yet,
//!   so every lookup of a missing name (and every attempt to create one) is recorded,
//!   and nothing else costs anything — the grants mounted on it are reached directly.
//!   A shell mounts that file system once and gives each jail one directory of it
//!   (`crate::cwd_host`); a forked subshell and `pola-run` mount one per command.
//! - **Programs and the network.** The `execve` and `connect` calls come to the
//!   server as seccomp notifications (few per command): a program it was not given, a
//!   connection attempt without `@net`.
//!
//! Only names that exist on the host are ever shown for what a command looked for,
//! except one of the command's own arguments, as the user typed it, that it tried to
//! create or looked for in vain (`touch new.txt`: the write grant for it). A name the
//! jail chose is never shown, nor made into a suggested grant. Only to the user, after
//! the command ended: the jail learns nothing from it. `$HOME`'s configuration files are
//! not observed here (they land in the private home); the shipped profiles and
//! `--learn` cover those.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use fuser::{
    FileAttr, FileHandle, FileType, Filesystem, Generation, INodeNo, ReplyAttr, ReplyCreate,
    ReplyData, ReplyDirectory, ReplyEmpty, ReplyEntry, Request,
};

use crate::plan::{PlanNode, Step};

/// What a command was seen looking for and not having.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// Names below the working directory (relative), and whether it tried to create
    /// them.
    pub looked: Vec<(PathBuf, bool)>,
    /// Programs it tried to run that its jail does not have (absolute).
    pub execs: Vec<PathBuf>,
    /// Network destinations it tried to connect to without the network.
    pub connects: Vec<(String, u16)>,
    /// Ports it bound a socket to in its own network namespace (a server nothing
    /// outside the jail reaches: `python3 -m http.server`).
    pub binds: Vec<u16>,
    /// The ports its line granted it to connect to (`@net:connect=PORTS`).
    pub connect_ports: Vec<u16>,
    /// Its network is a namespace of its own (`Network::Private` or `Hosts`).
    pub own_network: bool,
    /// Its network is the host's, all of it (`@net`): its connections went through.
    pub host_network: bool,
    /// The jail's proxy port, when it was granted hosts by name (`crate::proxy`):
    /// connections to it are the granted way out, not a miss.
    pub proxy: Option<u16>,
    /// How many names it was shown when it listed the working directory (which holds
    /// only the grants' mount points), if it did.
    pub listed: Option<usize>,
    /// The command's arguments, as the user wrote them.
    pub words: Vec<PathBuf>,
    /// Those of `words` granted read-only by naming them (each a bind of its own),
    /// for a program that [`changes_its_operands`].
    pub read_only: Vec<PathBuf>,
    /// Where one of `read_only` was not named itself but is inside a directory the
    /// line granted read-only (`sed -i … f + .`): that directory, as the line would
    /// name it (relative to the working directory below it).
    pub read_only_in: Option<PathBuf>,
    /// What the program changes that its line did not give it to write (for the
    /// programs [`what_it_changes`] knows), found at its launch.
    pub changes: Option<Changes>,
    /// The user's home (where `changes` are shown from).
    pub home: PathBuf,
    /// The program's file name (`make`, `python3`).
    pub tool: String,
    /// The working directory holds its slots and shows nothing else (it was not
    /// granted): the names of its slots there. A command looking for anything else
    /// there is not observed (the directory is the slots' staging directory).
    pub slots_here: Option<Vec<std::ffi::OsString>>,
    /// How many names the line granted read-only there, beside the slots.
    pub read_here: usize,
    /// `CARGO_TARGET_DIR` in its environment.
    pub cargo_target_dir: Option<PathBuf>,
    /// A build in a CMake build directory: its sources, which its line did not give
    /// ([`cmake_sources`]).
    pub cmake_sources: Option<PathBuf>,
    /// Who says the lines said while it runs, and the command's name as the user typed
    /// it, escaped: the plan's `program` and `command` (`pola-sh`, `npm`).
    pub said_as: (String, String),
    /// Its server was said while it ran ([`Observed::serving_line`]).
    pub said_serving: bool,
    /// Every process of the jail has ended ([`Observed::ended`]).
    pub ended: bool,
    /// It connected to a port it had bound: a server of its own use.
    pub served_itself: bool,
    /// It looked a name up (port 53), and bound a port: each once looked at again
    /// while it runs ([`Observed::retrying_line`], [`Observed::serving_line`]).
    pub lookup_seen: bool,
    pub bind_seen: bool,
    /// Files it was given as it asked (`--ask`): what it looked for there it has.
    pub given: Vec<PathBuf>,
    /// git's listing of the files of the work tree it would rewrite
    /// (`JailPlan::work_tree_files`).
    pub work_tree_files: Option<Vec<PathBuf>>,
    /// The user chose to run this editor without the files it would save
    /// (`JailPlan::editor_declined`): [`Observed::editor_hint`] says only that.
    pub editor_declined: bool,
    /// The metadata `pip install -e` has setuptools write into the project, where its
    /// line did not give it to write ([`egg_info`]).
    pub egg_info: Option<PathBuf>,
    /// The directory it runs in, for the lines said while it runs.
    pub cwd: PathBuf,
    /// What it looks for in the directory it runs in is watched (`looked`): the
    /// directory was not granted, only names in it.
    pub watched: bool,
}

/// What a program changes that a command line may give it read-only, or not at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writes {
    /// The directory it runs in: a build tool (`make + .` cannot write its objects).
    WorkingDir,
    /// The repository it works in (`git add`, `git commit`: its `.git`, which git's
    /// shipped profile gives read-only).
    Repository,
    /// The repository and its work tree (`git switch`, `git merge`, `git stash`).
    WorkTree,
    /// Its user's global configuration (`git config --global user.name me`).
    GlobalConfig,
    /// The virtual environment it runs from (`pip install` in a venv).
    Venv,
    /// Its keyrings (`gpg`: ~/.gnupg, which it writes, for its locks, even to list).
    Keyring,
    /// Its user's own place for installed packages (`pip install --user`: ~/.local).
    UserSite,
    /// The project's manifest (`npm pkg set`: package.json).
    Manifest,
}

/// What the program named `tool`, given `words`, changes ([`Writes`]), if it is one
/// that does so as a rule.
pub fn what_it_changes(tool: &str, words: &[PathBuf]) -> Option<Writes> {
    const BUILDERS: &[&str] = &[
        "make", "gmake", "bmake", "ninja", "cargo", "go", "npm", "yarn", "pnpm", "mvn", "gradle",
        "ant", "scons", "meson", "cmake", "dune", "cabal", "stack", "zig",
    ];
    // (npm running the project's own scripts writes nothing of its own there.)
    let scripts = tool == "npm" && npm_runs_scripts(words);
    // (`npm pkg set` edits package.json alone: given it read-only, it was told
    // nothing; trial 18.)
    if tool == "npm" && npm_edits_manifest(words) {
        return Some(Writes::Manifest);
    }
    if BUILDERS.contains(&tool) && !scripts && !only_checks(tool, words) {
        return Some(Writes::WorkingDir);
    }
    // An archive extracted into a directory named on the line (into the working
    // directory, what it looked for there says it).
    if extracts(tool, words) && working_dir(tool, words, Path::new("")) != Path::new("") {
        return Some(Writes::WorkingDir);
    }
    if tool == "gpg" || tool == "gpg2" {
        let asks_only = words.iter().all(|w| {
            let w = w.as_os_str().as_bytes();
            w == b"--version" || w == b"--help" || w == b"-h"
        });
        return (!asks_only).then_some(Writes::Keyring);
    }
    if let Some(words) = pip_words(tool, words) {
        let sub = first_operand(words)?;
        if ![&b"install"[..], b"uninstall"].contains(&sub) {
            return None;
        }
        return Some(match has_word(words, &[b"--user"]) {
            true => Writes::UserSite,
            false => Writes::Venv,
        });
    }
    // `… | xargs sed -i …`: the names it edits come from its input, never the line.
    if xargs_edits_in_place(tool, words) {
        return Some(Writes::WorkingDir);
    }
    if tool != "git" {
        return None;
    }
    let (sub, rest) = git_subcommand(words)?;
    // What changes the repository alone, and what changes the files checked out too
    // (given `+ => .git` only, those fail half done: `git switch` moved the branch
    // and could not replace the files).
    const REPOSITORY: &[&[u8]] = &[
        b"add",
        b"branch",
        b"commit",
        b"fetch",
        b"gc",
        b"notes",
        b"prune",
        b"repack",
        b"tag",
        b"update-index",
        b"update-ref",
    ];
    const WORK_TREE: &[&[u8]] = &[
        b"am",
        b"apply",
        b"bisect",
        b"checkout",
        b"cherry-pick",
        b"clean",
        b"merge",
        b"mv",
        b"pull",
        b"rebase",
        b"reset",
        b"restore",
        b"revert",
        b"rm",
        b"stash",
        b"switch",
        b"worktree",
    ];
    if REPOSITORY.contains(&sub) {
        return Some(Writes::Repository);
    }
    // `git apply --check` (`--stat`, …) only reads the patch.
    let reads = [&b"--check"[..], b"--stat", b"--numstat", b"--summary"];
    if sub == b"apply" && has_word(rest, &reads) && !has_word(rest, &[b"--apply"]) {
        return None;
    }
    if WORK_TREE.contains(&sub) {
        // (`switch -c new` writes the repository only: told `+ => .git`, not `+ => .`.)
        return Some(match git_only_index(sub, rest) {
            true => Writes::Repository,
            false => Writes::WorkTree,
        });
    }
    if sub != b"config" {
        return None;
    }
    let args: Vec<&[u8]> = rest.iter().map(|w| w.as_os_str().as_bytes()).collect();
    let global = args.iter().any(|a| *a == b"--global");
    let local = !global
        && !args
            .iter()
            .any(|a| *a == b"--system" || *a == b"--file" || *a == b"-f");
    // A change: a name and a value, a changing option, or `git config set` (2.46).
    let positional = args.iter().filter(|a| !a.starts_with(b"-")).count();
    let changing = args.iter().any(|a| {
        [
            &b"--unset"[..],
            b"--unset-all",
            b"--add",
            b"--replace-all",
            b"--rename-section",
            b"--remove-section",
            b"--edit",
            b"-e",
        ]
        .contains(a)
    }) || args.first().is_some_and(|a| {
        [
            &b"set"[..],
            b"unset",
            b"rename-section",
            b"remove-section",
            b"edit",
        ]
        .contains(a)
    }) || (positional >= 2
        && !args
            .iter()
            .any(|a| a.starts_with(b"--get") || *a == b"-l" || *a == b"--list"));
    match (changing, global, local) {
        (true, true, _) => Some(Writes::GlobalConfig),
        (true, false, true) => Some(Writes::Repository),
        _ => None,
    }
}

/// A build tool asked only to check or to say what it would do: it writes nothing
/// where it works, and fails to say so (`cargo fmt --check`'s diff exits 1, and was
/// told a write grant; trial 18). `make -n`, `make -q`, `ninja -n`.
fn only_checks(tool: &str, words: &[PathBuf]) -> bool {
    match tool {
        "cargo" => first_operand(words) == Some(b"fmt") && has_word(words, &[b"--check"]),
        "make" | "gmake" | "bmake" => {
            has_word(
                words,
                &[b"--dry-run", b"--just-print", b"--recon", b"--question"],
            ) || short_option(words, b"nq")
        }
        "ninja" => short_option(words, b"n"),
        _ => false,
    }
}

/// `pip install -e DIR` built by setuptools: the metadata it writes into the project's
/// sources (`src/NAME.egg-info` in a src layout, else `NAME.egg-info` beside its
/// `pyproject.toml`), when the jail (its `plan` and `slots`, run in `cwd`) has it
/// read-only or not at all (trial 18: "could not create 'src/mypkg.egg-info':
/// Read-only file system", and no hint; the grant was worked out by hand).
pub fn egg_info(
    tool: &str,
    words: &[PathBuf],
    cwd: &Path,
    plan: &[PlanNode],
    slots: &[PathBuf],
) -> Option<PathBuf> {
    let words = pip_words(tool, words)?;
    if first_operand(words) != Some(b"install") {
        return None;
    }
    let dir = word_after(words, &["-e", "--editable"])
        .cloned()
        .or_else(|| {
            words.iter().find_map(|w| {
                let dir = w.as_os_str().as_bytes().strip_prefix(b"--editable=")?;
                Some(PathBuf::from(std::ffi::OsStr::from_bytes(dir)))
            })
        })?;
    // (A VCS URL is checked out by pip where it chooses.)
    if dir.as_os_str().as_bytes().windows(3).any(|w| w == b"://") {
        return None;
    }
    // `-e '.[dev]'`: the project, without its extras.
    let bytes = dir.as_os_str().as_bytes();
    let dir = match (bytes.last(), bytes.iter().rposition(|b| *b == b'[')) {
        (Some(b']'), Some(open)) => PathBuf::from(std::ffi::OsStr::from_bytes(&bytes[..open])),
        _ => dir,
    };
    let project = crate::namespace::normalize(&cwd.join(&dir)).ok()?;
    let read = |name: &str| -> Option<String> {
        use std::io::Read;
        let mut text = String::new();
        crate::planted::open_regular(&project.join(name))?
            .take(64 * 1024)
            .read_to_string(&mut text)
            .ok()?;
        Some(text)
    };
    let pyproject = read("pyproject.toml");
    let backend = pyproject
        .as_deref()
        .and_then(|t| section_value(t, "build-system", "build-backend"));
    if backend.is_some_and(|b| !b.starts_with("setuptools")) {
        return None;
    }
    let name = pyproject
        .as_deref()
        .and_then(|t| section_value(t, "project", "name"))
        .or_else(|| section_value(&read("setup.cfg")?, "metadata", "name"))?;
    // setuptools' own spelling of the name in a file name.
    let mut safe = String::new();
    for c in name.chars() {
        match c.is_ascii_alphanumeric() || c == '.' {
            true => safe.push(c),
            false if !safe.ends_with('_') => safe.push('_'),
            false => {}
        }
    }
    let src = project.join("src");
    let base = match src.symlink_metadata().is_ok_and(|m| m.is_dir()) {
        true => src,
        false => project,
    };
    let egg = base.join(format!("{safe}.egg-info"));
    match covering(plan, slots, &egg) {
        Some((_, true)) => None,
        _ => Some(egg),
    }
}

/// The value of `key` in `[section]` of a small TOML or INI file (`name = "x"`).
fn section_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line.trim_matches(['[', ']']).trim() == section;
            continue;
        }
        let Some((k, v)) = line.split_once('=').filter(|_| inside) else {
            continue;
        };
        let v = v.trim().trim_matches(['"', '\'']).trim();
        if k.trim() == key && !v.is_empty() {
            return Some(v.to_string());
        }
    }
    None
}

/// A small regular file's text without its line end (git's one-line files), read as
/// the shell reads what it runs: never through a link a jail may have made, nor a FIFO.
fn first_line(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    crate::planted::open_regular(path)?
        .take(4096)
        .read_to_string(&mut text)
        .ok()?;
    Some(text.trim_end_matches(['\n', '\r']).to_string())
}

/// A linked work tree (`git worktree add`): its `.git` is a file naming the work tree's
/// own directory in the repository (`gitdir: /r/.git/worktrees/wt`), whose `commondir`
/// names the repository's `.git`. Both are granted with the work tree, read-only (git
/// in it said "not a git repository"; new-user trial) — only when that directory names
/// this work tree back (its `gitdir` file) and is where git puts it, inside the `.git`
/// it names as common: a `.git` file a jail planted cannot point git's grant at
/// another repository (review).
pub fn linked_git_dirs(tree: &Path) -> Vec<PathBuf> {
    use crate::planted::canonical;
    let dot_git = tree.join(".git");
    if !std::fs::symlink_metadata(&dot_git).is_ok_and(|m| m.is_file()) {
        return Vec::new();
    }
    let found = || -> Option<Vec<PathBuf>> {
        let text = first_line(&dot_git)?;
        let own = canonical(&tree.join(text.strip_prefix("gitdir: ")?)).ok()?;
        let back = canonical(Path::new(&first_line(&own.join("gitdir"))?)).ok()?;
        if back != canonical(&dot_git).ok()? {
            return None;
        }
        let common = canonical(&own.join(first_line(&own.join("commondir"))?)).ok()?;
        // Where `git worktree add` puts it: `COMMON/worktrees/NAME`. Both ends of the
        // back link may be a jail's (one given `+ => .`); this one it can only put in a
        // `.git` it could write already, not in another repository's (its `commondir`
        // named any `.git`: a jail had a later git read another repository).
        let parent = own.parent()?;
        let laid_out = parent.file_name()? == "worktrees" && parent.parent()? == common;
        (laid_out && common.file_name()? == ".git").then(|| vec![own, common])
    };
    found().unwrap_or_default()
}

/// Where the program named `tool` works, run in `cwd` with `words`: `-C DIR` of make,
/// ninja and git, else `cwd`.
pub fn working_dir(tool: &str, words: &[PathBuf], cwd: &Path) -> PathBuf {
    let options: &[&str] = match tool {
        "make" | "gmake" | "bmake" | "ninja" | "git" => &["-C"],
        // Where an archive is extracted: `tar xf a.tgz -C dest`, `unzip a.zip -d dest`.
        "tar" | "bsdtar" => &["-C", "--directory"],
        "unzip" => &["-d"],
        _ => &[],
    };
    word_after(words, options).map_or(cwd.to_path_buf(), |dir| cwd.join(dir))
}

/// For a build tool run in a CMake build directory (`CMakeCache.txt` there): the
/// source directory the cache names, when nothing of the plan holds it — only one the
/// build directory is inside (`proj/build`'s `proj`), neither `/` nor the home nor
/// above it, holding a `CMakeLists.txt`: the cache is text a jail or a repository may have written
/// (security review: it had the hint suggest `+ ~/.ssh`, `+ /`, and a FIFO there hung
/// the shell). Read as at most a regular file's first 256 KiB, never through a link,
/// never waiting.
pub fn cmake_sources(
    tool: &str,
    cwd: &Path,
    home: Option<&Path>,
    nodes: &[crate::plan::PlanNode],
) -> Option<PathBuf> {
    use std::io::Read;
    if !["make", "gmake", "ninja", "cmake", "ctest"].contains(&tool) {
        return None;
    }
    let file = crate::planted::open_regular_unfollowed(&cwd.join("CMakeCache.txt"))?;
    let mut cache = String::new();
    file.take(256 << 10).read_to_string(&mut cache).ok()?;
    let src = cache
        .lines()
        .find_map(|l| l.strip_prefix("CMAKE_HOME_DIRECTORY:INTERNAL="))
        .map(|s| PathBuf::from(s.trim()))?;
    let plain = src.is_absolute()
        && src.components().all(|c| {
            matches!(
                c,
                std::path::Component::RootDir | std::path::Component::Normal(_)
            )
        });
    // Never the home or one above it (`/`), whatever the build directory is in.
    let above_home = home.is_some_and(|h| h.starts_with(&src));
    let fits = plain
        && cwd.starts_with(&src)
        && src != cwd
        && src.parent().is_some()
        && !above_home
        && src
            .join("CMakeLists.txt")
            .symlink_metadata()
            .is_ok_and(|m| m.is_file());
    let holds = |n: &crate::plan::PlanNode| {
        matches!(
            n.step,
            crate::plan::Step::Bind { .. } | crate::plan::Step::SlotDir { .. }
        ) && src.starts_with(&n.path)
    };
    (fits && !nodes.iter().any(holds)).then_some(src)
}

/// The first of `words` that is not an option (a subcommand: `install` of `pip
/// install -q x`).
fn first_operand(words: &[PathBuf]) -> Option<&[u8]> {
    words
        .iter()
        .map(|w| w.as_os_str().as_bytes())
        .find(|w| !w.starts_with(b"-"))
}

/// The word after the first of `words` that is one of `options` (`-C DIR`).
fn word_after<'a>(words: &'a [PathBuf], options: &[&str]) -> Option<&'a PathBuf> {
    let at = words
        .iter()
        .position(|w| options.iter().any(|o| w.as_os_str() == *o))?;
    words.get(at + 1)
}

/// The words an option names as the file a command writes: after `-o`, `--output` or
/// `-O` (sort, gcc, curl, wget), tar's archive when it creates one (`-czf F`, `cf F`,
/// `--file F`).
fn output_words<'a>(tool: &str, words: &'a [PathBuf]) -> Vec<&'a PathBuf> {
    // A cluster of tar's letters (`-czf`, `czf`).
    let cluster = |w: &[u8]| {
        let letters = w.strip_prefix(b"-").unwrap_or(w);
        !letters.is_empty() && letters.len() < 8 && letters.iter().all(u8::is_ascii_alphabetic)
    };
    let bytes = |w: &'a PathBuf| w.as_os_str().as_bytes();
    let creates = tool == "tar"
        && words.iter().map(bytes).any(|w| {
            w == b"--create" || (cluster(w) && !w.starts_with(b"--") && w.contains(&b'c'))
        });
    words
        .windows(2)
        .filter(|pair| {
            let option = bytes(&pair[0]);
            let archive =
                creates && (option == b"--file" || (cluster(option) && option.ends_with(b"f")));
            archive || matches!(option, b"-o" | b"--output" | b"-O")
        })
        .map(|pair| &pair[1])
        .collect()
}

/// pip's own words, when `tool` given `words` is pip: pip itself, or `python3 -m pip`.
fn pip_words<'a>(tool: &str, words: &'a [PathBuf]) -> Option<&'a [PathBuf]> {
    match words {
        [m, module, rest @ ..] if tool.starts_with("python") && m == "-m" => module
            .as_os_str()
            .as_bytes()
            .starts_with(b"pip")
            .then_some(rest),
        _ => tool.starts_with("pip").then_some(words),
    }
}

/// The git subcommand `words` (git's arguments) run when it rewrites the files of the
/// work tree as it goes (`rebase`, `switch` to another branch, `reset --hard`), not
/// when it only reads them or writes the repository (`stash list`, `reset`,
/// `checkout -b new`, `rm --cached`).
pub fn git_rewrites_work_tree(words: &[PathBuf]) -> Option<&[u8]> {
    if what_it_changes("git", words) != Some(Writes::WorkTree) {
        return None;
    }
    git_subcommand(words).map(|(sub, _)| sub)
}

/// Whether git's `sub`, one of those that may rewrite the work tree, given `rest`,
/// writes only the repository (or nothing).
fn git_only_index(sub: &[u8], rest: &[PathBuf]) -> bool {
    let has = |options: &[&[u8]]| has_word(rest, options);
    let operands = rest
        .iter()
        .filter(|w| !w.as_os_str().as_bytes().starts_with(b"-"))
        .count();
    match sub {
        // A stash's own records (`drop`, `clear`: trial 20 was told `+ => .` for them).
        b"stash" => rest.first().is_some_and(|w| {
            [
                &b"list"[..],
                b"show",
                b"drop",
                b"clear",
                b"create",
                b"store",
            ]
            .contains(&w.as_os_str().as_bytes())
        }),
        b"reset" => !has(&[b"--hard", b"--merge", b"--keep"]),
        b"rm" => has(&[b"--cached"]),
        // (`--cached` writes the index alone.)
        b"apply" => has(&[b"--cached"]),
        b"clean" => has(&[b"-n", b"--dry-run"]),
        b"worktree" => true,
        // Each step checks a commit out (`start BAD GOOD`, `good`, `bad`, `skip`,
        // `run`, `reset`): with the tree read-only, `git bisect` moved HEAD, could not
        // replace the files and said 0 (new-user trial). These only read, or record.
        b"bisect" => {
            let step = rest.first().map(|w| w.as_os_str().as_bytes());
            matches!(
                step,
                Some(b"log" | b"view" | b"visualize" | b"terms" | b"help")
            ) || (step == Some(b"start") && operands <= 1)
                || (step == Some(b"start") && has(&[b"--no-checkout"]))
        }
        // A new branch where it is: the files stay as they are.
        // (`-qc`: a bundle of short options holding one.)
        b"checkout" | b"switch" => short_option(rest, b"bBcC") && operands <= 1,
        _ => false,
    }
}

/// git's subcommand in `words` (`git [-C DIR] [-c NAME=VALUE] [--options] SUBCOMMAND`)
/// and the words after it.
pub fn git_subcommand(words: &[PathBuf]) -> Option<(&[u8], &[PathBuf])> {
    let mut i = 0;
    loop {
        let w = words.get(i)?.as_os_str().as_bytes();
        match w {
            b"-C" | b"-c" | b"--git-dir" | b"--work-tree" | b"--namespace" => i += 2,
            _ if w.starts_with(b"-") => i += 1,
            _ => return Some((w, &words[i + 1..])),
        }
    }
}

/// Whether one of `words` is a bundle of short options (`-xzf`) holding one of `letters`.
fn short_option(words: &[PathBuf], letters: &[u8]) -> bool {
    words.iter().any(|w| {
        let w = w.as_os_str().as_bytes();
        w.starts_with(b"-") && !w.starts_with(b"--") && w.iter().any(|c| letters.contains(c))
    })
}

/// Whether `find`'s `words` change what it finds: `-delete`, or `-exec`, `-execdir`,
/// `-ok` or `-okdir` of a program that changes its operands (`sed -i`, `rm`, `chmod`).
fn find_changes(words: &[PathBuf]) -> bool {
    let runs = [&b"-exec"[..], b"-execdir", b"-ok", b"-okdir"];
    has_word(words, &[b"-delete"])
        || words.iter().enumerate().any(|(i, w)| {
            if !runs.contains(&w.as_os_str().as_bytes()) {
                return false;
            }
            let Some(program) = words.get(i + 1) else {
                return false;
            };
            let tool = program
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // Its words, up to the `;` or `+` that ends them.
            let rest: Vec<PathBuf> = words[i + 2..]
                .iter()
                .take_while(|w| !matches!(w.as_os_str().as_bytes(), b";" | b"+"))
                .cloned()
                .collect();
            match tool.as_str() {
                "sed" | "perl" => in_place(&tool, &rest),
                "find" => false,
                _ => changes_its_operands(&tool) && !COPIES.contains(&tool.as_str()),
            }
        })
}

/// A command's arguments as options and operands, as getopt sees them: a word after
/// `--`, or `-` alone, is an operand; `--` itself is neither.
pub fn options_and_operands(args: &[std::ffi::OsString]) -> (Vec<&[u8]>, Vec<&std::ffi::OsString>) {
    let (mut options, mut operands) = (Vec::new(), Vec::new());
    let mut options_end = false;
    for word in args {
        let b = word.as_bytes();
        if options_end || !b.starts_with(b"-") || b == b"-" {
            operands.push(word);
        } else if b == b"--" {
            options_end = true;
        } else {
            options.push(b);
        }
    }
    (options, operands)
}

/// Whether `xargs` (`tool`, given `words`) runs a program that changes the names it
/// reads: `sed -i`, `perl -pi`, `rm`, `chmod`, `gzip`, … (`find … | xargs rm` was told
/// to grant them read-only, and then only failed; new-user trial).
fn xargs_edits_in_place(tool: &str, words: &[PathBuf]) -> bool {
    // (And what makes names beside them: `xargs -I{} cp {} {}.bak` was told to read
    // them; trial 19.)
    const CHANGERS: &[&str] = &[
        "rm", "rmdir", "unlink", "shred", "chmod", "chown", "chgrp", "touch", "truncate",
        "setfacl", "cp", "mv", "ln", "install", "mkdir",
    ];
    if tool != "xargs" {
        return false;
    }
    words.iter().enumerate().any(|(i, w)| {
        let program = w
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match program.as_str() {
            "sed" | "perl" => in_place(&program, &words[i + 1..]),
            p => CHANGERS.contains(&p) || compressed_name(p, Path::new("")).is_some(),
        }
    })
}

/// Whether one of `words` is one of `these`.
fn has_word(words: &[PathBuf], these: &[&[u8]]) -> bool {
    words
        .iter()
        .any(|w| these.contains(&w.as_os_str().as_bytes()))
}

/// Whether `tool` given `words` extracts an archive into the working directory (`tar
/// xzf a.tgz`, `tar -x -f a.tar`, `unzip a.zip`, `cpio -i`).
fn extracts(tool: &str, words: &[PathBuf]) -> bool {
    let first = words.first().map(|w| w.as_os_str().as_bytes());
    match tool {
        "tar" | "bsdtar" => tar_does(words, b'x', &[b"--extract", b"--get"]),
        // Not to list or test it (`unzip -l`, `7z l`).
        "unzip" => !short_option(words, b"ltZv"),
        "7z" | "7za" => first.is_some_and(|w| w == b"x" || w == b"e"),
        "cpio" => short_option(words, b"i") || has_word(words, &[b"--extract"]),
        _ => false,
    }
}

/// Whether tar's `words` ask for the operation of `letter`: among the first word's
/// letters (`tar xzf`), as a short option (`-x`, `-czf`), or as one of `long`.
fn tar_does(words: &[PathBuf], letter: u8, long: &[&[u8]]) -> bool {
    let first = words.first().map(|w| w.as_os_str().as_bytes());
    first.is_some_and(|w| !w.starts_with(b"-") && w.contains(&letter))
        || short_option(words, &[letter])
        || has_word(words, long)
}

/// The archive `tool` given `words` creates, if it is tar creating one: the word after
/// a bundle of letters holding `c` and `f` (`czf A`, `-cf A`), or after `-f`/`--file`.
fn tar_creates<'a>(tool: &str, words: &'a [PathBuf]) -> Option<&'a PathBuf> {
    let tar = tool == "tar" || tool == "bsdtar";
    if !tar || !tar_does(words, b'c', &[b"--create"]) {
        return None;
    }
    let bytes = |w: &PathBuf| w.as_os_str().as_bytes().to_vec();
    let bundle = |w: &[u8]| {
        let letters = w.strip_prefix(b"-").unwrap_or(w);
        !letters.starts_with(b"-") && letters.iter().all(|b| b.is_ascii_alphabetic())
    };
    // (`--file=A` is one word with the option: not a path as typed.)
    words.iter().enumerate().find_map(|(i, w)| {
        let w = bytes(w);
        // The old style's letters take their arguments in order (`cfz A`); after a
        // dash, `f` takes the rest of the word, so it ends it (`-czf A`).
        let takes = w == b"--file"
            || (i == 0 && bundle(&w) && !w.starts_with(b"-") && w.contains(&b'f'))
            || (w.starts_with(b"-") && bundle(&w) && w.ends_with(b"f"));
        takes.then(|| words.get(i + 1)).flatten()
    })
}

/// Whether npm's `words` edit package.json itself (`npm pkg set`, `pkg delete`, `pkg
/// fix`).
fn npm_edits_manifest(words: &[PathBuf]) -> bool {
    let mut operands = words
        .iter()
        .map(|w| w.as_os_str().as_bytes())
        .filter(|w| !w.starts_with(b"-"));
    operands.next() == Some(b"pkg")
        && operands
            .next()
            .is_some_and(|s| [&b"set"[..], b"delete", b"fix"].contains(&s))
}

/// Whether npm's `words` run the project's own scripts (`npm test`, `npm run build`).
fn npm_runs_scripts(words: &[PathBuf]) -> bool {
    first_operand(words).is_some_and(|s| {
        [
            &b"test"[..],
            b"t",
            b"tst",
            b"run",
            b"run-script",
            b"start",
            b"stop",
            b"restart",
        ]
        .contains(&s)
    })
}

/// Whether npm's `words` change the project's dependencies (`npm install x`, `npm ci`):
/// what it writes is `node_modules` and the two manifests, not the whole directory.
fn npm_changes_dependencies(words: &[PathBuf]) -> bool {
    first_operand(words).is_some_and(|s| {
        [
            &b"install"[..],
            b"i",
            b"add",
            b"in",
            b"ci",
            b"clean-install",
            b"uninstall",
            b"un",
            b"remove",
            b"rm",
            b"update",
            b"up",
            b"upgrade",
            b"dedupe",
            b"prune",
        ]
        .contains(&s)
    })
}

/// Where a build tool's line installs to, outside its working directory: the value of
/// `PREFIX=`, `DESTDIR=` (either case) or `--prefix=`, when it is absolute or climbs
/// out (`../inst`), on a line that installs.
fn install_prefix(words: &[PathBuf]) -> Option<&Path> {
    if !has_word(words, &[b"install"]) {
        return None;
    }
    words.iter().find_map(|w| {
        let value = install_place(w.as_os_str())?.as_bytes();
        let out = value.starts_with(b"/") || value.starts_with(b"../") || value == b"..";
        out.then(|| Path::new(std::ffi::OsStr::from_bytes(value)))
    })
}

/// The place a word names to install into, as `make` takes it (`PREFIX=PATH`,
/// `DESTDIR=PATH`) and `./configure` (`--prefix=PATH`).
pub fn install_place(word: &std::ffi::OsStr) -> Option<&std::ffi::OsStr> {
    let value = [
        &b"PREFIX="[..],
        b"prefix=",
        b"DESTDIR=",
        b"destdir=",
        b"--prefix=",
    ]
    .iter()
    .find_map(|p| word.as_bytes().strip_prefix(*p))?;
    Some(std::ffi::OsStr::from_bytes(value))
}

/// The grant a tool needs to change what it changes in its working directory: the
/// whole directory, but for npm changing dependencies and cargo building (its sources
/// read, its `target` and lock file written: the trial was told `+ => .`). Cargo's
/// target directory is the one `--target-dir` or `CARGO_TARGET_DIR` (`env_target`)
/// names, if either does (the trial was told `=> target`, which failed again).
fn working_dir_grant(tool: &str, words: &[PathBuf], env_target: Option<&Path>) -> String {
    const CARGO_BUILDS: &[&[u8]] = &[
        b"build", b"b", b"run", b"r", b"test", b"t", b"check", b"c", b"clippy", b"doc", b"d",
        b"bench",
    ];
    if tool == "npm" && npm_changes_dependencies(words) {
        return "+ => node_modules => package.json => package-lock.json".to_string();
    }
    // npm's own commands on the manifest (`npm pkg set` was told `+ => .`; trial 7).
    if tool == "npm" {
        let rest = words.iter().skip_while(|w| w.as_os_str() != "pkg").nth(1);
        match first_operand(words) {
            Some(b"pkg") if rest.is_some_and(|r| r.as_os_str() == "get") => {
                return "+ package.json".to_string();
            }
            Some(b"pkg") => return "+ => package.json".to_string(),
            Some(b"version") => return "+ => package.json => package-lock.json".to_string(),
            _ => {}
        }
    }
    let target = || {
        word_after(words, &["--target-dir"])
            .map(PathBuf::as_path)
            .or_else(|| {
                words.iter().find_map(|w| {
                    let value = w.as_os_str().as_bytes().strip_prefix(b"--target-dir=")?;
                    Some(Path::new(std::ffi::OsStr::from_bytes(value)))
                })
            })
            .or(env_target)
            .filter(|t| !t.as_os_str().is_empty())
            .map_or_else(|| "target".to_string(), crate::text::word)
    };
    let grant = match first_operand(words).filter(|_| tool == "cargo") {
        Some(sub) if CARGO_BUILDS.contains(&sub) => {
            return format!("+ . => {} => Cargo.lock", target());
        }
        Some(b"clean") => return format!("+ . => {}", target()),
        // (`cargo add` without the lock file wrote Cargo.toml, then failed.)
        Some(b"add" | b"remove" | b"rm") => "+ . => Cargo.toml => Cargo.lock",
        Some(b"update" | b"generate-lockfile") => "+ . => Cargo.lock",
        Some(b"fmt") => "+ . => src",
        _ => "+ => .",
    };
    grant.to_string()
}

/// The grant that gives `path`: the deepest bind, directory of slots or slot of it
/// or of a directory above it that the command line or a profile gave (the default
/// environment gives no place a program changes): where it is, and whether it is
/// writable.
fn covering(plan: &[PlanNode], slots: &[PathBuf], path: &Path) -> Option<(PathBuf, bool)> {
    let binds = plan.iter().filter_map(|n| match n.step {
        Step::Bind {
            writable,
            default: false,
            ..
        } if path.starts_with(&n.path) => Some((n.path.clone(), writable)),
        // A directory holding slots: read-only but for them.
        Step::SlotDir { .. } if path.starts_with(&n.path) => Some((n.path.clone(), false)),
        _ => None,
    });
    let slots = slots
        .iter()
        .filter(|s| path.starts_with(s))
        .map(|s| (s.clone(), true));
    binds
        .chain(slots)
        .max_by_key(|(at, _)| at.as_os_str().len())
}

/// Whether the line gave `path` to write: its deepest grant ([`covering`]) is.
pub fn given_to_write(plan: &[PlanNode], slots: &[PathBuf], path: &Path) -> bool {
    covering(plan, slots, path).is_some_and(|(_, writable)| writable)
}

/// Which of a command's `words` (run in `cwd`) it was given read-only, for a program
/// that changes its operands ([`may_change_its_operands`]): each named alone without
/// `=>` (a bind of its own), or inside a directory its line granted read-only
/// (`sed -i s/a/b/ f + .`, `xargs`' `vim f + .`: they failed on the read-only file
/// system with no hint). The second: that directory, the first such.
pub fn read_only_words(
    tool: &str,
    plan: &[PlanNode],
    slots: &[PathBuf],
    cwd: &Path,
    words: &[PathBuf],
) -> (Vec<PathBuf>, Option<PathBuf>) {
    // By path, each grant of the line or a profile: `rm *.o` names thousands, each a
    // node of the plan, and each word's places are looked up from it upwards.
    // (writable, a directory, of the default environment)
    let mut grants: std::collections::HashMap<&Path, (bool, bool, bool)> = plan
        .iter()
        .filter_map(|n| match n.step {
            Step::Bind {
                writable,
                default,
                is_dir,
                ..
            } => Some((n.path.as_path(), (writable, is_dir, default))),
            Step::SlotDir { .. } => Some((n.path.as_path(), (false, true, false))),
            _ => None,
        })
        .collect();
    grants.extend(slots.iter().map(|s| (s.as_path(), (true, false, false))));
    let mut within = None;
    let given = words
        .iter()
        .filter(|w| !w.as_os_str().as_bytes().starts_with(b"-"))
        .filter(|w| {
            let joined = cwd.join(w);
            let at = crate::namespace::normalize(&joined).unwrap_or(joined);
            let Some((place, &(writable, is_dir, default))) =
                at.ancestors().find_map(|a| grants.get_key_value(a))
            else {
                return false;
            };
            if writable {
                return false;
            }
            // Named itself (a bind of its own), or inside the line's directory (the
            // default environment's are not given by the line), and there: not a
            // word of another kind (`sed -i s/a/b/ f + .`).
            if *place != at.as_path() {
                // A name it was to make there, in a directory that is (`mkdir dist + .`
                // failed with no hint).
                let makes = MAKERS.contains(&tool) || COPIES.contains(&tool);
                let new = at.symlink_metadata().is_err()
                    && !(makes && at.parent().is_some_and(Path::is_dir));
                if !is_dir || default || new {
                    return false;
                }
                // As the line would name it: `.`, below it relative, else in full.
                within.get_or_insert_with(|| match place.strip_prefix(cwd) {
                    Ok(below) if below.as_os_str().is_empty() => PathBuf::from("."),
                    Ok(below) => below.to_path_buf(),
                    Err(_) => place.to_path_buf(),
                });
            }
            true
        })
        .cloned()
        .collect();
    (given, within)
}

/// Where what a program changes ([`Writes`]) stands in its jail, when that is not
/// where it could change it (from the jail's `plan` and its `slots`, run in `cwd`, by
/// a user whose home is `home`, with the keyring directory `keyring` if its
/// environment names one: `GNUPGHOME`).
pub fn changes_in(
    writes: Writes,
    plan: &[PlanNode],
    slots: &[PathBuf],
    (exe, cwd, home, keyring): (&Path, &Path, &Path, Option<&Path>),
) -> Option<Changes> {
    let covering = |path: &Path| covering(plan, slots, path).map(|(_, writable)| writable);
    let read_only = |path: PathBuf| match covering(&path) {
        Some(false) => Some(Changes::ReadOnly(writes, path)),
        _ => None,
    };
    match writes {
        Writes::WorkingDir => {
            let deepest = plan
                .iter()
                .filter(|n| matches!(n.step, Step::Bind { default: false, .. }))
                .filter(|n| cwd.starts_with(&n.path))
                .max_by_key(|n| n.path.as_os_str().len())?;
            read_only(deepest.path.clone())
        }
        Writes::Repository | Writes::WorkTree => {
            // The repository git finds: the nearest `.git` here or above (what git's
            // profile's `nearest-dir` gave), and its work tree.
            let git = cwd
                .ancestors()
                .map(|dir| dir.join(".git"))
                .find(|git| git.symlink_metadata().is_ok())?;
            // A linked work tree's repository is the `.git` its own names.
            let git = match linked_git_dirs(git.parent()?).pop() {
                Some(common) if writes == Writes::Repository => common,
                _ => git,
            };
            match writes {
                Writes::WorkTree => {
                    let tree = git.parent()?.to_path_buf();
                    read_only(tree).or_else(|| read_only(git))
                }
                _ => read_only(git),
            }
        }
        Writes::Manifest => read_only(cwd.join("package.json")),
        Writes::Venv => {
            let venv = exe.parent()?.parent()?;
            let regular = crate::planted::open_regular(&venv.join("pyvenv.cfg")).is_some();
            regular.then(|| read_only(venv.to_path_buf())).flatten()
        }
        Writes::GlobalConfig | Writes::Keyring | Writes::UserSite => {
            let file = match writes {
                Writes::Keyring => match keyring {
                    Some(k) => cwd.join(k),
                    None => home.join(".gnupg"),
                },
                Writes::UserSite => home.join(".local"),
                _ => {
                    let file = home.join(".gitconfig");
                    let xdg = home.join(".config/git/config");
                    match file.symlink_metadata().is_err() && xdg.exists() {
                        true => xdg,
                        false => file,
                    }
                }
            };
            // None of the user's yet (no ~/.gnupg): the one it makes is made in the
            // jail's private home, and gone with it (a key generated there: new-user
            // trial); one elsewhere (`GNUPGHOME`) is made where it is given.
            if writes == Writes::Keyring && file.symlink_metadata().is_err() {
                // One named by `GNUPGHOME` that is not there: gpg makes only its
                // default one (trial 8: told it saw only its grants).
                if keyring.is_some() {
                    return Some(Changes::Missing(writes, file));
                }
                let private = file.starts_with(home) && covering(&file).is_none();
                return private.then_some(Changes::Private(writes, file));
            }
            match covering(&file) {
                Some(true) => None,
                Some(false) => Some(Changes::ReadOnly(writes, file)),
                // (The working directory below the home is the user's, not private.)
                None if keyring.is_some()
                    && !(file.starts_with(home) && (cwd == home || !file.starts_with(cwd))) =>
                {
                    Some(Changes::NotGiven(writes, file))
                }
                None => Some(Changes::Private(writes, file)),
            }
        }
    }
}

/// Where what a program changes ([`Writes`]) stands in its jail, when that is not
/// where it could change it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changes {
    /// Granted read-only at this path (the host's): a change there failed.
    ReadOnly(Writes, PathBuf),
    /// Not granted: a change landed in the jail's private home and was gone with it.
    Private(Writes, PathBuf),
    /// Not granted, and not in the home: a keyring directory named by `GNUPGHOME`.
    NotGiven(Writes, PathBuf),
    /// Not there: a keyring directory named by `GNUPGHOME`, which gpg does not make.
    Missing(Writes, PathBuf),
}

/// Whether the program named `tool` removes or renames the names it is given: for
/// those alone, which of its words were granted read-only is worth finding out
/// (`Observed::read_only`).
pub fn changes_its_operands(tool: &str) -> bool {
    [
        "rm", "rmdir", "unlink", "mv", "shred", "chmod", "chown", "chgrp", "touch", "truncate",
        "setfacl", "patch", "find", "ranlib", "strip", "tee", "mkdir", "mkfifo",
    ]
    .contains(&tool)
        || COPIES.contains(&tool)
        || EDITORS.contains(&tool)
        || ["sed", "perl", "sort"].contains(&tool)
        || compressed_name(tool, Path::new("")).is_some()
}

/// Whether `tool` given `words` may change what they name: [`changes_its_operands`],
/// or a database `sqlite3` writes.
pub fn may_change_its_operands(tool: &str, words: &[PathBuf]) -> bool {
    (changes_its_operands(tool) && !compresses_to_output(tool, words)) || sqlite_writes(tool, words)
}

/// Whether a compressor given `words` only reads its files: to its output (`-c`,
/// `--stdout`), or listing or testing them (`-l`, `-t`). (`gzip -c src/../README` was
/// told the grant to change it; trial 16.)
fn compresses_to_output(tool: &str, words: &[PathBuf]) -> bool {
    compressed_name(tool, Path::new("f")).is_some()
        && words.iter().any(|w| {
            let w = w.as_os_str().as_bytes();
            let short = w.len() > 1
                && w[0] == b'-'
                && w[1] != b'-'
                && w[1..].iter().all(u8::is_ascii_alphanumeric)
                && w[1..].iter().any(|c| matches!(c, b'c' | b'l' | b't'));
            short || matches!(w, b"--stdout" | b"--to-stdout" | b"--list" | b"--test")
        })
}

/// Whether `sqlite3` (`tool`) given `words` may write its database: its statements
/// come from standard input (`sqlite3 test.db < dump.sql`: "attempt to write a
/// readonly database", and no hint; new-user trial), or the ones it is given change
/// something. A query alone that failed says nothing of grants.
fn sqlite_writes(tool: &str, words: &[PathBuf]) -> bool {
    const CHANGES: &[&str] = &[
        "insert", "create", "update", "delete", "drop", "alter", "replace", "vacuum", ".import",
        ".read", ".restore", "pragma",
    ];
    if tool != "sqlite3" {
        return false;
    }
    let operands: Vec<String> = words
        .iter()
        .map(|w| w.to_string_lossy().to_lowercase())
        .filter(|w| !w.starts_with('-'))
        .collect();
    match operands.get(1..) {
        None | Some([]) => true,
        Some(sql) => sql.iter().any(|s| CHANGES.iter().any(|c| s.contains(c))),
    }
}

/// Whether `words` ask `sed` or `perl` to edit files in place (`-i`, `-i.bak`, `-pi`,
/// `--in-place`).
fn in_place(tool: &str, words: &[PathBuf]) -> bool {
    (tool == "sed" || tool == "perl")
        && words.iter().any(|w| {
            let w = w.as_os_str().as_bytes();
            w.starts_with(b"--in-place")
                || (w.starts_with(b"-")
                    && !w.starts_with(b"--")
                    && w[1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphabetic())
                        .any(|c| *c == b'i'))
        })
}

/// Editors: given a file read-only, they open it read-only and exit 0 after `:q!`.
/// Editors, by program name: a file named for one is there to be changed.
pub const EDITORS: &[&str] = &[
    "vim",
    "vi",
    "vim.basic",
    "vim.tiny",
    "nvim",
    "nvi",
    "elvis",
    "nano",
    "pico",
    "emacs",
    "emacs-nox",
    "ed",
    "micro",
    "mcedit",
    "joe",
    "jed",
    "mg",
    "hx",
    "helix",
    "kak",
    "ne",
];

/// Whether an editor's words ask it only to show what it opens (`vim -R`, `nano -v`).
pub fn view_only<W: AsRef<std::ffi::OsStr>>(tool: &str, words: &[W]) -> bool {
    let nano = tool == "nano" || tool == "pico";
    words
        .iter()
        .map(|w| w.as_ref().as_bytes())
        .take_while(|w| *w != b"--")
        .any(|w| match w {
            b"-R" | b"-M" | b"-m" => !nano,
            b"-v" | b"--view" => nano,
            _ => false,
        })
}

/// Programs that make the files their operands name.
const CREATORS: &[&str] = &["touch", "tee", "cp", "install", "ln", "mkfifo", "truncate"];

/// Programs that list the working directory when given no operand (`ls`, `du`).
pub const LISTERS: &[&str] = &["ls", "du", "tree", "dir", "vdir"];

/// Programs that make the names they are given.
const MAKERS: &[&str] = &["mkdir", "touch", "mkfifo", "truncate"];

/// Programs that write into their last operand (`cp a b dest/`), not the others.
const COPIES: &[&str] = &["cp", "install", "ln", "rsync"];

/// Programs that only read the names they are given.
const READERS: &[&str] = &[
    "ls",
    "cat",
    "stat",
    "file",
    "head",
    "tail",
    "wc",
    "less",
    "more",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "diff",
    "cmp",
    "du",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "od",
    "xxd",
    "hexdump",
    "readlink",
    "realpath",
    "test",
    "[",
    // Debuggers and inspectors of a program (trial 18: `gdb ./prog` before it was
    // built was told `=> ./prog`).
    "gdb",
    "valgrind",
    "strace",
    "ltrace",
    "ldd",
    "objdump",
    "readelf",
    "nm",
    "strings",
];

/// The file `tool` makes of `file` beside it (`gzip f` makes f.gz), where the shell
/// knows it from the program's name alone.
pub fn made_of(tool: &str, file: &Path) -> Option<PathBuf> {
    compressed_name(tool, file).filter(|made| made != file)
}

/// For a program that replaces each file it is given by its compressed (or
/// decompressed) form (`gzip f` makes `f.gz` and removes `f`), the name it makes of
/// `file`.
fn compressed_name(tool: &str, file: &Path) -> Option<PathBuf> {
    const COMPRESS: &[(&str, &str)] = &[
        ("gzip", ".gz"),
        ("bzip2", ".bz2"),
        ("xz", ".xz"),
        ("lzma", ".lzma"),
        ("lzip", ".lz"),
    ];
    const DECOMPRESS: &[&str] = &["gunzip", "bunzip2", "unxz", "unlzma"];
    let mut name = file.as_os_str().to_os_string();
    if let Some((_, suffix)) = COMPRESS.iter().find(|(t, _)| *t == tool) {
        name.push(suffix);
        return Some(PathBuf::from(name));
    }
    if DECOMPRESS.contains(&tool) {
        let stem = file
            .extension()
            .map_or(file.to_path_buf(), |_| file.with_extension(""));
        return Some(stem);
    }
    None
}

/// What programs keep in a home directory as they go, which nobody misses when it is
/// cargo's home: `$CARGO_HOME`, or `~/.cargo`.
fn cargo_home(home: &Path) -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".cargo"))
}

/// Whether `name`, left beside the slots in `dir`, is one of what programs leave as
/// they go there: in the home, [`incidental`]; in cargo's home, its cache tracker and
/// locks (`cargo fetch + => ~/.cargo/registry` leaves them beside the registry).
pub fn incidental_beside(dir: &Path, home: Option<&Path>, name: &Path) -> bool {
    // Python's compiled modules, beside the sources it ran (pytest given its files and
    // its cache was told of `__pycache__` each run; trial 6).
    if name.starts_with("__pycache__") {
        return true;
    }
    let Some(home) = home else {
        return false;
    };
    if dir == home {
        return incidental(name);
    }
    dir == cargo_home(home)
        && [".global-cache", ".package-cache", ".package-cache-mutate"]
            .iter()
            .any(|n| name == Path::new(n))
}

/// Whether `rel` (in the home) is what programs leave as they go, not said when it is
/// discarded with a jail's private home (or beside a slot in the home): their
/// histories (`less`, `vim`, `python3`, shells, clients), caches and logs. Told of each
/// run of `less` or `vim`, users learn to ignore the line that matters.
pub fn incidental(rel: &Path) -> bool {
    incidental_always(rel) || rel.starts_with(".npm/_logs")
}

/// [`incidental`], but for what a failed command leaves that it named in its error
/// (`rel`, at `path`): npm's log, when npm said "A complete log of this run can be
/// found in: ~/.npm/_logs/…" (a file then gone with the home, without a word; new-user
/// trial) — which npm writes into that log too. Not the log of a project's script that
/// failed (`npm test`), which npm names nowhere.
pub fn incidental_after_failure(rel: &Path, path: &Path) -> bool {
    incidental_always(rel) || (rel.starts_with(".npm/_logs") && !names_itself(path))
}

/// Whether npm's log at `path` says it was named to the user (the line npm printed).
/// The file is the jail's: opened without following a link or waiting on a FIFO, and
/// read only while it is a regular file, its last 4 KiB.
fn names_itself(path: &Path) -> bool {
    use std::io::Read;
    let Some(file) = crate::planted::open_regular_unfollowed(path) else {
        return false;
    };
    let len = file.metadata().map_or(0, |m| m.len());
    // npm writes that line last: only the end is read (a jail's many large logs made
    // its end slow; security review).
    let mut file = file;
    let _ = std::io::Seek::seek(
        &mut file,
        std::io::SeekFrom::Start(len.saturating_sub(4096)),
    );
    let mut text = Vec::new();
    let _ = file.take(4096).read_to_end(&mut text);
    const SAID: &[u8] = b" error A complete log of this run can be found in: ";
    text.windows(SAID.len()).any(|w| w == SAID)
}

/// Incidental after a failure too: histories and caches.
fn incidental_always(rel: &Path) -> bool {
    const HISTORIES: &[&str] = &[
        ".lesshst",
        ".viminfo",
        ".viminfo.tmp",
        ".python_history",
        ".bash_history",
        ".sh_history",
        ".zsh_history",
        ".sqlite_history",
        ".node_repl_history",
        ".psql_history",
        ".mysql_history",
        ".rediscli_history",
        ".wget-hsts",
        ".gdb_history",
    ];
    let top = rel.components().count() == 1;
    (top && HISTORIES.iter().any(|h| rel == Path::new(h)))
        || rel.starts_with(".cache")
        || rel.starts_with(".local/state")
        || (rel.starts_with(".npm") && !rel.starts_with(".npm/_logs"))
        // top's settings directory, made on every run (`top -b -n1 | head` had the
        // line in the middle of its output; new-user trial).
        || rel.starts_with(".config/procps")
        // pytest's own temporary directories, in /tmp (each run told of them; trial 6).
        || rel
            .components()
            .next()
            .is_some_and(|c| c.as_os_str().as_encoded_bytes().starts_with(b"pytest-of-"))
}

/// Where a jail's observations are collected while it runs.
pub type Shared = Arc<Mutex<Observed>>;

fn note<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if list.len() < 64 && !list.contains(&item) {
        list.push(item);
    }
}

impl Observed {
    /// A name it looked for, and whether it tried to write it. A lookup and then a
    /// create of the same name (`as` opening an existing `a.o` it was not given: the
    /// skeleton has no such name) are one name it tried to write: it was told it only
    /// "looked for" it, and to grant it read-only (new-user trial).
    pub fn looked_for(shared: &Shared, path: PathBuf, write: bool) {
        if let Ok(mut o) = shared.lock() {
            match o.looked.iter_mut().find(|(p, _)| *p == path) {
                Some((_, seen)) => *seen |= write,
                None => note(&mut o.looked, (path, write)),
            }
        }
    }

    pub fn ran(shared: &Shared, path: PathBuf) {
        if let Ok(mut o) = shared.lock() {
            note(&mut o.execs, path);
        }
    }

    pub fn listed(shared: &Shared, shown: usize) {
        if let Ok(mut o) = shared.lock() {
            o.listed = Some(shown);
        }
    }

    /// After a command that succeeded having listed the working directory, which was
    /// not granted: the line saying it saw only part of it (`ls` showing nothing).
    pub fn listing_hint(
        &self,
        program: &str,
        name: &str,
        args: bool,
        cwd: &Path,
    ) -> Option<String> {
        let cmd = format!("{name}{}", if args { " …" } else { "" });
        // Many of the user's files looked for and not there, for a command that went on
        // anyway (`git commit -a + => .git` sees every tracked file as deleted).
        let missed = self
            .looked
            .iter()
            .filter(|(rel, write)| !write && grantable(&cwd.join(rel)))
            .count();
        if missed >= MISSED_FOR_A_WARNING {
            return Some(format!(
                "{program}: {name} looked for {missed} files here that were not granted, and saw them as missing — if it was to use them, try: {cmd} + ."
            ));
        }
        // Python lists the directory it runs in to import anything (the script's
        // directory or, with -c, the working directory comes first in `sys.path`):
        // not a listing the user would be told of after each `python3 -c`.
        // (Not when it runs tests, which it finds by listing: `-m unittest` found none
        // and said OK.)
        if self.tool.starts_with("python") && !self.runs_tests() {
            return None;
        }
        // A bare `ls` in the home, which a jail has of its own, private and empty: it
        // listed that, and nothing was said (trial 9).
        let lister = LISTERS.contains(&self.tool.as_str());
        let bare = self.operands().is_empty();
        let private =
            self.slots_here.is_some() && cwd == self.home && !self.home.as_os_str().is_empty();
        if self.listed.is_none() && lister && bare && private {
            let there = std::fs::read_dir(cwd).ok()?.count();
            return (there > 0).then(|| format!(
                "{program}: {name} listed ./, your home, which was not granted: a jail has a home of its own, empty — to list yours, try: {cmd} + ."
            ));
        }
        let shown = self.listed?;
        let there = std::fs::read_dir(cwd).ok()?.count();
        let hidden = there.checked_sub(shown).filter(|n| *n > 0)?;
        let names = if hidden == 1 { "name" } else { "names" };
        Some(format!(
            "{program}: {name} listed ./, which was not granted: it saw only its command line's grants there, not {hidden} other {names} — try: {cmd} + ."
        ))
    }

    /// After python failed, having listed the working directory (not granted) to import
    /// from it: the modules there it could not see, by name — `import helper` beside
    /// main.py failed with ModuleNotFoundError and nothing said why (new-user trial).
    /// Named from the host's directory (the user's files), at most three; more are
    /// told as `+ .`.
    pub fn python_import_hint(
        &self,
        program: &str,
        name: &str,
        args: bool,
        cwd: &Path,
    ) -> Option<String> {
        if !self.tool.starts_with("python") || self.runs_tests() {
            return None;
        }
        // Where it imports from first: the directory of the script it runs, below the
        // working directory (`python3 src/main.py` imports src/calc: no hint was
        // given; trial 11), else the working directory, if it listed it.
        let script = self
            .words
            .iter()
            .find(|w| !w.as_os_str().as_bytes().starts_with(b"-"))
            .filter(|w| w.as_os_str().as_bytes().ends_with(b".py") && w.is_relative());
        let from = script
            .and_then(|s| s.parent())
            .filter(|d| !d.as_os_str().is_empty() && plain_below(d));
        if from.is_none() && self.listed.is_none() {
            return None;
        }
        let dir = from.map_or(cwd.to_path_buf(), |d| cwd.join(d));
        let typed = |n: &std::ffi::OsStr| {
            self.words
                .iter()
                .any(|w| w.as_os_str() == n || cwd.join(w) == dir.join(n))
        };
        let mut modules: Vec<std::ffi::OsString> = std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .filter(|e| {
                let n = e.file_name();
                let b = n.as_bytes();
                let module = (b.ends_with(b".py") && e.path().is_file())
                    || e.path().join("__init__.py").is_file();
                module && !b.starts_with(b".") && !typed(&n)
            })
            .map(|e| match from {
                Some(d) => d.join(e.file_name()).into_os_string(),
                None => e.file_name(),
            })
            .collect();
        if modules.is_empty() {
            return None;
        }
        modules.sort();
        let cmd = format!("{name}{}", if args { " …" } else { "" });
        let grant = match modules.len() {
            1..=3 => modules
                .iter()
                .map(|m| format!("+ {}", crate::text::word(Path::new(m))))
                .collect::<Vec<_>>()
                .join(" "),
            _ => "+ .".to_string(),
        };
        let list = crate::text::names(&modules[..modules.len().min(3)], modules.len() > 3);
        let listed = match from {
            Some(d) => format!("{}/", crate::text::shown(d)),
            None => "./".to_string(),
        };
        Some(format!(
            "{program}: {name} lists {listed} to import from it, which was not granted: it did not see {list} — if it imports them, try: {cmd} {grant}"
        ))
    }

    /// SQLite's files beside a database the line named, if `name` is one: the
    /// database's word as typed and the files its journal takes (`sqlite3 test.db
    /// "select …"` in WAL mode makes test.db-wal and test.db-shm, even to read; it was
    /// told "+ => NAME for each file it makes": new-user trial). Named from the word
    /// typed, never from what the jail made.
    fn sqlite_beside(&self, name: &Path, cwd: &Path) -> Option<(PathBuf, Vec<PathBuf>)> {
        if !["sqlite3", "sqlite"].contains(&self.tool.as_str()) {
            return None;
        }
        let bytes = name.as_os_str().as_bytes();
        let wal: &[&str] = &["-wal", "-shm"];
        let journal: &[&str] = &["-journal"];
        [("-wal", wal), ("-shm", wal), ("-journal", journal)]
            .into_iter()
            .find_map(|(suffix, all)| {
                let db = bytes.strip_suffix(suffix.as_bytes())?;
                let db = self.typed(Path::new(std::ffi::OsStr::from_bytes(db)), cwd)?;
                let files = all
                    .iter()
                    .map(|s| {
                        let mut f = db.as_os_str().to_os_string();
                        f.push(s);
                        PathBuf::from(f)
                    })
                    .collect();
                Some((db.to_path_buf(), files))
            })
    }

    /// The line for [`Observed::sqlite_beside`]'s files.
    fn sqlite_line(&self, name: &str, cmd: &str, db: &Path, files: &[PathBuf]) -> String {
        let shown: Vec<String> = files
            .iter()
            .map(|f| crate::text::shown(f).to_string())
            .collect();
        let grants: Vec<String> = files
            .iter()
            .map(|f| format!("=> {}", crate::text::word(f)))
            .collect();
        format!(
            "{name} keeps {} beside {} (its journal), which it was not given to write — try: {cmd} + {}",
            shown.join(" and "),
            crate::text::shown(db),
            grants.join(" ")
        )
    }

    /// For a download (`curl -o FILE`, `wget -O FILE`): ` => FILE` where FILE, as
    /// typed, is not there or was given read-only; else nothing.
    fn download_grant(&self, cwd: &Path) -> String {
        let file = match self.tool.as_str() {
            "curl" => word_after(&self.words, &["-o", "--output"]),
            "wget" => word_after(&self.words, &["-O", "--output-document"]),
            _ => None,
        };
        match file {
            Some(f)
                if f.as_os_str() != "-"
                    && crate::text::typable(f)
                    && (self.read_only.contains(f) || cwd.join(f).symlink_metadata().is_err()) =>
            {
                format!(" => {}", crate::text::word(f))
            }
            _ => String::new(),
        }
    }

    /// After a failed command: the names outside the working directory that the line
    /// gives it to make, where nothing is (`sort … -o ../sorted.txt`, `cp f
    /// ~/dest/new.txt`, `touch ../x`, `git clone repo ../clone`). Only the working
    /// directory is watched, so its failure to make one (on the jail's read-only
    /// skeleton, or in a directory it does not have) was not seen, and nothing was
    /// said (new-user trial). Said as what may have failed, each word as typed given
    /// to write; only a word the user typed, and only where its directory is there.
    pub fn made_elsewhere_hint(
        &self,
        program: &str,
        name: &str,
        args: bool,
        cwd: &Path,
    ) -> Option<String> {
        let operands = self.operands();
        let tool = self.tool.as_str();
        let mut made: Vec<&PathBuf> = Vec::new();
        if let Some(out) = word_after(&self.words, &["-o", "--output"]) {
            made.push(out);
        }
        // The archive tar creates (`tar czf ../backup.tgz .`; trial 11).
        made.extend(tar_creates(tool, &self.words));
        if COPIES.contains(&tool) || (tool == "git" && has_word(&self.words, &[b"clone"])) {
            made.extend(operands.last().filter(|_| operands.len() >= 2));
        } else if CREATORS.contains(&tool) || tool == "mkdir" {
            made.extend(operands.iter().copied());
        }
        let outside: Vec<&PathBuf> = made
            .into_iter()
            .filter(|w| {
                let joined = cwd.join(w);
                let at = crate::namespace::normalize(&joined).unwrap_or(joined);
                !at.starts_with(cwd)
                    && at.symlink_metadata().is_err()
                    && at.parent().is_some_and(Path::is_dir)
                    && crate::text::typable(w)
            })
            .collect();
        let first = outside.first()?;
        let grants: Vec<String> = outside
            .iter()
            .map(|w| format!("=> {}", crate::text::word(w)))
            .collect();
        Some(format!(
            "{program}: {name} was not given {} to make (outside the working directory, where what fails is not seen) — if that is what failed, try: {name}{} {}",
            crate::text::shown(first),
            if args { " …" } else { "" },
            grants.join(" ")
        ))
    }

    /// After sqlite3 failed: the files its dot-commands name, inside an argument where
    /// naming grants nothing (`".read q.sql"` was told `=> sales.db`, `".import
    /// m.csv t"` `+ .`, `".once out.sql"` `+ => NAME`; trial 12): each to read or
    /// to write, as its command uses it, when it is not a word of the line itself.
    pub fn sqlite_dot_hint(&self, program: &str, name: &str, cwd: &Path) -> Option<String> {
        if self.tool != "sqlite3" {
            return None;
        }
        let mut grants: Vec<String> = Vec::new();
        for w in &self.words {
            let Some(text) = w.to_str() else { continue };
            for line in text.lines() {
                let mut parts = line.split_whitespace();
                let command = parts.next();
                let write = match command {
                    Some(".read" | ".import" | ".restore") => false,
                    Some(".once" | ".output" | ".backup" | ".save") => true,
                    _ => continue,
                };
                // The file: its first word that is no option (`.import --csv f t`;
                // `.backup main f` and `.restore main f` name the database first).
                let operands: Vec<&str> = parts.filter(|p| !p.starts_with('-')).collect();
                let file = match (command, operands.as_slice()) {
                    (Some(".backup" | ".restore"), [_, f, ..]) => f,
                    (_, [f, ..]) => f,
                    _ => continue,
                };
                let file = file.trim_matches(|c| c == '"' || c == '\'');
                let path = Path::new(file);
                let named = self.words.iter().any(|w| w == path);
                let there = cwd.join(path).symlink_metadata().is_ok();
                if named || file.is_empty() || file.starts_with('|') || (!write && !there) {
                    continue;
                }
                let grant = match write {
                    true => format!("+ => {}", crate::text::word(path)),
                    false => format!("+ {}", crate::text::word(path)),
                };
                if !grants.contains(&grant) {
                    grants.push(grant);
                }
            }
        }
        // A new database it tried to make, named on the line: its `=>` too (trial 17:
        // `.import` into a new data.db was told the CSV alone, and failed again).
        let database = self
            .looked
            .iter()
            .find(|(rel, write)| *write && self.words.iter().any(|w| w == rel))
            .map(|(rel, _)| format!("=> {} ", crate::text::word(rel)))
            .unwrap_or_default();
        (!grants.is_empty()).then(|| {
            format!(
                "{program}: {name}'s dot-commands name files it was not given (a name inside an argument grants nothing) — try: {name} {database}… {}",
                grants.join(" ")
            )
        })
    }

    /// After sqlite3 failed on a database a killed writer left with its journal:
    /// reading it rolls that back, which writes ("attempt to write a readonly
    /// database"; trial 14).
    pub fn sqlite_journal_hint(&self, program: &str, name: &str, cwd: &Path) -> Option<String> {
        if self.tool != "sqlite3" {
            return None;
        }
        let db = self
            .words
            .iter()
            .find(|w| !w.as_os_str().as_bytes().starts_with(b"-"))?;
        let mut journal = db.as_os_str().to_os_string();
        journal.push("-journal");
        cwd.join(&journal)
            .symlink_metadata()
            .is_ok_and(|m| m.is_file())
            .then(|| {
                format!(
                    "{program}: {name} found {} beside {}, a transaction a killed writer left: reading the database rolls it back first, which writes — try: {name} … => {}",
                    crate::text::word(Path::new(&journal)),
                    crate::text::word(db),
                    crate::text::word(db)
                )
            })
    }

    /// After a failed build in a CMake build directory whose sources it was not given
    /// (the Makefile CMake wrote checks them first: `make + => .` in build/ failed
    /// with "does not appear to contain CMakeLists.txt", and nothing was said; trial
    /// 13): those sources, to read.
    pub fn cmake_hint(&self, program: &str, name: &str, args: bool, cwd: &Path) -> Option<String> {
        let src = self.cmake_sources.as_ref()?;
        let place = shown_from(src, cwd, &self.home, false);
        let cmd = format!("{name}{}", if args { " …" } else { "" });
        Some(format!(
            "{program}: {name} builds a CMake tree whose sources, {place} (its CMakeCache.txt says), it was not given — try: {cmd} + {place}"
        ))
    }

    /// After a failed command that removes or renames what it is given (`rm`, `mv`:
    /// [`changes_its_operands`]): it was given read-only what it was to change (and
    /// in a working directory not granted, the kernel said "busy", not "read-only":
    /// each such name is a mount there). `tool` is its program's name.
    pub fn operands_hint(&self, program: &str, name: &str, cwd: &Path) -> Option<String> {
        let tool = self.tool.as_str();
        if !may_change_its_operands(tool, &self.words) {
            return None;
        }
        let shown = |p: &Path| crate::text::word(p);
        let operands = self.operands();
        // A hard link is made beside its file, which must be in the same file system:
        // a file granted read-only is a mount of its own (EXDEV).
        let symbolic = short_option(&self.words, b"s") || has_word(&self.words, &[b"--symbolic"]);
        if let ([from, to], "ln", false) = (operands.as_slice(), tool, symbolic) {
            if self.read_only.contains(from) {
                return Some(format!(
                    "{program}: {name} makes a hard link, which must be made where {} is: given it read-only {}, it could not — try: {name} => {} => {}",
                    shown(from),
                    self.given_how(),
                    shown(from),
                    shown(to)
                ));
            }
        }
        if tool == "find" {
            // Only when it changes what it finds: `-delete`, or `-exec` of a program
            // that changes its operands (`-exec sed -i … {} +`, `-exec rm {} \;`).
            let start = self.read_only.first()?;
            // `find . -name '*.tmp' -delete`: the files it removes, by the same pattern
            // (trial 8 found `+ => **/*.tmp` worked where `+ => .` was offered).
            let pattern = word_after(&self.words, &["-name"])
                .filter(|_| has_word(&self.words, &[b"-delete"]) && start.as_os_str() == ".")
                // (As typed, unquoted: only a plain pattern.)
                .filter(|p| {
                    p.as_os_str()
                        .as_bytes()
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || b"*?.-_".contains(b))
                })
                .map(|p| {
                    format!(
                        "shopt -s globstar, then {name} … + => **/{} (each file it may remove), or ",
                        p.display()
                    )
                })
                .unwrap_or_default();
            return find_changes(&self.words).then(|| {
                format!(
                    "{program}: {name} was given {} read-only {}, so what it found could not be changed — try: {pattern}{name} … + => {}",
                    shown(start),
                    self.given_how(),
                    shown(start)
                )
            });
        }
        let first = match tool {
            // Only where it copies to: what it copies is read, and rightly read-only.
            // (Not where it was given several to copy and the last is no directory:
            // what it said is all, and its last operand no place to write — `cp
            // /etc/hosts /etc/hostname /etc/os-release + => .` was told `=>
            // /etc/os-release`; trial 19.)
            _ if COPIES.contains(&tool) => {
                let last = *operands.last().filter(|d| self.read_only.contains(d))?;
                if operands.len() > 2 && !cwd.join(last).is_dir() {
                    return None;
                }
                last
            }
            // Only what it writes.
            // The file `sort` writes (`-o FILE`).
            "sort" => word_after(&self.words, &["-o", "--output"])
                .filter(|o| self.read_only.contains(o))?,
            "sed" | "perl" if !in_place(tool, &self.words) => return None,
            // The file it patches: its first operand, not the patch it reads (`patch
            // a.orig fix.patch` was told to write both; new-user trial).
            "patch" => {
                let input = word_after(&self.words, &["-i", "--input"]);
                *operands
                    .iter()
                    .find(|o| Some(**o) != input)
                    .filter(|o| self.read_only.contains(o))?
            }
            // Not the database when what failed was a file it tried to make that is
            // not its own (`.output r.csv` at its prompt, which the line does not show:
            // it was told to write the database; trial 17).
            "sqlite3" if self.made_other_than(&operands) => return None,
            _ => self.read_only.first()?,
        };
        if tool == "sort" {
            return Some(format!(
                "{program}: {name} was given {} read-only {}, so it could not write it — try: {name} … -o => {}",
                shown(first),
                self.given_how(),
                shown(first)
            ));
        }
        // `gzip -k a.txt` keeps what it compresses: only what it makes needs writing.
        let keeps = short_option(&self.words, b"k") || has_word(&self.words, &[b"--keep"]);
        if let (true, Some(made)) = (keeps, compressed_name(tool, first)) {
            // Each it was given makes one (`gzip -k part_a*` was told of the first
            // alone, and the next failed in turn: new-user trial).
            let all: Vec<PathBuf> = operands
                .iter()
                .filter(|o| self.read_only.contains(o))
                .filter_map(|o| compressed_name(tool, o))
                .collect();
            let grants: Vec<String> = all
                .iter()
                .take(8)
                .map(|m| format!("=> {}", shown(m)))
                .collect();
            let more = match all.len() > 8 {
                true => format!(" … ({} in all, => before each; or + => .)", all.len()),
                false => String::new(),
            };
            return Some(format!(
                "{program}: {name} makes {} beside {}{}, which {} not granted — try: {name} … + {}{more}",
                shown(&made),
                shown(first),
                match all.len() {
                    0 | 1 => String::new(),
                    n => format!(" ({} more like it)", n - 1),
                },
                if all.len() > 1 { "were" } else { "was" },
                match grants.is_empty() {
                    true => format!("=> {}", shown(&made)),
                    false => grants.join(" "),
                },
            ));
        }
        // Several it changes, each read-only (`sed -i … *.txt`): each needs its `=>`
        // (the trial was told only the first).
        let changed: Vec<&&PathBuf> = operands
            .iter()
            .filter(|o| self.read_only.contains(o))
            .collect();
        let each_changed = !COPIES.contains(&tool) && !["mv", "find", "patch"].contains(&tool);
        // Each it compresses, and the file it makes of each (`gzip a.log.2 a.log.3` was
        // told of the first alone; trial 19).
        if changed.len() > 1 && each_changed && compressed_name(tool, first).is_some() {
            let each: Vec<(String, String)> = changed
                .iter()
                .filter_map(|o| Some((shown(o), shown(&compressed_name(tool, o)?))))
                .collect();
            let taken = &each[..each.len().min(4)];
            let more = match each.len() > 4 {
                true => format!(" … ({} in all, => before each; or + => .)", each.len()),
                false => String::new(),
            };
            return Some(format!(
                "{program}: {name} was given {} files read-only ({}: {}, …), so it could not replace them — try: {name} … {} + {}{more}",
                changed.len(),
                self.given_how().trim_start_matches('(').trim_end_matches(')'),
                shown(first),
                taken.iter().map(|(f, _)| format!("=> {f}")).collect::<Vec<_>>().join(" "),
                taken.iter().map(|(_, m)| format!("=> {m}")).collect::<Vec<_>>().join(" "),
            ));
        }
        if changed.len() > 1 && each_changed && compressed_name(tool, first).is_none() {
            let grants: Vec<String> = changed
                .iter()
                .take(3)
                .map(|p| format!("=> {}", shown(p)))
                .collect();
            let more = if changed.len() > 3 { " …" } else { "" };
            // All of one kind, in one directory: the glob that names them.
            let ext = first.extension();
            let dir = first.parent();
            let alike = ext.is_some()
                && changed
                    .iter()
                    .all(|p| p.extension() == ext && p.parent() == dir);
            let glob = match (alike, ext, dir) {
                (true, Some(ext), Some(dir)) => {
                    // Their names' common beginning too (`f1.txt f2.txt`: `f*.txt`, not
                    // `*.txt`, which took big.txt as well; new-user trial).
                    let names: Vec<&[u8]> = changed
                        .iter()
                        .filter_map(|p| p.file_name().map(|n| n.as_bytes()))
                        .collect();
                    let common = names.iter().skip(1).fold(
                        names.first().map_or(0, |n| n.len()),
                        |len, n| {
                            names[0]
                                .iter()
                                .zip(n.iter())
                                .take(len)
                                .take_while(|(a, b)| a == b)
                                .count()
                        },
                    );
                    let stem = first.file_stem().map_or(0, |s| s.len());
                    let begin = &names.first().copied().unwrap_or_default()[..common.min(stem)];
                    let mut pattern = std::ffi::OsString::from(std::ffi::OsStr::from_bytes(begin));
                    pattern.push("*.");
                    pattern.push(ext);
                    format!(
                        ", or a glob after it: => {}",
                        crate::text::shown(&dir.join(pattern))
                    )
                }
                _ => String::new(),
            };
            let new = changed
                .iter()
                .all(|p| cwd.join(p).symlink_metadata().is_err());
            if let (true, Some(dir)) = (new, &self.read_only_in) {
                return Some(format!(
                    "{program}: {name} could not make {} names ({}, …): {} was granted read-only — try: {name} … {}{more}",
                    changed.len(),
                    shown(first),
                    shown(dir),
                    grants.join(" ")
                ));
            }
            return Some(format!(
                "{program}: {name} was given {} files read-only ({}: {}, …), so it could not change them — try: {name} … {}{more} (=> before each{glob})",
                changed.len(),
                self.given_how().trim_start_matches('(').trim_end_matches(')'),
                shown(first),
                grants.join(" ")
            ));
        }
        let try_this = match (operands.as_slice(), compressed_name(tool, first)) {
            // Into a directory there (`mv a.csv sub/`): the one name it makes in it, not
            // the whole directory (new-user trial).
            ([from, to], _) if tool == "mv" => {
                let into = from
                    .file_name()
                    .filter(|_| cwd.join(to).is_dir())
                    .map(|f| to.join(f));
                format!(
                    "{name} => {} => {}",
                    shown(from),
                    shown(into.as_deref().unwrap_or(to))
                )
            }
            // Each it moves, and where to (`mv *.log dest/` was told the first alone;
            // new-user trial).
            (all, _) if tool == "mv" && all.len() > 2 => {
                let each: Vec<String> = all.iter().map(|o| format!("=> {}", shown(o))).collect();
                format!("{name} {}", each.join(" "))
            }
            // The file it makes beside it is a grant it needs too.
            (_, Some(made)) => format!("{name} … => {} + => {}", shown(first), shown(&made)),
            _ => format!("{name} … => {}", shown(first)),
        };
        // One it was to make, in a directory granted read-only.
        if let (Err(_), Some(dir)) = (cwd.join(first).symlink_metadata(), &self.read_only_in) {
            return Some(format!(
                "{program}: {name} could not make {}: {} was granted read-only — try: {try_this}",
                shown(first),
                shown(dir),
            ));
        }
        Some(format!(
            "{program}: {name} was given {} read-only {}, so it could not change it — try: {try_this}",
            shown(first),
            self.given_how()
        ))
    }

    /// After a command that [`what_it_changes`] knows changing what its line gave it
    /// read-only, or not at all ([`Observed::changes`]): the write grant for it. For a
    /// failed command when it was read-only (the failure may have had another cause:
    /// said as such); for any when the change went to the private home.
    pub fn changes_hint(
        &self,
        program: &str,
        name: &str,
        args: bool,
        failed: bool,
        cwd: &Path,
    ) -> Option<String> {
        let home = &self.home;
        let cmd = format!("{name}{}", if args { " …" } else { "" });
        let changes = self.changes.as_ref()?;
        let config = matches!(
            changes,
            Changes::ReadOnly(Writes::GlobalConfig | Writes::Keyring | Writes::UserSite, _)
                | Changes::Private(..)
        );
        let place = |p: &Path| shown_from(p, cwd, home, config);
        let what = |writes: Writes| match writes {
            Writes::WorkingDir => "the directory it works in",
            Writes::Repository => "the repository",
            Writes::WorkTree => "the files checked out and the repository",
            Writes::Venv => "the virtual environment it runs from",
            Writes::GlobalConfig => "its configuration",
            Writes::Keyring => "its keyrings (even to list them: their locks)",
            Writes::UserSite => "your own installed packages",
            Writes::Manifest => "its manifest",
        };
        match changes {
            // The failure may have had another cause: said so for a build tool, whose
            // failures are mostly its own.
            // `make install PREFIX=../inst + .`: the place it installs into, as typed
            // (the trial was told `+ => .`, and `+ => ../inst` was what worked).
            Changes::ReadOnly(Writes::WorkingDir, _) if failed && install_prefix(&self.words).is_some() => {
                let prefix = crate::text::word(install_prefix(&self.words)?);
                Some(format!(
                    "{program}: {name} installs into {prefix}, which it was not given to write: if it failed there, try: {cmd} + => {prefix}"
                ))
            }
            // Working in a directory inside one it was given read-only (`cd build && cmake
            // ..`): the directory it works in is what it writes (it was told `+ =>
            // ..`, the whole source tree writable; trial 13).
            Changes::ReadOnly(Writes::WorkingDir, dir)
                if failed
                    && dir != cwd
                    && cwd.starts_with(dir)
                    && working_dir(&self.tool, &self.words, cwd) == cwd =>
            {
                Some(format!(
                    "{program}: {name} works in ./, inside {}, which it was given read-only (named without =>): if it failed writing there, try: {cmd} + => .",
                    place(dir),
                ))
            }
            Changes::ReadOnly(Writes::WorkingDir, dir) if failed => {
                let target = self.cargo_target_dir.as_deref();
                let grant = match working_dir_grant(&self.tool, &self.words, target) {
                    narrow if dir == cwd && !narrow.ends_with("=> .") => narrow,
                    _ => format!("+ => {}", place(dir)),
                };
                Some(format!(
                    "{program}: {name} was given {} read-only (named without =>): if it failed writing there, try: {cmd} {grant}",
                    place(dir),
                ))
            }
            Changes::ReadOnly(writes, path) if failed => {
                // git, which listed what it rewrites first: `.git` and those files
                // (all were told `+ => .`; trial 6).
                // (`git apply` without `--index` writes the files alone.)
                let repository = match git_subcommand(&self.words) {
                    Some((b"apply", rest)) => has_word(rest, &[b"--index", b"-3", b"--3way"]),
                    _ => true,
                };
                let grant = match (writes, &self.work_tree_files) {
                    (Writes::WorkTree, Some(files)) if files.len() <= 12 => {
                        std::iter::once(Path::new(".git"))
                            .filter(|_| repository)
                            .chain(files.iter().map(PathBuf::as_path))
                            .map(|f| format!(" => {}", place(&path.join(f))))
                            .collect::<String>()
                    }
                    _ => format!(" => {}", place(path)),
                };
                Some(format!(
                    "{program}: {name} changes {}, and was given {} read-only — try: {cmd} +{grant}",
                    what(*writes),
                    place(path),
                ))
            }
            Changes::Missing(_, dir) => Some(format!(
                "{program}: {name} keeps its keyrings in {} (GNUPGHOME), which is not there, and does not make it — try: mkdir -m 700 => {} first",
                place(dir),
                place(dir)
            )),
            Changes::NotGiven(_, dir) => Some(format!(
                "{program}: {name} keeps its keyrings in {} (GNUPGHOME), which it was not given — try: {cmd} + => {}",
                place(dir),
                place(dir)
            )),
            Changes::Private(Writes::Keyring, dir) if dir.symlink_metadata().is_err() => Some(format!(
                "{program}: {name} made its keyrings in {} of the jail's private home, which is gone with it (you have none there) — to keep them, try: {cmd} + => {}",
                place(dir),
                place(dir)
            )),
            Changes::Private(Writes::Keyring, dir) => Some(format!(
                "{program}: {name} used an empty {} of the jail's private home, not yours (which it was not given) — to use yours, try: {cmd} + => {}",
                place(dir),
                place(dir)
            )),
            Changes::Private(_, file) if !failed => Some(format!(
                "{program}: {name} changed {} in the jail's private home, which is gone with it (yours is unchanged) — to change yours, try: {cmd} + => {}",
                place(file),
                place(file)
            )),
            _ => None,
        }
    }

    /// Whether what it changes was not given at all, outside the home (`gpg` with
    /// `GNUPGHOME`): said before what it looked for (the trial was told `+ .`).
    pub fn changes_not_given(&self) -> bool {
        matches!(
            self.changes,
            Some(Changes::NotGiven(..) | Changes::Missing(..))
        )
    }

    /// After a failed `cargo` given the network: the crates it downloads go to its
    /// registry, which the shipped rustup profile gives read-only (a build script of
    /// any crate could change every project's sources there), and nothing said so
    /// (new-user trial: "Read-only file system" on `registry/cache/…crate`). The way
    /// that keeps that: `cargo fetch` (which runs no build script) given the registry.
    pub fn cargo_registry_hint(&self, program: &str, name: &str, cwd: &Path) -> Option<String> {
        let registry = cargo_home(&self.home).join("registry");
        self.registry_hint(&registry, program, name, cwd)
    }

    /// [`Observed::cargo_registry_hint`] for the registry at `registry`: also when
    /// there is none yet (a new account: cargo could not make it in its read-only
    /// home, and nothing was said; `cargo fetch … => REGISTRY` makes it).
    fn registry_hint(
        &self,
        registry: &Path,
        program: &str,
        name: &str,
        cwd: &Path,
    ) -> Option<String> {
        let networked = self.proxy.is_some() || !self.own_network;
        if self.tool != "cargo" || !networked {
            return None;
        }
        if registry.symlink_metadata().is_ok() && !registry.is_dir() {
            return None;
        }
        let registry = registry.to_path_buf();
        let place = shown_from(&registry, cwd, &self.home, true);
        Some(format!(
            "{program}: {name} keeps the crates it downloads in {place}, which it has read-only (no build script may change them): if it failed writing there, fetch them first, which runs no build script — try: {name} fetch + . => {place} => Cargo.lock @net:index.crates.io @net:static.crates.io, then {name} … again"
        ))
    }

    /// Whether `rel`, which the command looked up, is the first part of words of its
    /// line that name nothing on the host, and of no other word — for a program that
    /// only reads what it is given ([`READERS`]), or an unmatched glob.
    fn only_towards_missing(&self, rel: &Path, cwd: &Path) -> bool {
        let below: Vec<&PathBuf> = self.words.iter().filter(|w| w.starts_with(rel)).collect();
        let glob = |w: &Path| w.as_os_str().as_bytes().iter().any(|b| b"*?[".contains(b));
        !below.is_empty()
            && below.iter().all(|w| {
                w.as_path() != rel
                    && cwd.join(w).symlink_metadata().is_err()
                    && (READERS.contains(&self.tool.as_str()) || glob(w))
            })
    }

    /// After a failed command whose working directory showed only its slots (and the
    /// names granted there read-only): that the other names there were not seen, if
    /// there are any.
    pub fn slots_hint(&self, program: &str, name: &str, args: bool, cwd: &Path) -> Option<String> {
        let slots = self.slots_here.as_ref()?;
        // Not for a program whose work is the names it was given, which failed for
        // another reason (`rmdir => full`: not empty).
        if changes_its_operands(&self.tool) || self.tool == "mkdir" {
            return None;
        }
        // Nor for one given names there to read too, besides its slots: the line chose
        // what it reads there (`make + Makefile => out` failing on a compile error, or
        // `strace -o => t.txt ./crash`, were told to grant all of ./; trial 13).
        if self.read_here > 0 {
            return None;
        }
        // Nor for one whose operands all name places elsewhere (`ls /nonexistent`, `cat
        // /etc/shadow` in the home were told of ./; trial 9).
        let operands = self.operands();
        if !operands.is_empty() && operands.iter().all(|w| w.is_absolute()) {
            return None;
        }
        let others = std::fs::read_dir(cwd)
            .ok()?
            .flatten()
            .filter(|e| {
                let n = e.file_name();
                !slots.contains(&n)
                    && !n
                        .as_bytes()
                        .starts_with(crate::slots::STAGING_PREFIX.as_bytes())
            })
            .count();
        if others == 0 {
            return None;
        }
        let cmd = format!("{name}{}", if args { " …" } else { "" });
        let names = if others == 1 { "name" } else { "names" };
        Some(format!(
            "{program}: {name} saw only its grants in ./, not the {others} other {names} there (the working directory was not granted) — if it needed them, try: {cmd} + ."
        ))
    }

    /// After an interpreter read its program from its input (its prompt, `python3`
    /// typed alone, or a pipe), which exits 0 whatever failed in it: a file it tried to
    /// create here that was not granted (`open("w.txt", "w")` at python's prompt said
    /// "Read-only file system", and nothing after; trial 9).
    pub fn interpreter_hint(&self, program: &str, name: &str, cwd: &Path) -> Option<String> {
        const INTERPRETERS: &[&str] = &["python", "python3", "node", "perl", "ruby", "irb", "php"];
        let interpreter = INTERPRETERS.contains(&self.tool.as_str())
            || (self.tool.starts_with("python3.")
                && self.tool[8..].bytes().all(|b| b.is_ascii_digit()));
        let wrote = self
            .looked
            .iter()
            .any(|(rel, write)| *write && rel.components().count() == 1);
        (interpreter && self.words.is_empty() && wrote)
            .then(|| self.hint(program, name, false, cwd))
            .flatten()
    }

    /// After a failed `git format-patch` without `-o`: it writes its patches where it
    /// runs, named from the commits (trial 8: nothing was said).
    pub fn format_patch_hint(&self, program: &str, name: &str) -> Option<String> {
        let (sub, rest) = git_subcommand(&self.words).filter(|_| self.tool == "git")?;
        let elsewhere = [&b"-o"[..], b"--output-directory", b"--stdout"];
        let directed = has_word(rest, &elsewhere)
            || rest
                .iter()
                .any(|w| w.as_os_str().as_bytes().starts_with(b"--output-directory="));
        (sub == b"format-patch" && !directed).then(|| {
            format!(
                "{program}: {name} format-patch writes its patches here (0001-….patch), which it was not given to write — try: {name} format-patch … -o => patches (a directory of their own)"
            )
        })
    }

    /// ` => VENV` for the virtual environment pip installs into, where its line gave
    /// it read-only ([`Observed::changes`]), shown from `cwd`; else nothing.
    fn venv_grant(&self, cwd: &Path) -> String {
        match &self.changes {
            Some(Changes::ReadOnly(Writes::Venv, venv)) => {
                format!(" => {}", shown_from(venv, cwd, &self.home, false))
            }
            _ => String::new(),
        }
    }

    /// `pip install -e .` that failed where setuptools could not write the project's
    /// metadata ([`egg_info`]): that name to write, with the venv if the line did not
    /// give that either. Not where it tried to reach a host it had no way to: that
    /// failed first.
    pub fn editable_hint(
        &self,
        program: &str,
        name: &str,
        args: bool,
        cwd: &Path,
    ) -> Option<String> {
        let egg = self
            .egg_info
            .as_ref()
            .filter(|_| self.connects.is_empty())?;
        let cmd = format!("{name}{}", if args { " …" } else { "" });
        let place = |p: &Path| shown_from(p, cwd, &self.home, false);
        let venv = self.venv_grant(cwd);
        let project = egg.parent().map(|p| match p.file_name() {
            Some(src) if src == "src" => p.parent().unwrap_or(p),
            _ => p,
        })?;
        Some(format!(
            "{program}: {name} installs {} in place (-e): setuptools writes {} there, which was not given to write — if it failed there, try: {cmd} +{venv} => {}",
            place(project),
            place(egg),
            place(egg)
        ))
    }

    /// After a failed command given a name to write inside a directory that is not
    /// there (`split f => parts2/piece_`, `cp f => newd/x.txt`): it was told it saw
    /// only its grants, or nothing (trial 8). The directory's slot is its first name,
    /// still missing: the program did not make it.
    pub fn missing_directory_hint(&self, program: &str, name: &str, cwd: &Path) -> Option<String> {
        let slots = self.slots_here.as_ref()?;
        // `tar xzf f.tgz -C => newdir`: tar goes into the directory, never makes it.
        let into = word_after(&self.words, &["-C", "--directory"]).filter(|_| self.tool == "tar");
        let dir = self.words.iter().find_map(|w| {
            let mut names = w.components();
            let std::path::Component::Normal(first) = names.next()? else {
                return None;
            };
            if names.next().is_none() && into != Some(w) {
                return None;
            }
            let missing =
                slots.iter().any(|s| s == first) && cwd.join(first).symlink_metadata().is_err();
            missing.then_some(first)
        })?;
        // `split`'s files are named from its prefix: the directory to write, not the
        // prefix (`=> parts/p_` is a slot for `p_` alone).
        let split = self.split_prefix().is_some_and(|p| p.starts_with(dir));
        let dir = crate::text::word(Path::new(dir));
        Some(match split {
            true => format!(
                "{program}: {name} found no directory {dir}, and does not make it — try: mkdir => {dir} && {name} … + => {dir} (its prefix without =>)"
            ),
            false => format!(
                "{program}: {name} found no directory {dir}, and does not make it — try: mkdir => {dir} first"
            ),
        })
    }

    /// An archive extracted into the working directory, which was not granted (`tar
    /// xzf a.tgz`, `unzip a.zip`): the names it tried to make here, each to write, or a
    /// new directory to extract into (trial 8 was told `+ => .`). The names are the
    /// archive's, not the user's: shown escaped, at most four, and never when one cannot
    /// be typed or begins with a dot (a `.bashrc` an archive chose is not suggested):
    /// then only the new directory and the whole one are.
    pub fn extract_hint(&self, program: &str, name: &str, cwd: &Path) -> Option<String> {
        const FEW: usize = 4;
        if !extracts(&self.tool, &self.words) || working_dir(&self.tool, &self.words, cwd) != cwd {
            return None;
        }
        let glued = |w: &PathBuf| {
            let w = w.as_os_str().as_bytes();
            w.starts_with(b"--directory=") || (self.tool == "tar" && w.starts_with(b"-C"))
        };
        if self.words.iter().any(glued) {
            return None;
        }
        let names: Vec<&Path> = self
            .looked
            .iter()
            .filter(|(rel, write)| *write && rel.components().count() == 1)
            .map(|(rel, _)| rel.as_path())
            .collect();
        if names.is_empty() {
            return None;
        }
        // The new directory: the archive's name without its suffixes (`a` of
        // `a.tar.gz`), if that is free and plain.
        const SUFFIXES: &[&str] = &[
            ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tar.lz", ".tgz", ".txz", ".tbz2",
            ".tbz", ".tar", ".zip", ".7z", ".cpio",
        ];
        let stem = self.words.iter().find_map(|w| {
            let text = w.to_str()?;
            let file = text.rsplit('/').next()?;
            let stem = SUFFIXES.iter().find_map(|s| file.strip_suffix(s))?;
            let plain = !stem.is_empty()
                && !stem.starts_with(['.', '-'])
                && crate::text::typable(Path::new(stem));
            (plain && cwd.join(stem).symlink_metadata().is_err()).then(|| stem.to_string())
        });
        let dir = crate::text::word(Path::new(stem.as_deref().unwrap_or("extracted")));
        let into = match self.tool.as_str() {
            "tar" | "bsdtar" => Some(format!("mkdir => {dir} && {name} … -C => {dir}")),
            "unzip" => Some(format!("mkdir => {dir} && {name} … -d => {dir}")),
            _ => None,
        };
        // An archive whose one top-level name is that new directory's (`reports.zip`
        // holding `reports/`) is one directory already: into another, it would nest
        // (`reports/reports/…`; trial 12).
        let one_top =
            matches!(names.as_slice(), [n] if stem.as_deref().is_some_and(|s| n.as_os_str() == s));
        let into = into.filter(|_| !one_top);
        let shown = |n: &&Path| crate::text::word(n);
        let few = names.len() <= FEW && names.iter().all(|n| plain_name(n));
        Some(match (few, into) {
            (true, into) => {
                let list: Vec<String> = names.iter().map(shown).collect();
                let grants: Vec<String> = list.iter().map(|n| format!("=> {n}")).collect();
                let listed = match list.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                    None => String::new(),
                };
                let other = into.map_or(format!("{name} … + => ."), |i| format!("into a new directory: {i}"));
                // What the grant would let it replace is said (an archive's Makefile
                // replaced the user's; review).
                let there: Vec<String> = names
                    .iter()
                    .filter(|n| cwd.join(n).symlink_metadata().is_ok())
                    .map(shown)
                    .collect();
                let replaces = match there.as_slice() {
                    [] => String::new(),
                    [one] => format!("; {one} is there, and would be replaced"),
                    all => format!("; {} are there, and would be replaced", all.join(", ")),
                };
                format!(
                    "{program}: {name} extracts {listed} here (the archive's names{replaces}), which were not granted — try: {name} … + {}, or {other}",
                    grants.join(" ")
                )
            }
            (false, Some(into)) => format!(
                "{program}: {name} extracts {} names here (the archive's), which were not granted — try: {into}, or {name} … + => .",
                names.len()
            ),
            (false, None) => format!(
                "{program}: {name} extracts {} names here (the archive's), which were not granted — try: {name} … + => .",
                names.len()
            ),
        })
    }

    /// How what it was to change was given read-only (`read_only`): named without
    /// `=>`, or inside a directory granted read-only.
    fn given_how(&self) -> String {
        match &self.read_only_in {
            Some(dir) => format!("(inside {}, granted read-only)", crate::text::word(dir)),
            None => "(named without =>)".to_string(),
        }
    }

    /// After an editor, whatever its status (quitting without saving is a success):
    /// the file it was given read-only, or the new one it could not make, and the write
    /// grant to edit it.
    pub fn editor_hint(&self, program: &str, name: &str, args: bool, cwd: &Path) -> Option<String> {
        // `perl -pi` that could not edit a file says so and exits 0.
        if in_place(&self.tool, &self.words) {
            return self.operands_hint(program, name, cwd);
        }
        if !EDITORS.contains(&self.tool.as_str()) || view_only(&self.tool, &self.words) {
            return None;
        }
        let Some(file) = self.read_only.first() else {
            return self.hint(program, name, args, cwd);
        };
        let file = crate::text::word(file);
        // Whether it tried to save is not seen (the mount refuses it): after a no to
        // the shell's question, only what was chosen (trial 20 was told "so it could
        // not save it" after `:q`).
        if self.editor_declined {
            return Some(format!(
                "{program}: {name} had {file} read-only, as answered — to edit it, try: {name} => {file}"
            ));
        }
        Some(format!(
            "{program}: {name} was given {file} read-only {}, so it could not save it — to edit it, try: {name} => {file}",
            self.given_how()
        ))
    }

    /// A file given to it as it asked for it (`--ask`, the user's answer).
    pub fn given(shared: &Shared, path: PathBuf) {
        if let Ok(mut o) = shared.lock() {
            note(&mut o.given, path);
        }
    }

    /// What it looked for in the working directory `cwd` and was then given (`--ask`)
    /// is not what it lacked: python's `stat` of config.ini came before the open that
    /// was asked and allowed, and it was told to grant config.ini (new-user trial).
    pub fn forget_given(&mut self, cwd: &Path) {
        let given = &self.given;
        self.looked
            .retain(|(rel, _)| !given.contains(&cwd.join(rel)));
    }

    /// A port it bound in its own network: whether it is the first (to be looked at
    /// again in a moment: [`Observed::serving_line`]).
    pub fn bound(shared: &Shared, port: u16) -> bool {
        let Ok(mut o) = shared.lock() else {
            return false;
        };
        if port == 0 || !o.own_network || Some(port) == o.proxy {
            return false;
        }
        // Once per jail, whatever `binds` holds: each first bind starts a thread in
        // the shell (with the list full at 64 entries every later call started one: a
        // jail made the shell abort with thousands; security review).
        let first = !o.bind_seen;
        o.bind_seen = true;
        note(&mut o.binds, port);
        first
    }

    /// Said while it runs, a moment after it bound `port` in its own network, if it
    /// still runs and nothing of its own connected there: a server started without
    /// `@net:bind` waits for connections that never come (new-user trial: nothing was
    /// said until it was stopped). Not for a server the command uses itself (a test
    /// suite's: [`Observed::served_itself`]), nor once its end is said ([`Observed::ended`]), which then leaves
    /// this out.
    pub fn serving_line(shared: &Shared, port: u16) -> Option<String> {
        let mut o = shared.lock().ok()?;
        if o.ended || o.served_itself {
            return None;
        }
        o.said_serving = true;
        let (program, name) = &o.said_as;
        let args = if o.words.is_empty() { "" } else { " …" };
        Some(format!(
            "{program}: {name} listens on port {port} in the jail's own network, which nothing outside the jail reaches — to serve on the host's, stop it and try: {name}{args} + @net:bind={port}"
        ))
    }

    /// Every process of the jail has ended: nothing more is said while it runs.
    pub fn ended(shared: &Shared) {
        if let Ok(mut o) = shared.lock() {
            o.ended = true;
        }
    }

    /// After pip, run through pyenv's shim (`exe`), failed: pyenv's wrapper refreshes
    /// its shims after every install pip made (`pyenv rehash`), which a jail cannot
    /// (the shims are read-only there), and then exits 1 ("pyenv: cannot rehash"): pip
    /// had installed (new-user trial: `pip install --user … + => ~/.local` failed, and
    /// had not). The refresh is the user's to run, unconfined: every shell of theirs
    /// runs those shims, named after what was installed.
    pub fn pyenv_rehash_hint(
        &self,
        program: &str,
        name: &str,
        exe: &Path,
        cwd: &Path,
    ) -> Option<String> {
        let rest = pip_words(&self.tool, &self.words)?;
        let shims = exe
            .parent()
            .filter(|d| d.file_name() == Some(std::ffi::OsStr::new("shims")))?;
        let pyenv = shims.parent()?.join("libexec/pyenv");
        let installs = rest.iter().any(|w| w == "install" || w == "uninstall");
        if !installs || pyenv.symlink_metadata().is_err() {
            return None;
        }
        Some(format!(
            "{program}: if {name} said \"pyenv: cannot rehash\", pip itself succeeded: only pyenv's shims were not refreshed ({} is read-only in a jail) — to refresh them: !!pyenv rehash",
            shown_from(shims, cwd, &self.home, true)
        ))
    }

    /// A connection it tried without the network: whether it is its first name lookup
    /// (to be looked at again in a moment: [`Observed::retrying_line`]).
    pub fn connected(shared: &Shared, addr: String, port: u16) -> bool {
        let Ok(mut o) = shared.lock() else {
            return false;
        };
        // Once bound: not before, where the C library's choice of an address to use
        // connects to each one a name has (http.server's own, with its port).
        o.served_itself |= o.binds.contains(&port);
        // Once per jail (as `bound`'s): not by looking in `connects`, which holds 64.
        let first_lookup = port == 53 && !o.lookup_seen;
        o.lookup_seen |= port == 53;
        note(&mut o.connects, (addr, port));
        first_lookup
    }

    /// Said while it runs, a moment after a package manager's first name lookup
    /// without the network, if it still runs: it retries for a minute or more before
    /// it fails and says why (npm was silent for 70 s, then told the grant; new-user
    /// trial), so that the user need not wait for it to learn what to type. Not at the
    /// lookup itself: npm looks its registry up on every run, to say whether it is out
    /// of date, and installs from a file without it.
    pub fn retrying_line(shared: &Shared) -> Option<String> {
        let o = shared.lock().ok()?;
        if o.ended || !o.own_network || o.proxy.is_some() || o.runs_scripts() {
            return None;
        }
        let hosts = o.registry_hosts()?;
        let grants: Vec<String> = hosts.iter().map(|h| format!("@net:{h}")).collect();
        let (program, name) = &o.said_as;
        let args = if o.words.is_empty() { "" } else { " …" };
        // With the venv it installs into, as the line said at its end has it (trial
        // 18: following this one cost another failure).
        let venv = o.venv_grant(&o.cwd);
        Some(format!(
            "{program}: {name} is looking up its registry's host name itself, which a jail without the network cannot; it may retry for a minute before it stops (Ctrl-C stops it now) — try: {name}{args} + {}{venv}",
            grants.join(" ")
        ))
    }

    /// The one line to show the user about command `name` (already escaped, as the
    /// plan carries it; run in `cwd`, with more arguments when `args`), if anything it
    /// looked for exists on the host: the first such thing, and how many more.
    pub fn hint(&self, program: &str, name: &str, args: bool, cwd: &Path) -> Option<String> {
        let shown = |p: &Path| crate::text::shown(p).to_string();
        let word = |p: &Path| crate::text::word(p);
        let cmd = format!("{name}{}", if args { " …" } else { "" });
        // `ssh-keygen -f keys/id`: it writes that file and its `.pub`, and was told
        // `+ .` (read-only; new-user trial). The line as it works, the file's word
        // given to write where it was.
        // (Not where it only reads the key: `-l`, `-y`, `-e`, …; `ssh-keygen -l -f
        // nothere.pub` was told to write it; trial 19.)
        let reads = |w: &PathBuf| {
            let w = w.as_os_str().as_bytes();
            w.len() >= 2
                && w[0] == b'-'
                && w[1] != b'-'
                && w[1..].iter().any(|c| b"lyeiFRHBDQL".contains(c))
        };
        if let Some(key) = word_after(&self.words, &["-f"]).filter(|k| {
            self.tool == "ssh-keygen"
                && cwd.join(k).symlink_metadata().is_err()
                && !self.words.iter().any(reads)
        }) {
            let line: Vec<String> = self
                .words
                .iter()
                .map(|w| match w {
                    w if w == key => format!("=> {}", word(w)),
                    w if w.as_os_str().as_bytes().starts_with(b"-") => crate::text::arg_word(w),
                    w => word(w),
                })
                .collect();
            let mut public = key.as_os_str().to_os_string();
            public.push(".pub");
            return Some(format!(
                "{program}: {name} writes {} and {}, which were not granted — try: {name} {} + => {}",
                shown(key),
                shown(Path::new(&public)),
                line.join(" "),
                word(Path::new(&public))
            ));
        }
        // `ssh-keygen -Y sign -f key -n file msg`: it writes msg.sig beside what it
        // signs (the trial was told `+ k.pub`, then nothing of msg.sig).
        let signs = self
            .words
            .windows(2)
            .any(|w| w[0].as_os_str() == "-Y" && w[1].as_os_str() == "sign");
        if self.tool == "ssh-keygen" && signs {
            let takes_value = [&b"-f"[..], b"-n", b"-O", b"-Y", b"-I", b"-s"];
            let file = self
                .words
                .iter()
                .enumerate()
                .skip(1)
                .rev()
                .find_map(|(i, w)| {
                    let before = self.words[i - 1].as_os_str().as_bytes();
                    let option = w.as_os_str().as_bytes().starts_with(b"-");
                    (!option && !takes_value.contains(&before)).then_some(w)
                });
            if let Some(file) = file {
                let mut sig = file.as_os_str().to_os_string();
                sig.push(".sig");
                let sig = Path::new(&sig);
                return Some(format!(
                    "{program}: {name} -Y sign writes {} beside what it signs — if that failed, try: {cmd} + => {}",
                    shown(sig),
                    word(sig)
                ));
            }
        }
        let mut lines = Vec::new();
        let mut existing: Vec<&(PathBuf, bool)> = self
            .looked
            .iter()
            .filter(|(rel, _)| grantable(&cwd.join(rel)))
            .collect();
        // What a program's imports come from first: node looks at package.json on its
        // way to node_modules, and `+ package.json` alone failed again (new-user trial).
        // But `npm pkg set`, which edits package.json (trial 18: told `+ .` for its
        // node_modules, which failed again).
        let manifest = self.tool == "npm" && npm_edits_manifest(&self.words);
        match manifest {
            true => existing.sort_by_key(|(rel, _)| rel.as_os_str() != "package.json"),
            false => existing.sort_by_key(|(rel, _)| rel.as_os_str() != "node_modules"),
        }
        // A name a reader looked up only on its way to what its line named, which is
        // not there (`cat data/nosuch.csv`, an unmatched `ls data/*.nothing`): granting
        // it changes nothing, and the program said what is missing (trial 12: `+ data`).
        existing.retain(|(rel, write)| *write || !self.only_towards_missing(rel, cwd));
        // A directory looked up on the way to a file the user named in it to make.
        let made_below: Vec<&Path> = self
            .created(cwd)
            .map(|(new, _)| new)
            .filter(|new| new.components().nth(1).is_some())
            .filter(|new| cwd.join(new).symlink_metadata().is_err())
            .collect();
        existing.retain(|(rel, _)| !made_below.iter().any(|new| new.starts_with(rel)));
        let mut uncovered: Vec<String> = Vec::new();
        if let Some((rel, write)) = existing.first() {
            let here = format!("./{}", shown(rel));
            // A project's marker means the command works on the whole directory.
            let project = PROJECT_MARKERS.iter().any(|m| rel.as_os_str() == *m);
            // A build tool writes there too (`make + .` would fail next).
            let builds = what_it_changes(&self.tool, &self.words) == Some(Writes::WorkingDir);
            // patch looks for the files its diff changes. An archive being extracted
            // writes what it looked for, whose names are the archive's: never named.
            let extracting = extracts(&self.tool, &self.words);
            let patch = self.tool == "patch";
            // Files all: the old and new names of one file's diff (below).
            let patch_files = patch && existing.iter().all(|(r, _)| cwd.join(r).is_file());
            // `… | xargs sed -i …`: what it looked for is what it edits (never passed:
            // xargs would hand it to sed a second time).
            let edits = xargs_edits_in_place(&self.tool, &self.words);
            // `touch a/b/c/f.txt` (a/b/c there): it looked for ./a on its way to make a
            // file the line named, which is what to grant. Every such file the line
            // names (`touch a/b/c/x.txt a/foo.txt` was told of the first alone; new-user
            // trial).
            let looked_for = |first: std::path::Component| {
                existing
                    .iter()
                    .any(|(r, _)| first == std::path::Component::Normal(r.as_os_str()))
            };
            // Or the file an option names for its output (`sort … -o out/s.txt`, `tar
            // -czf out/x.tgz …`: told `+ out`, which failed again; trial 16).
            let outputs = output_words(&self.tool, &self.words);
            let creates = CREATORS.contains(&self.tool.as_str()) || self.tool == "mkdir";
            let makes: Vec<&PathBuf> = match creates || !outputs.is_empty() {
                true => self
                    .words
                    .iter()
                    .filter(|w| creates || outputs.contains(w))
                    .filter(|w| {
                        let mut names = w.components();
                        names.next().is_some_and(looked_for)
                                && names.next().is_some()
                                && cwd.join(w).symlink_metadata().is_err()
                                // (`mkdir -p out/a/b` makes its parents too: it was
                                // told `=> out`, all of out/ to write; trial 17.)
                                && (cwd.join(w).parent().is_some_and(|d| d.is_dir())
                                    || (self.tool == "mkdir"
                                        && (short_option(&self.words, b"p")
                                            || has_word(&self.words, &[b"--parents"]))))
                    })
                    .collect(),
                false => Vec::new(),
            };
            let grant = match (write, existing.len()) {
                _ if manifest && rel.as_os_str() == "package.json" => {
                    "+ => package.json".to_string()
                }
                _ if !makes.is_empty() => {
                    let each: Vec<String> =
                        makes.iter().map(|w| format!("=> {}", word(w))).collect();
                    each.join(" ")
                }
                _ if extracting => "+ => .".to_string(),
                // `split f parts/piece_`: the directory its files go in, to write (it
                // was told `+ parts`, and failed again; trial 8).
                _ if self
                    .split_prefix()
                    .is_some_and(|p| p.starts_with(rel) && p != *rel) =>
                {
                    format!("+ => {}", word(rel))
                }
                (_, 1) if edits => format!("+ => {}", word(rel)),
                // A few names from its input, each to write (`ls *.log | xargs rm` was
                // told `+ => .`; trial 8): the input's names, so never a dot file's.
                (_, n) if edits && n <= 4 && existing.iter().all(|(r, _)| plain_name(r)) => {
                    let each: Vec<String> = existing
                        .iter()
                        .map(|(r, _)| format!("=> {}", word(r)))
                        .collect();
                    format!("+ {}", each.join(" "))
                }
                _ if edits => "+ => .".to_string(),
                // A name the line gave is marked where it is; another is added after `+`
                // (`gcc -c a.c` replacing `a.o`: `gcc … => a.o` would pass it to gcc).
                (true, _) if self.typed(rel, cwd).is_some() => format!("=> {}", word(rel)),
                (true, _) => format!("+ => {}", word(rel)),
                // One file: as patch's operand. Directories, or a few names (the old
                // and new names of a diff's tree): each given to write, not passed.
                (false, 1) if patch && !cwd.join(rel).is_dir() => format!("=> {}", word(rel)),
                // Files all, the old and new names of one file's diff (`diff -u app.ini
                // app.ini.new`): patch changes the one it chooses, as GNU patch does —
                // fewest names on its path, then the shortest name (trial 19 was told
                // both).
                (false, n) if patch_files && n <= 3 => {
                    let chosen = existing.iter().min_by_key(|(r, _)| {
                        let base = r.file_name().map_or(0, |b| b.len());
                        (r.components().count(), base, r.as_os_str().len())
                    });
                    format!("+ => {}", chosen.map(|(r, _)| word(r)).unwrap_or_default())
                }
                (false, n) if patch && n <= 3 => {
                    let each: Vec<String> = existing
                        .iter()
                        .map(|(r, _)| format!("=> {}", word(r)))
                        .collect();
                    format!("+ {}", each.join(" "))
                }
                (false, _) if patch => "+ => .".to_string(),
                // (cargo looks for `src` too: `cargo add x + Cargo.toml` was told `+ src`,
                // and failed next writing Cargo.toml; trial 7.)
                // (npm changing dependencies where node_modules is there: looked for
                // first, it was told `+ .`, which failed again; trial 20.)
                (false, _)
                    if (project
                        || self.tool == "cargo"
                        || (self.tool == "npm" && npm_changes_dependencies(&self.words)))
                        && builds =>
                {
                    working_dir_grant(&self.tool, &self.words, self.cargo_target_dir.as_deref())
                }
                // A directory too (python opened inc/util.h, and was told `+ .`, the whole
                // working directory, where `+ inc` was enough; new-user trial).
                (false, 1) if !project => format!("+ {}", word(rel)),
                // The names a list gave it, each to read (`sha256sum -c SUMS`, `… |
                // xargs grep -l ERROR` were told `+ .`; trial 10): the list's, so a few
                // plain names, never a dot file's.
                (false, n)
                    if n <= 4
                        && self.reads_a_list()
                        && existing.iter().all(|(r, _)| plain_name(r)) =>
                {
                    let each: Vec<String> = existing.iter().map(|(r, _)| word(r)).collect();
                    format!("+ {}", each.join(" "))
                }
                (false, _) => "+ .".to_string(),
            };
            // A name that cannot be typed (a control character: its escapes would name
            // another file when pasted) is given with the whole directory.
            let typable = crate::text::typable(rel) && makes.iter().all(crate::text::typable);
            let grant = match (typable, *write || !makes.is_empty() || edits || patch) {
                (true, _) => grant,
                (false, true) => "+ => .".to_string(),
                (false, false) => "+ .".to_string(),
            };
            let verb = if *write {
                "tried to replace"
            } else {
                "looked for"
            };
            // The other names it looked for that the grant does not give, by name ("and
            // one more thing" said nothing of what; new-user trial).
            let words: Vec<&str> = grant.split(' ').collect();
            // (patch's other name of the file it chose is not one it needs.)
            if !words.contains(&".") && !patch_files {
                uncovered = existing[1..]
                    .iter()
                    .filter(|(r, _)| {
                        !words.contains(&word(r).as_str())
                            && !makes.iter().any(|w| w.starts_with(r))
                    })
                    .map(|(r, _)| format!("./{}", shown(r)))
                    .collect();
            }
            match self.sqlite_beside(rel, cwd) {
                Some((db, files)) => lines.push(self.sqlite_line(name, &cmd, &db, &files)),
                None => lines.push(format!(
                    "{name} {verb} {here}, which was not granted — try: {cmd} {grant}"
                )),
            }
        } else if let Some((new, seen)) = self
            .created(cwd)
            // (Never `+`: a `+` that granted nothing is a word, as the line said: `df
            // -h + /` was told `=> ./+`; trial 19.)
            .find(|(n, _)| cwd.join(n).symlink_metadata().is_err() && *n != Path::new("+"))
            // A program that only reads what it is given (`ls -d build`) makes nothing:
            // a missing operand is only missing, as it said itself.
            // Nor one that removes or changes what is there (`rm nothere` was told "if
            // it was to make it"; trial 19).
            .filter(|(_, seen)| {
                const NEVER_MAKE: &[&str] =
                    &["rm", "rmdir", "unlink", "shred", "chmod", "chown", "chgrp"];
                *seen
                    || !(READERS.contains(&self.tool.as_str())
                        || NEVER_MAKE.contains(&self.tool.as_str()))
            })
        {
            // A name it tried to make here, which is not there. Only a name the user
            // typed is shown (a name the jail chose is its text, and a grant suggested
            // for it would be the jail's choice too).
            let here = format!("./{}", shown(new));
            // `git init` makes .git, whatever it is given: granted with `+`, since `git
            // init => .git` would be told to make a repository in .git.
            let git_dir = self.tool == "git" && new == Path::new(".git");
            // Or the name the program makes of the user's words (`wget URL` its last
            // part, `npm init` package.json): worked out here, granted with `+`.
            let predicted = self.predicted(new);
            let typed = self
                .typed(new, cwd)
                .or((git_dir || predicted).then_some(new));
            let plus = if self.typed(new, cwd).is_none() && (git_dir || predicted) {
                "+ "
            } else {
                ""
            };
            let beside = self.sqlite_beside(new, cwd);
            // `split FILE PREFIX` tried to make one of its files.
            let split = self.split_prefix().filter(|p| {
                new.as_os_str()
                    .as_bytes()
                    .starts_with(p.as_os_str().as_bytes())
            });
            // Every name the line gave that it tried to make (`tee a.txt b.txt`).
            let mut all: Vec<String> = self
                .created(cwd)
                .filter(|(n, seen)| *seen && cwd.join(n).symlink_metadata().is_err())
                .filter_map(|(n, _)| self.typed(n, cwd))
                .map(|w| format!("{plus}=> {}", word(w)))
                .collect();
            // And the files its output options name that it had not reached yet
            // (`openssl req … -keyout k.pem -out c.pem` was told k.pem alone, and c.pem
            // was discarded next; trial 8).
            if !all.is_empty() {
                for out in self.output_words() {
                    let grant = format!("{plus}=> {}", word(out));
                    let here = out.components().count() == 1;
                    if here && cwd.join(out).symlink_metadata().is_err() && !all.contains(&grant) {
                        all.push(grant);
                    }
                }
            }
            lines.push(match (typed, seen) {
                (Some(_), true) if all.len() > 1 => format!(
                    "{name} tried to create {here} and {} more, which were not granted — try: {cmd} {}",
                    all.len() - 1,
                    all.join(" ")
                ),
                (Some(word), true) => format!(
                    "{name} tried to create {here}, which was not granted — try: {cmd} {plus}=> {}",
                    crate::text::word(word)
                ),
                // A test runner's operand names tests to import, not a file to make.
                (Some(_), false) if self.runs_tests() => format!(
                    "{name} looked for {here}, which was not granted — try: {cmd} + ."
                ),
                // `tar -C DIR` extracts into DIR but never makes it: `=> DIR` alone
                // failed the same way (new-user trial).
                (Some(word), false)
                    if self.tool == "tar"
                        && word_after(&self.words, &["-C", "--directory"]).is_some_and(|d| d == word) =>
                {
                    let dir = crate::text::word(word);
                    format!(
                        "{name} found no {here}, and tar -C does not make it — try: mkdir => {dir} && {name} … -C => {dir}"
                    )
                }
                (Some(word), false) => format!(
                    "{name} found no {here} ({} was not granted) — if it was to make it, try: {cmd} {plus}=> {}",
                    match new.parent().filter(|p| !p.as_os_str().is_empty()) {
                        Some(dir) => shown(dir),
                        None => "the working directory".to_string(),
                    },
                    crate::text::word(word)
                ),
                (None, _) if beside.is_some() => {
                    let (db, files) = beside.unwrap_or_default();
                    self.sqlite_line(name, &cmd, &db, &files)
                }
                // `split FILE PREFIX`: PREFIXaa, PREFIXab, … (new-user trial: told
                // "+ => NAME for each file it makes").
                (None, _) if split.is_some() => {
                    let prefix = split.unwrap_or_default();
                    let (dir, pre) = (Path::new("parts"), crate::text::word(&prefix));
                    let (first, second, option) = match self.tool.as_str() {
                        "csplit" => ("00", "01", "-f "),
                        _ => ("aa", "ab", ""),
                    };
                    format!(
                        "{name} makes its files from the prefix {pre} ({pre}{first}, {pre}{second}, …), which were not granted — try: mkdir => {} && {cmd} {option}{}/{pre} + => {}, or {cmd} + => .",
                        crate::text::word(dir),
                        crate::text::word(dir),
                        crate::text::word(dir),
                    )
                }
                // pytest makes its cache through a directory of its own beside it
                // (`pytest-cache-files-…`), in a working directory it was not given:
                // it found no tests there either (new-user trial: "no tests ran").
                (None, _) if self.runs_pytest() => format!(
                    "{name} found no tests and could not keep its cache: the working directory was not granted — try: {cmd} + . => .pytest_cache"
                ),
                (None, _) if scratch_name(new) => format!(
                    "{name} tried to create a scratch file beside the file it edits, which was not granted — to let it replace that file, try: {cmd} => FILE"
                ),
                // In a directory it did not make (the name and the directory the jail's
                // own: neither is offered as a grant).
                (None, _) if new.components().nth(1).is_some() => format!(
                    "{name} tried to create a file in ./{}, which was not granted — try: {cmd} + => PATH for each file it makes there",
                    new.parent().map(shown).unwrap_or_default()
                ),
                (None, _) => format!(
                    "{name} tried to create a file here, which was not granted — try: {cmd} + => NAME for each file it makes, or {cmd} + => ."
                ),
            });
        }
        if let Some(exe) = self.execs.iter().find(|p| p.exists()) {
            lines.push(format!(
                "{name} tried to run {}, which was not granted — try: {cmd} + {}",
                shown(exe),
                word(exe)
            ));
        }
        // npm looks its registry up on every run, to say whether it is out of date:
        // a failing `npm test` is not told to take the network for that. Nor git,
        // outside what reaches a remote: without a configured identity `git commit`
        // looks its host's name up for a default e-mail, and fails for the identity.
        // Nor a probe of a Tor proxy on the loopback (gpg's dirmngr tries 9050 before
        // anything it fails at: gpg was told `@net:connect=9050` for a key that could
        // not encrypt; new-user trial).
        let incidental_lookup = |port: u16| {
            port == 53 && (self.runs_scripts() || self.npm_stays_local() || self.git_stays_local())
        };
        let tor_probe =
            |addr: &str, port: u16| addr == "127.0.0.1" && (port == 9050 || port == 9150);
        // A server that reaches its own port (python's http.server does) is a server:
        // said below.
        // Not on the host's network (`@net`), where its connections went through: pip
        // given `@net` that failed to write its venv was told it could not look its
        // registry up (trial 6).
        let direct = self.connects.iter().find(|(addr, port)| {
            !self.host_network
                && (Some(*port) != self.proxy || addr != "127.0.0.1")
                && !incidental_lookup(*port)
                && !tor_probe(addr, *port)
                && !self.binds.contains(port)
        });
        // The file a download writes, not granted to write (`curl … -o x` was told the
        // network alone, and failed again writing x; new-user trial).
        let out = self.download_grant(cwd);
        if let Some((addr, port)) = direct {
            let loopback = addr
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|a| a.is_loopback());
            let addr = crate::text::shown(addr);
            lines.push(match self.proxy {
                // The port was granted: it reached the host's, where nothing answered
                // (a server started in a jail without `@net:bind` listens in its own
                // network only). It was told the grant it had (new-user trials).
                None if self.connect_ports.contains(port) => format!(
                    "{name} connected to {addr}:{port}, which it was granted: if nothing answered, nothing listens there on the host (a server in a jail listens on the host's network only with @net:bind={port})"
                ),
                // Hosts granted by name, and it looked up another name itself: a jail
                // finds those granted alone (its /etc/hosts).
                Some(_) if *port == 53 => format!(
                    "{name} tried to look up a host name that was not granted ({addr}:53): a jail finds only the hosts granted by name — try: {cmd} + @net:HOST for the host it needs, or {cmd} + @net"
                ),
                // A name lookup: no port grant makes one work (UDP stays closed); the
                // proxy looks names up for the hosts granted by name.
                _ if *port == 53 => match self.words.iter().find_map(|w| url_host(w)) {
                    // The host of a URL the user typed.
                    Some(host) => format!(
                        "{name} tried to look up a host name itself ({addr}:53), which a jail cannot — try: {cmd} + @net:{}{out} (pola-sh's proxy looks it up), or {cmd} + @net{out}",
                        crate::text::shown(&host)
                    ),
                    None => match self.registry_hosts() {
                        // A package manager's registry: its hosts by name (npm was told
                        // `@net:HOST`, and retried for 70 s first; new-user trial).
                        Some(hosts) => {
                            let grants: Vec<String> =
                                hosts.iter().map(|h| format!("@net:{h}")).collect();
                            // And the virtual environment it installs into, given it
                            // read-only: `pip install` given the registry alone failed
                            // again, there (new-user trial).
                            let venv = self.venv_grant(cwd);
                            format!(
                                "{name} tried to look up a host name itself ({addr}:53), which a jail cannot — for its registry, try: {cmd} + {}{venv} (pola-sh's proxy looks them up), or {cmd} + @net{venv}",
                                grants.join(" ")
                            )
                        }
                        None => format!(
                            "{name} tried to look up a host name itself ({addr}:53), which a jail cannot (only @net gives it the network's DNS) — try: {cmd} + @net:HOST for the host it needs (pola-sh's proxy looks it up), or {cmd} + @net"
                        ),
                    },
                },
                // The machine's own loopback: that address and port alone, which any
                // program reaches (the proxy listens there in the jail too), not the
                // port at every address (trial 12 was told `@net:connect=8765`).
                // (By the name the line gave it, when it did: through the proxy a
                // grant of the address does not cover `localhost`; trial 14.)
                _ if loopback => {
                    let named = self.words.iter().any(|w| {
                        url_host(w).is_some_and(|h| h == "localhost") || w.as_os_str() == "localhost"
                    });
                    let host = if named { "localhost".to_string() } else { addr.to_string() };
                    format!(
                        "{name} tried to reach the network ({addr}:{port}) — try: {cmd} + @net:{host}:{port}{out}"
                    )
                }
                Some(_) => format!(
                    "{name} tried to reach {addr}:{port} directly, but the network was granted only through the proxy (http_proxy, https_proxy, ALL_PROXY), which it did not use — try: {cmd} + @net:connect={port}"
                ),
                None => format!(
                    "{name} tried to reach the network ({addr}:{port}) — try: {cmd} + @net:connect={port}{out}"
                ),
            });
        }
        // Ports granted (`@net:connect=443`) and a URL of a host by name typed, with
        // nothing reached: such a jail looks no names up (UDP stays closed, refused at
        // the socket, before any connect seen here). curl said only "Could not resolve
        // host" (the README's own example; new-user trial).
        let by_name = self
            .words
            .iter()
            .filter_map(|w| url_host(w))
            .find(|h| h.parse::<std::net::IpAddr>().is_err());
        if let Some(host) = by_name.filter(|_| {
            direct.is_none() && self.connects.is_empty() && !self.connect_ports.is_empty()
        }) {
            let ports: Vec<String> = self.connect_ports.iter().map(u16::to_string).collect();
            let host = crate::text::shown(&host);
            lines.push(format!(
                "{name} was granted @net:connect={}, with which a jail looks no host names up — to reach {host} by name, try: {cmd} + @net:{host} (pola-sh's proxy looks it up), or {cmd} + @net",
                ports.join(",")
            ));
        }
        if let Some(port) = self.binds.first().filter(|_| !self.said_serving) {
            lines.insert(0, format!(
                "{name} listened on port {port} in the jail's own network, which nothing outside the jail reaches — to serve on the host's, try: {cmd} + @net:bind={port}"
            ));
        }
        let first = lines.first()?;
        let also = match uncovered.len() {
            0 => String::new(),
            n => format!(
                " (it also looked for {}{})",
                uncovered[..n.min(3)].join(", "),
                if n > 3 { ", …" } else { "" }
            ),
        };
        // The second thing, said (npm's files came first and its registry's network
        // was "one more thing": new-user trial); beyond it, counted.
        let second = lines
            .get(1)
            .map(|l| l.strip_prefix(&format!("{name} ")).unwrap_or(l));
        let more = match (second, lines.len().saturating_sub(2)) {
            (None, _) => String::new(),
            (Some(second), 0) => format!(" (also: it {second})"),
            (Some(second), n) => format!(
                " (also: it {second}; and {n} more {} it was not granted: grants shows what a command line gets)",
                if n == 1 { "thing" } else { "things" }
            ),
        };
        Some(format!("{program}: {first}{also}{more}"))
    }
}

impl Observed {
    /// The hosts of this package manager's default registry, if it is one.
    fn registry_hosts(&self) -> Option<&'static [&'static str]> {
        let pip = pip_words(&self.tool, &self.words).is_some();
        Some(match self.tool.as_str() {
            "npm" | "npx" | "pnpm" => &["registry.npmjs.org"],
            "yarn" => &["registry.yarnpkg.com"],
            "cargo" => &["index.crates.io", "static.crates.io"],
            "gem" | "bundle" => &["rubygems.org", "index.rubygems.org"],
            "go" => &["proxy.golang.org", "sum.golang.org"],
            _ if pip => &["pypi.org", "files.pythonhosted.org"],
            _ => return None,
        })
    }

    /// Single names it tried to create in the working directory that are not there: a
    /// create seen as one, or (where the kernel refuses it before asking the working
    /// directory's file system, as for an unprivileged user's jail) a missing name it
    /// looked up that is one of its arguments, as the user typed it.
    /// Whether it was seen creating it (else it is only an argument it looked for).
    /// `cwd`: the working directory.
    fn created(&self, cwd: &Path) -> impl Iterator<Item = (&Path, bool)> {
        let mut found: Vec<(&Path, bool)> = self
            .looked
            .iter()
            // (`-` is standard input or output: `wget -O -` was told `=> ./-`; trial 12.)
            // Or in a directory that is there but was not granted (`sort -o out/s.csv
            // out/all.csv`, out/ there for its grant: nothing was said; `python3
            // report.py in.csv out/t.md` was told `+ out`; trial 17).
            .filter(|(rel, write)| {
                let typed = self.typed(rel, cwd).is_some();
                match rel.components().count() {
                    1 => rel.as_os_str() != "-" && (*write || typed),
                    _ => (*write || typed) && cwd.join(rel).parent().is_some_and(Path::is_dir),
                }
            })
            .map(|(rel, write)| (rel.as_path(), *write))
            .collect();
        // A name the user typed first (the file an editor saves, not its scratch
        // file), then what it was seen creating.
        found.sort_by_key(|(name, seen)| (self.typed(name, cwd).is_none(), !seen));
        found.into_iter()
    }

    /// Whether this is git doing something that reaches no remote (`commit`, `log`).
    fn git_stays_local(&self) -> bool {
        const REMOTE: &[&[u8]] = &[
            b"clone",
            b"fetch",
            b"pull",
            b"push",
            b"ls-remote",
            b"remote",
            b"submodule",
            b"send-email",
            b"request-pull",
            b"archive",
        ];
        self.tool == "git" && git_subcommand(&self.words).is_some_and(|(s, _)| !REMOTE.contains(&s))
    }

    /// Whether this is Python running a test runner (`python3 -m unittest`, `-m
    /// pytest`), which finds and imports the tests of the working directory.
    fn runs_tests(&self) -> bool {
        let module = word_after(&self.words, &["-m"]);
        self.tool.starts_with("python")
            && module.is_some_and(|m| {
                ["unittest", "pytest", "doctest", "nose2"]
                    .iter()
                    .any(|r| m.as_os_str() == *r)
            })
    }

    /// Whether `new`, a name the command tried to make here, is the one the program
    /// makes of the user's words: `wget URL` (no `-O`) the URL's last part or
    /// index.html, `curl -O URL` its last part, `npm init` package.json. Only then is
    /// the name said (it is the user's words', not the jail's).
    fn predicted(&self, new: &Path) -> bool {
        let last_part = |url: &Path| -> Option<PathBuf> {
            let url = url.to_str()?;
            let rest = url.split_once("://")?.1;
            let path = rest.split(['?', '#']).next()?;
            let (_, path) = path.split_once('/').unwrap_or((path, ""));
            let name = path.rsplit('/').next().unwrap_or("");
            Some(PathBuf::from(if name.is_empty() {
                "index.html"
            } else {
                name
            }))
        };
        let urls = || {
            self.words
                .iter()
                .filter(|w| w.to_str().is_some_and(|u| u.contains("://")))
        };
        let operand = first_operand(&self.words);
        let names: Vec<PathBuf> = match self.tool.as_str() {
            "wget" if word_after(&self.words, &["-O", "--output-document"]).is_none() => {
                urls().filter_map(|u| last_part(u)).collect()
            }
            "curl"
                if short_option(&self.words, b"O")
                    || has_word(&self.words, &[b"--remote-name"]) =>
            {
                urls().filter_map(|u| last_part(u)).collect()
            }
            "npm" if operand == Some(b"init") => vec![PathBuf::from("package.json")],
            _ => Vec::new(),
        };
        // A name the user quoted inside a program's text (awk's `print > "out.txt"`,
        // python's `open('out.txt', 'w')`; trial 8 was told `+ => NAME`).
        let quoted = |w: &PathBuf| {
            let (w, n) = (w.as_os_str().as_bytes(), new.as_os_str().as_bytes());
            [b'"', b'\''].iter().any(|q| {
                let mut needle = vec![*q];
                needle.extend_from_slice(n);
                needle.push(*q);
                w.windows(needle.len()).any(|x| x == needle.as_slice())
            })
        };
        let in_text = new.components().count() == 1 && self.words.iter().any(quoted);
        (in_text || names.iter().any(|n| n == new)) && crate::text::typable(new)
    }

    /// Whether it reads the names it opens from a list, all of them at once: xargs,
    /// or a checksum program checking a list (`sha256sum -c SUMS`).
    fn reads_a_list(&self) -> bool {
        const SUMS: &[&str] = &[
            "md5sum",
            "sha1sum",
            "sha224sum",
            "sha256sum",
            "sha384sum",
            "sha512sum",
            "b2sum",
            "cksum",
        ];
        self.tool == "xargs"
            || SUMS.contains(&self.tool.as_str())
                && (short_option(&self.words, b"c") || has_word(&self.words, &[b"--check"]))
    }

    /// Whether this is pytest (`pytest`, `python3 -m pytest`).
    fn runs_pytest(&self) -> bool {
        ["pytest", "py.test"].contains(&self.tool.as_str())
            || (self.runs_tests()
                && word_after(&self.words, &["-m"]).is_some_and(|m| m == "pytest"))
    }

    /// `split`'s prefix for the files it makes (`split [OPTION]… [FILE [PREFIX]]`,
    /// `x` by default), if the command is split.
    fn split_prefix(&self) -> Option<PathBuf> {
        // `csplit [-f PREFIX]`: PREFIX00, PREFIX01, … (trial 8: told `+ => NAME`).
        if self.tool == "csplit" {
            let joined = self.words.iter().find_map(|w| {
                let value = w.as_os_str().as_bytes().strip_prefix(b"--prefix=")?;
                Some(PathBuf::from(std::ffi::OsStr::from_bytes(value)))
            });
            let prefix = word_after(&self.words, &["-f", "--prefix"])
                .cloned()
                .or(joined)
                .unwrap_or_else(|| "xx".into());
            return crate::text::typable(&prefix).then_some(prefix);
        }
        if self.tool != "split" {
            return None;
        }
        // Its options that take a value, as separate words.
        let valued: &[&[u8]] = &[
            b"-a",
            b"-b",
            b"-C",
            b"-l",
            b"-n",
            b"-t",
            b"--additional-suffix",
            b"--filter",
        ];
        let mut operands = Vec::new();
        let mut i = 0;
        while let Some(w) = self.words.get(i) {
            let b = w.as_os_str().as_bytes();
            if valued.contains(&b) {
                i += 2;
                continue;
            }
            if !b.starts_with(b"-") || b == b"-" {
                operands.push(w);
            }
            i += 1;
        }
        let prefix = operands
            .get(1)
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| "x".into());
        crate::text::typable(&prefix).then_some(prefix)
    }

    /// Whether this is npm running the project's own scripts (`npm test`, `npm run
    /// build`), which need no registry.
    fn runs_scripts(&self) -> bool {
        self.tool == "npm" && npm_runs_scripts(&self.words)
    }

    /// Its words that are no options (that do not begin with `-`).
    fn operands(&self) -> Vec<&PathBuf> {
        self.words
            .iter()
            .filter(|w| !w.as_os_str().as_bytes().starts_with(b"-"))
            .collect()
    }

    /// The words its output options name (`-o F`, `-out F`, `-keyout F`, `--output F`).
    fn output_words(&self) -> impl Iterator<Item = &PathBuf> {
        const OUTPUTS: &[&str] = &["-o", "-out", "-keyout", "--output", "-output"];
        self.words.windows(2).filter_map(|w| {
            let option = w[0].to_str().is_some_and(|o| OUTPUTS.contains(&o));
            let value = !w[1].as_os_str().as_bytes().starts_with(b"-");
            (option && value).then_some(&w[1])
        })
    }

    /// Whether this is npm working on the project's own files (`npm pkg set`, `npm
    /// version`, `npm ls`), which need no registry: `npm pkg set` given nothing was
    /// told to take the registry's network for its update check (trial 7).
    fn npm_stays_local(&self) -> bool {
        const LOCAL: &[&[u8]] = &[
            b"pkg", b"version", b"ls", b"list", b"ll", b"la", b"prefix", b"root", b"explain",
            b"why", b"config", b"c", b"help",
        ];
        self.tool == "npm" && first_operand(&self.words).is_some_and(|s| LOCAL.contains(&s))
    }

    /// Whether it tried to make a file that is none of `operands` nor beside one with its
    /// name for a prefix (a database's journal).
    fn made_other_than(&self, operands: &[&PathBuf]) -> bool {
        self.looked.iter().any(|(rel, write)| {
            *write
                && !operands.iter().any(|o| {
                    rel.as_os_str()
                        .as_bytes()
                        .starts_with(o.as_os_str().as_bytes())
                })
        })
    }

    /// The word the user typed that names `name` here, or, for a single name, a path
    /// that begins with it (`mkdir -p a/b/c` makes `a` first). A word typed as a path in
    /// the working directory `cwd` (`cp f ~/proj/new.txt` from `~/proj`) names it too.
    fn typed(&self, name: &Path, cwd: &Path) -> Option<&Path> {
        self.words
            .iter()
            // A pattern that matched nothing is not a name the user gave (`rm *.tmp`).
            .filter(|w| !w.as_os_str().as_bytes().iter().any(|c| b"*?[".contains(c)))
            .find(|w| {
                let here = match w.strip_prefix(cwd) {
                    Ok(rel) if w.is_absolute() && !cwd.as_os_str().is_empty() => rel,
                    _ => w.as_path(),
                };
                let mut parts = here
                    .components()
                    .skip_while(|c| *c == std::path::Component::CurDir);
                if name.components().nth(1).is_some() {
                    // A name below a directory (`out/s.csv`): the word names it whole.
                    return parts.eq(name.components());
                }
                parts
                    .next()
                    .is_some_and(|first| Path::new(first.as_os_str()) == name)
            })
            .map(PathBuf::as_path)
    }
}

/// `path` as the user would type it here: below the home as `~/...` (with `home_first`,
/// for a configuration file), or relative to the working directory when it is there or
/// up to three levels above (`.`, `.git`, `../.git`), else whole.
fn shown_from(path: &Path, cwd: &Path, home: &Path, home_first: bool) -> String {
    let in_home = || {
        let rel = path.strip_prefix(home).ok()?;
        (home != Path::new("/")).then(|| format!("~/{}", crate::text::word(rel)))
    };
    if home_first {
        if let Some(shown) = in_home() {
            return shown;
        }
    }
    if path == cwd {
        return ".".to_string();
    }
    if let Ok(rel) = path.strip_prefix(cwd) {
        return crate::text::word(rel);
    }
    let above = cwd.ancestors().skip(1).take(3);
    for (n, base) in above.take_while(|a| *a != Path::new("/")).enumerate() {
        if let Ok(rest) = path.strip_prefix(base) {
            let up = vec![".."; n + 1].join("/");
            return match rest.as_os_str().is_empty() {
                true => up,
                false => format!("{up}/{}", crate::text::word(rest)),
            };
        }
    }
    in_home().unwrap_or_else(|| crate::text::word(path))
}

/// The host of `word` when it is a URL (`https://user@pypi.org:443/simple` gives
/// `pypi.org`).
fn url_host(word: &Path) -> Option<String> {
    let text = word.to_str()?;
    let (scheme, rest) = text.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c));
    valid.then(|| host.to_ascii_lowercase())
}

/// Whether `path` is relative and plain, below where it is taken from (no `..`).
fn plain_below(path: &Path) -> bool {
    path.components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    })
}

/// Whether `name`, a name a program had from elsewhere than the user's line (an
/// archive, its input), may be named in a grant suggested for it: one name, which can
/// be typed and does not begin with a dot (a `.bashrc` or `.ssh` chosen by what the
/// program read is not suggested).
fn plain_name(name: &Path) -> bool {
    name.components().count() == 1
        && crate::text::typable(name)
        && !name.as_os_str().as_bytes().starts_with(b".")
}

/// Whether `path` is there on the host and a grant would give it (not a socket, which
/// naming never grants).
fn grantable(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    path.symlink_metadata()
        .is_ok_and(|m| !m.file_type().is_socket())
}

/// How many existing names a command that succeeded must have looked for, and not
/// had, to be told (a program probing for an optional file or two is not).
const MISSED_FOR_A_WARNING: usize = 3;

/// Whether `name` looks like a program's scratch file beside the one it edits (`sed -i`
/// makes `sedXXXXXX`, others `*.tmp`, `.#name`, `name~`, `.name.swp`).
fn scratch_name(name: &Path) -> bool {
    let text = name.to_string_lossy();
    let random = |rest: &str| rest.len() == 6 && rest.chars().all(|c| c.is_ascii_alphanumeric());
    text.strip_prefix("sed").is_some_and(random)
        || text.ends_with(".tmp")
        || text.ends_with('~')
        || text.ends_with(".swp")
        || text.starts_with(".#")
        || text.contains("tmp")
}

/// Names that say a command works on the whole directory it runs in.
const PROJECT_MARKERS: &[&str] = &[
    "Makefile",
    "makefile",
    "GNUmakefile",
    ".git",
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "setup.py",
    "CMakeLists.txt",
    "go.mod",
    "meson.build",
    "build.gradle",
    "pom.xml",
    // A test runner's configuration: it then collects from the whole directory
    // (`pytest` was told `+ pytest.ini`, and found no tests with it; new-user trial).
    "pytest.ini",
    "tox.ini",
    "setup.cfg",
    "conftest.py",
];

/// One node of the skeleton below the working directory.
#[derive(Clone, Debug)]
struct Node {
    name: OsString,
    parent: usize,
    kind: FileType,
    children: BTreeMap<OsString, usize>,
    target: Option<PathBuf>,
}

/// The skeleton below the working directory, as the jail's plan builds it: the
/// grants' mount points and the directories leading to them.
#[derive(Clone, Debug)]
pub struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// The tree below `cwd` in `plan`, if the working directory is a skeleton
    /// directory whose every entry can stand in a read-only FUSE directory.
    pub fn from_plan(plan: &[PlanNode], cwd: &Path) -> Option<Tree> {
        // A plan's paths are absolute and plain (no `.`, `..` or `//`): compared as
        // bytes, not component by component (which cost every command with hints
        // ~25 µs over the default environment's nodes: bench/README.md, "Thirty-first
        // stop").
        let at_cwd = plan
            .iter()
            .find(|n| n.path.as_os_str() == cwd.as_os_str())?;
        if !matches!(at_cwd.step, Step::Dir { .. }) {
            return None;
        }
        // A directory inside a grant (`git` in a repository's subdirectory, which its
        // profile grants whole) is the host's: the node only says the path is there.
        let inside = plan
            .iter()
            .filter(|n| below(cwd, &n.path).is_some_and(|rest| !rest.is_empty()))
            .filter(|n| !matches!(n.step, Step::Dir { .. }))
            .max_by_key(|n| n.path.as_os_str().len());
        if inside.is_some_and(|n| matches!(n.step, Step::Bind { .. } | Step::SlotDir { .. })) {
            return None;
        }
        let mut tree = Tree::empty();
        let mut index: BTreeMap<PathBuf, usize> = BTreeMap::new();
        index.insert(cwd.to_path_buf(), 0);
        // The private directories mounted here (a home below the working directory):
        // what the builder writes in them is theirs, not the skeleton's.
        let mut scratch: Vec<&Path> = Vec::new();
        for n in plan {
            if below(&n.path, cwd).is_none_or(|rest| rest.is_empty()) {
                continue;
            }
            if matches!(n.step, Step::Tmpfs { .. }) {
                scratch.push(&n.path);
            }
            let parent = *index.get(n.path.parent()?)?;
            let (kind, target) = match &n.step {
                Step::Bind { is_dir: false, .. } => (FileType::RegularFile, None),
                Step::Symlink { target } => (FileType::Symlink, Some(target.clone())),
                // Written into a private directory mounted here: not in the skeleton
                // (a jail given hosts, whose home below the working directory holds
                // the `.curlrc` made for it, had its skeleton refused, and failed to
                // start with ENOTCONN; trial 14).
                Step::File { .. } if scratch.iter().any(|d| n.path.starts_with(d)) => continue,
                // A file the builder writes cannot be written into FUSE.
                Step::File { .. } => return None,
                _ => (FileType::Directory, None),
            };
            let name = n.path.file_name()?.to_os_string();
            let i = tree.nodes.len();
            tree.nodes.push(Node {
                name: name.clone(),
                parent,
                kind,
                children: BTreeMap::new(),
                target,
            });
            tree.nodes[parent].children.insert(name, i);
            index.insert(n.path.clone(), i);
        }
        (tree.nodes.len() < (1 << INDEX_BITS) - 1).then_some(tree)
    }

    /// A directory with nothing in it (a skeleton asked for before its command).
    pub fn empty() -> Tree {
        Tree {
            nodes: vec![Node {
                name: OsString::new(),
                parent: 0,
                kind: FileType::Directory,
                children: BTreeMap::new(),
                target: None,
            }],
        }
    }

    fn path(&self, i: usize) -> PathBuf {
        let mut names = Vec::new();
        let mut at = i;
        while at != 0 {
            names.push(self.nodes[at].name.clone());
            at = self.nodes[at].parent;
        }
        names.iter().rev().collect()
    }
}

/// What follows `dir` in `path` (empty if they are the same), if `path` is `dir` or
/// below it; both absolute and plain (a plan's paths), compared as bytes.
fn below<'a>(path: &'a Path, dir: &Path) -> Option<&'a [u8]> {
    let (p, d) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
    let rest = p.strip_prefix(d)?;
    match (rest.first(), d.last()) {
        (None, _) => Some(rest),
        (Some(b'/'), _) => Some(&rest[1..]),
        (Some(_), Some(b'/')) => Some(rest),
        _ => None,
    }
}

/// How long the kernel may keep what this file system said: it never changes.
const TTL: Duration = Duration::from_secs(3600);

/// The low bits of an inode number: the node's place in its jail's tree (plus one).
/// The high bits say which jail's tree it is in.
const INDEX_BITS: u32 = 24;

/// One jail's skeleton and where what it looks for is recorded.
pub struct Skeleton {
    /// Its name in the shared file system's root (none when it is the root).
    name: OsString,
    tree: Tree,
    observed: Shared,
    /// When it was made: its nodes' times (as a skeleton of tmpfs directories has
    /// the times it was made at; not the host's, which would tell the jail when the
    /// directories it was not granted last changed).
    made: SystemTime,
}

/// The skeletons being served, by the high bits of their inode numbers.
pub type Skeletons = Arc<Mutex<BTreeMap<u64, Skeleton>>>;

/// The working directory's skeleton, served to the jail, recording what it looks for.
///
/// Either one jail's, at the root of a file system mounted for that command alone, or
/// every jail's of a shell at once (`crate::cwd_host`): the root then holds one
/// directory per running jail, named by a random key, and each jail is given only its
/// own (a bind of it: `..` at the top of a mount goes to the mount point, never up
/// into this root). The root lists nothing, so no key is found by listing.
pub struct CwdFs {
    skeletons: Skeletons,
    shared: bool,
    uid: u32,
    gid: u32,
}

impl CwdFs {
    /// One jail's skeleton, at the root.
    pub fn new(tree: Tree, observed: Shared, uid: u32, gid: u32) -> CwdFs {
        let one = Skeleton {
            name: OsString::new(),
            tree,
            observed,
            made: SystemTime::now(),
        };
        CwdFs {
            skeletons: Arc::new(Mutex::new(BTreeMap::from([(0, one)]))),
            shared: false,
            uid,
            gid,
        }
    }

    /// Many jails' skeletons, added and removed through the returned handle.
    pub fn shared(uid: u32, gid: u32) -> (CwdFs, Skeletons) {
        let skeletons = Skeletons::default();
        let fs = CwdFs {
            skeletons: skeletons.clone(),
            shared: true,
            uid,
            gid,
        };
        (fs, skeletons)
    }

    /// Add `tree` to `skeletons` under a name no other has had (its inode numbers'
    /// high bits, `key`, from [`key`]), as the directory the jail is given.
    pub fn add(skeletons: &Skeletons, key: u64, tree: Tree, observed: Shared) -> OsString {
        let name = OsString::from(format!("{key:x}"));
        let skeleton = Skeleton {
            name: name.clone(),
            tree,
            observed,
            made: SystemTime::now(),
        };
        if let Ok(mut all) = skeletons.lock() {
            all.insert(key << INDEX_BITS, skeleton);
        }
        name
    }

    /// Remove the skeleton with high bits `key`: the kernel's later questions about it
    /// find nothing.
    pub fn remove(skeletons: &Skeletons, key: u64) {
        if let Ok(mut all) = skeletons.lock() {
            all.remove(&(key << INDEX_BITS));
        }
    }

    /// The root of the shared file system (the directory of skeletons).
    fn is_top(&self, ino: INodeNo) -> bool {
        self.shared && ino.0 == 1
    }

    /// Which skeleton `ino` is in, and its node there, under the lock.
    fn with<R>(&self, ino: INodeNo, f: impl FnOnce(&Skeleton, u64, usize) -> R) -> Option<R> {
        let base = ino.0 & !((1 << INDEX_BITS) - 1);
        let i = ((ino.0 & ((1 << INDEX_BITS) - 1)) as usize).checked_sub(1)?;
        let all = self.skeletons.lock().ok()?;
        let skeleton = all.get(&base)?;
        (i < skeleton.tree.nodes.len()).then(|| f(skeleton, base, i))
    }

    fn attr(&self, base: u64, skeleton: &Skeleton, i: usize) -> FileAttr {
        let node = &skeleton.tree.nodes[i];
        let kind = node.kind;
        let size = node
            .target
            .as_ref()
            .map_or(0, |t| t.as_os_str().len() as u64);
        self.attr_of(INodeNo(base | (i as u64 + 1)), kind, size, skeleton.made)
    }

    fn attr_of(&self, ino: INodeNo, kind: FileType, size: u64, made: SystemTime) -> FileAttr {
        let perm = match kind {
            FileType::Directory => 0o555,
            FileType::Symlink => 0o777,
            _ => 0o444,
        };
        FileAttr {
            ino,
            size,
            blocks: 0,
            atime: made,
            mtime: made,
            ctime: made,
            crtime: made,
            kind,
            perm,
            nlink: if kind == FileType::Directory { 2 } else { 1 },
            uid: self.uid,
            gid: self.gid,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        }
    }

    fn refuse_write(&self, parent: INodeNo, name: &OsStr) {
        self.with(parent, |s, _, p| {
            Observed::looked_for(&s.observed, s.tree.path(p).join(name), true)
        });
    }
}

/// A key for [`CwdFs::add`] not in use in `skeletons`: 32 random bits, so a jail
/// learns nothing from its own key (which it sees in its mount table and inode
/// numbers) about any other jail's, nor how many commands ran before it. 0 is the
/// root's. A key is used again only once its skeleton is gone and the kernel was
/// told to forget it.
pub fn key(skeletons: &Skeletons) -> u64 {
    loop {
        let mut bytes = [0u8; 4];
        // SAFETY: getrandom writes at most `bytes.len()` bytes into `bytes`.
        let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
        if n != bytes.len() as isize {
            // No getrandom (a very old kernel): the clock's nanoseconds.
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            bytes = now.subsec_nanos().to_le_bytes();
        }
        let key = u64::from(u32::from_le_bytes(bytes)) + 1;
        let taken = skeletons
            .lock()
            .map(|all| all.contains_key(&(key << INDEX_BITS)))
            .unwrap_or(false);
        if !taken {
            return key;
        }
    }
}

impl Filesystem for CwdFs {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        if self.is_top(parent) {
            let found = self.skeletons.lock().ok().and_then(|all| {
                all.iter()
                    .find(|(_, s)| s.name == name)
                    .map(|(base, s)| self.attr(*base, s, 0))
            });
            return match found {
                Some(attr) => reply.entry(&TTL, &attr, Generation(0)),
                None => reply.error(fuser::Errno::ENOENT),
            };
        }
        let found = self.with(parent, |s, base, p| {
            match s.tree.nodes[p].children.get(name) {
                Some(&i) => Some(self.attr(base, s, i)),
                None => {
                    Observed::looked_for(&s.observed, s.tree.path(p).join(name), false);
                    None
                }
            }
        });
        match found.flatten() {
            Some(attr) => reply.entry(&TTL, &attr, Generation(0)),
            None => reply.error(fuser::Errno::ENOENT),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        if self.is_top(ino) {
            return reply.attr(
                &TTL,
                &self.attr_of(ino, FileType::Directory, 0, SystemTime::UNIX_EPOCH),
            );
        }
        match self.with(ino, |s, base, i| self.attr(base, s, i)) {
            Some(attr) => reply.attr(&TTL, &attr),
            None => reply.error(fuser::Errno::ENOENT),
        }
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        match self
            .with(ino, |s, _, i| s.tree.nodes[i].target.clone())
            .flatten()
        {
            Some(t) => reply.data(std::os::unix::ffi::OsStrExt::as_bytes(t.as_os_str())),
            None => reply.error(fuser::Errno::EINVAL),
        }
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let entries = if self.is_top(ino) {
            // Nothing is listed at the top: a key is known only to its jail's builder.
            Some(vec![
                (ino, FileType::Directory, OsString::from(".")),
                (ino, FileType::Directory, OsString::from("..")),
            ])
        } else {
            self.with(ino, |s, base, i| {
                let node = &s.tree.nodes[i];
                if i == 0 && offset == 0 {
                    Observed::listed(&s.observed, node.children.len());
                }
                let ino_of = |j: usize| INodeNo(base | (j as u64 + 1));
                let mut entries = vec![
                    (ino_of(i), FileType::Directory, OsString::from(".")),
                    (
                        ino_of(node.parent),
                        FileType::Directory,
                        OsString::from(".."),
                    ),
                ];
                for (name, &c) in &node.children {
                    entries.push((ino_of(c), s.tree.nodes[c].kind, name.clone()));
                }
                entries
            })
        };
        let Some(entries) = entries else {
            return reply.error(fuser::Errno::ENOENT);
        };
        for (k, (ino, kind, name)) in entries.into_iter().enumerate().skip(offset as usize) {
            if reply.add(ino, k as u64 + 1, kind, name) {
                break;
            }
        }
        reply.ok();
    }

    fn access(&self, _req: &Request, _ino: INodeNo, _mask: fuser::AccessFlags, reply: ReplyEmpty) {
        // Not implemented: the kernel then allows every `access` (and `chdir`) on this
        // connection without asking again, which is what answering yes each time did.
        reply.error(fuser::Errno::ENOSYS);
    }

    fn mkdir(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        _mode: u32,
        _umask: u32,
        reply: ReplyEntry,
    ) {
        self.refuse_write(parent, name);
        reply.error(fuser::Errno::EROFS);
    }

    fn mknod(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        _mode: u32,
        _umask: u32,
        _rdev: u32,
        reply: ReplyEntry,
    ) {
        self.refuse_write(parent, name);
        reply.error(fuser::Errno::EROFS);
    }

    fn create(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        _mode: u32,
        _umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        self.refuse_write(parent, name);
        reply.error(fuser::Errno::EROFS);
    }

    fn symlink(
        &self,
        _req: &Request,
        parent: INodeNo,
        link_name: &OsStr,
        _target: &Path,
        reply: ReplyEntry,
    ) {
        self.refuse_write(parent, link_name);
        reply.error(fuser::Errno::EROFS);
    }
}

/// Call once, before the first [`serve`], in a process that serves hints.
///
/// fuser reads requests into a buffer as large as the largest write it allows (16 MiB),
/// two per session (its handshake and its loop), and a session here lasts one command.
/// glibc's malloc raises its mmap threshold after a buffer that large is freed, and from
/// then on takes the next one from the heap and clears it with `memset`: 32 MiB per
/// command, about 1.5 ms, most of what hints cost. A fixed threshold keeps such buffers
/// freshly mapped: zero pages the kernel fills only where a request is written.
pub fn keep_large_buffers_mapped() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets a tunable of the allocator; no memory is touched.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Serve `fd` (a `/dev/fuse` connection the jail's builder mounted at the working
/// directory) on a thread of its own until the jail is gone. The builder mounted it
/// before it sent it, so the kernel's first request is already waiting: it is answered
/// here, before the thread starts, and the builder goes on without waiting for it.
pub fn serve(fd: std::os::fd::OwnedFd, fs: CwdFs) {
    let config = fuser::Config::default();
    match fuser::Session::from_fd(fs, fd, fuser::SessionACL::Owner, config) {
        Ok(session) => {
            std::thread::spawn(move || {
                if let Err(e) = session.run() {
                    tracing::debug!("hints: the working directory's file system ended: {e}");
                }
            });
        }
        Err(e) => tracing::debug!("hints: cannot serve the working directory: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_compares_whole_names() {
        let p = |s: &str| Path::new(s).to_path_buf();
        assert_eq!(below(&p("/w/a/b"), &p("/w")), Some(&b"a/b"[..]));
        assert_eq!(below(&p("/w"), &p("/w")), Some(&b""[..]));
        assert_eq!(below(&p("/wx/a"), &p("/w")), None);
        assert_eq!(below(&p("/w/a"), &p("/")), Some(&b"w/a"[..]));
        assert_eq!(below(&p("/"), &p("/w")), None);
    }

    use crate::plan::tests::node;

    fn bind(is_dir: bool) -> Step {
        Step::Bind {
            host: "/h".into(),
            witness: 0,
            is_dir,
            writable: false,
            device: false,
            default: false,
        }
    }

    #[test]
    fn gits_subcommand_is_found_past_its_options() {
        let w = |words: &str| -> Vec<PathBuf> { words.split(' ').map(PathBuf::from).collect() };
        let words = w("-C push -c a=b --no-pager commit -m x");
        let (sub, rest) = git_subcommand(&words).unwrap();
        assert_eq!((sub, rest.len()), (&b"commit"[..], 2));
        assert!(git_subcommand(&w("-C dir")).is_none());
    }

    #[test]
    fn what_a_program_changes() {
        let w = |words: &str| -> Vec<PathBuf> { words.split(' ').map(PathBuf::from).collect() };
        assert_eq!(what_it_changes("make", &w("-j2")), Some(Writes::WorkingDir));
        assert_eq!(what_it_changes("cat", &w("f")), None);
        // Asked only to check: nothing written where it works.
        let dir = Some(Writes::WorkingDir);
        for (tool, words, writes) in [
            ("cargo", "fmt --check", None),
            ("cargo", "fmt -- --check", None),
            ("cargo", "fmt", dir),
            ("cargo", "check", dir),
            ("make", "-n", None),
            ("make", "--dry-run all", None),
            ("make", "-C sub -j4", dir),
            ("ninja", "-n", None),
            ("npm", "pkg set a=b", Some(Writes::Manifest)),
            ("npm", "install", dir),
        ] {
            assert_eq!(what_it_changes(tool, &w(words)), writes, "{tool} {words}");
        }
        let repo = Some(Writes::Repository);
        let tree = Some(Writes::WorkTree);
        let global = Some(Writes::GlobalConfig);
        for (words, writes) in [
            ("commit -m x", repo),
            ("-C sub add f", repo),
            ("branch feature", repo),
            ("config user.name me", repo),
            ("-c a=b --no-pager stash", tree),
            ("switch main", tree),
            ("restore f", tree),
            ("status", None),
            ("-C add log", None),
            ("config user.name", None),
            ("config --get user.name", None),
            ("config --global -l", None),
            ("diff", None),
            ("config --global user.name me", global),
            ("config --global --unset user.name", global),
            ("config set --global user.name me", global),
            ("bisect start HEAD HEAD~6", tree),
            ("bisect good", tree),
            ("bisect run ./test.sh", tree),
            ("bisect reset", tree),
            ("bisect start", repo),
            ("bisect log", repo),
        ] {
            assert_eq!(what_it_changes("git", &w(words)), writes, "{words}");
        }
        assert_eq!(what_it_changes("git", &w("config --file f a.b c")), None);
    }

    #[test]
    fn a_working_directory_inside_a_grant_is_not_a_skeleton() {
        let mut rw = bind(true);
        if let Step::Bind { writable, .. } = &mut rw {
            *writable = true;
        }
        let plan = vec![
            node("/", Step::Dir { seal: false }),
            node("/r", bind(true)),
            node("/r/sub", Step::Dir { seal: false }),
        ];
        assert!(Tree::from_plan(&plan, Path::new("/r/sub")).is_none());
        let plan = vec![
            node("/", Step::Dir { seal: false }),
            node("/r", Step::Dir { seal: false }),
            node("/r/sub", Step::Dir { seal: false }),
            node("/r/sub/f", bind(false)),
        ];
        assert!(Tree::from_plan(&plan, Path::new("/r/sub")).is_some());
        // What is read-only where the program changes it.
        let cwd = Path::new("/r/sub");
        let home = Path::new("/home/u");
        let plan = vec![node("/r", bind(true))];
        assert_eq!(
            changes_in(
                Writes::WorkingDir,
                &plan,
                &[],
                (Path::new("/x"), cwd, home, None)
            ),
            Some(Changes::ReadOnly(Writes::WorkingDir, "/r".into()))
        );
        let plan = vec![node("/r", bind(true)), node("/r/sub", rw.clone())];
        assert_eq!(
            changes_in(
                Writes::WorkingDir,
                &plan,
                &[],
                (Path::new("/x"), cwd, home, None)
            ),
            None
        );
        assert_eq!(shown_from(Path::new("/r"), cwd, home, false), "..");
        assert_eq!(
            shown_from(Path::new("/r/.git"), cwd, home, false),
            "../.git"
        );
        assert_eq!(shown_from(Path::new("/r/sub"), cwd, home, false), ".");
        assert_eq!(
            shown_from(Path::new("/home/u/.gitconfig"), cwd, home, true),
            "~/.gitconfig"
        );
        assert_eq!(shown_from(Path::new("/usr/x"), cwd, home, false), "/usr/x");
        // A slot for the file is a write grant of it.
        let file = PathBuf::from("/nonexistent-home/.gitconfig");
        let plan = vec![node("/r", bind(true))];
        assert_eq!(
            changes_in(
                Writes::GlobalConfig,
                &plan,
                &[],
                (Path::new("/x"), cwd, Path::new("/nonexistent-home"), None)
            ),
            Some(Changes::Private(Writes::GlobalConfig, file.clone()))
        );
        assert_eq!(
            changes_in(
                Writes::GlobalConfig,
                &plan,
                &[file],
                (Path::new("/x"), cwd, Path::new("/nonexistent-home"), None)
            ),
            None
        );
    }

    #[test]
    fn the_tree_below_the_working_directory() {
        let plan = vec![
            node("/w", Step::Dir { seal: false }),
            node("/w/f.txt", bind(false)),
            node("/w/src", Step::Dir { seal: false }),
            node("/w/src/main.c", bind(false)),
            node("/w/docs", bind(true)),
            node("/elsewhere", bind(true)),
        ];
        let tree = Tree::from_plan(&plan, Path::new("/w")).unwrap();
        assert_eq!(tree.nodes.len(), 5);
        assert_eq!(tree.path(3), PathBuf::from("src/main.c"));
        // A granted working directory is not observed this way.
        let plan = vec![node("/w", bind(true))];
        assert!(Tree::from_plan(&plan, Path::new("/w")).is_none());
    }

    #[test]
    fn hints_name_only_what_exists_on_the_host() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Makefile"), "all:\n").unwrap();
        let o = Observed {
            looked: vec![
                ("GNUmakefile".into(), false),
                ("makefile".into(), false),
                ("Makefile".into(), false),
            ],
            ..Observed::default()
        };
        assert_eq!(
            o.hint("pola-sh", "make", false, d.path()).unwrap(),
            "pola-sh: make looked for ./Makefile, which was not granted — try: make + ."
        );
        std::fs::write(d.path().join("notes.txt"), "n").unwrap();
        let cat = Observed {
            looked: vec![("notes.txt".into(), false)],
            ..Observed::default()
        };
        assert_eq!(
            cat.hint("pola-sh", "cat", true, d.path()).unwrap(),
            "pola-sh: cat looked for ./notes.txt, which was not granted — try: cat … + notes.txt"
        );
        std::fs::create_dir(d.path().join("node_modules")).unwrap();
        std::fs::write(d.path().join("package.json"), "{}").unwrap();
        let node = Observed {
            looked: vec![
                ("package.json".into(), false),
                ("node_modules".into(), false),
            ],
            ..Observed::default()
        };
        assert!(node
            .hint("pola-sh", "node", true, d.path())
            .unwrap()
            .starts_with("pola-sh: node looked for ./node_modules,"),);
        // npm changing dependencies, node_modules there: what it writes, not `+ .`.
        let npm = Observed {
            tool: "npm".into(),
            words: vec!["install".into()],
            ..node.clone()
        };
        assert!(npm
            .hint("pola-sh", "npm", true, d.path())
            .unwrap()
            .ends_with("try: npm … + => node_modules => package.json => package-lock.json"));
        let nothing = Observed {
            looked: vec![("missing".into(), false)],
            ..Observed::default()
        };
        assert_eq!(nothing.hint("pola-sh", "make", false, d.path()), None);
        // A list's names, each to read: a few plain ones; else the directory.
        for n in ["s1.json", "s2.dat", ".hidden"] {
            std::fs::write(d.path().join(n), "x").unwrap();
        }
        let sums = Observed {
            looked: vec![("s1.json".into(), false), ("s2.dat".into(), false)],
            words: vec!["-c".into(), "SUMS".into()],
            tool: "sha256sum".into(),
            ..Observed::default()
        };
        assert!(sums
            .hint("pola-sh", "sha256sum", true, d.path())
            .unwrap()
            .ends_with("try: sha256sum … + s1.json s2.dat"));
        let dotted = Observed {
            looked: vec![("s1.json".into(), false), (".hidden".into(), false)],
            tool: "xargs".into(),
            ..sums.clone()
        };
        assert!(dotted
            .hint("pola-sh", "xargs", true, d.path())
            .unwrap()
            .ends_with("try: xargs … + ."));
        let unchecked = Observed {
            words: vec!["s1.json".into(), "s2.dat".into()],
            ..sums.clone()
        };
        assert!(unchecked
            .hint("pola-sh", "sha256sum", true, d.path())
            .unwrap()
            .ends_with("try: sha256sum … + ."));
        let net = Observed {
            connects: vec![("127.0.0.1".into(), 8080)],
            own_network: true,
            ..Observed::default()
        };
        assert!(net
            .hint("pola-sh", "curl", true, d.path())
            .unwrap()
            .ends_with("try: curl … + @net:127.0.0.1:8080"));
        let net = Observed {
            connects: vec![("192.0.2.7".into(), 8080)],
            ..net
        };
        assert!(net
            .hint("pola-sh", "curl", true, d.path())
            .unwrap()
            .ends_with("try: curl … + @net:connect=8080"));
        // Ports granted, a host by name: no name is looked up with them.
        let ports = Observed {
            connect_ports: vec![443],
            words: vec!["https://pypi.org/simple/".into()],
            ..Observed::default()
        };
        assert_eq!(
            ports.hint("pola-sh", "curl", true, d.path()).unwrap(),
            "pola-sh: curl was granted @net:connect=443, with which a jail looks no host names up — to reach pypi.org by name, try: curl … + @net:pypi.org (pola-sh's proxy looks it up), or curl … + @net"
        );
        let address = Observed {
            words: vec!["https://1.1.1.1/".into()],
            ..ports.clone()
        };
        assert_eq!(address.hint("pola-sh", "curl", true, d.path()), None);
        // A server in the jail's own network (which it reached itself): the port to
        // serve on the host's; nothing when its network was the host's.
        let shared = std::sync::Arc::new(std::sync::Mutex::new(Observed {
            own_network: true,
            connects: vec![("::".into(), 8123)],
            ..Observed::default()
        }));
        Observed::bound(&shared, 8123);
        Observed::bound(&shared, 0);
        let server = shared.lock().unwrap();
        assert_eq!(
            server.hint("pola-sh", "python3", true, d.path()).unwrap(),
            "pola-sh: python3 listened on port 8123 in the jail's own network, which nothing outside the jail reaches — to serve on the host's, try: python3 … + @net:bind=8123"
        );
        let host = std::sync::Arc::new(std::sync::Mutex::new(Observed::default()));
        Observed::bound(&host, 8123);
        assert_eq!(
            host.lock()
                .unwrap()
                .hint("pola-sh", "python3", true, d.path()),
            None
        );
        // A name it tried to create: the write grant for it; a scratch name beside
        // the file it edits is not the one to grant.
        let made = Observed {
            looked: vec![("new.txt".into(), true)],
            words: vec!["new.txt".into()],
            ..Observed::default()
        };
        assert_eq!(
            made.hint("pola-sh", "tee", true, d.path()).unwrap(),
            "pola-sh: tee tried to create ./new.txt, which was not granted — try: tee … => new.txt"
        );
        let two = Observed {
            looked: vec![("a.txt".into(), true), ("b.txt".into(), true)],
            words: vec!["a.txt".into(), "b.txt".into()],
            ..Observed::default()
        };
        assert_eq!(
            two.hint("pola-sh", "tee", true, d.path()).unwrap(),
            "pola-sh: tee tried to create ./a.txt and 1 more, which were not granted — try: tee … => a.txt => b.txt"
        );
        let sed = Observed {
            looked: vec![("sedAb12Cd".into(), true)],
            ..Observed::default()
        };
        let hint = sed.hint("pola-sh", "sed", true, d.path()).unwrap();
        assert!(hint.ends_with("try: sed … => FILE"), "{hint}");
        // A name the jail chose is never shown.
        assert!(!hint.contains("sedAb12Cd"), "{hint}");
        let chosen = Observed {
            looked: vec![("$'\x1b[2J' !!rm".into(), true)],
            ..Observed::default()
        };
        let hint = chosen.hint("pola-sh", "tool", false, d.path()).unwrap();
        assert!(
            hint.ends_with("try: tool + => NAME for each file it makes, or tool + => ."),
            "{hint}"
        );
        // npm's files and its registry's network: both said, the second after the
        // first (it was "one more thing it was not granted": new-user trial).
        let npm = Observed {
            tool: "npm".into(),
            looked: vec![("notes.txt".into(), false)],
            connects: vec![("127.0.0.1".into(), 53)],
            own_network: true,
            ..Observed::default()
        };
        let hint = npm.hint("pola-sh", "npm", true, d.path()).unwrap();
        assert!(
            hint.starts_with("pola-sh: npm looked for ./notes.txt, which was not granted — try: npm … + notes.txt (also: it tried to look up a host name itself (127.0.0.1:53)")
                && hint.ends_with("@net:registry.npmjs.org (pola-sh's proxy looks them up), or npm … + @net)"),
            "{hint}"
        );
        // npm on its manifest: that file to write, and no registry (trial 7: `npm pkg
        // set` was told `+ => .` and the registry's network).
        std::fs::write(d.path().join("package.json"), "{}").unwrap();
        for (line, grant) in [
            ("pkg set description=x", "+ => package.json"),
            ("pkg get name", "+ package.json"),
            ("version patch", "+ => package.json => package-lock.json"),
        ] {
            let npm = Observed {
                tool: "npm".into(),
                words: line.split(' ').map(PathBuf::from).collect(),
                looked: vec![("package.json".into(), false)],
                connects: vec![("127.0.0.1".into(), 53)],
                own_network: true,
                ..Observed::default()
            };
            assert_eq!(
                npm.hint("pola-sh", "npm", true, d.path()).unwrap(),
                format!("pola-sh: npm looked for ./package.json, which was not granted — try: npm … {grant}")
            );
        }
        // Looked up, then created (as opening an `a.o` that is there and not granted):
        // one name it tried to write, added after `+` when the line did not name it.
        let observed = Shared::default();
        Observed::looked_for(&observed, "a.o".into(), false);
        Observed::looked_for(&observed, "a.o".into(), true);
        Observed::looked_for(&observed, "a.o".into(), false);
        let gcc = Observed {
            tool: "gcc".into(),
            words: ["-c", "a.c"].map(PathBuf::from).to_vec(),
            ..observed.lock().unwrap().clone()
        };
        std::fs::write(d.path().join("a.o"), "").unwrap();
        assert_eq!(gcc.looked, vec![("a.o".into(), true)]);
        assert_eq!(
            gcc.hint("pola-sh", "gcc", true, d.path()).unwrap(),
            "pola-sh: gcc tried to replace ./a.o, which was not granted — try: gcc … + => a.o"
        );
        // Its output options' other files, not reached yet, are named too (trial 8).
        let openssl = Observed {
            tool: "openssl".into(),
            words: "req -x509 -keyout k.pem -out c.pem -subj /CN=x"
                .split(' ')
                .map(PathBuf::from)
                .collect(),
            looked: vec![("k.pem".into(), true)],
            ..Observed::default()
        };
        assert_eq!(
            openssl.hint("pola-sh", "openssl", true, d.path()).unwrap(),
            "pola-sh: openssl tried to create ./k.pem and 1 more, which were not granted — try: openssl … => k.pem => c.pem"
        );
        // A name quoted in a program's text (awk's `print > "out.txt"`): added after `+`.
        let awk = Observed {
            tool: "awk".into(),
            words: vec![r#"{print > "awk_out.txt"}"#.into(), "nums.txt".into()],
            looked: vec![("awk_out.txt".into(), true)],
            ..Observed::default()
        };
        assert_eq!(
            awk.hint("pola-sh", "awk", true, d.path()).unwrap(),
            "pola-sh: awk tried to create ./awk_out.txt, which was not granted — try: awk … + => awk_out.txt"
        );
        // A name lookup is not answered with a port grant that cannot make it work.
        let dns = Observed {
            connects: vec![("10.0.0.1".into(), 53)],
            own_network: true,
            ..Observed::default()
        };
        let hint = dns.hint("pola-sh", "curl", true, d.path()).unwrap();
        assert!(
            hint.contains("look up a host name") && hint.contains("@net:HOST"),
            "{hint}"
        );
        assert!(!hint.contains("connect=53"), "{hint}");
        // The host of a URL among its arguments is the one to grant.
        let dns = Observed {
            connects: vec![("127.0.0.53".into(), 53)],
            own_network: true,
            words: vec!["-sSI".into(), "https://me@PyPI.org:443/simple/six/".into()],
            ..Observed::default()
        };
        let hint = dns.hint("pola-sh", "curl", true, d.path()).unwrap();
        assert!(hint.contains("try: curl … + @net:pypi.org "), "{hint}");
        // On the host's network (`@net`) its lookups went through: not the reason it
        // failed (pip given `@net` that could not write its venv; trial 6).
        let hosts = Observed {
            own_network: false,
            host_network: true,
            tool: "pip".into(),
            words: vec!["install".into(), "six".into()],
            ..dns
        };
        assert_eq!(hosts.hint("pola-sh", "pip", true, d.path()), None);
        assert_eq!(
            url_host(Path::new("git://[::1]:9418/x")).as_deref(),
            Some("::1")
        );
        assert_eq!(url_host(Path::new("notes.txt")), None);
        // With hosts granted by name, the proxy is the way out: going there is no miss,
        // going elsewhere is said to bypass it.
        let proxied = Observed {
            connects: vec![("127.0.0.1".into(), 20480)],
            own_network: true,
            proxy: Some(20480),
            ..Observed::default()
        };
        assert_eq!(proxied.hint("pola-sh", "curl", true, d.path()), None);
        let bypass = Observed {
            connects: vec![("127.0.0.1".into(), 20480), ("198.18.0.2".into(), 80)],
            own_network: true,
            proxy: Some(20480),
            ..Observed::default()
        };
        assert!(bypass
            .hint("pola-sh", "nc", true, d.path())
            .unwrap()
            .contains("nc tried to reach 198.18.0.2:80 directly, but the network was granted only through the proxy"));
    }

    #[test]
    fn cargo_given_the_network_is_told_how_to_fetch_into_its_registry() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".cargo/registry")).unwrap();
        let work = home.path().join("hello");
        let o = |proxy: Option<u16>, own_network: bool, tool: &str| Observed {
            tool: tool.into(),
            home: home.path().to_path_buf(),
            proxy,
            own_network,
            ..Observed::default()
        };
        // (`cargo test` sets CARGO_HOME: then that is the registry meant.)
        let registry = cargo_home(home.path()).join("registry");
        if registry.is_dir() {
            let place = shown_from(&registry, &work, home.path(), true);
            let hint = o(Some(3128), true, "cargo").cargo_registry_hint("pola-sh", "cargo", &work);
            let expected =
                format!("try: cargo fetch + . => {place} => Cargo.lock @net:index.crates.io");
            assert!(
                hint.as_deref().is_some_and(|h| h.contains(&expected)),
                "{hint:?}"
            );
        }
        // None yet (a new account): told the same.
        let none = home.path().join("other/.cargo/registry");
        let hint = o(Some(3128), true, "cargo").registry_hint(&none, "pola-sh", "cargo", &work);
        assert!(
            hint.as_deref()
                .is_some_and(|h| h.contains("try: cargo fetch + . => ")),
            "{hint:?}"
        );
        // Without the network it downloaded nothing; another program is not cargo.
        assert_eq!(
            o(None, true, "cargo").cargo_registry_hint("pola-sh", "cargo", &work),
            None
        );
        assert_eq!(
            o(Some(3128), true, "make").cargo_registry_hint("pola-sh", "make", &work),
            None
        );
        // What cargo leaves beside its registry is not worth a line; elsewhere it is.
        let beside =
            |dir: &Path, name: &str| incidental_beside(dir, Some(home.path()), Path::new(name));
        assert!(beside(&cargo_home(home.path()), ".global-cache"));
        assert!(!beside(&work, ".global-cache"));
        assert!(beside(home.path(), ".viminfo"));
        // Python's and pytest's own (trial 6), anywhere.
        assert!(beside(&work, "__pycache__/"));
        assert!(incidental(Path::new("pytest-of-root/pytest-0/t0/x")));
        assert!(!incidental(Path::new("results/pytest-of-root")));
    }

    #[test]
    fn a_build_tool_is_told_the_narrowest_grant_that_builds() {
        let words = |w: &[&str]| w.iter().map(PathBuf::from).collect::<Vec<_>>();
        for sub in ["build", "run", "test", "check", "clippy"] {
            assert_eq!(
                working_dir_grant("cargo", &words(&["--release", sub]), None),
                "+ . => target => Cargo.lock"
            );
        }
        assert_eq!(
            working_dir_grant("cargo", &words(&["add", "serde"]), None),
            "+ . => Cargo.toml => Cargo.lock"
        );
        assert_eq!(
            working_dir_grant("cargo", &words(&["fmt"]), None),
            "+ . => src"
        );
        // Anything else still gets the directory.
        assert_eq!(
            working_dir_grant("cargo", &words(&["publish"]), None),
            "+ => ."
        );
        assert_eq!(working_dir_grant("make", &words(&["all"]), None), "+ => .");
        // Its target directory where the environment or its line says.
        let elsewhere = Some(Path::new("/tmp/my target"));
        assert_eq!(
            working_dir_grant("cargo", &words(&["build"]), elsewhere),
            "+ . => \"/tmp/my target\" => Cargo.lock"
        );
        assert_eq!(
            working_dir_grant("cargo", &words(&["build", "--target-dir", "t2"]), elsewhere),
            "+ . => t2 => Cargo.lock"
        );
        assert_eq!(
            working_dir_grant("cargo", &words(&["clean", "--target-dir=t3"]), None),
            "+ . => t3"
        );
    }

    #[test]
    fn names_a_program_makes_of_the_users_words_are_predicted() {
        let o = |tool: &str, words: &str| Observed {
            tool: tool.into(),
            words: words.split(' ').map(PathBuf::from).collect(),
            ..Observed::default()
        };
        let p = |o: &Observed, name: &str| o.predicted(Path::new(name));
        assert!(p(
            &o("wget", "-q https://x.org/simple/requests/"),
            "index.html"
        ));
        assert!(p(&o("wget", "https://x.org/a/b.tgz?x=1"), "b.tgz"));
        assert!(!p(&o("wget", "-O out https://x.org/a/b.tgz"), "b.tgz"));
        assert!(p(&o("curl", "-sSLO https://x.org/a/b.tgz"), "b.tgz"));
        assert!(!p(&o("curl", "-sSL https://x.org/a/b.tgz"), "b.tgz"));
        assert!(p(&o("npm", "init -y"), "package.json"));
        assert!(!p(&o("npm", "install x"), "package.json"));
        assert!(o("pytest", "-q").runs_pytest());
        assert!(o("python3", "-m pytest -q").runs_pytest());
        assert!(!o("python3", "-m http.server").runs_pytest());
        // Only those: a name the jail chose is never said.
        assert!(!p(&o("wget", "https://x.org/a/b.tgz"), "evil\n!!x"));
        assert_eq!(
            o("split", "-l 300 f part_").split_prefix(),
            Some("part_".into())
        );
        assert_eq!(o("split", "-l 300 f").split_prefix(), Some("x".into()));
        assert_eq!(o("sort", "f").split_prefix(), None);
        assert_eq!(
            o("csplit", "-f sec notes.txt /beta/").split_prefix(),
            Some("sec".into())
        );
        assert_eq!(o("csplit", "notes.txt 3").split_prefix(), Some("xx".into()));
        // Into a directory: that directory to write (trial 8: told `+ parts`).
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("parts")).unwrap();
        let split = Observed {
            looked: vec![("parts".into(), false)],
            ..o("split", "-l 3 nums.txt parts/piece_")
        };
        assert_eq!(
            split.hint("pola-sh", "split", true, d.path()).unwrap(),
            "pola-sh: split looked for ./parts, which was not granted — try: split … + => parts"
        );
    }

    #[test]
    fn the_other_names_it_looked_for_are_named_when_the_grant_leaves_them_out() {
        let d = tempfile::tempdir().unwrap();
        for f in ["a.txt", "b.txt", "c.txt"] {
            std::fs::write(d.path().join(f), "x").unwrap();
        }
        let o = Observed {
            looked: vec![
                ("a.txt".into(), true),
                ("b.txt".into(), true),
                ("c.txt".into(), false),
            ],
            ..Observed::default()
        };
        assert_eq!(
            o.hint("pola-sh", "tool", true, d.path()).unwrap(),
            "pola-sh: tool tried to replace ./a.txt, which was not granted — try: tool … + => a.txt (it also looked for ./b.txt, ./c.txt)"
        );
        // A grant of the whole directory leaves nothing out.
        let reads = Observed {
            looked: vec![("a.txt".into(), false), ("b.txt".into(), false)],
            ..Observed::default()
        };
        let hint = reads.hint("pola-sh", "cat", true, d.path()).unwrap();
        assert!(hint.ends_with("try: cat … + ."), "{hint}");
    }

    #[test]
    fn an_editable_install_is_told_the_metadata_setuptools_writes() {
        let d = tempfile::tempdir().unwrap();
        let w = |words: &str| -> Vec<PathBuf> { words.split(' ').map(PathBuf::from).collect() };
        use std::fs;
        fs::create_dir_all(d.path().join("p/src/my_pkg")).unwrap();
        let toml = "[build-system]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"my-pkg.x\"\n";
        fs::write(d.path().join("p/pyproject.toml"), toml).unwrap();
        let egg = d.path().join("p/src/my_pkg.x.egg-info");
        for words in [
            "install -e p",
            "install -e p[dev]",
            "install --editable=p",
            "install -q -e ./p",
        ] {
            let found = egg_info("pip", &w(words), d.path(), &[], &[]);
            assert_eq!(found.as_deref(), Some(egg.as_path()), "{words}");
        }
        assert_eq!(egg_info("pip", &w("install p"), d.path(), &[], &[]), None);
        assert_eq!(
            egg_info("pip", &w("download -e p"), d.path(), &[], &[]),
            None
        );
        // Another backend writes nothing there.
        fs::write(
            d.path().join("p/pyproject.toml"),
            toml.replace("setuptools.build_meta", "hatchling.build"),
        )
        .unwrap();
        assert_eq!(
            egg_info("pip", &w("install -e p"), d.path(), &[], &[]),
            None
        );
    }

    #[test]
    fn ssh_keygen_is_told_the_line_that_writes_its_key() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("keys")).unwrap();
        let o = Observed {
            tool: "ssh-keygen".into(),
            words: ["-t", "ed25519", "-N", "", "-f", "keys/id"]
                .iter()
                .map(PathBuf::from)
                .collect(),
            looked: vec![("keys".into(), false)],
            ..Observed::default()
        };
        assert_eq!(
            o.hint("pola-sh", "ssh-keygen", true, d.path()).unwrap(),
            "pola-sh: ssh-keygen writes keys/id and keys/id.pub, which were not granted — try: ssh-keygen -t ed25519 -N \"\" -f => keys/id + => keys/id.pub"
        );
    }

    #[test]
    fn ssh_keygen_signing_is_told_the_signature_it_writes() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("k"), "").unwrap();
        let o = Observed {
            tool: "ssh-keygen".into(),
            words: ["-Y", "sign", "-f", "k", "-n", "file", "msg"]
                .iter()
                .map(PathBuf::from)
                .collect(),
            looked: vec![("k.pub".into(), false)],
            ..Observed::default()
        };
        assert_eq!(
            o.hint("pola-sh", "ssh-keygen", true, d.path()).unwrap(),
            "pola-sh: ssh-keygen -Y sign writes msg.sig beside what it signs — if that failed, try: ssh-keygen … + => msg.sig"
        );
    }
}
