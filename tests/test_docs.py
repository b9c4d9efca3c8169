"""The documents point at tests that exist: a table row whose test is gone is a lie."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "docs" / "reliability.md", ROOT / "SECURITY.md"]
REF = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?(?:\[[^\]]*\])?`")
CONTINUED = re.compile(r"`::(\w+)(?:\[[^\]]*\])?`")


def references(doc: Path) -> list[tuple[str, str | None]]:
    refs = []
    for row in doc.read_text().splitlines():
        last_file = None
        for match in re.finditer(rf"{REF.pattern}|{CONTINUED.pattern}", row):
            if match.group(1):
                last_file = match.group(1)
                refs.append((last_file, match.group(2)))
            elif last_file:
                refs.append((last_file, match.group(3)))
    return refs


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_referenced_test_exists(doc: Path) -> None:
    refs = references(doc)
    assert len(refs) > 10
    for path, name in refs:
        source = ROOT / path
        assert source.is_file(), f"{doc.name} names {path}, which does not exist"
        if name:
            assert re.search(rf"^def {name}\(", source.read_text(), re.M), (
                f"{doc.name} names {path}::{name}, which does not exist"
            )


def test_readme_links_reliability_and_security() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "docs/reliability.md" in readme
    assert "SECURITY.md" in readme
