/* What the example programs share: stop with the library's message and code on an error. */
#ifndef SAMKOER_EXAMPLE_H
#define SAMKOER_EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samkoer.h"

/* Prints what went wrong — the message names file, line or record and rule, never a value —
 * and what to do about it; returns the exit status. */
static inline int failed(const char *step, int32_t result) {
    char message[1024];
    samkoer_last_error(message, sizeof message);
    const char *name = samkoer_code_name(result);
    const char *remedy = samkoer_code_remedy(result);
    const char *form = samkoer_result_is_input_error(result) ? "input"
                       : samkoer_result_is_format_error(result) ? "format"
                       : samkoer_result_is_parameter_error(result) ? "parameter" : "other";
    fprintf(stderr, "%s failed: error %d (%s, %s): %s\n", step, result, name ? name : "-", form, message);
    if (remedy) fprintf(stderr, "  what to do: %s\n", remedy);
    return 1;
}

/* The CPR number in a person file's first line: a CPR number is read from a file, never taken
 * from the command line (where the process list and the shell's history would show it). Returns
 * 0, or 1 having said why. */
static inline int read_person(const char *path, char *cpr, size_t size) {
    FILE *file = fopen(path, "r");
    if (file == NULL || fgets(cpr, (int)size, file) == NULL) {
        fprintf(stderr, "cannot read the person file %s\n", path);
        if (file != NULL) fclose(file);
        return 1;
    }
    fclose(file);
    cpr[strcspn(cpr, "\r\n")] = '\0';
    return 0;
}

/* An optional argument: "-" for none. */
static inline const char *optional(const char *arg) { return strcmp(arg, "-") == 0 ? NULL : arg; }

#endif
