"""The use cases: what commands (``handlers``) and schedules (``jobs``) both do.

Importing a file and the alert step after it, raising and delivering alerts, syncing the
national portal, scanning the inbox, granting access, and the answers (typed data read
from storage, turned into replies by :mod:`views`). Each use case is one unit of work
owned by its caller; no transport chains one step to the next.
"""
