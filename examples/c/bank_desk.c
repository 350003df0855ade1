/*
 * The bank's desk: what a bank's C service does with the requests its clients send (seeds
 * 000–002), through libbankkey.
 *
 *   bank_desk CA_DIR WORK_DIR
 *
 * CA_DIR holds the bank CA's ca.pem and ca-key.pem; WORK_DIR (must not exist) receives the
 * registry. The clients are played here with software keys so that the program runs alone:
 *   1. a new client's paper request: awaiting the act; the act's key checked; issued;
 *   2. 340 days later, support asks who is due for «плановая замена» within 30 days
 *      (a read-only registry, as a support script opens it);
 *   3. the client's remote request, signed with its current key: first a copy damaged in
 *      transit (rejected: the reason as a code and in Russian and English), then the real one:
 *      verified read-only, received, accepted, issued; the same key again is refused;
 *   4. the subscriber's history by INN, as JSON lines.
 * Build: cc bank_desk.c $(pkg-config --cflags --libs bankkey)
 */
#define _POSIX_C_SOURCE 200809L
#include <bankkey.h>

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
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

static const int64_t DAY = 86400;

static unsigned char *slurp(const char *dir, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

/* Prints the bank's answer; returns its status. Copies the request id into id (may be NULL). */
static uint32_t answer(const char *what, const bk_received *r, char *id, size_t id_cap) {
    const bk_received_info *i = NULL;
    TRY(bk_received_get_info(r, &i));
    printf("  %-28s %.*s  %.*s\n", what, (int)i->request_id.len, i->request_id.ptr, (int)i->status_name.len,
           i->status_name.ptr);
    if (i->reject_reason != 0) {
        printf("  %-28s reason %u %.*s: «%.*s» / %.*s (%.*s)\n", "", i->reject_reason, (int)i->reject_name.len,
               i->reject_name.ptr, (int)i->reject_ru.len, i->reject_ru.ptr, (int)i->reject_en.len, i->reject_en.ptr,
               (int)i->reject_detail.len, i->reject_detail.ptr);
    }
    if (id != NULL) {
        snprintf(id, id_cap, "%.*s", (int)i->request_id.len, i->request_id.ptr);
    }
    return i->status;
}

static uint32_t reject_reason(const bk_received *r) {
    const bk_received_info *i = NULL;
    TRY(bk_received_get_info(r, &i));
    return i->reject_reason;
}

static bk_subject *client_subject(void) {
    bk_subject *s = NULL;
    TRY(bk_subject_new(&s));
    TRY(bk_subject_set(s, "CN", "Петров Пётр Петрович"));
    TRY(bk_subject_set(s, "SN", "Петров"));
    TRY(bk_subject_set(s, "G", "Пётр Петрович"));
    TRY(bk_subject_set(s, "C", "RU"));
    TRY(bk_subject_set(s, "L", "г. Москва"));
    TRY(bk_subject_set(s, "OGRNIP", "304500116000157"));
    TRY(bk_subject_set(s, "INN", "500100732259"));
    TRY(bk_subject_set(s, "SNILS", "11223344595"));
    return s;
}

/* A client's request for a new key (made here so that the program runs alone). */
static bk_request *client_request(const bk_subject *subject, const bk_signer *key) {
    bk_request_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.subject_kind = BK_SUBJECT_INDIVIDUAL_ENTREPRENEUR;
    o.key_usage = BK_KEY_USAGE_DIGITAL_SIGNATURE | BK_KEY_USAGE_NON_REPUDIATION;
    o.sign_tool_class = 1; /* КС1 */
    o.subject_sign_tool = "СКЗИ «КриптоПро CSP» (версия 5.0)";
    o.identification_kind = 0; /* in person */
    bk_request *r = NULL;
    TRY(bk_request_build(subject, key, &o, &r));
    return r;
}

static void print_lines(const char *title, const bk_bytes *b) {
    printf("  %s:\n", title);
    const char *p = (const char *)b->data;
    while (*p) {
        const char *nl = strchr(p, '\n');
        printf("    %.*s\n", (int)(nl - p), p);
        p = nl + 1;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CA_DIR WORK_DIR\n", argv[0]);
        return 2;
    }
    if (mkdir(argv[2], 0700) != 0) {
        perror(argv[2]);
        return 2;
    }
    char registry_path[4096];
    snprintf(registry_path, sizeof registry_path, "%s/registry.sqlite", argv[2]);
    size_t len;
    unsigned char *pem = slurp(argv[1], "ca.pem", &len);
    bk_certificate *ca = NULL;
    TRY(bk_certificate_parse(pem, len, &ca));
    free(pem);
    pem = slurp(argv[1], "ca-key.pem", &len);
    bk_signer *ca_key = NULL;
    TRY(bk_signer_from_pkcs8(pem, len, NULL, 0, &ca_key));
    free(pem);

    /* The bank's profile: what it writes into the certificates it issues. */
    bk_bank_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.validity_days = 365;
    opts.issuer_sign_tool = "ПАК «Пример»";
    opts.issuer_ca_tool = "ПАК «УЦ Пример»";
    opts.issuer_sign_tool_cert = "СФ/124-0000 от 01.01.2026";
    opts.issuer_ca_tool_cert = "СФ/128-0000 от 01.01.2026";
    bk_bank *bank = NULL;
    TRY(bk_bank_open(registry_path, ca, ca_key, &opts, &bank));
    int64_t t0 = 1804150800; /* 2027-03-04 09:00 UTC */

    /* ---- 1. A new client: paper acts ---- */
    printf("1. a new client's request (paper acts)\n");
    bk_subject *subject = client_subject();
    int64_t subscriber = 0;
    TRY(bk_bank_preregister(bank, subject, t0, &subscriber));
    bk_signer *old_key = NULL;
    TRY(bk_signer_generate("gost2012-256-cryptopro-a", &old_key));
    bk_request *req = client_request(subject, old_key);
    const bk_request_info *qi = NULL;
    TRY(bk_request_get_info(req, &qi));
    bk_received *r = NULL;
    char id[64];
    TRY(bk_bank_receive(bank, BK_FLOW_PAPER_ACTS, qi->der.data, qi->der.len, t0, &r));
    EXPECT(answer("received", r, id, sizeof id) == BK_REQUEST_STATUS_AWAITING_PAPER_DOCUMENTS, "awaiting the act");
    bk_received_free(r);
    /* A wrong key typed in from the act is a rejection, not an error... on a copy of the
     * bank: here the right act arrives. The act, as the client prints it: */
    bk_document_details d;
    memset(&d, 0, sizeof d);
    d.struct_size = sizeof d;
    d.bank_name = "АО «Пример Банк»";
    d.year = 2027;
    d.month = 3;
    d.day = 4;
    d.request_number = id;
    bk_bytes act = {0};
    TRY(bk_document_render(BK_DOCUMENT_ACT, req, NULL, NULL, &d, BK_FORMAT_TEXT, &act));
    TRY(bk_bank_check_paper_act(bank, id, (const char *)act.data, t0 + DAY, &r));
    EXPECT(answer("paper act checked", r, NULL, 0) == BK_REQUEST_STATUS_AWAITING_PAPER_DOCUMENTS &&
               reject_reason(r) == 0,
           "the act matches");
    bk_received_free(r);
    bk_bytes_free(&act);
    bk_certificate *old_cert = NULL;
    TRY(bk_bank_issue(bank, id, t0 + DAY, &old_cert));
    const bk_certificate_info *ci = NULL;
    TRY(bk_certificate_get_info(old_cert, &ci));
    printf("  issued serial %.*s to %.*s, qualified by its form: %s\n", (int)ci->serial_hex.len, ci->serial_hex.ptr,
           (int)ci->subject.text.len, ci->subject.text.ptr, ci->qualified ? "yes" : "no");
    bk_request_free(req);

    /* ---- 2. Support: who is due within 30 days ---- */
    int64_t t1 = t0 + 340 * DAY;
    printf("\n2. support, 340 days later: who is due for «плановая замена» within 30 days\n");
    bk_registry *support = NULL;
    TRY(bk_registry_open_read_only(registry_path, &support));
    bk_bytes due = {0};
    TRY(bk_registry_expiring_json(support, 30, t1, &due));
    print_lines("expiring (JSON lines)", &due);
    EXPECT(strstr((const char *)due.data, ci->serial_hex.ptr) != NULL, "the client is due");
    bk_bytes_free(&due);
    bk_registry *missing = NULL;
    char typo[4096];
    snprintf(typo, sizeof typo, "%s/registy.sqlite", argv[2]);
    EXPECT(bk_registry_open_read_only(typo, &missing) == BK_IO, "a typo in the path is an error, not an empty list");

    /* ---- 3. The remote request ---- */
    printf("\n3. the client's remote request, signed with its current key\n");
    bk_signer *new_key = NULL;
    TRY(bk_signer_generate("gost2012-256-cryptopro-a", &new_key));
    bk_request *new_req = client_request(subject, new_key);
    bk_signed_request *sr = NULL;
    TRY(bk_signed_request_new(new_req, old_key, old_cert, t1, &sr));
    bk_bytes wire = {0};
    TRY(bk_signed_request_der(sr, &wire));
    /* Damaged in transit: one byte of the signature flipped. */
    wire.data[wire.len - 10] ^= 0x40;
    TRY(bk_bank_receive(bank, BK_FLOW_REMOTE, wire.data, wire.len, t1 + 60, &r));
    EXPECT(answer("damaged copy", r, NULL, 0) == BK_REQUEST_STATUS_REJECTED, "rejected");
    EXPECT(reject_reason(r) == BK_REJECT_BAD_CMS_SIGNATURE || reject_reason(r) == BK_REJECT_MALFORMED,
           "the CMS signature does not verify");
    bk_received_free(r);
    wire.data[wire.len - 10] ^= 0x40;
    /* The read-only check support scripts run: what would the bank say? */
    const bk_certificate *roots[] = {ca};
    TRY(bk_registry_verify_request(support, BK_FLOW_REMOTE, wire.data, wire.len, roots, 1, t1 + 120, &r));
    EXPECT(answer("read-only check", r, NULL, 0) == BK_REQUEST_STATUS_ACCEPTED_BY_BANK, "it would be accepted");
    bk_received_free(r);
    TRY(bk_bank_receive(bank, BK_FLOW_REMOTE, wire.data, wire.len, t1 + 120, &r));
    EXPECT(answer("received", r, id, sizeof id) == BK_REQUEST_STATUS_ACCEPTED_BY_BANK, "accepted at once");
    bk_received_free(r);
    bk_certificate *new_cert = NULL;
    TRY(bk_bank_issue(bank, id, t1 + 900, &new_cert));
    TRY(bk_certificate_get_info(new_cert, &ci));
    printf("  issued serial %.*s, valid until %lld\n", (int)ci->serial_hex.len, ci->serial_hex.ptr,
           (long long)ci->not_after);
    bk_bytes json = {0};
    TRY(bk_bank_request_json(bank, id, &json));
    EXPECT(strstr((const char *)json.data, "\"status\":\"certificate_issued\"") != NULL, "the request as JSON");
    bk_bytes_free(&json);
    /* The key now in use, requested again as if new (a replayed or confused client): refused. */
    bk_signed_request *again = NULL;
    bk_request *same_key = client_request(subject, new_key);
    TRY(bk_signed_request_new(same_key, new_key, new_cert, t1 + 1000, &again));
    bk_bytes wire2 = {0};
    TRY(bk_signed_request_der(again, &wire2));
    TRY(bk_bank_receive(bank, BK_FLOW_REMOTE, wire2.data, wire2.len, t1 + 1000, &r));
    EXPECT(answer("same key again", r, NULL, 0) == BK_REQUEST_STATUS_REJECTED, "rejected");
    bk_received_free(r);
    bk_bytes_free(&wire2);
    bk_signed_request_free(again);
    bk_request_free(same_key);

    TRY(bk_registry_expiring_json(support, 30, t1 + 1000, &due));
    EXPECT(strstr((const char *)due.data, "\"subscriber_id\"") == NULL, "nobody is due once reissued");
    bk_bytes_free(&due);

    /* ---- 4. History ---- */
    printf("\n4. the subscriber's history by INN\n");
    TRY(bk_bank_history_json(bank, "500100732259", &json));
    print_lines("history (JSON lines)", &json);
    bk_bytes_free(&json);

    bk_bytes_free(&wire);
    bk_signed_request_free(sr);
    bk_request_free(new_req);
    bk_certificate_free(new_cert);
    bk_certificate_free(old_cert);
    bk_signer_free(new_key);
    bk_signer_free(old_key);
    bk_subject_free(subject);
    bk_registry_free(support);
    bk_bank_free(bank);
    bk_signer_free(ca_key);
    bk_certificate_free(ca);
    printf("bank desk done\n");
    return 0;
}
