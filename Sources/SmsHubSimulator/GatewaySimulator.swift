import Cryptography
package import Foundation
import SmsHubDomain

/// The state of a simulated Gateway API v1: accounts, balances, tasks, and the report and reply
/// queues the pulls drain. Outcomes are deterministic, by the recipient number's last digit:
///
/// | last digit | outcome |
/// |---|---|
/// | 0–5 | `DELIVRD` |
/// | 6 | `MBBLACK` (blocked: failed) |
/// | 7 | `UNDELIV` |
/// | 8 | no report ever |
/// | 9 | `DELIVRD`, but only after `lateReportDelay` |
///
/// Faults can be queued for the next sends: an HTTP 500, a hang past the client's timeout, or a
/// non-"00" code.
package actor GatewaySimulator {
    package struct Task: Sendable, Equatable {
        package var taskID: String
        package var account: String
        package var mobiles: [String]
        package var content: String
        package var extNo: String?
        package var sendCalls: Int
    }

    package struct Report: Sendable {
        var sendID: String
        var mobile: String
        var status: String
        var times: Date
        var availableAt: Date
    }

    package struct Reply: Sendable {
        var mobile: String
        var content: String
        var extNo: String?
        var times: Date
    }

    package enum Fault: Sendable, Equatable {
        case httpStatus(Int)
        case hang(seconds: Double)
        case code(String)
    }

    /// What a send with a task id already seen gets: the seed says task ids are unique, not what a
    /// repeat is answered, so both plausible gateways are simulated.
    package enum RepeatedTaskAnswer: Sendable, Equatable {
        /// Acknowledged again ("00"), never sent twice.
        case acceptSilently
        /// Refused with this code (and not sent twice).
        case refuse(code: String)
    }

    package private(set) var repeatedTaskAnswer: RepeatedTaskAnswer = .acceptSilently

    package func answerRepeatedTasks(_ answer: RepeatedTaskAnswer) {
        self.repeatedTaskAnswer = answer
    }

    var passwords: [String: String]
    var balances: [String: Int]
    package private(set) var tasks: [String: Task] = [:]
    var reports: [String: [Report]] = [:]
    var replies: [String: [Reply]] = [:]
    var sendFaults: [Fault] = []
    /// Where each account's status and reply pushes go (docs/providers.md §1.5), when configured.
    var pushURLs: [String: (status: String?, replies: String?)] = [:]
    /// Pushes still to drop (sent nowhere), to show that pulls recover them.
    var pushesToDrop = 0

    /// A push to make: a JSON body for a URL.
    package struct Push: Sendable {
        package var url: String
        package var body: Data
    }
    let lateReportDelay: TimeInterval
    /// Times in the gateway's zone (Asia/Shanghai). One formatter for the actor's life, not one per
    /// report (decision 0018).
    private let localFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }()

    package init(accounts: [(name: String, password: String, balance: Int)], lateReportDelay: TimeInterval = 5) {
        self.passwords = Dictionary(uniqueKeysWithValues: accounts.map { ($0.name, $0.password) })
        self.balances = Dictionary(uniqueKeysWithValues: accounts.map { ($0.name, $0.balance) })
        self.lateReportDelay = lateReportDelay
    }

    package func setPushURLs(account: String, status: String?, replies: String?) {
        self.pushURLs[account] = (status, replies)
    }

    package func dropNextPushes(_ count: Int) {
        self.pushesToDrop += count
    }

    /// Takes the pushes a send or reply produced, minus the ones to drop. The gateway pushes each once.
    func pushes(for items: [[String: Any]], to url: String?) -> [Push] {
        guard let url else { return [] }
        var pushes: [Push] = []
        for item in items {
            if self.pushesToDrop > 0 {
                self.pushesToDrop -= 1
                continue
            }
            pushes.append(Push(url: url, body: Self.encode(item)))
        }
        return pushes
    }

    package func injectSendFaults(_ faults: [Fault]) {
        self.sendFaults.append(contentsOf: faults)
    }

    package func nextSendFault() -> Fault? {
        self.sendFaults.isEmpty ? nil : self.sendFaults.removeFirst()
    }

    /// A reply from a handset, to be returned by the next reply pull.
    @discardableResult
    package func addReply(account: String, mobile: String, content: String, extNo: String?) -> [Push] {
        let reply = Reply(mobile: mobile, content: content, extNo: extNo, times: Date())
        self.replies[account, default: []].append(reply)
        let item: [String: Any] = ["mobile": mobile, "content": content, "times": self.local(reply.times), "extNo": extNo ?? ""]
        return self.pushes(for: [item], to: self.pushURLs[account]?.replies)
    }

    /// Makes every late report due now, so a test need not wait out `lateReportDelay`.
    package func makeLateReportsDue() {
        let now = Date()
        for account in self.reports.keys {
            self.reports[account] = self.reports[account]?.map { report in
                var report = report
                report.availableAt = min(report.availableAt, now)
                return report
            }
        }
    }

    package func allTasks() -> [Task] {
        self.tasks.values.sorted { $0.taskID < $1.taskID }
    }

    /// Checks `account` and `pwd`; nil when they match.
    func authenticate(_ fields: [String: String]) -> (code: String, message: String)? {
        guard let account = fields["account"], let password = self.passwords[account] else { return ("01", "账号不存在") }
        guard let pwd = fields["pwd"], ConstantTime.equals(pwd, Digest.md5.hex(password)) else { return ("02", "密码错误") }
        return nil
    }

    func send(_ fields: [String: String]) -> Data {
        self.sendAndPush(fields).response
    }

    /// The send's response, and the status pushes for the reports it made at once.
    func sendAndPush(_ fields: [String: String]) -> (response: Data, pushes: [Push]) {
        let before = self.tasks
        // One instant for the push and its pulled copy: a gateway reports one report's time in both.
        let sentAt = Date()
        let object = self.sendObject(fields, at: sentAt)
        guard let account = fields["account"], let taskID = (object["data"] as? [String: Any])?["taskId"] as? String,
            before[taskID] == nil, let task = self.tasks[taskID]
        else { return (Self.encode(object), []) }
        let now = self.local(sentAt)
        let items: [[String: Any]] = task.mobiles.compactMap { mobile in
            let status: String
            switch mobile.last {
            case "6": status = "MBBLACK"
            case "7": status = "UNDELIV"
            case "8", "9": return nil  // no report, or a late one (pull only)
            default: status = "DELIVRD"
            }
            return ["sendId": taskID, "mobile": mobile, "times": now, "status": status]
        }
        return (Self.encode(object), self.pushes(for: items, to: self.pushURLs[account]?.status))
    }

    private func sendObject(_ fields: [String: String], at now: Date) -> [String: Any] {
        if let failure = self.authenticate(fields) { return ["code": failure.code, "message": failure.message] }
        let account = fields["account"]!
        guard let mobilesText = fields["mobiles"], !mobilesText.isEmpty else { return ["code": "03", "message": "号码为空"] }
        guard let content = fields["content"], !content.isEmpty else { return ["code": "04", "message": "内容为空"] }
        let mobiles = mobilesText.split(separator: ",").map(String.init)
        guard mobiles.count <= GatewayAPI.maxMobilesPerSend else { return ["code": "05", "message": "号码超过3000"] }
        if let extNo = fields["extNo"], !extNo.isEmpty, !(extNo.allSatisfy { $0.isASCII && $0.isNumber }) {
            return ["code": "06", "message": "扩展号错误"]
        }
        let taskID = fields["taskId"].flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased()
        // A repeated task id is the same task: never sent twice, acknowledged or refused as configured.
        if var existing = self.tasks[taskID] {
            existing.sendCalls += 1
            self.tasks[taskID] = existing
            if case .refuse(let code) = self.repeatedTaskAnswer { return ["code": code, "message": "任务ID重复"] }
            return ["code": "00", "data": ["taskId": taskID], "message": "成功"]
        }
        guard self.balances[account, default: 0] >= mobiles.count else { return ["code": "07", "message": "余额不足"] }
        self.balances[account, default: 0] -= mobiles.count
        self.tasks[taskID] = Task(taskID: taskID, account: account, mobiles: mobiles, content: content, extNo: fields["extNo"], sendCalls: 1)
        for mobile in mobiles {
            let status: String
            var availableAt = now
            switch mobile.last {
            case "6": status = "MBBLACK"
            case "7": status = "UNDELIV"
            case "8": continue
            case "9":
                status = "DELIVRD"
                availableAt = now.addingTimeInterval(self.lateReportDelay)
            default: status = "DELIVRD"
            }
            self.reports[account, default: []].append(
                Report(sendID: taskID, mobile: Self.mask(mobile), status: status, times: now, availableAt: availableAt)
            )
        }
        return ["code": "00", "data": ["taskId": taskID], "message": "成功"]
    }

    /// Reports not yet fetched and due; each is returned once.
    func pullReports(_ fields: [String: String]) -> Data {
        Self.encode(self.pullReportsObject(fields))
    }

    private func pullReportsObject(_ fields: [String: String]) -> [String: Any] {
        if let failure = self.authenticate(fields) { return ["code": failure.code, "message": failure.message] }
        let account = fields["account"]!
        let now = Date()
        let queue = self.reports[account, default: []]
        let due = queue.filter { $0.availableAt <= now }
        self.reports[account] = queue.filter { $0.availableAt > now }
        let items: [[String: Any]] = due.map {
            ["sendId": $0.sendID, "status": $0.status, "times": self.local($0.times), "mobile": $0.mobile, "extNo": ""]
        }
        return ["code": "00", "data": items, "message": "成功"]
    }

    func pullReplies(_ fields: [String: String]) -> Data {
        Self.encode(self.pullRepliesObject(fields))
    }

    private func pullRepliesObject(_ fields: [String: String]) -> [String: Any] {
        if let failure = self.authenticate(fields) { return ["code": failure.code, "message": failure.message] }
        let account = fields["account"]!
        let due = self.replies[account, default: []]
        self.replies[account] = []
        let items: [[String: Any]] = due.map {
            ["mobile": Self.mask($0.mobile), "content": $0.content, "times": self.local($0.times), "extNo": $0.extNo ?? ""]
        }
        return ["code": "00", "data": items, "message": "成功"]
    }

    func balance(_ fields: [String: String]) -> Data {
        Self.encode(self.balanceObject(fields))
    }

    private func balanceObject(_ fields: [String: String]) -> [String: Any] {
        if let failure = self.authenticate(fields) { return ["code": failure.code, "message": failure.message] }
        return [
            "code": "00", "data": ["balance": self.balances[fields["account"]!, default: 0], "payment": 0, "paymentName": "预付"], "message": "成功",
        ]
    }

    /// Sorted keys, as before, without JSONSerialization's locale-aware sort of every report's keys.
    static func encode(_ object: [String: Any]) -> Data {
        Data(CanonicalJSON.bytes(object) ?? Array("{}".utf8))
    }

    /// `13512349831` → `135****9831`, as the gateway writes numbers in pulls.
    static func mask(_ mobile: String) -> String {
        var national = mobile
        if national.hasPrefix("+86") {
            national = String(national.dropFirst(3))
        } else if national.hasPrefix("0086") {
            national = String(national.dropFirst(4))
        }
        guard national.count > 7 else { return national }
        return String(national.prefix(3)) + String(repeating: "*", count: national.count - 7) + String(national.suffix(4))
    }

    func local(_ date: Date) -> String {
        self.localFormatter.string(from: date)
    }
}
