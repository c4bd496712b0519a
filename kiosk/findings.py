"""What a check found, as `kiosk doctor` and `kiosk sessions verify` report it."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class Findings:
    """Mixed into a check's report dataclass, which declares `problems` (in words)."""

    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(cast("DataclassInstance", self)), "ok": self.ok}
