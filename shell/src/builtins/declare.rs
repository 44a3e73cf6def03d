use crate::exec::{Shell, Status};
use crate::vars::{ArrayKind, Case, Value, Var};

/// `declare [-aAfFgilnrtux] [-p] [name[=value]...]` (and `typeset`) — set variables'
/// attributes and values; in a function, the variables are its locals (unless `-g`).
/// `-p` prints them so that the shell reads them back; `-f`/`-F` show functions.
pub fn declare(sh: &mut Shell, argv: &[String]) -> Status {
    let local = sh.vars.in_function();
    declare_as(sh, argv, local, "declare")
}

/// What the options of `declare`, `local`, `readonly` and `export` ask for.
#[derive(Default)]
pub struct Flags {
    pub set: String,
    pub unset: String,
    pub print: bool,
    pub functions: bool,
    pub function_names: bool,
    pub global: bool,
}

/// Split `argv` (after the name) into options and operands.
pub fn flags(sh: &Shell, name: &str, argv: &[String]) -> Result<(Flags, Vec<String>), Status> {
    let mut f = Flags::default();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "--" {
            i += 1;
            break;
        }
        let (on, letters) = match (a.strip_prefix('-'), a.strip_prefix('+')) {
            (Some(l), _) if !l.is_empty() => (true, l),
            (_, Some(l)) if !l.is_empty() => (false, l),
            _ => break,
        };
        for c in letters.chars() {
            match c {
                'p' => f.print = true,
                'f' => f.functions = true,
                'F' => f.function_names = true,
                'g' => f.global = true,
                'a' | 'A' | 'i' | 'l' | 'n' | 'r' | 't' | 'u' | 'x' => {
                    if on {
                        f.set.push(c)
                    } else {
                        f.unset.push(c)
                    }
                }
                _ => {
                    sh.error(format!("{name}: -{c}: invalid option"));
                    return Err(Ok(2));
                }
            }
        }
        i += 1;
    }
    Ok((f, argv[i..].to_vec()))
}

/// `declare`, and `local` (always local) and `typeset`.
pub fn declare_as(sh: &mut Shell, argv: &[String], local: bool, name: &str) -> Status {
    let (f, operands) = match flags(sh, name, argv) {
        Ok(x) => x,
        Err(s) => return s,
    };
    if f.functions || f.function_names {
        return functions(sh, &operands, f.function_names);
    }
    if operands.is_empty() {
        if f.print || !f.set.is_empty() {
            let text = listing(sh, |v| f.set.chars().all(|c| has(v, c)));
            return Ok(if super::out(&text) { 0 } else { 1 });
        }
        let mut text = String::new();
        for (k, v) in sh.vars.visible() {
            if v.made {
                sh.report_made();
            }
            if let Some(s) = v.scalar() {
                if v.value.as_ref().is_some_and(|v| matches!(v, Value::Str(_))) {
                    text.push_str(&format!("{k}={}\n", crate::vars::quote(s)));
                }
            }
        }
        return Ok(if super::out(&text) { 0 } else { 1 });
    }
    let local = local && !f.global;
    let mut status = 0;
    for op in &operands {
        if f.print {
            match sh.vars.get_ref(op) {
                Some(v) => {
                    if v.made {
                        sh.report_made();
                    }
                    super::out(&declaration(op, v));
                }
                None => {
                    sh.error(format!(
                        "{name}: {}: not found",
                        pola_fileserver::text::shown(op)
                    ));
                    status = 1;
                }
            }
            continue;
        }
        if let Err(e) = declare_one(sh, op, &f, local) {
            sh.error(format!("{name}: {e}"));
            status = 1;
        }
    }
    Ok(status)
}

/// Declare one `name` or `name=value` with the flags' attributes.
pub fn declare_one(sh: &mut Shell, op: &str, f: &Flags, local: bool) -> Result<(), String> {
    let name_part = op.split_once('=').map_or(op, |(n, _)| n);
    let name = name_part.trim_end_matches('+');
    let name = name.split('[').next().unwrap_or(name);
    if !crate::vars::valid_name(name) {
        return Err(format!(
            "`{}': not a valid identifier",
            pola_fileserver::text::shown(op)
        ));
    }
    // Not even an attribute (`declare -n HOME=X`, `export LD_PRELOAD`, `declare -u
    // HOME`), in text made at run time (security review): see `vars::guarded`.
    if sh.vars.marked()
        && (crate::vars::guarded(name) || crate::vars::guarded(&sh.vars.resolve(name)))
    {
        return Err(crate::vars::VarError::Made(sh.vars.resolve(name).into_owned()).to_string());
    }
    // A login variable (a token, a key) goes to `!!` commands only: text a command
    // made does not hand it to every jail (security review).
    if sh.vars.marked()
        && f.set.contains('x')
        && sh.vars.get(name).is_some_and(|v| v.from_env && !v.exported)
    {
        return Err(format!(
            "{}: {}",
            pola_fileserver::text::shown(name),
            crate::parse::MADE_REFUSED
        ));
    }
    if f.set.contains('n') || f.unset.contains('n') {
        // Nor a reference to one, which a plain assignment would then set (review).
        if let Some((_, target)) = op.split_once('=') {
            sh.vars.check_made(target).map_err(|e| e.to_string())?;
        }
        return reference(sh, op, name, f, local);
    }
    if local && sh.vars.get(name).is_some_and(|v| v.readonly) {
        // bash: a read-only variable cannot be shadowed by a local either.
        return Err(format!("{name}: readonly variable"));
    }
    if local {
        if !sh.vars.is_local(name) {
            // A local starts unset, with the attributes asked for.
            let v = sh.vars.make_local(name).map_err(|e| e.to_string())?;
            *v = Var::default();
        }
    } else if sh.vars.get(name).is_none() {
        sh.vars.entry(name);
    }
    let readonly_now = sh.vars.get(name).is_some_and(|v| v.readonly);
    {
        let v = sh.vars.entry(name);
        for c in f.set.chars() {
            match c {
                'a' => {
                    if v.array.is_none() {
                        v.array = Some(ArrayKind::Indexed);
                    }
                    if let Some(Value::Str(s)) = &v.value {
                        v.value = Some(Value::Indexed([(0, s.clone())].into()));
                    }
                }
                'A' => {
                    v.array = Some(ArrayKind::Assoc);
                    if let Some(Value::Str(s)) = &v.value {
                        v.value = Some(Value::Assoc(vec![("0".into(), s.clone())]));
                    }
                }
                'i' => v.integer = true,
                'l' => v.case = Some(Case::Lower),
                'u' => v.case = Some(Case::Upper),
                'x' => v.exported = true,
                _ => {}
            }
        }
        for c in f.unset.chars() {
            match c {
                'i' => v.integer = false,
                'l' | 'u' => v.case = None,
                'x' => v.exported = false,
                'r' if v.readonly => {}
                _ => {}
            }
        }
    }
    if op.contains('=') {
        if readonly_now {
            return Err(format!("{name}: readonly variable"));
        }
        let array = sh.array_args.iter().any(|a| a == op) || f.set.contains(['a', 'A']);
        sh.assign_text(op, array)?;
    } else if let Some(Some(Value::Str(s))) = sh.vars.get(name).map(|v| v.value.clone()) {
        // `declare -u x` on a set variable converts it.
        let v = sh.vars.entry(name);
        if let Some(c) = v.case {
            let conv = match c {
                Case::Lower => s.to_lowercase(),
                Case::Upper => s.to_uppercase(),
            };
            v.value = Some(Value::Str(conv));
        }
    }
    if f.set.contains('r') {
        sh.vars.entry(name).readonly = true;
    }
    Ok(())
}

/// `declare -n ref=NAME` (`local -n`): `ref` stands for the variable NAME from now on
/// (a function's way to take an array or a result variable by name); `declare +n ref`
/// makes it an ordinary variable again, holding the name.
fn reference(sh: &mut Shell, op: &str, name: &str, f: &Flags, local: bool) -> Result<(), String> {
    let target = op.split_once('=').map(|(_, t)| t);
    if let Some(t) = target {
        if f.set.contains('n') && !crate::vars::valid_name(t) {
            return Err(format!(
                "`{}': invalid variable name for name reference",
                pola_fileserver::text::shown(t)
            ));
        }
        if t == name {
            return Err(format!(
                "{name}: nameref variable self references not allowed"
            ));
        }
    }
    let v = if local && !sh.vars.is_local(name) {
        let v = sh.vars.make_local(name).map_err(|e| e.to_string())?;
        *v = Var::default();
        v
    } else {
        sh.vars.entry_ref(name)
    };
    if v.readonly {
        return Err(format!("{name}: readonly variable"));
    }
    v.nameref = f.set.contains('n');
    if let Some(t) = target {
        v.value = Some(Value::Str(t.to_string()));
    }
    if f.set.contains('r') {
        v.readonly = true;
    }
    Ok(())
}

fn has(v: &Var, c: char) -> bool {
    match c {
        'a' => matches!(v.value, Some(Value::Indexed(_))) || v.array == Some(ArrayKind::Indexed),
        'A' => v.is_assoc(),
        'i' => v.integer,
        'r' => v.readonly,
        'x' => v.exported,
        'n' => v.nameref,
        'l' => v.case == Some(Case::Lower),
        'u' => v.case == Some(Case::Upper),
        _ => false,
    }
}

/// The attribute letters of `v`, as `declare -p` shows them.
pub fn attribute_letters(v: &Var) -> String {
    "aAinrtxlu".chars().filter(|c| has(v, *c)).collect()
}

/// `value` in double quotes, as `declare -p` writes it (`$'...'` when it holds control
/// characters).
pub fn double_quoted(value: &str) -> String {
    if value.chars().any(|c| c.is_control()) {
        return super::printf::quote(value);
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `declare -p`'s line for a variable.
pub fn declaration(name: &str, v: &Var) -> String {
    let letters = attribute_letters(v);
    let flags = if letters.is_empty() {
        "--".to_string()
    } else {
        format!("-{letters}")
    };
    match &v.value {
        None => format!("declare {flags} {name}\n"),
        Some(Value::Str(s)) => format!("declare {flags} {name}={}\n", double_quoted(s)),
        Some(Value::Indexed(m)) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("[{k}]={}", double_quoted(v)))
                .collect();
            format!("declare {flags} {name}=({})\n", items.join(" "))
        }
        Some(Value::Assoc(m)) => {
            let items: String = m
                .iter()
                .map(|(k, v)| format!("[{k}]={} ", double_quoted(v)))
                .collect();
            format!("declare {flags} {name}=({items})\n")
        }
    }
}

/// Every variable `keep` selects, as `declare -p` lines (in a command substitution,
/// text a command made if one holds such text: `eval "$(declare -p x)"` keeps the
/// mark).
pub fn listing(sh: &Shell, keep: impl Fn(&Var) -> bool) -> String {
    sh.vars
        .visible()
        .into_iter()
        .filter(|(_, v)| keep(v))
        .inspect(|(_, v)| {
            if v.made {
                sh.report_made();
            }
        })
        .map(|(k, v)| declaration(k, v))
        .collect()
}

/// `declare -f` / `-F`: functions' definitions or names.
fn functions(sh: &mut Shell, names: &[String], only_names: bool) -> Status {
    let mut all: Vec<&String> = if names.is_empty() {
        sh.functions.keys().collect()
    } else {
        names.iter().collect()
    };
    all.sort();
    let mut status = 0;
    let mut text = String::new();
    for n in all {
        match sh.functions.get(n.as_str()) {
            Some(_) if only_names && names.is_empty() => {
                text.push_str(&format!("declare -f {n}\n"))
            }
            Some(_) if only_names => text.push_str(&format!("{n}\n")),
            Some(body) => {
                if sh.made_functions.contains(n.as_str()) {
                    sh.report_made();
                }
                text.push_str(&crate::pretty::function(n, body));
                text.push('\n');
            }
            None => status = 1,
        }
    }
    super::out(&text);
    Ok(status)
}
