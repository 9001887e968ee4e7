#!/bin/sh
# Run the MSS clamping test (nl_mss.py) with the system Python.  Exit 77 (skip) is decided
# there: not root, no network namespaces, no nf_tables inet in the kernel.
srcdir=$(dirname "$0")
exec /usr/bin/python3 "$srcdir/nl_mss.py" "$@"
