/*
 * nl_zebra.c - does zebra have a tunnel address's connected route (nl_zebra.h)?
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "nl/nl.h"
#include "nl/nl_zebra.h"

/* The subnet of an interface address: what zebra's connected route is for. */
static struct hgw_nl_prefix subnet_of(const struct hgw_nl_prefix *local)
{
	struct hgw_nl_prefix p = *local;
	size_t bytes = p.family == AF_INET6 ? 16 : 4;

	for (size_t i = 0; i < bytes; i++) {
		unsigned keep = p.len >= (i + 1) * 8 ? 8 : p.len > i * 8 ? p.len - i * 8 : 0;

		p.addr[i] &= (uint8_t)(0xff00u >> keep);
	}
	return p;
}

static bool via_ifname(struct json_object *route, const char *ifname)
{
	struct json_object *nhs, *name;

	if (!json_object_object_get_ex(route, "nexthops", &nhs) ||
	    !json_object_is_type(nhs, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(nhs); i++) {
		struct json_object *nh = json_object_array_get_idx(nhs, i);

		if (json_object_object_get_ex(nh, "interfaceName", &name) &&
		    json_object_is_type(name, json_type_string) &&
		    strcmp(json_object_get_string(name), ifname) == 0)
			return true;
	}
	return false;
}

static bool is_connected(struct json_object *route)
{
	struct json_object *proto;

	return json_object_object_get_ex(route, "protocol", &proto) &&
	       json_object_is_type(proto, json_type_string) &&
	       strcmp(json_object_get_string(proto), "connected") == 0;
}

int hgw_nl_zebra_has_connected(const char *rib_json, const char *ifname,
			       const struct hgw_nl_prefix *local)
{
	struct hgw_nl_prefix net = subnet_of(local);
	char key[HGW_NL_PREFIX_STRLEN];
	struct json_object *rib = json_tokener_parse(rib_json), *routes;
	int found = 0;

	if (rib == NULL || !json_object_is_type(rib, json_type_object)) {
		json_object_put(rib);
		return -EBADMSG;
	}
	/* zebra keys its RIB by the prefix as it prints it, host bits zero */
	hgw_nl_prefix_format(&net, key, sizeof(key));
	if (json_object_object_get_ex(rib, key, &routes) &&
	    json_object_is_type(routes, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(routes) && !found; i++) {
			struct json_object *r = json_object_array_get_idx(routes, i);

			found = is_connected(r) && via_ifname(r, ifname);
		}
	}
	json_object_put(rib);
	return found;
}

int hgw_nl_addr_reassert(struct hgw_nl *nl, const char *ifname, const struct hgw_nl_prefix *local)
{
	int r = hgw_nl_addr_del(nl, ifname, local);

	/* gone already is as good: the add is what zebra has to see */
	if (r < 0 && r != -EADDRNOTAVAIL && r != -ESRCH)
		return r;
	return hgw_nl_addr_add(nl, ifname, local);
}
