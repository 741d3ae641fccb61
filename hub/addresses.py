"""Which client a network address stands for, when counting what one client does."""

import ipaddress


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
