"""Secret values (passwords, tokens, secret variables) in the OS keychain."""

from app.secrets.store import KeyringStore, MemoryStore, SecretStore, open_secret_store

__all__ = ["KeyringStore", "MemoryStore", "SecretStore", "open_secret_store"]
