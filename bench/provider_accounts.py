"""What bench/send-chaos and bench/run share: one call to the hub or the simulator, and a tenant's
SUBMAIL, Huawei and EngageLab accounts sending to the simulator, with a template mapped to each."""
import json
import urllib.parse
import urllib.request


def call(method, url, token=None, body=None, form=None):
    data, kind = None, None
    if body is not None:
        data, kind = json.dumps(body).encode(), "application/json"
    elif form is not None:
        data, kind = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if kind:
        request.add_header("Content-Type", kind)
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
        return json.loads(text) if text else {}


def register(hub, key, sim, name, settings=None):
    """Creates the three accounts (ids keyed by provider) and a template `name` mapped to Huawei's and
    EngageLab's; registers the accounts with the simulator and SUBMAIL's and EngageLab's callback URLs."""
    extra = settings or {}
    created = {
        "submail": call("POST", f"{hub}/v1/provider-accounts", key, {
            "provider": "submail", "name": f"{name} SUBMAIL",
            "settings": {"app_id": f"{name}-submail", "base_url": sim, **extra},
            "credentials": {"app_key": "submail-key", "subhook_key": "subhook"}}),
        "huawei": call("POST", f"{hub}/v1/provider-accounts", key, {
            "provider": "huawei", "name": f"{name} Huawei",
            "settings": {"app_key": f"{name}-huawei", "base_url": sim, **extra}, "credentials": {"app_secret": "hw-secret"}}),
        "engagelab": call("POST", f"{hub}/v1/provider-accounts", key, {
            "provider": "engagelab", "name": f"{name} EngageLab",
            "settings": {"app_key": "smshook-key", "dev_key": f"{name}-dev", "base_url": sim, **extra},
            "credentials": {"app_secret": "smshook-secret", "dev_secret": "dev-secret"}}),
    }
    for provider, account_key, secret in (("submail", f"{name}-submail", "submail-key"), ("huawei", f"{name}-huawei", "hw-secret"),
                                          ("engagelab", f"{name}-dev", "dev-secret")):
        call("POST", f"{sim}/sim/send-accounts", form={"provider": provider, "key": account_key, "secret": secret,
                                                       "balance": "100000000"})
    call("POST", f"{sim}/sim/send-callbacks", form={"provider": "submail", "key": f"{name}-submail",
                                                    "status_url": created["submail"]["callback_urls"]["events"],
                                                    "callback_secret": "subhook"})
    call("POST", f"{sim}/sim/send-callbacks", form={"provider": "engagelab", "key": f"{name}-dev",
                                                    "status_url": created["engagelab"]["callback_urls"]["events"],
                                                    "callback_key": "smshook-key", "callback_secret": "smshook-secret"})
    template = call("POST", f"{hub}/v1/templates", key, {
        "name": name, "category": "verification", "body": "【Bench】您的验证码是{{code}}"})
    ids = {provider: account["account"]["id"] for provider, account in created.items()}
    call("PUT", f"{hub}/v1/templates/{template['id']}/mappings/{ids['huawei']}", key,
         {"template_id": "tpl-1", "channel": "8820122113125", "parameters": ["code"]})
    call("PUT", f"{hub}/v1/templates/{template['id']}/mappings/{ids['engagelab']}", key,
         {"template_id": "1233", "parameters": {"code": "code"}})
    return template["id"], ids
