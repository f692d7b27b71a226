"""The sample collection that opens on first run, aimed at the built-in demo server."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core import paths
from app.resources import resource_path

SAMPLE_DIR_NAME = "courier-demo"
#: the sample collection's id (in its collection.yaml)
SAMPLE_ID = "c0c0a1e5d3e6400e9f3e5a3b1de0de00"
#: demo values for the sample's secret variables, put into the keychain on first use
#: (they unlock the demo server's test routes; nothing else)
SAMPLE_SECRETS = {
    "api_token": "demo-token",
    "demo_password": "secret",
    "aws_secret_key": "courier/demo/secret/key",
    "oauth_client_secret": "demo-secret",
}


def install_sample_collection(target_root: Path | None = None) -> Path:
    """Copy the bundled sample into Courier's data directory, once.

    An existing copy is never overwritten: it holds the user's edits.
    """
    root = target_root if target_root is not None else paths.data_dir() / "collections"
    target = root / SAMPLE_DIR_NAME
    if not (target / "collection.yaml").is_file():
        paths.ensure_dir(root)
        shutil.copytree(resource_path("sample-collection"), target, dirs_exist_ok=True)
    return target
