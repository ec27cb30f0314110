"""Reference data: the grid hierarchy, categories, departments, cameras and grid workers.

``feeds.refdata.registry`` is the one reader of reference data; nothing else reads its keys.
"""
