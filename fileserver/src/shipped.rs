//! Profiles shipped with pola-sh, for the toolchains people keep in their home
//! directory: so that `python3` behind a pyenv shim, `cargo` behind a rustup proxy or
//! `git commit` with the user's identity work out of the box.
//!
//! Which profile applies is decided from where the executable really is — the path it
//! was found at and the path its links lead to, under the tool's home (`$PYENV_ROOT` or
//! `~/.pyenv`, ...) — not from its name alone; a few profiles are for a program name
//! wherever it is (`git`, `man`). Each grants read-only, unless the tool cannot run at
//! all without writing one lock or state file, and then only that one; `nohup` gets
//! the one file it writes, `nohup.out` in the working directory. None names
//! credentials (SSH keys, `~/.cargo/credentials*`, `~/.npmrc`, `~/.git-credentials`,
//! `.netrc`, `.pypirc`, gnupg, keyrings, browser profiles): a unit test checks every
//! path against those patterns.
//!
//! The user's own profile for the program (`crate::profile`) extends the shipped ones;
//! a line `shipped off` in it turns them off for that program, `--no-profile` turns off
//! both.

use std::path::{Path, PathBuf};

use crate::profile::{Profile, ProfileError};

/// A tool's home directory: the variable that moves it, and where it is by default.
pub struct Home {
    pub var: &'static str,
    /// Under `$HOME` (`.pyenv`).
    pub default: &'static str,
}

/// One shipped profile.
pub struct Shipped {
    pub name: &'static str,
    /// It applies to an executable found, or leading by links, under one of these.
    pub homes: &'static [Home],
    /// ... or with one of these file names, wherever it is.
    pub programs: &'static [&'static str],
    /// Profile lines; `$VAR` of a home is replaced by that home.
    pub text: &'static str,
}

const PYENV: Home = Home {
    var: "PYENV_ROOT",
    default: ".pyenv",
};
const CARGO: Home = Home {
    var: "CARGO_HOME",
    default: ".cargo",
};
const RUSTUP: Home = Home {
    var: "RUSTUP_HOME",
    default: ".rustup",
};
const NVM: Home = Home {
    var: "NVM_DIR",
    default: ".nvm",
};
const PIPX: Home = Home {
    var: "PIPX_HOME",
    default: ".local/share/pipx",
};
const PIPX_OLD: Home = Home {
    var: "",
    default: ".local/pipx",
};
const LOCAL_BIN: Home = Home {
    var: "PIPX_BIN_DIR",
    default: ".local/bin",
};
const GOROOT: Home = Home {
    var: "GOROOT",
    default: "go",
};
const GOPATH: Home = Home {
    var: "GOPATH",
    default: "go",
};
const SDK_GO: Home = Home {
    var: "",
    default: "sdk",
};
const CONDA: &[Home] = &[
    Home {
        var: "CONDA_ROOT",
        default: "miniconda3",
    },
    Home {
        var: "",
        default: "anaconda3",
    },
    Home {
        var: "",
        default: "miniforge3",
    },
    Home {
        var: "MAMBA_ROOT_PREFIX",
        default: "mambaforge",
    },
    Home {
        var: "",
        default: "micromamba",
    },
];

/// Every shipped profile.
pub const SHIPPED: &[Shipped] = &[
    Shipped {
        name: "pyenv",
        homes: &[PYENV],
        programs: &[],
        text: "\
# pyenv: its shims, libexec and versions; the global version file is inside.
ro $PYENV_ROOT
nearest .python-version
env PYENV_ROOT
env PYENV_VERSION
",
    },
    Shipped {
        name: "rustup",
        homes: &[CARGO, RUSTUP],
        programs: &[],
        text: "\
# rustup and cargo: the toolchains and proxies, cargo's configuration and its
# registry and git caches read-only (never ~/.cargo/credentials*); the package cache
# lock is the one file cargo writes before doing anything.
ro $RUSTUP_HOME
ro $CARGO_HOME/bin
ro $CARGO_HOME/config.toml
ro $CARGO_HOME/config
ro $CARGO_HOME/registry
ro $CARGO_HOME/git
rw $CARGO_HOME/.package-cache
nearest rust-toolchain.toml
nearest rust-toolchain
env RUSTUP_HOME
env CARGO_HOME
env RUSTUP_TOOLCHAIN
",
    },
    Shipped {
        name: "nvm",
        homes: &[NVM],
        programs: &[],
        text: "\
# nvm: node and npm versions and their global packages (never ~/.npmrc).
ro $NVM_DIR
env NVM_DIR
env NVM_BIN
",
    },
    Shipped {
        name: "pipx",
        homes: &[PIPX, PIPX_OLD, LOCAL_BIN],
        programs: &[],
        text: "\
# pipx and ~/.local/bin: pipx's shared libraries and pip's user site; the venv a
# program runs from is given by itself (the venv of the program's real path), not
# every other tool's.
ro $PIPX_HOME/shared
ro ~/.local/pipx/shared
ro $PIPX_BIN_DIR
ro ~/.local/lib
",
    },
    Shipped {
        name: "go",
        homes: &[GOROOT, GOPATH, SDK_GO],
        programs: &[],
        text: "\
# Go in the home directory: the toolchain and the module cache read-only; the build
# cache is the state go cannot run without.
ro $GOROOT
ro ~/sdk
ro $GOPATH/pkg/mod
ro $GOPATH/bin
rw ~/.cache/go-build
env GOROOT
env GOPATH
env GOFLAGS
env GOPROXY
",
    },
    Shipped {
        name: "conda",
        homes: CONDA,
        programs: &[],
        text: "\
# conda and mamba: the installation and its configuration.
ro $CONDA_ROOT
ro ~/anaconda3
ro ~/miniforge3
ro $MAMBA_ROOT_PREFIX
ro ~/micromamba
ro ~/.condarc
ro ~/.mambarc
env CONDA_PREFIX
env CONDA_DEFAULT_ENV
",
    },
    Shipped {
        name: "editors",
        homes: &[],
        programs: &[
            "vim",
            "vi",
            "vim.basic",
            "vim.tiny",
            "view",
            "vimdiff",
            "nvim",
            "nano",
        ],
        text: "\
# vim, neovim, nano: your settings and plugins, read-only (the edit history they keep
# in the home directory stays in the jail's private one).
ro ~/.vimrc
ro ~/.vim
ro ~/.config/nvim
ro ~/.local/share/nvim/site
ro ~/.nanorc
ro ~/.config/nano
",
    },
    Shipped {
        name: "shells",
        homes: &[],
        programs: &["bash", "zsh", "fish", "less"],
        text: "\
# Shells and less: your settings for them, read-only.
ro ~/.bashrc
ro ~/.inputrc
ro ~/.zshrc
ro ~/.config/fish/config.fish
ro ~/.config/lesskey
ro ~/.lesskey
",
    },
    Shipped {
        name: "git",
        homes: &[],
        programs: &["git"],
        text: "\
# git: who you are, from your configuration (never ~/.git-credentials), and the work
# tree it is run in, read-only (git status, diff, log; commit with => .git).
nearest-dir .git
ro ~/.gitconfig
ro ~/.config/git/config
ro ~/.config/git/ignore
ro ~/.config/git/attributes
env GIT_AUTHOR_NAME
env GIT_AUTHOR_EMAIL
env GIT_COMMITTER_NAME
env GIT_COMMITTER_EMAIL
",
    },
    Shipped {
        name: "nohup",
        homes: &[],
        programs: &["nohup"],
        text: "\
# nohup: the file its command's output goes to when that was the terminal (in the
# working directory; a slot, made only then).
rw nohup.out
",
    },
    Shipped {
        name: "man",
        homes: &[],
        programs: &["man", "apropos", "whatis", "mandb", "groff", "nroff"],
        text: "\
# man: where the pages are, and the index; groff's local settings (troff warns
# without man.local).
ro /etc/manpath.config
ro /var/cache/man
ro /etc/groff
env MANPATH
env MANPAGER
env PAGER
",
    },
];

/// What every program gets when it is there: the user's own terminal descriptions and
/// locales.
pub const EVERYONE: &str = "\
ro ~/.terminfo
ro ~/.local/share/terminfo
ro ~/.local/share/locale
";

fn home_dir(home: &Home, user_home: &Path, var: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if !home.var.is_empty() {
        if let Some(v) = var(home.var).filter(|v| v.starts_with('/')) {
            return PathBuf::from(v);
        }
    }
    user_home.join(home.default)
}

impl Shipped {
    /// Whether this profile is for the program found at `exe`, which leads to `real`.
    pub fn applies(
        &self,
        exe: &Path,
        real: &Path,
        user_home: &Path,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> bool {
        let name = exe.file_name().and_then(|n| n.to_str()).unwrap_or("");
        self.programs.contains(&name)
            || self.homes.iter().any(|h| {
                let dir = home_dir(h, user_home, var);
                exe.starts_with(&dir) || real.starts_with(&dir)
            })
    }

    /// The profile's lines with each home's `$VAR` replaced by where that home is.
    pub fn profile(
        &self,
        user_home: &Path,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Profile, ProfileError> {
        let mut text = self.text.to_string();
        for h in self.homes.iter().filter(|h| !h.var.is_empty()) {
            let dir = home_dir(h, user_home, var);
            text = text.replace(&format!("${}", h.var), &dir.to_string_lossy());
        }
        Profile::parse(Path::new(&format!("shipped:{}", self.name)), &text)
    }
}

/// The shipped profiles for the program found at `exe` (leading to `real`), and the one
/// every program gets.
pub fn for_program(
    exe: &Path,
    real: &Path,
    user_home: &Path,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Profile>, ProfileError> {
    let mut out = vec![Profile::parse(Path::new("shipped:everyone"), EVERYONE)?];
    for s in SHIPPED {
        if s.applies(exe, real, user_home, var) {
            out.push(s.profile(user_home, var)?);
        }
    }
    Ok(out)
}

/// The shipped profiles of the tool homes that hold `real` (a program's place as the
/// kernel resolves it): never a profile chosen by a program's name, which a file a
/// jail made can carry (a script's interpreter named `bash`).
pub fn for_place(
    real: &Path,
    user_home: &Path,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Profile>, ProfileError> {
    let mut out = Vec::new();
    for s in SHIPPED {
        let held = s
            .homes
            .iter()
            .any(|h| real.starts_with(home_dir(h, user_home, var)));
        if held {
            out.push(s.profile(user_home, var)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Rule;

    /// Names that hold secrets, as parts of a path.
    const CREDENTIALS: &[&str] = &[
        ".ssh",
        "id_rsa",
        "id_ed25519",
        "credentials",
        ".netrc",
        ".npmrc",
        ".pypirc",
        ".gnupg",
        "keyrings",
        ".git-credentials",
        ".mozilla",
        "google-chrome",
        "chromium",
        ".docker",
        ".aws",
        ".kube",
        ".password-store",
    ];

    #[test]
    fn no_shipped_profile_names_credentials() {
        let home = Path::new("/home/u");
        let none = |_: &str| None;
        let mut all: Vec<Profile> = SHIPPED
            .iter()
            .map(|s| s.profile(home, &none).unwrap())
            .collect();
        all.push(Profile::parse(Path::new("e"), EVERYONE).unwrap());
        for p in &all {
            for (path, _) in p.grants(home) {
                let text = path.to_string_lossy().to_lowercase();
                for c in CREDENTIALS {
                    assert!(
                        !text.contains(c),
                        "{}: {} looks like credentials ({c})",
                        p.file.display(),
                        path.display()
                    );
                }
                // A whole tool home that holds credentials is never granted.
                assert_ne!(path, home.join(".cargo"), "{}", p.file.display());
                assert_ne!(path, home, "{}", p.file.display());
            }
        }
    }

    #[test]
    fn every_shipped_profile_parses_and_grants_read_only_but_locks() {
        let home = Path::new("/home/u");
        let none = |_: &str| None;
        for s in SHIPPED {
            let p = s.profile(home, &none).unwrap();
            for r in &p.rules {
                if let Rule::ReadWrite(w) = r {
                    let text = format!("{w:?}");
                    assert!(
                        text.contains(".package-cache")
                            || text.contains("go-build")
                            || text.contains("\"nohup.out\""),
                        "{}: writable {text}",
                        s.name
                    );
                }
            }
        }
    }

    #[test]
    fn profiles_apply_by_where_the_program_is() {
        let home = Path::new("/home/u");
        let none = |_: &str| None;
        let names = |exe: &str, real: &str| -> Vec<String> {
            for_program(Path::new(exe), Path::new(real), home, &none)
                .unwrap()
                .iter()
                .map(|p| p.file.display().to_string())
                .collect()
        };
        assert!(names(
            "/home/u/.pyenv/shims/python3",
            "/home/u/.pyenv/shims/python3"
        )
        .contains(&"shipped:pyenv".to_string()));
        assert!(
            names("/home/u/.cargo/bin/cargo", "/home/u/.cargo/bin/rustup")
                .contains(&"shipped:rustup".to_string())
        );
        assert!(names("/usr/bin/git", "/usr/bin/git").contains(&"shipped:git".to_string()));
        // A python3 that is not pyenv's gets no pyenv profile.
        assert_eq!(
            names("/usr/bin/python3", "/usr/bin/python3.11"),
            ["shipped:everyone"]
        );
        // A moved home is followed.
        let var = |v: &str| (v == "PYENV_ROOT").then(|| "/opt/pyenv".to_string());
        let p: Vec<String> = for_program(
            Path::new("/opt/pyenv/shims/python"),
            Path::new("/opt/pyenv/shims/python"),
            home,
            &var,
        )
        .unwrap()
        .iter()
        .map(|p| p.file.display().to_string())
        .collect();
        assert!(p.contains(&"shipped:pyenv".to_string()));
    }
}
