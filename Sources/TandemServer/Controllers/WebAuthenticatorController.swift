import Foundation
import Hummingbird
import TandemCore

/// Serves the web authenticator (decision 0024) at `/authenticator/` and turns a browser's visit
/// to the activation URL of the QR code into the app.
///
/// - `/authenticator/`, `/authenticator/sw.js`, `/authenticator/manifest.webmanifest`:
///   `Cache-Control: no-cache` (the browser revalidates each time; a new version shows at once).
/// - `/authenticator/v/<version>/<file>`: every other file, `max-age` one year, `immutable`; an
///   old version's URL is 404 (its files live on in the old service worker's cache only).
/// - `GET /device/v1/activate?code=…` (a phone's browser opening the QR code): 303 to
///   `/authenticator/#activate=<code>` (a relative `Location`, so a public URL with a path prefix
///   keeps it). The code moves to the fragment, which no browser sends,
///   so it reaches no access log past this one request; the server logs no query. The
///   command-line authenticator reads the same URL itself and never GETs it.
///
/// The app's Content-Security-Policy is the site's (no inline script or style) with the worker,
/// the manifest and the push channel's WebSocket named explicitly.
struct WebAuthenticatorController: Sendable {
    let assets: WebAuthenticatorAssets
    let publicURL: @Sendable () -> String

    func register(on router: Router<TandemRequestContext>) {
        // The router matches `/authenticator` and `/authenticator/` alike; the app's relative URLs
        // need the slash.
        router.get("/authenticator/") { request, _ in
            guard request.uri.path.hasSuffix("/") else {
                return Response(status: .permanentRedirect, headers: [.location: "authenticator/"])
            }
            return try self.serve("index.html", cache: .revalidate)
        }
        router.get("/authenticator/index.html") { _, _ in try self.serve("index.html", cache: .revalidate) }
        router.get("/authenticator/sw.js") { _, _ in try self.serve("sw.js", cache: .revalidate) }
        router.get("/authenticator/manifest.webmanifest") { _, _ in try self.serve("manifest.webmanifest", cache: .revalidate) }
        router.get("/authenticator/v/{version}/{file}") { _, context in
            let version = try context.parameters.require("version")
            let file = try context.parameters.require("file")
            guard version == self.assets.version, !WebAuthenticatorAssets.entryPoints.contains(file) else {
                throw TandemError(.notFound, "No such file.")
            }
            return try self.serve(file, cache: .immutable)
        }
        router.get("/device/v1/activate") { request, _ in
            try Self.redirectToApp(code: request.uri.queryParameters.get("code"))
        }
    }

    enum Caching { case revalidate, immutable }

    func serve(_ name: String, cache: Caching) throws -> Response {
        guard let file = assets.files[name] else { throw TandemError(.notFound, "No such file.") }
        var headers: HTTPFields = [
            .contentType: file.contentType,
            .cacheControl: cache == .immutable ? "public, max-age=31536000, immutable" : "no-cache",
            .contentSecurityPolicy: contentSecurityPolicy,
        ]
        if name == "sw.js" { headers[.init("Service-Worker-Allowed")!] = "/authenticator/" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    /// The site's policy plus the worker and manifest, and the push channel's WebSocket by name
    /// (browsers that predate CSP 3 do not count `ws:`/`wss:` as `'self'`).
    var contentSecurityPolicy: String {
        var connect = "'self'"
        if let url = URL(string: publicURL()), let host = url.host, let scheme = url.scheme {
            let port = url.port.map { ":\($0)" } ?? ""
            connect += " \(scheme == "https" ? "wss" : "ws")://\(host.contains(":") ? "[\(host)]" : host)\(port)"
        }
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src \(connect); "
            + "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    }

    /// The activation code as the app's fragment; a code that is not an activation code's shape
    /// (base64url / base32 characters, 8 to 128) is refused rather than echoed into a header.
    static func redirectToApp(code: String?) throws -> Response {
        guard let code, (8...128).contains(code.count),
              code.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_" })
        else { throw TandemError(.badRequest, "This activation link is not complete. Scan the QR code again.") }
        return Response(status: .seeOther, headers: [.location: "../../authenticator/#activate=\(code)", .cacheControl: "no-store"])
    }
}
