"""Host-side tests of the lab's measuring instruments: the numbers in docs/BENCHMARKS.md come
from these parsers, so they are checked on real captured output (from a lab run) and on the
edge cases that would make a failover look shorter than it was."""

import sys
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hgwlab.probe import PingStats, RouteEvents  # noqa: E402
from hgwlab.proc import LabError  # noqa: E402

PING = """PING 198.19.10.1 (198.19.10.1) 56(84) bytes of data.
[1795441990.495050] 64 bytes from 198.19.10.1: icmp_seq=1 ttl=63 time=0.171 ms
[1795441990.503514] 64 bytes from 198.19.10.1: icmp_seq=2 ttl=63 time=0.176 ms
[1795441990.523514] 64 bytes from 198.19.10.1: icmp_seq=3 ttl=63 time=0.176 ms
[1795441990.903514] 64 bytes from 198.19.10.1: icmp_seq=22 ttl=63 time=0.2 ms
[1795441990.923514] 64 bytes from 198.19.10.1: icmp_seq=23 ttl=63 time=0.2 ms

--- 198.19.10.1 ping statistics ---
23 packets transmitted, 5 received, 78.2609% packet loss, time 460ms
rtt min/avg/max/mdev = 0.095/0.184/0.586/0.073 ms
"""

MONITOR = """[2026-11-23T13:53:12.349360] Deleted fe80::/64 dev er0 proto kernel metric 256 pref medium
[2026-11-23T13:53:12.430414] 198.19.10.0/24 nhid 28 proto bgp metric 20 
\tnexthop via 169.254.21.2 dev vti-a0 weight 1 
\tnexthop via 169.254.21.6 dev vti-a1 weight 1 
[2026-11-23T13:53:14.560528] 198.18.1.0/30 dev er0 proto kernel scope link src 198.18.1.1 
[2026-11-23T13:53:15.000000] Deleted 198.19.10.0/24 nhid 28 proto bgp metric 20 
\tnexthop via 169.254.21.2 dev vti-a0 weight 1 
[2026-11-23T13:53:15.785745] 198.19.10.0/24 nhid 38 via 198.18.1.2 dev er0 proto bgp metric 20 
[2026-11-23T13:53:16.000000] 198.19.100.0/24 via 198.18.1.2 dev er0 proto bgp metric 20 
"""


def ts(s):
    return datetime.fromisoformat(s).timestamp() * 1000.0


def test_ping_gap_is_the_largest_interval_between_replies():
    s = PingStats.parse(PING)
    assert (s.tx, s.rx) == (23, 5)
    assert s.max_gap_ms == 380                       # .523514 -> .903514
    assert s.gap_start_ms == pytest.approx(1795441990523.514)
    assert s.pps == pytest.approx(50.0)


def test_ping_without_replies_is_an_error_not_a_zero_outage():
    with pytest.raises(LabError):
        PingStats.parse("PING x\n\n--- x ping statistics ---\n"
                        "100 packets transmitted, 0 received, 100% packet loss, time 990ms\n")


def test_route_switch_to_both_tunnels():
    ev = RouteEvents.parse(MONITOR)
    t = ev.first("198.19.10.0/24", ts("2026-11-23T13:53:12"), devs_present=("vti-a0", "vti-a1"),
                 devs_absent=("er0",))
    assert t == pytest.approx(ts("2026-11-23T13:53:12.430414"))


def test_route_back_ignores_deletes_and_longer_prefixes():
    ev = RouteEvents.parse(MONITOR)
    t = ev.first("198.19.10.0/24", ts("2026-11-23T13:53:14"), devs_present=("er0",))
    assert t == pytest.approx(ts("2026-11-23T13:53:15.785745"))
    # 198.19.100.0/24 starts with the same characters but is another prefix
    assert ev.first("198.19.10.0/24", ts("2026-11-23T13:53:15.9"), devs_present=("er0",)) is None


def test_device_names_match_whole_words():
    ev = RouteEvents.parse(MONITOR)
    assert ev.first("198.19.10.0/24", 0, devs_present=("vti-a",)) is None


# hybridgwd's backup route (metric 4194308000: zebra's distance 250) waits behind the circuit's; the circuit's route is
# deleted at .100 and zebra's ECMP route comes at .200: the kernel switched at .100
BACKUP = """[1970-01-01T00:00:00.000000] 198.19.10.0/24 nhid 24 via 198.18.1.2 dev er0 proto bgp metric 20
[1970-01-01T00:00:00.000000] 198.19.10.0/24 proto 240 metric 4194308000
\tnexthop via 169.254.21.2 dev hv-azure-0 weight 1
\tnexthop via 169.254.21.6 dev hv-azure-1 weight 1
[2026-11-23T13:53:12.100000] Deleted 198.19.10.0/24 nhid 24 via 198.18.1.2 dev er0 proto bgp metric 20
[2026-11-23T13:53:12.200000] 198.19.10.0/24 nhid 28 proto bgp metric 20
\tnexthop via 169.254.21.2 dev hv-azure-0 weight 1
\tnexthop via 169.254.21.6 dev hv-azure-1 weight 1
"""


def test_route_switch_to_a_backup_route_is_the_delete_of_the_best():
    ev = RouteEvents.parse(BACKUP)
    t = ev.first("198.19.10.0/24", ts("2026-11-23T13:53:12"),
                 devs_present=("hv-azure-0", "hv-azure-1"), devs_absent=("er0",))
    assert t == pytest.approx(ts("2026-11-23T13:53:12.100000"))
    # without the routes at start the delete leaves nothing known: zebra's add is the switch
    ev = RouteEvents.parse("\n".join(BACKUP.splitlines()[4:]))
    t = ev.first("198.19.10.0/24", ts("2026-11-23T13:53:12"),
                 devs_present=("hv-azure-0", "hv-azure-1"), devs_absent=("er0",))
    assert t == pytest.approx(ts("2026-11-23T13:53:12.200000"))
