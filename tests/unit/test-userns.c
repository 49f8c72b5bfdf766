/*
 * test-userns.c - what isolate says when the kernel refuses a user
 * namespace: for each cause (core/userns.c reads them from /proc), the
 * message names it and its fix. The causes this machine can recreate are
 * tested for real in tests/bats/15-userns-refused.bats; the sysctls this
 * kernel lacks (kernel.unprivileged_userns_clone is Debian's patch,
 * kernel.apparmor_restrict_unprivileged_userns needs AppArmor) are given
 * here as facts. Also: the facts read on this machine are sane, and the
 * fallback to the isolate program is tried only where it can help.
 */
#include "internal.h"
#include "tap.h"

#include <errno.h>
#include <string.h>

static const char *said(int errnum, struct iso_userns_facts f)
{
    static struct isolate_error e;
    iso_err(&e, errnum, "cannot create the sandbox's namespaces");
    iso_userns_diagnose(&e, errnum, &f);
    return e.msg;
}

#define HAS(s, a, b) (strstr((s), (a)) && strstr((s), (b)))

int main(void)
{
    const struct iso_userns_facts open = {-1, 15000, -1, 0};
    struct iso_userns_facts f;
    const char *m;

    setvbuf(stdout, NULL, _IOLBF, 0);
    diag("each cause of a refusal, given as facts");
    f = open, f.unpriv_clone = 0;
    m = said(EPERM, f);
    ok(HAS(m, "kernel.unprivileged_userns_clone = 0",
           "sysctl -w kernel.unprivileged_userns_clone=1"),
       "Debian's sysctl off: named, with its fix");
    f = open, f.max_userns = 0;
    m = said(ENOSPC, f);
    ok(HAS(m, "user.max_user_namespaces = 0", "sysctl -w user.max_user_namespaces="),
       "user.max_user_namespaces = 0: named, with its fix");
    m = said(ENOSPC, open);
    ok(HAS(m, "limit is reached", "user.max_user_namespaces = 15000"),
       "the limit reached: named with its value");
    f = open, f.apparmor = 1;
    m = said(EACCES, f);
    ok(HAS(m, "kernel.apparmor_restrict_unprivileged_userns = 1", "make install-apparmor"),
       "AppArmor's restriction (EACCES): named, the profile as the fix");
    m = said(EPERM, f);
    ok(HAS(m, "AppArmor", "make install-apparmor"), "AppArmor's restriction (EPERM) likewise");
    f = open, f.seccomp = 2;
    m = said(EPERM, f);
    ok(HAS(m, "seccomp filter", "--security-opt seccomp="), "a container's seccomp filter: named");
    m = said(EPERM, open);
    ok(HAS(m, "refused", "isolate --doctor"), "an unknown refusal points to --doctor");
    m = said(EINVAL, open);
    ok(strstr(m, "CONFIG_USER_NS") != NULL, "EINVAL: the kernel configuration");
    f = open, f.unpriv_clone = 0, f.apparmor = 1;
    m = said(EPERM, f);
    ok(strstr(m, "unprivileged_userns_clone") && !strstr(m, "AppArmor"),
       "the sysctl that disables them all comes first");

    iso_userns_facts(&f);
    ok(f.max_userns >= 0 && (f.seccomp == 0 || f.seccomp == 2) && f.unpriv_clone >= -1 &&
           f.unpriv_clone <= 1 && f.apparmor >= -1 && f.apparmor <= 1,
       "facts read here: unprivileged_userns_clone %d, max_user_namespaces %ld, apparmor %d, "
       "seccomp %d",
       f.unpriv_clone, f.max_userns, f.apparmor, f.seccomp);
    ok(iso_userns_refused(EPERM) && iso_userns_refused(EACCES) && iso_userns_refused(ENOSPC) &&
           !iso_userns_refused(EINVAL) && !iso_userns_refused(ENOMEM),
       "refusals: EPERM, EACCES, ENOSPC; not EINVAL or ENOMEM");
    ok(!iso_fallback_worth(ENOSPC) && !iso_fallback_worth(EINVAL),
       "no fallback to the program for a limit or a missing feature");
    ok(iso_fallback_worth(EPERM) == (f.unpriv_clone != 0 && f.max_userns != 0),
       "a fallback for EPERM unless a sysctl disables user namespaces for all");
    return done_testing();
}
