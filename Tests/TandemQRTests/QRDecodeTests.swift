import Foundation
import TandemQR
import Testing

/// Round trips through real tools: the SVG is rasterised by `rsvg-convert` (librsvg2-bin) and
/// read back by `zbarimg` (zbar-tools). Without the tools the suite is skipped on a developer's
/// machine; under `CI=true` it fails instead (`.ci/browser.sh` installs them).
@Suite("QR codes decode with zbarimg")
struct QRDecodeTests {
    static let activationURL = "http://127.0.0.1:8080/device/v1/activate?code=K7Q2M9XW4PZR8T6VJ3N5H2LD"

    @Test("The decoding tools are there in CI")
    func toolsPresentInCI() {
        if Decoder.isCI { #expect(Decoder.missingTools.isEmpty, "missing \(Decoder.missingTools): run .ci/browser.sh") }
    }

    @Test("Text of many lengths decodes to itself, at L and M",
          .enabled(if: Decoder.available, "needs rsvg-convert and zbarimg"),
          arguments: [1, 14, 17, 26, 42, 61, 84, 106, 122, 134, 152, 180, 213], [QRErrorCorrection.low, .medium])
    func lengths(length: Int, level: QRErrorCorrection) throws {
        let text = Self.text(length: length)
        let code = try QRCode(encoding: text, errorCorrection: level)
        #expect(try Decoder.decode(code.svg()) == text, "version \(code.version)\(level.rawValue) mask \(code.mask)")
    }

    @Test("An activation URL (cut to what fits) decodes in every version from 1 to 10",
          .enabled(if: Decoder.available, "needs rsvg-convert and zbarimg"), arguments: 1...10)
    func versions(version: Int) throws {
        let capacity = try #require(QRCode.byteCapacity(version: version, errorCorrection: .medium))
        let text = String(Self.activationURL.prefix(capacity))
        let code = try QRCode(encoding: Array(text.utf8), errorCorrection: .medium, minimumVersion: version)
        #expect(code.version == version)
        #expect(try Decoder.decode(code.svg()) == text, "mask \(code.mask)")
    }

    @Test("Every mask pattern decodes", .enabled(if: Decoder.available, "needs rsvg-convert and zbarimg"), arguments: 0...7)
    func masks(mask: Int) throws {
        let code = try QRCode(encoding: Array(Self.activationURL.utf8), errorCorrection: .low, mask: mask)
        #expect(code.mask == mask)
        #expect(try Decoder.decode(code.svg()) == Self.activationURL)
    }

    @Test("Levels Q and H decode too", .enabled(if: Decoder.available, "needs rsvg-convert and zbarimg"),
          arguments: [QRErrorCorrection.quartile, .high])
    func strongerLevels(level: QRErrorCorrection) throws {
        let code = try QRCode(encoding: Self.activationURL, errorCorrection: level)
        #expect(try Decoder.decode(code.svg()) == Self.activationURL)
    }

    /// Printable ASCII of exactly `length` characters, looking like a URL.
    static func text(length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-._~/?=&ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let prefix = Array("https://id.example.com/")
        return String((0..<length).map { $0 < prefix.count ? prefix[$0] : alphabet[($0 * 7 + 3) % alphabet.count] })
    }
}

/// Runs `rsvg-convert` and `zbarimg`.
enum Decoder {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let missingTools = ["rsvg-convert", "zbarimg"].filter { path(of: $0) == nil }
    static let available = missingTools.isEmpty

    static func path(of tool: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return folders.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The text zbarimg reads from the SVG rendered to a PNG.
    static func decode(_ svg: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let svgURL = folder.appendingPathComponent("code.svg")
        let pngURL = folder.appendingPathComponent("code.png")
        try Data(svg.utf8).write(to: svgURL)
        _ = try run(path(of: "rsvg-convert")!, ["--background-color=white", "-o", pngURL.path, svgURL.path])
        let output = try run(path(of: "zbarimg")!, ["--quiet", "--raw", pngURL.path])
        return output.hasSuffix("\n") ? String(output.dropLast()) : output
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
