#### echo `echo \`echo deep\``
echo `echo \`echo deep\``
#### echo "`echo "a b"`"
echo "`echo "a b"`"
#### echo `echo '\$x'`
echo `echo '\$x'`
#### x=1; echo `echo "\$x"`
x=1; echo `echo "\$x"`
#### echo `printf '%s\n' a\\\\b`
echo `printf '%s\n' a\\\\b`
#### echo "`echo \\\\`"
echo "`echo \\\\`"
#### echo `echo \\\\`
echo `echo \\\\`
#### echo $(echo `echo mixed`)
echo $(echo `echo mixed`)
#### echo `echo $(echo mixed2)`
echo `echo $(echo mixed2)`
#### echo "$(echo "$(echo "a b")")"
echo "$(echo "$(echo "a  b")")"
#### echo $(echo ")")
echo $(echo ")")
#### echo $(echo "(")
echo $(echo "(")
#### echo $(case x in x) echo c;; esac)
echo $(case x in x) echo c;; esac)
#### echo $( (echo a) )
echo $( (echo a) )
#### echo $((echo a) )
echo $((echo a) )
#### echo $( ( echo a ) | tr a b )
echo $( ( echo a ) | tr a b )
#### x=$(echo a
x=$(echo a
echo b); echo $x
#### echo "$(printf '%s' "trailing
echo "$(printf '%s' "trailing

")" | wc -l
#### echo $(echo a; echo; echo b)
echo $(echo a; echo; echo b)
#### echo "$(echo a; echo; echo b)"
echo "$(echo a; echo; echo b)"
#### a=$(exit 3) b=$(exit 4); echo $?
a=$(exit 3) b=$(exit 4); echo $?
#### echo $(false) $?
echo $(false) $?
#### $(echo echo) hi
$(echo echo) hi
#### $(echo) ; echo $?
$(echo) ; echo $?
#### "$(echo)" 2>/dev/null; echo $?
"$(echo)" 2>/dev/null; echo $?
#### x=$(echo -n); echo "[$x]"
x=$(echo -n); echo "[$x]"
#### echo $(printf '\n\n\n') end
echo $(printf '\n\n\n') end
#### v=$(echo 'a\nb'); echo "$v"
v=$(echo 'a\nb'); echo "$v"
#### echo $(echo '*') $(echo "*")
echo $(echo '*') $(echo "*")
#### : > gx; echo $(echo 'g*')
: > gx; echo $(echo 'g*')
#### echo $(seq 3)
echo $(seq 3)
#### echo "$(seq 3)"
echo "$(seq 3)"
#### set -- $(seq 3); echo $#
set -- $(seq 3); echo $#
#### echo $( echo $(( 1 + $(echo 2) )) )
echo $( echo $(( 1 + $(echo 2) )) )
#### echo $(</dev/null)end
echo $(</dev/null)end
#### echo 'x' > f; echo $(< f) "$(<f)"
echo 'x' > f; echo $(< f) "$(<f)"
#### echo $(cat <<'E'
echo $(cat <<'E'
q
E
)
#### echo `cat <<E
echo `cat <<E
r
E`
