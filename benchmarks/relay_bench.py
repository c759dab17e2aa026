#!/usr/bin/env python3
"""Side-by-side benchmark of the relay (issue #9): direct-to-fake, nginx proxy_pass, and the relay, on one machine in
one run. Started by scripts/bench, which builds the release binary first.

Processes: redis-server (ephemeral), `crs fakes` (the fake Anthropic API), nginx (proxy_pass with upstream
keep-alive), two `crs serve` instances on the one Redis. With two or more cores the relay and nginx run on core 1
and everything else (wrk, fake, Redis) on core 0, so the proxies get the same single core.

Load: wrk (Debian) with benchmarks/wrk/requests.lua; time to first byte and the correctness pass with Python
sockets. Prints one table per workload and a summary; exits non-zero when a correctness check fails.
"""

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
USER_ID = "user_" + "ab" * 32 + "_account__session_"
FLOOR = "Hummingbird + AHC, no relay logic"
CHAT = "relay, Chat Completions (translated)"
TOKENS_PER_REPLY = 18 + 42  # the fake's default usage


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Bench:
    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="crs-bench-")
        self.procs = []
        self.cores = os.cpu_count() or 1
        self.ports = {name: free_port() for name in ["redis", "fake", "nginx", "relay", "relay2", "floor"]}
        self.failures = []
        self.profiled = False
        self.rss_peak = {}
        self.sampling = True

    # ---- processes -------------------------------------------------------------------------------------------

    def pinned(self, command, core):
        return ["taskset", "-c", str(core)] + command if self.cores >= 2 and shutil.which("taskset") else command

    def spawn(self, name, command, env=None, core=0):
        log = open(os.path.join(self.dir, name + ".log"), "w")
        proc = subprocess.Popen(self.pinned(command, core), stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                                preexec_fn=os.setsid)
        self.procs.append((name, proc))
        return proc

    def wait_port(self, port, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"nothing listens on {port}")

    def wait_http(self, url, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url, timeout=1).read()
                return
            except Exception:
                time.sleep(0.1)
        raise SystemExit(f"{url} did not come up; logs in {self.dir}")

    def start(self):
        crs = self.args.crs
        redis = self.spawn("redis", ["redis-server", "--port", str(self.ports["redis"]), "--save", "", "--appendonly", "no",
                                     "--dir", self.dir], core=0)
        self.fake = self.spawn("fake", [crs, "fakes", "--anthropic-port", str(self.ports["fake"]), "--record-limit", "2000"], core=0)
        self.wait_http(f"http://127.0.0.1:{self.ports['fake']}/__fake/stats")
        self.post(f"http://127.0.0.1:{self.ports['fake']}/__fake/credentials", {"apiKeys": ["sk-ant-bench"]})
        nginx_conf = os.path.join(self.dir, "nginx.conf")
        with open(nginx_conf, "w") as f:
            f.write(f"""
worker_processes 1;
worker_rlimit_nofile 65536;
pid {self.dir}/nginx.pid;
error_log {self.dir}/nginx-error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}/nginx-body;
  proxy_temp_path {self.dir}/nginx-proxy;
  client_max_body_size 64m;
  client_body_buffer_size 2m;
  upstream fake {{ server 127.0.0.1:{self.ports['fake']}; keepalive 256; }}
  server {{
    listen 127.0.0.1:{self.ports['nginx']};
    location / {{
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 120s;
    }}
  }}
}}
""")
        self.nginx = self.spawn("nginx", ["nginx", "-c", nginx_conf, "-g", "daemon off;"], core=1)
        env = {
            "CRS_REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}", "CRS_DATA_DIR": self.dir,
            "CRS_ADMIN_USERNAME": "bench", "CRS_ADMIN_PASSWORD": "bench-password-1", "CRS_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "warning"), "CRS_PRICING_URL": "off",
            "CRS_ENCRYPTION_KEY": os.urandom(16).hex(), "CRS_JWT_SECRET": os.urandom(32).hex(),
            "CRS_CLAUDE_API_URL": f"http://127.0.0.1:{self.ports['fake']}", "CRS_HEALTH_CHECK_INTERVAL_SECONDS": "0",
        }
        # The stack's floor: Hummingbird + AsyncHTTPClient passing requests through, none of the relay's work.
        self.floor = self.spawn("floor", [crs, "bench", "floor", "--port", str(self.ports["floor"]),
                                          "--upstream", f"http://127.0.0.1:{self.ports['fake']}"], core=1)
        self.relay = self.spawn("relay", [crs, "serve"], env={**env, "CRS_PORT": str(self.ports["relay"])}, core=1)
        self.relay2 = self.spawn("relay2", [crs, "serve"], env={**env, "CRS_PORT": str(self.ports["relay2"])}, core=1)
        for port in (self.ports["relay"], self.ports["relay2"], self.ports["nginx"]):
            self.wait_http(f"http://127.0.0.1:{port}/health" if port != self.ports["nginx"] else f"http://127.0.0.1:{port}/__fake/stats")
        self.wait_port(self.ports["floor"])
        threading.Thread(target=self.sample_rss, daemon=True).start()

    def stop(self):
        self.sampling = False
        for _, proc in reversed(self.procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for _, proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    # ---- measurements of a process ----------------------------------------------------------------------------

    @staticmethod
    def rss_mb(pid, field="VmRSS"):
        """Resident MB from /proc/PID/status: VmRSS (all), RssAnon (heap, stacks) or RssFile (mapped code and data)."""
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    @staticmethod
    def cpu_seconds(pid):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def relay_pid(self, proc):
        # taskset execs the binary, so the pid is the relay's own
        return proc.pid

    def sample_rss(self):
        while self.sampling:
            for name, proc in (("relay", self.relay), ("nginx", self.nginx)):
                try:
                    pids = [proc.pid] + ([int(p) for p in open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()] if name == "nginx" else [])
                    value = sum(self.rss_mb(p) for p in pids)
                    self.rss_peak[name] = max(self.rss_peak.get(name, 0), value)
                except (OSError, ValueError):
                    pass
            time.sleep(0.05)

    def redis_info(self, field):
        out = subprocess.run(["redis-cli", "-p", str(self.ports["redis"]), "INFO", "all"], capture_output=True, text=True).stdout
        match = re.search(rf"^{field}:(\S+)", out, re.M)
        return float(match.group(1)) if match else 0.0

    def round_trips(self, port):
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
        match = re.search(r"^crs_redis_round_trips (\S+)", text, re.M)
        return float(match.group(1)) if match else 0.0

    # ---- admin setup -------------------------------------------------------------------------------------------

    def post(self, url, body, token=None, method="POST"):
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                                         headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})})
        return json.loads(urllib.request.urlopen(request, timeout=30).read() or b"{}")

    def get(self, url, token):
        request = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"})
        return json.loads(urllib.request.urlopen(request, timeout=30).read())

    def setup(self):
        base = f"http://127.0.0.1:{self.ports['relay']}"
        # Builds before the relay set its admin login up before listening answered 401 for a moment after /health.
        for attempt in range(50):
            try:
                self.token = self.post(base + "/web/auth/login", {"username": "bench", "password": "bench-password-1"})["token"]
                break
            except urllib.error.HTTPError as error:
                if error.code != 401 or attempt == 49:
                    raise
                time.sleep(0.1)
        for index in range(3):  # three accounts: the sticky sessions of W4 spread over them
            self.post(base + "/admin/claude-console-accounts", {"name": f"bench-{index}", "apiKey": "sk-ant-bench",
                                                                "apiUrl": f"http://127.0.0.1:{self.ports['fake']}/console/api"}, self.token)
        all_limits = {
            "permissions": ["claude"], "concurrencyLimit": 100000, "rateLimitWindow": 60, "rateLimitRequests": 1000000000,
            "tokenLimit": 100000000000, "rateLimitCost": 1000000, "dailyCostLimit": 1000000, "totalCostLimit": 1000000000,
            "weeklyOpusCostLimit": 1000000, "enableModelRestriction": True, "restrictedModels": ["claude-3-opus-20240229"],
            "enableClientRestriction": True, "allowedClients": ["claude_code"], "expirationMode": "activation", "activationDays": 30,
        }
        created = self.post(base + "/admin/api-keys/batch", {"baseName": "bench", "count": 21, **all_limits}, self.token)
        keys = [item["apiKey"] if "apiKey" in item else item["key"] for item in created["data"]]
        self.limited_keys = keys[:20]
        self.limited_ids = [item["id"] for item in created["data"]][:20]
        open_key = self.post(base + "/admin/api-keys", {"name": "bench-open", "permissions": "all"}, self.token)["data"]
        self.open_key, self.open_id = open_key["key"], open_key["id"]

    def behave(self, behaviour):
        fake = f"http://127.0.0.1:{self.ports['fake']}/__fake"
        urllib.request.urlopen(urllib.request.Request(fake + "/behaviors", method="DELETE"), timeout=5).read()
        if behaviour:
            self.post(fake + "/behaviors", {**behaviour, "times": 0})
        # the fake keeps a record of every request: forget them between runs
        urllib.request.urlopen(urllib.request.Request(fake + "/requests", method="DELETE"), timeout=5).read()

    # ---- load ----------------------------------------------------------------------------------------------------

    def request_file(self, name, keys, stream_every=0, body_bytes=0, chat=False):
        path = os.path.join(self.dir, name + ".requests")
        padding = "x" * max(0, body_bytes - 300)
        with open(path, "w") as f:
            for index in range(max(20, len(keys))):
                key = keys[index % len(keys)]
                stream = stream_every > 0 and index % stream_every == 0
                session = f"{index % len(keys):08d}-0000-4000-8000-000000000000"
                content = "ping" + (" " + padding if padding else "")
                body = {"model": "claude-sonnet-4-5-20250929", "max_tokens": 16, "stream": stream,
                        "metadata": {"user_id": USER_ID + session}, "messages": [{"role": "user", "content": content}]}
                if chat:  # the same request as an OpenAI Chat Completions client sends it
                    body = {"model": body["model"], "max_tokens": 16, "stream": stream, "prompt_cache_key": session,
                            "messages": [{"role": "user", "content": content}]}
                    if stream:
                        body["stream_options"] = {"include_usage": True}
                f.write(key + "\t" + json.dumps(body, separators=(",", ":")) + "\n")
        return path

    def wrk(self, port, path, requests, connections, duration=None):
        command = self.pinned(["wrk", "-t1", f"-c{connections}", f"-d{duration or self.args.duration}s", "--timeout", "60s",
                               "-s", os.path.join(HERE, "wrk", "requests.lua"), f"http://127.0.0.1:{port}"], 0)
        out = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "BENCH_REQUESTS": requests, "BENCH_PATH": path})
        line = next((l for l in out.stdout.splitlines() if l.startswith("{")), None)
        if line is None:
            raise SystemExit(f"wrk failed: {out.stdout}\n{out.stderr}")
        result = json.loads(line)
        result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
        errors = sum(result[k] for k in ("connect_errors", "write_errors", "status_errors", "timeouts"))
        result["errors"] = errors
        return result

    def target(self, name):
        fake, nginx = self.ports["fake"], self.ports["nginx"]
        return {
            "direct": [(fake, "/console/api/v1/messages", "sk-ant-bench")],
            "nginx": [(nginx, "/console/api/v1/messages", "sk-ant-bench")],
            FLOOR: [(self.ports["floor"], "/console/api/v1/messages", "sk-ant-bench")],
            "relay": [(self.ports["relay"], "/api/v1/messages", None)],
            "relay, no-limit key": [(self.ports["relay"], "/api/v1/messages", self.open_key)],
            "relay x2, one Redis": [(self.ports["relay"], "/api/v1/messages", None), (self.ports["relay2"], "/api/v1/messages", None)],
            CHAT: [(self.ports["relay"], "/openai/claude/v1/chat/completions", None)],
        }[name]

    def run(self, workload, target, connections, stream_every=0, body_bytes=0, duration=None):
        """One wrk run (two at once for two instances); returns the merged row."""
        endpoints = self.target(target)
        results, threads = [None] * len(endpoints), []
        measured = [self.floor] if target == FLOOR else [self.relay, self.relay2]
        relay_cpu = sum(self.cpu_seconds(p.pid) for p in measured)
        commands = self.redis_info("total_commands_processed")
        trips = self.round_trips(self.ports["relay"]) + self.round_trips(self.ports["relay2"])
        for index, (port, path, key) in enumerate(endpoints):
            keys = [key] if key else self.limited_keys
            requests = self.request_file(f"{workload}-{index}", keys, stream_every, body_bytes, chat=target == CHAT)
            share = max(1, connections // len(endpoints))

            def go(i=index, p=port, pa=path, r=requests, c=share):
                results[i] = self.wrk(p, pa, r, c, duration)
            threads.append(threading.Thread(target=go))
        profiler = None
        wanted = self.args.profile.split(":")
        profiled_target = FLOOR if wanted[2:] == ["floor"] else "relay"
        if wanted[:2] == [workload, str(connections)] and target == profiled_target and not self.profiled:
            # perf on the relay (or the floor) for this one line (call graphs by frame pointer; `perf report -i FILE`)
            self.profiled = True
            process = self.floor if target == FLOOR else self.relay
            profiler = subprocess.Popen(["perf", "record", "-F", "1999", "-g", "-p", str(self.relay_pid(process)), "-o", self.args.profile_output,
                                         "--", "sleep", str(duration or self.args.duration)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if profiler:
            profiler.wait()
        time.sleep(0.5)  # usage writes follow the replies
        total = sum(r["requests"] for r in results)
        row = {
            "target": target, "c": connections, "requests": total, "rps": sum(r["rps"] for r in results),
            "p50": max(r["p50"] for r in results) / 1000, "p99": max(r["p99"] for r in results) / 1000,
            "errors": sum(r["errors"] for r in results) + sum(r["read_errors"] for r in results),
        }
        if target.startswith("relay") or target == FLOOR:
            row["cpu_per_1k"] = (sum(self.cpu_seconds(p.pid) for p in measured) - relay_cpu) / max(1, total) * 1000
        if target.startswith("relay"):
            row["redis_cmds"] = (self.redis_info("total_commands_processed") - commands - 1) / max(1, total)
            row["round_trips"] = (self.round_trips(self.ports["relay"]) + self.round_trips(self.ports["relay2"]) - trips) / max(1, total)
        if row["errors"]:
            self.failures.append(f"{workload} {target} c={connections}: {row['errors']} errors")
        return row

    # ---- time to first byte (streams) ------------------------------------------------------------------------------

    def ttfb(self, target, count):
        port, path, key = self.target(target)[0]
        key = key or self.limited_keys[0]
        body = json.dumps({"model": "claude-sonnet-4-5-20250929", "max_tokens": 16, "stream": True,
                           "metadata": {"user_id": USER_ID + "00000000-0000-4000-8000-000000000000"},
                           "messages": [{"role": "user", "content": "ping"}]})
        headers = {"content-type": "application/json", "anthropic-version": "2023-06-01", "anthropic-beta": "claude-code-20250219",
                   "x-app": "cli", "user-agent": "claude-cli/2.0.14 (external, cli)", "x-api-key": key}
        connection = http.client.HTTPConnection("127.0.0.1", port)
        samples = []
        for _ in range(count):
            began = time.perf_counter()
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            response.read1(1)  # the first byte of the body
            samples.append((time.perf_counter() - began) * 1000)
            response.read()
        connection.close()
        samples.sort()
        return samples[len(samples) // 2]

    # ---- correctness under load ------------------------------------------------------------------------------------

    def correctness(self, total, connections):
        """W4's mix with a fixed number of requests over both instances: every reply complete, usage exact, no lease left."""
        base = f"http://127.0.0.1:{self.ports['relay']}"

        def usage(key_id):
            out = subprocess.run(["redis-cli", "-p", str(self.ports["redis"]), "HMGET", f"usage:{key_id}", "totalRequests", "totalAllTokens"],
                                 capture_output=True, text=True).stdout.split()
            return [int(v) if v.isdigit() else 0 for v in out]
        before = [usage(i) for i in self.limited_ids]
        problems, lock, counter = [], threading.Lock(), [0]

        def worker(index):
            port = self.ports["relay"] if index % 2 == 0 else self.ports["relay2"]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while True:
                with lock:
                    if counter[0] >= total:
                        break
                    n = counter[0]
                    counter[0] += 1
                key = self.limited_keys[n % 20]
                stream = n % 4 == 0
                body = json.dumps({"model": "claude-sonnet-4-5-20250929", "max_tokens": 16, "stream": stream,
                                   "metadata": {"user_id": USER_ID + f"{n % 20:08d}-0000-4000-8000-000000000000"},
                                   "messages": [{"role": "user", "content": "ping"}]})
                connection.request("POST", "/api/v1/messages", body, {
                    "content-type": "application/json", "anthropic-version": "2023-06-01", "anthropic-beta": "claude-code-20250219",
                    "x-app": "cli", "user-agent": "claude-cli/2.0.14 (external, cli)", "x-api-key": key})
                response = connection.getresponse()
                text = response.read().decode()
                complete = ("event: message_stop" in text and "event: error" not in text) if stream else '"usage"' in text
                if response.status != 200 or not complete:
                    with lock:
                        problems.append(f"request {n}: status {response.status}, {'stream' if stream else 'reply'} incomplete: {text[:200]}")
            connection.close()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(1.0)
        after = [usage(i) for i in self.limited_ids]
        requests = sum(a[0] - b[0] for a, b in zip(after, before))
        tokens = sum(a[1] - b[1] for a, b in zip(after, before))
        leases = subprocess.run(["redis-cli", "-p", str(self.ports["redis"]), "--scan", "--pattern", "concurrency:*"],
                                capture_output=True, text=True).stdout.split()
        held = sum(int(subprocess.run(["redis-cli", "-p", str(self.ports["redis"]), "ZCARD", k], capture_output=True, text=True).stdout or 0)
                   for k in leases)
        checks = [
            (f"{total} replies complete (streams end with message_stop, no error event)", not problems),
            (f"usage requests recorded {requests} = {total}", requests == total),
            (f"usage tokens recorded {tokens} = {total * TOKENS_PER_REPLY}", tokens == total * TOKENS_PER_REPLY),
            (f"concurrency leases held after the run: {held}", held == 0),
        ]
        for label, ok in checks:
            if not ok:
                self.failures.append(label)
        return checks, problems[:3]


def fmt(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def table(title, rows, direct):
    print(f"\n### {title}\n")
    print("| target | c | p50 ms | p99 ms | added p50 ms | req/s | % of nginx | CPU s / 1k req | Redis cmds / req | round trips / req | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    nginx = {r["c"]: r["rps"] for r in rows if r["target"] == "nginx"}
    for r in rows:
        base = direct.get(r["c"])
        added = r["p50"] - base if base is not None and r["target"] != "direct" else None
        share = 100 * r["rps"] / nginx[r["c"]] if nginx.get(r["c"]) and r["target"] != "direct" else None
        print(f"| {r['target']} | {r['c']} | {fmt(r['p50'])} | {fmt(r['p99'])} | {fmt(added, 3)} | {r['rps']:.0f} | {fmt(share, 0)} | "
              f"{fmt(r.get('cpu_per_1k'), 3)} | {fmt(r.get('redis_cmds'), 1)} | {fmt(r.get('round_trips'), 2)} | {r['errors']} |")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crs", required=True, help="the release crs binary")
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--quick", action="store_true", help="W1 and the correctness pass only")
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W5,W6", help="comma-separated subset of W1..W6 (the correctness pass always runs)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument("--profile", default="", help="WORKLOAD:CONNECTIONS[:floor], e.g. W1:64: `perf record -g` the relay (or the bare floor proxy) during that line")
    parser.add_argument("--profile-output", default="relay.perf.data", help="where --profile writes (default ./relay.perf.data)")
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # W5 holds thousands of sockets; children inherit it
    bench = Bench(args)
    try:
        bench.start()
        bench.setup()
        time.sleep(1)
        idle = bench.rss_mb(bench.relay.pid)
        idle_anon = bench.rss_mb(bench.relay.pid, "RssAnon")
        print(f"machine: {bench.cores} cores, {open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}; "
              f"relay and nginx {'pinned to core 1' if bench.cores >= 2 else 'unpinned'}; wrk {args.duration} s per line")
        targets = ["direct", "nginx", FLOOR, "relay", "relay, no-limit key", "relay x2, one Redis"]

        def workload(title, connections, stream_every=0, body_bytes=0, behaviour=None, only=None):
            bench.behave(behaviour)
            rows = []
            for c in connections:
                for t in only or targets:
                    rows.append(bench.run(title.split(":")[0], t, c, stream_every, body_bytes))
            direct = {r["c"]: r["p50"] for r in rows if r["target"] == "direct"}
            table(title, rows, direct)
            return rows

        chosen = {"W1"} if args.quick else set(args.workloads.upper().split(","))
        if "W1" in chosen:
            workload("W1: small non-stream", [1, 64])
        if "W2" in chosen:
            for events in (50, 500):
                bench.behave({"deltaCount": events - 6})  # message_start, block start/stop, message_delta/stop + ping
                ttfb = {t: bench.ttfb(t, 200) for t in ("direct", "nginx", FLOOR, "relay")}
                print(f"\nW2 ({events} events) time to first byte, c=1, p50: direct {ttfb['direct']:.3f} ms, "
                      f"nginx +{ttfb['nginx'] - ttfb['direct']:.3f} ms, {FLOOR} +{ttfb[FLOOR] - ttfb['direct']:.3f} ms, "
                      f"relay +{ttfb['relay'] - ttfb['direct']:.3f} ms")
                workload(f"W2: SSE, {events} events", [1, 16], stream_every=1, behaviour={"deltaCount": events - 6},
                         only=["direct", "nginx", FLOOR, "relay", "relay x2, one Redis"])
        if "W3" in chosen:
            for size in (200 * 1024, 1024 * 1024):
                workload(f"W3: {size // 1024} KB request body", [1, 16], body_bytes=size, only=["direct", "nginx", "relay"])
        if "W4" in chosen:
            workload("W4: mix, 20 keys, sticky sessions, 1 in 4 streamed", [32], stream_every=4,
                     only=["direct", "nginx", "relay", "relay x2, one Redis"])
        if "W6" in chosen:
            # The translating route against the native one: same fake, same key pool, same run.
            bench.behave(None)
            workload("W6: Chat Completions route vs native Messages, non-stream", [1, 16], only=["relay", CHAT])
            bench.behave({"deltaCount": 44})
            workload("W6: Chat Completions route vs native Messages, SSE 50 events", [1, 16], stream_every=1, only=["relay", CHAT])
        if "W5" in chosen:
            bench.rss_peak.clear()
            workload("W5: 1,000 slow concurrent streams (50 events, 100 ms apart)", [1000], stream_every=1,
                     behaviour={"deltaCount": 44, "eventIntervalMs": 100}, only=["direct", "nginx", "relay"])
            print(f"\nW5 peak RSS with 1,000 open streams: relay {bench.rss_peak.get('relay', 0):.0f} MB, nginx {bench.rss_peak.get('nginx', 0):.0f} MB")
        bench.behave(None)
        checks, problems = bench.correctness(2000 if not args.quick else 600, 32)
        print("\n### Correctness under load (W4 mix over both instances, fixed count)\n")
        for label, ok in checks:
            print(f"- {'ok' if ok else 'FAILED'}: {label}")
        for p in problems:
            print(f"  {p}")
        time.sleep(1)
        # File-backed pages (the binary's code and data, the Swift and Foundation libraries) depend on how the files
        # entered the page cache as well as on what ran: the anonymous part is the relay's own heap and stacks.
        print(f"\nrelay RSS: idle {idle:.0f} MB ({idle_anon:.1f} MB anonymous), peak {max(bench.rss_peak.get('relay', 0), idle):.0f} MB "
              f"(sampled every 50 ms), after the run {bench.rss_mb(bench.relay.pid):.0f} MB ({bench.rss_mb(bench.relay.pid, 'RssAnon'):.1f} MB "
              f"anonymous); Redis used_memory {bench.redis_info('used_memory') / 1e6:.1f} MB")
    finally:
        bench.stop()
    if bench.failures:
        print("\nFAILED:\n  " + "\n  ".join(bench.failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
