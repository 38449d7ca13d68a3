#!/usr/bin/env python3
"""Claims that sweep every procedure family of the MS-DRG v43.1 definitions.

    python3 tests/drg/sweep_claims.py --data ../shared/data/msdrg --seed 1 --per 25 > sweep.jsonl

gen_claims.py draws claims MDC by MDC, as records come; this draws them family by family: for
each group of DRGs a procedure code is listed for (`prmap`), `--per` claims with one or two of
its codes and a principal diagnosis the same group lists (else one of the MDC of its first DRG),
some CC/MCC secondaries, ages, sexes and discharge statuses. It reaches the procedure lists the
MDC-by-MDC claims meet a few times in 6,000 (combined spinal fusions, cholecystectomy with or
without C.D.E., ventilation in MDC 4). Deterministic for a seed; nothing is committed from it:
group it with oracle.py and compare with the conformance test's ICD_DRG_CLAIMS and
ICD_DRG_ORACLE (tests/drg/DRG_NOTES.md).
"""

import argparse
import collections
import json
import lzma
import pathlib
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="the folder of msdrg-v43.1-definitions.json.xz")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per", type=int, default=25, help="claims per procedure family")
    a = ap.parse_args()
    path = pathlib.Path(a.data) / "msdrg-v43.1-definitions.json.xz"
    with lzma.open(path, "rt") as f:
        d = json.load(f)
    rng = random.Random(a.seed)
    by_group = collections.defaultdict(list)
    for code, attrs in sorted(d["prmap"].items()):
        for attr in attrs:
            group = attr.split("|")[0]
            if not by_group[group] or by_group[group][-1] != code:
                by_group[group].append(code)
    dx_of_group = collections.defaultdict(list)
    dx_of_mdc = collections.defaultdict(list)
    for code, attrs in sorted(d["dxmap"].items()):
        for attr in attrs:
            if attr.startswith("_MDC"):
                dx_of_mdc[attr[4:]].append(code)
            else:
                dx_of_group[attr.split("|")[0]].append(code)
    secondaries = sorted(d["ccmap"])
    for group in sorted(by_group):
        codes = by_group[group]
        mdc = d["drgmap"].get(group.split("&")[0], {}).get("mdc")
        pdxs = dx_of_group.get(group) or dx_of_mdc.get(str(mdc).zfill(2) if mdc else "") or sorted(d["dxmap"])
        for _ in range(a.per):
            procs = [rng.choice(codes)]
            if rng.random() < 0.3:
                procs.append(rng.choice(codes))
            sdx = [{"code": rng.choice(secondaries), "poa": "Y"} for _ in range(rng.choice([0, 0, 1, 2]))]
            if rng.random() < 0.2 and dx_of_group.get(group):
                sdx.append({"code": rng.choice(dx_of_group[group]), "poa": "Y"})
            claim = {
                "version": 431,
                "age": rng.choice([0, 10, 40, 70]),
                "sex": rng.choice([0, 1]),
                "discharge_status": rng.choice([1, 1, 1, 7, 20, 2]),
                "hospital_status": "EXEMPT",
                "pdx": {"code": rng.choice(pdxs)},
                "sdx": sdx,
                "procedures": [{"code": p} for p in procs],
            }
            print(json.dumps(claim))


if __name__ == "__main__":
    main()
