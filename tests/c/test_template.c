/* A token that does not keep the key-generation template, through the C ABI (issue 13: least
 * privilege read back). The fault-injecting PKCS#11 module (tests/pkcs11-fault) sits in front
 * of SoftHSM and flips CKA_DERIVE to true on the private half of every generated pair, as a
 * token that forces extra usages would:
 * - bk_key_store_generate fails with BK_PKCS11, bk_last_error_field "CKA_DERIVE", and the
 *   token holds no more key sets than before (the pair was destroyed);
 * - after bk_key_store_accept_extra_key_usages(store, true) the generation succeeds;
 * - a file container refuses the call (BK_INVALID_INPUT, field "store").
 * Usage: test_template FAULT_MODULE SOFTHSM_MODULE PIN WORK_DIR (the "bankkey" token). */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static size_t key_set_count(bk_key_store *store) {
    bk_key_set_list *list = NULL;
    const bk_key_set_list_info *info = NULL;
    MUST(bk_key_store_key_sets(store, &list));
    MUST(bk_key_set_list_get_info(list, &info));
    size_t n = info->count;
    bk_key_set_list_free(list);
    return n;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s FAULT_MODULE SOFTHSM_MODULE PIN WORK_DIR\n", argv[0]);
        return 2;
    }
    /* Read by the fault module when it is first used: SoftHSM behind it, CKA_DERIVE (0x10C)
     * of the private half flipped. */
    setenv("BKFAULT_MODULE", argv[2], 1);
    setenv("BKFAULT_TEMPLATE", "private:0x10C:flip", 1);

    bk_pkcs11_module *module = NULL;
    MUST(bk_pkcs11_module_load(argv[1], &module));
    bk_key_store *token = NULL;
    MUST(bk_pkcs11_token_open(module, BK_TOKEN_BY_LABEL, "bankkey", 0, &token));
    MUST(bk_key_store_login(token, (const uint8_t *)argv[3], strlen(argv[3]), 0));
    size_t before = key_set_count(token);

    bk_bytes id = {0};
    bk_status s = bk_key_store_generate(token, "ecdsa-p256", "template refused", &id);
    CHECK(s == BK_PKCS11, "a pair with an added usage is refused");
    const char *field = bk_last_error_field();
    CHECK(field != NULL && strcmp(field, "CKA_DERIVE") == 0, "the error names CKA_DERIVE");
    CHECK(strstr(bk_last_error_message(), "destroyed") != NULL,
          "the message says the pair was destroyed");
    CHECK(id.data == NULL, "no identifier written on failure");
    CHECK(key_set_count(token) == before, "nothing of the refused pair is left on the token");

    MUST(bk_key_store_accept_extra_key_usages(token, true));
    MUST(bk_key_store_generate(token, "ecdsa-p256", "template accepted", &id));
    CHECK(key_set_count(token) == before + 1, "the accepted pair is on the token");
    MUST(bk_key_store_delete(token, id.data, id.len));
    bk_bytes_free(&id);
    CHECK(key_set_count(token) == before, "and deleted again");

    MUST(bk_key_store_accept_extra_key_usages(token, false));
    s = bk_key_store_generate(token, "ecdsa-p256", "template refused again", &id);
    CHECK(s == BK_PKCS11, "refused again once the host withdrew its consent");
    CHECK(key_set_count(token) == before, "nothing left");

    MUST(bk_key_store_logout(token));
    bk_key_store_free(token);
    bk_pkcs11_module_free(module);

    /* A file container is not a token. */
    if (mkdir(argv[4], 0700) != 0) {
        perror(argv[4]);
        return 2;
    }
    char *path = malloc(strlen(argv[4]) + 16);
    sprintf(path, "%s/container", argv[4]);
    bk_key_store *container = NULL;
    MUST(bk_file_container_create(path, (const uint8_t *)"secret", 6, 1000, &container));
    s = bk_key_store_accept_extra_key_usages(container, true);
    CHECK(s == BK_INVALID_INPUT, "a file container refuses");
    field = bk_last_error_field();
    CHECK(field != NULL && strcmp(field, "store") == 0, "naming the store");
    bk_key_store_free(container);
    free(path);
    return check_done();
}
