#### alias in a script needs expand_aliases in bash
shopt -s expand_aliases 2>/dev/null; alias hi='echo aliased'
hi
#### alias prints the definition
alias ll='ls -l'; alias ll
#### alias with no arguments lists
alias a1='echo 1'; alias | grep -c a1
#### unalias
shopt -s expand_aliases 2>/dev/null; alias x='echo x'; unalias x; alias x 2>/dev/null; echo $?
#### unalias -a
alias a='echo a'; unalias -a; alias | wc -l
#### alias of a missing name
alias nosuch_alias 2>/dev/null; echo $?
#### alias with a trailing space expands the next word
shopt -s expand_aliases 2>/dev/null; alias e='echo ' w='world'
e w
#### alias used in the same line is not expanded
shopt -s expand_aliases 2>/dev/null; alias same='echo no'; same 2>/dev/null; echo $?
#### eval
eval 'echo a; echo b'
#### eval joins arguments
eval echo a b
#### eval with a variable
cmd='x=evaluated'; eval "$cmd"; echo $x
#### eval status
eval false; echo $?
#### eval of an empty string
false; eval ''; echo $?
#### source a file with arguments
echo 'echo "$# $1"' > s; . ./s a b
#### source a missing file
. ./nosuch 2>/dev/null; echo $?
#### source finds files in PATH
echo 'echo found' > inc; PATH="$PWD:$PATH" . inc
#### exec with a redirection in a subshell
(exec > f; echo x); cat f
#### true and colon ignore arguments
: a b c; true x; echo $?
#### getopts with several options in one word
set -- -ab; while getopts ab o; do echo $o; done
#### getopts with an argument attached
set -- -xval; getopts x: o; echo "$o $OPTARG"
#### getopts stops at non-options
set -- a -b; getopts b o; echo $?
#### getopts with explicit arguments
getopts a o -a; echo $o
#### command -v for several names
command -v true false
#### type for several names
type true false | wc -l
#### kill with no arguments
kill 2>/dev/null; echo $?
#### wait for a finished job twice
true & p=$!; wait $p; wait $p; echo $?
#### jobs with no jobs
jobs; echo $?
#### hash with no arguments
hash >/dev/null 2>&1; echo $?
#### hash -t of a command
hash -t sh >/dev/null 2>&1 || hash sh; echo $?
#### help is a builtin
help >/dev/null 2>&1; echo ran
#### caller outside a function
caller >/dev/null 2>&1; echo $?
#### printf to stderr
printf 'x\n' >&2; echo ok
#### pushd and popd
pushd / >/dev/null; pwd; popd >/dev/null; echo back
#### dirs
cd /; dirs
#### fc is not needed
echo ok
#### exit from a trap
trap 'exit 3' USR1; kill -USR1 $$; echo never
#### set -o posix is accepted
set -o posix 2>/dev/null; echo $?
#### enable is a builtin in bash
type enable >/dev/null 2>&1 && echo has-enable || echo none
#### read-only builtin names
readonly -f 2>/dev/null; echo $?
#### return in a trap
f() { trap 'return 7' USR1; kill -USR1 $$; echo never; }; f; echo $?
#### builtin export with several names
export a=1 b=2; sh -c 'echo $a$b'
#### test builtin with no arguments
test; echo $?
#### true with output redirection
true > f; echo $?
#### cd then pwd builtin
cd /usr; pwd
#### command -v of an alias
alias myal='echo x'; command -v myal
#### type of an alias
alias myal='echo x'; type myal
#### shopt -s expand_aliases then alias in a function
shopt -s expand_aliases 2>/dev/null; alias greet='echo hello'
f() { greet; }; f
#### alias recursion stops
shopt -s expand_aliases 2>/dev/null; alias printf='printf %s-'
printf a b; echo
#### alias with a semicolon
shopt -s expand_aliases 2>/dev/null; alias two='echo a; echo b'
two
#### exec 2>&1 then a failing command
## differs: error messages name pola-sh, as dash's and bash's name themselves
exec 2>&1; nosuch_q_cmd >/dev/null; echo $?
#### ulimit -c is available
ulimit -c >/dev/null; echo $?
#### local in a nested function
f() { local x=f; g; echo $x; }; g() { local x=g; }; f
#### unset in a function unsets the local
x=g; f() { local x=l; unset x; echo "[${x-unset}]"; }; f; echo $x
#### declare -i arithmetic append
declare -i n=5; n+=3; echo $n
#### declare -x then unset export
declare -x dv=1; declare +x dv; sh -c 'echo "[$dv]"'
#### declare -r then declare -p
declare -r drp=1; declare -p drp
#### export -p format
export xq_export_p=1; export -p | grep xq_export_p
#### readonly of several names
readonly ra=1 rb=2; echo $ra$rb
#### readonly -p then assignment fails
readonly rq=1; rq=2 2>/dev/null || echo failed
