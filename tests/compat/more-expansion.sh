#### backslash before a quote in double quotes
echo "a\'b"
#### lone backslash in single quotes in double quotes
echo "'\'"
#### escaped backslash pairs
echo \\ "\\" '\\' \\\\
#### dollar followed by a non-name
echo $% $, "$+" ${#}
#### variable followed by text
x=ab; echo $xyz "${x}yz" $x.y
#### braces inside double quotes with special text
x='a  b'; echo "<${x}>" "<$x>"
#### quoted dollar-at inside a larger word
set -- 1 2 3; printf '[%s]' "a$@b"; echo
#### quoted dollar-star inside a larger word
set -- 1 2 3; printf '[%s]' "a$*b"; echo
#### unquoted dollar-at inside a larger word
set -- 1 2 3; printf '[%s]' a$@b; echo
#### dollar-at with spaces in elements unquoted
set -- 'a b' c; printf '[%s]' $@; echo
#### set -- preserves arguments through dollar-at
set -- 'a b' '' c; set -- "$@"; echo $#
#### IFS character as field separator only in expansions
IFS=x; v=axbxc; echo $v; echo axbxc
#### IFS with tab and spaces
x=$'a\t b'; printf '<%s>' $x; echo
#### unset IFS then splitting on default
x='a:b c'; IFS=:; unset IFS; printf '<%s>' $x; echo
#### IFS space only keeps tabs
x=$'a\tb c'; IFS=' '; printf '<%s>' $x; echo
#### field splitting of a command substitution with a newline
printf '<%s>' $(printf 'a\nb'); echo
#### empty string and empty variable in a list
e=; printf '<%s>' "" $e "$e" x; echo
#### nested command substitution in quotes
echo "$(echo "$(echo inner words)")"
#### command substitution with backslashes in single quotes
echo $(echo '\\')
#### backquote with escaped backslashes
echo `echo \\\\`
#### backquote with an escaped backquote and dollar
x=v; echo `echo \$x`
#### command substitution with a trailing newline preserved inside
x="$(printf 'a\n\nb\n\n')"; echo "[$x]"
#### command substitution exit status in a condition
if x=$(false); then echo yes; else echo no; fi
#### arithmetic with assignment of an unset variable
unset x; echo $(( x += 2 )) $x
#### arithmetic ternary with assignment
echo $(( 1 ? (y = 5) : 2 )) $y
#### arithmetic comma in parentheses
echo $(( (1, 2) + 1 ))
#### arithmetic unary operators
echo $(( - 3 )) $(( ~5 )) $(( -(-3) )) $(( !!7 ))
#### arithmetic command status with post-increment from zero
i=0; ((i++)); echo $? $i
#### let with several expressions
let a=1 b=a+1; echo $a $b
#### octal variable in arithmetic
x=010; echo $((x)) $((x + 0))
#### big shifts
echo $(( 1 << 63 )) $(( 2 ** 63 ))
#### array element increment in arithmetic
a=(5); echo $(( a[0]++ )) ${a[0]}
#### arithmetic with a string variable holding a name chain
a=b; b=c; c=4; echo $(( a + 1 ))
#### arithmetic with a negative modulo and division
echo $(( -7 / 2 )) $(( -7 % 2 )) $(( 7 % -2 ))
#### arithmetic with hex letters in upper case
echo $(( 0XFF )) $(( 16#FF ))
#### length of dollar-at and dollar-star
set -- a bb ccc; echo ${#@} ${#*}
#### substring of dollar-at
set -- a b c d; echo ${@:2:2}; echo "${@:3}"
#### quoted dollar-at default when empty
set --; printf '[%s]' "${@:-x}"; echo
#### alternative with quoted expansion
x='a b'; printf '[%s]' ${x:+"$x"}; echo
#### unquoted default with quoted spaces
unset u; printf '[%s]' ${u-"a b"}; echo
#### prefix removal with a quoted variable
x='a*b'; y='a*bc'; echo ${y#"$x"}
#### replace a quoted star
x='a*b*c'; echo ${x/"*"/-} ${x//"*"/-}
#### replace a vowel class
x=education; echo ${x//[aeiou]/_}
#### indirect to an array element
a=(x y z); ref='a[1]'; echo ${!ref}
#### indirect to all elements
a=(x y z); ref='a[@]'; echo ${!ref}
#### substring of unicode characters
x=héllo; echo ${x:1:3} ${#x}
#### case change of unicode
x=éa; echo ${x^^}
#### default value with a command substitution that fails
unset u; echo ${u:-$(echo fallback)}
#### assignment default in arithmetic context
unset n; echo $(( ${n:=3} * 2 )) $n
#### positional beyond nine without braces
set -- 1 2 3 4 5 6 7 8 9 ten; echo $10
#### dollar-hash after shift in a function
f() { shift 2; echo $#; }; f a b c d
#### glob with a range and a star
: > a1; : > b2; : > c3; : > d4; echo [a-c]*
#### glob with a trailing digit class
: > x1; : > y; : > z9; echo *[0-9]
#### glob dot-question-star
: > .a; : > .bb; : > c; echo .?*
#### glob in a subdirectory pattern
mkdir -p d1 d2 2>/dev/null || mkdir => d1 => d2; : > d1/x; : > d2/x; echo */x
#### escaped bracket is literal
: > '[a]'; : > a; echo \[a]
#### glob with a question mark in the middle
: > abc; : > axc; : > abbc; echo a?c
#### glob that matches nothing in a directory that does not exist
echo nodir/*.txt
#### here-document with nested command substitution and here-document
cat <<EOF
$(cat <<EOF2
inner
EOF2
)
EOF
#### here-document read by a while loop
while read -r l; do echo "<$l>"; done <<EOF
one two
  three
EOF
#### here-document in a function called twice
f() { cat <<EOF
call $1
EOF
}; f 1; f 2
#### here-document with a quoted delimiter and backquotes
cat <<'EOF'
`echo no` $(echo no)
EOF
#### here-document with backquote expansion
cat <<EOF
`echo yes`
EOF
#### here-document in a pipeline with another command
cat <<EOF | sort -r
a
c
b
EOF
#### here-string with an array
a=(x y); cat <<< "${a[*]}"
#### read raw keeps backslashes and spaces
printf '  a\\b  \n' | { IFS= read -r l; echo "[$l]"; }
#### read with a space delimiter
printf 'a b c' | { read -d ' ' x; echo "[$x]"; }
#### read from a here-string with a backslash
read -r a b <<< 'a\ b c'; echo "[$a][$b]"
#### read an empty here-string
read a <<< ""; echo "$? [$a]"
#### read lines from a here-string with a loop
while IFS= read -r l; do echo "<$l>"; done <<< $'a\nb'
#### printf with a missing second argument
printf '%s %s|\n' a
#### printf with precision on floats
printf '%.3f %.0f %.1f\n' 1.0005 2.5 0.05
#### printf of a unicode character code
printf '%d\n' "'é"
#### printf alternate octal of zero
printf '%#o %#x\n' 0 0
#### printf integer with width and precision
printf '[%5.3d]\n' 7
#### printf octal escape for a dollar
printf '\044\n'
#### printf percent b of a backslash
printf '%b\n' '\\'
#### printf of array elements
a=(x 'y z'); printf '<%s>\n' "${a[@]}"
#### printf without a newline at the end
printf abc; printf '\n'
#### printf reuses the format with percent b
printf '%b-' 'a\tb' c; echo
