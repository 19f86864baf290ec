import Foundation

extension SignInFlow {
    /// A local path a finished sign-in may return to (the OIDC authorization request waiting for
    /// it), or `nil`: only `/…` paths of this server, never `//host` or `/\host`, no control
    /// characters, at most 2,048 characters — so the sign-in can never redirect elsewhere.
    public static func safeReturnPath(_ path: String?) -> String? {
        guard let path, (2...2048).contains(path.utf8.count), path.hasPrefix("/"),
              !path.hasPrefix("//"), !path.hasPrefix("/\\"),
              !path.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" })
        else { return nil }
        return path
    }
}
