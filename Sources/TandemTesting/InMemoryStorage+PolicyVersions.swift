import Foundation
import TandemServices

extension InMemoryStorage {
    public func replacePolicyDocument(id: String, body: String, updatedAt: Date, ifBodyIs expected: String?) -> Bool {
        guard policies[id] == expected else { return false }
        policies[id] = body
        return true
    }
}
