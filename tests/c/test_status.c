/* Smoke test of the C ABI: links libbankkey and checks bk_version and bk_status_description.
 * Built and run by scripts/test-all.sh; prints "N passed, N failed". */
#include "bankkey.h"

#include <stdio.h>
#include <string.h>

static int passed = 0;
static int failed = 0;

static void check(int ok, const char *what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL: %s\n", what);
    }
}

int main(void) {
    const char *v = bk_version();
    check(v != NULL, "bk_version is not NULL");
    check(v != NULL && strcmp(v, BANKKEY_EXPECTED_VERSION) == 0, "bk_version equals the crate version");

    check(strcmp(bk_status_description(BK_OK), "ok") == 0, "BK_OK is described as ok");
    check(strcmp(bk_status_description(BK_NULL_PARAMETER), "null parameter") == 0,
          "BK_NULL_PARAMETER description");
    check(strcmp(bk_status_description(BK_BUFFER_TOO_SMALL), "buffer too small") == 0,
          "BK_BUFFER_TOO_SMALL description");
    check(strcmp(bk_status_description(123456u), "unknown status") == 0,
          "an unknown code is described as unknown status");
    {
        /* 1000 = ErrorKind::InvalidInput, 2000 = ErrorKind::BadSignature */
        const bk_status known[] = {1000u, 2000u};
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
            const char *d = bk_status_description(known[i]);
            check(d != NULL && d[0] != '\0' && strcmp(d, "unknown status") != 0,
                  "an ErrorKind code has its own description");
        }
    }

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
