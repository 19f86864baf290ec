import Foundation
import Hummingbird
import Mustache

/// Renders the admin portal's pages inside their frame: a top bar, the left navigation and the
/// content. Its own layout and stylesheet (`/static/admin.css`), so the sign-in pages' card
/// layout stays as it is.
struct AdminPortalRenderer: Sendable {
    let templates: [String: MustacheTemplate]

    init() throws {
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in AdminPortalTemplates.all.merging(AdminDirectoryTemplates.all, uniquingKeysWith: { a, _ in a })
            .merging(AdminMethodsTemplates.all, uniquingKeysWith: { a, _ in a }) {
            templates[name] = try MustacheTemplate(string: text)
        }
        self.templates = templates
    }

    func page(_ name: String, title: String, navigation: [[String: Any]], admin: String, roles: String, _ values: [String: Any],
              status: HTTPResponse.Status = .ok) -> Response {
        let content = templates[name]?.render(values) ?? ""
        let html = templates["layout"]?.render(["title": title, "content": content, "navigation": navigation, "admin": admin,
                                                "roles": roles, "csrf": values["csrf"] ?? ""]) ?? content
        return Response(status: status,
                        headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `GET /static/admin.css`.
    static func stylesheet() -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                 body: .init(byteBuffer: ByteBuffer(string: AdminPortalStyles.stylesheet)))
    }

    /// A date as administrators read it: `2 Dec 2026, 12:55 UTC`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM yyyy, HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    /// The machine-readable form for `<time datetime>`.
    static func isoDate(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
