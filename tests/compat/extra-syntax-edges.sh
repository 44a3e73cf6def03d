#### for i
for i
in a b
do echo $i; done
#### if true
if true
then
echo yes
fi
#### if true; then; echo x; fi
if true; then; echo x; fi
#### if true; then fi
if true; then fi
#### { }
{ }
#### while false; do done
while false; do done
#### case x in x) esac; echo ok
case x in x) esac; echo ok
#### case x in x); esac; echo ok2
case x in x); esac; echo ok2
#### echo a; ; echo b
echo a; ; echo b
#### echo a &; echo b
echo a &; echo b
#### & echo a
& echo a
#### | echo a
| echo a
#### echo a ||
echo a ||
echo b
#### echo a && # comment
echo a && # comment
echo b
#### for i in 1 2; do # comment
for i in 1 2; do # comment
echo $i; done
#### if true; then # c
if true; then # c
echo then-comment; fi
#### f() # comment
f() # comment
{ echo fc; }; f
#### f()
f()
{
echo f-newline
}; f
#### ( ( echo nested ) )
( ( echo nested ) )
#### ((echo a) )
((echo a) )
#### echo $(( (1+2) ))
echo $(( (1+2) ))
#### $(( ))
$(( ))
#### x=(a b) ; echo ${x[1]}
x=(a b) ; echo ${x[1]}
#### echo a b ) c
echo a b ) c
#### echo (a)
echo (a)
#### echo a\;b a\&b a\|b
echo a\;b a\&b a\|b
#### echo 'a;b' "c&d"
echo 'a;b' "c&d"
#### echo a#b c #d
echo a#b c #d
#### echo $((1 + 2 # not a comment
echo $((1 + 2 # not a comment
))
#### cat <<EOF
cat <<EOF
unterminated heredoc
#### echo "unterminated
echo "unterminated
#### echo 'unterminated
echo 'unterminated
#### echo $(echo unterminated
echo $(echo unterminated
#### echo ${unterminated
echo ${unterminated
#### if true; then echo x
if true; then echo x
#### for in in in; do echo $in; done
for in in in; do echo $in; done
#### case case in case) echo case;; esac
case case in case) echo case;; esac
#### echo if then else fi do done
echo if then else fi do done
#### if=1; echo $if
if=1; echo $if
#### { echo a; } > /dev/null; echo after
{ echo a; } > /dev/null; echo after
#### [ a ] && { echo b; }
[ a ] && { echo b; }
#### ! ! true; echo $?
! ! true; echo $?
#### time true 2>&1 | cat > /dev/null; echo $?
time true 2>&1 | cat > /dev/null; echo $?
#### echo ok; exit; echo never
echo ok; exit; echo never
#### exit 3; echo never
exit 3; echo never
#### return 2>/dev/null; echo $?
return 2>/dev/null; echo $?
