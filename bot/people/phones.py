"""Phone numbers: E.164 form, and Ofcom's drama range that demo data and tests use."""

from __future__ import annotations

import phonenumbers

DRAMA_NUMBERS = range(7_700_900_000, 7_700_901_000)
"""Ofcom's mobile numbers for drama, 07700 900000 to 900999: never given to anyone.

phonenumbers calls them invalid; the service accepts them so that demo records and
tests can use numbers that can never reach a real person."""


def to_e164(raw: str, region: str = "GB") -> str | None:
    """A phone number in E.164 form (``+447700900123``), or None if it is not a valid one.

    Accepts any valid number (Twilio sends international numbers as they are), and the
    UK drama range.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    drama = (
        number.country_code == 44
        and number.national_number in DRAMA_NUMBERS
        and not number.italian_leading_zero
    )
    if not drama and not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def is_fake(number: str) -> bool:
    """True for an E.164 number in Ofcom's drama range (+447700900000 to +447700900999)."""
    return number.startswith("+44") and number[3:].isdigit() and int(number[3:]) in DRAMA_NUMBERS
