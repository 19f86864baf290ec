import Foundation
import Hummingbird
import TandemCore
import TandemServices

extension OIDCController {
    func registerTokens(on router: Router<TandemRequestContext>) {
        router.post("/oauth2/token") { request, _ in
            let basic = request.headers[.authorization]?.lowercased().hasPrefix("basic ") == true
            return await self.oauth(basicUsed: basic) {
                let (client, form) = try await self.authenticatedClient(request, endpoint: self.oidc.tokenEndpoint)
                return OIDCHTTP.json(try await self.tokens.exchange(form, client: client))
            }
        }
        router.post("/oauth2/revoke") { request, _ in
            await self.oauth {
                let (client, form) = try await self.authenticatedClient(request, endpoint: self.oidc.issuer() + "/oauth2/revoke")
                try await self.tokens.revoke(token: form["token"], client: client)
                return Response(status: .ok, headers: [.cacheControl: "no-store"])
            }
        }
        router.post("/oauth2/introspect") { request, _ in
            await self.oauth {
                let (client, form) = try await self.authenticatedClient(request, endpoint: self.oidc.issuer() + "/oauth2/introspect")
                return OIDCHTTP.json(try await self.tokens.introspect(token: form["token"], client: client))
            }
        }
        router.get("/oauth2/userinfo") { request, _ in await self.userInfo(request) }
        router.post("/oauth2/userinfo") { request, _ in await self.userInfo(request) }
        router.post("/oauth2/bc-authorize") { request, context in
            await self.oauth(Self.backchannelStatus) {
                let (client, form) = try await self.authenticatedClient(request, endpoint: self.oidc.issuer() + "/oauth2/bc-authorize")
                let requester = ChallengeContext(application: client.displayName, ipAddress: context.clientIP,
                                                 location: "Unknown location", browser: "Backchannel request")
                let (acknowledgement, stored) = try await self.ciba.start(form, client: client, requester: requester)
                if client.deliveryMode == .ping, let endpoint = client.notificationEndpoint {
                    let ciba = self.ciba
                    let notifier = self.notifier
                    Task { await ciba.pingWhenAnswered(stored, authReqID: acknowledgement.authReqID, endpoint: endpoint, notifier: notifier) }
                }
                return OIDCHTTP.json(acknowledgement)
            }
        }
    }

    /// The form and the client it authenticates (RFC 6749 §2.3, OIDC Core §9).
    func authenticatedClient(_ request: Request, endpoint: String) async throws -> (OIDCClient, [String: String]) {
        let basic = try OIDCHTTP.basicCredentials(request)
        let form = try await OIDCHTTP.form(request).values
        let client = try await clients.authenticate(PresentedClientAuth(basic: basic, form: form), endpoint: endpoint)
        return (client, form)
    }

    /// CIBA Core §13: 401 `invalid_client`, 403 `access_denied`, 400 otherwise.
    static func backchannelStatus(_ code: OAuthError.Code) -> HTTPResponse.Status {
        switch code {
        case .accessDenied: .forbidden
        default: OIDCHTTP.tokenStatus(code)
        }
    }

    /// OIDC Core §5.3 with RFC 6750 errors: 401 `invalid_token`, 403 `insufficient_scope`, each with
    /// a `WWW-Authenticate: Bearer` challenge. The access token comes in the `Authorization` header
    /// or, on a POST, as the form field `access_token` (RFC 6750 §2.2, pyoidc's default); both at
    /// once is a 400 `invalid_request` (§2: "MUST NOT use more than one method"). Never the query (§2.3).
    func userInfo(_ request: Request) async -> Response {
        let header = OIDCHTTP.bearer(request)
        var posted: String? = nil
        if request.method == .post, request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            do { posted = try await OIDCHTTP.form(request).values["access_token"] } catch let error as OAuthError {
                return Self.bearerError(error, status: .badRequest)
            } catch {
                return Self.bearerError(OAuthError(.invalidRequest, "The body is not valid form encoding."), status: .badRequest)
            }
        }
        if header != nil, posted != nil {
            return Self.bearerError(OAuthError(.invalidRequest, "Send the access token in the Authorization header or the body, not both."),
                                    status: .badRequest)
        }
        guard let token = header ?? posted, !token.isEmpty else {
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"tandem\"", .cacheControl: "no-store"])
        }
        do {
            return OIDCHTTP.json(try await tokens.userInfo(accessToken: token))
        } catch let error as OAuthError {
            return Self.bearerError(error, status: error.code == .insufficientScope ? .forbidden : .unauthorized)
        } catch {
            logger.error("UserInfo failed", metadata: ["tandem.error": "\(String(reflecting: type(of: error)))"])
            return OIDCHTTP.error(OAuthError(.serverError, "Something went wrong."), status: .internalServerError)
        }
    }

    /// An RFC 6750 §3 error: the JSON body and the `WWW-Authenticate: Bearer` challenge naming it.
    static func bearerError(_ error: OAuthError, status: HTTPResponse.Status) -> Response {
        var response = OIDCHTTP.error(error, status: status)
        response.headers[.wwwAuthenticate] = "Bearer realm=\"tandem\", error=\"\(error.code.rawValue)\", error_description=\"\(error.message)\""
        return response
    }
}
