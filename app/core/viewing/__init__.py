"""Viewing response bodies of any size: pure Python, no Qt, no httpx.

Everything here reads a body through a ``ByteSource`` (bytes by offset, a size
that may still grow, and whether it is complete), so a view of a 1 GB body
never holds it whole: indexes are sparse, formatting and search go block by
block.
"""
