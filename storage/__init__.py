"""Persistence: SQLAlchemy models, engines, migrations, named queries, the alert queue and
the importers. No SQL is written outside this package, and nothing in it commits: the
router, the job runner, the engine, the delivery and ``app.imports`` own the
transactions.
"""
