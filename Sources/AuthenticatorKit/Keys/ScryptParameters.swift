/// The cost of scrypt, the KDF that turns the PIN into the key wrapping a private key.
///
/// Stored in each key file with its salt, so a key made with one cost opens with that cost.
public struct ScryptParameters: Codable, Sendable, Hashable {
    /// N, the CPU/memory cost (a power of two).
    public var rounds: Int
    /// r, the block size.
    public var blockSize: Int
    /// p, the parallelism.
    public var parallelism: Int

    /// Creates parameters.
    public init(rounds: Int, blockSize: Int, parallelism: Int) {
        self.rounds = rounds
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// N = 2^17, r = 8, p = 1: 128 MiB and about 0.45 s per attempt on one core of the build
    /// machine (measured, `docs/decisions/0011-device-key-changes.md`). New keys use it.
    public static let standard = ScryptParameters(rounds: 1 << 17, blockSize: 8, parallelism: 1)

    /// N = 2^15, r = 8, p = 1: what keys made before 0011 carry (32 MiB, about 0.1 s). Still opened.
    public static let version1 = ScryptParameters(rounds: 1 << 15, blockSize: 8, parallelism: 1)

    /// N = 2^10, r = 8, p = 1. **Test only**: far too cheap to protect a real PIN.
    public static let testOnly = ScryptParameters(rounds: 1 << 10, blockSize: 8, parallelism: 1)

    /// The environment variable that makes new keys use `testOnly`. **Test only.**
    public static let testEnvironmentVariable = "TANDEM_AUTHENTICATOR_TEST_KDF"

    /// The parameters for new keys: `testOnly` when `TANDEM_AUTHENTICATOR_TEST_KDF=1` is set in
    /// `environment`, otherwise `standard`.
    public static func forNewKeys(environment: [String: String]) -> ScryptParameters {
        environment[testEnvironmentVariable] == "1" ? .testOnly : .standard
    }

    /// Whether the values are within what this implementation accepts from a key file:
    /// N a power of two in 2^10...2^20, r in 1...32, p in 1...4.
    public var isAcceptable: Bool {
        rounds >= 1 << 10 && rounds <= 1 << 20 && rounds & (rounds - 1) == 0
            && (1...32).contains(blockSize) && (1...4).contains(parallelism)
    }
}
