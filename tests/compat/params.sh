#### default values
unset u; e=; echo ${u-a} ${e-b} ${e:-c} ${u:-d}
#### alternative values
unset u; e=; s=x; echo "[${u+a}] [${e+b}] [${e:+c}] [${s:+d}]"
#### assign default
unset u; echo ${u=first}; echo $u; e=; echo ${e:=second}; echo $e
#### error on unset
(unset u; echo ${u?gone}) 2>/dev/null; echo $?
#### error on null with colon
(e=; echo ${e:?empty}) 2>/dev/null; echo $?
#### error does not trigger when set
s=ok; echo ${s?never}
#### length
x=hello; echo ${#x}
#### length of unicode
x=héllo; echo ${#x}
#### length of positional parameters
set -- a b c; echo ${#}  ${#@}
#### remove smallest suffix
f=a.tar.gz; echo ${f%.*}
#### remove largest suffix
f=a.tar.gz; echo ${f%%.*}
#### remove smallest prefix
p=/a/b/c; echo ${p#*/}
#### remove largest prefix
p=/a/b/c; echo ${p##*/}
#### remove with a quoted pattern
x='a*b*c'; echo ${x#'a*'} ${x%"*c"}
#### remove with a bracket pattern
x=abc123; echo ${x%%[0-9]*} ${x##[a-z]}
#### remove with a character class
x=abc123; echo ${x%%[[:digit:]]*}
#### remove with a variable pattern
x=prefix-body; p=prefix-; echo ${x#$p}
#### remove prefix no match
x=abc; echo ${x#z}
#### pattern substitution first
x=aaa; echo ${x/a/b}
#### pattern substitution all
x=aaa; echo ${x//a/b}
#### pattern substitution anchored at the start
x=abab; echo ${x/#ab/X}
#### pattern substitution anchored at the end
x=abab; echo ${x/%ab/X}
#### pattern substitution deleting
x=a-b-c; echo ${x//-}
#### pattern substitution with a glob
x=hello.world; echo ${x/*./X}
#### substring
x=abcdef; echo ${x:2} ${x:1:3} ${x: -2} ${x:(-3):2}
#### substring with a length past the end
x=abc; echo ${x:1:10}
#### substring of positional parameters
set -- a b c d; echo ${@:2} ${@:2:2}
#### substring with arithmetic
x=abcdef; n=2; echo ${x:n:n+1}
#### uppercase and lowercase
x=hello; echo ${x^} ${x^^}; y=WORLD; echo ${y,} ${y,,}
#### indirect expansion
x=y; y=target; echo ${!x}
#### names with a prefix
pre_a=1; pre_b=2; echo ${!pre_*}
#### names with a prefix in at form
pre_a=1; pre_b=2; for n in "${!pre_@}"; do echo $n; done
#### nested default
unset a b; echo ${a:-${b:-deep}}
#### default with a space
unset u; echo "${u:-a b}"
#### default with a command substitution
unset u; echo ${u:-$(echo cs)}
#### default is not evaluated when set
s=set; echo ${s:-$(echo never >&2; echo no)}
#### braces for positional beyond nine
set -- 1 2 3 4 5 6 7 8 9 10; echo ${10} $10
#### unset positional in default
set --; echo ${1-none}
#### special parameter in default
set --; echo ${*:-empty}
#### length of an unset variable
unset u; echo ${#u}
#### set -u with a default is fine
set -u; echo ${nope-fine}
#### set -u with a length is an error
(set -u; echo ${#nope}) 2>/dev/null; echo $?
#### set -u with dollar-at is fine
set -u; set --; echo "$@" ok
#### assignment operator on a positional fails
(set --; echo ${1=x}) 2>/dev/null; echo $?
#### pattern with a slash in removal
p=a/b/c; echo ${p%/*}
#### remove a literal dot
x=v1.2.3; echo ${x#v} ${x%.*}
#### quoted expansion in the pattern word
x='a*'; y='a*bc'; echo ${y#"$x"}
#### unquoted expansion in the pattern word is a pattern
x='a*'; y='abc'; echo ${y#$x}
#### substitution with a special character replacement
x=a.b; echo ${x/./\/}
#### substitution in an array-like positional
set -- aa ba; echo ${@/a/x}
#### replacement referencing ampersand is literal
x=abc; echo ${x/b/&}
#### default in double quotes with inner quotes
unset u; echo "${u:-'q'}"
#### default outside quotes with single quotes
unset u; echo ${u:-'a  b'}
#### hash-prefix with a star only
x=abc; echo "[${x#*}]" "[${x##*}]"
#### remove suffix with a star only
x=abc; echo "[${x%*}]" "[${x%%*}]"
#### prefix removal of unicode
x=éa; echo ${x#?}
#### expansion of dollar-brace-hash-hash
set -- a b; echo ${##}
#### length of a number
n=12345; echo ${#n}
#### transform with at-Q
x="a'b"; echo ${x@Q}
#### brace without a colon means unset only
e=; echo "[${e-x}]" "[${e:-y}]"
#### bad substitution is an error
echo ${x!y} 2>/dev/null; echo status $?
#### removal with an extglob-like pattern
x=aaab; echo ${x##a}
#### removal matching a bracket with a slash
x='a/b'; echo ${x#[/a]}
#### case modification of the first character of each word
x='hello world'; echo ${x^}
#### substitution on unicode
x=héllo; echo ${x/é/e}
#### substring of unicode
x=héllo; echo ${x:1:2}
