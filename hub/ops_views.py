"""Addresses for the machines that run the hub: liveness, readiness and Prometheus metrics."""

import asyncio
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hub import metrics, ops_probes


@never_cache
def live(request):
    """200 while the process answers at all: a supervisor restarts it when this fails. It checks
    nothing else, so an outage of the database or Redis does not restart every process at once."""
    return JsonResponse({"status": "ok"})


@never_cache
async def ready(request):
    """200 when PostgreSQL and Redis both answer within READINESS_TIMEOUT_SECONDS, else 503 naming
    the failing one: a load balancer stops sending new clients to a process that is not ready."""
    timeout = settings.READINESS_TIMEOUT_SECONDS
    database, redis = await asyncio.gather(ops_probes.database(timeout), ops_probes.redis(timeout))
    checks = {"database": database, "redis": redis}
    failing = [name for name, state in checks.items() if state not in ("ok", "not used")]
    body = {"status": "ok" if not failing else "unavailable", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)


@never_cache
def metrics_view(request):
    """Prometheus's text format, for the configured scrapers only (METRICS_ALLOWED_NETWORKS and/or
    METRICS_TOKEN); anyone else is refused, and with neither set, everyone is."""
    if not scraper_allowed(request):
        return HttpResponseForbidden(_("Metrics are only for the configured scrapers."), content_type="text/plain")
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


def scraper_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
            return True
    try:
        # Behind the proxy, Uvicorn sets the address from X-Forwarded-For (FORWARDED_ALLOW_IPS).
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)
