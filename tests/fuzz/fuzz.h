/*
 * fuzz.h - shared by the fuzz targets: a broken invariant aborts, which
 * libFuzzer reports as a crash and saves the input for.
 */
#ifndef ISOLATE_FUZZ_H
#define ISOLATE_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant broken: %s (%s:%d)\n", #cond, __FILE__, __LINE__);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
