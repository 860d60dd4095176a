"""Alerts: rules that find what changed, messages that say it, delivery exactly once."""
