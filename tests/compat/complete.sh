#### compgen offers the words of a list that start with the word
## as bash
compgen -W "start stop status restart" -- st; echo "status $?"; compgen -W "a b" -- x; echo "status $?"
#### compgen keeps the list's order and splits it on IFS
## as bash
compgen -W "b a c"; IFS=,; compgen -W "x,y z"
#### compgen adds a prefix and a suffix
## as bash
compgen -P '<' -S '>' -W "one two three" -- t
#### compgen's filter takes out what matches, or keeps only that with !
## as bash
compgen -X '*t' -W "cat dog ant emu"; echo --; compgen -X '!*t' -W "cat dog ant emu"; echo --; compgen -X '&*' -W "cat catalog dog" -- cat
#### compgen of files and directories
## as bash
: > f1; : > f2; : > .hidden; compgen -f -- f; compgen -f -- .h; compgen -d -- /us; compgen -f -- /nonexistent/x; echo "status $?"
#### compgen of builtins, functions, variables and options
## as bash
f_one() { :; }; f_two() { :; }; MYVAR_X=1; MYVAR_Y=2; export MYVAR_Y
compgen -A function -- f_; compgen -b -- ech; compgen -v -- MYVAR_; compgen -e -- MYVAR_; compgen -A setopt -- pipe; compgen -A shopt -- extg; compgen -A signal -- SIGTER
#### complete keeps a specification, shows it in bash's form and removes it
## as bash
complete -F _bar -o nospace -o filenames bar; complete -W "a b" foo; complete -d -f -A function -X "*.o" -P p qq
complete -p foo; complete -p bar; complete -p qq; complete -r foo; complete -p foo 2>/dev/null; echo "status $?"; complete -p bar
#### complete with a bad option fails
## as bash
complete -z foo 2>/dev/null; echo "status $?"; compgen -q 2>/dev/null; echo "status $?"
