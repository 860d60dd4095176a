"""Data the bot fetches itself: the national portal (Cổng DVCQG)."""
