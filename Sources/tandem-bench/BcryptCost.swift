import HummingbirdBcrypt

/// What one bcrypt verification costs at `cost`, in this process on one thread (thread CPU time):
/// the share of an MFA sign-in that is the password hash by design.
enum BcryptCost {
    static func measure(cost: Int, rounds: Int = 5) -> Double {
        let hash = Bcrypt.hash("bench mfa password", cost: UInt8(cost))
        _ = Bcrypt.verify("bench mfa password", hash: hash)  // warm up
        let start = CryptoFloor.threadCPU()
        var matched = 0
        for _ in 0..<rounds where Bcrypt.verify("bench mfa password", hash: hash) { matched += 1 }
        precondition(matched == rounds, "bcrypt did not verify its own hash")
        return (CryptoFloor.threadCPU() - start) / Double(rounds)
    }
}
