import Foundation
import Hummingbird
import Logging
import Prometheus
import TandemCore
import TandemServices

/// Web Push's parts for `buildApplication`: the VAPID key, the endpoint rule, the background
/// sender, the decorated `PushNotifier` and the device API's three endpoints.
struct WebPushWiring: Sendable {
    let keys: VAPIDKeys
    let endpoints: WebPushEndpointResolver
    let sender: WebPushSender
    let allowHTTP: Bool

    init(configuration: TandemConfiguration, storage: any TandemStorage, clock: any TandemClock, random: any RandomSource,
         publicURL: @escaping @Sendable () -> String, registry: PrometheusCollectorRegistry?, logger: Logger) {
        keys = VAPIDKeys(storage: storage, secretKey: configuration.secretKey ?? OIDCSecretKey.processDefault, random: random, clock: clock)
        allowHTTP = configuration.webPush.allowLoopbackEndpoints
        endpoints = WebPushEndpointResolver(allowLoopback: allowHTTP)
        let contact = configuration.webPush.contact
        sender = WebPushSender(storage: storage, keys: keys, endpoints: endpoints, clock: clock, random: random,
                               subject: { contact ?? publicURL() }, allowHTTP: allowHTTP, registry: registry) { challengeID, event, deviceID, detail in
            try? await storage.appendTrail(challengeID: challengeID,
                                           TrailEvent(event: event, at: clock.now(), channel: "webpush", deviceID: deviceID, detail: detail))
        }
    }

    /// `inner` (the hub or the relay) with Web Push added.
    func notifier(wrapping inner: any PushNotifier) -> any PushNotifier {
        WebPushNotifier(inner: inner, sender: sender)
    }

    func register(on router: Router<TandemRequestContext>, env: ServiceEnvironment) {
        WebPushController(devices: DeviceService(env: env),
                          subscriptions: WebPushSubscriptionService(env: env, endpoints: endpoints, allowHTTP: allowHTTP),
                          keys: keys).register(on: router)
    }
}
