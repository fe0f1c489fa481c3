"""The health endpoint load balancers poll."""

import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_channel_layer_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "channel_layer": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_a_layer_that_fails(client, monkeypatch):
    from channels.layers import get_channel_layer

    async def unreachable(group, message):
        raise ConnectionError("layer down")

    monkeypatch.setattr(get_channel_layer(), "group_send", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "channel_layer": "error"}
