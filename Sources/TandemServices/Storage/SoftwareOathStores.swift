import Foundation

/// What third-party authenticator apps need from storage (issue 12, migration 196, decision 0031).
/// The active methods also come back from `PortalStore.totpCredentials(userID:)` (kind
/// `.softwareOath`), so the sign-in's code check, its availability and the OIDC `acr` checks see
/// them with the device secrets. Every write that must happen once is a compare-and-set.
public protocol SoftwareOathStore: Sendable {
    /// Stores a new pending method.
    func insertSoftwareOathMethod(_ method: SoftwareOathMethod) async throws
    /// The user's pending method `id` if it has not expired at `now`; `nil` otherwise.
    func pendingSoftwareOathMethod(id: String, userID: String, now: Date) async throws -> SoftwareOathMethod?
    /// Makes the user's pending method active with `step` as its last used step, if it is still
    /// pending and unexpired at `now`; returns whether this call did (the first code works once).
    func activateSoftwareOathMethod(id: String, userID: String, step: Int64, now: Date) async throws -> Bool
    /// The method `id`, active only.
    func softwareOathMethod(id: String) async throws -> SoftwareOathMethod?
    /// The user's active methods, oldest first.
    func softwareOathMethods(userID: String) async throws -> [SoftwareOathMethod]
    /// Deletes the user's method (pending or active); returns whether it did.
    func deleteSoftwareOathMethod(id: String, userID: String) async throws -> Bool
    /// Records `step` as used for the active method if it is later than its last used step;
    /// returns whether it did.
    func useSoftwareOathStep(id: String, step: Int64, at: Date) async throws -> Bool
    /// Deletes pending methods that expired before `now`; returns how many.
    func purgeSoftwareOathPending(before now: Date) async throws -> Int
}
