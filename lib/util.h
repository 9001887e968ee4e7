/*
 * util.h - the few macros that every part of hybridgw needs; anything bigger gets a module.
 */
#ifndef HGW_UTIL_H
#define HGW_UTIL_H

#include <stdint.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Let the compiler check format strings of our printf-like functions. */
#define HGW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* CLOCK_MONOTONIC in microseconds: for intervals and deadlines. */
static inline uint64_t hgw_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

#endif
