import Foundation
import Testing
import AuthenticatorKit

@Suite("ActivationLink")
struct ActivationLinkTests {
    @Test("A link splits into the server base URL and the code",
          arguments: [
            ("https://id.example.com/device/v1/activate?code=ABCD-EFGH", "https://id.example.com", "ABCD-EFGH"),
            ("http://127.0.0.1:8080/device/v1/activate?code=K7Q2", "http://127.0.0.1:8080", "K7Q2"),
            ("https://example.com/tandem/device/v1/activate?code=X&utm=1", "https://example.com/tandem", "X"),
            ("  https://id.example.com/device/v1/activate?code=Z \n", "https://id.example.com", "Z"),
          ])
    func parsesGoodLinks(_ text: String, _ server: String, _ code: String) throws {
        let link = try ActivationLink(parsing: text)
        #expect(link.serverURL.absoluteString == server)
        #expect(link.code == code)
    }

    @Test("Malformed links are refused with a clear error",
          arguments: [
            ("https://id.example.com/device/v1/activate", "missing code"),
            ("https://id.example.com/device/v1/activate?code=", "missing code"),
            ("https://id.example.com/device/v1/activate?code=A&code=B", "missing code"),
            ("https://id.example.com/device/v1/activation?code=A", "path must end with /device/v1/activate"),
            ("https://id.example.com/?code=A", "path must end with /device/v1/activate"),
            ("ftp://id.example.com/device/v1/activate?code=A", "http(s) URL"),
            ("id.example.com/device/v1/activate?code=A", "http(s) URL"),
            ("not a url at all", "http(s) URL"),
            ("", "http(s) URL"),
            ("https://user:pw@id.example.com/device/v1/activate?code=A", "credentials"),
            ("https://id.example.com/device/v1/activate?code=A#frag", "'#'"),
          ])
    func refusesBadLinks(_ text: String, _ expected: String) {
        do {
            _ = try ActivationLink(parsing: text)
            Issue.record("accepted \(text)")
        } catch let error as AuthenticatorError {
            #expect(error.code == .invalidActivationURL)
            #expect(error.message.hasPrefix("invalid activation link: "))
            #expect(error.message.contains(expected), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
