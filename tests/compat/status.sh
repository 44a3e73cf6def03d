#### true and false
true; echo $?; false; echo $?
#### exit status of a subshell
(exit 3); echo $?
#### exit status of a failing subshell with commands
(false; true; false); echo $?
#### exit with no argument uses the last status
(false; exit); echo $?
#### exit 256 wraps
(exit 256); echo $?
#### exit with a negative number
(exit -1); echo $?
#### exit with a bad argument
(exit abc) 2>/dev/null; echo $?
#### return status from a function
f() { return 4; }; f; echo $?
#### function status is the last command's
f() { false; }; f; echo $?
#### command substitution as the command sets status
$(false); echo $?
#### empty command substitution with status 3
$(exit 3); echo $?
#### assignment takes the command substitution's status
x=$(exit 5); echo $?
#### plain assignment is success
false; x=1; echo $?
#### assignment of two substitutions takes the last
x=$(exit 2) y=$(exit 3); echo $?
#### empty argv after expansion is success
false; $empty; echo $?
#### status of an if with no branch taken
false; if false; then :; fi; echo $?
#### status of an if taken
if true; then (exit 4); fi; echo $?
#### status of a loop that never runs
false; while false; do :; done; echo $?
#### status of a for loop with no words
false; for x in; do :; done; echo $?
#### status of case with no match
false; case a in b) ;; esac; echo $?
#### status of an empty case arm
case a in a) ;; esac; echo $?
#### negation
! (exit 3); echo $?
#### status of a killed process
sh -c 'kill -9 $$'; echo $?
#### status of a terminated process
sh -c 'kill $$'; echo $?
#### and-list status
false && true; echo $?
#### or-list status
false || (exit 6); echo $?
#### set -e stops at a failure
set -e; echo a; false; echo b
#### set -e ignores a failure in a condition
set -e; if false; then :; fi; false || true; echo survived
#### set -e ignores failures left of &&
set -e; false && true; echo survived
#### set -e exits at a failed last command of &&
set -e; true && false; echo not-here
#### set -e ignores negated commands
set -e; ! true; echo survived
#### set -e in a subshell
set -e; (false; echo inner); echo outer $?
#### set -e with a failing function
set -e; f() { false; echo in-f; }; f; echo after
#### set -e and command substitution in an assignment
set -e; x=$(false); echo not-here
#### set -e does not apply inside a condition function
set -e; f() { false; echo in-f; }; if f; then echo then; fi
#### errexit status
(set -e; (exit 3); echo no); echo $?
#### status of a background job start
false & echo $?
#### $? inside a function is the caller's
f() { echo $?; }; false; f
#### exit inside a function ends the shell
f() { exit 2; }; f; echo never
#### exit in a subshell ends only the subshell
(exit 9); echo after $?
#### status of break
for i in 1; do false; break; done; echo $?
#### status of a syntax error in eval
eval 'if' 2>/dev/null; echo $?
#### status of a redirection failure
echo x > /nonexistent/f 2>/dev/null; echo $?
#### status of a redirection failure on a compound command
{ echo x; } > /nonexistent/f 2>/dev/null; echo $?
#### status of a redirection failure on a builtin
: > /nonexistent/f 2>/dev/null; echo $?
#### command not found inside a pipeline
nosuch_xyz 2>/dev/null | true; echo $?
#### status 127 at the end of a script
nosuch_xyz 2>/dev/null
#### status of the last command at the end
false
#### exit 0 after a failure
false; exit 0
#### status of a here-document command
cat <<EOF >/dev/null
x
EOF
echo $?
#### status of a function definition
false; f() { :; }; echo $?
#### status of an unset variable under set -u
(set -u; echo $nope) 2>/dev/null; echo $?
#### status of a readonly assignment
(readonly r=1; r=2) 2>/dev/null; echo $?
#### status of a wait with no children
wait; echo $?
#### status of a non-numeric return
f() { return abc; }; f 2>/dev/null; echo $?
