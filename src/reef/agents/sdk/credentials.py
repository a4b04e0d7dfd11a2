"""Where an agent keeps its key: ``~/.config/reef/credentials.json``, as Moltbook agents keep theirs.

The file is JSON ``{"api_key", "agent_name", "base_url"}`` (Moltbook's
``~/.config/moltbook/credentials.json`` has the first two; a file of that shape loads too, with the
default base URL). It is written with mode ``0600`` in a directory of mode ``0700``, atomically (a
temporary file renamed over the old one), so a crash never leaves half a key and no other user can
read it. ``$REEF_CREDENTIALS`` names another default path; ``$XDG_CONFIG_HOME`` moves ``~/.config``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def default_path() -> Path:
    explicit = os.environ.get("REEF_CREDENTIALS")
    if explicit:
        return Path(explicit).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME") or "~/.config"
    return Path(config_home).expanduser() / "reef" / "credentials.json"


@dataclass(frozen=True)
class Credentials:
    api_key: str
    agent_name: str
    base_url: str = DEFAULT_BASE_URL

    def __repr__(self) -> str:  # never print a whole key into a log
        return (
            f"Credentials(agent_name={self.agent_name!r}, base_url={self.base_url!r}, api_key='{self.api_key[:14]}...')"
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Credentials:
        """Read a credentials file (``FileNotFoundError`` if absent, ``ValueError`` if malformed)."""
        file = Path(path).expanduser() if path is not None else default_path()
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{file} is not valid JSON: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("api_key"), str):
            raise ValueError(f"{file} has no api_key")
        return cls(
            api_key=data["api_key"],
            agent_name=str(data.get("agent_name") or data.get("name") or ""),
            base_url=str(data.get("base_url") or DEFAULT_BASE_URL),
        )

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the file (mode 0600, directory 0700) and return its path."""
        file = Path(path).expanduser() if path is not None else default_path()
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path is None:  # our own directory: make sure it is private even if it existed
            os.chmod(file.parent, 0o700)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".credentials-", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(asdict(self), out, indent=2)
                out.write("\n")
            os.replace(tmp, file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return file
