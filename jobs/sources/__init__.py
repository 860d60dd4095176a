"""What the bot fetches by itself: the national portal (Cổng DVCQG)."""
