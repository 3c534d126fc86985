"""Planted problems: one small function per rule, each recording what it planted.

Each planter changes a few items of the clean lists so that they show one
problem, and records ``{"rule", "items"}`` (or ``"key"`` for a finding about
something absent: a 缺位 item, a department's count).  A change that also
breaks another rule records that too: an item added to a county department is
also 越位 against the 通用目录 (R07), an item dropped from a township is also
缺位 against the township template (R14).  Rates are per item of the lists.
"""

from __future__ import annotations

import functools
import random
from collections import Counter, defaultdict
from collections.abc import Callable

from quanze.rules.textsim import core_text, own_procedure
from quanze.synth.generate import (
    DELEGATED_MARK, TOWNSHIP, Government, SynthItem, Synthetic, basis_text, data, domain, law_title,
)

PLANTERS: dict[str, Callable[[Planting, int], None]] = {}
RATE = 0.003  # of the items, per rule
MINIMUM = 4


def planter(rule: str):
    def register(fn):
        PLANTERS[rule] = fn
        return fn
    return register


class Planting:
    """The lists being changed, with the truth recorded as changes are made."""

    def __init__(self, data_: Synthetic):
        self.data = data_
        self.rng: random.Random = data_.rng
        self.taken: set[int] = set()
        self.removed: set[int] = set()
        self.off_duty: set[int] = set()  # items whose matter the 三定 table leaves out (R05b)
        self.by_dept: dict[tuple[str, str], list[SynthItem]] = defaultdict(list)
        self.article_uses: Counter = Counter()  # (department, category, law, article) → items citing it
        # a nation's holders of one matter (its core, as R21 groups) in one province at one level
        self.holders: Counter = Counter()
        self.provinces_of: dict[tuple, set[str]] = defaultdict(set)  # (level, department, core) → provinces
        self.changed: dict[tuple, str] = {}  # (level, department, core) → the province where it was changed
        for it in data_.items:
            self._index(it)
        self.catalogue_names = {(it.department, it.category, it.name) for it in data_.catalogue}
        self.template_names = {(it.category, it.name) for it in data_.township_template}
        self.in_townships = {(it.government.parent.region, it.name) for it in data_.items
                             if it.government.level == "乡"}

    # -- recording -------------------------------------------------------------------------
    def record(self, rule: str, items: list[SynthItem] = (), key: str = "", note: str = "",
               department: tuple[Government, str] | None = None, duty: str = "") -> None:
        """``department`` alone: a finding about the department (R16); with ``duty``: about one of
        its duties (R05a).  ``write`` turns both into the key the rule gives such a finding."""
        self.data.truth.append({"rule": rule, "items": list(items), "key": key, "note": note,
                                "department": department, "duty": duty})

    def absent_key(self, it: SynthItem) -> str:
        """The key R07/R14 give a reference item a list lacks (rules/primitives/reference.py)."""
        return f"缺位|{it.department}|{it.category}|{it.name}|{it.government.key}"

    # -- changes ---------------------------------------------------------------------------
    def pick(self, k: int, where: Callable[[SynthItem], bool]) -> list[SynthItem]:
        """``k`` items (fewer if there are not enough) that no other planter changed."""
        pool = [it for it in self.data.items if id(it) not in self.taken and self.unchanged_elsewhere(it) and where(it)]
        chosen = self.rng.sample(pool, min(k, len(pool)))
        self.taken.update(id(it) for it in chosen)
        return chosen

    def _index(self, it: SynthItem) -> None:
        dept = (it.government.region, it.department)
        self.by_dept[dept].append(it)
        for a in it.articles:
            self.article_uses[(dept, it.category, it.law, a)] += 1
        if len(self.data.provinces) > 1:
            self.holders[_matter(it)] += 1
            self.provinces_of[_matter(it)[1:]].add(it.government.province.region)

    def add(self, it: SynthItem, new_matter: bool = True) -> SynthItem:
        """Add an item; record it as 越位 where a reference covers its list and lacks it
        (``new_matter=False``: a rewording of an item the reference has, which matches it)."""
        self.data.items.append(it)
        self._index(it)
        self.taken.add(id(it))
        if new_matter and self._covered(it) and self._outside_reference(it):
            self.record(self._reference_rule(it), [it], note="越位")
        return it

    def remove(self, it: SynthItem) -> None:
        """Drop an item; record it as 缺位 where a reference expects it."""
        self.removed.add(id(it))
        self.taken.add(id(it))
        if self.holders:
            self.holders[_matter(it)] -= 1
        if self._covered(it) and not it.optional and not it.delegated:
            self.record(self._reference_rule(it), key=self.absent_key(it), note="缺位")

    def rebase(self, it: SynthItem, basis: str, replaces: bool = True) -> None:
        """Change an item's basis; when the new basis ``replaces`` the documents (rather than
        adding one), record what else that breaks (``differs``); a document added makes the
        province's practice differ from the others' all the same (``across``)."""
        it.basis = basis
        if basis and replaces:
            self.differs(it, "依据")
        elif basis:
            self.across(it)

    def differs(self, it: SynthItem, what: str, across: bool = True) -> None:
        """Record what changing an item's documents or category (``what``) breaks beside the rule
        planted: it is 错位 against its reference, and townships listing the same item no longer
        match it (R15).  Call before changing the category: the reference is looked up by it."""
        if self._covered(it) and not self._outside_reference(it):
            self.record(self._reference_rule(it), [it], note="错位")
        if (it.government.region, it.name) in self.in_townships:
            self.record("R15", [it], note=f"县级{what}与乡镇不同")
        if across:
            self.across(it)

    def across(self, it: SynthItem) -> None:
        """In a nation, a change to one of at most two holders of a matter in its province changes (or
        splits) that province's practice, which then differs from the other provinces' (R21)."""
        if not self.holders:
            return
        self.changed.setdefault(_matter(it)[1:], it.government.province.region)
        if 0 < self.holders[_matter(it)] <= 2 and len(self.provinces_of[_matter(it)[1:]]) > 1:
            self.record("R21", [it], note="改动使本省做法与他省不同")

    def unchanged_elsewhere(self, it: SynthItem) -> bool:
        """Whether no other province's holders of the matter were changed: the same change in two of three
        provinces would make it the practice most provinces share."""
        return self.changed.get(_matter(it)[1:], it.government.province.region) == it.government.province.region \
            if self.holders else True

    def lone_articles(self, it: SynthItem) -> bool:
        """Whether no other item of its department and category cites its articles (so that a
        planted pair is the only pair on them)."""
        dept = (it.government.region, it.department)
        return all(self.article_uses[(dept, it.category, it.law, a)] == 1 for a in it.articles)

    @staticmethod
    def _reference_rule(it: SynthItem) -> str:
        """The rule that compares ``it``'s list with a reference: R07 (通用目录) or R14 (township template)."""
        return "R07" if it.government.level == "县" else "R14"

    def _covered(self, it: SynthItem) -> bool:
        return (it.government.level == "县" and bool(self.data.catalogue)) or (
            it.government.level == "乡" and bool(self.data.township_template))

    def _outside_reference(self, it: SynthItem) -> bool:
        if it.government.level == "县":
            return (it.department, it.category, it.name) not in self.catalogue_names
        return (it.category, it.name) not in self.template_names

    def departments(self, gov: Government) -> list[str]:
        return sorted({d for (r, d) in self.by_dept if r == gov.region})

    def finish(self) -> None:
        self.data.items = [it for it in self.data.items if id(it) not in self.removed]


def plant(data_: Synthetic, rate: float = RATE) -> Synthetic:
    """Plant every registered problem at ``rate`` of the items (at least a few of each)."""
    p = Planting(data_)
    n = max(MINIMUM, round(rate * len(data_.items)))
    data_.cancelled = cancelled_items(data_)
    for rule, fn in PLANTERS.items():
        fn(p, n)
    p.finish()
    unserved_duties(p, n)  # last: the 三定 table is written from the lists as planted
    return data_


def _matter(it: SynthItem) -> tuple:
    """(province, level, department, name core): one matter of one province's level, as R21 groups items."""
    return it.government.province.region, it.government.level, it.department, _core(it.name)


@functools.lru_cache(maxsize=200_000)
def _core(name: str) -> str:
    return core_text(name)


def _enforcement(it: SynthItem) -> bool:
    return it.category == "行政处罚" and it.government.level != "乡"


def _reword(name: str) -> str:
    for a, b in data("vocabulary")["synonyms"].items():
        name = name.replace(a, b)
    return name


# -- overlaps -------------------------------------------------------------------------------
@planter("R01b")
def same_violation_two_departments(p: Planting, n: int) -> None:
    """多头执法: another department of the same government penalises the same violation under the
    same article; half of them word it differently (the 'worded differently' overlap)."""
    # (obstructing one's own inspection is each department's own matter: not planted)
    for k, a in enumerate(p.pick(n, lambda it: _enforcement(it) and p.lone_articles(it)
                                 and not own_procedure(it.name))):
        others = [d for d in p.departments(a.government) if d not in (a.department, TOWNSHIP)]
        name = _reword(a.name) if k % 2 else a.name
        b = p.add(a.copy(department=p.rng.choice(others), name=name, optional=False, remarks=""))
        p.record("R01b", [a, b], note="措辞不同" if k % 2 else "")
        p.record("R01a", [a, b])


@planter("R03")
def same_matter_two_departments(p: Planting, n: int) -> None:
    """职能交叉: two departments both license (or register) the same matter."""
    kinds = ("行政许可", "行政确认", "其他行政权力")
    for a in p.pick(n, lambda it: it.category in kinds and it.government.level != "乡" and p.lone_articles(it)):
        others = [d for d in p.departments(a.government) if d not in (a.department, TOWNSHIP)]
        b = p.add(a.copy(department=p.rng.choice(others), optional=False, remarks=""))
        p.record("R03", [a, b])


@planter("R10")
def near_duplicate_in_department(p: Planting, n: int) -> None:
    """内容相近: the same penalty listed twice in one department, worded slightly apart."""
    for a in p.pick(n, _enforcement):
        b = p.add(a.copy(name=a.name.replace("的处罚", "行为的处罚"), optional=False, remarks=""), new_matter=False)
        p.record("R10", [a, b])


@planter("R02")
def county_and_township_both_penalise(p: Planting, n: int) -> None:
    """多层重复执法: a township lists a county penalty as its own, with no split of levels written."""
    towns = [g for g in p.data.governments if g.level == "乡"]
    held = {(it.government.region, it.name) for it in p.data.items if it.government.level == "乡"}
    # a penalty the county delegates to some townships has its split recorded there already
    delegable = {it.name for it in p.data.township_template if it.delegated}
    for a in p.pick(n, lambda it: it.category == "行政处罚" and it.government.level == "县"
                    and it.name not in delegable):
        candidates = [t for t in towns if t.parent is a.government and (t.region, a.name) not in held]
        if not candidates:
            continue
        b = p.add(a.copy(government=p.rng.choice(candidates), department=TOWNSHIP, optional=False, remarks="",
                         scope=""))
        p.record("R02", [a, b])


@planter("R15")
def township_cites_another_law(p: Planting, n: int) -> None:
    """三级四同: a township's delegated item cites another law than the county's same item."""
    county_items = {(it.government.region, it.name): it for it in p.data.items if it.government.level == "县"}
    for d in p.pick(n, lambda it: it.delegated):
        original = county_items.get((d.government.parent.region, d.name))
        if original is None or id(original) in p.removed:
            continue
        p.taken.add(id(original))
        p.record("R15", [original, d])
        p.rebase(d, "【法律】《中华人民共和国行政处罚法》第18条")


# -- powers and responsibilities ------------------------------------------------------------
@planter("R04a")
def no_responsibilities(p: Planting, n: int) -> None:
    for it in p.pick(n, lambda it: it.government.level != "乡"):
        it.responsibilities = ""
        p.record("R04a", [it])


@planter("R04b")
def no_accountability(p: Planting, n: int) -> None:
    for it in p.pick(n, lambda it: it.government.level != "乡"):
        it.accountability = ""
        p.record("R04b", [it])


@planter("R04c")
def missing_stage(p: Planting, n: int) -> None:
    """A licence without 事后监管, or a penalty without 决定."""
    resp = data("vocabulary")["responsibilities"]
    for it in p.pick(n, lambda it: it.category in ("行政许可", "行政处罚") and it.government.level != "乡"):
        drop = "事后监管责任" if it.category == "行政许可" else "决定责任"
        it.responsibilities = "\n".join(line for line in resp[it.category].splitlines() if drop not in line)
        p.record("R04c", [it])


@planter("R06")
def unsupervised_licence(p: Planting, n: int) -> None:
    """监管空白: a licence of a matter nothing in the territory inspects or penalises."""
    spec = data("vocabulary")["unsupervised"]
    laws = list(spec["laws"])
    govs = [g for g in p.data.governments if g.level != "乡"]
    licensed: set[tuple[str, str]] = set()  # one department per matter and government (else it is R03)
    for k in range(n):
        gov = govs[k % len(govs)]
        obj = spec["objects"][(k // len(govs)) % len(spec["objects"])]
        # (in a nation, one matter under one law: provinces that both license it would otherwise differ, R21)
        law = laws[(spec["objects"].index(obj) if p.data.provinces else k) % len(laws)]
        dept = p.rng.choice([d for d in p.departments(gov) if d != TOWNSHIP])
        it = SynthItem(gov, dept, "行政许可", f"{obj}经营许可", law, [p.rng.randint(1, spec["laws"][law])], obj=obj)
        if (gov.region, it.name) in licensed or any(x.name == it.name for x in p.by_dept[(gov.region, dept)]):
            continue
        licensed.add((gov.region, it.name))
        p.record("R06", [p.add(it)])


# -- legal basis ----------------------------------------------------------------------------
@planter("R08")
def no_legal_basis(p: Planting, n: int) -> None:
    """Only a 规范性文件 (or nothing) as basis."""
    template = data("vocabulary")["normative_document"]
    for k, it in enumerate(p.pick(n, lambda it: it.category == "其他行政权力" and it.government.level != "乡")):
        region = it.government.region
        p.rebase(it, "" if k % 3 == 0 else template.format(region=region, region_short=region[:1],
                                                            object=it.obj, n=k + 1))
        p.record("R08", [it])


@planter("R09")
def licence_set_by_rule(p: Planting, n: int) -> None:
    """A licence whose only basis is a 部门规章: a 规章 may not create a licence."""
    template = data("vocabulary")["rule_document"]
    for it in p.pick(n, lambda it: it.category == "行政许可" and it.government.level != "乡"):
        inspections = [x for x in p.by_dept[(it.government.region, it.department)]
                       if x.category == "行政检查" and x.obj == it.obj and x.basis is None and id(x) not in p.taken
                       and p.unchanged_elsewhere(x)]
        if not inspections:
            continue
        rule = template.format(object=it.obj) + f"第{p.rng.randint(3, 20)}条"
        p.rebase(it, rule)
        # the 规章 also governs the inspection, which therefore still covers the licence (R06)
        p.taken.add(id(inspections[0]))
        p.rebase(inspections[0], basis_text(inspections[0]) + "\n" + rule, replaces=False)
        p.record("R09", [it])


@planter("R12")
def repealed_basis(p: Planting, n: int) -> None:
    """A basis that names a repealed law, or an article the current text does not have."""
    repealed = data("vocabulary")["repealed"]
    for k, it in enumerate(p.pick(n, _enforcement)):
        if k % 2:
            tag, title = law_title(repealed[k % len(repealed)])
            p.rebase(it, f"【{tag}】《{title}》第{p.rng.randint(5, 20)}条")
        else:
            it.basis = basis_text(it.copy(articles=[_article_count(it.law) + 7]))  # same document
        p.record("R12", [it])


def _article_count(law: str) -> int:
    for spec in data("vocabulary")["departments"].values():
        if law in spec["laws"]:
            return spec["laws"][law]
    return data("vocabulary")["township"]["laws"][law]


# -- categories, references, counts ---------------------------------------------------------
@planter("R13")
def penalty_typed_as_inspection(p: Planting, n: int) -> None:
    """对……的处罚 listed as 行政检查."""
    for it in p.pick(n, _enforcement):
        p.record("R13", [it])
        p.differs(it, "类别")
        it.category = "行政检查"


@planter("R11")
def cancelled_still_listed(p: Planting, n: int) -> None:
    """An item the State Council cancelled is still in a list."""
    cancelled = p.data.cancelled
    govs = [g for g in p.data.governments if g.level != "乡"]
    for k in range(n):
        ref = cancelled[k % len(cancelled)]
        gov = govs[(k * 7) % len(govs)]
        if any(x.name == ref.name for x in p.by_dept[(gov.region, ref.department)]):
            continue
        it = p.add(ref.copy(government=gov, holder=None, remarks=""))
        p.record("R11", [it])


def cancelled_items(data_: Synthetic) -> list[SynthItem]:
    """The list of cancelled items: 年检 and 资格认定 of objects the lists otherwise hold."""
    vocab = data("vocabulary")
    county = next(g for g in data_.governments if g.level in ("县", "市", "省"))
    out = []
    for dept, spec in list(vocab["departments"].items())[:12]:
        obj = vocab["cancelled"]["objects"][len(out) // 2]
        law = list(spec["laws"])[-1]
        for template in vocab["cancelled"]["names"]:
            out.append(SynthItem(county, dept, "其他行政权力", template.format(object=obj), law, [len(out) + 1],
                                 obj=obj, holder=f"县{dept}"))
    return out


@planter("R14")
def township_off_template(p: Planting, n: int) -> None:
    """缺位: a township lacks a statutory item; 越位: it lists an item the template lacks."""
    spec = data("vocabulary")["township"]
    statutory = p.pick(n, lambda it: it.government.level == "乡" and not it.delegated)
    for k, it in enumerate(statutory):
        if k % 2:
            p.remove(it)
        else:
            law = list(spec["laws"])[0]
            p.add(SynthItem(it.government, TOWNSHIP, "行政确认", f"{spec['objects'][0]}换届选举结果确认{k}", law,
                            [p.rng.randint(1, spec["laws"][law])], obj=spec["objects"][0]))


@planter("R16")
def department_list_half_empty(p: Planting, n: int) -> None:
    """数量异常: one department of a kind lists about half of what its peers list."""
    peers: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for (region, dept), items in p.by_dept.items():
        if items:
            peers[(dept, items[0].government.level)].append((region, dept))
    groups = [g for g in peers.values() if len(g) >= 6]
    # peers of equal standing first: townships differ by their delegation tier anyway
    groups.sort(key=lambda g: p.by_dept[g[0]][0].government.level == "乡")
    for group in groups[: max(1, n // 4)]:
        region, dept = p.rng.choice(group)
        listed = p.by_dept[(region, dept)]
        town = listed[0].government.level == "乡"
        # (a county department keeps its licences and inspections: R06 would flag their absence)
        items = [it for it in listed if id(it) not in p.taken and (town or it.category == "行政处罚")]
        cut = round(len(listed) * 0.5)
        if len(items) < cut or len(items) < 10:
            continue
        for it in items[:cut]:
            p.remove(it)
        p.record("R16", department=(items[0].government, dept))


@planter("R17")
def entrusted_without_entrusting_body(p: Planting, n: int) -> None:
    """委托: a township item 受委托实施 with no entrusting body named."""
    for it in p.pick(n, lambda it: it.delegated):
        it.scope = "受委托实施"
        it.remarks = DELEGATED_MARK
        p.record("R17", [it])


# -- 三定 duties ----------------------------------------------------------------------------
@planter("R05b")
def item_outside_duties(p: Planting, n: int) -> None:
    """职责偏离: a department inspects a matter none of its 三定 duties names (``duty_table``
    leaves these items' matters out)."""
    objects = data("vocabulary")["duties"]["off_duty"]
    govs = [g for g in p.data.governments if g.level != "乡"]
    # one department per matter and government: two would be a 职能交叉 (R03) as well
    for k in range(min(n, len(govs) * len(objects))):
        gov, obj = govs[k % len(govs)], objects[(k // len(govs)) % len(objects)]
        dept = p.rng.choice([d for d in p.departments(gov) if d != TOWNSHIP])
        # under a law of no sector the department's duties govern: an item under the department's own
        # law is in that law's sector, which its 三定 duty governs however the object is named
        law, articles = next(iter(data("vocabulary")["duties"]["off_duty_law"].items()))
        it = p.add(SynthItem(gov, dept, "行政检查", f"对{obj}的监督检查", law,
                             [p.rng.randint(1, articles)], obj=obj))
        p.off_duty.add(id(it))
        p.record("R05b", [it])


def duty_table(p: Planting) -> list[tuple[Government, str, str]]:
    """Each department's 三定 duties, written from its list: one per law the list cites, naming
    the matters regulated under it.  Townships have no per-department table."""
    wording = data("vocabulary")["duties"]["duty"]
    matters: dict[tuple[str, str], dict[str, dict[str, None]]] = defaultdict(dict)
    govs = {}
    for it in p.data.items:
        if it.government.level != "乡" and id(it) not in p.off_duty:
            govs[it.government.region] = it.government
            matters[(it.government.region, it.department)].setdefault(it.law, {})[it.obj] = None
    return [(govs[region], dept, wording.format(domain=domain(law), objects="、".join(objects)))
            for (region, dept), laws in matters.items() for law, objects in laws.items()]


def unserved_duties(p: Planting, n: int) -> None:
    """职责缺失 (R05a): the 三定 table, plus duties of matters no item of the department touches."""
    spec = data("vocabulary")["duties"]
    table = duty_table(p)
    departments = list({(g.region, d): (g, d) for g, d, _ in table}.values())
    for k, (gov, dept) in enumerate(p.rng.sample(departments, min(n, len(departments)))):
        duty = spec["unserved_duty"].format(matter=spec["unserved"][k % len(spec["unserved"])])
        table.append((gov, dept, duty))
        p.record("R05a", department=(gov, dept), duty=duty)
    p.data.duties = sorted(table, key=lambda t: (t[0].region, t[1]))  # a department's duties together


# -- across provinces (a nation only) ---------------------------------------------------------
def _provincial(p: Planting, k: int, where: Callable[[SynthItem], bool]) -> list[tuple[Government, list[SynthItem]]]:
    """``k`` matters of the national template, each with every holder in one province (a province's own practice):
    (province, holders), none of the holders changed by another planter."""
    if not p.data.provinces:
        return []
    groups: dict[tuple, list[SynthItem]] = defaultdict(list)
    for it in p.data.items:
        if not it.optional and not it.delegated and it.government.level != "乡" and where(it):
            groups[_matter(it)].append(it)
    free = [key for key, its in sorted(groups.items())
            if p.unchanged_elsewhere(its[0]) and not any(id(it) in p.taken for it in its)]
    out = []
    for key in p.rng.sample(free, min(k, len(free))):
        p.taken.update(id(it) for it in groups[key])
        p.changed.setdefault(key[1:], key[0])
        out.append((groups[key][0].government.province, groups[key]))
    return out


@planter("R21")
def province_cites_other_law(p: Planting, n: int) -> None:
    """三级四同 across provinces: every holder of a matter in one province cites another of its department's laws."""
    if len(p.data.provinces) < 2:  # one province's practice is the shared one
        return
    laws = data("vocabulary")["departments"]
    for province, holders in _provincial(p, max(MINIMUM, n // 10), lambda it: len(laws[it.department]["laws"]) > 1):
        first = holders[0]
        law = p.rng.choice([law for law in laws[first.department]["laws"] if law != first.law])
        tag, title = law_title(law)
        basis = f"【{tag}】《{title}》第{p.rng.randint(1, min(30, laws[first.department]['laws'][law]))}条"
        for it in holders:
            p.differs(it, "依据", across=False)  # recorded once for the province's holders below
            it.basis = basis
        p.record("R21", holders, note=f"{province.region}的依据与他省不同")


@planter("R22")
def province_lacks_or_renames(p: Planting, n: int) -> None:
    """Against the national 基本目录: one province lacks a matter at a level (every holder dropped), or every
    holder there words it another way (更名)."""
    from quanze.rules.textsim import vectorise

    k = max(MINIMUM, n // 10)
    for j, (province, holders) in enumerate(_provincial(p, 2 * k, lambda it: True)):
        first = holders[0]
        if j % 2 == 0:
            for it in holders:
                p.remove(it)
            p.record("R22", key=national_absent_key(first), note="本省缺少目录事项")
            continue
        renamed = _reword(first.name)
        a, b = vectorise([core_text(first.name), core_text(renamed)])
        if renamed == first.name or (a @ b.T).toarray()[0, 0] < 0.8:  # a new matter, not the same one renamed
            continue
        for it in holders:
            it.name = renamed
        p.record("R22", holders, note="本省更改了目录事项名称")


def national_absent_key(it: SynthItem) -> str:
    """The key R22 gives a matter of the 基本目录 a province lacks at a level (rules/primitives/reference.py)."""
    return f"缺位|{it.department}|{it.category}|{it.name}|{it.government.province.region}|{it.government.level}"


@planter("R23")
def province_department_half_empty(p: Planting, n: int) -> None:
    """Count outlier across provinces: one province's department at the provincial level lists about half of what
    the same department lists in the other provinces (the rest of the items, dropped, also lack in R22)."""
    if len(p.data.provinces) < 2:
        return
    kept = ("行政许可", "行政检查")  # (licences and their inspections stay: R06 would flag a licence left alone)
    departments = sorted({(r, d) for (r, d), its in p.by_dept.items() if its and its[0].government.level == "省"})
    p.rng.shuffle(departments)
    wanted, done = max(MINIMUM, n // 40), set()
    for region, dept in departments:
        listed = [it for it in p.by_dept[(region, dept)] if id(it) not in p.removed]
        items = [it for it in listed if id(it) not in p.taken and it.category not in kept]
        cut = round(len(listed) * 0.5)
        # one department of a kind per country: two halved provinces would make the median theirs
        if len(done) == wanted or dept in done or len(items) < cut or cut < 10:
            continue
        done.add(dept)
        for it in items[:cut]:
            p.remove(it)
            if not it.optional:
                p.record("R22", key=national_absent_key(it), note="本省缺少目录事项")
        gov = items[0].government
        p.record("R23", key=f"{gov.region}|{gov.level}|{dept}", note="本省该部门事项数约为他省的一半")
