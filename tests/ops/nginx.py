"""A whole nginx.conf around deploy/'s site, for the tests and benchmarks that put a real nginx in front of the hub."""

import os
import shutil
from pathlib import Path

from deploy.nginx_site import Site, render

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_conf(directory: Path, site: Site, worker_connections: int = 512) -> Path:
    """A whole nginx.conf around the site, with everything nginx writes kept in `directory`."""
    (directory / "site.conf").write_text(render(site))
    conf = directory / "nginx.conf"
    conf.write_text(
        # (Workers as root, when the test runs as root: pytest's directories are private.)
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""pid {directory}/nginx.pid;
error_log {directory}/error.log;
daemon off;
worker_rlimit_nofile {worker_connections * 2 + 64};
events {{ worker_connections {worker_connections}; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/site.conf;
}}
"""
    )
    return conf
