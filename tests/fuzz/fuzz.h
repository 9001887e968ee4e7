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

#endif
