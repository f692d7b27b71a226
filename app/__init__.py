"""Courier: a fast, offline-first desktop API client."""

__version__ = "0.1.0"
