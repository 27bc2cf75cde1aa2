"""Startup migrations: data written by v1.0 (keys and tags lower-cased, not folded) is
re-folded once, so the same text still finds the same account, tag and photo."""

from __future__ import annotations

from beanie import PydanticObjectId

from photoshare.config import Settings
from photoshare.db import collection
from photoshare.migrations import FOLDED_TEXT
from photoshare.photos.models import Photo, Tag
from photoshare.users.models import SiteClaim, User
from tests.factories import PhotoFactory, UserFactory
from tests.servers import running_app
from tests.test_text import fullwidth


async def _as_v1_0(user_id: object, email: str) -> None:
    """Store an account as v1.0 did: its email key only lower-cased."""
    await collection(User).update_one(
        {"_id": PydanticObjectId(str(user_id))},
        {"$set": {"email": email, "email_key": email.strip().lower()}},
    )


async def _tagged_as_v1_0(photo_id: object, description: str, tags: list[str]) -> None:
    """Store a photo's tags and search terms as v1.0 did, and count its tags."""
    words = [w.lower() for w in description.split()]
    await collection(Photo).update_one(
        {"_id": PydanticObjectId(str(photo_id))},
        {"$set": {"tags": tags, "search_terms": [*words, *tags, *(f"tag:{t}" for t in tags)]}},
    )
    for name in tags:
        await collection(Tag).update_one({"name": name}, {"$inc": {"photos_count": 1}}, upsert=True)


async def test_v1_0_keys_tags_and_terms_are_refolded_at_startup(settings: Settings) -> None:
    async with running_app(settings) as client:
        users, photos = UserFactory(client), PhotoFactory(client)
        ingrid, jo = await users.create("ingrid"), await users.create("joe")
        carl, dora = await users.create("carl"), await users.create("dora")
        await _as_v1_0(ingrid.me["id"], "Straße@example.com")
        await _as_v1_0(jo.me["id"], fullwidth("Joe") + "@example.com")
        # Distinct accounts in v1.0, one key once folded: the older one keeps its old key.
        await _as_v1_0(carl.me["id"], "Große@example.com")
        await _as_v1_0(dora.me["id"], "grosse@example.com")
        legacy = await photos.upload(ingrid, description="Straße at night")
        await _tagged_as_v1_0(legacy["id"], "Straße at night", [fullwidth("cat"), "straße"])
        await photos.upload(jo, description="a modern cat", tags="cat")
        # A database written by v1.0 has no record of the migration.
        await collection(SiteClaim).delete_one({"_id": FOLDED_TEXT})

    async with running_app(settings) as client:
        users = UserFactory(client)
        await users.login(ingrid, by="Straße@example.com")
        await users.login(ingrid, by="STRASSE@example.com")
        await users.login(jo, by="joe@example.com")
        await users.login(jo, by=fullwidth("Joe") + "@example.com")
        await users.login(dora, by="grosse@example.com")
        await users.login(carl, by="carl")
        found = await client.get("/api/v1/photos", params={"tag": "cat"})
        assert [p["description"] for p in found.json()["items"]] == [
            "a modern cat",
            "Straße at night",
        ]
        assert found.json()["items"][1]["tags"] == ["cat", "strasse"]
        keyword = await client.get("/api/v1/photos", params={"q": "STRASSE"})
        assert [p["description"] for p in keyword.json()["items"]] == ["Straße at night"]
        tags = (await client.get("/api/v1/tags")).json()["items"]
        assert tags == [{"name": "cat", "photos_count": 2}, {"name": "strasse", "photos_count": 1}]
        assert await SiteClaim.get(FOLDED_TEXT) is not None
        # Run again (as a second worker starting at the same time would): nothing doubles.
        await collection(SiteClaim).delete_one({"_id": FOLDED_TEXT})

    async with running_app(settings) as client:
        assert (await client.get("/api/v1/tags")).json()["items"] == tags
        await UserFactory(client).login(ingrid, by="straße@EXAMPLE.com")
