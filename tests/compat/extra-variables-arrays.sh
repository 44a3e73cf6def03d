#### echo $? ; false; echo $?; echo $?
echo $? ; false; echo $?; echo $?
#### (exit 7); x=$?; echo $x
(exit 7); x=$?; echo $x
#### echo ${#?} ${?}
echo ${#?} ${?}
#### f() { return 9; }; f; echo $? $?
f() { return 9; }; f; echo $? $?
#### echo $$ | grep -c '^[0-9]*$'
echo $$ | grep -c '^[0-9]*$'
#### x=$$; y=$(echo $$); [ $x = $y ] && echo same
x=$$; y=$(echo $$); [ $x = $y ] && echo same
#### echo $! ; sleep 0.1 & [ -n "$!" ] && echo set; wait
echo $! ; sleep 0.1 & [ -n "$!" ] && echo set; wait
#### echo "$0" | grep -c .
echo "$0" | grep -c .
#### set -- a b; echo "$#" "${#}" "$*" "$@"
set -- a b; echo "$#" "${#}" "$*" "$@"
#### echo ${#-} | grep -c .
echo ${#-} | grep -c .
#### echo $_ | wc -c
echo $_ | wc -c
#### echo a b c; echo $_
echo a b c; echo $_
#### x=1 y=2; echo $x $y
x=1 y=2; echo $x $y
#### x=1; x+=2; x+=3; echo $x
x=1; x+=2; x+=3; echo $x
#### a=b=c; echo $a
a=b=c; echo $a
#### x= y=; echo "[$x][$y]"
x= y=; echo "[$x][$y]"
#### x=1 true; echo "[${x-unset}]"
x=1 true; echo "[${x-unset}]"
#### x=1 echo "$x"
x=1 echo "$x"
#### x=1; x=2 eval 'echo $x'; echo $x
x=1; x=2 eval 'echo $x'; echo $x
#### x=1; x=2 . /dev/null; echo $x
x=1; x=2 . /dev/null; echo $x
#### export X=1; X=2 sh -c 'echo $X'; echo $X
export X=1; X=2 sh -c 'echo $X'; echo $X
#### declare x=1 y; echo "[$x][${y-unset}]"
declare x=1 y; echo "[$x][${y-unset}]"
#### readonly x=1; x=2 2>/dev/null; echo $x $?
readonly x=1; x=2 2>/dev/null; echo $x $?
#### readonly x; x=1 2>/dev/null; echo "[${x-unset}]"
readonly x; x=1 2>/dev/null; echo "[${x-unset}]"
#### y=$(readonly z=1; z=2 2>/dev/null; echo reached); echo "[$y]"
y=$(readonly z=1; z=2 2>/dev/null; echo reached); echo "[$y]"
#### unset x; echo ${x:-a} ${x:=b} $x
unset x; echo ${x:-a} ${x:=b} $x
#### x=${y:=def}; echo $x $y
x=${y:=def}; echo $x $y
#### x="$@"; echo "[$x]"; set -- a b; x="$@"; echo "[$x]"
x="$@"; echo "[$x]"; set -- a b; x="$@"; echo "[$x]"
#### a=1 b=$a c=$b; echo $c
a=1 b=$a c=$b; echo $c
#### x='$y'; y=1; echo $x
x='$y'; y=1; echo $x
#### x='*'; echo "$x" $x | wc -w
x='*'; echo "$x" $x | wc -w
#### x=~; y="~"; echo "${x#/}" | grep -c / ; echo $y
x=~; y="~"; echo "${x#/}" | grep -c / ; echo $y
#### x=$(echo a)b; echo $x
x=$(echo a)b; echo $x
#### x=`echo a`'b'"c"; echo $x
x=`echo a`'b'"c"; echo $x
#### PATH=$PATH:/extra; echo ${PATH##*:}
PATH=$PATH:/extra; echo ${PATH##*:}
#### _x=1; X_1=2; echo $_x $X_1
_x=1; X_1=2; echo $_x $X_1
#### 3x=1 2>/dev/null; echo $?
3x=1 2>/dev/null; echo $?
#### x[0]=a; echo $x ${x[0]}
x[0]=a; echo $x ${x[0]}
#### unset x; x[2]=c; echo ${#x[@]} ${!x[@]}
unset x; x[2]=c; echo ${#x[@]} ${!x[@]}
#### x=(a b); x=c; echo ${x[@]}
x=(a b); x=c; echo ${x[@]}
#### x=(a b); unset x[0]; echo ${x[@]}
x=(a b); unset x[0]; echo ${x[@]}
#### x=(); echo ${#x[@]}
x=(); echo ${#x[@]}
#### declare -a x=(1 2); declare -p x | cut -c1-13
declare -a x=(1 2); declare -p x | cut -c1-13
#### a=(1 2 3); b=${a[@]}; echo $b
a=(1 2 3); b=${a[@]}; echo $b
#### a=("x y" z); b="${a[*]}"; echo $b
a=("x y" z); b="${a[*]}"; echo $b
#### IFS=,; a=(1 2); echo "${a[*]}"
IFS=,; a=(1 2); echo "${a[*]}"
#### set -- 1 2; a=($@); echo ${#a[@]}
set -- 1 2; a=($@); echo ${#a[@]}
#### a=(*); echo ${#a[@]} ${a[0]}
a=(*); echo ${#a[@]} ${a[0]}
#### : > f1; a=(f*); echo ${a[@]}
: > f1; a=(f*); echo ${a[@]}
#### a=( $(echo 1 2) "3 4" ); echo ${#a[@]}
a=( $(echo 1 2) "3 4" ); echo ${#a[@]}
#### a=([1]=x [0]=y); echo ${a[@]}
a=([1]=x [0]=y); echo ${a[@]}
#### a=(x); a[5]=y; a+=(z); echo ${!a[@]}
a=(x); a[5]=y; a+=(z); echo ${!a[@]}
#### a=(1 2 3); echo ${a[@]: -2} ${a[-1]}
a=(1 2 3); echo ${a[@]: -2} ${a[-1]}
#### a=(1 2 3); unset 'a[-1]'; echo ${a[@]}
a=(1 2 3); unset 'a[-1]'; echo ${a[@]}
#### a=(a b c); for i in ${!a[@]}; do echo $i:${a[$i]}; done
a=(a b c); for i in ${!a[@]}; do echo $i:${a[$i]}; done
#### declare -A h; h[x]=1; h[y]=2; for k in "${!h[@]}"; do echo $k; done | 
declare -A h; h[x]=1; h[y]=2; for k in "${!h[@]}"; do echo $k; done | sort
#### declare -A h=([a]=1); h+=([b]=2); echo ${#h[@]}
declare -A h=([a]=1); h+=([b]=2); echo ${#h[@]}
#### declare -A h; h[a b]=1; echo "${h[a b]}"
declare -A h; h[a b]=1; echo "${h[a b]}"
#### a=(1 2 3); echo $((${#a[@]} * 2))
a=(1 2 3); echo $((${#a[@]} * 2))
