"""Admin key list with many keys: server response time of the list the UI asks for (one page of 25 / 50, filtered,
and the whole list as the Node SPA asks for it) and the page's render time in headless Chromium (navigation start →
the table's rows on screen). Prints a table.

usage: admin_ui_bench.py RELAY_URL ADMIN_USER ADMIN_PASSWORD [KEYS=1000] [RUNS=20]
"""
import json
import os
import statistics
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

relay, user, password = sys.argv[1:4]
keys = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 20
accounts = int(sys.argv[6]) if len(sys.argv) > 6 else 200


def call(method, path, body=None, token=None):
    request = urllib.request.Request(relay + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"content-type": "application/json", **({"authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


token = call("POST", "/web/auth/login", {"username": user, "password": password})["token"]
existing = call("GET", "/admin/api-keys?page=1&pageSize=1", token=token)["pagination"]["total"]
while existing < keys:
    count = min(500, keys - existing)
    if count < 2:
        call("POST", "/admin/api-keys", {"name": f"bench_{existing}", "tags": ["bench"]}, token=token)
    else:
        call("POST", "/admin/api-keys/batch", {"baseName": f"bench{existing}", "count": count, "tags": ["bench", f"t{existing % 7}"]}, token=token)
    existing += max(count, 1)
# Console accounts (an unroutable endpoint: nothing is relayed), a third of them with a daily quota.
have = len(call("GET", "/admin/claude-console-accounts", token=token)["data"])
for index in range(have, accounts):
    body = {"name": f"bench-account-{index}", "apiUrl": "http://127.0.0.1:9/api", "apiKey": f"sk-bench-{index:04d}", "priority": 1 + index % 100}
    if index % 3 == 0:
        body["dailyQuota"] = 5
    call("POST", "/admin/claude-console-accounts", body, token=token)


def timed(path):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        reply = call("GET", path, token=token)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return samples, len(reply["data"])


rows = []
for label, path in [("page of 25 (what the UI asks)", "/admin/api-keys?page=1&pageSize=25"),
                    ("page of 50, search + tag filter", "/admin/api-keys?page=1&pageSize=50&search=bench&tag=t3"),
                    ("page 20 of 25s, sorted by cost", "/admin/api-keys?page=20&pageSize=25&sortBy=cost"),
                    (f"whole list ({keys} keys, Node SPA)", "/admin/api-keys"),
                    (f"Console accounts ({accounts})", "/admin/claude-console-accounts")]:
    samples, n = timed(path)
    rows.append((label, n, statistics.median(samples), samples[int(len(samples) * 0.95) - 1] if len(samples) > 1 else samples[0]))

options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CRS_CHROMIUM", "/usr/bin/chromium")
for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--disable-gpu"]:
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service(os.environ.get("CRS_CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)


def rendered(page, rows_css):
    """Milliseconds from navigation until the page's first rows are in the DOM (sorted), and how many rows."""
    samples = []
    for _ in range(max(3, runs // 4)):
        start = time.perf_counter()
        driver.get(relay + page)
        WebDriverWait(driver, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, rows_css)))
        samples.append((time.perf_counter() - start) * 1000)
    return sorted(samples), len(driver.find_elements(By.CSS_SELECTOR, rows_css))


try:
    driver.get(relay + "/admin-next/login")
    driver.execute_script("localStorage.setItem('authToken', arguments[0])", token)
    render, shown = rendered("/admin-next/api-keys", "tr[data-key-id]")
    accounts_render, accounts_shown = rendered("/admin-next/accounts", "tr[data-account-id]")
    dashboard = []
    for _ in range(max(3, runs // 4)):
        start = time.perf_counter()
        call("GET", "/admin/dashboard", token=token)
        dashboard.append((time.perf_counter() - start) * 1000)
finally:
    driver.quit()

print(f"\nAdmin key list with {keys} keys ({runs} requests each; milliseconds)\n")
print(f"| {'request':<36} | {'items':>5} | {'p50 ms':>8} | {'p95 ms':>8} |")
print(f"|{'-' * 38}|{'-' * 7}|{'-' * 10}|{'-' * 10}|")
for label, n, p50, p95 in rows:
    print(f"| {label:<36} | {n:>5} | {p50:>8.1f} | {p95:>8.1f} |")
print(f"| {'Chromium: /admin-next/api-keys render':<36} | {shown:>5} | {statistics.median(render):>8.1f} | {render[-1]:>8.1f} |")
dashboard.sort()
print(f"| {'dashboard API (keys + accounts)':<36} | {'':>5} | {statistics.median(dashboard):>8.1f} | {dashboard[-1]:>8.1f} |")
print(f"| {'Chromium: /admin-next/accounts render':<36} | {accounts_shown:>5} | {statistics.median(accounts_render):>8.1f} | {accounts_render[-1]:>8.1f} |")
print("\n(render = navigation start until the first page of rows is in the DOM, incl. the page's own API calls; p95 column is the slowest run)")
