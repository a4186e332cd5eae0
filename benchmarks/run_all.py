"""Run every benchmark in this folder (``make bench``); fail if any misses its target."""

import subprocess
import sys
from pathlib import Path

here = Path(__file__).parent
failed = []
for script in sorted(here.glob("*.py")):
    if script.name == Path(__file__).name or script.name.startswith("_"):  # _*.py are shared helpers
        continue
    if script.name == "hub_capacity.py":  # a 20-40 minute measurement without a target: run by hand
        continue
    print(f"\n== {script.name}", flush=True)
    if subprocess.run([sys.executable, str(script)]).returncode:
        failed.append(script.name)
print("\nall benchmarks met their targets" if not failed else f"\nmissed targets: {', '.join(failed)}")
sys.exit(1 if failed else 0)
