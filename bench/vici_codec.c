/*
 * vici-codec - throughput of lib/vici's codec on the messages a gateway handles most.
 *
 *	vici-codec [-n ITERATIONS] [-r RUNS]
 *
 * For each message: encode (build the frame as the client or charon would) and decode (what
 * the client does with a frame: peek, packet, message tree, typed reader) ITERATIONS times,
 * RUNS times over; prints the median and range of the runs, one KEY=VALUE line per message
 * and direction, for bench/run vici to read.  Messages:
 *	load-conn     the request for one azure-aa tunnel (decode: frame, packet, tree)
 *	list-sa       one IKE_SA with two CHILD_SAs, laid out as charon 5.9 sends it
 *	child-updown  one CHILD_SA coming up
 * Pure code, no I/O: the figures are the codec's, not the socket's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vici/vici_codec.h"
#include "vici/vici_sa.h"

#define RUNS_MAX 101

struct msg {
	const char *name;
	/* 0 with a frame, or an error */
	int (*encode)(uint8_t **frame, size_t *len);
	/* 0, or an error; adds something of the result to *sink so it is not optimised away */
	int (*decode)(const uint8_t *frame, size_t len, uint64_t *sink);
};

/* ---- load-conn ---- */

static int encode_load_conn(uint8_t **frame, size_t *len)
{
	static const struct vici_conn_cfg cfg = {
		.name = "a0",
		.child = "a0",
		.version = 2,
		.local_addrs = "198.18.0.1",
		.remote_addrs = "198.18.0.6",
		.local_id = "198.18.0.1",
		.remote_id = "198.18.0.6",
		.ike_proposals = "aes256gcm16-prfsha384-ecp384, aes256-sha256-modp2048",
		.esp_proposals = "aes256gcm16-ecp384, aes256-sha256-modp2048",
		.rekey_time = VICI_OPT(28800),
		.over_time = VICI_OPT(600),
		.rand_time = VICI_OPT(0),
		.dpd_delay = VICI_OPT(10),
		.keyingtries = VICI_OPT(0),
		.unique = "replace",
		.child_rekey_time = VICI_OPT(3300),
		.child_life_time = VICI_OPT(3600),
		.start_action = "start",
		.close_action = "start",
		.dpd_action = "restart",
		.if_id_in = 11,
		.if_id_out = 11,
	};

	return vici_req_load_conn(&cfg, frame, len);
}

/* Frame -> packet -> tree: what any reader of a frame pays. */
static int decode_tree(const uint8_t *frame, size_t len, struct vici_packet *pkt,
		       struct vici_msg **m)
{
	size_t flen;
	int r;

	r = vici_frame_peek(frame, len, &flen);
	if (r == 0)
		r = vici_packet_decode(frame + VICI_HEADER_LEN, flen - VICI_HEADER_LEN, pkt);
	if (r == 0)
		r = vici_msg_parse(pkt->msg, pkt->msg_len, m);
	return r;
}

static int decode_load_conn(const uint8_t *frame, size_t len, uint64_t *sink)
{
	struct vici_packet pkt;
	struct vici_msg *m;
	int r = decode_tree(frame, len, &pkt, &m);

	if (r < 0)
		return r;
	*sink += vici_find_section(vici_msg_root(m), "a0") != NULL;
	vici_msg_free(m);
	return 0;
}

/* ---- list-sa and child-updown, as charon builds them ---- */

static void add_child_sa(struct vici_builder *b, unsigned id, uint32_t spi_in, uint32_t spi_out)
{
	char name[32];

	snprintf(name, sizeof(name), "a0-%u", id);
	vici_begin_section(b, name);
	vici_add_str(b, "name", "a0");
	vici_add_fmt(b, "uniqueid", "%u", id);
	vici_add_str(b, "reqid", "1");
	vici_add_str(b, "state", "INSTALLED");
	vici_add_str(b, "mode", "TUNNEL");
	vici_add_str(b, "protocol", "ESP");
	vici_add_fmt(b, "spi-in", "%08x", spi_in);
	vici_add_fmt(b, "spi-out", "%08x", spi_out);
	vici_add_str(b, "mark-in", "0000000b");
	vici_add_str(b, "mark-out", "0000000b");
	vici_add_str(b, "encr-alg", "AES_GCM_16");
	vici_add_str(b, "encr-keysize", "256");
	vici_add_str(b, "dh-group", "ECP_384");
	vici_add_str(b, "bytes-in", "1638400");
	vici_add_str(b, "packets-in", "12800");
	vici_add_str(b, "use-in", "0");
	vici_add_str(b, "bytes-out", "1740800");
	vici_add_str(b, "packets-out", "13600");
	vici_add_str(b, "use-out", "0");
	vici_add_str(b, "rekey-time", "3012");
	vici_add_str(b, "life-time", "3288");
	vici_add_str(b, "install-time", "312");
	vici_begin_list(b, "local-ts");
	vici_add_item_str(b, "0.0.0.0/0");
	vici_end_list(b);
	vici_begin_list(b, "remote-ts");
	vici_add_item_str(b, "0.0.0.0/0");
	vici_end_list(b);
	vici_end_section(b);
}

static void add_ike_sa(struct vici_builder *b)
{
	vici_add_str(b, "uniqueid", "3");
	vici_add_str(b, "version", "2");
	vici_add_str(b, "state", "ESTABLISHED");
	vici_add_str(b, "local-host", "198.18.0.1");
	vici_add_str(b, "local-port", "500");
	vici_add_str(b, "local-id", "198.18.0.1");
	vici_add_str(b, "remote-host", "198.18.0.6");
	vici_add_str(b, "remote-port", "500");
	vici_add_str(b, "remote-id", "198.18.0.6");
	vici_add_str(b, "initiator", "yes");
	vici_add_str(b, "initiator-spi", "8f1e2d3c4b5a6978");
	vici_add_str(b, "responder-spi", "1234567890abcdef");
	vici_add_str(b, "encr-alg", "AES_GCM_16");
	vici_add_str(b, "encr-keysize", "256");
	vici_add_str(b, "prf-alg", "PRF_HMAC_SHA2_384");
	vici_add_str(b, "dh-group", "ECP_384");
	vici_add_str(b, "established", "312");
	vici_add_str(b, "rekey-time", "28100");
}

static int encode_list_sa(uint8_t **frame, size_t *len)
{
	struct vici_builder b;

	vici_builder_init(&b, VICI_EVENT, "list-sa");
	vici_begin_section(&b, "a0");
	add_ike_sa(&b);
	vici_begin_section(&b, "child-sas");
	add_child_sa(&b, 7, 0xc1a0c1a0, 0x0b0b0b0b);
	add_child_sa(&b, 8, 0xc1a0c1a1, 0x0b0b0b0c);
	vici_end_section(&b);
	vici_begin_list(&b, "tasks-queued");
	vici_end_list(&b);
	vici_begin_list(&b, "tasks-active");
	vici_end_list(&b);
	vici_begin_list(&b, "tasks-passive");
	vici_end_list(&b);
	vici_end_section(&b);
	return vici_builder_finish(&b, frame, len);
}

static int decode_list_sa(const uint8_t *frame, size_t len, uint64_t *sink)
{
	struct vici_packet pkt;
	struct vici_ike_sa sa;
	struct vici_msg *m;
	int r = decode_tree(frame, len, &pkt, &m);

	if (r < 0)
		return r;
	r = vici_parse_list_sa(vici_msg_root(m), &sa);
	vici_msg_free(m);
	if (r < 0)
		return r;
	*sink += sa.n_children == 2 ? sa.children[1].spi_in : 0;
	vici_ike_sa_clear(&sa);
	return 0;
}

static int encode_child_updown(uint8_t **frame, size_t *len)
{
	struct vici_builder b;

	vici_builder_init(&b, VICI_EVENT, "child-updown");
	vici_add_str(&b, "up", "yes");
	vici_begin_section(&b, "a0");
	add_ike_sa(&b);
	vici_begin_section(&b, "child-sas");
	add_child_sa(&b, 7, 0xc1a0c1a0, 0x0b0b0b0b);
	vici_end_section(&b);
	vici_end_section(&b);
	return vici_builder_finish(&b, frame, len);
}

static int decode_child_updown(const uint8_t *frame, size_t len, uint64_t *sink)
{
	struct vici_packet pkt;
	struct vici_event ev;
	struct vici_msg *m;
	int r = decode_tree(frame, len, &pkt, &m);

	if (r < 0)
		return r;
	r = vici_parse_event(pkt.name, vici_msg_root(m), &ev);
	vici_msg_free(m);
	if (r < 0)
		return r;
	*sink += ev.up ? ev.child.spi_in : 0;
	vici_event_clear(&ev);
	return 0;
}

static const struct msg msgs[] = {
	{ "load-conn", encode_load_conn, decode_load_conn },
	{ "list-sa", encode_list_sa, decode_list_sa },
	{ "child-updown", encode_child_updown, decode_child_updown },
};

/* ---- timing ---- */

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Seconds for n encodes of m. */
static int time_encode(const struct msg *m, long n, double *sec)
{
	double t0 = now_sec();
	uint8_t *frame;
	size_t len;
	long i;
	int r;

	for (i = 0; i < n; i++) {
		r = m->encode(&frame, &len);
		if (r < 0)
			return r;
		vici_frame_free(frame, len);
	}
	*sec = now_sec() - t0;
	return 0;
}

static int time_decode(const struct msg *m, const uint8_t *frame, size_t len, long n,
		       uint64_t *sink, double *sec)
{
	double t0 = now_sec();
	long i;
	int r;

	for (i = 0; i < n; i++) {
		r = m->decode(frame, len, sink);
		if (r < 0)
			return r;
	}
	*sec = now_sec() - t0;
	return 0;
}

/* The median, min and max of runs as messages/s, and MB/s (10^6 bytes) for len-byte frames. */
static void report(const char *name, const char *dir, double *sec, int runs, long n, size_t len)
{
	double med;

	qsort(sec, (size_t)runs, sizeof(*sec), cmp_double);
	med = runs % 2 ? sec[runs / 2] : (sec[runs / 2 - 1] + sec[runs / 2]) / 2;
	printf("msg=%s dir=%s bytes=%zu iterations=%ld runs=%d msgs_per_s=%.0f min=%.0f max=%.0f "
	       "mb_per_s=%.1f\n",
	       name, dir, len, n, runs, (double)n / med, (double)n / sec[runs - 1],
	       (double)n / sec[0], (double)n * (double)len / med / 1e6);
}

static int bench(const struct msg *m, long n, int runs, uint64_t *sink)
{
	double enc[RUNS_MAX], dec[RUNS_MAX];
	uint8_t *frame;
	size_t len;
	int i, r;

	r = m->encode(&frame, &len);
	if (r < 0)
		return r;
	/* one untimed pass of each, so that the first run does not pay for cold caches */
	r = m->decode(frame, len, sink);
	for (i = 0; r == 0 && i < runs; i++) {
		r = time_encode(m, n, &enc[i]);
		if (r == 0)
			r = time_decode(m, frame, len, n, sink, &dec[i]);
	}
	if (r == 0) {
		report(m->name, "encode", enc, runs, n, len);
		report(m->name, "decode", dec, runs, n, len);
	}
	vici_frame_free(frame, len);
	return r;
}

int main(int argc, char *argv[])
{
	long n = 100000;
	int runs = 5, opt, r;
	uint64_t sink = 0;
	size_t i;

	while ((opt = getopt(argc, argv, "n:r:h")) != -1) {
		switch (opt) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: vici-codec [-n ITERATIONS] [-r RUNS]\n");
			return 2;
		}
	}
	if (n <= 0 || runs < 1 || runs > RUNS_MAX) {
		fprintf(stderr, "vici-codec: need -n > 0 and 1 <= -r <= %d\n", RUNS_MAX);
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(msgs); i++) {
		r = bench(&msgs[i], n, runs, &sink);
		if (r < 0) {
			fprintf(stderr, "vici-codec: %s: %s\n", msgs[i].name, strerror(-r));
			return 1;
		}
	}
	/* printed so that the decoders' results count */
	printf("sink=%llu\n", (unsigned long long)sink);
	return 0;
}
