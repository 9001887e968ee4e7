/*
 * nl_mss.h - TCP MSS clamping for traffic forwarded through the tunnel interfaces, in
 * nf_tables, spoken over netlink with libnl (no libnftnl, no nft binary).
 *
 * Why: a tunnel's MTU (1400-1436) is below the LAN's, so a host behind the router that
 * announces an MSS of 1460 gets segments the tunnel must fragment, or drops when DF is
 * set and ICMP is filtered: the classic "ping works, HTTPS hangs".  Clouds ask for the
 * clamp (Azure 1350, AWS 1387 in its sample).  Only netfilter can rewrite forwarded SYNs.
 *
 * What the kernel gets: table inet "hybridgw" (ours: any table of that name is replaced),
 * base chain "mss-clamp", type filter, hook forward, priority -150 (mangle), policy accept,
 * and per interface two rules, the nft equivalent of
 *
 *	oifname "IF" meta l4proto tcp tcp flags & (syn | rst) == syn tcp option maxseg size set MSS
 *	iifname "IF" meta l4proto tcp tcp flags & (syn | rst) == syn tcp option maxseg size set MSS
 *
 * so SYN and SYN-ACK are clamped both ways.  The kernel only ever lowers an MSS option
 * (nft_exthdr's TCP option write), so a smaller one a host announced stands.  Each rule
 * carries its meaning in its user data ("hgw-mss IF MSS out|in"), which is what
 * hgw_nl_mss_list() reads back.
 *
 * Atomic: hgw_nl_mss_apply() sends the whole set as one nf_tables transaction (a batch):
 * "add table; delete table; add table, chain, rules".  The kernel commits all of it or none,
 * and packets never see a moment without clamping, also when a restarted daemon replaces
 * what it left.
 *
 * Needs: nf_tables with the inet family (CONFIG_NF_TABLES_INET) and the TCP option write
 * of nft_exthdr (Linux >= 4.14).  Debian's kernels have both; the UML lab's has no
 * NF_TABLES_IPV4 (hence no inet), which hgw_nl_mss_apply() reports as -EOPNOTSUPP.
 */
#ifndef HGW_NL_MSS_H
#define HGW_NL_MSS_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#define HGW_NL_MSS_TABLE "hybridgw"
#define HGW_NL_MSS_CHAIN "mss-clamp"
#define HGW_NL_MSS_MIN 536
#define HGW_NL_MSS_MAX 65495

struct hgw_nl_mss;

struct hgw_nl_mss_rule {
	char ifname[IFNAMSIZ];
	uint16_t mss;
};

/* A netfilter netlink socket of its own.  0, -ENOMEM, or -EPROTONOSUPPORT (no nfnetlink). */
int hgw_nl_mss_new(struct hgw_nl_mss **out);
/* Accepts NULL. */
void hgw_nl_mss_free(struct hgw_nl_mss *m);

/*
 * Replace the whole clamping set with rules[0, n) in one transaction; n == 0 removes the
 * table (absent is fine).  0; -EINVAL for an empty or too long name, an MSS outside
 * HGW_NL_MSS_MIN..MAX, or an interface named twice; -EOPNOTSUPP when the kernel has no
 * nf_tables inet family (or no nf_tables); else the kernel's -errno.  On error the kernel
 * keeps what it had.
 */
int hgw_nl_mss_apply(struct hgw_nl_mss *m, const struct hgw_nl_mss_rule *rules, size_t n);

/*
 * What is installed: one entry per interface that has both of its rules with the same MSS,
 * sorted by name.  *out is malloc'ed (free()), NULL when *n is 0.  No table: 0, none.
 */
int hgw_nl_mss_list(struct hgw_nl_mss *m, struct hgw_nl_mss_rule **out, size_t *n);

/*
 * One message of the rule dump: whether it is a rule of our chain, and its user data's
 * interface, MSS and direction (*in: the iifname rule).  1: ours, 0: another's or not a
 * rule, -EINVAL: malformed.  Pure, for the fuzz target (tests/fuzz/fuzz_nl_mss.c).
 */
int hgw_nl_mss_parse_rule(const void *msg, size_t len, struct hgw_nl_mss_rule *out, int *in);

#endif
