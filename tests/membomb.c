/*
 * membomb [MIB] - takes MIB mebibytes of memory (default: until refused),
 * 16 MiB at a time, each populated at once (MAP_POPULATE: far faster than
 * touching the pages one by one). Exits 3 when refused. For the tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 1L << 40;
    for (long done = 0; done < mib; done += 16)
        if (mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                 -1, 0) == MAP_FAILED) {
            perror("membomb");
            return 3;
        }
    printf("took %ld MiB\n", mib);
    return 0;
}
