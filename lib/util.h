/*
 * util.h - the few macros that every part of hybridgw needs; anything bigger gets a module.
 */
#ifndef HGW_UTIL_H
#define HGW_UTIL_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Let the compiler check format strings of our printf-like functions. */
#define HGW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

#endif
