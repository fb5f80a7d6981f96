"""What a reader sees: plotly helpers that render offline in the book, the chapters' figures, and
conclusions as tables that wrap; ``findings`` holds what each chapter found."""

__all__ = ["plotting", "display", "figures", "arm_figures", "poc_plots", "poc_tables", "toy_figures", "planted_figures",
           "signin_figures", "gmp_figures", "live_plot", "mechanism", "reference_figures",
           "reference_tables", "findings"]
