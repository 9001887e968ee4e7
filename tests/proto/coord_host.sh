#!/bin/sh
# The coordinator's commit transaction (hybridgwd + real FRR + a real charon in a network
# namespace of its own, on the host kernel); see coord_host.py.  Skipped (77) unless root with
# FRR, charon and ncclient.
here=$(dirname "$0")
: "${HYBRIDGWD:?run this test through make check}"
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$here/coord_host.py" "$@"
