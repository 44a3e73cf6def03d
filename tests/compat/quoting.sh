#### single quotes keep everything
echo 'a $x `b` \n "c"'
#### double quotes expand parameters
x=val; echo "[$x] [${x}]"
#### backslash in double quotes before special characters
echo "a\$b \`c\` d\\e \"f\" g\h"
#### backslash-newline inside double quotes joins lines
echo "ab\
cd"
#### backslash-newline outside quotes joins words
echo ab\
cd
#### empty quotes make an empty argument
set -- '' "" x; echo $#
#### adjacent quoted pieces form one word
echo 'a'"b"c\ d
#### quoted glob characters do not expand
echo '*' "?" \[
#### single quote inside double quotes
echo "it's"
#### double quote inside single quotes
echo 'say "hi"'
#### backslash before an ordinary character outside quotes
echo \a\b\c
#### dollar at end of word is literal
echo $ a$ "b$"
#### dollar-single-quote C strings
echo $'a\tb\nc'
#### dollar-single-quote with escapes
echo $'\x41\102\u0043 \'q\' \\'
#### dollar-double-quote is a plain double quote in C locale
echo $"hello"
#### quotes inside command substitution in double quotes
echo "$(echo "inner quoted")"
#### nested quotes in backquotes
echo "`echo 'x y'`"
#### hash inside a word is not a comment
echo a#b #comment
#### hash after quote
echo 'x'#y
#### quoted reserved word is a command name
'true' && echo ok
#### quoted newline in single quotes
echo 'line1
line2'
#### tab in double quotes preserved
printf '%s|\n' "a	b"
#### unquoted tab separates words
set -- a	b; echo $#
#### backslash-escaped space keeps one word
set -- a\ b; echo $#
#### quoting variable names
x=1; echo "$x"x "${x}x" '$x'x
#### escaped dollar in double quotes
x=1; echo "\$x"
#### single-quoted backslash stays
echo 'a\\b'
#### printf of double-quoted backslash-n
printf '%s\n' "a\nb"
#### quoted empty variable is an argument
e=; set -- "$e"; echo $#
#### unquoted empty variable is no argument
e=; set -- $e; echo $#
#### quoted at-sign in middle of word
set -- a b; printf '<%s>' "x$@y"; echo
#### backslash at end of input
echo abc\
#### quote removal in assignment
x='a b'"c"\ d; echo "$x"
#### dollar-single-quote inside double quotes is literal
echo "$'x'"
#### dollar-single-quote octal and control
printf '%s' $'\101\cA' | od -An -c
#### braces are literal when quoted
echo '{a,b}' "{c,d}"
