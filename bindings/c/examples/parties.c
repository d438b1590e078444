/* The other parties' steps through the C ABI: the key custodian's keys, the consent registry's
 * keys, receipts, withdrawals and consent state, and the plan team's key and opening of the
 * bundles.
 *
 *   parties master MUNICIPALITY OUT AUDIT_LOG
 *   parties run MASTER RUN REFERENCE_DATE OUT AUDIT_LOG
 *   parties key KIND MUNICIPALITY OUT AUDIT_LOG          (consent-registry, plan-team, matcher)
 *   parties subject REGISTRY_KEY OUT AUDIT_LOG
 *   parties public KEY OUT AUDIT_LOG
 *   parties issue REGISTRY_KEY SUBJECT_KEY PERSON_FILE OUT AUDIT_LOG SECTOR...
 *   parties withdraw REGISTRY_KEY RECEIPT OUT AUDIT_LOG
 *   parties state REGISTRY_KEY PREVIOUS|- OUT AUDIT_LOG WITHDRAWAL...
 *   parties open PLAN_TEAM_KEY REGISTRY_PUBLIC RECEIPT OUT AUDIT_LOG SECTOR_PUBLIC... -- BUNDLE...
 */
#include <time.h>

#include "example.h"

int main(int argc, char **argv) {
    const char *step = argc > 1 ? argv[1] : "";
    char fingerprint[64];
    int32_t result = SAMKOER_ERROR_ARGUMENT;
    if (strcmp(step, "master") == 0 && argc == 5) {
        result = samkoer_keygen_master(argv[2], argv[3], argv[4], fingerprint, sizeof fingerprint);
    } else if (strcmp(step, "run") == 0 && argc == 7) {
        result = samkoer_keygen_run(argv[2], argv[3], argv[4], argv[5], argv[6], fingerprint, sizeof fingerprint);
    } else if (strcmp(step, "key") == 0 && argc == 6) {
        result = samkoer_keygen_municipal(argv[2], argv[3], argv[4], argv[5], fingerprint, sizeof fingerprint);
    } else if (strcmp(step, "subject") == 0 && argc == 5) {
        result = samkoer_keygen_subject(argv[2], argv[3], argv[4], fingerprint, sizeof fingerprint);
    } else if (strcmp(step, "public") == 0 && argc == 5) {
        result = samkoer_keygen_public(argv[2], argv[3], argv[4], fingerprint, sizeof fingerprint);
    } else if (strcmp(step, "issue") == 0 && argc >= 8) {
        char id[64], cpr[64];
        if (read_person(argv[4], cpr, sizeof cpr) != 0) return 1;
        int64_t now = (int64_t)time(NULL);
        result = samkoer_consent_issue(argv[2], argv[3], cpr, (const char *const *)argv + 7, (size_t)(argc - 7), now,
                                       now + 365 * 24 * 3600, argv[5], argv[6], id, sizeof id);
        if (result != SAMKOER_OK) return failed("consent issue", result);
        printf("receipt %s -> %s\n", id, argv[5]);
        return 0;
    } else if (strcmp(step, "withdraw") == 0 && argc == 6) {
        result = samkoer_consent_withdraw(argv[2], argv[3], 0, argv[4], argv[5]);
        if (result != SAMKOER_OK) return failed("consent withdraw", result);
        printf("withdrawal -> %s\n", argv[4]);
        return 0;
    } else if (strcmp(step, "state") == 0 && argc >= 6) {
        uint64_t sequence = 0;
        const char *previous = strcmp(argv[3], "-") == 0 ? NULL : argv[3];
        result = samkoer_consent_state(argv[2], previous, (const char *const *)argv + 6, (size_t)(argc - 6), 0, argv[4],
                                       argv[5], &sequence);
        if (result != SAMKOER_OK) return failed("consent state", result);
        printf("consent state %llu -> %s\n", (unsigned long long)sequence, argv[4]);
        return 0;
    } else if (strcmp(step, "open") == 0 && argc >= 9) {
        int dashes = 7;
        while (dashes < argc && strcmp(argv[dashes], "--") != 0) dashes++;
        if (dashes >= argc - 1) return failed("open", SAMKOER_ERROR_ARGUMENT);
        uint64_t services = 0;
        result = samkoer_open(argv[2], argv[3], argv[4], (const char *const *)argv + 7, (size_t)(dashes - 7),
                              (const char *const *)argv + dashes + 1, (size_t)(argc - dashes - 1), argv[5], argv[6],
                              &services);
        if (result != SAMKOER_OK) return failed("open", result);
        printf("%llu services opened -> %s\n", (unsigned long long)services, argv[5]);
        return 0;
    } else {
        fprintf(stderr, "usage: see the comment at the top of bindings/c/examples/parties.c\n");
        return 2;
    }
    if (result != SAMKOER_OK) return failed(step, result);
    printf("key written, fingerprint %s\n", fingerprint);
    return 0;
}
