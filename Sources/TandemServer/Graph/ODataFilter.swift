import Foundation
import TandemCore

/// A parsed OData `$filter` expression: the subset Microsoft Graph accepts on directory objects
/// and logs — `eq ne gt ge lt le`, `in (…)`, `startsWith(…)`, `endsWith(…)`, `and`, `or`, `not`
/// and parentheses. Keywords and function names are case-insensitive, as in Graph. Parsing knows
/// no properties; `ODataSchema` checks names, types and operators and evaluates the expression.
indirect enum ODataFilter: Equatable, Sendable {
    case and(ODataFilter, ODataFilter)
    case or(ODataFilter, ODataFilter)
    case not(ODataFilter)
    case compare(property: String, ODataOperator, ODataLiteral)
    case isIn(property: String, [ODataLiteral])
    case function(ODataFunction, property: String, ODataLiteral)

    /// Parses `text`, or throws a 400 naming the position of the first thing it cannot read.
    static func parse(_ text: String) throws -> ODataFilter {
        var parser = Parser(tokens: try Tokenizer.tokens(text), text: text)
        let filter = try parser.expression()
        guard parser.index == parser.tokens.count else { throw parser.syntax("unexpected '\(parser.tokens[parser.index].text)'") }
        return filter
    }

    /// Every operator the expression uses (for the advanced-query rule), with its property.
    var uses: [(property: String, ODataOperator)] {
        switch self {
        case .and(let a, let b), .or(let a, let b): a.uses + b.uses
        case .not(let inner): inner.uses + inner.uses.map { ($0.property, .not) }
        case .compare(let property, let op, _): [(property, op)]
        case .isIn(let property, _): [(property, .in)]
        case .function(let function, let property, _): [(property, function == .startsWith ? .startsWith : .endsWith)]
        }
    }
}

/// What a clause does with a property; `not` stands for a negated clause.
enum ODataOperator: String, Sendable, CaseIterable {
    case eq, ne, gt, ge, lt, le, `in`, startsWith, endsWith, not
}

enum ODataFunction: String, Sendable { case startsWith, endsWith }

/// A literal in a filter: `'text'` (with `''` for a quote), a whole number, `true`/`false`,
/// `null`, or an ISO 8601 date and time written bare (`2026-12-01T00:00:00Z`).
enum ODataLiteral: Equatable, Sendable {
    case string(String), number(Int), bool(Bool), null, date(Date)
}

extension ODataFilter {
    struct Token: Equatable {
        enum Kind: Equatable { case open, close, comma, string, word }
        var kind: Kind
        var text: String
        var position: Int
    }

    enum Tokenizer {
        static func tokens(_ text: String) throws -> [Token] {
            var tokens: [Token] = []
            let chars = Array(text)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if c == " " || c == "\t" { i += 1; continue }
                if c == "(" { tokens.append(Token(kind: .open, text: "(", position: i)); i += 1; continue }
                if c == ")" { tokens.append(Token(kind: .close, text: ")", position: i)); i += 1; continue }
                if c == "," { tokens.append(Token(kind: .comma, text: ",", position: i)); i += 1; continue }
                if c == "'" {
                    let start = i
                    var value = ""
                    i += 1
                    var closed = false
                    while i < chars.count {
                        if chars[i] == "'" {
                            if i + 1 < chars.count, chars[i + 1] == "'" { value.append("'"); i += 2; continue }
                            closed = true
                            i += 1
                            break
                        }
                        value.append(chars[i])
                        i += 1
                    }
                    guard closed else { throw invalid(text, "the string starting at position \(start) is not closed") }
                    tokens.append(Token(kind: .string, text: value, position: start))
                    continue
                }
                let start = i
                var word = ""
                while i < chars.count, isWordCharacter(chars[i]) { word.append(chars[i]); i += 1 }
                guard !word.isEmpty else { throw invalid(text, "Syntax error: character '\(c)' is not valid at position \(start)") }
                tokens.append(Token(kind: .word, text: word, position: start))
            }
            return tokens
        }

        static func isWordCharacter(_ c: Character) -> Bool {
            c.isLetter || c.isNumber || "/._:-+$@".contains(c)
        }
    }

    static func invalid(_ text: String, _ detail: String) -> TandemError {
        TandemError(.badRequest, "Invalid filter clause: \(detail) in '\(text)'.")
    }

    /// Bounds that keep every recursion over the tree (parse, check, match) shallow whatever the
    /// query string holds: at most 32 levels of nesting and 100 clauses.
    static let maxDepth = 32
    static let maxClauses = 100

    struct Parser {
        let tokens: [Token]
        let text: String
        var index = 0
        var depth = 0
        var clauses = 0

        init(tokens: [Token], text: String) {
            self.tokens = tokens
            self.text = text
        }

        func syntax(_ detail: String) -> TandemError {
            let position = index < tokens.count ? tokens[index].position : text.count
            return ODataFilter.invalid(text, "Syntax error at position \(position): \(detail)")
        }

        var peek: Token? { index < tokens.count ? tokens[index] : nil }

        func isKeyword(_ token: Token?, _ word: String) -> Bool {
            token?.kind == .word && token?.text.lowercased() == word
        }

        mutating func expect(_ kind: Token.Kind, _ what: String) throws -> Token {
            guard let token = peek, token.kind == kind else { throw syntax("\(what) expected") }
            index += 1
            return token
        }

        mutating func deeper() throws {
            depth += 1
            guard depth <= ODataFilter.maxDepth else {
                throw TandemError(.badRequest, "Invalid filter clause: nested more than \(ODataFilter.maxDepth) levels deep.", wireCode: "Request_UnsupportedQuery")
            }
        }

        mutating func counted(_ filter: ODataFilter) throws -> ODataFilter {
            clauses += 1
            guard clauses <= ODataFilter.maxClauses else {
                throw TandemError(.badRequest, "Invalid filter clause: more than \(ODataFilter.maxClauses) clauses.", wireCode: "Request_UnsupportedQuery")
            }
            return filter
        }

        mutating func expression() throws -> ODataFilter {
            try deeper()
            defer { depth -= 1 }
            var left = try conjunction()
            while isKeyword(peek, "or") {
                index += 1
                left = .or(left, try conjunction())
            }
            return left
        }

        mutating func conjunction() throws -> ODataFilter {
            var left = try unary()
            while isKeyword(peek, "and") {
                index += 1
                left = .and(left, try unary())
            }
            return left
        }

        mutating func unary() throws -> ODataFilter {
            if isKeyword(peek, "not") {
                index += 1
                try deeper()
                defer { depth -= 1 }
                return .not(try unary())
            }
            return try primary()
        }

        mutating func primary() throws -> ODataFilter {
            guard let token = peek else { throw syntax("an expression expected") }
            if token.kind == .open {
                index += 1
                let inner = try expression()
                _ = try expect(.close, "')'")
                return inner
            }
            guard token.kind == .word else { throw syntax("a property name expected") }
            index += 1
            if peek?.kind == .open {
                guard let function = ODataFunction.allNamed(token.text) else {
                    throw TandemError(.badRequest, "Invalid filter clause: the function '\(token.text)' is not supported; use startsWith or endsWith.",
                                      wireCode: "Request_UnsupportedQuery")
                }
                index += 1
                let property = try expect(.word, "a property name").text
                _ = try expect(.comma, "','")
                let value = try literal()
                _ = try expect(.close, "')'")
                return try counted(.function(function, property: property, value))
            }
            let property = token.text
            guard let opToken = peek, opToken.kind == .word else { throw syntax("an operator (eq, ne, gt, ge, lt, le, in) expected after '\(property)'") }
            let word = opToken.text.lowercased()
            index += 1
            if word == "in" {
                _ = try expect(.open, "'(' after in")
                var values = [try literal()]
                while peek?.kind == .comma {
                    index += 1
                    values.append(try literal())
                }
                _ = try expect(.close, "')'")
                guard values.count <= 15 else {
                    throw TandemError(.badRequest, "Invalid filter clause: at most 15 values are allowed in an 'in' list.", wireCode: "Request_UnsupportedQuery")
                }
                return try counted(.isIn(property: property, values))
            }
            guard let op = ODataOperator(rawValue: word), [.eq, .ne, .gt, .ge, .lt, .le].contains(op) else {
                index -= 1
                throw syntax("'\(opToken.text)' is not an operator (eq, ne, gt, ge, lt, le, in)")
            }
            return try counted(.compare(property: property, op, try literal()))
        }

        mutating func literal() throws -> ODataLiteral {
            guard let token = peek else { throw syntax("a value expected") }
            index += 1
            if token.kind == .string { return .string(token.text) }
            guard token.kind == .word else { index -= 1; throw syntax("a value expected") }
            switch token.text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default: break
            }
            if let number = Int(token.text) { return .number(number) }
            if let date = GraphDates.parse(token.text) { return .date(date) }
            index -= 1
            throw syntax("'\(token.text)' is not a value; quote text as '…'")
        }
    }
}

extension ODataFunction {
    static func allNamed(_ name: String) -> ODataFunction? {
        switch name.lowercased() {
        case "startswith": .startsWith
        case "endswith": .endsWith
        default: nil
        }
    }
}

/// ISO 8601 dates and times as Graph's filters and bodies write them (with or without fractions).
enum GraphDates {
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
