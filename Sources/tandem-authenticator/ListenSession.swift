import AuthenticatorKit
import Foundation
import TandemCore

/// The interactive loop of `listen`: push events and typed lines arrive on one stream, so
/// withdrawals and new requests are printed even while a prompt waits.
struct ListenSession {
    let authenticator: Authenticator
    let account: Account
    let once: Bool

    private enum Input: Sendable {
        case event(PushEvent)
        case ended((any Error)?)
        case line(String?)
    }

    /// What the prompt is waiting for.
    private enum Prompt {
        case idle
        case number(ChallengeOffer)
        case pin(ChallengeOffer, number: String)
    }

    private var queue: [ChallengeOffer] = []
    private var prompt: Prompt = .idle
    private var restoreEcho: (@Sendable () -> Void)?
    /// A prompt is on screen and nothing was typed after it yet.
    private var promptOpen = false

    init(authenticator: Authenticator, account: Account, once: Bool) {
        self.authenticator = authenticator
        self.account = account
        self.once = once
    }

    /// Runs until the channel ends; with `once`, returns after the first answer whether the verdict
    /// was what the user asked for. Throws if the server refuses the channel.
    mutating func run() async throws -> Bool? {
        let (inputs, continuation) = AsyncStream<Input>.makeStream()
        let events = authenticator.listen(account: account)
        let listener = Task {
            do {
                for try await event in events { continuation.yield(.event(event)) }
                continuation.yield(.ended(nil))
            } catch {
                continuation.yield(.ended(error))
            }
        }
        defer {
            listener.cancel()
            restoreEcho?()
        }
        let reader = Thread {
            while let line = Console.readLine() { continuation.yield(.line(line)) }
            continuation.yield(.line(nil))
        }
        reader.start()

        for await input in inputs {
            switch input {
            case .event(.connected):
                notice("connected")
            case .event(.reconnecting):
                notice("reconnecting")
            case .event(.request(let offer)):
                queue.append(offer)
                if case .idle = prompt { showNext() }
            case .event(.withdrawn(let id, let reason)):
                withdraw(id, reason: reason)
            case .event(.notice(let change)):
                notice(NoticeText.line(change))
            case .ended(let error):
                if let error { throw error }
                return nil
            case .line(nil):
                continue  // stdin closed: keep printing events
            case .line(let text?):
                promptOpen = false
                if let outcome = await handle(text), once { return outcome }
            }
        }
        return nil
    }

    /// Prints a line while a prompt may be open: on a fresh line, then the prompt again.
    private mutating func notice(_ text: String, repeatPrompt: Bool = true) {
        let reopen = promptOpen
        if promptOpen {
            Console.line("")
            promptOpen = false
        }
        Console.line(text)
        guard reopen, repeatPrompt else { return }
        switch prompt {
        case .idle: break
        case .number: openPrompt(Self.numberPrompt)
        case .pin: openPrompt("PIN: ")
        }
    }

    private mutating func withdraw(_ id: String, reason: String?) {
        queue.removeAll { $0.id == id }
        switch prompt {
        case .number(let offer) where offer.id == id, .pin(let offer, _) where offer.id == id:
            if restoreEcho != nil { promptOpen = false }  // endPIN starts the fresh line
            endPIN()
            notice("withdrawn \(id) (\(reason ?? "withdrawn"))", repeatPrompt: false)
            prompt = .idle
            showNext()
        default:
            notice("withdrawn \(id) (\(reason ?? "withdrawn"))")
        }
    }

    static let numberPrompt = "Enter the number shown in your browser (or 'deny' / 'report'): "

    private mutating func openPrompt(_ text: String) {
        Console.prompt(text)
        promptOpen = true
    }

    private mutating func showNext() {
        guard !queue.isEmpty else {
            prompt = .idle
            return
        }
        let offer = queue.removeFirst()
        Console.line("Sign-in request \(offer.id)")
        Console.line("  Account: \(offer.userPrincipalName)")
        Console.line("  Application: \(offer.context.application.isEmpty ? "(not shown)" : offer.context.application)")
        Console.line(offer.context.location.isEmpty ? "  Location: (not shown)" : "  Location: \(offer.context.location) (\(offer.context.ipAddress))")
        Console.line("  Kind: \(offer.kind.rawValue)")
        if let message = offer.context.bindingMessage {
            // CIBA: the application shows the same message; compare them before approving.
            Console.line("  Message: \(message)")
        }
        if let choices = offer.choices {
            // Choose-from-three presentation: the right number is one of these; type it.
            Console.line("  Choices: \(choices.joined(separator: "  "))")
        }
        askNumber(offer)
    }

    private mutating func askNumber(_ offer: ChallengeOffer) {
        prompt = .number(offer)
        openPrompt(Self.numberPrompt)
    }

    private mutating func askPIN(_ offer: ChallengeOffer, number: String) {
        prompt = .pin(offer, number: number)
        restoreEcho = Console.echoOff()
        openPrompt("PIN: ")
    }

    private mutating func endPIN() {
        if let restore = restoreEcho {
            restore()
            restoreEcho = nil
            Console.line("")
        }
    }

    /// Handles a typed line; returns whether the verdict matched the request once one is answered.
    private mutating func handle(_ text: String) async -> Bool? {
        let typed = text.trimmingCharacters(in: .whitespaces)
        switch prompt {
        case .idle:
            return nil
        case .number(let offer):
            switch typed.lowercased() {
            case "":
                askNumber(offer)
                return nil
            case "deny":
                return await answer(offer, .deny) { try await $0.deny(offer: offer, account: $1) }
            case "report":
                return await answer(offer, .report) { try await $0.report(offer: offer, account: $1) }
            default:
                guard NumberMatch.isWellFormed(typed) else {
                    Console.error("type the digits shown in your browser, 'deny' or 'report'")
                    askNumber(offer)
                    return nil
                }
                askPIN(offer, number: typed)
                return nil
            }
        case .pin(let offer, let number):
            endPIN()
            do {
                let response = try await authenticator.approve(offer: offer, account: account, number: number, pin: typed)
                return finish(response, .approve)
            } catch let error as AuthenticatorError where error.code == .wrongPIN || error.code == .invalidPIN {
                Console.error(error.description)
                askPIN(offer, number: number)
                return nil
            } catch {
                Console.error(TandemAuthenticator.describe(error))
                showNext()
                return nil
            }
        }
    }

    private mutating func answer(_ offer: ChallengeOffer, _ decision: AnswerDecision,
                                 _ send: (Authenticator, Account) async throws -> AnswerResponse) async -> Bool? {
        do {
            return finish(try await send(authenticator, account), decision)
        } catch {
            Console.error(TandemAuthenticator.describe(error))
            showNext()
            return nil
        }
    }

    private mutating func finish(_ response: AnswerResponse, _ decision: AnswerDecision) -> Bool {
        Console.line(response.verdict)
        prompt = .idle
        if !once { showNext() }
        return response.matches(decision)
    }
}
