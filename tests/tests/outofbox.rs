//! Out of the box: toolchains kept in the home directory (a pyenv shim, a rustup proxy)
//! and the user's git identity work in pola-sh with no configuration, from the profiles
//! pola-sh ships, and the credentials beside them stay invisible. On a fixture home
//! built by the test, as root and as an unprivileged user; and on this machine's own
//! pyenv and rustup, as root, when they are there.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use pola_tests::{both, Run, Who, T};

fn executable(path: &Path) {
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// A home with a fake pyenv (a shim script, libexec, a versions/ tree), a fake rustup
/// proxy layout, a .gitconfig, and credentials that must stay hidden.
fn fixture_home(t: &T) -> std::path::PathBuf {
    let h = t.path("h");
    let hs = h.display().to_string();
    let shim = t.write(
        "h/.pyenv/shims/python3",
        &format!(
            "#!/usr/bin/env bash\nset -e\nexport PYENV_ROOT=\"{hs}/.pyenv\"\nexec \"{hs}/.pyenv/libexec/pyenv\" exec python3 \"$@\"\n"
        ),
    );
    executable(&shim);
    let pyenv = t.write(
        "h/.pyenv/libexec/pyenv",
        "#!/usr/bin/env bash\nshift\nprog=$1; shift\nd=$PWD; v=\nwhile [ \"$d\" != / ]; do [ -f \"$d/.python-version\" ] && { v=$(cat \"$d/.python-version\"); break; }; d=$(dirname \"$d\"); done\n[ -n \"$v\" ] || v=$(cat \"$PYENV_ROOT/version\")\nexec \"$PYENV_ROOT/versions/$v/bin/$prog\" \"$@\"\n",
    );
    executable(&pyenv);
    t.write("h/.pyenv/version", "3.99\n");
    let other = t.write(
        "h/.pyenv/versions/3.98/bin/python3",
        "#!/bin/sh\necho python 3.98\n",
    );
    executable(&other);
    t.mkdir("h/.pyenv/versions/3.99/bin");
    symlink(
        "/usr/bin/python3",
        h.join(".pyenv/versions/3.99/bin/python3"),
    )
    .unwrap();

    let rustup = t.write(
        "h/.cargo/bin/rustup",
        "#!/bin/sh\nname=$(basename \"$0\")\ntc=$(sed -n 's/^default_toolchain = \"\\(.*\\)\"/\\1/p' \"$HOME/.rustup/settings.toml\")\nexec \"$HOME/.rustup/toolchains/$tc/bin/$name\" \"$@\"\n",
    );
    executable(&rustup);
    symlink("rustup", h.join(".cargo/bin/cargo")).unwrap();
    t.write("h/.rustup/settings.toml", "default_toolchain = \"fake\"\n");
    let cargo = t.write(
        "h/.rustup/toolchains/fake/bin/cargo",
        "#!/bin/sh\necho \"cargo from the fake toolchain\"\ncat \"$HOME/.cargo/credentials.toml\" 2>/dev/null && echo LEAKED\ncat \"$HOME/.ssh/id_ed25519\" 2>/dev/null && echo LEAKED\nexit 0\n",
    );
    executable(&cargo);
    t.write(
        "h/.cargo/credentials.toml",
        "[registry]\ntoken = \"secret\"\n",
    );
    t.write("h/.ssh/id_ed25519", "PRIVATE KEY\n");
    t.write(
        "h/.gitconfig",
        "[user]\n\tname = Pola Tester\n\temail = pola@example.org\n[init]\n\tdefaultBranch = main\n",
    );
    t.own(&h);
    h
}

/// pola-sh -c SCRIPT with `home` as $HOME and the fixture's tools on PATH.
fn in_home(t: &T, home: &Path, script: &str) -> Run {
    let mut cmd = t.command(pola_tests::pola_sh(), &["-c", script]);
    cmd.env("HOME", home).env(
        "PATH",
        format!(
            "{}/.pyenv/shims:{}/.cargo/bin:{}",
            home.display(),
            home.display(),
            pola_tests::PATH
        ),
    );
    t.output(cmd)
}

both!(a_pyenv_shim_runs_with_no_configuration, |t: &T| {
    let h = fixture_home(t);
    let run = in_home(t, &h, "python3 -c 'import sys; print(42, sys.executable)'");
    let out = run.success();
    assert!(out.starts_with("42 "), "{run}");
    // It is the shipped profile that makes it work.
    let run = in_home(t, &h, "grants python3 -V");
    assert!(run.success().contains("shipped:pyenv"), "{run}");
    let mut cmd = t.command(
        pola_tests::pola_sh(),
        &["--no-profile", "-c", "python3 -c 'print(42)'"],
    );
    cmd.env("HOME", &h).env(
        "PATH",
        format!("{}/.pyenv/shims:{}", h.display(), pola_tests::PATH),
    );
    let run = t.output(cmd);
    assert!(!run.ok(), "without the profile the shim cannot run: {run}");
});

// pip through pyenv's shim: pyenv's wrapper refreshes the shims after an install
// (`pyenv rehash`), which a jail cannot, and exits 1 though pip installed (new-user
// trial). Said, with the refresh to run unconfined. The fixture's wrapper does what
// pyenv's does: pip, then the rehash, failing when the shims are not writable.
both!(
    pip_through_pyenvs_shim_is_told_the_rehash_it_could_not_do,
    |t: &T| {
        let h = fixture_home(t);
        let pip = t.write(
        "h/.pyenv/shims/pip",
        "#!/usr/bin/env bash\nset -e\necho \"Successfully installed $2\"\nshims=\"$HOME/.pyenv/shims\"\n[ -w \"$shims\" ] || { echo \"pyenv: cannot rehash: $shims isn't writable\" >&2; exit 1; }\ntouch \"$shims/.rehashed\"\n",
    );
        executable(&pip);
        t.own(&h);
        let pola = |line: &str| {
            let mut cmd = t.command(pola_tests::pola_sh(), &["--hints", "-c", line]);
            cmd.env("HOME", &h).env(
                "PATH",
                format!("{}/.pyenv/shims:{}", h.display(), pola_tests::PATH),
            );
            t.output(cmd)
        };
        // Unconfined, the same line succeeds.
        pola("!!pip install demo").success();
        assert!(h.join(".pyenv/shims/.rehashed").exists());
        std::fs::remove_file(h.join(".pyenv/shims/.rehashed")).unwrap();
        let run = pola("pip install demo");
        assert_eq!(run.code, Some(1), "{run}");
        assert!(run.stdout.contains("Successfully installed demo"), "{run}");
        assert!(
        run.stderr.contains("pola-sh: if pip said \"pyenv: cannot rehash\", pip itself succeeded: only pyenv's shims were not refreshed (~/.pyenv/shims is read-only in a jail) — to refresh them: !!pyenv rehash"),
        "{run}"
    );
        assert!(!h.join(".pyenv/shims/.rehashed").exists());
        // Not for what installs nothing.
        let run = pola("pip list");
        assert!(!run.stderr.contains("!!pyenv rehash"), "{run}");
    }
);

// A project's .python-version, in the working directory or above it, picks the
// version, as pyenv does outside the jail.
both!(a_projects_python_version_file_is_followed, |t: &T| {
    let h = fixture_home(t);
    t.write("proj/.python-version", "3.98\n");
    t.mkdir("proj/src");
    t.own(&t.path("proj"));
    let run = in_home(
        t,
        &h,
        &format!("cd {}/proj/src && python3", t.dir().display()),
    );
    assert_eq!(run.success(), "python 3.98\n");
    let run = in_home(
        t,
        &h,
        &format!("cd {}/proj/src && grants python3", t.dir().display()),
    );
    assert!(run.success().contains(".python-version"), "{run}");
});

both!(a_rustup_proxy_runs_and_credentials_stay_hidden, |t: &T| {
    let h = fixture_home(t);
    let run = in_home(t, &h, "cargo --version");
    let out = run.success();
    assert!(out.contains("cargo from the fake toolchain"), "{run}");
    assert!(!out.contains("LEAKED"), "credentials were visible: {run}");
    // Nothing of the home that is not the tools is there either.
    let run = in_home(
        t,
        &h,
        "python3 -c 'import os; print(os.path.exists(os.path.expanduser(\"~/.ssh/id_ed25519\")), os.path.exists(os.path.expanduser(\"~/.cargo/credentials.toml\")))'",
    );
    assert_eq!(run.success(), "False False\n");
});

both!(git_commit_gets_the_users_identity, |t: &T| {
    let h = fixture_home(t);
    t.mkdir("w");
    let run = in_home(
        t,
        &h,
        "cd w && git init -q => repo && git -C repo commit -q --allow-empty -m first + => repo && git -C repo log --format='%an <%ae>' + repo",
    );
    assert_eq!(run.success(), "Pola Tester <pola@example.org>\n");
    // Never the credentials file git could also read.
    let run = in_home(t, &h, "grants git status");
    let out = run.success();
    assert!(
        out.contains(".gitconfig") && out.contains("shipped"),
        "{run}"
    );
    assert!(!out.contains(".git-credentials"), "{run}");
});

both!(
    this_machines_pyenv_and_rustup_work_with_no_configuration,
    |t: &T| {
        // As root, on machines set up like the project's, root's python3 and cargo are a
        // pyenv shim and a rustup proxy in /root.
        let home = Path::new("/root");
        let shims = home.join(".pyenv/shims/python3");
        let proxy = home.join(".cargo/bin/cargo");
        if t.who != Who::Root || !shims.exists() || !proxy.exists() {
            eprintln!("skipped: no pyenv and rustup of root's here");
            return;
        }
        let run = in_home(t, home, "python3 -c 'print(42)'");
        assert_eq!(run.success(), "42\n");
        let run = in_home(t, home, "cargo --version");
        assert!(run.success().starts_with("cargo "), "{run}");
    }
);

both!(
    learn_converges_in_one_run_and_sorts_what_it_found,
    |t: &T| {
        let h = fixture_home(t);
        let path = format!("{}/.pyenv/shims:{}", h.display(), pola_tests::PATH);
        // Without the shipped profile, one --learn finds the whole shim chain: it runs the
        // command again with what each round found, until it finds nothing new.
        let mut cmd = t.jail_command(
            &["--no-profile", "--learn"],
            &["python3", "-c", "print(42)"],
        );
        cmd.env("HOME", &h).env("PATH", &path);
        let run = t.output(cmd);
        assert_eq!(run.stdout, "42\n", "{run}");
        assert!(run.stderr.contains("ro ~/.pyenv/libexec/pyenv\n"), "{run}");
        assert!(run.stderr.contains("ro ~/.pyenv/version\n"), "{run}");
        assert!(run.stderr.contains("round 1 found"), "{run}");
        // What is in the working directory is the project: a command-line grant, not a
        // line for the program's profile. make finds files by listing the directory:
        // it is given the directory (given `--ro Makefile`, it found no sources and
        // `--learn` then said "denied nothing"; trial).
        // What it writes there, in what it was given to read, is learned to write (the
        // kernel said read-only and nothing was learned); a compiler's files in the
        // jail's own /tmp are not (they were learned as `rw /tmp/ccXXXX.s`).
        t.write(
            "proj/Makefile",
            "all: out.txt\nout.txt: in.txt\n\tcp in.txt out.txt\n\techo 'int main(){return 0;}' | cc -x c -o /tmp/pola-learn-test.$$$$ -\n",
        );
        t.write("proj/in.txt", "data\n");
        let mut cmd = t.jail_command(&["--learn", "--cwd", "proj"], &["make"]);
        cmd.env("HOME", &h);
        let run = t.output(cmd);
        assert!(
            run.stderr
                .contains("grant it on the command line: --ro . --rw out.txt\n"),
            "{run}"
        );
        assert!(!run.stderr.contains("/tmp/"), "{run}");
        assert_eq!(
            fs::read_to_string(t.path("proj/out.txt")).unwrap(),
            "data\n"
        );
        assert!(!run.stderr.contains("profiles/make"), "{run}");

        // --learn --save writes the lines into the program's profile after asking.
        let config = t.path("cfg");
        let run = {
            use pola_tests::Key::*;
            let args = [
                "--no-profile",
                "--learn",
                "--save",
                "--",
                "/usr/bin/python3",
                "-c",
                "print(open('/etc/hostname').read() and 'read')",
            ];
            let mut steps = vec![Expect("[y/N]"), Send("y\r"), Expect("saved to")];
            if std::path::Path::new("/etc/hostname").exists() {
                steps.push(Expect("read"));
            }
            // The pty driver runs the program with XDG_CONFIG_HOME=<dir>/.config.
            let _ = &config;
            t.on_terminal(&pola_tests::pola_run(), &args, &steps)
        };
        if std::path::Path::new("/etc/hostname").exists() {
            assert!(run.stdout.starts_with("OK"), "{run}");
            let saved = fs::read_to_string(t.path(".config/pola-sh/profiles/python3")).unwrap();
            assert!(saved.contains("ro /etc/hostname"), "{saved}");
        }
    }
);

// Editors and shells get the user's settings for them, read-only.
both!(editors_and_shells_get_their_settings, |t: &T| {
    let h = fixture_home(t);
    t.write("h/.vimrc", "let g:mine = 42\n");
    t.write("h/.bashrc", "export FROM_RC=yes\n");
    t.own(&h);
    let run = in_home(t, &h, "grants vim notes");
    let out = run.success();
    assert!(
        out.lines()
            .any(|l| l.contains("/.vimrc") && l.contains("ro (shipped)")),
        "{run}"
    );
    let run = in_home(t, &h, "bash -ic 'echo rc=$FROM_RC' 2>/dev/null");
    assert_eq!(run.success(), "rc=yes\n");
    // Only settings: the other files of the home stay unseen.
    let run = in_home(t, &h, "bash -c 'cat ~/.gitconfig ~/.ssh/id_ed25519'");
    assert!(!run.ok() && !run.stdout.contains("PRIVATE"), "{run}");
});

// A pipx tool (~/.local/bin/tool, a link into its venv) runs with its own venv and
// pipx's shared libraries, not every other tool's venv.
both!(a_pipx_tool_gets_its_own_venv_only, |t: &T| {
    let h = fixture_home(t);
    let venvs = h.join(".local/share/pipx/venvs");
    for v in ["tool", "other"] {
        let run = t.plain(&[
            "/usr/bin/python3",
            "-m",
            "venv",
            "--without-pip",
            venvs.join(v).to_str().unwrap(),
        ]);
        assert!(run.ok(), "{run}");
    }
    t.write(
        "h/.local/share/pipx/venvs/other/secret",
        "OTHER TOOL'S TOKEN\n",
    );
    let tool = t.write(
        "h/.local/share/pipx/venvs/tool/bin/tool",
        &format!(
            "#!{}/tool/bin/python\nimport sys\nprint(sys.prefix)\ntry:\n    print(open('{}/other/secret').read())\nexcept OSError as e:\n    print('hidden')\n",
            venvs.display(),
            venvs.display()
        ),
    );
    executable(&tool);
    t.mkdir("h/.local/bin");
    symlink(&tool, h.join(".local/bin/tool")).unwrap();
    t.own(&h);
    let mut cmd = t.command(pola_tests::pola_sh(), &["-c", "tool"]);
    cmd.env("HOME", &h).env(
        "PATH",
        format!("{}/.local/bin:{}", h.display(), pola_tests::PATH),
    );
    let run = t.output(cmd);
    assert_eq!(
        run.success(),
        format!("{}\nhidden\n", venvs.join("tool").display())
    );
});

// git in a work tree sees it read-only: status and diff work as they are, and a commit
// with only => .git records the change, not every file as deleted.
both!(git_sees_its_work_tree, |t: &T| {
    let h = fixture_home(t);
    t.mkdir("w");
    let run = in_home(
        t,
        &h,
        "cd w && git init -q => repo && cd repo && echo a > a && echo b > b && git add a b + => .git && git commit -qm one + => .git",
    );
    run.success();
    let run = in_home(
        t,
        &h,
        "cd w/repo && echo more >> a && git status --short && git commit -qam two + => .git && git show --stat --format=%s HEAD | grep -c '|'",
    );
    assert_eq!(run.success(), " M a\n1\n");
    // The home directory is never given whole, even holding a .git of its own.
    in_home(t, &h, "cd ~ && git init -q + => .git").success();
    let run = in_home(t, &h, "cd ~ && git status --short");
    assert!(!run.stdout.contains(".ssh"), "{run}");
});

// A linked work tree (`git worktree add`): its `.git` is a file naming the work tree's
// directory in the repository, which git needs too ("not a git repository"; new-user
// trial). Granted read-only with the work tree, and the hint for a commit names the
// repository's `.git`. Only when that directory names the work tree back: a `.git`
// file planted elsewhere, naming it, gets nothing (plain git follows it anyway).
both!(git_works_in_a_linked_work_tree, |t: &T| {
    let h = fixture_home(t);
    t.mkdir("w");
    let setup = "cd w && git init -q => repo && cd repo && echo a > a && git add a + => .git && git commit -qm one + => .git && git worktree add -q => ../wt + => .git";
    in_home(t, &h, setup).success();
    let run = in_home(
        t,
        &h,
        "cd w/wt && git log --format=%s && git status --short",
    );
    assert_eq!(run.success(), "one\n");
    let mut hinted = t.command(
        pola_tests::pola_sh(),
        &["--hints", "-c", "cd w/wt && echo b > b && git add b"],
    );
    hinted.env("HOME", &h);
    let run = t.output(hinted);
    assert!(run.stderr.contains("try: git … + => ../repo/.git"), "{run}");
    in_home(
        t,
        &h,
        "cd w/wt && git add b + => ../repo/.git && git commit -qm two + => ../repo/.git",
    )
    .success();
    let run = in_home(t, &h, "cd w/repo && git log --format=%s wt");
    assert_eq!(run.success(), "two\none\n");
    // A `.git` file naming the work tree's directory from somewhere else.
    t.mkdir("w/elsewhere");
    let gitdir = std::fs::read_to_string(t.path("w/wt/.git")).unwrap();
    t.write("w/elsewhere/.git", &gitdir);
    t.own(&t.path("w/elsewhere"));
    let plain = t.plain(&[
        "git",
        "-C",
        t.path("w/elsewhere").to_str().unwrap(),
        "log",
        "--all",
        "--format=%s",
    ]);
    assert!(plain.stdout.contains("one"), "{plain}");
    let run = in_home(t, &h, "cd w/elsewhere && git log --all --format=%s");
    assert!(!run.ok() && !run.stdout.contains("one"), "{run}");
    // Both ends of the back link written by a jail, naming another repository's .git
    // as common (review): that repository is not granted.
    let plant = "cd w && mkdir => evil && cd evil && sh -c 'P=$PWD; mkdir -p wt own; echo gitdir: $P/own > wt/.git; echo $P/wt/.git > own/gitdir; echo \"$1\" > own/commondir; echo ref: refs/heads/main > own/HEAD' sh \"$(cd ../repo && pwd)/.git\" + => .";
    in_home(t, &h, plant).success();
    let run = in_home(t, &h, "cd w/evil/wt && !!git log --format=%s main");
    assert!(run.stdout.contains("one"), "{run}");
    let run = in_home(t, &h, "cd w/evil/wt && git log --format=%s main");
    assert!(!run.stdout.contains("one"), "{run}");
});

both!(
    openssl_makes_a_certificate_with_its_configuration,
    |t: &T| {
        // `openssl req` reads /etc/ssl/openssl.cnf (public) before anything: it failed
        // with "Can't open ... openssl.cnf" and no hint (new-user trial).
        let run = t.plain(&[
            pola_tests::pola_sh().to_str().unwrap(),
            "-c",
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout => key.pem -out => cert.pem \
         -days 1 -subj /CN=localhost 2>/dev/null && openssl x509 -noout -subject -in cert.pem",
        ]);
        assert_eq!(run.success().trim(), "subject=CN = localhost", "{run}");
        assert!(t.path("key.pem").is_file());
    }
);
