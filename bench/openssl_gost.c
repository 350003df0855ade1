/*
 * openssl_gost: the OpenSSL side of scripts/bench-vs-openssl.sh.
 *
 * Measures, through OpenSSL 3's EVP API with Debian's gost engine (libengine-gost-openssl) set
 * as the default for everything it implements:
 *   - GOST R 34.10-2012 key generation, signing and verification for each of the 12 standard
 *     parameter sets (the engine's names: gost2012_256-A, -B, -C, -XA, -XB, -TCA..-TCD and
 *     gost2012_512-A, -B, -C);
 *   - ECDSA P-256 (OpenSSL's default provider) for scale;
 *   - Streebog-256 and Streebog-512 over 8 KiB and 1 MiB messages.
 *
 * The work per operation (the Rust side, bench/rust, does exactly the same):
 *   keygen  one EVP_PKEY_keygen on a context prepared once (parameter set chosen once);
 *   sign    one EVP_PKEY_sign of a fixed digest (32 bytes for 256-bit sets and P-256, 64 bytes
 *           for 512-bit sets; bytes 0x01, 0x02, ... as a hash function would output them): the
 *           signature primitive only, no hashing;
 *   verify  one EVP_PKEY_verify of a valid signature over that digest (checked to succeed);
 *   hash    one whole Streebog digest (init, update over the message, final) of a message of
 *           `bytes` bytes.
 *
 * Time is CPU time of the process (clock_gettime(CLOCK_PROCESS_CPUTIME_ID)); each item runs in
 * batches until the accumulated time reaches the target (default 0.5 s), after one untimed
 * warm-up operation; each batch is at most twice the last and sized to end near the target. Output, one line per item:
 *   BENCH impl=openssl op=sign set=gost2012_256-A bytes=32 iters=12288 cpu_s=0.512345 ops_s=23984.1
 *
 * Usage: openssl_gost [--time SECONDS] [--only SET]
 *   --only runs only the items of one parameter set or hash, named exactly as in the output.
 * Exit status 0 when every item ran, 1 on any failure (with OpenSSL's error queue on stderr).
 */
#define _POSIX_C_SOURCE 199309L

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

/* ENGINE_* is deprecated in OpenSSL 3 but is the only way to use the gost engine through EVP. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

static double target_s = 0.5;
static const char *only = NULL;
static int failures = 0;

static double cpu_now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) {
        perror("clock_gettime");
        exit(1);
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fail(const char *what, const char *set) {
    fprintf(stderr, "openssl_gost: %s failed for %s\n", what, set);
    ERR_print_errors_fp(stderr);
    failures++;
}

/* One operation; returns 1 on success. */
typedef int (*op_fn)(void *arg);

static int selected(const char *set) {
    return only == NULL || strcmp(only, set) == 0;
}

/* The size of the next batch: at most twice `batch`, and about what is left to reach `target`
 * at the rate measured so far (bench/rust computes the same). */
static unsigned long long next_batch(unsigned long long batch, unsigned long long iters,
                                     double elapsed, double target) {
    double left;
    unsigned long long doubled = batch < (1ULL << 62) ? batch * 2 : batch;
    if (elapsed <= 0.0 || elapsed >= target) {
        return doubled;
    }
    left = ceil((target - elapsed) * (double)iters / elapsed);
    if (left >= (double)doubled) {
        return doubled;
    }
    return left < 1.0 ? 1 : (unsigned long long)left;
}

/* Runs `fn` in batches until `target_s` of CPU time has accumulated; prints a line. */
static void measure(const char *op, const char *set, size_t bytes, op_fn fn, void *arg) {
    unsigned long long iters = 0, batch = 1, i;
    double elapsed = 0.0, t0;

    if (!fn(arg)) { /* warm-up, and a check that the operation works at all */
        fail(op, set);
        return;
    }
    while (elapsed < target_s) {
        t0 = cpu_now();
        for (i = 0; i < batch; i++) {
            if (!fn(arg)) {
                fail(op, set);
                return;
            }
        }
        elapsed += cpu_now() - t0;
        iters += batch;
        batch = next_batch(batch, iters, elapsed, target_s);
    }
    printf("BENCH impl=openssl op=%s set=%s bytes=%zu iters=%llu cpu_s=%.6f ops_s=%.1f\n", op, set,
           bytes, iters, elapsed, (double)iters / elapsed);
    fflush(stdout);
}

/* ---- signatures ---------------------------------------------------------------------------- */

struct keygen_arg {
    EVP_PKEY_CTX *ctx;
};

static int do_keygen(void *p) {
    struct keygen_arg *a = p;
    EVP_PKEY *key = NULL;
    int ok = EVP_PKEY_keygen(a->ctx, &key) == 1;
    EVP_PKEY_free(key);
    return ok;
}

struct sign_arg {
    EVP_PKEY_CTX *sctx, *vctx;
    unsigned char digest[64];
    size_t digest_len;
    unsigned char sig[256];
    size_t sig_len;
};

static int do_sign(void *p) {
    struct sign_arg *a = p;
    unsigned char sig[256];
    size_t len = sizeof sig;
    return EVP_PKEY_sign(a->sctx, sig, &len, a->digest, a->digest_len) == 1;
}

static int do_verify(void *p) {
    struct sign_arg *a = p;
    return EVP_PKEY_verify(a->vctx, a->sig, a->sig_len, a->digest, a->digest_len) == 1;
}

/* Signs and verifies with `key` (already generated); `key` is freed. */
static void bench_sign_verify(const char *set, EVP_PKEY *key, size_t digest_len) {
    struct sign_arg a;
    size_t i;

    memset(&a, 0, sizeof a);
    a.digest_len = digest_len;
    for (i = 0; i < digest_len; i++) {
        a.digest[i] = (unsigned char)(i + 1);
    }
    a.sctx = EVP_PKEY_CTX_new(key, NULL);
    a.vctx = EVP_PKEY_CTX_new(key, NULL);
    if (a.sctx == NULL || a.vctx == NULL || EVP_PKEY_sign_init(a.sctx) != 1
        || EVP_PKEY_verify_init(a.vctx) != 1) {
        fail("sign/verify init", set);
        goto done;
    }
    a.sig_len = sizeof a.sig;
    if (EVP_PKEY_sign(a.sctx, a.sig, &a.sig_len, a.digest, a.digest_len) != 1) {
        fail("sign", set);
        goto done;
    }
    measure("sign", set, digest_len, do_sign, &a);
    measure("verify", set, digest_len, do_verify, &a);
    /* The verification must also be able to fail: flip a bit of the digest. */
    a.digest[0] ^= 1;
    if (EVP_PKEY_verify(a.vctx, a.sig, a.sig_len, a.digest, a.digest_len) == 1) {
        fprintf(stderr, "openssl_gost: a wrong digest verified for %s\n", set);
        failures++;
    }
    ERR_clear_error();
done:
    EVP_PKEY_CTX_free(a.sctx);
    EVP_PKEY_CTX_free(a.vctx);
    EVP_PKEY_free(key);
}

static void bench_gost(int nid, const char *alg, const char *paramset, size_t digest_len) {
    char set[64];
    struct keygen_arg k;
    EVP_PKEY *key = NULL;

    snprintf(set, sizeof set, "%s-%s", alg, paramset);
    if (!selected(set)) {
        return;
    }
    k.ctx = EVP_PKEY_CTX_new_id(nid, NULL);
    if (k.ctx == NULL || EVP_PKEY_keygen_init(k.ctx) != 1
        || EVP_PKEY_CTX_ctrl_str(k.ctx, "paramset", paramset) <= 0) {
        fail("keygen init (is the gost engine loaded?)", set);
        EVP_PKEY_CTX_free(k.ctx);
        return;
    }
    measure("keygen", set, 0, do_keygen, &k);
    if (EVP_PKEY_keygen(k.ctx, &key) != 1) {
        fail("keygen", set);
    } else {
        bench_sign_verify(set, key, digest_len);
    }
    EVP_PKEY_CTX_free(k.ctx);
}

static void bench_p256(void) {
    const char *set = "p256";
    struct keygen_arg k;
    EVP_PKEY *key = NULL;

    if (!selected(set)) {
        return;
    }
    /* The default provider's EC, not the engine (which does not implement EC). */
    k.ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (k.ctx == NULL || EVP_PKEY_keygen_init(k.ctx) != 1
        || EVP_PKEY_CTX_set_group_name(k.ctx, "P-256") != 1) {
        fail("keygen init", set);
        EVP_PKEY_CTX_free(k.ctx);
        return;
    }
    measure("keygen", set, 0, do_keygen, &k);
    if (EVP_PKEY_keygen(k.ctx, &key) != 1) {
        fail("keygen", set);
    } else {
        bench_sign_verify(set, key, 32);
    }
    EVP_PKEY_CTX_free(k.ctx);
}

/* ---- Streebog -------------------------------------------------------------------------------- */

struct hash_arg {
    const EVP_MD *md;
    EVP_MD_CTX *ctx;
    const unsigned char *msg;
    size_t len;
};

static int do_hash(void *p) {
    struct hash_arg *a = p;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int out_len = 0;
    return EVP_DigestInit_ex(a->ctx, a->md, NULL) == 1
        && EVP_DigestUpdate(a->ctx, a->msg, a->len) == 1
        && EVP_DigestFinal_ex(a->ctx, out, &out_len) == 1;
}

static void bench_streebog(const char *name, int nid, const unsigned char *msg, size_t len) {
    struct hash_arg a;

    if (!selected(name)) {
        return;
    }
    a.md = EVP_get_digestbynid(nid);
    a.ctx = EVP_MD_CTX_new();
    a.msg = msg;
    a.len = len;
    if (a.md == NULL || a.ctx == NULL) {
        fail("digest lookup (is the gost engine loaded?)", name);
    } else {
        measure("hash", name, len, do_hash, &a);
    }
    EVP_MD_CTX_free(a.ctx);
}

/* ---- main ------------------------------------------------------------------------------------ */

int main(int argc, char **argv) {
    static const char *const sets256[] = {"A", "B", "C", "XA", "XB", "TCA", "TCB", "TCC", "TCD"};
    static const char *const sets512[] = {"A", "B", "C"};
    static const size_t sizes[] = {8192, 1048576};
    ENGINE *e;
    unsigned char *msg;
    size_t i;
    int argi;

    for (argi = 1; argi < argc; argi++) {
        if (strcmp(argv[argi], "--time") == 0 && argi + 1 < argc) {
            target_s = strtod(argv[++argi], NULL);
            if (!(target_s > 0.0)) {
                fprintf(stderr, "openssl_gost: --time wants a positive number of seconds\n");
                return 2;
            }
        } else if (strcmp(argv[argi], "--only") == 0 && argi + 1 < argc) {
            only = argv[++argi];
        } else {
            fprintf(stderr, "usage: %s [--time SECONDS] [--only SET]\n", argv[0]);
            return 2;
        }
    }

    e = ENGINE_by_id("gost");
    if (e == NULL || ENGINE_init(e) != 1) {
        fprintf(stderr, "openssl_gost: cannot load the gost engine (libengine-gost-openssl)\n");
        ERR_print_errors_fp(stderr);
        return 1;
    }
    if (ENGINE_set_default(e, ENGINE_METHOD_ALL) != 1) {
        fprintf(stderr, "openssl_gost: ENGINE_set_default failed\n");
        ERR_print_errors_fp(stderr);
        return 1;
    }

    for (i = 0; i < sizeof sets256 / sizeof sets256[0]; i++) {
        bench_gost(NID_id_GostR3410_2012_256, "gost2012_256", sets256[i], 32);
    }
    for (i = 0; i < sizeof sets512 / sizeof sets512[0]; i++) {
        bench_gost(NID_id_GostR3410_2012_512, "gost2012_512", sets512[i], 64);
    }
    bench_p256();

    msg = malloc(sizes[1]);
    if (msg == NULL) {
        perror("malloc");
        return 1;
    }
    for (i = 0; i < sizes[1]; i++) {
        msg[i] = (unsigned char)(i * 131u + 7u);
    }
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bench_streebog("streebog256", NID_id_GostR3411_2012_256, msg, sizes[i]);
        bench_streebog("streebog512", NID_id_GostR3411_2012_512, msg, sizes[i]);
    }
    free(msg);

    ENGINE_finish(e);
    ENGINE_free(e);
    return failures == 0 ? 0 : 1;
}
