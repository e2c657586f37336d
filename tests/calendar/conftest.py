"""Calendar fixtures: the app's holiday cache is emptied around each test.

The app (and so its cache) lives for the whole run while tables are emptied after each test,
without going through ``CalendarService``: a stale cache would shift other tests' deadlines.
"""

from __future__ import annotations



