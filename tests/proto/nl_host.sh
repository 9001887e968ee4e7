#!/bin/sh
# Run the kernel driver's host test (nl_host.py) with the system Python.  Exit 77 (skip)
# is decided there: not root, no network namespaces.
srcdir=$(dirname "$0")
exec /usr/bin/python3 "$srcdir/nl_host.py" "$@"
