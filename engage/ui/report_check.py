"""The Report check tab: the first report's runs, tables and claims as ``python -m engage audit`` recomputed them."""
from __future__ import annotations

import os

from ..settings import REPO_ROOT

AUDIT_JSON = os.path.join(REPO_ROOT, "docs", "audit", "audit.json")


def load_audit(path: str = AUDIT_JSON) -> dict | None:
    import json

    if not os.path.isfile(path):
        return None
    with open(path) as fh:
        return json.load(fh)


def audit_markdown(report: dict | None) -> str:
    if report is None:
        return "No audit found. Run `python -m engage audit` to write `docs/audit/audit.json`."
    return "\n".join(
        [
            "The first report's logged runs, tables and claims, recomputed from its own files "
            f"(`{report['reference_dir']}`, labels `{report['labels_csv']}`) by `python -m engage audit`. "
            "The full report is `docs/audit/audit.md` in the repository.",
            "",
            "**Key findings**",
            "",
            *[f"- {f}" for f in report["key_findings"]],
        ]
    )


def claim_rows(report: dict | None) -> list[list[str]]:
    if report is None:
        return []
    return [[c["text"], c["verdict"], "; ".join(c["notes"])] for c in report["claims"]]


def claims_markdown(report: dict | None) -> str:
    """The claims with their verdicts, as a table that wraps long text."""
    rows = claim_rows(report)
    if not rows:
        return ""
    lines = ["**The report's claims**", "", "| claim | verdict | deciding numbers |", "|---|---|---|"]
    lines += [f"| {text} | **{verdict}** | {notes} |" for text, verdict, notes in rows]
    return "\n".join(lines)
