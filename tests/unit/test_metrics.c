/*
 * test_metrics.c - golden files for the Prometheus renderer (daemons/hybridgwd/metrics.c),
 * and a check of the exposition format on every rendering.
 *
 *	golden/metrics/NAME.xml  ->  NAME.prom   (an operational tree: running and state)
 *	(no tree)                ->  empty.prom  (a --config-only daemon with nothing configured)
 *	golden/ctl/state-azure-aa.xml  ->  golden/metrics/state-azure-aa.prom
 *
 * The last one, the lab's <get> that hybridgwctl's tests use too, is skipped while that file
 * does not exist.
 *
 * HGW_GOLDEN_UPDATE=1 rewrites the expected files from the current output (review the diff
 * before committing it):
 *
 *	HGW_GOLDEN_UPDATE=1 make check TESTS=tests/unit/test_metrics
 *
 * The format check (text format 0.0.4): every line is a HELP, a TYPE or a sample; each
 * family has exactly one HELP and one TYPE, before its samples, and its samples together;
 * names are hybridgw_*, counters end in _total; label values are escaped; no two samples
 * of a family have the same labels.
 */
#include "config.h"

#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "golden.h"
#include <libyang/libyang.h>

#include "metrics.h"
#include "test_nc_util.h"
#include "util.h"

static char golden_dir[4096];
static char ctl_fixture[4096];
static struct ly_ctx *ctx;

/* The counters every fixture is rendered with (all different, to see each one land). */
static const struct metrics_counters busy = {
	.version = "0.0.0-test",
	.commits = 12,
	.commit_failures = 2,
	.last_commit_us = 412500,
	.links_up = 5,
	.links_down = 3,
	.child_rekeys = 7,
	.ike_rekeys = 1,
	.charon_repushes = 4,
};

/*
 * An operational tree from XML, parsed but not validated (fixtures may be partial): the
 * bare <hybridgw> element, or a NETCONF <data> or <rpc-reply><data> around it.
 */
static struct lyd_node *load_tree(const char *path)
{
	struct lyd_node *tree = NULL;
	char *text = golden_read(path), *start, *end;

	if (text == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	start = strstr(text, "<hybridgw ");
	end = strstr(text, "</hybridgw>");
	if (start == NULL || end == NULL)
		fail_msg("%s: no <hybridgw> element", path);
	end[strlen("</hybridgw>")] = '\0';
	if (lyd_parse_data_mem(ctx, start, LYD_XML, LYD_PARSE_ONLY | LYD_PARSE_STRICT, 0, &tree) !=
	    LY_SUCCESS)
		fail_msg("%s: %s", path, ly_errmsg(ctx));
	free(text);
	return tree;
}

static char *render(const struct lyd_node *tree, const struct metrics_counters *cnt)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int r;

	assert_non_null(f);
	r = metrics_render(tree, cnt, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(r, 0);
	return buf;
}

/* ---- the format check */

#define NAME "[a-zA-Z_:][a-zA-Z0-9_:]*"
#define LABEL "[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\[\\\\\"n])*\""
#define VALUE "(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf)"

struct format {
	regex_t sample, help, type;
	char family[128];  /* the one whose samples come now */
	char seen[8192];   /* " name name ..." of the families done */
	char labels[4096]; /* the previous sample's, with its name */
	char labels_now[4096];
	bool typed;
};

static void format_init(struct format *fm)
{
	memset(fm, 0, sizeof(*fm));
	fm->seen[0] = ' ';
	assert_int_equal(regcomp(&fm->sample,
				 "^(" NAME ")(\\{" LABEL "(," LABEL ")*\\})? " VALUE "$",
				 REG_EXTENDED),
			 0);
	assert_int_equal(regcomp(&fm->help, "^# HELP (" NAME ") [^\n]*[^ \n]$", REG_EXTENDED), 0);
	assert_int_equal(regcomp(&fm->type, "^# TYPE (" NAME ") (counter|gauge)$", REG_EXTENDED),
			 0);
}

static void format_free(struct format *fm)
{
	regfree(&fm->sample);
	regfree(&fm->help);
	regfree(&fm->type);
}

static void match_name(const char *line, const regmatch_t *m, char *name, size_t size)
{
	snprintf(name, size, "%.*s", (int)(m->rm_eo - m->rm_so), line + m->rm_so);
}

static void format_line(struct format *fm, const char *line)
{
	regmatch_t m[2];
	char name[128], key[160];

	if (regexec(&fm->help, line, 2, m, 0) == 0) {
		match_name(line, &m[1], name, sizeof(name));
		snprintf(key, sizeof(key), " %s ", name);
		if (strstr(fm->seen, key) != NULL)
			fail_msg("family %s comes twice", name);
		if (strncmp(name, "hybridgw_", 9) != 0)
			fail_msg("%s: not hybridgw_*", name);
		snprintf(fm->family, sizeof(fm->family), "%s", name);
		strncat(fm->seen, key + 1, sizeof(fm->seen) - strlen(fm->seen) - 1);
		fm->typed = false;
		fm->labels[0] = '\0';
		return;
	}
	if (regexec(&fm->type, line, 2, m, 0) == 0) {
		match_name(line, &m[1], name, sizeof(name));
		if (strcmp(name, fm->family) != 0 || fm->typed)
			fail_msg("TYPE of %s not right after its HELP", name);
		if (strstr(line, " counter") != NULL &&
		    (strlen(name) < 6 || strcmp(name + strlen(name) - 6, "_total") != 0))
			fail_msg("counter %s does not end in _total", name);
		fm->typed = true;
		return;
	}
	if (regexec(&fm->sample, line, 2, m, 0) != 0)
		fail_msg("not a HELP, TYPE or sample line: '%s'", line);
	match_name(line, &m[1], name, sizeof(name));
	if (strcmp(name, fm->family) != 0 || !fm->typed)
		fail_msg("sample of %s outside its family (HELP/TYPE of %s)", name, fm->family);
	/* name and labels: everything before the last space (values have none) */
	snprintf(fm->labels_now, sizeof(fm->labels_now), "%.*s", (int)(strrchr(line, ' ') - line),
		 line);
	if (strcmp(fm->labels_now, fm->labels) == 0)
		fail_msg("two samples %s", fm->labels);
	snprintf(fm->labels, sizeof(fm->labels), "%s", fm->labels_now);
}

/* Check a whole exposition; it must end in a newline. */
static void check_format(const char *text)
{
	struct format fm;
	const char *line = text, *nl;
	char buf[4096];

	format_init(&fm);
	assert_true(text[0] != '\0');
	assert_int_equal(text[strlen(text) - 1], '\n');
	for (; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_true((size_t)(nl - line) < sizeof(buf));
		snprintf(buf, sizeof(buf), "%.*s", (int)(nl - line), line);
		format_line(&fm, buf);
	}
	assert_true(fm.typed);
	format_free(&fm);
}

/* ---- the cases */

static int golden_case(const char *xml, const char *prom)
{
	struct lyd_node *tree = load_tree(xml);
	char *got = render(tree, &busy);
	int r;

	check_format(got);
	r = golden_check(prom, got);
	free(got);
	lyd_free_all(tree);
	return r;
}

static void test_golden(void **state)
{
	static const char *const names[] = { "lab-state", "escape" };
	char xml[4200], prom[4200];
	int failures = 0;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(xml, sizeof(xml), "%s/%s.xml", golden_dir, names[i]);
		snprintf(prom, sizeof(prom), "%s/%s.prom", golden_dir, names[i]);
		failures += golden_case(xml, prom);
	}
	assert_int_equal(failures, 0);
}

/* The lab's <get> that hybridgwctl's golden tests render too. */
static void test_golden_ctl_fixture(void **state)
{
	char prom[4200];

	(void)state;
	snprintf(prom, sizeof(prom), "%s/state-azure-aa.prom", golden_dir);
	assert_int_equal(golden_case(ctl_fixture, prom), 0);
}

/* Nothing configured, no coordinator: the daemon's own metrics, and nothing else. */
static void test_empty(void **state)
{
	const struct metrics_counters none = { .version = "0.0.0-test", .config_only = true };
	struct lyd_node *tree = NULL;
	char prom[4200], *got;

	(void)state;
	got = render(NULL, &none);
	check_format(got);
	snprintf(prom, sizeof(prom), "%s/empty.prom", golden_dir);
	assert_int_equal(golden_check(prom, got), 0);
	assert_null(strstr(got, "hybridgw_tunnel_up"));
	assert_null(strstr(got, "hybridgw_bgp"));
	assert_null(strstr(got, "hybridgw_last_commit_duration_seconds"));
	free(got);

	/* a tree without the hybridgw container renders the same */
	assert_int_equal(
		lyd_new_path(NULL, ctx, "/ietf-netconf-acm:nacm/enable-nacm", "true", 0, &tree),
		LY_SUCCESS);
	got = render(tree, &none);
	assert_int_equal(golden_check(prom, got), 0);
	free(got);
	lyd_free_all(tree);
}

/* Escaped label values, the state sets, what is left out. */
static void test_details(void **state)
{
	struct lyd_node *tree;
	char path[4200], *got;

	(void)state;
	snprintf(path, sizeof(path), "%s/escape.xml", golden_dir);
	tree = load_tree(path);
	got = render(tree, &busy);
	assert_non_null(strstr(got, "interface=\"a\\\"b\\\\c\\nd\""));
	assert_non_null(strstr(got, "hybridgw_private_path_carrier{private_path=\"dx\","
				    "interface=\"dx\\\"0\\\\\"} 0\n"));
	/* no state: down, and nothing else about it */
	assert_non_null(strstr(got, "hybridgw_tunnel_up{connection=\"aws\",gateway=\"t0\"} 0\n"));
	assert_null(strstr(got, "hybridgw_tunnel_state{connection=\"aws\",gateway=\"t0\""));
	assert_non_null(strstr(got, "hybridgw_bgp_peer_up{path_class=\"tunnel\",path=\"aws/t0\","
				    "peer=\"169.254.10.5\"} 0\n"));
	/* a state set: one sample per value */
	assert_non_null(strstr(got, "state=\"openconfirm\"} 1\n"));
	assert_non_null(strstr(got, "state=\"established\"} 0\n"));
	/* BFD unknown: left out; down: 0 */
	assert_null(strstr(got, "hybridgw_bgp_bfd_up{path_class=\"tunnel\""));
	assert_non_null(strstr(got, "hybridgw_bgp_bfd_up{path_class=\"private\",path=\"dx\","
				    "peer=\"198.18.2.2\"} 0\n"));
	/* the last switch has no gap: no gap metric, the timestamp is there */
	assert_null(strstr(got, "hybridgw_failover_last_gap_seconds"));
	assert_non_null(strstr(got, "hybridgw_failover_last_switch_timestamp_seconds{prefix="
				    "\"198.19.30.0/24\"} 1714564800\n"));
	assert_non_null(strstr(got, "hybridgw_route_ecmp_width{prefix=\"198.19.31.0/24\"} 0\n"));
	free(got);
	lyd_free_all(tree);
}

/* Samples do not depend on the order of list entries in the tree. */
static void test_order(void **state)
{
	struct lyd_node *a, *b, *conn, *first;
	char path[4200], *ga, *gb;

	(void)state;
	snprintf(path, sizeof(path), "%s/lab-state.xml", golden_dir);
	a = load_tree(path);
	b = load_tree(path);
	/* move b's first gateway behind the second */
	assert_int_equal(lyd_find_path(b, "/hybridgw:hybridgw/connections/connection[name='azure']",
				       0, &conn),
			 LY_SUCCESS);
	assert_int_equal(lyd_find_path(conn, "gateway[name='in0']", 0, &first), LY_SUCCESS);
	lyd_unlink_tree(first);
	assert_int_equal(lyd_insert_child(conn, first), LY_SUCCESS);
	ga = render(a, &busy);
	gb = render(b, &busy);
	assert_string_equal(ga, gb);
	free(ga);
	free(gb);
	lyd_free_all(a);
	lyd_free_all(b);
}

/* A stream that fails is an error, not a silent truncation. */
static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	int r;

	(void)state;
	if (f == NULL)
		skip();
	r = metrics_render(NULL, &busy, f);
	fclose(f);
	assert_int_equal(r, -EIO);
}

int main(void)
{
	const char *src = getenv("HGW_TEST_SRCDIR");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden), cmocka_unit_test(test_golden_ctl_fixture),
		cmocka_unit_test(test_empty),  cmocka_unit_test(test_details),
		cmocka_unit_test(test_order),  cmocka_unit_test(test_write_error),
	};
	int r;

	snprintf(golden_dir, sizeof(golden_dir), "%s/golden/metrics", src ? src : "tests/unit");
	snprintf(ctl_fixture, sizeof(ctl_fixture), "%s/golden/ctl/state-azure-aa.xml",
		 src ? src : "tests/unit");
	ctx = test_nc_ctx();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	ly_ctx_destroy(ctx);
	return r;
}
