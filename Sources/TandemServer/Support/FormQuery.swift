import Foundation
import Hummingbird

/// Query values decoded the way HTML forms and most HTTP clients encode them
/// (`application/x-www-form-urlencoded`): `+` is a space, `%2B` a plus. Hummingbird's
/// `queryParameters` percent-decodes but keeps `+`, so `$filter=userPrincipalName+eq+'a'`
/// would not parse.
enum FormQuery {
    /// The first value named `name` in the raw (still percent-encoded) query string.
    static func value(_ name: String, in rawQuery: String?) -> String? {
        guard let rawQuery else { return nil }
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard decode(String(parts[0])) == name else { continue }
            return parts.count > 1 ? decode(String(parts[1])) : ""
        }
        return nil
    }

    /// `+` → space, then percent-decoding; a malformed escape leaves the text as it came.
    static func decode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The inverse for a value put back in a link: everything but unreserved characters escaped
    /// (so `+`, `&`, `=` survive the round trip).
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

extension Request {
    /// `name` from the query string with `+` read as a space (see `FormQuery`).
    func formQueryValue(_ name: String) -> String? { FormQuery.value(name, in: uri.query) }
}
