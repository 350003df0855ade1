/* Seed 004 from C, both sides: a qualified signature (КЭП) issued by an accredited CA,
 * registered by the client («Электронная подпись не подтверждена») and by the bank after the
 * check against the ministry's list of accredited CAs and the CA's CRL; the confirmation
 * statement rendered, signed by the owner's QES and the head of the organisation, confirmed by
 * the bank (loaded not before 12:00 of the next business day) and by the client. And what the
 * bank must refuse: no list, no CRL (both «Ошибка при работе с сервисом проверки сторонних
 * сертификатов»), a revoked certificate.
 * Usage: test_qes FIXTURES_DIR WORK_DIR (the accredited CA is gost2012_256-A's, the bank's
 * gost2012_256-B's) */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <sys/stat.h>

#define AT 1811844000LL /* 2027-06-01 10:00 UTC, a Tuesday */
#define DAY 86400LL

static bk_certificate *cert_of(const char *dir, const char *name) {
    char *p = path_join(dir, name);
    size_t n;
    unsigned char *d = read_file(p, &n);
    bk_certificate *c = NULL;
    MUST(bk_certificate_parse(d, n, &c));
    free(d);
    free(p);
    return c;
}

static bk_signer *key_of(const char *dir, const char *name) {
    char *p = path_join(dir, name);
    size_t n;
    unsigned char *d = read_file(p, &n);
    bk_signer *s = NULL;
    MUST(bk_signer_from_pkcs8(d, n, NULL, 0, &s));
    free(d);
    free(p);
    return s;
}

static bk_subject *person(const char *sn, const char *g, const char *title, const char *snils) {
    bk_subject *s = NULL;
    MUST(bk_subject_new(&s));
    const char *f[][2] = {{"CN", "ООО «Ромашка»"}, {"SN", sn},         {"G", g},
                          {"T", title},             {"O", "ООО «Ромашка»"}, {"L", "г. Москва"},
                          {"ST", "77 г. Москва"},   {"C", "RU"},            {"INNLE", "7707083893"},
                          {"OGRN", "1027700132195"}, {"SNILS", snils}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        MUST(bk_subject_set(s, f[i][0], f[i][1]));
    }
    return s;
}

/* A certificate through a bank's paper flow for `key`'s request. */
static bk_certificate *issue(bk_bank *bank, const bk_subject *subject, const bk_signer *key, int64_t at) {
    bk_request_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.key_usage = BK_KEY_USAGE_DIGITAL_SIGNATURE | BK_KEY_USAGE_NON_REPUDIATION;
    o.sign_tool_class = 1;
    o.subject_sign_tool = "СКЗИ «КриптоПро CSP» (версия 5.0)";
    o.identification_kind = 0;
    bk_request *req = NULL;
    MUST(bk_request_build(subject, key, &o, &req));
    int64_t sub = 0;
    MUST(bk_bank_preregister(bank, subject, at, &sub));
    const bk_request_info *ri = NULL;
    MUST(bk_request_get_info(req, &ri));
    bk_received *r = NULL;
    MUST(bk_bank_receive(bank, BK_FLOW_PAPER_ACTS, ri->der.data, ri->der.len, at, &r));
    const bk_received_info *rv = NULL;
    MUST(bk_received_get_info(r, &rv));
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)rv->request_id.len, rv->request_id.ptr);
    bk_received_free(r);
    bk_document_details d;
    memset(&d, 0, sizeof d);
    d.struct_size = sizeof d;
    d.bank_name = "УЦ";
    d.year = 2027;
    d.month = 5;
    d.day = 1;
    bk_bytes act = {0};
    MUST(bk_document_render(BK_DOCUMENT_ACT, req, NULL, NULL, &d, BK_FORMAT_TEXT, &act));
    MUST(bk_bank_check_paper_act(bank, id, (const char *)act.data, at, &r));
    bk_received_free(r);
    bk_bytes_free(&act);
    bk_certificate *c = NULL;
    MUST(bk_bank_issue(bank, id, at, &c));
    bk_request_free(req);
    return c;
}

static void b64(const uint8_t *in, size_t n, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = t[v >> 18 & 63];
        out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = 0;
}

/* The ministry's list with one accredited CA (its key identifier and certificate). */
static bk_trusted_list *list_of(const bk_certificate *ca) {
    const bk_certificate_info *ci = NULL;
    MUST(bk_certificate_get_info(ca, &ci));
    char kid[41];
    for (size_t i = 0; i < 20 && i < ci->extensions.subject_key_id.len; i++) {
        snprintf(kid + 2 * i, 3, "%02X", ci->extensions.subject_key_id.data[i]);
    }
    char *der64 = malloc(ci->der.len * 4 / 3 + 8);
    b64(ci->der.data, ci->der.len, der64);
    size_t cap = strlen(der64) + 4096;
    char *xml = malloc(cap);
    snprintf(xml, cap,
             "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
             "<АккредитованныеУдостоверяющиеЦентры><Версия>7</Версия><Дата>2027-05-31T09:00:00</Дата>"
             "<УдостоверяющийЦентр><Название>Тестовый аккредитованный УЦ</Название><ИНН>7707083893</ИНН>"
             "<ПрограммноАппаратныеКомплексы><ПрограммноАппаратныйКомплекс><КлючиУполномоченныхЛиц><Ключ>"
             "<ИдентификаторКлюча>%s</ИдентификаторКлюча><Сертификаты><ДанныеСертификата><Данные>%s</Данные>"
             "</ДанныеСертификата></Сертификаты></Ключ></КлючиУполномоченныхЛиц></ПрограммноАппаратныйКомплекс>"
             "</ПрограммноАппаратныеКомплексы><СтатусАккредитации><Статус>Действует</Статус>"
             "<ДействуетС>2020-01-01T00:00:00</ДействуетС></СтатусАккредитации></УдостоверяющийЦентр>"
             "</АккредитованныеУдостоверяющиеЦентры>\n",
             kid, der64);
    bk_trusted_list *l = NULL;
    MUST(bk_trusted_list_parse((const uint8_t *)xml, strlen(xml), &l));
    free(xml);
    free(der64);
    return l;
}

static bk_crl *crl_of(const bk_certificate *ca, const bk_signer *key, const bk_certificate *revoke) {
    bk_bytes der = {0};
    const bk_certificate *rev[] = {revoke};
    MUST(bk_crl_sign(ca, key, AT - 3600, AT + 7 * DAY, revoke ? 2 : 1, rev, revoke ? 1 : 0, AT - 60, &der));
    bk_crl *c = NULL;
    MUST(bk_crl_parse(der.data, der.len, &c));
    bk_bytes_free(&der);
    return c;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FIXTURES_DIR WORK_DIR\n", argv[0]);
        return 2;
    }
    if (mkdir(argv[2], 0700) != 0) {
        perror(argv[2]);
        return 2;
    }
    char *acc_dir = path_join(argv[1], "gost2012_256-A");
    char *bank_dir = path_join(argv[1], "gost2012_256-B");
    bk_certificate *acc_ca = cert_of(acc_dir, "ca.pem"), *bank_ca = cert_of(bank_dir, "ca.pem");
    bk_signer *acc_key = key_of(acc_dir, "ca-key.pem"), *bank_key = key_of(bank_dir, "ca-key.pem");

    /* The accredited CA, issuing qualified certificates (issuerSignTool in its profile). */
    bk_bank_options qo;
    memset(&qo, 0, sizeof qo);
    qo.struct_size = sizeof qo;
    qo.issuer_sign_tool = "ПАК «Тест-УЦ»";
    qo.issuer_ca_tool = "ПАК «Тест-УЦ»";
    qo.issuer_sign_tool_cert = "СФ/124-0001";
    qo.issuer_ca_tool_cert = "СФ/128-0001";
    bk_bank *accredited = NULL;
    MUST(bk_bank_open(":memory:", acc_ca, acc_key, &qo, &accredited));
    /* The client's bank, trusting its own CA and, for QES statements, the accredited one. */
    const bk_certificate *roots[] = {bank_ca, acc_ca};
    bk_bank_options bo;
    memset(&bo, 0, sizeof bo);
    bo.struct_size = sizeof bo;
    bo.roots = roots;
    bo.roots_count = 2;
    /* The test's list is not signed: the host vouches for it (a real one is read with
     * bk_trusted_list_parse_signed against the Ministry's certificate). */
    bo.trust_unsigned_list = true;
    char *reg = path_join(argv[2], "bank.sqlite");
    bk_bank *bank = NULL;
    MUST(bk_bank_open(reg, bank_ca, bank_key, &bo, &bank));

    /* The head of the organisation has a bank certificate (a software key here). */
    bk_subject *head_subject = person("Петров", "Пётр Петрович", "Генеральный директор", "34567890123");
    bk_signer *head_key = NULL;
    MUST(bk_signer_generate("gost2012-256-cryptopro-a", &head_key));
    bk_certificate *head_cert = issue(bank, head_subject, head_key, AT - 30 * DAY);

    /* The owner's QES: the key made in the client's container, the certificate from the CA. */
    char *flash = path_join(argv[2], "flash");
    bk_key_store *store = NULL;
    MUST(bk_file_container_create(flash, (const uint8_t *)"пароль", strlen("пароль"), 10000, &store));
    bk_bytes id = {0};
    MUST(bk_key_store_generate(store, "gost2012-256-cryptopro-a", "КЭП", &id));
    bk_signer *qes_key = NULL;
    MUST(bk_key_store_signer(store, id.data, id.len, &qes_key));
    bk_subject *owner = person("Иванов", "Иван Иванович", "Главный бухгалтер", "11223344595");
    bk_certificate *qes = issue(accredited, owner, qes_key, AT - 10 * DAY);
    const bk_certificate_info *qi = NULL;
    MUST(bk_certificate_get_info(qes, &qi));
    CHECK(qi->qualified, "qualified by its form");

    bk_trusted_list *list = list_of(acc_ca);
    uint64_t version = 0;
    int64_t date = 0;
    MUST(bk_trusted_list_version(list, &version, &date));
    CHECK(version == 7 && date > 0, "the list's version and date");
    bk_crl *crl = crl_of(acc_ca, acc_key, NULL);
    CHECK(bk_crl_verify_issued_by(crl, acc_ca) == BK_OK, "the CRL is the CA's");
    const bk_crl *crls[] = {crl};

    /* The client registers it: not confirmed yet. */
    char *journal = path_join(argv[2], "journal.sqlite");
    bk_client *client = NULL;
    MUST(bk_client_open(store, journal, AT, &client));
    bk_qes *cq = NULL;
    MUST(bk_client_register_qes(client, qes, AT, &cq));
    const bk_qes_info *cqi = NULL;
    MUST(bk_qes_get_info(cq, &cqi));
    CHECK(cqi->status == BK_QES_STATUS_NOT_CONFIRMED && str_eq(cqi->status_ru, "Электронная подпись не подтверждена"),
          "«Электронная подпись не подтверждена»");
    char qid[64];
    snprintf(qid, sizeof qid, "%.*s", (int)cqi->id.len, cqi->id.ptr);

    /* A bank that does not vouch for unsigned lists refuses this one, naming it. */
    bk_bank_options strict;
    memset(&strict, 0, sizeof strict);
    strict.struct_size = sizeof strict;
    bk_bank *strict_bank = NULL;
    MUST(bk_bank_open(":memory:", bank_ca, bank_key, &strict, &strict_bank));
    bk_bank_qes *sq = NULL;
    CHECK(bk_bank_register_qes(strict_bank, qes, list, crls, 1, AT, &sq) == BK_PRECONDITION_FAILED && field_is("list"),
          "an unsigned list is not used unless the host vouches for it");
    bk_bank_free(strict_bank);
    /* The bank: no list, or no CRL, is the seed's service error, never a pass. */
    bk_bank_qes *bq = NULL;
    CHECK(bk_bank_register_qes(bank, qes, NULL, crls, 1, AT, &bq) == BK_VERIFICATION_UNAVAILABLE &&
              strstr(bk_last_error_message(), "Ошибка при работе с сервисом проверки сторонних сертификатов") != NULL,
          "no list: unavailable, with the seed's words");
    CHECK(bk_bank_register_qes(bank, qes, list, NULL, 0, AT, &bq) == BK_VERIFICATION_UNAVAILABLE, "no CRL: unavailable");
    bk_crl *revoking = crl_of(acc_ca, acc_key, qes);
    bool revoked = false;
    int64_t when = 0;
    MUST(bk_crl_lists(revoking, qes, &revoked, &when));
    CHECK(revoked && when == AT - 60, "the CRL lists the certificate");
    const bk_crl *revoked_crls[] = {revoking};
    CHECK(bk_bank_register_qes(bank, qes, list, revoked_crls, 1, AT, &bq) == BK_REVOKED, "revoked: refused");
    CHECK(bq == NULL, "nothing registered");
    MUST(bk_bank_register_qes(bank, qes, list, crls, 1, AT, &bq));
    const bk_bank_qes_info *bqi = NULL;
    MUST(bk_bank_qes_get_info(bq, &bqi));
    CHECK(bqi->status == BK_QES_STATUS_NOT_CONFIRMED && !bqi->has_loaded_not_before, "registered, not confirmed");
    bk_bank_qes_free(bq);

    /* The statement, for the owner and the head to sign. */
    bk_person head = {"Петров Пётр Петрович", "Генеральный директор", "34567890123", NULL};
    bk_document_details d;
    memset(&d, 0, sizeof d);
    d.struct_size = sizeof d;
    d.bank_name = "АО «Пример Банк»";
    d.year = 2027;
    d.month = 6;
    d.day = 1;
    d.head = &head;
    bk_bytes content = {0}, pdf = {0};
    MUST(bk_document_render(BK_DOCUMENT_QES_STATEMENT, NULL, qes, NULL, &d, BK_FORMAT_SIGNED_CONTENT, &content));
    MUST(bk_document_render(BK_DOCUMENT_QES_STATEMENT, NULL, qes, NULL, &d, BK_FORMAT_PDF, &pdf));
    CHECK(memcmp(pdf.data, "%PDF-", 5) == 0, "the statement as PDF");
    CHECK(strstr((const char *)content.data, "Петров Пётр Петрович") != NULL, "the head named in it");
    d.head = NULL;
    bk_bytes no_head = {0};
    CHECK(bk_document_render(BK_DOCUMENT_QES_STATEMENT, NULL, qes, NULL, &d, BK_FORMAT_TEXT, &no_head) ==
                  BK_INVALID_INPUT &&
              field_is("head"),
          "a legal entity's statement needs the head");
    bk_bytes cms = {0};
    MUST(bk_client_qes_statement(client, qid, content.data, content.len, head_key, head_cert, AT + 600, &cms));

    /* The bank confirms; the data is loaded not before 12:00 Moscow time the next business day. */
    MUST(bk_bank_confirm_qes(bank, qes, content.data, content.len, cms.data, cms.len, list, crls, 1, AT + 900, &bq));
    MUST(bk_bank_qes_get_info(bq, &bqi));
    CHECK(bqi->status == BK_QES_STATUS_CONFIRMED && bqi->has_loaded_not_before &&
              bqi->loaded_not_before == 1811926800LL, /* 2027-06-02 12:00 MSK = 09:00 UTC */
          "confirmed, loaded from 12:00 the next business day");
    bk_bank_qes_free(bq);
    bk_qes_free(cq);
    MUST(bk_client_qes_confirmed(client, qid, AT + 86400, &cq));
    MUST(bk_qes_get_info(cq, &cqi));
    CHECK(cqi->status == BK_QES_STATUS_CONFIRMED && cqi->statement_der.len == cms.len,
          "«Электронная подпись подтверждена», with the signed statement kept");

    bk_qes_free(cq);
    bk_bytes_free(&cms);
    bk_bytes_free(&pdf);
    bk_bytes_free(&content);
    bk_crl_free(revoking);
    bk_crl_free(crl);
    bk_trusted_list_free(list);
    bk_client_free(client);
    free(journal);
    bk_certificate_free(qes);
    bk_subject_free(owner);
    bk_signer_free(qes_key);
    bk_bytes_free(&id);
    bk_key_store_free(store);
    free(flash);
    bk_certificate_free(head_cert);
    bk_signer_free(head_key);
    bk_subject_free(head_subject);
    bk_bank_free(bank);
    free(reg);
    bk_bank_free(accredited);
    bk_signer_free(acc_key);
    bk_signer_free(bank_key);
    bk_certificate_free(acc_ca);
    bk_certificate_free(bank_ca);
    free(acc_dir);
    free(bank_dir);
    return check_done();
}
