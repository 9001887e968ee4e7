/*
 * ctl_proto.c - encoder and parser of the interim control protocol (see ctl_proto.h).
 *
 * The status fields are described once, in status_fields[]: the encoder writes them in
 * that order and the parser looks keys up there, so a new field is one table line.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctl_proto.h"
#include "util.h"

static const char *const request_names[] = {
	[HGW_CTL_STATUS] = "status",
};

static const char *const run_state_names[] = {
	[HGW_STATE_STARTING] = "starting",
	[HGW_STATE_RUNNING] = "running",
	[HGW_STATE_STOPPING] = "stopping",
};

enum field_type {
	FIELD_STRING, /* const char *, non-empty */
	FIELD_PID,    /* pid_t, > 0 */
	FIELD_U64,    /* uint64_t */
	FIELD_STATE,  /* enum hgw_run_state */
};

struct status_field {
	const char *key;
	enum field_type type;
	size_t offset; /* of the member in struct hgw_status */
};

static const struct status_field status_fields[] = {
	{ "version", FIELD_STRING, offsetof(struct hgw_status, version) },
	{ "pid", FIELD_PID, offsetof(struct hgw_status, pid) },
	{ "uptime_s", FIELD_U64, offsetof(struct hgw_status, uptime_s) },
	{ "config_dir", FIELD_STRING, offsetof(struct hgw_status, config_dir) },
	{ "state_dir", FIELD_STRING, offsetof(struct hgw_status, state_dir) },
	{ "reloads", FIELD_U64, offsetof(struct hgw_status, reloads) },
	{ "state", FIELD_STATE, offsetof(struct hgw_status, state) },
};

#define ERROR_KEY "error"

const char *hgw_run_state_name(enum hgw_run_state state)
{
	if ((unsigned)state >= ARRAY_SIZE(run_state_names))
		return NULL;
	return run_state_names[state];
}

static bool is_ctl(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* A value must be non-empty and may hold anything but control characters. */
static bool value_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (is_ctl(*s))
			return false;
	}
	return true;
}

int hgw_ctl_socket_path(char *buf, size_t size, const char *state_dir)
{
	size_t n = strlen(state_dir);
	int r;

	while (n > 1 && state_dir[n - 1] == '/')
		n--;
	if (n == 0)
		return -EINVAL;
	if (n == 1 && state_dir[0] == '/')
		n = 0;
	if (n > INT_MAX)
		return -ENAMETOOLONG;
	r = snprintf(buf, size, "%.*s/%s", (int)n, state_dir, HGW_CTL_SOCKET_NAME);
	if (r < 0 || (size_t)r >= size || (size_t)r >= HGW_CTL_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int hgw_ctl_sockaddr(struct sockaddr_un *sa, const char *path)
{
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n + 1);
	return (int)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

/* Output with snprintf semantics: everything is counted, what fits is stored. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_add(struct out *o, const char *s, size_t n)
{
	size_t room;

	if (o->len < o->size) {
		room = o->size - o->len - 1; /* keep one byte for the NUL */
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

static void out_u64(struct out *o, uint64_t v)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);

	out_add(o, digits, (size_t)n);
}

static ssize_t out_finish(struct out *o)
{
	if (o->size > 0)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
	return (ssize_t)o->len;
}

ssize_t hgw_ctl_request_encode(char *buf, size_t size, enum hgw_ctl_cmd cmd)
{
	struct out o = { buf, size, 0 };

	if ((unsigned)cmd >= ARRAY_SIZE(request_names))
		return -EINVAL;
	out_str(&o, request_names[cmd]);
	out_str(&o, "\n");
	return out_finish(&o);
}

static int encode_value(struct out *o, const struct hgw_status *st, const struct status_field *f)
{
	const void *p = (const char *)st + f->offset;
	const char *s = NULL;
	pid_t pid;

	switch (f->type) {
	case FIELD_STRING:
		s = *(const char *const *)p;
		break;
	case FIELD_PID:
		pid = *(const pid_t *)p;
		if (pid <= 0)
			return -EINVAL;
		out_u64(o, (uint64_t)pid);
		return 0;
	case FIELD_U64:
		out_u64(o, *(const uint64_t *)p);
		return 0;
	case FIELD_STATE:
		s = hgw_run_state_name(*(const enum hgw_run_state *)p);
		break;
	}
	if (!value_ok(s))
		return -EINVAL;
	out_str(o, s);
	return 0;
}

ssize_t hgw_ctl_status_encode(char *buf, size_t size, const struct hgw_status *status)
{
	struct out o = { buf, size, 0 };
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(status_fields); i++) {
		out_str(&o, status_fields[i].key);
		out_str(&o, "=");
		r = encode_value(&o, status, &status_fields[i]);
		if (r < 0)
			return r;
		out_str(&o, "\n");
	}
	out_str(&o, "\n");
	return out_finish(&o);
}

ssize_t hgw_ctl_error_encode(char *buf, size_t size, const char *message)
{
	struct out o = { buf, size, 0 };

	if (!value_ok(message))
		return -EINVAL;
	out_str(&o, ERROR_KEY "=");
	out_str(&o, message);
	out_str(&o, "\n\n");
	return out_finish(&o);
}

static int fail(const char **why, int err, const char *text)
{
	*why = text;
	return err;
}

int hgw_ctl_request_parse(const char *buf, size_t len, enum hgw_ctl_cmd *cmd, const char **why)
{
	size_t n, i;

	for (n = 0; n < len && buf[n] != '\n'; n++) {
		if (is_ctl(buf[n]))
			return fail(why, -EBADMSG, "control character or NUL byte in request");
	}
	if (n == len && len < HGW_CTL_REQUEST_MAX)
		return -EAGAIN;
	if (n + 1 > HGW_CTL_REQUEST_MAX)
		return fail(why, -EMSGSIZE, "request line too long");
	if (n + 1 != len)
		return fail(why, -EBADMSG,
			    "data after the request line (one request per connection)");
	if (n == 0)
		return fail(why, -EBADMSG, "empty request line");
	for (i = 0; i < ARRAY_SIZE(request_names); i++) {
		if (strlen(request_names[i]) == n && memcmp(request_names[i], buf, n) == 0) {
			*cmd = (enum hgw_ctl_cmd)i;
			return 0;
		}
	}
	return fail(why, -EOPNOTSUPP, "unknown request (this daemon answers only \"status\")");
}

/* Strict unsigned decimal: digits only, no sign, no blanks, no overflow. */
static bool parse_u64(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	unsigned digit;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		digit = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*ret = v;
	return true;
}

static bool parse_state(const char *s, enum hgw_run_state *ret)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(run_state_names); i++) {
		if (strcmp(run_state_names[i], s) == 0) {
			*ret = (enum hgw_run_state)i;
			return true;
		}
	}
	return false;
}

/* Store value into the member f describes; returns why it cannot, or NULL. */
static const char *decode_value(struct hgw_status *st, const struct status_field *f,
				const char *value)
{
	void *p = (char *)st + f->offset;
	uint64_t v;

	switch (f->type) {
	case FIELD_STRING:
		if (*value == '\0')
			return "empty value in status reply";
		*(const char **)p = value;
		return NULL;
	case FIELD_PID:
		if (!parse_u64(value, &v) || v == 0 || v > INT_MAX)
			return "invalid pid in status reply";
		*(pid_t *)p = (pid_t)v;
		return NULL;
	case FIELD_U64:
		if (!parse_u64(value, &v))
			return "invalid number in status reply";
		*(uint64_t *)p = v;
		return NULL;
	case FIELD_STATE:
		if (!parse_state(value, p))
			return "unknown daemon state in status reply";
		return NULL;
	}
	return "internal error: unknown field type";
}

/* Split "key=value" in place, checking the character sets of both. */
static const char *split_line(char *line, size_t n, char **key, char **value)
{
	char *eq = memchr(line, '=', n);
	char *c;

	if (eq == NULL || eq == line)
		return "malformed line in reply (expected key=value)";
	for (c = line; c < eq; c++) {
		if (!is_key_char(*c))
			return "malformed key in reply";
	}
	for (c = eq + 1; c < line + n; c++) {
		if (is_ctl(*c))
			return "control character or NUL byte in reply";
	}
	*eq = '\0';
	line[n] = '\0';
	*key = line;
	*value = eq + 1;
	return NULL;
}

struct reply_parser {
	struct hgw_ctl_reply *reply;
	unsigned lines;
	uint32_t seen; /* bit i: status_fields[i] was present */
};

static const char *parse_field(struct reply_parser *p, const char *key, const char *value)
{
	size_t i;

	if (p->reply->error != NULL)
		return "error reply with more than one line";
	if (strcmp(key, ERROR_KEY) == 0) {
		if (p->lines > 1)
			return "error line inside a status reply";
		if (*value == '\0')
			return "empty error message in reply";
		p->reply->error = value;
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(status_fields); i++) {
		if (strcmp(key, status_fields[i].key) != 0)
			continue;
		if (p->seen & (UINT32_C(1) << i))
			return "duplicate field in status reply";
		p->seen |= UINT32_C(1) << i;
		return decode_value(&p->reply->status, &status_fields[i], value);
	}
	return NULL; /* a field from a newer daemon */
}

int hgw_ctl_reply_parse(char *buf, size_t len, struct hgw_ctl_reply *reply, const char **why)
{
	const uint32_t all = (UINT32_C(1) << ARRAY_SIZE(status_fields)) - 1;
	struct reply_parser p = { .reply = reply };
	char *line = buf, *end = buf + len, *nl, *key, *value;
	const char *err;

	memset(reply, 0, sizeof(*reply));
	for (;;) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			return fail(why, -EBADMSG, "reply truncated (no empty line at its end)");
		if (nl == line)
			break;
		p.lines++;
		err = split_line(line, (size_t)(nl - line), &key, &value);
		if (err == NULL)
			err = parse_field(&p, key, value);
		if (err != NULL)
			return fail(why, -EBADMSG, err);
		line = nl + 1;
	}
	if (nl + 1 != end)
		return fail(why, -EBADMSG, "data after the end of the reply");
	if (reply->error == NULL && p.seen != all)
		return fail(why, -EBADMSG, "status reply lacks a required field");
	return 0;
}
