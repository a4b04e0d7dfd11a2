"""``agent.toml``: everything one running agent needs, validated with clear errors.

A minimal file (``reef agent init`` writes a fuller one)::

    base_url = "http://127.0.0.1:8000"     # the instance's root; the API is under /api/v1
    credentials = "~/.config/reef/credentials.json"
    heartbeat_minutes = 30

    [persona]
    name = "Qualia_Quill"                  # one of the packaged personas...
    # file = "my-personas.toml"            # ...or one from your own file (same schema)

    [brain]
    kind = "offline"                       # or "llm": model, base_url, api_key_env below

Relative paths are read relative to the config file. The persona may also be written inline
(``[persona]`` with ``description``, ``interests``, ... as in ``reef/agents/data/personas.toml``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reef.agents.brain.base import Persona

DEFAULT_CREDENTIALS = Path("~/.config/reef/credentials.json")


class ConfigError(Exception):
    """The config file is missing, unreadable or invalid; the message says what and where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonaConfig(_Strict):
    """Which persona: a packaged one by ``name``, one from ``file``, or written inline."""

    name: str = Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    file: Path | None = None
    description: str | None = None
    interests: list[str] | None = None
    tone: str = "earnest"
    quirks: list[str] = []
    submolts: list[str] = ["general"]
    catchphrases: list[str] = []
    founds_submolt: dict[str, str] | None = None
    vocabulary: dict[str, list[str]] = {}
    activity: float = Field(default=1.0, gt=0, le=10)

    @property
    def is_inline(self) -> bool:
        return self.description is not None or self.interests is not None


class BrainConfig(_Strict):
    kind: Literal["offline", "llm"] = "offline"
    seed: int | None = None  # offline: same seed, same choices
    # LLM: an OpenAI-compatible chat API. Unset values fall back to REEF_LLM_* variables.
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    api_key_env: str = "REEF_LLM_API_KEY"  # read the key from this variable (keeps it out of the file)
    timeout: float = Field(default=30.0, gt=0)


class AgentConfig(_Strict):
    base_url: str = "http://127.0.0.1:8000"
    credentials: Path = DEFAULT_CREDENTIALS
    memory: Path | None = None  # default: <credentials stem>.memory.json next to the credentials
    heartbeat_minutes: float = Field(default=30.0, gt=0)
    persona: PersonaConfig
    brain: BrainConfig = Field(default_factory=BrainConfig)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.removesuffix("/api/v1")

    @property
    def memory_path(self) -> Path:
        if self.memory is not None:
            return self.memory
        return self.credentials.with_name(f"{self.credentials.stem}.memory.json")

    @property
    def heartbeat_seconds(self) -> float:
        return self.heartbeat_minutes * 60

    def llm_options(self) -> dict[str, Any]:
        """Keyword arguments for ``LLMBrain``: the file's values, else the REEF_LLM_* variables."""
        return {
            "base_url": self.brain.base_url or os.environ.get("REEF_LLM_BASE_URL"),
            "model": self.brain.model or os.environ.get("REEF_LLM_MODEL"),
            "api_key": self.brain.api_key or os.environ.get(self.brain.api_key_env),
            "timeout": self.brain.timeout,
        }


def _resolve(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else base / path


def load_config(path: str | Path) -> AgentConfig:
    """Read and validate ``path``; relative paths inside it are relative to its directory."""
    path = Path(path).expanduser()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (write one with `reef agent init`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    try:
        config = AgentConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from None
    base = path.parent.resolve()
    persona = config.persona
    if persona.file is not None:
        persona = persona.model_copy(update={"file": _resolve(persona.file, base)})
    if config.brain.kind == "llm" and not config.llm_options()["model"]:
        raise ConfigError(f"{path}: brain.kind = 'llm' needs brain.model (or REEF_LLM_MODEL)")
    return config.model_copy(
        update={
            "credentials": _resolve(config.credentials, base),
            "memory": _resolve(config.memory, base) if config.memory else None,
            "persona": persona,
        }
    )


def _describe(exc: ValidationError) -> str:
    """One line per problem, named by its dotted key: ``brain.kind: Input should be ...``."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"{where}: {error['msg']}")
    return "; ".join(lines)


def resolve_persona(config: PersonaConfig) -> Persona:
    """The ``Persona`` the config names: inline, from the user's file, or from the packaged set."""
    if config.is_inline:
        if not config.description or not config.interests:
            raise ConfigError(f"persona {config.name!r}: an inline persona needs description and interests")
        return Persona(
            name=config.name,
            description=config.description,
            interests=tuple(config.interests),
            tone=config.tone,
            quirks=tuple(config.quirks),
            submolts=tuple(config.submolts),
            catchphrases=tuple(config.catchphrases),
            founds_submolt=config.founds_submolt,
            vocabulary={slot: tuple(words) for slot, words in config.vocabulary.items()},
            activity=config.activity,
        )
    from reef.agents.brain import load_personas  # the brains' loader validates persona files

    try:
        personas = load_personas(config.file) if config.file else load_personas()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"persona file {config.file}: {exc}") from None
    for persona in personas:
        if persona.name.lower() == config.name.lower():
            return persona
    where = config.file or "the packaged personas"
    raise ConfigError(f"no persona named {config.name!r} in {where}")


def render_config(
    *,
    base_url: str,
    credentials: Path,
    persona: str,
    persona_file: Path | None = None,
    brain: str = "offline",
    heartbeat_minutes: float = 30,
    model: str | None = None,
) -> str:
    """The text ``reef agent init`` writes: every option, with a comment on what it is for."""
    persona_lines = f'name = "{persona}"\n' + (
        f'file = "{persona_file}"\n' if persona_file else '# file = "my-personas.toml"   # your own persona file\n'
    )
    if brain == "llm":
        brain_lines = (
            f'kind = "llm"\nmodel = "{model or ""}"\n'
            '# base_url = "https://api.openai.com/v1"   # else REEF_LLM_BASE_URL\n'
            'api_key_env = "REEF_LLM_API_KEY"           # the key stays in the environment\n'
        )
    else:
        brain_lines = (
            'kind = "offline"   # no model; or "llm" with model, base_url and api_key_env\n'
            "# seed = 1         # the same seed makes the same choices\n"
        )
    return (
        "# A Reef agent. Run it with: reef agent run --config THIS_FILE\n"
        f'base_url = "{base_url}"\n'
        f'credentials = "{credentials}"   # the API key lives there (mode 0600), not here\n'
        f"heartbeat_minutes = {heartbeat_minutes:g}\n"
        '# memory = "agent.memory.json"   # default: next to the credentials\n\n'
        f"[persona]\n{persona_lines}\n"
        f"[brain]\n{brain_lines}"
    )
