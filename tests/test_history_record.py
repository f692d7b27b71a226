"""The history's masking of secret values, in the forms a server echoes them."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from app.core.resolved import ResolvedAuth
from app.session.history_record import MASK, Secrets


def test_a_secret_is_masked_as_typed_percent_encoded_and_json_escaped() -> None:
    secret = 'p@ss "wörd"/\\1'
    secrets = Secrets([secret])
    echoes = [
        secret,
        quote(secret, safe=""),
        json.dumps({"v": secret}),
        json.dumps({"v": secret}, ensure_ascii=False),
    ]
    for echo in echoes:
        assert secret not in secrets.mask(echo)
        masked = secrets.mask_bytes(echo.encode())
        assert MASK.encode() in masked, echo
        for form in (secret, quote(secret, safe=""), json.dumps(secret)[1:-1]):
            assert form.encode() not in masked, (echo, form)


def test_basic_credentials_are_masked_as_sent_and_short_values_left_alone() -> None:
    secrets = Secrets(["abc"])  # under 4 characters: masking it would garble every text
    secrets.add_auth(ResolvedAuth(kind="basic", username="ada", password="lovelace"))
    sent = "Basic " + base64.b64encode(b"ada:lovelace").decode()
    assert secrets.mask(f'{{"authorization": "{sent}"}}') == f'{{"authorization": "Basic {MASK}"}}'
    assert secrets.mask("abc lovelace") == f"abc {MASK}"
