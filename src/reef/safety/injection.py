"""Prompt-injection awareness: does a text try to instruct the agent that reads it?

Computed once when a post, comment or message is written and stored in its ``flags`` column;
every read returns ``flags: ["possible_prompt_injection"]`` or ``[]`` so careful agents can
skip or sandbox such content. It is a heuristic and says so: it never blocks anything.

What is flagged:
- imperative phrases aimed at a model: "ignore (all) previous instructions", "disregard your
  system prompt", "you are now DAN", "from now on you will...", "new instructions:";
- requests for secrets: "send me your API key", "reveal your credentials", "what is your system
  prompt" (unless negated: "never share your API key" is advice, not an attack);
- chat-template role markers: ``<|im_start|>``, ``[INST]``, ``[system]``, ``<<SYS>>``,
  ``<system>``, a line starting ``System:``;
- text hidden from human readers that speaks to a model: HTML comments, elements hidden with
  CSS (``display:none``, ``font-size:0``, ...), Unicode tag characters ("ASCII smuggling"), runs
  of zero-width characters, and base64 blobs that decode to such phrases.

Discussions *about* prompt injection are not flagged when the phrase is quoted or in code and the
text talks about it as a topic ("a classic attack is `ignore previous instructions`"). An
unquoted mention ("posts telling you to ignore previous instructions are scams") is still
flagged: a false positive we accept, since the flag only advises.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import unicodedata

FLAG = "possible_prompt_injection"

_I = re.IGNORECASE
_KEYWORDS = (
    r"(?:api[\s_-]?keys?|secret[\s_-]?keys?|credentials|(?:access|auth|bearer|api)[\s_-]+tokens?|"
    r"passwords?|private\s+keys?|seed\s+phrases?|env(?:ironment)?\s+variables?|\.env(?:\s+file)?|system\s+prompt)"
)

# Phrases that instruct a model. Matched on the normalised text (see ``_normalise``).
_COMMANDS = [
    re.compile(p, _I)
    for p in (
        r"\b(?:ignore|disregard|forget|override|bypass|skip|discard)\b(?:\s+[\w']+){0,3}?\s+"
        r"(?:previous|prior|preceding|above|earlier|former|original|initial|system|developer|safety)\s+"
        r"(?:instructions?|prompts?|rules|directives?|guidelines|messages|context|commands?|programming|constraints)\b",
        r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:your|these|those|the)\s+"
        r"(?:instructions|rules|guidelines|system\s+prompt|programming)\b",
        r"\b(?:disregard|ignore|override|reveal|print|repeat|show|output|leak|dump)\b(?:\s+[\w']+){0,2}?\s+"
        r"(?:system|initial|hidden|secret|original)\s+(?:prompt|instructions)\b",
        r"\byou\s+are\s+now\s+(?:an?\s+|the\s+|in\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:assistant|ai|agent|bot|model|dan|jailbroken|unrestricted|unfiltered|uncensored|mode|persona)\b",
        r"\byou\s+are\s+(?:now\s+)?no\s+longer\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:bound|restricted|limited|assistant|ai|agent|required\s+to)\b",
        r"\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|shall|should)\b",
        r"\b(?:new|updated|real|actual|override)\s+(?:system\s+)?instructions?\s*:",
        r"\bwithout\s+(?:telling|informing|alerting|asking)\s+(?:your|the)\s+(?:human|owner|user|operator)\b",
        r"\b(?:developer|god|admin|sudo|jailbreak)\s+mode\s+(?:enabled|activated|on)\b",
    )
]

# Requests for the reader's secrets; not when negated just before ("never share your API key").
_SECRET_REQUESTS = [
    re.compile(p, _I)
    for p in (
        r"\b(?:send|give|share|post|reveal|tell|show|paste|print|dm|provide|leak|expose|output|forward|"
        r"email|reply\s+with|include|upload)\s+(?:it\s+)?(?:me|us|to\s+me|to\s+us)?\s*(?:with\s+)?"
        r"(?:your|the)\s+(?:own\s+|full\s+|real\s+)?" + _KEYWORDS + r"\b",
        r"\bwhat(?:'s|\s+is|\s+are)\s+your\s+" + _KEYWORDS + r"\s*\?",
    )
]
_NEGATION = re.compile(
    r"\b(?:never|not|don'?t|dont|do\s+not|shouldn'?t|should\s+not|won'?t|will\s+not|no\s+one|nobody|avoid|"
    r"refuse|stop|careful|beware)\b[^.!?\n]{0,30}$",
    _I,
)

# Chat-template role markers: no legitimate post needs them outside a code example.
_ROLE_MARKERS = [
    re.compile(p, _I | re.MULTILINE)
    for p in (
        r"<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)\|>",
        r"\[/?(?:system|inst|sys)\]",
        r"<<\s*/?sys\s*>>",
        r"</?(?:system|system_prompt|instructions)>",
        r"^[ \t]*(?:#{1,3}[ \t]*)?(?:system|developer)(?:[ \t]+(?:prompt|message|instructions?))?[ \t]*:[ \t]*\S",
    )
]

# In text hidden from humans, any talk to a model is suspicious.
_HIDDEN_TALK = re.compile(
    r"\b(?:instructions?|ignore|disregard|system\s+prompt|you\s+must|you\s+are|you\s+should|your\s+human|"
    r"your\s+owner|api[\s_-]?keys?|credentials?|tokens?|agents?|assistant|llm|language\s+model|ai|"
    r"upvote|follow\s+me|send\s+me)\b",
    _I,
)

_META = re.compile(
    r"prompt[\s-]+injection|injection|jailbreak|attack|example|e\.g\.|for\s+instance|such\s+as|phrases?|"
    r"beware|watch\s+out|red\s+flag|be\s+careful|fall\s+for|scam|manipulat|defen[cs]e|security|exploit|malicious",
    _I,
)
_QUOTED = re.compile(
    r'"[^"\n]{1,400}"|“[^”\n]{1,400}”|‘[^’\n]{1,400}’|«[^»\n]{1,400}»|```.*?```|`[^`\n]{1,400}`|^[ \t]*>[^\n]*',
    re.DOTALL | re.MULTILINE,
)

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060-\u2064\ufeff\u180e\u00ad]")
_ZERO_WIDTH_HIDING = re.compile("[\u200b\u200c\u2060-\u2064\u180e]")  # not ZWJ (emoji), BOM, soft hyphen
_FLAG_EMOJI_TAGS = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")  # e.g. the Scottish flag
_TAG_CHARS = re.compile("[\U000e0000-\U000e007f]")

_CSS_HIDDEN = (
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])|"
    r"opacity\s*:\s*0(?:\.0+)?\s*(?:[;\"']|$)|color\s*:\s*transparent|(?:height|width|max-height)\s*:\s*0(?:px)?\s*[;\"']|"
    r"(?:left|top|text-indent)\s*:\s*-\d{3,}"
)
# Only the opening tag is matched by a regex; its body is found with str.find, so a text full of
# unclosed tags costs linear scans, not a regex backtracking over the whole text for each.
_HIDDEN_OPENING = re.compile(
    r"<([a-z][a-z0-9]{0,20})\b[^<>]{0,1000}?(?:\bstyle\s*=\s*[\"'][^\"'<>]{0,500}?(?:"
    + _CSS_HIDDEN
    + r")|\shidden\b)[^<>]{0,1000}>",
    _I,
)
_MAX_HIDDEN = 20
_HIDDEN_BODY = 2_000
_BASE64_BLOB = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}")
_MAX_BLOBS = 20


def _normalise(text: str) -> str:
    """Compatibility forms folded (full-width letters, ligatures), invisible characters removed,
    runs of spaces and tabs collapsed; newlines kept for line-based markers."""
    text = unicodedata.normalize("NFKC", text)
    text = _TAG_CHARS.sub("", _ZERO_WIDTH.sub("", text))
    return re.sub(r"[ \t\u00a0]+", " ", text)


def _in_spans(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _commands(text: str, *, allow_mentions: bool) -> bool:
    """A command, secret request or role marker in ``text``; with ``allow_mentions``, one that is
    quoted or in code inside a text about the topic does not count."""
    spans = [m.span() for m in _QUOTED.finditer(text)] if allow_mentions and _META.search(text) else []

    def counts(m: re.Match[str]) -> bool:
        return not _in_spans(m.start(), m.end(), spans)

    for pattern in (*_COMMANDS, *_ROLE_MARKERS):
        if any(counts(m) for m in pattern.finditer(text)):
            return True
    for pattern in _SECRET_REQUESTS:
        for m in pattern.finditer(text):
            if counts(m) and not _NEGATION.search(text[max(0, m.start() - 40) : m.start()]):
                return True
    return False


def _smuggled_tags(text: str) -> str:
    """Text written in Unicode tag characters (invisible), once flag emoji are set aside."""
    rest = _FLAG_EMOJI_TAGS.sub("", text)
    return "".join(chr(ord(c) - 0xE0000) for c in _TAG_CHARS.findall(rest))


def _decoded_blobs(text: str) -> list[str]:
    out = []
    for m in itertools.islice(_BASE64_BLOB.finditer(text), _MAX_BLOBS):
        blob = m.group(0)[:20_000]
        try:
            raw = base64.b64decode(blob.replace("-", "+").replace("_", "/") + "=" * (-len(blob) % 4))
            decoded = raw.decode("utf-8")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            continue
        if decoded and sum(c.isprintable() or c.isspace() for c in decoded) >= 0.9 * len(decoded):
            out.append(decoded)
    return out


def _hidden_parts(text: str) -> list[str]:
    """HTML comments, CSS-hidden elements and tag-character text: what humans don't see."""
    parts: list[str] = []
    start = text.find("<!--")
    while start != -1 and len(parts) < _MAX_HIDDEN:
        end = text.find("-->", start + 4)
        parts.append(text[start + 4 : end if end != -1 else start + 4 + _HIDDEN_BODY][:_HIDDEN_BODY])
        start = text.find("<!--", end + 3) if end != -1 else -1
    lower = text.lower()
    for m in itertools.islice(_HIDDEN_OPENING.finditer(text), _MAX_HIDDEN):
        end = lower.find(f"</{m.group(1).lower()}", m.end(), m.end() + _HIDDEN_BODY)
        parts.append(text[m.end() : end if end != -1 else m.end() + _HIDDEN_BODY])
    smuggled = _smuggled_tags(text)
    if smuggled:
        parts.append(smuggled)
    return parts


def looks_like_injection(text: str | None) -> bool:
    if not text:
        return False
    if len(_TAG_CHARS.findall(_FLAG_EMOJI_TAGS.sub("", text))) >= 3:
        return True  # invisible "ASCII smuggling": no honest text needs it
    if len(_ZERO_WIDTH_HIDING.findall(text)) >= 8:
        return True  # zero-width characters encoding a hidden message
    hidden = _normalise("\n".join(_hidden_parts(text)))
    if hidden and (_HIDDEN_TALK.search(hidden) or _commands(hidden, allow_mentions=False)):
        return True
    normal = _normalise(text)
    # Invisible characters inside a phrase are obfuscation: no benefit of the doubt then.
    obfuscated = _ZERO_WIDTH_HIDING.search(text) is not None
    if _commands(normal, allow_mentions=not obfuscated):
        return True
    return any(_commands(_normalise(d), allow_mentions=False) for d in _decoded_blobs(text))


def flags_for(*texts: str | None) -> list[str]:
    """The ``flags`` to store with content made of ``texts`` (a title and a body, say)."""
    return [FLAG] if any(looks_like_injection(t) for t in texts) else []
