"""Every value is checked on load: a bad one is a problem naming the file and the key.

Real files in a real collection; the rest of the collection always opens.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from app.core import storage
from app.core.errors import StorageError
from app.core.model import DEFAULT_SETTINGS, Request, Settings
from app.core.setting_ranges import SETTING_RANGES

BAD_REQUESTS = [
    # (file body after "name: R\n", key named, how the value is shown)
    (
        "settings: {timeout_s: .nan}",
        "timeout_s",
        "must be a number of seconds between 0 and 3600, not nan",
    ),
    ("settings: {timeout_s: -5}", "timeout_s", "between 0 and 3600, not -5"),
    ("settings: {timeout_s: .inf}", "timeout_s", "not inf"),
    ("settings: {timeout_s: 99999}", "timeout_s", "not 99999"),
    ("settings: {deadline_s: -.inf}", "deadline_s", "between 0 and 86400, not -inf"),
    ("settings: {deadline_s: 1.0e+12}", "deadline_s", "not 1000000000000.0"),
    ("settings: {max_redirects: 1000}", "max_redirects", "whole number between 0 and 100"),
    ("settings: {max_redirects: 2.5}", "max_redirects", "not 2.5"),
    ("settings: {max_redirects: true}", "max_redirects", "not true"),
    ("settings: {max_body_mb: 2000000}", "max_body_mb", "of MiB between 0 and 1048576"),
    ("settings: {max_body_mb: '5'}", "max_body_mb", "not '5'"),
    ("settings: {follow_redirects: 'yes please'}", "follow_redirects", "true or false"),
    ("settings: {verify_tls: 1}", "verify_tls", "true or false, not 1"),
    ("settings: {http2: [a]}", "http2", "not a list"),
    ("settings: {proxy: 3128}", "proxy", "must be text, not 3128"),
    ("settings: {ca_bundle: {a: b}}", "ca_bundle", "must be text, not a mapping"),
    ("settings: [timeout_s]", "settings", "expected a mapping"),
    ("url: [a, b]", "url", "must be text, not a list"),
    ("method: {a: b}", "method", "must be text"),
    ("notes: true", "notes", "must be text, not true"),
    ("headers: {a: b}", "headers", "must be a list, not a mapping"),
    ("headers: [x]", "headers", "expected a mapping"),
    ("params: [{name: a, enabled: 'no'}]", "enabled", "true or false, not 'no'"),
    ("body: {type: xml}", "body type", "'xml'"),
    ("body: {type: form, form: [{name: [1]}]}", "name", "must be text"),
    ("auth: {type: kerberos}", "auth type", "'kerberos'"),
    ("auth: {type: apikey, key_in: cookie}", "key_in", "header or query"),
    ("auth: {type: oauth2, grant: implicit}", "grant", "'implicit'"),
    ("auth: {type: bearer, secret_fields: [[token]]}", "secret_fields", "list of names"),
    ("auth: {type: bearer, secret_fields: [pin]}", "secret_fields", "pin"),
    ("disabled_inherited_headers: [{a: b}]", "disabled_inherited_headers", "list of names"),
    ("disabled_inherited_headers: x-a", "disabled_inherited_headers", "must be a list"),
]


@pytest.mark.parametrize(("body", "key", "shown"), BAD_REQUESTS)
def test_a_bad_request_value_is_a_problem_naming_file_and_key(
    tmp_path: Path, body: str, key: str, shown: str
) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    storage.add_request(collection, None, Request(name="Good"))
    bad = tmp_path / "c" / "bad.request.yaml"
    bad.write_text(f"name: R\n{body}\n")
    for use_cache in (True, True, False):  # fresh, then with the cache written, then without
        loaded = storage.load_collection(tmp_path / "c", use_cache=use_cache)
        assert [r.name for r in loaded.requests] == ["Good"]
        assert [p.path for p in loaded.problems] == [bad]
        assert key in loaded.problems[0].reason
        assert shown in loaded.problems[0].reason


GOOD_SETTINGS = [
    ("timeout_s: 0", Settings(timeout_s=0.0)),
    ("timeout_s: 3600", Settings(timeout_s=3600.0)),
    ("timeout_s: 2.5", Settings(timeout_s=2.5)),
    ("deadline_s: 86400", Settings(deadline_s=86400.0)),
    ("max_redirects: 0", Settings(max_redirects=0)),
    ("max_redirects: 100", Settings(max_redirects=100)),
    ("max_body_mb: 1048576", Settings(max_body_mb=1048576)),
    ("timeout_s: null", Settings()),
    ("verify_tls: false", Settings(verify_tls=False)),
    ("proxy: ''", Settings(proxy="")),
]


@pytest.mark.parametrize(("line", "expected"), GOOD_SETTINGS)
def test_values_at_the_edges_of_their_ranges_load(
    tmp_path: Path, line: str, expected: Settings
) -> None:
    storage.create_collection(tmp_path / "c", "C")
    (tmp_path / "c" / "r.request.yaml").write_text(f"name: R\nsettings:\n  {line}\n")
    loaded = storage.load_collection(tmp_path / "c")
    assert loaded.problems == []
    assert loaded.requests[0].settings == expected


def test_every_numeric_setting_has_a_range() -> None:
    numeric = {
        f.name for f in fields(Settings) if type(getattr(DEFAULT_SETTINGS, f.name)) in (int, float)
    }
    assert numeric == set(SETTING_RANGES)
    for name, limits in SETTING_RANGES.items():
        assert limits.low <= getattr(DEFAULT_SETTINGS, name) <= limits.high


def test_bad_values_in_folder_environment_and_collection_files(tmp_path: Path) -> None:
    collection = storage.create_collection(tmp_path / "c", "C")
    storage.add_request(collection, None, Request(name="Good"))
    folder = storage.add_folder(collection, None, "F")
    assert folder.path is not None
    (folder.path / "folder.yaml").write_text("name: F\nsettings: {deadline_s: -1}\n")
    (folder.path / "inner.request.yaml").write_text("name: Inner\n")
    environment = storage.add_environment(collection, "Dev")
    assert environment.path is not None
    environment.path.write_text("name: Dev\nvariables: [{name: a, secret: maybe}]\n")

    loaded = storage.load_collection(tmp_path / "c")
    reasons = {p.path: p.reason for p in loaded.problems}
    assert (
        "setting 'deadline_s' must be a number of seconds" in reasons[folder.path / "folder.yaml"]
    )
    assert "'secret' must be true or false, not 'maybe'" in reasons[environment.path]
    assert [r.name for _chain, r in loaded.iter_requests()] == ["Good", "Inner"]

    meta = tmp_path / "c" / "collection.yaml"
    meta.write_text(meta.read_text() + "settings:\n  max_redirects: -3\n")
    with pytest.raises(StorageError) as caught:
        storage.load_collection(tmp_path / "c")
    assert str(meta) in str(caught.value)
    assert "setting 'max_redirects' must be a whole number between 0 and 100, not -3" in str(
        caught.value
    )
