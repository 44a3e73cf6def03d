#### dollar-hash
set -- a b c; echo $#
#### dollar-question
false; echo $?
#### dollar-dollar is a number
case $$ in *[!0-9]*) echo bad;; *) echo number;; esac
#### dollar-dollar is the same in a subshell
[ "$(echo $$)" = "$$" ] && echo same
#### dollar-dollar in a subshell group
p=$$; (q=$$; [ "$p" = "$q" ] && echo same)
#### dollar-zero with -c
echo $0 | grep -c .
#### dollar-zero with a name argument
sh_name_test=1; echo ok
#### dollar-dash contains options
set -e; case $- in *e*) echo has-e;; esac
#### dollar-dash after set -u
set -u; case $- in *u*) echo has-u;; esac
#### dollar-bang before any job is empty
echo "[${!}]"
#### PPID is a number
case $PPID in ''|*[!0-9]*) echo bad;; *) echo number;; esac
#### PPID is the parent process
[ "$PPID" = "$(sh -c 'echo $PPID' | head -n1)" ] && echo no || echo differs
#### PPID is the same in a subshell
p=$PPID; (echo $PPID) | { read q; [ "$p" = "$q" ] && echo same; }
#### UID is set
[ -n "$UID" ] && echo has-uid
#### UID matches id -u
[ "$UID" = "$(id -u)" ] && echo match
#### EUID matches
[ "$EUID" = "$(id -u)" ] && echo match
#### UID is readonly
UID=5 2>/dev/null; echo $?
#### underscore is the last argument
echo a b; echo $_
#### underscore after a builtin with no arguments
true; echo $_
#### underscore in a function
f() { :; }; f x y; echo $_
#### LINENO
echo $LINENO
#### LINENO on another line
echo a
echo $LINENO
#### RANDOM changes
[ "$RANDOM" != "$RANDOM" ] && echo random
#### SECONDS is a number
case $SECONDS in *[!0-9]*) echo bad;; *) echo number;; esac
#### HOSTNAME is set
[ -n "$HOSTNAME" ] && echo set
#### BASH_VERSION is not needed
echo done
#### OPTIND starts at 1
echo $OPTIND
#### getopts parses options
set -- -a -b val rest; while getopts ab: o; do echo "$o ${OPTARG-}"; done; shift $((OPTIND-1)); echo $1
#### getopts unknown option
set -- -z; getopts a o 2>/dev/null; echo "$o"
#### getopts silent mode
set -- -z; getopts :a o; echo "$o $OPTARG"
#### getopts missing argument
set -- -a; getopts :a: o; echo "$o $OPTARG"
#### IFS default value
printf '%s' "$IFS" | od -An -c
#### PS4 default
echo "$PS4"
#### set -x output goes to stderr
set -x; echo traced 2>/dev/null
#### shift too far
set -- a; shift 2 2>/dev/null; echo $? $#
#### shift with a bad number
set -- a; shift x 2>/dev/null; echo $?
#### dollar-star with no arguments
set --; echo "[$*]"
#### positional after set
set -- x; set -- "$@" y; echo $*
#### dollar-at with one empty argument
set -- ''; echo $#; for a in "$@"; do echo "[$a]"; done
#### PWD is absolute
case $PWD in /*) echo absolute;; esac
#### HOME is used by tilde
echo ~ | grep -c /
#### SHLVL is a number
case ${SHLVL-x} in *[!0-9]*) echo bad;; *) echo number;; esac
#### dollar-zero in a sourced file
echo 'echo $0' > s; . ./s | grep -c .
#### OPTERR
echo ${OPTERR-unset}
#### MACHTYPE-like variables not needed
echo ok
#### BASH_SOURCE-like not needed
echo ok
#### set -o lists options
set -o | grep -c errexit
#### set +o prints commands
set +o | grep -c 'set +o errexit'
#### set -o noglob via name
set -o noglob; : > gf; echo g*
#### set -n reads but does not run
set -n; echo not-run
#### set -- with options after
set -- -x; echo $1
#### set with unknown option
set -Q 2>/dev/null; echo $?
#### set -o vi is accepted
set -o vi 2>/dev/null; set -o emacs 2>/dev/null; echo ok
#### shopt lists an option
shopt extglob | head -n 1 | cut -c1-7
#### shopt -q
shopt -s nullglob; shopt -q nullglob; echo $?
#### shopt -u
shopt -s dotglob; shopt -u dotglob; shopt -q dotglob; echo $?
#### shopt unknown option
shopt -s nosuchopt 2>/dev/null; echo $?
#### shopt -p prints commands
shopt -p nullglob
#### shopt -o
shopt -o -p errexit
#### set -a exports
set -a; av=1; sh -c 'echo $av'
#### set -b and -m are accepted
set -b 2>/dev/null; echo $?
#### BASHOPTS-like lists
echo ok
#### dollar-underscore at start
echo "${_+set}" >/dev/null; echo ok
#### trap on EXIT
trap 'echo bye' EXIT; echo hi
#### trap on EXIT in a subshell
(trap 'echo sub-bye' EXIT; echo sub); echo main
#### trap lists
trap 'echo x' USR1; trap | grep -c USR1
#### trap reset
trap 'echo x' EXIT; trap - EXIT; echo done
#### trap a signal
trap 'echo got-usr1' USR1; kill -USR1 $$; echo after
#### trap ERR
trap 'echo err-trap' ERR; false; echo after
#### trap with an empty action ignores
trap '' USR1; kill -USR1 $$; echo survived
#### trap on exit with status
trap 'echo status=$?' EXIT; (exit 3); exit 4
#### umask prints
umask 022; umask
#### umask -S
umask 022; umask -S
#### times works
times >/dev/null; echo $?
#### ulimit prints
ulimit -n >/dev/null; echo $?
#### the shell run with combined options
$SH -ec 'false; echo never'; echo $?
#### the shell reading commands from standard input with arguments
echo 'echo "$1-$#"' | $SH -s a b
#### the shell with -c before other options
$SH -c -u 'echo ${nope}' 2>/dev/null; echo $?
#### the shell run with a name and arguments
$SH -c 'echo "$0:$1:$#"' name one two
#### the shell with -o and +o
$SH -o errexit +o errexit -c 'false; echo continued'
#### the shell with -n reads without running
$SH -n -c 'echo never'; echo $?
#### the shell reads a script file with arguments
echo 'echo "script $1 $#"; exit 3' > s.sh; $SH s.sh a b; echo $?
#### the shell reports a syntax error in a script
echo 'if true; then' > bad.sh; $SH bad.sh 2>/dev/null; echo $?
#### set -x quotes the words that need it
( set -x; echo 'a b' '' "it's" plain 'x*' ) 2>&1
#### a loop left by break has break's status
for i in 1 2; do [ $i = 2 ] && break; done; echo $?; while true; do false; break; done; echo $?
#### select: a menu, the item numbered, REPLY, break
PS3='pick: '; select f in apple 'big pear' cherry; do echo "[$f] [$REPLY]"; [ "$REPLY" = 3 ] && break; done 2>&1 <<'IN'
1

9
3
IN
echo "status $?"
#### select ends at the end of its input with status 1
select x in a b; do echo "got $x"; done 2>/dev/null </dev/null; echo "end $?"
#### shopt -s lastpipe: the last member of a pipeline runs in the shell
shopt -s lastpipe; n=0; seq 5 | while read l; do n=$((n+l)); done; echo "n=$n"; printf 'a b\n' | read x y; echo "[$x][$y]"
#### shopt -s lastpipe: return in the last member, and the statuses
shopt -s lastpipe; f() { echo x | while read; do return 7; done; echo no; }; f; echo "f=$?"; printf '1\n2\n' | sort -r | mapfile -t arr; echo "${arr[@]}" "${PIPESTATUS[@]}"
#### set -x shows an assignment's value as made
( set -x; name="p q"; y=$name; x=$(( 3 + 4 )); z= ) 2>&1
