#### printf '%s\n' "a" | while IFS= read -r -d '' x; do echo "[$x]"; done; 
printf '%s\n' "a" | while IFS= read -r -d '' x; do echo "[$x]"; done; echo "after"
#### printf 'a\0b\0' | while IFS= read -r -d '' x; do echo "[$x]"; done
printf 'a\0b\0' | while IFS= read -r -d '' x; do echo "[$x]"; done
#### printf 'x y z\n' | { read -a arr; echo ${arr[2]} ${#arr[@]}; }
printf 'x y z\n' | { read -a arr; echo ${arr[2]} ${#arr[@]}; }
#### IFS=: read a b <<< 'one:two:three'; echo "$a|$b"
IFS=: read a b <<< 'one:two:three'; echo "$a|$b"
#### read -r x <<< ' lead'; echo "[$x]"
read -r x <<< '  lead'; echo "[$x]"
#### IFS= read -r x <<< ' lead'; echo "[$x]"
IFS= read -r x <<< '  lead'; echo "[$x]"
#### read x y <<< 'only'; echo "[$x][$y]"
read x y <<< 'only'; echo "[$x][$y]"
#### echo 'a b c' | { read -r; echo "[$REPLY]"; }
echo 'a b c' | { read -r; echo "[$REPLY]"; }
#### printf 'ab' | { read -N 1 a; read -N 1 b; echo "$a$b"; }
printf 'ab' | { read -N 1 a; read -N 1 b; echo "$a$b"; }
#### printf 'abc\n' | { read -n 10 x; echo "[$x] $?"; }
printf 'abc\n' | { read -n 10 x; echo "[$x] $?"; }
#### read -t 1 x <<< 'timed'; echo "$? $x"
read -t 1 x <<< 'timed'; echo "$? $x"
#### read -u 0 x <<< 'viau'; echo $x
read -u 0 x <<< 'viau'; echo $x
#### printf '1\n2\n3\n' | { read a; read b; read c; echo $c$b$a; }
printf '1\n2\n3\n' | { read a; read b; read c; echo $c$b$a; }
#### read a b c <<< 'x\ y z'; echo "[$a][$b][$c]"
read a b c <<< 'x\ y z'; echo "[$a][$b][$c]"
#### read -r a b <<< 'x\ y z'; echo "[$a][$b]"
read -r a b <<< 'x\ y z'; echo "[$a][$b]"
#### printf 'a\tb\n' | { IFS=$'\t' read x y; echo "[$x][$y]"; }
printf 'a\tb\n' | { IFS=$'\t' read x y; echo "[$x][$y]"; }
#### printf 'a b\n' | { IFS=' ' read x y; echo "[$x][$y]"; }
printf 'a  b\n' | { IFS=' ' read x y; echo "[$x][$y]"; }
#### printf 'a,,b\n' | { IFS=, read x y z; echo "[$x][$y][$z]"; }
printf 'a,,b\n' | { IFS=, read x y z; echo "[$x][$y][$z]"; }
#### printf ' a , b \n' | { IFS=', ' read x y; echo "[$x][$y]"; }
printf ' a , b \n' | { IFS=', ' read x y; echo "[$x][$y]"; }
#### read 2>/dev/null; echo $?
read 2>/dev/null; echo $?
#### echo abc | read -n 2 x; echo "[$x]"
echo abc | read -n 2 x; echo "[$x]"
#### echo -n '' | { read x; echo $?; }
echo -n '' | { read x; echo $?; }
#### printf '%s' "$(printf 'a\n')" | od -c | head -1
printf '%s' "$(printf 'a\n')" | od -c | head -1
#### printf '%05.2f|%-8.3e|%G\n' 3.14159 0.00012345 1e20
printf '%05.2f|%-8.3e|%G\n' 3.14159 0.00012345 1e20
#### printf '%d %d\n' 0x10 -010
printf '%d %d\n' 0x10 -010
#### printf '%o %x\n' 8.5 2>/dev/null; echo $?
printf '%o %x\n' 8.5 2>/dev/null; echo $?
#### printf '%s %s %s\n' a b c d e
printf '%s %s %s\n' a b c d e
#### printf '%3$s %1$s\n' a b c 2>/dev/null; echo $?
printf '%3$s %1$s\n' a b c 2>/dev/null; echo $?
#### printf '%c%c%c\n' abc def
printf '%c%c%c\n' abc def
#### printf -v out '%03d' 7; echo $out
printf -v out '%03d' 7; echo $out
#### printf -v 'a[1]' '%s' x; echo ${a[1]}
printf -v 'a[1]' '%s' x; echo ${a[1]}
#### printf '%s\n' "${undefined}" | od -c | head -1
printf '%s\n' "${undefined}" | od -c | head -1
#### printf '[%s]\n' "" ""
printf '[%s]\n' "" ""
#### printf '%%s\n'
printf '%%s\n'
#### printf '\n' | od -c | head -1
printf '\n' | od -c | head -1
#### printf 'a\tb\n'
printf 'a\tb\n'
#### printf '%s\t%s\n' x y
printf '%s\t%s\n' x y
#### printf '\101\060\n'
printf '\101\060\n'
#### printf '%b\n' 'a\tb' 'c\\nd'
printf '%b\n' 'a\tb' 'c\\nd'
#### printf '%5b|\n' ab
printf '%5b|\n' ab
#### printf '%q\n' "a'b\"c"
printf '%q\n' "a'b\"c"
#### printf '%q\n' '$HOME' '`x`' 'a\b'
printf '%q\n' '$HOME' '`x`' 'a\b'
#### printf '%T\n' 2>/dev/null; echo $?
printf '%T\n' 2>/dev/null; echo $?
#### printf '%(%H:%M)T\n' 3600 | tr -d '\n' | wc -c
printf '%(%H:%M)T\n' 3600 | tr -d '\n' | wc -c
#### printf '%d\n' 2147483648 -9223372036854775808
printf '%d\n' 2147483648 -9223372036854775808
#### printf '%e\n' 1.5 ; printf '%.0e\n' 15
printf '%e\n' 1.5 ; printf '%.0e\n' 15
#### printf '%g %g\n' 0.0001234 123456789
printf '%g %g\n' 0.0001234 123456789
#### printf '%#g %#x %#X\n' 1 255 255
printf '%#g %#x %#X\n' 1 255 255
#### printf '% d % d\n' 5 -5
printf '% d % d\n' 5 -5
#### printf '%+5d|%-+5d|\n' 3 3
printf '%+5d|%-+5d|\n' 3 3
#### printf '%.3s|%-5.2s|\n' abcdef abcdef
printf '%.3s|%-5.2s|\n' abcdef abcdef
#### echo -e 'a\nb' | wc -l; echo -E 'a\nb'
echo -e 'a\nb' | wc -l; echo -E 'a\nb'
#### echo -n -n x; echo
echo -n -n x; echo
#### echo -ne 'a\c' b; echo
echo -ne 'a\c' b; echo
#### echo '-n' x
echo '-n' x
#### echo -e '\0' | od -c | head -1
echo -e '\0'  | od -c | head -1
#### echo -e '\01101' 
echo -e '\01101' 
#### echo -e '\u263a' 
echo -e '\u263a' 
#### echo -e '\U1F600' | wc -c
echo -e '\U1F600' | wc -c
#### echo -e 'a\eb' | od -c | head -1
echo -e 'a\eb' | od -c | head -1
