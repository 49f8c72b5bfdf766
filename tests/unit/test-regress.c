/*
 * test-regress.c - inputs the fuzzers (tests/fuzz) found, each kept as a
 * test of the bug it showed, so that it stays fixed in every build.
 *
 * The paste classifier reads text that need not be NUL-terminated. Each text
 * here is placed at the very end of a readable page followed by an
 * inaccessible one, and classified in a child process: a read one byte past
 * the text faults there even without a sanitizer (make test-asan runs these
 * tests under ASan and UBSan as well).
 */
#include "isolate.h"
#include "paste.h"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Classifies text[0..n) ending where the page ends; the child's wait status. */
static int classify_at_page_end(const char *text, size_t n, int *verdict)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *map =
        mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int st = -1, fds[2];
    pid_t pid;

    *verdict = -1;
    if (map == MAP_FAILED || n > (size_t)pg || pipe(fds) < 0) return -1;
    mprotect(map + pg, (size_t)pg, PROT_NONE);
    memcpy(map + pg - n, text, n);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct iso_paste_result res;
        unsigned char v = (unsigned char)iso_paste_classify(map + pg - n, n, &res);
        FILE *null = fopen("/dev/null", "w");
        if (!null || iso_paste_write(&res, null) < 0) _exit(3);
        if (write(fds[1], &v, 1) != 1) _exit(3);
        _exit(0);
    }
    close(fds[1]);
    if (pid > 0) {
        unsigned char v;
        waitpid(pid, &st, 0);
        if (read(fds[0], &v, 1) == 1) *verdict = v;
    }
    close(fds[0]);
    munmap(map, (size_t)pg * 2);
    return st;
}

static void paste_case(const char *what, const char *text, size_t n, int expect)
{
    int verdict, st = classify_at_page_end(text, n, &verdict);

    if (WIFSIGNALED(st))
        ok(0, "%s: the classifier died of signal %d", what, WTERMSIG(st));
    else
        ok(st == 0 && (expect < 0 || verdict == expect), "%s (verdict %d)", what, verdict);
}

static void test_paste(void)
{
    /* paste_text.c: the scan of printable ASCII read the byte after the text
     * (a heap-buffer-overflow under ASan; any text ending in a letter). */
    paste_case("hidden-character scan stops at the end of the text", "echo hi", 7, ISO_PASTE_CLEAN);
    /* paste_lex.c: a backslash ending the text stepped two bytes, so the
     * word's raw span ran one byte past the text; the command-name checks
     * then read it. */
    paste_case("a backslash ending the text: the word ends with the text", "ls\\", 3, -1);
    paste_case("the same after quotes in a command name", "c\"u\"rl\\", 7, -1);
    /* paste_fetch.c: an option bundle ending in a NUL byte ("-\0") was taken
     * for an operand with no value, and curl's rules dereferenced it. */
    paste_case("curl with an option bundle ending in a NUL byte", "curl -\0", 7, -1);
    paste_case("wget likewise", "wget -\0", 7, -1);
    paste_case("a value option named by a NUL byte", "curl -o\0 x | sh", 16, ISO_PASTE_WARN);
    /* paste_lex.c: code nested too deeply was reported with its own length
     * from the word that held it, which was shorter: a read past the text.
     * A process substitution fed by a here-document runs itself over and
     * over (found by fuzz-paste-oom after 10 minutes). */
    paste_case("code nested too deeply is reported within bounds", "<<\x01|)`\n}<(cat", 13,
               ISO_PASTE_WARN);
}

static void test_sizes(void)
{
    struct isolate_policy p;
    struct isolate_error e;
    unsigned long long v = 0;
    char *argv[] = {"isolate", "--mem", "1048576T", "true", NULL};

    /* limits.c: 2^60 itself was accepted; the contract is 1 <= size < 2^60. */
    ok(isolate_parse_size("1152921504606846976", &v) == -1, "2^60 bytes is refused");
    ok(isolate_parse_size("1048576T", &v) == -1 && isolate_parse_size("1048576TiB", &v) == -1,
       "1048576T (2^60) is refused");
    ok(isolate_parse_size("1073741824G", &v) == -1, "1073741824G (2^60) is refused");
    ok(isolate_parse_size("1152921504606846975", &v) == 0 && v == (1ULL << 60) - 1,
       "2^60 - 1 bytes is the largest size");
    ok(isolate_parse_size("1048575T", &v) == 0 && v == 1048575ULL << 40, "1048575T is accepted");
    ok(isolate_parse(&p, 4, argv, &e) == -1 && strstr(e.msg, "--mem") && strstr(e.msg, "1048576T"),
       "--mem 1048576T is refused, naming the option and value (%s)", e.msg);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    diag("value parsers");
    test_sizes();
    diag("paste classifier, each text at the end of a page");
    test_paste();
    return done_testing();
}
