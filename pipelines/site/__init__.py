"""The static report site: HTML pages and data files built from the published warehouse.

`build_site` (in build.py) is the entry point; nothing heavy is imported here.
"""
