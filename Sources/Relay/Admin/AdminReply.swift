import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The admin API's response shapes (Node's): `{success:true, …}` and `{success:false, error, message}`.
enum AdminReply {
    static func ok(_ object: [String: Any]) -> Response {
        var body = object
        body["success"] = true
        return json(200, body)
    }

    static func data(_ data: Any, _ extra: [String: Any] = [:]) -> Response {
        ok(extra.merging(["data": data]) { _, new in new })
    }

    static func failure(_ status: Int, _ error: String, _ message: String) -> Response {
        json(status, ["success": false, "error": error, "message": message])
    }

    static func json(_ status: Int, _ object: [String: Any]) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(data: JSON.data(object))))
    }

    /// Reads a JSON object body (up to 1 MiB, or `limit`); a clear 400 otherwise.
    static func body(_ request: Request, limit: Int = 1 << 20) async throws -> [String: Any] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw AdminError(413, "Payload too large", "Request body exceeds \(limit) bytes")
        }
        if buffer.readableBytes == 0 { return [:] }
        guard let object = JSON.object(Data(buffer: buffer)) else { throw AdminError(400, "Invalid request", "Body must be a JSON object") }
        return object
    }
}

/// An admin API refusal; rendered by `AdminErrorMiddleware`.
struct AdminError: Error {
    let status: Int
    let error: String
    let message: String
    /// Seconds, for a 429's `Retry-After`.
    var retryAfter: Int? = nil

    init(_ status: Int, _ error: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.error = error
        self.message = message
        self.retryAfter = retryAfter
    }

    var response: Response {
        var response = AdminReply.failure(status, error, message)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// Renders `AdminError`s, and any other error as a 500 with no internals, in the admin shape.
struct AdminErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AdminError {
            return error.response
        } catch let error as HTTPError where error.status == .notFound {
            return AdminReply.failure(404, "Not Found", "Route \(request.uri.path) not found")
        } catch let error as RedisError {
            context.logger.error("admin request failed on Redis", metadata: ["error": "\(error)"])
            return AdminReply.failure(503, "Store unavailable", "Redis is unavailable; retry shortly")
        } catch {
            context.logger.error("admin request failed", metadata: ["error": "\(error)"])
            return AdminReply.failure(500, "Internal error", "The request could not be completed")
        }
    }
}
