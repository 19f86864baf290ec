import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Decision 0024: how the web authenticator is served (through the real application).
@Suite("Web authenticator app: entry points, versioned assets, CSP, the activation redirect")
struct WebAuthenticatorAppTests {
    @Test("The page, the worker and the manifest are no-cache; assets live under the version and are immutable")
    func caching() async throws {
        try await TestServer.run({ _, client in
            let page = try await client.execute(uri: "/authenticator/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.cacheControl] == "no-cache")
            let html = String(buffer: page.body)
            let version = try #require(html.firstMatch(of: /src="v\/([0-9a-f]{16})\/app\.js"/)?.1)
            #expect(!html.contains("@VERSION@"))
            #expect(html.matches(of: /<script(?![^>]*\bsrc=)[^>]*>/).isEmpty, "no inline script")
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(csp.contains("script-src 'self';") && csp.contains("worker-src 'self'") && !csp.contains("unsafe-inline"))

            let asset = try await client.execute(uri: "/authenticator/v/\(version)/app.js", method: .get)
            #expect(asset.status == .ok)
            #expect(asset.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(asset.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await client.execute(uri: "/authenticator/v/0000000000000000/app.js", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/authenticator/v/\(version)/sw.js", method: .get).status == .notFound,
                    "entry points only at their fixed URLs")

            let worker = try await client.execute(uri: "/authenticator/sw.js", method: .get)
            #expect(worker.headers[.cacheControl] == "no-cache")
            #expect(String(buffer: worker.body).contains("const VERSION = '\(version)';"))
            let manifest = try await client.execute(uri: "/authenticator/manifest.webmanifest", method: .get)
            #expect(manifest.headers[.contentType] == "application/manifest+json")
            #expect(String(buffer: manifest.body).contains("v/\(version)/icon-512.png"))

            let bare = try await client.execute(uri: "/authenticator", method: .get)
            #expect(bare.status == .permanentRedirect && bare.headers[.location] == "authenticator/")
        })
    }

    @Test("A browser opening the QR code's activation URL is sent to the app with the code in the fragment")
    func activationRedirect() async throws {
        try await TestServer.run({ _, client in
            let code = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
            let response = try await client.execute(uri: "/device/v1/activate?code=\(code)", method: .get)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "../../authenticator/#activate=\(code)")
            #expect(response.headers[.cacheControl] == "no-store")
            for bad in ["/device/v1/activate", "/device/v1/activate?code=short", "/device/v1/activate?code=a%0d%0aSet-Cookie:x=1aaaaaaa"] {
                let refused = try await client.execute(uri: bad, method: .get)
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(String(buffer: refused.body).contains("\"error\""))
            }
        })
    }
}
