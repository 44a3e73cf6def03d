//! Shell variables: strings, indexed arrays and associative arrays, with their
//! attributes (exported, read-only, integer, lower/upper case), and the dynamic scopes
//! that `local` opens for each function call (a function sees its callers' locals, as
//! in bash and dash).
//!
//! What reaches a jailed command is decided elsewhere (`exec`): only exported
//! variables, never the login environment's others.

use std::collections::{BTreeMap, HashMap};

/// A variable's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(String),
    /// `a=(x y)`, `a[5]=z`: elements by index (sparse).
    Indexed(BTreeMap<usize, String>),
    /// `declare -A m`: elements by key, in the order they were first set.
    Assoc(Vec<(String, String)>),
}

impl Value {
    /// The value as a string: an array's element 0 (or key "0").
    pub fn scalar(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Indexed(m) => m.get(&0).map(String::as_str),
            Value::Assoc(m) => m.iter().find(|(k, _)| k == "0").map(|(_, v)| v.as_str()),
        }
    }

    /// Every element, in order (a string is one element).
    pub fn elements(&self) -> Vec<String> {
        match self {
            Value::Str(s) => vec![s.clone()],
            Value::Indexed(m) => m.values().cloned().collect(),
            Value::Assoc(m) => m.iter().map(|(_, v)| v.clone()).collect(),
        }
    }

    /// The indices or keys of the elements, in order.
    pub fn keys(&self) -> Vec<String> {
        match self {
            Value::Str(_) => vec!["0".into()],
            Value::Indexed(m) => m.keys().map(|k| k.to_string()).collect(),
            Value::Assoc(m) => m.iter().map(|(k, _)| k.clone()).collect(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Lower,
    Upper,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Var {
    /// None: declared (`local x`, `export x`, `declare -a a`) but not set.
    pub value: Option<Value>,
    pub exported: bool,
    pub readonly: bool,
    /// `declare -i`: assignments are evaluated as arithmetic.
    pub integer: bool,
    pub case: Option<Case>,
    /// Came from the login environment: passed to `!!` commands, not to jails.
    pub from_env: bool,
    /// Declared as an array with no elements yet (`declare -a`, `declare -A`).
    pub array: Option<ArrayKind>,
    /// `declare -n`, `local -n`: a name reference, whose value is the name of the
    /// variable every use of it stands for (`Vars::resolve`).
    pub nameref: bool,
    /// Its value holds text a command made (`x=$(tool)`, `read`, set by text made at
    /// run time): `eval "$x"` runs as such text (`Shell::words_made`).
    pub made: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrayKind {
    Indexed,
    Assoc,
}

impl Var {
    pub fn string(value: &str) -> Var {
        Var {
            value: Some(Value::Str(value.to_string())),
            ..Var::default()
        }
    }

    /// The value as a string (an array's element 0).
    pub fn scalar(&self) -> Option<&str> {
        self.value.as_ref().and_then(Value::scalar)
    }

    pub fn is_assoc(&self) -> bool {
        matches!(self.value, Some(Value::Assoc(_))) || self.array == Some(ArrayKind::Assoc)
    }

    pub fn is_array(&self) -> bool {
        matches!(self.value, Some(Value::Indexed(_) | Value::Assoc(_))) || self.array.is_some()
    }

    fn convert(&self, s: &str) -> String {
        match self.case {
            Some(Case::Lower) => s.to_lowercase(),
            Some(Case::Upper) => s.to_uppercase(),
            None => s.to_string(),
        }
    }
}

/// Why an assignment was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VarError {
    ReadOnly(String),
    /// A name that changes what later commands run ([`guarded`]), set or unset by
    /// text made at run time ([`Vars::made`]).
    Made(String),
    /// A directory a jail could have written, put on `PATH` by text made at run time.
    PlantedPath(String),
    NotInFunction,
    BadSubscript(String),
}

impl std::fmt::Display for VarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VarError::ReadOnly(n) => {
                write!(f, "{}: readonly variable", pola_fileserver::text::shown(n))
            }
            VarError::Made(n) => write!(
                f,
                "{}: {}",
                pola_fileserver::text::shown(n),
                crate::parse::MADE_VARIABLE
            ),
            VarError::PlantedPath(dir) => write!(
                f,
                "PATH: {}: a jail could have written programs there; {}",
                pola_fileserver::text::shown(dir),
                crate::parse::MADE_REFUSED
            ),
            VarError::NotInFunction => f.write_str("can only be used in a function"),
            VarError::BadSubscript(s) => {
                write!(
                    f,
                    "{}: bad array subscript",
                    pola_fileserver::text::shown(s)
                )
            }
        }
    }
}

/// Every variable of the shell: the global ones and a scope per running function.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    global: HashMap<String, Var>,
    scopes: Vec<HashMap<String, Var>>,
    /// The shell is running text made at run time (`Shell::made_at_run_time`): a
    /// [`guarded`] name is neither set nor unset.
    pub made: bool,
    /// What is set now holds text a command made (a builtin's words did: `export
    /// $(tool)`, `read`): the variable is marked [`Var::made`].
    pub tainting: bool,
}

/// Names that text made at run time may not set or unset: they change what the
/// user's later commands run or read as the user's own — unconfined commands above
/// all (`LD_PRELOAD`, `GIT_SSH_COMMAND`, `PAGER`, `HOME` and the `XDG_` directories
/// their configuration is read from), the shell itself (`HISTFILE`, `ENV`, pola-sh's
/// written record under `XDG_STATE_HOME`, `POLA_` settings). `PATH` is not: a
/// program a jail may have made is refused to `!!` wherever it is found.
pub fn guarded(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "BASH_ENV",
        "BROWSER",
        "EDITOR",
        "ENV",
        "HISTFILE",
        "HOME",
        "LESSCLOSE",
        "LESSOPEN",
        "MANPAGER",
        "NODE_OPTIONS",
        "NODE_PATH",
        "PAGER",
        "PERL5LIB",
        "PERL5OPT",
        "PERLLIB",
        "PROMPT_COMMAND",
        "PYTHONHOME",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "RUBYLIB",
        "RUBYOPT",
        "SHELL",
        "SSH_ASKPASS",
        "SUDO_ASKPASS",
        "VISUAL",
    ];
    const PREFIXES: &[&str] = &["GIT_", "LD_", "POLA_", "XDG_"];
    // Who a commit is by, which runs nothing (a direnv `.envrc`'s kind).
    const IDENTITY: &[&str] = &[
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
    ];
    (NAMES.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p)))
        && !IDENTITY.contains(&name)
}

/// Where a variable lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Global,
    Scope(usize),
}

impl Vars {
    fn place(&self, name: &str) -> Option<Place> {
        for (i, scope) in self.scopes.iter().enumerate().rev() {
            if scope.contains_key(name) {
                return Some(Place::Scope(i));
            }
        }
        self.global.contains_key(name).then_some(Place::Global)
    }

    fn at(&self, p: Place) -> &HashMap<String, Var> {
        match p {
            Place::Global => &self.global,
            Place::Scope(i) => &self.scopes[i],
        }
    }

    fn at_mut(&mut self, p: Place) -> &mut HashMap<String, Var> {
        match p {
            Place::Global => &mut self.global,
            Place::Scope(i) => &mut self.scopes[i],
        }
    }

    /// The variable `name` itself, a name reference not followed.
    pub fn get_ref(&self, name: &str) -> Option<&Var> {
        self.place(name).and_then(|p| self.at(p).get(name))
    }

    /// The variable `name` itself, made (unset, in the global scope) if it does not
    /// exist; a name reference not followed.
    pub fn entry_ref(&mut self, name: &str) -> &mut Var {
        let place = self.place(name).unwrap_or(Place::Global);
        self.at_mut(place).entry(name.to_string()).or_default()
    }

    /// The name the name reference `name` (`declare -n`) stands for, if it is one.
    pub fn reference(&self, name: &str) -> Option<&str> {
        match self.get_ref(name) {
            Some(Var {
                nameref: true,
                value: Some(Value::Str(target)),
                ..
            }) => Some(target),
            _ => None,
        }
    }

    /// The name `name` stands for: itself, or, for a name reference, the variable it
    /// names (followed through references; a cycle stops where it began, as bash's
    /// "circular name reference" does). Every use of a variable asks: no copy is made
    /// of a name that is no reference.
    pub fn resolve<'a>(&self, name: &'a str) -> std::borrow::Cow<'a, str> {
        let mut at = std::borrow::Cow::Borrowed(name);
        for _ in 0..16 {
            match self.reference(&at) {
                Some(target) if valid_name(target) && target != at => {
                    at = std::borrow::Cow::Owned(target.to_string())
                }
                _ => return at,
            }
        }
        std::borrow::Cow::Borrowed(name)
    }

    /// The variable `name` as the running code sees it.
    pub fn get(&self, name: &str) -> Option<&Var> {
        self.get_ref(&self.resolve(name))
    }

    /// The variable, made (unset, in the global scope) if it does not exist.
    pub fn entry(&mut self, name: &str) -> &mut Var {
        let name = self.resolve(name);
        self.entry_ref(&name)
    }

    /// The variable, if it exists, to change its attributes.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Var> {
        let name = self.resolve(name);
        let place = self.place(&name)?;
        self.at_mut(place).get_mut(&*name)
    }

    /// The value as a string (an array's element 0); None when unset.
    pub fn scalar(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Var::scalar)
    }

    /// Set `name` to a string (an array's element 0), where it lives or globally.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), VarError> {
        let name = &self.resolve(name);
        self.check_made(name)?;
        self.check_path(name, value)?;
        let made = self.marked();
        let var = self.entry_ref(name);
        if var.readonly {
            return Err(VarError::ReadOnly(name.to_string()));
        }
        // An array keeps its other elements, and what they hold.
        var.made =
            made || (var.made && matches!(var.value, Some(Value::Indexed(_) | Value::Assoc(_))));
        let value = var.convert(value);
        match &mut var.value {
            Some(Value::Indexed(m)) => {
                m.insert(0, value);
            }
            Some(Value::Assoc(m)) => assoc_set(m, "0", value),
            _ if var.array == Some(ArrayKind::Indexed) => {
                var.value = Some(Value::Indexed(BTreeMap::from([(0, value)])));
            }
            _ if var.array == Some(ArrayKind::Assoc) => {
                var.value = Some(Value::Assoc(vec![("0".into(), value)]));
            }
            v => *v = Some(Value::Str(value)),
        }
        Ok(())
    }

    /// Replace the whole value (`a=(...)`, `m=([k]=v)`).
    pub fn set_value(&mut self, name: &str, value: Value) -> Result<(), VarError> {
        let name = &self.resolve(name);
        self.check_made(name)?;
        if let Value::Str(s) = &value {
            self.check_path(name, s)?;
        }
        let made = self.marked();
        let var = self.entry_ref(name);
        if var.readonly {
            return Err(VarError::ReadOnly(name.to_string()));
        }
        var.made = made;
        let value = match value {
            Value::Str(s) => Value::Str(var.convert(&s)),
            Value::Indexed(m) => {
                Value::Indexed(m.into_iter().map(|(k, v)| (k, var.convert(&v))).collect())
            }
            Value::Assoc(m) => {
                Value::Assoc(m.into_iter().map(|(k, v)| (k, var.convert(&v))).collect())
            }
        };
        var.value = Some(value);
        Ok(())
    }

    /// Set one element: an index of an indexed array, or a key of an associative one.
    pub fn set_element(&mut self, name: &str, key: Key, value: &str) -> Result<(), VarError> {
        let name = &self.resolve(name);
        self.check_made(name)?;
        let made = self.marked();
        let var = self.entry_ref(name);
        if var.readonly {
            return Err(VarError::ReadOnly(name.to_string()));
        }
        var.made |= made;
        let value = var.convert(value);
        match (&mut var.value, key) {
            (Some(Value::Assoc(m)), Key::Name(k)) => assoc_set(m, &k, value),
            (Some(Value::Indexed(m)), Key::Index(i)) => {
                m.insert(i, value);
            }
            (v @ None, Key::Name(k)) => *v = Some(Value::Assoc(vec![(k, value)])),
            (v, Key::Index(i)) => {
                let mut m = match v.take() {
                    Some(Value::Str(s)) => BTreeMap::from([(0, s)]),
                    _ => BTreeMap::new(),
                };
                m.insert(i, value);
                *v = Some(Value::Indexed(m));
            }
            (v, Key::Name(k)) => {
                let mut m = match v.take() {
                    Some(Value::Str(s)) => vec![("0".to_string(), s)],
                    _ => Vec::new(),
                };
                assoc_set(&mut m, &k, value);
                *v = Some(Value::Assoc(m));
            }
        }
        Ok(())
    }

    /// Remove a variable (in the scope that declared it: a local unset in its own
    /// function stays local and unset, as in bash).
    pub fn unset(&mut self, name: &str) -> Result<(), VarError> {
        let name = &self.resolve(name);
        self.unset_ref(name)
    }

    /// Remove the variable `name` itself, a name reference not followed (`unset -n`).
    pub fn unset_ref(&mut self, name: &str) -> Result<(), VarError> {
        self.check_made(name)?;
        let Some(place) = self.place(name) else {
            return Ok(());
        };
        if self.at(place)[name].readonly {
            return Err(VarError::ReadOnly(name.to_string()));
        }
        match place {
            Place::Scope(i) if i + 1 == self.scopes.len() => {
                let v = self.scopes[i].get_mut(name).expect("found above");
                v.value = None;
                v.array = None;
                v.nameref = false;
            }
            p => {
                self.at_mut(p).remove(name);
            }
        }
        Ok(())
    }

    /// In text made at run time, `PATH` gains no directory a jail could have written
    /// (`PATH=./bin:$PATH`, then the user's `!!git` starts the `ssh` a jail left
    /// there: security review). What it had stays.
    fn check_path(&self, name: &str, value: &str) -> Result<(), VarError> {
        if !self.marked() || name != "PATH" {
            return Ok(());
        }
        let old = self.scalar("PATH").unwrap_or_default();
        let had: Vec<&str> = old.split(':').collect();
        for dir in value.split(':').filter(|d| !had.contains(d)) {
            if dir.is_empty()
                || pola_fileserver::planted::jail_could_write_dir(&crate::escapes::to_path(dir))
            {
                return Err(VarError::PlantedPath(dir.to_string()));
            }
        }
        Ok(())
    }

    /// What is set now holds text a command made: set by text made at run time, or
    /// with words that hold such text ([`Vars::made`], [`Vars::tainting`]).
    pub fn marked(&self) -> bool {
        self.made || self.tainting
    }

    /// In text made at run time, or by a builtin whose words hold such text (`export
    /// $(tool)`, `read -r "$name"`: a jail would choose the name), a [`guarded`] name
    /// is refused.
    pub fn check_made(&self, name: &str) -> Result<(), VarError> {
        match self.marked() && guarded(name) {
            true => Err(VarError::Made(name.to_string())),
            false => Ok(()),
        }
    }

    /// Remove one element of an array.
    pub fn unset_element(&mut self, name: &str, key: Key) -> Result<(), VarError> {
        self.check_made(&self.resolve(name))?;
        let Some(var) = self.get_mut(name) else {
            return Ok(());
        };
        if var.readonly {
            return Err(VarError::ReadOnly(name.to_string()));
        }
        match (&mut var.value, key) {
            (Some(Value::Indexed(m)), Key::Index(i)) => {
                m.remove(&i);
            }
            (Some(Value::Assoc(m)), Key::Name(k)) => m.retain(|(n, _)| *n != k),
            (v @ Some(Value::Str(_)), Key::Index(0)) => *v = None,
            _ => {}
        }
        Ok(())
    }

    /// Open a function's scope.
    pub fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    pub fn in_function(&self) -> bool {
        !self.scopes.is_empty()
    }

    /// `local name`: a variable of the running function (inheriting nothing, unset).
    pub fn make_local(&mut self, name: &str) -> Result<&mut Var, VarError> {
        let Some(scope) = self.scopes.last_mut() else {
            return Err(VarError::NotInFunction);
        };
        Ok(scope.entry(name.to_string()).or_default())
    }

    /// Whether `name` is a local of the running function.
    pub fn is_local(&self, name: &str) -> bool {
        self.scopes.last().is_some_and(|s| s.contains_key(name))
    }

    /// Every visible variable, by name.
    pub fn visible(&self) -> BTreeMap<&str, &Var> {
        let mut out: BTreeMap<&str, &Var> = BTreeMap::new();
        for (k, v) in &self.global {
            out.insert(k, v);
        }
        for scope in &self.scopes {
            for (k, v) in scope {
                out.insert(k, v);
            }
        }
        out
    }

    /// A global variable, made as given if missing (startup).
    pub fn insert_global(&mut self, name: &str, var: Var) {
        self.global.insert(name.to_string(), var);
    }
}

fn assoc_set(m: &mut Vec<(String, String)>, key: &str, value: String) {
    match m.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = value,
        None => m.push((key.to_string(), value)),
    }
}

/// An element's place: an index of an indexed array, a key of an associative one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Index(usize),
    Name(String),
}

/// Whether `name` can be a variable's name.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `value` quoted so that the shell reads it back as exactly that string, as
/// `set`, `export -p` and `declare -p` print it (single quotes, `'\''` for a quote).
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locals_shadow_and_unset_as_in_bash() {
        let mut v = Vars::default();
        v.set("x", "g").unwrap();
        v.push_scope();
        v.make_local("x").unwrap();
        assert_eq!(v.scalar("x"), None);
        v.set("x", "l").unwrap();
        assert_eq!(v.scalar("x"), Some("l"));
        // Unset in its own function: still local, unset.
        v.unset("x").unwrap();
        assert_eq!(v.scalar("x"), None);
        v.set("x", "again").unwrap();
        v.pop_scope();
        assert_eq!(v.scalar("x"), Some("g"));
        // Unset from a called function removes the caller's local.
        v.push_scope();
        v.make_local("x").unwrap();
        v.set("x", "l").unwrap();
        v.push_scope();
        v.unset("x").unwrap();
        assert_eq!(v.scalar("x"), Some("g"));
    }

    #[test]
    fn text_made_at_run_time_leaves_guarded_names_alone() {
        let mut v = Vars::default();
        v.set("HOME", "/home/u").unwrap();
        v.set("n", "LD_PRELOAD").unwrap();
        v.entry_ref("n").nameref = true;
        v.made = true;
        let refused = |r: Result<(), VarError>, name: &str| {
            assert_eq!(r, Err(VarError::Made(name.into())));
        };
        refused(v.set("HOME", "/tmp"), "HOME");
        refused(v.unset("HOME"), "HOME");
        refused(
            v.set_value("GIT_SSH_COMMAND", Value::Str("x".into())),
            "GIT_SSH_COMMAND",
        );
        refused(
            v.set_element("XDG_STATE_HOME", Key::Index(0), "/x"),
            "XDG_STATE_HOME",
        );
        // Through a name reference too.
        refused(v.set("n", "/x.so"), "LD_PRELOAD");
        assert_eq!(v.scalar("HOME"), Some("/home/u"));
        assert_eq!(v.scalar("LD_PRELOAD"), None);
        // Others, PATH among them, are set.
        v.set("PATH", "/opt/tool/bin:/usr/bin").unwrap();
        v.set("LS_COLORS", "di=01;34").unwrap();
        v.made = false;
        v.set("HOME", "/tmp").unwrap();
        assert_eq!(v.scalar("HOME"), Some("/tmp"));
    }

    #[test]
    fn arrays_and_attributes() {
        let mut v = Vars::default();
        v.set_element("a", Key::Index(3), "d").unwrap();
        v.set("a", "zero").unwrap();
        assert_eq!(
            v.get("a").unwrap().value.as_ref().unwrap().elements(),
            ["zero", "d"]
        );
        v.entry("u").case = Some(Case::Upper);
        v.set("u", "abc").unwrap();
        assert_eq!(v.scalar("u"), Some("ABC"));
        v.entry("r").readonly = true;
        assert_eq!(v.set("r", "1"), Err(VarError::ReadOnly("r".into())));
        assert!(v.unset("r").is_err());
        assert_eq!(v.make_local("l").err(), Some(VarError::NotInFunction));
    }
}
