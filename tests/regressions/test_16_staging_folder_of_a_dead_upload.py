"""A kill -9 between making an upload's staging folder and writing its owner mark left `.staging-…` in the
uploads for good: recovery took an unmarked folder for one being made that instant.  A staging folder is
named by its owner from the start, so the next start removes it when that owner is gone."""

from quanze.api.store import OWNER_MARK, STAGING, Store


def test_staging_folder_of_a_dead_upload_is_removed(tmp_path):
    store = Store(tmp_path)
    store.migrate()
    dead = store.uploads / f"{STAGING}999999-0123456789ab.x1y2z3"  # no process holds that owner's lock
    dead.mkdir()
    (dead / "清单.xlsx").write_bytes(b"partial")
    mine = store.uploads / f"{STAGING}{store.owner}.abc123"  # this process is still making it
    mine.mkdir()
    foreign = store.uploads / ".something-else"
    foreign.mkdir()
    store.recover()
    assert not dead.exists() and mine.exists() and foreign.exists()


def test_staging_folders_are_named_by_their_owner(tmp_path):
    store = Store(tmp_path)
    store.migrate()
    ds, _ = store.stage_dataset([("清单.xlsx", b"x")])
    assert (store.uploads / ds).is_dir()
    assert not any(p.name.startswith(STAGING) for p in store.uploads.iterdir())  # renamed once marked


def test_staging_folder_killed_while_its_mark_was_written_is_removed(tmp_path):
    """CI: a kill -9 between creating the owner mark and writing it left an empty mark, read as 'not ours'."""
    store = Store(tmp_path)
    store.migrate()
    dead = store.uploads / f"{STAGING}999999-0123456789ab.q7r8s9"
    dead.mkdir()
    (dead / OWNER_MARK).write_text("", encoding="utf-8")
    store.recover()
    assert not dead.exists()
