//! Assignments: `x=v`, `x+=v`, `a[i]=v`, `a=(x y [5]=z)`, `a+=(...)`, for the shell's
//! variables — and their text for the declaration builtins (`local a=(1 2)`), which
//! read it back with the same rules.

use std::collections::BTreeMap;

use crate::ast::{AssignValue, Assignment, Word};
use crate::exec::Shell;
use crate::expand;
use crate::vars::{Key, Value};

impl Shell {
    /// Perform an assignment in the scope the variable lives in (or globally). The
    /// variable is marked as holding text a command made if its value used such text
    /// (`x=$(tool)`, `y=$x`: `Shell::made_seen`).
    pub fn perform_assignment(&mut self, a: &Assignment) -> Result<(), String> {
        let seen = self.made_seen.replace(false);
        let marked = self.vars.tainting;
        // `x+=more` keeps what `x` held.
        let held = a.append && self.vars.get(&a.name).is_some_and(|v| v.made);
        let r = self.setting_marked(false, |sh| sh.assign_expanded(a));
        // A declaration builtin's words held such text (`export x="$(tool)"`): its
        // assignments' text comes expanded already.
        if self.made_seen.get() || marked || held {
            if let Some(v) = self.vars.get_mut(&a.name) {
                v.made = true;
            }
        }
        self.made_seen.set(seen);
        r
    }

    fn assign_expanded(&mut self, a: &Assignment) -> Result<(), String> {
        let name = a.name.as_str();
        match (&a.value, &a.index) {
            (AssignValue::Scalar(w), None) => {
                let value = expand::string(self, w)?;
                if a.append {
                    let integer = self.vars.get(name).is_some_and(|v| v.integer);
                    let value = if integer {
                        self.integer_value(name, &value, true)?
                    } else {
                        format!("{}{value}", self.get(name).unwrap_or(""))
                    };
                    self.vars.set(name, &value).map_err(|e| e.to_string())?;
                    return Ok(());
                }
                self.assign(name, &value)
            }
            (AssignValue::Scalar(w), Some(index)) => {
                let key = expand::string(self, index)?;
                let value = expand::string(self, w)?;
                let key = self.element_key(name, &key)?;
                let value = if a.append {
                    let old = match &key {
                        Key::Index(i) => match self.vars.get(name).and_then(|v| v.value.as_ref()) {
                            Some(Value::Indexed(m)) => m.get(i).cloned(),
                            Some(Value::Str(s)) if *i == 0 => Some(s.clone()),
                            _ => None,
                        },
                        Key::Name(k) => match self.vars.get(name).and_then(|v| v.value.as_ref()) {
                            Some(Value::Assoc(m)) => {
                                m.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
                            }
                            _ => None,
                        },
                    };
                    format!("{}{value}", old.unwrap_or_default())
                } else {
                    self.integer_value(name, &value, false)?
                };
                self.vars
                    .set_element(name, key, &value)
                    .map_err(|e| e.to_string())
            }
            (AssignValue::Array(elements), _) => {
                let assoc = self.vars.get(name).is_some_and(|v| v.is_assoc());
                let value = if assoc {
                    let mut m: Vec<(String, String)> = match (a.append, self.vars.get(name)) {
                        (true, Some(v)) => match &v.value {
                            Some(Value::Assoc(m)) => m.clone(),
                            _ => Vec::new(),
                        },
                        _ => Vec::new(),
                    };
                    let mut loose: Vec<String> = Vec::new();
                    for (index, w) in elements {
                        match index {
                            Some(k) => {
                                let k = expand::string(self, k)?;
                                let v = expand::string(self, w)?;
                                set_key(&mut m, k, v);
                            }
                            None => {
                                loose.extend(
                                    expand::fields(self, std::slice::from_ref(w))?
                                        .into_iter()
                                        .map(|f| f.text),
                                );
                            }
                        }
                    }
                    // `m=(k1 v1 k2 v2)`: keys and values in turn.
                    let mut pairs = loose.into_iter();
                    while let Some(k) = pairs.next() {
                        set_key(&mut m, k, pairs.next().unwrap_or_default());
                    }
                    Value::Assoc(m)
                } else {
                    let mut m: BTreeMap<usize, String> = match (a.append, self.vars.get(name)) {
                        (true, Some(v)) => match &v.value {
                            Some(Value::Indexed(m)) => m.clone(),
                            Some(Value::Str(s)) => BTreeMap::from([(0, s.clone())]),
                            _ => BTreeMap::new(),
                        },
                        _ => BTreeMap::new(),
                    };
                    let mut next = m.keys().next_back().map_or(0, |k| k + 1);
                    for (index, w) in elements {
                        match index {
                            Some(k) => {
                                let k = expand::string(self, k)?;
                                let i = match self.element_key_in(&m, &k)? {
                                    Key::Index(i) => i,
                                    Key::Name(_) => 0,
                                };
                                let v = expand::string(self, w)?;
                                m.insert(i, v);
                                next = i + 1;
                            }
                            None => {
                                for f in expand::fields(self, std::slice::from_ref(w))? {
                                    m.insert(next, f.text);
                                    next += 1;
                                }
                            }
                        }
                    }
                    Value::Indexed(m)
                };
                self.vars.set_value(name, value).map_err(|e| e.to_string())
            }
        }
    }

    /// The subscript `key` (expanded) of `name` as an element's place: an associative
    /// array's key, or an index evaluated as arithmetic (negative: from the end).
    pub fn element_key(&mut self, name: &str, key: &str) -> Result<Key, String> {
        let value = self.vars.get(name).and_then(|v| v.value.clone());
        let assoc = self.vars.get(name).is_some_and(|v| v.is_assoc());
        if assoc {
            return Ok(Key::Name(key.to_string()));
        }
        let m = match value {
            Some(Value::Indexed(m)) => m,
            Some(Value::Str(_)) => BTreeMap::from([(0, String::new())]),
            _ => BTreeMap::new(),
        };
        self.element_key_in(&m, key)
    }

    fn element_key_in(&mut self, m: &BTreeMap<usize, String>, key: &str) -> Result<Key, String> {
        let n = expand::evaluate(self, key)?;
        let max = m.keys().next_back().copied();
        match crate::expand::resolve_index(max, &n.to_string()) {
            Some(i) => Ok(Key::Index(i)),
            None => Err(format!(
                "{}: bad array subscript",
                pola_fileserver::text::shown(key)
            )),
        }
    }

    /// The text of an assignment given to a declaration builtin (`local a=(1 2)`,
    /// `export x=~/bin`): expanded, and quoted where the builtin reads it again.
    pub fn assignment_text(&mut self, a: &Assignment) -> Result<String, String> {
        let mut out = a.name.clone();
        if let Some(i) = &a.index {
            out.push('[');
            out.push_str(&expand::string(self, i)?);
            out.push(']');
        }
        out.push_str(if a.append { "+=" } else { "=" });
        match &a.value {
            AssignValue::Scalar(w) => out.push_str(&expand::string(self, w)?),
            AssignValue::Array(elements) => {
                out.push('(');
                let mut first = true;
                let mut push = |out: &mut String, text: &str| {
                    if !first {
                        out.push(' ');
                    }
                    first = false;
                    out.push_str(text);
                };
                for (index, w) in elements {
                    match index {
                        Some(k) => {
                            let k = expand::string(self, k)?;
                            let v = expand::string(self, w)?;
                            push(
                                &mut out,
                                &format!("[{}]={}", quote_key(&k), crate::vars::quote(&v)),
                            );
                        }
                        None => {
                            for f in expand::fields(self, std::slice::from_ref(w))? {
                                push(&mut out, &crate::vars::quote(&f.text));
                            }
                        }
                    }
                }
                out.push(')');
            }
        }
        Ok(out)
    }

    /// `name=value` as a declaration builtin got it (`declare x=1`, `local a=(1 2)`):
    /// performed with the assignment rules. The value is already expanded; an
    /// array's text (`(x y)`, from `a=(x y)` or with `declare -a`) is read again as
    /// elements.
    pub fn assign_text(&mut self, text: &str, array: bool) -> Result<(), String> {
        let (name, rest) = text.split_once('=').unwrap_or((text, ""));
        let (name, append) = match name.strip_suffix('+') {
            Some(n) => (n, true),
            None => (name, false),
        };
        if array && rest.starts_with('(') && rest.ends_with(')') && crate::vars::valid_name(name) {
            // The value was expanded already (a jail's output, maybe): read as text
            // made at run time, without `!!` (review).
            let options = crate::parse::Options {
                made_at_run_time: true,
                ..Default::default()
            };
            let parsed = crate::parse::parse_with(&format!("{name}={rest}\n"), &options)
                .ok()
                .and_then(|list| {
                    let item = list.0.into_iter().next()?;
                    match item.and_or.first.commands.into_iter().next()? {
                        crate::ast::Command::Simple(mut s) if s.args.is_empty() => {
                            s.assignments.pop()
                        }
                        _ => None,
                    }
                });
            if let Some(mut a) = parsed {
                a.append = append;
                // Its `$(...)` runs as such text too (security review: a nested
                // `eval "!!…"` there was the script's own).
                let depth = self.made_at_run_time.max(1);
                return self.at_made_depth(depth, |sh| sh.perform_assignment(&a));
            }
        }
        let literal = |w: &str| Word(vec![crate::ast::Part::Single(w.to_string())]);
        let (name, index) = match name.find('[') {
            Some(k) if name.ends_with(']') => {
                (&name[..k], Some(literal(&name[k + 1..name.len() - 1])))
            }
            _ => (name, None),
        };
        self.perform_assignment(&Assignment {
            name: name.to_string(),
            index,
            append,
            value: AssignValue::Scalar(literal(rest)),
        })
    }
}

fn set_key(m: &mut Vec<(String, String)>, k: String, v: String) {
    match m.iter_mut().find(|(n, _)| *n == k) {
        Some((_, old)) => *old = v,
        None => m.push((k, v)),
    }
}

/// A key inside `[...]` of an array's text: quoted unless plain.
fn quote_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        crate::vars::quote(k)
    }
}
