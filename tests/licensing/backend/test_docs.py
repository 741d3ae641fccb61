"""docs/licensing-integration.md's worked signing example is what the hub computes and accepts."""

import re
import shutil
import subprocess

import pytest

from hub.signatures import sign, verify
from tests.conftest import ROOT, require

DOC = (ROOT / "docs" / "licensing-integration.md").read_text()
SECRET = "test-secret-0123456789abcdef0123456789"
BODY = (
    b'{"id":"evt_1","type":"case.updated","occurred_at":"2026-11-23T09:15:00+07:00","case":{"number":"KSP-69-000123"}}'
)


def test_the_documented_example_signs_as_documented():
    documented = re.search(r"X-KSP-Signature: (t=1763864100,v1=[0-9a-f]{64})", DOC).group(1)
    assert sign(SECRET, BODY, 1763864100) == documented
    verify(documented, BODY, SECRET, now=1763864100 + 60)
    assert BODY.decode() in DOC and SECRET in DOC


def test_the_documented_curl_signature_matches_the_hubs():
    require(shutil.which("openssl") is not None, "openssl is not installed")
    script = re.search(r"v1=\$\((printf .*?)\)\n", DOC).group(1)
    out = subprocess.run(
        ["bash", "-c", f"secret='{SECRET}'; body='{BODY.decode()}'; t=1763864100; {script}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert f"t=1763864100,v1={out}" == sign(SECRET, BODY, 1763864100)


@pytest.mark.parametrize("kind", ["case.opened", "case.updated", "case.review_requested", "case.decided"])
def test_every_event_type_is_documented(kind):
    assert f"`{kind}`" in DOC
