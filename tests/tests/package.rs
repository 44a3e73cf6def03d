//! The installed layout: pola-sh and pola-run find the shim in `../libexec/pola-sh/`
//! beside their own directory before anywhere else (the path the package installs it
//! at, and the one path its AppArmor profile allows user namespaces to), and the
//! package's pieces (its metadata in shell/Cargo.toml, the AppArmor profile, the manual
//! pages) agree with each other and with the programs. scripts/test-package installs
//! the real package; these run from a checkout.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use pola_fileserver::launch::{shim_candidates, INSTALLED_SHIM};
use pola_tests::{both, T};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn read(rel: &str) -> String {
    fs::read_to_string(repo(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `PREFIX/bin/pola-run` and `PREFIX/bin/pola-sh` copied from the build, as the package
/// lays them out, with the shim at `shim` (relative to PREFIX) if given.
fn install(t: &T, prefix: &str, shim: Option<&str>) -> PathBuf {
    let root = t.mkdir(prefix);
    let bin = t.mkdir(&format!("{prefix}/bin"));
    for name in ["pola-run", "pola-sh"] {
        fs::copy(pola_tests::bin_dir().join(name), bin.join(name)).unwrap();
    }
    if let Some(shim) = shim {
        let to = t.path(&format!("{prefix}/{shim}"));
        let dir = Path::new(shim).parent().unwrap().display().to_string();
        t.mkdir(&format!("{prefix}/{dir}"));
        fs::copy(pola_tests::bin_dir().join("pola-shim"), &to).unwrap();
    }
    t.own(&root);
    root
}

both!(installed_programs_find_the_shim_in_libexec, |t: &T| {
    let prefix = install(t, "usr", Some("libexec/pola-sh/pola-shim"));
    t.write("f.txt", "granted\n");
    let run = t.output(t.command(
        prefix.join("bin/pola-run"),
        &["--ro", "f.txt", "--", "cat", "f.txt"],
    ));
    assert_eq!(run.success(), "granted\n");
    let sh = t.output(t.command(prefix.join("bin/pola-sh"), &["-c", "cat f.txt"]));
    assert_eq!(sh.success(), "granted\n");
});

both!(libexec_comes_before_a_shim_beside_the_programs, |t: &T| {
    let prefix = install(t, "usr", Some("libexec/pola-sh/pola-shim"));
    // A "shim" beside the programs that would be noticed if it ran.
    let beside = prefix.join("bin/pola-shim");
    fs::write(
        &beside,
        "#!/bin/sh\necho 'the shim beside ran' >&2\nexit 99\n",
    )
    .unwrap();
    fs::set_permissions(&beside, fs::Permissions::from_mode(0o755)).unwrap();
    t.own(&beside);
    let run = t.output(t.command(prefix.join("bin/pola-run"), &["--", "true"]));
    assert!(run.ok(), "{run}");
    assert!(!run.stderr.contains("the shim beside ran"), "{run}");
    // Without the libexec one, the one beside is used (a checkout's target/ layout).
    fs::remove_file(prefix.join("libexec/pola-sh/pola-shim")).unwrap();
    let run = t.output(t.command(prefix.join("bin/pola-run"), &["--", "true"]));
    assert!(run.stderr.contains("the shim beside ran"), "{run}");
});

both!(a_missing_shim_names_where_it_was_looked_for, |t: &T| {
    let prefix = install(t, "usr", None);
    let run = t.output(t.command(prefix.join("bin/pola-run"), &["--", "true"]));
    assert_eq!(run.code, Some(125), "{run}");
    let libexec = prefix.join("libexec/pola-sh/pola-shim");
    let beside = prefix.join("bin/pola-shim");
    assert_eq!(
        run.stderr,
        format!(
            "pola-run: cannot find pola-shim (looked for {} and {}); set POLA_SHIM to its path\n",
            libexec.display(),
            beside.display()
        ),
        "{run}"
    );
    // POLA_SHIM still names one explicitly.
    let mut cmd = t.command(prefix.join("bin/pola-run"), &["--", "true"]);
    cmd.env("POLA_SHIM", pola_tests::bin_dir().join("pola-shim"));
    let run = t.output(cmd);
    assert!(run.ok(), "{run}");
});

#[test]
fn the_shim_lookup_starts_at_the_installed_path() {
    for program in ["/usr/bin/pola-sh", "/usr/bin/pola-run"] {
        assert_eq!(
            shim_candidates(Path::new(program)),
            [PathBuf::from(INSTALLED_SHIM), "/usr/bin/pola-shim".into()]
        );
    }
    assert_eq!(
        shim_candidates(Path::new("/usr/local/bin/pola-sh")),
        [
            PathBuf::from("/usr/local/libexec/pola-sh/pola-shim"),
            "/usr/local/bin/pola-shim".into()
        ]
    );
    // A checkout never looks outside its own target directory.
    assert_eq!(
        shim_candidates(Path::new("/home/u/pola-sh/target/release/pola-sh")),
        [PathBuf::from("/home/u/pola-sh/target/release/pola-shim")]
    );
}

/// The `[package.metadata.deb]` assets of shell/Cargo.toml: (source, destination).
fn deb_assets() -> Vec<(String, String)> {
    let manifest = read("shell/Cargo.toml");
    let metadata = manifest
        .split("[package.metadata.deb]")
        .nth(1)
        .expect("shell/Cargo.toml has [package.metadata.deb]");
    let assets = metadata
        .split("assets = [")
        .nth(1)
        .and_then(|a| a.split("\n]").next())
        .expect("an assets list");
    assets
        .lines()
        .filter_map(|l| {
            let fields: Vec<&str> = l.split('"').collect();
            (fields.len() >= 4).then(|| (fields[1].to_string(), fields[3].to_string()))
        })
        .collect()
}

#[test]
fn the_package_installs_the_shim_where_the_programs_and_the_profile_expect_it() {
    let assets = deb_assets();
    let dest = |source: &str| {
        assets
            .iter()
            .find(|(s, _)| s == source)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("{source} is not packaged: {assets:?}"))
    };
    assert_eq!(
        format!("/{}", dest("target/release/pola-shim")),
        INSTALLED_SHIM
    );
    for program in ["pola-sh", "pola-run", "pola-open"] {
        assert_eq!(dest(&format!("target/release/{program}")), "usr/bin/");
        assert_eq!(dest(&format!("../man/{program}.1")), "usr/share/man/man1/");
    }
    assert_eq!(
        dest("../packaging/apparmor/pola-shim"),
        "etc/apparmor.d/pola-shim"
    );
    // The profile attaches to exactly that path and allows it user namespaces.
    let profile = read("packaging/apparmor/pola-shim");
    let rules: Vec<&str> = profile
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(
        rules.contains(
            &format!("profile pola-shim {INSTALLED_SHIM} flags=(unconfined) {{").as_str()
        ),
        "{rules:?}"
    );
    assert!(rules.contains(&"userns,"), "{rules:?}");
    assert!(rules.contains(&"abi <abi/4.0>,"), "{rules:?}");
}

#[test]
fn maintainer_scripts_register_the_shell_and_the_profile() {
    let postinst = read("packaging/debian/postinst");
    let postrm = read("packaging/debian/postrm");
    assert!(postinst.contains("add-shell /usr/bin/pola-sh"));
    assert!(postrm.contains("remove-shell /usr/bin/pola-sh"));
    assert!(postinst.contains("PROFILE=/etc/apparmor.d/pola-shim"));
    for script in ["packaging/debian/postinst", "packaging/debian/postrm"] {
        let mode = fs::metadata(repo(script)).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "{script} is not executable");
        let check = std::process::Command::new("sh")
            .arg("-n")
            .arg(repo(script))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}

#[test]
fn pola_open_usage_and_its_manual_page_name_the_same_options() {
    let out = std::process::Command::new(pola_tests::bin_dir().join("pola-open"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let usage = String::from_utf8(out.stdout).unwrap();
    let page = read("man/pola-open.1")
        .replace("\\-", "-")
        .replace("\\fB", " ")
        .replace("\\fI", " ")
        .replace("\\fR", " ");
    let long_options = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .map(str::to_string)
            .collect()
    };
    let options_section = page
        .split(".SH OPTIONS")
        .nth(1)
        .and_then(|s| s.split("\n.SH ").next())
        .unwrap();
    let mut documented = long_options(options_section);
    documented.remove("--help");
    assert_eq!(long_options(&usage), documented, "{usage}");
}

#[test]
fn manual_pages_are_of_this_version() {
    for page in ["man/pola-sh.1", "man/pola-run.1", "man/pola-open.1"] {
        let text = read(page);
        let title = text.lines().find(|l| l.starts_with(".TH ")).unwrap();
        assert!(
            title.contains(&format!("\"pola-sh {}\"", env!("CARGO_PKG_VERSION"))),
            "{page}: {title}"
        );
    }
}
