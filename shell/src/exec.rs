//! The executor: runs the AST. The shell itself (builtins, functions, compound
//! commands, redirections, `cd`) acts with the user's full authority; every external
//! command runs in its own jail with the grants its command line names, and `!!cmd`
//! runs on the host unconfined, on purpose.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::rc::Rc;

use nix::sys::signal::Signal;
use nix::unistd::Pid;
use pola_fileserver::environment::{Environment, Identity};
use pola_fileserver::launch::{self, Jail};

use crate::ast::*;
use crate::builtins;
use crate::expand::{self, Host};
use crate::grants::{self, Item as GrantItem};
use crate::jail;
use crate::job::{Job, Proc, State, Terminal};
use crate::redirect::{self, Redirections, Target};
use crate::sys::{self, Forked};

/// Control flow that unwinds through the executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Break(usize),
    Continue(usize),
    Return(i32),
    Exit(i32),
}

/// A command's exit status, or control flow leaving it.
pub type Status = Result<i32, Flow>;

#[derive(Clone, Debug)]
pub struct Var {
    pub value: String,
    pub exported: bool,
    /// Came from the login environment: passed to `!!` commands, not to jails.
    pub from_env: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub errexit: bool,
    pub nounset: bool,
    pub xtrace: bool,
    pub noglob: bool,
    pub pipefail: bool,
}

/// A command started but not yet waited for.
pub enum Running {
    Done(i32),
    Jail(Jail),
    Process(Pid),
}

impl Running {
    fn into_proc(self) -> Option<Proc> {
        match self {
            Running::Done(_) => None,
            Running::Jail(j) => Some(Proc {
                pid: Pid::from_raw(j.pid() as i32),
                jail: Some(j),
                status: None,
            }),
            Running::Process(pid) => Some(Proc {
                pid,
                jail: None,
                status: None,
            }),
        }
    }
}

/// The ends of pipes a pipeline member reads and writes.
#[derive(Default)]
pub struct PipeEnds {
    pub stdin: Option<OwnedFd>,
    pub stdout: Option<OwnedFd>,
}

pub struct Shell {
    pub vars: BTreeMap<String, Var>,
    pub positional: Vec<String>,
    pub arg0: String,
    pub functions: HashMap<String, Rc<Command>>,
    pub options: Options,
    pub status: i32,
    pub last_background: Option<Pid>,
    pub environment: Environment,
    pub identity: Identity,
    /// Descriptors 3–9 the user opened with `exec n>...`: every command gets them.
    pub user_fds: Vec<RawFd>,
    pub jobs: Vec<Job>,
    /// Job control on the terminal (interactive shells on a terminal).
    pub terminal: Option<Terminal>,
    /// The process group the next command joins (`Some(0)`: a new one).
    next_group: Option<i32>,
    pub interactive: bool,
    /// For messages: the script's current line (0 when interactive).
    pub line: usize,
    /// The line the source being run starts on (a sourced file: 1).
    pub line_base: usize,
    pub history: Vec<String>,
    /// Apply programs' profiles (off with `pola-sh --no-profile`).
    pub profiles: bool,
    /// Mediated mode for every jail; print what each was denied (`pola-sh --learn`).
    pub learn: bool,
    /// Ask mode for every jail (`pola-sh --ask`), with what the user allowed for the
    /// whole session.
    pub ask: Option<pola_fileserver::ask::Session>,
    /// A powerbox for every jail (`pola-sh --powerbox`).
    pub powerbox: bool,
    /// Inside an `if`/`while` condition, or left of `&&`/`||`: `set -e` does not apply.
    condition: usize,
    loops: usize,
}

pub const PROGRAM: &str = "pola-sh";

impl Shell {
    pub fn new(arg0: String, interactive: bool) -> Result<Shell, String> {
        let identity = jail::identity().map_err(|e| e.to_string())?;
        let environment =
            Environment::load(dirs::config_dir().as_deref()).map_err(|e| e.to_string())?;
        let mut vars = BTreeMap::new();
        for (k, v) in std::env::vars_os() {
            let (Ok(k), Ok(v)) = (k.into_string(), v.into_string()) else {
                continue;
            };
            let minimal = matches!(
                k.as_str(),
                "PATH" | "HOME" | "TERM" | "LANG" | "USER" | "TZ" | "LANGUAGE"
            ) || k.starts_with("LC_");
            vars.insert(
                k,
                Var {
                    value: v,
                    exported: minimal,
                    from_env: true,
                },
            );
        }
        let mut sh = Shell {
            vars,
            positional: Vec::new(),
            arg0,
            functions: HashMap::new(),
            options: Options::default(),
            status: 0,
            last_background: None,
            environment,
            identity,
            user_fds: Vec::new(),
            jobs: Vec::new(),
            terminal: None,
            next_group: None,
            interactive,
            line: 0,
            line_base: 1,
            history: Vec::new(),
            profiles: true,
            learn: false,
            ask: None,
            powerbox: false,
            condition: 0,
            loops: 0,
        };
        if let Ok(cwd) = jail::logical_cwd() {
            sh.set("PWD", &cwd.to_string_lossy());
        }
        sh.vars.entry("IFS".into()).or_insert(Var {
            value: " \t\n".into(),
            exported: false,
            from_env: false,
        });
        if sh.get("PATH").is_none() {
            sh.set("PATH", "/usr/local/bin:/usr/bin:/bin");
            sh.export("PATH");
        }
        if sh.get("HOME").is_none() {
            let home = sh.identity.home.to_string_lossy().into_owned();
            sh.set("HOME", &home);
            sh.export("HOME");
        }
        Ok(sh)
    }

    // Variables.

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|v| v.value.as_str())
    }

    pub fn set(&mut self, name: &str, value: &str) {
        match self.vars.get_mut(name) {
            Some(v) => v.value = value.to_string(),
            None => {
                self.vars.insert(
                    name.into(),
                    Var {
                        value: value.into(),
                        exported: false,
                        from_env: false,
                    },
                );
            }
        }
    }

    pub fn export(&mut self, name: &str) {
        let v = self.vars.entry(name.into()).or_insert(Var {
            value: String::new(),
            exported: true,
            from_env: false,
        });
        v.exported = true;
    }

    /// The working directory as the user sees it.
    pub fn cwd(&self) -> PathBuf {
        self.get("PWD")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"))
    }

    // Messages: one format for every error the user sees.

    pub fn error(&self, message: impl std::fmt::Display) {
        if self.line > 0 && !self.interactive {
            eprintln!("{PROGRAM}: line {}: {message}", self.line);
        } else {
            eprintln!("{PROGRAM}: {message}");
        }
    }

    // Running source text.

    /// Parse and run `src`; a parse error is reported and gives status 2.
    pub fn run_source(&mut self, src: &str) -> Status {
        match crate::parse::parse(src) {
            Ok(list) => self.run_list(&list),
            Err(e) => {
                let line = self.line_base + e.line - 1;
                eprintln!(
                    "{PROGRAM}: line {line}: syntax error: {} (column {})",
                    e.message, e.column
                );
                self.status = 2;
                if self.interactive {
                    Ok(2)
                } else {
                    Err(Flow::Exit(2))
                }
            }
        }
    }

    pub fn run_list(&mut self, list: &List) -> Status {
        let mut status = 0;
        for item in &list.0 {
            if item.line.0 > 0 {
                self.line = self.line_base + item.line.0 - 1;
            }
            status = if item.background {
                self.background(&item.and_or)?
            } else {
                self.run_and_or(&item.and_or)?
            };
            self.status = status;
        }
        Ok(status)
    }

    fn background(&mut self, and_or: &AndOr) -> Status {
        let job_control = self.terminal.is_some();
        let pid = match sys::fork() {
            Ok(Forked::Child) => {
                pola_fileserver::supervise::reset_job_signals();
                if job_control {
                    let _ = nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0));
                }
                self.terminal = None;
                if !self.interactive {
                    // POSIX: background commands of a non-interactive shell read
                    // /dev/null.
                    if let Ok(null) = redirect::open_file("/dev/null", nix::fcntl::OFlag::O_RDONLY)
                    {
                        let _ = redirect::dup_onto(null.as_raw_fd(), 0);
                    }
                }
                let status = self.run_and_or(and_or).unwrap_or_else(flow_status);
                sys::exit_child(status);
            }
            Ok(Forked::Parent(pid)) => pid,
            Err(e) => {
                self.error(format!("cannot fork: {}", e.desc()));
                return Ok(1);
            }
        };
        let pgid = if job_control {
            let _ = nix::unistd::setpgid(pid, pid);
            pid
        } else {
            Pid::from_raw(0)
        };
        self.last_background = Some(pid);
        let id = self.next_job_id();
        if self.interactive {
            eprintln!("[{id}] {pid}");
        }
        self.jobs.push(Job {
            id,
            pgid,
            procs: vec![Proc {
                pid,
                jail: None,
                status: None,
            }],
            text: and_or.to_string(),
            state: State::Running,
        });
        Ok(0)
    }

    /// In a forked copy of the shell: join the job's process group (when the parent
    /// does job control), and do no job control of our own.
    fn leave_job_control(&mut self) {
        if let Some(group) = self.next_group.take() {
            let _ = nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(group));
        }
        self.terminal = None;
    }

    pub fn next_job_id(&self) -> usize {
        self.jobs.iter().map(|j| j.id).max().unwrap_or(0) + 1
    }

    /// Run a job in the foreground: give it the terminal, wait until it ends or stops,
    /// take the terminal back. A stopped job goes to the job table.
    pub fn foreground(&mut self, mut job: Job) -> i32 {
        if let Some(t) = &self.terminal {
            if job.pgid.as_raw() > 0 {
                t.give(job.pgid);
            }
        }
        job.wait(self.options.pipefail);
        if let Some(t) = &self.terminal {
            t.reclaim();
        }
        let statuses: Vec<String> = job
            .procs
            .iter()
            .map(|p| p.status.unwrap_or(0).to_string())
            .collect();
        self.set("PIPESTATUS", &statuses.join(" "));
        match job.state {
            State::Stopped => {
                if job.id == 0 {
                    job.id = self.next_job_id();
                }
                eprintln!("\n[{}]+ Stopped {}", job.id, job.text);
                self.jobs.push(job);
                128 + Signal::SIGTSTP as i32
            }
            State::Done(s) => s,
            State::Running => 0,
        }
    }

    fn run_and_or(&mut self, and_or: &AndOr) -> Status {
        let conditional = !and_or.rest.is_empty();
        if conditional {
            self.condition += 1;
        }
        let result = self.run_pipeline(&and_or.first);
        if conditional {
            self.condition -= 1;
        }
        let mut status = result?;
        let last = and_or.rest.len();
        for (i, (connector, pipeline)) in and_or.rest.iter().enumerate() {
            let run = match connector {
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if !run {
                continue;
            }
            let guarded = i + 1 < last;
            if guarded {
                self.condition += 1;
            }
            let r = self.run_pipeline(pipeline);
            if guarded {
                self.condition -= 1;
            }
            status = r?;
        }
        self.status = status;
        Ok(status)
    }

    fn run_pipeline(&mut self, p: &Pipeline) -> Status {
        if p.bang {
            self.condition += 1;
        }
        let result = self.pipeline_status(p);
        if p.bang {
            self.condition -= 1;
        }
        let status = result?;
        let status = if p.bang { (status == 0) as i32 } else { status };
        self.status = status;
        if status != 0 && self.options.errexit && self.condition == 0 && !p.bang {
            return Err(Flow::Exit(status));
        }
        Ok(status)
    }

    fn pipeline_status(&mut self, p: &Pipeline) -> Status {
        let job_control = self.terminal.is_some();
        let single = p.commands.len() == 1;
        let mut procs = Vec::new();
        let mut pgid: Option<Pid> = None;
        let mut next_stdin: Option<OwnedFd> = None;
        let mut status = 0;
        for (i, c) in p.commands.iter().enumerate() {
            let (read, write) = if i + 1 < p.commands.len() {
                match redirect::pipe() {
                    Ok((r, w)) => (Some(r), Some(w)),
                    Err(e) => {
                        self.error(e);
                        break;
                    }
                }
            } else {
                (None, None)
            };
            let ends = PipeEnds {
                stdin: next_stdin.take(),
                stdout: write,
            };
            self.next_group = job_control.then(|| pgid.map_or(0, |g| g.as_raw()));
            // Alone, a command runs in the shell (a builtin can change it); in a
            // pipeline, all but plain external commands run in a forked shell so that
            // every member runs at once.
            let r = if single || self.plainly_external(c) {
                self.run_command(c, ends)
            } else {
                Ok(self.fork_command(c, ends))
            };
            self.next_group = None;
            match r {
                Ok(Running::Done(s)) => status = s,
                Ok(running) => {
                    if let Some(proc_) = running.into_proc() {
                        if job_control {
                            let g = *pgid.get_or_insert(proc_.pid);
                            // Also from here: whichever of parent and child runs first.
                            let _ = nix::unistd::setpgid(proc_.pid, g);
                        }
                        procs.push(proc_);
                    }
                }
                Err(f) => return Err(f),
            }
            next_stdin = read;
        }
        drop(next_stdin);
        if procs.is_empty() {
            // A builtin, function or compound command that ran in the shell.
            self.set("PIPESTATUS", &status.to_string());
            return Ok(status);
        }
        let job = Job {
            id: 0,
            pgid: pgid.unwrap_or(Pid::from_raw(0)),
            procs,
            text: p.to_string(),
            state: State::Running,
        };
        Ok(self.foreground(job))
    }

    /// A simple command whose name is a literal word naming neither a builtin nor a
    /// function: it will be an external command.
    fn plainly_external(&self, c: &Command) -> bool {
        let Command::Simple(s) = c else { return false };
        match s.args.first() {
            Some(Arg::Word(Word(parts))) => match parts.as_slice() {
                [Part::Literal(name)] => {
                    !builtins::exists(name) && name != "exec" && !self.functions.contains_key(name)
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Wait for a started command; a shell's view of its status.
    pub fn wait(&mut self, running: Running) -> i32 {
        match running {
            Running::Done(s) => s,
            Running::Jail(jail) => {
                let status = wait_pid(Pid::from_raw(jail.pid() as i32));
                jail::finish(jail, status)
            }
            Running::Process(pid) => wait_pid(pid),
        }
    }

    /// Run `c` in a forked copy of the shell (a pipeline member that is not external).
    fn fork_command(&mut self, c: &Command, ends: PipeEnds) -> Running {
        match sys::fork() {
            Ok(Forked::Child) => {
                pola_fileserver::supervise::reset_job_signals();
                self.leave_job_control();
                if let Some(fd) = &ends.stdin {
                    let _ = redirect::dup_onto(fd.as_raw_fd(), 0);
                }
                if let Some(fd) = &ends.stdout {
                    let _ = redirect::dup_onto(fd.as_raw_fd(), 1);
                }
                drop(ends);
                let status = match self.run_command(c, PipeEnds::default()) {
                    Ok(r) => self.wait(r),
                    Err(f) => flow_status(f),
                };
                sys::exit_child(status);
            }
            Ok(Forked::Parent(pid)) => Running::Process(pid),
            Err(e) => {
                self.error(format!("cannot fork: {}", e.desc()));
                Running::Done(1)
            }
        }
    }

    pub fn run_command(&mut self, c: &Command, ends: PipeEnds) -> Result<Running, Flow> {
        match c {
            Command::Simple(s) => self.run_simple(s, ends),
            Command::Compound(comp, redirects) => {
                let redirs = match self.redirections(redirects) {
                    Ok(r) => r,
                    Err(e) => {
                        self.error(e);
                        return Ok(Running::Done(1));
                    }
                };
                let Some(_saved) = self.apply(&redirs) else {
                    return Ok(Running::Done(1));
                };
                self.run_compound(comp).map(Running::Done)
            }
            Command::Function { name, body } => {
                self.functions
                    .insert(name.clone(), Rc::new((**body).clone()));
                Ok(Running::Done(0))
            }
        }
    }

    fn run_compound(&mut self, c: &Compound) -> Status {
        match c {
            Compound::Group(l) => self.run_list(l),
            Compound::Subshell(l) => match sys::fork() {
                Ok(Forked::Child) => {
                    pola_fileserver::supervise::reset_job_signals();
                    self.leave_job_control();
                    let status = self.run_list(l).unwrap_or_else(flow_status);
                    sys::exit_child(status);
                }
                Ok(Forked::Parent(pid)) => Ok(wait_pid(pid)),
                Err(e) => {
                    self.error(format!("cannot fork: {}", e.desc()));
                    Ok(1)
                }
            },
            Compound::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    self.condition += 1;
                    let c = self.run_list(cond);
                    self.condition -= 1;
                    if c? == 0 {
                        return self.run_list(body);
                    }
                }
                match otherwise {
                    Some(o) => self.run_list(o),
                    None => Ok(0),
                }
            }
            Compound::While { until, cond, body } => {
                let mut status = 0;
                self.loops += 1;
                let result = loop {
                    self.condition += 1;
                    let c = self.run_list(cond);
                    self.condition -= 1;
                    let c = match c {
                        Ok(c) => c,
                        Err(f) => break Err(f),
                    };
                    if (c == 0) == *until {
                        break Ok(status);
                    }
                    match self.run_list(body) {
                        Ok(s) => status = s,
                        Err(Flow::Break(n)) if n > 1 => break Err(Flow::Break(n - 1)),
                        Err(Flow::Break(_)) => break Ok(status),
                        Err(Flow::Continue(n)) if n > 1 => break Err(Flow::Continue(n - 1)),
                        Err(Flow::Continue(_)) => continue,
                        Err(f) => break Err(f),
                    }
                };
                self.loops -= 1;
                result
            }
            Compound::For { var, words, body } => {
                let items: Vec<String> = match words {
                    Some(words) => match expand::fields(self, words) {
                        Ok(f) => f.into_iter().map(|f| f.text).collect(),
                        Err(e) => return self.expansion_failed(e),
                    },
                    None => self.positional.clone(),
                };
                let mut status = 0;
                self.loops += 1;
                let mut result = Ok(0);
                for item in items {
                    self.set(var, &item);
                    match self.run_list(body) {
                        Ok(s) => status = s,
                        Err(Flow::Break(n)) if n > 1 => {
                            result = Err(Flow::Break(n - 1));
                            break;
                        }
                        Err(Flow::Break(_)) => break,
                        Err(Flow::Continue(n)) if n > 1 => {
                            result = Err(Flow::Continue(n - 1));
                            break;
                        }
                        Err(Flow::Continue(_)) => continue,
                        Err(f) => {
                            result = Err(f);
                            break;
                        }
                    }
                }
                self.loops -= 1;
                result.map(|_| status)
            }
            Compound::Case { word, arms } => {
                let subject = match expand::string(self, word) {
                    Ok(s) => s,
                    Err(e) => return self.expansion_failed(e),
                };
                for arm in arms {
                    for p in &arm.patterns {
                        let pat = match expand::pattern(self, p) {
                            Ok(p) => p,
                            Err(e) => return self.expansion_failed(e),
                        };
                        if case_matches(&pat, &subject) {
                            return self.run_list(&arm.body);
                        }
                    }
                }
                Ok(0)
            }
        }
    }

    /// An expansion error: reported; a non-interactive shell exits (POSIX).
    fn expansion_failed(&mut self, e: String) -> Status {
        self.error(e);
        if self.interactive {
            Ok(1)
        } else {
            Err(Flow::Exit(if self.options.nounset { 1 } else { 2 }))
        }
    }

    /// Expand a simple command's arguments, keeping the grant markers.
    fn expand_args(&mut self, args: &[Arg]) -> Result<Vec<GrantItem>, String> {
        let mut out = Vec::new();
        for a in args {
            match a {
                Arg::Word(w) => {
                    for f in expand::fields(self, std::slice::from_ref(w))? {
                        out.push(GrantItem::Field(f));
                    }
                }
                Arg::Write => out.push(GrantItem::Write),
                Arg::Hidden => out.push(GrantItem::Hidden),
                Arg::Open => out.push(GrantItem::Open),
                Arg::Close => out.push(GrantItem::Close),
            }
        }
        Ok(out)
    }

    /// Open a command's redirections with the shell's authority.
    pub fn redirections(&mut self, redirects: &[Redirect]) -> Result<Redirections, String> {
        use nix::fcntl::OFlag;
        let mut out = Redirections::default();
        for r in redirects {
            let default_fd = match &r.op {
                RedirOp::Input(_)
                | RedirOp::ReadWrite(_)
                | RedirOp::HereDoc(_)
                | RedirOp::Dup(false, _) => 0,
                _ => 1,
            };
            let fd = r.fd.map(|f| f as RawFd).unwrap_or(default_fd);
            if fd > launch::MAX_USER_FD {
                return Err(format!(
                    "{fd}: only descriptors 0 to {} can be redirected",
                    launch::MAX_USER_FD
                ));
            }
            let target = match &r.op {
                RedirOp::HereDoc(h) => {
                    let text = if h.literal {
                        h.body
                            .0
                            .iter()
                            .map(|p| {
                                if let Part::Literal(s) = p {
                                    s.as_str()
                                } else {
                                    ""
                                }
                            })
                            .collect()
                    } else {
                        expand::string(self, &h.body)?
                    };
                    Target::Open(redirect::here_document(&text)?)
                }
                RedirOp::Dup(_, w) => {
                    let t = expand::string(self, w)?;
                    if t == "-" {
                        Target::Close
                    } else {
                        match t.parse::<RawFd>() {
                            Ok(n) if (0..=launch::MAX_USER_FD).contains(&n) => Target::Dup(n),
                            _ => return Err(format!("{t}: bad file descriptor")),
                        }
                    }
                }
                RedirOp::Input(w)
                | RedirOp::Output(w)
                | RedirOp::Append(w)
                | RedirOp::ReadWrite(w) => {
                    let path = expand::string(self, w)?;
                    let flags = match &r.op {
                        RedirOp::Input(_) => OFlag::O_RDONLY,
                        RedirOp::Output(_) => OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_TRUNC,
                        RedirOp::Append(_) => OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_APPEND,
                        _ => OFlag::O_RDWR | OFlag::O_CREAT,
                    };
                    let path = if path.starts_with('/') {
                        path
                    } else {
                        self.cwd().join(&path).to_string_lossy().into_owned()
                    };
                    Target::Open(redirect::open_file(&path, flags).map_err(|e| no_such(&e))?)
                }
            };
            out.0.push((fd, target));
        }
        Ok(out)
    }

    fn run_simple(&mut self, s: &Simple, ends: PipeEnds) -> Result<Running, Flow> {
        let items = match self.expand_args(&s.args) {
            Ok(i) => i,
            Err(e) => return self.expansion_failed(e).map(Running::Done),
        };
        let mut assigns = Vec::new();
        for a in &s.assignments {
            match expand::string(self, &a.value) {
                Ok(v) => assigns.push((a.name.clone(), v)),
                Err(e) => return self.expansion_failed(e).map(Running::Done),
            }
        }
        let mut redirs = match self.redirections(&s.redirects) {
            Ok(r) => r,
            Err(e) => {
                self.error(e);
                return Ok(Running::Done(1));
            }
        };
        // Pipe ends come before the command's own redirections.
        if let Some(out) = ends.stdout {
            redirs.0.insert(0, (1, Target::Open(out)));
        }
        if let Some(inp) = ends.stdin {
            redirs.0.insert(0, (0, Target::Open(inp)));
        }
        let name = items.iter().find_map(|i| match i {
            GrantItem::Field(f) => Some(f.text.clone()),
            _ => None,
        });
        let Some(name) = name else {
            // Assignments and redirections only.
            for (k, v) in &assigns {
                self.set(k, v);
            }
            return Ok(Running::Done(0));
        };
        if self.options.xtrace {
            let words: Vec<String> = items
                .iter()
                .map(|i| match i {
                    GrantItem::Field(f) => f.text.clone(),
                    GrantItem::Write => "=>".into(),
                    GrantItem::Hidden => "+".into(),
                    GrantItem::Open => "{".into(),
                    GrantItem::Close => "}".into(),
                })
                .collect();
            eprintln!("+ {}", words.join(" "));
        }
        if s.unconfined {
            let argv: Vec<String> = argv_of(&items);
            return Ok(self.unconfined(&argv, &assigns, &redirs));
        }
        if name == "grants" {
            return Ok(Running::Done(self.show_grants(&items[1..])));
        }
        if name == "exec" {
            let rest: Vec<GrantItem> = items
                .iter()
                .skip_while(|i| !matches!(i, GrantItem::Field(_)))
                .skip(1)
                .cloned()
                .collect();
            if rest.is_empty() {
                return builtins::exec_keep(self, &redirs).map(Running::Done);
            }
            // The command still runs jailed; the shell then ends with its status.
            let running = self.external(&rest, &assigns, &redirs);
            let status = self.wait(running);
            return Err(Flow::Exit(status));
        }
        let special = builtins::is_special(&name);
        if special || !self.functions.contains_key(&name) {
            if let Some(builtin) = builtins::lookup(&name) {
                let argv: Vec<String> = argv_of(&items);
                return self
                    .run_builtin(builtin, &argv, &assigns, &redirs, special)
                    .map(Running::Done);
            }
        }
        if let Some(body) = self.functions.get(&name).cloned() {
            let argv: Vec<String> = argv_of(&items);
            return self
                .call_function(&body, &argv, &assigns, &redirs)
                .map(Running::Done);
        }
        Ok(self.external(&items, &assigns, &redirs))
    }

    fn run_builtin(
        &mut self,
        builtin: builtins::Builtin,
        argv: &[String],
        assigns: &[(String, String)],
        redirs: &Redirections,
        special: bool,
    ) -> Status {
        let Some(mut saved) = self.apply(redirs) else {
            return Ok(1);
        };
        let previous: Vec<(String, Option<Var>)> = assigns
            .iter()
            .map(|(k, _)| (k.clone(), self.vars.get(k).cloned()))
            .collect();
        for (k, v) in assigns {
            self.set(k, v);
        }
        let result = builtin(self, argv);
        if !special {
            for (k, old) in previous {
                match old {
                    Some(v) => {
                        self.vars.insert(k, v);
                    }
                    None => {
                        self.vars.remove(&k);
                    }
                }
            }
        }
        saved.restore();
        result
    }

    fn call_function(
        &mut self,
        body: &Command,
        argv: &[String],
        assigns: &[(String, String)],
        redirs: &Redirections,
    ) -> Status {
        let Some(mut saved) = self.apply(redirs) else {
            return Ok(1);
        };
        for (k, v) in assigns {
            self.set(k, v);
        }
        let outer = std::mem::replace(&mut self.positional, argv[1..].to_vec());
        let result = match self.run_command(body, PipeEnds::default()) {
            Ok(r) => Ok(self.wait(r)),
            Err(Flow::Return(s)) => Ok(s),
            Err(f) => Err(f),
        };
        self.positional = outer;
        saved.restore();
        result
    }

    /// Apply redirections to the shell for a builtin, function or compound command;
    /// a failure is reported and gives None.
    fn apply(&self, redirs: &Redirections) -> Option<redirect::Saved> {
        redirs.apply().map_err(|e| self.error(e)).ok()
    }

    /// Run a command given as plain strings (`command name args`): builtins, then
    /// external programs (jailed; unquoted arguments naming files are granted).
    pub fn run_argv(&mut self, argv: &[String], functions: bool) -> Status {
        if functions {
            if let Some(body) = self.functions.get(&argv[0]).cloned() {
                return self.call_function(&body, argv, &[], &Redirections::default());
            }
        }
        if let Some(b) = builtins::lookup(&argv[0]) {
            return b(self, argv);
        }
        let items: Vec<GrantItem> = argv
            .iter()
            .map(|a| {
                GrantItem::Field(expand::Field {
                    text: a.clone(),
                    quoted: false,
                })
            })
            .collect();
        let running = self.external(&items, &[], &Redirections::default());
        Ok(self.wait(running))
    }

    pub fn in_loop(&self) -> usize {
        self.loops
    }

    /// The exported variables, plus `assigns`, as the user exported them.
    fn exports(&self, assigns: &[(String, String)]) -> Vec<(OsString, OsString)> {
        let mut out: Vec<(OsString, OsString)> = self
            .vars
            .iter()
            .filter(|(_, v)| v.exported)
            .map(|(k, v)| (k.into(), (&v.value).into()))
            .collect();
        for (k, v) in assigns {
            out.retain(|(n, _)| n != k.as_str());
            out.push((k.into(), v.into()));
        }
        out
    }

    fn jail_command(
        &self,
        argv: Vec<String>,
        grants: Vec<jail::Request>,
        net: pola_fileserver::network::Network,
        assigns: &[(String, String)],
    ) -> jail::Command {
        jail::Command {
            program: PROGRAM.into(),
            argv: argv.into_iter().map(OsString::from).collect(),
            grants,
            cwd: self.cwd(),
            net,
            source_env: self
                .vars
                .iter()
                .map(|(k, v)| (k.into(), (&v.value).into()))
                .collect(),
            exports: self.exports(assigns),
            profiles: self.profiles,
            learn: self.learn,
            ask: self.ask.clone(),
            powerbox: self.powerbox,
            limits: Default::default(),
        }
    }

    /// An external command, in its own jail.
    fn external(
        &mut self,
        items: &[GrantItem],
        assigns: &[(String, String)],
        redirs: &Redirections,
    ) -> Running {
        let collected = match grants::collect(items, &self.cwd()) {
            Ok(c) => c,
            Err(e) => {
                let name = items.iter().find_map(|i| {
                    if let GrantItem::Field(f) = i {
                        Some(f.text.clone())
                    } else {
                        None
                    }
                });
                self.error(format!("{}: {e}", name.unwrap_or_default()));
                return Running::Done(2);
            }
        };
        let mut cmd = self.jail_command(collected.argv, collected.grants, collected.net, assigns);
        cmd.limits = collected.limits;
        let io = launch::Io {
            fds: redirs.for_child(&self.user_fds),
            process_group: self.next_group,
        };
        match jail::spawn(&cmd, &self.environment, &self.identity, &io) {
            Ok(j) => Running::Jail(j),
            Err(e) => {
                self.error(&e);
                Running::Done(e.status())
            }
        }
    }

    /// `!!cmd`: on the host, with the shell's full environment, unconfined on purpose.
    fn unconfined(
        &mut self,
        argv: &[String],
        assigns: &[(String, String)],
        redirs: &Redirections,
    ) -> Running {
        let path = self.get("PATH").unwrap_or("/usr/bin:/bin").to_string();
        let exe = match jail::find_program(argv[0].as_ref(), &self.cwd(), path.as_ref()) {
            Ok(p) => p,
            Err(e) => {
                self.error(&e);
                return Running::Done(e.status());
            }
        };
        let mut cmd = std::process::Command::new(exe);
        cmd.arg0(&argv[0])
            .args(&argv[1..])
            .current_dir(self.cwd())
            .env_clear();
        for (k, v) in &self.vars {
            if v.exported || v.from_env {
                cmd.env(k, &v.value);
            }
        }
        for (k, v) in assigns {
            cmd.env(k, v);
        }
        let fds = redirs.for_child(&self.user_fds);
        // SAFETY: only dup2 between fork and exec.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
                pola_fileserver::supervise::reset_job_signals();
                for (target, source) in &fds {
                    if *target != *source && libc::dup2(*source, *target) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        use std::os::unix::process::CommandExt;
        match cmd.spawn() {
            Ok(child) => Running::Process(Pid::from_raw(child.id() as i32)),
            Err(e) => {
                self.error(format!("{}: {e}", argv[0]));
                Running::Done(126)
            }
        }
    }

    /// The `grants` builtin: the namespace a command line would get.
    fn show_grants(&mut self, items: &[GrantItem]) -> i32 {
        if items.is_empty() {
            self.error("grants: usage: grants COMMAND [ARG]...");
            return 2;
        }
        let collected = match grants::collect(items, &self.cwd()) {
            Ok(c) => c,
            Err(e) => {
                self.error(format!("grants: {e}"));
                return 2;
            }
        };
        let mut cmd = self.jail_command(collected.argv, collected.grants, collected.net, &[]);
        cmd.limits = collected.limits;
        match jail::namespace(&cmd, &self.identity, &self.environment) {
            Ok(prepared) => {
                builtins::out(&jail::explain(&prepared));
                0
            }
            Err(e) => {
                self.error(format!("grants: {e}"));
                e.status()
            }
        }
    }

    /// Command substitution: run `list` in a forked copy of the shell, collect stdout.
    fn capture(&mut self, list: &List) -> Result<String, String> {
        let (read, write) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| e.desc().to_string())?;
        match sys::fork() {
            Ok(Forked::Child) => {
                drop(read);
                pola_fileserver::supervise::reset_job_signals();
                self.terminal = None;
                self.next_group = None;
                let _ = redirect::dup_onto(write.as_raw_fd(), 1);
                drop(write);
                let status = self.run_list(list).unwrap_or_else(flow_status);
                sys::exit_child(status);
            }
            Ok(Forked::Parent(pid)) => {
                drop(write);
                let mut out = Vec::new();
                use std::io::Read;
                let _ = std::fs::File::from(read).read_to_end(&mut out);
                self.status = wait_pid(pid);
                Ok(String::from_utf8_lossy(&out).into_owned())
            }
            Err(e) => Err(format!("cannot fork: {}", e.desc())),
        }
    }

    /// Notice, without blocking, jobs that ended or stopped.
    pub fn reap_jobs(&mut self) {
        let pipefail = self.options.pipefail;
        for job in &mut self.jobs {
            job.poll(pipefail);
        }
    }
}

/// An I/O error as a message: "no such file or directory", not "(os error 2)".
pub fn io_reason(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => nix::errno::Errno::from_raw(n).desc().to_ascii_lowercase(),
        None => e.to_string(),
    }
}

/// The words of a command line, without its grant markers.
fn argv_of(items: &[GrantItem]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| match i {
            GrantItem::Field(f) => Some(f.text.clone()),
            _ => None,
        })
        .collect()
}

/// "no such file: x" reads better than the errno text for a missing redirection target.
fn no_such(e: &str) -> String {
    match e.strip_suffix(": No such file or directory") {
        Some(path) => format!("{path}: no such file or directory"),
        None => e.to_string(),
    }
}

/// The status control flow stands for when it leaves a subshell.
pub fn flow_status(f: Flow) -> i32 {
    match f {
        Flow::Exit(s) | Flow::Return(s) => s,
        Flow::Break(_) | Flow::Continue(_) => 0,
    }
}

/// Wait for `pid`, as a shell reports its status (127 if it cannot be waited for).
pub fn wait_pid(pid: Pid) -> i32 {
    pola_fileserver::supervise::wait_plain(pid).unwrap_or(127)
}

fn case_matches(pattern: &str, subject: &str) -> bool {
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    glob::Pattern::new(pattern)
        .map(|p| p.matches_with(subject, options))
        .unwrap_or(pattern == subject)
}

impl Host for Shell {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }
    fn set_var(&mut self, name: &str, value: &str) -> Result<(), String> {
        self.set(name, value);
        Ok(())
    }
    fn positional(&self) -> Vec<String> {
        self.positional.clone()
    }
    fn special(&self, c: char) -> String {
        match c {
            '?' => self.status.to_string(),
            '$' => std::process::id().to_string(),
            '!' => self
                .last_background
                .map(|p| p.to_string())
                .unwrap_or_default(),
            '0' => self.arg0.clone(),
            '-' => {
                let mut s = String::new();
                if self.options.errexit {
                    s.push('e');
                }
                if self.options.noglob {
                    s.push('f');
                }
                if self.interactive {
                    s.push('i');
                }
                if self.options.nounset {
                    s.push('u');
                }
                if self.options.xtrace {
                    s.push('x');
                }
                s
            }
            _ => String::new(),
        }
    }
    fn substitute(&mut self, list: &List) -> Result<String, String> {
        self.capture(list)
    }
    fn nounset(&self) -> bool {
        self.options.nounset
    }
    fn noglob(&self) -> bool {
        self.options.noglob
    }
}
