#### echo $LINENO
echo $LINENO
echo $LINENO; echo $LINENO
#### f() {
f() {
  echo $LINENO
}
echo $LINENO
f
#### cat <<EOF
cat <<EOF
$LINENO
EOF
echo $LINENO
#### if true; then
if true; then
  echo $LINENO
fi
#### for i in 1 2; do
for i in 1 2; do
  echo $LINENO
done
#### echo a \
echo a \
  $LINENO
#### trap 'echo trap $LINENO' EXIT
trap 'echo trap $LINENO' EXIT
echo x
#### echo $BASH_SUBSHELL $(echo $BASH_SUBSHELL)
echo $BASH_SUBSHELL $(echo $BASH_SUBSHELL)
#### echo ${BASH_VERSION+set} ${BASH_VERSINFO+set}
echo ${BASH_VERSION+set} ${BASH_VERSINFO+set}
#### echo "$IFS" | od -c | head -1
echo "$IFS" | od -c | head -1
#### echo ${OLDPWD-unset}
echo ${OLDPWD-unset}
#### echo ${PS1-unset} ${PS2-unset}
echo ${PS1-unset} ${PS2-unset}
#### echo $OPTIND ${OPTARG-unset}
echo $OPTIND ${OPTARG-unset}
#### f() { echo ${BASH_SOURCE-unset} ${BASH_LINENO-unset}; }; f
f() { echo ${BASH_SOURCE-unset} ${BASH_LINENO-unset}; }; f
#### echo ${SRANDOM:+set}
echo ${SRANDOM:+set}
#### (echo $BASHPID) | grep -c .
(echo $BASHPID) | grep -c .
#### echo ${#PPID}
echo ${#PPID}
#### x=$(echo $$); y=$$; [ $x -eq $y ] && echo equal
x=$(echo $$); y=$$; [ $x -eq $y ] && echo equal
#### (trap 'echo sub-exit' EXIT); echo after
(trap 'echo sub-exit' EXIT); echo after
#### set -- a b; echo ${@: -1} ${*:1:1}
set -- a b; echo ${@: -1} ${*:1:1}
#### echo $((LINENO + 0))
echo $((LINENO + 0))
#### LINENO in an ERR trap is the failing command's line
trap 'echo "err at $LINENO"' ERR
true
false
echo "now $LINENO"
