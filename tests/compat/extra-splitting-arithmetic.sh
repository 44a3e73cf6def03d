#### x="a b c"; set -- $x; echo $#; set -- "$x"; echo $#
x="a b  c"; set -- $x; echo $#; set -- "$x"; echo $#
#### x=" "; set -- $x; echo $#
x=" "; set -- $x; echo $#
#### IFS=' :'; x='a:b: c: d'; set -- $x; echo $#; printf '<%s>' "$@"; echo
IFS=' :'; x='a:b: c:  d'; set -- $x; echo $#; printf '<%s>' "$@"; echo
#### IFS=':'; x=':a::b:'; set -- $x; echo $#; printf '<%s>' "$@"; echo
IFS=':'; x=':a::b:'; set -- $x; echo $#; printf '<%s>' "$@"; echo
#### IFS=': '; x=' :a: :b: '; set -- $x; echo $#; printf '<%s>' "$@"; echo
IFS=': '; x=' :a: :b: '; set -- $x; echo $#; printf '<%s>' "$@"; echo
#### IFS=; x='a b'; set -- $x "$x"; echo $#
IFS=; x='a b'; set -- $x "$x"; echo $#
#### set -- a b c; IFS=:; x="$*"; echo $x; echo "$x"
set -- a b c; IFS=:; x="$*"; echo $x; echo "$x"
#### set -- a b c; IFS=; echo "$*" $*
set -- a b c; IFS=; echo "$*" $*
#### set -- 'a b' 'c d'; IFS=; printf '<%s>' $@; echo; printf '<%s>' $*; ec
set -- 'a b' 'c d'; IFS=; printf '<%s>' $@; echo; printf '<%s>' $*; echo
#### set -- 'a b' 'c d'; unset IFS; printf '<%s>' $@; echo; printf '<%s>' "
set -- 'a b' 'c d'; unset IFS; printf '<%s>' $@; echo; printf '<%s>' "$*"; echo
#### IFS=x; x=axbxxc; printf '<%s>' $x; echo
IFS=x; x=axbxxc; printf '<%s>' $x; echo
#### x=$'a\nb'; printf '<%s>' $x; echo
x=$'a\nb'; printf '<%s>' $x; echo
#### x='*'; set -- $x; echo $# >/dev/null; echo ok
x='*'; set -- $x; echo $# >/dev/null; echo ok
#### a=(1 2 3); IFS=-; echo "${a[*]}" ${a[*]} "${a[@]}"
a=(1 2 3); IFS=-; echo "${a[*]}" ${a[*]} "${a[@]}"
#### printf '<%s>' $(echo "a b"; echo c); echo
printf '<%s>' $(echo "a b"; echo c); echo
#### printf '<%s>' "$(echo "a b"; echo c)"; echo
printf '<%s>' "$(echo "a b"; echo c)"; echo
#### v='a\ b'; printf '<%s>' $v; echo
v='a\ b'; printf '<%s>' $v; echo
#### set -- $(printf 'x\ty\tz'); echo $#
set -- $(printf 'x\ty\tz'); echo $#
#### f() { echo $#; }; f $EMPTY; f "$EMPTY"; f ${EMPTY:-}; f "${EMPTY:-}"
f() { echo $#; }; f $EMPTY; f "$EMPTY"; f ${EMPTY:-}; f "${EMPTY:-}"
#### e=''; f() { echo $#; }; f $e$e; f "$e$e"; f $e''
e=''; f() { echo $#; }; f $e$e; f "$e$e"; f $e''
#### x=' a '; echo "[$x]" [$x]
x=' a '; echo "[$x]" [$x]
#### echo $(( 2#1010 + 8#17 + 16#1F + 36#z ))
echo $(( 2#1010 + 8#17 + 16#1F + 36#z ))
#### echo $(( 64#_ )) $(( 64#@ ))
echo $(( 64#_ )) $(( 64#@ ))
#### x=5; echo $(( x++ + ++x )) $x
x=5; echo $(( x++ + ++x )) $x
#### echo $(( 10 % 3 ** 2 ))
echo $(( 10 % 3 ** 2 ))
#### echo $(( (2 + 3) * 4 / 2 - 1 ))
echo $(( (2 + 3) * 4 / 2 - 1 ))
#### echo $(( 1 == 1 ? 2 == 2 ? 3 : 4 : 5 ))
echo $(( 1 == 1 ? 2 == 2 ? 3 : 4 : 5 ))
#### echo $(( 0 || 0 )) $(( 0 && 1 )) $(( 3 && 4 )) $(( 0 || 5 ))
echo $(( 0 || 0 )) $(( 0 && 1 )) $(( 3 && 4 )) $(( 0 || 5 ))
#### echo $(( 7 & 3 | 8 ^ 1 ))
echo $(( 7 & 3 | 8 ^ 1 ))
#### echo $(( -1 >> 1 )) $(( -1 << 1 ))
echo $(( -1 >> 1 )) $(( -1 << 1 ))
#### i=3; echo $(( i -= 1 )) $(( i *= 3 )) $(( i /= 2 )) $(( i %= 2 ))
i=3; echo $(( i -= 1 )) $(( i *= 3 )) $(( i /= 2 )) $(( i %= 2 ))
#### echo $(( 1 / 3 * 3 )) $(( -5 / 3 ))
echo $(( 1 / 3 * 3 )) $(( -5 / 3 ))
#### n=1; echo $((n+=n+=1))
n=1; echo $((n+=n+=1))
#### echo $(( 08 )) 2>/dev/null; echo $?
echo $(( 08 )) 2>/dev/null; echo $?
#### echo $(( 1 + )) 2>/dev/null; echo $?
echo $(( 1 + )) 2>/dev/null; echo $?
#### x=abc; echo $(( x )) 2>/dev/null; echo $?
x=abc; echo $(( x )) 2>/dev/null; echo $?
#### x='1 +'; echo $(( x )) 2>/dev/null; echo $?
x='1 +'; echo $(( x )) 2>/dev/null; echo $?
#### ((1/0)) 2>/dev/null; echo $?
((1/0)) 2>/dev/null; echo $?
#### echo $((-9223372036854775807 - 1))
echo $((-9223372036854775807 - 1))
#### echo $(( 3 > 2 )) $(( 3 < 2 )) $(( 2 <= 2 )) $(( 2 != 2 ))
echo $(( 3 > 2 )) $(( 3 < 2 )) $(( 2 <= 2 )) $(( 2 != 2 ))
#### a=3; b=4; echo $((a*b)) $(($a*$b)) $((${a}*${b}))
a=3; b=4; echo $((a*b)) $(($a*$b)) $((${a}*${b}))
#### echo $(( "1" + '1' )) 2>/dev/null; echo $?
echo $(( "1" + '1' )) 2>/dev/null; echo $?
#### x=10; echo $(( x / 3 )) $(( x % 3 ))
x=10; echo $(( x / 3 )) $(( x % 3 ))
#### let 'x = 5 + 5'; echo $x
let 'x = 5 + 5'; echo $x
#### let x=1 'y = x + 1'; echo $x $y
let x=1 'y = x + 1'; echo $x $y
#### let 0 ; echo $?
let 0 ; echo $?
#### let 'z = 0'; echo $?
let 'z = 0'; echo $?
