"""The sign-in state machine's two drawings (the module docstring, docs/sign-in-flow.md)
say what ``TRANSITIONS`` says: a diagram that drifts from the code misleads."""

from __future__ import annotations

import re
from pathlib import Path

from gatehouse.services import progressive_sign_in
from gatehouse.services.progressive_sign_in import ANSWERS, FINAL, TRANSITIONS, State

DOC = Path(__file__).parents[3] / "docs" / "sign-in-flow.md"


def _table() -> set[tuple[str, str]]:
    return {(a.name, b.name) for a, targets in TRANSITIONS.items() for b in targets}


def test_final_states_are_the_answers() -> None:
    assert {s.name for s in FINAL} == {s.name for s in State if s.name.startswith("ASK_")} | {
        "ISSUED"
    }
    assert ANSWERS.keys() == FINAL


def test_every_state_is_reached_from_start() -> None:
    reached, todo = {State.START}, [State.START]
    while todo:
        for following in TRANSITIONS.get(todo.pop(), ()):
            if following not in reached:
                reached.add(following)
                todo.append(following)
    assert reached == set(State)


def test_the_mermaid_diagram_is_the_table() -> None:
    mermaid = DOC.read_text().split("```mermaid", 1)[1].split("```", 1)[0]
    edges = set(re.findall(r"^\s*(\w+|\[\*\]) --> (\w+|\[\*\])", mermaid, re.MULTILINE))
    assert ("[*]", "START") in edges
    assert {a for a, b in edges if b == "[*]"} == {s.name for s in FINAL}
    assert {(a, b) for a, b in edges if "[*]" not in (a, b)} == _table()


def test_the_docstring_diagram_is_the_table() -> None:
    doc = progressive_sign_in.__doc__ or ""
    edges, source = set(), None
    for line in doc.split("::", 1)[1].splitlines():
        found = re.match(r"^    (\w+) [─┬]", line)
        if found:
            source = found.group(1)
        target = re.search(r"> (\w+)", line)
        if target and source:
            edges.add((source, target.group(1)))
    assert edges == _table()
