"""Identification codes of 1520 mm rail freight: parse, check, and explain what is wrong.

Pure: no frameworks, no I/O except reading the shipped GNG list. Each kind lives in its own
module (``esr``, ``etsng``, ``gng``, ``wagon``, ``uic``, ``container``, ``railways``); every
failure is a :class:`~temir.kit.errors.Problem` with a stable machine code (``esr.check_digit``)
and an English message translated through the ``codes`` catalog. :func:`check` is the single
entry point for front ends.
"""

from temir.codes._rules import RULES, Outcome, Rule
from temir.codes.check import KINDS, CodeCheck, check
from temir.codes.container import (
    check_container,
    container_check_digit,
    container_owner_code,
    parse_container,
)
from temir.codes.esr import check_esr, esr_check_digit, parse_esr
from temir.codes.etsng import check_etsng, etsng_check_digit, etsng_tariff_position, parse_etsng
from temir.codes.gng import check_gng, gng_codes, gng_name, parse_gng
from temir.codes.railways import RAILWAYS, Railway, check_railway, find_railway, lookup_railway
from temir.codes.uic import check_uic_wagon, parse_uic_wagon, uic_check_digit, uic_keeper_country
from temir.codes.wagon import check_wagon, parse_wagon, wagon_check_digit

__all__ = [
    "KINDS",
    "RAILWAYS",
    "RULES",
    "CodeCheck",
    "Outcome",
    "Railway",
    "Rule",
    "check",
    "check_container",
    "check_esr",
    "check_etsng",
    "check_gng",
    "check_railway",
    "check_uic_wagon",
    "check_wagon",
    "container_check_digit",
    "container_owner_code",
    "esr_check_digit",
    "etsng_check_digit",
    "etsng_tariff_position",
    "find_railway",
    "gng_codes",
    "gng_name",
    "lookup_railway",
    "parse_container",
    "parse_esr",
    "parse_etsng",
    "parse_gng",
    "parse_uic_wagon",
    "parse_wagon",
    "uic_check_digit",
    "uic_keeper_country",
    "wagon_check_digit",
]
