/* A sector's run through the C ABI: make its sealing key, publish its export, review its flag
 * file into the caseworkers' work list, turn the filled-in list into verdicts, and disclose a
 * consented citizen's services. Each step appends to the sector's audit log.
 *
 *   sector keygen MUNICIPALITY SECTOR OUT AUDIT_LOG
 *   sector publish RUN_KEY SEALING_KEY EXPORT RELATIONS|- OUT AUDIT_LOG        (on the run key's reference date)
 *   sector ask RUN_KEY SEALING_KEY PERSON_FILE OUT AUDIT_LOG
 *   sector read-check RUN_KEY SEALING_KEY PERSON_FILE ANSWER OUT AUDIT_LOG
 *   sector review SEALING_KEY FLAG_FILE WORK_LIST AUDIT_LOG
 *   sector verdict SEALING_KEY FLAG_FILE FILLED_WORK_LIST OUT AUDIT_LOG
 *   sector disclose REGISTRY_PUBLIC SUBJECT_KEY SEALING_KEY PLAN_TEAM_PUBLIC RECEIPT CONSENT_STATE EXPORT ONGOING_ON|- OUT AUDIT_LOG
 *   sector verify REGISTRY_PUBLIC RECEIPT CONSENT_STATE SEALING_KEY AUDIT_LOG
 *
 * The consent state may be at most 24 hours old (the municipality's maximum age).
 */
#include "example.h"

int main(int argc, char **argv) {
    const char *step = argc > 1 ? argv[1] : "";
    int32_t result;
    if (strcmp(step, "keygen") == 0 && argc == 6) {
        char fingerprint[64];
        result = samkoer_keygen_sealing(argv[2], argv[3], argv[4], argv[5], fingerprint, sizeof fingerprint);
        if (result != SAMKOER_OK) return failed("keygen sealing", result);
        printf("sealing key %s  fingerprint %s\n", argv[4], fingerprint);
        return 0;
    }
    if ((strcmp(step, "publish") == 0 && argc == 8) || (strcmp(step, "ask") == 0 && argc == 7) ||
        (strcmp(step, "read-check") == 0 && argc == 8)) {
        samkoer_run_key *run_key = NULL;
        result = samkoer_run_key_read(argv[2], &run_key);
        if (result != SAMKOER_OK) return failed("read the run key", result);
        samkoer_sealing_key *sealing_key = NULL;
        result = samkoer_sealing_key_read(argv[3], &sealing_key);
        if (result != SAMKOER_OK) {
            samkoer_run_key_free(run_key);
            return failed("read the sealing key", result);
        }
        if (strcmp(step, "ask") == 0) {
            uint64_t citizens = 0;
            result = samkoer_check_ask(run_key, sealing_key, argv[4], argv[5], argv[6], &citizens);
            samkoer_run_key_free(run_key);
            samkoer_sealing_key_free(sealing_key);
            if (result != SAMKOER_OK) return failed("check ask", result);
            printf("check request for %llu citizens -> %s\n", (unsigned long long)citizens, argv[5]);
            return 0;
        }
        if (strcmp(step, "read-check") == 0) {
            samkoer_check_counts counts = {0};
            result = samkoer_check_read(run_key, sealing_key, argv[4], argv[5], argv[6], argv[7], &counts);
            samkoer_run_key_free(run_key);
            samkoer_sealing_key_free(sealing_key);
            if (result != SAMKOER_OK) return failed("check read", result);
            printf("%llu candidates, %llu deferred, %llu not candidates -> %s\n", (unsigned long long)counts.candidates,
                   (unsigned long long)counts.deferred, (unsigned long long)counts.not_candidates, argv[6]);
            return 0;
        }
        samkoer_publish_counts counts = {0};
        if (result == SAMKOER_OK)
            result = samkoer_publish(run_key, sealing_key, argv[4], optional(argv[5]), argv[6], NULL, NULL, argv[7], &counts);
        samkoer_run_key_free(run_key);
        samkoer_sealing_key_free(sealing_key);
        if (result != SAMKOER_OK) return failed("publish", result);
        printf("%llu rows: %llu published, %llu excluded, %llu rejected -> %s\n", (unsigned long long)counts.rows,
               (unsigned long long)counts.published, (unsigned long long)counts.excluded, (unsigned long long)counts.rejected, argv[6]);
        return 0;
    }
    if ((strcmp(step, "review") == 0 && argc == 6) || (strcmp(step, "verdict") == 0 && argc == 7) ||
        (strcmp(step, "disclose") == 0 && argc == 12)) {
        const char *key_path = strcmp(step, "disclose") == 0 ? argv[4] : argv[2];
        samkoer_sealing_key *key = NULL;
        result = samkoer_sealing_key_read(key_path, &key);
        if (result != SAMKOER_OK) return failed("read the sealing key", result);
        if (strcmp(step, "review") == 0) {
            samkoer_review_counts counts = {0};
            result = samkoer_review(key, argv[3], argv[4], argv[5], &counts);
            if (result == SAMKOER_OK)
                printf("%llu candidates, %llu citizens -> work list %s\n", (unsigned long long)counts.candidates,
                       (unsigned long long)counts.citizens, argv[4]);
        } else if (strcmp(step, "verdict") == 0) {
            uint64_t verdicts = 0;
            result = samkoer_verdict(key, argv[3], argv[4], argv[5], argv[6], &verdicts);
            if (result == SAMKOER_OK) printf("%llu verdicts -> %s\n", (unsigned long long)verdicts, argv[5]);
        } else {
            uint64_t services = 0;
            result = samkoer_disclose(argv[2], argv[3], key, argv[5], argv[6], argv[7], 24, argv[8], 0, optional(argv[9]), argv[10], argv[11], &services);
            if (result == SAMKOER_OK) printf("%llu services disclosed -> %s\n", (unsigned long long)services, argv[10]);
        }
        samkoer_sealing_key_free(key);
        return result == SAMKOER_OK ? 0 : failed(step, result);
    }
    if (strcmp(step, "verify") == 0 && argc == 7) {
        samkoer_sealing_key *key = NULL;
        result = samkoer_sealing_key_read(argv[5], &key);
        if (result != SAMKOER_OK) return failed("read the sealing key", result);
        result = samkoer_consent_verify(argv[2], argv[3], argv[4], 24, key, 0, argv[6]);
        samkoer_sealing_key_free(key);
        if (result != SAMKOER_OK) return failed("consent verify", result);
        printf("the receipt is valid for the sector of %s now\n", argv[5]);
        return 0;
    }
    fprintf(stderr, "usage: see the comment at the top of bindings/c/examples/sector.c\n");
    return 2;
}
