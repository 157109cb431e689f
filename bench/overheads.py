#!/usr/bin/env python3
"""The fixed costs a user pays on every run, measured on the command line (wall time of whole
processes, as a user sees them):

  startup     an 8x8 `chern` run (the whole process: start, validate, compute, write outputs)
  levels      a 1000-level Fermi scan against one level (haldane ahc on 3000^2), at T = 0 and T > 0
  load        --threads 2 against --threads 1 with one CPU-bound competing process on the machine
  stop        SIGINT to exit of a long ahc run

usage: bench/overheads.py [BUILD_DIR] > summary.md; writes bench/results/<cores>core-<date>-overheads.json
(BZINT_BENCH_TAG=x appends -x). Needs nothing but python3 and the built bzint.
"""
import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
BZINT = os.path.abspath(os.path.join(BUILD, "bzint"))


def run_file(tmp, name, text):
    path = os.path.join(tmp, name + ".toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def wall(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def task_seconds(out, title):
    with open(os.path.join(out, title + ".json")) as f:
        return json.load(f)["timing"]["seconds"]


def haldane(title, mu, T):
    return f"""title = "{title}"
[model]
name = "haldane"
M = 0.2
[mesh]
n = [3000, 3000]
[task]
kind = "ahc"
mu = {mu}
T = {T}
"""


def main():
    tmp = tempfile.mkdtemp(prefix="bzint_overheads_")
    out = os.path.join(tmp, "out")
    result = {"commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
              "date": datetime.datetime.utcnow().isoformat() + "Z", "cpus": os.cpu_count()}

    # Start-up: the whole process of an 8x8 chern run.
    chern = run_file(tmp, "chern8", '[model]\nname = "haldane"\n[mesh]\nn = [8, 8]\n[task]\nkind = "chern"\n')
    wall([BZINT, "run", chern, "--out", out])  # warm the page cache
    times = [wall([BZINT, "run", chern, "--out", out]) for _ in range(30)]
    result["startup"] = {"run": "haldane chern 8x8, whole process", "median_s": statistics.median(times),
                         "max_s": max(times), "runs": len(times)}

    # Levels: 1000 against 1 at T = 0 and T > 0, interleaved, task time from the result JSON.
    result["levels"] = {}
    for T in (0.0, 0.01, 0.005, 0.002):  # 0.002: about the finest grid the range allows (2^17 bins)
        one = run_file(tmp, "one", haldane("one", "0.1", T))
        many = run_file(tmp, "many", haldane("many", "{from = -3.5, to = 3.5, count = 1000}", T))
        t1, t1000, w1, w1000 = [], [], [], []
        for _ in range(5):
            w1.append(wall([BZINT, "run", one, "--out", out]))
            t1.append(task_seconds(out, "one"))
            w1000.append(wall([BZINT, "run", many, "--out", out]))
            t1000.append(task_seconds(out, "many"))
        result["levels"][f"T={T}"] = {
            "run": "haldane ahc 3000^2, median of 5", "one_level_task_s": statistics.median(t1),
            "levels_1000_task_s": statistics.median(t1000), "one_level_wall_s": statistics.median(w1),
            "levels_1000_wall_s": statistics.median(w1000),
            "ratio_task": statistics.median(t1000) / statistics.median(t1),
            "ratio_wall": statistics.median(w1000) / statistics.median(w1)}

    # Threads under load: one CPU-bound competitor; --threads 1 and 2 interleaved.
    one = run_file(tmp, "one", haldane("one", "0.1", 0.0))
    result["load"] = {}
    for label, competitor in (("quiet", None), ("one competing process", [sys.executable, "-c", "while True: pass"])):
        hog = subprocess.Popen(competitor) if competitor else None
        time.sleep(0.5 if hog else 0)
        try:
            t = {1: [], 2: []}
            for _ in range(5):
                for threads in (1, 2):
                    t[threads].append(wall([BZINT, "run", one, "--out", out, "--threads", str(threads)]))
        finally:
            if hog:
                hog.kill()
                hog.wait()
        result["load"][label] = {"run": "haldane ahc 3000^2, 1 level, median of 5 whole runs",
                                 "threads_1_s": statistics.median(t[1]), "threads_2_s": statistics.median(t[2]),
                                 "ratio_2_over_1": statistics.median(t[2]) / statistics.median(t[1])}

    # Stop: SIGINT to exit, once the run shows progress.
    huge = run_file(tmp, "huge", haldane("huge", "{from = -3.5, to = 3.5, count = 1000}", 0.01).replace("[3000, 3000]",
                                                                                                        "[100000, 100000]"))
    lat = []
    for i in range(5):
        env = dict(os.environ, BZINT_PROGRESS_SECONDS="0.2")
        p = subprocess.Popen([BZINT, "run", huge, "--out", os.path.join(tmp, f"stop{i}")], stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, env=env)
        os.set_blocking(p.stderr.fileno(), False)
        seen = b""
        while b"[bzint]" not in seen:
            time.sleep(0.05)
            seen += p.stderr.read() or b""
        t0 = time.perf_counter()
        p.send_signal(signal.SIGINT)
        rc = p.wait()
        lat.append(time.perf_counter() - t0)
        assert rc == 130, rc
    result["stop"] = {"run": "haldane ahc 10^10 points, 1000 levels, T = 0.01", "median_s": statistics.median(lat),
                      "max_s": max(lat), "runs": len(lat)}

    name = f"{os.cpu_count()}core-{datetime.date.today().isoformat()}"
    if os.environ.get("BZINT_BENCH_TAG"):
        name += "-" + os.environ["BZINT_BENCH_TAG"]
    os.makedirs("bench/results", exist_ok=True)
    path = f"bench/results/{name}-overheads.json"
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    s, lv, ld, st = result["startup"], result["levels"], result["load"], result["stop"]
    print(f"Fixed costs (`bench/overheads.py`, {path}, commit {result['commit']}):\n")
    print("| what | measured | requirement |\n|---|---|---|")
    print(f"| 8×8 `chern`, whole process | {1e3 * s['median_s']:.1f} ms median, {1e3 * s['max_s']:.1f} ms max of 30 | < 50 ms |")
    for T, v in lv.items():
        print(f"| 1000 levels / 1 level, haldane 3000², {T} | {v['ratio_task']:.2f} (task), {v['ratio_wall']:.2f} (wall); "
              f"{v['one_level_task_s']:.2f} s vs {v['levels_1000_task_s']:.2f} s | ≤ 1.2 |")
    for label, v in ld.items():
        print(f"| `--threads 2` / `--threads 1`, {label} | {v['ratio_2_over_1']:.2f} ({v['threads_2_s']:.2f} s vs "
              f"{v['threads_1_s']:.2f} s) | ≤ 1 under load |")
    print(f"| SIGINT → exit, long ahc | {1e3 * st['median_s']:.0f} ms median, {1e3 * st['max_s']:.0f} ms max of 5 | < 1 s |")
    os.system(f"rm -rf {tmp}")


if __name__ == "__main__":
    main()
