#### string and newline
printf '%s\n' hello
#### format reused for extra arguments
printf '%s-%s\n' a b c d e
#### too few arguments
printf '%s|%s|%d\n' only
#### no arguments for a format with a conversion
printf '[%s]\n'
#### width and left alignment
printf '[%5s][%-5s]\n' ab cd
#### precision for strings
printf '[%.2s]\n' abcdef
#### star width
printf '[%*s]\n' 6 x
#### star precision
printf '[%.*s]\n' 2 abcdef
#### integers
printf '%d %i %d\n' 42 -7 +3
#### zero padding
printf '%05d|%-5d|%+d|% d\n' 42 42 42 42
#### octal and hex
printf '%o %x %X %#o %#x\n' 8 255 255 8 255
#### unsigned of a negative
printf '%u\n' -1
#### character
printf '%c%c\n' abc d
#### percent sign
printf '100%%\n'
#### float f
printf '%f %.2f %8.3f\n' 3.14159 2.5 1
#### float e
printf '%e %.2E\n' 12345.678 0.000123
#### float g
printf '%g %g %g %G\n' 100000 1000000 0.0001 1e-10
#### float with a plus flag
printf '%+.1f\n' 2
#### float alternate form
printf '%#.0f\n' 3
#### hex float input
printf '%.1f\n' 0x10
#### integer from a character
printf '%d %d\n' "'A" '"b'
#### integer with leading spaces
printf '%d\n' ' 12'
#### invalid integer
printf '%d\n' abc; echo status $?
#### partly numeric integer
printf '%d\n' 12abc; echo status $?
#### integer overflow
printf '%d\n' 99999999999999999999; echo status $?
#### hex input
printf '%d %d\n' 0x1F 010
#### backslash escapes in the format
printf 'a\tb\\c\n'
#### octal escapes in the format
printf '\101\102\n'
#### hex escapes in the format
printf '\x41\n'
#### unicode escapes in the format
printf '\u00e9\n'
#### percent b expands escapes
printf '%b\n' 'a\tb' '\0101'
#### percent b with backslash c
printf '%b' 'x\cy'; echo; echo end
#### percent b octal forms
printf '%b\n' '\101' '\0101' '\01010'
#### percent q quotes
printf '%q\n' 'a b' "it's" ''
#### percent q with special characters
printf '%q\n' 'a$b' 'x*'
#### percent q with a newline
printf '%q\n' $'a\nb'
#### printf -v assigns
printf -v var '%s-%s' a b; echo "$var"
#### printf -v with reuse
printf -v var '%s' a b c; echo "$var"
#### printf date format
printf '%(%Y)T\n' 0
#### printf date format with a given time
TZ=UTC printf '%(%Y-%m-%d %H:%M:%S)T\n' 86400
#### invalid directive
printf '%z\n' x; echo status $?
#### missing format
printf; echo status $?
#### format with only text
printf 'just text\n'
#### dash dash before the format
printf -- '%s\n' dashed
#### format starting with a dash
printf -- '-%s\n' x
#### numeric argument for a string
printf '%s\n' 42
#### string argument for width
printf '%-4s|\n' ab
#### width with zero flag on strings
printf '%05s\n' ab
#### negative width through star
printf '[%*s]\n' -4 x
#### precision on integers
printf '%.3d\n' 7
#### printf with an escaped percent in an argument
printf '%s\n' '%d'
#### printf %c of an empty argument
printf '[%c]\n' ''
#### printf %i with an octal
printf '%i\n' 017
#### printf of a large unsigned
printf '%u\n' 18446744073709551615
#### printf float with an invalid number
printf '%f\n' xyz; echo status $?
#### printf with many arguments and mixed formats
printf '%s=%d;' a 1 b 2; echo
#### printf with a trailing backslash
printf 'a\\'; echo
#### printf %s with precision zero
printf '[%.0s]\n' abc
#### printf %x of a negative number
printf '%x\n' -1
#### printf with a null byte
printf 'a\0b' | od -An -c
#### printf %b with an escaped null
printf '%b' 'a\0b' | od -An -c
#### printf writes to a full device
printf x > /dev/full; echo status $?
#### printf %s with a unicode argument and width
printf '[%5s]\n' é
#### printf reused format stops when arguments run out
printf '%s %s\n' 1 2 3
#### printf %d with a plus sign input
printf '%d\n' +5
#### printf %e of zero
printf '%e\n' 0
#### printf %g precision
printf '%.3g\n' 3.14159
#### printf %a is accepted
printf '%a\n' 1 >/dev/null; echo $?
#### printf with an escape in the argument of %s
printf '%s\n' 'a\nb'
#### printf %q of a plain word
printf '%q\n' plain
#### printf %5.1f
printf '[%5.1f]\n' 3.14159
#### printf %-8.3e
printf '[%-12.3e]\n' 1234.5
