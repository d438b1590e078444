/* Publishes one export through the C ABI: publish_c RUN_KEY SEALING_KEY EXPORT RELATIONS|- REFERENCE_DATE OUT */
#include <stdio.h>
#include <string.h>

#include "samkoer.h"

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s RUN_KEY SEALING_KEY EXPORT RELATIONS|- REFERENCE_DATE OUT\n", argv[0]);
        return 2;
    }
    samkoer_run_key *run_key = NULL;
    samkoer_sealing_key *sealing_key = NULL;
    samkoer_publish_counts counts = {0};
    int32_t result = samkoer_run_key_read(argv[1], &run_key);
    if (result == SAMKOER_OK) result = samkoer_sealing_key_read(argv[2], &sealing_key);
    if (result == SAMKOER_OK) {
        const char *relations = strcmp(argv[4], "-") == 0 ? NULL : argv[4];
        result = samkoer_publish(run_key, sealing_key, argv[3], relations, argv[5], argv[6], &counts);
    }
    samkoer_run_key_free(run_key);
    samkoer_sealing_key_free(sealing_key);
    if (result != SAMKOER_OK) {
        char message[512];
        samkoer_last_error(message, sizeof message);
        fprintf(stderr, "error %d: %s\n", result, message);
        return 1;
    }
    printf("published %llu of %llu rows through C\n", (unsigned long long)counts.published, (unsigned long long)counts.rows);
    return 0;
}
