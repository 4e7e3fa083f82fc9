import Foundation
import SmsHubDomain
import Testing

/// Standard Webhooks signatures, checked against the specification's published example.
@Suite struct WebhookSignatureTests {
    let secret = WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let body = Array(#"{"test": 2432232314}"#.utf8)

    @Test func theSpecificationsExampleSignsAlike() {
        #expect(
            WebhookSignature.sign(id: self.id, timestamp: 1_614_265_330, body: self.body, secret: self.secret)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        )
    }

    @Test func duringARotationEitherSecretVerifies() {
        let next = WebhookSecret.generate()
        let header = WebhookSignature.header(id: self.id, timestamp: 1_614_265_330, body: self.body, secrets: [next, self.secret])
        #expect(header.split(separator: " ").count == 2)
        for secret in [next, self.secret] {
            #expect(
                WebhookSignature.verify(header: header, id: self.id, timestamp: 1_614_265_330, body: self.body, secret: secret, now: 1_614_265_400)
            )
        }
        #expect(
            !WebhookSignature.verify(
                header: header,
                id: self.id,
                timestamp: 1_614_265_330,
                body: self.body + [0x20],
                secret: next,
                now: 1_614_265_330
            )
        )
        #expect(
            !WebhookSignature.verify(
                header: header,
                id: self.id,
                timestamp: 1_614_265_330,
                body: self.body,
                secret: WebhookSecret.generate(),
                now: 1_614_265_330
            )
        )
        #expect(
            !WebhookSignature.verify(header: header, id: self.id, timestamp: 1_614_265_330, body: self.body, secret: next, now: 1_614_266_000),
            "too old"
        )
        #expect(!WebhookSignature.verify(header: header, id: self.id, timestamp: .min, body: self.body, secret: next, now: .max), "no overflow")
    }

    @Test func secretsReadOnlyTheirOwnFormAndNeverPrintTheKey() {
        let generated = WebhookSecret.generate()
        #expect(generated.text.hasPrefix("whsec_"))
        #expect(WebhookSecret(generated.text) == generated)
        #expect(WebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == nil, "the prefix is required")
        #expect(WebhookSecret("whsec_not base64!") == nil)
        #expect(WebhookSecret("whsec_" + Data(repeating: 1, count: 8).base64EncodedString()) == nil, "too short")
        #expect("\(generated)" == "WebhookSecret(redacted)")
        var dumped = ""
        dump(generated, to: &dumped)
        #expect(String(reflecting: generated) == "WebhookSecret(redacted)")
        #expect(!dumped.contains("\(generated.key.first ?? 0), "), "no key bytes in a dump")
    }
}
