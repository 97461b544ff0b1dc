"""`assistant.pii.mask`: personal data out, everything else untouched.

Identity numbers are generated here with their own check-digit computation, never copied from
real people.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import pytest

from assistant.pii import MaskResult, mask

K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(digits: str, weights: Sequence[int]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if remainder == 1:
        return None
    return (11 - remainder) % 11


def with_check_digits(nine: str) -> str | None:
    """The 11-digit number for nine digits, or None when no check digit exists."""
    k1 = check_digit(nine, K1)
    if k1 is None:
        return None
    k2 = check_digit(nine + str(k1), K2)
    if k2 is None:
        return None
    return f"{nine}{k1}{k2}"


def make_number(day: int, month: int, year: int, first_individual: int = 400) -> str:
    """A number with valid check digits; day and month are written as given (+40, +80...)."""
    for individual in range(first_individual, first_individual + 1000):
        number = with_check_digits(f"{day:02d}{month:02d}{year % 100:02d}{individual % 1000:03d}")
        if number is not None:
            return number
    raise AssertionError("no valid individual number")  # pragma: no cover


def spaced(number: str, sep: str = " ") -> str:
    return number[:6] + sep + number[6:]


def corrupt_last(number: str) -> str:
    return number[:10] + str((int(number[10]) + 1) % 10)


def corrupt_first_check(number: str) -> str:
    return number[:9] + str((int(number[9]) + 1) % 10) + number[10]


FNR = make_number(1, 1, 1990)
D_NUMBER = make_number(1 + 40, 1, 1990)


def test_helper_agrees_with_known_rules() -> None:
    assert len(FNR) == 11 and FNR.startswith("010190")
    assert with_check_digits("010190123") is None  # k1 remainder 1: no valid number
    assert with_check_digits(FNR[:9]) == FNR


# --- the example from a real-looking question -------------------------------------------------


def test_running_norwegian_text() -> None:
    text = (
        f"Søker Ola Nordmann, fnr. {spaced(FNR)}, ringte fra 912 34 567 og ba om innsyn, "
        "svar til ola@example.no"
    )
    result = mask(text)
    assert result.text == (
        "Søker Ola Nordmann, fnr. [fødselsnummer], ringte fra [telefon] og ba om innsyn, "
        "svar til [e-post]"
    )
    assert result.counts == {"fødselsnummer": 1, "telefon": 1, "e-post": 1}
    assert result.masked


def test_literal_example_number_has_no_valid_checksum() -> None:
    text = "fnr. 010190 12345"
    assert mask(text).text == text


# --- fødselsnummer and D-nummer --------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [FNR, spaced(FNR), spaced(FNR, "\u00a0"), spaced(FNR, "."), spaced(FNR, "-")],
    ids=["compact", "space", "no-break-space", "dot", "hyphen"],
)
def test_fodselsnummer_forms(written: str) -> None:
    result = mask(f"Gjelder {written} i saken.")
    assert result.text == "Gjelder [fødselsnummer] i saken."
    assert result.counts == {"fødselsnummer": 1}


@pytest.mark.parametrize(
    ("day", "month", "year", "kind"),
    [
        (1, 1, 1990, "fødselsnummer"),
        (31, 12, 1999, "fødselsnummer"),
        (29, 2, 2000, "fødselsnummer"),
        (15, 6, 2024, "fødselsnummer"),
        (1 + 40, 1, 1990, "d-nummer"),
        (31 + 40, 12, 1985, "d-nummer"),
        (15, 6 + 40, 1970, "fødselsnummer"),  # H-nummer
        (15, 6 + 80, 1970, "fødselsnummer"),  # synthetic test number (Skatteetaten)
        (12, 12 + 80, 2001, "fødselsnummer"),
        (15 + 40, 6 + 80, 1970, "d-nummer"),  # synthetic D-nummer
    ],
)
def test_identity_number_kinds(day: int, month: int, year: int, kind: str) -> None:
    number = make_number(day, month, year)
    result = mask(f"nr {number}")
    assert result.text == f"nr [{kind}]"
    assert result.counts == {kind: 1}


@pytest.mark.parametrize(
    "number",
    [corrupt_last(FNR), corrupt_first_check(FNR), corrupt_last(D_NUMBER), "12345678901"],
    ids=["k2-wrong", "k1-wrong", "d-number-k2-wrong", "counting"],
)
@pytest.mark.parametrize("form", ["compact", "spaced"])
def test_bad_checksum_not_masked(number: str, form: str) -> None:
    written = number if form == "compact" else spaced(number)
    text = f"Saksnummer {written} gjelder byggesak."
    assert mask(text).text == text


def test_no_number_with_check_remainder_one_is_masked() -> None:
    for last_two in range(100):
        text = f"id 010190123{last_two:02d}"
        assert mask(text).text == text


def test_k2_remainder_one_is_never_valid() -> None:
    for individual in range(1000):
        nine = f"150690{individual:03d}"
        k1 = check_digit(nine, K1)
        if k1 is not None and check_digit(nine + str(k1), K2) is None:
            break
    else:  # pragma: no cover
        raise AssertionError("no k2-remainder-1 case found")
    for k2 in range(10):
        text = f"id {nine}{k1}{k2}"
        assert mask(text).text == text


@pytest.mark.parametrize(
    ("day", "month"),
    [
        *[(0, 1), (32, 1), (40, 1), (72, 1), (99, 1)],
        *[(15, 0), (15, 13), (15, 40), (15, 53), (15, 80), (15, 93), (15, 99)],
    ],
)
def test_implausible_date_part_not_masked(day: int, month: int) -> None:
    number = make_number(day, month, 1990)
    assert with_check_digits(number[:9]) == number  # the checksum itself is fine
    text = f"nummer {number} og {spaced(number)}"
    assert mask(text).text == text


def test_identity_number_not_part_of_longer_digit_run() -> None:
    for text in (f"1{FNR}", f"{FNR}9", f"12-{FNR}", f"{FNR}-7", f"x{FNR}", f"0.{FNR}", f"{FNR},5"):
        assert mask(text).text == text, text


# --- things that look like numbers but are not personal data ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Fristen er 2025-06-20, se også 20.06.2025 og 20/6-2025.",
        "Se lov/2018-06-15-38 og LOV-2025-06-20-81.",
        "Etter § 13-1 og § 11 a i forvaltningsloven, jf. §§ 13 til 13 e.",
        "Article 5(1)(f) and Article 99(4) of Regulation (EU) 2024/1689.",
        "Vedtaket fra 2025 gjelder fra 1. januar 2026.",
        "Boten er 35 000 000 EUR eller 7 % av omsetningen.",
        "Beløpet er kr 12 345 678 og 12 345 678 kroner.",
        "Saksnummer 2024/1234 og 24/1234567 og 2024/12345.",
        "Org.nr. 974 760 673 og 974760673.",
        "Kontonummer 1234.56.78903 og 1234 56 78903.",
        "Innbyggertall 1 234 567 890 i eksempelet.",
        "Datoene 20250620, 19991231 og 20062025 er datoer.",
        "Versjon 3.14159265 og 12345678.5 og 12345678,5.",
        "Nummerserien 123456789 og 1234567890 er for lange.",
        "Referanse AB12345678 og 12345678x.",
        "Tallet 912 34 5678 har feil grupper.",
        "Kl. 10.30-11.45, rom 3.012, tlf. sentralbord",
    ],
)
def test_not_personal_data(text: str) -> None:
    result = mask(text)
    assert result.text == text
    assert result.counts == {}
    assert not result.masked


# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "12345678",
        "91234567",
        "123 45 678",
        "912 34 567",
        "12 34 56 78",
        "22 33 44 55",
        "800 12 345",
        "912\u00a034\u00a0567",
        "+47 987 65 432",
        "+4798765432",
        "+47 98765432",
        "+47 98 76 54 32",
        "+47-98765432",
        "0047 98765432",
        "004798765432",
        "(+47) 98765432",
        "(+47)98765432",
        "(0047) 987 65 432",
        "+46 70 123 45 67",
        "+44 20 7946 0958",
        "+1-202-555-0143",
        "+358401234567",
        "+49 30 12345678",
        "20 25 06 20",  # grouped like a phone number, so a phone number
        "+47 20250620",  # a prefix makes it a phone number
    ],
)
def test_phone_forms(phone: str) -> None:
    result = mask(f"Ring meg på {phone}.")
    assert result.text == "Ring meg på [telefon]."
    assert result.counts == {"telefon": 1}


@pytest.mark.parametrize(
    "text",
    [
        "tlf. 20250620",
        "Tlf: 20062025",
        "telefonnummer 20250620",
        "mobil: 20250620",
        "ringte fra 20250620",
        "sms til 20250620",
        "tlf.nr. 20250620",
    ],
)
def test_date_like_number_after_phone_word_is_phone(text: str) -> None:
    result = mask(text)
    assert result.text.endswith("[telefon]")
    assert result.counts == {"telefon": 1}


@pytest.mark.parametrize(
    "text",
    [
        "kr 12345678",
        "kr. 12345678",
        "NOK 12345678",
        "EUR 12345678",
        "USD 12345678",
        "€12345678",
        "12345678 kr",
        "12345678 kroner",
        "12345678 EUR",
        "12345678 euro",
        "12345678 NOK",
        "12345678,-",
        "kr 123 45 678",
        "kr\u00a012 34 56 78",
    ],
)
def test_amounts_are_not_phones(text: str) -> None:
    assert mask(text).text == text


def test_phone_words_do_not_override_currency() -> None:
    text = "tlf. kr 12345678"
    assert mask(text).text == text


def test_slash_separates_two_phone_numbers() -> None:
    assert mask("tlf 22334455/91234567").text == "tlf [telefon]/[telefon]"
    assert mask("saksnr 2024/12345678").text == "saksnr 2024/[telefon]"  # documented trade-off


def test_date_like_number_far_from_phone_word_stays() -> None:
    text = "Ring oss gjerne om saken som ble registrert 20250620."
    assert mask(text).text == text


def test_several_phones_side_by_side() -> None:
    result = mask("91234567 92345678, 912 34 567 22 33 44 55 og +4791234567/41234567")
    assert result.text == "[telefon] [telefon], [telefon] [telefon] og [telefon]/[telefon]"
    assert result.counts == {"telefon": 6}


# --- e-mail ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "ola@example.no",
        "Ola.Nordmann@Example.NO",
        "ola+innsyn@post.kommune.no",
        "kari_hansen-berg@sub.domain.example.com",
        "øyvind.ås@kommune.no",
        "postmottak@kommune.no",
        "91234567@sms.example.no",
        "ola.91234567@example.no",
    ],
)
def test_email_forms(address: str) -> None:
    result = mask(f"Send svar til <{address}>, takk.")
    assert result.text == "Send svar til <[e-post]>, takk."
    assert result.counts == {"e-post": 1}


@pytest.mark.parametrize(
    "text",
    ["ola@localhost", "@kommune", "post@", "a @ b.no", "ola@example.n", "ola@example.no12"],
)
def test_not_email(text: str) -> None:
    assert mask(text).counts.get("e-post") is None


def test_email_at_sentence_end() -> None:
    assert mask("Skriv til ola@example.no.").text == "Skriv til [e-post]."


def test_local_part_longer_than_64_characters_is_not_an_address() -> None:
    text = "x" * 65 + "@example.no"
    assert mask(text).text == text
    assert mask("x" * 64 + "@example.no").text == "[e-post]"


# --- extra patterns --------------------------------------------------------------------------


def test_extra_patterns_as_strings_and_compiled() -> None:
    text = "Klient K-1234 og Ola Nordmann, tlf 912 34 567"
    result = mask(text, [r"K-\d{4}", re.compile(r"Ola Nordmann")])
    assert result.text == "Klient [maskert] og [maskert], tlf [telefon]"
    assert result.counts == {"maskert": 2, "telefon": 1}


def test_extra_pattern_wins_over_phone_rule() -> None:
    result = mask("Klientnummer K-12345678", [r"K-\d{8}"])
    assert result.text == "Klientnummer [maskert]"
    assert result.counts == {"maskert": 1}


def test_extra_patterns_never_touch_placeholders() -> None:
    result = mask("[telefon] og telefon, [maskert] og maskert", [r"telefon", r"maskert"])
    assert result.text == "[telefon] og [maskert], [maskert] og [maskert]"
    assert result.counts == {"maskert": 2}


def test_later_extra_pattern_does_not_rewrite_earlier_placeholder() -> None:
    result = mask("Saksbehandler Kari", [r"Kari", r"\w+"])
    assert result.text == "[maskert] [maskert]"
    assert result.counts == {"maskert": 2}


def test_empty_matches_are_ignored() -> None:
    text = "ingenting her"
    result = mask(text, [r"x*"])
    assert result.text == text
    assert result.counts == {}


def test_invalid_extra_pattern_raises() -> None:
    with pytest.raises(re.error):
        mask("tekst", ["(unclosed"])


# --- counts, idempotence, untouched text -----------------------------------------------------


def test_counts_per_kind() -> None:
    text = (
        f"{FNR}, {spaced(make_number(2, 3, 1980))}, {spaced(D_NUMBER)}, 912 34 567, "
        "+46 70 123 45 67, a@b.no, c@d.no, e@f.no, Kari Nordmann"
    )
    result = mask(text, ["Kari Nordmann"])
    assert result.counts == {
        "fødselsnummer": 2,
        "d-nummer": 1,
        "telefon": 2,
        "e-post": 3,
        "maskert": 1,
    }
    assert result.text == (
        "[fødselsnummer], [fødselsnummer], [d-nummer], [telefon], [telefon], "
        "[e-post], [e-post], [e-post], [maskert]"
    )


IDEMPOTENCE_CASES = [
    f"Søker Ola Nordmann, fnr. {spaced(FNR)}, ringte fra 912 34 567, svar til ola@example.no",
    f"{FNR}{D_NUMBER}",
    f"{FNR}/{D_NUMBER} {FNR}.{D_NUMBER} {FNR}-91234567",
    "91234567/91234567 91234567.91234567 91234567,91234567 91234567-91234567",
    "+4791234567+4791234567 91234567+4791234567 (+47)91234567(+47)91234567",
    "ola@example.no.91234567 ola@example.no-91234567 ola@example.no91234567",
    "91234567ola@example.no 91234567.ola@example.no 91234567/ola@example.no",
    "+47 91234567.ola@example.no +4791234567ola@x.no ola@x.no+4791234567",
    f"ola@x.no{FNR} {FNR}ola@x.no a@b.no@c.no a@b.no.c@d.no",
    "tlf 91234567 20250620, ring ola@x.no 20250620, kr 91234567 og 20250620 kr",
    "+46 70 123 45 67 2025 og +46 70 123 45 67 91234567",
    "[telefon] [e-post] [fødselsnummer] [d-nummer] [maskert] [annet]",
]


@pytest.mark.parametrize("text", IDEMPOTENCE_CASES)
def test_idempotent(text: str) -> None:
    once = mask(text).text
    twice = mask(once)
    assert twice.text == once
    assert not twice.masked


@pytest.mark.parametrize("text", IDEMPOTENCE_CASES)
def test_idempotent_with_extra_patterns(text: str) -> None:
    patterns = [r"Ola Nordmann", r"\bK\w*", r"ringte"]
    once = mask(text, patterns).text
    assert mask(once, patterns).text == once


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "Hva sier forvaltningsloven § 13 om taushetsplikt?",
        "  Flere   mellomrom\tog\ttabulatorer\n\nog linjeskift\r\n",
        "Emoji 🙂, æøå ÆØÅ, «sitat» – tankestrek … og zero\u200bwidth",
    ],
)
def test_unchanged_when_nothing_to_mask(text: str) -> None:
    result = mask(text)
    assert result.text == text
    assert result.counts == {}
    assert not result.masked


def test_only_the_values_change() -> None:
    text = "Tlf:\t912 34 567\n\nE-post:  ola@example.no  \r\n«fnr» " + spaced(FNR) + "…"
    assert mask(text).text == "Tlf:\t[telefon]\n\nE-post:  [e-post]  \r\n«fnr» [fødselsnummer]…"


def test_result_is_frozen() -> None:
    result = mask("912 34 567")
    assert isinstance(result, MaskResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]
