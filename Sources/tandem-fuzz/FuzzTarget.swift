/// A broken property: the parser accepted something it must refuse, refused what it must accept,
/// or threw an error the server would answer with a 500.
struct Finding: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One parser under test. `run` feeds it one input and checks its properties; it returns whether
/// the input was accepted (accepted inputs join the corpus, so later cases reach deeper).
/// A trap while running is a finding too: `CrashGuard` reports the target and the input.
protocol FuzzTarget: Sendable {
    var name: String { get }
    /// What the target parses, for the report.
    var summary: String { get }
    /// Tokens the mutator inserts (field names, separators, keywords).
    var dictionary: [String] { get }
    /// The longest input to try.
    var maxLength: Int { get }
    /// Valid and nearly valid inputs to start from.
    func seeds() async throws -> [[UInt8]]
    /// Runs one case; throws `Finding` when a property does not hold.
    func run(_ input: [UInt8]) async throws -> Bool
}

extension FuzzTarget {
    var maxLength: Int { 4096 }
}

/// A target given by closures, for the stateless parsers.
struct ClosureTarget: FuzzTarget {
    let name: String
    let summary: String
    let dictionary: [String]
    let maxLength: Int
    let seedInputs: [String]
    let body: @Sendable ([UInt8]) async throws -> Bool

    init(_ name: String, _ summary: String, dictionary: [String], maxLength: Int = 4096, seeds: [String],
         _ body: @escaping @Sendable ([UInt8]) async throws -> Bool) {
        self.name = name
        self.summary = summary
        self.dictionary = dictionary
        self.maxLength = maxLength
        self.seedInputs = seeds
        self.body = body
    }

    func seeds() async throws -> [[UInt8]] { seedInputs.map { Array($0.utf8) } }
    func run(_ input: [UInt8]) async throws -> Bool { try await body(input) }
}

/// Fails with a finding unless `condition` holds.
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) throws {
    if !condition() { throw Finding(message()) }
}

extension Array where Element == UInt8 {
    /// The input as text (invalid UTF-8 replaced), as a server or app would see it.
    var text: String { String(decoding: self, as: UTF8.self) }
}
