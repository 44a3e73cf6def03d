#### define and call
f() { echo called; }; f
#### arguments
f() { echo "$# $1 $2"; }; f a 'b c'
#### positional parameters are restored
set -- outer; f() { echo $1; }; f inner; echo $1
#### return value
f() { return 3; }; f; echo $?
#### return without value uses the last status
f() { false; return; }; f; echo $?
#### function keyword
function g { echo kw; }; g
#### function keyword with parens
function h() { echo kwp; }; h
#### function with a subshell body
f() ( x=inner; echo $x ); x=outer; f; echo $x
#### function body on several lines
f()
{
  echo multi
}
f
#### recursion
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1 - 1))) )); fi; }; fact 5
#### function redefinition
f() { echo one; }; f() { echo two; }; f
#### function sees global variables
g=global; f() { echo $g; }; f
#### function changes global variables
f() { x=changed; }; x=orig; f; echo $x
#### local variables
f() { local x=l; echo $x; }; x=g; f; echo $x
#### local shadows and restores
x=1; f() { local x=2; g; echo $x; }; g() { x=3; }; f; echo $x
#### nested function definition
outer() { inner() { echo inner; }; }; outer; inner
#### unset function
f() { echo f; }; unset -f f; type f >/dev/null 2>&1; echo $?
#### FUNCNAME
f() { echo $FUNCNAME; }; f
#### dollar-zero in a function
f() { echo $0; }; f | grep -c .
#### function name with a dash
my-func() { echo dashed; }; my-func
#### function with a redirection on the definition
f() { echo x; } >/dev/null; f; echo done
#### function with a compound body other than braces
f() if true; then echo if-body; fi; f
#### function with a for body
f() for i in 1 2; do echo $i; done; f
#### return from a sourced file
echo 'echo in; return 5; echo out' > s; . ./s; echo $?
#### return outside a function
return 2>/dev/null; echo status $?
#### dollar-at in a function
f() { for a in "$@"; do echo "[$a]"; done; }; f 'a b' c
#### shift in a function
f() { shift; echo $*; }; f a b c
#### set -- in a function
f() { set -- x y; echo $#; }; set -- a; f; echo $#
#### exit status of a function definition
f() { false; }; echo $?
#### calling a function with a special name
:() { echo colon-fn; } 2>/dev/null; echo ok
#### function and variable with the same name
f=var; f() { echo fn; }; f; echo $f
#### declare -f shows a function
f() { echo x; }; declare -f f | head -n 1
#### declare -F lists function names
f() { :; }; declare -F f
#### type of a function
f() { :; }; type f | head -n 1
#### local -
f() { local -; set -f; }; f; : > g1; echo g*
#### function called before definition fails
f2 2>/dev/null; echo $?; f2() { :; }
#### return value over 255
f() { return 257; }; f; echo $?
#### function with here-document body
f() { cat; }; f <<EOF
heredoc into function
EOF
#### local array
f() { local a=(1 2); echo ${#a[@]}; }; f
#### local with several names
f() { local a=1 b=2 c; echo $a$b${c-u}; }; f
#### local with a dynamic value
f() { local x=$1; echo $x; }; f dyn
#### function in a pipeline does not change variables
f() { x=changed; }; x=orig; f | true; echo $x
#### function exported with export -f
## differs: functions live in the shell; an external bash runs jailed without them
f() { echo exported-fn; }; export -f f; bash -c f 2>/dev/null || echo no-export
#### function with break in a loop around it
for i in 1 2; do f() { echo $i; }; f; done
#### local variable is unset after return
f() { local only_local=1; }; f; echo "[${only_local-unset}]"
#### type prints the function as bash does
f() { echo a; if true; then echo c; elif false; then :; fi; for i in 1 2; do echo $i; done; x=1; }; type f
#### declare -f prints a case and a subshell body
f() { case $1 in a) echo a;; b|c) echo bc;; esac; }; g() ( echo sub ); declare -f f g
#### declare -f with a while loop and a pipeline
f() { while read l; do echo "$l" | tr a b; done; }; declare -f f
