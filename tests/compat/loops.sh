#### for over words
for i in a b c; do echo $i; done
#### for over positional parameters
set -- x y; for i; do echo $i; done
#### for with in and nothing
for i in; do echo never; done; echo end
#### for with a newline before do
for i in 1 2
do
  echo $i
done
#### for variable remains after the loop
for i in 1 2 3; do :; done; echo $i
#### while loop counting
i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done
#### until loop
i=0; until [ $i -ge 2 ]; do echo $i; i=$((i+1)); done
#### break out of a loop
for i in 1 2 3; do [ $i = 2 ] && break; echo $i; done
#### continue
for i in 1 2 3; do [ $i = 2 ] && continue; echo $i; done
#### break 2
for i in 1 2; do for j in a b; do echo $i$j; break 2; done; done; echo out
#### continue 2
for i in 1 2; do for j in a b; do [ $j = b ] && continue 2; echo $i$j; done; echo never; done
#### break with a too-large count
for i in 1 2; do for j in a b; do break 5; done; echo never; done; echo out
#### break outside a loop
break 2>/dev/null; echo status $?
#### continue outside a loop
continue 2>/dev/null; echo status $?
#### break in a function called from a loop
f() { break; }; for i in 1 2 3; do echo $i; f; done; echo end
#### while with a command list condition
i=0; while i=$((i+1)); [ $i -le 2 ]; do echo $i; done
#### while false never runs
while false; do echo never; done; echo $?
#### loop status is the last body status
for i in 1 2; do (exit $i); done; echo $?
#### nested loops
for i in 1 2; do for j in a b; do printf %s $i$j; done; done; echo
#### C-style for loop
for ((i=0; i<3; i++)); do echo $i; done
#### C-style for loop with empty parts
i=0; for ((;;)); do i=$((i+1)); [ $i -gt 2 ] && break; done; echo $i
#### for over a command substitution
for w in $(echo a b c); do echo "[$w]"; done
#### for over a quoted substitution
for w in "$(echo a b)"; do echo "[$w]"; done
#### for loop with do on the same line after semicolon
for i in 1; do echo one; done
#### for with reserved-looking words
for i in do done in; do echo $i; done
#### while reading lines with a here-document
while read a b; do echo "$b $a"; done <<EOF
1 one
2 two
EOF
#### loop body in a brace group
for i in 1 2; do { echo $i; }; done
#### loop output piped
for i in 3 1 2; do echo $i; done | sort
#### while loop in a function with return
f() { while true; do return 3; done; }; f; echo $?
#### select is not needed for plain loops
for x in a; do echo $x; done
#### for loop variable named like a keyword
for in in 1 2; do echo $in; done
#### for with a semicolon and newline
for i in a b;
do echo $i; done
#### until with break
until false; do echo once; break; done
#### continue in a while loop
i=0; while [ $i -lt 4 ]; do i=$((i+1)); [ $i = 2 ] && continue; echo $i; done
#### loop with a compound condition
i=0; while [ $i -lt 5 ] && [ $i -ne 2 ]; do echo $i; i=$((i+1)); done
