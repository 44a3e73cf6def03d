#### read one variable
echo hello | { read x; echo "[$x]"; }
#### read into REPLY
echo hello | { read; echo "[$REPLY]"; }
#### REPLY keeps leading blanks
echo '  spaced  ' | { read; echo "[$REPLY]"; }
#### read strips leading and trailing blanks
echo '  spaced  ' | { read x; echo "[$x]"; }
#### read several variables
echo 'a b c d' | { read x y; echo "[$x][$y]"; }
#### extra variables are empty
echo 'a' | { read x y z; echo "[$x][${y-unset}][${z-unset}]"; }
#### backslash escapes without -r
printf 'a\\ b\n' | { read x y; echo "[$x][$y]"; }
#### backslash kept with -r
printf 'a\\b\n' | { read -r x; echo "[$x]"; }
#### backslash-newline continues without -r
printf 'a\\\nb\n' | { read x; echo "[$x]"; }
#### backslash-newline kept with -r
printf 'a\\\nb\n' | { read -r x; echo "[$x]"; }
#### status at end of file
printf 'no-newline' | { read x; echo "$? [$x]"; }
#### status on empty input
read x < /dev/null; echo $?
#### read with IFS colon
echo 'a:b:c' | { IFS=: read x y z; echo "$x $y $z"; }
#### read with IFS colon and empty fields
echo 'a::c' | { IFS=: read x y z; echo "[$x][$y][$z]"; }
#### read last variable gets the rest with separators
echo 'a:b:c:d' | { IFS=: read x y; echo "[$x][$y]"; }
#### read last variable trailing separator
echo 'a:b:' | { IFS=: read x y; echo "[$x][$y]"; }
#### read with IFS comma and spaces
echo 'a , b , c' | { IFS=' ,' read x y z; echo "[$x][$y][$z]"; }
#### read with empty IFS keeps spaces
echo '  a b  ' | { IFS= read x; echo "[$x]"; }
#### read -d with a delimiter
printf 'a,b' | { read -d , x; echo "[$x]"; }
#### read -d empty reads to NUL
printf 'a\nb\0c' | { read -d '' x; echo "[$x]"; }
#### read -n counts characters
echo abcdef | { read -n 3 x; echo "[$x]"; }
#### read -n stops at newline
printf 'ab\ncd' | { read -n 5 x; echo "[$x]"; }
#### read -N reads exactly
printf 'ab\ncd' | { read -N 4 x; echo "[$x]"; }
#### read -n zero
echo abc | { read -n 0 x; echo "$? [$x]"; }
#### read -a into an array
echo 'a b c' | { read -a arr; echo "${#arr[@]} ${arr[1]}"; }
#### read -p prompt goes to stderr
echo in | { read -p 'prompt> ' x 2>/dev/null; echo "[$x]"; }
#### read -s is accepted
echo secret | { read -s x; echo "[$x]"; }
#### read -t with available input
echo fast | { read -t 1 x; echo "$? [$x]"; }
#### read -t timeout status
{ sleep 2; } | { read -t 0.1 x; echo $?; }
#### read -t 0 checks input
read -t 0 < /dev/null; echo $?
#### read -u reads a descriptor
echo fromfd > f; exec 3< f; read -u 3 x; echo "[$x]"
#### read -r with -d and -n
printf 'a\\b,c' | { read -r -d , x; echo "[$x]"; }
#### read in a loop over lines
printf '1\n2\n3\n' | { n=0; while read l; do n=$((n+l)); done; echo $n; }
#### read leaves the rest of the input
printf 'one\ntwo\n' | { read a; read b; echo "$b"; }
#### read from a here-string
read x y <<< 'hs1 hs2'; echo "$y"
#### read with an invalid variable name
echo x | { read 1x 2>/dev/null; echo $?; }
#### read unsets extra variables to empty
y=old; echo a | { read x y; echo "[${y-unset}]"; }
#### read -r keeps a trailing backslash
printf 'end\\\n' | { read -r x; echo "[$x]"; }
#### read with tab separator
printf 'a\tb\n' | { read x y; echo "[$y]"; }
#### read keeps inner backslash-escaped separators
printf 'a\\:b:c\n' | { IFS=: read x y; echo "[$x][$y]"; }
#### read a line with only spaces
echo '   ' | { read x; echo "[$x]"; }
#### read with no input lines in a while
while read x; do echo never; done < /dev/null; echo done
#### read -n with multibyte characters
printf 'ééé' | { read -n 2 x; echo "[$x]"; }
#### read -d with -n
printf 'abcdef' | { read -d c -n 5 x; echo "[$x]"; }
#### read -a with IFS
echo 'a:b' | { IFS=: read -a arr; echo "${arr[0]}-${arr[1]}"; }
#### read -e is accepted
echo e | { read -e x 2>/dev/null; echo "[$x]"; }
#### read with an unknown option
echo x | { read -q x 2>/dev/null; echo $?; }
#### read -t with a bad number
echo x | { read -t abc x 2>/dev/null; echo $?; }
#### read -N with backslashes
printf 'a\\bc' | { read -N 3 x; echo "[$x]"; }
#### read -n with backslash escapes
printf 'a\\bcd' | { read -n 3 x; echo "[$x]"; }
#### read the last line without newline into REPLY
printf 'x y' | { read; echo "$? [$REPLY]"; }
#### read IFS with a backslash
printf 'a\\b\n' | { IFS='\' read -r x y; echo "[$x][$y]"; }
#### read into an array with -d
printf 'a b;c' | { read -a arr -d ';'; echo "${arr[1]}"; }
#### read empty line
echo | { read x; echo "$? [$x]"; }
#### mapfile reads lines
printf 'a\nb\n' | { mapfile -t arr; echo ${#arr[@]} ${arr[1]}; }
#### readarray alias
printf 'x\ny\n' | { readarray -t lines; echo "${lines[0]}"; }
