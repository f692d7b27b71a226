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
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.model import Auth, AuthKind
from app.core.unknown_secret import is_unknown

KIND_LABELS: tuple[tuple[AuthKind, str], ...] = (
    (AuthKind.INHERIT, "Inherit"),
    (AuthKind.NONE, "No auth"),
    (AuthKind.BASIC, "Basic"),
    (AuthKind.BEARER, "Bearer token"),
    (AuthKind.API_KEY, "API key"),
    (AuthKind.DIGEST, "Digest"),
    (AuthKind.OAUTH2, "OAuth 2.0"),
    (AuthKind.AWS_SIGV4, "AWS Signature v4"),
)
GRANT_LABELS: tuple[tuple[str, str], ...] = (
    ("client_credentials", "Client credentials"),
    ("password", "Password"),
    ("authorization_code", "Authorization code (PKCE, in your browser)"),
)
SECRET_HINT = "Stored in your OS keychain, not in the collection file."
#: characters a choice box is sized for: a longer choice ("Authorization code (PKCE, in
#: your browser)") elides in a narrow editor, whole in the popup and the tooltip,
#: instead of setting the width of the editor and the window
CHOICE_CHARACTERS = 12
#: a credential the keychain could not give (locked, or no keychain): unknown, not empty
UNKNOWN_PLACEHOLDER = "🔒 Locked in the keychain (type to replace)"


def _choice_box(parent: QWidget) -> QComboBox:
    """A combo box that does not size the editor by its longest choice; the current
    choice is its tooltip (whole, where the box elides it)."""
    box = QComboBox(parent)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(CHOICE_CHARACTERS)
    box.currentTextChanged.connect(box.setToolTip)
    return box


class AuthEditor(QWidget):
    changed = Signal()
    #: "Get new token" was clicked (OAuth 2.0)
    tokenRequested = Signal()

    def __init__(
        self,
        allow_inherit: bool = True,
        parent: QWidget | None = None,
        *,
        can_fetch_token: bool = True,
    ) -> None:
        super().__init__(parent)
        self._allow_inherit = allow_inherit
        self._can_fetch_token = can_fetch_token
        self.kind = _choice_box(self)
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
        self.key_in = _choice_box(self)
        self.key_in.addItem("Header", "header")
        self.key_in.addItem("Query parameter", "query")
        self.key_in.currentIndexChanged.connect(self.changed)
        self.grant = _choice_box(self)
        for value, label in GRANT_LABELS:
            self.grant.addItem(label, value)
        self.grant.currentIndexChanged.connect(self._on_kind)
        self.token_url = self._line("https://auth.example.com/oauth/token")
        self.auth_url = self._line("https://auth.example.com/oauth/authorize")
        self.client_id = self._line("Client ID")
        self.client_secret = self._secret("Client secret, or {{variable}}")
        self.scope = self._line("Scopes, space separated")
        self.access_key = self._line("Access key ID, e.g. AKIA…")
        self.secret_key = self._secret("Secret access key, or {{variable}}")
        self.session_token = self._secret("Session token (temporary credentials only)")
        self.region = self._line("e.g. eu-west-1")
        self.service = self._line("e.g. execute-api, s3")
        self.get_token = QPushButton("Get new token", self)
        self.get_token.setObjectName("getTokenButton")
        self.get_token.clicked.connect(self.tokenRequested)
        self.token_state = QLabel("No token yet: one is fetched at the first send.", self)
        self.token_state.setObjectName("hint")
        self.token_state.setWordWrap(True)
        self._stored_secrets: list[str] = []
        #: credential fields showing "locked": the unknown marker each stands for
        self._unknown: dict[QLineEdit, str] = {}
        self.show_secrets = QCheckBox("Show secrets", self)
        self.show_secrets.toggled.connect(self._toggle_echo)
        self.secret_note = QLabel(SECRET_HINT, self)
        self.secret_note.setObjectName("hint")
        self.secret_note.setWordWrap(True)  # one long line would set the editor's width

        self.form = QFormLayout()
        self.form.addRow("Type", self.kind)
        self.form.addRow("Username", self.username)
        self.form.addRow("Password", self.password)
        self.form.addRow("Token", self.token)
        self.form.addRow("Key name", self.key_name)
        self.form.addRow("Key value", self.key_value)
        self.form.addRow("Add to", self.key_in)
        self.form.addRow("Grant", self.grant)
        self.form.addRow("Token URL", self.token_url)
        self.form.addRow("Authorize URL", self.auth_url)
        self.form.addRow("Client ID", self.client_id)
        self.form.addRow("Client secret", self.client_secret)
        self.form.addRow("Scope", self.scope)
        self.form.addRow(self.get_token, self.token_state)
        self.form.addRow("Access key", self.access_key)
        self.form.addRow("Secret key", self.secret_key)
        self.form.addRow("Session token", self.session_token)
        self.form.addRow("Region", self.region)
        self.form.addRow("Service", self.service)
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
        edit.setProperty("usualPlaceholder", placeholder)
        edit.textEdited.connect(lambda _text, e=edit: self._take_over(e))
        return edit

    def _show_secret(self, edit: QLineEdit, value: str) -> None:
        """A credential, or "locked" for one the keychain could not give (never "")."""
        if is_unknown(value):
            self._unknown[edit] = value
            edit.setText("")
            edit.setPlaceholderText(UNKNOWN_PLACEHOLDER)
        else:
            self._unknown.pop(edit, None)
            edit.setText(value)
            edit.setPlaceholderText(str(edit.property("usualPlaceholder")))

    def _take_over(self, edit: QLineEdit) -> None:
        """Typing replaces an unknown credential: from now on the field says what it is."""
        if self._unknown.pop(edit, None) is not None:
            edit.setPlaceholderText(str(edit.property("usualPlaceholder")))

    def _secret_text(self, edit: QLineEdit) -> str:
        return self._unknown.get(edit, edit.text())

    def _toggle_echo(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for edit in (
            self.password,
            self.token,
            self.key_value,
            self.client_secret,
            self.secret_key,
            self.session_token,
        ):
            edit.setEchoMode(mode)

    def current_kind(self) -> AuthKind:
        return AuthKind(self.kind.currentData())

    def _on_kind(self, _index: int = 0) -> None:
        kind = self.current_kind()
        oauth = kind is AuthKind.OAUTH2
        aws = kind is AuthKind.AWS_SIGV4
        grant = str(self.grant.currentData())
        user_pass = kind in (AuthKind.BASIC, AuthKind.DIGEST) or (oauth and grant == "password")
        visible = {
            self.username: user_pass,
            self.password: user_pass,
            self.token: kind is AuthKind.BEARER,
            self.key_name: kind is AuthKind.API_KEY,
            self.key_value: kind is AuthKind.API_KEY,
            self.key_in: kind is AuthKind.API_KEY,
            self.grant: oauth,
            self.token_url: oauth,
            self.auth_url: oauth and grant == "authorization_code",
            self.client_id: oauth,
            self.client_secret: oauth,
            self.scope: oauth,
            self.get_token: oauth and self._can_fetch_token,
            self.access_key: aws,
            self.secret_key: aws,
            self.session_token: aws,
            self.region: aws,
            self.service: aws,
        }
        for widget, shown in visible.items():
            self.form.setRowVisible(widget, shown)
        has_secret = kind not in (AuthKind.INHERIT, AuthKind.NONE)
        self.form.setRowVisible(self.show_secrets, has_secret)
        self.secret_note.setVisible(has_secret)
        self.inherited.setVisible(kind is AuthKind.INHERIT)
        for box in (self.kind, self.grant, self.key_in):  # set_auth sets them silently
            box.setToolTip(box.currentText())
        self.changed.emit()

    def show_token(self, text: str) -> None:
        """Show the current OAuth 2.0 token, masked, or why there is none."""
        self.token_state.setText(text)

    def set_auth(self, auth: Auth) -> None:
        blockers = [
            QSignalBlocker(w)
            for w in (self.kind, self.key_in, self.grant, self.username, self.password, self.token)
        ]
        kind = auth.kind
        if kind is AuthKind.INHERIT and not self._allow_inherit:
            kind = AuthKind.NONE
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind.value)))
        self.username.setText(auth.username)
        self._show_secret(self.password, auth.password)
        self._show_secret(self.token, auth.token)
        self.key_name.setText(auth.key_name)
        self._show_secret(self.key_value, auth.key_value)
        self.key_in.setCurrentIndex(max(0, self.key_in.findData(auth.key_in)))
        self.grant.setCurrentIndex(max(0, self.grant.findData(auth.grant)))
        self.token_url.setText(auth.token_url)
        self.auth_url.setText(auth.auth_url)
        self.client_id.setText(auth.client_id)
        self._show_secret(self.client_secret, auth.client_secret)
        self.scope.setText(auth.scope)
        self.access_key.setText(auth.access_key)
        self._show_secret(self.secret_key, auth.secret_key)
        self._show_secret(self.session_token, auth.session_token)
        self.region.setText(auth.region)
        self.service.setText(auth.service)
        self._stored_secrets = list(auth.stored_secrets)
        del blockers
        self._on_kind()

    def auth(self) -> Auth:
        kind = self.current_kind()
        if kind in (AuthKind.INHERIT, AuthKind.NONE):
            return Auth(kind=kind)
        oauth = kind is AuthKind.OAUTH2
        aws = kind is AuthKind.AWS_SIGV4
        grant = str(self.grant.currentData())
        user_pass = kind in (AuthKind.BASIC, AuthKind.DIGEST) or (oauth and grant == "password")
        key = kind is AuthKind.API_KEY
        return Auth(
            kind=kind,
            username=self.username.text() if user_pass else "",
            password=self._secret_text(self.password) if user_pass else "",
            token=self._secret_text(self.token) if kind is AuthKind.BEARER else "",
            key_name=self.key_name.text().strip() if key else "",
            key_value=self._secret_text(self.key_value) if key else "",
            key_in=str(self.key_in.currentData()) if key else "header",
            grant=grant if oauth else "client_credentials",
            token_url=self.token_url.text().strip() if oauth else "",
            auth_url=self.auth_url.text().strip()
            if oauth and grant == "authorization_code"
            else "",
            client_id=self.client_id.text().strip() if oauth else "",
            client_secret=self._secret_text(self.client_secret) if oauth else "",
            scope=self.scope.text().strip() if oauth else "",
            access_key=self.access_key.text().strip() if aws else "",
            secret_key=self._secret_text(self.secret_key) if aws else "",
            session_token=self._secret_text(self.session_token) if aws else "",
            region=self.region.text().strip() if aws else "",
            service=self.service.text().strip() if aws else "",
            stored_secrets=list(self._stored_secrets),
        )

    def set_inherited_note(self, text: str) -> None:
        """What "Inherit" means here, e.g. "Bearer token, from the collection"."""
        self.inherited.setText(text)
