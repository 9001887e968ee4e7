#!/bin/sh
# lib/vici against a real charon on the host; see vici_charon.py.  Skipped (77) unless root.
here=$(dirname "$0")
HGW_VICI=${HGW_VICI:-$PWD/tests/tools/hgw-vici}
export HGW_VICI
exec /usr/bin/python3 "$here/vici_charon.py"
