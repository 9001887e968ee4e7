#!/bin/sh
# Run the BMP station's protocol test (frr_bmp.py) with the system Python.  Exit 77 (skip)
# is decided there: not root, no FRR or its bmp module, no network namespaces.
srcdir=$(dirname "$0")
exec /usr/bin/python3 "$srcdir/frr_bmp.py" "$@"
