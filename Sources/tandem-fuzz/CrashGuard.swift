#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

typealias SignalAction = sigaction

/// Reports which target and which input were running when the process traps (a Swift runtime
/// trap is SIGILL or SIGTRAP, a stack overflow SIGSEGV), then lets the previous handler (the
/// Swift backtracer) run. Async-signal-safe: the handler only reads preallocated memory and
/// calls `write(2)`.
enum CrashGuard {
    static let capacity = 128 * 1024
    nonisolated(unsafe) static let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    nonisolated(unsafe) static var length = 0
    nonisolated(unsafe) static let label = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    nonisolated(unsafe) static var labelLength = 0
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]
    nonisolated(unsafe) static var previous = [SignalAction](repeating: SignalAction(), count: 32)
    nonisolated(unsafe) static let hex: UnsafeMutablePointer<UInt8> = {
        let digits = Array("0123456789abcdef".utf8)
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
        pointer.initialize(from: digits, count: 16)
        return pointer
    }()
    nonisolated(unsafe) static let line = UnsafeMutablePointer<UInt8>.allocate(capacity: 130)

    /// Gives the calling thread an alternate signal stack if it has none (the stack is per thread,
    /// and the cases run on the concurrency pool's threads), so a stack overflow can be reported.
    static func ensureAlternateStack() {
        var current = stack_t()
        sigaltstack(nil, &current)
        guard current.ss_flags & Int32(SS_DISABLE) != 0 else { return }
        let size = 256 * 1024
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        stack.ss_flags = 0
        sigaltstack(&stack, nil)
    }

    /// Installs the handlers, run on the alternate stack.
    static func install() {
        ensureAlternateStack()
        _ = hex
        for signal in signals {
            var action = SignalAction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = crashHandler
            #else
            action.__sigaction_u.__sa_handler = crashHandler
            #endif
            action.sa_flags = Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, &previous[Int(signal)])
        }
    }

    /// Records the case about to run.
    static func arm(target: String, case number: Int, input: [UInt8]) {
        ensureAlternateStack()
        let text = Array("\ntandem-fuzz: CRASH in target \(target), case \(number); input (\(input.count) bytes, hex):\n".utf8)
        labelLength = min(text.count, 256)
        text.withUnsafeBufferPointer { label.update(from: $0.baseAddress!, count: labelLength) }
        length = min(input.count, capacity)
        input.withUnsafeBufferPointer { if let base = $0.baseAddress { buffer.update(from: base, count: length) } }
    }
}

private func crashHandler(_ signal: Int32) {
    _ = write(2, CrashGuard.label, CrashGuard.labelLength)
    let hex = CrashGuard.hex
    let line = CrashGuard.line
    var used = 0
    var index = 0
    while index < CrashGuard.length {
        let byte = CrashGuard.buffer[index]
        line[used] = hex[Int(byte >> 4)]
        line[used + 1] = hex[Int(byte & 15)]
        used += 2
        if used == 128 || index == CrashGuard.length - 1 {
            line[used] = 10
            _ = write(2, line, used + 1)
            used = 0
        }
        index += 1
    }
    // Restore the previous handler; returning re-runs the faulting instruction, which now reaches it.
    var old = CrashGuard.previous[Int(signal)]
    sigaction(signal, &old, nil)
}
