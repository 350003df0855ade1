/* The host signer's edges, and the panic boundary: a callback that panics inside the library
 * (through the debug hook bk_debug_panic, in debug builds only), one that returns a status the
 * library does not know, one that claims an absurd length, one that calls a failing bankkey
 * function and then succeeds; the process lives on and the error detail is right each time.
 * Usage: test_callbacks FIXTURE_DIR (key.pem of the gost2012_256-A fixtures) */
#define BANKKEY_DEBUG_HOOKS 1
#include "check.h"

enum behaviour { PANIC, UNKNOWN_STATUS, ABSURD_LENGTH, NESTED_FAILURE };

struct host {
    bk_signer *inner;
    enum behaviour b;
};

static bk_status cb_sign(void *userdata, const uint8_t *m, size_t n, uint8_t *sig, size_t cap, size_t *len) {
    struct host *h = userdata;
    switch (h->b) {
    case PANIC:
        /* A Rust panic inside a bankkey call made from the callback. */
        return bk_debug_panic("the callback's bankkey call panicked");
    case UNKNOWN_STATUS:
        bk_callback_set_error("a vendor code", NULL);
        return 12345u;
    case ABSURD_LENGTH:
        *len = (size_t)1 << 40;
        return BK_BUFFER_TOO_SMALL;
    case NESTED_FAILURE: {
        bk_certificate *c = NULL;
        if (bk_certificate_parse((const uint8_t *)"junk", 4, &c) != BK_MALFORMED_ENCODING) {
            return BK_INTERNAL;
        }
        bk_bytes s = {0};
        bk_status st = bk_signer_sign(h->inner, m, n, &s);
        if (st == BK_OK && s.len <= cap) {
            memcpy(sig, s.data, s.len);
            *len = s.len;
        }
        bk_bytes_free(&s);
        return st;
    }
    }
    return BK_INTERNAL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
        return 2;
    }
    /* The hook itself: a panic is BK_INTERNAL, the process goes on. */
    CHECK(bk_debug_panic("boom") == BK_INTERNAL, "a panic becomes BK_INTERNAL");
    CHECK(strstr(bk_last_error_message(), "panic in bk_debug_panic: boom") != NULL, "saying where");
    CHECK(bk_debug_panic(NULL) == BK_NULL_PARAMETER, "the hook checks its argument first");

    char *p = path_join(argv[1], "key.pem");
    size_t len;
    unsigned char *pem = read_file(p, &len);
    struct host h = {NULL, PANIC};
    MUST(bk_signer_from_pkcs8(pem, len, NULL, 0, &h.inner));
    free(pem);
    free(p);
    bk_public_key *pk = NULL;
    MUST(bk_signer_public_key(h.inner, &pk));
    const bk_key_info *ki = NULL;
    MUST(bk_public_key_get_info(pk, &ki));
    bk_signer_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.struct_size = sizeof cb;
    cb.sign = cb_sign;
    bk_signer *host = NULL;
    MUST(bk_signer_from_callbacks(ki->spki.data, ki->spki.len, &cb, &h, &host));
    const uint8_t msg[] = "документ";
    bk_bytes sig = {0};

    h.b = PANIC;
    CHECK(bk_signer_sign(host, msg, sizeof msg, &sig) == BK_INTERNAL, "a panic under the callback: BK_INTERNAL");
    CHECK(strstr(bk_last_error_message(), "panicked") != NULL, "with the panic's message");
    CHECK(sig.data == NULL, "no signature");

    h.b = UNKNOWN_STATUS;
    CHECK(bk_signer_sign(host, msg, sizeof msg, &sig) == BK_INTERNAL, "an unknown status: BK_INTERNAL");
    CHECK(strstr(bk_last_error_message(), "12345") != NULL && strstr(bk_last_error_message(), "a vendor code") != NULL,
          "the message keeps the host's words and its code");

    h.b = ABSURD_LENGTH;
    CHECK(bk_signer_sign(host, msg, sizeof msg, &sig) == BK_INTERNAL && field_is("signature_len"),
          "an absurd length is refused, not allocated");

    h.b = NESTED_FAILURE;
    MUST(bk_signer_sign(host, msg, sizeof msg, &sig));
    CHECK(bk_last_error_status() == BK_OK && bk_last_error_field() == NULL,
          "the outer call's success clears what the callback's failed call set");
    CHECK(bk_public_key_verify(pk, msg, sizeof msg, sig.data, sig.len) == BK_OK, "and its signature verifies");
    bk_bytes_free(&sig);

    /* Invalid callbacks. */
    bk_signer *bad = NULL;
    cb.sign = NULL;
    CHECK(bk_signer_from_callbacks(ki->spki.data, ki->spki.len, &cb, &h, &bad) == BK_NULL_PARAMETER &&
              field_is("callbacks.sign"),
          "no sign callback");
    cb.sign = cb_sign;
    cb.flags = 4;
    CHECK(bk_signer_from_callbacks(ki->spki.data, ki->spki.len, &cb, &h, &bad) == BK_INVALID_INPUT, "unknown flags");
    cb.flags = 0;
    CHECK(bk_signer_from_callbacks((const uint8_t *)"x", 1, &cb, &h, &bad) != BK_OK && field_is("spki"),
          "a bad SubjectPublicKeyInfo");
    CHECK(bad == NULL, "nothing made");

    bk_signer_free(host);
    bk_public_key_free(pk);
    bk_signer_free(h.inner);
    return check_done();
}
