/*
 * paste_fetch.c - downloads: curl, wget and their kin, PowerShell's
 * Invoke-WebRequest, certutil and bitsadmin. A download is a source of taint:
 * its bytes are not what the paste shows. What matters is where they go: to
 * standard output (then to whatever reads the pipe), or to a file, which is
 * remembered so that running, installing or reading it later is seen.
 */
#include "paste_int.h"

#include <string.h>

/* ---- files the paste downloads -------------------------------------------- */

static int norm_file(const char *v, size_t n, char *out)
{
    char tmp[ISO_PZ_VAL];
    size_t k = iso_pz_home_path(v, n, tmp, sizeof tmp), a = 0;
    while (k - a > 2 && tmp[a] == '.' && tmp[a + 1] == '/') a += 2;
    memcpy(out, tmp + a, k - a + 1);
    return (int)(k - a);
}

/* Index of a file the paste wrote earlier (downloaded, decoded), or -1. */
int iso_pz_file_find(const struct iso_pz_ctx *c, const char *v, size_t n)
{
    char p[ISO_PZ_VAL];
    size_t k, bn;
    const char *b;

    if (c->nfiles == 0 || n == 0) return -1;
    /* the last component is the same however the directory is written */
    b = iso_pz_base_of(v, n, &bn);
    for (k = 0; k < c->nfiles; k++)
        if ((size_t)(c->files[k].len - c->files[k].base) == bn &&
            !memcmp(c->files[k].path + c->files[k].base, b, bn))
            break;
    if (k == c->nfiles) return -1;
    k = (size_t)norm_file(v, n, p);
    b = iso_pz_base_of(p, k, &bn);
    /* the same path, or the same name where one of them names no directory */
    for (unsigned i = c->nfiles; i-- > 0;) {
        const char *f = c->files[i].path;
        size_t fn = c->files[i].len, fb = c->files[i].base;
        if (fn == k && !memcmp(p, f, k)) return (int)i;
        if (bn && fn - fb == bn && (b == p || fb == 0) && !memcmp(b, f + fb, bn)) return (int)i;
    }
    return -1;
}

unsigned iso_pz_file_taint(const struct iso_pz_ctx *c, const char *v, size_t n)
{
    int i = iso_pz_file_find(c, v, n);
    return i < 0 ? 0 : c->files[i].t;
}

static const char Y_DL_PROGRAM[] =
    "downloads a program or script: running it later runs code no one has read";

static void report_program(struct iso_pz_ctx *c, unsigned i)
{
    struct iso_pz_text t = {.line = c->files[i].line, .where = c->files[i].where};

    if (c->files[i].program && !c->files[i].viewed)
        iso_pz_report(c, &t, "download-program", Y_DL_PROGRAM, c->files[i].m, c->files[i].mn, NULL,
                      0);
    c->files[i].program = 0;
}

unsigned iso_pz_file_add(struct iso_pz_ctx *c, const char *v, size_t n, unsigned t)
{
    unsigned i = c->nfiles < ISO_PZ_FILES ? c->nfiles++ : ISO_PZ_FILES - 1;
    if (i == ISO_PZ_FILES - 1) report_program(c, i);
    if (n >= ISO_PZ_VAL - 1) n = ISO_PZ_VAL - 2;
    memset(&c->files[i], 0, sizeof c->files[i]);
    c->files[i].len = (unsigned short)norm_file(v, n, c->files[i].path);
    c->files[i].base =
        (unsigned short)(iso_pz_base_of(c->files[i].path, c->files[i].len, &n) - c->files[i].path);
    c->files[i].t = t;
    return i;
}

void iso_pz_files_end(struct iso_pz_ctx *c)
{
    for (unsigned i = 0; i < c->nfiles; i++) report_program(c, i);
}

/* Program and script file types, by extension. */
static int program_ext(const char *b, size_t bn)
{
    static const char *const ext[] = {
        "sh",   "bash", "zsh",      "ksh",  "command",     "tool", "py",  "pyw", "pl",
        "rb",   "php",  "js",       "mjs",  "vbs",         "vbe",  "jse", "wsf", "wsh",
        "hta",  "ps1",  "psm1",     "bat",  "cmd",         "exe",  "dll", "scr", "msi",
        "msix", "cpl",  "jar",      "apk",  "bin",         "elf",  "run", "so",  "dylib",
        "dmg",  "pkg",  "appimage", "scpt", "applescript", "lnk",  NULL};
    const char *dot = NULL;
    char e[16];
    size_t en;

    for (size_t i = 0; i < bn; i++)
        if (b[i] == '.') dot = b + i;
    if (!dot) return 0;
    en = bn - (size_t)(dot + 1 - b);
    if (en == 0 || en >= sizeof e) return 0;
    for (size_t i = 0; i < en; i++)
        e[i] = dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ? dot[1 + i] + 32 : dot[1 + i];
    e[en] = 0;
    return iso_pz_in_list(e, ext);
}

int iso_pz_temp_dir(const char *v, size_t n)
{
    return iso_pz_prefix(v, n, "/tmp/") || iso_pz_prefix(v, n, "/var/tmp/") ||
           iso_pz_prefix(v, n, "/dev/shm/") || iso_pz_prefix(v, n, "/private/tmp/") ||
           iso_pz_prefix(v, n, "$TMPDIR/") || iso_pz_prefix(v, n, "${TMPDIR}/") ||
           iso_pz_prefix(v, n, "/Users/Shared/");
}

void iso_pz_write_target(struct iso_pz_rc *r, const struct iso_pz_word *w, int append);

/* A download saved to a file: remembered, so that running it later is seen,
 * and reported at once when it is a program. */
void iso_pz_saved(struct iso_pz_rc *r, const char *dir, size_t dn, const char *name, size_t nn,
                  const struct iso_pz_word *url, unsigned t)
{
    char p[ISO_PZ_VAL];
    size_t k = 0, bn;
    unsigned i;
    const char *b;

    if (!name && url) { /* the name the server's path gives */
        const char *u = url->v, *e = url->v + url->n, *q = memchr(u, '?', url->n), *sch;
        if (q) e = q;
        if ((q = memchr(u, '#', (size_t)(e - u)))) e = q;
        if ((sch = iso_pz_memmem(u, (size_t)(e - u), "://"))) u = sch + 3;
        name = iso_pz_base_of(u, (size_t)(e - u), &nn);
        if (!memchr(u, '/', (size_t)(e - u)) || nn == 0) name = "index.html", nn = 10;
    }
    if (!name) return;
    if (dir && dn && dn + 1 < sizeof p) {
        memcpy(p, dir, dn);
        k = dn;
        if (p[k - 1] != '/') p[k++] = '/';
    }
    if (nn > sizeof p - k - 1) nn = sizeof p - k - 1;
    memcpy(p + k, name, nn);
    k += nn;
    p[k] = 0;
    i = iso_pz_file_add(r->c, p, k, t);
    b = iso_pz_base_of(p, k, &bn);
    if (program_ext(b, bn) || (iso_pz_temp_dir(p, k) && !memchr(b, '.', bn))) {
        struct iso_pz_ctx *c = r->c;
        c->files[i].program = 1;
        c->files[i].line = iso_pz_line_of(c, r->tx, r->cmd->start);
        c->files[i].where = r->tx->where;
        c->files[i].m = r->cmd->start;
        c->files[i].mn = (size_t)(r->cmd->end - r->cmd->start);
    }
    {
        struct iso_pz_word fw = {.raw = p, .rawn = k, .v = p, .n = k};
        iso_pz_write_target(r, &fw, 0);
    }
}

/* ---- downloads -------------------------------------------------------------
 * A download is a source of taint: its bytes are not what the paste shows.
 * What matters is where they go: to standard output (then to whatever reads
 * the pipe), or to a file (remembered, and reported when it is a program).
 * Upload options are checked here too, for credential exfiltration. */

/* Short options taking a value, and long ones (without --). */
static const char curl_val[] = "odDHXuAeEbcTFwxmKrYyzCtUPQ";
static const char *const curl_long[] = {"output",
                                        "data",
                                        "data-binary",
                                        "data-raw",
                                        "data-ascii",
                                        "data-urlencode",
                                        "json",
                                        "header",
                                        "request",
                                        "user",
                                        "user-agent",
                                        "referer",
                                        "cert",
                                        "key",
                                        "cacert",
                                        "capath",
                                        "cookie",
                                        "cookie-jar",
                                        "upload-file",
                                        "form",
                                        "form-string",
                                        "write-out",
                                        "proxy",
                                        "proxy-user",
                                        "max-time",
                                        "config",
                                        "range",
                                        "continue-at",
                                        "connect-timeout",
                                        "retry",
                                        "retry-delay",
                                        "retry-max-time",
                                        "resolve",
                                        "connect-to",
                                        "url",
                                        "output-dir",
                                        "limit-rate",
                                        "interface",
                                        "dns-servers",
                                        "max-filesize",
                                        "max-redirs",
                                        "dump-header",
                                        "trace",
                                        "trace-ascii",
                                        "stderr",
                                        "oauth2-bearer",
                                        "unix-socket",
                                        "socks5",
                                        "socks5-hostname",
                                        "preproxy",
                                        "local-port",
                                        "proxy-header",
                                        "aws-sigv4",
                                        "variable",
                                        "ciphers",
                                        "pinnedpubkey",
                                        "cert-type",
                                        "key-type",
                                        "netrc-file",
                                        "happy-eyeballs-timeout-ms",
                                        "proto",
                                        "proto-redir",
                                        NULL};
static const char wget_val[] = "oaeiBtOTwQPlARDXIU";
static const char *const wget_long[] = {"output-document",
                                        "output-file",
                                        "append-output",
                                        "directory-prefix",
                                        "user",
                                        "password",
                                        "post-data",
                                        "post-file",
                                        "body-data",
                                        "body-file",
                                        "method",
                                        "header",
                                        "user-agent",
                                        "tries",
                                        "timeout",
                                        "wait",
                                        "level",
                                        "accept",
                                        "reject",
                                        "domains",
                                        "input-file",
                                        "base",
                                        "execute",
                                        "load-cookies",
                                        "save-cookies",
                                        "referer",
                                        "limit-rate",
                                        "quota",
                                        "ca-certificate",
                                        "certificate",
                                        "private-key",
                                        "http-user",
                                        "http-password",
                                        "ftp-user",
                                        "ftp-password",
                                        "proxy-user",
                                        "proxy-password",
                                        "bind-address",
                                        "restrict-file-names",
                                        "progress",
                                        "secure-protocol",
                                        "config",
                                        "dns-servers",
                                        "cut-dirs",
                                        "include-directories",
                                        "exclude-directories",
                                        "backups",
                                        "default-page",
                                        "wait-retry",
                                        NULL};

/* Walks options GNU-style. Returns 1 with *o filled for each option or
 * operand (s == 0 && l == NULL), 0 at the end. */
int iso_pz_next_opt(struct iso_pz_rc *r, unsigned *pos, const char *sval, const char *const *lval,
                    struct iso_pz_opt *o, int *ended)
{
    unsigned i = *pos;
    const struct iso_pz_word *w;

    if (i >= NW) return 0;
    w = W(i);
    memset(o, 0, sizeof *o);
    o->i = i;
    *pos = i + 1;
    if (*ended || !is_opt(w) || w->f & PW_PROCSUB) {
        o->val = w; /* operand */
        return 1;
    }
    if (wis(w, "--")) {
        *ended = 1;
        return iso_pz_next_opt(r, pos, sval, lval, o, ended);
    }
    if (w->v[1] == '-') {
        const char *eq = memchr(w->v, '=', w->n);
        o->l = w->v + 2;
        o->ln = eq ? (size_t)(eq - o->l) : w->n - 2;
        if (eq) {
            o->inl = *w;
            o->inl.v = eq + 1;
            o->inl.n = w->n - (size_t)(eq + 1 - w->v);
            o->val = &o->inl;
        } else {
            for (int k = 0; lval && lval[k]; k++)
                if (iso_pz_eq(o->l, o->ln, lval[k])) {
                    if (i + 1 < NW) o->val = W(i + 1), *pos = i + 2;
                    break;
                }
        }
        return 1;
    }
    /* a bundle of short options: only the last may take a value */
    for (size_t j = 1; j < w->n; j++) {
        if (sval && w->v[j] && strchr(sval, w->v[j])) {
            o->s = w->v[j];
            if (j + 1 < w->n) {
                o->inl = *w;
                o->inl.v = w->v + j + 1;
                o->inl.n = w->n - j - 1;
                o->val = &o->inl;
            } else if (i + 1 < NW) {
                o->val = W(i + 1);
                *pos = i + 2;
            }
            return 1;
        }
    }
    /* flags only: the last one stands for them; a NUL byte pasted there must
     * not make the option look like an operand (s == 0), which has a value */
    o->s = w->v[w->n - 1] ? w->v[w->n - 1] : '\x7f';
    o->inl = *w;
    o->val = NULL;
    return 1;
}

/* Data sent with an upload option: a file (@path, -T path) or the word. */
static void upload(struct iso_pz_rc *r, const struct iso_pz_word *v, int is_file)
{
    const char *p = v->v;
    size_t n = v->n;
    const char *at = memchr(p, '@', n), *lt = memchr(p, '<', n);

    if (!is_file && (at == p || ((at || lt) && memchr(p, '=', n)))) {
        const char *f = at == p ? at : (at ? at : lt);
        n -= (size_t)(f + 1 - p);
        p = f + 1;
        is_file = 1;
    }
    if (is_file) {
        if ((iso_pz_eq(p, n, "-") || iso_pz_eq(p, n, "/dev/stdin") || iso_pz_eq(p, n, ".")) &&
            (r->in.t & ISO_PZ_SECRET))
            iso_pz_hit_pipe(r, R_EXFIL, Y_EXFIL);
        else if (iso_pz_secret_path(p, n))
            iso_pz_hit(r, R_EXFIL, Y_EXFIL);
    }
    if (v->t & ISO_PZ_SECRET) iso_pz_hit(r, R_EXFIL, Y_EXFIL);
}

struct iso_pz_flow iso_pz_dl_curl(struct iso_pz_rc *r, int is_wget)
{
    unsigned pos = r->k + 1;
    int ended = 0, remote_name = 0, any = r->from_stdin;
    const struct iso_pz_word *out = NULL, *dir = NULL, *url = NULL;
    struct iso_pz_word outw, dirw, urlw; /* inline values live in o, which is reused */
    struct iso_pz_opt o;

    while (iso_pz_next_opt(r, &pos, is_wget ? wget_val : curl_val, is_wget ? wget_long : curl_long,
                           &o, &ended)) {
        const struct iso_pz_word *v = o.val;
        if (!o.s && !o.l) { /* an operand: a URL */
            any = 1;
            if (!url || iso_pz_memmem(v->v, v->n, "://")) url = v;
            if (v->t & ISO_PZ_SECRET) iso_pz_hit(r, R_EXFIL, Y_EXFIL);
            continue;
        }
        if (is_wget) {
            if (v && (o.s == 'O' || lis(&o, "output-document")))
                outw = *v, out = &outw;
            else if (v && (o.s == 'P' || lis(&o, "directory-prefix")))
                dirw = *v, dir = &dirw;
            else if (o.s == 'i' || lis(&o, "input-file"))
                any = 1;
            else if (v && (lis(&o, "post-file") || lis(&o, "body-file")))
                upload(r, v, 1);
            else if (v && (lis(&o, "post-data") || lis(&o, "body-data")))
                upload(r, v, 0);
        } else {
            if (v && (o.s == 'o' || lis(&o, "output")))
                outw = *v, out = &outw;
            else if (v && lis(&o, "output-dir"))
                dirw = *v, dir = &dirw;
            else if (lis(&o, "url") && v)
                any = 1, urlw = *v, url = &urlw;
            else if (v && (o.s == 'T' || lis(&o, "upload-file")))
                upload(r, v, 1);
            else if (v &&
                     (o.s == 'd' || o.s == 'F' || iso_pz_prefix(o.l ? o.l : "", o.ln, "data") ||
                      lis(&o, "form") || lis(&o, "form-string") || lis(&o, "json")))
                upload(r, v, 0);
            if (lis(&o, "remote-name") || lis(&o, "remote-name-all") ||
                (o.i < NW && has_flag(W(o.i), 'O')))
                remote_name = 1;
        }
    }
    if (!any) return r->in; /* curl --version */
    if (out && !wis(out, "-") && !wis(out, "/dev/stdout")) {
        iso_pz_saved(r, dir ? dir->v : NULL, dir ? dir->n : 0, out->v, out->n, url, ISO_PZ_NET);
        return (struct iso_pz_flow){0};
    }
    if (!out && (is_wget || remote_name)) {
        iso_pz_saved(r, dir ? dir->v : NULL, dir ? dir->n : 0, NULL, 0, url, ISO_PZ_NET);
        return (struct iso_pz_flow){0};
    }
    return (struct iso_pz_flow){.t = ISO_PZ_NET | (r->in.t & ISO_PZ_SECRET)};
}

/* Other downloaders: value of an output option, else a file named after the
 * URL, else standard output. */
struct iso_pz_flow iso_pz_dl_other(struct iso_pz_rc *r, const char *out_opt, int to_file)
{
    const struct iso_pz_word *url = NULL, *out = NULL;

    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        if (out_opt && iso_pz_caseeq(w->v, w->n, out_opt) && i + 1 < NW) {
            out = W(++i);
            continue;
        }
        if (iso_pz_caseeq(w->v, w->n, "-Uri") && i + 1 < NW) w = W(++i);
        if (!is_opt(w) && (!url || iso_pz_memmem(w->v, w->n, "://"))) url = w;
        if (w->t & ISO_PZ_SECRET) iso_pz_hit(r, R_EXFIL, Y_EXFIL);
    }
    if (!url && !r->from_stdin) return r->in;
    if (out && (wis(out, "-") || wis(out, "/dev/stdout"))) out = NULL, to_file = 0;
    if (out || to_file) {
        iso_pz_saved(r, NULL, 0, out ? out->v : NULL, out ? out->n : 0, url, ISO_PZ_NET);
        return (struct iso_pz_flow){0};
    }
    return (struct iso_pz_flow){.t = ISO_PZ_NET};
}

/* Windows living-off-the-land downloaders: certutil -urlcache, bitsadmin. */
struct iso_pz_flow iso_pz_dl_windows(struct iso_pz_rc *r)
{
    int urlcache = 0, decode = 0;
    const struct iso_pz_word *url = NULL, *file = NULL;

    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        if (iso_pz_caseeq(w->v + (w->n > 0), w->n ? w->n - 1 : 0, "urlcache") ||
            iso_pz_caseeq(w->v + (w->n > 0), w->n ? w->n - 1 : 0, "transfer"))
            urlcache = 1;
        else if (iso_pz_memcasemem(w->v, w->n, "decode"))
            decode = 1;
        else if (iso_pz_memmem(w->v, w->n, "://"))
            url = w;
        else if ((url || decode) && !is_opt(w) && w->v[0] != '/')
            file = w;
    }
    if (url && (urlcache || !decode)) {
        iso_pz_saved(r, NULL, 0, file ? file->v : NULL, file ? file->n : 0, url, ISO_PZ_NET);
        return (struct iso_pz_flow){0};
    }
    if (decode && file) iso_pz_file_add(r->c, file->v, file->n, ISO_PZ_DECODED);
    return r->in;
}
