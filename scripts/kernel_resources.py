#!/usr/bin/env python3
"""Per-kernel resources of the CUDA build, from ptxas's report (scripts/ptxas-capture.sh).

  kernel_resources.py check  REPORT_DIR BUDGET.json   fail when a kernel needs more registers,
                                                      stack or spill than its recorded budget
  kernel_resources.py update REPORT_DIR BUDGET.json DOC.md   record the budget; rewrite the
                                                      table between the markers in DOC.md
  kernel_resources.py table  REPORT_DIR               print the table (device-check logs)

A kernel's per-thread stack frame must be backed by the driver for every resident thread, and
spills go to local memory: growth in either is a regression to catch at build time. The budget
is exact for the nvcc version it was recorded with; with another version the differences are
printed as a warning only (code generation changes between versions).
"""
import glob
import json
import os
import re
import subprocess
import sys

ENTRY = re.compile(r"Compiling entry function '([^']+)' for '(sm_\d+)'")
FRAME = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")
USED = re.compile(r"Used (\d+) registers")
BEGIN, END = "<!-- kernel resources: begin -->", "<!-- kernel resources: end -->"


# CCCL versions its namespaces by the architectures of the build (cub::CUB_300001_SM_800_900::,
# thrust::THRUST_300001_SM_800_900_NS::): the budget names them without the list, so that a build for
# fewer architectures (CI without a GPU: sm_90 only) finds the same kernels.
CCCL_ARCHS = re.compile(r"\b(CUB|THRUST)_(\d+)_SM_\d+(?:_\d+)*(_NS)?\b")


def short_name(demangled):
    s = CCCL_ARCHS.sub(lambda m: f"{m.group(1)}_{m.group(2)}{m.group(3) or ''}", demangled)
    for noise in ("bzint::cuda::", "(anonymous namespace)::", "bzint::models::", "bzint::", "void "):
        s = s.replace(noise, "")
    depth = 0
    for i, c in enumerate(s):  # cut the parameter list: the first '(' outside template brackets
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif c == "(" and depth == 0:
            s = s[:i]
            break
    return s.replace("> >", ">>").replace("> >", ">>").strip()


def parse(report_dir):
    kernels = {}
    for path in sorted(glob.glob(os.path.join(report_dir, "*.ptxas"))):
        current = None
        for line in open(path):
            m = ENTRY.search(line)
            if m:
                current = {"mangled": m.group(1), "arch": m.group(2)}
                continue
            if current is None:
                continue
            m = FRAME.search(line)
            if m and "stack" not in current:
                current["stack"], current["spill_stores"], current["spill_loads"] = map(int, m.groups())
            m = USED.search(line)
            if m:
                current["registers"] = int(m.group(1))
                kernels[(current["mangled"], current["arch"])] = current
                current = None
    names = list({k[0] for k in kernels})
    out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True).stdout.split("\n")
    demangled = dict(zip(names, out))
    # A kernel of an anonymous namespace in a header (the runtime's probe, the reduction's segment
    # sums) is compiled once per translation unit that includes it: one row, the largest of each.
    merged = {}
    for (mangled, arch), k in kernels.items():
        row = {"kernel": short_name(demangled.get(mangled, mangled)), "arch": arch, "registers": k["registers"],
               "stack": k.get("stack", 0), "spill_stores": k.get("spill_stores", 0),
               "spill_loads": k.get("spill_loads", 0)}
        seen = merged.setdefault((row["kernel"], arch), row)
        for field in ("registers", "stack", "spill_stores", "spill_loads"):
            seen[field] = max(seen[field], row[field])
    rows = list(merged.values())
    rows.sort(key=lambda r: (-r["stack"], r["kernel"], r["arch"]))
    return rows


def nvcc_version():
    try:
        out = subprocess.run(["nvcc", "--version"], capture_output=True, text=True).stdout
        m = re.search(r"release ([\d.]+)", out)
        return m.group(1) if m else "unknown"
    except OSError:
        return "unknown"


def table(rows):
    """One row per kernel; registers / stack frame / spill stores (bytes per thread) per architecture."""
    archs = sorted({r["arch"] for r in rows})
    by_kernel = {}
    for r in rows:
        by_kernel.setdefault(r["kernel"], {})[r["arch"]] = r
    order = sorted(by_kernel, key=lambda k: (-max(r["stack"] for r in by_kernel[k].values()), k))
    lines = ["| kernel | " + " | ".join(f"{a}: registers / stack / spill stores (B)" for a in archs) + " |",
             "| --- |" + " ---: |" * len(archs)]
    for k in order:
        cells = []
        for a in archs:
            r = by_kernel[k].get(a)
            cells.append(f"{r['registers']} / {r['stack']} / {r['spill_stores']}" if r else "—")
        lines.append(f"| `{k}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def check(report_dir, budget_path):
    rows = parse(report_dir)
    if not rows:
        print(f"kernel_resources: no ptxas report under {report_dir}", file=sys.stderr)
        return 1
    budget = json.load(open(budget_path))
    recorded = {(r["kernel"], r["arch"]): r for r in budget["kernels"]}
    strict = budget.get("nvcc") == nvcc_version()
    problems = []
    for r in rows:
        b = recorded.get((r["kernel"], r["arch"]))
        if b is None:
            problems.append(f"{r['kernel']} ({r['arch']}): not in the budget")
            continue
        for field in ("registers", "stack", "spill_stores"):
            if r[field] > b[field]:
                problems.append(f"{r['kernel']} ({r['arch']}): {field} {r[field]} > budget {b[field]}")
    if not problems:
        return 0
    how = (f"record a deliberate change with: python3 scripts/kernel_resources.py update {report_dir} {budget_path} "
           "docs/performance.md")
    if not strict:
        print(f"kernel_resources: warning (nvcc {nvcc_version()}, budget recorded with {budget.get('nvcc')}):",
              *problems, sep="\n  ", file=sys.stderr)
        return 0
    print("kernel_resources: kernels grew beyond their recorded budget (kernels/resource_budget.json):", *problems,
          how, sep="\n  ", file=sys.stderr)
    return 1


def update(report_dir, budget_path, doc_path):
    rows = parse(report_dir)
    with open(budget_path, "w") as f:
        json.dump({"nvcc": nvcc_version(), "kernels": rows}, f, indent=1)
        f.write("\n")
    doc = open(doc_path).read()
    a, b = doc.index(BEGIN) + len(BEGIN), doc.index(END)
    note = f"\n(nvcc {nvcc_version()}; generated by `scripts/kernel_resources.py update`)\n\n"
    with open(doc_path, "w") as f:
        f.write(doc[:a] + note + table(rows) + "\n" + doc[b:])
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "check" and len(sys.argv) == 4:
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if cmd == "update" and len(sys.argv) == 5:
        sys.exit(update(sys.argv[2], sys.argv[3], sys.argv[4]))
    if cmd == "table" and len(sys.argv) == 3:
        print(table(parse(sys.argv[2])))
        sys.exit(0)
    print(__doc__, file=sys.stderr)
    sys.exit(2)
