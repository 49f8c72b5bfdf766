/*
 * swap A B SECONDS - exchanges the names A and B (renameat2 RENAME_EXCHANGE:
 * atomic, whatever their types) as fast as it can for SECONDS, then leaves
 * them as they were and prints how many exchanges it made. The tests use it
 * to race a directory against a symlink while isolate resolves and mounts it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int exchange(const char *a, const char *b)
{
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int main(int argc, char **argv)
{
    struct timespec t0, t;
    unsigned long n = 0;
    double secs;

    if (argc != 4 || (secs = atof(argv[3])) <= 0) {
        fprintf(stderr, "usage: swap A B SECONDS\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        for (int i = 0; i < 64; i++, n++)
            if (exchange(argv[1], argv[2]) < 0) {
                perror("swap: renameat2");
                return 1;
            }
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
    if (n % 2 && exchange(argv[1], argv[2]) == 0) n++;
    printf("%lu\n", n);
    return 0;
}
