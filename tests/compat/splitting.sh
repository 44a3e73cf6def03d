#### default IFS splits on blanks
x='a  b	c'; set -- $x; echo $#
#### leading and trailing blanks are dropped
x='  a b  '; set -- $x; echo "$#:$1:$2"
#### custom IFS
x='a:b:c'; IFS=:; set -- $x; echo $# $2
#### empty fields between non-white separators
x='a::b'; IFS=:; set -- $x; echo $#
#### trailing non-white separator makes no empty field
x='a:b:'; IFS=:; set -- $x; echo $#
#### leading non-white separator makes an empty field
x=':a'; IFS=:; set -- $x; echo $# "[$1]"
#### white space around a non-white separator
x=' a : b '; IFS=' :'; set -- $x; echo "$#:$1:$2"
#### empty IFS means no splitting
x='a b'; IFS=; set -- $x; echo $#
#### unset IFS is default splitting
x='a b'; unset IFS; set -- $x; echo $#
#### IFS with a newline
x='a
b'; IFS='
'; set -- $x; echo $#
#### splitting only applies to expansions
IFS=:; set -- a:b; echo $#
#### quoted expansion is not split
x='a b'; set -- "$x"; echo $#
#### splitting of a command substitution
set -- $(printf 'a b\nc'); echo $#
#### star with default IFS
set -- a b; echo "$*"
#### star with custom IFS
set -- a b; IFS=-; echo "$*"
#### star with empty IFS
set -- a b; IFS=; echo "$*"
#### at-sign with empty IFS stays separate
set -- 'a b' c; IFS=; for x in "$@"; do echo "[$x]"; done
#### unquoted at-sign with empty IFS
set -- 'a b' c; IFS=; for x in $@; do echo "[$x]"; done
#### unquoted star with empty IFS
set -- 'a b' c; IFS=; for x in $*; do echo "[$x]"; done
#### empty positional parameters are dropped unquoted
set -- a '' b; for x in $@; do echo "[$x]"; done
#### empty positional parameters are kept quoted
set -- a '' b; for x in "$@"; do echo "[$x]"; done
#### splitting with a glob character
: > a1; x='a* b'; set -- $x; echo $#
#### IFS in a word with text around it
x='1 2'; set -- pre${x}post; echo "$1|$2"
#### IFS whitespace other than space
x='a	b'; IFS='	'; set -- $x; echo $#
#### splitting of an arithmetic result
IFS=1; set -- $((515)); echo $# "$1" "$2"
#### read uses IFS
echo 'a,b,c' | { IFS=, read x y z; echo $y; }
#### IFS is restored after a temporary assignment
x='a b'; IFS=: true; set -- $x; echo $#
#### splitting with a backslash in the value
x='a\ b'; set -- $x; echo $# "$1"
#### splitting keeps empty quoted parts
x=''; set -- "" $x ""; echo $#
#### adjacent empty expansion and quotes
e=; set -- $e""; echo $#
#### splitting multibyte characters in IFS
x='aéb'; IFS=é; set -- $x; echo $# $1 $2
#### dollar-at in a string
set -- a b; x="$@"; echo "$x"
#### dollar-star in a string with IFS
set -- a b; IFS=,; x="$*"; echo "$x"
#### default value is split when unquoted
unset u; set -- ${u:-a b}; echo $#
#### default value is not split when quoted
unset u; set -- "${u:-a b}"; echo $#
#### quoted parts inside an unquoted default are not split
unset u; set -- ${u:-"a b" c}; echo $#
#### field splitting of a variable with only spaces
x='   '; set -- $x; echo $#
#### field splitting of a variable with only colons
x='::'; IFS=:; set -- $x; echo $#
#### splitting with IFS containing a backslash
x='a\b'; IFS='\'; set -- $x; echo $# $1 $2
