/*
 * paste.h - the paste classifier: says whether text about to be run in a
 * shell (a paste, a line typed or given to `isolate --check`) deserves a
 * warning, and why.
 *
 * The classifier reads the text the way a POSIX shell would (quotes, escapes,
 * pipes, lists, substitutions, here-documents, redirections), follows what
 * flows from one command into the next (downloaded bytes, decoded bytes,
 * secrets) and reports each finding with the part of the text it is about.
 * It runs nothing, touches no file, keeps no state between calls and uses
 * only memory it frees before returning (bounded by a multiple of the text's
 * length). Safe to call from a shell builtin.
 *
 * Shell hooks either run `isolate --check -` (exit 0 clean, 1 warn, 125 when
 * the text cannot be read) and show its output, or, from the bash builtin or
 * the zsh module, call iso_paste_classify() and iso_paste_write() directly.
 */
#ifndef ISOLATE_PASTE_H
#define ISOLATE_PASTE_H

#include <stddef.h>
#include <stdio.h>

/* Largest paste classified; a longer one is classified up to this size and
 * gets an "oversized" finding, so it always warns. */
#define ISO_PASTE_MAX ((size_t)1 << 20)

/* Findings kept per paste; more are counted in ndropped. */
#define ISO_PASTE_FINDINGS 32

enum { ISO_PASTE_CLEAN = 0, ISO_PASTE_WARN = 1 };

struct iso_finding {
    const char *rule;  /* stable identifier, e.g. "download-to-shell" (static) */
    const char *why;   /* one sentence for a human (static) */
    const char *where; /* NULL, or what the match lies inside, e.g. "decoded payload" */
    unsigned line;     /* 1-based line of the paste the finding belongs to */
    unsigned char nmatch_cut, ndecoded_cut; /* the text below was shortened */
    /* Raw bytes as they appear in the paste (or in the decoded text): they
     * may hold escape sequences and must go through iso_paste_escape()
     * before reaching a terminal. NUL-terminated; may contain NUL bytes
     * earlier only if the paste did (lengths below are authoritative). */
    unsigned short nmatch, ndecoded;
    char match[160];
    char decoded[240]; /* decoded payload for encoded content, or empty */
};

struct iso_paste_result {
    int verdict;        /* ISO_PASTE_CLEAN or ISO_PASTE_WARN */
    unsigned lines;     /* lines in the paste */
    unsigned nfindings; /* entries of findings[] in use */
    unsigned ndropped;  /* findings beyond ISO_PASTE_FINDINGS, not kept */
    struct iso_finding findings[ISO_PASTE_FINDINGS];
};

/* Classifies text[0..len) as one paste (it may hold NUL bytes and several
 * lines). Fills *res when res is not NULL. Returns ISO_PASTE_CLEAN or
 * ISO_PASTE_WARN. When memory runs out the analysis stops early and the text
 * is reported as a warning ("incomplete"): never clean by accident. */
int iso_paste_classify(const char *text, size_t len, struct iso_paste_result *res);

/* Writes one line per finding:
 *     RULE <TAB> MATCHED <TAB> WHY [<TAB> decoded: TEXT] <LF>
 * MATCHED and TEXT are escaped with iso_paste_escape(), so no field holds a
 * tab, a newline or any other control character; MATCHED is "-" rather than
 * empty. WHY is plain ASCII, followed by " (in WHERE)" and, for a paste of
 * several lines, " (line N)". Findings beyond ISO_PASTE_FINDINGS end with
 *     more <TAB> +N <TAB> N more findings not shown <LF>
 * Returns 0, or -1 when out reports a write error. */
int iso_paste_write(const struct iso_paste_result *res, FILE *out);

/* Copies src[0..n) into dst (capacity cap, always NUL-terminated when cap > 0)
 * so that it is safe to print and unambiguous: printable ASCII as is, "\\"
 * for a backslash, \t \n \r for those, \xNN for other control bytes and for
 * bytes that are not UTF-8, \u{XXXX} for every non-ASCII character (so that a
 * Cyrillic letter never passes for a Latin one). Stops before a sequence that
 * would not fit. Returns the number of bytes of src consumed. */
size_t iso_paste_escape(char *dst, size_t cap, const char *src, size_t n);

#endif
