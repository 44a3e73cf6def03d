#### cd to root
cd /; pwd
#### cd updates PWD and OLDPWD
cd /; cd /tmp; echo $PWD $OLDPWD
#### cd minus goes back and prints
cd /; cd /tmp; cd -; pwd
#### cd with no arguments goes home
HOME=/tmp; cd; pwd
#### cd to a missing directory fails
cd /nonexistent_xyz 2>/dev/null; echo $?
#### cd to a file fails
echo x > f; cd f 2>/dev/null; echo $?
#### cd dot-dot
cd /tmp; cd ..; pwd
#### cd with a relative path
mkdir sub 2>/dev/null || mkdir => sub; cd sub; basename $PWD
#### cd -P resolves symlinks
mkdir real 2>/dev/null || mkdir => real; ln -s real link 2>/dev/null || ln -s real => link; cd -P link; basename $(pwd)
#### cd -L keeps symlinks
mkdir real 2>/dev/null || mkdir => real; ln -s real link 2>/dev/null || ln -s real => link; cd -L link; basename $(pwd)
#### cd through a symlink then dot-dot
mkdir -p a/b 2>/dev/null || mkdir -p => a; mkdir -p a/b 2>/dev/null || mkdir => a/b; ln -s a/b l 2>/dev/null || ln -s a/b => l; top=$PWD; cd l; cd ..; [ "$PWD" = "$top" ] && echo logical; [ "$(pwd -P)" = "$top" ] && echo same-dir
#### cd -P through a symlink then dot-dot
mkdir -p a/b 2>/dev/null || mkdir -p => a; mkdir -p a/b 2>/dev/null || mkdir => a/b; ln -s a/b l 2>/dev/null || ln -s a/b => l; top=$PWD; cd -P l; cd ..; [ "$PWD" = "$top/a" ] && echo physical-parent
#### pwd -P through a symlink
mkdir real 2>/dev/null || mkdir => real; ln -s real link 2>/dev/null || ln -s real => link; cd link; basename $(pwd -P); basename $(pwd -L)
#### cd double dash
cd -- /; pwd
#### cd with too many arguments
cd / /tmp 2>/dev/null; echo $?
#### cd minus without OLDPWD
unset OLDPWD; cd - 2>/dev/null; echo $?
#### CDPATH is searched and prints
mkdir -p base/target 2>/dev/null || mkdir -p => base; mkdir base/target 2>/dev/null || mkdir => base/target; CDPATH=$PWD/base; cd target | sed "s|$PWD|X|"; cd target >/dev/null; basename $PWD
#### cd in a subshell does not change the parent
(cd /); pwd >/dev/null; [ "$PWD" != / ] && echo unchanged
#### cd in a function changes the shell
f() { cd /; }; f; pwd
#### cd to an empty string
cd '' 2>/dev/null; echo $?
#### PWD is exported to children
cd /tmp; sh -c 'echo $PWD'
#### pwd after PWD is changed by assignment
cd /tmp; PWD=/bogus; pwd
#### cd dot
cd /tmp; cd .; pwd
#### cd with trailing slashes
cd /tmp/; pwd
#### cd with double slashes
cd //tmp; cd /usr//bin; pwd
#### cd to a removed directory then pwd
mkdir gone 2>/dev/null || mkdir => gone; cd gone; rmdir ../gone 2>/dev/null || rmdir => ../gone; pwd >/dev/null; echo $?
#### cd dot-dot from a removed directory
mkdir gone 2>/dev/null || mkdir => gone; cd gone; rmdir ../gone 2>/dev/null || rmdir => ../gone; cd ..; echo $?
#### cd without permission
mkdir np 2>/dev/null || mkdir => np; chmod 000 np 2>/dev/null || chmod 000 => np; cd np 2>/dev/null; echo $?
#### OLDPWD after cd minus
cd /; cd /tmp; cd - >/dev/null; echo $OLDPWD
#### pwd with an invalid option
pwd -x 2>/dev/null; echo $?
#### cd -L dot-dot is logical
mkdir -p x/y 2>/dev/null || mkdir -p => x; mkdir x/y 2>/dev/null || mkdir => x/y; ln -s x/y sy 2>/dev/null || ln -s x/y => sy; top=$PWD; cd sy; cd -L ..; [ "$PWD" = "$top" ] && echo logical
#### cd prints nothing normally
cd /tmp; echo done
#### PWD is set at startup
[ "$PWD" = "$(pwd)" ] && echo same
#### cd to HOME with tilde
HOME=/tmp; cd ~; pwd
