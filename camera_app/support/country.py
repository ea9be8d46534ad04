"""The installation's country for support resources: set by the person (``safelens support
country CC``), kept in the data folder, never guessed from the network. Unset: the EU-wide
numbers only."""

from __future__ import annotations

import re

from camera_app.profiles.schema import get_meta, put_meta
from camera_app.profiles.store import ProfileStore
from camera_app.support.helplines import EU, SupportDataError

_KEY = "support_country"
_CODE = re.compile(r"^[A-Z]{2}$")


def parse_country(text: str) -> str:
    """An ISO 3166-1 alpha-2 code ("FR"), or ``SupportDataError`` saying what is expected."""
    code = text.strip().upper()
    if not code.isascii() or not _CODE.match(code):
        raise SupportDataError(f"country: expected a two-letter ISO country code such as FR, found {text!r}")
    return code


def get_country(store: ProfileStore) -> str:
    with store.read() as conn:
        code = get_meta(conn, _KEY)
    return code if code is not None else EU


def set_country(store: ProfileStore, text: str) -> str:
    code = parse_country(text)
    with store.write() as conn:
        put_meta(conn, _KEY, code)
    return code
