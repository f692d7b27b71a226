"""Edits one ``Auth``: the kind, then only the fields that kind needs.

Credential fields are masked (with a toggle to show them) and secret by
default: what is typed there is stored in the OS keychain, not in the file,
unless it is a ``{{variable}}`` reference.  Requests and folders can inherit;
then the editor shows where the auth in force comes from.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.model import Auth, AuthKind

KIND_LABELS: tuple[tuple[AuthKind, str], ...] = (
    (AuthKind.INHERIT, "Inherit"),
    (AuthKind.NONE, "No auth"),
    (AuthKind.BASIC, "Basic"),
    (AuthKind.BEARER, "Bearer token"),
    (AuthKind.API_KEY, "API key"),
    (AuthKind.DIGEST, "Digest"),
)
SECRET_HINT = "Stored in your OS keychain, not in the collection file."


class AuthEditor(QWidget):
    changed = Signal()

    def __init__(self, allow_inherit: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._allow_inherit = allow_inherit
        self.kind = QComboBox(self)
        self.kind.setObjectName("authKind")
        for kind, label in KIND_LABELS:
            if kind is AuthKind.INHERIT and not allow_inherit:
                continue
            self.kind.addItem(label, kind.value)
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.inherited = QLabel("", self)
        self.inherited.setObjectName("hint")
        self.inherited.setWordWrap(True)

        self.username = self._line("Username")
        self.password = self._secret("Password")
        self.token = self._secret("Token, or {{variable}}")
        self.key_name = self._line("e.g. X-API-Key or api_key")
        self.key_value = self._secret("Key, or {{variable}}")
        self.key_in = QComboBox(self)
        self.key_in.addItem("Header", "header")
        self.key_in.addItem("Query parameter", "query")
        self.key_in.currentIndexChanged.connect(self.changed)
        self._stored_secrets: list[str] = []
        self.show_secrets = QCheckBox("Show secrets", self)
        self.show_secrets.toggled.connect(self._toggle_echo)
        self.secret_note = QLabel(SECRET_HINT, self)
        self.secret_note.setObjectName("hint")

        self.form = QFormLayout()
        self.form.addRow("Type", self.kind)
        self.form.addRow("Username", self.username)
        self.form.addRow("Password", self.password)
        self.form.addRow("Token", self.token)
        self.form.addRow("Key name", self.key_name)
        self.form.addRow("Key value", self.key_value)
        self.form.addRow("Add to", self.key_in)
        self.form.addRow("", self.show_secrets)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 10, 4, 4)
        layout.addLayout(self.form)
        layout.addWidget(self.secret_note)
        layout.addWidget(self.inherited)
        layout.addStretch(1)
        self._on_kind()

    def _line(self, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(self.changed)
        return edit

    def _secret(self, placeholder: str) -> QLineEdit:
        edit = self._line(placeholder)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setToolTip(SECRET_HINT)
        return edit

    def _toggle_echo(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for edit in (self.password, self.token, self.key_value):
            edit.setEchoMode(mode)

    def current_kind(self) -> AuthKind:
        return AuthKind(self.kind.currentData())

    def _on_kind(self, _index: int = 0) -> None:
        kind = self.current_kind()
        visible = {
            self.username: kind in (AuthKind.BASIC, AuthKind.DIGEST),
            self.password: kind in (AuthKind.BASIC, AuthKind.DIGEST),
            self.token: kind is AuthKind.BEARER,
            self.key_name: kind is AuthKind.API_KEY,
            self.key_value: kind is AuthKind.API_KEY,
            self.key_in: kind is AuthKind.API_KEY,
        }
        for widget, shown in visible.items():
            self.form.setRowVisible(widget, shown)
        has_secret = kind in (AuthKind.BASIC, AuthKind.DIGEST, AuthKind.BEARER, AuthKind.API_KEY)
        self.form.setRowVisible(self.show_secrets, has_secret)
        self.secret_note.setVisible(has_secret)
        self.inherited.setVisible(kind is AuthKind.INHERIT)
        self.changed.emit()

    def set_auth(self, auth: Auth) -> None:
        blockers = [
            QSignalBlocker(w)
            for w in (self.kind, self.key_in, self.username, self.password, self.token)
        ]
        kind = auth.kind
        if kind is AuthKind.INHERIT and not self._allow_inherit:
            kind = AuthKind.NONE
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind.value)))
        self.username.setText(auth.username)
        self.password.setText(auth.password)
        self.token.setText(auth.token)
        self.key_name.setText(auth.key_name)
        self.key_value.setText(auth.key_value)
        self.key_in.setCurrentIndex(max(0, self.key_in.findData(auth.key_in)))
        self._stored_secrets = list(auth.stored_secrets)
        del blockers
        self._on_kind()

    def auth(self) -> Auth:
        kind = self.current_kind()
        if kind in (AuthKind.INHERIT, AuthKind.NONE):
            return Auth(kind=kind)
        basic = kind in (AuthKind.BASIC, AuthKind.DIGEST)
        key = kind is AuthKind.API_KEY
        return Auth(
            kind=kind,
            username=self.username.text() if basic else "",
            password=self.password.text() if basic else "",
            token=self.token.text() if kind is AuthKind.BEARER else "",
            key_name=self.key_name.text().strip() if key else "",
            key_value=self.key_value.text() if key else "",
            key_in=str(self.key_in.currentData()) if key else "header",
            stored_secrets=list(self._stored_secrets),
        )

    def set_inherited_note(self, text: str) -> None:
        """What "Inherit" means here, e.g. "Bearer token, from the collection"."""
        self.inherited.setText(text)
