"""Errors the domain raises: each carries one sentence a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the product refused the request; ``str()`` is the sentence to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """Bad input for one named field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """The record asked for does not exist."""


class PermissionDenied(DomainError):
    """The acting user's role does not allow the action."""


class AuthenticationError(DomainError):
    """Login refused: wrong password, locked or deactivated account."""


class DatabaseUnavailable(DomainError):
    """The database could not be opened or reached."""
