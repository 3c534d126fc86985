"""Load published lists: files → canonical items, departments and a load report.

Nothing here stops on bad input.  A file that cannot be read, a sheet without a
header and a row that cannot load are each recorded in the report with file,
sheet and row; everything else loads.
"""

from __future__ import annotations

import multiprocessing
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from quanze.loaders.departments import find_region, province_of, resolve_department, unknown_bodies
from quanze.loaders.formats import FileFormatError, detect_format, read_sheets
from quanze.loaders.header import load_overrides
from quanze.loaders.infer import infer_categories
from quanze.loaders.laws import LawLibrary, ResolutionSummary, summarise_resolution
from quanze.loaders.model import Department, FileReport, PowerItem
from quanze.loaders.sheet import FileContext, parse_sheet, stable_id
from quanze.loaders.text import compact
from quanze.processes import cores, may_fork

SUPPORTED_SUFFIXES = {".xls", ".xlsx", ".xlsm", ".csv", ".tsv", ".json", ".jsonl", ".txt", ".html", ".htm", ".jsp", ".php"}
Progress = Callable[[str, int, int], None]
Reader = Callable[[list[tuple[Path, str, "list | None"]]], Iterable[tuple[FileReport, list[PowerItem]]]]
PARALLEL_FROM = 32  # files; fewer are read in this process (starting workers costs more)


@dataclass
class LoadResult:
    items: Sequence[PowerItem]
    files: list[FileReport]
    departments: dict[str, Department]
    laws: ResolutionSummary | None = None
    region: str = ""
    # what the report says of the items, kept when the records give way to rows made on demand
    item_summary: dict | None = None

    def item_facts(self) -> dict:
        """Main items, where categories came from, bodies the department table does not know."""
        if self.item_summary is not None:
            return self.item_summary
        return {"main_items": len({it.main_id for it in self.items}),
                "category_sources": category_sources(self.items), "unknown_bodies": unknown_bodies(self.items)}

    @property
    def rejected(self):
        return [r for f in self.files for r in f.rejected]

    def report(self) -> dict:
        """The load report as JSON-ready data (shape documented in the README)."""
        facts = self.item_facts()
        out = {
            "items": len(self.items),
            "main_items": facts["main_items"],
            "departments": len(self.departments),
            "rejected": len(self.rejected),
            "region": self.region,
            "category_sources": facts["category_sources"],
            "files": [f.to_dict() for f in self.files],
            "unknown_bodies": facts["unknown_bodies"],
        }
        if self.laws is not None:
            out["laws"] = self.laws.to_dict()
        return out


def category_sources(items: Iterable[PowerItem]) -> dict[str, int]:
    """How many items took their category from where: column, section, sheet, title, file, model, or none."""
    counts = Counter(it.category_source or "none" for it in items)
    order = ("column", "section", "sheet", "title", "file", "model", "none")
    return {k: counts[k] for k in order if counts[k]}


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the supported files inside named folders (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in SUPPORTED_SUFFIXES
                              and not q.name.startswith(("~$", "."))))
        else:
            out.append(p)
    return out


def _title_texts(sheets) -> list[str]:
    """Titles above the header: cells of the first rows that name a list or a department."""
    texts = []
    for sheet in sheets[:3]:
        for row in sheet.rows[:4]:
            for cell in row:
                s = compact(cell)
                if s and ("清单" in s or "目录" in s or s.startswith("部门名称")):
                    texts.append(s)
                    break
    return texts


def _owner(texts: list[str], region: str):
    """The department whose list this is, from 部门名称：… or the title."""
    for t in texts:
        if t.startswith("部门名称"):
            return resolve_department(re.sub(r"^部门名称[:：]?", "", t), region)
    for t in texts:
        s = re.sub(r"^(附件\d*[:：]?)?(\d{4}年(度)?)?", "", t)
        s = re.split(r"\d{4}年|权责清单|权力清单|责任清单|清单|目录|\(", s)[0]
        if len(s) >= 3 and s != region:
            return resolve_department(s, region)
    return None


def load_files(paths: Iterable[str | Path], laws: LawLibrary | None = None, region: str | None = None,
               progress: Progress | None = None, workers: int | None = None,
               columns: str | Path | list | None = None, reader: Reader | None = None) -> LoadResult:
    """Load every file; ``region`` names the government when the files do not.

    Files are taken in the order of their names, whatever the order given, so
    the same files always give the same items and reports.  Many files are read
    by ``workers`` processes (default: one per core); the results are taken in
    that order, so the outcome does not depend on them.  ``columns`` is an
    analyst's column mapping (``--columns``, see :func:`header.load_overrides`).  ``reader`` reads the
    files elsewhere (the Dask engine: one task per batch of files) and yields what ``read_one`` gives for
    each job ``(path, region, overrides)``, in the order of the jobs; all that follows reads every file's
    result, so it runs here.
    """
    files = sorted(expand_paths(paths), key=lambda p: (p.name, str(p)))
    overrides = load_overrides(columns) if isinstance(columns, (str, Path)) else columns
    loaded: list[tuple[FileReport, list[PowerItem]]] = []
    read = _read_all(files, region or "", workers, overrides) if reader is None else \
        reader([(p, region or "", overrides) for p in files])
    for n, (report, items) in enumerate(read):
        if progress:
            progress("读取清单", n, len(files))
        loaded.append((report, items))
    if progress:
        progress("读取清单", len(files), len(files))
    default_region = region or _agreed_region(loaded)
    if not region:
        loaded = [_with_region(files[n], r, its, default_region, overrides) for n, (r, its) in enumerate(loaded)]
    infer_categories(it for _, its in loaded for it in its)
    _note_inferred(loaded)
    items: list[PowerItem] = []
    reports: list[FileReport] = []
    seen: dict[str, PowerItem] = {}
    for report, its in loaded:
        reports.append(report)
        accepted = [it for it in its if _accept(it, seen, report)]
        _count(report, accepted)
        items.extend(accepted)
    summary = None
    if laws is not None:
        for n, item in enumerate(items):
            if progress and n % 200 == 0:
                progress("核对法律依据", n, len(items))
            for c in item.citations:
                laws.resolve(c)
        summary = summarise_resolution(items)
        if progress:
            progress("核对法律依据", len(items), len(items))
    return LoadResult(items, reports, build_departments(items), summary, default_region)


def _agreed_region(loaded) -> str:
    """The region every file that names one agrees on, or '' when they differ or none names one."""
    regions = {r.region for r, _ in loaded if r.region}
    return regions.pop() if len(regions) == 1 else ""


def _with_region(path: Path, report: FileReport, items: list[PowerItem], region: str, overrides):
    """A file that names no region is parsed again with the run's region (its parse says so)."""
    sheets, report.raw_sheets = report.raw_sheets, None
    if report.region or not items:
        return report, items
    if region:
        again = FileReport(file=report.file, path=report.path, format=report.format)
        return again, _parse(sheets, again, path, region, overrides)
    report.warnings.append("文件名和标题中没有写明所属地区，本次导入的其他清单也没有一致的地区，"
                           "部门按无地区导入；请用 --region（网页上传时填写地区）指定")
    return report, items


def _note_inferred(loaded) -> None:
    for report, its in loaded:
        n = sum(it.category_source == "model" for it in its)
        if n:
            report.warnings.append(f"{n} 个事项的权力类别在清单中没有写明，按事项名称推断"
                                   "（事项上注明「按事项名称推断」），请核对")


def _accept(item: PowerItem, seen: dict[str, PowerItem], report: FileReport) -> bool:
    """Keep an item unless it repeats one already loaded.

    The same name in the same department with a different 实施依据 is a separate
    item in the published list (two bases, two items); it gets an id that also
    covers its basis and a warning.  The same item with the same basis is a
    duplicate and is reported.
    """
    first = seen.get(item.id)
    if first is None:
        seen[item.id] = item
        return True
    if compact(first.basis_text) == compact(item.basis_text):
        report.reject(item.source.sheet, item.source.rows[0],
                      f"重复事项「{item.title[:40]}」：与{first.source}的事项相同（部门、类别、名称、子项、层级和依据均相同），未重复导入")
        report.count(item.source.sheet, "duplicate")
        return False
    item.id = stable_id(item.id, compact(item.basis_text))
    if item.main_id == first.id:
        item.main_id = item.id
    report.warn(item.source.sheet, f"第{item.source.rows[0]}行的事项「{item.title[:40]}」与{first.source}同名，"
                                   "但实施依据不同，按两个事项导入（可能需要合并）")
    return _accept(item, seen, report)


def _count(report: FileReport, items: list[PowerItem]) -> None:
    for sheet in report.sheets:
        mine = [it for it in items if it.source.sheet == sheet.sheet]
        sheet.items = len(mine)
        sheet.main_items = len({it.main_id for it in mine})


def read_one(job: tuple[Path, str, list | None]) -> tuple[FileReport, list[PowerItem]]:
    """One file's report and items, read with nothing of the other files (``load_files`` does the rest)."""
    return _read_one(job)


def _read_one(job: tuple[Path, str, list | None]) -> tuple[FileReport, list[PowerItem]]:
    path, default_region, overrides = job
    report = FileReport(file=path.name, path=str(path))
    return report, _load_file(path, report, default_region, overrides)


def _read_all(files: list[Path], default_region: str, workers: int | None,
              overrides: list | None = None) -> Iterator[tuple[FileReport, list[PowerItem]]]:
    """(report, items) of each file, in file order; in a process pool when there are many."""
    jobs = [(p, default_region, overrides) for p in files]
    if workers is None:
        workers = cores()
    if workers <= 1 or len(files) < PARALLEL_FROM or not may_fork():  # read in place
        yield from map(_read_one, jobs)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(min(workers, len(files)), mp_context=context) as pool:
        yield from pool.map(_read_one, jobs, chunksize=4)


def _load_file(path: Path, report: FileReport, default_region: str, overrides: list | None = None) -> list[PowerItem]:
    if not path.exists():
        report.reject(None, None, "文件不存在")
        return []
    try:
        report.format = detect_format(path)
        sheets = read_sheets(path, report.format)
    except FileFormatError as e:
        report.reject(None, None, str(e))
        return []
    items = _parse(sheets, report, path, default_region, overrides)
    if not report.region:
        report.raw_sheets = sheets  # parsed again once the run's region is known (pipeline._with_region)
    return items


def _parse(sheets, report: FileReport, path: Path, default_region: str, overrides) -> list[PowerItem]:
    titles = _title_texts(sheets)
    own = next((r for r in (find_region(t) for t in titles) if r), "") or find_region(path.stem)
    region = report.region = own or default_region
    if region and not own:
        report.warnings.append(f"文件名和标题中没有写明所属地区，按本次导入指定或其他清单一致的地区「{region}」导入")
    report.province = province_of(path, region)
    ctx = FileContext(file=path.name, region=region, province=report.province, owner=_owner(titles + [path.stem], region),
                      overrides=overrides)
    items: list[PowerItem] = []
    for sheet in sheets:
        items.extend(parse_sheet(sheet, ctx, report))
    if not items and not report.rejected:
        report.reject(None, None, "文件中没有可导入的事项")
    return items


def build_departments(items: Iterable[PowerItem]) -> dict[str, Department]:
    """Department entities of the loaded items, with every raw spelling as an alias."""
    out: dict[str, Department] = {}
    for it in items:
        d = out.get(it.department_id)
        if d is None:
            region, level, short = it.department_id.split("|", 2)
            d = out[it.department_id] = Department(it.department_id, it.department, short, region, level)
        if it.department_raw:
            d.aliases.add(it.department_raw)
    return out
