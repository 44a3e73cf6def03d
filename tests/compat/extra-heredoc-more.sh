#### cat <<EOF
cat <<EOF
line1
EOF
echo after
#### cat <<EOF; echo same-line
cat <<EOF; echo same-line
body
EOF
#### cat << 'A B'
cat << 'A B'
x
A B
#### cat <<EOF
cat <<EOF
$(echo "a
b")
EOF
#### cat <<EOF
cat <<EOF
${x-default}	tab
EOF
#### x=1; cat <<EOF
x=1; cat <<EOF
$((x + 1)) $(( x * 10 ))
EOF
#### cat <<EOF
cat <<EOF
\$escaped \`also\` \\back
EOF
#### cat <<EOF
cat <<EOF
it's a "test"
EOF
#### cat <<-'EOF'
cat <<-'EOF'
		literal	tab
	EOF
#### cat <<EOF1; cat <<EOF2
cat <<EOF1; cat <<EOF2
one
EOF1
two
EOF2
#### cat <<EOF | cat <<EOF2
cat <<EOF | cat <<EOF2
first
EOF
second
EOF2
#### f() {
f() {
  cat <<EOF
in f
EOF
}
f; f
#### if true; then cat <<EOF
if true; then cat <<EOF
inside if
EOF
fi
#### while read l; do echo "[$l]"; done <<EOF
while read l; do echo "[$l]"; done <<EOF
a
b
EOF
#### cat <<EOF
cat <<EOF
$HOME_NOT_SET end
EOF
#### cat <<EOF
cat <<EOF
a \
b
EOF
#### cat <<\EOF
cat <<\EOF
$x
EOF
#### cat <<EOF >out
cat <<EOF >out
to file
EOF
cat out
#### cat <<EOF 2>/dev/null
cat <<EOF 2>/dev/null
ok
EOF
#### x=$(cat <<'EOF'
x=$(cat <<'EOF'
$literal
EOF
); echo "$x"
#### cat <<EOF
cat <<EOF
EOF
echo "[empty]"
#### cat <<"EOF"
cat <<"EOF"
"quoted"
EOF
#### echo $(cat <<EOF
echo $(cat <<EOF
sub
EOF
) done
#### cat <<EOF
cat <<EOF
${#HOME_NOT}
EOF
#### cat <<E
cat <<E
E
echo done
#### cat <<-EOF
cat <<-EOF
	a
		b
EOF
#### set -- x y; cat <<EOF
set -- x y; cat <<EOF
$1 $2 $@ $*
EOF
#### cat <<EOF
cat <<EOF
@(a|b) *.txt ~
EOF
