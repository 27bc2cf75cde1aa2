"""PhotoShare: a photo-sharing REST API."""

__version__ = "0.1.0"
