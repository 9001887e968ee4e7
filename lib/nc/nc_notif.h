/*
 * nc_notif.h - the event trees of hybridgw's notifications, and of RFC 6470's
 * netconf-config-change.
 *
 * Pure tree building on the YANG context (no sessions, no clock): the NETCONF server wraps
 * each tree in a <notification> with its eventTime and sends it to the subscribed
 * sessions.  Values are checked against the model's types (an unknown tunnel state is
 * -EINVAL), so a coordinator's mistake cannot put an invalid notification on the wire.
 */
#ifndef HGW_NC_NOTIF_H
#define HGW_NC_NOTIF_H

#include <stdbool.h>
#include <stdint.h>

#include <libyang/libyang.h>

/*
 * hybridgw:tunnel-state-change.  state is a tunnel-state of the model ("up", "down", ...);
 * any string argument may be NULL (left out).  The caller owns *ret (lyd_free_tree()).
 * -EINVAL if a value does not fit the model, -ENOMEM.
 */
int hgw_nc_notif_tunnel(struct ly_ctx *ctx, const char *connection, const char *gateway,
			const char *state, const char *reason, struct lyd_node **ret);

/* hybridgw:bgp-peer-state-change; path_class "tunnel", "private" or "local", states bgp-state. */
int hgw_nc_notif_bgp_peer(struct ly_ctx *ctx, const char *peer_address, const char *path_class,
			  const char *path, const char *old_state, const char *new_state,
			  struct lyd_node **ret);

/* hybridgw:path-switch; duration_us is measured from noticing the failure to new routes. */
int hgw_nc_notif_path_switch(struct ly_ctx *ctx, const char *from_path, const char *to_path,
			     const char *reason, uint64_t duration_us, struct lyd_node **ret);

/*
 * ietf-netconf-notifications:netconf-config-change for running going from `from` to `to`
 * (either NULL-able: empty): one edit per topmost node created, deleted or replaced.
 * user NULL: changed by the server itself (a confirmed commit's rollback), else by user in
 * session sid.  hide_denied: leave out the edits of nodes marked nacm:default-deny-all or
 * below one (what the operator role may not read).  Needs ietf-netconf-notifications in
 * ctx (-ENOENT otherwise).
 */
int hgw_nc_notif_config_change(struct ly_ctx *ctx, const struct lyd_node *from,
			       const struct lyd_node *to, const char *user, uint32_t sid,
			       bool hide_denied, struct lyd_node **ret);

#endif
