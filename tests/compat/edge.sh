#### for without in on the next line
set -- a b
for x
do echo $x; done
#### for with do on the same line without a semicolon
for x in a b; do echo $x
done
#### while with a semicolon before do on a new line
i=0; while [ $i -lt 2 ]
do i=$((i+1)); echo $i; done
#### brace group needs a semicolon or newline
{ echo a
echo b; }
#### and-list continues on the next line
true &&
echo continued
#### pipeline continues after a comment line
echo a | # comment
tr a b
#### comment after a backslash-newline
echo a \
b # c
#### function keyword with parentheses and newline body
function f ()
{
  echo kw-paren
}
f
#### subshell with a newline inside
(
echo in-subshell
)
#### nested arithmetic and command substitution ambiguity
echo $( (echo sub) )
#### case with patterns on separate lines
case x in
  (x)
    echo paren-pattern
    ;;
esac
#### case arm with no commands then a match
case b in a) ;; b) echo b;; esac
#### semicolons in case arms
case a in a) echo one; echo two;; esac
#### if elif chains
x=3; if [ $x = 1 ]; then echo 1; elif [ $x = 2 ]; then echo 2; elif [ $x = 3 ]; then echo 3; fi
#### negation of a compound command
! { false; }; echo $?
#### time with a compound
time { true; } 2>/dev/null; echo $?
#### empty lines and comments between commands
echo a

# comment

echo b
#### line continuation inside a word
ec\
ho joined
#### dollar-paren with a case inside spanning lines
x=$(case a in
  a) echo matched;;
esac)
echo $x
#### here-document after a function call in a pipeline
f() { cat; }; f <<EOF | tr a-z A-Z
lower
EOF
#### command substitution containing a here-document and a pipe
x=$(cat <<EOF | tr a b
aaa
EOF
); echo $x
#### tilde plus in a path
cd /tmp; echo ~+/x
#### tilde minus after cd
cd /; cd /tmp; echo ~-
#### tilde in an argument that looks like an assignment
HOME=/h; echo x=~/y
#### cd to double slash keeps it
cd //; pwd
#### cd dot-dot from root
cd /; cd ..; pwd
#### cd with CDPATH and a dot entry
mkdir -p sub 2>/dev/null || mkdir => sub; CDPATH=.:/tmp; cd sub > out; basename $PWD; [ -s out ] && echo printed
#### pwd -L after cd to a symlinked directory with dot-dot
mkdir -p r/s 2>/dev/null || mkdir -p => r; mkdir r/s 2>/dev/null || mkdir => r/s; ln -s r/s l 2>/dev/null || ln -s r/s => l; top=$PWD; cd l/..; [ "$PWD" = "$top" ] && echo back-at-top
#### printf with no arguments for percent s
printf '%s'; echo end
#### printf with a star width and a negative value
printf '[%*d]\n' -5 42
#### printf zero and minus flags together
printf '[%0-5d]\n' 42
#### printf percent c of a number
printf '%c\n' 123
#### printf with an empty integer argument
printf '[%d]\n' ''
#### printf with a plus sign integer
printf '%i\n' +3
#### printf dot s
printf '[%.s]\n' abc
#### printf a lone backslash x
printf 'a\x'; echo
#### printf with percent at the end
printf 'abc%'; echo " $?"
#### echo with combined flags
echo -n -e 'a\tb'; echo
#### echo with dash dash help
echo --help
#### echo -e with backslash c in the first argument
echo -e '\c'; echo next
#### glob with a bracket exclamation only
: > '!'; : > a; echo [!]
#### glob with two classes in one bracket
: > a; : > 1; : > _; echo [[:alpha:][:digit:]]
#### glob dot in a bracket does not match hidden files
: > .h; : > v; echo [.]*
#### glob of a quoted star inside a pattern
: > 'a*c'; : > abc; echo a"*"c
#### glob with a variable holding a bracket pattern
: > a; : > b; p='[a]'; echo $p
#### glob that expands to names with spaces in a loop
: > 'x y'; : > 'x z'; for f in x*; do echo "<$f>"; done
#### LINENO in a function
f() {
  echo $LINENO
}
f
#### LINENO after a multi-line command
echo one \
  two
echo $LINENO
#### FUNCNAME in a nested call
f() { g; }; g() { echo ${FUNCNAME[0]} ${FUNCNAME[1]}; }; f
#### RANDOM seeded gives the same sequence
RANDOM=42; a=$RANDOM; RANDOM=42; b=$RANDOM; [ $a = $b ] && echo same
#### arithmetic with spaces around a string number
echo $(( ' 1 ' + 1 )) 2>/dev/null; echo $?
#### arithmetic empty expression
echo $(( )) $?
#### arithmetic power of zero and negative base
echo $(( 5 ** 0 )) $(( -2 ** 2 )) $(( (-2) ** 3 ))
#### arithmetic assignment chain
echo $(( a = b = 3 )) $a $b
#### arithmetic with a character literal is an error
echo $(( 'a' )) 2>/dev/null; echo $?
#### double-paren with comma assignments
(( a = 1, b = 2 )); echo $a $b
#### double-paren false in an if
if (( 0 )); then echo yes; else echo no; fi
#### pattern substitution with an empty pattern anchored at start
x=abc; echo ${x/#/pre-} ${x/%/-suf}
#### pattern substitution without a replacement deletes
x=banana; echo ${x/an} ${x//an}
#### uppercase with a pattern class
x=abcabc; echo ${x^^[a-b]}
#### names with an at sign
pa=1; pb=2; printf '<%s>' "${!p@}"; echo
#### default assignment to an array element
a=(); : ${a[2]:=z}; echo ${a[2]} ${#a[@]}
#### length of an array element that is unset
a=(x); echo "[${#a[3]}]"
#### substring with a negative length
x=abcdef; echo ${x:1:-2}
#### error message operator without a word
(unset u; : ${u:?}) 2>&1 | grep -c 'u'
#### positional count after set with a double dash and dash
set -- - -- x; echo $# "$1" "$2"
#### dollar-at in a for loop with IFS unset
unset IFS; set -- 'a b' c; for x in $@; do echo "<$x>"; done
#### dollar-star quoted with unset IFS
unset IFS; set -- a b; echo "$*"
#### read with backslash continuation and -r in a loop
printf 'a\\\nb\nc\n' | while read l; do echo "<$l>"; done
#### read into two variables with leading tabs
printf '\t a \t b \t\n' | { read x y; echo "[$x][$y]"; }
#### read -a with empty fields and IFS colon
echo 'a::b' | { IFS=: read -a arr; echo ${#arr[@]} "[${arr[1]}]"; }
#### read -d with a multi-line input
printf 'line1\nline2;rest' | { read -d ';' x; echo "[$x]"; }
#### mapfile without -t keeps newlines
printf 'a\nb\n' | { mapfile arr; printf '[%s]' "${arr[@]}"; echo; }
#### type -t of several kinds at once
f() { :; }; type -t f echo if cat
#### command -v of a path
command -v /bin/sh
#### command -V of a builtin
command -V echo
#### hash -t after running a command
sh -c true; hash -t sh 2>/dev/null || echo not-hashed
#### builtin with a redirection
builtin echo redirected > f; cat f
#### jobs output for a finished job
true & sleep 0.2; jobs
#### wait for a job spec that finished
sleep 0.1 & wait %1; echo $?
#### dollar-bang changes with each job
sleep 0.1 & a=$!; sleep 0.1 & b=$!; [ "$a" != "$b" ] && echo differ; wait
#### PPID is the parent of the shell
[ "$PPID" -gt 0 ] && echo positive
#### trap -p output format
trap 'echo bye' EXIT; trap -p EXIT
#### declare -p of an array with spaces
a=('x y' z); declare -p a
#### declare -p of an associative array
declare -A m=([k]=v); declare -p m
#### set output includes a variable
zq=1; set | grep '^zq='
#### export -p output for one variable
export zx_only=1; export -p | grep 'zx_only'
#### alias output after redefinition
alias a1='x'; alias a1='y'; alias a1
#### printf percent q of an empty string in a list
printf '%q ' a '' 'b c'; echo
#### transform at-Q of a value with a quote
x="it's"; echo ${x@Q}
#### kill -l of a status
kill -l 130
#### times prints two lines
times | wc -l
#### umask symbolic set
umask u=rwx,g=rx,o=; umask
#### ulimit -a lists limits
ulimit -a | grep -c 'open files'
