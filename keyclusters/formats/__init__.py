"""Date and number formats of the site's languages (settings.FORMAT_MODULE_PATH).

Dates for people: ``{{ value|date:"SHORT_DATE_FORMAT" }}`` (30.11.2026 / 30 Nov 2026) or
``DATE_FORMAT`` (30 listopada 2026 / 30 November 2026); times are 24-hour Warsaw time.
Numbers: 1 234,50 in Polish, 1,234.50 in English (USE_THOUSAND_SEPARATOR is on, so ids, years
and numbers in attributes, URLs and form values are written with ``|unlocalize``).
Machine formats (CSV, XLSX, JSON, the API, ``<input type="date">`` values, ``<time datetime>``)
stay ISO 8601: the first input format of each language is ISO so that date widgets render
``2026-11-30``.
"""
