/*
 * cfgpath.c - config PATHs as libyang paths (cfgpath.h).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cfgpath.h"

#define TOP CTL_CONFIG_TOP

/* Append n bytes of s to out (of size), at *len; false when it does not fit. */
static bool append(char *out, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + n >= size)
		return false;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return true;
}

/* "[name=azure]" -> "[name='azure']"; *in points past the predicate on success. */
static int predicate(const char **in, char *out, size_t size, size_t *len)
{
	const char *p = *in + 1, *end = strchr(p, ']'), *eq;
	char quote;

	if (end == NULL)
		return -EINVAL;
	eq = memchr(p, '=', (size_t)(end - p));
	if (eq == NULL || eq == p)
		return -EINVAL;
	if (eq[1] == '\'' || eq[1] == '"') { /* quoted already: find its closing quote */
		const char *close = strchr(eq + 2, eq[1]);

		if (close == NULL || close[1] != ']')
			return -EINVAL;
		end = close + 1;
		if (!append(out, size, len, *in, (size_t)(end - *in) + 1))
			return -ENAMETOOLONG;
		*in = end + 1;
		return 0;
	}
	quote = memchr(eq + 1, '\'', (size_t)(end - eq - 1)) != NULL ? '"' : '\'';
	if (quote == '"' && memchr(eq + 1, '"', (size_t)(end - eq - 1)) != NULL)
		return -EINVAL;
	if (!append(out, size, len, *in, (size_t)(eq - *in) + 1) ||
	    !append(out, size, len, &quote, 1) ||
	    !append(out, size, len, eq + 1, (size_t)(end - eq - 1)) ||
	    !append(out, size, len, &quote, 1) || !append(out, size, len, "]", 1))
		return -ENAMETOOLONG;
	*in = end + 1;
	return 0;
}

int ctl_config_path(const char *in, char *out, size_t size)
{
	size_t len = 0;
	int r;

	if (size == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	if (in[0] != '/')
		return -EINVAL;
	/* "/hybridgw/..." and "/hybridgw:hybridgw/..." name the same as "/..." */
	if (!strncmp(in, TOP, strlen(TOP)) && (in[strlen(TOP)] == '/' || !in[strlen(TOP)]))
		in += strlen(TOP);
	else if (!strncmp(in, "/hybridgw", 9) && (in[9] == '/' || in[9] == '\0'))
		in += 9;
	if (!append(out, size, &len, TOP, strlen(TOP)))
		return -ENAMETOOLONG;
	if (!strcmp(in, "/"))
		in++;
	while (*in != '\0') {
		if (*in == '[') {
			if ((r = predicate(&in, out, size, &len)) < 0)
				return r;
			continue;
		}
		if (*in == ']' || (in[0] == '/' && (in[1] == '/' || in[1] == '\0')))
			return -EINVAL;
		if (!append(out, size, &len, in, 1))
			return -ENAMETOOLONG;
		in++;
	}
	return 0;
}

const char *ctl_config_user_path(const char *p)
{
	size_t n = strlen(TOP);

	return !strncmp(p, TOP, n) && p[n] != '\0' ? p + n : p;
}
