//! The shell's options: `set -o` (POSIX and bash's) and `shopt` (bash's), with the
//! names and letters scripts use to read and change them. Options pola-sh accepts but
//! that change nothing in it (job-control reporting, history, editing modes) are kept
//! so that `set -o` and `shopt -p` report them and `~/.bashrc` runs through.

/// `set` options.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub allexport: bool,
    pub notify: bool,
    pub noclobber: bool,
    pub errexit: bool,
    pub noglob: bool,
    pub hashall: bool,
    pub monitor: bool,
    pub noexec: bool,
    pub nounset: bool,
    pub verbose: bool,
    pub xtrace: bool,
    pub pipefail: bool,
    pub ignoreeof: bool,
    pub posix: bool,
    pub vi: bool,
    pub emacs: bool,
    pub braceexpand: bool,
    pub history: bool,
    pub histexpand: bool,
    pub interactive_comments: bool,
    pub physical: bool,
    pub errtrace: bool,
    pub functrace: bool,
    pub keyword: bool,
    pub onecmd: bool,
    pub privileged: bool,
    pub nolog: bool,
}

/// `set -o` names with their letters (if any), in `set -o`'s order.
pub(crate) const SET: &[(&str, Option<char>)] = &[
    ("allexport", Some('a')),
    ("braceexpand", Some('B')),
    ("emacs", None),
    ("errexit", Some('e')),
    ("errtrace", Some('E')),
    ("functrace", Some('T')),
    ("hashall", Some('h')),
    ("histexpand", Some('H')),
    ("history", None),
    ("ignoreeof", None),
    ("interactive-comments", None),
    ("keyword", Some('k')),
    ("monitor", Some('m')),
    ("noclobber", Some('C')),
    ("noexec", Some('n')),
    ("noglob", Some('f')),
    ("nolog", None),
    ("notify", Some('b')),
    ("nounset", Some('u')),
    ("onecmd", Some('t')),
    ("physical", Some('P')),
    ("pipefail", None),
    ("posix", None),
    ("privileged", Some('p')),
    ("verbose", Some('v')),
    ("vi", None),
    ("xtrace", Some('x')),
];

impl Options {
    fn field(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "allexport" => &mut self.allexport,
            "braceexpand" => &mut self.braceexpand,
            "emacs" => &mut self.emacs,
            "errexit" => &mut self.errexit,
            "errtrace" => &mut self.errtrace,
            "functrace" => &mut self.functrace,
            "hashall" => &mut self.hashall,
            "histexpand" => &mut self.histexpand,
            "history" => &mut self.history,
            "ignoreeof" => &mut self.ignoreeof,
            "interactive-comments" => &mut self.interactive_comments,
            "keyword" => &mut self.keyword,
            "monitor" => &mut self.monitor,
            "noclobber" => &mut self.noclobber,
            "noexec" => &mut self.noexec,
            "noglob" => &mut self.noglob,
            "nolog" => &mut self.nolog,
            "notify" => &mut self.notify,
            "nounset" => &mut self.nounset,
            "onecmd" => &mut self.onecmd,
            "physical" => &mut self.physical,
            "pipefail" => &mut self.pipefail,
            "posix" => &mut self.posix,
            "privileged" => &mut self.privileged,
            "verbose" => &mut self.verbose,
            "vi" => &mut self.vi,
            "xtrace" => &mut self.xtrace,
            _ => return None,
        })
    }

    /// Set an option by its `set -o` name; false if there is no such option.
    pub fn set_named(&mut self, name: &str, on: bool) -> bool {
        match self.field(name) {
            Some(f) => {
                *f = on;
                // The editing modes exclude each other.
                if on && name == "vi" {
                    self.emacs = false;
                } else if on && name == "emacs" {
                    self.vi = false;
                }
                true
            }
            None => false,
        }
    }

    pub fn get_named(&self, name: &str) -> Option<bool> {
        let mut copy = self.clone();
        copy.field(name).map(|f| *f)
    }

    /// The `set -o` name of a letter.
    pub fn letter_name(c: char) -> Option<&'static str> {
        SET.iter().find(|(_, l)| *l == Some(c)).map(|(n, _)| *n)
    }

    /// Every option's name, in `set -o`'s order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        SET.iter().map(|(n, _)| *n)
    }

    /// `$-`: the letters of the options that are on (`i` for an interactive shell),
    /// in the order dash shows them.
    pub fn letters(&self, interactive: bool) -> String {
        let order: [(char, bool); 14] = [
            ('e', self.errexit),
            ('f', self.noglob),
            ('I', self.ignoreeof),
            ('i', interactive),
            ('m', self.monitor && interactive),
            ('n', self.noexec),
            ('x', self.xtrace),
            ('v', self.verbose),
            ('V', self.vi),
            ('E', self.emacs && interactive),
            ('C', self.noclobber),
            ('a', self.allexport),
            ('b', self.notify),
            ('u', self.nounset),
        ];
        order
            .iter()
            .rev()
            .filter(|(_, on)| *on)
            .map(|(c, _)| *c)
            .collect()
    }
}

/// `shopt` options.
#[derive(Clone, Debug)]
pub struct Shopt(std::collections::BTreeMap<&'static str, bool>);

/// bash's `shopt` options and their defaults (for a non-interactive shell).
pub(crate) const SHOPT: &[(&str, bool)] = &[
    ("assoc_expand_once", false),
    ("autocd", false),
    ("cdable_vars", false),
    ("cdspell", false),
    ("checkhash", false),
    ("checkjobs", false),
    ("checkwinsize", true),
    ("cmdhist", true),
    ("compat31", false),
    ("compat32", false),
    ("compat40", false),
    ("compat41", false),
    ("compat42", false),
    ("compat43", false),
    ("compat44", false),
    ("complete_fullquote", true),
    ("direxpand", false),
    ("dirspell", false),
    ("dotglob", false),
    ("execfail", false),
    ("expand_aliases", true),
    ("extdebug", false),
    ("extglob", false),
    ("extquote", true),
    ("failglob", false),
    ("force_fignore", true),
    ("globasciiranges", true),
    ("globskipdots", true),
    ("globstar", false),
    ("gnu_errfmt", false),
    ("histappend", false),
    ("histreedit", false),
    ("histverify", false),
    ("hostcomplete", true),
    ("huponexit", false),
    ("inherit_errexit", false),
    ("interactive_comments", true),
    ("lastpipe", false),
    ("lithist", false),
    ("localvar_inherit", false),
    ("localvar_unset", false),
    ("login_shell", false),
    ("mailwarn", false),
    ("no_empty_cmd_completion", false),
    ("nocaseglob", false),
    ("nocasematch", false),
    ("noexpand_translation", false),
    ("nullglob", false),
    ("patsub_replacement", true),
    ("progcomp", true),
    ("progcomp_alias", false),
    ("promptvars", true),
    ("restricted_shell", false),
    ("shift_verbose", false),
    ("sourcepath", true),
    ("varredir_close", false),
    ("xpg_echo", false),
];

impl Default for Shopt {
    fn default() -> Self {
        Shopt(SHOPT.iter().copied().collect())
    }
}

impl Shopt {
    pub fn get(&self, name: &str) -> Option<bool> {
        self.0.get(name).copied()
    }

    /// Set an option; false if there is no such option.
    pub fn set(&mut self, name: &str, on: bool) -> bool {
        match self.0.get_mut(name) {
            Some(v) => {
                *v = on;
                true
            }
            None => false,
        }
    }

    pub fn all(&self) -> impl Iterator<Item = (&'static str, bool)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
    }

    pub fn on(&self, name: &str) -> bool {
        self.get(name) == Some(true)
    }
}
