"""The embedded store: mongomock, given what it lacks to stay quick as it grows.

``engine.install()`` teaches mongomock's collections to find documents through their
``_id`` and through in-memory indexes on the fields of the declared indexes, to copy
only the page a list query returns, and to snapshot only what an update can change.
mongomock still evaluates every filter, sort, projection and update.
"""
