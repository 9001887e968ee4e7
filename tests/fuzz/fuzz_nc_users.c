/*
 * fuzz_nc_users.c - the NETCONF users file (lib/nc/nc_acm.h): whatever root writes there,
 * by mistake or not, the parser must neither crash nor read past the text, and its answer
 * must be one of the three it documents.
 *
 * Input: the file's text (cut at the first NUL, as a file read into a string would be).
 * The user looked up is "alice", then the first word of the input.
 *
 * Invariants: 0 with a role of the enum, or -EINVAL with the number of an existing line;
 * a text that is valid for one user is valid for any.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nc/nc_acm.h"

static unsigned count_lines(const char *text)
{
	unsigned n = 1;

	for (; *text != '\0'; text++)
		if (*text == '\n')
			n++;
	return n;
}

static int check(const char *text, const char *user)
{
	enum hgw_nc_role role = HGW_NC_ROLE_NONE;
	unsigned line = 0;
	int r = hgw_nc_users_find(text, user, &role, &line);

	if (r == 0 && hgw_nc_role_name(role) == NULL)
		abort();
	if (r == -EINVAL && (line == 0 || line > count_lines(text)))
		abort();
	if (r != 0 && r != -EINVAL)
		abort();
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), user[64];
	size_t n;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = strcspn(text, " \t\r\n#");
	snprintf(user, sizeof(user), "%.*s", (int)(n < sizeof(user) ? n : sizeof(user) - 1), text);
	if (check(text, "alice") != check(text, user))
		abort();
	free(text);
	return 0;
}
