#!/usr/bin/env python3
"""Compare a simulator's output for dataset.csv with NONMEM's (nonmem-output.csv).

usage: check.py OUTPUT.csv [--column NAME] [--rtol 1e-4] [--atol 0.01]

OUTPUT.csv must have one row per row of dataset.csv, in the same order, with columns
ID and TIME and a concentration column in ng/mL (default: the column named CP, else the
last column; other columns, such as the dataset's own carried through, are ignored).
NONMEM printed 5 significant digits, so the default tolerance is 1e-4 relative.
Prints one line per scenario and ends with 'N passed, M failed'. Exit 1 on any failure.
"""
import argparse, csv, os, sys

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("output")
ap.add_argument("--column")
ap.add_argument("--rtol", type=float, default=1e-4)
ap.add_argument("--atol", type=float, default=0.01)
a = ap.parse_args()

ref = list(csv.DictReader(open(os.path.join(here, "nonmem-output.csv"))))
names = {r["ID"]: r["descr"] for r in csv.DictReader(open(os.path.join(here, "scenarios.csv")))}
try:
    got_rows = list(csv.DictReader(open(a.output)))
except OSError as e:
    sys.exit(f"cannot read {a.output}: {e}\n0 passed, 29 failed")
if not got_rows:
    sys.exit(f"{a.output} has no rows\n0 passed, 29 failed")
cols = list(got_rows[0].keys())
col = a.column or next((c for c in cols if c.strip().upper() == "CP"), cols[-1])
id_col = next((c for c in cols if c.upper() == "ID"), None)
t_col = next((c for c in cols if c.upper() == "TIME"), None)
if len(got_rows) != len(ref):
    sys.exit(f"{a.output} has {len(got_rows)} rows, the reference {len(ref)}\n0 passed, 29 failed")

worst = {}
for i, (r, g) in enumerate(zip(ref, got_rows)):
    sid = r["ID"]
    if id_col and g[id_col].strip() != sid:
        sys.exit(f"row {i+2}: ID {g[id_col]} where the reference has {sid}\n0 passed, 29 failed")
    if t_col and abs(float(g[t_col]) - float(r["TIME"])) > 1e-9:
        sys.exit(f"row {i+2}: TIME {g[t_col]} where the reference has {r['TIME']}\n0 passed, 29 failed")
    want, have = float(r["CP"]), float(g[col])
    err = abs(have - want)
    ok = err <= a.atol + a.rtol * abs(want)
    rel = err / abs(want) if want else err
    w = worst.setdefault(sid, [True, 0.0, None])
    if not ok:
        w[0] = False
        if w[2] is None:
            w[2] = (r["TIME"], want, have)
    w[1] = max(w[1], rel)

passed = failed = 0
for sid in sorted(worst, key=int):
    ok, rel, first = worst[sid]
    line = f"{'ok  ' if ok else 'FAIL'} {sid:>2} {names.get(sid, '')[:60]:<60} max rel err {rel:.1e}"
    if first:
        line += f"  first miss t={first[0]}: nonmem {first[1]} got {first[2]}"
    print(line)
    passed += ok
    failed += not ok
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
