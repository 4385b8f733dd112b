"""The API's test helpers: a client that speaks JSON with a persona's personal token."""

import json

import pytest
from django.test import Client

from qiao.org.actions import API_USE
from qiao.org.permissions import can
from qiao.org.services import api_token_create

API = "/api/v1"


class Api:
    """A JSON client of /api/v1 sending `Authorization: Bearer <secret>` (when given)."""

    def __init__(self, secret=None, *, client=None, headers=None):
        self.secret = secret
        self.client = client or Client()
        self.headers = dict(headers or {})
        if secret:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def get(self, path, params=None, **extra):
        return self.client.get(API + path, params or {}, **self.headers, **extra)

    def post(self, path, body=None, **extra):
        return self.send("post", path, body, **extra)

    def patch(self, path, body=None, **extra):
        return self.send("patch", path, body, **extra)

    def delete(self, path, **extra):
        return self.client.delete(API + path, **self.headers, **extra)

    def send(self, method, path, body=None, **extra):
        data = b"" if body is None else json.dumps(body).encode()
        return self.raw(method, path, data, **extra)

    def raw(self, method, path, data: bytes, content_type="application/json", **extra):
        return getattr(self.client, method)(API + path, data, content_type=content_type,
                                            **self.headers, **extra)

    def all_pages(self, path, params=None):
        """(count, items of every page) of a paged list."""
        items, page = [], 1
        while True:
            response = self.get(path, {**(params or {}), "page": page, "page_size": 100})
            assert response.status_code == 200, response.content
            body = response.json()
            items += body["items"]
            if len(items) >= body["count"] or not body["items"]:
                return body["count"], items
            page += 1


def token_secret(user) -> str:
    """A personal token of `user`, made by the service (which needs api.use); for a role without
    it, a token row as one made while the role still had the permission would be."""
    if can(user, API_USE):
        return api_token_create(user=user, name="tests", days=30)[1]
    from datetime import timedelta

    from django.utils import timezone

    from qiao.org.models import ApiToken
    from qiao.org.services import token_digest

    secret = f"qiao_test_{user.pk}_without_api_use"
    ApiToken.objects.create(user=user, name="old", prefix=secret[:12], digest=token_digest(secret),
                            expires_at=timezone.now() + timedelta(days=30))
    return secret


@pytest.fixture
def api(personas):
    """api("am01") → an Api client with a fresh personal token of am01."""
    clients = {}

    def make(username):
        if username not in clients:
            clients[username] = Api(token_secret(personas[username]))
        return clients[username]

    return make
