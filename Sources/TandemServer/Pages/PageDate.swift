import Foundation

/// A date on a page (decision 0032): `<time datetime="2026-12-03T06:32:23Z">3 Dec 2026, 06:32 UTC</time>`,
/// the instant for machines and UTC text for a reader without JavaScript; `/static/local-time.js`
/// rewrites it in the viewer's time zone. A page that shows one loads that module.
enum PageDate {
    /// The values a `section(_:)` renders: `iso` (the `datetime` attribute) and `text` (UTC).
    static func values(_ date: Date) -> [String: String] {
        ["iso": AdminPortalRenderer.isoDate(date), "text": AdminPortalRenderer.date(date)]
    }

    /// The template of the date held under `key` (`values(_:)`): the `<time>` element, or
    /// nothing when `key` is `false`.
    static func section(_ key: String) -> String {
        "{{#\(key)}}<time datetime=\"{{iso}}\">{{text}}</time>{{/\(key)}}"
    }

    /// `values(_:)` of the date, or `false` (an empty section) without one.
    static func optional(_ date: Date?) -> Any {
        date.map(values) ?? false
    }

    /// The module tag of a page that shows dates.
    static let script = #"<script type="module" src="/static/local-time.js"></script>"#
}
