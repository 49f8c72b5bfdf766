/*
 * seccomp_rules.h - the seccomp rule table, shared by the build-time
 * generator (tools/gen-seccomp.c) and the core (--explain).
 */
#ifndef ISOLATE_SECCOMP_RULES_H
#define ISOLATE_SECCOMP_RULES_H

#include <stddef.h>

struct iso_seccomp_rule {
    const char *syscall;
    int errnum;         /* what the call fails with */
    int arg;            /* -1: always; otherwise the argument tested */
    unsigned long mask; /* denied when (arg & mask) == value */
    unsigned long value;
    const char *threat; /* in plain words, for --explain */
};

extern const struct iso_seccomp_rule iso_seccomp_rules[];
extern const size_t iso_seccomp_nrules;
extern const char iso_seccomp_abi_note[];

#endif
