"""The code cells of a claim notebook: each reads the run's results file and draws or tabulates
what it holds. No cell imports the suite or computes a number the run did not record."""

LOAD = '''\
%matplotlib inline
import json
from html import escape

import matplotlib.pyplot as plt
from IPython.display import HTML, display

with open(RESULTS_PATH, encoding="utf-8") as fh:
    RUN = json.load(fh)
CLAIM = next(c for c in RUN["claims"] if c["id"] == CLAIM_ID)
TRIALS = CLAIM["trials"]
STATUS_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "inconclusive": "#9a6700"}
STATUS_MARKERS = {"pass": "o", "fail": "X", "inconclusive": "s"}
FOLD_ROWS = 12  # tables longer than this are folded


def fmt(v, digits=10):
    """A stored value as escaped text: floats to ``digits`` significant digits, missing as a
    dash."""
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x, digits) for x in v) + "]"
    return escape(str(v))


def same_in_every_trial(name):
    """Whether parameter ``name`` has one value in every trial (of several)."""
    values = {json.dumps(t["params"].get(name), sort_keys=True) for t in TRIALS}
    return len(TRIALS) > 1 and len(values) == 1


PARAMS = [k for k in dict.fromkeys(k for t in TRIALS for k in t["params"]) if k != "index"]
VARYING = [k for k in PARAMS if not same_in_every_trial(k)]


def html_table(header, rows, summary=None):
    """An HTML table of already-escaped cells, folded under ``summary`` when given."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    table = f'<div class="scroll"><table><tr>{head}</tr>{body}</table></div>'
    return f"<details><summary>{summary}</summary>{table}</details>" if summary else table
'''

PLOTTING = '''\
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

PANELS = 4  # trials drawn per series, one panel each: a few curves per axes
STYLES = ["-", "--", ":"]  # per label, so that curves that coincide stay visible
SERIES_NAMES = list(dict.fromkeys(n for t in TRIALS for n in t["series"]))


def plot_gaps():
    """The headline gap of every trial on a log axis, marker and colour by status; a trial
    without a positive gap is drawn hollow at a floor below the smallest one."""
    positive = [t["gap"] for t in TRIALS if t["gap"] is not None and t["gap"] > 0]
    floor = min(positive) / 10 if positive else 0.0
    fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
    for status, colour in STATUS_COLOURS.items():
        points = [(i, t["gap"]) for i, t in enumerate(TRIALS) if t["status"] == status]
        shown = [(i, g) for i, g in points if g is not None and g > 0]
        rest = [i for i, g in points if g is None or g <= 0]
        if shown:
            ax.scatter(*zip(*shown, strict=True), marker=STATUS_MARKERS[status], color=colour,
                       s=50, label=f"{status} ({len(shown)})")
        if rest:
            ax.scatter(rest, [floor] * len(rest), marker=STATUS_MARKERS[status], s=50,
                       facecolors="none", edgecolors=colour,
                       label=f"{status}, no gap ({len(rest)}; drawn at {floor:.2g})")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("trial")
    ax.set_ylabel("headline gap")
    ax.set_title(f"{CLAIM_ID}: headline gap per trial, by status", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    plt.show()


def as_floats(values):
    """Stored numbers with missing entries (saved as null) as NaN, for plotting only."""
    return [float("nan") if v is None else v for v in values]


def draw(ax, spec, colour, style):
    """One trial's curves of a series on ``ax``: colour and line style = label."""
    for label, ys in spec["y"].items():
        xs = spec["x"] if spec["x"] is not None else range(len(ys))
        ax.plot(xs, as_floats(ys), color=colour[label], ls=style[label], lw=1.6)
    for label, v in (spec.get("hline") or {}).items():
        if v is not None:
            ax.axhline(v, color=colour[label], ls=style[label], lw=1)
    ax.set_xscale("log" if "x" in spec["log"] else "linear")
    ax.set_yscale("log" if "y" in spec["log"] else "linear")
    ax.grid(alpha=0.3)


def panel_title(i):
    """``trial 2 · n=4, d=7``: the trial and its first two varying parameters."""
    shown = [(k, TRIALS[i]["params"].get(k)) for k in VARYING[:2]]
    return " · ".join([f"trial {i}", ", ".join(
        f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown)]).strip(" ·")


def plot_series(name):
    """Series ``name`` of the first PANELS trials that recorded it, a panel per trial."""
    specs = [(i, t["series"][name]) for i, t in enumerate(TRIALS) if name in t["series"]]
    shown, first = specs[:PANELS], specs[0][1]
    labels = list(dict.fromkeys(k for _, s in shown for k in [*s["y"], *(s.get("hline") or {})]))
    hlines = {k for _, s in shown for k in (s.get("hline") or {})}
    colour = {k: f"C{j % 10}" for j, k in enumerate(labels)}
    style = {k: "-." if k in hlines else STYLES[j % len(STYLES)] for j, k in enumerate(labels)}
    fig, axes = plt.subplots(1, len(shown), figsize=(2.6 * len(shown) + 2.2, 2.9),
                             squeeze=False, sharey=True, layout="constrained")
    for ax, (i, spec) in zip(axes[0], shown, strict=True):
        draw(ax, spec, colour, style)
        ax.set_title(panel_title(i), fontsize=9)
        ax.set_xlabel(spec["xlabel"] or "index", fontsize=9)
    axes[0][0].set_ylabel(first["ylabel"], fontsize=9)
    more = f" — first {len(shown)} of {len(specs)} trials" if len(specs) > len(shown) else ""
    fig.suptitle(f"{first['title']}{more}", fontsize=10)
    handles = [Line2D([], [], color=colour[k], ls=style[k], label=k) for k in labels]
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    plt.show()

'''

KEY_PLOT = '''\
if any(t["gap"] is not None and t["gap"] > 0 for t in TRIALS):
    plot_gaps()
elif SERIES_NAMES:
    display(HTML("<p>No trial recorded a headline gap; the first recorded series instead.</p>"))
    plot_series(SERIES_NAMES[0])
else:
    display(HTML("<p>No trial recorded a headline gap or a series; the trials table below has "
                 "each trial's status.</p>"))
'''

TRIALS_TABLE = '''\
def status_html(status):
    """A trial status in its colour."""
    return f'<b style="color:{STATUS_COLOURS.get(status, "inherit")}">{escape(status)}</b>'


def trial_row(i, t, names):
    """One trial: its parameters as columns, then status, gap, bracket and what failed."""
    bracket = "<br>".join(fmt(b) for b in t["bracket"]) if t["bracket"] else "—"
    failing = "<br>".join(escape(k) for k, ok in t["checks"].items() if not ok) or "—"
    return ([i, t["seed"]] + [fmt(t["params"].get(k), 6) for k in names]
            + [status_html(t["status"]), fmt(t["gap"], 3), bracket, failing])


fixed = [k for k in PARAMS if k not in VARYING]
params = VARYING
if fixed:
    display(HTML("<p>The same in every trial: " + "; ".join(
        f"{escape(k)} = {fmt(TRIALS[0]['params'].get(k), 6)}" for k in fixed) + ".</p>"))
rows = [trial_row(i, t, params) for i, t in enumerate(TRIALS)]
fold = f"All {len(rows)} trials" if len(rows) > FOLD_ROWS else None
display(HTML(html_table(["trial", "seed", *map(escape, params), "status", "gap",
                         "bracket<br>(lower, upper)", "failing checks"], rows, fold)))
notes = [[i, "<br>".join(escape(n) for n in t["notes"])] for i, t in enumerate(TRIALS)
         if t["notes"]]
if notes:
    display(HTML(html_table(["trial", "notes"], notes, f"Notes of {len(notes)} trial(s)")))
names = list(dict.fromkeys(k for t in TRIALS for k in t["values"]))
display(HTML(html_table(
    ["value"] + [f"trial {i}" for i in range(len(TRIALS))],
    [[escape(k)] + [fmt(t["values"].get(k)) for t in TRIALS] for k in names],
    f"Computed values per trial ({len(names)} names)")))
'''

FINDINGS = '''\
KINDS = ["statement_fails", "corrected_form_holds", "assumption_needed", "infimum", "observation"]


def finding_html(f):
    """One finding as a list item, with the trial it came from."""
    where = "whole run" if f["trial"] is None else f"trial {f['trial']}"
    return f"<li>({where}) {escape(f['text'])}</li>"


parts = []
for kind in KINDS:
    found = [f for f in CLAIM["findings"] if f["kind"] == kind]
    if found:
        items = "".join(finding_html(f) for f in found)
        parts.append(f"<details{' open' if len(found) <= 3 else ''}><summary><b>"
                     f"{escape(kind)}</b> ({len(found)})</summary><ul>{items}</ul></details>")
display(HTML("".join(parts) or "<p>No findings recorded.</p>"))
'''

SERIES = '''\
for name in SERIES_NAMES:
    plot_series(name)
if not SERIES_NAMES:
    print("No series recorded for this claim.")
'''

EXACT = '''\
OUTCOME_COLOURS = {"proved": "#1a7f37", "refuted": "#cf222e", "undecided": "#9a6700"}
EXACT = CLAIM.get("exact") or []


def pre(text):
    """Pretty-printed sympy output (Unicode, several lines) kept as it is."""
    return f'<pre class="sympy">{escape(text)}</pre>' if text else "—"


def outcome_html(item):
    """Outcome in its colour; a refuted printed formula is a finding, not an error."""
    colour = OUTCOME_COLOURS.get(item["outcome"], "inherit")
    note = " (printed formula shown wrong)" if item["outcome"] == "refuted" and \\
        item["role"] == "printed" else ""
    return f'<b style="color:{colour}">{escape(item["outcome"])}</b>{note}'


def width_html(item):
    if item.get("width_float") is None:
        return "—"
    digits = item["values"].get("width_denominator_digits")
    return (f"{item['width_float']:.3g}<br><small>exact rational"
            + (f", {digits}-digit denominator" if digits else "") + "</small>")


if not EXACT:
    print("No exact checks apply to this claim (or the run used --no-exact).")
else:
    s = CLAIM.get("exact_summary") or {}
    print(f"{s.get('items')} exact item(s): {s.get('proved')} proved, {s.get('refuted')} refuted, "
          f"{s.get('undecided')} undecided; {s.get('unexpected')} not as expected; "
          f"{s.get('time_s', 0):.1f} s in total")
    rows = [[escape(e["name"]), escape(e["kind"]), escape(e["role"]), outcome_html(e),
             escape(e["statement"]) + (f"<br><small>assuming {escape(e['assumptions'])}</small>"
                                      if e.get("assumptions") else ""),
             pre(e["expression"]), pre(e["difference"]), width_html(e), f"{e['time_s']:.2f}"]
            for e in EXACT]
    display(HTML(html_table(["item", "kind", "role", "outcome", "statement", "identity / value",
                             "difference (simplified) or checks", "bracket width", "time (s)"],
                            rows, f"{len(rows)} exact item(s)" if len(rows) > 6 else None)))
'''

RUN_INFO = '''\
versions = ", ".join(f"{k} {v}" for k, v in RUN["versions"].items())
print(f"{CLAIM_ID} [{CLAIM['paper']}]: {len(TRIALS)} trial(s), verdict {CLAIM['verdict']}, "
      f"{CLAIM['elapsed_s']:.1f} s; device {CLAIM.get('device') or RUN['device']}, "
      f"solver {CLAIM.get('solver') or RUN.get('solver', 'not recorded')}")
print("versions:", versions)
'''
