import Foundation
import TandemCore

/// A method configuration kept as one policy document (Fido2, decision 0025; TemporaryAccessPass,
/// decision 0036): read with its default when none is stored and a fail-closed value when the
/// stored text does not decode; changed by compare-and-set on the stored text (retried when
/// another change came first), with its audit entry in the same transaction (decision 0018).
struct MethodConfigurationDocument<Document: Codable & Equatable & Sendable>: Sendable {
    let env: ServiceEnvironment
    let id: String
    /// When nothing is stored.
    let standard: Document
    /// When the stored text cannot be read.
    let unreadable: Document
    /// The audit entry's target name ("Passkey (FIDO2)").
    let name: String

    func read() async throws -> Document {
        guard let body = try await env.policyDocument(id: id) else { return standard }
        return (try? JSONDecoder().decode(Document.self, from: Data(body.utf8))) ?? unreadable
    }

    func update(by actor: User?, validate: (Document) async throws -> Void, _ change: (Document) throws -> Document) async throws -> Document {
        for _ in 0..<8 {
            let stored = try await env.storage.policyDocument(id: id)
            let current = stored.flatMap { try? JSONDecoder().decode(Document.self, from: Data($0.utf8)) } ?? standard
            let updated = try change(current)
            try await validate(updated)
            let (old, body) = (Self.json(current), Self.json(updated))
            let (now, env, id, name) = (env.clock.now(), env, id, name)
            let saved = try await env.transaction { env in
                guard try await env.storage.replacePolicyDocument(id: id, body: body, updatedAt: now, ifBodyIs: stored) else { return false }
                try await Auditor(env: env).record("Policy", "Update authentication methods policy", "Update", actor: actor,
                                                   targetType: "Policy", targetID: id, targetName: name, property: id, old: old, new: body)
                return true
            }
            if saved { return updated }
        }
        throw TandemError(.conflict, "The policy is being changed by someone else; try again.")
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
