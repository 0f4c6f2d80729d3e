"""Invitation secrets: shown once, stored only as a SHA-256 hash.

The secrets are 192 random bits, so a fast hash is enough: there is nothing to brute-force.
"""

import hashlib
import secrets


def token_new() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
