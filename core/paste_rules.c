/*
 * paste_rules.c - rule families that judge one command by its words:
 * destruction, persistence, privilege, history, credential exfiltration and
 * network tools; and the helpers the other rule files share.
 *
 * Names are compared without their directory (/usr/bin/curl is curl) and
 * without case, as macOS and PowerShell do. Paths are compared with the home
 * directory spelled "~/" whichever way the paste wrote it.
 */
#include "paste_int.h"

#include <string.h>

/* ---- helpers -------------------------------------------------------------- */

int iso_pz_in_list_n(const char *s, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (iso_pz_eq(s, n, *list)) return 1;
    return 0;
}

int iso_pz_in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list)) return 1;
    return 0;
}

void iso_pz_hit(struct iso_pz_rc *r, const char *rule, const char *why)
{
    iso_pz_report(r->c, r->tx, rule, why, r->cmd->start, (size_t)(r->cmd->end - r->cmd->start),
                  NULL, 0);
}

/* The pipeline up to this command: "curl ... | sh" */
void iso_pz_hit_pipe(struct iso_pz_rc *r, const char *rule, const char *why)
{
    const char *a =
        r->pp && r->pp->start && r->pp->start <= r->cmd->start ? r->pp->start : r->cmd->start;
    iso_pz_report(r->c, r->tx, rule, why, a, (size_t)(r->cmd->end - a), NULL, 0);
}

void iso_pz_hit_dec(struct iso_pz_rc *r, const char *rule, const char *why, const char *d,
                    size_t dn)
{
    const char *a =
        r->pp && r->pp->start && r->pp->start <= r->cmd->start ? r->pp->start : r->cmd->start;
    iso_pz_report(r->c, r->tx, rule, why, a, (size_t)(r->cmd->end - a), d, dn);
}

/* A path as written, with the home directory spelled "~/": ~, $HOME,
 * ${HOME}, /root, /home/NAME and /Users/NAME all become "~". */
size_t iso_pz_home_path(const char *v, size_t n, char *out, size_t cap)
{
    static const char *const homes[] = {"~", "$HOME", "${HOME}", "/root", NULL};
    size_t skip = 0, o;

    for (int i = 0; homes[i]; i++) {
        size_t k = strlen(homes[i]);
        if (n >= k && !memcmp(v, homes[i], k) && (n == k || v[k] == '/')) {
            skip = k;
            break;
        }
    }
    if (!skip && (iso_pz_prefix(v, n, "/home/") || iso_pz_prefix(v, n, "/Users/"))) {
        const char *sl = memchr(v + 6 + (v[1] == 'U'), '/', n - 6 - (v[1] == 'U'));
        skip = sl ? (size_t)(sl - v) : n;
    }
    if (skip) {
        out[0] = '~';
        o = 1;
        v += skip;
        n -= skip;
    } else {
        o = 0;
    }
    while (n && o + 1 < cap) {
        if (!(*v == '/' && o && out[o - 1] == '/')) out[o++] = *v; /* a//b is a/b */
        v++, n--;
    }
    out[o] = 0;
    return o;
}

/* p matches an entry of list: exactly, or below it for entries ending in '/'. */
static int path_in(const char *p, size_t n, const char *const *list)
{
    for (; *list; list++) {
        size_t k = strlen(*list);
        if ((*list)[k - 1] == '/') {
            if ((n >= k && !memcmp(p, *list, k)) || (n == k - 1 && !memcmp(p, *list, n))) return 1;
        } else if (n == k && !memcmp(p, *list, k)) {
            return 1;
        }
    }
    return 0;
}

const char *iso_pz_base_of(const char *p, size_t n, size_t *bn)
{
    const char *b = p;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '/') b = p + i + 1;
    *bn = n - (size_t)(b - p);
    return b;
}

/* ---- credentials: what counts as a secret --------------------------------- */

int iso_pz_secret_var(const char *name, size_t n)
{
    static const char *const parts[] = {"TOKEN",  "SECRET",  "PASSW",      "CREDENTIAL", "PRIVATE",
                                        "APIKEY", "API_KEY", "ACCESS_KEY", NULL};
    for (int i = 0; parts[i]; i++)
        if (iso_pz_memcasemem(name, n, parts[i])) return 1;
    return n > 4 &&
           (iso_pz_caseeq(name + n - 4, 4, "_KEY") || iso_pz_caseeq(name + n - 4, 4, "_PAT"));
}

/* Key files, cloud and registry credentials, browser and keychain stores. */
int iso_pz_secret_path(const char *v, size_t n)
{
    static const struct {
        const char *s;
        unsigned char n;
    } frag[] = {
#define F(x) {x, sizeof x - 1}
        F(".aws/credentials"),
        F(".aws/config"),
        F(".config/gcloud"),
        F(".azure/"),
        F(".kube/config"),
        F(".docker/config.json"),
        F(".netrc"),
        F(".git-credentials"),
        F(".gnupg"),
        F(".password-store"),
        F(".npmrc"),
        F(".pypirc"),
        F(".vault-token"),
        F(".terraform.d/credentials"),
        F(".cargo/credentials"),
        F(".config/gh/hosts.yml"),
        F("/etc/shadow"),
        F("/etc/gshadow"),
        F("Keychains"),
        F(".keychain"),
        F("Login Data"),
        F("Cookies"),
        F("_history"),
        F(".local/share/keyrings"),
        F("Local Storage/leveldb"),
#undef F
    };
    static const char *const bases[] = {"logins.json", "key4.db", "key3.db", "cookies.sqlite",
                                        "wallet.dat",  ".env",    NULL};
    char p[ISO_PZ_VAL];
    size_t k, bn;
    const char *b, *ssh;

    /* all of them hold a dot, an underscore, a capital letter or /etc/ */
    for (k = 0; k < n; k++)
        if (v[k] == '.' || v[k] == '_' || v[k] == 'K' || v[k] == 'L' || v[k] == 'C' ||
            (v[k] == '/' && n - k > 4 && !memcmp(v + k, "/etc/", 5)))
            break;
    if (k == n) return 0;
    k = iso_pz_home_path(v, n, p, sizeof p);
    b = iso_pz_base_of(p, k, &bn);
    /* one pass: where the first two characters of a name above match, compare */
    for (size_t i = 0; i + 1 < k; i++) {
        if (p[i] != '.' && p[i] != '/' && p[i] != '_' && p[i] != 'K' && p[i] != 'L' && p[i] != 'C')
            continue;
        for (size_t j = 0; j < sizeof frag / sizeof *frag; j++)
            if (frag[j].s[0] == p[i] && frag[j].s[1] == p[i + 1] && k - i >= frag[j].n &&
                !memcmp(p + i, frag[j].s, frag[j].n))
                return 1;
    }
    if (iso_pz_in_list_n(b, bn, bases) || iso_pz_eq(p, k, "~/.aws") || iso_pz_eq(p, k, "~/.aws/"))
        return 1;
    if ((ssh = iso_pz_memmem(p, k, ".ssh")) && (ssh == p || ssh[-1] == '/') &&
        (ssh + 4 == p + k || ssh[4] == '/')) {
        if (bn > 4 && !memcmp(b + bn - 4, ".pub", 4)) return 0;
        return !iso_pz_eq(b, bn, "known_hosts") && !iso_pz_eq(b, bn, "config") &&
               !iso_pz_eq(b, bn, "authorized_keys");
    }
    return 0;
}

static int remote_arg(const struct iso_pz_word *w)
{
    const char *colon = memchr(w->v, ':', w->n);
    if (iso_pz_memmem(w->v, w->n, "://")) return 1;
    /* scp/rsync style host:path, not a Windows drive or a time */
    return colon && colon > w->v + 1 && w->v[0] != '/' && w->v[0] != '-' &&
           !memchr(w->v, '=', (size_t)(colon - w->v));
}

/* ---- where output is written ----------------------------------------------
 * Persistence: shell start-up files, cron, systemd units, XDG autostart,
 * LaunchAgents/Daemons, authorized_keys: code put there runs again later,
 * in every new shell or at every login, long after the paste is forgotten.
 * Privilege: sudoers, passwd/shadow, ld.so.preload decide who is root.
 * Destruction: block devices and kernel interfaces. History files: the
 * record of what was run. /dev/tcp: bash's own network connections. */
static const char *const persist_paths[] = {"~/.bashrc",
                                            "~/.bash_profile",
                                            "~/.bash_login",
                                            "~/.bash_logout",
                                            "~/.profile",
                                            "~/.bash_aliases",
                                            "~/.zshrc",
                                            "~/.zshenv",
                                            "~/.zprofile",
                                            "~/.zlogin",
                                            "~/.zlogout",
                                            "~/.kshrc",
                                            "~/.mkshrc",
                                            "~/.cshrc",
                                            "~/.tcshrc",
                                            "~/.login",
                                            "~/.config/fish/config.fish",
                                            "~/.config/fish/conf.d/",
                                            "~/.xinitrc",
                                            "~/.xprofile",
                                            "~/.xsession",
                                            "~/.xsessionrc",
                                            "~/.config/autostart/",
                                            "~/.config/autostart-scripts/",
                                            "~/.config/plasma-workspace/env/",
                                            "~/.config/systemd/user/",
                                            "~/.local/share/systemd/user/",
                                            "~/.config/environment.d/",
                                            "~/.pam_environment",
                                            "~/Library/LaunchAgents/",
                                            "~/.ssh/authorized_keys",
                                            "~/.ssh/authorized_keys2",
                                            "~/.ssh/rc",
                                            "~/.oh-my-zsh/custom/",
                                            "/etc/profile",
                                            "/etc/profile.d/",
                                            "/etc/bash.bashrc",
                                            "/etc/bashrc",
                                            "/etc/zshrc",
                                            "/etc/zsh/",
                                            "/etc/zprofile",
                                            "/etc/zshenv",
                                            "/etc/environment",
                                            "/etc/crontab",
                                            "/etc/cron.d/",
                                            "/etc/cron.hourly/",
                                            "/etc/cron.daily/",
                                            "/etc/cron.weekly/",
                                            "/etc/cron.monthly/",
                                            "/var/spool/cron/",
                                            "/var/at/tabs/",
                                            "/usr/lib/cron/tabs/",
                                            "/etc/systemd/system/",
                                            "/etc/systemd/user/",
                                            "/lib/systemd/system/",
                                            "/usr/lib/systemd/system/",
                                            "/usr/lib/systemd/user/",
                                            "/etc/init.d/",
                                            "/etc/rc.local",
                                            "/etc/xdg/autostart/",
                                            "/Library/LaunchAgents/",
                                            "/Library/LaunchDaemons/",
                                            "/Library/StartupItems/",
                                            "/etc/update-motd.d/",
                                            "/etc/udev/rules.d/",
                                            "/etc/NetworkManager/dispatcher.d/",
                                            "/etc/apt/apt.conf.d/",
                                            "/etc/periodic/",
                                            NULL};
static const char *const priv_paths[] = {
    "/etc/sudoers", "/etc/sudoers.d/",    "/etc/passwd", "/etc/shadow",    "/etc/group",
    "/etc/gshadow", "/etc/ld.so.preload", "/etc/pam.d/", "/etc/doas.conf", NULL};
static const char *const devices[] = {
    "/dev/sd",   "/dev/hd",     "/dev/vd",      "/dev/xvd",
    "/dev/nvme", "/dev/mmcblk", "/dev/disk",    "/dev/rdisk",
    "/dev/md",   "/dev/dm-",    "/dev/mapper/", "/dev/root",
    "/dev/mem",  "/dev/kmem",   "/dev/port",    "/proc/sysrq-trigger",
    NULL};

static int is_device(const char *v, size_t n)
{
    for (int i = 0; devices[i]; i++)
        if (iso_pz_prefix(v, n, devices[i])) return 1;
    return 0;
}

static int history_file(const char *p, size_t n)
{
    size_t bn;
    const char *b = iso_pz_base_of(p, n, &bn);
    return (bn > 8 && !memcmp(b + bn - 8, "_history", 8)) || iso_pz_eq(b, bn, ".history") ||
           iso_pz_eq(b, bn, ".zhistory") || iso_pz_eq(p, n, "$HISTFILE") ||
           iso_pz_eq(p, n, "${HISTFILE}");
}

void iso_pz_write_target(struct iso_pz_rc *r, const struct iso_pz_word *w, int append)
{
    char p[ISO_PZ_VAL];
    size_t k = iso_pz_home_path(w->v, w->n, p, sizeof p);

    if (iso_pz_memmem(p, k, "/dev/tcp/") || iso_pz_memmem(p, k, "/dev/udp/"))
        iso_pz_hit(r, R_REVSHELL, "connects the shell to a remote host through /dev/tcp");
    else if (is_device(p, k))
        iso_pz_hit(r, R_DESTROY,
                   "writes straight to a disk device or kernel interface: destroys data");
    else if (path_in(p, k, persist_paths))
        iso_pz_hit(r, R_PERSIST,
                   "writes to a start-up location (shell rc file, cron, service, "
                   "autostart, LaunchAgent, authorized_keys): it runs again later");
    else if (path_in(p, k, priv_paths))
        iso_pz_hit(r, R_PRIV, "changes who may become root (sudoers, passwd, ld.so.preload, PAM)");
    else if (history_file(p, k))
        iso_pz_hit(r, R_HIST, append ? "writes into the shell history" : Y_HIST);
}

/* ---- destruction ---------------------------------------------------------------
 * rm -rf of / or of the home directory (or a top-level system directory),
 * mkfs and writes to block devices, fork bombs, chmod/chown -R over the whole
 * system, killing every process. */

int iso_pz_vital(const char *v, size_t n)
{
    static const char *const dirs[] = {
        "/",          "~",           "/bin",        "/boot",     "/dev",          "/etc",
        "/home",      "/lib",        "/lib32",      "/lib64",    "/libx32",       "/opt",
        "/proc",      "/root",       "/sbin",       "/srv",      "/sys",          "/usr",
        "/var",       "/Users",      "/System",     "/Library",  "/Applications", "/private",
        "/Volumes",   "/mnt",        "/media",      "/nix",      "/usr/bin",      "/usr/lib",
        "/usr/local", "/var/lib",    "~/Documents", "~/Desktop", "~/.ssh",        "C:",
        "C:\\",       "C:\\Windows", NULL};
    char p[ISO_PZ_VAL];
    size_t k = iso_pz_home_path(v, n, p, sizeof p);

    /* a trailing slash, star or dot still means the directory itself */
    while (k > 1 && (p[k - 1] == '*' || p[k - 1] == '.' || p[k - 1] == '/') &&
           !(k == 2 && p[0] == '.' && p[1] == '.'))
        k--;
    if (k == 1 && p[0] == '/') return 1;
    p[k] = 0;
    for (int i = 0; dirs[i]; i++)
        if (!strcmp(p, dirs[i])) return 1;
    return 0;
}

/* Below the home directory: the user's own files and keys, not caches. */
static int user_data(const char *p, size_t k)
{
    static const char *const dirs[] = {
        "~/Documents", "~/Desktop",  "~/Pictures", "~/Music",  "~/Videos",  "~/Movies",
        "~/Downloads", "~/Library",  "~/.ssh",     "~/.gnupg", "~/.config", "~/.local",
        "~/src",       "~/projects", "~/code",     "~/work",   "~/git",     NULL};
    for (int i = 0; dirs[i]; i++) {
        size_t n = strlen(dirs[i]);
        if (k >= n && !memcmp(p, dirs[i], n) && (k == n || p[n] == '/') &&
            !(k > n + 1 && !memcmp(p + n, "/cache", 6)))
            return 1;
    }
    return 0;
}

void iso_pz_rm(struct iso_pz_rc *r)
{
    int rec = 0, force = 0, ended = 0;

    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        char p[ISO_PZ_VAL];
        size_t k;

        if (!ended && wis(w, "--")) {
            ended = 1;
            continue;
        }
        if (!ended && is_opt(w)) {
            if (wis(w, "--no-preserve-root"))
                iso_pz_hit(r, R_DESTROY, "deletes with the protection of / turned off");
            if (wis(w, "--recursive") ||
                (w->v[1] != '-' && (memchr(w->v, 'r', w->n) || memchr(w->v, 'R', w->n))))
                rec = 1;
            if (wis(w, "--force") || (w->v[1] != '-' && memchr(w->v, 'f', w->n))) force = 1;
            continue;
        }
        k = iso_pz_home_path(w->v, w->n, p, sizeof p);
        if (history_file(p, k))
            iso_pz_hit(r, R_HIST, Y_HIST);
        else if (rec && iso_pz_vital(w->v, w->n))
            iso_pz_hit(r, R_DESTROY,
                       "deletes the home directory, or the whole system, recursively");
        else if (rec && force && ((p[0] == '/' && !iso_pz_temp_dir(p, k)) || user_data(p, k)))
            iso_pz_hit(r, R_DESTROY,
                       "deletes a directory tree outside the current directory, without "
                       "asking");
    }
}

void iso_pz_find_delete(struct iso_pz_rc *r)
{
    int root = 0, del = 0;

    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        if (!del && (wis(w, "-delete") || ((wis(w, "-exec") || wis(w, "-execdir")) && i + 1 < NW &&
                                           (wis(W(i + 1), "rm") || wis(W(i + 1), "shred")))))
            del = 1;
        if (!is_opt(w) && i == r->k + 1 + (unsigned)root && iso_pz_vital(w->v, w->n)) root++;
    }
    if (root && del)
        iso_pz_hit(r, R_DESTROY, "deletes files across the home directory or the system");
}

void iso_pz_perms(struct iso_pz_rc *r)
{
    int rec = 0, chmod = !strcmp(r->name, "chmod");
    const struct iso_pz_word *mode = NULL;

    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        if (is_opt(w) && !(chmod && !mode && memchr("rwxXst", w->v[1], 6) && w->n <= 5)) {
            if (wis(w, "--recursive") || (w->v[1] != '-' && memchr(w->v, 'R', w->n))) rec = 1;
            continue;
        }
        if (chmod && !mode) {
            mode = w;
            if ((w->n == 4 && iso_pz_span(w->v, 1, "246") &&
                 iso_pz_span(w->v, 4, "01234567") == 4) ||
                iso_pz_memmem(w->v, w->n, "+s") || iso_pz_memmem(w->v, w->n, "u+s") ||
                iso_pz_memmem(w->v, w->n, "g+s"))
                iso_pz_hit(r, R_PRIV,
                           "sets the setuid bit: the program runs with its owner's rights");
            continue;
        }
        if (!mode && !chmod && i == r->k + 1) { /* chown OWNER */
            mode = w;
            continue;
        }
        if (iso_pz_vital(w->v, w->n) && (rec || (mode && (wis(mode, "777") || wis(mode, "000") ||
                                                          wis(mode, "666") || wis(mode, "a+rwx")))))
            iso_pz_hit(r, R_DESTROY,
                       "changes owner or permissions of a whole system or home directory");
        else if (chmod && mode && iso_pz_file_taint(r->c, w->v, w->n) &&
                 (iso_pz_memmem(mode->v, mode->n, "x") || strspn(mode->v, "01234567") == mode->n))
            iso_pz_hit(r, R_DL_EXEC, "makes a file that was just downloaded executable");
        else {
            char p[ISO_PZ_VAL];
            size_t k = iso_pz_home_path(w->v, w->n, p, sizeof p);
            if (path_in(p, k, priv_paths))
                iso_pz_hit(r, R_PRIV, "changes permissions of the files that decide who is root");
        }
    }
}

/* Operands naming a block device. */
void iso_pz_devices_arg(struct iso_pz_rc *r, const char *why)
{
    for (unsigned i = r->k + 1; i < NW; i++)
        if (!is_opt(W(i)) && is_device(W(i)->v, W(i)->n)) {
            iso_pz_hit(r, R_DESTROY, why);
            return;
        }
}

/* ---- persistence, privilege and history commands ------------------------- */

void iso_pz_crontab(struct iso_pz_rc *r)
{
    int list = 0, operand = 0;

    for (unsigned i = r->k + 1; i < NW; i++) {
        if (wis(W(i), "-l") || wis(W(i), "-e") || wis(W(i), "-r") || wis(W(i), "-v"))
            list = 1;
        else if (wis(W(i), "-u") && i + 1 < NW)
            i++;
        else if (!is_opt(W(i)) || wis(W(i), "-"))
            operand = 1;
    }
    if (list || (!operand && !r->in.t && !r->in.lit && (!r->pp || !r->pp->stages))) return;
    iso_pz_hit_pipe(r, R_PERSIST, "installs a crontab: its commands run again on a schedule");
    if (r->in.lit) { /* each entry: five time fields (or @reboot), then a command */
        const char *s = r->in.lit, *e = s + r->in.n;
        while (s < e) {
            const char *nl = memchr(s, '\n', (size_t)(e - s)), *le = nl ? nl : e, *p = s;
            int fields = *p == '@' ? 1 : 5;
            for (int f = 0; f < fields && p < le; f++) {
                while (p < le && (*p == ' ' || *p == '\t')) p++;
                while (p < le && *p != ' ' && *p != '\t') p++;
            }
            if (*s != '#' && p < le)
                iso_pz_run_shell(r->c, r->tx, r->cmd->start, p, (size_t)(le - p), "crontab entry",
                                 (struct iso_pz_flow){0});
            s = le + 1;
        }
    }
}

int iso_pz_any_word(struct iso_pz_rc *r, const char *lit, int nocase)
{
    for (unsigned i = r->k + 1; i < NW; i++)
        if (nocase ? iso_pz_caseeq(W(i)->v, W(i)->n, lit) : wis(W(i), lit)) return 1;
    return 0;
}

int iso_pz_any_sub(struct iso_pz_rc *r, const char *lit)
{
    for (unsigned i = r->k + 1; i < NW; i++)
        if (iso_pz_memcasemem(W(i)->v, W(i)->n, lit)) return 1;
    return 0;
}

/* ---- network tools: reverse shells and exfiltration -----------------------
 * nc -e, ncat --sh-exec, socat EXEC:...,TCP:..., a shell piped to and from nc
 * or telnet: a shell handed to whoever listens at the other end. And secrets
 * (key files, the environment) fed to anything that sends them away. */

struct iso_pz_flow iso_pz_network(struct iso_pz_rc *r)
{
    const char *nm = r->name;
    int execs = 0, net = 0;

    if (r->pp) r->pp->net_tool = 1;
    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        if (!strcmp(nm, "socat")) {
            if (iso_pz_memcasemem(w->v, w->n, "exec:") || iso_pz_memcasemem(w->v, w->n, "system:"))
                execs = 1;
            if (iso_pz_prefix(w->v, w->n, "tcp") || iso_pz_prefix(w->v, w->n, "TCP") ||
                iso_pz_memcasemem(w->v, w->n, "udp") || iso_pz_memcasemem(w->v, w->n, "ssl") ||
                iso_pz_memcasemem(w->v, w->n, "sctp") || iso_pz_memcasemem(w->v, w->n, "socks"))
                net = 1;
        } else if (strcmp(nm, "telnet") && strcmp(nm, "openssl") &&
                   (wpre(w, "--exec") || wpre(w, "--sh-exec") || wpre(w, "--lua-exec") ||
                    (is_opt(w) && w->v[1] != '-' && memchr("ec", w->v[w->n - 1], 2)))) {
            execs = net = 1; /* nc -e PROGRAM, nc -c COMMAND, ncat --sh-exec */
        }
    }
    if (execs && net)
        iso_pz_hit(r, R_REVSHELL,
                   "hands a shell to whoever is at the other end of a "
                   "network connection");
    if (r->in.t & ISO_PZ_SECRET) iso_pz_hit_pipe(r, R_EXFIL, Y_EXFIL);
    return (struct iso_pz_flow){.t = ISO_PZ_NET};
}

void iso_pz_transfer(struct iso_pz_rc *r)
{
    int secret = 0, remote = 0;

    for (unsigned i = r->k + 1; i < NW; i++) {
        const struct iso_pz_word *w = W(i);
        /* ssh -i KEY, rsync -e "ssh -i KEY": the key is used, not sent */
        if ((wis(w, "-i") || wis(w, "-e") || wis(w, "-o") || wis(w, "-F") || wis(w, "--rsh") ||
             wis(w, "--profile")) &&
            i + 1 < NW) {
            i++;
            continue;
        }
        if (is_opt(w)) continue;
        if (iso_pz_secret_path(w->v, w->n) || (w->t & ISO_PZ_SECRET))
            secret = 1;
        else if (remote_arg(w))
            remote = 1;
    }
    if ((secret && (remote || !strcmp(r->name, "gh"))) ||
        ((r->in.t & ISO_PZ_SECRET) && strcmp(r->name, "rsync")))
        iso_pz_hit_pipe(r, R_EXFIL, Y_EXFIL);
}

/* ---- assignments, builtins and system settings ----------------------------
 * History: HISTFILE=/dev/null, unset HISTFILE, set +o history, history -c.
 * Privilege: LD_PRELOAD, groups that can become root, containers with the
 * host's root. Persistence: user services, launchd jobs, login hooks, Run
 * keys, scheduled tasks. Protections turned off: quarantine, Gatekeeper,
 * SIP, SELinux, Defender. */

/* Assignments: variables the paste sets, and the ones that matter. */
void iso_pz_assignment(struct iso_pz_rc *r, const struct iso_pz_word *w, size_t eq)
{
    const char *name = w->v, *v = w->v + eq + 1;
    size_t n = eq, vn = w->n - eq - 1;
    int known = !(w->f & (PW_VAR | PW_SUBST)) || w->lit;

    if (n && name[n - 1] == '+') n--; /* x+=y */
    if (iso_pz_eq(name, n, "HISTFILE") || iso_pz_eq(name, n, "HISTSIZE") ||
        iso_pz_eq(name, n, "HISTFILESIZE") || iso_pz_eq(name, n, "SAVEHIST")) {
        if (vn == 0 || iso_pz_eq(v, vn, "0") || iso_pz_eq(v, vn, "/dev/null"))
            iso_pz_hit(r, R_HIST, Y_HIST);
    } else if (iso_pz_eq(name, n, "HISTIGNORE") && memchr(v, '*', vn)) {
        iso_pz_hit(r, R_HIST, Y_HIST);
    } else if (iso_pz_eq(name, n, "HISTCONTROL") && iso_pz_memmem(v, vn, "ignorespace") &&
               !iso_pz_memmem(v, vn, "ignoreboth")) {
        /* the default of many systems; not a finding */
    } else if (iso_pz_eq(name, n, "LD_PRELOAD") || iso_pz_eq(name, n, "DYLD_INSERT_LIBRARIES") ||
               iso_pz_eq(name, n, "LD_AUDIT")) {
        iso_pz_hit(r, R_PRIV, "loads a library into every program started afterwards");
    } else if (iso_pz_eq(name, n, "PROMPT_COMMAND") || iso_pz_eq(name, n, "precmd_functions")) {
        iso_pz_run_shell(r->c, r->tx, w->raw, v, vn, "PROMPT_COMMAND", (struct iso_pz_flow){0});
    } else if (iso_pz_eq(name, n, "BASH_ENV") || iso_pz_eq(name, n, "ENV")) {
        iso_pz_hit(r, R_PERSIST, "names a file every new shell runs first");
    }
    if (w->lit) v = w->lit, vn = w->litn;
    iso_pz_var_set(r->c, name, n, v, vn, known, w->t);
}

void iso_pz_builtins(struct iso_pz_rc *r)
{
    const char *nm = r->name;

    if (!strcmp(nm, "export") || !strcmp(nm, "declare") || !strcmp(nm, "typeset") ||
        !strcmp(nm, "local") || !strcmp(nm, "readonly")) {
        for (unsigned i = r->k + 1; i < NW; i++) {
            size_t eq = iso_pz_assign_eq(W(i));
            if (eq) iso_pz_assignment(r, W(i), eq);
        }
    } else if (!strcmp(nm, "unset")) {
        if (iso_pz_any_word(r, "HISTFILE", 0) || iso_pz_any_word(r, "HISTSIZE", 0) ||
            iso_pz_any_word(r, "HISTFILESIZE", 0) || iso_pz_any_word(r, "SAVEHIST", 0))
            iso_pz_hit(r, R_HIST, Y_HIST);
    } else if (!strcmp(nm, "set") || !strcmp(nm, "shopt") || !strcmp(nm, "setopt") ||
               !strcmp(nm, "unsetopt")) {
        if ((iso_pz_any_word(r, "+o", 0) || iso_pz_any_word(r, "-u", 0) ||
             iso_pz_any_word(r, "-ou", 0) || !strcmp(nm, "unsetopt")) &&
            iso_pz_any_sub(r, "hist"))
            iso_pz_hit(r, R_HIST, Y_HIST);
    } else if (!strcmp(nm, "history")) {
        for (unsigned i = r->k + 1; i < NW; i++)
            if (has_flag(W(i), 'c') || has_flag(W(i), 'd') ||
                (has_flag(W(i), 'w') && i + 1 < NW && wis(W(i + 1), "/dev/null")))
                iso_pz_hit(r, R_HIST, Y_HIST);
    } else if (!strcmp(nm, "kill")) {
        int nine = iso_pz_any_word(r, "-9", 0) || iso_pz_any_word(r, "-KILL", 0) ||
                   iso_pz_any_word(r, "-SIGKILL", 0);
        int all = 0; /* -1 as the process, not as the signal: kill -9 -1, kill -- -1 */
        for (unsigned i = r->k + 2; i < NW; i++)
            if (wis(W(i), "-1") && (is_opt(W(i - 1)) || wis(W(i - 1), "--"))) all = 1;
        if (all)
            iso_pz_hit(r, R_DESTROY, "kills every process it may signal");
        else if (nine && (iso_pz_any_word(r, "$$", 0) || iso_pz_any_word(r, "$PPID", 0)))
            iso_pz_hit(r, R_HIST, "kills the shell before it can save its history");
    } else if (!strcmp(nm, "trap") && r->k + 1 < NW) {
        iso_pz_run_shell(r->c, r->tx, W(r->k + 1)->raw, W(r->k + 1)->v, W(r->k + 1)->n, "trap",
                         (struct iso_pz_flow){0});
    } else if (!strcmp(nm, "alias")) {
        for (unsigned i = r->k + 1; i < NW; i++) {
            const char *eq = memchr(W(i)->v, '=', W(i)->n);
            if (eq)
                iso_pz_run_shell(r->c, r->tx, W(i)->raw, eq + 1,
                                 W(i)->n - (size_t)(eq + 1 - W(i)->v), "alias",
                                 (struct iso_pz_flow){0});
        }
    }
}

void iso_pz_system_changes(struct iso_pz_rc *r)
{
    const char *nm = r->name;

    if (!strcmp(nm, "systemctl") && iso_pz_any_word(r, "--user", 0) &&
        (iso_pz_any_word(r, "enable", 0) || iso_pz_any_word(r, "link", 0)))
        iso_pz_hit(r, R_PERSIST, "enables a user service: it starts again at every login");
    else if (!strcmp(nm, "loginctl") && iso_pz_any_word(r, "enable-linger", 0))
        iso_pz_hit(r, R_PERSIST, "keeps the user's services running after logout");
    else if (!strcmp(nm, "launchctl") &&
             (iso_pz_any_word(r, "load", 0) || iso_pz_any_word(r, "bootstrap", 0) ||
              iso_pz_any_word(r, "submit", 0) || iso_pz_any_word(r, "enable", 0)))
        iso_pz_hit(r, R_PERSIST, "loads a launchd job: it runs again at every login or boot");
    else if (!strcmp(nm, "defaults") && iso_pz_any_word(r, "write", 0) &&
             (iso_pz_any_sub(r, "LoginHook") || iso_pz_any_sub(r, "LogoutHook") ||
              iso_pz_any_sub(r, "loginitems")))
        iso_pz_hit(r, R_PERSIST, "adds a login hook or login item");
    else if (!strcmp(nm, "schtasks") &&
             (iso_pz_any_word(r, "/create", 1) || iso_pz_any_word(r, "-create", 1)))
        iso_pz_hit(r, R_PERSIST, "creates a scheduled task");
    else if (!strcmp(nm, "reg") && iso_pz_any_word(r, "add", 1) &&
             (iso_pz_any_sub(r, "CurrentVersion\\Run") || iso_pz_any_sub(r, "CurrentVersionRun") ||
              iso_pz_any_sub(r, "Winlogon")))
        iso_pz_hit(r, R_PERSIST, "adds a program to the Windows Run key");
    else if (!strcmp(nm, "register-scheduledtask") || !strcmp(nm, "new-scheduledtasktrigger"))
        iso_pz_hit(r, R_PERSIST, "creates a scheduled task");
    else if ((!strcmp(nm, "usermod") || !strcmp(nm, "gpasswd") || !strcmp(nm, "adduser") ||
              !strcmp(nm, "dseditgroup") || !strcmp(nm, "addgroup")) &&
             (iso_pz_any_sub(r, "sudo") || iso_pz_any_sub(r, "wheel") ||
              iso_pz_any_sub(r, "admin") || iso_pz_any_word(r, "root", 0) ||
              iso_pz_any_word(r, "docker", 0) || iso_pz_any_word(r, "lxd", 0) ||
              iso_pz_any_word(r, "disk", 0)))
        iso_pz_hit(r, R_PRIV, "adds a user to a group that can become root");
    else if ((!strcmp(nm, "docker") || !strcmp(nm, "podman")) &&
             (iso_pz_any_word(r, "--privileged", 0) || iso_pz_any_sub(r, "/:/") ||
              iso_pz_any_word(r, "--pid=host", 0)))
        iso_pz_hit(r, R_PRIV, "gives a container the host's root file system or all privileges");
    else if ((!strcmp(nm, "xattr") &&
              (iso_pz_any_sub(r, "quarantine") || iso_pz_any_word(r, "-c", 0) ||
               iso_pz_any_word(r, "-cr", 0) || iso_pz_any_word(r, "-rc", 0))) ||
             (!strcmp(nm, "spctl") && (iso_pz_any_sub(r, "disable") || iso_pz_any_sub(r, "add"))) ||
             (!strcmp(nm, "csrutil") && iso_pz_any_word(r, "disable", 0)) ||
             (!strcmp(nm, "setenforce") && iso_pz_any_word(r, "0", 0)) ||
             ((!strcmp(nm, "set-mppreference") || !strcmp(nm, "add-mppreference")) &&
              (iso_pz_any_sub(r, "-disable") || iso_pz_any_sub(r, "-exclusion"))))
        iso_pz_hit(r, "protection-off",
                   "turns off an operating-system protection (quarantine, "
                   "Gatekeeper, SIP, SELinux, Defender)");
    else if (!strcmp(nm, "security") &&
             (iso_pz_any_word(r, "dump-keychain", 0) ||
              ((iso_pz_any_word(r, "find-generic-password", 0) ||
                iso_pz_any_word(r, "find-internet-password", 0)) &&
               (iso_pz_any_word(r, "-w", 0) || iso_pz_any_word(r, "-g", 0) ||
                iso_pz_any_sub(r, "-wa") || iso_pz_any_sub(r, "-ga")))))
        iso_pz_hit(r, "credential-access", "reads saved passwords from the keychain");
    else if ((!strcmp(nm, "mshta") || !strcmp(nm, "msiexec") || !strcmp(nm, "regsvr32") ||
              !strcmp(nm, "rundll32") || !strcmp(nm, "wscript") || !strcmp(nm, "cscript")) &&
             (iso_pz_any_sub(r, "://") || iso_pz_any_sub(r, "javascript:") ||
              iso_pz_any_sub(r, "vbscript:")))
        iso_pz_hit(r, R_DL_EXEC, "runs a program straight from a web address");
    else if (!strcmp(nm, "xterm") && iso_pz_any_word(r, "-display", 0))
        iso_pz_hit(r, R_REVSHELL, "opens a terminal on a remote display");
}
