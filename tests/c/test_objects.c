/* The objects of the C ABI on the OpenSSL fixtures (core/tests/fixtures/openssl, made by
 * scripts/make-fixtures.sh): certificates, requests, public keys, PKCS#8 signers, CMS, the
 * report, the documents; and the contract on the way: NULL arguments, wrong handle types, bad
 * UTF-8, unknown enum values, out-parameters untouched on failure, handles freed in any order.
 * Usage: test_objects FIXTURES_DIR */
#include "check.h"

/* 2027-06-01 00:00:00 UTC: inside every fixture's validity. */
#define AT 1811808000
/* 2040-01-01: after every fixture's notAfter. */
#define LATER 2208988800

static bk_certificate *load_cert(const char *dir, const char *name) {
    char *p = path_join(dir, name);
    size_t len;
    unsigned char *data = read_file(p, &len);
    bk_certificate *c = NULL;
    MUST(bk_certificate_parse(data, len, &c));
    free(data);
    free(p);
    return c;
}

static void certificates(const char *fx) {
    char *dir = path_join(fx, "gost2012_256-A");
    bk_certificate *cert = load_cert(dir, "cert.pem");
    bk_certificate *ca = load_cert(dir, "ca.pem");
    const bk_certificate_info *info = NULL;
    MUST(bk_certificate_get_info(cert, &info));
    CHECK(info->version == 3, "version 3");
    CHECK(str_eq(info->serial_hex, "7A00001001"), "serial in hex");
    CHECK(info->serial.len == 5, "serial octets");
    CHECK(info->subject.count >= 10, "subject attributes");
    int saw_innle = 0, saw_snils = 0;
    for (size_t i = 0; i < info->subject.count; i++) {
        const bk_attribute *a = &info->subject.attributes[i];
        if (str_eq(a->label, "INNLE")) {
            saw_innle = str_eq(a->name_ru, "ИНН ЮЛ") && str_eq(a->value, "7707083893") &&
                        str_eq(a->oid, "1.2.643.100.4");
        }
        if (str_eq(a->label, "SNILS")) {
            saw_snils = str_eq(a->name_ru, "СНИЛС") && str_eq(a->string_type, "NumericString");
        }
    }
    CHECK(saw_innle, "INNLE with its Russian name, value and OID");
    CHECK(saw_snils, "SNILS as NumericString");
    CHECK(str_eq(info->subject.attributes[0].label, "CN") && str_eq(info->subject.attributes[info->subject.count - 1].label, "SNILS"),
          "attributes in the certificate's order");
    CHECK(strstr(info->issuer.text.ptr, "Тестовый УЦ gost2012_256-A") != NULL, "issuer on one line");
    CHECK(info->not_before < AT && AT < info->not_after, "validity in Unix seconds");
    CHECK(str_eq(info->key.algorithm, "gost2012-256-cryptopro-a"), "algorithm id");
    CHECK(str_eq(info->key.parameter_set_oid, "1.2.643.2.2.35.1"), "parameter set OID");
    CHECK(info->key.key_id.len == 20 && info->key.key_id_hex.len == 40, "key identifier");
    CHECK(info->key.spki.len > 0 && info->key.key_bits.len == 66, "GOST-256 key bits: 04 40 X||Y");
    CHECK(info->extensions.has_key_usage &&
              info->extensions.key_usage == (BK_KEY_USAGE_DIGITAL_SIGNATURE | BK_KEY_USAGE_NON_REPUDIATION |
                                             BK_KEY_USAGE_KEY_ENCIPHERMENT | BK_KEY_USAGE_DATA_ENCIPHERMENT),
          "keyUsage bits");
    CHECK(info->extensions.extended_key_usage_count == 2 &&
              str_eq(info->extensions.extended_key_usage[0], "1.3.6.1.5.5.7.3.2"),
          "extendedKeyUsage");
    CHECK(info->extensions.sign_tool_classes_count == 1 && str_eq(info->extensions.sign_tool_classes[0], "КС1"),
          "signature tool class КС1");
    CHECK(str_eq(info->extensions.subject_sign_tool, "СКЗИ «КриптоПро CSP» (версия 5.0)"), "subjectSignTool");
    CHECK(info->extensions.has_issuer_sign_tool, "issuerSignTool");
    CHECK(info->extensions.identification_kind >= 0, "identificationKind");
    CHECK(info->extensions.subject_key_id.len == 20, "subjectKeyIdentifier");
    CHECK(!info->extensions.is_ca && info->extensions.items_count >= 7, "extensions listed");
    CHECK(info->identifiers_count >= 4, "identifier checks");
    for (size_t i = 0; i < info->identifiers_count; i++) {
        CHECK(info->identifiers[i].valid, "fixture identifiers have right check digits");
    }
    CHECK(info->qualified || info->qualification_missing_count > 0, "qualification says why not");

    const bk_certificate_info *again = NULL;
    MUST(bk_certificate_get_info(cert, &again));
    CHECK(again == info, "the view is built once and kept");

    /* PEM round trip keeps the DER. */
    bk_bytes pem = {0};
    MUST(bk_certificate_pem(cert, &pem));
    CHECK(pem.len > 0 && pem.data[pem.len] == 0 && strncmp((char *)pem.data, "-----BEGIN CERTIFICATE-----", 27) == 0,
          "PEM, NUL-terminated");
    bk_certificate *copy = NULL;
    MUST(bk_certificate_parse(pem.data, pem.len, &copy));
    const bk_certificate_info *ci = NULL;
    MUST(bk_certificate_get_info(copy, &ci));
    CHECK(ci->der.len == info->der.len && memcmp(ci->der.data, info->der.data, ci->der.len) == 0, "same DER");
    bk_bytes_free(&pem);
    CHECK(pem.data == NULL && pem.len == 0, "bk_bytes_free clears");
    bk_bytes_free(&pem); /* twice is harmless */
    /* DER in: parse the DER of the view. */
    bk_certificate *from_der = NULL;
    MUST(bk_certificate_parse(info->der.data, info->der.len, &from_der));
    bk_certificate_free(from_der);

    /* Verification. */
    const bk_certificate *anchors[] = {ca};
    CHECK(bk_certificate_verify(cert, anchors, 1, NULL, 0, AT) == BK_OK, "chains to its CA");
    CHECK(bk_certificate_verify(cert, NULL, 0, NULL, 0, AT) == BK_UNTRUSTED_ISSUER, "no anchors: untrusted");
    CHECK(bk_certificate_verify(cert, anchors, 1, NULL, 0, LATER) == BK_EXPIRED, "expired later");
    CHECK(bk_certificate_verify_issued_by(cert, ca) == BK_OK, "issued by its CA");
    const bk_certificate *self[] = {cert};
    CHECK(bk_certificate_verify(ca, self, 1, NULL, 0, AT) != BK_OK, "the CA does not chain to the leaf");
    int64_t days = 0;
    MUST(bk_certificate_days_to_expiry(cert, AT, &days));
    CHECK(days > 3000, "days to expiry");

    /* Public key from the certificate and from pub.pem; a signature made by OpenSSL. */
    bk_public_key *pk = NULL;
    MUST(bk_certificate_public_key(cert, &pk));
    char *pub_path = path_join(dir, "pub.pem");
    size_t pub_len;
    unsigned char *pub = read_file(pub_path, &pub_len);
    bk_public_key *pk2 = NULL;
    MUST(bk_public_key_parse(pub, pub_len, &pk2));
    bool holds = false;
    MUST(bk_certificate_holds_key(cert, pk2, &holds));
    CHECK(holds, "the certificate holds pub.pem's key");
    size_t msg_len, sig_len;
    char *msg_path = path_join(fx, "msg.bin");
    char *sig_path = path_join(dir, "msg.sig");
    unsigned char *msg = read_file(msg_path, &msg_len);
    unsigned char *sig = read_file(sig_path, &sig_len);
    CHECK(bk_public_key_verify(pk2, msg, msg_len, sig, sig_len) == BK_OK, "OpenSSL's signature verifies");
    msg[0] ^= 1;
    CHECK(bk_public_key_verify(pk2, msg, msg_len, sig, sig_len) == BK_BAD_SIGNATURE, "an altered message does not");
    const bk_key_info *ki = NULL;
    MUST(bk_public_key_get_info(pk, &ki));
    CHECK(str_eq(ki->algorithm, "gost2012-256-cryptopro-a"), "public key view");

    /* A handle freed while another made from it lives on: the key does not depend on the
     * certificate handle. */
    bk_certificate_free(copy);
    MUST(bk_public_key_get_info(pk, &ki));

    free(msg);
    free(sig);
    free(pub);
    free(msg_path);
    free(sig_path);
    free(pub_path);
    bk_public_key_free(pk);
    bk_public_key_free(pk2);
    bk_certificate_free(cert);
    bk_certificate_free(ca);
    free(dir);
}

static void contract(const char *fx) {
    char *dir = path_join(fx, "gost2012_256-A");
    bk_certificate *cert = load_cert(dir, "cert.pem");
    /* NULL arguments. */
    bk_certificate *out = (bk_certificate *)(void *)0x1;
    CHECK(bk_certificate_parse(NULL, 10, &out) == BK_NULL_PARAMETER && field_is("data"), "NULL data");
    CHECK(out == (bk_certificate *)(void *)0x1, "out untouched on failure");
    CHECK(bk_certificate_parse((const uint8_t *)"x", 1, NULL) == BK_NULL_PARAMETER && field_is("out"), "NULL out");
    CHECK(bk_certificate_pem(NULL, NULL) == BK_NULL_PARAMETER, "NULL handle");
    /* Malformed input: a typed error, the out-parameter untouched. */
    const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01};
    CHECK(bk_certificate_parse(junk, sizeof junk, &out) == BK_MALFORMED_ENCODING, "malformed DER");
    CHECK(out == (bk_certificate *)(void *)0x1, "out untouched on malformed input");
    CHECK(strlen(bk_last_error_message()) > 0, "a message says what is wrong");
    CHECK(bk_certificate_parse((const uint8_t *)"hello", 5, &out) == BK_MALFORMED_ENCODING, "not PEM either");
    /* Success clears the detail. */
    bk_bytes pem = {0};
    MUST(bk_certificate_pem(cert, &pem));
    CHECK(bk_last_error_status() == BK_OK && bk_last_error_message()[0] == 0 && bk_last_error_field() == NULL,
          "success clears the error detail");
    bk_bytes_free(&pem);
    /* Another type's handle. */
    bk_subject *subject = NULL;
    MUST(bk_subject_new(&subject));
    CHECK(bk_certificate_pem((const bk_certificate *)(const void *)subject, &pem) == BK_INVALID_HANDLE &&
              field_is("cert"),
          "a subject passed as a certificate is refused");
    CHECK(bk_subject_set((bk_subject *)(void *)cert, "CN", "x") == BK_INVALID_HANDLE,
          "a certificate passed as a subject is refused");
    bk_subject_free((bk_subject *)(void *)cert); /* the wrong type's _free does nothing */
    MUST(bk_certificate_pem(cert, &pem));
    bk_bytes_free(&pem);
    /* Bad UTF-8 and unknown labels. */
    CHECK(bk_subject_set(subject, "CN", "\xff\xfe") == BK_INVALID_INPUT && field_is("value"), "bad UTF-8 value");
    CHECK(bk_subject_set(subject, "\xc0", "x") == BK_INVALID_INPUT && field_is("label"), "bad UTF-8 label");
    CHECK(bk_subject_set(subject, "NOPE", "x") == BK_INVALID_INPUT && field_is("label"), "unknown label");
    MUST(bk_subject_set(subject, "CN", "Иванов Иван Иванович"));
    MUST(bk_subject_set(subject, "SN", "Иванов"));
    MUST(bk_subject_set(subject, "G", "Иван Иванович"));
    MUST(bk_subject_set(subject, "C", "RU"));
    MUST(bk_subject_set(subject, "SNILS", "112-233-445 95"));
    MUST(bk_subject_set(subject, "INN", "500100732250"));
    CHECK(bk_subject_validate(subject, BK_SUBJECT_NATURAL_PERSON) == BK_INVALID_INPUT && field_is("INN"),
          "a wrong INN check digit names INN");
    MUST(bk_subject_set(subject, "INN", "500100732259"));
    CHECK(bk_subject_validate(subject, BK_SUBJECT_NATURAL_PERSON) == BK_OK, "a valid person");
    CHECK(bk_subject_validate(subject, 42) == BK_INVALID_INPUT && field_is("kind"), "unknown subject kind");
    /* Unknown enum values. */
    bk_key_store *store = NULL;
    CHECK(bk_pkcs11_token_open(NULL, 1, "x", 0, &store) == BK_NULL_PARAMETER, "NULL module");
    bk_document_details d;
    memset(&d, 0, sizeof d);
    d.struct_size = sizeof d;
    d.bank_name = "АО «Банк»";
    d.year = 2027;
    d.month = 6;
    d.day = 1;
    bk_bytes doc = {0};
    CHECK(bk_document_render(99, NULL, cert, NULL, &d, BK_FORMAT_TEXT, &doc) == BK_INVALID_INPUT &&
              field_is("document"),
          "unknown document");
    CHECK(bk_document_render(BK_DOCUMENT_ACT, NULL, cert, NULL, &d, 77, &doc) == BK_INVALID_INPUT &&
              field_is("format"),
          "unknown format");
    d.month = 13;
    CHECK(bk_document_render(BK_DOCUMENT_ACT, NULL, cert, NULL, &d, BK_FORMAT_TEXT, &doc) == BK_INVALID_INPUT &&
              field_is("details.month"),
          "month 13");
    d.month = 6;
    d.struct_size = 8;
    CHECK(bk_document_render(BK_DOCUMENT_ACT, NULL, cert, NULL, &d, BK_FORMAT_TEXT, &doc) == BK_INVALID_INPUT,
          "a struct_size too small is refused");
    CHECK(field_is("details.struct_size"), "the error names details.struct_size");
    /* A newer program's longer struct: taken when the fields this library lacks are zero,
     * refused (never ignored) when one is set. */
    struct {
        bk_document_details d;
        uint64_t newer_field;
    } newer;
    memset(&newer, 0, sizeof newer);
    newer.d = d;
    newer.d.struct_size = sizeof newer;
    MUST(bk_document_render(BK_DOCUMENT_ACT, NULL, cert, NULL, &newer.d, BK_FORMAT_TEXT, &doc));
    bk_bytes_free(&doc);
    newer.newer_field = 1;
    CHECK(bk_document_render(BK_DOCUMENT_ACT, NULL, cert, NULL, &newer.d, BK_FORMAT_TEXT, &doc) == BK_INVALID_INPUT &&
              field_is("details.struct_size") && strstr(bk_last_error_message(), "newer library") != NULL,
          "a field this library does not know, set, is refused");
    d.struct_size = (size_t)1 << 40;
    CHECK(bk_document_render(BK_DOCUMENT_ACT, NULL, cert, NULL, &d, BK_FORMAT_TEXT, &doc) == BK_INVALID_INPUT,
          "an uninitialised struct_size is refused before anything is read");
    d.struct_size = sizeof d;
    CHECK(doc.data == NULL, "no output on failure");
    MUST(bk_document_render(BK_DOCUMENT_ACT, NULL, cert, NULL, &d, BK_FORMAT_TEXT, &doc));
    CHECK(strstr((char *)doc.data, "АКТ ПРИЗНАНИЯ ОТКРЫТОГО КЛЮЧА (СЕРТИФИКАТА)") != NULL, "the act as text");
    bk_bytes_free(&doc);
    MUST(bk_document_render(BK_DOCUMENT_ACT, NULL, cert, NULL, &d, BK_FORMAT_PDF, &doc));
    CHECK(doc.len > 1000 && memcmp(doc.data, "%PDF-", 5) == 0, "the act as PDF");
    bk_bytes_free(&doc);
    /* Vocabulary. */
    CHECK(strcmp(bk_text(BK_VOCABULARY_REQUEST_STATUS, BK_REQUEST_STATUS_ACCEPTED_BY_BANK, BK_TEXT_RU),
                 "Принят банком") == 0,
          "status in Russian");
    CHECK(strcmp(bk_text(BK_VOCABULARY_KEY_SET_STATUS, BK_KEY_SET_STATUS_SCHEDULED_REPLACEMENT_REQUIRED, BK_TEXT_RU),
                 "Необходима плановая замена сертификата") == 0,
          "key set status in Russian");
    CHECK(bk_text(BK_VOCABULARY_FLOW, 99, BK_TEXT_NAME) == NULL, "unknown value: NULL");
    CHECK(strcmp(bk_status_name(BK_PIN_FINAL_TRY), "pin_final_try") == 0, "status names");
    bk_subject_free(subject);
    bk_certificate_free(cert);
    bk_certificate_free(NULL);
    bk_bytes_free(NULL);
    free(dir);
}

static void requests_signers_cms(const char *fx) {
    char *dir = path_join(fx, "gost2012_256-A");
    char *req_path = path_join(dir, "req.pem");
    size_t len;
    unsigned char *req_pem = read_file(req_path, &len);
    bk_request *req = NULL;
    MUST(bk_request_parse(req_pem, len, &req));
    CHECK(bk_request_verify(req) == BK_OK, "OpenSSL's request verifies");
    const bk_request_info *ri = NULL;
    MUST(bk_request_get_info(req, &ri));
    CHECK(str_eq(ri->key.algorithm, "gost2012-256-cryptopro-a") && ri->extensions.has_key_usage, "request view");
    /* Flip a byte of the signature (the last byte of the DER). */
    unsigned char *der = malloc(ri->der.len);
    memcpy(der, ri->der.data, ri->der.len);
    der[ri->der.len - 1] ^= 0x01;
    bk_request *bad = NULL;
    MUST(bk_request_parse(der, ri->der.len, &bad));
    CHECK(bk_request_verify(bad) == BK_BAD_SIGNATURE, "a flipped signature byte");
    bk_request_free(bad);
    free(der);

    /* A signer from OpenSSL's PKCS#8 key; CMS attached and detached. */
    char *key_path = path_join(dir, "key.pem");
    size_t key_len;
    unsigned char *key_pem = read_file(key_path, &key_len);
    bk_signer *signer = NULL;
    MUST(bk_signer_from_pkcs8(key_pem, key_len, NULL, 0, &signer));
    bk_certificate *cert = load_cert(dir, "cert.pem");
    bk_certificate *ca = load_cert(dir, "ca.pem");
    const bk_signer *signers[] = {signer};
    const bk_certificate *certs[] = {cert};
    const bk_certificate *anchors[] = {ca};
    const char content[] = "платёжное поручение № 1";
    bk_bytes cms = {0};
    MUST(bk_cms_sign((const uint8_t *)content, strlen(content), signers, certs, 1, NULL, 0, 0, AT, &cms));
    bk_signed_data *sd = NULL;
    MUST(bk_signed_data_parse(cms.data, cms.len, &sd));
    const bk_signed_data_info *si = NULL;
    MUST(bk_signed_data_get_info(sd, &si));
    CHECK(!si->detached && si->signers_count == 1 && si->signers[0].has_signing_time &&
              si->signers[0].signing_time == AT,
          "attached, one signer, signingTime");
    CHECK(si->content.len == strlen(content) && memcmp(si->content.data, content, si->content.len) == 0,
          "the content carried");
    CHECK(bk_signed_data_verify(sd, NULL, 0, anchors, 1, NULL, 0, AT) == BK_OK, "verifies to the CA");
    CHECK(bk_signed_data_verify(sd, NULL, 0, NULL, 0, NULL, 0, AT) == BK_UNTRUSTED_ISSUER, "no anchors: untrusted");
    CHECK(bk_signed_data_verify(sd, (const uint8_t *)"другое", 12, anchors, 1, NULL, 0, AT) == BK_CONTENT_ALTERED,
          "another content: altered");
    bk_certificate *signer_cert = NULL;
    MUST(bk_signed_data_signer_certificate(sd, 0, &signer_cert));
    bk_certificate_free(signer_cert);
    CHECK(bk_signed_data_signer_certificate(sd, 5, &signer_cert) == BK_INVALID_INPUT && field_is("index"),
          "index past the signers");
    bk_signed_data_free(sd);
    bk_bytes_free(&cms);
    MUST(bk_cms_sign((const uint8_t *)content, strlen(content), signers, certs, 1, NULL, 0, BK_CMS_DETACHED, AT, &cms));
    MUST(bk_signed_data_parse(cms.data, cms.len, &sd));
    MUST(bk_signed_data_get_info(sd, &si));
    CHECK(si->detached && si->content.len == 0, "detached");
    CHECK(bk_signed_data_verify(sd, NULL, 0, anchors, 1, NULL, 0, AT) == BK_INVALID_INPUT, "detached needs its content");
    CHECK(bk_signed_data_verify(sd, (const uint8_t *)content, strlen(content), anchors, 1, NULL, 0, AT) == BK_OK,
          "detached with its content");
    /* The report of it, as inspect makes it. */
    bk_inspect_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.has_at = true;
    o.at = AT;
    bk_report *rep = NULL;
    MUST(bk_inspect(cms.data, cms.len, &o, &rep));
    const bk_report_info *rinfo = NULL;
    MUST(bk_report_get_info(rep, &rinfo));
    CHECK(!rinfo->valid && rinfo->reason == BK_REASON_CONTENT_MISSING && str_eq(rinfo->reason_name, "content-missing"),
          "detached without content: content-missing");
    bk_report_free(rep);
    o.content = (const uint8_t *)content;
    o.content_len = strlen(content);
    o.trust = anchors;
    o.trust_count = 1;
    MUST(bk_inspect(cms.data, cms.len, &o, &rep));
    MUST(bk_report_get_info(rep, &rinfo));
    CHECK(rinfo->valid && rinfo->verdict == BK_VERDICT_VALID && str_eq(rinfo->kind, "signed-data"), "valid with both");
    bk_bytes json = {0};
    MUST(bk_report_json(rep, false, &json));
    CHECK(memchr(json.data, '\n', json.len) == NULL && strstr((char *)json.data, "\"verdict\":\"valid\"") != NULL,
          "compact JSON on one line");
    bk_bytes_free(&json);
    MUST(bk_report_json(rep, true, &json));
    CHECK(strstr((char *)json.data, "\"verdict\": \"valid\"") != NULL, "pretty JSON as inspect prints it");
    bk_bytes_free(&json);
    bk_report_free(rep);
    bk_signed_data_free(sd);
    bk_bytes_free(&cms);

    /* A certificate without trust anchors: untrusted, with the words of the reason. */
    bk_bytes cert_pem = {0};
    MUST(bk_certificate_pem(cert, &cert_pem));
    MUST(bk_inspect(cert_pem.data, cert_pem.len, NULL, &rep));
    MUST(bk_report_get_info(rep, &rinfo));
    CHECK(!rinfo->valid && rinfo->reason == BK_REASON_UNTRUSTED &&
              bk_text(BK_VOCABULARY_REPORT_REASON, rinfo->reason, BK_TEXT_RU) != NULL,
          "no trust anchors: untrusted");
    bk_report_free(rep);
    bk_bytes_free(&cert_pem);

    /* Sign and verify with the key directly. */
    bk_bytes sig = {0};
    MUST(bk_signer_sign(signer, (const uint8_t *)content, strlen(content), &sig));
    bk_public_key *pk = NULL;
    MUST(bk_signer_public_key(signer, &pk));
    CHECK(sig.len == 64 && bk_public_key_verify(pk, (const uint8_t *)content, strlen(content), sig.data, sig.len) == BK_OK,
          "a GOST-256 signature of 64 bytes that verifies");
    bk_bytes_free(&sig);
    bk_public_key_free(pk);
    /* Export and re-import the key, encrypted. */
    bk_bytes p8 = {0};
    MUST(bk_signer_pkcs8(signer, (const uint8_t *)"пароль", strlen("пароль"), &p8));
    bk_signer *again = NULL;
    CHECK(bk_signer_from_pkcs8(p8.data, p8.len, (const uint8_t *)"wrong", 5, &again) == BK_WRONG_PASSWORD,
          "a wrong password");
    MUST(bk_signer_from_pkcs8(p8.data, p8.len, (const uint8_t *)"пароль", strlen("пароль"), &again));
    bk_signer_free(again);
    bk_bytes_free(&p8);

    bk_signer_free(signer);
    bk_certificate_free(cert);
    bk_certificate_free(ca);
    bk_request_free(req);
    free(key_pem);
    free(key_path);
    free(req_pem);
    free(req_path);
    free(dir);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIXTURES_DIR\n", argv[0]);
        return 2;
    }
    certificates(argv[1]);
    contract(argv[1]);
    requests_signers_cms(argv[1]);
    return check_done();
}
