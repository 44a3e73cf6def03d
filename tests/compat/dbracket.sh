#### string equality
[[ abc == abc ]] && echo eq
#### pattern matching on the right
[[ abc == a* ]] && echo match
#### quoted right side is literal
[[ abc == "a*" ]] || echo literal
#### not equal
[[ a != b ]] && echo ne
#### single equals
[[ a = a ]] && echo eq1
#### regular expression
[[ abc123 =~ ^[a-z]+([0-9]+)$ ]] && echo "${BASH_REMATCH[0]} ${BASH_REMATCH[1]}"
#### regular expression no match
[[ abc =~ ^[0-9]+$ ]]; echo $?
#### quoted regex is literal
[[ 'a.c' =~ "a.c" ]] && echo lit; [[ abc =~ "a.c" ]] || echo no
#### and and or
[[ 1 -eq 1 && 2 -eq 2 ]] && echo and; [[ 1 -eq 2 || 2 -eq 2 ]] && echo or
#### negation
[[ ! -e /nonexistent ]] && echo notexist
#### parentheses grouping
[[ ( a == a || a == b ) && c == c ]] && echo grouped
#### no word splitting inside
x='a b'; [[ $x == 'a b' ]] && echo nosplit
#### no globbing inside
: > gfile; [[ g* == gfile ]] || echo noglob
#### empty variable without quotes
e=; [[ -z $e ]] && echo empty
#### numeric comparisons
[[ 10 -gt 9 ]] && [[ 2 -le 2 ]] && echo numeric
#### string ordering
[[ a < b ]] && [[ b > a ]] && echo order
#### file tests
: > f; [[ -f f && -e f && ! -d f ]] && echo file
#### directory test
[[ -d / ]] && echo dir
#### string non-empty
[[ -n x ]] && [[ x ]] && echo nonempty
#### arithmetic in numeric comparisons
[[ 1+1 -eq 2 ]] && echo arith
#### variable test
x=1; [[ -v x ]] && echo set; [[ -v nope ]] || echo unset
#### bracket pattern
[[ b == [abc] ]] && echo bracket
#### character class pattern
[[ 5 == [[:digit:]] ]] && echo class
#### status 1 on false
[[ a == b ]]; echo $?
#### status 2 on syntax error in eval
eval '[[ a == ]]' 2>/dev/null; echo $?
#### newlines inside
[[ a == a &&
   b == b ]] && echo multiline
#### test of -o option
set -e; [[ -o errexit ]] && echo errexit-on
#### regex with special characters in a variable
re='^a.c$'; [[ abc =~ $re ]] && echo var-regex
#### regex with spaces quoted
[[ 'a b' =~ a\ b ]] && echo spaced
#### pattern with a variable holding a glob
p='a*'; [[ abc == $p ]] && echo glob-var; [[ abc == "$p" ]] || echo quoted-var
#### extglob in double brackets
[[ abc == @(abc|def) ]] && echo extglob
#### compare with a number as a string
[[ 10 < 9 ]] && echo string-order
#### file newer than
: > a; sleep 0.05; : > b; [[ b -nt a ]] && echo newer
#### double brackets in an if
if [[ -n $HOME ]]; then echo home; fi
#### single bracket still works
[ a = a ] && echo single
#### test with -a and -o
[ a = a -a b = b ] && echo and; [ a = b -o b = b ] && echo or
#### test with parentheses
[ \( a = a \) ] && echo paren
#### test string comparison with less-than
[ a \< b ] && echo lt
#### test -nt
: > a; sleep 0.05; : > b; [ b -nt a ] && echo newer
#### test with one argument
[ x ] && echo one; [ '' ] || echo empty
#### test missing bracket
[ a = a 2>/dev/null; echo $?
#### test integer error
[ a -eq 1 ] 2>/dev/null; echo $?
#### test -t
[ -t 0 ] || echo not-tty
#### test ==
[ a == a ] && echo double-eq
#### test -ef
: > f; [ f -ef ./f ] && echo same-file
#### test with a negative number
[ -1 -lt 0 ] && echo negative
#### test -s
: > empty; echo x > full; [ -s full ] && [ ! -s empty ] && echo sizes
#### test -r -w -x
: > f; [ -r f ] && [ -w f ] && [ ! -x f ] && echo perms
#### test -L
ln -s target lnk 2>/dev/null || ln -s target => lnk; [ -L lnk ] && [ -h lnk ] && echo link
#### test -z on an unquoted empty
e=; [ -z $e ] && echo z
#### test with an operator as a string
[ '!' ] && echo bang-string
#### test with three arguments starting with bang
[ ! a = b ] && echo negated
#### test with four arguments
[ ! a = a ] || echo four
