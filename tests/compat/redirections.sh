#### output and append
echo one > f; echo two >> f; cat f
#### input redirection
echo data > f; read x < f; echo $x
#### stderr to file
{ echo err >&2; } 2> e; cat e
#### stderr to stdout order matters
{ echo err >&2; } 2>&1 >/dev/null
#### stdout to stderr
echo to-stderr >&2; echo done
#### redirect both with ampersand-greater
{ echo a; echo b >&2; } &> both; sort both
#### append both
echo 1 > f; { echo 2; echo 3 >&2; } &>> f; cat f
#### redirect before the command name
> f echo first; cat f
#### redirect in the middle of arguments
echo a > f b; cat f
#### descriptor 3 via exec
exec 3> f3; echo via3 >&3; exec 3>&-; cat f3
#### read from descriptor 4
echo line > f; exec 4< f; read x <&4; echo $x; exec 4<&-
#### close stdout makes echo fail
echo hi >&-; echo status $?
#### close stdout of a builtin only for that command
echo a >&-; echo b
#### close stdin
read x <&-; echo status $?
#### noclobber refuses to overwrite
echo a > f; set -C; echo b > f; echo status $?; cat f
#### clobber override with >|
echo a > f; set -o noclobber; echo b >| f; cat f
#### noclobber allows /dev/null
set -C; echo x > /dev/null; echo ok
#### noclobber allows a new file
set -C; echo new > g; cat g
#### read-write redirection
echo data > rw; cat 0<> rw
#### read-write creates the file
: <> newfile; test -f newfile && echo created
#### here-string
cat <<< "here string"
#### here-string with variable
x=val; cat <<< "$x and more"
#### here-string word is not split
x='a   b'; cat <<< $x
#### redirection of a compound command
{ echo a; echo b; } > f; cat f
#### redirection of a loop
for i in 1 2; do echo $i; done > f; cat f
#### redirection of while input
printf 'x\ny\n' > f; while read l; do echo "[$l]"; done < f
#### redirect to a missing directory fails
echo x > nodir/f; echo status $?
#### failed redirection skips the command
echo x > nodir/f && echo ran; echo after
#### input from a missing file
cat < missing; echo status $?
#### descriptor above nine
exec 12> f12; echo twelve >&12; exec 12>&-; cat f12
#### variable descriptor with braces
exec {fd}> ff; echo via-var >&$fd; exec {fd}>&-; cat ff; [ "$fd" -ge 10 ] && echo high
#### move a descriptor
exec 3> f; exec 5>&3-; echo moved >&5; exec 5>&-; cat f
#### moving closes the source
exec 3> f; exec 5>&3-; echo x >&3; echo status $?
#### duplicate stdin
echo abc > f; exec 6< f; cat <&6
#### redirect stdout of a subshell
( echo sub ) > s; cat s
#### redirect with variable target
f=out.txt; echo data > "$f"; cat out.txt
#### redirect target with spaces
echo data > "a b"; cat "a b"
#### redirect target is not split
f='x y'; echo data > $f; cat "x y"
#### redirect target with glob matching one file
echo d > target.txt; cat < targ*.txt
#### here-document to a descriptor
cat 3<<EOF <&3
fd three
EOF
#### redirection on a function call
f() { echo in-f; }; f > f.out; cat f.out
#### redirection on a function definition
f() { echo body; } > fdef.out; f; cat fdef.out
#### stdout to a file and the file is truncated
echo long-content > f; echo s > f; cat f
#### redirect stderr of a missing command
nosuchcmd_xyz 2>/dev/null; echo $?
#### multiple redirections last wins
echo x > a > b; cat a; echo -; cat b
#### dup to a closed descriptor fails
echo x >&7; echo status $?
#### redirection on a builtin restores stdout
echo a > f; echo b; cat f
#### exec without command keeps redirection
exec 3>&1; exec > f; echo into-file; exec >&3; echo back; cat f
#### read-write on a named pipe
mkfifo p 2>/dev/null || !!mkfifo p; exec 3<> p; echo through >&3; read x <&3; echo $x
#### ampersand-greater with a number target
echo x >& 2 2>/dev/null; echo ok
#### input duplication of output
echo x 1>&0 0</dev/null; echo $?
#### close stderr
ls /nonexistent_dir_xyz 2>&-; echo status $?
#### order of redirection and pipe
echo a 2>&1 | cat
#### redirections are processed left to right
exec 3>&1; { echo to3 >&3; } 3>f; cat f
#### redirect to /dev/stdout
{ echo via-devstdout > /dev/stdout; } | cat
#### redirect from /dev/stdin
echo abc | cat < /dev/stdin
#### closing stdout of an external command
ls / >&-; echo $?
#### closing stdin of an external command
cat <&-; echo $?
#### closing stdout of a shell run by the command
sh -c 'echo x' >&-; echo $?
#### closing stderr of an external command that writes to it
ls /nonexistent_xyz 2>&-; echo $?
