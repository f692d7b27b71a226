"""Splitting the password out of a proxy URL keeps everything else as typed."""

from __future__ import annotations

import pytest

from app.core import proxy_url


@pytest.mark.parametrize(
    ("url", "bare", "secret"),
    [
        ("http://alice:pw@proxy:3128", "http://alice@proxy:3128", "pw"),
        ("http://alice:p%40ss@proxy:3128/x?y#z", "http://alice@proxy:3128/x?y#z", "p%40ss"),
        ("socks5://:pw@127.0.0.1:1080", "socks5://@127.0.0.1:1080", "pw"),
        ("http://alice@proxy:3128", "http://alice@proxy:3128", ""),
        ("http://proxy:3128", "http://proxy:3128", ""),
        ("http://a:b:c@proxy", "http://a@proxy", "b:c"),
        ("proxy:3128", "proxy:3128", ""),
        ("", "", ""),
    ],
)
def test_password_split_and_joined_back(url: str, bare: str, secret: str) -> None:
    assert proxy_url.password(url) == secret
    assert proxy_url.without_password(url) == bare
    if secret:
        assert proxy_url.with_password(bare, secret) == url
        assert proxy_url.masked(url) == proxy_url.with_password(bare, proxy_url.MASK)
    else:
        assert proxy_url.masked(url) == url


def test_a_password_added_to_a_url_without_user() -> None:
    assert proxy_url.with_password("http://proxy:3128", "pw") == "http://:pw@proxy:3128"
    assert proxy_url.with_password("http://alice:old@proxy", "") == "http://alice@proxy"
