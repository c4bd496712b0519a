"""What a check found, as `kiosk doctor` and `kiosk sessions verify` report it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any


class Findings:
    """Mixed into a check's report dataclass, which declares `problems` (in words)."""

    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}
