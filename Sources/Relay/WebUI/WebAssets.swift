import Crypto
import Foundation
import NIOCore

/// The admin web UI's files (`web/admin-next/`), read once at start-up into memory. Requests are answered only
/// from this table — a path is looked up, never joined onto a directory — so no request can reach another file.
public struct WebAssets: Sendable {
    public struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String
    }

    let files: [String: Asset]

    public var isEmpty: Bool { files.isEmpty }

    /// Loads every regular file under `root` (relative paths with `/`); dot-files are skipped.
    public init(root: URL) {
        var files: [String: Asset] = [:]
        let base = root.standardizedFileURL.path
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) {
            for case let url as URL in walker {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                      let data = try? Data(contentsOf: url) else { continue }
                let relative = String(url.standardizedFileURL.path.dropFirst(base.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
                files[relative] = Asset(body: ByteBuffer(data: data), contentType: Self.contentType(url.pathExtension), etag: "\"\(digest)\"")
            }
        }
        self.files = files
    }

    subscript(path: String) -> Asset? { files[path] }

    /// Where the UI's files are: `CRS_WEB_ROOT`, then `share/crs/web` next to the binary's prefix (installs and the
    /// container image), then the source checkout this binary was built from.
    public static func locate(configured: String?) -> URL? {
        var candidates: [URL] = []
        if let configured, !configured.isEmpty { candidates.append(URL(fileURLWithPath: configured)) }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/crs/web"))
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(checkout.appendingPathComponent("web/admin-next"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("index.html").path) }
    }

    static func contentType(_ fileExtension: String) -> String {
        switch fileExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "json": return "application/json"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
