/*
 * Token doctor: what a support engineer runs when a client's token "does not work" — every
 * slot of a PKCS#11 module, its token, the user PIN's state and the key sets on it, with a
 * plain-language diagnosis of the usual faults (seeds 000, 001 and 004): the library's own
 * (bk_pkcs11_module_diagnose), so the C tool, Python's `bankkey token` and Rust say the same.
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
#include <time.h>

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

/* What to tell the user about a status a token call returned (the exercise's calls). */
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

/* One key set: what it is, its certificate, and what of it does not read. */
static void print_key_set(const bk_key_set *k) {
    static const char *const kinds[] = {"?", "key and certificate", "a key waiting for its certificate",
                                        "a certificate without its key", "a public key alone"};
    printf("      %.*s «%.*s» %s: %s%s\n", (int)k->id_hex.len, k->id_hex.ptr, (int)k->label.len, k->label.ptr,
           k->key.algorithm.ptr ? k->key.algorithm.ptr : "(unknown algorithm)", kinds[k->kind <= 4 ? k->kind : 0],
           k->retired ? ", retired" : "");
    if (k->subject.ptr != NULL) {
        printf("        certificate of %.*s, notAfter %lld\n", (int)k->subject.len, k->subject.ptr,
               (long long)k->not_after);
    }
    for (size_t i = 0; i < k->damage_count; i++) {
        printf("        damaged: %.*s\n", (int)k->damage[i].len, k->damage[i].ptr);
    }
}

/* The key sets on a store (the exercise's token, logged in). */
static void print_key_sets(const bk_key_store *store) {
    bk_key_set_list *list = NULL;
    TRY(bk_key_store_key_sets(store, &list));
    const bk_key_set_list_info *l = NULL;
    TRY(bk_key_set_list_get_info(list, &l));
    printf("    key sets: %zu\n", l->count);
    for (size_t i = 0; i < l->count; i++) {
        print_key_set(&l->items[i]);
    }
    bk_key_set_list_free(list);
}

static void print_findings(const bk_finding *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        printf("    [%s] %.*s", f[i].severity_name.ptr, (int)f[i].ru.len, f[i].ru.ptr);
        if (f[i].key_id_hex.ptr != NULL) {
            printf(" (key set %.*s)", (int)f[i].key_id_hex.len, f[i].key_id_hex.ptr);
        }
        if (f[i].detail.ptr != NULL) {
            printf(": %.*s", (int)f[i].detail.len, f[i].detail.ptr);
        }
        printf("\n");
    }
}

static int has_finding(const bk_token_diagnosis *t, uint32_t kind) {
    for (size_t i = 0; i < t->findings_count; i++) {
        if (t->findings[i].kind == kind) {
            return 1;
        }
    }
    return 0;
}

/* The library's diagnosis of every token (bk_pkcs11_module_diagnose: the rules are the
 * core's, the same as Python's `bankkey token`), printed; returns it for the caller to check
 * and free. With `slot_of_interest` set, *token is that slot's token diagnosis. */
static bk_diagnosis *doctor(const bk_pkcs11_module *m, const char *pin, int64_t at, const bk_slot_info **slot_out,
                            unsigned long long slot_of_interest, const bk_token_diagnosis **token) {
    bk_diagnosis *d = NULL;
    TRY(bk_pkcs11_module_diagnose(m, (const uint8_t *)pin, pin ? strlen(pin) : 0, at, 0, &d));
    const bk_diagnosis_info *di = NULL;
    TRY(bk_diagnosis_get_info(d, &di));
    print_findings(di->findings, di->findings_count);
    for (size_t i = 0; i < di->slots_count; i++) {
        const bk_slot_info *s = &di->slots[i];
        printf("  slot %llu «%.*s»%s%s\n", (unsigned long long)s->slot_id, (int)s->description.len,
               s->description.ptr, s->removable ? " (removable)" : "", s->token_present ? "" : ": no token");
        if (slot_out != NULL && s->slot_id == slot_of_interest) {
            *slot_out = s;
        }
    }
    for (size_t i = 0; i < di->tokens_count; i++) {
        const bk_token_diagnosis *t = &di->tokens[i];
        printf("  token «%.*s», serial %.*s (slot %llu), %.*s %.*s\n", (int)t->token.label.len, t->token.label.ptr,
               (int)t->token.serial.len, t->token.serial.ptr, (unsigned long long)t->token.slot_id,
               (int)t->token.manufacturer.len, t->token.manufacturer.ptr, (int)t->token.model.len,
               t->token.model.ptr);
        printf("    PIN: «%s»%s\n", bk_text(BK_VOCABULARY_PIN_STATE, t->pin_state, BK_TEXT_RU),
               t->logged_in ? " (logged in and out)" : "");
        print_findings(t->findings, t->findings_count);
        printf("    key sets: %zu\n", t->key_sets_count);
        for (size_t k = 0; k < t->key_sets_count; k++) {
            print_key_set(&t->key_sets[k]);
        }
        if (token != NULL && t->token.slot_id == slot_of_interest) {
            *token = t;
        }
    }
    printf("  worst: %s\n", di->worst ? bk_text(BK_VOCABULARY_SEVERITY, di->worst, BK_TEXT_NAME) : "nothing found");
    return d;
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
    bk_slot_list_free(slots);
    bk_diagnosis *d = doctor(m, pin, (int64_t)time(NULL), NULL, 0, NULL);
    const bk_diagnosis_info *di = NULL;
    TRY(bk_diagnosis_get_info(d, &di));
    EXPECT(di->tokens_count >= 1, "a token to diagnose");
    if (pin != NULL) {
        int right = 0;
        for (size_t i = 0; i < di->tokens_count; i++) {
            right |= has_finding(&di->tokens[i], BK_FINDING_PIN_CORRECT) && di->tokens[i].logged_in;
        }
        EXPECT(right, "the PIN given opens a token");
    }
    bk_diagnosis_free(d);
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

/* The library's diagnosis of the exercise's token (in `slot`) must find `kind`, and log in
 * (with `pin`) or not as `logged_in` says. */
static void expect_finding(const bk_pkcs11_module *m, const char *pin, unsigned long long slot, uint32_t kind,
                           int logged_in) {
    const bk_token_diagnosis *t = NULL;
    printf("  the doctor%s%s:\n", pin ? " with PIN " : "", pin ? pin : "");
    bk_diagnosis *d = doctor(m, pin, (int64_t)time(NULL), NULL, slot, &t);
    EXPECT(t != NULL, "the token is diagnosed");
    EXPECT(has_finding(t, kind), bk_text(BK_VOCABULARY_FINDING, kind, BK_TEXT_NAME));
    EXPECT(t->logged_in == logged_in, logged_in ? "the doctor logged in" : "the doctor did not log in");
    bk_diagnosis_free(d);
}

/* Walks a test token through the faults support meets; at each step the library's diagnosis
 * must name the fault (and never spend the final PIN try). */
static int exercise(const char *module_path, unsigned long long slot, const char *so_pin) {
    bk_pkcs11_module *m = NULL;
    TRY(bk_pkcs11_module_load(module_path, &m));
    const char *factory = "12345678"; /* Rutoken's factory user PIN */
    const char *mine = "55667788";
    const char *wrong = "00000000";
    printf("exercise on slot %llu\n", slot);
    /* The bank's SO initialises the token (fresh from the factory in CI's first run: the
     * doctor must say so) and sets the factory PIN. */
    {
        const bk_token_diagnosis *fresh = NULL;
        bk_diagnosis *d = doctor(m, NULL, (int64_t)time(NULL), NULL, slot, &fresh);
        EXPECT(fresh != NULL, "the token is diagnosed");
        EXPECT(fresh->token.token_initialized || has_finding(fresh, BK_FINDING_TOKEN_NOT_INITIALIZED),
               "an uninitialised token is named so");
        bk_diagnosis_free(d);
    }
    TRY(bk_pkcs11_module_init_token(m, slot, (const uint8_t *)so_pin, strlen(so_pin), "bankkey doctor"));
    expect_finding(m, NULL, slot, BK_FINDING_PIN_NOT_INITIALIZED, 0);
    bk_key_store *t = NULL;
    TRY(bk_pkcs11_token_open(m, BK_TOKEN_BY_SLOT, NULL, slot, &t));
    TRY(bk_key_store_init_user_pin(t, (const uint8_t *)so_pin, strlen(so_pin), (const uint8_t *)factory,
                                   strlen(factory)));
    expect_finding(m, factory, slot, BK_FINDING_FACTORY_PIN, 1);
    EXPECT(login(t, factory, 0) == BK_OK, "login with the factory PIN");
    EXPECT(pin_state(t) == BK_PIN_STATE_TO_BE_CHANGED, "a known factory PIN is to be changed");
    bk_bytes id = {0};
    bk_status s = bk_key_store_generate(t, "rsa-2048", "doctor", &id);
    printf("  generate under the factory PIN: %s\n", status_advice(s));
    EXPECT(s == BK_PIN_FACTORY_DEFAULT, "no keys under a factory PIN");
    s = bk_key_store_change_pin(t, (const uint8_t *)factory, strlen(factory), (const uint8_t *)"1234567890", 10);
    printf("  change to another factory PIN: %s (%s)\n", status_advice(s), bk_last_error_message());
    EXPECT(s == BK_INVALID_INPUT, "a factory PIN is not a new PIN");
    TRY(bk_key_store_change_pin(t, (const uint8_t *)factory, strlen(factory), (const uint8_t *)mine, strlen(mine)));
    EXPECT(pin_state(t) == BK_PIN_STATE_OK, "a PIN of the user's own");
    TRY(bk_key_store_generate(t, "rsa-2048", "doctor", &id));
    printf("  a key generated (%zu-byte id); it waits for its certificate:\n", id.len);
    bk_bytes_free(&id);
    print_key_sets(t);
    TRY(bk_key_store_logout(t));
    expect_finding(m, mine, slot, BK_FINDING_KEY_WITHOUT_CERTIFICATE, 1);

    EXPECT(login(t, wrong, 0) == BK_PIN_INCORRECT, "a wrong PIN");
    printf("    (%s)\n", bk_last_error_message());
    EXPECT(pin_state(t) == BK_PIN_STATE_COUNT_LOW, "count low");
    expect_finding(m, NULL, slot, BK_FINDING_PIN_COUNT_LOW, 0);
    EXPECT(login(t, wrong, 0) == BK_PIN_INCORRECT, "a second wrong PIN");
    EXPECT(pin_state(t) == BK_PIN_STATE_FINAL_TRY, "final try");
    /* Even given the right PIN, the doctor does not spend the final try. */
    expect_finding(m, mine, slot, BK_FINDING_PIN_FINAL_TRY, 0);
    EXPECT(pin_state(t) == BK_PIN_STATE_FINAL_TRY, "the doctor left the final try alone");
    EXPECT(login(t, mine, 0) == BK_PIN_FINAL_TRY, "not even the right PIN is tried without insisting");
    EXPECT(login(t, wrong, BK_LOGIN_INSIST_ON_FINAL_TRY) == BK_PIN_LOCKED, "insisting wrongly locks it");
    expect_finding(m, mine, slot, BK_FINDING_PIN_LOCKED, 0);
    EXPECT(login(t, mine, BK_LOGIN_INSIST_ON_FINAL_TRY) == BK_PIN_LOCKED, "locked: refused without trying");
    /* The SO unlocks it by setting a new user PIN; the keys are still there. */
    TRY(bk_key_store_init_user_pin(t, (const uint8_t *)so_pin, strlen(so_pin), (const uint8_t *)"99887766", 8));
    EXPECT(pin_state(t) == BK_PIN_STATE_OK, "unlocked");
    expect_finding(m, "99887766", slot, BK_FINDING_KEY_WITHOUT_CERTIFICATE, 1);
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
