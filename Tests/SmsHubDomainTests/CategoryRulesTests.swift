import SmsHubDomain
import Testing

@Suite struct CategoryRulesTests {
    func fine(_ text: String, _ category: TemplateCategory) -> Bool {
        CategoryRules.problems(text, category: category, field: "body").isEmpty
    }

    @Test func marketingSaysHowToRefuse() {
        #expect(self.fine("【Acme】周末特惠，拒收请回复R", .marketing))
        #expect(self.fine("【Acme】新品上市 退订回T", .marketing))
        #expect(self.fine("【Acme】会员日 回TD退订", .marketing))
        #expect(self.fine("【Acme】spring sale, reply stop to opt out", .marketing))
        #expect(!self.fine("【Acme】周末特惠", .marketing))
    }

    @Test func aVerificationCodeSaysSoAndNothingElse() {
        #expect(self.fine("【Acme】您的验证码是{{code}}，5分钟内有效", .verification))
        #expect(self.fine("【Acme】Your code is {{code}}", .verification))
        #expect(!self.fine("【Acme】{{code}}", .verification))
        #expect(CategoryRules.problems("【Acme】验证码{{code}} 拒收请回复R http://x.cn", category: .verification, field: "body").count == 2)
        #expect(!self.fine("【Acme】验证码{{code}} www.acme.cn", .verification))
    }

    @Test func aNotificationCarriesNoRefusalText() {
        #expect(self.fine("【Acme】您的订单已发货", .notification))
        #expect(!self.fine("【Acme】您的订单已发货，拒收请回复R", .notification))
    }
}
