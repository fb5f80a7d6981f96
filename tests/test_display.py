"""signin_lite.views.display: tables and sentences that wrap, with a plain-text twin; smoke-check labels."""

from __future__ import annotations

from signin_lite.views import display

ROWS = [{"method": "pai", "sparsity": 0.9, "verdict": "no gain <distinguishable> from noise"},
        {"method": "pai_signin", "sparsity": 0.95, "verdict": None}]


def test_table_html_wraps_escapes_and_aligns_numbers():
    out = display.table_html(ROWS, ["method", "sparsity", "verdict"], caption="3 seeds")
    assert out.count("<tr>") == 3 and "white-space: normal" in out and "pre" not in out
    assert "&lt;distinguishable&gt;" in out and "<distinguishable>" not in out
    assert 'text-align: right;">0.9</td>' in out and 'text-align: left;">pai</td>' in out
    assert "3 seeds</caption>" in out


def test_table_text_is_the_same_table_in_fixed_width():
    text = display.table_text(ROWS)
    header, rule, first, second = text.splitlines()
    assert header.split() == ["method", "sparsity", "verdict"] and set(rule.replace(" ", "")) == {"-"}
    assert first.startswith("pai ") and "0.95" in second and display.table_text([]) == "(no rows)"


def test_show_table_and_show_lines_display_html_and_text(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    display.show_table(ROWS, ["method", "sparsity"])
    display.show_lines(["Sign-In gains -0.76 pp [-3.56, +2.03] over seeds 0-5, ResNet-20.", "a < b"])
    (table, raw1), (lines, raw2) = shown
    assert raw1 and raw2 and set(table) == set(lines) == {"text/html", "text/plain"}
    assert "<table" in table["text/html"] and "pai_signin" in table["text/plain"]
    assert lines["text/html"].count("<li>") == 2 and "a &lt; b" in lines["text/html"]
    assert lines["text/plain"].splitlines()[1] == "- a < b"
    # a hyphen that stands for a minus becomes U+2212; ranges and names keep theirs
    assert "gains \u22120.76 pp [\u22123.56, +2.03] over seeds 0-5, ResNet-20." in lines["text/plain"]


def test_smoke_runs_are_labelled_as_a_check_not_a_result():
    assert display.smoke_title("Live runs", "smoke").startswith("Smoke check, not a result")
    assert display.smoke_title("Live runs", "cpu") == "Live runs"
    assert "mean nothing" in display.smoke_note("smoke") and "cpu" in display.smoke_note("cpu")
