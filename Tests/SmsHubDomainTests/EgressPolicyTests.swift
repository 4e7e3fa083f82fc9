import SmsHubDomain
import Testing

@Suite struct EgressPolicyTests {
    let strict = EgressPolicy()

    @Test func addressesParseOnlyInTheirCanonicalForms() {
        #expect(IPAddress("127.0.0.1") == .v4(0x7f00_0001))
        #expect(IPAddress("::1") == .v6(high: 0, low: 1))
        #expect(IPAddress("::1")?.v6Bytes == Array(repeating: 0, count: 15) + [1])
        #expect(IPAddress("::ffff:10.0.0.1")?.embeddedV4 == 0x0a00_0001)
        #expect(IPAddress("64:ff9b::a9fe:a9fe")?.embeddedV4 == 0xa9fe_a9fe)
        #expect(IPAddress("fe80::1%eth0") != nil)
        for bad in ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "256.0.0.1", "1.2.3.4.5", ":::", "1::2::3", "12345::", "g::1", "", "1.2.3.04"]
        {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func nonPublicAddressesAreRefusedInEveryForm() {
        let refused = [
            "127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.100.100.200",
            "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1",
            "::", "::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::7f00:1", "fd00:ec2::254", "fe80::1", "ff02::1",
            "2001:db8::1",
            // IPv4-translated (SIIT), of a private and of a public address: never a path to the Internet.
            "::ffff:0:127.0.0.1", "::ffff:0:10.0.0.1", "::ffff:0:8.8.8.8",
            "3fff::1", "5f00::1", "100:0:0:1::1", "192.31.196.1", "192.52.193.1", "192.175.48.1",
        ]
        for text in refused {
            let address = IPAddress(text)
            #expect(address != nil, "\(text)")
            if let address { #expect(!self.strict.permits(address), "\(text)") }
        }
        for text in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "172.32.0.1", "100.128.0.1"] {
            #expect(self.strict.permits(IPAddress(text)!), "\(text)")
        }
    }

    @Test func theOperatorsAllowListOpensExactlyItsBlocks() {
        let local = EgressPolicy(allowed: [IPNetwork("127.0.0.1/32")!, IPNetwork("10.20.0.0/16")!], allowPlainHTTP: true)
        #expect(local.permits(IPAddress("127.0.0.1")!))
        #expect(local.permits(IPAddress("::ffff:127.0.0.1")!), "the mapped form of an allowed address")
        #expect(!local.permits(IPAddress("127.0.0.2")!))
        #expect(local.permits(IPAddress("10.20.99.1")!))
        #expect(!local.permits(IPAddress("10.21.0.1")!))
        #expect(IPNetwork("10.0.0.0/33") == nil)
        #expect(IPNetwork("::/129") == nil)
        #expect(IPNetwork("::/0")?.contains(IPAddress("::1")!) == true)
    }

    @Test func aResolverAnswerMixingPublicAndPrivateIsRefused() {
        #expect(self.strict.choose([IPAddress("8.8.8.8")!, IPAddress("10.0.0.1")!]) == .failure(.forbiddenAddress))
        #expect(self.strict.choose([]) == .failure(.unresolvable))
        #expect(self.strict.choose([IPAddress("8.8.8.8")!]) == .success(IPAddress("8.8.8.8")!))
    }

    @Test func urlFormsThatCouldSteerTheCallAreRefused() {
        let http = EgressPolicy(allowPlainHTTP: true)
        #expect(self.strict.target("http://gw.example.com") == .failure(.plainHTTP))
        #expect(http.target("http://gw.example.com/base/").base == "http://gw.example.com/base")
        #expect(self.strict.target("https://gw.example.com:8443").port == 8443)
        #expect(self.strict.target("https://gw.example.com/?x=") == .failure(.queryOrFragment))
        #expect(self.strict.target("https://gw.example.com/#x") == .failure(.queryOrFragment))
        #expect(self.strict.target("https://user:pw@gw.example.com") == .failure(.credentialsInURL))
        #expect(self.strict.target("https://gw.example.com@127.0.0.1") == .failure(.credentialsInURL))
        #expect(self.strict.target("ftp://gw.example.com") == .failure(.malformed))
        #expect(self.strict.target("https://127.0.0.%31") == .failure(.malformed))
        #expect(self.strict.target("https:///path") == .failure(.malformed))
        #expect(self.strict.target("https://[]") == .failure(.malformed), "found by FuzzEgress")
        #expect(self.strict.target("https://[::1]:8443").host == "::1")
        #expect(self.strict.target("https://GW.Example.COM").host == "gw.example.com")
    }
}

extension Result where Success == EgressPolicy.Target {
    var base: String? { try? self.get().base }
    var port: Int? { try? self.get().port }
    var host: String? { try? self.get().host }
}
