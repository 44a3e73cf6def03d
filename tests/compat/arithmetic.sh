#### addition and precedence
echo $((1 + 2 * 3)) $(((1 + 2) * 3))
#### division and modulo
echo $((7 / 2)) $((7 % 3)) $((-7 / 2)) $((-7 % 3))
#### division by zero
echo $((1 / 0)) 2>/dev/null; echo status $?
#### variables without dollar
x=4; echo $((x * x))
#### unset variable is zero
unset u; echo $((u + 1))
#### variable holding an expression
x='1 + 2'; echo $((x * 2))
#### assignment operators
x=5; : $((x += 3)); echo $x; : $((x -= 1)); echo $x; : $((x *= 2)); echo $x
#### increment and decrement
x=1; echo $((x++)) $x $((++x)) $x $((x--)) $x $((--x))
#### comparison operators
echo $((1 < 2)) $((2 <= 1)) $((3 == 3)) $((3 != 3)) $((4 > 3)) $((4 >= 5))
#### logical operators
echo $((1 && 0)) $((1 || 0)) $((!0)) $((!5))
#### bitwise operators
echo $((6 & 3)) $((6 | 3)) $((6 ^ 3)) $((~0)) $((1 << 4)) $((256 >> 2))
#### ternary
x=5; echo $((x > 3 ? 10 : 20))
#### nested ternary
x=2; echo $((x == 1 ? 100 : x == 2 ? 200 : 300))
#### comma operator
echo $((x = 1, y = 2, x + y))
#### hex and octal
echo $((0x1f)) $((010)) $((0X10))
#### base notation
echo $((2#101)) $((16#ff)) $((36#z))
#### negative numbers
echo $((-5 + 2)) $((- -3))
#### unary plus
echo $((+5))
#### exponent
echo $((2 ** 10))
#### integer overflow wraps
echo $((9223372036854775807 + 1))
#### large numbers
echo $((4294967296 * 4294967296 / 2))
#### arithmetic command
((x = 3 + 4)); echo $x
#### arithmetic command status
((0)); echo $?; ((5)); echo $?
#### arithmetic in an if
if ((3 > 2)); then echo bigger; fi
#### let
let 'x = 2 * 3'; echo $x
#### let status
let 0; echo $?; let 1; echo $?
#### whitespace in arithmetic
echo $((   1   +   1   ))
#### parameter expansion inside arithmetic
x=3; echo $(( ${x} + $x ))
#### command substitution inside arithmetic
echo $(( $(echo 4) * 2 ))
#### invalid expression
echo $((1 +)) 2>/dev/null; echo status $?
#### invalid number
echo $((08)) 2>/dev/null; echo status $?
#### variable with an invalid number
x=abc; echo $((x)) 2>/dev/null; echo status $?
#### variable names referencing other variables
a=b; b=7; echo $((a))
#### assignment in arithmetic persists
: $((z = 9)); echo $z
#### short-circuit does not evaluate
x=0; echo $((0 && (x = 1))) $x
#### arithmetic with spaces and newlines
echo $((1 +
2))
#### modulo of negative
echo $((-5 % 3))
#### shift assignment operators
x=1; : $((x <<= 3)); echo $x; : $((x >>= 1)); echo $x
#### bitwise assignment operators
x=12; : $((x &= 10)); echo $x; : $((x |= 1)); echo $x; : $((x ^= 3)); echo $x
#### parentheses nesting
echo $(( ((1 + 2)) * ((3)) ))
#### increment of an unset variable
unset n; : $((n++)); echo $n
#### array element in arithmetic
a=(5 6 7); echo $((a[1] + a[2]))
#### dollar-square-bracket old syntax
echo $[1 + 2]
#### arithmetic on a string with leading spaces
x=' 12 '; echo $((x + 1))
#### negative exponent is an error
echo $((2 ** -1)) 2>/dev/null; echo status $?
#### arithmetic for loop with a comma
for ((i=0, j=10; i<3; i++, j--)); do echo $i $j; done
#### double-paren with a variable and no spaces
x=2; ((x*=3)); echo $x
#### arithmetic with a quoted number
echo $(( "3" + 1 ))
#### arithmetic result of a comparison chain
echo $((1 < 2 < 3))
#### divide the minimum by minus one
echo $(( -9223372036854775808 / -1 )) 2>/dev/null; echo status $?
