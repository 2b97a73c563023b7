"""``python -m engage audit``: check a report's logged runs, tables and claims against its own numbers.

Input is a directory in the format of ``shared/reference/seed-report`` (``claims.json``, the training log
``test_results.txt`` and ``zero_shot_summary_metrics.csv``) and, optionally, a DAiSEE label file. Every number
in the output is recomputed from those files; nothing about a particular report is built in, so a directory
with other numbers gets its own verdicts.
"""
from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..affect.results import STATES
from ..i18n import DEFAULT, number, text
from ..i18n.glossary import level_name, state_name
from ..settings import REPO_ROOT
from .metrics import is_constant_predictor, majority_confusion, metrics_from_confusion

# The log prints 4 decimals (accuracy as a percentage with 2): a difference under half a unit is rounding.
TOL = 0.5e-4 + 1e-9
METRIC_KEYS = ("accuracy", "precision_macro", "recall_macro", "f1_macro")


@dataclass
class LoggedRun:
    name: str
    state: str
    augment: bool | None
    hidden: int | None
    dropout: float | None
    epoch: int | None = None
    val_f1: float | None = None
    logged: dict[str, float] = field(default_factory=dict)  # accuracy, precision_macro, recall_macro, f1_macro
    confusion: np.ndarray | None = None


_NAME = re.compile(r"^mlp_(?P<state>[A-Za-z]+)_(?P<aug>True|False)_(?P<hidden>\d+)_(?P<dropout>[\d.]+)$")
_NUM = r"([-+]?\d+(?:\.\d+)?)"


def _text_of(line: str) -> str:
    """Log lines are '<time>\\t<line number>\\t<text>'; run headers have no tabs."""
    parts = line.rstrip("\n").split("\t")
    return parts[-1] if len(parts) >= 3 else line.rstrip("\n")


def parse_training_log(text: str) -> list[LoggedRun]:
    runs: list[LoggedRun] = []
    matrix_rows: list[list[int]] = []
    for raw in text.splitlines():
        line = _text_of(raw).strip()
        name = _NAME.match(line)
        if "\t" not in raw and name:
            runs.append(
                LoggedRun(line, name["state"], name["aug"] == "True", int(name["hidden"]), float(name["dropout"]))
            )
            matrix_rows = []
            continue
        if not runs or not line:
            continue
        run = runs[-1]
        if m := re.search(r"epoch (\d+) with Val F1: " + _NUM, line):
            run.epoch, run.val_f1 = int(m[1]), float(m[2])
        elif m := re.match(r"Accuracy: " + _NUM + "%", line):
            run.logged["accuracy"] = float(m[1]) / 100
        elif m := re.match(r"Precision: " + _NUM, line):
            run.logged["precision_macro"] = float(m[1])
        elif m := re.match(r"Recall: " + _NUM, line):
            run.logged["recall_macro"] = float(m[1])
        elif m := re.match(r"F1 Score: " + _NUM, line):
            run.logged["f1_macro"] = float(m[1])
        elif line.startswith("["):
            matrix_rows.append([int(v) for v in re.findall(r"\d+", line)])
            if line.endswith("]]"):
                run.confusion = np.array(matrix_rows, dtype=np.int64)
                matrix_rows = []
    return runs


def read_label_counts(path: str) -> tuple[int, dict[str, list[int]]]:
    """Rows and per-state level counts of a DAiSEE label file (header names are stripped)."""
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        rows = [r for r in reader if r]
    counts = {}
    for s in STATES:
        col = header.index(s)
        levels = np.array([int(r[col]) for r in rows])
        counts[s] = [int((levels == lv).sum()) for lv in range(4)]
    return len(rows), counts


def read_zero_shot_csv(path: str) -> dict[str, list[float]]:
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        return {r[0].strip(): [float(v) for v in r[1:]] for r in reader if r}


def _cmp(what: str, expected: float, actual: float, source: str, tol: float = TOL) -> dict:
    return {"what": what, source: round(float(expected), 6), "recomputed": round(float(actual), 6), "ok": abs(expected - actual) <= tol}


# ---------------------------------------------------------------- words by key
#
# Every finding, claim text, verdict and note is stored twice: as English text (what audit.md and older readers
# read) and, under "i18n", as a catalogue key with its fields, so the Report check tab can say it in the visitor's
# language (``say``). A field is a plain value (a count, a file name), or a small object that says what it is:
# {"num": 0.1307, "digits": 4} (digits null: as short as exact), {"state": "Boredom"},
# {"level": 3, "state": "Engagement"}, {"run": "mlp_Boredom_True_512_0.3"} (said in words), {"quote": "..."} (text
# as a report wrote it), {"list": [...], "sep": ", ", "and": true} ("and" before the last), or another message
# {"key": ..., "fields": {...}}.

VERDICT_KEYS = {
    "supported": "audit.verdict.supported",
    "contradicted": "audit.verdict.contradicted",
    "not checkable from the data": "audit.verdict.not_checkable",
}
# What the audit checks for each claim it knows how to check, in a few words (the findings name a claim by these)
CLAIM_SUBJECT_KEYS = {
    "f1_gain": "audit.subject.f1_gain",
    "augmentation_helps": "audit.subject.augmentation_helps",
    "low_dropout_better": "audit.subject.low_dropout_better",
    "encoder_only": "audit.subject.encoder_only",
}
# A report's claims in words the catalogue has; used only where the English rendering is the claim's text exactly
KNOWN_CLAIM_KEYS = {
    "augmentation_helps": "audit.claim.augmentation_helps",
    "low_dropout_better": "audit.claim.low_dropout_better",
    "encoder_only": "audit.claim.encoder_only",
    "deployment": "audit.claim.deployment",
}


def message(key: str, **fields) -> dict:
    return {"key": key, "fields": fields}


def _num(value: float, digits: int | None = None) -> dict:
    return {"num": round(float(value), 6), "digits": digits}


def _runs(names: list[str]) -> dict:
    return {"list": [{"run": n} for n in names], "sep": "; "}


def _states(names: list[str]) -> dict:
    return {"list": [{"state": s} for s in names], "sep": ", ", "and": True}


def run_words(name: str, lang: str = DEFAULT, short: bool = False) -> str:
    """A logged run as a reader says it ("Boredom, with augmentation, 512 hidden units, dropout 0.3"); a name that
    is not in the report's ``mlp_<State>_<augment>_<hidden>_<dropout>`` form as it is."""
    m = _NAME.match(name)
    if not m or m["state"] not in STATES:
        return name
    augment = m["aug"] == "True"
    if short:
        return text("audit.run_short", lang, state=state_name(m["state"], lang),
                    augment=text("audit.augmented_short" if augment else "audit.not_augmented_short", lang),
                    dropout=_say_field(_num(float(m["dropout"])), lang))
    return text("audit.run", lang, state=state_name(m["state"], lang), augment=text("audit.augmented" if augment else "audit.not_augmented", lang),
                hidden=m["hidden"], dropout=_say_field(_num(float(m["dropout"])), lang))


def _say_field(value, lang: str) -> str:
    if value is None:
        return "–"
    if not isinstance(value, dict):
        return str(value)
    if "key" in value:
        return say(value, lang)
    if "num" in value:
        v, digits = value["num"], value.get("digits")
        return f"{v:g}".replace(".", "," if lang == "vi" else ".") if digits is None else number(v, lang, digits)
    if "level" in value:
        return text("audit.level", lang, level=value["level"], name=level_name(value["level"], lang, value.get("state")))
    if "state" in value:
        return state_name(value["state"], lang) if value["state"] in STATES else str(value["state"])
    if "run" in value:
        return run_words(value["run"], lang)
    if "quote" in value:
        return str(value["quote"])
    if "list" in value:
        items, sep = [_say_field(v, lang) for v in value["list"]], value.get("sep", ", ")
        if value.get("and") and len(items) > 1:
            return text("audit.list_and", lang, items=sep.join(items[:-1]), last=items[-1])
        return sep.join(items)
    return str(value)


def say(msg: dict, lang: str = DEFAULT) -> str:
    """A stored message (``{"key": ..., "fields": ...}``) in ``lang``."""
    return text(msg["key"], lang, **{k: _say_field(v, lang) for k, v in (msg.get("fields") or {}).items()})


def claim_message(cid: str, words: str) -> dict:
    """A report's claim by key where the catalogue has it in these very words, else as the report wrote it."""
    msg = None
    if cid == "f1_gain":
        pattern = re.compile(r"([A-Z][a-z]+) (\d+\.?(\d*))% -> (\d+\.?(\d*))% \(\+(\d+\.?(\d*))%\)")
        items = [
            message("audit.claim.f1_gain_item", state={"state": m[1]}, before=_num(float(m[2]), len(m[3])),
                    after=_num(float(m[4]), len(m[5])), gain=_num(float(m[6]), len(m[7])))
            for m in pattern.finditer(words)
        ]
        msg = message("audit.claim.f1_gain", gains={"list": items, "sep": ", "}) if items else None
    elif cid in KNOWN_CLAIM_KEYS:
        msg = message(KNOWN_CLAIM_KEYS[cid])
    if msg is None or say(msg, "en") != words:
        msg = message("audit.claim.as_written", text={"quote": words})
    return msg


def _note(words: str, key: str, **fields) -> tuple[str, dict]:
    return words, message(key, **fields)


# ---------------------------------------------------------------- the checks


def check_runs(runs: list[LoggedRun], claims: dict) -> list[dict]:
    """Each run: metrics recomputed from its confusion matrix vs the log and vs the report's section 3.6."""
    section = claims.get("section36_runs", {})
    cols = section.get("columns", [])
    out = []
    for run in runs:
        entry: dict = {"run": run.name, "state": run.state, "augment": run.augment, "dropout": run.dropout, "epoch": run.epoch, "val_f1": run.val_f1}
        if run.confusion is None:
            entry["problem"] = "no confusion matrix in the log"
            out.append(entry)
            continue
        m = metrics_from_confusion(run.confusion)
        entry["n"] = m.n
        entry["recomputed"] = {k: round(getattr(m, k), 6) for k in METRIC_KEYS + ("f1_weighted",)}
        entry["vs_log"] = [_cmp(k, run.logged[k], getattr(m, k), "logged") for k in METRIC_KEYS if k in run.logged]
        claimed = dict(zip(cols, section.get(run.name, [])))
        vs_report = []
        mapping = {"test_accuracy": "accuracy", "precision_macro": "precision_macro", "recall_macro": "recall_macro", "f1_macro": "f1_macro"}
        for col, key in mapping.items():
            if col in claimed:
                vs_report.append(_cmp(key, claimed[col], getattr(m, key), "reported"))
        for col, value in (("epoch", run.epoch), ("val_f1", run.val_f1)):
            if col in claimed and value is not None:
                vs_report.append({"what": col, "reported": claimed[col], "logged": value, "ok": abs(claimed[col] - value) <= TOL})
        entry["vs_report"] = vs_report
        if not claimed:
            entry["note"] = "run not listed in the report's section 3.6"
        majority = metrics_from_confusion(majority_confusion(run.confusion.sum(axis=1)))
        entry["constant_predictor"] = is_constant_predictor(run.confusion)
        entry["majority_baseline"] = {k: round(getattr(majority, k), 6) for k in METRIC_KEYS}
        entry["beats_majority_f1_by"] = round(m.f1_macro - majority.f1_macro, 6)
        out.append(entry)
    return out


def check_coverage(runs: list[LoggedRun], claims: dict, labels: tuple[int, dict] | None) -> dict:
    sizes = claims.get("split_sizes", {})
    ns = sorted({int(r.confusion.sum()) for r in runs if r.confusion is not None})
    out: dict = {"clips_per_run": ns, "report_split_sizes": sizes}
    if sizes:
        parts = [sizes.get(k, 0) for k in ("train", "validation", "test")]
        out["split_sizes_add_up"] = {"sum": sum(parts), "total": sizes.get("total"), "ok": sum(parts) == sizes.get("total")}
    test = sizes.get("test")
    if test:
        out["runs_missing_test_clips"] = {str(n): test - n for n in ns if n != test}
    if labels:
        rows, counts = labels
        out["label_file_rows"] = rows
        per_state = {}
        for run in runs:
            if run.confusion is None or run.state in per_state:
                continue
            seen = run.confusion.sum(axis=1).tolist()
            missing = [a - b for a, b in zip(counts[run.state], seen)]
            entry = {"label_file": counts[run.state], "evaluated": seen, "missing": missing}
            if sum(missing) > 0 and min(missing) >= 0:
                share_missing = np.array(missing) / sum(missing)
                share_file = np.array(counts[run.state]) / sum(counts[run.state])
                lv = int(np.argmax(share_missing - share_file))
                entry["most_over_represented_level"] = {
                    "level": lv,
                    "share_of_missing": round(float(share_missing[lv]), 4),
                    "share_of_label_file": round(float(share_file[lv]), 4),
                }
            per_state[run.state] = entry
        out["per_level_missing"] = per_state
    return out


def check_table1(claims: dict, labels: tuple[int, dict] | None) -> dict:
    counts = claims.get("table1_train_distribution_counts", {})
    percents = claims.get("table1_train_distribution_percent", {})
    train = claims.get("split_sizes", {}).get("train")
    rows = []
    for s in STATES:
        if s not in counts:
            continue
        total = sum(counts[s])
        recomputed = [round(100 * c / total, 2) for c in counts[s]] if total else []
        rows.append(
            {
                "state": s,
                "counts": counts[s],
                "sum": total,
                "sum_matches_train_size": train is None or total == train,
                "percent_reported": percents.get(s),
                "percent_from_counts": recomputed,
                "percent_ok": percents.get(s) is None or all(abs(a - b) <= 0.005 + 1e-9 for a, b in zip(recomputed, percents[s])),
            }
        )
    out: dict = {"rows": rows, "consistent": all(r["sum_matches_train_size"] and r["percent_ok"] for r in rows)}
    if labels:
        n, lab = labels
        same_split = train is not None and n == train
        out["label_file"] = {
            "rows": n,
            "same_split_as_table1": same_split,
            "comparison": "counts" if same_split else "shares only (the label file is another split)",
            "per_state": {},
        }
        for r in rows:
            s = r["state"]
            share_file = [100 * c / n for c in lab[s]]
            share_table = [100 * c / r["sum"] for c in r["counts"]] if r["sum"] else [0.0] * 4
            entry = {"label_file_counts": lab[s], "max_share_difference_pp": round(max(abs(a - b) for a, b in zip(share_file, share_table)), 2)}
            if same_split:
                entry["counts_match"] = lab[s] == r["counts"]
            out["label_file"]["per_state"][s] = entry
    return out


def check_table4(claims: dict, runs: list[LoggedRun], run_checks: list[dict]) -> list[dict]:
    """Table 4's pick per state vs the best run by validation F1 and by test F1."""
    table = claims.get("table4_best_mlp", {})
    cols = table.get("columns", [])
    by_name = {c["run"]: c for c in run_checks if "recomputed" in c}
    out = []
    for s in STATES:
        if s not in table:
            continue
        row = dict(zip(cols, table[s]))
        name = f"mlp_{s}_{row.get('config')}"
        candidates = [r for r in runs if r.state == s and r.name in by_name]
        best_val = max(candidates, key=lambda r: (r.val_f1 or -1), default=None)
        best_test = max(candidates, key=lambda r: by_name[r.name]["recomputed"]["f1_macro"], default=None)
        entry = {"state": s, "table4_run": name, "in_log": name in by_name}
        if name in by_name:
            rec = by_name[name]["recomputed"]
            entry["vs_log"] = [_cmp(k, row[k], rec[k], "reported") for k in METRIC_KEYS if k in row]
        entry["best_by_validation_f1"] = best_val.name if best_val else None
        entry["best_by_test_f1"] = best_test.name if best_test else None
        entry["picked_by"] = (
            "validation F1" if best_val and name == best_val.name and name != (best_test.name if best_test else None)
            else "test F1" if best_test and name == best_test.name and name != (best_val.name if best_val else None)
            else "validation and test F1 alike" if best_val and best_test and name == best_val.name == best_test.name
            else "neither (not the best run by validation or test F1)"
        )
        out.append(entry)
    return out


def check_zero_shot(claims: dict, zero_csv: dict | None, runs: list[LoggedRun], labels: tuple[int, dict] | None) -> list[dict]:
    """Table 3 vs the published CSV, and whether each row is what a constant predictor would score."""
    table = claims.get("table3_zero_shot_baseline", {})
    cols = table.get("columns", [])
    distributions: dict[str, dict[str, list[int]]] = {}
    where_keys: dict[str, dict] = {}  # each distribution's name by key
    for run in runs:
        if run.confusion is not None:
            n = int(run.confusion.sum())
            distributions.setdefault(run.state, {})[f"logged test set ({n} clips)"] = run.confusion.sum(axis=1).tolist()
            where_keys[f"logged test set ({n} clips)"] = message("audit.where.logged", n=n)
    if labels:
        for s in STATES:
            distributions.setdefault(s, {})[f"label file ({labels[0]} clips)"] = labels[1][s]
        where_keys[f"label file ({labels[0]} clips)"] = message("audit.where.labels", n=labels[0])
    out = []
    for s in STATES:
        if s not in table:
            continue
        row = dict(zip(cols, table[s]))
        entry: dict = {"state": s, "reported": row}
        if zero_csv and s in zero_csv:
            entry["vs_csv"] = [
                {"what": c, "table": row[c], "csv": v, "ok": abs(row[c] - v) <= TOL} for c, v in zip(cols, zero_csv[s])
            ]
        matches, said = [], []
        for where, dist in distributions.get(s, {}).items():
            for lv in range(4):
                m = metrics_from_confusion(majority_confusion(dist, lv))
                if all(abs(getattr(m, k) - row[k]) <= 1.5e-4 for k in ("accuracy", "precision_macro", "recall_macro", "f1_macro") if k in row):
                    matches.append(f"always level {lv} on the {where}")
                    said.append(message("audit.constant", level={"level": lv, "state": s}, where=where_keys[where]))
        entry["equals_constant_predictor"] = matches
        logged = [d for w, d in distributions.get(s, {}).items() if w.startswith("logged")]
        if logged and "f1_macro" in row:
            majority = metrics_from_confusion(majority_confusion(logged[0])).f1_macro
            entry["majority_f1_on_logged_test_set"] = round(majority, 6)
            entry["minus_majority_f1"] = round(row["f1_macro"] - majority, 6)
        entry["i18n"] = {"equals_constant_predictor": said}
        out.append(entry)
    return out


# ---------------------------------------------------------------- text claims


def _parse_gains(text: str) -> dict[str, tuple[float, float, float]]:
    pattern = re.compile(r"([A-Z][a-z]+)\s+" + _NUM + r"%\s*->\s*" + _NUM + r"%\s*\(\+?" + _NUM + r"%\)")
    return {m[1]: (float(m[2]), float(m[3]), float(m[4])) for m in pattern.finditer(text)}


def verdict_f1_gain(claim: dict, claims: dict, run_checks: list[dict], zero: list[dict]) -> dict:
    gains = _parse_gains(claim["text"])
    t3, t4 = claims.get("table3_zero_shot_baseline", {}), claims.get("table4_best_mlp", {})
    c3, c4 = t3.get("columns", []), t4.get("columns", [])
    rows, ok = [], True
    for s, (before, after, rel) in gains.items():
        zs = dict(zip(c3, t3.get(s, []))).get("f1_macro")
        mlp = dict(zip(c4, t4.get(s, []))).get("f1_macro")
        recomputed_rel = 100 * (after - before) / before if before else float("nan")
        consistent = (
            zs is not None and mlp is not None and abs(zs * 100 - before) < 0.006 and abs(mlp * 100 - after) < 0.006 and abs(recomputed_rel - rel) < 0.06
        )
        ok &= consistent and after > before
        best = [c for c in run_checks if c.get("state") == s and "recomputed" in c]
        margin = max((c["beats_majority_f1_by"] for c in best), default=None)
        rows.append(
            {
                "state": s,
                "claimed": [before, after, rel],
                "tables": [zs, mlp],
                "relative_gain_recomputed": round(recomputed_rel, 2),
                "consistent_with_tables": consistent,
                "best_run_minus_majority_f1": margin,
            }
        )
    constant = [z["state"] for z in zero if z["equals_constant_predictor"]]
    notes = []
    if constant:
        notes.append(_note(f"the zero-shot baseline scores exactly like a constant predictor for {', '.join(constant)}, so it is a floor, not a model",
                           "audit.note.zero_shot_constant", states=_states(constant)))
    weak = [r["state"] for r in rows if r["best_run_minus_majority_f1"] is not None and r["best_run_minus_majority_f1"] < 0.05]
    if weak:
        notes.append(_note(f"the best MLP beats the majority-class baseline on the same clips by less than 0.05 macro-F1 for {', '.join(weak)}",
                           "audit.note.weak_margin", margin=_num(0.05, 2), states=_states(weak)))
    return {"verdict": "supported" if gains and ok else "contradicted", "evidence": rows, "notes": notes}


def verdict_augmentation(claim: dict, run_checks: list[dict]) -> dict:
    """Compare with and without augmentation only where everything else is equal (same state and dropout)."""
    by_key = {(c["state"], c["augment"], c["dropout"]): c for c in run_checks if "recomputed" in c}
    pairs = []
    for (s, aug, d), c in by_key.items():
        if aug and (s, False, d) in by_key:
            with_, without = c["recomputed"]["f1_macro"], by_key[(s, False, d)]["recomputed"]["f1_macro"]
            pairs.append({"state": s, "dropout": d, "f1_with": with_, "f1_without": without, "difference": round(with_ - without, 6)})
    better = sum(p["difference"] > TOL for p in pairs)
    worse = sum(p["difference"] < -TOL for p in pairs)
    tied = len(pairs) - better - worse
    if not pairs:
        verdict = "not checkable from the data"
    elif better > len(pairs) / 2:
        verdict = "supported"
    elif worse > len(pairs) / 2:
        verdict = "contradicted"
    else:
        verdict = "not checkable from the data"
    configs = {}
    for c in run_checks:
        if "augment" in c:
            configs.setdefault(c["state"], []).append(c["augment"])
    share_true = [sum(v) / len(v) for v in configs.values() if v]
    notes = [_note(f"matched comparisons (same state and dropout): {better} better with augmentation, {worse} worse, {tied} tied",
                   "audit.note.matched", better=better, worse=worse, tied=tied)]
    if share_true:
        share = 100 * float(np.mean(share_true))
        notes.append(_note(f"{share:.0f}% of the runs used augmentation, so the best run would usually be one of them by chance alone",
                           "audit.note.augment_share", share=_num(share, 0)))
    return {"verdict": verdict, "evidence": pairs, "notes": notes}


def verdict_dropout(claim: dict, run_checks: list[dict]) -> dict:
    rows = []
    for s in STATES:
        runs = [c for c in run_checks if c.get("state") == s and "recomputed" in c and c["augment"]]
        low = [c for c in runs if c["dropout"] is not None and c["dropout"] < 0.5]
        high = [c for c in runs if c["dropout"] == 0.5]
        if low and high:
            best_low = max(c["recomputed"]["f1_macro"] for c in low)
            best_high = max(c["recomputed"]["f1_macro"] for c in high)
            val_low = max((c["val_f1"] or 0) for c in low)
            val_high = max((c["val_f1"] or 0) for c in high)
            rows.append(
                {
                    "state": s,
                    "test_f1_low": best_low,
                    "test_f1_0.5": best_high,
                    "val_f1_low": val_low,
                    "val_f1_0.5": val_high,
                    "low_better_on_test": best_low > best_high,
                    "low_better_on_validation": val_low > val_high,
                }
            )
    if not rows:
        return {"verdict": "not checkable from the data", "evidence": [], "notes": []}
    wins = sum(r["low_better_on_test"] for r in rows)
    verdict = "supported" if wins == len(rows) else "contradicted" if wins <= len(rows) / 2 else "not checkable from the data"
    note = _note(f"dropout 0/0.3 beat 0.5 on test macro-F1 for {wins} of {len(rows)} states (one seed each)", "audit.note.dropout_wins", wins=wins, n=len(rows))
    return {"verdict": verdict, "evidence": rows, "notes": [note]}


def verdict_encoder_only(claim: dict, claims: dict) -> dict:
    facts = claims.get("reference_implementation_facts", {}).get("features", "")
    uses_lm = bool(re.search(r"language model'?s? last hidden state|AND language model", facts, re.I))
    if not facts:
        note = _note("no description of the reference implementation's features", "audit.note.no_features")
        return {"verdict": "not checkable from the data", "evidence": [], "notes": [note]}
    note = (
        _note("the feature is the language model's last hidden state, so the whole VLM runs", "audit.note.lm_feature")
        if uses_lm
        else _note("the feature comes from the vision encoder", "audit.note.encoder_feature")
    )
    return {"verdict": "contradicted" if uses_lm else "supported", "evidence": [{"reference_implementation_features": facts}], "notes": [note]}


def judge_claims(claims: dict, run_checks: list[dict], zero: list[dict]) -> list[dict]:
    out = []
    for claim in claims.get("text_claims", []):
        cid = claim.get("id", "")
        if cid == "f1_gain":
            v = verdict_f1_gain(claim, claims, run_checks, zero)
        elif cid == "augmentation_helps":
            v = verdict_augmentation(claim, run_checks)
        elif cid == "low_dropout_better":
            v = verdict_dropout(claim, run_checks)
        elif cid == "encoder_only":
            v = verdict_encoder_only(claim, claims)
        else:
            note = _note("the reference directory holds no measurements this claim could be checked against", "audit.note.no_measurements")
            v = {"verdict": "not checkable from the data", "evidence": [], "notes": [note]}
        notes = v.pop("notes")
        words = claim.get("text", "")
        i18n = {"text": claim_message(cid, words), "verdict": message(VERDICT_KEYS[v["verdict"]]), "notes": [m for _, m in notes]}
        out.append({"id": cid, "text": words, **v, "notes": [t for t, _ in notes], "i18n": i18n})
    return out


# ---------------------------------------------------------------- the whole audit


def run_audit(reference_dir: str, labels_csv: str | None = None) -> dict:
    with open(os.path.join(reference_dir, "claims.json")) as fh:
        claims = json.load(fh)
    log_path = os.path.join(reference_dir, "test_results.txt")
    runs = parse_training_log(Path(log_path).read_text()) if os.path.isfile(log_path) else []
    zs_path = os.path.join(reference_dir, "zero_shot_summary_metrics.csv")
    zero_csv = read_zero_shot_csv(zs_path) if os.path.isfile(zs_path) else None
    labels = read_label_counts(labels_csv) if labels_csv else None
    run_checks = check_runs(runs, claims)
    zero = check_zero_shot(claims, zero_csv, runs, labels)
    report = {
        "reference_dir": os.path.basename(os.path.normpath(reference_dir)),
        "labels_csv": os.path.basename(labels_csv) if labels_csv else None,
        "runs": run_checks,
        "coverage": check_coverage(runs, claims, labels),
        "table1": check_table1(claims, labels),
        "table4": check_table4(claims, runs, run_checks),
        "zero_shot": zero,
        "claims": judge_claims(claims, run_checks, zero),
    }
    findings = _findings(report)
    report["key_findings"] = [words for words, _ in findings]
    report["i18n"] = {"key_findings": [msg for _, msg in findings]}
    return report


def key_findings(report: dict) -> list[str]:
    return [words for words, _ in _findings(report)]


def _findings(report: dict) -> list[tuple[str, dict]]:
    """Each key finding in English and as a message (``say``)."""
    out = []
    runs = [r for r in report["runs"] if "recomputed" in r]
    bad_log = [(r["run"], c) for r in runs for c in r["vs_log"] if not c["ok"]]
    bad_rep = [(r["run"], c) for r in runs for c in r["vs_report"] if not c["ok"]]
    key = ("audit.finding.runs_match", "audit.finding.runs_report_differs", "audit.finding.runs_log_differs",
           "audit.finding.runs_both_differ")[2 * bool(bad_log) + bool(bad_rep)]
    out.append((
        f"{len(runs)} logged runs: metrics recomputed from their confusion matrices "
        + ("match the log" if not bad_log else f"differ from the log in {len(bad_log)} places")
        + (" and the report's section 3.6." if not bad_rep else f"; {len(bad_rep)} numbers in the report's section 3.6 differ from the log."),
        message(key, n=len(runs), log=len(bad_log), report=len(bad_rep)),
    ))
    cov = report["coverage"]
    if cov.get("runs_missing_test_clips"):
        test = cov["report_split_sizes"].get("test")
        for n, missing in cov["runs_missing_test_clips"].items():
            out.append((f"Test metrics cover {n} clips, not the {test} of the test split the report states ({missing} missing).",
                        message("audit.finding.coverage", n=int(n), test=test, missing=missing)))
    const = [r["run"] for r in runs if r["constant_predictor"]]
    if const:
        out.append((f"{len(const)} of {len(runs)} runs predict a single level for every clip: {', '.join(const)}.",
                    message("audit.finding.constant", k=len(const), n=len(runs), runs=_runs(const))))
    not_better = [r["run"] for r in runs if r["beats_majority_f1_by"] <= TOL]
    words = f"{len(runs) - len(not_better)} of {len(runs)} runs beat the majority-class baseline on the same clips in macro-F1"
    if runs:
        best = max(r["beats_majority_f1_by"] for r in runs)
        out.append((words + f"; best margin {best:.4f}.",
                    message("audit.finding.beat_majority", k=len(runs) - len(not_better), n=len(runs), margin=_num(best, 4))))
    else:
        out.append((words + ".", message("audit.finding.no_runs")))
    for t in report["table4"]:
        if t["picked_by"] not in ("validation and test F1 alike", "validation F1"):
            key = "audit.finding.table4_test" if t["picked_by"] == "test F1" else "audit.finding.table4_neither"
            out.append((f"Table 4 picks {t['table4_run']} for {t['state']}: {t['picked_by']} (best by validation F1: {t['best_by_validation_f1']}).",
                        message(key, state={"state": t["state"]}, run={"run": t["table4_run"]},
                                best_val={"run": t["best_by_validation_f1"]} if t["best_by_validation_f1"] else None)))
    for s, d in cov.get("per_level_missing", {}).items():
        o = d.get("most_over_represented_level")
        if o and o["share_of_missing"] - o["share_of_label_file"] > 0.2:
            missing, share = 100 * o["share_of_missing"], 100 * o["share_of_label_file"]
            out.append((
                f"The missing clips are not a random sample: {s} level {o['level']} is {missing:.0f}% of them "
                f"but {share:.0f}% of the label file.",
                message("audit.finding.missing_not_random", state={"state": s}, level={"level": o["level"], "state": s},
                        missing=_num(missing, 0), file=_num(share, 0)),
            ))
    for z in report["zero_shot"]:
        if z["equals_constant_predictor"]:
            said = z["i18n"]["equals_constant_predictor"][0]
            out.append((f"Zero-shot {z['state']} scores exactly like {z['equals_constant_predictor'][0]}.",
                        message("audit.finding.zero_shot_constant", state={"state": z["state"]}, constant=said)))
        elif z.get("minus_majority_f1", 1) < 0:
            out.append((
                f"Zero-shot {z['state']} macro-F1 {z['reported']['f1_macro']:.4f} is below the majority-class baseline "
                f"({z['majority_f1_on_logged_test_set']:.4f}).",
                message("audit.finding.zero_shot_below", state={"state": z["state"]}, f1=_num(z["reported"]["f1_macro"], 4),
                        majority=_num(z["majority_f1_on_logged_test_set"], 4)),
            ))
    if not report["table1"]["consistent"]:
        out.append(("Table 1 is not internally consistent (see the table).", message("audit.finding.table1")))
    for c in report["claims"]:
        said = (
            message("audit.finding.claim", claim=message(CLAIM_SUBJECT_KEYS[c["id"]]), verdict=c["i18n"]["verdict"])
            if c["id"] in CLAIM_SUBJECT_KEYS
            else message("audit.finding.claim_quoted", claim=c["i18n"]["text"], verdict=c["i18n"]["verdict"])
        )
        out.append((f"Claim '{c['id']}': {c['verdict']}.", said))
    return out


# ---------------------------------------------------------------- Markdown


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4f}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def to_markdown(report: dict) -> str:
    lines = ["# Audit of the report's numbers", "", f"Reference: `{report['reference_dir']}`; labels: `{report['labels_csv']}`.", "", "## Key findings", ""]
    lines += [f"- {f}" for f in report["key_findings"]]
    lines += ["", "## Claims", "", "| claim | verdict | deciding numbers |", "|---|---|---|"]
    for c in report["claims"]:
        lines.append(f"| {c['text']} | **{c['verdict']}** | {'; '.join(c['notes'])} |")
    lines += [
        "",
        "## Runs: recomputed from each confusion matrix",
        "",
        "| run | n | accuracy | macro-P | macro-R | macro-F1 | majority macro-F1 | margin | constant | differences |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["runs"]:
        if "recomputed" not in r:
            lines.append(f"| {r['run']} | – | | | | | | | | {r.get('problem')} |")
            continue
        rec = r["recomputed"]
        diffs = [f"{c['what']}: log {c['logged']} vs {c['recomputed']}" for c in r["vs_log"] if not c["ok"]]
        diffs += [f"{c['what']}: report {c['reported']} vs {c.get('recomputed', c.get('logged'))}" for c in r["vs_report"] if not c["ok"]]
        lines.append(
            f"| {r['run']} | {r['n']} | {rec['accuracy']:.4f} | {rec['precision_macro']:.4f} | {rec['recall_macro']:.4f} | {rec['f1_macro']:.4f} "
            f"| {r['majority_baseline']['f1_macro']:.4f} | {r['beats_majority_f1_by']:+.4f} | {'yes' if r['constant_predictor'] else 'no'} "
            f"| {'; '.join(diffs) or 'none'} |"
        )
    cov = report["coverage"]
    lines += ["", "## Coverage", "", f"- Clips per evaluation: {cov['clips_per_run']}; the report states {cov['report_split_sizes']}."]
    if "split_sizes_add_up" in cov:
        s = cov["split_sizes_add_up"]
        lines.append(f"- Train + validation + test = {s['sum']} (report total {s['total']}): {'consistent' if s['ok'] else 'inconsistent'}.")
    for s, d in cov.get("per_level_missing", {}).items():
        lines.append(f"- {s}: label file {d['label_file']}, evaluated {d['evaluated']}, missing per level {d['missing']}.")
    t1 = report["table1"]
    lines += ["", "## Table 1 (train distribution)", "", "| state | counts | sum | % reported | % from counts | consistent |", "|---|---|---|---|---|---|"]
    for r in t1["rows"]:
        ok = "yes" if r["sum_matches_train_size"] and r["percent_ok"] else "no"
        lines.append(f"| {r['state']} | {_fmt(r['counts'])} | {r['sum']} | {_fmt(r['percent_reported'])} | {_fmt(r['percent_from_counts'])} | {ok} |")
    if "label_file" in t1:
        lf = t1["label_file"]
        lines.append("")
        lines.append(f"Against the label file ({lf['rows']} rows, compared by {lf['comparison']}):")
        for s, e in lf["per_state"].items():
            extra = f", counts match: {e['counts_match']}" if "counts_match" in e else ""
            lines.append(f"- {s}: label file {e['label_file_counts']}, largest share difference {e['max_share_difference_pp']} pp{extra}.")
    lines += ["", "## Table 4 (best MLP per state)", ""]
    for t in report["table4"]:
        diffs = [f"{c['what']}: report {c['reported']} vs log {c['recomputed']}" for c in t.get("vs_log", []) if not c["ok"]]
        lines.append(
            f"- {t['state']}: {t['table4_run']} — picked by {t['picked_by']}; best by validation F1 {t['best_by_validation_f1']}, "
            f"by test F1 {t['best_by_test_f1']}; {'; '.join(diffs) or 'numbers match the log'}."
        )
    lines += ["", "## Zero-shot baseline (table 3)", ""]
    for z in report["zero_shot"]:
        diffs = [f"{c['what']}: table {c['table']} vs CSV {c['csv']}" for c in z.get("vs_csv", []) if not c["ok"]]
        const = "; equals " + " / ".join(z["equals_constant_predictor"]) if z["equals_constant_predictor"] else ""
        base = f"; macro-F1 minus majority baseline {z['minus_majority_f1']:+.4f}" if "minus_majority_f1" in z else ""
        lines.append(f"- {z['state']}: {'table and CSV agree' if not diffs else '; '.join(diffs)}{const}{base}.")
    return "\n".join(lines) + "\n"


def write_audit(report: dict, out_dir: str) -> tuple[str, str]:
    os.makedirs(out_dir, exist_ok=True)
    json_path, md_path = os.path.join(out_dir, "audit.json"), os.path.join(out_dir, "audit.md")
    with open(json_path, "w") as fh:
        json.dump(report, fh, indent=2)
    with open(md_path, "w") as fh:
        fh.write(to_markdown(report))
    return json_path, md_path


# ---------------------------------------------------------------- CLI

DEFAULT_REFERENCE = os.path.join(os.path.dirname(REPO_ROOT), "shared", "reference", "seed-report")
DEFAULT_LABELS = os.path.join(os.path.dirname(REPO_ROOT), "shared", "reference", "daisee-labels", "TestLabels.csv")
DEFAULT_OUT = os.path.join(REPO_ROOT, "docs", "audit")


def _cmd_audit(args) -> int:
    from ..errors import EngageError

    if not os.path.isfile(os.path.join(args.reference, "claims.json")):
        raise EngageError(f"{args.reference} has no claims.json; pass --reference DIR in the seed-report format")
    labels = args.labels if args.labels and os.path.isfile(args.labels) else None
    if args.labels and labels is None and args.labels != DEFAULT_LABELS:
        raise EngageError(f"label file {args.labels} not found")
    report = run_audit(args.reference, labels)
    json_path, md_path = write_audit(report, args.out)
    print("\n".join(f"- {f}" for f in report["key_findings"]))
    print(f"wrote {md_path} and {json_path}")
    return 0


def add_cli(subparsers) -> None:
    p = subparsers.add_parser("audit", help="check a report's logged runs, tables and claims; write Markdown + JSON")
    p.add_argument("--reference", default=DEFAULT_REFERENCE, help="directory in the seed-report format")
    p.add_argument("--labels", default=DEFAULT_LABELS, help="a DAiSEE label file (optional)")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.set_defaults(func=_cmd_audit)
