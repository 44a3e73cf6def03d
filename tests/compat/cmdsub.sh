#### dollar-paren substitution
echo $(echo hi)
#### backquote substitution
echo `echo hi`
#### trailing newlines are removed
x=$(printf 'a\n\n\n'); echo "[$x]"
#### inner newlines are kept when quoted
x=$(printf 'a\nb'); echo "$x"
#### unquoted substitution is split
set -- $(echo a b c); echo $#
#### quoted substitution is one word
set -- "$(echo a b c)"; echo $#
#### nested substitution
echo $(echo $(echo nested))
#### nested backquotes
echo `echo \`echo inner\``
#### substitution in double quotes keeps spaces
echo "$(echo 'a   b')"
#### substitution with a case statement
echo $(case x in x) echo matched;; esac)
#### substitution with a parenthesis in case
echo $(case x in (x) echo p;; esac)
#### substitution with a comment
echo $(echo a # comment
)
#### substitution sets the status
x=$(exit 3); echo $?
#### variables set in a substitution do not persist
x=1; y=$(x=2; echo $x); echo $x $y
#### substitution of a builtin
echo $(pwd) >/dev/null; echo ok
#### substitution with stderr not captured
x=$(echo err >&2; echo out); echo $x
#### substitution of a function
f() { echo from-f; }; echo $(f)
#### substitution of a here-document
x=$(cat <<EOF
heredoc
EOF
); echo $x
#### backquote with a dollar escaped
x=1; echo `echo \$x`
#### backquote with a backslash
echo `echo 'a\\b'`
#### substitution of nothing
x=$(true); echo "[$x]"
#### substitution with glob characters unquoted
: > ga; : > gb; echo $(echo 'g*')
#### substitution in an assignment is not split
x=$(echo 'a  b'); echo "$x"
#### arithmetic inside a substitution
echo $(echo $((1+2)))
#### substitution containing a closing paren in quotes
echo $(echo ')')
#### substitution with a subshell inside
echo $( (echo sub) )
#### substitution reading a file
echo content > f; echo $(< f)
#### substitution in a here-document
cat <<EOF
x $(echo y) z
EOF
#### substitution with exit inside
echo $(exit 4; echo no) $?
#### substitution with a while loop
echo $(i=0; while [ $i -lt 3 ]; do printf $i; i=$((i+1)); done)
#### substitution output with carriage returns
x=$(printf 'a\r\n'); printf '%s' "$x" | od -An -c
#### substitution inside a double-quoted word with text
echo "pre-$(echo mid)-post"
#### multiple substitutions in one word
echo $(echo a)$(echo b)
#### backquote inside double quotes
echo "`echo a b`"
#### substitution with single quotes inside double quotes
echo "$(echo 'single')"
#### substitution with an unbalanced quote in a comment is fine
x=$(echo ok # it's
); echo $x
#### substitution with a pipeline
echo $(echo abc | tr a-c x-z)
#### dollar-paren with leading spaces
echo $(   echo spaced   )
#### status of the last substitution in a command
echo $(exit 2) $(exit 0) >/dev/null; echo $?
#### substitution output is not re-parsed
echo $(echo '$HOME')
#### deep nesting
echo $(echo $(echo $(echo $(echo deep))))
#### dollar-paren of an input redirection reads the file
## as bash
printf 'a,b\n1,2\n' > data.csv; c=$(< data.csv); echo "[$c]"; d=$( <data.csv ); echo "$d" | wc -l
#### dollar-paren of a missing file fails
x=$(< nosuch) 2>/dev/null; echo "$? [$x]"
#### an array declared beside a substitution of one program
## as bash
declare a=(1 2) b=$(cat /dev/null); declare -p a
#### a substitution's program is not hashed by the shell
## as bash
x=$(cat /dev/null); hash 2>&1
#### an unset parameter in a substitution's program
set -u; x=$(cat $nope) 2>/dev/null; echo "st $?"
#### a pipeline of programs in a substitution, with a member forked
n=$(printf 'a\nb\n' | cat | wc -l); echo $n
