"""The background: a government tree whose lists follow one template per level.

Every government of a level holds its template's items (三级四同: the same
name, category and basis across governments), plus about half of the items
the template marks 根据实际认领.  Names are built from each department's own
objects and a shared list of violations, and cite the department's own laws,
so that a clean list raises no finding; problems are added by ``plant``.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
MAX_PROVINCES = 34  # the provincial-level divisions of the country
LEVEL_WORD = {"省": "省级", "市": "市级", "县": "县级", "乡": "乡镇级"}
TOWNSHIP = "人民政府"
OPTIONAL_MARK = "根据实际认领"
DELEGATED_MARK = "赋权事项"


@functools.cache
def data(name: str) -> dict:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


PRESETS = ("county", "city", "province", "nation", "nation-small")  # the keys of data/presets.yaml


@dataclass
class Government:
    """One government: a region at one level, inside its parent's territory."""

    region: str
    level: str
    parent: Government | None = None

    @property
    def key(self) -> str:
        """The government as the rules name it (region|level)."""
        return f"{self.region}|{self.level}"

    @property
    def province(self) -> Government:
        return self if self.parent is None else self.parent.province


@dataclass
class SynthItem:
    """One row of a synthetic list, before it is written and loaded."""

    government: Government
    department: str  # canonical short name; 人民政府 for a township
    category: str
    name: str
    law: str
    articles: list[int]
    obj: str = ""
    optional: bool = False
    delegated: bool = False
    basis: str | None = None  # replaces the generated basis text
    responsibilities: str | None = None
    accountability: str | None = None
    scope: str | None = None
    remarks: str = ""
    holder: str | None = None  # replaces the published 实施主体
    id: str = ""  # the loader's id, set when written

    @property
    def holder_name(self) -> str:
        return self.holder or self.government.region + self.department

    def copy(self, **changes) -> SynthItem:
        fields = {k: v for k, v in self.__dict__.items() if k != "id"}
        fields["articles"] = list(self.articles)
        fields.update(changes)
        return SynthItem(**fields)


@dataclass
class Synthetic:
    """Everything one preset generates: governments, their lists, reference inputs and the truth."""

    preset: str
    seed: int
    rng: random.Random
    governments: list[Government]
    items: list[SynthItem]
    catalogue: list[SynthItem] = field(default_factory=list)
    township_template: list[SynthItem] = field(default_factory=list)
    cancelled: list[SynthItem] = field(default_factory=list)
    national: list[SynthItem] = field(default_factory=list)  # a nation's 基本目录: every level's template
    provinces: list[Government] = field(default_factory=list)
    duties: list[tuple[Government, str, str]] = field(default_factory=list)  # (government, department, duty)
    truth: list[dict] = field(default_factory=list)


def law_title(law: str) -> tuple[str, str]:
    """(level tag, full title) of a law in the vocabulary."""
    if law.endswith(("条例", "办法", "规定")):
        return "行政法规", law
    return "法律", "中华人民共和国" + law


def basis_text(item: SynthItem) -> str:
    if item.basis is not None:
        return item.basis
    tag, title = law_title(item.law)
    return f"【{tag}】《{title}》" + "、".join(f"第{a}条" for a in item.articles)


def place_names(rng: random.Random, n: int, suffix: str, taken: set[str], long: bool = False) -> list[str]:
    """``n`` names not in ``taken`` (added to it): two characters, or (``long``, for a nation's many
    cities and counties) two or three."""
    places = data("vocabulary")["places"]
    pool = [a + b for a, b in product(places["first"], places["second"]) if a != b]
    if long:
        pool += [a + b + c for a, b, c in product(places["first"], places["second"], places["second"]) if b != c]
    rng.shuffle(pool)
    out = []
    for name in pool:
        if name not in taken:
            taken.add(name)
            out.append(name + suffix)
            if len(out) == n:
                return out
    raise ValueError("地名不够用")


def governments(preset: dict, rng: random.Random, taken: set[str] | None = None) -> list[Government]:
    """The tree: one province, its cities, their counties, their townships (no name in ``taken``).

    In a nation a township's name need only differ from its county's other townships (its region is
    the county's name and its own), and cities and counties draw on longer names."""
    nation = taken is not None
    taken = set() if taken is None else taken
    province = Government(place_names(rng, 1, "省", taken, nation)[0], "省")
    out = [province]
    for city_name in place_names(rng, preset["cities"], "市", taken, nation):
        city = Government(city_name, "市", province)
        out.append(city)
        for county_name in place_names(rng, preset["counties"], "县", taken, nation):
            county = Government(county_name, "县", city)
            out.append(county)
            for town in place_names(rng, preset["townships"], rng.choice("镇乡"), {county_name[:-1]} if nation else taken):
                out.append(Government(county_name + town, "乡", county))
    return out


def _allocate(n: int, shares: dict[str, float]) -> dict[str, int]:
    """Split ``n`` by ``shares`` (largest remainder), so the counts add up to ``n``."""
    total = sum(shares.values())
    raw = {k: n * v / total for k, v in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: out[k] - raw[k])[: n - sum(out.values())]:
        out[k] += 1
    return out


def domain(law: str) -> str:
    """The matter a law governs, as violations name it: 食品安全法 → 食品安全."""
    return re.sub(r"(管理条例|管理办法|条例|办法|法)$", "", law)


def _names(category: str, obj: str, law: str) -> list[str]:
    vocab = data("vocabulary")
    if category == "行政处罚":
        return [f"对{obj}{act.format(domain=domain(law))}的处罚" for act in vocab["acts"]]
    return [t.format(object=obj, aspect=a) for t in vocab["names"][category]
            for a in (vocab["aspects"] if "{aspect}" in t else [""])]


def department_template(gov: Government, department: str, spec: dict, n: int, mix: dict,
                        rng: random.Random) -> list[SynthItem]:
    """One department's items at one level: ``n`` items in the level's category mix."""
    objects = list(spec["objects"])
    laws = list(spec["laws"])
    law_of = {o: laws[i % len(laws)] for i, o in enumerate(objects)}
    used: set[str] = set()
    items: list[SynthItem] = []
    counts = _allocate(n, mix)

    def add(category: str, obj: str, name: str) -> None:
        law = law_of[obj]
        top = spec["laws"][law]
        k = 1 if category != "行政处罚" else rng.choice((1, 2, 2))
        articles = sorted(rng.sample(range(1, top + 1), k))
        used.add(name)
        items.append(SynthItem(gov, department, category, name, law, articles, obj=obj))

    for category, count in counts.items():
        choices = [(o, nm) for o in objects for nm in _names(category, o, law_of[o])]
        rng.shuffle(choices)
        for obj, name in [c for c in choices if c[1] not in used][:count]:
            add(category, obj, name)
    # every licence has an inspection of its object (otherwise R06 would rightly flag it)
    inspected = {it.obj for it in items if it.category == "行政检查"}
    for lic in [it for it in items if it.category == "行政许可"]:
        if lic.obj not in inspected:
            inspected.add(lic.obj)
            add("行政检查", lic.obj, f"对{lic.obj}的监督检查")
            items[-1].articles = lic.articles[:1]
    return items


def level_template(gov: Government, n: int, cfg: dict, rng: random.Random) -> list[SynthItem]:
    """Every department's items at ``gov``'s level, marked optional at the configured share."""
    depts = {k: v for k, v in data("vocabulary")["departments"].items() if gov.level in v["levels"]}
    # more than needed: declutter drops most of what is generated (data/presets.yaml)
    size = _allocate(round(cfg["oversample"][gov.level] * n / (1 - cfg["optional_share"] * (1 - cfg["claim_rate"]))),
                     {k: v["weight"] for k, v in depts.items()})
    out = []
    for dept, spec in depts.items():
        items = department_template(gov, dept, spec, size[dept], cfg["mix"][gov.level], rng)
        for it in rng.sample(items, round(len(items) * cfg["optional_share"])):
            if it.category not in ("行政许可", "行政检查"):
                it.optional = True
                it.remarks = OPTIONAL_MARK
        out.extend(items)
    return declutter(out)


def declutter(items: list[SynthItem], same: float = 0.7, across: float = 0.6) -> list[SynthItem]:
    """Drop background items a rule would rightly flag: a second item with the same name core,
    or one as similar as a merge candidate (same department) or an overlap (another department)
    to an item already kept.  Similarity is the rules' own (rules/textsim.py)."""
    from quanze.rules.textsim import core_text, vectorise

    cores = [core_text(it.name) for it in items]
    X = vectorise(cores)
    keep: list[int] = []
    seen: set[str] = set()
    # compared with: the same department's items of any category (a category may be
    # mistyped, R13), and other departments' items of the same category
    peers: dict[tuple[str, str], list[int]] = {}
    for i, it in enumerate(items):
        if cores[i] in seen:
            continue
        own = peers.get(("dept", it.department), [])
        others = [k for k in peers.get(("cat", it.category), []) if items[k].department != it.department]
        if own and (X[own] @ X[i].T).max() >= same:
            continue
        if others and (X[others] @ X[i].T).max() >= across:
            continue
        seen.add(cores[i])
        peers.setdefault(("dept", it.department), []).append(i)
        peers.setdefault(("cat", it.category), []).append(i)
        keep.append(i)
    return [items[i] for i in keep]


def township_template(county_template: list[SynthItem], gov: Government, n: int, cfg: dict,
                      rng: random.Random) -> list[SynthItem]:
    """Statutory township items plus delegable county penalties and inspections (赋权)."""
    spec = data("vocabulary")["township"]
    statutory = department_template(gov, TOWNSHIP, spec, round(n * (1 - cfg["delegable_share"])),
                                    cfg["mix"]["乡"], rng)
    enforcement = [it for it in county_template if it.category in ("行政处罚", "行政检查") and not it.optional]
    pick = rng.sample(enforcement, min(len(enforcement), round(n * cfg["delegable_share"] / 0.5)))
    delegable = [it.copy(government=gov, department=TOWNSHIP, delegated=True, optional=False,
                         remarks=DELEGATED_MARK, scope="在本乡镇管辖范围内实施") for it in pick]
    return declutter(statutory) + delegable


def _instantiate(template: list[SynthItem], gov: Government, rng: random.Random, claim_rate: float,
                 tier: float = 1.0) -> list[SynthItem]:
    """``gov``'s list: the template's required items, about ``claim_rate`` of its optional ones
    and, for a township, about ``tier`` of the delegable ones."""
    out = []
    for it in template:
        if it.optional and rng.random() >= claim_rate:
            continue
        if it.delegated and tier < 1 and rng.random() >= tier:
            continue
        out.append(it.copy(government=gov))
    return out


def generate(preset: str, seed: int, provinces: int | None = None) -> Synthetic:
    """The clean lists of ``preset``; the same seed gives the same lists.

    A nation (``provinces`` of them, or the preset's number) is that many province trees whose
    governments of one level all follow one national template, as 三级四同 asks across provinces."""
    cfg = data("presets")
    if preset not in PRESETS:
        raise ValueError(f"未知的规模「{preset}」：可选 {'、'.join(PRESETS)}")
    p = cfg[preset]
    if provinces is not None and "provinces" not in p:
        raise ValueError(f"省份数只用于全国规模（nation、nation-small），不用于「{preset}」")
    k = provinces or p.get("provinces", 1)
    if not 1 <= k <= MAX_PROVINCES:
        raise ValueError(f"省份数应在 1 到 {MAX_PROVINCES} 之间，而不是 {k}")
    rng = random.Random(f"{preset}:{seed}")
    taken: set[str] | None = set() if "provinces" in p else None  # a nation's names are unique across it
    govs = [g for _ in range(k) for g in governments(p, rng, taken)]
    written = [g for g in govs if g.level in p["lists"]]
    templates = {lv: level_template(next(g for g in govs if g.level == lv), p["items"][lv], cfg, rng)
                 for lv in ("省", "市", "县") if lv in p["lists"]}
    county = next(g for g in govs if g.level == "县")
    town = next(g for g in govs if g.level == "乡")
    templates["乡"] = township_template(templates["县"], town, p["items"]["乡"], cfg, rng)
    items: list[SynthItem] = []
    for gov in written:
        tier = rng.choice(cfg["tiers"]) if gov.level == "乡" else 1.0
        items.extend(_instantiate(templates[gov.level], gov, rng, cfg["claim_rate"], tier))
    data_ = Synthetic(preset, seed, rng, written, items)
    data_.catalogue = [it.copy(government=county, holder=f"县{it.department}") for it in templates["县"]]
    data_.township_template = [it.copy(government=town, holder=f"乡镇{TOWNSHIP}") for it in templates["乡"]]
    if "provinces" in p:
        data_.provinces = [g for g in govs if g.level == "省"]
        data_.national = [it.copy(holder=f"{lv}{it.department}") for lv in ("省", "市", "县") for it in templates[lv]]
    return data_
