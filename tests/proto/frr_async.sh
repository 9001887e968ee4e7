#!/bin/sh
# The FRR driver's protocol test (frr_real.py) with every apply through struct frr_applier
# on an event loop, plus the re-push after a bgpd restart.  Exit 77 (skip) is decided there.
srcdir=$(dirname "$0")
exec /usr/bin/python3 "$srcdir/frr_real.py" --async "$@"
