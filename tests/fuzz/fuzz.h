/*
 * fuzz.h - the libFuzzer entry point every fuzz target defines.
 *
 * A target is linked either with libFuzzer (--enable-fuzzing, clang) for coverage-guided
 * fuzzing, or with replay.c, which runs the target over its seed corpus under `make check`
 * with any compiler.  Targets abort() when an invariant breaks, so that both notice.
 */
#ifndef HGW_FUZZ_H
#define HGW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Netlink targets: call one() on each message of data[0, size) the way a dump walks a
 * datagram (one() gets the message and the bytes left from it), on an aligned copy as the
 * kernel's messages are 4-byte aligned.  Stops at a length that does not fit.
 */
struct nlmsghdr;
void fuzz_each_nlmsg(const uint8_t *data, size_t size,
		     void (*one)(const struct nlmsghdr *h, size_t len));

#endif
