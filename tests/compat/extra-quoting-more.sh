#### echo 'single \\ "double" $dollar'
echo 'single \\ "double" $dollar'
#### echo "double \\ 'single' \$dollar \`tick\`"
echo "double \\ 'single' \$dollar \`tick\`"
#### echo "a\tb" 'a\tb' a\tb
echo "a\tb" 'a\tb' a\tb
#### echo \' \" \` \$ \\ \#
echo \' \" \` \$ \\ \#
#### echo "${undefined-'q'}" '${x}' "'"
echo "${undefined-'q'}" '${x}' "'"
#### echo "$(echo "inner")" "$(echo 'single')"
echo "$(echo "inner")" "$(echo 'single')"
#### echo "`echo "bq"`"
echo "`echo "bq"`"
#### echo "$( echo \"esc\" )"
echo "$( echo \"esc\" )"
#### echo `echo \"esc\"`
echo `echo \"esc\"`
#### echo $'a\'b' $'\x41' $'\101' $'\u00e9'
echo $'a\'b' $'\x41' $'\101' $'\u00e9'
#### echo $'a b' | wc -w
echo $'a b' | wc -w
#### echo "$'not-c'"
echo "$'not-c'"
#### x=$'line1\nline2'; echo "$x" | wc -l
x=$'line1\nline2'; echo "$x" | wc -l
#### echo 'it'\''s'
echo 'it'\''s'
#### echo "a"b'c'"d"
echo "a"b'c'"d"
#### echo ""'' | wc -c
echo ""'' | wc -c
#### echo "\z"
echo "\z"
#### echo '\z'
echo '\z'
#### echo \z
echo \z
#### echo "\\z"
echo "\\z"
#### echo a#b \#c d# #e
echo a#b \#c d# #e
#### echo a;#comment
echo a;#comment
#### echo "#notcomment"
echo "#notcomment"
#### echo $(echo '#') $( # comment
echo $(echo '#') $( # comment
echo x)
#### echo *.nomatch"x"
echo *.nomatch"x"
#### echo "*"*".none"
echo "*"*".none"
#### x='a"b'; echo "$x" $x
x='a"b'; echo "$x" $x
#### x="it's"; echo "$x" $x
x="it's"; echo "$x" $x
#### echo "${x:-a "b c" d}"
echo "${x:-a "b c" d}"
#### unset x; printf '<%s>' ${x:-a "b c" d}; echo
unset x; printf '<%s>' ${x:-a "b c" d}; echo
#### unset x; printf '<%s>' "${x:-a "b c" d}"; echo
unset x; printf '<%s>' "${x:-a "b c" d}"; echo
#### x="a b"; printf '<%s>' ${x:+"$x" y}; echo
x="a b"; printf '<%s>' ${x:+"$x" y}; echo
#### echo '$((1+1))' "$((1+1))" $((1+1))
echo '$((1+1))' "$((1+1))" $((1+1))
#### echo "$((1+"1"))" 2>/dev/null
echo "$((1+"1"))" 2>/dev/null
#### echo ${x:-\$}
echo ${x:-\$}
#### echo "${x:-\$}"
echo "${x:-\$}"
#### echo ${x:-'$'}
echo ${x:-'$'}
#### echo "${x:-\"}"
echo "${x:-\"}"
#### echo "${x:-a\}b}"
echo "${x:-a\}b}"
#### echo ${x:-a\}b}
echo ${x:-a\}b}
#### v=val; echo "${v:+"$v"}" "${v:+$v}"
v=val; echo "${v:+"$v"}" "${v:+$v}"
#### echo "${#HOME}" | grep -c '[0-9]'
echo "${#HOME}" | grep -c '[0-9]'
#### echo \a\b\c "\a\b\c"
echo \a\b\c "\a\b\c"
#### echo 'a
echo 'a
b' | wc -l
#### echo "a
echo "a
b" | wc -l
#### echo a\
echo a\
b\
c
#### x=abc\
x=abc\
def; echo $x
