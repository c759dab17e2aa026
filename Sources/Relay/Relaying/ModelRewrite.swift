import Foundation
import NIOCore

/// Replaces the top-level `model` of a JSON body only when an account maps it to another name; otherwise the
/// client's bytes go upstream untouched.
enum ModelRewrite {
    static func apply(_ body: ByteBuffer, from requested: String, to upstream: String) -> ByteBuffer {
        guard requested != upstream, var object = JSON.object(Data(buffer: body)) else { return body }
        object["model"] = upstream
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else { return body }
        return ByteBuffer(bytes: data)
    }
}
