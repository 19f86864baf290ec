import Foundation
import TandemCore

/// A setting kept as one policy document (Fido2, decision 0025; TemporaryAccessPass, decision
/// 0036; push protection, the report settings, system-preferred MFA and the registration
/// campaign, decision 0018): read with its default when none is stored and a fail-closed value
/// when the stored text does not decode; changed by compare-and-set on the stored text (retried
/// when another change came first, or `412` when the caller sent `If-Match` and the document's
/// entity tag is no longer that), with its audit entry in the same transaction (decision 0018).
struct MethodConfigurationDocument<Document: Codable & Equatable & Sendable>: Sendable {
    let env: ServiceEnvironment
    let id: String
    /// When nothing is stored.
    let standard: Document
    /// When the stored text cannot be read.
    let unreadable: Document
    /// The audit entry's target name ("Passkey (FIDO2)").
    let name: String
    /// The audit entry's activity and property.
    var activity = "Update authentication methods policy"
    var property: String?

    func read() async throws -> Document {
        guard let body = try await env.policyDocument(id: id) else { return standard }
        return Self.decode(body) ?? unreadable
    }

    /// The document and its entity tag (`PolicyTag`), from one read of the store.
    func readTagged() async throws -> (document: Document, etag: String) {
        let stored = try await env.storage.policyDocument(id: id)
        return (stored.map { Self.decode($0) ?? unreadable } ?? standard, PolicyTag.of(stored))
    }

    static func decode(_ body: String) -> Document? { try? JSONDecoder().decode(Document.self, from: Data(body.utf8)) }

    func update(by actor: User?, validate: (Document) async throws -> Void, _ change: (Document) throws -> Document) async throws -> Document {
        try await updateTagged(by: actor, validate: validate, change).document
    }

    /// `update` with `If-Match` (`ifMatch`: the header's value); returns the new entity tag too.
    func updateTagged(ifMatch: String? = nil, by actor: User?, validate: (Document) async throws -> Void,
                      _ change: (Document) throws -> Document) async throws -> (document: Document, etag: String) {
        for _ in 0..<8 {
            let stored = try await env.storage.policyDocument(id: id)
            if let ifMatch, !PolicyTag.matches(ifMatch, stored) { throw PolicyTag.mismatch }
            let current = stored.flatMap { Self.decode($0) } ?? standard
            let updated = try change(current)
            try await validate(updated)
            let (old, body) = (Self.json(current), Self.json(updated))
            let (now, env, id, name, activity, property) = (env.clock.now(), env, id, name, activity, property ?? id)
            let saved = try await env.transaction { env in
                guard try await env.storage.replacePolicyDocument(id: id, body: body, updatedAt: now, ifBodyIs: stored) else { return false }
                try await Auditor(env: env).record("Policy", activity, "Update", actor: actor,
                                                   targetType: "Policy", targetID: id, targetName: name, property: property, old: old, new: body)
                return true
            }
            if saved { return (updated, PolicyTag.of(body)) }
            if ifMatch != nil { throw PolicyTag.mismatch }
        }
        throw TandemError(.conflict, "The policy is being changed by someone else; try again.")
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
