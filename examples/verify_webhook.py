"""Checks an smshub webhook delivery as a receiver should (docs/webhooks.md).

    python3 verify_webhook.py SECRET WEBHOOK_ID WEBHOOK_TIMESTAMP WEBHOOK_SIGNATURE < body
"""
import base64
import hashlib
import hmac
import sys
import time


def verify(secret: str, headers: dict, body: bytes, tolerance: int = 300) -> bool:
    """True when `body` was signed with `secret` (whsec_...) and the timestamp is recent."""
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False  # too old (or from the future): a replay
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # During a secret rotation the header carries two signatures, separated by a space.
    return any(hmac.compare_digest(expected, given) for given in headers["webhook-signature"].split(" "))


if __name__ == "__main__":
    secret, msg_id, timestamp, signature = sys.argv[1:5]
    headers = {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": signature}
    ok = verify(secret, headers, sys.stdin.buffer.read())
    print("verified" if ok else "NOT verified")
    sys.exit(0 if ok else 1)
