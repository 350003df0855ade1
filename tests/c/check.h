/* Shared by the C tests of the ABI: CHECK counts and reports, read_file loads a fixture,
 * STR compares a bk_str. Each test prints "N passed, N failed" and exits non-zero on failure. */
#ifndef BANKKEY_TEST_CHECK_H
#define BANKKEY_TEST_CHECK_H

#include "bankkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed = 0;
static int check_failed = 0;

#define CHECK(cond, what)                                                                     \
    do {                                                                                      \
        if (cond) {                                                                           \
            check_passed++;                                                                   \
        } else {                                                                              \
            check_failed++;                                                                   \
            fprintf(stderr, "FAIL %s:%d: %s (last error %u %s: %s)\n", __FILE__, __LINE__,   \
                    what, bk_last_error_status(), bk_status_name(bk_last_error_status()),     \
                    bk_last_error_message());                                                 \
        }                                                                                     \
    } while (0)

/* A call that must succeed; stops the test when it does not (what follows depends on it). */
#define MUST(call)                                                                            \
    do {                                                                                      \
        bk_status must_s_ = (call);                                                           \
        if (must_s_ != BK_OK) {                                                               \
            fprintf(stderr, "FATAL %s:%d: %s = %u %s: %s (field %s)\n", __FILE__, __LINE__,   \
                    #call, must_s_, bk_status_name(must_s_), bk_last_error_message(),         \
                    bk_last_error_field() ? bk_last_error_field() : "-");                     \
            exit(2);                                                                          \
        }                                                                                     \
        check_passed++;                                                                       \
    } while (0)

static inline int check_done(void) {
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

static inline int str_eq(bk_str s, const char *expected) {
    return s.ptr != NULL && s.len == strlen(expected) && memcmp(s.ptr, expected, s.len) == 0;
}

static inline int field_is(const char *expected) {
    const char *f = bk_last_error_field();
    return f != NULL && strcmp(f, expected) == 0;
}

/* The whole file, NUL-terminated (for PEM); exits when it cannot be read. */
static inline unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "FATAL: cannot open %s\n", path);
        exit(2);
    }
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap + 1);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap * 2 + 1);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL) {
        fprintf(stderr, "FATAL: out of memory reading %s\n", path);
        exit(2);
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static inline char *path_join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p == NULL) {
        exit(2);
    }
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

#endif
