#### background job and wait
echo bg & wait; echo done
#### dollar-bang is set
true & [ -n "$!" ] && echo has-pid; wait
#### wait for a pid gives its status
(exit 3) & wait $!; echo $?
#### wait for several pids gives the last status
(exit 2) & p1=$!; (exit 5) & p2=$!; wait $p1 $p2; echo $?
#### wait with no jobs
wait; echo $?
#### wait for an unknown pid
wait 99999 2>/dev/null; echo $?
#### wait with an invalid argument
wait abc 2>/dev/null; echo $?
#### wait -n waits for one job
(sleep 0.2; exit 4) & (exit 7) & wait -n; echo $?; wait
#### wait -n with no jobs
wait -n 2>/dev/null; echo $?
#### background output ordering with wait
(sleep 0.1; echo second) & echo first; wait
#### background job in a subshell does not block
{ sleep 0.1; echo late; } & echo early; wait
#### jobs -p lists a pid
sleep 0.3 & p=$!; [ "$(jobs -p)" = "$p" ] && echo same; wait
#### jobs lists a running job
sleep 0.3 & jobs | grep -c sleep; wait
#### background job status does not change $?
false & echo $?; wait
#### background of a compound command
{ echo in-group; } & wait
#### background of a function
f() { echo in-f; }; f & wait
#### background job reads from /dev/null
echo input | { cat & wait; }
#### variable set in background does not persist
x=1; x=2 & wait; echo $x
#### kill a background job
sleep 5 & p=$!; kill $p; wait $p; echo $?
#### kill with a signal name
sleep 5 & p=$!; kill -TERM $p; wait $p; echo $?
#### kill -0 checks a process
sleep 0.3 & kill -0 $! && echo alive; wait
#### kill -l lists a signal
kill -l 15
#### wait for a job spec
sleep 0.1 & wait %1; echo $?
#### two background jobs
echo a > a & echo b > b & wait; cat a b
#### background pipeline
echo piped | tr a-z A-Z & wait
#### dollar-bang of a pipeline is the last process
echo x | cat >/dev/null & [ -n "$!" ] && echo set; wait
#### wait returns 127 for a non-child
wait $$ 2>/dev/null; echo $?
#### background job with and-list
true && echo and-bg & wait
#### wait after the job finished
(exit 6) & p=$!; sleep 0.2; wait $p; echo $?
#### dollar-dollar in a background subshell is the parent's
p=$$; (echo $$ > pidf) & wait; [ "$(cat pidf)" = "$p" ] && echo same
#### BASHPID differs in a subshell
[ "$(echo $BASHPID)" != "$BASHPID" ] && echo differs
#### background with semicolon after ampersand is a syntax error in sh
echo x & ; echo y
#### fg without job control
sleep 0.2 & fg 2>/dev/null; echo $?; wait
#### bg without job control
sleep 0.2 & bg 2>/dev/null; echo $?; wait
#### jobs with a job spec
sleep 0.2 & jobs %1; echo $?; jobs %2 2>/dev/null; echo $?; wait
#### disown the current job
sleep 0.1 & disown; echo $?; wait; echo $?
#### disown with no jobs
disown 2>/dev/null; echo $?
#### kill -l lists the signals
kill -l | head -5
