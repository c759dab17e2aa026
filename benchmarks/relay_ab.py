#!/usr/bin/env python3
"""A/B of two relay builds on one machine (issue #9): W1 run against build A and build B at the same time, several
rounds, and the medians. Started by scripts/bench-ab.

Why: on a shared 2-core machine `scripts/bench`'s numbers for one build move by 10-20 % between runs, and so do
two 8-second windows run one after the other (the host's load changes within seconds), so two builds measured
apart cannot be told apart by a few percent. Here both builds run side by side on the same Redis, fake and core
(relay_bench.Bench's setup: A as the first relay instance, B as the second) and take load at the same moment, half
the connections each: whatever the machine does in that window, it does to both. Each build's CPU per request
is its own process's CPU time over its own requests in the window.
"""

import argparse
import os
import resource
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from relay_bench import Bench  # noqa: E402


class ABBench(Bench):
    def spawn(self, name, command, env=None, core=0):
        if name == "relay2":
            command = [self.args.b] + command[1:]
        return super().spawn(name, command, env, core)

    def target(self, name):
        if name == "relay B":
            return [(self.ports["relay2"], "/api/v1/messages", None)]
        return super().target(name)

    def together(self, connections, duration):
        """A and B under load in the same window, half the connections each; one row per build."""
        processes = (self.relay, self.relay2)
        ports = (self.ports["relay"], self.ports["relay2"])
        requests = self.request_file("W1-ab", self.limited_keys)
        before = [self.cpu_seconds(p.pid) for p in processes]
        results = [None, None]

        def go(index):
            results[index] = self.wrk(ports[index], "/api/v1/messages", requests, max(1, connections // 2), duration)
        threads = [threading.Thread(target=go, args=(index,)) for index in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(0.5)  # usage writes follow the replies
        rows = []
        for index, process in enumerate(processes):
            result = results[index]
            errors = sum(result[k] for k in ("errors", "read_errors"))
            if errors:
                self.failures.append(f"{'AB'[index]}: {errors} errors")
            rows.append({"rps": result["rps"], "cpu_per_1k": (self.cpu_seconds(process.pid) - before[index]) / max(1, result["requests"]) * 1000})
        return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crs", required=True, help="build A (also runs the fake and the floor)")
    parser.add_argument("--b", required=True, help="build B")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=8, help="seconds per line")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.profile, args.profile_output = "", ""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    bench = ABBench(args)
    rows = {"relay": [], "relay B": []}
    try:
        bench.start()
        bench.setup()
        bench.behave(None)
        bench.together(args.connections, 3)  # warm-up
        for _ in range(args.rounds):
            a, b = bench.together(args.connections, args.duration)
            rows["relay"].append(a)
            rows["relay B"].append(b)
    finally:
        bench.stop()
    print(f"\n### A/B, W1, {args.rounds} rounds of {args.duration} s, A and B under load at once ({args.connections // 2} connections each)\n")
    print(f"A: {args.crs}\nB: {args.b}\n")
    print("| build | req/s per round | median req/s | CPU ms / request per round | median CPU ms / request |")
    print("|---|---|---|---|---|")
    for target, label in (("relay", "A"), ("relay B", "B")):
        rps = [r["rps"] for r in rows[target]]
        cpu = [r["cpu_per_1k"] for r in rows[target]]
        print(f"| {label} | {' '.join(f'{v:.0f}' for v in rps)} | {statistics.median(rps):.0f} | "
              f"{' '.join(f'{v:.3f}' for v in cpu)} | {statistics.median(cpu):.3f} |")
    a = statistics.median(r["cpu_per_1k"] for r in rows["relay"])
    b = statistics.median(r["cpu_per_1k"] for r in rows["relay B"])
    ratios = sorted(rb["cpu_per_1k"] / ra["cpu_per_1k"] for ra, rb in zip(rows["relay"], rows["relay B"]))
    print(f"\nB's CPU per request is {100 * (b - a) / a:+.1f} % of A's (medians); per round B/A: "
          f"{' '.join(f'{r:.3f}' for r in ratios)} (median {statistics.median(ratios):.3f}).")
    if bench.failures:
        print("\nFAILED:\n  " + "\n  ".join(bench.failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
