import Foundation
import TandemCore

/// Entity tags of stored policy documents (HTTP `ETag` / `If-Match`, decision 0018): a strong tag
/// from a SHA-256 of the stored JSON, so it changes with every change and needs no extra column.
/// The default policy (nothing stored yet) has the tag `"default"`.
public enum PolicyTag {
    /// The quoted tag of a stored document.
    public static func of(_ stored: String?) -> String {
        guard let stored else { return "\"default\"" }
        return "\"" + SecretDigest.of(stored).prefix(16) + "\""
    }

    /// Whether an `If-Match` header value (`*` or a list of tags) matches the stored document.
    /// Strong comparison (RFC 9110 §13.1.1): a weak tag `W/"…"` never matches.
    public static func matches(_ header: String, _ stored: String?) -> Bool {
        matches(header, tag: of(stored))
    }

    /// The tag of a representation made of several stored documents, from their `tags` (Graph's
    /// authenticationMethodsPolicy): it changes when any of them does.
    public static func combined(_ tags: [String]) -> String {
        "\"" + SecretDigest.of(tags.joined(separator: ",")).prefix(16) + "\""
    }

    /// Whether an `If-Match` header value matches the entity tag `current`.
    public static func matches(_ header: String, tag current: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == current
        }
    }

    public static let mismatch = TandemError(.preconditionFailed,
        "The policy has changed since it was read (If-Match does not match its ETag); read it again and reapply the change.")
}
