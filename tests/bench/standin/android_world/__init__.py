"""Stand-in for ``android_world`` (tests only): the real package's types, field by field (see ../README.md)."""
