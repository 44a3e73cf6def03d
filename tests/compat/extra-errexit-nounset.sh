#### set -u; a=(); echo "${a[@]}" "${#a[@]}" ok
set -u; a=(); echo "${a[@]}" "${#a[@]}" ok
#### set -u; a=(); echo ${a[0]} 2>/dev/null; echo $?
set -u; a=(); echo ${a[0]} 2>/dev/null; echo $?
#### set -u; echo ${undefined[@]} 2>/dev/null; echo $?
set -u; echo ${undefined[@]} 2>/dev/null; echo $?
#### set -u; x=1; echo ${x[0]}
set -u; x=1; echo ${x[0]}
#### set -u; echo ${1-} ${2:-d}
set -u; echo ${1-} ${2:-d}
#### set -u; f() { echo ${1:-none}; }; f
set -u; f() { echo ${1:-none}; }; f
#### set -u; unset x; echo ${x+set} ok
set -u; unset x; echo ${x+set} ok
#### set -u; echo $# $* ok
set -u; echo $# $* ok
#### set -u; echo "${!undefined*}" ok
set -u; echo "${!undefined*}" ok
#### set -u; : ${undefined?} 2>/dev/null; echo $?
set -u; : ${undefined?} 2>/dev/null; echo $?
#### set -u; a=(1 2); echo ${a[5]-default}
set -u; a=(1 2); echo ${a[5]-default}
#### set -u; echo ${#undefined} 2>/dev/null; echo $?
set -u; echo ${#undefined} 2>/dev/null; echo $?
#### set -eu; f() { local v=${1:-}; echo "[$v]"; }; f
set -eu; f() { local v=${1:-}; echo "[$v]"; }; f
#### set -e; [ 1 -eq 2 ]; echo never
set -e; [ 1 -eq 2 ]; echo never
#### set -e; [[ 1 -eq 2 ]]; echo never
set -e; [[ 1 -eq 2 ]]; echo never
#### set -e; (( 0 )); echo never
set -e; (( 0 )); echo never
#### set -e; x=$(( 0 )); echo survived
set -e; x=$(( 0 )); echo survived
#### set -e; let x=0; echo never
set -e; let x=0; echo never
#### set -e; f() { false; }; f && echo yes; echo survived
set -e; f() { false; }; f && echo yes; echo survived
#### set -e; ! f() { :; }; echo survived
set -e; ! f() { :; }; echo survived
#### set -e; true | false; echo never
set -e; true | false; echo never
#### set -e; set -o pipefail; false | true; echo never
set -e; set -o pipefail; false | true; echo never
#### set -e; if false; then :; elif false; then :; fi; echo survived
set -e; if false; then :; elif false; then :; fi; echo survived
#### set -e; while false; do :; done; echo survived
set -e; while false; do :; done; echo survived
#### set -e; case x in y) false;; esac; echo survived
set -e; case x in y) false;; esac; echo survived
#### set -e; for x in; do false; done; echo survived
set -e; for x in; do false; done; echo survived
#### set -e; trap 'echo trapped' EXIT; false; echo never
set -e; trap 'echo trapped' EXIT; false; echo never
#### set -e; trap 'echo err-trap' ERR; false; echo never
set -e; trap 'echo err-trap' ERR; false; echo never
#### set -E; f() { false; }; trap 'echo err' ERR; f; echo after
set -E; f() { false; }; trap 'echo err' ERR; f; echo after
#### set +e; false; echo $?
set +e; false; echo $?
#### set -e; eval false; echo never
set -e; eval false; echo never
#### set -e; source /dev/null; echo survived
set -e; source /dev/null; echo survived
#### set -e; exec 3>&-; echo survived
set -e; exec 3>&-; echo survived
#### set -e; x=1 false; echo never
set -e; x=1 false; echo never
#### set -e; { false; } || true; echo survived
set -e; { false; } || true; echo survived
#### set -e; (set +e; false; echo inner); echo outer
set -e; (set +e; false; echo inner); echo outer
