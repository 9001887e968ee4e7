/*
 * test_intent.c - the coordinator's intent: the example configurations of
 * tests/netconf/examples compiled through libyang as lib/nc hands them over (parsed,
 * validated, defaults added), asserted field by field; the numbering's stability; and the
 * diff of pairs of configurations, object by object.
 *
 * The ids below are golden: FNV-1a of "<conn>\0<gw>" folded into the id range, computed
 * outside this code.  A change of the scheme renumbers every tunnel of every router at
 * upgrade, so it must fail here first.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frr/frr_conf.h"
#include "intent.h"
#include "test_nc_util.h"

#define AZURE_IN0_ID 0x4e1be107u
#define AZURE_IN1_ID 0x2819669eu
#define AWS_T1_ID 0x7e287e2bu
#define AWS_T2_ID 0x0c210ef0u
#define AZ0_IN0_ID 0x61076d25u

static struct ly_ctx *ctx;

static const struct hgw_intent_opts xfrm_opts = { .auto_kind = HGW_NL_XFRMI };
static const struct hgw_intent_opts vti_opts = { .auto_kind = HGW_NL_VTI };

/* A second Azure connection; "az0" sorts before "azure", so it is numbered first. */
static const char az0[] =
	"<connection><name>az0</name><profile>azure</profile>"
	"<pre-shared-key>second-secret-key</pre-shared-key>"
	"<ike><proposal><id>1</id><encryption>aes256</encryption><integrity>sha256</integrity>"
	"<dh-group>modp2048</dh-group></proposal></ike>"
	"<esp><proposal><id>1</id><encryption>aes256gcm16</encryption></proposal></esp>"
	"<gateway><name>in0</name><remote-address>203.0.113.20</remote-address>"
	"<local-address>wan0</local-address><bgp><peer-asn>65515</peer-asn>"
	"<peer-address>169.254.21.5</peer-address><local-address>169.254.21.6</local-address>"
	"</bgp></gateway>"
	"<gateway><name>in1</name><remote-address>203.0.113.21</remote-address>"
	"<local-address>wan0</local-address><bgp><peer-asn>65515</peer-asn>"
	"<peer-address>169.254.22.5</peer-address><local-address>169.254.22.6</local-address>"
	"</bgp></gateway></connection></connections>";

static char *slurp(const char *name)
{
	char path[4096];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s", HGW_TEST_EXAMPLES_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

/* xml with the first occurrence of from replaced by to; the old string is freed. */
static char *edit(char *xml, const char *from, const char *to)
{
	char *at = strstr(xml, from), *out;
	size_t head;

	assert_non_null(at);
	head = (size_t)(at - xml);
	out = calloc(1, strlen(xml) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, xml, head);
	strcpy(out + head, to);
	strcat(out, at + strlen(from));
	free(xml);
	return out;
}

/* Parse and validate as lib/nc does before the apply callback, then compile. */
static int compile_xml(const char *xml, const struct hgw_intent *prev,
		       const struct hgw_intent_opts *opts, struct hgw_intent *in, char *err,
		       size_t size)
{
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;
	int r;

	r = hgw_nc_parse_config(ctx, xml, false, &tree, &errs);
	if (r == 0)
		r = hgw_nc_validate_tree(ctx, &tree, &errs);
	if (r != 0)
		test_nc_print_errors(&errs);
	assert_int_equal(r, 0);
	r = hgw_intent_compile(tree, prev, opts, in, err, size);
	lyd_free_all(tree);
	hgw_nc_errors_clear(&errs);
	return r;
}

static void compile_ok(const char *xml, const struct hgw_intent *prev,
		       const struct hgw_intent_opts *opts, struct hgw_intent *in)
{
	char err[512];
	int r = compile_xml(xml, prev, opts, in, err, sizeof(err));

	if (r != 0)
		fprintf(stderr, "compile: %s\n", err);
	assert_int_equal(r, 0);
}

static void compile_file(const char *name, const struct hgw_intent_opts *opts,
			 struct hgw_intent *in)
{
	char *xml = slurp(name);

	compile_ok(xml, NULL, opts, in);
	free(xml);
}

static void assert_v4(struct in_addr a, const char *s)
{
	char buf[INET_ADDRSTRLEN];

	assert_string_equal(inet_ntop(AF_INET, &a, buf, sizeof(buf)), s);
}

/* The tunnel's IPv6 link-local: fe80:: and its inside IPv4 address. */
static void assert_ll(const struct hgw_intent_tunnel *t, const char *s)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(inet_ntop(AF_INET6, &t->iface.nl.ll, buf, sizeof(buf)), s);
}

static void assert_addr(const struct frr_addr *a, const char *s)
{
	assert_int_equal(a->family, AF_INET);
	assert_v4(a->u.v4, s);
}

static void assert_opt(struct vici_opt o, uint32_t v)
{
	assert_true(o.set);
	assert_int_equal(o.value, v);
}

static const struct hgw_intent_tunnel *tunnel(const struct hgw_intent *in, const char *conn,
					      const char *gw)
{
	const struct hgw_intent_tunnel *t = hgw_intent_tunnel_find(in, conn, gw);

	assert_non_null(t);
	return t;
}

/* ---- compile ---- */

static void assert_azure_charon(const struct hgw_intent_tunnel *t, const char *name,
				const char *remote)
{
	const struct vici_conn_cfg *c = &t->charon.cfg;

	assert_string_equal(c->name, name);
	assert_string_equal(c->child, name);
	assert_int_equal(c->version, 2);
	assert_string_equal(c->local_addrs, "198.18.0.1");
	assert_string_equal(c->remote_addrs, remote);
	assert_string_equal(c->local_id, "198.18.0.1");
	assert_string_equal(c->remote_id, remote);
	assert_string_equal(c->ike_proposals, "aes256-sha256-modp2048");
	assert_string_equal(c->esp_proposals, "aes256gcm16");
	assert_opt(c->rekey_time, 28800 - 540);
	assert_opt(c->over_time, 540);
	assert_opt(c->reauth_time, 0);
	assert_false(c->rand_time.set);
	assert_opt(c->child_rekey_time, 27000 - 540);
	assert_opt(c->child_life_time, 27000);
	assert_opt(c->dpd_delay, 45);
	assert_opt(c->keyingtries, 0);
	assert_string_equal(c->unique, "replace");
	assert_string_equal(c->start_action, "start");
	assert_string_equal(c->close_action, "start");
	assert_string_equal(c->dpd_action, "restart");
	assert_null(c->local_ts);
	assert_null(c->remote_ts);
	assert_false(t->charon.mobike);
	assert_string_equal(t->secret.shared.id, name);
	assert_string_equal(t->secret.shared.secret, "correct-horse-battery");
	assert_string_equal(t->secret.shared.owners, remote);
}

static void assert_azure_bgp(const struct hgw_intent_tunnel *t, const char *peer, const char *local,
			     const char *desc)
{
	const struct frr_neighbor *nb = &t->neighbor;

	assert_true(t->bgp);
	assert_addr(&nb->addr, peer);
	assert_int_equal(nb->remote_as, 65515);
	assert_string_equal(nb->path_class, "VPN");
	assert_string_equal(nb->description, desc);
	assert_string_equal(nb->update_source, local);
	assert_false(nb->passive);
	assert_int_equal(nb->hop_check, FRR_HOP_DISABLE_CHECK);
	assert_int_equal(nb->timers.keepalive, 60);
	assert_int_equal(nb->timers.hold, 180);
	assert_int_equal(nb->timers.connect, 10);
	assert_true(nb->ipv4);
	assert_false(nb->ipv6);
	assert_v4(t->iface.inside_local, local);
	assert_int_equal(t->iface.inside_plen, 32);
	assert_v4(t->iface.peer_route, peer);
}

static void assert_azure_rest(const struct hgw_intent *in)
{
	const struct hgw_intent_private *er = hgw_intent_private_find(in, "er");
	const struct hgw_intent_policy *p = &in->policy;

	assert_int_equal(in->global.local_asn, 65010);
	assert_v4(in->global.router_id, "198.18.0.1");
	assert_int_equal(in->global.ifkind_cfg, HGW_IFKIND_AUTO);
	assert_int_equal(in->n_privates, 1);
	assert_non_null(er);
	assert_string_equal(er->interface, "eth1.100");
	assert_string_equal(er->bfd_profile, "er");
	assert_addr(&er->neighbor.addr, "198.19.0.1");
	assert_int_equal(er->neighbor.remote_as, 12076);
	assert_string_equal(er->neighbor.path_class, "PRIVATE");
	assert_true(p->prefer_private);
	assert_int_equal(p->maximum_paths, 2);
	assert_int_equal(p->n_prefix_lists, 1);
	assert_string_equal(p->prefix_lists[0].name, "onprem");
	assert_int_equal(p->prefix_lists[0].n, 1);
	assert_int_equal(p->prefix_lists[0].v[0].seq, 10);
	assert_false(p->prefix_lists[0].v[0].deny);
	assert_int_equal(p->prefix_lists[0].v[0].prefix.len, 17);
	assert_int_equal(p->prefix_lists[0].v[0].prefix.le, 24);
	assert_int_equal(p->n_peers, 1);
	assert_false(p->peers[0].private_path);
	assert_string_equal(p->peers[0].peer, "azure");
	assert_string_equal(p->peers[0].export_prefix_list, "onprem");
	assert_string_equal(p->peers[0].import_prefix_list, "");
	assert_int_equal(p->peers[0].max_prefix, 1000);
	assert_int_equal(in->failover.n_bfd_profiles, 1);
	assert_string_equal(in->failover.bfd_profiles[0].name, "er");
	assert_int_equal(in->failover.bfd_profiles[0].detect_multiplier, 3);
	assert_int_equal(in->failover.bfd_profiles[0].receive_ms, 300);
	assert_int_equal(in->failover.probe_interval_ms, 200);
	assert_int_equal(in->failover.probe_multiplier, 3);
	assert_int_equal(in->failover.hold_down_s, 10);
}

static void test_compile_azure_xfrm(void **state)
{
	struct hgw_intent in;
	const struct hgw_intent_tunnel *t0, *t1;

	(void)state;
	compile_file("valid-azure-aa.xml", &xfrm_opts, &in);
	assert_int_equal(in.global.ifkind, HGW_NL_XFRMI);
	assert_int_equal(in.n_tunnels, 2);
	t0 = tunnel(&in, "azure", "in0");
	t1 = tunnel(&in, "azure", "in1");
	assert_true(t0->iface.present);
	assert_string_equal(t0->iface.nl.name, "hx-azure-0");
	assert_string_equal(t1->iface.nl.name, "hx-azure-1");
	assert_int_equal(t0->iface.nl.kind, HGW_NL_XFRMI);
	assert_int_equal(t0->iface.nl.if_id, AZURE_IN0_ID);
	assert_int_equal(t1->iface.nl.if_id, AZURE_IN1_ID);
	assert_int_equal(t0->iface.nl.key, 0);
	assert_int_equal(t0->iface.nl.local.s_addr, 0);
	assert_int_equal(t0->iface.nl.mtu, 0);
	assert_int_equal(t0->charon.cfg.if_id_in, AZURE_IN0_ID);
	assert_int_equal(t0->charon.cfg.if_id_out, AZURE_IN0_ID);
	assert_int_equal(t0->charon.cfg.mark_in, 0);
	assert_int_equal(t1->charon.cfg.if_id_in, AZURE_IN1_ID);
	assert_azure_charon(t0, "hgw/azure/in0", "203.0.113.10");
	assert_azure_charon(t1, "hgw/azure/in1", "203.0.113.11");
	assert_azure_bgp(t0, "169.254.21.1", "169.254.21.2", "azure/in0");
	assert_azure_bgp(t1, "169.254.22.1", "169.254.22.2", "azure/in1");
	assert_ll(t0, "fe80::a9fe:1502");
	assert_ll(t1, "fe80::a9fe:1602");
	assert_azure_rest(&in);
	hgw_intent_free(&in);
	assert_null(in.tunnels);
}

static void test_compile_azure_vti(void **state)
{
	struct hgw_intent in;
	const struct hgw_intent_tunnel *t0;

	(void)state;
	compile_file("valid-azure-aa.xml", &vti_opts, &in);
	assert_int_equal(in.global.ifkind, HGW_NL_VTI);
	t0 = tunnel(&in, "azure", "in0");
	assert_string_equal(t0->iface.nl.name, "hv-azure-0");
	assert_string_equal(tunnel(&in, "azure", "in1")->iface.nl.name, "hv-azure-1");
	assert_int_equal(t0->iface.nl.key, AZURE_IN0_ID);
	assert_int_equal(t0->iface.nl.if_id, 0);
	assert_v4(t0->iface.nl.local, "198.18.0.1");
	assert_v4(t0->iface.nl.remote, "203.0.113.10");
	assert_ll(t0, "fe80::a9fe:1502");
	assert_int_equal(t0->charon.cfg.mark_in, AZURE_IN0_ID);
	assert_int_equal(t0->charon.cfg.mark_out, AZURE_IN0_ID);
	assert_int_equal(t0->charon.cfg.if_id_in, 0);
	hgw_intent_free(&in);
}

static void assert_aws_tunnel(const struct hgw_intent_tunnel *t, const char *ifname, uint32_t id,
			      const char *peer, const char *local)
{
	const struct vici_conn_cfg *c = &t->charon.cfg;

	assert_string_equal(t->iface.nl.name, ifname);
	assert_int_equal(t->iface.nl.if_id, id);
	assert_int_equal(t->iface.nl.mtu, 1436);
	assert_int_equal(c->if_id_in, id);
	assert_string_equal(c->ike_proposals, "aes128-sha256-modp2048");
	assert_string_equal(c->esp_proposals, "aes128gcm16-modp2048,aes128-sha1-modp2048");
	assert_opt(c->dpd_delay, 10);
	assert_opt(c->child_rekey_time, 3600 - 540);
	assert_opt(c->child_life_time, 3600);
	assert_string_equal(t->secret.psk, "another-long-secret");
	assert_addr(&t->neighbor.addr, peer);
	assert_int_equal(t->neighbor.remote_as, 64512);
	assert_int_equal(t->neighbor.hop_check, FRR_HOP_CONNECTED);
	assert_int_equal(t->neighbor.timers.keepalive, 10);
	assert_int_equal(t->neighbor.timers.hold, 30);
	assert_v4(t->iface.inside_local, local);
	assert_int_equal(t->iface.inside_plen, 30);
	assert_ll(t, !strcmp(local, "169.254.10.2") ? "fe80::a9fe:a02" : "fe80::a9fe:b02");
	assert_int_equal(t->iface.peer_route.s_addr, 0);
}

static void test_compile_aws(void **state)
{
	struct hgw_intent in;

	(void)state;
	/* The config says xfrm: auto_kind must not matter. */
	compile_file("valid-aws.xml", &vti_opts, &in);
	assert_int_equal(in.global.local_asn, 65020);
	assert_int_equal(in.global.ifkind_cfg, HGW_IFKIND_XFRM);
	assert_int_equal(in.global.ifkind, HGW_NL_XFRMI);
	assert_int_equal(in.n_tunnels, 2);
	assert_int_equal(in.n_privates, 0);
	/* Instances from the gateway names t1 and t2. */
	assert_aws_tunnel(tunnel(&in, "aws", "t1"), "hx-aws-1", AWS_T1_ID, "169.254.10.1",
			  "169.254.10.2");
	assert_aws_tunnel(tunnel(&in, "aws", "t2"), "hx-aws-2", AWS_T2_ID, "169.254.11.1",
			  "169.254.11.2");
	assert_int_equal(in.policy.maximum_paths, 4);
	assert_int_equal(in.failover.probe_interval_ms, 1000);
	hgw_intent_free(&in);
}

/* AWS with the hold time left to the model: AWS's 30 s, not YANG's 180 s. */
static void test_compile_aws_default_hold(void **state)
{
	char *xml = slurp("valid-aws.xml");
	struct hgw_intent in;

	(void)state;
	xml = edit(xml, "<hold-time>30</hold-time>", "");
	xml = edit(xml, "<hold-time>30</hold-time>", "");
	compile_ok(xml, NULL, &xfrm_opts, &in);
	assert_int_equal(tunnel(&in, "aws", "t1")->neighbor.timers.hold, 30);
	assert_int_equal(tunnel(&in, "aws", "t2")->neighbor.timers.keepalive, 10);
	hgw_intent_free(&in);
	free(xml);
}

static void test_compile_empty(void **state)
{
	struct hgw_intent in;
	char *xml = slurp("valid-empty.xml");

	(void)state;
	compile_ok(xml, NULL, &xfrm_opts, &in);
	assert_int_equal(in.n_tunnels, 0);
	assert_int_equal(in.n_privates, 0);
	assert_int_equal(in.global.local_asn, 0);
	hgw_intent_free(&in);
	assert_int_equal(hgw_intent_compile(NULL, NULL, NULL, &in, NULL, 0), 0);
	assert_int_equal(in.n_tunnels, 0);
	hgw_intent_free(&in);
	free(xml);
}

static void test_compile_disabled(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	struct hgw_intent in;

	(void)state;
	xml = edit(xml, "<profile>azure</profile>",
		   "<enabled>false</enabled><profile>azure</profile>");
	compile_ok(xml, NULL, &xfrm_opts, &in);
	assert_int_equal(in.n_tunnels, 0);
	assert_int_equal(in.n_privates, 1);
	hgw_intent_free(&in);
	free(xml);
}

/* A check YANG does not make: the margin must leave a lifetime.  The PSK stays out. */
static void test_compile_margin_error(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	struct hgw_intent in;
	char err[512];

	(void)state;
	xml = edit(xml, "<lifetime>27000</lifetime>", "<lifetime>300</lifetime>");
	assert_int_equal(compile_xml(xml, NULL, &xfrm_opts, &in, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "rekey-margin must be shorter than lifetime"));
	assert_non_null(strstr(err, "'azure'"));
	assert_null(strstr(err, "correct-horse-battery"));
	assert_null(in.tunnels);
	free(xml);
}

/* ---- numbering ---- */

static char *azure_plus_az0(void)
{
	return edit(slurp("valid-azure-aa.xml"), "</connections>", az0);
}

static void assert_azure_numbers(const struct hgw_intent *in)
{
	assert_int_equal(tunnel(in, "azure", "in0")->iface.nl.if_id, AZURE_IN0_ID);
	assert_int_equal(tunnel(in, "azure", "in1")->iface.nl.if_id, AZURE_IN1_ID);
	assert_string_equal(tunnel(in, "azure", "in0")->iface.nl.name, "hx-azure-0");
	assert_string_equal(tunnel(in, "azure", "in1")->iface.nl.name, "hx-azure-1");
}

static void test_numbers_stable(void **state)
{
	char *xml = slurp("valid-azure-aa.xml"), *xml2 = azure_plus_az0();
	struct hgw_intent a, b, b_fresh, a_again;

	(void)state;
	compile_ok(xml, NULL, &xfrm_opts, &a);
	compile_ok(xml2, &a, &xfrm_opts, &b);
	compile_ok(xml2, NULL, &xfrm_opts, &b_fresh);
	compile_ok(xml, &b, &xfrm_opts, &a_again);
	assert_azure_numbers(&a);
	assert_azure_numbers(&b);
	assert_azure_numbers(&b_fresh);
	assert_azure_numbers(&a_again);
	assert_int_equal(tunnel(&b, "az0", "in0")->iface.nl.if_id, AZ0_IN0_ID);
	assert_string_equal(tunnel(&b, "az0", "in1")->iface.nl.name, "hx-az0-1");
	/* Same config, same numbers: every tunnel of b and b_fresh alike. */
	for (size_t i = 0; i < b.n_tunnels; i++) {
		assert_int_equal(b.tunnels[i].iface.nl.if_id, b_fresh.tunnels[i].iface.nl.if_id);
		assert_string_equal(b.tunnels[i].iface.nl.name, b_fresh.tunnels[i].iface.nl.name);
	}
	hgw_intent_free(&a);
	hgw_intent_free(&b);
	hgw_intent_free(&b_fresh);
	hgw_intent_free(&a_again);
	free(xml);
	free(xml2);
}

/*
 * A running tunnel that holds the number a new one hashes to keeps it; the new one takes
 * the next.  Without prev the sorted order decides: az0 first, so az0 gets its hash.
 */
static void test_numbers_collision(void **state)
{
	char *xml = slurp("valid-azure-aa.xml"), *xml2 = azure_plus_az0();
	struct hgw_intent a, b;

	(void)state;
	compile_ok(xml, NULL, &xfrm_opts, &a);
	a.tunnels[1].iface.nl.if_id = AZ0_IN0_ID; /* azure/in1 */
	compile_ok(xml2, &a, &xfrm_opts, &b);
	assert_int_equal(tunnel(&b, "azure", "in1")->iface.nl.if_id, AZ0_IN0_ID);
	assert_int_equal(tunnel(&b, "azure", "in1")->charon.cfg.if_id_in, AZ0_IN0_ID);
	assert_int_equal(tunnel(&b, "az0", "in0")->iface.nl.if_id, AZ0_IN0_ID + 1);
	assert_int_equal(tunnel(&b, "az0", "in0")->charon.cfg.if_id_out, AZ0_IN0_ID + 1);
	assert_int_equal(tunnel(&b, "azure", "in0")->iface.nl.if_id, AZURE_IN0_ID);
	hgw_intent_free(&a);
	hgw_intent_free(&b);
	free(xml);
	free(xml2);
}

/* ---- diff ---- */

struct expect {
	enum hgw_diff_obj obj;
	const char *key;
	enum hgw_diff_op op;
	bool recreate;
	const char *field; /* NULL: not checked */
};

/*
 * Every item of the diff is KEEP but those listed, which must match exactly; returns the
 * number of items.
 */
static size_t assert_diff(const struct hgw_diff *d, const struct expect *e, size_t n)
{
	size_t found = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct hgw_diff_item *it = &d->v[i];
		size_t j;

		for (j = 0; j < n; j++)
			if (e[j].obj == it->obj && !strcmp(e[j].key, it->key))
				break;
		if (j == n) {
			if (it->op != HGW_DIFF_KEEP)
				fprintf(stderr, "unexpected %s %s %s (%s)\n",
					hgw_diff_op_name(it->op), hgw_diff_obj_name(it->obj),
					it->key, it->field ? it->field : "-");
			assert_int_equal(it->op, HGW_DIFF_KEEP);
			continue;
		}
		found++;
		assert_int_equal(it->op, e[j].op);
		assert_int_equal(it->recreate, e[j].recreate);
		if (e[j].field != NULL)
			assert_string_equal(it->field, e[j].field);
	}
	assert_int_equal(found, n);
	return d->n;
}

static size_t count_op(const struct hgw_diff *d, enum hgw_diff_op op)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].op == op;
	return n;
}

/* Compile both, diff, check, free. */
static void diff_xml(const char *x, const char *y, const struct hgw_intent_opts *opts,
		     const struct expect *e, size_t n, size_t total)
{
	struct hgw_intent a, b;
	struct hgw_diff d;

	compile_ok(x, NULL, opts, &a);
	compile_ok(y, &a, opts, &b);
	assert_int_equal(hgw_intent_diff(&a, &b, &d), 0);
	assert_int_equal(assert_diff(&d, e, n), total);
	hgw_diff_free(&d);
	hgw_intent_free(&a);
	hgw_intent_free(&b);
}

/* global, policy, failover; 4 objects per tunnel; one per private path */
#define AZURE_ITEMS (3 + 2 * 4 + 1)

static void test_diff_identical(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");

	(void)state;
	diff_xml(xml, xml, &xfrm_opts, NULL, 0, AZURE_ITEMS);
	free(xml);
}

static void test_diff_psk(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	char *xml2 = edit(strdup(xml), "correct-horse-battery", "correct-horse-stapler");
	static const struct expect e[] = {
		{ HGW_OBJ_SECRET, "azure/in0", HGW_DIFF_CHANGE, false, "secret.psk" },
		{ HGW_OBJ_SECRET, "azure/in1", HGW_DIFF_CHANGE, false, "secret.psk" },
	};

	(void)state;
	/* The model has one PSK per connection: both of its secrets change, nothing else. */
	diff_xml(xml, xml2, &xfrm_opts, e, 2, AZURE_ITEMS);
	free(xml);
	free(xml2);
}

/* One gateway's secret (the intent has one per tunnel, ready for per-tunnel PSKs). */
static void test_diff_psk_one_gateway(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	static const struct expect e[] = {
		{ HGW_OBJ_SECRET, "azure/in1", HGW_DIFF_CHANGE, false, "secret.psk" },
	};
	struct hgw_intent a, b;
	struct hgw_diff d;

	(void)state;
	compile_ok(xml, NULL, &xfrm_opts, &a);
	compile_ok(xml, &a, &xfrm_opts, &b);
	snprintf(b.tunnels[1].secret.psk, sizeof(b.tunnels[1].secret.psk), "another-key-1");
	assert_int_equal(hgw_intent_diff(&a, &b, &d), 0);
	assert_diff(&d, e, 1);
	/* The item names the field, never the value. */
	for (size_t i = 0; i < d.n; i++)
		assert_true(d.v[i].field == NULL || strstr(d.v[i].field, "another") == NULL);
	hgw_diff_free(&d);
	hgw_intent_free(&a);
	hgw_intent_free(&b);
	free(xml);
}

static const struct expect az0_objects[] = {
	{ HGW_OBJ_IFACE, "az0/in0", 0, false, NULL },
	{ HGW_OBJ_CONN, "az0/in0", 0, false, NULL },
	{ HGW_OBJ_SECRET, "az0/in0", 0, false, NULL },
	{ HGW_OBJ_NEIGHBOR, "az0/in0", 0, false, NULL },
	{ HGW_OBJ_IFACE, "az0/in1", 0, false, NULL },
	{ HGW_OBJ_CONN, "az0/in1", 0, false, NULL },
	{ HGW_OBJ_SECRET, "az0/in1", 0, false, NULL },
	{ HGW_OBJ_NEIGHBOR, "az0/in1", 0, false, NULL },
};

static void test_diff_add_remove(void **state)
{
	char *xml = slurp("valid-azure-aa.xml"), *xml2 = azure_plus_az0();
	struct expect e[8];
	struct hgw_intent a, b;
	struct hgw_diff d;

	(void)state;
	memcpy(e, az0_objects, sizeof(e));
	for (size_t i = 0; i < 8; i++)
		e[i].op = HGW_DIFF_ADD;
	diff_xml(xml, xml2, &xfrm_opts, e, 8, AZURE_ITEMS + 8);
	for (size_t i = 0; i < 8; i++)
		e[i].op = HGW_DIFF_REMOVE;
	diff_xml(xml2, xml, &xfrm_opts, e, 8, AZURE_ITEMS + 8);
	/* From nothing, everything is an ADD; to nothing, a REMOVE. */
	compile_ok(xml, NULL, &xfrm_opts, &a);
	memset(&b, 0, sizeof(b));
	assert_int_equal(hgw_intent_diff(NULL, &a, &d), 0);
	assert_int_equal(count_op(&d, HGW_DIFF_ADD), 2 * 4 + 1);
	hgw_diff_free(&d);
	assert_int_equal(hgw_intent_diff(&a, &b, &d), 0);
	assert_int_equal(count_op(&d, HGW_DIFF_REMOVE), 2 * 4 + 1);
	hgw_diff_free(&d);
	hgw_intent_free(&a);
	free(xml);
	free(xml2);
}

static void test_diff_hold_time(void **state)
{
	char *xml = slurp("valid-aws.xml");
	char *xml2 = edit(strdup(xml), "<hold-time>30</hold-time>", "<hold-time>90</hold-time>");
	static const struct expect e[] = {
		{ HGW_OBJ_NEIGHBOR, "aws/t1", HGW_DIFF_CHANGE, false, "neighbor.timers" },
	};

	(void)state;
	diff_xml(xml, xml2, &xfrm_opts, e, 1, 3 + 2 * 4);
	free(xml);
	free(xml2);
}

/* A VTI is bound to the peer's address: a new one re-creates it and re-initiates. */
static void test_diff_remote_vti(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	char *xml2 = edit(strdup(xml), "203.0.113.10", "203.0.113.40");
	static const struct expect e[] = {
		{ HGW_OBJ_IFACE, "azure/in0", HGW_DIFF_CHANGE, true, "iface.nl.remote" },
		{ HGW_OBJ_CONN, "azure/in0", HGW_DIFF_CHANGE, true, "charon.remote_addrs" },
		{ HGW_OBJ_SECRET, "azure/in0", HGW_DIFF_CHANGE, false, "secret.owners" },
	};

	(void)state;
	diff_xml(xml, xml2, &vti_opts, e, 3, AZURE_ITEMS);
	free(xml);
	free(xml2);
}

/* An XFRM interface is not: it stays, the charon connection re-initiates. */
static void test_diff_remote_xfrm(void **state)
{
	char *xml = slurp("valid-aws.xml");
	char *xml2 = edit(strdup(xml), "192.0.2.11", "192.0.2.41");
	static const struct expect e[] = {
		{ HGW_OBJ_CONN, "aws/t2", HGW_DIFF_CHANGE, true, "charon.remote_addrs" },
		{ HGW_OBJ_SECRET, "aws/t2", HGW_DIFF_CHANGE, false, "secret.owners" },
	};

	(void)state;
	diff_xml(xml, xml2, &xfrm_opts, e, 2, 3 + 2 * 4);
	free(xml);
	free(xml2);
}

/*
 * A new inside address makes the interface again (the first recreating field is named, not
 * the link-local that follows it); the link-local alone would change in place.
 */
static void test_diff_inside_address(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	char *xml2 = edit(strdup(xml), "<local-address>169.254.21.2</local-address>",
			  "<local-address>169.254.21.6</local-address>");
	static const struct expect e[] = {
		{ HGW_OBJ_IFACE, "azure/in0", HGW_DIFF_CHANGE, true, "iface.inside_local" },
		{ HGW_OBJ_NEIGHBOR, "azure/in0", HGW_DIFF_CHANGE, true, NULL },
	};
	static const struct expect ll[] = {
		{ HGW_OBJ_IFACE, "azure/in0", HGW_DIFF_CHANGE, false, "iface.nl.ll" },
	};
	struct hgw_intent a, b;
	struct hgw_diff d;

	(void)state;
	diff_xml(xml, xml2, &vti_opts, e, 2, AZURE_ITEMS);
	compile_ok(xml, NULL, &vti_opts, &a);
	compile_ok(xml, &a, &vti_opts, &b);
	assert_ll(&b.tunnels[0], "fe80::a9fe:1502");
	b.tunnels[0].iface.nl.ll.s6_addr[15] = 0x06;
	assert_int_equal(hgw_intent_diff(&a, &b, &d), 0);
	assert_diff(&d, ll, 1);
	hgw_diff_free(&d);
	hgw_intent_free(&a);
	hgw_intent_free(&b);
	free(xml);
	free(xml2);
}

/* TCP MSS: the profile's when unset, the leaf's, or off; a change is made in place. */
static void test_mss(void **state)
{
	char *az = slurp("valid-azure-aa.xml");
	char *aws = slurp("valid-aws.xml");
	char *az1300 = edit(strdup(az), "<profile>azure</profile>",
			    "<profile>azure</profile><tcp-mss>1300</tcp-mss>");
	char *azoff = edit(strdup(az), "<profile>azure</profile>",
			   "<profile>azure</profile><tcp-mss>off</tcp-mss>");
	static const struct expect e[] = {
		{ HGW_OBJ_IFACE, "azure/in0", HGW_DIFF_CHANGE, false, "iface.mss" },
		{ HGW_OBJ_IFACE, "azure/in1", HGW_DIFF_CHANGE, false, "iface.mss" },
	};
	struct hgw_intent in;

	(void)state;
	compile_ok(az, NULL, &vti_opts, &in);
	assert_int_equal(in.tunnels[0].iface.mss, 1350);
	assert_int_equal(in.tunnels[1].iface.mss, 1350);
	hgw_intent_free(&in);
	compile_ok(aws, NULL, &xfrm_opts, &in);
	assert_int_equal(in.tunnels[0].iface.mss, 1387);
	hgw_intent_free(&in);
	compile_ok(az1300, NULL, &vti_opts, &in);
	assert_int_equal(in.tunnels[0].iface.mss, 1300);
	hgw_intent_free(&in);
	compile_ok(azoff, NULL, &vti_opts, &in);
	assert_int_equal(in.tunnels[0].iface.mss, 0);
	hgw_intent_free(&in);
	diff_xml(az, az1300, &vti_opts, e, 2, AZURE_ITEMS);
	free(az);
	free(aws);
	free(az1300);
	free(azoff);
}

/* Proposals take effect at the next rekey: in place. */
static void test_diff_proposal(void **state)
{
	char *xml = slurp("valid-aws.xml");
	char *xml2 = edit(strdup(xml), "<encryption>aes128</encryption>",
			  "<encryption>aes256</encryption>");
	static const struct expect e[] = {
		{ HGW_OBJ_CONN, "aws/t1", HGW_DIFF_CHANGE, false, "charon.ike_proposals" },
		{ HGW_OBJ_CONN, "aws/t2", HGW_DIFF_CHANGE, false, "charon.ike_proposals" },
	};

	(void)state;
	diff_xml(xml, xml2, &xfrm_opts, e, 2, 3 + 2 * 4);
	free(xml);
	free(xml2);
}

/* A new local ASN is a new BGP instance: every session is made again. */
static void test_diff_local_asn(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	char *xml2 =
		edit(strdup(xml), "<local-asn>65010</local-asn>", "<local-asn>65011</local-asn>");
	static const struct expect e[] = {
		{ HGW_OBJ_GLOBAL, "", HGW_DIFF_CHANGE, true, "local_asn" },
		{ HGW_OBJ_NEIGHBOR, "azure/in0", HGW_DIFF_CHANGE, true, "global.local_asn" },
		{ HGW_OBJ_NEIGHBOR, "azure/in1", HGW_DIFF_CHANGE, true, "global.local_asn" },
		{ HGW_OBJ_PRIVATE, "er", HGW_DIFF_CHANGE, true, "global.local_asn" },
	};

	(void)state;
	diff_xml(xml, xml2, &xfrm_opts, e, 4, AZURE_ITEMS);
	free(xml);
	free(xml2);
}

static void test_diff_policy(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	char *xml2 =
		edit(strdup(xml), "<max-prefix>1000</max-prefix>", "<max-prefix>900</max-prefix>");
	static const struct expect e[] = {
		{ HGW_OBJ_POLICY, "", HGW_DIFF_CHANGE, false, "policy" },
	};

	(void)state;
	diff_xml(xml, xml2, &xfrm_opts, e, 1, AZURE_ITEMS);
	free(xml);
	free(xml2);
}

/* ---- the FRR part ---- */

/* Render the intent of xml through hgw_intent_frr() and frr_render() into one text. */
static char *render_xml(const char *xml, char *err, size_t size, int *res)
{
	struct hgw_intent in;
	struct frr_intent fi;
	struct frr_conf conf;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	compile_ok(xml, NULL, &xfrm_opts, &in);
	*res = hgw_intent_frr(&in, NULL, &fi, err, size);
	hgw_intent_free(&in);
	if (*res < 0)
		return NULL;
	frr_conf_init(&conf);
	assert_int_equal(frr_render(&fi, &conf, err, size), 0);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(frr_conf_write(&conf, f), 0);
	fclose(f);
	if (getenv("HGW_TEST_VERBOSE") != NULL)
		fputs(text, stderr);
	frr_conf_clear(&conf);
	hgw_intent_frr_free(&fi);
	return text;
}

static void test_frr_azure(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	char err[512];
	int r;
	char *text;

	(void)state;
	xml = edit(xml, "<maximum-paths>2</maximum-paths>",
		   "<maximum-paths>2</maximum-paths><originate>198.18.128.0/24</originate>");
	text = render_xml(xml, err, sizeof(err), &r);
	assert_int_equal(r, 0);
	/* one class per connection and per private path; private preferred */
	assert_non_null(strstr(text, "neighbor HGW-V-azure peer-group"));
	assert_non_null(strstr(text, "neighbor HGW-P-er peer-group"));
	assert_non_null(strstr(text, "neighbor 169.254.21.1 peer-group HGW-V-azure"));
	assert_non_null(strstr(text, "neighbor 169.254.22.1 peer-group HGW-V-azure"));
	assert_non_null(strstr(text, "neighbor 198.19.0.1 peer-group HGW-P-er"));
	assert_non_null(strstr(text, "set local-preference 200"));
	assert_non_null(strstr(text, "network 198.18.128.0/24"));
	assert_non_null(strstr(text, "maximum-paths 2"));
	assert_non_null(strstr(text, "198.18.128.0/17 le 24"));
	assert_non_null(strstr(text, "profile HGW-er"));
	free(text);
	free(xml);
}

static void test_frr_tunnels_preferred(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	char err[512], *text, *vpn, *priv;
	int r;

	(void)state;
	xml = edit(xml, "<maximum-paths>2</maximum-paths>",
		   "<preferred-path>tunnels</preferred-path><maximum-paths>2</maximum-paths>");
	text = render_xml(xml, err, sizeof(err), &r);
	assert_int_equal(r, 0);
	vpn = strstr(text, "route-map HGW-V-azure-IN");
	priv = strstr(text, "route-map HGW-P-er-IN");
	assert_non_null(vpn);
	assert_non_null(priv);
	/* each route-map's own local-preference comes before the next route-map */
	assert_true(strstr(vpn, "set local-preference 200") <
		    (priv > vpn ? priv : vpn + strlen(vpn)));
	assert_non_null(strstr(priv, "set local-preference 100"));
	free(text);
	free(xml);
}

/* BFD on the tunnels' sessions, where the peer speaks it (profile generic). */
static void test_frr_tunnel_bfd(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	char err[512], *text;
	int r;

	(void)state;
	xml = edit(xml, "<profile>azure</profile>",
		   "<profile>generic</profile><bfd-profile>er</bfd-profile>");
	text = render_xml(xml, err, sizeof(err), &r);
	assert_int_equal(r, 0);
	assert_non_null(strstr(text, "neighbor HGW-V-azure bfd profile HGW-er"));
	assert_non_null(strstr(text, "neighbor HGW-P-er bfd profile HGW-er"));
	free(text);
	free(xml);
	/* without it, no BFD on the tunnels */
	xml = edit(slurp("valid-azure-aa.xml"), "<profile>azure</profile>",
		   "<profile>generic</profile>");
	text = render_xml(xml, err, sizeof(err), &r);
	assert_int_equal(r, 0);
	assert_null(strstr(text, "neighbor HGW-V-azure bfd"));
	free(text);
	free(xml);
}

static void test_frr_refuses_deny(void **state)
{
	char *xml = slurp("valid-azure-aa.xml");
	char err[512], *text;
	int r;

	(void)state;
	xml = edit(xml, "<seq>10</seq>", "<seq>10</seq><action>deny</action>");
	text = render_xml(xml, err, sizeof(err), &r);
	assert_null(text);
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(err, "prefix-list 'onprem' entry 10"));
	assert_non_null(strstr(err, "le"));
	free(xml);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(hgw_diff_op_name(HGW_DIFF_REMOVE), "remove");
	assert_string_equal(hgw_diff_obj_name(HGW_OBJ_FAILOVER), "failover");
	assert_null(hgw_diff_op_name((enum hgw_diff_op)4));
	assert_null(hgw_diff_obj_name((enum hgw_diff_obj)8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_azure_xfrm),
		cmocka_unit_test(test_compile_azure_vti),
		cmocka_unit_test(test_compile_aws),
		cmocka_unit_test(test_compile_aws_default_hold),
		cmocka_unit_test(test_compile_empty),
		cmocka_unit_test(test_compile_disabled),
		cmocka_unit_test(test_compile_margin_error),
		cmocka_unit_test(test_numbers_stable),
		cmocka_unit_test(test_numbers_collision),
		cmocka_unit_test(test_diff_identical),
		cmocka_unit_test(test_diff_psk),
		cmocka_unit_test(test_diff_psk_one_gateway),
		cmocka_unit_test(test_diff_add_remove),
		cmocka_unit_test(test_diff_hold_time),
		cmocka_unit_test(test_diff_remote_vti),
		cmocka_unit_test(test_diff_remote_xfrm),
		cmocka_unit_test(test_diff_inside_address),
		cmocka_unit_test(test_diff_proposal),
		cmocka_unit_test(test_mss),
		cmocka_unit_test(test_diff_local_asn),
		cmocka_unit_test(test_diff_policy),
		cmocka_unit_test(test_frr_azure),
		cmocka_unit_test(test_frr_tunnels_preferred),
		cmocka_unit_test(test_frr_tunnel_bfd),
		cmocka_unit_test(test_frr_refuses_deny),
		cmocka_unit_test(test_names),
	};
	int r;

	ctx = test_nc_ctx();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	ly_ctx_destroy(ctx);
	return r;
}
