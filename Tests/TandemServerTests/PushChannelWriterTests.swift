import Foundation
import Synchronization
import TandemCore
@testable import TandemServer
import Testing

@Suite("The push channel's writer")
struct PushChannelWriterTests {
    /// What the sink saw: writes (by the message's nonce, or its type) and the close.
    enum Event: Equatable {
        case write(String)
        case close(refused: Bool)
    }

    struct WriteFailed: Error {}

    /// A sink that records, yields inside every write (so other senders run meanwhile), checks that
    /// writes never overlap, fails the write numbered `failAt`, and throws after its close, as the
    /// WebSocket does.
    final class RecordingSink: PushChannelSink {
        private struct State {
            var events: [Event] = []
            var inFlight = 0
            var overlapped = false
            var closed = false
            var writes = 0
        }
        private let state = Mutex(State())
        let failAt: Int?

        init(failAt: Int? = nil) { self.failAt = failAt }

        var events: [Event] { state.withLock { $0.events } }
        var overlapped: Bool { state.withLock { $0.overlapped } }

        func write(_ message: ChannelMessage) async throws {
            let number: Int = try state.withLock { state in
                if state.closed { throw WriteFailed() }
                state.inFlight += 1
                if state.inFlight > 1 { state.overlapped = true }
                state.writes += 1
                return state.writes
            }
            await Task.yield()
            try state.withLock { state in
                state.inFlight -= 1
                if number == failAt { throw WriteFailed() }
                state.events.append(.write(message.nonce ?? message.type.rawValue))
            }
        }

        func close(refused: Bool) async throws {
            try state.withLock { state in
                if state.closed { throw WriteFailed() }
                state.closed = true
                state.events.append(.close(refused: refused))
            }
        }
    }

    final class NoticeLog: Sendable {
        private let notices = Mutex<[String]>([])
        var all: [String] { notices.withLock { $0 } }
        func append(_ notice: DeviceNotice, _ deviceID: String) { notices.withLock { $0.append("\(notice.id)@\(deviceID)") } }
    }

    static func writer(_ sink: RecordingSink, notices: NoticeLog = NoticeLog()) -> PushChannelWriter<RecordingSink> {
        PushChannelWriter(sink: sink) { notices.append($0, $1) }
    }

    static func numbered(_ text: String) -> ChannelMessage { ChannelMessage(type: .request, nonce: text) }

    static func notice(_ id: String) -> ChannelMessage {
        ChannelMessage(type: .notice, notice: DeviceNotice(id: id, kind: .phoneSignInEnabled, deviceId: "other", deviceName: "Phone",
                                                           at: Date(timeIntervalSince1970: 0)))
    }

    @Test("Messages sent from many tasks at once are written one at a time, each sender's in the order it sent them")
    func concurrentSendersKeepTheirOrder() async throws {
        let sink = RecordingSink()
        let writer = Self.writer(sink)
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<8 {
                group.addTask {
                    for n in 0..<50 {
                        #expect(writer.send(Self.numbered("\(sender).\(n)")))
                        if n % 7 == 0 { await Task.yield() }
                    }
                }
            }
        }
        await writer.drained()
        let written = sink.events.compactMap { event -> (Int, Int)? in
            guard case .write(let text) = event else { return nil }
            let parts = text.split(separator: ".").compactMap { Int($0) }
            return (parts[0], parts[1])
        }
        #expect(written.count == 400)
        #expect(!sink.overlapped)
        for sender in 0..<8 {
            #expect(written.filter { $0.0 == sender }.map(\.1) == Array(0..<50))
        }
    }

    @Test("An error is the last message written; the channel is then closed normally and takes nothing more")
    func errorClosesNormally() async throws {
        let sink = RecordingSink()
        let writer = Self.writer(sink)
        #expect(writer.send(ChannelMessage(type: .hello, nonce: "n")))
        #expect(writer.send(ChannelMessage(type: .error, error: "authentication failed")))
        #expect(!writer.send(ChannelMessage(type: .ready)))
        writer.finish()
        await writer.drained()
        #expect(sink.events == [.write("n"), .write("error"), .close(refused: true)])
        #expect(!writer.send(ChannelMessage(type: .ready)))
    }

    @Test("finish() writes what is queued, then closes with going away; later sends are refused and nothing is written after the close")
    func finishGoesAway() async throws {
        let sink = RecordingSink()
        let writer = Self.writer(sink)
        writer.send(Self.numbered("1"))
        writer.send(Self.numbered("2"))
        writer.finish()
        writer.finish()
        #expect(!writer.send(Self.numbered("3")))
        await writer.drained()
        #expect(sink.events == [.write("1"), .write("2"), .close(refused: false)])
        #expect(!writer.send(Self.numbered("4")))
        writer.refuseUnlessAuthenticated("authentication timed out")
        await writer.drained()
        #expect(sink.events.count == 3)
    }

    @Test("A failed write ends the channel without a crash: the rest is dropped, no close is sent, later sends are refused")
    func failedWriteEndsTheChannel() async throws {
        let sink = RecordingSink(failAt: 2)
        let writer = Self.writer(sink)
        for n in 1...4 { writer.send(Self.numbered("\(n)")) }
        await writer.drained()
        #expect(sink.events == [.write("1")])
        #expect(!writer.send(Self.numbered("5")))
        writer.finish()
        await writer.drained()
        #expect(sink.events == [.write("1")])
    }

    @Test("The authentication deadline refuses a channel that has not authenticated, and only such a channel")
    func deadline() async throws {
        let late = RecordingSink()
        let lateWriter = Self.writer(late)
        lateWriter.send(ChannelMessage(type: .hello, nonce: "n"))
        lateWriter.refuseUnlessAuthenticated("authentication timed out")
        #expect(!lateWriter.authenticated(as: "device"))
        await lateWriter.drained()
        #expect(late.events == [.write("n"), .write("error"), .close(refused: true)])

        let inTime = RecordingSink()
        let inTimeWriter = Self.writer(inTime)
        inTimeWriter.send(ChannelMessage(type: .hello, nonce: "n"))
        #expect(inTimeWriter.authenticated(as: "device"))
        inTimeWriter.refuseUnlessAuthenticated("authentication timed out")
        inTimeWriter.send(ChannelMessage(type: .ready))
        await inTimeWriter.drained()
        #expect(inTime.events == [.write("n"), .write("ready")])
    }

    @Test("A notice counts as handed out once written, for the channel's device; one that failed to write does not")
    func noticesMarkedWhenWritten() async throws {
        let sink = RecordingSink(failAt: 3)
        let notices = NoticeLog()
        let writer = Self.writer(sink, notices: notices)
        #expect(writer.authenticated(as: "device-1"))
        writer.send(Self.notice("a"))
        writer.send(Self.notice("b"))
        writer.send(Self.notice("c"))
        await writer.drained()
        #expect(notices.all == ["a@device-1", "b@device-1"])
    }
}
