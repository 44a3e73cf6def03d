#### plain echo
echo a b c
#### echo -n
echo -n abc; echo
#### echo -e newline
echo -e 'a\nb'
#### echo -e tab
echo -e 'a\tb'
#### echo -e backslash c stops output
echo -e 'a\cb'; echo end
#### echo -e octal
echo -e '\0101\0102'
#### echo -e hex
echo -e '\x41\x42'
#### echo -e unicode
echo -e '\u00e9\U0001F600'
#### echo -e escape character
echo -e '\e[0m' | od -An -c
#### echo -e alert and others
echo -e '\a\b\f\v\r' | od -An -c
#### echo -e backslash backslash
echo -e 'a\\b'
#### echo -E disables escapes
echo -E 'a\nb'
#### echo without -e on escapes
echo 'a\nb'
#### echo -ne combined
echo -ne 'x\ty'; echo
#### echo -en
echo -en 'z\n'
#### echo with -- is printed
echo -- a
#### echo with a bad option is printed
echo -x a
#### echo with -n not first
echo a -n
#### echo empty
echo
#### echo empty string
echo ''
#### echo -e with an unknown escape
echo -e 'a\qb'
#### echo -e with a trailing backslash
echo -e 'a\'
#### echo -e with backslash zero alone
echo -e 'a\0b' | od -An -c
#### echo -e octal with three digits after zero
echo -e '\0141'
#### echo -e octal without a leading zero
echo -e '\141'
#### echo multiple spaces are collapsed unquoted
echo a     b
#### echo with quoted spaces
echo "a     b"
#### echo -n with nothing
echo -n; echo end
#### echo -e with hex of one digit
echo -e '\x4g'
#### echo a dash
echo -
#### echo -nn
echo -nn x; echo
#### echo -e with short unicode
echo -e '\u41'
#### echo -e with escaped quote
echo -e "a\"b"
#### echo -e c in the middle of arguments
echo -e 'a' 'b\c' 'd'; echo end
#### xpg_echo
shopt -s xpg_echo; echo 'a\tb'
#### echo writes to a closed pipe
echo hi | true; echo $?
#### echo of special characters
echo '!@#$%^&*()'
