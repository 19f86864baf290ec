import Foundation
import TandemCore
import TandemServices

/// The push hub's one interface with Web Push added (issue 13): every request goes to the live
/// channels as before (`inner`: the hub, or the relay to the other instances), and also, in the
/// background, as a Web Push message to each target device that has a subscription. Only the
/// instance that created the request sends it (the relay's other instances deliver to their
/// channels only), so each device gets one message. Withdrawals, notices and disconnects go to
/// the channels only: a push only ever says "open the app".
struct WebPushNotifier: PushNotifier {
    let inner: any PushNotifier
    let sender: WebPushSender

    func deliver(_ offer: ChallengeOffer, to deviceIDs: [String]) async {
        await inner.deliver(offer, to: deviceIDs)
        sender.submit(offer, to: deviceIDs)
    }

    func withdraw(challengeID: String, reason: String, from deviceIDs: [String]) async {
        await inner.withdraw(challengeID: challengeID, reason: reason, from: deviceIDs)
    }

    func disconnect(deviceID: String) async {
        await inner.disconnect(deviceID: deviceID)
    }

    func notify(_ notice: DeviceNotice, to deviceIDs: [String]) async {
        await inner.notify(notice, to: deviceIDs)
    }
}
