/*
 * env.c - the command's environment: an allowlist, never a blocklist.
 *
 * Computed in the caller's process before the sandbox exists. Tokens, keys,
 * agent sockets (SSH_AUTH_SOCK, GPG_AGENT_INFO), DISPLAY/WAYLAND_DISPLAY and
 * loader variables (LD_PRELOAD, GLIBC_TUNABLES) are dropped simply by not being
 * named here; --env brings one back explicitly.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const allowed[] = {
    "PATH", "TERM", "LANG", "TZ", "USER", "LOGNAME", "SHELL", "COLORTERM", "NO_COLOR", NULL,
};

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

int iso_env_name_valid(const char *s, size_t len)
{
    if (len == 0) return 0;
    if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return 0;
    for (size_t i = 1; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

int iso_env_allowed(const char *name)
{
    size_t len = strcspn(name, "=");
    /* LC_ALL, LC_CTYPE ... */
    if (len > 3 && !strncmp(name, "LC_", 3) && iso_env_name_valid(name, len)) return 1;
    for (const char *const *a = allowed; *a; a++)
        if (strlen(*a) == len && !strncmp(*a, name, len)) return 1;
    return 0;
}

void iso_strv_free(char **v)
{
    if (!v) return;
    for (char **p = v; *p; p++) free(*p);
    free(v);
}

static const char *lookup(char *const *env, const char *name, size_t len)
{
    for (char *const *e = env; e && *e; e++)
        if (!strncmp(*e, name, len) && (*e)[len] == '=') return *e + len + 1;
    return NULL;
}

/* The value of NAME in env, or NULL. */
const char *iso_env_get(char *const *env, const char *name)
{
    return lookup(env, name, strlen(name));
}

/* Replaces or appends NAME=VALUE (len = length of NAME). */
static int put(char **v, size_t *n, const char *name, size_t len, const char *value)
{
    size_t vlen = strlen(value);
    char *s = malloc(len + vlen + 2);
    if (!s) return -1;
    memcpy(s, name, len);
    s[len] = '=';
    memcpy(s + len + 1, value, vlen + 1);
    for (size_t i = 0; i < *n; i++)
        if (!strncmp(v[i], name, len) && v[i][len] == '=') {
            free(v[i]);
            v[i] = s;
            return 0;
        }
    v[(*n)++] = s;
    v[*n] = NULL;
    return 0;
}

char **iso_env_build(char *const *caller_env, const char *home, const char *const *extra,
                     size_t nextra, struct isolate_error *err)
{
    size_t cap = 16 + nextra, n = 0;
    char **v;

    for (char *const *e = caller_env; e && *e; e++) cap++;
    v = calloc(cap + 1, sizeof *v);
    if (!v) goto oom;

    for (char *const *e = caller_env; e && *e; e++) {
        size_t len = strcspn(*e, "=");
        if ((*e)[len] != '=' || !iso_env_allowed(*e)) continue;
        if (put(v, &n, *e, len, *e + len + 1) < 0) goto oom;
    }
    if (!lookup(v, "PATH", 4) && put(v, &n, "PATH", 4, DEFAULT_PATH) < 0) goto oom;
    if (home && put(v, &n, "HOME", 4, home) < 0) goto oom;

    for (size_t i = 0; i < nextra; i++) {
        const char *x = extra[i];
        size_t len = strcspn(x, "=");
        const char *value = x[len] == '=' ? x + len + 1 : lookup(caller_env, x, len);
        if (!value) continue; /* --env NAME of an unset variable passes nothing */
        if (put(v, &n, x, len, value) < 0) goto oom;
    }
    return v;
oom:
    iso_strv_free(v);
    iso_err(err, 0, "out of memory");
    return NULL;
}
