#### simple pipeline
echo hello | tr a-z A-Z
#### three stages
printf '3\n1\n2\n' | sort | head -n 2
#### status is the last command's
false | true; echo $?
#### status of failing last command
true | false; echo $?
#### negated pipeline
! false | false; echo $?
#### negation of success
! true; echo $?
#### pipefail takes the last failure
set -o pipefail; false | true; echo $?
#### pipefail with success
set -o pipefail; true | true; echo $?
#### pipefail rightmost nonzero
set -o pipefail; (exit 2) | (exit 3) | true; echo $?
#### PIPESTATUS after a pipeline
true | false | (exit 3); echo ${PIPESTATUS[@]}
#### PIPESTATUS of a single command
false; echo ${PIPESTATUS[0]}
#### last pipeline member runs in a subshell
x=1; echo 2 | read x; echo $x
#### builtins in a pipeline
echo abc | read v; echo "[$v]"
#### brace group in a pipeline
{ echo a; echo b; } | wc -l
#### subshell in a pipeline
(echo x; echo y) | tail -n 1
#### function in a pipeline
f() { echo from-f; }; f | cat
#### while loop reading a pipeline
printf 'a\nb\n' | while read l; do echo "<$l>"; done
#### pipeline across lines
echo a |
tr a b
#### pipe with stderr redirected
{ echo out; echo err >&2; } 2>&1 | sort
#### pipe-and for stderr
{ echo out; echo err >&2; } |& sort
#### pipeline with a here-document
cat <<EOF | tr a-z A-Z
hello
EOF
#### variable assignment in a pipeline member does not persist
x=0; x=5 | true; echo $x
#### exit in a pipeline member does not exit the shell
exit 3 | true; echo still $?
#### long pipeline
echo a | cat | cat | cat | cat | cat
#### time keyword with pipeline
time true 2>/dev/null; echo $?
#### negation with and-list
! true && echo yes || echo no
#### cd in a pipeline member does not change the shell
cd / | true; pwd >/dev/null; echo ok
#### yes piped to head terminates
yes | head -n 2
#### pipeline status in if
if echo x | grep -q x; then echo found; fi
#### empty output through a pipe
true | wc -c
