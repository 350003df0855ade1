/* The handles the header says may be shared, shared by eight threads at once; the results equal
 * a one-thread run. Shared: a certificate (its view is built once: every thread gets the same
 * pointer), a software signer, a host signer whose callback calls back into bankkey, and a
 * bank (its calls serialised inside). The error detail is per thread.
 * Usage: test_threads FIXTURE_DIR WORK_DIR (the gost2012_256-A fixtures: ca.pem, ca-key.pem,
 * cert.pem, key.pem) */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#define THREADS 8
#define ROUNDS 3
#define AT 1811808000 /* 2027-06-01 */

static bk_certificate *cert, *ca;
static bk_signer *software, *host;
static bk_bank *bank;
static atomic_int host_calls;
static atomic_int released;

/* The host signer's callback signs with a software signer: a callback that calls bankkey. */
static bk_status host_sign(void *userdata, const uint8_t *m, size_t n, uint8_t *sig, size_t cap, size_t *len) {
    atomic_fetch_add(&host_calls, 1);
    bk_bytes s = {0};
    bk_status st = bk_signer_sign((const bk_signer *)userdata, m, n, &s);
    if (st != BK_OK) {
        return st;
    }
    if (s.len > cap) {
        *len = s.len;
        bk_bytes_free(&s);
        return BK_BUFFER_TOO_SMALL;
    }
    memcpy(sig, s.data, s.len);
    *len = s.len;
    bk_bytes_free(&s);
    return BK_OK;
}

static void host_release(void *userdata) {
    (void)userdata;
    atomic_fetch_add(&released, 1);
}

/* A natural person's INN (12 digits) and SNILS with right check digits, from a number. */
static void identifiers(unsigned n, char inn[13], char snils[12]) {
    static const int w11[] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    static const int w12[] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    int d[12];
    snprintf(inn, 13, "7710%06u", 100000 + n % 100000);
    for (int i = 0; i < 10; i++) {
        d[i] = inn[i] - '0';
    }
    int s = 0;
    for (int i = 0; i < 10; i++) {
        s += w11[i] * d[i];
    }
    d[10] = s % 11 % 10;
    s = 0;
    for (int i = 0; i < 11; i++) {
        s += w12[i] * d[i];
    }
    d[11] = s % 11 % 10;
    inn[10] = (char)('0' + d[10]);
    inn[11] = (char)('0' + d[11]);
    inn[12] = 0;
    char nine[16];
    snprintf(nine, sizeof nine, "%09u", 123456000 + n % 1000);
    s = 0;
    for (int i = 0; i < 9; i++) {
        s += (nine[i] - '0') * (9 - i);
    }
    unsigned c = (unsigned)(s < 100 ? s : (s == 100 || s == 101) ? 0 : s % 101 % 100);
    memcpy(snils, nine, 9);
    snils[9] = (char)('0' + c / 10 % 10);
    snils[10] = (char)('0' + c % 10);
    snils[11] = 0;
}

struct result {
    int info_same, chain_ok, software_ok, host_ok, bank_ok, detail_own;
};

static void work(unsigned who, struct result *out) {
    memset(out, 0, sizeof *out);
    const bk_certificate_info *info = NULL, *first = NULL;
    const bk_certificate *anchors[] = {ca};
    const char *msg = "платёжное поручение";
    bk_public_key *spk = NULL, *hpk = NULL;
    if (bk_signer_public_key(software, &spk) != BK_OK || bk_signer_public_key(host, &hpk) != BK_OK) {
        return;
    }
    out->info_same = out->chain_ok = out->software_ok = out->host_ok = 1;
    for (int r = 0; r < ROUNDS; r++) {
        if (bk_certificate_get_info(cert, &info) != BK_OK || (first != NULL && info != first)) {
            out->info_same = 0;
        }
        first = info;
        out->chain_ok &= bk_certificate_verify(cert, anchors, 1, NULL, 0, AT) == BK_OK;
        bk_bytes s = {0};
        out->software_ok &= bk_signer_sign(software, (const uint8_t *)msg, strlen(msg), &s) == BK_OK &&
                            bk_public_key_verify(spk, (const uint8_t *)msg, strlen(msg), s.data, s.len) == BK_OK;
        bk_bytes_free(&s);
        out->host_ok &= bk_signer_sign(host, (const uint8_t *)msg, strlen(msg), &s) == BK_OK &&
                        bk_public_key_verify(hpk, (const uint8_t *)msg, strlen(msg), s.data, s.len) == BK_OK;
        bk_bytes_free(&s);
    }
    /* The bank: this thread's client, its paper request, the act's key, the certificate. */
    char inn[13], snils[12], cn[64];
    identifiers(who, inn, snils);
    snprintf(cn, sizeof cn, "Клиент № %u", who);
    bk_subject *subject = NULL;
    bk_signer *key = NULL;
    bk_request *req = NULL;
    bk_received *rec = NULL;
    bk_certificate *issued = NULL;
    int64_t sub = 0;
    const bk_request_info *ri = NULL;
    const bk_received_info *rv = NULL;
    char id[64];
    bk_document_details d;
    memset(&d, 0, sizeof d);
    d.struct_size = sizeof d;
    d.bank_name = "АО «Банк»";
    d.year = 2027;
    d.month = 6;
    d.day = 1;
    bk_bytes act = {0};
    out->bank_ok = bk_subject_new(&subject) == BK_OK && bk_subject_set(subject, "CN", cn) == BK_OK &&
                   bk_subject_set(subject, "SN", "Клиентов") == BK_OK &&
                   bk_subject_set(subject, "G", "Клиент Клиентович") == BK_OK &&
                   bk_subject_set(subject, "C", "RU") == BK_OK && bk_subject_set(subject, "INN", inn) == BK_OK &&
                   bk_subject_set(subject, "SNILS", snils) == BK_OK &&
                   bk_bank_preregister(bank, subject, AT, &sub) == BK_OK &&
                   bk_signer_generate("gost2012-256-tc26-b", &key) == BK_OK &&
                   bk_request_build(subject, key, NULL, &req) == BK_OK && bk_request_get_info(req, &ri) == BK_OK &&
                   bk_bank_receive(bank, BK_FLOW_PAPER_ACTS, ri->der.data, ri->der.len, AT, &rec) == BK_OK &&
                   bk_received_get_info(rec, &rv) == BK_OK &&
                   rv->status == BK_REQUEST_STATUS_AWAITING_PAPER_DOCUMENTS;
    if (out->bank_ok) {
        snprintf(id, sizeof id, "%.*s", (int)rv->request_id.len, rv->request_id.ptr);
        bk_received_free(rec);
        rec = NULL;
        out->bank_ok = bk_document_render(BK_DOCUMENT_ACT, req, NULL, NULL, &d, BK_FORMAT_TEXT, &act) == BK_OK &&
                       bk_bank_check_paper_act(bank, id, (const char *)act.data, AT + 3600, &rec) == BK_OK &&
                       bk_bank_issue(bank, id, AT + 3600, &issued) == BK_OK &&
                       bk_certificate_verify(issued, anchors, 1, NULL, 0, AT + 7200) == BK_OK;
    }
    if (!out->bank_ok) {
        fprintf(stderr, "thread %u: %s: %s\n", who, bk_status_name(bk_last_error_status()), bk_last_error_message());
    }
    /* This thread's own error detail, whatever the others do meanwhile. */
    char label[32];
    snprintf(label, sizeof label, "NO-SUCH-%u", who);
    bk_subject_set(subject, label, "x");
    char expect[64];
    snprintf(expect, sizeof expect, "unknown attribute \"%s\"", label);
    out->detail_own = bk_last_error_status() == BK_INVALID_INPUT && strcmp(bk_last_error_message(), expect) == 0;
    bk_bytes_free(&act);
    bk_certificate_free(issued);
    bk_received_free(rec);
    bk_request_free(req);
    bk_signer_free(key);
    bk_subject_free(subject);
    bk_public_key_free(spk);
    bk_public_key_free(hpk);
}

struct job {
    unsigned who;
    struct result r;
};

static void *thread_main(void *arg) {
    struct job *j = arg;
    work(j->who, &j->r);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FIXTURE_DIR WORK_DIR\n", argv[0]);
        return 2;
    }
    if (mkdir(argv[2], 0700) != 0) {
        perror(argv[2]);
        return 2;
    }
    size_t len;
    char *p = path_join(argv[1], "cert.pem");
    unsigned char *data = read_file(p, &len);
    MUST(bk_certificate_parse(data, len, &cert));
    free(data);
    free(p);
    p = path_join(argv[1], "ca.pem");
    data = read_file(p, &len);
    MUST(bk_certificate_parse(data, len, &ca));
    free(data);
    free(p);
    p = path_join(argv[1], "key.pem");
    data = read_file(p, &len);
    MUST(bk_signer_from_pkcs8(data, len, NULL, 0, &software));
    free(data);
    free(p);
    bk_public_key *pk = NULL;
    MUST(bk_signer_public_key(software, &pk));
    const bk_key_info *ki = NULL;
    MUST(bk_public_key_get_info(pk, &ki));
    bk_signer_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.struct_size = sizeof cb;
    cb.sign = host_sign;
    cb.release = host_release;
    MUST(bk_signer_from_callbacks(ki->spki.data, ki->spki.len, &cb, software, &host));
    bk_public_key_free(pk);
    p = path_join(argv[1], "ca-key.pem");
    data = read_file(p, &len);
    bk_signer *ca_key = NULL;
    MUST(bk_signer_from_pkcs8(data, len, NULL, 0, &ca_key));
    free(data);
    free(p);
    char *reg = path_join(argv[2], "registry.sqlite");
    bk_bank_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    MUST(bk_bank_open(reg, ca, ca_key, &o, &bank));
    bk_signer_free(ca_key);
    free(reg);

    /* One thread first: the expected results. */
    struct result alone;
    work(100, &alone);
    CHECK(alone.info_same && alone.chain_ok && alone.software_ok && alone.host_ok && alone.bank_ok &&
              alone.detail_own,
          "everything works on one thread");
    /* Then eight at once, each with its own client. */
    pthread_t t[THREADS];
    struct job jobs[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        jobs[i].who = i;
        CHECK(pthread_create(&t[i], NULL, thread_main, &jobs[i]) == 0, "thread started");
    }
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK(memcmp(&jobs[i].r, &alone, sizeof alone) == 0, "a thread's results equal the one-thread run");
    }
    CHECK(atomic_load(&host_calls) == (THREADS + 1) * ROUNDS, "the host callback ran once per signature");
    bk_bytes due = {0};
    MUST(bk_bank_awaiting_paper_json(bank, &due));
    CHECK(due.len == 0, "every request issued, none left waiting");
    bk_bytes_free(&due);
    bk_signer_free(host);
    CHECK(atomic_load(&released) == 1, "release ran once");
    bk_signer_free(software);
    bk_bank_free(bank);
    bk_certificate_free(cert);
    bk_certificate_free(ca);
    return check_done();
}
