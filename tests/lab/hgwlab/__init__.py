"""hgwlab: the hybridgw lab library.

Host side (uml.py) boots User-Mode Linux; everything else runs inside it:
topo (declarative topology -> namespaces, links, daemons), charon and frr (one instance per
namespace), targets (who configures the router under test), probe (traffic, route monitor,
breakers, failover measurement), wait (conditions with hard timeouts).
"""
