use crate::exec::{Shell, Status};

const TEXT: &str = "\
pola-sh: every external command runs in a jail that holds only the default
environment and what its command line grants.

  cat notes.txt            a word naming a file grants it read-only (also
                           \"quoted\", escaped, and every field of \"$@\")
  sort in -o => out        => makes the one word after it a write grant: a slot,
                           which the command may create (file, directory, link),
                           replace by renaming onto it, rename to a slot, remove:
  mkdir => d; mv => a => b; sed -i s/x/y/ => f
  make + => .              + grants without passing the words after it
  rm f + => .              a grant inside a writable directory merges into it
  tar -czf => a.tgz { + d } x   { } limits the scope of +
  expr 1 + 2               a + that grants nothing is an ordinary argument
  echo 'notes.txt'         single-quoted words are never grants
  curl URL + @net          the network is a capability too
  pip install x + @net:pypi.org @net:files.pythonhosted.org    only those hosts
  ps aux + @ps             the machine's processes to see, read-only
  make + => . @mem:2G @procs:200    limits for one command
  !!sudo apt upgrade       !! runs a command unconfined, on purpose
  grants cmd args...       show the namespace a command line would get

When a command lacks something: a failed command says what it looked for and the
grant that would give it (interactive, or its errors on a terminal; else --hints or
POLA_HINTS=1; never with POLA_HINTS=0);
`pola-run --learn cmd` finds what a program needs (--save puts it in its profile);
a profile, ~/.config/pola-sh/profiles/PROGRAM, holds what a program always gets
(pola-sh ships ones for pyenv, rustup, nvm, Go, conda, git, man, editors and
shells' settings). `help grants` has the rules in full.

builtins: . : [ alias bg break builtin caller cd command compgen complete continue declare
  dirs disown echo eval exec exit export false fg getopts grants hash help history jobs
  kill let local logout mapfile mkfifo mktemp popd printf pushd pwd read readarray readonly return
  set shift shopt source test times trap true type typeset ulimit umask unalias unset wait
  which
keywords: if for while until case select function [[ (( time   (help NAME: one of them)
";

/// The grant rules in full (`help grants`, `grants --help`).
pub const GRANTS: &str = "\
grants: what a command line gives the command it runs.

  A word naming an existing file or directory grants it read-only (recursively),
  unquoted, \"double-quoted\" or escaped, and every field of \"$@\"; a word
  naming nothing is a plain string. 'single-quoted' words never grant. Words
  starting with - never grant (but after --, as operands), and --opt=PATH
  grants PATH.
  => WORD      a write grant: a slot for that name. The command may create it (a
               file, a directory and all in it, a symlink), write it, replace it
               by renaming onto it (sed -i, editors), rename it to another slot,
               remove it; names it makes beside it are scratch, discarded at exit.
               => . (or dir/, or the working directory) grants it writable as is.
  + WORDS      grants without passing them, until } or the end; + => x too.
               A + that grants nothing is an argument (find ... {} +, expr 1 + 2).
  { ... }      limits the scope of +.
  + @net       the whole network.
  + @net:HOST  one host (HOST:PORT,PORT; *.example.org for its subdomains; 80
               and 443 by default) through pola-sh's proxy, which looks the name
               up: http_proxy, https_proxy and ALL_PROXY are set for the command.
  + @net:connect=443,80  @net:bind=8080   TCP to or on those ports, any address;
               no name lookups (DNS is UDP): for named hosts use @net:HOST.
  + @ps        the machine's processes to see (ps, top, pgrep), read-only: all
               /proc tells of them (command lines, state, mounts, the host's
               network), never their memory, environment or files, nor a signal
               to them (the kill builtin signals yours).
  + @mem:2G @procs:200 @cpu:50 @tmp:4G   the command's limits: memory (RAM and
               swap), processes, CPU weight (1-10000, 100 by default), and the size
               of its private /tmp, $HOME and /dev/shm together.
  A grant inside a directory granted with the same or more rights merges into it.
  A link a jail may have made is never followed (one made by the line's own
  `ln -s TEXT => LINK` is yours); a link of yours named on the line reaches the
  command as the link, with what it leads to (=> link: writable too). A
  redirection is opened by the shell and passed as a descriptor.

  Also granted: the default environment (~/.config/pola-sh/environment), the
  program and its #! interpreter, and the program's profiles: pola-sh's shipped
  ones (by where the program is: pyenv, rustup/cargo, nvm, pipx, Go, conda, git,
  man, vim/nano and bash/zsh/fish settings) and ~/.config/pola-sh/profiles/PROGRAM (ro PATH, rw PATH, net, env NAME,
  nearest NAME: a version file in the working directory or above, nearest-dir
  NAME: the directory above holding it, shipped off).
  git-upload-pack, git-upload-archive and git-receive-pack (git over ssh, with
  pola-sh as the login shell) get the repository they name, quoted or not; a
  program of a Python venv (VENV/bin/PROG) gets VENV read-only.
  pola-run --learn [--save] finds what a program needs; a failed
  command's hint names what it looked for.

  grants CMD ARGS...   print the namespace CMD ARGS would get, and run nothing
";

/// Each builtin's synopsis and what it does (`help NAME`).
const BUILTINS: &[(&str, &str, &str)] = &[
    (".", ". FILE [ARGS...]", "Run FILE's commands in this shell (a file a jail could have written: !!. FILE)."),
    (":", ": [ARGS...]", "Do nothing, successfully."),
    ("[", "[ EXPRESSION ]", "Evaluate EXPRESSION, as test does."),
    ("alias", "alias [NAME[=VALUE]...]", "Define or show aliases."),
    ("bg", "bg [JOB]", "Resume a stopped job in the background."),
    ("break", "break [N]", "Leave N enclosing loops (1 by default)."),
    ("builtin", "builtin NAME [ARGS...]", "Run the builtin NAME, not a function of that name."),
    ("caller", "caller [N]", "The line and file of the function call N frames up."),
    ("cd", "cd [-L|-P] [DIR]", "Change the working directory ($HOME by default; - is $OLDPWD; CDPATH)."),
    ("command", "command [-v|-V] NAME [ARGS...]", "Run NAME ignoring functions, or say what it is."),
    ("compgen", "compgen [-abcdefgjkuv] [-A ACTION] [-W WORDS] [-G GLOB] [-X FILTER] [-P PREFIX] [-S SUFFIX] [WORD]", "Print the completions of WORD the options offer (-F and -C are not run)."),
    ("complete", "complete [-pr] [OPTIONS] [NAME...]", "Keep, show (-p) or remove (-r) how NAME's arguments complete: the line editor offers -W's words; -F and -C are kept, not run."),
    ("continue", "continue [N]", "Go on with the next turn of the Nth enclosing loop."),
    ("declare", "declare [-aAfFgilnprtux] [NAME[=VALUE]...]", "Set variables' attributes and values (-n: a name reference); in a function, its locals."),
    ("dirs", "dirs [-clpv]", "Show the directory stack."),
    ("disown", "disown [-h] [JOB...]", "Forget jobs: the shell's exit does not end them."),
    ("echo", "echo [-neE] [ARGS...]", "Write the arguments."),
    ("eval", "eval [ARGS...]", "Run the arguments, joined, as shell commands. Arguments that hold a command's output ($(tool), a variable or read line made from one) may be a jail's text: then they may not use !!, write a file (but /dev/null and the terminal), grant one to write or the network, set LD_*, GIT_*, XDG_*, HOME, PAGER, EDITOR and the like, put on PATH a directory a jail could write, or set an alias; functions and traps they define run the same way. The script's own words run as the script. !!eval vouches for any."),
    ("exec", "exec [COMMAND [ARGS...]] [REDIRECTIONS]", "Replace the shell by COMMAND (jailed; !!exec unconfined), or make redirections permanent."),
    ("exit", "exit [N]", "Leave the shell with status N (asks again with stopped or running jobs)."),
    ("logout", "logout [N]", "Leave a login shell, as exit does."),
    ("export", "export [-fn] [NAME[=VALUE]...]", "Give variables to the commands run (jailed ones too)."),
    ("false", "false", "Fail."),
    ("fg", "fg [JOB]", "Bring a job to the foreground."),
    ("getopts", "getopts OPTSTRING NAME [ARGS...]", "Parse options, one a call."),
    ("grants", "grants [-a] COMMAND [ARGS...]", "Show the namespace a command line would get, and run nothing."),
    ("hash", "hash [-r] [NAME...]", "Remember or forget where programs are."),
    ("help", "help [grants | NAME]", "This help: the shell, the grant rules, or a builtin."),
    ("history", "history [N]", "The lines entered (the last N)."),
    ("jobs", "jobs [-lp]", "List the jobs."),
    ("kill", "kill [-s SIGNAL | -SIGNAL] PID|JOB... ; kill -l", "Send a signal."),
    ("let", "let EXPRESSION...", "Evaluate arithmetic; fail if the last is 0."),
    ("local", "local [-n] [NAME[=VALUE]...]", "Variables of the running function."),
    ("mapfile", "mapfile [-d DELIM] [-n N] [-s N] [-t] [ARRAY]", "Read lines into an array (MAPFILE by default)."),
    ("mkfifo", "mkfifo [-m MODE] NAME...", "Make named pipes, as you: the shell opens its own FIFOs in redirections and grants, never one a jail made."),
    ("mktemp", "mktemp [-dqtu] [-p DIR] [--suffix=SUFF] [TEMPLATE]", "Make a new file or directory with a unique name; it is the script's scratch, granted to write when named."),
    ("popd", "popd [+N | -N]", "Leave a directory of the stack."),
    ("printf", "printf FORMAT [ARGS...]", "Write ARGS as FORMAT says (%q quotes)."),
    ("pushd", "pushd [DIR | +N | -N]", "Change to DIR, keeping the last on the stack."),
    ("pwd", "pwd [-LP]", "The working directory."),
    ("read", "read [-ers] [-a ARRAY] [-d DELIM] [-n N] [-p PROMPT] [-t SECS] [-u FD] [NAME...]", "Read a line into variables (REPLY by default)."),
    ("readarray", "readarray [-d DELIM] [-n N] [-s N] [-t] [ARRAY]", "As mapfile."),
    ("readonly", "readonly [-p] [NAME[=VALUE]...]", "Make variables read-only."),
    ("return", "return [N]", "Leave a function (or a sourced file) with status N."),
    ("set", "set [-+euxfCnvab] [-o OPTION] [ARGS...]", "Set options (-e errexit, -u nounset, -x xtrace, -o pipefail, ...) or the positional parameters."),
    ("shift", "shift [N]", "Drop the first N positional parameters."),
    ("shopt", "shopt [-su] [OPTION...]", "Set bash's options (nullglob, globstar, extglob, lastpipe, ...)."),
    ("source", "source FILE [ARGS...]", "As ."),
    ("test", "test EXPRESSION", "Evaluate a condition: files (-e -f -d ...), strings, numbers."),
    ("times", "times", "The shell's and its children's CPU times."),
    ("trap", "trap [ACTION] [SIGNAL...]", "Run ACTION on a signal, or EXIT, ERR, DEBUG, RETURN."),
    ("true", "true", "Succeed."),
    ("type", "type [-atp] NAME...", "Say what NAME is: alias, keyword, function, builtin, file."),
    ("typeset", "typeset [-aAfFgilnprtux] [NAME[=VALUE]...]", "As declare."),
    ("ulimit", "ulimit [-HSa] [-cdfnstuv [LIMIT]]", "Resource limits of each command (not of the shell)."),
    ("umask", "umask [-S] [MODE]", "The mask of new files' permissions."),
    ("unalias", "unalias [-a] NAME...", "Remove aliases."),
    ("unset", "unset [-fvn] NAME...", "Remove variables or functions (-n: a name reference itself)."),
    ("wait", "wait [-n] [PID|JOB...]", "Wait for jobs to end; their status."),
    ("which", "which [-a] NAME...", "Where the programs are that NAME would run."),
];

/// The language's keywords (`help NAME`).
const KEYWORDS: &[(&str, &str, &str)] = &[
    ("if", "if LIST; then LIST; [elif LIST; then LIST;]... [else LIST;] fi", "Run the first branch whose LIST succeeds."),
    ("for", "for NAME [in WORDS...]; do LIST; done  |  for ((INIT; TEST; STEP)); do LIST; done", "Run LIST for each word (\"$@\" without in), or while TEST is not 0."),
    ("while", "while LIST; do LIST; done", "Run the body while the first LIST succeeds."),
    ("until", "until LIST; do LIST; done", "Run the body until the first LIST succeeds."),
    ("case", "case WORD in [(]PATTERN[|PATTERN]...) LIST ;; ... esac", "Run the LIST of the first pattern WORD matches (;& falls through, ;;& goes on testing)."),
    ("select", "select NAME [in WORDS...]; do LIST; done", "Number the words on standard error, read a choice (PS3), set NAME and REPLY, run LIST; until break or the end of input."),
    ("function", "function NAME { LIST; }  |  NAME() { LIST; }", "Define a function; local, return, $1... and FUNCNAME inside."),
    ("[[", "[[ EXPRESSION ]]", "Test files, strings (== patterns, =~ regular expressions, with BASH_REMATCH) and numbers, with && || ! ( ); no word splitting."),
    ("((", "(( EXPRESSION ))", "Arithmetic; fails if it is 0."),
    ("time", "time PIPELINE", "Run it, and say the real, user and system time it took."),
];

/// `help [grants | NAME...]` — what pola-sh is and which builtins it has, the grant
/// rules, or what the builtins named do.
pub fn help(sh: &mut Shell, argv: &[String]) -> Status {
    let names = &argv[1..];
    if names.is_empty() {
        super::out(TEXT);
        return Ok(0);
    }
    if names.iter().any(|a| a == "grants") {
        super::out(GRANTS);
        return Ok(0);
    }
    let mut text = String::new();
    let mut status = 0;
    for name in names {
        match BUILTINS.iter().chain(KEYWORDS).find(|(n, ..)| n == name) {
            Some((_, usage, what)) => text.push_str(&format!("{name}: {usage}\n    {what}\n")),
            None => {
                sh.error(format!(
                    "help: no help topics match `{}'; try help, or help grants",
                    pola_fileserver::text::shown(name)
                ));
                status = 1;
            }
        }
    }
    super::out(&text);
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_listed_has_help() {
        let listed: Vec<&str> = TEXT
            .split("builtins:")
            .nth(1)
            .unwrap()
            .split("keywords:")
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        let keywords = TEXT.split("keywords:").nth(1).unwrap();
        for (name, ..) in KEYWORDS {
            assert!(keywords.split_whitespace().any(|w| w == *name), "{name}");
        }
        for name in &listed {
            assert!(BUILTINS.iter().any(|(n, ..)| n == name), "{name}");
        }
        // Every builtin there is (`mkfifo` was missing).
        for name in crate::builtins::names() {
            assert!(listed.contains(&name), "{name}");
        }
        for (name, ..) in BUILTINS {
            assert!(listed.contains(name), "{name}");
            assert!(crate::builtins::exists(name) || *name == "grants", "{name}");
        }
    }
}
