import SmsHubDomain
import Testing

@Suite struct TemplateBodyTests {
    @Test func variablesAreNamedAndFilled() throws {
        let body = try TemplateBody.parse("【Acme】{{name}}，您的验证码是{{code}}，{{code}}五分钟内有效。{{ not }} {x} {{Upper}}").get()
        #expect(body.variables == ["name", "code"])
        #expect(try body.render(["name": "李四", "code": "1234"]).get() == "【Acme】李四，您的验证码是1234，1234五分钟内有效。{{ not }} {x} {{Upper}}")
    }

    @Test func missingUnknownAndUnsafeValuesAreNamed() {
        let body = try! TemplateBody.parse("{{code}} {{name}}").get()
        guard case .failure(let invalid) = body.render(["code": "", "nmae": "x"]) else {
            Issue.record("rendered with missing values")
            return
        }
        #expect(invalid.problems.map(\.field) == ["variables.code", "variables.name", "variables.nmae"])
        for bad in ["{{x}}", "a\nb", String(repeating: "长", count: 40)] {
            guard case .failure = body.render(["code": bad, "name": "n"]) else {
                Issue.record("\(bad) was accepted")
                continue
            }
        }
    }

    @Test func bodiesThatCannotBeTemplatesAreRefused() {
        for bad in ["", String(repeating: "a", count: 1001), "a\u{0}b", (0...20).map { "{{v\($0)}}" }.joined()] {
            guard case .failure = TemplateBody.parse(bad) else {
                Issue.record("\(bad.prefix(20)) was accepted")
                continue
            }
        }
        #expect((try? TemplateBody.parse("line one\nline two").get()) != nil)
        #expect((try? TemplateBody.parse("{{unterminated").get())?.variables == [])
    }
}

@Suite struct FailoverTests {
    let refusal = Refusal(code: "903", message: "no balance")

    @Test func onlyAnAccountsRefusalMovesOn() {
        #expect(AttemptVerdict.after(.refusedForAccount(self.refusal), step: 0, of: 3) == .next(step: 1))
        #expect(AttemptVerdict.after(.refusedForAccount(self.refusal), step: 2, of: 3) == .failed(self.refusal), "the route ran out")
        #expect(AttemptVerdict.after(.refusedForNumber(self.refusal), step: 0, of: 3) == .failed(self.refusal))
        #expect(AttemptVerdict.after(.unknown(reason: "timeout"), step: 0, of: 3) == .unknown(reason: "timeout"))
        #expect(AttemptVerdict.after(.accepted(providerID: "a", segments: 2), step: 1, of: 3) == .accepted(providerID: "a", segments: 2))
    }
}

@Suite struct TemplateMappingTests {
    let body = try! TemplateBody.parse("【Acme】{{name}}，验证码{{code}}").get()
    let values = ["name": "李四", "code": "1234"]

    @Test func eachProviderGetsItsOwnForm() {
        #expect(
            TemplateMapping.submail(project: nil, variables: [:]).content(rendered: "【Acme】李四，验证码1234", values: self.values)
                == .submail(.text("【Acme】李四，验证码1234"))
        )
        #expect(
            TemplateMapping.submail(project: "ThJBE4", variables: ["code": "code"]).content(rendered: "", values: self.values)
                == .submail(.project("ThJBE4", variables: ["code": "1234"]))
        )
        #expect(
            TemplateMapping.huawei(templateID: "t", channel: "8820122113125", signature: nil, parameters: ["code", "name"])
                .content(rendered: "", values: self.values)
                == .huawei(HuaweiSend.Template(id: "t", channel: "8820122113125", signature: nil), parameters: ["1234", "李四"])
        )
        #expect(
            TemplateMapping.engageLab(templateID: "1233", parameters: ["c": "code"]).content(rendered: "", values: self.values)
                == .engageLab(templateID: "1233", parameters: ["c": "1234"])
        )
    }

    @Test func mappingsNamingNoVariableOrBadIDsAreRefused() {
        #expect(TemplateMapping.huawei(templateID: "t", channel: "c", signature: nil, parameters: ["code", "name"]).problems(for: self.body).isEmpty)
        #expect(
            TemplateMapping.huawei(templateID: "", channel: "c d", signature: "", parameters: ["cod"]).problems(for: self.body).map(\.field)
                == ["mapping.template_id", "mapping.channel", "mapping.signature", "mapping.parameters"]
        )
        #expect(TemplateMapping.engageLab(templateID: "{x}", parameters: ["p": "nope"]).problems(for: self.body).count == 2)
        #expect(TemplateMapping.submail(project: String(repeating: "a", count: 65), variables: [:]).problems(for: self.body).count == 1)
    }
}

/// A mapping as the API takes it and the database keeps it, per provider; and what a task sends.
@Suite struct TemplateMappingJSONTests {
    func read(_ json: String, _ provider: Provider) throws -> Result<TemplateMapping, InvalidFields> {
        TemplateMapping.read(try JSONReader.parse(Array(json.utf8), duplicates: .refuse), provider: provider)
    }

    @Test func everyProvidersFormSurvivesTheRoundTrip() throws {
        let mappings: [(Provider, TemplateMapping)] = [
            (.submail, .submail(project: "XyZ12", variables: ["code": "code"])),
            (.submail, .submail(project: nil, variables: [:])),
            (.huawei, .huawei(templateID: "t1", channel: "8820122113125", signature: "华为云", parameters: ["code", "minutes"])),
            (.huawei, .huawei(templateID: "t1", channel: "c", signature: nil, parameters: [])),
            (.engagelab, .engageLab(templateID: "1233", parameters: ["c": "code"])),
            (.gateway, .gateway),
        ]
        for (provider, mapping) in mappings {
            #expect(try self.read(mapping.jsonText, provider).get() == mapping, "\(mapping.jsonText)")
        }
        #expect(
            try self.read(#"{"template_id":"t","channel":"c","signature":null,"parameters":null}"#, .huawei).get()
                == .huawei(templateID: "t", channel: "c", signature: nil, parameters: [])
        )
    }

    @Test func wrongShapesAndForeignFieldsAreNamed() throws {
        func problems(_ json: String, _ provider: Provider) throws -> [String] {
            guard case .failure(let invalid) = try self.read(json, provider) else { return [] }
            return invalid.problems.map(\.field)
        }
        #expect(try problems(#"[]"#, .huawei) == ["mapping"])
        #expect(try problems(#"{}"#, .huawei) == ["mapping.template_id", "mapping.channel"])
        #expect(try problems(#"{"template_id":1,"channel":"c"}"#, .huawei) == ["mapping.template_id"])
        #expect(try problems(#"{"template_id":"t","channel":"c","parameters":[1]}"#, .huawei) == ["mapping.parameters"])
        #expect(try problems(#"{"template_id":"t","channel":"c","parameters":{}}"#, .huawei) == ["mapping.parameters"])
        #expect(try problems(#"{"template_id":"t","parameters":["a"]}"#, .engagelab) == ["mapping.parameters"])
        #expect(try problems(#"{"project":"p","channel":"c"}"#, .submail) == ["mapping.channel"])
        #expect(try problems(#"{"x":1}"#, .gateway) == ["mapping.x"])
        let many = (0...TemplateMapping.maxNames).map { #""v\#($0)":"a""# }.joined(separator: ",")
        #expect(try problems(#"{"template_id":"t","parameters":{\#(many)}}"#, .engagelab) == ["mapping.parameters"])
    }

    @Test func aTaskSendsTheMappedTemplateOrTextWhereTheProviderTakesIt() {
        let huawei = TemplateMapping.huawei(templateID: "t1", channel: "c1", signature: nil, parameters: ["code"])
        #expect(
            DispatchContent.of(provider: .huawei, text: "code 1", mapping: huawei, values: ["code": "1"])
                == .success(.huawei(HuaweiSend.Template(id: "t1", channel: "c1", signature: nil), parameters: ["1"]))
        )
        #expect(DispatchContent.of(provider: .submail, text: "【A】hi", mapping: nil, values: nil) == .success(.submail(.text("【A】hi"))))
        #expect(DispatchContent.of(provider: .submail, text: "【A】1", mapping: nil, values: ["code": "1"]) == .success(.submail(.text("【A】1"))))
        for provider in [Provider.huawei, .engagelab] {
            guard case .failure(let refusal) = DispatchContent.of(provider: provider, text: "hi", mapping: nil, values: nil) else {
                Issue.record("\(provider) sends templates only")
                continue
            }
            #expect(refusal.code == "template_not_mapped")
        }
        #expect(Provider.allCases.map(\.numbersPerTask) == [3000, 10, 50, 500])
    }
}
