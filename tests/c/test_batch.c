/* The batch calls: bk_scan (a support desk's archive judged at once: groups, statuses, days
 * left, trust) and bk_verify_many (many signatures at once, each item's status as one
 * bk_public_key_verify gives it), on every core and on the calling thread alone.
 * Usage: test_batch FIXTURE_DIR (gost2012_256-A: cert.pem, ca.pem; gost2012_512-A: ca.pem) */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#define DAY 86400LL

static const bk_scan_result_info *scan(bk_scan_result **r, const bk_slice *in, size_t n, int64_t at,
                                       const bk_certificate *const *trust, size_t trust_count, uint32_t threads) {
    bk_scan_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.at = at;
    o.trust = trust;
    o.trust_count = trust_count;
    o.threads = threads;
    MUST(bk_scan(in, n, &o, r));
    const bk_scan_result_info *i = NULL;
    MUST(bk_scan_result_get_info(*r, &i));
    return i;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_batch FIXTURE_DIR\n");
        return 2;
    }
    char *dir = path_join(argv[1], "gost2012_256-A");
    char *other_dir = path_join(argv[1], "gost2012_512-A");
    char *cert_path = path_join(dir, "cert.pem");
    char *ca_path = path_join(dir, "ca.pem");
    char *other_ca_path = path_join(other_dir, "ca.pem");
    size_t cert_len, ca_len, other_len;
    unsigned char *cert_pem = read_file(cert_path, &cert_len);
    unsigned char *ca_pem = read_file(ca_path, &ca_len);
    unsigned char *other_pem = read_file(other_ca_path, &other_len);
    bk_certificate *cert = NULL, *ca = NULL, *other_ca = NULL;
    MUST(bk_certificate_parse(cert_pem, cert_len, &cert));
    MUST(bk_certificate_parse(ca_pem, ca_len, &ca));
    MUST(bk_certificate_parse(other_pem, other_len, &other_ca));
    const bk_certificate_info *ci = NULL;
    MUST(bk_certificate_get_info(cert, &ci));

    /* Inputs: a certificate, a PEM bundle of two, bytes that are no certificate. */
    size_t bundle_len = ca_len + cert_len;
    unsigned char *bundle = malloc(bundle_len);
    memcpy(bundle, ca_pem, ca_len);
    memcpy(bundle + ca_len, cert_pem, cert_len);
    const unsigned char junk[] = "not a certificate";
    bk_slice in[3] = {{cert_pem, cert_len}, {bundle, bundle_len}, {junk, sizeof junk - 1}};

    /* A year in, no anchors: fine, paths not checked; the junk is an entry, not a failure. */
    int64_t at = ci->not_before + 365 * DAY;
    bk_scan_result *r = NULL;
    const bk_scan_result_info *i = scan(&r, in, 3, at, NULL, 0, 0);
    CHECK(i->count == 4, "one entry per certificate, one for the unreadable input");
    CHECK(i->entries[0].input == 0 && i->entries[1].input == 1 && i->entries[2].input == 1 && i->entries[3].input == 2,
          "entries in input order");
    const bk_scan_entry *e = &i->entries[0];
    CHECK(e->group == BK_SCAN_GROUP_FINE && str_eq(e->group_name, "fine") && !e->chain_checked && e->reason == 0,
          "a valid certificate without anchors is fine, its path not checked");
    CHECK(e->key_set_status == BK_KEY_SET_STATUS_ACTIVE && e->has_days_left && e->not_after == ci->not_after,
          "its status and dates");
    CHECK(e->certificate.len == ci->der.len && memcmp(e->certificate.data, ci->der.data, ci->der.len) == 0,
          "its DER");
    CHECK(e->identifiers_count == ci->identifiers_count && e->identifiers_count > 0, "its identifier checks");
    const bk_scan_entry *bad = &i->entries[3];
    CHECK(bad->group == BK_SCAN_GROUP_UNREADABLE && bad->error == BK_MALFORMED_ENCODING &&
              bad->certificate.len == 0 && bad->message.ptr != NULL && !bad->has_days_left,
          "the junk is unreadable, with its error");
    CHECK(strcmp(bk_text(BK_VOCABULARY_SCAN_GROUP, BK_SCAN_GROUP_REPLACEMENT_DUE, BK_TEXT_RU),
                 "Необходима плановая замена сертификата") == 0,
          "the groups in Russian");
    bk_certificate *again = NULL;
    MUST(bk_scan_result_certificate(r, 0, &again));
    bk_bytes a_pem = {0}, b_pem = {0};
    MUST(bk_certificate_pem(again, &a_pem));
    MUST(bk_certificate_pem(cert, &b_pem));
    CHECK(a_pem.len == b_pem.len && memcmp(a_pem.data, b_pem.data, a_pem.len) == 0, "the entry's certificate");
    bk_bytes_free(&a_pem);
    bk_bytes_free(&b_pem);
    bk_certificate_free(again);
    again = NULL;
    CHECK(bk_scan_result_certificate(r, 3, &again) == BK_INVALID_INPUT && field_is("index") && again == NULL,
          "no certificate behind the unreadable entry");
    CHECK(bk_scan_result_certificate(r, 4, &again) == BK_INVALID_INPUT && field_is("index"), "past the end");
    bk_scan_result_free(r);

    /* The same on the calling thread alone, and the groups by time and trust. */
    i = scan(&r, in, 3, at, NULL, 0, 1);
    CHECK(i->count == 4 && i->entries[0].group == BK_SCAN_GROUP_FINE && i->entries[3].group == BK_SCAN_GROUP_UNREADABLE,
          "one thread gives the same");
    bk_scan_result_free(r);
    i = scan(&r, in, 1, ci->not_after - 10 * DAY, NULL, 0, 0);
    CHECK(i->entries[0].group == BK_SCAN_GROUP_REPLACEMENT_DUE &&
              i->entries[0].key_set_status == BK_KEY_SET_STATUS_SCHEDULED_REPLACEMENT_REQUIRED &&
              i->entries[0].days_left == 10,
          "ten days before notAfter: replacement due");
    bk_scan_result_free(r);
    i = scan(&r, in, 1, ci->not_after + DAY, NULL, 0, 0);
    CHECK(i->entries[0].group == BK_SCAN_GROUP_EXPIRED && i->entries[0].reason == BK_REASON_EXPIRED &&
              i->entries[0].days_left < 0,
          "past notAfter: expired");
    bk_scan_result_free(r);
    i = scan(&r, in, 1, ci->not_before - DAY, NULL, 0, 0);
    CHECK(i->entries[0].group == BK_SCAN_GROUP_NOT_YET_VALID, "before notBefore: not yet valid");
    bk_scan_result_free(r);
    const bk_certificate *anchors[] = {ca};
    i = scan(&r, in, 1, at, anchors, 1, 0);
    CHECK(i->entries[0].group == BK_SCAN_GROUP_FINE && i->entries[0].chain_checked, "its CA as anchor: fine, checked");
    bk_scan_result_free(r);
    const bk_certificate *strangers[] = {other_ca};
    i = scan(&r, in, 1, at, strangers, 1, 0);
    CHECK(i->entries[0].group == BK_SCAN_GROUP_UNTRUSTED && i->entries[0].chain_checked &&
              i->entries[0].reason != 0 && i->entries[0].message.ptr != NULL,
          "another CA as anchor: untrusted, with the reason");
    bk_scan_result_free(r);

    /* Arguments. */
    bk_scan_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.at = at;
    bk_slice holes[2] = {{cert_pem, cert_len}, {NULL, 5}};
    r = NULL;
    CHECK(bk_scan(holes, 2, &o, &r) == BK_NULL_PARAMETER && field_is("inputs[1]") && r == NULL,
          "a NULL range with a length names it");
    CHECK(bk_scan(in, 1, NULL, &r) == BK_NULL_PARAMETER && field_is("options"), "options are required (the time)");
    MUST(bk_scan(NULL, 0, &o, &r));
    MUST(bk_scan_result_get_info(r, &i));
    CHECK(i->count == 0, "nothing to scan: no entries");
    bk_scan_result_free(r);

    /* verify_many: good, altered message, another key's signature, a key of another size. */
    bk_signer *s1 = NULL, *s2 = NULL;
    MUST(bk_signer_generate("gost2012-256-cryptopro-a", &s1));
    MUST(bk_signer_generate("gost2012-512-tc26-a", &s2));
    bk_public_key *k1 = NULL, *k2 = NULL;
    MUST(bk_signer_public_key(s1, &k1));
    MUST(bk_signer_public_key(s2, &k2));
    const char *m1 = "платёжное поручение № 1", *m2 = "платёжное поручение № 2";
    bk_bytes sig1 = {0}, sig2 = {0};
    MUST(bk_signer_sign(s1, (const uint8_t *)m1, strlen(m1), &sig1));
    MUST(bk_signer_sign(s2, (const uint8_t *)m2, strlen(m2), &sig2));
    enum { N = 5 };
    const bk_public_key *keys[N] = {k1, k1, k2, k1, k2};
    bk_slice msgs[N] = {{(const uint8_t *)m1, strlen(m1)},
                        {(const uint8_t *)m2, strlen(m2)},
                        {(const uint8_t *)m2, strlen(m2)},
                        {(const uint8_t *)m2, strlen(m2)},
                        {(const uint8_t *)m1, strlen(m1)}};
    bk_slice sigs[N] = {{sig1.data, sig1.len}, {sig1.data, sig1.len}, {sig2.data, sig2.len}, {sig2.data, sig2.len},
                        {sig1.data, sig1.len}};
    for (uint32_t threads = 0; threads <= 2; threads++) {
        bk_status results[N];
        memset(results, 0xff, sizeof results);
        MUST(bk_verify_many(keys, msgs, sigs, N, threads, results));
        int same = 1;
        for (size_t k = 0; k < N; k++) {
            bk_status one = bk_public_key_verify(keys[k], msgs[k].data, msgs[k].len, sigs[k].data, sigs[k].len);
            same &= results[k] == one;
        }
        CHECK(same, "each result is what bk_public_key_verify says of the item");
        CHECK(results[0] == BK_OK && results[2] == BK_OK && results[1] == BK_BAD_SIGNATURE && results[3] != BK_OK &&
                  results[4] != BK_OK,
              "good, altered, another key's");
    }
    bk_status results[N];
    memset(results, 0x7f, sizeof results);
    msgs[3].data = NULL;
    CHECK(bk_verify_many(keys, msgs, sigs, N, 0, results) == BK_NULL_PARAMETER && field_is("messages[3]") &&
              results[0] == 0x7f7f7f7f,
          "a NULL message with a length names it; the results untouched");
    keys[2] = (const bk_public_key *)(const void *)cert;
    msgs[3].data = (const uint8_t *)m2;
    CHECK(bk_verify_many(keys, msgs, sigs, N, 0, results) == BK_INVALID_HANDLE && field_is("keys[2]"),
          "a certificate where a key goes names the item");
    CHECK(bk_verify_many(keys, msgs, sigs, 0, 0, NULL) == BK_NULL_PARAMETER && field_is("results"),
          "results are required");
    MUST(bk_verify_many(NULL, NULL, NULL, 0, 0, results));

    bk_bytes_free(&sig1);
    bk_bytes_free(&sig2);
    bk_public_key_free(k1);
    bk_public_key_free(k2);
    bk_signer_free(s1);
    bk_signer_free(s2);
    bk_certificate_free(cert);
    bk_certificate_free(ca);
    bk_certificate_free(other_ca);
    free(bundle);
    free(cert_pem);
    free(ca_pem);
    free(other_pem);
    free(cert_path);
    free(ca_path);
    free(other_ca_path);
    free(dir);
    free(other_dir);
    return check_done();
}
