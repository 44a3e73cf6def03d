#### array assignment and element
a=(x y z); echo ${a[0]} ${a[2]}
#### all elements
a=(x y z); echo ${a[@]}
#### number of elements
a=(x y z); echo ${#a[@]} ${#a[*]}
#### element length
a=(abc de); echo ${#a[0]} ${#a[1]}
#### append elements
a=(x); a+=(y z); echo ${a[@]} ${#a[@]}
#### assign an element
a=(); a[3]=d; echo ${#a[@]} ${a[3]}
#### indices
a=(x y); a[5]=z; echo ${!a[@]}
#### sparse array values
a[2]=b; a[0]=a; echo ${a[@]}
#### quoted at keeps elements
a=('a b' c); for x in "${a[@]}"; do echo "[$x]"; done
#### quoted star joins
a=(a b c); echo "${a[*]}"
#### quoted star joins with IFS
a=(a b c); IFS=-; echo "${a[*]}"
#### star with empty IFS
a=(a b c); IFS=; echo "${a[*]}"
#### unquoted at with empty IFS
a=('a b' c); IFS=; for x in ${a[@]}; do echo "[$x]"; done
#### array without index is element zero
a=(first second); echo $a
#### assigning to the name sets element zero
a=(x y); a=new; echo ${a[@]}
#### negative index
a=(x y z); echo ${a[-1]} ${a[-2]}
#### arithmetic index
a=(x y z); i=1; echo ${a[i+1]} ${a[$i]}
#### unset an element
a=(x y z); unset 'a[1]'; echo ${a[@]} ${#a[@]}
#### unset the array
a=(x y); unset a; echo "[${a[@]}]" ${#a[@]}
#### array slice
a=(a b c d e); echo ${a[@]:1:2}
#### array slice to the end
a=(a b c d e); echo ${a[@]:3}
#### pattern substitution on all elements
a=(foo bar); echo ${a[@]/o/0}
#### prefix removal on all elements
a=(x.c y.c); echo ${a[@]%.c}
#### empty array
a=(); echo ${#a[@]} "[${a[@]}]"
#### empty array quoted gives no words
a=(); set -- "${a[@]}"; echo $#
#### array from a glob
: > f1; : > f2; a=(f*); echo ${#a[@]}
#### array from a command substitution
a=($(echo 1 2 3)); echo ${a[2]}
#### array with explicit indices
a=([2]=two [0]=zero); echo ${a[@]}
#### array element with spaces
a=("one two" three); echo ${#a[@]} "${a[0]}"
#### for over array
a=(1 2 3); s=0; for x in "${a[@]}"; do s=$((s+x)); done; echo $s
#### array in arithmetic
a=(2 3); echo $(( a[0] * a[1] ))
#### array element assignment in arithmetic
a=(); (( a[1] = 5 )); echo ${a[1]}
#### increment an element
a=(1); (( a[0]++ )); echo ${a[0]}
#### declare -a
declare -a d; d[0]=x; echo ${d[0]}
#### declare -p of an array
a=(x 'y z'); declare -p a
#### local array in a function
f() { local -a l=(1 2 3); echo ${#l[@]}; }; f
#### array copy
a=(x y); b=("${a[@]}"); echo ${b[1]}
#### dollar-at as array
set -- a b c; a=("$@"); echo ${a[2]}
#### element default value
a=(); echo ${a[0]:-dflt}
#### length of an unset element
a=(x); echo ${#a[5]}
#### keys of an array with quoted at
a=(x y); for k in "${!a[@]}"; do echo $k; done
#### append to an element
a=(x); a[0]+=y; echo ${a[0]}
#### multiline array
a=(
  one
  two
)
echo ${#a[@]}
#### array with a comment inside
a=(one # comment
two); echo ${a[@]}
#### associative array
declare -A m=([k1]=v1 [k2]=v2); echo ${m[k1]} ${m[k2]}
#### associative keys count
declare -A m; m[a]=1; m[b]=2; echo ${#m[@]}
#### array element in double quotes
a=(x y); echo "${a[1]}"
#### dollar-brace-bang on array with star
a=(x y z); echo ${!a[*]}
#### array in a test
a=(1 2); [ ${#a[@]} -eq 2 ] && echo two
#### uppercase on all elements
a=(ab cd); echo ${a[@]^^}
#### array with glob characters quoted
a=('*' '?'); echo "${a[@]}"
#### readonly array
a=(1); readonly a; a[0]=2 2>/dev/null; echo ${a[0]}
#### array assignment with an empty element
a=(x '' z); echo ${#a[@]}
#### unquoted at on array splits elements
a=('a b' c); set -- ${a[@]}; echo $#
#### array element is used as a grant word
a=(x); echo "${a[0]}"
#### index with a variable name in brackets
i=2; a[i]=v; echo ${a[2]}
#### a name reference to an array, taken by a function
add() { local -n arr=$1; arr+=("$2"); }; list=(a b); add list c; echo "${list[@]}" "${#list[@]}"
#### a name reference as a function's result variable
setres() { local -n out=$1; out="result $2"; }; setres r1 x; echo "$r1"
#### a name reference to an associative array
declare -A m; fill() { local -n mm=$1; mm[k]=v; }; fill m; echo "${m[k]}"
#### a name reference: read, assigned, its name, declare -p, unset -n
x=1; declare -n ref=x; echo "$ref"; ref=2; echo "$x ${!ref}"; declare -p ref; unset -n ref; echo "[${ref-unset}] $x"
#### unset through a name reference unsets its variable
declare -n r2=y; r2=5; echo "$y"; unset r2; echo "[${y-gone}]"
