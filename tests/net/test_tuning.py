"""The throughput levers still find what they patch in the pinned httpcore.

``tuning`` guards every private attribute it touches, so an httpcore upgrade
would silently turn a lever off; these tests make that loud instead.
"""

from __future__ import annotations

import httpcore

from app.net import tuning


def test_http11_reads_a_mebibyte_at_a_time() -> None:
    tuning.apply()
    assert httpcore.AsyncHTTP11Connection.READ_NUM_BYTES == tuning.READ_SIZE


def test_http2_preamble_is_wrapped_once() -> None:
    tuning.apply()
    wrapped = httpcore.AsyncHTTP2Connection._send_connection_init
    assert getattr(wrapped, "_courier_large_frames", False)
    tuning._ask_for_large_h2_frames()  # a second call must not wrap the wrapper
    assert httpcore.AsyncHTTP2Connection._send_connection_init is wrapped
