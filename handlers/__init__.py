"""Turning a message into a reply: one router that every transport (console, Telegram) uses."""
