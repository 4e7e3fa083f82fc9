#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/: the providers' documented samples (the seed documents
as corrected in Tests/SmsHubAppTests/CallbackHarness.swift, and the samples of docs/providers.md),
each prefixed with the selector byte that picks the encoding or route its target should use.
Run again after changing a sample; the output is deterministic."""
import os, shutil, urllib.parse

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
SIGN = '"timestamp":"1415014855","token":"067ef7e2f286a9a56eabb07dc9657852","signature":"61bc33e46c8329ed51c264a0b0f700bb"'

ENGAGELAB = {
    "target": '{"server":"sms","message_id":"1679392394031_15_17153_881599_c1fjwa","itime":1679392394061,"status":{"message_status":"target","status_data":{"user_id":15,"to":["+8618871186627","008615727024341"],"msg_type":2,"template_id":881599,"message":"successfully request","sms_user":"xiaojinmintest","sms_ids":["1679392394031_15_17153_881599_c1fjwa$+8618871186627","1679392394031_15_17153_881599_c1fjwa$008615727024341"],"template_type":2,"label_id":0}}}',
    "delivered": '{"server":"sms","message_id":"1679387065399_15_17155_881597_0poco8$+115927992951","to":"+115927992951","itime":1679388949000,"status":{"message_status":"delivered","status_data":{"outbound_time":"2023-03-21 16:55:25","receipt_time":"2023-03-21 16:55:49","sms_id":"1679387065399_15_17155_881597_0poco8$+115927992951","user_id":15,"msg_type":2,"template_id":881597,"message":"successfully delivered","sms_user":"huangli_SMS","template_type":1,"msg_count":1,"label_id":0}}}',
    "failed": '{"server":"sms","message_id":"1679392394031_15_17153_881599_c1fjwa$+8618871186627","to":"+8618871186627","itime":1679392394120,"status":{"message_status":"delivered_failed","error_code":480,"error_detail":{"message":"smsworker:local policy restrictions","sub_stat":480,"sub_stat_desc":"发送類型不支持"},"status_data":{"sms_id":"1679392394031_15_17153_881599_c1fjwa$+8618871186627","user_id":15,"msg_type":2,"template_id":881599,"outbound_time":"2023-03-21 17:53:14","receipt_time":"2023-03-21 17:53:37","sms_user":"xiaojinmintest","template_type":2,"msg_count":1,"label_id":0}}}',
    "reply": '{"server":"sms","message_id":"1679364048767_15_15814_905354_3y5z9a$17858502021","to":"17858502021","itime":1679392394128,"response":{"event":"reply","response_data":{"sms_id":"1679364048767_15_15814_905354_3y5z9a$17858502021","user_id":15,"reply_time":"2023-03-21 10:07:17","msg_type":2,"template_id":905354,"sms_user":"cpx_sms","template_type":2,"reply_content":"T","label_id":0}}}',
    "template": '{"server":"sms","message_id":"1679364048767_15_15864","to":"17858502021","itime":1679392394179,"notification":{"event":"template_approval","notification_data":{"user_id":15,"msg_type":2,"template_id":905354,"template_type":2,"approval_status":"1","approval_message":"pass"}}}',
    "urlcheck": '{}',
}
SUBMAIL = {
    "request": '{"events":"request","address":"13812345678","send_id":"093c0a7df143c087d6cba9cdf0cf3738","content":"【SUBMAIL】您的驗證碼是:1234","app":"12345","tag":"xxxxx",%s}' % SIGN,
    "delivered": '{"events":"delivered","address":"13812345678","send_id":"093c0a7df143c087d6cba9cdf0cf3738","operator":"中國移動","location":"上海 上海","tag":"xxxxx","app":"12345",%s}' % SIGN,
    "dropped": '{"events":"dropped","address":"13812345678","send_id":"093c0a7df143c087d6cba9cdf0cf3738","report":" UNDELIV","report_desc":"網關黑名單","app":"12345","tag":"xxx",%s}' % SIGN,
    "mo": '{"events":"mo","address":"13812345678","app":"12345","content":"好的","send_at":"2025-04-15 15:25:08","send_id":"093c0a7df143c087d6cba9cdf0cf3738","tag":"123",%s}' % SIGN,
    "template_reject": '{"events":"template_reject","reason":"簽名不正確","template_id":"H5OSN4",%s}' % SIGN,
    "sms_signature": '{"events":"sms_signature","sms_signature":"【SUBMAIL】","app":"12345","status":"2","reason":"不支持中性簽名",%s}' % SIGN,
}
HUAWEI_FORM = "sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=b9d9b4fe-1234_6&status=DELIVRD"
HUAWEI_JSON = '{"statusReportList":[{"smsMsgId":"b9d9b4fe-1234_6","status":"DELIVRD","updateTime":"2018-04-13T06:31:46Z","sequence":"1","total":"2"},{"smsMsgId":"b9d9b4fe-1234_7","status":"E200027","to":"+8613500000000"}]}'
HUAWEI_REPLY = "smsMsgId=reply-1&from=%2B8613512349831&to=10690000&body=%E5%A5%BD%E7%9A%84&createTime=2018-04-13T06%3A31%3A46Z"
GATEWAY_STATUS = '{"sendId":"b681adb3-fc1a-422d-80dd-b95cec7be769","mobile":"13512349831","times":"2019-04-12 17:57:08","status":"DELIVRD"}'
GATEWAY_REPLY = "mobile=13512349831&content=%E5%A5%BD&times=2019-04-12+17%3A57%3A08&extNo=01"
GATEWAY_PULL = '{"code":"00","data":[{"sendId":"b681adb3-fc1a-422d-80dd-b95cec7be769","status":"DELIVER","times":"2019-04-12 17:57:08","mobile":"135****9831","extNo":""},{"sendId":"feebfa40-0680-49a4-8074-2c401432ab25","status":"MBBLACK","times":"2019-04-12 17:57:08","mobile":"136****0014","extNo":""}],"message":"成功"}'
GATEWAY_BALANCE = '{"code":"00","data":{"balance":200000,"payment":0,"paymentName":"预付"},"message":"成功"}'


def form(json_text):
    import json
    return urllib.parse.urlencode(json.loads(json_text))


def multipart(json_text):
    import json
    parts = "".join('--b\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k, v) for k, v in json.loads(json_text).items())
    return parts + "--b--\r\n"


def write(target, name, selector, text):
    directory = os.path.join(ROOT, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(bytes([selector]) + text.encode("utf-8"))


def write_bytes(target, name, selector, data):
    directory = os.path.join(ROOT, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(bytes([selector]) + data)


def dns_name(text):
    return b"".join(bytes([len(label)]) + label.encode() for label in text.split(".")) + b"\0"


def dns_answer(flags, qtype, records):
    """An answer to query 0x1234 for gw.example.test, as FuzzDNS parses it."""
    head = bytes([0x12, 0x34, flags >> 8, flags & 0xff, 0, 1, 0, len(records), 0, 0, 0, 0])
    return head + dns_name("gw.example.test") + bytes([0, qtype, 0, 1]) + b"".join(records)


def dns_record(owner, rtype, ttl, data):
    return owner + bytes([0, rtype, 0, 1]) + ttl.to_bytes(4, "big") + len(data).to_bytes(2, "big") + data


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    pointer = bytes([0xc0, 12])
    write_bytes("FuzzDNS", "a", 0, dns_answer(0x8180, 1, [dns_record(pointer, 1, 300, bytes([10, 0, 0, 1]))]))
    write_bytes("FuzzDNS", "aaaa", 1, dns_answer(0x8180, 28, [dns_record(pointer, 28, 60, bytes(15) + b"\1")]))
    write_bytes("FuzzDNS", "cname", 0, dns_answer(0x8180, 1, [
        dns_record(pointer, 5, 300, dns_name("edge.cdn.test")),
        dns_record(dns_name("edge.cdn.test"), 1, 30, bytes([10, 0, 0, 2])),
    ]))
    write_bytes("FuzzDNS", "nxdomain", 0, dns_answer(0x8183, 1, []))
    for name, body in ENGAGELAB.items():
        write("FuzzEngageLab", name, 0, body)
        write("FuzzJSON", "engagelab-" + name, 1, body)
    for name, body in SUBMAIL.items():
        write("FuzzSubmail", name + "-json", 0, body)
        write("FuzzSubmail", name + "-form", 1, form(body))
        write("FuzzSubmail", name + "-multipart", 2, multipart(body))
        write("FuzzSubmail", name + "-query", 3, form(body))
        write("FuzzForm", "submail-" + name, 0, form(body))
        write("FuzzForm", "submail-multipart-" + name, 1, multipart(body))
        write("FuzzJSON", "submail-" + name, 0, body)
    write("FuzzHuawei", "status-form", 0, HUAWEI_FORM)
    write("FuzzHuawei", "status-json", 1, HUAWEI_JSON)
    write("FuzzHuawei", "reply-form", 2, HUAWEI_REPLY)
    write("FuzzForm", "huawei-status", 0, HUAWEI_FORM)
    write("FuzzJSON", "huawei-batch", 1, HUAWEI_JSON)
    write("FuzzGateway", "status-json", 1, GATEWAY_STATUS)
    write("FuzzGateway", "status-form", 0, form(GATEWAY_STATUS))
    write("FuzzGateway", "reply-form", 2, GATEWAY_REPLY)
    write("FuzzGateway", "pull-report", 4, GATEWAY_PULL)
    write("FuzzGateway", "pull-balance", 4, GATEWAY_BALANCE)
    write("FuzzJSON", "gateway-pull", 0, GATEWAY_PULL)
    for i, number in enumerate(["13812345678", "+86 138 1234 5678", "008613812345678", "+115927992951", "135****9831", "+8613512349831"]):
        write("FuzzPhone", "number-%d" % i, 0, number)
    for i, text in enumerate(["2019-04-12 17:57:08", "2018-04-13T06:31:46Z", "2026-11-23T16:00:00.5+08:00", "2026-02-28", "2020-02-29T23:59:59z"]):
        write("FuzzTimes", "time-%d" % i, 0, text)
    for i, text in enumerate(["127.0.0.1", "::ffff:10.0.0.1", "fe80::1%eth0", "64:ff9b::a9fe:a9fe", "2001:db8::1"]):
        write("FuzzEgress", "address-%d" % i, 0, text)
    for i, text in enumerate(["10.0.0.0/8", "::/0", "fc00::/7", "127.0.0.1/32"]):
        write("FuzzEgress", "block-%d" % i, 1, text)
    for i, text in enumerate(["https://gw.example.com/base/", "http://127.0.0.1:9090", "https://[::1]:8443", "https://u:p@h?x=#y"]):
        write("FuzzEgress", "url-%d" % i, 2, text)
    write("FuzzCursor", "garbage", 0, "bm90LWEtY3Vyc29y")
    write("FuzzCursor", "sealed-now", 1, "\x41\xda\x5a\x9f\x40\x00\x00\x00")
    # Send answers (docs/providers.md §9): the selector's low two bits pick the provider, the next four
    # the HTTP status (200, 201, 400, 401, ...), the top two how many numbers the call named.
    write("FuzzSendAnswers", "submail-accepted", 0x00, '{"status":"success","send_id":"093c0a7df143c087d6cba9cdf0cf3738","fee":1}')
    write("FuzzSendAnswers", "submail-refused", 0x08, '{"status":"error","code":"903","msg":"balance"}')
    write("FuzzSendAnswers", "submail-multi", 0x40,
          '[{"status":"success","send_id":"a","fee":1,"to":"13800000000"},{"status":"error","code":"115","msg":"cap"}]')
    write("FuzzSendAnswers", "huawei-accepted", 0x41,
          '{"code":"000000","description":"Success","result":[{"originTo":"+8613800000000","smsMsgId":"4b4b34e7_1",'
          '"status":"000000","total":1},{"originTo":"+8613900000001","status":"E200028"}]}')
    write("FuzzSendAnswers", "huawei-refused", 0x0d, '{"code":"E000102","description":"Invalid app_key."}')
    write("FuzzSendAnswers", "engagelab-accepted", 0x02,
          '{"plan_id":"1972488990548348928","total_count":1,"accepted_count":1,"message_id":"1972488990804201472"}')
    write("FuzzSendAnswers", "engagelab-refused", 0x0e, '{"code":2001,"message":"invalid key"}')


if __name__ == "__main__":
    main()
