/*
 * cfgpath.h - the PATH of hybridgwctl's config commands, as a libyang path.
 *
 * A PATH names a data node of yang/hybridgw.yang below /hybridgw, with list keys in
 * brackets and values unquoted, as an operator types it:
 *   /connections/connection[name=azure]/gateway[name=in0]/bgp/peer-address
 * becomes
 *   /hybridgw:hybridgw/connections/connection[name='azure']/gateway[name='in0']/bgp/peer-address
 * "/hybridgw/..." and "/hybridgw:hybridgw/..." are accepted too, and values already quoted
 * are kept.  Pure.
 */
#ifndef HGWCTL_CFGPATH_H
#define HGWCTL_CFGPATH_H

#include <stddef.h>

#define CTL_CONFIG_TOP "/hybridgw:hybridgw"

/* 0, -EINVAL (not a path), -ENAMETOOLONG (does not fit in size). */
int ctl_config_path(const char *in, char *out, size_t size);

/* The operator's form of a libyang path of the module: without the top container. */
const char *ctl_config_user_path(const char *path);

#endif
