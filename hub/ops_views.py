"""Addresses for the machines that run the hub: liveness, readiness and Prometheus metrics."""

import asyncio
import hmac
import ipaddress

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hub import metrics, ops_probes


@never_cache
async def live(request):
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


# A scrape that takes longer (the database or Redis hanging under the scrape-time gauges) answers
# 503; Prometheus marks the target down, which is the truth.
SCRAPE_TIMEOUT_SECONDS = 5


@never_cache
async def metrics_view(request):
    """Prometheus's text format, for the configured scrapers only (METRICS_ALLOWED_NETWORKS and/or
    METRICS_TOKEN); anyone else is refused, and with neither set, everyone is."""
    if not scraper_allowed(request):
        return HttpResponseForbidden(_("Metrics are only for the configured scrapers."), content_type="text/plain")
    try:
        # A thread of its own: the webhook inbox's count must not hold the thread sync views share.
        body = await asyncio.wait_for(sync_to_async(_exposition, thread_sensitive=False)(), SCRAPE_TIMEOUT_SECONDS)
    except TimeoutError:
        return HttpResponse("metrics timed out\n", status=503, content_type="text/plain")
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")


def _exposition() -> bytes:
    try:
        return metrics.exposition()
    finally:
        connection.close()  # this thread's connection goes back to the pool


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
