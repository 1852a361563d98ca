"""National and local content apart: the council's details are configuration, not content.

The loader's checks (entitlements/loader.py): a file's folder is its scope, and a
national entry holds no council's own contact details.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT, Settings
from entitlements.loader import ContentError, council_contacts, load_content

CONTENT = PROJECT_ROOT / "entitlements" / "content"


def test_the_councils_name_districts_and_numbers_come_from_the_environment():
    settings = Settings.from_env(
        {
            "COUNCIL_NAME": "  Example Borough Council ",
            "DISTRICTS": "Riverside,Hillside",
            "LEAVING_CARE_PHONE": "01632 960000",
            "OUT_OF_HOURS_PHONE": "01632 960001",
        }
    )
    assert settings.council_name == "Example Borough Council"
    assert settings.districts == ("Riverside", "Hillside")
    assert (settings.leaving_care_phone, settings.out_of_hours_phone) == (
        "01632 960000",
        "01632 960001",
    )
    unset = Settings.from_env({})
    assert unset.council_name is None and unset.leaving_care_phone is None


def test_no_national_entry_has_a_councils_contact_details(content):
    national = [e for e in content.entries if e.scope == "national"]
    assert len(national) == len(list((CONTENT / "national").glob("*.yaml")))
    for entry in national:
        for text in (entry.summary, entry.details, entry.how_to_get, entry.legal_basis):
            assert council_contacts(text) == [], entry.id


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("call 01632 960000 today", ["01632 960000"]),
        ("text 07700 900123", ["07700 900123"]),
        ("ring +44 7700 900123", ["+44 7700 900123"]),
        ("(0113) 496 0000", ["(0113) 496 0000"]),
        ("020 7946 0000", ["020 7946 0000"]),
        ("email leaving.care@example.gov.uk", ["leaving.care@example.gov.uk"]),
        ("Ombudsman: call 0300 061 0614 or 0800 528 0731", []),
        ("call 111, 999 or Samaritans on 116 123, text SHOUT to 85258", []),
        ("since 2023-04-01, sections 23B and 23C(4)", []),
    ],
)
def test_council_contacts_are_local_numbers_and_emails_not_national_lines(text, found):
    assert council_contacts(text) == found


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    return folder


def edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def problems(folder: Path, topics: dict[str, str]) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_content(folder, topics)
    return [str(p) for p in raised.value.problems]


def test_a_national_entry_with_a_councils_number_is_refused(copy, topics):
    path = copy / "national" / "council-tax-exemption.yaml"
    summary = yaml.safe_load(path.read_text())["how_to_get"]
    edit(path, how_to_get=summary + " Call us on 01632 960000.")
    found = problems(copy, topics)
    assert len(found) == 1
    assert found[0].startswith(
        "national/council-tax-exemption.yaml: how_to_get: has a council's own contact details "
        "(01632 960000)"
    )
    assert "local" in found[0] and "LEAVING_CARE_PHONE" in found[0]


def test_the_same_number_in_a_local_entry_is_the_councils_own_offer(copy, topics):
    moved = copy / "local" / "council-tax-exemption.yaml"
    shutil.move(copy / "national" / "council-tax-exemption.yaml", moved)
    summary = yaml.safe_load(moved.read_text())["how_to_get"]
    edit(moved, how_to_get=summary + " Call us on 01632 960000.")
    loaded = load_content(copy, topics)
    assert loaded.by_id()["council-tax-exemption"].scope == "local"
    assert "01632 960000" in loaded.by_id()["council-tax-exemption"].how_to_get


def test_a_scope_field_must_agree_with_the_folder(copy, topics):
    edit(copy / "national" / "junior-isa.yaml", scope="national")  # agrees: fine
    assert load_content(copy, topics).by_id()["junior-isa"].scope == "national"

    edit(copy / "national" / "staying-put.yaml", scope="local")
    edit(copy / "national" / "staying-close.yaml", scope="regional")
    assert problems(copy, topics) == [
        "national/staying-close.yaml: scope: must be national or local, got 'regional'",
        "national/staying-put.yaml: scope: is local but the file is in national/; a file's "
        "folder is its scope: move it to local/ or change scope",
    ]


def test_a_new_entry_is_only_allowed_in_local(copy, topics):
    source = copy / "national" / "local-offer.yaml"
    new = copy / "national" / "free-gym-pass.yaml"
    shutil.copy(source, new)
    edit(
        new,
        id="free-gym-pass",
        title="Free gym pass",
        examples=[f"gym pass question {n}" for n in range(8)],
        synonyms=["gym pass", "leisure card", "free gym"],
    )
    assert problems(copy, topics) == [
        "national/free-gym-pass.yaml: id: 'free-gym-pass' is not one of the topics in topics.yaml"
    ]
    shutil.move(new, copy / "local" / "free-gym-pass.yaml")
    assert load_content(copy, topics).by_id()["free-gym-pass"].scope == "local"
