#### case x in x|y) echo 1;; esac; case y in x|y) echo 2;; esac
case x in x|y) echo 1;; esac; case y in x|y) echo 2;; esac
#### case "" in "") echo empty;; *) echo other;; esac
case "" in "") echo empty;; *) echo other;; esac
#### case a in [!b]) echo notb;; esac; case b in [!b]) echo no;; *) echo is
case a in [!b]) echo notb;; esac; case b in [!b]) echo no;; *) echo isb;; esac
#### case a in *) echo star;; a) echo a;; esac
case a in *) echo star;; a) echo a;; esac
#### case abc in a*c) echo ok;; esac
case abc in a*c) echo ok;; esac
#### case 'a]b' in *]*) echo bracket;; esac
case 'a]b' in *]*) echo bracket;; esac
#### case '[' in '[') echo lb;; esac; case '[' in [[]) echo class;; esac
case '[' in '[') echo lb;; esac; case '[' in [[]) echo class;; esac
#### case x in (x|y) echo paren-alt;; esac
case x in (x|y) echo paren-alt;; esac
#### case $((1+1)) in 2) echo two;; esac
case $((1+1)) in 2) echo two;; esac
#### case a in a) echo a;& b) echo b;& c) echo c;; d) echo d;; esac
case a in a) echo a;& b) echo b;& c) echo c;; d) echo d;; esac
#### case ab in a*) echo 1;;& *b) echo 2;;& *) echo 3;; esac
case ab in a*) echo 1;;& *b) echo 2;;& *) echo 3;; esac
#### case - in -) echo dash;; esac
case - in -) echo dash;; esac
#### case \* in \*) echo esc;; esac
case \* in \*) echo esc;; esac
#### x=abc; case $x in "$x") echo self;; esac
x=abc; case $x in "$x") echo self;; esac
#### case a in
case a in
a)
;;
esac; echo $?
#### case A in [a-z]) echo lower;; [A-Z]) echo upper;; esac
case A in [a-z]) echo lower;; [A-Z]) echo upper;; esac
#### case 1 in [0-9]|[a-z]) echo alnum;; esac
case 1 in [0-9]|[a-z]) echo alnum;; esac
#### case foo in f??) echo three;; esac
case foo in f??) echo three;; esac
#### case "a b" in a\ b) echo sp;; esac
case "a b" in a\ b) echo sp;; esac
#### case x in
case x in
  x) echo one
     echo two
     ;;
esac
#### for i in a b c; do case $i in b) continue;; esac; echo $i; done
for i in a b c; do case $i in b) continue;; esac; echo $i; done
#### for x in "a b" c; do echo "[$x]"; done
for x in "a b" c; do echo "[$x]"; done
#### for x in $(echo "a b"); do echo "[$x]"; done
for x in $(echo "a b"); do echo "[$x]"; done
#### set -- "a b" c; for x in "$@"; do echo "[$x]"; done
set -- "a b" c; for x in "$@"; do echo "[$x]"; done
#### for x in; do echo never; done; echo "status $?"
for x in; do echo never; done; echo "status $?"
#### for x in ""; do echo "[$x]"; done
for x in ""; do echo "[$x]"; done
#### i=0; while [ $i -lt 3 ]; do i=$((i+1)); [ $i -eq 2 ] && continue; echo
i=0; while [ $i -lt 3 ]; do i=$((i+1)); [ $i -eq 2 ] && continue; echo $i; done
#### i=0; until [ $i -eq 3 ]; do i=$((i+1)); done; echo $i
i=0; until [ $i -eq 3 ]; do i=$((i+1)); done; echo $i
#### for i in 1 2 3; do for j in 1 2 3; do [ $j -eq 2 ] && continue 2; echo
for i in 1 2 3; do for j in 1 2 3; do [ $j -eq 2 ] && continue 2; echo $i$j; done; done
#### for i in 1 2; do while true; do break 2; done; echo never; done; echo 
for i in 1 2; do while true; do break 2; done; echo never; done; echo out
#### n=0; while true; do n=$((n+1)); if [ $n -ge 3 ]; then break; fi; done;
n=0; while true; do n=$((n+1)); if [ $n -ge 3 ]; then break; fi; done; echo $n
#### for ((i=0; i<3; i++)); do :; done; echo $i
for ((i=0; i<3; i++)); do :; done; echo $i
#### for ((i=5; i>0; i-=2)); do echo $i; done
for ((i=5; i>0; i-=2)); do echo $i; done
#### for (( ; ; )); do break; done; echo broke
for (( ; ; )); do break; done; echo broke
#### for ((i=0, j=0; i<2; i++, j+=2)); do echo $i $j; done
for ((i=0, j=0; i<2; i++, j+=2)); do echo $i $j; done
#### x=0; while ((x < 3)); do ((x++)); done; echo $x
x=0; while ((x < 3)); do ((x++)); done; echo $x
#### for x in a b; do :; done | cat; echo ${PIPESTATUS[0]}
for x in a b; do :; done | cat; echo ${PIPESTATUS[0]}
#### while false; do :; done; echo $?
while false; do :; done; echo $?
#### for i in 1 2 3; do echo $i; done > out; cat out | wc -l
for i in 1 2 3; do echo $i; done > out; cat out | wc -l
#### while read a; do echo $a; done < /dev/null; echo $?
while read a; do echo $a; done < /dev/null; echo $?
#### i=0; while i=$((i+1)); [ $i -lt 3 ]; do echo $i; done
i=0; while i=$((i+1)); [ $i -lt 3 ]; do echo $i; done
#### for i in 1 2; do echo $i; break; echo no; done
for i in 1 2; do echo $i; break; echo no; done
#### for i do echo $i; done
for i do echo $i; done
#### set -- a b; for i do echo $i; done
set -- a b; for i do echo $i; done
#### select x in a b; do break; done < /dev/null; echo "[$x]"
select x in a b; do break; done < /dev/null; echo "[$x]"
#### echo a | cat | cat | tr a b
echo a | cat | cat | tr a b
#### echo a | { read x; echo $x; } | cat
echo a | { read x; echo $x; } | cat
#### true | false | true; echo $?
true | false | true; echo $?
#### set -o pipefail; true | false | true; echo $?
set -o pipefail; true | false | true; echo $?
#### set -o pipefail; false | true | true; echo $?
set -o pipefail; false | true | true; echo $?
#### ! true | true; echo $?
! true | true; echo $?
#### echo a | exit 3; echo $?
echo a | exit 3; echo $?
#### cat /dev/null | cat; echo $?
cat /dev/null | cat; echo $?
#### echo hello | grep -q hell && echo found
echo hello | grep -q hell && echo found
#### printf 'b\na\n' | sort | head -1
printf 'b\na\n' | sort | head -1
#### x=$(echo a | tr a b); echo $x
x=$(echo a | tr a b); echo $x
#### echo a |& cat
echo a |& cat
#### { echo out; echo err >&2; } |& sort
{ echo out; echo err >&2; } |& sort
#### f() { echo in-f; }; f | tr a-z A-Z
f() { echo in-f; }; f | tr a-z A-Z
#### time (true) 2>/dev/null; echo $?
time (true) 2>/dev/null; echo $?
