"""Peak RSS of the relay while four clients send 60 MiB bodies at once — with a key that was never issued (the
relay must refuse on the headers and stay near idle) and with a valid key (the body is read and parsed: bounded
by the body limit). Prints a Markdown table. Usage: preauth_rss.py CRS_BINARY"""
import http.client
import json
import os
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def send(port, key, body, results):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.putrequest("POST", "/api/v1/messages")
        for name, value in (("x-api-key", key), ("anthropic-version", "2023-06-01"), ("content-type", "application/json"),
                            ("content-length", str(len(body)))):
            conn.putheader(name, value)
        conn.endheaders()
        sent = 0
        view = memoryview(body)
        try:
            while sent < len(body):
                conn.sock.sendall(view[sent:sent + (1 << 20)])
                sent += 1 << 20
        except (BrokenPipeError, ConnectionResetError):
            pass  # the relay answered and closed before the whole body was sent: what a refusal should do
        response = conn.getresponse()
        results.append((response.status, sent >= len(body)))
    except Exception as error:  # noqa: BLE001 - reported in the table
        results.append((type(error).__name__, False))
    finally:
        conn.close()


def main():
    crs = sys.argv[1]
    work = tempfile.mkdtemp(prefix="crs-preauth-")
    redis_port, relay_port = free_port(), free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no", "--dir", work],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**os.environ, "CRS_REDIS_URL": f"redis://127.0.0.1:{redis_port}", "CRS_PORT": str(relay_port), "CRS_DATA_DIR": work,
           "CRS_ADMIN_USERNAME": "bench", "CRS_ADMIN_PASSWORD": "bench-password-1", "CRS_LOG_LEVEL": "error", "CRS_PRICING_URL": "off",
           "CRS_ENCRYPTION_KEY": os.urandom(16).hex(), "CRS_JWT_SECRET": os.urandom(32).hex(), "CRS_HEALTH_CHECK_INTERVAL_SECONDS": "0"}
    relay = subprocess.Popen([crs, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{relay_port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except Exception:  # noqa: BLE001 - still starting
                time.sleep(0.1)
        login = urllib.request.Request(base + "/web/auth/login", data=json.dumps({"username": "bench", "password": "bench-password-1"}).encode(),
                                       headers={"content-type": "application/json"})
        token = None
        for _ in range(100):  # the admin account is written just after start (a scrypt hash)
            try:
                token = json.load(urllib.request.urlopen(login))["token"]
                break
            except urllib.error.HTTPError:
                time.sleep(0.2)
        create = urllib.request.Request(base + "/admin/api-keys", data=json.dumps({"name": "preauth"}).encode(),
                                        headers={"content-type": "application/json", "authorization": "Bearer " + token})
        key = json.load(urllib.request.urlopen(create))["data"]["key"]
        size = 60 * 1024 * 1024 - 4096
        text = "x" * (size - 200)
        body = json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": text}]}).encode()
        pid = relay.pid
        rows = [("idle", "", status_kb(pid, "VmRSS") / 1024, status_kb(pid, "VmHWM") / 1024)]
        for label, client_key in (("4 × 60 MiB, unissued key", "cr_" + "0" * 64), ("4 × 60 MiB, valid key (no account: 503)", key)):
            results = []
            threads = [threading.Thread(target=send, args=(relay_port, client_key, body, results)) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            statuses = ", ".join(sorted({f"{s}{'' if whole else ' (body cut short)'}" for s, whole in map(tuple, results)}))
            time.sleep(0.5)
            rows.append((label, statuses, status_kb(pid, "VmRSS") / 1024, status_kb(pid, "VmHWM") / 1024))
        print("| run | answers | RSS after (MB) | peak RSS so far (MB) |")
        print("|---|---|---:|---:|")
        for label, statuses, rss, peak in rows:
            print(f"| {label} | {statuses} | {rss:.1f} | {peak:.1f} |")
    finally:
        os.killpg(relay.pid, signal.SIGTERM)
        relay.wait(timeout=20)
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
