/*
 * paste_exec.c - what turns text into commands: decoders (base64, hex, rev,
 * tr, printf escapes) and what executes code (shells, interpreters, eval,
 * source, PowerShell). Tainted code reaching an executor is the core ClickFix
 * pattern: curl | sh, sh -c "$(curl)", bash <(curl), echo B64 | base64 -d | sh.
 */
#include "paste_int.h"

#include <string.h>

/* ---- decoders and literal text ----------------------------------------------
 * Encoded text in a paste hides what it does from the person pasting it:
 * base64, base32, hex, openssl enc, rev, tr letter maps, printf/echo escapes.
 * When the encoded bytes are in the paste (echo BLOB | base64 -d, <<< BLOB),
 * they are decoded here, shown, and read as shell code in turn; when they
 * reach a shell, it is decode-to-shell. Compressors are decoders too: what
 * they print was not readable in the paste. */

static char *arena_copy(struct iso_pz_rc *r, size_t n)
{
    return iso_pz_alloc(r->c, n + 1);
}

/* Decoded bytes from the paste: shown, and read as shell code. */
static struct iso_pz_flow decoded(struct iso_pz_rc *r, const char *d, size_t dn, int show)
{
    if (show) iso_pz_hit_dec(r, "encoded-payload", "decodes text hidden in the paste", d, dn);
    iso_pz_run_shell(r->c, r->tx, r->cmd->start, d, dn, "decoded payload", (struct iso_pz_flow){0});
    return (struct iso_pz_flow){.t = r->in.t | ISO_PZ_DECODED, .lit = d, .n = dn};
}

enum { D_B64 = 1, D_B32, D_HEX, D_REV };

static struct iso_pz_flow decode_lit(struct iso_pz_rc *r, int kind)
{
    const char *s = r->in.lit;
    size_t n = r->in.n, dn;
    char *d;

    if (!s || !(d = arena_copy(r, n))) return (struct iso_pz_flow){.t = r->in.t | ISO_PZ_DECODED};
    if (kind == D_B64) /* quotes and the like around the blob */
        while (n && !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_",
                            s[n - 1]))
            n--;
    switch (kind) {
    case D_B64:
        dn = iso_pz_dec_base64(s, n, d);
        break;
    case D_B32:
        dn = iso_pz_dec_base32(s, n, d);
        break;
    case D_HEX:
        dn = iso_pz_dec_hex(s, n, d);
        break;
    default:
        iso_pz_rev_lines(s, n, d), dn = n;
        break;
    }
    if (dn == (size_t)-1) return (struct iso_pz_flow){.t = r->in.t | ISO_PZ_DECODED};
    d[dn] = 0;
    return decoded(r, d, dn, kind != D_REV);
}

/* tr SET1 SET2: a letter map (rot13 and the like) applied to known text. */
static size_t tr_set(const char *s, size_t n, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o < 256; i++) {
        if (i + 2 < n && s[i + 1] == '-' && (unsigned char)s[i] <= (unsigned char)s[i + 2]) {
            for (unsigned c = (unsigned char)s[i]; c <= (unsigned char)s[i + 2] && o < 256; c++)
                out[o++] = (unsigned char)c;
            i += 2;
        } else {
            out[o++] = (unsigned char)s[i];
        }
    }
    return o;
}

static struct iso_pz_flow tr_map(struct iso_pz_rc *r)
{
    unsigned char a[256], b[256], map[256];
    size_t an, bn;
    int changed = 0;
    char *d;

    if (NW != r->k + 3 || is_opt(W(r->k + 1))) return r->in;               /* tr -d, tr -s ... */
    if (iso_pz_memmem(W(r->k + 1)->v, W(r->k + 1)->n, "[:")) return r->in; /* [:lower:] */
    an = tr_set(W(r->k + 1)->v, W(r->k + 1)->n, a);
    bn = tr_set(W(r->k + 2)->v, W(r->k + 2)->n, b);
    if (!an || !bn) return r->in;
    for (unsigned i = 0; i < 256; i++) map[i] = (unsigned char)i;
    for (size_t i = 0; i < an; i++) {
        unsigned char to = b[i < bn ? i : bn - 1];
        map[a[i]] = to;
        /* case changes and separator swaps are not hiding anything */
        if (to != a[i] && ((a[i] | 32) != (to | 32)) && ((a[i] | 32) >= 'a' && (a[i] | 32) <= 'z'))
            changed = 1;
    }
    if (!changed) return r->in;
    if (!r->in.lit || !(d = arena_copy(r, r->in.n)))
        return (struct iso_pz_flow){.t = r->in.t | ISO_PZ_DECODED};
    for (size_t i = 0; i < r->in.n; i++) d[i] = (char)map[(unsigned char)r->in.lit[i]];
    d[r->in.n] = 0;
    return decoded(r, d, r->in.n, 0);
}

/* echo and printf: their output is the paste's own text, with escapes
 * decoded (zsh's echo and echo -e decode them; printf always does). */
struct iso_pz_flow iso_pz_literal(struct iso_pz_rc *r, int is_printf)
{
    size_t total = 0, o = 0;
    unsigned i = r->k + 1, t = 0, letters = 0, l;
    char *buf, *d;

    if (!is_printf)
        while (i < NW && W(i)->n >= 2 && W(i)->v[0] == '-' &&
               strspn(W(i)->v + 1, "neE") == W(i)->n - 1)
            i++;
    else if (i < NW && wis(W(i), "--"))
        i++;
    if (is_printf && i < NW && wis(W(i), "-v")) return r->in; /* printf -v var: no output */
    for (unsigned j = i; j < NW; j++) total += W(j)->n + 1;
    if (!(buf = arena_copy(r, total)) || !(d = arena_copy(r, total)))
        return (struct iso_pz_flow){0};
    for (unsigned j = i; j < NW; j++) {
        const struct iso_pz_word *w = W(j);
        if (is_printf && j == i && NW > i + 1) {
            /* a format: its escapes, then the arguments in place of % */
            const char *pc = memchr(w->v, '%', w->n);
            size_t head = pc ? (size_t)(pc - w->v) : w->n;
            o += iso_pz_dec_escapes(w->v, head, buf + o, &l);
            letters += l;
            t |= w->t;
            continue;
        }
        if (o && !is_printf) buf[o++] = ' ';
        memcpy(buf + o, w->v, w->n);
        o += w->n;
        t |= w->t;
    }
    o = iso_pz_dec_escapes(buf, o, d, &l);
    letters += l;
    d[o] = 0;
    if (letters >= 3) {
        iso_pz_hit_dec(r, "escaped-text", "spells letters as escape codes, which hides the words",
                       d, o);
        return decoded(r, d, o, 0);
    }
    return (struct iso_pz_flow){.t = t | (W(r->k)->t & ISO_PZ_DECODED), .lit = d, .n = o};
}

struct iso_pz_flow iso_pz_decoder(struct iso_pz_rc *r)
{
    const char *nm = r->name;
    int dec = 0, file = 0;

    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        if (wis(w, "--decode") || wis(w, "-d") || wis(w, "-D") || has_flag(w, 'd') ||
            (!strcmp(nm, "xxd") && has_flag(w, 'r')))
            dec = 1;
        else if (!is_opt(w))
            file = 1;
    }
    if (!strcmp(nm, "basenc") || !strcmp(nm, "base64") || !strcmp(nm, "gbase64") ||
        !strcmp(nm, "b64") || !strcmp(nm, "base32") || !strcmp(nm, "xxd")) {
        if (!dec) return (struct iso_pz_flow){.t = r->in.t};
        if (file) return (struct iso_pz_flow){.t = ISO_PZ_DECODED};
        if (!strcmp(nm, "xxd")) return decode_lit(r, D_HEX);
        if (!strcmp(nm, "base32") || (!strcmp(nm, "basenc") && r->k + 1 < NW &&
                                      (iso_pz_memmem(W(r->k + 1)->v, W(r->k + 1)->n, "base32"))))
            return decode_lit(r, D_B32);
        if (!strcmp(nm, "basenc") && NW > r->k + 1 &&
            iso_pz_memmem(W(r->k + 1)->v, W(r->k + 1)->n, "base16"))
            return decode_lit(r, D_HEX);
        return decode_lit(r, D_B64);
    }
    if (!strcmp(nm, "rev"))
        return file ? (struct iso_pz_flow){.t = ISO_PZ_DECODED} : decode_lit(r, D_REV);
    if (!strcmp(nm, "tr")) return tr_map(r);
    /* openssl base64 -d / openssl enc -d [-a|-base64] [-aes...] */
    if (!strcmp(nm, "openssl")) {
        int b64 = 0, enc = 0;
        if (r->k + 1 >= NW) return r->in;
        if (wis(W(r->k + 1), "base64"))
            b64 = 1;
        else if (wis(W(r->k + 1), "enc"))
            enc = 1;
        else
            return r->in;
        for (unsigned i = r->k + 2; i < NW; i++) {
            if (wis(W(i), "-a") || wis(W(i), "-base64") || wis(W(i), "-A")) b64 = 1;
            if (wpre(W(i), "-in")) file = 1;
            if (wis(W(i), "-aes-256-cbc") || wpre(W(i), "-aes") || wpre(W(i), "-des") ||
                wpre(W(i), "-chacha") || wpre(W(i), "-k") || wpre(W(i), "-pass"))
                enc = 2;
        }
        if (!dec) return r->in;
        if (enc == 2 || file || !b64) return (struct iso_pz_flow){.t = r->in.t | ISO_PZ_DECODED};
        return decode_lit(r, D_B64);
    }
    /* compressors */
    if (!strcmp(nm, "gunzip") || !strcmp(nm, "zcat") || !strcmp(nm, "unxz") ||
        !strcmp(nm, "xzcat") || !strcmp(nm, "bunzip2") || !strcmp(nm, "bzcat") ||
        !strcmp(nm, "unzstd") || !strcmp(nm, "zstdcat") || !strcmp(nm, "uncompress") ||
        !strcmp(nm, "uudecode") || dec)
        return (struct iso_pz_flow){.t = r->in.t | ISO_PZ_DECODED};
    return r->in;
}

/* ---- what executes code ------------------------------------------------------
 * Shells, interpreters, eval, source, PowerShell's iex: each runs code from a
 * string argument, a script file, or its standard input. Tainted code
 * (downloaded, decoded) reaching one of them is the core ClickFix pattern:
 * curl | sh, sh -c "$(curl)", bash <(curl), python <(wget -O- ...),
 * echo BASE64 | base64 -d | bash. Code strings are read in turn: as shell
 * code for shells, by paste_code.c for other languages. */

void iso_pz_tainted_code(struct iso_pz_rc *r, unsigned t, int shell)
{
    if (t & ISO_PZ_NET)
        iso_pz_hit_pipe(r, shell ? R_DL_SHELL : R_DL_INTERP, shell ? Y_DL_SHELL : Y_DL_INTERP);
    if (t & ISO_PZ_DECODED) iso_pz_hit_pipe(r, R_DEC_SHELL, Y_DEC_SHELL);
}

/* A script named by a word: a process substitution, a downloaded file. */
static int script_word(struct iso_pz_rc *r, const struct iso_pz_word *w, int shell)
{
    unsigned ft;

    if (wis(w, "-") || wis(w, "/dev/stdin") || wis(w, "/dev/fd/0")) return 1;
    if (w->f & PW_PROCSUB) {
        iso_pz_tainted_code(r, w->t, shell);
        if (w->lit && shell)
            iso_pz_run_shell(r->c, r->tx, w->raw, w->lit, w->litn, "process substitution", r->in);
        return 0;
    }
    if ((ft = iso_pz_file_taint(r->c, w->v, w->n)))
        iso_pz_hit(r, R_DL_EXEC, "runs a file that was downloaded (or decoded) just before");
    else if (w->t & (ISO_PZ_NET | ISO_PZ_DECODED))
        iso_pz_tainted_code(r, w->t, shell);
    return 0;
}

/* Standard input as code. */
void iso_pz_stdin_code(struct iso_pz_rc *r, int shell, enum iso_pz_lang lang)
{
    iso_pz_tainted_code(r, r->in.t, shell);
    if (!r->in.lit) return;
    if (shell)
        iso_pz_run_shell(r->c, r->tx, r->cmd->start, r->in.lit, r->in.n, "text run by a shell",
                         (struct iso_pz_flow){0});
    else
        iso_pz_scan_code(r->c, r->tx, r->cmd->start, (size_t)(r->cmd->end - r->cmd->start),
                         r->in.lit, r->in.n, lang);
}

/* A code string: what it prints is the command's output (sh -c 'curl x' | sh). */
static struct iso_pz_flow code_word(struct iso_pz_rc *r, const struct iso_pz_word *w, int shell,
                                    enum iso_pz_lang lang, const char *where)
{
    iso_pz_tainted_code(r, w->t, shell);
    if (shell) return iso_pz_run_shell(r->c, r->tx, w->raw, w->v, w->n, where, r->in);
    iso_pz_scan_code(r->c, r->tx, r->cmd->start, (size_t)(r->cmd->end - r->cmd->start), w->v, w->n,
                     lang);
    return (struct iso_pz_flow){0};
}

struct iso_pz_flow iso_pz_shell(struct iso_pz_rc *r)
{
    int code = 0, from_stdin = 0;
    unsigned i;

    for (i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        if (wis(w, "-") || wis(w, "--")) {
            i++;
            break;
        }
        if (!is_opt(w) && !(w->n > 1 && w->v[0] == '+')) break;
        if (w->v[1] == '-') {
            if (wis(w, "--rcfile") || wis(w, "--init-file")) i++;
            if (wis(w, "--command")) code = 1;
            continue;
        }
        if (wis(w, "-o") || wis(w, "+o") || wis(w, "-O") || wis(w, "+O")) {
            i++;
            continue;
        }
        if (memchr(w->v + 1, 'c', w->n - 1)) code = 1;
        if (memchr(w->v + 1, 's', w->n - 1)) from_stdin = 1;
        if (memchr(w->v + 1, 'i', w->n - 1) && r->pp) r->pp->shell_stdin = 1;
    }
    if (code)
        return i < NW ? code_word(r, W(i), 1, ISO_PZ_OTHER, "a shell's -c string")
                      : (struct iso_pz_flow){0};
    if (i < NW && !from_stdin && !script_word(r, W(i), 1)) return (struct iso_pz_flow){0};
    if (r->pp) r->pp->shell_stdin = 1;
    iso_pz_stdin_code(r, 1, ISO_PZ_OTHER);
    return (struct iso_pz_flow){0};
}

/* eval WORDS: the words joined are code; source FILE runs FILE. */
struct iso_pz_flow iso_pz_eval(struct iso_pz_rc *r)
{
    size_t total = 0, o = 0;
    unsigned t = 0;
    char *buf;

    if (!strcmp(r->name, "source") || !strcmp(r->name, ".")) {
        if (r->k + 1 >= NW || script_word(r, W(r->k + 1), 1)) iso_pz_stdin_code(r, 1, ISO_PZ_OTHER);
        return (struct iso_pz_flow){0};
    }
    if (r->k + 1 >= NW) { /* `... | eval`: meant to run what it is given */
        iso_pz_stdin_code(r, 1, ISO_PZ_OTHER);
        return (struct iso_pz_flow){0};
    }
    for (unsigned i = r->k + 1; i < NW; i++) total += W(i)->n + 1, t |= W(i)->t;
    if (!(buf = arena_copy(r, total))) return (struct iso_pz_flow){0};
    for (unsigned i = r->k + 1; i < NW; i++) {
        if (o) buf[o++] = ' ';
        memcpy(buf + o, W(i)->v, W(i)->n);
        o += W(i)->n;
    }
    iso_pz_tainted_code(r, t, 1);
    iso_pz_run_shell(r->c, r->tx, W(r->k + 1)->raw, buf, o, "eval", r->in);
    return (struct iso_pz_flow){0};
}

/* Interpreters: which option carries code, which takes a value. */
/* python, python3, python3.12, perl5.36 ... */
static int family(const char *name, const char *stem)
{
    size_t k = strlen(stem);

    if (strncmp(name, stem, k)) return 0;
    for (name += k; *name; name++)
        if (!((*name >= '0' && *name <= '9') || *name == '.')) return 0;
    return 1;
}

enum { ISO_PZ_NODE = 5 }; /* index of node in interps[] */

static const struct interp {
    const char *name; /* family stem */
    enum iso_pz_lang lang;
    const char *code;  /* short options whose value is code */
    const char *val;   /* other short options with a value */
    const char *lcode; /* long option for code, or NULL */
    int stdin_runs;    /* with neither code nor script, it runs standard input */
} interps[] = {
    {"python", ISO_PZ_PY, "c", "mWXQ", NULL, 1},
    {"pypy", ISO_PZ_PY, "c", "mWX", NULL, 1},
    {"py", ISO_PZ_PY, "c", "mWX", NULL, 1},
    {"perl", ISO_PZ_PERL, "eE", "IMmlx0CFd", NULL, 1},
    {"ruby", ISO_PZ_RUBY, "e", "IrECFKx", NULL, 1},
    {"node", ISO_PZ_JS, "ep", "r", "eval", 1},
    {"nodejs", ISO_PZ_JS, "ep", "r", "eval", 1},
    {"bun", ISO_PZ_JS, "e", "r", "eval", 0},
    {"php", ISO_PZ_PHP, "rBRE", "dcfFz", NULL, 1},
    {"lua", ISO_PZ_LUA, "e", "l", NULL, 1},
    {"luajit", ISO_PZ_LUA, "e", "lbj", NULL, 1},
    {"osascript", ISO_PZ_APPLESCRIPT, "e", "ls", NULL, 1},
    {"tclsh", ISO_PZ_OTHER, "", "", NULL, 1},
    {"expect", ISO_PZ_OTHER, "c", "f", NULL, 0},
    {"rscript", ISO_PZ_OTHER, "e", "", NULL, 0},
    {NULL, ISO_PZ_OTHER, NULL, NULL, NULL, 0},
};

/* Quotes or parentheses left open: the paste's quoting is broken (often a
 * string pasted inside another), so the code word holds only part of it. */
static int unbalanced(const char *s, size_t n)
{
    unsigned dq = 0, sq = 0;
    int depth = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            dq++;
        else if (s[i] == '\'')
            sq++;
        else if (s[i] == '(')
            depth++;
        else if (s[i] == ')')
            depth--;
    }
    return (dq & 1) || (sq & 1) || depth != 0;
}

struct iso_pz_flow iso_pz_interpreter(struct iso_pz_rc *r)
{
    const struct interp *ip = interps;
    const char *code_raw = NULL;
    int runs_stdin = 0;
    unsigned pos = r->k + 1;
    int ended = 0, code = 0, module = 0;
    enum iso_pz_lang lang;
    size_t total = 0, o = 0;
    struct iso_pz_opt op;
    char *buf;

    if (!strcmp(r->name, "deno") || !strcmp(r->name, "bun")) { /* deno [run] URL */
        unsigned i = r->k + 1;
        while (i < NW && is_opt(W(i))) i++;
        if (i < NW && (wis(W(i), "run") || wis(W(i), "x")))
            for (i++; i < NW && is_opt(W(i));) i++;
        if (i < NW && iso_pz_memmem(W(i)->v, W(i)->n, "://"))
            iso_pz_hit(r, R_DL_INTERP, "runs a script straight from the network");
    }
    while (ip->name && !family(r->name, ip->name)) ip++;
    if (!ip->name) ip = &interps[ISO_PZ_NODE]; /* deno, bun */
    lang = ip->lang;
    for (unsigned i = r->k + 1; i < NW; i++) total += W(i)->n + 16;
    if (!(buf = arena_copy(r, total))) return (struct iso_pz_flow){0};
    while (iso_pz_next_opt(r, &pos, ip->val, NULL, &op, &ended)) {
        const struct iso_pz_word *v = op.val;
        int is_code = (op.s && strchr(ip->code, op.s)) || (ip->lcode && lis(&op, ip->lcode)) ||
                      lis(&op, "print");
        if (!op.s && !op.l) { /* the script; the rest are its arguments */
            if (!code && !module && !script_word(r, v, 0)) return (struct iso_pz_flow){0};
            break;
        }
        if (is_code && op.s && !v && op.i + 1 < NW) v = W(op.i + 1), pos = op.i + 2;
        if (is_code && v) {
            if (!code_raw) code_raw = v->raw;
            code = 1;
            iso_pz_tainted_code(r, v->t, 0);
            if (o) buf[o++] = '\n';
            memcpy(buf + o, v->v, v->n);
            o += v->n;
        } else if (v && (op.s == 'M' || op.s == 'r' || op.s == 'm')) {
            /* perl -MLWP::Simple, ruby -ropen-uri: part of the code */
            if (op.s == 'm' && lang == ISO_PZ_PY) module = 1;
            if (o) buf[o++] = '\n';
            memcpy(buf + o, "use ", 4), o += 4;
            memcpy(buf + o, v->v, v->n), o += v->n;
        } else if (v && op.s == 'l' && lang == ISO_PZ_APPLESCRIPT &&
                   iso_pz_memcasemem(v->v, v->n, "javascript")) {
            lang = ISO_PZ_JS;
        }
        if (module && op.s == 'm') break; /* python -m MOD: its arguments follow */
    }
    if (code || o)
        runs_stdin = iso_pz_scan_code(r->c, r->tx, r->cmd->start,
                                      (size_t)(r->cmd->end - r->cmd->start), buf, o, lang);
    if (code && code_raw && unbalanced(buf, o) && code_raw >= r->tx->s &&
        code_raw < r->tx->s + r->tx->n) {
        /* read the rest of the line as the code it was meant to be */
        const char *end = r->tx->s + r->tx->n,
                   *nl = memchr(code_raw, '\n', (size_t)(end - code_raw));
        iso_pz_scan_code(r->c, r->tx, r->cmd->start, (size_t)(r->cmd->end - r->cmd->start),
                         code_raw, (size_t)((nl ? nl : end) - code_raw), lang);
    }
    if ((!code && !module && ip->stdin_runs) || (code && runs_stdin)) iso_pz_stdin_code(r, 0, lang);
    return (struct iso_pz_flow){.t = r->in.t & ISO_PZ_SECRET};
}

/* PowerShell: -Command TEXT, -EncodedCommand BASE64(UTF-16LE), hidden windows. */
/* PowerShell parameters that take a value; any unambiguous prefix works. */
static const char *const ps_valopts[] = {"-windowstyle",
                                         "-executionpolicy",
                                         "-version",
                                         "-inputformat",
                                         "-outputformat",
                                         "-psconsolefile",
                                         "-configurationname",
                                         "-workingdirectory",
                                         "-settingsfile",
                                         "-custompipename",
                                         NULL};

struct iso_pz_flow iso_pz_powershell(struct iso_pz_rc *r)
{
    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        char o[24];
        size_t n = w->n < sizeof o - 1 ? w->n : sizeof o - 1;

        for (size_t j = 0; j < n; j++)
            o[j] = w->v[j] >= 'A' && w->v[j] <= 'Z' ? w->v[j] + 32 : w->v[j];
        o[n] = 0;
        if (o[0] == '/') o[0] = '-';
        if (o[0] != '-') { /* bare words: the command, all of them */
            size_t total = 0, k = 0;
            unsigned t = 0;
            char *buf;
            for (unsigned j = i; j < NW; j++) total += W(j)->n + 1, t |= W(j)->t;
            if (!(buf = arena_copy(r, total))) break;
            for (unsigned j = i; j < NW; j++) {
                if (k) buf[k++] = ' ';
                memcpy(buf + k, W(j)->v, W(j)->n);
                k += W(j)->n;
            }
            iso_pz_tainted_code(r, t, 1);
            iso_pz_scan_code(r->c, r->tx, r->cmd->start, (size_t)(r->cmd->end - r->cmd->start), buf,
                             k, ISO_PZ_POWERSHELL);
            return iso_pz_run_shell(r->c, r->tx, w->raw, buf, k, "PowerShell command", r->in);
        }
        if (n >= 2 && (!strncmp("-encodedcommand", o, n) || !strcmp(o, "-ec")) && i + 1 < NW) {
            const struct iso_pz_word *b = W(++i);
            char *raw = arena_copy(r, b->n), *txt = arena_copy(r, b->n);
            size_t rn, tn;
            if (raw && txt && (rn = iso_pz_dec_base64(b->v, b->n, raw)) != (size_t)-1) {
                tn = iso_pz_dec_utf16le(raw, rn, txt);
                iso_pz_hit_dec(r, R_DEC_SHELL, "runs a base64-encoded PowerShell command", txt, tn);
                iso_pz_run_shell(r->c, r->tx, b->raw, txt, tn, "decoded payload",
                                 (struct iso_pz_flow){0});
            } else {
                iso_pz_hit(r, R_DEC_SHELL, "runs an encoded PowerShell command");
            }
            continue;
        }
        if (n >= 2 && !strncmp("-command", o, n) && i + 1 < NW) {
            if (wis(W(i + 1), "-")) iso_pz_stdin_code(r, 1, ISO_PZ_POWERSHELL);
            continue;
        }
        if ((n >= 2 && !strncmp("-windowstyle", o, n)) && i + 1 < NW &&
            iso_pz_caseeq(W(i + 1)->v, W(i + 1)->n, "hidden"))
            iso_pz_hit(r, R_OBF, "starts PowerShell in a hidden window");
        if (!strncmp("-file", o, n > 2 ? n : 3) && i + 1 < NW) {
            script_word(r, W(++i), 0);
            return (struct iso_pz_flow){0};
        }
        for (const char *const *v = ps_valopts; *v; v++)
            if (n >= 2 && !strncmp(*v, o, n) && i + 1 < NW) { /* -w hidden, -ep bypass */
                i++;
                break;
            }
    }
    if (r->in.t || r->in.lit) iso_pz_stdin_code(r, 1, ISO_PZ_POWERSHELL);
    return (struct iso_pz_flow){0};
}
