/* The client's current key through the C ABI (issue 16): a PFX imported into a file container
 * and exported again, a CryptoPro container opened read-only and imported, and inspect of
 * both; with the typed refusals (wrong password, altered PFX, a second import, a read-only
 * store). On tests/realworld: the Р 50.1.112-2016 PFX example (password «Пароль для PFX») and
 * the container CryptoPro CSP 5 wrote (empty PIN).
 * Usage: test_keyfile REALWORLD_DIR WORK_DIR */
#include "check.h"

#include <sys/stat.h>

static const char PFX_PASSWORD[] = "Пароль для PFX";

static bk_key_store *new_container(const char *work, const char *name) {
    char *path = path_join(work, name);
    bk_key_store *store = NULL;
    MUST(bk_file_container_create(path, (const uint8_t *)"контейнер", strlen("контейнер"), 1000, &store));
    free(path);
    return store;
}

static size_t key_set_count(const bk_key_store *store, int *complete) {
    bk_key_set_list *list = NULL;
    const bk_key_set_list_info *info = NULL;
    MUST(bk_key_store_key_sets(store, &list));
    MUST(bk_key_set_list_get_info(list, &info));
    size_t n = info->count;
    *complete = n > 0 && info->items[0].kind == BK_KEY_SET_COMPLETE && info->items[0].certificate.len > 0;
    bk_key_set_list_free(list);
    return n;
}

static void pfx(const char *realworld, const char *work) {
    char *path = path_join(realworld, "pfx/gnutls_gost12.p12");
    size_t len;
    unsigned char *der = read_file(path, &len);
    bk_key_store *store = new_container(work, "c1");

    bk_bytes id = {0};
    bk_bytes untouched = {0};
    CHECK(bk_key_store_import_pfx(store, der, len, (const uint8_t *)"wrong", 5, "x", &untouched) == BK_WRONG_PASSWORD,
          "a wrong password");
    CHECK(untouched.data == NULL, "out untouched on failure");
    unsigned char last = der[len - 40];
    der[len - 40] ^= 1;
    CHECK(bk_key_store_import_pfx(store, der, len, (const uint8_t *)PFX_PASSWORD, strlen(PFX_PASSWORD), "x",
                                  &untouched) == BK_CONTENT_ALTERED,
          "an altered PFX: the password is right, the MAC is not");
    der[len - 40] = last;
    MUST(bk_key_store_import_pfx(store, der, len, (const uint8_t *)PFX_PASSWORD, strlen(PFX_PASSWORD), "из PFX", &id));
    CHECK(id.len == 20, "the key set identifier");
    int complete = 0;
    CHECK(key_set_count(store, &complete) == 1 && complete, "the key with its certificate");
    CHECK(bk_key_store_import_pfx(store, der, len, (const uint8_t *)PFX_PASSWORD, strlen(PFX_PASSWORD), "x",
                                  &untouched) == BK_PRECONDITION_FAILED,
          "a second import is refused");

    /* Out again, under another password, and into another container: the same key set. */
    bk_bytes exported = {0};
    MUST(bk_key_store_export_pfx(store, id.data, id.len, (const uint8_t *)"новый", strlen("новый"), 0, &exported));
    CHECK(exported.len > 1000, "a PFX with the certificate");
    bk_key_store *other = new_container(work, "c2");
    bk_bytes id2 = {0};
    MUST(bk_key_store_import_pfx(other, exported.data, exported.len, (const uint8_t *)"новый", strlen("новый"),
                                 "перенос", &id2));
    CHECK(id2.len == id.len && memcmp(id2.data, id.data, id.len) == 0, "the same key set");

    /* inspect with the password: a PFX, valid. */
    bk_inspect_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.password = (const uint8_t *)PFX_PASSWORD;
    o.password_len = strlen(PFX_PASSWORD);
    bk_report *r = NULL;
    const bk_report_info *ri = NULL;
    MUST(bk_inspect(der, len, &o, &r));
    MUST(bk_report_get_info(r, &ri));
    CHECK(str_eq(ri->kind, "pfx") && ri->valid, "inspect: a valid PFX");
    bk_bytes json = {0};
    MUST(bk_report_json(r, true, &json));
    CHECK(strstr((const char *)json.data, "Streebog-512") != NULL, "the MAC in the report");
    CHECK(strstr((const char *)json.data, PFX_PASSWORD) == NULL, "never the password");
    bk_bytes_free(&json);
    bk_report_free(r);

    bk_bytes_free(&id2);
    bk_bytes_free(&exported);
    bk_bytes_free(&id);
    bk_key_store_free(other);
    bk_key_store_free(store);
    free(der);
    free(path);
}

static void cryptopro(const char *realworld, const char *work) {
    char *dir = path_join(realworld, "containers/91team_test.91.gost.dev");
    bk_key_store *ro = NULL;
    bk_key_store *untouched = NULL;
    CHECK(bk_cryptopro_container_open(dir, (const uint8_t *)"11111111", 8, &untouched) == BK_WRONG_PASSWORD,
          "a wrong PIN");
    CHECK(untouched == NULL, "out untouched on failure");
    MUST(bk_cryptopro_container_open(dir, (const uint8_t *)"", 0, &ro));
    int complete = 0;
    CHECK(key_set_count(ro, &complete) == 1 && complete, "one key set with its certificate");
    bk_bytes id = {0};
    CHECK(bk_key_store_generate(ro, "gost2012-256-tc26-a", "x", &id) == BK_PRECONDITION_FAILED,
          "read-only: no key generated");

    bk_key_store *store = new_container(work, "c3");
    bk_bytes imported = {0};
    MUST(bk_key_store_import_cryptopro(store, dir, (const uint8_t *)"", 0, "из КриптоПро", &imported));
    CHECK(key_set_count(store, &complete) == 1 && complete, "imported with its certificate");
    bk_signer *signer = NULL;
    MUST(bk_key_store_signer(store, imported.data, imported.len, &signer));
    bk_signer_free(signer);

    bk_inspect_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.password = (const uint8_t *)"";
    o.password_len = 0;
    bk_report *r = NULL;
    const bk_report_info *ri = NULL;
    MUST(bk_inspect_path(dir, &o, &r));
    MUST(bk_report_get_info(r, &ri));
    CHECK(str_eq(ri->kind, "cryptopro-container") && ri->valid, "inspect: the container opens");
    bk_report_free(r);
    MUST(bk_inspect_path(dir, NULL, &r));
    MUST(bk_report_get_info(r, &ri));
    CHECK(!ri->valid, "without its PIN the key was not checked");
    bk_report_free(r);

    bk_bytes_free(&imported);
    bk_key_store_free(store);
    bk_key_store_free(ro);
    free(dir);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_keyfile REALWORLD_DIR WORK_DIR\n");
        return 2;
    }
    mkdir(argv[2], 0700);
    pfx(argv[1], argv[2]);
    cryptopro(argv[1], argv[2]);
    CHECK(bk_key_store_export_pfx(NULL, NULL, 0, NULL, 0, 0, NULL) == BK_NULL_PARAMETER, "NULL out");
    return check_done();
}
