# shell/isolate.bash - isolate in bash. One line in ~/.bashrc:
#
#     source /usr/local/share/isolate/isolate.bash
#
# loads the isolate builtin and its completion; in an interactive shell with
# line editing it also installs two readline hooks:
#
#  - the line hook: Enter on a line that starts with `isolate` and goes on with
#    a pipeline or a list (| && || ; & or more lines) rewrites the line into
#    `isolate [OPTIONS] -c '...'`, so that the whole line runs in one sandbox,
#    parsed by bash inside as it would have been outside. History keeps the line
#    as typed. A builtin on its own only ever sees its own pipeline element.
#  - the paste guard: a line that holds a bracketed paste is given to
#    `isolate --check` when Enter is pressed; if the check warns, the findings
#    are shown and, with ISOLATE_PASTE=ask (the default), nothing runs until a
#    key says: [i]solate it, [r]un it anyway, [e]dit it, [c]ancel.
#    ISOLATE_PASTE=isolate runs such a line isolated without asking, =warn shows
#    the findings and runs it, =off checks nothing. ISOLATE_PASTE_ONCE=MODE
#    applies MODE to the next pasted line only (ISOLATE_PASTE_ONCE=off: run the
#    next paste unchecked). Typed lines and lines recalled from history are
#    never checked.
#
# Scripts are never affected: without an interactive shell nothing is bound.
# The hooks are readline key bindings: Enter becomes a macro that first runs a
# shell function (bind -x) and then the action Enter had before (accept-line,
# or what another tool bound to it); the start of a bracketed paste runs a
# function that reads the paste itself, so that it sees an end-of-paste marker
# hidden inside it. Source this file after tools that bind Enter themselves.
#
# On an ordinary typed line the Enter hook costs one string comparison: no
# subprocess, no parsing (bench/hooks.sh measures it).

# --- The builtin --------------------------------------------------------------

if [[ $(type -t isolate) != builtin ]]; then
    __isolate_dir=${BASH_SOURCE[0]%/*}
    [[ $__isolate_dir == "${BASH_SOURCE[0]}" ]] && __isolate_dir=.
    # ISOLATE_BUILTIN, the source tree, the directory `make install` chose,
    # and share/isolate -> lib/isolate of the same prefix.
    for __isolate_so in "${ISOLATE_BUILTIN-}" "$__isolate_dir/../builtin/isolate.so" \
        "@LIBDIR@/bash/isolate.so" "$__isolate_dir/../../lib/isolate/bash/isolate.so"; do
        [[ -n $__isolate_so && -f $__isolate_so ]] && enable -f "$__isolate_so" isolate 2>/dev/null &&
            break
    done
    unset __isolate_dir __isolate_so
fi

# --- Options (core/args.c) ----------------------------------------------------

# Options that take a value, as the next word or attached. A test compares
# these lists with `isolate --help`.
__isolate_value_short=cw
__isolate_value_long=" write ro hide env keep-fd time wall mem pids fsize nofile tmp-size report meta box setup rm-box home "
# Options without a value after which a command still follows (--explain,
# --check, --help, --version and the review options run none), and those whose
# value is optional and only given attached (--overlay=PATH, --net=host).
__isolate_flag_long=" verbose quiet no-limits x11 wayland audio gpu net overlay "
__isolate_optval_long=" overlay net "

# --- Reading a line as bash would ---------------------------------------------

# __isolate_scan TEXT - reads TEXT as bash reads a command line: quotes,
# backslashes, $( ), ` `, ${ }, $(( )), here-documents, comments, compound
# commands. Runs and expands nothing. Offsets are in bytes (the caller sets
# LC_ALL=C). Sets:
#   __isolate_words  "START END KIND" of each word of the first simple command
#                    before the first top-level operator; KIND is w (a word)
#                    or r (part of a redirection)
#   __isolate_op     offset of the first top-level operator (| || |& && ; &
#                    newline) that more command text follows, or -1
#   __isolate_bg     offset of a final lone & (the line runs in the
#                    background), or -1
#   __isolate_more   why the line is incomplete (quote, heredoc, pipe,
#                    backslash, open, keyword), or empty
__isolate_scan() {
    local s=$1 n=${#1} i=0 c c2 st='' word=-1 wcmd=0 cmdpos=1 top redir=0
    local pend=-1 pendkind='' w ctx k line nl d strip comments=0
    local -a hd=() hs=() savew=() savec=() cst=()
    __isolate_words=() __isolate_op=-1 __isolate_bg=-1 __isolate_more=''
    shopt -q interactive_comments && comments=1

    while ((i < n)); do
        c=${s:i:1}
        top=${st: -1}
        case $top in
        \")
            case $c in
            \\) ((i += 2)) ;;
            \") st=${st%?}; ((i++)) ;;
            \$) __isolate_scan_dollar ;;
            \`) __isolate_scan_backtick || return 0 ;;
            *) ((i++)) ;;
            esac
            continue
            ;;
        P)
            case $c in
            \\) ((i += 2)) ;;
            \}) st=${st%?}; ((i++)) ;;
            \') __isolate_scan_squote || return 0 ;;
            \") st+=\"; ((i++)) ;;
            \$) __isolate_scan_dollar ;;
            \`) __isolate_scan_backtick || return 0 ;;
            *) ((i++)) ;;
            esac
            continue
            ;;
        A | M | a)
            case $c in
            \\) ((i += 2)) ;;
            \() st+=a; ((i++)) ;;
            \))
                if [[ $top == a ]]; then
                    st=${st%?}; ((i++))
                else
                    # $(( )) or (( )) ends at "))".
                    st=${st%?}
                    ((i += 2))
                    [[ $top == M ]] && cmdpos=0
                fi
                ;;
            \') __isolate_scan_squote || return 0 ;;
            \") st+=\"; ((i++)) ;;
            \$) __isolate_scan_dollar ;;
            \`) __isolate_scan_backtick || return 0 ;;
            *) ((i++)) ;;
            esac
            continue
            ;;
        esac

        # A list context: the top level, ( ), $( ), { }, if/loops/case, [[ ]].
        if ((word >= 0)); then
            # Inside a word: only its own characters until a boundary.
            case $c in
            ' ' | $'\t' | $'\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>')
                __isolate_scan_endword
                continue
                ;;
            \\)
                if ((i + 1 >= n)); then
                    __isolate_more=backslash
                    return 0
                fi
                ((i += 2))
                ;;
            \') __isolate_scan_squote || return 0 ;;
            \") st+=\"; ((i++)) ;;
            \$) __isolate_scan_dollar ;;
            \`) __isolate_scan_backtick || return 0 ;;
            *) ((i++)) ;;
            esac
            continue
        fi

        case $c in
        ' ' | $'\t') ((i++)) ;;
        \\)
            if [[ ${s:i+1:1} == $'\n' ]]; then
                ((i += 2)) # a continued line
            elif ((i + 1 >= n)); then
                __isolate_more=backslash
                return 0
            else
                __isolate_scan_startword
            fi
            ;;
        \#)
            if ((comments)); then
                # A comment runs to the end of the line.
                k=${s:i}
                k=${k%%$'\n'*}
                ((i += ${#k}))
            else
                __isolate_scan_startword
            fi
            ;;
        $'\n')
            __isolate_scan_op nl 1
            # Here-documents begin on the next line.
            while ((${#hd[@]})); do
                d=${hd[0]} strip=${hs[0]}
                hd=("${hd[@]:1}") hs=("${hs[@]:1}")
                while :; do
                    if ((i >= n)); then
                        __isolate_more=heredoc
                        return 0
                    fi
                    line=${s:i}
                    line=${line%%$'\n'*}
                    nl=$((i + ${#line}))
                    ((strip)) && while [[ $line == $'\t'* ]]; do line=${line#?}; done
                    if [[ $line == "$d" ]]; then
                        i=$((nl < n ? nl + 1 : n))
                        break
                    fi
                    if ((nl >= n)); then
                        __isolate_more=heredoc
                        return 0
                    fi
                    i=$((nl + 1))
                done
            done
            ;;
        ';')
            c2=${s:i:3}
            if [[ $c2 == ';;&' ]]; then
                __isolate_scan_caseend 3
            elif [[ $c2 == ';;'* || $c2 == ';&'* ]]; then
                __isolate_scan_caseend 2
            else
                __isolate_scan_op ';' 1
            fi
            ;;
        '&')
            c2=${s:i+1:1}
            if [[ $c2 == '&' ]]; then
                __isolate_scan_op '&&' 2
            elif [[ ${s:i:3} == '&>>' ]]; then
                __isolate_scan_redir 3
            elif [[ $c2 == '>' ]]; then
                __isolate_scan_redir 2
            else
                __isolate_scan_op '&' 1
            fi
            ;;
        '|')
            c2=${s:i+1:1}
            if [[ ${st: -1} == E && ${cst[${#st} - 1]} == pat ]]; then
                ((i++)) # between case patterns
            elif [[ $c2 == '|' ]]; then
                __isolate_scan_op '||' 2
            elif [[ $c2 == '&' ]]; then
                __isolate_scan_op '|&' 2
            else
                __isolate_scan_op '|' 1
            fi
            ;;
        '(')
            __isolate_scan_meaningful
            if [[ ${s:i+1:1} == '(' ]] && ((cmdpos)); then
                st+=M
                ((i += 2))
            elif [[ ${st: -1} == E && ${cst[${#st} - 1]} == pat ]]; then
                ((i++))
            elif ((cmdpos)); then
                st+=S cmdpos=1
                ((i++))
            else
                # name() { ...; }: the body follows at command position.
                st+=Z cmdpos=1
                ((i++))
            fi
            ;;
        ')')
            top=${st: -1}
            if [[ $top == E ]]; then
                cst[${#st} - 1]=body cmdpos=1
            elif [[ $top == S || $top == C || $top == Z ]]; then
                [[ $top == C ]] && word=${savew[${#st} - 1]} wcmd=${savec[${#st} - 1]}
                [[ $top == Z ]] && cmdpos=1 || cmdpos=0
                st=${st%?}
            fi
            ((i++))
            ;;
        '<' | '>')
            if [[ ${s:i+1:1} == '(' ]]; then
                # <( ) and >( ): a word holding a command.
                __isolate_scan_startword
            elif [[ ${s:i:3} == '<<<' ]]; then
                __isolate_scan_redir 3
            elif [[ ${s:i:2} == '<<' ]]; then
                k=2
                strip=0
                [[ ${s:i+2:1} == - ]] && k=3 strip=1
                __isolate_scan_redir $k noword
                __isolate_scan_heredoc_word $strip
            elif [[ ${s:i:2} == '>>' || ${s:i:2} == '>&' || ${s:i:2} == '<&' ||
                ${s:i:2} == '<>' || ${s:i:2} == '>|' ]]; then
                __isolate_scan_redir 2
            else
                __isolate_scan_redir 1
            fi
            ;;
        *) __isolate_scan_startword ;;
        esac
    done

    ((word >= 0)) && __isolate_scan_endword
    if ((${#hd[@]})); then
        __isolate_more=heredoc
        return 0
    fi
    if [[ -n $st ]]; then
        case $st in
        *[\"P]*) __isolate_more=quote ;;
        *[SCZAMa]*) __isolate_more=open ;;
        *) __isolate_more=keyword ;;
        esac
        return 0
    fi
    case $pendkind in
    '|' | '||' | '&&' | '|&') __isolate_more=pipe ;;
    '&') __isolate_bg=$pend ;;
    esac
    return 0
}

# Helpers of __isolate_scan; they share its local variables.

__isolate_scan_squote() {
    local rest=${s:i+1}
    if [[ $rest != *\'* ]]; then
        __isolate_more=quote
        return 1
    fi
    rest=${rest%%\'*}
    ((i += ${#rest} + 2))
}

__isolate_scan_backtick() {
    local j=$((i + 1)) ch
    while ((j < n)); do
        ch=${s:j:1}
        if [[ $ch == \\ ]]; then
            ((j += 2))
        elif [[ $ch == \` ]]; then
            i=$((j + 1))
            return 0
        else
            ((j++))
        fi
    done
    __isolate_more=quote
    return 1
}

__isolate_scan_dollar() {
    local ch=${s:i+1:1} j rest
    case $ch in
    '(')
        if [[ ${s:i+2:1} == '(' ]]; then
            st+=A
            ((i += 3))
        else
            # A command substitution: a list of its own, back in the word after.
            savew[${#st}]=$word savec[${#st}]=$wcmd
            st+=C word=-1 cmdpos=1
            ((i += 2))
        fi
        ;;
    '{') st+=P; ((i += 2)) ;;
    \')
        if [[ ${st: -1} == \" ]]; then
            ((i++))
            return 0
        fi
        # $'...': backslash escapes, up to the next unescaped quote.
        j=$((i + 2))
        while ((j < n)); do
            rest=${s:j:1}
            if [[ $rest == \\ ]]; then
                ((j += 2))
            elif [[ $rest == \' ]]; then
                i=$((j + 1))
                return 0
            else
                ((j++))
            fi
        done
        i=$n
        st+=\" # unterminated: reported as an open quote
        ;;
    \") st+=\"; ((i += 2)) ;;
    *) ((i++)) ;;
    esac
}

# Something that is not blank space and not an operator: after a pending
# operator, this is where more command text follows it.
__isolate_scan_meaningful() {
    if ((pend >= 0)); then
        ((${#st} == 0 && __isolate_op < 0)) && __isolate_op=$pend
        pend=-1 pendkind=''
    fi
}

__isolate_scan_startword() {
    __isolate_scan_meaningful
    word=$i wcmd=$cmdpos
    if [[ ${s:i:2} == '<(' || ${s:i:2} == '>(' ]]; then
        savew[${#st}]=$word savec[${#st}]=$wcmd
        st+=C word=-1 cmdpos=1
        ((i += 2))
    fi
}

__isolate_scan_endword() {
    local w=${s:word:i-word} kind=w
    if ((redir)); then
        kind=r redir=0
    elif [[ ${s:i:1} == [\<\>] && $w =~ ^[0-9]+$ ]]; then
        kind=r # the descriptor of a redirection: 2>&1
    elif [[ ${s:i:1} == [\<\>] && $w =~ ^\{[A-Za-z_][A-Za-z0-9_]*\}$ ]]; then
        kind=r # {fd}>file
    fi
    ((${#st} == 0 && __isolate_op < 0 && pend < 0)) && __isolate_words+=("$word $i $kind")
    word=-1
    if ((wcmd)) && [[ $kind == w ]]; then
        case $w in
        if | while | until | '!' | time | then | do | else | elif | '{')
            cmdpos=1
            case $w in
            if) st+=F ;;
            while | until) st+=D ;;
            '{') st+=B ;;
            esac
            return
            ;;
        for | select)
            st+=D cmdpos=0
            return
            ;;
        case)
            st+=E cmdpos=0
            cst[${#st} - 1]=head
            return
            ;;
        '[[')
            st+=K cmdpos=0
            return
            ;;
        fi | done | esac | '}')
            case $w:${st: -1} in
            fi:F | done:D | esac:E | '}:B') st=${st%?} ;;
            esac
            cmdpos=0
            return
            ;;
        esac
    fi
    if [[ ${st: -1} == K && $w == ']]' ]]; then
        st=${st%?} cmdpos=0
    elif [[ ${st: -1} == E ]]; then
        case ${cst[${#st} - 1]}:$w in
        head:in) cst[${#st} - 1]=pat ;;
        pat:esac) st=${st%?} cmdpos=0 ;;
        esac
    elif ((wcmd)) && [[ $w =~ ^[A-Za-z_][A-Za-z0-9_]*(\[.*\])?\+?= ]]; then
        cmdpos=1 # an assignment before the command name
    elif [[ $kind == w ]]; then
        cmdpos=0
    fi
}

# An operator OP of LEN characters at i.
__isolate_scan_op() {
    local top=${st: -1}
    word=-1
    if [[ $top == E && ${cst[${#st} - 1]} != body ]]; then
        ((i += $2)) # newlines between case words
        return
    fi
    # The first operator after the last word decides: "a |" + newline
    # still waits for a command.
    [[ -z $top ]] && ((pend < 0)) && pend=$i pendkind=$1
    cmdpos=1
    ((i += $2))
}

# ;; ;& ;;& end a case branch.
__isolate_scan_caseend() {
    [[ ${st: -1} == E ]] && cst[${#st} - 1]=pat
    cmdpos=0
    ((i += $1))
}

__isolate_scan_redir() {
    __isolate_scan_meaningful
    ((${#st} == 0 && __isolate_op < 0 && pend < 0)) && __isolate_words+=("$i $((i + $1)) r")
    ((i += $1))
    # The target is the next word (a here-document's is read apart).
    [[ ${2-} == noword ]] && return
    redir=1
    while [[ ${s:i:1} == [' '$'\t'] ]]; do ((i++)); done
    ((i < n)) && [[ ${s:i:1} != [\;\&\|\<\>$'\n'] ]] && __isolate_scan_startword
}

# The delimiter of a here-document: quotes are removed from it.
__isolate_scan_heredoc_word() {
    local j=$i d='' ch rest
    while [[ ${s:i:1} == [' '$'\t'] ]]; do ((i++)); done
    j=$i
    while ((j < n)); do
        ch=${s:j:1}
        case $ch in
        ' ' | $'\t' | $'\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>') break ;;
        \')
            rest=${s:j+1}
            [[ $rest == *\'* ]] || break
            rest=${rest%%\'*}
            d+=$rest
            ((j += ${#rest} + 2))
            ;;
        \")
            rest=${s:j+1}
            [[ $rest == *\"* ]] || break
            rest=${rest%%\"*}
            d+=$rest
            ((j += ${#rest} + 2))
            ;;
        \\)
            d+=${s:j+1:1}
            ((j += 2))
            ;;
        *)
            d+=$ch
            ((j++))
            ;;
        esac
    done
    hd+=("$d") hs+=("$1")
    ((${#st} == 0 && __isolate_op < 0 && pend < 0)) && __isolate_words+=("$i $j r")
    i=$j redir=0 word=-1
}

# --- The line hook's decision ---------------------------------------------------

# __isolate_rewrite LINE - returns 0 and sets __isolate_line when LINE starts
# with isolate (after assignments) and goes on with a pipeline or a list: the
# line becomes `isolate [OPTIONS] -c 'REST'`, REST quoted so that bash inside
# reads exactly what was typed; a final & stays outside. Returns 2 when LINE
# needs more lines (an open quote, a here-document, a trailing |), and 1 when
# LINE is left as it is; then __isolate_whole=1 says it runs entirely inside
# anyway (a lone isolate command).
__isolate_rewrite() {
    local LC_ALL=C IFS=' '
    local s=$1 k=0 nw word opt rest cmd last val=0 inner suffix='' sq="'" q="'\\''"
    local -a w
    __isolate_whole=0 __isolate_line=''
    __isolate_scan "$s"
    # Keyword pairs (if/fi, do/done, { }) are where this reader is least sure;
    # there bash's own parser has the last word.
    if [[ $__isolate_more == keyword ]] && "${BASH:-bash}" -n -c "$s" 2>/dev/null; then
        __isolate_more=''
    fi
    [[ -n $__isolate_more ]] && return 2
    nw=${#__isolate_words[@]}
    while ((k < nw)); do
        w=(${__isolate_words[k]})
        word=${s:w[0]:w[1]-w[0]}
        [[ ${w[2]} == w && $word =~ ^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?= ]] || break
        ((k++))
    done
    ((k < nw)) || return 1
    w=(${__isolate_words[k]})
    [[ ${w[2]} == w && ${s:w[0]:w[1]-w[0]} == isolate ]] || return 1
    ((__isolate_op < 0)) && __isolate_whole=1
    last=${w[1]}
    for ((k++; k < nw; k++)); do
        w=(${__isolate_words[k]})
        # A redirection before the command applies to isolate itself.
        [[ ${w[2]} == r ]] && return 1
        word=${s:w[0]:w[1]-w[0]}
        if ((val)); then
            val=0 last=${w[1]}
            continue
        fi
        case $word in
        --)
            ((k++))
            break
            ;;
        --*=*)
            opt=${word#--}
            [[ $__isolate_value_long$__isolate_optval_long == *" ${opt%%=*} "* ]] || return 1
            ;;
        --*)
            opt=${word#--}
            if [[ $__isolate_value_long == *" $opt "* ]]; then
                val=1
            elif [[ $__isolate_flag_long != *" $opt "* ]]; then
                return 1 # --explain, --check, --doctor, --help: no command runs
            fi
            ;;
        -?*)
            rest=${word#-}
            while [[ -n $rest ]]; do
                case ${rest:0:1} in
                w)
                    [[ -z ${rest:1} ]] && val=1
                    break
                    ;;
                v | q) rest=${rest:1} ;;
                *) return 1 ;; # -c: a command string already; -h; unknown
                esac
            done
            ;;
        *) break ;;
        esac
        last=${w[1]}
    done
    ((val == 0 && k < nw && __isolate_op >= 0)) || return 1
    w=(${__isolate_words[k]})
    cmd=${w[0]}
    rest=${s%"${s##*[![:space:]]}"}
    if ((__isolate_bg >= 0)); then
        inner=${s:cmd:__isolate_bg-cmd}
        inner=${inner%"${inner##*[![:space:]]}"}
        suffix=" ${rest:__isolate_bg}"
    else
        inner=${rest:cmd}
    fi
    inner=${inner//$sq/$q}
    __isolate_line="${s:0:last} -c '$inner'$suffix"
    return 0
}

# __isolate_wrap LINE - the whole of LINE as one command string for the
# sandbox (the paste guard's "isolate it"); a final & stays outside.
__isolate_wrap() {
    local LC_ALL=C
    local s=$1 rest inner suffix='' sq="'" q="'\\''"
    __isolate_scan "$s"
    rest=${s%"${s##*[![:space:]]}"}
    rest=${rest#"${rest%%[![:space:]]*}"}
    inner=$rest
    if ((__isolate_bg >= 0)); then
        rest=${s%"${s##*[![:space:]]}"}
        inner=${rest:0:__isolate_bg}
        inner=${inner#"${inner%%[![:space:]]*}"}
        inner=${inner%"${inner##*[![:space:]]}"}
        suffix=" ${rest:__isolate_bg}"
    fi
    inner=${inner//$sq/$q}
    __isolate_line="isolate -c '$inner'$suffix"
}

# --- The paste guard ------------------------------------------------------------

# __isolate_show_findings TEXT - the output of `isolate --check`, one finding a
# line (RULE TAB MATCH TAB WHY [TAB DECODED]), as lines for a person.
__isolate_show_findings() {
    local IFS=$'\t' rule match why dec
    printf 'isolate: this paste deserves a second look:\n'
    while read -r rule match why dec; do
        [[ -z $rule ]] && continue
        if [[ $rule == more ]]; then
            printf '  %s\n' "$why"
            continue
        fi
        printf '  - %s: %s\n' "$rule" "$why"
        [[ -n $match ]] && printf '      %s\n' "$match"
        [[ -n $dec ]] && printf '      %s\n' "$dec"
    done <<<"$1"
}

# __isolate_guard LINE - checks a pasted line. Sets __isolate_do to run (run
# LINE as it is), isolate (run it in the sandbox), edit (leave it in the
# editor) or cancel (drop it).
__isolate_guard() {
    local mode=${ISOLATE_PASTE_ONCE:-${ISOLATE_PASTE:-ask}} out rc key
    unset ISOLATE_PASTE_ONCE
    __isolate_do=run
    [[ $mode == off ]] && return
    out=$(isolate --check - <<<"$1" 2>&1)
    rc=$?
    ((rc == 0)) && return
    ((rc == 1)) || out="check	$out	isolate --check failed ($rc): treated as a warning"
    __isolate_show_findings "$out"
    case $mode in
    warn)
        printf 'isolate: running it as pasted (ISOLATE_PASTE=warn)\n'
        return
        ;;
    isolate)
        printf 'isolate: running it isolated (ISOLATE_PASTE=isolate)\n'
        __isolate_do=isolate
        return
        ;;
    esac
    # ask. Interrupting the read (Ctrl-C) abandons the line: the accept key
    # is already disabled, so nothing runs.
    __isolate_accept off
    printf 'isolate: [i]solate it, [r]un it anyway, [e]dit, [c]ancel? [i] '
    IFS= read -rsn1 key
    case $key in
    i | I | '' | $'\n' | $'\r') __isolate_do=isolate key=isolate ;;
    r | R) __isolate_do=run key='run anyway' ;;
    e | E) __isolate_do=edit key=edit ;;
    *) __isolate_do=cancel key=cancel ;;
    esac
    printf '%s\n' "$key"
}

# --- Readline hooks ---------------------------------------------------------------

# Key sequences nobody types: the Enter macro runs \C-x\C-_h then \C-x\C-_a
# (\C-x\C-_j for \C-j); a paste runs \C-x\C-_p then \C-x\C-_q, which accepts
# the line only when the guard said so at once.
__isolate_keymaps=(emacs vi-insert vi-command)

# __isolate_accept on|off|paste - what the keys after the hooks do: the
# action Enter had before (on), nothing (off: the line stays in the editor),
# or, after a paste, accept the line (paste).
__isolate_accept() {
    local km
    case $1 in
    on)
        for km in "${__isolate_keymaps[@]}"; do
            __isolate_bind_spec "$km" "${__isolate_bind_m[$km]}"
            __isolate_bind_spec "$km" "${__isolate_bind_j[$km]}"
            bind -m "$km" '"\C-x\C-_q": ""'
        done
        __isolate_changed=${__isolate_changed//keys/}
        ;;
    off)
        for km in "${__isolate_keymaps[@]}"; do
            bind -m "$km" '"\C-x\C-_a": ""'
            bind -m "$km" '"\C-x\C-_j": ""'
        done
        __isolate_changed+=keys
        ;;
    paste)
        for km in "${__isolate_keymaps[@]}"; do bind -m "$km" '"\C-x\C-_q": accept-line'; done
        __isolate_changed+=keys
        ;;
    esac
}

# Puts back what the last hook changed for one line: the keys after the
# hooks, and HISTCONTROL.
__isolate_restore() {
    [[ $__isolate_changed == *keys* ]] && __isolate_accept on
    if [[ $__isolate_changed == *hist* ]]; then
        if [[ -n ${__isolate_histcontrol+set} ]]; then
            HISTCONTROL=$__isolate_histcontrol
        else
            unset HISTCONTROL
        fi
        unset __isolate_histcontrol
    fi
    __isolate_changed=''
}

# Before each prompt (PROMPT_COMMAND, or precmd_functions with bash-preexec):
# a line abandoned with Ctrl-C leaves no paste mark behind.
__isolate_precmd() {
    local s=$?
    __isolate_pasted=''
    [[ -n $__isolate_changed ]] && __isolate_restore
    return $s
}

# The Enter hook. Typed lines without the word isolate leave at once.
__isolate_enter() {
    [[ -n $__isolate_changed ]] && __isolate_restore
    [[ -z $__isolate_pasted && $READLINE_LINE != *isolate* ]] && return 0
    __isolate_enter_line
}

__isolate_enter_line() {
    local line=$READLINE_LINE typed r new=''
    typed=$line
    if [[ -o histexpand && $line == *!* ]]; then
        # Bash expands history before it parses; the rewrite must see what
        # bash would have seen. On an error bash reports it itself.
        line=$(history -p -- "$line" 2>/dev/null) || {
            __isolate_pasted=''
            return 0
        }
        typed=$line
    fi
    __isolate_rewrite "$line"
    r=$?
    if ((r == 2)); then
        # Incomplete: go on editing the same line, as bash would with PS2, so
        # that the whole of it is rewritten once complete.
        READLINE_LINE+=$'\n'
        READLINE_POINT=${#READLINE_LINE}
        __isolate_accept off
        return 0
    fi
    ((r == 0)) && new=$__isolate_line
    if [[ -n $__isolate_pasted ]] && ((r == 1 && !__isolate_whole)); then
        # A pasted line not already entirely inside the sandbox.
        __isolate_scan_only "$line" || {
            READLINE_LINE+=$'\n'
            READLINE_POINT=${#READLINE_LINE}
            __isolate_accept off
            return 0
        }
        __isolate_guard "$line"
        case $__isolate_do in
        run) [[ $__isolate_changed == *keys* ]] && __isolate_accept on ;;
        isolate)
            [[ $__isolate_changed == *keys* ]] && __isolate_accept on
            __isolate_wrap "$line"
            new=$__isolate_line
            ;;
        edit)
            __isolate_accept off
            return 0
            ;;
        cancel)
            __isolate_pasted=''
            READLINE_LINE='' READLINE_POINT=0
            __isolate_accept off
            return 0
            ;;
        esac
    fi
    __isolate_pasted=''
    [[ -n $new ]] || return 0
    __isolate_history "$typed"
    # The leading space, with ignorespace for this one line, keeps the
    # rewrite itself out of history.
    READLINE_LINE=" $new"
    READLINE_POINT=${#READLINE_LINE}
}

# Is a pasted line complete? (Returns 1 when it needs more lines.)
__isolate_scan_only() {
    local LC_ALL=C
    __isolate_scan "$1"
    if [[ $__isolate_more == keyword ]] && "${BASH:-bash}" -n -c "$1" 2>/dev/null; then
        return 0
    fi
    [[ -z $__isolate_more ]]
}

# The line as typed goes to history, as bash would have added it.
__isolate_history() {
    [[ -o history ]] || return 0
    # A line starting with a space stays out with ignorespace or ignoreboth,
    # also when bash-preexec has taken them out of HISTCONTROL to do the same.
    if [[ $1 == [' '$'\t']* ]] &&
        [[ ${HISTCONTROL-} == *ignore[sb][po][at]* || -n ${__bp_ignorespace-} ]]; then
        :
    else
        history -s -- "$1"
    fi
    [[ -n ${HISTCONTROL+set} ]] && __isolate_histcontrol=$HISTCONTROL
    HISTCONTROL=ignorespace${HISTCONTROL:+:$HISTCONTROL}
    __isolate_changed+=hist
}

# The paste hook, in place of readline's bracketed-paste-begin: reads the
# paste up to the terminal's end marker and inserts it. A paste that holds
# the end marker itself ("\e[201~") would have its rest typed, newline and
# all, as if by the user: input that is already waiting after an end marker
# is read on, and if another end marker closes it within moments, it was all
# one paste. Otherwise it was typed ahead, and goes back to readline as keys.
__isolate_paste() {
    [[ -n $__isolate_changed ]] && __isolate_restore
    local buf='' chunk c m end=$'\e[201~' t=5 mark=-1 closed=0 ahead='' tail
    while :; do
        IFS= read -r -d $'\e' -t "$t" chunk || {
            buf+=$chunk
            break # no end marker in time: take what came
        }
        buf+=$chunk
        # An escape: the end marker, or part of the paste.
        m=$'\e'
        while [[ $end == "$m"* && $m != "$end" ]]; do
            IFS= read -r -N 1 -t "$t" c || break
            if [[ $c == $'\e' ]]; then
                buf+=$m
                m=$'\e'
            else
                m+=$c
            fi
        done
        if [[ $m != "$end" ]]; then
            buf+=$m
            [[ $end == "$m"* ]] && break # input stopped inside a marker
            continue
        fi
        if ! read -t 0; then
            closed=1
            break
        fi
        mark=${#buf} t=0.05
        buf+=$m
    done
    if ((mark >= 0 && !closed)); then
        ahead=${buf:mark+${#end}}
        buf=${buf:0:mark}
        mark=-1
    fi
    buf=${buf//$'\r\n'/$'\n'}
    buf=${buf//$'\r'/$'\n'}
    READLINE_LINE=${READLINE_LINE:0:READLINE_POINT}$buf${READLINE_LINE:READLINE_POINT}
    ((READLINE_POINT += ${#buf}))
    __isolate_pasted=1
    if [[ -n $ahead ]]; then
        __isolate_push_keys "$ahead"
        return 0
    fi
    # What followed a hidden end marker would have run at its newline: the
    # guard decides now, not at the next Enter.
    tail=${buf##*"$end"}
    if ((mark >= 0)) && [[ $tail == *$'\n'* ]]; then
        __isolate_enter_line
        # edit and cancel disabled the accept keys; anything else runs it.
        [[ $__isolate_changed == *keys* ]] || __isolate_accept paste
    fi
}

# Gives keys read too early back to readline: they follow the paste hook as
# the macro of \C-x\C-_q.
__isolate_push_keys() {
    local LC_ALL=C
    local s=$1 i c out=''
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        \\ | \") out+=\\$c ;;
        [[:cntrl:]]) printf -v c '\\%03o' "'$c" && out+=$c ;;
        *) out+=$c ;;
        esac
    done
    for c in "${__isolate_keymaps[@]}"; do bind -m "$c" "\"\\C-x\\C-_q\": \"$out\""; done
    __isolate_changed+=keys
}

# --- Completion ----------------------------------------------------------------

_isolate() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} i=1 w
    COMPREPLY=()
    # --net=MODE: one word, or three where = breaks words (COMP_WORDBREAKS).
    if [[ $cur == --net=* ]]; then
        COMPREPLY=($(compgen -P --net= -W "host none pasta slirp4netns" -- "${cur#--net=}"))
        return 0
    elif [[ $prev == = && ${COMP_WORDS[COMP_CWORD - 2]} == --net ]] ||
        [[ $cur == = && $prev == --net ]]; then
        COMPREPLY=($(compgen -W "host none pasta slirp4netns" -- "${cur#=}"))
        return 0
    fi
    while ((i < COMP_CWORD)); do
        w=${COMP_WORDS[i]}
        case $w in
        --)
            ((i++))
            break
            ;;
        -c | -w | --write | --ro | --hide | --env | --keep-fd | --time | --wall | --mem | \
            --pids | --fsize | --nofile | --tmp-size | --report | --meta | --box | --setup | \
            --rm-box | --home) ((i += 2)) ;;
        --net) [[ ${COMP_WORDS[i + 1]} == = ]] && ((i += 3)) || ((i++)) ;; # --net=MODE, split at =
        --diff | --commit | --rollback | --discard | --runs)
            # The review options run nothing: their one word is a RUN.
            [[ $w == --runs ]] && return 0
            ((i + 1 == COMP_CWORD)) && COMPREPLY=($(compgen -W "$(__isolate_runs)" -- "$cur"))
            [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--force" -- "$cur"))
            return 0
            ;;
        -*) ((i++)) ;;
        *) break ;;
        esac
    done
    if ((i < COMP_CWORD)) || { ((i == COMP_CWORD)) && [[ $cur != -* ]]; }; then
        # The command and its arguments, completed as if isolate were not there.
        if declare -F _command_offset >/dev/null; then
            _command_offset "$i"
        elif ((i == COMP_CWORD)); then
            COMPREPLY=($(compgen -c -- "$cur"))
        else
            compopt -o default 2>/dev/null
        fi
        return 0
    fi
    case $prev in
    -w | --write | --ro | --hide | --report | --meta)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
        ;;
    --env)
        COMPREPLY=($(compgen -v -- "$cur"))
        return 0
        ;;
    --keep-fd)
        COMPREPLY=($(compgen -W "$(command ls /proc/$$/fd 2>/dev/null)" -- "$cur"))
        return 0
        ;;
    --box | --rm-box)
        # The boxes there are (box.c: $XDG_DATA_HOME/isolate/boxes/NAME).
        local data=${XDG_DATA_HOME-} b names=()
        [[ $data == /* ]] || data=$HOME/.local/share
        for b in "$data"/isolate/boxes/*/; do
            b=${b%/} b=${b##*/}
            [[ $b != .* && -d $data/isolate/boxes/$b ]] && names+=("$b")
        done
        COMPREPLY=($(compgen -W "${names[*]}" -- "$cur"))
        return 0
        ;;
    --home)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -W "empty overlay" -- "$cur") $(compgen -d -- "$cur"))
        return 0
        ;;
    -c | --check | --time | --wall | --mem | --pids | --fsize | --nofile | --tmp-size | --setup)
        return 0
        ;;
    esac
    case $cur in
    --overlay=*)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "${cur#--overlay=}"))
        return 0
        ;;
    esac
    COMPREPLY=($(compgen -W "-c -w --write --ro --hide --env --keep-fd --overlay --overlay= --home
        --diff --commit --rollback --discard --runs --time --wall --mem --pids
        --fsize --nofile --tmp-size --no-limits --report --meta --box --setup --boxes --rm-box
        --x11 --wayland --audio --gpu --net --net= -v --verbose -q --quiet --explain --check
        --doctor -h --help --version --" -- "$cur"))
}

# The kept runs' numbers (isolate --runs lists them with what they changed).
__isolate_runs() {
    local dir=${XDG_STATE_HOME:-$HOME/.local/state}
    [[ $dir == /* ]] || dir=$HOME/.local/state
    command ls "$dir/isolate/runs" 2>/dev/null | command grep -E '^[1-9][0-9]*$'
}
complete -F _isolate isolate

# --- Installing the hooks ----------------------------------------------------------

# The action Enter (\C-m) and \C-j had in each keymap, as arguments to bind for
# \C-x\C-_a and \C-x\C-_j: a readline function, a macro (another tool's), or
# a shell command (-x; tools that bind Enter themselves).
__isolate_install() {
    local out line km key spec
    out=$(for km in "${__isolate_keymaps[@]}"; do
        printf '@%s\n' "$km"
        bind -m "$km" -p
        bind -m "$km" -s
        printf '@x\n'
        bind -m "$km" -X
    done 2>/dev/null)
    declare -gA __isolate_bind_m __isolate_bind_j
    for km in "${__isolate_keymaps[@]}"; do
        __isolate_bind_m[$km]='"\C-x\C-_a": accept-line'
        __isolate_bind_j[$km]='"\C-x\C-_j": accept-line'
    done
    local x=''
    while IFS= read -r line; do
        case $line in
        @x)
            x='-x '
            continue
            ;;
        @*)
            km=${line#@} x=''
            continue
            ;;
        '"\C-m": '* | '"\C-j": '*) ;;
        *) continue ;;
        esac
        # Loaded twice: keep what was found the first time.
        [[ $line == *'\C-x\C-_'* ]] && return 1
        key=${line:4:1}
        spec=${line#*: }
        # A macro that ends with Enter (a tool's "do X, then accept") would
        # run these hooks twice: its Enter becomes a plain accept-line.
        if [[ -z $x && $spec == \"* ]]; then
            spec=${spec//'\C-m'/'\C-x\C-_A'}
            spec=${spec//'\C-j'/'\C-x\C-_A'}
            spec=${spec//'\r'/'\C-x\C-_A'}
            spec=${spec//'\n'/'\C-x\C-_A'}
        fi
        if [[ $key == m ]]; then
            __isolate_bind_m[$km]="$x\"\\C-x\\C-_a\": $spec"
        else
            __isolate_bind_j[$km]="$x\"\\C-x\\C-_j\": $spec"
        fi
    done <<<"$out"
    for km in "${__isolate_keymaps[@]}"; do
        bind -m "$km" -x '"\C-x\C-_h": __isolate_enter'
        bind -m "$km" -x '"\C-x\C-_p": __isolate_paste'
        bind -m "$km" '"\C-x\C-_A": accept-line'
        bind -m "$km" '"\C-m": "\C-x\C-_h\C-x\C-_a"'
        bind -m "$km" '"\C-j": "\C-x\C-_h\C-x\C-_j"'
        bind -m "$km" '"\e[200~": "\C-x\C-_p\C-x\C-_q"'
    done
    __isolate_accept on
    # The guard needs to know a paste from typing.
    bind 'set enable-bracketed-paste on'
    # Before each prompt. With bash-preexec loaded, through its list;
    # otherwise in PROMPT_COMMAND's first element, which bash-preexec, if it
    # comes later, takes over as a whole.
    if declare -p precmd_functions >/dev/null 2>&1; then
        precmd_functions+=(__isolate_precmd)
    else
        PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND$'\n'}__isolate_precmd"
    fi
}

# The accept keys: "on" binds the saved actions, -x ones with bind -x.
__isolate_bind_spec() {
    if [[ $2 == '-x '* ]]; then
        bind -m "$1" -x "${2#-x }"
    else
        bind -m "$1" "$2"
    fi
}

__isolate_changed=''
__isolate_pasted=''
if [[ $- == *i* ]] && [[ -o emacs || -o vi ]]; then
    __isolate_install
fi
