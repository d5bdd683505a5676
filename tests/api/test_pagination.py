from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.api.conftest import ApiClient, fields_of


def walk(api: ApiClient, path: str, limit: int) -> tuple[list[str], int]:
    """Follow `next` to the end; return every id seen and the number of pages."""
    ids: list[str] = []
    pages = 0
    cursor = None
    while True:
        body = api.get(path, limit=limit, cursor=cursor).json()
        pages += 1
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        cursor = body["next"]
        if cursor is None:
            return ids, pages


def test_walking_the_cursor_shows_every_unit_once(api: ApiClient) -> None:
    created = [
        api.post("/units", {"name": f"Chambre {n}", "timezone": "Europe/Paris"}).json()["id"]
        for n in range(7)
    ]
    ids, pages = walk(api, "/units", 3)
    assert pages == 3
    assert ids == created


def test_walking_the_cursor_shows_every_booking_once(api: ApiClient, unit: dict[str, Any]) -> None:
    start = date.today() + timedelta(days=10)
    created = []
    for n in range(5):
        day = start + timedelta(days=2 * n)
        created.append(
            api.post(
                f"/units/{unit['id']}/bookings",
                {
                    "start": day.isoformat(),
                    "end": (day + timedelta(days=1)).isoformat(),
                    "kind": "unavailable",
                },
            ).json()["id"]
        )
    ids, pages = walk(api, f"/units/{unit['id']}/bookings", 2)
    assert (ids, pages) == (created, 3)


def test_platforms_page_like_every_list(api: ApiClient) -> None:
    ids, pages = walk(api, "/platforms", 5)
    every = [p["id"] for p in api.get("/platforms", limit=200).json()["items"]]
    assert ids == every and len(set(ids)) == len(ids)
    assert pages == -(-len(every) // 5)


def test_a_limit_over_200_or_a_forged_cursor_is_refused(api: ApiClient) -> None:
    assert fields_of(api.get("/units", limit=201)) == ["limit"]
    assert fields_of(api.get("/units", limit=0)) == ["limit"]
    assert fields_of(api.get("/units", cursor="eyJhIjoxfQ")) == ["cursor"]


def test_a_cursor_of_one_list_is_refused_by_another(api: ApiClient) -> None:
    for n in range(3):
        api.post("/units", {"name": f"Studio {n}", "timezone": "Europe/Paris"})
    cursor = api.get("/platforms", limit=1).json()["next"]
    assert fields_of(api.get("/units", cursor=cursor)) == ["cursor"]
