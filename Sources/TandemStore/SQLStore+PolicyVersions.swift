import Foundation
import SQLKit
import TandemServices

extension SQLStore {
    /// The compare-and-set of `PolicyStore`: an `UPDATE … WHERE body = expected` (or an insert
    /// that loses to an existing row), so two read-modify-writes never both win.
    public func replacePolicyDocument(id: String, body: String, updatedAt: Date, ifBodyIs expected: String?) async throws -> Bool {
        let at = Self.millis(updatedAt)
        guard let expected else {
            return try await db.raw("""
                INSERT INTO policies (id, body, updated_at) VALUES (\(bind: id), \(bind: body), \(bind: at))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """).first() != nil
        }
        return try await db.raw("""
            UPDATE policies SET body = \(bind: body), updated_at = \(bind: at) WHERE id = \(bind: id) AND body = \(bind: expected) RETURNING id
            """).first() != nil
    }
}
