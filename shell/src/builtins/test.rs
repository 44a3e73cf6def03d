use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};

use crate::exec::{Shell, Status};

/// `test expr` / `[ expr ]` — POSIX test: file tests, string and integer comparisons,
/// `!`, `-a`, `-o` and parentheses. Status 0 true, 1 false, 2 error.
pub fn test(sh: &mut Shell, argv: &[String]) -> Status {
    evaluate(sh, &argv[1..], "test")
}

pub fn bracket(sh: &mut Shell, argv: &[String]) -> Status {
    match argv.last().map(String::as_str) {
        Some("]") => evaluate(sh, &argv[1..argv.len() - 1], "["),
        _ => {
            sh.error("[: missing ']'");
            Ok(2)
        }
    }
}

fn evaluate(sh: &Shell, args: &[String], name: &str) -> Status {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut parser = Parser {
        args: &args,
        pos: 0,
        sh,
    };
    match parser.expr() {
        Ok(v) => Ok(if v { 0 } else { 1 }),
        Err(e) => {
            sh.error(format!("{name}: {e}"));
            Ok(2)
        }
    }
}

struct Parser<'a> {
    args: &'a [&'a str],
    pos: usize,
    sh: &'a Shell,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.args.get(self.pos).copied()
    }

    fn expr(&mut self) -> Result<bool, String> {
        // POSIX's rules by argument count keep `[ "$x" = -n ]` and friends right.
        let n = self.args.len();
        let v = match n {
            0 => false,
            1 => !self.args[0].is_empty(),
            2 if self.args[0] == "!" => self.args[1].is_empty(),
            2 => self.unary(self.args[0], self.args[1])?,
            3 if is_binary(self.args[1]) => {
                self.binary(self.args[0], self.args[1], self.args[2])?
            }
            3 if self.args[0] == "!" => !Parser {
                args: &self.args[1..],
                pos: 0,
                sh: self.sh,
            }
            .expr()?,
            3 if self.args[0] == "(" && self.args[2] == ")" => !self.args[1].is_empty(),
            4 if self.args[0] == "!" => !Parser {
                args: &self.args[1..],
                pos: 0,
                sh: self.sh,
            }
            .expr()?,
            _ => {
                let v = self.or()?;
                if let Some(extra) = self.peek() {
                    return Err(format!(
                        "{}: unexpected argument",
                        pola_fileserver::text::shown(extra)
                    ));
                }
                v
            }
        };
        Ok(v)
    }

    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while self.peek() == Some("-o") {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.primary()?;
        while self.peek() == Some("-a") {
            self.pos += 1;
            let r = self.primary()?;
            v = v && r;
        }
        Ok(v)
    }

    fn primary(&mut self) -> Result<bool, String> {
        let Some(a) = self.peek() else {
            return Err("argument expected".into());
        };
        self.pos += 1;
        if a == "!" {
            return Ok(!self.primary()?);
        }
        if a == "(" {
            let v = self.or()?;
            if self.peek() != Some(")") {
                return Err("')' expected".into());
            }
            self.pos += 1;
            return Ok(v);
        }
        if let (Some(op), Some(&rhs)) = (self.peek(), self.args.get(self.pos + 1)) {
            if is_binary(op) {
                self.pos += 2;
                return self.binary(a, op, rhs);
            }
        }
        if a.starts_with('-') && a.len() == 2 {
            if let Some(operand) = self.peek() {
                self.pos += 1;
                return self.unary(a, operand);
            }
        }
        Ok(!a.is_empty())
    }

    fn unary(&self, op: &str, x: &str) -> Result<bool, String> {
        unary(self.sh, op, x)
    }

    fn binary(&self, a: &str, op: &str, b: &str) -> Result<bool, String> {
        binary(self.sh, a, op, b)
    }
}

/// A unary test (`-f x`, `-z x`, `-v name`, ...), as `test` and `[[ ]]` do it.
pub fn unary(sh: &Shell, op: &str, x: &str) -> Result<bool, String> {
    {
        let path = || {
            let p = crate::escapes::to_path(x);
            if p.is_absolute() {
                p
            } else {
                sh.cwd().join(p)
            }
        };
        let meta = || std::fs::metadata(path());
        let access = |mode| nix::unistd::access(&path(), mode).is_ok();
        Ok(match op {
            "-z" => x.is_empty(),
            "-n" => !x.is_empty(),
            "-e" | "-a" => meta().is_ok(),
            "-v" => {
                let (name, index) = match x.find('[') {
                    Some(k) if x.ends_with(']') => (&x[..k], Some(&x[k + 1..x.len() - 1])),
                    _ => (x, None),
                };
                match (sh.vars.get(name).and_then(|v| v.value.as_ref()), index) {
                    (None, _) => false,
                    (Some(_), None) => sh.get(name).is_some(),
                    (Some(v), Some(i)) => {
                        crate::expand::element(Some(v), i).is_some() || matches!(i, "@" | "*")
                    }
                }
            }
            "-o" => sh.options.get_named(x) == Some(true),
            "-O" => meta()
                .map(|m| m.uid() == nix::unistd::geteuid().as_raw())
                .unwrap_or(false),
            "-G" => meta()
                .map(|m| m.gid() == nix::unistd::getegid().as_raw())
                .unwrap_or(false),
            "-k" => meta()
                .map(|m| m.permissions().mode() & 0o1000 != 0)
                .unwrap_or(false),
            "-N" => meta()
                .map(|m| {
                    m.mtime() > m.atime()
                        || (m.mtime() == m.atime() && m.mtime_nsec() > m.atime_nsec())
                })
                .unwrap_or(false),
            "-f" => meta().map(|m| m.is_file()).unwrap_or(false),
            "-d" => meta().map(|m| m.is_dir()).unwrap_or(false),
            "-s" => meta().map(|m| m.len() > 0).unwrap_or(false),
            "-L" | "-h" => std::fs::symlink_metadata(path())
                .map(|m| m.file_type().is_symlink())
                .unwrap_or(false),
            "-b" => meta()
                .map(|m| m.file_type().is_block_device())
                .unwrap_or(false),
            "-c" => meta()
                .map(|m| m.file_type().is_char_device())
                .unwrap_or(false),
            "-p" => meta().map(|m| m.file_type().is_fifo()).unwrap_or(false),
            "-S" => meta().map(|m| m.file_type().is_socket()).unwrap_or(false),
            "-g" => meta()
                .map(|m| m.permissions().mode() & 0o2000 != 0)
                .unwrap_or(false),
            "-u" => meta()
                .map(|m| m.permissions().mode() & 0o4000 != 0)
                .unwrap_or(false),
            "-r" => access(nix::unistd::AccessFlags::R_OK),
            "-w" => access(nix::unistd::AccessFlags::W_OK),
            "-x" => access(nix::unistd::AccessFlags::X_OK),
            "-t" => {
                let fd: i32 = x
                    .parse()
                    .map_err(|_| format!("{}: bad number", pola_fileserver::text::shown(x)))?;
                nix::unistd::isatty(unsafe_fd(fd)).unwrap_or(false)
            }
            _ => {
                return Err(format!(
                    "{}: unary operator expected",
                    pola_fileserver::text::shown(op)
                ))
            }
        })
    }
}

/// A binary test (`a = b`, `a -lt b`, `f -nt g`, ...), as `test` and `[[ ]]` do it.
pub fn binary(sh: &Shell, a: &str, op: &str, b: &str) -> Result<bool, String> {
    {
        let int = |s: &str| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| format!("{}: integer expected", pola_fileserver::text::shown(s)))
        };
        let mtime = |s: &str| {
            std::fs::metadata(sh.cwd().join(crate::escapes::to_path(s)))
                .ok()
                .map(|m| (m.mtime(), m.mtime_nsec()))
        };
        Ok(match op {
            "=" | "==" => a == b,
            "!=" => a != b,
            "<" => crate::pattern::collate(a, b).is_lt(),
            ">" => crate::pattern::collate(a, b).is_gt(),
            "-eq" => int(a)? == int(b)?,
            "-ne" => int(a)? != int(b)?,
            "-lt" => int(a)? < int(b)?,
            "-le" => int(a)? <= int(b)?,
            "-gt" => int(a)? > int(b)?,
            "-ge" => int(a)? >= int(b)?,
            "-nt" => mtime(a).is_some() && (mtime(b).is_none() || mtime(a) > mtime(b)),
            "-ot" => mtime(b).is_some() && (mtime(a).is_none() || mtime(a) < mtime(b)),
            "-ef" => {
                let id = |s: &str| {
                    std::fs::metadata(sh.cwd().join(crate::escapes::to_path(s)))
                        .ok()
                        .map(|m| (m.dev(), m.ino()))
                };
                id(a).is_some() && id(a) == id(b)
            }
            _ => {
                return Err(format!(
                    "{}: binary operator expected",
                    pola_fileserver::text::shown(op)
                ))
            }
        })
    }
}

fn is_binary(op: &str) -> bool {
    matches!(
        op,
        "=" | "=="
            | "!="
            | "<"
            | ">"
            | "-eq"
            | "-ne"
            | "-lt"
            | "-le"
            | "-gt"
            | "-ge"
            | "-nt"
            | "-ot"
            | "-ef"
    )
}

fn unsafe_fd(fd: i32) -> std::os::fd::BorrowedFd<'static> {
    // SAFETY: only asked whether the number is a terminal; a closed one is not.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }
}
