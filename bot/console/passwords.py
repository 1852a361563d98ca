"""Passwords: argon2id hashes (argon2-cffi), and the few rules a new password must meet.

The rules follow the NCSC's advice: length, not forced mixtures of characters.
"""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256


@functools.lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` cannot be used, in plain words, or None if it can.

    Args:
        password: The new password.
        email: The account's email (the password must not be it).

    """
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters long"
    if len(password) > MAX_LENGTH:
        return f"Password must be at most {MAX_LENGTH} characters long"
    if len(set(password)) < 4:
        return "Password must not repeat the same few characters"
    if email and password.strip().lower() in {email.lower(), email.split("@")[0].lower()}:
        return "Password must not be your email address"
    return None


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, with a fresh salt."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches ``password_hash``.

    With no hash (an unknown or unusable account) a dummy hash is checked instead, so
    the answer takes as long as for a real account, and is False.
    """
    try:
        matched = _hasher().verify(password_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(matched) and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with weaker settings than the current ones."""
    return bool(_hasher().check_needs_rehash(password_hash))
