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
  make + => . @mem:2G @procs:200    limits for one command
  !!sudo apt upgrade       !! runs a command unconfined, on purpose
  grants cmd args...       show the namespace a command line would get

When a command lacks something: a failed command says what it looked for and the
grant that would give it (interactive; in scripts with --hints or POLA_HINTS=1);
`pola-run --learn cmd` finds what a program needs (--save puts it in its profile);
a profile, ~/.config/pola-sh/profiles/PROGRAM, holds what a program always gets
(pola-sh ships ones for pyenv, rustup, nvm, Go, conda, git, man, editors and
shells' settings). `help grants` has the rules in full.

builtins: . : [ alias bg break builtin caller cd command continue declare dirs disown echo
  eval exec exit export false fg getopts grants hash help history jobs kill let local
  mapfile mktemp popd printf pushd pwd read readarray readonly return set shift shopt
  source test times trap true type typeset ulimit umask unalias unset wait which
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

/// `help [grants]` — what pola-sh is and which builtins it has, or the grant rules.
pub fn help(_: &mut Shell, argv: &[String]) -> Status {
    if argv.get(1).is_some_and(|a| a == "grants") {
        super::out(GRANTS);
    } else {
        super::out(TEXT);
    }
    Ok(0)
}
