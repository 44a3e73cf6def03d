use crate::exec::{Shell, Status};

const TEXT: &str = "\
pola-sh: every external command runs in a jail that holds only the default
environment and what its command line grants.

  cat notes.txt            an unquoted word naming a file grants it read-only
  sort in -o => out        => grants write (and creation) to the words after it
  make + => .              + grants without passing the word as an argument
  tar -czf { => a.tgz } d  { } limits the scope of => and +
  echo 'notes.txt'         quoted words are never grants
  curl URL + @net          the network is a capability too
  !!sudo apt upgrade       !! runs a command unconfined, on purpose
  grants cmd args...       show the namespace a command line would get

builtins: . : [ bg break cd command continue echo eval exec exit export false fg
  grants help history jobs kill printf pwd read return set shift source test true
  type umask unset wait
";

/// `help` — what pola-sh is and which builtins it has.
pub fn help(_: &mut Shell, _: &[String]) -> Status {
    super::out(TEXT);
    Ok(0)
}
