"""What a message gets: the router every transport (console, Telegram) uses, the commands
(argument parsing and who may see what), and who is asking. The work itself is a use case
of :mod:`app`."""
