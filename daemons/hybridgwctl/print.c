/*
 * print.c - render a status for people or for scripts.
 *
 * The JSON keys are the protocol's keys, so that scripts written now keep working when the
 * data comes from NETCONF instead.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>

#include "print.h"
#include "util.h"

/* "3d 04h 05m 06s", "1h 02m 03s", "2m 03s", "5s" */
static void format_duration(char *buf, size_t size, uint64_t s)
{
	unsigned long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;

	if (d > 0)
		snprintf(buf, size, "%llud %02lluh %02llum %02llus", d, h, m, sec);
	else if (h > 0)
		snprintf(buf, size, "%lluh %02llum %02llus", h, m, sec);
	else if (m > 0)
		snprintf(buf, size, "%llum %02llus", m, sec);
	else
		snprintf(buf, size, "%llus", sec);
}

void print_status_text(FILE *out, const struct hgw_status *st)
{
	char uptime[64];

	format_duration(uptime, sizeof(uptime), st->uptime_s);
	fprintf(out, "state:       %s\n", hgw_run_state_name(st->state));
	fprintf(out, "version:     %s\n", st->version);
	fprintf(out, "pid:         %ld\n", (long)st->pid);
	fprintf(out, "uptime:      %s\n", uptime);
	fprintf(out, "reloads:     %llu\n", (unsigned long long)st->reloads);
	fprintf(out, "config dir:  %s\n", st->config_dir);
	fprintf(out, "state dir:   %s\n", st->state_dir);
}

int print_status_json(FILE *out, const struct hgw_status *st)
{
	const struct {
		const char *key;
		struct json_object *value;
	} fields[] = {
		{ "version", json_object_new_string(st->version) },
		{ "pid", json_object_new_int(st->pid) },
		{ "uptime_s", json_object_new_uint64(st->uptime_s) },
		{ "config_dir", json_object_new_string(st->config_dir) },
		{ "state_dir", json_object_new_string(st->state_dir) },
		{ "reloads", json_object_new_uint64(st->reloads) },
		{ "state", json_object_new_string(hgw_run_state_name(st->state)) },
	};
	struct json_object *obj = json_object_new_object();
	const char *text = NULL;
	int r = obj == NULL ? -ENOMEM : 0;
	size_t i;

	/* Every value is either added (then obj owns it) or released here. */
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (r == 0 && fields[i].value != NULL &&
		    json_object_object_add(obj, fields[i].key, fields[i].value) == 0)
			continue;
		json_object_put(fields[i].value);
		r = -ENOMEM;
	}
	if (r == 0)
		text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text != NULL)
		fprintf(out, "%s\n", text);
	else
		r = -ENOMEM;
	json_object_put(obj);
	return r;
}
