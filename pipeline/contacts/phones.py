"""Phone numbers as organisations publish them: validated with phonenumbers, printed exactly as written, and
dialled as printed (E.164 for a normal number, the digits as written for a short one)."""

from __future__ import annotations

import re

import phonenumbers as pn
from phonenumbers import PhoneNumberType as T
from phonenumbers import shortnumberinfo

from ..core.models import Phone

_PRINTABLE_NUMBER = re.compile(r"^\+?[0-9(][0-9 ().\-]*[0-9]$|^[0-9]$")

# What each number type may be used for. A helpline reached on a geographic landline is unusual enough that
# it is far more often a typo that happens to be valid (1800 66 66 for 1800 66 66 66): it must be declared.
ACCEPTED_TYPES = {T.TOLL_FREE, T.SHARED_COST, T.UAN, T.MOBILE}
LANDLINE_TYPES = {T.FIXED_LINE, T.FIXED_LINE_OR_MOBILE}
TYPE_NAMES = {T.TOLL_FREE: "toll-free", T.SHARED_COST: "shared-cost", T.UAN: "universal access",
              T.MOBILE: "mobile", T.FIXED_LINE: "landline", T.FIXED_LINE_OR_MOBILE: "landline or mobile",
              T.PREMIUM_RATE: "premium-rate", T.VOIP: "VoIP", T.PERSONAL_NUMBER: "personal",
              T.PAGER: "pager", T.VOICEMAIL: "voicemail"}


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def dials_as_printed(printed: str, tel: str, region: str) -> bool:
    """Do the digits a reader sees and the digits a tel: link dials agree?

    Short numbers dial exactly the printed digits. A normal number's link is E.164: the printed digits are
    the national significant number, after the national prefix (0, 1) or the country code."""
    shown = digits(printed)
    if not tel.startswith("+"):
        return shown == tel
    country = str(pn.country_code_for_region(region))
    national = tel[1 + len(country):] if tel[1:].startswith(country) else None
    if national is None or not shown.endswith(national):
        return False
    before = shown[: len(shown) - len(national)]
    metadata = pn.PhoneMetadata.metadata_for_region(region)
    prefixes = {"", metadata.national_prefix or ""} if metadata else {""}
    return before in prefixes or (printed.lstrip().startswith("+") and before == country)


def parse_phone(raw: object, region: str, *, landline: bool = False, unlisted: str = "", text: bool = False,
                note: str = "") -> Phone:
    """Validate a number as the organisation publishes it; raise ValueError with a reason that helps."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(("must be text" if raw is not None else "is missing") +
                         ": write the number as the organisation publishes it, in quotes, e.g. \"0800 1111\"")
    printed = raw.strip()
    if not _PRINTABLE_NUMBER.match(printed):
        raise ValueError(f"'{printed}' must be written with digits, spaces, hyphens, dots or brackets only "
                         f"(no letters: a reader dials what is printed)")
    if unlisted:
        shown = digits(printed)
        if not 3 <= len(shown) <= 6 or shown != printed.replace(" ", "").replace("-", ""):
            raise ValueError(f"'{printed}': only a short number (3 to 6 digits) may be unlisted")
        number = pn.parse(shown, region, keep_raw_input=True)
        if pn.is_valid_number_for_region(number, region) or shortnumberinfo.is_valid_short_number_for_region(
                number, region):
            raise ValueError(f"'{printed}' is known to phonenumbers; remove unlisted")
        return Phone(raw=printed, tel=shown, short=True, text=text, unlisted=unlisted, note=note)
    try:
        number = pn.parse(printed, region)
    except pn.NumberParseException as exc:
        raise ValueError(f"'{printed}' is not a phone number ({exc._msg})") from None
    if pn.is_valid_number_for_region(number, region):
        kind = pn.number_type(number)
        national = pn.format_number(number, pn.PhoneNumberFormat.NATIONAL)
        if kind in LANDLINE_TYPES and not landline:
            from phonenumbers import geocoder  # its data is large: load it only to explain a refusal

            place = geocoder.description_for_number(number, "en")
            raise ValueError(f"'{printed}' parses as the {place + ' ' if place else ''}landline {national}, not a "
                             f"toll-free, shared-cost, mobile or short number; if this landline is right, write it "
                             f"as {{ number = \"{printed}\", landline = true }}")
        if kind not in ACCEPTED_TYPES | LANDLINE_TYPES:
            raise ValueError(f"'{printed}' is a {TYPE_NAMES.get(kind, 'special')} number ({national}); "
                             f"hotlines and helplines are toll-free, shared-cost, mobile, short or declared landlines")
        if landline and kind not in LANDLINE_TYPES:
            raise ValueError(f"'{printed}' is a {TYPE_NAMES.get(kind, 'special')} number, not a landline; "
                             f"remove landline = true")
        phone = Phone(raw=printed, tel=pn.format_number(number, pn.PhoneNumberFormat.E164), short=False,
                      text=text, landline=landline, note=note)
    elif shortnumberinfo.is_valid_short_number_for_region(number, region):
        # short numbers have no international form: dial the digits exactly as printed (000, 017 keep zeros)
        phone = Phone(raw=printed, tel=digits(printed), short=True, text=text, note=note)
    else:
        raise ValueError(f"'{printed}' is not a valid phone or short number in {region}")
    if not dials_as_printed(printed, phone.tel, region):
        raise ValueError(f"'{printed}' would dial {phone.tel}, which is not the number shown")
    return phone
