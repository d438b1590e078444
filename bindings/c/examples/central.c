/* The central unit's run through the C ABI: match the sectors' publications, answer a sector's
 * one-citizen check, combine the sectors' verdicts into the final selection, show the released
 * statistics, and verify the audit log.
 *
 *   central match MATCHER_KEY CRITERIA OUT_DIR AUDIT_LOG PUBLICATION...
 *   central answer MATCHER_KEY CHECK_INDEX REQUEST OUT AUDIT_LOG
 *   central select MATCHER_KEY MATCH_RESULT OUT AUDIT_LOG VERDICTS...
 *   central statistics OUT_DIR
 *   central verify AUDIT_LOG [HEAD|- [SIGNER_KEY [EVIDENCE...]]]
 */
#include "example.h"

int main(int argc, char **argv) {
    const char *step = argc > 1 ? argv[1] : "";
    int32_t result;
    if (strcmp(step, "match") == 0 && argc >= 7) {
        samkoer_match_counts counts = {0};
        result = samkoer_match(argv[2], (const char *const *)argv + 6, (size_t)(argc - 6), argv[3], argv[4], argv[5], &counts);
        if (result != SAMKOER_OK) return failed("match", result);
        printf("%llu persons with services; %llu candidates (%llu deferred); results in %s\n", (unsigned long long)counts.persons,
               (unsigned long long)counts.candidates, (unsigned long long)counts.deferred, argv[4]);
        return 0;
    }
    if (strcmp(step, "answer") == 0 && argc == 7) {
        uint64_t answered = 0;
        result = samkoer_check_answer(argv[2], argv[3], argv[4], argv[5], argv[6], &answered);
        if (result != SAMKOER_OK) return failed("check answer", result);
        printf("%llu citizens answered -> %s\n", (unsigned long long)answered, argv[5]);
        return 0;
    }
    if (strcmp(step, "select") == 0 && argc >= 6) {
        samkoer_select_counts counts = {0};
        result = samkoer_select(argv[2], argv[3], (const char *const *)argv + 6, (size_t)(argc - 6), argv[4], argv[5], &counts);
        if (result != SAMKOER_OK) return failed("select", result);
        printf("%llu selected, %llu removed, %llu outstanding -> %s\n", (unsigned long long)counts.selected,
               (unsigned long long)counts.removed, (unsigned long long)counts.outstanding, argv[4]);
        return 0;
    }
    if (strcmp(step, "statistics") == 0 && argc == 3) {
        /* The match wrote the released statistics; small counts are suppressed already. */
        char path[4096];
        snprintf(path, sizeof path, "%s/statistics.csv", argv[2]);
        FILE *csv = fopen(path, "r");
        if (!csv) return perror(path), 1;
        char line[512];
        while (fgets(line, sizeof line, csv)) fputs(line, stdout);
        fclose(csv);
        return 0;
    }
    if (strcmp(step, "verify") == 0 && argc >= 3) {
        char head[128];
        const char *kept = argc >= 4 ? optional(argv[3]) : NULL;
        const char *signer_key = argc >= 5 ? argv[4] : NULL;
        size_t evidence = argc >= 6 ? (size_t)(argc - 5) : 0;
        result = samkoer_audit_verify(argv[2], kept, signer_key, evidence ? (const char *const *)argv + 5 : NULL, evidence, head, sizeof head);
        if (result != SAMKOER_OK) return failed("audit verify", result);
        printf("%s verifies; head %s\n", argv[2], head);
        return 0;
    }
    fprintf(stderr, "usage: see the comment at the top of bindings/c/examples/central.c\n");
    return 2;
}
