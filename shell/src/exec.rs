//! The executor: runs the AST. The shell itself (builtins, functions, compound
//! commands, redirections, `cd`) acts with the user's full authority; every external
//! command runs in its own jail with the grants its command line names, and `!!cmd`
//! runs on the host unconfined, on purpose.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

use nix::sys::signal::Signal;
use nix::unistd::Pid;
use pola_fileserver::environment::{Environment, Identity};
use pola_fileserver::launch::{self, Jail};

use crate::ast::*;
use crate::builtins;
use crate::expand::{self, GlobMode, Host};
use crate::grants::{self, Item as GrantItem};
use crate::jail;
use crate::job::{Job, Proc, State, Terminal};
pub use crate::options::{Options, Shopt};
use crate::redirect::{self, Redirections, Target};
use crate::sys::{self, Forked};
use crate::traps::{self, Traps};
pub use crate::vars::Var;
use crate::vars::{Value, Vars};

/// Control flow that unwinds through the executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Break(usize),
    Continue(usize),
    Return(i32),
    Exit(i32),
    /// Ctrl-C at an interactive shell: what the line still had to run is left, as in
    /// bash ([`INTERRUPTED`]).
    Interrupted,
}

/// Ctrl-C at an interactive shell, not yet acted on: its own SIGINT (a loop of builtins
/// has the terminal: `while true; do i=$((i+1)); done`), or a foreground command it
/// ended (the jail has a terminal of its own, whose SIGINT the shell never gets). The
/// line's loop or list stops after the command it was running (trial 17: `for …; do
/// sleep 2; done` went on after each Ctrl-C, a loop of builtins could not be stopped).
pub static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The terminal hung up (its window closed): SIGHUP with no trap for it at an
/// interactive shell. The line stops, and the shell ends, its history saved (a loop
/// went on with its terminal gone, under PID 1, until a TERM; trial 17).
pub static HUNG_UP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The interactive shell's SIGINT handler, where it has no trap for it ([`INTERRUPTED`]):
/// atomics only.
pub extern "C" fn interrupted(_: libc::c_int) {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    crate::job::interrupt_wait(libc::SIGINT);
}

/// A command's exit status, or control flow leaving it.
pub type Status = Result<i32, Flow>;

/// A command started but not yet waited for.
pub enum Running {
    Done(i32),
    Jail(Box<Jail>),
    /// A forked copy of the shell.
    Process(Pid),
    /// A `!!` command.
    Unconfined(Pid),
}

impl Running {
    fn into_proc(self) -> Option<Proc> {
        match self {
            Running::Done(_) => None,
            Running::Jail(j) => Some(Proc {
                pid: Pid::from_raw(j.pid() as i32),
                jail: Some(*j),
                status: None,
                unconfined: false,
                died: None,
            }),
            Running::Process(pid) | Running::Unconfined(pid) => Some(Proc {
                pid,
                jail: None,
                status: None,
                unconfined: matches!(self, Running::Unconfined(_)),
                died: None,
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
    pub vars: Vars,
    pub positional: Vec<String>,
    /// The positional parameters hold text a command made (`set -- $(tool)`, a
    /// function called with such words).
    pub positional_made: bool,
    /// Text a command made seen while expanding the current words: a command
    /// substitution that ran a command or read input, a variable marked
    /// [`Var::made`], a name pathname expansion found. Saved and reset around each
    /// simple command's words ([`Shell::words_made`]) and each assignment's value.
    pub(crate) made_seen: std::cell::Cell<bool>,
    /// The current simple command's words held such text: `eval` runs them as text
    /// made at run time, a trap they set runs so, and what a builtin sets with them
    /// is marked ([`crate::vars::Vars::tainting`]).
    pub words_made: bool,
    /// `$_` holds such text.
    last_arg_made: bool,
    /// The current simple command's first word held such text: it chose the command.
    name_made: bool,
    /// The fields beginning with `@` of its words that held such text: a capability
    /// (`+ $(tool)` printing `@net`) is not taken from them.
    made_at_words: Vec<String>,
    /// In a command substitution's copy of the shell: a pipe on which it says, once,
    /// that its output may hold text a command made ([`Shell::report_made`]).
    made_report: Option<OwnedFd>,
    made_reported: std::cell::Cell<bool>,
    pub arg0: String,
    pub functions: HashMap<String, Rc<Command>>,
    pub aliases: HashMap<String, String>,
    /// `complete`'s specifications, by command name.
    pub completions: crate::builtins::complete::Completions,
    /// How deep the shell is in text it made as it ran (`eval`'s words, `.` of a
    /// pipe): while above 0, `!!` is refused in what it parses and runs, a trap set
    /// holding one ([`Shell::refuse_unconfined`]), and what `parse::MADE_REFUSED`
    /// says.
    pub made_at_run_time: u32,
    /// Functions that text made at run time defined (`eval "$(tool init)"`): they run
    /// as such text, whoever calls them.
    pub made_functions: HashSet<String>,
    /// The text run next is the shell's program (`-c`, a script file), whose last
    /// command is told to the zygote ([`Shell::last_jail`]).
    pub main_text: bool,
    /// The address of the program's last item, once it is read: nothing comes after it.
    last_item: usize,
    pub options: Options,
    pub shopt: Shopt,
    pub traps: Traps,
    pub status: i32,
    pub last_background: Option<Pid>,
    /// The default environment, or why it could not be read (`environment` file): a
    /// login shell with a bad line there still starts — builtins and `!!` work, so
    /// the file can be fixed — and each jailed command fails saying why.
    pub environment: Result<Environment, String>,
    pub identity: Identity,
    /// Descriptors 3–9 the user opened with `exec n>...`: every command gets them.
    pub user_fds: Vec<RawFd>,
    pub jobs: Vec<Job>,
    /// Job control on the terminal (interactive shells on a terminal).
    pub terminal: Option<Terminal>,
    /// The process group the next command joins (`Some(0)`: a new one).
    next_group: Option<i32>,
    pub interactive: bool,
    pub login: bool,
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
    /// `$$`: the shell's process id (a subshell keeps its parent's).
    pub pid: i32,
    started: Instant,
    random: Cell<u32>,
    /// `$_`: the last argument of the last command.
    pub last_arg: String,
    /// The functions running, innermost last (`FUNCNAME`).
    pub funcnames: Vec<String>,
    /// The files being read, the script's and each `.`'s, innermost last
    /// (`BASH_SOURCE`: `SCRIPT_DIR=$(dirname "${BASH_SOURCE[0]}")` and `[[
    /// "${BASH_SOURCE[0]}" == "$0" ]] && main` went wrong without it; language trial).
    pub sources: Vec<String>,
    /// `pushd`'s directories.
    pub dir_stack: Vec<String>,
    /// `hash`: programs found on `PATH`.
    pub hash: BTreeMap<String, PathBuf>,
    /// The `PATH` the programs in `hash` were found on (`lookup`): `PATH` can change
    /// without an assignment (a function's `local PATH` ending, `PATH=x f`, `mapfile`).
    pub hash_path: Option<String>,
    /// `getopts`: the position inside a bundle of options (`-abc`).
    pub getopts_char: usize,
    /// The status of the last command substitution of the command being expanded.
    subst_status: Option<i32>,
    /// A forked copy of the shell (a subshell).
    pub subshell: bool,
    /// The next jail started is a pipeline's member, completed once every member has
    /// started (`pipeline_members`); set for that one `external` only.
    start_later: bool,
    /// The read ends of the substitutions the shell reads itself, and the standard
    /// output it set aside for one ([`Shell::capture_in_place`]), which a forked copy
    /// closes: a writer must see its reader gone, and a reader its writers.
    capture_fds: Vec<RawFd>,
    /// The rounds of loops this forked copy of the shell has begun
    /// ([`pola_fileserver::zygote::adopt`] at the second).
    loop_rounds: u32,
    /// The arguments of the running declaration builtin that were arrays
    /// (`local a=(1 2)`), as their text.
    pub array_args: Vec<String>,
    /// The statuses of background jobs already waited for, by process id.
    pub finished: HashMap<i32, i32>,
    /// `getopts`: the `OPTIND` it left (a script that changes it starts afresh).
    pub getopts_index: usize,
    /// Per running function: the options `local -` saved, to restore at its return.
    option_frames: Vec<Option<(Options, Shopt)>>,
    /// An interactive shell reads `~/.config/pola-sh/rc` (not with `--norc`).
    pub read_rc: bool,
    /// Startup files an editor was just given to write at its question (`vim
    /// ~/.config/pola-sh/rc`), with the editor's name and the file's text before: once
    /// it has ended, the user is shown what changed and asked whether the text is
    /// theirs (`builtins::source::offer_edited`).
    pub edited_startup: Vec<crate::builtins::source::Edited>,
    /// The user descriptors holding the pipe ends of the process substitutions of the
    /// command being expanded and run (`process`).
    substituted: Vec<RawFd>,
    /// The shells running process substitutions, reaped once they exit.
    pub substituting: Vec<Pid>,
    /// For each `<(list)` open now, by its descriptor: where its shell says that what
    /// it prints may hold text a command made ([`Shell::report_made`]).
    substitution_marks: Vec<(RawFd, OwnedFd)>,
    /// The limits `ulimit` set: each command's, not the shell's own.
    pub rlimits: Vec<pola_fileserver::limits::Rlimit>,
    /// `exit` said there are stopped jobs on this line of the history (the next
    /// `exit` leaves).
    pub exit_warned: Option<usize>,
    /// Reading a script file (`pola-sh script.sh`), not `-c` or standard input.
    pub script: bool,
    /// The file each function was defined in, if any (`BASH_SOURCE` while it runs).
    pub function_files: HashMap<String, String>,
    /// The line each running function was called on, innermost last (`caller`).
    pub call_lines: Vec<usize>,
}

pub const PROGRAM: &str = "pola-sh";

/// One field as `set -x` shows it: bare if nothing in it is special, single-quoted as
/// bash quotes it (`'a b'`, `''`, `'it'\''s'`) if it holds only characters shown as
/// they are, and escaped in double quotes (`text::quote`) if it holds any that are not:
/// a field may be text a jail made (`$(...)`), and reaches the terminal.
fn traced(field: &str) -> String {
    use std::os::unix::ffi::OsStrExt;
    let bytes = crate::escapes::to_bytes(field);
    if !pola_fileserver::text::typable(std::ffi::OsStr::from_bytes(&bytes)) {
        return pola_fileserver::text::quote(&bytes);
    }
    let bare = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_alphanumeric() || "_./,:@%+=-^".contains(c));
    match bare {
        true => field.to_string(),
        false => crate::vars::quote(field),
    }
}

/// The redirections of `$(< file)` (a substitution of one command that is only an
/// input redirection), which the shell reads itself.
fn file_substitution(list: &List) -> Option<&[crate::ast::Redirect]> {
    use crate::ast::{Fd, RedirOp};
    let [item] = list.0.as_slice() else {
        return None;
    };
    let and_or = &item.and_or;
    let pipeline = &and_or.first;
    if item.background || !and_or.rest.is_empty() || pipeline.bang || pipeline.timed {
        return None;
    }
    let [Command::Simple(simple)] = pipeline.commands.as_slice() else {
        return None;
    };
    let only_input = match simple.redirects.as_slice() {
        [r] => matches!(r.op, RedirOp::Input(_)) && matches!(r.fd, None | Some(Fd::Number(0))),
        _ => false,
    };
    (only_input && !simple.unconfined && simple.assignments.is_empty() && simple.args.is_empty())
        .then_some(simple.redirects.as_slice())
}

impl Shell {
    pub fn new(arg0: String, interactive: bool) -> Result<Shell, String> {
        // What its `mktemp` makes (`crate::scratch`), known to its forked copies too.
        crate::scratch::start();
        let identity = jail::identity().map_err(|e| e.to_string())?;
        let environment = Environment::load(dirs::config_dir().as_deref()).map_err(|e| {
            let e = e.to_string();
            eprintln!("pola-sh: {e} (commands are not run in jails until it is fixed; !!COMMAND runs one unconfined)");
            e
        });
        let mut vars = Vars::default();
        for (k, v) in std::env::vars_os() {
            // A value that is not UTF-8 is kept byte for byte (`escapes::from_bytes`).
            let Ok(k) = k.into_string() else {
                continue;
            };
            let v = crate::escapes::from_os(&v);
            if !crate::vars::valid_name(&k) {
                continue;
            }
            let minimal = matches!(
                k.as_str(),
                "PATH" | "HOME" | "TERM" | "LANG" | "USER" | "TZ" | "LANGUAGE"
            ) || k.starts_with("LC_");
            vars.insert_global(
                &k,
                Var {
                    exported: minimal,
                    from_env: true,
                    ..Var::string(&v)
                },
            );
        }
        let pid = std::process::id() as i32;
        let mut sh = Shell {
            vars,
            positional: Vec::new(),
            positional_made: false,
            made_seen: std::cell::Cell::new(false),
            words_made: false,
            last_arg_made: false,
            name_made: false,
            made_at_words: Vec::new(),
            made_report: None,
            made_reported: std::cell::Cell::new(false),
            arg0,
            functions: HashMap::new(),
            aliases: HashMap::new(),
            completions: Default::default(),
            made_at_run_time: 0,
            made_functions: HashSet::new(),
            main_text: false,
            last_item: 0,
            options: Options {
                hashall: true,
                interactive_comments: true,
                braceexpand: true,
                ..Options::default()
            },
            shopt: Shopt::default(),
            traps: Traps::default(),
            status: 0,
            last_background: None,
            environment,
            identity,
            user_fds: Vec::new(),
            jobs: Vec::new(),
            terminal: None,
            next_group: None,
            interactive,
            login: false,
            line: 0,
            line_base: 1,
            history: Vec::new(),
            profiles: true,
            learn: false,
            ask: None,
            powerbox: false,
            condition: 0,
            loops: 0,
            pid,
            started: Instant::now(),
            random: Cell::new(pid as u32 ^ 0x5eed),
            last_arg: String::new(),
            funcnames: Vec::new(),
            sources: Vec::new(),
            dir_stack: Vec::new(),
            hash: BTreeMap::new(),
            hash_path: None,
            getopts_char: 0,
            subst_status: None,
            subshell: false,
            start_later: false,
            capture_fds: Vec::new(),
            loop_rounds: 0,
            array_args: Vec::new(),
            finished: HashMap::new(),
            getopts_index: 1,
            option_frames: Vec::new(),
            read_rc: true,
            edited_startup: Vec::new(),
            substituted: Vec::new(),
            substituting: Vec::new(),
            substitution_marks: Vec::new(),
            rlimits: Vec::new(),
            exit_warned: None,
            script: false,
            function_files: HashMap::new(),
            call_lines: Vec::new(),
        };
        if interactive {
            sh.options.emacs = true;
            sh.options.history = true;
            sh.options.monitor = true;
        }
        if let Ok(cwd) = jail::logical_cwd() {
            sh.set("PWD", &crate::escapes::from_os(cwd.as_os_str()));
            sh.export("PWD");
        }
        if sh.get("IFS").is_none() {
            sh.set("IFS", " \t\n");
        }
        if sh.get("PATH").is_none() {
            sh.set("PATH", "/usr/local/bin:/usr/bin:/bin");
            sh.export("PATH");
        }
        if sh.get("HOME").is_none() {
            let home = sh.identity.home.to_string_lossy().into_owned();
            sh.set("HOME", &home);
            sh.export("HOME");
        }
        for (name, value) in [("OPTIND", "1".to_string()), ("PS4", "+ ".into())] {
            sh.set(name, &value);
        }
        if interactive {
            if sh.get("PS1").is_none() {
                sh.set("PS1", crate::prompt::DEFAULT_PS1);
            }
            if sh.get("PS2").is_none() {
                sh.set("PS2", "> ");
            }
        }
        let level = sh
            .get("SHLVL")
            .and_then(|l| l.parse::<i64>().ok())
            .unwrap_or(0)
            + 1;
        // Kept in the shell: jails get only the minimal environment.
        sh.set("SHLVL", &level.to_string());
        if let Ok(host) = nix::unistd::gethostname() {
            sh.set("HOSTNAME", &host.to_string_lossy());
        }
        let ppid = nix::unistd::getppid().as_raw().to_string();
        let uid = nix::unistd::getuid().as_raw().to_string();
        let euid = nix::unistd::geteuid().as_raw().to_string();
        for (name, value) in [("PPID", ppid), ("UID", uid), ("EUID", euid)] {
            let var = sh.vars.entry(name);
            var.readonly = false;
            var.value = Some(Value::Str(value));
            var.readonly = true;
        }
        crate::pattern::set_collation("");
        Ok(sh)
    }

    // Variables.

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.scalar(name)
    }

    /// Set a variable for the shell's own purposes (a read-only one is left alone).
    pub fn set(&mut self, name: &str, value: &str) {
        let _ = self.vars.set(name, value);
        if self.options.allexport {
            self.vars.entry(name).exported = true;
        }
        self.variable_changed(name);
    }

    /// A user's assignment: read-only variables refuse it, integer ones evaluate it.
    pub fn assign(&mut self, name: &str, value: &str) -> Result<(), String> {
        let value = self.integer_value(name, value, false)?;
        self.vars.set(name, &value).map_err(|e| e.to_string())?;
        if self.options.allexport {
            self.vars.entry(name).exported = true;
        }
        self.variable_changed(name);
        Ok(())
    }

    /// For a `declare -i` variable, `value` evaluated as arithmetic (added to the old
    /// value when appending).
    pub fn integer_value(
        &mut self,
        name: &str,
        value: &str,
        append: bool,
    ) -> Result<String, String> {
        let integer = self.vars.get(name).is_some_and(|v| v.integer);
        if !integer {
            return Ok(value.to_string());
        }
        let mut n = expand::evaluate(self, value)?;
        if append {
            let old = self.get(name).unwrap_or("0").to_string();
            n = n.wrapping_add(expand::evaluate(self, &old)?);
        }
        Ok(n.to_string())
    }

    /// What the shell does when some variables change.
    fn variable_changed(&mut self, name: &str) {
        match name {
            "LC_ALL" | "LC_COLLATE" | "LANG" => {
                let locale = ["LC_ALL", "LC_COLLATE", "LANG"]
                    .iter()
                    .find_map(|n| self.get(n).filter(|v| !v.is_empty()))
                    .unwrap_or("C")
                    .to_string();
                crate::pattern::set_collation(&locale);
            }
            "PATH" => self.hash.clear(),
            "SECONDS" => {
                // Assigning SECONDS sets where it counts from.
                let base = self
                    .get("SECONDS")
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
                self.started = Instant::now()
                    .checked_sub(std::time::Duration::from_secs(base))
                    .unwrap_or_else(Instant::now);
            }
            "RANDOM" => {
                // Assigning RANDOM seeds it.
                let seed = self
                    .get("RANDOM")
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(0);
                self.random.set(seed);
            }
            _ => {}
        }
    }

    pub fn export(&mut self, name: &str) {
        self.vars.entry(name).exported = true;
    }

    /// The working directory as the user sees it: `$PWD` while it names the working
    /// directory (or the directory was removed and the kernel has no name for it).
    pub fn cwd(&self) -> PathBuf {
        let pwd = self
            .get("PWD")
            .map(crate::escapes::to_path)
            .filter(|p| p.is_absolute());
        if let Some(p) = &pwd {
            if same_dir(p) {
                return p.clone();
            }
        }
        std::env::current_dir()
            .ok()
            .or(pwd)
            .unwrap_or_else(|| PathBuf::from("/"))
    }

    // Messages: one format for every error the user sees.

    pub fn error(&self, message: impl std::fmt::Display) {
        if self.line > 0 && (!self.sources.is_empty() || !self.interactive) {
            crate::report::line(format_args!(
                "{}: line {}: {message}",
                self.reading(),
                self.line
            ));
        } else {
            crate::report::line(format_args!("{PROGRAM}: {message}"));
        }
    }

    /// Who a message about a line says it: the script or the file read by `.` (as bash
    /// says it), else pola-sh.
    fn reading(&self) -> String {
        match self.sources.last() {
            Some(file) => pola_fileserver::text::shown(file).to_string(),
            None => PROGRAM.to_string(),
        }
    }

    // Running source text.

    /// Parse and run `src` one complete command at a time (so that an alias defined
    /// on one line applies to the next, as in sh); a syntax error is reported and
    /// gives status 2, and ends a non-interactive shell.
    pub fn run_source(&mut self, src: &str) -> Status {
        self.run_text(src, !self.interactive)
    }

    /// Run `src`, text the shell made as it ran and a jail may have written (`eval`'s
    /// words, `.` of a pipe): as [`Shell::run_text`], with `!!` refused in it
    /// (`parse::MADE_AT_RUN_TIME`).
    pub fn run_made_text(&mut self, src: &str, exit_on_error: bool) -> Status {
        self.at_made_depth(self.made_at_run_time + 1, |sh| {
            sh.run_text(src, exit_on_error)
        })
    }

    /// Run `f` at `depth` in text made at run time ([`Shell::made_depth`]), then come
    /// back to the depth it was.
    pub fn at_made_depth<R>(&mut self, depth: u32, f: impl FnOnce(&mut Self) -> R) -> R {
        let outer = self.made_depth(depth);
        let r = f(self);
        self.made_depth(outer);
        r
    }

    /// Run `f` with what it sets marked as holding text a command made, or not
    /// (`Vars::tainting`), then put the mark back as it was.
    pub fn setting_marked<R>(&mut self, marked: bool, f: impl FnOnce(&mut Self) -> R) -> R {
        let outer = std::mem::replace(&mut self.vars.tainting, marked);
        let r = f(self);
        self.vars.tainting = outer;
        r
    }

    /// Set how deep the shell is in text made at run time (the variables learn it too:
    /// `Vars::made`); the depth it was. What such text prints is a command's output
    /// ([`Shell::report_made`]): a function or trap that `eval "$(tool)"` defined, run
    /// by `g > out.sh`, wrote the tool's text, which was taken as the user's (review:
    /// `. out.sh` ran its `!!`; `g >> ~/.profile` ran at the next login, `eval "$(g)"`
    /// at once).
    pub fn made_depth(&mut self, depth: u32) -> u32 {
        self.vars.made = depth > 0;
        if depth > 0 {
            self.report_made();
        }
        std::mem::replace(&mut self.made_at_run_time, depth)
    }

    /// In text made at run time, `what` (a file written, a write grant, an alias) is
    /// refused, said with `parse::MADE_REFUSED`.
    pub fn refuse_in_made_text(&self, what: &str) -> bool {
        self.made_at_run_time > 0 && self.refuse_made(what)
    }

    /// Say that `what` is refused to text made at run time; true.
    pub fn refuse_made(&self, what: &str) -> bool {
        self.error(format!("{what}: {}", crate::parse::MADE_REFUSED));
        true
    }

    /// Text a command made was used in the expansion under way.
    pub fn mark_made(&self) {
        self.made_seen.set(true);
        self.report_made();
    }

    /// In a command substitution: its output may hold text a command made (a command
    /// ran, input was read, such a value was expanded). Said once, to the shell that
    /// waits for the substitution ([`Shell::capture`]).
    pub fn report_made(&self) {
        redirect::made_event();
        if let Some(fd) = &self.made_report {
            if !self.made_reported.replace(true) {
                let _ = nix::unistd::write(fd, b"m");
            }
        }
    }

    /// In a forked copy of the shell (a substitution's): say on `w` that what it prints
    /// may hold text a command made, once, when it may ([`made_report_pipe`]).
    fn report_made_on(&mut self, w: OwnedFd) {
        self.made_report = Some(w);
        self.made_reported.set(false);
    }

    /// A builtin reads input, which may be a command's output: so is what it sets, and
    /// what it prints.
    pub fn reads_input(&mut self) {
        self.vars.tainting = true;
        self.report_made();
    }

    /// In text made at run time, `text` (a trap's action) set to be read again
    /// later: whether it holds a `!!` (anything with `!!` in it that does
    /// not read as text without one), which is then refused with a message naming
    /// `what`. Later, it would run with nothing to say where it came from.
    pub fn refuse_unconfined(&self, what: &str, text: &str) -> bool {
        if self.made_at_run_time == 0 || !text.contains("!!") {
            return false;
        }
        let options = crate::parse::Options {
            made_at_run_time: true,
            ..Default::default()
        };
        // Refused unless it reads whole without a `!!`: an alias's `true; fi; !!cmd`
        // fails to parse before its `!!`, and works inside the user's own `if`.
        let refused = crate::parse::parse_with(text, &options).is_err();
        if refused {
            self.error(format!("{what}: {}", crate::parse::MADE_AT_RUN_TIME));
        }
        refused
    }

    /// As `run_source`; `exit_on_error`: a syntax error ends the shell.
    pub fn run_text(&mut self, src: &str, exit_on_error: bool) -> Status {
        let main = std::mem::take(&mut self.main_text);
        let mut text = src.to_string();
        let mut offset = 0;
        let mut status = 0;
        loop {
            let parsed = crate::parse::parse_next(
                &mut text,
                offset,
                &crate::parse::Options {
                    aliases: Some(&self.aliases),
                    complete_input: true,
                    made_at_run_time: self.made_at_run_time > 0,
                },
            );
            match parsed {
                Ok(None) => return Ok(status),
                Ok(Some((list, next))) => {
                    offset = next;
                    if self.options.noexec && !self.interactive {
                        continue;
                    }
                    if main && only_blanks_and_comments(text.get(next..).unwrap_or("")) {
                        self.last_item =
                            list.0.last().map_or(0, |item| item as *const Item as usize);
                    }
                    status = self.run_list(&list)?;
                }
                Err(e) => {
                    let line = self.line_base + e.line - 1;
                    // Not the text's syntax but where it came from: said as such, and
                    // the script goes on, as after a failed `eval`.
                    let refused = e.message.ends_with(crate::parse::MADE_AT_RUN_TIME);
                    match refused {
                        true => eprintln!(
                            "{}: line {line}: {}",
                            self.reading(),
                            pola_fileserver::text::shown(&e.message),
                        ),
                        false => eprintln!(
                            "{}: line {line}: syntax error: {} (column {})",
                            self.reading(),
                            pola_fileserver::text::shown(&e.message),
                            e.column
                        ),
                    }
                    self.status = 2;
                    return if exit_on_error && !refused {
                        Err(Flow::Exit(2))
                    } else {
                        Ok(2)
                    };
                }
            }
        }
    }

    pub fn run_list(&mut self, list: &List) -> Status {
        let mut status = self.status;
        if list.0.is_empty() {
            return Ok(0);
        }
        for item in &list.0 {
            if self.options.noexec && !self.interactive {
                // `set -n`: read, do not run.
                return Ok(status);
            }
            if item.line.0 > 0 {
                self.line = self.line_base + item.line.0 - 1;
            }
            if self.last_item == item as *const Item as usize {
                self.last_jail(item);
            }
            status = if item.background {
                self.background(&item.and_or)?
            } else {
                self.run_and_or(&item.and_or)?
            };
            self.status = status;
            self.run_pending_traps()?;
        }
        Ok(status)
    }

    /// Before the program's last item: if it is one program run jailed (named as a
    /// plain word, no builtin or function), the zygote makes no copy ahead after its
    /// jail. A script's last copy was forked, given a network namespace and a PID 1,
    /// then ended again at its exit: CPU beside the last command, and ~1 ms of the
    /// exit (bench/README.md, twenty-eighth stop). A command the script still runs
    /// after it (an EXIT trap's) gets a copy forked for it, as does one its words run
    /// (`cat $(cat list)`: so they are not taken for it).
    fn last_jail(&self, item: &Item) {
        let Some(simple) = item.only_simple_command() else {
            return;
        };
        let program = crate::lookup::jailed_program(simple)
            .filter(|name| !self.functions.contains_key(*name));
        let runs_more = simple.args.iter().any(|a| match a {
            Arg::Word(w) => !quiet_word(w),
            _ => false,
        });
        if program.is_some() && !runs_more {
            pola_fileserver::zygote::last_jail();
        }
    }

    /// Run the commands of traps whose signals arrived.
    pub fn run_pending_traps(&mut self) -> Result<(), Flow> {
        // (Not inside a trap: the EXIT trap a hang-up runs goes to its end.)
        if self.traps.running {
            return Ok(());
        }
        if self.interactive && !self.subshell {
            use std::sync::atomic::Ordering::SeqCst;
            if HUNG_UP.load(SeqCst) {
                return Err(Flow::Exit(128 + libc::SIGHUP));
            }
            if INTERRUPTED.swap(false, SeqCst) {
                return Err(Flow::Interrupted);
            }
        }
        let (commands, ending) = self.traps.take_pending();
        for (cmd, made) in commands {
            let status = self.status;
            let r = self.run_trap(&cmd, false, made);
            match r {
                Err(f) => return Err(f),
                Ok(_) => self.status = status,
            }
        }
        // A signal that ends the script (`Traps::exit_on`): its EXIT trap first, then
        // the end the signal would have made.
        if let Some(sig) = ending {
            // What was running is killed; the trap's own commands run to their end.
            pola_fileserver::supervise::ABANDON.store(false, std::sync::atomic::Ordering::SeqCst);
            self.exit_hook(128 + sig);
            crate::traps::die_of(sig);
        }
        Ok(())
    }

    /// A trap's action. As in bash, an ERR trap's `$LINENO` is the line of the command
    /// that failed (`at_line`); another's counts from 1.
    fn run_trap(&mut self, cmd: &str, at_line: bool, made: bool) -> Status {
        self.traps.running = true;
        // A trap runs as the text that set it (`made`): one set in text made at run
        // time runs as such text, and the user's own may hold `!!`, also when it fires
        // during an `eval`.
        let here = if at_line { self.line.max(1) } else { 1 };
        let base = std::mem::replace(&mut self.line_base, here);
        let line = self.line;
        let r = self.at_made_depth(made as u32, |sh| sh.run_text(cmd, false));
        self.line_base = base;
        self.line = line;
        self.traps.running = false;
        r
    }

    /// What happens when the shell (or a subshell) ends with `status`: the EXIT trap.
    pub fn exit_hook(&mut self, status: i32) -> i32 {
        let Some(traps::Action::Run(cmd, made)) = self.traps.get(traps::EXIT).cloned() else {
            return status;
        };
        self.traps.set(traps::EXIT, None, libc::SIG_DFL);
        self.status = status;
        let r = self.run_trap(&cmd, false, made);
        match r {
            Err(Flow::Exit(s)) => s,
            _ => status,
        }
    }

    /// In a forked copy of the shell: what a subshell resets.
    fn enter_subshell(&mut self) {
        // A forked copy completes every jail it starts itself.
        self.start_later = false;
        self.loop_rounds = 0;
        for fd in self.capture_fds.drain(..) {
            // SAFETY: the parent's reader's descriptor, copied by fork; no thread of
            // this process reads it (the reader was not copied).
            unsafe { libc::close(fd) };
        }
        // and says what it has to say at once: it gives no job the terminal.
        crate::job::FOREGROUND_JOB.store(0, std::sync::atomic::Ordering::SeqCst);
        pola_fileserver::supervise::reset_job_signals();
        self.traps.enter_subshell();
        self.subshell = true;
    }

    /// End a forked copy of the shell.
    fn exit_subshell(&mut self, status: i32) -> ! {
        let status = self.exit_hook(status);
        sys::exit_child(status);
    }

    fn background(&mut self, and_or: &AndOr) -> Status {
        let job_control = self.terminal.is_some();
        let pid = match sys::fork() {
            Ok(Forked::Child) => {
                self.enter_subshell();
                // A subshell of an interactive shell (`x=$(cmd &)`) does no job control,
                // but its background job must still be apart from the terminal: the
                // relay hands the keys to the shell's group while it waits for `$(...)`.
                if job_control || self.interactive {
                    let _ = nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0));
                }
                self.terminal = None;
                if job_control {
                    sys::let_go_of_the_terminal_with_the_shell();
                }
                if !job_control {
                    // POSIX: without job control, background commands read /dev/null.
                    redirect::input_from_null();
                    // `kill $!` reaches the job's programs, not only this shell.
                    crate::job::relay_signals();
                }
                let status = self.run_and_or(and_or).unwrap_or_else(flow_status);
                self.exit_subshell(status);
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
                unconfined: false,
                died: None,
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
            t.give(&job);
        }
        job.wait(self.options.pipefail, self.terminal.is_some());
        if let Some(t) = &self.terminal {
            t.reclaim((job.state != State::Stopped).then_some(&job));
            pola_fileserver::phases::stamp("reclaimed");
            // Ended by Ctrl-C: the terminal echoed `^C` and no newline; the prompt
            // goes on the next line, as bash's does (it was drawn after `^C` with the
            // mark of an unfinished line).
            let interrupted = 128 + libc::SIGINT;
            if job.procs.iter().any(|p| p.status == Some(interrupted)) {
                eprintln!();
                // What the line still had to run is left ([`INTERRUPTED`]), if the user
                // typed the Ctrl-C (not a jail's own `exit(130)`).
                let typed = pola_fileserver::relay::interrupt_typed(job.pgid.as_raw());
                if self.interactive && !self.subshell && typed {
                    INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            }
        }
        // `Segmentation fault (core dumped)`: a status of 139 alone does not say it.
        // Of a pipeline's last command only, as bash says it.
        // (Not for what the shell killed itself on its way out: `traps::ENDING`.)
        let line = job.procs.last_mut().and_then(|p| p.died.take());
        if let Some(line) = line.filter(|_| !pola_fileserver::supervise::abandoned()) {
            crate::report::line(line);
        }
        let statuses: BTreeMap<usize, String> = job
            .procs
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.status.unwrap_or(0).to_string()))
            .collect();
        let _ = self.vars.set_value("PIPESTATUS", Value::Indexed(statuses));
        match job.state {
            State::Stopped => {
                if job.id == 0 {
                    job.id = self.next_job_id();
                }
                eprintln!("\n{}", job.line('+'));
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
        let started = p.timed.then(Times::now);
        let result = self.pipeline_status(p);
        if let Some(t) = started {
            t.report();
        }
        if p.bang {
            self.condition -= 1;
        }
        let status = result?;
        let status = if p.bang { (status == 0) as i32 } else { status };
        self.status = status;
        if status != 0 && self.condition == 0 && !p.bang {
            self.run_err_trap()?;
            if self.options.errexit {
                return Err(Flow::Exit(status));
            }
        }
        Ok(status)
    }

    fn run_err_trap(&mut self) -> Result<(), Flow> {
        if self.traps.running {
            return Ok(());
        }
        if let Some(traps::Action::Run(cmd, made)) = self.traps.get(traps::ERR).cloned() {
            let status = self.status;
            let r = self.run_trap(&cmd, true, made);
            r?;
            self.status = status;
        }
        Ok(())
    }

    fn pipeline_status(&mut self, p: &Pipeline) -> Status {
        if p.commands.len() > 1 {
            // The members of a pipeline are subshells: `$_` stays as it was.
            let last_arg = self.last_arg.clone();
            let r = self.pipeline_members(p);
            self.last_arg = last_arg;
            return r;
        }
        self.pipeline_members(p)
    }

    fn pipeline_members(&mut self, p: &Pipeline) -> Status {
        let job_control = self.terminal.is_some();
        let single = p.commands.len() == 1;
        let mut procs = Vec::new();
        let mut pgid: Option<Pid> = None;
        let mut next_stdin: Option<OwnedFd> = None;
        let mut status = 0;
        // `shopt -s lastpipe` without job control: the last member runs in the shell
        // itself (`… | while read l; do n=$((n+1)); done; echo $n`), once the others
        // have started.
        let mut last_here: Option<(&Command, PipeEnds)> = None;
        for (i, c) in p.commands.iter().enumerate() {
            if !single && i + 1 == p.commands.len() && !job_control && self.shopt.on("lastpipe") {
                last_here = Some((
                    c,
                    PipeEnds {
                        stdin: next_stdin.take(),
                        stdout: None,
                    },
                ));
                break;
            }
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
                self.start_later = !single;
                let r = self.run_command(c, ends);
                self.start_later = false;
                r
            } else {
                // The child must not hold the read end of its own output pipe, or it
                // would never learn that the reader is gone.
                let next = read.as_ref().map(|r| r.as_raw_fd());
                Ok(self.fork_command(c, ends, next))
            };
            self.next_group = None;
            match r {
                Ok(Running::Done(s)) => {
                    status = s;
                    procs.push(Proc {
                        pid: Pid::from_raw(0),
                        jail: None,
                        status: Some(s),
                        unconfined: false,
                        died: None,
                    });
                }
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
                Err(f) => {
                    // One could not start (its words: `set -u`, `failglob`): those
                    // started are waited for (their reader gone, a writer ends), not
                    // left to be reaped at the shell's exit.
                    drop(read);
                    self.complete_members(&mut procs);
                    if !procs.is_empty() {
                        let _ = self.foreground(Job {
                            id: 0,
                            pgid: pgid.unwrap_or(Pid::from_raw(0)),
                            procs,
                            text: p.to_string(),
                            state: State::Running,
                        });
                    }
                    return Err(f);
                }
            }
            next_stdin = read;
        }
        drop(next_stdin);
        // Every member started: now wait for their jails to be built.
        self.complete_members(&mut procs);
        let mut flow = None;
        if let Some((c, ends)) = last_here {
            let ran = self.run_command(c, ends).map(|r| self.wait(r));
            status = ran.unwrap_or(0);
            flow = ran.err();
            procs.push(Proc {
                pid: Pid::from_raw(0),
                jail: None,
                status: Some(status),
                unconfined: false,
                died: None,
            });
        }
        let job = |procs| Job {
            id: 0,
            pgid: pgid.unwrap_or(Pid::from_raw(0)),
            procs,
            text: p.to_string(),
            state: State::Running,
        };
        if let Some(f) = flow {
            // `exit`, `return` or `break` in it: the others are waited for first.
            let _ = self.foreground(job(procs));
            return Err(f);
        }
        if procs.iter().all(|p| p.pid.as_raw() == 0) {
            // Builtins, functions or compound commands that ran in the shell.
            let statuses: BTreeMap<usize, String> = procs
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.status.unwrap_or(0).to_string()))
                .collect();
            let _ = self.vars.set_value("PIPESTATUS", Value::Indexed(statuses));
            return Ok(status);
        }
        Ok(self.foreground(job(procs)))
    }

    /// Wait for the jails of a pipeline's started members to be built.
    fn complete_members(&mut self, procs: &mut [Proc]) {
        for p in procs.iter_mut() {
            if let Some(jail) = p.jail.as_mut() {
                if let Err(e) = jail.complete() {
                    self.error(jail::JailError::from(e));
                }
            }
        }
    }

    /// A simple command whose name is a literal word naming neither a builtin nor a
    /// function: it will be an external command.
    fn plainly_external(&self, c: &Command) -> bool {
        let Command::Simple(s) = c else { return false };
        match s.args.first() {
            Some(Arg::Word(Word(parts))) => match parts.as_slice() {
                [Part::Literal(name)] => {
                    !builtins::exists(name)
                        && name != "exec"
                        && !self.functions.contains_key(name)
                        && !self.aliases.contains_key(name)
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Wait for a started command; a shell's view of its status.
    pub fn wait(&mut self, running: Running) -> i32 {
        let _waiting = sys::Waiting::new();
        match running {
            Running::Done(s) => s,
            Running::Jail(mut jail) => {
                let status = crate::job::with_keys(|| {
                    jail.wait_ended()
                        .unwrap_or_else(|| wait_pid(Pid::from_raw(jail.pid() as i32)))
                });
                let (status, died) = jail::finish(*jail, status);
                if let Some(line) = died {
                    crate::report::line(line);
                }
                status
            }
            Running::Process(pid) | Running::Unconfined(pid) => wait_pid(pid),
        }
    }

    /// Wait for `exec`'s command. Doing job control (an interactive shell), it is the
    /// foreground job for good: it gets the keys (its terminal, through the relay) as
    /// any job does, and since no prompt is left to `fg` it, a stop (Ctrl-Z) is
    /// continued at once.
    fn wait_for_good(&mut self, running: Running) -> i32 {
        let (Some(group), Some(_)) = (self.next_group, &self.terminal) else {
            return self.wait(running);
        };
        let proc_ = match running {
            Running::Done(s) => return s,
            running => running.into_proc(),
        };
        let Some(proc_) = proc_ else { return 0 };
        let pgid = if group == 0 {
            proc_.pid
        } else {
            Pid::from_raw(group)
        };
        let _ = nix::unistd::setpgid(proc_.pid, pgid);
        let mut job = Job {
            id: 0,
            pgid,
            procs: vec![proc_],
            text: String::new(),
            state: State::Running,
        };
        if let Some(t) = &self.terminal {
            t.give(&job);
        }
        loop {
            job.wait(self.options.pipefail, true);
            if job.state != State::Stopped {
                break;
            }
            job.resume();
        }
        if let Some(t) = &self.terminal {
            t.reclaim(Some(&job));
        }
        job.status(self.options.pipefail)
    }

    /// Run `c` in a forked copy of the shell (a pipeline member that is not external);
    /// `close` is a descriptor of the parent's the child must not keep.
    fn fork_command(&mut self, c: &Command, ends: PipeEnds, close: Option<RawFd>) -> Running {
        match sys::fork() {
            Ok(Forked::Child) => {
                if let Some(fd) = close {
                    // SAFETY: the parent's descriptor, copied by fork; this process never
                    // uses it (the parent's OwnedFd is never dropped here: exit_child).
                    unsafe { libc::close(fd) };
                }
                self.enter_subshell();
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
                self.exit_subshell(status);
            }
            Ok(Forked::Parent(pid)) => Running::Process(pid),
            Err(e) => {
                self.error(format!("cannot fork: {}", e.desc()));
                Running::Done(1)
            }
        }
    }

    pub fn run_command(&mut self, c: &Command, ends: PipeEnds) -> Result<Running, Flow> {
        // The command's process substitutions: it has them (or its jail has) once it
        // has started, and their readers or writers must see the end when it does.
        let mark = self.substituted.len();
        let r = self.run_command_unsubstituted(c, ends);
        self.end_substitutions(mark);
        r
    }

    /// Close the process substitutions' pipe ends from the `mark`th on (their user
    /// descriptors reserved again).
    fn end_substitutions(&mut self, mark: usize) {
        for n in self.substituted.drain(mark..) {
            redirect::release(n);
            self.user_fds.retain(|u| *u != n);
            self.substitution_marks.retain(|(m, _)| *m != n);
        }
    }

    fn run_command_unsubstituted(&mut self, c: &Command, ends: PipeEnds) -> Result<Running, Flow> {
        match c {
            Command::Simple(s) => self.run_simple(s, ends),
            // With job control, a subshell is a job of its own, like a pipeline member:
            // it gets the terminal (its jails the keys) and can be stopped and resumed.
            Command::Compound(Compound::Subshell(list), redirects)
                if self.terminal.is_some() && self.next_group.is_some() =>
            {
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
                match sys::fork() {
                    Ok(Forked::Child) => {
                        pola_fileserver::supervise::reset_job_signals();
                        self.leave_job_control();
                        let status = self.run_list(list).unwrap_or_else(flow_status);
                        sys::exit_child(status);
                    }
                    Ok(Forked::Parent(pid)) => Ok(Running::Process(pid)),
                    Err(e) => {
                        self.error(format!("cannot fork: {}", e.desc()));
                        Ok(Running::Done(1))
                    }
                }
            }
            Command::Compound(comp, redirects) => {
                let mut redirs = match self.redirections(redirects) {
                    Ok(r) => r,
                    Err(e) => {
                        self.error(e);
                        return Ok(Running::Done(1));
                    }
                };
                if let Some(out) = ends.stdout {
                    redirs.0.insert(0, (1, Target::Open(out)));
                }
                if let Some(inp) = ends.stdin {
                    redirs.0.insert(0, (0, Target::Open(inp)));
                }
                let Some(_saved) = self.apply(&redirs) else {
                    return Ok(Running::Done(1));
                };
                self.run_compound(comp).map(Running::Done)
            }
            Command::Function { name, body } => {
                self.functions
                    .insert(name.clone(), Rc::new((**body).clone()));
                match self.made_at_run_time > 0 {
                    true => self.made_functions.insert(name.clone()),
                    false => self.made_functions.remove(name),
                };
                // Where it was defined: its `BASH_SOURCE` when it runs.
                match self.sources.last() {
                    Some(file) => self.function_files.insert(name.clone(), file.clone()),
                    None => self.function_files.remove(name),
                };
                Ok(Running::Done(0))
            }
        }
    }

    /// `select var in items; do body; done`: the items numbered on standard error,
    /// `PS3` (`#? `), a line read from standard input into `REPLY`, `var` the item it
    /// numbers (empty if none), the body run; again until `break` or the end of the
    /// input (status 1 then, as bash). An empty line shows the menu again.
    fn select(&mut self, var: &str, items: &[String], body: &List) -> Status {
        let menu: String = items
            .iter()
            .enumerate()
            // A name a jail made (`select f in *`) must not redraw the menu: escaped.
            .map(|(n, item)| format!("{}) {}\n", n + 1, crate::escapes::shown(item)))
            .collect();
        let mut status = 0;
        let mut show = true;
        self.loops += 1;
        let result = loop {
            if show {
                eprint!("{menu}");
            }
            eprint!("{}", self.get("PS3").unwrap_or("#? "));
            let (line, end) = crate::builtins::read::read_until(0, Some(b'\n'));
            if end.is_none() && line.is_empty() {
                // bash ends the prompt's line on standard output.
                super::builtins::out("\n");
                break Ok(1);
            }
            let line = crate::escapes::from_bytes(&line);
            show = line.trim().is_empty();
            if show {
                continue;
            }
            let chosen = line
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| items.get(n))
                .cloned()
                .unwrap_or_default();
            // Read, and chosen by what was read: marked, as `read`'s.
            let assigned = self.setting_marked(true, |sh| {
                sh.assign("REPLY", &line)
                    .and_then(|_| sh.assign(var, &chosen))
            });
            if let Err(e) = assigned {
                self.error(e);
                break Ok(1);
            }
            if let Some(r) = self.loop_step(body, &mut status) {
                break r.map(|_| status);
            }
        };
        self.loops -= 1;
        result
    }

    /// A loop's body: `Ok(None)` to go on, `Ok(Some(r))` to leave the loop with `r`.
    fn loop_step(&mut self, body: &List, status: &mut i32) -> Option<Status> {
        // A forked copy of the shell that loops runs its jails from a zygote of its own
        // from its second round on.
        if self.subshell {
            self.loop_rounds = self.loop_rounds.saturating_add(1);
            if self.loop_rounds == 2 {
                pola_fileserver::zygote::adopt();
            }
        }
        match self.run_list(body) {
            Ok(s) => {
                *status = s;
                None
            }
            Err(Flow::Break(n)) if n > 1 => Some(Err(Flow::Break(n - 1))),
            // The loop's status is `break`'s own, 0 (sh).
            Err(Flow::Break(_)) => {
                *status = 0;
                Some(Ok(0))
            }
            Err(Flow::Continue(n)) if n > 1 => Some(Err(Flow::Continue(n - 1))),
            Err(Flow::Continue(_)) => None,
            Err(f) => Some(Err(f)),
        }
    }

    fn run_compound(&mut self, c: &Compound) -> Status {
        match c {
            Compound::Group(l) => self.run_list(l),
            Compound::Subshell(l) => match sys::fork() {
                Ok(Forked::Child) => {
                    self.enter_subshell();
                    self.leave_job_control();
                    let status = self.run_list(l).unwrap_or_else(flow_status);
                    self.exit_subshell(status);
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
                        Err(Flow::Break(n)) if n > 1 => break Err(Flow::Break(n - 1)),
                        Err(Flow::Break(_)) => break Ok(0),
                        Err(Flow::Continue(n)) if n > 1 => break Err(Flow::Continue(n - 1)),
                        Err(Flow::Continue(_)) => continue,
                        Err(f) => break Err(f),
                    };
                    if (c == 0) == *until {
                        break Ok(status);
                    }
                    if let Some(r) = self.loop_step(body, &mut status) {
                        break r;
                    }
                };
                self.loops -= 1;
                result
            }
            Compound::For {
                var,
                words,
                body,
                select,
            } => {
                let seen = self.made_seen.replace(false);
                let items: Vec<String> = match words {
                    Some(words) => match expand::fields(self, words) {
                        Ok(f) => f.into_iter().map(|f| f.text).collect(),
                        Err(e) => {
                            self.made_seen.set(seen);
                            return self.expansion_failed(e);
                        }
                    },
                    None => self.positional.clone(),
                };
                let items_made =
                    self.made_seen.replace(seen) || (words.is_none() && self.positional_made);
                if *select {
                    return self.select(var, &items, body);
                }
                let mut status = 0;
                self.loops += 1;
                let mut result = Ok(0);
                for item in items {
                    let assigned = self.setting_marked(items_made, |sh| sh.assign(var, &item));
                    if let Err(e) = assigned {
                        self.error(e);
                        result = Ok(1);
                        break;
                    }
                    if let Some(r) = self.loop_step(body, &mut status) {
                        result = r;
                        break;
                    }
                }
                self.loops -= 1;
                result.map(|_| status)
            }
            Compound::ArithFor {
                init,
                test,
                step,
                body,
            } => {
                if let Err(e) = expand::arithmetic(self, init) {
                    return self.arith_failed(e);
                }
                let mut status = 0;
                self.loops += 1;
                let result = loop {
                    let go = if test.0.is_empty() {
                        true
                    } else {
                        match expand::arithmetic(self, test) {
                            Ok(v) => v != 0,
                            Err(e) => break self.arith_failed(e),
                        }
                    };
                    if !go {
                        break Ok(status);
                    }
                    if let Some(r) = self.loop_step(body, &mut status) {
                        break r;
                    }
                    if let Err(e) = expand::arithmetic(self, step) {
                        break self.arith_failed(e);
                    }
                };
                self.loops -= 1;
                result
            }
            Compound::Case { word, arms } => {
                let subject = match expand::string(self, word) {
                    Ok(s) => s,
                    Err(e) => return self.expansion_failed(e),
                };
                let extglob = self.shopt.on("extglob");
                let nocase = self.shopt.on("nocasematch");
                let mut status = 0;
                let mut fall_through = false;
                for arm in arms {
                    let mut hit = fall_through;
                    if !hit {
                        for p in &arm.patterns {
                            let pat = match expand::pattern(self, p) {
                                Ok(p) => p,
                                Err(e) => return self.expansion_failed(e),
                            };
                            hit = if nocase {
                                crate::pattern::matches(
                                    &pat.to_lowercase(),
                                    &subject.to_lowercase(),
                                    extglob,
                                )
                            } else {
                                crate::pattern::matches(&pat, &subject, extglob)
                            };
                            if hit {
                                break;
                            }
                        }
                    }
                    if !hit {
                        continue;
                    }
                    status = self.run_list(&arm.body)?;
                    match arm.end {
                        CaseEnd::Break => return Ok(status),
                        CaseEnd::FallThrough => fall_through = true,
                        CaseEnd::Continue => fall_through = false,
                    }
                }
                Ok(status)
            }
            Compound::Cond(c) => {
                if self.options.xtrace {
                    self.trace(&format!("[[ {c} ]]"));
                }
                Ok(crate::cond::evaluate(self, c))
            }
            Compound::Arith(w) => match expand::arithmetic(self, w) {
                Ok(v) => Ok((v == 0) as i32),
                // An error in `(( ))` is its failure, not the script's (bash).
                Err(e) => {
                    self.error(e);
                    Ok(1)
                }
            },
        }
    }

    /// An arithmetic error: reported, status 1 (bash goes on).
    fn arith_failed(&mut self, e: String) -> Status {
        self.error(e);
        if self.interactive {
            Ok(1)
        } else {
            Err(Flow::Exit(1))
        }
    }

    /// An expansion error: reported; a non-interactive shell exits (POSIX), with
    /// bash's status (127 for an unset parameter, 1 otherwise).
    fn expansion_failed(&mut self, e: String) -> Status {
        // bash leaves with 127 for an unset parameter, but a subshell, or a script
        // read from its file, with 1.
        let (status, message) = match e.strip_prefix(expand::UNSET) {
            Some(m) if !self.subshell && !self.script => (127, m.to_string()),
            Some(m) => (1, m.to_string()),
            None => (1, e),
        };
        self.error(message);
        if self.interactive {
            Ok(1)
        } else {
            Err(Flow::Exit(status))
        }
    }

    /// Expand a simple command's arguments, keeping the grant markers.
    fn expand_args(&mut self, args: &[Arg]) -> Result<Vec<GrantItem>, String> {
        let mut out = Vec::new();
        self.made_at_words.clear();
        for (i, a) in args.iter().enumerate() {
            match a {
                Arg::Word(w) => {
                    let before = self.made_seen.replace(false);
                    let fields = expand::fields(self, std::slice::from_ref(w));
                    let made = self.made_seen.get();
                    self.made_seen.set(before || made);
                    let fields = fields?;
                    if made {
                        self.made_at_words.extend(
                            fields
                                .iter()
                                .filter(|f| f.text.starts_with('@'))
                                .map(|f| f.text.clone()),
                        );
                    }
                    out.push(GrantItem::Word(fields));
                    if i == 0 {
                        self.name_made = self.made_seen.get();
                    }
                }
                Arg::Assign(a) => {
                    let text = self.assignment_text(a)?;
                    if matches!(a.value, AssignValue::Array(_)) {
                        self.array_args.push(text.clone());
                    }
                    out.push(GrantItem::Word(vec![expand::Field {
                        text,
                        literal: true,
                        unmatched: false,
                    }]))
                }
                Arg::Write => out.push(GrantItem::Write),
                Arg::Hidden => out.push(GrantItem::Hidden),
                Arg::Open => out.push(GrantItem::Open),
                Arg::Close => out.push(GrantItem::Close),
            }
        }
        Ok(out)
    }

    /// `+ command` on standard error (`set -x`), with `PS4`; its words are [`traced`].
    fn trace(&self, text: &str) {
        let ps4 = self.get("PS4").unwrap_or("+ ");
        eprintln!("{ps4}{text}");
    }

    fn run_simple(&mut self, s: &Simple, ends: PipeEnds) -> Result<Running, Flow> {
        let seen = self.made_seen.replace(false);
        let words = self.words_made;
        let r = self.run_simple_words(s, ends);
        self.words_made = words;
        self.made_seen.set(seen);
        r
    }

    fn run_simple_words(&mut self, s: &Simple, ends: PipeEnds) -> Result<Running, Flow> {
        self.subst_status = None;
        self.name_made = false;
        self.array_args.clear();
        let items = match self.expand_args(&s.args) {
            Ok(i) => i,
            Err(e) => return self.expansion_failed(e).map(Running::Done),
        };
        // Ctrl-C while a substitution in its words ran (`echo "$(sleep 9)" end`): the
        // command is left with the rest of the line, as bash leaves it.
        if self.subst_status.is_some()
            && self.interactive
            && !self.subshell
            && INTERRUPTED.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(Flow::Interrupted);
        }
        self.words_made = self.made_seen.get();
        // A command whose name such text chose (`$x` with `x='export LD_PRELOAD=…'`)
        // runs as such text.
        let chosen = self.name_made
            && matches!(s.args.first(), Some(Arg::Word(w)) if !expand::is_literal(w));
        let depth = self.made_at_run_time + chosen as u32;
        self.at_made_depth(depth, |sh| sh.run_simple_chosen(s, ends, items))
    }

    fn run_simple_chosen(
        &mut self,
        s: &Simple,
        ends: PipeEnds,
        items: Vec<GrantItem>,
    ) -> Result<Running, Flow> {
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
        let name = first_field(&items).map(|f| f.text.clone());
        let Some(name) = name else {
            // Assignments and redirections only: the assignments stay; the status is
            // that of the last command substitution.
            for a in &s.assignments {
                if let Err(e) = self.perform_assignment(a) {
                    // `set -u; x=$UNDEF`: as any expansion's (its marker was shown).
                    if e.starts_with(expand::UNSET) {
                        return self.expansion_failed(e).map(Running::Done);
                    }
                    self.error(&e);
                    // Refused to text made at run time: its failure, as eval's.
                    return if self.interactive || e.ends_with(crate::parse::MADE_VARIABLE) {
                        Ok(Running::Done(1))
                    } else {
                        Err(Flow::Exit(1))
                    };
                }
            }
            if self.options.xtrace && !s.assignments.is_empty() {
                // As made (`+ y='p q'`, not `+ y=$name`), as bash shows them.
                let text: Vec<String> = s
                    .assignments
                    .iter()
                    .map(|a| match (&a.value, &a.index, a.append) {
                        (crate::ast::AssignValue::Scalar(_), None, false) => {
                            match self.vars.scalar(&a.name).unwrap_or_default() {
                                "" => format!("{}=", a.name),
                                value => format!("{}={}", a.name, traced(value)),
                            }
                        }
                        _ => a.to_string(),
                    })
                    .collect();
                self.trace(&text.join(" "));
            }
            if !redirs.0.is_empty() {
                // The redirections are made (files created), then undone.
                let _ = self.apply(&redirs);
            }
            return Ok(Running::Done(self.subst_status.unwrap_or(0)));
        };
        if self.options.xtrace {
            let words: Vec<String> = items
                .iter()
                .map(|i| match i {
                    GrantItem::Word(fields) => fields
                        .iter()
                        .map(|f| traced(&f.text))
                        .collect::<Vec<_>>()
                        .join(" "),
                    GrantItem::Write => "=>".into(),
                    GrantItem::Hidden => "+".into(),
                    GrantItem::Open => "{".into(),
                    GrantItem::Close => "}".into(),
                })
                .collect();
            let mut text: Vec<String> = s.assignments.iter().map(|a| a.to_string()).collect();
            text.extend(words);
            self.trace(&text.join(" "));
        }
        // The command's own assignments: made now, in order (each sees the ones
        // before), and undone after the command unless it is a special builtin.
        let special = builtins::is_special(&name) && !s.unconfined;
        let is_function = !special && self.functions.contains_key(&name);
        let mut saved_vars = Vec::new();
        let mut assigns: Vec<(String, String)> = Vec::new();
        for a in &s.assignments {
            if !special {
                saved_vars.push((a.name.clone(), self.vars.get(&a.name).cloned()));
            }
            match self.perform_assignment(a) {
                Ok(()) => {
                    if let Some(v) = self.get(&a.name) {
                        assigns.push((a.name.clone(), v.to_string()));
                    }
                }
                Err(e) => {
                    self.restore_vars(saved_vars);
                    if e.starts_with(expand::UNSET) {
                        return self.expansion_failed(e).map(Running::Done);
                    }
                    self.error(&e);
                    return if self.interactive || e.ends_with(crate::parse::MADE_VARIABLE) {
                        Ok(Running::Done(1))
                    } else {
                        Err(Flow::Exit(1))
                    };
                }
            }
        }
        let result = self.dispatch(s, &name, &items, &assigns, &redirs, special, is_function);
        self.restore_vars(saved_vars);
        // `$_` is this command's last argument, once it ran.
        self.last_arg = last_field(&items).unwrap_or_default();
        self.last_arg_made = self.words_made;
        result
    }

    /// Put back variables a command's assignments changed.
    fn restore_vars(&mut self, saved: Vec<(String, Option<Var>)>) {
        for (k, old) in saved.into_iter().rev() {
            let _ = self.vars.unset(&k);
            if let Some(v) = old {
                *self.vars.entry(&k) = v;
            } else if let Some(v) = self.vars.get_mut(&k) {
                // A local the function made stays; the temporary value goes.
                v.value = None;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &mut self,
        s: &Simple,
        name: &str,
        items: &[GrantItem],
        assigns: &[(String, String)],
        redirs: &Redirections,
        special: bool,
        is_function: bool,
    ) -> Result<Running, Flow> {
        // `!!cd`: a builtin that is no program too runs in the shell, where builtins
        // run anyway (it said "command not found"; new-user trial).
        let only_builtin = || {
            let path = self.get("PATH").unwrap_or_default();
            builtins::lookup(name).is_some()
                && jail::find_program(
                    std::ffi::OsStr::new(name),
                    &self.cwd(),
                    std::ffi::OsStr::new(&path),
                )
                .is_err()
        };
        // A `!!` the user wrote, reached from text made at run time (a function of
        // theirs that text called: `s(){ !!sudo "$@"; }`, then `s rm …`): that text
        // chose what it runs.
        if s.unconfined && self.made_at_run_time > 0 {
            self.error(format!(
                "!!{}: {}",
                pola_fileserver::text::shown(name),
                crate::parse::MADE_AT_RUN_TIME
            ));
            return Ok(Running::Done(126));
        }
        let sourcing = name == "." || name == "source";
        if s.unconfined && (sourcing || !only_builtin()) {
            let argv: Vec<String> = grants::plain_argv(items, &self.cwd());
            // `!!. FILE`: a file a jail could have written, sourced on purpose.
            if sourcing {
                return self
                    .run_builtin(builtins::source::source_anyway, &argv, redirs, false)
                    .map(Running::Done);
            }
            return Ok(self.unconfined(&argv, assigns, redirs));
        }
        if name == "grants" {
            let Some(_saved) = self.apply(redirs) else {
                return Ok(Running::Done(1));
            };
            return Ok(Running::Done(builtins::grants::grants(self, &items[1..])));
        }
        if name == "exec" {
            let rest = without_first_field(items);
            if rest.is_empty() {
                return builtins::exec_keep(self, redirs).map(Running::Done);
            }
            let argv: Vec<String> = grants::plain_argv(&rest, &self.cwd());
            // Only a `!!` typed at the start of the line (`s.unconfined`, the parser's)
            // runs it unconfined: never one an expansion gave (`exec $x`, `exec *`,
            // whose text a jail may have made: security review). Or `exec pola-sh` (to
            // start afresh, the rc read again, as `exec bash` in bash), typed as it is
            // and alone, naming the shell's own program: it ran jailed, without the rc
            // (new-user trial). As `!!exec pola-sh` it goes through `!!`'s checks (a
            // program a jail may have made or swapped is refused: security review).
            // Not from text made at run time: the shell it starts would read a script
            // that text chose as the user's own (review).
            let unconfined = s.unconfined
                || (self.made_at_run_time == 0
                    && redirs.0.is_empty()
                    && typed_plainly(s, 2)
                    && self.own_program(&argv[0]).is_some());
            if let Some(status) = self.exec_option(&argv) {
                return Ok(Running::Done(status));
            }
            // A program that is not there does not end an interactive shell (bash).
            if self.interactive && !unconfined && !builtins::exists(&argv[0]) {
                if let Err(e) = self.program_for(&argv[0]) {
                    // `exec !!cmd` (the trial's): `!!` goes before `exec`.
                    let hint = match argv[0].strip_prefix("!!") {
                        Some(cmd) if !cmd.is_empty() => format!(
                            " (unconfined: !!exec {})",
                            pola_fileserver::text::shown(cmd)
                        ),
                        _ => String::new(),
                    };
                    self.error(format!("exec: {e}{hint}"));
                    return Ok(Running::Done(e.status()));
                }
            }
            // The command still runs jailed (or, `!!exec`, unconfined, as asked: it
            // ran jailed); the shell then ends with its status.
            let running = match unconfined {
                true => self.unconfined(&argv, assigns, redirs),
                false => self.external(&rest, assigns, redirs),
            };
            let status = self.wait_for_good(running);
            return Err(Flow::Exit(status));
        }
        let marked = |items: &[GrantItem]| {
            items
                .iter()
                .any(|i| matches!(i, GrantItem::Write | GrantItem::Hidden))
        };
        // `command sort in -o => out`: the grants go with the program it runs (they
        // were dropped: the builtin runs its words).
        if name == "command" && !is_function && marked(items) {
            let rest = without_first_field(items);
            let next = grants::plain_argv(&rest, &self.cwd());
            if next
                .first()
                .is_some_and(|n| !n.starts_with('-') && !builtins::exists(n))
            {
                return Ok(self.external(&rest, assigns, redirs));
            }
        }
        if !is_function {
            if let Some(builtin) = builtins::lookup(name) {
                // `echo hi => out.txt` printed "hi out.txt": the grant was dropped, and
                // `=>` read as `>` (new-user trial). A builtin runs in the shell, which
                // takes no grant; those that run a command (`command`) pass it on.
                let runs_a_command = matches!(name, "command" | "builtin" | "eval");
                if !runs_a_command && items.iter().any(|i| matches!(i, GrantItem::Write)) {
                    self.error(format!(
                        "{name}: '=>' gives a file to a command in a jail to write; {name} is a builtin, which runs in the shell and takes no grant (its output to a file: {name} … > FILE)"
                    ));
                    return Ok(Running::Done(2));
                }
                let argv: Vec<String> = grants::plain_argv(items, &self.cwd());
                // `!!eval`: the user vouches for the text, `!!` in it included.
                let builtin = match s.unconfined && name == "eval" {
                    true => builtins::eval::eval_vouched,
                    false => builtin,
                };
                return self
                    .run_builtin(builtin, &argv, redirs, special)
                    .map(Running::Done);
            }
        }
        if let Some(body) = self.functions.get(name).cloned() {
            let argv: Vec<String> = grants::plain_argv(items, &self.cwd());
            return self
                .call_function(&body, &argv, assigns, redirs)
                .map(Running::Done);
        }
        Ok(self.external(items, assigns, redirs))
    }

    /// Whether the program `name` runs is one no jail could have written (not a `vim`
    /// a jail left in a venv's `bin` or `~/.local/bin` first on PATH): only such an
    /// editor is offered the files of its line to write (review).
    fn editor_is_the_users(&self, name: &str) -> bool {
        let path = self.get("PATH").unwrap_or("").to_string();
        let Ok(exe) = jail::find_program(
            crate::escapes::to_path(name).as_os_str(),
            &self.cwd(),
            crate::escapes::to_path(&path).as_os_str(),
        ) else {
            return false;
        };
        pola_fileserver::planted::open_regular(&exe).is_some_and(|f| {
            !pola_fileserver::planted::jail_could_have_written(std::os::fd::AsFd::as_fd(&f), &exe)
        })
    }

    /// `exec -a name`, `exec -c`, `exec --`: options of `exec` pola-sh refuses
    /// plainly rather than misreading them as a program.
    fn exec_option(&mut self, argv: &[String]) -> Option<i32> {
        match argv.first().map(String::as_str) {
            Some(o) if o.starts_with('-') && o != "-" => {
                self.error(format!(
                    "exec: {}: options are not supported",
                    pola_fileserver::text::shown(o)
                ));
                Some(2)
            }
            _ => None,
        }
    }

    fn run_builtin(
        &mut self,
        builtin: builtins::Builtin,
        argv: &[String],
        redirs: &Redirections,
        special: bool,
    ) -> Status {
        let Some(mut saved) = self.apply(redirs) else {
            return if special && !self.interactive {
                Err(Flow::Exit(1))
            } else {
                Ok(1)
            };
        };
        let result = self.setting_marked(self.words_made, |sh| builtin(sh, argv));
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
        let made = self.made_functions.contains(&argv[0]);
        let outer_made = self.made_depth(self.made_at_run_time + made as u32);
        self.vars.push_scope();
        for (k, v) in assigns {
            if let Ok(var) = self.vars.make_local(k) {
                var.value = Some(Value::Str(v.clone()));
                var.exported = true;
            }
        }
        let outer = std::mem::replace(&mut self.positional, argv[1..].to_vec());
        let outer_positional_made = std::mem::replace(&mut self.positional_made, self.words_made);
        let loops = std::mem::replace(&mut self.loops, 0);
        self.funcnames.push(argv[0].clone());
        self.call_lines.push(self.line);
        // `BASH_SOURCE[0]` is the file it was defined in (bash's), for as long as it runs.
        let file = self
            .function_files
            .get(&argv[0])
            .or(self.sources.last())
            .cloned();
        let in_file = file.is_some();
        self.sources.extend(file);
        self.option_frames.push(None);
        let result = match self.run_command(body, PipeEnds::default()) {
            Ok(r) => Ok(self.wait(r)),
            Err(Flow::Return(s)) => Ok(s),
            Err(Flow::Break(_) | Flow::Continue(_)) => Ok(0),
            Err(f) => Err(f),
        };
        self.funcnames.pop();
        self.call_lines.pop();
        if in_file {
            self.sources.pop();
        }
        if let Some(Some((options, shopt))) = self.option_frames.pop() {
            self.options = options;
            self.shopt = shopt;
        }
        self.loops = loops;
        self.positional = outer;
        self.positional_made = outer_positional_made;
        self.vars.pop_scope();
        self.made_depth(outer_made);
        saved.restore();
        result
    }

    /// Apply redirections to the shell for a builtin, function or compound command;
    /// a failure is reported and gives None.
    fn apply(&self, redirs: &Redirections) -> Option<redirect::Saved> {
        let mut saved = redirs.apply().map_err(|e| self.error(e)).ok()?;
        if self.words_made {
            saved.words_made();
        }
        Some(saved)
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
                GrantItem::Word(vec![expand::Field {
                    text: a.clone(),
                    literal: false,
                    unmatched: false,
                }])
            })
            .collect();
        let running = self.external(&items, &[], &Redirections::default());
        Ok(self.wait(running))
    }

    pub fn in_loop(&self) -> usize {
        self.loops
    }

    /// `local -`: the running function's changes to the options end with it.
    pub fn save_options_for_function(&mut self) {
        if let Some(frame) = self.option_frames.last_mut() {
            if frame.is_none() {
                *frame = Some((self.options.clone(), self.shopt.clone()));
            }
        }
    }

    /// What the shell does with a signal it has no trap for: an interactive shell
    /// ignores the job-control signals and SIGINT/SIGQUIT; Rust ignores SIGPIPE.
    pub fn signal_default(&self, sig: i32) -> libc::sighandler_t {
        let ignored_interactive = [
            libc::SIGINT,
            libc::SIGQUIT,
            libc::SIGTSTP,
            libc::SIGTTIN,
            libc::SIGTTOU,
        ];
        if self.interactive && sig == libc::SIGINT && !self.subshell {
            interrupted as *const () as libc::sighandler_t
        } else if (self.interactive && ignored_interactive.contains(&sig) && !self.subshell)
            || (sig == libc::SIGPIPE && !self.subshell)
        {
            libc::SIG_IGN
        } else {
            libc::SIG_DFL
        }
    }

    /// The exported variables, plus `assigns`, as the user exported them.
    fn exports(&self, assigns: &[(String, String)]) -> Vec<(OsString, OsString)> {
        let mut out: Vec<(OsString, OsString)> = self
            .vars
            .visible()
            .into_iter()
            .filter(|(_, v)| v.exported)
            .filter_map(|(k, v)| match &v.value {
                Some(Value::Str(s)) => Some((k.into(), os_string(s))),
                _ => None,
            })
            .collect();
        for (k, v) in assigns {
            out.retain(|(n, _)| n != k.as_str());
            out.push((k.into(), os_string(v)));
        }
        out
    }

    pub fn jail_command(
        &self,
        argv: Vec<String>,
        grants: Vec<jail::Request>,
        net: pola_fileserver::network::Network,
        assigns: &[(String, String)],
    ) -> jail::Command {
        jail::Command {
            program: PROGRAM.into(),
            argv: argv.iter().map(|a| os_string(a)).collect(),
            grants,
            cwd: self.cwd(),
            net,
            source_env: self
                .vars
                .visible()
                .into_iter()
                .filter_map(|(k, v)| v.scalar().map(|s| (k.into(), s.into())))
                .collect(),
            exports: self.exports(assigns),
            profiles: self.profiles,
            learn: self.learn,
            ask: self.ask.clone(),
            powerbox: self.powerbox,
            limits: Default::default(),
            rlimits: self.rlimits.clone(),
            found: None,
            made: self.made_at_run_time > 0,
            processes: false,
            work_tree_changes: None,
            editor_declined: false,
            words_typed: !self.words_made,
        }
    }

    /// For the git commands that rewrite the work tree given `.git` and some files of
    /// it to write, but not the tree: the files they will rewrite, listed by git
    /// itself in a jail of its own given the work tree read-only ([`git_listings`]).
    /// Its output is a jail's text: only compared with the grants (and, escaped, named
    /// in the refusal's hint). `None` for any other command, or if git could not say.
    fn git_changes(&mut self, cmd: &jail::Command) -> Option<Vec<PathBuf>> {
        if Path::new(&cmd.argv[0]).file_name()? != "git" || self.made_at_run_time > 0 {
            return None;
        }
        let words: Vec<PathBuf> = cmd.argv.iter().skip(1).map(PathBuf::from).collect();
        if jail::git_moves_its_tree(&words) {
            return None;
        }
        let (sub, rest) = pola_fileserver::hints::git_subcommand(&words)?;
        let tree = jail::git_work_tree(&cmd.cwd)?.to_path_buf();
        let listings = git_listings(sub, rest, &tree, &cmd.cwd);
        // Only where it would be refused for the tree: `.git` writable, the tree not;
        // or, with hints, where it will fail, neither writable: the hint names them.
        let writable: Vec<PathBuf> = cmd
            .grants
            .iter()
            .filter(|g| g.write)
            .filter_map(|g| jail::placed(&cmd.cwd, &g.path))
            .collect();
        let git = tree.join(".git");
        let repository = writable.iter().any(|w| git.starts_with(w));
        let hinted = jail::HINTS.load(std::sync::atomic::Ordering::Relaxed) && !repository;
        if (!repository && !hinted) || writable.iter().any(|w| tree.starts_with(w)) {
            return None;
        }
        let Some(listings) = listings else {
            // The files it names (`git checkout -- f.txt`, `git restore f.txt`): for
            // the hint (it was told `+ => .`; trial 8), as git takes them, from the top.
            let named = jail::git_named_files(&words)?;
            return named
                .iter()
                .map(|n| {
                    let path = pola_fileserver::namespace::normalize(&cmd.cwd.join(n)).ok()?;
                    Some(path.strip_prefix(&tree).ok()?.to_path_buf())
                })
                .collect();
        };
        // The commit a merge or rebase names, if a listing fails: one that does not
        // resolve is refused by git itself before it changes anything (trial 20: `git
        // merge nosuchbranch + => .git` was told `+ => .`, which then showed git's own
        // error). Checked only then, and only a plain "no such commit" (status 1).
        let (listings, commit) = listings;
        let mut files = Vec::new();
        for listing in listings {
            let (at, args) = match &listing {
                GitListing::Names(args) | GitListing::Patched(args) => (&tree, args),
                GitListing::Cleaned(args) => (&cmd.cwd, args),
            };
            let (out, status) = self.git_listed(at, args, &tree);
            let Some(out) = out.filter(|_| status == 0) else {
                let verify = |rev: &String| {
                    let args = ["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")];
                    args.map(String::from).to_vec()
                };
                let unknown = commit
                    .as_ref()
                    .is_some_and(|rev| self.git_listed(&tree, &verify(rev), &tree).1 == 1);
                return unknown.then(Vec::new);
            };
            // (A name git quotes, `"a\nb"`, matches no grant: refused, as before.)
            for name in out.lines().filter(|n| !n.is_empty()) {
                let file = match &listing {
                    GitListing::Cleaned(_) => {
                        // `Would remove NAME`, relative to where it runs.
                        let Some(name) = name.strip_prefix("Would remove ") else {
                            continue;
                        };
                        cmd.cwd.join(name).strip_prefix(&tree).ok()?.to_path_buf()
                    }
                    GitListing::Patched(_) => {
                        // `ADDED\tDELETED\tPATH`; a rename (`a => b`) is not followed.
                        let path = PathBuf::from(name.splitn(3, '\t').nth(2)?);
                        // Only plain names in the tree, none in `.git`: the patch is text
                        // from anywhere (review: it chose `=> .git/hooks/…` in the hint).
                        let plain = path
                            .components()
                            .all(|c| matches!(c, std::path::Component::Normal(_)))
                            && !path.starts_with(".git");
                        if !plain || name.contains(" => ") {
                            return None;
                        }
                        path
                    }
                    GitListing::Names(_) => PathBuf::from(name),
                };
                if !files.contains(&file) {
                    files.push(file);
                }
            }
        }
        Some(files)
    }

    /// `git ARGS` run in `at` as [`Shell::git_changes`] runs its listings: jailed,
    /// given the work tree `tree` read-only, without hints: what it printed (`None` if
    /// it could not be run) and its status.
    fn git_listed(&mut self, at: &Path, args: &[String], tree: &Path) -> (Option<String>, i32) {
        let quote = |s: &OsStr| pola_fileserver::text::word(s);
        let line = format!(
            "git -c core.fsmonitor=false -C {at} {args} 2>/dev/null + {tree}",
            at = quote(at.as_os_str()),
            // Options as they are (`word` writes `./-q` for a name); the rest quoted.
            args = args
                .iter()
                .map(|w| {
                    match w.starts_with('-')
                        && w.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-=".contains(&b))
                    {
                        true => w.clone(),
                        false => quote(w.as_ref()),
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
            tree = quote(tree.as_os_str()),
        );
        let Ok(list) = crate::parse::parse(&line) else {
            return (None, 2);
        };
        let hints = jail::HINTS.swap(false, std::sync::atomic::Ordering::Relaxed);
        let status = self.status;
        let out = self.capture(&list);
        let listed = std::mem::replace(&mut self.status, status);
        jail::HINTS.store(hints, std::sync::atomic::Ordering::Relaxed);
        (out.ok(), listed)
    }

    /// An external command, in its own jail.
    fn external(
        &mut self,
        items: &[GrantItem],
        assigns: &[(String, String)],
        redirs: &Redirections,
    ) -> Running {
        // What a command prints is its own text.
        self.report_made();
        if crate::lookup::inside_jail() {
            // pola-sh running inside a jail (a script started `pola-sh -c ...`): its
            // commands run in that jail, which already holds only what was granted.
            let argv: Vec<String> = grants::plain_argv(items, &self.cwd());
            return self.unconfined(&argv, assigns, redirs);
        }
        let collected = match grants::collect(items, &self.cwd(), &crate::scratch::is_scratch) {
            Ok(c) => c,
            Err(e) => {
                let name = first_field(items).map(|f| f.text.clone());
                self.error(format!(
                    "{}: {e}",
                    pola_fileserver::text::shown(&name.unwrap_or_default())
                ));
                return Running::Done(2);
            }
        };
        // A pattern that matched nothing grants the one name it is written as (`rename
        // … + => *.txt` before any .txt was there: what it made was discarded; trial
        // 12). Said, but to what removes (`rm -f => *.o` in a clean tree is fine).
        let tool = collected
            .argv
            .first()
            .map(|a| a.rsplit('/').next().unwrap_or(a));
        let removes = tool.is_some_and(|t| ["rm", "unlink", "rmdir", "shred"].contains(&t));
        if let (Some(pattern), false) = (collected.unmatched_writes.first(), removes) {
            crate::report::line(format!(
                "{PROGRAM}: {}: => {} matches nothing here, so it grants only a file of that very name — name the files it makes (=> a.txt => b.txt), or grant their directory: + => .",
                pola_fileserver::text::shown(tool.unwrap_or_default()),
                pola_fileserver::text::shown(pattern),
            ));
        }
        if let Some(line) = collected
            .argv
            .first()
            .filter(|_| self.made_at_run_time == 0)
            .and_then(|a| jail::directory_as_target(a, &collected.passed_writes, &self.cwd()))
        {
            crate::report::line(line);
        }
        // A capability is the script's own word, never a command's output (`+
        // $(tool)` printing `@net` or `@ps`: security review), as in `eval`.
        if let Some(word) = self
            .made_at_words
            .iter()
            .find(|w| grants::is_capability_word(w))
            .filter(|_| {
                collected.processes
                    || collected.net != pola_fileserver::network::Network::Private
                    || collected.limits != Default::default()
            })
        {
            self.refuse_made(&format!(
                "{}: {}",
                pola_fileserver::text::shown(&collected.argv[0]),
                pola_fileserver::text::shown(word)
            ));
            return Running::Done(126);
        }
        // Text made at run time gives no file to write, no network and no view of the
        // machine's processes: what a jail printed would choose the user's files (`cp
        // ~/.ssh/id_rsa => shared/`) or read their command lines.
        if (collected.grants.iter().any(|g| g.write)
            || collected.processes
            || collected.net != pola_fileserver::network::Network::Private)
            && self.refuse_in_made_text(&format!(
                "{}: '=>', @net or @ps",
                pola_fileserver::text::shown(&collected.argv[0])
            ))
        {
            return Running::Done(126);
        }
        let mut argv = collected.argv;
        let mut grants = collected.grants;
        match self.program_for(&argv[0]) {
            Ok(crate::lookup::Program::Binary) => {}
            Ok(crate::lookup::Program::Script(path)) => {
                // No `#!`: sh runs it as a shell script. In the jail, with /bin/sh.
                grants.push(jail::Request {
                    path: path.clone(),
                    write: false,
                });
                if !argv[0].contains('/') {
                    argv[0] = path.to_string_lossy().into_owned();
                }
                argv.insert(0, crate::lookup::SCRIPT_SHELL.into());
            }
            Err(e) => {
                // As sh: said where the command's standard error goes (`x 2>/dev/null`,
                // `$(x 2>&1)`: it reached the shell's own; language trial).
                let saved = self.apply(redirs);
                self.error(&e);
                if let Some(mut saved) = saved {
                    saved.restore();
                }
                return Running::Done(e.status());
            }
        }
        // Not for text a command made, nor for words holding such text: it would choose
        // the file to write (review: `eval` of a tool's `vim -c … ~/.profile` was asked,
        // and Enter gave it).
        let chosen_by_user = self.made_at_run_time == 0 && !self.words_made;
        // An editor the user runs at a terminal (in the foreground: a background job's
        // shell has none): asked at its end whether to keep a file it saved at a name
        // it was not given (`:w other.txt`; trial 8: discarded).
        let mut keep_asked = false;
        let mut editor_declined = false;
        if self.interactive && self.terminal.is_some() && chosen_by_user {
            // (Its program looked up once, for the three questions.)
            let users_editor =
                crate::editors::editor(&argv[0]).is_some() && self.editor_is_the_users(&argv[0]);
            keep_asked = users_editor;
            // `vim notes.txt`: asked before the editor starts whether it may save.
            let files = crate::editors::read_only_files(&argv, &self.cwd(), &grants);
            if !files.is_empty() && users_editor {
                let question = crate::editors::question(&argv[0], &files);
                // Asked again (twice at most) when the answer is neither yes nor no: any
                // text was a silent no (new-user trial).
                let mut asked = question.clone();
                let mut answer = None;
                for _ in 0..3 {
                    answer = pola_fileserver::terminal::ask(&asked);
                    match answer.as_deref() {
                        Some(a) if !a.contains('\x03') && crate::editors::unclear(a) => {
                            asked = format!("(y or n, then Enter) {question}");
                        }
                        _ => break,
                    }
                }
                // Ctrl-C at the question: the command is not run, as at a prompt.
                if answer.as_deref().is_some_and(|a| a.contains('\x03')) {
                    return Running::Done(130);
                }
                // Nor after three answers that were neither: it ran without the files,
                // in silence (trial 8).
                if answer.as_deref().is_some_and(crate::editors::unclear) {
                    self.error(format!(
                        "{}: not run: answer y or n",
                        pola_fileserver::text::shown(&argv[0])
                    ));
                    return Running::Done(1);
                }
                // No: said after it as chosen, not as a save that failed (trial 20 was
                // told "so it could not save it" after `:q`).
                let given = answer.as_deref().map(crate::editors::yes);
                editor_declined = given == Some(false);
                if given == Some(true) {
                    let startup = crate::protect::runs_at_start(self.get("ENV"));
                    self.edited_startup.extend(
                        files
                            .iter()
                            .filter(|(_, p)| startup.iter().any(|s| same_place(s, p)))
                            .map(|(_, p)| crate::builtins::source::Edited::before(&argv[0], p)),
                    );
                    crate::editors::give(&mut grants, files, &self.cwd());
                }
            }
            // `vim => ~/.config/pola-sh/rc` (the way to make a new one): the same
            // question once it is saved (trial 5: none was asked, and the next start ran
            // the user's new rc as text a command made until `!!.`).
            if users_editor {
                let startup = crate::protect::runs_at_start(self.get("ENV"));
                let cwd = self.cwd();
                for g in grants.iter().filter(|g| g.write) {
                    let path = cwd.join(&g.path);
                    let asked = self.edited_startup.iter().any(|e| e.is(&path));
                    if !asked && startup.iter().any(|s| same_place(s, &path)) {
                        self.edited_startup
                            .push(crate::builtins::source::Edited::before(&argv[0], &path));
                    }
                }
            }
        }
        let mut cmd = self.jail_command(argv, grants, collected.net, assigns);
        cmd.limits = collected.limits;
        cmd.processes = collected.processes;
        cmd.work_tree_changes = self.git_changes(&cmd);
        cmd.editor_declined = editor_declined;
        cmd.found = self.found(&cmd.argv[0]);
        let mut fds = redirs.for_child(&self.user_fds);
        let written = written_files(&fds);
        if let Some(record) = own_record(&written) {
            self.error(format!(
                "{}: {}",
                pola_fileserver::text::shown(&cmd.argv[0]),
                jail::JailError::OwnRecord(record),
            ));
            return Running::Done(1);
        }
        match copies_own_text(&cmd, redirs) {
            // The text it will write is the user's: vouched for ahead where it would
            // not run as theirs.
            Some(text) => {
                let out = fds
                    .iter()
                    .find(|(to, _)| *to == 1)
                    .map_or(1, |(_, from)| *from);
                if let Some(read) = redirect::reopen_to_read(out) {
                    if let Some(path) = redirect::opened_at(&redirs.1, &read) {
                        let read = std::os::fd::AsFd::as_fd(&read);
                        pola_fileserver::planted::record_own_text_ahead(read, &path, text);
                    }
                }
            }
            None => {
                for path in &written {
                    pola_fileserver::planted::record_output(path);
                }
            }
        }
        // A standard descriptor closed for the command (`>&-`) would be inherited from
        // the shell: it gets a descriptor that can neither be read nor written instead
        // (an O_PATH one: reads and writes fail with EBADF, as on a closed one).
        let mut closed = redirs.closed_standard();
        // Or closed in the shell itself (`exec <&-`): the number holds the shell's
        // placeholder (`redirect::release`), which is not the command's, and was
        // otherwise free for the first descriptor the shell made, which the command
        // then got (a socket to its jail: SECURITY.md 7).
        let shells: Vec<RawFd> = (0..=2)
            .filter(|fd| !fds.iter().any(|(t, _)| t == fd) && !closed.contains(fd))
            .filter(|fd| redirect::is_free(*fd))
            .collect();
        closed.extend(shells);
        let placeholder = if closed.is_empty() {
            None
        } else {
            redirect::unusable_fd().ok()
        };
        if let Some(p) = &placeholder {
            for fd in closed {
                fds.retain(|(t, _)| *t != fd);
                fds.push((fd, p.as_raw_fd()));
            }
        }
        let mut io = launch::Io {
            fds,
            process_group: self.next_group,
            ..Default::default()
        };
        // In an interactive shell, a terminal of its own (SECURITY.md 28, 29).
        let own = match pola_fileserver::pty::isolate(&mut io) {
            Ok(own) => own,
            Err(e) => {
                self.error(format!("{}: {e}", cmd.argv[0].to_string_lossy()));
                return Running::Done(125);
            }
        };
        // A pipeline's member: its jail is built while the shell starts the next
        // member (`pipeline_members` completes it).
        let environment = match &self.environment {
            Ok(environment) => environment,
            Err(e) => {
                self.error(format!(
                    "{}: not run: {e}",
                    pola_fileserver::text::shown(&cmd.argv[0])
                ));
                return Running::Done(125);
            }
        };
        // Only a foreground job's command gets here with the terminal (a background
        // job runs in a subshell that has none).
        if io.process_group.is_some() {
            io.lend_terminal = self.terminal.as_ref().and_then(|t| t.lendable());
        }
        let later = std::mem::take(&mut self.start_later);
        let spawned = jail::start(&cmd, environment, &self.identity, &io);
        match spawned {
            Ok(mut j) => {
                if keep_asked {
                    j.ask_to_keep();
                }
                let pgid = match io.process_group {
                    Some(0) => j.pid() as i32,
                    Some(group) => group,
                    None => nix::unistd::getpgrp().as_raw(),
                };
                let lent = j.lent_terminal();
                j.then(move |j| {
                    if let Some(own) = own {
                        own.show_early();
                        if let Some(master) = j.take_terminal() {
                            own.hand_over(pgid, j.pid(), master);
                        }
                    }
                });
                if !later {
                    if let Err(e) = jail::complete(&mut j) {
                        // No job to wait for: the terminal comes back now.
                        if let (true, Some(t)) = (lent, &self.terminal) {
                            t.reclaim(None);
                        }
                        self.error(&e);
                        return Running::Done(e.status());
                    }
                }
                Running::Jail(Box::new(j))
            }
            Err(e) => {
                if let Some(own) = &own {
                    own.show_early();
                }
                // The terminal may have been handed to the job's group before the
                // start failed (`launch::Io::lend_terminal`): back to the shell, not
                // left with a group that is gone (security review).
                if let (Some(t), Some(_)) = (&self.terminal, io.lend_terminal) {
                    t.reclaim(None);
                }
                self.error(&e);
                Running::Done(e.status())
            }
        }
    }

    /// The shell's own program, if `name` (found as a command is) is it: the very
    /// file this process runs (`/proc/self/exe`, by device and inode).
    fn own_program(&self, name: &str) -> Option<PathBuf> {
        use std::os::unix::fs::MetadataExt;
        let path = self.get("PATH").unwrap_or("/usr/bin:/bin").to_string();
        let exe = jail::find_program(name.as_ref(), &self.cwd(), path.as_ref()).ok()?;
        let (found, own) = (
            std::fs::metadata(&exe).ok()?,
            std::fs::metadata("/proc/self/exe").ok()?,
        );
        ((found.dev(), found.ino()) == (own.dev(), own.ino())).then_some(exe)
    }

    /// `!!cmd`: on the host, with the shell's full environment, unconfined on purpose.
    fn unconfined(
        &mut self,
        argv: &[String],
        assigns: &[(String, String)],
        redirs: &Redirections,
    ) -> Running {
        self.report_made();
        let path = self.get("PATH").unwrap_or("/usr/bin:/bin").to_string();
        let exe = match jail::find_program(argv[0].as_ref(), &self.cwd(), path.as_ref()) {
            Ok(p) => p,
            Err(e) => {
                self.error(&e);
                return Running::Done(e.status());
            }
        };
        // With the user's full authority: never a program a jail may have made.
        let searched = !argv[0].contains('/');
        if let Err(e) = pola_fileserver::planted::unconfined_program(&exe, searched) {
            self.error(format!("!!{}: {e}", pola_fileserver::text::shown(&argv[0])));
            return Running::Done(126);
        }
        let mut cmd = std::process::Command::new(exe);
        cmd.arg0(os_string(&argv[0]))
            .args(argv[1..].iter().map(|a| os_string(a)))
            .current_dir(self.cwd())
            .env_clear();
        for (k, v) in self.vars.visible() {
            if v.exported || v.from_env {
                if let Some(s) = v.scalar() {
                    cmd.env(k, os_string(s));
                }
            }
        }
        for (k, v) in assigns {
            cmd.env(k, os_string(v));
        }
        let fds = redirs.for_child(&self.user_fds);
        let rlimits = self.rlimits.clone();
        // Like any foreground job, in the job's process group, which gets the terminal.
        if let Some(group) = self.next_group {
            std::os::unix::process::CommandExt::process_group(&mut cmd, group);
        }
        let take_terminal = self.terminal.is_some() && self.next_group.is_some();
        // SAFETY: only tcsetpgrp, signal dispositions and dup2 between fork and exec.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
                if take_terminal {
                    // Before the shell does, so that a command reading at once is not
                    // stopped (SIGTTOU is still ignored here, as in the shell).
                    libc::tcsetpgrp(0, libc::getpgrp());
                }
                pola_fileserver::supervise::reset_job_signals();
                for r in &rlimits {
                    let limit = libc::rlimit {
                        rlim_cur: r.soft,
                        rlim_max: r.hard,
                    };
                    if libc::setrlimit(r.resource as _, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                for (target, source) in &fds {
                    // In place: kept across exec (a process substitution's end is
                    // close-on-exec in the shell).
                    let kept = if *target == *source {
                        libc::fcntl(*target, libc::F_SETFD, 0)
                    } else {
                        libc::dup2(*source, *target)
                    };
                    if kept < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        use std::os::unix::process::CommandExt;
        match cmd.spawn() {
            Ok(child) => Running::Unconfined(Pid::from_raw(child.id() as i32)),
            Err(e) => {
                self.error(format!("{}: {e}", pola_fileserver::text::shown(&argv[0])));
                Running::Done(126)
            }
        }
    }

    /// Command substitution: run `list` in a forked copy of the shell, collect stdout.
    /// `$(< file)`: the file's text, read by the shell itself (bash's shorthand for
    /// `$(cat file)`), opened as any redirection is. In the substitution's child.
    fn read_for_substitution(&mut self, redirects: &[crate::ast::Redirect]) -> i32 {
        let applied = self
            .redirections(redirects)
            .and_then(|r| r.apply().map(redirect::Saved::forget));
        if let Err(e) = applied {
            eprintln!("pola-sh: {e}");
            return 1;
        }
        let copied = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::stdout().lock());
        match copied {
            Ok(_) => 0,
            Err(e) => {
                eprintln!("pola-sh: {e}");
                1
            }
        }
    }

    fn capture(&mut self, list: &List) -> Result<String, String> {
        if let Some(p) = self.in_place(list) {
            return self.capture_in_place(p);
        }
        let (read, write) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| e.desc().to_string())?;
        // Whether what it prints may hold text a command made (`$(tool)`; not
        // `$(mktemp)` or `$(printf %s "$mine")`, the shell's own).
        let (made_r, made_w) = made_report_pipe()?;
        match sys::fork() {
            Ok(Forked::Child) => {
                drop(read);
                drop(made_r);
                self.report_made_on(made_w);
                self.enter_subshell();
                self.terminal = None;
                self.next_group = None;
                let _ = redirect::dup_onto(write.as_raw_fd(), 1);
                drop(write);
                let status = match file_substitution(list) {
                    Some(redirects) => {
                        self.report_made();
                        self.read_for_substitution(redirects)
                    }
                    None => self.run_list(list).unwrap_or_else(flow_status),
                };
                self.exit_subshell(status);
            }
            Ok(Forked::Parent(pid)) => {
                drop(write);
                drop(made_w);
                let mut out = Vec::new();
                use std::io::Read;
                // Held in the shell's memory, which no jail's limit covers: bounded (a
                // jailed `yes` in `$(...)` would grow the shell until it is killed).
                // What is over is not read; the writer gets EPIPE.
                self.status = crate::job::with_keys(|| {
                    let _ = std::fs::File::from(read)
                        .take(SUBSTITUTION_MAX + 1)
                        .read_to_end(&mut out);
                    wait_pid(pid)
                });
                let made = nix::unistd::read(&made_r, &mut [0u8]).is_ok_and(|n| n > 0);
                Ok(self.substituted(out, made))
            }
            Err(e) => Err(format!("cannot fork: {}", e.desc())),
        }
    }

    /// The pipeline of a substitution whose forked copy of the shell would only start
    /// jails and wait, in a script (no terminal of the shell's to keep from them): one
    /// pipeline, not timed or negated, whose plain external commands' words,
    /// assignments and redirections expand without setting, erroring or running
    /// anything ([`quiet_word`]) — alone it must be one, in a pipeline (`$(ls | wc
    /// -l)`) the other members run in forked copies as ever (and with `lastpipe` none
    /// runs in the shell). A forked copy cannot hand its jails to the shell's zygote:
    /// it built each from nothing (`x=$(cat f)` took three times what `cat f` does;
    /// bench/README.md, fortieth stop).
    fn in_place<'l>(&self, list: &'l List) -> Option<&'l Pipeline> {
        let [item] = list.0.as_slice() else {
            return None;
        };
        let pipeline = &item.and_or.first;
        if item.background || !item.and_or.rest.is_empty() || pipeline.bang || pipeline.timed {
            return None;
        }
        let quiet_assignment = |a: &Assignment| {
            a.index.is_none() && matches!(&a.value, AssignValue::Scalar(w) if quiet_word(w))
        };
        let quiet_redirect = |r: &Redirect| {
            !matches!(r.fd, Some(Fd::Var(_)))
                && match &r.op {
                    RedirOp::HereDoc(_) | RedirOp::HereString(_) => false,
                    RedirOp::Input(w)
                    | RedirOp::Output(w)
                    | RedirOp::Clobber(w)
                    | RedirOp::Both(_, w)
                    | RedirOp::Append(w)
                    | RedirOp::ReadWrite(w)
                    | RedirOp::Dup(_, w) => quiet_word(w),
                }
        };
        let quiet_arg = |a: &Arg| match a {
            Arg::Word(w) => quiet_word(w),
            Arg::Assign(_) => false,
            Arg::Write | Arg::Hidden | Arg::Open | Arg::Close => true,
        };
        // A plain external command is expanded and started by the shell itself.
        let quiet_program = |c: &Command| match c {
            Command::Simple(simple) if self.plainly_external(c) => {
                !simple.unconfined
                    && simple.assignments.iter().all(quiet_assignment)
                    && simple.redirects.iter().all(quiet_redirect)
                    && simple.args.iter().all(quiet_arg)
            }
            _ => false,
        };
        let ok = match pipeline.commands.as_slice() {
            [] => false,
            [one] => quiet_program(one),
            many => {
                !self.shopt.on("lastpipe")
                    && many
                        .iter()
                        .all(|c| !self.plainly_external(c) || quiet_program(c))
            }
        };
        ok.then_some(pipeline)
    }

    /// [`Shell::capture`] of [`Shell::in_place`]'s pipeline, started by the shell
    /// itself, its output on a pipe read by a thread while the shell waits. What the
    /// forked copy kept to itself stays so: `$_`, `PIPESTATUS`, `set -e` and the ERR
    /// trap (the substitution's status is what the shell sees).
    fn capture_in_place(&mut self, p: &Pipeline) -> Result<String, String> {
        use std::io::Read;
        // Above the user's descriptors: with standard output closed (`exec >&-`), a
        // pipe's read end would take its number.
        let (read, write) = redirect::pipe()?;
        let read_fd = read.as_raw_fd();
        let reader = std::thread::Builder::new()
            .name("pola-capture".into())
            .spawn(move || {
                let mut out = Vec::new();
                let mut file = std::fs::File::from(read);
                // As the forked copy's reader: bounded, and what is over is not read:
                // the writers get EPIPE. The number stays taken (by /dev/null) until
                // the shell no longer has forked copies close it.
                let _ = (&mut file).take(SUBSTITUTION_MAX + 1).read_to_end(&mut out);
                if out.len() as u64 > SUBSTITUTION_MAX {
                    if let Ok(null) = std::fs::File::open("/dev/null") {
                        // SAFETY: dup3 replaces this thread's own descriptor.
                        unsafe { libc::dup3(null.as_raw_fd(), file.as_raw_fd(), libc::O_CLOEXEC) };
                    }
                }
                (out, file)
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        self.capture_fds.push(read_fd);
        // The command whose words are being expanded is the shell's until its own run:
        // what the forked copy would have changed only in itself is put back.
        let outer = Outer {
            last_arg: self.last_arg.clone(),
            last_arg_made: self.last_arg_made,
            name_made: self.name_made,
            made_at_words: std::mem::take(&mut self.made_at_words),
            array_args: std::mem::take(&mut self.array_args),
            hash: self.hash.clone(),
            hash_path: self.hash_path.clone(),
            subshell: std::mem::replace(&mut self.subshell, true),
            pipestatus: self.vars.get("PIPESTATUS").cloned(),
        };
        // As in the forked copy, no job control: the jails are of the shell's own
        // process group, whose terminals get the keys while the shell waits (Ctrl-C
        // ends them, Ctrl-Z is dropped), and the terminal stays the shell's.
        let terminal = self.terminal.take();
        let next_group = self.next_group.take();
        let ran = crate::job::with_keys(|| match p.commands.as_slice() {
            [c] => {
                let ends = PipeEnds {
                    stdin: None,
                    stdout: Some(write),
                };
                self.run_command(c, ends).map(|r| self.wait(r))
            }
            _ => {
                // The pipeline's output is the shell's for the time it runs, as it was
                // the forked copy's: its last member writes there, jailed or forked.
                // SAFETY: F_DUPFD_CLOEXEC makes a new descriptor, owned here.
                let saved = unsafe { libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 10) };
                let _ = redirect::dup_onto(write.as_raw_fd(), 1);
                drop(write);
                if saved >= 0 {
                    self.capture_fds.push(saved);
                }
                let r = self.pipeline_members(p);
                match saved {
                    -1 => redirect::release(1),
                    saved => {
                        self.capture_fds.retain(|fd| *fd != saved);
                        let _ = redirect::dup_onto(saved, 1);
                        let _ = nix::unistd::close(saved);
                    }
                }
                r
            }
        });
        self.terminal = terminal;
        self.next_group = next_group;
        let pipestatus;
        Outer {
            last_arg: self.last_arg,
            last_arg_made: self.last_arg_made,
            name_made: self.name_made,
            made_at_words: self.made_at_words,
            array_args: self.array_args,
            hash: self.hash,
            hash_path: self.hash_path,
            subshell: self.subshell,
            pipestatus,
        } = outer;
        match pipestatus {
            Some(v) => *self.vars.entry("PIPESTATUS") = v,
            None => {
                let _ = self.vars.unset("PIPESTATUS");
            }
        }
        // The output's writers are gone once the pipeline's jails are: its end is read.
        let joined = reader.join();
        self.capture_fds.retain(|fd| *fd != read_fd);
        let out = joined.map(|(out, _file)| out).unwrap_or_default();
        self.status = ran.unwrap_or_else(flow_status);
        // What a program prints is its own text, as the forked copy would have said.
        Ok(self.substituted(out, true))
    }

    /// A substitution's value from what its list printed (`out`, read up to one byte
    /// over the bound), with the list's status in `self.status`; `made`: it may hold
    /// text a command made.
    fn substituted(&mut self, mut out: Vec<u8>, made: bool) -> String {
        if out.len() as u64 > SUBSTITUTION_MAX {
            out.truncate(SUBSTITUTION_MAX as usize);
            eprintln!(
                "pola-sh: command substitution: output over {} MiB, the rest not read",
                SUBSTITUTION_MAX >> 20
            );
            self.status = 1;
        }
        self.subst_status = Some(self.status);
        if made {
            self.mark_made();
        }
        // A shell string cannot hold NUL: bash drops them from the output.
        out.retain(|b| *b != 0);
        crate::escapes::from_bytes(&out)
    }

    /// Process substitution (`<(list)`, `>(list)`): `list` runs in a forked copy of
    /// the shell with its output (or input) on a pipe whose other end is the highest
    /// free user descriptor (3–9: what a command, jailed or not, is given), named by
    /// the `/dev/fd/N` this returns, until the command being expanded has started.
    fn process(&mut self, list: &List, write: bool) -> Result<String, String> {
        let free = |fd: &RawFd| !self.user_fds.contains(fd) && redirect::is_free(*fd);
        let Some(n) = (3..=pola_fileserver::launch::MAX_USER_FD).rev().find(free) else {
            return Err("process substitution: descriptors 3 to 9 are all in use".into());
        };
        let (read, written) = redirect::pipe()?;
        let (ours, theirs) = if write {
            (written, read)
        } else {
            (read, written)
        };
        // Whether what `<(list)` prints may hold text a command made (`. <(tool)`
        // runs it as such text; `. <(echo "export EDITOR=vim")` as the script's).
        let marks = match write {
            true => None,
            false => Some(made_report_pipe()?),
        };
        match sys::fork() {
            Ok(Forked::Child) => {
                drop(ours);
                if let Some((_, mark_w)) = marks {
                    self.report_made_on(mark_w);
                }
                self.enter_subshell();
                // Apart from the terminal, as a background job: in a process group of
                // its own when the shell is interactive (the relay hands the keys to
                // the shell's group while it waits for `$(...)`: a list still running
                // there would take them), its input /dev/null.
                if self.interactive {
                    let _ = nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0));
                    if !write {
                        redirect::input_from_null();
                    }
                }
                self.terminal = None;
                self.next_group = None;
                // Not this list's to hold: a reader must see its writer's end.
                self.end_substitutions(0);
                let _ = redirect::dup_onto(theirs.as_raw_fd(), if write { 0 } else { 1 });
                drop(theirs);
                let status = self.run_list(list).unwrap_or_else(flow_status);
                self.exit_subshell(status);
            }
            Ok(Forked::Parent(pid)) => {
                drop(theirs);
                self.substitution_marks.retain(|(m, _)| *m != n);
                if let Some((mark_r, _)) = marks {
                    self.substitution_marks.push((n, mark_r));
                }
                self.substituting.push(pid);
                self.last_background = Some(pid);
                // Close-on-exec: a command is given it as a user descriptor; no other
                // program the shell starts (its zygote) may hold the pipe open.
                // SAFETY: dup3 only manipulates the descriptor table.
                let copied = unsafe { libc::dup3(ours.as_raw_fd(), n, libc::O_CLOEXEC) };
                nix::errno::Errno::result(copied).map_err(|e| e.desc().to_string())?;
                self.substituted.push(n);
                self.user_fds.push(n);
                Ok(format!("/dev/fd/{n}"))
            }
            Err(e) => Err(format!("cannot fork: {}", e.desc())),
        }
    }

    /// Whether what `.` read from `path` was a `<(list)` that printed only the script's
    /// own text: its shell said nothing of a command's output, and has let go of the
    /// pipe it would say it on.
    pub fn substitution_own_text(&self, path: &str) -> bool {
        let Some(n) = redirect::fd_path_number(path) else {
            return false;
        };
        let Some((_, marks)) = self.substitution_marks.iter().find(|(m, _)| *m == n) else {
            return false;
        };
        matches!(nix::unistd::read(marks, &mut [0u8]), Ok(0))
    }

    /// `wait PID` for a process substitution's shell: its status, once it has ended;
    /// `None` if `pid` is not one (or was reaped already).
    pub fn wait_substitution(&mut self, pid: i32) -> Option<i32> {
        let i = self.substituting.iter().position(|p| p.as_raw() == pid)?;
        let status = crate::job::with_keys(|| wait_pid(self.substituting[i]));
        self.substituting.remove(i);
        self.finished.insert(pid, status);
        Some(status)
    }

    /// Notice, without blocking, jobs that ended or stopped.
    pub fn reap_jobs(&mut self) {
        pola_fileserver::launch::reap_ended(false);
        self.substituting.retain(|pid| {
            use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
            matches!(
                waitpid(*pid, Some(WaitPidFlag::WNOHANG)),
                Ok(WaitStatus::StillAlive) | Err(nix::errno::Errno::EINTR)
            )
        });
        let pipefail = self.options.pipefail;
        let job_control = self.terminal.is_some();
        for job in &mut self.jobs {
            job.poll(pipefail, job_control);
        }
    }

    /// The next value of `$RANDOM` (0 to 32767).
    fn next_random(&self) -> u32 {
        // A linear congruential generator, as shells use: not for secrets.
        let next = self
            .random
            .get()
            .wrapping_mul(1103515245)
            .wrapping_add(12345);
        self.random.set(next);
        (next >> 16) & 0x7fff
    }
}

/// The most output a command substitution gives the shell, in bytes.
const SUBSTITUTION_MAX: u64 = 256 << 20;

/// An argument for a program: the shell's text as bytes (see `escapes::byte`).
fn os_string(text: &str) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(crate::escapes::to_bytes(text).into_owned())
}

/// Whether `p` names the process's working directory.
fn same_dir(p: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(p), std::fs::metadata(".")) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// User and system time of the shell and its children, for `time`.
struct Times {
    real: Instant,
    user: f64,
    sys: f64,
}

impl Times {
    fn now() -> Times {
        let (user, sys) = cpu_times();
        Times {
            real: Instant::now(),
            user,
            sys,
        }
    }

    fn report(&self) {
        // The shims of the jails it timed, which exit once their PID 1 said the
        // command ended, are reaped now: their CPU (their commands') is counted with
        // them, and went to the next timed command (trials 12, 13).
        pola_fileserver::launch::reap_ended(true);
        let (user, sys) = cpu_times();
        let real = self.real.elapsed().as_secs_f64();
        let show = |s: f64| format!("{}m{:.3}s", (s / 60.0) as u64, s % 60.0);
        eprintln!(
            "\nreal\t{}\nuser\t{}\nsys\t{}",
            show(real),
            show(user - self.user),
            show(sys - self.sys)
        );
    }
}

fn cpu_times() -> (f64, f64) {
    let get = |who| {
        nix::sys::resource::getrusage(who)
            .map(|u| {
                let t =
                    |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
                (t(u.user_time()), t(u.system_time()))
            })
            .unwrap_or((0.0, 0.0))
    };
    let (a, b) = get(nix::sys::resource::UsageWho::RUSAGE_SELF);
    let (c, d) = get(nix::sys::resource::UsageWho::RUSAGE_CHILDREN);
    (a + c, b + d)
}

/// An I/O error as a message: "no such file or directory", not "(os error 2)".
pub fn io_reason(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => nix::errno::Errno::from_raw(n).desc().to_ascii_lowercase(),
        None => e.to_string(),
    }
}

/// The first field of a command line: the command's name.
fn first_field(items: &[GrantItem]) -> Option<&expand::Field> {
    items.iter().find_map(|i| match i {
        GrantItem::Word(fields) => fields.first(),
        _ => None,
    })
}

/// The last field of a command line (`$_`).
fn last_field(items: &[GrantItem]) -> Option<String> {
    items.iter().rev().find_map(|i| match i {
        GrantItem::Word(fields) => fields.last().map(|f| f.text.clone()),
        _ => None,
    })
}

/// Whether the simple command `s` is `words` words typed as they are: no quotes,
/// expansions, patterns, assignments or grant markers.
fn typed_plainly(s: &Simple, words: usize) -> bool {
    s.assignments.is_empty()
        && s.args.len() == words
        && s.args.iter().all(|a| match a {
            Arg::Word(w) => w
                .plain()
                .is_some_and(|t| !t.contains(['*', '?', '[', '{', '~'])),
            _ => false,
        })
}

/// A file of pola-sh's records among `written` (`tool >> ~/.local/state/pola-sh/written`,
/// or the shell's own standard output there): never a jail's to write, as by name
/// (`protect::records_dir`). Looked for only when a file is written at all.
fn own_record(written: &[std::path::PathBuf]) -> Option<std::path::PathBuf> {
    if written.is_empty() {
        return None;
    }
    let records = crate::protect::records_dir()?;
    written
        .iter()
        .find(|path| path.starts_with(&records))
        .cloned()
}

/// The regular files a jail is handed open to write (`tool completion > f`, `exec 3>
/// log`, a script's own output sent to a file): what is in them is the jail's output,
/// so `.` runs them as `eval` runs a command's output, without `!!`
/// (`planted::record_output`; review: `tool > f; . f` ran a `!!` the jail wrote).
/// `fds`: the command's descriptors and the shell's own they come from; the standard
/// ones not among them are the shell's.
fn written_files(fds: &[(RawFd, RawFd)]) -> Vec<std::path::PathBuf> {
    let inherited = [1, 2]
        .into_iter()
        .filter(|n| !fds.iter().any(|&(to, _)| to == *n));
    let mut out = Vec::new();
    for fd in fds.iter().map(|&(_, from)| from).chain(inherited) {
        // SAFETY: the shell's own descriptor, open while the command is started.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        if redirect::file_written(fd).is_some() {
            out.extend(pola_fileserver::slots::fd_path(&fd).ok());
        }
    }
    out
}

/// Whether two paths name the same place, where the links lead (a file not made yet by
/// its directory's).
fn same_place(a: &std::path::Path, b: &std::path::Path) -> bool {
    let real = |p: &std::path::Path| match std::fs::canonicalize(p) {
        Ok(real) => real,
        Err(_) => match (p.parent().map(std::fs::canonicalize), p.file_name()) {
            (Some(Ok(dir)), Some(name)) => dir.join(name),
            _ => p.to_path_buf(),
        },
    };
    real(a) == real(b)
}

/// Whether the command copies the script's own text to its output: the system's `cat`
/// given nothing to read but a here-document or here-string the script wrote (`cat >
/// env.sh <<'EOF'`). What it writes is the user's, not a command's output (new-user
/// trial: such an env file's `export EDITOR=vim` was refused to `.`). The text it
/// copies, if so.
fn copies_own_text<'a>(cmd: &jail::Command, redirs: &'a Redirections) -> Option<&'a [u8]> {
    let (exe, _) = cmd.found.as_ref()?;
    let system = ["/usr/bin/cat", "/bin/cat"];
    let text = redirs.2.as_deref()?;
    (cmd.grants.is_empty()
        && cmd.argv[1..].iter().all(|a| a == "-")
        && std::fs::canonicalize(exe)
            .is_ok_and(|real| system.iter().any(|s| real == std::path::Path::new(s))))
    .then_some(text)
}

/// A pipe (read end, write end) on which a forked copy of the shell says that what it
/// prints may hold text a command made ([`Shell::report_made`]); the read end does not
/// wait.
fn made_report_pipe() -> Result<(OwnedFd, OwnedFd), String> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)
        .map_err(|e| e.desc().to_string())
}

/// A command line without its first field (`exec CMD ARGS` runs `CMD ARGS`).
fn without_first_field(items: &[GrantItem]) -> Vec<GrantItem> {
    let mut out = Vec::new();
    let mut dropped = false;
    for item in items {
        match item {
            GrantItem::Word(fields) if !dropped && !fields.is_empty() => {
                dropped = true;
                if fields.len() > 1 {
                    out.push(GrantItem::Word(fields[1..].to_vec()));
                }
            }
            GrantItem::Word(_) if !dropped => {}
            other => out.push(other.clone()),
        }
    }
    out
}

/// The status control flow stands for when it leaves a subshell.
pub fn flow_status(f: Flow) -> i32 {
    match f {
        Flow::Exit(s) | Flow::Return(s) => s,
        Flow::Break(_) | Flow::Continue(_) => 0,
        Flow::Interrupted => 128 + libc::SIGINT,
    }
}

/// Wait for `pid`, as a shell reports its status (127 if it cannot be waited for).
pub fn wait_pid(pid: Pid) -> i32 {
    pola_fileserver::supervise::wait_plain(pid).unwrap_or(127)
}

impl Host for Shell {
    fn value(&self, name: &str) -> Option<Value> {
        let dynamic = match name {
            "RANDOM" => self.next_random().to_string(),
            "SECONDS" => self.started.elapsed().as_secs().to_string(),
            "LINENO" => self.line.max(1).to_string(),
            "BASHPID" => std::process::id().to_string(),
            "EPOCHSECONDS" => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
                .to_string(),
            "_" => {
                if self.last_arg_made {
                    self.mark_made();
                }
                self.last_arg.clone()
            }
            "FUNCNAME" if !self.funcnames.is_empty() => {
                // In a script read from its file, its top level is `main` (bash's).
                let main = self.script.then(|| "main".to_string());
                let m = self
                    .funcnames
                    .iter()
                    .rev()
                    .cloned()
                    .chain(main)
                    .enumerate()
                    .collect();
                return Some(Value::Indexed(m));
            }
            "BASH_SOURCE" if !self.sources.is_empty() => {
                let m = self.sources.iter().rev().cloned().enumerate().collect();
                return Some(Value::Indexed(m));
            }
            _ => {
                let var = self.vars.get(name)?;
                if var.made {
                    self.mark_made();
                }
                return var.value.clone();
            }
        };
        Some(Value::Str(dynamic))
    }
    fn set_var(&mut self, name: &str, value: &str) -> Result<(), String> {
        // `${x:=$(tool)}`: what the expansion used so far is in the value.
        let marked = self.vars.tainting || self.made_seen.get();
        self.setting_marked(marked, |sh| sh.assign(name, value))
    }
    fn set_element(&mut self, name: &str, key: &str, value: &str) -> Result<(), String> {
        let key = self.element_key(name, key)?;
        let value = self.integer_value(name, value, false)?;
        self.vars
            .set_element(name, key, &value)
            .map_err(|e| e.to_string())
    }
    fn names(&self) -> Vec<String> {
        self.vars
            .visible()
            .into_iter()
            .filter(|(_, v)| v.value.is_some())
            .map(|(k, _)| k.to_string())
            .collect()
    }
    fn positional(&self) -> Vec<String> {
        if self.positional_made {
            self.mark_made();
        }
        self.positional.clone()
    }
    fn saw_made(&self) {
        self.mark_made();
    }
    fn special(&self, c: char) -> String {
        match c {
            '?' => self.status.to_string(),
            '$' => self.pid.to_string(),
            '!' => self
                .last_background
                .map(|p| p.to_string())
                .unwrap_or_default(),
            '0' => self.arg0.clone(),
            '-' => self.options.letters(self.interactive),
            _ => String::new(),
        }
    }
    fn substitute(&mut self, list: &List) -> Result<String, String> {
        self.capture(list)
    }
    fn reference(&self, name: &str) -> Option<String> {
        self.vars.reference(name).map(str::to_string)
    }
    fn process(&mut self, list: &List, write: bool) -> Result<String, String> {
        Shell::process(self, list, write)
    }
    fn nounset(&self) -> bool {
        self.options.nounset
    }
    fn glob_mode(&self) -> GlobMode {
        GlobMode {
            noglob: self.options.noglob,
            nullglob: self.shopt.on("nullglob"),
            failglob: self.shopt.on("failglob"),
            options: crate::pattern::GlobOptions {
                dotglob: self.shopt.on("dotglob"),
                extglob: self.shopt.on("extglob"),
                nocaseglob: self.shopt.on("nocaseglob"),
                globstar: self.shopt.on("globstar"),
            },
        }
    }
    fn braceexpand(&self) -> bool {
        self.options.braceexpand
    }
    fn cwd(&self) -> PathBuf {
        Shell::cwd(self)
    }
    fn patsub_replacement(&self) -> bool {
        self.shopt.on("patsub_replacement")
    }
}

/// What [`Shell::capture_in_place`] keeps of the command being expanded around the
/// substitution's own run, which is the shell's.
struct Outer {
    last_arg: String,
    last_arg_made: bool,
    name_made: bool,
    made_at_words: Vec<String>,
    array_args: Vec<String>,
    hash: BTreeMap<String, PathBuf>,
    hash_path: Option<String>,
    subshell: bool,
    pipestatus: Option<crate::vars::Var>,
}

/// Whether expanding `word` only reads the shell's state: no command or process
/// substitution, no arithmetic, no `${x=…}` (which sets) or `${x?…}` (which ends a
/// script), and none of the parameters a subshell has its own of.
fn quiet_word(word: &Word) -> bool {
    word.0.iter().all(quiet_part)
}

fn quiet_part(part: &Part) -> bool {
    match part {
        Part::Literal(_) | Part::Single(_) | Part::Escaped(_) | Part::Tilde(_) => true,
        Part::Double(parts) => parts.iter().all(quiet_part),
        Part::Param(p) => {
            let own = matches!(&p.name, ParamName::Var(n) if ["BASHPID", "RANDOM", "SRANDOM"].contains(&n.as_str()));
            let index = matches!(p.index, None | Some(Subscript::At | Subscript::Star));
            let op = match &p.op {
                ParamOp::Plain
                | ParamOp::Length
                | ParamOp::Names(_)
                | ParamOp::Keys
                | ParamOp::Transform(_) => true,
                ParamOp::Default(_, w)
                | ParamOp::Alternative(_, w)
                | ParamOp::TrimSuffix(_, w)
                | ParamOp::TrimPrefix(_, w) => quiet_word(w),
                ParamOp::Replace(_, a, b) => quiet_word(a) && quiet_word(b),
                ParamOp::Case { pattern, .. } => quiet_word(pattern),
                ParamOp::Assign(..) | ParamOp::Error(..) | ParamOp::Substring(..) => false,
            };
            !own && index && op && !p.indirect
        }
        Part::Command(_) | Part::Arith(_) | Part::Process { .. } => false,
    }
}

/// Whether `text` holds no command: blank lines and comments only.
fn only_blanks_and_comments(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim_start();
        line.is_empty() || line.starts_with('#')
    })
}

/// What git lists before a command that rewrites the work tree ([`Shell::git_changes`]):
/// the arguments of a `git diff --name-only` or `git log --name-only` run at the top
/// of the tree, or of a `git clean -n` run where the command runs.
enum GitListing {
    Names(Vec<String>),
    Cleaned(Vec<String>),
    /// `git apply --numstat` of the patches `git am` or `git apply` applies.
    Patched(Vec<String>),
}

/// Where `git bisect reset` goes back to: the branch or commit `.git/BISECT_START`
/// names, if it is a plain name (it is then a word of a listing, which quotes it).
fn bisect_start(tree: &Path) -> Option<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    // Never waiting on a FIFO put there, nor following a link.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(tree.join(".git").join("BISECT_START"))
        .ok()
        .filter(|f| f.metadata().is_ok_and(|m| m.is_file()))?;
    let mut text = String::new();
    file.take(256).read_to_string(&mut text).ok()?;
    let name = text.trim();
    let plain = !name.is_empty()
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b));
    plain.then(|| name.to_string())
}

/// The listings whose names are all the files git's `sub` (with `rest`) rewrites in
/// the work tree at `tree`, for the commands and options followed here; `None` for the
/// rest (refused as before):
/// - `stash` (push): `diff HEAD`; `stash pop`/`apply`: the stash's own changes;
/// - `switch`/`checkout BRANCH`: `diff HEAD BRANCH`;
/// - `merge [COMMIT]`: what the commit changed since the two met (`diff HEAD...COMMIT`);
/// - `rebase [UPSTREAM]`: `diff HEAD UPSTREAM`, and every file each commit replayed
///   touches (`log --name-only UPSTREAM..HEAD`: one changed and changed back too);
/// - `reset --hard [COMMIT]`: `diff COMMIT` (the tree's changes too);
/// - `clean -f`: what `clean -n` with the same options would remove;
/// - `am PATCH…`, `apply PATCH…` (at the top of the tree, `cwd`): the files the
///   patches change (`apply --numstat`, with apply's `-R` and `-pN`);
/// - `bisect start BAD GOOD…`, `good`/`bad`/`skip`/`run`, `reset`: every file the range's
///   commits touch (`log -m --name-only`), and `diff HEAD` to where it starts or goes
///   back.
///
/// With them, the commit a merge or rebase names (checked if a listing fails).
fn git_listings(
    sub: &[u8],
    rest: &[PathBuf],
    tree: &Path,
    cwd: &Path,
) -> Option<(Vec<GitListing>, Option<String>)> {
    let mut words: Vec<&str> = rest.iter().map(|w| w.to_str()).collect::<Option<_>>()?;
    // `git clean -fdx`, `git switch -qc new`: the short options one by one (where one
    // takes a value, it is the bundle's last).
    let letters: Vec<String>;
    let bundled = match sub {
        b"clean" => Some(("fdxXq", "fdxXq")),
        b"switch" => Some(("q", "qcC")),
        b"checkout" => Some(("q", "qbB")),
        _ => None,
    };
    if let Some((flags, last)) = bundled {
        let bundle = |w: &&str| {
            let mut letters: Vec<char> = w.chars().skip(1).collect();
            let end = letters.pop();
            !letters.is_empty()
                && w.starts_with('-')
                && !w.starts_with("--")
                && letters.iter().all(|c| flags.contains(*c))
                && end.is_some_and(|c| last.contains(c))
        };
        letters = words
            .iter()
            .flat_map(|w| match bundle(w) {
                true => w[1..].chars().map(|c| format!("-{c}")).collect(),
                false => vec![w.to_string()],
            })
            .collect();
        words = letters.iter().map(String::as_str).collect();
    }
    let words = words;
    let has = |w: &str| words.contains(&w);
    // The operands once the options `sub` takes (flags, and those with a value) are
    // set aside; `None` on any other option.
    let operands = |flags: &[&str], valued: &[&str]| -> Option<Vec<String>> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(w) = words.get(i) {
            if *w == "--" {
                out.extend(words[i + 1..].iter().map(|w| w.to_string()));
                break;
            }
            if valued.contains(w) {
                i += 2;
                continue;
            }
            let joined = valued
                .iter()
                .any(|v| w.starts_with(&format!("{v}=")) || (v.len() == 2 && w.starts_with(v)));
            if flags.contains(w) || joined {
                i += 1;
                continue;
            }
            if w.starts_with('-') {
                return None;
            }
            out.push(w.to_string());
            i += 1;
        }
        Some(out)
    };
    // One commit (or none: the branch's upstream).
    let one = |ops: Vec<String>| match ops.as_slice() {
        [] => Some("@{upstream}".to_string()),
        [commit] => Some(commit.clone()),
        _ => None,
    };
    let names = |args: &[&str]| {
        let mut all: Vec<String> = vec!["diff".into(), "--name-only".into()];
        all.extend(args.iter().map(|a| a.to_string()));
        all.push("--".into());
        GitListing::Names(all)
    };
    let mut commit = None;
    let listings = match sub {
        // (Not `-u`/`-a`, which remove files no diff lists.)
        b"stash" if words.iter().all(|w| *w == "push" || *w == "-q") => vec![names(&["HEAD"])],
        // The stash's own changes, which `pop` and `apply` put back.
        b"stash"
            if matches!(words.first(), Some(&"pop" | &"apply"))
                && words[1..].iter().all(|w| *w == "-q") =>
        {
            vec![names(&["stash@{0}^1", "stash@{0}"])]
        }
        // To a branch, or a new branch at a start point (`switch -c new HEAD~2`,
        // `checkout -b new v1`: trial 20 named every file and was still told `+ => .`).
        b"switch" | b"checkout" => {
            let create: &[&str] = match sub {
                b"switch" => &["-c", "-C", "--create", "--force-create"],
                _ => &["-b", "-B"],
            };
            let ops = operands(&["-q", "--quiet", "--detach"], create)?;
            let [branch] = ops.as_slice() else {
                return None;
            };
            if has("--") || tree.join(branch).symlink_metadata().is_ok() {
                return None;
            }
            vec![names(&["HEAD", branch])]
        }
        b"merge" => {
            let flags = [
                "-q",
                "--quiet",
                "--no-edit",
                "--edit",
                "-e",
                "--ff",
                "--no-ff",
                "--ff-only",
                "--squash",
                "--no-verify",
                "--stat",
                "-n",
                "--no-stat",
                "--log",
                "--no-log",
                "--progress",
                "--no-progress",
            ];
            let ops = operands(
                &flags,
                &["-m", "-s", "-X", "--strategy", "--strategy-option"],
            )?;
            let with = one(ops)?;
            let listing = names(&[&format!("HEAD...{with}")]);
            commit = Some(with);
            vec![listing]
        }
        b"rebase" => {
            let flags = ["-q", "--quiet", "-n", "--no-stat", "--stat", "--no-verify"];
            let upstream = one(operands(&flags, &[])?)?;
            let replayed = format!("{upstream}..HEAD");
            commit = Some(upstream.clone());
            vec![
                names(&["HEAD", &upstream]),
                GitListing::Names(
                    ["log", "--name-only", "--format=", &replayed, "--"]
                        .map(String::from)
                        .to_vec(),
                ),
            ]
        }
        // Each step checks out commits of the range left (trial 18: refused without
        // the whole tree, `git bisect … + => .` asked for): the files the range's commits
        // touch (`-m`: a merge's too), and from HEAD to where it starts or goes back.
        b"bisect" => {
            let touched = |revs: &[&str]| {
                let mut all: Vec<String> = ["log", "-m", "--name-only", "--format="]
                    .map(String::from)
                    .to_vec();
                all.extend(revs.iter().map(|r| r.to_string()));
                all.push("--".into());
                GitListing::Names(all)
            };
            match words.first().copied()? {
                "start" => {
                    let ops = operands(&["--no-checkout", "--first-parent"], &[])?;
                    let [_, bad, goods @ ..] = ops.as_slice() else {
                        return None;
                    };
                    let mut range = vec![bad.clone()];
                    range.extend(goods.iter().map(|g| format!("^{g}")));
                    let range: Vec<&str> = range.iter().map(String::as_str).collect();
                    vec![names(&["HEAD", bad]), touched(&range)]
                }
                "good" | "bad" | "old" | "new" | "skip" | "run" => {
                    vec![touched(&["--bisect"]), names(&["HEAD", "refs/bisect/bad"])]
                }
                "reset" => {
                    let ops = operands(&[], &[])?;
                    let back = match ops.as_slice() {
                        [_] => bisect_start(tree)?,
                        [_, commit] => commit.clone(),
                        _ => return None,
                    };
                    vec![names(&["HEAD", &back])]
                }
                _ => return None,
            }
        }
        b"reset" if has("--hard") => {
            let ops = operands(&["--hard", "-q", "--quiet"], &[])?;
            let commit = match ops.as_slice() {
                [] => "HEAD",
                [commit] => commit.as_str(),
                _ => return None,
            };
            vec![names(&[commit])]
        }
        b"am" | b"apply" => {
            let flags: &[&str] = match sub {
                b"am" => &[
                    "-q",
                    "--quiet",
                    "-s",
                    "--signoff",
                    "-k",
                    "--keep",
                    "-3",
                    "--3way",
                    "--keep-cr",
                    "--no-keep-cr",
                    "--scissors",
                    "--no-scissors",
                    "--committer-date-is-author-date",
                    "--ignore-date",
                    "-u",
                    "--utf8",
                ],
                // (Not from below the top: its paths are then the directory's.)
                _ if cwd != tree => return None,
                _ => &[
                    "-R",
                    "--reverse",
                    "-v",
                    "--verbose",
                    "-3",
                    "--3way",
                    "--index",
                ],
            };
            let valued: &[&str] = if sub == b"apply" { &["-p"] } else { &[] };
            let patches = operands(flags, valued)?;
            if patches.is_empty() {
                return None;
            }
            let mut args: Vec<String> = vec!["apply".into(), "--numstat".into()];
            if sub == b"apply" {
                args.extend(
                    words
                        .iter()
                        .filter(|w| ["-R", "--reverse"].contains(w) || w.starts_with("-p"))
                        .map(|w| w.to_string()),
                );
            }
            args.push("--".into());
            for patch in patches {
                args.push(cwd.join(patch).to_str()?.to_string());
            }
            vec![GitListing::Patched(args)]
        }
        b"clean" if has("-f") || has("--force") => {
            let flags = ["-f", "--force", "-d", "-x", "-X", "-q", "--quiet"];
            let paths = operands(&flags, &[])?;
            let mut args: Vec<String> = vec!["clean".into(), "-n".into()];
            args.extend(
                words
                    .iter()
                    .filter(|w| ["-d", "-x", "-X"].contains(w))
                    .map(|w| w.to_string()),
            );
            args.push("--".into());
            args.extend(paths);
            vec![GitListing::Cleaned(args)]
        }
        _ => return None,
    };
    Some((listings, commit))
}
