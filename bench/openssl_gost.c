/*
 * openssl_gost: the OpenSSL side of scripts/bench-vs-openssl.sh.
 *
 * Measures, through OpenSSL 3's EVP API with Debian's gost engine (libengine-gost-openssl) set
 * as the default for everything it implements:
 *   - GOST R 34.10-2012 key generation, signing and verification for each of the 12 standard
 *     parameter sets (the engine's names: gost2012_256-A, -B, -C, -XA, -XB, -TCA..-TCD and
 *     gost2012_512-A, -B, -C);
 *   - ECDSA P-256 (OpenSSL's default provider) for scale;
 *   - Streebog-256 and Streebog-512 over 8 KiB and 1 MiB messages;
 *   - with --certs FILE: parsing and assessing X.509 certificates through the X509 API;
 *   - with --requests DIR: parsing and verifying a PKCS#10 request per GOST parameter set;
 *   - with --signed-requests DIR as well: verifying a remote-regeneration request (CMS
 *     SignedData around a PKCS#10 request) for the sets that have DIR/signed-req-<set>.der.
 *
 * The work per operation (the Rust side, bench/rust, does exactly the same):
 *   keygen  one EVP_PKEY_keygen on a context prepared once (parameter set chosen once);
 *   sign    one EVP_PKEY_sign of a fixed digest (32 bytes for 256-bit sets and P-256, 64 bytes
 *           for 512-bit sets; bytes 0x01, 0x02, ... as a hash function would output them): the
 *           signature primitive only, no hashing;
 *   verify  one EVP_PKEY_verify of a valid signature over that digest (checked to succeed);
 *   hash    one whole Streebog digest (init, update over the message, final) of a message of
 *           `bytes` bytes;
 *   req-verify  parse a PKCS#10 request from DER (d2i_X509_REQ) and verify its signature with
 *           its own public key (X509_REQ_verify: Streebog over the signed part, then GOST
 *           verify); the request is DIR/<set>/req.pem, made by scripts/make-fixtures.sh;
 *   cms-req-verify  a remote-regeneration request, as a bank receives it: DIR/signed-req-<set>.der
 *           (made by scripts/bench-vs-openssl.sh with `openssl cms -sign -engine gost -binary
 *           -nodetach` from the fixture's req.pem, cert.pem and key.pem: attached SignedData,
 *           one signer with signed attributes, the signer's certificate included) is parsed
 *           (d2i_CMS_ContentInfo) and verified with CMS_verify against an X509_STORE holding
 *           the fixture's ca.pem (purpose "any", current time): the signer's certificate chain
 *           (the CA's GOST signature on it, validity), the message digest of the content
 *           (Streebog) and the signature over the signed attributes (GOST); then the content is
 *           parsed as a PKCS#10 request (d2i_X509_REQ) and its own signature verified
 *           (X509_REQ_verify). Three GOST verifications in all; a damaged copy must fail;
 *   assess  (set x509) one certificate of the corpus, the next each time, cycling: parse the DER
 *           (d2i_X509), read the subject's INNLE (1.2.643.100.4), INN (1.2.643.3.131.1.1) and
 *           OGRN (1.2.643.100.1) and check their check digits, read notBefore/notAfter and
 *           compare them with a fixed time (2026-12-01T00:00:00Z); the verdict is the first of
 *           malformed, bad-inn-checksum, bad-ogrn-checksum, not-yet-valid, expired, valid.
 *           Before timing, one untimed pass over the whole corpus prints the count of each
 *           verdict on a CHECK line, which must equal the Rust side's.
 *
 * Time is CPU time of the process (clock_gettime(CLOCK_PROCESS_CPUTIME_ID)); each item runs in
 * batches until the accumulated time reaches the target (default 0.5 s), after one untimed
 * warm-up operation; each batch is at most twice the last and sized to end near the target.
 * Output, one line per item:
 *   BENCH impl=openssl op=sign set=gost2012_256-A bytes=32 iters=12288 cpu_s=0.512345 ops_s=23984.1
 *
 * Usage: openssl_gost [--time SECONDS] [--only SET] [--certs FILE] [--requests DIR]
 *                     [--signed-requests DIR]
 *        openssl_gost --make-certs N FILE
 *   --only runs only the items of one parameter set or hash, named exactly as in the output.
 *   --certs adds the x509 item over FILE: certificates, each as a 4-byte big-endian length and
 *   the DER, as written by --make-certs (N distinct GOST certificates signed by one CA; a
 *   mix of legal entities, persons and entrepreneurs; 2% with a wrong INN check digit, 1.4%
 *   with a wrong OGRN check digit, some expired or not yet valid, some dates after 2049).
 * Exit status 0 when every item ran, 1 on any failure (with OpenSSL's error queue on stderr).
 */
#define _POSIX_C_SOURCE 199309L

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/conf.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* ENGINE_* is deprecated in OpenSSL 3 but is the only way to use the gost engine through EVP. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

static double target_s = 0.5;
static const char *requests_dir = NULL;
static const char *signed_requests_dir = NULL;
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

struct req_arg {
    unsigned char *der;
    long len;
};

static int do_req_verify(void *p) {
    struct req_arg *a = p;
    const unsigned char *q = a->der;
    X509_REQ *req = d2i_X509_REQ(NULL, &q, a->len);
    EVP_PKEY *key = req ? X509_REQ_get0_pubkey(req) : NULL;
    int ok = key != NULL && q == a->der + a->len && X509_REQ_verify(req, key) == 1;
    X509_REQ_free(req);
    return ok;
}

/* Parses and verifies DIR/<set>/req.pem, when --requests DIR was given. */
static void bench_request(const char *set) {
    char path[1024];
    FILE *f;
    X509_REQ *req;
    struct req_arg a = {NULL, 0};

    if (requests_dir == NULL) {
        return;
    }
    snprintf(path, sizeof path, "%s/%s/req.pem", requests_dir, set);
    f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        failures++;
        return;
    }
    req = PEM_read_X509_REQ(f, NULL, NULL, NULL);
    fclose(f);
    a.len = req ? i2d_X509_REQ(req, &a.der) : -1;
    X509_REQ_free(req);
    if (a.len <= 0) {
        fail("reading the request", set);
        return;
    }
    measure("req-verify", set, (size_t)a.len, do_req_verify, &a);
    /* The verification must also be able to fail: flip a bit of the signature. */
    a.der[a.len - 1] ^= 1;
    if (do_req_verify(&a)) {
        fprintf(stderr, "openssl_gost: a damaged request verified for %s\n", set);
        failures++;
    }
    ERR_clear_error();
    OPENSSL_free(a.der);
}

struct cms_arg {
    unsigned char *der;
    long len;
    X509_STORE *store;
};

/* Verifies a remote-regeneration request: CMS_verify (chain, digest, signature), then the
 * PKCS#10 request inside (parse + X509_REQ_verify). */
static int do_cms_req_verify(void *p) {
    struct cms_arg *a = p;
    const unsigned char *q = a->der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &q, a->len);
    BIO *content = BIO_new(BIO_s_mem());
    int ok = 0;

    if (cms != NULL && content != NULL && q == a->der + a->len &&
        CMS_verify(cms, NULL, a->store, NULL, content, CMS_BINARY) == 1) {
        char *data = NULL;
        long n = BIO_get_mem_data(content, &data);
        const unsigned char *r = (const unsigned char *)data;
        X509_REQ *req = n > 0 ? d2i_X509_REQ(NULL, &r, n) : NULL;
        EVP_PKEY *key = req ? X509_REQ_get0_pubkey(req) : NULL;
        ok = key != NULL && r == (const unsigned char *)data + n && X509_REQ_verify(req, key) == 1;
        X509_REQ_free(req);
    }
    BIO_free(content);
    CMS_ContentInfo_free(cms);
    return ok;
}

/* Reads a whole file into a malloc'd buffer. */
static unsigned char *read_file(const char *path, long *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = n;
    }
    fclose(f);
    return buf;
}

/* The cms-req-verify item, when --signed-requests DIR holds signed-req-<set>.der. */
static void bench_signed_request(const char *set) {
    char path[1024];
    FILE *f;
    X509 *ca = NULL;
    struct cms_arg a = {NULL, 0, NULL};

    if (requests_dir == NULL || signed_requests_dir == NULL) {
        return;
    }
    snprintf(path, sizeof path, "%s/signed-req-%s.der", signed_requests_dir, set);
    a.der = read_file(path, &a.len);
    if (a.der == NULL) {
        return; /* only some sets have one */
    }
    snprintf(path, sizeof path, "%s/%s/ca.pem", requests_dir, set);
    f = fopen(path, "r");
    if (f != NULL) {
        ca = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
    }
    a.store = X509_STORE_new();
    if (ca == NULL || a.store == NULL || X509_STORE_add_cert(a.store, ca) != 1 ||
        X509_STORE_set_purpose(a.store, X509_PURPOSE_ANY) != 1) {
        fail("reading the CA certificate", set);
    } else {
        measure("cms-req-verify", set, (size_t)a.len, do_cms_req_verify, &a);
        /* It must also be able to fail: flip a bit of the signature (the last bytes). */
        a.der[a.len - 1] ^= 1;
        if (do_cms_req_verify(&a)) {
            fprintf(stderr, "openssl_gost: a damaged signed request verified for %s\n", set);
            failures++;
        }
        ERR_clear_error();
    }
    X509_free(ca);
    X509_STORE_free(a.store);
    free(a.der);
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
    bench_request(set);
    bench_signed_request(set);
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

/* ---- X.509: the corpus and the assessment ---------------------------------------------------- */

#define ASSESS_AT ((time_t)1796083200) /* 2026-12-01T00:00:00Z */
#define DAY ((time_t)86400)

enum verdict { V_MALFORMED, V_BAD_INN, V_BAD_OGRN, V_NOT_YET_VALID, V_EXPIRED, V_VALID, V_COUNT };
static const char *const verdict_names[V_COUNT] = {
    "malformed", "bad-inn-checksum", "bad-ogrn-checksum", "not-yet-valid", "expired", "valid"};

static ASN1_OBJECT *obj_inn, *obj_innle, *obj_ogrn, *obj_ogrnip, *obj_snils;

static int load_oids(void) {
    obj_inn = OBJ_txt2obj("1.2.643.3.131.1.1", 1);
    obj_innle = OBJ_txt2obj("1.2.643.100.4", 1);
    obj_ogrn = OBJ_txt2obj("1.2.643.100.1", 1);
    obj_ogrnip = OBJ_txt2obj("1.2.643.100.5", 1);
    obj_snils = OBJ_txt2obj("1.2.643.100.3", 1);
    return obj_inn && obj_innle && obj_ogrn && obj_ogrnip && obj_snils;
}

/* Check digits, by the rules bankkey::ident applies. */
static int weighted_mod11(const unsigned char *d, const int *w, int n) {
    int i, sum = 0;
    for (i = 0; i < n; i++) {
        sum += (d[i] - '0') * w[i];
    }
    return sum % 11 % 10;
}

static int number_mod(const unsigned char *d, int n, int m) {
    int i, r = 0;
    for (i = 0; i < n; i++) {
        r = (r * 10 + (d[i] - '0')) % m;
    }
    return r % 10;
}

static int digits_ok(const unsigned char *s, int len, int want) {
    int i;
    if (len != want) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return 1;
}

static const int INN10_W[9] = {2, 4, 10, 3, 5, 9, 4, 6, 8};
static const int INN12_W11[10] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
static const int INN12_W12[11] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};

static int inn10_ok(const unsigned char *s, int len) {
    return digits_ok(s, len, 10) && weighted_mod11(s, INN10_W, 9) == s[9] - '0';
}

static int inn12_ok(const unsigned char *s, int len) {
    return digits_ok(s, len, 12) && !(s[0] == '0' && s[1] == '0')
        && weighted_mod11(s, INN12_W11, 10) == s[10] - '0'
        && weighted_mod11(s, INN12_W12, 11) == s[11] - '0';
}

static int ogrn_ok(const unsigned char *s, int len) {
    return digits_ok(s, len, 13) && (s[0] == '1' || s[0] == '5')
        && number_mod(s, 12, 11) == s[12] - '0';
}

/* The value of the first attribute `obj` of `name`, or NULL. */
static const ASN1_STRING *name_value(const X509_NAME *name, const ASN1_OBJECT *obj) {
    int idx = X509_NAME_get_index_by_OBJ(name, obj, -1);
    return idx < 0 ? NULL : X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
}

static enum verdict assess(const unsigned char *der, long len) {
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, len);
    const X509_NAME *subject;
    const ASN1_STRING *v;
    time_t at = ASSESS_AT;
    enum verdict verdict = V_VALID;
    int before, after;

    if (x == NULL || p != der + len) {
        X509_free(x);
        ERR_clear_error();
        return V_MALFORMED;
    }
    subject = X509_get_subject_name(x);
    if ((v = name_value(subject, obj_innle)) != NULL
        && !inn10_ok(ASN1_STRING_get0_data(v), ASN1_STRING_length(v))) {
        verdict = V_BAD_INN;
    } else if ((v = name_value(subject, obj_inn)) != NULL
               && !inn12_ok(ASN1_STRING_get0_data(v), ASN1_STRING_length(v))) {
        verdict = V_BAD_INN;
    } else if ((v = name_value(subject, obj_ogrn)) != NULL
               && !ogrn_ok(ASN1_STRING_get0_data(v), ASN1_STRING_length(v))) {
        verdict = V_BAD_OGRN;
    } else {
        before = X509_cmp_time(X509_get0_notBefore(x), &at);
        after = X509_cmp_time(X509_get0_notAfter(x), &at);
        if (before == 0 || after == 0) {
            verdict = V_MALFORMED;
        } else if (before > 0) {
            verdict = V_NOT_YET_VALID;
        } else if (after < 0) {
            verdict = V_EXPIRED;
        }
    }
    X509_free(x);
    return verdict;
}

struct corpus {
    unsigned char *data;
    size_t size;
    const unsigned char **der;
    long *len;
    size_t n, next;
};

static int read_corpus(const char *path, struct corpus *c) {
    FILE *f = fopen(path, "rb");
    long size;
    size_t off, cap = 0;

    memset(c, 0, sizeof *c);
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0) {
        perror(path);
        if (f) fclose(f);
        return 0;
    }
    c->size = (size_t)size;
    c->data = malloc(c->size + 1);
    if (c->data == NULL || fread(c->data, 1, c->size, f) != c->size) {
        perror(path);
        fclose(f);
        return 0;
    }
    fclose(f);
    for (off = 0; off + 4 <= c->size;) {
        size_t len = ((size_t)c->data[off] << 24) | ((size_t)c->data[off + 1] << 16)
            | ((size_t)c->data[off + 2] << 8) | c->data[off + 3];
        if (len > c->size - off - 4) {
            break;
        }
        if (c->n == cap) {
            cap = cap ? cap * 2 : 1024;
            c->der = realloc(c->der, cap * sizeof *c->der);
            c->len = realloc(c->len, cap * sizeof *c->len);
            if (c->der == NULL || c->len == NULL) {
                perror("realloc");
                return 0;
            }
        }
        c->der[c->n] = c->data + off + 4;
        c->len[c->n] = (long)len;
        c->n++;
        off += 4 + len;
    }
    if (off != c->size || c->n == 0) {
        fprintf(stderr, "openssl_gost: %s: not a certificate corpus (4-byte length + DER)\n", path);
        return 0;
    }
    return 1;
}

static int do_assess(void *p) {
    struct corpus *c = p;
    enum verdict v = assess(c->der[c->next], c->len[c->next]);
    c->next = (c->next + 1) % c->n;
    return v != V_MALFORMED; /* the corpus holds no malformed certificate */
}

static void bench_x509(const char *path) {
    struct corpus c;
    long counts[V_COUNT] = {0};
    size_t i;
    int v;

    if (!selected("x509")) {
        return;
    }
    if (!load_oids() || !read_corpus(path, &c)) {
        fail("reading the corpus", "x509");
        return;
    }
    for (i = 0; i < c.n; i++) {
        counts[assess(c.der[i], c.len[i])]++;
    }
    printf("CHECK impl=openssl set=x509 certs=%zu", c.n);
    for (v = 0; v < V_COUNT; v++) {
        printf(" %s=%ld", verdict_names[v], counts[v]);
    }
    printf("\n");
    measure("assess", "x509", (c.size - 4 * c.n) / c.n, do_assess, &c);
    free(c.data);
    free(c.der);
    free(c.len);
}

/* A deterministic generator for the corpus (xorshift64*). */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

static unsigned long long rng(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static void random_digits(char *s, int n) {
    int i;
    for (i = 0; i < n; i++) {
        s[i] = (char)('0' + rng() % 10);
    }
    s[n] = '\0';
}

/* Identifiers with valid check digits; `corrupt` makes the last digit wrong. */
static void make_inn10(char *s, int corrupt) {
    random_digits(s, 9);
    s[9] = (char)('0' + (weighted_mod11((unsigned char *)s, INN10_W, 9) + corrupt) % 10);
    s[10] = '\0';
}

static void make_inn12(char *s, int corrupt) {
    do {
        random_digits(s, 10);
    } while (s[0] == '0' && s[1] == '0');
    s[10] = (char)('0' + weighted_mod11((unsigned char *)s, INN12_W11, 10));
    s[11] = (char)('0' + (weighted_mod11((unsigned char *)s, INN12_W12, 11) + corrupt) % 10);
    s[12] = '\0';
}

static void make_ogrn(char *s, int corrupt) {
    random_digits(s, 12);
    s[0] = rng() % 2 ? '1' : '5';
    s[12] = (char)('0' + (number_mod((unsigned char *)s, 12, 11) + corrupt) % 10);
    s[13] = '\0';
}

static void make_ogrnip(char *s) {
    random_digits(s, 14);
    s[0] = '3';
    s[14] = (char)('0' + number_mod((unsigned char *)s, 14, 13));
    s[15] = '\0';
}

static void make_snils(char *s) {
    int i, sum = 0, check;
    do {
        random_digits(s, 9);
    } while (memcmp(s, "001001998", 9) <= 0);
    for (i = 0; i < 9; i++) {
        sum += (s[i] - '0') * (9 - i);
    }
    check = sum < 100 ? sum : sum % 101;
    if (check == 100) {
        check = 0;
    }
    s[9] = (char)('0' + check / 10);
    s[10] = (char)('0' + check % 10);
    s[11] = '\0';
}

static int add_text(X509_NAME *name, const char *field, const char *value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, (const unsigned char *)value, -1,
                                      -1, 0);
}

static int add_numeric(X509_NAME *name, const ASN1_OBJECT *obj, const char *value) {
    return X509_NAME_add_entry_by_OBJ(name, obj, V_ASN1_NUMERICSTRING,
                                      (const unsigned char *)value, -1, -1, 0);
}

static int add_ext(X509 *x, const char *name, const char *value) {
    static CONF *conf = NULL; /* empty; certificatePolicies wants one to exist */
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;
    if (conf == NULL && (conf = NCONF_new(NULL)) == NULL) {
        return 0;
    }
    X509V3_set_ctx(&ctx, NULL, x, NULL, NULL, 0);
    X509V3_set_nconf(&ctx, conf);
    ext = X509V3_EXT_nconf(conf, &ctx, name, value);
    ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static EVP_PKEY *gost_key(int nid, const char *paramset) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(nid, NULL);
    EVP_PKEY *key = NULL;
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1
        || EVP_PKEY_CTX_ctrl_str(ctx, "paramset", paramset) <= 0
        || EVP_PKEY_keygen(ctx, &key) != 1) {
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* Writes `n` distinct certificates to `path` (see the usage at the top). */
static int make_certs(long n, const char *path) {
    static const struct {
        int nid;
        const char *paramset;
    } key_sets[] = {
        {NID_id_GostR3410_2012_256, "A"},   {NID_id_GostR3410_2012_256, "B"},
        {NID_id_GostR3410_2012_256, "XA"},  {NID_id_GostR3410_2012_256, "TCA"},
        {NID_id_GostR3410_2012_256, "TCB"}, {NID_id_GostR3410_2012_512, "A"},
        {NID_id_GostR3410_2012_512, "C"},   {NID_id_GostR3410_2012_256, "A"},
    };
    enum { NKEYS = sizeof key_sets / sizeof key_sets[0] };
    EVP_PKEY *keys[NKEYS], *ca = NULL;
    X509_NAME *ca_name = X509_NAME_new();
    const EVP_MD *md = EVP_get_digestbynid(NID_id_GostR3411_2012_256);
    FILE *f = fopen(path, "wb");
    char buf[64], text[160];
    long i;
    size_t k;
    int ok = 1;

    if (f == NULL) {
        perror(path);
        return 0;
    }
    if (!load_oids() || md == NULL || ca_name == NULL) {
        fail("corpus setup", "x509");
        fclose(f);
        return 0;
    }
    ca = gost_key(NID_id_GostR3410_2012_256, "A");
    for (k = 0; k < NKEYS; k++) {
        keys[k] = gost_key(key_sets[k].nid, key_sets[k].paramset);
        ok = ok && keys[k] != NULL;
    }
    make_inn10(buf, 0);
    ok = ok && ca != NULL && add_text(ca_name, "CN", "Тестовый УЦ bankkey") && add_text(ca_name, "O", "bankkey bench")
        && add_text(ca_name, "C", "RU") && add_numeric(ca_name, obj_innle, buf);
    make_ogrn(buf, 0);
    ok = ok && add_numeric(ca_name, obj_ogrn, buf);
    for (i = 0; ok && i < n; i++) {
        X509 *x = X509_new();
        X509_NAME *name = X509_NAME_new();
        unsigned char *der = NULL;
        unsigned char hdr[4];
        int len, kind = (int)(i % 3);
        int bad_inn = rng() % 50 == 0, bad_ogrn = kind == 0 && rng() % 70 == 0;
        time_t not_before = ASSESS_AT - (time_t)(rng() % 730) * DAY - 3600, not_after;

        if (rng() % 100 == 0) {
            not_before = ASSESS_AT + 10 * DAY;
        }
        not_after = rng() % 200 == 0 ? (time_t)2556144000 /* 2051-01-01 */ : not_before + 365 * DAY;
        ok = x != NULL && name != NULL && X509_set_version(x, 2)
            && ASN1_INTEGER_set_int64(X509_get_serialNumber(x), i + 1)
            && X509_set_issuer_name(x, ca_name)
            && ASN1_TIME_set(X509_getm_notBefore(x), not_before) != NULL
            && ASN1_TIME_set(X509_getm_notAfter(x), not_after) != NULL
            && X509_set_pubkey(x, keys[(size_t)i % NKEYS]);
        if (kind == 0) { /* legal entity */
            snprintf(text, sizeof text, "ООО «Ромашка-%ld»", i);
            ok = ok && add_text(name, "CN", text) && add_text(name, "O", text)
                && add_text(name, "L", "г. Москва") && add_text(name, "C", "RU");
            make_inn10(buf, bad_inn);
            ok = ok && add_numeric(name, obj_innle, buf);
            make_ogrn(buf, bad_ogrn);
            ok = ok && add_numeric(name, obj_ogrn, buf);
        } else { /* a person (kind 1) or an individual entrepreneur (kind 2) */
            snprintf(text, sizeof text, "Иванов Иван Иванович %ld", i);
            ok = ok && add_text(name, "CN", text) && add_text(name, "SN", "Иванов")
                && add_text(name, "GN", "Иван Иванович") && add_text(name, "C", "RU");
            make_inn12(buf, bad_inn);
            ok = ok && add_numeric(name, obj_inn, buf);
            if (kind == 2) {
                make_ogrnip(buf);
                ok = ok && add_numeric(name, obj_ogrnip, buf);
            }
            make_snils(buf);
            ok = ok && add_numeric(name, obj_snils, buf);
        }
        ok = ok && X509_set_subject_name(x, name)
            && add_ext(x, "keyUsage", "critical,digitalSignature,nonRepudiation,keyEncipherment")
            && add_ext(x, "extendedKeyUsage", "clientAuth,emailProtection")
            && add_ext(x, "certificatePolicies", "1.2.643.100.113.1")
            && add_ext(x, "subjectKeyIdentifier", "hash")
            && add_ext(x, "1.2.643.100.111", "ASN1:FORMAT:UTF8,UTF8String:СКЗИ «КриптоПро CSP» (версия 5.0)")
            && X509_sign(x, ca, md) > 0 && (len = i2d_X509(x, &der)) > 0;
        if (ok) {
            hdr[0] = (unsigned char)(len >> 24);
            hdr[1] = (unsigned char)(len >> 16);
            hdr[2] = (unsigned char)(len >> 8);
            hdr[3] = (unsigned char)len;
            ok = fwrite(hdr, 1, 4, f) == 4 && fwrite(der, 1, (size_t)len, f) == (size_t)len;
        }
        OPENSSL_free(der);
        X509_NAME_free(name);
        X509_free(x);
    }
    if (!ok) {
        fail("making the corpus", "x509");
    }
    for (k = 0; k < NKEYS; k++) {
        EVP_PKEY_free(keys[k]);
    }
    EVP_PKEY_free(ca);
    X509_NAME_free(ca_name);
    return fclose(f) == 0 && ok;
}

/* ---- main ------------------------------------------------------------------------------------ */

int main(int argc, char **argv) {
    static const char *const sets256[] = {"A", "B", "C", "XA", "XB", "TCA", "TCB", "TCC", "TCD"};
    static const char *const sets512[] = {"A", "B", "C"};
    static const size_t sizes[] = {8192, 1048576};
    ENGINE *e;
    unsigned char *msg;
    const char *certs = NULL, *make_path = NULL;
    long make_n = 0;
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
        } else if (strcmp(argv[argi], "--requests") == 0 && argi + 1 < argc) {
            requests_dir = argv[++argi];
        } else if (strcmp(argv[argi], "--signed-requests") == 0 && argi + 1 < argc) {
            signed_requests_dir = argv[++argi];
        } else if (strcmp(argv[argi], "--certs") == 0 && argi + 1 < argc) {
            certs = argv[++argi];
        } else if (strcmp(argv[argi], "--make-certs") == 0 && argi + 2 < argc) {
            make_n = strtol(argv[++argi], NULL, 10);
            make_path = argv[++argi];
            if (make_n <= 0) {
                fprintf(stderr, "openssl_gost: --make-certs wants a positive count\n");
                return 2;
            }
        } else {
            fprintf(stderr, "usage: %s [--time SECONDS] [--only SET] [--certs FILE] [--requests DIR [--signed-requests DIR]] | --make-certs N FILE\n", argv[0]);
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

    if (make_path != NULL) {
        return make_certs(make_n, make_path) ? 0 : 1;
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
    if (certs != NULL) {
        bench_x509(certs);
    }

    ENGINE_finish(e);
    ENGINE_free(e);
    return failures == 0 ? 0 : 1;
}
