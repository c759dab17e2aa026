import FakeUpstreams
import Foundation
import Scenario
import Testing

/// The fakes are driven over HTTP exactly as `crs fakes` users and other-language tests drive them.
@Suite("Fake control API over HTTP")
struct FakeControlAPITests {
    @Test func behavioursCredentialsRecordAndStatsOverHTTP() async throws {
        let fake = try await FakeServer.all()
        defer { Task { await fake.stop() } }
        let base = fake.baseURL
        func post(_ path: String, _ object: Any, headers: [String: String] = [:]) async throws -> HTTPExchange {
            try await HTTPExchange.send(method: "POST", url: base + path, headers: headers, body: try JSONSerialization.data(withJSONObject: object))
        }
        #expect(try await post("/__fake/credentials", ["apiKeys": ["sk-ant-k"]]).status == 200)
        #expect(try await post("/__fake/behaviors", [["status": 429, "headers": ["retry-after": "7"]]]).status == 200)
        let message: [String: Any] = ["model": "claude-x", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
        let headers = ["x-api-key": "sk-ant-k", "anthropic-version": "2023-06-01"]
        let limited = try await post("/v1/messages", message, headers: headers)
        #expect(limited.status == 429 && limited.header("retry-after") == "7")
        #expect((limited.object["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
        #expect(try await post("/v1/messages", message, headers: headers).status == 200)
        #expect(try await post("/v1/messages", message, headers: ["x-api-key": "sk-ant-other", "anthropic-version": "2023-06-01"]).status == 401)
        #expect(try await post("/v1/messages", message, headers: ["Authorization": "Bearer sk-ant-k", "anthropic-version": "2023-06-01"]).status == 401)

        let record = try await HTTPExchange.send(method: "GET", url: base + "/__fake/requests")
        let requests = try #require(record.json as? [[String: Any]])
        #expect(requests.map { $0["status"] as? Int } == [429, 200, 401, 401])
        let stats = try await HTTPExchange.send(method: "GET", url: base + "/__fake/stats")
        #expect(stats.object["total"] as? Int == 4 && stats.object["inFlight"] as? Int == 0)
        #expect(try await post("/__fake/reset", [:]).status == 200)
        #expect((try await HTTPExchange.send(method: "GET", url: base + "/__fake/requests").json as? [Any])?.isEmpty == true)
        // Malformed control input is refused, not crashed on.
        let bad = try await HTTPExchange.send(method: "POST", url: base + "/__fake/behaviors", body: Data("{not json".utf8))
        #expect(bad.status >= 400 && bad.status < 500)
    }
}
