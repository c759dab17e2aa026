#!/usr/bin/env python3
"""A/B of two relay builds on one machine (issue #9): the same W1 line run alternately against build A and build B,
several rounds, and the medians. Started by scripts/bench-ab.

Why: on a shared 2-core machine `scripts/bench`'s numbers for one build move by 10-20 % between runs, so two
builds measured in two runs cannot be told apart by a few percent. Here both builds run side by side on the same
Redis, fake and core (relay_bench.Bench's setup: A as the first relay instance, B as the second), and the rounds
alternate A and B, so drift in the machine's load hits both alike.
"""

import argparse
import os
import resource
import statistics
import sys

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
        for target in ("relay", "relay B"):
            bench.run("W1", target, args.connections, duration=3)  # warm-up
        for round_index in range(args.rounds):
            order = ("relay", "relay B") if round_index % 2 == 0 else ("relay B", "relay")
            for target in order:
                rows[target].append(bench.run("W1", target, args.connections))
    finally:
        bench.stop()
    print(f"\n### A/B, W1 c={args.connections}, {args.rounds} rounds of {args.duration} s each, alternating\n")
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
    print(f"\nB's CPU per request is {100 * (b - a) / a:+.1f} % of A's (median of rounds).")
    if bench.failures:
        print("\nFAILED:\n  " + "\n  ".join(bench.failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
