/* The C ABI on the shared vectors and a small publish + match, run under valgrind.
 *
 * Usage: test_samkoer RUN_KEY SEALING_KEY EXPORT CRITERIA OUT_DIR RULES < vectors
 * where each line of vectors is "CPR PSEUDONYM_HEX" for the run key, and each line of RULES is
 * "CODE NAME FORM" from tests/vectors/rules.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samkoer.h"

static int passed = 0, failed = 0;

static void check(int ok, const char *what) {
    if (ok) {
        passed++;
    } else {
        char message[512];
        samkoer_last_error(message, sizeof message);
        fprintf(stderr, "FAILED: %s (last error: %s)\n", what, message);
        failed++;
    }
}

static void hex(const uint8_t *bytes, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", bytes[i]);
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s RUN_KEY SEALING_KEY EXPORT CRITERIA OUT_DIR RULES < vectors\n", argv[0]);
        return 2;
    }
    samkoer_run_key *run_key = NULL;
    samkoer_sealing_key *sealing_key = NULL;
    check(samkoer_run_key_read(argv[1], &run_key) == SAMKOER_OK, "read the run key");
    check(samkoer_sealing_key_read(argv[2], &sealing_key) == SAMKOER_OK, "read the sealing key");

    /* The shared pseudonym vectors, one by one and as one batch. */
    char cpr[64], expected[65];
    const char *batch[16];
    char batch_cprs[16][64], batch_expected[16][65];
    size_t count = 0;
    while (count < 16 && scanf("%63s %64s", cpr, expected) == 2) {
        uint8_t pseudonym[32];
        char got[65];
        check(samkoer_pseudonymise(run_key, (const char *const[]){cpr}, 1, pseudonym, sizeof pseudonym) == SAMKOER_OK, "pseudonymise one");
        hex(pseudonym, 32, got);
        check(strcmp(got, expected) == 0, "a pseudonym vector");
        strcpy(batch_cprs[count], cpr);
        strcpy(batch_expected[count], expected);
        batch[count] = batch_cprs[count];
        count++;
    }
    check(count > 0, "vectors were given");
    uint8_t *out = malloc(32 * count);
    check(samkoer_pseudonymise(run_key, batch, count, out, 32 * count) == SAMKOER_OK, "pseudonymise a batch");
    for (size_t i = 0; i < count; i++) {
        char got[65];
        hex(out + 32 * i, 32, got);
        check(strcmp(got, batch_expected[i]) == 0, "a batch vector");
    }
    check(samkoer_pseudonymise(run_key, batch, count, out, 31) == SAMKOER_ERROR_BUFFER_TOO_SMALL, "a small buffer is refused");
    free(out);

    /* Errors: a code, a message with the position, never the value. */
    uint8_t one[32];
    check(samkoer_pseudonymise(run_key, (const char *const[]){"3202901234"}, 1, one, 32) == 103, "cpr-date has code 103");
    char message[256];
    size_t length = samkoer_last_error(message, sizeof message);
    check(length > 0 && strstr(message, "line 1") && strstr(message, "cpr-date") && !strstr(message, "3202901234"), "the message names position and rule only");
    check(samkoer_pseudonymise(NULL, batch, 1, one, 32) == SAMKOER_ERROR_NULL_ARGUMENT, "NULL is an error code, not a crash");
    samkoer_run_key *missing = NULL;
    check(samkoer_run_key_read("no-such.key", &missing) == 1 && missing == NULL, "a missing file is an I/O error (code 1)");
    char digits[11];
    check(samkoer_parse_cpr(" 010190-1234 ", "2026-11-01", digits) == SAMKOER_OK && strcmp(digits, "0101901234") == 0, "parse_cpr normalises");

    /* A small publish and match. */
    char publication[512];
    snprintf(publication, sizeof publication, "%s/c.pub", argv[5]);
    samkoer_publish_counts counts = {0};
    /* One rejected row of six is 17 %: over the default 5 % and over 16 %, within 17 %. */
    int32_t lossy = samkoer_publish(run_key, sealing_key, argv[3], NULL, publication, NULL, NULL, NULL, &counts);
    check(lossy == SAMKOER_RULE_REJECTED_LIMIT && samkoer_result_is_input_error(lossy), "a publish over the default limit is refused");
    FILE *written = fopen(publication, "rb");
    check(written == NULL, "a refused publish writes nothing");
    if (written) fclose(written);
    samkoer_publish_limits limits = {16, false};
    check(samkoer_publish(run_key, sealing_key, argv[3], NULL, publication, NULL, &limits, NULL, &counts) == SAMKOER_RULE_REJECTED_LIMIT, "16 % is under one row of six");
    limits.max_rejected_percent = 101;
    check(samkoer_publish(run_key, sealing_key, argv[3], NULL, publication, NULL, &limits, NULL, &counts) == SAMKOER_RULE_LIMIT_GIVEN, "a limit is a percentage");
    limits.max_rejected_percent = 17;
    check(samkoer_publish(run_key, sealing_key, argv[3], NULL, publication, NULL, &limits, NULL, &counts) == SAMKOER_OK, "publish");
    check(counts.rows == 6 && counts.published == 3 && counts.excluded == 2 && counts.rejected == 1, "publish counts");
    samkoer_match_counts found = {0};
    const char *publications[] = {publication};
    char match_dir[512], matcher_key[512], matcher_fingerprint[64];
    snprintf(match_dir, sizeof match_dir, "%s/match", argv[5]);
    snprintf(matcher_key, sizeof matcher_key, "%s/matcher.key", argv[5]);
    check(samkoer_keygen_municipal("matcher", "219", matcher_key, NULL, matcher_fingerprint, sizeof matcher_fingerprint) == SAMKOER_OK,
          "the matcher's key");
    check(samkoer_match(matcher_key, publications, 1, argv[4], match_dir, NULL, &found) == SAMKOER_OK, "match");
    check(found.persons == 2 && found.candidates == 1, "match counts");
    int32_t again = samkoer_match(matcher_key, publications, 1, argv[4], match_dir, NULL, NULL);
    check(again == SAMKOER_RULE_OUTPUT_EXISTS && samkoer_result_is_input_error(again), "a match is never written over another");
    check(samkoer_match(matcher_key, NULL, 1, argv[4], match_dir, NULL, NULL) == SAMKOER_ERROR_NULL_ARGUMENT, "a NULL array is an error code");

    /* The codes are the core's table: every rule of the vector has its name and its form. */
    FILE *rules = fopen(argv[6], "r");
    check(rules != NULL, "the rules vector opens");
    int code, rule_count = 0;
    char name[128], form[32];
    while (rules && fscanf(rules, "%d %127s %31s", &code, name, form) == 3) {
        const char *got = samkoer_code_name(code);
        check(got && strcmp(got, name) == 0, name);
        check(samkoer_code_remedy(code) != NULL, "every rule has a remedy");
        check(samkoer_result_is_input_error(code) == (strcmp(form, "input") == 0), "the input predicate");
        check(samkoer_result_is_format_error(code) == (strcmp(form, "format") == 0), "the format predicate");
        check(samkoer_result_is_parameter_error(code) == (strcmp(form, "parameter") == 0), "the parameter predicate");
        rule_count++;
    }
    if (rules) fclose(rules);
    check(rule_count > 70, "the rules vector was read");
    check(SAMKOER_RULE_CPR_DATE == 103 && SAMKOER_IO == 1 && SAMKOER_RULE_PUBLICATION_DIGEST == 406, "the enum holds the codes");
    check(samkoer_result_is_io_error(1) && samkoer_result_is_open_failed(2) && samkoer_result_is_argument_error(-1), "the other predicates");
    check(samkoer_code_name(0) == NULL && samkoer_code_name(-3) == NULL && samkoer_code_name(9999) == NULL, "no name for what is no error");
    check(strcmp(samkoer_code_name(2), "open-failed") == 0, "the classes have names");

    samkoer_run_key_free(run_key);
    samkoer_sealing_key_free(sealing_key);
    samkoer_run_key_free(NULL);
    samkoer_sealing_key_free(NULL);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
