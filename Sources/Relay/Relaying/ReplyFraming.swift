import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// A client that speaks another API than the family serving it (Chat Completions in front of Claude and Gemini
/// pools). The pipeline stays the native family's — dialects, failover, health marks, usage read from the native
/// reply and stream — and only what reaches the client is re-framed, last.
protocol ReplyFraming: Sendable {
    /// A successful non-stream reply, native → the client's shape.
    func reply(_ native: ByteBuffer) -> ByteBuffer
    /// Re-frames a native stream for the client, chunk by chunk.
    func makeStreamFramer() -> any StreamFramer
    /// An upstream refusal as the client gets it: the upstream's status, the client API's error shape.
    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> Response
}

/// The stream side of a `ReplyFraming`.
protocol StreamFramer: Sendable {
    /// Native SSE bytes in, the client's SSE bytes out (possibly none yet).
    mutating func frame(_ chunk: ByteBuffer) -> ByteBuffer
    /// The native stream reached its proper end: what the client's format sends last.
    mutating func finish() -> ByteBuffer
}
