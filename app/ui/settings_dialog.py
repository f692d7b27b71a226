"""Settings of a collection or a folder: what every request inside shares.

Base URL (collection), headers, auth, variables, request options and, for a
collection, its environments.  A folder's options can be left to inherit.  The
dialog edits copies; ``apply_to`` writes the edits back for the caller to save.
"""

from __future__ import annotations

import copy
from dataclasses import fields

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import proxy_url
from app.core.model import DEFAULT_SETTINGS, Collection, Environment, Folder, Settings
from app.core.unknown_secret import is_unknown
from app.ui.auth_editor import AuthEditor
from app.ui.key_value_table import KeyValueTable
from app.ui.variables_table import VariablesTable

INHERIT_TEXT = "inherit"
NO_DEADLINE_TEXT = "no deadline"
#: shown for a proxy password the keychain could not give (kept as it is when left there)
PROXY_LOCKED = "(locked-in-keychain)"
#: the largest response body limit the form offers (1 TiB)
MAX_BODY_MB = 1024 * 1024


class _TriState(QCheckBox):
    """A checkbox whose third state means "inherit" (folders only)."""

    def __init__(self, text: str, inheritable: bool, parent: QWidget) -> None:
        super().__init__(text, parent)
        self.setTristate(inheritable)
        if inheritable:
            self.setToolTip("Partly checked: inherit from the parent")

    def set_value(self, value: bool | None) -> None:
        if value is None:
            self.setCheckState(Qt.CheckState.PartiallyChecked)
        else:
            self.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)

    def value(self) -> bool | None:
        state = self.checkState()
        if state == Qt.CheckState.PartiallyChecked:
            return None
        return state == Qt.CheckState.Checked


class OptionsEditor(QWidget):
    """Request options; for folders and requests, empty / partly checked means inherit.

    Numbers use their spin box's lowest value as "inherit" (shown as such).  In
    the collection's form (not inheritable) a value equal to Courier's default is
    given back as None, so a collection file only says what differs from it.
    """

    changed = Signal()

    def __init__(self, inheritable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._inheritable = inheritable
        self.timeout = QDoubleSpinBox(self)
        self.timeout.setRange(0.0 if inheritable else 0.1, 3600.0)
        self.timeout.setSuffix(" s")
        self.timeout.setToolTip("How long any one step (connecting, each read or write) may stall")
        if inheritable:
            self.timeout.setSpecialValueText(INHERIT_TEXT)
        self.deadline = QDoubleSpinBox(self)
        self.deadline.setRange(-1.0 if inheritable else 0.0, 86400.0)
        self.deadline.setSuffix(" s")
        self.deadline.setSpecialValueText(INHERIT_TEXT if inheritable else NO_DEADLINE_TEXT)
        self.deadline.setToolTip(
            "How long the whole request may take, connecting to the last byte of the "
            "response, however slowly the server sends it (0: no deadline)"
        )
        self.max_redirects = QSpinBox(self)
        self.max_redirects.setRange(-1 if inheritable else 0, 100)
        if inheritable:
            self.max_redirects.setSpecialValueText(INHERIT_TEXT)
        self.max_body = QSpinBox(self)
        self.max_body.setRange(0 if inheritable else 1, MAX_BODY_MB)
        self.max_body.setSuffix(" MiB")
        self.max_body.setToolTip(
            "The response body kept may be at most this large; a larger one is stopped "
            "there (what arrived is kept)"
        )
        if inheritable:
            self.max_body.setSpecialValueText(INHERIT_TEXT)
        self.follow = _TriState("Follow redirects", inheritable, self)
        self.verify = _TriState("Verify TLS certificates", inheritable, self)
        self.http2 = _TriState("Allow HTTP/2", inheritable, self)
        self.no_cookies = _TriState("Don't send or store cookies", inheritable, self)
        self.ca_bundle = QLineEdit(self)
        self.ca_bundle.setPlaceholderText(
            "PEM file of CA certificates" + (" (empty: inherit)" if inheritable else "")
        )
        self.client_cert = QLineEdit(self)
        self.client_cert.setPlaceholderText(
            "PEM certificate for mutual TLS" + (" (empty: inherit)" if inheritable else "")
        )
        self.client_key = QLineEdit(self)
        self.client_key.setPlaceholderText("its private key, if not in the certificate file")
        self.proxy = QLineEdit(self)
        self._proxy_url = ""
        self._proxy_mask = proxy_url.MASK
        self.proxy.setPlaceholderText(
            "http://proxy:3128 or socks5://host:1080"
            + (" (empty: inherit)" if inheritable else " (empty: none)")
        )
        for spin in (self.timeout, self.deadline, self.max_redirects, self.max_body):
            spin.valueChanged.connect(self.changed)
        for box in (self.follow, self.verify, self.http2, self.no_cookies):
            box.stateChanged.connect(self.changed)
        self.ca_bundle.textEdited.connect(self.changed)
        self.proxy.textEdited.connect(self.changed)
        self.client_cert.textEdited.connect(self.changed)
        self.client_key.textEdited.connect(self.changed)
        form = QFormLayout(self)
        # labels level with their (taller) spin boxes and fields, not at their top edge;
        # in a narrow request editor a label goes above its field instead of setting the
        # editor's (and the window's) width
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Timeout (per step)", self.timeout)
        form.addRow("Deadline (whole request)", self.deadline)
        form.addRow("", self.follow)
        form.addRow("Max redirects", self.max_redirects)
        form.addRow("Response body limit", self.max_body)
        form.addRow("", self.verify)
        form.addRow("CA bundle", self.ca_bundle)
        form.addRow("Client certificate", self.client_cert)
        form.addRow("Client key", self.client_key)
        form.addRow("", self.http2)
        form.addRow("Proxy", self.proxy)
        form.addRow("", self.no_cookies)
        if inheritable:
            hint = QLabel(
                "Options left empty, partly checked or at “inherit” come from the parent. "
                "Deadline 0: none.",
                self,
            )
            hint.setObjectName("hint")
            hint.setWordWrap(True)  # a long line would set the whole editor's minimum width
            form.addRow(hint)

    def set_settings(self, settings: Settings, defaults: Settings) -> None:
        blockers = [
            QSignalBlocker(w)
            for w in (
                self.timeout,
                self.deadline,
                self.max_redirects,
                self.max_body,
                self.follow,
                self.verify,
                self.http2,
                self.no_cookies,
            )
        ]
        self._set_settings(settings, defaults)
        del blockers

    def _set_settings(self, settings: Settings, defaults: Settings) -> None:
        def pick(name: str) -> object:
            value = getattr(settings, name)
            return value if value is not None or self._inheritable else getattr(defaults, name)

        timeout = pick("timeout_s")
        self.timeout.setValue(float(timeout) if isinstance(timeout, float) else 0.0)
        deadline = pick("deadline_s")
        self.deadline.setValue(float(deadline) if isinstance(deadline, float) else -1.0)
        redirects = pick("max_redirects")
        self.max_redirects.setValue(redirects if isinstance(redirects, int) else -1)
        body = pick("max_body_mb")
        self.max_body.setValue(body if isinstance(body, int) else 0)
        for box, name in (
            (self.follow, "follow_redirects"),
            (self.verify, "verify_tls"),
            (self.http2, "http2"),
            (self.no_cookies, "no_cookies"),
        ):
            value = pick(name)
            box.set_value(value if isinstance(value, bool) else None)
        self.ca_bundle.setText(str(pick("ca_bundle") or ""))
        self._show_proxy(str(pick("proxy") or ""))
        self.client_cert.setText(str(pick("client_cert") or ""))
        self.client_key.setText(str(pick("client_key") or ""))

    def settings(self) -> Settings:
        def number(spin: QSpinBox | QDoubleSpinBox) -> float | None:
            at_inherit = self._inheritable and spin.value() == spin.minimum()
            return None if at_inherit else spin.value()

        timeout, deadline = number(self.timeout), number(self.deadline)
        redirects, body = number(self.max_redirects), number(self.max_body)
        settings = Settings(
            timeout_s=timeout,
            deadline_s=deadline,
            follow_redirects=self.follow.value(),
            max_redirects=None if redirects is None else int(redirects),
            verify_tls=self.verify.value(),
            ca_bundle=self._text(self.ca_bundle),
            http2=self.http2.value(),
            proxy=self._proxy(),
            client_cert=self._text(self.client_cert),
            client_key=self._text(self.client_key),
            no_cookies=self.no_cookies.value(),
            max_body_mb=None if body is None else int(body),
        )
        if not self._inheritable:  # the collection: what equals the default goes unsaid
            for f in fields(Settings):
                if getattr(settings, f.name) == getattr(DEFAULT_SETTINGS, f.name):
                    setattr(settings, f.name, None)
        return settings

    def _show_proxy(self, url: str) -> None:
        """The proxy URL with its password masked (it is a keychain secret); "locked"
        when the keychain could not give it."""
        self._proxy_url = url
        secret = proxy_url.password(url)
        self._proxy_mask = PROXY_LOCKED if is_unknown(secret) else proxy_url.MASK
        self.proxy.setText(proxy_url.masked(url, self._proxy_mask))

    def _proxy(self) -> str | None:
        """The URL typed, with the real password back where its mask was left."""
        text = self._text(self.proxy)
        if text and proxy_url.password(text) == self._proxy_mask:
            return proxy_url.with_password(text, proxy_url.password(self._proxy_url))
        return text

    def _text(self, edit: QLineEdit) -> str | None:
        text = edit.text().strip()
        return (text or None) if self._inheritable else text


class EnvironmentsEditor(QWidget):
    """The collection's environments: pick one, edit its variables, add or remove."""

    def __init__(self, environments: list[Environment], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.environments = environments
        self.removed: list[Environment] = []
        self.added: list[Environment] = []
        self._current: Environment | None = None
        self.picker = QComboBox(self)
        self.picker.currentIndexChanged.connect(self._show)
        add = QPushButton("Add environment…", self)
        add.clicked.connect(self._add)
        remove = QPushButton("Delete", self)
        remove.clicked.connect(self._remove)
        top = QHBoxLayout()
        top.addWidget(self.picker, 1)
        top.addWidget(add)
        top.addWidget(remove)
        self.variables = VariablesTable(self)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.variables, 1)
        self._refill()

    def _refill(self) -> None:
        self.picker.blockSignals(True)
        self.picker.clear()
        for env in self.environments:
            self.picker.addItem(env.name)
        self.picker.blockSignals(False)
        self._current = None
        self._show(self.picker.currentIndex())

    def commit(self) -> None:
        if self._current is not None:
            self._current.variables = self.variables.variables()

    def _show(self, index: int) -> None:
        self.commit()
        self._current = self.environments[index] if 0 <= index < len(self.environments) else None
        self.variables.setEnabled(self._current is not None)
        self.variables.set_variables(self._current.variables if self._current else [])

    def add_environment(self, name: str) -> None:
        self.commit()
        env = Environment(name=name)
        self.environments.append(env)
        self.added.append(env)
        self._refill()
        self.picker.setCurrentIndex(len(self.environments) - 1)

    def _add(self) -> None:
        name, ok = QInputDialog.getText(self, "New environment", "Name (e.g. staging)")
        if ok and name.strip():
            self.add_environment(name.strip())

    def _remove(self) -> None:
        if self._current is None:
            return
        env = self._current
        self._current = None
        self.environments.remove(env)
        if env in self.added:
            self.added.remove(env)
        else:
            self.removed.append(env)
        self._refill()


class SettingsDialog(QDialog):
    def __init__(self, target: Collection | Folder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        is_collection = isinstance(target, Collection)
        kind = "Collection" if is_collection else "Folder"
        self.setWindowTitle(f"{kind} settings — {target.name}")
        self.resize(720, 520)
        self.tabs = QTabWidget(self)

        general = QWidget(self)
        form = QFormLayout(general)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        #: a collection's base URL; a folder has none (a field made for it but left out
        #: of the form would be drawn at the tab's top left corner, over "Notes")
        self.base_url: QLineEdit | None = None
        if isinstance(target, Collection):
            self.base_url = QLineEdit(general)
            self.base_url.setPlaceholderText("https://api.example.com/v1 or {{base_url}}")
            self.base_url.setText(target.base_url)
            form.addRow("Base URL", self.base_url)
        self.notes = QPlainTextEdit(general)
        self.notes.setPlainText(target.notes)
        form.addRow("Notes", self.notes)
        self.tabs.addTab(general, "General")

        self.headers = KeyValueTable("Header", "Value", self)
        self.headers.set_rows(copy.deepcopy(target.headers))
        self.tabs.addTab(self.headers, "Headers")
        self.auth = AuthEditor(allow_inherit=not is_collection, parent=self, can_fetch_token=False)
        self.auth.set_auth(copy.deepcopy(target.auth))
        if not is_collection:
            self.auth.set_inherited_note(
                "Inherit: use the auth of the parent folder or collection."
            )
        self.tabs.addTab(self.auth, "Auth")
        self.variables = VariablesTable(self)
        self.variables.set_variables(copy.deepcopy(target.variables))
        self.tabs.addTab(self.variables, "Variables")
        self.options = OptionsEditor(inheritable=not is_collection, parent=self)
        self.options.set_settings(target.settings, DEFAULT_SETTINGS)
        self.tabs.addTab(self.options, "Options")
        self.environments: EnvironmentsEditor | None = None
        if isinstance(target, Collection):
            self.environments = EnvironmentsEditor(copy.deepcopy(target.environments), self)
            self.tabs.addTab(self.environments, "Environments")

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    def apply_to(self, target: Collection | Folder) -> None:
        """Write the dialog's values into ``target`` (the caller saves it)."""
        if isinstance(target, Collection) and self.base_url is not None:
            target.base_url = self.base_url.text().strip()
        target.notes = self.notes.toPlainText()
        target.headers = self.headers.rows()
        target.auth = self.auth.auth()
        target.variables = self.variables.variables()
        target.settings = self.options.settings()

    def edited_environments(self) -> tuple[list[Environment], list[Environment], list[Environment]]:
        """(all environments after editing, the added ones, the removed ones)."""
        if self.environments is None:
            return [], [], []
        self.environments.commit()
        return self.environments.environments, self.environments.added, self.environments.removed
