import Foundation
import TandemCore

/// The value of a property of an item, as a filter compares it.
enum ODataValue: Sendable {
    case string(String?), bool(Bool), number(Int), date(Date?)
}

/// What `$filter` may do with one property of a collection: the operators that work by default
/// and those Graph allows only in an advanced query (`ConsistencyLevel: eventual` and
/// `$count=true`), as in Graph's table of directory-object properties.
struct ODataProperty<Item>: Sendable {
    enum Kind: String, Sendable { case string, bool, number, date }
    let name: String
    let kind: Kind
    let operators: Set<ODataOperator>
    let advanced: Set<ODataOperator>
    let value: @Sendable (Item) -> ODataValue

    init(_ name: String, _ kind: Kind, _ operators: Set<ODataOperator>, advanced: Set<ODataOperator> = [],
         _ value: @escaping @Sendable (Item) -> ODataValue) {
        self.name = name
        self.kind = kind
        self.operators = operators
        self.advanced = advanced
        self.value = value
    }
}

/// The filterable properties of one collection (`users`, `groups`, `auditLogs/signIns`), and the
/// one evaluator of `ODataFilter` every collection shares.
struct ODataSchema<Item>: Sendable {
    /// `microsoft.graph.user`, for messages.
    let type: String
    /// `User`, for Graph's "… of resource 'User'" messages.
    let resource: String
    let properties: [ODataProperty<Item>]

    func property(_ name: String) -> ODataProperty<Item>? {
        properties.first { $0.name.lowercased() == name.lowercased() }
    }

    /// Checks names, operators and literal types against the schema; `advancedQuery` says
    /// whether the request carried `ConsistencyLevel: eventual` and `$count=true`.
    func check(_ filter: ODataFilter, advancedQuery: Bool) throws {
        for (name, op) in filter.uses {
            guard let property = property(name) else {
                throw TandemError(.badRequest, "Invalid filter clause: Could not find a property named '\(name)' on type '\(type)'.")
            }
            if property.operators.contains(op) { continue }
            if property.advanced.contains(op) {
                if advancedQuery { continue }
                throw TandemError(.badRequest, "Unsupported or invalid query filter clause specified for property '\(property.name)' of resource '\(resource)'. '\(op.rawValue)' needs an advanced query: the header 'ConsistencyLevel: eventual' and $count=true.",
                                  wireCode: "Request_UnsupportedQuery")
            }
            throw TandemError(.badRequest, "Unsupported or invalid query filter clause specified for property '\(property.name)' of resource '\(resource)'.",
                              wireCode: "Request_UnsupportedQuery")
        }
        try checkLiterals(filter)
    }

    private func checkLiterals(_ filter: ODataFilter) throws {
        func fits(_ literal: ODataLiteral, _ property: ODataProperty<Item>) throws {
            let ok: Bool = switch (property.kind, literal) {
            case (_, .null): property.kind != .bool && property.kind != .number
            case (.string, .string), (.bool, .bool), (.number, .number), (.date, .date): true
            default: false
            }
            guard ok else {
                throw TandemError(.badRequest, "Invalid filter clause: the property '\(property.name)' is of type \(property.kind.rawValue); the value does not fit.")
            }
        }
        switch filter {
        case .and(let a, let b), .or(let a, let b): try checkLiterals(a); try checkLiterals(b)
        case .not(let inner): try checkLiterals(inner)
        case .compare(let name, _, let literal): if let p = property(name) { try fits(literal, p) }
        case .isIn(let name, let literals): if let p = property(name) { for l in literals { try fits(l, p) } }
        case .function(_, let name, let literal):
            if let p = property(name) {
                guard p.kind == .string, case .string = literal else {
                    throw TandemError(.badRequest, "Invalid filter clause: startsWith and endsWith take a text property and a quoted text.")
                }
            }
        }
    }

    /// Whether `item` satisfies `filter` (already `check`ed). Text compares case-insensitively,
    /// as directory strings do in Graph.
    func matches(_ item: Item, _ filter: ODataFilter) -> Bool {
        switch filter {
        case .and(let a, let b): return matches(item, a) && matches(item, b)
        case .or(let a, let b): return matches(item, a) || matches(item, b)
        case .not(let inner): return !matches(item, inner)
        case .compare(let name, let op, let literal):
            guard let p = property(name) else { return false }
            return Self.compare(p.value(item), op, literal)
        case .isIn(let name, let literals):
            guard let p = property(name) else { return false }
            let value = p.value(item)
            return literals.contains { Self.compare(value, .eq, $0) }
        case .function(let function, let name, let literal):
            guard let p = property(name), case .string(let text?) = p.value(item), case .string(let prefix) = literal else { return false }
            return function == .startsWith ? text.lowercased().hasPrefix(prefix.lowercased()) : text.lowercased().hasSuffix(prefix.lowercased())
        }
    }

    static func compare(_ value: ODataValue, _ op: ODataOperator, _ literal: ODataLiteral) -> Bool {
        func order<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch op {
            case .eq: a == b
            case .ne: a != b
            case .gt: a > b
            case .ge: a >= b
            case .lt: a < b
            case .le: a <= b
            default: false
            }
        }
        switch (value, literal) {
        case (.string(nil), .null), (.date(nil), .null): return op == .eq
        case (.string(_?), .null), (.date(_?), .null): return op == .ne
        case (.string(nil), _), (.date(nil), _): return op == .ne
        case (.string(let a?), .string(let b)): return order(a.lowercased(), b.lowercased())
        case (.bool(let a), .bool(let b)): return op == .eq ? a == b : (op == .ne ? a != b : false)
        case (.number(let a), .number(let b)): return order(a, b)
        case (.date(let a?), .date(let b)): return order(a, b)
        default: return false
        }
    }
}
