/*
 * paste_lex.c - reads a paste the way a POSIX shell (bash, zsh) would, so
 * that rules see commands and not substrings: quotes and escapes are removed
 * from words, $(...), `...` and <(...) are read as the code they are, lists
 * (; && || & newline), pipelines, subshells, { } groups, here-strings and
 * here-documents are followed, and what flows out of each command (taint and,
 * when known, the bytes) is handed to the next one in the pipeline.
 *
 * It is lenient where a shell would stop with a syntax error: a paste that
 * would not parse is still read as far as it goes, because half of a
 * malicious line can still do harm in another shell or after a fix.
 */
#include "paste_int.h"

#include <string.h>

enum tok {
    TK_EOF,
    TK_WORD,
    TK_NL,
    TK_SEMI,
    TK_AMP,
    TK_PIPE,
    TK_AND,
    TK_OR,
    TK_LP,
    TK_RP,
    TK_REDIR
};
enum stop { STOP_EOF, STOP_RP, STOP_BRACE };
#define NONE ((size_t)-1)

struct lexer {
    struct iso_pz_ctx *c;
    const struct iso_pz_text *tx;
    const char *s;
    size_t n, i;
    size_t hd_nl, hd_end; /* here-document bodies follow the newline at hd_nl */
    char *sb;             /* the value of the word being read */
    size_t sbn, sbcap;
    int tok;
    size_t ts;                   /* where the token starts */
    struct iso_pz_flow stage_in; /* standard input of the command being read: its
                                  * substitutions read it too (curl x | sh -c "$(cat)") */
    struct iso_pz_word w;
    int rop, rfd;
};

static struct iso_pz_flow parse_list(struct lexer *lx, struct iso_pz_flow in, enum stop stop);

/* ---- variables assigned by the paste ------------------------------------ */

int iso_pz_var_get(const struct iso_pz_ctx *c, const char *name, size_t n,
                   struct iso_pz_var_lookup *out)
{
    for (unsigned i = 0; i < c->nvars; i++)
        if (strlen(c->vars[i].name) == n && !memcmp(c->vars[i].name, name, n)) {
            out->v = c->vars[i].val;
            out->n = c->vars[i].n;
            out->t = c->vars[i].t;
            out->known = c->vars[i].known;
            return 1;
        }
    return 0;
}

void iso_pz_var_set(struct iso_pz_ctx *c, const char *name, size_t n, const char *v, size_t vn,
                    int known, unsigned t)
{
    unsigned i;

    if (n == 0 || n >= sizeof c->vars[0].name) return;
    for (i = 0; i < c->nvars; i++)
        if (strlen(c->vars[i].name) == n && !memcmp(c->vars[i].name, name, n)) break;
    if (i == c->nvars) {
        if (c->nvars == ISO_PZ_VARS)
            i = ISO_PZ_VARS - 1; /* the newest one matters most */
        else
            c->nvars++;
    }
    memcpy(c->vars[i].name, name, n);
    c->vars[i].name[n] = 0;
    c->vars[i].known = known && vn < ISO_PZ_VAL;
    c->vars[i].n = (unsigned short)(c->vars[i].known ? vn : 0);
    if (c->vars[i].known) memcpy(c->vars[i].val, v, vn);
    c->vars[i].t = t;
}

/* ---- words ---------------------------------------------------------------- */

static void put(struct lexer *lx, const char *p, size_t k)
{
    if (lx->sbn + k > lx->sbcap) k = lx->sbcap - lx->sbn; /* expansions beyond: dropped */
    memcpy(lx->sb + lx->sbn, p, k);
    lx->sbn += k;
}

/* Characters that end a word or change how it is read. */
static const unsigned char special[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [';'] = 1,  ['&'] = 1,  ['|'] = 1,
    ['<'] = 1, ['>'] = 1,  ['('] = 1,  [')'] = 1,  ['\\'] = 1, ['\''] = 1, ['"'] = 1,
    ['$'] = 1, ['`'] = 1,  ['*'] = 1,  ['?'] = 1,  ['['] = 1,
};

static int is_meta(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ';' || ch == '&' ||
           ch == '|' || ch == '<' || ch == '>' || ch == '(' || ch == ')';
}

static int is_ident(char ch, int first)
{
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (!first && ch >= '0' && ch <= '9');
}

/* Index of the ')' closing a '(' whose inside starts at i, or n. */
static size_t find_close(const char *s, size_t n, size_t i)
{
    int depth = 1;

    while (i < n) {
        char ch = s[i];
        if (ch == '\\') {
            i += 2;
            continue;
        }
        if (ch == '\'' || ch == '"' || ch == '`') {
            for (i++; i < n && s[i] != ch; i++)
                if (s[i] == '\\' && ch != '\'') i++;
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')' && --depth == 0) {
            return i;
        }
        i++;
    }
    return n;
}

static size_t find_brace(const char *s, size_t n, size_t i)
{
    int depth = 1;

    for (; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '{')
            depth++;
        else if (s[i] == '}' && --depth == 0)
            return i;
    }
    return n;
}

/* Reads s[a..b) as code of the same text (a substitution): its flow. */
static struct iso_pz_flow sub_parse(struct lexer *lx, size_t a, size_t b)
{
    struct iso_pz_ctx *c = lx->c;
    struct iso_pz_text t = *lx->tx;
    struct iso_pz_flow f;

    if (c->nest >= ISO_PZ_MAX_NEST) {
        iso_pz_report(c, lx->tx, "incomplete", "nested too deeply to be checked", lx->s + a, b - a,
                      NULL, 0);
        return (struct iso_pz_flow){0};
    }
    t.s = lx->s + a;
    t.n = b > a ? b - a : 0;
    c->nest++;
    f = iso_pz_parse(c, &t, lx->stage_in);
    c->nest--;
    return f;
}

static void expand_var(struct lexer *lx, struct iso_pz_word *w, const char *name, size_t n,
                       const char *raw, size_t rawn, int plain)
{
    struct iso_pz_var_lookup v;

    if (n == 3 && !memcmp(name, "IFS", 3)) w->f |= PW_IFS;
    if (iso_pz_secret_var(name, n)) w->t |= ISO_PZ_SECRET;
    if (iso_pz_var_get(lx->c, name, n, &v)) {
        w->t |= v.t;
        if (v.known && plain) {
            put(lx, v.v, v.n);
            return;
        }
    }
    w->f |= PW_VAR;
    put(lx, raw, rawn);
}

static size_t lex_dquote(struct lexer *lx, size_t i, struct iso_pz_word *w);
static size_t lex_backtick(struct lexer *lx, size_t i, struct iso_pz_word *w,
                           struct iso_pz_flow *last);

/* $... at s[i]; dq: inside double quotes. *last gets the flow of a $(...). */
static size_t lex_dollar(struct lexer *lx, size_t i, struct iso_pz_word *w, int dq,
                         struct iso_pz_flow *last)
{
    const char *s = lx->s;
    size_t n = lx->n, e, j;
    char ch = i + 1 < n ? s[i + 1] : 0;

    if (ch == '(') {
        if (i + 2 < n && s[i + 2] == '(') { /* $(( arithmetic )) */
            e = find_close(s, n, i + 3);
            e = e < n ? find_close(s, n, e + 1) : n;
            put(lx, s + i, (e < n ? e + 1 : n) - i);
            return e < n ? e + 1 : n;
        }
        e = find_close(s, n, i + 2);
        *last = sub_parse(lx, i + 2, e);
        w->t |= last->t;
        w->f |= PW_SUBST;
        put(lx, s + i, (e < n ? e + 1 : n) - i);
        return e < n ? e + 1 : n;
    }
    if (ch == '\'' && !dq) { /* $'...': ANSI-C quoting, escapes decoded */
        unsigned letters = 0;
        size_t k;

        for (e = i + 2; e < n && s[e] != '\''; e++)
            if (s[e] == '\\') e++;
        if (e > n) e = n;
        if (lx->sbn + (e - i) <= lx->sbcap) {
            k = iso_pz_dec_escapes(s + i + 2, e - i - 2, lx->sb + lx->sbn, &letters);
            lx->sbn += k;
        }
        if (letters >= 2) w->f |= PW_ESCAPES;
        w->f |= PW_QUOTED;
        return e < n ? e + 1 : n;
    }
    if (ch == '"' && !dq) return lex_dquote(lx, i + 2, w);
    if (ch == '{') {
        e = find_brace(s, n, i + 2);
        for (j = i + 2; j < e && is_ident(s[j], j == i + 2); j++) continue;
        if (j == i + 2 && j < e && (s[j] == '@' || s[j] == '*') && j + 1 == e) {
            w->f |= PW_EMPTY;
        } else {
            expand_var(lx, w, s + i + 2, j - i - 2, s + i, (e < n ? e + 1 : n) - i, j == e);
        }
        return e < n ? e + 1 : n;
    }
    if (is_ident(ch, 1)) {
        for (j = i + 1; j < n && is_ident(s[j], 0); j++) continue;
        expand_var(lx, w, s + i + 1, j - i - 1, s + i, j - i, 1);
        return j;
    }
    if (ch == '@' || ch == '*') { /* empty in an interactive shell */
        w->f |= PW_EMPTY;
        return i + 2;
    }
    if (ch && strchr("0123456789?#$!-", ch)) {
        w->f |= PW_VAR;
        put(lx, s + i, 2);
        return i + 2;
    }
    put(lx, s + i, 1);
    return i + 1;
}

static size_t lex_dquote(struct lexer *lx, size_t i, struct iso_pz_word *w)
{
    const char *s = lx->s;
    size_t n = lx->n;
    struct iso_pz_flow last;

    w->f |= PW_QUOTED;
    while (i < n && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < n && strchr("$`\"\\\n", s[i + 1])) {
            if (s[i + 1] != '\n') put(lx, s + i + 1, 1);
            i += 2;
        } else if (s[i] == '$') {
            i = lex_dollar(lx, i, w, 1, &last);
        } else if (s[i] == '`') {
            i = lex_backtick(lx, i, w, &last);
        } else {
            put(lx, s + i, 1);
            i++;
        }
    }
    return i < n ? i + 1 : n;
}

static size_t lex_backtick(struct lexer *lx, size_t i, struct iso_pz_word *w,
                           struct iso_pz_flow *last)
{
    const char *s = lx->s;
    size_t n = lx->n, e;

    for (e = i + 1; e < n && s[e] != '`'; e++)
        if (s[e] == '\\') e++;
    if (e > n) e = n;
    *last = sub_parse(lx, i + 1, e);
    w->t |= last->t;
    w->f |= PW_SUBST;
    put(lx, s + i, (e < n ? e + 1 : n) - i);
    return e < n ? e + 1 : n;
}

static void lex_word(struct lexer *lx)
{
    struct iso_pz_word *w = &lx->w;
    const char *s = lx->s;
    size_t n = lx->n, i = lx->i, start = i, e;
    struct iso_pz_flow last = {0};
    unsigned subs = 0, plain = 0;
    char *v;

    memset(w, 0, sizeof *w);
    lx->sbn = 0;
    if ((s[i] == '<' || s[i] == '>') && i + 1 < n && s[i + 1] == '(') {
        e = find_close(s, n, i + 2);
        last = sub_parse(lx, i + 2, e);
        w->t = last.t;
        w->f = PW_PROCSUB;
        if (s[i] == '<') w->lit = last.lit, w->litn = last.n;
        i = e < n ? e + 1 : n;
        put(lx, s + start, i - start);
        goto done;
    }
    while (i < n) {
        char ch = s[i];
        size_t before = lx->sbn;

        if (is_meta(ch)) {
            if (ch != '(' || i == start) break;
            /* name() or a glob/array group: part of the word here */
            e = find_close(s, n, i + 1);
            e = e < n ? e + 1 : n;
            put(lx, s + i, e - i);
            plain++;
            if (e == i + 2) { /* name(): a function definition ends the word */
                i = e;
                break;
            }
            i = e;
            continue;
        }
        switch (ch) {
        case '\\':
            if (i + 1 < n && s[i + 1] == '\n') {
                i += 2;
                continue;
            }
            if (i + 1 < n) put(lx, s + i + 1, 1);
            i = i + 1 < n ? i + 2 : n; /* a backslash ending the text escapes nothing */
            w->f |= PW_QUOTED;
            plain++;
            break;
        case '\'':
            for (e = i + 1; e < n && s[e] != '\''; e++) continue;
            if (e >= n) { /* never closed: a shell would wait for more; read it as text */
                put(lx, s + i, 1);
                i++;
                plain++;
                break;
            }
            put(lx, s + i + 1, e - i - 1);
            i = e < n ? e + 1 : n;
            w->f |= PW_QUOTED;
            if (e > i + 1) plain++;
            break;
        case '"': {
            unsigned f0 = w->f;
            size_t sb0 = lx->sbn;
            for (e = i + 1; e < n && s[e] != '"'; e++)
                if (s[e] == '\\') e++;
            if (e >= n) { /* never closed: read it as text */
                put(lx, s + i, 1);
                i++;
                plain++;
                break;
            }
            i = lex_dquote(lx, i + 1, w);
            if ((w->f & PW_SUBST) && !(f0 & PW_SUBST) && s[i - 1] == '"' && lx->sbn - sb0 > 1 &&
                lx->sb[sb0] == '$' && lx->sb[sb0 + 1] == '(')
                subs++; /* "$(...)": still one substitution */
            else if (lx->sbn > sb0)
                plain++;
            break;
        }
        case '$':
            i = lex_dollar(lx, i, w, 0, &last);
            if (lx->sbn - before > 1 && lx->sb[before + 1] == '(' && s[i - 1] == ')')
                subs++;
            else if (lx->sbn > before)
                plain++;
            break;
        case '`':
            i = lex_backtick(lx, i, w, &last);
            subs++;
            break;
        case '*':
        case '?':
        case '[':
            w->f |= PW_GLOB;
            put(lx, s + i, 1);
            i++;
            plain++;
            break;
        default: /* a run of ordinary characters at once */
            for (e = i + 1; e < n && !special[(unsigned char)s[e]]; e++) continue;
            put(lx, s + i, e - i);
            i = e;
            plain++;
        }
    }
    if (subs == 1 && plain == 0) w->lit = last.lit, w->litn = last.n;
done:
    w->raw = s + start;
    w->rawn = i - start;
    v = iso_pz_alloc(lx->c, lx->sbn + 1);
    if (v) {
        memcpy(v, lx->sb, lx->sbn);
        v[lx->sbn] = 0;
    }
    w->v = v ? v : "";
    w->n = v ? lx->sbn : 0;
    lx->i = i;
}

/* ---- tokens --------------------------------------------------------------- */

static void lex_redir(struct lexer *lx, size_t i, int fd)
{
    const char *s = lx->s;
    size_t n = lx->n;
    char a = s[i], b = i + 1 < n ? s[i + 1] : 0, c3 = i + 2 < n ? s[i + 2] : 0;

    lx->tok = TK_REDIR;
    if (a == '<') {
        if (fd < 0) fd = 0;
        if (b == '<' && c3 == '<')
            lx->rop = PR_HERESTR, i += 3;
        else if (b == '<' && c3 == '-')
            lx->rop = PR_HEREDOC, i += 3, fd = 1000;
        else if (b == '<')
            lx->rop = PR_HEREDOC, i += 2;
        else if (b == '&')
            lx->rop = PR_DUP, i += 2;
        else if (b == '>')
            lx->rop = PR_INOUT, i += 2;
        else
            lx->rop = PR_IN, i += 1;
    } else {
        if (fd < 0) fd = 1;
        if (b == '>')
            lx->rop = PR_APPEND, i += 2;
        else if (b == '&')
            lx->rop = PR_DUP, i += 2;
        else if (b == '|')
            lx->rop = PR_OUT, i += 2;
        else
            lx->rop = PR_OUT, i += 1;
    }
    lx->rfd = fd;
    lx->i = i;
}

static void next(struct lexer *lx)
{
    const char *s = lx->s;
    size_t n = lx->n, i = lx->i;

    if (lx->c->oom) {
        lx->tok = TK_EOF;
        return;
    }
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
        if (i + 1 < n && s[i] == '\\' && s[i + 1] == '\n') {
            i += 2;
            continue;
        }
        if (i < n && s[i] == '#') { /* a comment runs to the end of the line */
            while (i < n && s[i] != '\n') i++;
            continue;
        }
        break;
    }
    lx->ts = i;
    lx->i = i;
    if (i >= n) {
        lx->tok = TK_EOF;
        return;
    }
    switch (s[i]) {
    case '\n':
        lx->tok = TK_NL;
        lx->i = i + 1;
        if (lx->hd_nl == i) { /* skip the here-document bodies read already */
            lx->i = lx->hd_end;
            lx->hd_nl = NONE;
        }
        return;
    case ';':
        lx->tok = TK_SEMI;
        lx->i = i + 1 + (i + 1 < n && (s[i + 1] == ';' || s[i + 1] == '&'));
        return;
    case '&':
        if (i + 1 < n && s[i + 1] == '&') {
            lx->tok = TK_AND;
            lx->i = i + 2;
        } else if (i + 1 < n && s[i + 1] == '>') {
            lex_redir(lx, i + 1, -1);
            lx->rfd = -1;
        } else {
            lx->tok = TK_AMP;
            lx->i = i + 1;
        }
        return;
    case '|':
        lx->tok = i + 1 < n && s[i + 1] == '|' ? TK_OR : TK_PIPE;
        lx->i = i + 1 + (i + 1 < n && (s[i + 1] == '|' || s[i + 1] == '&'));
        return;
    case '(':
        lx->tok = TK_LP;
        lx->i = i + 1;
        return;
    case ')':
        lx->tok = TK_RP;
        lx->i = i + 1;
        return;
    case '<':
    case '>':
        if (i + 1 < n && s[i + 1] == '(') break;
        lex_redir(lx, i, -1);
        return;
    default:
        if (s[i] >= '0' && s[i] <= '9') {
            size_t j = i;
            int fd = 0;
            while (j < n && s[j] >= '0' && s[j] <= '9' && fd < 10000) fd = fd * 10 + s[j++] - '0';
            if (j < n && (s[j] == '<' || s[j] == '>') && !(j + 1 < n && s[j + 1] == '(')) {
                lex_redir(lx, j, fd);
                return;
            }
        }
    }
    lx->tok = TK_WORD;
    lex_word(lx);
}

/* Finds the body of a here-document whose delimiter word was just read. */
static void read_heredoc(struct lexer *lx, struct iso_pz_word *w, int strip)
{
    const char *s = lx->s, *d = w->v;
    size_t n = lx->n, dn = w->n, start, i;

    if (lx->hd_nl == NONE) {
        const char *nl = memchr(s + lx->i, '\n', n - lx->i);
        if (!nl) {
            w->v = "", w->n = 0;
            return;
        }
        lx->hd_nl = (size_t)(nl - s);
        lx->hd_end = lx->hd_nl + 1;
    }
    start = i = lx->hd_end;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t le = nl ? (size_t)(nl - s) : n, ls = i;

        if (strip)
            while (ls < le && s[ls] == '\t') ls++;
        if (le - ls == dn && !memcmp(s + ls, d, dn)) {
            w->raw = w->v = s + start;
            w->rawn = w->n = i - start;
            lx->hd_end = nl ? le + 1 : n;
            return;
        }
        i = nl ? le + 1 : n;
    }
    w->raw = w->v = s + start;
    w->rawn = w->n = n - start;
    lx->hd_end = n;
}

/* ---- commands, pipelines, lists ------------------------------------------ */

static int word_is(const struct lexer *lx, const char *kw)
{
    return lx->tok == TK_WORD && !(lx->w.f & PW_QUOTED) && iso_pz_eq(lx->w.v, lx->w.n, kw);
}

/* Could the word be a reserved word (if, then, {, function ...)? */
static int keyword_like(const struct lexer *lx)
{
    return lx->w.n && lx->w.n <= 8 && !(lx->w.f & PW_QUOTED) && strchr("!tiewudfc{}", lx->w.v[0]);
}

static int push_word(struct iso_pz_ctx *c, struct iso_pz_cmd *cmd, const struct iso_pz_word *w)
{
    if (!cmd->capw) {
        cmd->w = cmd->inl_w;
        cmd->capw = sizeof cmd->inl_w / sizeof *cmd->inl_w;
    }
    if (cmd->nw == cmd->capw) {
        unsigned cap = cmd->capw * 2;
        struct iso_pz_word *nw = iso_pz_alloc(c, cap * sizeof *nw);
        if (!nw) return -1;
        if (cmd->nw) memcpy(nw, cmd->w, cmd->nw * sizeof *nw);
        cmd->w = nw;
        cmd->capw = cap;
    }
    cmd->w[cmd->nw++] = *w;
    return 0;
}

static int push_redir(struct iso_pz_ctx *c, struct iso_pz_cmd *cmd, const struct iso_pz_redir *r)
{
    if (!cmd->capr) {
        cmd->r = cmd->inl_r;
        cmd->capr = sizeof cmd->inl_r / sizeof *cmd->inl_r;
    }
    if (cmd->nr == cmd->capr) {
        unsigned cap = cmd->capr * 2;
        struct iso_pz_redir *nr = iso_pz_alloc(c, cap * sizeof *nr);
        if (!nr) return -1;
        if (cmd->nr) memcpy(nr, cmd->r, cmd->nr * sizeof *nr);
        cmd->r = nr;
        cmd->capr = cap;
    }
    cmd->r[cmd->nr++] = *r;
    return 0;
}

/* Redirections, and words when words is set, up to the next operator. */
static void collect(struct lexer *lx, struct iso_pz_cmd *cmd, int words)
{
    for (;;) {
        if (lx->tok == TK_WORD && words) {
            if (push_word(lx->c, cmd, &lx->w) < 0) { /* out of memory: stop reading */
                lx->tok = TK_EOF;
                return;
            }
            cmd->end = lx->s + lx->i;
            next(lx);
        } else if (lx->tok == TK_REDIR) {
            struct iso_pz_redir r = {.op = lx->rop, .fd = lx->rfd};
            next(lx);
            if (lx->tok != TK_WORD) return;
            r.w = lx->w;
            if (r.op == PR_HEREDOC) {
                read_heredoc(lx, &r.w, r.fd == 1000);
                r.fd = 0;
            }
            if (push_redir(lx->c, cmd, &r) < 0) {
                lx->tok = TK_EOF;
                return;
            }
            cmd->end = lx->s + lx->i;
            next(lx);
        } else {
            return;
        }
    }
}

static struct iso_pz_flow parse_stage(struct lexer *lx, struct iso_pz_flow in,
                                      struct iso_pz_pipe *pp);

/* After "(" was read: is it "()" ? */
static int empty_parens(const struct lexer *lx)
{
    size_t i = lx->i;
    while (i < lx->n && (lx->s[i] == ' ' || lx->s[i] == '\t')) i++;
    return i < lx->n && lx->s[i] == ')';
}

/* The body of a function the paste defines: read as if it ran. */
static struct iso_pz_flow body(struct lexer *lx, const char *name, size_t n, struct iso_pz_flow in,
                               struct iso_pz_pipe *pp)
{
    struct iso_pz_ctx *c = lx->c;
    struct iso_pz_flow f;
    char outer[sizeof c->func];

    while (lx->tok == TK_NL) next(lx);
    if (c->nest >= ISO_PZ_MAX_NEST) return in;
    memcpy(outer, c->func, sizeof outer);
    c->func[0] = 0;
    if (n < sizeof c->func) memcpy(c->func, name, n), c->func[n] = 0;
    c->nest++;
    f = parse_stage(lx, in, pp);
    c->nest--;
    memcpy(c->func, outer, sizeof outer);
    return f;
}

static struct iso_pz_flow parse_stage(struct lexer *lx, struct iso_pz_flow in,
                                      struct iso_pz_pipe *pp)
{
    struct iso_pz_ctx *c = lx->c;
    struct iso_pz_cmd cmd;
    struct iso_pz_flow f;

    lx->stage_in = in;
    /* the inline word and redirection arrays are filled as they are used */
    cmd.w = NULL, cmd.r = NULL;
    cmd.nw = cmd.capw = cmd.nr = cmd.capr = 0;
    cmd.out_used = 0;
    cmd.start = cmd.end = lx->s + lx->ts;
    for (;;) {
        if (c->oom) { /* out of memory: stop reading, the paste warns as incomplete */
            lx->tok = TK_EOF;
            return (struct iso_pz_flow){0};
        }
        if (lx->tok == TK_WORD && !keyword_like(lx)) break;
        if (lx->tok == TK_LP || word_is(lx, "{")) {
            int brace = lx->tok == TK_WORD;
            if (c->nest >= ISO_PZ_MAX_NEST) {
                iso_pz_report(c, lx->tx, "incomplete", "nested too deeply to be checked",
                              lx->s + lx->ts, lx->n - lx->ts, NULL, 0);
                lx->tok = TK_EOF;
                return in;
            }
            next(lx);
            c->nest++;
            f = parse_list(lx, in, brace ? STOP_BRACE : STOP_RP);
            c->nest--;
            if (brace ? word_is(lx, "}") : lx->tok == TK_RP) next(lx);
            collect(lx, &cmd, 0); /* ( ... ) > file */
            cmd.out_used = 1;
            return cmd.nr ? iso_pz_command(c, lx->tx, &cmd, f, pp) : f;
        }
        if (word_is(lx, "!") || word_is(lx, "time") || word_is(lx, "if") || word_is(lx, "then") ||
            word_is(lx, "else") || word_is(lx, "elif") || word_is(lx, "while") ||
            word_is(lx, "until") || word_is(lx, "do") || word_is(lx, "coproc")) {
            next(lx);
            cmd.start = lx->s + lx->ts;
            continue;
        }
        if (word_is(lx, "fi") || word_is(lx, "done") || word_is(lx, "esac") || word_is(lx, "}")) {
            next(lx);
            return in;
        }
        if (word_is(lx, "function")) {
            const char *name = "";
            size_t k = 0;
            next(lx);
            if (lx->tok == TK_WORD) {
                name = lx->w.v, k = lx->w.n;
                if (k > 2 && !memcmp(name + k - 2, "()", 2)) k -= 2;
                next(lx);
            }
            if (lx->tok == TK_LP) next(lx);
            if (lx->tok == TK_RP) next(lx);
            return body(lx, name, k, in, pp);
        }
        break;
    }
    if (lx->tok != TK_WORD && lx->tok != TK_REDIR) return in;
    /* name() body: a function definition */
    if (lx->tok == TK_WORD && lx->w.n > 2 && !memcmp(lx->w.v + lx->w.n - 2, "()", 2)) {
        const char *name = lx->w.v;
        size_t k = lx->w.n - 2;
        next(lx);
        return body(lx, name, k, in, pp);
    }
    collect(lx, &cmd, 1);
    /* name () body */
    if (cmd.nw == 1 && cmd.nr == 0 && lx->tok == TK_LP && empty_parens(lx)) {
        next(lx);
        next(lx);
        return body(lx, cmd.w[0].v, cmd.w[0].n, in, pp);
    }
    if (cmd.nw == 0 && cmd.nr == 0) return in;
    /* at the top of the paste, output that goes to the terminal is not read */
    cmd.out_used = lx->tok == TK_PIPE || c->nest > 0 || lx->tx->depth > 0;
    return iso_pz_command(c, lx->tx, &cmd, in, pp);
}

static struct iso_pz_flow parse_pipeline(struct lexer *lx, struct iso_pz_flow in)
{
    struct iso_pz_pipe pp;
    struct iso_pz_flow f = in;

    memset(&pp, 0, sizeof pp);
    pp.start = lx->s + lx->ts;
    for (;;) {
        f = parse_stage(lx, f, &pp);
        pp.stages++;
        if (lx->tok != TK_PIPE) break;
        next(lx);
        while (lx->tok == TK_NL) next(lx);
    }
    iso_pz_pipe_end(lx->c, lx->tx, &pp, lx->s + (lx->tok == TK_EOF ? lx->n : lx->ts));
    return f;
}

static struct iso_pz_flow parse_list(struct lexer *lx, struct iso_pz_flow in, enum stop stop)
{
    struct iso_pz_flow out = {0}, f;

    for (;;) {
        if (lx->c->oom) return out;
        switch (lx->tok) {
        case TK_EOF:
            return out;
        case TK_NL:
        case TK_SEMI:
        case TK_AMP:
        case TK_AND:
        case TK_OR:
        case TK_PIPE:
            next(lx);
            continue;
        case TK_RP:
            if (stop == STOP_RP) return out;
            next(lx);
            continue;
        default:
            break;
        }
        if (stop == STOP_BRACE && word_is(lx, "}")) return out;
        f = parse_pipeline(lx, in);
        while (lx->tok == TK_AND || lx->tok == TK_OR) {
            struct iso_pz_flow g;
            next(lx);
            while (lx->tok == TK_NL) next(lx);
            g = parse_pipeline(lx, in);
            f.t |= g.t;
            f.lit = g.lit, f.n = g.n;
        }
        out.t |= f.t;
        out.lit = f.lit;
        out.n = f.n;
    }
}

struct iso_pz_flow iso_pz_parse(struct iso_pz_ctx *c, const struct iso_pz_text *tx,
                                struct iso_pz_flow in)
{
    struct lexer lx;

    memset(&lx, 0, sizeof lx);
    lx.c = c;
    lx.tx = tx;
    lx.s = tx->s;
    lx.n = tx->n;
    lx.hd_nl = NONE;
    /* room for the longest word, plus variables the paste set expanding in it */
    lx.sbcap = tx->n + tx->n / 4 + 256;
    lx.sb = iso_pz_alloc(c, lx.sbcap);
    if (!lx.sb) return (struct iso_pz_flow){0};
    next(&lx);
    return parse_list(&lx, in, STOP_EOF);
}

struct iso_pz_flow iso_pz_run_shell(struct iso_pz_ctx *c, const struct iso_pz_text *tx,
                                    const char *at, const char *code, size_t n, const char *where,
                                    struct iso_pz_flow in)
{
    struct iso_pz_text t;

    if (n == 0) return (struct iso_pz_flow){0};
    if (tx->depth + 1 > ISO_PZ_MAX_DEPTH) {
        /* The code itself is shown: n is its length, not that of the text
         * at `at` (a word whose known output is longer than the word). */
        iso_pz_report(c, tx, "incomplete", "code inside code nested too deeply to be checked", code,
                      n < 80 ? n : 80, NULL, 0);
        return in;
    }
    t.s = code;
    t.n = n;
    t.depth = tx->depth + 1;
    t.line = iso_pz_line_of(c, tx, at);
    t.where = where ? where : tx->where;
    /* Code already seen as part of the paste keeps its own line numbers. */
    return iso_pz_parse(c, &t, in);
}
