#### tilde alone
HOME=/h; echo ~
#### tilde slash
HOME=/h; echo ~/x
#### quoted tilde is literal
HOME=/h; echo "~" '~' \~
#### tilde in the middle is literal
HOME=/h; echo a~b a/~
#### tilde of root
echo ~root
#### tilde of a missing user
echo ~nosuchuser_xyz
#### tilde in an assignment
HOME=/h; x=~/bin; echo $x
#### tilde after a colon in an assignment
HOME=/h; x=a:~/b:~; echo $x
#### tilde after equals in an argument is literal in sh
HOME=/h; echo a=~
#### tilde in export assignment
HOME=/h; export x=~/e; echo $x
#### tilde in readonly assignment
HOME=/h; readonly r=~/src; echo $r
#### tilde in local assignment
HOME=/h; f() { local l=~/l; echo $l; }; f
#### tilde with an empty HOME
HOME=; echo ~/x
#### tilde with unset HOME
unset HOME; x=~; [ -n "$x" ] && echo nonempty
#### tilde plus and minus
cd /; cd /tmp; echo ~- ~+
#### tilde in a default value
HOME=/h; unset u; echo ${u:-~/d}
#### tilde in a quoted default value
HOME=/h; unset u; echo "${u:-~/d}"
#### tilde in a for list
HOME=/h; for x in ~ ~/y; do echo $x; done
#### tilde in a case pattern
HOME=/h; case /h/x in ~/x) echo tilde-matched;; *) echo no;; esac
#### tilde in a case word
HOME=/h; case ~ in /h) echo yes;; esac
#### tilde in a redirection target
HOME=$PWD; echo t > ~/tf; cat tf
#### tilde followed by a quoted slash
HOME=/h; echo ~"/x"
#### tilde in an array
HOME=/h; a=(~ ~/z); echo ${a[@]}
#### tilde expansion result is not split
HOME='/a b'; set -- ~; echo $#
#### tilde in the middle of an assignment without colon
HOME=/h; x=a~b; echo $x
#### tilde in a double-bracket
HOME=/h; [[ ~ == /h ]] && echo eq
#### tilde after colon in argument
HOME=/h; echo a:~
#### tilde in an argument that looks like an assignment
## as bash
HOME=/h; echo PREFIX=~/x A=a:~/b "Q=~/q" --p=~/z 1X=~/n
