#### x=1; declare -p x; declare -i n=3; declare -p n; declare -a a=(1 'b c'
x=1; declare -p x; declare -i n=3; declare -p n; declare -a a=(1 'b c'); declare -p a
#### declare -A m=([k]=v); declare -p m
declare -A m=([k]=v); declare -p m
#### declare x; declare -p x
declare x; declare -p x
#### f() { local y=2; declare -p y; }; f
f() { local y=2; declare -p y; }; f
#### export E=1; declare -p E
export E=1; declare -p E
#### readonly R=1; declare -p R
readonly R=1; declare -p R
#### declare -l lo=X; declare -u up=x; declare -p lo up
declare -l lo=X; declare -u up=x; declare -p lo up
#### x='a"b$c`d\e'; declare -p x
x='a"b$c`d\e'; declare -p x
#### x=$'a\nb'; declare -p x
x=$'a\nb'; declare -p x
#### a=(); declare -p a
a=(); declare -p a
#### declare -a a; declare -p a
declare -a a; declare -p a
#### typeset -p nosuch 2>/dev/null; echo $?
typeset -p nosuch 2>/dev/null; echo $?
#### x=1; typeset -p x
x=1; typeset -p x
#### trap 'echo a' INT; trap -p INT
trap 'echo a' INT; trap -p INT
#### alias a='b'; alias c="d e"; alias
alias a='b'; alias c="d e"; alias
#### alias x='it'\''s'; alias x
alias x='it'\''s'; alias x
#### set -o | grep -E '^(errexit|nounset|pipefail) '
set -o | grep -E '^(errexit|nounset|pipefail) '
#### set -euo pipefail; set +o | grep -E 'errexit|nounset|pipefail'
set -euo pipefail; set +o | grep -E 'errexit|nounset|pipefail'
#### shopt -p extglob nullglob dotglob
shopt -p extglob nullglob dotglob
#### shopt extglob nullglob
shopt extglob nullglob
#### shopt -s extglob; shopt extglob
shopt -s extglob; shopt extglob
#### shopt -o errexit; set -e; shopt -o errexit
shopt -o errexit; set -e; shopt -o errexit
#### x=1; export x; export -p | grep ' x='
x=1; export x; export -p | grep ' x='
#### export -n nosuch; echo $?
export -n nosuch; echo $?
#### umask 0077; umask; umask -S
umask 0077; umask; umask -S
#### type -t echo cd sh if nosuch; echo $?
type -t echo cd sh if nosuch; echo $?
#### f() { :; }; type -t f
f() { :; }; type -t f
#### command -v echo cd if
command -v echo cd if
#### command -V if cd 2>&1
command -V if cd 2>&1
