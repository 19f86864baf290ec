import Foundation
import Synchronization
import TandemCore

/// What one request has already read of configuration that changes rarely — policy documents
/// and named locations (issue 11): a sign-in step asks "what does the policy say" from several
/// services, and each used to go back to the store. Within one request the first answer is
/// kept; the next request reads again, so a change applies to the next step, as before.
///
/// Installed per request by the server for the sign-in and device routes only (never where an
/// administrator changes the same documents); without one, every read goes to the store.
public final class RequestMemo: Sendable {
    @TaskLocal public static var current: RequestMemo?

    private let documents = Mutex<[String: String]?>(nil)
    private let locations = Mutex<[NamedLocation]?>(nil)

    public init() {}

    /// The first question loads every document in one read; the rest of the request is answered
    /// from it (a document not stored is `nil`, as the store would say).
    func policyDocument(id: String, loadAll: () async throws -> [String: String]) async throws -> String? {
        if let known = documents.withLock({ $0 }) { return known[id] }
        let all = try await loadAll()
        documents.withLock { $0 = all }
        return all[id]
    }

    public func namedLocations(load: () async throws -> [NamedLocation]) async throws -> [NamedLocation] {
        if let known = locations.withLock({ $0 }) { return known }
        let list = try await load()
        locations.withLock { $0 = list }
        return list
    }
}

extension ServiceEnvironment {
    /// A policy document, through the request's memo when there is one.
    func policyDocument(id: String) async throws -> String? {
        guard let memo = RequestMemo.current else { return try await storage.policyDocument(id: id) }
        return try await memo.policyDocument(id: id) { try await storage.policyDocuments() }
    }
}
