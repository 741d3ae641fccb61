"""/api/v1: authentication by session or bearer token, the error shape, the OpenAPI document."""

import pytest
from django.core.management import call_command

from tests.factories import make_person

pytestmark = pytest.mark.django_db


def issue(username: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue().strip()


def test_me_with_a_bearer_token_from_issue_token(client):
    make_person("somchai")
    token = issue("somchai")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "somchai"
    assert body["name_th"] == "นายสมชาย ใจดี"
    assert body["kind"] == "staff"


def test_me_with_the_browser_session(client):
    person = make_person("somsri", first_name_th="สมศรี", title_th="นางสาว")
    client.force_login(person.user)
    assert client.get("/api/v1/me").json()["name_th"] == "นางสาวสมศรี ใจดี"


@pytest.mark.parametrize("header", ["Bearer ksp_not-a-real-token", "Bearer ", "Basic Zm9vOmJhcg==", "ksp_x"])
def test_a_bad_or_missing_token_gets_401_in_the_error_shape(client, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "unauthenticated", "message": "Please log in, or send a valid API token.", "fields": {}}
    }


def test_errors_speak_thai_unless_the_client_asks_for_english(client):
    response = client.get("/api/v1/me")
    assert response.json()["error"]["message"] == "โปรดเข้าสู่ระบบ หรือส่งโทเค็น API ที่ถูกต้อง"


def test_a_revoked_token_no_longer_works(client):
    from django.utils import timezone

    from hub.models import ApiToken

    make_person("somchai")
    token = issue("somchai")
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_tokens_last_use_is_written_at_most_once_a_minute():
    # On PostgreSQL the token's lookup writes it in the same statement (hub.tokens).
    from datetime import timedelta

    from django.utils import timezone

    from hub.models import ApiToken
    from hub.tokens import token_for

    person = make_person("somchai")
    token = issue("somchai")
    found = token_for(token)
    assert found.user == person.user and found.user.person == person
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    token_for(token)
    assert ApiToken.objects.get().last_used_at == first  # used again within the minute: no write
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    assert token_for(token).last_used_at == first - timedelta(minutes=2)  # as it was before this use
    assert ApiToken.objects.get().last_used_at > first - timedelta(seconds=1)
    ApiToken.objects.update(revoked_at=timezone.now(), last_used_at=None)
    assert token_for(token) is None
    assert ApiToken.objects.get().last_used_at is None  # a revoked token's use is not written


def test_tokens_are_stored_only_as_digests():
    from hub.models import ApiToken

    make_person("somchai")
    token = issue("somchai")
    stored = ApiToken.objects.get()
    assert token not in (stored.digest, stored.prefix)
    assert token.startswith(stored.prefix)


def test_issue_token_for_an_unknown_user_fails_clearly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        call_command("issue_token", "nobody")


def test_unknown_api_path_gets_404_in_the_error_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_openapi_document_describes_me_and_bearer_auth(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert "/api/v1/me" in document["paths"]
    schemes = document["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())


def test_a_bad_token_is_refused_even_beside_a_valid_session(client):
    person = make_person("somchai")
    client.force_login(person.user)
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ksp_wrong").status_code == 401


def test_a_wrong_method_gets_405_in_the_error_shape(client):
    person = make_person("somchai")
    client.force_login(person.user)
    response = client.post("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response.json()["error"] == {
        "code": "method_not_allowed",
        "message": "This address does not accept POST.",
        "fields": {},
    }
    assert response["Allow"] == "GET"


def test_api_docs_load_their_assets_from_this_server(client):
    person = make_person("somchai")
    client.force_login(person.user)
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr" not in html and "/static/ninja/" in html
