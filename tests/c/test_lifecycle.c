/* What the examples do not walk through: a file container's key sets by hand (import, install,
 * retire, delete, backup), a request cancelled and one rejected by the bank (the new key set
 * removed, the old one still in use), the request history read back, the signed request's own
 * functions, a CRL's view, and the read-only registry's other queries.
 * Usage: test_lifecycle FIXTURE_DIR WORK_DIR (gost2012_256-A: ca.pem, ca-key.pem) */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <sys/stat.h>

#define AT 1811844000LL /* 2027-06-01 10:00 UTC */
#define DAY 86400LL

static size_t key_set_count(const bk_key_store *s, uint32_t kind) {
    bk_key_set_list *l = NULL;
    MUST(bk_key_store_key_sets(s, &l));
    const bk_key_set_list_info *i = NULL;
    MUST(bk_key_set_list_get_info(l, &i));
    size_t n = 0;
    for (size_t k = 0; k < i->count; k++) {
        n += kind == 0 || i->items[k].kind == kind;
    }
    bk_key_set_list_free(l);
    return n;
}

static uint32_t status(const bk_regeneration *r) {
    const bk_regeneration_info *i = NULL;
    MUST(bk_regeneration_get_info(r, &i));
    return i->status;
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
    size_t n;
    char *p = path_join(argv[1], "ca.pem");
    unsigned char *d = read_file(p, &n);
    bk_certificate *ca = NULL;
    MUST(bk_certificate_parse(d, n, &ca));
    free(d);
    free(p);
    p = path_join(argv[1], "ca-key.pem");
    d = read_file(p, &n);
    bk_signer *ca_key = NULL;
    MUST(bk_signer_from_pkcs8(d, n, NULL, 0, &ca_key));
    free(d);
    free(p);
    char *reg = path_join(argv[2], "bank.sqlite");
    bk_bank *bank = NULL;
    MUST(bk_bank_open(reg, ca, ca_key, NULL, &bank));

    /* A container by hand: an imported key, its certificate installed, retired, deleted. */
    char *dir = path_join(argv[2], "flash");
    bk_key_store *store = NULL;
    MUST(bk_file_container_create(dir, (const uint8_t *)"pw", 2, 10000, &store));
    bk_key_store *again = NULL;
    CHECK(bk_file_container_create(dir, (const uint8_t *)"pw", 2, 10000, &again) == BK_STORAGE,
          "not over an existing container");
    CHECK(bk_file_container_create(dir, (const uint8_t *)"", 0, 10000, &again) == BK_INVALID_INPUT &&
              field_is("password"),
          "an empty password");
    bk_subject *subject = NULL;
    MUST(bk_subject_new(&subject));
    const char *f[][2] = {{"CN", "Сидоров Семён Семёнович"}, {"SN", "Сидоров"}, {"G", "Семён Семёнович"},
                          {"C", "RU"}, {"INN", "500100732259"}, {"SNILS", "11223344595"}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        MUST(bk_subject_set(subject, f[i][0], f[i][1]));
    }
    bk_signer *key = NULL;
    MUST(bk_signer_generate("gost2012-512-tc26-a", &key));
    bk_bytes id = {0};
    MUST(bk_key_store_import(store, key, "imported", &id));
    CHECK(key_set_count(store, BK_KEY_SET_KEY_WITHOUT_CERTIFICATE) == 1, "a key waiting for its certificate");
    bk_request *req = NULL;
    MUST(bk_request_build(subject, key, NULL, &req));
    const bk_request_info *ri = NULL;
    MUST(bk_request_get_info(req, &ri));
    CHECK(str_eq(ri->key.algorithm, "gost2012-512-tc26-a"), "a GOST-512 key");
    int64_t sub = 0;
    MUST(bk_bank_preregister(bank, subject, AT - 2 * DAY, &sub));
    bk_received *rec = NULL;
    MUST(bk_bank_receive(bank, BK_FLOW_PAPER_ACTS, ri->der.data, ri->der.len, AT - 2 * DAY, &rec));
    const bk_received_info *rv = NULL;
    MUST(bk_received_get_info(rec, &rv));
    char bank_id[64];
    snprintf(bank_id, sizeof bank_id, "%.*s", (int)rv->request_id.len, rv->request_id.ptr);
    bk_received_free(rec);
    /* A key typed in wrong from the act: the request is rejected, with the reason. */
    MUST(bk_bank_check_paper_act(bank, bank_id, "DEAD BEEF", AT - DAY, &rec));
    MUST(bk_received_get_info(rec, &rv));
    CHECK(rv->status == BK_REQUEST_STATUS_REJECTED && rv->reject_reason == BK_REJECT_PAPER_ACT_MISMATCH,
          "a mismatching act rejects the request");
    bk_received_free(rec);
    bk_certificate *cert = NULL;
    CHECK(bk_bank_issue(bank, bank_id, AT - DAY, &cert) == BK_WRONG_STATE, "a rejected request is not issued");
    bk_bytes json = {0};
    MUST(bk_bank_request_json(bank, bank_id, &json));
    CHECK(strstr((const char *)json.data, "\"paper_act_mismatch\"") != NULL, "the rejection in the request's JSON");
    bk_bytes_free(&json);
    /* The same key again is refused (registered already); a new key is issued. */
    bk_signer_free(key);
    bk_request_free(req);
    MUST(bk_signer_generate("gost2012-256-tc26-a", &key));
    MUST(bk_request_build(subject, key, NULL, &req));
    MUST(bk_request_get_info(req, &ri));
    MUST(bk_bank_receive(bank, BK_FLOW_PAPER_ACTS, ri->der.data, ri->der.len, AT - DAY, &rec));
    MUST(bk_received_get_info(rec, &rv));
    snprintf(bank_id, sizeof bank_id, "%.*s", (int)rv->request_id.len, rv->request_id.ptr);
    bk_received_free(rec);
    bk_document_details dd;
    memset(&dd, 0, sizeof dd);
    dd.struct_size = sizeof dd;
    dd.bank_name = "Банк";
    dd.year = 2027;
    dd.month = 5;
    dd.day = 31;
    bk_bytes act = {0};
    MUST(bk_document_render(BK_DOCUMENT_APPLICATION, req, NULL, NULL, &dd, BK_FORMAT_HTML, &act));
    CHECK(strstr((const char *)act.data, "<html") != NULL || strstr((const char *)act.data, "<!DOCTYPE") != NULL,
          "the application as HTML");
    bk_bytes_free(&act);
    MUST(bk_document_render(BK_DOCUMENT_ACT, req, NULL, NULL, &dd, BK_FORMAT_TEXT, &act));
    CHECK(bk_act_check_key_text((const char *)act.data, req) == BK_OK, "the act's key is the request's");
    MUST(bk_bank_check_paper_act(bank, bank_id, (const char *)act.data, AT - DAY, &rec));
    bk_received_free(rec);
    bk_bytes_free(&act);
    MUST(bk_bank_issue(bank, bank_id, AT - DAY, &cert));
    bk_bytes id2 = {0};
    MUST(bk_key_store_import(store, key, "second", &id2));
    bk_certificate *other = NULL;
    CHECK(bk_bank_issue(bank, bank_id, AT - DAY, &other) == BK_WRONG_STATE && other == NULL, "issued only once");
    CHECK(bk_key_store_install_certificate(store, cert, id.data, id.len) == BK_KEY_MISMATCH,
          "a certificate is not installed beside another key");
    MUST(bk_key_store_install_certificate(store, cert, NULL, 0));
    CHECK(key_set_count(store, BK_KEY_SET_COMPLETE) == 1, "a complete key set");
    MUST(bk_key_store_retire(store, id.data, id.len));
    MUST(bk_key_store_delete(store, id.data, id.len));
    CHECK(key_set_count(store, 0) == 1, "the deleted set is gone, the other stays");
    char *copy = path_join(argv[2], "copy");
    bk_key_store *backup = NULL;
    MUST(bk_key_store_backup(store, copy, &backup));
    CHECK(key_set_count(backup, BK_KEY_SET_COMPLETE) == 1, "the backup holds the key set");
    bk_signer *from_backup = NULL;
    MUST(bk_key_store_signer(backup, id2.data, id2.len, &from_backup));
    bk_key_store_free(backup);
    bk_key_store *wrong = NULL;
    MUST(bk_file_container_open(copy, (const uint8_t *)"not it", 6, 0, &wrong));
    bk_signer *nope = NULL;
    CHECK(bk_key_store_signer(wrong, id2.data, id2.len, &nope) == BK_WRONG_PASSWORD, "a wrong password shows on use");
    bk_key_store_free(wrong);

    /* One damaged file (the copy's certificate overwritten): the set is still listed, with
     * what could be read and a line naming the file; a client never takes it as the set in use. */
    {
        char name[128];
        bk_key_set_list *l = NULL;
        MUST(bk_file_container_open(copy, (const uint8_t *)"pw", 2, 0, &backup));
        MUST(bk_key_store_key_sets(backup, &l));
        const bk_key_set_list_info *li = NULL;
        MUST(bk_key_set_list_get_info(l, &li));
        CHECK(li->count == 1 && li->items[0].damage_count == 0, "an intact copy has no damage");
        snprintf(name, sizeof name, "%.*s.crt", (int)li->items[0].id_hex.len, li->items[0].id_hex.ptr);
        bk_key_set_list_free(l);
        char *crt = path_join(copy, name);
        FILE *f = fopen(crt, "w");
        CHECK(f != NULL, "the copy's certificate file is there");
        if (f != NULL) {
            fputs("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", f);
            fclose(f);
        }
        MUST(bk_key_store_key_sets(backup, &l));
        MUST(bk_key_set_list_get_info(l, &li));
        CHECK(li->count == 1, "the damaged set is listed, not hidden");
        const bk_key_set *k = &li->items[0];
        CHECK(k->damage_count == 1 && k->damage[0].ptr != NULL && strstr(k->damage[0].ptr, name) != NULL,
              "its damage names the file");
        CHECK(k->has_private_key && k->certificate.len == 0, "what could be read is there");
        int warned = 0;
        for (size_t w = 0; w < li->warnings_count; w++) {
            warned |= strstr(li->warnings[w].ptr, name) != NULL;
        }
        CHECK(warned, "the medium's warnings name it too");
        bk_key_set_list_free(l);
        char *dj = path_join(argv[2], "damaged.sqlite");
        bk_client *dc = NULL;
        MUST(bk_client_open(backup, dj, AT, &dc));
        bk_assessment da;
        MUST(bk_client_assess(dc, AT, 0, &da));
        CHECK(!da.has_key_set && da.status == BK_KEY_SET_STATUS_INITIAL_GENERATION_REQUIRED,
              "a damaged set is never the one in use");
        bk_client_free(dc);
        bk_key_store_free(backup);
        free(dj);
        free(crt);
    }

    /* The client over it: a request cancelled, then one rejected by the bank. */
    char *journal = path_join(argv[2], "journal.sqlite");
    bk_client *client = NULL;
    MUST(bk_client_open(store, journal, AT, &client));
    bk_key_store_free(store); /* the client holds it */
    bk_bytes current = {0};
    MUST(bk_client_current_key_id(client, &current));
    CHECK(current.len == id2.len && memcmp(current.data, id2.data, id2.len) == 0, "the set in use");
    bk_regeneration *r = NULL, *none = (bk_regeneration *)(void *)0x1;
    MUST(bk_client_in_progress(client, &none));
    CHECK(none == NULL, "nothing in progress: NULL");
    MUST(bk_client_start(client, BK_FLOW_REMOTE, "gost2012-256-tc26-a", subject, AT, &r));
    const bk_regeneration_info *gi = NULL;
    MUST(bk_regeneration_get_info(r, &gi));
    char rid[64];
    snprintf(rid, sizeof rid, "%.*s", (int)gi->id.len, gi->id.ptr);
    bk_regeneration *second = NULL;
    CHECK(bk_client_start(client, BK_FLOW_REMOTE, "gost2012-256-tc26-a", subject, AT, &second) ==
              BK_PRECONDITION_FAILED,
          "one request at a time");
    CHECK(bk_client_start(client, 77, "gost2012-256-tc26-a", subject, AT, &second) == BK_INVALID_INPUT &&
              field_is("flow"),
          "an unknown flow");
    bk_regeneration_free(r);
    MUST(bk_client_in_progress(client, &r));
    CHECK(r != NULL && status(r) == BK_REQUEST_STATUS_NEW, "in progress: new");
    bk_regeneration_free(r);
    MUST(bk_client_cancel(client, rid, AT + 60, &r));
    MUST(bk_regeneration_get_info(r, &gi));
    CHECK(gi->status == BK_REQUEST_STATUS_CANCELLED && gi->new_key_removed && gi->is_final, "cancelled, key removed");
    bk_regeneration_free(r);
    CHECK(bk_client_activate(client, rid, AT + 120, NULL) == BK_WRONG_STATE, "a cancelled request is final");

    MUST(bk_client_start(client, BK_FLOW_REMOTE, "gost2012-256-tc26-a", subject, AT + 200, &r));
    MUST(bk_regeneration_get_info(r, &gi));
    snprintf(rid, sizeof rid, "%.*s", (int)gi->id.len, gi->id.ptr);
    bk_regeneration_free(r);
    MUST(bk_client_sign(client, rid, NULL, 0, AT + 300, NULL));
    bk_bytes wire = {0};
    MUST(bk_client_send(client, rid, AT + 300, &wire));
    bk_signed_request *sr = NULL;
    MUST(bk_signed_request_parse(wire.data, wire.len, &sr));
    const bk_certificate *anchors[] = {ca};
    bk_request *inner = NULL;
    bk_certificate *signer_cert = NULL;
    MUST(bk_signed_request_verify(sr, anchors, 1, AT + 300, &inner, &signer_cert));
    const bk_certificate_info *sci = NULL;
    MUST(bk_certificate_get_info(signer_cert, &sci));
    const bk_certificate_info *ci = NULL;
    MUST(bk_certificate_get_info(cert, &ci));
    CHECK(sci->der.len == ci->der.len, "signed with the current certificate");
    bk_bytes pem = {0};
    MUST(bk_signed_request_pem(sr, &pem));
    CHECK(strstr((const char *)pem.data, "-----BEGIN CMS-----") != NULL, "the signed request as PEM");
    bk_bytes_free(&pem);
    MUST(bk_client_bank_status(client, rid, BK_REQUEST_STATUS_REJECTED, "ИНН изменён", AT + 400, &r));
    MUST(bk_regeneration_get_info(r, &gi));
    CHECK(gi->status == BK_REQUEST_STATUS_REJECTED && str_eq(gi->reason, "ИНН изменён") && gi->new_key_removed,
          "rejected with the bank's reason, the new key removed");
    bk_regeneration_free(r);
    CHECK(bk_client_bank_status(client, rid, BK_REQUEST_STATUS_ACTIVATED, NULL, AT + 500, &r) == BK_INVALID_INPUT,
          "activated is not a status the bank gives");
    bk_bytes_free(&current);
    MUST(bk_client_current_key_id(client, &current));
    CHECK(current.len == id2.len && memcmp(current.data, id2.data, id2.len) == 0, "the old set still in use");
    size_t count = 0;
    MUST(bk_client_regeneration_count(client, &count));
    CHECK(count == 2, "two regenerations");
    MUST(bk_client_regeneration_at(client, 0, &r));
    CHECK(status(r) == BK_REQUEST_STATUS_CANCELLED, "oldest first");
    bk_regeneration_free(r);
    CHECK(bk_client_regeneration_at(client, 2, &r) == BK_INVALID_INPUT, "past the end");
    bk_bytes events = {0};
    MUST(bk_client_events_json(client, 3, &events));
    CHECK(strncmp((const char *)events.data, "{", 1) == 0 && strstr((const char *)events.data, "\"seq\":4") != NULL &&
              strstr((const char *)events.data, "\"seq\":3,") == NULL,
          "events after seq 3 only");
    bk_bytes_free(&events);

    /* The registry read-only: a request's history; nobody awaiting paper. */
    bk_registry *ro = NULL;
    MUST(bk_registry_open_read_only(reg, &ro));
    MUST(bk_registry_request_history_json(ro, bank_id, &json));
    CHECK(strstr((const char *)json.data, "\"to\":\"certificate_issued\"") != NULL, "the request's history");
    bk_bytes_free(&json);
    MUST(bk_registry_request_json(ro, bank_id, &json));
    bk_bytes_free(&json);
    CHECK(bk_registry_request_json(ro, "RQ-NONE", &json) == BK_INVALID_INPUT, "an unknown request");
    MUST(bk_registry_awaiting_paper_json(ro, &json));
    CHECK(json.len == 0, "nobody awaiting paper");
    bk_bytes_free(&json);
    bk_registry_free(ro);

    /* A CRL's view. */
    bk_bytes crl_der = {0};
    const bk_certificate *rev[] = {cert};
    MUST(bk_crl_sign(ca, ca_key, AT, AT + 7 * DAY, 3, rev, 1, AT, &crl_der));
    bk_crl *crl = NULL;
    MUST(bk_crl_parse(crl_der.data, crl_der.len, &crl));
    const bk_crl_info *cri = NULL;
    MUST(bk_crl_get_info(crl, &cri));
    CHECK(cri->revoked_count == 1 && cri->this_update == AT && cri->has_next_update && cri->next_update == AT + 7 * DAY,
          "the CRL's fields");
    CHECK(bk_crl_sign(ca, ca_key, AT, AT, 4, NULL, 0, AT, &crl_der) == BK_INVALID_INPUT, "nextUpdate after thisUpdate");
    bk_crl_free(crl);
    bk_bytes_free(&crl_der);

    bk_certificate_free(signer_cert);
    bk_request_free(inner);
    bk_signed_request_free(sr);
    bk_bytes_free(&wire);
    bk_bytes_free(&current);
    bk_client_free(client);
    free(journal);
    bk_signer_free(from_backup);
    free(copy);
    bk_bytes_free(&id2);
    bk_bytes_free(&id);
    bk_certificate_free(cert);
    bk_request_free(req);
    bk_signer_free(key);
    bk_subject_free(subject);
    free(dir);
    bk_bank_free(bank);
    free(reg);
    bk_signer_free(ca_key);
    bk_certificate_free(ca);
    return check_done();
}
