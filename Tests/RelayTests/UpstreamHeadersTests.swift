import Foundation
import HTTPTypes
import NIOCore
@testable import Relay
import Testing

/// Every dialect begins its upstream request the same way (`UpstreamHeaders`, `UpstreamBaseURL`): client headers
/// only through the shared filter or a short allow-list, `accept-encoding: identity`, base URLs without trailing
/// slashes, and a 503 (another account may serve) for an account without the URL it needs.
@Suite("Upstream request headers and base URLs")
struct UpstreamHeadersTests {
    static var hostileClient: HTTPFields {
        var client = HTTPFields()
        for (name, value) in [("x-api-key", "cr_client_key"), ("authorization", "Bearer cr_client_key"), ("cookie", "session=1"),
                              ("x-forwarded-for", "203.0.113.7"), ("accept-encoding", "gzip, br"), ("connection", "x-hop"), ("x-hop", "1"),
                              ("user-agent", "codex_cli_rs/0.50.0"), ("session_id", "0123456789abcdef0123456789"), ("x-stainless-lang", "python")] {
            client.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        return client
    }

    static func input(_ kind: AccountKind, _ fields: [String: String], operation: String = "responses") -> DialectInput {
        DialectInput(account: AccountRecord(kind: kind, fields: ["id": "a1", "name": "acct"].merging(fields) { $1 }), credential: "upstream-secret",
                     operation: operation, clientHeaders: hostileClient, clientQuery: nil, body: ByteBuffer(string: "{}"), json: ["model": "m"],
                     requestedModel: "m", upstreamModel: "m", stream: true)
    }

    @Test func everyDialectStartsTheSameWay() async throws {
        let requests: [(String, UpstreamRequest)] = [
            ("anthropic console", AnthropicUpstreamRequest.build(
                account: AccountRecord(kind: .claudeConsole, fields: ["id": "c", "apiUrl": "https://console.example/api//"]), credential: "sk-ant-x",
                endpoint: .messages, clientHeaders: Self.hostileClient, clientQuery: nil, body: ByteBuffer(string: "{}"), requestedModel: "m",
                upstreamModel: "m", officialBaseURL: "https://api.anthropic.com/")),
            ("anthropic official", AnthropicUpstreamRequest.build(
                account: AccountRecord(kind: .claudeOfficial, fields: ["id": "o"]), credential: "sk-ant-oat01-x", endpoint: .messages,
                clientHeaders: Self.hostileClient, clientQuery: nil, body: ByteBuffer(string: "{}"), requestedModel: "m", upstreamModel: "m",
                officialBaseURL: "https://api.anthropic.com/")),
            ("openai responses", try await OpenAIResponsesDialect().request(Self.input(.openAIResponses, ["baseApi": " https://openai.example/ "]))),
            ("codex", try await CodexDialect(baseURL: "https://chatgpt.example/codex/").request(Self.input(.openAI, ["accountId": "acct-1"]))),
            ("gemini api", try await GeminiAPIDialect(operation: "generateContent").request(
                Self.input(.geminiAPI, ["baseUrl": "https://gemini.example//"], operation: "generateContent"))),
            ("azure", try await AzureDialect().request(Self.input(.azureOpenAI, ["azureEndpoint": "https://r.openai.azure.com/", "deploymentName": "d"],
                                                                 operation: AzureFamily.chatCompletions))),
        ]
        for (name, request) in requests {
            #expect(request.headers["accept-encoding"] == ["identity"], "\(name): \(request.headers["accept-encoding"])")
            #expect(!request.headers.contains { $0.value.contains("cr_client_key") }, "\(name) forwarded the relay key")
            for banned in ["cookie", "x-forwarded-for", "x-hop"] { #expect(request.headers[banned].isEmpty, "\(name) forwarded \(banned)") }
            #expect(!request.url.contains("//v1") && !request.url.contains(".com//") && !request.url.contains(" "), "\(name): \(request.url)")
        }
        // The allow-list dialects pass what the upstream expects from its own client, and nothing else.
        let codex = requests[3].1
        #expect(codex.headers.first(name: "session_id") == "0123456789abcdef0123456789" && codex.headers["x-stainless-lang"].isEmpty)
        #expect(codex.url == "https://chatgpt.example/codex/responses")
        #expect(requests[0].1.url == "https://console.example/api/v1/messages")
        #expect(requests[2].1.url == "https://openai.example/v1/responses")
    }

    @Test func anAccountWithoutItsURLCannotServe() async {
        for (name, attempt) in [
            ("openai responses", { _ = try await OpenAIResponsesDialect().request(Self.input(.openAIResponses, ["baseApi": " / "])) }),
            ("azure", { _ = try await AzureDialect().request(Self.input(.azureOpenAI, [:], operation: AzureFamily.chatCompletions)) }),
        ] as [(String, () async throws -> Void)] {
            do {
                try await attempt()
                Issue.record("\(name) built a request without a base URL")
            } catch let error as RelayError {
                #expect(error.status == 503, "\(name): \(error.status)")
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
        #expect(UpstreamBaseURL.trimmed("  https://x.example///  ") == "https://x.example")
    }
}
