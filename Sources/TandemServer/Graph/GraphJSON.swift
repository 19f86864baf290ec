import Foundation
import Hummingbird
import TandemCore

/// Reading and writing Graph-shaped JSON with errors that name the field.
enum GraphJSON {
    /// Parses a request body as a JSON object (at most 64 KiB), or a 400 naming the problem.
    static func object(_ request: Request) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        guard buffer.readableBytes > 0 else { throw TandemError(.badRequest, "The request body is empty; a JSON object is expected.") }
        guard let parsed = try? lenientDecoder().decode(JSONValue.self, from: Data(buffer: buffer)) else {
            throw TandemError(.badRequest, "The request body is not valid JSON.")
        }
        guard let object = parsed.any as? [String: Any] else { throw TandemError(.badRequest, "The request body must be a JSON object.") }
        return object
    }

    /// Graph accepts what Microsoft's own documentation sends: trailing commas included (JSON5
    /// parsing), and names and ids with stray spaces around them (trimmed).
    static func lenientDecoder() -> JSONDecoder {
        let decoder = UTF8CheckingDecoder()
        decoder.allowsJSON5 = true
        return decoder
    }

    /// Refuses bytes that are not UTF-8 before parsing: Foundation's JSON5 scanner traps on some
    /// (`{\u{F8}"b":2}` kills the process), found by `tandem-fuzz`, target graph-policy-patch.
    final class UTF8CheckingDecoder: JSONDecoder, @unchecked Sendable {
        override func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
            guard String(data: data, encoding: .utf8) != nil else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The data is not UTF-8."))
            }
            return try super.decode(type, from: data)
        }
    }

    /// JSON that keeps booleans and numbers apart (JSONSerialization on Linux does not).
    enum JSONValue: Decodable {
        case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let b = try? container.decode(Bool.self) { self = .bool(b) }
            else if let n = try? container.decode(Double.self) { self = .number(n) }
            else if let s = try? container.decode(String.self) { self = .string(s) }
            else if let a = try? container.decode([JSONValue].self) { self = .array(a) }
            else { self = .object(try container.decode([String: JSONValue].self)) }
        }

        var any: Any {
            switch self {
            case .null: NSNull()
            case .bool(let b): b
            case .number(let n): n
            case .string(let s): s.trimmingCharacters(in: .whitespaces)
            case .array(let a): a.map(\.any)
            case .object(let o): Dictionary(o.map { ($0.key.trimmingCharacters(in: .whitespaces), $0.value.any) }, uniquingKeysWith: { a, _ in a })
            }
        }
    }

    /// A JSON response with sorted keys.
    static func response(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; odata.metadata=minimal; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func noContent() -> Response { Response(status: .noContent) }

    /// Whether a key is an OData annotation (`@odata.type`, `includeTargets@odata.context`), which is not a property.
    static func isAnnotation(_ key: String) -> Bool { key.contains("@") }

    static func string(_ value: Any?, _ field: String) throws -> String {
        guard let text = value as? String else { throw TandemError(.badRequest, "\(field): a string is expected.") }
        return text
    }

    static func optionalString(_ value: Any?, _ field: String) throws -> String? {
        if value == nil || value is NSNull { return nil }
        return try string(value, field)
    }

    static func bool(_ value: Any?, _ field: String) throws -> Bool {
        guard let b = value as? Bool, !(value is Double) else { throw TandemError(.badRequest, "\(field): true or false is expected.") }
        return b
    }

    static func int(_ value: Any?, _ field: String) throws -> Int {
        guard let number = value as? Double, !(value is Bool), let int = Int(exactly: number) else {
            throw TandemError(.badRequest, "\(field): a whole number is expected.")
        }
        return int
    }

    static func object(_ value: Any?, _ field: String) throws -> [String: Any] {
        guard let object = value as? [String: Any] else { throw TandemError(.badRequest, "\(field): an object is expected.") }
        return object
    }

    static func array(_ value: Any?, _ field: String) throws -> [Any] {
        guard let array = value as? [Any] else { throw TandemError(.badRequest, "\(field): an array is expected.") }
        return array
    }

    /// An enum value, matched case-insensitively (PowerShell sends `Enabled`), or a 400 listing the allowed values.
    static func enumValue<E: RawRepresentable & CaseIterable>(_ value: Any?, _ field: String, as: E.Type) throws -> E where E.RawValue == String {
        let text = try string(value, field)
        guard let found = E.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw TandemError(.badRequest, "\(field): '\(text)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return found
    }

    /// Refuses properties this resource does not have.
    static func onlyKnown(_ object: [String: Any], _ known: Set<String>, type: String, path: String = "") throws {
        for key in object.keys.sorted() where !isAnnotation(key) && !known.contains(key) {
            throw TandemError(.badRequest, "\(path)\(key): invalid property; '\(key)' does not exist on type '\(type)'.")
        }
    }

    /// ISO 8601 with fractional seconds and Z, as Graph writes dates.
    static func date(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
