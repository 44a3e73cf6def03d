//! pola-sh: the least-authority shell.
//!
//! `pola-sh [-l] [-i] [-s] [-abCefhmnuvx] [-o option] [-O shopt] [--norc] [--noprofile]
//! [--no-profile] [--learn] [--ask] [--powerbox] [-c COMMANDS [NAME [ARG]...] | SCRIPT [ARG]...]`
//!
//! With `-c`, runs COMMANDS; with a SCRIPT, runs the file; otherwise reads commands
//! from standard input, interactively (line editing, history) when it is a terminal.

use std::io::IsTerminal;

use pola_sh::exec::{flow_status, Flow, Shell, PROGRAM};
use pola_sh::interactive::PolaHelper;
use pola_sh::{parse, report};
use rustyline::error::ReadlineError;

fn main() {
    report::init_logging();
    // Every command of a shell's life is jailed: fork each jail's shim from one zygote.
    pola_fileserver::zygote::enable();
    let args: Vec<String> = std::env::args().collect();
    let login = args.first().is_some_and(|a| a.starts_with('-'));
    std::process::exit(run(&args, login));
}

/// The usage line, for `--help` and mistakes.
const USAGE: &str = "usage: pola-sh [-l] [-i] [-s] [-abCefhmnuvx] [-o option] [-O shopt] [--norc] [--noprofile] [--no-profile] [--learn] [--ask] [--powerbox] [-c COMMANDS [NAME [ARG]...] | SCRIPT [ARG]...]";

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
            "--" | "-" => {
                i += 1;
                break;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return 0;
            }
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
    let mut sh = match Shell::new(arg0, interactive) {
        Ok(sh) => sh,
        Err(e) => {
            report::error(PROGRAM, e);
            return 125;
        }
    };
    sh.profiles = !no_profile;
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
            finish(&mut sh, |sh| sh.run_source(&c))
        }
        (None, Some(script)) => {
            sh.positional = rest[1..].to_vec();
            let text = match std::fs::read_to_string(script) {
                Ok(t) => t,
                Err(e) => {
                    report::error(
                        PROGRAM,
                        format!(
                            "{}: {}",
                            pola_fileserver::text::shown(script),
                            pola_sh::exec::io_reason(&e)
                        ),
                    );
                    return 127;
                }
            };
            sh.line = 1;
            finish(&mut sh, |sh| sh.run_source(&text))
        }
        (None, None) if interactive => repl(&mut sh),
        (None, None) => run_stdin(&mut sh),
    }
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

/// Run a startup file if it exists (its errors are reported; the shell goes on).
fn source_file(sh: &mut Shell, path: &std::path::Path) -> Result<(), Flow> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    let line = std::mem::replace(&mut sh.line_base, 1);
    let r = sh.run_text(&text, false);
    sh.line_base = line;
    match r {
        Err(Flow::Exit(s)) => Err(Flow::Exit(s)),
        _ => Ok(()),
    }
}

/// A login shell reads `/etc/profile` and `~/.profile`, as sh does.
fn read_login_files(sh: &mut Shell) -> Result<(), Flow> {
    source_file(sh, std::path::Path::new("/etc/profile"))?;
    if let Some(home) = sh.get("HOME").map(std::path::PathBuf::from) {
        source_file(sh, &home.join(".profile"))?;
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
                    source_file(sh, std::path::Path::new(&path))?;
                }
            }
        }
    }
    if !sh.read_rc {
        return Ok(());
    }
    if let Some(rc) = dirs::config_dir().map(|d| d.join("pola-sh").join("rc")) {
        source_file(sh, &rc)?;
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
    sh.terminal = pola_sh::job::Terminal::take();
    let history = dirs::data_dir().map(|d| d.join("pola-sh").join("history"));
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut editor: Editor = match rustyline::Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            report::error(PROGRAM, format!("cannot start line editing: {e}"));
            return 2;
        }
    };
    editor.set_helper(Some(PolaHelper::new()));
    if let Some(h) = &history {
        let _ = editor.load_history(h);
        sh.history = editor.history().iter().cloned().collect();
    }
    if let Err(Flow::Exit(s)) = read_interactive_files(sh) {
        return sh.exit_hook(s);
    }
    let mut pending = String::new();
    loop {
        sh.reap_jobs();
        for job in sh
            .jobs
            .iter()
            .filter(|j| matches!(j.state, pola_sh::job::State::Done(_)))
        {
            eprintln!("{}", job.describe());
        }
        sh.jobs
            .retain(|j| !matches!(j.state, pola_sh::job::State::Done(_)));
        if let Some(t) = &mut sh.terminal {
            t.save_modes();
        }
        if let Some(h) = editor.helper() {
            let path = sh.get("PATH").unwrap_or("").to_string();
            let home = sh.get("HOME").unwrap_or("").to_string();
            h.refresh(&path, sh.functions.keys().cloned(), &home);
        }
        let p = if pending.is_empty() {
            pola_sh::prompt::expand(sh, "PS1")
        } else {
            pola_sh::prompt::expand(sh, "PS2")
        };
        match editor.readline(&p) {
            Ok(line) => {
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
                if let Err(Flow::Exit(s)) = sh.run_source(&text) {
                    save(&mut editor, &history);
                    return sh.exit_hook(s);
                }
            }
            Err(ReadlineError::Interrupted) => {
                pending.clear();
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                report::error(PROGRAM, format!("reading input: {e}"));
                break;
            }
        }
    }
    save(&mut editor, &history);
    let status = sh.status;
    sh.exit_hook(status)
}

type Editor = rustyline::Editor<PolaHelper, rustyline::history::FileHistory>;

fn save(editor: &mut Editor, history: &Option<std::path::PathBuf>) {
    if let Some(h) = history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
}
