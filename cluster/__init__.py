"""Beyond one machine: the pipeline on Dask (``quanze analyze --engine dask``), with the single process's findings.

Needs the ``dask`` extra (``pip install 'quanze[dask]'``); nothing else in quanze imports this package.
See ``engine.py`` for how a run is cut into tasks, ``partitions.py`` for the Parquet layout.

Named ``cluster``, not ``distributed``: the checkout's root is the package ``quanze``, so a folder
``distributed/`` there would hide dask's own ``distributed`` module whenever the root is on ``sys.path``
(``python -m pytest`` in the checkout, a script run from it).
"""
