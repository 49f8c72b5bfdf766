/*
 * paste_int.h - declarations shared by the files of the paste classifier:
 *   paste.c        driver: reading, memory, findings, output
 *   paste_lex.c    the shell reader: words, quotes, lists, pipelines, flow
 *   paste_cmd.c    one command: its name, wrappers, assignments, redirections
 *   paste_fetch.c  downloads, and the files they write
 *   paste_exec.c   decoders, and what executes code (shells, interpreters, eval)
 *   paste_rules.c  destruction, persistence, privilege, credentials, network
 *   paste_code.c   one-liners of other languages (python -c, osascript -e ...)
 *   paste_text.c   hidden characters, host names, and the decoders
 * Nothing here is visible outside libisolate.
 */
#ifndef ISOLATE_PASTE_INT_H
#define ISOLATE_PASTE_INT_H

#include "paste.h"

#include <stddef.h>
#include <string.h>

/* What flows between commands: taint bits plus the bytes when they are known
 * (echo, printf, here-strings, and what a decoder made of those). */
enum {
    ISO_PZ_NET = 1,     /* fetched from the network */
    ISO_PZ_DECODED = 2, /* produced by a decoder (base64, hex, rev, escapes ...) */
    ISO_PZ_SECRET = 4,  /* credentials: key files, tokens, the environment */
};

struct iso_pz_flow {
    unsigned t;
    const char *lit; /* known bytes, or NULL */
    size_t n;
};

/* Word flags */
enum {
    PW_QUOTED = 1,   /* some part was quoted or escaped */
    PW_SUBST = 2,    /* holds $(...) or `...` */
    PW_PROCSUB = 4,  /* the word is a process substitution <(...) */
    PW_VAR = 8,      /* holds an expansion left unresolved ($x, ${x}) */
    PW_ESCAPES = 16, /* $'...' spelling letters as \x, \NNN or \u escapes */
    PW_IFS = 32,     /* uses $IFS (as a space, usually) */
    PW_GLOB = 64,    /* unquoted * ? or [ */
    PW_EMPTY = 128,  /* $@ or $* glued to letters: expands to nothing */
};

struct iso_pz_word {
    const char *raw; /* span in the text being read */
    size_t rawn;
    const char *v; /* value with quoting removed; expansions as written */
    size_t n;
    unsigned t;      /* taint from substitutions and variables */
    unsigned f;      /* PW_* */
    const char *lit; /* the word is one substitution whose output is known */
    size_t litn;
};

enum { PR_IN, PR_OUT, PR_APPEND, PR_DUP, PR_HERESTR, PR_HEREDOC, PR_INOUT };

struct iso_pz_redir {
    int op;               /* PR_* */
    int fd;               /* the descriptor redirected; -1 for &> (both) */
    struct iso_pz_word w; /* target; for here-documents the body */
};

struct iso_pz_cmd {
    struct iso_pz_word *w;
    unsigned nw, capw;
    struct iso_pz_redir *r;
    unsigned nr, capr;
    const char *start, *end; /* raw span of the whole command */
    int out_used;            /* its output may be read (a pipe, a substitution) */
    /* most commands fit here; longer ones move to the arena */
    struct iso_pz_word inl_w[8];
    struct iso_pz_redir inl_r[2];
};

/* One piece of text read as shell code: the paste itself, or a string the
 * paste runs (sh -c, eval, decoded payloads ...). */
struct iso_pz_text {
    const char *s;
    size_t n;
    int depth;         /* 0 for the paste */
    unsigned line;     /* line of the paste this text came from */
    const char *where; /* reported with findings inside it, or NULL */
};

/* State of one pipeline, for rules that look at all its commands. */
struct iso_pz_pipe {
    unsigned stages;
    unsigned net_tool;    /* a stage talks to the network (nc, telnet, socat ...) */
    unsigned shell_stdin; /* a stage is a shell reading its standard input */
    unsigned self_calls;  /* stages that call a function the paste defines */
    const char *start;
};

#define ISO_PZ_MAX_DEPTH 5 /* strings run by strings run by ... */
#define ISO_PZ_MAX_NEST 48 /* subshells and substitutions inside one text */
#define ISO_PZ_VARS 32
#define ISO_PZ_FILES 16
#define ISO_PZ_VAL 160

struct iso_pz_block;

struct iso_pz_ctx {
    struct iso_paste_result *res;
    const char *top;
    size_t topn;
    /* memory: a chain of blocks, all freed at the end */
    struct iso_pz_block *blocks;
    char *cur;
    size_t left, total, limit;
    int oom;
    unsigned nest;
    const char *line_at; /* iso_pz_line_of(): where it last counted, and the line there */
    unsigned line_no;
    /* variables assigned in the paste: name, value when literal, taint */
    struct {
        char name[32];
        char val[ISO_PZ_VAL];
        unsigned short n;
        unsigned char known;
        unsigned t;
    } vars[ISO_PZ_VARS];
    unsigned nvars;
    /* files the paste downloaded (or wrote from tainted data) */
    struct {
        char path[ISO_PZ_VAL];
        unsigned short len, base; /* of path, and where its last component starts */
        unsigned t;
        /* a program download, reported at the end unless the paste reads
         * the file first (less install.sh) */
        unsigned char program, viewed;
        unsigned line;
        const char *where, *m;
        size_t mn;
    } files[ISO_PZ_FILES];
    unsigned nfiles;
    char func[32]; /* the function whose body is being read, or "" */
};

/* paste.c */
void *iso_pz_alloc(struct iso_pz_ctx *c, size_t n);
void iso_pz_report(struct iso_pz_ctx *c, const struct iso_pz_text *tx, const char *rule,
                   const char *why, const char *m, size_t mn, const char *dec, size_t dn);
unsigned iso_pz_line_of(struct iso_pz_ctx *c, const struct iso_pz_text *tx, const char *p);

/* paste_lex.c */
struct iso_pz_flow iso_pz_parse(struct iso_pz_ctx *c, const struct iso_pz_text *tx,
                                struct iso_pz_flow in);
/* Reads code[0..n) as shell code run by the paste (sh -c, eval ...), one
 * level deeper than tx; at is where it appears, for line numbers. */
struct iso_pz_flow iso_pz_run_shell(struct iso_pz_ctx *c, const struct iso_pz_text *tx,
                                    const char *at, const char *code, size_t n, const char *where,
                                    struct iso_pz_flow in);
struct iso_pz_var_lookup {
    const char *v;
    size_t n;
    unsigned t;
    int known;
};
int iso_pz_var_get(const struct iso_pz_ctx *c, const char *name, size_t n,
                   struct iso_pz_var_lookup *out);
void iso_pz_var_set(struct iso_pz_ctx *c, const char *name, size_t n, const char *v, size_t vn,
                    int known, unsigned t);

/* paste_code.c */
enum iso_pz_lang {
    ISO_PZ_PY,
    ISO_PZ_PERL,
    ISO_PZ_RUBY,
    ISO_PZ_JS,
    ISO_PZ_PHP,
    ISO_PZ_LUA,
    ISO_PZ_APPLESCRIPT,
    ISO_PZ_POWERSHELL,
    ISO_PZ_AWK,
    ISO_PZ_OTHER,
};
/* Returns 1 when the code runs what is piped into it. */
int iso_pz_scan_code(struct iso_pz_ctx *c, const struct iso_pz_text *tx, const char *at, size_t atn,
                     const char *code, size_t n, enum iso_pz_lang lang);

/* paste_text.c */
void iso_pz_scan_hidden(struct iso_pz_ctx *c);
size_t iso_pz_utf8(const unsigned char *s, size_t n, unsigned *cp);
/* Decoders: write at most n bytes to out (which has room for n), return the
 * length written, or (size_t)-1 when src is not in that encoding. */
size_t iso_pz_dec_base64(const char *src, size_t n, char *out);
size_t iso_pz_dec_base32(const char *src, size_t n, char *out);
size_t iso_pz_dec_hex(const char *src, size_t n, char *out);
size_t iso_pz_dec_escapes(const char *src, size_t n, char *out, unsigned *letters);
size_t iso_pz_dec_utf16le(const char *src, size_t n, char *out);
size_t iso_pz_dec_punycode(const char *src, size_t n, char *out, size_t cap);
void iso_pz_rev_lines(const char *src, size_t n, char *out);

/* small string helpers (paste_text.c) */
/* memchr and memcmp: faster than memmem on the short words of a command */
static inline const char *iso_pz_memmem(const char *h, size_t hn, const char *needle)
{
    size_t k = strlen(needle);
    const char *p;

    if (k == 0) return h;
    while (hn >= k && (p = memchr(h, needle[0], hn - k + 1))) {
        if (!memcmp(p, needle, k)) return p;
        hn -= (size_t)(p + 1 - h);
        h = p + 1;
    }
    return NULL;
}
const char *iso_pz_memcasemem(const char *h, size_t hn, const char *needle);
static inline int iso_pz_eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !memcmp(s, lit, n);
}
int iso_pz_caseeq(const char *s, size_t n, const char *lit);
/* strspn bounded by n: a word's value may lie in the text, unterminated, and
 * may hold NUL bytes of its own. */
static inline size_t iso_pz_span(const char *s, size_t n, const char *set)
{
    size_t i = 0;
    while (i < n && s[i] && strchr(set, s[i])) i++;
    return i;
}
static inline int iso_pz_prefix(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && !memcmp(s, lit, k);
}

/* ---- one command being judged (paste_cmd.c builds it) ---------------------- */

struct iso_pz_rc {
    struct iso_pz_ctx *c;
    const struct iso_pz_text *tx;
    struct iso_pz_cmd *cmd;
    struct iso_pz_pipe *pp;
    struct iso_pz_flow in; /* what its standard input carries */
    unsigned k;            /* index of the command word */
    char name[32];         /* its base name, lower case, without .exe */
    int from_stdin;        /* arguments come from standard input (xargs) */
};

/* The words of the command being judged, in functions taking struct iso_pz_rc *r. */
#define W(i) (&r->cmd->w[i])
#define NW (r->cmd->nw)

/* Rule names: stable, for the shell hooks. */
#define R_DL_SHELL "download-to-shell"
#define R_DL_INTERP "download-to-interpreter"
#define R_DL_EXEC "download-exec"
#define R_DEC_SHELL "decode-to-shell"
#define R_PERSIST "persistence"
#define R_DESTROY "destructive"
#define R_PRIV "privilege"
#define R_HIST "history-tampering"
#define R_EXFIL "credential-exfiltration"
#define R_REVSHELL "reverse-shell"
#define R_OBF "obfuscation"
#define Y_DL_SHELL "runs text downloaded from the network as shell commands"
#define Y_DL_INTERP "runs code downloaded from the network with an interpreter"
#define Y_DEC_SHELL "runs text that was encoded so it could not be read"
#define Y_HIST "hides commands from the shell history"
#define Y_EXFIL "sends credentials (keys, tokens, the environment) to a remote host"

static inline int wis(const struct iso_pz_word *w, const char *lit)
{
    return iso_pz_eq(w->v, w->n, lit);
}

static inline int wpre(const struct iso_pz_word *w, const char *lit)
{
    return iso_pz_prefix(w->v, w->n, lit);
}

static inline int is_opt(const struct iso_pz_word *w)
{
    return w->n > 1 && w->v[0] == '-';
}

/* -xyz holds the flag f */
static inline int has_flag(const struct iso_pz_word *w, char f)
{
    return is_opt(w) && w->v[1] != '-' && memchr(w->v + 1, f, w->n - 1);
}

/* One option or operand, walked GNU-style by iso_pz_next_opt(). */
struct iso_pz_opt {
    unsigned i;    /* index of the option word */
    char s;        /* short name, or 0 */
    const char *l; /* long name (not NUL-terminated), or NULL */
    size_t ln;
    const struct iso_pz_word *val; /* its value (valid until the next call), or the operand */
    struct iso_pz_word inl;
};

static inline int lis(const struct iso_pz_opt *o, const char *name)
{
    return o->l && iso_pz_eq(o->l, o->ln, name);
}

/* paste_cmd.c: the command, its redirections and wrappers */
struct iso_pz_flow iso_pz_command(struct iso_pz_ctx *c, const struct iso_pz_text *tx,
                                  struct iso_pz_cmd *cmd, struct iso_pz_flow in,
                                  struct iso_pz_pipe *pp);
void iso_pz_pipe_end(struct iso_pz_ctx *c, const struct iso_pz_text *tx,
                     const struct iso_pz_pipe *pp, const char *end);
int iso_pz_kinds_sorted(void);
size_t iso_pz_assign_eq(const struct iso_pz_word *w);

/* paste_rules.c: helpers, and destruction, persistence, privilege,
 * credentials and network families */
int iso_pz_in_list(const char *s, const char *const *list);
int iso_pz_in_list_n(const char *s, size_t n, const char *const *list);
void iso_pz_hit(struct iso_pz_rc *r, const char *rule, const char *why);
void iso_pz_hit_pipe(struct iso_pz_rc *r, const char *rule, const char *why);
void iso_pz_hit_dec(struct iso_pz_rc *r, const char *rule, const char *why, const char *d,
                    size_t dn);
size_t iso_pz_home_path(const char *v, size_t n, char *out, size_t cap);
const char *iso_pz_base_of(const char *p, size_t n, size_t *bn);
int iso_pz_secret_var(const char *name, size_t n);
int iso_pz_secret_path(const char *v, size_t n);
void iso_pz_write_target(struct iso_pz_rc *r, const struct iso_pz_word *w, int append);
int iso_pz_any_word(struct iso_pz_rc *r, const char *lit, int nocase);
int iso_pz_any_sub(struct iso_pz_rc *r, const char *lit);
int iso_pz_vital(const char *v, size_t n);
void iso_pz_rm(struct iso_pz_rc *r);
void iso_pz_find_delete(struct iso_pz_rc *r);
void iso_pz_perms(struct iso_pz_rc *r);
void iso_pz_devices_arg(struct iso_pz_rc *r, const char *why);
void iso_pz_crontab(struct iso_pz_rc *r);
struct iso_pz_flow iso_pz_network(struct iso_pz_rc *r);
void iso_pz_transfer(struct iso_pz_rc *r);
void iso_pz_assignment(struct iso_pz_rc *r, const struct iso_pz_word *w, size_t eq);
void iso_pz_builtins(struct iso_pz_rc *r);
void iso_pz_system_changes(struct iso_pz_rc *r);

/* paste_fetch.c: downloads and the files they write */
int iso_pz_next_opt(struct iso_pz_rc *r, unsigned *pos, const char *sval, const char *const *lval,
                    struct iso_pz_opt *o, int *ended);
int iso_pz_file_find(const struct iso_pz_ctx *c, const char *v, size_t n);
unsigned iso_pz_file_taint(const struct iso_pz_ctx *c, const char *v, size_t n);
unsigned iso_pz_file_add(struct iso_pz_ctx *c, const char *v, size_t n, unsigned t);
void iso_pz_files_end(struct iso_pz_ctx *c);
int iso_pz_temp_dir(const char *v, size_t n);
void iso_pz_saved(struct iso_pz_rc *r, const char *dir, size_t dn, const char *name, size_t nn,
                  const struct iso_pz_word *url, unsigned t);
struct iso_pz_flow iso_pz_dl_curl(struct iso_pz_rc *r, int is_wget);
struct iso_pz_flow iso_pz_dl_other(struct iso_pz_rc *r, const char *out_opt, int to_file);
struct iso_pz_flow iso_pz_dl_windows(struct iso_pz_rc *r);

/* paste_exec.c: decoders, literal text, and what executes code */
struct iso_pz_flow iso_pz_decoder(struct iso_pz_rc *r);
struct iso_pz_flow iso_pz_literal(struct iso_pz_rc *r, int is_printf);
void iso_pz_tainted_code(struct iso_pz_rc *r, unsigned t, int shell);
void iso_pz_stdin_code(struct iso_pz_rc *r, int shell, enum iso_pz_lang lang);
struct iso_pz_flow iso_pz_shell(struct iso_pz_rc *r);
struct iso_pz_flow iso_pz_eval(struct iso_pz_rc *r);
struct iso_pz_flow iso_pz_interpreter(struct iso_pz_rc *r);
struct iso_pz_flow iso_pz_powershell(struct iso_pz_rc *r);

#endif
