#### nosuch 2>/dev/null; echo $?; /nosuch/x 2>/dev/null; echo $?
nosuch 2>/dev/null; echo $?; /nosuch/x 2>/dev/null; echo $?
#### echo 'echo hi' > f; chmod 644 f 2>/dev/null; ./f 2>/dev/null; echo $?
echo 'echo hi' > f; chmod 644 f 2>/dev/null; ./f 2>/dev/null; echo $?
#### mkdir d 2>/dev/null || mkdir => d; d 2>/dev/null; echo $?; ./d 2>/dev/
mkdir d 2>/dev/null || mkdir => d; d 2>/dev/null; echo $?; ./d 2>/dev/null; echo $?
#### PATH=/nonexistent; echo via-builtin; ls 2>/dev/null; echo $?
PATH=/nonexistent; echo via-builtin; ls 2>/dev/null; echo $?
#### command nosuch 2>/dev/null; echo $?
command nosuch 2>/dev/null; echo $?
#### type nosuch >/dev/null 2>&1; echo $?; command -v nosuch; echo $?
type nosuch >/dev/null 2>&1; echo $?; command -v nosuch; echo $?
#### exec 3>&-; echo ok
exec 3>&-; echo ok
#### exec 3>f; exec 4>&3; echo x >&4; exec 3>&- 4>&-; cat f
exec 3>f; exec 4>&3; echo x >&4; exec 3>&- 4>&-; cat f
#### { echo out; echo err >&2; } 2>/dev/null
{ echo out; echo err >&2; } 2>/dev/null
#### echo x >/dev/null 2>&1; echo $?
echo x >/dev/null 2>&1; echo $?
#### cat < /nonexistent 2>/dev/null; echo $?
cat < /nonexistent 2>/dev/null; echo $?
#### echo hi > /dev/full; echo $?
echo hi > /dev/full; echo $?
#### (echo hi > /dev/full) 2>/dev/null; echo $?
(echo hi > /dev/full) 2>/dev/null; echo $?
#### echo a > f; echo b >> f; wc -l < f
echo a > f; echo b >> f; wc -l < f
#### x=$(cat < /dev/null); echo "[$x]"
x=$(cat < /dev/null); echo "[$x]"
#### true > f; test -f f && echo created
true > f; test -f f && echo created
#### : 2> f; test -f f && echo created2
: 2> f; test -f f && echo created2
#### exec 5<&0; echo ok
exec 5<&0; echo ok
#### echo a 1>&2 2>/dev/null
echo a 1>&2 2>/dev/null
#### f() { echo f-out; echo f-err >&2; }; f 2>&1 >/dev/null | cat
f() { echo f-out; echo f-err >&2; }; f 2>&1 >/dev/null | cat
#### { echo a; echo b; } | while read x; do echo "got $x"; done
{ echo a; echo b; } | while read x; do echo "got $x"; done
#### echo "abc" | { read -n 1 c; echo $c; cat; }
echo "abc" | { read -n 1 c; echo $c; cat; }
#### for i in 1 2 3; do echo $i; done | tail -1
for i in 1 2 3; do echo $i; done | tail -1
#### x=1; { x=2; } | true; echo $x
x=1; { x=2; } | true; echo $x
#### echo a | (read x; echo $x)
echo a | (read x; echo $x)
#### exit 300
exit 300
#### exit -3
exit -3
#### false; exit
false; exit
#### (exit); echo $?
(exit); echo $?
#### f() { exit 4; }; (f); echo $?
f() { exit 4; }; (f); echo $?
#### true && false; echo $?; false || true; echo $?
true && false; echo $?; false || true; echo $?
#### ! echo a | false; echo $?
! echo a | false; echo $?
#### set -e; x=$(false; echo after); echo "[$x]"
set -e; x=$(false; echo after); echo "[$x]"
#### set -e; false && true; echo ok
set -e; false && true; echo ok
#### set -e; { false; true; }; echo ok
set -e; { false; true; }; echo ok
#### set -e; f() { return 1; }; f || true; echo ok
set -e; f() { return 1; }; f || true; echo ok
#### set -e; f() { return 1; }; f; echo never
set -e; f() { return 1; }; f; echo never
#### set -e; until true; do :; done; echo ok
set -e; until true; do :; done; echo ok
#### set -e; for i in 1; do false; done; echo never
set -e; for i in 1; do false; done; echo never
#### set -e; cmd=false; $cmd; echo never
set -e; cmd=false; $cmd; echo never
#### set -e; echo $(false); echo survived
set -e; echo $(false); echo survived
#### set -e; local x 2>/dev/null; echo survived
set -e; local x 2>/dev/null; echo survived
#### set -u; f() { echo $1; }; f 2>/dev/null; echo $?
set -u; f() { echo $1; }; f 2>/dev/null; echo $?
#### set -u; echo "${@}" ok; echo ${#} ok
set -u; echo "${@}" ok; echo ${#} ok
#### set -o pipefail; yes | head -1 >/dev/null; echo $?
set -o pipefail; yes | head -1 >/dev/null; echo $?
#### yes | head -1 >/dev/null; echo ${PIPESTATUS[0]} ${PIPESTATUS[1]}
yes | head -1 >/dev/null; echo ${PIPESTATUS[0]} ${PIPESTATUS[1]}
#### while true; do echo y; done | head -2
while true; do echo y; done | head -2
#### sleep 0.1 & wait; echo $?
sleep 0.1 & wait; echo $?
#### (sleep 0.1; exit 2) & wait; echo $?
(sleep 0.1; exit 2) & wait; echo $?
#### sleep 10 & kill -9 $!; wait $!; echo $?
sleep 10 & kill -9 $!; wait $!; echo $?
#### sleep 10 & p=$!; kill $p; wait $p 2>/dev/null; echo $?
sleep 10 & p=$!; kill $p; wait $p 2>/dev/null; echo $?
#### false & wait $!; echo $?
false & wait $!; echo $?
#### wait 1 2>/dev/null; echo $?
wait 1 2>/dev/null; echo $?
#### wait %5 2>/dev/null; echo $?
wait %5 2>/dev/null; echo $?
#### echo $(( $(echo 3) + 1 )) $(( `echo 2` * 2 ))
echo $(( $(echo 3) + 1 )) $(( `echo 2` * 2 ))
#### trap 'echo EXIT $?' EXIT; false
trap 'echo EXIT $?' EXIT; false
#### trap 'echo in-trap' EXIT; (echo sub)
trap 'echo in-trap' EXIT; (echo sub)
#### trap 'echo USR1' USR1; kill -USR1 $$ ; kill -USR1 $$; echo end
trap 'echo USR1' USR1; kill -USR1 $$ ; kill -USR1 $$; echo end
#### trap 'echo HUP' HUP; trap -p HUP
trap 'echo HUP' HUP; trap -p HUP
#### trap "" TERM; kill -TERM $$; echo alive
trap "" TERM; kill -TERM $$; echo alive
#### f() { echo fn; }; trap f EXIT; echo main
f() { echo fn; }; trap f EXIT; echo main
#### trap 'echo $LINENO' EXIT
trap 'echo $LINENO' EXIT
#### set -- x y z; shift; echo "$@"; shift 5; echo $? "$@"
set -- x y z; shift; echo "$@"; shift 5; echo $? "$@"
#### set -- a; f() { echo $#; }; f b c
set -- a; f() { echo $#; }; f b c
#### echo "${10}" "${1}0"; set -- 1 2 3 4 5 6 7 8 9 10 11; echo "${10}" "${
echo "${10}" "${1}0"; set -- 1 2 3 4 5 6 7 8 9 10 11; echo "${10}" "${1}0" $11
