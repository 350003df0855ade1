/*
 * Token doctor: what a support engineer runs when a client's token "does not work" — every
 * slot of a PKCS#11 module, its token, the user PIN's state and the key sets on it, with a
 * plain-language diagnosis of the usual faults (seeds 000, 001 and 004).
 *
 *   token_doctor MODULE [PIN]                     diagnose every token (PIN: list private keys too)
 *   token_doctor MODULE --exercise SLOT SO_PIN    walk a test token through the usual faults:
 *                                                 factory PIN, wrong PINs, final try, locked,
 *                                                 unlocked by the SO (opencryptoki enforces them)
 * Build: cc token_doctor.c $(pkg-config --cflags --libs bankkey)
 */
#define _POSIX_C_SOURCE 200809L
#include <bankkey.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(call)                                                                                 \
    do {                                                                                          \
        bk_status s_ = (call);                                                                    \
        if (s_ != BK_OK) {                                                                        \
            fprintf(stderr, "%s:%d: %s failed: %s: %s\n", __FILE__, __LINE__, #call,              \
                    bk_status_name(s_), bk_last_error_message());                                 \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

#define EXPECT(cond, what)                                                                        \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: expected %s (last: %s: %s)\n", __FILE__, __LINE__, what,      \
                    bk_status_name(bk_last_error_status()), bk_last_error_message());             \
            exit(1);                                                                              \
        }                                                                                         \
    } while (0)

/* What to tell the user about a PIN state. */
static const char *pin_advice(uint32_t state) {
    switch (state) {
    case BK_PIN_STATE_NOT_INITIALIZED:
        return "the token has no user PIN yet: it was never issued to a user (ask the bank's security officer)";
    case BK_PIN_STATE_TO_BE_CHANGED:
        return "the factory PIN is still set: change it before generating keys (seed 000)";
    case BK_PIN_STATE_COUNT_LOW:
        return "a wrong PIN was entered: check the keyboard layout and Caps Lock before the next try";
    case BK_PIN_STATE_FINAL_TRY:
        return "one more wrong PIN locks the token: do not guess, find the PIN first";
    case BK_PIN_STATE_LOCKED:
        return "the PIN is locked: the security officer (SO PIN) must set a new one; the keys are intact";
    case BK_PIN_STATE_OK:
        return "the PIN is fine";
    default:
        return "unknown PIN state";
    }
}

/* What to tell the user about a status a token call returned. */
static const char *status_advice(bk_status s) {
    switch (s) {
    case BK_PIN_INCORRECT:
        return "wrong PIN";
    case BK_PIN_FINAL_TRY:
        return "not tried: the next wrong PIN would lock the token (ask the user, then insist)";
    case BK_PIN_LOCKED:
        return "the PIN is locked";
    case BK_PIN_FACTORY_DEFAULT:
        return "keys are not generated under a factory PIN: change it first";
    case BK_TOKEN_ABSENT:
        return "the token was removed: plug it in and try again";
    default:
        return bk_status_description(s);
    }
}

static void print_pin(const char *who, uint32_t state) {
    printf("    PIN: %s «%s» — %s\n", bk_text(BK_VOCABULARY_PIN_STATE, state, BK_TEXT_NAME),
           bk_text(BK_VOCABULARY_PIN_STATE, state, BK_TEXT_RU), pin_advice(state));
    (void)who;
}

/* The key sets on a store, each with what it means. */
static void print_key_sets(const bk_key_store *store) {
    bk_key_set_list *list = NULL;
    bk_status s = bk_key_store_key_sets(store, &list);
    if (s != BK_OK) {
        printf("    key sets: cannot list (%s: %s)\n", bk_status_name(s), bk_last_error_message());
        return;
    }
    const bk_key_set_list_info *l = NULL;
    TRY(bk_key_set_list_get_info(list, &l));
    printf("    key sets: %zu\n", l->count);
    for (size_t i = 0; i < l->count; i++) {
        const bk_key_set *k = &l->items[i];
        const char *what;
        switch (k->kind) {
        case BK_KEY_SET_COMPLETE:
            what = k->retired ? "retired (kept until its successor is proven)" : "usable: key and certificate";
            break;
        case BK_KEY_SET_KEY_WITHOUT_CERTIFICATE:
            what = "a key waiting for its certificate from the bank";
            break;
        case BK_KEY_SET_CERTIFICATE_WITHOUT_KEY:
            what = "a certificate without its private key: the key was deleted or is on another medium";
            break;
        default:
            what = "a public key alone";
        }
        printf("      %.*s «%.*s» %.*s: %s\n", (int)k->id_hex.len, k->id_hex.ptr, (int)k->label.len, k->label.ptr,
               (int)k->key.algorithm.len, k->key.algorithm.ptr ? k->key.algorithm.ptr : "", what);
        if (k->subject.ptr != NULL) {
            printf("        certificate of %.*s, notAfter %lld\n", (int)k->subject.len, k->subject.ptr,
                   (long long)k->not_after);
        }
    }
    for (size_t i = 0; i < l->warnings_count; i++) {
        printf("    warning: %.*s\n", (int)l->warnings[i].len, l->warnings[i].ptr);
    }
    bk_key_set_list_free(list);
}

static int diagnose(const char *module_path, const char *pin) {
    bk_pkcs11_module *m = NULL;
    TRY(bk_pkcs11_module_load(module_path, &m));
    bk_slot_list *slots = NULL;
    TRY(bk_pkcs11_module_slots(m, &slots));
    const bk_slot_list_info *si = NULL;
    TRY(bk_slot_list_get_info(slots, &si));
    printf("module %s: %.*s %.*s %.*s, %zu slot(s)\n", module_path, (int)si->library_manufacturer.len,
           si->library_manufacturer.ptr, (int)si->library_description.len, si->library_description.ptr,
           (int)si->library_version.len, si->library_version.ptr, si->count);
    for (size_t i = 0; i < si->count; i++) {
        const bk_slot_info *s = &si->slots[i];
        printf("  slot %llu «%.*s»%s\n", (unsigned long long)s->slot_id, (int)s->description.len, s->description.ptr,
               s->removable ? " (removable)" : "");
        if (!s->token_present) {
            printf("    no token: plug the token in (seed 000: only for the operation)\n");
            continue;
        }
        if (!s->has_token) {
            printf("    a token that cannot be read: %.*s\n", (int)s->token_error.len, s->token_error.ptr);
            continue;
        }
        const bk_token_info *t = &s->token;
        printf("    token «%.*s», serial %.*s, %.*s %.*s\n", (int)t->label.len, t->label.ptr, (int)t->serial.len,
               t->serial.ptr, (int)t->manufacturer.len, t->manufacturer.ptr, (int)t->model.len, t->model.ptr);
        if (!t->token_initialized) {
            printf("    not initialised: an empty token, never issued\n");
            continue;
        }
        print_pin("user", t->pin_state);
        bk_key_store *store = NULL;
        if (bk_pkcs11_token_open(m, BK_TOKEN_BY_SERIAL, t->serial.ptr, 0, &store) != BK_OK) {
            printf("    cannot open: %s\n", bk_last_error_message());
            continue;
        }
        if (pin != NULL && t->pin_state != BK_PIN_STATE_LOCKED) {
            bk_status ls = bk_key_store_login(store, (const uint8_t *)pin, strlen(pin), 0);
            printf("    login: %s\n", ls == BK_OK ? "ok" : status_advice(ls));
        }
        print_key_sets(store);
        bk_key_store_free(store);
    }
    bk_slot_list_free(slots);
    bk_pkcs11_module_free(m);
    return 0;
}

static uint32_t pin_state(const bk_key_store *t) {
    uint32_t s = 0;
    TRY(bk_key_store_pin_state(t, &s));
    return s;
}

static bk_status login(bk_key_store *t, const char *pin, uint32_t flags) {
    bk_status s = bk_key_store_login(t, (const uint8_t *)pin, strlen(pin), flags);
    printf("  login with %s%s: %s\n", pin, flags ? " (insisting)" : "", s == BK_OK ? "ok" : status_advice(s));
    return s;
}

/* Walks a test token through the faults support meets, checking each diagnosis. */
static int exercise(const char *module_path, unsigned long long slot, const char *so_pin) {
    bk_pkcs11_module *m = NULL;
    TRY(bk_pkcs11_module_load(module_path, &m));
    bk_key_store *t = NULL;
    TRY(bk_pkcs11_token_open(m, BK_TOKEN_BY_SLOT, NULL, slot, &t));
    const char *factory = "12345678"; /* Rutoken's factory user PIN */
    const char *mine = "55667788";
    const char *wrong = "00000000";
    printf("exercise on slot %llu\n", slot);
    /* The bank's SO issues the token with the factory PIN. */
    TRY(bk_key_store_init_user_pin(t, (const uint8_t *)so_pin, strlen(so_pin), (const uint8_t *)factory,
                                   strlen(factory)));
    EXPECT(login(t, factory, 0) == BK_OK, "login with the factory PIN");
    print_pin("user", pin_state(t));
    EXPECT(pin_state(t) == BK_PIN_STATE_TO_BE_CHANGED, "a known factory PIN is to be changed");
    bk_bytes id = {0};
    bk_status s = bk_key_store_generate(t, "rsa-2048", "doctor", &id);
    printf("  generate under the factory PIN: %s\n", status_advice(s));
    EXPECT(s == BK_PIN_FACTORY_DEFAULT, "no keys under a factory PIN");
    s = bk_key_store_change_pin(t, (const uint8_t *)factory, strlen(factory), (const uint8_t *)"1234567890", 10);
    printf("  change to another factory PIN: %s (%s)\n", status_advice(s), bk_last_error_message());
    EXPECT(s == BK_INVALID_INPUT, "a factory PIN is not a new PIN");
    TRY(bk_key_store_change_pin(t, (const uint8_t *)factory, strlen(factory), (const uint8_t *)mine, strlen(mine)));
    print_pin("user", pin_state(t));
    TRY(bk_key_store_generate(t, "rsa-2048", "doctor", &id));
    printf("  a key generated (%zu-byte id); it waits for its certificate:\n", id.len);
    bk_bytes_free(&id);
    print_key_sets(t);
    TRY(bk_key_store_logout(t));

    EXPECT(login(t, wrong, 0) == BK_PIN_INCORRECT, "a wrong PIN");
    printf("    (%s)\n", bk_last_error_message());
    print_pin("user", pin_state(t));
    EXPECT(pin_state(t) == BK_PIN_STATE_COUNT_LOW, "count low");
    EXPECT(login(t, wrong, 0) == BK_PIN_INCORRECT, "a second wrong PIN");
    print_pin("user", pin_state(t));
    EXPECT(pin_state(t) == BK_PIN_STATE_FINAL_TRY, "final try");
    EXPECT(login(t, mine, 0) == BK_PIN_FINAL_TRY, "not even the right PIN is tried without insisting");
    EXPECT(login(t, wrong, BK_LOGIN_INSIST_ON_FINAL_TRY) == BK_PIN_LOCKED, "insisting wrongly locks it");
    print_pin("user", pin_state(t));
    EXPECT(login(t, mine, BK_LOGIN_INSIST_ON_FINAL_TRY) == BK_PIN_LOCKED, "locked: refused without trying");
    /* The SO unlocks it by setting a new user PIN; the keys are still there. */
    TRY(bk_key_store_init_user_pin(t, (const uint8_t *)so_pin, strlen(so_pin), (const uint8_t *)"99887766", 8));
    print_pin("user", pin_state(t));
    EXPECT(pin_state(t) == BK_PIN_STATE_OK, "unlocked");
    EXPECT(login(t, "99887766", 0) == BK_OK, "the new PIN works");
    print_key_sets(t);
    TRY(bk_key_store_logout(t));
    bk_key_store_free(t);
    bk_pkcs11_module_free(m);
    printf("token doctor exercise done\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[2], "--exercise") == 0) {
        return exercise(argv[1], strtoull(argv[3], NULL, 10), argv[4]);
    }
    if (argc == 2 || argc == 3) {
        int rc = diagnose(argv[1], argc == 3 ? argv[2] : NULL);
        printf("token doctor done\n");
        return rc;
    }
    fprintf(stderr, "usage: %s MODULE [PIN] | %s MODULE --exercise SLOT SO_PIN\n", argv[0], argv[0]);
    return 2;
}
