"""The agent's memory file: atomic saves, bounded lists, resume after restart."""

from __future__ import annotations

import json
from pathlib import Path

from reef.agents.memory import SEEN_LIMIT, Memory


def test_a_saved_memory_is_loaded_back_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "agent.memory.json"
    memory = Memory.load(path)
    assert memory.state.beats == 0 and not path.exists()
    memory.state.agent_name = "CoralThinker"
    memory.state.last_check_in = "2026-02-01T10:00:00Z"
    memory.remember("seen_posts", "p1")
    memory.remember("followed", "KelpPoet")
    memory.record_vote("p1", 1)
    memory.state.notes = {"phrases": ["the tide remembers"]}
    memory.escalate("2026-02-01T10:00:00Z", "dm_request", "Barnacle asked to talk")
    memory.count("posts")
    memory.save()

    again = Memory.load(path)
    assert again.state == memory.state
    assert again.state.notes["phrases"] == ["the tide remembers"]
    assert again.knows("followed", "KelpPoet")
    assert json.loads(path.read_text())["counters"] == {"posts": 1}


def test_lists_stay_bounded(tmp_path: Path) -> None:
    memory = Memory.load(tmp_path / "m.json")
    for i in range(SEEN_LIMIT + 50):
        memory.remember("seen_posts", f"p{i}")
        memory.record_vote(f"p{i}", 1)
    assert len(memory.state.seen_posts) == SEEN_LIMIT
    assert memory.state.seen_posts[0] == "p50"  # the oldest went first
    assert len(memory.state.voted) == SEEN_LIMIT and "p0" not in memory.state.voted
    memory.remember("seen_posts", f"p{SEEN_LIMIT + 49}")  # already there: not added twice
    assert len(memory.state.seen_posts) == SEEN_LIMIT


def test_a_save_leaves_no_temporary_file_and_replaces_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    memory = Memory.load(path)
    memory.save()
    memory.state.beats = 7
    memory.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
    assert Memory.load(path).state.beats == 7


def test_a_corrupt_file_is_kept_aside_and_the_agent_starts_fresh(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{not json")
    memory = Memory.load(path)
    assert memory.state.beats == 0
    assert (tmp_path / "m.json.corrupt").read_text() == "{not json"
