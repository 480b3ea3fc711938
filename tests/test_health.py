from django.test import Client, override_settings

from tests.redis_server import RedisServer, production_caches


def test_healthz_answers_without_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(db: None, client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


def test_readyz_says_whether_redis_answers_but_is_ready_without_it(
    db: None, client: Client
) -> None:
    with RedisServer() as redis, override_settings(CACHES=production_caches(redis.url)):
        response = client.get("/readyz")
        assert (response.status_code, response.json()["cache"]) == (200, "up")
        redis.stop()
        response = client.get("/readyz")
        # Pages are served without Redis (rate limits fail open): still ready.
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "up", "cache": "down"}
