"""Every query the service issues is served by an index declared on its Document.

The recorder in tests/index_coverage.py sees every query of the whole run and fails
the session on an unindexed one; these tests check the checker, and drive every search
combination so that each of its query shapes is seen.
"""

from __future__ import annotations

import itertools

import httpx

from tests.factories import PhotoFactory, UserFactory
from tests.index_coverage import RECORDER, covered, declared_indexes, shape_of


def test_the_checker_tells_indexed_from_unindexed() -> None:
    indexes = declared_indexes()
    newest = [("created_at", -1), ("_id", -1)]
    assert covered(shape_of("photos", {"owner_id": 1}, newest, "find"), indexes)
    assert covered(shape_of("photos", {}, [("created_at", 1), ("_id", 1)], "find"), indexes)
    assert covered(shape_of("photos", {"_id": 1, "anything": 2}, None, "update"), indexes)
    assert covered(
        shape_of("links", {"$and": [{"photo_id": 1}, {"transformation": "x"}]}, None, "find"),
        indexes,
    )
    assert not covered(shape_of("photos", {"description": "x"}, None, "find"), indexes)
    assert not covered(shape_of("photos", {"owner_id": 1}, [("bytes", -1)], "find"), indexes)
    assert not covered(shape_of("photos", {}, [("created_at", -1), ("_id", 1)], "find"), indexes)
    assert not covered(shape_of("photos", {"$where": "1"}, None, "find"), indexes)
    assert not covered(shape_of("users", {"bio": "x"}, None, "count"), indexes)


async def test_every_search_combination_is_indexed(
    client: httpx.AsyncClient, users: UserFactory, photos: PhotoFactory
) -> None:
    admin = await users.create()
    await photos.upload(admin, description="harbour at night", tags="sea")
    filters = [{}, {"q": "harbour"}, {"tag": "sea"}, {"q": "harbour", "tag": "sea"}]
    owners = [{}, {"owner": admin.username}]
    ranges = [{}, {"min_rating": 2, "date_from": "2020-01-01", "date_to": "2100-01-01"}]
    sorts = ["newest", "oldest", "top_rated", "lowest_rated"]
    for words, owner, bounds, sort in itertools.product(filters, owners, ranges, sorts):
        params = {**words, **owner, **bounds, "sort": sort}
        response = await client.get("/api/v1/photos", params=params, headers=admin.headers)
        assert response.status_code == 200, params
    photo_shapes = [shape for shape in RECORDER.shapes if shape.collection == "photos"]
    assert len({shape.sort for shape in photo_shapes if shape.sort}) >= 4
    assert RECORDER.uncovered() == []
