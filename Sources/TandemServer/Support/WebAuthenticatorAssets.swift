import Crypto
import Foundation

/// The web authenticator's files (`Sources/TandemServer/Authenticator/`, embedded at build time by
/// the `EmbedWebAuthenticator` plugin) with the version that names them (decision 0024).
///
/// The version is the first 16 hex digits of the SHA-256 over every file's name and bytes, so any
/// change gives new asset URLs (`/authenticator/v/<version>/<file>`, cached as immutable) and a new
/// `sw.js` (the browser installs the new worker). `index.html`, `sw.js` and
/// `manifest.webmanifest` are served at fixed URLs and have `@VERSION@` replaced.
struct WebAuthenticatorAssets: Sendable {
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    let version: String
    let files: [String: File]

    /// The files served at fixed URLs (no-cache); every other file is served only under the version.
    static let entryPoints: Set<String> = ["index.html", "sw.js", "manifest.webmanifest"]

    init(embedded: [(name: String, content: String)] = WebAuthenticatorFiles.base64) {
        var hash = SHA256()
        var raw: [(String, [UInt8])] = []
        for (name, content) in embedded {
            let bytes = Array(Data(base64Encoded: content) ?? Data())
            hash.update(data: Array(name.utf8) + [0] + Array(String(bytes.count).utf8) + [0])
            hash.update(data: bytes)
            raw.append((name, bytes))
        }
        let version = hash.finalize().map { String(format: "%02x", $0) }.joined().prefix(16)
        self.version = String(version)
        var files: [String: File] = [:]
        for (name, bytes) in raw {
            var content = bytes
            if Self.entryPoints.contains(name) || name.hasSuffix(".webmanifest") {
                content = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "@VERSION@", with: self.version).utf8)
            }
            files[name] = File(bytes: content, contentType: Self.contentType(of: name))
        }
        self.files = files
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last.map(String.init) ?? "" {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "webmanifest": "application/manifest+json"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }
}
