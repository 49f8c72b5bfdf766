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
                                          "://",
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
/* python -c 'exec(sys.stdin.read())', perl -e 'eval join "", <STDIN>': the
 * one-liner runs whatever is piped into it. */
int iso_pz_code_runs_stdin(const char *code, size_t n)
{
    static const char *const in[] = {"stdin",   "STDIN",          "<>",
                                     "io.read", "Console]::In",   "php://input",
                                     "ARGF",    "readFileSync(0", NULL};
    static const char *const ev[] = {"exec(",      "eval(", "eval ",     "eval(", "instance_eval",
                                     "loadstring", "load(", "Function(", "iex",   NULL};
    int a = 0, b = 0;

    for (const char *const *w = in; *w && !a; w++) a = iso_pz_memmem(code, n, *w) != NULL;
    for (const char *const *w = ev; *w && !b; w++) b = iso_pz_memmem(code, n, *w) != NULL;
    return a && b;
}

static int any(const char *s, size_t n, const char *const *w, int ci)
{
    for (; *w; w++)
        if (ci ? iso_pz_memcasemem(s, n, *w) != NULL : iso_pz_memmem(s, n, *w) != NULL) return 1;
    return 0;
}

static int alnum(char ch)
{
    return (ch | 32) >= 'a' && (ch | 32) <= 'z' ? 1 : ch >= '0' && ch <= '9';
}

/* A short name as a word of its own: iex, iwr, exec. */
static int any_word(const char *s, size_t n, const char *const *w)
{
    for (; *w; w++) {
        size_t k = strlen(*w);
        for (const char *p = s; (p = iso_pz_memcasemem(p, n - (size_t)(p - s), *w)); p++)
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
        if (o >= 2) {
            count++;
            iso_pz_run_shell(c, tx, at, buf, o, "a string the code runs", (struct iso_pz_flow){0});
            buf = iso_pz_alloc(c, n + 1);
            if (!buf) return;
        }
        i = j;
    }
}

void iso_pz_scan_code(struct iso_pz_ctx *c, const struct iso_pz_text *tx, const char *at,
                      size_t atn, const char *code, size_t n, enum iso_pz_lang lang)
{
    int fetch, evals, shells, decodes, ci = lang == ISO_PZ_POWERSHELL || lang == ISO_PZ_APPLESCRIPT;
    struct iso_pz_text sub = *tx;

    if (n == 0) return;
    if (tx->depth + 1 > ISO_PZ_MAX_DEPTH) return;
    sub.depth++;
    fetch = any(code, n, fetch_words, ci) || any_word(code, n, fetch_short);
    evals = any(code, n, eval_words, ci) || any_word(code, n, eval_short);
    shells = any(code, n, shell_words, ci) ||
             (lang != ISO_PZ_POWERSHELL && lang != ISO_PZ_APPLESCRIPT && memchr(code, '`', n));
    decodes = any(code, n, decode_words, ci);

    if (fetch && evals)
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
    if ((any(code, n, socket_words, ci) && any(code, n, handover_words, ci)) ||
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
    if (any(code, n, persist_words, ci) &&
        (iso_pz_memmem(code, n, ">>") || iso_pz_memmem(code, n, "'a'") ||
         iso_pz_memmem(code, n, "\"a\"") || iso_pz_memcasemem(code, n, "write") ||
         iso_pz_memcasemem(code, n, "append")))
        iso_pz_report(c, tx, "persistence", "the one-liner writes to a start-up location", at, atn,
                      NULL, 0);
    if (any(code, n, secret_words, ci) && (fetch || any(code, n, socket_words, ci)))
        iso_pz_report(c, tx, "credential-exfiltration",
                      "the one-liner reads credentials and talks to the network", at, atn, NULL, 0);
    if (shells || lang == ISO_PZ_APPLESCRIPT) shell_strings(c, &sub, at, code, n, lang);
}
