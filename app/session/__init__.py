"""The Qt-free core: ``Session`` opens collections, resolves and sends.

The GUI services wrap it with signals; the command line (``app.cli``) uses it
as it is.  Neither PySide6 nor qasync is imported here.
"""

from app.session.session import DEMO_VARIABLE, BackgroundDemo, DemoProvider, Session, secret_fields

__all__ = ["DEMO_VARIABLE", "BackgroundDemo", "DemoProvider", "Session", "secret_fields"]
