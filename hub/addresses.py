"""Which client a network address stands for, when counting what one client does."""

import functools
import ipaddress


# Every connection asks (hub.http_limits), and ipaddress's parsing was about 2 % of the CPU of
# opening a socket; the same addresses come back again and again.
@functools.lru_cache(maxsize=4096)
def network_of(address: str) -> str:
    """The address to count under: an IPv6 client holds a whole /64, so it is counted as one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
