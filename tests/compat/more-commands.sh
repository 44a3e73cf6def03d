#### recursion with locals
f() { local n=$1; if [ $n -gt 0 ]; then f $((n-1)); fi; printf '%s ' $n; }; f 3; echo
#### shift and recurse over arguments
f() { echo $1; shift; [ $# -gt 0 ] && f "$@"; }; f a b c
#### function named like a builtin calls the builtin
cd() { builtin cd "$@"; echo changed; }; cd /; pwd
#### return from inside nested loops in a function
f() { for i in 1 2; do for j in a b; do return 7; done; done; }; f; echo $?
#### function output captured with its status
f() { echo out; return 3; }; x=$(f); echo "$x $?"
#### function with local IFS
f() { local IFS=:; set -- $1; echo $#; }; f a:b:c; x='a:b'; set -- $x; echo $#
#### function modifies positional parameters of caller
set -- a b; f() { set -- x; }; f; echo $1
#### pipestatus after a mixed pipeline
false | true | (exit 5); echo ${PIPESTATUS[0]} ${PIPESTATUS[1]} ${PIPESTATUS[2]}
#### if with a negated condition
if ! false; then echo negated; fi
#### status of until that ran
i=0; until [ $i -ge 2 ]; do i=$((i+1)); false; done; echo $?
#### empty test
[ ]; echo $?
#### test with a single argument that looks like an operator
[ -n ] && echo true
#### test with equal strings and spaces
a='x y'; [ "$a" = 'x y' ] && echo equal
#### test string not equal
[ abc != abd ] && echo ne
#### test with integer comparisons and negatives
[ -5 -lt -2 ] && [ 0 -ge -0 ] && echo ok
#### test a directory and a file
[ -d / ] && [ ! -f / ] && echo dir
#### background job and wait for its pid
sleep 0.1 & wait $!; echo $?
#### background group exit status
{ sleep 0.1; exit 3; } & wait $!; echo $?
#### background job output then wait in order
for i in 1 2 3; do (sleep 0.$((i * 3)); echo $i) & done; wait; echo done
#### kill a background job by job spec
sleep 5 & kill %1; wait %1; echo $?
#### subshell does not see later parent changes
x=1; (sleep 0.1; echo $x) & x=2; wait
#### case with multiple patterns and a default
for w in apple kiwi x; do case $w in a*|k*) echo fruit;; *) echo other;; esac; done
#### case with a pattern from a variable with special characters
p='[ab]'; case b in $p) echo class;; esac
#### case inside a loop with break
for i in 1 2 3; do case $i in 2) break;; esac; echo $i; done
#### nested case
case a in a) case b in b) echo nested;; esac;; esac
#### while loop with a pipe into it and a counter
n=0; printf 'a\nb\nc\n' | while read l; do n=$((n+1)); echo $n; done
#### for loop over a glob of files in order
: > 3; : > 1; : > 2; for f in [0-9]; do printf $f; done; echo
#### loop with continue in a nested if
for i in 1 2 3 4; do if [ $((i % 2)) -eq 0 ]; then continue; fi; echo $i; done
#### C-style loop with break
for ((i=0; ; i++)); do [ $i -eq 3 ] && break; done; echo $i
#### eval with quotes
eval "x='a b'"; echo "$x"
#### eval defining a function
eval 'g() { echo from-eval; }'; g
#### eval with a semicolon list and status
eval 'false; true'; echo $?
#### exec in a subshell with a redirection
(exec >out; echo hidden); cat out
#### set -e does not exit in a pipeline's non-last command
set -e; false | true; echo survived
#### set -e exits in a subshell command
set -e; (false); echo never
#### set -e and an if body failure exits
set -e; if true; then false; fi; echo never
#### set -e inside a function called with or
set -e; f() { false; echo inside; }; f || echo caught
#### set -u with an empty array
set -u; a=(); echo "${a[@]}" ok
#### set -u with positional parameters
set -u; set --; echo "$#" ok
#### set -x output
set -x; echo traced 2>/dev/null
#### readonly function variable in a subshell
readonly r=1; (r=2; echo $r) 2>/dev/null; echo $?
#### export in a subshell does not leak
(export leak=1); echo "[${leak-unset}]"
#### unset a variable in a subshell
x=1; (unset x; echo "[${x-unset}]"); echo $x
#### trap on EXIT in a function does not run at return
f() { trap 'echo trapped' EXIT; }; f; echo after
#### trap INT ignored and listed
trap '' INT; trap | grep -c INT
#### trap reset to default
trap 'echo x' USR1; trap - USR1; trap | wc -l
#### trap on ERR with a failing command
trap 'echo "err $?"' ERR; (exit 3); echo after
#### alias defined in a function body later
shopt -s expand_aliases 2>/dev/null; alias sayhi='echo hi'
f() { sayhi; }
f
#### alias with a quoted value
shopt -s expand_aliases 2>/dev/null; alias q='echo "a  b"'
q
#### alias listing format
alias z='echo z'; alias z
#### getopts in a loop with arguments
set -- -a 1 -b -c 2 file; while getopts a:bc: o; do echo "$o=${OPTARG-}"; done; shift $((OPTIND-1)); echo "$@"
#### getopts resetting OPTIND
set -- -x; getopts x o; OPTIND=1; getopts x o; echo $o $OPTIND
#### command substitution of a function with a redirection inside
f() { echo err >&2; echo out; }; x=$(f 2>/dev/null); echo $x
#### nested subshells and exit
( (exit 4); echo $? ); echo $?
#### exit status of a pipeline in a subshell
(false | true); echo $?
#### local variable shadowing in a subshell inside a function
x=g; f() { local x=l; (echo $x); }; f; echo $x
#### declare -p of an integer variable
declare -i i=5; declare -p i
#### declare -a then append
declare -a arr; arr+=(x); arr+=(y); echo ${arr[@]} ${#arr[@]}
#### declare -u conversion on assignment
declare -u up; up=hello; echo $up
#### declare -l of an existing value
v=ABC; declare -l v; v=$v; echo $v
#### readonly -p after readonly
readonly zz=1; readonly -p | grep -c zz
#### export -n keeps the value
export e1=val; export -n e1; echo $e1
#### local in a function shadows an array
a=(1 2 3); f() { local a=x; echo ${#a[@]} $a; }; f; echo ${#a[@]}
#### unset an array element then count
a=(a b c d); unset 'a[0]' 'a[2]'; echo ${#a[@]} ${!a[@]}
#### associative array keys and values
declare -A m; m[one]=1; m[two]=2; echo ${#m[@]} ${m[one]} ${m[two]}
#### associative array with a quoted key
declare -A m; m["a b"]=x; echo "${m["a b"]}"
#### array assignment from another array with a default
a=(); b=("${a[@]:-none}"); echo ${b[@]}
#### array in a for loop with indices
a=(x y z); for i in "${!a[@]}"; do echo "$i=${a[i]}"; done
#### array element with an arithmetic index expression
a=(1 2 3 4); i=1; echo ${a[i*2]} ${a[$((i+2))]}
#### array length of an element
a=(hello); echo ${#a[0]} ${#a}
#### double bracket with an arithmetic expression on the left
x=5; [[ $((x+1)) -eq 6 ]] && echo six
#### double bracket pattern with a star in the middle
[[ foobar == f*r ]] && echo match
#### double bracket regex with captures
[[ 'key=value' =~ ^([^=]+)=(.*)$ ]] && echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
#### double bracket with and or precedence
[[ 1 -eq 2 || 1 -eq 1 && 2 -eq 2 ]] && echo prec
#### double bracket with a quoted empty string
[[ '' ]] || echo empty-false
#### double bracket file test on a missing file
[[ -e /nonexistent ]] || echo missing
#### double bracket string equality with a variable containing spaces
a='x y'; b='x y'; [[ $a == $b ]] && echo same
#### double bracket negation with parentheses
[[ ! ( a == b ) ]] && echo not
#### arithmetic command in a while loop
i=0; while (( i < 3 )); do (( i++ )); done; echo $i
#### arithmetic for loop with a body using the variable
for ((i=1; i<=3; i++)); do printf '%d,' $((i*i)); done; echo
