"""`photoshare demo`'s sample photos."""
