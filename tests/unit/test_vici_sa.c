/*
 * test_vici_sa.c - typed VICI messages: the requests we send (checked as the text
 * vici_dump renders them, which is byte-faithful), and the listings and events charon
 * sends (built here the way charon 5.9.8 lays them out) read into structs.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "vici/vici_sa.h"

/* Render a request frame as "name: message". */
static void dump_frame(uint8_t *frame, size_t len, char *text, size_t size)
{
	struct vici_packet p;
	size_t n;

	assert_int_equal(vici_packet_decode(frame + VICI_HEADER_LEN, len - VICI_HEADER_LEN, &p), 0);
	assert_int_equal(p.type, VICI_CMD_REQUEST);
	n = (size_t)snprintf(text, size, "%s: ", p.name);
	vici_dump(p.msg, p.msg_len, text + n, size - n);
	vici_frame_free(frame, len);
}

static const struct vici_conn_cfg azure0 = {
	.name = "azure0",
	.child = "azure0",
	.version = 2,
	.local_addrs = "198.18.1.1",
	.remote_addrs = "198.51.100.10",
	.local_id = "198.18.1.1",
	.remote_id = "198.51.100.10",
	.ike_proposals = "aes256gcm16-prfsha384-ecp384",
	.esp_proposals = "aes256gcm16-ecp384",
	.rekey_time = VICI_OPT(28800),
	.over_time = VICI_OPT(600),
	.dpd_delay = VICI_OPT(10),
	.keyingtries = VICI_OPT(0),
	.unique = "replace",
	.child_rekey_time = VICI_OPT(3300),
	.child_life_time = VICI_OPT(3600),
	.start_action = "start",
	.close_action = "start",
	.dpd_action = "restart",
	.if_id_in = 41,
	.if_id_out = 41,
};

static void test_load_conn(void **state)
{
	struct vici_conn_cfg cfg = azure0;
	char text[2048];
	uint8_t *frame;
	size_t len;

	(void)state;
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), 0);
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(
		text, "load-conn: azure0 { version=2 local_addrs [ 198.18.1.1 ] remote_addrs [ "
		      "198.51.100.10 ] proposals [ aes256gcm16-prfsha384-ecp384 ] rekey_time=28800 "
		      "over_time=600 dpd_delay=10 keyingtries=0 unique=replace mobike=no local { "
		      "auth=psk id=198.18.1.1 } remote { auth=psk id=198.51.100.10 } children { "
		      "azure0 { local_ts [ 0.0.0.0/0 ] remote_ts [ 0.0.0.0/0 ] esp_proposals [ "
		      "aes256gcm16-ecp384 ] mode=tunnel rekey_time=3300 life_time=3600 "
		      "start_action=start close_action=start dpd_action=restart if_id_in=41 "
		      "if_id_out=41 } } }");

	/* VTI flavour, IKEv1 */
	cfg = (struct vici_conn_cfg){ .name = "aws1",
				      .child = "c",
				      .version = 1,
				      .local_addrs = "198.18.1.1",
				      .remote_addrs = "203.0.113.5",
				      .dpd_timeout = VICI_OPT(30),
				      .mark_in = 7,
				      .mark_out = 7 };
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), 0);
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text, "load-conn: aws1 { version=1 local_addrs [ 198.18.1.1 ] "
				  "remote_addrs [ 203.0.113.5 ] dpd_timeout=30 "
				  "mobike=no local { auth=psk } remote { auth=psk } children { c { "
				  "local_ts [ 0.0.0.0/0 ] remote_ts [ 0.0.0.0/0 ] mode=tunnel "
				  "mark_in=7 mark_out=7 } } }");
}

/* KEY_VALUE, name length, name, value length 1, "0"; name_len is split off the name. */
#define KV0(name_len, name)             \
	"\x03" name_len name "\x00\x01" \
	"0"
#define BYTES(s)                   \
	{                          \
		(s), sizeof(s) - 1 \
	}

struct bytes {
	const char *b;
	size_t len;
};

/* Zero is a value of its own for these: sent when set, left to charon when not. */
static void test_load_conn_zero(void **state)
{
	static const struct bytes ike_zero[] = {
		BYTES(KV0("\x0a", "rekey_time")),  BYTES(KV0("\x0b", "reauth_time")),
		BYTES(KV0("\x09", "over_time")),   BYTES(KV0("\x09", "rand_time")),
		BYTES(KV0("\x09", "dpd_delay")),   BYTES(KV0("\x0b", "dpd_timeout")),
		BYTES(KV0("\x0b", "keyingtries")),
	};
	static const char *const keys[] = {
		"rekey_time", "reauth_time", "over_time",   "rand_time",
		"dpd_delay",  "dpd_timeout", "keyingtries", "life_time"
	};
	/* the CHILD's, in the order sent, then the ends of child, children and the conn */
	static const char child_zero[] = "\x03\x04"
					 "mode\x00\x06"
					 "tunnel" KV0("\x0a", "rekey_time") KV0("\x09", "life_time")
						 KV0("\x09", "rand_time") "\x02\x02\x02";
	static const char max[] = "\x03\x09"
				  "rand_time\x00\x0a"
				  "4294967295";
	struct vici_conn_cfg cfg = {
		.name = "z",
		.child = "z",
		.local_addrs = "198.18.1.1",
		.remote_addrs = "203.0.113.5",
		.rekey_time = VICI_OPT(0),
		.reauth_time = VICI_OPT(0),
		.over_time = VICI_OPT(0),
		.rand_time = VICI_OPT(0),
		.dpd_delay = VICI_OPT(0),
		.dpd_timeout = VICI_OPT(0),
		.keyingtries = VICI_OPT(0),
		.child_rekey_time = VICI_OPT(0),
		.child_life_time = VICI_OPT(0),
		.child_rand_time = VICI_OPT(0),
	};
	char text[1024];
	uint8_t *frame;
	size_t len, i;

	(void)state;
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), 0);
	for (i = 0; i < ARRAY_SIZE(ike_zero); i++)
		assert_non_null(memmem(frame, len, ike_zero[i].b, ike_zero[i].len));
	/* the frame ends with the CHILD's zeros and three section ends (child, children, conn) */
	assert_true(len > sizeof(child_zero) - 1);
	assert_memory_equal(frame + len - (sizeof(child_zero) - 1), child_zero,
			    sizeof(child_zero) - 1);
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text,
			    "load-conn: z { version=0 local_addrs [ 198.18.1.1 ] remote_addrs "
			    "[ 203.0.113.5 ] rekey_time=0 reauth_time=0 over_time=0 "
			    "rand_time=0 dpd_delay=0 dpd_timeout=0 keyingtries=0 mobike=no "
			    "local { auth=psk } remote { auth=psk } children { z { local_ts [ "
			    "0.0.0.0/0 ] remote_ts [ 0.0.0.0/0 ] mode=tunnel rekey_time=0 "
			    "life_time=0 rand_time=0 } } }");

	/* unset: none of them on the wire, charon's defaults apply */
	cfg = (struct vici_conn_cfg){ .name = "z",
				      .child = "z",
				      .local_addrs = "198.18.1.1",
				      .remote_addrs = "203.0.113.5" };
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), 0);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		assert_null(memmem(frame, len, keys[i], strlen(keys[i])));
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text,
			    "load-conn: z { version=0 local_addrs [ 198.18.1.1 ] remote_addrs "
			    "[ 203.0.113.5 ] mobike=no local { auth=psk } remote { auth=psk } "
			    "children { z { local_ts [ 0.0.0.0/0 ] remote_ts [ 0.0.0.0/0 ] "
			    "mode=tunnel } } }");

	/* a value of UINT32_MAX is a value too, not a sentinel */
	cfg.rand_time = VICI_OPT(UINT32_MAX);
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), 0);
	assert_non_null(memmem(frame, len, max, sizeof(max) - 1));
	vici_frame_free(frame, len);
}

#undef KV0

static void test_load_conn_refuses(void **state)
{
	struct vici_conn_cfg cfg;
	uint8_t *frame = NULL;
	size_t len;

	(void)state;
	cfg = azure0;
	cfg.mark_in = 5; /* both if_id and mark */
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), -EINVAL);
	cfg = azure0;
	cfg.version = 3;
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), -EINVAL);
	cfg = azure0;
	cfg.child = NULL;
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), -EINVAL);
	cfg = azure0;
	cfg.remote_addrs = NULL;
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), -EINVAL);
	cfg = azure0;
	cfg.name = "";
	assert_int_equal(vici_req_load_conn(&cfg, &frame, &len), -EINVAL);
	assert_null(frame);
}

static void test_other_requests(void **state)
{
	struct vici_shared psk = { .id = "azure0", .secret = "n0t-in-logs", .owners = "a, b" };
	char text[512];
	uint8_t *frame;
	size_t len;

	(void)state;
	assert_int_equal(vici_req_load_shared(&psk, &frame, &len), 0);
	/* the secret is in the frame, and only there */
	assert_non_null(memmem(frame, len, "n0t-in-logs", 11));
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text, "load-shared: id=azure0 type=IKE data=<redacted> owners [ a b ]");
	assert_null(strstr(text, "n0t"));
	psk.secret = "";
	assert_int_equal(vici_req_load_shared(&psk, &frame, &len), -EINVAL);

	assert_int_equal(vici_req_unload_shared("azure0", &frame, &len), 0);
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text, "unload-shared: id=azure0");
	assert_int_equal(vici_req_unload_conn("azure0", &frame, &len), 0);
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text, "unload-conn: name=azure0");
	assert_int_equal(vici_req_unload_conn("", &frame, &len), -EINVAL);
	assert_int_equal(vici_req_initiate("azure0", "c0", -1, &frame, &len), 0);
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text, "initiate: child=c0 ike=azure0 timeout=-1 loglevel=-1");
	assert_int_equal(vici_req_terminate("azure0", NULL, 0, -1, &frame, &len), 0);
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text, "terminate: ike=azure0 timeout=-1 loglevel=-1");
	assert_int_equal(vici_req_terminate(NULL, NULL, 0, -1, &frame, &len), -EINVAL);
	assert_int_equal(vici_req_list_sas(NULL, &frame, &len), 0);
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text, "list-sas: noblock=yes");
	assert_int_equal(vici_req_list_conns("x", &frame, &len), 0);
	dump_frame(frame, len, text, sizeof(text));
	assert_string_equal(text, "list-conns: ike=x");
}

static struct vici_msg *finish_msg(struct vici_builder *b, uint8_t **frame)
{
	struct vici_packet p;
	struct vici_msg *m = NULL;
	size_t len;

	assert_int_equal(vici_builder_finish(b, frame, &len), 0);
	assert_int_equal(vici_packet_decode(*frame + 4, len - 4, &p), 0);
	assert_int_equal(vici_msg_parse(p.msg, p.msg_len, &m), 0);
	return m;
}

static void add_ike(struct vici_builder *b)
{
	vici_add_str(b, "uniqueid", "3");
	vici_add_str(b, "version", "2");
	vici_add_str(b, "state", "ESTABLISHED");
	vici_add_str(b, "local-host", "198.18.1.1");
	vici_add_str(b, "local-port", "500");
	vici_add_str(b, "local-id", "198.18.1.1");
	vici_add_str(b, "remote-host", "198.51.100.10");
	vici_add_str(b, "remote-port", "4500");
	vici_add_str(b, "remote-id", "198.51.100.10");
	vici_add_str(b, "initiator", "yes");
	vici_add_str(b, "initiator-spi", "8f1e2d3c4b5a6978");
	vici_add_str(b, "responder-spi", "0000000000000001");
	vici_add_str(b, "encr-alg", "AES_GCM_16");
	vici_add_str(b, "encr-keysize", "256");
	vici_add_str(b, "prf-alg", "PRF_HMAC_SHA2_384");
	vici_add_str(b, "dh-group", "ECP_384");
	vici_add_str(b, "established", "12");
	vici_add_str(b, "rekey-time", "28000");
	vici_begin_list(b, "tasks-queued");
	vici_end_list(b);
}

static void add_child(struct vici_builder *b, const char *spi_in, const char *bytes)
{
	vici_add_str(b, "name", "azure0");
	vici_add_str(b, "uniqueid", "7");
	vici_add_str(b, "reqid", "1");
	vici_add_str(b, "state", "INSTALLED");
	vici_add_str(b, "mode", "TUNNEL");
	vici_add_str(b, "protocol", "ESP");
	vici_add_str(b, "spi-in", spi_in);
	vici_add_str(b, "spi-out", "0a0b0c0d");
	vici_add_str(b, "if-id-in", "00000029");
	vici_add_str(b, "if-id-out", "00000029");
	vici_add_str(b, "encr-alg", "AES_GCM_16");
	vici_add_str(b, "encr-keysize", "256");
	vici_add_str(b, "dh-group", "ECP_384");
	vici_add_str(b, "bytes-in", bytes);
	vici_add_str(b, "packets-in", "10");
	vici_add_str(b, "bytes-out", "2000");
	vici_add_str(b, "packets-out", "20");
	vici_add_str(b, "rekey-time", "3000");
	vici_add_str(b, "life-time", "3500");
	vici_add_str(b, "install-time", "100");
	vici_begin_list(b, "local-ts");
	vici_add_item_str(b, "0.0.0.0/0");
	vici_end_list(b);
	vici_begin_list(b, "remote-ts");
	vici_add_item_str(b, "0.0.0.0/0");
	vici_end_list(b);
}

static void check_ike(const struct vici_ike_sa *sa)
{
	assert_string_equal(sa->name, "azure0");
	assert_int_equal(sa->uniqueid, 3);
	assert_int_equal(sa->version, 2);
	assert_string_equal(sa->state, "ESTABLISHED");
	assert_int_equal(sa->local_port, 500);
	assert_int_equal(sa->remote_port, 4500);
	assert_string_equal(sa->remote_id, "198.51.100.10");
	assert_true(sa->initiator);
	assert_int_equal(sa->initiator_spi, 0x8f1e2d3c4b5a6978ULL);
	assert_int_equal(sa->responder_spi, 1);
	assert_string_equal(sa->encr_alg, "AES_GCM_16");
	assert_int_equal(sa->encr_keysize, 256);
	assert_string_equal(sa->integ_alg, "");
	assert_string_equal(sa->dh_group, "ECP_384");
	assert_true(sa->established_set);
	assert_int_equal(sa->established, 12);
	assert_int_equal(sa->rekey_time, 28000);
	assert_false(sa->reauth_time_set);
}

static void check_child(const struct vici_child_sa *c, uint32_t spi_in, uint64_t bytes_in)
{
	assert_string_equal(c->name, "azure0");
	assert_int_equal(c->uniqueid, 7);
	assert_string_equal(c->state, "INSTALLED");
	assert_string_equal(c->mode, "TUNNEL");
	assert_string_equal(c->protocol, "ESP");
	assert_int_equal(c->spi_in, spi_in);
	assert_int_equal(c->spi_out, 0x0a0b0c0d);
	assert_int_equal(c->if_id_in, 41);
	assert_int_equal(c->if_id_out, 41);
	assert_int_equal(c->mark_in, 0);
	assert_int_equal(c->bytes_in, bytes_in);
	assert_int_equal(c->packets_out, 20);
	assert_int_equal(c->install_time, 100);
	assert_int_equal(c->life_time, 3500);
	assert_string_equal(c->local_ts, "0.0.0.0/0");
}

static void test_list_sa(void **state)
{
	struct vici_builder b;
	struct vici_ike_sa sa;
	struct vici_msg *m;
	uint8_t *frame;

	(void)state;
	vici_builder_init(&b, VICI_EVENT, "list-sa");
	vici_begin_section(&b, "azure0");
	add_ike(&b);
	vici_begin_section(&b, "child-sas");
	vici_begin_section(&b, "azure0-7");
	add_child(&b, "c1a2b3f4", "1000");
	vici_end_section(&b);
	vici_begin_section(&b, "azure0-8");
	add_child(&b, "c1a2b3f5", "18446744073709551615");
	vici_end_section(&b);
	vici_end_section(&b);
	vici_end_section(&b);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_parse_list_sa(vici_msg_root(m), &sa), 0);
	check_ike(&sa);
	assert_int_equal(sa.n_children, 2);
	check_child(&sa.children[0], 0xc1a2b3f4, 1000);
	check_child(&sa.children[1], 0xc1a2b3f5, UINT64_MAX);
	vici_ike_sa_clear(&sa);
	vici_msg_free(m);
	vici_frame_free(frame, 0);
}

/* A known key with a value of the wrong shape fails the whole SA. */
static void test_list_sa_rejects(void **state)
{
	static const char *const bad[][2] = {
		{ "uniqueid", "x" },	   { "uniqueid", "4294967296" },
		{ "local-port", "65536" }, { "initiator-spi", "1ffffffffffffffff" },
		{ "established", "--1" },  { "encr-keysize", "" },
	};
	struct vici_builder b;
	struct vici_ike_sa sa;
	struct vici_msg *m;
	uint8_t *frame;
	char id[VICI_ID_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		vici_builder_init(&b, VICI_EVENT, "list-sa");
		vici_begin_section(&b, "x");
		vici_add_str(&b, bad[i][0], bad[i][1]);
		vici_end_section(&b);
		m = finish_msg(&b, &frame);
		assert_int_equal(vici_parse_list_sa(vici_msg_root(m), &sa), -EBADMSG);
		vici_msg_free(m);
		vici_frame_free(frame, 0);
	}
	/* An identity one byte too long for its field: refused, not cut. */
	memset(id, 'i', VICI_ID_MAX);
	id[VICI_ID_MAX] = '\0';
	vici_builder_init(&b, VICI_EVENT, "list-sa");
	vici_begin_section(&b, "x");
	vici_add_str(&b, "remote-id", id);
	vici_end_section(&b);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_parse_list_sa(vici_msg_root(m), &sa), -EBADMSG);
	vici_msg_free(m);
	vici_frame_free(frame, 0);
	/* Two IKE sections, or none: not a list-sa. */
	vici_builder_init(&b, VICI_EVENT, "list-sa");
	vici_begin_section(&b, "x");
	vici_end_section(&b);
	vici_begin_section(&b, "y");
	vici_end_section(&b);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_parse_list_sa(vici_msg_root(m), &sa), -EBADMSG);
	vici_msg_free(m);
	vici_frame_free(frame, 0);
	/* child-sas that is a key, a child that is a list */
	vici_builder_init(&b, VICI_EVENT, "list-sa");
	vici_begin_section(&b, "x");
	vici_begin_section(&b, "child-sas");
	vici_begin_list(&b, "c");
	vici_end_list(&b);
	vici_end_section(&b);
	vici_end_section(&b);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_parse_list_sa(vici_msg_root(m), &sa), -EBADMSG);
	vici_msg_free(m);
	vici_frame_free(frame, 0);
}

static void test_events(void **state)
{
	struct vici_builder b;
	struct vici_event ev;
	struct vici_msg *m;
	uint8_t *frame;

	(void)state;
	/* child-updown, up */
	vici_builder_init(&b, VICI_EVENT, "child-updown");
	vici_add_str(&b, "up", "yes");
	vici_begin_section(&b, "azure0");
	add_ike(&b);
	vici_begin_section(&b, "child-sas");
	vici_begin_section(&b, "azure0-7");
	add_child(&b, "c1a2b3f4", "0");
	vici_end_section(&b);
	vici_end_section(&b);
	vici_end_section(&b);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_parse_event("child-updown", vici_msg_root(m), &ev), 0);
	assert_int_equal(ev.kind, VICI_EV_CHILD_UPDOWN);
	assert_true(ev.up);
	check_ike(&ev.ike);
	check_child(&ev.child, 0xc1a2b3f4, 0);
	vici_event_clear(&ev);
	/* the same message read as ike-updown; no "up" means down */
	assert_int_equal(vici_parse_event("log", vici_msg_root(m), &ev), -ENOENT);
	vici_msg_free(m);
	vici_frame_free(frame, 0);

	vici_builder_init(&b, VICI_EVENT, "ike-updown");
	vici_begin_section(&b, "azure0");
	add_ike(&b);
	vici_end_section(&b);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_parse_event("ike-updown", vici_msg_root(m), &ev), 0);
	assert_false(ev.up);
	check_ike(&ev.ike);
	vici_event_clear(&ev);
	/* child-updown without its child is malformed */
	assert_int_equal(vici_parse_event("child-updown", vici_msg_root(m), &ev), -EBADMSG);
	vici_msg_free(m);
	vici_frame_free(frame, 0);

	/* ike-rekey: old and new */
	vici_builder_init(&b, VICI_EVENT, "ike-rekey");
	vici_begin_section(&b, "azure0");
	vici_begin_section(&b, "old");
	add_ike(&b);
	vici_end_section(&b);
	vici_begin_section(&b, "new");
	vici_add_str(&b, "uniqueid", "4");
	vici_end_section(&b);
	vici_end_section(&b);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_parse_event("ike-rekey", vici_msg_root(m), &ev), 0);
	check_ike(&ev.ike);
	assert_string_equal(ev.ike_new.name, "azure0");
	assert_int_equal(ev.ike_new.uniqueid, 4);
	vici_event_clear(&ev);
	vici_msg_free(m);
	vici_frame_free(frame, 0);

	/* child-rekey: child-sas { azure0 { old {} new {} } } */
	vici_builder_init(&b, VICI_EVENT, "child-rekey");
	vici_begin_section(&b, "azure0");
	add_ike(&b);
	vici_begin_section(&b, "child-sas");
	vici_begin_section(&b, "azure0");
	vici_begin_section(&b, "old");
	add_child(&b, "00000001", "5");
	vici_end_section(&b);
	vici_begin_section(&b, "new");
	add_child(&b, "00000002", "0");
	vici_end_section(&b);
	vici_end_section(&b);
	vici_end_section(&b);
	vici_end_section(&b);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_parse_event("child-rekey", vici_msg_root(m), &ev), 0);
	assert_int_equal(ev.kind, VICI_EV_CHILD_REKEY);
	check_child(&ev.child, 1, 5);
	check_child(&ev.child_new, 2, 0);
	vici_event_clear(&ev);
	vici_msg_free(m);
	vici_frame_free(frame, 0);
}

static void test_list_conn_and_status(void **state)
{
	struct vici_conn_info c;
	struct vici_builder b;
	struct vici_msg *m;
	uint8_t *frame;
	char err[16];

	(void)state;
	vici_builder_init(&b, VICI_EVENT, "list-conn");
	vici_begin_section(&b, "azure0");
	vici_add_list_csv(&b, "local_addrs", "198.18.1.1");
	vici_add_list_csv(&b, "remote_addrs", "198.51.100.10,198.51.100.11");
	vici_add_str(&b, "version", "IKEv2");
	vici_add_str(&b, "rekey_time", "28800");
	vici_add_str(&b, "unique", "UNIQUE_REPLACE");
	vici_begin_section(&b, "local-1");
	vici_add_str(&b, "class", "pre-shared key");
	vici_add_str(&b, "id", "198.18.1.1");
	vici_end_section(&b);
	vici_begin_section(&b, "remote-1");
	vici_add_str(&b, "class", "pre-shared key");
	vici_add_str(&b, "id", "198.51.100.10");
	vici_end_section(&b);
	vici_begin_section(&b, "children");
	vici_begin_section(&b, "azure0");
	vici_add_str(&b, "mode", "TUNNEL");
	vici_add_str(&b, "rekey_time", "3300");
	vici_add_str(&b, "dpd_action", "restart");
	vici_add_list_csv(&b, "local-ts", "0.0.0.0/0");
	vici_add_list_csv(&b, "remote-ts", "0.0.0.0/0");
	vici_end_section(&b);
	vici_end_section(&b);
	vici_end_section(&b);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_parse_list_conn(vici_msg_root(m), &c), 0);
	assert_string_equal(c.name, "azure0");
	assert_string_equal(c.version, "IKEv2");
	assert_string_equal(c.remote_addrs, "198.51.100.10,198.51.100.11");
	assert_string_equal(c.local_id, "198.18.1.1");
	assert_string_equal(c.remote_id, "198.51.100.10");
	assert_string_equal(c.local_auth, "pre-shared key");
	assert_int_equal(c.rekey_time, 28800);
	assert_int_equal(c.n_children, 1);
	assert_string_equal(c.children[0].mode, "TUNNEL");
	assert_string_equal(c.children[0].dpd_action, "restart");
	assert_int_equal(c.children[0].rekey_time, 3300);
	vici_conn_info_clear(&c);
	vici_msg_free(m);
	vici_frame_free(frame, 0);

	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_add_str(&b, "success", "no");
	vici_add_str(&b, "errmsg", "unknown conn 'x'");
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_reply_status(vici_msg_root(m), err, sizeof(err)), -EREMOTEIO);
	assert_string_equal(err, "unknown conn 'x");
	vici_msg_free(m);
	vici_frame_free(frame, 0);
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	m = finish_msg(&b, &frame);
	assert_int_equal(vici_reply_status(vici_msg_root(m), err, sizeof(err)), -EBADMSG);
	vici_msg_free(m);
	vici_frame_free(frame, 0);
}

/* An SA being rekeyed still carries traffic: a link must not go down for it. */
static void test_child_state_installed(void **state)
{
	(void)state;
	assert_true(vici_child_state_installed("INSTALLED"));
	assert_true(vici_child_state_installed("REKEYING"));
	assert_true(vici_child_state_installed("REKEYED"));
	assert_true(vici_child_state_installed("UPDATING"));
	assert_false(vici_child_state_installed("INSTALLING"));
	assert_false(vici_child_state_installed("DELETING"));
	assert_false(vici_child_state_installed("DELETED"));
	assert_false(vici_child_state_installed("installed"));
	assert_false(vici_child_state_installed(""));
	assert_false(vici_child_state_installed(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_conn),
		cmocka_unit_test(test_load_conn_zero),
		cmocka_unit_test(test_load_conn_refuses),
		cmocka_unit_test(test_other_requests),
		cmocka_unit_test(test_list_sa),
		cmocka_unit_test(test_list_sa_rejects),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_list_conn_and_status),
		cmocka_unit_test(test_child_state_installed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
