/*
 * boxname.c - what a box name may be (--box NAME, --rm-box NAME).
 *
 * Pure, in the caller's process: the option parser rejects a bad name before
 * anything exists. The name becomes a directory entry under the user's data
 * directory and part of the sandbox's host name, so it is kept to a portable
 * file-name and host-name alphabet: no '/' or '..' (it must name exactly one
 * entry of the boxes directory), no leading '.' (isolate's own staging entries
 * start with one) and no leading '-' (it would read as an option to tools).
 */
#include "internal.h"

#include <string.h>

static int name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-';
}

const char *iso_box_name_problem(const char *name)
{
    size_t len = strlen(name);

    if (len == 0) return "it is empty";
    if (len > ISO_BOX_NAME_MAX) return "it is longer than 48 characters";
    if (strchr(name, '/')) return "it contains a slash";
    if (strstr(name, "..")) return "it contains '..'";
    if (name[0] == '.') return "it starts with a dot";
    if (name[0] == '-') return "it starts with a dash";
    for (size_t i = 0; i < len; i++)
        if (!name_char(name[i]))
            return name[i] == ' ' ? "it contains a space"
                                  : "it contains a character other than letters, digits, '.', "
                                    "'_' and '-'";
    return NULL;
}

/* The name as a message may show it: printable, and short. */
void iso_box_name_shown(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (; *name && n + 4 < size && n < 60; name++)
        out[n++] = (*name >= 0x20 && *name < 0x7f) ? *name : '?';
    if (*name && n + 4 < size) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}
