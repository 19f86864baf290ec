import Foundation
import Hummingbird
import Mustache

/// Renders the page templates inside the layout.
public struct PageRenderer: Sendable {
    let templates: [String: MustacheTemplate]

    public init() throws {
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in [
            ("layout", PageTemplates.layout), ("login", SignInPageTemplates.login), ("password", SignInPageTemplates.password),
            ("approve", SignInPageTemplates.approve), ("code", SignInPageTemplates.code), ("enrol", SignInPageTemplates.enrol), ("passkeyStep", SignInPageTemplates.passkeyStep), ("keepSecure", SignInPageTemplates.keepSecure),
            ("home", PageTemplates.home), ("securityInfo", SecurityInfoPageTemplates.page),
            ("registrationInterrupt", SecurityInfoPageTemplates.interrupt),
            ("addAuthenticator", PageTemplates.addAuthenticator), ("message", PageTemplates.message),
            ("adminPolicy", AdminPageTemplates.policy), ("signInLog", SignInLogPageTemplates.page),
            ("addSoftwareOath", SoftwareOathPageTemplates.page),
        ] {
            templates[name] = try MustacheTemplate(string: text)
        }
        self.templates = templates
    }

    /// Renders `name` with `values` into the layout, as an HTML response.
    func page(_ name: String, title: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let content = templates[name]?.render(values) ?? ""
        let html = templates["layout"]?.render(["title": title, "content": content]) ?? content
        return Response(status: status,
                        headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                  .init("X-Frame-Options")!: "DENY", .init("Referrer-Policy")!: "no-referrer"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A simple message page.
    func message(heading: String, message: String, link: String, linkText: String, status: HTTPResponse.Status = .ok) -> Response {
        page("message", title: heading, ["heading": heading, "message": message, "link": link, "linkText": linkText], status: status)
    }
}
