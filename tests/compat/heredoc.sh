#### expanding here-document
x=var; cat <<EOF
line $x
EOF
#### quoted delimiter is literal
x=var; cat <<'EOF'
line $x $(echo no)
EOF
#### double-quoted delimiter is literal
cat <<"EOF"
$HOME
EOF
#### partly quoted delimiter is literal
cat <<E"OF"
$x
EOF
#### backslash delimiter is literal
cat <<\EOF
$x
EOF
#### tab stripping
cat <<-EOF
	indented
		twice
	EOF
#### tab stripping does not strip spaces
cat <<-EOF
  spaces kept
	EOF
#### two here-documents on one line
cat <<A; cat <<B
first
A
second
B
#### two here-documents for one command
cat <<A 3<<B
one
A
three
B
#### backslash escapes in an expanding here-document
cat <<EOF
a\$b \`c\` d\\e \"f\" g\h
EOF
#### backslash-newline in a here-document joins lines
cat <<EOF
ab\
cd
EOF
#### backslash-newline in a literal here-document stays
cat <<'EOF'
ab\
cd
EOF
#### here-document with command substitution
cat <<EOF
$(echo sub)
EOF
#### here-document with arithmetic
cat <<EOF
$((2+3))
EOF
#### here-document in a function
f() {
  cat <<EOF
in function $1
EOF
}
f arg
#### here-document in a loop
for i in 1 2; do cat <<EOF
item $i
EOF
done
#### here-document with an empty body
cat <<EOF
EOF
echo end
#### here-document delimiter with trailing spaces does not end
cat <<EOF
EOF 
EOF
#### here-document to read
read a b <<EOF
one two three
EOF
echo "$a|$b"
#### here-document piped
cat <<EOF | wc -l
1
2
EOF
#### here-document with quotes inside
cat <<EOF
it's "quoted"
EOF
#### here-document with a parameter default
cat <<EOF
${unset_v:-default}
EOF
#### here-document in command substitution
x=$(cat <<EOF
inside
EOF
)
echo "$x"
#### here-document followed by more commands on the line
cat <<EOF && echo after
body
EOF
#### here-document with a dash delimiter
cat <<-
dash delim
-
#### here-document with a delimiter containing a dollar
cat <<'$X'
body
$X
#### here-document at the end of input without the delimiter
cat <<EOF
unterminated
#### here-document body is not glob expanded
: > gfile; cat <<EOF
g*
EOF
#### here-document with positional parameters
set -- p1 p2; cat <<EOF
$1 $2 $#
EOF
#### here-document inside if
if true; then
  cat <<EOF
in-if
EOF
fi
#### here-document with literal tabs kept
printf 'cat <<EOF\n\tx\nEOF\n' > s; . ./s | od -An -c
#### here-document with a long body
cat <<EOF | tail -n 1
1
2
3
4
5
EOF
#### here-document after a pipe on the next command
cat <<EOF |
piped
EOF
tr a-z A-Z
