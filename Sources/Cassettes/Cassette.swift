import Foundation

/// One upstream exchange as recorded by `crs serve --record DIR` and replayed by a fake: the request as the relay
/// sent it and the response as it arrived, chunk by chunk with relative timing — secrets removed (`Redactor`).
public struct Cassette: Codable, Sendable, Equatable {
    public struct Request: Codable, Sendable, Equatable {
        public var method: String
        public var url: String
        public var headers: [[String]]
        public var body: String

        public init(method: String, url: String, headers: [[String]], body: String) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }
    }

    public struct Chunk: Codable, Sendable, Equatable {
        /// Milliseconds after the response head.
        public var afterMs: Int
        public var data: String

        public init(afterMs: Int, data: String) {
            self.afterMs = afterMs
            self.data = data
        }
    }

    public struct Response: Codable, Sendable, Equatable {
        public var status: Int
        public var headers: [[String]]
        public var chunks: [Chunk]
        /// `complete`, or how it ended otherwise (`cut: …`, `client went away`, `unreachable: …`).
        public var outcome: String

        public init(status: Int, headers: [[String]], chunks: [Chunk], outcome: String) {
            self.status = status
            self.headers = headers
            self.chunks = chunks
            self.outcome = outcome
        }
    }

    public var version = 1
    public var recordedAt: String
    public var accountKind: String
    public var request: Request
    public var response: Response?

    public init(recordedAt: String, accountKind: String, request: Request, response: Response? = nil) {
        self.recordedAt = recordedAt
        self.accountKind = accountKind
        self.request = request
        self.response = response
    }

    /// The request body's `model` and `stream` (what replay matches on besides the path).
    public var requestModel: String? {
        (try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])?["model"] as? String
    }

    public var requestStreams: Bool {
        ((try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])?["stream"] as? Bool) == true
    }

    /// The path the request went to, from `/v1/` on (so a replaying fake matches whatever base it serves under).
    public var apiPath: String {
        let path = URLComponents(string: request.url)?.path ?? request.url
        guard let range = path.range(of: "/v1/") else { return path }
        return String(path[range.lowerBound...])
    }

    public static func load(directory: String) throws -> [Cassette] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { try JSONDecoder().decode(Cassette.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }
    }
}
