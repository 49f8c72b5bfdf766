/*
 * error.c - the error contract: functions return -1 and fill a fixed-size
 * struct isolate_error; the message names the likely cause at the failure site.
 *
 * These functions run in the sandbox-building child too, which shares the
 * caller's memory: they format into the caller-provided struct or a stack
 * buffer and write(2) it, never touching stdio, malloc or locale state. errno
 * is taken as an argument, captured by the caller before any formatting.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *iso_strerror(int errnum)
{
#ifdef __GLIBC__
    /* strerrordesc_np: static English text, no locale, no buffer. */
    const char *s = strerrordesc_np(errnum);
    return s ? s : "unknown error";
#else
    return strerror(errnum); /* musl: static text as well */
#endif
}

/* "TERM" for SIGTERM: libc's names differ (and musl has no sigabbrev_np). */
const char *iso_signame(int sig)
{
    static const char *const names[] = {
        NULL,   "HUP",  "INT",  "QUIT", "ILL",    "TRAP",   "ABRT",  "BUS",  "FPE",  "KILL", "USR1",
        "SEGV", "USR2", "PIPE", "ALRM", "TERM",   "STKFLT", "CHLD",  "CONT", "STOP", "TSTP", "TTIN",
        "TTOU", "URG",  "XCPU", "XFSZ", "VTALRM", "PROF",   "WINCH", "IO",   "PWR",  "SYS",
    };
    return sig > 0 && sig < (int)(sizeof names / sizeof *names) ? names[sig] : "?";
}

void iso_err(struct isolate_error *e, int errnum, const char *fmt, ...)
{
    va_list ap;
    int n;

    e->errnum = errnum;
    va_start(ap, fmt);
    n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (errnum && (size_t)n < sizeof e->msg)
        snprintf(e->msg + n, sizeof e->msg - n, ": %s", iso_strerror(errnum));
}

void iso_err_hint(struct isolate_error *e, const char *hint)
{
    size_t n = strlen(e->msg);
    if (n + 3 < sizeof e->msg) snprintf(e->msg + n, sizeof e->msg - n, "\n  %s", hint);
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        buf += w;
        len -= (size_t)w;
    }
}

static void vsay(const char *fmt, va_list ap)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "isolate: ");
    int m = vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
    size_t len;

    if (m < 0) m = 0;
    len = (size_t)n + (size_t)m;
    if (len > sizeof buf - 2) len = sizeof buf - 2;
    buf[len++] = '\n';
    write_all(2, buf, len);
}

void iso_say(const char *fmt, ...)
{
    va_list ap;
    int saved = errno;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
    errno = saved;
}

void iso_log(int verbose, const char *fmt, ...)
{
    va_list ap;
    int saved = errno;
    if (!verbose) return;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
    errno = saved;
}

ISO_PUBLIC void isolate_note_pipeline(void)
{
    /* write(2), not stdio: a shell may buffer stderr in a pipeline's subshell
     * and leave with _exit. */
    iso_say("note: only this element of the pipeline is isolated; to isolate the whole "
            "pipeline, run: isolate -c '...'");
}

ISO_PUBLIC void isolate_perror(const struct isolate_error *err)
{
    iso_say("%s", err->msg);
}

ISO_PUBLIC int isolate_status_from_wait(int wstatus)
{
    if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
    if (WIFSTOPPED(wstatus)) return 128 + WSTOPSIG(wstatus);
    return ISOLATE_EXIT_FAILURE;
}
