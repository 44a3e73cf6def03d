#### star matches files in order
: > b.rs; : > a.rs; : > c.txt; echo *.rs
#### no match leaves the pattern
echo *.none
#### question mark
: > a1; : > a2; : > a10; echo a?
#### bracket expression
: > a; : > b; : > c; echo [ab]
#### bracket range
: > x1; : > x5; : > x9; echo x[1-5]
#### negated bracket with bang
: > a; : > b; : > c; echo [!a]
#### negated bracket with caret
: > a; : > b; : > c; echo [^a]
#### hidden files are not matched by star
: > .hidden; : > vis; echo *
#### dot-star matches hidden files but not dot and dot-dot
: > .h1; : > .h2; echo .*
#### explicit dot matches hidden files
: > .h; echo .h*
#### quoted star is literal
: > a; echo "*" '*' \*
#### glob in a variable expands unquoted
: > g1; : > g2; p='g*'; echo $p
#### glob in a quoted variable does not expand
: > g1; p='g*'; echo "$p"
#### set -f disables globbing
: > g1; set -f; echo g*
#### set +f enables it again
: > g1; set -f; set +f; echo g*
#### glob in a subdirectory
mkdir sub 2>/dev/null || mkdir => sub; : > sub/x; : > sub/y; echo sub/*
#### glob over directories
mkdir d1 d2 2>/dev/null || mkdir => d1 => d2; : > f; echo */
#### star does not match slash
mkdir d 2>/dev/null || mkdir => d; : > d/f; echo *f
#### glob sorting with uppercase in C.UTF-8
: > B; : > a; : > C; : > b; echo *
#### glob sorting with digits
: > 10; : > 9; : > 1; echo *
#### character class
: > a; : > 1; : > B; echo [[:digit:]]; echo [[:upper:]]; echo [[:alpha:]]
#### bracket with a closing bracket first
: > ']'; : > a; echo []a]
#### bracket with a dash last
: > -; : > a; echo [a-]
#### escaped star in a pattern
: > 'a*b'; : > axb; echo a\*b
#### glob in a for loop
: > f1; : > f2; for f in f*; do echo "[$f]"; done
#### glob result is not split further
: > 'a b'; for f in a*; do echo "[$f]"; done
#### glob with no match in a for loop
for f in *.none; do echo "[$f]"; done
#### nullglob
shopt -s nullglob; for f in *.none; do echo "[$f]"; done; echo end
#### dotglob
shopt -s dotglob; : > .h; : > v; echo *
#### failglob status
shopt -s failglob; echo *.none; echo $?
#### glob of a path with a trailing slash
mkdir dd 2>/dev/null || mkdir => dd; echo d*/
#### glob with an absolute path
echo /bin/s[h]
#### unicode names are matched by question mark
: > é; echo ?
#### unicode names sort
: > b; : > é; : > a; echo *
#### star matches a name with a newline
: > 'a
b'; for f in a*; do echo "[$f]"; done
#### pattern in a case is not a file glob
: > afile; case afile in a*) echo matched;; esac
#### glob after a variable prefix
: > pre_1; : > pre_2; v=pre; echo ${v}_*
#### backslash in a bracket
: > a; echo [\a]
#### star-star is like star
: > a; : > b; echo **
#### extglob pattern in bash
shopt -s extglob
: > a.c; : > a.h; : > b.o; echo !(*.o)
#### glob in assignment does not expand
: > g1; x=g*; echo "$x"
#### glob in a redirection target
: > only.txt; echo data > o*.txt; cat only.txt
#### dot-dot glob
mkdir d 2>/dev/null || mkdir => d; cd d; echo ../d*
#### GLOBIGNORE
: > a; : > b; GLOBIGNORE=a; echo *
