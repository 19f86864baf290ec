import Foundation
import TandemServices

extension InMemoryStorage {
    public func saveWebPushSubscription(_ subscription: WebPushSubscription) {
        webPushSubscriptions[subscription.deviceID] = subscription
    }
    public func webPushSubscription(deviceID: String) -> WebPushSubscription? { webPushSubscriptions[deviceID] }
    public func webPushSubscriptions(deviceIDs: [String]) -> [WebPushSubscription] {
        Set(deviceIDs).compactMap { webPushSubscriptions[$0] }.sorted { $0.deviceID < $1.deviceID }
    }
    public func deleteWebPushSubscription(deviceID: String) -> Bool {
        webPushSubscriptions.removeValue(forKey: deviceID) != nil
    }
    public func deleteWebPushSubscription(deviceID: String, endpoint: String) -> Bool {
        guard webPushSubscriptions[deviceID]?.endpoint == endpoint else { return false }
        webPushSubscriptions[deviceID] = nil
        return true
    }
}
