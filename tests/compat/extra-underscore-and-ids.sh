#### echo a "b c"; echo "$_"
echo a "b c"; echo "$_"
#### f() { echo $_; }; f x y
f() { echo $_; }; f x y
#### echo "${_}"
echo "${_}"
#### echo $PPID | grep -c '^[0-9]'
echo $PPID | grep -c '^[0-9]'
#### (echo $PPID) | grep -c '^[0-9]'
(echo $PPID) | grep -c '^[0-9]'
#### echo $UID $EUID | grep -c '^[0-9]* [0-9]*$'
echo $UID $EUID | grep -c '^[0-9]* [0-9]*$'
#### UID=0 2>/dev/null; echo $?
UID=0 2>/dev/null; echo $?
#### (EUID=5) 2>/dev/null; echo $?
(EUID=5) 2>/dev/null; echo $?
#### PPID=5 2>/dev/null; echo $? 
PPID=5 2>/dev/null; echo $? 
#### echo ${#RANDOM} | grep -c '^[1-5]$'
echo ${#RANDOM} | grep -c '^[1-5]$'
#### echo $(( RANDOM < 32768 ))
echo $(( RANDOM < 32768 ))
