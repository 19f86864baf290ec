import Foundation

/// The data folder (`--data-directory` / `TANDEM_DATA`, default the current folder): it holds
/// `tandem.sqlite` and `tandem.secret-key`. Made with mode 0700 when missing; the key file must
/// not be readable by other users.
enum DataDirectory {
    static let databaseName = "tandem.sqlite"
    static let secretKeyName = "tandem.secret-key"

    /// Creates `path` (and its parents) with mode 0700 when it does not exist; a one-line error
    /// when it exists and is not a folder or cannot be made.
    static func prepare(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw CLIError("the data directory \(path) is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("cannot create the data directory \(path): \((error as NSError).localizedDescription)")
        }
    }

    /// `path`'s permission bits, or `nil` when it does not exist.
    static func mode(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode & 0o777)
    }

    /// Refuses a secret key file other users can read (or write); warns (on standard error) when
    /// the group can read it. Returns the warning, if any, so callers may print it.
    @discardableResult
    static func checkSecretKeyFile(_ path: String) throws -> String? {
        guard let mode = mode(path) else { return nil }
        if mode & 0o006 != 0 {
            throw CLIError("the secret key file \(path) is readable or writable by other users (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
        }
        if mode & 0o060 != 0 {
            let warning = "warning: the secret key file \(path) is accessible to its group (mode \(String(mode, radix: 8))); chmod 600 is advised"
            FileHandle.standardError.write(Data((warning + "\n").utf8))
            return warning
        }
        return nil
    }

    /// `name` inside `folder` (just `name` for the current folder, so messages stay short).
    static func join(_ folder: String, _ name: String) -> String {
        folder == "." || folder.isEmpty ? name : URL(fileURLWithPath: folder).appendingPathComponent(name).path
    }
}
