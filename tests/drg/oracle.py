#!/usr/bin/env python3
"""MS-DRG reference oracle: runs msdrg's grouper (v43.1) on claims.

    python3 tests/drg/gen_claims.py --data ../shared/data/msdrg | python3 tests/drg/oracle.py

Reads claims (JSON lines, msdrg claim form) on stdin and writes one JSON line per claim on
stdout, in input order:

    {"claim": N, "initial_drg": 322, "initial_mdc": 5, "initial_severity": "CC",
     "final_drg": 322, "final_mdc": 5, "final_severity": "CC", "return_code": "OK",
     "hac_status": "NOT_APPLICABLE"}

N is the claim's 0-based line index. A claim msdrg's Python layer rejects gets "rejected"
with its message. Needs msdrg==1.2.0 (tests/drg/requirements.txt); the MCE oracle of
tests/mce/ stays on 1.1.0 because 1.2.0 ships MCE v44.
"""

import json
import sys
import time

PINNED = "1.2.0"
VERSION = 431

try:
    import msdrg
except ImportError:
    sys.exit(f"oracle.py: the Python package 'msdrg' is not installed.\n"
             f"Install the pinned version with:  pip install msdrg=={PINNED}")


def main():
    if msdrg.__version__ != PINNED:
        sys.exit(f"oracle.py: msdrg {msdrg.__version__} is installed but the DRG oracle is "
                 f"pinned to {PINNED}. Install it with:  pip install msdrg=={PINNED}")
    out = sys.stdout
    n_claims = 0
    t0 = time.perf_counter()
    with msdrg.MsdrgGrouper() as grouper:
        for n, line in enumerate(sys.stdin):
            if not line.strip():
                continue
            claim = json.loads(line)
            if claim.get("version") != VERSION:
                sys.exit(f"oracle.py: claim {n} has version {claim.get('version')}, expected {VERSION}")
            rec = {"claim": n}
            try:
                r = grouper.group(claim)
            except (ValueError, RuntimeError) as e:
                rec["rejected"] = str(e)
            else:
                rec.update({
                    "initial_drg": r.get("initial_drg"),
                    "initial_mdc": r.get("initial_mdc"),
                    "initial_severity": r.get("initial_severity"),
                    "final_drg": r.get("final_drg"),
                    "final_mdc": r.get("final_mdc"),
                    "final_severity": r.get("final_severity"),
                    "return_code": r.get("return_code"),
                    "hac_status": r.get("grouper_flags", {}).get("hac_status_value"),
                })
            out.write(json.dumps(rec, separators=(",", ":")) + "\n")
            n_claims += 1
    dt = time.perf_counter() - t0
    print(f"oracle.py: msdrg {msdrg.__version__}, {n_claims} claims in {dt:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
