import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// The admin web UI in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by Selenium
/// (`Tests/python/admin_ui_check.py`) against a relay, Redis and the fakes. Log in, create a key and see it once,
/// create a Console account, send traffic, see the usage on the dashboard and the key's row, the other pages, log
/// out and be refused, the public key stats. Every host but 127.0.0.1 is unresolvable for the browser (no CDN can
/// be needed). Screenshots of each page are written to `.build/artifacts/ui-screenshots/`.
@Suite("Admin web UI in headless Chromium", .serialized)
struct AdminUIBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("Tests/python/admin_ui_check.py").path
    static let screenshots = root.appendingPathComponent(".build/artifacts/ui-screenshots").path

    @Test func adminWalkThroughInChromium() async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: ["sk-ant-oat01-browser"], apiKeys: ["sk-console-browser"]))
            try? FileManager.default.removeItem(atPath: Self.screenshots)
            // The browser's one request costs ~$0.045 on claude-sonnet-4 — over the $0.01 daily quota the form sets.
            harness.fakes.state.enqueue([FakeBehavior(usage: FakeUsage(input: 10_000, output: 1_000), pathPrefix: "/browser")])
            let result = try await sdkCheckResult(["python3", Self.script, harness.relay.baseURL, RelayHarness.adminUsername,
                                                   RelayHarness.adminPassword, harness.fakes.baseURL + "/browser", "sk-console-browser",
                                                   Self.screenshots, String(harness.fakes.proxy?.port ?? 0)])
            #expect(result["ok"] as? Bool == true, "\(result["error"] ?? "") at \(result["url"] ?? "")\n\(result["trace"] ?? "")")
            #expect((result["steps"] as? [String])?.count == 21, "\(result["steps"] ?? [])")
            // The edit kept the real proxy password (the form only ever saw the mask).
            let accountKeys = try await harness.redis.send("KEYS", "claude_console_account:*").array?.compactMap(\.string) ?? []
            let proxyField = try await harness.redis.send("HGET", RedisArgument(accountKeys.first ?? "none"), "proxy").string ?? ""
            #expect(proxyField.contains("\"password\":\"proxy-pass\""), "\(proxyField)")
            // The Console account really served the request the browser test sent.
            let seen = harness.fakes.state.requests.filter { $0.path == "/browser/v1/messages" }
            #expect(seen.count >= 1, "\(harness.fakes.state.requests.map(\.path))")
            for page in ["01-login", "02-dashboard-empty", "03-new-key-shown-once", "04-accounts", "04a-account-proxy-edit", "04b-account-tests", "04c-droid-device-authorization", "05-dashboard-after-traffic",
                         "06-api-keys-after-traffic", "06a-key-request-history", "06b-accounts-quota-exceeded", "07-settings", "07c-pricing", "07d-requests", "08-tutorial", "09-key-stats"] {
                #expect(FileManager.default.fileExists(atPath: "\(Self.screenshots)/\(page).png"), "no screenshot \(page)")
            }
        }
    }
}
