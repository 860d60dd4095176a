"""Persistence: SQLAlchemy models, sessions, migrations, named queries and importers.

Nothing here imports Telegram; the console chat and the bot share it.
"""
