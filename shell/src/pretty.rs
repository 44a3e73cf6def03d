//! Functions shown as bash shows them (`declare -f`, `type`): one command a line,
//! indented by four, `elif` as an `if` inside `else`, as scripts that read that output
//! expect.

use crate::ast::*;

/// `name () { ... }` in bash's layout.
pub fn function(name: &str, body: &Command) -> String {
    let mut out = format!("{name} () \n");
    match body {
        Command::Compound(Compound::Group(list), redirects) if redirects.is_empty() => {
            out.push_str("{ \n");
            list_lines(&mut out, list, 1, false);
            out.push('}');
        }
        other => {
            out.push_str("{ \n");
            indent(&mut out, 1);
            command(&mut out, other, 1);
            out.push_str("\n}");
        }
    }
    out
}

fn indent(out: &mut String, level: usize) {
    out.push_str(&"    ".repeat(level));
}

/// The items of a list, one a line at `level`; `terminate`: a `;` after the last too.
fn list_lines(out: &mut String, list: &List, level: usize, terminate: bool) {
    let n = list.0.len();
    for (i, item) in list.0.iter().enumerate() {
        indent(out, level);
        and_or(out, &item.and_or, level);
        if item.background {
            out.push_str(" &");
        } else if terminate || i + 1 < n {
            out.push(';');
        }
        out.push('\n');
        heredoc_bodies(out, item);
    }
}

/// A list on one line (`if` conditions, subshells).
fn inline(list: &List) -> String {
    let mut parts = Vec::new();
    for item in &list.0 {
        let mut s = String::new();
        and_or(&mut s, &item.and_or, 0);
        if item.background {
            s.push_str(" &");
        }
        parts.push(s);
    }
    parts.join("; ")
}

fn heredoc_bodies(out: &mut String, item: &Item) {
    item.and_or.visit_redirects(&mut |r| {
        if let RedirOp::HereDoc(h) = &r.op {
            let mut body = String::new();
            for p in &h.body.0 {
                match p {
                    Part::Literal(s) => body.push_str(s),
                    Part::Escaped(c) => {
                        body.push('\\');
                        body.push(*c);
                    }
                    other => body.push_str(&Word(vec![other.clone()]).to_string()),
                }
            }
            out.push_str(&body);
            out.push_str(&h.delimiter);
            out.push_str("\n\n");
        }
    });
}

fn and_or(out: &mut String, a: &AndOr, level: usize) {
    pipeline(out, &a.first, level);
    for (c, p) in &a.rest {
        out.push_str(match c {
            Connector::And => " && ",
            Connector::Or => " || ",
        });
        pipeline(out, p, level);
    }
}

fn pipeline(out: &mut String, p: &Pipeline, level: usize) {
    if p.timed {
        out.push_str("time ");
    }
    if p.bang {
        out.push_str("! ");
    }
    for (i, c) in p.commands.iter().enumerate() {
        if i > 0 {
            out.push_str(" | ");
        }
        command(out, c, level);
    }
}

fn redirects(out: &mut String, rs: &[Redirect]) {
    for r in rs {
        out.push(' ');
        out.push_str(&r.to_string());
    }
}

fn command(out: &mut String, c: &Command, level: usize) {
    match c {
        Command::Simple(s) => out.push_str(&s.to_string()),
        Command::Function { name, body } => {
            let text = function(name, body);
            let pad = "    ".repeat(level);
            out.push_str(&text.replace('\n', &format!("\n{pad}")));
        }
        Command::Compound(comp, rs) => {
            compound(out, comp, level);
            redirects(out, rs);
        }
    }
}

fn compound(out: &mut String, c: &Compound, level: usize) {
    match c {
        Compound::Group(list) => {
            out.push_str("{ \n");
            list_lines(out, list, level + 1, false);
            indent(out, level);
            out.push('}');
        }
        Compound::Subshell(list) => {
            out.push_str("( ");
            out.push_str(&inline(list));
            out.push_str(" )");
        }
        Compound::If {
            branches,
            otherwise,
        } => if_chain(out, branches, otherwise.as_ref(), level),
        Compound::While { until, cond, body } => {
            out.push_str(if *until { "until " } else { "while " });
            out.push_str(&inline(cond));
            out.push_str("; do\n");
            list_lines(out, body, level + 1, true);
            indent(out, level);
            out.push_str("done");
        }
        Compound::For {
            var,
            words,
            body,
            select,
        } => {
            let keyword = if *select { "select" } else { "for" };
            out.push_str(&format!("{keyword} {var} in "));
            match words {
                Some(ws) => {
                    let ws: Vec<String> = ws.iter().map(|w| w.to_string()).collect();
                    out.push_str(&ws.join(" "));
                }
                None => out.push_str("\"$@\""),
            }
            out.push_str(";\n");
            indent(out, level);
            out.push_str("do\n");
            list_lines(out, body, level + 1, true);
            indent(out, level);
            out.push_str("done");
        }
        Compound::ArithFor {
            init,
            test,
            step,
            body,
        } => {
            let arith = |w: &Word| {
                Compound::Arith(w.clone())
                    .to_string()
                    .trim_start_matches("((")
                    .trim_end_matches("))")
                    .to_string()
            };
            out.push_str(&format!(
                "for (({}; {}; {}))\n",
                arith(init),
                arith(test),
                arith(step)
            ));
            indent(out, level);
            out.push_str("do\n");
            list_lines(out, body, level + 1, true);
            indent(out, level);
            out.push_str("done");
        }
        Compound::Case { word, arms } => {
            out.push_str(&format!("case {word} in \n"));
            for arm in arms {
                indent(out, level + 1);
                let pats: Vec<String> = arm.patterns.iter().map(|p| p.to_string()).collect();
                out.push_str(&pats.join(" | "));
                out.push_str(")\n");
                list_lines(out, &arm.body, level + 2, false);
                indent(out, level + 1);
                out.push_str(match arm.end {
                    CaseEnd::Break => ";;",
                    CaseEnd::FallThrough => ";&",
                    CaseEnd::Continue => ";;&",
                });
                out.push('\n');
            }
            indent(out, level);
            out.push_str("esac");
        }
        Compound::Cond(_) | Compound::Arith(_) => {
            let text = c.to_string();
            let text = match c {
                Compound::Arith(_) => format!(
                    "(( {} ))",
                    text.trim_start_matches("((").trim_end_matches("))").trim()
                ),
                _ => text,
            };
            out.push_str(&text);
        }
    }
}

/// `if`/`elif`/`else`: bash writes an `elif` as an `if` inside the `else`.
fn if_chain(out: &mut String, branches: &[(List, List)], otherwise: Option<&List>, level: usize) {
    let Some(((cond, body), rest)) = branches.split_first() else {
        return;
    };
    out.push_str("if ");
    out.push_str(&inline(cond));
    out.push_str("; then\n");
    list_lines(out, body, level + 1, true);
    if !rest.is_empty() {
        indent(out, level);
        out.push_str("else\n");
        indent(out, level + 1);
        if_chain(out, rest, otherwise, level + 1);
        out.push_str(";\n");
    } else if let Some(o) = otherwise {
        indent(out, level);
        out.push_str("else\n");
        list_lines(out, o, level + 1, true);
    }
    indent(out, level);
    out.push_str("fi");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(src: &str) -> String {
        let list = crate::parse::parse(src).unwrap();
        match &list.0[0].and_or.first.commands[0] {
            Command::Function { name, body } => function(name, body),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn functions_look_as_bash_prints_them() {
        assert_eq!(
            show("f() { echo a; if true; then echo c; elif false; then :; else echo d; fi; for i in 1 2; do echo $i; done; x=1; }"),
            "f () \n{ \n    echo a;\n    if true; then\n        echo c;\n    else\n        if false; then\n            :;\n        else\n            echo d;\n        fi;\n    fi;\n    for i in 1 2;\n    do\n        echo $i;\n    done;\n    x=1\n}"
        );
        assert_eq!(show("g() ( echo sub )"), "g () \n{ \n    ( echo sub )\n}");
        assert_eq!(
            show("h() { case x in a) echo a;; b|c) echo bc;; esac; }"),
            "h () \n{ \n    case x in \n        a)\n            echo a\n        ;;\n        b | c)\n            echo bc\n        ;;\n    esac\n}"
        );
    }
}
