"""What the engine works with: a rule as read from YAML, a hit, and a finding."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

SEVERITIES = {
    "红": "合规红线",
    "黄": "履职效能",
    "蓝": "优化建议",
}


@dataclass
class Rule:
    """One rule of the catalogue: one YAML file under ``rules/catalog``."""

    id: str
    title: str
    severity: str
    check: str
    params: dict
    message: str
    advice: list[str]
    description: str = ""
    applies_to: dict = field(default_factory=dict)
    needs: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    path: str = ""
    # the unit the rule runs inside (rules/catalogue.py PARTITIONS); a file that names none is national
    partition: str = "national"
    declared_partition: bool = False

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "severity": self.severity}


@dataclass
class Hit:
    """What a primitive reports: the items involved and why.

    ``key`` tells two hits over the same items apart (a provision, a duty);
    ``departments`` names departments a hit concerns when it has no item (a 三定
    duty with no power item); ``fields`` fill the rule's message template.
    """

    subjects: list[str]
    evidence: dict = field(default_factory=dict)
    key: str = ""
    departments: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    # for a part of a run's hit: the whole run's hit it is a part of, when ``key`` does not tell (the Dask
    # engine joins the parts of a hit by it, ``Primitive.joins``)
    part_of: str = ""


@dataclass
class Finding:
    """A problem found by a rule, traced to the rows of the published lists."""

    rule: str
    title: str
    severity: str
    message: str
    advice: list[str]
    subjects: list[dict]
    departments: list[str]
    evidence: dict
    sources: list[dict]
    fingerprint: str

    def to_dict(self) -> dict:
        return asdict(self)


def fingerprint(rule_id: str, subjects: list[str], key: str = "") -> str:
    """Stable across re-loads: item ids are derived from the items' content."""
    raw = "|".join([rule_id, key, *sorted(subjects)])
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]
