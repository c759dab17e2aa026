import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the admin web UI under `/admin-next/` (RS-E1…E4): real files from `WebAssets`; every other
/// path under it is a client-side route and gets `index.html` (deep links survive a reload), except paths under
/// `assets/` or with a file extension, which are 404 — a missing script must not come back as HTML. `/`, `/web`,
/// `/admin` and `/admin-next` redirect to `/admin-next/`; `/favicon.ico` is the UI's icon.
struct WebUIController {
    let assets: WebAssets

    static let base = "/admin-next/"
    /// No third-party origin may be contacted by the page (RS-E4); inline styles are used by the charts.
    static let contentSecurityPolicy = "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
        + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

    func register(on router: Router<RelayRequestContext>) {
        for path in ["/", "/admin", "/web"] {
            router.get(RouterPath(path)) { _, _ in Self.redirect() }
        }
        router.get("/favicon.ico") { request, _ in serve("favicon.svg", request) }
        // The router does not tell `/admin-next` from `/admin-next/`: the raw path does.
        router.get("/admin-next") { request, _ in request.uri.path.hasSuffix("/") ? serve("index.html", request) : Self.redirect() }
        router.get("/admin-next/**") { request, context -> Response in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            if let asset = Self.clean(path), assets[asset] != nil { return serve(asset, request) }
            let last = path.split(separator: "/").last ?? ""
            if path.hasPrefix("assets/") || last.contains(".") { return Self.notFound("Not found") }
            return serve("index.html", request)
        }
    }

    static func notFound(_ text: String) -> Response {
        Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func redirect() -> Response {
        Response(status: .found, headers: [.location: base, .cacheControl: "no-store"])
    }

    /// A relative path made only of ordinary segments, or nil (`..`, `.`, empty, backslashes, NUL, dot-files).
    static func clean(_ path: String) -> String? {
        let decoded = path.removingPercentEncoding ?? path
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") && !$0.contains("\0") }) else {
            return nil
        }
        return segments.joined(separator: "/")
    }

    private func serve(_ name: String, _ request: Request) -> Response {
        guard let asset = assets[name] else { return Self.notFound("The admin UI files are not installed (set CRS_WEB_ROOT)") }
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: asset.etag,
            // Revalidated every time (ETag → 304): after an upgrade no page mixes old and new modules.
            .cacheControl: "no-cache",
            HTTPField.Name("x-content-type-options")!: "nosniff",
        ]
        if name == "index.html" {
            headers[HTTPField.Name("content-security-policy")!] = Self.contentSecurityPolicy
            headers[HTTPField.Name("x-frame-options")!] = "DENY"
            headers[HTTPField.Name("referrer-policy")!] = "no-referrer"
        }
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }
}
