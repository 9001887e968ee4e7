/*
 * fuzz_frr_running.c - reading back "show running-config" (frr_conf_parse_owned), and the
 * delta computed from what it read, as bgpd's output is another process's bytes.
 *
 * The input is split at the first "\n===\n": the part before is the running
 * configuration, the part after a second one used as the claims and as the target.
 * Invariants: a refusal is -EBADMSG; whatever is read owns only lines it may own; the
 * delta from a configuration to itself is empty; writing a configuration out and reading
 * it back gives the same owned lines.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frr_conf.h"
#include "fuzz.h"

#define SEPARATOR "\n===\n"

static void read_owned(const char *buf, size_t len, const struct frr_conf *claims,
		       struct frr_conf *out)
{
	const struct frr_conf *const c[1] = { claims };
	int r = frr_conf_parse_owned(buf, len, FRR_BGPD, c, claims ? 1 : 0, out);

	if (r != 0 && r != -EBADMSG)
		abort();
}

static void check_self_delta(const struct frr_conf *conf)
{
	struct frr_batch batch;

	frr_batch_init(&batch);
	if (frr_delta(conf, conf, FRR_BGPD, &batch) != 0 || batch.n != 0)
		abort();
	frr_batch_clear(&batch);
}

static void check_rewrite(const struct frr_conf *conf)
{
	const struct frr_conf *const c[1] = { conf };
	const struct frr_entry *missing, *extra;
	struct frr_conf again;
	char *text = frr_conf_to_string(conf);

	if (text == NULL)
		abort();
	frr_conf_init(&again);
	if (frr_conf_parse_owned(text, strlen(text), FRR_BGPD, c, 1, &again) != 0)
		abort();
	if (!frr_conf_same(&again, conf, FRR_BGPD, &missing, &extra))
		abort();
	frr_conf_clear(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *sep = memmem(buf, size, SEPARATOR, 5);
	size_t first = sep != NULL ? (size_t)(sep - buf) : size;
	struct frr_conf a, b;
	struct frr_batch batch;

	frr_conf_init(&a);
	frr_conf_init(&b);
	if (sep != NULL)
		read_owned(sep + 5, size - first - 5, NULL, &b);
	read_owned(buf, first, &b, &a);
	check_self_delta(&a);
	check_rewrite(&a);
	frr_batch_init(&batch);
	if (frr_delta(&a, &b, FRR_BGPD, &batch) != 0)
		abort();
	frr_batch_clear(&batch);
	frr_conf_clear(&a);
	frr_conf_clear(&b);
	return 0;
}
