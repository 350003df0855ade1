/*
 * Remote regeneration of the signing key (seed 002, BS-Client / CryptoPro), as a client program
 * does it through libbankkey — and, in the same process, the bank that answers it.
 *
 *   remote_regeneration CA_DIR WORK_DIR [PKCS11_MODULE SO_PIN]
 *
 * CA_DIR holds the bank CA's ca.pem and ca-key.pem (the tests use the OpenSSL fixtures of
 * core/tests/fixtures/openssl/gost2012_256-A). WORK_DIR must not exist: the key container, the
 * client's journal and the bank's registry are made there. With a PKCS#11 module (SoftHSM
 * built with GOST in the tests) the client's keys live on a token instead of a file container:
 * a free slot is initialised with SO_PIN.
 *
 * The story, on a timeline passed in (nothing reads the clock):
 *   1. a new client: «Необходима начальная генерация»; the paper-acts flow gives it its first
 *      certificate (request, act printed, the bank checks the key on the act, issues);
 *   2. eleven months later: «Необходима плановая замена сертификата»; the remote flow:
 *      a new key, the request signed with the current valid key, refused while an outgoing
 *      payment order is still «подписан», then sent; the bank verifies and issues; the client
 *      receives the certificate and is switched to the new key set; the old one is deleted.
 * Build: cc remote_regeneration.c $(pkg-config --cflags --libs bankkey)
 */
#define _POSIX_C_SOURCE 200809L
#include <bankkey.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Stops the program with the library's detail when a call fails. */
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

/* Prints a request's status the way the client shows it: machine name and Russian words. */
static void show(const char *when, const bk_regeneration *r) {
    const bk_regeneration_info *i = NULL;
    TRY(bk_regeneration_get_info(r, &i));
    printf("  %-34s %.*s  «%.*s»\n", when, (int)i->status_name.len, i->status_name.ptr, (int)i->status_ru.len,
           i->status_ru.ptr);
}

static uint32_t status_of(const bk_regeneration *r) {
    const bk_regeneration_info *i = NULL;
    TRY(bk_regeneration_get_info(r, &i));
    return i->status;
}

/* The request id as a C string (the caller frees it). */
static char *id_of(const bk_regeneration *r) {
    const bk_regeneration_info *i = NULL;
    TRY(bk_regeneration_get_info(r, &i));
    char *id = malloc(i->id.len + 1);
    memcpy(id, i->id.ptr, i->id.len + 1);
    return id;
}

static void assess(const bk_client *client, int64_t at, uint32_t expected) {
    bk_assessment a;
    TRY(bk_client_assess(client, at, 0, &a));
    printf("  assessment: %s «%s»", a.status_name, a.status_ru);
    if (a.has_key_set) {
        printf(", %lld days left", (long long)a.days_left);
    }
    printf("\n");
    EXPECT(a.status == expected, bk_text(BK_VOCABULARY_KEY_SET_STATUS, expected, BK_TEXT_NAME));
}

/* Opens a fresh token on the module: a free slot initialised with the SO PIN, the user PIN set. */
static bk_key_store *fresh_token(const char *module_path, const char *so_pin, const char *pin) {
    bk_pkcs11_module *module = NULL;
    TRY(bk_pkcs11_module_load(module_path, &module));
    bk_slot_list *slots = NULL;
    TRY(bk_pkcs11_module_slots(module, &slots));
    const bk_slot_list_info *si = NULL;
    TRY(bk_slot_list_get_info(slots, &si));
    uint64_t free_slot = 0;
    int found = 0;
    for (size_t i = 0; i < si->count && !found; i++) {
        if (si->slots[i].has_token && !si->slots[i].token.token_initialized) {
            free_slot = si->slots[i].slot_id;
            found = 1;
        }
    }
    bk_slot_list_free(slots);
    EXPECT(found, "a free slot on the module");
    char label[32];
    snprintf(label, sizeof label, "remote-%ld", (long)getpid());
    TRY(bk_pkcs11_module_init_token(module, free_slot, (const uint8_t *)so_pin, strlen(so_pin), label));
    bk_key_store *token = NULL;
    TRY(bk_pkcs11_token_open(module, BK_TOKEN_BY_LABEL, label, 0, &token));
    bk_pkcs11_module_free(module); /* the token keeps the module loaded */
    TRY(bk_key_store_init_user_pin(token, (const uint8_t *)so_pin, strlen(so_pin), (const uint8_t *)pin,
                                   strlen(pin)));
    TRY(bk_key_store_login(token, (const uint8_t *)pin, strlen(pin), 0));
    return token;
}

/* The client's subject: an organisation and the employee who owns the key (seed 000's fields). */
static bk_subject *subject_of_client(void) {
    bk_subject *s = NULL;
    TRY(bk_subject_new(&s));
    TRY(bk_subject_set(s, "CN", "ООО «Ромашка»"));
    TRY(bk_subject_set(s, "SN", "Иванов"));
    TRY(bk_subject_set(s, "G", "Иван Иванович"));
    TRY(bk_subject_set(s, "T", "Генеральный директор"));
    TRY(bk_subject_set(s, "O", "ООО «Ромашка»"));
    TRY(bk_subject_set(s, "L", "г. Москва"));
    TRY(bk_subject_set(s, "ST", "77 г. Москва"));
    TRY(bk_subject_set(s, "C", "RU"));
    TRY(bk_subject_set(s, "INNLE", "7707083893"));
    TRY(bk_subject_set(s, "OGRN", "1027700132195"));
    TRY(bk_subject_set(s, "SNILS", "112-233-445 95"));
    TRY(bk_subject_validate(s, BK_SUBJECT_LEGAL_ENTITY));
    return s;
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: %s CA_DIR WORK_DIR [PKCS11_MODULE SO_PIN]\n", argv[0]);
        return 2;
    }
    const char *ca_dir = argv[1], *work = argv[2];
    const char *algorithm = "gost2012-256-cryptopro-a"; /* what SoftHSM with GOST makes */
    if (mkdir(work, 0700) != 0) {
        perror(work);
        return 2;
    }
    char container[4096], journal[4096], registry[4096];
    snprintf(container, sizeof container, "%s/container", work);
    snprintf(journal, sizeof journal, "%s/client-journal.sqlite", work);
    snprintf(registry, sizeof registry, "%s/bank-registry.sqlite", work);

    /* The bank: its CA certificate and the CA key (PKCS#8) signing what it issues. */
    size_t len;
    unsigned char *pem = slurp(ca_dir, "ca.pem", &len);
    bk_certificate *ca = NULL;
    TRY(bk_certificate_parse(pem, len, &ca));
    free(pem);
    pem = slurp(ca_dir, "ca-key.pem", &len);
    bk_signer *ca_key = NULL;
    TRY(bk_signer_from_pkcs8(pem, len, NULL, 0, &ca_key));
    free(pem);
    bk_bank *bank = NULL;
    TRY(bk_bank_open(registry, ca, ca_key, NULL, &bank));
    bk_signer_free(ca_key); /* the bank keeps what it needs */

    /* The client's medium: a token, or a file container with its password. */
    bk_key_store *store = NULL;
    if (argc == 5) {
        store = fresh_token(argv[3], argv[4], "24681357");
        printf("medium: PKCS#11 token on %s\n", argv[3]);
    } else {
        const char *password = "пароль контейнера";
        /* 10,000 PBKDF2 iterations keep the example quick; leave 0 (600,000) in production. */
        TRY(bk_file_container_create(container, (const uint8_t *)password, strlen(password), 10000, &store));
        printf("medium: file container %s\n", container);
    }
    bk_client *client = NULL;
    int64_t t0 = 1804150800; /* 2027-03-04 09:00 UTC, a Thursday */
    TRY(bk_client_open(store, journal, t0, &client));
    const bk_certificate *anchors[] = {ca};
    TRY(bk_client_set_trust_anchors(client, anchors, 1));
    bk_subject *subject = subject_of_client();
    int64_t subscriber = 0;
    TRY(bk_bank_preregister(bank, subject, t0, &subscriber));

    /* ---- 1. A new medium: initial generation by paper acts ---- */
    printf("\n1. initial generation (paper acts, seed 000)\n");
    assess(client, t0, BK_KEY_SET_STATUS_INITIAL_GENERATION_REQUIRED);
    bk_regeneration *r = NULL;
    TRY(bk_client_start(client, BK_FLOW_PAPER_ACTS, algorithm, subject, t0, &r));
    show("started", r);
    char *id = id_of(r);
    bk_regeneration_free(r);
    TRY(bk_client_sign(client, id, NULL, 0, t0, &r));
    show("signed", r);
    bk_regeneration_free(r);
    bk_bytes outgoing = {0};
    TRY(bk_client_send(client, id, t0, &outgoing));
    bk_received *rec = NULL;
    TRY(bk_bank_receive(bank, BK_FLOW_PAPER_ACTS, outgoing.data, outgoing.len, t0 + 60, &rec));
    bk_bytes_free(&outgoing);
    const bk_received_info *ri = NULL;
    TRY(bk_received_get_info(rec, &ri));
    EXPECT(ri->status == BK_REQUEST_STATUS_AWAITING_PAPER_DOCUMENTS, "the bank waits for the act");
    printf("  bank: %.*s, paper act checked by %04d-%02u-%02u\n", (int)ri->status_name.len, ri->status_name.ptr,
           ri->paper_check_year, ri->paper_check_month, ri->paper_check_day);
    char *bank_id = malloc(ri->request_id.len + 1);
    memcpy(bank_id, ri->request_id.ptr, ri->request_id.len + 1);
    TRY(bk_client_bank_status(client, id, ri->status, NULL, t0 + 120, &r));
    show("the bank's answer", r);
    bk_received_free(rec);

    /* The act, printed in two copies; the bank types in the key it reads on the paper. */
    const bk_regeneration_info *gi = NULL;
    TRY(bk_regeneration_get_info(r, &gi));
    bk_request *request = NULL;
    TRY(bk_request_parse(gi->request_der.data, gi->request_der.len, &request));
    bk_regeneration_free(r);
    bk_document_details details;
    memset(&details, 0, sizeof details);
    details.struct_size = sizeof details;
    details.bank_name = "АО «Пример Банк»";
    details.year = 2027;
    details.month = 3;
    details.day = 4;
    details.place = "г. Москва";
    details.request_number = bank_id;
    bk_bytes act = {0};
    TRY(bk_document_render(BK_DOCUMENT_ACT, request, NULL, NULL, &details, BK_FORMAT_TEXT, &act));
    printf("  act printed (%zu bytes of text); PDF and HTML the same way\n", act.len);
    TRY(bk_bank_check_paper_act(bank, bank_id, (const char *)act.data, t0 + DAY, &rec));
    TRY(bk_received_get_info(rec, &ri));
    EXPECT(ri->reject_reason == 0, "the act's key matches the request");
    bk_received_free(rec);
    bk_bytes_free(&act);
    bk_request_free(request);
    bk_certificate *first = NULL;
    TRY(bk_bank_issue(bank, bank_id, t0 + DAY, &first));
    TRY(bk_client_receive_certificate(client, id, first, t0 + DAY + 600, &r));
    show("certificate received", r);
    bk_regeneration_free(r);
    TRY(bk_client_activate(client, id, t0 + DAY + 660, &r));
    show("activated", r);
    bk_regeneration_free(r);
    bk_certificate_free(first);
    free(bank_id);
    free(id);
    assess(client, t0 + 2 * DAY, BK_KEY_SET_STATUS_ACTIVE);

    /* The store's handle is not needed any more: the client holds the store. */
    bk_key_store_free(store);
    store = NULL;

    /* ---- 2. Eleven months later: remote regeneration (seed 002) ---- */
    int64_t t1 = t0 + 340 * DAY;
    printf("\n2. remote regeneration (seed 002), 340 days later\n");
    assess(client, t1, BK_KEY_SET_STATUS_SCHEDULED_REPLACEMENT_REQUIRED);
    TRY(bk_client_start(client, BK_FLOW_REMOTE, algorithm, subject, t1, &r));
    show("started", r);
    id = id_of(r);
    bk_regeneration_free(r);
    /* A payment order is still «подписан» (signed, not sent): signing is refused, naming it. */
    const char *unsent[] = {"Платёжное поручение № 15"};
    bk_status s = bk_client_sign(client, id, unsent, 1, t1, &r);
    EXPECT(s == BK_PRECONDITION_FAILED, "signing refused while a document is «подписан»");
    EXPECT(bk_last_error_field() != NULL && strcmp(bk_last_error_field(), "outgoing_documents") == 0,
           "the field outgoing_documents");
    printf("  refused: %s\n", bk_last_error_message());
    /* The user sends (or unsigns) the order; now the request is signed with the current key. */
    TRY(bk_client_sign(client, id, NULL, 0, t1 + 300, &r));
    show("signed with the current key", r);
    bk_regeneration_free(r);
    TRY(bk_client_send(client, id, t1 + 300, &outgoing));
    printf("  sent %zu bytes of CMS SignedData\n", outgoing.len);

    /* The bank verifies the signed request: current registered certificate, identity unchanged,
     * a key never seen; accepted at once (no paper in this flow). */
    TRY(bk_bank_receive(bank, BK_FLOW_REMOTE, outgoing.data, outgoing.len, t1 + 360, &rec));
    bk_bytes_free(&outgoing);
    TRY(bk_received_get_info(rec, &ri));
    if (ri->status != BK_REQUEST_STATUS_ACCEPTED_BY_BANK) {
        fprintf(stderr, "rejected: %.*s — %.*s\n", (int)ri->reject_ru.len, ri->reject_ru.ptr,
                (int)ri->reject_detail.len, ri->reject_detail.ptr);
        return 1;
    }
    bank_id = malloc(ri->request_id.len + 1);
    memcpy(bank_id, ri->request_id.ptr, ri->request_id.len + 1);
    TRY(bk_client_bank_status(client, id, ri->status, NULL, t1 + 400, &r));
    show("the bank's answer", r);
    bk_regeneration_free(r);
    bk_received_free(rec);
    /* 10–15 minutes later the client asks the bank and receives its certificate. */
    bk_certificate *second = NULL;
    TRY(bk_bank_issue(bank, bank_id, t1 + 900, &second));
    TRY(bk_client_receive_certificate(client, id, second, t1 + 1200, &r));
    show("certificate received", r);
    EXPECT(status_of(r) == BK_REQUEST_STATUS_CERTIFICATE_ISSUED, "«Получен новый сертификат»");
    bk_regeneration_free(r);
    TRY(bk_client_activate(client, id, t1 + 1260, &r));
    show("activated", r);
    EXPECT(status_of(r) == BK_REQUEST_STATUS_ACTIVATED, "the new key set in use");
    bk_regeneration_free(r);
    assess(client, t1 + 1300, BK_KEY_SET_STATUS_ACTIVE);
    TRY(bk_client_delete_old_key(client, id, t1 + DAY, &r));
    const bk_regeneration_info *fi = NULL;
    TRY(bk_regeneration_get_info(r, &fi));
    EXPECT(fi->old_key_deleted, "the old key set deleted after the new one is proven");
    bk_regeneration_free(r);

    /* What a host mirrors into its own database: the journal as JSON lines. */
    bk_bytes events = {0};
    TRY(bk_client_events_json(client, 0, &events));
    size_t lines = 0;
    for (size_t i = 0; i < events.len; i++) {
        lines += events.data[i] == '\n';
    }
    printf("\njournal: %zu events (first: %.*s)\n", lines, (int)(strchr((char *)events.data, '\n') - (char *)events.data),
           (char *)events.data);
    bk_bytes_free(&events);
    size_t count = 0;
    TRY(bk_client_regeneration_count(client, &count));
    EXPECT(count == 2, "two regenerations in the history");

    bk_certificate_free(second);
    free(bank_id);
    free(id);
    bk_subject_free(subject);
    bk_client_free(client);
    bk_bank_free(bank);
    bk_certificate_free(ca);
    printf("remote regeneration done\n");
    return 0;
}
