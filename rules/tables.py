"""The names the rules use of the tables, from ``quanze.tables`` where they are defined."""

from quanze.tables import (  # noqa: F401
    CITATION_COLUMNS, FIELD_LABELS, ITEM_COLUMNS, level_rank, sets_by, territory, top_level,
)
