"""The Report check tab: the first report's runs, tables and claims as ``python -m engage audit`` recomputed them,
in the visitor's language (audit.json stores each finding, claim, verdict and note by catalogue key beside its
English text; an audit.json written before the keys is shown in English)."""
from __future__ import annotations

import os

from ..daisee.audit import say
from ..i18n import DEFAULT, text
from ..settings import REPO_ROOT
from .views import escape

AUDIT_JSON = os.path.join(REPO_ROOT, "docs", "audit", "audit.json")


def load_audit(path: str = AUDIT_JSON) -> dict | None:
    import json

    if not os.path.isfile(path):
        return None
    with open(path) as fh:
        return json.load(fh)


def _cell(words: str) -> str:
    """Text in a Markdown table cell: escaped, and no | to split it."""
    return escape(words).replace("|", "\\|")


def key_findings(report: dict, lang: str = DEFAULT) -> list[str]:
    keyed = (report.get("i18n") or {}).get("key_findings")
    if keyed is not None and len(keyed) == len(report["key_findings"]):
        try:
            return [say(m, lang) for m in keyed]
        except (KeyError, IndexError, TypeError):  # keys this version of the catalogue lacks: the English
            pass
    return list(report["key_findings"])


def audit_markdown(report: dict | None, lang: str = DEFAULT) -> str:
    if report is None:
        return text("audit.none", lang)
    intro = (
        text("audit.intro", lang, reference=report["reference_dir"], labels=report["labels_csv"])
        if report.get("labels_csv")
        else text("audit.intro_no_labels", lang, reference=report["reference_dir"])
    )
    return "\n".join([intro, "", text("audit.findings_title", lang), "", *[f"- {escape(f)}" for f in key_findings(report, lang)]])


def claim_rows(report: dict | None, lang: str = DEFAULT) -> list[list[str]]:
    """Each claim as [text, verdict, deciding numbers], in ``lang``."""
    if report is None:
        return []
    rows = []
    for c in report["claims"]:
        keyed = c.get("i18n")
        if keyed is not None and len(keyed.get("notes", [])) == len(c["notes"]):
            try:
                rows.append([say(keyed["text"], lang), say(keyed["verdict"], lang), "; ".join(say(n, lang) for n in keyed["notes"])])
                continue
            except (KeyError, IndexError, TypeError):  # keys this version of the catalogue lacks: the English
                pass
        rows.append([c["text"], c["verdict"], "; ".join(c["notes"])])
    return rows


def claims_markdown(report: dict | None, lang: str = DEFAULT) -> str:
    """The claims with their verdicts, as a table that wraps long text."""
    rows = claim_rows(report, lang)
    if not rows:
        return ""
    lines = [text("audit.claims_title", lang), "", text("audit.claims_head", lang), "|---|---|---|"]
    lines += [f"| {_cell(claim)} | **{_cell(verdict)}** | {_cell(notes)} |" for claim, verdict, notes in rows]
    return "\n".join(lines)
