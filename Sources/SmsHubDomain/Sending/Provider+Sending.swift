extension Provider {
    /// Numbers one dispatch task (one call, one tag) takes. EngageLab is called once per number
    /// (its answer does not name the numbers it refused), so its tasks stay small: a task claimed again
    /// after a crash settles all of its recipients as unknown, called or not.
    package var numbersPerTask: Int {
        switch self {
        case .gateway: GatewayAPI.maxMobilesPerSend
        case .submail: SubmailSend.maxNumbersPerCall
        case .huawei: HuaweiSend.maxNumbersPerCall
        case .engagelab: 10
        }
    }

    /// Sends rendered text as it is, with no template of the provider's: the Gateway, and SUBMAIL
    /// (which matches the text against the account's approved templates).
    package var takesText: Bool {
        self == .gateway || self == .submail
    }
}
