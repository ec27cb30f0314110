"""Reference data: the grid hierarchy, categories, departments, cameras and grid workers.

``gridwall.refdata.registry`` is the one reader of reference data; nothing else reads its keys.
Writing goes through ``importer`` (plan: read, check, diff; apply: one guarded transaction):
``areas`` + ``hierarchy`` + ``geometry`` (GeoJSON), ``table`` + ``departments``/``cameras``/
``workers`` (CSV, XLSX), ``categories`` (YAML, CSV); ``codes`` holds the code rules, ``spatial``
the point → grid index, ``export`` writes the files the importers read, ``demo`` generates the
demo county. See docs/reference-data.md.
"""
