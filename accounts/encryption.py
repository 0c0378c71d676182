"""Encryption at rest, at the application level: Fernet from ``cryptography`` with keys from the environment.

Fernet (AES-128-CBC with an HMAC-SHA256, a timestamp and a random IV) is the library's
ready-made authenticated recipe; nothing here is hand-rolled. ``settings.ENCRYPTION_KEYS`` lists
the keys newest first (``MultiFernet``): the first encrypts, every one of them decrypts, so a
new key is added in front and ``manage.py rotate_encryption_keys`` then re-encrypts every row
and file under it, after which the old key can be dropped.

Ciphertext is stored as Fernet's URL-safe base64 token: text in ``text`` columns, bytes in files.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = [
    "InvalidToken",
    "decrypt_bytes",
    "decrypt_text",
    "encrypt_bytes",
    "encrypt_text",
    "rotate_file",
    "rotate_token",
]


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("ENCRYPTION_KEYS is empty: nothing can be encrypted or read.")
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    # Keyed by the tuple of keys, so a changed setting (tests, rotation) takes effect at once.
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """The clear bytes; ``InvalidToken`` when no configured key made ``token`` (or it was altered)."""
    return fernet().decrypt(token)


def encrypt_text(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    return fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate_token(token: bytes) -> bytes:
    """``token`` re-encrypted under the newest key (decrypted with whichever key made it)."""
    return fernet().rotate(token)


def rotate_file(path: Path) -> None:
    """Re-encrypt one stored file under the newest key, replacing it atomically (never half-written)."""
    path = Path(path)
    rotated = rotate_token(path.read_bytes())
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rotate-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(rotated)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
