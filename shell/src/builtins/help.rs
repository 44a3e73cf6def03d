use crate::exec::{Shell, Status};

const TEXT: &str = "\
pola-sh: every external command runs in a jail that holds only the default
environment and what its command line grants.

  cat notes.txt            a word naming a file grants it read-only (also
                           \"quoted\", escaped, and every field of \"$@\")
  sort in -o => out        => makes the one word after it a write grant
  make + => .              + grants without passing the words after it
  rm f + => .              a grant inside a writable directory merges into it
  tar -czf => a.tgz { + d } x   { } limits the scope of +
  expr 1 + 2               a + that grants nothing is an ordinary argument
  echo 'notes.txt'         single-quoted words are never grants
  curl URL + @net          the network is a capability too
  !!sudo apt upgrade       !! runs a command unconfined, on purpose
  grants cmd args...       show the namespace a command line would get

builtins: . : [ alias bg break builtin caller cd command continue declare dirs disown echo
  eval exec exit export false fg getopts grants hash help history jobs kill let local
  mapfile popd printf pushd pwd read readarray readonly return set shift shopt source
  test times trap true type typeset ulimit umask unalias unset wait
";

/// `help` — what pola-sh is and which builtins it has.
pub fn help(_: &mut Shell, _: &[String]) -> Status {
    super::out(TEXT);
    Ok(0)
}
