#### case with a star
case foo in f*) echo f;; *) echo other;; esac
#### case alternatives
case b in a|b) echo ab;; esac
#### case with a parenthesis before the pattern
case x in (x) echo paren;; esac
#### case with no match
case z in a) echo a;; esac; echo end
#### case quoted pattern is literal
case '*' in '*') echo star;; esac; case x in '*') echo no;; *) echo any;; esac
#### case with a variable pattern
p='a*'; case abc in $p) echo match;; esac
#### case with a quoted variable pattern
p='a*'; case abc in "$p") echo match;; *) echo literal;; esac
#### case with a bracket pattern
case 5 in [0-9]) echo digit;; esac
#### case with a character class
case A in [[:upper:]]) echo upper;; esac
#### case with a negated bracket
case x in [!a-c]) echo not-abc;; esac
#### case falls through with ;&
case a in a) echo one;& b) echo two;; c) echo three;; esac
#### case continues matching with ;;&
case ab in a*) echo starts-a;;& *b) echo ends-b;; esac
#### case without the last ;;
case a in a) echo last
esac
#### case on multiple lines
case x in
  x)
    echo multi
    ;;
esac
#### case word is expanded
v=hello; case $v in hel*) echo yes;; esac
#### case word is not split
v='a b'; case $v in 'a b') echo whole;; esac
#### empty case
case x in esac; echo $?
#### case status is the arm's
case a in a) false;; esac; echo $?
#### case with an empty string
case '' in '') echo empty;; esac
#### case with a question mark
case ab in ??) echo two;; esac
#### case matching a backslash
case 'a\b' in 'a\b') echo bs;; esac
#### case with an escaped star
case 'a*' in a\*) echo escaped;; esac; case ab in a\*) echo no;; *) echo nomatch;; esac
#### case in a function
f() { case $1 in -*) echo opt;; *) echo arg;; esac; }; f -x; f y
#### case patterns with spaces quoted
case 'a b' in a\ b) echo spaced;; esac
#### case with a dot
case a.c in *.c) echo c-file;; esac
#### case pattern with slash
case a/b in */*) echo slash;; esac
#### case with a leading dot and star
case .hidden in *) echo star-matches-dot;; esac
#### case keywords as words
case in in in) echo in;; esac
#### case with command substitution in the pattern
case abc in $(echo a)*) echo cs;; esac
#### case first match wins
case a in a) echo first;; a) echo second;; esac
#### case on one line with semicolons
case 1 in 1) echo one; echo uno;; esac
#### case with esac as a pattern word
case esac in esac) echo esac-word;; esac
#### case pattern range with unicode
case é in [a-z]) echo az;; ?) echo one-char;; esac
