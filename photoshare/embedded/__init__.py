"""The embedded store: mongomock and fakeredis in the process, made durable and quick.

Durability: each store keeps one SQLite file in the data dir, a snapshot and an
append-only journal of the writes made since (``journal.py``). Every write is in the
journal before it is acknowledged; at start the snapshot is loaded and the journal
replayed over it; at a clean stop, and whenever the journal grows past its bound, it is
compacted into a fresh snapshot. ``mongo.py`` journals mongomock's write methods,
``redis.py`` fakeredis's write commands, and ``legacy.py`` loads the JSON snapshots
earlier versions wrote.

Speed: ``engine.install()`` teaches mongomock's collections to find documents through
their ``_id`` and through in-memory indexes on the fields of the declared indexes, to copy
only the page a list query returns, and to snapshot only what an update can change.
mongomock still evaluates every filter, sort, projection and update.
"""
