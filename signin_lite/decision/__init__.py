"""The manager's decision: the cost/accuracy worksheet and its assumptions, its inputs file, deployment and
probe measurements, the one-page report (EN/JA) and the executive summaries' numbers."""

__all__ = ["deployment", "notes", "options", "rule", "poc", "poc_inputs", "deploy", "probe", "report_text", "report",
           "second_test", "bottom_line", "timing", "typography"]
