import AuthenticatorKit
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Terminal input and output. Lines and prompts are written unbuffered, so a program driving the
/// CLI through a pipe or a pseudo-terminal sees each one at once.
enum Console {
    /// Prints a line on stdout.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints a prompt (no newline) on stdout.
    static func prompt(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Prints `error: <text>` on stderr.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data("error: \(text)\n".utf8))
    }

    /// Reads one line from stdin (a terminal or a pipe); `nil` at end of input.
    static func readLine() -> String? {
        Swift.readLine(strippingNewline: true).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
    }

    /// Prompts and reads a secret line with terminal echo off (when stdin is a terminal).
    static func readSecret(_ promptText: String) -> String? {
        let restore = echoOff()
        prompt(promptText)
        let value = readLine()
        restore()
        line("")
        return value
    }

    /// Turns terminal echo off; returns the function that turns it back on. Does nothing when
    /// stdin is not a terminal. Ctrl-C while echo is off turns it back on before exiting.
    static func echoOff() -> @Sendable () -> Void {
        guard isatty(STDIN_FILENO) == 1 else { return {} }
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return {} }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        Self.savedTerminal = original
        signal(SIGINT) { _ in
            if var saved = Console.savedTerminal { _ = tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
            _exit(130)
        }
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        let saved = original
        return {
            var restored = saved
            _ = tcsetattr(STDIN_FILENO, TCSANOW, &restored)
            signal(SIGINT, SIG_DFL)
        }
    }

    /// The terminal settings to restore if the process is interrupted while echo is off.
    nonisolated(unsafe) static var savedTerminal: termios?

    /// The PIN: `--pin` if given, else prompted with `PIN: `.
    static func pin(_ given: String?) throws -> String {
        if let given { return given }
        guard let typed = readSecret("PIN: ") else { throw AuthenticatorError(.invalidPIN, "no PIN given") }
        return typed
    }
}
