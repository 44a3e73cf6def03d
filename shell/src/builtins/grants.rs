use pola_fileserver::namespace::{Entry, Origin};
use pola_fileserver::text::shown;

use crate::exec::Shell;
use crate::grants::{self, Item};

/// `grants [-a] command [arg]...` — the namespace a command line would get: the
/// program, its profile and network, and what the command line grants (with where
/// each grant came from); `-a` adds the whole tree with the default environment.
/// Run by the executor, which keeps the grant markers (`=>`, `+`) of the line.
pub fn grants(sh: &mut Shell, items: &[Item]) -> i32 {
    if let [Item::Word(fields)] = items {
        if fields.len() == 1 && fields[0].text == "--help" {
            return i32::from(!super::out(super::help::GRANTS));
        }
    }
    let (all, items) = match items.first() {
        Some(Item::Word(fields)) if fields.first().is_some_and(|f| f.text == "-a") => {
            let mut rest = items.to_vec();
            if let Item::Word(f) = &mut rest[0] {
                f.remove(0);
            }
            (true, rest)
        }
        _ => (false, items.to_vec()),
    };
    let has_command = items
        .iter()
        .any(|i| matches!(i, Item::Word(f) if !f.is_empty()));
    if !has_command {
        sh.error("grants: usage: grants [-a] COMMAND [ARG]... (grants --help: the rules)");
        return 2;
    }
    // A builtin or a function runs in the shell itself: no jail, and no grant taken
    // (`grants mktemp` described the jailed /usr/bin/mktemp; trials 12, 13).
    let first = items.iter().find_map(|i| match i {
        Item::Word(f) => f.first().map(|f| f.text.clone()),
        _ => None,
    });
    if let Some(name) = first {
        let what = if sh.functions.contains_key(&name) {
            Some("a function: its body runs in the shell, each command in it in a jail of its own with the grants of its own line; it takes no grant itself")
        } else if super::exists(&name) && !["command", "exec"].contains(&name.as_str()) {
            Some("a builtin: it runs in the shell itself, with the shell's authority and no jail, and takes no grant")
        } else {
            None
        };
        if let Some(what) = what {
            let line = format!("{}: {what}\n", shown(&name));
            return i32::from(!super::out(&line));
        }
    }
    let collected = match grants::collect(&items, &sh.cwd(), &crate::scratch::is_scratch) {
        Ok(c) => c,
        Err(e) => {
            sh.error(format!("grants: {e}"));
            return 2;
        }
    };
    let mut cmd = sh.jail_command(collected.argv, collected.grants, collected.net, &[]);
    cmd.limits = collected.limits;
    cmd.processes = collected.processes;
    let environment = match &sh.environment {
        Ok(environment) => environment,
        Err(e) => {
            sh.error(format!("grants: {e}"));
            return 125;
        }
    };
    let prepared = match crate::jail::namespace(&cmd, &sh.identity, environment) {
        Ok(p) => p,
        Err(e) => {
            sh.error(format!("grants: {e}"));
            return e.status();
        }
    };
    let mut text = String::new();
    let profile = crate::jail::profiles_shown(&prepared);
    text.push_str(&format!(
        "program: {}\nprofile: {profile}\nnetwork: {}\n",
        shown(&prepared.exe),
        prepared.net
    ));
    let mut own = Vec::new();
    let mut default = 0;
    for (path, entry) in prepared.ns.walk() {
        match entry {
            Entry::Grant(g) if g.origin != Origin::Default => {
                let mut line = format!("{} ({})", g.rights.label(), g.origin.label());
                if g.host != path {
                    line.push_str(&format!(" <- {}", shown(&g.host)));
                }
                own.push((path.clone(), line));
            }
            Entry::Dir => {}
            _ => default += 1,
        }
    }
    for c in prepared.ns.covered() {
        let line = format!(
            "{} ({}), {}",
            c.grant.rights.label(),
            c.grant.origin.label(),
            c.held_by()
        );
        // Once each: the network's certificates, asked for twice, were listed twice
        // (new-user trial).
        if !own.iter().any(|(p, l)| *p == c.path && *l == line) {
            own.push((c.path.clone(), line));
        }
    }
    for e in &prepared.refused {
        text.push_str(&format!("not granted: {e}\n"));
    }
    text.push_str("grants:\n");
    if own.is_empty() {
        text.push_str("  (none)\n");
    }
    for (path, line) in own {
        let label = format!("  {}", shown(&path));
        text.push_str(&format!("{label:<40} {line}\n"));
    }
    if all {
        text.push_str("the whole namespace, with the default environment:\n");
        text.push_str(&prepared.ns.to_string());
    } else {
        text.push_str(&format!(
            "and the default environment ({default} entries: grants -a shows them)\n"
        ));
    }
    text.push_str(&pola_fileserver::limits::describe(&prepared.limits));
    if super::out(&text) {
        0
    } else {
        1
    }
}
