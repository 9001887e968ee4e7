/*
 * fuzz_vici_sa.c - the typed readers (list-sa, list-conn, the four tunnel events) over
 * any valid message.  The first input byte picks the reader, the rest is the message.
 *
 * Invariants: a reader returns 0 or -EBADMSG (no -ENOMEM at these sizes); on success every
 * string is NUL-terminated within its field and child counts match the arrays.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vici/vici_sa.h"

static void terminated(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

static void check_child(const struct vici_child_sa *c)
{
	terminated(c->name, sizeof(c->name));
	terminated(c->state, sizeof(c->state));
	terminated(c->local_ts, sizeof(c->local_ts));
	terminated(c->remote_ts, sizeof(c->remote_ts));
}

static void check_ike(const struct vici_ike_sa *sa)
{
	size_t i;

	terminated(sa->name, sizeof(sa->name));
	terminated(sa->remote_id, sizeof(sa->remote_id));
	if ((sa->children == NULL) != (sa->n_children == 0))
		abort();
	for (i = 0; i < sa->n_children; i++)
		check_child(&sa->children[i]);
}

static const char *const events[] = { "ike-updown", "ike-rekey", "child-updown", "child-rekey" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vici_conn_info conn;
	struct vici_event ev;
	struct vici_ike_sa sa;
	struct vici_msg *m;
	unsigned pick;
	size_t i;
	int r;

	if (size < 1)
		return 0;
	pick = data[0] % 6;
	if (vici_msg_parse(data + 1, size - 1, &m) != 0)
		return 0;
	if (pick == 0) {
		r = vici_parse_list_sa(vici_msg_root(m), &sa);
		if (r == 0) {
			check_ike(&sa);
			vici_ike_sa_clear(&sa);
		}
	} else if (pick == 1) {
		r = vici_parse_list_conn(vici_msg_root(m), &conn);
		if (r == 0) {
			terminated(conn.local_addrs, sizeof(conn.local_addrs));
			for (i = 0; i < conn.n_children; i++)
				terminated(conn.children[i].remote_ts,
					   sizeof(conn.children[i].remote_ts));
			vici_conn_info_clear(&conn);
		}
	} else {
		r = vici_parse_event(events[pick - 2], vici_msg_root(m), &ev);
		if (r == 0) {
			if (ev.kind != (enum vici_event_kind)(pick - 2))
				abort();
			check_ike(&ev.ike);
			check_ike(&ev.ike_new);
			check_child(&ev.child);
			check_child(&ev.child_new);
			vici_event_clear(&ev);
		}
	}
	if (r != 0 && r != -EBADMSG)
		abort();
	vici_msg_free(m);
	return 0;
}
