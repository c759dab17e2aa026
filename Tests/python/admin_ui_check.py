"""Drives the admin web UI in headless Chromium (Debian's chromium + chromium-driver, Selenium from PyPI).

usage: admin_ui_check.py RELAY_URL ADMIN_USER ADMIN_PASSWORD CONSOLE_API_URL CONSOLE_API_KEY SCREENSHOT_DIR

Every host but 127.0.0.1 is unresolvable for the browser, so a page that needed a CDN or web font would break.
Prints one JSON object: {"ok": bool, "steps": [...], "error": "...", "consoleErrors": [...]}; exits 1 on failure.
"""
import json
import os
import re
import sys
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

relay, user, password, console_url, console_key, shots, proxy_port = sys.argv[1:8]
fake = console_url.rsplit("/", 1)[0]
os.makedirs(shots, exist_ok=True)
steps = []


def step(name):
    steps.append(name)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CRS_CHROMIUM", "/usr/bin/chromium")
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--disable-gpu",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--no-first-run", "--disable-extensions"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(os.environ.get("CRS_CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def relay_post(path, body, key):
    request = urllib.request.Request(relay + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json", "x-api-key": key,
                                              "anthropic-version": "2023-06-01", "user-agent": "claude-cli/1.0.0 (external, cli)"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def admin_status(path, token):
    request = urllib.request.Request(relay + path, headers={"authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def admin_json(path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(relay + path, data=data, method="POST" if body is not None else "GET",
                                     headers={"authorization": "Bearer " + token, "content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


driver = browser()
wait = WebDriverWait(driver, 15)


def visible(css):
    return wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def shot(name):
    driver.save_screenshot(os.path.join(shots, name + ".png"))


def go(path, css):
    driver.get(relay + "/admin-next" + path)
    return visible(css)


def text_of(css):
    return driver.find_element(By.CSS_SELECTOR, css).text


result = {"ok": False}
try:
    # Unauthenticated deep links end on the login page (RS-A4); the form is a real <form> with a password input.
    for path in ["/dashboard", "/api-keys", "/accounts", "/settings"]:
        driver.get(relay + "/admin-next" + path)
        wait.until(EC.url_to_be(relay + "/admin-next/login"))
    form = visible("form#login-form")
    assert form.find_element(By.CSS_SELECTOR, "input[name=username]")
    assert form.find_element(By.CSS_SELECTOR, "input[type=password]")
    step("unauthenticated pages redirect to the login form")
    shot("01-login")

    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys("wrong-password" + Keys.ENTER)
    wait.until(lambda d: "Invalid" in text_of("#login-error"))
    step("a wrong password shows the server's message")
    driver.find_element(By.ID, "password").clear()
    driver.find_element(By.ID, "password").send_keys(password + Keys.ENTER)
    wait.until(EC.url_to_be(relay + "/admin-next/dashboard"))
    visible("[data-card=requests]")
    token = driver.execute_script("return localStorage.getItem('authToken')")
    assert token and token.count(".") == 2
    step("login with Enter lands on the dashboard")
    shot("02-dashboard-empty")

    # Create a key and see it once.
    go("/api-keys", "[data-action=create-key]").click()
    visible("#key-name").send_keys("browser-key")
    driver.find_element(By.CSS_SELECTOR, "[data-action=save-key]").click()
    raw_key = visible("#new-key-value").text.strip()
    assert re.fullmatch(r"cr_[0-9a-f]{64}", raw_key), raw_key
    shot("03-new-key-shown-once")
    driver.find_element(By.CSS_SELECTOR, "[data-action=close-new-key]").click()
    visible("tr[data-key-name=browser-key]")
    assert raw_key not in driver.page_source
    step("key created, shown once, not on the page afterwards")

    # Create a Console account pointing at the fake.
    go("/accounts", "[data-action=add-account]").click()
    Select(visible("#account-type")).select_by_value("claude-console")
    driver.find_element(By.ID, "account-name").send_keys("browser-console")
    driver.find_element(By.CSS_SELECTOR, "input[name=apiUrl]").send_keys(console_url)
    driver.find_element(By.CSS_SELECTOR, "input[name=apiKey]").send_keys(console_key)
    # A daily quota ($0.01) the first request uses up (the test's fake reports ~$0.045 of usage for it), so the quota
    # stop and its reset show on the page.
    quota = driver.find_element(By.CSS_SELECTOR, "input[name=dailyQuota]")
    quota.clear()
    quota.send_keys("0.01")
    # Its traffic goes through the harness's SOCKS5 proxy fake, with the proxy's username and password.
    Select(driver.find_element(By.CSS_SELECTOR, "#proxy-type")).select_by_value("socks5")
    for name, value in (("proxyHost", "127.0.0.1"), ("proxyPort", proxy_port), ("proxyUsername", "crs-proxy"), ("proxyPassword", "proxy-pass")):
        driver.find_element(By.CSS_SELECTOR, f"input[name={name}]").send_keys(value)
    driver.find_element(By.CSS_SELECTOR, "[data-action=save-account]").click()
    row = visible("tr[data-account-name=browser-console]")
    assert "healthy" in row.text, row.text
    assert console_key not in driver.page_source
    step("console account created through the form")
    shot("04-accounts")

    # Traffic through the relay with the new key.
    status, reply = relay_post("/api/v1/messages", {"model": "claude-sonnet-4-20250514", "max_tokens": 64,
                                                     "messages": [{"role": "user", "content": "hello from the browser test"}]}, raw_key)
    assert status == 200, (status, reply)
    step("a request through the relay with the key succeeded")
    with urllib.request.urlopen(fake + "/__fake/proxy", timeout=10) as response:
        tunnels = json.loads(response.read())
    assert [t for t in tunnels if t["scheme"] == "socks5" and t["username"] == "crs-proxy" and t["outcome"] == "open"], tunnels
    step("the request went through the account's SOCKS5 proxy with its credentials")

    # Editing the account shows its proxy (password masked) and keeps the password when none is entered.
    go("/accounts", "tr[data-account-name=browser-console]")
    driver.find_element(By.CSS_SELECTOR, "tr[data-account-name=browser-console] [data-action=edit]").click()
    proxy_type = Select(visible("dialog #proxy-type"))
    assert proxy_type.first_selected_option.get_attribute("value") == "socks5"
    assert driver.find_element(By.CSS_SELECTOR, "dialog input[name=proxyUsername]").get_attribute("value") == "crs-proxy"
    password_input = driver.find_element(By.CSS_SELECTOR, "dialog input[name=proxyPassword]")
    assert password_input.get_attribute("value") == "" and "unchanged" in password_input.get_attribute("placeholder")
    assert "proxy-pass" not in driver.page_source
    shot("04a-account-proxy-edit")
    driver.find_element(By.CSS_SELECTOR, "dialog [data-action=Save]").click()
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "dialog[open]"))
    accounts = admin_json("/admin/claude-console-accounts", token)["data"]
    stored = [a for a in accounts if a["name"] == "browser-console"][0]["proxy"]
    assert stored["type"] == "socks5" and stored["username"] == "crs-proxy" and stored["password"] == "********", stored
    step("the account's proxy edited in the form keeps its stored password")

    # The usage shows on the dashboard and on the key's row.
    go("/dashboard", "[data-card=requests]")
    wait.until(lambda d: text_of("[data-card=requests] .value") == "1")
    shot("05-dashboard-after-traffic")
    go("/api-keys", "tr[data-key-name=browser-key]")
    wait.until(lambda d: "1 req" in text_of("tr[data-key-name=browser-key] [data-col=today]"))
    shot("06-api-keys-after-traffic")
    step("usage visible on the dashboard and the key's row")

    # The key's request history: the one request, its model, account and cost.
    driver.find_element(By.CSS_SELECTOR, "tr[data-key-name=browser-key] [data-action=requests]").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-request-history] tr[data-record]")) == 1)
    record = text_of("[data-request-history] tr[data-record]")
    assert "claude-sonnet-4-20250514" in record and "browser-console" in record and "$" in record, record
    assert "1 requests" in text_of("[data-request-history] [data-summary]")
    shot("06a-key-request-history")
    driver.find_element(By.CSS_SELECTOR, "dialog [data-action=Close]").click()
    step("a key's request history lists the request with its account and cost")

    # The request used up the account's daily quota: the page says so; "Reset usage" brings it back.
    deadline = time.time() + 10
    while True:
        go("/accounts", "tr[data-account-name=browser-console]")
        row_text = text_of("tr[data-account-name=browser-console]")
        if "daily quota exceeded" in row_text or time.time() > deadline:
            break
        time.sleep(0.3)
    assert "daily quota exceeded" in row_text and "quota $" in row_text, row_text
    shot("06b-accounts-quota-exceeded")
    # The dashboard's quota summary shows the used-up quota too.
    go("/dashboard", "[data-quotas]")
    assert "browser-console" in text_of("[data-quotas]") and "stopped until" in text_of("[data-quotas]"), text_of("[data-quotas]")
    go("/accounts", "tr[data-account-name=browser-console]")
    # Search and the health filter narrow the table.
    driver.find_element(By.CSS_SELECTOR, "#account-search").send_keys("no-such-account")
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "tr[data-account-name]"))
    driver.find_element(By.CSS_SELECTOR, "#account-search").clear()
    driver.find_element(By.CSS_SELECTOR, "#account-search").send_keys("browser")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr[data-account-name=browser-console]"))
    Select(driver.find_element(By.CSS_SELECTOR, "#account-health-filter")).select_by_value("available")
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "tr[data-account-name]"))
    Select(driver.find_element(By.CSS_SELECTOR, "#account-health-filter")).select_by_value("unavailable")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr[data-account-name=browser-console]"))
    Select(driver.find_element(By.CSS_SELECTOR, "#account-health-filter")).select_by_value("")
    driver.find_element(By.CSS_SELECTOR, "tr[data-account-name=browser-console] [data-action=reset-usage]").click()
    wait.until(lambda d: "healthy" in text_of("tr[data-account-name=browser-console]"))
    assert "quota $0.00" in text_of("tr[data-account-name=browser-console]")
    step("a used-up daily quota shown on the accounts page, and reset from it")

    # Batch actions: select the account, pause it, then resume it.
    for action, shown in (("batch-pause", "paused"), ("batch-resume", "on")):
        driver.find_element(By.CSS_SELECTOR, "tr[data-account-name=browser-console] [data-select]").click()
        visible(f"#account-batch [data-action={action}]").click()
        wait.until(lambda d, shown=shown: shown in text_of("tr[data-account-name=browser-console] label.check"))
    step("batch pause and resume from the accounts page")

    # A subscription account's tests: test now (through the account), a schedule with a bad and a good cron expression.
    admin_json("/admin/claude-accounts", token, {"name": "browser-oauth", "claudeAiOauth": {
        "accessToken": "sk-ant-oat01-browser", "refreshToken": "", "expiresAt": 4102444800000}})
    go("/accounts", "tr[data-account-name=browser-oauth]")
    driver.find_element(By.CSS_SELECTOR, "tr[data-account-name=browser-oauth] [data-action=tests]").click()
    visible("dialog [data-account-tests] #test-cron")
    driver.find_element(By.CSS_SELECTOR, "dialog [data-action=run-test]").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "dialog [data-test-history] tr[data-test-result=ok]"))
    assert "pong" in text_of("dialog [data-test-history]"), text_of("dialog [data-test-history]")
    cron = driver.find_element(By.CSS_SELECTOR, "dialog #test-cron")
    cron.clear()
    cron.send_keys("99 * * * *")
    driver.find_element(By.CSS_SELECTOR, "dialog [data-action=save-test-config]").click()
    wait.until(lambda d: "Invalid cron expression" in d.page_source)
    cron.clear()
    cron.send_keys("30 9 * * 1-5")
    Select(driver.find_element(By.CSS_SELECTOR, "dialog #test-enabled")).select_by_value("true")
    driver.find_element(By.CSS_SELECTOR, "dialog [data-action=save-test-config]").click()
    wait.until(lambda d: "Schedule saved" in d.page_source)
    shot("04b-account-tests")
    driver.find_element(By.CSS_SELECTOR, "dialog [data-action=Close]").click()
    oauth_id = [a for a in admin_json("/admin/claude-accounts", token)["data"] if a["name"] == "browser-oauth"][0]["id"]
    saved = admin_json(f"/admin/claude-accounts/{oauth_id}/test-config", token)["data"]["config"]
    assert saved["enabled"] is True and saved["cronExpression"] == "30 9 * * 1-5", saved
    step("a subscription account tested from its Tests dialog, and its schedule saved")

    # A Droid OAuth account through WorkOS's device authorization: start, approve (the fake's page), create.
    go("/accounts", "[data-action=add-account]").click()
    Select(visible("#account-type")).select_by_value("droid-device")
    driver.find_element(By.ID, "account-name").send_keys("browser-droid")
    driver.find_element(By.CSS_SELECTOR, "[data-action=start-device-auth]").click()
    approve_url = visible("#device-url").get_attribute("href")
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", text_of("#device-user-code")), text_of("#device-user-code")
    driver.find_element(By.CSS_SELECTOR, "[data-action=save-account]").click()
    wait.until(lambda d: "Not approved yet" in d.page_source)
    urllib.request.urlopen(approve_url, timeout=10).read()
    shot("04c-droid-device-authorization")
    driver.find_element(By.CSS_SELECTOR, "[data-action=save-account]").click()
    row = visible("tr[data-account-name=browser-droid]")
    assert "Droid" in row.text, row.text
    assert "fake-workos" not in driver.page_source
    step("a Droid account added through the WorkOS device authorization")

    # The remaining pages render.
    go("/settings", "#oem-site-name")
    visible("#webhook-settings h2")
    shot("07-settings")
    # The Claude relay switches: "Claude Code only" saved, shown after a reload, then switched off again.
    for wanted in (True, False):
        box = visible("#claude-code-only")
        if box.is_selected() != wanted:
            box.click()
        driver.find_element(By.CSS_SELECTOR, "#save-claude-relay").click()
        wait.until(lambda d: "Claude settings saved" in d.page_source)
        go("/settings", "#claude-code-only")
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#claude-code-only").is_selected() == wanted)
        if wanted:
            shot("07b-settings-claude-code-only")
    step("Claude relay settings saved from the settings page")

    # Request details: capture and body previews switched on in Settings; a request then shows on the Requests page.
    go("/settings", "#detail-capture")
    for box_id in ("#detail-capture", "#detail-preview"):
        box = driver.find_element(By.CSS_SELECTOR, box_id)
        if not box.is_selected():
            box.click()
    driver.find_element(By.CSS_SELECTOR, "#save-claude-relay").click()
    wait.until(lambda d: "Claude settings saved" in d.page_source)
    detail_key = admin_json("/admin/api-keys", token, {"name": "detail-key"})["data"]["key"]
    status, reply = relay_post("/api/v1/messages", {"model": "claude-sonnet-4-20250514", "max_tokens": 16,
                                                     "messages": [{"role": "user", "content": "captured by the browser test"}]}, detail_key)
    assert status == 200, (status, reply)
    deadline = time.time() + 10
    while not driver.find_elements(By.CSS_SELECTOR, "[data-request-detail]") and time.time() < deadline:
        go("/requests", "#request-details p")
        time.sleep(0.3)
    driver.find_element(By.CSS_SELECTOR, "[data-request-detail]").click()
    preview = visible("dialog [data-body-preview]")
    assert "captured by the browser test" in preview.text, preview.text
    assert detail_key not in driver.page_source
    shot("07d-requests")
    driver.find_element(By.CSS_SELECTOR, "dialog [data-action=Close]").click()
    step("a request captured with its body preview shows on the Requests page")
    # The pricing page: where prices come from, and a model found by search with its price per million tokens.
    go("/pricing", "[data-pricing-source]")
    assert "built" in text_of("[data-pricing-source]").lower() or "models from" in text_of("[data-pricing-source]"), text_of("[data-pricing-source]")
    driver.find_element(By.CSS_SELECTOR, "#pricing-search").send_keys("claude-sonnet-4-5")
    # The search narrows the list to the matching models only.
    wait.until(lambda d: (rows := d.find_elements(By.CSS_SELECTOR, "tr[data-model]")) and
               all("claude-sonnet-4-5" in r.get_attribute("data-model") for r in rows))
    assert "$3.00" in text_of("tr[data-model^='claude-sonnet-4-5']"), text_of("tr[data-model^='claude-sonnet-4-5']")
    shot("07c-pricing")
    step("the pricing page shows the prices in force and finds a model")
    go("/tutorial", "pre.code")
    assert relay + "/api" in driver.page_source
    shot("08-tutorial")
    step("settings and tutorial pages render")

    # Log out: back to login; the old token is refused by the API.
    driver.find_element(By.CSS_SELECTOR, "[data-action=logout]").click()
    wait.until(EC.url_to_be(relay + "/admin-next/login"))
    driver.get(relay + "/admin-next/api-keys")
    wait.until(EC.url_to_be(relay + "/admin-next/login"))
    assert admin_status("/admin/api-keys", token) == 401
    step("logout revokes the token; protected pages send to login")

    # The public key-stats page works without a login.
    go("/api-stats", "#stats-key").send_keys(raw_key)
    driver.find_element(By.ID, "stats-submit").click()
    wait.until(lambda d: "1 req" in text_of("[data-card=today] .value"))
    visible("#stats-limits")
    shot("09-key-stats")
    step("public key stats show the key's usage")

    severe = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
              and "401" not in entry["message"] and "favicon" not in entry["message"]
              # the deliberately bad cron expression's refusal
              and not ("/test-config" in entry["message"] and "400" in entry["message"])]
    result["consoleErrors"] = severe
    assert not severe, severe
    step("no JavaScript errors in the console")
    result["ok"] = True
except Exception as error:  # noqa: BLE001 — report everything to the Swift test
    result["error"] = f"{type(error).__name__}: {error}"
    result["trace"] = traceback.format_exc()[-2000:]
    result["url"] = driver.current_url
    try:
        shot("failure")
        result["consoleErrors"] = [entry["message"] for entry in driver.get_log("browser")][-20:]
    except Exception:  # noqa: BLE001
        pass
finally:
    driver.quit()

result["steps"] = steps
print(json.dumps(result))
sys.exit(0 if result["ok"] else 1)
