#### : > 'a b'; : > c; set -- *; echo $#
: > 'a b'; : > c; set -- *; echo $#
#### : > x; echo x* "x*" 'x*' x\*
: > x; echo x* "x*" 'x*' x\*
#### mkdir -p a/b 2>/dev/null || mkdir -p => a/b; : > a/b/c 2>/dev/null || 
mkdir -p a/b 2>/dev/null || mkdir -p => a/b; : > a/b/c 2>/dev/null || : ; echo a/*/ a/b*
#### echo /[u]sr
echo /[u]sr
#### cd /; echo u*r
cd /; echo u*r
#### echo ~root ~root/x
echo ~root ~root/x
#### HOME=/tmp; cd ~; pwd; echo ~/a
HOME=/tmp; cd ~; pwd; echo ~/a
#### unset HOME; echo ~ | grep -c /
unset HOME; echo ~ | grep -c /
#### x=~; echo $x
x=~; echo $x
#### echo "~"/x ~"/x" ~/"x" | sed "s|$HOME|H|g"
echo "~"/x ~"/x" ~/"x" | sed "s|$HOME|H|g"
#### a=~/x:~/y; echo $a | sed "s|$HOME|H|g"
a=~/x:~/y; echo $a | sed "s|$HOME|H|g"
#### echo a=~/x b=~ | sed "s|$HOME|H|g"
echo a=~/x b=~ | sed "s|$HOME|H|g"
#### for x in ~; do echo $x | sed "s|$HOME|H|"; done
for x in ~; do echo $x | sed "s|$HOME|H|"; done
#### echo ${HOME:+~} | sed "s|$HOME|H|"
echo ${HOME:+~} | sed "s|$HOME|H|"
#### case ~ in "$HOME") echo home;; esac
case ~ in "$HOME") echo home;; esac
#### cd /tmp && cd - >/dev/null && pwd >/dev/null && echo $OLDPWD
cd /tmp && cd - >/dev/null && pwd >/dev/null && echo $OLDPWD
#### cd /nonexistent 2>/dev/null || echo failed $?
cd /nonexistent 2>/dev/null || echo failed $?
#### cd /tmp; cd /; cd -; echo $PWD
cd /tmp; cd /; cd -; echo $PWD
#### OLDPWD=/usr; cd -
OLDPWD=/usr; cd -
#### cd /tmp; PWD=; pwd
cd /tmp; PWD=; pwd
#### cd /usr/bin/../lib; pwd
cd /usr/bin/../lib; pwd
#### cd /usr/./bin/.; pwd
cd /usr/./bin/.; pwd
#### cd; [ "$PWD" = "$HOME" ] && echo home
cd; [ "$PWD" = "$HOME" ] && echo home
#### CDPATH=/usr; cd bin; pwd
CDPATH=/usr; cd bin; pwd
#### CDPATH=/usr:; cd bin 2>/dev/null; echo $?
CDPATH=/usr:; cd bin 2>/dev/null; echo $?
#### x=1; f() { x=2; local x=3; echo $x; }; f; echo $x
x=1; f() { x=2; local x=3; echo $x; }; f; echo $x
#### f() { local v; v=inner; }; v=outer; f; echo $v
f() { local v; v=inner; }; v=outer; f; echo $v
#### f() { local -i n=5+5; echo $n; }; f
f() { local -i n=5+5; echo $n; }; f
#### f() { declare x=1; g; }; g() { echo ${x-unset}; }; f
f() { declare x=1; g; }; g() { echo ${x-unset}; }; f
#### f() { local a b=2 c; echo "[$a][$b][$c]"; }; f
f() { local a b=2 c; echo "[$a][$b][$c]"; }; f
#### f() { local x=$1 y=$x; echo $y; }; f val
f() { local x=$1 y=$x; echo $y; }; f val
#### f() { typeset t=in; echo $t; }; t=out; f; echo $t
f() { typeset t=in; echo $t; }; t=out; f; echo $t
#### x=g; f() { unset x; x=new; }; f; echo $x
x=g; f() { unset x; x=new; }; f; echo $x
#### readonly A=1; f() { local A=2; echo $A; }; f 2>/dev/null; echo $?
readonly A=1; f() { local A=2; echo $A; }; f 2>/dev/null; echo $?
#### f() { local IFS=,; echo "$*"; }; f a b
f() { local IFS=,; echo "$*"; }; f a b
#### x=1; f() { echo ${x}; }; x=2 f; echo $x
x=1; f() { echo ${x}; }; x=2 f; echo $x
#### f() { x=in-f; }; x=out; f; echo $x
f() { x=in-f; }; x=out; f; echo $x
#### f() { return 3; }; if f; then echo yes; else echo "no $?"; fi
f() { return 3; }; if f; then echo yes; else echo "no $?"; fi
#### f() { echo "$@"; }; f "a b" c
f() { echo "$@"; }; f "a  b" c
#### f() { [ $# -eq 0 ] && return; echo $1; shift; f "$@"; }; f 1 2 3
f() { [ $# -eq 0 ] && return; echo $1; shift; f "$@"; }; f 1 2 3
#### count=0; f() { count=$((count+1)); [ $count -lt 50 ] && f; }; f; echo 
count=0; f() { count=$((count+1)); [ $count -lt 50 ] && f; }; f; echo $count
#### f() { echo ${FUNCNAME[@]}; }; g() { f; }; g
f() { echo ${FUNCNAME[@]}; }; g() { f; }; g
#### f() { :; }; declare -F | grep -c f
f() { :; }; declare -F | grep -c f
#### unset -f nosuch; echo $?
unset -f nosuch; echo $?
#### f() ( x=sub; echo $x ); x=main; f; echo $x
f() ( x=sub; echo $x ); x=main; f; echo $x
#### function f { echo braces; }; f
function f { echo braces; }; f
#### f() { echo one; }; g=f; $g
f() { echo one; }; g=f; $g
#### a.b() { echo dotted; }; a.b
a.b() { echo dotted; }; a.b
#### f() { cat; }; echo piped | f
f() { cat; }; echo piped | f
#### f() { shift; echo "$1"; }; f a b c
f() { shift; echo "$1"; }; f a b c
#### exec 3>&1; f() { echo to3 >&3; }; x=$(f); echo "[$x]"
exec 3>&1; f() { echo to3 >&3; }; x=$(f); echo "[$x]"
