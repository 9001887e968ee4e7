/*
 * print.h - hybridgwctl's renderings of the daemon's status: aligned text for people,
 * JSON (json-c) for scripts.
 */
#ifndef HGWCTL_PRINT_H
#define HGWCTL_PRINT_H

#include <stdio.h>

#include "ctl_proto.h"

void print_status_text(FILE *out, const struct hgw_status *status);

/* Returns 0 or -ENOMEM. */
int print_status_json(FILE *out, const struct hgw_status *status);

#endif
