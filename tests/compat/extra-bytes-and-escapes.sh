#### x='a b'; cat <<EOF
x='a b'; cat <<EOF
${x} "$x" '$x' \$x \\ \` 
EOF
#### cat <<EOF
cat <<EOF
${undefined:-"quoted default"} ${undefined:-'single'}
EOF
#### x=abc; echo "${x#"a"}" "${x%'c'}"
x=abc; echo "${x#"a"}" "${x%'c'}"
#### echo "$(echo '$(echo no)')"
echo "$(echo '$(echo no)')"
#### echo "a\
echo "a\
b"
#### echo 'a\
echo 'a\
b'
#### IFS=; set -- "a b" c; echo $*; echo "$*"
IFS=; set -- "a b" c; echo $*; echo "$*"
#### set -- a b; echo "$@$@"; set -- "$@$@"; echo $#
set -- a b; echo "$@$@"; set -- "$@$@"; echo $#
#### printf '%s\n' $(echo '*')
printf '%s\n' $(echo '*')
#### echo $((0x7fffffffffffffff + 1))
echo $((0x7fffffffffffffff + 1))
#### x=5; ((x+=2, x*=2)); echo $x
x=5; ((x+=2, x*=2)); echo $x
#### a=1; a+=2; echo $a; declare -i b=1; b+=2; echo $b
a=1; a+=2; echo $a; declare -i b=1; b+=2; echo $b
#### echo ${x-"$(echo a b)"}
echo ${x-"$(echo a b)"}
#### f() { return; }; false; f; echo $?
f() { return; }; false; f; echo $?
#### f() { false; return; }; f; echo $?
f() { false; return; }; f; echo $?
#### echo $(echo a; exit 3) $?
echo $(echo a; exit 3) $?
#### x=$(echo a; exit 3); echo $? $x
x=$(echo a; exit 3); echo $? $x
#### (exit 3) || echo "failed $?"
(exit 3) || echo "failed $?"
#### if (exit 4); then :; else echo "else $?"; fi
if (exit 4); then :; else echo "else $?"; fi
#### while (exit 0); do break; done; echo $?
while (exit 0); do break; done; echo $?
#### echo "$(exit 5)" $?
echo "$(exit 5)" $?
#### true; echo $( (exit 7) ; echo $?)
true; echo $( (exit 7) ; echo $?)
#### echo ${#undefined}
echo ${#undefined}
#### a=(x y); echo ${a} ${a[0]} ${a[1]}
a=(x y); echo ${a} ${a[0]} ${a[1]}
#### echo "${a[@]:-empty}"
echo "${a[@]:-empty}"
#### x=abc; echo ${x:1} ${x:5} "[${x:3}]"
x=abc; echo ${x:1} ${x:5} "[${x:3}]"
#### x=abc; echo ${x^} ${x^^[ab]}
x=abc; echo ${x^} ${x^^[ab]}
#### f() { echo "$#:$*"; }; f "" ""; f
f() { echo "$#:$*"; }; f "" ""; f
#### echo -e "\x41\n\x42"
echo -e "\x41\n\x42"
#### echo -e 'a\0101b'
echo -e 'a\0101b'
#### printf '%s\n' "$(echo -e 'x\ty')"
printf '%s\n' "$(echo -e 'x\ty')"
#### echo $'\a' | od -An -c
echo $'\a' | od -An -c
#### echo $'\c@' | od -An -c
echo $'\c@' | od -An -c
#### echo $'\xe9' | od -An -tx1
echo $'\xe9' | od -An -tx1
#### printf '\xe9\n' | od -An -tx1
printf '\xe9\n' | od -An -tx1
#### printf '%b\n' '\xe9' | od -An -tx1
printf '%b\n' '\xe9' | od -An -tx1
#### echo -e '\xe9' | od -An -tx1
echo -e '\xe9' | od -An -tx1
#### printf '%.1s\n' é
printf '%.1s\n' é
#### x=$'\xff'; echo ${#x}
x=$'\xff'; echo ${#x}
