# tests/lib/preexec.bash - a small stand-in for bash-preexec (not packaged in
# Debian), the "other plugin" of the interactive tests. It uses what
# bash-preexec uses: a DEBUG trap that runs preexec_functions once per command
# line typed at the prompt, PROMPT_COMMAND to run precmd_functions and re-arm
# it, and the same guards (completion functions, bind -x commands, which run
# with READLINE_POINT set).
#
# PREEXEC_LOG names the file each hook appends a line to.
precmd_functions=()
preexec_functions=()
__pe_armed=
__pe_precmd() {
    local f
    for f in "${precmd_functions[@]}"; do "$f"; done
    __pe_armed=1
}
__pe_debug() {
    [[ -n ${COMP_LINE-} || -n ${READLINE_POINT+set} ]] && return
    [[ -n $__pe_armed ]] || return
    [[ $BASH_COMMAND == __pe_precmd ]] && return
    __pe_armed=
    local f cmd
    cmd=$(HISTTIMEFORMAT= builtin history 1)
    cmd=${cmd#*[0-9]  }
    for f in "${preexec_functions[@]}"; do "$f" "$cmd"; done
}
__pe_log_precmd() { echo precmd >>"$PREEXEC_LOG"; }
__pe_log_preexec() { printf 'preexec %s\n' "$1" >>"$PREEXEC_LOG"; }
precmd_functions+=(__pe_log_precmd)
preexec_functions+=(__pe_log_preexec)
PROMPT_COMMAND=__pe_precmd
trap '__pe_debug' DEBUG
