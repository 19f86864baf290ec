import Foundation

/// Web Push settings (`TandemConfiguration.webPush`; docs/decisions/0023-web-push.md).
///
/// | key (flag / environment) | type | default |
/// |---|---|---|
/// | `--web-push-contact` / `TANDEM_WEB_PUSH_CONTACT` | the VAPID `sub`: `mailto:` address or https URL push services may contact | the public URL |
/// | `--allow-loopback-push-endpoints` (hidden, tests only) | accept `http` endpoints on loopback hosts | off |
public struct WebPushSettings: Sendable {
    /// The VAPID subject; `nil` for the public URL.
    public var contact: String? = nil
    /// Tests only: subscriptions may point at loopback (and then `http`) endpoints. Private,
    /// link-local and reserved addresses stay refused.
    public var allowLoopbackEndpoints = false

    public init(contact: String? = nil, allowLoopbackEndpoints: Bool = false) {
        self.contact = contact
        self.allowLoopbackEndpoints = allowLoopbackEndpoints
    }

    /// A problem with the settings, or `nil`.
    public func validate() -> String? {
        guard let contact else { return nil }
        guard contact.hasPrefix("mailto:") || contact.hasPrefix("https://"), contact.count <= 256 else {
            return "--web-push-contact must be a mailto: address or an https URL"
        }
        return nil
    }
}
