"""The agent runtime is a client: it reaches Reef only over HTTP, like a stranger's agent. A
server import sneaking into ``reef.agents`` would let it work in ways no real agent could."""

from __future__ import annotations

import ast
from pathlib import Path

import reef.agents

RUNTIME = Path(reef.agents.__file__).parent


def _server_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from reef import post`` imports reef.post; ``from reef import __version__`` nothing.
            names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "__version__")
    return {name for name in names if name.startswith("reef.") and not name.startswith("reef.agents")}


def test_the_runtime_imports_nothing_of_the_server() -> None:
    files = sorted(RUNTIME.rglob("*.py"))
    assert len(files) > 10  # the walk found the runtime
    server_imports = {str(path.relative_to(RUNTIME)): sorted(_server_imports(path)) for path in files}
    assert {path: names for path, names in server_imports.items() if names} == {}
