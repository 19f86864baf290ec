import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The cost floor of one sign-in, measured in this process on one thread: the P-256 signature
/// check of the device's answer and one ES256 (ECDSA P-256 / SHA-256) signature, what an ID token
/// or a signed session would need. Thread CPU time, so another busy core doesn't count.
struct CryptoFloor {
    var verifySeconds: Double
    var signSeconds: Double
    var perSignIn: Double { verifySeconds + signSeconds }

    static func measure(seconds: Double = 1.0) -> CryptoFloor {
        let key = P256.Signing.PrivateKey()
        let message = Data("tandem-push-answer/v1\nchallenge=abcdefghijklmnopqrstuv\nnonce=0123456789abcdef\ndevice=dev\ndecision=approve\nnumber=42\n".utf8)
        let signature = try! key.signature(for: message)
        let publicKey = key.publicKey
        var sink = 0
        let verify = perOperation(seconds: seconds) {
            if publicKey.isValidSignature(signature, for: message) { sink &+= 1 }
        }
        let claims = Data(#"{"aud":"app","exp":1800000600,"iat":1800000000,"iss":"http://127.0.0.1:8080","nonce":"n","sub":"user"}"#.utf8)
        let sign = perOperation(seconds: seconds) {
            let s = try! key.signature(for: claims)
            sink &+= Int(s.rawRepresentation[0])
        }
        if sink == 42 { print("") }  // keeps the work from being optimised away
        return CryptoFloor(verifySeconds: verify, signSeconds: sign)
    }

    /// Thread CPU seconds per call of `body`, over about `seconds` of CPU.
    private static func perOperation(seconds: Double, _ body: () -> Void) -> Double {
        for _ in 0..<200 { body() }  // warm up
        let start = threadCPU()
        var count = 0
        while threadCPU() - start < seconds {
            for _ in 0..<100 { body() }
            count += 100
        }
        return (threadCPU() - start) / Double(count)
    }

    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
