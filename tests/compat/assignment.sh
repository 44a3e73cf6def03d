#### simple assignment
x=1; echo $x
#### assignment with spaces quoted
x='a b'; echo "$x"
#### several assignments in one command
a=1 b=2; echo $a $b
#### assignment uses earlier assignment of the same command
a=1 b=$a; echo $b
#### assignment before a command is temporary
x=outer; x=inner sh -c 'echo $x'; echo $x
#### assignment before a builtin is temporary
x=outer; x=inner true; echo $x
#### assignment value is not split
x=$(echo a   b); echo "$x"
#### assignment value is not globbed
: > ga; x=g*; echo "$x"
#### append assignment
x=a; x+=b; echo $x
#### append to an unset variable
unset x; x+=new; echo $x
#### readonly variable cannot be assigned
readonly r=1; (r=2) 2>/dev/null; echo $? $r
#### readonly without value
x=5; readonly x; (x=6) 2>/dev/null; echo $x
#### readonly -p lists
readonly rr=1; readonly -p | grep -c 'rr='
#### export -p lists
export ee=1; export -p | grep 'ee='
#### export with assignment
export ev=value; sh -c 'echo $ev'
#### exported variable reaches a child
ev2=x; export ev2; sh -c 'echo $ev2'
#### unexported variable does not reach a child
nv=x; sh -c 'echo "[$nv]"'
#### export -n removes the export
export en=1; export -n en; sh -c 'echo "[$en]"'
#### unset a variable
x=1; unset x; echo "[${x-unset}]"
#### unset a readonly variable fails
readonly ro=1; unset ro 2>/dev/null; echo $?
#### unset -f a function
f() { echo f; }; unset -f f; f 2>/dev/null; echo $?
#### unset a function by name
f() { echo f; }; unset f; f 2>/dev/null; echo $?
#### unset -v keeps a function
f() { echo fn; }; unset -v f; f
#### assignment to a special name fails
1=x 2>/dev/null; echo $?
#### local in a function
x=global; f() { local x=local; echo $x; }; f; echo $x
#### local without value is unset
f() { local x; echo "[${x-unset}]"; }; x=g; f
#### local is visible to called functions
f() { local v=dyn; g; }; g() { echo $v; }; f
#### local outside a function
local x=1 2>/dev/null; echo $?
#### local -r
f() { local -r c=1; c=2; echo $c; }; f 2>/dev/null; echo $?
#### declare an integer
declare -i n=2+3; echo $n
#### declare -i on assignment
declare -i n; n=4*2; echo $n
#### declare -p of a variable
x=1; declare -p x
#### declare -p of a string with quotes
x="a'b"; declare -p x
#### declare -r
declare -r dr=1; dr=2 2>/dev/null; echo $dr
#### declare -x exports
declare -x dx=exp; sh -c 'echo $dx'
#### declare in a function is local
f() { declare v=in; }; v=out; f; echo $v
#### declare -g in a function is global
f() { declare -g gv=in; }; f; echo $gv
#### typeset is declare
typeset t=1; echo $t
#### declare -l and -u
declare -l lo=ABC; declare -u up=abc; echo $lo $up
#### declare -a
declare -a arr=(x y); echo ${arr[1]}
#### assignment of an empty value
x=; echo "[$x]"
#### assignment with a backslash
x=a\ b; echo "$x"
#### assignment to positional parameters is an error
set -- a; (1=b) 2>/dev/null; echo $1
#### assignment with command substitution and arithmetic
x=$((1+2))$(echo a); echo $x
#### assignments only, with a redirection
x=1 >f; echo $x; cat f
#### assignment in the environment of a function
f() { echo $y; }; y=tmp f; echo "[${y-}]"
#### variable names with digits and underscores
_a1=1; a_2=2; echo $_a1 $a_2
#### assignment then use on the same line
x=1; x=2 echo $x
#### IFS assignment before read
echo a:b | { IFS=: read p q; echo $q; }
#### export of an invalid name
export 1x=y 2>/dev/null; echo $?
#### readonly -p format
readonly rp=v; readonly -p | grep 'rp='
#### declare -p of an exported variable
export xp=1; declare -p xp
#### set lists variables
zzvar=1; set | grep '^zzvar='
#### env sees exported variables
export envx=ok; env | grep '^envx='
#### assignment before export in one command
a=1 export b=2; echo "${a-unset} $b"
#### declare -A associative array
declare -A m; m[k]=v; echo ${m[k]}
#### declare with no arguments works
declare >/dev/null; echo $?
