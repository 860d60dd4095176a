"""What runs by itself: the schedules run by the bot's JobQueue (APScheduler) and the alerts.

``runner`` claims each scheduled run in the database before it runs, so a run happens once
even with several bot processes, and a run missed while the bot was down happens once when it
comes back (within the grace period). ``alerts`` holds the rules (one module each), the
engine that stores what they find, the rendering and the delivery policy.
"""
