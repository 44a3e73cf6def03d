//! pola-sh: the least-authority shell.
//!
//! `pola-sh [-l] [-i] [-s] [-abCefhmnuvx] [-o option] [-O shopt] [--norc] [--noprofile]
//! [--no-profile] [--learn] [--ask] [--powerbox] [--hints] [-c COMMANDS [NAME [ARG]...] |
//! SCRIPT [ARG]...]`
//!
//! With `-c`, runs COMMANDS; with a SCRIPT, runs the file; otherwise reads commands
//! from standard input, interactively (line editing, history) when it is a terminal.
//!
//! The arguments are a shell's, not a parser library's: options stop at `-c` or the
//! first word that is not one, and single letters combine (`-eux`). [`HELP`] says what
//! each does; pola-sh(1) (`man/pola-sh.1`) says the same, and a test checks they name
//! the same options.

use std::io::IsTerminal;

use pola_sh::exec::{flow_status, Flow, Shell, HUNG_UP, INTERRUPTED, PROGRAM};
use pola_sh::interactive::PolaHelper;
use pola_sh::{parse, report};
use rustyline::error::ReadlineError;

/// `pola-sh --help`.
const HELP: &str = "\
pola-sh: a least-authority shell. Every external command runs in a jail of its own,
which holds a default environment and only what its command line grants.

Usage: pola-sh [-l] [-i] [-s] [-abCefhmnuvx] [-o OPTION] [-O SHOPT] [--norc]
               [--noprofile] [--no-profile] [--learn] [--ask] [--powerbox] [--hints]
               [-c COMMANDS [NAME [ARG]...] | SCRIPT [ARG]...]

With -c, runs COMMANDS; with a SCRIPT, runs that file; otherwise reads commands from
standard input, interactively (line editing, history, completion) when it is a terminal.

Options:
  -c COMMANDS    Run COMMANDS; NAME, if given, becomes $0, and the ARGs $1, $2, ...
  -s             Read commands from standard input; the ARGs are $1, $2, ...
  -l, --login    A login shell, as when argv[0] starts with '-' (login, su -l, sshd):
                 reads /etc/profile and ~/.profile first
  -i             Interactive, even when standard input is not a terminal
  -e, -u, -x     As set -e, set -u, set -x; the letters of set combine (-eux), and
                 +x turns one off
  -o OPTION      As set -o OPTION (+o OPTION: off)
  -O SHOPT       As shopt -s SHOPT (+O SHOPT: shopt -u)
  --norc         Read no rc file ($XDG_CONFIG_HOME/pola-sh/rc, $ENV)
  --noprofile    Read no login files (/etc/profile, ~/.profile)
  --posix        As set -o posix
  --no-profile   Apply no program profiles ($XDG_CONFIG_HOME/pola-sh/profiles/)
  --learn        Mediated mode for every command: print what it looked for and was
                 not granted, as profile lines
  --ask          Ask on the terminal when a command opens a file it was not granted
  --powerbox     Give every command a powerbox ($POLA_POWERBOX; see pola-open)
  --hints        Say when a command looked in its working directory for a name it was
                 not granted, and which word grants it (default when interactive
                 or standard error is a terminal; POLA_HINTS=0: never)
  --             End of options: the next word is the SCRIPT
  -h, --help     Print this help
  --version      Print the version

Grants: a word naming a file grants it read-only (cat notes.txt); => WORD makes a slot,
writable (sort in -o => out); + WORD grants without passing (make + => .); @net is the
network; !!command runs unconfined. `grants CMD...` shows what a command line would get.

Exit status: the last command's; 2 a syntax error, 125 the jail could not be built (the
message says why, and for user namespaces what fixes it), 126 not executable, 127 not
found. More: man pola-sh.";

fn main() {
    // Before anything is opened: descriptors 3–9 are the user's.
    pola_sh::redirect::reserve_user_fds();
    // Before any helper process is started (they inherit it): `Shell::rlimits`.
    pola_fileserver::limits::raise_open_files();
    report::init_logging();
    // What the server says of a jail's end goes out as the shell's own lines do.
    pola_fileserver::text::say_with(say_line, say_now);
    // Staging directories a killed shell left behind (see pola_fileserver::slots).
    pola_fileserver::slots::registry::recover();
    report::state_unwritable(PROGRAM);
    // Every command of a shell's life is jailed: fork each jail's shim from one zygote.
    pola_fileserver::zygote::enable();
    // and serve hints' working-directory skeletons from one file system.
    pola_fileserver::cwd_host::enable();
    let args: Vec<String> = std::env::args().collect();
    let login = args.first().is_some_and(|a| a.starts_with('-'));
    pola_sh::lifeline::hold();
    let status = run(&args, login);
    pola_sh::lifeline::release();
    pola_fileserver::planted::record_own_texts();
    pola_fileserver::zygote::stop_unused();
    // The shims of jails whose end was reported are exiting: reaped, not left to init.
    pola_fileserver::launch::reap_ended(true);
    std::process::exit(status);
}

/// `pola-sh -c TEXT` of one simple command (the usual one-liner) starts one jail: its
/// zygote is a one-shot launcher's, as `pola-run`'s is, which makes that jail ahead and
/// nothing after it (a shell's zygote forks the next command's copy, its network
/// namespace and PID 1 beside the command and its end). And when the command is a
/// program named as a plain word, jailed, without the host's network asked for, the
/// zygote starts now, beside the shell's own start, not once the command is planned.
/// Measured: `pola-sh -c /usr/bin/true` 8.0 → 6.7 ms, as `pola-run`'s 6.7
/// (bench/README.md, twenty-eighth stop). A misjudged one is only slower (a one-shot
/// zygote forks a copy for each later request; one started for nothing is ended at
/// exit, `zygote::stop_unused`). A builtin is never taken for one jail: `. ./build.sh`,
/// `eval "$LINE"` and `source` run as many as their text has, and each would have paid
/// for a copy forked on its request (500 × `cat` sourced: 3.2–3.4 s against 2.2–2.5 s in a
/// shell's zygote; bench/README.md, fortieth stop).
fn one_liner_zygote(text: &str) {
    use pola_sh::ast::Arg;
    let Ok(list) = pola_sh::parse::parse(text) else {
        return;
    };
    let Some(simple) = list.only_simple_command() else {
        return;
    };
    if pola_sh::lookup::jailed_program(simple).is_none() {
        return;
    }
    pola_fileserver::zygote::enable_once();
    let host_network = simple.args.iter().any(
        |arg| matches!(arg, Arg::Word(word) if word.plain().is_some_and(|w| w.starts_with("@net"))),
    );
    if !host_network {
        pola_fileserver::zygote::start_ahead(|| pola_fileserver::launch::find_shim().ok());
    }
}

fn run(args: &[String], mut login: bool) -> i32 {
    let mut command_mode = false;
    let mut stdin_mode = false;
    let mut force_interactive = false;
    let mut no_profile = false;
    let mut no_rc = false;
    let mut no_login_files = false;
    let mut learn = false;
    let mut ask = false;
    let mut powerbox = false;
    let mut hints = false;
    // `set` arguments, and `shopt` options (name, on).
    let mut flags = Vec::new();
    let mut shopts: Vec<(String, bool)> = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--login" => login = true,
            "--no-profile" => no_profile = true,
            "--noprofile" => no_login_files = true,
            "--norc" => no_rc = true,
            "--posix" => flags.extend(["-o".to_string(), "posix".to_string()]),
            "--learn" => learn = true,
            "--ask" => ask = true,
            "--powerbox" => powerbox = true,
            "--hints" => hints = true,
            "--" | "-" => {
                i += 1;
                break;
            }
            "-h" | "--help" => return print(HELP),
            "--version" => return print(&format!("pola-sh {}", env!("CARGO_PKG_VERSION"))),
            s if s.starts_with("--") => {
                report::error(
                    PROGRAM,
                    format!(
                        "{}: unknown option (see pola-sh --help)",
                        pola_fileserver::text::shown(s)
                    ),
                );
                return 2;
            }
            s if (s.starts_with('-') || s.starts_with('+')) && s.len() > 1 => {
                let on = s.starts_with('-');
                for c in s[1..].chars() {
                    match c {
                        'c' if on => command_mode = true,
                        's' if on => stdin_mode = true,
                        'i' if on => force_interactive = true,
                        'l' if on => login = true,
                        'o' | 'O' => {
                            i += 1;
                            let Some(name) = args.get(i) else {
                                report::error(
                                    PROGRAM,
                                    format!("-{c}: option requires an argument"),
                                );
                                return 2;
                            };
                            if c == 'o' {
                                flags.push(format!("{}o", if on { '-' } else { '+' }));
                                flags.push(name.clone());
                            } else {
                                shopts.push((name.clone(), on));
                            }
                        }
                        c if pola_sh::options::Options::letter_name(c).is_some() => {
                            flags.push(format!("{}{c}", if on { '-' } else { '+' }));
                        }
                        _ => {
                            report::error(
                                PROGRAM,
                                format!(
                                    "{}: unknown option (see pola-sh --help)",
                                    pola_fileserver::text::shown(s)
                                ),
                            );
                            return 2;
                        }
                    }
                }
            }
            _ => break,
        }
        i += 1;
    }
    let mut rest = &args[i.min(args.len())..];
    let command = if command_mode {
        let Some((c, after)) = rest.split_first() else {
            report::error(PROGRAM, "-c: option requires an argument");
            return 2;
        };
        rest = after;
        Some(c.clone())
    } else {
        None
    };
    // `-s`: commands come from standard input; the arguments are the parameters.
    let (script_args, stdin_args): (&[String], &[String]) = if stdin_mode && command.is_none() {
        (&[], rest)
    } else {
        (rest, &[])
    };
    let rest = script_args;
    let interactive = force_interactive
        || (command.is_none() && rest.is_empty() && std::io::stdin().is_terminal());
    let arg0 = match (&command, rest.first()) {
        (Some(_), Some(name)) => name.clone(),
        (None, Some(script)) => script.clone(),
        _ => args.first().cloned().unwrap_or_else(|| PROGRAM.into()),
    };
    if let Some(c) = &command {
        one_liner_zygote(c);
    }
    let mut sh = match Shell::new(arg0, interactive) {
        Ok(sh) => sh,
        Err(e) => {
            report::error(PROGRAM, e);
            return 125;
        }
    };
    sh.profiles = !no_profile;
    // Room for one descriptor per file a line grants; commands get the limit as it was.
    sh.rlimits
        .extend(pola_fileserver::limits::raise_open_files());
    // After a failed command, what it looked for and was not granted: when interactive,
    // in scripts whose errors go to a terminal (a user ran `pola-sh -c 'sed -i s/a/b/
    // f'` and read only sed's "Read-only file system": new-user trial), and when asked
    // (--hints, POLA_HINTS=1); never with POLA_HINTS=0.
    let watched = nix::unistd::isatty(std::io::stderr()).unwrap_or(false);
    pola_sh::jail::enable_hints(interactive || hints || watched);
    sh.learn = learn;
    sh.ask = ask.then(pola_fileserver::ask::Session::default);
    sh.powerbox = powerbox;
    sh.login = login;
    if !flags.is_empty() {
        let mut argv = vec!["set".to_string()];
        argv.extend(flags);
        if let Some(set) = pola_sh::builtins::lookup("set") {
            if !matches!(set(&mut sh, &argv), Ok(0)) {
                return 2;
            }
        }
    }
    for (name, on) in shopts {
        if !sh.shopt.set(&name, on) {
            report::error(
                PROGRAM,
                format!(
                    "{}: invalid shell option name",
                    pola_fileserver::text::shown(&name)
                ),
            );
            return 2;
        }
    }
    sh.positional = stdin_args.to_vec();
    sh.read_rc = !no_rc;
    if login {
        sh.shopt.set("login_shell", true);
        if !no_login_files {
            if let Err(Flow::Exit(s)) = read_login_files(&mut sh) {
                return s;
            }
        }
    }
    match (command, rest.first()) {
        (Some(c), _) => {
            sh.positional = rest.iter().skip(1).cloned().collect();
            sh.line = 1;
            sh.main_text = true;
            finish(&mut sh, |sh| sh.run_source(&c))
        }
        (None, Some(script)) => {
            sh.positional = rest[1..].to_vec();
            let text = match pola_sh::builtins::source::read_file(std::path::Path::new(script)) {
                Ok(t) => t,
                Err(why) => {
                    report::error(
                        PROGRAM,
                        format!("{}: {why}", pola_fileserver::text::shown(script)),
                    );
                    return 127;
                }
            };
            sh.line = 1;
            sh.script = true;
            sh.sources.push(script.clone());
            sh.main_text = true;
            finish(&mut sh, |sh| sh.run_source(&text))
        }
        (None, None) if interactive => repl(&mut sh),
        (None, None) => run_stdin(&mut sh),
    }
}

/// `text` and a newline on standard output; status 0 (a closed pipe is no error).
fn print(text: &str) -> i32 {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{text}");
    0
}

/// Commands on standard input, run one complete command at a time, reading a byte
/// at a time so that a command like `read` gets the input after it (as POSIX shells do).
fn run_stdin(sh: &mut Shell) -> i32 {
    let mut pending = String::new();
    let mut first_line = 1;
    let mut line_no = 0;
    loop {
        let (line, eof) = read_line();
        line_no += 1;
        if pending.is_empty() {
            first_line = line_no;
        }
        pending.push_str(&line);
        if !eof {
            pending.push('\n');
        }
        let complete = !matches!(parse::parse(&pending), Err(e) if e.incomplete && !eof);
        if complete {
            let text = std::mem::take(&mut pending);
            if !text.trim().is_empty() {
                sh.line_base = first_line;
                if let Err(flow) = sh.run_source(&text) {
                    let status = flow_status(flow);
                    return sh.exit_hook(status);
                }
            }
        }
        if eof {
            let status = sh.status;
            return sh.exit_hook(status);
        }
    }
}

/// One line from standard input, without reading past it; true at end of input.
fn read_line() -> (String, bool) {
    let mut bytes = Vec::new();
    // SAFETY: descriptor 0 of this process, borrowed for reads only.
    let stdin = unsafe { std::os::fd::BorrowedFd::borrow_raw(0) };
    loop {
        let mut b = [0u8; 1];
        match nix::unistd::read(stdin, &mut b) {
            Ok(1) if b[0] == b'\n' => return (String::from_utf8_lossy(&bytes).into_owned(), false),
            Ok(1) => bytes.push(b[0]),
            Err(nix::errno::Errno::EINTR) => continue,
            _ => return (String::from_utf8_lossy(&bytes).into_owned(), true),
        }
    }
}

fn finish(sh: &mut Shell, f: impl FnOnce(&mut Shell) -> Result<i32, Flow>) -> i32 {
    let status = match f(sh) {
        Ok(status) => status,
        Err(flow) => flow_status(flow),
    };
    sh.exit_hook(status)
}

/// Run a startup file if it exists (its errors are reported; the shell goes on). It
/// is read as `.` reads a file: never through a link a jail may have made, never a FIFO.
/// `protected`: jails have it read-only unless given it by name (`read_startup`).
fn source_file(sh: &mut Shell, path: &std::path::Path, protected: bool) -> Result<(), Flow> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    let (text, made) = match pola_sh::builtins::source::read_startup(path, protected) {
        Ok(read) => read,
        Err(why) => {
            report::error(
                PROGRAM,
                format!("{}: {why}", pola_fileserver::text::shown(path)),
            );
            return Ok(());
        }
    };
    if let Some(why) = made {
        report::error(
            PROGRAM,
            format!(
                "{}: {why}, so its text may be a jail's; it runs as such text (help eval); read it, then !!. {} runs it as yours from now on",
                pola_fileserver::text::shown(path),
                pola_fileserver::text::shown(path)
            ),
        );
    }
    let made = made.is_some();
    let line = std::mem::replace(&mut sh.line_base, 1);
    let r = match made {
        true => sh.run_made_text(&text, false),
        false => sh.run_text(&text, false),
    };
    sh.line_base = line;
    match r {
        Err(Flow::Exit(s)) => Err(Flow::Exit(s)),
        _ => Ok(()),
    }
}

/// A login shell reads `/etc/profile` and `~/.profile`, as sh does.
fn read_login_files(sh: &mut Shell) -> Result<(), Flow> {
    source_file(sh, std::path::Path::new("/etc/profile"), true)?;
    if let Some(home) = sh.get("HOME").map(std::path::PathBuf::from) {
        source_file(sh, &home.join(".profile"), true)?;
    }
    Ok(())
}

/// An interactive shell reads the file `$ENV` names (as sh does), then
/// `~/.config/pola-sh/rc`.
fn read_interactive_files(sh: &mut Shell) -> Result<(), Flow> {
    if let Some(env) = sh.get("ENV").map(str::to_string) {
        let word = pola_sh::parse::prompt_parts(&env)
            .map(pola_sh::ast::Word)
            .ok();
        if let Some(w) = word {
            if let Ok(path) = pola_sh::expand::string(sh, &w) {
                if !path.is_empty() {
                    source_file(sh, std::path::Path::new(&path), false)?;
                }
            }
        }
    }
    if !sh.read_rc {
        return Ok(());
    }
    if let Some(rc) = dirs::config_dir().map(|d| d.join("pola-sh").join("rc")) {
        source_file(sh, &rc, true)?;
    }
    Ok(())
}

/// Ignore what must not stop or kill an interactive shell; commands get them back.
fn ignore_job_signals() {
    use nix::sys::signal::{signal, SigHandler, Signal};
    for s in [
        Signal::SIGINT,
        Signal::SIGQUIT,
        Signal::SIGTSTP,
        Signal::SIGTTIN,
        Signal::SIGTTOU,
    ] {
        // SAFETY: SIG_IGN runs no handler code.
        let _ = unsafe { signal(s, SigHandler::SigIgn) };
    }
}

fn repl(sh: &mut Shell) -> i32 {
    ignore_job_signals();
    catch_interrupt();
    sh.terminal = pola_sh::job::Terminal::take();
    // As bash: HISTSIZE entries (500 unless set; rustyline's own default kept 100).
    let kept = sh
        .get("HISTSIZE")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(500);
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .auto_add_history(false)
        .max_history_size(kept.max(1))
        .map(|b| b.build())
        .unwrap_or_default();
    catch_hangup();
    let mut editor: Editor = match rustyline::Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            report::error(PROGRAM, format!("cannot start line editing: {e}"));
            return 2;
        }
    };
    // In a jail (`exec pola-sh`, a pola-sh started by a script): said, since its
    // commands get only what that jail was given (new-user trial).
    if pola_sh::lookup::inside_jail() {
        report::line(format!(
            "{PROGRAM}: this shell runs inside a jail: its commands get only what the jail was given (!!{PROGRAM} from your own shell starts one of yours)"
        ));
    }
    editor.set_helper(Some(PolaHelper::new()));
    editor.bind_sequence(
        rustyline::KeyEvent::ctrl('C'),
        rustyline::EventHandler::Conditional(Box::new(EchoInterrupt)),
    );
    if let Some(t) = &mut sh.terminal {
        t.relay();
    }
    if let Err(Flow::Exit(s)) = read_interactive_files(sh) {
        return sh.exit_hook(s);
    }
    // After the startup files, as bash: a `HISTFILE` set there is the one read.
    if let Some(h) = history_file(sh) {
        load_history(&mut editor, &h);
        sh.history = editor.history().iter().cloned().collect();
    }
    // The zygote, and the jail it makes ahead, while the user types the first line.
    pola_fileserver::zygote::start_ahead(|| pola_fileserver::launch::find_shim().ok());
    // A session's commands each save the default environment's checks from the first
    // on; the watch's cost, at exit, is not waited for by anyone.
    pola_fileserver::template::watch_at_once();
    let mut pending = String::new();
    // Keys typed while a job ran that it did not read, as a terminal keeps them.
    let mut typed_ahead = String::new();
    // Ctrl-D was pressed once with jobs left behind, and said so.
    let mut eof_warned = false;
    loop {
        // What the last line's commands wrote of the user's own text, for later shells.
        pola_fileserver::planted::record_own_texts();
        sh.reap_jobs();
        let n = sh.jobs.len();
        for (i, job) in sh.jobs.iter().enumerate() {
            if matches!(job.state, pola_sh::job::State::Done(_)) {
                eprintln!("{}", job.line(pola_sh::job::mark(i, n)));
            }
        }
        sh.jobs
            .retain(|j| !matches!(j.state, pola_sh::job::State::Done(_)));
        // An editor given a startup file has ended: whose its text is, asked.
        pola_sh::builtins::source::offer_edited(sh);
        if let Some(t) = &mut sh.terminal {
            t.save_modes();
        }
        if let Some(h) = editor.helper() {
            let path = sh.get("PATH").unwrap_or("").to_string();
            let home = sh.get("HOME").unwrap_or("").to_string();
            h.refresh(&path, sh.functions.keys().cloned(), &home);
            let mut names = pola_sh::expand::Host::names(&*sh);
            names.sort();
            *h.variables.borrow_mut() = names;
            *h.words.borrow_mut() = sh.completion_words();
        }
        pola_fileserver::phases::stamp("names");
        // `set -o vi` / `set -o emacs`: the line editor's keys (it was accepted and
        // ignored; new-user trial).
        {
            use rustyline::config::Configurer;
            let mode = match sh.options.vi {
                true => rustyline::EditMode::Vi,
                false => rustyline::EditMode::Emacs,
            };
            if editor.config_mut().edit_mode() != mode {
                editor.set_edit_mode(mode);
            }
        }
        let p = if pending.is_empty() {
            pola_sh::prompt::expand(sh, "PS1")
        } else {
            pola_sh::prompt::expand(sh, "PS2")
        };
        pola_fileserver::phases::stamp("ps1");
        typed_ahead.push_str(&String::from_utf8_lossy(
            &pola_fileserver::relay::take_typeahead(),
        ));
        let drawn = sh.terminal.is_some().then(DrawnOnTerminal::new);
        if sh.terminal.is_some() {
            match window_size() {
                Some((rows, cols)) => {
                    // As bash's checkwinsize: the window's size, for scripts and prompts.
                    sh.set("LINES", &rows.to_string());
                    sh.set("COLUMNS", &cols.to_string());
                    keep_unfinished_line(cols);
                }
                // A terminal that does not say its size (a serial line, a program's
                // pty): 80 columns, as the line editor takes it (the line editor's
                // clearing of the line erased `printf nonl`'s text; trial 6).
                None => keep_unfinished_line(80),
            }
        }
        let read = match typed_ahead.find(['\r', '\n']) {
            // A whole line typed ahead runs as if typed now; what follows it is for
            // whoever reads next (`head -1` given the line after it), or the next prompt.
            Some(end) => {
                let line: String = typed_ahead.drain(..=end).collect();
                let line = line.trim_end_matches(['\r', '\n']).to_string();
                pola_fileserver::relay::give_back_typeahead(
                    std::mem::take(&mut typed_ahead).as_bytes(),
                );
                println!("{p}{line}");
                Ok(line)
            }
            None => {
                let start = std::mem::take(&mut typed_ahead);
                LINE_EDITOR_READING.store(true, std::sync::atomic::Ordering::SeqCst);
                pola_fileserver::phases::stamp("prompt");
                let line = editor.readline_with_initial(&p, (&start, ""));
                LINE_EDITOR_READING.store(false, std::sync::atomic::Ordering::SeqCst);
                line
            }
        };
        // The line's command writes where the user sent standard output.
        drop(drawn);
        if read.is_ok() {
            eof_warned = false;
        }
        match read {
            Ok(line) => {
                pola_fileserver::phases::stamp("line");
                if !pending.is_empty() {
                    pending.push('\n');
                }
                pending.push_str(&line);
                if let Err(e) = parse::parse(&pending) {
                    if e.incomplete {
                        continue;
                    }
                }
                let text = std::mem::take(&mut pending);
                if text.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(text.as_str());
                sh.history.push(text.clone());
                pola_sh::jail::hints_new_line();
                INTERRUPTED.store(false, std::sync::atomic::Ordering::SeqCst);
                match sh.run_source(&text) {
                    Err(Flow::Exit(s)) => {
                        save(&mut editor, &history_file(sh));
                        return sh.exit_hook(s);
                    }
                    // Ctrl-C stopped the line: `$?` says so, the prompt goes on a line
                    // of its own (the terminal echoed `^C`; a job's end said its own).
                    Err(Flow::Interrupted) => {
                        if sh.status != 128 + libc::SIGINT {
                            eprintln!();
                        }
                        sh.status = 128 + libc::SIGINT;
                    }
                    _ => {}
                }
            }
            // As in bash: the line is dropped, and `$?` says it was interrupted.
            Err(ReadlineError::Interrupted) => {
                pending.clear();
                sh.status = 128 + libc::SIGINT;
            }
            // As `exit`: with jobs that end with the shell (an editor's unsaved work),
            // the first Ctrl-D says so, the next one leaves (it left at once; new-user
            // trial).
            Err(ReadlineError::Eof)
                if !eof_warned && !HUNG_UP.load(std::sync::atomic::Ordering::SeqCst) =>
            {
                sh.reap_jobs();
                let Some(left) = pola_sh::job::LeftBehind::of(&sh.jobs) else {
                    break;
                };
                eof_warned = true;
                report::error(PROGRAM, left.said("Ctrl-D"));
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(_) if HUNG_UP.load(std::sync::atomic::Ordering::SeqCst) => break,
            Err(e) => {
                report::error(PROGRAM, format!("reading input: {e}"));
                break;
            }
        }
    }
    save(&mut editor, &history_file(sh));
    if HUNG_UP.load(std::sync::atomic::Ordering::SeqCst) {
        sh.status = 128 + libc::SIGHUP;
    }
    let status = sh.status;
    sh.exit_hook(status)
}

type Editor = rustyline::Editor<PolaHelper, rustyline::history::FileHistory>;

/// Whether the line editor is reading the terminal (standard input).
static LINE_EDITOR_READING: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// `read(2)` for this program, in place of the C library's: the same system call, but
/// one byte at a time from standard input while the line editor reads it. The line
/// editor (rustyline) reads the terminal 1024 bytes at a time and keeps what came after
/// the line's Enter for its own next line: keys sent at once (`tmux send-keys 'python3'
/// Enter 'print(1)' Enter`, an `expect` script, a paste without bracketed paste mode)
/// never reached the command started, which waited for them, and the shell ran them
/// itself once it ended, as commands. Read a byte at a time, the line editor takes no
/// more than its line, and the rest stays in the terminal for whoever reads next, as
/// bash's readline leaves it. (Its own copy is kept across lines and not reachable.)
///
/// # Safety
/// As `read(2)`: `buf` must be valid for writes of `count` bytes.
#[no_mangle]
pub unsafe extern "C" fn read(
    fd: libc::c_int,
    buf: *mut libc::c_void,
    count: libc::size_t,
) -> libc::ssize_t {
    let editing = fd == 0 && LINE_EDITOR_READING.load(std::sync::atomic::Ordering::Relaxed);
    let count = if editing { count.min(1) } else { count };
    // Hung up: the end of the input, whether or not the terminal is gone (a pola-sh in
    // a jail, whose terminal's other side stays open: it went on reading, and the
    // shell around it waited for it for ever; new-user trial). The handler interrupts
    // the read (no `SA_RESTART`).
    let hung_up = || editing && HUNG_UP.load(std::sync::atomic::Ordering::SeqCst);
    if hung_up() {
        return 0;
    }
    // SAFETY: the caller's contract for `read(2)`; the system call touches `buf` only.
    let n = unsafe { libc::syscall(libc::SYS_read, fd, buf, count) as libc::ssize_t };
    if editing && n == 1 {
        // SAFETY: the call just wrote that byte.
        pola_fileserver::phases::key(unsafe { *(buf as *const u8) });
    }
    match n < 0 && hung_up() {
        true => 0,
        false => n,
    }
}

/// The history's file: `HISTFILE` as bash has it (its value when read or saved; set
/// but empty, none), else pola-sh's own under the user's data directory (trial 19:
/// `HISTFILE=/dev/null` did not keep a session out of the history).
fn history_file(sh: &Shell) -> Option<std::path::PathBuf> {
    match sh.get("HISTFILE") {
        Some("") => None,
        Some(f) => Some(sh.cwd().join(f)),
        None => dirs::data_dir().map(|d| d.join("pola-sh").join("history")),
    }
}

/// Read the history at `h` as the shell reads what it runs: a regular file (a FIFO a
/// jail left there held the shell before its first prompt; review), never through a
/// link a jail made, of a sane size; an entry holding control characters is left out
/// (one a jail wrote would be drawn as another command when recalled).
fn load_history(editor: &mut Editor, h: &std::path::Path) {
    use std::os::fd::AsRawFd;
    let Some(file) = pola_fileserver::planted::open_regular(h) else {
        return;
    };
    if file.metadata().map_or(true, |m| m.len() > 16 << 20) {
        report::error(
            PROGRAM,
            format!(
                "history not read: {} is over 16 MiB",
                pola_fileserver::text::shown(h)
            ),
        );
        return;
    }
    let _ = editor.load_history(&format!("/proc/self/fd/{}", file.as_raw_fd()));
    let drawn = |e: &String| !e.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    if editor.history().iter().all(drawn) {
        return;
    }
    let kept: Vec<String> = editor
        .history()
        .iter()
        .filter(|e| drawn(e))
        .cloned()
        .collect();
    let _ = editor.clear_history();
    for e in kept {
        let _ = editor.add_history_entry(e);
    }
}

/// Save the history: whole or not at all (written beside it, then renamed over it: a
/// shell killed while it wrote, as a closed terminal's SIGHUP did, left it empty).
/// The new file is made here, exclusively, under a name no one can guess (a file or
/// link a jail planted at a predictable one would be renamed over the history, or
/// written through), and renamed only if it is still that file and holds what was
/// written (the line editor writes nothing when nothing is new).
fn save(editor: &mut Editor, history: &Option<std::path::PathBuf>) {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let Some(h) = history else { return };
    // Only over a file (`HISTFILE=/dev/null`: nothing is renamed over the device), and
    // one `HISTFILE` names only over one of the line editor's own (`#V2`) or an empty
    // one: another shell's history, named by an exported `HISTFILE`, would be rewritten
    // in its format (review).
    if std::fs::metadata(h).is_ok_and(|m| !m.is_file()) {
        return;
    }
    let own = dirs::data_dir().is_some_and(|d| *h == d.join("pola-sh").join("history"));
    if let Some(mut file) = pola_fileserver::planted::open_regular(h).filter(|_| !own) {
        use std::io::Read;
        let mut head = [0u8; 4];
        let n = file.read(&mut head).unwrap_or(0);
        if n > 0 && &head[..n.min(3)] != b"#V2" {
            report::error(
                PROGRAM,
                format!(
                    "history not saved: {} is not pola-sh's (another shell's history?)",
                    pola_fileserver::text::shown(h)
                ),
            );
            return;
        }
    }
    if let Some(dir) = h.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let mut name = h.as_os_str().to_owned();
    name.push(format!(".new.{}", pola_sh::random_letters(16)));
    let new = std::path::PathBuf::from(name);
    let Ok(made) = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&new)
    else {
        return;
    };
    let ours = made.metadata().map(|m| (m.dev(), m.ino())).ok();
    drop(made);
    let written = editor.save_history(&new).is_ok()
        && std::fs::symlink_metadata(&new)
            .is_ok_and(|m| m.is_file() && m.len() > 0 && Some((m.dev(), m.ino())) == ours);
    if !written || std::fs::rename(&new, h).is_err() {
        let _ = std::fs::remove_file(&new);
    }
}

/// Before a prompt, in a window `cols` wide: output that did not end its line (`printf
/// abc`) stays on the screen (the line editor starts the prompt at the line's start and
/// clears it). As zsh's PROMPT_SP: a marked `%`, then spaces to the last column and a
/// carriage return: from the start of a line they stay on it and the prompt covers
/// them; after text they wrap, and the prompt starts on the next line.
fn keep_unfinished_line(cols: u16) {
    if cols < 2 {
        return;
    }
    let text = format!("\x1b[7m%\x1b[27m{}\r", " ".repeat(usize::from(cols) - 1));
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// While the prompt is drawn and a line read: standard output on the terminal, if the
/// user sent it elsewhere (`exec > log` sent the prompt, the echo and every redraw of
/// the line editor, which writes to standard output, into the log; trial 9). Put back
/// when dropped.
struct DrawnOnTerminal(Option<std::os::fd::OwnedFd>);

impl DrawnOnTerminal {
    fn new() -> DrawnOnTerminal {
        use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd};
        use std::os::unix::fs::OpenOptionsExt;
        // SAFETY: descriptors 0 and 1 stay open for the shell's life.
        let (input, output) = unsafe { (BorrowedFd::borrow_raw(0), BorrowedFd::borrow_raw(1)) };
        let id = |fd| {
            nix::sys::stat::fstat(fd)
                .ok()
                .map(|st| (st.st_dev, st.st_ino, st.st_rdev))
        };
        if !nix::unistd::isatty(input).unwrap_or(false) || id(input) == id(output) {
            return DrawnOnTerminal(None);
        }
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
            .open("/dev/tty");
        let saved = nix::fcntl::fcntl(output, nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(10));
        match (tty, saved) {
            (Ok(tty), Ok(saved)) => {
                // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor that only we hold.
                let saved = unsafe { std::os::fd::OwnedFd::from_raw_fd(saved) };
                let _ = std::io::Write::flush(&mut std::io::stdout());
                // SAFETY: dup2 onto descriptor 1, which this guard puts back.
                unsafe { libc::dup2(tty.as_fd().as_raw_fd(), 1) };
                DrawnOnTerminal(Some(saved))
            }
            _ => DrawnOnTerminal(None),
        }
    }
}

impl Drop for DrawnOnTerminal {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        if let Some(saved) = self.0.take() {
            let _ = std::io::Write::flush(&mut std::io::stdout());
            // SAFETY: descriptor 1 back to what the user made it.
            unsafe { libc::dup2(saved.as_raw_fd(), 1) };
        }
    }
}

/// The terminal's window: rows and columns (None when it does not say).
fn window_size() -> Option<(u16, u16)> {
    // SAFETY: a zeroed winsize is a valid value for TIOCGWINSZ to overwrite.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes the one struct it is given.
    let known = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut size) } == 0 && size.ws_col > 0;
    known.then_some((size.ws_row, size.ws_col))
}

/// Ctrl-C at the prompt shows `^C` where the cursor is, as bash does, before the line
/// is dropped (it vanished without a mark: new-user trial).
struct EchoInterrupt;

impl rustyline::ConditionalEventHandler for EchoInterrupt {
    fn handle(
        &self,
        _: &rustyline::Event,
        _: rustyline::RepeatCount,
        _: bool,
        _: &rustyline::EventContext,
    ) -> Option<rustyline::Cmd> {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(b"^C");
        let _ = out.flush();
        Some(rustyline::Cmd::Interrupt)
    }
}

/// One line the server says (`pola_fileserver::text::say`), as the shell says its own.
fn say_line(line: String) {
    report::line(line);
}

/// One line the server says while a jail runs (`pola_fileserver::text::say_now`).
fn say_now(line: String) {
    report::now(line);
}

extern "C" fn hung_up(_: libc::c_int) {
    HUNG_UP.store(true, std::sync::atomic::Ordering::SeqCst);
    pola_sh::job::interrupt_wait(libc::SIGHUP);
    // The job that has the terminal is told too (as bash sends jobs SIGHUP): it ends,
    // and the shell's next read of the gone terminal ends the shell.
    let job = pola_sh::job::FOREGROUND_JOB.load(std::sync::atomic::Ordering::SeqCst);
    if job > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(-job, libc::SIGHUP) };
    }
}

/// Ctrl-C at the prompt's shell, with no trap for it: the line it runs stops
/// (`pola_sh::exec::INTERRUPTED`). SA_RESTART: the shell's own calls go on.
fn catch_interrupt() {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    let action = SigAction::new(
        SigHandler::Handler(pola_sh::exec::interrupted),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler only stores to atomics.
    let _ = unsafe { sigaction(Signal::SIGINT, &action) };
}

/// A SIGHUP with no trap for it ends the shell as bash's does, but with the history
/// saved: the line editor's read of the gone terminal ends the loop.
fn catch_hangup() {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    let action = SigAction::new(
        SigHandler::Handler(hung_up),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler only stores to an atomic.
    let _ = unsafe { sigaction(Signal::SIGHUP, &action) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// pola-sh(1), written by hand.
    const MAN_PAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../man/pola-sh.1");

    /// The options `--help` lists: the words before the description on each line of
    /// its Options block (`-l, --login`, `-c COMMANDS`).
    fn help_options() -> BTreeSet<String> {
        HELP.lines()
            .skip_while(|l| *l != "Options:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter(|l| l.starts_with("  -"))
            .flat_map(|l| {
                let names = l.trim().split("  ").next().unwrap_or_default();
                names
                    .split(", ")
                    .filter_map(|o| o.split(' ').next())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The options pola-sh(1) describes: the tag line of each `.TP` in its OPTIONS.
    fn man_options() -> BTreeSet<String> {
        let page = std::fs::read_to_string(MAN_PAGE).unwrap();
        let options = page
            .split("\n.SH OPTIONS\n")
            .nth(1)
            .and_then(|rest| rest.split("\n.SH ").next())
            .expect("pola-sh(1) has an OPTIONS section")
            .to_string();
        let lines: Vec<&str> = options.lines().collect();
        lines
            .windows(2)
            .filter(|w| w[0] == ".TP")
            .flat_map(|w| {
                let tag = w[1]
                    .replace("\\-", "-")
                    .replace("\\fB", "")
                    .replace("\\fI", "")
                    .replace("\\fR", "");
                tag.split(", ")
                    .filter_map(|o| o.split(' ').next())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn help_and_man_page_name_the_same_options() {
        let help = help_options();
        assert!(help.contains("--login") && help.contains("-c"), "{help:?}");
        assert_eq!(help, man_options());
    }

    #[test]
    fn man_page_is_of_this_version() {
        let page = std::fs::read_to_string(MAN_PAGE).unwrap();
        let version = format!("\"pola-sh {}\"", env!("CARGO_PKG_VERSION"));
        assert!(page.contains(&version), "pola-sh(1)'s .TH has no {version}");
    }

    #[test]
    fn every_option_help_lists_is_accepted() {
        // -i would read a terminal and -- takes the next word for a script; both are
        // checked by the end-to-end tests.
        for option in help_options() {
            let args: Vec<String> = match option.as_str() {
                "-i" | "--" | "-h" | "--help" | "--version" => continue,
                "-c" => vec!["pola-sh".into(), "-c".into(), ":".into()],
                "-s" => vec!["pola-sh".into(), "-s".into(), "-c".into(), ":".into()],
                "-o" => ["pola-sh", "-o", "errexit", "-c", ":"]
                    .map(String::from)
                    .to_vec(),
                "-O" => ["pola-sh", "-O", "nullglob", "-c", ":"]
                    .map(String::from)
                    .to_vec(),
                other => vec!["pola-sh".into(), other.into(), "-c".into(), ":".into()],
            };
            assert_eq!(run(&args, false), 0, "{option} is not accepted");
        }
        let unknown = ["pola-sh", "--bogus", "-c", ":"].map(String::from);
        assert_eq!(run(&unknown, false), 2);
    }
}
