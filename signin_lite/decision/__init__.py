"""The manager"s decision: the cost/accuracy worksheet, its inputs, deployment and probe measurements,
the one-page report (EN/JA) and the executive summaries" numbers."""

__all__ = ["poc", "poc_inputs", "deploy", "probe", "report", "report_text", "bottom_line"]
