"""What a message gets: the router every transport (console, Telegram) uses, the commands,
the answers they compute, who is asking, and one import as one unit of work."""
