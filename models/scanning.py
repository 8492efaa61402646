"""What a scanned code names. A label's barcode carries an asset number and a paper loan
slip's barcode its loan number; a scan anywhere in the app opens whichever it is."""

from __future__ import annotations

from dataclasses import dataclass

from .accounts import require
from .errors import NotFound, ValidationError
from .schema import Asset, Loan

MAX_CODE = 64  # longer than any number the product prints


@dataclass(frozen=True)
class Scanned:
    kind: str    # "asset" or "loan"
    number: str


def resolve(user, code: str) -> Scanned:
    """The asset or loan whose number is ``code`` (as a scanner types it, surrounding
    spaces ignored). Reading it needs the user's right to read that register."""
    text = (code or "").strip()
    if not text or len(text) > MAX_CODE or not text.isprintable():
        raise ValidationError("code", f"'{text[:MAX_CODE]}' is not an asset or loan number.")
    if Asset.select(Asset.id).where(Asset.asset_no == text).exists():
        require(user, "asset.read")
        return Scanned("asset", text)
    loan_no = text.upper()
    if Loan.select(Loan.id).where(Loan.loan_no == loan_no).exists():
        require(user, "loan.read")
        return Scanned("loan", loan_no)
    raise NotFound(f"No asset or loan slip has the number '{text}'.")
