"""Reading model replies: fences, repairs, aliases, validation, salvage, and a fuzz."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewbot.replies import Reply, ReplyError, load_json, parse_reply, salvage
from reviewbot.reply_schema import RawFinding, response_schema, selfcheck_schema


def finding(**changes: Any) -> dict[str, Any]:
    base = {
        "path": "src/app.py",
        "line": 12,
        "end_line": None,
        "side": "RIGHT",
        "severity": "major",
        "category": "bug",
        "score": 8,
        "title": "Off by one",
        "body": "The loop skips the last item.",
        "suggestion": None,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def reply_text(*findings: dict[str, Any], **top: Any) -> str:
    return json.dumps({"score": 6, "summary": "Risky.", "findings": list(findings), **top})


GOOD = reply_text(finding(), finding(line=20, title="Leak", category="performance"))


# -- load_json: fences, prose, repairs --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        f"```json\n{GOOD}\n```",
        f"```\n{GOOD}\n```\n",
        f"  ```JSON\n{GOOD}```  ",
        f"Here is my review:\n\n```json\n{GOOD}\n```\nHope this helps.",
        f"Here is my review: {GOOD}",
        f"{GOOD}\n\nLet me know if you need more.",
        GOOD.replace("}]", "},]").replace("null}", "null,}"),
    ],
    ids=["bare", "fenced", "plain fence", "fence no newline", "fence in prose", "prose before",
         "prose after", "trailing commas"],
)  # fmt: skip
def test_replies_that_read_the_same(text: str) -> None:
    reply = parse_reply(text)
    assert [f.title for f in reply.findings] == ["Off by one", "Leak"]
    assert (reply.score, reply.summary, reply.problems) == (6, "Risky.", [])


def test_raw_newlines_inside_strings_are_accepted() -> None:
    text = GOOD.replace("The loop skips the last item.", "The loop\nskips\tthe last item.")
    assert "\n" in text  # a raw control character: strict JSON refuses it
    assert parse_reply(text).findings[0].body == "The loop\nskips\tthe last item."


def test_braces_in_strings_do_not_confuse_the_prose_stripper() -> None:
    text = "Sure! " + reply_text(finding(body="use {key: value} not {}", suggestion="d = {}"))
    assert parse_reply(text).findings[0].suggestion == "d = {}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no JSON object"),
        ("I found no problems.", "no JSON object"),
        ("```json\n```", "no JSON object"),
        ('{"findings": [', "not valid JSON"),
        ("{'findings': []}", "not valid JSON"),
        ("} {", "no JSON object"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
    ],
    ids=["empty", "prose", "empty fence", "cut off", "single quotes", "reversed", "deep"],
)
def test_unreadable_replies(text: str, message: str) -> None:
    with pytest.raises(ReplyError, match=message):
        load_json(text)


# -- the reply's shape ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"just a string"', "no JSON object"),
        ('{"summary": "ok"}', 'no "findings" list'),
        ('{"findings": {"path": "a.py"}}', 'no "findings" list'),
        ('{"findings": "none"}', 'no "findings" list'),
    ],
)
def test_wrong_schema_is_a_reply_error(text: str, message: str) -> None:
    with pytest.raises(ReplyError, match=message):
        parse_reply(text)


def test_list_aliases_and_bare_lists() -> None:
    assert len(parse_reply(json.dumps({"issues": [finding()]})).findings) == 1
    assert len(parse_reply(json.dumps({"comments": [finding()]})).findings) == 1
    assert len(parse_reply(json.dumps([finding()])).findings) == 1
    bare = parse_reply("[1, 2]")  # a bare list is read as findings, each judged on its own
    assert (bare.findings, bare.problems) == ([], [
        "finding 1 is not an object", "finding 2 is not an object"])  # fmt: skip
    assert parse_reply('{"findings": null, "score": 9}').findings == []
    assert parse_reply('{"findings": []}').score is None


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (finding(path=...), "path"),
        (finding(line=...), "line"),
        (finding(line=0), "line"),
        (finding(line="twelve"), "line"),
        (finding(line=[12]), "line"),
        (finding(title=..., body=...), "title"),
        (finding(title="", body=""), "title"),
        (finding(severity="catastrophic"), "severity"),
        (finding(side="MIDDLE"), "side"),
        (finding(score="high"), "score"),
        (finding(score=float("inf")), "score"),
        (finding(title=5), "title"),
        ("just text", "not an object"),
        (None, "not an object"),
    ],
)
def test_a_bad_finding_is_dropped_and_counted(item: Any, problem: str) -> None:
    reply = parse_reply(json.dumps({"findings": [finding(), item]}))
    assert len(reply.findings) == 1
    [line] = reply.problems
    assert line.startswith("finding 2")
    assert problem in line


def test_normalisation_and_aliases() -> None:
    items = [
        finding(severity="HIGH", category="Security Vulnerability", score="7.6", side="right"),
        finding(severity=None, category=None, score=None, body=None, suggestion="  "),
        finding(category="error_handling", score=42, end_line=0),
        finding(category="logic", score=-3, severity="warning"),
        {"file": "a.py", "line_number": "12-14", "description": "Needs a lock.", "issue": "Race"},
        {"path": "a.py", "start_line": 3, "line": 5, "message": "x", "title": "Range"},
        {"path": "a.py", "line": "L7", "body": "First line is the title.\nMore."},
        finding(score="9/10", category="perf"),
    ]
    got = parse_reply(json.dumps({"findings": items})).findings
    assert [(f.severity, f.category, f.score, f.side) for f in got[:4]] == [
        ("major", "security", 8, "RIGHT"),
        ("minor", "bug", 5, "RIGHT"),
        ("major", "error-handling", 10, "RIGHT"),
        ("minor", "bug", 1, "RIGHT"),
    ]
    assert (got[1].body, got[1].suggestion, got[2].end_line) == ("", None, None)
    assert (got[4].path, got[4].line, got[4].end_line, got[4].title, got[4].body) == (
        "a.py",
        12,
        14,
        "Race",
        "Needs a lock.",
    )
    assert (got[5].line, got[5].end_line, got[5].body) == (3, 5, "x")
    assert (got[6].line, got[6].title) == (7, "First line is the title.")
    assert (got[7].score, got[7].category) == (9, "performance")


def test_reply_score_and_summary() -> None:
    assert parse_reply('{"score": "7", "findings": []}').score == 7
    assert parse_reply('{"score": 1e999, "findings": []}').score is None
    assert parse_reply('{"score": NaN, "findings": []}').score is None
    assert parse_reply('{"score": true, "findings": []}').score is None
    assert parse_reply('{"score": 99, "findings": []}').score == 10
    assert len(parse_reply(json.dumps({"summary": "s" * 5000, "findings": []})).summary) == 2000


def test_two_megabyte_reply() -> None:
    body = "x" * 1000
    items = [finding(line=n, body=body) for n in range(1, 2001)]
    text = "```json\n" + reply_text(*items) + "\n```"
    assert len(text) > 2_000_000
    started = time.monotonic()
    reply = parse_reply(text)
    assert len(reply.findings) == 2000
    cut = salvage(text[: len(text) // 2])
    assert 900 <= len(cut.findings) <= 1000
    assert time.monotonic() - started < 5


# -- salvage: the complete findings of a cut-off reply ----------------------------------------


def test_salvage_keeps_complete_findings_of_a_truncated_reply() -> None:
    text = GOOD[: GOOD.index('"Leak"') + 3]  # cut inside the second finding
    with pytest.raises(ReplyError):
        parse_reply(text)
    reply = salvage(text)
    assert [f.title for f in reply.findings] == ["Off by one"]


def test_salvage_edge_cases() -> None:
    assert salvage("").findings == []
    assert salvage('{"findings"').findings == []
    assert salvage('{"summary": "no list"}').findings == []
    tricky = '{"findings": [{"path": "a.py", "line": 1, "title": "brace } in \\" string"}, {"pa'
    assert [f.title for f in salvage(tricky).findings] == ['brace } in " string']
    broken = '{"issues": [{"path": "a.py", "line": 1, "title": "t",}, {"path": 5 5}, '
    reply = salvage(broken)
    assert [f.title for f in reply.findings] == ["t"]
    assert reply.problems == ["finding 2 could not be read"]


# -- schemas ----------------------------------------------------------------------------------


def test_schemas_are_strict() -> None:
    for schema in (response_schema(), selfcheck_schema()):
        assert schema["strict"] is True
        root = schema["schema"]
        assert root["additionalProperties"] is False
        assert set(root["required"]) == set(root["properties"])
    item = response_schema()["schema"]["properties"]["findings"]["items"]
    assert set(item["required"]) == set(RawFinding.model_fields)


# -- fuzz: any text gives a Reply or a ReplyError ---------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
FINDING_KEYS = st.sampled_from(
    ["path", "line", "end_line", "side", "severity", "category", "score", "title", "body",
     "suggestion", "file", "start_line", "line_number", "description", "issue", "message"]
)  # fmt: skip
FINDINGS = st.lists(st.dictionaries(FINDING_KEYS, JSON_VALUES, max_size=10), max_size=4)


@st.composite
def reply_like(draw: st.DrawFn) -> str:
    doc = draw(st.fixed_dictionaries({"findings": FINDINGS | JSON_VALUES}, optional={
        "score": JSON_VALUES, "summary": JSON_VALUES}))  # fmt: skip
    text = json.dumps(doc)
    cut = draw(st.integers(0, len(text)))
    text = draw(st.sampled_from([text, text[:cut], text[:cut] + text[cut + 1 :]]))
    before, after = draw(st.sampled_from(["", "```json\n", "Sure: "])), draw(st.text(max_size=8))
    return before + text + after


def _check(text: str) -> None:
    try:
        reply = parse_reply(text)
    except ReplyError:
        reply = salvage(text)
    assert isinstance(reply, Reply)
    for f in reply.findings:
        assert isinstance(f, RawFinding)
        assert f.line >= 1 and 1 <= f.score <= 10


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_fuzz_any_text(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reply_like())
def test_fuzz_reply_like_text(text: str) -> None:
    _check(text)
