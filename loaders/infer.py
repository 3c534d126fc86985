"""Categories for items that nothing in their file names: inferred from the name.

Some published lists have no 权力类型 column and name no category in a sheet,
a title or the file.  Their items get a category here, marked
``category_source = "model"`` and counted in the load report, never silently:
first from the name cues of ``data/categories.yaml`` (对……的处罚 is a penalty),
then from a classifier trained on the items of the same run whose category the
lists state (character n-grams of the name, logistic regression).  Only the
主项 name is read, so the 子项 of one 主项 always share a category.
"""

from __future__ import annotations

from collections.abc import Iterable

from quanze.loaders.categories import cues
from quanze.loaders.model import PowerItem
from quanze.loaders.sheet import item_id, main_item_id
from quanze.loaders.text import compact

MIN_TRAINING = 30  # distinct labelled names below which only the cues are used


def cue_category(name: str) -> str | None:
    s = compact(name)
    return next((c for p, c in cues("name_cues") if p.search(s)), None)


def _classifier(examples: dict[str, str]):
    """A name → category model, or None when the examples are too few or of one class."""
    if len(examples) < MIN_TRAINING or len(set(examples.values())) < 2:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    names = sorted(examples)  # sorted: the model does not depend on the order of the files
    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
                          LogisticRegression(max_iter=2000, C=10.0))
    model.fit(names, [examples[n] for n in names])
    return model


def infer_categories(items: Iterable[PowerItem]) -> list[PowerItem]:
    """Give every item without a category one from its name; returns the items changed.

    Ids are derived from the category, so a changed item gets its id (and its
    主项's id) again, as if the category had been in the list.
    """
    items = list(items)
    todo = [it for it in items if it.category is None and not it.category_source]
    if not todo:
        return []
    examples: dict[str, str] = {}
    for it in items:
        if it.category is not None:
            examples.setdefault(compact(it.name), it.category)
    guesses: dict[str, str | None] = {}
    for it in todo:
        key = compact(it.name)
        if key not in guesses:
            guesses[key] = cue_category(it.name)
    unresolved = sorted(k for k, v in guesses.items() if v is None)
    if unresolved:
        model = _classifier(examples)
        if model is not None:
            guesses.update(zip(unresolved, model.predict(unresolved)))
    changed = []
    for it in todo:
        category = guesses[compact(it.name)]
        if category is None:
            continue
        had_main = it.main_id != it.id
        it.category, it.category_source = str(category), "model"
        it.id = item_id(it.department_id, it.category, it.name, it.sub_name, it.levels)
        it.main_id = main_item_id(it.department_id, it.category, it.name) if had_main else it.id
        changed.append(it)
    return changed
