"""What the text pipeline produces before it becomes a Batch: mentions (a name found in a
sentence, how, and how surely) and facts (a relation as the page states it, where)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Fact:
    """One relation as the page states it (``source``/``target`` are ids); ``line`` and
    ``offset`` place the sentence that states it."""

    source: str
    type: str
    target: str
    line: int
    confidence: float
    properties: dict[str, object] = field(default_factory=dict)
    offset: int = 0

    @property
    def locator(self) -> str:
        return f"line {self.line}, char {self.offset}" if self.offset else f"line {self.line}"


@dataclass(frozen=True, slots=True)
class Mention:
    """A person or organisation named in a sentence: the words as written, the type the
    rule guessed, the entity it resolved to, where, the rule that found it and how surely."""

    surface: str
    type: str
    entity: str
    line: int
    offset: int
    rule: str
    confidence: float
