import Foundation
import SQLKit
import TandemServices

extension SQLStore: WebPushStore {
    public func saveWebPushSubscription(_ s: WebPushSubscription) async throws {
        try await db.raw("""
            INSERT INTO web_push_subscriptions (device_id, endpoint, p256dh, auth, created_at)
            VALUES (\(bind: s.deviceID), \(bind: s.endpoint), \(bind: s.p256dh), \(bind: s.auth), \(bind: Self.millis(s.createdAt)))
            ON CONFLICT (device_id) DO UPDATE SET endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth,
                created_at = excluded.created_at
            """).run()
    }

    static func webPushSubscription(_ row: any SQLRow) throws -> WebPushSubscription {
        WebPushSubscription(deviceID: try row.decode(column: "device_id", as: String.self),
                            endpoint: try row.decode(column: "endpoint", as: String.self),
                            p256dh: try row.decode(column: "p256dh", as: String.self), auth: try row.decode(column: "auth", as: String.self),
                            createdAt: Self.date(try row.decode(column: "created_at", as: Int64.self)))
    }

    public func webPushSubscription(deviceID: String) async throws -> WebPushSubscription? {
        try await db.raw("""
            SELECT device_id, endpoint, p256dh, auth, created_at FROM web_push_subscriptions WHERE device_id = \(bind: deviceID)
            """).first().map(Self.webPushSubscription)
    }

    public func webPushSubscriptions(deviceIDs: [String]) async throws -> [WebPushSubscription] {
        guard !deviceIDs.isEmpty else { return [] }
        return try await db.raw("""
            SELECT device_id, endpoint, p256dh, auth, created_at FROM web_push_subscriptions
            WHERE device_id IN (\(binds: deviceIDs)) ORDER BY device_id
            """).all().map(Self.webPushSubscription)
    }

    public func deleteWebPushSubscription(deviceID: String) async throws -> Bool {
        try await db.raw("DELETE FROM web_push_subscriptions WHERE device_id = \(bind: deviceID) RETURNING device_id").first() != nil
    }

    public func deleteWebPushSubscription(deviceID: String, endpoint: String) async throws -> Bool {
        try await db.raw("""
            DELETE FROM web_push_subscriptions WHERE device_id = \(bind: deviceID) AND endpoint = \(bind: endpoint) RETURNING device_id
            """).first() != nil
    }
}
