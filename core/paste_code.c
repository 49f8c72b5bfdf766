/*
 * paste_code.c - one-liners of other languages: python -c, perl -e, ruby -e,
 * node -e, php -r, osascript -e, PowerShell -Command, awk programs.
 *
 * No parser per language: the threats have few spellings, and the code is
 * short. What is looked for is a combination, never one word:
 *   - fetching code and evaluating it (urlopen + exec, LWP + eval,
 *     DownloadString + iex): the interpreter form of curl | sh;
 *   - decoding and evaluating (b64decode + exec, FromBase64String + iex);
 *   - a socket together with a shell or descriptor duplication: a reverse
 *     shell; awk's /inet/tcp;
 *   - fork in a loop: a fork bomb;
 *   - AppleScript's fake password dialog ("with hidden answer"), its
 *     "with administrator privileges" and login items;
 *   - strings handed to a shell (os.system, do shell script, backticks):
 *     read as shell code by the rest of the classifier.
 */
#include "paste_int.h"

#include <string.h>

static const char *const fetch_words[] = {"urlopen",
                                          "urllib",
                                          "requests.get",
                                          "requests.post",
                                          "requests.request",
                                          "httpx.",
                                          "http.client",
                                          "httplib",
                                          "Net::HTTP",
                                          "open-uri",
                                          "URI.open",
                                          "LWP::",
                                          "HTTP::Tiny",
                                          "file_get_contents",
                                          "curl_exec",
                                          "fetch(",
                                          "https.get",
                                          "http.get",
                                          "http.request",
                                          "XMLHttpRequest",
                                          "axios",
                                          "WebClient",
                                          "DownloadString",
                                          "DownloadFile",
                                          "DownloadData",
                                          "Invoke-WebRequest",
                                          "Invoke-RestMethod",
                                          "Start-BitsTransfer",
                                          "XMLHTTP",
                                          "WinHttp",
                                          "socket.http",
                                          "urlretrieve",
                                          NULL};
static const char *const fetch_short[] = {"iwr", "irm", "curl", "wget", NULL};
static const char *const eval_words[] = {"exec(",
                                         "eval(",
                                         "eval ",
                                         "instance_eval",
                                         "class_eval",
                                         "module_eval",
                                         "loadstring(",
                                         "dofile(",
                                         "new Function",
                                         "Function(",
                                         "vm.run",
                                         "runInThisContext",
                                         "import('http",
                                         "import(\"http",
                                         "Invoke-Expression",
                                         "Invoke-Command",
                                         "ScriptBlock]::Create",
                                         "assert(",
                                         "create_function",
                                         "marshal.loads",
                                         "pickle.loads",
                                         "execfile(",
                                         NULL};
static const char *const eval_short[] = {"iex", "exec", "eval", NULL};
/* Reading standard input: with eval, the one-liner runs what is piped in
 * (python -c 'exec(sys.stdin.read())', perl -e 'eval join "", <STDIN>'). */
static const char *const stdin_words[] = {"stdin",   "STDIN",          "<>",
                                          "io.read", "Console]::In",   "php://input",
                                          "ARGF",    "readFileSync(0", NULL};
static const char *const shell_words[] = {"os.system",
                                          "subprocess",
                                          "os.popen",
                                          "popen(",
                                          "system(",
                                          "system ",
                                          "shell_exec",
                                          "passthru",
                                          "proc_open",
                                          "pcntl_exec",
                                          "child_process",
                                          "execSync",
                                          "spawnSync",
                                          "do shell script",
                                          "os.execute",
                                          "io.popen",
                                          "Runtime.getRuntime",
                                          "Start-Process",
                                          "Invoke-Item",
                                          "Diagnostics.Process]::Start",
                                          "os.startfile",
                                          "pty.spawn",
                                          "os.exec",
                                          "Open3",
                                          "%x(",
                                          "qx(",
                                          "qx{",
                                          NULL};
static const char *const decode_words[] = {"b64decode",        "base64.decode",
                                           "decodebytes",      "b32decode",
                                           "b16decode",        "a85decode",
                                           "base64_decode",    "decode_base64",
                                           "decode64",         "unpack(\"m",
                                           "unpack('m",        "unpack(\"H",
                                           "FromBase64String", "atob(",
                                           "'base64')",        "\"base64\")",
                                           "codecs.decode",    "bytes.fromhex",
                                           "unhexlify",        "zlib.decompress",
                                           "gzip.decompress",  "str_rot13",
                                           "gzinflate",        "gzuncompress",
                                           "[char]",           NULL};
static const char *const socket_words[] = {
    "socket",           "fsockopen",        "TCPSocket",  "TCPClient", "net.Socket",
    "net.connect",      "createConnection", "IO::Socket", "/dev/tcp",  "require('net')",
    "require(\"net\")", "new Socket",       ".Socket()",  NULL};
static const char *const handover_words[] = {"dup2",      "pty.spawn",  "/bin/sh",
                                             "/bin/bash", "cmd.exe",    "sh -i",
                                             "bash -i",   "subprocess", "popen",
                                             "spawn(",    "exec(",      "system(",
                                             "GetStream", "os.execute", "exec \"",
                                             "exec '",    "exec {",     "Open3",
                                             "proc_open", "shell_exec", "Invoke-Expression",
                                             NULL};
static const char *const persist_words[] = {
    ".bashrc",      ".zshrc",    ".profile",     ".bash_profile",   "crontab",
    "LaunchAgents", "autostart", "systemd/user", "authorized_keys", NULL};
static const char *const secret_words[] = {".ssh/id_",     ".aws/credentials", "Login Data",
                                           "logins.json",  "Keychains",        ".git-credentials",
                                           ".kube/config", "wallet.dat",       NULL};

/* Case matters in most languages (Function( is not function(), not in
 * PowerShell and AppleScript. */
/* Which pairs of adjacent characters the code holds, hashed: most words of
 * the lists are ruled out by their first two characters without a search. */
struct pairs {
    unsigned char bit[1024];
};

static unsigned pair_hash(unsigned char a, unsigned char b)
{
    return ((unsigned)a * 131u + b) & 8191u;
}

static void pairs_of(struct pairs *p, const char *s, size_t n)
{
    memset(p->bit, 0, sizeof p->bit);
    for (size_t i = 0; i + 1 < n; i++) {
        unsigned h = pair_hash((unsigned char)s[i], (unsigned char)s[i + 1]);
        p->bit[h >> 3] |= (unsigned char)(1u << (h & 7));
    }
}

/* With ci, s is already in lower case and each needle is lowered here. */
static int any(const struct pairs *pr, const char *s, size_t n, const char *const *w, int ci)
{
    char low[64];

    for (; *w; w++) {
        const char *nd = *w;
        unsigned char a = (unsigned char)nd[0], b = (unsigned char)nd[1];
        unsigned h;
        if (ci) a = a >= 'A' && a <= 'Z' ? a + 32 : a, b = b >= 'A' && b <= 'Z' ? b + 32 : b;
        h = pair_hash(a, b);
        if (b && !(pr->bit[h >> 3] & (1u << (h & 7)))) continue;
        if (ci) {
            size_t k = 0;
            for (; nd[k] && k < sizeof low - 1; k++)
                low[k] = nd[k] >= 'A' && nd[k] <= 'Z' ? (char)(nd[k] + 32) : nd[k];
            low[k] = 0;
            nd = low;
        }
        if (iso_pz_memmem(s, n, nd)) return 1;
    }
    return 0;
}

static int alnum(char ch)
{
    return (ch | 32) >= 'a' && (ch | 32) <= 'z' ? 1 : ch >= '0' && ch <= '9';
}

/* A short name as a word of its own: iex, iwr, exec. */
static int any_word(const char *s, size_t n, const char *const *w)
{
    /* the short words are lower case, and so is s when case does not matter */
    for (; *w; w++) {
        size_t k = strlen(*w);
        for (const char *p = s; (p = iso_pz_memmem(p, n - (size_t)(p - s), *w)); p++)
            if ((p == s || !alnum(p[-1])) && (p + k == s + n || !alnum(p[k]))) return 1;
    }
    return 0;
}

/* The longest run that can be base64, decoded when it is long enough. */
static size_t longest_b64(struct iso_pz_ctx *c, const char *s, size_t n, char **out)
{
    size_t best = 0, at = 0, run = 0, dn;
    char *d;

    for (size_t i = 0; i <= n; i++) {
        char ch = i < n ? s[i] : 0;
        if (i < n && (alnum(ch) || ch == '+' || ch == '/' || ch == '=')) {
            run++;
        } else {
            if (run > best) best = run, at = i - run;
            run = 0;
        }
    }
    if (best < 16 || !(d = iso_pz_alloc(c, best + 1))) return 0;
    dn = iso_pz_dec_base64(s + at, best, d);
    if (dn == (size_t)-1) return 0;
    for (size_t i = 0; i < dn; i++)
        if ((unsigned char)d[i] < 0x09) return 0; /* binary: not code */
    d[dn] = 0;
    *out = d;
    return dn;
}

/* String literals of the code, read as shell code. */
static void shell_strings(struct iso_pz_ctx *c, const struct iso_pz_text *tx, const char *at,
                          const char *s, size_t n, enum iso_pz_lang lang)
{
    unsigned count = 0;
    char *buf = iso_pz_alloc(c, n + 1);

    if (!buf) return;
    for (size_t i = 0; i < n && count < 64; i++) {
        char q = s[i];
        size_t o = 0, j;

        if (q != '"' && q != '\'' && !(q == '`' && lang != ISO_PZ_POWERSHELL)) continue;
        if (lang == ISO_PZ_APPLESCRIPT && q == '\'') continue;
        for (j = i + 1; j < n && s[j] != q; j++) {
            if (s[j] == '\\' && j + 1 < n && q != '`') j++;
            buf[o++] = s[j];
        }
        if (o >= 2) { /* read from a copy of its own: findings may point into it */
            char *lit = iso_pz_alloc(c, o);
            if (!lit) return;
            memcpy(lit, buf, o);
            count++;
            iso_pz_run_shell(c, tx, at, lit, o, "a string the code runs", (struct iso_pz_flow){0});
        }
        i = j;
    }
}

int iso_pz_scan_code(struct iso_pz_ctx *c, const struct iso_pz_text *tx, const char *at, size_t atn,
                     const char *code, size_t n, enum iso_pz_lang lang)
{
    int fetch, fetch_api, evals, shells, decodes;
    int ci = lang == ISO_PZ_POWERSHELL || lang == ISO_PZ_APPLESCRIPT;
    struct iso_pz_text sub = *tx;

    const char *lc = code; /* what the word lists are matched against */
    struct pairs pr;

    if (n == 0) return 0;
    if (tx->depth + 1 > ISO_PZ_MAX_DEPTH) return 0;
    sub.depth++;
    if (ci) { /* PowerShell and AppleScript ignore case: compare in lower case */
        char *l = iso_pz_alloc(c, n);
        if (!l) return 0;
        for (size_t i = 0; i < n; i++)
            l[i] = code[i] >= 'A' && code[i] <= 'Z' ? (char)(code[i] + 32) : code[i];
        lc = l;
    }
    pairs_of(&pr, lc, n);
    /* an API that fetches, or at least an address to fetch from */
    fetch_api = any(&pr, lc, n, fetch_words, ci) || any_word(lc, n, fetch_short);
    fetch = fetch_api || iso_pz_memmem(lc, n, "://");
    evals = any(&pr, lc, n, eval_words, ci) || any_word(lc, n, eval_short);
    shells = any(&pr, lc, n, shell_words, ci) ||
             (lang != ISO_PZ_POWERSHELL && lang != ISO_PZ_APPLESCRIPT && memchr(code, '`', n));
    decodes = any(&pr, lc, n, decode_words, ci);

    /* PowerShell's call operator runs a program: & "$env:TEMP\x.exe" */
    if (lang == ISO_PZ_POWERSHELL && (iso_pz_memmem(lc, n, "& \"") || iso_pz_memmem(lc, n, "& '") ||
                                      iso_pz_memmem(lc, n, "& $")))
        shells = 1;
    /* fetch and evaluate, or fetch with an API and start a program (a
     * download-then-run in one line; do shell script strings are read below) */
    if ((fetch && evals) || (fetch_api && shells && lang != ISO_PZ_APPLESCRIPT))
        iso_pz_report(c, tx, "interpreter-fetch-exec", "the one-liner downloads code and runs it",
                      at, atn, NULL, 0);
    if (decodes && (evals || shells)) {
        char *d = NULL;
        size_t dn = longest_b64(c, code, n, &d);
        iso_pz_report(c, tx, "interpreter-decode-exec",
                      "the one-liner decodes hidden code and runs it", at, atn, d, dn);
        if (dn) {
            iso_pz_run_shell(c, tx, at, d, dn, "decoded payload", (struct iso_pz_flow){0});
            iso_pz_scan_code(c, &sub, at, atn, d, dn, lang);
        }
    }
    if ((any(&pr, lc, n, socket_words, ci) && any(&pr, lc, n, handover_words, ci)) ||
        iso_pz_memmem(code, n, "/inet/tcp/") || iso_pz_memmem(code, n, "/inet/udp/"))
        iso_pz_report(c, tx, "reverse-shell",
                      "opens a network connection and hands it a shell or its input and output", at,
                      atn, NULL, 0);
    if (iso_pz_memmem(code, n, "fork") &&
        (iso_pz_memmem(code, n, "while") || iso_pz_memmem(code, n, "loop") ||
         iso_pz_memmem(code, n, "for(;;)") || iso_pz_memmem(code, n, "for (;;)")))
        iso_pz_report(c, tx, "destructive", "fork bomb: creates processes until the machine stops",
                      at, atn, NULL, 0);
    if (lang == ISO_PZ_APPLESCRIPT || lang == ISO_PZ_JS) {
        if (iso_pz_memcasemem(code, n, "hidden answer") ||
            iso_pz_memcasemem(code, n, "hiddenAnswer"))
            iso_pz_report(c, tx, "credential-access",
                          "asks for a password in a dialog that imitates the system", at, atn, NULL,
                          0);
        if (iso_pz_memcasemem(code, n, "administrator privileges"))
            iso_pz_report(c, tx, "privilege", "asks for an administrator password and runs as root",
                          at, atn, NULL, 0);
        if (iso_pz_memcasemem(code, n, "login item"))
            iso_pz_report(c, tx, "persistence", "adds a login item: it runs at every login", at,
                          atn, NULL, 0);
    }
    if (any(&pr, lc, n, persist_words, ci) &&
        (iso_pz_memmem(code, n, ">>") || iso_pz_memmem(code, n, "'a'") ||
         iso_pz_memmem(code, n, "\"a\"") || iso_pz_memcasemem(code, n, "write") ||
         iso_pz_memcasemem(code, n, "append")))
        iso_pz_report(c, tx, "persistence", "the one-liner writes to a start-up location", at, atn,
                      NULL, 0);
    if (any(&pr, lc, n, secret_words, ci) && (fetch || any(&pr, lc, n, socket_words, ci)))
        iso_pz_report(c, tx, "credential-exfiltration",
                      "the one-liner reads credentials and talks to the network", at, atn, NULL, 0);
    if (shells || lang == ISO_PZ_APPLESCRIPT) shell_strings(c, &sub, at, code, n, lang);
    return evals && any(&pr, lc, n, stdin_words, ci);
}
