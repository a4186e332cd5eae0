"""How many students a course server holds: memory, server start and run time per chapter.

Starts the course JupyterHub on loopback (``deploy/classroom.py``: the shipped
configuration, dummy login, local-process servers) and, for each chapter and each
class size N (1, 4, 8 by default), has N students log in and start their servers at
once, pull the chapter with its nbgitpuller link, and run it at once through the
REST and kernel websocket APIs. It prints a Markdown table for the README and
writes every figure to ``artifacts/hub/capacity.json``.

Memory is PSS (proportional set size, from /proc via psutil): a page shared by k
processes counts 1/k to each, so the PSS of all students adds up to the memory they
really use together. A student's figure is the peak, sampled every second, of the
PSS of their server plus kernel. USS (pages only that student uses) is recorded too.
Kernel CPU seconds (user + system) do not depend much on the machine's load; wall
times do, so the load average is recorded with every round.

This is a measurement, not a pass/fail target: ``make bench`` does not run it. It
takes 20 to 40 minutes on a 2-core machine:

    .venv/bin/python benchmarks/hub_capacity.py [--chapters 07_pixelcnn] [--classes 1,4,8]
"""

import argparse
import concurrent.futures
import contextlib
import importlib.util
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {path.stem: path for path in sorted((ROOT / "notebooks").glob("*.ipynb"))}
OUT = ROOT / "artifacts" / "hub" / "capacity.json"
MIB = 2**20


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "deploy" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


classroom = _load("classroom")
nbgitpuller_link = _load("nbgitpuller_link")


class MemorySampler:
    """Peak PSS and USS (bytes) of each student's server plus kernels, sampled every ``period`` s."""

    def __init__(self, hub, names, period=1.0):
        self.hub, self.names, self.period = hub, names, period
        self.peak_pss = dict.fromkeys(names, 0)
        self.peak_uss = dict.fromkeys(names, 0)
        self.peak_total_pss = 0
        self._running = threading.Event()

    def sample(self):
        total = 0
        for name in self.names:
            pss = uss = 0
            for process in self.hub.server_processes(name):
                with contextlib.suppress(psutil.Error):
                    memory = process.memory_full_info()
                    pss, uss = pss + memory.pss, uss + memory.uss
            self.peak_pss[name] = max(self.peak_pss[name], pss)
            self.peak_uss[name] = max(self.peak_uss[name], uss)
            total += pss
        self.peak_total_pss = max(self.peak_total_pss, total)

    def _loop(self):
        while self._running.is_set():
            self.sample()
            time.sleep(self.period)

    def __enter__(self):
        self._running.set()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._running.clear()
        self._thread.join()


def _round(hub, repo, chapter, size, first):
    """``size`` students start, pull and run ``chapter`` at once; return the round's figures."""
    names = [f"s{first + i}" for i in range(size)]
    students = [classroom.Student(hub, name) for name in names]
    load_before = os.getloadavg()[0]

    def start(student):
        student.login()
        return student.start_server()

    with concurrent.futures.ThreadPoolExecutor(size) as pool:
        starts = list(pool.map(start, students))
    idle = MemorySampler(hub, names)
    idle.sample()

    def run(student):
        student.follow_link(nbgitpuller_link.chapter_link(hub.url, f"file://{repo}", chapter))
        return student.run_notebook(f"cvlab/notebooks/{chapter}.ipynb")

    with MemorySampler(hub, names) as sampler, concurrent.futures.ThreadPoolExecutor(size) as pool:
        runs = list(pool.map(run, students))
    for student in students:
        student.stop_server()
    problems = [problem for r in runs for problem in r.problems]
    if problems:
        raise RuntimeError(f"{chapter} with {size} students:\n" + "\n".join(problems))
    return {
        "chapter": chapter, "students": size, "load_before": load_before, "load_after": os.getloadavg()[0],
        "start_s": starts, "run_s": [r.seconds for r in runs], "kernel_cpu_s": [r.kernel_cpu_seconds for r in runs],
        "idle_server_pss_mib": [idle.peak_pss[n] / MIB for n in names],
        "peak_pss_mib": [sampler.peak_pss[n] / MIB for n in names],
        "peak_uss_mib": [sampler.peak_uss[n] / MIB for n in names],
        "peak_total_pss_mib": sampler.peak_total_pss / MIB,
    }


def _wait_until_stopped(hub, timeout=120):
    deadline = time.monotonic() + timeout
    while hub.servers() and time.monotonic() < deadline:
        time.sleep(1)


def _hub_overhead_mib(hub):
    """PSS of the hub, proxy and culler (shared by the whole class)."""
    hub.record()
    processes = [psutil.Process(hub.process.pid)] + [
        p for p in hub.started.values()
        if any(key in " ".join(classroom._cmdline(p)) for key in ("configurable-http-proxy", "jupyterhub_idle_culler"))]
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_full_info().pss
    return total / MIB


def measure(chapters, classes):
    rounds, first = [], 1
    work = tempfile.mkdtemp(prefix="cvlab-capacity-")  # kept on failure: the hub's log is there
    print(f"work folder, kept if this fails: {work}", flush=True)
    repo = classroom.notebook_repository(work, [NOTEBOOKS[c] for c in chapters])
    hub = classroom.Hub(work)
    hub.start()
    try:
        for chapter in chapters:
            for size in classes:
                figures = _round(hub, repo, chapter, size, first)
                first += size
                rounds.append(figures)
                print(f"{chapter} x{size}: start median {statistics.median(figures['start_s']):.1f} s, "
                      f"run median {statistics.median(figures['run_s']):.1f} s, "
                      f"peak PSS median {statistics.median(figures['peak_pss_mib']):.0f} MiB, "
                      f"load {figures['load_before']:.1f}->{figures['load_after']:.1f}", flush=True)
                _wait_until_stopped(hub)
        overhead = _hub_overhead_mib(hub)
    finally:
        survivors = hub.stop()
    if survivors:
        raise RuntimeError("processes left after the hub stopped:\n" + "\n".join(survivors))
    shutil.rmtree(work)
    return {"rounds": rounds, "hub_proxy_culler_pss_mib": overhead, "cpus": os.cpu_count(),
            "memory_gib": psutil.virtual_memory().total / 2**30}


def table(result):
    """The README's capacity table: one row per chapter."""
    by = {(r["chapter"], r["students"]): r for r in result["rounds"]}
    chapters = list(dict.fromkeys(r["chapter"] for r in result["rounds"]))
    sizes = sorted({r["students"] for r in result["rounds"]})
    med = statistics.median
    head = ["chapter", "peak PSS / student (MiB, 1 → 8)", "idle server PSS (MiB)", "kernel CPU (s)"]
    head += [f"server start, {n} (s)" for n in sizes] + [f"run, {n} (s)" for n in sizes]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for chapter in chapters:
        rows = [by[(chapter, n)] for n in sizes]
        pss = " → ".join(f"{med(r['peak_pss_mib']):.0f}" for r in (rows[0], rows[-1]))
        cells = [chapter, pss, f"{med(rows[0]['idle_server_pss_mib']):.0f}", f"{med(rows[0]['kernel_cpu_s']):.0f}"]
        cells += [f"{med(r['start_s']):.0f} (max {max(r['start_s']):.0f})" for r in rows]
        cells += [f"{med(r['run_s']):.0f} (max {max(r['run_s']):.0f})" for r in rows]
        lines.append("| " + " | ".join(cells) + " |")
    loads = [x for r in result["rounds"] for x in (r["load_before"], r["load_after"])]
    lines.append("")
    lines.append(f"Hub, proxy and culler together: {result['hub_proxy_culler_pss_mib']:.0f} MiB PSS. "
                 f"Load average (1 min) during the rounds: {min(loads):.1f} to {max(loads):.1f} "
                 f"on {result['cpus']} cores.")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", default=",".join(NOTEBOOKS), help="comma-separated notebook names")
    parser.add_argument("--classes", default="1,4,8", help="class sizes, comma-separated")
    args = parser.parse_args()
    chapters = args.chapters.split(",")
    unknown = sorted(set(chapters) - set(NOTEBOOKS))
    if unknown:
        parser.error(f"no such chapters: {', '.join(unknown)}")
    result = measure(chapters, [int(n) for n in args.classes.split(",")])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1))
    print()
    print(table(result))
    print(f"\nevery figure: {OUT}")


if __name__ == "__main__":
    main()
