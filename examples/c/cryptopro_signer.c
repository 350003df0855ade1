/*
 * A host signer: the client's keys are held by the C program's own cryptography — here
 * OpenSSL's gost engine stands in for CryptoPro CSP or an HSM — and libbankkey signs through
 * callbacks wherever it needs a signature. The remote-regeneration request of seed 002 is made
 * this way (the new key signs its PKCS#10, the current key signs the CMS) and the bank, in the
 * same process, accepts it.
 *
 *   cryptopro_signer FIXTURE_DIR WORK_DIR
 *
 * FIXTURE_DIR holds ca.pem / ca-key.pem (the bank's CA) and cert.pem / key.pem (the client's
 * current certificate and its key, which only OpenSSL reads); WORK_DIR (must not exist)
 * receives the registry and signed-request.der, for `openssl cms -verify` to check as well.
 * It also shows what the library does with a host's mistakes: a signature in reversed byte
 * order (CryptoAPI's little-endian), a failing callback (the CSP's wrong PIN), a callback that
 * asks for a bigger buffer; and that `release` runs exactly once.
 * Build: cc cryptopro_signer.c $(pkg-config --cflags --libs bankkey) -lcrypto
 */
#define _POSIX_C_SOURCE 200809L
#define OPENSSL_SUPPRESS_DEPRECATED /* ENGINE_* is the only way to the gost engine in OpenSSL 3 */
#include <bankkey.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TRY(call)                                                                                 \
    do {                                                                                          \
        bk_status s_ = (call);                                                                    \
        if (s_ != BK_OK) {                                                                        \
            const char *f_ = bk_last_error_field();                                               \
            fprintf(stderr, "%s:%d: %s failed: %s (%u): %s%s%s\n", __FILE__, __LINE__, #call,    \
                    bk_status_name(s_), s_, bk_last_error_message(), f_ ? " — field " : "",       \
                    f_ ? f_ : "");                                                                \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

#define EXPECT(cond, what)                                                                        \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, what);                    \
            ERR_print_errors_fp(stderr);                                                          \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

/* What the host keeps for one key: the key (in the "CSP") and how the callback behaves. */
enum mode { SIGN_OK, SIGN_REVERSED, SIGN_WRONG_PIN, SIGN_WANTS_ROOM };
struct host_key {
    EVP_PKEY *pkey;
    enum mode mode;
    int released;     /* how many times release ran */
    size_t last_cap;  /* the room the library gave the last time */
    int calls;
};

/* The sign callback: hash and sign the whole message with the key's GOST R 34.11-2012 digest,
 * as CryptHashData + CryptSignHash would. */
static bk_status host_sign(void *userdata, const uint8_t *message, size_t message_len, uint8_t *signature,
                           size_t signature_cap, size_t *signature_len) {
    struct host_key *k = userdata;
    k->calls++;
    k->last_cap = signature_cap;
    if (k->mode == SIGN_WRONG_PIN) {
        bk_callback_set_error("CSP: the container's PIN is wrong (0x8010006B)", "pin");
        return BK_PIN_INCORRECT;
    }
    if (k->mode == SIGN_WANTS_ROOM && signature_cap < 4096) {
        *signature_len = 4096; /* a host that always wants a big buffer: the library calls again */
        return BK_BUFFER_TOO_SMALL;
    }
    const EVP_MD *md = EVP_get_digestbynid(EVP_PKEY_bits(k->pkey) > 256 ? NID_id_GostR3411_2012_512
                                                                        : NID_id_GostR3411_2012_256);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t len = signature_cap;
    int ok = ctx != NULL && md != NULL && EVP_DigestSignInit(ctx, NULL, md, NULL, k->pkey) == 1 &&
             EVP_DigestSign(ctx, signature, &len, message, message_len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        bk_callback_set_error("OpenSSL could not sign", NULL);
        return BK_INTERNAL;
    }
    if (k->mode == SIGN_REVERSED) { /* what CryptoAPI's little-endian output looks like */
        for (size_t i = 0; i < len / 2; i++) {
            uint8_t t = signature[i];
            signature[i] = signature[len - 1 - i];
            signature[len - 1 - i] = t;
        }
    }
    *signature_len = len;
    return BK_OK;
}

static void host_release(void *userdata) {
    struct host_key *k = userdata;
    k->released++;
}

/* A bankkey signer over a key the host holds. */
static bk_signer *host_signer(struct host_key *k) {
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(k->pkey, &spki);
    EXPECT(n > 0, "the SubjectPublicKeyInfo of the host's key");
    bk_signer_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.struct_size = sizeof cb;
    cb.sign = host_sign;
    cb.release = host_release;
    bk_signer *s = NULL;
    TRY(bk_signer_from_callbacks(spki, (size_t)n, &cb, k, &s));
    OPENSSL_free(spki);
    return s;
}

static EVP_PKEY *read_key(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    EXPECT(f != NULL, path);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    EXPECT(k != NULL, "the key read by OpenSSL");
    return k;
}

static bk_certificate *read_cert(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    EXPECT(f != NULL, path);
    static unsigned char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    bk_certificate *c = NULL;
    TRY(bk_certificate_parse(buf, n, &c));
    return c;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FIXTURE_DIR WORK_DIR\n", argv[0]);
        return 2;
    }
    const char *fx = argv[1];
    if (mkdir(argv[2], 0700) != 0) {
        perror(argv[2]);
        return 2;
    }
    ENGINE *e = ENGINE_by_id("gost");
    EXPECT(e != NULL && ENGINE_init(e) == 1 && ENGINE_set_default(e, ENGINE_METHOD_ALL) == 1,
           "OpenSSL's gost engine (libengine-gost-openssl)");

    /* The bank, with its CA key as a plain software key. */
    bk_certificate *ca = read_cert(fx, "ca.pem");
    char path[4096];
    snprintf(path, sizeof path, "%s/ca-key.pem", fx);
    FILE *f = fopen(path, "rb");
    EXPECT(f != NULL, path);
    static unsigned char keybuf[65536];
    size_t keylen = fread(keybuf, 1, sizeof keybuf, f);
    fclose(f);
    bk_signer *ca_key = NULL;
    TRY(bk_signer_from_pkcs8(keybuf, keylen, NULL, 0, &ca_key));
    snprintf(path, sizeof path, "%s/registry.sqlite", argv[2]);
    bk_bank *bank = NULL;
    TRY(bk_bank_open(path, ca, ca_key, NULL, &bank));
    bk_signer_free(ca_key);

    /* The client: its current certificate is registered with the bank; its key is the host's. */
    int64_t at = 1811808000; /* 2027-06-01 00:00 UTC, inside the fixture's validity */
    bk_certificate *cert = read_cert(fx, "cert.pem");
    int64_t subscriber = 0;
    TRY(bk_bank_register_subscriber(bank, cert, at - 86400, &subscriber));
    struct host_key current = {read_key(fx, "key.pem"), SIGN_OK, 0, 0, 0};
    bk_signer *current_signer = host_signer(&current);

    /* The new key, made in the "CSP" (OpenSSL), CryptoPro-A like the current one. */
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(NID_id_GostR3410_2012_256, NULL);
    EVP_PKEY *fresh = NULL;
    EXPECT(kctx != NULL && EVP_PKEY_keygen_init(kctx) == 1 && EVP_PKEY_CTX_ctrl_str(kctx, "paramset", "A") > 0 &&
               EVP_PKEY_keygen(kctx, &fresh) == 1,
           "a new GOST key from the engine");
    EVP_PKEY_CTX_free(kctx);
    struct host_key next = {fresh, SIGN_OK, 0, 0, 0};
    bk_signer *next_signer = host_signer(&next);

    /* The request for the new key: the same identity, signed by the new key (the host's). */
    bk_subject *subject = NULL;
    TRY(bk_subject_from_certificate(cert, &subject));
    bk_request_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.key_usage = BK_KEY_USAGE_DIGITAL_SIGNATURE | BK_KEY_USAGE_NON_REPUDIATION;
    o.sign_tool_class = 1;
    o.subject_sign_tool = "СКЗИ «КриптоПро CSP» (версия 5.0)";
    o.identification_kind = -1;
    bk_request *req = NULL;

    /* The host's mistakes first. A CSP that reports a wrong PIN: its status and message. */
    next.mode = SIGN_WRONG_PIN;
    bk_status s = bk_request_build(subject, next_signer, &o, &req);
    EXPECT(s == BK_PIN_INCORRECT, "the callback's status passes through");
    EXPECT(strstr(bk_last_error_message(), "0x8010006B") != NULL, "with the callback's message");
    EXPECT(bk_last_error_field() != NULL && strcmp(bk_last_error_field(), "pin") == 0, "and its field");
    printf("failing callback:   %s — %s\n", bk_status_name(s), bk_last_error_message());
    /* Little-endian bytes, as CryptSignHash writes them: caught before anything is sent. */
    next.mode = SIGN_REVERSED;
    s = bk_request_build(subject, next_signer, &o, &req);
    EXPECT(s == BK_BAD_SIGNATURE, "a reversed signature is refused");
    EXPECT(strstr(bk_last_error_message(), "reverse") != NULL, "with the hint to reverse it");
    printf("reversed signature: %s — %s\n", bk_status_name(s), bk_last_error_message());
    /* A host that wants more room than offered: called again with what it asked for. */
    next.mode = SIGN_WANTS_ROOM;
    next.calls = 0;
    TRY(bk_request_build(subject, next_signer, &o, &req));
    EXPECT(next.calls == 2 && next.last_cap >= 4096, "a second call with the room asked for");
    printf("buffer too small:   called again with %zu bytes of room\n", next.last_cap);
    bk_request_free(req);
    next.mode = SIGN_OK;

    /* Now the real thing: the request, then the CMS by the current key, to the bank. */
    TRY(bk_request_build(subject, next_signer, &o, &req));
    bk_signed_request *sr = NULL;
    TRY(bk_signed_request_new(req, current_signer, cert, at, &sr));
    bk_bytes der = {0};
    TRY(bk_signed_request_der(sr, &der));
    snprintf(path, sizeof path, "%s/signed-request.der", argv[2]);
    f = fopen(path, "wb");
    EXPECT(f != NULL && fwrite(der.data, 1, der.len, f) == der.len, "signed-request.der written");
    fclose(f);
    bk_received *r = NULL;
    TRY(bk_bank_receive(bank, BK_FLOW_REMOTE, der.data, der.len, at + 60, &r));
    const bk_received_info *ri = NULL;
    TRY(bk_received_get_info(r, &ri));
    if (ri->status != BK_REQUEST_STATUS_ACCEPTED_BY_BANK) {
        fprintf(stderr, "rejected: %.*s (%.*s)\n", (int)ri->reject_en.len, ri->reject_en.ptr,
                (int)ri->reject_detail.len, ri->reject_detail.ptr);
        return 1;
    }
    printf("the bank:           %.*s %.*s\n", (int)ri->request_id.len, ri->request_id.ptr, (int)ri->status_name.len,
           ri->status_name.ptr);
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)ri->request_id.len, ri->request_id.ptr);
    bk_received_free(r);
    bk_certificate *issued = NULL;
    TRY(bk_bank_issue(bank, id, at + 600, &issued));
    /* The issued certificate holds the host's new key. */
    bk_public_key *pk = NULL;
    TRY(bk_signer_public_key(next_signer, &pk));
    bool holds = false;
    TRY(bk_certificate_holds_key(issued, pk, &holds));
    EXPECT(holds, "the new certificate holds the host's new key");
    printf("issued:             a certificate for the key the host holds\n");

    bk_public_key_free(pk);
    bk_certificate_free(issued);
    bk_bytes_free(&der);
    bk_signed_request_free(sr);
    bk_request_free(req);
    bk_subject_free(subject);
    bk_signer_free(next_signer);
    bk_signer_free(current_signer);
    EXPECT(current.released == 1 && next.released == 1, "release ran exactly once per signer");
    bk_bank_free(bank);
    bk_certificate_free(cert);
    bk_certificate_free(ca);
    EVP_PKEY_free(current.pkey);
    EVP_PKEY_free(next.pkey);
    ENGINE_finish(e);
    ENGINE_free(e);
    printf("host signer done\n");
    return 0;
}
