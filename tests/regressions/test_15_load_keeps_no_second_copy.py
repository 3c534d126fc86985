"""Issue 15: a prepared load kept every record beside the tables made from them (1.5 GB of the province
preset's peak).  Once the tables exist the load's items are rows made into records when read, and the load
report says what it said of the records."""

import gc

from quanze.loaders import load_files
from quanze.loaders.model import PowerItem
from quanze.pipeline import EXAMPLES, prepare


def test_prepared_load_holds_rows_not_records():
    ready = prepare([EXAMPLES / "mingchuan"])
    gc.collect()
    assert not any(isinstance(o, PowerItem) for o in gc.get_objects()), "records kept beside the tables"
    items = ready.load.items
    assert len(items) == len(ready.tables) > 0
    assert items[0] == ready.tables.records()[0] and items[-1] == ready.tables.records()[-1]
    assert list(items) == ready.tables.records()


def test_report_of_a_prepared_load_is_the_report_of_its_records():
    plain = load_files([EXAMPLES / "mingchuan"]).report()
    assert prepare([EXAMPLES / "mingchuan"]).load.report() == plain
