@testable import AuthenticatorKit
import Foundation
import HummingbirdTesting
import Synchronization
import TandemCore
import TandemServer
import TandemTesting
import Testing

/// The authenticator's side of decision 0028 over real HTTP: `TandemDeviceClient` with a clock
/// that is off learns the server's time from the `clockSkew` refusal and signs again, once.
@Suite("Clock skew: the device client")
struct ClockSkewClientTests {
    /// A clock that reads `Date()` moved by `step × (n + 1)` seconds at its n-th reading (or by `step` always).
    final class SkewedClock: Sendable {
        let step: Double
        let drifting: Bool
        private let readings = Mutex(0)
        init(step: Double, drifting: Bool = false) {
            self.step = step
            self.drifting = drifting
        }
        func now() -> Date {
            let n = readings.withLock { value in
                defer { value += 1 }
                return value
            }
            return Date().addingTimeInterval(step * (drifting ? Double(n + 1) : 1))
        }
    }

    static func phone(_ client: any TestClientProtocol) async throws -> (TestPhone, URL) {
        let browser = Browser(client)
        try await browser.signInWithPassword()
        let phone = try await PushChannelTests.registerPhone(browser)
        return (phone, URL(string: "http://127.0.0.1:\(try #require(client.port))")!)
    }

    @Test("A device 10 minutes off is refused once, learns the server's time and is accepted; later requests start corrected",
          arguments: [600.0, -600.0])
    func correctsOnce(offset: Double) async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { _, client in
            let (phone, url) = try await Self.phone(client)
            let offsets = ServerClockOffsets()
            let clock = SkewedClock(step: offset)
            let device = TandemDeviceClient(serverURL: url, now: { clock.now() }, clockOffsets: offsets)
            let sign: DeviceSigner = { bytes in try DeviceSignature.sign(bytes, with: phone.deviceKey) }
            #expect(try await device.pending(deviceID: phone.deviceID, sign: sign).isEmpty)
            #expect(abs(Double(offsets.offset(for: url)) + offset) <= 2)
            #expect(offsets.noticeable().map(\.offset).count == 1)
            let signed = try device.signedHeaders(method: "GET", path: "/device/v1/notices", deviceID: phone.deviceID, sign: sign)
            let header = try #require(signed.first { $0.0 == "X-Tandem-Time" })
            let time = try #require(Double(header.1))
            #expect(abs(time - Date().timeIntervalSince1970) <= 2)
            #expect(try await device.notices(deviceID: phone.deviceID, sign: sign).isEmpty)
        }
    }

    @Test("A clock that is still off after the correction ends with a message to set it to automatic, after one retry")
    func givesUpAfterOneRetry() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { _, client in
            let (phone, url) = try await Self.phone(client)
            let clock = SkewedClock(step: 600, drifting: true)
            let device = TandemDeviceClient(serverURL: url, now: { clock.now() }, clockOffsets: ServerClockOffsets())
            let sign: DeviceSigner = { bytes in try DeviceSignature.sign(bytes, with: phone.deviceKey) }
            do {
                _ = try await device.pending(deviceID: phone.deviceID, sign: sign)
                Issue.record("a drifting clock was accepted")
            } catch let error as AuthenticatorError {
                #expect(error.status == 401 && error.serverCode == "clockSkew")
                #expect(error.message.contains("set the date and time to automatic"))
            }
        }
    }

    @Test("A device with the right time is never refused and learns no offset")
    func rightTime() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { _, client in
            let (phone, url) = try await Self.phone(client)
            let offsets = ServerClockOffsets()
            let device = TandemDeviceClient(serverURL: url, clockOffsets: offsets)
            let sign: DeviceSigner = { bytes in try DeviceSignature.sign(bytes, with: phone.deviceKey) }
            #expect(try await device.pending(deviceID: phone.deviceID, sign: sign).isEmpty)
            #expect(offsets.offset(for: url) == 0)
        }
    }
}
