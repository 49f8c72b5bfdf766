/*
 * paste_text.c - what a terminal does not show: the characters of a paste
 * itself (invisible, reordering, control and escape sequences, look-alike
 * letters, padding), host names that are not what they seem, and the
 * decoders that turn an encoded payload back into the text it hides.
 *
 * The hidden-content rules look at the raw bytes of the paste only: what was
 * decoded was never displayed, so only its commands matter.
 */
#include "paste_int.h"

#include <string.h>

/* ---- small string helpers ------------------------------------------------- */

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

const char *iso_pz_memcasemem(const char *h, size_t hn, const char *needle)
{
    size_t k = strlen(needle);
    char a = lower(needle[0]), b = a >= 'a' && a <= 'z' ? (char)(a - 32) : a;

    if (k == 0) return h;
    for (size_t i = 0; i + k <= hn; i++) {
        size_t j = 1;
        if (h[i] != a && h[i] != b) continue;
        while (j < k && lower(h[i + j]) == lower(needle[j])) j++;
        if (j == k) return h + i;
    }
    return NULL;
}

int iso_pz_caseeq(const char *s, size_t n, const char *lit)
{
    if (strlen(lit) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lower(lit[i])) return 0;
    return 1;
}

/* One UTF-8 sequence: its length, or 0 if s does not start with a valid one. */
size_t iso_pz_utf8(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0], k, min;

    if (c < 0x80) return *cp = c, 1;
    if (c >= 0xc2 && c <= 0xdf)
        k = 2, c &= 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        k = 3, c &= 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        k = 4, c &= 0x07, min = 0x10000;
    else
        return 0;
    if (n < k) return 0;
    for (unsigned i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return k;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) return o[0] = (char)cp, 1;
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12), o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18), o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3f)), o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ---- decoders ------------------------------------------------------------- */

static int b64val(char ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+' || ch == '-') return 62;
    if (ch == '/' || ch == '_') return 63;
    return -1;
}

size_t iso_pz_dec_base64(const char *src, size_t n, char *out)
{
    unsigned acc = 0, bits = 0, digits = 0;
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int v = b64val(src[i]);
        if (src[i] == '=' || src[i] == ' ' || src[i] == '\n' || src[i] == '\t' || src[i] == '\r')
            continue;
        if (v < 0) return (size_t)-1;
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        digits++;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xff);
        }
    }
    return digits ? o : (size_t)-1;
}

size_t iso_pz_dec_base32(const char *src, size_t n, char *out)
{
    unsigned long acc = 0;
    unsigned bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char ch = src[i];
        int v;
        if (ch == '=' || ch == '\n' || ch == ' ') continue;
        if (ch >= 'A' && ch <= 'Z')
            v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z')
            v = ch - 'a';
        else if (ch >= '2' && ch <= '7')
            v = ch - '2' + 26;
        else
            return (size_t)-1;
        acc = acc << 5 | (unsigned)v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xff);
        }
    }
    return o;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

size_t iso_pz_dec_hex(const char *src, size_t n, char *out)
{
    size_t o = 0;
    int hi = -1;

    for (size_t i = 0; i < n; i++) {
        int v = hexval(src[i]);
        if (src[i] == ' ' || src[i] == '\n' || src[i] == '\t' || src[i] == ':') continue;
        if ((src[i] == 'x' || src[i] == 'X') && hi == 0) { /* 0x prefix */
            hi = -1;
            continue;
        }
        if (src[i] == '\\' && i + 1 < n && (src[i + 1] == 'x' || src[i + 1] == 'X')) {
            i++;
            continue;
        }
        if (v < 0) return (size_t)-1;
        if (hi < 0) {
            hi = v;
        } else {
            out[o++] = (char)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 && o ? o : (size_t)-1;
}

/* Backslash escapes as printf, echo -e and $'...' understand them. *letters
 * counts escapes that spell an ASCII letter, digit or punctuation mark: no
 * one writes those as escapes except to keep them from being read. */
size_t iso_pz_dec_escapes(const char *src, size_t n, char *out, unsigned *letters)
{
    size_t o = 0;

    *letters = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        int k = 0, spelled = 0;
        char ch;

        if (src[i] != '\\' || i + 1 >= n) {
            out[o++] = src[i];
            continue;
        }
        ch = src[++i];
        switch (ch) {
        case 'n':
            out[o++] = '\n';
            continue;
        case 't':
            out[o++] = '\t';
            continue;
        case 'r':
            out[o++] = '\r';
            continue;
        case 'a':
            out[o++] = '\a';
            continue;
        case 'b':
            out[o++] = '\b';
            continue;
        case 'f':
            out[o++] = '\f';
            continue;
        case 'v':
            out[o++] = '\v';
            continue;
        case 'e':
        case 'E':
            out[o++] = 27;
            continue;
        case 'x':
            while (k < 2 && i + 1 < n && hexval(src[i + 1]) >= 0)
                v = v * 16 + (unsigned)hexval(src[++i]), k++;
            if (!k) {
                out[o++] = '\\', out[o++] = 'x';
                continue;
            }
            spelled = 1;
            break;
        case 'u':
        case 'U':
            while (k < (ch == 'u' ? 4 : 8) && i + 1 < n && hexval(src[i + 1]) >= 0)
                v = v * 16 + (unsigned)hexval(src[++i]), k++;
            if (!k || v > 0x10ffff) {
                out[o++] = '\\', out[o++] = ch;
                continue;
            }
            if (v >= 0x80) {
                o += put_utf8(out + o, v); /* never longer than the escape */
                continue;
            }
            spelled = 1;
            break;
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
            /* \NNN (printf, $'') and \0NNN (echo -e) */
            if (ch == '0' && i + 1 < n && src[i + 1] >= '0' && src[i + 1] <= '7') i++;
            v = (unsigned)(src[i] - '0');
            while (k < 2 && i + 1 < n && src[i + 1] >= '0' && src[i + 1] <= '7')
                v = v * 8 + (unsigned)(src[++i] - '0'), k++;
            v &= 0xff;
            spelled = 1;
            break;
        default:
            out[o++] = ch; /* \\ \' \" and unknown ones: the character */
            continue;
        }
        out[o++] = (char)v;
        if (spelled && v > 0x20 && v < 0x7f) (*letters)++;
    }
    return o;
}

/* PowerShell's -EncodedCommand: base64 of UTF-16LE; decoded to UTF-8. */
size_t iso_pz_dec_utf16le(const char *src, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned cp = (unsigned char)src[i] | (unsigned)(unsigned char)src[i + 1] << 8;
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
        if (cp < 0x80 || o + 3 <= n) o += put_utf8(out + o, cp);
    }
    return o;
}

/* RFC 3492: one label after "xn--", decoded to UTF-8 in out (cap bytes). */
size_t iso_pz_dec_punycode(const char *src, size_t n, char *out, size_t cap)
{
    unsigned cps[64], len = 0, i = 0, nn = 128, bias = 72, first = 1;
    size_t basic = 0, o = 0, p;

    for (size_t k = 0; k < n; k++)
        if (src[k] == '-') basic = k;
    if (basic > 0 || (n && src[0] == '-'))
        for (size_t k = 0; k < basic && len < 64; k++) cps[len++] = (unsigned char)src[k];
    p = basic > 0 ? basic + 1 : 0;
    while (p < n) {
        unsigned oldi = i, w = 1;
        for (unsigned k = 36;; k += 36) {
            int ch = p < n ? lower(src[p++]) : -1;
            unsigned digit, t;
            if (ch >= 'a' && ch <= 'z')
                digit = (unsigned)(ch - 'a');
            else if (ch >= '0' && ch <= '9')
                digit = (unsigned)(ch - '0' + 26);
            else
                return (size_t)-1;
            if (digit > (0xffffffu - i) / w) return (size_t)-1;
            i += digit * w;
            t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
            if (digit < t) break;
            if (w > 0xffffffu / (36 - t)) return (size_t)-1;
            w *= 36 - t;
        }
        {
            unsigned delta = first ? (i - oldi) / 700 : (i - oldi) / 2, k = 0;
            first = 0;
            delta += delta / (len + 1);
            while (delta > 455) delta /= 35, k += 36;
            bias = k + 36 * delta / (delta + 38);
        }
        if (len >= 64) return (size_t)-1;
        nn += i / (len + 1);
        i %= len + 1;
        if (nn > 0x10ffff) return (size_t)-1;
        memmove(cps + i + 1, cps + i, (len - i) * sizeof *cps);
        cps[i++] = nn;
        len++;
    }
    for (unsigned k = 0; k < len && o + 4 < cap; k++) o += put_utf8(out + o, cps[k]);
    return o;
}

void iso_pz_rev_lines(const char *src, size_t n, char *out)
{
    size_t a = 0;

    while (a < n) {
        const char *nl = memchr(src + a, '\n', n - a);
        size_t e = nl ? (size_t)(nl - src) : n;
        for (size_t k = a; k < e; k++) out[a + (e - 1 - k)] = src[k];
        if (nl) out[e] = '\n';
        a = e + 1;
    }
}

/* ---- hidden content ------------------------------------------------------- */

enum {
    H_ZERO,
    H_BIDI,
    H_TAG,
    H_SPACE,
    H_ESC,
    H_PASTE,
    H_CTRL,
    H_CR,
    H_PAD,
    H_GLYPH,
    H_HOST,
    H_IDN,
    H_PUNY,
    H_COUNT
};

static const struct {
    const char *rule, *why;
} hidden[H_COUNT] = {
    [H_ZERO] = {"zero-width", "invisible character: the command is not what the terminal shows"},
    [H_BIDI] = {"bidi-control", "reorders the displayed text: what you read is not what runs"},
    [H_TAG] = {"invisible-tag", "invisible Unicode tag characters carry hidden text"},
    [H_SPACE] = {"unicode-space",
                 "a space that is not a space to the shell: words are not split where they seem"},
    [H_ESC] = {"ansi-escape", "terminal escape sequence: it can hide or rewrite what is shown"},
    [H_PASTE] = {"paste-end", "holds the terminal's end-of-paste marker: what follows it would run "
                              "as if typed, without a chance to read it"},
    [H_CTRL] = {"control-char", "control characters or bytes that are not text"},
    [H_CR] = {"carriage-return",
              "carriage return: text after it is drawn over what came before it"},
    [H_PAD] = {"whitespace-padding", "long run of blanks pushes the rest out of sight"},
    [H_GLYPH] = {"homoglyph", "mixes letters of another alphabet that look like Latin ones"},
    [H_HOST] = {"homoglyph-host",
                "host name with letters of another alphabet that imitate Latin ones"},
    [H_IDN] = {"non-ascii-host", "host name with non-ASCII characters: check it is the one meant"},
    [H_PUNY] = {"punycode-host",
                "punycode host name: it stands for the Unicode name shown, which may imitate "
                "another site"},
};

/* Letters that pass for Latin ones: Greek, Cyrillic, Armenian, Cherokee,
 * fullwidth forms, and a few symbols that look like / . : ; ! */
static int confusable(unsigned cp)
{
    return (cp >= 0x370 && cp <= 0x3ff) || (cp >= 0x400 && cp <= 0x52f) ||
           (cp >= 0x531 && cp <= 0x587) || (cp >= 0x13a0 && cp <= 0x13f5) ||
           (cp >= 0xff01 && cp <= 0xff5e) || cp == 0x131 || cp == 0x237 || cp == 0x261 ||
           cp == 0x1c3 || cp == 0x2215 || cp == 0x2044 || cp == 0x2024 || cp == 0x3002 ||
           cp == 0xff61 || cp == 0x1d00 || (cp >= 0x1d400 && cp <= 0x1d7ff);
}

static int classify_cp(unsigned cp)
{
    if ((cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xfeff ||
        cp == 0x180e || cp == 0xad || cp == 0x34f || cp == 0x115f || cp == 0x1160 || cp == 0x3164 ||
        cp == 0xffa0 || cp == 0x2800 || (cp >= 0x2065 && cp <= 0x2065))
        return H_ZERO;
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
        cp == 0x200f || cp == 0x61c)
        return H_BIDI;
    if (cp >= 0xe0000 && cp <= 0xe007f) return H_TAG;
    if (cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f ||
        cp == 0x205f || cp == 0x3000 || cp == 0x2028 || cp == 0x2029)
        return H_SPACE;
    if (cp >= 0x80 && cp <= 0x9f) return cp == 0x9b ? H_ESC : H_CTRL;
    return -1;
}

struct hscan {
    struct iso_pz_ctx *c;
    struct iso_pz_text tx;
    unsigned seen; /* rules reported on the current line */
};

static void hreport(struct hscan *h, int rule, const char *at, const char *dec, size_t dn)
{
    const char *s = h->c->top, *end = s + h->c->topn, *a = at, *b = at;

    if (h->seen & (1u << rule)) return;
    h->seen |= 1u << rule;
    /* context: up to 24 bytes either side, within the line */
    while (a > s && a[-1] != '\n' && at - a < 24) a--;
    while (b < end && *b != '\n' && b - at < 40) b++;
    while (a > s && ((unsigned char)*a & 0xc0) == 0x80) a--;
    iso_pz_report(h->c, &h->tx, hidden[rule].rule, hidden[rule].why, a, (size_t)(b - a), dec, dn);
}

/* Host names after "scheme://": look-alike letters and non-ASCII. */
static void scan_host(struct hscan *h, const char *p, const char *end)
{
    const char *q = p, *at = NULL;
    int glyph = 0, other = 0;

    while (q < end && !strchr("/?#\"'` \t\n\r|;&<>()[]\\", *q)) {
        if (*q == '@') at = q;
        q++;
    }
    if (at) p = at + 1;
    for (const char *r = p; r < q;) {
        unsigned cp;
        size_t k = iso_pz_utf8((const unsigned char *)r, (size_t)(q - r), &cp);
        if (k == 0) k = 1, cp = 0xfffd;
        if (cp == ':') break; /* port */
        if (cp >= 0x80) {
            if (confusable(cp))
                glyph = 1;
            else if (classify_cp(cp) < 0)
                other = 1;
        }
        r += k;
    }
    if (glyph)
        hreport(h, H_HOST, p, NULL, 0);
    else if (other)
        hreport(h, H_IDN, p, NULL, 0);
}

/* Labels "xn--...": decoded so the user sees the name the host stands for. */
static void scan_puny(struct hscan *h, const char *p, const char *end)
{
    const char *q = p + 4, *a = p, *b;
    char dec[ISO_PZ_VAL * 2];
    size_t dn = 0, k;

    while (q < end &&
           (((*q | 32) >= 'a' && (*q | 32) <= 'z') || (*q >= '0' && *q <= '9') || *q == '-'))
        q++;
    /* show the whole host name around the label */
    while (a > h->c->top &&
           (a[-1] == '.' || a[-1] == '-' || ((a[-1] | 32) >= 'a' && (a[-1] | 32) <= 'z') ||
            (a[-1] >= '0' && a[-1] <= '9')))
        a--;
    b = q;
    while (b < end && (*b == '.' || *b == '-' || ((*b | 32) >= 'a' && (*b | 32) <= 'z') ||
                       (*b >= '0' && *b <= '9')))
        b++;
    for (const char *l = a; l < b && dn + 8 < sizeof dec;) {
        const char *le = l;
        while (le < b && *le != '.') le++;
        if (le - l > 4 && iso_pz_caseeq(l, 4, "xn--") &&
            (k = iso_pz_dec_punycode(l + 4, (size_t)(le - l - 4), dec + dn, sizeof dec - dn - 2)) !=
                (size_t)-1) {
            dn += k;
        } else {
            k = (size_t)(le - l) < sizeof dec - dn - 2 ? (size_t)(le - l) : sizeof dec - dn - 2;
            memcpy(dec + dn, l, k);
            dn += k;
        }
        if (le < b) dec[dn++] = '.';
        l = le + 1;
    }
    if (h->seen & (1u << H_PUNY)) return;
    h->seen |= 1u << H_PUNY;
    iso_pz_report(h->c, &h->tx, hidden[H_PUNY].rule, hidden[H_PUNY].why, a, (size_t)(b - a), dec,
                  dn);
}

/* Invisible tag characters spell ASCII: show what they say. */
static void report_tags(struct hscan *h, const char *p, const char *end)
{
    char dec[128];
    size_t dn = 0;
    unsigned cp;
    size_t k;

    for (const char *q = p; q < end && dn < sizeof dec; q += k) {
        k = iso_pz_utf8((const unsigned char *)q, (size_t)(end - q), &cp);
        if (k == 0 || cp < 0xe0000 || cp > 0xe007f) break;
        if (cp >= 0xe0020 && cp < 0xe007f) dec[dn++] = (char)(cp - 0xe0000);
    }
    hreport(h, H_TAG, p, dec, dn);
}

void iso_pz_scan_hidden(struct iso_pz_ctx *c)
{
    struct hscan h = {.c = c, .tx = {.s = c->top, .n = c->topn, .line = 1}};
    const char *s = c->top, *end = s + c->topn, *p = s, *word = s;
    unsigned blank_lines = 0, line_has_text = 0, word_latin = 0, word_glyph = 0;
    size_t run = 0;

    while (p < end) {
        unsigned char ch = (unsigned char)*p;
        unsigned cp;
        size_t k = 1;
        int r;

        if (ch == '\n') {
            if (word_glyph && word_latin && !(h.seen & (1u << H_HOST)))
                hreport(&h, H_GLYPH, word, NULL, 0);
            if (!line_has_text) blank_lines++;
            line_has_text = 0;
            h.seen = 0;
            run = 0;
            p++;
            word = p;
            word_latin = word_glyph = 0;
            continue;
        }
        if (ch == ' ' || ch == '\t') {
            run++;
            p++;
            if (word_glyph && word_latin && !(h.seen & (1u << H_HOST)))
                hreport(&h, H_GLYPH, word, NULL, 0);
            word = p;
            word_latin = word_glyph = 0;
            continue;
        }
        /* text after a long run of blanks, or after many blank lines */
        if (run >= 48 || blank_lines >= 16) hreport(&h, H_PAD, p, NULL, 0);
        run = 0;
        blank_lines = 0;
        line_has_text = 1;
        if (ch > 0x20 && ch < 0x7f && ch != ':' && (ch | 32) != 'x') {
            /* the common case: a run of printable ASCII */
            do {
                if ((ch | 32) >= 'a' && (ch | 32) <= 'z') word_latin = 1;
                if (++p == end) break; /* the text need not be NUL-terminated */
                ch = (unsigned char)*p;
            } while (ch > 0x20 && ch < 0x7f && ch != ':' && (ch | 32) != 'x');
            continue;
        }
        if (ch == 27) {
            if (end - p >= 6 && (!memcmp(p + 1, "[200~", 5) || !memcmp(p + 1, "[201~", 5)))
                hreport(&h, H_PASTE, p, NULL, 0);
            else
                hreport(&h, H_ESC, p, NULL, 0);
        } else if (ch == '\r') {
            if (p + 1 < end && p[1] != '\n') hreport(&h, H_CR, p, NULL, 0);
        } else if (ch < 0x20 || ch == 0x7f) {
            hreport(&h, H_CTRL, p, NULL, 0);
        } else if (ch >= 0x80) {
            k = iso_pz_utf8((const unsigned char *)p, (size_t)(end - p), &cp);
            if (k == 0) {
                k = 1;
                hreport(&h, ch == 0x9b ? H_ESC : H_CTRL, p, NULL, 0);
            } else if ((r = classify_cp(cp)) >= 0) {
                if (r == H_TAG)
                    report_tags(&h, p, end);
                else
                    hreport(&h, r, p, NULL, 0);
                if (r == H_SPACE) {
                    word = p + k;
                    word_latin = word_glyph = 0;
                }
            } else if (confusable(cp)) {
                word_glyph = 1;
                if (cp >= 0xff01 && cp <= 0xff5e) word_latin = 1; /* fullwidth: always */
            }
        } else if ((ch | 32) >= 'a' && (ch | 32) <= 'z') {
            word_latin = 1;
            if ((ch | 32) == 'x' && end - p > 4 && iso_pz_caseeq(p, 4, "xn--") &&
                (p == s || strchr("./@ \t\n'\"=:", p[-1])))
                scan_puny(&h, p, end);
        } else if (ch == ':' && end - p > 3 && p[1] == '/' && p[2] == '/') {
            scan_host(&h, p + 3, end);
        }
        p += k;
    }
    if (word_glyph && word_latin && !(h.seen & (1u << H_HOST))) hreport(&h, H_GLYPH, word, NULL, 0);
}
