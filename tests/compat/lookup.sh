#### command not found is 127
nosuchcommand_abc; echo $?
#### command not found with a path
./nosuch_here; echo $?
#### a non-executable file is 126
echo 'echo hi' > script; ./script; echo $?
#### a directory is 126
mkdir d 2>/dev/null || mkdir => d; ./d; echo $?
#### a script without a shebang runs as a shell script
printf 'echo from-script $1\n' > s; chmod +x s 2>/dev/null || chmod +x => s; ./s arg; echo $?
#### a script without a shebang gets its exit status
printf 'exit 7\n' > s; chmod +x s 2>/dev/null || chmod +x => s; ./s; echo $?
#### a script with a shebang runs with its interpreter
printf '#!/bin/sh\necho shebang $#\n' > s; chmod +x s 2>/dev/null || chmod +x => s; ./s a b; echo $?
#### a directory on PATH with the command name is skipped
mkdir -p bin1/true 2>/dev/null || mkdir -p => bin1; mkdir -p bin1/true 2>/dev/null || mkdir => bin1/true; PATH="$PWD/bin1:$PATH"; true; echo $?
#### PATH search order
mkdir b1 b2 2>/dev/null || mkdir => b1 => b2; printf 'echo one\n' > b1/prog; printf 'echo two\n' > b2/prog; chmod +x b1/prog b2/prog 2>/dev/null || chmod +x => b1/prog => b2/prog; PATH="$PWD/b1:$PWD/b2:$PATH"; prog
#### a non-executable file on PATH is skipped for a later one
mkdir b1 b2 2>/dev/null || mkdir => b1 => b2; printf 'echo one\n' > b1/prog; printf 'echo two\n' > b2/prog; chmod +x b2/prog 2>/dev/null || chmod +x => b2/prog; PATH="$PWD/b1:$PWD/b2:$PATH"; prog
#### only a non-executable file on PATH gives 126
mkdir b1 2>/dev/null || mkdir => b1; printf 'echo one\n' > b1/prog; PATH="$PWD/b1:$PATH"; prog; echo $?
#### empty PATH finds nothing
PATH=; ls 2>/dev/null; echo $?
#### functions are found before builtins
echo() { printf 'func:%s\n' "$*"; }; echo hi
#### builtins are found before PATH
type echo | head -n 1
#### command skips functions
ls() { echo fn; }; command ls /nonexistent 2>/dev/null; echo $?
#### command -v of a builtin
command -v echo
#### command -v of a function
f() { :; }; command -v f
#### command -v of a missing command
command -v nosuch_xyz; echo $?
#### command -v of a program
command -v sh
#### command -V of a function
f() { :; }; command -V f | head -n 1
#### type of a keyword
type if
#### type -t
f() { :; }; type -t f; type -t echo; type -t if; type -t sh
#### type -P
type -P sh
#### type of a missing name
type nosuch_xyz >/dev/null 2>&1; echo $?
#### hash a command
hash sh; echo $?
#### hash a missing command
hash nosuch_xyz 2>/dev/null; echo $?
#### hash -r
hash -r; echo $?
#### command with arguments
command echo a b
#### command -p uses the default path
PATH=/nonexistent; command -p echo found
#### assignment before a function call
f() { echo "v=$v"; }; v=1 f; echo "after=${v-unset}"
#### assignment before a special builtin persists in sh
v=1 :; echo "${v-unset}"
#### a file named like a keyword
echo hi | command cat
#### running a path with a trailing slash fails
./nosuchdir/; echo $?
#### a command name from a variable
c=echo; $c via-var
#### a command name with arguments from splitting
c='echo a b'; $c
#### empty command name from an empty variable
e=; $e echo ran
#### quoted empty command name
''; echo $?
#### exec of a missing command
(exec nosuch_xyz_q) 2>/dev/null; echo $?
#### exec replaces the shell
(exec echo replaced; echo never)
#### builtin keyword
builtin echo via-builtin
#### builtin of a non-builtin
builtin nosuch_xyz 2>/dev/null; echo $?
#### enable -n is not required
command -v cd >/dev/null && echo have-cd
