/*
 * views_tunnel.c - the tunnel views: show connections, show ike-sa, show ipsec-sa.
 *
 * All three read /hybridgw/connections/connection/gateway: the configured gateway (so a
 * tunnel without state is still listed) and its tunnel container (charon's IKE_SA and
 * CHILD_SAs, the kernel's SAs, the link and the liveness probe).
 */
#include "config.h"

#include <string.h>

#include "util.h"
#include "views_internal.h"

#define GATEWAYS_XPATH "/hybridgw:hybridgw/connections/connection/gateway"
#define NO_TUNNELS "no tunnels configured\n"

/* Call fn for every gateway of every connection, in the data's order. */
static void each_gateway(struct vctx *v, const struct lyd_node *data, struct json_object *rows,
			 void (*fn)(struct vctx *v, const struct lyd_node *conn,
				    const struct lyd_node *gw, struct json_object *row))
{
	const struct lyd_node *conn, *gw;
	struct json_object *row;

	YD_FOREACH(yd_top(data, "connections"), "connection", conn)
	{
		YD_FOREACH(conn, "gateway", gw)
		{
			row = new_object(v);
			put_str(v, row, "connection", yd_leaf(conn, "name"));
			put_str(v, row, "gateway", yd_leaf(gw, "name"));
			fn(v, conn, gw, row);
			put(v, rows, NULL, row);
		}
	}
}

/* "azure/in0" */
static const char *tunnel_name(struct json_object *row, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", cell_str(row, "connection"), cell_str(row, "gateway"));
	return buf;
}

/* "198.18.0.1:500", "198.18.0.1" without a port, "-" without an address */
static const char *endpoint(struct json_object *obj, const char *addr, const char *port, char *buf,
			    size_t size)
{
	if (sub(obj, addr) == NULL)
		return "-";
	if (sub(obj, port) == NULL)
		return cell_str(obj, addr);
	snprintf(buf, size, "%s:%s", cell_str(obj, addr), cell_str(obj, port));
	return buf;
}

/* ---- show connections ---- */

static void connection_row(struct vctx *v, const struct lyd_node *conn, const struct lyd_node *gw,
			   struct json_object *row)
{
	const struct lyd_node *tunnel = yd_child(gw, "tunnel");

	(void)conn;
	put_str(v, row, "remote_address", yd_leaf(gw, "remote-address"));
	put_str(v, row, "interface", yd_leaf(tunnel, "interface"));
	put_str(v, row, "tunnel_state", yd_leaf(tunnel, "state"));
	put_str(v, row, "liveness", yd_leaf(tunnel, "liveness"));
	put_str(v, row, "bgp_peer", yd_leaf(gw, "bgp/peer-address"));
	put_str(v, row, "bgp_state", yd_leaf(gw, "bgp/bgp-state/state"));
	put_str(v, row, "up_since", yd_leaf(tunnel, "up-since"));
	put_age(v, row, "uptime_s", yd_leaf(tunnel, "up-since"));
	put_u64(v, row, "prefixes_received", yd_leaf(gw, "bgp/bgp-state/prefixes-received"));
}

static void connections_collect(struct vctx *v, const struct lyd_node *data,
				struct json_object *rows)
{
	each_gateway(v, data, rows, connection_row);
}

static void connections_text(struct vctx *v, struct json_object *rows, FILE *out)
{
	static const struct table_column cols[] = {
		{ "Connection", false }, { "Gateway", false },	 { "Remote", false },
		{ "Interface", false },	 { "Tunnel", false },	 { "Liveness", false },
		{ "BGP peer", false },	 { "BGP state", false }, { "Uptime", false },
		{ "PfxRcd", true },
	};
	struct table *t;
	char dur[32];
	size_t i;

	if (json_object_array_length(rows) == 0) {
		fputs(NO_TUNNELS, out);
		return;
	}
	if ((t = view_table(v, cols, ARRAY_SIZE(cols))) == NULL)
		return;
	for (i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);

		table_row(t);
		table_cell(t, "%s", cell_str(r, "connection"));
		table_cell(t, "%s", cell_str(r, "gateway"));
		table_cell(t, "%s", cell_str(r, "remote_address"));
		table_cell(t, "%s", cell_str(r, "interface"));
		table_cell(t, "%s", cell_str(r, "tunnel_state"));
		table_cell(t, "%s", cell_str(r, "liveness"));
		table_cell(t, "%s", cell_str(r, "bgp_peer"));
		table_cell(t, "%s", cell_str(r, "bgp_state"));
		table_cell(t, "%s", cell_duration(r, "uptime_s", dur, sizeof(dur)));
		table_cell(t, "%s", cell_str(r, "prefixes_received"));
	}
	view_table_done(v, t, out, "");
}

const struct view_def view_connections = {
	.name = "connections",
	.slug = "connections",
	.xpath = GATEWAYS_XPATH,
	.key = "connections",
	.collect = connections_collect,
	.text = connections_text,
};

/* ---- show ike-sa ---- */

static struct json_object *ike_sa(struct vctx *v, const struct lyd_node *sa)
{
	struct json_object *o = new_object(v);

	put_u64(v, o, "unique_id", yd_leaf(sa, "unique-id"));
	put_str(v, o, "state", yd_leaf(sa, "state"));
	put_u64(v, o, "version", yd_leaf(sa, "version"));
	put_str(v, o, "role", yd_leaf(sa, "role"));
	put_str(v, o, "local_address", yd_leaf(sa, "local-address"));
	put_u64(v, o, "local_port", yd_leaf(sa, "local-port"));
	put_str(v, o, "remote_address", yd_leaf(sa, "remote-address"));
	put_u64(v, o, "remote_port", yd_leaf(sa, "remote-port"));
	put_str(v, o, "local_id", yd_leaf(sa, "local-id"));
	put_str(v, o, "remote_id", yd_leaf(sa, "remote-id"));
	put_bool(v, o, "nat_traversal", yd_leaf(sa, "nat-traversal"));
	put_str(v, o, "auth_method", yd_leaf(sa, "auth-method"));
	put_str(v, o, "initiator_spi", yd_leaf(sa, "initiator-spi"));
	put_str(v, o, "responder_spi", yd_leaf(sa, "responder-spi"));
	put_str(v, o, "encryption", yd_leaf(sa, "encryption"));
	put_str(v, o, "integrity", yd_leaf(sa, "integrity"));
	put_str(v, o, "prf", yd_leaf(sa, "prf"));
	put_str(v, o, "dh_group", yd_leaf(sa, "dh-group"));
	put_str(v, o, "established_since", yd_leaf(sa, "established-since"));
	put_age(v, o, "established_s", yd_leaf(sa, "established-since"));
	put_u64(v, o, "rekey_in_s", yd_leaf(sa, "rekey-in"));
	put_u64(v, o, "reauth_in_s", yd_leaf(sa, "reauth-in"));
	return o;
}

static void ike_child(struct vctx *v, const struct lyd_node *child, struct json_object *o)
{
	put_u64(v, o, "unique_id", yd_leaf(child, "unique-id"));
	put_str(v, o, "state", yd_leaf(child, "state"));
	put_strings(v, o, "local_ts", child, "local-ts");
	put_strings(v, o, "remote_ts", child, "remote-ts");
	put_str(v, o, "spi_in", yd_leaf(child, "spi-in"));
	put_str(v, o, "spi_out", yd_leaf(child, "spi-out"));
}

static void ike_row(struct vctx *v, const struct lyd_node *conn, const struct lyd_node *gw,
		    struct json_object *row)
{
	const struct lyd_node *tunnel = yd_child(gw, "tunnel"), *sa = yd_child(tunnel, "ike-sa");
	struct json_object *children = new_array(v), *o;
	const struct lyd_node *child;

	(void)conn;
	put(v, row, "ike_sa", sa != NULL ? ike_sa(v, sa) : NULL);
	YD_FOREACH(tunnel, "child-sa", child)
	{
		o = new_object(v);
		ike_child(v, child, o);
		put(v, children, NULL, o);
	}
	put(v, row, "child_sas", children);
}

static void ike_collect(struct vctx *v, const struct lyd_node *data, struct json_object *rows)
{
	each_gateway(v, data, rows, ike_row);
}

/* "aes256/sha256/prf-sha256/modp2048", the parts present */
static const char *proposal(struct json_object *sa, char *buf, size_t size)
{
	static const struct {
		const char *key, *prefix;
	} parts[] = {
		{ "encryption", "" },
		{ "integrity", "" },
		{ "prf", "prf-" },
		{ "dh_group", "" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(parts) && len < size; i++)
		if (sub(sa, parts[i].key) != NULL)
			len += (size_t)snprintf(buf + len, size - len, "%s%s%s", len ? "/" : "",
						parts[i].prefix, cell_str(sa, parts[i].key));
	return buf[0] != '\0' ? buf : "-";
}

/* "0.0.0.0/0", "198.18.0.0/16,198.19.0.0/16", "-" */
static const char *ts_list(struct json_object *obj, const char *key, char *buf, size_t size)
{
	struct json_object *a = sub(obj, key);
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; a != NULL && i < json_object_array_length(a) && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "",
					json_object_get_string(json_object_array_get_idx(a, i)));
	return buf[0] != '\0' ? buf : "-";
}

static void ike_children_text(struct vctx *v, struct json_object *children, FILE *out)
{
	static const struct table_column cols[] = {
		{ "CHILD SA", false },	{ "State", false },  { "Local TS", false },
		{ "Remote TS", false }, { "SPI in", false }, { "SPI out", false },
	};
	char lts[256], rts[256];
	struct table *t;
	size_t i;

	if (json_object_array_length(children) == 0) {
		fputs("  no CHILD SA\n", out);
		return;
	}
	if ((t = view_table(v, cols, ARRAY_SIZE(cols))) == NULL)
		return;
	for (i = 0; i < json_object_array_length(children); i++) {
		struct json_object *c = json_object_array_get_idx(children, i);

		table_row(t);
		table_cell(t, "#%s", cell_str(c, "unique_id"));
		table_cell(t, "%s", cell_str(c, "state"));
		table_cell(t, "%s", ts_list(c, "local_ts", lts, sizeof(lts)));
		table_cell(t, "%s", ts_list(c, "remote_ts", rts, sizeof(rts)));
		table_cell(t, "%s", cell_str(c, "spi_in"));
		table_cell(t, "%s", cell_str(c, "spi_out"));
	}
	view_table_done(v, t, out, "  ");
}

static void ike_sa_text(struct json_object *sa, FILE *out)
{
	char local[80], remote[80], prop[128], dur[3][32];

	fprintf(out, "  state:        %s, IKEv%s, %s\n", cell_str(sa, "state"),
		cell_str(sa, "version"), cell_str(sa, "role"));
	fprintf(out, "  local:        %s  id %s\n",
		endpoint(sa, "local_address", "local_port", local, sizeof(local)),
		cell_str(sa, "local_id"));
	fprintf(out, "  remote:       %s  id %s\n",
		endpoint(sa, "remote_address", "remote_port", remote, sizeof(remote)),
		cell_str(sa, "remote_id"));
	fprintf(out, "  NAT-T:        %s\n", cell_yesno(sa, "nat_traversal"));
	fprintf(out, "  proposal:     %s\n", proposal(sa, prop, sizeof(prop)));
	fprintf(out, "  auth:         %s\n", cell_str(sa, "auth_method"));
	fprintf(out, "  SPIs:         %s_i  %s_r\n", cell_str(sa, "initiator_spi"),
		cell_str(sa, "responder_spi"));
	fprintf(out, "  established:  %s ago (%s)\n",
		cell_duration(sa, "established_s", dur[0], sizeof(dur[0])),
		cell_str(sa, "established_since"));
	fprintf(out, "  rekey in:     %s\n",
		cell_duration(sa, "rekey_in_s", dur[1], sizeof(dur[1])));
	fprintf(out, "  reauth in:    %s\n",
		cell_duration(sa, "reauth_in_s", dur[2], sizeof(dur[2])));
}

static void ike_text(struct vctx *v, struct json_object *rows, FILE *out)
{
	char name[80];
	size_t i;

	if (json_object_array_length(rows) == 0) {
		fputs(NO_TUNNELS, out);
		return;
	}
	for (i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i), *sa = sub(r, "ike_sa");
		struct json_object *children = sub(r, "child_sas");

		if (i > 0)
			fputc('\n', out);
		tunnel_name(r, name, sizeof(name));
		if (sa == NULL && json_object_array_length(children) == 0) {
			fprintf(out, "%s: no IKE SA\n", name);
			continue;
		}
		if (sa == NULL)
			fprintf(out, "%s: no IKE SA\n", name);
		else
			fprintf(out, "%s: IKE SA #%s\n", name, cell_str(sa, "unique_id"));
		if (sa != NULL)
			ike_sa_text(sa, out);
		ike_children_text(v, children, out);
	}
}

const struct view_def view_ike_sa = {
	.name = "ike-sa",
	.slug = "ike-sa",
	.xpath = GATEWAYS_XPATH,
	.key = "tunnels",
	.collect = ike_collect,
	.text = ike_text,
};

/* ---- show ipsec-sa ---- */

static struct json_object *kernel_sa(struct vctx *v, const struct lyd_node *k)
{
	struct json_object *o = new_object(v);

	put_str(v, o, "spi", yd_leaf(k, "spi"));
	put_u64(v, o, "packets", yd_leaf(k, "packets"));
	put_u64(v, o, "bytes", yd_leaf(k, "bytes"));
	put_u64(v, o, "replay_window", yd_leaf(k, "replay-window"));
	put_u64(v, o, "replay_drops", yd_leaf(k, "replay-drops"));
	put_u64(v, o, "integrity_failures", yd_leaf(k, "integrity-failures"));
	put_u64(v, o, "life_kbytes_left", yd_leaf(k, "life-kbytes-left"));
	return o;
}

static struct json_object *child_sa(struct vctx *v, const struct lyd_node *c)
{
	struct json_object *o = new_object(v), *kernel = new_object(v);
	const struct lyd_node *in = yd_find(c, "kernel/inbound"),
			      *out = yd_find(c, "kernel/outbound");

	put_u64(v, o, "unique_id", yd_leaf(c, "unique-id"));
	put_str(v, o, "state", yd_leaf(c, "state"));
	put_strings(v, o, "local_ts", c, "local-ts");
	put_strings(v, o, "remote_ts", c, "remote-ts");
	put_str(v, o, "spi_in", yd_leaf(c, "spi-in"));
	put_str(v, o, "spi_out", yd_leaf(c, "spi-out"));
	put_str(v, o, "encryption", yd_leaf(c, "encryption"));
	put_str(v, o, "integrity", yd_leaf(c, "integrity"));
	put_str(v, o, "pfs_group", yd_leaf(c, "pfs-group"));
	put_bool(v, o, "udp_encapsulation", yd_leaf(c, "udp-encapsulation"));
	put_str(v, o, "installed_since", yd_leaf(c, "installed-since"));
	put_age(v, o, "installed_s", yd_leaf(c, "installed-since"));
	put_u64(v, o, "rekey_in_s", yd_leaf(c, "rekey-in"));
	put_u64(v, o, "life_in_s", yd_leaf(c, "life-in"));
	put_u64(v, o, "packets_in", yd_leaf(c, "packets-in"));
	put_u64(v, o, "bytes_in", yd_leaf(c, "bytes-in"));
	put_u64(v, o, "packets_out", yd_leaf(c, "packets-out"));
	put_u64(v, o, "bytes_out", yd_leaf(c, "bytes-out"));
	put(v, kernel, "inbound", in != NULL ? kernel_sa(v, in) : NULL);
	put(v, kernel, "outbound", out != NULL ? kernel_sa(v, out) : NULL);
	put(v, o, "kernel", kernel);
	return o;
}

static void ipsec_row(struct vctx *v, const struct lyd_node *conn, const struct lyd_node *gw,
		      struct json_object *row)
{
	const struct lyd_node *tunnel = yd_child(gw, "tunnel"), *c;
	struct json_object *children = new_array(v);

	(void)conn;
	put_str(v, row, "interface", yd_leaf(tunnel, "interface"));
	put_str(v, row, "peer", yd_leaf(gw, "remote-address"));
	YD_FOREACH(tunnel, "child-sa", c)
	{
		put(v, children, NULL, child_sa(v, c));
	}
	put(v, row, "child_sas", children);
}

static void ipsec_collect(struct vctx *v, const struct lyd_node *data, struct json_object *rows)
{
	each_gateway(v, data, rows, ipsec_row);
}

/* One direction of a CHILD_SA: charon's counters, then the kernel's SA. */
static void ipsec_direction(struct table *t, const char *dir, const char *spi, const char *packets,
			    const char *bytes, struct json_object *c, struct json_object *k)
{
	table_row(t);
	table_cell(t, "%s", dir);
	table_cell(t, "%s", cell_str(c, spi));
	table_cell(t, "%s", cell_str(c, packets));
	table_cell(t, "%s", cell_str(c, bytes));
	table_cell(t, "%s", cell_str(k, "packets"));
	table_cell(t, "%s", cell_str(k, "bytes"));
	table_cell(t, "%s", cell_str(k, "replay_window"));
	table_cell(t, "%s", cell_str(k, "replay_drops"));
	table_cell(t, "%s", cell_str(k, "integrity_failures"));
	/* no byte lifetime on a kernel SA that is there: unlimited */
	table_cell(t, "%s",
		   k != NULL && sub(k, "life_kbytes_left") == NULL ?
			   "unlimited" :
			   cell_str(k, "life_kbytes_left"));
}

static void ipsec_child_text(struct vctx *v, struct json_object *c, FILE *out)
{
	static const struct table_column cols[] = {
		{ "", false },
		{ "SPI", false },
		{ "Packets", true },
		{ "Bytes", true },
		{ "Kernel pkts", true },
		{ "Kernel bytes", true },
		{ "Replay window", true },
		{ "Replay drops", true },
		{ "Integrity fail", true },
		{ "kB left", true },
	};
	struct json_object *kernel = sub(c, "kernel");
	char lts[256], rts[256], dur[2][32];
	struct table *t;

	fprintf(out, "  CHILD SA #%s %s, installed %s ago\n", cell_str(c, "unique_id"),
		cell_str(c, "state"), cell_duration(c, "installed_s", dur[0], sizeof(dur[0])));
	fprintf(out, "    selectors:  %s === %s\n", ts_list(c, "local_ts", lts, sizeof(lts)),
		ts_list(c, "remote_ts", rts, sizeof(rts)));
	fprintf(out, "    transform:  esp %s", cell_str(c, "encryption"));
	if (sub(c, "integrity") != NULL)
		fprintf(out, "/%s", cell_str(c, "integrity"));
	fprintf(out, ", PFS group %s, UDP encapsulation (NAT-T) %s\n", cell_str(c, "pfs_group"),
		cell_yesno(c, "udp_encapsulation"));
	fprintf(out, "    lifetime:   %s s left, rekey in %s\n", cell_str(c, "life_in_s"),
		cell_duration(c, "rekey_in_s", dur[1], sizeof(dur[1])));
	if ((t = view_table(v, cols, ARRAY_SIZE(cols))) == NULL)
		return;
	ipsec_direction(t, "in (decrypted)", "spi_in", "packets_in", "bytes_in", c,
			sub(kernel, "inbound"));
	ipsec_direction(t, "out (encrypted)", "spi_out", "packets_out", "bytes_out", c,
			sub(kernel, "outbound"));
	view_table_done(v, t, out, "    ");
}

static void ipsec_text(struct vctx *v, struct json_object *rows, FILE *out)
{
	char name[80];
	size_t i, k;

	if (json_object_array_length(rows) == 0) {
		fputs(NO_TUNNELS, out);
		return;
	}
	for (i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);
		struct json_object *children = sub(r, "child_sas");

		if (i > 0)
			fputc('\n', out);
		fprintf(out, "%s: interface %s, peer %s\n", tunnel_name(r, name, sizeof(name)),
			cell_str(r, "interface"), cell_str(r, "peer"));
		if (json_object_array_length(children) == 0)
			fputs("  no CHILD SA\n", out);
		for (k = 0; k < json_object_array_length(children); k++) {
			if (k > 0)
				fputc('\n', out);
			ipsec_child_text(v, json_object_array_get_idx(children, k), out);
		}
	}
}

const struct view_def view_ipsec_sa = {
	.name = "ipsec-sa",
	.slug = "ipsec-sa",
	.xpath = GATEWAYS_XPATH,
	.key = "tunnels",
	.collect = ipsec_collect,
	.text = ipsec_text,
};
