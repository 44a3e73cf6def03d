//! Parameter expansion: `$x`, `${x...}` with every operator, positional and special
//! parameters, arrays (`${a[i]}`, `"${a[@]}"`), indirection (`${!x}`) and names
//! (`${!prefix*}`).

use super::{ifs_joiner, pattern_text, pieces, text, Host, Piece, Quoting};
use crate::ast::{Param, ParamName, ParamOp, ReplaceMode, Subscript, Word};
use crate::pattern;
use crate::vars::Value;

/// What a parameter stands for before its operator is applied.
#[derive(Clone, Debug)]
enum Val {
    /// One value (None: unset).
    One(Option<String>),
    /// Several: `$@`, `$*`, `${a[@]}`, `${a[*]}` (`star`: joined when quoted), with
    /// the indices of the elements (for `${a[@]:offset}`).
    Many {
        items: Vec<String>,
        indices: Vec<usize>,
        star: bool,
        /// The positional parameters: `${@:0}` is `$0`.
        positional: bool,
    },
}

fn display(name: &ParamName) -> String {
    match name {
        ParamName::Var(v) => v.clone(),
        ParamName::Positional(n) => n.to_string(),
        ParamName::Special(c) => c.to_string(),
    }
}

/// One element of a value by its subscript (an index, negative from the end, or a
/// key).
pub fn element(value: Option<&Value>, key: &str) -> Option<String> {
    match value? {
        Value::Assoc(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
        Value::Indexed(m) => {
            let i = resolve_index(m.keys().next_back().copied(), key)?;
            m.get(&i).cloned()
        }
        Value::Str(s) => (resolve_index(Some(0), key)? == 0).then(|| s.clone()),
    }
}

/// An index as written (`-1`: the last) to a position, given the highest index.
pub fn resolve_index(max: Option<usize>, key: &str) -> Option<usize> {
    let n: i64 = key.trim().parse().ok()?;
    if n >= 0 {
        return Some(n as usize);
    }
    let len = max.map_or(0, |m| m as i64 + 1);
    let i = len + n;
    (i >= 0).then_some(i as usize)
}

/// The subscript `[expr]` of `name` as a key: an associative array's key as written
/// (expanded), an indexed array's index evaluated as arithmetic.
fn subscript_key(host: &mut dyn Host, name: &str, w: &Word) -> Result<String, String> {
    if matches!(host.value(name), Some(Value::Assoc(_))) {
        return super::string(host, w);
    }
    Ok(super::arithmetic(host, w)?.to_string())
}

/// What `name` (with its subscript) stands for.
fn resolve(
    host: &mut dyn Host,
    name: &ParamName,
    index: &Option<Subscript>,
) -> Result<Val, String> {
    match name {
        ParamName::Var(v) => match index {
            None => Ok(Val::One(host.var(v))),
            Some(Subscript::At | Subscript::Star) => {
                let star = matches!(index, Some(Subscript::Star));
                let (items, indices) = match host.value(v) {
                    None => (Vec::new(), Vec::new()),
                    Some(Value::Str(s)) => (vec![s], vec![0]),
                    Some(Value::Indexed(m)) => {
                        (m.values().cloned().collect(), m.keys().copied().collect())
                    }
                    Some(Value::Assoc(m)) => {
                        let n = m.len();
                        (m.into_iter().map(|(_, v)| v).collect(), (0..n).collect())
                    }
                };
                Ok(Val::Many {
                    items,
                    indices,
                    star,
                    positional: false,
                })
            }
            Some(Subscript::Expr(w)) => {
                let key = subscript_key(host, v, w)?;
                Ok(Val::One(element(host.value(v).as_ref(), &key)))
            }
        },
        ParamName::Positional(0) => Ok(Val::One(Some(host.special('0')))),
        ParamName::Positional(n) => Ok(Val::One(host.positional().get(n - 1).cloned())),
        ParamName::Special(c @ ('@' | '*')) => {
            let items = host.positional();
            let indices = (1..=items.len()).collect();
            Ok(Val::Many {
                items,
                indices,
                star: *c == '*',
                positional: true,
            })
        }
        ParamName::Special('#') => Ok(Val::One(Some(host.positional().len().to_string()))),
        ParamName::Special(c) => {
            let v = host.special(*c);
            Ok(Val::One(if *c == '!' && v.is_empty() {
                None
            } else {
                Some(v)
            }))
        }
    }
}

/// `${!x}`: the parameter whose name is x's value (`a[1]`, `a[@]`, `1`, `@` too).
fn indirect(host: &mut dyn Host, p: &Param) -> Result<(ParamName, Option<Subscript>), String> {
    let target = match resolve(host, &p.name, &p.index)? {
        Val::One(Some(t)) => t,
        Val::One(None) if host.nounset() => return Err(unset_error(p)),
        Val::One(None) => return Ok((ParamName::Var(String::new()), None)),
        Val::Many { items, .. } => items.join(" "),
    };
    let bad = || {
        format!(
            "{}: invalid indirect expansion",
            pola_fileserver::text::shown(&target)
        )
    };
    let (base, sub) = match target.find('[') {
        Some(k) if target.ends_with(']') => (&target[..k], Some(&target[k + 1..target.len() - 1])),
        _ => (target.as_str(), None),
    };
    let name = if crate::vars::valid_name(base) {
        ParamName::Var(base.to_string())
    } else if !base.is_empty() && base.chars().all(|c| c.is_ascii_digit()) {
        ParamName::Positional(base.parse().map_err(|_| bad())?)
    } else if base.len() == 1 && "@*#?-$!".contains(base) {
        ParamName::Special(base.chars().next().unwrap_or('@'))
    } else {
        return Err(bad());
    };
    let index = match sub {
        None => None,
        Some("@") => Some(Subscript::At),
        Some("*") => Some(Subscript::Star),
        Some(s) => Some(Subscript::Expr(Word(vec![crate::ast::Part::Literal(
            s.to_string(),
        )]))),
    };
    Ok((name, index))
}

fn unset_error(p: &Param) -> String {
    format!("{}{}: unbound variable", super::UNSET, display(&p.name))
}

/// Expand `p` into `out`.
pub(super) fn expand(
    host: &mut dyn Host,
    p: &Param,
    in_double: bool,
    out: &mut Vec<Piece>,
) -> Result<(), String> {
    let before = out.len();
    expand_op(host, p, in_double, out)?;
    // Quoted, an expansion to nothing is still an (empty) field — except `"$@"`-likes.
    let many = matches!(p.name, ParamName::Special('@'))
        || matches!(p.index, Some(Subscript::At))
        || matches!(p.op, ParamOp::Names(true) | ParamOp::Keys);
    if in_double && out.len() == before && !many {
        out.push(text("", true, false));
    }
    Ok(())
}

fn expand_op(
    host: &mut dyn Host,
    p: &Param,
    in_double: bool,
    out: &mut Vec<Piece>,
) -> Result<(), String> {
    let q = if in_double {
        Quoting::Double
    } else {
        Quoting::BraceWord
    };
    match &p.op {
        ParamOp::Names(at) => {
            let ParamName::Var(prefix) = &p.name else {
                return Ok(());
            };
            let mut names: Vec<String> = host
                .names()
                .into_iter()
                .filter(|n| n.starts_with(prefix.as_str()))
                .collect();
            names.sort();
            return emit_many(host, names, !*at, in_double, out);
        }
        ParamOp::Keys => {
            let ParamName::Var(v) = &p.name else {
                return Ok(());
            };
            let keys = host.value(v).map(|v| v.keys()).unwrap_or_default();
            let star = matches!(p.index, Some(Subscript::Star));
            return emit_many(host, keys, star, in_double, out);
        }
        _ => {}
    }
    // `${!ref}` of a name reference is the name it stands for (bash).
    let reference = match (&p.name, &p.index) {
        (ParamName::Var(n), None) if p.indirect => host.reference(n),
        _ => None,
    };
    let (name, index) = if p.indirect && reference.is_none() {
        indirect(host, p)?
    } else {
        (p.name.clone(), p.index.clone())
    };
    if p.indirect && matches!(&name, ParamName::Var(n) if n.is_empty()) {
        return Ok(());
    }
    let val = match reference {
        Some(target) => Val::One(Some(target)),
        None => resolve(host, &name, &index)?,
    };
    let is_unset = match &val {
        Val::One(v) => v.is_none(),
        Val::Many { items, .. } => items.is_empty(),
    };
    let is_null = |colon: bool| match &val {
        Val::One(v) => v.is_none() || (colon && v.as_deref() == Some("")),
        Val::Many { items, .. } => {
            items.is_empty() || (colon && items.iter().all(|s| s.is_empty()) && items.len() <= 1)
        }
    };
    let checks_unset = !matches!(
        p.op,
        ParamOp::Default(..) | ParamOp::Assign(..) | ParamOp::Error(..) | ParamOp::Alternative(..)
    );
    let special = matches!(name, ParamName::Special(_)) || matches!(val, Val::Many { .. });
    if checks_unset && is_unset && host.nounset() && !special {
        return Err(unset_error(&Param {
            name: name.clone(),
            ..p.clone()
        }));
    }
    match &p.op {
        ParamOp::Plain => emit(host, val, in_double, out),
        ParamOp::Length => {
            let n = match val {
                Val::One(v) => v.unwrap_or_default().chars().count(),
                Val::Many { items, .. } => items.len(),
            };
            out.push(text(n.to_string(), in_double, !in_double));
            Ok(())
        }
        ParamOp::Default(colon, w) => {
            if is_null(*colon) {
                out.extend(pieces(host, &w.0, q)?);
                Ok(())
            } else {
                emit(host, val, in_double, out)
            }
        }
        ParamOp::Assign(colon, w) => {
            if !is_null(*colon) {
                return emit(host, val, in_double, out);
            }
            let new = super::string(host, w)?;
            match (&name, &index) {
                (ParamName::Var(n), None) => host.set_var(n, &new)?,
                (ParamName::Var(n), Some(Subscript::Expr(iw))) => {
                    let key = subscript_key(host, n, iw)?;
                    host.set_element(n, &key, &new)?
                }
                _ => return Err(format!("${}: cannot assign in this way", display(&name))),
            }
            out.push(text(new, in_double, !in_double));
            Ok(())
        }
        ParamOp::Error(colon, w) => {
            if is_null(*colon) {
                let message = super::string(host, w)?;
                let message = if message.is_empty() {
                    if *colon {
                        "parameter null or not set".to_string()
                    } else {
                        "parameter not set".to_string()
                    }
                } else {
                    message
                };
                return Err(format!("{}{}: {message}", super::UNSET, display(&name)));
            }
            emit(host, val, in_double, out)
        }
        ParamOp::Alternative(colon, w) => {
            if !is_null(*colon) {
                out.extend(pieces(host, &w.0, q)?);
            }
            Ok(())
        }
        ParamOp::TrimSuffix(longest, w) | ParamOp::TrimPrefix(longest, w) => {
            let pat = super::pattern(host, w)?;
            let suffix = matches!(p.op, ParamOp::TrimSuffix(..));
            let extglob = host.extglob();
            let f = |v: &str| trim(v, &pat, suffix, *longest, extglob);
            let val = map(val, f);
            emit(host, val, in_double, out)
        }
        ParamOp::Replace(mode, pat, with) => {
            let pieces_pat = pieces(host, &pat.0, Quoting::Unquoted)?;
            let pat = pattern_text(&pieces_pat);
            // bash's patsub_replacement: an unquoted `&` is the matched text.
            let with: Vec<(String, bool)> = pieces(host, &with.0, Quoting::Unquoted)?
                .into_iter()
                .map(|p| match p {
                    Piece::Text { text, quoted, .. } => (text, quoted || in_double),
                    Piece::Break => (" ".into(), true),
                })
                .collect();
            let amp = host.patsub_replacement();
            let extglob = host.extglob();
            let val = map(val, |v| replace(v, &pat, &with, amp, *mode, extglob));
            emit(host, val, in_double, out)
        }
        ParamOp::Case {
            upper,
            all,
            pattern: pat,
        } => {
            let pat = if pat.0.is_empty() {
                "?".to_string()
            } else {
                super::pattern(host, pat)?
            };
            let extglob = host.extglob();
            let val = map(val, |v| change_case(v, &pat, *upper, *all, extglob));
            emit(host, val, in_double, out)
        }
        ParamOp::Substring(offset, length) => {
            let offset = super::arithmetic(host, offset)?;
            let length = match length {
                Some(l) => Some(super::arithmetic(host, l)?),
                None => None,
            };
            let val = substring(val, offset, length, host)?;
            emit(host, val, in_double, out)
        }
        ParamOp::Transform(c) => {
            let name_text = display(&name);
            let attrs = match &name {
                ParamName::Var(n) => attributes(host, n),
                _ => String::new(),
            };
            let val = map(val, |v| transform(v, *c, &name_text, &attrs));
            emit(host, val, in_double, out)
        }
        ParamOp::Names(_) | ParamOp::Keys => Ok(()),
    }
}

fn attributes(host: &dyn Host, name: &str) -> String {
    match host.value(name) {
        Some(Value::Indexed(_)) => "a".into(),
        Some(Value::Assoc(_)) => "A".into(),
        _ => String::new(),
    }
}

fn map(val: Val, f: impl Fn(&str) -> String) -> Val {
    match val {
        Val::One(v) => Val::One(Some(f(&v.unwrap_or_default()))),
        Val::Many {
            items,
            indices,
            star,
            positional,
        } => Val::Many {
            items: items.iter().map(|s| f(s)).collect(),
            indices,
            star,
            positional,
        },
    }
}

/// Put a value's pieces out.
fn emit(host: &dyn Host, val: Val, in_double: bool, out: &mut Vec<Piece>) -> Result<(), String> {
    match val {
        Val::One(Some(v)) => {
            out.push(text(v, in_double, !in_double));
            Ok(())
        }
        Val::One(None) => Ok(()),
        Val::Many { items, star, .. } => emit_many(host, items, star, in_double, out),
    }
}

/// `"$@"`-like: a field each; `"$*"`-like quoted: one field joined by IFS's first
/// character; unquoted, each is split further.
fn emit_many(
    host: &dyn Host,
    items: Vec<String>,
    star: bool,
    in_double: bool,
    out: &mut Vec<Piece>,
) -> Result<(), String> {
    if in_double && star {
        out.push(text(items.join(&ifs_joiner(host)), true, false));
        return Ok(());
    }
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(Piece::Break);
        }
        out.push(text(item, in_double, !in_double));
    }
    Ok(())
}

/// Remove the smallest or largest prefix or suffix of `v` matching `pat`.
fn trim(v: &str, pat: &str, suffix: bool, longest: bool, extglob: bool) -> String {
    match pattern::find_affix(pat, v, suffix, longest, extglob) {
        Some(cut) if suffix => v[..cut].to_string(),
        Some(cut) => v[cut..].to_string(),
        None => v.to_string(),
    }
}

/// The replacement text for one match.
fn replacement(with: &[(String, bool)], matched: &str, amp: bool) -> String {
    let mut out = String::new();
    for (text, quoted) in with {
        if *quoted || !amp {
            out.push_str(text);
        } else {
            out.push_str(&text.replace('&', matched));
        }
    }
    out
}

fn replace(
    v: &str,
    pat: &str,
    with: &[(String, bool)],
    amp: bool,
    mode: ReplaceMode,
    extglob: bool,
) -> String {
    if pat.is_empty() && !matches!(mode, ReplaceMode::Prefix | ReplaceMode::Suffix) {
        return v.to_string();
    }
    let anchor = match mode {
        ReplaceMode::Prefix => Some('#'),
        ReplaceMode::Suffix => Some('%'),
        _ => None,
    };
    let mut out = String::new();
    let mut from = 0;
    loop {
        match pattern::find_in(pat, v, from, anchor, extglob) {
            Some((start, end)) => {
                out.push_str(&v[from..start]);
                out.push_str(&replacement(with, &v[start..end], amp));
                if mode != ReplaceMode::All {
                    out.push_str(&v[end..]);
                    return out;
                }
                if end == start {
                    // An empty match: keep one character and go on after it.
                    match v[end..].chars().next() {
                        Some(c) => {
                            out.push(c);
                            from = end + c.len_utf8();
                        }
                        None => return out,
                    }
                } else {
                    from = end;
                }
                if from >= v.len() {
                    return out;
                }
            }
            None => {
                out.push_str(&v[from..]);
                return out;
            }
        }
    }
}

fn change_case(v: &str, pat: &str, upper: bool, all: bool, extglob: bool) -> String {
    let p = pattern::Pattern::new(pat, extglob);
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        if (all || i == 0) && p.matches(&c.to_string()) {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn substring(val: Val, offset: i64, length: Option<i64>, host: &dyn Host) -> Result<Val, String> {
    match val {
        Val::One(v) => {
            let chars: Vec<char> = v.unwrap_or_default().chars().collect();
            let n = chars.len() as i64;
            let start = if offset < 0 {
                n.saturating_add(offset)
            } else {
                offset
            };
            if start < 0 || start > n {
                return Ok(Val::One(Some(String::new())));
            }
            let end = match length {
                None => n,
                Some(l) if l < 0 => {
                    let e = n.saturating_add(l);
                    if e < start {
                        return Err(format!("{l}: substring expression < 0"));
                    }
                    e
                }
                Some(l) => start.saturating_add(l).min(n),
            };
            Ok(Val::One(Some(
                chars[start as usize..end as usize].iter().collect(),
            )))
        }
        Val::Many {
            items,
            indices,
            star,
            positional,
        } => {
            let (mut items, mut indices) = (items, indices);
            if positional {
                items.insert(0, host.special('0'));
                indices.insert(0, 0);
            }
            let max = indices.last().map_or(0, |m| *m as i64 + 1);
            let start = if offset < 0 {
                max.saturating_add(offset)
            } else {
                offset
            };
            if start < 0 {
                return Ok(Val::Many {
                    items: Vec::new(),
                    indices: Vec::new(),
                    star,
                    positional: false,
                });
            }
            let mut picked: Vec<(String, usize)> = items
                .into_iter()
                .zip(indices)
                .filter(|(_, i)| *i as i64 >= start)
                .collect();
            if let Some(l) = length {
                if l < 0 {
                    return Err(format!("{l}: substring expression < 0"));
                }
                picked.truncate(l as usize);
            }
            let (items, indices) = picked.into_iter().unzip();
            Ok(Val::Many {
                items,
                indices,
                star,
                positional: false,
            })
        }
    }
}

/// `${x@Q}` and friends.
fn transform(v: &str, c: char, name: &str, attrs: &str) -> String {
    match c {
        'Q' => crate::vars::quote(v),
        'E' => crate::escapes::expand(v, crate::escapes::Mode::CString).0,
        'U' => v.to_uppercase(),
        'L' => v.to_lowercase(),
        'u' => {
            let mut chars = v.chars();
            match chars.next() {
                Some(f) => f.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
        'A' => format!("{name}={}", crate::vars::quote(v)),
        'a' => attrs.to_string(),
        'K' | 'k' => crate::vars::quote(v),
        'P' => v.to_string(),
        _ => v.to_string(),
    }
}
