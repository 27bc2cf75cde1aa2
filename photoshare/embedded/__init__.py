"""Durability for the embedded store (mongomock and fakeredis in the process).

Each store keeps one SQLite file in the data dir: a snapshot and an append-only journal
of the writes made since (``journal.py``). Every write is in the journal before it is
acknowledged; at start the snapshot is loaded and the journal replayed over it; at a
clean stop, and whenever the journal grows past its bound, it is compacted into a fresh
snapshot. ``mongo.py`` journals mongomock's write methods, ``redis.py`` fakeredis's
write commands, and ``legacy.py`` loads the JSON snapshots earlier versions wrote.
"""
