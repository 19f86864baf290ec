import Foundation
import Testing
import AuthenticatorKit
import TandemCore

@Suite("PushChannelStateMachine")
struct PushChannelStateMachineTests {
    let device = "5f0c3a9e-2b7d-4e11-9a6c-0d2e8f4b7c31"

    func readyMachine() -> PushChannelStateMachine {
        var machine = PushChannelStateMachine(deviceID: device)
        _ = machine.received(ChannelMessage(type: .hello, nonce: "bm9uY2U"))
        _ = machine.received(ChannelMessage(type: .ready))
        return machine
    }

    @Test("hello asks to sign the connect bytes over the server's nonce")
    func helloAuthenticates() {
        var machine = PushChannelStateMachine(deviceID: device)
        #expect(machine.received(ChannelMessage(type: .hello, nonce: "bm9uY2U"))
                == .authenticate(bytes: SignedBytes.connect(deviceID: device, nonce: "bm9uY2U")!))
        #expect(machine.phase == .awaitingReady)
    }

    @Test("ready after auth delivers connected")
    func readyConnects() {
        var machine = PushChannelStateMachine(deviceID: device)
        _ = machine.received(ChannelMessage(type: .hello, nonce: "bm9uY2U"))
        #expect(machine.received(ChannelMessage(type: .ready)) == .deliver(.connected))
        #expect(machine.phase == .ready)
    }

    @Test("A request is delivered once per challenge id, also after a reconnect")
    func requestsDeduplicated() {
        var machine = readyMachine()
        let offer = ChallengeOffer.fixture()
        #expect(machine.received(ChannelMessage(type: .request, request: offer)) == .deliver(.request(offer)))
        #expect(machine.received(ChannelMessage(type: .request, request: offer)) == .ignore)
        machine.connectionOpened()
        _ = machine.received(ChannelMessage(type: .hello, nonce: "b3RoZXI"))
        _ = machine.received(ChannelMessage(type: .ready))
        #expect(machine.received(ChannelMessage(type: .request, request: offer)) == .ignore)
        let other = ChallengeOffer.fixture(id: "b3RoZXJyZXF1ZXN0")
        #expect(machine.received(ChannelMessage(type: .request, request: other)) == .deliver(.request(other)))
    }

    @Test("withdrawn is delivered with its reason")
    func withdrawnDelivered() {
        var machine = readyMachine()
        #expect(machine.received(ChannelMessage(type: .withdrawn, challengeId: "abc", reason: "answeredElsewhere"))
                == .deliver(.withdrawn(challengeID: "abc", reason: "answeredElsewhere")))
    }

    @Test("An error message refuses the channel in any phase")
    func errorRefuses() {
        var machine = PushChannelStateMachine(deviceID: device)
        _ = machine.received(ChannelMessage(type: .hello, nonce: "bm9uY2U"))
        #expect(machine.received(ChannelMessage(type: .error, error: "bad signature")) == .refused(reason: "bad signature"))
        #expect(machine.phase == .closed)
    }

    @Test("Out-of-order or malformed handshake messages close the connection for a reconnect",
          arguments: [
            ChannelMessage(type: .ready),
            ChannelMessage(type: .request, request: .fixture()),
            ChannelMessage(type: .hello),
            ChannelMessage(type: .hello, nonce: "bad\nnonce"),
          ])
    func handshakeViolations(_ message: ChannelMessage) {
        var machine = PushChannelStateMachine(deviceID: device)
        guard case .reconnect = machine.received(message) else {
            Issue.record("accepted \(message.type)")
            return
        }
        #expect(machine.phase == .closed)
    }

    @Test("Undecodable text fails the handshake but is ignored once ready")
    func undecodableText() {
        var fresh = PushChannelStateMachine(deviceID: device)
        guard case .reconnect = fresh.received(text: "{\"type\":\"future\"}") else {
            Issue.record("accepted garbage during the handshake")
            return
        }
        var machine = readyMachine()
        #expect(machine.received(text: "{\"type\":\"future\"}") == .ignore)
        #expect(machine.received(text: "not json") == .ignore)
    }

    @Test("Messages decode from the wire JSON")
    func decodesWireText() {
        var machine = PushChannelStateMachine(deviceID: device)
        #expect(machine.received(text: #"{"type":"hello","nonce":"bm9uY2U"}"#)
                == .authenticate(bytes: SignedBytes.connect(deviceID: device, nonce: "bm9uY2U")!))
    }
}
