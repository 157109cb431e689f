"""Runs bzint on a run file given as text, for the example scripts beside it."""
import json
import os
import subprocess
import sys


def run(bzint, text, title, out):
    """Writes `text` (a run file without its title) to OUT/TITLE.toml, runs it and returns the JSON
    document; a failed run ends the script with bzint's message."""
    path = os.path.join(out, title + ".toml")
    with open(path, "w") as f:
        f.write(f'title = "{title}"\n' + text)
    done = subprocess.run([bzint, "run", path, "--out", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"bzint failed on {path} (exit {done.returncode}):\n{done.stderr}")
    with open(os.path.join(out, title + ".json")) as f:
        return json.load(f)
