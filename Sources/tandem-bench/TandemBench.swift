import ArgumentParser

/// `tandem-bench`: the sign-in benchmark (see docs/performance.md).
@main
struct TandemBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem-bench",
        abstract: "Measures complete passwordless sign-ins against a real tandem server.")

    func run() async throws {}
}
