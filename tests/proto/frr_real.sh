#!/bin/sh
# Run the FRR driver's protocol test (frr_real.py) with the system Python.  Exit 77 (skip)
# is decided there: not root, no FRR, no network namespaces.
srcdir=$(dirname "$0")
exec /usr/bin/python3 "$srcdir/frr_real.py" "$@"
