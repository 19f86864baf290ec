import Foundation
import TandemCore

/// How the command line shows a notice about another authenticator of the user.
enum NoticeText {
    /// `notice: phone sign-in turned on on "Bob's phone" (device …) at …; if this wasn't you, report it to your administrator`.
    static func line(_ notice: DeviceNotice) -> String {
        let what = switch notice.kind {
        case .authenticatorAdded: "authenticator added"
        case .phoneSignInEnabled: "phone sign-in turned on"
        case .phoneSignInDisabled: "phone sign-in turned off"
        }
        let at = ISO8601DateFormatter().string(from: notice.at)
        let warning = notice.kind == .phoneSignInDisabled ? "" : "; if this wasn't you, tell your administrator"
        return "notice: \(what) on \"\(notice.deviceName)\" (device \(notice.deviceId)) at \(at)\(warning)"
    }
}
