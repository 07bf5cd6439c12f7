"""A note's canonical form, its signatures and the chain of versions."""

from __future__ import annotations

import json
import random
import typing
from datetime import datetime, timedelta, timezone
from typing import Any

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from temir.notes.example import example_note
from temir.notes.model import Note
from temir.notes.signatures import (
    SignedNote,
    SignedVersion,
    canonical_bytes,
    canonical_content,
    digest,
    next_version,
    sign_note,
    verify_chain,
)
from temir.signing.algorithms import Ed25519Signer
from temir.signing.canonical import canonical_json
from temir.signing.keyring import KeyRing, public_entry

AT = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=5)))


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def test_same_note_in_different_key_orders_is_identical(note: Note) -> None:
    data = note.model_dump(mode="json")
    for seed in range(5):
        shuffled = _shuffled(data, random.Random(seed))
        assert canonical_bytes(Note.model_validate(shuffled)) == canonical_bytes(note)
        assert canonical_json(shuffled) == canonical_json(data)


def test_canonical_bytes_equal_the_rfc8785_reference(note: Note) -> None:
    assert canonical_bytes(note) == rfc8785.dumps(canonical_content(note))


def test_canonical_form_drops_empty_parts(note: Note) -> None:
    text = canonical_bytes(note).decode()
    assert "null" not in text
    assert '"extensions"' not in text  # an empty box 32 is not part of the signed form


def _signed(note: Note) -> tuple[SignedNote, KeyRing, Ed25519Signer, Ed25519Signer]:
    consignor, kzh = Ed25519Signer.generate(), Ed25519Signer.generate()
    keys = KeyRing([public_entry(consignor, "consignor"), public_entry(kzh, "KZH")])
    v1 = SignedVersion(note=note, signatures=[sign_note(note, consignor, signed_at=AT,
                                                        signer_name="consignor")])  # fmt: skip
    v2_note = next_version(note, {"consignment_number": "EX000002"})
    v2 = SignedVersion(
        note=v2_note,
        signatures=[
            sign_note(v2_note, consignor, signed_at=AT, signer_name="consignor"),
            sign_note(v2_note, kzh, signed_at=AT, signer_name="KZH"),
        ],
    )
    return SignedNote(versions=[v1, v2]), keys, consignor, kzh


def test_signed_chain_verifies(note: Note) -> None:
    signed, keys, _, _ = _signed(note)
    report = verify_chain(signed, keys)
    assert report.valid, report.to_dict()
    assert report.current_version == 2
    assert report.current_digest == digest(signed.versions[1].note)
    assert len(report.signatures) == 3


def test_file_round_trip_still_verifies(note: Note) -> None:
    signed, keys, _, _ = _signed(note)
    reread = SignedNote.model_validate_json(signed.model_dump_json())
    assert verify_chain(reread, keys).valid


def test_change_after_signing_names_version_and_signers(note: Note) -> None:
    signed, keys, _, kzh = _signed(note)
    data = json.loads(signed.model_dump_json())
    data["versions"][1]["note"]["goods"][0]["mass_kg"] = 60_000
    report = verify_chain(SignedNote.model_validate(data), keys)
    assert not report.valid
    changed = [p for p in report.problems if p.code == "signature.changed"]
    assert {p.version for p in changed} == {2}
    assert kzh.key_id in {p.key_id for p in changed}
    assert "Version 2 was changed after" in changed[0].message()


def test_forged_signature_is_named(note: Note) -> None:
    signed, keys, consignor, _ = _signed(note)
    data = json.loads(signed.model_dump_json())
    value = data["versions"][0]["signatures"][0]["value"]
    data["versions"][0]["signatures"][0]["value"] = ("B" if value[0] != "B" else "C") + value[1:]
    report = verify_chain(SignedNote.model_validate(data), keys)
    (problem,) = report.problems
    assert (problem.code, problem.version, problem.key_id) == ("signature.invalid", 1,
                                                               consignor.key_id)  # fmt: skip


def test_rewritten_earlier_version_breaks_the_chain(note: Note) -> None:
    signed, keys, _, _ = _signed(note)
    # an attacker rewrites version 1 and re-signs it with a key the verifier does not know
    rogue = Ed25519Signer.generate()
    v1 = signed.versions[0].note.model_copy(update={"goods_total_mass_kg": 1})
    signed.versions[0] = SignedVersion(note=v1, signatures=[sign_note(v1, rogue, signed_at=AT)])
    codes = {(p.code, p.version) for p in verify_chain(signed, keys).problems}
    assert ("signature.unknown_key", 1) in codes
    assert ("chain.previous", 2) in codes


def test_unsigned_version_is_reported(note: Note) -> None:
    signed, keys, _, _ = _signed(note)
    signed.versions[1].signatures.clear()
    report = verify_chain(signed, keys)
    assert [(p.code, p.version) for p in report.problems] == [("chain.unsigned", 2)]


def test_empty_file_is_not_valid() -> None:
    report = verify_chain(SignedNote(), KeyRing())
    assert not report.valid
    assert report.problems[0].code == "chain.empty"


def _types_in(annotation: Any) -> set[Any]:
    found = {annotation}
    for arg in typing.get_args(annotation):
        found |= _types_in(arg)
    return found


def test_note_model_has_no_float_field() -> None:
    """The note's fast canonical path relies on it: a float would need the reference encoder."""
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [Note]
    while todo:
        model = todo.pop()
        seen.add(model)
        for name, info in model.model_fields.items():
            kinds = _types_in(info.annotation)
            assert float not in kinds, f"{model.__name__}.{name}"
            todo += [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)
                     and k not in seen]  # fmt: skip
    assert len(seen) > 10  # the walk reached the nested parts


note_texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    name=note_texts, address=note_texts, remark=note_texts, marks=st.lists(note_texts, max_size=3)
)
def test_note_fast_path_matches_the_reference_for_any_text(
    name: str, address: str, remark: str, marks: list[str]
) -> None:
    varied = example_note()
    varied.consignor.name = name.strip()[:300]
    varied.consignee.address = address
    varied.carrier_remarks = [remark] if remark.strip() else []
    varied.seals[0].marks = [m.strip()[:40] for m in marks]
    assert canonical_bytes(varied) == rfc8785.dumps(canonical_content(varied))
