/*
 * paste_cmd.c - one command of the paste: its name (looked up in a sorted
 * table), the wrappers in front of it (sudo, env, xargs, timeout ...), the
 * variables it assigns, its redirections, and the rule family it belongs to.
 * What flows in (a pipe, a here-string, a file) and out (to the next stage,
 * or to a file) is followed here.
 */
#include "paste_int.h"

#include <stdlib.h>
#include <string.h>

static void set_name(struct iso_pz_rc *r, unsigned k)
{
    const struct iso_pz_word *w = W(k);
    const char *p = w->v, *e = w->v + w->n;
    size_t n;

    for (const char *q = p; q < e; q++)
        if (*q == '/' || *q == '\\') p = q + 1;
    n = (size_t)(e - p);
    if (n > 4 && iso_pz_caseeq(e - 4, 4, ".exe")) n -= 4;
    r->k = k;
    r->name[0] = 0;
    if (n >= sizeof r->name) return;
    for (size_t i = 0; i < n; i++) r->name[i] = p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i];
    r->name[n] = 0;
}

size_t iso_pz_assign_eq(const struct iso_pz_word *w)
{
    size_t i = 0;
    while (i < w->n && (w->v[i] == '_' || ((w->v[i] | 32) >= 'a' && (w->v[i] | 32) <= 'z') ||
                        (i && w->v[i] >= '0' && w->v[i] <= '9')))
        i++;
    if (i < w->n && w->v[i] == '+' && i + 1 < w->n && w->v[i + 1] == '=') i++;
    return i > 0 && i < w->n && w->v[i] == '=' && w->raw[0] != '\'' && w->raw[0] != '"' ? i : 0;
}

/* ---- wrappers -------------------------------------------------------------
 * sudo, doas, pkexec, su and run0 run what follows as root: worth a warning
 * in itself (a paste should not need root), and what follows is judged too.
 * env, nice, nohup, timeout, xargs ... run what follows unchanged. */

static const struct wrap {
    const char *name;
    const char *val;    /* short options with a value */
    unsigned char pos;  /* operands before the command (timeout DURATION) */
    unsigned char priv; /* runs it as root */
} wraps[] = {
    {"sudo", "ugpCDhrtTUR", 0, 1},
    {"doas", "uC", 0, 1},
    {"pkexec", "", 0, 1},
    {"run0", "uDg", 0, 1},
    {"gksudo", "u", 0, 1},
    {"kdesu", "u", 0, 1},
    {"env", "uCS", 0, 0},
    {"nice", "n", 0, 0},
    {"nohup", "", 0, 0},
    {"time", "fo", 0, 0},
    {"timeout", "sk", 1, 0},
    {"stdbuf", "ioe", 0, 0},
    {"command", "", 0, 0},
    {"builtin", "", 0, 0},
    {"exec", "a", 0, 0},
    {"setsid", "", 0, 0},
    {"ionice", "cnp", 0, 0},
    {"taskset", "", 1, 0},
    {"chrt", "", 1, 0},
    {"caffeinate", "tw", 0, 0},
    {"systemd-inhibit", "", 0, 0},
    {"firejail", "", 0, 0},
    {"torsocks", "uPa", 0, 0},
    {"proxychains", "f", 0, 0},
    {"proxychains4", "f", 0, 0},
    {"oniux", "", 0, 0},
    {"unbuffer", "", 0, 0},
    {"xargs", "IiEeLlnPsda", 0, 0},
    {"watch", "nd", 0, 0},
    {"strace", "eoOpsSuEIPX", 0, 0},
    {"ltrace", "eoOpsSuEn", 0, 0},
    {"arch", "", 0, 0},
    {"flock", "wEs", 1, 0},
    {"chroot", "", 1, 0},
    {"nocorrect", "", 0, 0},
    {"noglob", "", 0, 0},
    {"busybox", "", 0, 0},
    {"script", "EIOT", 0, 0},
    {"su", "sg", 1, 1}, /* su [options] [USER] [-c COMMAND] */
    {"runuser", "ugs", 0, 0},
    {"start", "d", 0, 0},
    {"conhost", "", 0, 0},
    {NULL, NULL, 0, 0},
};

static const char *const long_val[] = {
    "--user",     "--group",     "--signal",   "--kill-after", "--what",      "--who",
    "--why",      "--mode",      "--chdir",    "--prompt",     "--host",      "--role",
    "--type",     "--unset",     "--replace",  "--max-args",   "--max-procs", "--delimiter",
    "--arg-file", "--max-lines", "--interval", "--shell",      NULL};

/* Index of the wrapped command, NW if none; code strings of su -c and
 * the like are read here. */
static unsigned unwrap(struct iso_pz_rc *r, const struct wrap *wr)
{
    unsigned i = r->k + 1, pos = wr->pos;
    int code = 0;

    while (i < NW) {
        const struct iso_pz_word *w = W(i);
        if (wis(w, "--")) {
            i++;
            break;
        }
        if (!strcmp(wr->name, "env") && iso_pz_assign_eq(w)) {
            i++;
            continue;
        }
        if (w->n > 1 && w->v[0] == '/' && !strcmp(wr->name, "start")) { /* start /min /b */
            i += 1 + (iso_pz_caseeq(w->v, w->n, "/d") && i + 1 < NW);
            continue;
        }
        if (!strcmp(wr->name, "start") && w->n == 0 && (w->f & PW_QUOTED)) { /* start "" x */
            i++;
            continue;
        }
        if (!strcmp(wr->name, "su") && (wis(w, "-") || wis(w, "-l") || wis(w, "--login"))) {
            i++;
            continue;
        }
        if (is_opt(w)) {
            if (w->v[1] == '-') {
                if (!memchr(w->v, '=', w->n) && iso_pz_in_list(w->v, long_val)) i++;
                if (wis(w, "--command") || wis(w, "--split-string")) code = 1;
            } else {
                for (size_t j = 1; j < w->n; j++)
                    if (strchr(wr->val, w->v[j])) {
                        if (j + 1 == w->n) i++;
                        break;
                    }
                if ((!strcmp(wr->name, "su") || !strcmp(wr->name, "runuser") ||
                     !strcmp(wr->name, "flock") || !strcmp(wr->name, "script")) &&
                    memchr(w->v + 1, 'c', w->n - 1))
                    code = 1;
                if (!strcmp(wr->name, "env") && wis(w, "-S")) code = 1;
                if (!strcmp(wr->name, "command") && (wis(w, "-v") || wis(w, "-V"))) return NW;
            }
            i++;
            if (code && i < NW) {
                iso_pz_run_shell(r->c, r->tx, W(i)->raw, W(i)->v, W(i)->n, "command string", r->in);
                if (W(i)->t & (ISO_PZ_NET | ISO_PZ_DECODED)) iso_pz_tainted_code(r, W(i)->t, 1);
                return NW;
            }
            continue;
        }
        if (pos) {
            pos--;
            i++;
            continue;
        }
        break;
    }
    if (!strcmp(wr->name, "watch") && i < NW) { /* watch joins its words for sh -c */
        size_t total = 0, o = 0;
        char *buf;
        for (unsigned j = i; j < NW; j++) total += W(j)->n + 1;
        if ((buf = iso_pz_alloc(r->c, total + 1))) {
            for (unsigned j = i; j < NW; j++) {
                if (o) buf[o++] = ' ';
                memcpy(buf + o, W(j)->v, W(j)->n);
                o += W(j)->n;
            }
            iso_pz_run_shell(r->c, r->tx, W(i)->raw, buf, o, "watch", r->in);
        }
        return NW;
    }
    return i;
}

/* ---- the command ----------------------------------------------------------- */

enum iso_pz_kind {
    PK_NONE,
    PK_WRAP,
    PK_SHELL,
    PK_EVAL,
    PK_IEX,
    PK_PWSH,
    PK_INTERP,
    PK_AWK,
    PK_CURL,
    PK_WGET,
    PK_DLFILE,
    PK_DLHTTP,
    PK_IWR,
    PK_BITS,
    PK_WINDL,
    PK_NET,
    PK_OPENSSL,
    PK_DECODER,
    PK_ECHO,
    PK_PRINTF,
    PK_TRANSFER,
    PK_MAILER,
    PK_RM,
    PK_SHRED,
    PK_FIND,
    PK_PERMS,
    PK_MKFS,
    PK_DISKUTIL,
    PK_BACKUPDEL,
    PK_CRONTAB,
    PK_AT,
    PK_ENVDUMP,
    PK_TEE,
    PK_COPY,
    PK_BUILTIN,
    PK_SYSTEM,
    PK_INSTALL,
    PK_VIEW,
    PK_CAT,
    PK_STARTPROC,
};

/* Every name a rule cares about, sorted (strcmp) for bsearch. PK_WRAP's
 * argument is the index in wraps[]. */
static const struct kind {
    const char *name;
    unsigned char kind, arg;
} kinds[] = {
    /* clang-format off */
    {".", PK_EVAL, 0}, {"add-mppreference", PK_SYSTEM, 0}, {"addgroup", PK_SYSTEM, 0},
    {"adduser", PK_SYSTEM, 0}, {"alias", PK_BUILTIN, 0}, {"apt", PK_INSTALL, 0},
    {"apt-get", PK_INSTALL, 0}, {"arch", PK_WRAP, 31}, {"aria2c", PK_DLFILE, 0},
    {"ash", PK_SHELL, 0}, {"at", PK_AT, 0}, {"awk", PK_AWK, 0}, {"aws", PK_TRANSFER, 0},
    {"axel", PK_DLFILE, 0}, {"az", PK_TRANSFER, 0}, {"b64", PK_DECODER, 0},
    {"base32", PK_DECODER, 0}, {"base64", PK_DECODER, 0}, {"basenc", PK_DECODER, 0},
    {"bash", PK_SHELL, 0}, {"bat", PK_VIEW, 0}, {"batcat", PK_VIEW, 0}, {"batch", PK_AT, 0},
    {"bitsadmin", PK_WINDL, 0}, {"blkdiscard", PK_MKFS, 0}, {"brotli", PK_DECODER, 0},
    {"builtin", PK_WRAP, 13}, {"bun", PK_INTERP, 0}, {"bunzip2", PK_DECODER, 0},
    {"busybox", PK_WRAP, 36}, {"bzcat", PK_DECODER, 0}, {"bzip2", PK_DECODER, 0},
    {"caffeinate", PK_WRAP, 19}, {"cat", PK_CAT, 0}, {"certutil", PK_WINDL, 0},
    {"chgrp", PK_PERMS, 0}, {"chmod", PK_PERMS, 0}, {"chown", PK_PERMS, 0},
    {"chroot", PK_WRAP, 33}, {"chrt", PK_WRAP, 18}, {"cmd", PK_EVAL, 0}, {"code", PK_VIEW, 0},
    {"command", PK_WRAP, 12}, {"conhost", PK_WRAP, 41}, {"cosign", PK_VIEW, 0}, {"cp", PK_COPY, 0},
    {"crontab", PK_CRONTAB, 0}, {"cryptcat", PK_NET, 0}, {"cscript", PK_SYSTEM, 0},
    {"csh", PK_SHELL, 0}, {"csrutil", PK_SYSTEM, 0}, {"curl", PK_CURL, 0}, {"dash", PK_SHELL, 0},
    {"dd", PK_COPY, 0}, {"declare", PK_BUILTIN, 0}, {"defaults", PK_SYSTEM, 0},
    {"deno", PK_INTERP, 0}, {"dig", PK_MAILER, 0}, {"diskutil", PK_DISKUTIL, 0},
    {"ditto", PK_COPY, 0}, {"dnf", PK_INSTALL, 0}, {"doas", PK_WRAP, 1}, {"docker", PK_SYSTEM, 0},
    {"dpkg", PK_INSTALL, 0}, {"drill", PK_MAILER, 0}, {"dseditgroup", PK_SYSTEM, 0},
    {"echo", PK_ECHO, 0}, {"elvish", PK_SHELL, 0}, {"emacs", PK_VIEW, 0}, {"env", PK_WRAP, 6},
    {"eval", PK_EVAL, 0}, {"exec", PK_WRAP, 14}, {"expect", PK_INTERP, 0},
    {"export", PK_BUILTIN, 0}, {"fetch", PK_DLFILE, 0}, {"file", PK_VIEW, 0}, {"find", PK_FIND, 0},
    {"firejail", PK_WRAP, 21}, {"fish", PK_SHELL, 0}, {"flock", PK_WRAP, 32},
    {"ftp", PK_TRANSFER, 0}, {"gawk", PK_AWK, 0}, {"gbase64", PK_DECODER, 0},
    {"get", PK_DLHTTP, 0}, {"gh", PK_TRANSFER, 0}, {"gksudo", PK_WRAP, 4},
    {"gpasswd", PK_SYSTEM, 0}, {"gpg", PK_VIEW, 0}, {"gsutil", PK_TRANSFER, 0},
    {"gunzip", PK_DECODER, 0}, {"gzip", PK_DECODER, 0}, {"hdiutil", PK_INSTALL, 0},
    {"head", PK_VIEW, 0}, {"history", PK_BUILTIN, 0}, {"host", PK_MAILER, 0},
    {"http", PK_DLHTTP, 0}, {"https", PK_DLHTTP, 0}, {"iex", PK_IEX, 0}, {"ii", PK_INSTALL, 0},
    {"install", PK_COPY, 0}, {"installer", PK_INSTALL, 0}, {"invoke-expression", PK_IEX, 0},
    {"invoke-item", PK_INSTALL, 0}, {"invoke-restmethod", PK_IWR, 0},
    {"invoke-webrequest", PK_IWR, 0}, {"ionice", PK_WRAP, 16}, {"irm", PK_IWR, 0},
    {"iwr", PK_IWR, 0}, {"kdesu", PK_WRAP, 5}, {"kill", PK_BUILTIN, 0}, {"ksh", PK_SHELL, 0},
    {"ksh93", PK_SHELL, 0}, {"launchctl", PK_SYSTEM, 0}, {"less", PK_VIEW, 0}, {"ln", PK_COPY, 0},
    {"local", PK_BUILTIN, 0}, {"loginctl", PK_SYSTEM, 0}, {"loksh", PK_SHELL, 0},
    {"ltrace", PK_WRAP, 30}, {"lua", PK_INTERP, 0}, {"luajit", PK_INTERP, 0},
    {"lwp-download", PK_DLFILE, 0}, {"lwp-request", PK_DLHTTP, 0}, {"lz4", PK_DECODER, 0},
    {"mail", PK_MAILER, 0}, {"mailx", PK_MAILER, 0}, {"mawk", PK_AWK, 0}, {"md5sum", PK_VIEW, 0},
    {"minisign", PK_VIEW, 0}, {"mke2fs", PK_MKFS, 0}, {"mkfs", PK_MKFS, 0}, {"mksh", PK_SHELL, 0},
    {"mkswap", PK_MKFS, 0}, {"more", PK_VIEW, 0}, {"most", PK_VIEW, 0}, {"mshta", PK_SYSTEM, 0},
    {"msiexec", PK_SYSTEM, 0}, {"msmtp", PK_MAILER, 0}, {"mutt", PK_MAILER, 0}, {"mv", PK_COPY, 0},
    {"nano", PK_VIEW, 0}, {"nawk", PK_AWK, 0}, {"nc", PK_NET, 0}, {"nc.openbsd", PK_NET, 0},
    {"nc.traditional", PK_NET, 0}, {"ncat", PK_NET, 0}, {"netcat", PK_NET, 0},
    {"new-scheduledtasktrigger", PK_SYSTEM, 0}, {"nice", PK_WRAP, 7}, {"nocorrect", PK_WRAP, 34},
    {"node", PK_INTERP, 0}, {"nodejs", PK_INTERP, 0}, {"noglob", PK_WRAP, 35},
    {"nohup", PK_WRAP, 8}, {"nslookup", PK_MAILER, 0}, {"nu", PK_SHELL, 0}, {"nvim", PK_VIEW, 0},
    {"oksh", PK_SHELL, 0}, {"oniux", PK_WRAP, 25}, {"open", PK_INSTALL, 0},
    {"openssl", PK_OPENSSL, 0}, {"osascript", PK_INTERP, 0}, {"pacman", PK_INSTALL, 0},
    {"parted", PK_MKFS, 0}, {"pdksh", PK_SHELL, 0}, {"perl", PK_INTERP, 0}, {"php", PK_INTERP, 0},
    {"ping", PK_MAILER, 0}, {"ping6", PK_MAILER, 0}, {"pkexec", PK_WRAP, 2},
    {"podman", PK_SYSTEM, 0}, {"powershell", PK_PWSH, 0}, {"powershell_ise", PK_PWSH, 0},
    {"print", PK_ECHO, 0}, {"printenv", PK_ENVDUMP, 0}, {"printf", PK_PRINTF, 0},
    {"proxychains", PK_WRAP, 23}, {"proxychains4", PK_WRAP, 24}, {"pwncat", PK_NET, 0},
    {"pwsh", PK_PWSH, 0}, {"py", PK_INTERP, 0}, {"pypy", PK_INTERP, 0}, {"python", PK_INTERP, 0},
    {"rbash", PK_SHELL, 0}, {"rclone", PK_TRANSFER, 0}, {"readonly", PK_BUILTIN, 0},
    {"reg", PK_SYSTEM, 0}, {"register-scheduledtask", PK_SYSTEM, 0}, {"regsvr32", PK_SYSTEM, 0},
    {"resolvectl", PK_MAILER, 0}, {"rev", PK_DECODER, 0}, {"rm", PK_RM, 0}, {"rpm", PK_INSTALL, 0},
    {"rscript", PK_INTERP, 0}, {"rsync", PK_TRANSFER, 0}, {"ruby", PK_INTERP, 0},
    {"run0", PK_WRAP, 3}, {"rundll32", PK_SYSTEM, 0}, {"runuser", PK_WRAP, 39},
    {"s3cmd", PK_TRANSFER, 0}, {"saps", PK_STARTPROC, 0}, {"schtasks", PK_SYSTEM, 0},
    {"scp", PK_TRANSFER, 0}, {"script", PK_WRAP, 37}, {"security", PK_SYSTEM, 0},
    {"sed", PK_COPY, 0}, {"sendmail", PK_MAILER, 0}, {"set", PK_BUILTIN, 0},
    {"set-mppreference", PK_SYSTEM, 0}, {"setenforce", PK_SYSTEM, 0}, {"setopt", PK_BUILTIN, 0},
    {"setsid", PK_WRAP, 15}, {"sftp", PK_TRANSFER, 0}, {"sgdisk", PK_MKFS, 0}, {"sh", PK_SHELL, 0},
    {"sha256sum", PK_VIEW, 0}, {"sha512sum", PK_VIEW, 0}, {"shasum", PK_VIEW, 0},
    {"shopt", PK_BUILTIN, 0}, {"shred", PK_SHRED, 0}, {"smbclient", PK_TRANSFER, 0},
    {"socat", PK_NET, 0}, {"source", PK_EVAL, 0}, {"spctl", PK_SYSTEM, 0}, {"srm", PK_RM, 0},
    {"ssh", PK_TRANSFER, 0}, {"start", PK_WRAP, 40}, {"start-bitstransfer", PK_BITS, 0},
    {"start-process", PK_STARTPROC, 0}, {"stdbuf", PK_WRAP, 11}, {"strace", PK_WRAP, 29},
    {"strings", PK_VIEW, 0}, {"su", PK_WRAP, 38}, {"sudo", PK_WRAP, 0}, {"swaks", PK_MAILER, 0},
    {"systemctl", PK_SYSTEM, 0}, {"systemd-inhibit", PK_WRAP, 20}, {"tail", PK_VIEW, 0},
    {"taskset", PK_WRAP, 17}, {"tclsh", PK_INTERP, 0}, {"tcsh", PK_SHELL, 0}, {"tee", PK_TEE, 0},
    {"telnet", PK_NET, 0}, {"tftp", PK_TRANSFER, 0}, {"time", PK_WRAP, 9},
    {"timeout", PK_WRAP, 10}, {"torsocks", PK_WRAP, 22}, {"touch", PK_COPY, 0},
    {"tr", PK_DECODER, 0}, {"trap", PK_BUILTIN, 0}, {"truncate", PK_COPY, 0},
    {"typeset", PK_BUILTIN, 0}, {"unbuffer", PK_WRAP, 26}, {"uncompress", PK_DECODER, 0},
    {"unlink", PK_RM, 0}, {"unset", PK_BUILTIN, 0}, {"unsetopt", PK_BUILTIN, 0},
    {"unxz", PK_DECODER, 0}, {"unzstd", PK_DECODER, 0}, {"usermod", PK_SYSTEM, 0},
    {"uudecode", PK_DECODER, 0}, {"vi", PK_VIEW, 0}, {"view", PK_VIEW, 0}, {"vim", PK_VIEW, 0},
    {"vssadmin", PK_BACKUPDEL, 0}, {"watch", PK_WRAP, 28}, {"wbadmin", PK_BACKUPDEL, 0},
    {"wget", PK_WGET, 0}, {"wget2", PK_WGET, 0}, {"wipe", PK_SHRED, 0}, {"wipefs", PK_MKFS, 0},
    {"wscript", PK_SYSTEM, 0}, {"xargs", PK_WRAP, 27}, {"xattr", PK_SYSTEM, 0},
    {"xdg-open", PK_INSTALL, 0}, {"xh", PK_DLHTTP, 0}, {"xhs", PK_DLHTTP, 0},
    {"xonsh", PK_SHELL, 0}, {"xterm", PK_SYSTEM, 0}, {"xxd", PK_DECODER, 0}, {"xz", PK_DECODER, 0},
    {"xzcat", PK_DECODER, 0}, {"yash", PK_SHELL, 0}, {"yum", PK_INSTALL, 0},
    {"zcat", PK_DECODER, 0}, {"zsh", PK_SHELL, 0}, {"zstd", PK_DECODER, 0},
    {"zstdcat", PK_DECODER, 0}, {"zypper", PK_INSTALL, 0},
    /* clang-format on */
};

static int kind_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct kind *)elem)->name);
}

int iso_pz_kinds_sorted(void)
{
    for (size_t i = 1; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i - 1].name, kinds[i].name) >= 0) return 0;
    return 1;
}

/* The kind of r->name; python3.12 and php8.1 are python and php. */
static const struct kind *kind_of(const char *name)
{
    const struct kind *k =
        bsearch(name, kinds, sizeof kinds / sizeof *kinds, sizeof *kinds, kind_cmp);
    char stem[32];
    size_t n = strlen(name);

    if (k) return k;
    if (iso_pz_prefix(name, n, "mkfs.") || iso_pz_prefix(name, n, "newfs"))
        return bsearch("mkfs", kinds, sizeof kinds / sizeof *kinds, sizeof *kinds, kind_cmp);
    while (n && ((name[n - 1] >= '0' && name[n - 1] <= '9') || name[n - 1] == '.')) n--;
    if (n == strlen(name) || n == 0 || n >= sizeof stem) return NULL;
    memcpy(stem, name, n);
    stem[n] = 0;
    k = bsearch(stem, kinds, sizeof kinds / sizeof *kinds, sizeof *kinds, kind_cmp);
    return k && k->kind == PK_INTERP ? k : NULL;
}

/* cp, mv, install, ln, dd, sed -i, truncate: where they write; a copy of a
 * downloaded file is a downloaded file. */
static void copies(struct iso_pz_rc *r)
{
    const char *nm = r->name;
    unsigned last = NW, first = NW;
    int inplace = 0, to_last = strcmp(nm, "dd") && strcmp(nm, "sed") && strcmp(nm, "truncate");

    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        if (!strcmp(nm, "dd") && wpre(w, "of=")) {
            struct iso_pz_word t = *w;
            t.v += 3, t.n -= 3;
            iso_pz_write_target(r, &t, 0);
        } else if (!is_opt(w)) {
            if (first == NW) first = i;
            last = i;
            if (!strcmp(nm, "truncate") || (!strcmp(nm, "sed") && inplace && i != first))
                iso_pz_write_target(r, w, 0);
            if (!strcmp(nm, "mv") && iso_pz_vital(w->v, w->n))
                iso_pz_hit(r, R_DESTROY, "moves a system or home directory away");
        } else if (wpre(w, "-i") || wpre(w, "--in-place")) {
            inplace = 1;
        }
    }
    if (last == NW || last == first || !to_last) return;
    iso_pz_write_target(r, W(last), 0);
    if (iso_pz_file_taint(r->c, W(first)->v, W(first)->n))
        iso_pz_file_add(r->c, W(last)->v, W(last)->n,
                        iso_pz_file_taint(r->c, W(first)->v, W(first)->n));
}

/* The command word itself: run from a substitution, hidden, or staged. */
static int command_word(struct iso_pz_rc *r)
{
    const struct iso_pz_word *w = W(r->k);
    size_t q = 0;

    if (w->t & ISO_PZ_NET)
        iso_pz_hit_pipe(r, R_DL_SHELL, "runs the output of a download as a command");
    else if (w->t & ISO_PZ_DECODED)
        iso_pz_hit_pipe(r, R_DEC_SHELL, "runs decoded text as a command");
    if (w->lit)
        iso_pz_run_shell(r->c, r->tx, w->raw, w->lit, w->litn, "command substitution", r->in);
    if ((w->f & PW_GLOB) && memchr(w->v, '/', w->n)) {
        int letters_hidden = memchr(w->v, '?', w->n) || memchr(w->v, '[', w->n);
        for (size_t i = 1; i + 1 < w->n; i++)
            if (w->v[i] == '*' && w->v[i - 1] != '/' && w->v[i + 1] != '/') letters_hidden = 1;
        if (letters_hidden)
            iso_pz_hit(r, R_OBF,
                       "names the command with a wildcard pattern, which hides which it is");
    }
    /* $a$b, cu${x}: pieces glued into a name ($cmd alone is just a variable) */
    for (size_t i = 0; i + 1 < w->rawn; i++)
        if (w->raw[i] == '$' && (w->raw[i + 1] == '{' || w->raw[i + 1] == '_' ||
                                 ((w->raw[i + 1] | 32) >= 'a' && (w->raw[i + 1] | 32) <= 'z')))
            q++;
    if (q == 1 && w->raw[0] == '$') {
        size_t e = w->raw[1] == '{' ? 2 : 1;
        while (e < w->rawn &&
               (w->raw[e] == '_' || ((w->raw[e] | 32) >= 'a' && (w->raw[e] | 32) <= 'z') ||
                (w->raw[e] >= '0' && w->raw[e] <= '9')))
            e++;
        if (e + (w->raw[1] == '{') == w->rawn) q = 0;
    }
    if (q && w->n && !(w->f & (PW_VAR | PW_SUBST)))
        iso_pz_hit(r, R_OBF, "assembles the command name from pieces, which hides which it is");
    /* c"ur"l, c\u\r\l: not \rm (alias bypass), not "quoted", not C:\dir\x.bat */
    q = 0;
    for (size_t i = 1; i < w->rawn && !strchr("'\"", w->raw[0]); i++)
        if (w->raw[i] == '\'' || w->raw[i] == '"')
            q += 2;
        else if (w->raw[i] == '\\' && !memchr(w->v, '.', w->n))
            q++;
    if (q >= 2 && w->n > 1 &&
        iso_pz_span(w->v, w->n,
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == w->n)
        iso_pz_hit(r, R_OBF, "breaks up the command name with quotes or backslashes");
    if (iso_pz_temp_dir(w->v, w->n))
        iso_pz_hit(r, "temp-exec",
                   "runs a program from a temporary directory, where droppers put "
                   "their payloads");
    if (iso_pz_file_taint(r->c, w->v, w->n))
        iso_pz_hit(r, R_DL_EXEC, "runs a file that was downloaded (or decoded) just before");
    if (r->c->func[0] && iso_pz_eq(w->v, w->n, r->c->func) && r->pp) r->pp->self_calls++;
    return !(w->f & PW_SUBST) || w->n == 0;
}

static struct iso_pz_flow run(struct iso_pz_rc *r, unsigned k)
{
    const struct kind *kd;
    const char *nm;
    unsigned next;

    for (;;) { /* wrappers first: sudo env timeout 5 curl ... */
        const struct wrap *wr;
        if (k >= NW) return r->in;
        set_name(r, k);
        kd = kind_of(r->name);
        if (!kd || kd->kind != PK_WRAP) break;
        wr = &wraps[kd->arg];
        if (wr->priv)
            iso_pz_hit(r, R_PRIV,
                       "runs a command as root: whatever it does, it can do to the whole "
                       "system");
        if (!strcmp(wr->name, "sudo") && iso_pz_any_word(r, "-S", 0) && r->in.lit)
            iso_pz_hit_pipe(r, R_PRIV, "gives sudo a password written in the paste");
        if (!strcmp(wr->name, "xargs")) r->from_stdin = 1;
        next = unwrap(r, wr);
        if (next >= NW) {
            if (!strcmp(wr->name, "env")) return (struct iso_pz_flow){.t = ISO_PZ_SECRET};
            if (wr->priv) { /* sudo -s, su: a root shell, reading what is piped */
                if (r->pp) r->pp->shell_stdin = 1;
                iso_pz_stdin_code(r, 1, ISO_PZ_OTHER);
            }
            return (struct iso_pz_flow){0};
        }
        k = next;
    }
    if (!command_word(r)) return (struct iso_pz_flow){0};
    nm = r->name;

    switch (kd ? kd->kind : PK_NONE) {
    case PK_SHELL:
        if (r->from_stdin) iso_pz_stdin_code(r, 1, ISO_PZ_OTHER);
        return iso_pz_shell(r);
    case PK_EVAL:
        if (!strcmp(nm, "cmd")) { /* cmd /c STRING */
            for (unsigned i = r->k + 1; i < NW; i++)
                if (iso_pz_caseeq(W(i)->v, W(i)->n, "/c") ||
                    iso_pz_caseeq(W(i)->v, W(i)->n, "/k")) {
                    r->k = i;
                    return iso_pz_eval(r);
                }
            return (struct iso_pz_flow){0};
        }
        if (r->from_stdin) iso_pz_stdin_code(r, 1, ISO_PZ_OTHER);
        return iso_pz_eval(r);
    case PK_IEX: {
        /* iex (iwr ...): the rest of the line, parentheses and all */
        const char *tend = r->tx->s + r->tx->n, *e = r->cmd->end;
        if (r->cmd->start >= r->tx->s && r->cmd->start <= tend) {
            e = memchr(r->cmd->start, '\n', (size_t)(tend - r->cmd->start));
            if (!e) e = tend;
        }
        iso_pz_scan_code(r->c, r->tx, r->cmd->start, (size_t)(e - r->cmd->start), r->cmd->start,
                         (size_t)(e - r->cmd->start), ISO_PZ_POWERSHELL);
        iso_pz_stdin_code(r, 1, ISO_PZ_POWERSHELL);
        return (struct iso_pz_flow){0};
    }
    case PK_PWSH:
        return iso_pz_powershell(r);
    case PK_INTERP:
        return iso_pz_interpreter(r);
    case PK_AWK:
        for (unsigned i = r->k + 1; i < NW; i++) {
            if (wis(W(i), "-f")) break;
            if (wis(W(i), "-F") || wis(W(i), "-v")) {
                i++;
                continue;
            }
            if (!is_opt(W(i))) {
                iso_pz_scan_code(r->c, r->tx, r->cmd->start, (size_t)(r->cmd->end - r->cmd->start),
                                 W(i)->v, W(i)->n, ISO_PZ_AWK);
                break;
            }
        }
        return (struct iso_pz_flow){.t = r->in.t};
    case PK_CURL:
        return iso_pz_dl_curl(r, 0);
    case PK_WGET:
        return iso_pz_dl_curl(r, 1);
    case PK_DLFILE:
        return iso_pz_dl_other(r, "-o", 1);
    case PK_DLHTTP:
        return iso_pz_dl_other(r, "-o",
                               iso_pz_any_word(r, "--download", 0) || iso_pz_any_word(r, "-d", 0));
    case PK_IWR:
        return iso_pz_dl_other(r, "-OutFile", 0);
    case PK_BITS:
        return iso_pz_dl_other(r, "-Destination", 1);
    case PK_WINDL:
        return iso_pz_dl_windows(r);
    case PK_NET:
        return iso_pz_network(r);
    case PK_OPENSSL:
        if (r->k + 1 < NW && wis(W(r->k + 1), "s_client")) return iso_pz_network(r);
        return iso_pz_decoder(r);
    case PK_DECODER:
        return iso_pz_decoder(r);
    case PK_ECHO:
        return iso_pz_literal(r, 0);
    case PK_PRINTF:
        return iso_pz_literal(r, 1);
    case PK_TRANSFER:
        iso_pz_transfer(r);
        break;
    case PK_MAILER: {
        static const char *const resolvers[] = {"dig",      "drill",      "host",
                                                "nslookup", "resolvectl", NULL};
        int sec = (r->in.t & ISO_PZ_SECRET) != 0, dns = iso_pz_in_list(nm, resolvers);
        for (unsigned i = r->k + 1; i < NW; i++)
            sec |= (W(i)->t & ISO_PZ_SECRET) || iso_pz_secret_path(W(i)->v, W(i)->n);
        if (sec) iso_pz_hit_pipe(r, R_EXFIL, Y_EXFIL);
        if (dns) return (struct iso_pz_flow){.t = ISO_PZ_NET}; /* TXT records carry code too */
        break;
    }
    case PK_RM:
        iso_pz_rm(r);
        break;
    case PK_SHRED:
        iso_pz_devices_arg(r, "overwrites a disk device");
        iso_pz_rm(r);
        break;
    case PK_FIND:
        iso_pz_find_delete(r);
        break;
    case PK_PERMS:
        iso_pz_perms(r);
        break;
    case PK_MKFS:
        iso_pz_devices_arg(r, "creates a file system or partition table: erases the device");
        break;
    case PK_DISKUTIL:
        if (iso_pz_any_sub(r, "erase") || iso_pz_any_word(r, "zeroDisk", 0) ||
            iso_pz_any_word(r, "randomDisk", 0) || iso_pz_any_word(r, "secureErase", 0) ||
            iso_pz_any_word(r, "partitionDisk", 0) || iso_pz_any_word(r, "reformat", 0))
            iso_pz_hit(r, R_DESTROY, "erases a disk");
        break;
    case PK_BACKUPDEL:
        if (iso_pz_any_word(r, "delete", 1))
            iso_pz_hit(r, R_DESTROY, "deletes the system's backups and shadow copies");
        break;
    case PK_CRONTAB:
        iso_pz_crontab(r);
        break;
    case PK_AT:
        if (r->in.t || r->in.lit) {
            iso_pz_hit_pipe(r, R_PERSIST, "schedules commands to run later");
            iso_pz_stdin_code(r, 1, ISO_PZ_OTHER);
        }
        break;
    case PK_ENVDUMP:
        return (struct iso_pz_flow){.t = ISO_PZ_SECRET};
    case PK_TEE:
        for (unsigned i = r->k + 1; i < NW; i++)
            if (!is_opt(W(i))) {
                iso_pz_write_target(r, W(i), 1);
                if (r->in.t & (ISO_PZ_NET | ISO_PZ_DECODED))
                    iso_pz_saved(r, NULL, 0, W(i)->v, W(i)->n, NULL, r->in.t);
            }
        return r->in;
    case PK_COPY:
        copies(r);
        break;
    case PK_STARTPROC: { /* Start-Process FILE -ArgumentList ARGS: FILE ARGS, as a command */
        const struct iso_pz_word *file = NULL, *args = NULL;
        size_t k = 0;
        char *buf;
        for (unsigned i = r->k + 1; i < NW; i++) {
            const struct iso_pz_word *w = W(i);
            if ((iso_pz_caseeq(w->v, w->n, "-ArgumentList") ||
                 iso_pz_caseeq(w->v, w->n, "-Args")) &&
                i + 1 < NW)
                args = W(++i);
            else if (iso_pz_caseeq(w->v, w->n, "-FilePath") && i + 1 < NW)
                file = W(++i);
            else if (is_opt(w) && i + 1 < NW && !iso_pz_caseeq(w->v, w->n, "-Wait") &&
                     !iso_pz_caseeq(w->v, w->n, "-NoNewWindow"))
                i++; /* -WindowStyle Hidden ... */
            else if (!is_opt(w) && !file)
                file = w;
            else if (!is_opt(w) && !args)
                args = w;
        }
        if (!file || !(buf = iso_pz_alloc(r->c, file->n + (args ? args->n : 0) + 2))) break;
        memcpy(buf, file->v, file->n), k = file->n;
        if (args) buf[k++] = ' ', memcpy(buf + k, args->v, args->n), k += args->n;
        if (iso_pz_file_taint(r->c, file->v, file->n))
            iso_pz_hit(r, R_DL_EXEC, "runs a file that was downloaded just before");
        return iso_pz_run_shell(r->c, r->tx, file->raw, buf, k, "Start-Process", r->in);
    }
    case PK_INSTALL:
        for (unsigned i = r->k + 1; i < NW; i++)
            if (!is_opt(W(i)) && iso_pz_file_taint(r->c, W(i)->v, W(i)->n)) {
                iso_pz_hit(r, R_DL_EXEC,
                           "installs or opens a file that was downloaded just before");
                break;
            }
        break;
    case PK_VIEW:
    case PK_CAT:
        /* reading a downloaded script before running it is the safe way */
        for (unsigned i = r->k + 1; i < NW; i++) {
            int f = is_opt(W(i)) ? -1 : iso_pz_file_find(r->c, W(i)->v, W(i)->n);
            if (f >= 0) r->c->files[f].viewed = 1;
        }
        if (kd->kind == PK_CAT) {
            unsigned t = 0;
            int files = 0;
            for (unsigned i = r->k + 1; i < NW; i++)
                if (!is_opt(W(i)) && !wis(W(i), "-"))
                    files = 1, t |= iso_pz_file_taint(r->c, W(i)->v, W(i)->n) | W(i)->t;
            return files ? (struct iso_pz_flow){.t = t} : r->in;
        }
        break;
    case PK_BUILTIN:
        iso_pz_builtins(r);
        if (!strcmp(nm, "set") && NW == r->k + 1) return (struct iso_pz_flow){.t = ISO_PZ_SECRET};
        if ((!strcmp(nm, "export") || !strcmp(nm, "declare")) &&
            (NW == r->k + 1 || iso_pz_any_word(r, "-p", 0) || iso_pz_any_word(r, "-x", 0)))
            return (struct iso_pz_flow){.t = ISO_PZ_SECRET};
        break;
    case PK_SYSTEM:
        iso_pz_system_changes(r);
        break;
    }
    /* the rest: their output carries what came in */
    return (struct iso_pz_flow){.t = r->in.t};
}

struct iso_pz_flow iso_pz_command(struct iso_pz_ctx *c, const struct iso_pz_text *tx,
                                  struct iso_pz_cmd *cmd, struct iso_pz_flow in,
                                  struct iso_pz_pipe *pp)
{
    struct iso_pz_rc rr = {.c = c, .tx = tx, .cmd = cmd, .pp = pp, .in = in}, *r = &rr;
    struct iso_pz_flow out;
    unsigned k = 0, secret = 0;
    int redirected = 0;

    /* standard input from a file, a here-string, a here-document */
    for (unsigned i = 0; i < cmd->nr; i++) {
        const struct iso_pz_redir *rd = &cmd->r[i];
        const struct iso_pz_word *w = &rd->w;
        if (rd->op == PR_IN && rd->fd == 0) {
            if (w->f & PW_PROCSUB)
                r->in = (struct iso_pz_flow){.t = w->t, .lit = w->lit, .n = w->litn};
            else
                r->in =
                    (struct iso_pz_flow){.t = iso_pz_file_taint(c, w->v, w->n) |
                                              (iso_pz_secret_path(w->v, w->n) ? ISO_PZ_SECRET : 0)};
            if (iso_pz_memmem(w->v, w->n, "/dev/tcp/") || iso_pz_memmem(w->v, w->n, "/dev/udp/"))
                iso_pz_hit(r, R_REVSHELL, "connects the shell to a remote host through /dev/tcp");
        } else if (rd->op == PR_HERESTR) {
            r->in = (struct iso_pz_flow){.t = w->t, .lit = w->v, .n = w->n};
        } else if (rd->op == PR_HEREDOC) {
            r->in = (struct iso_pz_flow){.t = 0, .lit = w->v, .n = w->n};
        }
    }
    /* every word: hidden spellings, /dev/tcp, sudoers lines, secret files */
    for (unsigned i = 0; i < cmd->nw; i++) {
        const struct iso_pz_word *w = &cmd->w[i];
        if ((w->f & PW_IFS) && !iso_pz_eq(w->v, w->n, "$IFS") && !iso_pz_eq(w->v, w->n, "${IFS}"))
            iso_pz_hit(r, R_OBF, "uses $IFS in place of spaces, which hides the words");
        if (w->f & PW_EMPTY)
            iso_pz_hit(r, R_OBF,
                       "pads words with expansions that are empty ($@), which hides them");
        if (w->f & PW_ESCAPES)
            iso_pz_report(c, tx, "escaped-text",
                          "spells letters as escape codes, which hides the words", w->raw, w->rawn,
                          w->v, w->n);
        if (memchr(w->v, '/', w->n) &&
            (iso_pz_memmem(w->v, w->n, "/dev/tcp/") || iso_pz_memmem(w->v, w->n, "/dev/udp/")))
            iso_pz_hit(r, R_REVSHELL, "connects the shell to a remote host through /dev/tcp");
        if (memchr(w->v, 'N', w->n) && iso_pz_memmem(w->v, w->n, "NOPASSWD"))
            iso_pz_hit(r, R_PRIV, "lets someone become root without a password");
        if (cmd->out_used && i && !is_opt(w) && !wis(&cmd->w[i - 1], "-i") &&
            iso_pz_secret_path(w->v, w->n))
            secret = 1;
        if (w->t & ISO_PZ_SECRET && i) secret = 1;
    }
    while (k < cmd->nw) {
        size_t eq = iso_pz_assign_eq(&cmd->w[k]);
        if (!eq) break;
        iso_pz_assignment(r, &cmd->w[k], eq);
        k++;
    }
    out = k < cmd->nw ? run(r, k) : cmd->nw ? (struct iso_pz_flow){0} : r->in;
    if (secret && k < cmd->nw) out.t |= ISO_PZ_SECRET;

    /* where the output goes */
    for (unsigned i = 0; i < cmd->nr; i++) {
        const struct iso_pz_redir *rd = &cmd->r[i];
        const struct iso_pz_word *w = &rd->w;
        int to_file = rd->op == PR_OUT || rd->op == PR_APPEND || rd->op == PR_INOUT ||
                      (rd->op == PR_DUP && rd->fd != 0 && w->n &&
                       iso_pz_span(w->v, w->n, "0123456789-") != w->n);
        if (!to_file) continue;
        iso_pz_write_target(r, w, rd->op == PR_APPEND);
        if (rd->fd == 1 || rd->fd == -1 || rd->op == PR_DUP) {
            if (out.t & ISO_PZ_NET)
                iso_pz_saved(r, NULL, 0, w->v, w->n, NULL, out.t);
            else if (out.t & ISO_PZ_DECODED)
                iso_pz_file_add(c, w->v, w->n, out.t);
            redirected = 1;
        }
    }
    return redirected ? (struct iso_pz_flow){0} : out;
}

void iso_pz_pipe_end(struct iso_pz_ctx *c, const struct iso_pz_text *tx,
                     const struct iso_pz_pipe *pp, const char *end)
{
    if (pp->stages > 1 && pp->net_tool && pp->shell_stdin)
        iso_pz_report(c, tx, R_REVSHELL,
                      "connects a shell's input and output to a network connection", pp->start,
                      (size_t)(end - pp->start), NULL, 0);
    if (pp->self_calls >= 2)
        iso_pz_report(c, tx, R_DESTROY,
                      "fork bomb: a function that pipes into itself fills the process table",
                      pp->start, (size_t)(end - pp->start), NULL, 0);
}
