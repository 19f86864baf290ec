import Foundation
import Logging
import Synchronization
import TandemCore
import TandemServices
import TandemTesting
import Testing

@Suite("Secrets are never logged")
struct SecretsNotLoggedTests {
    @Test("A whole registration and sign-in logs no password, code, nonce, number, signature or token")
    func noSecrets() async throws {
        let capture = CapturingLog()
        let logger = capture.logger
        let t = TestEnvironment(seed: 5)
        let directory = DirectoryService(env: t.env, logger: logger)
        let registration = RegistrationService(env: t.env, logger: logger)
        let challenges = ChallengeService(env: t.env, logger: logger)
        let devices = DeviceService(env: t.env, logger: logger)
        let signIn = SignInService(env: t.env, logger: logger)
        let password = "s3cret-pass-phrase"
        let user = try await directory.addUser(userPrincipalName: "alice@contoso.com", displayName: nil, password: password)
        var secrets: [String] = [password]

        var phone = TestPhone()
        let (_, code, _) = try await registration.createActivation(for: user)
        secrets.append(code)
        phone.deviceID = try await registration.activate(phone.activation(code: code), context: Scenario.context).deviceId
        let device = try #require(try await t.storage.device(id: phone.deviceID))
        let confirm = try #require(try await devices.pending(for: device).first)
        let confirmNumber = try #require(try await t.storage.challenge(id: confirm.id)?.number)
        let confirmAnswer = try phone.answer(confirm, .approve, number: confirmNumber)
        secrets += [confirm.nonce, confirmAnswer.signature]
        _ = try await challenges.answer(challengeID: confirm.id, confirmAnswer)

        // A wrong password, then the right one, a wrong number, a resend and an approval.
        let (flowToken, _) = try await signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        secrets.append(flowToken)
        _ = try? await signIn.submitPassword(token: flowToken, password: "wrong-\(password)", context: Scenario.context)
        secrets.append("wrong-\(password)")
        _ = try await signIn.submitPassword(token: flowToken, password: password, context: Scenario.context)
        let activeDevice = try #require(try await t.storage.device(id: phone.deviceID))
        let first = try #require(try await devices.pending(for: activeDevice).first)
        let firstNumber = try #require(try await t.storage.challenge(id: first.id)?.number)
        let wrongNumber = String(Int(firstNumber)! == 99 ? 98 : Int(firstNumber)! + 1)
        _ = try await challenges.answer(challengeID: first.id, phone.answer(first, .approve, number: wrongNumber))
        _ = try await signIn.resend(token: flowToken, context: Scenario.context)
        let second = try #require(try await devices.pending(for: activeDevice).first)
        let secondNumber = try #require(try await t.storage.challenge(id: second.id)?.number)
        let approval = try phone.answer(second, .approve, number: secondNumber)
        secrets += [first.nonce, second.nonce, approval.signature]
        _ = try await challenges.answer(challengeID: second.id, approval)
        let (sessionToken, _) = try await signIn.complete(token: flowToken)
        secrets.append(sessionToken)

        let log = capture.text
        #expect(log.contains("push challenge answered"), "the log was captured")
        for secret in secrets {
            #expect(!log.contains(secret), "a secret reached the log")
        }
        // Numbers are short: look for them as metadata values or words, not as substrings of ids.
        for number in [confirmNumber, firstNumber, secondNumber, wrongNumber] {
            for pattern in [": \(number)]", ": \(number),", " \(number) ", " \(number)\n", "=\(number)"] {
                #expect(!log.contains(pattern), "a number reached the log")
            }
        }
    }
}
