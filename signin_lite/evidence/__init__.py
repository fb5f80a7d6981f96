"""Records and what they show, with no torch and no plotly: reading and validating run records, the one
grouping into settings, statistics on scipy, summary tables, the four-arm test, Sign-In's reset drift and how long
each chapter takes to run."""

__all__ = ["records", "stats", "power", "paper", "summary", "drift", "arms", "chapter_times"]
