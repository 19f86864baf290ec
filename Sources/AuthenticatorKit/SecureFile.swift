import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Owner-only files: folders 0700, files 0600, written atomically, with an advisory lock for
/// read-modify-write sequences shared between processes.
enum SecureFile {
    /// Creates `folder` (and missing parents) with mode 0700, or tightens an existing one to 0700.
    static func ensureDirectory(_ folder: URL) throws {
        let path = folder.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw failure("\(path) is not a folder") }
            guard chmod(path, 0o700) == 0 else { throw failure("cannot set permissions of \(path)", errno) }
            return
        }
        do {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw failure("cannot create \(path)")
        }
        guard chmod(path, 0o700) == 0 else { throw failure("cannot set permissions of \(path)", errno) }
    }

    /// The file's bytes, or `nil` if it does not exist.
    static func readFile(_ url: URL) throws -> [UInt8]? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("cannot read \(url.path)", errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read \(url.path)", errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= 1 << 22 else { throw failure("\(url.path) is too large") }
        }
    }

    /// Writes `bytes` to `url` with mode 0600 through a temporary file, so a reader never sees half
    /// a file. With `exclusive`, fails with `.keyExists` instead of replacing an existing file.
    static func writeFile(_ bytes: [UInt8], to url: URL, exclusive: Bool = false) throws {
        let folder = url.deletingLastPathComponent()
        var random = SystemRandomNumberGenerator()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(random.next() as UInt64).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot write \(temporary.path)", errno) }
        var closed = false
        defer {
            if !closed { close(fd) }
            unlink(temporary.path)
        }
        guard fchmod(fd, 0o600) == 0 else { throw failure("cannot set permissions of \(temporary.path)", errno) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write \(temporary.path)", errno)
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw failure("cannot write \(temporary.path)", errno) }
        close(fd)
        closed = true
        if exclusive {
            if link(temporary.path, url.path) != 0 {
                if errno == EEXIST { throw AuthenticatorError(.keyExists, "\(url.path) already exists") }
                throw failure("cannot write \(url.path)", errno)
            }
        } else {
            guard rename(temporary.path, url.path) == 0 else { throw failure("cannot write \(url.path)", errno) }
        }
    }

    /// Removes `url`; a missing file is not an error.
    static func remove(_ url: URL) throws {
        if unlink(url.path) != 0 && errno != ENOENT { throw failure("cannot delete \(url.path)", errno) }
    }

    /// The names of the entries of `folder` (empty if it does not exist).
    static func list(_ folder: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        } catch {
            throw failure("cannot list \(folder.path)")
        }
    }

    /// Runs `body` holding an exclusive `flock` on `lockFile` (created 0600), so read-modify-write
    /// sequences are atomic across the processes of the app.
    static func withLock<T>(_ lockFile: URL, _ body: () throws -> T) throws -> T {
        let fd = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot open \(lockFile.path)", errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure("cannot lock \(lockFile.path)", errno) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// The file's permission bits (for tests and checks).
    static func permissions(_ url: URL) throws -> Int {
        var info = stat()
        guard stat(url.path, &info) == 0 else { throw failure("cannot stat \(url.path)", errno) }
        return Int(info.st_mode & 0o7777)
    }

    private static func failure(_ message: String, _ code: Int32? = nil) -> AuthenticatorError {
        guard let code else { return AuthenticatorError(.storage, message) }
        return AuthenticatorError(.storage, "\(message): \(String(cString: strerror(code)))")
    }
}
