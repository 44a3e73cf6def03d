#### a command reads a process substitution
cat <(echo hi)
#### two process substitutions compared
diff <(printf 'a\nb\n') <(printf 'a\nc\n'); echo "status $?"
#### files sorted on the way in
printf 'c\na\nb\n' > f; printf 'b\nd\na\n' > g; comm -12 <(sort f) <(sort g)
#### a loop reads a process substitution
while read l; do echo "got $l"; done < <(printf '1\n2\n')
#### read and mapfile from a process substitution
read x < <(echo val); echo "$x"; mapfile -t a < <(seq 3); echo ${#a[@]} ${a[2]}
#### a command writes into a process substitution
tee >(sleep 0.2; tr a-z A-Z > up) > /dev/null <<< hi; wait $!; cat up
#### source reads a process substitution
source <(echo 'x=5; f() { echo "f $1"; }'); echo "$x"; f arg
#### paste of two generated columns
paste <(seq 2) <(seq 3 4)
#### the word names a descriptor
case <(true) in /dev/fd/*) echo fd;; *) echo other;; esac
#### a process substitution inside a word
case a<(true)b in a/dev/fd/*b) echo inside;; esac
#### the reader stops early
head -c 3 <(yes); echo
#### nested process substitutions
cat <(cat <(echo deep))
#### a function is given a process substitution
f() { cat "$1"; }; f <(echo fn)
#### a process substitution in a pipeline
cat <(echo p) | tr p q
#### quoted, it is text
echo "<(x)" '>(y)'
#### the status of a process substitution by wait
: <(sleep 0.2; exit 3); wait $!; echo $?
#### standard input named by its device
echo piped | cat /dev/stdin; cat /dev/fd/0 <<< here
#### a redirection from a process substitution after a command
wc -l < <(seq 5)
