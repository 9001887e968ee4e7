/*
 * test_frr_render.c - golden files for the renderer and the delta, and the ownership rules
 * of the read-back.
 *
 *	golden/frr/render/NAME.json  ->  NAME.conf  (the rendering, frr.conf form)
 *	golden/frr/delta/NAME.old.json + NAME.new.json  ->  NAME.vty  (the batch per daemon)
 *
 * HGW_GOLDEN_UPDATE=1 rewrites the expected files from the current output (review the
 * diff before committing it).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"

#include "frr_conf.h"
#include "frr_intent.h"
#include "util.h"

static char golden_dir[4096];

static void render_path(const char *path, struct frr_conf *conf)
{
	struct frr_intent intent;
	char err[256];
	char *text = golden_read(path);

	if (text == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	if (frr_intent_from_json(&intent, text, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	free(text);
	if (frr_render(&intent, conf, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	frr_intent_free(&intent);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Call fn for every file of golden/frr/<sub> whose name ends in suffix; count failures. */
static int each_case(const char *sub, const char *suffix,
		     int (*fn)(const char *dir, const char *base))
{
	char dir[4200], base[256];
	struct dirent **names;
	int i, n, failures = 0, cases = 0;

	snprintf(dir, sizeof(dir), "%s/%s", golden_dir, sub);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		fail_msg("%s: %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (ends_with(name, suffix) && strlen(name) < sizeof(base)) {
			snprintf(base, sizeof(base), "%.*s", (int)(strlen(name) - strlen(suffix)),
				 name);
			failures += fn(dir, base);
			cases++;
		}
		free(names[i]);
	}
	free(names);
	print_message("%s: %d cases\n", sub, cases);
	assert_true(cases > 0);
	return failures;
}

static int render_case(const char *dir, const char *base)
{
	char in[4600], out[4600];
	struct frr_conf conf;
	char *text;
	int r;

	snprintf(in, sizeof(in), "%s/%s.json", dir, base);
	snprintf(out, sizeof(out), "%s/%s.conf", dir, base);
	frr_conf_init(&conf);
	render_path(in, &conf);
	text = frr_conf_to_string(&conf);
	assert_non_null(text);
	r = golden_check(out, text);
	free(text);
	frr_conf_clear(&conf);
	return r;
}

static void test_render_golden(void **state)
{
	(void)state;
	assert_int_equal(each_case("render", ".json", render_case), 0);
}

/* The batches from old to new, "# daemon" before each non-empty one. */
static char *delta_text(const struct frr_conf *old, const struct frr_conf *new)
{
	static const enum frr_daemon order[] = { FRR_BFDD, FRR_BGPD };
	struct frr_batch batch;
	char *buf = NULL;
	size_t size = 0, i, k;
	FILE *m = open_memstream(&buf, &size);

	assert_non_null(m);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		frr_batch_init(&batch);
		assert_int_equal(frr_delta(old, new, order[i], &batch), 0);
		if (batch.n > 0)
			fprintf(m, "# %s\n", frr_daemon_name(order[i]));
		for (k = 0; k < batch.n; k++)
			fprintf(m, "%s\n", batch.lines[k]);
		frr_batch_clear(&batch);
	}
	fclose(m);
	return buf;
}

static int delta_case(const char *dir, const char *base)
{
	char old_path[4600], new_path[4600], out[4600];
	struct frr_conf old, new;
	char *text;
	int r;

	snprintf(old_path, sizeof(old_path), "%s/%s.old.json", dir, base);
	snprintf(new_path, sizeof(new_path), "%s/%s.new.json", dir, base);
	snprintf(out, sizeof(out), "%s/%s.vty", dir, base);
	frr_conf_init(&old);
	frr_conf_init(&new);
	render_path(old_path, &old);
	render_path(new_path, &new);
	text = delta_text(&old, &new);
	r = golden_check(out, text);
	free(text);
	/* Nothing owned changed: nothing to send, both ways of comparing agree. */
	text = delta_text(&new, &new);
	assert_string_equal(text, "");
	free(text);
	frr_conf_clear(&old);
	frr_conf_clear(&new);
	return r;
}

static void test_delta_golden(void **state)
{
	(void)state;
	assert_int_equal(each_case("delta", ".old.json", delta_case), 0);
}

/* A running configuration with the operator's objects next to ours. */
static const char running[] = "Building configuration...\n"
			      "\n"
			      "Current configuration:\n"
			      "!\n"
			      "frr version 8.4.4\n"
			      "frr defaults traditional\n"
			      "hostname r1\n"
			      "!\n"
			      "router bgp 65010\n"
			      " bgp router-id 198.19.20.1\n"
			      " neighbor OPS peer-group\n"
			      " neighbor 198.18.7.1 remote-as 65099\n"
			      " neighbor 198.18.7.1 peer-group OPS\n"
			      " neighbor HGW-VPN peer-group\n"
			      " neighbor HGW-VPN remote-as 65515\n"
			      " neighbor 169.254.21.2 peer-group HGW-VPN\n"
			      " neighbor 169.254.21.2 description azure-0\n"
			      " !\n"
			      " address-family ipv4 unicast\n"
			      "  network 198.19.20.0/24\n"
			      "  network 198.51.100.0/24\n"
			      "  neighbor HGW-VPN route-map HGW-VPN-IN in\n"
			      "  neighbor 198.18.7.1 route-map OPS-IN in\n"
			      " exit-address-family\n"
			      "!\n"
			      "exit\n"
			      "!\n"
			      "ip prefix-list OPERATOR-X seq 5 permit 203.0.113.0/24\n"
			      "ip prefix-list HGW-VPN-IN4 seq 5 permit 198.19.10.0/24\n"
			      "!\n"
			      "route-map OPS-IN permit 10\n"
			      " set local-preference 50\n"
			      "exit\n"
			      "!\n"
			      "route-map HGW-VPN-IN permit 20\n"
			      " match ip address prefix-list HGW-VPN-IN4\n"
			      "exit\n"
			      "!\n"
			      "end\n";

static const char owned_expected[] = "router bgp 65010\n"
				     " bgp router-id 198.19.20.1\n"
				     " neighbor HGW-VPN peer-group\n"
				     " neighbor HGW-VPN remote-as 65515\n"
				     " neighbor 169.254.21.2 peer-group HGW-VPN\n"
				     " neighbor 169.254.21.2 description azure-0\n"
				     " address-family ipv4 unicast\n"
				     "  network 198.19.20.0/24\n"
				     "  neighbor HGW-VPN route-map HGW-VPN-IN in\n"
				     " exit-address-family\n"
				     "exit\n"
				     "!\n"
				     "ip prefix-list HGW-VPN-IN4 seq 5 permit 198.19.10.0/24\n"
				     "route-map HGW-VPN-IN permit 20\n"
				     " match ip address prefix-list HGW-VPN-IN4\n"
				     "exit\n"
				     "!\n";

static void test_owned(void **state)
{
	const char *ctx[FRR_CTX_MAX] = { "router bgp 65010", "address-family ipv4 unicast" };
	const char *rctx[FRR_CTX_MAX] = { "router bgp 65010", NULL };
	struct frr_conf claims, owned;
	const struct frr_conf *c[1] = { &claims };
	struct frr_batch batch;
	char *text;

	(void)state;
	frr_conf_init(&claims);
	frr_conf_init(&owned);
	/* We claim a network and the router-id; the other network is the operator's. */
	assert_int_equal(frr_conf_add(&claims, FRR_BGPD, ctx, "network 198.19.20.0/24"), 0);
	assert_int_equal(frr_conf_add(&claims, FRR_BGPD, rctx, "bgp router-id 198.19.20.9"), 0);
	assert_int_equal(frr_conf_parse_owned(running, sizeof(running) - 1, FRR_BGPD, c, 1, &owned),
			 0);
	text = frr_conf_to_string(&owned);
	assert_string_equal(text, owned_expected);
	free(text);
	assert_int_equal(frr_conf_running_asn(running, sizeof(running) - 1), 65010);

	/* Going to nothing removes only ours, peer-group members first. */
	frr_conf_clear(&claims);
	frr_batch_init(&batch);
	assert_int_equal(frr_delta(&owned, &claims, FRR_BGPD, &batch), 0);
	assert_int_equal(batch.n, 10);
	assert_string_equal(batch.lines[0], "no route-map HGW-VPN-IN permit 20");
	assert_string_equal(batch.lines[1],
			    "no ip prefix-list HGW-VPN-IN4 seq 5 permit 198.19.10.0/24");
	assert_string_equal(batch.lines[2], "router bgp 65010");
	assert_string_equal(batch.lines[3], "address-family ipv4 unicast");
	assert_string_equal(batch.lines[4], "no network 198.19.20.0/24");
	assert_string_equal(batch.lines[5], "exit-address-family");
	assert_string_equal(batch.lines[6], "no neighbor 169.254.21.2");
	assert_string_equal(batch.lines[7], "no neighbor HGW-VPN peer-group");
	assert_string_equal(batch.lines[8], "no bgp router-id 198.19.20.1");
	assert_string_equal(batch.lines[9], "exit");
	frr_batch_clear(&batch);
	frr_conf_clear(&owned);
}

/* bgpd 8.4's running config with our BMP target and the operator's (as bgpd prints them). */
static const char running_bmp[] =
	"router bgp 65010\n"
	" !\n"
	" bmp targets OPS\n"
	"  bmp connect 203.0.113.9 port 5000 min-retry 30000 max-retry 720000\n"
	" exit\n"
	" !\n"
	" bmp targets HGW-STATION\n"
	"  bmp stats interval 1000\n"
	"  bmp monitor ipv4 unicast pre-policy\n"
	"  bmp connect 127.0.0.1 port 11019 min-retry 100 max-retry 1000\n"
	" exit\n"
	"!\n"
	"exit\n";

static void test_owned_bmp(void **state)
{
	struct frr_conf owned, none;
	struct frr_batch batch;
	char *text;

	(void)state;
	frr_conf_init(&owned);
	frr_conf_init(&none);
	assert_int_equal(frr_conf_parse_owned(running_bmp, sizeof(running_bmp) - 1, FRR_BGPD, NULL,
					      0, &owned),
			 0);
	text = frr_conf_to_string(&owned);
	assert_string_equal(text,
			    "router bgp 65010\n"
			    " bmp targets HGW-STATION\n"
			    "  bmp stats interval 1000\n"
			    "  bmp monitor ipv4 unicast pre-policy\n"
			    "  bmp connect 127.0.0.1 port 11019 min-retry 100 max-retry 1000\n"
			    " exit\n"
			    "exit\n"
			    "!\n");
	free(text);
	/* the whole target goes with one line; the operator's stays */
	frr_batch_init(&batch);
	assert_int_equal(frr_delta(&owned, &none, FRR_BGPD, &batch), 0);
	assert_int_equal(batch.n, 3);
	assert_string_equal(batch.lines[1], "no bmp targets HGW-STATION");
	frr_batch_clear(&batch);
	frr_conf_clear(&owned);
}

static void test_parse_refused(void **state)
{
	struct frr_conf owned;

	(void)state;
	frr_conf_init(&owned);
	/* an indentation jump of two levels */
	assert_int_equal(frr_conf_parse_owned("router bgp 1\n   neighbor x\n", 28, FRR_BGPD, NULL,
					      0, &owned),
			 -EBADMSG);
	assert_int_equal(frr_conf_parse_owned("route-map HGW-A permit 1\0x\n", 27, FRR_BGPD, NULL,
					      0, &owned),
			 -EBADMSG);
	frr_conf_clear(&owned);
}

/* An intent in JSON that the loader or the renderer must refuse, with its message. */
static void refused(const char *json, const char *message)
{
	struct frr_intent intent;
	struct frr_conf conf;
	char err[256];
	int r;

	frr_conf_init(&conf);
	r = frr_intent_from_json(&intent, json, err, sizeof(err));
	if (r == 0) {
		r = frr_render(&intent, &conf, err, sizeof(err));
		frr_intent_free(&intent);
	}
	assert_int_equal(r, -EINVAL);
	if (strstr(err, message) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, message);
	assert_int_equal(conf.n, 0);
	frr_conf_clear(&conf);
}

#define BASE "\"asn\":65010,\"classes\":[{\"name\":\"VPN\",\"remote_as\":65515}]"

static void test_refused_intents(void **state)
{
	(void)state;
	refused("{", "not JSON");
	refused("{\"asn\":65010,\"colour\":1}", "unknown member \"colour\"");
	refused("{\"asn\":-1}", "\"asn\" must be");
	refused("{" BASE ",\"neighbors\":[{\"address\":\"169.254.21.2\",\"class\":\"ER\"}]}",
		"path class \"ER\" is not defined");
	refused("{" BASE ",\"neighbors\":[{\"address\":\"169.254.21.2\",\"class\":\"VPN\","
		"\"description\":\"a\\nno router bgp\"}]}",
		"printable ASCII");
	refused("{" BASE ",\"neighbors\":[{\"address\":\"169.254.21\",\"class\":\"VPN\"}]}",
		"not an IPv4 or IPv6 address");
	refused("{\"asn\":65010,\"classes\":[{\"name\":\"V P N\"}]}", "path class name");
	refused("{" BASE ",\"neighbors\":[{\"address\":\"169.254.21.2\",\"class\":\"VPN\","
		"\"remote_as\":65000}]}",
		"differs from class VPN");
	refused("{\"asn\":65010,\"classes\":[{\"name\":\"VPN\",\"bfd_profile\":\"X\"}]}",
		"BFD profile \"X\" is not defined");
	refused("{\"asn\":65010,\"networks\":[\"198.18.0.1/24\"]}", "is not a prefix");
	refused("{\"asn\":65010,\"networks\":[\"198.18.0.0/24 le 16\"]}", "is not a prefix");
	refused("{" BASE ",\"neighbors\":[{\"address\":\"169.254.21.2\",\"class\":\"VPN\","
		"\"keepalive\":10}]}",
		"both keepalive and hold");
	refused("{" BASE ",\"neighbors\":[{\"address\":\"169.254.21.2\",\"class\":\"VPN\"},"
		"{\"address\":\"169.254.21.2\",\"class\":\"VPN\"}]}",
		"defined twice");
	refused("{\"classes\":[{\"name\":\"VPN\"}]}", "needs the local asn");
	refused("{\"bmp\":{\"name\":\"S\",\"address\":\"127.0.0.1\",\"port\":1}}",
		"needs the local asn");
	refused("{" BASE ",\"bmp\":{\"name\":\"S\",\"address\":\"127.0.0.1\"}}",
		"needs an address and a port");
	refused("{" BASE ",\"bmp\":{\"name\":\"S\",\"address\":\"x\",\"port\":1}}",
		"not an IPv4 or IPv6 address");
	refused("{" BASE ",\"bmp\":{\"name\":\"S S\",\"address\":\"127.0.0.1\",\"port\":1}}",
		"BMP target name");
	refused("{" BASE ",\"bmp\":{\"name\":\"S\",\"address\":\"127.0.0.1\",\"port\":1,"
		"\"pre_policy\":false}}",
		"monitors nothing");
	refused("{" BASE ",\"bmp\":{\"name\":\"S\",\"address\":\"127.0.0.1\",\"port\":1,"
		"\"min_retry\":2000,\"max_retry\":1000}}",
		"min_retry not above max_retry");
	refused("{" BASE ",\"bmp\":{\"name\":\"S\",\"address\":\"127.0.0.1\",\"port\":1,"
		"\"mirror\":true}}",
		"mirror");
}

int main(void)
{
	const char *src = getenv("HGW_TEST_SRCDIR");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_golden),	cmocka_unit_test(test_delta_golden),
		cmocka_unit_test(test_owned),		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_refused_intents), cmocka_unit_test(test_owned_bmp),
	};

	snprintf(golden_dir, sizeof(golden_dir), "%s/golden/frr", src ? src : "tests/unit");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
