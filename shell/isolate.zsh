# shell/isolate.zsh - isolate in zsh. One line in ~/.zshrc:
#
#     source /usr/local/share/isolate/isolate.zsh
#
# (or load isolate.plugin.zsh with a plugin manager). Loads the isolate
# module and its completion; in an interactive shell it also wraps two zle
# widgets, chaining to whatever was there before (zsh-autosuggestions,
# zsh-syntax-highlighting and the like keep working, loaded before or after):
#
#  - accept-line: Enter on a line that starts with `isolate` and goes on with a
#    pipeline or a list (| && || ; & or more lines) rewrites the line into
#    `isolate [OPTIONS] -c '...'`, so that the whole line runs in one sandbox,
#    parsed by zsh inside as it would have been outside. History keeps the line
#    as typed. A line that zsh would continue (an open quote, a here-document,
#    a trailing |) goes on in the same editor buffer until it is complete.
#  - bracketed-paste: marks the line as pasted. Enter on a pasted line gives it
#    to `isolate --check`; if the check warns, the findings are shown and, with
#    ISOLATE_PASTE=ask (the default), nothing runs until a key says: [i]solate
#    it, [r]un it anyway, [e]dit it, [c]ancel. ISOLATE_PASTE=isolate runs such
#    a line isolated without asking, =warn shows the findings and runs it,
#    =off checks nothing. ISOLATE_PASTE_ONCE=MODE applies MODE to the next
#    pasted line only. Typed lines and lines recalled from history are never
#    checked. A paste that hides the terminal's end-of-paste marker, and so
#    would run its rest at once, is checked at once.
#
# Scripts are never affected: without an interactive zle nothing is wrapped.
# On an ordinary typed line the hook costs one string comparison.

# --- The module ------------------------------------------------------------------

() {
    emulate -L zsh
    local here=${${(%):-%x}:A:h} d
    zmodload -e isolate && return 0
    for d in ${ISOLATE_MODULE_DIR-} $here/../zsh-module @LIBDIR@/zsh $here/../../lib/isolate/zsh; do
        [[ -n $d && -f $d/isolate.so ]] || continue
        local -a module_path=($d $module_path)
        zmodload isolate 2>/dev/null && return 0
    done
    return 0
}

# --- Completion --------------------------------------------------------------------

() {
    local here=${${(%):-%x}:A:h}
    # _isolate sits next to this file; compinit finds it through fpath.
    [[ -f $here/_isolate ]] && fpath=($here $fpath)
    if (( $+functions[compdef] )); then
        autoload -Uz _isolate
        compdef _isolate isolate
    fi
}

# --- Options (core/args.c) -----------------------------------------------------------

# Options that take a value, as the next word or attached. A test compares
# these lists with `isolate --help`.
typeset -g __isolate_value_short=cw
typeset -g __isolate_value_long=" write ro hide env keep-fd time wall mem pids fsize nofile tmp-size report meta box setup rm-box home "
# Options without a value after which a command still follows (--explain,
# --check, --help, --version and the review options run none), and those whose
# value is optional and only given attached (--overlay=PATH, --net=host).
typeset -g __isolate_flag_long=" verbose quiet no-limits x11 wayland audio gpu net overlay "
typeset -g __isolate_optval_long=" overlay net "

# --- Reading a line as zsh would -----------------------------------------------------

# __isolate_words LINE - the words and operators of LINE as zsh's own parser
# splits them (${(z)}), comments as words when interactive_comments is set.
__isolate_words() {
    if [[ -o interactivecomments ]]; then
        reply=(${(Z+c+)1})
    else
        reply=(${(z)1})
    fi
}

# __isolate_parses TEXT - does zsh parse TEXT? Defining a function from it
# parses without running anything (and a } in TEXT cannot end the body early).
__isolate_parses() {
    unfunction __isolate_parse_probe 2>/dev/null
    { functions[__isolate_parse_probe]=$1 } 2>/dev/null
    (( $+functions[__isolate_parse_probe] )) || return 1
    unfunction __isolate_parse_probe
}

# __isolate_complete LINE - 0 when LINE is a complete command line (or one
# zsh will reject anyway), 1 when zsh would ask for more lines.
__isolate_complete() {
    emulate -L zsh
    setopt extendedglob
    local s=$1 tok d rest line strip k depth=0
    local -a w lines
    __isolate_words "$s"
    w=("${(@)reply}")
    (( $#w )) || return 0
    [[ ${w[-1]} == ('|'|'||'|'&&'|'|&') ]] && return 1
    if ! __isolate_parses "$s"; then
        # Rejected: an incomplete line, or an error zsh will report itself.
        # A word that does not parse on its own: an open quote or $( ).
        __isolate_parses ": ${w[-1]}" || return 1
        for tok in $w; do
            case $tok in
            (if|case|do|'{'|'(') (( depth++ )) ;;
            (fi|esac|done|'}'|')') (( depth-- )) ;;
            esac
        done
        (( depth > 0 )) && return 1
        return 0
    fi
    # Parsed; here-documents without their end line parse too.
    lines=("${(@f)s}")
    k=2
    for (( d = 1; d < $#w; d++ )); do
        [[ ${w[d]} == '<<' || ${w[d]} == '<<-' ]] || continue
        tok=${(Q)w[d+1]}
        strip=0
        [[ ${w[d]} == '<<-' ]] && strip=1
        while :; do
            (( k > $#lines )) && return 1
            line=${lines[k]}
            (( k++ ))
            (( strip )) && line=${line##$'\t'#}
            [[ $line == "$tok" ]] && break
        done
    done
    return 0
}

# __isolate_rewrite LINE - returns 0 and sets REPLY when LINE starts with
# isolate (after assignments) and goes on with a pipeline or a list: the line
# becomes `isolate [OPTIONS] -c 'REST'`, REST quoted so that zsh inside reads
# exactly what was typed; a final & stays outside. Returns 1 when LINE is left
# as it is; then __isolate_whole=1 says it runs entirely inside anyway (a lone
# isolate command).
__isolate_rewrite() {
    emulate -L zsh
    setopt extendedglob
    local s=$1 tok opt rest inner suffix='' pos=1 cmdpos=0 lastend=0 val=0 k=1 n
    local -a w
    typeset -g __isolate_whole=0 REPLY=''
    __isolate_words "$s"
    w=("${(@)reply}")
    n=$#w
    # Offsets: each word is found in LINE after the previous one.
    local -a starts ends
    for (( k = 1; k <= n; k++ )); do
        while [[ ${s[pos]} == [[:blank:]] || ${s[pos,pos+1]} == $'\\\n' ]]; do
            [[ ${s[pos]} == '\' ]] && (( pos++ ))
            (( pos++ ))
        done
        tok=${w[k]}
        if [[ $tok == ';' && ${s[pos]} == $'\n' ]]; then
            starts+=($pos) ends+=($pos)
            (( pos++ ))
        elif [[ ${s[pos,pos+$#tok-1]} == "$tok" ]]; then
            starts+=($pos) ends+=($(( pos + $#tok - 1 )))
            (( pos += $#tok ))
        else
            break # lost track (here-document bodies): enough for the command start
        fi
    done
    k=1
    while (( k <= n )) && [[ ${w[k]} == [[:alpha:]_][[:alnum:]_]#(\[*\])#(+|)=* ]]; do (( k++ )); done
    [[ ${w[k]-} == isolate ]] || return 1
    # The operators zsh ends or joins commands with.
    local -a ops=('|' '||' '&&' ';' '&' '|&' '&|' '&!' ';;' ';&' ';|')
    local -a after=("${(@)w[k+1,-1]}")
    local last=$n
    # Trailing terminators and a trailing comment do not count.
    while (( last > k )) && [[ ${w[last]} == ';' || ${w[last]} == \#* ]]; do (( last-- )); done
    local bg=0
    if (( last > k )) && [[ ${w[last]} == ('&'|'&|'|'&!') ]]; then
        bg=$last
        (( last-- ))
    fi
    local i has=0
    for (( i = k + 1; i <= last; i++ )); do
        (( ${ops[(Ie)${w[i]}]} )) && has=1
    done
    (( has )) || __isolate_whole=1
    lastend=${ends[k]}
    for (( k++; k <= n; k++ )); do
        tok=${w[k]}
        if (( val )); then
            val=0 lastend=${ends[k]-0}
            continue
        fi
        case $tok in
        (--) (( k++ )); break ;;
        (--*=*)
            opt=${${tok#--}%%=*}
            [[ $__isolate_value_long$__isolate_optval_long == *" $opt "* ]] || return 1
            ;;
        (--*)
            opt=${tok#--}
            if [[ $__isolate_value_long == *" $opt "* ]]; then
                val=1
            elif [[ $__isolate_flag_long != *" $opt "* ]]; then
                return 1 # --explain, --check, --help: no command runs
            fi
            ;;
        (-?*)
            rest=${tok#-}
            while [[ -n $rest ]]; do
                case ${rest[1]} in
                (w) [[ -z ${rest[2,-1]} ]] && val=1; break ;;
                (v|q) rest=${rest[2,-1]} ;;
                (*) return 1 ;; # -c: a command string already; -h; unknown
                esac
            done
            ;;
        (*) break ;;
        esac
        lastend=${ends[k]-0}
    done
    (( val == 0 && k <= last && has && lastend > 0 )) || return 1
    # A redirection or an operator before the command: leave the line alone.
    [[ ${w[k]} == ([0-9]#[\<\>]*|\&\>*) ]] && return 1
    (( ${ops[(Ie)${w[k]}]} )) && return 1
    local cmd=${starts[k]-}
    [[ -n $cmd ]] || return 1
    rest=${s%%[[:space:]]#}
    if (( bg )); then
        # The final & (and a comment after it) stays outside.
        local comment=''
        for (( i = n; i > bg; i-- )); do
            [[ ${w[i]} == \#* ]] && comment=${w[i]}
        done
        if [[ -n $comment ]]; then
            rest=${rest%$comment}
            rest=${rest%%[[:space:]]#}
        fi
        rest=${rest%${w[bg]}}
        rest=${rest%%[[:space:]]#}
        suffix=" ${w[bg]}${comment:+ $comment}"
    fi
    inner=${rest[cmd,-1]}
    REPLY="${s[1,lastend]} -c ${(qq)inner}$suffix"
    return 0
}

# __isolate_wrap LINE - the whole of LINE as one command string for the
# sandbox (the paste guard's "isolate it"); a final & stays outside.
__isolate_wrap() {
    emulate -L zsh
    setopt extendedglob
    local s=${${1##[[:space:]]#}%%[[:space:]]#} suffix=''
    local -a w
    __isolate_words "$s"
    w=("${(@)reply}")
    if [[ ${w[-1]-} == ('&'|'&|'|'&!') ]]; then
        suffix=" ${w[-1]}"
        s=${s%%[[:space:]]#${w[-1]}}
    fi
    typeset -g REPLY="isolate -c ${(qq)s}$suffix"
}

# --- The paste guard ----------------------------------------------------------------------

# __isolate_show_findings TEXT - the output of `isolate --check`, one finding a
# line (RULE TAB MATCH TAB WHY [TAB DECODED]), as lines for a person.
__isolate_show_findings() {
    emulate -L zsh
    local l
    local -a f
    print -r -- 'isolate: this paste deserves a second look:'
    for l in "${(@f)1}"; do
        [[ -z $l ]] && continue
        f=("${(@ps:\t:)l}")
        if [[ $f[1] == more ]]; then
            print -r -- "  ${f[3]-}"
            continue
        fi
        print -r -- "  - ${f[1]}: ${f[3]-}"
        [[ -n ${f[2]-} ]] && print -r -- "      ${f[2]}"
        [[ -n ${f[4]-} ]] && print -r -- "      ${f[4]}"
    done
}

# __isolate_guard LINE - checks a pasted line. Sets __isolate_do to run,
# isolate, edit or cancel.
__isolate_guard() {
    emulate -L zsh
    local mode=${ISOLATE_PASTE_ONCE:-${ISOLATE_PASTE:-ask}} out rc key
    unset ISOLATE_PASTE_ONCE
    typeset -g __isolate_do=run
    [[ $mode == off ]] && return
    out=$(isolate --check - <<<"$1" 2>&1)
    rc=$?
    (( rc == 0 )) && return
    (( rc == 1 )) || out="check	$out	isolate --check failed ($rc): treated as a warning"
    zle -I
    __isolate_show_findings "$out"
    case $mode in
    (warn)
        print -r -- 'isolate: running it as pasted (ISOLATE_PASTE=warn)'
        return
        ;;
    (isolate)
        print -r -- 'isolate: running it isolated (ISOLATE_PASTE=isolate)'
        __isolate_do=isolate
        return
        ;;
    esac
    print -r -- 'isolate: [i]solate it, [r]un it anyway, [e]dit, [c]ancel? [i]'
    # The key is read by zle, in its own terminal mode: redraw first (zle -I
    # left the terminal as for a command). Ctrl-C here abandons the line, as
    # at the prompt.
    zle -R
    if ! read -k 1 key; then
        __isolate_do=cancel
        return
    fi
    case $key in
    (i|I|$'\n'|$'\r') __isolate_do=isolate key=isolate ;;
    (r|R) __isolate_do=run key='run anyway' ;;
    (e|E) __isolate_do=edit key=edit ;;
    (*) __isolate_do=cancel key=cancel ;;
    esac
    zle -I
    print -r -- "isolate: $key"
}

# --- The widgets --------------------------------------------------------------------------

typeset -g __isolate_pasted='' __isolate_typed=''

# Enter. Typed lines without the word isolate go straight on.
__isolate_accept_line() {
    if [[ -z $__isolate_pasted && $BUFFER != *isolate* ]]; then
        zle __isolate_orig_accept_line -- "$@"
        return
    fi
    __isolate_enter_line && zle __isolate_orig_accept_line -- "$@"
}

# Decides what Enter does with BUFFER; returns 0 when the line is to run.
__isolate_enter_line() {
    emulate -L zsh
    local line=$BUFFER new='' r
    if ! __isolate_complete "$line"; then
        # zsh would ask for more lines: go on in the same buffer, so that the
        # whole of it is rewritten once complete.
        BUFFER+=$'\n'
        CURSOR=$#BUFFER
        return 1
    fi
    __isolate_rewrite "$line"
    r=$?
    (( r == 0 )) && new=$REPLY
    if [[ -n $__isolate_pasted ]] && (( r == 1 && !__isolate_whole )); then
        __isolate_guard "$line"
        case $__isolate_do in
        (isolate)
            __isolate_wrap "$line"
            new=$REPLY
            ;;
        (edit)
            zle -R
            return 1
            ;;
        (cancel)
            __isolate_pasted=''
            BUFFER='' CURSOR=0
            zle -R
            return 1
            ;;
        esac
    fi
    __isolate_pasted=''
    if [[ -n $new ]]; then
        __isolate_typed=$line
        BUFFER=$new
        CURSOR=$#BUFFER
    fi
    return 0
}

# History keeps the line as typed, not its rewrite.
__isolate_zshaddhistory() {
    [[ -n $__isolate_typed ]] || return 0
    emulate -L zsh
    local typed=$__isolate_typed
    __isolate_typed=''
    if [[ ! ( -o histignorespace && $typed == [[:blank:]]* ) ]]; then
        print -sr -- "$typed"
    fi
    return 1
}

# A paste: the widget that was there inserts it; this one marks the line as
# pasted. Input already waiting right after the paste is read on: if another
# end-of-paste marker closes it within moments, the paste held a marker of its
# own ("\e[201~") to have its rest typed as if by the user, and that rest
# joins the paste instead. Otherwise it was typed ahead and goes back as keys.
__isolate_bracketed_paste() {
    zle __isolate_orig_bracketed_paste -- "$@"
    local r=$?
    emulate -L zsh
    local c more='' end=$'\e[201~' closed=0
    __isolate_pasted=1
    (( PENDING )) || return r
    while read -t 0.05 -k 1 c; do
        more+=$c
        if [[ $more == *$end ]]; then
            closed=1
            break
        fi
    done
    if (( ! closed )); then
        zle -U -- "$more"
        return r
    fi
    more=${more%$end}
    more=${more//$'\r'/$'\n'}
    LBUFFER+=$end$more
    # What followed the hidden marker would have run at its newline: the
    # guard decides now.
    if [[ $more == *$'\n'* ]]; then
        __isolate_enter_line && zle __isolate_orig_accept_line
    fi
    return r
}

# A new line to edit (also after Ctrl-C): no paste mark left behind.
__isolate_line_init() {
    __isolate_pasted=''
}

__isolate_install() {
    emulate -L zsh
    # Loaded twice: the widgets are already wrapped.
    [[ ${widgets[accept-line]-} == user:__isolate_accept_line ]] && return 0
    zmodload -i zsh/parameter zsh/zle 2>/dev/null
    # The widget there now: another plugin's is copied (zle -A); the
    # built-in one is called by its dot name from a function, as plugins that
    # wrap every widget (zsh-syntax-highlighting) cannot wrap a copy of it.
    local name
    for name in accept-line bracketed-paste; do
        if [[ ${widgets[$name]-builtin} == builtin ]]; then
            functions[__isolate_orig_$name]="zle .$name -- \"\$@\""
            zle -N __isolate_orig_${name//-/_} __isolate_orig_$name
        else
            zle -A $name __isolate_orig_${name//-/_}
        fi
    done
    zle -N accept-line __isolate_accept_line
    zle -N bracketed-paste __isolate_bracketed_paste
    autoload -Uz add-zsh-hook add-zle-hook-widget
    add-zsh-hook zshaddhistory __isolate_zshaddhistory
    add-zle-hook-widget line-init __isolate_line_init
}

if [[ -o interactive && -o zle ]]; then
    __isolate_install
fi
