/*
 * frr_bmp_station.h - a BMP station on an sd-event loop: listens on a TCP address, takes
 * bgpd's BMP connections (bgpd connects: "bmp connect" in a "bmp targets HGW-..." block),
 * cuts the byte stream into messages, decodes them (frr_bmp.h) and calls back.
 *
 * This is how hybridgw sees BGP sessions and learned routes change as they happen; the
 * JSON show commands stay as the slow safety net.  A connection that sends anything
 * malformed is closed: bgpd reconnects and sends peer up and its tables again, which is
 * the resynchronisation a station needs anyway.
 *
 * Ownership: the station belongs to its creator and holds a reference to the event loop;
 * frr_bmp_station_free() closes the listener and every connection (NULL is fine).  The
 * message passed to a callback, and everything it points to, is valid during the call only.
 */
#ifndef HGW_FRR_BMP_STATION_H
#define HGW_FRR_BMP_STATION_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "frr_bmp.h"

struct frr_bmp_station;

/* Every member may be NULL. */
struct frr_bmp_station_ops {
	/* Every decoded message, with its bytes (for logging and capture). */
	void (*message)(void *arg, const struct frr_bmp_msg *msg, const uint8_t *raw, size_t len);
	void (*peer_up)(void *arg, const struct frr_bmp_msg *msg);
	void (*peer_down)(void *arg, const struct frr_bmp_msg *msg);
	/* Once per prefix of a route monitoring message; update gives the attributes. */
	void (*route)(void *arg, const struct frr_bmp_peer *peer,
		      const struct frr_bmp_prefix *prefix, bool announced,
		      const struct frr_bmp_update *update);
	/* A connection ended: 0 closed by bgpd, -EBADMSG malformed input, -errno. */
	void (*closed)(void *arg, int error);
};

/*
 * Listen on addr ("127.0.0.1", "198.18.0.1", "::1") and port (0: any; see _port).
 * Returns 0 or -errno.
 */
int frr_bmp_station_new(sd_event *event, const char *addr, uint16_t port,
			const struct frr_bmp_station_ops *ops, void *arg,
			struct frr_bmp_station **out);

/* The port listened on. */
uint16_t frr_bmp_station_port(const struct frr_bmp_station *st);

/* Connections open now. */
unsigned frr_bmp_station_connections(const struct frr_bmp_station *st);

void frr_bmp_station_free(struct frr_bmp_station *st);

#endif
